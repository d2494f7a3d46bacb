/* Dispatch: Server-Sent Event subscribers of GET /v1/stream. */
#ifndef DISPATCH_H
#define DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "http.h"
#include "store.h"

#define DISPATCH_KEEPALIVE_S	15	/* a comment line this often */

struct dispatch_limits {
	size_t		max_subscribers;	/* [stream] max_subscribers */
	size_t		buffer_bytes;		/* [stream] buffer: per subscriber */
	size_t		max_per_owner;		/* [server] max_streams_per_token */
};

/*
 * Who holds a stream: the token (its SHA-256) and its role when the
 * stream began, for max_per_owner and for judging the stream again when
 * the tokens or the privacy mode change.
 */
#define DISPATCH_ROLE_MAX	600	/* TOKEN_ROLE_MAX */
struct dispatch_owner {
	uint8_t		token[32];
	char		role[DISPATCH_ROLE_MAX + 1];
};

/*
 * Does a stream of owner (NULL: open mode), aggregate as subscribed,
 * stay?  1 or 0.
 */
typedef int (*dispatch_keep_cb)(const struct dispatch_owner *, int, void *);

struct dispatch;

struct dispatch	*dispatch_new(struct event_base *, struct store *,
		    const struct dispatch_limits *);
void		 dispatch_free(struct dispatch *);
void		 dispatch_set_limits(struct dispatch *,
		    const struct dispatch_limits *);
/*
 * Send one item, already stored durably (its seq is larger than every
 * earlier one), to the subscribers whose filter matches its agent or team.
 */
void		 dispatch_publish(struct dispatch *,
		    const struct store_stream_item *);
/*
 * Make conn a subscriber for one agent or one team (the other NULL).
 * last_id >= 0 (from Last-Event-ID) first replays the stored items after
 * it.  aggregate limits it to lead suggestions, no per-agent item (a lead
 * in aggregate privacy mode).  owner (copied; NULL in open mode, where
 * there is no token) holds at most max_per_owner streams.  Answers the
 * request itself and returns the status: 200 (text/event-stream), 429
 * (max_per_owner), 503 (max_subscribers, or shutting down), or 0 if the
 * connection had no request to answer.
 */
int		 dispatch_subscribe(struct dispatch *, struct http_conn *,
		    const char *, const char *, int64_t, int,
		    const struct dispatch_owner *);
/* End each stream with an owner that keep says may not stay; returns how many. */
size_t		 dispatch_close_if(struct dispatch *, dispatch_keep_cb, void *);
size_t		 dispatch_nsubscribers(const struct dispatch *);
void		 dispatch_close_all(struct dispatch *);
/* Tests only: the keep-alive interval in ms (default DISPATCH_KEEPALIVE_S). */
void		 dispatch_set_keepalive_ms(struct dispatch *, long);

#endif
