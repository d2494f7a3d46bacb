/*
 * respite - cluster: the link to a NATS JetStream cluster (cluster mode).
 *
 * This is the transport cluster mode stands on (ARCHITECTURE.md, "Growing
 * past one machine"): a connection to the NATS servers of [cluster] nats,
 * the stream [cluster] stream (subjects respite.STREAM.>, file storage,
 * [cluster] replicas, a duplicate window of CLUSTER_DUP_WINDOW_MS), async
 * publishes with a Nats-Msg-Id whose acks come back on the loop, ordered
 * consumers whose messages come back on the loop in stream order, and a
 * leader lease in a KV bucket.  What respited does with them (ingest
 * through the stream, applying it, ticks) is not here.
 *
 * Threads.  nats.c runs threads of its own: a reader and a flusher per
 * connection, one delivery thread per subscription (the acks of async
 * publishes arrive on the subscription of a reply inbox), a timer thread
 * (ack timeouts).  Nothing of respited runs on them.  Each callback from
 * nats.c only appends an item to a queue under a mutex (struct
 * cluster_shared) and wakes the loop; the loop takes the items and calls
 * our callers there.  The wake-up is a pipe watched by an event of the
 * loop, written once when the queue goes from empty to not empty, not
 * event_active(): that is safe from another thread only after
 * evthread_use_pthreads(), which puts a lock around every event
 * operation of every base in the process, HTTP included, for the sake of
 * one queue; a pipe costs one write and one read per batch of items and
 * leaves the rest of respited as it is.
 *
 * Bounds.  A publish waits for its ack in a table of at most
 * CLUSTER_PENDING_MAX; one more is refused (the caller answers 503 or
 * waits), so an ack never waits for room in the queue, and nats.c's own
 * MaxPending (the same number) never stalls a publish on the loop.
 * Consumed messages wait in the queue up to CLUSTER_QUEUE_MSGS and
 * CLUSTER_QUEUE_BYTES; past that the delivery thread waits for the loop,
 * nats.c buffers what is in flight, and JetStream's flow control of the
 * ordered consumer stops the server from sending more.  nats.c's buffer
 * of a subscription is bounded by bytes only (CLUSTER_SUB_PENDING_*, its
 * default of 64 MiB): its default count of 65,536 messages was reached
 * first during a catch-up of small messages ("Slow Consumer" 5 to 13
 * times in a catch-up of 300,000 events, none since), and what it
 * dropped its ordered consumer did not send again (replica.c stops at
 * such a hole).  A message is at most CLUSTER_MSG_MAX bytes (the stream refuses larger ones too).  One
 * loop callback takes at most CLUSTER_DRAIN_MAX items and continues from
 * a zero timer (dispatch.c says why not event_active()).
 *
 * Blocking calls.  Connecting, creating or checking the streams and
 * creating a consumer are request/reply round trips (up to
 * ack_timeout_ms each): cluster_open(), cluster_consume() and
 * cluster_lease_start() are for start-up.  Publishing (the lease's
 * refreshes too) only hands the message to nats.c's buffer, which its
 * flusher thread writes.
 *
 * Lifetimes.  A callback of nats.c may still run after the object it was
 * given is destroyed, until the library's threads have wound down, which
 * only nats_CloseAndWait() waits for.  So the callbacks get the shared
 * part (mutex, queue, closing flag), which outlives its cluster until the
 * last cluster closes the library; a callback that finds it closing frees
 * what it was handed and returns.  Subscriptions say when their handler
 * is done for good (natsSubscription_SetOnCompleteCB); one whose
 * creation failed after nats.c had delivered to it, or that did not stop
 * in time, is kept until then as well (cluster_orphan).
 *
 * A consumer lost.  An ordered consumer lives on one NATS server (R1,
 * in memory).  When that server dies while our connection is to another
 * one, nothing says so but the silence: nats.c makes the consumer again
 * (from the sequence after the last it delivered) once it has missed
 * its idle heartbeats for a check period, two heartbeat intervals.  The
 * servers may place the new consumer on the dead server, which they do
 * not know dead yet; that creation times out and nats.c tries again at
 * the next check.  With nats.c's default interval (5 s) a node stood
 * still 10 to 20 s after a server's death, with 2 s 3.9 to 16 s, with
 * CLUSTER_HEARTBEAT_MS (1 s) 1.8 to 9.9 s
 * (tests/integration/cluster-consumer.sh, docs/cluster.md).
 *
 * The lease.  A KV bucket STREAM_lease (the stream KV_STREAM_lease, one
 * key "leader", history 1, MaxAge lease_ms) holds the holder's name.  The
 * holder refreshes it every lease_ms / 3 with a compare-and-swap on the
 * key's revision (Nats-Expected-Last-Subject-Sequence); it counts itself
 * leader until lease_ms after it sent the last refresh that succeeded.
 * Every node watches the key (an ordered consumer, last value first).
 * Another node takes the lease when it is free (publish expecting no
 * value) or when its revision has not changed for lease_ms by its own
 * clock since it first saw it (CAS on that revision; if MaxAge removed
 * the value meanwhile, the next try expects none).  Both are measured
 * from moments after the holder sent its refresh, so the holder's lease
 * ends first; the compare-and-swap makes any two tries for the same
 * revision end with one winner.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <nats/nats.h>

#include "cluster.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

#define CLUSTER_PENDING_BUCKETS	(2 * CLUSTER_PENDING_MAX)	/* power of 2 */
#define CLUSTER_SUBS_MAX	8
#define CLUSTER_ERR_MAX		160
#define CLUSTER_LEASE_KEY	"leader"

enum citem_kind {
	CI_ACK,
	CI_MSG,
	CI_DOWN,
	CI_UP,
	CI_ERROR
};

