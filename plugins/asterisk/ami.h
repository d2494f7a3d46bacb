/*
 * respite - the Asterisk Manager Interface's wire format
 * (plugins/asterisk/ami.c).
 *
 * After a one-line banner ("Asterisk Call Manager/9.0.0"), AMI sends
 * messages of "Key: value" lines ending in CRLF; a blank line ends a
 * message (a response, or an event).  The parser takes bytes however
 * they arrive and hands over each whole message.  Every limit is
 * explicit: a longer line, more headers or more bytes drop that one
 * message (counted), never the parser's bounds.
 */
#ifndef AMI_H
#define AMI_H

#include <stddef.h>

/* Longest line (without its CRLF). */
#define AMI_LINE_MAX		1024
/* Most headers of one message, and their bytes (keys and values). */
#define AMI_HEADERS_MAX		64
#define AMI_MSG_MAX		8192

struct ami_header {
	const char	*key;
	const char	*value;
};

/* One message: borrowed by the callback, valid during the call. */
struct ami_msg {
	struct ami_header	 h[AMI_HEADERS_MAX];
	size_t			 n;
	int			 banner;	/* the banner line, as h[0] */
};

typedef void	(*ami_msg_cb)(const struct ami_msg *, void *);

struct ami_parser {
	char		 line[AMI_LINE_MAX + 1];
	size_t		 llen;
	int		 line_over;	/* this line is too long */
	int		 want_banner;
	char		 store[AMI_MSG_MAX];
	size_t		 used;
	size_t		 key[AMI_HEADERS_MAX], value[AMI_HEADERS_MAX];
	size_t		 n;
	int		 msg_over;	/* this message is dropped */
	unsigned long	 dropped;	/* messages dropped for a limit */
	unsigned long	 messages;	/* messages handed over */
};

void		 ami_parser_init(struct ami_parser *, int);
void		 ami_parse(struct ami_parser *, const char *, size_t,
		    ami_msg_cb, void *);
const char	*ami_get(const struct ami_msg *, const char *);

#endif
