/*
 * respite - GET /v1/suggestions and POST /v1/suggestions/{id}.
 *
 * Lists come from the suggestions table (every change is written there
 * before anyone can see it), newest first, with an opaque cursor that is
 * the id below which the next page starts.  Answers change the advisor's
 * state and go through the group commit like any write: the reply is
 * sent once the change, and the break an accept starts, are durable.
 * In cluster mode an answer is published to the stream instead
 * (api->answer) and every node applies it where the stream has it
 * (api_answer_apply()), at the answering node's time; the answering
 * node replies once it applied it too (read-your-writes).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "auth.h"
#include "event.h"
#include "ingest.h"
#include "query.h"
#include "suggest.h"
#include "xmalloc.h"

#define LIST_DEFAULT	100
#define LIST_MAX	1000

static void
strlcat_safe(char *dst, const char *src, size_t size)
{
	size_t	n = strlen(dst);

	if (n + 1 < size)
		snprintf(dst + n, size - n, "%s", src);
}

/* Rows read from the store at a time while a list is written. */
#define LIST_FETCH	64

/*
 * A list of suggestions, written one at a time as the client reads
 * (http_reply_pieces()): the store is read LIST_FETCH rows at a time,
 * each read going on below the last suggestion listed.  The query's
 * strings are copies.
 */
struct sugg_reply {
	struct api		*api;
	struct store_sugg_query	 q;
	char			 agent[RESPITE_NAME_MAX + 2];
	char			 team[RESPITE_NAME_MAX + 2];
	char			 status[16], kind[32], audience[16];
	char			 teams[TOKEN_TEAMS_MAX * 66 + 2];
	int			 limit, count;
	int			 aggregate;	/* a lead in aggregate mode */
	int64_t			 last;		/* the last listed, -1 none */
	json_t			*batch;		/* read, not yet written */
	size_t			 next;		/* in batch */
	size_t			 want;		/* of batch, to be written */
	int			 beyond;	/* a row after the want */
	int			 stage;		/* 0 head, 1 list, 2 done */
};

static int
list_cb(const char *body, void *arg)
{
	struct sugg_reply	*sr = arg;
	json_t			*o;

	if ((o = json_loads(body, 0, NULL)) == NULL)
		return (0);
	if (sr->aggregate && !sugg_for_aggregate_lead(o)) {
		json_decref(o);
		return (0);
	}
	json_array_append_new(sr->batch, o);
	return (0);
}

/* The next rows: up to LIST_FETCH, and one more to tell if there are. */
static int
sugg_fetch(struct sugg_reply *sr)
{
	char	*cause = NULL;
	size_t	 want = (size_t)(sr->limit - sr->count);

	if (want > LIST_FETCH)
		want = LIST_FETCH;
	json_array_clear(sr->batch);
	sr->next = 0;
	if (sr->last > 0)
		sr->q.before = sr->last;
	sr->q.limit = (int)want + 1;
	if (store_suggestions_list(sr->api->store, &sr->q, list_cb, sr,
	    &cause) < 0) {
		free(cause);
		return (-1);
	}
	sr->beyond = json_array_size(sr->batch) > want;
	sr->want = sr->beyond ? want : json_array_size(sr->batch);
	return (0);
}

static int
sugg_fill(struct http_conn *c, void *arg)
{
	struct sugg_reply	*sr = arg;
	json_t			*o;
	const char		*id;
	char			 buf[32];

	switch (sr->stage) {
	case 0:
		http_piece_add(c, "{\"suggestions\":[", 16);
		sr->stage = 1;
		return (1);
	case 1:
		break;
	default:
		return (0);
	}
	if (sr->next == sr->want && sr->beyond && sr->count < sr->limit &&
	    sugg_fetch(sr) == -1)
		return (-1);
	if (sr->next == sr->want) {
		if (sr->beyond) {
			sugg_format_id(sr->last, buf, sizeof buf);
			http_piece_printf(c, "],\"next_cursor\":\"%s\"}", buf);
		} else
			http_piece_add(c, "],\"next_cursor\":null}", 21);
		sr->stage = 2;
		return (0);
	}
	o = json_array_get(sr->batch, sr->next++);
	if (sr->count++ > 0)
		http_piece_add(c, ",", 1);
	http_piece_json(c, o);
	id = json_string_value(json_object_get(o, "id"));
	sr->last = sugg_parse_id(id != NULL ? id : "");
	return (1);
}

static void
sugg_reply_free(void *arg)
{
	struct sugg_reply	*sr = arg;

	json_decref(sr->batch);
	free(sr);
}

