/*
 * respite-notify - logging.
 *
 * One line per event of interest on stderr, the way daemon/common/log.c writes
 * respited's: under systemd (JOURNAL_STREAM is set when journald reads
 * our stderr) each line starts with a <N> syslog priority, as daemon(7)
 * describes; otherwise it carries a UTC time and a level word.  With
 * --once the program is a command more than a service: its lines are
 * "respite-notify: message", warnings and errors only unless -v.  GLib's
 * own messages (and through it libnotify's and libsoup's) are routed
 * here too, so a warning from a library lands in the same log with the
 * same shape.  Lines are written with one stdio call each, so the
 * presenter thread and the main thread never interleave within a line.
 *
 * Nothing here ever sees a token or the text of a suggestion's answer.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "nlog.h"

enum nlog_level {
	NLOG_ERROR = 3,
	NLOG_WARNING = 4,
	NLOG_INFO = 6,
	NLOG_DEBUG = 7
};

static int	nlog_journal;
static int	nlog_plain;		/* "respite-notify: message" */
static int	nlog_level = NLOG_INFO;
static int	nlog_verbosity;

static const char *
level_word(int level)
{
	switch (level) {
	case NLOG_ERROR:
		return ("error");
	case NLOG_WARNING:
		return ("warning");
	case NLOG_INFO:
		return ("info");
	default:
		return ("debug");
	}
}

static void	nlog_vwrite(int, const char *, va_list, int)
		    __attribute__((format(printf, 2, 0)));

static void
nlog_vwrite(int level, const char *fmt, va_list ap, int errnum)
{
	char		 buf[1024], ts[32];
	struct tm	 tm;
	time_t		 t;
	int		 n;

	if (level > nlog_level)
		return;
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	if (errnum != 0 && (size_t)n < sizeof buf)
		snprintf(buf + n, sizeof buf - n, ": %s", strerror(errnum));
	if (nlog_journal) {
		fprintf(stderr, "<%d>%s\n", level, buf);
		return;
	}
	if (nlog_plain) {
		fprintf(stderr, "respite-notify: %s\n", buf);
		return;
	}
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s\n", ts, level_word(level), buf);
}

/*
 * verbose: the number of -v given (1 and more: debug lines); plain: the
 * short lines of a command (--once), warnings only unless verbose.
 */
void
nlog_init(int verbose, int plain)
{
	const char	*js = getenv("JOURNAL_STREAM");

	nlog_journal = js != NULL && *js != '\0';
	nlog_plain = plain;
	nlog_verbosity = verbose;
	nlog_level = verbose > 0 ? NLOG_DEBUG : plain ? NLOG_WARNING :
	    NLOG_INFO;
	/* Line-buffered even when stderr is a file, as journald wants. */
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
nlog_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	nlog_vwrite(NLOG_WARNING, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
nlog_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	nlog_vwrite(NLOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
nlog_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	nlog_vwrite(NLOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void
nlog_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	nlog_vwrite(NLOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

/*
 * A start-up failure: one line "respite-notify: message" on stderr (a
 * <3> line under journald) and exit with code.  Used before the main loop
 * runs, and for --once's clear one-line errors.
 */
void
nlog_die(int code, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (nlog_journal)
		fprintf(stderr, "<%d>%s\n", NLOG_ERROR, buf);
	else
		fprintf(stderr, "respite-notify: %s\n", buf);
	exit(code);
}

/*
 * GLib's structured log writer: libraries' messages become our lines.
 * Their debug and info messages need -vv (they are chatty); a critical
 * is a bug somewhere and is logged as an error, never an abort.
 */
static GLogWriterOutput
glib_writer_cb(GLogLevelFlags flags, const GLogField *fields, gsize n,
    gpointer arg)
{
	const char	*msg = NULL, *domain = NULL;
	gsize		 i;
	int		 level;

	(void)arg;
	for (i = 0; i < n; i++) {
		if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
			msg = fields[i].value;
		else if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 &&
		    fields[i].length < 0)
			domain = fields[i].value;
	}
	if (msg == NULL)
		return (G_LOG_WRITER_HANDLED);
	if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		level = NLOG_ERROR;
	else if (flags & G_LOG_LEVEL_WARNING)
		level = NLOG_WARNING;
	else if (flags & G_LOG_LEVEL_MESSAGE)
		level = NLOG_INFO;
	else {
		if (nlog_verbosity < 2)
			return (G_LOG_WRITER_HANDLED);
		level = NLOG_DEBUG;
	}
	if (level > nlog_level)
		return (G_LOG_WRITER_HANDLED);
	if (nlog_journal)
		fprintf(stderr, "<%d>%s: %s\n", level, domain != NULL ? domain :
		    "glib", msg);
	else if (nlog_plain)
		fprintf(stderr, "respite-notify: %s: %s\n", domain != NULL ?
		    domain : "glib", msg);
	else {
		char		ts[32];
		struct tm	tm;
		time_t		t = time(NULL);

		gmtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s %s %s: %s\n", ts, level_word(level),
		    domain != NULL ? domain : "glib", msg);
	}
	return (G_LOG_WRITER_HANDLED);
}

/* Route GLib's messages through us; call once, before any other GLib use. */
void
nlog_route_glib(void)
{
	g_log_set_writer_func(glib_writer_cb, NULL, NULL);
}
