/*
 * respite - suggestions as data.
 *
 * The suggestion object of API.md and back.  The JSON written here is
 * also what the suggestions table stores (its body column), so a restart
 * restores exactly what clients saw; the few fields clients do not need
 * (snooze count, answer time) travel along as documented extensions.
 */
#include "build.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "suggest.h"
#include "timeutil.h"

static const char *const kind_names[SK_COUNT] = {
	"micro_break", "rest_break", "recovery_break", "rebalance",
	"team_overload", "wellbeing_check"
};
static const char *const status_names[SS_COUNT] = {
	"open", "accepted", "snoozed", "dismissed", "expired"
};
static const char *const priority_names[] = { "normal", "high", "urgent" };

int
sugg_is_agent_kind(enum sugg_kind k)
{
	return (k == SK_MICRO_BREAK || k == SK_REST_BREAK ||
	    k == SK_RECOVERY_BREAK);
}

/*
 * Who a suggestion is for: "agent" (the breaks; a wellbeing_check in
 * aggregate privacy mode) or "lead".
 */
const char *
sugg_audience(const struct suggestion *s)
{
	return (sugg_is_agent_kind(s->kind) || (s->kind == SK_WELLBEING_CHECK &&
	    s->to_agent) ? "agent" : "lead");
}

/* Open or snoozed: still waiting for an answer. */
int
sugg_is_active(const struct suggestion *s)
{
	return (s->status == SS_OPEN || s->status == SS_SNOOZED);
}

const char *
sugg_kind_name(enum sugg_kind k)
{
	return (k < SK_COUNT ? kind_names[k] : "unknown");
}

int
sugg_kind_parse(const char *name)
{
	int	k;

	for (k = 0; k < SK_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return (k);
	return (-1);
}

const char *
sugg_status_name(enum sugg_status st)
{
	return (st < SS_COUNT ? status_names[st] : "unknown");
}

int
sugg_status_parse(const char *name)
{
	int	s;

	for (s = 0; s < SS_COUNT; s++)
		if (strcmp(status_names[s], name) == 0)
			return (s);
	return (-1);
}

const char *
sugg_priority_name(enum sugg_priority p)
{
	return (p <= SP_URGENT ? priority_names[p] : "normal");
}

void
sugg_format_id(int64_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "s-%06" PRId64, seq);
}

/* Returns the numeric id of "s-000123", or -1. */
int64_t
sugg_parse_id(const char *id)
{
	char		*end;
	long long	 v;

	if (strncmp(id, "s-", 2) != 0 || id[2] < '0' || id[2] > '9')
		return (-1);
	errno = 0;
	v = strtoll(id + 2, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return (-1);
	return ((int64_t)v);
}

static json_t *
time_or_null(int64_t ms)
{
	char	buf[TIME_RFC3339_LEN];

	if (ms <= 0)
		return (json_null());
	return (json_string(time_format_rfc3339(ms, buf, sizeof buf)));
}

/* The API object (new reference). */
json_t *
sugg_json(const struct suggestion *s)
{
	char	 id[32];
	json_t	*o, *move;
	int	 left;

	sugg_format_id(s->seq, id, sizeof id);
	/* How many more snoozes respited takes (clients hide Snooze at 0). */
	left = s->status == SS_OPEN && s->snooze_max > s->snoozes ?
	    s->snooze_max - s->snoozes : 0;
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:i, s:s, s:s, "
	    "s:o, s:i, s:i, s:o, s:o}",
	    "id", id,
	    "kind", sugg_kind_name(s->kind),
	    "agent", s->agent[0] != '\0' ? json_string(s->agent) : json_null(),
	    "team", s->team[0] != '\0' ? json_string(s->team) : json_null(),
	    "created_at", time_or_null(s->created_at),
	    "status", sugg_status_name(s->status),
	    "priority", sugg_priority_name(s->priority),
	    "minutes", s->minutes,
	    "reason", s->reason,
	    "audience", sugg_audience(s),
	    "updated_at", time_or_null(s->updated_at),
	    "snoozes", s->snoozes,
	    "snoozes_left", left,
	    "snoozed_until", s->status == SS_SNOOZED ?
	    time_or_null(s->snooze_until) : json_null(),
	    "answered_at", time_or_null(s->answered_at));
	if (s->kind == SK_REBALANCE) {
		json_object_set_new(o, "from", json_string(s->from));
		json_object_set_new(o, "to", json_string(s->to));
		if (s->move_channel != RESPITE_CH_NONE)
			move = json_pack("{s:s, s:i}", "channel",
			    event_channel_name(s->move_channel), "minutes",
			    s->move_minutes);
		else
			move = json_pack("{s:i}", "tickets", s->move_tickets);
		json_object_set_new(o, "move", move);
	}
	return (o);
}

