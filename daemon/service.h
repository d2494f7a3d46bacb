/* Talking to the service manager: sd_notify, watchdog, socket activation. */
#ifndef SERVICE_H
#define SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

struct http_server;
struct service;

int		 service_listen_fds(int *);
struct service	*service_new(struct event_base *);
void		 service_free(struct service *);
void		 service_status(struct service *, const struct http_server *,
		    size_t, int64_t);

#endif
