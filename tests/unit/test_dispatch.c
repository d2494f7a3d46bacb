/*
 * Unit tests for daemon/dispatch.c and the streaming replies of
 * daemon/http.c, with real parts: a real event_base, a real http_server
 * on 127.0.0.1 (a port found free first: config_listen_addr refuses port
 * 0), a real SQLite store in a mkdtemp directory, and plain non-blocking
 * sockets as clients, read from callbacks on the same loop, so no thread
 * and no sleep decides anything.  Each case checks the exact bytes a
 * client receives.
 *
 * The request handler here is a small stand-in for api_stream.c (which
 * the integration test stream.sh covers): agent=, team=, and
 * Last-Event-ID as given.
 */
#include "build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>

#include "dispatch.h"
#include "http.h"
#include "store.h"
#include "unit_common.h"
#include "xmalloc.h"

#define T0		1795342500000LL		/* 2026-11-22T10:15:00Z */
#define WAIT_MS		20000	/* bound of every wait (valgrind is slow) */
#define NCLIENTS	8

struct client {
	int		 fd;
	struct event	*ev;
	char		*buf;
	size_t		 len, cap;
	int		 eof;
};

static struct tmpdb		 tdb;
static struct event_base	*base;
static struct store		*store;
static struct http_server	*srv;
static struct dispatch		*disp;
static int			 port;
static struct client		*clients[NCLIENTS];

/* ---------------------------------------------------------------- fixture */

/* A port on 127.0.0.1 nobody listens on now. */
static int
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	p = ntohs(sin.sin_port);
	close(fd);
	return (p);
}

/* The stand-in for api_stream(): agent=, team=, Last-Event-ID. */
static void
handler(struct http_conn *c, const struct http_request *req,
    const char *body, size_t len, void *arg)
{
	char		 agent[80], team[80];
	const char	*h;
	int		 ha, ht;

	(void)body;
	(void)len;
	(void)arg;
	ha = http_query_get(req->query, "agent", agent, sizeof agent);
	ht = http_query_get(req->query, "team", team, sizeof team);
	h = http_header_get(req, "Last-Event-ID");
	dispatch_subscribe(disp, c, ha == 1 ? agent : NULL,
	    ht == 1 ? team : NULL, h != NULL ? strtoll(h, NULL, 10) : -1, 0,
	    NULL);
}

static void
start(size_t max_subscribers, size_t buffer_bytes)
{
	struct dispatch_limits	dl;
	struct http_limits	hl;
	char			spec[64], *cause = NULL;
	int			tries;

	dl.max_subscribers = max_subscribers;
	dl.buffer_bytes = buffer_bytes;
	dl.max_per_owner = 8;
	disp = dispatch_new(base, store, &dl);
	hl.max_body = 1 << 20;
	hl.max_connections = 64;
	hl.idle_timeout_s = 30;
	hl.request_timeout_s = 30;
	hl.header_timeout_s = 30;
	srv = http_server_new(base, handler, NULL, &hl);
	/* Someone may take the port between the probe and the bind. */
	for (tries = 0; tries < 20; tries++) {
		port = free_port();
		snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
		if (http_server_listen(srv, spec, &cause) == 0)
			return;
		free(cause);
		cause = NULL;
	}
	fail_msg("no free port to listen on");
}

static int
test_setup(void **state)
{
	char	*cause = NULL;

	(void)state;
	base = event_base_new();
	assert_non_null(base);
	store = store_open(tdb.path, 0, &cause);
	if (store == NULL)
		fail_msg("store_open: %s", cause);
	memset(clients, 0, sizeof clients);
	return (0);
}

static void
client_free(struct client *cl)
{
	if (cl == NULL)
		return;
	if (cl->ev != NULL)
		event_free(cl->ev);
	if (cl->fd != -1)
		close(cl->fd);
	free(cl->buf);
	free(cl);
}

static int
test_teardown(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < NCLIENTS; i++)
		client_free(clients[i]);
	if (srv != NULL)
		http_server_free(srv);
	dispatch_free(disp);
	srv = NULL;
	disp = NULL;
	store_close(store);
	event_base_free(base);
	tmpdb_clear(&tdb);
	return (0);
}

