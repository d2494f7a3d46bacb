/*
 * respite - fuzz target: the query string of every route, read as the
 * routes read it (daemon/query.c, issue 13 item 1): the numbers of
 * GET /v1/agents/ID/history (from, to, step: api_history_window()),
 * /v1/suggestions (limit, cursor, since), /v1/audit (limit, cursor,
 * since), /v1/stream (last_event_id) and the days of an agent or a team
 * (from, to as dates: api_days_range()).  Every value accepted is within
 * its range, the history's window is bounded (so its bucket loop is),
 * nothing accepted differs from what strtoll() reads without overflow,
 * and what is accepted prints and reads back the same.
 *
 * The input is the query string (up to its first NUL); its first byte
 * also picks the history's "now" among the edges of the time range.
 */
#include "build.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fuzz.h"
#include "http_parse.h"
#include "query.h"
#include "suggest.h"
#include "timeutil.h"

#define HISTORY_SPAN_MAX_MS	(31 * MS_PER_DAY)
#define HISTORY_MAX_BUCKETS	2000
#define DAYS_SPAN_MAX		400
#define DATE_MAX		2932896		/* 9999-12-31 */

static void
check_int(const char *query, const char *name, int64_t min, int64_t max)
{
	char	buf[64], back[32], *end;
	int64_t	v = -7, w;
	int	rc, raw;

	rc = query_int(query, name, min, max, &v);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc != 1) {
		FUZZ_CHECK(v == -7);
		return;
	}
	FUZZ_CHECK(v >= min && v <= max);
	/* strtoll() agrees where it does not overflow. */
	raw = http_query_get(query, name, buf, sizeof buf);
	FUZZ_CHECK(raw == 1);
	errno = 0;
	w = strtoll(buf, &end, 10);
	FUZZ_CHECK(errno == 0 && *end == '\0' && w == v);
	snprintf(back, sizeof back, "%" PRId64, v);
	FUZZ_CHECK(query_parse_int(back, min, max, &w) == 0 && w == v);
}

static void
check_time(const char *query, const char *name)
{
	char	 buf[TIME_RFC3339_LEN];
	int64_t	 ms = -7, back;
	int	 rc;

	rc = query_time(query, name, &ms);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc != 1) {
		FUZZ_CHECK(ms == -7);
		return;
	}
	FUZZ_CHECK(ms >= 0 && ms <= QUERY_TIME_MAX_MS);
	/* As the replies print it, and as a client would send it back. */
	time_format_rfc3339(ms, buf, sizeof buf);
	FUZZ_CHECK(query_parse_time(buf, &back) == 0 && back == ms);
}

static void
check_history(const char *query, int64_t now)
{
	struct api_error	err;
	int64_t			from = -7, to = -7, step = -7;

	memset(&err, 0, sizeof err);
	if (api_history_window(query, now, &from, &to, &step, &err) == -1) {
		FUZZ_CHECK(err.status == 400);
		FUZZ_CHECK(strcmp(err.code, "invalid_request") == 0);
		FUZZ_CHECK(strcmp(err.field, "from") == 0 ||
		    strcmp(err.field, "to") == 0 ||
		    strcmp(err.field, "step") == 0);
		return;
	}
	FUZZ_CHECK(from >= 0 && from < to && to <= QUERY_TIME_MAX_MS);
	FUZZ_CHECK(to - from <= HISTORY_SPAN_MAX_MS);
	FUZZ_CHECK(step >= 60 && step <= 86400);
	FUZZ_CHECK((to - from) / (step * 1000) <= HISTORY_MAX_BUCKETS);
	FUZZ_SAY("history: %" PRId64 "..%" PRId64 " step %" PRId64, from, to,
	    step);
}

/* from and to of GET /v1/agents/ID/days: dates that print back the same. */
static void
check_days(const char *query, int64_t today)
{
	struct api_error	err;
	char			buf[TIME_DATE_LEN];
	int64_t			from = -7, to = -7, back;

	memset(&err, 0, sizeof err);
	if (api_days_range(query, today, &from, &to, &err) == -1) {
		FUZZ_CHECK(err.status == 400);
		FUZZ_CHECK(strcmp(err.code, "invalid_request") == 0);
		FUZZ_CHECK(strcmp(err.field, "from") == 0 ||
		    strcmp(err.field, "to") == 0);
		return;
	}
	FUZZ_CHECK(from >= 0 && from <= to && to <= DATE_MAX);
	FUZZ_CHECK(to - from < DAYS_SPAN_MAX);
	time_date_format(to, buf, sizeof buf);
	FUZZ_CHECK(time_date_parse(buf, &back) == 0 && back == to);
	time_date_format(from, buf, sizeof buf);
	FUZZ_CHECK(time_date_parse(buf, &back) == 0 && back == from);
	FUZZ_SAY("days: %" PRId64 "..%" PRId64, from, to);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t	nows[] = { FUZZ_NOW_MS, 0, 1,
	    QUERY_TIME_MAX_MS, INT64_MAX, INT64_MIN, -1 };
	char			*query, buf[64];
	int			 rc;

	if ((query = malloc(size + 1)) == NULL)
		abort();
	memcpy(query, data, size);
	query[size] = '\0';

	/* GET /v1/agents/ID/history */
	check_history(query, nows[(size > 0 ? data[0] : 0) %
	    (sizeof nows / sizeof nows[0])]);
	check_time(query, "from");
	check_time(query, "to");
	check_int(query, "step", 60, 86400);
	/* GET /v1/agents/ID/days, GET /v1/teams/T/days: today is a date */
	check_days(query, size > 1 ? (int64_t)data[1] * 11503 % (DATE_MAX + 1) :
	    20793);
	/* GET /v1/suggestions and GET /v1/audit */
	check_int(query, "limit", 1, 1000);
	check_time(query, "since");
	if ((rc = http_query_get(query, "cursor", buf, sizeof buf)) == 1 &&
	    strncmp(buf, "s-", 2) == 0) {
		int64_t	id = sugg_parse_id(buf);

		FUZZ_CHECK(id == -1 || id > 0);
	}
	check_int(query, "cursor", 1, INT64_MAX);
	/* GET /v1/stream */
	check_int(query, "last_event_id", 0, INT64_MAX);
	/* Any range, signed. */
	check_int(query, "n", INT64_MIN, INT64_MAX);
	check_int(query, "m", -1000, 1000);
	free(query);
	return (0);
}
