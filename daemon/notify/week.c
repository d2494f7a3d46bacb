/*
 * respite-notify - the agent's own week, for --summary.
 *
 * The replies of GET /v1/agents/ID/days and GET /v1/agents/ID/trend
 * (API.md) said as plain text: the last 7 calendar days up to today (the
 * agent's own days, in its zone: the dates are the API's), their sums,
 * and the trend with its reasons, in English or German ([notify] lang).
 * German says each trend signal it knows from its name, value and usual
 * value (the API's reasons are English); one it does not know keeps the
 * API's reason.  No GLib here (the unit tests call it directly); the
 * caller owns the JSON.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "week.h"

#define WEEK_DAYS	7

/*
 * What --summary says in English or German: the formats are literals
 * both (T()), so the compiler checks them.
 */
#define T(de, en, ger)	((de) ? (ger) : (en))

/* The words of the table, in each language. */
struct words {
	const char	*cols[6];
	const char	*today, *together;
	const char	*risk[4];	/* ok, elevated, high, unknown */
	const char	*wd[7];		/* from Thursday, 1970-01-01 */
};

static const struct words en = {
	{ "day", "worked", "on break", "high strain", "hostile",
	    "breaks taken of suggested" },
	"  (today, so far)", "together",
	{ "ok", "elevated", "high", "unknown" },
	{ "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" },
};

static const struct words de = {
	{ "Tag", "gearbeitet", "Pause", "hohe Belastung", "feindselig",
	    "Pausen genommen von vorgeschlagen" },
	"  (heute, bisher)", "zusammen",
	{ "unauffällig", "erhöht", "hoch", "unbekannt" },
	{ "Do", "Fr", "Sa", "So", "Mo", "Di", "Mi" },
};

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
row(FILE *f, const struct words *wo, const char *label, json_int_t worked,
    json_int_t brk, json_int_t high, json_int_t hostile, json_int_t taken,
    json_int_t raised, const char *note)
{
	char	w[32], b[32], h[32], x[32], s[32];
	int	g = wo == &de;

	hm(w, sizeof w, worked);
	snprintf(b, sizeof b, "%lld min", (long long)brk);
	snprintf(h, sizeof h, "%lld min", (long long)high);
	snprintf(x, sizeof x, "%lld", (long long)hostile);
	snprintf(s, sizeof s, T(g, "%lld of %lld", "%lld von %lld"),
	    (long long)taken, (long long)raised);
	fprintf(f, T(g, "  %-15s %7s %9s %12s %8s  %s%s\n",
	    "  %-15s %10s %9s %14s %10s  %s%s\n"), label, w, b, h, x, s, note);
}

/* A figure as the API gives it (1.2, 0, 3); in German 1,2. */
static void
figure(char *buf, size_t len, json_t *v, int german)
{
	char	*p;

	snprintf(buf, len, "%g", json_is_number(v) ? json_number_value(v) : 0);
	if (german && (p = strchr(buf, '.')) != NULL)
		*p = ',';
}

/*
 * One trend signal, in the words of wo: in German from its name and
 * figures (daemon/trend.c's signals), else the API's reason.
 */
static void
signal_line(FILE *f, const struct words *wo, json_t *sg)
{
	const char	*name = str(sg, "name");
	char		 v[32], b[32];

	figure(v, sizeof v, json_object_get(sg, "value"), wo == &de);
	figure(b, sizeof b, json_object_get(sg, "baseline"), wo == &de);
	if (wo != &de)
		fprintf(f, "  - %s\n", str(sg, "reason"));
	else if (strcmp(name, "high_strain_days") == 0)
		fprintf(f, "  - An %s der letzten 7 Tage lange hoch belastet "
		    "(üblich: %s)\n", v, b);
	else if (strcmp(name, "hostile_exposure") == 0)
		fprintf(f, "  - %s feindselige Nachrichten in den letzten 7 "
		    "Tagen (üblich: %s)\n", v, b);
	else if (strcmp(name, "breaks_skipped") == 0)
		fprintf(f, "  - %s %% der Pausenvorschläge der letzten 7 Tage "
		    "abgelehnt oder verfallen (üblich: %s %%)\n", v, b);
	else if (strcmp(name, "long_days") == 0)
		fprintf(f, "  - An %s der letzten 7 Tage lange gearbeitet oder "
		    "lange ohne Pause (üblich: %s)\n", v, b);
	else
		fprintf(f, "  - %s\n", str(sg, "reason"));
}

