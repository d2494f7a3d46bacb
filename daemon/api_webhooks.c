/*
 * respite - POST /v1/webhooks/NAME: helpdesk webhooks (API.md).
 *
 * The adapter plugin NAME (plugin.h, kind adapter) gets the raw body, the
 * request's headers on demand and the time of receipt, checks the
 * vendor's signature, and emits normalized events.  Each emitted event is
 * written as the JSON object of POST /v1/events and validated by
 * ingest_event(), so a webhook event obeys exactly the rules of an event
 * posted directly; from there the path is the same: classifiers score any
 * message text, which is dropped at once, and the group commit stores the
 * batch before the 202 {"accepted", "duplicates", "ignored"} goes out.
 *
 * A payload the adapter cannot use is answered 202 with ignored 1 (and
 * its reason), so the helpdesk does not retry it; a bad signature is 401,
 * a body that is not the vendor's JSON 400 bad_json, an emitted event
 * that fails validation 400 invalid_event, and nothing of such a request
 * is stored.
 *
 * Helpdesks cannot always send "Authorization: Bearer": on this route the
 * token may also come as the password of HTTP Basic authentication or as
 * ?token= in the URL (api_webhook_credential()).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "api_handlers.h"
#include "event.h"
#include "ingest.h"
#include "log.h"
#include "plugins.h"
#include "stats.h"
#include "timeutil.h"
#include "xmalloc.h"

#define WEBHOOK_PREFIX		"/v1/webhooks"
#define WEBHOOK_CRED_MAX	512

static const char R_WEBHOOK[] = "/v1/webhooks/{adapter}";

/* One request while its adapter works on it. */
struct webhook_call {
	struct respite_webhook		 req;
	const struct http_request	*http;
	struct ingest_limits		 lim;
	int64_t				 now;
	struct event_batch		 batch;
	size_t				 cap;
	int				 failed;
	struct api_error		 err;
};

/* A webhook's events waiting for their group commit. */
struct webhook_pending {
	struct http_conn	*conn;
};

