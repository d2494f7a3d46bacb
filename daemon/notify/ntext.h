/* respite-notify: what the notifications say (plain C, no GLib). */
#ifndef NTEXT_H
#define NTEXT_H

#include <stddef.h>

#define NTEXT_MAX	1024	/* every text fits this buffer */

/* The language of every text; English until set. */
enum ntext_lang {
	NTEXT_EN = 0,
	NTEXT_DE
};

/* The labels of the popups' buttons. */
enum ntext_label {
	NL_START = 0,		/* start the break */
	NL_SNOOZE,		/* 10 minutes later */
	NL_DISMISS,
	NL_OK,			/* a wellbeing_check read */
	NL_END_BREAK,		/* end the break now */
	NL_COUNT
};

int	ntext_lang_parse(const char *);
enum ntext_lang ntext_lang_from_env(const char *, const char *,
	    const char *);
void	ntext_set_lang(enum ntext_lang);
enum ntext_lang ntext_get_lang(void);
const char *ntext_label(enum ntext_label);

void	ntext_summary(char *, size_t, int);
void	ntext_plain_reason(char *, size_t, const char *, const char *);
void	ntext_body(char *, size_t, const char *, const char *, const char *,
	    int, int);
void	ntext_wellbeing(char *, size_t, char *, size_t, const char *,
	    const char *, int);
void	ntext_countdown(char *, size_t, int);
void	ntext_countdown_body(char *, size_t, const char *);
void	ntext_welcome(char *, size_t, char *, size_t, int);
void	ntext_level(char *, size_t, char *, size_t, const char *, int);
void	ntext_escape_markup(char *, size_t, const char *);

#endif
