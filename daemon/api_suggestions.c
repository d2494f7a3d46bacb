/*
 * respite - GET /v1/suggestions and POST /v1/suggestions/{id}.
 *
 * Lists come from the suggestions table (every change is written there
 * before anyone can see it), newest first, with an opaque cursor that is
 * the id below which the next page starts.  Answers change the advisor's
 * state and go through the group commit like any write: the reply is
 * sent once the change, and the break an accept starts, are durable.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "event.h"
#include "ingest.h"
#include "suggest.h"
#include "xmalloc.h"

#define LIST_DEFAULT	100
#define LIST_MAX	1000

struct list_ctx {
	json_t		*arr;
	int		 limit;
	int64_t		 last;
	int		 more;
};

static int
list_cb(const char *body, void *arg)
{
	struct list_ctx	*lc = arg;
	json_t		*o;
	char		 id[64];

	if ((int)json_array_size(lc->arr) == lc->limit) {
		lc->more = 1;
		return (1);
	}
	if ((o = json_loads(body, 0, NULL)) == NULL)
		return (0);
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(o,
	    "id")) != NULL ? json_string_value(json_object_get(o, "id")) : "");
	lc->last = sugg_parse_id(id);
	json_array_append_new(lc->arr, o);
	return (0);
}

void
api_suggestions_list(struct api *api, struct http_conn *c,
    const struct http_request *req, int64_t now)
{
	struct store_sugg_query	 q;
	struct list_ctx		 lc;
	char			 agent[RESPITE_NAME_MAX + 2], team[RESPITE_NAME_MAX + 2];
	char			 status[16], kind[32], audience[16], buf[32];
	char			*cause = NULL, *end;
	int			 rc;
	long			 v;

	(void)now;
	memset(&q, 0, sizeof q);
	q.since_ms = -1;
	q.limit = LIST_DEFAULT;
	if ((rc = http_query_get(req->query, "agent", agent, sizeof agent)) == -1 ||
	    (rc == 1 && !event_name_valid(agent))) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "agent",
		    "agent: must be 1-64 chars of [A-Za-z0-9._@-]");
		return;
	}
	q.agent = rc == 1 ? agent : NULL;
	if ((rc = http_query_get(req->query, "team", team, sizeof team)) == -1 ||
	    (rc == 1 && !event_name_valid(team))) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "team",
		    "team: must be 1-64 chars of [A-Za-z0-9._@-]");
		return;
	}
	q.team = rc == 1 ? team : NULL;
	if ((rc = http_query_get(req->query, "status", status,
	    sizeof status)) == -1 || (rc == 1 && sugg_status_parse(status) < 0)) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "status",
		    "status: must be open, accepted, snoozed, dismissed or "
		    "expired");
		return;
	}
	q.status = rc == 1 ? status : NULL;
	if ((rc = http_query_get(req->query, "kind", kind, sizeof kind)) == -1 ||
	    (rc == 1 && sugg_kind_parse(kind) < 0)) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "kind",
		    "kind: must be micro_break, rest_break, recovery_break, "
		    "rebalance or team_overload");
		return;
	}
	q.kind = rc == 1 ? kind : NULL;
	if ((rc = http_query_get(req->query, "audience", audience,
	    sizeof audience)) == -1 || (rc == 1 && strcmp(audience, "agent") != 0 &&
	    strcmp(audience, "lead") != 0)) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request",
		    "audience", "audience: must be agent or lead");
		return;
	}
	q.audience = rc == 1 ? audience : NULL;
	if (api_query_time(req->query, "since", &q.since_ms) == -1) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "since",
		    "since: must be an RFC 3339 time or epoch milliseconds");
		return;
	}
	if ((rc = http_query_get(req->query, "limit", buf, sizeof buf)) != 0) {
		v = rc == 1 ? strtol(buf, &end, 10) : 0;
		if (rc == -1 || *buf == '\0' || *end != '\0' || v < 1 ||
		    v > LIST_MAX) {
			api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request",
			    "limit", "limit: must be 1 to %d", LIST_MAX);
			return;
		}
		q.limit = (int)v;
	}
	if ((rc = http_query_get(req->query, "cursor", buf, sizeof buf)) != 0) {
		if (rc == -1 || (q.before = sugg_parse_id(buf)) <= 0) {
			api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request",
			    "cursor", "cursor: not a cursor this server gave");
			return;
		}
	}

	memset(&lc, 0, sizeof lc);
	lc.arr = json_array();
	lc.limit = q.limit;
	q.limit++;	/* one more tells whether there is a next page */
	if (store_suggestions_list(api->store, &q, list_cb, &lc, &cause) < 0) {
		json_decref(lc.arr);
		api_fail(c, API_R_SUGGESTIONS, 503, "unavailable", NULL,
		    "storage is failing");
		free(cause);
		return;
	}
	if (lc.more) {
		sugg_format_id(lc.last, buf, sizeof buf);
		api_reply_json(c, API_R_SUGGESTIONS, 200, json_pack("{s:o, s:s}",
		    "suggestions", lc.arr, "next_cursor", buf));
	} else
		api_reply_json(c, API_R_SUGGESTIONS, 200, json_pack("{s:o, s:n}",
		    "suggestions", lc.arr, "next_cursor"));
}

