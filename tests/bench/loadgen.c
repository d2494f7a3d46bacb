/*
 * respite - a small HTTP/1.1 load generator for `make bench`.
 *
 * N keep-alive connections to one address, each sending its next request
 * only when the reply to the last one is complete (no pipelining): a
 * closed loop, like N clients that each wait for their answer.  The
 * latency of every request, from its first byte written to the last byte
 * of its reply read, is kept, and at the end one line of key=value pairs
 * gives requests and events a second, p50, p99 and the worst latency;
 * tests/bench/run.sh reads it.
 *
 * POST bodies come from an NDJSON file of events mapped into memory: with
 * -b 1 a request carries the next line as one JSON object, with -b N the
 * next N lines as an NDJSON body.  A body is thus a slice of the file and
 * costs nothing to build, so the generator spends its CPU on the sockets
 * (it shares the machine with the server it measures).  GET paths come
 * from a file of paths, one a line, taken in turn.  The reply's
 * "accepted" count is summed, so the caller can check that every event
 * acknowledged is in the database afterwards.
 *
 * -r paces the requests: the k-th starts no earlier than k / RATE
 * seconds after the first, for latency at a given load rather than at
 * the most the server can take.
 *
 * Linux only (epoll, edge-triggered); the benchmarks run on 127.0.0.1.
 */
#include "build.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LG_MAXCONNS	4096
#define LG_HEAD_MAX	512
#define LG_IN_MIN	4096

enum lg_state {
	LG_IDLE,	/* no request in flight */
	LG_SENDING,
	LG_READING
};

struct lg_conn {
	int		 fd;
	enum lg_state	 state;
	char		 head[LG_HEAD_MAX];
	struct iovec	 iov[2];
	int		 iovcnt;
	char		*in;
	size_t		 inlen, incap;
	double		 t_start;
	size_t		 nevents;
};

struct lg {
	struct sockaddr_in	 sa;
	const char		*host;
	const char		*post_path;
	int			 get;		/* -g: GET paths */
	int			 status;	/* expected */
	size_t			 per_req;	/* -b */
	double			 duration, warmup, timeout;
	double			 rate;		/* requests a second, 0: any */
	unsigned long		 max_requests;	/* 0: no limit */
	int			 exhausted;	/* no more requests to start */

	/* The mapped file: events (POST) or paths (GET). */
	const char		*data, *cur, *end;
	size_t			 datalen;
	const char		**paths;
	size_t			 npaths, next_path;

	int			 ep;
	struct lg_conn		*conns;
	int			 nconns;