void
api_suggestions_list(struct api *api, struct http_conn *c,
    const struct http_request *req, int64_t now)
{
	struct store_sugg_query	 q;
	struct sugg_reply	*sr;
	char			 agent[RESPITE_NAME_MAX + 2], team[RESPITE_NAME_MAX + 2];
	char			 status[16], kind[32], audience[16], buf[32];
	char			 teams[TOKEN_TEAMS_MAX * 66 + 2];
	int			 rc;
	int64_t			 v;

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
	v = q.limit;
	if (query_int(req->query, "limit", 1, LIST_MAX, &v) == -1) {
		api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request", "limit",
		    "limit: must be 1 to %d", LIST_MAX);
		return;
	}
	q.limit = (int)v;
	if ((rc = http_query_get(req->query, "cursor", buf, sizeof buf)) != 0) {
		if (rc == -1 || (q.before = sugg_parse_id(buf)) <= 0) {
			api_fail(c, API_R_SUGGESTIONS, 400, "invalid_request",
			    "cursor", "cursor: not a cursor this server gave");
			return;
		}
	}

	/* Narrow the query to what the token may see. */
	teams[0] = '\0';
	switch (api->who.kind) {
	case TOKEN_INGEST:
		api_forbidden(c, API_R_SUGGESTIONS, "an ingest token cannot "
		    "read suggestions");
		return;
	case TOKEN_AGENT:
		if ((q.agent != NULL && strcmp(q.agent, api->who.role->agent) !=
		    0) || q.team != NULL || (q.audience != NULL &&
		    strcmp(q.audience, "agent") != 0)) {
			api_forbidden(c, API_R_SUGGESTIONS, "an agent token sees "
			    "its own suggestions only");
			return;
		}
		q.agent = api->who.role->agent;
		break;
	case TOKEN_LEAD: {
		const struct token_role	*r = api->who.role;
		struct agent		*a;
		size_t			 i;

		if (q.team != NULL && !token_role_has_team(r, q.team)) {
			api_forbidden(c, API_R_SUGGESTIONS, "this token may "
			    "not read that team");
			return;
		}
		if (q.agent != NULL && ((a = agents_get(api->agents,
		    q.agent)) == NULL || !token_role_has_team(r,
		    agent_team(a)) || api_lead_aggregate(api))) {
			api_forbidden(c, API_R_SUGGESTIONS, "this token may "
			    "not read that agent");
			return;
		}
		if (api_lead_aggregate(api)) {
			if (q.audience != NULL && strcmp(q.audience, "lead") !=
			    0) {
				api_forbidden(c, API_R_SUGGESTIONS, "privacy "
				    "mode aggregate: leads see lead suggestions "
				    "only");
				return;
			}
			q.audience = "lead";
			/* Raised for the lead before the mode was on. */
			q.not_kind = sugg_kind_name(SK_WELLBEING_CHECK);
		}
		snprintf(teams, sizeof teams, ",");
		for (i = 0; i < r->nteams; i++) {
			strlcat_safe(teams, r->teams[i], sizeof teams);
			strlcat_safe(teams, ",", sizeof teams);
		}
		q.teams = teams;
		break;
	}
	default:
		break;
	}
	api_audit(api, req, q.agent != NULL ? q.agent : "", now);

	sr = xcalloc(1, sizeof *sr);
	sr->api = api;
	sr->q = q;
#define SR_COPY(f) do {							\
	if (q.f != NULL) {						\
		snprintf(sr->f, sizeof sr->f, "%s", q.f);		\
		sr->q.f = sr->f;					\
	}								\
} while (0)
	SR_COPY(agent);
	SR_COPY(team);
	SR_COPY(status);
	SR_COPY(kind);
	SR_COPY(audience);
	SR_COPY(teams);
#undef SR_COPY
	sr->limit = q.limit;
	sr->aggregate = api_lead_aggregate(api);
	sr->batch = json_array();
	/* The first rows now: a failing store is still a 503. */
	if (sugg_fetch(sr) == -1) {
		sugg_reply_free(sr);
		api_fail(c, API_R_SUGGESTIONS, 503, "unavailable", NULL,
		    "storage is failing");
		return;
	}
	api_reply_pieces(c, API_R_SUGGESTIONS, sugg_fill, sugg_reply_free,
	    sr);
}

struct answer {
	struct http_conn	*conn;
	struct suggestion	 sugg;
	int			 aggregate;	/* a lead in aggregate mode */
};

/* The error of an answer advise_answer() refused, as the API says it. */
static void
answer_error(struct api *api, struct http_conn *c, int64_t seq,
    struct api_error *err)
{
	char	id[32];

	sugg_format_id(seq, id, sizeof id);
	if (err->status == 404 && store_suggestion_exists(api->store, seq))
		api_error_set(err, 409, "conflict", -1, "action",
		    "suggestion %s is no longer open", id);
	else if (err->status == 404)
		api_error_set(err, 404, "not_found", -1, NULL,
		    "no suggestion \"%.64s\"", id);
	api_reply_error(c, API_R_SUGGESTION, err);
}

