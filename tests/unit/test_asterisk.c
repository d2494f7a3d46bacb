/*
 * Unit tests for plugins/asterisk: the AMI parser (whole and byte by
 * byte, CRLF and LF, the banner, every limit) and the mapping of the
 * queue events on the transcripts of tests/data/ami/ (ids, times,
 * members in two queues, pauses in two queues, a transfer, a replay).
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

#include "ami.h"
#include "asterisk.h"
#include "wh_test.h"

extern const struct respite_plugin respite_plugin;

#define BASE	1772443800		/* the transcripts' @0 */
#define AMI_DIR	TEST_DATA "/../ami"

/* ------------------------------------------------------------ parser */

struct seen {
	char	text[16384];		/* "key=value;...|" a message */
	size_t	n;
	int	banners;
};

static void
seen_cb(const struct ami_msg *m, void *arg)
{
	struct seen	*s = arg;
	size_t		 i, len = strlen(s->text);

	if (m->banner)
		s->banners++;
	for (i = 0; i < m->n; i++)
		len += (size_t)snprintf(s->text + len, sizeof s->text - len,
		    "%s=%s;", m->h[i].key, m->h[i].value);
	snprintf(s->text + len, sizeof s->text - len, "|");
	s->n++;
}

static void
parse_whole_and_bytes(const char *in, size_t len, int banner,
    struct seen *whole)
{
	struct ami_parser	p;
	struct seen		bytes;
	size_t			i;

	memset(whole, 0, sizeof *whole);
	memset(&bytes, 0, sizeof bytes);
	ami_parser_init(&p, banner);
	ami_parse(&p, in, len, seen_cb, whole);
	ami_parser_init(&p, banner);
	for (i = 0; i < len; i++)
		ami_parse(&p, in + i, 1, seen_cb, &bytes);
	assert_string_equal(whole->text, bytes.text);
	assert_int_equal(whole->n, bytes.n);
}

static void
test_parser(void **state)
{
	static const char in[] =
	    "Asterisk Call Manager/9.0.0\r\n"
	    "Response: Success\r\nActionID: respite-login\r\n"
	    "Message: Authentication accepted\r\n\r\n"
	    "\r\n"
	    "Event: FullyBooted\nPrivilege: system,all\n\n"
	    "Event: VarSet\r\nValue:   spaced  \r\nKey : v:w\r\n"
	    "no colon here\r\nEmpty:\r\n\r\n"
	    "Event: Partial\r\n";
	struct seen		s;
	struct ami_parser	p;

	(void)state;
	parse_whole_and_bytes(in, sizeof in - 1, 1, &s);
	assert_int_equal(s.banners, 1);
	assert_string_equal(s.text,
	    "Banner=Asterisk Call Manager/9.0.0;|"
	    "Response=Success;ActionID=respite-login;"
	    "Message=Authentication accepted;|"
	    "Event=FullyBooted;Privilege=system,all;|"
	    "Event=VarSet;Value=spaced  ;Key=v:w;Empty=;|");
	/* Without the banner the first line is a header. */
	parse_whole_and_bytes("A: 1\r\n\r\n", 9, 0, &s);
	assert_string_equal(s.text, "A=1;|");

	/* The message in progress stays for the next bytes. */
	ami_parser_init(&p, 0);
	memset(&s, 0, sizeof s);
	ami_parse(&p, "Event: X\r\nA: 1", 14, seen_cb, &s);
	assert_int_equal(s.n, 0);
	ami_parse(&p, "2\r\n\r\n", 5, seen_cb, &s);
	assert_string_equal(s.text, "Event=X;A=12;|");
	assert_int_equal(p.messages, 1);
	assert_int_equal(p.dropped, 0);
}

