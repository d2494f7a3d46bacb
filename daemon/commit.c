/*
 * respite - group commit.
 *
 * Requests that arrive together share one SQLite transaction, so one
 * fsync covers them all.  The first batch of a group arms a timer of
 * zero delay.  libevent runs it in the next loop iteration, after one
 * more poll of the sockets and after the callbacks of whatever that poll
 * found readable: so the group also takes the requests that came in
 * while this iteration ran (often while the last commit waited for its
 * fsync).  Making the event active at once instead, in the same
 * iteration, gave smaller groups and 15-25 % less throughput, for single
 * events and for batches alike (`make bench`).  A group that reaches
 * max_events is committed at once.
 *
 * The transaction also carries what the outbox holds (the extra hook):
 * the suggestions and stream items that applying the group before
 * produced, so one fsync covers both.  Should the group fail with them,
 * it is tried once more without them, so that nothing the outbox holds
 * can keep events out.
 *
 * Only after COMMIT returns are the new events applied to the model and
 * the batches answered; when anything fails the whole group is rolled
 * back and every batch in it is told so (the HTTP layer answers 503), so
 * nothing is ever half-stored or acknowledged without being durable.
 */
#include "build.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "log.h"
#include "stats.h"
#include "timeutil.h"
#include "xmalloc.h"

struct commit_batch {
	struct event_batch		 batch;	/* owned */
	unsigned char			*is_new;
	commit_done_cb			 done;
	void				*arg;
	STAILQ_ENTRY(commit_batch)	 entry;
};

struct commit {
	struct store			*store;
	struct event			*ev;
	commit_apply_cb			 apply;
	void				*apply_arg;
	commit_group_cb			 group_done;
	void				*group_arg;
	commit_extra_cb			 extra;
	commit_extra_done_cb		 extra_done;
	void				*extra_arg;
	STAILQ_HEAD(, commit_batch)	 queue;
	size_t				 nevents;
	size_t				 max_events;
	uint64_t			 stream_seq;	/* cluster mode: queued up to */
	uint64_t			 stored_seq;	/* ... and committed */
	int64_t				 tick;		/* the last tick applied */
	int64_t				 sink;		/* ... sinks confirmed */
	int				 healthy;
	int				 failing;	/* for logging transitions */
};

static void
commit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	commit_flush(arg);
}

struct commit *
commit_new(struct event_base *base, struct store *store,
    commit_apply_cb apply, void *apply_arg)
{
	struct commit	*c;

	c = xcalloc(1, sizeof *c);
	c->store = store;
	c->apply = apply;
	c->apply_arg = apply_arg;
	c->max_events = 20000;
	c->healthy = 1;
	STAILQ_INIT(&c->queue);
	c->ev = event_new(base, -1, 0, commit_cb, c);
	return (c);
}

/* Flushes what is pending (answering it), then frees. */
void
commit_free(struct commit *c)
{
	if (c == NULL)
		return;
	commit_flush(c);
	event_free(c->ev);
	free(c);
}

/* Set the hook run after a group's events were applied (the outbox). */
void
commit_set_group_cb(struct commit *c, commit_group_cb cb, void *arg)
{
	c->group_done = cb;
	c->group_arg = arg;
}

/* Set the hooks that write more into each group's transaction. */
void
commit_set_extra(struct commit *c, commit_extra_cb write,
    commit_extra_done_cb done, void *arg)
{
	c->extra = write;
	c->extra_done = done;
	c->extra_arg = arg;
}

void
commit_set_max_events(struct commit *c, size_t n)
{
	c->max_events = n;
}

/*
 * Queue batch (stolen: *batch is emptied) for the next group commit; done
 * is called with the outcome.  An empty batch is answered at the commit
 * like any other, so replies keep their order.
 */
void
commit_submit(struct commit *c, struct event_batch *batch,
    commit_done_cb done, void *arg)
{
	static const struct timeval	 zero = { 0, 0 };
	struct commit_batch		*b;

	b = xcalloc(1, sizeof *b);
	b->batch = *batch;
	memset(batch, 0, sizeof *batch);
	b->is_new = xcalloc(b->batch.n > 0 ? b->batch.n : 1, 1);
	b->done = done;
	b->arg = arg;
	if (STAILQ_EMPTY(&c->queue))
		evtimer_add(c->ev, &zero);
	STAILQ_INSERT_TAIL(&c->queue, b, entry);
	c->nevents += b->batch.n;
	if (c->nevents >= c->max_events)
		commit_flush(c);
}

