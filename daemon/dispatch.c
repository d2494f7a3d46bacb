/*
 * respite - dispatch: the subscribers of GET /v1/stream.
 *
 * Each subscriber is one streaming HTTP connection (http_stream_start())
 * with a filter, one agent or one team.  Items reach us already stored in
 * the stream table (outbox.c stores, then calls dispatch_publish()), each
 * with a sequence number larger than every earlier one; that number is the
 * SSE id, and a client coming back with Last-Event-ID N is first sent the
 * stored items after N.
 *
 * That replay reads SQLite a page at a time (DISPATCH_PAGE items) from a
 * zero-delay timer, so a client resuming after a long absence cannot keep
 * the loop to itself.  (A timer, not event_active(): libevent runs an
 * event activated from a callback in the same loop iteration, before any
 * more I/O; a timer waits for the next one.)  A page also stops early
 * once the connection has half its buffer unsent, and the replay goes on
 * when the kernel has taken it all (the drain callback): a replay is
 * paced by its reader instead of being dropped as a slow subscriber.
 * Items published while a replay is under way are queued and sent once
 * it has caught up, skipping whatever the replay already sent, so the
 * switch to live items loses and repeats nothing.  (They are in the store
 * as well, which is why a queue that grows past the buffer limit can
 * simply be thrown away: the replay then finds those items itself.)
 *
 * A live subscriber whose unsent output exceeds buffer_bytes is dropped:
 * we never block and never buffer without bound, and an SSE client comes
 * back by itself (retry: 3000) with Last-Event-ID and is replayed what it
 * missed.  Output only leaves between loop iterations, so a burst larger
 * than the buffer published in one callback drops even a quick reader;
 * it comes back the same way.  One shared timer writes a comment to every
 * stream that was sent nothing since its previous tick, so an idle stream
 * sees one every keep-alive interval.
 */
#include "build.h"

#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <respite/event.h>

#include "dispatch.h"
#include "log.h"
#include "suggest.h"
#include "xmalloc.h"

#define DISPATCH_PAGE		500	/* stored items per replay callback */
#define DISPATCH_RETRY_MS	3000	/* the client's reconnection delay */

static const char keepalive_comment[] = ": keep-alive\n\n";
static const struct timeval zero_delay = { 0, 0 };

/* A live item that arrived during a replay: its SSE bytes. */
struct dispatch_queued {
	STAILQ_ENTRY(dispatch_queued)	 entry;
	int64_t				 seq;
	size_t				 len;
	char				 frame[];
};

struct dispatch_sub {
	struct dispatch			*d;
	struct http_conn		*conn;
	TAILQ_ENTRY(dispatch_sub)	 entry;
	char				 agent[RESPITE_NAME_MAX + 1];
	char				 team[RESPITE_NAME_MAX + 1];
	int64_t				 last_sent;	/* seq; -1 none */
	int				 aggregate;	/* lead in aggregate mode */
	int				 owned;		/* has an owner (a token) */
	struct dispatch_owner		 owner;
	int				 replaying;
	int				 paused;	/* replay waits for a drain */
	int				 written;	/* since the last keep-alive */
	struct event			*replay;
	STAILQ_HEAD(, dispatch_queued)	 queue;
	size_t				 queued_bytes;
};

struct dispatch {
	struct event_base		*base;
	struct store			*store;
	struct dispatch_limits		 limits;
	struct event			*keepalive;
	TAILQ_HEAD(, dispatch_sub)	 subs;
	size_t				 nsubs;
	int				 closing;
};

/* A replay page in progress. */
struct dispatch_page {
	struct dispatch_sub	*sub;
	int			 n;
	int			 full;	/* stopped: the buffer is half full */
};

static const char *
sub_kind(const struct dispatch_sub *s)
{
	return (s->agent[0] != '\0' ? "agent" : "team");
}

static const char *
sub_name(const struct dispatch_sub *s)
{
	return (s->agent[0] != '\0' ? s->agent : s->team);
}

