/*
 * respite - HTTP/1.1 server.
 *
 * Our own small server on bufferevents rather than libevent's evhttp,
 * because the API contract needs things evhttp cannot give: a JSON body
 * on every error (evhttp answers 413 and 400 with its own HTML), replies
 * deferred until a group commit is durable, a hard connection limit, and
 * per-request deadlines against slow clients.
 *
 * A connection handles one request at a time.  While a request is being
 * handled nothing more is read; the next pipelined request is parsed only
 * after the previous reply has been handed to the kernel, so one busy
 * client cannot keep the loop to itself.  Timeouts: idle_timeout between
 * requests, request_timeout from a request's first byte to its last and
 * for writing a reply.
 *
 * A handler may instead start a stream (Server-Sent Events): headers
 * without Content-Length, then writes for as long as the connection
 * lives, ended by closing it.  A streaming connection reads on, only to
 * notice EOF, and throws away whatever the client sends; it has no read
 * timeout (the stream's own keep-alive comments are what keeps proxies
 * from thinking it idle), but keeps the write timeout, so a client that
 * stops reading is dropped.  Its owner hears of the end through a close
 * callback, exactly once, whoever ends it.
 *
 * A new connection must send its first request's whole head within
 * header_timeout, or it is closed: silent connections cannot keep the
 * slots for the idle timeout.  At max_connections a new connection
 * takes the slot of the one idle longest (waiting for a request, or for
 * the head of its first one), which is closed; only when none is idle
 * (every one handling, writing or streaming) is the new connection
 * answered 503 and closed at once.  When accept() itself fails for want of descriptors (EMFILE,
 * ENFILE) the listening socket stays readable, and libevent would call
 * us back at once, forever: instead every listener pauses for
 * HTTP_ACCEPT_PAUSE_MS and the waiting clients stay in the kernel's
 * backlog until descriptors are free again.  Both are logged once per
 * episode, not once per connection, so a flood cannot flood the log.
 */
#include "build.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_ACCEPT_PAUSE_MS	200	/* after accept() ran out of fds */
/* Body buffers up to this size are kept from one request to the next. */
#define HTTP_BODY_KEEP		16384
/* Input buffered while a request is handled (pipelining), and a head. */
#define HTTP_READ_MAX		(HTTP_HEAD_MAX + 65536)
/* Unset (0) limits on unsent reply bytes: [server] max_unsent's defaults. */
#define HTTP_UNSENT_DEFAULT	(64 * 1024)
#define HTTP_UNSENT_TOTAL_DEFAULT (16 * 1024 * 1024)

enum conn_state {
	CONN_IDLE,	/* waiting for a request's first byte */
	CONN_HEAD,
	CONN_BODY,
	CONN_HANDLING,	/* the handler owns the request */
	CONN_WRITING,	/* the reply is being written */
	CONN_STREAMING	/* a streamed reply: until either side closes */
};

struct http_conn {
	struct http_server	*srv;
	struct bufferevent	*bev;
	struct event		*deadline;
	TAILQ_ENTRY(http_conn)	 entry;
	TAILQ_ENTRY(http_conn)	 idle_entry;	/* on srv->idle */
	int			 on_idle;
	int			 had_head;	/* a request head came */
	enum conn_state		 state;
	struct http_request	 req;
	int			 have_req;
	struct http_chunked	 chunked;
	char			*body;
	size_t			 body_len, body_cap;
	int			 close_after;
	int			 head_only;	/* HEAD: reply without body */
	char			 peer[64];
	http_stream_cb		 stream_drain;	/* CONN_STREAMING only */
	http_stream_cb		 stream_close;	/* NULL once called */
	void			*stream_arg;
	char			 cors[HTTP_CORS_MAX];	/* this request's */
	http_fill_cb		 fill;		/* a reply in pieces, until done */
	http_fill_free_cb	 fill_free;
	void			*fill_arg;
	int			 fill_chunked;	/* else ended by the close */
	TAILQ_ENTRY(http_conn)	 wait_entry;	/* on srv->waiting */
	int			 on_wait;
	size_t			 unsent;	/* in its output buffer */
	struct evbuffer_cb_entry *unsent_entry;
};

struct http_listener {
	struct evconnlistener	*lev;
	char			 address[80];
};

struct http_server {
	struct event_base		*base;
	http_handler_cb			 handler;
	void				*arg;
	struct http_limits		 limits;
	struct http_listener		 listeners[16];
	size_t				 nlisteners;
	TAILQ_HEAD(, http_conn)		 conns;
	/* Idle connections, the longest idle first: taken at the limit. */
	TAILQ_HEAD(, http_conn)		 idle;
	size_t				 nconns;
	int				 stopping;
	struct event			*accept_resume;	/* after a pause */
	int				 accept_failing;	/* out of fds, logged */
	int				 refusing;	/* at max_connections */
	uint64_t			 nrefused;	/* ever, for /metrics */
	uint64_t			 nrefused_episode;
	uint64_t			 naccept_pauses;
	uint64_t			 nevicted;	/* closed for a new one */
	uint64_t			 nheader_timeouts;
	struct evbuffer			*reply;		/* http_reply's, empty */
	struct evbuffer			*piece;		/* a fill's, empty */
	size_t				 unsent;	/* in every output buffer */
	/* Replies in pieces waiting for unsent to fall under the total. */
	TAILQ_HEAD(, http_conn)		 waiting;
	struct event			*wake;
	uint64_t			 nunsent_waits;
};

