/*
 * respite - GET /v1/stream: Server-Sent Events of one agent or one team.
 *
 * Checks the request and hands the connection to dispatch.c, which
 * answers it (200 and the stream, or 503 when max_subscribers is
 * reached, 429 when its token holds max_streams_per_token already).  A
 * stream lives no longer than its right to be read: when the tokens are
 * reloaded (SIGHUP, or the watch of the file) or the privacy mode changes,
 * api_stream_recheck() ends those of a token revoked, of a role changed,
 * and a lead's when the privacy mode changed.  (Tokens have no expiry.)
 * An agent not seen yet may be subscribed to: a desktop client
 * starts before its agent's first event.  Where a stream resumes comes
 * from the Last-Event-ID header, or from ?last_event_id= for clients that
 * cannot set headers (EventSource in a browser sets it only when it
 * reconnects by itself).
 */
#include "build.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "dispatch.h"
#include "event.h"
#include "log.h"
#include "query.h"
#include "stats.h"
#include "timeutil.h"

static const char R_STREAM[] = "/v1/stream";

/* A non-negative decimal integer that fits int64_t, else -1. */
static int64_t
parse_event_id(const char *s)
{
	int64_t	v;

	return (query_parse_int(s, 0, INT64_MAX, &v) == 0 ? v : -1);
}

void
api_stream(struct api *api, struct http_conn *c,
    const struct http_request *req)
{
	char		 agent[RESPITE_NAME_MAX + 2], team[RESPITE_NAME_MAX + 2];
	char		 num[32];
	const char	*v, *field, *role;
	int		 has_agent, has_team, rc;
	int64_t		 last_id = -1;
	struct dispatch_owner owner;
	int		 status;

	if (strcmp(req->method, "GET") != 0) {
		api_method_not_allowed(c, R_STREAM, "GET");
		return;
	}
	has_agent = http_query_get(req->query, "agent", agent, sizeof agent);
	if (has_agent == -1 || (has_agent == 1 && !event_name_valid(agent))) {
		api_fail(c, R_STREAM, 400, "invalid_request", "agent",
		    "agent: must be 1-64 chars of [A-Za-z0-9._@-]");
		return;
	}
	has_team = http_query_get(req->query, "team", team, sizeof team);
	if (has_team == -1 || (has_team == 1 && !event_name_valid(team))) {
		api_fail(c, R_STREAM, 400, "invalid_request", "team",
		    "team: must be 1-64 chars of [A-Za-z0-9._@-]");
		return;
	}
	if (has_agent == 1 && has_team == 1) {
		api_fail(c, R_STREAM, 400, "invalid_request", "team",
		    "give either agent or team, not both");
		return;
	}
	if (has_agent != 1 && has_team != 1) {
		api_fail(c, R_STREAM, 400, "invalid_request", "agent",
		    "agent or team is required: /v1/stream?agent=ID or "
		    "?team=T");
		return;
	}

	field = "Last-Event-ID";
	if ((v = http_header_get(req, "Last-Event-ID")) == NULL) {
		field = "last_event_id";
		rc = http_query_get(req->query, "last_event_id", num,
		    sizeof num);
		v = rc == 1 ? num : rc == -1 ? "" : NULL;
	}
	if (v != NULL && (last_id = parse_event_id(v)) == -1) {
		api_fail(c, R_STREAM, 400, "invalid_request", field, "%s: "
		    "must be the id of an event received, a non-negative "
		    "integer", field);
		return;
	}

	/* Who may listen: API.md's roles; existence does not leak. */
	if (has_agent == 1) {
		struct agent	*a = agents_get(api->agents, agent);

		if (!auth_may_read_agent(&api->who, agent, a != NULL ?
		    agent_team(a) : "") || api_lead_aggregate(api)) {
			api_forbidden(c, R_STREAM, "this token may not read "
			    "that agent");
			return;
		}
	} else if (!auth_may_read_team(&api->who, team)) {
		api_forbidden(c, R_STREAM, "this token may not read that "
		    "team");
		return;
	}
	api_audit(api, req, has_agent == 1 ? agent : "", time_now_ms());

	/* dispatch_subscribe answers. */
	memset(&owner, 0, sizeof owner);
	role = api->who.role != NULL && api->auth != NULL ?
	    auth_token_role(api->auth, api->who.hash) : NULL;
	if (role != NULL) {
		memcpy(owner.token, api->who.hash, sizeof owner.token);
		snprintf(owner.role, sizeof owner.role, "%s", role);
	}
	status = dispatch_subscribe(api->dispatch, c, has_agent == 1 ? agent :
	    NULL, has_team == 1 ? team : NULL, last_id, api_lead_aggregate(api),
	    role != NULL ? &owner : NULL);
	if (status == 429 || status == 503)
		stats_reject(status == 429 ? "rate_limited" : "unavailable");
	if (status != 0)
		stats_http(R_STREAM, status);
}

/* dispatch_keep_cb: may this stream still be read? */
static int
stream_keep_cb(const struct dispatch_owner *o, int aggregate, void *arg)
{
	struct api	*api = arg;
	const char	*role;

	if (o == NULL)		/* open mode: as long as it stays open */
		return (auth_is_open(api->auth));
	if ((role = auth_token_role(api->auth, o->token)) == NULL ||
	    strcmp(role, o->role) != 0)
		return (0);
	if (strncmp(role, "lead:", 5) == 0 &&
	    aggregate != (api->cf->lead_aggregate != 0))
		return (0);
	return (1);
}

/*
 * The tokens or the configuration were reloaded: end the streams that
 * may no longer be read (API.md: within a second; this is at once).
 */
void
api_stream_recheck(void *arg)
{
	struct api	*api = arg;
	size_t		 n;

	if (api->dispatch == NULL || api->auth == NULL)
		return;
	if ((n = dispatch_close_if(api->dispatch, stream_keep_cb, api)) > 0)
		log_info("stream: %zu streams ended: no longer authorized", n);
}