/* What a nats.c thread hands the loop. */
struct citem {
	struct citem		*next;
	enum citem_kind		 kind;
	natsMsg			*msg;	/* CI_ACK: the published one; CI_MSG */
	struct cluster_sub	*sub;	/* CI_MSG */
	uint64_t		 seq;
	enum cluster_ack	 ack;	/* CI_ACK */
	int			 deleted;	/* CI_MSG: a KV delete or purge */
	size_t			 bytes;	/* CI_MSG: counted in the queue */
	char			 text[CLUSTER_ERR_MAX];
};

/* What nats.c's threads share with the loop: see "Lifetimes" above. */
struct cluster_shared {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;	/* room in the queue; a sub done */
	int			 closing;
	int			 wake_fd;	/* the pipe's write end */
	int			 woken;		/* a byte is in the pipe */
	struct citem		*head, **tailp;
	size_t			 nmsgs, bytes;	/* CI_MSG items queued */
	struct cluster_sub	*orphans;	/* freed after nats.c's threads */
	struct cluster_shared	*next_dead;
};

/* A publish awaiting its ack, found by its natsMsg. */
struct cpending {
	struct cpending		*next;
	const natsMsg		*msg;	/* key only: nats.c owns it meanwhile */
	cluster_ack_cb		 cb;
	void			*arg;
	int			 internal;	/* the lease's, not the stream's */
};

struct cluster_sub {
	struct cluster		*cl;		/* the loop's side only */
	struct cluster_shared	*sh;		/* what nats.c's threads touch */
	natsSubscription	*sub;
	cluster_msg_cb		 cb;
	void			*arg;
	int			 stopping;	/* under sh->mu */
	int			 done;		/* under sh->mu: handler gone */
	int			 lease;		/* the lease's watcher */
	struct cluster_sub	*next_orphan;
};

struct cluster {
	struct event_base	*base;
	struct cluster_shared	*sh;
	natsOptions		*opts;
	natsConnection		*nc;
	jsCtx			*js;
	char			*node;
	char			*stream;
	char			*prefix;	/* "respite.STREAM." */
	size_t			 prefix_len;
	char			*bucket;	/* "STREAM_lease" */
	char			*lease_subject;	/* "$KV.STREAM_lease.leader" */
	int64_t			 ack_timeout_ms;
	int64_t			 lease_ms;
	int			 wake_rd;
	struct event		*wake;
	struct event		*more;		/* continue draining */
	struct cpending		**pending;	/* CLUSTER_PENDING_BUCKETS */
	size_t			 npending;
	uint64_t		 stream_seq;
	int			 up;		/* as last logged */
	int			 published;	/* nats.c's reply inbox exists */
	struct cluster_sub	*subs[CLUSTER_SUBS_MAX];

	/* The lease (see the top of the file). */
	struct cluster_sub	*lease_sub;
	struct event		*lease_timer;
	cluster_lease_cb	 lease_cb;
	void			*lease_arg;
	uint64_t		 lease_rev;	/* the key's revision, 0: none */
	char			 lease_holder[CONFIG_CLUSTER_NAME_MAX + 1];
	int64_t			 lease_seen_ms;	/* when lease_rev changed */
	int64_t			 lease_until_ms; /* ours until then */
	int64_t			 lease_sent_ms;	/* the try in flight */
	uint64_t		 lease_expected; /* its revision, 0: none */
	int			 lease_rev_stale; /* lease_rev is gone */
	int			 lease_inflight;
	char			 lease_reported[CONFIG_CLUSTER_NAME_MAX + 1];
};

/* The library is opened by the first cluster and closed by the last. */
static int			 cluster_nopen;
static struct cluster_shared	*cluster_dead;

static void	cluster_lease_after(struct cluster *, int64_t);

int64_t
cluster_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

const char *
cluster_node(const struct cluster *cl)
{
	return (cl->node);
}

const char *
cluster_stream(const struct cluster *cl)
{
	return (cl->stream);
}

uint64_t
cluster_stream_seq(const struct cluster *cl)
{
	return (cl->stream_seq);
}

int
cluster_connected(const struct cluster *cl)
{
	return (cl->up);
}

size_t
cluster_pending(const struct cluster *cl)
{
	return (cl->npending);
}

/* nats.c's last error, for a cause. */
static void
cluster_cause(char **cause, const char *what, natsStatus s, jsErrCode jerr)
{
	const char	*text;

	text = nats_GetLastError(NULL);
	if (text == NULL || *text == '\0')
		text = natsStatus_GetText(s);
	if (jerr != 0)
		xasprintf(cause, "%s: %s (JetStream error %d)", what, text,
		    (int)jerr);
	else
		xasprintf(cause, "%s: %s", what, text);
}

/* ---------------------------------------------------------------- queue */

/*
 * Append it to the queue and wake the loop; on a nats.c thread.  Frees
 * it (and its message) instead once the cluster is closing.
 */
