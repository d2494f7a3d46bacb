/*
 * Unit tests for daemon/http_parse.c: request line and headers, incomplete
 * input, Content-Length, chunked bodies (in one piece and byte by byte),
 * keep-alive for HTTP/1.0 and 1.1, the error statuses (400, 431, 501,
 * 505), query parameters and percent-decoding of the path.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_parse.h"

/* Parse a complete head; it must take all of s but the trailing body. */
static void
parse_ok(const char *s, size_t body, struct http_request *req)
{
	struct http_parse_error	err = { 0, NULL };
	ssize_t			n;

	n = http_parse_head(s, strlen(s), req, &err);
	if (n != (ssize_t)(strlen(s) - body))
		fail_msg("parsed %zd of %zu bytes (%d %s):\n%s", n, strlen(s),
		    err.status, err.message != NULL ? err.message : "", s);
}

static void
parse_bad(const char *s, int status)
{
	struct http_request	req;
	struct http_parse_error	err = { 0, NULL };
	ssize_t			n;

	n = http_parse_head(s, strlen(s), &req, &err);
	if (n != -1 || err.status != status)
		fail_msg("got %zd, status %d, expected -1, status %d:\n%s", n,
		    err.status, status, s);
	assert_non_null(err.message);
	/* Nothing is left to free. */
	assert_null(req.head);
	assert_null(req.path);
}

static int
keep_alive(const char *s)
{
	struct http_request	req;
	int			ka;

	parse_ok(s, 0, &req);
	ka = req.keep_alive;
	http_request_clear(&req);
	return (ka);
}

static void
test_request_line_and_headers(void **state)
{
	struct http_request	 req;
	const char		*s = "GET /v1/agents?team=support-de&level=high "
	    "HTTP/1.1\r\nHost: localhost:7878\r\nAccept:*/*\r\n"
	    "X-Spaces: \t a  b \t \r\nX-Empty:\r\n\r\n";

	(void)state;
	parse_ok(s, 0, &req);
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.target, "/v1/agents?team=support-de&level=high");
	assert_string_equal(req.path, "/v1/agents");
	assert_string_equal(req.query, "team=support-de&level=high");
	assert_int_equal(req.minor, 1);
	assert_int_equal(req.nheaders, 4);
	assert_string_equal(req.headers[0].name, "Host");
	assert_string_equal(req.headers[0].value, "localhost:7878");
	assert_string_equal(http_header_get(&req, "host"), "localhost:7878");
	assert_string_equal(http_header_get(&req, "ACCEPT"), "*/*");
	assert_string_equal(http_header_get(&req, "x-spaces"), "a  b");
	assert_string_equal(http_header_get(&req, "X-Empty"), "");
	assert_null(http_header_get(&req, "Content-Type"));
	assert_int_equal(req.content_length, -1);
	assert_int_equal(req.chunked, 0);
	assert_int_equal(req.keep_alive, 1);
	http_request_clear(&req);
	assert_null(req.head);
	assert_int_equal(req.content_length, -1);

	/* No query: path and target agree and query is "". */
	parse_ok("POST /v1/events HTTP/1.0\r\n\r\n", 0, &req);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.path, "/v1/events");
	assert_string_equal(req.query, "");
	assert_int_equal(req.minor, 0);
	assert_int_equal(req.nheaders, 0);
	http_request_clear(&req);

	/* The first of two same-named headers is the one returned. */
	parse_ok("GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\n\r\n", 0, &req);
	assert_string_equal(http_header_get(&req, "X-A"), "1");
	assert_int_equal(req.nheaders, 2);
	http_request_clear(&req);

	/* Leading empty lines are skipped and counted. */
	parse_ok("\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n", 0, &req);
	assert_string_equal(req.path, "/healthz");
	http_request_clear(&req);
}

static void
test_returns_head_length(void **state)
{
	struct http_request	 req;
	const char		*s = "POST /v1/events HTTP/1.1\r\n"
	    "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n";

	(void)state;
	parse_ok(s, strlen("helloGET / HTTP/1.1\r\n\r\n"), &req);
	assert_int_equal(req.content_length, 5);
	http_request_clear(&req);
}

