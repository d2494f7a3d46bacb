/*
 * Unit tests for daemon/notify/ntext.c: the words of respite-notify's
 * popups.  Each reason respited writes (daemon/advise.c) is said in
 * plain words; anything else is shown as a sentence; the body of a
 * server without actions says how to answer with respitectl; markup is
 * escaped.
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
	};

	return (cmocka_run_group_tests_name("ntext", tests, NULL, NULL));
}
