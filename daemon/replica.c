/*
 * respite - replica: cluster mode's state-machine replication on the
 * JetStream stream (ARCHITECTURE.md, "Growing past one machine").
 *
 * Writes.  POST /v1/events and the webhooks validate and classify as on
 * a single node, then hand their batch here (api_submit()) instead of to
 * the group commit.  Each event becomes one message on
 * respite.STREAM.ev.0 with its id as Nats-Msg-Id; the request is
 * answered once JetStream acknowledged every one (202 with accepted =
 * stored, duplicates = refused by JetStream's duplicate window or
 * already in this node's events table, which is checked first and not
 * published).  Any event not acknowledged within ack_timeout_ms, or a
 * node not connected to NATS, makes it a 503 `unavailable`.  A
 * single-event request is all or nothing.  Of a batch, the events
 * JetStream stored before another one failed are in the stream and
 * will be applied: the client's retry finds them duplicates (its ids
 * make that safe; events without an id would be applied twice), as
 * API.md asks clients to retry.  Nothing is applied here: the answer
 * comes before this node has applied its own events, except for a
 * write answered from the model (a break: api_submit_applied()), which
 * waits until this node applied them (read-your-writes).
 *
 * Applying.  Every node, its own writes included, applies the stream
 * through one ordered consumer, in stream order: each event message is
 * a batch of the group commit, which stores it (the events table's
 * UNIQUE id drops a duplicate that came past JetStream's window, the
 * same way on every node) and the stream sequence reached in the same
 * transaction (commit_set_seq()), then applies it to the model as a
 * single node applies what it received.  So every node that applied
 * the same sequence holds the same agents, strain and suggestions,
 * suggestion ids included (they count up from the same stored ones).
 * The times an event carries are the publishing node's: ts and
 * received.  A message that is not an event is counted as applied
 * and otherwise skipped, on every node alike.
 *
 * The clock.  The lease holder publishes each minute a tick on
 * respite.STREAM.tick (replica_tick()); every node runs its minute
 * timers on the ticks it reads, in stream order (replica_set_tick()),
 * never on its own clock.  The last tick's minute is stored with the
 * sequence applied.
 *
 * Answers.  An answer to a suggestion (POST /v1/suggestions/{id}) is
 * published on respite.STREAM.ans with the answering node's time and
 * a number of its own since it started (replica_publish_answer());
 * every node applies it where the stream has it, after the events
 * before it (api_answer_apply()), so the suggestion's status and the
 * break an accept starts are the same everywhere.  The answering node
 * replies once it applied it (the number finds the request), or 503
 * when the stream did not take it.
 *
 * Sinks.  Every node keeps the suggestion changes it made, in order, in
 * memory (at most REPLICA_SINK_KEEP); the leader hands them to the sink
 * plugins and, once every sink that took one on confirmed it delivered
 * or given up (respite_sink_hold() in plugin.h), publishes the last one
 * so done on respite.STREAM.sink (the change's suggestion id, time and
 * status: the same on every node).  Every node drops its changes up to
 * that one when it applies the message, and stores that change's item
 * of the table stream with the sequence applied; at start-up it keeps
 * again the changes stored after it.  A node that takes the lease first
 * applies what the stream held, then hands the changes no leader
 * confirmed: a change made while no node held the lease, one the old
 * leader had not delivered when it died, or one it delivered without
 * the confirmation reaching the stream (then sent twice: the webhook's
 * X-Respite-Delivery lets a receiver drop the copy).
 *
 * Restart.  The consumer starts after the sequence the database holds
 * (store_cluster_open()); a new node's database holds none, so it
 * replays the stream from its start.  Until it has applied what the
 * stream held when it connected, /healthz says "starting" (503).
 *
 * Threads: none here.  cluster.c brings acks and messages to the loop.
 */
#include "build.h"

#include <sys/queue.h>

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_reply.h"
#include "cluster.h"
#include "event.h"
#include "log.h"
#include "replica.h"
#include "store.h"
#include "suggest.h"
#include "timeutil.h"
#include "xmalloc.h"

/* Publish-to-ack latency buckets, seconds (/metrics). */
static const double replica_buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
#define REPLICA_NBUCKETS (sizeof replica_buckets / sizeof replica_buckets[0])

/* A suggestion change as every node knows it: id, time, status. */
struct replica_key {
	int64_t		 sugg;
	int64_t		 updated;
	int		 status;
};

/* A change kept for the sinks until a leader confirmed it. */
struct replica_change {
	struct suggestion	 s;
	char			*json;
	int64_t			 item;		/* its stream item here */
	int			 handed;	/* by this node, as leader */
	uint64_t		 ticket;	/* ... with this ticket */
	unsigned int		 holds;		/* sinks yet to confirm it */
	TAILQ_ENTRY(replica_change) entry;
};

struct replica {
	struct cluster		*cl;
	struct commit		*commit;
	struct store		*store;
	struct cluster_sub	*sub;
	uint64_t		 start_seq;	/* the stream's last at start */
	uint64_t		 queued_seq;	/* handed to the commit */
	int			 received;	/* a message since start */
	int			 at_hole;	/* stopping: nothing more applied */
	void			(*stop_fn)(void *);	/* at a hole */
	void			*stop_arg;
	int			 caught_up;
	uint64_t		 skipped;	/* messages not events */

	/* The clock through the log (ticks). */
	replica_tick_cb		 tick_fn;
	void			*tick_arg;
	int64_t			 last_tick;	/* the minute last applied */
	int64_t			 last_sent;	/* ... last published */
	unsigned long long	 ticks;

	/* Answers to suggestions (replica_publish_answer()). */
	replica_answer_cb	 answer_fn;
	void			(*answer_fail)(void *, const char *);
	void			*answer_arg;
	uint64_t		 answer_next;	/* this node's numbers */
	int64_t			 boot;		/* ... since this start (ms) */
	TAILQ_HEAD(, replica_ans) answers;	/* published, not applied */
	unsigned long long	 answers_applied;