static void
test_parser_limits(void **state)
{
	struct ami_parser	 p;
	struct seen		 s;
	char			*in;
	size_t			 n, i;

	(void)state;
	assert_non_null(in = malloc(4 * AMI_MSG_MAX));
	/* A line longer than AMI_LINE_MAX drops its message only. */
	n = (size_t)sprintf(in, "Event: Long\r\nValue: ");
	memset(in + n, 'x', AMI_LINE_MAX);
	n += AMI_LINE_MAX;
	n += (size_t)sprintf(in + n, "\r\nMore: 1\r\n\r\nEvent: Next\r\n\r\n");
	parse_whole_and_bytes(in, n, 0, &s);
	assert_string_equal(s.text, "Event=Next;|");
	ami_parser_init(&p, 0);
	ami_parse(&p, in, n, seen_cb, &s);
	assert_int_equal(p.dropped, 1);

	/* A line of exactly AMI_LINE_MAX is taken. */
	n = (size_t)sprintf(in, "Event: Fits\r\nV: ");
	memset(in + n, 'y', AMI_LINE_MAX - 3);
	n += AMI_LINE_MAX - 3;
	n += (size_t)sprintf(in + n, "\n\n");
	parse_whole_and_bytes(in, n, 0, &s);
	assert_int_equal(s.n, 1);

	/* More than AMI_HEADERS_MAX headers. */
	n = 0;
	for (i = 0; i <= AMI_HEADERS_MAX; i++)
		n += (size_t)sprintf(in + n, "H%zu: v\r\n", i);
	n += (size_t)sprintf(in + n, "\r\nEvent: Next\r\n\r\n");
	parse_whole_and_bytes(in, n, 0, &s);
	assert_string_equal(s.text, "Event=Next;|");

	/* More than AMI_MSG_MAX bytes of headers. */
	n = 0;
	for (i = 0; i < 20; i++) {
		n += (size_t)sprintf(in + n, "K%zu: ", i);
		memset(in + n, 'z', 1000);
		n += 1000;
		n += (size_t)sprintf(in + n, "\r\n");
	}
	n += (size_t)sprintf(in + n, "\r\nEvent: Next\r\n\r\n");
	parse_whole_and_bytes(in, n, 0, &s);
	assert_string_equal(s.text, "Event=Next;|");
	free(in);
}

/* ------------------------------------------------------------ mapping */

struct got {
	struct respite_event	ev[64];
	size_t			n;
	void			*instance;
};

static void
map_cb(const struct ami_msg *m, void *arg)
{
	struct got	*g = arg;
	int		 k;

	assert_true(g->n + AST_EVENTS_MAX <= 64);
	k = asterisk_map(g->instance, m, 0, g->ev + g->n, AST_EVENTS_MAX);
	assert_true(k >= 0 && k <= AST_EVENTS_MAX);
	g->n += (size_t)k;
}

/*
 * A transcript of tests/data/ami as the AMI server sends it: "#" lines
 * dropped, "@S" times made BASE + S, CRLF.  A new string.
 */
static char *
transcript(const char *name, int stamps, size_t *len)
{
	char	 path[4096], line[2048], *out;
	size_t	 n = 0, cap = 1 << 20;
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", AMI_DIR, name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot read %s", path);
	assert_non_null(out = malloc(cap));
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#')
			continue;
		if (strncmp(line, "Timestamp: @", 12) == 0) {
			if (!stamps)
				continue;
			n += (size_t)snprintf(out + n, cap - n,
			    "Timestamp: %.6f\r\n", BASE + atof(line + 12));
			continue;
		}
		n += (size_t)snprintf(out + n, cap - n, "%s\r\n", line);
	}
	fclose(f);
	*len = n;
	return (out);
}

static void
feed(struct got *g, const char *name, int stamps)
{
	struct ami_parser	 p;
	char			*t;
	size_t			 len;

	t = transcript(name, stamps, &len);
	ami_parser_init(&p, 0);
	g->n = 0;
	ami_parse(&p, t, len, map_cb, g);
	free(t);
}

