/*
 * respite - operations (API.md): GET /healthz and GET /metrics, which
 * need no token.
 */
#include "build.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "commit.h"
#include "dispatch.h"
#include "log.h"
#include "plugins.h"
#include "sinks.h"
#include "stats.h"
#include "store.h"

#define R_HEALTHZ API_R_HEALTHZ
#define R_METRICS API_R_METRICS
#define reply_json api_reply_json

void
api_healthz(struct api *api, struct http_conn *c)
{
	char	*cause = NULL;
	json_t	*o, *sources, *cl = NULL;
	int	 ok, ready = 1;

	ok = commit_healthy(api->commit) && store_check(api->store, &cause) == 0;
	/* Cluster mode: "starting" until the node has caught up. */
	if (api->cluster_health != NULL)
		cl = api->cluster_health(api->cluster_arg, &ready);
	o = json_pack("{s:s, s:s, s:s}",
	    "status", !ok ? "degraded" : !ready ? "starting" : "ok",
	    "db", ok ? "ok" : "failing",
	    "version", PACKAGE_VERSION);
	if (cl != NULL)
		json_object_set_new(o, "cluster", cl);
	/* What source plugins report (the Asterisk link): not judged. */
	if ((sources = plugins_health(api->plugins)) != NULL)
		json_object_set_new(o, "plugins", sources);
	reply_json(c, R_HEALTHZ, ok && ready ? 200 : 503, o);
	free(cause);
}

void
api_metrics(struct api *api, struct http_conn *c)
{
	const struct http_server *srv;
	char			 *buf = NULL, *cause = NULL;
	size_t			  len = 0;
	FILE			 *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	stats_http(R_METRICS, 200);
	stats_write(f);
	/* Counts kept as they change: no work in proportion to the data. */
	stats_write_agents(f);
	fprintf(f, "# HELP respite_suggestions Stored suggestions, by kind and "
	    "status.\n# TYPE respite_suggestions gauge\n");
	if (store_suggestion_counts(api->store, f, &cause) == -1) {
		log_warnx("metrics: %s", cause);
		free(cause);
	}
	store_write_metrics(api->store, f);
	sinks_write_metrics(f, api->plugins);
	if (api->cluster_metrics != NULL)
		api->cluster_metrics(api->cluster_arg, f);
	fprintf(f, "# HELP respite_sse_subscribers Open GET /v1/stream "
	    "subscribers.\n# TYPE respite_sse_subscribers gauge\n"
	    "respite_sse_subscribers %zu\n",
	    api->dispatch != NULL ? dispatch_nsubscribers(api->dispatch) : 0);
	srv = http_conn_server(c);
	fprintf(f, "# HELP respite_http_connections Open HTTP connections, "
	    "streams included.\n# TYPE respite_http_connections gauge\n"
	    "respite_http_connections %zu\n"
	    "# HELP respite_http_connections_refused_total Connections "
	    "refused with 503: max_connections reached.\n"
	    "# TYPE respite_http_connections_refused_total counter\n"
	    "respite_http_connections_refused_total %" PRIu64 "\n"
	    "# HELP respite_http_accept_pauses_total Pauses of accepting "
	    "after accept() ran out of file descriptors.\n"
	    "# TYPE respite_http_accept_pauses_total counter\n"
	    "respite_http_accept_pauses_total %" PRIu64 "\n"
	    "# HELP respite_http_connections_evicted_total Idle connections "
	    "closed to admit a new one at max_connections.\n"
	    "# TYPE respite_http_connections_evicted_total counter\n"
	    "respite_http_connections_evicted_total %" PRIu64 "\n"
	    "# HELP respite_http_header_timeouts_total New connections "
	    "closed for no request head within header_timeout.\n"
	    "# TYPE respite_http_header_timeouts_total counter\n"
	    "respite_http_header_timeouts_total %" PRIu64 "\n"
	    "# HELP respite_http_unsent_bytes Reply bytes queued on every "
	    "connection, not yet taken by the kernel.\n"
	    "# TYPE respite_http_unsent_bytes gauge\n"
	    "respite_http_unsent_bytes %zu\n"
	    "# HELP respite_http_unsent_waits_total Times a reply in pieces "
	    "waited for max_unsent_total.\n"
	    "# TYPE respite_http_unsent_waits_total counter\n"
	    "respite_http_unsent_waits_total %" PRIu64 "\n",
	    http_server_nconns(srv), http_server_nrefused(srv),
	    http_server_naccept_pauses(srv), http_server_nevicted(srv),
	    http_server_nheader_timeouts(srv), http_server_unsent(srv),
	    http_server_nunsent_waits(srv));
	fclose(f);
	http_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", buf,
	    len, NULL);
	free(buf);
}
