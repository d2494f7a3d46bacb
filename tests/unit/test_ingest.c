/*
 * Unit tests for daemon/ingest.c: request bodies (one object, an array,
 * NDJSON) to validated events, and every rule of API.md "Events" with the
 * error code, status, index and field the client gets back.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apierr.h"
#include "ingest.h"

#define NOW		1795342500000LL		/* 2026-11-22T10:15:00Z */
#define SKEW_MS		300000LL

static const struct ingest_limits limits = { 10000, SKEW_MS };

#define assert_near(a, b) do {						\
	double	got_ = (a), want_ = (b);				\
	if (!(got_ - want_ < 1e-9 && want_ - got_ < 1e-9))		\
		fail_msg("%s = %.12g, expected %.12g", #a, got_, want_); \
} while (0)

/* Parse a NUL-terminated body with the default limits. */
static int
parse(const char *body, int ndjson, struct event_batch *b,
    struct api_error *err)
{
	memset(err, 0, sizeof *err);
	err->index = -2;
	return (ingest_parse(body, strlen(body), ndjson, &limits, NOW, b,
	    err));
}

/* The body must be refused with exactly this error. */
static void
expect_error_lim(const char *body, int ndjson,
    const struct ingest_limits *lim, int status, const char *code,
    long index, const char *field)
{
	struct event_batch	b;
	struct api_error	err;

	memset(&err, 0, sizeof err);
	if (ingest_parse(body, strlen(body), ndjson, lim, NOW, &b, &err) !=
	    -1)
		fail_msg("accepted: %s", body);
	if (err.status != status || err.code == NULL ||
	    strcmp(err.code, code) != 0 || err.index != index ||
	    strcmp(err.field, field) != 0)
		fail_msg("body %s\n  got %d %s index %ld field \"%s\" (%s)\n"
		    "  expected %d %s index %ld field \"%s\"", body, err.status,
		    err.code != NULL ? err.code : "(null)", err.index,
		    err.field, err.message, status, code, index, field);
	/* A refused request leaves nothing behind. */
	assert_int_equal(b.n, 0);
	assert_null(b.ev);
	assert_null(b.keep);
}

static void
expect_error(const char *body, int ndjson, int status, const char *code,
    long index, const char *field)
{
	expect_error_lim(body, ndjson, &limits, status, code, index, field);
}

/* One event object, wrapped as {"type": type, "agent": "alice", extra}. */
static void
expect_event_error(const char *type, const char *extra, const char *code,
    const char *field)
{
	char	body[40000];

	snprintf(body, sizeof body, "{\"type\": \"%s\", \"agent\": \"alice\"%s%s}",
	    type, *extra != '\0' ? ", " : "", extra);
	expect_error(body, 0, 400, code, 0, field);
}

/* The body must give exactly one event; it is copied to *ev. */
static void
expect_one(const char *body, struct respite_event *ev)
{
	struct event_batch	b;
	struct api_error	err;

	if (parse(body, 0, &b, &err) != 0)
		fail_msg("refused: %s: %s %s", body, err.code, err.message);
	assert_int_equal(b.n, 1);
	*ev = b.ev[0];
	ev->text = NULL;	/* borrowed from b.keep, which goes now */
	event_batch_free(&b);
}

static void
expect_event_ok(const char *type, const char *extra,
    struct respite_event *ev)
{
	char	body[40000];

	snprintf(body, sizeof body, "{\"type\": \"%s\", \"agent\": \"alice\"%s%s}",
	    type, *extra != '\0' ? ", " : "", extra);
	expect_one(body, ev);
}

