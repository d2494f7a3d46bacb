/* Sinks: stored suggestion changes handed to the sink plugins. */
#ifndef SINKS_H
#define SINKS_H

#include <stdint.h>
#include <stdio.h>

#include "suggest.h"

struct plugins;

const char	*sinks_change_name(const struct suggestion *);
/* An outbox_sink_cb; arg is the struct plugins. */
void		 sinks_outbox_cb(const struct suggestion *, const char *,
		    int64_t, void *);
/* A replica_sink_cb; arg is the struct plugins. */
unsigned int	 sinks_deliver(const struct suggestion *, const char *,
		    uint64_t, void *);
void		 sinks_dropped(const char *, unsigned long, double);
void		 sinks_write_metrics(FILE *, const struct plugins *);
void		 sinks_drops_free(void);

#endif