static void
cluster_push(struct cluster_shared *sh, struct citem *it)
{
	char	c = 1;

	pthread_mutex_lock(&sh->mu);
	if (sh->closing) {
		pthread_mutex_unlock(&sh->mu);
		natsMsg_Destroy(it->msg);
		free(it);
		return;
	}
	it->next = NULL;
	*sh->tailp = it;
	sh->tailp = &it->next;
	if (it->kind == CI_MSG) {
		sh->nmsgs++;
		sh->bytes += it->bytes;
	}
	if (!sh->woken) {
		sh->woken = 1;
		/* Full pipe: a byte is there anyway. */
		while (write(sh->wake_fd, &c, 1) == -1 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&sh->mu);
}

/* The lease holder's name from a KV value, "" if it is not one. */
static void
cluster_holder(const char *data, int len, char *out)
{
	if (data == NULL || len <= 0 || len > CONFIG_CLUSTER_NAME_MAX) {
		*out = '\0';
		return;
	}
	memcpy(out, data, (size_t)len);
	out[len] = '\0';
	if (strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != (size_t)len)
		*out = '\0';
}

static void
cluster_ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
    void *closure)
{
	struct cluster_shared	*sh = closure;
	struct citem		*it;
	const char		*text;

	(void)js;
	it = xcalloc(1, sizeof *it);
	it->kind = CI_ACK;
	it->msg = msg;
	if (pa != NULL) {
		it->ack = pa->Duplicate ? CLUSTER_ACK_DUPLICATE :
		    CLUSTER_ACK_OK;
		it->seq = pa->Sequence;
	} else {
		it->ack = CLUSTER_ACK_ERROR;
		text = NULL;
		if (pae != NULL) {
			if (pae->Err == NATS_TIMEOUT)
				it->ack = CLUSTER_ACK_TIMEOUT;
			text = pae->ErrText;
			if (text == NULL || *text == '\0')
				text = natsStatus_GetText(pae->Err);
		}
		snprintf(it->text, sizeof it->text, "%s",
		    text != NULL ? text : "no ack");
	}
	cluster_push(sh, it);
}

static void
cluster_msg_handler(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
    void *closure)
{
	struct cluster_sub	*cs = closure;
	struct cluster_shared	*sh = cs->sh;
	struct citem		*it;
	jsMsgMetaData		*meta = NULL;
	const char		*op = NULL;
	size_t			 bytes;

	(void)nc;
	(void)sub;
	if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
		natsMsg_Destroy(msg);	/* not a stream message */
		return;
	}
	it = xcalloc(1, sizeof *it);
	it->kind = CI_MSG;
	it->msg = msg;
	it->sub = cs;
	it->seq = meta->Sequence.Stream;
	jsMsgMetaData_Destroy(meta);
	if (cs->lease && natsMsgHeader_Get(msg, "KV-Operation", &op) ==
	    NATS_OK && op != NULL)
		it->deleted = 1;	/* DEL or PURGE */
	bytes = (size_t)natsMsg_GetDataLength(msg) + 64;
	it->bytes = bytes;

	/* Wait for room: the back pressure of the top of the file. */
	pthread_mutex_lock(&sh->mu);
	while (!sh->closing && !cs->stopping && sh->nmsgs > 0 &&
	    (sh->nmsgs >= CLUSTER_QUEUE_MSGS ||
	    sh->bytes + bytes > CLUSTER_QUEUE_BYTES))
		pthread_cond_wait(&sh->cv, &sh->mu);
	if (cs->stopping) {
		pthread_mutex_unlock(&sh->mu);
		natsMsg_Destroy(msg);
		free(it);
		return;
	}
	pthread_mutex_unlock(&sh->mu);
	cluster_push(sh, it);
}