static void
test_single_object(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_one("{\"id\": \"e-1\", \"type\": \"ticket.handled\", "
	    "\"agent\": \"alice\", \"team\": \"support-de\", "
	    "\"ts\": \"2026-11-22T10:00:00Z\", \"channel\": \"phone\", "
	    "\"ticket\": \"T-77\", \"duration_s\": 312.5, "
	    "\"categories\": [\"insult\"], \"lang\": \"de\", "
	    "\"unknown_field\": {\"ignored\": true}}", &ev);
	assert_int_equal(ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(ev.id, "e-1");
	assert_string_equal(ev.agent, "alice");
	assert_string_equal(ev.team, "support-de");
	assert_int_equal(ev.ts_ms, NOW - 15 * 60000);
	assert_int_equal(ev.received_ms, NOW);
	assert_int_equal(ev.channel, RESPITE_CH_PHONE);
	assert_string_equal(ev.ticket, "T-77");
	assert_near(ev.duration_s, 312.5);
	assert_near(ev.severity, -1);
	assert_int_equal(ev.categories, RESPITE_CAT_INSULT);
	assert_string_equal(ev.lang, "de");
	assert_string_equal(ev.tz, "");
	assert_int_equal(ev.text_len, 0);
}

static void
test_defaults_for_absent_fields(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_one("{\"type\": \"agent.login\", \"agent\": \"bob\"}", &ev);
	assert_int_equal(ev.type, RESPITE_EV_AGENT_LOGIN);
	assert_string_equal(ev.id, "");
	assert_string_equal(ev.team, "");
	assert_int_equal(ev.ts_ms, NOW);	/* time of receipt */
	assert_int_equal(ev.received_ms, NOW);
	assert_int_equal(ev.channel, RESPITE_CH_NONE);
	assert_string_equal(ev.ticket, "");
	assert_near(ev.duration_s, -1);
	assert_near(ev.severity, -1);
	assert_int_equal(ev.categories, 0);
	assert_string_equal(ev.lang, "");
	assert_string_equal(ev.tz, "");
	assert_null(ev.text);

	/* null is the same as absent. */
	expect_one("{\"type\": \"agent.login\", \"agent\": \"bob\", \"id\": null,"
	    " \"team\": null, \"ts\": null, \"ticket\": null, \"lang\": null, "
	    "\"tz\": null, \"categories\": null, \"channel\": null}", &ev);
	assert_string_equal(ev.id, "");
	assert_int_equal(ev.ts_ms, NOW);
	assert_int_equal(ev.channel, RESPITE_CH_NONE);
}

static void
test_array_body(void **state)
{
	struct event_batch	b;
	struct api_error	err;

	(void)state;
	assert_int_equal(parse("[{\"type\": \"agent.login\", \"agent\": \"a\"},"
	    " {\"type\": \"ticket.assigned\", \"agent\": \"b\", "
	    "\"channel\": \"chat\"}, {\"type\": \"agent.logout\", "
	    "\"agent\": \"c\", \"ts\": 1795342400000}]", 0, &b, &err), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.ev[0].type, RESPITE_EV_AGENT_LOGIN);
	assert_string_equal(b.ev[0].agent, "a");
	assert_int_equal(b.ev[1].type, RESPITE_EV_TICKET_ASSIGNED);
	assert_int_equal(b.ev[1].channel, RESPITE_CH_CHAT);
	assert_string_equal(b.ev[1].agent, "b");
	assert_int_equal(b.ev[2].type, RESPITE_EV_AGENT_LOGOUT);
	assert_int_equal(b.ev[2].ts_ms, 1795342400000LL);
	event_batch_free(&b);
	assert_int_equal(b.n, 0);
	assert_null(b.ev);

	/* An empty array is an empty batch. */
	assert_int_equal(parse("[]", 0, &b, &err), 0);
	assert_int_equal(b.n, 0);
	event_batch_free(&b);

	/* The first bad event is the one reported. */
	expect_error("[{\"type\": \"agent.login\", \"agent\": \"a\"}, "
	    "{\"type\": \"agent.login\"}, {\"type\": \"nope\", \"agent\": \"c\"}]",
	    0, 400, "invalid_event", 1, "agent");
	expect_error("[{\"type\": \"agent.login\", \"agent\": \"a\"}, 7]", 0,
	    400, "invalid_event", 1, "");
}

static void
test_bad_json(void **state)
{
	(void)state;
	expect_error("{", 0, 400, "bad_json", -1, "");
	expect_error("", 0, 400, "bad_json", -1, "");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\",}", 0, 400,
	    "bad_json", -1, "");
	expect_error("[{\"type\": \"agent.login\", \"agent\": \"a\"}", 0, 400,
	    "bad_json", -1, "");
	expect_error("{\"type\": \"agent.login\"} {\"agent\": \"a\"}", 0, 400,
	    "bad_json", -1, "");
	/* A NUL inside a string is not accepted. */
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\\u0000b\"}",
	    0, 400, "bad_json", -1, "");
	/* JSON, but not an event or a list of them. */
	expect_error("42", 0, 400, "invalid_event", -1, "");
	expect_error("\"agent.login\"", 0, 400, "invalid_event", -1, "");
	expect_error("null", 0, 400, "invalid_event", -1, "");
	expect_error(" true ", 0, 400, "invalid_event", -1, "");
}

static void
test_error_message(void **state)
{
	struct event_batch	b;
	struct api_error	err;
	char			*json;

	(void)state;
	assert_int_equal(parse("[{\"type\": \"agent.login\", \"agent\": \"a\"}, "
	    "{\"type\": \"agent.login\", \"agent\": \"a b\"}]", 0, &b, &err), -1);
	assert_string_equal(err.message,
	    "events[1].agent: must be 1-64 chars of [A-Za-z0-9._@-]");
	json = api_error_json(&err);
	assert_string_equal(json, "{\"error\":{\"code\":\"invalid_event\","
	    "\"message\":\"events[1].agent: must be 1-64 chars of "
	    "[A-Za-z0-9._@-]\",\"index\":1,\"field\":\"agent\"}}");
	free(json);
}

