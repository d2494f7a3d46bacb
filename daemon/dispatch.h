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
};

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
 * in aggregate privacy mode).  Answers the request itself (200
 * text/event-stream, or an error).
 */
void		 dispatch_subscribe(struct dispatch *, struct http_conn *,
		    const char *, const char *, int64_t, int);
size_t		 dispatch_nsubscribers(const struct dispatch *);
void		 dispatch_close_all(struct dispatch *);
/* Tests only: the keep-alive interval in ms (default DISPATCH_KEEPALIVE_S). */
void		 dispatch_set_keepalive_ms(struct dispatch *, long);

#endif