static void
test_incomplete(void **state)
{
	struct http_request	 req;
	struct http_parse_error	 err;
	const char		*s = "POST /v1/events?x=1 HTTP/1.1\r\n"
	    "Host: a\r\nContent-Length: 2\r\n\r\n";
	size_t			 i, len = strlen(s);

	(void)state;
	/* Every proper prefix needs more bytes, whatever it ends with. */
	for (i = 0; i < len; i++) {
		if (http_parse_head(s, i, &req, &err) != 0)
			fail_msg("prefix of %zu bytes did not return 0", i);
		assert_null(req.head);
	}
	assert_int_equal(http_parse_head(s, len, &req, &err), (ssize_t)len);
	http_request_clear(&req);
	/* Garbage without an end is not an error until it is too long. */
	assert_int_equal(http_parse_head("xyz", 3, &req, &err), 0);
}

static void
test_content_length(void **state)
{
	struct http_request	req;

	(void)state;
	parse_ok("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0, &req);
	assert_int_equal(req.content_length, 0);
	http_request_clear(&req);
	parse_ok("POST / HTTP/1.1\r\ncontent-length:   4194304  \r\n\r\n", 0,
	    &req);
	assert_int_equal(req.content_length, 4194304);
	http_request_clear(&req);
	/* Repeated with the same value is the same message. */
	parse_ok("POST / HTTP/1.1\r\nContent-Length: 7\r\n"
	    "Content-Length: 7\r\n\r\n", 0, &req);
	assert_int_equal(req.content_length, 7);
	http_request_clear(&req);
	parse_ok("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n"
	    "\r\n", 0, &req);
	assert_int_equal(req.content_length, INT64_MAX);
	http_request_clear(&req);

	parse_bad("POST / HTTP/1.1\r\nContent-Length: 7\r\n"
	    "Content-Length: 8\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: 7, 7\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nContent-Length: "
	    "99999999999999999999\r\n\r\n", 400);
}

static void
test_transfer_encoding(void **state)
{
	struct http_request	req;

	(void)state;
	parse_ok("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0,
	    &req);
	assert_int_equal(req.chunked, 1);
	assert_int_equal(req.content_length, -1);
	http_request_clear(&req);
	parse_ok("POST / HTTP/1.1\r\ntransfer-encoding: Chunked\r\n\r\n", 0,
	    &req);
	assert_int_equal(req.chunked, 1);
	http_request_clear(&req);

	parse_bad("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
	parse_bad("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    501);
	parse_bad("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
	    501);
	/* Both framings at once are refused, in either order. */
	parse_bad("POST / HTTP/1.1\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400);
	parse_bad("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n", 400);
}

static void
test_keep_alive(void **state)
{
	(void)state;
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\n\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: close\r\n"
	    "\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: Close\r\n"
	    "\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: "
	    "Upgrade, close\r\n\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: "
	    "keep-alive, close\r\n\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: closed\r\n"
	    "\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.1\r\nConnection: upgrade\r\n"
	    "\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\n\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive"
	    "\r\n\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\nConnection: Keep-Alive"
	    "\r\n\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\nConnection: te, "
	    "keep-alive\r\n\r\n"), 1);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\nConnection: close\r\n"
	    "\r\n"), 0);
	assert_int_equal(keep_alive("GET / HTTP/1.0\r\nConnection: foo\r\n"
	    "\r\n"), 0);
}

