/* Sinks: stored suggestion changes handed to the sink plugins. */
#ifndef SINKS_H
#define SINKS_H

#include "suggest.h"

const char	*sinks_change_name(const struct suggestion *);
/* An outbox_sink_cb; arg is the struct plugins. */
void		 sinks_outbox_cb(const struct suggestion *, const char *,
		    void *);

#endif
