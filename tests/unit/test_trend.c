/*
 * Unit tests for the trend (daemon/trend.c): each signal of MODEL.md
 * just below, at and above its threshold, the risk rule, too few
 * baseline days, the window and baseline's edges (today excluded), and
 * the baseline's per-day rate over the days since the first record.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "store.h"
#include "timeutil.h"
#include "trend.h"

#define TODAY	20791	/* 2026-12-04 */
#define NDAYS	64

static struct trend_params	tp;
static struct store_day		days[NDAYS];
static size_t			ndays;

static int
group_setup(void **state)
{
	(void)state;
	trend_params_default(&tp);
	return (0);
}

static int
setup(void **state)
{
	(void)state;
	memset(days, 0, sizeof days);
	ndays = 0;
	return (0);
}

/* A plain day `ago` days before today: 7 h, calm. */
static struct store_day *
day(int ago)
{
	struct store_day	*d;

	assert_true(ndays < NDAYS);
	d = &days[ndays++];
	snprintf(d->agent, sizeof d->agent, "a");
	time_date_format(TODAY - ago, d->date, sizeof d->date);
	d->final = 1;
	d->worked_min = 420;
	d->longest_stretch_min = 90;
	return (d);
}

/* A calm baseline: every one of the 28 days (8..35 days ago). */
static void
baseline(void)
{
	int	ago;

	for (ago = 8; ago <= 35; ago++)
		day(ago);
}

static void
window(void)
{
	int	ago;

	for (ago = 1; ago <= 7; ago++)
		day(ago);
}

static const struct trend_signal *
signal_of(const struct trend *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->nsignals; i++)
		if (strcmp(t->signals[i].name, name) == 0)
			return (&t->signals[i]);
	return (NULL);
}

static void
compute(struct trend *t)
{
	trend_compute(days, ndays, TODAY, &tp, t);
}

static void
test_calm(void **state)
{
	struct trend	t;

	(void)state;
	baseline();
	window();
	compute(&t);
	assert_int_equal(t.window_days, 7);
	assert_int_equal(t.baseline_days, 28);
	assert_int_equal(t.risk, TREND_OK);
	assert_int_equal(t.nsignals, 0);
	assert_string_equal(trend_risk_name(t.risk), "ok");
}

static void
test_too_few_baseline_days(void **state)
{
	struct trend	t;
	int		ago;

	(void)state;
	/* 6 baseline days, a window that would be high otherwise. */
	for (ago = 8; ago < 14; ago++)
		day(ago);
	for (ago = 1; ago <= 7; ago++) {
		day(ago)->worked_min = 660;
		days[ndays - 1].hostile = 20;
	}
	compute(&t);
	assert_int_equal(t.baseline_days, 6);
	assert_int_equal(t.risk, TREND_OK);
	assert_int_equal(t.nsignals, 0);
	/* The seventh baseline day: now the signals count. */
	day(20);
	compute(&t);
	assert_int_equal(t.baseline_days, 7);
	assert_int_equal(t.risk, TREND_HIGH);
}

/*
 * high_strain_days: baseline 4 high days in 28 (1 a week): the signal
 * from 1 + 2 = 3 days on.
 */
static void
high_strain(int window_high, int high_min, struct trend *t)
{
	int	i;

	setup(NULL);
	baseline();
	for (i = 0; i < 4; i++)
		days[i * 7].high_min = 45;
	window();
	for (i = 0; i < window_high; i++)
		days[28 + i].high_min = high_min;
	compute(t);
}

static void
test_high_strain_days(void **state)
{
	const struct trend_signal	*s;
	struct trend			 t;

	(void)state;
	high_strain(2, 45, &t);
	assert_null(signal_of(&t, "high_strain_days"));
	high_strain(3, 45, &t);
	assert_non_null(s = signal_of(&t, "high_strain_days"));
	assert_true(s->value == 3);
	assert_true(s->baseline == 1);
	assert_string_equal(s->reason, "3 of the last 7 days with 30+ minutes "
	    "at high strain (usual: 1)");
	assert_int_equal(t.risk, TREND_ELEVATED);
	high_strain(4, 45, &t);
	assert_non_null(signal_of(&t, "high_strain_days"));
	/* 29 minutes is not a high-strain day, 30 is. */
	high_strain(3, 29, &t);
	assert_null(signal_of(&t, "high_strain_days"));
	high_strain(3, 30, &t);
	assert_non_null(signal_of(&t, "high_strain_days"));
}

