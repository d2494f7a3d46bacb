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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "checkpoint.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"
#include "xmalloc.h"

#define STORE_SUGG_COUNTS_MAX	64	/* kinds times statuses, with room */

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*insert;
	sqlite3_stmt	*begin;
	sqlite3_stmt	*commit;
	sqlite3_stmt	*rollback;
	sqlite3_stmt	*sugg_put;
	sqlite3_stmt	*stream_add;
	sqlite3_stmt	*audit_add;
	sqlite3_stmt	*sugg_old;
	/* store_agent_before(): made at its first call (start-up). */
	sqlite3_stmt	*seed[4];
	sqlite3_stmt	*day_set, *day_add;
	/* store_stream_last_level(): made at its first call (start-up). */
	sqlite3_stmt	*last_level;
	/* Cluster mode only (store_cluster_open()). */
	sqlite3_stmt	*cluster_set, *event_known;
	/* store_advisor_put(): made at its first call. */
	sqlite3_stmt	*advisor_put, *advisor_del;
	int		 sync_full;
	/*
	 * Suggestions by kind and status, for /metrics: counted once, then
	 * kept as rows are written and deleted (pending until the commit).
	 */
	struct store_sugg_count {
		char		 kind[32];
		char		 status[16];
		int64_t		 n, pending;
	}		 counts[STORE_SUGG_COUNTS_MAX];
	size_t		 ncounts;
	int		 counts_loaded;
	struct checkpointer *ckpt;	/* or NULL: SQLite checkpoints */
};

/* The columns of agent_days, in the order store_day_bind() binds them. */
#define DAY_COLUMNS	"agent, date, tz, team, day_start, day_end, final, " \
	"worked_min, break_min, phone, chat, email, social, messaging, other, " \
	"handled, hostile, exposure_peak, strain_sum, strain_samples, " \
	"strain_peak, high_min, longest_stretch_min, raised, accepted, " \
	"dismissed, snoozed, expired"
#define DAY_PARAMS	"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?," \
	"?,?"

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
	/* 1 -> 2: suggestions and the stream of what was published */
	"CREATE TABLE suggestions ("
	"  seq INTEGER PRIMARY KEY,"
	"  agent TEXT NOT NULL,"
	"  team TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  audience TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  body TEXT NOT NULL"
	");"
	"CREATE INDEX suggestions_agent ON suggestions (agent, seq);"
	"CREATE INDEX suggestions_team ON suggestions (team, seq);"
	"CREATE INDEX suggestions_open ON suggestions (status) "
	"  WHERE status IN ('open', 'snoozed');"
	"CREATE INDEX events_agent_ts ON events (agent, ts);"
	"CREATE TABLE stream ("
	"  seq INTEGER PRIMARY KEY,"
	"  event TEXT NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  team TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  data TEXT NOT NULL"
	");"
	"CREATE INDEX stream_agent ON stream (agent, seq);"
	"CREATE INDEX stream_team ON stream (team, seq);",
	/* 2 -> 3: who read whose data; when suggestions were written */
	"ALTER TABLE suggestions ADD COLUMN written INTEGER NOT NULL "
	"  DEFAULT 0;"
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  who TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  what TEXT NOT NULL,"
	"  agent TEXT NOT NULL"
	");"
	"CREATE INDEX audit_ts ON audit (ts);",
	/* 3 -> 4: agent days (daemon/days.c), kept past the raw events */
	"CREATE TABLE agent_days ("
	"  agent TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  tz TEXT NOT NULL,"
	"  team TEXT NOT NULL,"
	"  day_start INTEGER NOT NULL,"
	"  day_end INTEGER NOT NULL,"
	"  final INTEGER NOT NULL,"
	"  worked_min INTEGER NOT NULL,"
	"  break_min INTEGER NOT NULL,"
	"  phone INTEGER NOT NULL, chat INTEGER NOT NULL,"
	"  email INTEGER NOT NULL, social INTEGER NOT NULL,"
	"  messaging INTEGER NOT NULL, other INTEGER NOT NULL,"
	"  handled INTEGER NOT NULL,"
	"  hostile INTEGER NOT NULL,"
	"  exposure_peak REAL NOT NULL,"
	"  strain_sum INTEGER NOT NULL,"
	"  strain_samples INTEGER NOT NULL,"
	"  strain_peak INTEGER NOT NULL,"
	"  high_min INTEGER NOT NULL,"
	"  longest_stretch_min INTEGER NOT NULL,"
	"  raised INTEGER NOT NULL, accepted INTEGER NOT NULL,"
	"  dismissed INTEGER NOT NULL, snoozed INTEGER NOT NULL,"
	"  expired INTEGER NOT NULL,"
	"  PRIMARY KEY (agent, date)"
	");"
	"CREATE INDEX agent_days_team ON agent_days (team, date);"
	"CREATE INDEX agent_days_end ON agent_days (day_end);"
	/* ... whose suggestion counts a restart reads by when raised */
	"CREATE INDEX suggestions_created ON suggestions (created_at);",
	/*
	 * 4 -> 5: what an agent brings from before start-up's window: its
	 * open tickets (assignments: the ticket.assigned not yet matched
	 * by a ticket.handled, kept by the triggers in the order of
	 * receipt as the model counts them; store_fill_assignments() fills
	 * it from an older database).  Schema 5 as first released also
	 * made the indexes events_ts and events_status, which 5 -> 6 drops.
	 */
	"CREATE TABLE assignments ("
	"  agent TEXT NOT NULL,"
	"  ticket TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY (agent, ticket, seq)"
	") WITHOUT ROWID;"
	"CREATE TRIGGER assignments_add AFTER INSERT ON events "
	"  WHEN NEW.type = 5 BEGIN "
	"  INSERT INTO assignments VALUES (NEW.agent, "
	"    coalesce(NEW.ticket, ''), NEW.seq); "
	"END;"
	"CREATE TRIGGER assignments_done AFTER INSERT ON events "
	"  WHEN NEW.type = 6 BEGIN "
	"  DELETE FROM assignments WHERE agent = NEW.agent AND "
	"    (ticket, seq) = (SELECT ticket, seq FROM assignments WHERE "
	"    agent = NEW.agent ORDER BY ticket != coalesce(NEW.ticket, ''), "
	"    seq LIMIT 1); "
	"END;"
	"CREATE TRIGGER assignments_gone AFTER DELETE ON events "
	"  WHEN OLD.type = 5 BEGIN "
	"  DELETE FROM assignments WHERE agent = OLD.agent AND "
	"    ticket = coalesce(OLD.ticket, '') AND seq = OLD.seq; "
	"END;",
	/*
	 * 5 -> 6: the window is found by the received time (a binary
	 * search over seq), not by events_ts, and an agent's status events
	 * by its (agent, ts) index, which now holds the type too: the page
	 * writes of events_ts and events_status made an out-of-order batch
	 * three to four times as costly (docs/performance.md).  seq is in
	 * the index before type, so "the last by ts, then seq" is its own
	 * order: without it every lookup of store_agent_before() sorted,
	 * and start-up with 10,000 agents took ten times as long.
	 */
	"DROP INDEX IF EXISTS events_ts;"
	"DROP INDEX IF EXISTS events_status;"
	"DROP INDEX events_agent_ts;"
	"CREATE INDEX events_agent_ts ON events (agent, ts, seq, type);",
	/*
	 * 6 -> 7: cluster mode's table (daemon/replica.c): the stream
	 * sequence this node applied ('applied_seq') and the minute of the
	 * last tick applied ('tick'), empty on a single node.  Cluster mode
	 * made it on first use before, so it may be there already, rows
	 * and all.
	 */
	"CREATE TABLE IF NOT EXISTS cluster ("
	"  key TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL"
	");",
	/*
	 * 7 -> 8: what the advisor holds that the events do not rebuild
	 * (daemon/advise.c, advise_flush()): an agent's candidates (breaks
	 * raised, not yet released), when its strain became high, its
	 * last severe message and how far it was evaluated; a team's
	 * overload start.  scope is 'agent' or 'team', body JSON.
	 */
	"CREATE TABLE IF NOT EXISTS advisor ("
	"  scope TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  PRIMARY KEY (scope, name)"
	") WITHOUT ROWID;",
};