	double			 t0, t_measure, t_last;
	unsigned long		 started, done, counted, errors, bad_status;
	unsigned long		 events, accepted;
	double			*lat;		/* ms, of counted requests */
	size_t			 nlat, latcap;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
lg_realloc(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		die("out of memory");
	if ((p = realloc(p, n * size)) == NULL)
		die("out of memory");
	return (p);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
map_file(struct lg *lg, const char *path)
{
	struct stat	 sb;
	void		*p;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		die("%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1)
		die("%s: %s", path, strerror(errno));
	if (sb.st_size == 0)
		die("%s: empty", path);
	/* Populated now, so no page fault lands inside the measurement. */
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE |
	    MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
		die("%s: mmap: %s", path, strerror(errno));
	close(fd);
	lg->data = lg->cur = p;
	lg->datalen = (size_t)sb.st_size;
	lg->end = lg->data + lg->datalen;
}

/* Skip n non-empty lines of the events file (-k). */
static void
skip_lines(struct lg *lg, unsigned long n)
{
	const char	*nl;

	while (n > 0 && lg->cur < lg->end) {
		if ((nl = memchr(lg->cur, '\n', lg->end - lg->cur)) == NULL)
			nl = lg->end - 1;
		if (nl > lg->cur)
			n--;
		lg->cur = nl + 1;
	}
}

static void
load_paths(struct lg *lg)
{
	const char	*p, *nl;
	size_t		 cap = 0;

	for (p = lg->data; p < lg->end; p = nl + 1) {
		if ((nl = memchr(p, '\n', lg->end - p)) == NULL)
			nl = lg->end;
		if (nl == p)
			continue;
		if (lg->npaths == cap) {
			cap = cap == 0 ? 1024 : cap * 2;
			lg->paths = lg_realloc(lg->paths, cap,
			    sizeof *lg->paths);
		}
		lg->paths[lg->npaths++] = p;
	}
	if (lg->npaths == 0)
		die("no paths");
}

/*
 * Set up c's next request.  Returns 0, 1 if it is not due yet (-r), or
 * -1 if there is none (the events are used up, or the time or the
 * request count is).
 */
static int
next_request(struct lg *lg, struct lg_conn *c, double now)
{
	const char	*body, *nl, *path, *ctype;
	size_t		 n, blen, plen;
	int		 len;

	if (now - lg->t0 >= lg->duration ||
	    (lg->max_requests != 0 && lg->started >= lg->max_requests)) {
		lg->exhausted = 1;
		return (-1);
	}
	if (lg->rate > 0 && now < lg->t0 + (double)lg->started / lg->rate)
		return (1);
	if (lg->get) {
		path = lg->paths[lg->next_path++ % lg->npaths];
		nl = memchr(path, '\n', lg->end - path);
		plen = (nl != NULL ? nl : lg->end) - path;
		len = snprintf(c->head, sizeof c->head, "GET %.*s HTTP/1.1\r\n"
		    "Host: %s\r\n\r\n", (int)plen, path, lg->host);
		c->iovcnt = 1;
		c->nevents = 0;
	} else {
		while (lg->cur < lg->end && *lg->cur == '\n')
			lg->cur++;
		if (lg->cur >= lg->end) {
			lg->exhausted = 1;
			return (-1);
		}
		body = lg->cur;
		for (n = 0; n < lg->per_req && lg->cur < lg->end; ) {
			if ((nl = memchr(lg->cur, '\n', lg->end - lg->cur)) ==
			    NULL)
				nl = lg->end - 1;
			if (nl > lg->cur || *nl != '\n')
				n++;
			lg->cur = nl + 1;
		}
		blen = lg->cur - body;
		if (lg->per_req == 1) {
			/* One object: the line without its newline. */
			if (blen > 0 && body[blen - 1] == '\n')
				blen--;
			ctype = "application/json";
		} else
			ctype = "application/x-ndjson";
		len = snprintf(c->head, sizeof c->head, "POST %s HTTP/1.1\r\n"
		    "Host: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		    "\r\n", lg->post_path, lg->host, ctype, blen);
		c->iov[1].iov_base = (void *)body;
		c->iov[1].iov_len = blen;
		c->iovcnt = 2;
		c->nevents = n;
	}
	if (len < 0 || (size_t)len >= sizeof c->head)
		die("request head too long");
	c->iov[0].iov_base = c->head;
	c->iov[0].iov_len = (size_t)len;
	c->state = LG_SENDING;
	c->inlen = 0;
	c->t_start = now;
	lg->started++;
	return (0);
}

static void
conn_open(struct lg *lg, struct lg_conn *c)
{
	struct epoll_event	ee;
	int			one = 1;

	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&lg->sa, sizeof lg->sa) == -1)
		die("connect %s: %s", lg->host, strerror(errno));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) == -1)
		die("fcntl: %s", strerror(errno));
	memset(&ee, 0, sizeof ee);
	ee.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
	ee.data.ptr = c;
	if (epoll_ctl(lg->ep, EPOLL_CTL_ADD, c->fd, &ee) == -1)
		die("epoll_ctl: %s", strerror(errno));
	c->state = LG_IDLE;
	c->inlen = 0;
}

/* A failed request: count it, and start over on a new connection. */
static void
conn_fail(struct lg *lg, struct lg_conn *c)
{
	lg->errors++;
	close(c->fd);
	conn_open(lg, c);
}

static void
record(struct lg *lg, struct lg_conn *c, double now)
{
	lg->done++;
	lg->t_last = now;
	if (c->t_start < lg->t_measure)
		return;
	lg->counted++;
	lg->events += c->nevents;
	if (lg->nlat == lg->latcap) {
		lg->latcap = lg->latcap == 0 ? 65536 : lg->latcap * 2;
		lg->lat = lg_realloc(lg->lat, lg->latcap, sizeof *lg->lat);
	}
	lg->lat[lg->nlat++] = (now - c->t_start) * 1e3;
}

/* Write what is left of c's request.  Returns -1 on a dead socket. */
static int
conn_send(struct lg_conn *c)
{
	ssize_t	n;
	size_t	k;
	int	i;

	while (c->state == LG_SENDING) {
		for (i = 0; i < c->iovcnt && c->iov[i].iov_len == 0; i++)
			;
		if (i == c->iovcnt) {
			c->state = LG_READING;
			break;
		}
		n = writev(c->fd, c->iov + i, c->iovcnt - i);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return (0);
			return (-1);
		}
		for (k = (size_t)n; k > 0 && i < c->iovcnt; i++) {
			size_t	m = k < c->iov[i].iov_len ? k :
			    c->iov[i].iov_len;

			c->iov[i].iov_base = (char *)c->iov[i].iov_base + m;
			c->iov[i].iov_len -= m;
			k -= m;
		}
	}
	return (0);
}

/*
 * Is a whole reply in c->in?  Returns its length (head and body) with
 * *status, *close_after and *accepted set, 0 if more is needed, -1 if it
 * is not HTTP.
 */
