/*
 * respite - the advisor.
 *
 * Turns each agent's state into suggestions by the rules of MODEL.md:
 * recovery, micro and rest breaks for the agent; rebalancing and team
 * overload for the lead.  It runs on event time.  Before an agent's event
 * is applied, the agent is "advanced" to the event's time: the rules are
 * evaluated at every whole minute since the last evaluation, as the live
 * minute timer would have done.  Live agents (whose newest event arrived
 * in real time) are advanced by advise_tick() from a wall-clock timer at
 * each minute.  An agent in a team is advanced with its whole team, each
 * minute every member first, then the lead rules, so those always see
 * all teammates as of the same minute.  Either way the rules see the
 * same times, so replaying a recorded day gives the suggestions living
 * through it gave.
 *
 * A suggestion exists from the moment it is released.  Before that it is
 * a candidate: a recovery break waiting for the agent's conversation to
 * end, or any break waiting under the hourly cap.  Every change that
 * clients see goes to the outbox, which stores it and then publishes it.
 * Nothing here reads the clock: `now` is always passed in.
 */
#include "build.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strhash.h"
#include "advise.h"
#include "advstate.h"
#include "aggview.h"
#include "days.h"
#include "event.h"
#include "log.h"
#include "stats.h"
#include "timeutil.h"
#include "xmalloc.h"

#define RELEASES_KEPT	64	/* release times kept (>= max_per_hour) */
#define SCORE_SLOTS	101	/* scores are 0..100 (strain.h) */
#define CATCHUP_MAX_MIN	(24 * 60)	/* longest catch-up, in minutes */
#define IDLE_MAX_MS	(12 * MS_PER_HOUR)	/* no timers after this */
/* advise.h: past the hour, the day of hostile messages, IDLE_MAX_MS. */
#define FORGET_IDLE_MS	ADVISE_FORGET_IDLE_MS
#define FORGET_EXPOSURE	0.001	/* and exposure decayed below this */

struct adv_team;

/* A teammate the rebalance search may pick (rebalance_view()). */
struct rb_cand {
	struct adv_agent	*aa;
	long			 open;
	unsigned		 channels;	/* bit c: agent_uses_channel() */
};

struct adv_agent {
	struct advise		*adv;
	struct agent		*agent;
	struct adv_team		*team;
	int64_t			 eval_at;	/* last evaluation, event time */
	int			 strain;
	enum strain_level	 level;
	int64_t			 high_since;	/* 0: below high */
	int64_t			 rebalance_at;	/* minute of the last search */
	enum agent_status	 status;	/* as last published */
	int			 live;
	int64_t			 severe_at;	/* last message >= recovery_severity */
	double			 severe_sev;
	struct suggestion	*active[SK_COUNT];	/* open or snoozed */
	struct candidate	*cand[SK_COUNT];
	int64_t			*released;	/* RELEASES_KEPT, once one */
	int			 nreleased;
	int64_t			 dismissed_at[SK_COUNT];
	int			 forget;	/* advise_forget() */
	int			 touched;	/* in adv->touched */
	uint64_t		 saved_sig;	/* advstate_agent_sig() stored */
};

struct adv_team {
	char			  name[RESPITE_NAME_MAX + 1];
	struct adv_agent	**members;
	size_t			  nmembers, cap;
	int64_t			  eval_at;
	int64_t			  overload_since;
	int64_t			  saved_overload;	/* as stored */
	struct suggestion	 *overload;
	int64_t			  overload_dismissed;
	int64_t			  members_at;	/* see team_advance() */
	int			  members_done;
	/* Members not offline, by strain (see team_count()). */
	size_t			  hist[SCORE_SLOTS];
	size_t			  npresent;
	/* The rebalance search's view of the team (rebalance_view()). */
	uint64_t		  view_gen;
	int64_t			  view_now;
	long			  view_med2;
	struct rb_cand		 *cands;	/* sorted best first */
	size_t			  ncands, candcap;
	size_t			  first[RESPITE_CH_COUNT];	/* by channel */
	long			 *open;		/* scratch for the median */
	size_t			  opencap;
};

struct advise {
	struct agents		 *agents;
	struct outbox		 *outbox;
	struct model_params	  mp;
	struct advise_params	  p;
	int64_t			  next_seq;
	struct adv_team		**teams;
	size_t			  nteams;
	size_t			 *team_slots;	/* open addressing: index + 1 */
	size_t			  nslots;	/* a power of 2, > 2 nteams */
	struct adv_agent	**all;		/* every agent with state */
	size_t			  nall, allcap;
	uint64_t		  gen;		/* bumped by every change */
	const struct aggview	 *aggview;	/* a lead's team figures */
	/* Restored open suggestions of agents not in the model. */
	struct suggestion	**orphans;
	size_t			  norphans;
	struct days		 *days;		/* agent days, or NULL */
	/* Evaluated since the last advise_flush(). */
	struct adv_agent	**touched;
	size_t			  ntouched, touchedcap;
	int			  teams_moved;	/* an overload start */
	/* Open or snoozed wellbeing_checks (NULL: answered since). */
	struct suggestion	**wb;
	size_t			  nwb;
};

static void	evaluate(struct adv_agent *, int64_t);

/* Write a reason (SUGG_REASON_MAX bytes), cut if it must be. */
static void __attribute__((format(printf, 2, 3)))
reasonf(char *dst, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(dst, SUGG_REASON_MAX, fmt, ap);
	va_end(ap);
}

void
advise_params_default(struct advise_params *p)
{
	memset(p, 0, sizeof *p);
	strain_params_default(&p->strain);
	p->recovery_severity = 0.8;
	p->recovery_exposure = 1.5;
	p->recovery_clear_exposure = 0.75;
	p->recovery_quiet_ms = 30 * MS_PER_MIN;
	p->recovery_hold_ms = 10 * MS_PER_MIN;
	p->recovery_min_minutes = 1;
	p->recovery_max_minutes = 5;
	p->micro_after_min = 50;
	p->micro_minutes = 5;
	p->rest_after_min = 110;
	p->rest_minutes = 15;
	p->rest_worked_min = 330;
	p->rest_break_min = 30;
	p->snooze_default_min = 10;
	p->snooze_max_min = 30;
	p->snooze_max_times = 2;
	p->dismiss_cooldown_ms = 20 * MS_PER_MIN;
	p->max_per_hour = 4;
	p->rebalance_after_ms = 10 * MS_PER_MIN;
	p->rebalance_min_open = 2;
	p->rebalance_max_move = 3;
	p->rebalance_channel_minutes = 30;
	p->overload_strain = 60;
	p->overload_after_ms = 15 * MS_PER_MIN;
	p->live_window_ms = 15 * MS_PER_MIN;
	p->min_group = 5;
}

struct advise *
advise_new(struct agents *agents, struct outbox *outbox,
    const struct model_params *mp, const struct advise_params *p,
    int64_t next_seq)
{
	struct advise	*adv;

	adv = xcalloc(1, sizeof *adv);
	adv->agents = agents;
	adv->outbox = outbox;
	adv->mp = *mp;
	adv->p = *p;
	adv->next_seq = next_seq > 0 ? next_seq : 1;
	return (adv);
}

/*
 * The snapshot of team figures a lead sees in aggregate privacy mode
 * (aggview.c): team_overload names its figures, never live ones.
 */
void
advise_set_aggview(struct advise *adv, const struct aggview *g)
{
	adv->aggview = g;
}

/* The agent days (days.c) count the suggestions raised and answered. */
void
advise_set_days(struct advise *adv, struct days *days)
{
	adv->days = days;
}

void
advise_set_params(struct advise *adv, const struct model_params *mp,
    const struct advise_params *p)
{
	size_t	i;
	int	k;

	adv->mp = *mp;
	adv->p = *p;
	/* A new snooze_max_times holds for the open ones too. */
	for (i = 0; i < adv->nall; i++)
		for (k = 0; k < SK_COUNT; k++)
			if (adv->all[i]->active[k] != NULL)
				adv->all[i]->active[k]->snooze_max =
				    p->snooze_max_times;
	adv->gen++;
}

static void
adv_agent_free(void *arg)
{
	struct adv_agent	*aa = arg;
	int			 k;

	stats_agent(aa->status, aa->level, -1);
	for (k = 0; k < SK_COUNT; k++) {
		free(aa->active[k]);
		free(aa->cand[k]);
	}
	free(aa->released);
	free(aa);
}

