/*
 * respite - talking to the service manager (daemon(7), sd_notify(3)).
 *
 * Under systemd with Type=notify respited says READY=1, RELOADING=1 and
 * STOPPING=1 (respited.c), and from here: a STATUS= line that
 * `systemctl status` shows (the listen addresses, the number of agents
 * and the events stored in the last minute), refreshed by the daemon's
 * minute tick; and WATCHDOG=1 from a timer on the event loop at half the
 * interval the unit's WatchdogSec= asks for.  The keep-alive comes from
 * the loop on purpose, never from a thread: if a callback hangs, the
 * pings stop and systemd restarts the service.
 *
 * Socket activation: service_listen_fds() hands over the sockets systemd
 * (or systemd-socket-activate) opened for us; respited listens on those
 * instead of its `listen` addresses.
 *
 * Everything here is a no-op without libsystemd, and cheap without
 * NOTIFY_SOCKET: the status line is only put together when somebody
 * listens.
 */
#include "build.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "http.h"
#include "log.h"
#include "service.h"
#include "stats.h"
#include "xmalloc.h"

struct service {
	struct event		*watchdog;
	int			 notifying;	/* NOTIFY_SOCKET is set */
	int64_t			 last_ms;	/* last status: time, events */
	unsigned long long	 last_events;
};

/*
 * The sockets passed in by the service manager (LISTEN_FDS), for this
 * process only (LISTEN_PID); the variables are removed from the
 * environment.  Returns their number (0: not socket-activated) with the
 * first descriptor in *first; the others follow it.  Fatal if the
 * variables are malformed.
 */
int
service_listen_fds(int *first)
{
#ifdef HAVE_LIBSYSTEMD
	int	n;

	*first = SD_LISTEN_FDS_START;
	if ((n = sd_listen_fds(1)) < 0)
		fatalx("socket activation: %s", strerror(-n));
	return (n);
#else
	*first = -1;
	return (0);
#endif
}

#ifdef HAVE_LIBSYSTEMD
static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}
#endif

/*
 * Returns a new service, with the watchdog timer running if the service
 * manager asked for one (WATCHDOG_USEC, and WATCHDOG_PID unset or ours).
 */
struct service *
service_new(struct event_base *base)
{
	struct service	*svc;

	svc = xcalloc(1, sizeof *svc);
#ifdef HAVE_LIBSYSTEMD
	{
		const char	*ns;
		uint64_t	 usec;
		struct timeval	 tv;

		ns = getenv("NOTIFY_SOCKET");
		svc->notifying = ns != NULL && *ns != '\0';
		if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
			usec /= 2;
			tv.tv_sec = (time_t)(usec / 1000000);
			tv.tv_usec = (suseconds_t)(usec % 1000000);
			svc->watchdog = event_new(base, -1, EV_PERSIST,
			    watchdog_cb, svc);
			event_add(svc->watchdog, &tv);
			sd_notify(0, "WATCHDOG=1");
			log_info("watchdog: keep-alive every %" PRIu64 " ms",
			    usec / 1000);
		}
	}
#else
	(void)base;
#endif
	return (svc);
}

void
service_free(struct service *svc)
{
	if (svc == NULL)
		return;
	if (svc->watchdog != NULL)
		event_free(svc->watchdog);
	free(svc);
}

#ifdef HAVE_LIBSYSTEMD
/* Append to buf (size bytes, *len used), cutting off what does not fit. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}
#endif

/*
 * Send the status line: where http listens, nagents agents, and the
 * events stored per minute since the previous call (now_ms, wall clock),
 * e.g. "listening on 127.0.0.1:7878; 12 agents; 340 events/min".
 */
void
service_status(struct service *svc, const struct http_server *http,
    size_t nagents, int64_t now_ms)
{
#ifdef HAVE_LIBSYSTEMD
	unsigned long long	 events;
	char			 buf[512];
	size_t			 i, n, len = 0;

	if (svc == NULL || !svc->notifying)
		return;
	buf[0] = '\0';
	append(buf, sizeof buf, &len, "STATUS=listening on ");
	n = http_server_naddresses(http);
	for (i = 0; i < n; i++)
		append(buf, sizeof buf, &len, "%s%s", i == 0 ? "" : ", ",
		    http_server_address(http, i));
	if (n == 0)
		append(buf, sizeof buf, &len, "nothing");
	append(buf, sizeof buf, &len, "; %zu agent%s", nagents,
	    nagents == 1 ? "" : "s");
	events = stats_events_total();
	if (svc->last_ms != 0 && now_ms > svc->last_ms)
		append(buf, sizeof buf, &len, "; %llu events/min",
		    (events - svc->last_events) * 60000 /
		    (unsigned long long)(now_ms - svc->last_ms));
	svc->last_ms = now_ms;
	svc->last_events = events;
	sd_notify(0, buf);
#else
	(void)svc;
	(void)http;
	(void)nagents;
	(void)now_ms;
#endif
}