/* The subscription's handler has returned for the last time. */
static void
cluster_sub_complete(void *closure)
{
	struct cluster_sub	*cs = closure;
	struct cluster_shared	*sh = cs->sh;

	pthread_mutex_lock(&sh->mu);
	cs->done = 1;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

static void
cluster_conn_item(struct cluster_shared *sh, enum citem_kind kind,
    natsConnection *nc, const char *text)
{
	struct citem	*it;

	it = xcalloc(1, sizeof *it);
	it->kind = kind;
	if (text != NULL)
		snprintf(it->text, sizeof it->text, "%s", text);
	else if (nc != NULL &&
	    natsConnection_GetConnectedUrl(nc, it->text, sizeof it->text) !=
	    NATS_OK)
		it->text[0] = '\0';
	cluster_push(sh, it);
}

static void
cluster_disconnected_cb(natsConnection *nc, void *closure)
{
	(void)nc;
	cluster_conn_item(closure, CI_DOWN, NULL, NULL);
}

static void
cluster_reconnected_cb(natsConnection *nc, void *closure)
{
	cluster_conn_item(closure, CI_UP, nc, NULL);
}

static void
cluster_error_cb(natsConnection *nc, natsSubscription *sub, natsStatus err,
    void *closure)
{
	(void)nc;
	(void)sub;
	cluster_conn_item(closure, CI_ERROR, NULL, natsStatus_GetText(err));
}

/* ---------------------------------------------------------------- loop */

static size_t
cluster_hash(const natsMsg *m)
{
	uint64_t	h = (uint64_t)(uintptr_t)m;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return ((size_t)h & (CLUSTER_PENDING_BUCKETS - 1));
}

static struct cpending *
cluster_pending_take(struct cluster *cl, const natsMsg *m)
{
	struct cpending	**pp, *p;

	for (pp = &cl->pending[cluster_hash(m)]; (p = *pp) != NULL;
	    pp = &p->next) {
		if (p->msg == m) {
			*pp = p->next;
			cl->npending--;
			return (p);
		}
	}
	return (NULL);
}

/* "nats://user:secret@host:4222" without its user part, for the log. */
static const char *
cluster_url_log(const char *url)
{
	const char	*at, *scheme;

	if ((at = strrchr(url, '@')) == NULL)
		return (url);
	scheme = strstr(url, "://");
	return (scheme != NULL && scheme < at ? at + 1 : url);
}

static void
cluster_item(struct cluster *cl, struct citem *it, int64_t now)
{
	struct cpending		*p;
	struct cluster_sub	*cs;
	const char		*subj;

	switch (it->kind) {
	case CI_ACK:
		if ((p = cluster_pending_take(cl, it->msg)) == NULL) {
			log_debug("%s: an ack for no publish", __func__);
			break;
		}
		if ((it->ack == CLUSTER_ACK_OK ||
		    it->ack == CLUSTER_ACK_DUPLICATE) &&
		    it->seq > cl->stream_seq && !p->internal)
			cl->stream_seq = it->seq;
		p->cb(it->ack, it->seq, it->ack == CLUSTER_ACK_OK ||
		    it->ack == CLUSTER_ACK_DUPLICATE ? NULL : it->text,
		    p->arg);
		free(p);
		break;
	case CI_MSG:
		cs = it->sub;
		if (cs->stopping)
			break;
		if (cs->lease) {
			if (it->seq > cl->lease_rev) {
				cl->lease_rev = it->seq;
				cl->lease_seen_ms = now;
				if (it->deleted)
					cl->lease_holder[0] = '\0';
				else
					cluster_holder(natsMsg_GetData(it->msg),
					    natsMsg_GetDataLength(it->msg),
					    cl->lease_holder);
				cluster_lease_after(cl, now);
			}
			break;
		}
		if (it->seq > cl->stream_seq)
			cl->stream_seq = it->seq;
		subj = natsMsg_GetSubject(it->msg);
		if (strncmp(subj, cl->prefix, cl->prefix_len) == 0)
			subj += cl->prefix_len;
		cs->cb(it->seq, subj, natsMsg_GetData(it->msg),
		    (size_t)natsMsg_GetDataLength(it->msg), cs->arg);
		break;
	case CI_DOWN:
		if (cl->up)
			log_warnx("cluster: connection to NATS lost; "
			    "reconnecting");
		cl->up = 0;
		break;
	case CI_UP:
		if (!cl->up)
			log_info("cluster: connection to NATS restored (%s)",
			    cluster_url_log(it->text));
		cl->up = 1;
		break;
	case CI_ERROR:
		log_warnx("cluster: NATS: %s", it->text);
		break;
	}
}

/* Take and handle up to CLUSTER_DRAIN_MAX items. */
static void
cluster_drain(struct cluster *cl)
{
	struct cluster_shared	*sh = cl->sh;
	struct citem		*first, *it, *next;
	const struct timeval	 zero = { 0, 0 };
	size_t			 n = 0, msgs = 0, bytes = 0;
	int64_t			 now;
	int			 more;

	pthread_mutex_lock(&sh->mu);
	sh->woken = 0;
	first = sh->head;
	for (it = first; it != NULL && n < CLUSTER_DRAIN_MAX; it = it->next) {
		n++;
		if (it->kind == CI_MSG) {
			msgs++;
			bytes += it->bytes;
		}
		if (it->next == NULL || n == CLUSTER_DRAIN_MAX)
			break;
	}
	if (it != NULL) {
		sh->head = it->next;
		it->next = NULL;
		if (sh->head == NULL)
			sh->tailp = &sh->head;
	}
	sh->nmsgs -= msgs;
	sh->bytes -= bytes;
	more = sh->head != NULL;
	if (msgs > 0)
		pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);

	now = cluster_now_ms();
	for (it = first; n > 0 && it != NULL; it = next) {
		next = it->next;
		cluster_item(cl, it, now);
		natsMsg_Destroy(it->msg);
		free(it);
	}
	if (more)
		evtimer_add(cl->more, &zero);
}

static void
cluster_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char	buf[64];

	(void)what;
	while (read(fd, buf, sizeof buf) > 0)
		;
	cluster_drain(arg);
}

static void
cluster_more_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	cluster_drain(arg);
}

/* ---------------------------------------------------------------- open */

/* Threads nats.c starts inherit our signal mask: none of them takes one. */
static void
cluster_block_signals(sigset_t *old)
{
	sigset_t	all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, old);
}

static void
cluster_restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/*
 * Create the stream of want, or bring an existing one to want's
 * replicas, duplicate window, age and message size.  Its subjects must
 * be want's: another stream of the same name is not ours to change.
 */
static int
cluster_stream_ensure(struct cluster *cl, jsStreamConfig *want,
    uint64_t *last_seq, const char **what, char **cause)
{
	jsStreamInfo	*si = NULL;
	jsStreamConfig	*have;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	int		 i, rc = -1;

	s = js_GetStreamInfo(&si, cl->js, want->Name, NULL, &jerr);
	if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
		jerr = 0;
		if ((s = js_AddStream(&si, cl->js, want, NULL, &jerr)) !=
		    NATS_OK) {
			cluster_cause(cause, want->Name, s, jerr);
			goto out;
		}
		*what = "created";
	} else if (s != NATS_OK) {
		cluster_cause(cause, want->Name, s, jerr);
		goto out;
	} else {
		have = si->Config;
		for (i = 0; i < have->SubjectsLen; i++)
			if (strcmp(have->Subjects[i], want->Subjects[0]) == 0)
				break;
		if (have->SubjectsLen != 1 || i == have->SubjectsLen) {
			xasprintf(cause, "stream %s exists with other subjects "
			    "than %s: not ours", want->Name, want->Subjects[0]);
			goto out;
		}
		*what = "exists";
		if (have->Replicas != want->Replicas ||
		    have->Duplicates != want->Duplicates ||
		    have->MaxAge != want->MaxAge ||
		    have->MaxMsgSize != want->MaxMsgSize) {
			jsStreamInfo_Destroy(si);
			si = NULL;
			if ((s = js_UpdateStream(&si, cl->js, want, NULL,
			    &jerr)) != NATS_OK) {
				cluster_cause(cause, want->Name, s, jerr);
				goto out;
			}
			*what = "updated";
		}
	}
	*last_seq = si->State.LastSeq;
	rc = 0;
out:
	jsStreamInfo_Destroy(si);
	return (rc);
}

