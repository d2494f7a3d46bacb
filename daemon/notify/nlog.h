/* respite-notify: its exit codes, and logging set up (daemon/common/log.c). */
#ifndef NLOG_H
#define NLOG_H

/* The exit codes of sysexits(3) that respite-notify uses. */
#define NOTIFY_EX_USAGE		64	/* a bad command line */
#define NOTIFY_EX_UNAVAILABLE	69	/* no session bus, no notification
					   server, no respited (--once) */
#define NOTIFY_EX_NOPERM	77	/* the server refused the token */
#define NOTIFY_EX_CONFIG	78	/* a bad configuration or token file */

void	nlog_init(int, int);
void	nlog_route_glib(void);

#endif
