/*
 * Unit tests for daemon/aggview.c, a lead's team figures in aggregate
 * privacy mode (MODEL.md "Privacy modes", issue 13 item 3):
 *
 *   - boundaries are multiples of the period, also before 1970;
 *   - figures count working agents only (on a break and offline are
 *     counted apart), and every figure is withheld below min_group
 *     working, hostile messages and open tickets included;
 *   - the differencing attack: a snapshot taken at a boundary with
 *     min_group working is held however the team changes until the
 *     clock crosses the next boundary; there, one agent less is
 *     withheld, so no read isolates the one who logged off;
 *   - the clock never goes back (a late event takes no snapshot), a
 *     period change takes one, and there is none before the first time.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggview.h"

#define T0	1795342500000LL		/* 2026-11-22T10:15:00Z, a boundary */
#define MIN	(60 * 1000LL)
#define R	(15 * MIN)

static void
member(struct aggview_member *m, enum agent_status st, int strain,
    long hostile, long open)
{
	memset(m, 0, sizeof *m);
	m->status = st;
	m->strain = strain;
	m->level = strain >= 40 ? STRAIN_ELEVATED : STRAIN_OK;
	m->hostile = hostile;
	m->open = open;
}

static void
test_boundary(void **state)
{
	(void)state;
	assert_int_equal(aggview_boundary(T0, R), T0);
	assert_int_equal(aggview_boundary(T0 + R - 1, R), T0);
	assert_int_equal(aggview_boundary(T0 + R, R), T0 + R);
	assert_int_equal(aggview_boundary(T0 - 1, R), T0 - R);
	assert_int_equal(aggview_boundary(0, R), 0);
	assert_int_equal(aggview_boundary(-1, R), -R);
}

static void
test_working_counts(void **state)
{
	struct aggview_member	v[7];
	struct aggview_figs	f;

	(void)state;
	member(&v[0], AGENT_WORKING, 10, 1, 2);
	member(&v[1], AGENT_WORKING, 20, 0, 1);
	member(&v[2], AGENT_WORKING, 30, 0, 1);
	member(&v[3], AGENT_WORKING, 40, 0, 1);
	member(&v[4], AGENT_WORKING, 50, 2, 3);
	member(&v[5], AGENT_ON_BREAK, 90, 5, 0);
	member(&v[6], AGENT_OFFLINE, 95, 7, 9);
	aggview_figures(v, 7, 5, &f);
	assert_int_equal(f.agents, 7);
	assert_int_equal(f.working, 5);
	assert_int_equal(f.on_break, 1);
	assert_int_equal(f.offline, 1);
	assert_false(f.withheld);
	/* Over the working five only. */
	assert_true(f.mean > 29.99 && f.mean < 30.01);
	assert_int_equal(f.p50, 30);
	assert_int_equal(f.hostile, 3);
	assert_int_equal(f.open, 8);
	assert_int_equal(f.levels[STRAIN_OK], 3);
	assert_int_equal(f.levels[STRAIN_ELEVATED], 2);
}

static void
test_withheld(void **state)
{
	struct aggview_member	v[5];
	struct aggview_figs	f;

	(void)state;
	/* One working agent among five: nothing of its work is shown. */
	member(&v[0], AGENT_WORKING, 43, 3, 4);
	member(&v[1], AGENT_OFFLINE, 0, 0, 0);
	member(&v[2], AGENT_OFFLINE, 0, 0, 0);
	member(&v[3], AGENT_ON_BREAK, 10, 0, 0);
	member(&v[4], AGENT_ON_BREAK, 10, 0, 0);
	aggview_figures(v, 5, 5, &f);
	assert_true(f.withheld);
	assert_int_equal(f.working, 1);
	assert_int_equal(f.agents, 5);
	assert_int_equal(f.hostile, 0);
	assert_int_equal(f.open, 0);
	assert_int_equal(f.p50, 0);
	assert_true(f.mean == 0);
	assert_int_equal(f.levels[STRAIN_ELEVATED], 0);
	/* No one working: withheld even with min_group 1. */
	aggview_figures(v + 1, 4, 1, &f);
	assert_true(f.withheld);
	aggview_figures(NULL, 0, 1, &f);
	assert_true(f.withheld);
}

/* The team of the differencing attack: five working, alice at 43. */
static void
team(struct aggview_member *v, enum agent_status alice)
{
	member(&v[0], alice, 43, 0, 2);
	member(&v[1], AGENT_WORKING, 10, 0, 1);
	member(&v[2], AGENT_WORKING, 12, 0, 1);
	member(&v[3], AGENT_WORKING, 14, 0, 1);
	member(&v[4], AGENT_WORKING, 16, 0, 1);
}

static void
snapshot(struct aggview *g, int64_t b, enum agent_status alice)
{
	struct aggview_member	v[5];
	struct aggview_figs	f;

	team(v, alice);
	aggview_figures(v, 5, 5, &f);
	aggview_begin(g, b);
	aggview_put(g, "t1", &f);
}

static void
test_differencing(void **state)
{
	struct aggview		*g = aggview_new();
	struct aggview_figs	 before;
	int64_t			 b = -1;

	(void)state;
	assert_null(aggview_get(g, "t1"));
	assert_int_equal(aggview_as_of(g), -1);
	/* The first time seen takes the first snapshot. */
	assert_true(aggview_advance(g, T0 + 2 * MIN, R, &b));
	assert_int_equal(b, T0);
	snapshot(g, b, AGENT_WORKING);
	before = *aggview_get(g, "t1");
	assert_false(before.withheld);
	assert_int_equal(before.working, 5);

	/*
	 * Alice logs off a minute later, and the lead reads again a minute
	 * after that: no snapshot is due, the figures are the same.
	 */
	assert_false(aggview_advance(g, T0 + 3 * MIN, R, &b));
	assert_false(aggview_advance(g, T0 + 4 * MIN, R, &b));
	assert_false(aggview_advance(g, T0 + R - 1, R, &b));
	assert_memory_equal(aggview_get(g, "t1"), &before, sizeof before);
	assert_int_equal(aggview_as_of(g), T0);

	/* A late event (older time) changes nothing either. */
	assert_false(aggview_advance(g, T0 - 5 * MIN, R, &b));

	/* At the boundary: four working, below min_group, all withheld. */
	assert_true(aggview_advance(g, T0 + R, R, &b));
	assert_int_equal(b, T0 + R);
	snapshot(g, b, AGENT_OFFLINE);
	assert_true(aggview_get(g, "t1")->withheld);
	assert_int_equal(aggview_get(g, "t1")->working, 4);
	assert_int_equal(aggview_as_of(g), T0 + R);
	/* Taken once a boundary. */
	assert_false(aggview_advance(g, T0 + R + MIN, R, &b));

	/* Two boundaries at once: the later is taken. */
	assert_true(aggview_advance(g, T0 + 3 * R + 5, R, &b));
	assert_int_equal(b, T0 + 3 * R);
	aggview_begin(g, b);
	assert_null(aggview_get(g, "t1"));

	/* A new period (reload) takes a snapshot at once. */
	assert_true(aggview_advance(g, T0 + 3 * R + 6, 5 * MIN, &b));
	assert_int_equal(b, T0 + 3 * R);
	aggview_begin(g, b);
	assert_false(aggview_advance(g, T0 + 3 * R + 7, 5 * MIN, &b));
	aggview_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_working_counts),
		cmocka_unit_test(test_withheld),
		cmocka_unit_test(test_differencing),
	};

	return (cmocka_run_group_tests_name("aggview", tests, NULL, NULL));
}
