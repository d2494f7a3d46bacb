/*
 * respite-notify - the Server-Sent Events wire format.
 *
 * A byte-at-a-time parser of the event stream format of the HTML
 * standard ("9.2 Server-sent events", the interpretation of the stream):
 * lines end in CR, LF or CRLF (a CRLF split across two reads is still
 * one line end), a line starting with ':' is a comment (respited's
 * ": keep-alive"), "field: value" loses one space after the colon, data
 * lines are joined with LF, an empty line dispatches the event if it has
 * data, "id" sets the last event id (kept across events, as a client
 * must resend it in Last-Event-ID), "retry" sets the reconnection time.
 * A leading UTF-8 byte-order mark is skipped.  A line longer than
 * max_line is an error: the caller drops the connection rather than
 * grow without bound.  It has no I/O and no GLib, so the unit tests feed
 * it bytes directly.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "sse_parse.h"

static void *
grow(void *p, size_t *cap, size_t need)
{
	size_t	 n = *cap > 0 ? *cap : 256;
	void	*q;

	while (n < need)
		n *= 2;
	if ((q = realloc(p, n)) == NULL)
		abort();
	*cap = n;
	return (q);
}

void
sse_parser_init(struct sse_parser *p, size_t max_line, sse_event_cb on_event,
    sse_retry_cb on_retry, void *arg)
{
	memset(p, 0, sizeof *p);
	p->max_line = max_line;
	p->on_event = on_event;
	p->on_retry = on_retry;
	p->arg = arg;
}

/*
 * A new connection: forget a half-read line and event, keep the last
 * event id (the caller resumes from it).
 */
void
sse_parser_reset(struct sse_parser *p)
{
	p->len = 0;
	p->dlen = 0;
	p->has_data = 0;
	p->skip_lf = 0;
	p->started = 0;
	p->event[0] = '\0';
}

void
sse_parser_free(struct sse_parser *p)
{
	free(p->line);
	free(p->data);
	p->line = p->data = NULL;
	p->cap = p->dcap = 0;
}

static void
dispatch(struct sse_parser *p)
{
	if (!p->has_data) {
		p->event[0] = '\0';
		return;
	}
	/* The data buffer ends in the LF of its last line: drop it. */
	if (p->dlen > 0 && p->data[p->dlen - 1] == '\n')
		p->dlen--;
	p->data[p->dlen] = '\0';
	if (p->on_event != NULL)
		p->on_event(p->event[0] != '\0' ? p->event : "message",
		    p->data, p->last_id, p->arg);
	p->dlen = 0;
	p->has_data = 0;
	p->event[0] = '\0';
}

static void
field(struct sse_parser *p, const char *name, const char *value, size_t vlen)
{
	size_t	i;
	long	ms;

	if (strcmp(name, "data") == 0) {
		if (p->dlen + vlen + 2 > p->dcap)
			p->data = grow(p->data, &p->dcap, p->dlen + vlen + 2);
		memcpy(p->data + p->dlen, value, vlen);
		p->dlen += vlen;
		p->data[p->dlen++] = '\n';
		p->has_data = 1;
	} else if (strcmp(name, "event") == 0) {
		if (vlen > SSE_EVENT_MAX)
			vlen = SSE_EVENT_MAX;
		memcpy(p->event, value, vlen);
		p->event[vlen] = '\0';
	} else if (strcmp(name, "id") == 0) {
		/* An id holding NUL is ignored; so is one too long to keep. */
		if (memchr(value, '\0', vlen) != NULL || vlen > SSE_ID_MAX)
			return;
		memcpy(p->last_id, value, vlen);
		p->last_id[vlen] = '\0';
	} else if (strcmp(name, "retry") == 0) {
		if (vlen == 0 || vlen > 9)
			return;
		for (i = 0, ms = 0; i < vlen; i++) {
			if (value[i] < '0' || value[i] > '9')
				return;
			ms = ms * 10 + (value[i] - '0');
		}
		if (p->on_retry != NULL)
			p->on_retry(ms, p->arg);
	}
	/* Any other field is ignored. */
}

static void
line_done(struct sse_parser *p)
{
	char	*colon, *value, name[16];
	size_t	 nlen, vlen;

	if (p->len == 0) {
		dispatch(p);
		return;
	}
	if (p->line[0] == ':')
		return;		/* a comment */
	if ((colon = memchr(p->line, ':', p->len)) != NULL) {
		nlen = (size_t)(colon - p->line);
		value = colon + 1;
		vlen = p->len - nlen - 1;
		if (vlen > 0 && *value == ' ') {
			value++;
			vlen--;
		}
	} else {
		nlen = p->len;
		value = p->line + p->len;
		vlen = 0;
	}
	if (nlen >= sizeof name)
		return;		/* no field we know is that long */
	memcpy(name, p->line, nlen);
	name[nlen] = '\0';
	if (memchr(name, '\0', nlen) != NULL)
		return;
	field(p, name, value, vlen);
}

/*
 * Feed n bytes.  Calls on_event for each complete event.  Returns 0, or
 * -1 if a line is longer than max_line (the stream is then unusable).
 */
int
sse_parser_feed(struct sse_parser *p, const char *buf, size_t n)
{
	static const unsigned char	 bom[] = { 0xef, 0xbb, 0xbf };
	size_t				 i;
	char				 c;

	for (i = 0; i < n; i++) {
		c = buf[i];
		if (!p->started) {
			/* Skip a leading BOM, byte by byte across reads. */
			if (p->len < 3 && (unsigned char)c == bom[p->len] &&
			    !p->skip_lf) {
				if (p->len + 2 > p->cap)
					p->line = grow(p->line, &p->cap, 16);
				p->line[p->len++] = c;
				if (p->len == 3) {
					p->len = 0;
					p->started = 1;
				}
				continue;
			}
			p->started = 1;
		}
		if (p->skip_lf) {
			p->skip_lf = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r' || c == '\n') {
			p->skip_lf = c == '\r';
			line_done(p);
			p->len = 0;
			continue;
		}
		if (p->len >= p->max_line)
			return (-1);
		if (p->len + 2 > p->cap)
			p->line = grow(p->line, &p->cap, p->len + 2);
		p->line[p->len++] = c;
	}
	return (0);
}
