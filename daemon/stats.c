/*
 * respite - counters for /metrics.
 *
 * Plain process-wide counters: the daemon is single-threaded, and every
 * label set is small and fixed (event types, error codes, routes), so
 * fixed tables are enough.  Names follow Prometheus conventions, prefixed
 * respite_.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "event.h"
#include "stats.h"
#include "strain.h"

static const char *const reject_codes[] = {
	"bad_json", "invalid_event", "invalid_request", "unknown_type",
	"too_large", "unauthorized", "forbidden", "not_found",
	"method_not_allowed", "conflict", "rate_limited", "limit_reached",
	"unavailable", "internal",
};
#define NCODES (sizeof reject_codes / sizeof reject_codes[0])

static const double commit_buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
	2.5,
};
#define NBUCKETS (sizeof commit_buckets / sizeof commit_buckets[0])

#define ROUTES_MAX	32
#define STATUS_MAX	16

static struct {
	unsigned long long	events[RESPITE_EV_COUNT];
	unsigned long long	duplicates;
	unsigned long long	rejects[NCODES];
	unsigned long long	commit_bucket[NBUCKETS];
	unsigned long long	commit_count, commit_failures;
	double			commit_sum;
	struct {
		const char		*route;
		int			 status;
		unsigned long long	 count;
	}			http[ROUTES_MAX * STATUS_MAX];
	size_t			nhttp;
	long long		agents[3];	/* by enum agent_status */
	long long		by_level[4];	/* present, by strain level */
} stats;

void
stats_event(enum respite_event_type t)
{
	if (t > RESPITE_EV_NONE && t < RESPITE_EV_COUNT)
		stats.events[t]++;
}

void
stats_duplicate(void)
{
	stats.duplicates++;
}

void
stats_reject(const char *code)
{
	size_t	i;

	for (i = 0; i < NCODES; i++)
		if (strcmp(reject_codes[i], code) == 0)
			stats.rejects[i]++;
}

/* One commit that took seconds; ok is 1 if it succeeded. */
void
stats_commit(double seconds, int ok)
{
	size_t	i;

	if (!ok) {
		stats.commit_failures++;
		return;
	}
	for (i = 0; i < NBUCKETS; i++)
		if (seconds <= commit_buckets[i])
			stats.commit_bucket[i]++;
	stats.commit_count++;
	stats.commit_sum += seconds;
}

/* One HTTP reply; route is a static string naming the route pattern. */
void
stats_http(const char *route, int status)
{
	size_t	i;

	for (i = 0; i < stats.nhttp; i++) {
		if (stats.http[i].route == route &&
		    stats.http[i].status == status) {
			stats.http[i].count++;
			return;
		}
	}
	if (stats.nhttp == sizeof stats.http / sizeof stats.http[0])
		return;
	stats.http[stats.nhttp].route = route;
	stats.http[stats.nhttp].status = status;
	stats.http[stats.nhttp].count = 1;
	stats.nhttp++;
}

void
stats_write(FILE *f)
{
	size_t	i;
	int	t;

	fprintf(f, "# HELP respite_events_ingested_total Events newly stored, "
	    "by type.\n# TYPE respite_events_ingested_total counter\n");
	for (t = RESPITE_EV_NONE + 1; t < RESPITE_EV_COUNT; t++)
		fprintf(f, "respite_events_ingested_total{type=\"%s\"} %llu\n",
		    event_type_name(t), stats.events[t]);
	fprintf(f, "# HELP respite_events_duplicate_total Events acknowledged "
	    "as duplicates of a known id.\n"
	    "# TYPE respite_events_duplicate_total counter\n"
	    "respite_events_duplicate_total %llu\n", stats.duplicates);
	fprintf(f, "# HELP respite_rejects_total Error replies, by code.\n"
	    "# TYPE respite_rejects_total counter\n");
	for (i = 0; i < NCODES; i++)
		fprintf(f, "respite_rejects_total{code=\"%s\"} %llu\n",
		    reject_codes[i], stats.rejects[i]);
	fprintf(f, "# HELP respite_commit_seconds Group commit latency.\n"
	    "# TYPE respite_commit_seconds histogram\n");
	for (i = 0; i < NBUCKETS; i++)
		fprintf(f, "respite_commit_seconds_bucket{le=\"%g\"} %llu\n",
		    commit_buckets[i], stats.commit_bucket[i]);
	fprintf(f, "respite_commit_seconds_bucket{le=\"+Inf\"} %llu\n"
	    "respite_commit_seconds_sum %.6f\n"
	    "respite_commit_seconds_count %llu\n", stats.commit_count,
	    stats.commit_sum, stats.commit_count);
	fprintf(f, "# HELP respite_commit_failures_total Group commits that "
	    "failed and were rolled back.\n"
	    "# TYPE respite_commit_failures_total counter\n"
	    "respite_commit_failures_total %llu\n", stats.commit_failures);
	fprintf(f, "# HELP respite_http_requests_total HTTP replies, by route "
	    "and status.\n# TYPE respite_http_requests_total counter\n");
	for (i = 0; i < stats.nhttp; i++)
		fprintf(f, "respite_http_requests_total{route=\"%s\","
		    "status=\"%d\"} %llu\n", stats.http[i].route,
		    stats.http[i].status, stats.http[i].count);
}

/* Events newly stored since start-up, all types (for the service status). */
unsigned long long
stats_events_total(void)
{
	unsigned long long	n = 0;
	int			t;

	for (t = RESPITE_EV_NONE + 1; t < RESPITE_EV_COUNT; t++)
		n += stats.events[t];
	return (n);
}

/*
 * Count an agent in (sign 1) or out (-1) with its status and level as
 * the advisor last set them (daemon/advise.c counts every change out and
 * in again), so /metrics reads the counts instead of going over every
 * agent.
 */
void
stats_agent(int status, int level, int sign)
{
	if (status < 0 || status > 2 || level < 0 || level > 3)
		return;
	stats.agents[status] += sign;
	if (status != AGENT_OFFLINE)
		stats.by_level[level] += sign;
}

void
stats_write_agents(FILE *f)
{
	int	i;

	fprintf(f, "# HELP respite_agents Agents known, by status.\n"
	    "# TYPE respite_agents gauge\n");
	for (i = 0; i < 3; i++)
		fprintf(f, "respite_agents{status=\"%s\"} %lld\n",
		    agent_status_name((enum agent_status)i), stats.agents[i]);
	fprintf(f, "# HELP respite_agents_by_level Agents present (not "
	    "offline), by strain level as last evaluated.\n"
	    "# TYPE respite_agents_by_level gauge\n");
	for (i = 0; i < 4; i++)
		fprintf(f, "respite_agents_by_level{level=\"%s\"} %lld\n",
		    strain_level_name((enum strain_level)i), stats.by_level[i]);
}
