/*
 * Unit tests for daemon/query.c, the range-checked numbers of every
 * query string (issue 13, item 1), and api_history_window():
 *
 *   - integers: digits only (a '-' only where the range allows it),
 *     every value of int64_t read exactly, one more is refused, never
 *     wrapped; the range is inclusive at both ends;
 *   - times: RFC 3339 or epoch ms, 1970 to the end of 9999;
 *   - parameters: absent (0, value unchanged), given (1), malformed or
 *     out of range (-1, value unchanged);
 *   - the history window: defaults, bounds and the field of each error.
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

#include "api.h"
#include "query.h"

#define T0	1772445600000LL		/* 2026-03-02T10:00:00Z */

static int64_t
int_ok(const char *s, int64_t min, int64_t max)
{
	int64_t	v = 12345;

	assert_int_equal(query_parse_int(s, min, max, &v), 0);
	return (v);
}

static void
int_bad(const char *s, int64_t min, int64_t max)
{
	int64_t	v = 12345;

	assert_int_equal(query_parse_int(s, min, max, &v), -1);
	assert_int_equal(v, 12345);
}

static void
test_parse_int(void **state)
{
	(void)state;
	assert_int_equal(int_ok("0", 0, 10), 0);
	assert_int_equal(int_ok("10", 0, 10), 10);
	assert_int_equal(int_ok("007", 0, 10), 7);
	assert_int_equal(int_ok("0000000000000000000000000000060", 0, 100),
	    60);
	assert_int_equal(int_ok("9223372036854775807", 0, INT64_MAX),
	    INT64_MAX);
	assert_int_equal(int_ok("-9223372036854775808", INT64_MIN, 0),
	    INT64_MIN);
	assert_int_equal(int_ok("-5", -10, 10), -5);
	assert_int_equal(int_ok("-0", -10, 10), 0);

	int_bad("11", 0, 10);
	int_bad("-1", 0, 10);		/* no '-' where min >= 0 */
	int_bad("-5", -4, 10);
	int_bad("9223372036854775808", 0, INT64_MAX);
	int_bad("-9223372036854775809", INT64_MIN, 0);
	int_bad("18446744073709551616", 0, INT64_MAX);	/* 2^64 wraps to 0 */
	int_bad("18446744073709551617", 0, INT64_MAX);
	int_bad("99999999999999999999999999", 0, INT64_MAX);
	int_bad("", 0, 10);
	int_bad("-", -10, 10);
	int_bad("+5", 0, 10);
	int_bad(" 5", 0, 10);
	int_bad("5 ", 0, 10);
	int_bad("0x5", 0, 10);
	int_bad("5.0", 0, 10);
	int_bad("1e3", 0, 10000);
	int_bad("--5", -10, 10);
	int_bad("5-", -10, 10);
}

