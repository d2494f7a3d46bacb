/*
 * respite - ingest: request bodies to validated events.
 *
 * A body is one event object, an array of them, or NDJSON.  Every event
 * is checked against API.md before anything is stored, so a batch is all
 * or nothing: the first bad event's index and field go back to the client
 * and the whole request is refused.  This file knows nothing of HTTP or
 * storage; it takes now (the time of receipt) as an argument.
 */
#include "build.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "ingest.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Sets err for a bad field: "events[3].agent: must be ...". Returns -1. */
static int __attribute__((format(printf, 4, 5)))
bad_field(struct api_error *err, long index, const char *field,
    const char *fmt, ...)
{
	char	msg[200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	api_error_set(err, 400, "invalid_event", index, field,
	    "events[%ld].%s: %s", index, field, msg);
	return (-1);
}

#define BAD(...)	return (bad_field(err, index, __VA_ARGS__))

static int
bcp47_valid(const char *s)
{
	size_t	len, n, part = 0;

	len = strlen(s);
	if (len == 0 || len > RESPITE_LANG_MAX)
		return (0);
	while (*s != '\0') {
		n = 0;
		while (isalnum((unsigned char)s[n]))
			n++;
		if (n == 0 || n > 8 || (part == 0 && (n < 2 || n > 8)))
			return (0);
		if (part == 0) {
			size_t	i;

			for (i = 0; i < n; i++)
				if (!isalpha((unsigned char)s[i]))
					return (0);
		}
		s += n;
		if (*s == '-') {
			s++;
			if (*s == '\0')
				return (0);
		} else if (*s != '\0')
			return (0);
		part++;
	}
	return (1);
}

static int
copy_string(json_t *v, char *dst, size_t max)
{
	const char	*s;
	size_t		 len;

	if (!json_is_string(v))
		return (-1);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0 || len > max || strlen(s) != len)
		return (-1);
	memcpy(dst, s, len + 1);
	return (0);
}

/*
 * Validate one event object into ev.  index is its place in the request.
 * Returns 0, or -1 with err set (the first problem found).
 */