static void
test_too_large(void **state)
{
	struct http_request	 req;
	struct http_parse_error	 err;
	char			*buf;
	size_t			 n, i;

	(void)state;
	/* No end of head within HTTP_HEAD_MAX bytes. */
	buf = malloc(HTTP_HEAD_MAX + 100);
	n = (size_t)snprintf(buf, HTTP_HEAD_MAX + 100,
	    "GET / HTTP/1.1\r\nX-Long: ");
	memset(buf + n, 'a', HTTP_HEAD_MAX + 1 - n);
	assert_int_equal(http_parse_head(buf, HTTP_HEAD_MAX, &req, &err), 0);
	assert_int_equal(http_parse_head(buf, HTTP_HEAD_MAX + 1, &req, &err),
	    -1);
	assert_int_equal(err.status, 431);

	/* A complete head one byte too long, and one that just fits. */
	memcpy(buf + HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
	assert_int_equal(http_parse_head(buf, HTTP_HEAD_MAX + 1, &req, &err),
	    -1);
	assert_int_equal(err.status, 431);
	memcpy(buf + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	assert_int_equal(http_parse_head(buf, HTTP_HEAD_MAX, &req, &err),
	    HTTP_HEAD_MAX);
	http_request_clear(&req);

	/* Endless empty lines are not a way around the limit. */
	for (i = 0; i + 1 < HTTP_HEAD_MAX + 100; i += 2)
		memcpy(buf + i, "\r\n", 2);
	assert_int_equal(http_parse_head(buf, HTTP_HEAD_MAX + 2, &req, &err),
	    -1);
	assert_int_equal(err.status, 431);
	free(buf);

	/* Too many header fields. */
	buf = malloc(HTTP_HEAD_MAX);
	n = (size_t)snprintf(buf, HTTP_HEAD_MAX, "GET / HTTP/1.1\r\n");
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(buf + n, HTTP_HEAD_MAX - n,
		    "X-%zu: v\r\n", i);
	snprintf(buf + n, HTTP_HEAD_MAX - n, "\r\n");
	{
		struct http_request	ok;

		parse_ok(buf, 0, &ok);
		assert_int_equal(ok.nheaders, HTTP_HEADERS_MAX);
		http_request_clear(&ok);
	}
	snprintf(buf + n, HTTP_HEAD_MAX - n, "X-last: v\r\n\r\n");
	parse_bad(buf, 431);
	free(buf);
}

static void
test_malformed(void **state)
{
	struct http_request	req;
	struct http_parse_error	err;

	(void)state;
	parse_bad("GET\r\n\r\n", 400);
	parse_bad("GET /\r\n\r\n", 400);
	parse_bad("GET  / HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1 \r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1 extra\r\n\r\n", 400);
	parse_bad("GET / HTTP/\r\n\r\n", 400);
	parse_bad(" GET / HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET http://example.com/ HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET * HTTP/1.1\r\n\r\n", 400);
	parse_bad("G(T / HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a\tb HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a\x7f HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /\xc3\xa4 HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET / FOO/1.1\r\n\r\n", 400);
	parse_bad("GET / http/1.1\r\n\r\n", 400);
	/* Bare LF and bare CR. */
	parse_bad("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400);
	/* Header fields. */
	parse_bad("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\n: empty-name\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nBad(Name): a\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.1\r\nX-A: 1\r\n\tfolded\r\n\r\n", 400);

	/* A NUL byte anywhere in the head. */
	{
		static const char	nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";

		assert_int_equal(http_parse_head(nul, sizeof nul - 1, &req,
		    &err), -1);
	}
	assert_int_equal(err.status, 400);
	assert_null(req.head);
}

static void
test_version(void **state)
{
	struct http_request	req;

	(void)state;
	/* A well-formed version other than 1.x is 505... */
	parse_bad("GET / HTTP/2.0\r\n\r\n", 505);
	parse_bad("GET / HTTP/3.0\r\n\r\n", 505);
	parse_bad("GET / HTTP/0.9\r\n\r\n", 505);
	/* ...a malformed one is 400 (RFC 9112 2.3: DIGIT "." DIGIT). */
	parse_bad("GET / HTTP/1.10\r\n\r\n", 400);
	parse_bad("GET / HTTP/1.x\r\n\r\n", 400);
	parse_bad("GET / HTTP/1\r\n\r\n", 400);
	parse_bad("GET / HTTP/2\r\n\r\n", 400);
	parse_ok("GET / HTTP/1.9\r\n\r\n", 0, &req);
	assert_int_equal(req.minor, 9);
	assert_int_equal(req.keep_alive, 1);
	http_request_clear(&req);
}

static void
test_path_decoding(void **state)
{
	struct http_request	req;

	(void)state;
	parse_ok("GET /v1/agents/al%69ce HTTP/1.1\r\n\r\n", 0, &req);
	assert_string_equal(req.path, "/v1/agents/alice");
	assert_string_equal(req.target, "/v1/agents/al%69ce");
	http_request_clear(&req);
	parse_ok("GET /v1/agents/j%C3%BCrgen%40example?x=%41 HTTP/1.1\r\n\r\n",
	    0, &req);
	assert_string_equal(req.path, "/v1/agents/j\xc3\xbcrgen@example");
	assert_string_equal(req.query, "x=%41");	/* left raw */
	http_request_clear(&req);
	/* '+' is only a space in query strings. */
	parse_ok("GET /a+b%20c HTTP/1.1\r\n\r\n", 0, &req);
	assert_string_equal(req.path, "/a+b c");
	http_request_clear(&req);

	parse_bad("GET /a%2 HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a% HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a%zz HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a%00b HTTP/1.1\r\n\r\n", 400);
	parse_bad("GET /a%2?x=1 HTTP/1.1\r\n\r\n", 400);
}

static void
test_percent_decode(void **state)
{
	char	out[16];

	(void)state;
	assert_int_equal(http_percent_decode("a%2Fb%2fc", 9, out, sizeof out),
	    5);
	assert_string_equal(out, "a/b/c");
	assert_int_equal(http_percent_decode("", 0, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* Only len bytes are read. */
	assert_int_equal(http_percent_decode("abcdef", 3, out, sizeof out), 3);
	assert_string_equal(out, "abc");
	/* Room for the result and its NUL, no more. */
	assert_int_equal(http_percent_decode("abcd", 4, out, 5), 4);
	assert_string_equal(out, "abcd");
	assert_int_equal(http_percent_decode("abcd", 4, out, 4), -1);
	assert_int_equal(http_percent_decode("%41%42", 6, out, 3), 2);
	assert_string_equal(out, "AB");
	assert_int_equal(http_percent_decode("%4", 2, out, sizeof out), -1);
	assert_int_equal(http_percent_decode("%41", 2, out, sizeof out), -1);
	assert_int_equal(http_percent_decode("%g1", 3, out, sizeof out), -1);
	assert_int_equal(http_percent_decode("%00", 3, out, sizeof out), -1);
}

static void
test_query(void **state)
{
	const char	*q = "team=support-de&level=high&q=a+b%21%2B&flag"
	    "&empty=&te=x&team=other";
	char		 out[32];

	(void)state;
	assert_int_equal(http_query_get(q, "team", out, sizeof out), 1);
	assert_string_equal(out, "support-de");	/* the first wins */
	assert_int_equal(http_query_get(q, "level", out, sizeof out), 1);
	assert_string_equal(out, "high");
	assert_int_equal(http_query_get(q, "q", out, sizeof out), 1);
	assert_string_equal(out, "a b!+");
	assert_int_equal(http_query_get(q, "flag", out, sizeof out), 1);
	assert_string_equal(out, "");
	assert_int_equal(http_query_get(q, "empty", out, sizeof out), 1);
	assert_string_equal(out, "");
	assert_int_equal(http_query_get(q, "te", out, sizeof out), 1);
	assert_string_equal(out, "x");
	assert_int_equal(http_query_get(q, "t", out, sizeof out), 0);
	assert_int_equal(http_query_get(q, "levels", out, sizeof out), 0);
	assert_int_equal(http_query_get(q, "missing", out, sizeof out), 0);
	assert_int_equal(http_query_get("", "team", out, sizeof out), 0);
	/* Malformed or too long for the buffer. */
	assert_int_equal(http_query_get("since=%zz", "since", out, sizeof out),
	    -1);
	assert_int_equal(http_query_get("since=%00", "since", out, sizeof out),
	    -1);
	assert_int_equal(http_query_get("a=12345", "a", out, 5), -1);
	assert_int_equal(http_query_get("a=1234", "a", out, 5), 1);
	assert_string_equal(out, "1234");
	/* An RFC 3339 time with its '+' escaped. */
	assert_int_equal(http_query_get("from=2026-11-22T10%3A00%3A00%2B01%3A00",
	    "from", out, sizeof out), 1);
	assert_string_equal(out, "2026-11-22T10:00:00+01:00");
}

/* "hello world" in two chunks, with an extension and a trailer. */
static const char chunked_body[] =
    "5\r\nhello\r\n"
    "6;name=value\r\n world\r\n"
    "A\r\n0123456789\r\n"
    "0\r\n"
    "Trailer-Field: x\r\n"
    "\r\n";
#define CHUNKED_PAYLOAD	"hello world0123456789"

static void
test_chunked_one_piece(void **state)
{
	struct http_chunked	 c;
	char			 in[256], out[256];
	size_t			 outlen = 0, len;
	int			 done = -1;

	(void)state;
	len = strlen(chunked_body);
	snprintf(in, sizeof in, "%sGET / HTTP/1.1\r\n\r\n", chunked_body);
	memset(&c, 0, sizeof c);
	assert_int_equal(http_chunked_decode(&c, in, strlen(in), out, &outlen,
	    &done), (ssize_t)len);
	assert_int_equal(done, 1);
	assert_int_equal(outlen, strlen(CHUNKED_PAYLOAD));
	assert_memory_equal(out, CHUNKED_PAYLOAD, outlen);
	/* Once done, nothing more is consumed. */
	assert_int_equal(http_chunked_decode(&c, in + len, 3, out, &outlen,
	    &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(outlen, strlen(CHUNKED_PAYLOAD));

	/* The smallest body: no chunks, no trailers. */
	memset(&c, 0, sizeof c);
	outlen = 0;
	assert_int_equal(http_chunked_decode(&c, "0\r\n\r\n", 5, out, &outlen,
	    &done), 5);
	assert_int_equal(done, 1);
	assert_int_equal(outlen, 0);
}

static void
test_chunked_byte_by_byte(void **state)
{
	struct http_chunked	 c;
	char			 out[256];
	size_t			 outlen = 0, i, len = strlen(chunked_body);
	int			 done = 0;

	(void)state;
	memset(&c, 0, sizeof c);
	for (i = 0; i < len; i++) {
		if (done)
			fail_msg("done after %zu of %zu bytes", i, len);
		assert_int_equal(http_chunked_decode(&c, chunked_body + i, 1,
		    out, &outlen, &done), 1);
	}
	assert_int_equal(done, 1);
	assert_int_equal(outlen, strlen(CHUNKED_PAYLOAD));
	assert_memory_equal(out, CHUNKED_PAYLOAD, outlen);

	/* And in pieces of every size from 2 to 9. */
	for (i = 2; i < 10; i++) {
		size_t	off = 0, n;

		memset(&c, 0, sizeof c);
		outlen = 0;
		done = 0;
		while (off < len) {
			n = len - off < i ? len - off : i;
			assert_int_equal(http_chunked_decode(&c,
			    chunked_body + off, n, out, &outlen, &done),
			    (ssize_t)n);
			off += n;
		}
		assert_int_equal(done, 1);
		assert_int_equal(outlen, strlen(CHUNKED_PAYLOAD));
		assert_memory_equal(out, CHUNKED_PAYLOAD, outlen);
	}
}

static ssize_t
chunked_all(const char *s, char *out, size_t *outlen, int *done)
{
	struct http_chunked	c;

	memset(&c, 0, sizeof c);
	*outlen = 0;
	*done = 0;
	return (http_chunked_decode(&c, s, strlen(s), out, outlen, done));
}

static void
test_chunked_errors(void **state)
{
	char	out[256];
	size_t	outlen;
	int	done;

	(void)state;
	assert_int_equal(chunked_all("x\r\n", out, &outlen, &done), -1);
	assert_int_equal(chunked_all("\r\n", out, &outlen, &done), -1);
	assert_int_equal(chunked_all(";ext\r\n", out, &outlen, &done), -1);
	assert_int_equal(chunked_all("5\r\nhelloX\r\n", out, &outlen, &done),
	    -1);
	assert_int_equal(chunked_all("5\r\nhello\rX", out, &outlen, &done),
	    -1);
	/* At most 16 hex digits in a size. */
	assert_int_equal(chunked_all("00000000000000001\r\n", out, &outlen,
	    &done), -1);
	/* Hex digits in either case; upper-case A is 10. */
	assert_int_equal(chunked_all("a\r\n0123456789\r\nA\r\nabcdefghij\r\n"
	    "0\r\n\r\n", out, &outlen, &done), 35);
	assert_int_equal(done, 1);
	assert_int_equal(outlen, 20);
	assert_memory_equal(out, "0123456789abcdefghij", 20);
	/* A body that stops early is not done. */
	assert_int_equal(chunked_all("5\r\nhel", out, &outlen, &done), 6);
	assert_int_equal(done, 0);
	assert_int_equal(outlen, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_line_and_headers),
		cmocka_unit_test(test_returns_head_length),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_transfer_encoding),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_path_decoding),
		cmocka_unit_test(test_percent_decode),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_chunked_one_piece),
		cmocka_unit_test(test_chunked_byte_by_byte),
		cmocka_unit_test(test_chunked_errors),
	};

	return (cmocka_run_group_tests_name("http_parse", tests, NULL, NULL));
}
