/*
 * respite - fuzz target: the Asterisk Manager Interface parser and the
 * queue-event mapping (plugins/asterisk/ami.c, asterisk.c).
 *
 * The first byte of an input picks the size of the pieces the rest is
 * fed in (1 to 256 bytes) and, with 0x80, that the first line is the
 * banner.  The messages must be the same whether the bytes come whole
 * or in pieces, stay within the parser's limits, and every event the
 * mapping makes (a new instance each input) must be one the daemon can
 * take (an agent id, UTF-8 ids and tickets, a known type, ts >= 0,
 * duration >= 0).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ami.h"
#include "asterisk.h"
#include "event.h"
#include "fuzz.h"
#include "log.h"
#include "plugins.h"
#include "secret.h"

extern const struct respite_plugin respite_plugin;

struct trace {
	char	*text;
	size_t	 len, cap;
	size_t	 n;
	void	*instance;
	size_t	 events;
};

static void
put(struct trace *t, const char *s)
{
	size_t	n = strlen(s);

	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		if ((t->text = realloc(t->text, t->cap)) == NULL)
			abort();
	}
	memcpy(t->text + t->len, s, n + 1);
	t->len += n;
}

static int
utf8_valid(const char *s)
{
	json_t	*v;

	if ((v = json_string(s)) == NULL)
		return (0);
	json_decref(v);
	return (1);
}

static void
trace_cb(const struct ami_msg *m, void *arg)
{
	struct trace		*t = arg;
	struct respite_event	 ev[AST_EVENTS_MAX];
	size_t			 i, used = 0;
	int			 k;

	FUZZ_CHECK(m->n <= AMI_HEADERS_MAX);
	for (i = 0; i < m->n; i++) {
		FUZZ_CHECK(strlen(m->h[i].key) <= AMI_LINE_MAX);
		FUZZ_CHECK(strlen(m->h[i].value) <= AMI_LINE_MAX);
		used += strlen(m->h[i].key) + strlen(m->h[i].value) + 2;
		put(t, m->h[i].key);
		put(t, "\x01");
		put(t, m->h[i].value);
		put(t, "\x02");
	}
	if (!m->banner)
		FUZZ_CHECK(used <= AMI_MSG_MAX);
	put(t, "\x03");
	t->n++;
	if (t->instance == NULL)
		return;
	k = asterisk_map(t->instance, m, FUZZ_NOW_MS, ev, AST_EVENTS_MAX);
	FUZZ_CHECK(k >= 0 && k <= AST_EVENTS_MAX);
	for (i = 0; i < (size_t)k; i++) {
		FUZZ_CHECK(ev[i].type > RESPITE_EV_NONE &&
		    ev[i].type < RESPITE_EV_COUNT);
		FUZZ_CHECK(event_name_valid(ev[i].agent));
		FUZZ_CHECK(ev[i].team[0] == '\0' ||
		    event_name_valid(ev[i].team));
		FUZZ_CHECK(strnlen(ev[i].id, sizeof ev[i].id) <
		    sizeof ev[i].id && utf8_valid(ev[i].id));
		FUZZ_CHECK(strnlen(ev[i].ticket, sizeof ev[i].ticket) <
		    sizeof ev[i].ticket && utf8_valid(ev[i].ticket));
		FUZZ_CHECK(ev[i].ts_ms >= 0);
		FUZZ_CHECK(ev[i].type != RESPITE_EV_TICKET_HANDLED ||
		    ev[i].duration_s >= 0);
		t->events++;
	}
}

/* A new instance for each input, so that a replay is the same run. */
static void *
instance(void)
{
	static int		 done;
	static const uint8_t	 key[SECRET_INSTALL_LEN] = { 0x41 };
	struct respite_config_item	items[4] = {
		{ "ami", "127.0.0.1:5038", 2 },
		{ "username", "respite", 3 },
		{ "secret", "fuzz", 4 },
		{ "team", "fuzz-team", 5 },
	};
	struct respite_plugin_config	cf = { "asterisk", NULL, items, 4 };
	char				*error = NULL;
	void				*inst = NULL;

	if (!done) {
		done = 1;
		log_init(LOG_TO_STDERR, LOG_LEVEL_ERROR);
		plugins_set_install_secret(key);
	}
	FUZZ_CHECK(respite_plugin.init(&cf, &inst, &error) == 0);
	return (inst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ami_parser	p;
	struct trace		whole, pieces;
	size_t			step, off, n;
	int			banner;

	if (size == 0)
		return (0);
	step = (size_t)(data[0] & 0x7f) * 2 + 1;
	banner = (data[0] & 0x80) != 0;
	data++;
	size--;

	memset(&whole, 0, sizeof whole);
	memset(&pieces, 0, sizeof pieces);
	put(&whole, "");
	put(&pieces, "");
	/* Mapped once, from the whole (the members' state is kept). */
	whole.instance = instance();
	ami_parser_init(&p, banner);
	ami_parse(&p, (const char *)data, size, trace_cb, &whole);
	ami_parser_init(&p, banner);
	for (off = 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		ami_parse(&p, (const char *)data + off, n, trace_cb, &pieces);
	}
	FUZZ_CHECK(whole.n == pieces.n);
	FUZZ_CHECK(whole.len == pieces.len &&
	    memcmp(whole.text, pieces.text, whole.len) == 0);
	FUZZ_SAY("%zu messages, %zu events", whole.n, whole.events);
	respite_plugin.fini(whole.instance);
	free(whole.text);
	free(pieces.text);
	return (0);
}