static void
answer_done_cb(const struct commit_result *r, void *arg)
{
	struct answer	*an = arg;
	json_t		*o;

	if (r->ok != 0)
		api_fail(an->conn, API_R_SUGGESTION, 503, "unavailable", NULL,
		    "storage is failing; retry later");
	else {
		o = sugg_json(&an->sugg);
		if (an->aggregate)
			(void)sugg_for_aggregate_lead(o);
		api_reply_json(an->conn, API_R_SUGGESTION, 200, o);
	}
	free(an);
}

static int
body_cb(const char *body, void *arg)
{
	json_t	*o;

	if ((o = json_loads(body, 0, NULL)) != NULL) {
		sugg_from_json(o, arg);
		json_decref(o);
	}
	return (0);
}

/*
 * May the request's token answer suggestion seq?  An agent answers its
 * own break suggestions, a lead the lead suggestions of its teams, an
 * admin everything.  An unknown id is 404 for an admin only: to anyone
 * else it is 403 like one they may not answer, so that ids cannot be
 * probed for what exists (API.md: existence does not leak).
 */
static int
may_answer(struct api *api, int64_t seq)
{
	struct suggestion	s;

	if (auth_is_admin(&api->who))
		return (1);
	memset(&s, 0, sizeof s);
	if (!advise_find(api->advise, seq, &s) &&
	    !store_suggestion_get(api->store, seq, body_cb, &s))
		return (0);
	if (strcmp(sugg_audience(&s), "agent") == 0)
		return (auth_may_act_as_agent(&api->who, s.agent));
	/* One person's trend, raised for the lead before the mode was on. */
	if (s.kind == SK_WELLBEING_CHECK && api_lead_aggregate(api))
		return (0);
	return (api->who.kind == TOKEN_LEAD &&
	    auth_may_read_team(&api->who, s.team));
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
	/* The role first: nothing of the body is read for a refusal. */
	if (!may_answer(api, seq)) {
		api_forbidden(c, API_R_SUGGESTION, "this token may not answer "
		    "that suggestion");
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
	if (api->answer != NULL) {
		/*
		 * Cluster mode: one no longer open is refused here; anything
		 * else is decided where the stream has the answer.
		 */
		struct api_answer	aa;
		struct suggestion	s;

		memset(&aa, 0, sizeof aa);
		aa.sugg = seq;
		snprintf(aa.action, sizeof aa.action, "%s", action);
		aa.minutes = minutes;
		aa.at = now;
		json_decref(o);
		if (!advise_find(api->advise, seq, &s)) {
			api_error_set(&err, 404, "not_found", -1, NULL, "-");
			answer_error(api, c, seq, &err);
			return;
		}
		an = xcalloc(1, sizeof *an);
		an->conn = c;
		an->aggregate = api_lead_aggregate(api);
		api->answer(api->cluster_arg, &aa, an);
		return;
	}
	an = xcalloc(1, sizeof *an);
	if (advise_answer(api->advise, seq, action, minutes, now, &an->sugg,
	    &start_break, &err) == -1) {
		json_decref(o);
		free(an);
		answer_error(api, c, seq, &err);
		return;
	}
	json_decref(o);
	an->conn = c;
	an->aggregate = api_lead_aggregate(api);
	memset(&batch, 0, sizeof batch);
	/* Accepting a break starts it, if the agent is at work. */
	if (start_break && (a = agents_get(api->agents, an->sugg.agent)) !=
	    NULL && agent_status(a) == AGENT_WORKING)
		api_break_batch(&batch, a, RESPITE_EV_BREAK_START, now);
	commit_submit(api->commit, &batch, answer_done_cb, an);
}

/*
 * Cluster mode: apply an answer read from the stream (arg: the api), on
 * every node in stream order, at the answering node's time.  waiter:
 * the request on the node that answered, else NULL.  The same advisor
 * state gives the same outcome everywhere, refusals included.
 */
void
api_answer_apply(void *arg, const struct api_answer *aa, void *waiter)
{
	struct api		*api = arg;
	struct answer		*an = waiter;
	struct event_batch	 batch;
	struct suggestion	 out;
	struct api_error	 err;
	struct agent		*a;
	int			 start_break;

	if (advise_answer(api->advise, aa->sugg, aa->action, aa->minutes,
	    aa->at, &out, &start_break, &err) == -1) {
		if (an != NULL) {
			answer_error(api, an->conn, aa->sugg, &err);
			free(an);
		}
		return;
	}
	memset(&batch, 0, sizeof batch);
	if (start_break && (a = agents_get(api->agents, out.agent)) != NULL &&
	    agent_status(a) == AGENT_WORKING)
		api_break_batch(&batch, a, RESPITE_EV_BREAK_START, aa->at);
	if (an != NULL)
		an->sugg = out;
	commit_submit(api->commit, &batch, an != NULL ? answer_done_cb : NULL,
	    an);
}

/* Cluster mode: the stream did not take the answer (waiter: the request). */
void
api_answer_failed(void *waiter, const char *message)
{
	struct answer	*an = waiter;

	api_fail(an->conn, API_R_SUGGESTION, 503, "unavailable", NULL, "%s",
	    message);
	free(an);
}