static void
test_type(void **state)
{
	struct respite_event	 ev;
	static const struct {
		const char		*name;
		enum respite_event_type	 type;
	} types[] = {
		{ "agent.login", RESPITE_EV_AGENT_LOGIN },
		{ "agent.logout", RESPITE_EV_AGENT_LOGOUT },
		{ "agent.break_start", RESPITE_EV_BREAK_START },
		{ "agent.break_end", RESPITE_EV_BREAK_END },
	};
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		expect_event_ok(types[i].name, "", &ev);
		assert_int_equal(ev.type, types[i].type);
	}
	expect_event_ok("ticket.assigned", "\"channel\": \"email\"", &ev);
	assert_int_equal(ev.type, RESPITE_EV_TICKET_ASSIGNED);
	expect_event_ok("message.received", "\"channel\": \"chat\"", &ev);
	assert_int_equal(ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.7", &ev);
	assert_int_equal(ev.type, RESPITE_EV_MESSAGE_FLAGGED);

	expect_error("{\"agent\": \"alice\"}", 0, 400, "invalid_event", 0,
	    "type");
	expect_error("{\"type\": 5, \"agent\": \"alice\"}", 0, 400,
	    "invalid_event", 0, "type");
	expect_error("{\"type\": null, \"agent\": \"alice\"}", 0, 400,
	    "invalid_event", 0, "type");
	expect_event_error("agent.sleep", "", "unknown_type", "type");
	expect_event_error("AGENT.LOGIN", "", "unknown_type", "type");
	expect_event_error("", "", "unknown_type", "type");
	expect_error("[{\"type\": \"agent.login\", \"agent\": \"a\"}, "
	    "{\"type\": \"ticket.closed\", \"agent\": \"a\"}]", 0, 400,
	    "unknown_type", 1, "type");
}

static void
test_agent_and_team(void **state)
{
	struct respite_event	ev;
	char			body[300], name[70];

	(void)state;
	expect_error("{\"type\": \"agent.login\"}", 0, 400, "invalid_event", 0,
	    "agent");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"\"}", 0, 400,
	    "invalid_event", 0, "agent");
	expect_error("{\"type\": \"agent.login\", \"agent\": 17}", 0, 400,
	    "invalid_event", 0, "agent");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a b\"}", 0, 400,
	    "invalid_event", 0, "agent");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a/b\"}", 0, 400,
	    "invalid_event", 0, "agent");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"j\\u00fcrgen\"}",
	    0, 400, "invalid_event", 0, "agent");

	expect_one("{\"type\": \"agent.login\", \"agent\": "
	    "\"Jo.Doe_1@example-2\"}", &ev);
	assert_string_equal(ev.agent, "Jo.Doe_1@example-2");

	memset(name, 'x', 64);
	name[64] = '\0';
	snprintf(body, sizeof body, "{\"type\": \"agent.login\", \"agent\": "
	    "\"%s\", \"team\": \"%s\"}", name, name);
	expect_one(body, &ev);
	assert_string_equal(ev.agent, name);
	assert_string_equal(ev.team, name);
	name[64] = 'x';
	name[65] = '\0';
	snprintf(body, sizeof body, "{\"type\": \"agent.login\", \"agent\": "
	    "\"%s\"}", name);
	expect_error(body, 0, 400, "invalid_event", 0, "agent");
	snprintf(body, sizeof body, "{\"type\": \"agent.login\", \"agent\": "
	    "\"a\", \"team\": \"%s\"}", name);
	expect_error(body, 0, 400, "invalid_event", 0, "team");

	expect_event_error("agent.login", "\"team\": \"\"", "invalid_event",
	    "team");
	expect_event_error("agent.login", "\"team\": \"sup port\"",
	    "invalid_event", "team");
	expect_event_error("agent.login", "\"team\": [\"a\"]",
	    "invalid_event", "team");
}

