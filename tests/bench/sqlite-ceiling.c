/*
 * respite - the storage ceiling for `make bench`: raw SQLite inserts.
 *
 * Reads the first ROWS events of an NDJSON file (validated by the
 * daemon's own ingest_parse(), so the rows are exactly those respited
 * would store), then, and only this is timed, inserts them into a new
 * database made by the daemon's own store_open() (so the events table
 * has exactly respited's schema: rowid key in order of receipt, the
 * client id UNIQUE, the index on agent and ts, the partial index of
 * status events, the triggers keeping the open assignments), in WAL mode, synchronous=FULL, one prepared statement,
 * PER_TXN rows a transaction.  No HTTP, no JSON, no model: the most
 * respited's durable ingest could reach on this disk.  -x leaves out the
 * index on agent and ts, to show what it costs.
 *
 * -a instead fills a respited database for the start-up and memory
 * benchmarks, fast rather than durably: the schema is made by the
 * daemon's own store_open(), the events table's indexes are dropped
 * while the rows go in (synchronous=OFF, large transactions) and made
 * again from their stored SQL after, so the file is what respited would
 * have written, with its rows in the file's order.  Events are read and
 * written a chunk at a time, so a day of 10,000 agents fits in memory.
 *
 * -c DAYS makes a database of DAYS days from one filled by -a (the
 * bounded start-up of issue 15: 2 days against 30).
 *
 * -r reads every event of a database back, in the order and with the
 * columns of the rebuild at start-up: the ceiling of respited's start.
 * -F times fdatasync() after a 4 KiB write, 200 times, on FILE (removed
 * after): what one durable commit costs at the least on that disk.
 *
 * Prints one line of key=value pairs for tests/bench/run.sh.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ingest.h"
#include "store.h"
#include "timeutil.h"
#include "xmalloc.h"

#define CHUNK	1000		/* events parsed at once */

/* NDJSON events, read CHUNK lines at a time. */
struct reader {
	const char		*path;
	FILE			*f;
	char			*line, *chunk;
	size_t			 cap, clen, ccap;
	size_t			 left;		/* events still wanted */
	size_t			 n;		/* events read so far */
	int64_t			 now;
	struct event_batch	 b;
};

static void
check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "sqlite-ceiling: %s: %s\n", what,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

