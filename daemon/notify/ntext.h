/* respite-notify: what the notifications say (plain C, no GLib). */
#ifndef NTEXT_H
#define NTEXT_H

#include <stddef.h>

#define NTEXT_MAX	1024	/* every text fits this buffer */

void	ntext_summary(char *, size_t, int);
void	ntext_plain_reason(char *, size_t, const char *, const char *);
void	ntext_body(char *, size_t, const char *, const char *, const char *,
	    int, int);
void	ntext_wellbeing(char *, size_t, char *, size_t, const char *,
	    const char *, int);
void	ntext_countdown(char *, size_t, int);
void	ntext_level(char *, size_t, char *, size_t, const char *, int);
void	ntext_escape_markup(char *, size_t, const char *);

#endif
