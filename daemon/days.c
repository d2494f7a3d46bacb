/*
 * respite - agent days (API.md "days", MODEL.md "Weeks, not only shifts").
 *
 * One record per agent and local day: the agent's zone (its `tz`, else
 * [model] timezone), from [model] day_starts_at to the next, found with
 * time_day(), the boundary the *_today metrics use, and dated by the
 * local date it starts on.  Records are built from the events as they
 * are applied, on event time, never the wall clock's, so a replayed past
 * month yields the records living through it gave:
 *
 * - counts come from the events: ticket.handled by channel (contacts,
 *   handled), hostile messages as the model counts them (hostile);
 * - minutes come from samples of the model at each whole minute m, taken
 *   before any event at or after m is applied (so from the events before
 *   m): the sample at m stands for the minute before it and belongs to
 *   the day that minute is in.  A minute is sampled while the agent's
 *   status at m is working or on break and its newest event is less than
 *   DAYS_IDLE_MS old (the live timers' limit).  worked_min and break_min
 *   count the samples in each status; each working sample computes the
 *   strain as GET /v1/agents/{id}/history does (agent_metrics() at m,
 *   strain_compute()), for strain_mean (the mean of the samples, rounded
 *   half up), strain_peak, high_min (samples at level high or above, the
 *   level carried with the model's hysteresis from the minute before),
 *   exposure_peak and longest_stretch_min (continuous_work_min);
 * - suggestions come from the advisor (days_suggestion()): each agent
 *   suggestion counts as raised on the day it was raised, and under its
 *   current status (accepted, dismissed, snoozed, expired) on that day
 *   too, so a day's counts say how its suggestions ended up.
 *
 * The samples between two events are taken when the later one arrives;
 * for an agent whose newest event came in real time the minute tick takes
 * them as well (days_tick()), as the advisor's live timers do.  A day is
 * final once the agent's now (the later of the wall clock and its newest
 * event; while its past is being replayed, its newest event: see
 * days_tick()) has passed its end: it is then written to agent_days through
 * the outbox, in the next group commit's transaction, and written again
 * when anything changes it later (a late event, a suggestion answered
 * after midnight).  The last DAYS_KEPT days of an agent are held in
 * memory, today's among them (live, not written); a change to an older
 * day is written as a correction added to the stored record.  Late
 * events are approximations where the model's are: a late status change
 * does not re-sample minutes already sampled.
 *
 * When a day closes (final, outside a rebuild) the agent's trend is
 * evaluated (trend.c) on the day after it, from a history of its closed
 * days as they closed (struct days_hist: the stored ones read once, then
 * each day as it closes; a later correction of a closed day does not
 * change it): a turn to high (high on the day after, not high on the
 * day itself) raises a wellbeing_check through the callback, stamped
 * with the day's end, unless one was raised in the 7 days before
 * (DAYS_WELLBEING_MS, by the stamps: the agent's newest stored one is
 * read with its history, then each one raised).  Everything is on event time, so a replayed month raises
 * the same ones.
 *
 * At start-up the days of the last DAYS_LOAD_MS are loaded from the
 * table first; the events then re-read build the days that are not
 * stored (today's, and any that ended while the daemon was down) and
 * leave the stored ones as they are.
 */
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strhash.h"
#include "days.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

#define DAYS_HIST	(TREND_WINDOW_DAYS + TREND_BASELINE_DAYS + 1)

/* A closed day as the trend needs it. */
struct days_hist_day {
	int64_t		 date;			/* days since 1970 */
	int64_t		 worked_min, high_min, hostile;
	int64_t		 longest_stretch_min;
	int64_t		 raised, dismissed, expired;
};

/* An agent's closed days, oldest first, at most DAYS_HIST. */
struct days_hist {
	struct days_hist_day	 v[DAYS_HIST];
	int			 n;
};

struct days_rec {
	struct store_day	 d;
	int			 stored;	/* as loaded: not rebuilt */
	int			 dirty;		/* changed since written */
};

