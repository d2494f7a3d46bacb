/* respite-notify: requests to respited's JSON API (libsoup 3, jansson). */
#ifndef CLIENT_H
#define CLIENT_H

#include <jansson.h>

struct client;

/*
 * A reply: the HTTP status (0 when there was none: then error says why),
 * the JSON body or NULL (borrowed for the call), and for an error reply
 * its message (the API's error.message, or the transport's).
 */
typedef void	(*client_cb)(int, json_t *, const char *, void *);

struct client	*client_new(const char *, const char *);
void		 client_request(struct client *, const char *, const char *,
		    json_t *, client_cb, void *, void (*)(void *));
void		 client_free(struct client *);

#endif