static void
cluster_shared_free(struct cluster_shared *sh)
{
	struct cluster_sub	*cs;

	while ((cs = sh->orphans) != NULL) {
		sh->orphans = cs->next_orphan;
		free(cs);
	}
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

/*
 * Connect to the servers of cf's [cluster] and set up the stream and the
 * lease's bucket.  Blocks (start-up only).  Returns a new cluster, or
 * NULL and a new string in *cause.
 */
struct cluster *
cluster_open(struct event_base *base, const struct config *cf, char **cause)
{
	struct cluster		*cl;
	struct cluster_shared	*sh;
	jsOptions		 jo;
	jsStreamConfig		 sc;
	const char		*subjects[1], *what;
	char			*subject = NULL, *kvname = NULL, url[256];
	uint64_t		 last, kvlast;
	natsStatus		 s;
	sigset_t		 old;
	int			 fds[2];

	if (cf->ncluster_nats == 0 || cf->cluster_node == NULL) {
		xasprintf(cause, "[cluster] needs nats and node");
		return (NULL);
	}
	if (pipe(fds) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (NULL);
	}
	sh = xcalloc(1, sizeof *sh);
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->tailp = &sh->head;
	sh->wake_fd = fds[1];

	cl = xcalloc(1, sizeof *cl);
	cl->base = base;
	cl->sh = sh;
	cl->wake_rd = fds[0];
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	cl->node = xstrdup(cf->cluster_node);
	cl->stream = xstrdup(cf->cluster_stream);
	xasprintf(&cl->prefix, "respite.%s.", cl->stream);
	cl->prefix_len = strlen(cl->prefix);
	xasprintf(&cl->bucket, "%s_lease", cl->stream);
	xasprintf(&cl->lease_subject, "$KV.%s.%s", cl->bucket,
	    CLUSTER_LEASE_KEY);
	cl->ack_timeout_ms = (int64_t)cf->cluster_ack_timeout_ms;
	cl->lease_ms = (int64_t)cf->cluster_lease_ms;
	cl->pending = xcalloc(CLUSTER_PENDING_BUCKETS, sizeof *cl->pending);
	cl->wake = event_new(base, cl->wake_rd, EV_READ | EV_PERSIST,
	    cluster_wake_cb, cl);
	cl->more = evtimer_new(base, cluster_more_cb, cl);
	event_add(cl->wake, NULL);

	cluster_block_signals(&old);
	if (cluster_nopen++ == 0 && (s = nats_Open(-1)) != NATS_OK) {
		cluster_restore_signals(&old);
		cluster_cause(cause, "nats_Open", s, 0);
		goto fail;
	}
	if ((s = natsOptions_Create(&cl->opts)) != NATS_OK ||
	    (s = natsOptions_SetServers(cl->opts,
	    (const char **)cf->cluster_nats, (int)cf->ncluster_nats)) !=
	    NATS_OK ||
	    (s = natsOptions_SetName(cl->opts, cl->node)) != NATS_OK ||
	    (s = natsOptions_SetTimeout(cl->opts, cl->ack_timeout_ms)) !=
	    NATS_OK ||
	    (s = natsOptions_SetMaxReconnect(cl->opts, -1)) != NATS_OK ||
	    (s = natsOptions_SetReconnectWait(cl->opts, 250)) != NATS_OK ||
	    (s = natsOptions_SetReconnectBufSize(cl->opts,
	    64 * 1024 * 1024)) != NATS_OK ||
	    (s = natsOptions_SetIOBufSize(cl->opts, 256 * 1024)) != NATS_OK ||
	    (s = natsOptions_SetDisconnectedCB(cl->opts,
	    cluster_disconnected_cb, sh)) != NATS_OK ||
	    (s = natsOptions_SetReconnectedCB(cl->opts,
	    cluster_reconnected_cb, sh)) != NATS_OK ||
	    (s = natsOptions_SetErrorHandler(cl->opts, cluster_error_cb,
	    sh)) != NATS_OK) {
		cluster_restore_signals(&old);
		cluster_cause(cause, "NATS options", s, 0);
		goto fail;
	}
	s = natsConnection_Connect(&cl->nc, cl->opts);
	cluster_restore_signals(&old);
	if (s != NATS_OK) {
		cluster_cause(cause, "cannot connect to NATS", s, 0);
		goto fail;
	}
	cl->up = 1;
	if (natsConnection_GetConnectedUrl(cl->nc, url, sizeof url) != NATS_OK)
		url[0] = '\0';

	jsOptions_Init(&jo);
	jo.Wait = cl->ack_timeout_ms;
	jo.PublishAsync.MaxPending = CLUSTER_PENDING_MAX;
	jo.PublishAsync.AckHandler = cluster_ack_handler;
	jo.PublishAsync.AckHandlerClosure = sh;
	jo.PublishAsync.StallWait = 1;
	if ((s = natsConnection_JetStream(&cl->js, cl->nc, &jo)) != NATS_OK) {
		cluster_cause(cause, "JetStream", s, 0);
		goto fail;
	}

	/* The stream. */
	xasprintf(&subject, "respite.%s.>", cl->stream);
	jsStreamConfig_Init(&sc);
	sc.Name = cl->stream;
	subjects[0] = subject;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = (int64_t)cf->cluster_replicas;
	sc.Duplicates = (int64_t)CLUSTER_DUP_WINDOW_MS * 1000000;
	sc.MaxMsgSize = CLUSTER_MSG_MAX;
	if (cluster_stream_ensure(cl, &sc, &last, &what, cause) == -1)
		goto fail;
	cl->stream_seq = last;
	log_info("cluster: node %s connected to %s; stream %s %s (subjects "
	    "%s, %zu replicas, last sequence %" PRIu64 ")", cl->node,
	    cluster_url_log(url), cl->stream, what, subject,
	    cf->cluster_replicas, last);

	/* The lease's KV bucket, laid out as nats.c's kvStore makes one. */
	xasprintf(&kvname, "KV_%s", cl->bucket);
	free(subject);
	xasprintf(&subject, "$KV.%s.>", cl->bucket);
	jsStreamConfig_Init(&sc);
	sc.Name = kvname;
	subjects[0] = subject;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = (int64_t)cf->cluster_replicas;
	sc.MaxMsgsPerSubject = 1;
	sc.MaxAge = cl->lease_ms * 1000000;
	sc.Duplicates = sc.MaxAge;
	sc.MaxMsgSize = 1024;
	sc.Discard = js_DiscardNew;
	sc.AllowRollup = true;
	sc.DenyDelete = true;
	sc.AllowDirect = true;
	if (cluster_stream_ensure(cl, &sc, &kvlast, &what, cause) == -1)
		goto fail;
	log_info("cluster: lease bucket %s %s (TTL %" PRId64 " ms)",
	    cl->bucket, what, cl->lease_ms);
	free(subject);
	free(kvname);
	return (cl);

fail:
	free(subject);
	free(kvname);
	cluster_close(cl);
	return (NULL);
}

/* ---------------------------------------------------------------- publish */

static int
cluster_publish_subject(struct cluster *cl, const char *subject,
    const void *data, size_t len, jsPubOptions *po, cluster_ack_cb cb,
    void *arg, int internal, char **cause)
{
	struct cpending	*p;
	natsMsg		*m = NULL;
	natsStatus	 s;
	size_t		 h;

	if (len > CLUSTER_MSG_MAX) {
		xasprintf(cause, "a message of %zu bytes (at most %d)", len,
		    CLUSTER_MSG_MAX);
		return (-1);
	}
	if (cl->npending >= CLUSTER_PENDING_MAX) {
		xasprintf(cause, "busy: %d publishes await their ack",
		    CLUSTER_PENDING_MAX);
		return (-1);
	}
	if ((s = natsMsg_Create(&m, subject, NULL, data, (int)len)) !=
	    NATS_OK) {
		cluster_cause(cause, "publish", s, 0);
		return (-1);
	}
	p = xcalloc(1, sizeof *p);
	p->msg = m;
	p->cb = cb;
	p->arg = arg;
	p->internal = internal;
	h = cluster_hash(m);
	p->next = cl->pending[h];
	cl->pending[h] = p;
	cl->npending++;
	/*
	 * The ack comes through the queue, so after we return.  The first
	 * publish makes nats.c start the reply inbox's delivery thread and
	 * its timer: with our signals blocked, as the others.
	 */
	if (!cl->published) {
		sigset_t	old;

		cluster_block_signals(&old);
		s = js_PublishMsgAsync(cl->js, &m, po);
		cluster_restore_signals(&old);
		cl->published = 1;
	} else
		s = js_PublishMsgAsync(cl->js, &m, po);
	if (s != NATS_OK) {
		cluster_pending_take(cl, p->msg);
		free(p);
		natsMsg_Destroy(m);
		cluster_cause(cause, "publish", s, 0);
		return (-1);
	}
	return (0);
}

/*
 * Publish data to respite.STREAM.suffix with msg_id (may be NULL) as its
 * Nats-Msg-Id.  cb gets the outcome on the loop, exactly once, unless
 * this returns -1 (and a new string in *cause): too large, too many
 * publishes awaiting their ack, a bad suffix, or nats.c refused.
 */
int
cluster_publish(struct cluster *cl, const char *suffix, const char *msg_id,
    const void *data, size_t len, cluster_ack_cb cb, void *arg, char **cause)
{
	jsPubOptions	 po;
	char		 subject[256];
	size_t		 n = strlen(suffix);

	if (n == 0 || n > CLUSTER_SUBJECT_MAX ||
	    strcspn(suffix, " \t\r\n*>") != n || suffix[0] == '.' ||
	    suffix[n - 1] == '.') {
		xasprintf(cause, "not a subject suffix");
		return (-1);
	}
	snprintf(subject, sizeof subject, "%s%s", cl->prefix, suffix);
	jsPubOptions_Init(&po);
	po.MsgId = msg_id;
	po.MaxWait = cl->ack_timeout_ms;
	return (cluster_publish_subject(cl, subject, data, len, &po, cb, arg,
	    0, cause));
}

/* ---------------------------------------------------------------- consume */

/*
 * A consumer whose handler may still run, or has run: js_Subscribe()
 * failed after nats.c had delivered messages to it (a consumer's
 * creation that timed out on our side but not on the server's), or it
 * did not stop in time.  Its queued items are dropped by cluster_item()
 * (stopping), which reads it, and so may a late handler on nats.c's
 * thread: it is freed only after nats.c's threads are gone
 * (cluster_shared_free), never before.
 */
static void
cluster_orphan(struct cluster_sub *cs)
{
	struct cluster_shared	*sh = cs->sh;

	pthread_mutex_lock(&sh->mu);
	cs->stopping = 1;
	cs->next_orphan = sh->orphans;
	sh->orphans = cs;
	pthread_cond_broadcast(&sh->cv);	/* a handler waiting for room */
	pthread_mutex_unlock(&sh->mu);
}

static struct cluster_sub *
cluster_subscribe(struct cluster *cl, const char *stream, const char *subject,
    jsDeliverPolicy policy, uint64_t start_seq, cluster_msg_cb cb, void *arg,
    int lease, char **cause)
{
	struct cluster_sub	*cs;
	jsSubOptions		 so;
	jsErrCode		 jerr = 0;
	natsStatus		 s;
	sigset_t		 old;
	size_t			 i;

	for (i = 0; i < CLUSTER_SUBS_MAX; i++)
		if (cl->subs[i] == NULL)
			break;
	if (i == CLUSTER_SUBS_MAX) {
		xasprintf(cause, "at most %d consumers", CLUSTER_SUBS_MAX);
		return (NULL);
	}
	cs = xcalloc(1, sizeof *cs);
	cs->cl = cl;
	cs->sh = cl->sh;	/* outlives cl (cluster_dead) */
	cs->cb = cb;
	cs->arg = arg;
	cs->lease = lease;
	jsSubOptions_Init(&so);
	so.Stream = stream;
	so.Ordered = true;
	so.Config.Heartbeat = (int64_t)CLUSTER_HEARTBEAT_MS * 1000000;
	so.Config.DeliverPolicy = policy;
	if (policy == js_DeliverByStartSequence)
		so.Config.OptStartSeq = start_seq;
	cluster_block_signals(&old);
	s = js_Subscribe(&cs->sub, cl->js, subject, cluster_msg_handler, cs,
	    NULL, &so, &jerr);
	if (s == NATS_OK)
		s = natsSubscription_SetPendingLimits(cs->sub,
		    CLUSTER_SUB_PENDING_MSGS, CLUSTER_SUB_PENDING_BYTES);
	if (s == NATS_OK)
		s = natsSubscription_SetOnCompleteCB(cs->sub,
		    cluster_sub_complete, cs);
	cluster_restore_signals(&old);
	if (s != NATS_OK) {
		cluster_cause(cause, "consumer", s, jerr);
		if (cs->sub != NULL) {
			cl->subs[i] = cs;
			cluster_unconsume(cs);
		} else
			cluster_orphan(cs);
		return (NULL);
	}
	cl->subs[i] = cs;
	return (cs);
}

/*
 * An ordered consumer of the stream from start_seq (1 or 0: from the
 * first): cb gets each message on the loop in stream order.  Blocks
 * (start-up).  Returns NULL and a new string in *cause on failure.
 */
struct cluster_sub *
cluster_consume(struct cluster *cl, uint64_t start_seq, cluster_msg_cb cb,
    void *arg, char **cause)
{
	char			 subject[256];

	snprintf(subject, sizeof subject, "%s>", cl->prefix);
	return (cluster_subscribe(cl, cl->stream, subject, start_seq <= 1 ?
	    js_DeliverAll : js_DeliverByStartSequence, start_seq, cb, arg, 0,
	    cause));
}

/* Stop a consumer and free it; its messages still queued are dropped. */
void
cluster_unconsume(struct cluster_sub *cs)
{
	struct cluster		*cl;
	struct cluster_shared	*sh;
	struct timespec		 until;
	size_t			 i;
	int			 done;

	if (cs == NULL)
		return;
	cl = cs->cl;
	sh = cl->sh;
	pthread_mutex_lock(&sh->mu);
	cs->stopping = 1;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
	natsSubscription_Unsubscribe(cs->sub);
	/* Wait for the handler to be gone for good (bounded). */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&sh->mu);
	while (!cs->done &&
	    pthread_cond_timedwait(&sh->cv, &sh->mu, &until) == 0)
		;
	done = cs->done;
	pthread_mutex_unlock(&sh->mu);
	natsSubscription_Destroy(cs->sub);
	for (i = 0; i < CLUSTER_SUBS_MAX; i++)
		if (cl->subs[i] == cs)
			cl->subs[i] = NULL;
	if (!done) {
		log_warnx("%s: a consumer did not stop in 5 s", __func__);
		cluster_orphan(cs);	/* not freed under a thread */
		return;
	}
	/* Queued items point at cs: mark them off before freeing it. */
	{
		struct citem	*it, **pp;

		pthread_mutex_lock(&sh->mu);
		for (pp = &sh->head; (it = *pp) != NULL;) {
			if (it->kind == CI_MSG && it->sub == cs) {
				*pp = it->next;
				sh->nmsgs--;
				sh->bytes -= it->bytes;
				natsMsg_Destroy(it->msg);
				free(it);
				continue;
			}
			pp = &it->next;
		}
		sh->tailp = pp;
		pthread_mutex_unlock(&sh->mu);
	}
	free(cs);
}