static int
group_setup(void **state)
{
	(void)state;
	if (tmpdb_make(&tdb, "dispatch") == -1)
		return (-1);
	signal(SIGPIPE, SIG_IGN);
	return (0);
}

static int
group_teardown(void **state)
{
	(void)state;
	return (tmpdb_remove(&tdb));
}

/* ---------------------------------------------------------------- clients */

static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*cl = arg;
	ssize_t		 n;

	(void)what;
	for (;;) {
		if (cl->cap - cl->len < 65536) {
			cl->cap = cl->cap * 2 + 65536;
			cl->buf = xreallocarray(cl->buf, 1, cl->cap + 1);
		}
		n = recv(fd, cl->buf + cl->len, cl->cap - cl->len, 0);
		if (n > 0) {
			cl->len += (size_t)n;
			cl->buf[cl->len] = '\0';
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)) {
			cl->eof = 1;
			event_del(cl->ev);
		}
		return;
	}
}

/*
 * Connect to the server and send a GET of path with extra header lines.
 * reading 0: a client that never reads, with a small receive buffer.
 */
static struct client *
client_new(const char *path, const char *extra, int reading)
{
	struct sockaddr_in	 sin;
	struct client		*cl;
	char			 req[512];
	int			 n, small = 2048;
	size_t			 i;

	cl = xcalloc(1, sizeof *cl);
	cl->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(cl->fd >= 0);
	if (!reading)
		setsockopt(cl->fd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof small);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	/* On loopback the kernel completes this before anyone accepts. */
	assert_int_equal(connect(cl->fd, (struct sockaddr *)&sin, sizeof sin),
	    0);
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: test\r\n"
	    "Accept: text/event-stream\r\n%s\r\n", path,
	    extra != NULL ? extra : "");
	assert_int_equal(send(cl->fd, req, (size_t)n, 0), n);
	fcntl(cl->fd, F_SETFL, fcntl(cl->fd, F_GETFL) | O_NONBLOCK);
	cl->cap = 65536;
	cl->buf = xmalloc(cl->cap + 1);
	cl->buf[0] = '\0';
	if (reading) {
		cl->ev = event_new(base, cl->fd, EV_READ | EV_PERSIST,
		    client_read_cb, cl);
		event_add(cl->ev, NULL);
	}
	for (i = 0; i < NCLIENTS; i++)
		if (clients[i] == NULL) {
			clients[i] = cl;
			return (cl);
		}
	fail_msg("too many clients");
	return (NULL);
}

/* Close a client's socket (the server should notice). */
static void
client_close(struct client *cl)
{
	if (cl->ev != NULL) {
		event_free(cl->ev);
		cl->ev = NULL;
	}
	close(cl->fd);
	cl->fd = -1;
}

/* The body: what follows the reply head, or NULL before it is complete. */
static const char *
client_body(const struct client *cl)
{
	const char	*p;

	if (cl->buf == NULL || (p = strstr(cl->buf, "\r\n\r\n")) == NULL)
		return (NULL);
	return (p + 4);
}

/* ---------------------------------------------------------------- the loop */

static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * One loop iteration without waiting, then a breath.  (EVLOOP_NONBLOCK
 * alone goes on while anything is ready, a due zero-delay timer too.)
 */
static void
step(void)
{
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	usleep(200);
}

typedef int (*cond_fn)(void *);

/* Run the loop until cond holds; fail the test after WAIT_MS. */
static void
run_until(cond_fn cond, void *arg, const char *what)
{
	int64_t	deadline = mono_ms() + WAIT_MS;

	while (!cond(arg)) {
		if (mono_ms() > deadline)
			fail_msg("timed out waiting for %s", what);
		step();
	}
}

static int
has_text(void *arg)
{
	const char	**v = arg;		/* { client, text } */
	const struct client *cl = (const void *)v[0];

	return (cl->buf != NULL && strstr(cl->buf, v[1]) != NULL);
}

static void
wait_text(struct client *cl, const char *text)
{
	const void	*v[2] = { cl, text };

	run_until(has_text, v, text);
}

static int
is_eof(void *arg)
{
	return (((struct client *)arg)->eof);
}

