/*
 * respite - the agents of the v1 API (API.md): GET /v1/agents (a page,
 * by team and level), the agent object of GET /v1/agents/{id}, and
 * POST /v1/agents/{id}/break through the group commit.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "advise.h"
#include "event.h"
#include "log.h"
#include "query.h"
#include "store.h"
#include "strain.h"
#include "suggest.h"
#include "timeutil.h"
#include "xmalloc.h"

#define R_AGENTS API_R_AGENTS
#define R_BREAK API_R_BREAK
#define fail api_fail
#define reply_json api_reply_json
#define json_time api_time

/*
 * An agent not in the model but with events stored was forgotten
 * (advise_forget()): it is shown as a fresh agent, offline and with no
 * recent event, in its last team.  Returns a new agent, or NULL.
 */
struct agent *
api_forgotten_agent(struct api *api, const char *id)
{
	char	 team[RESPITE_NAME_MAX + 1], *cause = NULL;
	int64_t	 ts = 0;
	int	 rc;

	if (!event_name_valid(id))
		return (NULL);
	rc = store_agent_last(api->store, id, &ts, team, sizeof team, &cause);
	if (rc == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
	}
	return (rc == 1 ? agent_new_idle(id, team, ts) : NULL);
}

static json_t *
json_str_or_null(const char *s)
{
	return (*s != '\0' ? json_string(s) : json_null());
}

static json_t *
factor_json(const struct strain_factor *f)
{
	return (json_pack("{s:f, s:f, s:f}", "value", f->value, "position",
	    f->position, "points", f->points));
}

static void
open_sugg_cb(const struct suggestion *s, void *arg)
{
	json_array_append_new(arg, sugg_json(s));
}

/* The agent object of API.md; full adds metrics and factors. */
json_t *
api_agent_json(struct api *api, const struct agent *a, int64_t now, int full)
{
	struct agent_metrics	 m;
	struct strain		 s;
	struct advise_view	 v;
	json_t			*o, *open;

	now = api_agent_now(a, now);
	agent_metrics(a, now, &api->mp, &m);
	strain_compute(&m, &api->ap.strain, &s);
	advise_level(api->advise, a, now, &v);
	o = json_pack("{s:s, s:o, s:s, s:i, s:s, s:o}",
	    "agent", agent_id(a),
	    "team", json_str_or_null(agent_team(a)),
	    "status", agent_status_name(agent_status(a)),
	    "strain", s.score,
	    "level", strain_level_name(v.level),
	    "updated_at", json_time(agent_updated_at(a)));
	if (!full)
		return (o);
	json_object_set_new(o, "metrics", api_metrics_json(&m));
	json_object_set_new(o, "factors", json_pack("{s:o, s:o, s:o, s:o}",
	    "intensity", factor_json(&s.intensity),
	    "occupancy", factor_json(&s.occupancy),
	    "continuous", factor_json(&s.continuous),
	    "exposure", factor_json(&s.exposure)));
	open = json_array();
	advise_open_for_agent(api->advise, agent_id(a), open_sugg_cb, open);
	json_object_set_new(o, "open_suggestions", open);
	return (o);
}

static const char *const levels[] = { "ok", "elevated", "high", "critical" };

#define AGENTS_LIST_DEFAULT	1000
#define AGENTS_LIST_MAX		5000
/*
 * Agents one page looks at, at most: with a filter that matches few
 * (a level, a lead's teams) a page may hold fewer than limit agents and
 * still have a next_cursor; only a null one means the end.
 */
#define AGENTS_SCAN_MAX		20000

/* The cursor: the hex of the last agent id a page looked at. */
static void
agents_cursor(const char *id, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; id[i] != '\0' && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", (unsigned char)id[i]);
	buf[2 * i] = '\0';
}

static int
agents_cursor_parse(const char *buf, char *id, size_t len)
{
	size_t		i, n = strlen(buf);
	unsigned int	x;

	if (n == 0 || n % 2 != 0 || n / 2 >= len)
		return (-1);
	for (i = 0; i < n / 2; i++) {
		if (!isxdigit((unsigned char)buf[2 * i]) ||
		    !isxdigit((unsigned char)buf[2 * i + 1]) ||
		    sscanf(buf + 2 * i, "%2x", &x) != 1)
			return (-1);
		id[i] = (char)x;
	}
	id[n / 2] = '\0';
	return (event_name_valid(id) ? 0 : -1);
}

