/*
 * respite - time formats and local days.
 *
 * Event times are epoch milliseconds everywhere inside; RFC 3339 is only
 * the wire format.  The local-day computation switches TZ for the call,
 * which is fine in a single-threaded daemon and keeps us on the system's
 * own zone database instead of a copy of it.
 */
#include "build.h"

#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeutil.h"
#include "xmalloc.h"

/* The wall clock, for timestamps only; read once per callback. */
int64_t
time_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Seconds on the monotonic clock, for intervals. */
double
time_monotonic_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
parse_digits(const char **p, int n, int *out)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return (-1);
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return (0);
}

static int64_t
days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01. */
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/*
 * Parse an RFC 3339 date-time ("2026-11-22T10:15:00Z", "…T10:15:00.250+01:00")
 * into epoch milliseconds.  Fractions beyond milliseconds are truncated.
 * Returns 0 on success, -1 if the string is not a valid date-time.
 */
int
time_parse_rfc3339(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char	*p = s;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, frac = 0;
	int		 digits = 0, leap;

	if (parse_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    parse_digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    parse_digits(&p, 2, &d) == -1)
		return (-1);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return (-1);
	p++;
	if (parse_digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    parse_digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    parse_digits(&p, 2, &sec) == -1)
		return (-1);
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p)) {
			if (digits < 3)
				frac = frac * 10 + (*p - '0');
			digits++;
			p++;
		}
		while (digits < 3) {
			frac *= 10;
			digits++;
		}
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (parse_digits(&p, 2, &oh) == -1 || *p++ != ':' ||
		    parse_digits(&p, 2, &om) == -1 || oh > 23 || om > 59)
			return (-1);
	} else
		return (-1);
	if (*p != '\0')
		return (-1);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return (-1);
	if (sec == 60)		/* a leap second is the next second's start */
		sec = 59, frac = 999;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
	    (int64_t)sign * (oh * 3600 + om * 60)) * 1000 + frac;
	return (0);
}

/* Format epoch ms as RFC 3339 UTC, with milliseconds only when non-zero. */
char *
time_format_rfc3339(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t;
	int64_t		rem;
	size_t		n;

	rem = ms % 1000;
	if (rem < 0)
		rem += 1000;
	t = (time_t)((ms - rem) / 1000);
	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rem != 0)
		snprintf(buf + n, len - n, ".%03dZ", (int)rem);
	else
		snprintf(buf + n, len - n, "Z");
	return (buf);
}

/*
 * Zones found valid lately, so that events naming their agent's zone do
 * not open its file each (four system calls an event).  Entries are
 * replaced in turn.
 */
#define ZONE_CACHE_SIZE	128
static char		zone_cache[ZONE_CACHE_SIZE][64];
static unsigned int	zone_cache_next;

/*
 * Is name an IANA zone present in the system's zone database?  Only
 * [A-Za-z0-9_+-] path components are accepted, so nothing outside
 * /usr/share/zoneinfo can be named.
 */
int
time_zone_valid(const char *name)
{
	char		 path[256], magic[4];
	struct stat	 st;
	const char	*p;
	ssize_t		 n;
	unsigned int	 i;
	int		 fd;

	if (*name == '\0' || strlen(name) > 63 || *name == '/')
		return (0);
	if (strcmp(name, "UTC") == 0)
		return (1);
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_+-/", *p) == NULL)
			return (0);
		if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
			return (0);
	}
	if (strstr(name, "..") != NULL)
		return (0);
	for (i = 0; i < ZONE_CACHE_SIZE; i++)
		if (strcmp(zone_cache[i], name) == 0)
			return (1);
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return (0);
	/* Only TZif files are zones: "leapseconds" is a text file. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n != (ssize_t)sizeof magic || memcmp(magic, "TZif", 4) != 0)
		return (0);
	i = zone_cache_next++ % ZONE_CACHE_SIZE;
	snprintf(zone_cache[i], sizeof zone_cache[i], "%s", name);
	return (1);
}

/*
 * Recent answers of time_day_start, so that listing thousands of agents
 * does not switch TZ (and re-read a zone file) thousands of times.  Each
 * entry holds one local day, from its start to the next day's, as
 * found in the zone (23 to 25 hours with DST).  Room for a few days of a
 * few dozen zones; entries are replaced in turn.
 */
#define DAY_CACHE_SIZE	64
static struct {
	char		tz[64];
	int		start_min;
	int64_t		start, end;
	int64_t		date;		/* local date of start, days since 1970 */
} day_cache[DAY_CACHE_SIZE];
static unsigned int day_cache_next;