static void
test_shift(void **state)
{
	static const char *const conf[] = { "ami", "127.0.0.1:5038",
	    "username", "respite", "secret", "s3cret", NULL };
	static const struct {
		enum respite_event_type	 type;
		const char		*agent;
		int64_t			 ts;
		const char		*ticket;
		double			 d;
	} want[] = {
		{ RESPITE_EV_AGENT_LOGIN, "Alice.Example", 0, "", -1 },
		{ RESPITE_EV_AGENT_LOGIN, "Bob.Builder", 2000, "", -1 },
		{ RESPITE_EV_TICKET_ASSIGNED, "Alice.Example", 60250,
		    "1772443850.42", -1 },
		{ RESPITE_EV_TICKET_HANDLED, "Alice.Example", 372750,
		    "1772443850.42", 312 },
		{ RESPITE_EV_BREAK_START, "Alice.Example", 600000, "", -1 },
		{ RESPITE_EV_BREAK_END, "Alice.Example", 900000, "", -1 },
		{ RESPITE_EV_TICKET_ASSIGNED, "Bob.Builder", 1000000,
		    "1772444890.57", -1 },
		{ RESPITE_EV_TICKET_HANDLED, "Bob.Builder", 1095000,
		    "1772444890.57", 95 },
		{ RESPITE_EV_TICKET_ASSIGNED, "Alice.Example", 1100000,
		    "1772444890.57", -1 },
		{ RESPITE_EV_TICKET_HANDLED, "Alice.Example", 1340000,
		    "1772444890.57", 240 },
		{ RESPITE_EV_AGENT_LOGOUT, "Bob.Builder", 1500000, "", -1 },
	};
	struct wht	 t;
	struct got	 g, again;
	char		*error;
	size_t		 i, j;

	(void)state;
	assert_int_equal(wht_init(&t, &respite_plugin, conf, &error), 0);
	memset(&g, 0, sizeof g);
	g.instance = t.instance;
	feed(&g, "shift.ami", 1);
	assert_int_equal(g.n, sizeof want / sizeof want[0]);
	for (i = 0; i < g.n; i++) {
		if (g.ev[i].type != want[i].type ||
		    strcmp(g.ev[i].agent, want[i].agent) != 0 ||
		    g.ev[i].ts_ms != BASE * 1000LL + want[i].ts ||
		    strcmp(g.ev[i].ticket, want[i].ticket) != 0)
			fail_msg("event %zu: type %d agent %s ts %lld ticket "
			    "%s", i, g.ev[i].type, g.ev[i].agent,
			    (long long)g.ev[i].ts_ms, g.ev[i].ticket);
		assert_true(g.ev[i].duration_s == want[i].d);
		assert_string_equal(g.ev[i].team, "");
		assert_int_equal(g.ev[i].channel, want[i].ticket[0] != '\0' ?
		    RESPITE_CH_PHONE : RESPITE_CH_NONE);
		assert_int_equal(strncmp(g.ev[i].id, "asterisk:", 9), 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(g.ev[i].id, g.ev[j].id);
	}
	assert_string_equal(g.ev[2].id,
	    "asterisk:1772443850.42:Alice Example:AgentConnect");
	assert_string_equal(g.ev[7].id,
	    "asterisk:1772444890.57:Bob Builder:AgentComplete");
	/* The transferred call: the same Linkedid, another agent. */
	assert_string_equal(g.ev[8].id,
	    "asterisk:1772444890.57:Alice Example:AgentConnect");
	assert_string_equal(g.ev[4].id,
	    "asterisk:Alice Example:QueueMemberPause:1772444400.000000");

	/*
	 * Replayed (a reconnect): what the members' state does not hold
	 * back (alice still in support adds no login; her pause in sales
	 * is still the same break) comes with the ids of the first time,
	 * which the daemon counts as duplicates: nothing new.
	 */
	memset(&again, 0, sizeof again);
	again.instance = t.instance;
	feed(&again, "shift.ami", 1);
	assert_int_equal(again.n, 10);
	for (i = 0; i < again.n; i++) {
		assert_true(again.ev[i].id[0] != '\0');
		for (j = 0; j < g.n; j++)
			if (strcmp(again.ev[i].id, g.ev[j].id) == 0)
				break;
		assert_true(j < g.n);
	}
	/* Alice leaves her last queue. */
	feed(&again, "later.ami", 1);
	assert_int_equal(again.n, 1);
	assert_int_equal(again.ev[0].type, RESPITE_EV_AGENT_LOGOUT);
	assert_string_equal(again.ev[0].agent, "Alice.Example");
	/* A removal from a queue she is not in: still logged out. */
	feed(&again, "later.ami", 1);
	assert_int_equal(again.n, 1);
	t.pl->fini(t.instance);
}

static void
test_no_timestamps(void **state)
{
	static const char *const conf[] = { "ami", "[::1]:5038", "username",
	    "respite", "secret", "s3cret", "team", "phone-1", NULL };
	struct wht	 t;
	struct got	 g;
	char		*error;
	size_t		 i;

	(void)state;
	assert_int_equal(wht_init(&t, &respite_plugin, conf, &error), 0);
	memset(&g, 0, sizeof g);
	g.instance = t.instance;
	feed(&g, "shift.ami", 0);
	assert_int_equal(g.n, 11);
	for (i = 0; i < g.n; i++) {
		/* The time of receipt; ids only where the call gives one. */
		assert_int_equal(g.ev[i].ts_ms, 0);
		assert_string_equal(g.ev[i].team, "phone-1");
		assert_int_equal(g.ev[i].id[0] != '\0',
		    g.ev[i].channel == RESPITE_CH_PHONE);
	}
	t.pl->fini(t.instance);
}

/* Map one message given as text; returns the number of events. */
static int
map_text(void *instance, const char *text, struct respite_event *out)
{
	struct ami_parser	p;
	struct got		g;

	memset(&g, 0, sizeof g);
	g.instance = instance;
	ami_parser_init(&p, 0);
	ami_parse(&p, text, strlen(text), map_cb, &g);
	if (g.n > 0)
		*out = g.ev[0];
	return ((int)g.n);
}

static void
test_bad_events(void **state)
{
	static const char *const conf[] = { "ami", "pbx.example", "username",
	    "respite", "secret", "s3cret", "agent_field", "id", NULL };
	struct wht		 t;
	struct respite_event	 ev;
	char			*error;

	(void)state;
	assert_int_equal(wht_init(&t, &respite_plugin, conf, &error), 0);
	assert_int_equal(map_text(t.instance, "Event: AgentConnect\r\n"
	    "MemberName: A\r\nInterface: PJSIP/1001\r\nLinkedid: 1.2\r\n\r\n",
	    &ev), 1);
	/* agent_field id: the Interface. */
	assert_string_equal(ev.agent, "PJSIP-1001");
	assert_int_equal(map_text(t.instance, "Event: AgentConnect\r\n"
	    "MemberName: A\r\nLinkedid: 1.2/../x\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: AgentConnect\r\n"
	    "Linkedid: 1.2\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: AgentComplete\r\n"
	    "MemberName: A\r\nLinkedid: 1.2\r\nTalkTime: -3\r\n\r\n", &ev), 1);
	assert_true(ev.duration_s == 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberPause\r\n"
	    "MemberName: A\r\nPaused: 2\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberAdded\r\n"
	    "MemberName: A\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberRemoved\r\n"
	    "MemberName: Z\r\nQueue: q\r\nTimestamp: 17x\r\n\r\n", &ev), 1);
	assert_int_equal(ev.type, RESPITE_EV_AGENT_LOGOUT);
	assert_int_equal(ev.ts_ms, 0);
	assert_string_equal(ev.id, "");
	assert_int_equal(map_text(t.instance, "Event: QueueMemberRemoved\r\n"
	    "MemberName: \x01\r\nQueue: q\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: Hangup\r\n"
	    "MemberName: A\r\nLinkedid: 1.2\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Response: Success\r\n"
	    "MemberName: A\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberPause\r\n"
	    "MemberName: A\r\nPaused: 1\r\nTimestamp: 1772443800.5\r\n\r\n",
	    &ev), 1);
	assert_int_equal(ev.ts_ms, 1772443800500LL);
	t.pl->fini(t.instance);
}