static void	conn_read(struct http_conn *);
static void	conn_free(struct http_conn *);
static void	conn_fill(struct http_conn *);
static void	unsent_sub(struct http_server *, size_t);

static const struct timeval http_zero_delay = { 0, 0 };

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return ("OK");
	case 201: return ("Created");
	case 202: return ("Accepted");
	case 204: return ("No Content");
	case 304: return ("Not Modified");
	case 400: return ("Bad Request");
	case 401: return ("Unauthorized");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 405: return ("Method Not Allowed");
	case 409: return ("Conflict");
	case 413: return ("Content Too Large");
	case 429: return ("Too Many Requests");
	case 500: return ("Internal Server Error");
	case 503: return ("Service Unavailable");
	case 505: return ("HTTP Version Not Supported");
	default: return ("Unknown");
	}
}

/* The Date header's value; it changes once a second. */
static const char *
http_date(void)
{
	static char	 date[64];
	static time_t	 last = -1;
	struct tm	 tm;
	time_t		 t;

	if ((t = time(NULL)) != last) {
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = t;
	}
	return (date);
}

/* c becomes idle: the newest of the idle connections. */
static void
idle_add(struct http_conn *c)
{
	if (c->on_idle)
		return;
	TAILQ_INSERT_TAIL(&c->srv->idle, c, idle_entry);
	c->on_idle = 1;
}

static void
idle_remove(struct http_conn *c)
{
	if (!c->on_idle)
		return;
	TAILQ_REMOVE(&c->srv->idle, c, idle_entry);
	c->on_idle = 0;
}

static void
conn_set_timeouts(struct http_conn *c)
{
	struct timeval	rd, wr;

	rd.tv_sec = c->state == CONN_IDLE ? c->srv->limits.idle_timeout_s :
	    c->srv->limits.request_timeout_s;
	rd.tv_usec = 0;
	wr.tv_sec = c->srv->limits.request_timeout_s;
	wr.tv_usec = 0;
	bufferevent_set_timeouts(c->bev, &rd, &wr);
}

static void
conn_reset(struct http_conn *c)
{
	if (c->have_req)
		http_request_clear(&c->req);
	c->have_req = 0;
	memset(&c->chunked, 0, sizeof c->chunked);
	/*
	 * The body may hold message text: wiped once the request is done
	 * (wipe.c).  A small body buffer stays for the next request.
	 */
	if (c->body != NULL)
		explicit_bzero(c->body, c->body_cap);
	if (c->body_cap > HTTP_BODY_KEEP) {
		free(c->body);
		c->body = NULL;
		c->body_cap = 0;
	}
	c->body_len = 0;
	c->head_only = 0;
	c->state = CONN_IDLE;
	evtimer_del(c->deadline);
	idle_add(c);
}

/* A reply in pieces is complete, or its connection goes: free its state. */
static void
fill_done(struct http_conn *c)
{
	http_fill_free_cb	cb = c->fill_free;

	c->fill = NULL;
	c->fill_free = NULL;
	if (cb != NULL)
		cb(c->fill_arg);
	c->fill_arg = NULL;
}

static void
wait_remove(struct http_conn *c)
{
	if (!c->on_wait)
		return;
	TAILQ_REMOVE(&c->srv->waiting, c, wait_entry);
	c->on_wait = 0;
}

/*
 * Every change to a connection's output buffer: srv->unsent is the sum
 * of them all (each connection's share in c->unsent).  When it falls
 * under max_unsent_total, replies waiting to make their next piece go on
 * (from the loop, not from in here).
 */
static void
unsent_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*c = arg;

	(void)buf;
	c->unsent += info->n_added;
	c->unsent -= info->n_deleted;
	unsent_sub(c->srv, info->n_deleted);
	c->srv->unsent += info->n_added;
}

static void
unsent_sub(struct http_server *srv, size_t n)
{
	srv->unsent -= n;
	if (n > 0 && !TAILQ_EMPTY(&srv->waiting) &&
	    srv->unsent < srv->limits.max_unsent_total)
		evtimer_add(srv->wake, &http_zero_delay);
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*srv = arg;
	struct http_conn	*c;

	(void)fd;
	(void)what;
	while (srv->unsent < srv->limits.max_unsent_total &&
	    (c = TAILQ_FIRST(&srv->waiting)) != NULL) {
		wait_remove(c);
		conn_fill(c);
	}
}

/* Tell a stream's owner it has ended; at most once. */
static void
stream_closed(struct http_conn *c)
{
	http_stream_cb	cb = c->stream_close;

	c->stream_close = NULL;
	c->stream_drain = NULL;
	if (cb != NULL)
		cb(c, c->stream_arg);
}

static void
conn_free(struct http_conn *c)
{
	struct http_server	*srv = c->srv;

	stream_closed(c);
	fill_done(c);
	conn_reset(c);
	idle_remove(c);
	wait_remove(c);
	free(c->body);		/* wiped by conn_reset */
	TAILQ_REMOVE(&srv->conns, c, entry);
	srv->nconns--;
	event_free(c->deadline);
	/*
	 * What was never sent leaves srv->unsent here: the output buffer
	 * cannot be drained (libevent keeps its start frozen outside its
	 * own writes), and freeing it calls no callback.
	 */
	evbuffer_remove_cb_entry(bufferevent_get_output(c->bev),
	    c->unsent_entry);
	unsent_sub(srv, c->unsent);
	bufferevent_free(c->bev);
	free(c);
}

/*
 * A reply's status line and headers; framing is its Content-Length or
 * Transfer-Encoding line, or "" (a body ended by the close).
 */