/* ---------------------------------------------------------------- lease */

/* Who holds the lease as this node knows it at now: borrowed, or NULL. */
const char *
cluster_leader(const struct cluster *cl, int64_t now)
{
	if (cl->lease_until_ms > now)
		return (cl->node);
	if (cl->lease_holder[0] == '\0' ||
	    strcmp(cl->lease_holder, cl->node) == 0)
		return (NULL);
	if (now - cl->lease_seen_ms < cl->lease_ms)
		return (cl->lease_holder);
	return (NULL);
}

/* Tell the lease callback when the holder changed. */
static void
cluster_lease_after(struct cluster *cl, int64_t now)
{
	const char	*l = cluster_leader(cl, now);

	if (strcmp(l != NULL ? l : "", cl->lease_reported) == 0)
		return;
	snprintf(cl->lease_reported, sizeof cl->lease_reported, "%s",
	    l != NULL ? l : "");
	if (l != NULL && l == cl->node)
		log_info("cluster: node %s holds the leader lease", cl->node);
	if (cl->lease_cb != NULL)
		cl->lease_cb(l, cl->lease_arg);
}

static void
cluster_lease_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error,
    void *arg)
{
	struct cluster	*cl = arg;
	int64_t		 now = cluster_now_ms();

	cl->lease_inflight = 0;
	if (ack == CLUSTER_ACK_OK) {
		cl->lease_until_ms = cl->lease_sent_ms + cl->lease_ms;
		if (seq > cl->lease_rev) {
			cl->lease_rev = seq;
			cl->lease_seen_ms = now;
			snprintf(cl->lease_holder, sizeof cl->lease_holder,
			    "%s", cl->node);
		}
	} else if (ack == CLUSTER_ACK_ERROR) {
		/* Somebody else's revision: not ours (any more). */
		if (cl->lease_until_ms > now)
			log_warnx("cluster: node %s lost the leader lease (%s)",
			    cl->node, error != NULL ? error : "refused");
		cl->lease_until_ms = 0;
		/* Expected a revision that is gone: next time expect none. */
		if (cl->lease_expected != 0)
			cl->lease_rev_stale = 1;
	}
	cluster_lease_after(cl, now);
}

