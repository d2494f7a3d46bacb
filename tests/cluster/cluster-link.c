/*
 * respite - cluster-link: daemon/cluster.c against a real NATS cluster.
 *
 * Driven by tests/integration/cluster-link.sh, which starts three NATS
 * servers with JetStream (tests/integration/nats-lib.sh) and maps our
 * lines to TAP: "PASS text", "FAIL text", "INFO text" (a diagnostic).
 *
 *   cluster-link URLS publish            10,000 publishes with ids, every
 *       ack on the loop thread; 100 of them again are duplicates; an
 *       ordered consumer from 1 and from the middle sees the stream order
 *   cluster-link URLS lease              two nodes compete for the lease
 *   cluster-link URLS failover n1:PID,..  publishes while SIGKILLing the
 *       NATS server that leads the stream; every acked message is
 *       consumable afterwards
 *   cluster-link URLS bench N            N ~200-byte publishes through
 *       cluster_publish, printed as "RATE msgs/s" (tests/bench/run.sh)
 *
 * URLS: comma-separated.  Everything runs on one libevent loop; waits are
 * bounded loops of that loop, never sleeps.
 */
#include "build.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <nats/nats.h>

#include "cluster.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

static struct event_base	*base;
static pthread_t		 loop_thread;
static int			 failures;