static ssize_t
reply_complete(struct lg_conn *c, int *status, int *close_after,
    unsigned long *accepted)
{
	const char	*p, *hend, *line, *acc;
	size_t		 hlen, clen = 0;
	char		*ep;

	if (c->inlen < 12)
		return (0);
	c->in[c->inlen] = '\0';
	if ((hend = strstr(c->in, "\r\n\r\n")) == NULL)
		return (c->inlen > 65536 ? -1 : 0);
	hlen = hend + 4 - c->in;
	if (strncmp(c->in, "HTTP/1.", 7) != 0)
		return (-1);
	*status = atoi(c->in + 9);
	*close_after = 0;
	for (line = strstr(c->in, "\r\n") + 2; line < hend;
	    line = strstr(line, "\r\n") + 2) {
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = strtoul(line + 15, &ep, 10);
		else if (strncasecmp(line, "Connection:", 11) == 0) {
			for (p = line + 11; *p == ' '; p++)
				;
			if (strncasecmp(p, "close", 5) == 0)
				*close_after = 1;
		}
	}
	if (c->inlen < hlen + clen)
		return (0);
	*accepted = 0;
	if ((acc = strstr(hend, "\"accepted\":")) != NULL &&
	    acc < c->in + hlen + clen)
		*accepted = strtoul(acc + 11, &ep, 10);
	return ((ssize_t)(hlen + clen));
}

/* Read what is there.  Returns 1 when a reply completed, 0, or -1. */
static int
conn_recv(struct lg *lg, struct lg_conn *c, double now)
{
	unsigned long	accepted;
	ssize_t		n, whole;
	int		status, close_after;

	for (;;) {
		if (c->incap - c->inlen < LG_IN_MIN) {
			c->incap = c->incap == 0 ? 4 * LG_IN_MIN : c->incap * 2;
			c->in = lg_realloc(c->in, c->incap, 1);
		}
		n = read(c->fd, c->in + c->inlen, c->incap - c->inlen - 1);
		if (n == 0)
			return (-1);
		if (n == -1) {
			if (errno == EAGAIN)
				break;
			if (errno == EINTR)
				continue;
			return (-1);
		}
		c->inlen += (size_t)n;
	}
	if (c->state != LG_READING && c->state != LG_SENDING)
		return (c->inlen > 0 ? -1 : 0);
	if ((whole = reply_complete(c, &status, &close_after, &accepted)) <= 0)
		return (whole < 0 ? -1 : 0);
	if ((size_t)whole != c->inlen)
		return (-1);	/* more than one reply: not ours */
	c->inlen = 0;
	c->state = LG_IDLE;
	if (status != lg->status) {
		lg->bad_status++;
		if (lg->bad_status <= 3)
			fprintf(stderr, "loadgen: status %d, expected %d\n",
			    status, lg->status);
	} else
		lg->accepted += accepted;
	record(lg, c, now);
	if (close_after) {
		close(c->fd);
		conn_open(lg, c);
	}
	return (1);
}