int
ingest_event(json_t *o, long index, const struct ingest_limits *lim,
    int64_t now_ms, struct respite_event *ev, struct api_error *err)
{
	json_t		*v, *c;
	const char	*s;
	size_t		 i;
	unsigned int	 bit;
	int		 needs_channel;

	memset(ev, 0, sizeof *ev);
	ev->duration_s = -1;
	ev->severity = -1;
	ev->received_ms = now_ms;
	if (!json_is_object(o)) {
		api_error_set(err, 400, "invalid_event", index, NULL,
		    "events[%ld]: must be a JSON object", index);
		return (-1);
	}

	if ((v = json_object_get(o, "type")) == NULL)
		BAD("type", "is required");
	if (!json_is_string(v))
		BAD("type", "must be a string");
	if ((ev->type = event_type_parse(json_string_value(v))) ==
	    RESPITE_EV_NONE) {
		api_error_set(err, 400, "unknown_type", index, "type",
		    "events[%ld].type: unknown type (agent.login, agent.logout, "
		    "agent.break_start, agent.break_end, ticket.assigned, "
		    "ticket.handled, message.received, message.flagged)", index);
		return (-1);
	}

	if ((v = json_object_get(o, "agent")) == NULL)
		BAD("agent", "is required");
	if (copy_string(v, ev->agent, RESPITE_NAME_MAX) == -1 ||
	    !event_name_valid(ev->agent))
		BAD("agent", "must be 1-64 chars of [A-Za-z0-9._@-]");

	if ((v = json_object_get(o, "id")) != NULL && !json_is_null(v) &&
	    copy_string(v, ev->id, RESPITE_ID_MAX) == -1)
		BAD("id", "must be a string of 1-128 bytes");

	if ((v = json_object_get(o, "team")) != NULL && !json_is_null(v) &&
	    (copy_string(v, ev->team, RESPITE_NAME_MAX) == -1 ||
	    !event_name_valid(ev->team)))
		BAD("team", "must be 1-64 chars of [A-Za-z0-9._@-]");

	ev->ts_ms = now_ms;
	if ((v = json_object_get(o, "ts")) != NULL && !json_is_null(v)) {
		if (json_is_string(v)) {
			if (time_parse_rfc3339(json_string_value(v),
			    &ev->ts_ms) == -1)
				BAD("ts", "must be an RFC 3339 date-time "
				    "(2026-11-22T10:15:00Z) or epoch "
				    "milliseconds");
			if (ev->ts_ms < 0)
				BAD("ts", "must not be before 1970");
		} else if (json_is_integer(v)) {
			if (json_integer_value(v) < 0)
				BAD("ts", "epoch milliseconds must not be "
				    "negative");
			ev->ts_ms = json_integer_value(v);
		} else
			BAD("ts", "must be an RFC 3339 string or integer "
			    "epoch milliseconds");
		if (ev->ts_ms > now_ms + lim->max_skew_ms)
			BAD("ts", "is more than %lld s in the future",
			    (long long)(lim->max_skew_ms / 1000));
	}

	needs_channel = ev->type == RESPITE_EV_TICKET_ASSIGNED ||
	    ev->type == RESPITE_EV_TICKET_HANDLED ||
	    ev->type == RESPITE_EV_MESSAGE_RECEIVED ||
	    ev->type == RESPITE_EV_MESSAGE_FLAGGED;
	if ((v = json_object_get(o, "channel")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || (ev->channel =
		    event_channel_parse(json_string_value(v))) ==
		    RESPITE_CH_NONE)
			BAD("channel", "must be one of phone, chat, email, "
			    "social, messaging, other");
	} else if (needs_channel)
		BAD("channel", "is required for %s", event_type_name(ev->type));

	if ((v = json_object_get(o, "ticket")) != NULL && !json_is_null(v) &&
	    copy_string(v, ev->ticket, RESPITE_ID_MAX) == -1)
		BAD("ticket", "must be a string of 1-128 bytes");

	if ((v = json_object_get(o, "duration_s")) != NULL &&
	    !json_is_null(v)) {
		/* No upper bound (API.md): threads span days. */
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    json_number_value(v) < 0)
			BAD("duration_s", "must be a number of seconds, 0 or "
			    "more");
		ev->duration_s = json_number_value(v);
	} else if (ev->type == RESPITE_EV_TICKET_HANDLED)
		BAD("duration_s", "is required for ticket.handled");

	if ((v = json_object_get(o, "severity")) != NULL && !json_is_null(v)) {
		if (!json_is_number(v) || json_number_value(v) < 0 ||
		    json_number_value(v) > 1)
			BAD("severity", "must be a number from 0 to 1");
		ev->severity = json_number_value(v);
	} else if (ev->type == RESPITE_EV_MESSAGE_FLAGGED)
		BAD("severity", "is required for message.flagged");

	if ((v = json_object_get(o, "categories")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_array(v))
			BAD("categories", "must be an array of insult, threat, "
			    "profanity, identity_attack, harassment, other");
		json_array_foreach(v, i, c) {
			if (!json_is_string(c) || (bit = event_category_parse(
			    json_string_value(c))) == 0)
				BAD("categories", "must be an array of insult, "
				    "threat, profanity, identity_attack, "
				    "harassment, other");
			ev->categories |= bit;
		}
	}

	if ((v = json_object_get(o, "text")) != NULL && !json_is_null(v)) {
		if (ev->type != RESPITE_EV_MESSAGE_RECEIVED)
			BAD("text", "is only accepted on message.received");
		if (!json_is_string(v) ||
		    json_string_length(v) > RESPITE_TEXT_MAX)
			BAD("text", "must be a string of at most %d bytes",
			    RESPITE_TEXT_MAX);
		ev->text = json_string_value(v);
		ev->text_len = json_string_length(v);
	}

	if ((v = json_object_get(o, "lang")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || !bcp47_valid(json_string_value(v)))
			BAD("lang", "must be a BCP 47 language tag (de, en, "
			    "de-AT)");
		snprintf(ev->lang, sizeof ev->lang, "%s", json_string_value(v));
	}

	if ((v = json_object_get(o, "tz")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) ||
		    !time_zone_valid((s = json_string_value(v))))
			BAD("tz", "must be an IANA time zone (Europe/Berlin)");
		snprintf(ev->tz, sizeof ev->tz, "%s", s);
	}
	return (0);
}

static int
bad_json(struct api_error *err, long index, const json_error_t *je)
{
	if (index >= 0)
		api_error_set(err, 400, "bad_json", index, NULL,
		    "line %ld (event %ld): %s", (long)je->line + index, index,
		    je->text);
	else
		api_error_set(err, 400, "bad_json", -1, NULL,
		    "line %d, column %d: %s", je->line, je->column, je->text);
	return (-1);
}

static int
too_many(struct api_error *err, const struct ingest_limits *lim)
{
	api_error_set(err, 413, "too_large", -1, NULL,
	    "more than %zu events in one request (max_batch)", lim->max_batch);
	return (-1);
}

