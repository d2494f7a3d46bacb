/*
 * Unit tests for retention (daemon/retention.c, store_retention_step) on
 * a real SQLite file: events older than the limit (by receipt) are
 * deleted, at most RETENTION_STEP_ROWS a step, newer ones stay; closed
 * suggestions go, open and snoozed ones stay whatever their age; stream
 * items and audit records have their own limits; suggestions and stream
 * items age from when they were written; 0 keeps forever.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "retention.h"
#include "store.h"
#include "timeutil.h"

#define NOW	1795342500000LL		/* 2026-11-22T10:15:00Z */

static char		 dir[64];
static struct store	*st;
static int		 ndb;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/respite-test-retention.XXXXXX");
	return (mkdtemp(dir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* Each test gets a database of its own. */
static int
open_db(void **state)
{
	char	path[128], *cause = NULL;

	(void)state;
	snprintf(path, sizeof path, "%s/r%d.db", dir, ndb++);
	return ((st = store_open(path, 0, &cause)) == NULL ? -1 : 0);
}

static int
close_db(void **state)
{
	(void)state;
	store_close(st);
	return (0);
}

static void
add_events(int n, int64_t received, const char *prefix)
{
	struct respite_event	ev;
	char			*cause = NULL;
	int			 i;

	assert_int_equal(store_begin(st, &cause), 0);
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof ev);
		ev.type = RESPITE_EV_AGENT_LOGIN;
		snprintf(ev.id, sizeof ev.id, "%s-%d", prefix, i);
		snprintf(ev.agent, sizeof ev.agent, "a");
		ev.ts_ms = received;
		ev.received_ms = received;
		ev.duration_s = ev.severity = -1;
		assert_int_equal(store_add_event(st, &ev, &cause), 1);
	}
	assert_int_equal(store_commit(st, &cause), 0);
}

static int
count_cb(const struct respite_event *ev, void *arg)
{
	(void)ev;
	(*(int *)arg)++;
	return (0);
}

static int
count_events(void)
{
	char	*cause = NULL;
	int	 n = 0;

	assert_int_equal(store_foreach_event(st, count_cb, &n, &cause), 0);
	return (n);
}

static void
test_events_in_steps(void **state)
{
	char	*cause = NULL;
	int64_t	 cutoff = NOW - 30 * MS_PER_DAY;

	(void)state;
	add_events(2500, cutoff - MS_PER_DAY, "old");
	add_events(10, cutoff + MS_PER_MIN, "new");
	assert_int_equal(store_retention_step(st, STORE_RETAIN_EVENTS, cutoff,
	    RETENTION_STEP_ROWS, &cause), 1000);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_EVENTS, cutoff,
	    RETENTION_STEP_ROWS, &cause), 1000);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_EVENTS, cutoff,
	    RETENTION_STEP_ROWS, &cause), 500);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_EVENTS, cutoff,
	    RETENTION_STEP_ROWS, &cause), 0);
	assert_int_equal(count_events(), 10);
}

