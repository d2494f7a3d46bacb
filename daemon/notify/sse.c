/*
 * respite-notify - the agent's event stream: GET /v1/stream?agent=ID.
 *
 * A Server-Sent Events client on libsoup 3, driven by the main GLib loop
 * and never blocking it: soup_session_send_async() for the request,
 * g_input_stream_read_async() for each chunk, sse_parse.c for the bytes.
 *
 * When the stream fails or ends it comes back by itself: after the
 * server's retry: time (respited says 3000 ms), doubling with every
 * further failure up to a minute, each delay drawn at random between
 * half and all of it (jitter, so that a restarted respited is not hit by
 * every desktop in the same second), and at least the Retry-After of a
 * 503.  A reconnection sends Last-Event-ID, the id of the last event we
 * saw, and respited first replays what we missed.  The first failure
 * after a working stream is logged as "gone", the next good stream as
 * "back"; the failures in between only at debug level.
 *
 * A stream that says nothing for SSE_IDLE_S (respited writes a comment
 * every 15 s) is taken for a dead connection (a suspended laptop, a
 * vanished network) and dropped; the same bound covers a connection that
 * never gets its reply head.  This session has no I/O timeout of its own
 * for that reason, and no other request shares its connections.
 */
#include "build.h"

#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "log.h"
#include "sse.h"
#include "sse_parse.h"

#define SSE_IDLE_S		45	/* silence that means a dead stream */
#define SSE_RETRY_DEFAULT_MS	3000
#define SSE_RETRY_MIN_MS	500
#define SSE_BACKOFF_MAX_MS	60000
#define SSE_MAX_LINE		(1024 * 1024)
#define SSE_READ_SIZE		8192

struct sse;

/* One connection attempt; outlives the sse if a callback is pending. */
struct sse_conn {
	struct sse	*sse;		/* NULL once abandoned */
	SoupMessage	*msg;
	GInputStream	*in;
	GCancellable	*cancel;
	char		 buf[SSE_READ_SIZE];
};

struct sse {
	SoupSession		*session;
	char			*url;
	char			*auth;		/* "Bearer TOKEN" or NULL */
	struct sse_cbs		 cbs;
	struct sse_parser	 parser;
	struct sse_conn		*conn;
	long			 retry_ms;
	int			 failures;	/* since the last good stream */
	guint			 reconnect_src;
	guint			 watchdog_src;
	gint64			 last_data;	/* monotonic, us */
	gint64			 down_since;	/* monotonic, us; 0 when up */
	int			 ever_open;
	int			 is_open;
	const char		*cancel_reason;	/* why we cancelled conn */
};

static void	sse_connect(struct sse *);
static void	read_next(struct sse_conn *);

static void
conn_free(struct sse_conn *c)
{
	if (c->in != NULL)
		g_object_unref(c->in);
	if (c->msg != NULL)
		g_object_unref(c->msg);
	g_object_unref(c->cancel);
	g_free(c);
}

/* Let go of the connection in flight; its callback frees it. */
static void
conn_abandon(struct sse *s)
{
	if (s->conn == NULL)
		return;
	s->conn->sse = NULL;
	g_cancellable_cancel(s->conn->cancel);
	s->conn = NULL;
	s->is_open = 0;
}

static void
parser_event_cb(const char *type, const char *data, const char *id,
    void *arg)
{
	struct sse	*s = arg;

	if (s->cbs.event != NULL)
		s->cbs.event(type, data, id, s->cbs.arg);
}

static void
parser_retry_cb(long ms, void *arg)
{
	struct sse	*s = arg;

	if (ms < SSE_RETRY_MIN_MS)
		ms = SSE_RETRY_MIN_MS;
	if (ms > SSE_BACKOFF_MAX_MS)
		ms = SSE_BACKOFF_MAX_MS;
	s->retry_ms = ms;
}

/* The next delay: exponential back-off with jitter, in ms. */
static guint
next_delay(struct sse *s, long at_least_ms)
{
	double	d = (double)s->retry_ms;
	int	i;

	for (i = 0; i < s->failures && d < SSE_BACKOFF_MAX_MS; i++)
		d *= 2;
	if (d > SSE_BACKOFF_MAX_MS)
		d = SSE_BACKOFF_MAX_MS;
	d *= g_random_double_range(0.5, 1.0);
	if (d < at_least_ms)
		d = (double)at_least_ms;
	return ((guint)d);
}