static void
reply_head(struct http_conn *c, struct evbuffer *msg, int status,
    const char *type, const char *framing, const char *extra)
{
	/* no-store, unless extra says otherwise (the web page's files). */
	evbuffer_add_printf(msg, "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Server: respited/" PACKAGE_VERSION "\r\n"
	    "Content-Type: %s\r\n%s"
	    "%s%s%s%s\r\n", status, status_text(status),
	    http_date(), type, framing, extra != NULL &&
	    strstr(extra, "Cache-Control:") !=
	    NULL ? "" : "Cache-Control: no-store\r\n",
	    c->close_after ? "Connection: close\r\n" : "",
	    extra != NULL ? extra : "", c->cors);
}

/*
 * Queue a reply.  extra is NULL or more header lines, each ending in
 * "\r\n".  The connection goes on (or closes) once it is written.
 */
void
http_reply(struct http_conn *c, int status, const char *type,
    const char *body, size_t len, const char *extra)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev), *msg;
	char		 framing[48];
	int		 direct;

	if (c->state != CONN_HANDLING && c->state != CONN_HEAD &&
	    c->state != CONN_BODY && c->state != CONN_IDLE) {
		log_warnx("http: %s: second reply to one request dropped",
		    c->peer);
		return;
	}
	if (c->srv->stopping)
		c->close_after = 1;
	/*
	 * With nothing queued before it (a 100 Continue may be), the reply
	 * is written to the socket at once, and the write callback is run
	 * from the loop as if the bufferevent had written it.  That saves
	 * adding and removing the write event: two epoll_ctl calls, and a
	 * turn of the loop, a request.  What the socket does not take goes
	 * through the bufferevent as before.
	 */
	direct = evbuffer_get_length(out) == 0;
	msg = direct ? c->srv->reply : out;
	snprintf(framing, sizeof framing, "Content-Length: %zu\r\n", len);
	reply_head(c, msg, status, type, framing, extra);
	/* A 304 has no body; its Content-Length is the 200's (RFC 9110). */
	if (!c->head_only && status != 304 && len > 0)
		evbuffer_add(msg, body, len);
	c->state = CONN_WRITING;
	evtimer_del(c->deadline);
	if (direct) {
		/* Errors: the bufferevent meets them again, and reports. */
		(void)evbuffer_write(msg, bufferevent_getfd(c->bev));
		if (evbuffer_get_length(msg) == 0) {
			bufferevent_trigger(c->bev, EV_WRITE,
			    BEV_TRIG_DEFER_CALLBACKS);
			return;
		}
		evbuffer_add_buffer(out, msg);
	}
	if (!(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
}

/* Reply with a JSON body; steals obj. */
void
http_reply_json(struct http_conn *c, int status, json_t *obj,
    const char *extra)
{
	char	*s;

	if ((s = json_dumps(obj, JSON_COMPACT)) == NULL)
		fatalx("http_reply_json: out of memory");
	json_decref(obj);
	http_reply(c, status, "application/json; charset=utf-8", s,
	    strlen(s), extra);
	free(s);
}

void
http_reply_error(struct http_conn *c, const struct api_error *err,
    const char *extra)
{
	char	*s;

	s = api_error_json(err);
	http_reply(c, err->status, "application/json; charset=utf-8", s,
	    strlen(s), extra);
	free(s);
}

/*
 * Move what fill callbacks wrote (srv->piece) to the output: one chunk of
 * a chunked body, or as is.
 */
static void
piece_flush(struct http_conn *c, struct evbuffer *out)
{
	struct evbuffer	*piece = c->srv->piece;
	size_t		 len = evbuffer_get_length(piece);

	if (len == 0)
		return;
	if (c->fill_chunked)
		evbuffer_add_printf(out, "%zx\r\n", len);
	evbuffer_add_buffer(out, piece);
	if (c->fill_chunked)
		evbuffer_add(out, "\r\n", 2);
}

/*
 * The next pieces of a reply: while the connection has less than
 * max_unsent queued, and every connection together less than
 * max_unsent_total (else it waits its turn on srv->waiting).  Called
 * when the output has drained to half max_unsent (the write low
 * watermark) or the total has fallen.
 */
static void
conn_fill(struct http_conn *c)
{
	struct http_server	*srv = c->srv;
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	int			 rc = 1;

	if (c->fill == NULL || c->on_wait)
		return;
	if (srv->unsent >= srv->limits.max_unsent_total) {
		TAILQ_INSERT_TAIL(&srv->waiting, c, wait_entry);
		c->on_wait = 1;
		srv->nunsent_waits++;
		return;
	}
	while (rc == 1 && evbuffer_get_length(out) +
	    evbuffer_get_length(srv->piece) < srv->limits.max_unsent)
		rc = c->fill(c, c->fill_arg);
	piece_flush(c, out);
	if (rc < 0) {
		log_warnx("http: %s: a reply failed after its first part was "
		    "sent; closing the connection", c->peer);
		conn_free(c);
		return;
	}
	if (rc == 0) {
		if (c->fill_chunked)
			evbuffer_add(out, "0\r\n\r\n", 5);
		fill_done(c);
		/* write_cb again only once everything has been written. */
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	}
	if (!(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
}

/*
 * Answer with a body made by fill_cb in pieces (http.h): as much as
 * max_unsent allows now, the rest as the client reads it.
 */
void
http_reply_pieces(struct http_conn *c, int status, const char *type,
    const char *extra, http_fill_cb fill_cb, http_fill_free_cb free_cb,
    void *arg)
{
	struct http_server	*srv = c->srv;
	struct evbuffer		*piece = srv->piece, *out;
	struct api_error	 err;
	size_t			 len;
	int			 rc = 1;

	if (c->state != CONN_HANDLING) {
		log_warnx("http: %s: second reply to one request dropped",
		    c->peer);
		free_cb(arg);
		return;
	}
	while (rc == 1 && evbuffer_get_length(piece) < srv->limits.max_unsent)
		rc = fill_cb(c, arg);
	if (rc <= 0) {
		/* Small enough to go whole: what http_reply() sends. */
		len = evbuffer_get_length(piece);
		if (rc == 0)
			http_reply(c, status, type,
			    (const char *)evbuffer_pullup(piece, -1), len,
			    extra);
		evbuffer_drain(piece, len);
		free_cb(arg);
		if (rc < 0) {
			api_error_set(&err, 503, "unavailable", -1, NULL,
			    "storage is failing");
			http_reply_error(c, &err, NULL);
		}
		return;
	}
	/* Too large to hold: chunked, or to the close for HTTP/1.0. */
	if (srv->stopping || c->req.minor == 0)
		c->close_after = 1;
	c->fill_chunked = c->req.minor >= 1;
	out = bufferevent_get_output(c->bev);
	reply_head(c, out, status, type, c->fill_chunked ?
	    "Transfer-Encoding: chunked\r\n" : "", extra);
	c->state = CONN_WRITING;
	evtimer_del(c->deadline);
	if (c->head_only) {
		evbuffer_drain(piece, evbuffer_get_length(piece));
		free_cb(arg);
	} else {
		c->fill = fill_cb;
		c->fill_free = free_cb;
		c->fill_arg = arg;
		piece_flush(c, out);
		bufferevent_setwatermark(c->bev, EV_WRITE,
		    srv->limits.max_unsent / 2, 0);
	}
	if (!(bufferevent_get_enabled(c->bev) & EV_WRITE))
		bufferevent_enable(c->bev, EV_WRITE);
}

/* Append to the piece being made (from a fill callback only). */
void
http_piece_add(struct http_conn *c, const void *data, size_t len)
{
	evbuffer_add(c->srv->piece, data, len);
}

void
http_piece_printf(struct http_conn *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(c->srv->piece, fmt, ap);
	va_end(ap);
}

static int
piece_dump_cb(const char *buf, size_t len, void *arg)
{
	return (evbuffer_add(arg, buf, len));
}

/* Append o as compact JSON: the bytes json_dumps(o, JSON_COMPACT) makes. */
void
http_piece_json(struct http_conn *c, const json_t *o)
{
	if (json_dump_callback(o, piece_dump_cb, c->srv->piece,
	    JSON_COMPACT) != 0)
		fatalx("http_piece_json: out of memory");
}

const char *
http_conn_peer(const struct http_conn *c)
{
	return (c->peer);
}

/*
 * More header lines (each ending in "\r\n"; copied) for every reply to
 * the request being handled: the CORS headers of a listed origin.
 * Returns 0, or -1 if they do not fit HTTP_CORS_MAX.
 */
int
http_conn_set_cors(struct http_conn *c, const char *headers)
{
	if (strlen(headers) >= sizeof c->cors)
		return (-1);
	snprintf(c->cors, sizeof c->cors, "%s", headers);
	return (0);
}

/*
 * Answer the request being handled with a stream: the status line and
 * headers (type is the Content-Type; extra NULL or more header lines,
 * each ending in "\r\n"), no body yet.  drain_cb and close_cb with arg:
 * see http.h.
 */
int
http_stream_start(struct http_conn *c, int status, const char *type,
    const char *extra, http_stream_cb drain_cb, http_stream_cb close_cb,
    void *arg)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct timeval	 wr;

	if (c->state != CONN_HANDLING) {
		log_warnx("http: %s: stream started outside a request, "
		    "dropped", c->peer);
		return (-1);
	}
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Server: respited/" PACKAGE_VERSION "\r\n"
	    "Content-Type: %s\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n%s%s\r\n", status, status_text(status),
	    http_date(), type, extra != NULL ? extra : "", c->cors);
	c->state = CONN_STREAMING;
	c->close_after = 1;
	c->stream_drain = drain_cb;
	c->stream_close = close_cb;
	c->stream_arg = arg;
	evtimer_del(c->deadline);
	wr.tv_sec = c->srv->limits.request_timeout_s;
	wr.tv_usec = 0;
	bufferevent_set_timeouts(c->bev, NULL, &wr);
	/* Anything pipelined after the request is ignored, like the rest. */
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return (0);
}

/* Queue len bytes on a stream; ignored once it has ended. */
void
http_stream_write(struct http_conn *c, const void *data, size_t len)
{
	if (c->state != CONN_STREAMING || len == 0)
		return;
	evbuffer_add(bufferevent_get_output(c->bev), data, len);
}

void
http_stream_printf(struct http_conn *c, const char *fmt, ...)
{
	va_list	ap;

	if (c->state != CONN_STREAMING)
		return;
	va_start(ap, fmt);
	evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
	va_end(ap);
}

/* Bytes queued on the connection and not yet handed to the kernel. */
size_t
http_stream_buffered(const struct http_conn *c)
{
	return (evbuffer_get_length(bufferevent_get_output(c->bev)));
}

/*
 * End a stream: its close callback runs now, and the connection closes
 * once what is queued has been written (or the write timeout passes).
 */
void
http_stream_end(struct http_conn *c)
{
	if (c->state != CONN_STREAMING)
		return;
	stream_closed(c);
	c->state = CONN_WRITING;
	bufferevent_disable(c->bev, EV_READ);
	if (http_stream_buffered(c) == 0)
		conn_free(c);
}

/* End a stream at once, throwing away whatever is still queued. */
void
http_stream_abort(struct http_conn *c)
{
	if (c->state != CONN_STREAMING)
		return;
	conn_free(c);
}

/* Answer an HTTP-level problem and close the connection after it. */
static void
conn_fail(struct http_conn *c, int status, const char *code,
    const char *message)
{
	struct api_error	err;

	api_error_set(&err, status, code, -1, NULL, "%s", message);
	idle_remove(c);
	c->close_after = 1;
	c->state = CONN_HANDLING;
	c->cors[0] = '\0';
	http_reply_error(c, &err, NULL);
}

static void
conn_dispatch(struct http_conn *c)
{
	/*
	 * Reading stays enabled while the request is handled and answered
	 * (enabling and disabling it cost two epoll_ctl calls a request):
	 * what comes meanwhile waits in the input buffer, bounded by its
	 * high watermark (HTTP_READ_MAX), until the reply is written.
	 */
	c->state = CONN_HANDLING;
	c->cors[0] = '\0';
	idle_remove(c);
	evtimer_del(c->deadline);
	if (!c->req.keep_alive)
		c->close_after = 1;
	c->head_only = strcmp(c->req.method, "HEAD") == 0;
	if (c->body != NULL)	/* kept from an earlier request */
		c->body[c->body_len] = '\0';
	c->srv->handler(c, &c->req, c->body != NULL ? c->body : "",
	    c->body_len, c->srv->arg);
}

/*
 * Grow the body buffer, at least doubling it (growing by each read's
 * size alone copied the body once a read: quadratic in its size), but
 * never past max_body + 1 for a body that fits; a buffer left behind is
 * wiped, not just freed.
 */
static void
body_reserve(struct http_conn *c, size_t more)
{
	char	*p;
	size_t	 cap, need, most;

	need = c->body_len + more + 1;
	if (need <= c->body_cap)
		return;
	most = c->srv->limits.max_body + 1;
	cap = c->body_cap * 2;
	if (cap > most)
		cap = most;
	if (cap < need)
		cap = need;
	if (cap < 4096)
		cap = 4096;
	p = xmalloc(cap);
	if (c->body != NULL) {
		memcpy(p, c->body, c->body_len);
		explicit_bzero(c->body, c->body_cap);
		free(c->body);
	}
	c->body = p;
	c->body_cap = cap;
}

static void
conn_too_large(struct http_conn *c)
{
	char	msg[128];

	snprintf(msg, sizeof msg, "request body larger than %zu bytes "
	    "(max_body)", c->srv->limits.max_body);
	conn_fail(c, 413, "too_large", msg);
}

/* Is c's deadline due within secs from now? */
static int
deadline_within(struct http_conn *c, long secs)
{
	struct timeval	exp, now;

	if (!evtimer_pending(c->deadline, &exp))
		return (0);
	event_base_gettimeofday_cached(c->srv->base, &now);
	return (exp.tv_sec - now.tv_sec < secs ||
	    (exp.tv_sec - now.tv_sec == secs && exp.tv_usec <= now.tv_usec));
}

static void
conn_read(struct http_conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct http_parse_error	 perr;
	struct timeval		 tv;
	const char		*expect;
	unsigned char		*p;
	size_t			 len, n, outlen;
	ssize_t			 rc;
	int			 done;

	for (;;) {
		len = evbuffer_get_length(in);
		switch (c->state) {
		case CONN_IDLE:
			if (len == 0)
				return;
			c->state = CONN_HEAD;
			/*
			 * A first request's head stays under header_timeout
			 * (armed at accept), and its connection may still be
			 * taken for a new one until the head is complete.
			 */
			if (c->had_head)
				idle_remove(c);
			if (c->had_head || !deadline_within(c,
			    c->srv->limits.request_timeout_s)) {
				tv.tv_sec = c->srv->limits.request_timeout_s;
				tv.tv_usec = 0;
				evtimer_add(c->deadline, &tv);
			}
			conn_set_timeouts(c);
			/* FALLTHROUGH */
		case CONN_HEAD:
			n = len < HTTP_HEAD_MAX + 1 ? len : HTTP_HEAD_MAX + 1;
			p = evbuffer_pullup(in, (ssize_t)n);
			rc = http_parse_head((const char *)p, n, &c->req, &perr);
			if (rc == 0)
				return;
			if (rc < 0) {
				/* 505 stays 505: the client must know. */
				conn_fail(c, perr.status == 431 ? 413 :
				    perr.status == 505 ? 505 : 400,
				    perr.status == 431 ? "too_large" :
				    "invalid_request", perr.message);
				return;
			}
			c->have_req = 1;
			evbuffer_drain(in, (size_t)rc);
			if (!c->had_head) {
				/* The body: request_timeout from here. */
				c->had_head = 1;
				idle_remove(c);
				tv.tv_sec = c->srv->limits.request_timeout_s;
				tv.tv_usec = 0;
				evtimer_add(c->deadline, &tv);
			}
			if (!c->req.chunked && c->req.content_length <= 0) {
				conn_dispatch(c);
				return;
			}
			if (!c->req.chunked && (uint64_t)c->req.content_length >
			    c->srv->limits.max_body) {
				conn_too_large(c);
				return;
			}
			if ((expect = http_header_get(&c->req, "Expect")) !=
			    NULL && strcasecmp(expect, "100-continue") == 0 &&
			    c->req.minor >= 1)
				evbuffer_add_printf(bufferevent_get_output(
				    c->bev), "HTTP/1.1 100 Continue\r\n\r\n");
			c->state = CONN_BODY;
			break;
		case CONN_BODY:
			if (len == 0)
				return;
			if (!c->req.chunked) {
				n = (size_t)c->req.content_length - c->body_len;
				if (n > len)
					n = len;
				body_reserve(c, n);
				evbuffer_remove(in, c->body + c->body_len, n);
				c->body_len += n;
				if (c->body_len < (size_t)c->req.content_length)
					return;
				c->body[c->body_len] = '\0';
				conn_dispatch(c);
				return;
			}
			p = evbuffer_pullup(in, -1);
			body_reserve(c, len);
			outlen = c->body_len;
			rc = http_chunked_decode(&c->chunked, (const char *)p,
			    len, c->body, &outlen, &done);
			if (rc < 0) {
				conn_fail(c, 400, "invalid_request",
				    "malformed chunked body");
				return;
			}
			c->body_len = outlen;
			evbuffer_drain(in, (size_t)rc);
			if (c->body_len > c->srv->limits.max_body) {
				conn_too_large(c);
				return;
			}
			if (!done)
				return;
			c->body[c->body_len] = '\0';
			conn_dispatch(c);
			return;
		default:
			return;
		}
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	if (c->state == CONN_STREAMING) {
		/* Nothing a client sends on a stream means anything. */
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	conn_read(c);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;

	if (c->state == CONN_STREAMING) {
		if (c->stream_drain != NULL)
			c->stream_drain(c, c->stream_arg);
		return;
	}
	if (c->state != CONN_WRITING)
		return;		/* e.g. a 100 Continue went out */
	if (c->fill != NULL) {
		conn_fill(c);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (c->close_after) {
		conn_free(c);
		return;
	}
	conn_reset(c);
	conn_set_timeouts(c);
	bufferevent_enable(c->bev, EV_READ);
	/* A pipelined request may already be waiting in the input buffer. */
	conn_read(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct http_conn	*c = arg;

	(void)bev;
	/*
	 * Not waiting for a request: a read timeout means nothing (libevent
	 * has stopped reading; write_cb starts it again).
	 */
	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    (c->state == CONN_HANDLING || c->state == CONN_WRITING))
		return;
	/*
	 * The handler still owns the request and will reply; a reply being
	 * written is finished, as the client may only have shut down its
	 * sending side.  A reply that cannot be written frees the connection.
	 */
	if (c->state == CONN_HANDLING || (c->state == CONN_WRITING &&
	    (what & BEV_EVENT_EOF))) {
		c->close_after = 1;
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_debug("http: %s: %s timeout, closing", c->peer,
		    (what & BEV_EVENT_READING) ? "read" : "write");
	else if (what & BEV_EVENT_ERROR)
		log_debug("http: %s: %s", c->peer,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	else if ((what & BEV_EVENT_EOF) && c->state == CONN_STREAMING)
		log_debug("http: %s: the client closed the stream", c->peer);
	conn_free(c);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	(void)fd;
	(void)what;
	if (!c->had_head && (c->state == CONN_IDLE || c->state == CONN_HEAD)) {
		/* Debug only: a flood of silent connections is no news. */
		log_debug("http: %s: no request head after %lds "
		    "(header_timeout), closing", c->peer,
		    c->srv->limits.header_timeout_s);
		c->srv->nheader_timeouts++;
		conn_free(c);
		return;
	}
	if (c->state != CONN_HEAD && c->state != CONN_BODY)
		return;
	log_info("http: %s: request not complete after %lds, closing", c->peer,
	    c->srv->limits.request_timeout_s);
	conn_free(c);
}

static void
format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[64];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		evutil_inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		evutil_inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	} else
		snprintf(buf, len, "local");
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	static const char busy_body[] = "{\"error\":{\"code\":\"unavailable\","
	    "\"message\":\"too many connections (max_connections)\"}}";
	char			 busy[320];
	int			 blen;
	struct http_server	*srv = arg;
	struct http_conn	*c;
	struct timeval		 tv;

	(void)lev;
	(void)salen;
	if (srv->accept_failing) {
		srv->accept_failing = 0;
		log_info("http: accepting connections again (%zu open)",
		    srv->nconns);
	}
	/* At the limit: the connection idle longest makes room. */
	if (srv->nconns >= srv->limits.max_connections && !srv->stopping &&
	    (c = TAILQ_FIRST(&srv->idle)) != NULL) {
		log_debug("http: %s: closed for a new connection "
		    "(max_connections %zu, the longest idle)", c->peer,
		    srv->limits.max_connections);
		srv->nevicted++;
		conn_free(c);
	}
	if (srv->nconns >= srv->limits.max_connections || srv->stopping) {
		/* Best effort: the socket is new, its buffer empty. */
		blen = snprintf(busy, sizeof busy, "HTTP/1.1 503 Service "
		    "Unavailable\r\nContent-Type: application/json; "
		    "charset=utf-8\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\nRetry-After: 1\r\n\r\n%s", sizeof busy_body - 1,
		    busy_body);
		if (send(fd, busy, (size_t)blen, MSG_NOSIGNAL |
		    MSG_DONTWAIT) < 0)
			log_debug("http: refusing a connection: %s",
			    strerror(errno));
		shutdown(fd, SHUT_WR);
		evutil_closesocket(fd);
		if (srv->stopping)
			return;
		srv->nrefused++;
		srv->nrefused_episode++;
		if (!srv->refusing)
			log_warnx("http: connection refused: max_connections "
			    "(%zu) reached", srv->limits.max_connections);
		srv->refusing = 1;
		return;
	}
	if (srv->refusing) {
		srv->refusing = 0;
		if (srv->nrefused_episode > 1)
			log_warnx("http: %" PRIu64 " connections refused in "
			    "all at max_connections (%zu)",
			    srv->nrefused_episode, srv->limits.max_connections);
		srv->nrefused_episode = 0;
	}
	c = xcalloc(1, sizeof *c);
	c->srv = srv;
	format_addr(sa, c->peer, sizeof c->peer);
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("http: cannot set up a connection");
		evutil_closesocket(fd);
		free(c);
		return;
	}
	c->deadline = evtimer_new(srv->base, deadline_cb, c);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_READ_MAX);
	c->unsent_entry = evbuffer_add_cb(bufferevent_get_output(c->bev),
	    unsent_cb, c);
	if (c->unsent_entry == NULL) {
		log_warnx("http: cannot set up a connection");
		event_free(c->deadline);
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	c->state = CONN_IDLE;
	conn_set_timeouts(c);
	bufferevent_enable(c->bev, EV_READ);
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
	idle_add(c);
	tv.tv_sec = srv->limits.header_timeout_s;
	tv.tv_usec = 0;
	evtimer_add(c->deadline, &tv);
}

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server	*srv = arg;
	size_t			 i;

	(void)fd;
	(void)what;
	if (srv->stopping)
		return;
	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_enable(srv->listeners[i].lev);
}

static void
accept_error_cb(struct evconnlistener *lev, void *arg)
{
	struct http_server	*srv = arg;
	struct timeval		 tv;
	int			 err = EVUTIL_SOCKET_ERROR();
	size_t			 i;

	(void)lev;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS &&
	    err != ENOMEM) {
		log_warnx("http: accept: %s", strerror(err));
		return;
	}
	/* Out of descriptors or memory: stop trying for a moment. */
	if (!srv->accept_failing)
		log_warnx("http: accept: %s (%zu connections open); pausing "
		    "new connections for %d ms at a time until it passes "
		    "(raise the open files limit, LimitNOFILE=, or lower "
		    "max_connections)", strerror(err), srv->nconns,
		    HTTP_ACCEPT_PAUSE_MS);
	srv->accept_failing = 1;
	srv->naccept_pauses++;
	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_disable(srv->listeners[i].lev);
	tv.tv_sec = 0;
	tv.tv_usec = HTTP_ACCEPT_PAUSE_MS * 1000;
	evtimer_add(srv->accept_resume, &tv);
}

struct http_server *
http_server_new(struct event_base *base, http_handler_cb handler, void *arg,
    const struct http_limits *limits)
{
	struct http_server	*srv;

	srv = xcalloc(1, sizeof *srv);
	srv->base = base;
	srv->handler = handler;
	srv->arg = arg;
	http_server_set_limits(srv, limits);
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->idle);
	srv->accept_resume = evtimer_new(base, accept_resume_cb, srv);
	if (srv->accept_resume == NULL)
		fatalx("http_server_new: cannot create a timer");
	if ((srv->reply = evbuffer_new()) == NULL ||
	    (srv->piece = evbuffer_new()) == NULL)
		fatalx("http_server_new: out of memory");
	TAILQ_INIT(&srv->waiting);
	if ((srv->wake = evtimer_new(base, wake_cb, srv)) == NULL)
		fatalx("http_server_new: cannot create a timer");
	return (srv);
}