/* Event columns as the reader (event_from_row()) takes them, 0 to 12. */
#define EVENT_COLUMNS	"id, type, agent, team, ts, received, channel, " \
	"ticket, duration_s, severity, categories, lang, tz"

/*
 * SQLite's message says "disk I/O error" or "unable to open database
 * file" for many causes; the error of the system call that failed (EROFS,
 * EPERM, EFBIG, EIO, ...) tells the operator which one.  SQLite keeps it
 * for some calls only (sqlite3_system_errno()); saved_errno is errno as
 * it was right after the failing call, or 0.
 */
static int
store_error_errno(struct store *st, char **cause, const char *what,
    int saved_errno)
{
	int	code = st->db != NULL ? sqlite3_errcode(st->db) & 0xff : 0;
	int	serr = 0;

	if (code == SQLITE_IOERR || code == SQLITE_CANTOPEN) {
		serr = sqlite3_system_errno(st->db);
		if (serr == 0)
			serr = saved_errno;
	}
	if (serr != 0)
		xasprintf(cause, "%s: %s: %s (%s)", st->path, what,
		    sqlite3_errmsg(st->db), strerror(serr));
	else
		xasprintf(cause, "%s: %s: %s", st->path, what,
		    sqlite3_errmsg(st->db));
	return (-1);
}

static int
store_error(struct store *st, char **cause, const char *what)
{
	return (store_error_errno(st, cause, what, 0));
}

/* The directory of path ("." for a bare name); a new string. */
static char *
dir_of(const char *path)
{
	const char	*p = strrchr(path, '/');

	if (p == NULL)
		return (xstrdup("."));
	if (p == path)
		return (xstrdup("/"));
	return (xstrndup(path, (size_t)(p - path)));
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

/*
 * The database, its WAL and its shared-memory index are the operator's
 * alone (0600): tighten any that an older respited (or a copy) left
 * readable by others, and say so once.  New ones are created 0600 by
 * store_open's umask; SQLite gives the -wal and -shm the database's mode.
 */
static void
store_tighten(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat	 sb;
	char		*f, *done = NULL, *t;
	size_t		 i;

	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		xasprintf(&f, "%s%s", path, suffix[i]);
		if (stat(f, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 077) != 0) {
			if (chmod(f, sb.st_mode & 0700) == -1)
				log_warn("storage: cannot tighten the mode "
				    "of %s (%04o)", f,
				    (unsigned)(sb.st_mode & 07777));
			else {
				xasprintf(&t, "%s%s%s (was %04o)", done != NULL ?
				    done : "", done != NULL ? ", " : "", f,
				    (unsigned)(sb.st_mode & 07777));
				free(done);
				done = t;
			}
		}
		free(f);
	}
	if (done != NULL)
		log_info("storage: readable by others, now owner only: %s",
		    done);
	free(done);
}

/*
 * Migration 3 -> 4 of a database with events: the open assignments, as
 * the triggers would have kept them, from every ticket.assigned and
 * ticket.handled stored, in the order of receipt (once, inside the
 * migration's transaction).  Returns 0 or -1.
 */