static gboolean
reconnect_cb(gpointer arg)
{
	struct sse	*s = arg;

	s->reconnect_src = 0;
	sse_connect(s);
	return (G_SOURCE_REMOVE);
}

/*
 * The connection failed (c is freed here).  status is the HTTP status
 * or 0, retry_after_s a Retry-After or 0.
 */
static void
conn_failed(struct sse_conn *c, const char *reason, int status,
    long retry_after_s)
{
	struct sse	*s = c->sse;
	guint		 delay;
	int		 was_open = s->is_open, ever = s->ever_open;
	char		*why = g_strdup(reason);

	s->conn = NULL;
	s->is_open = 0;
	c->sse = NULL;
	conn_free(c);

	if (s->cbs.down != NULL && s->cbs.down(why, status, ever,
	    s->cbs.arg)) {
		g_free(why);
		return;
	}
	delay = next_delay(s, retry_after_s * 1000);
	s->failures++;
	if (was_open) {
		s->down_since = g_get_monotonic_time();
		log_warnx("respited at %s is gone: %s; reconnecting in %.1f s",
		    s->url, why, delay / 1000.0);
	} else if (!ever && s->failures == 1) {
		s->down_since = g_get_monotonic_time();
		log_warnx("cannot reach respited at %s: %s; retrying in %.1f s",
		    s->url, why, delay / 1000.0);
	} else
		log_debug("stream: still no respited (%s); next try in %.1f s",
		    why, delay / 1000.0);
	s->reconnect_src = g_timeout_add(delay, reconnect_cb, s);
	g_free(why);
}

static void
read_cb(GObject *src, GAsyncResult *res, gpointer arg)
{
	struct sse_conn	*c = arg;
	struct sse	*s = c->sse;
	GError		*err = NULL;
	gssize		 n;

	n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &err);
	if (s == NULL) {
		g_clear_error(&err);
		conn_free(c);
		return;
	}
	if (n < 0) {
		conn_failed(c, g_error_matches(err, G_IO_ERROR,
		    G_IO_ERROR_CANCELLED) && s->cancel_reason != NULL ?
		    s->cancel_reason : err->message, 0, 0);
		g_error_free(err);
		return;
	}
	if (n == 0) {
		conn_failed(c, "the server ended the stream", 0, 0);
		return;
	}
	s->last_data = g_get_monotonic_time();
	if (sse_parser_feed(&s->parser, c->buf, (size_t)n) == -1) {
		conn_failed(c, "a line of more than 1 MiB", 0, 0);
		return;
	}
	/* An event callback may have stopped the stream. */
	if (c->sse == NULL) {
		conn_free(c);
		return;
	}
	read_next(c);
}

static void
read_next(struct sse_conn *c)
{
	g_input_stream_read_async(c->in, c->buf, sizeof c->buf,
	    G_PRIORITY_DEFAULT, c->cancel, read_cb, c);
}

static void
send_cb(GObject *src, GAsyncResult *res, gpointer arg)
{
	struct sse_conn	*c = arg;
	struct sse	*s = c->sse;
	GError		*err = NULL;
	const char	*ct, *ra;
	char		*why;
	guint		 status;
	gint64		 away;

	c->in = soup_session_send_finish(SOUP_SESSION(src), res, &err);
	if (s == NULL) {
		g_clear_error(&err);
		conn_free(c);
		return;
	}
	if (c->in == NULL) {
		conn_failed(c, g_error_matches(err, G_IO_ERROR,
		    G_IO_ERROR_CANCELLED) && s->cancel_reason != NULL ?
		    s->cancel_reason : err->message, 0, 0);
		g_error_free(err);
		return;
	}
	status = soup_message_get_status(c->msg);
	ct = soup_message_headers_get_content_type(
	    soup_message_get_response_headers(c->msg), NULL);
	if (status != SOUP_STATUS_OK) {
		ra = soup_message_headers_get_one(
		    soup_message_get_response_headers(c->msg), "Retry-After");
		why = g_strdup_printf("HTTP %u %s", status,
		    soup_message_get_reason_phrase(c->msg) != NULL ?
		    soup_message_get_reason_phrase(c->msg) : "");
		conn_failed(c, why, (int)status, ra != NULL ?
		    strtol(ra, NULL, 10) : 0);
		g_free(why);
		return;
	}
	if (ct == NULL || g_ascii_strcasecmp(ct, "text/event-stream") != 0) {
		conn_failed(c, "the reply is not an event stream", (int)status,
		    0);
		return;
	}

	s->is_open = 1;
	s->failures = 0;
	s->last_data = g_get_monotonic_time();
	if (s->down_since != 0) {
		away = (g_get_monotonic_time() - s->down_since) / G_USEC_PER_SEC;
		if (s->parser.last_id[0] != '\0')
			log_info("respited is back after %" G_GINT64_FORMAT
			    " s; resuming after event %s", away,
			    s->parser.last_id);
		else
			log_info("respited is back after %" G_GINT64_FORMAT
			    " s", away);
		s->down_since = 0;
	} else
		log_info("subscribed to %s", s->url);
	s->ever_open = 1;
	sse_parser_reset(&s->parser);
	if (s->cbs.open != NULL)
		s->cbs.open(s->cbs.arg);
	if (c->sse == NULL) {
		conn_free(c);
		return;
	}
	read_next(c);
}

