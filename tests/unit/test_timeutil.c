/*
 * Unit tests for daemon/common/timeutil.c: RFC 3339 parsing and formatting,
 * time zone name validation and the start of an agent's local day.
 *
 * Expected epoch values were computed independently (Python's datetime
 * and zoneinfo) and are written out as constants.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"

/* 2026-11-22T10:15:00Z */
#define T_NOV22		1795342500000LL

static int64_t
parse_ok(const char *s)
{
	int64_t	ms = INT64_MIN;

	if (time_parse_rfc3339(s, &ms) != 0)
		fail_msg("\"%s\" was refused", s);
	return (ms);
}

static void
parse_bad(const char *s)
{
	int64_t	ms = 42;

	if (time_parse_rfc3339(s, &ms) != -1)
		fail_msg("\"%s\" was accepted", s);
	assert_int_equal(ms, 42);	/* untouched on error */
}

static void
test_parse_utc(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-22T10:15:00Z"), T_NOV22);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1000);
	assert_int_equal(parse_ok("2000-02-29T12:00:00Z"), 951825600000LL);
	assert_int_equal(parse_ok("2026-12-31T23:59:59Z"), 1798761599000LL);
	/* RFC 3339 5.6 allows a space for the T separator. */
	assert_int_equal(parse_ok("2026-11-22 10:15:00Z"), T_NOV22);
}

static void
test_parse_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-22T10:15:00+01:00"),
	    T_NOV22 - 3600000LL);
	assert_int_equal(parse_ok("2026-11-22T10:15:00-05:30"),
	    T_NOV22 + 5 * 3600000LL + 30 * 60000LL);
	assert_int_equal(parse_ok("2026-11-22T10:15:00+00:00"), T_NOV22);
	assert_int_equal(parse_ok("2026-11-22T10:15:00-00:00"), T_NOV22);
	assert_int_equal(parse_ok("2026-11-22T11:15:00+01:00"), T_NOV22);
	/* An offset can move the instant across a day boundary. */
	assert_int_equal(parse_ok("2026-11-23T00:15:00+14:00"), T_NOV22);
	assert_int_equal(parse_ok("2026-11-21T22:15:00-12:00"), T_NOV22);
}

static void
test_parse_fractions(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-22T10:15:00.5Z"), T_NOV22 + 500);
	assert_int_equal(parse_ok("2026-11-22T10:15:00.05Z"), T_NOV22 + 50);
	assert_int_equal(parse_ok("2026-11-22T10:15:00.250Z"), T_NOV22 + 250);
	/* Beyond milliseconds the fraction is truncated, not rounded. */
	assert_int_equal(parse_ok("2026-11-22T10:15:00.123456Z"),
	    T_NOV22 + 123);
	assert_int_equal(parse_ok("2026-11-22T10:15:00.999999999Z"),
	    T_NOV22 + 999);
	assert_int_equal(parse_ok("2026-11-22T11:15:00.5+01:00"),
	    T_NOV22 + 500);
	parse_bad("2026-11-22T10:15:00.Z");
	parse_bad("2026-11-22T10:15:00.+01:00");
	parse_bad("2026-11-22T10:15:00,5Z");
}

static void
test_parse_lowercase(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-22t10:15:00z"), T_NOV22);
	assert_int_equal(parse_ok("2026-11-22t10:15:00Z"), T_NOV22);
	assert_int_equal(parse_ok("2026-11-22T10:15:00z"), T_NOV22);
	parse_bad("2026-11-22x10:15:00Z");
}

static void
test_parse_invalid_dates(void **state)
{
	(void)state;
	parse_bad("2026-02-30T00:00:00Z");
	parse_bad("2026-02-29T00:00:00Z");
	parse_bad("2026-13-01T00:00:00Z");
	parse_bad("2026-00-10T00:00:00Z");
	parse_bad("2026-01-00T00:00:00Z");
	parse_bad("2026-01-32T00:00:00Z");
	parse_bad("2026-04-31T00:00:00Z");
	parse_bad("2026-06-31T00:00:00Z");
	parse_bad("2026-09-31T00:00:00Z");
	parse_bad("2026-11-31T00:00:00Z");
	parse_bad("2026-11-22T24:00:00Z");
	parse_bad("2026-11-22T23:60:00Z");
	parse_bad("2026-11-22T23:59:61Z");
	parse_bad("2026-11-22T10:15:00+24:00");
	parse_bad("2026-11-22T10:15:00+01:60");
	/* Day-of-month limits that do hold. */
	assert_int_equal(parse_ok("2026-04-30T00:00:00Z"), 1777507200000LL);
	assert_int_equal(parse_ok("2026-01-31T00:00:00Z"), 1769817600000LL);
}