static int
store_fill_assignments(struct store *st)
{
	sqlite3_stmt	*s = NULL, *add = NULL, *done = NULL, *u;
	int		 rc = -1, r;

	if (sqlite3_prepare_v2(st->db, "SELECT seq, type, agent, ticket FROM "
	    "events WHERE type IN (5, 6) ORDER BY seq", -1, &s, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO assignments VALUES "
	    "(?2, coalesce(?3, ''), ?1)", -1, &add, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM assignments WHERE "
	    "agent = ?2 AND (ticket, seq) = (SELECT ticket, seq FROM "
	    "assignments WHERE agent = ?2 ORDER BY ticket != coalesce(?3, ''), "
	    "seq LIMIT 1) AND ?1 > 0", -1, &done, NULL) != SQLITE_OK)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		u = sqlite3_column_int(s, 1) == 5 ? add : done;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		sqlite3_bind_value(u, 2, sqlite3_column_value(s, 2));
		sqlite3_bind_value(u, 3, sqlite3_column_value(s, 3));
		r = sqlite3_step(u);
		sqlite3_reset(u);
		if (r != SQLITE_DONE)
			goto out;
	}
	rc = r == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(add);
	sqlite3_finalize(done);
	return (rc);
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
		if (v == 4 && version > 0 && store_fill_assignments(st) == -1)
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
	char		*mode = NULL, *dir;
	sqlite3_stmt	*s = NULL;
	mode_t		 mask;
	int		 rc;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->sync_full = sync_full;
	if (mkdir_parents(path, cause) == -1)
		goto fail;
	store_tighten(path);
	mask = umask(077);	/* a new database is created 0600 */
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	umask(mask);
	if (rc != SQLITE_OK) {
		/*
		 * SQLite retries read-only after a failed create, so its
		 * errno is ENOENT for a directory it may not write: ask.
		 */
		dir = dir_of(path);
		if (access(dir, W_OK) == -1)
			xasprintf(cause, "%s: cannot open: cannot write %s: %s",
			    path, dir, strerror(errno));
		else
			store_error(st, cause, "cannot open");
		free(dir);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/*
	 * SQLite quietly opens a file it may not write read-only (file
	 * permissions, an immutable file, a read-only mount); every commit
	 * would then fail.  Say so now instead.
	 */
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		xasprintf(cause, "%s: cannot open for writing (read-only file "
		    "system, file permissions or an immutable file)", path);
		goto fail;
	}
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
	    prepare(st, "ROLLBACK", &st->rollback, cause) == -1 ||
	    prepare(st, "INSERT INTO suggestions (seq, agent, team, kind, "
	    "status, audience, created_at, updated_at, body, written) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT (seq) DO UPDATE SET "
	    "status = excluded.status, updated_at = excluded.updated_at, "
	    "body = excluded.body, written = excluded.written",
	    &st->sugg_put, cause) == -1 ||
	    prepare(st, "INSERT INTO stream (seq, event, agent, team, created, "
	    "data) VALUES (?,?,?,?,?,?)", &st->stream_add, cause) == -1 ||
	    prepare(st, "INSERT INTO audit (ts, who, role, what, agent) VALUES "
	    "(?,?,?,?,?)", &st->audit_add, cause) == -1 ||
	    prepare(st, "SELECT kind, status FROM suggestions WHERE seq = ?",
	    &st->sugg_old, cause) == -1 ||
	    prepare(st, "INSERT OR REPLACE INTO agent_days (" DAY_COLUMNS
	    ") VALUES (" DAY_PARAMS ")", &st->day_set, cause) == -1 ||
	    prepare(st, "INSERT INTO agent_days (" DAY_COLUMNS ") VALUES ("
	    DAY_PARAMS ") ON CONFLICT (agent, date) DO UPDATE SET "
	    "final = max(final, excluded.final),"
	    "worked_min = worked_min + excluded.worked_min,"
	    "break_min = break_min + excluded.break_min,"
	    "phone = phone + excluded.phone, chat = chat + excluded.chat,"
	    "email = email + excluded.email,"
	    "social = social + excluded.social,"
	    "messaging = messaging + excluded.messaging,"
	    "other = other + excluded.other,"
	    "handled = handled + excluded.handled,"
	    "hostile = hostile + excluded.hostile,"
	    "exposure_peak = max(exposure_peak, excluded.exposure_peak),"
	    "strain_sum = strain_sum + excluded.strain_sum,"
	    "strain_samples = strain_samples + excluded.strain_samples,"
	    "strain_peak = max(strain_peak, excluded.strain_peak),"
	    "high_min = high_min + excluded.high_min,"
	    "longest_stretch_min = max(longest_stretch_min, "
	    "excluded.longest_stretch_min),"
	    "raised = raised + excluded.raised,"
	    "accepted = accepted + excluded.accepted,"
	    "dismissed = dismissed + excluded.dismissed,"
	    "snoozed = snoozed + excluded.snoozed,"
	    "expired = expired + excluded.expired", &st->day_add, cause) == -1)
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
	size_t	i;

	if (st == NULL)
		return;
	checkpointer_stop(st->ckpt);
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->begin);
	sqlite3_finalize(st->commit);
	sqlite3_finalize(st->rollback);
	sqlite3_finalize(st->sugg_put);
	sqlite3_finalize(st->stream_add);
	sqlite3_finalize(st->audit_add);
	sqlite3_finalize(st->sugg_old);
	sqlite3_finalize(st->last_level);
	for (i = 0; i < sizeof st->seed / sizeof st->seed[0]; i++)
		sqlite3_finalize(st->seed[i]);
	sqlite3_finalize(st->day_set);
	sqlite3_finalize(st->day_add);
	sqlite3_finalize(st->cluster_set);
	sqlite3_finalize(st->advisor_put);
	sqlite3_finalize(st->advisor_del);
	sqlite3_finalize(st->event_known);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("storage: closing %s: %s", st->path,
		    sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

/*
 * From now on copy the write-ahead log into the database in a thread of
 * its own (daemon/checkpoint.c), not in the commits on the loop.
 */
int
store_checkpoint_in_background(struct store *st, char **cause)
{
	if (st->ckpt == NULL &&
	    (st->ckpt = checkpointer_start(st->db, st->path, st->sync_full,
	    cause)) == NULL)
		return (-1);
	return (0);
}

/* Storage lines of GET /metrics. */
void
store_write_metrics(struct store *st, FILE *f)
{
	if (st->ckpt != NULL)
		checkpointer_write_metrics(st->ckpt, f);
}

const char *
store_path(const struct store *st)
{
	return (st->path);
}

static int
step_done(struct store *st, sqlite3_stmt *s, char **cause, const char *what)
{
	int	rc, saved;

	errno = 0;
	rc = sqlite3_step(s);
	saved = errno;
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return (store_error_errno(st, cause, what, saved));
	return (0);
}

/* Forget the changes to the counts of a transaction that did not commit. */
static void
counts_drop_pending(struct store *st)
{
	size_t	i;

	for (i = 0; i < st->ncounts; i++)
		st->counts[i].pending = 0;
}

/* Change the count of (kind, status) by delta once the commit is done. */
static void
counts_add(struct store *st, const char *kind, const char *status,
    int64_t delta)
{
	struct store_sugg_count	*c;
	size_t			 i;
	int			 cmp;

	for (i = 0; i < st->ncounts; i++) {
		c = &st->counts[i];
		if ((cmp = strcmp(c->kind, kind)) == 0 &&
		    (cmp = strcmp(c->status, status)) == 0) {
			c->pending += delta;
			return;
		}
		if (cmp > 0)
			break;
	}
	if (st->ncounts == STORE_SUGG_COUNTS_MAX)
		return;
	/* Kept in (kind, status) order, as /metrics lists them. */
	memmove(&st->counts[i + 1], &st->counts[i], (st->ncounts - i) *
	    sizeof st->counts[0]);
	st->ncounts++;
	c = &st->counts[i];
	memset(c, 0, sizeof *c);
	snprintf(c->kind, sizeof c->kind, "%s", kind);
	snprintf(c->status, sizeof c->status, "%s", status);
	c->pending = delta;
}

/* Count the stored suggestions once (outside a transaction). */
static int
counts_load(struct store *st, char **cause)
{
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;

	if (st->counts_loaded || !sqlite3_get_autocommit(st->db))
		return (0);
	st->ncounts = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT kind, status, count(*) FROM "
	    "suggestions GROUP BY kind, status", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "count suggestions"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		counts_add(st, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    sqlite3_column_int64(s, 2));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		st->ncounts = 0;
		return (store_error(st, cause, "count suggestions"));
	}
	for (i = 0; i < st->ncounts; i++) {
		st->counts[i].n = st->counts[i].pending;
		st->counts[i].pending = 0;
	}
	st->counts_loaded = 1;
	return (0);
}

int
store_begin(struct store *st, char **cause)
{
	char	*why = NULL;

	/* Before the first write: what is stored, counted (one scan). */
	if (!st->counts_loaded && counts_load(st, &why) == -1) {
		log_warnx("%s", why);
		free(why);
	}
	counts_drop_pending(st);
	return (step_done(st, st->begin, cause, "begin"));
}

int
store_commit(struct store *st, char **cause)
{
	size_t	i;

	if (step_done(st, st->commit, cause, "commit") == -1)
		return (-1);
	for (i = 0; i < st->ncounts; i++) {
		st->counts[i].n += st->counts[i].pending;
		st->counts[i].pending = 0;
	}
	return (0);
}

/* Roll back the open transaction, if SQLite has not already done so. */
void
store_rollback(struct store *st)
{
	counts_drop_pending(st);
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
 * Bind ev to the 13 parameters of the events INSERT (id, type, agent,
 * team, ts, received, channel, ticket, duration_s, severity, categories,
 * lang, tz): also the storage ceiling's, so that it stores the same rows.
 */
void
store_bind_event(sqlite3_stmt *s, const struct respite_event *ev)
{
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

	store_bind_event(s, ev);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "insert"));
	return (sqlite3_changes(st->db) > 0 ? 1 : 0);
}

