/*
 * Unit tests for daemon/notify/week.c: respite-notify --summary, the
 * agent's own week from the replies of /days and /trend: the last 7
 * days up to the reply's "to" (older days left out), their sums, today
 * marked as so far, and the trend with its reasons or why there is none;
 * the same in German, each known trend signal said from its figures.
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
#include <jansson.h>

#include "notify/week.h"

static char *
print_in(const char *days, const char *trend, int *n, enum ntext_lang lang)
{
	json_t	*d = json_loads(days, 0, NULL), *t = NULL;
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	assert_non_null(d);
	if (trend != NULL)
		assert_non_null(t = json_loads(trend, 0, NULL));
	*n = week_print(f, "alice", d, t, lang);
	fclose(f);
	json_decref(d);
	json_decref(t);
	return (buf);
}

static char *
print(const char *days, const char *trend, int *n)
{
	return (print_in(days, trend, n, NTEXT_EN));
}

#define DAY(date, w, h, x, final) "{\"date\": \"" date "\", \"worked_min\": " \
	#w ", \"break_min\": 30, \"high_min\": " #h ", \"hostile\": " #x \
	", \"suggestions\": {\"raised\": 4, \"accepted\": 1}, \"final\": " \
	final "}"

static void
test_week(void **state)
{
	char	*out;
	int	 n;

	(void)state;
	out = print("{\"agent\": \"alice\", \"tz\": \"Europe/Berlin\", "
	    "\"from\": \"2026-11-09\", \"to\": \"2026-12-06\", \"days\": ["
	    DAY("2026-11-29", 600, 0, 9, "true") ","	/* 8 days back */
	    DAY("2026-12-01", 452, 35, 3, "true") ","
	    DAY("2026-12-04", 615, 40, 2, "true") ","
	    DAY("2026-12-06", 90, 0, 0, "false") "]}",
	    "{\"agent\": \"alice\", \"window_days\": 7, \"baseline_days\": 28, "
	    "\"risk\": \"elevated\", \"signals\": [{\"name\": \"long_days\", "
	    "\"value\": 1, \"baseline\": 0, \"reason\": \"1 of the last 7 "
	    "days with 10+ hours worked (usual: 0)\"}]}", &n);
	assert_int_equal(n, 3);
	assert_non_null(strstr(out, "Your week, alice (Europe/Berlin), the "
	    "last 7 days up to 2026-12-06:"));
	assert_null(strstr(out, "2026-11-29"));
	assert_non_null(strstr(out, "Tue 2026-12-01"));
	assert_non_null(strstr(out, "Fri 2026-12-04"));
	assert_non_null(strstr(out, "Sun 2026-12-06"));
	assert_non_null(strstr(out, "7:32"));
	assert_non_null(strstr(out, "(today, so far)"));
	/* Together: 452 + 615 + 90 = 1157 min, 75 min high, 5 hostile. */
	assert_non_null(strstr(out, "together"));
	assert_non_null(strstr(out, "19:17"));
	assert_non_null(strstr(out, "75 min"));
	assert_non_null(strstr(out, "3 of 12"));
	assert_non_null(strstr(out, ": elevated\n"));
	assert_non_null(strstr(out, "  - 1 of the last 7 days with 10+ hours "
	    "worked (usual: 0)\n"));
	free(out);

	out = print("{\"tz\": \"UTC\", \"to\": \"2026-12-06\", \"days\": []}",
	    "{\"window_days\": 7, \"baseline_days\": 3, \"risk\": \"ok\", "
	    "\"signals\": []}", &n);
	assert_int_equal(n, 0);
	assert_non_null(strstr(out, "No working days recorded"));
	assert_non_null(strstr(out, "Not enough history for a trend yet (3 "
	    "of the 7"));
	free(out);
}

/* [notify] lang = de: the same week in German. */
static void
test_week_german(void **state)
{
	char	*out;
	int	 n;

	(void)state;
	out = print_in("{\"agent\": \"alice\", \"tz\": \"Europe/Berlin\", "
	    "\"to\": \"2026-12-06\", \"days\": ["
	    DAY("2026-12-01", 452, 35, 3, "true") ","
	    DAY("2026-12-06", 90, 0, 0, "false") "]}",
	    "{\"window_days\": 7, \"baseline_days\": 28, \"risk\": \"high\", "
	    "\"signals\": [{\"name\": \"hostile_exposure\", \"value\": 14, "
	    "\"baseline\": 2.5, \"reason\": \"14 hostile messages\"}, "
	    "{\"name\": \"breaks_skipped\", \"value\": 80, \"baseline\": 20, "
	    "\"reason\": \"80 %\"}, {\"name\": \"new_signal\", \"value\": 1, "
	    "\"baseline\": 0, \"reason\": \"something new\"}]}", &n, NTEXT_DE);
	assert_int_equal(n, 2);
	assert_non_null(strstr(out, "Ihre Woche, alice (Europe/Berlin), die "
	    "letzten 7 Tage bis 2026-12-06:"));
	assert_non_null(strstr(out, "Di 2026-12-01"));
	assert_non_null(strstr(out, "So 2026-12-06"));
	assert_non_null(strstr(out, "(heute, bisher)"));
	assert_non_null(strstr(out, "zusammen"));
	assert_non_null(strstr(out, "2 von 8"));
	assert_non_null(strstr(out, "(2 Arbeitstage;"));
	assert_non_null(strstr(out, ": hoch\n"));
	assert_non_null(strstr(out, "  - 14 feindselige Nachrichten in den "
	    "letzten 7 Tagen (üblich: 2,5)\n"));
	assert_non_null(strstr(out, "  - 80 % der Pausenvorschläge der "
	    "letzten 7 Tage abgelehnt oder verfallen (üblich: 20 %)\n"));
	/* A signal it does not know: the API's reason. */
	assert_non_null(strstr(out, "  - something new\n"));
	assert_null(strstr(out, "Your week"));
	assert_null(strstr(out, "hostile messages"));
	free(out);

	out = print_in("{\"tz\": \"UTC\", \"to\": \"2026-12-06\", "
	    "\"days\": []}", "{\"window_days\": 7, \"baseline_days\": 28, "
	    "\"risk\": \"ok\", \"signals\": []}", &n, NTEXT_DE);
	assert_non_null(strstr(out, "keine Arbeit verzeichnet"));
	assert_non_null(strstr(out, ": unauffällig\n"));
	assert_non_null(strstr(out, "Nichts Außergewöhnliches."));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_week),
		cmocka_unit_test(test_week_german),
	};

	return (cmocka_run_group_tests_name("week", tests, NULL, NULL));
}
