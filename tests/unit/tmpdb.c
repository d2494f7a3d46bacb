/*
 * respite - unit tests: a database path in a new temporary directory
 * (mkdtemp), removed after with SQLite's side files, and a row count read
 * through a connection of its own: what is in the file, committed.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tmpdb.h"

/* Make /tmp/respite-test-NAME.XXXXXX.  Returns 0, or -1. */
int
tmpdb_make(struct tmpdb *t, const char *name)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/respite-test-%s.XXXXXX", name);
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->path, sizeof t->path, "%s/respite.db", t->dir);
	return (0);
}

/* Remove the database, its -wal, -shm and -journal, and the directory. */
void
tmpdb_remove(struct tmpdb *t)
{
	static const char *const side[] = { "", "-wal", "-shm", "-journal" };
	char			 path[160];
	size_t			 i;

	for (i = 0; i < sizeof side / sizeof side[0]; i++) {
		snprintf(path, sizeof path, "%s%s", t->path, side[i]);
		unlink(path);
	}
	rmdir(t->dir);
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