/*
 * A lead in aggregate privacy mode sees lead suggestions only: no item
 * about one agent (no level, no status change, no agent's suggestion),
 * or comparing the team figures before and after one would isolate that
 * agent (MODEL.md "Privacy modes").
 */
static int
sub_allows(const struct dispatch_sub *s, const struct store_stream_item *it)
{
	if (!s->aggregate)
		return (1);
	return (strcmp(it->event, "suggestion") == 0 &&
	    (it->agent == NULL || it->agent[0] == '\0'));
}

static int
sub_matches(const struct dispatch_sub *s, const struct store_stream_item *it)
{
	if (!sub_allows(s, it))
		return (0);
	if (s->agent[0] != '\0')
		return (it->agent != NULL && strcmp(s->agent, it->agent) == 0);
	return (it->team != NULL && strcmp(s->team, it->team) == 0);
}

/*
 * The SSE bytes of an item; returns a new string.  data is one line of
 * JSON, but should it ever hold a line break, each line becomes its own
 * data: field, which the client joins back with "\n".
 */
static char *
frame_new(const struct store_stream_item *it, size_t *lenp)
{
	const char	*p = it->data != NULL ? it->data : "";
	const char	*ev = it->event != NULL ? it->event : "message";
	char		*buf;
	size_t		 len, n;
	FILE		*f;

	if (strpbrk(p, "\r\n") == NULL) {
		*lenp = (size_t)xasprintf(&buf, "id: %" PRId64 "\nevent: %.*s\n"
		    "data: %s\n\n", it->seq, (int)strcspn(ev, "\r\n"), ev, p);
		return (buf);
	}
	buf = NULL;
	len = 0;
	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	fprintf(f, "id: %" PRId64 "\nevent: %.*s\n", it->seq,
	    (int)strcspn(ev, "\r\n"), ev);
	for (;;) {
		n = strcspn(p, "\r\n");
		fprintf(f, "data: %.*s\n", (int)n, p);
		p += n;
		if (*p == '\0')
			break;
		p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
	}
	fputc('\n', f);
	if (fclose(f) != 0)
		fatalx("frame_new: out of memory");
	*lenp = len;
	return (buf);
}

/*
 * The frame of an item sub_allows() lets through to a lead in aggregate
 * privacy mode: a suggestion as that mode shows it to a lead, whenever
 * it was raised (sugg_for_aggregate_lead(): a rebalance without the
 * strain it may name).  NULL: withheld, as a wellbeing_check raised for
 * the lead before the mode was switched on.
 */
