/*
 * Unit tests for daemon/audit_seen.c, which lets api_audit() record a
 * repeated read once per [privacy] audit_repeat_min:
 *
 *   - the first read is recorded, the same read within the window is
 *     not, the first one after the window is and starts a new window;
 *   - a read that differs in agent, what, who or role is recorded;
 *   - a window of 0 records every read;
 *   - a clock set back records rather than drops;
 *   - filled beyond AUDIT_SEEN_MAX, a read never seen is always recorded,
 *     and a read still within its window survives the table dropping
 *     the old ones.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "audit_seen.h"

#define T0	1795342500000LL		/* 2026-11-22T10:15:00Z */
#define MIN	(60 * 1000LL)
#define WIN	(60 * MIN)		/* the default audit_repeat_min */

#define AGENT_READ	"GET /v1/agents/alice"

static int
seen(struct audit_seen *as, const char *who, const char *role,
    const char *what, const char *agent, int64_t now, int64_t window)
{
	return (audit_seen_should_record(as, who, role, what, agent, now,
	    window));
}

static void
test_window(void **state)
{
	struct audit_seen	*as;

	(void)state;
	as = audit_seen_new();
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0,
	    WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 + 5 * MIN, WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 + WIN - 1, WIN));
	/* The first read after the window, which starts a new one. */
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0 + WIN,
	    WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 + 2 * WIN - 1, WIN));
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 + 2 * WIN, WIN));
	audit_seen_free(as);
	audit_seen_free(NULL);
}

static void
test_different_reads(void **state)
{
	struct audit_seen	*as;

	(void)state;
	as = audit_seen_new();
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, WIN));
	assert_true(seen(as, "lead-one", "lead", "GET /v1/agents/bob", "bob",
	    T0, WIN));
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "bob", T0, WIN));
	assert_true(seen(as, "lead-one", "lead", "GET /v1/agents/alice/history",
	    "alice", T0, WIN));
	assert_true(seen(as, "lead-one", "lead", AGENT_READ "?x=1", "alice",
	    T0, WIN));
	assert_true(seen(as, "lead-two", "lead", AGENT_READ, "alice", T0, WIN));
	assert_true(seen(as, "lead-one", "admin", AGENT_READ, "alice", T0,
	    WIN));
	/* The separators: the same characters split otherwise differ. */
	assert_true(seen(as, "lead-on", "elead", AGENT_READ, "alice", T0, WIN));
	assert_true(seen(as, "lead-one", "lead", AGENT_READ "a", "lice", T0,
	    WIN));
	/* Each of them is now remembered on its own. */
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0 + 1,
	    WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "bob", T0 + 1,
	    WIN));
	assert_false(seen(as, "lead-one", "admin", AGENT_READ, "alice", T0 + 1,
	    WIN));
	/* Empty strings are a read like any other. */
	assert_true(seen(as, "", "", "", "", T0, WIN));
	assert_false(seen(as, "", "", "", "", T0, WIN));
	audit_seen_free(as);
}

static void
test_window_zero(void **state)
{
	struct audit_seen	*as;
	int			 i;

	(void)state;
	as = audit_seen_new();
	for (i = 0; i < 5; i++)
		assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice",
		    T0, 0));
	/* Nothing was remembered while the window was 0. */
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, WIN));
	/* A window made 0 on reload records at once. */
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, 0));
	/* ... and one made shorter ends sooner. */
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 + MIN, MIN));
	assert_true(audit_seen_should_record(NULL, "a", "b", "c", "d", T0,
	    WIN));
	audit_seen_free(as);
}

static void
test_clock_back(void **state)
{
	struct audit_seen	*as;

	(void)state;
	as = audit_seen_new();
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice", T0, WIN));
	assert_true(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 - MIN, WIN));
	assert_false(seen(as, "lead-one", "lead", AGENT_READ, "alice",
	    T0 - MIN + 1, WIN));
	audit_seen_free(as);
}

static int
seen_n(struct audit_seen *as, const char *who, long n, int64_t now)
{
	char	agent[32];

	snprintf(agent, sizeof agent, "agent-%ld", n);
	return (seen(as, who, "lead", "GET /v1/agents", agent, now, WIN));
}

/* All within the window: the table cannot drop any, so it empties. */
static void
test_full_records_new_reads(void **state)
{
	struct audit_seen	*as;
	long			 i, missed = 0;

	(void)state;
	as = audit_seen_new();
	for (i = 0; i < 3L * AUDIT_SEEN_MAX + 17; i++)
		if (!seen_n(as, "lead-one", i, T0 + i / 1000))
			missed++;
	assert_int_equal(missed, 0);
	/* The reads since it last emptied are still remembered. */
	assert_false(seen_n(as, "lead-one", 3L * AUDIT_SEEN_MAX + 16,
	    T0 + WIN - 1));
	audit_seen_free(as);
}

/* Full of reads whose window is over: those are dropped, not the live. */
static void
test_full_drops_old(void **state)
{
	struct audit_seen	*as;
	long			 i, missed = 0;

	(void)state;
	as = audit_seen_new();
	for (i = 0; i < AUDIT_SEEN_MAX - 1; i++)
		assert_true(seen_n(as, "old", i, T0));
	assert_true(seen_n(as, "live", 0, T0 + 10 * MIN));
	/*
	 * The table is full; the next new read drops the old ones (fewer
	 * new ones than would fill it again).
	 */
	for (i = 0; i < AUDIT_SEEN_MAX / 2; i++)
		if (!seen_n(as, "new", i, T0 + WIN))
			missed++;
	assert_int_equal(missed, 0);
	assert_false(seen_n(as, "live", 0, T0 + WIN + 1));
	assert_false(seen_n(as, "new", 0, T0 + WIN + 1));
	assert_true(seen_n(as, "old", 0, T0 + WIN + 1));
	audit_seen_free(as);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_different_reads),
		cmocka_unit_test(test_window_zero),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_full_records_new_reads),
		cmocka_unit_test(test_full_drops_old),
	};

	return (cmocka_run_group_tests_name("audit_seen", tests, NULL, NULL));
}
