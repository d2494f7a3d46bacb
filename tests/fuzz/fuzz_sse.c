/*
 * respite - fuzz target: the Server-Sent Events stream respite-notify
 * reads from GET /v1/stream (daemon/notify/sse_parse.c), and what its
 * companion makes of an event's data (JSON; the texts of
 * daemon/notify/ntext.c in the buffers companion.c gives them).
 *
 * The stream is parsed three ways: all at once, in pieces of 1 to 7
 * bytes (as reads may cut it: a CRLF across two reads is one line end),
 * and cut in two with a reconnect (sse_parser_reset()) between.  The
 * first two must dispatch the same events and retries.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "ntext.h"
#include "sse_parse.h"

#define FUZZ_SSE_MAX_LINE	1024	/* small, so the fuzzer reaches it */

/* What a parser dispatched, as one growing string. */
struct trace {
	char	*s;
	size_t	 len, cap;
	int	 texts;		/* run the companion's texts on events */
};

static void
trace_add(struct trace *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		while (t->len + n + 1 > t->cap)
			t->cap = t->cap > 0 ? t->cap * 2 : 1024;
		if ((t->s = realloc(t->s, t->cap)) == NULL)
			abort();
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

/* comp_stream_event() with the texts it shows. */
static void
companion_texts(const char *type, const char *data)
{
	char		 summary[NTEXT_MAX], text[NTEXT_MAX];
	char		 body[NTEXT_MAX * 2];
	char		 id[32], kind[32], reason[256];
	const char	*s;
	json_t		*o, *v;

	if ((o = json_loads(data, 0, NULL)) == NULL)
		return;
	if (strcmp(type, "suggestion") == 0 && (s = jstr(o, "id")) != NULL &&
	    strlen(s) < sizeof id) {
		/* The sizes of companion.c's struct csugg. */
		snprintf(id, sizeof id, "%s", s);
		snprintf(kind, sizeof kind, "%s", (s = jstr(o, "kind")) !=
		    NULL ? s : "");
		snprintf(reason, sizeof reason, "%s", (s = jstr(o,
		    "reason")) != NULL ? s : "");
		v = json_object_get(o, "minutes");
		ntext_summary(summary, sizeof summary, json_is_integer(v) ?
		    (int)json_integer_value(v) : 0);
		FUZZ_CHECK(strnlen(summary, sizeof summary) < sizeof summary);
		ntext_body(text, sizeof text, kind, reason, id, 0, 1);
		FUZZ_CHECK(strnlen(text, sizeof text) < sizeof text);
		ntext_escape_markup(body, sizeof body, text);
		FUZZ_CHECK(strnlen(body, sizeof body) < sizeof body);
		ntext_body(text, sizeof text, kind, reason, id, 1, 0);
		FUZZ_CHECK(strnlen(text, sizeof text) < sizeof text);
	} else if (strcmp(type, "level") == 0 &&
	    (s = jstr(o, "level")) != NULL) {
		v = json_object_get(o, "strain");
		ntext_level(summary, sizeof summary, text, sizeof text, s,
		    json_is_integer(v) ? (int)json_integer_value(v) : 0);
		FUZZ_CHECK(strnlen(summary, sizeof summary) < sizeof summary);
		FUZZ_CHECK(strnlen(text, sizeof text) < sizeof text);
	}
	json_decref(o);
}

static void
event_cb(const char *type, const char *data, const char *id, void *arg)
{
	struct trace	*t = arg;

	FUZZ_CHECK(type != NULL && data != NULL && id != NULL);
	FUZZ_CHECK(*type != '\0' && strlen(type) <= SSE_EVENT_MAX);
	FUZZ_CHECK(strlen(id) <= SSE_ID_MAX);
	trace_add(t, "E", 1);
	trace_add(t, type, strlen(type) + 1);
	trace_add(t, data, strlen(data) + 1);
	trace_add(t, id, strlen(id) + 1);
	if (t->texts)
		companion_texts(type, data);
}

static void
retry_cb(long ms, void *arg)
{
	struct trace	*t = arg;
	char		 buf[32];

	FUZZ_CHECK(ms >= 0 && ms <= 999999999L);
	snprintf(buf, sizeof buf, "R%ld", ms);
	trace_add(t, buf, strlen(buf) + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sse_parser	 p1, p2, p3;
	struct trace		 t1, t2, t3;
	const char		*in = (const char *)data;
	size_t			 off = 0, k, piece;
	int			 rc1, rc2 = 0;

	memset(&t1, 0, sizeof t1);
	memset(&t2, 0, sizeof t2);
	memset(&t3, 0, sizeof t3);
	t1.texts = 1;
	trace_add(&t1, "", 0);
	trace_add(&t2, "", 0);

	sse_parser_init(&p1, FUZZ_SSE_MAX_LINE, event_cb, retry_cb, &t1);
	rc1 = sse_parser_feed(&p1, in, size);
	FUZZ_CHECK(rc1 == 0 || rc1 == -1);

	sse_parser_init(&p2, FUZZ_SSE_MAX_LINE, event_cb, retry_cb, &t2);
	piece = 1 + size % 7;
	while (off < size && rc2 == 0) {
		k = size - off < piece ? size - off : piece;
		rc2 = sse_parser_feed(&p2, in + off, k);
		off += k;
		piece = piece % 7 + 1;
	}
	/* Both stop at the same byte if a line is too long. */
	FUZZ_CHECK(rc1 == rc2);
	FUZZ_CHECK(t1.len == t2.len && memcmp(t1.s, t2.s, t1.len) == 0);

	sse_parser_init(&p3, FUZZ_SSE_MAX_LINE, event_cb, retry_cb, &t3);
	if (sse_parser_feed(&p3, in, size / 2) == 0) {
		sse_parser_reset(&p3);
		(void)sse_parser_feed(&p3, in + size / 2, size - size / 2);
	}

	sse_parser_free(&p1);
	sse_parser_free(&p2);
	sse_parser_free(&p3);
	free(t1.s);
	free(t2.s);
	free(t3.s);
	return (0);
}
