/*
 * respite - the Asterisk Manager Interface's wire format: "Key: value"
 * lines, a blank line ending each message (ami.h).
 *
 * Bytes go in however they arrive (a message split anywhere, many in
 * one read); lines end in LF, a CR before it is dropped.  A message is
 * handed over whole, once its blank line has come.  A line longer than
 * AMI_LINE_MAX, more than AMI_HEADERS_MAX headers or AMI_MSG_MAX bytes
 * of them drop that message (counted in dropped); the parser goes on
 * with the next one.  A line without a colon (the output of a command)
 * is skipped.  Nothing here logs.
 */
#include "build.h"

#include <string.h>
#include <strings.h>

#include "ami.h"

/*
 * want_banner: the first line is the server's banner
 * ("Asterisk Call Manager/9.0.0"), handed over alone as a message with
 * banner set and the line as h[0].value.
 */
void
ami_parser_init(struct ami_parser *p, int want_banner)
{
	memset(p, 0, sizeof *p);
	p->want_banner = want_banner;
}

static void
msg_reset(struct ami_parser *p)
{
	p->used = 0;
	p->n = 0;
	p->msg_over = 0;
}

/* Keep a string of len bytes in the message's store; -1 if full. */
static long
keep(struct ami_parser *p, const char *s, size_t len)
{
	size_t	at = p->used;

	if (len + 1 > sizeof p->store - p->used)
		return (-1);
	memcpy(p->store + at, s, len);
	p->store[at + len] = '\0';
	p->used += len + 1;
	return ((long)at);
}

static void
deliver(struct ami_parser *p, ami_msg_cb cb, void *arg)
{
	struct ami_msg	m;
	size_t		i;

	memset(&m, 0, sizeof m);
	for (i = 0; i < p->n; i++) {
		m.h[i].key = p->store + p->key[i];
		m.h[i].value = p->store + p->value[i];
	}
	m.n = p->n;
	p->messages++;
	cb(&m, arg);
}

/* One whole line (NUL-terminated, CR and LF gone). */
static void
line_done(struct ami_parser *p, ami_msg_cb cb, void *arg)
{
	const char	*colon, *v;
	size_t		 klen;
	long		 k, val;

	if (p->want_banner) {
		struct ami_msg	m;

		p->want_banner = 0;
		memset(&m, 0, sizeof m);
		m.banner = 1;
		m.n = 1;
		m.h[0].key = "Banner";
		m.h[0].value = p->line;
		p->messages++;
		cb(&m, arg);
		return;
	}
	if (p->line_over) {
		p->msg_over = 1;
		return;
	}
	if (p->llen == 0) {
		if (p->msg_over)
			p->dropped++;
		else if (p->n > 0)
			deliver(p, cb, arg);
		msg_reset(p);
		return;
	}
	if (p->msg_over)
		return;
	if ((colon = memchr(p->line, ':', p->llen)) == NULL)
		return;
	klen = (size_t)(colon - p->line);
	while (klen > 0 && (p->line[klen - 1] == ' ' ||
	    p->line[klen - 1] == '\t'))
		klen--;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (p->n == AMI_HEADERS_MAX ||
	    (k = keep(p, p->line, klen)) == -1 ||
	    (val = keep(p, v, strlen(v))) == -1) {
		p->msg_over = 1;
		return;
	}
	p->key[p->n] = (size_t)k;
	p->value[p->n] = (size_t)val;
	p->n++;
}

/* Feed len bytes of data; cb(msg, arg) for each message completed. */
void
ami_parse(struct ami_parser *p, const char *data, size_t len, ami_msg_cb cb,
    void *arg)
{
	const char	*nl;
	size_t		 take;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
		if (!p->line_over) {
			if (take > AMI_LINE_MAX - p->llen) {
				p->line_over = 1;
				p->llen = 0;
			} else {
				memcpy(p->line + p->llen, data, take);
				p->llen += take;
			}
		}
		if (nl == NULL)
			return;
		data += take + 1;
		len -= take + 1;
		if (p->llen > 0 && p->line[p->llen - 1] == '\r')
			p->llen--;
		p->line[p->llen] = '\0';
		/* A NUL inside cuts the line there: AMI sends none. */
		p->llen = strlen(p->line);
		line_done(p, cb, arg);
		p->llen = 0;
		p->line_over = 0;
	}
}

/* The value of the first header named key (any case), or NULL. */
const char *
ami_get(const struct ami_msg *m, const char *key)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		if (strcasecmp(m->h[i].key, key) == 0)
			return (m->h[i].value);
	return (NULL);
}