struct days_agent {
	char			 id[RESPITE_NAME_MAX + 1];
	struct days_agent	*next;		/* hash chain */
	struct days_rec		*rec;		/* oldest first */
	int			 nrec, caprec;	/* caprec <= DAYS_KEPT */
	int64_t			 sampled_to;	/* whole minutes up to this */
	int64_t			 newest;	/* newest event */
	int64_t			 received;	/* ... the newest receipt */
	int			 live;		/* it came in real time */
	enum strain_level	 level;		/* of the last sample */
	int64_t			 level_at;	/* its minute */
	int			 queued;	/* on the dirty list */
	char			 cold_date[TIME_DATE_LEN];	/* rebuild */
	int			 cold_stored;
	char			 tz[RESPITE_TZ_MAX + 1];	/* its last zone */
	int			 tz_looked;	/* in the table */
	struct days_hist	*hist;		/* the trend's, once needed */
	int64_t			 wellbeing_at;	/* the newest raised */
};

struct days {
	struct agents		 *agents;
	struct store		 *store;
	struct outbox		 *outbox;	/* NULL while rebuilding */
	struct model_params	  mp;
	struct strain_params	  sp;
	int64_t			  live_window_ms;
	struct days_agent	**buckets;
	size_t			  nbuckets, n;
	struct days_agent	**dirty;	/* agents with unwritten days */
	size_t			  ndirty, dirtycap;
	struct store_day	 *cold;		/* corrections while rebuilding */
	size_t			  ncold, coldcap;
	int64_t			  loaded_since;	/* days_load(): day_end after */
	struct trend_params	  tp;
	days_wellbeing_cb	  wellbeing;	/* NULL: no trend evaluated */
	void			 *wellbeing_arg;
};

/* What a contribution goes to: a day in memory, or a correction. */
struct days_target {
	struct store_day	*d;
	struct days_rec		*rec;		/* NULL: cold */
	struct store_day	 cold;
	int			 skip;		/* stored: leave it */
};

struct days *
days_new(struct agents *agents, struct store *store,
    const struct model_params *mp, const struct strain_params *sp,
    int64_t live_window_ms)
{
	struct days	*d;

	d = xcalloc(1, sizeof *d);
	d->agents = agents;
	d->store = store;
	d->nbuckets = 256;
	d->buckets = xcalloc(d->nbuckets, sizeof *d->buckets);
	days_set_params(d, mp, sp, live_window_ms);
	return (d);
}

void
days_set_params(struct days *d, const struct model_params *mp,
    const struct strain_params *sp, int64_t live_window_ms)
{
	d->mp = *mp;
	d->sp = *sp;
	d->live_window_ms = live_window_ms;
}

/* Evaluate the trend as days close; cb raises a wellbeing_check. */
void
days_set_trend(struct days *d, const struct trend_params *tp,
    days_wellbeing_cb cb, void *arg)
{
	d->tp = *tp;
	d->wellbeing = cb;
	d->wellbeing_arg = arg;
}

void
days_free(struct days *d)
{
	struct days_agent	*da, *next;
	size_t			 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nbuckets; i++)
		for (da = d->buckets[i]; da != NULL; da = next) {
			next = da->next;
			free(da->hist);
			free(da->rec);
			free(da);
		}
	free(d->buckets);
	free(d->dirty);
	free(d->cold);
	free(d);
}

static struct days_agent *
agent_find(struct days *d, const char *id)
{
	struct days_agent	*da;

	for (da = d->buckets[str_hash(id) & (d->nbuckets - 1)]; da != NULL;
	    da = da->next)
		if (strcmp(da->id, id) == 0)
			return (da);
	return (NULL);
}

static struct days_agent *
agent_get(struct days *d, const char *id)
{
	struct days_agent	**nb, *da, *next;
	size_t			  i, h, n;

	if ((da = agent_find(d, id)) != NULL)
		return (da);
	if (d->n >= d->nbuckets) {
		n = d->nbuckets * 2;
		nb = xcalloc(n, sizeof *nb);
		for (i = 0; i < d->nbuckets; i++)
			for (da = d->buckets[i]; da != NULL; da = next) {
				next = da->next;
				h = str_hash(da->id) & (n - 1);
				da->next = nb[h];
				nb[h] = da;
			}
		free(d->buckets);
		d->buckets = nb;
		d->nbuckets = n;
	}
	da = xcalloc(1, sizeof *da);
	snprintf(da->id, sizeof da->id, "%s", id);
	h = str_hash(id) & (d->nbuckets - 1);
	da->next = d->buckets[h];
	d->buckets[h] = da;
	d->n++;
	return (da);
}

static int	stored_day_cb(const struct store_day *, void *);

/*
 * The zone an agent's days are in: the model's (its last login's), else
 * the zone of its last day known (an agent back after a restart, with a
 * late event and no login), else [model] timezone.
 */