static int64_t
get_time(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);
	int64_t	 ms;

	if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v),
	    &ms) == -1)
		return (0);
	return (ms);
}

static void
get_str(json_t *o, const char *key, char *dst, size_t len)
{
	json_t	*v = json_object_get(o, key);

	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) :
	    "");
}

/* Parse what sugg_json wrote.  Returns 0 or -1. */
int
sugg_from_json(json_t *o, struct suggestion *s)
{
	char	buf[64];
	json_t	*move;
	int	k, st;

	memset(s, 0, sizeof *s);
	get_str(o, "id", buf, sizeof buf);
	if ((s->seq = sugg_parse_id(buf)) <= 0)
		return (-1);
	get_str(o, "kind", buf, sizeof buf);
	if ((k = sugg_kind_parse(buf)) < 0)
		return (-1);
	s->kind = (enum sugg_kind)k;
	get_str(o, "status", buf, sizeof buf);
	if ((st = sugg_status_parse(buf)) < 0)
		return (-1);
	s->status = (enum sugg_status)st;
	get_str(o, "priority", buf, sizeof buf);
	s->priority = strcmp(buf, "urgent") == 0 ? SP_URGENT :
	    strcmp(buf, "high") == 0 ? SP_HIGH : SP_NORMAL;
	get_str(o, "agent", s->agent, sizeof s->agent);
	get_str(o, "team", s->team, sizeof s->team);
	get_str(o, "reason", s->reason, sizeof s->reason);
	s->created_at = get_time(o, "created_at");
	s->updated_at = get_time(o, "updated_at");
	s->answered_at = get_time(o, "answered_at");
	s->snooze_until = get_time(o, "snoozed_until");
	s->snoozes = (int)json_integer_value(json_object_get(o, "snoozes"));
	s->snooze_max = s->snoozes + (int)json_integer_value(
	    json_object_get(o, "snoozes_left"));
	s->minutes = (int)json_integer_value(json_object_get(o, "minutes"));
	get_str(o, "audience", buf, sizeof buf);
	s->to_agent = s->kind == SK_WELLBEING_CHECK &&
	    strcmp(buf, "agent") == 0;
	if (s->kind == SK_REBALANCE) {
		get_str(o, "from", s->from, sizeof s->from);
		get_str(o, "to", s->to, sizeof s->to);
		move = json_object_get(o, "move");
		s->move_tickets = (int)json_integer_value(json_object_get(move,
		    "tickets"));
		get_str(move, "channel", buf, sizeof buf);
		s->move_channel = *buf != '\0' ? event_channel_parse(buf) :
		    RESPITE_CH_NONE;
		s->move_minutes = (int)json_integer_value(json_object_get(move,
		    "minutes"));
	}
	return (0);
}

/*
 * A rebalance's reason as aggregate privacy mode words it: the work to
 * move and who takes it, no score (MODEL.md "Privacy modes").
 */
void
sugg_reason_aggregate(const struct suggestion *s, char *buf, size_t len)
{
	const char	*ch;

	if (s->move_channel != RESPITE_CH_NONE) {
		ch = event_channel_name(s->move_channel);
		snprintf(buf, len, "%s is receiving hostile messages on %s; "
		    "%s takes %s for %d minutes", s->from, ch, s->to, ch,
		    s->move_minutes);
	} else
		snprintf(buf, len, "%s holds more open tickets than most of "
		    "the team: %s takes %d of them", s->from, s->to,
		    s->move_tickets);
}

/*
 * What a lead in aggregate privacy mode may see of suggestion o (the API
 * object, changed in place), whenever and in whichever mode it was
 * raised: 0 to withhold it.  A wellbeing_check for the lead, raised
 * before the mode was switched on, is one person's trend: withheld.  A
 * rebalance gets the aggregate reason, without the strain it may name.
 */
int
sugg_for_aggregate_lead(json_t *o)
{
	struct suggestion	s;
	char			reason[SUGG_REASON_MAX];

	if (sugg_from_json(o, &s) == -1)
		return (0);
	if (strcmp(sugg_audience(&s), "lead") != 0 ||
	    s.kind == SK_WELLBEING_CHECK)
		return (0);
	if (s.kind == SK_REBALANCE) {
		sugg_reason_aggregate(&s, reason, sizeof reason);
		json_object_set_new(o, "reason", json_string(reason));
	}
	return (1);
}