static void
pass(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
pass(int cond, const char *fmt, ...)
{
	va_list	ap;

	printf("%s ", cond ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		failures++;
}

static struct config *
make_config(const char *urls, const char *node, const char *stream,
    size_t lease_ms)
{
	struct config	*cf = config_defaults();
	char		*copy, *p, *u;

	copy = xstrdup(urls);
	for (p = copy; (u = strsep(&p, ",")) != NULL;) {
		if (*u == '\0')
			continue;
		cf->cluster_nats = xreallocarray(cf->cluster_nats,
		    cf->ncluster_nats + 1, sizeof *cf->cluster_nats);
		cf->cluster_nats[cf->ncluster_nats++] = xstrdup(u);
	}
	free(copy);
	cf->cluster = 1;
	cf->cluster_node = xstrdup(node);
	free(cf->cluster_stream);
	cf->cluster_stream = xstrdup(stream);
	cf->cluster_lease_ms = lease_ms;
	return (cf);
}

static struct cluster *
open_node(const char *urls, const char *node, const char *stream,
    size_t lease_ms)
{
	struct config	*cf = make_config(urls, node, stream, lease_ms);
	struct cluster	*cl;
	char		*cause = NULL;

	if ((cl = cluster_open(base, cf, &cause)) == NULL) {
		printf("FAIL cluster_open %s: %s\n", node, cause);
		printf("Bail out! no cluster\n");
		exit(1);
	}
	config_free(cf);
	return (cl);
}

/* Run the loop until *flag or timeout_ms; returns *flag. */
static int
run_until(const int *flag, int64_t timeout_ms)
{
	int64_t	until = cluster_now_ms() + timeout_ms;

	while (!*flag && cluster_now_ms() < until)
		event_base_loop(base, EVLOOP_ONCE);
	return (*flag);
}

/* A timer to come back to the loop at least every 10 ms. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/* ---------------------------------------------------------- publish */

#define NPUB	10000
#define NDUP	100

struct pubstate {
	uint64_t	 seq[NPUB];
	int		 ok, dup, bad, off_loop, done;
	int		 ndone, want;
	uint64_t	 dupseq_wrong;
};

struct pubarg {
	struct pubstate	*ps;
	int		 i;
	int		 again;
};

static struct pubarg	pargs[NPUB + NDUP];

static void
pub_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error, void *arg)
{
	struct pubarg	*pa = arg;
	struct pubstate	*ps = pa->ps;

	if (!pthread_equal(pthread_self(), loop_thread))
		ps->off_loop++;
	if (ack == CLUSTER_ACK_OK && !pa->again) {
		ps->ok++;
		ps->seq[pa->i] = seq;
	} else if (ack == CLUSTER_ACK_DUPLICATE && pa->again) {
		ps->dup++;
		if (seq != ps->seq[pa->i])
			ps->dupseq_wrong++;
	} else {
		if (ps->bad++ < 5)
			printf("INFO ack %d for %d: %s\n", (int)ack, pa->i,
			    error != NULL ? error : "");
	}
	if (++ps->ndone == ps->want)
		ps->done = 1;
}

struct consstate {
	uint64_t	 next;		/* the seq expected next */
	uint64_t	 last;		/* stop after it */
	int		 n, out_of_order, bad_data, off_loop, done;
};

static void
cons_cb(uint64_t seq, const char *suffix, const void *data, size_t len,
    void *arg)
{
	struct consstate	*cs = arg;
	char			 want[64];

	if (!pthread_equal(pthread_self(), loop_thread))
		cs->off_loop++;
	if (seq != cs->next)
		cs->out_of_order++;
	cs->next = seq + 1;
	/* The payload of publish i starts "payload <i>" and is at seq i+1. */
	snprintf(want, sizeof want, "payload %" PRIu64 " ", seq - 1);
	if (len < strlen(want) || memcmp(data, want, strlen(want)) != 0 ||
	    strcmp(suffix, "ev.0") != 0)
		cs->bad_data++;
	cs->n++;
	if (seq >= cs->last)
		cs->done = 1;
}

static void
mode_publish(const char *urls)
{
	static struct pubstate	 ps;
	struct cluster		*cl;
	struct cluster_sub	*sub;
	struct consstate	 c1, c2;
	char			 id[32], data[256], *cause = NULL;
	int			 i, refused = 0;
	int64_t			 t0, t1;

	cl = open_node(urls, "a", "LINK", 5000);
	pass(cluster_stream_seq(cl) == 0, "a new stream LINK starts empty");
	memset(data, 'x', sizeof data);
	ps.want = NPUB;
	t0 = cluster_now_ms();
	for (i = 0; i < NPUB; i++) {
		snprintf(id, sizeof id, "id-%d", i);
		snprintf(data, sizeof data, "payload %d ", i);
		data[strlen(data)] = 'x';
		pargs[i].ps = &ps;
		pargs[i].i = i;
		if (cluster_publish(cl, "ev.0", id, data, 200, pub_ack_cb,
		    &pargs[i], &cause) == -1) {
			if (refused++ == 0)
				printf("INFO publish refused: %s\n", cause);
			free(cause);
			cause = NULL;
			ps.want--;
		}
	}
	run_until(&ps.done, 30000);
	t1 = cluster_now_ms();
	pass(refused == 0 && ps.ok == NPUB && ps.bad == 0,
	    "%d publishes with ids: %d acked ok, %d refused, %d errors", NPUB,
	    ps.ok, refused, ps.bad);
	printf("INFO %d publishes acked in %" PRId64 " ms\n", NPUB, t1 - t0);
	pass(ps.off_loop == 0, "every ack on the loop thread (%d elsewhere)",
	    ps.off_loop);
	{
		int	sorted = 1;

		for (i = 0; i < NPUB; i++)
			if (ps.seq[i] != (uint64_t)i + 1)
				sorted = 0;
		pass(sorted, "the acks give sequences 1..%d in publish order",
		    NPUB);
	}
	pass(cluster_pending(cl) == 0, "nothing pending after the acks");
	pass(cluster_stream_seq(cl) == NPUB, "stream_seq is %d (%" PRIu64 ")",
	    NPUB, cluster_stream_seq(cl));

	/* The same ids again. */
	ps.done = 0;
	ps.ndone = 0;
	ps.want = NDUP;
	for (i = 0; i < NDUP; i++) {
		int	k = i * (NPUB / NDUP);

		snprintf(id, sizeof id, "id-%d", k);
		snprintf(data, sizeof data, "payload %d again", k);
		pargs[NPUB + i].ps = &ps;
		pargs[NPUB + i].i = k;
		pargs[NPUB + i].again = 1;
		if (cluster_publish(cl, "ev.0", id, data, strlen(data),
		    pub_ack_cb, &pargs[NPUB + i], &cause) == -1) {
			free(cause);
			cause = NULL;
			ps.want--;
		}
	}
	run_until(&ps.done, 10000);
	pass(ps.dup == NDUP && ps.dupseq_wrong == 0,
	    "%d ids published again: %d duplicates, each with its first "
	    "sequence (%" PRIu64 " wrong)", NDUP, ps.dup, ps.dupseq_wrong);

	/* Refusals, synchronous. */
	pass(cluster_publish(cl, "ev.0", "big", data, CLUSTER_MSG_MAX + 1,
	    pub_ack_cb, &pargs[0], &cause) == -1 && cause != NULL,
	    "a message over %d bytes is refused", CLUSTER_MSG_MAX);
	free(cause);
	cause = NULL;
	pass(cluster_publish(cl, "ev.>", "w", data, 10, pub_ack_cb, &pargs[0],
	    &cause) == -1, "a wildcard subject suffix is refused");
	free(cause);
	cause = NULL;

	/* Ordered consumers. */
	memset(&c1, 0, sizeof c1);
	c1.next = 1;
	c1.last = NPUB;
	t0 = cluster_now_ms();
	if ((sub = cluster_consume(cl, 1, cons_cb, &c1, &cause)) == NULL) {
		pass(0, "consumer from 1: %s", cause);
		free(cause);
		cause = NULL;
	} else {
		run_until(&c1.done, 30000);
		t1 = cluster_now_ms();
		pass(c1.n == NPUB && c1.out_of_order == 0 && c1.bad_data == 0 &&
		    c1.off_loop == 0, "a consumer from sequence 1 sees %d of "
		    "%d messages in stream order on the loop (%d out of order, "
		    "%d bad, %d off the loop)", c1.n, NPUB, c1.out_of_order,
		    c1.bad_data, c1.off_loop);
		printf("INFO consumed %d in %" PRId64 " ms\n", c1.n, t1 - t0);
		cluster_unconsume(sub);
	}
	memset(&c2, 0, sizeof c2);
	c2.next = NPUB / 2 + 1;
	c2.last = NPUB;
	if ((sub = cluster_consume(cl, NPUB / 2 + 1, cons_cb, &c2, &cause)) ==
	    NULL) {
		pass(0, "consumer from the middle: %s", cause);
		free(cause);
	} else {
		run_until(&c2.done, 30000);
		pass(c2.n == NPUB / 2 && c2.out_of_order == 0 &&
		    c2.bad_data == 0, "a consumer from sequence %d sees the "
		    "%d messages from there in order (%d, %d out of order)",
		    NPUB / 2 + 1, NPUB / 2, c2.n, c2.out_of_order);
		cluster_unconsume(sub);
	}
	cluster_close(cl);
}

/* ---------------------------------------------------------- catchup */

#define NCATCH		300000
#define CATCH_SPIN_NS	4000	/* a message's cost on the loop */
#define CATCH_STALL_MS	1500	/* once: a long commit, say */

/* The publisher of mode bench (below), with messages of this size. */
static void	bench_fill(void);
static int	bench_acked, bench_done, bench_want, bench_errors;
static size_t	bench_len = 200;
static struct cluster *bench_cl;

static void
catch_cons_cb(uint64_t seq, const char *suffix, const void *data,
    size_t len, void *arg)
{
	struct timespec	t0, t;

	/*
	 * As respited applies an event: a few microseconds of work, and
	 * once a stall of the loop (a long commit), while the server goes
	 * on sending.
	 */
	if (seq == 5000)
		usleep(CATCH_STALL_MS * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
	    CATCH_SPIN_NS);
	cons_cb(seq, suffix, data, len, arg);
}

/*
 * A node's catch-up of a long stream of small messages, on a loop that
 * takes a few microseconds a message: every message once, in order.
 * cluster-link.sh also requires that nats.c never dropped one ("Slow
 * Consumer" on stderr), which its default count limit of a
 * subscription's buffer did.
 */
static void
mode_catchup(const char *urls)
{
	struct consstate	 c;
	struct cluster_sub	*sub;
	char			*cause = NULL;
	int64_t			 t0, t1;

	bench_cl = open_node(urls, "c", "CATCH", 5000);
	bench_want = NCATCH;
	bench_len = 64;
	bench_fill();
	run_until(&bench_done, 120000);
	pass(bench_acked == NCATCH, "%d messages of %zu bytes published (%d "
	    "errors)", bench_acked, bench_len, bench_errors);
	memset(&c, 0, sizeof c);
	c.next = 1;
	c.last = NCATCH;
	t0 = cluster_now_ms();
	if ((sub = cluster_consume(bench_cl, 1, catch_cons_cb, &c, &cause)) ==
	    NULL) {
		pass(0, "consumer: %s", cause);
		free(cause);
	} else {
		run_until(&c.done, 120000);
		t1 = cluster_now_ms();
		pass(c.n == NCATCH && c.out_of_order == 0 && c.bad_data == 0,
		    "a consumer from sequence 1 on a loop taking %d us a "
		    "message and stalling once for %d ms sees each of %d "
		    "once, in order (%d, %d out of order, %d bad)",
		    CATCH_SPIN_NS / 1000, CATCH_STALL_MS, NCATCH, c.n,
		    c.out_of_order, c.bad_data);
		printf("INFO caught up with %d in %" PRId64 " ms\n", c.n,
		    t1 - t0);
		cluster_unconsume(sub);
	}
	cluster_close(bench_cl);
}

/* ---------------------------------------------------------- lease */

static void
mode_lease(const char *urls)
{
	struct cluster	*a, *b, *holder, *other;
	const char	*la, *lb;
	char		*cause = NULL;
	int		 one = 0, flag = 0;
	int64_t		 t0, now, lease_ms = 1000, took = -1;
	int		 unsafe = 0;

	a = open_node(urls, "a", "LEASE", (size_t)lease_ms);
	b = open_node(urls, "b", "LEASE", (size_t)lease_ms);
	if (cluster_lease_start(a, NULL, NULL, &cause) == -1 ||
	    cluster_lease_start(b, NULL, NULL, &cause) == -1) {
		pass(0, "lease start: %s", cause);
		free(cause);
		return;
	}
	/* Until one holds it and the other knows (bounded). */
	t0 = cluster_now_ms();
	while (cluster_now_ms() - t0 < 5 * lease_ms) {
		event_base_loop(base, EVLOOP_ONCE);
		now = cluster_now_ms();
		la = cluster_leader(a, now);
		lb = cluster_leader(b, now);
		if (la != NULL && lb != NULL && strcmp(la, lb) == 0) {
			one = 1;
			break;
		}
	}
	now = cluster_now_ms();
	la = cluster_leader(a, now);
	lb = cluster_leader(b, now);
	pass(one, "one node holds the lease and the other sees it (a says "
	    "%s, b says %s, after %" PRId64 " ms)", la ? la : "none",
	    lb ? lb : "none", now - t0);
	if (!one)
		goto out;
	holder = strcmp(la, "a") == 0 ? a : b;
	other = holder == a ? b : a;
	/* Both keep refreshing for 3 lease periods: no change of holder. */
	t0 = cluster_now_ms();
	while (cluster_now_ms() - t0 < 3 * lease_ms) {
		event_base_loop(base, EVLOOP_ONCE);
		now = cluster_now_ms();
		la = cluster_leader(holder, now);
		lb = cluster_leader(other, now);
		if (la == NULL || strcmp(la, cluster_node(holder)) != 0 ||
		    (lb != NULL && strcmp(lb, cluster_node(holder)) != 0))
			flag = 1;
	}
	pass(!flag, "the holder keeps the lease for 3 periods while it "
	    "refreshes");
	/* The holder stops refreshing (a hung node). */
	cluster_lease_stop(holder);
	t0 = cluster_now_ms();
	while (cluster_now_ms() - t0 < 4 * lease_ms) {
		event_base_loop(base, EVLOOP_ONCE);
		now = cluster_now_ms();
		lb = cluster_leader(other, now);
		la = cluster_leader(holder, now);
		if (lb != NULL && strcmp(lb, cluster_node(other)) == 0) {
			took = now - t0;
			/* Never two holders at once. */
			if (la != NULL && strcmp(la, cluster_node(holder)) == 0)
				unsafe = 1;
			break;
		}
	}
	pass(took >= 0 && took <= lease_ms + lease_ms / 3 + 1000,
	    "after the holder stops refreshing, the other takes the lease "
	    "within lease_ms + lease_ms/3 + 1 s (%" PRId64 " ms, lease %"
	    PRId64 " ms)", took, lease_ms);
	pass(!unsafe, "the old holder no longer counts itself leader then");
	printf("INFO lease takeover after %" PRId64 " ms (lease_ms %" PRId64
	    ")\n", took, lease_ms);
	/* And the old holder sees the new one. */
	flag = 0;
	t0 = cluster_now_ms();
	while (!flag && cluster_now_ms() - t0 < 2 * lease_ms) {
		event_base_loop(base, EVLOOP_ONCE);
		la = cluster_leader(holder, cluster_now_ms());
		flag = la != NULL && strcmp(la, cluster_node(other)) == 0;
	}
	pass(flag, "the old holder sees the new one");
out:
	cluster_close(a);
	cluster_close(b);
}

/* ---------------------------------------------------------- orphan */

#define NORPHAN		300	/* tries at most */
#define ORPHAN_WANT	8	/* failed creations wanted */

struct orphanstate {
	int	 failed;	/* its consumer's creation failed */
	int	 after;		/* messages to it after the failure */
};

static void
orphan_cb(uint64_t seq, const char *suffix, const void *data, size_t len,
    void *arg)
{
	struct orphanstate	*os = arg;

	(void)seq;
	(void)suffix;
	(void)data;
	(void)len;
	if (os->failed)
		os->after++;
}

/*
 * Consumers whose creation times out on our side (a JetStream API wait
 * of 1-20 ms, below what the range check allows) while the servers
 * create them and deliver: the failed consumer's messages must never
 * reach its callback, nor a freed consumer (ASan), and nothing leaks.
 * Tries until ORPHAN_WANT creations failed.  Reads the stream LINK that
 * mode publish left.
 */
static void
mode_orphan(const char *urls)
{
	static struct orphanstate	 os[NORPHAN];
	struct config			*cf;
	struct cluster			*keep, *cl;
	struct cluster_sub		*sub;
	char				*cause = NULL;
	int				 i, opened = 0, failed = 0, after = 0;
	int				 tries, flag = 0;

	/* One link open throughout, so nats.c stays up between tries. */
	keep = open_node(urls, "keep", "LINK", 5000);
	for (i = 0; i < NORPHAN && failed < ORPHAN_WANT; i++) {
		cf = make_config(urls, "o", "LINK", 5000);
		cf->cluster_ack_timeout_ms = 1 + (size_t)i % 20;
		cl = cluster_open(base, cf, &cause);
		config_free(cf);
		if (cl == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		opened++;
		if ((sub = cluster_consume(cl, 1, orphan_cb, &os[i],
		    &cause)) == NULL) {
			os[i].failed = 1;
			failed++;
			free(cause);
			cause = NULL;
			/* Drain what its handler queued. */
			run_until(&flag, 200);
		} else
			cluster_unconsume(sub);
		cluster_close(cl);
	}
	tries = i;
	for (i = 0; i < tries; i++)
		after += os[i].after;
	printf("INFO %d links opened with a 1-20 ms API wait in %d tries\n",
	    opened, tries);
	pass(failed > 0, "a consumer's creation timed out (%d times), the "
	    "case under test", failed);
	pass(after == 0, "no message of a consumer whose creation failed "
	    "reaches its callback (%d)", after);
	cluster_close(keep);
}

/* ---------------------------------------------------------- failover */

#define NFAIL		20000
#define FAIL_WINDOW	500

struct failstate {
	struct cluster	*cl;
	uint64_t	 seq[NFAIL];
	int		 acked[NFAIL];
	int		 next, inflight, nacked, retries, done;
	int		 refused;
	int64_t		 last_ack_ms, max_pause_ms;
	int		 kill_at;
	const char	*victims;	/* "n1:PID,n2:PID,n3:PID" */
	const char	*urls;
	int64_t		 killed_ms;
};

/*
 * The pid of the server leading the stream FAIL, from victims; asked
 * through a connection of our own (a test may block).
 */
static pid_t
fail_leader(struct failstate *fs, char *name, size_t namelen)
{
	natsConnection	*nc = NULL;
	jsCtx		*js = NULL;
	jsStreamInfo	*si = NULL;
	char		*copy, *p, *u;
	const char	*servers[3];
	int		 n = 0;
	pid_t		 pid = -1;

	copy = xstrdup(fs->urls);
	for (p = copy; (u = strsep(&p, ",")) != NULL && n < 3;)
		servers[n++] = u;
	{
		natsOptions	*o = NULL;

		if (natsOptions_Create(&o) == NATS_OK &&
		    natsOptions_SetServers(o, servers, n) == NATS_OK &&
		    natsConnection_Connect(&nc, o) == NATS_OK &&
		    natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
		    js_GetStreamInfo(&si, js, "FAIL", NULL, NULL) == NATS_OK &&
		    si->Cluster != NULL && si->Cluster->Leader != NULL) {
			snprintf(name, namelen, "%s", si->Cluster->Leader);
		}
		natsOptions_Destroy(o);
	}
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	free(copy);
	copy = xstrdup(fs->victims);
	for (p = copy; (u = strsep(&p, ",")) != NULL;) {
		char	*c = strchr(u, ':');

		if (c != NULL && (size_t)(c - u) == strlen(name) &&
		    strncmp(u, name, strlen(name)) == 0)
			pid = (pid_t)atoi(c + 1);
	}
	free(copy);
	return (pid);
}

static void	fail_fill(struct failstate *);

static int		 fail_idx[NFAIL];
static struct failstate	*the_fs;

static void	fail_ack_cb(enum cluster_ack, uint64_t, const char *, void *);

static void
fail_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct failstate	*fs = the_fs;
	int			 i = *(int *)arg;
	char			 id[32], data[200], *cause = NULL;

	(void)fd;
	(void)what;
	fs->inflight--;
	snprintf(id, sizeof id, "f-%d", i);
	memset(data, 'y', sizeof data);
	snprintf(data, sizeof data, "f-%d ", i);
	data[strlen(data)] = 'y';
	if (cluster_publish(fs->cl, "ev.0", id, data, sizeof data,
	    fail_ack_cb, &fail_idx[i], &cause) == 0)
		fs->inflight++;
	else {
		free(cause);
		fs->refused++;
	}
}

static void
fail_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error, void *arg)
{
	int			 i = *(int *)arg;
	struct failstate	*fs = the_fs;
	int64_t			 now;

	(void)error;
	fs->inflight--;
	if (ack == CLUSTER_ACK_CLOSED)
		return;
	now = cluster_now_ms();
	if (ack == CLUSTER_ACK_OK || ack == CLUSTER_ACK_DUPLICATE) {
		if (!fs->acked[i]) {
			fs->acked[i] = 1;
			fs->seq[i] = seq;
			fs->nacked++;
		}
		if (fs->last_ack_ms != 0 && now - fs->last_ack_ms >
		    fs->max_pause_ms)
			fs->max_pause_ms = now - fs->last_ack_ms;
		fs->last_ack_ms = now;
		if (fs->nacked == fs->kill_at && fs->killed_ms == 0) {
			char	name[64] = "";
			pid_t	pid = fail_leader(fs, name, sizeof name);

			if (pid > 0 && kill(pid, SIGKILL) == 0) {
				fs->killed_ms = cluster_now_ms();
				printf("INFO killed NATS server %s (the stream's "
				    "leader, pid %d) after %d acks\n", name,
				    (int)pid, fs->nacked);
			} else
				printf("INFO no stream leader to kill (%s)\n",
				    name);
			fs->last_ack_ms = cluster_now_ms();
		}
	} else {
		/*
		 * Timeout or error: again with the same id, as a client
		 * would, after 100 ms (no answer during an election comes
		 * back at once).
		 */
		struct timeval	tv = { 0, 100000 };

		fs->retries++;
		fs->inflight++;		/* held for the retry */
		event_base_once(base, -1, EV_TIMEOUT, fail_retry_cb,
		    &fail_idx[i], &tv);
	}
	if (fs->nacked == NFAIL)
		fs->done = 1;
	fail_fill(fs);
}