static const char *
zone_of(struct days *d, struct days_agent *da, const struct agent *a)
{
	struct store_day	 last;
	char			*cause = NULL;

	if (a != NULL && *agent_tz(a) != '\0') {
		if (strcmp(da->tz, agent_tz(a)) != 0)
			snprintf(da->tz, sizeof da->tz, "%s", agent_tz(a));
		return (da->tz);
	}
	if (da->tz[0] == '\0' && da->nrec > 0)
		snprintf(da->tz, sizeof da->tz, "%s",
		    da->rec[da->nrec - 1].d.tz);
	if (da->tz[0] == '\0' && !da->tz_looked && d->outbox != NULL) {
		da->tz_looked = 1;
		last.agent[0] = '\0';
		if (store_days_foreach(d->store, da->id, NULL, NULL, NULL, 0,
		    stored_day_cb, &last, &cause) == -1) {
			log_warnx("storage: %s", cause);
			free(cause);
		} else if (last.agent[0] != '\0')
			snprintf(da->tz, sizeof da->tz, "%s", last.tz);
	}
	return (da->tz[0] != '\0' ? da->tz : d->mp.timezone);
}

/*
 * A day changed: a final one is queued for the next flush; today's is
 * queued when it ends (close_days()), not at every event.
 */
static void
mark_dirty(struct days *d, struct days_agent *da, struct days_rec *r)
{
	r->dirty = 1;
	if (da->queued || !r->d.final)
		return;
	if (d->ndirty == d->dirtycap) {
		d->dirtycap = d->dirtycap == 0 ? 64 : d->dirtycap * 2;
		d->dirty = xreallocarray(d->dirty, d->dirtycap,
		    sizeof *d->dirty);
	}
	d->dirty[d->ndirty++] = da;
	da->queued = 1;
}

/* Queue a correction of a day not in memory. */
static void
queue_cold(struct days *d, const struct store_day *c)
{
	if (d->outbox != NULL) {
		outbox_day(d->outbox, c, 1);
		return;
	}
	if (d->ncold == d->coldcap) {
		d->coldcap = d->coldcap == 0 ? 16 : d->coldcap * 2;
		d->cold = xreallocarray(d->cold, d->coldcap, sizeof *d->cold);
	}
	d->cold[d->ncold++] = *c;
}

/* An empty day of agent da: the local day of zone tz containing t. */
static void
day_init(const struct days *d, const struct days_agent *da, const char *tz,
    const char *team, int64_t t, struct store_day *out)
{
	struct time_day	day;

	time_day(tz, t, d->mp.day_starts_at_min, &day);
	memset(out, 0, sizeof *out);
	snprintf(out->agent, sizeof out->agent, "%s", da->id);
	time_date_format(day.date, out->date, sizeof out->date);
	snprintf(out->tz, sizeof out->tz, "%s", tz != NULL && *tz != '\0' ?
	    tz : "UTC");
	snprintf(out->team, sizeof out->team, "%s", team);
	out->start = day.start;
	out->end = day.end;
}

/* Copy a stored day into *arg (the last one foreach gives). */
static int
stored_day_cb(const struct store_day *sd, void *arg)
{
	*(struct store_day *)arg = *sd;
	return (0);
}

static int
stored_day(struct days *d, const char *agent, const char *date,
    struct store_day *out)
{
	char	*cause = NULL;

	out->agent[0] = '\0';
	if (store_days_foreach(d->store, agent, NULL, date, date, 0,
	    stored_day_cb, out, &cause) == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
		return (-1);
	}
	return (out->agent[0] != '\0');
}

static void	target_find(struct days *, struct days_agent *,
		    const char *, const char *, int64_t, struct days_target *);

/*
 * The day a contribution at time t goes to, in *tg: one in memory (a new
 * one if t is after every day held, the oldest then written and let go),
 * or, for a day older than those, a correction to be added to the stored
 * record.  While rebuilding (no outbox yet), stored days are left alone
 * (tg->skip): the contribution goes to a scratch day.
 */
static void
target(struct days *d, struct days_agent *da, const char *tz,
    const char *team, int64_t t, struct days_target *tg)
{
	target_find(d, da, tz, team, t, tg);
	if (tg->skip) {
		if (tg->rec != NULL) {
			tg->cold.start = tg->rec->d.start;
			tg->cold.end = tg->rec->d.end;
		}
		tg->rec = NULL;
		tg->d = &tg->cold;
	}
}