/*
 * One step of the lease at now (cluster_now_ms()): refresh it if this
 * node holds it, take it if it is free or its holder stopped refreshing
 * lease_ms ago.  The outcome comes back later, on the loop.  *leader (if
 * not NULL): the holder as known now (cluster_leader()).
 */
void
cluster_lease_try(struct cluster *cl, int64_t now, const char **leader)
{
	jsPubOptions	 po;
	char		*cause = NULL;
	int		 mine, stale;

	if (leader != NULL)
		*leader = cluster_leader(cl, now);
	if (cl->lease_inflight || cl->js == NULL)
		return;
	mine = cl->lease_holder[0] != '\0' &&
	    strcmp(cl->lease_holder, cl->node) == 0;
	stale = cl->lease_holder[0] == '\0' ||
	    now - cl->lease_seen_ms >= cl->lease_ms;
	if (!mine && !stale)
		return;
	jsPubOptions_Init(&po);
	po.MaxWait = cl->lease_ms / 2 < cl->ack_timeout_ms ? cl->lease_ms / 2 :
	    cl->ack_timeout_ms;
	if (cl->lease_rev == 0 || cl->lease_rev_stale) {
		po.ExpectNoMessage = true;
		cl->lease_expected = 0;
	} else {
		po.ExpectLastSubjectSeq = cl->lease_rev;
		cl->lease_expected = cl->lease_rev;
	}
	cl->lease_rev_stale = 0;
	cl->lease_sent_ms = now;
	if (cluster_publish_subject(cl, cl->lease_subject, cl->node,
	    strlen(cl->node), &po, cluster_lease_ack_cb, cl, 1, &cause) ==
	    -1) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		return;
	}
	cl->lease_inflight = 1;
}