static void
reader_open(struct reader *r, const char *path, size_t skip, size_t max)
{
	ssize_t	len;

	memset(r, 0, sizeof *r);
	r->path = path;
	r->left = max;
	r->now = time_now_ms();
	if ((r->f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	while (skip > 0 && (len = getline(&r->line, &r->cap, r->f)) != -1)
		if (len > 1)
			skip--;
}

/* The next chunk of events in r->b (empty at the end). */
static void
reader_next(struct reader *r)
{
	struct ingest_limits	lim = { CHUNK, 300000 };
	struct api_error	err;
	ssize_t			len;
	size_t			k = 0;

	event_batch_free(&r->b);
	r->clen = 0;
	while (k < CHUNK && r->left > 0 &&
	    (len = getline(&r->line, &r->cap, r->f)) != -1) {
		if (len <= 1)
			continue;
		if (r->clen + (size_t)len > r->ccap) {
			r->ccap = (r->clen + (size_t)len) * 2;
			r->chunk = xreallocarray(r->chunk, r->ccap, 1);
		}
		memcpy(r->chunk + r->clen, r->line, (size_t)len);
		r->clen += (size_t)len;
		k++;
		r->left--;
	}
	if (k == 0)
		return;
	if (ingest_parse(r->chunk, r->clen, 1, &lim, r->now, &r->b,
	    &err) == -1) {
		fprintf(stderr, "sqlite-ceiling: %s: event %zu: %s\n", r->path,
		    r->n + (size_t)(err.index >= 0 ? err.index : 0),
		    err.message);
		exit(1);
	}
	r->n += r->b.n;
}

static void
reader_close(struct reader *r)
{
	event_batch_free(&r->b);
	free(r->line);
	free(r->chunk);
	fclose(r->f);
}

static sqlite3_stmt *
prepare_insert(sqlite3 *db)
{
	sqlite3_stmt	*s;

	check(db, sqlite3_prepare_v2(db, "INSERT INTO events (id, type, "
	    "agent, team, ts, received, channel, ticket, duration_s, severity, "
	    "categories, lang, tz) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
	    &s, NULL), "prepare");
	return (s);
}

/* The same columns as store_add_event() binds: store_bind_event(). */
static void
insert(sqlite3 *db, sqlite3_stmt *s, const struct respite_event *e)
{
	store_bind_event(s, e);
	check(db, sqlite3_step(s), "insert");
	sqlite3_reset(s);
}

static int
ceiling(const char *events, const char *dbpath, size_t max, size_t per_txn,
    int no_index)
{
	struct reader		 r;
	struct respite_event	*ev = NULL;
	struct store		*st;
	sqlite3			*db;
	sqlite3_stmt		*ins;
	char			*cause = NULL;
	size_t			 n = 0, i;
	double			 t0, t;

	/* Read everything first: only the inserts are timed. */
	reader_open(&r, events, 0, max);
	for (reader_next(&r); r.b.n > 0; reader_next(&r)) {
		ev = xreallocarray(ev, n + r.b.n, sizeof *ev);
		memcpy(ev + n, r.b.ev, r.b.n * sizeof *ev);
		n += r.b.n;
	}
	reader_close(&r);
	if (n == 0) {
		fprintf(stderr, "sqlite-ceiling: %s: no events\n", events);
		return (1);
	}

	unlink(dbpath);
	if ((st = store_open(dbpath, 1, &cause)) == NULL) {
		fprintf(stderr, "sqlite-ceiling: %s\n", cause);
		return (1);
	}
	store_close(st);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		check(db, SQLITE_ERROR, "open");
	check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;", NULL, NULL, NULL), "pragma");
	if (no_index)
		check(db, sqlite3_exec(db, "DROP INDEX events_agent_ts", NULL,
		    NULL, NULL), "drop index");
	ins = prepare_insert(db);

	t0 = time_monotonic_s();
	for (i = 0; i < n; i++) {
		if (i % per_txn == 0)
			check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL),
			    "begin");
		insert(db, ins, &ev[i]);
		if ((i + 1) % per_txn == 0 || i + 1 == n)
			check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
			    "commit");
	}
	t = time_monotonic_s() - t0;
	printf("rows=%zu seconds=%.3f rows_per_s=%.0f per_txn=%zu "
	    "agent_index=%s\n", n, t, (double)n / t, per_txn,
	    no_index ? "no" : "yes");

	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(ev);
	return (0);
}

/* The indexes of the events table dropped while rows go in (-a, -c). */
struct saved_indexes {
	char	**sql;
	size_t	  n;
};

/*
 * Make a respited database at dbpath (store_open()), open it for fast
 * filling (synchronous=OFF, a transaction open) and drop the events
 * table's indexes, kept in *si.  Exits on failure.
 */
static sqlite3 *
fill_open(const char *dbpath, struct saved_indexes *si)
{
	struct store	*st;
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		*cause = NULL, *drops = NULL, *drop;

	if ((st = store_open(dbpath, 0, &cause)) == NULL) {
		fprintf(stderr, "sqlite-ceiling: %s\n", cause);
		exit(1);
	}
	store_close(st);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		check(db, SQLITE_ERROR, "open");
	check(db, sqlite3_exec(db, "PRAGMA synchronous=OFF", NULL, NULL,
	    NULL), "pragma");
	check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	check(db, sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema "
	    "WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL",
	    -1, &s, NULL), "read schema");
	si->sql = NULL;
	si->n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		si->sql = xreallocarray(si->sql, si->n + 1, sizeof *si->sql);
		si->sql[si->n++] = xstrdup((const char *)
		    sqlite3_column_text(s, 1));
		xasprintf(&drop, "%sDROP INDEX \"%s\";", drops != NULL ?
		    drops : "", (const char *)sqlite3_column_text(s, 0));
		free(drops);
		drops = drop;
	}
	sqlite3_finalize(s);
	if (drops != NULL)
		check(db, sqlite3_exec(db, drops, NULL, NULL, NULL), drops);
	free(drops);
	return (db);
}

