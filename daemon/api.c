/*
 * respite - the v1 API.
 *
 * Routes a parsed request to its handler and turns results into the JSON
 * of API.md.  Writes (events, breaks) go through the group commit and are
 * answered only from its callback, after the data is durable; reads are
 * answered at once from the in-memory model.  Each handler reads the
 * clock once and passes that `now` down.
 */
#include "build.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "audit_seen.h"
#include "auth.h"
#include "dispatch.h"
#include "event.h"
#include "ingest.h"
#include "log.h"
#include "outbox.h"
#include "plugins.h"
#include "query.h"
#include "sinks.h"
#include "stats.h"
#include "strain.h"
#include "suggest.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Route names for /metrics: static strings, compared by address. */
static const char R_EVENTS[] = "/v1/events";
static const char R_AGENTS[] = "/v1/agents";
static const char R_AGENT[] = "/v1/agents/{id}";
static const char R_BREAK[] = "/v1/agents/{id}/break";
static const char R_HEALTHZ[] = "/healthz";
static const char R_METRICS[] = "/metrics";
static const char R_OTHER[] = "other";

/* A write waiting for its group commit. */
struct pending {
	struct api		*api;
	struct http_conn	*conn;
	const char		*route;
	char			 agent[RESPITE_NAME_MAX + 1];
};

const char API_R_SUGGESTIONS[] = "/v1/suggestions";
const char API_R_SUGGESTION[] = "/v1/suggestions/{id}";
const char API_R_TEAMS[] = "/v1/teams";
const char API_R_TEAM[] = "/v1/teams/{team}";
const char API_R_HISTORY[] = "/v1/agents/{id}/history";
const char API_R_AUDIT[] = "/v1/audit";

static void
reply_error(struct http_conn *c, const char *route,
    const struct api_error *err, const char *extra)
{
	stats_reject(err->code);
	stats_http(route, err->status);
	http_reply_error(c, err, extra);
}

void
api_reply_error(struct http_conn *c, const char *route,
    const struct api_error *err)
{
	reply_error(c, route, err, NULL);
}

void
api_fail(struct http_conn *c, const char *route, int status, const char *code,
    const char *field, const char *fmt, ...)
{
	struct api_error	err;
	va_list			ap;

	api_error_set(&err, status, code, -1, field, "%s", "");
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof err.message, fmt, ap);
	va_end(ap);
	reply_error(c, route, &err, NULL);
}

void
api_reply_json(struct http_conn *c, const char *route, int status, json_t *o)
{
	stats_http(route, status);
	http_reply_json(c, status, o, NULL);
}

/* A 200 JSON reply made in pieces by fill_cb (http_reply_pieces()). */
void
api_reply_pieces(struct http_conn *c, const char *route, http_fill_cb fill_cb,
    http_fill_free_cb free_cb, void *arg)
{
	stats_http(route, 200);
	http_reply_pieces(c, 200, "application/json; charset=utf-8", NULL,
	    fill_cb, free_cb, arg);
}

void
api_method_not_allowed(struct http_conn *c, const char *route,
    const char *allow)
{
	struct api_error	err;
	char			hdr[64];

	api_error_set(&err, 405, "method_not_allowed", -1, NULL,
	    "%s only accepts %s", route, allow);
	snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
	reply_error(c, route, &err, hdr);
}

json_t *
api_time(int64_t ms)
{
	char	buf[TIME_RFC3339_LEN];

	return (json_string(time_format_rfc3339(ms, buf, sizeof buf)));
}

/*
 * Parse query parameter name as RFC 3339 or epoch ms, from 1970 to the
 * end of 9999 (daemon/query.c), into *ms.  Returns 1 if given, 0 if
 * absent, -1 if malformed or out of range.
 */
int
api_query_time(const char *query, const char *name, int64_t *ms)
{
	return (query_time(query, name, ms));
}

/* 403 forbidden with a reason that says what the role lacks. */
void
api_forbidden(struct http_conn *c, const char *route, const char *why)
{
	api_fail(c, route, 403, "forbidden", NULL, "%s", why);
}