void
http_server_set_limits(struct http_server *srv,
    const struct http_limits *limits)
{
	srv->limits = *limits;
	if (srv->limits.max_unsent == 0)
		srv->limits.max_unsent = HTTP_UNSENT_DEFAULT;
	if (srv->limits.max_unsent_total == 0)
		srv->limits.max_unsent_total = HTTP_UNSENT_TOTAL_DEFAULT;
}

/*
 * Listen on spec ("127.0.0.1:7878", "[::1]:7878", "*:7878").  Returns 0,
 * or -1 and a new string in *cause.
 */
int
http_server_listen(struct http_server *srv, const char *spec, char **cause)
{
	struct sockaddr_storage	 ss;
	struct http_listener	*l;
	socklen_t		 sslen;

	if (srv->nlisteners == sizeof srv->listeners / sizeof srv->listeners[0]) {
		xasprintf(cause, "%s: too many listeners", spec);
		return (-1);
	}
	if (config_listen_addr(spec, &ss, &sslen) == -1) {
		xasprintf(cause, "listen %s: not a numeric HOST:PORT", spec);
		return (-1);
	}
	l = &srv->listeners[srv->nlisteners];
	l->lev = evconnlistener_new_bind(srv->base, accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    1024, (struct sockaddr *)&ss, (int)sslen);
	if (l->lev == NULL) {
		xasprintf(cause, "listen %s: %s", spec, strerror(errno));
		return (-1);
	}
	evconnlistener_set_error_cb(l->lev, accept_error_cb);
	sslen = sizeof ss;
	if (getsockname(evconnlistener_get_fd(l->lev), (struct sockaddr *)&ss,
	    &sslen) == 0)
		format_addr((struct sockaddr *)&ss, l->address,
		    sizeof l->address);
	else
		snprintf(l->address, sizeof l->address, "%s", spec);
	srv->nlisteners++;
	return (0);
}