static int
nsubs_is(void *arg)
{
	return (dispatch_nsubscribers(disp) == *(size_t *)arg);
}

static void
wait_nsubs(size_t n)
{
	char	what[64];

	snprintf(what, sizeof what, "%zu subscribers", n);
	run_until(nsubs_is, &n, what);
}

/* ---------------------------------------------------------------- items */

static const char *
agent_of(int64_t seq)
{
	return (seq % 4 == 0 ? "bob" : "alice");
}

static void
item_make(int64_t seq, const char *agent, const char *team,
    struct store_stream_item *it, char *data, size_t len)
{
	snprintf(data, len, "{\"agent\":\"%s\",\"team\":\"%s\","
	    "\"status\":\"working\",\"n\":%lld}", agent, team,
	    (long long)seq);
	it->seq = seq;
	it->event = "agent";
	it->agent = agent;
	it->team = team;
	it->data = data;
	it->created_ms = T0 + seq;
}

/* Store items from..to (agent_of(seq), team t1) in one transaction. */
static void
store_items(int64_t from, int64_t to)
{
	struct store_stream_item	 it;
	char				 data[256], *cause = NULL;
	int64_t				 seq;

	if (store_begin(store, &cause) == -1)
		fail_msg("store_begin: %s", cause);
	for (seq = from; seq <= to; seq++) {
		item_make(seq, agent_of(seq), "t1", &it, data, sizeof data);
		if (store_stream_add(store, &it, &cause) == -1)
			fail_msg("store_stream_add: %s", cause);
	}
	if (store_commit(store, &cause) == -1)
		fail_msg("store_commit: %s", cause);
}

/* Publish items from..to as the outbox does (stored or not). */
static void
publish_items(int64_t from, int64_t to)
{
	struct store_stream_item	 it;
	char				 data[256];
	int64_t				 seq;

	for (seq = from; seq <= to; seq++) {
		item_make(seq, agent_of(seq), "t1", &it, data, sizeof data);
		dispatch_publish(disp, &it);
	}
}

/* The SSE bytes of item seq. */
static void
frame_append(char **s, size_t *len, int64_t seq)
{
	struct store_stream_item	 it;
	char				 data[256], frame[512];
	int				 n;

	item_make(seq, agent_of(seq), "t1", &it, data, sizeof data);
	n = snprintf(frame, sizeof frame, "id: %lld\nevent: agent\ndata: %s\n\n",
	    (long long)seq, data);
	*s = xreallocarray(*s, 1, *len + (size_t)n + 1);
	memcpy(*s + *len, frame, (size_t)n + 1);
	*len += (size_t)n;
}

/* "retry: 3000\n\n" and the frames of agent's items in from..to. */
static char *
expected(const char *agent, int64_t from, int64_t to)
{
	char	*s = xstrdup("retry: 3000\n\n");
	size_t	 len = strlen(s);
	int64_t	 seq;

	for (seq = from; seq <= to; seq++)
		if (agent == NULL || strcmp(agent_of(seq), agent) == 0)
			frame_append(&s, &len, seq);
	return (s);
}

static void
body_equal(const struct client *cl, const char *want)
{
	const char	*got = client_body(cl);

	assert_non_null(got);
	if (strcmp(got, want) != 0) {
		size_t	i = 0;

		while (got[i] != '\0' && got[i] == want[i])
			i++;
		fail_msg("body differs at byte %zu of %zu (want %zu):\n"
		    "got  ...%.120s\nwant ...%.120s", i, strlen(got),
		    strlen(want), got + (i > 40 ? i - 40 : 0),
		    want + (i > 40 ? i - 40 : 0));
	}
}

/* ---------------------------------------------------------------- tests */