	/* Sinks: changes kept until a leader confirmed them (see above). */
	replica_sink_cb		 sink_fn;
	void			*sink_arg;
	void			(*flush_fn)(void *);	/* the outbox */
	void			*flush_arg;
	TAILQ_HEAD(, replica_change) changes;
	size_t			 nchanges;
	int			 sinking;	/* leader, sinks resumed */
	uint64_t		 resume_at;	/* leader: resume once applied */
	int			 resume_pending;
	struct replica_key	 handed;	/* the last done here */
	uint64_t		 tickets;	/* the last ticket given */
	int64_t			 sink_after;	/* the item last confirmed */
	int			 pos_dirty, pos_inflight;
	unsigned long long	 sink_handed, sink_resumed, sink_lost;

	/* /metrics */
	unsigned long long	 lat_bucket[REPLICA_NBUCKETS];
	unsigned long long	 lat_count;
	double			 lat_sum;
	unsigned long long	 published, refused, failed_requests;
	TAILQ_HEAD(, replica_req) waiting;	/* acked, not yet applied */
};

/* One write awaiting its acks. */
struct replica_req {
	struct replica		*r;
	commit_done_cb		 done;
	void			*arg;
	double			 t0;
	size_t			 left;
	size_t			 accepted, duplicates;
	int			 failed;
	int			 applied;	/* answer once applied here */
	uint64_t		 max_seq;	/* of its acks */
	TAILQ_ENTRY(replica_req) entry;
	char			 why[160];
};

/*
 * An answer published by this node, until both its ack came and the
 * stream's copy was applied here (or it failed).
 */
struct replica_ans {
	struct replica		*r;
	uint64_t		 num;
	void			*waiter;	/* the request, NULL: answered */
	int			 acked;
	TAILQ_ENTRY(replica_ans) entry;
};

struct replica *
replica_new(struct cluster *cl, struct commit *commit, struct store *store,
    char **cause)
{
	struct replica	*r;
	uint64_t	 seq;
	int64_t		 tick, sink;

	if (store_cluster_open(store, &seq, &tick, &sink, cause) == -1)
		return (NULL);
	r = xcalloc(1, sizeof *r);
	r->cl = cl;
	r->commit = commit;
	r->store = store;
	r->queued_seq = seq;
	r->last_tick = tick;
	r->sink_after = sink;
	r->boot = time_now_ms();
	TAILQ_INIT(&r->waiting);
	TAILQ_INIT(&r->answers);
	TAILQ_INIT(&r->changes);
	commit_set_stored_seq(commit, seq);
	return (r);
}

static void	replica_answer(struct replica_req *);

/* After cluster_close(), which stops the consumer and fails what waits. */
void
replica_free(struct replica *r)
{
	struct replica_req	*q;
	struct replica_ans	*a;
	struct replica_change	*c;

	if (r == NULL)
		return;
	/* Acknowledged but not applied here: answered as they are. */
	while ((q = TAILQ_FIRST(&r->waiting)) != NULL) {
		TAILQ_REMOVE(&r->waiting, q, entry);
		replica_answer(q);
	}
	while ((c = TAILQ_FIRST(&r->changes)) != NULL) {
		TAILQ_REMOVE(&r->changes, c, entry);
		free(c->json);
		free(c);
	}
	while ((a = TAILQ_FIRST(&r->answers)) != NULL) {
		TAILQ_REMOVE(&r->answers, a, entry);
		if (a->waiter != NULL)
			r->answer_fail(a->waiter, "respited is stopping; the "
			    "answer may or may not have been recorded");
		free(a);
	}
	free(r);
}

uint64_t
replica_applied_seq(const struct replica *r)
{
	return (commit_stored_seq(r->commit));
}

/* ---------------------------------------------------------------- codec */

/*
 * The message of ev: a JSON object of its fields (no text: it was
 * dropped after the classifiers), into buf.  Returns its length, or -1
 * if it does not fit.
 */
int
replica_encode(const struct respite_event *ev, char *buf, size_t size)
{
	json_t	*o;
	size_t	 n;

	o = json_pack("{s:s, s:s, s:I, s:I}", "type",
	    event_type_name(ev->type), "agent", ev->agent, "ts",
	    (json_int_t)ev->ts_ms, "received", (json_int_t)ev->received_ms);
	if (o == NULL)
		return (-1);
	if (ev->id[0] != '\0')
		json_object_set_new(o, "id", json_string(ev->id));
	if (ev->team[0] != '\0')
		json_object_set_new(o, "team", json_string(ev->team));
	if (ev->channel != RESPITE_CH_NONE)
		json_object_set_new(o, "channel",
		    json_string(event_channel_name(ev->channel)));
	if (ev->ticket[0] != '\0')
		json_object_set_new(o, "ticket", json_string(ev->ticket));
	if (ev->duration_s >= 0)
		json_object_set_new(o, "duration_s", json_real(ev->duration_s));
	if (ev->severity >= 0)
		json_object_set_new(o, "severity", json_real(ev->severity));
	if (ev->categories != 0)
		json_object_set_new(o, "categories",
		    json_integer(ev->categories));
	if (ev->lang[0] != '\0')
		json_object_set_new(o, "lang", json_string(ev->lang));
	if (ev->tz[0] != '\0')
		json_object_set_new(o, "tz", json_string(ev->tz));
	n = json_dumpb(o, buf, size, JSON_COMPACT);
	json_decref(o);
	if (n == 0 || n > size)
		return (-1);
	return ((int)n);
}

static int
replica_string(json_t *o, const char *key, char *dst, size_t size,
    int required)
{
	json_t	*v = json_object_get(o, key);
	size_t	 len;

	*dst = '\0';
	if (v == NULL)
		return (required ? -1 : 0);
	if (!json_is_string(v) || (len = json_string_length(v)) >= size ||
	    strlen(json_string_value(v)) != len)
		return (-1);
	memcpy(dst, json_string_value(v), len + 1);
	return (0);
}

static int
replica_number(json_t *o, const char *key, double *dst)
{
	json_t	*v = json_object_get(o, key);

	*dst = -1;
	if (v == NULL)
		return (0);
	if (!json_is_number(v) || json_number_value(v) < 0)
		return (-1);
	*dst = json_number_value(v);
	return (0);
}

