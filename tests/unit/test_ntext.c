/*
 * Unit tests for daemon/notify/ntext.c: the words of respite-notify's
 * popups.  Each reason respited writes (daemon/advise.c) is said in
 * plain words; anything else is shown as a sentence; the body of a
 * server without actions says how to answer with respitectl; markup is
 * escaped; the same in German, and which language a locale or a
 * [notify] lang value means.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "notify/ntext.h"

static void
plain_is(const char *kind, const char *reason, const char *want)
{
	char	buf[NTEXT_MAX];

	ntext_plain_reason(buf, sizeof buf, kind, reason);
	assert_string_equal(buf, want);
}

static void
test_summary(void **state)
{
	char	buf[NTEXT_MAX];

	(void)state;
	ntext_summary(buf, sizeof buf, 5);
	assert_string_equal(buf, "Time for a 5-minute break");
	ntext_summary(buf, sizeof buf, 1);
	assert_string_equal(buf, "Time for a 1-minute break");
	ntext_summary(buf, sizeof buf, 0);
	assert_string_equal(buf, "Time for a break");
}

static void
test_reasons(void **state)
{
	(void)state;
	plain_is("micro_break", "50 minutes of work without a break",
	    "You have been working for 50 minutes without a break.");
	plain_is("rest_break", "110 minutes of work without a break",
	    "You have been working for 1 hour 50 minutes without a break.");
	plain_is("rest_break", "120 minutes of work without a break",
	    "You have been working for 2 hours without a break.");
	plain_is("rest_break", "worked 5h30 today with 10 minutes of breaks",
	    "You have worked 5 hours 30 minutes today, with only 10 minutes "
	    "of breaks.");
	plain_is("rest_break", "worked 6h00 today with 0 minutes of breaks",
	    "You have worked 6 hours today without a break.");
	plain_is("recovery_break", "a hostile message of severity 0.90 (1 in "
	    "the last hour, exposure 0.9)",
	    "A customer was hostile to you just now.");
	plain_is("recovery_break", "a hostile message of severity 0.85 (3 in "
	    "the last hour, exposure 2.1)",
	    "A customer was hostile to you just now, the 3rd time in the "
	    "last hour.");
	plain_is("recovery_break", "a hostile message of severity 0.85 (12 "
	    "in the last hour, exposure 4.0)",
	    "A customer was hostile to you just now, the 12th time in the "
	    "last hour.");
	plain_is("recovery_break", "4 hostile messages in the last hour "
	    "(exposure 1.8)",
	    "You have had 4 hostile messages in the last hour.");
	/* Unknown shapes: the reason itself, as a sentence. */
	plain_is("micro_break", "something new", "Something new.");
	plain_is("micro_break", "Already a sentence!", "Already a sentence!");
	plain_is("micro_break", "50 minutes of work without a break, and "
	    "more", "50 minutes of work without a break, and more.");
	plain_is("micro_break", "", "respite suggests a break.");
}

static void
test_body(void **state)
{
	char	buf[NTEXT_MAX];

	(void)state;
	ntext_body(buf, sizeof buf, "micro_break",
	    "50 minutes of work without a break", "s-000001", 1, 1);
	assert_string_equal(buf, "You have been working for 50 minutes "
	    "without a break. A short pause now keeps you fresh.");
	ntext_body(buf, sizeof buf, "recovery_break", "x", "s-000002", 0, 1);
	assert_string_equal(buf, "X. Take a moment for yourself before the "
	    "next contact.\nTo answer, run: respitectl accept s-000002 (start "
	    "the break), respitectl snooze s-000002 (10 minutes later) or "
	    "respitectl dismiss s-000002.");
	/* After the second snooze there is no snooze to offer. */
	ntext_body(buf, sizeof buf, "rest_break", "x", "s-000003", 0, 0);
	assert_string_equal(buf, "X. A proper break is due.\nTo answer, run: "
	    "respitectl accept s-000003 (start the break) or respitectl "
	    "dismiss s-000003.");
	/* A small buffer cuts, never overflows. */
	ntext_body(buf, 16, "rest_break", "x", "s-000003", 0, 0);
	assert_int_equal(strlen(buf), 15);
}

