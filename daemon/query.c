/*
 * respite - numeric query parameters.
 *
 * Every number a client puts in a query string goes through here: a
 * decimal integer of digits only (an optional '-' where the range allows
 * one; no sign '+', no spaces, no hex), read digit by digit without ever
 * overflowing, then checked against the caller's range.  A time is an
 * RFC 3339 string or epoch milliseconds, from 1970 to the end of 9999.
 * Nothing here can wrap, so no route computes with a value it did not
 * bound (issue 13: step=9223372036854775807 once stalled respited).
 */
#include "build.h"

#include <stdlib.h>

#include "http_parse.h"
#include "query.h"
#include "timeutil.h"

/*
 * Parse s, all of it, as a decimal integer in [min, max] into *out.
 * Returns 0, or -1 (malformed, overflow or out of range; *out unchanged).
 */
int
query_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char	*p = s;
	int64_t		 v = 0;
	int		 neg = 0, n = 0, d;

	if (*p == '-' && min < 0) {
		neg = 1;
		p++;
	}
	if (*p == '\0')
		return (-1);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		d = *p - '0';
		if (v == 0 && d == 0 && n == 0 && p[1] != '\0')
			continue;	/* leading zeros do not count */
		if (++n > QUERY_DIGITS_MAX)
			return (-1);
		/* Accumulate negatively: INT64_MIN has no positive twin. */
		if (v < (INT64_MIN + d) / 10)
			return (-1);
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return (-1);
		v = -v;
	}
	if (v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/*
 * Parse s as an RFC 3339 time or epoch milliseconds, from 1970 to the
 * end of 9999, into *ms.  Returns 0 or -1.
 */
int
query_parse_time(const char *s, int64_t *ms)
{
	int64_t	v;

	if (time_parse_rfc3339(s, &v) == 0) {
		if (v < 0 || v > QUERY_TIME_MAX_MS)
			return (-1);
		*ms = v;
		return (0);
	}
	return (query_parse_int(s, 0, QUERY_TIME_MAX_MS, ms));
}

/*
 * Query parameter name as an integer in [min, max].  Returns 1 with *out
 * when given, 0 when absent (*out unchanged), -1 when malformed or out
 * of range.
 */
int
query_int(const char *query, const char *name, int64_t min, int64_t max,
    int64_t *out)
{
	char	buf[64];
	int	rc;

	if ((rc = http_query_get(query, name, buf, sizeof buf)) != 1)
		return (rc);
	return (query_parse_int(buf, min, max, out) == 0 ? 1 : -1);
}

/* Query parameter name as a time (query_parse_time); as query_int(). */
int
query_time(const char *query, const char *name, int64_t *ms)
{
	char	buf[64];
	int	rc;

	if ((rc = http_query_get(query, name, buf, sizeof buf)) != 1)
		return (rc);
	return (query_parse_time(buf, ms) == 0 ? 1 : -1);
}

/*
 * Query parameter name as a date YYYY-MM-DD (time_date_parse()), in days
 * since 1970-01-01; as query_int().
 */
int
query_date(const char *query, const char *name, int64_t *days)
{
	char	buf[64];
	int	rc;

	if ((rc = http_query_get(query, name, buf, sizeof buf)) != 1)
		return (rc);
	return (time_date_parse(buf, days) == 0 ? 1 : -1);
}