static void
test_id_and_ticket(void **state)
{
	struct respite_event	ev;
	char			id[140], extra[200];

	(void)state;
	memset(id, 'i', 128);
	id[128] = '\0';
	snprintf(extra, sizeof extra, "\"id\": \"%s\"", id);
	expect_event_ok("agent.login", extra, &ev);
	assert_string_equal(ev.id, id);
	snprintf(extra, sizeof extra, "\"channel\": \"chat\", \"ticket\": "
	    "\"%s\"", id);
	expect_event_ok("ticket.assigned", extra, &ev);
	assert_string_equal(ev.ticket, id);

	id[128] = 'i';
	id[129] = '\0';
	snprintf(extra, sizeof extra, "\"id\": \"%s\"", id);
	expect_event_error("agent.login", extra, "invalid_event", "id");
	snprintf(extra, sizeof extra, "\"channel\": \"chat\", \"ticket\": "
	    "\"%s\"", id);
	expect_event_error("ticket.assigned", extra, "invalid_event",
	    "ticket");

	expect_event_error("agent.login", "\"id\": \"\"", "invalid_event",
	    "id");
	expect_event_error("agent.login", "\"id\": 12", "invalid_event", "id");
	expect_event_error("ticket.assigned", "\"channel\": \"chat\", "
	    "\"ticket\": 12", "invalid_event", "ticket");
	/* Any characters are fine in ids. */
	expect_event_ok("agent.login", "\"id\": \"zendesk:4711/2 ü\"", &ev);
	assert_string_equal(ev.id, "zendesk:4711/2 ü");
}

static void
test_ts(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_event_ok("agent.login", "\"ts\": \"2026-11-22T11:00:00+01:00\"",
	    &ev);
	assert_int_equal(ev.ts_ms, NOW - 15 * 60000);
	assert_int_equal(ev.received_ms, NOW);
	expect_event_ok("agent.login", "\"ts\": \"2026-11-22T10:14:59.5Z\"",
	    &ev);
	assert_int_equal(ev.ts_ms, NOW - 500);
	expect_event_ok("agent.login", "\"ts\": 1795342400123", &ev);
	assert_int_equal(ev.ts_ms, 1795342400123LL);
	expect_event_ok("agent.login", "\"ts\": 0", &ev);
	assert_int_equal(ev.ts_ms, 0);
	/* Long ago is fine: a replay of a past day. */
	expect_event_ok("agent.login", "\"ts\": \"2020-01-01T00:00:00Z\"", &ev);
	assert_int_equal(ev.ts_ms, 1577836800000LL);

	/* Up to max_clock_skew in the future, and not one ms more. */
	expect_event_ok("agent.login", "\"ts\": 1795342800000", &ev);
	assert_int_equal(ev.ts_ms, NOW + SKEW_MS);
	expect_event_ok("agent.login", "\"ts\": \"2026-11-22T10:20:00Z\"", &ev);
	assert_int_equal(ev.ts_ms, NOW + SKEW_MS);
	expect_event_error("agent.login", "\"ts\": 1795342800001",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"2026-11-22T10:20:00.001Z\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"2026-11-23T10:15:00Z\"",
	    "invalid_event", "ts");

	/* Reals, bad strings and other types are refused. */
	expect_event_error("agent.login", "\"ts\": 1795342400000.0",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": 1795342400.5",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": -1", "invalid_event", "ts");
	/* Nothing before 1970 in either form (issue 13, item 11). */
	expect_event_error("agent.login", "\"ts\": \"1969-12-31T23:59:59Z\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"0000-01-01T00:00:00Z\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login",
	    "\"ts\": \"1970-01-01T00:30:00+01:00\"", "invalid_event", "ts");
	expect_event_ok("agent.login", "\"ts\": \"1970-01-01T00:00:00Z\"",
	    &ev);
	assert_int_equal(ev.ts_ms, 0);
	expect_event_ok("agent.login", "\"ts\": 0", &ev);
	assert_int_equal(ev.ts_ms, 0);
	expect_event_error("agent.login", "\"ts\": \"1795342400000\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"2026-11-22T10:00:00\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"2026-02-30T10:00:00Z\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": \"yesterday\"",
	    "invalid_event", "ts");
	expect_event_error("agent.login", "\"ts\": true", "invalid_event",
	    "ts");
	expect_event_error("agent.login", "\"ts\": [1]", "invalid_event",
	    "ts");
}

static void
test_ts_skew_limit(void **state)
{
	struct ingest_limits	lim = { 10, 0 };

	(void)state;
	/* With max_clock_skew 0 nothing after now passes. */
	expect_error_lim("{\"type\": \"agent.login\", \"agent\": \"a\", "
	    "\"ts\": 1795342500001}", 0, &lim, 400, "invalid_event", 0, "ts");
	lim.max_skew_ms = 3600000;
	{
		struct event_batch	b;
		struct api_error	err;
		const char		*body = "{\"type\": \"agent.login\", "
		    "\"agent\": \"a\", \"ts\": \"2026-11-22T11:15:00Z\"}";

		assert_int_equal(ingest_parse(body, strlen(body), 0, &lim, NOW,
		    &b, &err), 0);
		assert_int_equal(b.ev[0].ts_ms, NOW + 3600000);
		event_batch_free(&b);
	}
}