static const char *
risk_word(const struct words *wo, const char *risk)
{
	static const char *const names[] = { "ok", "elevated", "high" };
	size_t			  i;

	for (i = 0; i < 3; i++)
		if (strcmp(risk, names[i]) == 0)
			return (wo->risk[i]);
	return (wo->risk[3]);
}

/*
 * Print the week of agent from days (the /days reply) and trend (the
 * /trend reply, or NULL), in lang.  Returns the number of days printed.
 */
int
week_print(FILE *f, const char *agent, json_t *days, json_t *trend,
    enum ntext_lang lang)
{
	const struct words	*wo = lang == NTEXT_DE ? &de : &en;
	int			 g = wo == &de;
	json_t		*arr, *d, *sg, *sugg;
	json_int_t	 tw = 0, tb = 0, th = 0, tx = 0, tt = 0, tr = 0;
	const char	*to = str(days, "to"), *date;
	char		 label[32];
	long		 end, first, n;
	size_t		 i;
	int		 shown = 0, base;

	end = date_days(to);
	first = end - (WEEK_DAYS - 1);
	fprintf(f, T(g, "Your week, %s (%s), the last %d days up to %s:\n\n",
	    "Ihre Woche, %s (%s), die letzten %d Tage bis %s:\n\n"), agent,
	    str(days, "tz"), WEEK_DAYS, to);
	arr = json_object_get(days, "days");
	json_array_foreach(arr, i, d) {
		date = str(d, "date");
		if ((n = date_days(date)) < first || n > end || end < 0)
			continue;
		if (shown == 0)
			fprintf(f, T(g, "  %-15s %7s %9s %12s %8s  %s\n",
			    "  %-15s %10s %9s %14s %10s  %s\n"), wo->cols[0],
			    wo->cols[1], wo->cols[2], wo->cols[3], wo->cols[4],
			    wo->cols[5]);
		snprintf(label, sizeof label, "%s %s",
		    wo->wd[((n % 7) + 7) % 7], date);
		sugg = json_object_get(d, "suggestions");
		row(f, wo, label, num(d, "worked_min"), num(d, "break_min"),
		    num(d, "high_min"), num(d, "hostile"), num(sugg, "accepted"),
		    num(sugg, "raised"), n == end &&
		    !json_is_true(json_object_get(d, "final")) ?
		    wo->today : "");
		tw += num(d, "worked_min");
		tb += num(d, "break_min");
		th += num(d, "high_min");
		tx += num(d, "hostile");
		tt += num(sugg, "accepted");
		tr += num(sugg, "raised");
		shown++;
	}
	if (shown == 0)
		fprintf(f, T(g, "  No working days recorded in these %d "
		    "days.\n", "  An diesen %d Tagen ist keine Arbeit "
		    "verzeichnet.\n"), WEEK_DAYS);
	else {
		row(f, wo, wo->together, tw, tb, th, tx, tt, tr, "");
		fprintf(f, T(g, "  (%d working day%s; days without work are "
		    "not listed)\n", "  (%d Arbeitstag%s; Tage ohne Arbeit "
		    "sind nicht aufgeführt)\n"), shown, shown == 1 ? "" :
		    T(g, "s", "e"));
	}
	if (trend == NULL)
		return (shown);
	base = (int)num(trend, "baseline_days");
	fprintf(f, T(g, "\nTrend, the last %d completed days against your "
	    "own usual: %s\n", "\nTrend der letzten %d abgeschlossenen Tage, "
	    "gemessen an Ihrem Üblichen: %s\n"), (int)num(trend,
	    "window_days"), risk_word(wo, str(trend, "risk")));
	arr = json_object_get(trend, "signals");
	if (base < 7)
		fprintf(f, T(g, "  Not enough history for a trend yet (%d of "
		    "the 7 days it needs before the last week).\n", "  Noch "
		    "zu wenig Verlauf für einen Trend (%d der 7 Tage, die er "
		    "vor der letzten Woche braucht).\n"), base);
	else if (json_array_size(arr) == 0)
		fputs(T(g, "  Nothing out of the ordinary.\n",
		    "  Nichts Außergewöhnliches.\n"), f);
	json_array_foreach(arr, i, sg)
		signal_line(f, wo, sg);
	return (shown);
}