/* Make the indexes again from their stored SQL, commit and close. */
static void
fill_close(sqlite3 *db, struct saved_indexes *si)
{
	size_t	i;

	for (i = 0; i < si->n; i++) {
		check(db, sqlite3_exec(db, si->sql[i], NULL, NULL, NULL),
		    si->sql[i]);
		free(si->sql[i]);
	}
	free(si->sql);
	check(db, sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)",
	    NULL, NULL, NULL), "commit");
	sqlite3_close(db);
}

static int
fill(const char *events, const char *dbpath, size_t skip, size_t max)
{
	struct saved_indexes	 si;
	struct reader		 r;
	sqlite3			*db;
	sqlite3_stmt		*ins;
	size_t			 i, n = 0;
	double			 t0;

	t0 = time_monotonic_s();
	db = fill_open(dbpath, &si);
	ins = prepare_insert(db);
	reader_open(&r, events, skip, max);
	for (reader_next(&r); r.b.n > 0; reader_next(&r)) {
		for (i = 0; i < r.b.n; i++)
			insert(db, ins, &r.b.ev[i]);
		n += r.b.n;
		if (n % 100000 == 0)
			check(db, sqlite3_exec(db, "COMMIT; BEGIN", NULL, NULL,
			    NULL), "commit");
	}
	reader_close(&r);
	sqlite3_finalize(ins);
	fill_close(db, &si);
	printf("rows=%zu seconds=%.3f\n", n, time_monotonic_s() - t0);
	return (0);
}

/*
 * -c DAYS: a database of DAYS days for the bounded start-up (issue 15),
 * from one day filled by -a (-f SRC): its events DAYS times, each copy
 * a day earlier than the next, oldest first, as a respited running all
 * along would have stored them (the triggers keep the open assignments);
 * an id gets "k~" in front in the copy k days back.
 */
static int
copy_days(const char *src, const char *dbpath, int days)
{
	struct saved_indexes	 si;
	sqlite3			*db;
	sqlite3_stmt		*s;
	char			*sql;
	double			 t0;
	int64_t			 n = 0;
	int			 k;

	t0 = time_monotonic_s();
	db = fill_open(dbpath, &si);
	xasprintf(&sql, "ATTACH '%s' AS src", src);
	/*
	 * No journal and a large cache for the copies (the database is
	 * made here, from nothing); store_open() puts back WAL.
	 */
	check(db, sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=OFF; "
	    "PRAGMA cache_size=-262144", NULL, NULL, NULL), "pragma");
	check(db, sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
	free(sql);
	check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
	check(db, sqlite3_prepare_v2(db, "INSERT INTO main.events (id, type, "
	    "agent, team, ts, received, channel, ticket, duration_s, severity, "
	    "categories, lang, tz) SELECT CASE WHEN ?1 = 0 THEN id ELSE "
	    "format('%02d~', ?1) || id END, type, agent, team, "
	    "ts - ?1 * 86400000, received - ?1 * 86400000, channel, ticket, "
	    "duration_s, severity, categories, lang, tz FROM src.events "
	    "ORDER BY seq", -1, &s, NULL),
	    "prepare");
	for (k = days - 1; k >= 0; k--) {
		sqlite3_bind_int(s, 1, k);
		check(db, sqlite3_step(s), "copy");
		n += sqlite3_changes(db);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	check(db, sqlite3_exec(db, "COMMIT; DETACH src; BEGIN", NULL, NULL,
	    NULL), "commit");
	fill_close(db, &si);
	{
		struct store	*st;
		char		*cause = NULL;

		if ((st = store_open(dbpath, 0, &cause)) == NULL) {
			fprintf(stderr, "sqlite-ceiling: %s\n", cause);
			exit(1);
		}
		store_close(st);
	}
	printf("rows=%lld seconds=%.3f\n", (long long)n,
	    time_monotonic_s() - t0);
	return (0);
}

/*
 * -r: read every event back in the order the start-up rebuild does, with
 * every column fetched: the ceiling of respited's start-up.
 */
static int
readall(const char *dbpath)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	size_t		 n = 0, bytes = 0;
	double		 t0, t;
	int		 i, rc;

	t0 = time_monotonic_s();
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		check(db, SQLITE_ERROR, "open");
	check(db, sqlite3_prepare_v2(db, "SELECT id, type, agent, team, ts, "
	    "received, channel, ticket, duration_s, severity, categories, "
	    "lang, tz FROM events ORDER BY seq", -1, &s, NULL), "prepare");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < 13; i++) {
			if (sqlite3_column_type(s, i) == SQLITE_TEXT)
				bytes += (size_t)sqlite3_column_bytes(s, i);
			else
				bytes += (size_t)sqlite3_column_int64(s, i);
		}
		n++;
	}
	check(db, rc, "read");
	sqlite3_finalize(s);
	sqlite3_close(db);
	t = time_monotonic_s() - t0;
	printf("rows=%zu seconds=%.3f rows_per_s=%.0f check=%zu\n", n, t,
	    (double)n / t, bytes % 1000);
	return (0);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* -F: the latency of fdatasync() after a 4 KiB write, 200 times. */
