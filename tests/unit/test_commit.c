/*
 * Unit tests for daemon/commit.c and the outbox's part in it
 * (daemon/outbox.c) on a real SQLite file in a mkdtemp directory:
 *
 *   - a group's transaction carries what the outbox holds: after one
 *     commit the events and the outbox's stream item are stored, and the
 *     item is no longer unstored;
 *   - an extra write that fails does not keep the events out: the group
 *     is tried again without it, and the hook is told it did not commit;
 *   - outbox_written(0) keeps the queue for the next try, and only
 *     suggestions and stream items count as unstored, not audit records.
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
#include <event2/event.h>
#include <jansson.h>

#include "commit.h"
#include "ingest.h"
#include "outbox.h"
#include "store.h"
#include "unit_common.h"

#define T0		1795342500000LL		/* 2026-11-22T10:15:00Z */

struct ctx {
	struct tmpdb		 db;
	struct event_base	*base;
	struct store		*st;
	struct commit		*commit;
	struct outbox		*ob;
	int			 applied;
	/* The last batch's outcome. */
	int			 done, ok;
	size_t			 accepted;
	/* A fake extra hook's record. */
	int			 extra_calls, extra_fail;
	int			 extra_done_calls, extra_committed;
};

static void
apply_cb(const struct respite_event *ev, void *arg)
{
	struct ctx	*c = arg;

	(void)ev;
	c->applied++;
}

static void
done_cb(const struct commit_result *r, void *arg)
{
	struct ctx	*c = arg;

	c->done++;
	c->ok = r->ok;
	c->accepted = r->accepted;
}

static int
fake_extra_cb(void *arg, char **cause)
{
	struct ctx	*c = arg;

	c->extra_calls++;
	if (c->extra_fail) {
		*cause = strdup("the extra write failed");
		return (-1);
	}
	return (0);
}

static void
fake_extra_done_cb(int committed, void *arg)
{
	struct ctx	*c = arg;

	c->extra_done_calls++;
	c->extra_committed = committed;
}

static int
setup(void **state)
{
	struct ctx	*c;
	char		*cause = NULL;

	c = calloc(1, sizeof *c);
	assert_non_null(c);
	assert_int_equal(tmpdb_make(&c->db, "commit"), 0);
	if ((c->st = store_open(c->db.path, 0, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	assert_non_null(c->base = event_base_new());
	c->commit = commit_new(c->base, c->st, apply_cb, c);
	c->ob = outbox_new(c->st);
	*state = c;
	return (0);
}

static int
teardown(void **state)
{
	struct ctx	*c = *state;

	commit_free(c->commit);
	outbox_free(c->ob);
	store_close(c->st);
	event_base_free(c->base);
	tmpdb_remove(&c->db);
	free(c);
	return (0);
}

/* Submit the JSON body as one batch and commit it now. */
static void
submit(struct ctx *c, const char *body)
{
	static const struct ingest_limits lim = { 100, 300000 };
	struct event_batch	b;
	struct api_error	err;

	memset(&err, 0, sizeof err);
	if (ingest_parse(body, strlen(body), 0, &lim, T0, &b, &err) != 0)
		fail_msg("ingest_parse: %s", err.message);
	commit_submit(c->commit, &b, done_cb, c);
	commit_flush(c->commit);
}

/* Rows committed to the file, read through a connection of their own. */
static long
nevents(struct ctx *c)
{
	return (tmpdb_count(&c->db, "events"));
}

static long
nitems(struct ctx *c)
{
	return (tmpdb_count(&c->db, "stream"));
}

static const char two_events[] = "[{\"type\":\"agent.login\","
    "\"agent\":\"a1\",\"team\":\"t\"},{\"type\":\"ticket.assigned\","
    "\"agent\":\"a1\",\"channel\":\"chat\"}]";

static void
test_group_carries_outbox(void **state)
{
	struct ctx	*c = *state;

	commit_set_extra(c->commit, outbox_hook_write, outbox_hook_written,
	    c->ob);
	outbox_item(c->ob, "level", "a0", "t", json_pack("{s:s}", "level",
	    "high"), T0);
	assert_true(outbox_unstored(c->ob));
	assert_int_equal(nitems(c), 0);

	submit(c, two_events);
	assert_int_equal(c->done, 1);
	assert_int_equal(c->ok, 0);
	assert_int_equal(c->accepted, 2);
	assert_int_equal(c->applied, 2);
	assert_int_equal(nevents(c), 2);
	/* The item rode in the group's transaction, and is published. */
	assert_int_equal(nitems(c), 1);
	assert_false(outbox_unstored(c->ob));
	assert_false(outbox_pending(c->ob));

	/* Nothing queued: the next group writes its events alone. */
	submit(c, "{\"type\":\"agent.logout\",\"agent\":\"a1\"}");
	assert_int_equal(c->accepted, 1);
	assert_int_equal(nevents(c), 3);
	assert_int_equal(nitems(c), 1);
}

static void
test_failing_extra_keeps_no_event_out(void **state)
{
	struct ctx	*c = *state;

	commit_set_extra(c->commit, fake_extra_cb, fake_extra_done_cb, c);
	c->extra_fail = 1;
	submit(c, two_events);
	/* Tried with the extra, told it failed, then the events alone. */
	assert_int_equal(c->extra_calls, 1);
	assert_int_equal(c->extra_done_calls, 1);
	assert_int_equal(c->extra_committed, 0);
	assert_int_equal(c->done, 1);
	assert_int_equal(c->ok, 0);
	assert_int_equal(c->accepted, 2);
	assert_int_equal(nevents(c), 2);

	c->extra_fail = 0;
	submit(c, "{\"type\":\"agent.logout\",\"agent\":\"a1\"}");
	assert_int_equal(c->extra_calls, 2);
	assert_int_equal(c->extra_done_calls, 2);
	assert_int_equal(c->extra_committed, 1);
	assert_int_equal(nevents(c), 3);
}

static void
test_outbox_written_keeps_on_rollback(void **state)
{
	struct ctx	*c = *state;
	char		*cause = NULL;

	/* Audit records are pending but not "unstored" changes. */
	outbox_audit(c->ob, T0, "lead1", "lead", "agent", "a1");
	assert_true(outbox_pending(c->ob));
	assert_false(outbox_unstored(c->ob));

	outbox_item(c->ob, "level", "a1", "t", json_object(), T0);
	assert_true(outbox_unstored(c->ob));
	assert_int_equal(store_begin(c->st, &cause), 0);
	assert_int_equal(outbox_write(c->ob, &cause), 0);
	store_rollback(c->st);
	outbox_written(c->ob, 0);
	assert_true(outbox_unstored(c->ob));
	assert_int_equal(nitems(c), 0);

	/* The next try writes both, once. */
	assert_int_equal(outbox_flush(c->ob, &cause), 0);
	assert_false(outbox_pending(c->ob));
	assert_false(outbox_unstored(c->ob));
	assert_int_equal(nitems(c), 1);
	assert_int_equal(outbox_flush(c->ob, &cause), 0);
	assert_int_equal(nitems(c), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_carries_outbox,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failing_extra_keeps_no_event_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_outbox_written_keeps_on_rollback, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
