/*
 * respite - HTTP/1.1 request parsing.
 *
 * Pure functions over bytes, no I/O, so they can be unit-tested and
 * fuzzed.  Only what a JSON API needs: request line, headers,
 * Content-Length or chunked bodies, keep-alive, percent-decoding.
 * Anything ambiguous (both Content-Length and chunked, two differing
 * Content-Lengths, bare CR, obs-fold) is refused rather than guessed,
 * which is what keeps request smuggling out.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hex.h"
#include "http_parse.h"
#include "xmalloc.h"

enum {
	CH_SIZE,	/* reading the hex size */
	CH_SIZE_EXT,	/* after ';': a chunk extension, up to CR */
	CH_SIZE_LF,	/* the LF of the size line's CRLF */
	CH_DATA,
	CH_DATA_CR,	/* CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER,	/* trailer lines until an empty one */
	CH_DONE
};

static int
is_tchar(int c)
{
	/* strchr() finds the terminating NUL too: keep it out. */
	return (c != '\0' &&
	    (isalnum(c) || strchr("!#$%&'*+-.^_`|~", c) != NULL));
}

static int
perr(struct http_parse_error *err, int status, const char *msg)
{
	err->status = status;
	err->message = msg;
	return (-1);
}

/* Does the comma-separated header value list contain token? */
static int
has_token(const char *value, const char *token)
{
	size_t		 n = strlen(token), len;
	const char	*p = value;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, ", \t");
		if (len == n && strncasecmp(p, token, n) == 0)
			return (1);
		p += len;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return (0);
}

/*
 * Parse a request head from buf (len bytes).  Returns the number of bytes
 * the head took (through the empty line), 0 if more bytes are needed, or
 * -1 with err set.  On success req owns a copy; free with
 * http_request_clear().
 */
ssize_t
http_parse_head(const char *buf, size_t len, struct http_request *req,
    struct http_parse_error *err)
{
	const char	*end, *orig = buf;
	char		*p, *line, *next, *colon, *v, *q;
	size_t		 headlen;
	int64_t		 cl;
	char		*ep;

	memset(req, 0, sizeof *req);
	req->content_length = -1;

