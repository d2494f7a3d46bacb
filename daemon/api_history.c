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

#include "api_handlers.h"
#include "query.h"
#include "strain.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HISTORY_DEFAULT_MS	(8 * MS_PER_HOUR)
#define HISTORY_STEP_DEFAULT_S	900
#define HISTORY_STEP_MIN_S	60
#define HISTORY_STEP_MAX_S	86400		/* a day */
#define HISTORY_SPAN_MAX_MS	(31 * MS_PER_DAY)	/* to - from */
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

	if (x->ts_ms != y->ts_ms)
		return (x->ts_ms < y->ts_ms ? -1 : 1);
	return (x->received_ms < y->received_ms ? -1 :
	    x->received_ms > y->received_ms);
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

/*
 * The window of a history request from its query: from, to (epoch ms)
 * and step (s), defaults applied, every number range-checked, so that
 * the buckets are at most HISTORY_MAX_BUCKETS and nothing computed from
 * them can wrap.  now is the agent's now.  Returns 0, or -1 with err set
 * (400 invalid_request with the field).
 */
int
api_history_window(const char *query, int64_t now, int64_t *from,
    int64_t *to, int64_t *step, struct api_error *err)
{
	int	has_from;

	*to = now < 0 ? 0 : now > QUERY_TIME_MAX_MS ? QUERY_TIME_MAX_MS : now;
	if (query_time(query, "to", to) == -1) {
		api_error_set(err, 400, "invalid_request", -1, "to",
		    "to: must be an RFC 3339 time or epoch milliseconds, "
		    "1970 to 9999");
		return (-1);
	}
	*from = *to > HISTORY_DEFAULT_MS ? *to - HISTORY_DEFAULT_MS : 0;
	if ((has_from = query_time(query, "from", from)) == -1 ||
	    *from >= *to) {
		api_error_set(err, 400, "invalid_request", -1,
		    has_from != 0 ? "from" : "to", "%s: must be an RFC 3339 "
		    "time or epoch milliseconds, from before to",
		    has_from != 0 ? "from" : "to");
		return (-1);
	}
	if (*to - *from > HISTORY_SPAN_MAX_MS) {
		api_error_set(err, 400, "invalid_request", -1, "from",
		    "from: at most %lld days before to",
		    (long long)(HISTORY_SPAN_MAX_MS / MS_PER_DAY));
		return (-1);
	}
	*step = HISTORY_STEP_DEFAULT_S;
	if (query_int(query, "step", HISTORY_STEP_MIN_S, HISTORY_STEP_MAX_S,
	    step) == -1) {
		api_error_set(err, 400, "invalid_request", -1, "step",
		    "step: must be whole seconds from %d to %d",
		    HISTORY_STEP_MIN_S, HISTORY_STEP_MAX_S);
		return (-1);
	}
	if ((*to - *from) / (*step * 1000) > HISTORY_MAX_BUCKETS) {
		api_error_set(err, 400, "invalid_request", -1, "step",
		    "step: more than %d buckets; use a larger step or a "
		    "shorter window", HISTORY_MAX_BUCKETS);
		return (-1);
	}
	return (0);
}

/*
 * A history reply, written a bucket at a time as the client reads
 * (http_reply_pieces()): the buckets are computed at once (the events
 * are freed), and kept as numbers, not as JSON text.
 */
struct history_bucket {
	int64_t			 t;
	struct agent_metrics	 m;
	struct strain		 st;
	enum strain_level	 level;
};

struct history_reply {
	char			*head;		/* the object up to "buckets" */
	struct history_bucket	*b;
	size_t			 n, i;
	int			 stage;		/* 0 head, 1 buckets, 2 done */
};

static int
history_fill(struct http_conn *c, void *arg)
{
	struct history_reply	*hr = arg;
	struct history_bucket	*b;
	char			 ts[TIME_RFC3339_LEN];
	json_t			*o;

	switch (hr->stage) {
	case 0:
		/* The head's JSON without its closing brace. */
		http_piece_add(c, hr->head, strlen(hr->head) - 1);
		http_piece_add(c, ",\"buckets\":[", 12);
		hr->stage = 1;
		return (1);
	case 1:
		break;
	default:
		return (0);
	}
	if (hr->i == hr->n) {
		http_piece_add(c, "]}", 2);
		hr->stage = 2;
		return (0);
	}
	b = &hr->b[hr->i];
	if (hr->i++ > 0)
		http_piece_add(c, ",", 1);
	o = json_pack("{s:s, s:i, s:s, s:o, s:o}", "t",
	    time_format_rfc3339(b->t, ts, sizeof ts),
	    "strain", b->st.score,
	    "level", strain_level_name(b->level),
	    "metrics", api_metrics_json(&b->m),
	    "factors", factors_json(&b->st));
	http_piece_json(c, o);
	json_decref(o);
	return (1);
}

static void
history_free(void *arg)
{
	struct history_reply	*hr = arg;

	free(hr->head);
	free(hr->b);
	free(hr);
}

void
api_history(struct api *api, struct http_conn *c, struct agent *a,
    const struct http_request *req, int64_t now)
{
	struct history_events	 h;
	struct history_reply	*hr;
	struct history_bucket	*b;
	struct agent		*scratch;
	struct api_error	 err;
	enum strain_level	 level = STRAIN_OK;
	int64_t			 from, to, step, step_ms, t;
	char			*cause = NULL;
	json_t			*head;
	size_t			 i = 0;

	now = api_agent_now(a, now);
	if (api_history_window(req->query, now, &from, &to, &step,
	    &err) == -1) {
		api_reply_error(c, API_R_HISTORY, &err);
		return;
	}
	step_ms = step * 1000;

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
	if (h.n > 0)		/* qsort(NULL, 0) is undefined */
		qsort(h.v, h.n, sizeof *h.v, cmp_ts);

	hr = xcalloc(1, sizeof *hr);
	hr->b = xcalloc((size_t)((to - from) / step_ms) + 1, sizeof *hr->b);
	scratch = agent_new(agent_id(a));
	i = 0;
	for (t = from + step_ms; t <= to; t += step_ms) {
		b = &hr->b[hr->n++];
		while (i < h.n && h.v[i].ts_ms <= t)
			agent_apply(scratch, &h.v[i++], &api->mp);
		agent_metrics(scratch, t, &api->mp, &b->m);
		strain_compute(&b->m, &api->ap.strain, &b->st);
		level = strain_level_next(&api->ap.strain, level, b->st.score);
		b->t = t;
		b->level = level;
	}
	agent_free(scratch);
	free(h.v);
	head = json_pack("{s:s, s:I, s:o, s:o}", "agent", agent_id(a),
	    "step_s", (json_int_t)step, "from", api_time(from), "to",
	    api_time(to));
	if ((hr->head = json_dumps(head, JSON_COMPACT)) == NULL)
		fatalx("api_history: out of memory");
	json_decref(head);
	api_reply_pieces(c, API_R_HISTORY, history_fill, history_free, hr);
}
