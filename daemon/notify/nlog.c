/*
 * respite-notify - logging, set up.
 *
 * The lines are written by daemon/common/log.c, respited's own: one line
 * per event of interest on stderr, escaped; under systemd (JOURNAL_STREAM
 * is set when journald reads our stderr) each line starts with a <N>
 * syslog priority, as daemon(7) describes; otherwise it carries a UTC
 * time and a level word.  With --once the program is a command more than
 * a service: its lines are "respite-notify: message" (LOG_TO_COMMAND),
 * warnings and errors only unless -v, and log_exit() ends it with one
 * such line.  What is ours here: choosing that, and routing GLib's own
 * messages (and through it libnotify's and libsoup's) to the same log,
 * so a warning from a library lands there with the same shape.  Lines
 * are written with one stdio call each, so the presenter thread and the
 * main thread never interleave within a line.
 *
 * Nothing here ever sees a token or the text of a suggestion's answer.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "log.h"
#include "nlog.h"

static int	nlog_verbosity;

/*
 * verbose: the number of -v given (1 and more: debug lines); plain: the
 * short lines of a command (--once), warnings only unless verbose.
 */
void
nlog_init(int verbose, int plain)
{
	const char	*js = getenv("JOURNAL_STREAM");

	nlog_verbosity = verbose;
	log_init(js != NULL && *js != '\0' ? LOG_TO_JOURNAL : plain ?
	    LOG_TO_COMMAND : LOG_TO_STDERR, verbose > 0 ? LOG_LEVEL_DEBUG :
	    plain ? LOG_LEVEL_WARNING : LOG_LEVEL_INFO);
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
	enum log_level	 level;

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
		level = LOG_LEVEL_ERROR;
	else if (flags & G_LOG_LEVEL_WARNING)
		level = LOG_LEVEL_WARNING;
	else if (flags & G_LOG_LEVEL_MESSAGE)
		level = LOG_LEVEL_INFO;
	else {
		if (nlog_verbosity < 2)
			return (G_LOG_WRITER_HANDLED);
		level = LOG_LEVEL_DEBUG;
	}
	log_write(level, "%s: %s", domain != NULL ? domain : "glib", msg);
	return (G_LOG_WRITER_HANDLED);
}

/* Route GLib's messages through us; call once, before any other GLib use. */
void
nlog_route_glib(void)
{
	g_log_set_writer_func(glib_writer_cb, NULL, NULL);
}
