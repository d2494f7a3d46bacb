/*
 * respite - sinks: each stored suggestion change, handed to the sink
 * plugins (ARCHITECTURE.md step 6, beside the SSE stream).
 *
 * The outbox calls sinks_outbox_cb() once the change is committed, so a
 * sink never hears of a suggestion a restart could take back.  Here the
 * daemon's struct suggestion becomes the ABI's struct respite_suggestion
 * (plugin.h), with its API JSON and what kind of change it was.
 */
#include "build.h"

#include <string.h>

#include "plugins.h"
#include "sinks.h"
#include "suggest.h"

/* What changed, from the suggestion's state after the change. */
const char *
sinks_change_name(const struct suggestion *s)
{
	switch (s->status) {
	case SS_OPEN:
		return (s->updated_at == s->created_at ? "raised" :
		    "reopened");
	case SS_EXPIRED:
		return ("expired");
	default:
		return ("answered");
	}
}

/* The outbox's callback: json is the object it stored for s. */
void
sinks_outbox_cb(const struct suggestion *s, const char *json, void *arg)
{
	const struct plugins		*ps = arg;
	struct respite_suggestion	 rs;
	char				 id[32];

	if (json == NULL || plugins_count(ps, RESPITE_PLUGIN_SINK) == 0)
		return;
	sugg_format_id(s->seq, id, sizeof id);
	memset(&rs, 0, sizeof rs);
	rs.id = id;
	rs.kind = sugg_kind_name(s->kind);
	rs.agent = s->agent;
	rs.team = s->team;
	rs.status = sugg_status_name(s->status);
	rs.priority = sugg_priority_name(s->priority);
	rs.audience = sugg_is_agent_kind(s->kind) ? "agent" : "lead";
	rs.reason = s->reason;
	rs.minutes = s->minutes;
	rs.created_ms = s->created_at;
	rs.json = json;
	rs.json_len = strlen(json);
	rs.updated_ms = s->updated_at;
	rs.change = sinks_change_name(s);
	plugins_deliver(ps, &rs);
}
