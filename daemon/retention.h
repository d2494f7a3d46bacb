/* Retention: old data deleted in small steps that never stall the loop. */
#ifndef RETENTION_H
#define RETENTION_H

#include <stdint.h>

#include <event2/event.h>

#include "store.h"

#define RETENTION_STEP_ROWS	1000	/* rows deleted per step */

struct retention_days {
	double		days[STORE_RETAIN_COUNT];	/* 0: keep forever */
};

struct retention;

struct retention *retention_new(struct event_base *, struct store *,
		    const struct retention_days *);
void		 retention_set(struct retention *,
		    const struct retention_days *);
void		 retention_free(struct retention *);
int		 retention_run(struct retention *, int64_t);

#endif
