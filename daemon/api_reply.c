/*
 * respite - what every handler of the v1 API shares (API.md): replies and
 * their /metrics counts, the errors of API.md "Errors", the principal's
 * checks, the audit of reads, the limits of a batch.  It depends on no
 * handler and not on the route table (api.c): handlers include
 * api_handlers.h, which includes this.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strhash.h"
#include "api_reply.h"
#include "audit_seen.h"
#include "event.h"
#include "log.h"
#include "outbox.h"
#include "query.h"
#include "stats.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Route names for /metrics: static strings, compared by address. */
const char API_R_EVENTS[] = "/v1/events";
const char API_R_AGENTS[] = "/v1/agents";
const char API_R_AGENT[] = "/v1/agents/{id}";
const char API_R_BREAK[] = "/v1/agents/{id}/break";
const char API_R_HEALTHZ[] = "/healthz";
const char API_R_METRICS[] = "/metrics";
const char API_R_OTHER[] = "other";
const char API_R_SUGGESTIONS[] = "/v1/suggestions";
const char API_R_SUGGESTION[] = "/v1/suggestions/{id}";
const char API_R_TEAMS[] = "/v1/teams";
const char API_R_TEAM[] = "/v1/teams/{team}";
const char API_R_HISTORY[] = "/v1/agents/{id}/history";
const char API_R_AUDIT[] = "/v1/audit";
const char API_R_AGENT_DAYS[] = "/v1/agents/{id}/days";
const char API_R_AGENT_TREND[] = "/v1/agents/{id}/trend";
const char API_R_TEAM_DAYS[] = "/v1/teams/{team}/days";
const char API_R_ME[] = "/v1/me";

static void
reply_error(struct http_conn *c, const char *route,
    const struct api_error *err, const char *extra)
{
	stats_reject(err->code);
	stats_http(route, err->status);
	http_reply_error(c, err, extra);
}

/* An error reply with extra header lines (Allow:, Retry-After:...). */
void
api_reply_error_hdr(struct http_conn *c, const char *route,
    const struct api_error *err, const char *extra)
{
	reply_error(c, route, err, extra);
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
	if (api->wall_ms > 0)
		now = api->wall_ms;	/* not a read's model clock */
	if (!audit_seen_should_record(api->audit_seen, api->who.label, role,
	    what, agent, now, (int64_t)api->cf->audit_repeat_min * 60 * 1000))
		return;
	outbox_audit(api->outbox, now, api->who.label, role, what, agent);
	if (api->flush_soon != NULL)
		api->flush_soon(api->flush_arg);
}

/*
 * The time a read answers at: in cluster mode the model's clock (the
 * minute of the last tick applied), the same on every node at one
 * applied_seq; else, or before the first tick, the wall clock now.
 */
int64_t
api_read_now(const struct api *api, int64_t now)
{
	int64_t	t;

	if (api->read_clock == NULL ||
	    (t = api->read_clock(api->read_clock_arg)) <= 0)
		return (now);
	return (t);
}

/* The time an agent is judged at: the later of the clock and its newest event. */
int64_t
api_agent_now(const struct agent *a, int64_t now)
{
	return (agent_updated_at(a) > now ? agent_updated_at(a) : now);
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

/* Names new in one batch: open addressing, a power of 2 > 2 n slots. */
struct nameset {
	const char	**v;
	size_t		  nslots;
};

/* Adds name; returns 1 if it was not there yet. */
static int
nameset_add(struct nameset *ns, const char *name)
{
	uint64_t	h = str_hash(name);
	size_t		 i;

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
/*
 * Hand a write's events on: to the group commit, or in cluster mode to
 * the stream (replica_submit()).  batch is emptied; done gets the outcome.
 */
void
api_submit(struct api *api, struct event_batch *batch, commit_done_cb done,
    void *arg)
{
	if (api->submit != NULL)
		api->submit(api->cluster_arg, batch, 0, done, arg);
	else
		commit_submit(api->commit, batch, done, arg);
}

/*
 * The same for a write answered from the model: in cluster mode done
 * comes once this node has also applied the events (read-your-writes).
 */
void
api_submit_applied(struct api *api, struct event_batch *batch,
    commit_done_cb done, void *arg)
{
	if (api->submit != NULL)
		api->submit(api->cluster_arg, batch, 1, done, arg);
	else
		commit_submit(api->commit, batch, done, arg);
}

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