/* The first index of v[0..n) whose id sorts after id. */
static size_t
agents_after(struct agent *const *v, size_t n, const char *id)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(agent_id(v[mid]), id) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/*
 * A page of GET /v1/agents, written an agent at a time as the client
 * reads (http_reply_pieces()).  Between pieces agents may come or move,
 * so no pointer is kept: each piece finds its place again by the id of
 * the last agent looked at.  The token's role is a copy (a reload frees
 * the tokens).
 */
struct agents_page {
	struct api		*api;
	struct principal	 who;
	struct token_role	 role;
	char			 team[RESPITE_NAME_MAX + 2];	/* "": all */
	int			 want;		/* a level, -1 any */
	int64_t			 limit, count;
	size_t			 seen;
	int64_t			 now;
	char			 after[RESPITE_NAME_MAX + 1];	/* "": none */
	int			 stage;		/* 0 head, 1 agents, 2 done */
};

static int
agents_page_fill(struct http_conn *c, void *arg)
{
	struct agents_page	 *pg = arg;
	struct api		 *api = pg->api;
	struct agent *const	 *v;
	struct advise_view	  av;
	json_t			 *o;
	char			  next[2 * RESPITE_NAME_MAX + 1];
	const char		 *last;
	size_t			  i, n, start;

	if (pg->stage == 0) {
		http_piece_add(c, "{\"agents\":[", 11);
		pg->stage = 1;
		return (1);
	}
	if (pg->stage != 1)
		return (0);
	/*
	 * In id order from just after the last agent looked at: limit
	 * agents, and one more to tell whether there is a next page.  A
	 * team's agents come from its own list, not from going over
	 * everyone.
	 */
	v = agents_sorted_view(api->agents, pg->team[0] != '\0' ? pg->team :
	    NULL, &n);
	start = i = pg->after[0] != '\0' ? agents_after(v, n,
	    pg->after) : 0;
	next[0] = '\0';
	for (; i < n; i++) {
		last = i > start ? agent_id(v[i - 1]) : pg->after;
		if (pg->seen == AGENTS_SCAN_MAX) {
			agents_cursor(last, next, sizeof next);
			break;
		}
		if (!auth_may_read_agent(&pg->who, agent_id(v[i]),
		    agent_team(v[i]))) {
			pg->seen++;
			continue;
		}
		/* The level alone first: most may not match. */
		if (pg->want >= 0) {
			advise_level(api->advise, v[i], api_agent_now(v[i],
			    pg->now), &av);
			if ((int)av.level != pg->want) {
				pg->seen++;
				continue;
			}
		}
		if (pg->count == pg->limit) {
			agents_cursor(last, next, sizeof next);
			break;
		}
		if (pg->count > 0)
			http_piece_add(c, ",", 1);
		o = api_agent_json(api, v[i], pg->now, 0);
		http_piece_json(c, o);
		json_decref(o);
		pg->count++;
		pg->seen++;
		snprintf(pg->after, sizeof pg->after, "%s", agent_id(v[i]));
		return (1);
	}
	/* A cursor is hex digits: nothing to escape. */
	if (next[0] != '\0')
		http_piece_printf(c, "],\"next_cursor\":\"%s\"}", next);
	else
		http_piece_add(c, "],\"next_cursor\":null}", 21);
	pg->stage = 2;
	return (0);
}