/* In the current TZ: the start of the day (from start_min) containing t. */
static time_t
local_day_start(time_t t, int start_min)
{
	struct tm	tm;

	/*
	 * Local times before start_min belong to the day before.  Compare
	 * local wall-clock minutes rather than stepping now back by
	 * start_min real minutes: on a day the clocks change the two
	 * differ by an hour.
	 */
	localtime_r(&t, &tm);
	if (tm.tm_hour * 60 + tm.tm_min < start_min)
		tm.tm_mday--;	/* mktime() normalises day 0 */
	tm.tm_hour = 0;
	tm.tm_min = start_min;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (mktime(&tm));
}

/*
 * The day containing now_ms in tz: its start, the next day's in *end and
 * its local date (days since 1970-01-01) in *date.
 */
static int64_t
day_start_uncached(const char *tz, int64_t now_ms, int start_min,
    int64_t *end, int64_t *date)
{
	struct tm	 tm;
	time_t		 start, next;
	char		*saved = NULL;
	const char	*old;

	if ((old = getenv("TZ")) != NULL)
		saved = xstrdup(old);
	setenv("TZ", tz, 1);
	tzset();

	start = local_day_start((time_t)(now_ms / 1000), start_min);
	/* 26 hours on is inside the next day, however long DST makes it. */
	next = local_day_start(start + 26 * 3600, start_min);
	if (next <= start)
		next = start + 23 * 3600;
	*end = (int64_t)next * 1000;
	localtime_r(&start, &tm);
	*date = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);

	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
	return ((int64_t)start * 1000);
}

/*
 * The local day containing now_ms in zone tz, where a day starts at
 * start_min minutes after local midnight (04:00 is 240): its start and
 * end (epoch ms; 23 to 25 hours apart with DST) and its date, the local
 * date it starts on (days since 1970-01-01).  tz NULL or "" means UTC.
 * The one day boundary of the model: the *_today metrics and the agent
 * days (days.c) both use it.
 */
void
time_day(const char *tz, int64_t now_ms, int start_min, struct time_day *day)
{
	unsigned int	i;

	if (tz == NULL || *tz == '\0')
		tz = "UTC";
	for (i = 0; i < DAY_CACHE_SIZE; i++) {
		if (day_cache[i].tz[0] != '\0' &&
		    day_cache[i].start_min == start_min &&
		    now_ms >= day_cache[i].start &&
		    now_ms < day_cache[i].end &&
		    strcmp(day_cache[i].tz, tz) == 0) {
			day->start = day_cache[i].start;
			day->end = day_cache[i].end;
			day->date = day_cache[i].date;
			return;
		}
	}
	day->start = day_start_uncached(tz, now_ms, start_min, &day->end,
	    &day->date);
	i = day_cache_next++ % DAY_CACHE_SIZE;
	snprintf(day_cache[i].tz, sizeof day_cache[i].tz, "%s", tz);
	day_cache[i].start_min = start_min;
	day_cache[i].start = day->start;
	day_cache[i].end = day->end;
	day_cache[i].date = day->date;
}

/*
 * The start (epoch ms) of the local day containing now in zone tz, where a
 * day starts at start_min minutes after local midnight (04:00 is 240).
 * tz NULL or "" means UTC.
 */
int64_t
time_day_start(const char *tz, int64_t now_ms, int start_min)
{
	struct time_day	day;

	time_day(tz, now_ms, start_min, &day);
	return (day.start);
}

/* The latest and earliest dates time_date_parse() takes (days). */
#define DATE_MIN	0		/* 1970-01-01 */
#define DATE_MAX	2932896		/* 9999-12-31 */

/*
 * Parse a date "YYYY-MM-DD" (exactly that, 1970 to 9999) into days since
 * 1970-01-01.  Returns 0, or -1 if s is not such a date.
 */
int
time_date_parse(const char *s, int64_t *days)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char	*p = s;
	int		 y, m, d, leap;

	if (parse_digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    parse_digits(&p, 2, &m) == -1 || *p++ != '-' ||
	    parse_digits(&p, 2, &d) == -1 || *p != '\0')
		return (-1);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return (-1);
	*days = days_from_civil(y, m, d);
	return (0);
}

/* Format days since 1970-01-01 as "YYYY-MM-DD" (TIME_DATE_LEN bytes). */
char *
time_date_format(int64_t days, char *buf, size_t len)
{
	int64_t	z, era, doe, yoe, y, doy, mp, d, m;

	if (days < DATE_MIN)
		days = DATE_MIN;
	if (days > DATE_MAX)
		days = DATE_MAX;
	/* Howard Hinnant's civil_from_days. */
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, len, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
	return (buf);
}