/* The reply head, then live items of one agent only, in order. */
static void
test_live(void **state)
{
	struct client	*cl;
	char		*want;
	const char	*head;

	(void)state;
	start(10, 256 * 1024);
	cl = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(cl, "retry: 3000\n\n");
	assert_int_equal(dispatch_nsubscribers(disp), 1);
	head = cl->buf;
	assert_memory_equal(head, "HTTP/1.1 200 OK\r\n", 17);
	assert_non_null(strstr(head, "\r\nContent-Type: text/event-stream; "
	    "charset=utf-8\r\n"));
	assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));
	assert_non_null(strstr(head, "\r\nConnection: close\r\n"));
	assert_null(strstr(head, "Content-Length"));
	assert_string_equal(client_body(cl), "retry: 3000\n\n");

	store_items(1, 8);
	publish_items(1, 8);
	wait_text(cl, "id: 7\n");
	want = expected("alice", 1, 8);
	body_equal(cl, want);
	free(want);
	/* An item already sent (a seq not above the last) is not repeated. */
	publish_items(7, 7);
	store_items(9, 9);
	publish_items(9, 9);
	wait_text(cl, "id: 9\n");
	want = expected("alice", 1, 9);
	body_equal(cl, want);
	free(want);
}

/* A team subscriber sees every agent of its team, nothing of others. */
static void
test_team(void **state)
{
	struct store_stream_item	 it;
	struct client			*cl;
	char				*want, data[256];

	(void)state;
	start(10, 256 * 1024);
	cl = client_new("/v1/stream?team=t1", NULL, 1);
	wait_text(cl, "retry: 3000\n\n");
	item_make(1, "carol", "t2", &it, data, sizeof data);
	dispatch_publish(disp, &it);
	publish_items(2, 5);
	wait_text(cl, "id: 5\n");
	want = expected(NULL, 2, 5);
	body_equal(cl, want);
	free(want);
}

/*
 * Resume with Last-Event-ID: the stored items after it, in pages, then
 * the items published while those pages went out (stored ones, which
 * the replay finds itself, and one the store never saw, which only the
 * queue has), then live ones: each exactly once, in order.
 */
static void
test_resume(void **state)
{
	struct client	*cl;
	char		*want;
	const char	*last_backlog = "id: 7999\n";

	(void)state;
	/* A buffer small enough that the replay is paced by the reader. */
	start(10, 64 * 1024);
	store_items(1, 8000);
	cl = client_new("/v1/stream?agent=alice", "Last-Event-ID: 100\r\n", 1);
	wait_text(cl, "id: 101\n");
	if (strstr(cl->buf, last_backlog) != NULL)
		fail_msg("the replay finished in one go (%zu bytes)", cl->len);
	store_items(8001, 8010);
	publish_items(8001, 8010);
	publish_items(8011, 8013);	/* never stored */
	wait_text(cl, "id: 8013\n");
	store_items(8014, 8015);
	publish_items(8014, 8015);
	wait_text(cl, "id: 8015\n");
	want = expected("alice", 101, 8015);
	body_equal(cl, want);
	free(want);
}

/*
 * Last-Event-ID 0 replays everything (here in full pages of
 * DISPATCH_PAGE); one beyond the store, nothing.
 */
static void
test_resume_edges(void **state)
{
	struct client	*a, *b;
	char		*want;

	(void)state;
	start(10, 256 * 1024);
	store_items(1, 1400);
	a = client_new("/v1/stream?agent=alice", "Last-Event-ID: 0\r\n", 1);
	/* A database started afresh: ids restart below what it last saw. */
	b = client_new("/v1/stream?agent=alice", "Last-Event-ID: 5000\r\n",
	    1);
	wait_text(a, "id: 1399\n");
	wait_text(b, "retry: 3000\n\n");
	wait_nsubs(2);
	store_items(1401, 1401);
	publish_items(1401, 1401);
	wait_text(a, "id: 1401\n");
	wait_text(b, "id: 1401\n");
	want = expected("alice", 1, 1401);
	body_equal(a, want);
	free(want);
	want = expected("alice", 1401, 1401);
	body_equal(b, want);
	free(want);
}

/* The body without its keep-alive comments; a new string. */
static char *
strip_keepalives(const char *body)
{
	static const char	 ka[] = ": keep-alive\n\n";
	char			*s = xstrdup(body), *p;

	while ((p = strstr(s, ka)) != NULL)
		memmove(p, p + sizeof ka - 1, strlen(p + sizeof ka - 1) + 1);
	return (s);
}

/*
 * An idle stream gets a comment each keep-alive interval, between
 * events; a stream that was sent something since the last tick does not.
 */