static void
test_channel(void **state)
{
	static const struct {
		const char		*name;
		enum respite_channel	 ch;
	} channels[] = {
		{ "phone", RESPITE_CH_PHONE },
		{ "chat", RESPITE_CH_CHAT },
		{ "email", RESPITE_CH_EMAIL },
		{ "social", RESPITE_CH_SOCIAL },
		{ "messaging", RESPITE_CH_MESSAGING },
		{ "other", RESPITE_CH_OTHER },
	};
	static const char	*need[] = { "ticket.assigned", "ticket.handled",
	    "message.received", "message.flagged" };
	struct respite_event	 ev;
	char			 extra[100];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof channels / sizeof channels[0]; i++) {
		snprintf(extra, sizeof extra, "\"channel\": \"%s\"",
		    channels[i].name);
		expect_event_ok("ticket.assigned", extra, &ev);
		assert_int_equal(ev.channel, channels[i].ch);
	}
	/* Required for ticket.* and message.*, with the rest present. */
	expect_event_error(need[0], "", "invalid_event", "channel");
	expect_event_error(need[1], "\"duration_s\": 10", "invalid_event",
	    "channel");
	expect_event_error(need[2], "", "invalid_event", "channel");
	expect_event_error(need[3], "\"severity\": 0.9", "invalid_event",
	    "channel");
	expect_event_error(need[0], "\"channel\": null", "invalid_event",
	    "channel");
	/* Optional, but checked, on agent.* events. */
	expect_event_ok("agent.login", "\"channel\": \"phone\"", &ev);
	assert_int_equal(ev.channel, RESPITE_CH_PHONE);
	expect_event_ok("agent.break_start", "", &ev);
	assert_int_equal(ev.channel, RESPITE_CH_NONE);
	expect_event_error("agent.login", "\"channel\": \"fax\"",
	    "invalid_event", "channel");
	expect_event_error("ticket.assigned", "\"channel\": \"Phone\"",
	    "invalid_event", "channel");
	expect_event_error("ticket.assigned", "\"channel\": 1",
	    "invalid_event", "channel");
	expect_event_error("ticket.assigned", "\"channel\": \"\"",
	    "invalid_event", "channel");
}

static void
test_duration(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_event_ok("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": 0", &ev);
	assert_near(ev.duration_s, 0);
	expect_event_ok("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": 93.25", &ev);
	assert_near(ev.duration_s, 93.25);
	expect_event_ok("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": 86400", &ev);
	assert_near(ev.duration_s, 86400);
	/* No upper bound (issue 13): a thread handled after 26 hours. */
	expect_event_ok("ticket.handled", "\"channel\": \"social\", "
	    "\"duration_s\": 92982", &ev);
	assert_near(ev.duration_s, 92982);
	expect_event_ok("ticket.handled", "\"channel\": \"email\", "
	    "\"duration_s\": 1e300", &ev);
	assert_true(ev.duration_s > 1e299);
	/* Optional elsewhere. */
	expect_event_ok("ticket.assigned", "\"channel\": \"phone\", "
	    "\"duration_s\": 5", &ev);
	assert_near(ev.duration_s, 5);

	expect_event_error("ticket.handled", "\"channel\": \"phone\"",
	    "invalid_event", "duration_s");
	expect_event_error("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": null", "invalid_event", "duration_s");
	expect_event_error("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": -1", "invalid_event", "duration_s");
	expect_event_error("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": -0.001", "invalid_event", "duration_s");
	expect_event_error("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": \"60\"", "invalid_event", "duration_s");
	expect_event_error("ticket.handled", "\"channel\": \"phone\", "
	    "\"duration_s\": true", "invalid_event", "duration_s");
}

static void
test_severity(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0", &ev);
	assert_near(ev.severity, 0);
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 1", &ev);
	assert_near(ev.severity, 1);
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.85", &ev);
	assert_near(ev.severity, 0.85);
	/* Optional on message.received (a classifier's own score). */
	expect_event_ok("message.received", "\"channel\": \"chat\", "
	    "\"severity\": 0.3", &ev);
	assert_near(ev.severity, 0.3);

	expect_event_error("message.flagged", "\"channel\": \"chat\"",
	    "invalid_event", "severity");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 1.01", "invalid_event", "severity");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": -0.1", "invalid_event", "severity");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": \"high\"", "invalid_event", "severity");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 2", "invalid_event", "severity");
}

static void
test_categories(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": [\"insult\", \"threat\", "
	    "\"profanity\", \"identity_attack\", \"harassment\", \"other\"]",
	    &ev);
	assert_int_equal(ev.categories, RESPITE_CAT_INSULT |
	    RESPITE_CAT_THREAT | RESPITE_CAT_PROFANITY |
	    RESPITE_CAT_IDENTITY_ATTACK | RESPITE_CAT_HARASSMENT |
	    RESPITE_CAT_OTHER);
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": [\"threat\", \"threat\"]", &ev);
	assert_int_equal(ev.categories, RESPITE_CAT_THREAT);
	expect_event_ok("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": []", &ev);
	assert_int_equal(ev.categories, 0);

	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": [\"insult\", \"rude\"]",
	    "invalid_event", "categories");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": \"insult\"",
	    "invalid_event", "categories");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": [1]",
	    "invalid_event", "categories");
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"categories\": [\"Insult\"]",
	    "invalid_event", "categories");
}

