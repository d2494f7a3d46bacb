/* Time formats (RFC 3339, epoch ms) and local-day arithmetic. */
#ifndef TIMEUTIL_H
#define TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_RFC3339_LEN	32	/* buffer for time_format_rfc3339 */
#define MS_PER_MIN		60000LL
#define MS_PER_HOUR		3600000LL
#define MS_PER_DAY		86400000LL
#define TIME_DATE_LEN		11	/* "YYYY-MM-DD" and its NUL */

/* A local day (time_day): [start, end) in epoch ms, and its date. */
struct time_day {
	int64_t	start, end;
	int64_t	date;		/* the local date it starts on, days since 1970 */
};

int64_t	time_now_ms(void);
double	time_monotonic_s(void);
int	time_parse_rfc3339(const char *, int64_t *);
char	*time_format_rfc3339(int64_t, char *, size_t);
int	time_zone_valid(const char *);
void	time_day(const char *, int64_t, int, struct time_day *);
int64_t	time_day_start(const char *, int64_t, int);
int	time_date_parse(const char *, int64_t *);
char	*time_date_format(int64_t, char *, size_t);

#endif