/* Column i as a string into dst (len bytes), truncated; "" if NULL. */
static void
column_copy(sqlite3_stmt *s, int i, char *dst, size_t len)
{
	const unsigned char	*v;
	size_t			 n;

	/* No snprintf: the rebuild at start-up copies millions of these. */
	if ((v = sqlite3_column_text(s, i)) == NULL) {
		*dst = '\0';
		return;
	}
	n = (size_t)sqlite3_column_bytes(s, i);
	if (n >= len)
		n = len - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Read an events row of EVENT_COLUMNS into ev: 0, or -1 if unknown. */
static int
event_from_row(sqlite3_stmt *s, struct respite_event *ev)
{
	memset(ev, 0, sizeof *ev);
	column_copy(s, 0, ev->id, sizeof ev->id);
	ev->type = sqlite3_column_int(s, 1);
	column_copy(s, 2, ev->agent, sizeof ev->agent);
	column_copy(s, 3, ev->team, sizeof ev->team);
	ev->ts_ms = sqlite3_column_int64(s, 4);
	ev->received_ms = sqlite3_column_int64(s, 5);
	ev->channel = sqlite3_column_int(s, 6);
	column_copy(s, 7, ev->ticket, sizeof ev->ticket);
	ev->duration_s = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_double(s, 8);
	ev->severity = sqlite3_column_type(s, 9) == SQLITE_NULL ? -1 :
	    sqlite3_column_double(s, 9);
	ev->categories = (unsigned int)sqlite3_column_int(s, 10);
	column_copy(s, 11, ev->lang, sizeof ev->lang);
	column_copy(s, 12, ev->tz, sizeof ev->tz);
	if (ev->type <= RESPITE_EV_NONE || ev->type >= RESPITE_EV_COUNT)
		return (-1);
	return (0);
}

/*
 * Step s (bound) to its end, each event to cb; then finalize s, or only
 * reset it if keep.  Returns 0, or -1 with *cause set.
 */
static int
events_walk_keep(struct store *st, sqlite3_stmt *s, store_event_cb cb,
    void *arg, int keep, char **cause)
{
	struct respite_event	ev;
	int			rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (event_from_row(s, &ev) == -1)
			continue;
		if (cb(&ev, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_error(st, cause, "read events");
	if (keep) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else
		sqlite3_finalize(s);
	return (rc != SQLITE_ROW && rc != SQLITE_DONE ? -1 : 0);
}

static int
events_walk(struct store *st, sqlite3_stmt *s, store_event_cb cb, void *arg,
    char **cause)
{
	return (events_walk_keep(st, s, cb, arg, 0, cause));
}

/*
 * Call cb for every stored event in the order received.  A non-zero return
 * from cb stops the walk.  Returns 0, or -1 with *cause set.
 */
int
store_foreach_event(struct store *st, store_event_cb cb, void *arg,
    char **cause)
{
	return (store_foreach_agent_event(st, NULL, 0, INT64_MAX, cb, arg,
	    cause));
}

/*
 * Call cb for the events of one agent (NULL: all) with from <= ts <= to,
 * in the order received.  Returns 0, or -1 with *cause set.
 */
int
store_foreach_agent_event(struct store *st, const char *agent, int64_t from,
    int64_t to, store_event_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*s;

	if (sqlite3_prepare_v2(st->db, agent == NULL ?
	    "SELECT id, type, agent, team, ts, received, channel, ticket, "
	    "duration_s, severity, categories, lang, tz FROM events "
	    "ORDER BY seq" :
	    "SELECT id, type, agent, team, ts, received, channel, ticket, "
	    "duration_s, severity, categories, lang, tz FROM events "
	    "WHERE agent = ?1 AND ts >= ?2 AND ts <= ?3 ORDER BY seq",
	    -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read events"));
	if (agent != NULL) {
		sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, from);
		sqlite3_bind_int64(s, 3, to);
	}
	return (events_walk(st, s, cb, arg, cause));
}

/*
 * The first stored row received at or after `received` (its seq), or 0 if
 * none: a binary search over seq, as the received time rises with it (the
 * daemon's clock at each commit; a step back of the clock moves the
 * answer by that much, which the caller's margin covers).  About 2 log2(n)
 * lookups of the rowid, with no index on either time.
 */
static int
first_received(struct store *st, int64_t received, int64_t *seq,
    char **cause)
{
	sqlite3_stmt	*s;
	int64_t		 lo, hi, mid, at = 0, rcv = 0;
	int		 rc;

	*seq = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT seq, received FROM events "
	    "WHERE seq >= ?1 ORDER BY seq LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read events"));
	lo = 0;
	hi = INT64_MAX;
	/* The smallest seq >= lo whose next row is received late enough. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		sqlite3_bind_int64(s, 1, mid);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			at = sqlite3_column_int64(s, 0);
			rcv = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			return (store_error(st, cause, "read events"));
		}
		if (rc == SQLITE_DONE || rcv >= received)
			hi = mid;
		else
			lo = at + 1;
	}
	sqlite3_bind_int64(s, 1, lo);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*seq = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read events"));
	return (0);
}

/*
 * Call cb for every event with from <= ts, in the order received: the
 * window start-up reads (daemon/rebuild.c).  No event of it was received
 * before from - margin (margin: the clock skew ingest allows events into
 * the future, and a step back of the daemon's clock), so it is the rows
 * received since then, found by first_received(), read in seq order
 * (a range of the rowid) passing over those older than from: the events
 * of the last 36 h plus whatever past was replayed in them, never the
 * whole table.  Returns 0, or -1 with *cause set.
 */
int
store_foreach_event_since(struct store *st, int64_t from, int64_t margin,
    store_event_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int64_t		 first;

	if (first_received(st, from - margin, &first, cause) == -1)
		return (-1);
	if (first == 0)
		return (0);
	if (sqlite3_prepare_v2(st->db, "SELECT " EVENT_COLUMNS " FROM events "
	    "WHERE seq >= ?2 AND ts >= ?1 ORDER BY seq", -1, &s, NULL) !=
	    SQLITE_OK)
		return (store_error(st, cause, "read events"));
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, first);
	return (events_walk(st, s, cb, arg, cause));
}

/*
 * What agent brings into a window starting at cut (daemon/rebuild.c),
 * looking back at most `back` ms before it: cb gets, in this order,
 *  - if the agent logged out within `back` before cut, nothing older;
 *    else its last status event before cut - back, and its last status
 *    event before then that names a team, and its last login that names
 *    a time zone;
 *  - then every event of the agent from its last logout (or cut - back)
 *    to cut, in the order received.
 * All by the (agent, ts, seq, type) index: the status events are found
 * in it without reading the rows between them, and without a sort.
 * *from is where the second part began.  Returns 0, or -1 with *cause.
 */
int
store_agent_before(struct store *st, const char *agent, int64_t cut,
    int64_t back, store_event_cb cb, void *arg, int64_t *from, char **cause)
{
	/* The last status event before ?2 naming a team, and a zone. */
#define NAMED	"SELECT * FROM (SELECT " EVENT_COLUMNS ", seq FROM events " \
	"INDEXED BY events_agent_ts WHERE agent = ?1 AND type BETWEEN 1 AND 4 " \
	"AND ts < ?2 AND team IS NOT NULL AND team != '' ORDER BY ts DESC, " \
	"seq DESC LIMIT 1) UNION SELECT * FROM (SELECT " EVENT_COLUMNS ", " \
	"seq FROM events INDEXED BY events_agent_ts WHERE agent = ?1 AND type " \
	"BETWEEN 1 AND 4 AND type = 1 AND ts < ?2 AND tz IS NOT NULL AND " \
	"tz != '' ORDER BY ts DESC, seq DESC LIMIT 1)"
	static const char *const sql[] = {
		/* The last logout in [?2, ?3). */
		"SELECT ts FROM events INDEXED BY events_agent_ts WHERE "
		"agent = ?1 AND type BETWEEN 1 AND 4 AND type = 2 AND ts >= ?2 "
		"AND ts < ?3 ORDER BY ts DESC LIMIT 1",
		/* From a logout: the team and zone from before. */
		NAMED " ORDER BY 5, 14",
		/* From cut - back: also the status in force then. */
		"SELECT * FROM (SELECT " EVENT_COLUMNS ", seq FROM events "
		"INDEXED BY events_agent_ts WHERE agent = ?1 AND type BETWEEN 1 "
		"AND 4 AND ts < ?2 ORDER BY ts DESC, seq DESC LIMIT 1) UNION "
		NAMED " ORDER BY 5, 14",
		/* Then the agent's events from there to the cut. */
		"SELECT " EVENT_COLUMNS " FROM events INDEXED BY events_agent_ts "
		"WHERE agent = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY seq",
	};
#undef NAMED
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rc;

	/* Prepared once: start-up calls this for every agent. */
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if (st->seed[i] == NULL && prepare(st, sql[i], &st->seed[i],
		    cause) == -1)
			return (-1);
	*from = cut - back;
	s = st->seed[0];
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cut - back);
	sqlite3_bind_int64(s, 3, cut);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*from = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read events"));
	/* A logout ends everything but the team and the time zone. */
	s = st->seed[rc == SQLITE_ROW ? 1 : 2];
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, *from);
	if (events_walk_keep(st, s, cb, arg, 1, cause) == -1)
		return (-1);
	s = st->seed[3];
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, *from);
	sqlite3_bind_int64(s, 3, cut);
	return (events_walk_keep(st, s, cb, arg, 1, cause));
}