static char *
frame_aggregate(const struct store_stream_item *it, size_t *lenp)
{
	struct store_stream_item	 copy = *it;
	json_t				*o;
	char				*data, *frame;

	if ((o = json_loads(it->data != NULL ? it->data : "", 0,
	    NULL)) == NULL)
		return (NULL);
	if (!sugg_for_aggregate_lead(o) ||
	    (data = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return (NULL);
	}
	json_decref(o);
	copy.data = data;
	frame = frame_new(&copy, lenp);
	free(data);
	return (frame);
}

static void
queue_clear(struct dispatch_sub *s)
{
	struct dispatch_queued	*q;

	while ((q = STAILQ_FIRST(&s->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&s->queue, entry);
		free(q);
	}
	s->queued_bytes = 0;
}

static void
sub_free(struct dispatch_sub *s)
{
	struct dispatch	*d = s->d;

	TAILQ_REMOVE(&d->subs, s, entry);
	d->nsubs--;
	if (s->replay != NULL)
		event_free(s->replay);
	queue_clear(s);
	free(s);
}

/* http_stream_cb: the stream ended, whoever ended it. */
static void
sub_close_cb(struct http_conn *c, void *arg)
{
	struct dispatch_sub	*s = arg;

	log_debug("stream: %s (%s %s): closed after id %" PRId64,
	    http_conn_peer(c), sub_kind(s), sub_name(s), s->last_sent);
	sub_free(s);
}

/*
 * Drop s if its unsent output is over the limit.  Returns -1 if it was
 * dropped: s is then freed.
 */
static int
sub_check(struct dispatch_sub *s)
{
	size_t	unsent = http_stream_buffered(s->conn);

	if (unsent <= s->d->limits.buffer_bytes)
		return (0);
	log_info("stream: %s (%s %s): dropped, a slow reader: %zu bytes "
	    "unsent, more than the %zu of [stream] buffer",
	    http_conn_peer(s->conn), sub_kind(s), sub_name(s), unsent,
	    s->d->limits.buffer_bytes);
	http_stream_abort(s->conn);
	return (-1);
}

static void
sub_write(struct dispatch_sub *s, int64_t seq, const char *frame, size_t len)
{
	http_stream_write(s->conn, frame, len);
	s->last_sent = seq;
	s->written = 1;
}

static int
replay_item_cb(const struct store_stream_item *it, void *arg)
{
	struct dispatch_page	*pg = arg;
	struct dispatch_sub	*s = pg->sub;
	char			*frame;
	size_t			 len;

	if (!sub_allows(s, it) || (frame = s->aggregate ?
	    frame_aggregate(it, &len) : frame_new(it, &len)) == NULL) {
		s->last_sent = it->seq;
		pg->n++;
		return (0);
	}
	sub_write(s, it->seq, frame, len);
	free(frame);
	pg->n++;
	if (http_stream_buffered(s->conn) >= s->d->limits.buffer_bytes / 2) {
		pg->full = 1;
		return (1);
	}
	return (0);
}

/* Replay one page of stored items; at the end, switch to live items. */
static void
replay_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch_sub	*s = arg;
	struct dispatch		*d = s->d;
	struct dispatch_queued	*q;
	struct dispatch_page	 pg;
	char			*cause = NULL;

	(void)fd;
	(void)what;
	memset(&pg, 0, sizeof pg);
	pg.sub = s;
	if (store_stream_since(d->store, s->last_sent, s->agent[0] != '\0' ?
	    s->agent : NULL, s->team[0] != '\0' ? s->team : NULL,
	    DISPATCH_PAGE, replay_item_cb, &pg, &cause) == -1) {
		/* The client comes back and resumes from what it got. */
		log_warnx("stream: %s (%s %s): replay failed: %s",
		    http_conn_peer(s->conn), sub_kind(s), sub_name(s), cause);
		free(cause);
		http_stream_abort(s->conn);
		return;
	}
	if (pg.full) {
		s->paused = 1;	/* sub_drain_cb goes on */
		return;
	}
	if (pg.n == DISPATCH_PAGE) {
		evtimer_add(s->replay, &zero_delay);
		return;
	}
	/* Caught up with the store: what was published meanwhile, then live. */
	while ((q = STAILQ_FIRST(&s->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&s->queue, entry);
		if (q->seq > s->last_sent)
			sub_write(s, q->seq, q->frame, q->len);
		free(q);
	}
	s->queued_bytes = 0;
	s->replaying = 0;
	log_debug("stream: %s (%s %s): replayed up to id %" PRId64 ", live",
	    http_conn_peer(s->conn), sub_kind(s), sub_name(s), s->last_sent);
}

/* http_stream_cb: everything written so far has gone to the kernel. */
static void
sub_drain_cb(struct http_conn *c, void *arg)
{
	struct dispatch_sub	*s = arg;

	(void)c;
	if (s->replaying && s->paused) {
		s->paused = 0;
		evtimer_add(s->replay, &zero_delay);
	}
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch		*d = arg;
	struct dispatch_sub	*s, *next;

	(void)fd;
	(void)what;
	for (s = TAILQ_FIRST(&d->subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (s->written) {
			s->written = 0;
			continue;
		}
		http_stream_write(s->conn, keepalive_comment,
		    sizeof keepalive_comment - 1);
		(void)sub_check(s);
	}
}

static void
keepalive_arm(struct dispatch *d, long ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(d->keepalive, &tv);
}

/* Returns a new dispatcher; store and base are borrowed. */
struct dispatch *
dispatch_new(struct event_base *base, struct store *store,
    const struct dispatch_limits *limits)
{
	struct dispatch	*d;

	d = xcalloc(1, sizeof *d);
	d->base = base;
	d->store = store;
	d->limits = *limits;
	TAILQ_INIT(&d->subs);
	d->keepalive = event_new(base, -1, EV_PERSIST, keepalive_cb, d);
	if (d->keepalive == NULL)
		fatalx("dispatch_new: cannot create the keep-alive timer");
	keepalive_arm(d, DISPATCH_KEEPALIVE_S * 1000L);
	return (d);
}

/* End every stream at once and free everything. */
void
dispatch_free(struct dispatch *d)
{
	if (d == NULL)
		return;
	/* sub_close_cb frees each. */
	while (!TAILQ_EMPTY(&d->subs))
		http_stream_abort(TAILQ_FIRST(&d->subs)->conn);
	event_free(d->keepalive);
	free(d);
}

/*
 * New limits (SIGHUP).  Subscribers beyond a lower max_subscribers stay;
 * the new buffer applies from the next write.
 */
void
dispatch_set_limits(struct dispatch *d, const struct dispatch_limits *limits)
{
	d->limits = *limits;
}

void
dispatch_publish(struct dispatch *d, const struct store_stream_item *it)
{
	struct dispatch_sub	*s, *next;
	struct dispatch_queued	*q;
	char			*plain = NULL, *agg = NULL, *frame;
	size_t			 plain_len = 0, agg_len = 0, len;
	int			 agg_done = 0;

	for (s = TAILQ_FIRST(&d->subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (!sub_matches(s, it) || it->seq <= s->last_sent)
			continue;
		if (s->aggregate) {
			if (!agg_done) {
				agg = frame_aggregate(it, &agg_len);
				agg_done = 1;
			}
			if ((frame = agg) == NULL)
				continue;
			len = agg_len;
		} else {
			if (plain == NULL)
				plain = frame_new(it, &plain_len);
			frame = plain;
			len = plain_len;
		}
		if (!s->replaying) {
			sub_write(s, it->seq, frame, len);
			(void)sub_check(s);
			continue;
		}
		if (s->queued_bytes + len > d->limits.buffer_bytes) {
			/* The replay reads these from the store instead. */
			queue_clear(s);
			continue;
		}
		q = xmalloc(sizeof *q + len);
		q->seq = it->seq;
		q->len = len;
		memcpy(q->frame, frame, len);
		STAILQ_INSERT_TAIL(&s->queue, q, entry);
		s->queued_bytes += len;
	}
	free(plain);
	free(agg);
}

/*
 * Subscribe conn to agent or team (exactly one non-NULL, both borrowed);
 * last_id >= 0 replays the stored items after it first.
 */
int
dispatch_subscribe(struct dispatch *d, struct http_conn *conn,
    const char *agent, const char *team, int64_t last_id, int aggregate,
    const struct dispatch_owner *owner)
{
	struct api_error	 err;
	struct dispatch_sub	*s;
	int64_t			 max;
	size_t			 held = 0;

	if ((agent == NULL) == (team == NULL))
		fatalx("%s: need one of agent and team", __func__);
	if (d->closing || d->nsubs >= d->limits.max_subscribers) {
		api_error_set(&err, 503, "unavailable", -1, NULL, "%s",
		    d->closing ? "shutting down" : "too many stream "
		    "subscribers (max_subscribers)");
		http_reply_error(conn, &err, "Retry-After: 3\r\n");
		if (!d->closing)
			log_warnx("stream: %s: refused: max_subscribers (%zu) "
			    "reached", http_conn_peer(conn),
			    d->limits.max_subscribers);
		return (503);
	}
	if (owner != NULL)
		TAILQ_FOREACH(s, &d->subs, entry)
			if (s->owned && memcmp(s->owner.token, owner->token,
			    sizeof owner->token) == 0)
				held++;
	if (owner != NULL && held >= d->limits.max_per_owner) {
		api_error_set(&err, 429, "rate_limited", -1, NULL, "this token "
		    "already holds %zu open streams (max_streams_per_token)",
		    held);
		http_reply_error(conn, &err, "Retry-After: 3\r\n");
		log_info("stream: %s: refused: its token holds %zu streams "
		    "(max_streams_per_token)", http_conn_peer(conn), held);
		return (429);
	}
	s = xcalloc(1, sizeof *s);
	if (owner != NULL) {
		s->owned = 1;
		s->owner = *owner;
	}
	s->d = d;
	s->conn = conn;
	snprintf(s->agent, sizeof s->agent, "%s", agent != NULL ? agent : "");
	snprintf(s->team, sizeof s->team, "%s", team != NULL ? team : "");
	s->aggregate = aggregate;
	STAILQ_INIT(&s->queue);
	s->last_sent = -1;
	if (last_id >= 0) {
		/*
		 * An id beyond everything stored (a database started afresh)
		 * would otherwise hide every new item up to it.
		 */
		max = store_max_seq(d->store, "stream");
		s->last_sent = last_id < max ? last_id : max;
		s->replaying = 1;
		s->replay = evtimer_new(d->base, replay_cb, s);
		if (s->replay == NULL)
			fatalx("%s: cannot create an event", __func__);
	}
	/*
	 * From here on a subscriber lives exactly as long as its stream:
	 * sub_close_cb is the one place that frees it.
	 */
	if (http_stream_start(conn, 200, "text/event-stream; charset=utf-8",
	    "X-Accel-Buffering: no\r\n", sub_drain_cb, sub_close_cb, s) == -1) {
		if (s->replay != NULL)
			event_free(s->replay);
		free(s);
		return (0);
	}
	TAILQ_INSERT_TAIL(&d->subs, s, entry);
	d->nsubs++;
	http_stream_printf(conn, "retry: %d\n\n", DISPATCH_RETRY_MS);
	s->written = 1;
	log_debug("stream: %s (%s %s): subscribed%s", http_conn_peer(conn),
	    sub_kind(s), sub_name(s), s->replaying ? ", replaying" : "");
	if (s->replaying)
		evtimer_add(s->replay, &zero_delay);
	return (200);
}

/*
 * After the tokens or the privacy mode changed: end each stream whose
 * owner keep says may not stay (a revoked token, a changed role or
 * privacy mode), once what is queued is written.  Open-mode streams
 * (no owner) are judged too, with a NULL owner.
 */
size_t
dispatch_close_if(struct dispatch *d, dispatch_keep_cb keep, void *arg)
{
	struct dispatch_sub	*s, *next;
	size_t			 n = 0;

	for (s = TAILQ_FIRST(&d->subs); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (keep(s->owned ? &s->owner : NULL, s->aggregate, arg))
			continue;
		log_info("stream: %s (%s %s): closed: its token was revoked, "
		    "or its role or the privacy mode changed",
		    http_conn_peer(s->conn), sub_kind(s), sub_name(s));
		n++;
		/* sub_close_cb frees s (and only s). */
		http_stream_end(s->conn);
	}
	return (n);
}

size_t
dispatch_nsubscribers(const struct dispatch *d)
{
	return (d->nsubs);
}

/*
 * End every stream (shutdown): each closes once its queue is written;
 * later subscriptions are refused.
 */
void
dispatch_close_all(struct dispatch *d)
{
	d->closing = 1;
	/* sub_close_cb frees each. */
	while (!TAILQ_EMPTY(&d->subs))
		http_stream_end(TAILQ_FIRST(&d->subs)->conn);
}

void
dispatch_set_keepalive_ms(struct dispatch *d, long ms)
{
	keepalive_arm(d, ms > 0 ? ms : 1);
}
