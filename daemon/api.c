/*
 * respite - the v1 API's route table.
 *
 * Routes a parsed request to its handler (api_*.c) after the checks every
 * route shares (origin, token) and does nothing else: the handlers turn
 * results into the JSON of API.md with api_reply.c.  Writes (events,
 * breaks) go through the group commit and are answered only from its
 * callback, after the data is durable; reads are answered at once from
 * the in-memory model.  Each request reads the clock once and passes
 * that `now` down.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "auth.h"
#include "event.h"
#include "outbox.h"
#include "timeutil.h"

#define R_EVENTS API_R_EVENTS
#define R_AGENTS API_R_AGENTS
#define R_AGENT API_R_AGENT
#define R_BREAK API_R_BREAK
#define R_HEALTHZ API_R_HEALTHZ
#define R_METRICS API_R_METRICS
#define R_OTHER API_R_OTHER
#define fail api_fail
#define reply_json api_reply_json
#define method_not_allowed api_method_not_allowed

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

/* "/v1/teams/TEAM/days": TEAM into team (0), or -1. */
static int
team_days_path(const char *path, char *team, size_t len)
{
	const char	*p = path + strlen("/v1/teams/"), *slash;
	size_t		 n;

	if (strncmp(path, "/v1/teams/", 10) != 0 ||
	    (slash = strchr(p, '/')) == NULL || strcmp(slash, "/days") != 0)
		return (-1);
	n = (size_t)(slash - p);
	if (n == 0 || n >= len)
		return (-1);
	memcpy(team, p, n);
	team[n] = '\0';
	return (0);
}

/* The http_handler_cb: route one request. */
void
api_handle(struct http_conn *c, const struct http_request *req,
    const char *body, size_t len, void *arg)
{
	struct api	*api = arg;
	struct agent	*a, *idle = NULL;
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
			api_healthz(api, c);
		else
			api_metrics(api, c);
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
		api_reply_error_hdr(c, R_OTHER, &err, hdr);
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
	/* Audit records keep the wall clock; reads may answer at the model's. */
	api->wall_ms = now;
	if (get)
		now = api_read_now(api, now);
	if (strcmp(path, "/v1/events") == 0) {
		if (!post)
			method_not_allowed(c, R_EVENTS, "POST");
		else if (!auth_may_ingest(&api->who))
			api_forbidden(c, R_EVENTS, "only ingest and admin "
			    "tokens may post events");
		else
			api_events_post(api, c, req, body, len, now);
	} else if (strcmp(path, "/v1/agents") == 0) {
		if (!get)
			method_not_allowed(c, R_AGENTS, "GET, HEAD");
		else
			api_agents_list(api, c, req, now);
	} else if (strncmp(path, "/v1/agents/", 11) == 0 &&
	    agent_path(path, id, sizeof id, &rest) == 0 &&
	    strcmp(rest, "/history") == 0) {
		a = event_name_valid(id) ? agents_get(api->agents, id) : NULL;
		if (a == NULL && get)
			a = idle = api_forgotten_agent(api, id);
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
	    (strcmp(rest, "/days") == 0 || strcmp(rest, "/trend") == 0)) {
		char		 team[RESPITE_NAME_MAX + 1], tz[RESPITE_TZ_MAX + 1];
		const char	*route = strcmp(rest, "/days") == 0 ?
				    API_R_AGENT_DAYS : API_R_AGENT_TREND;
		int		 known;

		known = api_days_agent(api, id, team, sizeof team, tz,
		    sizeof tz);
		if (!get)
			method_not_allowed(c, route, "GET, HEAD");
		else if (!auth_may_read_agent(&api->who, id, team) ||
		    api_lead_aggregate(api))
			api_forbidden(c, route, "this token may not "
			    "read that agent");
		else if (!known)
			fail(c, route, 404, "not_found", NULL,
			    "no agent \"%.64s\"", id);
		else {
			api_audit(api, req, id, now);
			if (route == API_R_AGENT_DAYS)
				api_agent_days(api, c, id, tz, req, now);
			else
				api_agent_trend(api, c, id, tz, now);
		}
	} else if (strncmp(path, "/v1/agents/", 11) == 0 &&
	    agent_path(path, id, sizeof id, &rest) == 0 &&
	    (*rest == '\0' || strcmp(rest, "/break") == 0)) {
		const char	*route = *rest == '\0' ? R_AGENT : R_BREAK;

		a = event_name_valid(id) ? agents_get(api->agents, id) : NULL;
		if (a == NULL && *rest == '\0' && get)
			a = idle = api_forgotten_agent(api, id);
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
			reply_json(c, route, 200, api_agent_json(api, a, now, 1));
		} else
			api_agent_break(api, c, a, body, len, now);
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
	} else if (team_days_path(path, id, sizeof id) == 0) {
		if (!get)
			method_not_allowed(c, API_R_TEAM_DAYS, "GET, HEAD");
		else if (api->who.kind == TOKEN_INGEST ||
		    api->who.kind == TOKEN_AGENT)
			api_forbidden(c, API_R_TEAM_DAYS, "team figures are for "
			    "lead and admin tokens");
		else if (!auth_may_read_team(&api->who, id))
			api_forbidden(c, API_R_TEAM_DAYS, "this token may not "
			    "read that team");
		else
			api_team_days(api, c, id, req, now);
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
	} else if (strcmp(path, "/v1/me") == 0) {
		if (!get)
			method_not_allowed(c, API_R_ME, "GET, HEAD");
		else
			api_me(api, c);
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
	agent_free(idle);
}