/*
 * The open assignments (ticket.assigned not yet handled, as the model
 * counts them) of every agent, in the order received: cb gets the agent
 * and the ticket ("" if none).  Returns 0, or -1 with *cause set.
 */
int
store_open_assignments(struct store *st, int (*cb)(const char *,
    const char *, void *), void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT agent, ticket FROM assignments "
	    "ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read assignments"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1), arg) != 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read assignments"));
	return (0);
}

/*
 * What a forgotten agent still has stored (advise_forget()): the time of
 * its newest event and the last team an event named ("" if none).
 * Returns 1, 0 if no event of the agent is stored, or -1 with *cause.
 */
int
store_agent_last(struct store *st, const char *agent, int64_t *ts,
    char *team, size_t teamsz, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, found = 0;

	*team = '\0';
	if (sqlite3_prepare_v2(st->db, "SELECT MAX(ts) FROM events "
	    "WHERE agent = ?1", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read events"));
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*ts = sqlite3_column_int64(s, 0);
		found = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read events"));
	if (!found)
		return (0);
	if (sqlite3_prepare_v2(st->db, "SELECT team FROM events "
	    "WHERE agent = ?1 AND team IS NOT NULL AND team != '' "
	    "ORDER BY seq DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read events"));
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		column_copy(s, 0, team, teamsz);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read events"));
	return (1);
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

/*
 * Insert or update a suggestion (inside the open transaction).  body is
 * its full JSON; the other columns are what lists filter and sort on.
 */
int
store_suggestion_put(struct store *st, const struct store_suggestion *sg,
    char **cause)
{
	sqlite3_stmt	*s = st->sugg_put, *o = st->sugg_old;
	int		 rc;

	/* The row it replaces leaves the counts, the new one joins them. */
	sqlite3_bind_int64(o, 1, sg->seq);
	if ((rc = sqlite3_step(o)) == SQLITE_ROW && st->counts_loaded)
		counts_add(st, (const char *)sqlite3_column_text(o, 0),
		    (const char *)sqlite3_column_text(o, 1), -1);
	sqlite3_reset(o);
	sqlite3_clear_bindings(o);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "store suggestion"));
	sqlite3_bind_int64(s, 1, sg->seq);
	sqlite3_bind_text(s, 2, sg->agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sg->team, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sg->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, sg->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, sg->audience, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, sg->created_at);
	sqlite3_bind_int64(s, 8, sg->updated_at);
	sqlite3_bind_text(s, 9, sg->body, -1, SQLITE_STATIC);
	/* Retention counts from when it was written, not its event time. */
	sqlite3_bind_int64(s, 10, time_now_ms());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "store suggestion"));
	if (st->counts_loaded)
		counts_add(st, sg->kind, sg->status, 1);
	return (0);
}

/*
 * Call cb with the JSON body of every suggestion that is open or snoozed,
 * or was created or updated at or after since_ms (for cooldowns and the
 * hourly cap), in id order.
 */
int
store_suggestions_load(struct store *st, int64_t since_ms,
    store_text_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT body FROM suggestions WHERE "
	    "status IN ('open', 'snoozed') OR created_at >= ?1 OR "
	    "updated_at >= ?1 ORDER BY seq", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "load suggestions"));
	sqlite3_bind_int64(s, 1, since_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), arg) != 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "load suggestions"));
	return (0);
}

/*
 * List suggestions newest first, filtered by q, at most q->limit of them
 * with seq < q->before (0: from the newest).  cb gets each JSON body.
 * Returns the number listed, or -1.
 */
int
store_suggestions_list(struct store *st, const struct store_sugg_query *q,
    store_text_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT body FROM suggestions WHERE "
	    "(?1 IS NULL OR agent = ?1) AND (?2 IS NULL OR team = ?2) AND "
	    "(?3 IS NULL OR status = ?3) AND (?4 IS NULL OR kind = ?4) AND "
	    "(?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR seq < ?6) "
	    "AND (?7 IS NULL OR audience = ?7) AND (?9 IS NULL OR "
	    "instr(?9, ',' || team || ',') > 0) AND (?10 IS NULL OR "
	    "kind <> ?10) ORDER BY seq DESC LIMIT ?8",
	    -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "list suggestions"));
	if (q->agent != NULL)
		sqlite3_bind_text(s, 1, q->agent, -1, SQLITE_STATIC);
	if (q->team != NULL)
		sqlite3_bind_text(s, 2, q->team, -1, SQLITE_STATIC);
	if (q->status != NULL)
		sqlite3_bind_text(s, 3, q->status, -1, SQLITE_STATIC);
	if (q->kind != NULL)
		sqlite3_bind_text(s, 4, q->kind, -1, SQLITE_STATIC);
	if (q->since_ms >= 0)
		sqlite3_bind_int64(s, 5, q->since_ms);
	if (q->before > 0)
		sqlite3_bind_int64(s, 6, q->before);
	if (q->audience != NULL)
		sqlite3_bind_text(s, 7, q->audience, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, q->limit);
	if (q->teams != NULL)
		sqlite3_bind_text(s, 9, q->teams, -1, SQLITE_STATIC);
	if (q->not_kind != NULL)
		sqlite3_bind_text(s, 10, q->not_kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if (cb((const char *)sqlite3_column_text(s, 0), arg) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "list suggestions"));
	return (n);
}

/*
 * Write respite_suggestions{kind,status} N lines (Prometheus) to f, one
 * per kind and status present: from the counts kept, not the table.
 */
int
store_suggestion_counts(struct store *st, FILE *f, char **cause)
{
	size_t	i;

	if (!st->counts_loaded && counts_load(st, cause) == -1)
		return (-1);
	for (i = 0; i < st->ncounts; i++)
		if (st->counts[i].n > 0)
			fprintf(f, "respite_suggestions{kind=\"%s\",status="
			    "\"%s\"} %lld\n", st->counts[i].kind,
			    st->counts[i].status, (long long)st->counts[i].n);
	return (0);
}

/* Record one read of individual data (inside the open transaction). */
int
store_audit_add(struct store *st, int64_t ts, const char *who,
    const char *role, const char *what, const char *agent, char **cause)
{
	sqlite3_stmt	*s = st->audit_add;
	int		 rc;

	sqlite3_bind_int64(s, 1, ts);
	sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, agent, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "audit"));
	return (0);
}

/*
 * Audit records newest first, seq < before (0: from the newest), at or
 * after since_ms, for who (NULL: anyone); cb gets a JSON object (new
 * reference, stolen by cb).  Returns the number listed or -1.
 */
