/*
 * Unit tests for daemon/store.c on a real SQLite file in a mkdtemp
 * directory: the schema at open, duplicate ids (within a transaction,
 * across transactions and across a close and reopen), rollback, reading
 * every event back in insertion order with all fields, and the refusals
 * for a file that is not a database and for a newer schema; what start-up
 * reads (issue 15): the window, an agent's events before it, and the
 * open assignments the triggers keep (and a migration fills).
 */
#include "build.h"

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "strain.h"
#include "unit_common.h"

#define T0		1795342500000LL		/* 2026-11-22T10:15:00Z */

static struct tmpdb	tdb;

static int
setup(void **state)
{
	(void)state;
	return (tmpdb_make(&tdb, "store"));
}

static int
teardown(void **state)
{
	char	path[160];

	(void)state;
	snprintf(path, sizeof path, "%s/a/b/respite.db", tdb.dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a/b/respite.db-wal", tdb.dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a/b/respite.db-shm", tdb.dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/a/b", tdb.dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/a", tdb.dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/file", tdb.dir);
	unlink(path);
	return (tmpdb_remove(&tdb));
}

static int
test_teardown(void **state)
{
	(void)state;
	tmpdb_clear(&tdb);
	return (0);
}

static struct store *
open_ok(const char *path)
{
	struct store	*st;
	char		*cause = NULL;

	if ((st = store_open(path, 1, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	assert_null(cause);
	return (st);
}

/*
 * When not 0, mk() gives received times in the order of the calls, as a
 * running daemon's clock does: never before ts + 5, never before the last.
 */
static int64_t	received_clock;

static struct respite_event
mk(const char *id, enum respite_event_type type, const char *agent,
    int64_t ts)
{
	struct respite_event	ev;

	memset(&ev, 0, sizeof ev);
	snprintf(ev.id, sizeof ev.id, "%s", id);
	ev.type = type;
	snprintf(ev.agent, sizeof ev.agent, "%s", agent);
	ev.ts_ms = ts;
	ev.received_ms = ts + 5;
	if (received_clock != 0) {
		if (received_clock > ev.received_ms)
			ev.received_ms = received_clock;
		received_clock = ev.received_ms + 1;
	}
	ev.duration_s = -1;
	ev.severity = -1;
	return (ev);
}

static int
add(struct store *st, const struct respite_event *ev)
{
	char	*cause = NULL;
	int	 rc;

	rc = store_add_event(st, ev, &cause);
	if (rc == -1)
		fail_msg("store_add_event: %s", cause);
	return (rc);
}

static void
begin(struct store *st)
{
	char	*cause = NULL;

	if (store_begin(st, &cause) != 0)
		fail_msg("store_begin: %s", cause);
}

static void
commit(struct store *st)
{
	char	*cause = NULL;

	if (store_commit(st, &cause) != 0)
		fail_msg("store_commit: %s", cause);
}

/* Collects what store_foreach_event gives back. */
struct collected {
	struct respite_event	ev[16];
	size_t			n;
	size_t			stop_after;	/* 0: never stop */
};

static int
collect_cb(const struct respite_event *ev, void *arg)
{
	struct collected	*c = arg;

	if (c->n < sizeof c->ev / sizeof c->ev[0])
		c->ev[c->n] = *ev;
	c->n++;
	return (c->stop_after != 0 && c->n >= c->stop_after);
}

static size_t
count_events(struct store *st)
{
	struct collected	*c;
	char			*cause = NULL;
	size_t			 n;

	c = calloc(1, sizeof *c);
	if (store_foreach_event(st, collect_cb, c, &cause) != 0)
		fail_msg("store_foreach_event: %s", cause);
	n = c->n;
	free(c);
	return (n);
}

/* One value from an SQL query on a separate connection, as text. */
static void
query(const char *path, const char *sql, char *out, size_t len)
{
	sqlite3		*h;
	sqlite3_stmt	*s;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
}

static void
test_open_creates_schema(void **state)
{
	struct store	*st;
	char		 path[160], v[256];
	struct stat	 sb;

	(void)state;
	/* Missing parent directories are created. */
	snprintf(path, sizeof path, "%s/a/b/respite.db", tdb.dir);
	st = open_ok(path);
	assert_string_equal(store_path(st), path);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	snprintf(path, sizeof path, "%s/a/b", tdb.dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0750);
	{
		char	*cause = NULL;

		assert_int_equal(store_check(st, &cause), 0);
		assert_null(cause);
	}
	store_close(st);

	snprintf(path, sizeof path, "%s/a/b/respite.db", tdb.dir);
	query(path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
	query(path, "PRAGMA journal_mode", v, sizeof v);
	assert_string_equal(v, "wal");
	query(path, "SELECT count(*) FROM events", v, sizeof v);
	assert_string_equal(v, "0");
	query(path, "SELECT group_concat(name, ',') FROM pragma_table_info("
	    "'events')", v, sizeof v);
	assert_string_equal(v, "seq,id,type,agent,team,ts,received,channel,"
	    "ticket,duration_s,severity,categories,lang,tz");

	/* Opening again keeps it as it is. */
	st = open_ok(path);
	store_close(st);
	query(path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
	store_close(NULL);
}

static void
test_duplicates(void **state)
{
	struct store		*st;
	struct respite_event	 a, b;
	char			 n[32];

	(void)state;
	st = open_ok(tdb.path);
	a = mk("e-1", RESPITE_EV_AGENT_LOGIN, "alice", T0);
	b = mk("e-2", RESPITE_EV_AGENT_LOGIN, "bob", T0);

	/* Within one transaction. */
	begin(st);
	assert_int_equal(add(st, &a), 1);
	assert_int_equal(add(st, &a), 0);
	assert_int_equal(add(st, &b), 1);
	commit(st);

	/* Across transactions: the first one stands. */
	a.type = RESPITE_EV_AGENT_LOGOUT;
	begin(st);
	assert_int_equal(add(st, &a), 0);
	assert_int_equal(add(st, &b), 0);
	commit(st);
	assert_int_equal(count_events(st), 2);
	store_close(st);

	/* Across a close and reopen. */
	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(add(st, &a), 0);
	a = mk("e-3", RESPITE_EV_AGENT_LOGIN, "alice", T0);
	assert_int_equal(add(st, &a), 1);
	commit(st);
	assert_int_equal(count_events(st), 3);
	store_close(st);
	query(tdb.path, "SELECT type FROM events WHERE id = 'e-1'", n,
	    sizeof n);
	assert_string_equal(n, "1");		/* still the login */
}

static void
test_no_id_never_duplicate(void **state)
{
	struct store		*st;
	struct respite_event	 ev;

	(void)state;
	st = open_ok(tdb.path);
	ev = mk("", RESPITE_EV_MESSAGE_RECEIVED, "alice", T0);
	ev.channel = RESPITE_CH_CHAT;
	begin(st);
	assert_int_equal(add(st, &ev), 1);
	assert_int_equal(add(st, &ev), 1);
	commit(st);
	store_close(st);
	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(add(st, &ev), 1);
	commit(st);
	assert_int_equal(count_events(st), 3);
	store_close(st);
}

static void
test_rollback(void **state)
{
	struct store		*st;
	struct respite_event	 a, b;

	(void)state;
	st = open_ok(tdb.path);
	a = mk("r-1", RESPITE_EV_AGENT_LOGIN, "alice", T0);
	b = mk("", RESPITE_EV_AGENT_LOGIN, "bob", T0);
	begin(st);
	assert_int_equal(add(st, &a), 1);
	assert_int_equal(add(st, &b), 1);
	store_rollback(st);
	assert_int_equal(count_events(st), 0);
	/* A rolled-back id is free again. */
	begin(st);
	assert_int_equal(add(st, &a), 1);
	commit(st);
	assert_int_equal(count_events(st), 1);
	/* Rolling back with no transaction open is harmless. */
	store_rollback(st);
	assert_int_equal(count_events(st), 1);
	store_close(st);

	/* A transaction left open at close is not committed. */
	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(add(st, &b), 1);
	store_close(st);
	st = open_ok(tdb.path);
	assert_int_equal(count_events(st), 1);
	store_close(st);
}

static void
test_begin_twice(void **state)
{
	struct store	*st;
	char		*cause = NULL;

	(void)state;
	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(store_begin(st, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, tdb.path));
	assert_non_null(strstr(cause, "begin"));
	free(cause);
	store_rollback(st);
	store_close(st);
}

static void
test_foreach_all_fields(void **state)
{
	struct store		*st;
	struct respite_event	 ev[3];
	struct collected	*c;
	char			*cause = NULL;

	(void)state;
	/* Stored out of event-time order: read back in insertion order. */
	ev[0] = mk("h-1", RESPITE_EV_TICKET_HANDLED, "alice", T0 + 60000);
	snprintf(ev[0].team, sizeof ev[0].team, "support-de");
	ev[0].channel = RESPITE_CH_PHONE;
	snprintf(ev[0].ticket, sizeof ev[0].ticket, "T-4711");
	ev[0].duration_s = 312.25;
	ev[1] = mk("", RESPITE_EV_MESSAGE_FLAGGED, "bob", T0);
	ev[1].channel = RESPITE_CH_SOCIAL;
	ev[1].severity = 0.875;
	ev[1].categories = RESPITE_CAT_INSULT | RESPITE_CAT_THREAT;
	snprintf(ev[1].lang, sizeof ev[1].lang, "de-AT");
	ev[1].text = "never stored";
	ev[1].text_len = 12;
	ev[2] = mk("l-1", RESPITE_EV_AGENT_LOGIN, "carol", T0 - 3600000);
	snprintf(ev[2].tz, sizeof ev[2].tz, "Europe/Berlin");

	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(add(st, &ev[0]), 1);
	assert_int_equal(add(st, &ev[1]), 1);
	assert_int_equal(add(st, &ev[2]), 1);
	commit(st);
	store_close(st);

	st = open_ok(tdb.path);
	c = calloc(1, sizeof *c);
	assert_int_equal(store_foreach_event(st, collect_cb, c, &cause), 0);
	assert_int_equal(c->n, 3);

	assert_string_equal(c->ev[0].id, "h-1");
	assert_int_equal(c->ev[0].type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(c->ev[0].agent, "alice");
	assert_string_equal(c->ev[0].team, "support-de");
	assert_int_equal(c->ev[0].ts_ms, T0 + 60000);
	assert_int_equal(c->ev[0].received_ms, T0 + 60005);
	assert_int_equal(c->ev[0].channel, RESPITE_CH_PHONE);
	assert_string_equal(c->ev[0].ticket, "T-4711");
	assert_true(c->ev[0].duration_s == 312.25);
	assert_true(c->ev[0].severity == -1);
	assert_int_equal(c->ev[0].categories, 0);
	assert_string_equal(c->ev[0].lang, "");
	assert_string_equal(c->ev[0].tz, "");
	assert_null(c->ev[0].text);

	assert_string_equal(c->ev[1].id, "");
	assert_int_equal(c->ev[1].type, RESPITE_EV_MESSAGE_FLAGGED);
	assert_string_equal(c->ev[1].agent, "bob");
	assert_string_equal(c->ev[1].team, "");
	assert_int_equal(c->ev[1].ts_ms, T0);
	assert_int_equal(c->ev[1].channel, RESPITE_CH_SOCIAL);
	assert_string_equal(c->ev[1].ticket, "");
	assert_true(c->ev[1].duration_s == -1);
	assert_true(c->ev[1].severity == 0.875);
	assert_int_equal(c->ev[1].categories,
	    RESPITE_CAT_INSULT | RESPITE_CAT_THREAT);
	assert_string_equal(c->ev[1].lang, "de-AT");
	assert_null(c->ev[1].text);
	assert_int_equal(c->ev[1].text_len, 0);

	assert_string_equal(c->ev[2].id, "l-1");
	assert_int_equal(c->ev[2].type, RESPITE_EV_AGENT_LOGIN);
	assert_string_equal(c->ev[2].agent, "carol");
	assert_int_equal(c->ev[2].ts_ms, T0 - 3600000);
	assert_int_equal(c->ev[2].channel, RESPITE_CH_NONE);
	assert_string_equal(c->ev[2].tz, "Europe/Berlin");

	/* A non-zero return from the callback stops the walk. */
	memset(c, 0, sizeof *c);
	c->stop_after = 2;
	assert_int_equal(store_foreach_event(st, collect_cb, c, &cause), 0);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->ev[1].agent, "bob");
	free(c);
	store_close(st);

	/* The message text has no column to go to. */
	{
		char	v[16];

		query(tdb.path, "SELECT count(*) FROM events WHERE id IS NULL "
		    "AND agent = 'bob' AND severity = 0.875", v, sizeof v);
		assert_string_equal(v, "1");
	}
}

static void
test_longest_values(void **state)
{
	struct store		*st;
	struct respite_event	 ev;
	struct collected	*c;
	char			*cause = NULL;

	(void)state;
	ev = mk("", RESPITE_EV_TICKET_ASSIGNED, "", T0);
	memset(ev.id, 'i', RESPITE_ID_MAX);
	memset(ev.agent, 'a', RESPITE_NAME_MAX);
	memset(ev.team, 't', RESPITE_NAME_MAX);
	memset(ev.ticket, 'k', RESPITE_ID_MAX);
	ev.channel = RESPITE_CH_MESSAGING;
	st = open_ok(tdb.path);
	begin(st);
	assert_int_equal(add(st, &ev), 1);
	commit(st);
	c = calloc(1, sizeof *c);
	assert_int_equal(store_foreach_event(st, collect_cb, c, &cause), 0);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->ev[0].id, ev.id);
	assert_string_equal(c->ev[0].agent, ev.agent);
	assert_string_equal(c->ev[0].team, ev.team);
	assert_string_equal(c->ev[0].ticket, ev.ticket);
	assert_int_equal(c->ev[0].channel, RESPITE_CH_MESSAGING);
	free(c);
	store_close(st);
}

static void
test_not_a_database(void **state)
{
	struct store	*st;
	FILE		*f;
	char		*cause = NULL;
	int		 i;

	(void)state;
	f = fopen(tdb.path, "w");
	assert_non_null(f);
	for (i = 0; i < 200; i++)
		fputs("this is a text file, not an SQLite database\n", f);
	fclose(f);
	st = store_open(tdb.path, 1, &cause);
	assert_null(st);
	assert_non_null(cause);
	/* It names the file and says what is wrong with it. */
	if (strncmp(cause, tdb.path, strlen(tdb.path)) != 0 ||
	    strstr(cause, "not a database") == NULL)
		fail_msg("unclear cause: %s", cause);
	free(cause);
}

static void
test_not_a_directory(void **state)
{
	struct store	*st;
	FILE		*f;
	char		*cause = NULL, path[160], want[256];

	(void)state;
	snprintf(path, sizeof path, "%s/file", tdb.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof path, "%s/file/sub/respite.db", tdb.dir);
	st = store_open(path, 0, &cause);
	assert_null(st);
	snprintf(want, sizeof want, "cannot create %s/file/sub: Not a "
	    "directory", tdb.dir);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_newer_schema(void **state)
{
	struct store	*st;
	sqlite3		*h;
	char		*cause = NULL, want[256], v[16];

	(void)state;
	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE events (x);"
	    "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	st = store_open(tdb.path, 1, &cause);
	assert_null(st);
	snprintf(want, sizeof want, "%s: schema version 99 is newer than this "
	    "respited knows (%d); use a newer respited", tdb.path,
	    STORE_SCHEMA_VERSION);
	assert_string_equal(cause, want);
	free(cause);
	/* And it was left alone. */
	query(tdb.path, "PRAGMA user_version", v, sizeof v);
	assert_string_equal(v, "99");
}

static void
test_old_schema_without_version(void **state)
{
	struct store	*st;
	sqlite3		*h;
	char		*cause = NULL;

	(void)state;
	/* An SQLite file of someone else's at version 0 with a clash. */
	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE events (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	st = store_open(tdb.path, 1, &cause);
	assert_null(st);
	assert_non_null(cause);
	if (strncmp(cause, tdb.path, strlen(tdb.path)) != 0 ||
	    strstr(cause, "migration") == NULL ||
	    strstr(cause, "already exists") == NULL)
		fail_msg("unclear cause: %s", cause);
	free(cause);
}

/* Collects store_open_assignments() as "agent:ticket," pairs. */
static int
assign_cb(const char *agent, const char *ticket, void *arg)
{
	char	*out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%s:%s,", agent, ticket);
	return (0);
}

static void
assignments_are(struct store *st, const char *want)
{
	char	out[256] = "", *cause = NULL;

	if (store_open_assignments(st, assign_cb, out, &cause) != 0)
		fail_msg("store_open_assignments: %s", cause);
	assert_string_equal(out, want);
}

/* Add an event of type at ts, with ticket (NULL for none). */
static void
add_ev(struct store *st, const char *id, enum respite_event_type type,
    const char *agent, const char *ticket, int64_t ts)
{
	struct respite_event	ev = mk(id, type, agent, ts);

	if (ticket != NULL)
		snprintf(ev.ticket, sizeof ev.ticket, "%s", ticket);
	add(st, &ev);
}

/* The events of test_assignments: what stays open is a1:t3, a2:z. */
static void
add_tickets(struct store *st)
{
	begin(st);
	add_ev(st, "1", RESPITE_EV_TICKET_ASSIGNED, "a1", "t1", T0);
	add_ev(st, "2", RESPITE_EV_TICKET_ASSIGNED, "a1", "t2", T0 + 1);
	add_ev(st, "3", RESPITE_EV_TICKET_ASSIGNED, "a2", "x", T0 + 2);
	add_ev(st, "4", RESPITE_EV_TICKET_ASSIGNED, "a1", "t3", T0 + 3);
	/* Its own ticket; then one with none takes the oldest (t1). */
	add_ev(st, "5", RESPITE_EV_TICKET_HANDLED, "a1", "t2", T0 + 4);
	add_ev(st, "6", RESPITE_EV_TICKET_HANDLED, "a1", NULL, T0 + 5);
	/* A ticket never assigned takes the oldest too (as the count). */
	add_ev(st, "7", RESPITE_EV_TICKET_HANDLED, "a2", "y", T0 + 6);
	add_ev(st, "8", RESPITE_EV_TICKET_HANDLED, "a2", "x", T0 + 7);
	add_ev(st, "9", RESPITE_EV_TICKET_ASSIGNED, "a2", "z", T0 + 8);
	/* A duplicate is not stored, so it opens nothing. */
	add_ev(st, "1", RESPITE_EV_TICKET_ASSIGNED, "a1", "t1", T0);
	commit(st);
}

/*
 * The open assignments start-up reads (issue 15): kept by triggers as
 * agent_apply() counts open tickets, in the order received, and gone
 * with their event when retention deletes it.
 */
static void
test_assignments(void **state)
{
	struct store	*st;
	char		*cause = NULL;

	(void)state;
	st = open_ok(tdb.path);
	assignments_are(st, "");
	add_tickets(st);
	assignments_are(st, "a1:t3,a2:z,");
	assert_int_equal(store_retention_step(st, STORE_RETAIN_EVENTS,
	    T0 + 1000, 100, &cause), 10 - 1);
	assignments_are(st, "");
	store_close(st);
}

/* A database of schema 3 gets its open assignments when migrated. */
static void
test_migrate_assignments(void **state)
{
	struct store	*st;
	sqlite3		*h;
	char		 v[16];

	(void)state;
	st = open_ok(tdb.path);
	add_tickets(st);
	store_close(st);
	/* Back to what schema 4 was. */
	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER assignments_add;"
	    "DROP TRIGGER assignments_done; DROP TRIGGER assignments_gone;"
	    "DROP TABLE assignments; DROP INDEX events_agent_ts;"
	    "CREATE INDEX events_agent_ts ON events (agent, ts);"
	    "PRAGMA user_version = 4", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);

	st = open_ok(tdb.path);
	assignments_are(st, "a1:t3,a2:z,");
	/* And the triggers go on from there. */
	begin(st);
	add_ev(st, "10", RESPITE_EV_TICKET_HANDLED, "a1", "t3", T0 + 9);
	commit(st);
	assignments_are(st, "a2:z,");
	store_close(st);
	query(tdb.path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
}

/*
 * Schema 7 has cluster mode's table: a database of schema 6 gets it,
 * and one that cluster mode gave it on first use (before 7) keeps its
 * rows.  A single node's is there and empty.
 */
static void
test_migrate_cluster(void **state)
{
	struct store	*st;
	sqlite3		*h;
	char		 v[16], *cause = NULL;
	uint64_t	 seq;
	int64_t		 tick, sink;

	(void)state;
	st = open_ok(tdb.path);
	store_close(st);
	query(tdb.path, "SELECT count(*) FROM cluster", v, sizeof v);
	assert_string_equal(v, "0");

	/* Schema 6 without the table. */
	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TABLE cluster;"
	    "PRAGMA user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	st = open_ok(tdb.path);
	assert_int_equal(store_cluster_open(st, &seq, &tick, &sink, &cause), 0);
	assert_true(seq == 0 && tick == 0 && sink == 0);
	store_close(st);
	query(tdb.path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);

	/* Schema 6 with the table cluster mode made, and its rows. */
	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "INSERT INTO cluster VALUES "
	    "('applied_seq', 42), ('tick', 1800000000000);"
	    "PRAGMA user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	st = open_ok(tdb.path);
	assert_int_equal(store_cluster_open(st, &seq, &tick, &sink, &cause), 0);
	assert_true(seq == 42 && tick == 1800000000000LL && sink == 0);
	store_close(st);
	query(tdb.path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
}

/* What store_advisor_foreach() gives, "scope/name=body;". */
static void
advisor_cb(const char *scope, const char *name, const char *body, void *arg)
{
	char	*out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%s/%s=%s;", scope,
	    name, body);
}

static void
advisor_put(struct store *st, const char *scope, const char *name,
    const char *body)
{
	char	*cause = NULL;

	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_advisor_put(st, scope, name, body, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
}

/*
 * The advisor's own state (schema 8): one row per agent or team, replaced
 * by the next, deleted with a NULL body, teams first; a schema 7
 * database gets the table.
 */
static void
test_advisor_state(void **state)
{
	struct store	*st;
	sqlite3		*h;
	char		 out[256] = "", v[16], *cause = NULL;

	(void)state;
	st = open_ok(tdb.path);
	advisor_put(st, "agent", "bob", "{\"a\":1}");
	advisor_put(st, "agent", "alice", "{\"a\":2}");
	advisor_put(st, "team", "ta", "{\"t\":1}");
	advisor_put(st, "agent", "bob", "{\"a\":3}");
	assert_int_equal(store_advisor_foreach(st, advisor_cb, out, &cause), 0);
	assert_string_equal(out, "team/ta={\"t\":1};agent/alice={\"a\":2};"
	    "agent/bob={\"a\":3};");
	advisor_put(st, "agent", "alice", NULL);
	advisor_put(st, "agent", "nobody", NULL);
	out[0] = '\0';
	assert_int_equal(store_advisor_foreach(st, advisor_cb, out, &cause), 0);
	assert_string_equal(out, "team/ta={\"t\":1};agent/bob={\"a\":3};");
	store_close(st);

	assert_int_equal(sqlite3_open(tdb.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TABLE advisor;"
	    "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	st = open_ok(tdb.path);
	out[0] = '\0';
	assert_int_equal(store_advisor_foreach(st, advisor_cb, out, &cause), 0);
	assert_string_equal(out, "");
	store_close(st);
	query(tdb.path, "PRAGMA user_version", v, sizeof v);
	assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
}

/* What store_sink_changes() gives, "item:data,". */
static void
sink_cb(int64_t item, const char *data, void *arg)
{
	char	*out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%lld:%s,",
	    (long long)item, data);
}

/*
 * Cluster mode's sinks (issue 16): the stream item of the last change a
 * leader confirmed is stored with the sequence applied; the suggestion
 * items after it come back oldest first, the newest max of them; a
 * database without the row, or a node without sinks, counts what it
 * stored as confirmed.
 */
static void
test_cluster_sink(void **state)
{
	static const char *const events[] = { "suggestion", "level",
	    "suggestion", "agent", "suggestion", "suggestion" };
	struct store_stream_item	 it;
	struct store			*st;
	char				 out[256], *cause = NULL, data[16];
	uint64_t			 seq;
	int64_t				 tick, sink;
	size_t				 i;
	int				 more;

	(void)state;
	st = open_ok(tdb.path);
	begin(st);
	for (i = 0; i < sizeof events / sizeof events[0]; i++) {
		memset(&it, 0, sizeof it);
		snprintf(data, sizeof data, "d%zu", i + 1);
		it.seq = (int64_t)i + 1;
		it.event = events[i];
		it.agent = "a";
		it.team = "t";
		it.data = data;
		it.created_ms = T0;
		assert_int_equal(store_stream_add(st, &it, &cause), 0);
	}
	commit(st);
	/* No row yet: everything stored counts as confirmed. */
	assert_int_equal(store_cluster_open(st, &seq, &tick, &sink, &cause), 0);
	assert_true(seq == 0 && sink == 6);
	/* Confirmed up to item 1: the suggestions 3, 5, 6, in order. */
	begin(st);
	assert_int_equal(store_cluster_set_seq(st, 9, T0, 1, &cause), 0);
	commit(st);
	store_close(st);
	st = open_ok(tdb.path);
	assert_int_equal(store_cluster_open(st, &seq, &tick, &sink, &cause), 0);
	assert_true(seq == 9 && tick == T0 && sink == 1);
	out[0] = '\0';
	assert_int_equal(store_sink_changes(st, sink, 8192, sink_cb, out,
	    &more, &cause), 0);
	assert_string_equal(out, "3:d3,5:d5,6:d6,");
	assert_int_equal(more, 0);
	/* The newest two of three, and word of the one left out. */
	out[0] = '\0';
	assert_int_equal(store_sink_changes(st, sink, 2, sink_cb, out,
	    &more, &cause), 0);
	assert_string_equal(out, "5:d5,6:d6,");
	assert_int_equal(more, 1);
	/* Exactly max: all of them. */
	out[0] = '\0';
	assert_int_equal(store_sink_changes(st, 3, 2, sink_cb, out,
	    &more, &cause), 0);
	assert_string_equal(out, "5:d5,6:d6,");
	assert_int_equal(more, 0);
	/* Confirmed to the newest: none. */
	out[0] = '\0';
	assert_int_equal(store_sink_changes(st, 6, 8192, sink_cb, out,
	    &more, &cause), 0);
	assert_string_equal(out, "");
	/* A node without sinks stores -1: everything stored, confirmed. */
	begin(st);
	assert_int_equal(store_cluster_set_seq(st, 10, T0, -1, &cause), 0);
	commit(st);
	assert_int_equal(store_cluster_open(st, &seq, &tick, &sink, &cause), 0);
	assert_true(seq == 10 && sink == 6);
	store_close(st);
}

/* The ids given to cb, "id,id,". */
static int
ids_cb(const struct respite_event *ev, void *arg)
{
	char	*out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%s,", ev->id);
	return (0);
}

/*
 * The window start-up reads (store_foreach_event_since(): ts >= from,
 * in the order received) and what an agent brings into it
 * (store_agent_before()).
 */
static void
test_window(void **state)
{
	struct store		*st;
	struct respite_event	 ev;
	char			 out[256] = "", *cause = NULL;
	const int64_t		 H = 3600000, cut = T0 + 100 * H;
	int64_t			 from;
	int			 i;

	(void)state;
	received_clock = 1;
	st = open_ok(tdb.path);
	begin(st);
	/* 5,000 rows received long before the window. */
	for (i = 0; i < 5000; i++)
		add_ev(st, "", RESPITE_EV_MESSAGE_RECEIVED, "z", NULL,
		    T0 + 2 * H + i);
	/* a: logged in long ago with a team, out before the cut. */
	ev = mk("a1", RESPITE_EV_AGENT_LOGIN, "a", T0);
	snprintf(ev.team, sizeof ev.team, "t");
	snprintf(ev.tz, sizeof ev.tz, "Europe/Berlin");
	add(st, &ev);
	add_ev(st, "a2", RESPITE_EV_AGENT_LOGOUT, "a", NULL, T0 + H);
	add_ev(st, "a3", RESPITE_EV_AGENT_LOGIN, "a", NULL, cut - 10 * H);
	add_ev(st, "a4", RESPITE_EV_TICKET_ASSIGNED, "a", NULL,
	    cut - 9 * H);
	add_ev(st, "a5", RESPITE_EV_AGENT_LOGOUT, "a", NULL, cut - 8 * H);
	add_ev(st, "a6", RESPITE_EV_TICKET_ASSIGNED, "a", NULL,
	    cut - 7 * H);
	/* f: received 4 min before the cut, its time 2 ms after it. */
	ev = mk("f1", RESPITE_EV_TICKET_ASSIGNED, "f", cut + 2);
	ev.received_ms = cut - 4 * 60000;
	add(st, &ev);
	add_ev(st, "a7", RESPITE_EV_TICKET_ASSIGNED, "a", NULL, cut + H);
	/* b: logged in 40 h before the cut, never out. */
	ev = mk("b1", RESPITE_EV_AGENT_LOGIN, "b", cut - 40 * H);
	snprintf(ev.team, sizeof ev.team, "u");
	add(st, &ev);
	add_ev(st, "b2", RESPITE_EV_TICKET_ASSIGNED, "b", NULL,
	    cut - 37 * H);
	add_ev(st, "b3", RESPITE_EV_TICKET_ASSIGNED, "b", NULL,
	    cut - 30 * H);
	add_ev(st, "b4", RESPITE_EV_TICKET_ASSIGNED, "b", NULL, cut);
	/* Received last, but in the window: read in the order received. */
	add_ev(st, "a8", RESPITE_EV_TICKET_HANDLED, "a", NULL, cut + 1);
	commit(st);

	assert_int_equal(store_foreach_event_since(st, cut, 5 * 60000, ids_cb,
	    out, &cause), 0);
	assert_string_equal(out, "f1,a7,b4,a8,");
	/* Past the margin f1 is not looked for (skew is bounded at ingest). */
	out[0] = '\0';
	assert_int_equal(store_foreach_event_since(st, cut, 60000, ids_cb,
	    out, &cause), 0);
	assert_string_equal(out, "a7,b4,a8,");
	/* From its logout 8 h before: the team and zone from before. */
	out[0] = '\0';
	assert_int_equal(store_agent_before(st, "a", cut, 36 * H, ids_cb, out,
	    &from, &cause), 0);
	assert_string_equal(out, "a1,a5,a6,");
	assert_true(from == cut - 8 * H);
	/* No logout in 36 h: the status then, and 36 h of events. */
	out[0] = '\0';
	assert_int_equal(store_agent_before(st, "b", cut, 36 * H, ids_cb, out,
	    &from, &cause), 0);
	assert_string_equal(out, "b1,b3,");
	assert_true(from == cut - 36 * H);
	/* Nothing before. */
	out[0] = '\0';
	assert_int_equal(store_agent_before(st, "c", cut, 36 * H, ids_cb, out,
	    &from, &cause), 0);
	assert_string_equal(out, "");

	/*
	 * Many old events received after the window's first row (a month
	 * replayed): read and passed over, the window still in seq order.
	 */
	begin(st);
	for (i = 0; i < 12000; i++)
		add_ev(st, "", RESPITE_EV_TICKET_ASSIGNED, "old", NULL,
		    T0 + i);
	add_ev(st, "c1", RESPITE_EV_TICKET_ASSIGNED, "c", NULL, cut + 2);
	commit(st);
	out[0] = '\0';
	assert_int_equal(store_foreach_event_since(st, cut, 5 * 60000, ids_cb,
	    out, &cause), 0);
	assert_string_equal(out, "f1,a7,b4,a8,c1,");
	/* An empty window. */
	out[0] = '\0';
	assert_int_equal(store_foreach_event_since(st, cut + 1000 * H,
	    5 * 60000, ids_cb, out, &cause), 0);
	assert_string_equal(out, "");
	received_clock = 0;
	store_close(st);
}

/* The newest "level" stream item of an agent, for start-up's hysteresis. */
static void
test_last_level(void **state)
{
	static const struct {
		const char	*event, *agent, *data;
	} items[] = {
		{ "level", "a", "{\"agent\":\"a\",\"level\":\"high\"}" },
		{ "level", "b", "{\"agent\":\"b\",\"level\":\"elevated\"}" },
		{ "level", "a", "{\"agent\":\"a\",\"level\":\"critical\"}" },
		{ "suggestion", "a", "{\"agent\":\"a\",\"level\":\"ok\"}" },
		{ "agent", "c", "{\"agent\":\"c\",\"status\":\"working\"}" },
	};
	struct store_stream_item	 it;
	struct store			*st;
	char				 buf[16], *cause = NULL;
	size_t				 i;

	(void)state;
	st = open_ok(tdb.path);
	assert_int_equal(store_stream_last_level(st, "a", buf, sizeof buf,
	    &cause), 0);
	assert_int_equal(store_begin(st, &cause), 0);
	for (i = 0; i < sizeof items / sizeof items[0]; i++) {
		memset(&it, 0, sizeof it);
		it.seq = (int64_t)i + 1;
		it.event = items[i].event;
		it.agent = items[i].agent;
		it.team = "t";
		it.data = items[i].data;
		it.created_ms = T0 + (int64_t)i;
		assert_int_equal(store_stream_add(st, &it, &cause), 0);
	}
	assert_int_equal(store_commit(st, &cause), 0);
	/* The newest level item, not a newer item of another kind. */
	assert_int_equal(store_stream_last_level(st, "a", buf, sizeof buf,
	    &cause), 1);
	assert_string_equal(buf, "critical");
	assert_int_equal(store_stream_last_level(st, "b", buf, sizeof buf,
	    &cause), 1);
	assert_string_equal(buf, "elevated");
	/* No level item, no agent, a buffer too small: none. */
	assert_int_equal(store_stream_last_level(st, "c", buf, sizeof buf,
	    &cause), 0);
	assert_int_equal(store_stream_last_level(st, "zz", buf, sizeof buf,
	    &cause), 0);
	assert_int_equal(store_stream_last_level(st, "a", buf, 4, &cause), 0);
	assert_int_equal(strain_level_from_name("critical"), STRAIN_CRITICAL);
	assert_int_equal(strain_level_from_name("ok"), STRAIN_OK);
	assert_int_equal(strain_level_from_name("Critical"), -1);
	assert_int_equal(strain_level_from_name(""), -1);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_open_creates_schema,
		    test_teardown),
		cmocka_unit_test_teardown(test_duplicates, test_teardown),
		cmocka_unit_test_teardown(test_no_id_never_duplicate,
		    test_teardown),
		cmocka_unit_test_teardown(test_rollback, test_teardown),
		cmocka_unit_test_teardown(test_begin_twice, test_teardown),
		cmocka_unit_test_teardown(test_foreach_all_fields,
		    test_teardown),
		cmocka_unit_test_teardown(test_longest_values, test_teardown),
		cmocka_unit_test_teardown(test_not_a_database, test_teardown),
		cmocka_unit_test_teardown(test_not_a_directory, test_teardown),
		cmocka_unit_test_teardown(test_newer_schema, test_teardown),
		cmocka_unit_test_teardown(test_assignments, test_teardown),
		cmocka_unit_test_teardown(test_migrate_assignments,
		    test_teardown),
		cmocka_unit_test_teardown(test_migrate_cluster, test_teardown),
		cmocka_unit_test_teardown(test_cluster_sink, test_teardown),
		cmocka_unit_test_teardown(test_advisor_state, test_teardown),
		cmocka_unit_test_teardown(test_window, test_teardown),
		cmocka_unit_test_teardown(test_last_level, test_teardown),
		cmocka_unit_test_teardown(test_old_schema_without_version,
		    test_teardown),
	};

	return (cmocka_run_group_tests_name("store", tests, setup, teardown));
}