static void
fail_fill(struct failstate *fs)
{
	char	 id[32], data[200], *cause = NULL;
	int	 i;

	while (fs->inflight < FAIL_WINDOW && fs->next < NFAIL) {
		i = fs->next++;
		snprintf(id, sizeof id, "f-%d", i);
		memset(data, 'y', sizeof data);
		snprintf(data, sizeof data, "f-%d ", i);
		data[strlen(data)] = 'y';
		if (cluster_publish(fs->cl, "ev.0", id, data, sizeof data,
		    fail_ack_cb, &fail_idx[i], &cause) == 0)
			fs->inflight++;
		else {
			free(cause);
			cause = NULL;
			fs->refused++;
			fs->next--;
			break;
		}
	}
}

struct failcons {
	struct failstate	*fs;
	int			*seen;
	uint64_t		 last;
	uint64_t		 newest;	/* the highest sequence read */
	int			 dup_ids, done, n, again;
};

static void
failcons_cb(uint64_t seq, const char *suffix, const void *data, size_t len,
    void *arg)
{
	struct failcons	*fc = arg;
	int		 i;

	(void)suffix;
	(void)len;
	/*
	 * An ordered consumer made again (nats.c, after missed heartbeats)
	 * may deliver a stretch again: skipped as respited's replica does,
	 * so an id counts twice only at two sequences.
	 */
	if (seq <= fc->newest) {
		fc->again++;
		return;
	}
	fc->newest = seq;
	if (sscanf(data, "f-%d ", &i) == 1 && i >= 0 && i < NFAIL) {
		if (fc->seen[i] != 0)
			fc->dup_ids++;
		fc->seen[i] = (int)seq;
	}
	fc->n++;
	if (seq >= fc->last)
		fc->done = 1;
}