int
store_audit_list(struct store *st, const char *who, int64_t since_ms,
    int64_t before, int limit, int (*cb)(int64_t, json_t *, void *),
    void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, n = 0;
	json_t		*o;

	if (sqlite3_prepare_v2(st->db, "SELECT seq, ts, who, role, what, "
	    "agent FROM audit WHERE (?1 IS NULL OR who = ?1) AND ts >= ?2 AND "
	    "(?3 <= 0 OR seq < ?3) ORDER BY seq DESC LIMIT ?4", -1, &s,
	    NULL) != SQLITE_OK)
		return (store_error(st, cause, "read audit"));
	if (who != NULL)
		sqlite3_bind_text(s, 1, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, before);
	sqlite3_bind_int(s, 4, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		o = json_pack("{s:I, s:s, s:s, s:s, s:s}",
		    "ts", (json_int_t)sqlite3_column_int64(s, 1),
		    "who", (const char *)sqlite3_column_text(s, 2),
		    "role", (const char *)sqlite3_column_text(s, 3),
		    "what", (const char *)sqlite3_column_text(s, 4),
		    "agent", (const char *)sqlite3_column_text(s, 5));
		if (cb(sqlite3_column_int64(s, 0), o, arg) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read audit"));
	return (n);
}

/*
 * The JSON body of suggestion seq into cb, if it exists.  Returns 1 if
 * found, 0 if not (or on error).
 */
int
store_suggestion_get(struct store *st, int64_t seq, store_text_cb cb,
    void *arg)
{
	sqlite3_stmt	*s;
	int		 found = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT body FROM suggestions WHERE "
	    "seq = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, seq);
		if (sqlite3_step(s) == SQLITE_ROW) {
			found = 1;
			cb((const char *)sqlite3_column_text(s, 0), arg);
		}
	}
	sqlite3_finalize(s);
	return (found);
}

/* Is there a stored suggestion with this id?  1, or 0 (also on error). */
int
store_suggestion_exists(struct store *st, int64_t seq)
{
	sqlite3_stmt	*s;
	int		 found = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM suggestions WHERE "
	    "seq = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, seq);
		found = sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	return (found);
}

/* The highest suggestion id and stream sequence stored, 0 if none. */
int64_t
store_max_seq(struct store *st, const char *table)
{
	sqlite3_stmt	*s;
	int64_t		 v = 0;
	char		*sql;

	xasprintf(&sql, "SELECT coalesce(max(seq), 0) FROM %s", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	free(sql);
	return (v);
}

/*
 * Cluster mode (daemon/replica.c): the statements of the table of the
 * stream sequence this node applied (migration 6 -> 7).  Sets *seq to
 * the sequence applied, 0 if none, *tick to the minute of the last
 * tick applied, and *sink to the stream item (the table stream) of the
 * last suggestion change a leader confirmed to the sinks.  A database
 * without that row (a new one, or one cluster mode ran on before it
 * was kept) counts every change it stored as confirmed: *sink is its
 * newest stream item.  Returns 0, or -1 with *cause set.
 */
int
store_cluster_open(struct store *st, uint64_t *seq, int64_t *tick,
    int64_t *sink, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, have_sink = 0;

	*seq = 0;
	*tick = 0;
	*sink = 0;
	if (st->cluster_set == NULL && (prepare(st, "INSERT OR REPLACE INTO "
	    "cluster (key, value) VALUES ('applied_seq', ?1), ('tick', ?2), "
	    "('sink', CASE WHEN ?3 >= 0 THEN ?3 ELSE (SELECT "
	    "coalesce(max(seq), 0) FROM stream) END)", &st->cluster_set,
	    cause) == -1 || prepare(st, "SELECT 1 FROM events WHERE id = ?",
	    &st->event_known, cause) == -1))
		return (-1);
	if (sqlite3_prepare_v2(st->db, "SELECT key, value FROM cluster", -1,
	    &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "cluster table"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char	*k = (const char *)sqlite3_column_text(s, 0);

		if (k != NULL && strcmp(k, "applied_seq") == 0)
			*seq = (uint64_t)sqlite3_column_int64(s, 1);
		else if (k != NULL && strcmp(k, "tick") == 0)
			*tick = sqlite3_column_int64(s, 1);
		else if (k != NULL && strcmp(k, "sink") == 0) {
			*sink = sqlite3_column_int64(s, 1);
			have_sink = 1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "cluster table"));
	if (!have_sink)
		*sink = store_max_seq(st, "stream");
	return (0);
}

/*
 * The stream sequence applied, the minute of the last tick applied
 * (epoch ms) and the stream item of the last suggestion change a leader
 * confirmed (-1: every item stored so far, for a node without sinks),
 * inside the open transaction.
 */
int
store_cluster_set_seq(struct store *st, uint64_t seq, int64_t tick,
    int64_t sink, char **cause)
{
	sqlite3_stmt	*s = st->cluster_set;
	int		 rc;

	sqlite3_bind_int64(s, 1, (int64_t)seq);
	sqlite3_bind_int64(s, 2, tick);
	sqlite3_bind_int64(s, 3, sink);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "cluster sequence"));
	return (0);
}

/*
 * Cluster mode's sinks at start-up: the suggestion changes stored after
 * stream item `after` (every change is one `suggestion` item, its data
 * the suggestion's JSON as the sinks got it), the newest max of them,
 * oldest first: cb(item, data, arg).  Sets *more if there were more.
 * Returns 0, or -1 with *cause set.
 */
int
store_sink_changes(struct store *st, int64_t after, int max,
    void (*cb)(int64_t, const char *, void *), void *arg, int *more,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc, n = 0;

	*more = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT seq, data, count(*) OVER () "
	    "FROM (SELECT seq, data FROM stream WHERE seq > ?1 AND event = "
	    "'suggestion' ORDER BY seq DESC LIMIT ?2) ORDER BY seq", -1, &s,
	    NULL) != SQLITE_OK)
		return (store_error(st, cause, "stream"));
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, max + 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Of max + 1, the oldest is one too many. */
		if (n++ == 0 && sqlite3_column_int(s, 2) > max) {
			*more = 1;
			continue;
		}
		cb(sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1), arg);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "stream"));
	return (0);
}

/*
 * Each agent whose newest event received since `since` (epoch ms) came
 * within window_ms of its time: cb(agent, arg).  Returns 0, or -1 with
 * *cause set.
 */
int
store_agents_live(struct store *st, int64_t since, int64_t window_ms,
    void (*cb)(const char *, void *), void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT agent FROM events WHERE seq IN "
	    "(SELECT max(seq) FROM events WHERE received >= ?1 GROUP BY agent) "
	    "AND received - ts < ?2", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "live agents"));
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, window_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(s, 0), arg);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "live agents"));
	return (0);
}

/*
 * Store the advisor's state of one agent or team (scope "agent" or
 * "team"), or delete it (body NULL), inside the open transaction.
 */
int
store_advisor_put(struct store *st, const char *scope, const char *name,
    const char *body, char **cause)
{
	sqlite3_stmt	**sp = body != NULL ? &st->advisor_put :
	    &st->advisor_del;
	int		  rc;

	if (*sp == NULL && prepare(st, body != NULL ? "INSERT OR REPLACE "
	    "INTO advisor (scope, name, body) VALUES (?1, ?2, ?3)" :
	    "DELETE FROM advisor WHERE scope = ?1 AND name = ?2", sp,
	    cause) == -1)
		return (-1);
	sqlite3_bind_text(*sp, 1, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(*sp, 2, name, -1, SQLITE_STATIC);
	if (body != NULL)
		sqlite3_bind_text(*sp, 3, body, -1, SQLITE_STATIC);
	rc = sqlite3_step(*sp);
	sqlite3_reset(*sp);
	sqlite3_clear_bindings(*sp);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "advisor state"));
	return (0);
}

/*
 * Every stored advisor state, teams before agents: cb(scope, name, body,
 * arg).  Returns 0, or -1 with *cause set.
 */
int
store_advisor_foreach(struct store *st, void (*cb)(const char *,
    const char *, const char *, void *), void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT scope, name, body FROM advisor "
	    "ORDER BY scope DESC, name", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "advisor state"));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1),
		    (const char *)sqlite3_column_text(s, 2), arg);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "advisor state"));
	return (0);
}