/*
 * A new day record after the others, zeroed; at DAYS_KEPT the oldest
 * goes (written by the caller if it has to be).  Grown one at a time: an
 * agent that has worked one day since start-up holds one (most of the
 * memory an agent costs is its days).
 */
static struct days_rec *
rec_push(struct days_agent *da)
{
	struct days_rec	*r;

	if (da->nrec == DAYS_KEPT) {
		memmove(da->rec, da->rec + 1, (DAYS_KEPT - 1) *
		    sizeof *da->rec);
		da->nrec--;
	}
	if (da->nrec == da->caprec) {
		da->rec = xreallocarray(da->rec, da->caprec + 1,
		    sizeof *da->rec);
		da->caprec++;
	}
	r = &da->rec[da->nrec++];
	memset(r, 0, sizeof *r);
	return (r);
}

static void
target_find(struct days *d, struct days_agent *da, const char *tz,
    const char *team, int64_t t, struct days_target *tg)
{
	struct days_rec	*r;
	int		 i;

	memset(tg, 0, sizeof *tg);
	for (i = da->nrec - 1; i >= 0; i--) {
		r = &da->rec[i];
		if (t >= r->d.start && t < r->d.end) {
			tg->rec = r;
			tg->d = &r->d;
			tg->skip = d->outbox == NULL && r->stored;
			if (*team != '\0' && strcmp(r->d.team, team) != 0)
				snprintf(r->d.team, sizeof r->d.team, "%s",
				    team);
			return;
		}
	}
	day_init(d, da, tz, team, t, &tg->cold);
	if (da->nrec == 0 || tg->cold.start >= da->rec[da->nrec - 1].d.end) {
		if (da->nrec == DAYS_KEPT) {
			r = &da->rec[0];
			if (r->dirty && !r->stored && d->outbox != NULL) {
				r->d.final = 1;
				outbox_day(d->outbox, &r->d, 0);
			} else if (r->dirty && !r->stored) {
				r->d.final = 1;
				queue_cold(d, &r->d);	/* all of it, once */
			}
		}
		r = rec_push(da);
		r->d = tg->cold;
		/*
		 * A day new to memory may be stored already (a late event
		 * after a restart): it goes on from the stored record, which
		 * a rebuild leaves alone.  One read an agent and day.
		 */
		if (stored_day(d, da->id, r->d.date, &tg->cold) == 1) {
			r->d = tg->cold;
			r->stored = d->outbox == NULL;
		}
		tg->rec = r;
		tg->d = &r->d;
		tg->skip = d->outbox == NULL && r->stored;
		return;
	}
	/* Older than the days held: a correction of the stored record. */
	tg->d = &tg->cold;
	if (d->outbox == NULL) {
		if (strcmp(da->cold_date, tg->cold.date) != 0) {
			char	*cause = NULL;

			snprintf(da->cold_date, sizeof da->cold_date, "%s",
			    tg->cold.date);
			da->cold_stored = store_day_exists(d->store, da->id,
			    tg->cold.date, &cause);
			if (da->cold_stored == -1) {
				log_warnx("storage: %s", cause);
				free(cause);
			}
		}
		tg->skip = da->cold_stored != 0;
	}
}

/* Put a closed day into h, in date order, one a date. */
static void
hist_put(struct days_hist *h, const struct store_day *sd)
{
	struct days_hist_day	 e;
	int			 i;

	memset(&e, 0, sizeof e);
	if (time_date_parse(sd->date, &e.date) == -1)
		return;
	e.worked_min = sd->worked_min;
	e.high_min = sd->high_min;
	e.hostile = sd->hostile;
	e.longest_stretch_min = sd->longest_stretch_min;
	e.raised = sd->sugg[STORE_DAY_RAISED];
	e.dismissed = sd->sugg[STORE_DAY_DISMISSED];
	e.expired = sd->sugg[STORE_DAY_EXPIRED];
	for (i = 0; i < h->n && h->v[i].date < e.date; i++)
		;
	if (i < h->n && h->v[i].date == e.date) {
		h->v[i] = e;
		return;
	}
	if (h->n == DAYS_HIST) {
		if (i == 0)
			return;		/* older than every day kept */
		memmove(h->v, h->v + 1, (DAYS_HIST - 1) * sizeof *h->v);
		h->n--;
		i--;
	}
	memmove(h->v + i + 1, h->v + i, (size_t)(h->n - i) * sizeof *h->v);
	h->v[i] = e;
	h->n++;
}

static int
hist_seed_cb(const struct store_day *sd, void *arg)
{
	hist_put(arg, sd);
	return (0);
}