/* A message back into ev: 0, or -1 if it is not one replica_encode makes. */
int
replica_decode(const void *data, size_t len, struct respite_event *ev)
{
	json_t		*o, *v;
	char		 name[32];
	int		 rc = -1;

	memset(ev, 0, sizeof *ev);
	if ((o = json_loadb(data, len, 0, NULL)) == NULL)
		return (-1);
	if (replica_string(o, "type", name, sizeof name, 1) == -1 ||
	    (ev->type = event_type_parse(name)) == RESPITE_EV_NONE ||
	    replica_string(o, "agent", ev->agent, sizeof ev->agent, 1) == -1 ||
	    !event_name_valid(ev->agent) ||
	    replica_string(o, "id", ev->id, sizeof ev->id, 0) == -1 ||
	    replica_string(o, "team", ev->team, sizeof ev->team, 0) == -1 ||
	    replica_string(o, "ticket", ev->ticket, sizeof ev->ticket, 0) ==
	    -1 ||
	    replica_string(o, "lang", ev->lang, sizeof ev->lang, 0) == -1 ||
	    replica_string(o, "tz", ev->tz, sizeof ev->tz, 0) == -1 ||
	    replica_number(o, "duration_s", &ev->duration_s) == -1 ||
	    replica_number(o, "severity", &ev->severity) == -1)
		goto out;
	if (!json_is_integer(v = json_object_get(o, "ts")))
		goto out;
	ev->ts_ms = json_integer_value(v);
	if (!json_is_integer(v = json_object_get(o, "received")))
		goto out;
	ev->received_ms = json_integer_value(v);
	if ((v = json_object_get(o, "channel")) != NULL) {
		if (!json_is_string(v) || (ev->channel = event_channel_parse(
		    json_string_value(v))) == RESPITE_CH_NONE)
			goto out;
	}
	if ((v = json_object_get(o, "categories")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 0x3f)
			goto out;
		ev->categories = (unsigned int)json_integer_value(v);
	}
	rc = 0;
out:
	json_decref(o);
	return (rc);
}

/* ---------------------------------------------------------------- writes */

static void
replica_answer(struct replica_req *q)
{
	struct commit_result	res;
	char			msg[320];

	memset(&res, 0, sizeof res);
	if (q->failed) {
		q->r->failed_requests++;
		snprintf(msg, sizeof msg, "the cluster's stream did not "
		    "acknowledge every event of this request (%s); retry "
		    "later: an event sent with an id is never applied twice",
		    q->why);
		res.ok = -1;
		res.cause = q->why;
		res.message = msg;
	} else {
		res.accepted = q->accepted;
		res.duplicates = q->duplicates;
	}
	q->done(&res, q->arg);
	free(q);
}

/* Every ack is in: answer now, or once this node applied them. */
static void
replica_finish(struct replica_req *q)
{
	if (!q->failed && q->applied &&
	    q->max_seq > replica_applied_seq(q->r)) {
		TAILQ_INSERT_TAIL(&q->r->waiting, q, entry);
		return;
	}
	replica_answer(q);
}

/* Answer the writes waiting for what this node has now applied. */
static void
replica_wake(struct replica *r)
{
	struct replica_req	*q, *next;
	uint64_t		 applied = replica_applied_seq(r);

	for (q = TAILQ_FIRST(&r->waiting); q != NULL; q = next) {
		next = TAILQ_NEXT(q, entry);
		if (q->max_seq <= applied) {
			TAILQ_REMOVE(&r->waiting, q, entry);
			replica_answer(q);
		}
	}
}

static void
replica_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error,
    void *arg)
{
	struct replica_req	*q = arg;
	struct replica		*r = q->r;
	double			 dt = time_monotonic_s() - q->t0;
	size_t			 i;

	if ((ack == CLUSTER_ACK_OK || ack == CLUSTER_ACK_DUPLICATE) &&
	    seq > q->max_seq)
		q->max_seq = seq;
	for (i = 0; i < REPLICA_NBUCKETS; i++)
		if (dt <= replica_buckets[i])
			r->lat_bucket[i]++;
	r->lat_count++;
	r->lat_sum += dt;
	switch (ack) {
	case CLUSTER_ACK_OK:
		q->accepted++;
		break;
	case CLUSTER_ACK_DUPLICATE:
		q->duplicates++;
		break;
	case CLUSTER_ACK_TIMEOUT:
		if (!q->failed)
			snprintf(q->why, sizeof q->why, "no acknowledgement "
			    "within ack_timeout_ms");
		q->failed = 1;
		break;
	default:
		if (!q->failed)
			snprintf(q->why, sizeof q->why, "%s",
			    error != NULL ? error : "refused");
		q->failed = 1;
		break;
	}
	if (--q->left == 0)
		replica_finish(q);
}

/*
 * Publish batch's events (the batch is emptied, as commit_submit()
 * does); done gets the outcome once JetStream answered for each, on the
 * loop (struct commit_result: ok, accepted, duplicates; message when
 * not ok), and with applied only once this node has applied them too.
 * api->submit in cluster mode.
 */
void
replica_submit(void *arg, struct event_batch *batch, int applied,
    commit_done_cb done, void *darg)
{
	struct replica		*r = arg;
	struct replica_req	*q;
	struct event_batch	 b = *batch;
	char			 buf[CLUSTER_MSG_MAX], *cause = NULL;
	size_t			 i;
	int			 n;

	memset(batch, 0, sizeof *batch);
	q = xcalloc(1, sizeof *q);
	q->r = r;
	q->done = done;
	q->arg = darg;
	q->t0 = time_monotonic_s();
	q->applied = applied;
	q->left = 1;	/* held until every event was handed on */
	if (!cluster_connected(r->cl)) {
		snprintf(q->why, sizeof q->why, "not connected to NATS");
		q->failed = 1;
	} else if (cluster_pending(r->cl) + b.n > CLUSTER_PENDING_MAX) {
		snprintf(q->why, sizeof q->why, "%zu publishes await their "
		    "acknowledgement", cluster_pending(r->cl));
		q->failed = 1;
	}
	for (i = 0; i < b.n && !q->failed; i++) {
		const struct respite_event	*ev = &b.ev[i];

		if (ev->id[0] != '\0' && store_event_known(r->store, ev->id)) {
			q->duplicates++;
			continue;
		}
		if ((n = replica_encode(ev, buf, sizeof buf)) < 0) {
			snprintf(q->why, sizeof q->why, "event %zu does not "
			    "fit in a message", i);
			q->failed = 1;
			break;
		}
		q->left++;
		if (cluster_publish(r->cl, REPLICA_EV_SUFFIX,
		    ev->id[0] != '\0' ? ev->id : NULL, buf, (size_t)n,
		    replica_ack_cb, q, &cause) == -1) {
			q->left--;
			snprintf(q->why, sizeof q->why, "%s", cause);
			free(cause);
			cause = NULL;
			q->failed = 1;
			r->refused++;
			break;
		}
		r->published++;
	}
	event_batch_free(&b);
	if (--q->left == 0)
		replica_finish(q);
}