/* Is an event with this id stored?  1 or 0 (0 also on an error). */
int
store_event_known(struct store *st, const char *id)
{
	sqlite3_stmt	*s = st->event_known;
	int		 rc;

	if (s == NULL || *id == '\0')
		return (0);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return (rc == SQLITE_ROW);
}

/* Append one published stream item (inside the open transaction). */
int
store_stream_add(struct store *st, const struct store_stream_item *it,
    char **cause)
{
	sqlite3_stmt	*s = st->stream_add;
	int		 rc;

	sqlite3_bind_int64(s, 1, it->seq);
	sqlite3_bind_text(s, 2, it->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, it->agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, it->team, -1, SQLITE_STATIC);
	/* created is when it was stored (retention), not its event time. */
	sqlite3_bind_int64(s, 5, time_now_ms());
	sqlite3_bind_text(s, 6, it->data, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "store stream item"));
	return (0);
}

/*
 * Call cb for each stream item after seq `after`, oldest first, for one
 * agent or one team (the other NULL); at most limit items.
 */
int
store_stream_since(struct store *st, int64_t after, const char *agent,
    const char *team, int limit, store_stream_cb cb, void *arg, char **cause)
{
	struct store_stream_item	 it;
	sqlite3_stmt			*s;
	int				 rc;

	/* One query per filter, so each can use its index. */
	if (sqlite3_prepare_v2(st->db, agent != NULL ?
	    "SELECT seq, event, agent, team, created, data FROM stream "
	    "WHERE agent = ?2 AND seq > ?1 ORDER BY seq LIMIT ?4" :
	    team != NULL ?
	    "SELECT seq, event, agent, team, created, data FROM stream "
	    "WHERE team = ?3 AND seq > ?1 ORDER BY seq LIMIT ?4" :
	    "SELECT seq, event, agent, team, created, data FROM stream "
	    "WHERE seq > ?1 ORDER BY seq LIMIT ?4", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read stream"));
	sqlite3_bind_int64(s, 1, after);
	if (agent != NULL)
		sqlite3_bind_text(s, 2, agent, -1, SQLITE_STATIC);
	if (team != NULL)
		sqlite3_bind_text(s, 3, team, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		it.seq = sqlite3_column_int64(s, 0);
		it.event = (const char *)sqlite3_column_text(s, 1);
		it.agent = (const char *)sqlite3_column_text(s, 2);
		it.team = (const char *)sqlite3_column_text(s, 3);
		it.created_ms = sqlite3_column_int64(s, 4);
		it.data = (const char *)sqlite3_column_text(s, 5);
		if (cb(&it, arg) != 0)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read stream"));
	return (0);
}

/*
 * One retention step, in its own small transaction: delete at most limit
 * of the oldest rows of what older than before_ms.  Returns the number
 * deleted, or -1 with *cause.  Each table is read from its oldest end,
 * so a step costs about limit rows whatever the table's size.
 */
int
store_retention_step(struct store *st, enum store_retention what,
    int64_t before_ms, int limit, char **cause)
{
	static const char *const sql[] = {
		[STORE_RETAIN_EVENTS] = ("DELETE FROM events WHERE seq IN "
		    "(SELECT seq FROM events WHERE received < ?1 ORDER BY seq "
		    "LIMIT ?2)"),
		/*
		 * The newest suggestion and stream item always stay: their
		 * seq is where the ids go on after a restart (store_max_seq),
		 * so an id is never given twice, and a client's Last-Event-ID
		 * never points past the stream.
		 */
		[STORE_RETAIN_SUGGESTIONS] = ("DELETE FROM suggestions WHERE "
		    "seq IN (SELECT seq FROM suggestions WHERE status NOT IN "
		    "('open', 'snoozed') AND written < ?1 AND seq < (SELECT "
		    "max(seq) FROM suggestions) ORDER BY seq LIMIT ?2) "
		    "RETURNING kind, status"),
		[STORE_RETAIN_STREAM] = ("DELETE FROM stream WHERE seq IN "
		    "(SELECT seq FROM stream WHERE created < ?1 AND seq < "
		    "(SELECT max(seq) FROM stream) ORDER BY seq LIMIT ?2)"),
		[STORE_RETAIN_AUDIT] = ("DELETE FROM audit WHERE seq IN "
		    "(SELECT seq FROM audit WHERE ts < ?1 ORDER BY seq LIMIT ?2)"),
		/* Agent days by the end of the day, not by their events. */
		[STORE_RETAIN_DAYS] = ("DELETE FROM agent_days WHERE rowid IN "
		    "(SELECT rowid FROM agent_days WHERE day_end < ?1 "
		    "ORDER BY day_end LIMIT ?2)"),
	};
	static const char *const oldest[] = {
		[STORE_RETAIN_EVENTS] = "SELECT received FROM events ORDER BY "
		    "seq LIMIT 1",
		[STORE_RETAIN_SUGGESTIONS] = NULL,
		[STORE_RETAIN_STREAM] = "SELECT created FROM stream ORDER BY "
		    "seq LIMIT 1",
		[STORE_RETAIN_AUDIT] = "SELECT ts FROM audit ORDER BY seq "
		    "LIMIT 1",
		[STORE_RETAIN_DAYS] = "SELECT day_end FROM agent_days ORDER BY "
		    "day_end LIMIT 1",
	};
	sqlite3_stmt	*s;
	int		 rc, n;

	/* Nothing old at the oldest end: no scan of the table at all. */
	if (oldest[what] != NULL) {
		if (sqlite3_prepare_v2(st->db, oldest[what], -1, &s, NULL) !=
		    SQLITE_OK)
			return (store_error(st, cause, "retention"));
		rc = sqlite3_step(s);
		n = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) < before_ms;
		sqlite3_finalize(s);
		if (!n)
			return (0);
	}
	if (store_begin(st, cause) == -1)
		return (-1);
	if (sqlite3_prepare_v2(st->db, sql[what], -1, &s, NULL) != SQLITE_OK) {
		store_rollback(st);
		return (store_error(st, cause, "retention"));
	}
	sqlite3_bind_int64(s, 1, before_ms);
	sqlite3_bind_int(s, 2, limit);
	/* Deleted suggestions leave the counts (RETURNING names them). */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (st->counts_loaded)
			counts_add(st, (const char *)sqlite3_column_text(s, 0),
			    (const char *)sqlite3_column_text(s, 1), -1);
	sqlite3_finalize(s);
	n = sqlite3_changes(st->db);
	if (rc != SQLITE_DONE) {
		store_error(st, cause, "retention");
		store_rollback(st);
		return (-1);
	}
	if (store_commit(st, cause) == -1) {
		store_rollback(st);
		return (-1);
	}
	return (n);
}

/* Delete stream items older than before_ms (inside a transaction). */
int
store_stream_prune(struct store *st, int64_t before_ms, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "DELETE FROM stream WHERE created < ? "
	    "AND seq < (SELECT max(seq) FROM stream)", -1, &s, NULL) !=
	    SQLITE_OK)
		return (store_error(st, cause, "prune stream"));
	sqlite3_bind_int64(s, 1, before_ms);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "prune stream"));
	return (0);
}

/*
 * The level named by agent's newest "level" stream item (ok, elevated,
 * high or critical) into buf, so that start-up can carry on the level's
 * hysteresis where the daemon left it.  Returns 1 if there is one, 0 if
 * not (none, or pruned by stream_days), -1 with *cause set.
 */