struct answer {
	struct http_conn	*conn;
	struct suggestion	 sugg;
};

static void
answer_done_cb(const struct commit_result *r, void *arg)
{
	struct answer	*an = arg;

	if (r->ok != 0)
		api_fail(an->conn, API_R_SUGGESTION, 503, "unavailable", NULL,
		    "storage is failing; retry later");
	else
		api_reply_json(an->conn, API_R_SUGGESTION, 200,
		    sugg_json(&an->sugg));
	free(an);
}

void
api_suggestion_answer(struct api *api, struct http_conn *c, const char *id,
    const char *body, size_t len, int64_t now)
{
	struct event_batch	 batch;
	struct answer		*an;
	struct api_error	 err;
	struct agent		*a;
	json_error_t		 je;
	json_t			*o, *v;
	const char		*action;
	int64_t			 seq;
	int			 minutes = 0, start_break;

	if ((seq = sugg_parse_id(id)) <= 0) {
		api_fail(c, API_R_SUGGESTION, 404, "not_found", NULL,
		    "no suggestion \"%.64s\"", id);
		return;
	}
	if ((o = json_loadb(body, len, 0, &je)) == NULL) {
		api_fail(c, API_R_SUGGESTION, 400, "bad_json", NULL,
		    "line %d, column %d: %s", je.line, je.column, je.text);
		return;
	}
	v = json_is_object(o) ? json_object_get(o, "action") : NULL;
	action = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(action, "accept") != 0 && strcmp(action, "dismiss") != 0 &&
	    strcmp(action, "snooze") != 0) {
		json_decref(o);
		api_fail(c, API_R_SUGGESTION, 400, "invalid_request", "action",
		    "action: must be accept, dismiss or snooze");
		return;
	}
	if ((v = json_object_get(o, "minutes")) != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > api->ap.snooze_max_min) {
			json_decref(o);
			api_fail(c, API_R_SUGGESTION, 400, "invalid_request",
			    "minutes", "minutes: must be an integer from 1 to %d",
			    api->ap.snooze_max_min);
			return;
		}
		minutes = (int)json_integer_value(v);
	}
	an = xcalloc(1, sizeof *an);
	if (advise_answer(api->advise, seq, action, minutes, now, &an->sugg,
	    &start_break, &err) == -1) {
		json_decref(o);
		free(an);
		if (err.status == 404 && store_suggestion_exists(api->store, seq))
			api_error_set(&err, 409, "conflict", -1, "action",
			    "suggestion %s is no longer open", id);
		else if (err.status == 404)
			api_error_set(&err, 404, "not_found", -1, NULL,
			    "no suggestion \"%.64s\"", id);
		api_reply_error(c, API_R_SUGGESTION, &err);
		return;
	}
	json_decref(o);
	an->conn = c;
	memset(&batch, 0, sizeof batch);
	/* Accepting a break starts it, if the agent is at work. */
	if (start_break && (a = agents_get(api->agents, an->sugg.agent)) !=
	    NULL && agent_status(a) == AGENT_WORKING)
		api_break_batch(&batch, a, RESPITE_EV_BREAK_START, now);
	commit_submit(api->commit, &batch, answer_done_cb, an);
}
