/*
 * respite-notify - the agent's own week, for --summary.
 *
 * The replies of GET /v1/agents/ID/days and GET /v1/agents/ID/trend
 * (API.md) said as plain text: the last 7 calendar days up to today (the
 * agent's own days, in its zone: the dates are the API's), their sums,
 * and the trend with its reasons.  No GLib here (the unit tests call it
 * directly); the caller owns the JSON.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "week.h"

#define WEEK_DAYS	7

/* Days since 1970-01-01 of "YYYY-MM-DD", or -1 (H. Hinnant's algorithm). */
static long
date_days(const char *s)
{
	int	y, m, d, n = 0;
	long	era, yoe, doy, doe;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[n] != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
		return (-1);
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static json_int_t
num(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_integer(v))
		return (json_integer_value(v));
	if (json_is_real(v))
		return ((json_int_t)json_real_value(v));
	return (0);
}

static const char *
str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : "");
}

/* "7:32" (hours and minutes). */
static void
hm(char *buf, size_t len, json_int_t min)
{
	snprintf(buf, len, "%lld:%02lld", (long long)(min / 60),
	    (long long)(min % 60));
}

static void
row(FILE *f, const char *label, json_int_t worked, json_int_t brk,
    json_int_t high, json_int_t hostile, json_int_t taken, json_int_t raised,
    const char *note)
{
	char	w[32], b[32], h[32], s[32];

	hm(w, sizeof w, worked);
	snprintf(b, sizeof b, "%lld min", (long long)brk);
	snprintf(h, sizeof h, "%lld min", (long long)high);
	snprintf(s, sizeof s, "%lld of %lld", (long long)taken,
	    (long long)raised);
	fprintf(f, "  %-15s %7s %9s %12s %8lld  %s%s\n", label, w, b, h,
	    (long long)hostile, s, note);
}

/*
 * Print the week of agent from days (the /days reply) and trend (the
 * /trend reply, or NULL).  Returns the number of days printed.
 */
int
week_print(FILE *f, const char *agent, json_t *days, json_t *trend)
{
	static const char *const wd[] = { "Thu", "Fri", "Sat", "Sun", "Mon",
	    "Tue", "Wed" };
	json_t		*arr, *d, *sg, *sugg;
	json_int_t	 tw = 0, tb = 0, th = 0, tx = 0, tt = 0, tr = 0;
	const char	*to = str(days, "to"), *date, *risk;
	char		 label[32];
	long		 end, first, n;
	size_t		 i;
	int		 shown = 0, base;

	end = date_days(to);
	first = end - (WEEK_DAYS - 1);
	fprintf(f, "Your week, %s (%s), the last %d days up to %s:\n\n",
	    agent, str(days, "tz"), WEEK_DAYS, to);
	arr = json_object_get(days, "days");
	json_array_foreach(arr, i, d) {
		date = str(d, "date");
		if ((n = date_days(date)) < first || n > end || end < 0)
			continue;
		if (shown == 0)
			fprintf(f, "  %-15s %7s %9s %12s %8s  %s\n", "day",
			    "worked", "on break", "high strain", "hostile",
			    "breaks taken of suggested");
		snprintf(label, sizeof label, "%s %s", wd[((n % 7) + 7) % 7],
		    date);
		sugg = json_object_get(d, "suggestions");
		row(f, label, num(d, "worked_min"), num(d, "break_min"),
		    num(d, "high_min"), num(d, "hostile"), num(sugg, "accepted"),
		    num(sugg, "raised"), n == end &&
		    !json_is_true(json_object_get(d, "final")) ?
		    "  (today, so far)" : "");
		tw += num(d, "worked_min");
		tb += num(d, "break_min");
		th += num(d, "high_min");
		tx += num(d, "hostile");
		tt += num(sugg, "accepted");
		tr += num(sugg, "raised");
		shown++;
	}
	if (shown == 0)
		fprintf(f, "  No working days recorded in these %d days.\n",
		    WEEK_DAYS);
	else {
		row(f, "together", tw, tb, th, tx, tt, tr, "");
		fprintf(f, "  (%d working day%s; days without work are not "
		    "listed)\n", shown, shown == 1 ? "" : "s");
	}
	if (trend == NULL)
		return (shown);
	risk = str(trend, "risk");
	base = (int)num(trend, "baseline_days");
	fprintf(f, "\nTrend, the last %d completed days against your own "
	    "usual: %s\n", (int)num(trend, "window_days"),
	    *risk != '\0' ? risk : "unknown");
	arr = json_object_get(trend, "signals");
	if (base < 7)
		fprintf(f, "  Not enough history for a trend yet (%d of the 7 "
		    "days it needs before the last week).\n", base);
	else if (json_array_size(arr) == 0)
		fprintf(f, "  Nothing out of the ordinary.\n");
	json_array_foreach(arr, i, sg)
		fprintf(f, "  - %s\n", str(sg, "reason"));
	return (shown);
}