/* Is path this route ("/v1/webhooks" or below)? */
static int
is_webhook_path(const char *path)
{
	size_t	n = strlen(WEBHOOK_PREFIX);

	return (strncmp(path, WEBHOOK_PREFIX, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/'));
}

/*
 * The credential api_handle() gives auth_check(): the Authorization
 * header, except on /v1/webhooks/ where "Basic" with the token as its
 * password, or ?token=TOKEN without any Authorization, become "Bearer
 * TOKEN" (buf holds it).  Returns a borrowed string or NULL.
 */
const char *
api_webhook_credential(const struct http_request *req, char *buf, size_t len)
{
	struct base64_decode_ctx	 ctx;
	const char			*h = http_header_get(req, "Authorization");
	const char			*b64, *colon;
	uint8_t				 dec[WEBHOOK_CRED_MAX];
	size_t				 n = sizeof dec - 1, blen;

	if (!is_webhook_path(req->path))
		return (h);
	if (h != NULL && strncasecmp(h, "Basic ", 6) == 0) {
		b64 = h + 6;
		while (*b64 == ' ')
			b64++;
		blen = strlen(b64);
		if (blen > 0 && BASE64_DECODE_LENGTH(blen) <= sizeof dec - 1) {
			base64_decode_init(&ctx);
			if (base64_decode_update(&ctx, &n, dec, blen, b64) &&
			    base64_decode_final(&ctx)) {
				dec[n] = '\0';
				if ((colon = memchr(dec, ':', n)) != NULL &&
				    strlen(colon + 1) == n - (size_t)((
				    const uint8_t *)colon - dec) - 1)
					snprintf(buf, len, "Bearer %s",
					    colon + 1);
				else
					snprintf(buf, len, "Bearer ");
				explicit_bzero(dec, sizeof dec);
				return (buf);
			}
		}
		return (h);
	}
	if (h == NULL && len > 7) {
		memcpy(buf, "Bearer ", 7);
		if (http_query_get(req->query, "token", buf + 7, len - 7) == 1)
			return (buf);
	}
	return (h);
}

static const char *
header_cb(const struct respite_webhook *req, const char *name)
{
	const struct webhook_call	*call = req->daemon;

	return (http_header_get(call->http, name));
}

static int
put_string(json_t *o, const char *key, const char *s, size_t max,
    struct api_error *err, long index)
{
	size_t	n = strnlen(s, max + 1);
	json_t	*v;

	if (n == 0)
		return (0);
	if (n > max || (v = json_stringn(s, n)) == NULL) {
		api_error_set(err, 400, "invalid_event", index, key,
		    "events[%ld].%s: the adapter gave no valid UTF-8 string of "
		    "at most %zu bytes", index, key, max);
		return (-1);
	}
	json_object_set_new(o, key, v);
	return (0);
}

/*
 * An adapter's event as the JSON object of POST /v1/events (new
 * reference), or NULL with err set.  ts_ms 0 means the time of receipt.
 */
static json_t *
event_json(const struct respite_event *ev, long index, struct api_error *err)
{
	json_t		*o, *cats, *t;
	unsigned int	 bit;

	o = json_object();
	if (ev->type > RESPITE_EV_NONE && ev->type < RESPITE_EV_COUNT)
		json_object_set_new(o, "type",
		    json_string(event_type_name(ev->type)));
	if (put_string(o, "id", ev->id, RESPITE_ID_MAX, err, index) == -1 ||
	    put_string(o, "agent", ev->agent, RESPITE_NAME_MAX, err,
	    index) == -1 ||
	    put_string(o, "team", ev->team, RESPITE_NAME_MAX, err,
	    index) == -1 ||
	    put_string(o, "ticket", ev->ticket, RESPITE_ID_MAX, err,
	    index) == -1 ||
	    put_string(o, "lang", ev->lang, RESPITE_LANG_MAX, err,
	    index) == -1 ||
	    put_string(o, "tz", ev->tz, RESPITE_TZ_MAX, err, index) == -1)
		goto fail;
	if (ev->ts_ms > 0)
		json_object_set_new(o, "ts", json_integer(ev->ts_ms));
	if (ev->channel > RESPITE_CH_NONE && ev->channel < RESPITE_CH_COUNT)
		json_object_set_new(o, "channel",
		    json_string(event_channel_name(ev->channel)));
	if (ev->duration_s >= 0)
		json_object_set_new(o, "duration_s", json_real(ev->duration_s));
	if (ev->severity >= 0)
		json_object_set_new(o, "severity", json_real(ev->severity));
	if (ev->categories != 0) {
		cats = json_array();
		for (bit = 1; bit != 0 && bit <= ev->categories; bit <<= 1)
			if ((ev->categories & bit) != 0 &&
			    event_category_name(bit) != NULL)
				json_array_append_new(cats,
				    json_string(event_category_name(bit)));
		json_object_set_new(o, "categories", cats);
	}
	if (ev->text != NULL) {
		if (ev->text_len > RESPITE_TEXT_MAX ||
		    (t = json_stringn(ev->text, ev->text_len)) == NULL) {
			api_error_set(err, 400, "invalid_event", index, "text",
			    "events[%ld].text: the adapter gave no valid "
			    "UTF-8 of at most %d bytes", index,
			    RESPITE_TEXT_MAX);
			goto fail;
		}
		json_object_set_new(o, "text", t);
	}
	return (o);

fail:
	json_decref(o);
	return (NULL);
}

/* req->emit: validate one event into the batch, as POST /v1/events does. */
static int
emit_cb(const struct respite_webhook *req, const struct respite_event *ev,
    char **error)
{
	struct webhook_call	*call = req->daemon;
	struct event_batch	*b = &call->batch;
	json_t			*o;
	long			 index = (long)b->n;

	if (call->failed)
		return (respite_error(error, "an earlier event of this "
		    "payload was refused: %s", call->err.message));
	if (b->n >= call->lim.max_batch) {
		api_error_set(&call->err, 413, "too_large", -1, NULL,
		    "the payload gives more than %zu events (max_batch)",
		    call->lim.max_batch);
		call->failed = 1;
		return (respite_error(error, "%s", call->err.message));
	}
	if ((o = event_json(ev, index, &call->err)) == NULL) {
		call->failed = 1;
		return (respite_error(error, "%s", call->err.message));
	}
	json_array_append_new(b->keep, o);
	if (b->n == call->cap) {
		call->cap = call->cap != 0 ? call->cap * 2 : 4;
		b->ev = xreallocarray(b->ev, call->cap, sizeof *b->ev);
	}
	if (ingest_event(o, index, &call->lim, call->now, &b->ev[b->n],
	    &call->err) == -1) {
		call->failed = 1;
		return (respite_error(error, "%s", call->err.message));
	}
	b->n++;
	return (0);
}

static void
webhook_done_cb(const struct commit_result *r, void *arg)
{
	struct webhook_pending	*p = arg;
	size_t			 i;

	if (r->ok != 0 && r->message != NULL)
		api_fail(p->conn, R_WEBHOOK, 503, "unavailable", NULL, "%s",
		    r->message);
	else if (r->ok != 0)
		api_fail(p->conn, R_WEBHOOK, 503, "unavailable", NULL,
		    "storage is failing; nothing of this webhook was stored, "
		    "retry later");
	else {
		for (i = 0; i < r->duplicates; i++)
			stats_duplicate();
		api_reply_json(p->conn, R_WEBHOOK, 202, json_pack(
		    "{s:I, s:I, s:i}", "accepted", (json_int_t)r->accepted,
		    "duplicates", (json_int_t)r->duplicates, "ignored", 0));
	}
	free(p);
}

/* Split "/v1/webhooks/NAME[/REST]"; 0, or -1 if NAME is no plugin name. */
static int
webhook_name(const char *path, char *name, size_t len, const char **rest)
{
	const char	*p = path + strlen(WEBHOOK_PREFIX), *slash;
	size_t		 n, i;

	if (*p != '/')
		return (-1);
	p++;
	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= len || n > 64)
		return (-1);
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		    p[i] == '-'))
			return (-1);
	memcpy(name, p, n);
	name[n] = '\0';
	*rest = slash != NULL ? slash : "";
	return (0);
}

