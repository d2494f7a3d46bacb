/*
 * Unit tests for daemon/plugins.c and the [plugins] / [plugin.NAME] parts
 * of daemon/common/config.c: names and sections as parsed, loading the example
 * plugin built by `make check` (PLUGIN_DIR), refusing the plugin built for
 * another ABI version (TEST_PLUGIN_DIR) with both versions in the message,
 * a failing init stopping the load with the plugin's own message, and the
 * classify step: an explicit severity wins, and the text is always gone
 * afterwards.  The loader tests skip when run by hand without the
 * directories.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "ingest.h"
#include "plugins.h"
#include "unit_common.h"

static struct tmpdb	tconf;
static const char	*conf = tconf.path;

static int
setup(void **state)
{
	(void)state;
	return (tmpdir_make(&tconf, "plugins", "respite.conf"));
}

static int
teardown(void **state)
{
	(void)state;
	return (tmpdb_remove(&tconf));
}

/* Load a config made of text; NULL with *cause on error. */
static struct config *
load(const char *text, char **cause)
{
	FILE	*f;

	assert_non_null(f = fopen(conf, "w"));
	fputs(text, f);
	fclose(f);
	*cause = NULL;
	return (config_load(conf, cause));
}

static void
test_config_sections(void **state)
{
	struct config			*cf;
	const struct config_section	*sec;
	char				*cause;

	(void)state;
	cf = load("[plugins]\n"
	    "dir = /opt/respite/plugins\n"
	    "load = lexicon, example\n"
	    "load = zendesk\n"
	    "[plugin.lexicon]\n"
	    "site = /etc/respite/site.txt\n"
	    "allow = a.txt\n"
	    "[plugin.zendesk]\n"
	    "secret = s3cr3t = with equals\n"
	    "[plugin.lexicon]\n"
	    "allow = b.txt\n", &cause);
	if (cf == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cf->plugins_dir, "/opt/respite/plugins");
	assert_int_equal(cf->nplugins_load, 3);
	assert_string_equal(cf->plugins_load[0], "lexicon");
	assert_string_equal(cf->plugins_load[1], "example");
	assert_string_equal(cf->plugins_load[2], "zendesk");
	assert_int_equal(cf->nplugin_sections, 2);
	assert_non_null(sec = config_plugin_section(cf, "lexicon"));
	assert_int_equal(sec->nitems, 3);
	assert_string_equal(sec->items[0].key, "site");
	assert_string_equal(sec->items[2].value, "b.txt");
	assert_int_equal(sec->items[2].line, 11);
	assert_non_null(sec = config_plugin_section(cf, "zendesk"));
	assert_string_equal(sec->items[0].value, "s3cr3t = with equals");
	assert_null(config_plugin_section(cf, "example"));
	config_free(cf);

	/* Defaults: the installed directory, nothing loaded. */
	cf = config_load(NULL, &cause);
	assert_string_equal(cf->plugins_dir, PKGLIBDIR);
	assert_int_equal(cf->nplugins_load, 0);
	config_free(cf);
}

static void
test_config_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} bad[] = {
		{ "[plugins]\nloud = x\n", ":2: unknown key \"loud\" in "
		    "[plugins]" },
		{ "[plugins]\nload = Lexicon\n", ":2: load: \"Lexicon\" is "
		    "not a plugin name" },
		{ "[plugins]\nload = ../evil\n", ":2: load: \"../evil\" is "
		    "not a plugin name" },
		{ "[plugins]\nload = a b a\n", ":2: load: plugin \"a\" is "
		    "listed twice" },
		{ "[plugins]\ndir =\n", ":2: dir: must not be empty" },
		{ "[plugin.Bad]\nx = 1\n", ":2: [plugin.Bad]: \"Bad\" is not "
		    "a plugin name" },
		{ "[plugin.]\nx = 1\n", ":2: [plugin.]: \"\" is not a plugin "
		    "name" },
		{ "[pluginz]\nx = 1\n", ":2: unknown section [pluginz]" },
	};
	struct config	*cf;
	char		*cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cf = load(bad[i].text, &cause);
		if (cf != NULL)
			fail_msg("accepted: %s", bad[i].text);
		if (strstr(cause, bad[i].msg) == NULL)
			fail_msg("%s: got \"%s\", expected \"...%s\"",
			    bad[i].text, cause, bad[i].msg);
		free(cause);
	}
}

static const char *
env_dir(const char *name)
{
	const char	*d = getenv(name);

	return (d != NULL && *d != '\0' ? d : NULL);
}