static void
mode_failover(const char *urls, const char *victims)
{
	static struct failstate	 fs;
	struct failcons		 fc;
	struct cluster_sub	*sub;
	char			*cause = NULL;
	int			 i, lost = 0, wrong = 0;

	for (i = 0; i < NFAIL; i++)
		fail_idx[i] = i;
	the_fs = &fs;
	fs.cl = open_node(urls, "a", "FAIL", 5000);
	fs.kill_at = NFAIL / 4;
	fs.victims = victims;
	fs.urls = urls;
	fail_fill(&fs);
	run_until(&fs.done, 120000);
	pass(fs.nacked == NFAIL, "%d publishes acked while a NATS server was "
	    "killed (%d retried after a timeout or error)", fs.nacked,
	    fs.retries);
	printf("INFO longest pause between acks: %" PRId64 " ms (%d retries)\n",
	    fs.max_pause_ms, fs.retries);
	printf("PAUSE %" PRId64 "\n", fs.max_pause_ms);
	pass(fs.killed_ms != 0, "the stream's leader was killed during "
	    "publishing");

	memset(&fc, 0, sizeof fc);
	fc.fs = &fs;
	fc.seen = xcalloc(NFAIL, sizeof *fc.seen);
	fc.last = cluster_stream_seq(fs.cl);
	/*
	 * Creating a consumer goes through JetStream's meta leader, which
	 * may itself be in an election after the kill.  First wait for the
	 * stream to answer through its new leader; then try a few times.
	 * (A creation that times out is the path mode orphan stresses.)
	 */
	for (i = 0; i < 120; i++) {
		char	name[64] = "";

		(void)fail_leader(&fs, name, sizeof name);
		if (name[0] != '\0') {
			printf("INFO the stream's leader is %s again after %d "
			    "tries\n", name, i + 1);
			break;
		}
		usleep(250000);
	}
	for (i = 0; i < 6; i++) {
		if ((sub = cluster_consume(fs.cl, 1, failcons_cb, &fc,
		    &cause)) != NULL)
			break;
		printf("INFO consumer: %s; again\n", cause);
		free(cause);
		cause = NULL;
	}
	if (sub == NULL) {
		xasprintf(&cause, "6 tries");
		pass(0, "consumer: %s", cause);
		free(cause);
	} else {
		run_until(&fc.done, 60000);
		for (i = 0; i < NFAIL; i++) {
			if (!fs.acked[i])
				continue;
			if (fc.seen[i] == 0)
				lost++;
			else if ((uint64_t)fc.seen[i] != fs.seq[i])
				wrong++;
		}
		pass(lost == 0 && wrong == 0, "every acked message is in the "
		    "stream at its acked sequence (%d missing, %d elsewhere, "
		    "%d read)", lost, wrong, fc.n);
		pass(fc.dup_ids == 0, "no id stored twice despite the retries "
		    "(%d)", fc.dup_ids);
		if (fc.again > 0)
			printf("INFO consumer: %d messages delivered again "
			    "(skipped)\n", fc.again);
		cluster_unconsume(sub);
	}
	free(fc.seen);
	cluster_close(fs.cl);
}