/* ---------------------------------------------------------------- applying */

static void	replica_sink_check(struct replica *);

/* ---------------------------------------------------------------- sinks */

static void
replica_key_of(const struct suggestion *s, struct replica_key *k)
{
	k->sugg = s->seq;
	k->updated = s->updated_at;
	k->status = (int)s->status;
}

static void	replica_pos_publish(struct replica *);
static struct replica_change *replica_keep(struct replica *,
		    const struct suggestion *, const char *, int64_t);

static void
replica_pos_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error,
    void *arg)
{
	struct replica	*r = arg;

	(void)seq;
	r->pos_inflight = 0;
	if (ack == CLUSTER_ACK_CLOSED)
		return;
	if (ack != CLUSTER_ACK_OK && ack != CLUSTER_ACK_DUPLICATE) {
		log_debug("cluster: the sinks' position was not stored: %s",
		    error != NULL ? error : "?");
		r->pos_dirty = 1;
		return;		/* again with the next change or tick */
	}
	replica_pos_publish(r);
}

/*
 * The leader: publish the last change it handed to the sinks (one
 * publish in flight at most; the newest position goes next).
 */
static void
replica_pos_publish(struct replica *r)
{
	char	 buf[192], *cause = NULL;
	int	 n;

	if (r->pos_inflight || !r->pos_dirty || !cluster_connected(r->cl))
		return;
	n = snprintf(buf, sizeof buf, "{\"sugg\":%lld,\"updated\":%lld,"
	    "\"status\":%d,\"node\":\"%s\"}", (long long)r->handed.sugg,
	    (long long)r->handed.updated, r->handed.status,
	    cluster_node(r->cl));
	if (cluster_publish(r->cl, REPLICA_SINK_SUFFIX, NULL, buf, (size_t)n,
	    replica_pos_ack_cb, r, &cause) == -1) {
		log_debug("cluster: the sinks' position not published: %s",
		    cause);
		free(cause);
		return;
	}
	r->pos_dirty = 0;
	r->pos_inflight = 1;
}

/*
 * The leader's position: the last change of those handed here, in
 * order, that every sink that took it on confirmed (respite_sink_hold()
 * in plugin.h); published next.
 */
static void
replica_advance(struct replica *r)
{
	struct replica_change	*c, *done = NULL;
	struct replica_key	 k;

	TAILQ_FOREACH(c, &r->changes, entry) {
		if (!c->handed || c->holds > 0)
			break;
		done = c;
	}
	if (done == NULL)
		return;
	replica_key_of(&done->s, &k);
	if (k.sugg == r->handed.sugg && k.updated == r->handed.updated &&
	    k.status == r->handed.status)
		return;
	r->handed = k;
	r->pos_dirty = 1;
}

static void
replica_hand(struct replica *r, struct replica_change *c)
{
	c->ticket = ++r->tickets;
	c->holds = r->sink_fn(&c->s, c->json, c->ticket, r->sink_arg);
	c->handed = 1;
	r->sink_handed++;
}

/*
 * A sink confirmed the change of ticket (respite_sink_done()): delivered
 * or given up on.  Once every sink that took it on did, the leader's
 * position may move past it.
 */
void
replica_sink_done(uint64_t ticket, void *arg)
{
	struct replica		*r = arg;
	struct replica_change	*c;

	TAILQ_FOREACH(c, &r->changes, entry)
		if (c->handed && c->ticket == ticket)
			break;
	if (c == NULL || c->holds == 0)
		return;		/* confirmed since, by a leader */
	if (--c->holds > 0 || !r->sinking || !replica_is_leader(r))
		return;
	replica_advance(r);
	replica_pos_publish(r);
}

/*
 * The outbox's sink callback in cluster mode (arg: the replica): every
 * node keeps the change; the leader hands it on at once.
 */
void
replica_outbox_cb(const struct suggestion *s, const char *json,
    int64_t item, void *arg)
{
	struct replica		*r = arg;
	struct replica_change	*c;

	if (json == NULL || r->sink_fn == NULL)
		return;
	c = replica_keep(r, s, json, item);
	if (r->sinking && replica_is_leader(r)) {
		replica_hand(r, c);
		replica_advance(r);
		replica_pos_publish(r);
	}
}

/*
 * Keep a change until a leader confirms it (the newest REPLICA_SINK_KEEP
 * of them).  Returns it.
 */
static struct replica_change *
replica_keep(struct replica *r, const struct suggestion *s,
    const char *json, int64_t item)
{
	struct replica_change	*c, *old;

	c = xcalloc(1, sizeof *c);
	c->s = *s;
	c->json = xstrdup(json);
	c->item = item;
	TAILQ_INSERT_TAIL(&r->changes, c, entry);
	if (++r->nchanges > REPLICA_SINK_KEEP) {
		old = TAILQ_FIRST(&r->changes);
		TAILQ_REMOVE(&r->changes, old, entry);
		r->nchanges--;
		if (!old->handed && r->sink_lost++ == 0)
			log_warnx("cluster: node %s keeps %d suggestion "
			    "changes no leader confirmed; it drops the oldest "
			    "(were it to lead, its sinks would not send them)",
			    cluster_node(r->cl), REPLICA_SINK_KEEP);
		free(old->json);
		free(old);
	}
	return (c);
}

/* A change stored before this start (store_sink_changes()'s callback). */
static void
replica_load_cb(int64_t item, const char *data, void *arg)
{
	struct replica		*r = arg;
	struct suggestion	 s;
	json_t			*o;

	if (data == NULL || (o = json_loads(data, 0, NULL)) == NULL)
		return;
	if (sugg_from_json(o, &s) == 0)
		replica_keep(r, &s, data, item);
	json_decref(o);
}