/*
 * Listen on fd, a socket someone else bound and set listening: the
 * service manager, for socket activation (daemon(7)).  It must be a
 * listening stream socket; it is made non-blocking and close-on-exec.
 * Steals fd (closed on failure too).  Returns 0, or -1 and a new string
 * in *cause.
 */
int
http_server_listen_fd(struct http_server *srv, int fd, char **cause)
{
	struct sockaddr_storage	 ss;
	struct http_listener	*l;
	socklen_t		 sslen = sizeof ss, optlen;
	int			 type = 0, listening = 0;

	if (srv->nlisteners == sizeof srv->listeners / sizeof srv->listeners[0]) {
		xasprintf(cause, "socket %d: too many listeners", fd);
		goto fail;
	}
	optlen = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) == -1) {
		xasprintf(cause, "socket %d: %s", fd, strerror(errno));
		goto fail;
	}
	optlen = sizeof listening;
	if (type != SOCK_STREAM || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &listening, &optlen) == -1 || !listening) {
		xasprintf(cause, "socket %d: not a listening stream socket "
		    "(ListenStream=)", fd);
		goto fail;
	}
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1) {
		xasprintf(cause, "socket %d: %s", fd, strerror(errno));
		goto fail;
	}
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		xasprintf(cause, "socket %d: %s", fd, strerror(errno));
		goto fail;
	}
	l = &srv->listeners[srv->nlisteners];
	/* A negative backlog: it listens already. */
	l->lev = evconnlistener_new(srv->base, accept_cb, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (l->lev == NULL) {
		xasprintf(cause, "socket %d: %s", fd, strerror(errno));
		goto fail;
	}
	evconnlistener_set_error_cb(l->lev, accept_error_cb);
	if (ss.ss_family == AF_UNIX)
		snprintf(l->address, sizeof l->address, "unix:%.*s",
		    (int)(sizeof l->address - 6),
		    ((struct sockaddr_un *)&ss)->sun_path);
	else
		format_addr((struct sockaddr *)&ss, l->address,
		    sizeof l->address);
	srv->nlisteners++;
	return (0);

fail:
	close(fd);
	return (-1);
}

