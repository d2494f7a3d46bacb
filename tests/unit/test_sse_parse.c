/*
 * Unit tests for daemon/notify/sse_parse.c: the Server-Sent Events wire
 * format as respited writes it (retry:, id:/event:/data: blocks,
 * ": keep-alive" comments) and the corners of the HTML standard's
 * parsing rules: CR, LF and CRLF line ends (also split across reads),
 * multi-line data, a field without a colon, the one space after the
 * colon, events without data, an id that persists, a BOM, a line that is
 * too long.  Every stream is also fed one byte at a time, which must
 * give the same events.
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

#include "notify/sse_parse.h"

/* What the parser reported: one line per event or retry. */
struct got {
	char	text[4096];
};

static void
event_cb(const char *type, const char *data, const char *id, void *arg)
{
	struct got	*g = arg;
	size_t		 n = strlen(g->text);

	snprintf(g->text + n, sizeof g->text - n, "[%s|%s|%s]", type, id,
	    data);
}

static void
retry_cb(long ms, void *arg)
{
	struct got	*g = arg;
	size_t		 n = strlen(g->text);

	snprintf(g->text + n, sizeof g->text - n, "(retry %ld)", ms);
}

/* Feed s whole and byte by byte; both must report want. */
static void
check(const char *s, const char *want)
{
	struct sse_parser	p;
	struct got		g;
	size_t			i, len = strlen(s);

	memset(&g, 0, sizeof g);
	sse_parser_init(&p, 1024, event_cb, retry_cb, &g);
	assert_int_equal(sse_parser_feed(&p, s, len), 0);
	assert_string_equal(g.text, want);
	sse_parser_free(&p);

	memset(&g, 0, sizeof g);
	sse_parser_init(&p, 1024, event_cb, retry_cb, &g);
	for (i = 0; i < len; i++)
		assert_int_equal(sse_parser_feed(&p, s + i, 1), 0);
	assert_string_equal(g.text, want);
	sse_parser_free(&p);
}

static void
test_respited_stream(void **state)
{
	(void)state;
	check("retry: 3000\n\n"
	    "id: 7\nevent: suggestion\ndata: {\"id\":\"s-000001\"}\n\n"
	    ": keep-alive\n\n"
	    "id: 8\nevent: agent\ndata: {\"status\":\"on_break\"}\n\n",
	    "(retry 3000)"
	    "[suggestion|7|{\"id\":\"s-000001\"}]"
	    "[agent|8|{\"status\":\"on_break\"}]");
}

static void
test_line_ends(void **state)
{
	(void)state;
	check("data: a\r\n\r\ndata: b\r\rdata: c\n\n",
	    "[message||a][message||b][message||c]");
	/* A CR then an LF in the next read is one line end, not two. */
	check("data: x\r\ndata: y\r\n\r\n", "[message||x\ny]");
}

static void
test_fields(void **state)
{
	(void)state;
	/* Multi-line data joined with LF; one space dropped, not two. */
	check("data: one\ndata:two\ndata:  three\n\n",
	    "[message||one\ntwo\n three]");
	/* "data" alone is an empty data line. */
	check("data\ndata\n\n", "[message||\n]");
	/* No data: nothing is dispatched, and the type does not linger. */
	check("event: agent\n\ndata: z\n\n", "[message||z]");
	/* Unknown fields and comments are ignored. */
	check("foo: bar\n:comment\ndata: q\n\n", "[message||q]");
	/* An unterminated event is not dispatched. */
	check("data: half", "");
}

static void
test_ids(void **state)
{
	(void)state;
	/* The last event id stays until another id: field changes it. */
	check("id: 41\ndata: a\n\ndata: b\n\nid: 42\ndata: c\n\n",
	    "[message|41|a][message|41|b][message|42|c]");
	/* An empty id resets it. */
	check("id: 5\ndata: a\n\nid\ndata: b\n\n", "[message|5|a][message||b]");
}

static void
test_retry(void **state)
{
	(void)state;
	check("retry: 1500\nretry: x1\nretry:\nretry: 250\n",
	    "(retry 1500)(retry 250)");
}

static void
test_bom(void **state)
{
	(void)state;
	check("\xef\xbb\xbf" "data: a\n\n", "[message||a]");
	/* Only at the very start. */
	check("data: \xef\xbb\xbf" "b\n\n", "[message||\xef\xbb\xbf" "b]");
}

static void
test_reset_keeps_id(void **state)
{
	struct sse_parser	p;
	struct got		g;

	(void)state;
	memset(&g, 0, sizeof g);
	sse_parser_init(&p, 1024, event_cb, retry_cb, &g);
	assert_int_equal(sse_parser_feed(&p, "id: 9\ndata: a\n\ndata: hal",
	    25), 0);
	/* A new connection: the half event is gone, the id stays. */
	sse_parser_reset(&p);
	assert_string_equal(p.last_id, "9");
	assert_int_equal(sse_parser_feed(&p, "data: b\n\n", 9), 0);
	assert_string_equal(g.text, "[message|9|a][message|9|b]");
	sse_parser_free(&p);
}

static void
test_long_line(void **state)
{
	struct sse_parser	 p;
	struct got		 g;
	char			*big;

	(void)state;
	big = malloc(2000);
	assert_non_null(big);
	memset(big, 'x', 2000);
	memset(&g, 0, sizeof g);
	sse_parser_init(&p, 1024, event_cb, retry_cb, &g);
	assert_int_equal(sse_parser_feed(&p, "data: ", 6), 0);
	assert_int_equal(sse_parser_feed(&p, big, 2000), -1);
	sse_parser_free(&p);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_respited_stream),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_reset_keeps_id),
		cmocka_unit_test(test_long_line),
	};

	return (cmocka_run_group_tests_name("sse_parse", tests, NULL, NULL));
}