/*
 * At start-up: the changes no leader confirmed before this node stopped
 * are those it stored after the last one confirmed (the table stream),
 * in the order it made them, with the same suggestion ids, times and
 * statuses as on every node.  Returns 0, or -1 with *cause set.
 */
static int
replica_sink_load(struct replica *r, char **cause)
{
	int	more;

	if (store_sink_changes(r->store, r->sink_after, REPLICA_SINK_KEEP,
	    replica_load_cb, r, &more, cause) == -1)
		return (-1);
	if (more && r->sink_lost++ == 0)
		log_warnx("cluster: node %s stored more than %d suggestion "
		    "changes no leader confirmed; it keeps the newest (were "
		    "it to lead, its sinks would not send the others)",
		    cluster_node(r->cl), REPLICA_SINK_KEEP);
	if (r->nchanges > 0)
		log_info("cluster: node %s keeps %zu suggestion changes no "
		    "leader confirmed (from its database)", cluster_node(r->cl),
		    r->nchanges);
	return (0);
}

/*
 * A new leader: once it applied what the stream held when it took the
 * lease, hand the sinks every change no leader confirmed, in order.
 */
static void
replica_sink_check(struct replica *r)
{
	struct replica_change	*c;
	size_t			 n = 0;

	if (!r->resume_pending || r->queued_seq < r->resume_at)
		return;
	r->resume_pending = 0;
	if (!replica_is_leader(r))
		return;
	/* Applied and written: the changes are all here. */
	commit_flush(r->commit);
	if (r->flush_fn != NULL)
		r->flush_fn(r->flush_arg);
	TAILQ_FOREACH(c, &r->changes, entry)
		if (!c->handed) {
			replica_hand(r, c);
			n++;
		}
	r->sinking = 1;
	r->sink_resumed += n;
	log_info("cluster: node %s runs the sinks from the last position "
	    "a leader confirmed (%zu changes to send)", cluster_node(r->cl),
	    n);
	replica_advance(r);
	replica_pos_publish(r);
}

/*
 * The leader's position read from the stream: every node drops the
 * changes up to it.  One this node does not hold (made before it
 * started) drops nothing.  0, or -1 if it is none.
 */
static int
replica_pos_apply(struct replica *r, const void *data, size_t len)
{
	struct replica_change	*c, *next;
	struct replica_key	 k;
	json_t			*o, *v1, *v2, *v3;

	if ((o = json_loadb(data, len, 0, NULL)) == NULL)
		return (-1);
	v1 = json_object_get(o, "sugg");
	v2 = json_object_get(o, "updated");
	v3 = json_object_get(o, "status");
	if (!json_is_integer(v1) || !json_is_integer(v2) ||
	    !json_is_integer(v3)) {
		json_decref(o);
		return (-1);
	}
	k.sugg = json_integer_value(v1);
	k.updated = json_integer_value(v2);
	k.status = (int)json_integer_value(v3);
	json_decref(o);
	/* What came before it is applied and written first. */
	commit_flush(r->commit);
	if (r->flush_fn != NULL)
		r->flush_fn(r->flush_arg);
	TAILQ_FOREACH(c, &r->changes, entry)
		if (c->s.seq == k.sugg && c->s.updated_at == k.updated &&
		    (int)c->s.status == k.status)
			break;
	if (c == NULL)
		return (0);
	r->sink_after = c->item;	/* durable with this message's seq */
	for (c = TAILQ_FIRST(&r->changes); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		TAILQ_REMOVE(&r->changes, c, entry);
		r->nchanges--;
		if (c->s.seq == k.sugg && c->s.updated_at == k.updated &&
		    (int)c->s.status == k.status) {
			free(c->json);
			free(c);
			break;
		}
		free(c->json);
		free(c);
	}
	return (0);
}

/*
 * Cluster mode's sinks: fn (sinks_outbox_cb) on the leader; flush writes
 * the outbox's changes (and so calls replica_outbox_cb()).
 */
void
replica_set_sink(struct replica *r, replica_sink_cb fn, void *arg,
    void (*flush)(void *), void *flush_arg)
{
	r->sink_fn = fn;
	r->sink_arg = arg;
	r->flush_fn = flush;
	r->flush_arg = flush_arg;
}

static void
replica_check_caught_up(struct replica *r)
{
	if (r->caught_up || replica_applied_seq(r) < r->start_seq)
		return;
	r->caught_up = 1;
	log_info("cluster: node %s caught up: stream applied to sequence %"
	    PRIu64, cluster_node(r->cl), replica_applied_seq(r));
}

/*
 * At a hole before seq in the stream (replica_msg_cb): nothing after it
 * is applied, and respited stops as on SIGTERM (what came before is
 * committed), exit status 1, so that the restart reads on from the
 * hole.  Without a stop callback (tests), at once.
 */
static void
replica_hole_stop(struct replica *r, uint64_t seq)
{
	r->at_hole = 1;
	log_write(LOG_LEVEL_ERROR, "cluster: the stream's messages %" PRIu64
	    " to %" PRIu64 " did not arrive (dropped on the way); stopping "
	    "after sequence %" PRIu64 ": a restart reads on from there",
	    r->queued_seq + 1, seq - 1, r->queued_seq);
	if (r->stop_fn == NULL)
		fatalx("cluster: a hole in the stream");
	r->stop_fn(r->stop_arg);
}

/* An event of the stream committed (or not) and applied. */
static void
replica_applied_cb(const struct commit_result *res, void *arg)
{
	struct replica	*r = arg;

	if (res->ok != 0)
		fatalx("cluster: storage failed applying the stream (%s); "
		    "stopping at sequence %" PRIu64 ": a restart catches up "
		    "from there", res->cause != NULL ? res->cause : "?",
		    replica_applied_seq(r));
	replica_check_caught_up(r);
	if (!TAILQ_EMPTY(&r->waiting))
		replica_wake(r);
}

