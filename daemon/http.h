/* A small HTTP/1.1 server on libevent bufferevents, with deferred replies. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

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
void		 http_server_set_limits(struct http_server *,
		    const struct http_limits *);
void		 http_server_stop(struct http_server *);
size_t		 http_server_nconns(const struct http_server *);
const char	*http_server_address(const struct http_server *, size_t);
size_t		 http_server_naddresses(const struct http_server *);

void		 http_reply(struct http_conn *, int, const char *,
		    const char *, size_t, const char *);
void		 http_reply_json(struct http_conn *, int, json_t *,
		    const char *);
void		 http_reply_error(struct http_conn *, const struct api_error *,
		    const char *);
const char	*http_conn_peer(const struct http_conn *);

#endif