/* The route: POST /v1/webhooks/NAME (api_handle() has authenticated). */
void
api_webhook(struct api *api, struct http_conn *c,
    const struct http_request *req, const char *body, size_t len,
    int64_t now)
{
	struct webhook_call	 call;
	struct api_error	 err;
	struct webhook_pending	*p;
	char			 name[72], *error = NULL;
	const char		*rest = "";
	int			 status;

	if (strcmp(req->method, "POST") != 0) {
		api_method_not_allowed(c, R_WEBHOOK, "POST");
		return;
	}
	if (!auth_may_ingest(&api->who)) {
		api_forbidden(c, R_WEBHOOK, "only ingest and admin tokens may "
		    "post webhooks");
		return;
	}
	if (webhook_name(req->path, name, sizeof name, &rest) == -1 ||
	    !plugins_has_adapter(api->plugins, name)) {
		if (strcmp(req->path, WEBHOOK_PREFIX) == 0 ||
		    strcmp(req->path, WEBHOOK_PREFIX "/") == 0)
			api_fail(c, R_WEBHOOK, 404, "not_found", NULL,
			    "name the adapter: POST /v1/webhooks/NAME");
		else
			api_fail(c, R_WEBHOOK, 404, "not_found", NULL,
			    "no webhook adapter \"%.64s\" is loaded ([plugins] "
			    "load)", req->path + strlen(WEBHOOK_PREFIX "/"));
		return;
	}

	memset(&call, 0, sizeof call);
	call.req.method = req->method;
	call.req.path = rest;
	call.req.query = req->query;
	call.req.body = body != NULL ? body : "";
	call.req.body_len = body != NULL ? len : 0;
	call.req.now_ms = now;
	call.req.header = header_cb;
	call.req.emit = emit_cb;
	call.req.daemon = &call;
	call.http = req;
	call.now = now;
	call.lim.max_batch = api->cf->max_batch;
	call.lim.max_skew_ms = (int64_t)api->cf->max_clock_skew_s * 1000;
	call.batch.keep = json_array();

	status = plugins_webhook(api->plugins, name, &call.req, &error);
	if (status == RESPITE_WEBHOOK_UNAUTHORIZED) {
		log_info("webhook %s: %s: refused: %s", name,
		    http_conn_peer(c), error != NULL ? error :
		    "bad signature");
		api_fail(c, R_WEBHOOK, 401, "unauthorized", NULL, "%s",
		    error != NULL ? error : "the webhook's signature does not "
		    "match");
	} else if (status == -2 || status == -1)
		api_fail(c, R_WEBHOOK, 500, "internal", NULL, "the %s adapter "
		    "failed", name);
	else if (call.failed) {
		log_debug("webhook %s: %s: rejected: %s", name,
		    http_conn_peer(c), call.err.code);
		api_reply_error(c, R_WEBHOOK, &call.err);
	} else if (status == RESPITE_WEBHOOK_BAD) {
		log_debug("webhook %s: %s: rejected: bad_json", name,
		    http_conn_peer(c));
		api_fail(c, R_WEBHOOK, 400, "bad_json", NULL, "%s",
		    error != NULL ? error : "the payload cannot be read");
	} else if (call.batch.n == 0) {
		json_t	*o;

		log_debug("webhook %s: %s: ignored: %s", name,
		    http_conn_peer(c), error != NULL ? error : "no events");
		o = json_pack("{s:i, s:i, s:i}", "accepted", 0, "duplicates",
		    0, "ignored", 1);
		if (error != NULL)
			json_object_set_new(o, "reason", json_string(error));
		api_reply_json(c, R_WEBHOOK, 202, o);
	} else if (api_batch_within_limits(api, &call.batch, &err) == -1) {
		api_reply_error(c, R_WEBHOOK, &err);
	} else {
		log_debug("webhook %s: %s: %zu events", name,
		    http_conn_peer(c), call.batch.n);
		/* Score message text, then drop it: it never reaches storage. */
		plugins_classify_batch(api->plugins, &call.batch);
		p = xcalloc(1, sizeof *p);
		p->conn = c;
		api_submit(api, &call.batch, webhook_done_cb, p);
	}
	free(error);
	event_batch_free(&call.batch);
}