/* A tick's minute from its message: 0, or -1 if it is none. */
static int
replica_tick_decode(const void *data, size_t len, int64_t *minute)
{
	json_t	*o, *v;
	int	 rc = -1;

	if ((o = json_loadb(data, len, 0, NULL)) == NULL)
		return (-1);
	if (json_is_integer(v = json_object_get(o, "minute")) &&
	    json_integer_value(v) > 0 &&
	    json_integer_value(v) % MS_PER_MIN == 0) {
		*minute = json_integer_value(v);
		rc = 0;
	}
	json_decref(o);
	return (rc);
}

/*
 * An answer read from the stream: decoded, and applied after what came
 * before it (the commit flushed first).  0, or -1 if it is none.
 */
static int
replica_ans_apply(struct replica *r, const void *data, size_t len)
{
	struct api_answer	 aa;
	struct replica_ans	*a;
	json_t			*o, *v;
	void			*waiter = NULL;
	const char		*node = "", *act;
	uint64_t		 num = 0;
	int64_t			 boot = 0;

	if ((o = json_loadb(data, len, 0, NULL)) == NULL)
		return (-1);
	memset(&aa, 0, sizeof aa);
	if (!json_is_integer(v = json_object_get(o, "suggestion")) ||
	    (aa.sugg = json_integer_value(v)) <= 0 ||
	    !json_is_string(v = json_object_get(o, "action")) ||
	    (strcmp(act = json_string_value(v), "accept") != 0 &&
	    strcmp(act, "dismiss") != 0 && strcmp(act, "snooze") != 0) ||
	    !json_is_integer(v = json_object_get(o, "minutes")) ||
	    json_integer_value(v) < 0 || json_integer_value(v) > INT_MAX ||
	    !json_is_integer(json_object_get(o, "at")) ||
	    json_integer_value(json_object_get(o, "at")) < 0) {
		json_decref(o);
		return (-1);
	}
	snprintf(aa.action, sizeof aa.action, "%s", act);
	aa.minutes = (int)json_integer_value(v);
	aa.at = json_integer_value(json_object_get(o, "at"));
	if (json_is_string(v = json_object_get(o, "node")))
		node = json_string_value(v);
	if (json_is_integer(v = json_object_get(o, "num")))
		num = (uint64_t)json_integer_value(v);
	if (json_is_integer(v = json_object_get(o, "boot")))
		boot = json_integer_value(v);
	/* Ours, since this start: the request waiting for it. */
	if (strcmp(node, cluster_node(r->cl)) == 0 && boot == r->boot) {
		TAILQ_FOREACH(a, &r->answers, entry)
			if (a->num == num)
				break;
		if (a != NULL) {
			waiter = a->waiter;
			a->waiter = NULL;
			if (a->acked) {
				TAILQ_REMOVE(&r->answers, a, entry);
				free(a);
			}
		}
	}
	json_decref(o);
	commit_flush(r->commit);
	r->answers_applied++;
	if (r->answer_fn != NULL)
		r->answer_fn(r->answer_arg, &aa, waiter);
	else if (waiter != NULL)
		r->answer_fail(waiter, "no answers here");
	return (0);
}

/*
 * The stream applied to seq, stored with the last tick's minute and the
 * sinks' position: the item of the last change a leader confirmed.
 * Without sinks this node keeps no changes, and what it stored counts
 * as confirmed (-1), so sinks added later never send old ones.
 */
static void
replica_set_seq(struct replica *r, uint64_t seq)
{
	commit_set_seq(r->commit, seq, r->last_tick,
	    r->sink_fn != NULL ? r->sink_after : -1);
}

static void
replica_msg_cb(uint64_t seq, const char *suffix, const void *data,
    size_t len, void *arg)
{
	struct replica		*r = arg;
	struct event_batch	 b;
	int64_t			 minute;

	if (seq <= r->queued_seq || r->at_hole)
		return;		/* applied before; or stopping */
	/*
	 * The stream has no limits, so its sequences have no holes: one
	 * here is messages dropped on the way (nats.c's ordered consumer
	 * does not send them again).  Applying on would leave this node
	 * without them for good: it stops (replica_hole_stop), and a
	 * restart reads on from the hole.  A hole before the first message
	 * is the stream's own (messages deleted by hand): a warning, so
	 * that such a stream is no reason to stop for ever.
	 */
	if (seq != r->queued_seq + 1) {
		if (r->received) {
			replica_hole_stop(r, seq);
			return;
		}
		log_warnx("cluster: the stream has no messages from sequence "
		    "%" PRIu64 " to %" PRIu64 " (deleted): this node goes on "
		    "from %" PRIu64, r->queued_seq + 1, seq - 1, seq);
	}
	r->received = 1;
	r->queued_seq = seq;
	if (strcmp(suffix, REPLICA_TICK_SUFFIX) == 0 &&
	    replica_tick_decode(data, len, &minute) == 0) {
		/*
		 * The minute tick, where it is in the stream: what came
		 * before is committed and applied first (the callback
		 * flushes the commit), then the timers run at its minute.
		 * A tick not after the last one applied does nothing, the
		 * same on every node.
		 */
		if (minute > r->last_tick) {
			r->last_tick = minute;
			r->ticks++;
			if (r->tick_fn != NULL)
				r->tick_fn(r->tick_arg, minute);
		}
		replica_set_seq(r, seq);
		replica_sink_check(r);
		return;
	}
	if (strcmp(suffix, REPLICA_ANS_SUFFIX) == 0 &&
	    replica_ans_apply(r, data, len) == 0) {
		replica_set_seq(r, seq);
		replica_sink_check(r);
		return;
	}
	if (strcmp(suffix, REPLICA_SINK_SUFFIX) == 0 &&
	    replica_pos_apply(r, data, len) == 0) {
		replica_set_seq(r, seq);
		replica_sink_check(r);
		return;
	}
	replica_set_seq(r, seq);
	memset(&b, 0, sizeof b);
	if (strncmp(suffix, "ev.", 3) == 0) {
		b.ev = xcalloc(1, sizeof *b.ev);
		if (replica_decode(data, len, b.ev) == 0) {
			b.n = 1;
			commit_submit(r->commit, &b, replica_applied_cb, r);
			replica_sink_check(r);
			return;
		}
		free(b.ev);
	}
	if (r->skipped++ == 0)
		log_warnx("cluster: stream message %" PRIu64 " on %s is not an "
		    "event this respited knows; skipped (on every node)", seq,
		    suffix);
}

