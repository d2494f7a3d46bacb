/*
 * respite - fuzz target: what a client sends respited over one
 * connection (daemon/http_parse.c), handled as http.c's conn_read()
 * does: a request head from at most HTTP_HEAD_MAX + 1 bytes, then a
 * Content-Length or chunked body, then the next pipelined request; the
 * query parameters and headers the API reads; and the credential of
 * /v1/webhooks/ (Basic or ?token=, daemon/api_webhooks.c).
 *
 * A chunked body is decoded twice, all at once and in small pieces (as
 * it may arrive), and both must agree: that is what keeps a body from
 * depending on how TCP cut it.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <respite/event.h>

#include "api.h"
#include "fuzz.h"
#include "http_parse.h"

#define FUZZ_REQUESTS_MAX	8	/* pipelined requests looked at */

static void
check_query(const char *query)
{
	static const struct {
		const char	*name;
		size_t		 len;
	} params[] = {
		{ "agent", RESPITE_NAME_MAX + 2 },
		{ "team", RESPITE_NAME_MAX + 2 },
		{ "level", 16 },
		{ "limit", 32 },
		{ "cursor", 32 },
		{ "token", 505 },
		{ "last_event_id", 32 },
		{ "status", 16 },
		{ "", 8 },
	};
	char	buf[512];
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof params / sizeof params[0]; i++) {
		memset(buf, 'x', sizeof buf);
		rc = http_query_get(query, params[i].name, buf, params[i].len);
		FUZZ_CHECK(rc >= -1 && rc <= 1);
		if (rc == 1)
			FUZZ_CHECK(strnlen(buf, params[i].len) <
			    params[i].len);
	}
}

static void
check_head(const struct http_request *req)
{
	char		 cred[512];
	const char	*c;
	size_t		 i;

	FUZZ_CHECK(req->head != NULL && req->path != NULL);
	FUZZ_CHECK(*req->method != '\0');
	FUZZ_CHECK(*req->target == '/');
	FUZZ_CHECK(req->query != NULL);
	FUZZ_CHECK(req->minor >= 0 && req->minor <= 9);
	FUZZ_CHECK(req->nheaders <= HTTP_HEADERS_MAX);
	FUZZ_CHECK(!(req->chunked && req->content_length >= 0));
	for (i = 0; i < req->nheaders; i++) {
		FUZZ_CHECK(*req->headers[i].name != '\0');
		FUZZ_CHECK(strchr(req->headers[i].value, '\r') == NULL);
		FUZZ_CHECK(strchr(req->headers[i].value, '\n') == NULL);
		FUZZ_CHECK(http_header_get(req, req->headers[i].name) !=
		    NULL);
	}
	check_query(req->query);
	c = api_webhook_credential(req, cred, sizeof cred);
	if (c != NULL)
		FUZZ_CHECK(strnlen(c, 16384) < 16384);
	if (c == cred)
		FUZZ_CHECK(strncmp(cred, "Bearer ", 7) == 0);
}

/*
 * Decode the chunked body at in (len bytes, all there is) at once and
 * in pieces.  Returns the bytes it took, or -1 if it is malformed or
 * not complete.
 */
static ssize_t
check_chunked(const char *in, size_t len)
{
	struct http_chunked	 c1, c2;
	char			*o1, *o2;
	size_t			 n1 = 0, n2 = 0, off = 0, piece;
	ssize_t			 rc1, rc2 = 0;
	int			 done1, done2 = 0;

	o1 = malloc(len + 1);
	o2 = malloc(len + 1);
	FUZZ_CHECK(o1 != NULL && o2 != NULL);
	memset(&c1, 0, sizeof c1);
	memset(&c2, 0, sizeof c2);
	rc1 = http_chunked_decode(&c1, in, len, o1, &n1, &done1);
	FUZZ_CHECK(rc1 >= -1 && rc1 <= (ssize_t)len);
	FUZZ_CHECK(n1 <= len);

	/* Pieces of 1 to 7 bytes, a size from the input's length. */
	piece = 1 + len % 7;
	while (off < len && !done2) {
		size_t	k = len - off < piece ? len - off : piece;

		if ((rc2 = http_chunked_decode(&c2, in + off, k, o2, &n2,
		    &done2)) == -1)
			break;
		FUZZ_CHECK(rc2 <= (ssize_t)k);
		FUZZ_CHECK(done2 || rc2 == (ssize_t)k);
		off += (size_t)rc2;
		piece = piece % 7 + 1;
	}
	if (rc1 == -1)
		FUZZ_CHECK(rc2 == -1);
	else {
		FUZZ_CHECK(rc2 != -1);
		FUZZ_CHECK(done1 == done2);
		FUZZ_CHECK(n1 == n2 && memcmp(o1, o2, n1) == 0);
		if (done1)
			FUZZ_CHECK(off == (size_t)rc1);
	}
	free(o1);
	free(o2);
	return (rc1 == -1 || !done1 ? -1 : rc1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req;
	struct http_parse_error	 err;
	const char		*p = (const char *)data;
	size_t			 len = size, n;
	ssize_t			 rc;
	int			 i;

	for (i = 0; i < FUZZ_REQUESTS_MAX && len > 0; i++) {
		n = len < HTTP_HEAD_MAX + 1 ? len : HTTP_HEAD_MAX + 1;
		memset(&err, 0, sizeof err);
		rc = http_parse_head(p, n, &req, &err);
		if (rc == 0) {
			/* More bytes needed: there can be no head end yet. */
			FUZZ_CHECK(n <= HTTP_HEAD_MAX);
			break;
		}
		if (rc < 0) {
			FUZZ_CHECK(err.status == 400 || err.status == 431 ||
			    err.status == 501 || err.status == 505);
			FUZZ_CHECK(err.message != NULL);
			FUZZ_CHECK(req.head == NULL && req.path == NULL);
			break;
		}
		FUZZ_CHECK((size_t)rc <= n);
		check_head(&req);
		p += rc;
		len -= (size_t)rc;
		if (req.chunked) {
			rc = check_chunked(p, len);
			http_request_clear(&req);
			if (rc == -1)
				break;
		} else {
			n = req.content_length > 0 ? (size_t)req.content_length :
			    0;
			http_request_clear(&req);
			if (n > len)
				break;
			rc = (ssize_t)n;
		}
		p += rc;
		len -= (size_t)rc;
	}
	return (0);
}