/*
 * Is every listener local: a socket bound to a loopback address
 * (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) or a Unix socket?  Asks the
 * sockets themselves, so this holds for sockets from the service manager
 * as for our own.  True when there are none.
 */
int
http_server_all_loopback(const struct http_server *srv)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	size_t			 i;

	for (i = 0; i < srv->nlisteners; i++) {
		sslen = sizeof ss;
		if (getsockname(evconnlistener_get_fd(srv->listeners[i].lev),
		    (struct sockaddr *)&ss, &sslen) == -1)
			return (0);
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)&ss;

			if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
				return (0);
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)&ss;

			if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) &&
			    !(IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
			    s6->sin6_addr.s6_addr[12] == 127))
				return (0);
		} else if (ss.ss_family != AF_UNIX)
			return (0);
	}
	return (1);
}

size_t
http_server_naddresses(const struct http_server *srv)
{
	return (srv->nlisteners);
}

/* The address listener i is bound to, e.g. "127.0.0.1:7878". */
const char *
http_server_address(const struct http_server *srv, size_t i)
{
	return (srv->listeners[i].address);
}

/*
 * Stop accepting and close every connection that is not in the middle of
 * a request the handler owns; those close after their reply.  Streams end
 * (their close callbacks run) and close once their queue is written.
 */
