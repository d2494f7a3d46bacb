/* A small HTTP/1.1 server on libevent bufferevents, with deferred replies. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "apierr.h"
#include "http_parse.h"

struct http_server;
struct http_conn;

struct http_limits {
	size_t		max_body;
	size_t		max_connections;
	long		idle_timeout_s;
	long		request_timeout_s;
	long		header_timeout_s;	/* a new connection's first head */
	size_t		max_unsent;		/* a reply's bytes queued, per conn */
	size_t		max_unsent_total;	/* all connections together */
};

/*
 * Called once per complete request.  The handler answers with one of the
 * http_reply*() calls, now or later (a deferred reply, e.g. after a
 * commit); until then the connection reads nothing more.  body is
 * borrowed until the reply.
 */
typedef void (*http_handler_cb)(struct http_conn *,
    const struct http_request *, const char *, size_t, void *);

struct http_server *http_server_new(struct event_base *, http_handler_cb,
		    void *, const struct http_limits *);
void		 http_server_free(struct http_server *);
int		 http_server_listen(struct http_server *, const char *,
		    char **);
int		 http_server_listen_fd(struct http_server *, int, char **);
int		 http_server_all_loopback(const struct http_server *);
void		 http_server_set_limits(struct http_server *,
		    const struct http_limits *);
void		 http_server_stop(struct http_server *);
size_t		 http_server_nconns(const struct http_server *);
const struct http_server *http_conn_server(const struct http_conn *);
uint64_t	 http_server_nrefused(const struct http_server *);
uint64_t	 http_server_naccept_pauses(const struct http_server *);
uint64_t	 http_server_nevicted(const struct http_server *);
uint64_t	 http_server_nheader_timeouts(const struct http_server *);
const char	*http_server_address(const struct http_server *, size_t);
size_t		 http_server_naddresses(const struct http_server *);

void		 http_reply(struct http_conn *, int, const char *,
		    const char *, size_t, const char *);
void		 http_reply_json(struct http_conn *, int, json_t *,
		    const char *);
void		 http_reply_error(struct http_conn *, const struct api_error *,
		    const char *);
const char	*http_conn_peer(const struct http_conn *);

/*
 * Replies produced in pieces, for bodies too large to build whole (lists
 * of thousands of items).  Instead of an http_reply*() call, a handler
 * may answer with http_reply_pieces(): fill_cb is called, now and later
 * as the client reads, to append the next bit of the body (an item, say)
 * with http_piece_add() / http_piece_json(); it returns 1 while more is
 * to come, 0 once the body is complete, -1 on failure.  Pieces are made
 * only while the connection has less than max_unsent bytes queued, and
 * all connections together less than max_unsent_total.  A body that is
 * complete within max_unsent goes out with Content-Length, exactly as
 * http_reply() would send it; a larger one is chunked (HTTP/1.0: ended by
 * closing the connection).  A failure before anything was sent is a 503
 * unavailable; later it closes the connection, the body cut short.
 * free_cb(arg) is called exactly once, when the body is complete or the
 * connection goes.  The state fill_cb keeps must not point into data
 * that may change between loop iterations (look things up again).
 */
typedef int	(*http_fill_cb)(struct http_conn *, void *);
typedef void	(*http_fill_free_cb)(void *);

void		 http_reply_pieces(struct http_conn *, int, const char *,
		    const char *, http_fill_cb, http_fill_free_cb, void *);
void		 http_piece_add(struct http_conn *, const void *, size_t);
void		 http_piece_printf(struct http_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 http_piece_json(struct http_conn *, const json_t *);
size_t		 http_server_unsent(const struct http_server *);
uint64_t	 http_server_nunsent_waits(const struct http_server *);
/* CORS headers for the replies to the request being handled. */
#define HTTP_CORS_MAX	512
int		 http_conn_set_cors(struct http_conn *, const char *);

/*
 * Streaming replies (Server-Sent Events).  Instead of an http_reply*()
 * call, a handler may answer with http_stream_start(), which returns 0, or
 * -1 if the connection has no request to answer: the status line and
 * headers go out at once (no Content-Length, "Connection: close": the
 * body ends when the connection does), then any number of writes.  The
 * connection keeps reading to notice the client leaving and discards what
 * it sends; it has no idle timeout, only the write timeout
 * (request_timeout) for a client that stops reading.
 *
 * drain_cb (may be NULL) is called whenever everything written so far has
 * been handed to the kernel.  close_cb is called exactly once when the
 * stream ends for any reason: the client went away or timed out, the
 * server stopped, or http_stream_end() / http_stream_abort().  After
 * close_cb has been called the connection pointer must not be used again
 * (close_cb itself may still call http_conn_peer()).
 */
typedef void (*http_stream_cb)(struct http_conn *, void *);

int		 http_stream_start(struct http_conn *, int, const char *,
		    const char *, http_stream_cb, http_stream_cb, void *);
void		 http_stream_write(struct http_conn *, const void *, size_t);
void		 http_stream_printf(struct http_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
size_t		 http_stream_buffered(const struct http_conn *);
void		 http_stream_end(struct http_conn *);
void		 http_stream_abort(struct http_conn *);

#endif