	/* Leading empty lines are allowed before the request line (RFC 9112 2.2). */
	while (len >= 2 && buf[0] == '\r' && buf[1] == '\n')
		buf += 2, len -= 2;
	end = NULL;
	if (len >= 4) {
		const char	*s;
		size_t		 i;

		for (i = 0, s = buf; i + 3 < len; i++)
			if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' &&
			    s[i + 3] == '\n') {
				end = s + i;
				break;
			}
	}
	if (end == NULL) {
		/* Skipped empty lines count too, or they could go on forever. */
		if (len + (size_t)(buf - orig) > HTTP_HEAD_MAX)
			return (perr(err, 431, "request head too large"));
		return (0);
	}
	headlen = end - buf;
	if (headlen + 4 > HTTP_HEAD_MAX)
		return (perr(err, 431, "request head too large"));
	if (memchr(buf, '\0', headlen) != NULL)
		return (perr(err, 400, "NUL byte in request head"));

	req->head = xstrndup(buf, headlen);
	line = req->head;
	if ((next = strstr(line, "\r\n")) != NULL) {
		*next = '\0';
		next += 2;
	}
	if (strchr(line, '\r') != NULL || strchr(line, '\n') != NULL)
		goto bad_line;

	/* Request line: METHOD SP TARGET SP HTTP/1.x */
	req->method = line;
	for (p = line; is_tchar((unsigned char)*p); p++)
		;
	if (p == line || *p != ' ')
		goto bad_line;
	*p++ = '\0';
	req->target = p;
	if (*p != '/')
		goto bad_line;
	while (*p != ' ' && *p != '\0') {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			goto bad_line;
		p++;
	}
	if (*p != ' ')
		goto bad_line;
	*p++ = '\0';
	if (strncmp(p, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)p[7]) ||
	    p[8] != '\0') {
		/*
		 * A well-formed HTTP-version (DIGIT "." DIGIT) we do not
		 * speak is 505, anything else 400.  Decide before the
		 * clear frees the head p points into.
		 */
		int	wellformed = strncmp(p, "HTTP/", 5) == 0 &&
		    isdigit((unsigned char)p[5]) && p[6] == '.' &&
		    isdigit((unsigned char)p[7]) && p[8] == '\0';

		http_request_clear(req);
		if (wellformed)
			return (perr(err, 505, "HTTP version not supported"));
		return (perr(err, 400, "malformed request line"));
	}
	req->minor = p[7] - '0';
	req->keep_alive = req->minor >= 1;

	/* Split target into path and query; decode the path. */
	q = strchr(req->target, '?');
	{
		size_t	plen = q != NULL ? (size_t)(q - req->target) :
		    strlen(req->target);

		req->query = q != NULL ? q + 1 : "";
		req->path = xmalloc(plen + 1);
		if (http_percent_decode(req->target, plen, req->path,
		    plen + 1) == -1) {
			http_request_clear(req);
			return (perr(err, 400, "bad percent-encoding in path"));
		}
	}

	/* Header fields. */
	for (line = next; line != NULL && *line != '\0'; line = next) {
		if ((next = strstr(line, "\r\n")) != NULL) {
			*next = '\0';
			next += 2;
		}
		if (*line == ' ' || *line == '\t') {
			http_request_clear(req);
			return (perr(err, 400, "obsolete header folding"));
		}
		if ((colon = strchr(line, ':')) == NULL || colon == line)
			goto bad_header;
		for (p = line; p < colon; p++)
			if (!is_tchar((unsigned char)*p))
				goto bad_header;
		*colon = '\0';
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		p = v + strlen(v);
		while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
			*--p = '\0';
		for (p = v; *p != '\0'; p++)
			if (*p == '\r' || *p == '\n')
				goto bad_header;
		if (req->nheaders == HTTP_HEADERS_MAX) {
			http_request_clear(req);
			return (perr(err, 431, "too many header fields"));
		}
		req->headers[req->nheaders].name = line;
		req->headers[req->nheaders].value = v;
		req->nheaders++;

		if (strcasecmp(line, "Content-Length") == 0) {
			if (!isdigit((unsigned char)*v))
				goto bad_length;
			errno = 0;
			cl = strtoll(v, &ep, 10);
			if (errno != 0 || *ep != '\0' || cl < 0)
				goto bad_length;
			if (req->content_length >= 0 &&
			    req->content_length != cl)
				goto bad_length;
			req->content_length = cl;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			if (strcasecmp(v, "chunked") != 0) {
				http_request_clear(req);
				return (perr(err, 501,
				    "only chunked transfer-coding is supported"));
			}
			req->chunked = 1;
		} else if (strcasecmp(line, "Connection") == 0) {
			if (has_token(v, "close"))
				req->keep_alive = 0;
			else if (has_token(v, "keep-alive"))
				req->keep_alive = 1;
		}
	}
	if (req->chunked && req->content_length >= 0) {
		http_request_clear(req);
		return (perr(err, 400,
		    "both Content-Length and Transfer-Encoding"));
	}
	if (req->chunked && req->minor == 0) {
		http_request_clear(req);
		return (perr(err, 400, "chunked transfer-coding in HTTP/1.0"));
	}
	return ((ssize_t)(end + 4 - orig));

bad_line:
	http_request_clear(req);
	return (perr(err, 400, "malformed request line"));
bad_header:
	http_request_clear(req);
	return (perr(err, 400, "malformed header field"));
bad_length:
	http_request_clear(req);
	return (perr(err, 400, "bad Content-Length"));
}

void
http_request_clear(struct http_request *req)
{
	free(req->head);
	free(req->path);
	memset(req, 0, sizeof *req);
	req->content_length = -1;
}

/* The value of the first header named name (case-insensitive), or NULL. */
const char *
http_header_get(const struct http_request *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return (req->headers[i].value);
	return (NULL);
}

/*
 * Decode a chunked body incrementally.  Consumes bytes of in (len) and
 * appends the payload to out, which must have room for len bytes; *outlen
 * is increased by what was appended.  *done becomes 1 after the last chunk
 * and its trailers.  Returns the bytes consumed or -1 if malformed.
 */