/*
 * After a restart the members' state is empty; the QueueStatus answer
 * (QueueMember) fills it in without an event: a member in two queues
 * leaving one is not logged out, a pause repeated is no break, and
 * leaving the last queue is the logout.
 */
static void
test_queue_status(void **state)
{
	static const char *const conf[] = { "ami", "pbx.example", "username",
	    "respite", "secret", "s3cret", NULL };
	struct wht		 t;
	struct respite_event	 ev;
	char			*error;

	(void)state;
	assert_int_equal(wht_init(&t, &respite_plugin, conf, &error), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMember\r\n"
	    "ActionID: respite-queues\r\nQueue: support\r\nName: Alice\r\n"
	    "Location: PJSIP/1001\r\nPaused: 1\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMember\r\n"
	    "Queue: sales\r\nMemberName: Alice\r\nPaused: 1\r\n\r\n", &ev),
	    0);
	assert_int_equal(map_text(t.instance, "Event: QueueMember\r\n"
	    "Queue: sales\r\nName: Bob\r\nPaused: 0\r\n\r\n", &ev), 0);
	/* Bad answers change nothing and make nothing. */
	assert_int_equal(map_text(t.instance, "Event: QueueMember\r\n"
	    "Name: Carol\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMember\r\n"
	    "Queue: sales\r\nName: \x01\r\n\r\n", &ev), 0);

	assert_int_equal(map_text(t.instance, "Event: QueueMemberPause\r\n"
	    "MemberName: Alice\r\nQueue: sales\r\nPaused: 1\r\n\r\n", &ev),
	    0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberAdded\r\n"
	    "MemberName: Alice\r\nQueue: support\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberRemoved\r\n"
	    "MemberName: Alice\r\nQueue: support\r\n\r\n", &ev), 0);
	assert_int_equal(map_text(t.instance, "Event: QueueMemberRemoved\r\n"
	    "MemberName: Alice\r\nQueue: sales\r\n\r\n", &ev), 1);
	assert_int_equal(ev.type, RESPITE_EV_AGENT_LOGOUT);
	assert_string_equal(ev.agent, "Alice");
	/* Bob was not paused: his pause is a break. */
	assert_int_equal(map_text(t.instance, "Event: QueueMemberPause\r\n"
	    "MemberName: Bob\r\nQueue: sales\r\nPaused: 1\r\n\r\n", &ev),
	    1);
	assert_int_equal(ev.type, RESPITE_EV_BREAK_START);
	/* Carol's answer had no queue: her first queue is a login. */
	assert_int_equal(map_text(t.instance, "Event: QueueMemberAdded\r\n"
	    "MemberName: Carol\r\nQueue: sales\r\n\r\n", &ev), 1);
	assert_int_equal(ev.type, RESPITE_EV_AGENT_LOGIN);
	t.pl->fini(t.instance);
}

