/*
 * respite - GET /v1/me: who the token is (API.md "Who am I, and the
 * agent's page").
 *
 * {"role": "agent", "agent": "alice"}, {"role": "lead", "teams": [...]},
 * {"role": "ingest"} or {"role": "admin"} (also every request in open
 * mode).  Any valid token may ask; without one the route table has
 * already answered 401.  It reads nothing of the request but its
 * principal, so there is no input to check, and nothing is audited: a
 * token learns only what it is.
 */
#include "build.h"

#include "api_handlers.h"

void
api_me(struct api *api, struct http_conn *c)
{
	const struct principal	*who = &api->who;
	const struct token_role	*r = who->role;
	json_t			*o, *teams;
	size_t			 i;

	switch (who->kind) {
	case TOKEN_INGEST:
		o = json_pack("{s:s}", "role", "ingest");
		break;
	case TOKEN_AGENT:
		o = json_pack("{s:s, s:s}", "role", "agent", "agent",
		    r != NULL ? r->agent : "");
		break;
	case TOKEN_LEAD:
		teams = json_array();
		for (i = 0; r != NULL && i < r->nteams; i++)
			json_array_append_new(teams, json_string(r->teams[i]));
		o = json_pack("{s:s, s:o}", "role", "lead", "teams", teams);
		break;
	case TOKEN_ADMIN:
	default:
		o = json_pack("{s:s}", "role", "admin");
		break;
	}
	api_reply_json(c, API_R_ME, 200, o);
}
