/*
 * respite - storage.
 *
 * Events are appended to one SQLite table in WAL mode.  seq (the rowid)
 * is the order of receipt, so inserts append at the end of the b-tree and
 * the rebuild at start-up replays events in the order they were applied.
 * The client's id is UNIQUE: a repeated id inserts nothing, which is how
 * duplicates are recognised, within a batch, across requests and across
 * restarts alike.  Message text has no column: it never reaches this file.
 *
 * The schema version is PRAGMA user_version; migrations[] holds the SQL
 * that takes version N-1 to N and runs in one transaction at open.
 */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*insert;
	sqlite3_stmt	*begin;
	sqlite3_stmt	*commit;
	sqlite3_stmt	*rollback;
};

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT UNIQUE,"
	"  type INTEGER NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  team TEXT,"
	"  ts INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  channel INTEGER,"
	"  ticket TEXT,"
	"  duration_s REAL,"
	"  severity REAL,"
	"  categories INTEGER NOT NULL DEFAULT 0,"
	"  lang TEXT,"
	"  tz TEXT"
	");",
};

static int
store_error(struct store *st, char **cause, const char *what)
{
	xasprintf(cause, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return (-1);
}

static int
mkdir_parents(const char *path, char **cause)
{
	char	*dir, *p;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return (0);
	}
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char	c = *p;

			*p = '\0';
			if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
				xasprintf(cause, "cannot create %s: %s", dir,
				    strerror(errno));
				free(dir);
				return (-1);
			}
			if ((*p = c) == '\0')
				break;
		}
	}
	free(dir);
	return (0);
}

static int
store_migrate(struct store *st, char **cause)
{
	sqlite3_stmt	*s;
	int		 version, v;
	char		*sql;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return (store_error(st, cause, "not a respite database"));
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > STORE_SCHEMA_VERSION) {
		xasprintf(cause, "%s: schema version %d is newer than this "
		    "respited knows (%d); use a newer respited", st->path,
		    version, STORE_SCHEMA_VERSION);
		return (-1);
	}
	if (version == STORE_SCHEMA_VERSION)
		return (0);
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return (store_error(st, cause, "migration"));
	for (v = version; v < STORE_SCHEMA_VERSION; v++) {
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	}
	xasprintf(&sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	v = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	free(sql);
	if (v != SQLITE_OK || sqlite3_exec(st->db, "COMMIT", NULL, NULL,
	    NULL) != SQLITE_OK)
		goto fail;
	if (version > 0)
		log_info("storage: migrated %s from schema %d to %d", st->path,
		    version, STORE_SCHEMA_VERSION);
	return (0);

fail:
	store_error(st, cause, "migration");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return (-1);
}

static int
prepare(struct store *st, const char *sql, sqlite3_stmt **s, char **cause)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
	    NULL) != SQLITE_OK)
		return (store_error(st, cause, "prepare"));
	return (0);
}

/*
 * Open (creating if needed) the database at path.  sync_full selects
 * synchronous=FULL (durable across power loss) over NORMAL.  Returns a new
 * store, or NULL and a new string in *cause.
 */
struct store *
store_open(const char *path, int sync_full, char **cause)
{
	struct store	*st;
	char		*mode = NULL;
	sqlite3_stmt	*s = NULL;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if (mkdir_parents(path, cause) == -1)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_error(st, cause, "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		store_error(st, cause, "cannot use (corrupt, or not an SQLite "
		    "database?)");
		goto fail;
	}
	if (strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0) {
		xasprintf(cause, "%s: cannot switch to WAL mode", path);
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	xasprintf(&mode, "PRAGMA synchronous=%s", sync_full ? "FULL" :
	    "NORMAL");
	if (sqlite3_exec(st->db, mode, NULL, NULL, NULL) != SQLITE_OK) {
		store_error(st, cause, "synchronous");
		goto fail;
	}
	if (store_migrate(st, cause) == -1)
		goto fail;
	if (prepare(st, "INSERT INTO events (id, type, agent, team, ts, "
	    "received, channel, ticket, duration_s, severity, categories, "
	    "lang, tz) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
	    "ON CONFLICT (id) DO NOTHING", &st->insert, cause) == -1 ||
	    prepare(st, "BEGIN IMMEDIATE", &st->begin, cause) == -1 ||
	    prepare(st, "COMMIT", &st->commit, cause) == -1 ||
	    prepare(st, "ROLLBACK", &st->rollback, cause) == -1)
		goto fail;
	free(mode);
	return (st);

fail:
	sqlite3_finalize(s);
	free(mode);
	store_close(st);
	return (NULL);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->begin);
	sqlite3_finalize(st->commit);
	sqlite3_finalize(st->rollback);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("storage: closing %s: %s", st->path,
		    sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return (st->path);
}

static int
step_done(struct store *st, sqlite3_stmt *s, char **cause, const char *what)
{
	int	rc;

	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, what));
	return (0);
}

