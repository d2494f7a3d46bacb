/*
 * respite - the model rebuilt at start-up.
 *
 * Start-up reads only the events the live model needs: those whose event
 * time is within ADVISE_FORGET_IDLE_MS (36 h, the model's longest window)
 * before now, in the order received (store_foreach_event_since(): the
 * rows received since the cut less the clock skew ingest allows and
 * REBUILD_CLOCK_STEP_MS, found by a binary search over seq; no index on
 * event time, which every out-of-order insert paid for).  So it takes as
 * long with 30 days stored as with 2; a past replayed in the last 36 h is
 * read too, and passed over.  What an agent of the window brings from before it is read for
 * that agent alone, at its first event in the window, with bounded
 * queries (store_agent_before()):
 *
 *  - its status, break, live contacts and stretch of work: its events
 *    since its last logout before the cut (a logout ends all of them),
 *    or, with no logout in the 36 h before the cut, since then, after
 *    the status event in force at that time;
 *  - its team and time zone: its last status event naming them;
 *  - its open tickets: the assignments table, which the triggers of
 *    store.c keep over every stored event as agent_apply() counts them
 *    (store_open_assignments()), set once the window is read.
 *
 * An agent with no event in the window was idle for 36 h: it is not
 * rebuilt, as advise_forget() would forget it right after, and its open
 * suggestions expire as they would have (advise_restore_suggestion()).
 * Its events stay stored (GET /v1/agents/{id} reads its last team).
 * Suggestions come from their own table; duplicates are the events
 * table's UNIQUE id, whatever start-up reads.
 *
 * Approximations (each needs events far out of order, an agent that
 * never logs out, or a half-life of hours): an event older than the cut
 * received after the agent's first event in the window is applied before
 * the window instead of in its place; an agent with no logout in the 36 h
 * before the cut loses the live contacts it opened before them; a hostile
 * message before the agent's last logout before the cut no longer counts
 * in its exposure (at now it is 36 h old or more: 2^-72 of its severity
 * at the default half-life; more only for the level restored at an idle
 * agent's newest event); an agent idle 36 h is not kept for an exposure
 * still above advise_forget()'s floor (exposure_half_life_min of many
 * hours); the aggregate snapshot taken while the window is read counts
 * the window's open tickets only.
 */
#include "build.h"

#include <stdlib.h>

#include "advise.h"
#include "rebuild.h"
#include "store.h"

/* How far back the daemon's clock may have stepped within the window. */
#define REBUILD_CLOCK_STEP_MS	(10 * 60 * 1000)

struct rebuild {
	struct store			*store;
	struct agents			*agents;
	const struct model_params	*mp;
	int64_t				 cut;
	rebuild_clock_cb		 clock;
	void				*arg;
	struct rebuild_stats		*stats;
	char				*cause;
	int				 failed;
};

static int
seed_cb(const struct respite_event *ev, void *arg)
{
	struct rebuild	*r = arg;

	agents_apply(r->agents, ev, r->mp);
	r->stats->seeded++;
	return (0);
}

static int
window_cb(const struct respite_event *ev, void *arg)
{
	struct rebuild	*r = arg;
	int64_t		 from;

	if (agents_get(r->agents, ev->agent) == NULL) {
		if (store_agent_before(r->store, ev->agent, r->cut,
		    ADVISE_FORGET_IDLE_MS, seed_cb, r, &from, &r->cause) == -1) {
			r->failed = 1;
			return (1);
		}
		r->stats->agents++;
	}
	if (r->clock != NULL)
		r->clock(ev, r->arg);
	agents_apply(r->agents, ev, r->mp);
	r->stats->events++;
	return (0);
}

static int
open_cb(const char *agent, const char *ticket, void *arg)
{
	struct rebuild	*r = arg;
	struct agent	*a;

	if ((a = agents_get(r->agents, agent)) != NULL) {
		agent_open_add(a, ticket);
		r->stats->open++;
	}
	return (0);
}

/*
 * Rebuild agents (empty) from the store as of now: see above.  skew_ms is
 * how far into the future ingest takes an event's time.  clock, if
 * not NULL, is called before each event of the window is applied.
 * Returns 0, or -1 with *cause set.
 */
int
rebuild_model(struct store *st, struct agents *agents,
    const struct model_params *mp, int64_t now, int64_t skew_ms,
    rebuild_clock_cb clock, void *arg, struct rebuild_stats *stats,
    char **cause)
{
	struct rebuild	  r;
	struct agent	**v;
	size_t		  n, k;

	stats->events = stats->seeded = stats->agents = stats->open = 0;
	r.store = st;
	r.agents = agents;
	r.mp = mp;
	r.cut = now - ADVISE_FORGET_IDLE_MS;
	r.clock = clock;
	r.arg = arg;
	r.stats = stats;
	r.cause = NULL;
	r.failed = 0;
	if (store_foreach_event_since(st, r.cut,
	    skew_ms + REBUILD_CLOCK_STEP_MS, window_cb, &r, cause) == -1)
		return (-1);
	if (r.failed) {
		*cause = r.cause;
		return (-1);
	}
	v = agents_sorted(agents, &n);
	for (k = 0; k < n; k++)
		agent_open_reset(v[k]);
	free(v);
	return (store_open_assignments(st, open_cb, &r, cause));
}