static void
test_keepalive(void **state)
{
	struct client	*idle, *busy;
	char		*want, *got;
	int64_t		 seq = 0;

	(void)state;
	start(10, 256 * 1024);
	dispatch_set_keepalive_ms(disp, 100);
	idle = client_new("/v1/stream?agent=alice", NULL, 1);
	busy = client_new("/v1/stream?agent=bob", NULL, 1);
	wait_text(idle, ": keep-alive\n\n");
	assert_string_equal(client_body(idle),
	    "retry: 3000\n\n: keep-alive\n\n");
	wait_text(busy, "retry: 3000\n\n");
	/* bob gets an item every step, alice one now. */
	store_items(1, 1);
	publish_items(1, 1);
	while (strstr(client_body(idle), "id: 1\n") == NULL ||
	    strstr(strstr(client_body(idle), "id: 1\n"), ": keep-alive\n\n"
	    ": keep-alive\n\n") == NULL) {
		seq += 4;	/* bob's: 4, 8, ... */
		store_items(seq, seq);
		publish_items(seq, seq);
		step();
	}
	assert_memory_equal(client_body(idle), "retry: 3000\n\n: keep-alive"
	    "\n\n", 27);
	got = strip_keepalives(client_body(idle));
	want = expected("alice", 1, 1);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Before its first item bob was idle too. */
	if (strstr(strstr(client_body(busy), "id: 4\n"), ": keep-alive") !=
	    NULL)
		fail_msg("a busy stream got a keep-alive comment");
}

/*
 * A client that never reads is dropped once its unsent output passes the
 * buffer limit, with one log line naming it; a reading client on the
 * same filter keeps everything.
 */
static void
test_slow_dropped(void **state)
{
	struct client	*fast, *slow;
	char		*want, logpath[160], line[4096];
	FILE		*f;
	int64_t		 seq, deadline;
	int		 saved, fd, found = 0;

	(void)state;
	start(10, 16 * 1024);
	fast = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(fast, "retry: 3000\n\n");
	slow = client_new("/v1/stream?agent=alice", NULL, 0);
	wait_nsubs(2);

	snprintf(logpath, sizeof logpath, "%s/log", tdb.dir);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);

	/*
	 * Batches of 40 items (4 KB) a loop iteration: the reading client
	 * keeps up, the other fills the kernel's buffers, then ours.
	 */
	deadline = mono_ms() + WAIT_MS;
	for (seq = 1; dispatch_nsubscribers(disp) == 2; seq += 40) {
		if (mono_ms() > deadline)
			break;
		store_items(seq, seq + 39);
		publish_items(seq, seq + 39);
		step();
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(dispatch_nsubscribers(disp), 1);

	/* The fast one still gets everything, and more. */
	store_items(seq, seq);
	publish_items(seq, seq);
	snprintf(line, sizeof line, "id: %lld\n", (long long)(seq -
	    (strcmp(agent_of(seq), "alice") == 0 ? 0 : 1)));
	wait_text(fast, line);
	want = expected("alice", 1, seq);
	body_equal(fast, want);
	free(want);

	f = fopen(logpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, "dropped") != NULL) {
			found++;
			assert_non_null(strstr(line, "127.0.0.1:"));
			assert_non_null(strstr(line, "agent alice"));
			assert_non_null(strstr(line, "[stream] buffer"));
		}
	fclose(f);
	unlink(logpath);
	assert_int_equal(found, 1);
	(void)slow;
}

/* Beyond max_subscribers: 503 with the JSON error; room again later. */
static void
test_max_subscribers(void **state)
{
	struct client	*a, *b, *c, *d;
	json_t		*o;
	json_error_t	 je;

	(void)state;
	start(2, 256 * 1024);
	a = client_new("/v1/stream?agent=alice", NULL, 1);
	b = client_new("/v1/stream?team=t1", NULL, 1);
	wait_text(a, "retry: 3000\n\n");
	wait_text(b, "retry: 3000\n\n");
	c = client_new("/v1/stream?agent=bob", NULL, 1);
	wait_text(c, "}}");
	assert_memory_equal(c->buf, "HTTP/1.1 503 Service Unavailable\r\n",
	    34);
	assert_non_null(strstr(c->buf, "\r\nContent-Type: application/json; "
	    "charset=utf-8\r\n"));
	o = json_loads(client_body(c), 0, &je);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    o, "error"), "code")), "unavailable");
	json_decref(o);
	assert_int_equal(dispatch_nsubscribers(disp), 2);

	/* A client that leaves is noticed, and its place taken. */
	client_close(a);
	wait_nsubs(1);
	d = client_new("/v1/stream?agent=bob", NULL, 1);
	wait_text(d, "retry: 3000\n\n");
	assert_int_equal(dispatch_nsubscribers(disp), 2);
}