static int
fsync_probe(const char *path)
{
	char	buf[4096];
	double	t[200], t0;
	size_t	i, n = sizeof t / sizeof t[0];
	int	fd;

	memset(buf, 'x', sizeof buf);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		fprintf(stderr, "sqlite-ceiling: %s: %s\n", path,
		    strerror(errno));
		return (1);
	}
	for (i = 0; i < n; i++) {
		if (pwrite(fd, buf, sizeof buf, (off_t)(i % 16) * 4096) !=
		    (ssize_t)sizeof buf) {
			fprintf(stderr, "sqlite-ceiling: %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return (1);
		}
		t0 = time_monotonic_s();
		fdatasync(fd);
		t[i] = (time_monotonic_s() - t0) * 1e3;
	}
	close(fd);
	unlink(path);
	qsort(t, n, sizeof t[0], cmp_double);
	printf("fsyncs=%zu p50_ms=%.3f p90_ms=%.3f max_ms=%.3f\n", n,
	    t[n / 2], t[n * 9 / 10], t[n - 1]);
	return (0);
}

int
main(int argc, char **argv)
{
	const char	*events = NULL, *dbpath = NULL;
	size_t		 max = 200000, per_txn = 1000, skip = 0;
	int		 ch, append = 0, no_index = 0, read_back = 0;
	int		 probe = 0, days = 0;

	while ((ch = getopt(argc, argv, "ac:d:Ff:k:n:rt:x")) != -1) {
		switch (ch) {
		case 'a':
			append = 1;
			break;
		case 'c':
			days = atoi(optarg);
			break;
		case 'F':
			probe = 1;
			break;
		case 'r':
			read_back = 1;
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 'f':
			events = optarg;
			break;
		case 'k':
			skip = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			max = strtoul(optarg, NULL, 10);
			break;
		case 't':
			per_txn = strtoul(optarg, NULL, 10);
			break;
		case 'x':
			no_index = 1;
			break;
		default:
			goto usage;
		}
	}
	if (read_back && dbpath != NULL)
		return (readall(dbpath));
	if (probe && dbpath != NULL)
		return (fsync_probe(dbpath));
	if (days > 0 && events != NULL && dbpath != NULL)
		return (copy_days(events, dbpath, days));
	if (events == NULL || dbpath == NULL || max == 0 || per_txn == 0)
		goto usage;
	if (append)
		return (fill(events, dbpath, skip, max));
	return (ceiling(events, dbpath, max, per_txn, no_index));

usage:
	fprintf(stderr, "usage: sqlite-ceiling -f EVENTS -d DB [-n ROWS] "
	    "[-t PER_TXN] [-x]\n"
	    "       sqlite-ceiling -a -f EVENTS -d DB [-k SKIP] [-n ROWS]\n"
	    "       sqlite-ceiling -c DAYS -f SRC_DB -d DB\n"
	    "       sqlite-ceiling -r -d DB\n"
	    "       sqlite-ceiling -F -d FILE\n");
	return (2);
}