void
api_agents_list(struct api *api, struct http_conn *c,
    const struct http_request *req, int64_t now)
{
	struct agents_page *pg;
	char		  team[RESPITE_NAME_MAX + 2], level[16], buf[160];
	char		  after[RESPITE_NAME_MAX + 1];
	size_t		  i;
	int64_t		  limit = AGENTS_LIST_DEFAULT;
	int		  has_team, has_level, rc, want = -1;

	has_team = http_query_get(req->query, "team", team, sizeof team);
	if (has_team == -1 || (has_team == 1 && !event_name_valid(team))) {
		fail(c, R_AGENTS, 400, "invalid_request", "team",
		    "team: must be 1-64 chars of [A-Za-z0-9._@-]");
		return;
	}
	has_level = http_query_get(req->query, "level", level, sizeof level);
	if (has_level == 1)
		for (i = 0; i < 4; i++)
			if (strcmp(level, levels[i]) == 0)
				want = (int)i;
	if (has_level == -1 || (has_level == 1 && want == -1)) {
		fail(c, R_AGENTS, 400, "invalid_request", "level",
		    "level: must be one of ok, elevated, high, critical");
		return;
	}
	if (query_int(req->query, "limit", 1, AGENTS_LIST_MAX, &limit) == -1) {
		fail(c, R_AGENTS, 400, "invalid_request", "limit",
		    "limit: must be 1 to %d", AGENTS_LIST_MAX);
		return;
	}
	after[0] = '\0';
	if ((rc = http_query_get(req->query, "cursor", buf, sizeof buf)) != 0 &&
	    (rc == -1 || agents_cursor_parse(buf, after, sizeof after) == -1)) {
		fail(c, R_AGENTS, 400, "invalid_request", "cursor",
		    "cursor: not a cursor this server gave");
		return;
	}
	switch (api->who.kind) {
	case TOKEN_INGEST:
		api_forbidden(c, R_AGENTS, "an ingest token cannot read agents");
		return;
	case TOKEN_LEAD:
		if (api_lead_aggregate(api)) {
			api_forbidden(c, R_AGENTS, "privacy mode aggregate: "
			    "leads see team figures only (GET /v1/teams)");
			return;
		}
		if (has_team == 1 && !auth_may_read_team(&api->who, team)) {
			api_forbidden(c, R_AGENTS, "this token may not read "
			    "that team");
			return;
		}
		break;
	default:
		break;
	}
	api_audit(api, req, "", now);
	pg = xcalloc(1, sizeof *pg);
	pg->api = api;
	pg->who = api->who;
	if (api->who.role != NULL) {
		pg->role = *api->who.role;
		pg->who.role = &pg->role;
	}
	if (has_team == 1)
		snprintf(pg->team, sizeof pg->team, "%s", team);
	pg->want = want;
	pg->limit = limit;
	pg->now = now;
	snprintf(pg->after, sizeof pg->after, "%s", after);
	api_reply_pieces(c, R_AGENTS, agents_page_fill, free, pg);
}

static void
break_done_cb(const struct commit_result *r, void *arg)
{
	struct api_pending	*p = arg;
	struct agent	*a;

	if (r->ok != 0 && r->message != NULL)
		fail(p->conn, p->route, 503, "unavailable", NULL, "%s",
		    r->message);
	else if (r->ok != 0)
		fail(p->conn, p->route, 503, "unavailable", NULL,
		    "storage is failing; the break was not recorded, retry "
		    "later");
	else if ((a = agents_get(p->api->agents, p->agent)) == NULL)
		fail(p->conn, p->route, 500, "internal", NULL,
		    "agent vanished");
	else
		reply_json(p->conn, p->route, 200, api_agent_json(p->api, a,
		    time_now_ms(), 1));
	free(p);
}

void
api_agent_break(struct api *api, struct http_conn *c, struct agent *a,
    const char *body, size_t len, int64_t now)
{
	struct event_batch	 batch;
	struct api_pending		*p;
	json_error_t		 je;
	json_t			*o, *v;
	const char		*action;
	enum agent_status	 st = agent_status(a);
	enum respite_event_type	 type;

	if ((o = json_loadb(body, len, 0, &je)) == NULL) {
		fail(c, R_BREAK, 400, "bad_json", NULL, "line %d, column %d: "
		    "%s", je.line, je.column, je.text);
		return;
	}
	v = json_is_object(o) ? json_object_get(o, "action") : NULL;
	action = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(action, "start") == 0)
		type = RESPITE_EV_BREAK_START;
	else if (strcmp(action, "end") == 0)
		type = RESPITE_EV_BREAK_END;
	else {
		json_decref(o);
		fail(c, R_BREAK, 400, "invalid_request", "action",
		    "action: must be \"start\" or \"end\"");
		return;
	}
	json_decref(o);
	if (type == RESPITE_EV_BREAK_START && st != AGENT_WORKING) {
		fail(c, R_BREAK, 409, "conflict", "action", "agent %s is %s; "
		    "only a working agent can start a break", agent_id(a),
		    agent_status_name(st));
		return;
	}
	if (type == RESPITE_EV_BREAK_END && st != AGENT_ON_BREAK) {
		fail(c, R_BREAK, 409, "conflict", "action", "agent %s is not "
		    "on a break", agent_id(a));
		return;
	}
	api_break_batch(&batch, a, type, now);
	p = xcalloc(1, sizeof *p);
	p->api = api;
	p->conn = c;
	p->route = R_BREAK;
	snprintf(p->agent, sizeof p->agent, "%s", agent_id(a));
	api_submit_applied(api, &batch, break_done_cb, p);
}
