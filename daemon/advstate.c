/*
 * respite - the advisor's own state as stored (advstate.h).
 *
 * An agent's row: {"eval_at", "high_since", "rebalance_at", "severe_at",
 * "severe_sev", "candidates": [{"kind", "priority", "minutes", "reason",
 * "raised", "ticket", "hold_until"}]}, times in epoch ms; a team's:
 * {"eval_at", "overload_since"}.  Reasons are the advisor's own words
 * (figures, never message text).  A row that does not parse is ignored
 * by its caller with a warning: the state is then what start-up rebuilt.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "advstate.h"

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 1099511628211ULL;
	}
	return (h);
}

static uint64_t
fnv_i64(uint64_t h, int64_t v)
{
	unsigned char	b[8];
	int		i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	return (fnv(h, b, sizeof b));
}

/*
 * A fingerprint of what must be stored: it changes when a candidate,
 * high_since or the last severe message does (not with eval_at and
 * rebalance_at alone, which every minute moves).  0 for nothing to keep.
 */
uint64_t
advstate_agent_sig(const struct advstate_agent *s)
{
	uint64_t	h = 14695981039346656037ULL;
	int		k, any = s->high_since != 0 || s->severe_at != 0;

	h = fnv_i64(h, s->high_since);
	h = fnv_i64(h, s->severe_at);
	h = fnv_i64(h, (int64_t)(s->severe_sev * 1e6));
	for (k = 0; k < SK_COUNT; k++) {
		const struct candidate	*c = s->cand[k];

		h = fnv_i64(h, c != NULL);
		if (c == NULL)
			continue;
		any = 1;
		h = fnv_i64(h, c->priority);
		h = fnv_i64(h, c->minutes);
		h = fnv_i64(h, c->raised);
		h = fnv_i64(h, c->hold_until);
		h = fnv(h, c->ticket, strlen(c->ticket) + 1);
		h = fnv(h, c->reason, strlen(c->reason) + 1);
	}
	return (any ? (h != 0 ? h : 1) : 0);
}

json_t *
advstate_agent_json(const struct advstate_agent *s)
{
	json_t	*o, *a;
	int	 k;

	a = json_array();
	for (k = 0; k < SK_COUNT; k++) {
		const struct candidate	*c = s->cand[k];

		if (c == NULL)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:s, "
		    "s:I, s:s, s:I}", "kind", sugg_kind_name(k),
		    "priority", (int)c->priority, "minutes", c->minutes,
		    "reason", c->reason, "raised", (json_int_t)c->raised,
		    "ticket", c->ticket, "hold_until",
		    (json_int_t)c->hold_until));
	}
	o = json_pack("{s:I, s:I, s:I, s:I, s:f, s:o}",
	    "eval_at", (json_int_t)s->eval_at,
	    "high_since", (json_int_t)s->high_since,
	    "rebalance_at", (json_int_t)s->rebalance_at,
	    "severe_at", (json_int_t)s->severe_at,
	    "severe_sev", s->severe_sev, "candidates", a);
	return (o);
}

static int
time_ok(json_int_t t)
{
	return (t >= 0 && t <= (json_int_t)INT64_C(253402300799999));
}

static int
candidate_parse(json_t *o, struct advstate_agent *s, struct candidate *cand)
{
	const char	*kind, *reason, *ticket;
	json_int_t	 raised, hold;
	int		 prio, minutes, k;

	if (json_unpack(o, "{s:s, s:i, s:i, s:s, s:I, s:s, s:I}", "kind",
	    &kind, "priority", &prio, "minutes", &minutes, "reason", &reason,
	    "raised", &raised, "ticket", &ticket, "hold_until", &hold) != 0)
		return (-1);
	k = sugg_kind_parse(kind);
	if (k < 0 || !sugg_is_agent_kind((enum sugg_kind)k) ||
	    s->cand[k] != NULL || prio < SP_NORMAL || prio > SP_URGENT ||
	    minutes < 0 || minutes > 24 * 60 || !time_ok(raised) ||
	    !time_ok(hold) || strlen(reason) >= sizeof cand[k].reason ||
	    strlen(ticket) >= sizeof cand[k].ticket)
		return (-1);
	memset(&cand[k], 0, sizeof cand[k]);
	cand[k].priority = (enum sugg_priority)prio;
	cand[k].minutes = minutes;
	snprintf(cand[k].reason, sizeof cand[k].reason, "%s", reason);
	cand[k].raised = raised;
	snprintf(cand[k].ticket, sizeof cand[k].ticket, "%s", ticket);
	cand[k].hold_until = hold;
	s->cand[k] = &cand[k];
	return (0);
}

/*
 * Parse an agent's row into *s; its candidates go to cand[SK_COUNT]
 * (s->cand points there).  0, or -1 if the row is not one.
 */
int
advstate_agent_parse(const char *body, struct advstate_agent *s,
    struct candidate *cand)
{
	json_t		*o, *a, *c;
	json_int_t	 eval_at, high, reb, sev_at;
	size_t		 i;
	int		 rc = -1;

	memset(s, 0, sizeof *s);
	if ((o = json_loads(body, 0, NULL)) == NULL)
		return (-1);
	if (json_unpack(o, "{s:I, s:I, s:I, s:I, s:F, s:o}", "eval_at",
	    &eval_at, "high_since", &high, "rebalance_at", &reb, "severe_at",
	    &sev_at, "severe_sev", &s->severe_sev, "candidates", &a) != 0 ||
	    !json_is_array(a) || !time_ok(eval_at) || !time_ok(high) ||
	    !time_ok(reb) || !time_ok(sev_at) || !(s->severe_sev >= 0 &&
	    s->severe_sev <= 1))
		goto out;
	s->eval_at = eval_at;
	s->high_since = high;
	s->rebalance_at = reb;
	s->severe_at = sev_at;
	json_array_foreach(a, i, c)
		if (candidate_parse(c, s, cand) == -1)
			goto out;
	rc = 0;
out:
	json_decref(o);
	if (rc == -1)
		memset(s, 0, sizeof *s);
	return (rc);
}

json_t *
advstate_team_json(const struct advstate_team *s)
{
	return (json_pack("{s:I, s:I}", "eval_at", (json_int_t)s->eval_at,
	    "overload_since", (json_int_t)s->overload_since));
}

int
advstate_team_parse(const char *body, struct advstate_team *s)
{
	json_t		*o;
	json_int_t	 eval_at, since;
	int		 rc = -1;

	memset(s, 0, sizeof *s);
	if ((o = json_loads(body, 0, NULL)) == NULL)
		return (-1);
	if (json_unpack(o, "{s:I, s:I}", "eval_at", &eval_at,
	    "overload_since", &since) == 0 && time_ok(eval_at) &&
	    time_ok(since)) {
		s->eval_at = eval_at;
		s->overload_since = since;
		rc = 0;
	}
	json_decref(o);
	return (rc);
}