static void
test_text(void **state)
{
	struct event_batch	 b;
	struct api_error	 err;
	char			*body, *text;
	size_t			 n;

	(void)state;
	assert_int_equal(parse("{\"type\": \"message.received\", "
	    "\"agent\": \"a\", \"channel\": \"chat\", "
	    "\"text\": \"you are useless\"}", 0, &b, &err), 0);
	assert_int_equal(b.ev[0].text_len, 15);
	assert_string_equal(b.ev[0].text, "you are useless");
	event_batch_free(&b);

	/* Only on message.received. */
	expect_event_error("message.flagged", "\"channel\": \"chat\", "
	    "\"severity\": 0.9, \"text\": \"x\"", "invalid_event", "text");
	expect_event_error("ticket.assigned", "\"channel\": \"chat\", "
	    "\"text\": \"x\"", "invalid_event", "text");
	expect_event_error("agent.login", "\"text\": \"x\"", "invalid_event",
	    "text");
	expect_event_error("message.received", "\"channel\": \"chat\", "
	    "\"text\": 5", "invalid_event", "text");

	/* At most 16 KiB (bytes, not characters). */
	n = 16384;
	text = malloc(n + 8);
	body = malloc(n + 200);
	memset(text, 'y', n);
	text[n] = '\0';
	snprintf(body, n + 200, "{\"type\": \"message.received\", \"agent\": "
	    "\"a\", \"channel\": \"chat\", \"text\": \"%s\"}", text);
	assert_int_equal(parse(body, 0, &b, &err), 0);
	assert_int_equal(b.ev[0].text_len, 16384);
	event_batch_free(&b);
	text[n] = 'y';
	text[n + 1] = '\0';
	snprintf(body, n + 200, "{\"type\": \"message.received\", \"agent\": "
	    "\"a\", \"channel\": \"chat\", \"text\": \"%s\"}", text);
	expect_error(body, 0, 400, "invalid_event", 0, "text");
	/* 5462 three-byte characters are 16386 bytes. */
	{
		char	*p = text;
		int	 i;

		for (i = 0; i < 5462; i++) {
			memcpy(p, "\xe2\x82\xac", 3);	/* U+20AC */
			p += 3;
		}
		*p = '\0';
	}
	snprintf(body, n + 200, "{\"type\": \"message.received\", \"agent\": "
	    "\"a\", \"channel\": \"chat\", \"text\": \"%s\"}", text);
	expect_error(body, 0, 400, "invalid_event", 0, "text");
	free(text);
	free(body);
}

static void
test_lang(void **state)
{
	static const char	*good[] = { "de", "en", "de-AT", "en-GB",
	    "zh-Hant-TW", "sr-Latn", "es-419", "gsw", "DE" };
	static const char	*bad[] = { "", "e", "de_AT", "de-", "-de",
	    "123", "d3", "toolonglang", "de-AT-", "de--AT", "de-abcdefghi",
	    "de AT" };
	struct respite_event	 ev;
	char			 extra[100];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(extra, sizeof extra, "\"channel\": \"chat\", "
		    "\"lang\": \"%s\"", good[i]);
		expect_event_ok("message.received", extra, &ev);
		assert_string_equal(ev.lang, good[i]);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(extra, sizeof extra, "\"channel\": \"chat\", "
		    "\"lang\": \"%s\"", bad[i]);
		expect_event_error("message.received", extra, "invalid_event",
		    "lang");
	}
	expect_event_error("message.received", "\"channel\": \"chat\", "
	    "\"lang\": 7", "invalid_event", "lang");
}

