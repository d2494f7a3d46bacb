/*
 * respite - the HTTP ceiling for `make bench`: a minimal libevent server.
 *
 * One event loop, like respited, on bufferevents, like respited's own
 * server (daemon/http.c), doing the least an HTTP/1.1 server can: find
 * the end of the head, read Content-Length bytes of body, and answer a
 * POST with 202 and a GET with 200, each with a short JSON body, keeping
 * the connection open.  No parsing beyond that, no JSON, no storage: what
 * respited does on top of this is what the benchmarks measure against it.
 *
 * It listens on 127.0.0.1 at the port given (0: any free one), prints
 * the port on stdout once it listens, and runs until SIGTERM or SIGINT.
 */
#include "build.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#define HC_HEAD_MAX	8192

static const char reply_post[] = "HTTP/1.1 202 Accepted\r\n"
    "Content-Type: application/json\r\nContent-Length: 29\r\n\r\n"
    "{\"accepted\":1,\"duplicates\":0}";
static const char reply_get[] = "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n"
    "{\"ok\":true}";

struct hc_conn {
	size_t	head_len;	/* 0: still reading the head */
	size_t	body_len;
	int	post;
};

static void
conn_free(struct bufferevent *bev, struct hc_conn *c)
{
	bufferevent_free(bev);
	free(c);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct hc_conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 p;
	const char		*head, *line, *end;
	size_t			 len;

	for (;;) {
		len = evbuffer_get_length(in);
		if (c->head_len == 0) {
			p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (p.pos < 0) {
				if (len > HC_HEAD_MAX)
					conn_free(bev, c);
				return;
			}
			c->head_len = (size_t)p.pos + 4;
			head = (const char *)evbuffer_pullup(in,
			    (ssize_t)c->head_len);
			end = head + c->head_len;
			c->post = strncmp(head, "POST ", 5) == 0;
			c->body_len = 0;
			/* The head ends in "\r\n\r\n": strtoul() stops there. */
			for (line = head; end - line > 16; line++) {
				if (line[0] == '\n' && strncasecmp(line + 1,
				    "Content-Length:", 15) == 0) {
					c->body_len = strtoul(line + 16, NULL,
					    10);
					break;
				}
			}
		}
		if (len < c->head_len + c->body_len)
			return;
		/* The head and body, read and done with. */
		evbuffer_drain(in, c->head_len + c->body_len);
		c->head_len = 0;
		if (c->post)
			bufferevent_write(bev, reply_post,
			    sizeof reply_post - 1);
		else
			bufferevent_write(bev, reply_get, sizeof reply_get - 1);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	conn_free(bev, arg);
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bufferevent	*bev;
	struct hc_conn		*c;
	int			 one = 1;

	(void)lev;
	(void)sa;
	(void)salen;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((bev = bufferevent_socket_new(arg, fd, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL) {
		evutil_closesocket(fd);
		return;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		abort();
	bufferevent_setcb(bev, read_cb, NULL, event_cb, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct evconnlistener	*lev;
	struct event		*sterm, *sint;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;

	if (argc != 2) {
		fprintf(stderr, "usage: http-ceiling PORT\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((base = event_base_new()) == NULL)
		return (1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	lev = evconnlistener_new_bind(base, accept_cb, base,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
	    (struct sockaddr *)&sin, sizeof sin);
	if (lev == NULL) {
		perror("http-ceiling: listen");
		return (1);
	}
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin,
	    &slen) == -1) {
		perror("http-ceiling: getsockname");
		return (1);
	}
	printf("%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	sterm = evsignal_new(base, SIGTERM, signal_cb, base);
	sint = evsignal_new(base, SIGINT, signal_cb, base);
	evsignal_add(sterm, NULL);
	evsignal_add(sint, NULL);
	event_base_dispatch(base);
	event_free(sterm);
	event_free(sint);
	evconnlistener_free(lev);
	event_base_free(base);
	return (0);
}
