/* Logging (ntpd/relayd log.c): levels, stderr with <N> prefixes. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

enum log_target {
	LOG_TO_STDERR,		/* -f on a terminal: time and level words */
	LOG_TO_JOURNAL,		/* stderr read by journald: <N> prefixes */
	LOG_TO_SYSLOG,		/* detached daemon */
	LOG_TO_COMMAND		/* a command's stderr: "NAME: message" */
};

void	log_set_name(const char *);
void	log_init(enum log_target, enum log_level);
void	log_libevent_cb(int, const char *);
void	log_set_level(enum log_level);
enum log_level log_get_level(void);
int	log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);
size_t	log_escape(const char *, char *, size_t);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_write(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));
void	log_exit(int, const char *, ...) __attribute__((format(printf, 2, 3)))
	    __attribute__((noreturn));

#endif