int
store_stream_last_level(struct store *st, const char *agent, char *buf,
    size_t size, char **cause)
{
	const unsigned char	*v;
	int			 rc, found = 0;

	if (st->last_level == NULL && prepare(st, "SELECT json_extract(data, "
	    "'$.level') FROM stream WHERE agent = ? AND event = 'level' "
	    "ORDER BY seq DESC LIMIT 1", &st->last_level, cause) == -1)
		return (-1);
	sqlite3_bind_text(st->last_level, 1, agent, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->last_level);
	if (rc == SQLITE_ROW &&
	    (v = sqlite3_column_text(st->last_level, 0)) != NULL &&
	    strlen((const char *)v) < size) {
		strcpy(buf, (const char *)v);
		found = 1;
	}
	sqlite3_reset(st->last_level);
	sqlite3_clear_bindings(st->last_level);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read the last level"));
	return (found);
}

/* Bind a day's columns (DAY_COLUMNS) to s. */
static void
store_day_bind(sqlite3_stmt *s, const struct store_day *d)
{
	static const enum respite_channel ch[6] = { RESPITE_CH_PHONE,
	    RESPITE_CH_CHAT, RESPITE_CH_EMAIL, RESPITE_CH_SOCIAL,
	    RESPITE_CH_MESSAGING, RESPITE_CH_OTHER };
	int	i, k = 1;

	sqlite3_bind_text(s, k++, d->agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, k++, d->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, k++, d->tz, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, k++, d->team, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, k++, d->start);
	sqlite3_bind_int64(s, k++, d->end);
	sqlite3_bind_int(s, k++, d->final);
	sqlite3_bind_int64(s, k++, d->worked_min);
	sqlite3_bind_int64(s, k++, d->break_min);
	for (i = 0; i < 6; i++)
		sqlite3_bind_int64(s, k++, d->contacts[ch[i]]);
	sqlite3_bind_int64(s, k++, d->handled);
	sqlite3_bind_int64(s, k++, d->hostile);
	sqlite3_bind_double(s, k++, d->exposure_peak);
	sqlite3_bind_int64(s, k++, d->strain_sum);
	sqlite3_bind_int64(s, k++, d->strain_samples);
	sqlite3_bind_int64(s, k++, d->strain_peak);
	sqlite3_bind_int64(s, k++, d->high_min);
	sqlite3_bind_int64(s, k++, d->longest_stretch_min);
	for (i = 0; i < STORE_DAY_SUGG; i++)
		sqlite3_bind_int64(s, k++, d->sugg[i]);
}

/* Read a row of DAY_COLUMNS into *d. */
static void
store_day_column(sqlite3_stmt *s, struct store_day *d)
{
	static const enum respite_channel ch[6] = { RESPITE_CH_PHONE,
	    RESPITE_CH_CHAT, RESPITE_CH_EMAIL, RESPITE_CH_SOCIAL,
	    RESPITE_CH_MESSAGING, RESPITE_CH_OTHER };
	int	i, k = 0;

	memset(d, 0, sizeof *d);
	column_copy(s, k++, d->agent, sizeof d->agent);
	column_copy(s, k++, d->date, sizeof d->date);
	column_copy(s, k++, d->tz, sizeof d->tz);
	column_copy(s, k++, d->team, sizeof d->team);
	d->start = sqlite3_column_int64(s, k++);
	d->end = sqlite3_column_int64(s, k++);
	d->final = sqlite3_column_int(s, k++);
	d->worked_min = sqlite3_column_int64(s, k++);
	d->break_min = sqlite3_column_int64(s, k++);
	for (i = 0; i < 6; i++)
		d->contacts[ch[i]] = sqlite3_column_int64(s, k++);
	d->handled = sqlite3_column_int64(s, k++);
	d->hostile = sqlite3_column_int64(s, k++);
	d->exposure_peak = sqlite3_column_double(s, k++);
	d->strain_sum = sqlite3_column_int64(s, k++);
	d->strain_samples = sqlite3_column_int64(s, k++);
	d->strain_peak = sqlite3_column_int64(s, k++);
	d->high_min = sqlite3_column_int64(s, k++);
	d->longest_stretch_min = sqlite3_column_int64(s, k++);
	for (i = 0; i < STORE_DAY_SUGG; i++)
		d->sugg[i] = sqlite3_column_int64(s, k++);
}

/*
 * Write an agent day within the caller's transaction: add 0 replaces the
 * stored record with *d (a record the model holds whole), add 1 adds *d
 * to it as a correction (counts and minutes added, peaks the larger),
 * or stores it if there is none.  Returns 0, or -1 with *cause.
 */
int
store_day_put(struct store *st, const struct store_day *d, int add,
    char **cause)
{
	sqlite3_stmt	*s = add ? st->day_add : st->day_set;
	int		 rc;

	store_day_bind(s, d);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "write agent day"));
	return (0);
}

/*
 * Call cb for each stored day of agent (or, agent NULL, of team; both
 * NULL: of everyone) dated from..to (inclusive, "YYYY-MM-DD"; NULL: no
 * bound) whose end is after end_after, by date then agent.  cb returns
 * non-zero to stop.  Returns 0, or -1 with *cause.
 */
int
store_days_foreach(struct store *st, const char *agent, const char *team,
    const char *from, const char *to, int64_t end_after,
    int (*cb)(const struct store_day *, void *), void *arg, char **cause)
{
	struct store_day	 d;
	sqlite3_stmt		*s;
	char			*sql;
	int			 rc;

	/* Only the terms given, so that SQLite uses the index they name. */
	xasprintf(&sql, "SELECT " DAY_COLUMNS " FROM agent_days WHERE "
	    "day_end > ?5%s%s%s%s ORDER BY date, agent",
	    agent != NULL ? " AND agent = ?1" : "",
	    team != NULL ? " AND team = ?2" : "",
	    from != NULL ? " AND date >= ?3" : "",
	    to != NULL ? " AND date <= ?4" : "");
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return (store_error(st, cause, "read agent days"));
	if (agent != NULL)
		sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	if (team != NULL)
		sqlite3_bind_text(s, 2, team, -1, SQLITE_STATIC);
	if (from != NULL)
		sqlite3_bind_text(s, 3, from, -1, SQLITE_STATIC);
	if (to != NULL)
		sqlite3_bind_text(s, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, end_after);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_day_column(s, &d);
		if (cb(&d, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "read agent days"));
	return (0);
}

/* Is a day of agent dated date stored?  1, 0, or -1 with *cause. */
int
store_day_exists(struct store *st, const char *agent, const char *date,
    char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM agent_days WHERE "
	    "agent = ?1 AND date = ?2", -1, &s, NULL) != SQLITE_OK)
		return (store_error(st, cause, "read agent days"));
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (store_error(st, cause, "read agent days"));
	return (rc == SQLITE_ROW);
}

/*
 * Call cb with the body of each agent suggestion raised at or after
 * since (the agent days of a restart count them).  Returns 0, or -1
 * with *cause.
 */
int
store_suggestions_created(struct store *st, int64_t since, store_text_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT body FROM suggestions WHERE "
	    "created_at >= ?1 AND audience = 'agent' ORDER BY seq", -1, &s,
	    NULL) != SQLITE_OK)
		return (store_error(st, cause, "read suggestions"));
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(s, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return (store_error(st, cause, "read suggestions"));
	return (0);
}

/*
 * The created_at of agent's newest suggestion of kind in *at (0 for
 * none); through the index on (agent, seq).  Returns 0, or -1 with
 * *cause.
 */
int
store_suggestion_newest(struct store *st, const char *agent,
    const char *kind, int64_t *at, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	*at = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT max(created_at) FROM "
	    "suggestions WHERE agent = ?1 AND kind = ?2", -1, &s,
	    NULL) != SQLITE_OK)
		return (store_error(st, cause, "read suggestions"));
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*at = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return (store_error(st, cause, "read suggestions"));
	return (0);
}
