/* respite-notify: logging (stderr; <N> prefixes under journald). */
#ifndef NLOG_H
#define NLOG_H

#include <stdarg.h>

/* The exit codes of sysexits(3) that respite-notify uses. */
#define NOTIFY_EX_USAGE		64	/* a bad command line */
#define NOTIFY_EX_UNAVAILABLE	69	/* no session bus, no notification
					   server, no respited (--once) */
#define NOTIFY_EX_NOPERM	77	/* the server refused the token */
#define NOTIFY_EX_CONFIG	78	/* a bad configuration or token file */

void	nlog_init(int, int);
void	nlog_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nlog_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nlog_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nlog_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	nlog_die(int, const char *, ...) __attribute__((format(printf, 2, 3)))
	    __attribute__((noreturn));
void	nlog_route_glib(void);

#endif