static void
test_load_example(void **state)
{
	struct respite_classification	 c;
	struct plugins			*ps;
	struct config			*cf;
	char				*cause, text[1024];
	const char			*pd;

	(void)state;
	if ((pd = env_dir("PLUGIN_DIR")) == NULL)
		skip();
	snprintf(text, sizeof text, "[plugins]\ndir = %s\nload = example\n"
	    "[plugin.example]\nword = Rotten\nseverity = 0.7\n", pd);
	if ((cf = load(text, &cause)) == NULL)
		fail_msg("%s", cause);
	if ((ps = plugins_load(cf, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(plugins_count(ps, RESPITE_PLUGIN_CLASSIFIER), 1);
	assert_int_equal(plugins_count(ps, RESPITE_PLUGIN_SINK), 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(plugins_classify(ps, "a rotten day", 12, "en", &c),
	    1);
	assert_true(c.severity > 0.69 && c.severity < 0.71);
	assert_int_equal(c.categories, RESPITE_CAT_INSULT);
	assert_int_equal(plugins_classify(ps, "a fine day", 10, "en", &c), 1);
	assert_true(c.severity == 0);
	plugins_free(ps);
	config_free(cf);
}

static void
expect_refusal(const char *text, const char *msg)
{
	struct config	*cf;
	char		*cause;

	if ((cf = load(text, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_null(plugins_load(cf, &cause));
	if (strstr(cause, msg) == NULL)
		fail_msg("got \"%s\", expected \"...%s...\"", cause, msg);
	free(cause);
	config_free(cf);
}

static void
test_refusals(void **state)
{
	char		 text[2048], msg[256];
	const char	*pd, *td;

	(void)state;
	if ((pd = env_dir("PLUGIN_DIR")) == NULL ||
	    (td = env_dir("TEST_PLUGIN_DIR")) == NULL)
		skip();
	snprintf(text, sizeof text, "[plugins]\ndir = %s\nload = wrongabi\n",
	    td);
	snprintf(msg, sizeof msg, "plugin wrongabi: %s/wrongabi.so was built "
	    "for plugin ABI version 99, but this respited %s speaks version "
	    "%d", td, PACKAGE_VERSION, RESPITE_PLUGIN_ABI_VERSION);
	expect_refusal(text, msg);

	snprintf(text, sizeof text, "[plugins]\ndir = %s\nload = nosuch\n",
	    pd);
	expect_refusal(text, "plugin nosuch: cannot load");

	snprintf(text, sizeof text, "[plugins]\ndir = %s\nload = example\n"
	    "[plugin.example]\nseverity = lots\n", pd);
	snprintf(msg, sizeof msg, "%s: [plugin.example]: severity: expected a "
	    "number from 0 to 1, got \"lots\"", conf);
	expect_refusal(text, msg);

	snprintf(text, sizeof text, "[plugins]\ndir = %s\nload = example\n"
	    "[plugin.example]\ncolour = red\n", pd);
	expect_refusal(text, "line 5: unknown key \"colour\"");
}

static void
test_classify_event(void **state)
{
	struct respite_event	 ev;
	struct event_batch	 b;
	struct ingest_limits	 lim = { 100, 300000 };
	struct api_error	 err;
	struct plugins		*ps = NULL;
	struct config		*cf = NULL;
	char			*cause, text[1024];
	const char		*pd, *body =
	    "[{\"type\":\"message.received\",\"agent\":\"a\",\"channel\":"
	    "\"chat\",\"text\":\"you rotten thing\"},"
	    "{\"type\":\"message.received\",\"agent\":\"a\",\"channel\":"
	    "\"chat\",\"text\":\"rotten\",\"severity\":0.2,"
	    "\"categories\":[\"threat\"]},"
	    "{\"type\":\"message.received\",\"agent\":\"a\",\"channel\":"
	    "\"chat\",\"text\":\"all good\"},"
	    "{\"type\":\"message.received\",\"agent\":\"a\",\"channel\":"
	    "\"chat\"}]";

	(void)state;
	/* No classifier: the text is dropped all the same. */
	memset(&ev, 0, sizeof ev);
	ev.type = RESPITE_EV_MESSAGE_RECEIVED;
	ev.severity = -1;
	ev.text = "rotten";
	ev.text_len = 6;
	plugins_classify_event(NULL, &ev);
	assert_null(ev.text);
	assert_int_equal(ev.text_len, 0);
	assert_true(ev.severity < 0);

	if ((pd = env_dir("PLUGIN_DIR")) != NULL) {
		snprintf(text, sizeof text, "[plugins]\ndir = %s\n"
		    "load = example\n", pd);
		if ((cf = load(text, &cause)) == NULL)
			fail_msg("%s", cause);
		if ((ps = plugins_load(cf, &cause)) == NULL)
			fail_msg("%s", cause);
	}
	assert_int_equal(ingest_parse(body, strlen(body), 0, &lim, 1000, &b,
	    &err), 0);
	plugins_classify_batch(ps, &b);
	assert_null(b.keep);
	assert_int_equal(b.n, 4);
	for (size_t i = 0; i < b.n; i++) {
		assert_null(b.ev[i].text);
		assert_int_equal(b.ev[i].text_len, 0);
	}
	if (ps != NULL) {
		assert_true(b.ev[0].severity > 0.89);
		assert_int_equal(b.ev[0].categories, RESPITE_CAT_INSULT);
		/* The sender's severity wins; its categories stay. */
		assert_true(b.ev[1].severity > 0.19 && b.ev[1].severity < 0.21);
		assert_int_equal(b.ev[1].categories, RESPITE_CAT_THREAT);
		assert_true(b.ev[2].severity == 0);
		/* No text, nothing to judge. */
		assert_true(b.ev[3].severity < 0);
	}
	event_batch_free(&b);
	plugins_free(ps);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_sections),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_load_example),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_classify_event),
	};

	return (cmocka_run_group_tests_name("plugins", tests, setup,
	    teardown));
}