static void
test_tz(void **state)
{
	struct respite_event	ev;

	(void)state;
	expect_event_ok("agent.login", "\"tz\": \"Europe/Berlin\"", &ev);
	assert_string_equal(ev.tz, "Europe/Berlin");
	expect_event_ok("agent.login", "\"tz\": \"America/Los_Angeles\"", &ev);
	assert_string_equal(ev.tz, "America/Los_Angeles");
	expect_event_ok("agent.login", "\"tz\": \"UTC\"", &ev);
	assert_string_equal(ev.tz, "UTC");

	expect_event_error("agent.login", "\"tz\": \"Nope/Zone\"",
	    "invalid_event", "tz");
	expect_event_error("agent.login", "\"tz\": \"../etc/passwd\"",
	    "invalid_event", "tz");
	expect_event_error("agent.login", "\"tz\": \"\"", "invalid_event",
	    "tz");
	expect_event_error("agent.login", "\"tz\": \"+01:00\"",
	    "invalid_event", "tz");
	expect_event_error("agent.login", "\"tz\": 1", "invalid_event", "tz");
}

static void
test_max_batch(void **state)
{
	struct ingest_limits	 lim = { 2, SKEW_MS };
	struct event_batch	 b;
	struct api_error	 err;
	const char		*two = "[{\"type\": \"agent.login\", "
	    "\"agent\": \"a\"}, {\"type\": \"agent.login\", \"agent\": \"b\"}]";
	const char		*two_nd = "{\"type\": \"agent.login\", "
	    "\"agent\": \"a\"}\n\n  \n{\"type\": \"agent.login\", "
	    "\"agent\": \"b\"}\n\n";
	const char		*nested;

	(void)state;
	assert_int_equal(ingest_parse(two, strlen(two), 0, &lim, NOW, &b, &err),
	    0);
	assert_int_equal(b.n, 2);
	event_batch_free(&b);
	assert_int_equal(ingest_parse(two_nd, strlen(two_nd), 1, &lim, NOW,
	    &b, &err), 0);
	assert_int_equal(b.n, 2);
	event_batch_free(&b);

	expect_error_lim("[{\"type\": \"agent.login\", \"agent\": \"a\"}, "
	    "{\"type\": \"agent.login\", \"agent\": \"b\"}, "
	    "{\"type\": \"agent.login\", \"agent\": \"c\"}]", 0, &lim, 413,
	    "too_large", -1, "");
	/* Counted before validation: three bad events are still too many. */
	expect_error_lim("[1, 2, 3]", 0, &lim, 413, "too_large", -1, "");
	expect_error_lim("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "{\"type\": \"agent.login\", \"agent\": \"b\"}\n"
	    "{\"type\": \"agent.login\", \"agent\": \"c\"}\n", 1, &lim, 413,
	    "too_large", -1, "");
	expect_error_lim("x\ny\nz\n", 1, &lim, 413, "too_large", -1, "");

	/*
	 * An array is counted before it is parsed (issue 21, item 7): a
	 * truncated one with too many elements is 413, not bad_json.
	 * Commas in strings (escaped quotes too) and in nested values do
	 * not count.
	 */
	expect_error_lim("  [{}, {}, {}, {", 0, &lim, 413, "too_large", -1,
	    "");
	expect_error_lim("[\"a\", \"b\\\"\", \"c\"", 0, &lim, 413,
	    "too_large", -1, "");
	nested = "[{\"type\": \"agent.login\", \"agent\": \"a\", "
	    "\"x\": [1, 2, 3, {\"y\": \"b,c\"}, [[], {}]]}, "
	    "{\"type\": \"agent.login\", \"agent\": \"b\", "
	    "\"id\": \"q\\\",\\\"[,,\\\\\"}]";
	assert_int_equal(ingest_parse(nested, strlen(nested), 0, &lim, NOW,
	    &b, &err), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.ev[1].id, "q\",\"[,,\\");
	event_batch_free(&b);
	assert_int_equal(ingest_parse(" [ ] ", 5, 0, &lim, NOW, &b, &err), 0);
	assert_int_equal(b.n, 0);
	event_batch_free(&b);
	expect_error_lim("[{\"type\": \"agent.login\", \"agent\": \"a\"},", 0,
	    &lim, 400, "bad_json", -1, "");
}

static void
test_ndjson(void **state)
{
	struct event_batch	 b;
	struct api_error	 err;

	(void)state;
	assert_int_equal(parse("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "\n"
	    "{\"type\": \"ticket.assigned\", \"agent\": \"a\", "
	    "\"channel\": \"phone\"}\r\n"
	    "   \t\n"
	    "{\"type\": \"agent.logout\", \"agent\": \"a\"}", 1, &b, &err), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.ev[0].type, RESPITE_EV_AGENT_LOGIN);
	assert_int_equal(b.ev[1].type, RESPITE_EV_TICKET_ASSIGNED);
	assert_int_equal(b.ev[1].channel, RESPITE_CH_PHONE);
	assert_int_equal(b.ev[2].type, RESPITE_EV_AGENT_LOGOUT);
	event_batch_free(&b);

	/* Texts borrow from the batch and stay valid until it is freed. */
	assert_int_equal(parse("{\"type\": \"message.received\", "
	    "\"agent\": \"a\", \"channel\": \"chat\", \"text\": \"one\"}\n"
	    "{\"type\": \"message.received\", \"agent\": \"a\", "
	    "\"channel\": \"chat\", \"text\": \"two\"}\n", 1, &b, &err), 0);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.ev[0].text, "one");
	assert_string_equal(b.ev[1].text, "two");
	event_batch_free(&b);

	/* Empty bodies are empty batches. */
	assert_int_equal(parse("", 1, &b, &err), 0);
	assert_int_equal(b.n, 0);
	event_batch_free(&b);
	assert_int_equal(parse("\n\n", 1, &b, &err), 0);
	assert_int_equal(b.n, 0);
	event_batch_free(&b);
}