/* dispatch_close_all() ends every stream after what was queued. */
static void
test_close_all(void **state)
{
	struct client	*a, *b, *c;
	char		*want;

	(void)state;
	start(10, 256 * 1024);
	a = client_new("/v1/stream?agent=alice", NULL, 1);
	b = client_new("/v1/stream?team=t1", NULL, 1);
	wait_nsubs(2);
	store_items(1, 3);
	publish_items(1, 3);
	dispatch_close_all(disp);
	assert_int_equal(dispatch_nsubscribers(disp), 0);
	run_until(is_eof, a, "EOF on a");
	run_until(is_eof, b, "EOF on b");
	want = expected("alice", 1, 3);
	body_equal(a, want);
	free(want);
	want = expected(NULL, 1, 3);
	body_equal(b, want);
	free(want);
	/* Shutting down: no new streams. */
	c = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(c, "}}");
	assert_memory_equal(c->buf, "HTTP/1.1 503 ", 13);
	assert_non_null(strstr(c->buf, "shutting down"));
}

/* http_server_stop() ends streams too, telling dispatch. */
static void
test_server_stop(void **state)
{
	struct client	*a;

	(void)state;
	start(10, 256 * 1024);
	a = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(a, "retry: 3000\n\n");
	http_server_stop(srv);
	assert_int_equal(dispatch_nsubscribers(disp), 0);
	run_until(is_eof, a, "EOF");
	assert_int_equal(http_server_nconns(srv), 0);
}

/* A client sending more after its request is ignored, not answered. */
static void
test_input_ignored(void **state)
{
	struct client	*a;
	char		*want;
	static const char more[] = "GET /other HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	start(10, 256 * 1024);
	a = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(a, "retry: 3000\n\n");
	assert_int_equal(send(a->fd, more, sizeof more - 1, 0),
	    (ssize_t)sizeof more - 1);
	store_items(1, 1);
	publish_items(1, 1);
	wait_text(a, "id: 1\n");
	want = expected("alice", 1, 1);
	body_equal(a, want);
	free(want);
	assert_int_equal(dispatch_nsubscribers(disp), 1);
	/* Half-closing (EOF) ends the stream. */
	shutdown(a->fd, SHUT_WR);
	wait_nsubs(0);
}

/* Data with a line break becomes several data: lines (SSE framing). */
static void
test_multiline_data(void **state)
{
	struct store_stream_item	 it;
	struct client			*a;

	(void)state;
	start(10, 256 * 1024);
	a = client_new("/v1/stream?agent=alice", NULL, 1);
	wait_text(a, "retry: 3000\n\n");
	memset(&it, 0, sizeof it);
	it.seq = 1;
	it.event = "suggestion";
	it.agent = "alice";
	it.team = "t1";
	it.data = "{\"a\":\n1,\r\n\"b\":\r2}";
	dispatch_publish(disp, &it);
	wait_text(a, "2}\n\n");
	assert_string_equal(client_body(a), "retry: 3000\n\nid: 1\n"
	    "event: suggestion\ndata: {\"a\":\ndata: 1,\ndata: \"b\":\n"
	    "data: 2}\n\n");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)
	const struct CMUnitTest tests[] = {
		T(test_live),
		T(test_team),
		T(test_resume),
		T(test_resume_edges),
		T(test_keepalive),
		T(test_slow_dropped),
		T(test_max_subscribers),
		T(test_close_all),
		T(test_server_stop),
		T(test_input_ignored),
		T(test_multiline_data),
	};
#undef T

	return (cmocka_run_group_tests_name("dispatch", tests, group_setup,
	    group_teardown));
}
