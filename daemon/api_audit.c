/*
 * respite - GET /v1/audit: who read whose individual data, and when.
 *
 * Admin only.  Every read of an individual agent's data by a lead or an
 * admin (an agent object, its history, agent and suggestion lists, a
 * stream) is recorded by api_audit(); this lists the records newest first
 * with ?who=LABEL&since=TIME&limit=N&cursor=C.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "event.h"
#include "query.h"
#include "xmalloc.h"

#define AUDIT_DEFAULT	100
#define AUDIT_MAX	1000

/* Records read from the store at a time while a list is written. */
#define AUDIT_FETCH	128

/*
 * The audit list, written a record at a time as the client reads
 * (http_reply_pieces()), read from the store AUDIT_FETCH records at a
 * time below the last one listed.
 */
struct audit_reply {
	struct api	*api;
	char		 who[RESPITE_NAME_MAX + 2];	/* "": anyone */
	int64_t		 since, before;
	int		 limit, count;
	json_t		*batch;		/* read, not yet written */
	size_t		 next, want;	/* in batch */
	int		 beyond;	/* a record after the want */
	int		 stage;		/* 0 head, 1 list, 2 done */
};

static int
audit_cb(int64_t seq, json_t *o, void *arg)
{
	struct audit_reply	*ar = arg;
	json_t			*ts;

	ts = api_time(json_integer_value(json_object_get(o, "ts")));
	json_object_set_new(o, "ts", ts);
	json_object_set_new(o, "id", json_integer(seq));
	json_array_append_new(ar->batch, o);
	return (0);
}

static int
audit_fetch(struct audit_reply *ar)
{
	char	*cause = NULL;
	size_t	 want = (size_t)(ar->limit - ar->count);

	if (want > AUDIT_FETCH)
		want = AUDIT_FETCH;
	json_array_clear(ar->batch);
	ar->next = 0;
	if (store_audit_list(ar->api->store, ar->who[0] != '\0' ? ar->who :
	    NULL, ar->since, ar->before, (int)want + 1, audit_cb, ar,
	    &cause) < 0) {
		free(cause);
		return (-1);
	}
	ar->beyond = json_array_size(ar->batch) > want;
	ar->want = ar->beyond ? want : json_array_size(ar->batch);
	return (0);
}

static int
audit_fill(struct http_conn *c, void *arg)
{
	struct audit_reply	*ar = arg;
	json_t			*o;

	switch (ar->stage) {
	case 0:
		http_piece_add(c, "{\"audit\":[", 10);
		ar->stage = 1;
		return (1);
	case 1:
		break;
	default:
		return (0);
	}
	if (ar->next == ar->want && ar->beyond && ar->count < ar->limit &&
	    audit_fetch(ar) == -1)
		return (-1);
	if (ar->next == ar->want) {
		if (ar->beyond)
			http_piece_printf(c, "],\"next_cursor\":\"%lld\"}",
			    (long long)ar->before);
		else
			http_piece_add(c, "],\"next_cursor\":null}", 21);
		ar->stage = 2;
		return (0);
	}
	o = json_array_get(ar->batch, ar->next++);
	if (ar->count++ > 0)
		http_piece_add(c, ",", 1);
	http_piece_json(c, o);
	ar->before = json_integer_value(json_object_get(o, "id"));
	return (1);
}

static void
audit_reply_free(void *arg)
{
	struct audit_reply	*ar = arg;

	json_decref(ar->batch);
	free(ar);
}

void
api_audit_list(struct api *api, struct http_conn *c,
    const struct http_request *req)
{
	struct audit_reply	*ar;
	char			 who[RESPITE_NAME_MAX + 2];
	int64_t			 since = 0, before = 0, v;
	int			 has_who, limit = AUDIT_DEFAULT;

	has_who = http_query_get(req->query, "who", who, sizeof who);
	if (has_who == -1 || (has_who == 1 && !event_name_valid(who) &&
	    strcmp(who, "(open mode)") != 0)) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "who",
		    "who: a token label");
		return;
	}
	if (api_query_time(req->query, "since", &since) == -1) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "since",
		    "since: must be an RFC 3339 time or epoch milliseconds");
		return;
	}
	v = limit;
	if (query_int(req->query, "limit", 1, AUDIT_MAX, &v) == -1) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "limit",
		    "limit: must be 1 to %d", AUDIT_MAX);
		return;
	}
	limit = (int)v;
	if (query_int(req->query, "cursor", 1, INT64_MAX, &before) == -1) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "cursor",
		    "cursor: not a cursor this server gave");
		return;
	}
	ar = xcalloc(1, sizeof *ar);
	ar->api = api;
	if (has_who == 1)
		snprintf(ar->who, sizeof ar->who, "%s", who);
	ar->since = since;
	ar->before = before;
	ar->limit = limit;
	ar->batch = json_array();
	/* The first records now: a failing store is still a 503. */
	if (audit_fetch(ar) == -1) {
		audit_reply_free(ar);
		api_fail(c, API_R_AUDIT, 503, "unavailable", NULL,
		    "storage is failing");
		return;
	}
	api_reply_pieces(c, API_R_AUDIT, audit_fill, audit_reply_free, ar);
}