static void
cluster_lease_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cluster	*cl = arg;
	int64_t		 now = cluster_now_ms();

	(void)fd;
	(void)what;
	cluster_lease_try(cl, now, NULL);
	cluster_lease_after(cl, now);
}

/*
 * Take part in the leader lease: watch the key and try for it every
 * lease_ms / 3.  cb (may be NULL) hears of each change of holder, on the
 * loop.  Blocks (a consumer is created): start-up.
 */
int
cluster_lease_start(struct cluster *cl, cluster_lease_cb cb, void *arg,
    char **cause)
{
	struct timeval	 tv;
	char		 stream[128];

	if (cl->lease_sub != NULL)
		return (0);
	cl->lease_cb = cb;
	cl->lease_arg = arg;
	snprintf(stream, sizeof stream, "KV_%s", cl->bucket);
	if ((cl->lease_sub = cluster_subscribe(cl, stream, cl->lease_subject,
	    js_DeliverLastPerSubject, 0, NULL, NULL, 1, cause)) == NULL)
		return (-1);
	cl->lease_timer = event_new(cl->base, -1, EV_PERSIST,
	    cluster_lease_timer_cb, cl);
	tv.tv_sec = cl->lease_ms / 3 / 1000;
	tv.tv_usec = cl->lease_ms / 3 % 1000 * 1000;
	event_add(cl->lease_timer, &tv);
	return (0);
}

/* Stop refreshing and trying: a lease held lapses after lease_ms. */
void
cluster_lease_stop(struct cluster *cl)
{
	if (cl->lease_timer != NULL) {
		event_free(cl->lease_timer);
		cl->lease_timer = NULL;
	}
}

/* ---------------------------------------------------------------- close */

/*
 * Close the link: consumers, the JetStream context and the connection.
 * Each publish still awaiting its ack gets CLUSTER_ACK_CLOSED.  The last
 * cluster closed also closes nats.c and waits for its threads.
 */
void
cluster_close(struct cluster *cl)
{
	struct cluster_shared	*sh, *d;
	struct citem		*it;
	struct cpending		*p;
	size_t			 i;

	if (cl == NULL)
		return;
	sh = cl->sh;
	cluster_lease_stop(cl);
	for (i = 0; i < CLUSTER_SUBS_MAX; i++)
		if (cl->subs[i] != NULL)
			cluster_unconsume(cl->subs[i]);
	pthread_mutex_lock(&sh->mu);
	sh->closing = 1;
	pthread_cond_broadcast(&sh->cv);
	while ((it = sh->head) != NULL) {
		sh->head = it->next;
		natsMsg_Destroy(it->msg);
		free(it);
	}
	sh->tailp = &sh->head;
	close(sh->wake_fd);
	sh->wake_fd = -1;
	pthread_mutex_unlock(&sh->mu);

	jsCtx_Destroy(cl->js);
	natsConnection_Destroy(cl->nc);
	natsOptions_Destroy(cl->opts);
	for (i = 0; i < CLUSTER_PENDING_BUCKETS; i++) {
		while ((p = cl->pending[i]) != NULL) {
			cl->pending[i] = p->next;
			p->cb(CLUSTER_ACK_CLOSED, 0, "closed", p->arg);
			free(p);
		}
	}
	event_free(cl->wake);
	event_free(cl->more);
	close(cl->wake_rd);

	sh->next_dead = cluster_dead;
	cluster_dead = sh;
	if (--cluster_nopen == 0) {
		nats_CloseAndWait(0);
		while ((d = cluster_dead) != NULL) {
			cluster_dead = d->next_dead;
			cluster_shared_free(d);
		}
	}
	free(cl->pending);
	free(cl->node);
	free(cl->stream);
	free(cl->prefix);
	free(cl->bucket);
	free(cl->lease_subject);
	free(cl);
}