static void
test_ndjson_errors(void **state)
{
	(void)state;
	/* index counts non-empty lines from 0. */
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "\n"
	    "{\"type\": \"agent.login\", \"agent\": \"b\"}\n"
	    "   \n"
	    "{not json}\n", 1, 400, "bad_json", 2, "");
	expect_error("\n\nnope\n", 1, 400, "bad_json", 0, "");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "{\"type\": \"agent.login\", \"agent\": \"b\"} {}\n", 1, 400,
	    "bad_json", 1, "");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "\n"
	    "{\"type\": \"agent.login\", \"agent\": \"b\", \"ts\": 1.5}\n", 1,
	    400, "invalid_event", 1, "ts");
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\"}\n"
	    "\n\n"
	    "{\"type\": \"agent.nap\", \"agent\": \"b\"}", 1, 400,
	    "unknown_type", 1, "type");
	/* A scalar or an array on one line is JSON, but not an event. */
	expect_error("{\"type\": \"agent.login\", \"agent\": \"a\"}\n42\n", 1,
	    400, "invalid_event", 1, "");
	expect_error("\"agent.login\"\n", 1, 400, "invalid_event", 0, "");
	expect_error("[{\"type\": \"agent.login\", \"agent\": \"a\"}]\n", 1,
	    400, "invalid_event", 0, "");
	/* A pretty-printed object is not NDJSON. */
	expect_error("{\n\"type\": \"agent.login\", \"agent\": \"a\"\n}\n", 1,
	    400, "bad_json", 0, "");
}

static void
test_ingest_event_direct(void **state)
{
	struct respite_event	 ev;
	struct api_error	 err;
	json_t			*o;

	(void)state;
	o = json_pack("{s:s, s:s, s:s, s:I}", "type", "message.flagged",
	    "agent", "carol", "channel", "social", "ts",
	    (json_int_t)1795342000000LL);
	memset(&err, 0, sizeof err);
	assert_int_equal(ingest_event(o, 7, &limits, NOW, &ev, &err), -1);
	assert_string_equal(err.code, "invalid_event");
	assert_int_equal(err.status, 400);
	assert_int_equal(err.index, 7);
	assert_string_equal(err.field, "severity");
	assert_string_equal(err.message,
	    "events[7].severity: is required for message.flagged");
	json_object_set_new(o, "severity", json_real(0.75));
	assert_int_equal(ingest_event(o, 7, &limits, NOW, &ev, &err), 0);
	assert_int_equal(ev.type, RESPITE_EV_MESSAGE_FLAGGED);
	assert_int_equal(ev.channel, RESPITE_CH_SOCIAL);
	assert_int_equal(ev.ts_ms, 1795342000000LL);
	assert_near(ev.severity, 0.75);
	json_decref(o);

	o = json_array();
	assert_int_equal(ingest_event(o, 3, &limits, NOW, &ev, &err), -1);
	assert_string_equal(err.code, "invalid_event");
	assert_int_equal(err.index, 3);
	assert_string_equal(err.field, "");
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_object),
		cmocka_unit_test(test_defaults_for_absent_fields),
		cmocka_unit_test(test_array_body),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_agent_and_team),
		cmocka_unit_test(test_id_and_ticket),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_ts_skew_limit),
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_tz),
		cmocka_unit_test(test_max_batch),
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_ndjson_errors),
		cmocka_unit_test(test_ingest_event_direct),
	};

	return (cmocka_run_group_tests_name("ingest", tests, NULL, NULL));
}
