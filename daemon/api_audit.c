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

#define AUDIT_DEFAULT	100
#define AUDIT_MAX	1000

struct audit_ctx {
	json_t		*arr;
	int		 limit;
	int64_t		 last;
	int		 more;
};

static int
audit_cb(int64_t seq, json_t *o, void *arg)
{
	struct audit_ctx	*ac = arg;
	json_t			*ts;

	if ((int)json_array_size(ac->arr) == ac->limit) {
		ac->more = 1;
		json_decref(o);
		return (1);
	}
	ts = api_time(json_integer_value(json_object_get(o, "ts")));
	json_object_set_new(o, "ts", ts);
	json_object_set_new(o, "id", json_integer(seq));
	json_array_append_new(ac->arr, o);
	ac->last = seq;
	return (0);
}

void
api_audit_list(struct api *api, struct http_conn *c,
    const struct http_request *req)
{
	struct audit_ctx	 ac;
	char			 who[RESPITE_NAME_MAX + 2], buf[32];
	char			*cause = NULL;
	int64_t			 since = 0, before = 0, v;
	int			 has_who;

	memset(&ac, 0, sizeof ac);
	ac.limit = AUDIT_DEFAULT;
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
	v = ac.limit;
	if (query_int(req->query, "limit", 1, AUDIT_MAX, &v) == -1) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "limit",
		    "limit: must be 1 to %d", AUDIT_MAX);
		return;
	}
	ac.limit = (int)v;
	if (query_int(req->query, "cursor", 1, INT64_MAX, &before) == -1) {
		api_fail(c, API_R_AUDIT, 400, "invalid_request", "cursor",
		    "cursor: not a cursor this server gave");
		return;
	}
	ac.arr = json_array();
	if (store_audit_list(api->store, has_who == 1 ? who : NULL, since,
	    before, ac.limit + 1, audit_cb, &ac, &cause) < 0) {
		json_decref(ac.arr);
		free(cause);
		api_fail(c, API_R_AUDIT, 503, "unavailable", NULL,
		    "storage is failing");
		return;
	}
	if (ac.more) {
		snprintf(buf, sizeof buf, "%lld", (long long)ac.last);
		api_reply_json(c, API_R_AUDIT, 200, json_pack("{s:o, s:s}",
		    "audit", ac.arr, "next_cursor", buf));
	} else
		api_reply_json(c, API_R_AUDIT, 200, json_pack("{s:o, s:n}",
		    "audit", ac.arr, "next_cursor"));
}