ssize_t
http_chunked_decode(struct http_chunked *c, const char *in, size_t len,
    char *out, size_t *outlen, int *done)
{
	size_t	i = 0, n;
	int	h;

	*done = c->state == CH_DONE;
	while (i < len && c->state != CH_DONE) {
		switch (c->state) {
		case CH_SIZE:
			if ((h = hex_digit((unsigned char)in[i])) != -1) {
				if (++c->line > 16)
					return (-1);
				c->remaining = c->remaining * 16 + (unsigned)h;
				i++;
				break;
			}
			/* The size ends in CRLF or ";extension"; nothing else. */
			if (c->line == 0 || (in[i] != '\r' && in[i] != ';'))
				return (-1);
			c->state = in[i++] == ';' ? CH_SIZE_EXT : CH_SIZE_LF;
			c->line = 0;
			break;
		case CH_SIZE_EXT:
			/* Extensions are ignored, up to the CR. */
			if (in[i] == '\n' || ++c->line > 1024)
				return (-1);
			if (in[i++] == '\r')
				c->state = CH_SIZE_LF;
			break;
		case CH_SIZE_LF:
			if (in[i++] != '\n')
				return (-1);
			c->line = 0;
			c->state = c->remaining == 0 ? CH_TRAILER : CH_DATA;
			break;
		case CH_DATA:
			n = len - i;
			if (n > c->remaining)
				n = (size_t)c->remaining;
			memcpy(out + *outlen, in + i, n);
			*outlen += n;
			c->remaining -= n;
			i += n;
			if (c->remaining == 0)
				c->state = CH_DATA_CR;
			break;
		case CH_DATA_CR:
			if (in[i] == '\r') {
				c->state = CH_DATA_LF;
				i++;
				break;
			}
			/* FALLTHROUGH */
		case CH_DATA_LF:
			if (in[i] != '\n')
				return (-1);
			c->state = CH_SIZE;
			c->line = 0;
			i++;
			break;
		case CH_TRAILER:
			if (in[i] == '\n') {
				if (c->line == 0)
					c->state = CH_DONE;
				c->line = 0;
			} else if (in[i] != '\r') {
				if (++c->line > HTTP_HEAD_MAX)
					return (-1);
			}
			i++;
			break;
		}
	}
	*done = c->state == CH_DONE;
	return ((ssize_t)i);
}

/*
 * Percent-decode src (len bytes) into dst (dstlen, NUL-terminated).
 * Returns the decoded length or -1 for bad escapes, NUL bytes or no room.
 */
int
http_percent_decode(const char *src, size_t len, char *dst, size_t dstlen)
{
	size_t	i, k = 0;
	int	hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (c == '%') {
			if (i + 2 >= len || (hi = hex_digit((unsigned char)src[i + 1])) == -1 ||
			    (lo = hex_digit((unsigned char)src[i + 2])) == -1)
				return (-1);
			c = hi * 16 + lo;
			i += 2;
			if (c == 0)
				return (-1);
		}
		if (k + 1 >= dstlen)
			return (-1);
		dst[k++] = (char)c;
	}
	dst[k] = '\0';
	return ((int)k);
}

/*
 * Find parameter name in a raw query string and decode its value ('+' is
 * a space) into out.  Returns 1 if found, 0 if absent, -1 if the value is
 * malformed or longer than outlen - 1.
 */
int
http_query_get(const char *query, const char *name, char *out, size_t outlen)
{
	const char	*p = query, *amp, *eq;
	size_t		 n = strlen(name), vlen, i;
	char		*tmp;
	int		 rc;

	while (*p != '\0') {
		amp = strchr(p, '&');
		vlen = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', vlen);
		if ((eq != NULL ? (size_t)(eq - p) : vlen) == n &&
		    strncmp(p, name, n) == 0) {
			if (eq == NULL) {
				if (outlen == 0)
					return (-1);
				*out = '\0';
				return (1);
			}
			vlen -= n + 1;
			tmp = xstrndup(eq + 1, vlen);
			for (i = 0; i < vlen; i++)
				if (tmp[i] == '+')
					tmp[i] = ' ';
			rc = http_percent_decode(tmp, vlen, out, outlen);
			free(tmp);
			return (rc == -1 ? -1 : 1);
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return (0);
}