/* ------------------------------------------------------------ sources */

/* A source's batch once committed: only a failure is worth a line. */
static void
source_done_cb(const struct commit_result *r, void *arg)
{
	char	*name = arg;
	size_t	 i;

	if (r->ok != 0)
		log_warnx("source %s: storage failed, events lost: %s", name,
		    r->cause != NULL ? r->cause : "unknown cause");
	else {
		for (i = 0; i < r->duplicates; i++)
			stats_duplicate();
		log_debug("source %s: %zu events stored, %zu duplicates",
		    name, r->accepted, r->duplicates);
	}
	free(name);
}

/*
 * A source plugin's events (plugin.h, struct respite_source's submit;
 * set up with plugins_set_submit()): validated as one batch of POST
 * /v1/events, exactly as a webhook's, classified, then committed.
 * Returns 0 once submitted, or -1 with a new message in *error.
 */
int
api_source_submit(void *arg, const char *name, const struct respite_event *ev,
    size_t n, char **error)
{
	struct api		*api = arg;
	struct webhook_call	 call;
	struct api_error	 err;
	size_t			 i;

	memset(&call, 0, sizeof call);
	call.req.daemon = &call;
	call.now = time_now_ms();
	call.lim.max_batch = api->cf->max_batch;
	call.lim.max_skew_ms = (int64_t)api->cf->max_clock_skew_s * 1000;
	call.batch.keep = json_array();
	for (i = 0; i < n; i++)
		if (emit_cb(&call.req, &ev[i], error) == -1) {
			event_batch_free(&call.batch);
			return (-1);
		}
	if (api_batch_within_limits(api, &call.batch, &err) == -1) {
		event_batch_free(&call.batch);
		return (respite_error(error, "%s", err.message));
	}
	plugins_classify_batch(api->plugins, &call.batch);
	/* In cluster mode through the stream, like a webhook's. */
	api_submit(api, &call.batch, source_done_cb, xstrdup(name));
	event_batch_free(&call.batch);
	return (0);
}
