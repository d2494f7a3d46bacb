/*
 * respite - POST /v1/events (API.md): a batch parsed and checked
 * (ingest.c), classified by the plugins, handed to the group commit
 * (commit.c) and answered only from its callback, once durable; and the
 * commit's callback that applies each stored event to the model.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_handlers.h"
#include "commit.h"
#include "ingest.h"
#include "log.h"
#include "plugins.h"
#include "stats.h"
#include "xmalloc.h"

#define R_EVENTS API_R_EVENTS
#define fail api_fail
#define reply_error api_reply_error_hdr

/* Apply a newly committed event to the model (commit_apply_cb). */
void
api_apply_cb(const struct respite_event *ev, void *arg)
{
	struct api	*api = arg;

	stats_event(ev->type);
	/* The aggregate snapshot is of the model before the event. */
	api_teams_clock(api, ev->ts_ms > ev->received_ms ? ev->ts_ms :
	    ev->received_ms);
	days_event(api->days, ev);
	advise_event(api->advise, ev);
}

static void
events_done_cb(const struct commit_result *r, void *arg)
{
	struct api_pending	*p = arg;

	if (r->ok != 0 && r->message != NULL)
		fail(p->conn, p->route, 503, "unavailable", NULL, "%s",
		    r->message);
	else if (r->ok != 0)
		fail(p->conn, p->route, 503, "unavailable", NULL,
		    "storage is failing; nothing of this request was stored, "
		    "retry later");
	else {
		size_t	i;

		for (i = 0; i < r->duplicates; i++)
			stats_duplicate();
		char	buf[96];
		int	n;

		/* The most frequent reply: no JSON object for it. */
		n = snprintf(buf, sizeof buf, "{\"accepted\":%zu,"
		    "\"duplicates\":%zu}", r->accepted, r->duplicates);
		stats_http(p->route, 202);
		http_reply(p->conn, 202, "application/json; charset=utf-8",
		    buf, (size_t)n, NULL);
	}
	free(p);
}

static int
is_ndjson(const struct http_request *req)
{
	const char	*ct = http_header_get(req, "Content-Type");

	if (ct == NULL)
		return (0);
	return (strncasecmp(ct, "application/x-ndjson", 20) == 0 ||
	    strncasecmp(ct, "application/ndjson", 18) == 0 ||
	    strncasecmp(ct, "application/jsonl", 17) == 0 ||
	    strncasecmp(ct, "application/x-jsonlines", 23) == 0);
}

void
api_events_post(struct api *api, struct http_conn *c,
    const struct http_request *req, const char *body, size_t len,
    int64_t now)
{
	struct ingest_limits	 lim;
	struct event_batch	 batch;
	struct api_error	 err;
	struct api_pending		*p;

	lim.max_batch = api->cf->max_batch;
	lim.max_skew_ms = (int64_t)api->cf->max_clock_skew_s * 1000;
	if (ingest_parse(body, len, is_ndjson(req), &lim, now, &batch,
	    &err) == -1) {
		log_debug("events: %s: rejected: %s", http_conn_peer(c),
		    err.code);
		reply_error(c, R_EVENTS, &err, NULL);
		return;
	}
	if (api_batch_within_limits(api, &batch, &err) == -1) {
		reply_error(c, R_EVENTS, &err, NULL);
		event_batch_free(&batch);
		return;
	}
	/* Score message text, then drop it: it never reaches storage. */
	plugins_classify_batch(api->plugins, &batch);
	p = xcalloc(1, sizeof *p);
	p->api = api;
	p->conn = c;
	p->route = R_EVENTS;
	api_submit(api, &batch, events_done_cb, p);
}
