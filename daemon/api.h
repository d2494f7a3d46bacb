/* The v1 JSON API (API.md): the route table (api.c). */
#ifndef API_H
#define API_H

#include <stddef.h>

#include "api_handlers.h"

/* api.c: the http_handler_cb */
void	api_handle(struct http_conn *, const struct http_request *,
	    const char *, size_t, void *);

#endif
