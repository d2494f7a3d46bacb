/* Turning request bodies into validated events (API.md "Events"). */
#ifndef INGEST_H
#define INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <respite/event.h>

#include "apierr.h"

struct ingest_limits {
	size_t		max_batch;
	int64_t		max_skew_ms;
};

/* Events of one request.  ev[i].text borrows from keep. */
struct event_batch {
	struct respite_event	*ev;
	size_t			 n;
	json_t			*keep;
};

int	ingest_parse(const char *, size_t, int, const struct ingest_limits *,
	    int64_t, struct event_batch *, struct api_error *);
int	ingest_event(json_t *, long, const struct ingest_limits *, int64_t,
	    struct respite_event *, struct api_error *);
void	event_batch_free(struct event_batch *);

#endif
