/*
 * respite - the trend (API.md "trend", MODEL.md "Weeks, not only shifts").
 *
 * An agent's last TREND_WINDOW_DAYS completed days (the window, today
 * excluded) against the TREND_BASELINE_DAYS before them (its own
 * baseline: people differ).  Pure: the agent's day records and its
 * today (the local date, days since 1970) are passed in; nothing is read.
 *
 * The baseline is a per-day rate scaled to the window's 7 days: what the
 * baseline's days sum to, divided by the calendar days from the agent's
 * first record in the baseline to its end (days off count as days; an
 * agent who started 10 days before the window is not diluted by the 18
 * days before it came), times 7.  breaks_skipped compares shares, not
 * rates.  baseline_days counts the baseline's days with records; with
 * fewer than TREND_BASELINE_MIN the risk is ok and there are no signals.
 *
 * Signals (thresholds: struct trend_params, [trend] in respite.conf):
 *   high_strain_days  days with >= high_strain_min minutes at high or
 *                     critical, >= baseline + high_strain_margin;
 *   hostile_exposure  hostile messages, >= hostile_factor x baseline and
 *                     >= hostile_min;
 *   breaks_skipped    percent of the break suggestions raised that were
 *                     dismissed or expired, >= skipped_share over >=
 *                     skipped_min suggestions, and >= baseline +
 *                     skipped_margin points;
 *   long_days         days with worked_min >= long_day_min (any), or >=
 *                     long_stretch_days days with a stretch of >=
 *                     long_stretch_min minutes.
 * risk: high with two signals or more, or long_days with a long day;
 * elevated with one; else ok.
 */
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "trend.h"

#define EPS	1e-9	/* "at the threshold" despite rounding */

void
trend_params_default(struct trend_params *tp)
{
	tp->high_strain_min = 30;
	tp->high_strain_margin = 2;
	tp->hostile_factor = 2;
	tp->hostile_min = 5;
	tp->skipped_share = 60;
	tp->skipped_min = 5;
	tp->skipped_margin = 20;
	tp->long_day_min = 600;
	tp->long_stretch_min = 360;
	tp->long_stretch_days = 3;
}

void
trend_params_from_config(const struct config *cf, struct trend_params *tp)
{
	tp->high_strain_min = cf->t_high_strain_min;
	tp->high_strain_margin = cf->t_high_strain_margin;
	tp->hostile_factor = cf->t_hostile_factor;
	tp->hostile_min = cf->t_hostile_min;
	tp->skipped_share = cf->t_breaks_skipped_share;
	tp->skipped_min = cf->t_breaks_skipped_min;
	tp->skipped_margin = cf->t_breaks_skipped_margin;
	tp->long_day_min = cf->t_long_day_min;
	tp->long_stretch_min = cf->t_long_stretch_min;
	tp->long_stretch_days = cf->t_long_stretch_days;
}

const char *
trend_risk_name(enum trend_risk r)
{
	switch (r) {
	case TREND_HIGH:
		return ("high");
	case TREND_ELEVATED:
		return ("elevated");
	default:
		return ("ok");
	}
}

/* What a span of days sums to. */
struct trend_sums {
	int64_t	days;			/* with records */
	int64_t	high_days;		/* >= high_strain_min at high+ */
	int64_t	hostile;
	int64_t	raised, skipped;	/* break suggestions */
	int64_t	long_days;		/* worked >= long_day_min */
	int64_t	stretch_days;		/* a stretch >= long_stretch_min */
	int64_t	first;			/* earliest date with a record */
};

static void
sums_add(struct trend_sums *s, const struct store_day *d, int64_t date,
    const struct trend_params *tp)
{
	if (s->days == 0 || date < s->first)
		s->first = date;
	s->days++;
	if ((double)d->high_min >= tp->high_strain_min)
		s->high_days++;
	s->hostile += d->hostile > 0 ? d->hostile : 0;
	s->raised += d->sugg[STORE_DAY_RAISED] > 0 ?
	    d->sugg[STORE_DAY_RAISED] : 0;
	s->skipped += (d->sugg[STORE_DAY_DISMISSED] > 0 ?
	    d->sugg[STORE_DAY_DISMISSED] : 0) +
	    (d->sugg[STORE_DAY_EXPIRED] > 0 ? d->sugg[STORE_DAY_EXPIRED] : 0);
	if ((double)d->worked_min >= tp->long_day_min)
		s->long_days++;
	if ((double)d->longest_stretch_min >= tp->long_stretch_min)
		s->stretch_days++;
}

/* A figure as a reason shows it: one decimal at most (1.2, 0, 3). */
static void
fmt_num(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%g", round(v * 10) / 10);
}