static void
test_parse_leap_years(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), 1709164800000LL);
	assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400000LL);
	assert_int_equal(parse_ok("2028-02-29T23:59:59Z"), 1835481599000LL);
	parse_bad("2026-02-29T00:00:00Z");
	parse_bad("1900-02-29T00:00:00Z");	/* divisible by 100 */
	parse_bad("2100-02-29T00:00:00Z");
	/* The day after Feb 28 in a common year is Mar 1. */
	assert_int_equal(parse_ok("2026-03-01T00:00:00Z") -
	    parse_ok("2026-02-28T00:00:00Z"), 86400000LL);
	assert_int_equal(parse_ok("2024-03-01T00:00:00Z") -
	    parse_ok("2024-02-28T00:00:00Z"), 2 * 86400000LL);
}

static void
test_parse_leap_second(void **state)
{
	(void)state;
	/* 23:59:60 is taken as the last millisecond of 23:59:59. */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z"),
	    1483228799000LL + 999);
}

static void
test_parse_missing_zone_and_garbage(void **state)
{
	(void)state;
	parse_bad("2026-11-22T10:15:00");
	parse_bad("2026-11-22T10:15:00.5");
	parse_bad("2026-11-22");
	parse_bad("2026-11-22T10:15Z");
	parse_bad("2026-11-22T10:15:00+0100");
	parse_bad("2026-11-22T10:15:00+01");
	parse_bad("2026-11-22T10:15:00 Z");
	parse_bad("2026-11-22T10:15:00Z ");
	parse_bad(" 2026-11-22T10:15:00Z");
	parse_bad("2026-11-22T10:15:00ZZ");
	parse_bad("2026-11-22T10:15:00UTC");
	parse_bad("26-11-22T10:15:00Z");
	parse_bad("2026-1-22T10:15:00Z");
	parse_bad("2026/11/22T10:15:00Z");
	parse_bad("+2026-11-22T10:15:00Z");
	parse_bad("");
	parse_bad("now");
	parse_bad("1795342500000");
	parse_bad("garbage");
}

static void
test_format(void **state)
{
	char	buf[TIME_RFC3339_LEN];

	(void)state;
	assert_string_equal(time_format_rfc3339(0, buf, sizeof buf),
	    "1970-01-01T00:00:00Z");
	assert_string_equal(time_format_rfc3339(T_NOV22, buf, sizeof buf),
	    "2026-11-22T10:15:00Z");
	assert_string_equal(time_format_rfc3339(T_NOV22 + 250, buf,
	    sizeof buf), "2026-11-22T10:15:00.250Z");
	assert_string_equal(time_format_rfc3339(T_NOV22 + 5, buf,
	    sizeof buf), "2026-11-22T10:15:00.005Z");
	assert_string_equal(time_format_rfc3339(-1, buf, sizeof buf),
	    "1969-12-31T23:59:59.999Z");
	assert_string_equal(time_format_rfc3339(-1000, buf, sizeof buf),
	    "1969-12-31T23:59:59Z");
	assert_string_equal(time_format_rfc3339(1709164800000LL, buf,
	    sizeof buf), "2024-02-29T00:00:00Z");
	/* It returns the buffer it was given. */
	assert_ptr_equal(time_format_rfc3339(0, buf, sizeof buf), buf);
}

static void
test_format_round_trip(void **state)
{
	static const int64_t	 v[] = { 0, 1, 999, 1000, -1, -999, -1001,
	    T_NOV22, T_NOV22 + 1, T_NOV22 + 999, 951782400000LL,
	    1709251199999LL, 4102444800000LL, 253402300799999LL };
	static const char	*s[] = { "2026-11-22T10:15:00Z",
	    "2026-11-22T10:15:00.250Z", "2024-02-29T23:59:59.999Z",
	    "1999-12-31T23:59:59Z" };
	char			 buf[TIME_RFC3339_LEN];
	int64_t			 ms;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		time_format_rfc3339(v[i], buf, sizeof buf);
		if (time_parse_rfc3339(buf, &ms) != 0 || ms != v[i])
			fail_msg("%lld -> \"%s\" did not parse back",
			    (long long)v[i], buf);
	}
	/* Canonical UTC strings come back unchanged. */
	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		time_format_rfc3339(parse_ok(s[i]), buf, sizeof buf);
		assert_string_equal(buf, s[i]);
	}
	/* An offset is normalised to UTC, truncated fractions included. */
	time_format_rfc3339(parse_ok("2026-11-22T11:15:00.1239+01:00"), buf,
	    sizeof buf);
	assert_string_equal(buf, "2026-11-22T10:15:00.123Z");
}

