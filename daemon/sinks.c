/*
 * respite - sinks: each stored suggestion change, handed to the sink
 * plugins (ARCHITECTURE.md step 6, beside the SSE stream).
 *
 * The outbox calls sinks_outbox_cb() once the change is committed, so a
 * sink never hears of a suggestion a restart could take back.  Here the
 * daemon's struct suggestion becomes the ABI's struct respite_suggestion
 * (plugin.h), with its API JSON and what kind of change it was.
 *
 * A sink that has to drop changes (a full queue, retries exhausted) says
 * so with respite_sink_dropped(): counted per sink for /metrics
 * (respite_sink_dropped_total{sink}) and logged at most once a minute a
 * sink, with the count, for as long as it goes on.
 */
#include "build.h"

#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "plugins.h"
#include "sinks.h"
#include "suggest.h"
#include "timeutil.h"

/* What changed, from the suggestion's state after the change. */
const char *
sinks_change_name(const struct suggestion *s)
{
	switch (s->status) {
	case SS_OPEN:
		return (s->updated_at == s->created_at ? "raised" :
		    "reopened");
	case SS_EXPIRED:
		return ("expired");
	default:
		return ("answered");
	}
}

/* The outbox's callback: json is the object it stored for s. */
void
sinks_outbox_cb(const struct suggestion *s, const char *json, int64_t item,
    void *arg)
{
	(void)item;
	sinks_deliver(s, json, 0, arg);
}

/*
 * Hand s (json: the object stored for it) to every sink; ticket (0:
 * none) for the sinks that take it on to confirm later (plugin.h,
 * respite_sink_hold()).  Returns the number of holds taken.  arg is
 * the struct plugins.
 */
unsigned int
sinks_deliver(const struct suggestion *s, const char *json, uint64_t ticket,
    void *arg)
{
	const struct plugins		*ps = arg;
	struct respite_suggestion	 rs;
	char				 id[32];

	if (json == NULL || plugins_count(ps, RESPITE_PLUGIN_SINK) == 0)
		return (0);
	sugg_format_id(s->seq, id, sizeof id);
	memset(&rs, 0, sizeof rs);
	rs.id = id;
	rs.kind = sugg_kind_name(s->kind);
	rs.agent = s->agent;
	rs.team = s->team;
	rs.status = sugg_status_name(s->status);
	rs.priority = sugg_priority_name(s->priority);
	rs.audience = sugg_audience(s);
	rs.reason = s->reason;
	rs.minutes = s->minutes;
	rs.created_ms = s->created_at;
	rs.json = json;
	rs.json_len = strlen(json);
	rs.updated_ms = s->updated_at;
	rs.change = sinks_change_name(s);
	return (plugins_deliver(ps, &rs, ticket));
}

#define SINKS_DROPS_MAX		16	/* sinks counted; more are loaded rarely */
#define SINKS_LOG_EVERY_S	60

struct sink_drops {
	char			 name[64];
	unsigned long long	 total;
	unsigned long long	 unlogged;	/* since the last line */
	double			 logged_at;	/* monotonic s of that line */
	struct event		*timer;		/* logs what is unlogged */
};

static struct sink_drops	drops[SINKS_DROPS_MAX];
static size_t			ndrops;

static void
drops_log(struct sink_drops *d, double now)
{
	log_warnx("sink %s: %llu suggestion change%s dropped%s (%llu since "
	    "start)", d->name, d->unlogged, d->unlogged == 1 ? "" : "s",
	    d->logged_at > 0 ? " in the last minute" : "", d->total);
	d->unlogged = 0;
	d->logged_at = now;
}

static void
drops_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sink_drops	*d = arg;

	(void)fd;
	(void)what;
	if (d->unlogged > 0)
		drops_log(d, time_monotonic_s());
}

/*
 * Sink name dropped n changes at now (monotonic seconds): count them,
 * and log now if the sink's last line is a minute old, else when it is.
 */
void
sinks_dropped(const char *name, unsigned long n, double now)
{
	struct sink_drops	*d = NULL;
	struct event_base	*base;
	struct timeval		 tv;
	double			 wait;
	size_t			 i;

	if (n == 0)
		return;
	for (i = 0; i < ndrops; i++)
		if (strcmp(drops[i].name, name) == 0)
			d = &drops[i];
	if (d == NULL) {
		if (ndrops == SINKS_DROPS_MAX)
			return;
		d = &drops[ndrops++];
		snprintf(d->name, sizeof d->name, "%s", name);
		d->logged_at = -SINKS_LOG_EVERY_S;
	}
	d->total += n;
	d->unlogged += n;
	if (now - d->logged_at >= SINKS_LOG_EVERY_S) {
		drops_log(d, now);
		return;
	}
	if (d->timer == NULL && (base = respite_event_base()) != NULL)
		d->timer = evtimer_new(base, drops_timer_cb, d);
	if (d->timer != NULL && !evtimer_pending(d->timer, NULL)) {
		wait = d->logged_at + SINKS_LOG_EVERY_S - now;
		tv.tv_sec = (time_t)wait;
		tv.tv_usec = (suseconds_t)((wait - (double)tv.tv_sec) * 1e6);
		evtimer_add(d->timer, &tv);
	}
}

/* respite_sink_dropped_total{sink} for every sink loaded. */
void
sinks_write_metrics(FILE *f, const struct plugins *ps)
{
	const char		*name;
	unsigned long long	 n;
	size_t			 i, k;

	fprintf(f, "# HELP respite_sink_dropped_total Suggestion changes a "
	    "sink dropped undelivered (queue full, retries exhausted).\n"
	    "# TYPE respite_sink_dropped_total counter\n");
	for (i = 0; (name = plugins_name(ps, RESPITE_PLUGIN_SINK, i)) != NULL;
	    i++) {
		n = 0;
		for (k = 0; k < ndrops; k++)
			if (strcmp(drops[k].name, name) == 0)
				n = drops[k].total;
		fprintf(f, "respite_sink_dropped_total{sink=\"%s\"} %llu\n",
		    name, n);
	}
}

/* At shutdown, before the event base goes. */
void
sinks_drops_free(void)
{
	size_t	i;

	for (i = 0; i < ndrops; i++) {
		if (drops[i].timer != NULL)
			event_free(drops[i].timer);
		drops[i].timer = NULL;
	}
}