static struct trend_signal *
signal_add(struct trend *t, const char *name, double value, double baseline)
{
	struct trend_signal	*s = &t->signals[t->nsignals++];

	s->name = name;
	s->value = value;
	s->baseline = round(baseline * 10) / 10;
	return (s);
}

static double
share(int64_t part, int64_t whole)
{
	return (whole > 0 ? 100.0 * (double)part / (double)whole : 0);
}

/*
 * The trend of the day records v[0..n) of one agent (any order, one a
 * date) on its local date today.
 */
void
trend_compute(const struct store_day *v, size_t n, int64_t today,
    const struct trend_params *tp, struct trend *t)
{
	struct trend_sums	 w, b;
	struct trend_signal	*s;
	double			 scale, base, wshare, bshare;
	char			 bs[32];
	int64_t			 date, wfrom, bfrom;
	size_t			 i;
	int			 ten_hours = 0;

	memset(t, 0, sizeof *t);
	t->window_days = TREND_WINDOW_DAYS;
	memset(&w, 0, sizeof w);
	memset(&b, 0, sizeof b);
	wfrom = today - TREND_WINDOW_DAYS;
	bfrom = wfrom - TREND_BASELINE_DAYS;
	for (i = 0; i < n; i++) {
		if (time_date_parse(v[i].date, &date) == -1)
			continue;
		if (date >= wfrom && date < today)
			sums_add(&w, &v[i], date, tp);
		else if (date >= bfrom && date < wfrom)
			sums_add(&b, &v[i], date, tp);
	}
	t->baseline_days = (int)b.days;
	if (b.days < TREND_BASELINE_MIN)
		return;
	/* Per calendar day since the first record, scaled to the window. */
	scale = (double)TREND_WINDOW_DAYS / (double)(wfrom - b.first);

	base = (double)b.high_days * scale;
	if ((double)w.high_days >= base + tp->high_strain_margin - EPS) {
		s = signal_add(t, "high_strain_days", (double)w.high_days, base);
		fmt_num(base, bs, sizeof bs);
		snprintf(s->reason, sizeof s->reason, "%lld of the last %d days "
		    "with %g+ minutes at high strain (usual: %s)",
		    (long long)w.high_days, TREND_WINDOW_DAYS,
		    tp->high_strain_min, bs);
	}

	base = (double)b.hostile * scale;
	if ((double)w.hostile >= tp->hostile_factor * base - EPS &&
	    (double)w.hostile >= tp->hostile_min - EPS) {
		s = signal_add(t, "hostile_exposure", (double)w.hostile, base);
		fmt_num(base, bs, sizeof bs);
		snprintf(s->reason, sizeof s->reason, "%lld hostile messages in "
		    "the last %d days (usual: %s)", (long long)w.hostile,
		    TREND_WINDOW_DAYS, bs);
	}

	wshare = share(w.skipped, w.raised);
	bshare = share(b.skipped, b.raised);
	if ((double)w.raised >= tp->skipped_min - EPS &&
	    wshare >= tp->skipped_share - EPS &&
	    wshare >= bshare + tp->skipped_margin - EPS) {
		s = signal_add(t, "breaks_skipped", round(wshare), bshare);
		s->baseline = round(bshare);
		snprintf(s->reason, sizeof s->reason, "%.0f %% of %lld break "
		    "suggestions in the last %d days dismissed or expired "
		    "(usual: %.0f %%)", wshare, (long long)w.raised,
		    TREND_WINDOW_DAYS, bshare);
	}

	if (w.long_days > 0) {
		ten_hours = 1;
		base = (double)b.long_days * scale;
		s = signal_add(t, "long_days", (double)w.long_days, base);
		fmt_num(base, bs, sizeof bs);
		snprintf(s->reason, sizeof s->reason, "%lld of the last %d days "
		    "with %g+ hours worked (usual: %s)", (long long)w.long_days,
		    TREND_WINDOW_DAYS, tp->long_day_min / 60, bs);
	} else if ((double)w.stretch_days >= tp->long_stretch_days - EPS) {
		base = (double)b.stretch_days * scale;
		s = signal_add(t, "long_days", (double)w.stretch_days, base);
		fmt_num(base, bs, sizeof bs);
		snprintf(s->reason, sizeof s->reason, "%lld of the last %d days "
		    "with a stretch of %g+ hours without a break (usual: %s)",
		    (long long)w.stretch_days, TREND_WINDOW_DAYS,
		    tp->long_stretch_min / 60, bs);
	}

	if (t->nsignals >= 2 || ten_hours)
		t->risk = TREND_HIGH;
	else if (t->nsignals == 1)
		t->risk = TREND_ELEVATED;
}