static void
sse_connect(struct sse *s)
{
	struct sse_conn		*c;
	SoupMessageHeaders	*h;

	c = g_new0(struct sse_conn, 1);
	c->sse = s;
	c->cancel = g_cancellable_new();
	c->msg = soup_message_new("GET", s->url);
	h = soup_message_get_request_headers(c->msg);
	soup_message_headers_replace(h, "Accept", "text/event-stream");
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	if (s->auth != NULL)
		soup_message_headers_replace(h, "Authorization", s->auth);
	if (s->parser.last_id[0] != '\0')
		soup_message_headers_replace(h, "Last-Event-ID",
		    s->parser.last_id);
	s->conn = c;
	s->cancel_reason = NULL;
	s->last_data = g_get_monotonic_time();
	log_debug("stream: connecting to %s%s%s", s->url,
	    s->parser.last_id[0] != '\0' ? ", Last-Event-ID " : "",
	    s->parser.last_id);
	soup_session_send_async(s->session, c->msg, G_PRIORITY_DEFAULT,
	    c->cancel, send_cb, c);
}

/* Every few seconds: drop a connection that has been silent too long. */
static gboolean
watchdog_cb(gpointer arg)
{
	struct sse	*s = arg;
	gint64		 quiet;

	if (s->conn == NULL)
		return (G_SOURCE_CONTINUE);
	quiet = (g_get_monotonic_time() - s->last_data) / G_USEC_PER_SEC;
	if (quiet >= SSE_IDLE_S) {
		s->cancel_reason = s->is_open ? "no data (not even a "
		    "keep-alive) for 45 s" : "no reply for 45 s";
		g_cancellable_cancel(s->conn->cancel);
	}
	return (G_SOURCE_CONTINUE);
}

/*
 * A stream client for url (copied), with token (copied; NULL for none).
 * Nothing happens before sse_start().
 */
struct sse *
sse_new(const char *url, const char *token, const struct sse_cbs *cbs)
{
	struct sse	*s;

	s = g_new0(struct sse, 1);
	/* No I/O timeout: the watchdog judges silence instead. */
	s->session = soup_session_new_with_options("timeout", 0,
	    "user-agent", "respite-notify/" PACKAGE_VERSION, NULL);
	s->url = g_strdup(url);
	if (token != NULL)
		s->auth = g_strdup_printf("Bearer %s", token);
	s->cbs = *cbs;
	s->retry_ms = SSE_RETRY_DEFAULT_MS;
	sse_parser_init(&s->parser, SSE_MAX_LINE, parser_event_cb,
	    parser_retry_cb, s);
	return (s);
}

void
sse_start(struct sse *s)
{
	if (s->conn != NULL || s->reconnect_src != 0)
		return;
	if (s->watchdog_src == 0)
		s->watchdog_src = g_timeout_add_seconds(5, watchdog_cb, s);
	sse_connect(s);
}

/* The id of the last event seen ("" before the first). */
const char *
sse_last_id(const struct sse *s)
{
	return (s->parser.last_id);
}

/*
 * Stop and free.  A request still in flight is cancelled; its callback
 * runs on a later loop iteration and frees what is left.
 */
void
sse_free(struct sse *s)
{
	if (s == NULL)
		return;
	conn_abandon(s);
	if (s->reconnect_src != 0)
		g_source_remove(s->reconnect_src);
	if (s->watchdog_src != 0)
		g_source_remove(s->watchdog_src);
	sse_parser_free(&s->parser);
	g_object_unref(s->session);
	if (s->auth != NULL) {
		explicit_bzero(s->auth, strlen(s->auth));
		g_free(s->auth);
	}
	g_free(s->url);
	g_free(s);
}