int
store_begin(struct store *st, char **cause)
{
	return (step_done(st, st->begin, cause, "begin"));
}

int
store_commit(struct store *st, char **cause)
{
	return (step_done(st, st->commit, cause, "commit"));
}

/* Roll back the open transaction, if SQLite has not already done so. */
void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db)) {
		sqlite3_step(st->rollback);
		sqlite3_reset(st->rollback);
	}
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (*v != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/*
 * Insert ev inside the open transaction.  Returns 1 if stored, 0 if its id
 * was already known (a duplicate), -1 on error with *cause set.
 */
int
store_add_event(struct store *st, const struct respite_event *ev,
    char **cause)
{
	sqlite3_stmt	*s = st->insert;
	int		 rc;

	bind_text_or_null(s, 1, ev->id);
	sqlite3_bind_int(s, 2, ev->type);
	sqlite3_bind_text(s, 3, ev->agent, -1, SQLITE_STATIC);
	bind_text_or_null(s, 4, ev->team);
	sqlite3_bind_int64(s, 5, ev->ts_ms);
	sqlite3_bind_int64(s, 6, ev->received_ms);
	if (ev->channel != RESPITE_CH_NONE)
		sqlite3_bind_int(s, 7, ev->channel);
	else
		sqlite3_bind_null(s, 7);
	bind_text_or_null(s, 8, ev->ticket);
	if (ev->duration_s >= 0)
		sqlite3_bind_double(s, 9, ev->duration_s);
	else
		sqlite3_bind_null(s, 9);
	if (ev->severity >= 0)
		sqlite3_bind_double(s, 10, ev->severity);
	else
		sqlite3_bind_null(s, 10);
	sqlite3_bind_int(s, 11, (int)ev->categories);
	bind_text_or_null(s, 12, ev->lang);
	bind_text_or_null(s, 13, ev->tz);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "insert"));
	return (sqlite3_changes(st->db) > 0 ? 1 : 0);
}

static void
column_copy(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const unsigned char	*v;

	if ((v = sqlite3_column_text(s, i)) != NULL)
		snprintf(dst, len, "%s", (const char *)v);
	else
		*dst = '\0';
}

/*
 * Call cb for every stored event in the order received.  A non-zero return
 * from cb stops the walk.  Returns 0, or -1 with *cause set.
 */
int
store_foreach_event(struct store *st, store_event_cb cb, void *arg,
    char **cause)
{
	struct respite_event	 ev;
	sqlite3_stmt		*s;
	int			 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT id, type, agent, team, ts, "
	    "received, channel, ticket, duration_s, severity, categories, "
	    "lang, tz FROM events ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read events"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof ev);
		column_copy(s, 0, ev.id, sizeof ev.id);
		ev.type = sqlite3_column_int(s, 1);
		column_copy(s, 2, ev.agent, sizeof ev.agent);
		column_copy(s, 3, ev.team, sizeof ev.team);
		ev.ts_ms = sqlite3_column_int64(s, 4);
		ev.received_ms = sqlite3_column_int64(s, 5);
		ev.channel = sqlite3_column_int(s, 6);
		column_copy(s, 7, ev.ticket, sizeof ev.ticket);
		ev.duration_s = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 :
		    sqlite3_column_double(s, 8);
		ev.severity = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 :
		    sqlite3_column_double(s, 9);
		ev.categories = (unsigned int)sqlite3_column_int(s, 10);
		column_copy(s, 11, ev.lang, sizeof ev.lang);
		column_copy(s, 12, ev.tz, sizeof ev.tz);
		if (ev.type <= RESPITE_EV_NONE || ev.type >= RESPITE_EV_COUNT)
			continue;
		if (cb(&ev, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_error(st, cause, "read events");
		sqlite3_finalize(s);
		return (-1);
	}
	sqlite3_finalize(s);
	return (0);
}

/* A cheap liveness check for /healthz.  Returns 0 or -1 with *cause. */
int
store_check(struct store *st, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_schema",
	    -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "check"));
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return (store_error(st, cause, "check"));
	return (0);
}
