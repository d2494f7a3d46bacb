/*
 * respite - GET /v1/agents/{id}/history: strain and metrics in buckets.
 *
 * Recomputed from the stored events of the agent, so any window can be
 * asked for: the events from 36 hours before `from` (status history for
 * the day metrics) to `to` are applied in time order to a scratch agent,
 * and the metrics are taken at the end of each bucket.  Levels carry the
 * same hysteresis as the live model.  Each bucket carries the four
 * factors too (an extension of API.md), so a chart can show what the
 * strain is made of.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "strain.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HISTORY_DEFAULT_MS	(8 * MS_PER_HOUR)
#define HISTORY_STEP_DEFAULT_S	900
#define HISTORY_STEP_MIN_S	60
#define HISTORY_MAX_BUCKETS	2000
#define HISTORY_LOOKBACK_MS	(36 * MS_PER_HOUR)

struct history_events {
	struct respite_event	*v;
	size_t			 n, cap;
};

static int
collect_cb(const struct respite_event *ev, void *arg)
{
	struct history_events	*h = arg;

	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 256 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n++] = *ev;
	return (0);
}

static int
cmp_ts(const void *a, const void *b)
{
	const struct respite_event	*x = a, *y = b;

	return (x->ts_ms < y->ts_ms ? -1 : x->ts_ms > y->ts_ms);
}

/* A bucket's factors, as in GET /v1/agents/{id} (new reference). */
static json_t *
factors_json(const struct strain *st)
{
	const struct strain_factor	*f[4] = { &st->intensity,
	    &st->occupancy, &st->continuous, &st->exposure };
	static const char *const	 names[4] = { "intensity", "occupancy",
	    "continuous", "exposure" };
	json_t				*o = json_object();
	int				 i;

	for (i = 0; i < 4; i++)
		json_object_set_new(o, names[i], json_pack("{s:f, s:f, s:f}",
		    "value", f[i]->value, "position", f[i]->position,
		    "points", f[i]->points));
	return (o);
}

void
api_history(struct api *api, struct http_conn *c, struct agent *a,
    const struct http_request *req, int64_t now)
{
	struct history_events	 h;
	struct agent		*scratch;
	struct agent_metrics	 m;
	struct strain		 st;
	enum strain_level	 level = STRAIN_OK;
	int64_t			 from, to, step_ms, t;
	char			 buf[32], *end, *cause = NULL;
	json_t			*buckets;
	size_t			 i = 0;
	long			 step = HISTORY_STEP_DEFAULT_S;
	int			 rc;

	now = api_agent_now(a, now);
	to = now;
	if (api_query_time(req->query, "to", &to) == -1) {
		api_fail(c, API_R_HISTORY, 400, "invalid_request", "to",
		    "to: must be an RFC 3339 time or epoch milliseconds");
		return;
	}
	from = to - HISTORY_DEFAULT_MS;
	if (api_query_time(req->query, "from", &from) == -1 || from >= to) {
		api_fail(c, API_R_HISTORY, 400, "invalid_request", "from",
		    "from: must be an RFC 3339 time or epoch milliseconds "
		    "before to");
		return;
	}
	if ((rc = http_query_get(req->query, "step", buf, sizeof buf)) != 0) {
		step = rc == 1 ? strtol(buf, &end, 10) : 0;
		if (rc == -1 || *buf == '\0' || *end != '\0' ||
		    step < HISTORY_STEP_MIN_S) {
			api_fail(c, API_R_HISTORY, 400, "invalid_request",
			    "step", "step: must be whole seconds, at least %d",
			    HISTORY_STEP_MIN_S);
			return;
		}
	}
	step_ms = (int64_t)step * 1000;
	if ((to - from) / step_ms > HISTORY_MAX_BUCKETS) {
		api_fail(c, API_R_HISTORY, 400, "invalid_request", "step",
		    "more than %d buckets: use a larger step or a shorter "
		    "window", HISTORY_MAX_BUCKETS);
		return;
	}

	memset(&h, 0, sizeof h);
	if (store_foreach_agent_event(api->store, agent_id(a),
	    from - HISTORY_LOOKBACK_MS, to, collect_cb, &h, &cause) == -1) {
		free(cause);
		free(h.v);
		api_fail(c, API_R_HISTORY, 503, "unavailable", NULL,
		    "storage is failing");
		return;
	}
	/* Stable sort keeps the order received among equal times. */
	for (i = 0; i < h.n; i++)
		h.v[i].received_ms = (int64_t)i;
	qsort(h.v, h.n, sizeof *h.v, cmp_ts);

	scratch = agent_new(agent_id(a));
	buckets = json_array();
	i = 0;
	for (t = from + step_ms; t <= to; t += step_ms) {
		char	ts[TIME_RFC3339_LEN];

		while (i < h.n && h.v[i].ts_ms <= t)
			agent_apply(scratch, &h.v[i++], &api->mp);
		agent_metrics(scratch, t, &api->mp, &m);
		strain_compute(&m, &api->ap.strain, &st);
		level = strain_level_next(&api->ap.strain, level, st.score);
		json_array_append_new(buckets, json_pack("{s:s, s:i, s:s, s:o, "
		    "s:o}", "t", time_format_rfc3339(t, ts, sizeof ts),
		    "strain", st.score,
		    "level", strain_level_name(level),
		    "metrics", api_metrics_json(&m),
		    "factors", factors_json(&st)));
	}
	agent_free(scratch);
	free(h.v);
	api_reply_json(c, API_R_HISTORY, 200, json_pack("{s:s, s:I, s:o, s:o, "
	    "s:o}", "agent", agent_id(a), "step_s", (json_int_t)step,
	    "from", api_time(from), "to", api_time(to), "buckets", buckets));
}