static void
test_markup(void **state)
{
	char	buf[64];

	(void)state;
	ntext_escape_markup(buf, sizeof buf, "a<b> & c");
	assert_string_equal(buf, "a&lt;b&gt; &amp; c");
	ntext_escape_markup(buf, 8, "&&&&");
	assert_string_equal(buf, "&amp;");
}

static void
test_countdown_and_level(void **state)
{
	char	s[NTEXT_MAX], b[NTEXT_MAX];

	(void)state;
	ntext_countdown(s, sizeof s, 5);
	assert_string_equal(s, "On a break: 5 minutes left");
	ntext_countdown(s, sizeof s, 1);
	assert_string_equal(s, "On a break: 1 minute left");
	ntext_level(s, sizeof s, b, sizeof b, "high", 71);
	assert_string_equal(s, "Your strain is high");
	assert_non_null(strstr(b, "71 of 100"));
}

/* A wellbeing_check: its own question, each reason a line, no break. */
static void
test_wellbeing(void **state)
{
	char	s[NTEXT_MAX], b[NTEXT_MAX];

	(void)state;
	ntext_wellbeing(s, sizeof s, b, sizeof b, "7 of the last 7 days with "
	    "10+ hours worked (usual: 0); 21 hostile messages in the last 7 "
	    "days (usual: 0)", "s-000042", 1);
	assert_string_equal(s, "How are your weeks going?");
	assert_string_equal(b, "Your last days looked heavier than usual for "
	    "you:\n- 7 of the last 7 days with 10+ hours worked (usual: 0)"
	    "\n- 21 hostile messages in the last 7 days (usual: 0)"
	    "\nIf work has felt heavy, plan some rest, and talk to your lead "
	    "or someone you trust.");
	assert_null(strstr(b, "break"));
	assert_null(strstr(b, "respitectl"));
	/* Without buttons: how to close it; an empty reason: no lines. */
	ntext_wellbeing(s, sizeof s, b, sizeof b, "", "s-000042", 0);
	assert_null(strstr(b, "\n- "));
	assert_non_null(strstr(b, "respitectl accept s-000042"));
	/* Cut to the buffer, still a string. */
	ntext_wellbeing(s, sizeof s, b, 40, "a; b; c", "s-1", 1);
	assert_true(strlen(b) < 40);
}

