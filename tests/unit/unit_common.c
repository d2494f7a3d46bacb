/*
 * respite - what the unit tests of respited's modules share: a database
 * (or any file's) path in a new temporary directory (mkdtemp), removed
 * after with SQLite's side files; a row count read through a connection
 * of its own: what is in the file, committed; and the model's parameters
 * as respited makes them from the default configuration.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "config.h"
#include "unit_common.h"

/* Make /tmp/respite-test-NAME.XXXXXX, path FILE in it.  0, or -1. */
int
tmpdir_make(struct tmpdb *t, const char *name, const char *file)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/respite-test-%s.XXXXXX", name);
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->path, sizeof t->path, "%s/%s", t->dir, file);
	return (0);
}

/* Make /tmp/respite-test-NAME.XXXXXX, path respite.db in it. */
int
tmpdb_make(struct tmpdb *t, const char *name)
{
	return (tmpdir_make(t, name, "respite.db"));
}

/* Remove the file (a database), its -wal, -shm and -journal. */
void
tmpdb_clear(const struct tmpdb *t)
{
	static const char *const side[] = { "", "-wal", "-shm", "-journal" };
	char			 path[160];
	size_t			 i;

	for (i = 0; i < sizeof side / sizeof side[0]; i++) {
		snprintf(path, sizeof path, "%s%s", t->path, side[i]);
		unlink(path);
	}
}

/* tmpdb_clear(), then the directory: rmdir()'s 0, or -1. */
int
tmpdb_remove(struct tmpdb *t)
{
	tmpdb_clear(t);
	return (rmdir(t->dir));
}

/* SELECT count(*) FROM table, or -1 on any error. */
long
tmpdb_count(const struct tmpdb *t, const char *table)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	char		 sql[128];
	long		 n = -1;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	if (sqlite3_open_v2(t->path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (n);
}

/* The [model] parameters of the default configuration, as respited's. */
void
unit_model_params(struct model_params *mp)
{
	static char	 tz[64];
	struct config	*cf;

	cf = config_defaults();
	agent_params_from_config(mp, cf);
	/* The configuration's string goes with it. */
	snprintf(tz, sizeof tz, "%s", cf->timezone);
	mp->timezone = tz;
	config_free(cf);
}

/*
 * CPU seconds of this process, for bounds on the time a test takes: the
 * machine may be shared, its wall clock slow.
 */
double
unit_cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}