/* Send requests on c until one has to wait. */
static void
conn_drive(struct lg *lg, struct lg_conn *c, double now)
{
	if (c->state == LG_IDLE && next_request(lg, c, now) != 0)
		return;
	if (conn_send(c) == -1)
		conn_fail(lg, c);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
percentile(const struct lg *lg, double q)
{
	size_t	i;

	if (lg->nlat == 0)
		return (0);
	i = (size_t)ceil(q * (double)lg->nlat);
	if (i > 0)
		i--;
	if (i >= lg->nlat)
		i = lg->nlat - 1;
	return (lg->lat[i]);
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen -a HOST:PORT (-e EVENTS [-b N] "
	    "[-k SKIP] [-p PATH] | -g PATHS)\n"
	    "               [-c CONNS] [-d SECONDS] [-n REQUESTS] "
	    "[-r RATE] [-s STATUS]\n"
	    "               [-t TIMEOUT] [-w WARMUP]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct lg		 lg;
	struct epoll_event	 evs[256];
	struct lg_conn		*c;
	const char		*events = NULL, *paths = NULL, *colon;
	char			 host[64];
	unsigned long		 skip = 0;
	double			 now, secs, due;
	int			 ch, i, n, busy, idle, wait_ms;

	memset(&lg, 0, sizeof lg);
	lg.nconns = 1;
	lg.per_req = 1;
	lg.duration = 10;
	lg.timeout = 10;
	lg.post_path = "/v1/events";
	lg.sa.sin_family = AF_INET;
	while ((ch = getopt(argc, argv, "a:b:c:d:e:g:k:n:p:r:s:t:w:")) != -1) {
		switch (ch) {
		case 'a':
			if ((colon = strrchr(optarg, ':')) == NULL ||
			    (size_t)(colon - optarg) >= sizeof host)
				usage();
			snprintf(host, sizeof host, "%.*s",
			    (int)(colon - optarg), optarg);
			if (inet_pton(AF_INET, host, &lg.sa.sin_addr) != 1)
				die("%s: not a numeric IPv4 address", host);
			lg.sa.sin_port = htons((uint16_t)atoi(colon + 1));
			lg.host = optarg;
			break;
		case 'b':
			lg.per_req = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			lg.nconns = atoi(optarg);
			break;
		case 'd':
			lg.duration = atof(optarg);
			break;
		case 'e':
			events = optarg;
			break;
		case 'g':
			paths = optarg;
			break;
		case 'k':
			skip = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			lg.max_requests = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			lg.post_path = optarg;
			break;
		case 'r':
			lg.rate = atof(optarg);
			break;
		case 's':
			lg.status = atoi(optarg);
			break;
		case 't':
			lg.timeout = atof(optarg);
			break;
		case 'w':
			lg.warmup = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (lg.host == NULL || (events == NULL) == (paths == NULL) ||
	    lg.nconns < 1 || lg.nconns > LG_MAXCONNS || lg.per_req < 1 ||
	    lg.duration <= 0 || lg.warmup < 0 || lg.warmup >= lg.duration ||
	    lg.rate < 0)
		usage();
	if (paths != NULL) {
		lg.get = 1;
		map_file(&lg, paths);
		load_paths(&lg);
		if (lg.status == 0)
			lg.status = 200;
	} else {
		map_file(&lg, events);
		skip_lines(&lg, skip);
		if (lg.status == 0)
			lg.status = 202;
	}

	if ((lg.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	lg.conns = lg_realloc(NULL, (size_t)lg.nconns, sizeof *lg.conns);
	memset(lg.conns, 0, (size_t)lg.nconns * sizeof *lg.conns);
	for (i = 0; i < lg.nconns; i++)
		conn_open(&lg, &lg.conns[i]);

	lg.t0 = lg.t_last = now_s();
	lg.t_measure = lg.t0 + lg.warmup;
	idle = 0;
	for (i = 0; i < lg.nconns; i++) {
		conn_drive(&lg, &lg.conns[i], lg.t0);
		idle += lg.conns[i].state == LG_IDLE;
	}
	for (;;) {
		/* Paced: wake up for the next request if a connection is free. */
		wait_ms = 50;
		if (lg.rate > 0 && !lg.exhausted && idle > 0) {
			due = lg.t0 + (double)lg.started / lg.rate - now_s();
			if (due <= 0)
				wait_ms = 0;
			else if (due < 0.05)
				wait_ms = (int)ceil(due * 1e3);
		}
		n = epoll_wait(lg.ep, evs, sizeof evs / sizeof evs[0], wait_ms);
		if (n == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		now = now_s();
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if ((evs[i].events & EPOLLOUT) &&
			    c->state == LG_SENDING && conn_send(c) == -1) {
				conn_fail(&lg, c);
				continue;
			}
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLERR |
			    EPOLLHUP)) {
				switch (conn_recv(&lg, c, now)) {
				case -1:
					conn_fail(&lg, c);
					break;
				case 1:
					conn_drive(&lg, c, now);
					break;
				}
			}
		}
		busy = idle = 0;
		for (i = 0; i < lg.nconns; i++) {
			c = &lg.conns[i];
			if (c->state == LG_IDLE)
				conn_drive(&lg, c, now);
			if (c->state == LG_IDLE) {
				idle++;
				continue;
			}
			if (now - c->t_start > lg.timeout) {
				fprintf(stderr, "loadgen: a request timed out "
				    "after %.0f s\n", lg.timeout);
				conn_fail(&lg, c);
				continue;
			}
			busy = 1;
		}
		if (!busy && lg.exhausted)
			break;
	}

	secs = lg.t_last - lg.t_measure;
	if (secs <= 0)
		secs = 1e-9;
	qsort(lg.lat, lg.nlat, sizeof *lg.lat, cmp_double);
	printf("requests=%lu events=%lu accepted=%lu seconds=%.3f "
	    "rps=%.0f eps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
	    "max_ms=%.3f errors=%lu bad_status=%lu conns=%d rate=%.0f\n",
	    lg.counted,
	    lg.events, lg.accepted, secs, (double)lg.counted / secs,
	    (double)lg.events / secs, percentile(&lg, 0.50),
	    percentile(&lg, 0.90), percentile(&lg, 0.99),
	    percentile(&lg, 1.0), lg.errors, lg.bad_status, lg.nconns,
	    lg.rate);
	for (i = 0; i < lg.nconns; i++) {
		close(lg.conns[i].fd);
		free(lg.conns[i].in);
	}
	free(lg.conns);
	free(lg.lat);
	free(lg.paths);
	munmap((void *)lg.data, lg.datalen);
	close(lg.ep);
	return (lg.errors == 0 && lg.bad_status == 0 ? 0 : 1);
}
