/*
 * respite - WAL checkpoints off the event loop.
 *
 * In WAL mode SQLite appends each commit to the -wal file and copies the
 * pages back into the database file in a checkpoint.  By default the
 * connection that commits does that itself, inside the COMMIT that takes
 * the log past 1,000 pages: on respited's loop, with an fsync of the log
 * and one of the database file, so every thousandth page or so one group
 * commit (and every request on the loop behind it) waited for a copy of
 * 4 MiB and two fsyncs, tens to hundreds of milliseconds on a busy disk.
 *
 * Here respited's connection gets a WAL hook instead (which turns the
 * automatic checkpoint off).  After each commit the hook, on the loop,
 * only wakes a thread of our own when the log has passed
 * CHECKPOINT_PAGES; the thread checkpoints through a connection of its
 * own in PASSIVE mode, which never takes a lock the writer needs: the
 * loop keeps committing meanwhile.  Once the thread has copied every
 * frame, the next commit starts the log from its beginning again, so the
 * -wal file stays near its 4 MiB.  Should the thread ever fall far behind
 * (CHECKPOINT_PAGES_MAX, 250 MiB of log at 4 KiB pages), the hook
 * checkpoints on the loop, as SQLite would, and says so once.
 *
 * The thread touches nothing but its own SQLite connection and the few
 * fields under the mutex below; it blocks every signal and never logs
 * (the loop logs its failures).
 */
#include "build.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "log.h"
#include "timeutil.h"
#include "xmalloc.h"

struct checkpointer {
	sqlite3			*writer;	/* respited's connection */
	sqlite3			*db;		/* the thread's own */
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* Under mu: */
	int			 wanted, stop;
	int			 last_failed;
	unsigned long long	 runs, failures;
	double			 seconds;
	char			 error[256];	/* the last failure, unlogged */
	/* The loop's own: */
	unsigned long long	 on_loop;
	int			 wal_pages;	/* after the last commit */
	int			 failing;
};

static void *
checkpoint_main(void *arg)
{
	struct checkpointer	*c = arg;
	double			 t0, dt;
	int			 rc;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->mu);

		t0 = time_monotonic_s();
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		dt = time_monotonic_s() - t0;

		pthread_mutex_lock(&c->mu);
		c->runs++;
		c->seconds += dt;
		/* BUSY: another checkpoint (the loop's) was running. */
		c->last_failed = rc != SQLITE_OK && rc != SQLITE_BUSY;
		if (c->last_failed) {
			c->failures++;
			snprintf(c->error, sizeof c->error, "%s",
			    sqlite3_errmsg(c->db));
		}
	}
	pthread_mutex_unlock(&c->mu);
	return (NULL);
}

/* After each commit of the writer, on the loop: wake the thread. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct checkpointer	*c = arg;
	char			 error[sizeof c->error];
	int			 failed;

	c->wal_pages = pages;
	pthread_mutex_lock(&c->mu);
	memcpy(error, c->error, sizeof error);
	c->error[0] = '\0';
	failed = c->last_failed;
	if (pages >= CHECKPOINT_PAGES && pages < CHECKPOINT_PAGES_MAX) {
		c->wanted = 1;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);

	if (error[0] != '\0') {
		if (!c->failing)
			log_warnx("storage: checkpoint failed (will retry): %s",
			    error);
		c->failing = 1;
	} else if (c->failing && !failed) {
		log_info("storage: checkpoints succeed again");
		c->failing = 0;
	}
	if (pages >= CHECKPOINT_PAGES_MAX) {
		if (c->on_loop++ == 0)
			log_warnx("storage: the write-ahead log has %d pages; "
			    "checkpointing on the loop (the checkpoint thread "
			    "is behind)", pages);
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	}
	return (SQLITE_OK);
}

/*
 * Checkpoint writer's database (at path) in a thread of our own from now
 * on.  sync_full as for store_open().  Returns NULL and a new string in
 * *cause when the thread or its connection cannot be had.
 */
struct checkpointer *
checkpointer_start(sqlite3 *writer, const char *path, int sync_full,
    char **cause)
{
	struct checkpointer	*c;
	sigset_t		 all, old;
	int			 rc;

	c = xcalloc(1, sizeof *c);
	c->writer = writer;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, sync_full ? "PRAGMA synchronous=FULL" :
	    "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: checkpoint connection: %s", path,
		    c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return (NULL);
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, checkpoint_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		xasprintf(cause, "checkpoint thread: %s", strerror(rc));
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return (NULL);
	}
	sqlite3_wal_hook(writer, wal_hook, c);
	return (c);
}

/*
 * Let a running checkpoint finish, stop the thread and give the writer
 * SQLite's own automatic checkpoint back.
 */
void
checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	sqlite3_wal_autocheckpoint(c->writer, CHECKPOINT_PAGES);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The checkpoint lines of GET /metrics. */
void
checkpointer_write_metrics(struct checkpointer *c, FILE *f)
{
	unsigned long long	runs, failures;
	double			seconds;

	pthread_mutex_lock(&c->mu);
	runs = c->runs;
	failures = c->failures;
	seconds = c->seconds;
	pthread_mutex_unlock(&c->mu);
	fprintf(f, "# HELP respite_wal_checkpoints_total Checkpoints of the "
	    "write-ahead log, by where they ran.\n"
	    "# TYPE respite_wal_checkpoints_total counter\n"
	    "respite_wal_checkpoints_total{in=\"thread\"} %llu\n"
	    "respite_wal_checkpoints_total{in=\"loop\"} %llu\n", runs,
	    c->on_loop);
	fprintf(f, "# HELP respite_wal_checkpoint_failures_total Checkpoints "
	    "of the thread that failed.\n"
	    "# TYPE respite_wal_checkpoint_failures_total counter\n"
	    "respite_wal_checkpoint_failures_total %llu\n", failures);
	fprintf(f, "# HELP respite_wal_checkpoint_seconds_total Time the "
	    "thread spent checkpointing.\n"
	    "# TYPE respite_wal_checkpoint_seconds_total counter\n"
	    "respite_wal_checkpoint_seconds_total %.6f\n", seconds);
	fprintf(f, "# HELP respite_wal_pages Pages in the write-ahead log "
	    "after the last commit.\n# TYPE respite_wal_pages gauge\n"
	    "respite_wal_pages %d\n", c->wal_pages);
}