static void
test_zone_valid(void **state)
{
	char	long_name[80];

	(void)state;
	assert_int_equal(time_zone_valid("Europe/Berlin"), 1);
	assert_int_equal(time_zone_valid("America/Los_Angeles"), 1);
	assert_int_equal(time_zone_valid("America/Argentina/Buenos_Aires"), 1);
	assert_int_equal(time_zone_valid("Etc/GMT+5"), 1);
	assert_int_equal(time_zone_valid("Etc/GMT-14"), 1);
	assert_int_equal(time_zone_valid("UTC"), 1);

	assert_int_equal(time_zone_valid(""), 0);
	assert_int_equal(time_zone_valid("Nope/Zone"), 0);
	assert_int_equal(time_zone_valid("../etc/passwd"), 0);
	assert_int_equal(time_zone_valid("Europe/../../../etc/passwd"), 0);
	assert_int_equal(time_zone_valid("/etc/passwd"), 0);
	assert_int_equal(time_zone_valid("/usr/share/zoneinfo/UTC"), 0);
	assert_int_equal(time_zone_valid("Europe"), 0);	/* a directory */
	assert_int_equal(time_zone_valid("Europe/"), 0);
	assert_int_equal(time_zone_valid("Europe//Berlin"), 0);
	assert_int_equal(time_zone_valid("Europe/Berlin "), 0);
	assert_int_equal(time_zone_valid("Europe/Berlin\n"), 0);
	assert_int_equal(time_zone_valid("europe.berlin"), 0);
	assert_int_equal(time_zone_valid("zone.tab"), 0);
	assert_int_equal(time_zone_valid("Europe/Berlin;rm"), 0);
	/* Files of the zone database that are not zones. */
	assert_int_equal(time_zone_valid("leapseconds"), 0);
	assert_int_equal(time_zone_valid("iso3166.tab"), 0);
	assert_int_equal(time_zone_valid("right/Europe/Berlin"), 1);

	memset(long_name, 'A', sizeof long_name);
	long_name[64] = '\0';
	assert_int_equal(time_zone_valid(long_name), 0);
}

/*
 * time_day_start with the default 04:00 start.  Each row: zone, now, the
 * expected start of the local day containing now.
 */
static const struct {
	const char	*tz;
	int64_t		 now, start;
	const char	*what;
} day_cases[] = {
	/* UTC */
	{ "UTC", T_NOV22, 1795320000000LL, "UTC 10:15 -> 04:00 same day" },
	{ "UTC", 1795320000000LL, 1795320000000LL, "UTC exactly 04:00" },
	{ "UTC", 1795320000000LL - 1, 1795233600000LL,
	    "UTC 03:59:59.999 -> previous day" },
	{ NULL, T_NOV22, 1795320000000LL, "NULL means UTC" },
	{ "", T_NOV22, 1795320000000LL, "\"\" means UTC" },
	/* Europe/Berlin in winter (CET, +01:00): 04:00 local is 03:00Z. */
	{ "Europe/Berlin", 1768471200000LL, 1768446000000LL,
	    "Berlin 2026-01-15 11:00 CET" },
	{ "Europe/Berlin", 1768446000000LL - 1, 1768359600000LL,
	    "Berlin 03:59 CET belongs to the previous day" },
	{ "Europe/Berlin", 1768446000000LL, 1768446000000LL,
	    "Berlin exactly 04:00 CET" },
	/* Europe/Berlin in summer (CEST, +02:00): 04:00 local is 02:00Z. */
	{ "Europe/Berlin", 1784109600000LL, 1784080800000LL,
	    "Berlin 2026-07-15 12:00 CEST" },
	{ "Europe/Berlin", 1784080800000LL - 60000, 1783994400000LL,
	    "Berlin 03:59 CEST belongs to the previous day" },
	/* America/Los_Angeles: -08:00 in winter, -07:00 in summer. */
	{ "America/Los_Angeles", 1768471200000LL, 1768392000000LL,
	    "LA 2026-01-15 02:00 PST -> 2026-01-14 04:00 PST" },
	{ "America/Los_Angeles", 1784145600000LL, 1784113200000LL,
	    "LA 2026-07-15 13:00 PDT -> 04:00 PDT" },
	/* Days on which the clocks change. */
	{ "Europe/Berlin", 1774751400000LL, 1774749600000LL,
	    "Berlin 2026-03-29 04:30 CEST (spring forward day)" },
	{ "Europe/Berlin", 1774747800000LL, 1774666800000LL,
	    "Berlin 2026-03-29 03:30 CEST -> 2026-03-28 04:00 CET" },
	{ "Europe/Berlin", 1792899000000LL, 1792897200000LL,
	    "Berlin 2026-10-25 04:30 CET (fall back day)" },
	{ "Europe/Berlin", 1792895400000LL, 1792807200000LL,
	    "Berlin 2026-10-25 03:30 CET -> 2026-10-24 04:00 CEST" },
	/* A zone east of UTC whose local day starts the UTC day before. */
	{ "Asia/Tokyo", 1795320000000LL, 1795287600000LL,
	    "Tokyo 13:00 JST -> 04:00 JST = 19:00Z the day before" },
};