/* The agents keep their state (freed with them); this frees the rest. */
void
advise_free(struct advise *adv)
{
	size_t	i;

	if (adv == NULL)
		return;
	for (i = 0; i < adv->nteams; i++) {
		free(adv->teams[i]->members);
		free(adv->teams[i]->overload);
		free(adv->teams[i]->cands);
		free(adv->teams[i]->open);
		free(adv->teams[i]);
	}
	free(adv->teams);
	free(adv->team_slots);
	free(adv->all);
	free(adv->touched);
	for (i = 0; i < adv->norphans; i++)
		free(adv->orphans[i]);
	free(adv->orphans);
	for (i = 0; i < adv->nwb; i++)
		free(adv->wb[i]);
	free(adv->wb);
	free(adv);
}

/* The slot of name in adv->team_slots: its own, or the empty one for it. */
static size_t
team_slot(const struct advise *adv, const char *name)
{
	size_t	i = str_hash(name) & (adv->nslots - 1), k;

	while ((k = adv->team_slots[i]) != 0 &&
	    strcmp(adv->teams[k - 1]->name, name) != 0)
		i = (i + 1) & (adv->nslots - 1);
	return (i);
}

/* A team by name, by hash (a linear search was n^2 at 60,000 teams). */
static struct adv_team *
team_get(struct advise *adv, const char *name, int create)
{
	struct adv_team	*t;
	size_t		 k;

	if (adv->nslots > 0 &&
	    (k = adv->team_slots[team_slot(adv, name)]) != 0)
		return (adv->teams[k - 1]);
	if (!create)
		return (NULL);
	if (2 * (adv->nteams + 1) >= adv->nslots) {
		free(adv->team_slots);
		adv->nslots = adv->nslots == 0 ? 64 : adv->nslots * 2;
		adv->team_slots = xcalloc(adv->nslots,
		    sizeof *adv->team_slots);
		for (k = 0; k < adv->nteams; k++)
			adv->team_slots[team_slot(adv,
			    adv->teams[k]->name)] = k + 1;
	}
	t = xcalloc(1, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", name);
	adv->team_slots[team_slot(adv, name)] = adv->nteams + 1;
	adv->teams = xreallocarray(adv->teams, adv->nteams + 1,
	    sizeof *adv->teams);
	adv->teams[adv->nteams++] = t;
	return (t);
}

/*
 * Count aa in (sign 1) or out of (-1) its team's strain figures if it is
 * present (not offline).  Every change of a member's strain or status,
 * and every member coming or going, is made between the two through
 * set_strain(), set_status() and sync_team(), so the counts are always
 * those of the members now, and the lead rules, which run after every
 * event of a member, read the median and the p90 from them instead of
 * going over a team of hundreds.
 */
static void
team_count(struct adv_agent *aa, int sign)
{
	struct adv_team	*t = aa->team;
	int		 score = aa->strain;

	aa->adv->gen++;
	if (t == NULL || aa->status == AGENT_OFFLINE)
		return;
	score = score < 0 ? 0 : score >= SCORE_SLOTS ? SCORE_SLOTS - 1 : score;
	if (sign > 0) {
		t->hist[score]++;
		t->npresent++;
	} else {
		t->hist[score]--;
		t->npresent--;
	}
}

static void
set_strain(struct adv_agent *aa, int strain)
{
	team_count(aa, -1);
	aa->strain = strain;
	team_count(aa, 1);
}

static void
set_status(struct adv_agent *aa, enum agent_status status)
{
	team_count(aa, -1);
	stats_agent(aa->status, aa->level, -1);
	aa->status = status;
	stats_agent(aa->status, aa->level, 1);
	team_count(aa, 1);
}

/* The level, counted for /metrics (stats_agent()). */
static void
set_level(struct adv_agent *aa, enum strain_level level)
{
	stats_agent(aa->status, aa->level, -1);
	aa->level = level;
	stats_agent(aa->status, aa->level, 1);
}

static void
team_remove_member(struct adv_team *t, struct adv_agent *aa)
{
	size_t	i;

	for (i = 0; i < t->nmembers; i++) {
		if (t->members[i] == aa) {
			t->members[i] = t->members[--t->nmembers];
			return;
		}
	}
}

/* Keep aa in the member list of its agent's current team. */
static void
sync_team(struct adv_agent *aa)
{
	const char	*name = agent_team(aa->agent);
	struct adv_team	*t;

	if (aa->team != NULL && strcmp(aa->team->name, name) == 0)
		return;
	if (aa->team != NULL) {
		team_count(aa, -1);
		team_remove_member(aa->team, aa);
	}
	aa->team = NULL;
	if (*name == '\0')
		return;
	t = team_get(aa->adv, name, 1);
	if (t->nmembers == t->cap) {
		t->cap = t->cap == 0 ? 8 : t->cap * 2;
		t->members = xreallocarray(t->members, t->cap,
		    sizeof *t->members);
	}
	t->members[t->nmembers++] = aa;
	aa->team = t;
	team_count(aa, 1);
}

static struct adv_agent *
state_of(struct advise *adv, struct agent *a)
{
	struct adv_agent	*aa;

	if ((aa = agent_ext(a)) != NULL)
		return (aa);
	aa = xcalloc(1, sizeof *aa);
	aa->adv = adv;
	aa->agent = a;
	aa->status = AGENT_OFFLINE;
	stats_agent(aa->status, aa->level, 1);
	agent_set_ext(a, aa, adv_agent_free);
	if (adv->nall == adv->allcap) {
		adv->allcap = adv->allcap == 0 ? 64 : adv->allcap * 2;
		adv->all = xreallocarray(adv->all, adv->allcap,
		    sizeof *adv->all);
	}
	adv->all[adv->nall++] = aa;
	return (aa);
}

static const char *
team_name(const struct adv_agent *aa)
{
	return (agent_team(aa->agent));
}

/* Queue a suggestion's new state, published to the stream. */
static void
changed(struct advise *adv, struct suggestion *s, int64_t now)
{
	s->updated_at = now;
	s->snooze_max = adv->p.snooze_max_times;
	outbox_suggestion(adv->outbox, s, 1);
}

/* An RFC 3339 string for ms (new reference). */
static json_t *
time_json(int64_t ms)
{
	char	buf[TIME_RFC3339_LEN];

	return (json_string(time_format_rfc3339(ms, buf, sizeof buf)));
}

static void
publish_level(struct adv_agent *aa, enum strain_level prev, int64_t now)
{
	outbox_item(aa->adv->outbox, "level", agent_id(aa->agent),
	    team_name(aa), json_pack("{s:s, s:o, s:s, s:s, s:i, s:o}",
	    "agent", agent_id(aa->agent),
	    "team", *team_name(aa) != '\0' ? json_string(team_name(aa)) :
	    json_null(),
	    "level", strain_level_name(aa->level),
	    "previous", strain_level_name(prev),
	    "strain", aa->strain,
	    "at", time_json(now)), now);
}

static void
publish_status(struct adv_agent *aa, int64_t now)
{
	outbox_item(aa->adv->outbox, "agent", agent_id(aa->agent),
	    team_name(aa), json_pack("{s:s, s:o, s:s, s:o}",
	    "agent", agent_id(aa->agent),
	    "team", *team_name(aa) != '\0' ? json_string(team_name(aa)) :
	    json_null(),
	    "status", agent_status_name(agent_status(aa->agent)),
	    "at", time_json(now)), now);
}

static void
expire(struct advise *adv, struct suggestion **slot, int64_t now)
{
	struct suggestion	*s = *slot;
	int			 prev = (int)s->status;

	s->status = SS_EXPIRED;
	changed(adv, s, now);
	days_suggestion(adv->days, s, prev);
	free(s);
	*slot = NULL;
}

/* Releases to this agent in (now - 60 min, now]. */
static int
releases_last_hour(const struct adv_agent *aa, int64_t now)
{
	int	i, n = 0;

	for (i = 0; i < aa->nreleased; i++)
		if (aa->released[i] > now - MS_PER_HOUR &&
		    aa->released[i] <= now)
			n++;
	return (n);
}

static void
note_release(struct adv_agent *aa, int64_t t)
{
	if (aa->released == NULL)
		aa->released = xcalloc(RELEASES_KEPT, sizeof *aa->released);
	if (aa->nreleased == RELEASES_KEPT) {
		memmove(aa->released, aa->released + 1,
		    (RELEASES_KEPT - 1) * sizeof aa->released[0]);
		aa->nreleased--;
	}
	aa->released[aa->nreleased++] = t;
}

static int
in_cooldown(const struct advise *adv, int64_t dismissed_at, int64_t now)
{
	return (dismissed_at != 0 &&
	    now - dismissed_at < adv->p.dismiss_cooldown_ms);
}

/* Raise a candidate of kind k unless one is active, waiting or cooling. */
static void
raise_candidate(struct adv_agent *aa, enum sugg_kind k,
    enum sugg_priority prio, int minutes, const char *reason, int64_t now)
{
	struct candidate	*c;

	if (aa->active[k] != NULL || aa->cand[k] != NULL ||
	    in_cooldown(aa->adv, aa->dismissed_at[k], now))
		return;
	c = xcalloc(1, sizeof *c);
	c->priority = prio;
	c->minutes = minutes;
	c->raised = now;
	snprintf(c->reason, sizeof c->reason, "%s", reason);
	aa->cand[k] = c;
}

static void
drop_candidate(struct adv_agent *aa, enum sugg_kind k)
{
	free(aa->cand[k]);
	aa->cand[k] = NULL;
}

/* Release a candidate as an open suggestion. */
static void
release(struct adv_agent *aa, enum sugg_kind k, int64_t now)
{
	struct advise		*adv = aa->adv;
	struct candidate	*c = aa->cand[k];
	struct suggestion	*s;

	s = xcalloc(1, sizeof *s);
	s->seq = adv->next_seq++;
	s->kind = k;
	s->status = SS_OPEN;
	s->priority = c->priority;
	snprintf(s->agent, sizeof s->agent, "%s", agent_id(aa->agent));
	snprintf(s->team, sizeof s->team, "%s", team_name(aa));
	s->created_at = now;
	s->minutes = c->minutes;
	reasonf(s->reason, "%s", c->reason);
	aa->active[k] = s;
	drop_candidate(aa, k);
	note_release(aa, now);
	changed(adv, s, now);
	days_suggestion(adv->days, s, -1);
}

/* Has the agent had a natural break since t (MODEL.md)? */
static int
natural_break_since(const struct adv_agent *aa, int64_t t,
    const struct agent_metrics *m, int64_t now)
{
	const struct agent	*a = aa->agent;
	enum agent_status	 st = agent_status(a);

	if (agent_work_start(a) > t)
		return (1);	/* a new stretch of work began */
	/*
	 * A quiet gap of natural_break_min with no contact in progress is
	 * a natural break as soon as it is that long, not only once the
	 * next event starts a new stretch: at work, continuous work is 0
	 * exactly then (a break raised at t had 50 minutes or more).
	 */
	if (st == AGENT_WORKING && m->continuous_work_min == 0)
		return (1);
	/* A logout is one at once, a break once it lasted long enough. */
	if (st == AGENT_OFFLINE && agent_status_since(a) >= t)
		return (1);
	return (st != AGENT_WORKING && agent_status_since(a) >= t &&
	    now - agent_status_since(a) >= aa->adv->mp.natural_break_ms);
}

static int
recovery_cause_gone(const struct adv_agent *aa,
    const struct agent_metrics *m, int64_t now)
{
	return (m->hostility_exposure < aa->adv->p.recovery_clear_exposure &&
	    (aa->severe_at == 0 ||
	    now - aa->severe_at >= aa->adv->p.recovery_quiet_ms));
}

static int
rest_day_rule(const struct advise *adv, const struct agent_metrics *m)
{
	return (m->worked_today_min >= adv->p.rest_worked_min &&
	    m->minutes_on_break_today < adv->p.rest_break_min);
}

static int
recovery_minutes(const struct advise *adv, double sev, double exposure)
{
	double	x, a, b;

	a = (sev - adv->p.recovery_severity) /
	    (1.0 - adv->p.recovery_severity + 1e-9);
	b = (exposure - adv->p.recovery_exposure) /
	    (adv->p.recovery_exposure + 1e-9);
	x = a > b ? a : b;
	if (x < 0)
		x = 0;
	if (x > 1)
		x = 1;
	return (adv->p.recovery_min_minutes + (int)lround(x *
	    (adv->p.recovery_max_minutes - adv->p.recovery_min_minutes)));
}

static void
agent_rules(struct adv_agent *aa, const struct agent_metrics *m, int64_t now)
{
	struct advise	*adv = aa->adv;
	struct agent	*a = aa->agent;
	char		 reason[SUGG_REASON_MAX];
	int		 k, day;

	/* Snoozes that ended reopen; after the last one, priority rises. */
	for (k = 0; k < SK_COUNT; k++) {
		struct suggestion	*s = aa->active[k];

		if (s == NULL || s->status != SS_SNOOZED ||
		    now < s->snooze_until)
			continue;
		s->status = SS_OPEN;
		if (s->snoozes >= adv->p.snooze_max_times &&
		    s->priority < SP_URGENT)
			s->priority++;
		changed(adv, s, now);
		days_suggestion(adv->days, s, SS_SNOOZED);
	}

	/*
	 * A logout ends the shift: a break suggestion has nothing left to
	 * suggest (and a logout is a natural break anyway).
	 */
	if (agent_status(a) == AGENT_OFFLINE) {
		for (k = 0; k < SK_COUNT; k++) {
			if (!sugg_is_agent_kind(k))
				continue;
			if (aa->active[k] != NULL)
				expire(adv, &aa->active[k], now);
			drop_candidate(aa, k);
		}
		return;
	}

	/* Expiry: the condition that raised it is gone. */
	if (recovery_cause_gone(aa, m, now)) {
		if (aa->active[SK_RECOVERY_BREAK] != NULL)
			expire(adv, &aa->active[SK_RECOVERY_BREAK], now);
		drop_candidate(aa, SK_RECOVERY_BREAK);
	}
	if (aa->active[SK_MICRO_BREAK] != NULL && natural_break_since(aa,
	    aa->active[SK_MICRO_BREAK]->created_at, m, now))
		expire(adv, &aa->active[SK_MICRO_BREAK], now);
	if (aa->cand[SK_MICRO_BREAK] != NULL && natural_break_since(aa,
	    aa->cand[SK_MICRO_BREAK]->raised, m, now))
		drop_candidate(aa, SK_MICRO_BREAK);
	day = rest_day_rule(adv, m);
	if (aa->active[SK_REST_BREAK] != NULL && !day && natural_break_since(aa,
	    aa->active[SK_REST_BREAK]->created_at, m, now))
		expire(adv, &aa->active[SK_REST_BREAK], now);
	if (aa->cand[SK_REST_BREAK] != NULL && !day && natural_break_since(aa,
	    aa->cand[SK_REST_BREAK]->raised, m, now))
		drop_candidate(aa, SK_REST_BREAK);

	/* New candidates, only for an agent at work. */
	if (agent_status(a) == AGENT_WORKING) {
		if (m->hostility_exposure >= adv->p.recovery_exposure) {
			reasonf(reason, "%ld hostile messages "
			    "in the last hour (exposure %.1f)",
			    m->hostile_last_hour, m->hostility_exposure);
			raise_candidate(aa, SK_RECOVERY_BREAK, SP_HIGH,
			    recovery_minutes(adv, 0, m->hostility_exposure),
			    reason, now);
		}
		if (m->continuous_work_min >= adv->p.rest_after_min || day) {
			if (day)
				reasonf(reason, "worked %ldh%02ld "
				    "today with %ld minutes of breaks",
				    m->worked_today_min / 60,
				    m->worked_today_min % 60,
				    m->minutes_on_break_today);
			else
				reasonf(reason, "%ld minutes of "
				    "work without a break",
				    m->continuous_work_min);
			raise_candidate(aa, SK_REST_BREAK, SP_HIGH,
			    adv->p.rest_minutes, reason, now);
		} else if (m->continuous_work_min >= adv->p.micro_after_min &&
		    aa->active[SK_REST_BREAK] == NULL &&
		    aa->cand[SK_REST_BREAK] == NULL) {
			reasonf(reason, "%ld minutes of work "
			    "without a break", m->continuous_work_min);
			raise_candidate(aa, SK_MICRO_BREAK, SP_NORMAL,
			    adv->p.micro_minutes, reason, now);
		}
	}

	/* A rest break makes a micro break superfluous. */
	if ((aa->active[SK_REST_BREAK] != NULL ||
	    aa->cand[SK_REST_BREAK] != NULL)) {
		drop_candidate(aa, SK_MICRO_BREAK);
		if (aa->active[SK_MICRO_BREAK] != NULL &&
		    aa->active[SK_REST_BREAK] != NULL)
			expire(adv, &aa->active[SK_MICRO_BREAK], now);
	}

	/* A recovery break held for its conversation: released when done. */
	if (aa->cand[SK_RECOVERY_BREAK] != NULL) {
		struct candidate	*c = aa->cand[SK_RECOVERY_BREAK];

		if (c->hold_until != 0 && (now >= c->hold_until ||
		    !agent_ticket_open(a, c->ticket)))
			c->hold_until = 0;
	}

	/* Release under the hourly cap, highest priority first. */
	if (agent_status(a) != AGENT_WORKING)
		return;
	while (releases_last_hour(aa, now) < adv->p.max_per_hour) {
		int	best = -1;

		for (k = 0; k < SK_COUNT; k++) {
			struct candidate	*c = aa->cand[k];

			if (c == NULL || c->hold_until != 0)
				continue;
			if (best < 0 || c->priority >
			    aa->cand[best]->priority ||
			    (c->priority == aa->cand[best]->priority &&
			    c->raised < aa->cand[best]->raised))
				best = k;
		}
		if (best < 0)
			break;
		release(aa, (enum sugg_kind)best, now);
	}
}

static int
cmp_long(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return (x < y ? -1 : x > y);
}

/* The k-th smallest (from 0) of the scores counted in hist. */
static long
hist_nth(const size_t *hist, size_t k)
{
	long	v;

	for (v = 0; v < SCORE_SLOTS - 1; v++) {
		if (k < hist[v])
			return (v);
		k -= hist[v];
	}
	return (SCORE_SLOTS - 1);
}

/* Twice the median, exact where the median is a half (4 members: 0.5). */
static long
median2(long *v, size_t n)
{
	if (n == 0)
		return (0);
	qsort(v, n, sizeof *v, cmp_long);
	return (n % 2 == 1 ? 2 * v[n / 2] : v[n / 2 - 1] + v[n / 2]);
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct rb_cand	*x = a, *y = b;

	if (x->open != y->open)
		return (x->open < y->open ? -1 : 1);
	if (x->aa->strain != y->aa->strain)
		return (x->aa->strain < y->aa->strain ? -1 : 1);
	return (strcmp(agent_id(x->aa->agent), agent_id(y->aa->agent)));
}

/*
 * What the rebalance search reads of team t at now: twice the median of
 * the open tickets of its members not offline, and the teammates it may
 * pick (working, at ok, fewer open tickets than the median), best first:
 * fewest open tickets, then lowest strain, then id, and the first of them
 * on each channel.  Built once and kept
 * while nothing changes (adv->gen, bumped by every event, evaluation and
 * team or status change) and now is the same: the minute timer runs the
 * search for every member at the same minute after evaluating them all,
 * so a team costs O(n log n) a minute, not n searches of n (issue 21).
 */
static void
rebalance_view(struct advise *adv, struct adv_team *t, int64_t now)
{
	struct rb_cand		*c;
	size_t			 i, k = 0;
	int			 ch;

	if (t->view_gen == adv->gen && t->view_now == now && t->view_gen != 0)
		return;
	if (t->opencap < t->nmembers + 1) {
		t->opencap = t->nmembers + 1;
		t->open = xreallocarray(t->open, t->opencap, sizeof *t->open);
	}
	/* Open tickets of the working team, read from the model. */
	for (i = 0; i < t->nmembers; i++)
		if (agent_status(t->members[i]->agent) != AGENT_OFFLINE)
			t->open[k++] = agent_open_tickets(t->members[i]->agent);
	t->view_med2 = median2(t->open, k);

	t->ncands = 0;
	for (i = 0; i < t->nmembers; i++) {
		struct adv_agent	*o = t->members[i];

		if (o->level != STRAIN_OK ||
		    agent_status(o->agent) != AGENT_WORKING ||
		    2 * agent_open_tickets(o->agent) >= t->view_med2)
			continue;
		if (t->ncands == t->candcap) {
			t->candcap = t->candcap == 0 ? 8 : t->candcap * 2;
			t->cands = xreallocarray(t->cands, t->candcap,
			    sizeof *t->cands);
		}
		c = &t->cands[t->ncands++];
		c->aa = o;
		c->open = agent_open_tickets(o->agent);
		c->channels = 0;
		for (ch = RESPITE_CH_NONE + 1; ch < RESPITE_CH_COUNT; ch++)
			if (agent_uses_channel(o->agent,
			    (enum respite_channel)ch, now))
				c->channels |= 1u << ch;
	}
	if (t->ncands > 1)
		qsort(t->cands, t->ncands, sizeof *t->cands, cmp_cand);
	/* The first candidate on each channel: a search is O(channels). */
	for (ch = 0; ch < RESPITE_CH_COUNT; ch++)
		t->first[ch] = t->ncands;
	for (i = t->ncands; i > 0; i--)
		for (ch = 0; ch < RESPITE_CH_COUNT; ch++)
			if ((t->cands[i - 1].channels & (1u << ch)) != 0)
				t->first[ch] = i - 1;
	t->view_gen = adv->gen;
	t->view_now = now;
}

/* Lead rule: move work from an agent at high strain to a teammate. */
static void
rebalance_rule(struct adv_agent *aa, int64_t now)
{
	struct advise		*adv = aa->adv;
	struct adv_team		*t = aa->team;
	struct adv_agent	*best = NULL;
	struct agent_metrics	 mm, *m = &mm;
	struct strain		 sst, *st = &sst;
	struct suggestion	*s;
	enum respite_channel	 hostile_ch = RESPITE_CH_NONE, c;
	long			 med2, bopen = 0, n;
	size_t			 i;
	int			 hostile;

	if (aa->active[SK_REBALANCE] != NULL) {
		if (aa->level < STRAIN_HIGH ||
		    agent_status(aa->agent) != AGENT_WORKING)
			expire(adv, &aa->active[SK_REBALANCE], now);
		return;
	}
	if (t == NULL || agent_status(aa->agent) == AGENT_OFFLINE ||
	    aa->level < STRAIN_HIGH || aa->high_since == 0 ||
	    now - aa->high_since < adv->p.rebalance_after_ms ||
	    in_cooldown(adv, aa->dismissed_at[SK_REBALANCE], now) ||
	    aa->rebalance_at >= (now / MS_PER_MIN) * MS_PER_MIN ||
	    agent_open_tickets(aa->agent) < adv->p.rebalance_min_open)
		return;
	/* The search reads the whole team: at most once a minute. */
	aa->rebalance_at = (now / MS_PER_MIN) * MS_PER_MIN;
	rebalance_view(adv, t, now);
	/* Nobody to move work to (all at high strain, say): nothing to do. */
	if (t->ncands == 0)
		return;
	agent_metrics(aa->agent, now, &adv->mp, m);
	strain_compute(m, &adv->p.strain, st);
	med2 = t->view_med2;
	/* Whole tickets: open - median, rounded down. */
	if ((n = (2 * m->open_tickets - med2) / 2) > adv->p.rebalance_max_move)
		n = adv->p.rebalance_max_move;

	/* Mostly hostility: the exposure factor gives the most points. */
	hostile = st->exposure.points > st->intensity.points &&
	    st->exposure.points > st->occupancy.points &&
	    st->exposure.points > st->continuous.points;
	if (hostile)
		hostile_ch = agent_most_hostile_channel(aa->agent, now);
	if (!hostile || hostile_ch == RESPITE_CH_NONE) {
		hostile = 0;
		if (n < 1)
			return;
	}

	/*
	 * The best teammate sharing a channel with aa (the hostile one, or
	 * any aa worked on in the last hour) is the first such in the view;
	 * aa, at high strain, is never in it.
	 */
	i = t->ncands;
	for (c = RESPITE_CH_NONE + 1; c < RESPITE_CH_COUNT; c++)
		if ((hostile ? c == hostile_ch :
		    agent_uses_channel(aa->agent, c, now)) && t->first[c] < i)
			i = t->first[c];
	if (i == t->ncands)
		return;
	best = t->cands[i].aa;
	bopen = t->cands[i].open;

	s = xcalloc(1, sizeof *s);
	s->seq = adv->next_seq++;
	s->kind = SK_REBALANCE;
	s->status = SS_OPEN;
	s->priority = SP_HIGH;
	snprintf(s->team, sizeof s->team, "%s", t->name);
	snprintf(s->from, sizeof s->from, "%s", agent_id(aa->agent));
	snprintf(s->to, sizeof s->to, "%s", agent_id(best->agent));
	s->created_at = now;
	if (hostile) {
		s->move_channel = hostile_ch;
		s->move_minutes = adv->p.rebalance_channel_minutes;
		s->minutes = s->move_minutes;
	} else
		s->move_tickets = (int)n;
	if (adv->p.aggregate)
		/*
		 * Aggregate privacy mode: name the work, not the scores; no
		 * team figure either, as the live median of open tickets
		 * would let a lead difference (MODEL.md).
		 */
		sugg_reason_aggregate(s, s->reason, sizeof s->reason);
	else if (hostile)
		reasonf(s->reason, "%s's strain (%d) comes "
		    "mostly from hostility (exposure %.1f, %ld hostile messages "
		    "in the last hour, most on %s); %s takes %s for %d minutes",
		    s->from, aa->strain, m->hostility_exposure,
		    m->hostile_last_hour, event_channel_name(hostile_ch), s->to,
		    event_channel_name(hostile_ch), s->move_minutes);
	else
		reasonf(s->reason, "%s at %s strain (%d) "
		    "for %ld minutes with %ld open tickets; %s is at ok with "
		    "%ld (team median %g): move %ld", s->from,
		    strain_level_name(aa->level), aa->strain,
		    (long)((now - aa->high_since) / MS_PER_MIN),
		    m->open_tickets, s->to, bopen, (double)med2 / 2, n);
	aa->active[SK_REBALANCE] = s;
	changed(adv, s, now);
}

/*
 * Lead rule: the team's median strain stays high.  Members' strain is
 * what their own last evaluation found: at the same minute, as
 * team_advance() evaluates them all before this runs.
 */
static void
team_rules(struct advise *adv, struct adv_team *t, int64_t now)
{
	const struct aggview_figs *f;
	struct suggestion	*s;
	long			 med, p90;
	size_t			 n = t->npresent;

	/* The members' strain sorted is t->hist (team_count()). */
	med = n == 0 ? 0 : n % 2 == 1 ? hist_nth(t->hist, n / 2) :
	    (hist_nth(t->hist, n / 2 - 1) + hist_nth(t->hist, n / 2)) / 2;
	p90 = n > 0 ? hist_nth(t->hist, (n * 9) / 10 < n ? (n * 9) / 10 :
	    n - 1) : 0;
	/*
	 * A lead in aggregate privacy mode: the snapshot's figures over the
	 * working agents (aggview.c, fixed between aggregate_refresh_min
	 * boundaries), nothing while they are withheld (fewer than
	 * min_group working), so that no suggestion names or reacts to a
	 * live figure one agent's change would move (MODEL.md).
	 */
	if (adv->p.aggregate) {
		f = adv->aggview != NULL ? aggview_get(adv->aggview, t->name) :
		    NULL;
		if (f == NULL || f->withheld || f->working < adv->p.min_group)
			n = 0, med = 0;
		else {
			n = f->working;
			med = f->p50;
		}
	}

	if (n == 0 || med < adv->p.overload_strain) {
		if (t->overload_since != 0)
			adv->teams_moved = 1;	/* advise_flush() */
		t->overload_since = 0;
		if (t->overload != NULL && med < adv->p.overload_strain -
		    adv->p.strain.hysteresis) {
			expire(adv, &t->overload, now);
		}
		return;
	}
	if (t->overload_since == 0) {
		t->overload_since = now;
		adv->teams_moved = 1;
	}
	/* In aggregate privacy mode a small team's median is one person's. */
	if (t->overload != NULL || now - t->overload_since <
	    adv->p.overload_after_ms ||
	    in_cooldown(adv, t->overload_dismissed, now) ||
	    (adv->p.aggregate && n < adv->p.min_group))
		return;
	s = xcalloc(1, sizeof *s);
	s->seq = adv->next_seq++;
	s->kind = SK_TEAM_OVERLOAD;
	s->status = SS_OPEN;
	s->priority = SP_URGENT;
	snprintf(s->team, sizeof s->team, "%s", t->name);
	s->created_at = now;
	s->minutes = (int)((now - t->overload_since) / MS_PER_MIN);
	/* A lead in aggregate privacy mode never sees a p90 (MODEL.md). */
	if (adv->p.aggregate)
		reasonf(s->reason, "team median strain %ld for %d minutes "
		    "across %zu working agents: add staff or pause a "
		    "low-priority channel", med, s->minutes, n);
	else
		reasonf(s->reason, "team median strain %ld (p90 "
		    "%ld) for %d minutes across %zu agents: add staff or "
		    "pause a low-priority channel", med, p90, s->minutes, n);
	t->overload = s;
	changed(adv, s, now);
}

/* Evaluate every rule for one agent at now. */
static void
evaluate(struct adv_agent *aa, int64_t now)
{
	struct advise		*adv = aa->adv;
	struct agent_metrics	 m;
	struct strain		 st;
	enum strain_level	 prev = aa->level;

	agent_metrics(aa->agent, now, &adv->mp, &m);
	strain_compute(&m, &adv->p.strain, &st);
	set_strain(aa, st.score);
	set_level(aa, strain_level_next(&adv->p.strain, aa->level, st.score));
	if (aa->level != prev)
		publish_level(aa, prev, now);
	if (aa->level >= STRAIN_HIGH) {
		if (aa->high_since == 0)
			aa->high_since = now;
	} else
		aa->high_since = 0;
	agent_rules(aa, &m, now);
	if (aa->eval_at < now)
		aa->eval_at = now;
	adv->gen++;
	if (!aa->touched) {
		if (adv->ntouched == adv->touchedcap) {
			adv->touchedcap = adv->touchedcap == 0 ? 64 :
			    adv->touchedcap * 2;
			adv->touched = xreallocarray(adv->touched,
			    adv->touchedcap, sizeof *adv->touched);
		}
		adv->touched[adv->ntouched++] = aa;
		aa->touched = 1;
	}
}

static int
has_work(const struct adv_agent *aa)
{
	int	k;

	if (agent_status(aa->agent) != AGENT_OFFLINE)
		return (1);
	for (k = 0; k < SK_COUNT; k++)
		if (aa->active[k] != NULL || aa->cand[k] != NULL)
			return (1);
	return (0);
}

/*
 * Evaluate aa at every whole minute in (eval_at, t], as the live timer
 * would have.  An offline agent with nothing pending is skipped straight
 * to t.
 */
static void
advance_agent(struct adv_agent *aa, int64_t t)
{
	int64_t	m;

	if (aa->eval_at == 0 || t <= aa->eval_at)
		return;
	m = (aa->eval_at / MS_PER_MIN + 1) * MS_PER_MIN;
	if (t - m > CATCHUP_MAX_MIN * MS_PER_MIN)
		m = ((t - CATCHUP_MAX_MIN * MS_PER_MIN) / MS_PER_MIN) *
		    MS_PER_MIN;
	for (; m <= t; m += MS_PER_MIN) {
		if (!has_work(aa)) {
			aa->eval_at = t;
			return;
		}
		evaluate(aa, m);
	}
}

/*
 * Would advance_agent(aa, t) evaluate anything?  Not if aa has no
 * evaluation yet or was evaluated at or after the last whole minute of
 * t.  This reads only aa, so the loops over a team test it first and
 * touch the agent's own state (member_current()) only when it says yes:
 * after every event of a member most of a team of hundreds is current.
 */
static int
advance_due(const struct adv_agent *aa, int64_t t)
{
	return (aa->eval_at != 0 && (t / MS_PER_MIN) * MS_PER_MIN >
	    aa->eval_at);
}

/* Is a member recent enough for the timers (and its team's) at t? */
static int
member_current(const struct adv_agent *aa, int64_t t)
{
	return (t - agent_updated_at(aa->agent) < IDLE_MAX_MS);
}

/*
 * Bring team t to `upto`: at every whole minute in (eval_at, upto],
 * first every member is evaluated at that minute, then the lead rules
 * run on them.  So the lead rules always see all teammates as of the
 * same minute, whichever member's event comes first, and a replayed day
 * sees what the live timer, which does the same each minute, saw.
 * Members idle for IDLE_MAX_MS are left alone, as the live timer leaves
 * them.
 */
static void
team_advance(struct advise *adv, struct adv_team *t, int64_t upto)
{
	int64_t	m;
	size_t	i;
	int	busy;

	if (t->eval_at == 0)
		t->eval_at = (upto / MS_PER_MIN) * MS_PER_MIN;
	if (upto > t->eval_at) {
		m = (t->eval_at / MS_PER_MIN + 1) * MS_PER_MIN;
		if (upto - m > CATCHUP_MAX_MIN * MS_PER_MIN)
			m = ((upto - CATCHUP_MAX_MIN * MS_PER_MIN) /
			    MS_PER_MIN) * MS_PER_MIN;
		for (; m <= upto; m += MS_PER_MIN) {
			busy = t->overload != NULL;
			for (i = 0; i < t->nmembers && !busy; i++)
				busy = has_work(t->members[i]) &&
				    member_current(t->members[i], m);
			if (!busy)
				break;	/* nobody at work: skip to upto */
			for (i = 0; i < t->nmembers; i++)
				if (advance_due(t->members[i], m) &&
				    member_current(t->members[i], m))
					advance_agent(t->members[i], m);
			/* Not for one already judged later (a late joiner). */
			for (i = 0; i < t->nmembers; i++)
				if (t->members[i]->eval_at <= m &&
				    member_current(t->members[i], m))
					rebalance_rule(t->members[i], m);
			team_rules(adv, t, m);
		}
		t->eval_at = upto;
	}
	/*
	 * This pass leaves no member both due and current at upto, and none
	 * becomes so later in the same minute: eval_at only grows, and a
	 * member not current at some time is not current later.  Only a
	 * member's own event can change that, and advise_event() clears
	 * members_done when it does.  So the pass over a team of hundreds
	 * runs about once a minute, not after every event of a member.
	 */
	if (t->members_done && upto >= t->members_at &&
	    upto / MS_PER_MIN == t->members_at / MS_PER_MIN)
		return;
	for (i = 0; i < t->nmembers; i++)
		if (advance_due(t->members[i], upto) &&
		    member_current(t->members[i], upto))
			advance_agent(t->members[i], upto);
	t->members_done = 1;
	t->members_at = upto;
}

/* Advance aa to t, with its whole team if it has one. */
static void
advance(struct adv_agent *aa, int64_t t)
{
	if (aa->team != NULL)
		team_advance(aa->adv, aa->team, t);
	else
		advance_agent(aa, t);
}

static int
is_severe(const struct advise *adv, const struct respite_event *ev)
{
	return ((ev->type == RESPITE_EV_MESSAGE_FLAGGED ||
	    ev->type == RESPITE_EV_MESSAGE_RECEIVED) && ev->severity >= 0 &&
	    ev->severity >= adv->p.recovery_severity);
}

/*
 * Apply ev to the model and run the rules: the agent is first advanced to
 * the event's time, then the event is applied, then evaluated at it.
 */
void
advise_event(struct advise *adv, const struct respite_event *ev)
{
	struct agent		*a;
	struct adv_agent	*aa;
	struct candidate	*c;
	int64_t			 now;
	int			 fresh;
	char			 reason[SUGG_REASON_MAX];

	a = agents_get(adv->agents, ev->agent);
	fresh = a == NULL;
	if (a != NULL)
		advance(state_of(adv, a), ev->ts_ms);
	a = agents_apply(adv->agents, ev, &adv->mp);
	adv->gen++;
	aa = state_of(adv, a);
	sync_team(aa);
	now = ev->ts_ms > aa->eval_at ? ev->ts_ms : aa->eval_at;
	aa->live = ev->received_ms - ev->ts_ms < adv->p.live_window_ms;

	if (fresh || agent_status(a) != aa->status) {
		set_status(aa, agent_status(a));
		publish_status(aa, now);
	}
	if (is_severe(adv, ev) && ev->ts_ms >= aa->severe_at) {
		aa->severe_at = ev->ts_ms;
		aa->severe_sev = ev->severity;
		if (agent_status(a) == AGENT_WORKING) {
			struct agent_metrics	m;

			agent_metrics(a, now, &adv->mp, &m);
			reasonf(reason, "a hostile message of "
			    "severity %.2f (%ld in the last hour, exposure "
			    "%.1f)", ev->severity, m.hostile_last_hour,
			    m.hostility_exposure);
			raise_candidate(aa, SK_RECOVERY_BREAK, SP_HIGH,
			    recovery_minutes(adv, ev->severity,
			    m.hostility_exposure), reason, now);
			c = aa->cand[SK_RECOVERY_BREAK];
			/* Held until the conversation it belongs to ends. */
			if (c != NULL && c->raised == now &&
			    ev->ticket[0] != '\0' &&
			    agent_ticket_open(a, ev->ticket)) {
				snprintf(c->ticket, sizeof c->ticket, "%s",
				    ev->ticket);
				c->hold_until = ev->ts_ms + adv->p.recovery_hold_ms;
			}
		}
	}
	evaluate(aa, now);
	/* What this event changed may matter to the lead at once. */
	if (aa->team != NULL) {
		/* A late or first event may leave aa behind its team. */
		if (advance_due(aa, aa->team->members_at))
			aa->team->members_done = 0;
		rebalance_rule(aa, now);
		team_rules(adv, aa->team, now);
	}
}

/* The live timer: advance every live agent to now (a whole minute). */
void
advise_tick(struct advise *adv, int64_t now)
{
	struct adv_agent	*aa;
	size_t			 i;

	for (i = 0; i < adv->nall; i++) {
		aa = adv->all[i];
		if (!aa->live || !member_current(aa, now))
			continue;
		advance(aa, now);
	}
	/* Snoozed wellbeing_checks reopen on the clock. */
	for (i = 0; i < adv->nwb; i++) {
		struct suggestion	*s = adv->wb[i];

		if (s == NULL || s->status != SS_SNOOZED ||
		    now < s->snooze_until)
			continue;
		s->status = SS_OPEN;
		changed(adv, s, now);
	}
}

static int
forget_cb(struct agent *a, void *arg)
{
	struct adv_agent	*aa = agent_ext(a);

	(void)arg;
	return (aa != NULL && aa->forget);
}

/*
 * Forget the agents idle past everything the model needs at now: no
 * event for FORGET_IDLE_MS and exposure decayed to nothing (a day's
 * half-life takes longer); a suggestion of theirs still open expires.  What a
 * forgotten agent showed is what a fresh agent shows (API.md's agent of
 * no recent event: offline, strain 0); its events stay stored, and the
 * same pass at start-up keeps a restart the same.  Returns how many.
 */
size_t
advise_forget(struct advise *adv, int64_t now)
{
	struct agent_metrics	 m;
	struct adv_agent	*aa;
	size_t			 i, n = 0, kept = 0;
	int			 k, busy;

	for (i = 0; i < adv->norphans; i++)
		expire(adv, &adv->orphans[i], now);
	adv->norphans = 0;
	advise_flush(adv);	/* adv->touched holds none it frees */
	for (i = 0; i < adv->nall; i++) {
		aa = adv->all[i];
		busy = now - agent_updated_at(aa->agent) < FORGET_IDLE_MS;
		if (!busy) {
			agent_metrics(aa->agent, now, &adv->mp, &m);
			busy = m.hostility_exposure >= FORGET_EXPOSURE;
		}
		if (busy) {
			adv->all[kept++] = aa;
			continue;
		}
		/*
		 * A suggestion still open has been left alone since the
		 * timers stopped (IDLE_MAX_MS): the agent went away, so it
		 * expires, as a logout's do.
		 */
		for (k = 0; k < SK_COUNT; k++) {
			if (aa->active[k] != NULL)
				expire(adv, &aa->active[k], now);
			drop_candidate(aa, (enum sugg_kind)k);
		}
		if (aa->team != NULL) {
			team_count(aa, -1);
			team_remove_member(aa->team, aa);
			aa->team->members_done = 0;
			aa->team = NULL;
		}
		if (aa->saved_sig != 0)
			outbox_advisor(adv->outbox, "agent",
			    agent_id(aa->agent), NULL);
		aa->forget = 1;
		n++;
	}
	adv->nall = kept;
	if (n == 0)
		return (0);
	adv->gen++;
	return (agents_forget(adv->agents, forget_cb, NULL));
}

static void
state_of_agent(const struct adv_agent *aa, struct advstate_agent *st)
{
	int	k;

	st->eval_at = aa->eval_at;
	st->high_since = aa->high_since;
	st->rebalance_at = aa->rebalance_at;
	st->severe_at = aa->severe_at;
	st->severe_sev = aa->severe_sev;
	for (k = 0; k < SK_COUNT; k++)
		st->cand[k] = aa->cand[k];
}

/*
 * Queue for storage what the advisor holds that the events do not
 * rebuild (advstate.h), for each agent evaluated since the last flush
 * whose candidates, high_since or last severe message changed, and each
 * team whose overload start did.  With it go how far each was evaluated
 * and the agent's last rebalance search: a restart goes on from there,
 * and minutes evaluated since repeat what they did (nothing that is
 * stored changed in them).  respited calls it after each group of
 * events and each tick, so the state rides with the outbox's next
 * write, with the suggestions it is consistent with.
 */
void
advise_flush(struct advise *adv)
{
	struct advstate_agent	 st;
	struct advstate_team	 ts;
	struct adv_agent	*aa;
	struct adv_team		*t;
	uint64_t		 sig;
	size_t			 i;

	for (i = 0; i < adv->ntouched; i++) {
		aa = adv->touched[i];
		aa->touched = 0;
		state_of_agent(aa, &st);
		if ((sig = advstate_agent_sig(&st)) == aa->saved_sig)
			continue;
		aa->saved_sig = sig;
		outbox_advisor(adv->outbox, "agent", agent_id(aa->agent),
		    sig != 0 ? advstate_agent_json(&st) : NULL);
	}
	adv->ntouched = 0;
	for (i = 0; i < adv->nteams && adv->teams_moved; i++) {
		t = adv->teams[i];
		if (t->overload_since == t->saved_overload)
			continue;
		t->saved_overload = t->overload_since;
		ts.eval_at = t->eval_at;
		ts.overload_since = t->overload_since;
		outbox_advisor(adv->outbox, "team", t->name,
		    ts.overload_since != 0 ? advstate_team_json(&ts) : NULL);
	}
	adv->teams_moved = 0;
}

/*
 * At start-up, after advise_restore_agent() and the suggestions: a
 * stored state (store_advisor_foreach()).  One of an agent or team the
 * model no longer has is deleted.  Returns 0, or -1 if body is not one
 * (the state is then what start-up rebuilt, and the row is deleted so
 * that the warning comes once).
 */
int
advise_restore_state(struct advise *adv, const char *scope,
    const char *name, const char *body)
{
	struct candidate	 cand[SK_COUNT];
	struct advstate_agent	 st;
	struct advstate_team	 ts;
	struct adv_agent	*aa;
	struct adv_team		*t;
	struct agent		*a;
	int			 k, rc = 0;

	if (strcmp(scope, "team") == 0) {
		if ((t = team_get(adv, name, 0)) == NULL)
			goto drop;
		if (advstate_team_parse(body, &ts) == -1)
			goto bad;
		if (ts.eval_at > t->eval_at)
			t->eval_at = ts.eval_at;
		t->overload_since = t->saved_overload = ts.overload_since;
		return (0);
	}
	if (strcmp(scope, "agent") != 0)
		goto bad;
	if ((a = agents_get(adv->agents, name)) == NULL)
		goto drop;
	if (advstate_agent_parse(body, &st, cand) == -1)
		goto bad;
	aa = state_of(adv, a);
	if (st.eval_at > aa->eval_at)
		aa->eval_at = st.eval_at;
	if (aa->team != NULL && aa->eval_at > aa->team->eval_at)
		aa->team->eval_at = aa->eval_at;
	/* The level restored from the stream decides; high_since dates it. */
	if (aa->level >= STRAIN_HIGH && st.high_since != 0)
		aa->high_since = st.high_since;
	aa->rebalance_at = st.rebalance_at;
	aa->severe_at = st.severe_at;
	aa->severe_sev = st.severe_sev;
	for (k = 0; k < SK_COUNT; k++) {
		if (st.cand[k] == NULL || aa->active[k] != NULL)
			continue;
		free(aa->cand[k]);
		aa->cand[k] = xmalloc(sizeof *aa->cand[k]);
		*aa->cand[k] = *st.cand[k];
	}
	state_of_agent(aa, &st);
	aa->saved_sig = advstate_agent_sig(&st);
	adv->gen++;
	return (0);

bad:
	rc = -1;
drop:
	/* Unknown or unreadable: the row goes, the next change writes anew. */
	outbox_advisor(adv->outbox, scope, name, NULL);
	return (rc);
}

/*
 * At start-up, after the model was rebuilt: give the agent its advice
 * state as of its newest event, without raising anything yet.  last is
 * the level the daemon last published for the agent (its newest "level"
 * stream item), or -1 if none: the level then follows from it with the
 * hysteresis, as the running model would have gone on from it.
 */
void
advise_restore_agent(struct advise *adv, struct agent *a, int last)
{
	struct adv_agent	*aa = state_of(adv, a);
	struct agent_metrics	 m;
	struct strain		 st;

	sync_team(aa);
	aa->eval_at = agent_updated_at(a);
	set_status(aa, agent_status(a));
	if (aa->team != NULL)
		aa->team->members_done = 0;
	/*
	 * The lead rules resume after the team's newest member; the others
	 * catch up on their own first (team_advance()).
	 */
	if (aa->team != NULL && aa->eval_at > aa->team->eval_at)
		aa->team->eval_at = aa->eval_at;
	agent_metrics(a, aa->eval_at, &adv->mp, &m);
	strain_compute(&m, &adv->p.strain, &st);
	set_strain(aa, st.score);
	if (last >= STRAIN_OK && last <= STRAIN_CRITICAL)
		set_level(aa, strain_level_next(&adv->p.strain,
		    (enum strain_level)last, st.score));
	else
		set_level(aa, strain_level_of(&adv->p.strain, st.score));
	if (aa->level >= STRAIN_HIGH)
		aa->high_since = aa->eval_at;
	adv->gen++;
}

/*
 * At start-up in cluster mode: the agent's newest event came in real
 * time, so the live timer advances it, as it did on the nodes that
 * applied that event (advise_event() sets live the same way).
 */
void
advise_restore_live(struct advise *adv, const char *agent)
{
	struct agent	*a;

	if ((a = agents_get(adv->agents, agent)) != NULL)
		state_of(adv, a)->live = 1;
}

/* Hold a copy of wellbeing_check s; the answered ones' slots go. */
static struct suggestion *
wb_add(struct advise *adv, const struct suggestion *s)
{
	size_t	i, n = 0;

	for (i = 0; i < adv->nwb; i++)
		if (adv->wb[i] != NULL)
			adv->wb[n++] = adv->wb[i];
	adv->nwb = n;
	adv->wb = xreallocarray(adv->wb, adv->nwb + 1, sizeof *adv->wb);
	adv->wb[adv->nwb] = xmalloc(sizeof *s);
	*adv->wb[adv->nwb] = *s;
	return (adv->wb[adv->nwb++]);
}

/*
 * At start-up: a stored suggestion (JSON).  Open and snoozed ones become
 * active again; recent answers restore cooldowns and the hourly cap.
 */
int
advise_restore_suggestion(struct advise *adv, const char *body)
{
	struct suggestion	 s, *copy;
	struct adv_agent	*aa = NULL;
	struct adv_team		*t;
	struct agent		*a;
	json_error_t		 je;
	json_t			*o;
	int			 rc;

	if ((o = json_loads(body, 0, &je)) == NULL)
		return (-1);
	rc = sugg_from_json(o, &s);
	json_decref(o);
	if (rc == -1)
		return (-1);
	s.snooze_max = adv->p.snooze_max_times;	/* the limit today */
	if (s.seq >= adv->next_seq)
		adv->next_seq = s.seq + 1;
	if (s.kind == SK_WELLBEING_CHECK) {
		/* Held whether its agent is in the model or not. */
		if (sugg_is_active(&s))
			wb_add(adv, &s);
		return (0);
	}
	if (s.kind == SK_TEAM_OVERLOAD) {
		t = team_get(adv, s.team, 1);
		if (sugg_is_active(&s) && t->overload == NULL) {
			t->overload = xmalloc(sizeof *t->overload);
			*t->overload = s;
		} else if (s.status == SS_DISMISSED)
			t->overload_dismissed = s.answered_at;
		return (0);
	}
	a = agents_get(adv->agents, s.kind == SK_REBALANCE ? s.from : s.agent);
	if (a == NULL) {
		/*
		 * Its agent had no event in the window start-up read
		 * (rebuild.c): it was idle past FORGET_IDLE_MS, and
		 * advise_forget() expires the suggestion as it would have
		 * had the agent been rebuilt and then forgotten.
		 */
		if (sugg_is_active(&s)) {
			adv->orphans = xreallocarray(adv->orphans,
			    adv->norphans + 1, sizeof *adv->orphans);
			copy = xmalloc(sizeof *copy);
			*copy = s;
			adv->orphans[adv->norphans++] = copy;
		}
		return (0);
	}
	aa = state_of(adv, a);
	if (sugg_is_agent_kind(s.kind))
		note_release(aa, s.created_at);
	if (s.status == SS_DISMISSED && s.answered_at > aa->dismissed_at[s.kind])
		aa->dismissed_at[s.kind] = s.answered_at;
	if (sugg_is_active(&s) && aa->active[s.kind] == NULL) {
		copy = xmalloc(sizeof *copy);
		*copy = s;
		aa->active[s.kind] = copy;
	}
	return (0);
}

static struct suggestion **
find_active(struct advise *adv, int64_t seq)
{
	size_t	i;
	int	k;

	for (i = 0; i < adv->nall; i++)
		for (k = 0; k < SK_COUNT; k++)
			if (adv->all[i]->active[k] != NULL &&
			    adv->all[i]->active[k]->seq == seq)
				return (&adv->all[i]->active[k]);
	for (i = 0; i < adv->nteams; i++)
		if (adv->teams[i]->overload != NULL &&
		    adv->teams[i]->overload->seq == seq)
			return (&adv->teams[i]->overload);
	for (i = 0; i < adv->nwb; i++)
		if (adv->wb[i] != NULL && adv->wb[i]->seq == seq)
			return (&adv->wb[i]);
	return (NULL);
}

/*
 * Answer suggestion seq: action "accept", "dismiss" or "snooze" (minutes,
 * 0 for the default).  On success *out is its new state and *start_break
 * says the agent's break should start now.  Returns 0; -1 with err set
 * (404 when it is not active here: the caller tells 404 from 409).
 */
int
advise_answer(struct advise *adv, int64_t seq, const char *action,
    int minutes, int64_t now, struct suggestion *out, int *start_break,
    struct api_error *err)
{
	struct suggestion	**slot, *s;
	struct agent		 *a;
	struct adv_agent	 *aa = NULL;
	struct adv_team		 *t = NULL;
	size_t			  i;
	int			  prev;

	*start_break = 0;
	if ((slot = find_active(adv, seq)) == NULL) {
		api_error_set(err, 404, "not_found", -1, NULL,
		    "no open suggestion with this id");
		return (-1);
	}
	s = *slot;
	if (s->kind == SK_TEAM_OVERLOAD) {
		for (i = 0; i < adv->nteams; i++)
			if (&adv->teams[i]->overload == slot)
				t = adv->teams[i];
	} else if ((a = agents_get(adv->agents, s->kind == SK_REBALANCE ?
	    s->from : s->agent)) != NULL) {
		aa = agent_ext(a);
		if (agent_updated_at(a) > now)
			now = agent_updated_at(a);
	}
	/*
	 * The answer is given at now: first bring a live agent (and its
	 * team) to now's whole minute, as the minute timer would have done
	 * had it run on time.  Else a timer or event after the answer judges
	 * the minutes before it with the suggestion already answered but the
	 * break its accept starts not yet applied, finds the agent at work
	 * with nothing open, and raises another (issue 20).
	 */
	if (aa != NULL && aa->live && member_current(aa, now)) {
		advance(aa, (now / MS_PER_MIN) * MS_PER_MIN);
		if ((slot = find_active(adv, seq)) == NULL) {
			api_error_set(err, 404, "not_found", -1, NULL,
			    "no open suggestion with this id");
			return (-1);
		}
		s = *slot;
	}

	if (strcmp(action, "snooze") == 0) {
		if (minutes == 0)
			minutes = adv->p.snooze_default_min;
		if (minutes < 1 || minutes > adv->p.snooze_max_min) {
			api_error_set(err, 400, "invalid_request", -1, "minutes",
			    "minutes: must be 1 to %d", adv->p.snooze_max_min);
			return (-1);
		}
		if (s->status != SS_OPEN ||
		    s->snoozes >= adv->p.snooze_max_times) {
			api_error_set(err, 409, "conflict", -1, "action",
			    s->status != SS_OPEN ? "only an open suggestion "
			    "can be snoozed" : "snoozed %d times already; "
			    "accept or dismiss it", s->snoozes);
			return (-1);
		}
		s->snoozes++;
		s->status = SS_SNOOZED;
		s->snooze_until = now + (int64_t)minutes * MS_PER_MIN;
		changed(adv, s, now);
		days_suggestion(adv->days, s, SS_OPEN);
		*out = *s;
		return (0);
	}
	prev = (int)s->status;
	if (strcmp(action, "accept") == 0) {
		s->status = SS_ACCEPTED;
		*start_break = sugg_is_agent_kind(s->kind);
	} else if (strcmp(action, "dismiss") == 0) {
		s->status = SS_DISMISSED;
		if (aa != NULL)
			aa->dismissed_at[s->kind] = now;
		if (t != NULL)
			t->overload_dismissed = now;
	} else {
		api_error_set(err, 400, "invalid_request", -1, "action",
		    "action: must be accept, dismiss or snooze");
		return (-1);
	}
	s->answered_at = now;
	changed(adv, s, now);
	days_suggestion(adv->days, s, prev);
	*out = *s;
	free(s);
	*slot = NULL;
	return (0);
}

/* Copy the open or snoozed suggestion seq into *out: 1, or 0 if none. */
int
advise_find(struct advise *adv, int64_t seq, struct suggestion *out)
{
	struct suggestion	**slot;

	if ((slot = find_active(adv, seq)) == NULL)
		return (0);
	*out = **slot;
	return (1);
}

/* The agent's level and strain as last evaluated, refreshed to now. */
int
advise_level(struct advise *adv, const struct agent *a, int64_t now,
    struct advise_view *v)
{
	struct agent_metrics	m;

	agent_metrics(a, now, &adv->mp, &m);
	return (advise_level_metrics(adv, a, &m, v));
}

/*
 * The same from the agent's metrics m, which the caller computed at its
 * now with the model parameters the advisor has (a team's figures need
 * the metrics anyway: no need to compute them twice an agent).
 */
int
advise_level_metrics(struct advise *adv, const struct agent *a,
    const struct agent_metrics *m, struct advise_view *v)
{
	struct adv_agent	*aa = agent_ext(a);
	struct strain		 st;

	strain_compute(m, &adv->p.strain, &st);
	v->strain = st.score;
	v->level = aa != NULL ? strain_level_next(&adv->p.strain, aa->level,
	    st.score) : strain_level_of(&adv->p.strain, st.score);
	return (0);
}

/* Call cb for each open or snoozed agent suggestion of agent id. */
void
advise_open_for_agent(struct advise *adv, const char *id,
    void (*cb)(const struct suggestion *, void *), void *arg)
{
	struct agent		*a;
	struct adv_agent	*aa;
	int			 k;

	if ((a = agents_get(adv->agents, id)) == NULL ||
	    (aa = agent_ext(a)) == NULL)
		return;
	for (k = 0; k < SK_COUNT; k++)
		if (aa->active[k] != NULL && sugg_is_agent_kind(k))
			cb(aa->active[k], arg);
}

/* Open or snoozed lead suggestions of a team. */
size_t
advise_open_lead_for_team(struct advise *adv, const char *team)
{
	struct adv_team	*t;
	size_t		 i, n = 0;

	if ((t = team_get(adv, team, 0)) == NULL)
		return (0);
	if (t->overload != NULL)
		n++;
	for (i = 0; i < t->nmembers; i++)
		if (t->members[i]->active[SK_REBALANCE] != NULL)
			n++;
	return (n);
}

/*
 * The trend of agent id turned high when its day ended at `at`
 * (days.c): a wellbeing_check with the trend's reasons, to the team's
 * lead, or with to_agent (aggregate privacy mode) to the agent alone.
 * Held in adv->wb, agent in the model or not, open until answered; a
 * newer one of the agent replaces an older still open (expired).
 */
void
advise_wellbeing(struct advise *adv, const char *id, const char *team,
    int64_t at, const char *reason, int to_agent)
{
	struct suggestion	 s;
	size_t			 i;

	for (i = 0; i < adv->nwb; i++)
		if (adv->wb[i] != NULL && strcmp(adv->wb[i]->agent, id) == 0)
			expire(adv, &adv->wb[i], at);
	memset(&s, 0, sizeof s);
	s.seq = adv->next_seq++;
	s.kind = SK_WELLBEING_CHECK;
	s.status = SS_OPEN;
	s.priority = SP_HIGH;
	s.to_agent = to_agent;
	snprintf(s.agent, sizeof s.agent, "%s", id);
	snprintf(s.team, sizeof s.team, "%s", team);
	s.created_at = at;
	reasonf(s.reason, "%s", reason);
	changed(adv, wb_add(adv, &s), at);
}