/* German: the locale's choice, and every text of a popup. */
static void
test_german(void **state)
{
	char	buf[NTEXT_MAX], sum[NTEXT_MAX];

	(void)state;
	assert_int_equal(ntext_lang_parse("de"), NTEXT_DE);
	assert_int_equal(ntext_lang_parse("de_AT.UTF-8"), NTEXT_DE);
	assert_int_equal(ntext_lang_parse("DE-ch"), NTEXT_DE);
	assert_int_equal(ntext_lang_parse("en_GB.UTF-8"), NTEXT_EN);
	assert_int_equal(ntext_lang_parse("C.UTF-8"), NTEXT_EN);
	assert_int_equal(ntext_lang_parse("POSIX"), NTEXT_EN);
	assert_int_equal(ntext_lang_parse("dexter"), -1);
	assert_int_equal(ntext_lang_parse("fr_FR.UTF-8"), -1);
	assert_int_equal(ntext_lang_parse(""), -1);
	assert_int_equal(ntext_lang_parse(NULL), -1);
	/* LC_ALL, then LC_MESSAGES, then LANG; unknown is English. */
	assert_int_equal(ntext_lang_from_env(NULL, NULL, "de_DE.UTF-8"),
	    NTEXT_DE);
	assert_int_equal(ntext_lang_from_env("", "de_DE", "en_US"), NTEXT_DE);
	assert_int_equal(ntext_lang_from_env("C", "de_DE", "de_DE"), NTEXT_EN);
	assert_int_equal(ntext_lang_from_env(NULL, NULL, "fr_FR"), NTEXT_EN);
	assert_int_equal(ntext_lang_from_env(NULL, NULL, NULL), NTEXT_EN);

	ntext_set_lang(NTEXT_DE);
	assert_int_equal(ntext_get_lang(), NTEXT_DE);
	assert_string_equal(ntext_label(NL_START), "Pause starten");
	assert_string_equal(ntext_label(NL_SNOOZE), "10 Min. später");
	assert_string_equal(ntext_label(NL_DISMISS), "Verwerfen");
	assert_string_equal(ntext_label(NL_END_BREAK), "Pause jetzt beenden");
	ntext_summary(buf, sizeof buf, 5);
	assert_string_equal(buf, "Zeit für eine Pause von 5 Minuten");
	ntext_summary(buf, sizeof buf, 0);
	assert_string_equal(buf, "Zeit für eine Pause");
	plain_is("micro_break", "110 minutes of work without a break",
	    "Sie arbeiten seit 1 Stunde 50 Minuten ohne Pause.");
	plain_is("rest_break", "worked 6h05 today with 0 minutes of breaks",
	    "Sie haben heute 6 Stunden 5 Minuten ohne Pause gearbeitet.");
	plain_is("rest_break", "worked 7h00 today with 1 minutes of breaks",
	    "Sie haben heute 7 Stunden gearbeitet, mit nur 1 Minute Pause.");
	plain_is("recovery_break", "a hostile message of severity 0.90 (1 in "
	    "the last hour, exposure 0.9)",
	    "Jemand war gerade feindselig zu Ihnen.");
	plain_is("recovery_break", "a hostile message of severity 0.90 (3 in "
	    "the last hour, exposure 2.1)",
	    "Jemand war gerade feindselig zu Ihnen, zum 3. Mal in der letzten "
	    "Stunde.");
	plain_is("recovery_break", "4 hostile messages in the last hour "
	    "(exposure 2.5)",
	    "Sie hatten in der letzten Stunde 4 feindselige Nachrichten.");
	plain_is("micro_break", NULL, "respite schlägt eine Pause vor.");
	/* A reason not known stays respited's. */
	plain_is("micro_break", "a new rule", "A new rule.");
	ntext_body(buf, sizeof buf, "recovery_break", "a hostile message of "
	    "severity 0.90 (1 in the last hour, exposure 0.9)", "s-000007",
	    0, 1);
	assert_string_equal(buf, "Jemand war gerade feindselig zu Ihnen. "
	    "Nehmen Sie sich vor dem nächsten Kontakt einen Moment für sich."
	    "\nZum Antworten: respitectl accept s-000007 (Pause starten), "
	    "respitectl snooze s-000007 (10 Minuten später) oder respitectl "
	    "dismiss s-000007.");
	ntext_countdown(buf, sizeof buf, 4);
	assert_string_equal(buf, "In der Pause: noch 4 Minuten");
	ntext_countdown_body(buf, sizeof buf, "10:35");
	assert_string_equal(buf, "Zurück um 10:35. Bis dahin meldet sich "
	    "respite nicht.");
	ntext_welcome(sum, sizeof sum, buf, sizeof buf, 15);
	assert_string_equal(sum, "Willkommen zurück");
	assert_string_equal(buf, "Ihre Pause von 15 Minuten ist vorbei.");
	ntext_level(sum, sizeof sum, buf, sizeof buf, "high", 72);
	assert_string_equal(sum, "Ihre Belastung ist hoch");
	assert_string_equal(buf, "Ihr Belastungswert ist 72 von 100. Teilen "
	    "Sie sich Ihre Kräfte ein; respite schlägt eine Pause vor, wenn "
	    "eine hilft.");
	ntext_wellbeing(sum, sizeof sum, buf, sizeof buf, "a; b", "s-000009",
	    0);
	assert_string_equal(sum, "Wie geht es Ihnen in diesen Wochen?");
	assert_string_equal(buf, "Ihre letzten Tage waren schwerer als sonst "
	    "für Sie:\n- a\n- b\nWenn die Arbeit schwer war, planen Sie "
	    "Erholung ein und sprechen Sie mit Ihrer Teamleitung oder jemandem, "
	    "dem Sie vertrauen.\nZum Schließen: respitectl accept s-000009.");

	ntext_set_lang(NTEXT_EN);
	assert_string_equal(ntext_label(NL_START), "Start break");
	ntext_welcome(sum, sizeof sum, buf, sizeof buf, 5);
	assert_string_equal(sum, "Welcome back");
	assert_string_equal(buf, "Your 5-minute break is over.");
	ntext_countdown_body(buf, sizeof buf, NULL);
	assert_string_equal(buf, "Back at the end. Nothing from respite will "
	    "pop up until then.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_countdown_and_level),
		cmocka_unit_test(test_wellbeing),
		cmocka_unit_test(test_german),
	};

	return (cmocka_run_group_tests_name("ntext", tests, NULL, NULL));
}