static void
test_day_start(void **state)
{
	size_t	i, k, n = sizeof day_cases / sizeof day_cases[0];
	int64_t	got;

	(void)state;
	/*
	 * Forwards, backwards and forwards again: time_day_start keeps
	 * recent answers, and a remembered day must never answer for a
	 * time outside it or in another zone.
	 */
	for (k = 0; k < 3 * n; k++) {
		i = k / n == 1 ? n - 1 - k % n : k % n;
		got = time_day_start(day_cases[i].tz, day_cases[i].now, 240);
		if (got != day_cases[i].start)
			fail_msg("%s: got %lld, expected %lld (%+lld min)",
			    day_cases[i].what, (long long)got,
			    (long long)day_cases[i].start,
			    (long long)(got - day_cases[i].start) / 60000);
	}
}

static void
test_day_start_long_and_short_days(void **state)
{
	int64_t	t;

	(void)state;
	/*
	 * Berlin's day of 2026-10-24 04:00 CEST (02:00Z) lasts 25 hours,
	 * to 2026-10-25 04:00 CET (03:00Z); that of 2026-03-28 04:00 CET
	 * (03:00Z) lasts 23 hours, to 2026-03-29 04:00 CEST (02:00Z).
	 * Walk both in 10-minute steps.
	 */
	for (t = 1792807200000LL; t < 1792807200000LL + 26 * 3600000LL;
	    t += 600000)
		assert_int_equal(time_day_start("Europe/Berlin", t, 240),
		    t < 1792897200000LL ? 1792807200000LL : 1792897200000LL);
	for (t = 1774666800000LL; t < 1774666800000LL + 24 * 3600000LL;
	    t += 600000)
		assert_int_equal(time_day_start("Europe/Berlin", t, 240),
		    t < 1774749600000LL ? 1774666800000LL : 1774749600000LL);
}

static void
test_day_start_other_offsets(void **state)
{
	(void)state;
	/* Midnight start. */
	assert_int_equal(time_day_start("UTC", T_NOV22, 0), 1795305600000LL);
	assert_int_equal(time_day_start("Europe/Berlin", T_NOV22, 0),
	    1795302000000LL);
	/* 05:30 start: 10:15Z is after it, 05:29Z is before it. */
	assert_int_equal(time_day_start("UTC", T_NOV22, 330),
	    1795325400000LL);
	assert_int_equal(time_day_start("UTC", 1795325400000LL - 60000, 330),
	    1795325400000LL - 86400000LL);
}

static void
test_day_start_restores_tz(void **state)
{
	const char	*saved;
	char		*copy = NULL;

	(void)state;
	if ((saved = getenv("TZ")) != NULL)
		copy = strdup(saved);

	setenv("TZ", "Asia/Tokyo", 1);
	assert_int_equal(time_day_start("Europe/Berlin", T_NOV22, 240),
	    1795316400000LL);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");

	unsetenv("TZ");
	assert_int_equal(time_day_start("America/Los_Angeles", T_NOV22, 240),
	    1795262400000LL);
	assert_null(getenv("TZ"));

	if (copy != NULL) {
		setenv("TZ", copy, 1);
		free(copy);
	}
}

static void
test_now(void **state)
{
	int64_t	a, b;

	(void)state;
	a = time_now_ms();
	b = time_now_ms();
	assert_true(a > 1767225600000LL);	/* after 2026-01-01 */
	assert_true(b >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_utc),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_parse_fractions),
		cmocka_unit_test(test_parse_lowercase),
		cmocka_unit_test(test_parse_invalid_dates),
		cmocka_unit_test(test_parse_leap_years),
		cmocka_unit_test(test_parse_leap_second),
		cmocka_unit_test(test_parse_missing_zone_and_garbage),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_zone_valid),
		cmocka_unit_test(test_day_start),
		cmocka_unit_test(test_day_start_long_and_short_days),
		cmocka_unit_test(test_day_start_other_offsets),
		cmocka_unit_test(test_day_start_restores_tz),
		cmocka_unit_test(test_now),
	};

	return (cmocka_run_group_tests_name("timeutil", tests, NULL, NULL));
}
