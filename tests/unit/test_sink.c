/*
 * respite - what the sinks share (plugins/common/sink.c): the sentence
 * for each kind and change, the filters `on` and `audience`, and the
 * number parsers, with their messages.
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

#include "sink.h"

/* The daemon's exports the library uses (plugins.c in respited). */
int
respite_error(char **error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) == -1)
		*error = NULL;
	va_end(ap);
	return (-1);
}

const char *
respite_config_get(const struct respite_plugin_config *cf, const char *key)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < cf->nitems; i++)
		if (strcmp(cf->items[i].key, key) == 0)
			v = cf->items[i].value;
	return (v);
}

static struct respite_suggestion
sugg(const char *kind, const char *audience, const char *change,
    const char *status, const char *json)
{
	struct respite_suggestion	s;

	memset(&s, 0, sizeof s);
	s.id = "s-000042";
	s.kind = kind;
	s.agent = strcmp(audience, "agent") == 0 ? "alice" : "";
	s.team = "support-de";
	s.status = status;
	s.priority = "high";
	s.audience = audience;
	s.reason = "3 hostile messages in 20 minutes";
	s.minutes = 5;
	s.change = change;
	s.json = json != NULL ? json : "{}";
	s.json_len = strlen(s.json);
	return (s);
}

static void
text_is(const struct respite_suggestion *s, const char *want)
{
	char	buf[512];
	size_t	n;

	n = sink_text(s, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void
test_text_breaks(void **state)
{
	struct respite_suggestion	s;

	(void)state;
	s = sugg("recovery_break", "agent", "raised", "open", NULL);
	text_is(&s, "alice: take a 5-minute break (3 hostile messages in 20 "
	    "minutes)");
	s = sugg("micro_break", "agent", "reopened", "open", NULL);
	s.minutes = 2;
	s.reason = "50 minutes of continuous work";
	text_is(&s, "alice: reminder: take a 2-minute micro break (50 minutes "
	    "of continuous work)");
	s = sugg("rest_break", "agent", "raised", "open", NULL);
	s.minutes = 0;
	s.reason = "";
	text_is(&s, "alice: take a break");
	s = sugg("recovery_break", "agent", "answered", "accepted", NULL);
	text_is(&s, "alice: recovery break s-000042 accepted");
	s = sugg("micro_break", "agent", "expired", "expired", NULL);
	text_is(&s, "alice: micro break s-000042 expired");
}

static void
test_text_lead(void **state)
{
	struct respite_suggestion	s;

	(void)state;
	s = sugg("rebalance", "lead", "raised", "open",
	    "{\"from\":\"hi\",\"to\":\"lo\",\"move\":{\"tickets\":3}}");
	s.reason = "hi has 4 open tickets, the team median is 2";
	text_is(&s, "support-de: move 3 tickets from hi to lo (hi has 4 open "
	    "tickets, the team median is 2)");
	s = sugg("rebalance", "lead", "raised", "open",
	    "{\"from\":\"hi\",\"to\":\"lo\",\"move\":{\"tickets\":1}}");
	s.reason = "";
	text_is(&s, "support-de: move 1 ticket from hi to lo");
	s = sugg("rebalance", "lead", "raised", "open",
	    "{\"from\":\"hi\",\"to\":\"lo\",\"move\":{\"channel\":\"phone\","
	    "\"minutes\":30}}");
	s.reason = "";
	text_is(&s, "support-de: move hi's phone work to lo for 30 minutes");
	s = sugg("team_overload", "lead", "raised", "open", NULL);
	s.team = "";
	s.reason = "70% of the team at high strain";
	text_is(&s, "lead: the team is overloaded (70% of the team at high "
	    "strain)");
	/* Not JSON at all: still a line, with placeholders. */
	s = sugg("rebalance", "lead", "raised", "open", "garbage");
	s.reason = "";
	text_is(&s, "support-de: move 0 tickets from ? to ?");
}

static void
test_text_truncates(void **state)
{
	struct respite_suggestion	s;
	char				buf[16];
	size_t				n;

	(void)state;
	s = sugg("recovery_break", "agent", "raised", "open", NULL);
	n = sink_text(&s, buf, sizeof buf);
	assert_int_equal(n, sizeof buf - 1);
	assert_string_equal(buf, "alice: take a 5");
	assert_int_equal(sink_text(&s, buf, 0), 0);
}

static int
parse(const char *on, const char *audience, struct sink_filter *f,
    char **error)
{
	struct respite_config_item	items[2];
	struct respite_plugin_config	cf;

	memset(&cf, 0, sizeof cf);
	cf.name = "test";
	cf.items = items;
	if (on != NULL)
		items[cf.nitems++] = (struct respite_config_item){ "on", on, 3 };
	if (audience != NULL)
		items[cf.nitems++] = (struct respite_config_item){ "audience",
		    audience, 4 };
	*error = NULL;
	return (sink_filter_parse(&cf, SINK_RAISED, f, error));
}

static void
test_filter(void **state)
{
	struct respite_suggestion	 raised, answered, lead;
	struct sink_filter		 f;
	char				*error;

	(void)state;
	raised = sugg("micro_break", "agent", "raised", "open", NULL);
	answered = sugg("micro_break", "agent", "answered", "dismissed", NULL);
	lead = sugg("team_overload", "lead", "raised", "open", NULL);

	assert_int_equal(parse(NULL, NULL, &f, &error), 0);
	assert_true(sink_filter_match(&f, &raised));
	assert_false(sink_filter_match(&f, &answered));
	assert_true(sink_filter_match(&f, &lead));

	assert_int_equal(parse("raised, answered", "lead", &f, &error), 0);
	assert_false(sink_filter_match(&f, &raised));
	assert_false(sink_filter_match(&f, &answered));
	assert_true(sink_filter_match(&f, &lead));

	assert_int_equal(parse("all", "agent lead", &f, &error), 0);
	assert_int_equal(f.changes, SINK_ALL);
	assert_true(sink_filter_match(&f, &answered));

	assert_int_equal(parse("raised sometimes", NULL, &f, &error), -1);
	assert_string_equal(error, "on: unknown word \"sometimes\" in "
	    "\"raised sometimes\"");
	free(error);
	assert_int_equal(parse(" , ", NULL, &f, &error), -1);
	assert_string_equal(error, "on: must name at least one value");
	free(error);
	assert_int_equal(parse(NULL, "boss", &f, &error), -1);
	assert_string_equal(error, "audience: unknown word \"boss\" in "
	    "\"boss\"");
	free(error);
}

static void
test_numbers(void **state)
{
	char	*error = NULL;
	double	 d;
	long	 n;

	(void)state;
	assert_int_equal(sink_seconds("timeout", "2.5", 0.1, 10, &d, &error),
	    0);
	assert_true(d == 2.5);
	assert_int_equal(sink_seconds("timeout", "3s", 0.1, 10, &d, &error),
	    0);
	assert_true(d == 3);
	assert_int_equal(sink_seconds("timeout", "11", 0.1, 10, &d, &error),
	    -1);
	assert_string_equal(error, "timeout: expected seconds from 0.1 to 10, "
	    "got \"11\"");
	free(error);
	assert_int_equal(sink_seconds("timeout", "nan", 0.1, 10, &d, &error),
	    -1);
	free(error);
	assert_int_equal(sink_count("queue", "100", 1, 1000, &n, &error), 0);
	assert_int_equal(n, 100);
	assert_int_equal(sink_count("queue", "0", 1, 1000, &n, &error), -1);
	assert_string_equal(error, "queue: expected a whole number from 1 to "
	    "1000, got \"0\"");
	free(error);
	assert_int_equal(sink_count("queue", "12x", 1, 1000, &n, &error), -1);
	free(error);
}

static void
test_keys(void **state)
{
	static const char *const known[] = { "url", "on", NULL };
	struct respite_config_item	items[] = { { "url", "x", 2 },
					    { "uri", "y", 3 } };
	struct respite_plugin_config	cf = { "test", NULL, items, 1 };
	char				*error = NULL;

	(void)state;
	assert_int_equal(sink_check_keys(&cf, known, &error), 0);
	cf.nitems = 2;
	assert_int_equal(sink_check_keys(&cf, known, &error), -1);
	assert_string_equal(error, "line 3: unknown key \"uri\" (known: url, "
	    "on)");
	free(error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_breaks),
		cmocka_unit_test(test_text_lead),
		cmocka_unit_test(test_text_truncates),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_keys),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