void
http_server_stop(struct http_server *srv)
{
	struct http_conn	*c, *next;
	size_t			 i;

	srv->stopping = 1;
	evtimer_del(srv->accept_resume);
	for (i = 0; i < srv->nlisteners; i++) {
		evconnlistener_free(srv->listeners[i].lev);
		srv->listeners[i].lev = NULL;
	}
	srv->nlisteners = 0;
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state == CONN_HANDLING || c->state == CONN_WRITING)
			c->close_after = 1;
		else if (c->state == CONN_STREAMING)
			http_stream_end(c);
		else
			conn_free(c);
	}
}

size_t
http_server_nconns(const struct http_server *srv)
{
	return (srv->nconns);
}

/* The server a connection belongs to (borrowed). */
const struct http_server *
http_conn_server(const struct http_conn *c)
{
	return (c->srv);
}

/* Connections refused at max_connections, and accept pauses, ever. */
uint64_t
http_server_nrefused(const struct http_server *srv)
{
	return (srv->nrefused);
}

uint64_t
http_server_naccept_pauses(const struct http_server *srv)
{
	return (srv->naccept_pauses);
}

/* Idle connections closed to admit a new one at max_connections. */
uint64_t
http_server_nevicted(const struct http_server *srv)
{
	return (srv->nevicted);
}

/* Bytes queued in every connection's output buffer, not yet sent. */
size_t
http_server_unsent(const struct http_server *srv)
{
	return (srv->unsent);
}

/* Times a reply in pieces waited for max_unsent_total. */
uint64_t
http_server_nunsent_waits(const struct http_server *srv)
{
	return (srv->nunsent_waits);
}

/* New connections closed for sending no request head in time. */
uint64_t
http_server_nheader_timeouts(const struct http_server *srv)
{
	return (srv->nheader_timeouts);
}

void
http_server_free(struct http_server *srv)
{
	struct http_conn	*c;
	size_t			 i;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->nlisteners; i++)
		evconnlistener_free(srv->listeners[i].lev);
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		conn_free(c);
	event_free(srv->accept_resume);
	event_free(srv->wake);
	evbuffer_free(srv->reply);
	evbuffer_free(srv->piece);
	free(srv);
}