/* ---------------------------------------------------------- bench */

/* Publishes in flight; nats-ceiling.c uses the same. */
#define BENCH_WINDOW	8192

static int	bench_next;

static void
bench_ack_cb(enum cluster_ack ack, uint64_t seq, const char *error, void *arg)
{
	(void)seq;
	(void)error;
	(void)arg;
	if (ack == CLUSTER_ACK_OK || ack == CLUSTER_ACK_DUPLICATE)
		bench_acked++;
	else if (ack != CLUSTER_ACK_CLOSED) {
		bench_want--;	/* counted out: shows as a lower rate */
		if (bench_errors++ == 0)
			fprintf(stderr, "bench: %s\n", error);
	}
	if (bench_acked >= bench_want)
		bench_done = 1;
	bench_fill();
}

/*
 * Publish up to BENCH_WINDOW at a time until bench_want: message i is
 * "payload i " and 'z' to bench_len bytes (what cons_cb checks), with id
 * b-i.
 */
static void
bench_fill(void)
{
	char	 id[32], data[200], *cause = NULL;

	while (bench_next < bench_want &&
	    cluster_pending(bench_cl) < BENCH_WINDOW) {
		snprintf(id, sizeof id, "b-%d", bench_next);
		memset(data, 'z', sizeof data);
		snprintf(data, sizeof data, "payload %d ", bench_next);
		data[strlen(data)] = 'z';
		if (cluster_publish(bench_cl, "ev.0", id, data, bench_len,
		    bench_ack_cb, NULL, &cause) == -1) {
			free(cause);
			break;
		}
		bench_next++;
	}
}

