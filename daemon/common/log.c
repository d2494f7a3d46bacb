/*
 * respite - logging.
 *
 * One line per event of interest on stderr.  Under systemd (journald reads
 * stderr) each line starts with a <N> syslog priority as daemon(7)
 * describes; in the foreground (-f on a terminal) lines carry a time and
 * level word instead, which reads better.  libevent's own messages are
 * routed through here too.  Message text, tokens and request bodies are
 * never passed to these functions.
 *
 * respite-notify logs through here too (daemon/notify/nlog.c sets it up):
 * as a command (--once) its lines are "respite-notify: message", which
 * LOG_TO_COMMAND and log_exit() write with the name of log_set_name().
 * libevent's messages are routed here by respited (log_libevent_cb()),
 * not by log_init(), so that a program without libevent can link this.
 *
 * Every line is escaped on its way out (log_escape()): values that came
 * from outside (an adapter's "ignored" reason quoting a payload, a
 * plugin's message, a peer's header) can carry a line break and a
 * forged "<3>" priority, or invalid UTF-8, and none of them may split a
 * line or fake one (issue 13 item 10).  One place, so that no call site
 * can forget it.
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
static const char	*log_name = "respited";

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

/*
 * The code point of the valid UTF-8 sequence at s (n bytes left) in *cp,
 * and its length; 0 if the bytes there are not valid UTF-8.
 */
static size_t
log_utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t	len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, *cp = s[0] & 0x07;
	else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
	    (len == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return (0);
	return (len);
}

/*
 * s as one safe log line into out (len bytes, at least 1): control
 * characters become \n, \r, \t or \xNN, as does every byte of invalid
 * UTF-8; the C1 controls, the line and paragraph separators (U+2028,
 * U+2029) and the bidirectional overrides (U+202A-U+202E,
 * U+2066-U+2069), which can make a line read as something else, become
 * \uNNNN.  Other UTF-8 is kept.  What does not fit is cut, never inside
 * an escape or a character.  Returns the length written.
 */
size_t
log_escape(const char *s, char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n, rest = strlen(s);
	unsigned long		 cp;
	char			 esc[8];

	if (len == 0)
		return (0);
	while (rest > 0) {
		if (*p >= 0x20 && *p < 0x7f) {
			n = 1;
			esc[0] = (char)*p;
			esc[1] = '\0';
		} else if (*p < 0x80) {
			n = 1;
			if (*p == '\n')
				snprintf(esc, sizeof esc, "\\n");
			else if (*p == '\r')
				snprintf(esc, sizeof esc, "\\r");
			else if (*p == '\t')
				snprintf(esc, sizeof esc, "\\t");
			else
				snprintf(esc, sizeof esc, "\\x%02x", *p);
		} else if ((n = log_utf8(p, rest, &cp)) == 0) {
			n = 1;
			snprintf(esc, sizeof esc, "\\x%02x", *p);
		} else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			snprintf(esc, sizeof esc, "\\u%04lx", cp);
		else {
			memcpy(esc, p, n);
			esc[n] = '\0';
		}
		if (o + strlen(esc) >= len)
			break;
		memcpy(out + o, esc, strlen(esc));
		o += strlen(esc);
		p += n;
		rest -= n;
	}
	out[o] = '\0';
	return (o);
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int errnum)
{
	char		 raw[1024], buf[4 * sizeof raw], ts[32];
	struct tm	 tm;
	time_t		 t;
	int		 n;

	if (level > log_level)
		return;
	n = vsnprintf(raw, sizeof raw, fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof raw)
		snprintf(raw + n, sizeof raw - n, ": %s", strerror(errnum));
	/* A line cut by vsnprintf() may end inside a character: \xNN. */
	log_escape(raw, buf, sizeof buf);
	if (log_target == LOG_TO_SYSLOG) {
		syslog((int)level, "%s", buf);
		return;
	}
	if (log_target == LOG_TO_JOURNAL) {
		fprintf(stderr, "<%d>%s\n", (int)level, buf);
		return;
	}
	if (log_target == LOG_TO_COMMAND) {
		fprintf(stderr, "%s: %s\n", log_name, buf);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s\n", ts, log_level_name(level), buf);
}

/* libevent's messages (event_set_log_callback(), called by respited). */
void
log_libevent_cb(int severity, const char *raw)
{
	enum log_level	level;
	char		msg[4096];

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
	log_escape(raw, msg, sizeof msg);
	if (log_target == LOG_TO_SYSLOG)
		syslog((int)level, "libevent: %s", msg);
	else if (log_target == LOG_TO_JOURNAL)
		fprintf(stderr, "<%d>libevent: %s\n", (int)level, msg);
	else
		fprintf(stderr, "%s libevent: %s\n", log_level_name(level), msg);
}

/* The program's name, for syslog and LOG_TO_COMMAND; borrowed. */
void
log_set_name(const char *name)
{
	log_name = name;
}

/* Set up logging to target at level. */
void
log_init(enum log_target target, enum log_level level)
{
	log_target = target;
	if (target == LOG_TO_SYSLOG)
		openlog(log_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_level = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
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

/* A line at any level (another library's messages). */
void
log_write(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap, 0);
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

/*
 * A command's fatal error, before or outside its loop: one line
 * "NAME: message" on stderr whatever the target (a <3> line to the
 * journal, an error to syslog), then exit with code.
 */
void
log_exit(int code, const char *fmt, ...)
{
	char	raw[1024], buf[4 * sizeof raw];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	log_escape(raw, buf, sizeof buf);
	if (log_target == LOG_TO_JOURNAL)
		fprintf(stderr, "<%d>%s\n", (int)LOG_LEVEL_ERROR, buf);
	else if (log_target == LOG_TO_SYSLOG)
		syslog((int)LOG_LEVEL_ERROR, "%s", buf);
	else
		fprintf(stderr, "%s: %s\n", log_name, buf);
	exit(code);
}
