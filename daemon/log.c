/*
 * respite - logging.
 *
 * One line per event of interest on stderr.  Under systemd (journald reads
 * stderr) each line starts with a <N> syslog priority as daemon(7)
 * describes; in the foreground (-f on a terminal) lines carry a time and
 * level word instead, which reads better.  libevent's own messages are
 * routed through here too.  Message text, tokens and request bodies are
 * never passed to these functions.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"

static enum log_target	log_target = LOG_TO_STDERR;
static enum log_level	log_level = LOG_LEVEL_INFO;

static const struct {
	const char	*name;
	enum log_level	 level;
} log_levels[] = {
	{ "error", LOG_LEVEL_ERROR },
	{ "warning", LOG_LEVEL_WARNING },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
};

static void	log_vwrite(enum log_level, const char *, va_list, int)
		    __attribute__((format(printf, 2, 0)));

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int errnum)
{
	char		 buf[1024], ts[32];
	struct tm	 tm;
	time_t		 t;
	int		 n;

	if (level > log_level)
		return;
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - n, ": %s", strerror(errnum));
	if (log_target == LOG_TO_SYSLOG) {
		syslog((int)level, "%s", buf);
		return;
	}
	if (log_target == LOG_TO_JOURNAL) {
		fprintf(stderr, "<%d>%s\n", (int)level, buf);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s\n", ts, log_level_name(level), buf);
}

static void
log_event_cb(int severity, const char *msg)
{
	enum log_level	level;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		level = LOG_LEVEL_DEBUG;
		break;
	case EVENT_LOG_MSG:
		level = LOG_LEVEL_INFO;
		break;
	case EVENT_LOG_WARN:
		level = LOG_LEVEL_WARNING;
		break;
	default:
		level = LOG_LEVEL_ERROR;
		break;
	}
	if (level > log_level)
		return;
	if (log_target == LOG_TO_SYSLOG)
		syslog((int)level, "libevent: %s", msg);
	else if (log_target == LOG_TO_JOURNAL)
		fprintf(stderr, "<%d>libevent: %s\n", (int)level, msg);
	else
		fprintf(stderr, "%s libevent: %s\n", log_level_name(level), msg);
}

/* Set up logging to target at level. */
void
log_init(enum log_target target, enum log_level level)
{
	log_target = target;
	if (target == LOG_TO_SYSLOG)
		openlog("respited", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_level = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
	event_set_log_callback(log_event_cb);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return (log_level);
}

/* Returns 0 and sets *level for a known name, else -1. */
int
log_level_parse(const char *name, enum log_level *level)
{
	size_t	i;

	for (i = 0; i < sizeof log_levels / sizeof log_levels[0]; i++) {
		if (strcasecmp(name, log_levels[i].name) == 0) {
			*level = log_levels[i].level;
			return (0);
		}
	}
	return (-1);
}

const char *
log_level_name(enum log_level level)
{
	size_t	i;

	for (i = 0; i < sizeof log_levels / sizeof log_levels[0]; i++)
		if (log_levels[i].level == level)
			return (log_levels[i].name);
	return ("?");
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARNING, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