/*
 * The agent's history of closed days, read from the table the first
 * time it is needed (date: the day closing), and its newest stored
 * wellbeing_check.
 */
static struct days_hist *
hist_of(struct days *d, struct days_agent *da, int64_t date)
{
	char			 from[TIME_DATE_LEN], to[TIME_DATE_LEN];
	char			*cause = NULL;

	if (da->hist != NULL)
		return (da->hist);
	da->hist = xcalloc(1, sizeof *da->hist);
	time_date_format(date - DAYS_HIST, from, sizeof from);
	time_date_format(date, to, sizeof to);
	if (store_days_foreach(d->store, da->id, NULL, from, to, 0,
	    hist_seed_cb, da->hist, &cause) == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (store_suggestion_newest(d->store, da->id,
	    sugg_kind_name(SK_WELLBEING_CHECK), &da->wellbeing_at,
	    &cause) == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
	}
	return (da->hist);
}

/*
 * Day sd of agent da closed: evaluate the trend on the day after it and
 * on the day itself; a turn to high raises a wellbeing_check stamped
 * with the day's end, at most one in any DAYS_WELLBEING_MS.
 */
static void
day_closed(struct days *d, struct days_agent *da, const struct store_day *sd)
{
	struct store_day	*v;
	struct days_hist	*h;
	struct trend		 after, before;
	char			 reason[SUGG_REASON_MAX];
	size_t			 i, len = 0;
	int64_t			 date;
	int			 k;

	if (d->wellbeing == NULL || d->outbox == NULL ||
	    time_date_parse(sd->date, &date) == -1)
		return;
	h = hist_of(d, da, date);
	hist_put(h, sd);
	v = xcalloc((size_t)h->n + 1, sizeof *v);
	for (k = 0; k < h->n; k++) {
		time_date_format(h->v[k].date, v[k].date, sizeof v[k].date);
		v[k].worked_min = h->v[k].worked_min;
		v[k].high_min = h->v[k].high_min;
		v[k].hostile = h->v[k].hostile;
		v[k].longest_stretch_min = h->v[k].longest_stretch_min;
		v[k].sugg[STORE_DAY_RAISED] = h->v[k].raised;
		v[k].sugg[STORE_DAY_DISMISSED] = h->v[k].dismissed;
		v[k].sugg[STORE_DAY_EXPIRED] = h->v[k].expired;
	}
	trend_compute(v, (size_t)h->n, date + 1, &d->tp, &after);
	trend_compute(v, (size_t)h->n, date, &d->tp, &before);
	free(v);
	if (after.risk != TREND_HIGH || before.risk == TREND_HIGH ||
	    (da->wellbeing_at != 0 && sd->end - da->wellbeing_at <
	    DAYS_WELLBEING_MS && da->wellbeing_at - sd->end <
	    DAYS_WELLBEING_MS))
		return;
	reason[0] = '\0';
	for (i = 0; i < after.nsignals && len < sizeof reason; i++) {
		snprintf(reason + len, sizeof reason - len, "%s%s",
		    i > 0 ? "; " : "", after.signals[i].reason);
		len = strlen(reason);
	}
	da->wellbeing_at = sd->end;
	d->wellbeing(d->wellbeing_arg, da->id, sd->team, sd->end, reason);
}

/* Done with a contribution: the day changed. */
static void
target_done(struct days *d, struct days_agent *da, struct days_target *tg,
    int64_t now)
{
	if (tg->skip)
		return;
	if (tg->rec != NULL) {
		if (tg->rec->d.end <= now && !tg->rec->d.final) {
			tg->rec->d.final = 1;
			mark_dirty(d, da, tg->rec);
			day_closed(d, da, &tg->rec->d);
			return;
		}
		mark_dirty(d, da, tg->rec);
		return;
	}
	tg->cold.final = 1;
	queue_cold(d, &tg->cold);
}

/*
 * The sample at whole minute m (MODEL.md's metrics at m).  Returns 0, or
 * while rebuilding, the end of a stored day m is in: no minute before it
 * needs a sample.
 */
static int64_t
sample(struct days *d, struct days_agent *da, struct agent *a,
    int64_t m, enum agent_status st, int64_t now)
{
	struct agent_metrics	 mm;
	struct strain		 s;
	struct days_target	 tg;
	struct days_rec		*last;
	struct store_day	*r;

	/* Most minutes fall in the newest day held: no need to look. */
	last = da->nrec > 0 ? &da->rec[da->nrec - 1] : NULL;
	if (last != NULL && m - 1 >= last->d.start && m - 1 < last->d.end &&
	    !(d->outbox == NULL && last->stored)) {
		tg.rec = last;
		tg.d = &last->d;
		tg.skip = 0;
	} else
		target(d, da, zone_of(d, da, a), agent_team(a), m - 1, &tg);
	r = tg.d;
	if (tg.skip) {
		/* A stored day, rebuilding: nothing to compute. */
		da->level_at = 0;
		return (tg.cold.end);
	}
	if (st == AGENT_ON_BREAK) {
		r->break_min++;
		da->level_at = 0;
		target_done(d, da, &tg, now);
		return (0);
	}
	agent_metrics(a, m, &d->mp, &mm);
	strain_compute(&mm, &d->sp, &s);
	da->level = da->level_at == m - MS_PER_MIN ?
	    strain_level_next(&d->sp, da->level, s.score) :
	    strain_level_of(&d->sp, s.score);
	da->level_at = m;
	r->worked_min++;
	r->strain_sum += s.score;
	r->strain_samples++;
	if (s.score > r->strain_peak)
		r->strain_peak = s.score;
	if (da->level >= STRAIN_HIGH)
		r->high_min++;
	if (mm.hostility_exposure > r->exposure_peak)
		r->exposure_peak = mm.hostility_exposure;
	if (mm.continuous_work_min > r->longest_stretch_min)
		r->longest_stretch_min = mm.continuous_work_min;
	target_done(d, da, &tg, now);
	return (0);
}

/*
 * Sample every whole minute in (sampled_to, upto] (see the top of the
 * file), from the model's agent a as it is: the caller has applied
 * nothing at or after those minutes yet.
 */
static void
sample_to(struct days *d, struct days_agent *da, struct agent *a,
    int64_t upto)
{
	enum agent_status	 st;
	int64_t			 m, skip, last = (upto / MS_PER_MIN) * MS_PER_MIN;

	if (last <= da->sampled_to)
		return;
	if (a == NULL || da->sampled_to == 0) {
		da->sampled_to = last;
		return;
	}
	for (m = da->sampled_to + MS_PER_MIN; m <= last; m += MS_PER_MIN) {
		if (m - agent_updated_at(a) >= DAYS_IDLE_MS)
			break;
		st = agent_status_at(a, m);
		if (st == AGENT_OFFLINE) {
			/* Offline from its last change on: nothing more. */
			if (m >= agent_status_since(a))
				break;
			da->level_at = 0;
			continue;
		}
		/* The sample at a day's end is that day's (m - 1). */
		if ((skip = sample(d, da, a, m, st, upto)) > m)
			m = (skip / MS_PER_MIN) * MS_PER_MIN;
	}
	da->sampled_to = last;
}

/* Days that ended by now are final; written with the next flush. */
static void
close_days(struct days *d, struct days_agent *da, int64_t now)
{
	int	i;

	for (i = 0; i < da->nrec; i++) {
		struct days_rec	*r = &da->rec[i];

		if (!r->d.final && r->d.end <= now && !(d->outbox == NULL &&
		    r->stored)) {
			r->d.final = 1;
			mark_dirty(d, da, r);
			day_closed(d, da, &r->d);
		}
	}
}

/*
 * An event about to be applied to the model (rebuild_cb at start-up,
 * api_apply_cb after its commit): the minutes before it are sampled
 * first, then it is counted.
 */
void
days_event(struct days *d, const struct respite_event *ev)
{
	struct days_agent	*da;
	struct agent		*a;
	struct days_target	 tg;
	const char		*tz, *team;
	int64_t			 ts = ev->ts_ms;
	int			 late;

	if (d == NULL)
		return;
	da = agent_get(d, ev->agent);
	a = agents_get(d->agents, ev->agent);
	late = da->newest != 0 && ts < da->newest;

	if (!late)
		sample_to(d, da, a, ts);
	if (da->sampled_to == 0)
		da->sampled_to = (ts / MS_PER_MIN) * MS_PER_MIN;
	tz = ev->type == RESPITE_EV_AGENT_LOGIN && ev->tz[0] != '\0' ? ev->tz :
	    zone_of(d, da, a);
	team = ev->team[0] != '\0' ? ev->team : a != NULL ? agent_team(a) : "";
	if (ev->type == RESPITE_EV_TICKET_HANDLED ||
	    agent_event_hostile(ev, &d->mp)) {
		target(d, da, tz, team, ts, &tg);
		if (ev->type == RESPITE_EV_TICKET_HANDLED) {
			tg.d->handled++;
			tg.d->contacts[ev->channel > RESPITE_CH_NONE &&
			    ev->channel < RESPITE_CH_COUNT ? ev->channel :
			    RESPITE_CH_OTHER]++;
		} else
			tg.d->hostile++;
		target_done(d, da, &tg, late ? da->newest : ts);
	}
	if (!late) {
		da->newest = ts;
		da->live = ev->received_ms - ts < d->live_window_ms;
	}
	if (ev->received_ms > da->received)
		da->received = ev->received_ms;
	close_days(d, da, da->newest);
}

static int
sugg_bucket(int status)
{
	switch (status) {
	case SS_ACCEPTED:
		return (STORE_DAY_ACCEPTED);
	case SS_DISMISSED:
		return (STORE_DAY_DISMISSED);
	case SS_SNOOZED:
		return (STORE_DAY_SNOOZED);
	case SS_EXPIRED:
		return (STORE_DAY_EXPIRED);
	default:
		return (-1);
	}
}

/* Count suggestion s, which was in status prev (-1: just raised). */
static void
count_suggestion(struct days *d, const struct suggestion *s, int prev,
    int64_t now)
{
	struct days_agent	*da;
	struct agent		*a;
	struct days_target	 tg;
	int			 b;

	if (!sugg_is_agent_kind(s->kind) || s->agent[0] == '\0' ||
	    (prev >= 0 && sugg_bucket(prev) == sugg_bucket((int)s->status)))
		return;
	da = agent_get(d, s->agent);
	a = agents_get(d->agents, s->agent);
	target(d, da, zone_of(d, da, a), s->team, s->created_at, &tg);
	if (prev < 0)
		tg.d->sugg[STORE_DAY_RAISED]++;
	else if ((b = sugg_bucket(prev)) >= 0)
		tg.d->sugg[b]--;
	if ((b = sugg_bucket((int)s->status)) >= 0)
		tg.d->sugg[b]++;
	target_done(d, da, &tg, now);
}

/*
 * The advisor changed an agent suggestion: raised it (prev -1) or moved
 * it from status prev to its status now.
 */
void
days_suggestion(struct days *d, const struct suggestion *s, int prev)
{
	struct days_agent	*da;

	if (d == NULL)
		return;
	da = agent_find(d, s->agent);
	count_suggestion(d, s, prev, da != NULL && da->newest > s->updated_at ?
	    da->newest : s->updated_at);
}

/*
 * At start-up, after the events were re-read: a stored suggestion (its
 * JSON), counted in the day it was raised if that day was rebuilt.
 */
int
days_restore_suggestion(struct days *d, const char *body)
{
	struct suggestion	 s;
	json_error_t		 je;
	json_t			*o;
	int			 rc;

	if ((o = json_loads(body, 0, &je)) == NULL)
		return (-1);
	rc = sugg_from_json(o, &s);
	json_decref(o);
	if (rc == -1)
		return (-1);
	count_suggestion(d, &s, -1, s.updated_at);
	return (0);
}

/*
 * At start-up, before the events are re-read: the days that ended after
 * now - DAYS_LOAD_MS, from the table, as they were stored.
 */
static int
load_cb(const struct store_day *sd, void *arg)
{
	struct days		*d = arg;
	struct days_agent	*da = agent_get(d, sd->agent);
	struct days_rec		*r;

	r = rec_push(da);
	r->d = *sd;
	r->stored = 1;
	return (0);
}

int
days_load(struct days *d, int64_t now, char **cause)
{
	d->loaded_since = now - DAYS_LOAD_MS;
	/* By date, so each agent keeps its newest DAYS_KEPT. */
	return (store_days_foreach(d->store, NULL, NULL, NULL, NULL,
	    d->loaded_since, load_cb, d, cause));
}

/*
 * Write the days changed since the last flush: final ones as they are;
 * today's stays in memory.
 */
void
days_flush(struct days *d)
{
	struct days_agent	*da;
	size_t			 i;
	int			 k;

	if (d == NULL || d->outbox == NULL)
		return;
	for (i = 0; i < d->ndirty; i++) {
		da = d->dirty[i];
		for (k = 0; k < da->nrec; k++) {
			struct days_rec	*r = &da->rec[k];

			if (!r->dirty || !r->d.final)
				continue;
			outbox_day(d->outbox, &r->d, 0);
			r->dirty = 0;
		}
		da->queued = 0;
	}
	d->ndirty = 0;
}

/*
 * The events were re-read: from now on days are written (through
 * outbox).  Days loaded keep what was stored; days that ended while the
 * daemon was down are final now.
 */
void
days_rebuilt(struct days *d, struct outbox *outbox, int64_t now)
{
	struct days_agent	*da;
	size_t			 i;
	int			 k;

	d->outbox = outbox;
	for (i = 0; i < d->ncold; i++)
		outbox_day(outbox, &d->cold[i], 1);
	d->ncold = 0;
	for (i = 0; i < d->nbuckets; i++)
		for (da = d->buckets[i]; da != NULL; da = da->next) {
			for (k = 0; k < da->nrec; k++) {
				struct days_rec	*r = &da->rec[k];

				/* Rebuilt and closed while rebuilding. */
				if (r->d.final && r->dirty && !r->stored)
					day_closed(d, da, &r->d);
				r->stored = 0;
			}
			close_days(d, da, da->newest > now ? da->newest : now);
		}
	days_flush(d);
}

/*
 * Let go of agents with nothing unwritten and no event for DAYS_LOAD_MS
 * (by event time and by the clock): their days are stored, and a late
 * event finds them there (target()).
 */
static void
prune(struct days *d, int64_t now)
{
	struct days_agent	**pp, *da;
	size_t			  i;

	for (i = 0; i < d->nbuckets; i++)
		for (pp = &d->buckets[i]; (da = *pp) != NULL; ) {
			if (da->queued || now - da->newest < DAYS_LOAD_MS ||
			    agents_get(d->agents, da->id) != NULL) {
				pp = &da->next;
				continue;
			}
			*pp = da->next;
			free(da->hist);
			free(da->rec);
			free(da);
			d->n--;
		}
}

/*
 * The minute timer (wall clock now, a whole minute): agents whose newest
 * event came in real time are sampled up to now, as the live timers
 * advance them; every agent's days that ended by its now are closed; what
 * changed is written.  An agent whose past is being replayed (its newest
 * event not in real time, its events still coming: one received less
 * than DAYS_SETTLE_MS before now) has its days closed on event time only,
 * by its events: by the clock the day being replayed has long ended, and
 * closing it half-way would give the trend half a day.  Unless stopping
 * (days_stop()): then no more events come.
 */
static void
tick(struct days *d, int64_t now, int stopping)
{
	struct days_agent	*da;
	size_t			 i;
	int64_t			 upto;

	if (d == NULL)
		return;
	for (i = 0; i < d->nbuckets; i++)
		for (da = d->buckets[i]; da != NULL; da = da->next) {
			if (da->live && now - da->newest < DAYS_IDLE_MS)
				sample_to(d, da, agents_get(d->agents, da->id),
				    now);
			upto = da->newest > now ? da->newest : now;
			if (!stopping && !da->live && now >= da->received &&
			    now - da->received < DAYS_SETTLE_MS)
				upto = da->newest;	/* being replayed */
			close_days(d, da, upto);
		}
	days_flush(d);
	prune(d, now);
}

void
days_tick(struct days *d, int64_t now)
{
	tick(d, now, 0);
}

/*
 * respited stops: the tick it would have had, with a replayed agent's
 * days closed by the clock too, so its last day is written (a restart
 * re-reads only the last 36 hours of events).
 */
void
days_stop(struct days *d, int64_t now)
{
	tick(d, now, 1);
}

/* The days of agent id held in memory (at most max), oldest first. */
size_t
days_of_agent(struct days *d, const char *id, const struct store_day **v,
    size_t max)
{
	struct days_agent	*da;
	size_t			 n = 0;
	int			 k;

	if (d == NULL || (da = agent_find(d, id)) == NULL)
		return (0);
	for (k = 0; k < da->nrec && n < max; k++)
		v[n++] = &da->rec[k].d;
	return (n);
}

/* Call cb for every day held in memory. */
void
days_foreach(struct days *d, void (*cb)(const struct store_day *, void *),
    void *arg)
{
	struct days_agent	*da;
	size_t			 i;
	int			 k;

	if (d == NULL)
		return;
	for (i = 0; i < d->nbuckets; i++)
		for (da = d->buckets[i]; da != NULL; da = da->next)
			for (k = 0; k < da->nrec; k++)
				cb(&da->rec[k].d, arg);
}