static void
mode_bench(const char *urls, int n, const char *stream)
{
	int64_t	t0, t1;

	bench_cl = open_node(urls, "bench", stream, 5000);
	bench_want = n;
	t0 = cluster_now_ms();
	bench_fill();
	run_until(&bench_done, 300000);
	t1 = cluster_now_ms();
	printf("RATE %.0f %d %" PRId64 " %d\n", bench_acked * 1000.0 /
	    (double)(t1 - t0 > 0 ? t1 - t0 : 1), bench_acked, t1 - t0,
	    bench_errors);
	cluster_close(bench_cl);
}

int
main(int argc, char **argv)
{
	struct event	*tick;
	struct timeval	 tv = { 0, 10000 };

	if (argc < 3) {
		fprintf(stderr, "usage: cluster-link URLS publish|catchup|lease|orphan|"
		    "failover PID|bench N STREAM\n");
		return (2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_TO_STDERR, LOG_LEVEL_INFO);
	base = event_base_new();
	loop_thread = pthread_self();
	tick = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	event_add(tick, &tv);
	if (strcmp(argv[2], "publish") == 0)
		mode_publish(argv[1]);
	else if (strcmp(argv[2], "lease") == 0)
		mode_lease(argv[1]);
	else if (strcmp(argv[2], "catchup") == 0)
		mode_catchup(argv[1]);
	else if (strcmp(argv[2], "orphan") == 0)
		mode_orphan(argv[1]);
	else if (strcmp(argv[2], "failover") == 0 && argc == 4)
		mode_failover(argv[1], argv[3]);
	else if (strcmp(argv[2], "bench") == 0 && argc == 5)
		mode_bench(argv[1], atoi(argv[3]), argv[4]);
	else {
		fprintf(stderr, "cluster-link: unknown mode %s\n", argv[2]);
		return (2);
	}
	event_free(tick);
	event_base_free(base);
	return (failures > 0);
}