/* Is the request's principal a lead who may see team figures only? */
int
api_lead_aggregate(const struct api *api)
{
	return (api->cf->lead_aggregate && api->who.kind == TOKEN_LEAD);
}

/*
 * Record that the request's principal, a lead or an admin, read
 * individual data (of agent, or "" for a list).  Written with the next
 * outbox flush, which the daemon schedules within a second.  A read
 * identical to one recorded less than [privacy] audit_repeat_min ago is
 * not recorded again (daemon/audit_seen.c): the web page rereads each
 * agent every five minutes.
 */
void
api_audit(struct api *api, const struct http_request *req, const char *agent,
    int64_t now)
{
	char		 what[512];
	const char	*role;

	if (api->outbox == NULL || (api->who.kind != TOKEN_LEAD &&
	    api->who.kind != TOKEN_ADMIN))
		return;
	snprintf(what, sizeof what, "%s %s%s%s", req->method, req->path,
	    *req->query != '\0' ? "?" : "", req->query);
	role = api->who.role != NULL && api->who.kind == TOKEN_LEAD ? "lead" :
	    "admin";
	if (!audit_seen_should_record(api->audit_seen, api->who.label, role,
	    what, agent, now, (int64_t)api->cf->audit_repeat_min * 60 * 1000))
		return;
	outbox_audit(api->outbox, now, api->who.label, role, what, agent);
	if (api->flush_soon != NULL)
		api->flush_soon(api->flush_arg);
}

#define fail api_fail
#define reply_json api_reply_json
#define method_not_allowed api_method_not_allowed
#define json_time api_time

static json_t *
json_str_or_null(const char *s)
{
	return (*s != '\0' ? json_string(s) : json_null());
}

/* The time an agent is judged at: the later of the clock and its newest event. */
int64_t
api_agent_now(const struct agent *a, int64_t now)
{
	return (agent_updated_at(a) > now ? agent_updated_at(a) : now);
}

static json_t *
factor_json(const struct strain_factor *f)
{
	return (json_pack("{s:f, s:f, s:f}", "value", f->value, "position",
	    f->position, "points", f->points));
}

/* The metrics object of API.md (new reference). */
json_t *
api_metrics_json(const struct agent_metrics *m)
{
	return (json_pack("{s:I, s:f, s:f, s:I, s:I, s:f, s:I, s:I, s:I}",
	    "tickets_last_hour", (json_int_t)m->tickets_last_hour,
	    "weighted_load_last_hour", m->weighted_load_last_hour,
	    "occupancy_last_hour", m->occupancy_last_hour,
	    "continuous_work_min", (json_int_t)m->continuous_work_min,
	    "hostile_last_hour", (json_int_t)m->hostile_last_hour,
	    "hostility_exposure", m->hostility_exposure,
	    "open_tickets", (json_int_t)m->open_tickets,
	    "worked_today_min", (json_int_t)m->worked_today_min,
	    "minutes_on_break_today", (json_int_t)m->minutes_on_break_today));
}

static void
open_sugg_cb(const struct suggestion *s, void *arg)
{
	json_array_append_new(arg, sugg_json(s));
}

/* The agent object of API.md; full adds metrics and factors. */
static json_t *
agent_json(struct api *api, const struct agent *a, int64_t now, int full)
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

/* Apply a newly committed event to the model (commit_apply_cb). */
void
api_apply_cb(const struct respite_event *ev, void *arg)
{
	struct api	*api = arg;

	stats_event(ev->type);
	/* The aggregate snapshot is of the model before the event. */
	api_teams_clock(api, ev->ts_ms > ev->received_ms ? ev->ts_ms :
	    ev->received_ms);
	advise_event(api->advise, ev);
}