/* hostile_exposure: baseline 12 in 28 days (3 a week). */
static void
hostile(int in_window, int in_baseline, struct trend *t)
{
	setup(NULL);
	baseline();
	days[0].hostile = in_baseline;
	window();
	days[28].hostile = in_window;
	compute(t);
}

static void
test_hostile_exposure(void **state)
{
	const struct trend_signal	*s;
	struct trend			 t;

	(void)state;
	/* 2 x 3 = 6 is the bar. */
	hostile(5, 12, &t);
	assert_null(signal_of(&t, "hostile_exposure"));
	hostile(6, 12, &t);
	assert_non_null(s = signal_of(&t, "hostile_exposure"));
	assert_true(s->value == 6);
	assert_true(s->baseline == 3);
	assert_string_equal(s->reason, "6 hostile messages in the last 7 days "
	    "(usual: 3)");
	hostile(7, 12, &t);
	assert_non_null(signal_of(&t, "hostile_exposure"));
	/* A quiet baseline: at least 5. */
	hostile(4, 0, &t);
	assert_null(signal_of(&t, "hostile_exposure"));
	hostile(5, 0, &t);
	assert_non_null(signal_of(&t, "hostile_exposure"));
	hostile(6, 0, &t);
	assert_non_null(signal_of(&t, "hostile_exposure"));
}

/* breaks_skipped: skipped of raised in the window, base_pct before. */
static void
skipped(int raised, int dismissed, int expired, int base_pct,
    struct trend *t)
{
	setup(NULL);
	baseline();
	days[0].sugg[STORE_DAY_RAISED] = 100;
	days[0].sugg[STORE_DAY_DISMISSED] = base_pct;
	window();
	days[28].sugg[STORE_DAY_RAISED] = raised;
	days[28].sugg[STORE_DAY_DISMISSED] = dismissed;
	days[29].sugg[STORE_DAY_EXPIRED] = expired;
	compute(t);
}

static void
test_breaks_skipped(void **state)
{
	const struct trend_signal	*s;
	struct trend			 t;

	(void)state;
	/* The share: 59 %, 60 %, 61 % of 100 (baseline 10 %). */
	skipped(100, 50, 9, 10, &t);
	assert_null(signal_of(&t, "breaks_skipped"));
	skipped(100, 50, 10, 10, &t);
	assert_non_null(s = signal_of(&t, "breaks_skipped"));
	assert_true(s->value == 60);
	assert_true(s->baseline == 10);
	assert_string_equal(s->reason, "60 % of 100 break suggestions in the "
	    "last 7 days dismissed or expired (usual: 10 %)");
	skipped(100, 50, 11, 10, &t);
	assert_non_null(signal_of(&t, "breaks_skipped"));
	/* Over 4, 5, 6 suggestions, all dismissed. */
	skipped(4, 4, 0, 10, &t);
	assert_null(signal_of(&t, "breaks_skipped"));
	skipped(5, 5, 0, 10, &t);
	assert_non_null(signal_of(&t, "breaks_skipped"));
	skipped(6, 6, 0, 10, &t);
	assert_non_null(signal_of(&t, "breaks_skipped"));
	/* 20 points over the baseline: 70 % against 51, 50, 49 %. */
	skipped(100, 70, 0, 51, &t);
	assert_null(signal_of(&t, "breaks_skipped"));
	skipped(100, 70, 0, 50, &t);
	assert_non_null(signal_of(&t, "breaks_skipped"));
	skipped(100, 70, 0, 49, &t);
	assert_non_null(signal_of(&t, "breaks_skipped"));
}