/*
 * The lease changed hands: a new leader ticks at once (the minute now),
 * and resumes the sinks once it applied what the stream holds.
 */
static void
replica_lease_cb(const char *leader, void *arg)
{
	struct replica	*r = arg;

	if (leader != NULL && strcmp(leader, cluster_node(r->cl)) == 0) {
		replica_tick(r, time_now_ms() / MS_PER_MIN * MS_PER_MIN);
		if (!r->sinking && r->sink_fn != NULL) {
			r->resume_pending = 1;
			r->resume_at = cluster_stream_seq(r->cl);
			replica_sink_check(r);
		}
	} else {
		r->sinking = 0;
		r->resume_pending = 0;
	}
}

/*
 * Consume the stream after the sequence the database holds, and take
 * part in the leader lease.  Blocks (start-up).  Returns 0, or -1 with
 * *cause set.
 */
int
replica_start(struct replica *r, char **cause)
{
	uint64_t	applied = replica_applied_seq(r);

	/* The sinks' changes no leader confirmed, as before the restart. */
	if (r->sink_fn != NULL && replica_sink_load(r, cause) == -1)
		return (-1);
	/*
	 * The model rebuilt from the database stands at its newest event;
	 * the other nodes went on to the last tick applied: so do we,
	 * before the stream goes on from there.
	 */
	if (r->last_tick > 0 && r->tick_fn != NULL)
		r->tick_fn(r->tick_arg, r->last_tick);
	r->start_seq = cluster_stream_seq(r->cl);
	if (applied > r->start_seq)
		log_warnx("cluster: this database applied the stream to "
		    "sequence %" PRIu64 ", past its end (%" PRIu64 "): was the "
		    "stream made anew?", applied, r->start_seq);
	if ((r->sub = cluster_consume(r->cl, applied + 1, replica_msg_cb, r,
	    cause)) == NULL)
		return (-1);
	if (cluster_lease_start(r->cl, replica_lease_cb, r, cause) == -1)
		return (-1);
	log_info("cluster: node %s applies the stream from sequence %" PRIu64
	    " (%" PRIu64 " to catch up)", cluster_node(r->cl), applied + 1,
	    r->start_seq > applied ? r->start_seq - applied : 0);
	replica_check_caught_up(r);
	return (0);
}

/* ---------------------------------------------------------------- answers */

static void
replica_ans_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error,
    void *arg)
{
	struct replica_ans	*a = arg;
	struct replica		*r = a->r;
	char			 msg[320];

	(void)seq;
	a->acked = 1;
	if (ack != CLUSTER_ACK_OK && ack != CLUSTER_ACK_DUPLICATE &&
	    a->waiter != NULL) {
		r->failed_requests++;
		snprintf(msg, sizeof msg, "the cluster's stream did not "
		    "acknowledge the answer (%s); it may still be recorded: "
		    "see the suggestion before you retry",
		    ack == CLUSTER_ACK_TIMEOUT ? "no acknowledgement within "
		    "ack_timeout_ms" : error != NULL ? error : "refused");
		r->answer_fail(a->waiter, msg);
		a->waiter = NULL;
	}
	if (a->waiter == NULL) {
		TAILQ_REMOVE(&r->answers, a, entry);
		free(a);
	}
}

/*
 * Publish an answer to a suggestion (api->answer in cluster mode); the
 * request waiter gets api_answer_apply() once this node read it back
 * from the stream, or the fail callback.
 */
void
replica_publish_answer(void *arg, const struct api_answer *aa, void *waiter)
{
	struct replica		*r = arg;
	struct replica_ans	*a;
	char			 buf[256], *cause = NULL, msg[320];
	int			 n;

	if (!cluster_connected(r->cl)) {
		r->failed_requests++;
		r->answer_fail(waiter, "the cluster's stream did not "
		    "acknowledge the answer (not connected to NATS); retry "
		    "later");
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->r = r;
	a->num = ++r->answer_next;
	a->waiter = waiter;
	n = snprintf(buf, sizeof buf, "{\"suggestion\":%lld,\"action\":\"%s\","
	    "\"minutes\":%d,\"at\":%lld,\"node\":\"%s\",\"boot\":%lld,"
	    "\"num\":%" PRIu64 "}", (long long)aa->sugg, aa->action,
	    aa->minutes, (long long)aa->at, cluster_node(r->cl),
	    (long long)r->boot, a->num);
	if (n < 0 || (size_t)n >= sizeof buf || cluster_publish(r->cl,
	    REPLICA_ANS_SUFFIX, NULL, buf, (size_t)n, replica_ans_ack_cb, a,
	    &cause) == -1) {
		r->failed_requests++;
		snprintf(msg, sizeof msg, "the cluster's stream did not take "
		    "the answer (%s); retry later", cause != NULL ? cause :
		    "too long");
		free(cause);
		free(a);
		r->answer_fail(waiter, msg);
		return;
	}
	r->published++;
	TAILQ_INSERT_TAIL(&r->answers, a, entry);
}

/* What an answer read from the stream runs, and what a failed one. */
void
replica_set_answer(struct replica *r, replica_answer_cb fn,
    void (*fail)(void *, const char *), void *arg)
{
	r->answer_fn = fn;
	r->answer_fail = fail;
	r->answer_arg = arg;
}

/* ---------------------------------------------------------------- clock */

static void
replica_tick_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error,
    void *arg)
{
	(void)seq;
	(void)arg;
	if (ack != CLUSTER_ACK_OK && ack != CLUSTER_ACK_DUPLICATE)
		log_debug("cluster: a tick was not stored: %s",
		    error != NULL ? error : "?");
}

/* Does this node hold the leader lease now? */
int
replica_is_leader(const struct replica *r)
{
	const char	*l = cluster_leader(r->cl, cluster_now_ms());

	return (l != NULL && strcmp(l, cluster_node(r->cl)) == 0);
}

/*
 * The wall clock's minute tick (respited's timer, minute a whole minute
 * of epoch ms): the leader publishes it to the stream, with
 * "tick-MINUTE" as its Nats-Msg-Id so that two nodes that both count
 * themselves leader for a moment store it once; the other nodes do
 * nothing.  Every node runs its timers when it reads the tick back.
 */