static int
is_blank(const char *p, size_t len)
{
	while (len > 0 && isspace((unsigned char)*p))
		p++, len--;
	return (len == 0);
}

/*
 * The number of elements of the JSON array that body (len bytes) holds,
 * counted without parsing it, and not beyond max + 1: the commas at its
 * top level, outside strings (escapes respected) and nested values.
 * Parsing a 4 MiB [{},{},...] whole took 330 MB before its 413 (issue
 * 21, item 7); this takes none.  A malformed array is counted as far
 * as it goes; the parser then finds what is wrong with it.  body must
 * start with '[' (after white space).
 */
static size_t
count_array(const char *body, size_t len, size_t max)
{
	size_t	i, depth = 0, commas = 0;
	int	any = 0;

	for (i = 0; i < len; i++) {
		switch (body[i]) {
		case '"':
			for (i++; i < len && body[i] != '"'; i++)
				if (body[i] == '\\')
					i++;
			if (depth == 1)
				any = 1;
			break;
		case '[':
		case '{':
			if (depth++ == 1)
				any = 1;
			break;
		case ']':
		case '}':
			if (depth > 0 && --depth == 0)
				return (any ? commas + 1 : 0);
			break;
		case ',':
			if (depth == 1 && ++commas >= max)
				return (max + 1);
			break;
		default:
			if (depth == 1 && !isspace((unsigned char)body[i]))
				any = 1;
			break;
		}
	}
	return (any ? commas + 1 : 0);
}

/*
 * Parse body (len bytes, not NUL-terminated) into out.  ndjson selects
 * newline-delimited JSON.  Returns 0, or -1 with err set and out empty.
 */
int
ingest_parse(const char *body, size_t len, int ndjson,
    const struct ingest_limits *lim, int64_t now_ms, struct event_batch *out,
    struct api_error *err)
{
	json_error_t	 je;
	json_t		*root, *o;
	const char	*p, *end, *nl;
	size_t		 i, n;
	long		 index;

	memset(out, 0, sizeof *out);
	if (!ndjson) {
		/* An array: count its elements first to enforce max_batch. */
		for (p = body, end = body + len; p < end &&
		    isspace((unsigned char)*p); p++)
			;
		if (p < end && *p == '[' &&
		    count_array(p, (size_t)(end - p), lim->max_batch) >
		    lim->max_batch)
			return (too_many(err, lim));
		/* Any JSON text: a bare 42 is not bad JSON, just no event. */
		if ((root = json_loadb(body, len, JSON_DECODE_ANY, &je)) ==
		    NULL)
			return (bad_json(err, -1, &je));
		out->keep = root;
		if (json_is_array(root)) {
			n = json_array_size(root);
			if (n > lim->max_batch) {
				too_many(err, lim);
				goto fail;
			}
			out->ev = xcalloc(n, sizeof *out->ev);
			json_array_foreach(root, i, o) {
				if (ingest_event(o, (long)i, lim, now_ms,
				    &out->ev[i], err) == -1)
					goto fail;
			}
			out->n = n;
			return (0);
		}
		if (!json_is_object(root)) {
			api_error_set(err, 400, "invalid_event", -1, NULL,
			    "body must be an event object, an array of them, "
			    "or NDJSON");
			goto fail;
		}
		out->ev = xcalloc(1, sizeof *out->ev);
		if (ingest_event(root, 0, lim, now_ms, out->ev, err) == -1)
			goto fail;
		out->n = 1;
		return (0);
	}

	/* NDJSON: count the non-empty lines first to enforce max_batch. */
	n = 0;
	for (p = body, end = body + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (!is_blank(p, nl - p) && ++n > lim->max_batch)
			return (too_many(err, lim));
	}
	out->keep = json_array();
	out->ev = xcalloc(n, sizeof *out->ev);
	index = 0;
	for (p = body; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (is_blank(p, nl - p))
			continue;
		if ((o = json_loadb(p, nl - p, JSON_DECODE_ANY, &je)) == NULL) {
			api_error_set(err, 400, "bad_json", index, NULL,
			    "events[%ld]: %s", index, je.text);
			goto fail;
		}
		json_array_append_new(out->keep, o);
		if (ingest_event(o, index, lim, now_ms, &out->ev[index],
		    err) == -1)
			goto fail;
		index++;
	}
	out->n = n;
	return (0);

fail:
	event_batch_free(out);
	return (-1);
}

void
event_batch_free(struct event_batch *b)
{
	free(b->ev);
	json_decref(b->keep);
	memset(b, 0, sizeof *b);
}