static void
test_parse_time(void **state)
{
	int64_t	v = 1;

	(void)state;
	assert_int_equal(query_parse_time("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(query_parse_time("1970-01-01T00:00:00Z", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(query_parse_time("2026-03-02T10:00:00Z", &v), 0);
	assert_int_equal(v, T0);
	assert_int_equal(query_parse_time("1772445600000", &v), 0);
	assert_int_equal(v, T0);
	assert_int_equal(query_parse_time("9999-12-31T23:59:59.999Z", &v), 0);
	assert_int_equal(v, QUERY_TIME_MAX_MS);
	assert_int_equal(query_parse_time("253402300799999", &v), 0);
	assert_int_equal(v, QUERY_TIME_MAX_MS);

	v = 1;
	assert_int_equal(query_parse_time("253402300800000", &v), -1);
	assert_int_equal(query_parse_time("9223372036854775807", &v), -1);
	assert_int_equal(query_parse_time("-1", &v), -1);
	assert_int_equal(query_parse_time("1969-12-31T23:59:59.999Z", &v), -1);
	assert_int_equal(query_parse_time("0000-01-01T00:00:00Z", &v), -1);
	assert_int_equal(query_parse_time("1970-01-01T00:30:00+01:00", &v),
	    -1);
	assert_int_equal(query_parse_time("9999-12-31T23:59:59-01:00", &v),
	    -1);
	assert_int_equal(query_parse_time("yesterday", &v), -1);
	assert_int_equal(query_parse_time("", &v), -1);
	assert_int_equal(v, 1);
}

static void
test_params(void **state)
{
	int64_t	v = 7;

	(void)state;
	assert_int_equal(query_int("a=1&limit=50", "limit", 1, 100, &v), 1);
	assert_int_equal(v, 50);
	v = 7;
	assert_int_equal(query_int("a=1", "limit", 1, 100, &v), 0);
	assert_int_equal(query_int("", "limit", 1, 100, &v), 0);
	assert_int_equal(query_int("limits=5", "limit", 1, 100, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(query_int("limit=101", "limit", 1, 100, &v), -1);
	assert_int_equal(query_int("limit=", "limit", 1, 100, &v), -1);
	assert_int_equal(query_int("limit", "limit", 1, 100, &v), -1);
	assert_int_equal(query_int("limit=%35", "limit", 1, 100, &v), 1);
	assert_int_equal(v, 5);
	v = 7;
	assert_int_equal(query_int("limit=%2B5", "limit", 1, 100, &v), -1);
	assert_int_equal(query_int("limit=+5", "limit", 1, 100, &v), -1);
	assert_int_equal(query_int("limit=%zz", "limit", 1, 100, &v), -1);
	/* Longer than any number: refused, not cut. */
	assert_int_equal(query_int("limit=1000000000000000000000000000000000"
	    "000000000000000000000000000000000000000000000000001", "limit", 0,
	    INT64_MAX, &v), -1);
	assert_int_equal(v, 7);

	assert_int_equal(query_time("since=2026-03-02T10:00:00Z", "since", &v),
	    1);
	assert_int_equal(v, T0);
	assert_int_equal(query_time("since=2026-03-02T10:00:00%2B00:00",
	    "since", &v), 1);
	assert_int_equal(v, T0);
	v = 7;
	assert_int_equal(query_time("since=-1", "since", &v), -1);
	assert_int_equal(query_time("x=1", "since", &v), 0);
	assert_int_equal(v, 7);
}

/* api_history_window() of query at T0: 0 with the window, or the field. */
static const char *
window(const char *query, int64_t *from, int64_t *to, int64_t *step)
{
	static struct api_error	err;

	memset(&err, 0, sizeof err);
	if (api_history_window(query, T0, from, to, step, &err) == 0)
		return (NULL);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.code, "invalid_request");
	return (err.field);
}

static void
test_history_window(void **state)
{
	int64_t	from, to, step;
	char	q[256];

	(void)state;
	assert_null(window("", &from, &to, &step));
	assert_int_equal(to, T0);
	assert_int_equal(from, T0 - 8 * 3600000LL);
	assert_int_equal(step, 900);

	assert_null(window("to=3600000&step=60", &from, &to, &step));
	assert_int_equal(from, 0);		/* not before 1970 */
	assert_int_equal(to, 3600000);

	assert_string_equal(window("step=9223372036854775807", &from, &to,
	    &step), "step");
	assert_string_equal(window("to=9223372036854775807&step=60", &from,
	    &to, &step), "to");
	assert_string_equal(window("from=9223372036854775807", &from, &to,
	    &step), "from");
	assert_string_equal(window("from=-1", &from, &to, &step), "from");
	assert_string_equal(window("to=0", &from, &to, &step), "to");
	assert_string_equal(window("step=59", &from, &to, &step), "step");
	assert_string_equal(window("step=86401", &from, &to, &step), "step");
	assert_string_equal(window("step=-60", &from, &to, &step), "step");

	/* 2000 buckets pass, 2001 do not; 31 days pass, a ms more not. */
	snprintf(q, sizeof q, "from=%lld&to=%lld&step=60", (long long)T0,
	    (long long)(T0 + 2000 * 60000LL));
	assert_null(window(q, &from, &to, &step));
	snprintf(q, sizeof q, "from=%lld&to=%lld&step=60", (long long)T0,
	    (long long)(T0 + 2001 * 60000LL));
	assert_string_equal(window(q, &from, &to, &step), "step");
	snprintf(q, sizeof q, "from=%lld&to=%lld&step=86400", (long long)T0,
	    (long long)(T0 + 31 * 86400000LL));
	assert_null(window(q, &from, &to, &step));
	snprintf(q, sizeof q, "from=%lld&to=%lld&step=86400", (long long)T0,
	    (long long)(T0 + 31 * 86400000LL + 1));
	assert_string_equal(window(q, &from, &to, &step), "from");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_history_window),
	};

	return (cmocka_run_group_tests_name("query", tests, NULL, NULL));
}