/*
 * Cluster mode (daemon/replica.c): the batches queued so far take the
 * stream up to seq, which their group's transaction stores with them
 * (store_cluster_set_seq()), so the sequence applied and the events
 * are durable together; with it the minute of the last tick applied
 * and the stream item of the last suggestion change a leader confirmed
 * to the sinks.
 */
void
commit_set_seq(struct commit *c, uint64_t seq, int64_t tick, int64_t sink)
{
	static const struct timeval	 zero = { 0, 0 };

	if (seq <= c->stream_seq)
		return;
	c->stream_seq = seq;
	c->tick = tick;
	c->sink = sink;
	if (STAILQ_EMPTY(&c->queue) && !evtimer_pending(c->ev, NULL))
		evtimer_add(c->ev, &zero);
}

/* The sequence the database holds at start-up (store_cluster_open()). */
void
commit_set_stored_seq(struct commit *c, uint64_t seq)
{
	c->stream_seq = c->stored_seq = seq;
}

/* The stream sequence the last successful commit stored. */
uint64_t
commit_stored_seq(const struct commit *c)
{
	return (c->stored_seq);
}

size_t
commit_pending(const struct commit *c)
{
	return (c->nevents);
}

/* Did the last commit succeed? */
int
commit_healthy(const struct commit *c)
{
	return (c->healthy);
}

static void
finish(struct commit_batch *b, const struct commit_result *r)
{
	if (b->done != NULL)
		b->done(r, b->arg);
	event_batch_free(&b->batch);
	free(b->is_new);
	free(b);
}

/* Commit everything pending now and answer it. */
void
commit_flush(struct commit *c)
{
	STAILQ_HEAD(, commit_batch)	 group;
	struct commit_batch		*b;
	struct commit_result		 r;
	char				*cause = NULL;
	double				 t0;
	size_t				 i, nevents = c->nevents;
	uint64_t			 seq = c->stream_seq;
	int				 rc, extra = c->extra != NULL;

	if (STAILQ_EMPTY(&c->queue) && seq == c->stored_seq)
		return;
	/* Take the group; batches submitted by callbacks go to the next. */
	STAILQ_INIT(&group);
	STAILQ_CONCAT(&group, &c->queue);
	c->nevents = 0;
	event_del(c->ev);

again:
	t0 = time_monotonic_s();
	if ((rc = store_begin(c->store, &cause)) == 0 && extra)
		rc = c->extra(c->extra_arg, &cause);
	if (rc == 0) {
		STAILQ_FOREACH(b, &group, entry) {
			for (i = 0; i < b->batch.n && rc == 0; i++) {
				rc = store_add_event(c->store, &b->batch.ev[i],
				    &cause);
				if (rc >= 0) {
					b->is_new[i] = rc == 1;
					rc = 0;
				}
			}
			if (rc != 0)
				break;
		}
	}
	if (rc == 0 && seq != c->stored_seq)
		rc = store_cluster_set_seq(c->store, seq, c->tick, c->sink,
		    &cause);
	if (rc == 0)
		rc = store_commit(c->store, &cause);
	if (rc != 0)
		store_rollback(c->store);
	stats_commit(time_monotonic_s() - t0, rc == 0);
	if (extra) {
		c->extra_done(rc == 0, c->extra_arg);
		if (rc != 0) {
			/* Perhaps what rode along: the events alone. */
			free(cause);
			cause = NULL;
			extra = 0;
			goto again;
		}
	}

	memset(&r, 0, sizeof r);
	if (rc != 0) {
		if (!c->failing)
			log_warnx("storage: commit of %zu events failed: %s",
			    nevents, cause);
		c->failing = 1;
		c->healthy = 0;
		r.ok = -1;
		r.cause = cause;
		while ((b = STAILQ_FIRST(&group)) != NULL) {
			STAILQ_REMOVE_HEAD(&group, entry);
			finish(b, &r);
		}
		free(cause);
		return;
	}
	c->stored_seq = seq;
	if (c->failing)
		log_info("storage: commits succeed again");
	c->failing = 0;
	c->healthy = 1;
	/* Apply every new event first, then let derived state settle. */
	STAILQ_FOREACH(b, &group, entry)
		for (i = 0; i < b->batch.n; i++)
			if (b->is_new[i])
				c->apply(&b->batch.ev[i], c->apply_arg);
	if (c->group_done != NULL)
		c->group_done(c->group_arg);
	while ((b = STAILQ_FIRST(&group)) != NULL) {
		STAILQ_REMOVE_HEAD(&group, entry);
		r.accepted = r.duplicates = 0;
		for (i = 0; i < b->batch.n; i++) {
			if (b->is_new[i])
				r.accepted++;
			else
				r.duplicates++;
		}
		finish(b, &r);
	}
}