static void
put_sugg(int64_t seq, const char *status, int64_t updated)
{
	struct store_suggestion	row;
	char			*cause = NULL;

	memset(&row, 0, sizeof row);
	row.seq = seq;
	row.agent = "a";
	row.team = "t";
	row.kind = "micro_break";
	row.status = status;
	row.audience = "agent";
	row.created_at = updated;
	row.updated_at = updated;
	row.body = "{}";
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_suggestion_put(st, &row, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
}

static void
test_closed_suggestions_only(void **state)
{
	char	*cause = NULL;
	int64_t	 old = NOW - 60 * MS_PER_DAY;

	(void)state;
	put_sugg(1, "expired", old);
	put_sugg(2, "dismissed", old);
	put_sugg(3, "open", old);
	put_sugg(4, "snoozed", old);
	put_sugg(5, "accepted", NOW);
	/*
	 * Age counts from when a suggestion was written (the wall clock),
	 * not its event time: a replayed old day is not deleted at once.
	 */
	assert_int_equal(store_retention_step(st, STORE_RETAIN_SUGGESTIONS,
	    time_now_ms() - 30 * MS_PER_DAY, RETENTION_STEP_ROWS, &cause), 0);
	/*
	 * The newest (5) stays whatever its age: the ids go on from it after
	 * a restart, so none is given twice.
	 */
	assert_int_equal(store_retention_step(st, STORE_RETAIN_SUGGESTIONS,
	    time_now_ms() + MS_PER_MIN, RETENTION_STEP_ROWS, &cause), 2);
	assert_int_equal(store_suggestion_exists(st, 1), 0);
	assert_int_equal(store_suggestion_exists(st, 2), 0);
	assert_int_equal(store_suggestion_exists(st, 3), 1);
	assert_int_equal(store_suggestion_exists(st, 4), 1);
	assert_int_equal(store_suggestion_exists(st, 5), 1);
	assert_int_equal(store_max_seq(st, "suggestions"), 5);
}

static void
test_stream_and_audit(void **state)
{
	struct store_stream_item	it;
	char				*cause = NULL;
	int				 i;

	(void)state;
	assert_int_equal(store_begin(st, &cause), 0);
	for (i = 1; i <= 4; i++) {
		it.seq = i;
		it.event = "agent";
		it.agent = "a";
		it.team = "t";
		it.data = "{}";
		it.created_ms = i <= 3 ? NOW - 3 * MS_PER_DAY : NOW;
		assert_int_equal(store_stream_add(st, &it, &cause), 0);
	}
	assert_int_equal(store_audit_add(st, NOW - 400 * MS_PER_DAY, "lead",
	    "lead", "GET /v1/agents/a", "a", &cause), 0);
	assert_int_equal(store_audit_add(st, NOW, "lead", "lead",
	    "GET /v1/agents/a", "a", &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
	/* Stream items too age from when they were stored. */
	assert_int_equal(store_retention_step(st, STORE_RETAIN_STREAM,
	    time_now_ms() - 2 * MS_PER_DAY, RETENTION_STEP_ROWS, &cause), 0);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_STREAM,
	    time_now_ms() + MS_PER_MIN, RETENTION_STEP_ROWS, &cause), 3);
	/* The newest item stays: stream ids never restart. */
	assert_int_equal(store_max_seq(st, "stream"), 4);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_STREAM,
	    time_now_ms() + MS_PER_MIN, RETENTION_STEP_ROWS, &cause), 0);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_AUDIT,
	    NOW - 365 * MS_PER_DAY, RETENTION_STEP_ROWS, &cause), 1);
	assert_int_equal(store_retention_step(st, STORE_RETAIN_AUDIT,
	    NOW - 365 * MS_PER_DAY, RETENTION_STEP_ROWS, &cause), 0);
}

static void
test_retention_run(void **state)
{
	struct event_base	*base;
	struct retention	*r;
	struct retention_days	 keep;

	(void)state;
	add_events(1200, NOW - 40 * MS_PER_DAY, "run-old");
	memset(&keep, 0, sizeof keep);
	base = event_base_new();
	/* 0 keeps forever. */
	r = retention_new(base, st, &keep);
	assert_int_equal(retention_run(r, NOW), 0);
	assert_int_equal(count_events(), 1200);
	keep.days[STORE_RETAIN_EVENTS] = 30;
	retention_set(r, &keep);
	assert_int_equal(retention_run(r, NOW), 1);	/* a full step: more */
	assert_int_equal(retention_run(r, NOW), 0);
	assert_int_equal(count_events(), 0);
	retention_free(r);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_in_steps, open_db,
		    close_db),
		cmocka_unit_test_setup_teardown(test_closed_suggestions_only,
		    open_db, close_db),
		cmocka_unit_test_setup_teardown(test_stream_and_audit, open_db,
		    close_db),
		cmocka_unit_test_setup_teardown(test_retention_run, open_db,
		    close_db),
	};

	return (cmocka_run_group_tests_name("retention", tests, setup,
	    teardown));
}
