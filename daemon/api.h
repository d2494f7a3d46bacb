/* The v1 JSON API (API.md): routing and handlers. */
#ifndef API_H
#define API_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "agents.h"
#include "commit.h"
#include "config.h"
#include "http.h"
#include "store.h"

struct api {
	struct agents		*agents;
	struct commit		*commit;
	struct store		*store;
	const struct config	*cf;		/* the one in force */
	struct model_params	 mp;
};

void	api_handle(struct http_conn *, const struct http_request *,
	    const char *, size_t, void *);
void	api_apply_cb(const struct respite_event *, void *);

#endif