static void
test_long_days(void **state)
{
	const struct trend_signal	*s;
	struct trend			 t;

	(void)state;
	/* 599 minutes is not a long day; 600 is, and alone makes it high. */
	baseline();
	window();
	days[28].worked_min = 599;
	compute(&t);
	assert_null(signal_of(&t, "long_days"));
	assert_int_equal(t.risk, TREND_OK);
	days[28].worked_min = 600;
	compute(&t);
	assert_non_null(s = signal_of(&t, "long_days"));
	assert_true(s->value == 1);
	assert_string_equal(s->reason, "1 of the last 7 days with 10+ hours "
	    "worked (usual: 0)");
	assert_int_equal(t.risk, TREND_HIGH);
	days[29].worked_min = 601;
	compute(&t);
	assert_true(signal_of(&t, "long_days")->value == 2);

	/* Stretches of 6 h: on 2, 3, 4 days; one signal, elevated. */
	setup(NULL);
	baseline();
	window();
	days[28].longest_stretch_min = 360;
	days[29].longest_stretch_min = 400;
	days[30].longest_stretch_min = 359;
	compute(&t);
	assert_null(signal_of(&t, "long_days"));
	days[30].longest_stretch_min = 360;
	compute(&t);
	assert_non_null(s = signal_of(&t, "long_days"));
	assert_true(s->value == 3);
	assert_string_equal(s->reason, "3 of the last 7 days with a stretch of "
	    "6+ hours without a break (usual: 0)");
	assert_int_equal(t.risk, TREND_ELEVATED);
	days[31].longest_stretch_min = 361;
	compute(&t);
	assert_true(signal_of(&t, "long_days")->value == 4);
}

/* Two signals: high; one: elevated; none: ok. */
static void
test_risk(void **state)
{
	struct trend	t;

	(void)state;
	hostile(6, 0, &t);
	assert_int_equal(t.nsignals, 1);
	assert_int_equal(t.risk, TREND_ELEVATED);
	days[28].high_min = 40;
	compute(&t);
	assert_int_equal(t.nsignals, 1);
	days[29].high_min = 40;	/* 2 >= 0 + 2 */
	compute(&t);
	assert_int_equal(t.nsignals, 2);
	assert_int_equal(t.risk, TREND_HIGH);
	assert_string_equal(trend_risk_name(t.risk), "high");
	assert_string_equal(trend_risk_name(TREND_ELEVATED), "elevated");
}

/*
 * Today and the days before the baseline are not counted; the baseline
 * is a rate over the days since the agent's first record in it.
 */
static void
test_edges(void **state)
{
	struct trend	t;
	int		ago;

	(void)state;
	baseline();
	window();
	day(0)->hostile = 50;		/* today */
	day(36)->hostile = 50;		/* before the baseline */
	compute(&t);
	assert_int_equal(t.baseline_days, 28);
	assert_int_equal(t.nsignals, 0);

	/* 14 days of baseline (8..21 ago), 2 hostile a day: 14 a week. */
	setup(NULL);
	for (ago = 8; ago <= 21; ago++)
		day(ago)->hostile = 2;
	window();
	days[14].hostile = 27;
	compute(&t);
	assert_int_equal(t.baseline_days, 14);
	assert_null(signal_of(&t, "hostile_exposure"));
	days[14].hostile = 28;
	compute(&t);
	assert_non_null(signal_of(&t, "hostile_exposure"));
	assert_true(signal_of(&t, "hostile_exposure")->baseline == 14);
}

static void
test_config_defaults(void **state)
{
	struct trend_params	 p;
	struct config		*cf;

	(void)state;
	cf = config_defaults();
	trend_params_from_config(cf, &p);
	assert_memory_equal(&p, &tp, sizeof p);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup(test_calm, setup),
		cmocka_unit_test_setup(test_too_few_baseline_days, setup),
		cmocka_unit_test_setup(test_high_strain_days, setup),
		cmocka_unit_test_setup(test_hostile_exposure, setup),
		cmocka_unit_test_setup(test_breaks_skipped, setup),
		cmocka_unit_test_setup(test_long_days, setup),
		cmocka_unit_test_setup(test_risk, setup),
		cmocka_unit_test_setup(test_edges, setup),
		cmocka_unit_test_setup(test_config_defaults, setup),
	};

	return (cmocka_run_group_tests_name("trend", tests, group_setup,
	    NULL));
}
