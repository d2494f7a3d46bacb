/*
 * respite - retention.
 *
 * Events older than [retention] events_days (by time of receipt), closed
 * suggestions, stream items and audit records past their own limits are
 * deleted by a timer, at most RETENTION_STEP_ROWS rows per table per
 * step, each step its own short transaction.  Agent days (days.c) go by
 * the end of the day, after [retention] days_days, independently of the
 * events they were computed from.  While a step finds a full
 * batch the next follows after a short pause (other callbacks run in
 * between); otherwise the timer sleeps for a minute.  Deleting events
 * never changes the model: its windows reach back 36 hours at most,
 * far less than any sensible retention.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "retention.h"
#include "timeutil.h"
#include "xmalloc.h"

#define RETENTION_IDLE_S	60
#define RETENTION_BUSY_MS	50

static const char *const names[STORE_RETAIN_COUNT] = {
	"events", "closed suggestions", "stream items", "audit records",
	"agent days"
};

struct retention {
	struct store		*store;
	struct event		*timer;
	struct retention_days	 keep;
	unsigned long long	 deleted[STORE_RETAIN_COUNT];
};

static void
schedule(struct retention *r, int busy)
{
	struct timeval	tv;

	tv.tv_sec = busy ? 0 : RETENTION_IDLE_S;
	tv.tv_usec = busy ? RETENTION_BUSY_MS * 1000 : 0;
	evtimer_add(r->timer, &tv);
}

/*
 * One step over every table at now.  Returns 1 if any table had a full
 * batch (more to do), 0 if done, -1 on a storage error (logged).
 */
int
retention_run(struct retention *r, int64_t now)
{
	char	*cause = NULL;
	int	 i, n, more = 0;

	for (i = 0; i < STORE_RETAIN_COUNT; i++) {
		if (r->keep.days[i] <= 0)
			continue;
		n = store_retention_step(r->store, (enum store_retention)i,
		    now - (int64_t)(r->keep.days[i] * MS_PER_DAY),
		    RETENTION_STEP_ROWS, &cause);
		if (n < 0) {
			log_warnx("retention: %s: %s", names[i], cause);
			free(cause);
			return (-1);
		}
		if (n > 0) {
			r->deleted[i] += (unsigned long long)n;
			log_debug("retention: deleted %d %s", n, names[i]);
		}
		if (n == RETENTION_STEP_ROWS)
			more = 1;
	}
	return (more);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct retention	*r = arg;

	(void)fd;
	(void)what;
	schedule(r, retention_run(r, time_now_ms()) == 1);
}

struct retention *
retention_new(struct event_base *base, struct store *store,
    const struct retention_days *keep)
{
	struct retention	*r;
	struct timeval		 tv = { 5, 0 };

	r = xcalloc(1, sizeof *r);
	r->store = store;
	r->keep = *keep;
	r->timer = evtimer_new(base, timer_cb, r);
	evtimer_add(r->timer, &tv);	/* soon after start-up */
	return (r);
}

void
retention_set(struct retention *r, const struct retention_days *keep)
{
	r->keep = *keep;
}

void
retention_free(struct retention *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < STORE_RETAIN_COUNT; i++)
		if (r->deleted[i] > 0)
			log_info("retention: deleted %llu %s", r->deleted[i],
			    names[i]);
	event_free(r->timer);
	free(r);
}