void
replica_tick(struct replica *r, int64_t minute)
{
	char	 buf[64], id[40], *cause = NULL;
	int	 n;

	if (!replica_is_leader(r) || minute <= r->last_sent)
		return;
	if (r->sinking)
		replica_pos_publish(r);	/* one that failed */
	n = snprintf(buf, sizeof buf, "{\"minute\":%lld}", (long long)minute);
	snprintf(id, sizeof id, "tick-%lld", (long long)minute);
	if (cluster_publish(r->cl, REPLICA_TICK_SUFFIX, id, buf, (size_t)n,
	    replica_tick_ack_cb, r, &cause) == -1) {
		log_debug("cluster: tick not published: %s", cause);
		free(cause);
		return;
	}
	r->last_sent = minute;
}

/* At a hole in the stream: stop respited (replica_hole_stop). */
void
replica_set_stop(struct replica *r, void (*fn)(void *), void *arg)
{
	r->stop_fn = fn;
	r->stop_arg = arg;
}

/* What a tick read from the stream runs (respited's timers). */
void
replica_set_tick(struct replica *r, replica_tick_cb fn, void *arg)
{
	r->tick_fn = fn;
	r->tick_arg = arg;
}

/* ---------------------------------------------------------------- health */

/*
 * /healthz's "cluster" object (API.md); *ready is 0 until the node has
 * applied what the stream held when it started.
 */
json_t *
replica_health(void *arg, int *ready)
{
	struct replica	*r = arg;
	const char	*leader = cluster_leader(r->cl, cluster_now_ms());
	uint64_t	 applied = replica_applied_seq(r), last;

	replica_check_caught_up(r);
	*ready = r->caught_up;
	last = cluster_stream_seq(r->cl);
	if (last < applied)
		last = applied;
	return (json_pack("{s:s, s:o, s:I, s:I}", "node", cluster_node(r->cl),
	    "leader", leader != NULL ? json_string(leader) : json_null(),
	    "applied_seq", (json_int_t)applied,
	    "stream_seq", (json_int_t)last));
}

/* The respite_cluster_* metrics (docs/api.md). */
void
replica_metrics(void *arg, FILE *f)
{
	struct replica	*r = arg;
	const char	*leader = cluster_leader(r->cl, cluster_now_ms());
	uint64_t	 applied = replica_applied_seq(r), last;
	size_t		 i;

	last = cluster_stream_seq(r->cl);
	if (last < applied)
		last = applied;
	fprintf(f, "# HELP respite_cluster_leader 1 if this node holds the "
	    "leader lease.\n# TYPE respite_cluster_leader gauge\n"
	    "respite_cluster_leader %d\n"
	    "# HELP respite_cluster_connected 1 while connected to NATS.\n"
	    "# TYPE respite_cluster_connected gauge\n"
	    "respite_cluster_connected %d\n"
	    "# HELP respite_cluster_applied_seq The last stream sequence this "
	    "node applied.\n# TYPE respite_cluster_applied_seq gauge\n"
	    "respite_cluster_applied_seq %" PRIu64 "\n"
	    "# HELP respite_cluster_stream_seq The stream's last sequence as "
	    "this node knows it.\n# TYPE respite_cluster_stream_seq gauge\n"
	    "respite_cluster_stream_seq %" PRIu64 "\n"
	    "# HELP respite_cluster_lag Stream messages known and not yet "
	    "applied.\n# TYPE respite_cluster_lag gauge\n"
	    "respite_cluster_lag %" PRIu64 "\n"
	    "# HELP respite_cluster_acks_pending Events published, awaiting "
	    "JetStream's acknowledgement.\n"
	    "# TYPE respite_cluster_acks_pending gauge\n"
	    "respite_cluster_acks_pending %zu\n"
	    "# HELP respite_cluster_published_total Events published to the "
	    "stream.\n# TYPE respite_cluster_published_total counter\n"
	    "respite_cluster_published_total %llu\n"
	    "# HELP respite_cluster_unavailable_total Writes answered 503: "
	    "not every event acknowledged.\n"
	    "# TYPE respite_cluster_unavailable_total counter\n"
	    "respite_cluster_unavailable_total %llu\n"
	    "# HELP respite_cluster_ticks_total Minute ticks applied from the "
	    "stream.\n# TYPE respite_cluster_ticks_total counter\n"
	    "respite_cluster_ticks_total %llu\n"
	    "# HELP respite_cluster_sink_handed_total Suggestion changes this "
	    "node handed to the sinks as leader.\n"
	    "# TYPE respite_cluster_sink_handed_total counter\n"
	    "respite_cluster_sink_handed_total %llu\n"
	    "# HELP respite_cluster_sink_resumed_total Of them, changes no "
	    "leader had confirmed when this node took the lease.\n"
	    "# TYPE respite_cluster_sink_resumed_total counter\n"
	    "respite_cluster_sink_resumed_total %llu\n"
	    "# HELP respite_cluster_sink_unconfirmed Suggestion changes kept "
	    "until a leader confirms them.\n"
	    "# TYPE respite_cluster_sink_unconfirmed gauge\n"
	    "respite_cluster_sink_unconfirmed %zu\n"
	    "# HELP respite_cluster_publish_seconds From an event's publish to "
	    "JetStream's acknowledgement.\n"
	    "# TYPE respite_cluster_publish_seconds histogram\n",
	    leader != NULL && strcmp(leader, cluster_node(r->cl)) == 0,
	    cluster_connected(r->cl), applied, last, last - applied,
	    cluster_pending(r->cl), r->published, r->failed_requests,
	    r->ticks, r->sink_handed, r->sink_resumed, r->nchanges);
	for (i = 0; i < REPLICA_NBUCKETS; i++)
		fprintf(f, "respite_cluster_publish_seconds_bucket{le=\"%g\"} "
		    "%llu\n", replica_buckets[i], r->lat_bucket[i]);
	fprintf(f, "respite_cluster_publish_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "respite_cluster_publish_seconds_sum %.6f\n"
	    "respite_cluster_publish_seconds_count %llu\n", r->lat_count,
	    r->lat_sum, r->lat_count);
}