static void
test_config(void **state)
{
	static const char *const bad[][9] = {
		{ "username", "u", "secret", "s", NULL },
		{ "ami", "pbx:0", "username", "u", "secret", "s", NULL },
		{ "ami", "pbx:x", "username", "u", "secret", "s", NULL },
		{ "ami", "[::1", "username", "u", "secret", "s", NULL },
		{ "ami", ":5038", "username", "u", "secret", "s", NULL },
		{ "ami", "pbx", "secret", "s", NULL },
		{ "ami", "pbx", "username", "u", NULL },
		{ "ami", "pbx", "username", "u", "secret", "s", "team", "a b",
		    NULL },
	};
	static const char *const want[] = { "ami: expected HOST:PORT",
	    "the port must be", "the port must be", "closing ]", "no host",
	    "username: expected", "secret: expected", "team: \"a b\"" };
	struct wht	 t;
	char		*error;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(wht_init(&t, &respite_plugin, bad[i], &error),
		    -1);
		if (error == NULL || strstr(error, want[i]) == NULL)
			fail_msg("case %zu: %s", i, error);
		free(error);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser),
		cmocka_unit_test(test_parser_limits),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_no_timestamps),
		cmocka_unit_test(test_bad_events),
		cmocka_unit_test(test_queue_status),
		cmocka_unit_test(test_config),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