static void
events_done_cb(const struct commit_result *r, void *arg)
{
	struct pending	*p = arg;

	if (r->ok != 0)
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

/* Names new in one batch: open addressing, a power of 2 > 2 n slots. */
struct nameset {
	const char	**v;
	size_t		  nslots;
};

/* Adds name; returns 1 if it was not there yet. */
static int
nameset_add(struct nameset *ns, const char *name)
{
	uint64_t	h = 14695981039346656037ULL;
	const char	*p;
	size_t		 i;

	for (p = name; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	for (i = h & (ns->nslots - 1); ns->v[i] != NULL;
	    i = (i + 1) & (ns->nslots - 1))
		if (strcmp(ns->v[i], name) == 0)
			return (0);
	ns->v[i] = name;
	return (1);
}

/*
 * [server] max_agents and max_teams (API.md "Errors"): a batch that would
 * create one agent or team too many is refused whole, before anything of
 * it is stored or applied, with the index and field of the first one.
 * Counts are those of the model; a batch still being committed is not
 * counted yet, so the model can pass a limit by what one commit holds.
 */
int
api_batch_within_limits(struct api *api, const struct event_batch *b,
    struct api_error *err)
{
	struct nameset	 agents, teams;
	size_t		 i, nagents, nteams;
	const char	*field = NULL;
	size_t		 limit = 0;

	nagents = agents_count(api->agents);
	nteams = agents_team_count(api->agents);
	for (agents.nslots = 16; agents.nslots <= 2 * b->n; agents.nslots *= 2)
		;
	teams.nslots = agents.nslots;
	agents.v = xcalloc(agents.nslots, sizeof *agents.v);
	teams.v = xcalloc(teams.nslots, sizeof *teams.v);
	for (i = 0; i < b->n && field == NULL; i++) {
		const struct respite_event	*ev = &b->ev[i];

		if (agents_get(api->agents, ev->agent) == NULL &&
		    nameset_add(&agents, ev->agent) &&
		    ++nagents > api->cf->max_agents) {
			field = "agent";
			limit = api->cf->max_agents;
		} else if (ev->team[0] != '\0' &&
		    !agents_has_team(api->agents, ev->team) &&
		    nameset_add(&teams, ev->team) &&
		    ++nteams > api->cf->max_teams) {
			field = "team";
			limit = api->cf->max_teams;
		}
	}
	free(agents.v);
	free(teams.v);
	if (field == NULL)
		return (0);
	log_warnx("events: limit reached: max_%ss (%zu): a batch of %zu "
	    "events refused", field, limit, b->n);
	api_error_set(err, 507, "limit_reached", (long)i - 1, field,
	    "a new %s \"%s\" would be one too many (max_%ss = %zu); nothing "
	    "of this request was stored", field, *field == 'a' ?
	    b->ev[i - 1].agent : b->ev[i - 1].team, field, limit);
	return (-1);
}

static void
post_events(struct api *api, struct http_conn *c,
    const struct http_request *req, const char *body, size_t len,
    int64_t now)
{
	struct ingest_limits	 lim;
	struct event_batch	 batch;
	struct api_error	 err;
	struct pending		*p;

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
	commit_submit(api->commit, &batch, events_done_cb, p);
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
	long			 limit, count;
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
		o = agent_json(api, v[i], pg->now, 0);
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

static void
get_agents(struct api *api, struct http_conn *c,
    const struct http_request *req, int64_t now)
{
	struct agents_page *pg;
	char		  team[RESPITE_NAME_MAX + 2], level[16], buf[160];
	char		  after[RESPITE_NAME_MAX + 1];
	char		 *end;
	size_t		  i;
	long		  limit = AGENTS_LIST_DEFAULT;
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
	if ((rc = http_query_get(req->query, "limit", buf, sizeof buf)) != 0) {
		limit = rc == 1 ? strtol(buf, &end, 10) : 0;
		if (rc == -1 || *buf == '\0' || *end != '\0' || limit < 1 ||
		    limit > AGENTS_LIST_MAX) {
			fail(c, R_AGENTS, 400, "invalid_request", "limit",
			    "limit: must be 1 to %d", AGENTS_LIST_MAX);
			return;
		}
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

/* A batch of one break event for agent a, as POST /break makes it. */
void
api_break_batch(struct event_batch *batch, const struct agent *a,
    enum respite_event_type type, int64_t now)
{
	memset(batch, 0, sizeof *batch);
	batch->ev = xcalloc(1, sizeof *batch->ev);
	batch->n = 1;
	batch->ev->type = type;
	snprintf(batch->ev->agent, sizeof batch->ev->agent, "%s", agent_id(a));
	batch->ev->ts_ms = api_agent_now(a, now);
	batch->ev->received_ms = now;
	batch->ev->duration_s = -1;
	batch->ev->severity = -1;
}

static void
break_done_cb(const struct commit_result *r, void *arg)
{
	struct pending	*p = arg;
	struct agent	*a;

	if (r->ok != 0)
		fail(p->conn, p->route, 503, "unavailable", NULL,
		    "storage is failing; the break was not recorded, retry "
		    "later");
	else if ((a = agents_get(p->api->agents, p->agent)) == NULL)
		fail(p->conn, p->route, 500, "internal", NULL,
		    "agent vanished");
	else
		reply_json(p->conn, p->route, 200, agent_json(p->api, a,
		    time_now_ms(), 1));
	free(p);
}

static void
post_break(struct api *api, struct http_conn *c, struct agent *a,
    const char *body, size_t len, int64_t now)
{
	struct event_batch	 batch;
	struct pending		*p;
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
	commit_submit(api->commit, &batch, break_done_cb, p);
}

static void
get_healthz(struct api *api, struct http_conn *c)
{
	char	*cause = NULL;
	int	 ok;

	ok = commit_healthy(api->commit) && store_check(api->store, &cause) == 0;
	reply_json(c, R_HEALTHZ, ok ? 200 : 503, json_pack("{s:s, s:s, s:s}",
	    "status", ok ? "ok" : "degraded",
	    "db", ok ? "ok" : "failing",
	    "version", PACKAGE_VERSION));
	free(cause);
}

static void
get_metrics(struct api *api, struct http_conn *c)
{
	const struct http_server *srv;
	char			 *buf = NULL, *cause = NULL;
	size_t			  len = 0;
	FILE			 *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	stats_http(R_METRICS, 200);
	stats_write(f);
	/* Counts kept as they change: no work in proportion to the data. */
	stats_write_agents(f);
	fprintf(f, "# HELP respite_suggestions Stored suggestions, by kind and "
	    "status.\n# TYPE respite_suggestions gauge\n");
	if (store_suggestion_counts(api->store, f, &cause) == -1) {
		log_warnx("metrics: %s", cause);
		free(cause);
	}
	store_write_metrics(api->store, f);
	sinks_write_metrics(f, api->plugins);
	fprintf(f, "# HELP respite_sse_subscribers Open GET /v1/stream "
	    "subscribers.\n# TYPE respite_sse_subscribers gauge\n"
	    "respite_sse_subscribers %zu\n",
	    api->dispatch != NULL ? dispatch_nsubscribers(api->dispatch) : 0);
	srv = http_conn_server(c);
	fprintf(f, "# HELP respite_http_connections Open HTTP connections, "
	    "streams included.\n# TYPE respite_http_connections gauge\n"
	    "respite_http_connections %zu\n"
	    "# HELP respite_http_connections_refused_total Connections "
	    "refused with 503: max_connections reached.\n"
	    "# TYPE respite_http_connections_refused_total counter\n"
	    "respite_http_connections_refused_total %" PRIu64 "\n"
	    "# HELP respite_http_accept_pauses_total Pauses of accepting "
	    "after accept() ran out of file descriptors.\n"
	    "# TYPE respite_http_accept_pauses_total counter\n"
	    "respite_http_accept_pauses_total %" PRIu64 "\n"
	    "# HELP respite_http_connections_evicted_total Idle connections "
	    "closed to admit a new one at max_connections.\n"
	    "# TYPE respite_http_connections_evicted_total counter\n"
	    "respite_http_connections_evicted_total %" PRIu64 "\n"
	    "# HELP respite_http_header_timeouts_total New connections "
	    "closed for no request head within header_timeout.\n"
	    "# TYPE respite_http_header_timeouts_total counter\n"
	    "respite_http_header_timeouts_total %" PRIu64 "\n"
	    "# HELP respite_http_unsent_bytes Reply bytes queued on every "
	    "connection, not yet taken by the kernel.\n"
	    "# TYPE respite_http_unsent_bytes gauge\n"
	    "respite_http_unsent_bytes %zu\n"
	    "# HELP respite_http_unsent_waits_total Times a reply in pieces "
	    "waited for max_unsent_total.\n"
	    "# TYPE respite_http_unsent_waits_total counter\n"
	    "respite_http_unsent_waits_total %" PRIu64 "\n",
	    http_server_nconns(srv), http_server_nrefused(srv),
	    http_server_naccept_pauses(srv), http_server_nevicted(srv),
	    http_server_nheader_timeouts(srv), http_server_unsent(srv),
	    http_server_nunsent_waits(srv));
	fclose(f);
	http_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", buf,
	    len, NULL);
	free(buf);
}

/* Split "/v1/agents/ID[/break]" into the id and what follows. */
static int
agent_path(const char *path, char *id, size_t idlen, const char **rest)
{
	const char	*p = path + strlen("/v1/agents/"), *slash;
	size_t		 n;

	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= idlen)
		return (-1);
	memcpy(id, p, n);
	id[n] = '\0';
	*rest = slash != NULL ? slash : "";
	return (0);
}

/* The http_handler_cb: route one request. */
void
api_handle(struct http_conn *c, const struct http_request *req,
    const char *body, size_t len, void *arg)
{
	struct api	*api = arg;
	struct agent	*a;
	const char	*m = req->method, *path = req->path, *rest;
	char		 id[RESPITE_NAME_MAX + 2], cred[512];
	struct api_error err;
	int		 get, post, retry;
	int64_t		 now = time_now_ms();

	get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	post = strcmp(m, "POST") == 0;

	/* Browsers are not trusted to keep pages apart (API.md). */
	if (api_origin_check(api, c, req))
		return;
	/* Operations need no token; everything else does (API.md). */
	if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0) {
		int	health = strcmp(path, "/healthz") == 0;

		if (!get)
			method_not_allowed(c, health ? R_HEALTHZ : R_METRICS,
			    "GET, HEAD");
		else if (health)
			get_healthz(api, c);
		else
			get_metrics(api, c);
		return;
	}
	if (api_www(c, req))	/* the web page: public files, no data */
		return;
	memset(&api->who, 0, sizeof api->who);
	api->who.kind = TOKEN_ADMIN;
	if (api->auth != NULL && auth_check(api->auth, api_webhook_credential(
	    req, cred, sizeof cred), now, &api->who, &err, &retry) == -1) {
		char	hdr[48];

		snprintf(hdr, sizeof hdr, "Retry-After: %d\r\n", retry);
		if (err.status == 401)
			snprintf(hdr, sizeof hdr, "WWW-Authenticate: Bearer\r\n");
		reply_error(c, R_OTHER, &err, hdr);
		return;
	}

	/*
	 * A reader sees the advisor's state in memory: what it changed
	 * must be stored first, or a crash could take back a suggestion
	 * already shown (daemon/outbox.c).
	 */
	if (get && api->outbox != NULL && outbox_unstored(api->outbox) &&
	    api->flush_now != NULL)
		api->flush_now(api->flush_arg);
	if (strcmp(path, "/v1/events") == 0) {
		if (!post)
			method_not_allowed(c, R_EVENTS, "POST");
		else if (!auth_may_ingest(&api->who))
			api_forbidden(c, R_EVENTS, "only ingest and admin "
			    "tokens may post events");
		else
			post_events(api, c, req, body, len, now);
	} else if (strcmp(path, "/v1/agents") == 0) {
		if (!get)
			method_not_allowed(c, R_AGENTS, "GET, HEAD");
		else
			get_agents(api, c, req, now);
	} else if (strncmp(path, "/v1/agents/", 11) == 0 &&
	    agent_path(path, id, sizeof id, &rest) == 0 &&
	    strcmp(rest, "/history") == 0) {
		a = event_name_valid(id) ? agents_get(api->agents, id) : NULL;
		if (!get)
			method_not_allowed(c, API_R_HISTORY, "GET, HEAD");
		else if (!auth_may_read_agent(&api->who, id, a != NULL ?
		    agent_team(a) : "") || api_lead_aggregate(api))
			api_forbidden(c, API_R_HISTORY, "this token may not "
			    "read that agent");
		else if (a == NULL)
			fail(c, API_R_HISTORY, 404, "not_found", NULL,
			    "no agent \"%.64s\"", id);
		else {
			api_audit(api, req, id, now);
			api_history(api, c, a, req, now);
		}
	} else if (strncmp(path, "/v1/agents/", 11) == 0 &&
	    agent_path(path, id, sizeof id, &rest) == 0 &&
	    (*rest == '\0' || strcmp(rest, "/break") == 0)) {
		const char	*route = *rest == '\0' ? R_AGENT : R_BREAK;

		a = event_name_valid(id) ? agents_get(api->agents, id) : NULL;
		if (*rest == '\0' && !get)
			method_not_allowed(c, route, "GET, HEAD");
		else if (*rest != '\0' && !post)
			method_not_allowed(c, route, "POST");
		else if (*rest == '\0' && (!auth_may_read_agent(&api->who, id,
		    a != NULL ? agent_team(a) : "") || api_lead_aggregate(api)))
			api_forbidden(c, route, "this token may not read that "
			    "agent");
		else if (*rest != '\0' && !auth_may_act_as_agent(&api->who,
		    id))
			api_forbidden(c, route, "only the agent's own token (or "
			    "admin) may start or end its breaks");
		else if (a == NULL)
			fail(c, route, 404, "not_found", NULL,
			    "no agent \"%.64s\"", id);
		else if (*rest == '\0') {
			api_audit(api, req, id, now);
			reply_json(c, route, 200, agent_json(api, a, now, 1));
		} else
			post_break(api, c, a, body, len, now);
	} else if (strcmp(path, "/v1/suggestions") == 0) {
		if (!get)
			method_not_allowed(c, API_R_SUGGESTIONS, "GET, HEAD");
		else
			api_suggestions_list(api, c, req, now);
	} else if (strncmp(path, "/v1/suggestions/", 16) == 0) {
		if (!post)
			method_not_allowed(c, API_R_SUGGESTION, "POST");
		else
			api_suggestion_answer(api, c, path + 16, body, len,
			    now);
	} else if (strcmp(path, "/v1/teams") == 0 ||
	    strncmp(path, "/v1/teams/", 10) == 0) {
		const char	*team = path[9] == '/' ? path + 10 : NULL;

		if (!get)
			method_not_allowed(c, team != NULL ? API_R_TEAM :
			    API_R_TEAMS, "GET, HEAD");
		else if (api->who.kind == TOKEN_INGEST ||
		    api->who.kind == TOKEN_AGENT)
			api_forbidden(c, team != NULL ? API_R_TEAM :
			    API_R_TEAMS, "team figures are for lead and admin "
			    "tokens");
		else if (team != NULL && !auth_may_read_team(&api->who, team))
			api_forbidden(c, API_R_TEAM, "this token may not read "
			    "that team");
		else
			api_teams(api, c, team, now);
	} else if (strncmp(path, "/v1/webhooks", 12) == 0 &&
	    (path[12] == '\0' || path[12] == '/')) {
		api_webhook(api, c, req, body, len, now);
	} else if (strcmp(path, "/v1/stream") == 0) {
		api_stream(api, c, req);
	} else if (strcmp(path, "/v1/audit") == 0) {
		if (!get)
			method_not_allowed(c, API_R_AUDIT, "GET, HEAD");
		else if (!auth_is_admin(&api->who))
			api_forbidden(c, API_R_AUDIT, "the audit log is for "
			    "admin tokens");
		else
			api_audit_list(api, c, req);
	} else
		fail(c, R_OTHER, 404, "not_found", NULL, "no such path: %.100s",
		    path);
}
