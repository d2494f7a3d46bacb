/* The model rebuilt at start-up from the events of its window. */
#ifndef REBUILD_H
#define REBUILD_H

#include <stddef.h>
#include <stdint.h>

#include <respite/event.h>

#include "agents.h"

struct store;

struct rebuild_stats {
	size_t	events;		/* of the window */
	size_t	seeded;		/* read for its agents, before the window */
	size_t	agents;
	size_t	open;		/* open tickets */
};

typedef void (*rebuild_clock_cb)(const struct respite_event *, void *);

int	rebuild_model(struct store *, struct agents *,
	    const struct model_params *, int64_t, int64_t, rebuild_clock_cb,
	    void *,
	    struct rebuild_stats *, char **);

#endif
