/*
 * respite - GET /v1/agents/{id}/days and GET /v1/teams/{team}/days.
 *
 * The agent days of days.c: the stored ones (agent_days) and, over them,
 * those held in memory (today's, live, and any not yet written).  Dates
 * are YYYY-MM-DD, from and to inclusive, by default the 28 days up to
 * today (the agent's local day; for a team, the day of [model]
 * timezone), at most DAYS_SPAN_MAX days in one request.  A team's days
 * sum its agents' days by date; in aggregate privacy mode a lead gets
 * only the dates with at least min_group agents.
 */
#include "build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "event.h"
#include "log.h"
#include "query.h"
#include "timeutil.h"
#include "trend.h"
#include "xmalloc.h"

#define DAYS_DEFAULT	28	/* days in a request by default */
#define DAYS_SPAN_MAX	400	/* days in one request, at most */

struct day_list {
	struct store_day	*v;
	unsigned char		*mem;		/* held in memory */
	size_t			 n, cap;
	const char		*agent, *team;	/* the filter */
	char			 from[TIME_DATE_LEN], to[TIME_DATE_LEN];
};

static void
list_add(struct day_list *l, const struct store_day *d, int mem)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
		l->mem = xreallocarray(l->mem, l->cap, sizeof *l->mem);
	}
	l->v[l->n] = *d;
	l->mem[l->n++] = (unsigned char)mem;
}

static int
stored_cb(const struct store_day *d, void *arg)
{
	list_add(arg, d, 0);
	return (0);
}

static void
memory_cb(const struct store_day *d, void *arg)
{
	struct day_list	*l = arg;

	if ((l->agent != NULL && strcmp(d->agent, l->agent) != 0) ||
	    (l->team != NULL && strcmp(d->team, l->team) != 0) ||
	    strcmp(d->date, l->from) < 0 || strcmp(d->date, l->to) > 0)
		return;
	list_add(l, d, 1);
}

/* Order: date, agent, the one in memory first. */
static struct day_list	*sort_list;

static int
cmp_day(const void *a, const void *b)
{
	size_t	i = *(const size_t *)a, j = *(const size_t *)b;
	int	c;

	if ((c = strcmp(sort_list->v[i].date, sort_list->v[j].date)) != 0 ||
	    (c = strcmp(sort_list->v[i].agent, sort_list->v[j].agent)) != 0)
		return (c);
	return ((int)sort_list->mem[j] - (int)sort_list->mem[i]);
}

/*
 * The days of agent or team from..to: stored, and over them those in
 * memory.  Returns the indexes into l->v in order, one a day and agent
 * (*n of them; free it), or NULL with *n 0 on a storage error (logged).
 */
static size_t *
collect(struct api *api, struct day_list *l, size_t *n, int *failed)
{
	size_t	*idx, i, k = 0;
	char	*cause = NULL;

	*failed = 0;
	if (store_days_foreach(api->store, l->agent, l->team, l->from, l->to,
	    0, stored_cb, l, &cause) == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
		*failed = 1;
	}
	days_foreach(api->days, memory_cb, l);
	idx = xcalloc(l->n + 1, sizeof *idx);
	for (i = 0; i < l->n; i++)
		idx[i] = i;
	sort_list = l;
	if (l->n > 1)
		qsort(idx, l->n, sizeof *idx, cmp_day);
	for (i = 0; i < l->n; i++)
		if (k == 0 || strcmp(l->v[idx[k - 1]].date,
		    l->v[idx[i]].date) != 0 || strcmp(l->v[idx[k - 1]].agent,
		    l->v[idx[i]].agent) != 0)
			idx[k++] = idx[i];
	*n = k;
	return (idx);
}

static json_int_t
nonneg(int64_t v)
{
	return ((json_int_t)(v > 0 ? v : 0));
}

static json_t *
contacts_json(const int64_t *c)
{
	return (json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
	    "phone", nonneg(c[RESPITE_CH_PHONE]),
	    "chat", nonneg(c[RESPITE_CH_CHAT]),
	    "email", nonneg(c[RESPITE_CH_EMAIL]),
	    "social", nonneg(c[RESPITE_CH_SOCIAL]),
	    "messaging", nonneg(c[RESPITE_CH_MESSAGING]),
	    "other", nonneg(c[RESPITE_CH_OTHER] + c[RESPITE_CH_NONE])));
}

static json_t *
sugg_counts_json(const int64_t *s)
{
	return (json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "raised", nonneg(s[STORE_DAY_RAISED]),
	    "accepted", nonneg(s[STORE_DAY_ACCEPTED]),
	    "dismissed", nonneg(s[STORE_DAY_DISMISSED]),
	    "snoozed", nonneg(s[STORE_DAY_SNOOZED]),
	    "expired", nonneg(s[STORE_DAY_EXPIRED])));
}

/*
 * An agent's day, as API.md has it (new reference); final once the day
 * ended by now (the agent's), though the timer may not have written it.
 */
static json_t *
day_json(const struct store_day *d, int64_t now)
{
	int64_t	mean = 0;

	/* The mean of the samples, rounded half up. */
	if (d->strain_samples > 0)
		mean = (2 * d->strain_sum + d->strain_samples) /
		    (2 * d->strain_samples);
	return (json_pack("{s:s, s:I, s:I, s:o, s:I, s:I, s:f, s:I, s:I, "
	    "s:I, s:I, s:o, s:b}",
	    "date", d->date,
	    "worked_min", nonneg(d->worked_min),
	    "break_min", nonneg(d->break_min),
	    "contacts", contacts_json(d->contacts),
	    "handled", nonneg(d->handled),
	    "hostile", nonneg(d->hostile),
	    "exposure_peak", round(d->exposure_peak * 100) / 100,
	    "strain_mean", (json_int_t)mean,
	    "strain_peak", nonneg(d->strain_peak),
	    "high_min", nonneg(d->high_min),
	    "longest_stretch_min", nonneg(d->longest_stretch_min),
	    "suggestions", sugg_counts_json(d->sugg),
	    "final", d->final || d->end <= now));
}

/*
 * from and to of a request (days since 1970) from its query, today the
 * default to.  Returns 0, or -1 with err set (400 invalid_request).
 */
int
api_days_range(const char *query, int64_t today, int64_t *from, int64_t *to,
    struct api_error *err)
{
	int	has_from;

	*to = today;
	if (query_date(query, "to", to) == -1) {
		api_error_set(err, 400, "invalid_request", -1, "to",
		    "to: must be a date YYYY-MM-DD, 1970 to 9999");
		return (-1);
	}
	*from = *to - (DAYS_DEFAULT - 1);
	if ((has_from = query_date(query, "from", from)) == -1) {
		api_error_set(err, 400, "invalid_request", -1, "from",
		    "from: must be a date YYYY-MM-DD, 1970 to 9999");
		return (-1);
	}
	if (*from > *to) {
		api_error_set(err, 400, "invalid_request", -1,
		    has_from ? "from" : "to", "%s: from must not be after to",
		    has_from ? "from" : "to");
		return (-1);
	}
	if (*to - *from >= DAYS_SPAN_MAX) {
		api_error_set(err, 400, "invalid_request", -1, "from",
		    "from: at most %d days in one request", DAYS_SPAN_MAX);
		return (-1);
	}
	if (*from < 0)
		*from = 0;
	return (0);
}

/* The newest day of agent id held in memory, or NULL. */
static const struct store_day *
newest_in_memory(struct api *api, const char *id)
{
	const struct store_day	*v[DAYS_KEPT];
	size_t			 n;

	n = days_of_agent(api->days, id, v, DAYS_KEPT);
	return (n > 0 ? v[n - 1] : NULL);
}

static int
last_stored_cb(const struct store_day *d, void *arg)
{
	*(struct store_day *)arg = *d;
	return (0);
}

/*
 * Is agent id known (the model, its days, its events)?  Its team in
 * team (for the access rules) and its zone in tz.  1 or 0.
 */
int
api_days_agent(struct api *api, const char *id, char *team, size_t teamlen,
    char *tz, size_t tzlen)
{
	const struct store_day	*m;
	struct store_day	 last;
	struct agent		*a, *idle;
	char			*cause = NULL;
	int			 known = 0;

	*team = *tz = '\0';
	if (!event_name_valid(id))
		return (0);
	/* The team from the first that knows the agent, the zone likewise. */
	if ((a = agents_get(api->agents, id)) != NULL) {
		snprintf(team, teamlen, "%s", agent_team(a));
		snprintf(tz, tzlen, "%s", agent_tz(a));
		known = 1;
	}
	if ((!known || *tz == '\0') &&
	    (m = newest_in_memory(api, id)) != NULL) {
		if (!known)
			snprintf(team, teamlen, "%s", m->team);
		snprintf(tz, tzlen, "%s", m->tz);
		known = 1;
	}
	if (!known || *tz == '\0') {
		last.agent[0] = '\0';
		if (store_days_foreach(api->store, id, NULL, NULL, NULL, 0,
		    last_stored_cb, &last, &cause) == -1) {
			log_warnx("storage: %s", cause);
			free(cause);
		}
		if (last.agent[0] != '\0') {
			if (!known)
				snprintf(team, teamlen, "%s", last.team);
			snprintf(tz, tzlen, "%s", last.tz);
			known = 1;
		}
	}
	if (!known && (idle = api_forgotten_agent(api, id)) != NULL) {
		snprintf(team, teamlen, "%s", agent_team(idle));
		agent_free(idle);
		known = 1;
	}
	if (*tz == '\0')
		snprintf(tz, tzlen, "%s", api->mp.timezone);
	return (known);
}

/* GET /v1/agents/{id}/days: the access rules were checked. */
void
api_agent_days(struct api *api, struct http_conn *c, const char *id,
    const char *tz, const struct http_request *req, int64_t now)
{
	struct day_list		 l;
	struct api_error	 err;
	struct time_day		 today;
	struct agent		*a;
	int64_t			 from, to;
	size_t			*idx, n, i;
	json_t			*days;
	int			 failed;

	if ((a = agents_get(api->agents, id)) != NULL)
		now = api_agent_now(a, now);
	time_day(tz, now, api->mp.day_starts_at_min, &today);
	if (api_days_range(req->query, today.date, &from, &to, &err) == -1) {
		api_reply_error(c, API_R_AGENT_DAYS, &err);
		return;
	}
	memset(&l, 0, sizeof l);
	l.agent = id;
	time_date_format(from, l.from, sizeof l.from);
	time_date_format(to, l.to, sizeof l.to);
	idx = collect(api, &l, &n, &failed);
	if (failed) {
		api_fail(c, API_R_AGENT_DAYS, 503, "unavailable", NULL,
		    "storage is failing");
		goto out;
	}
	days = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(days, day_json(&l.v[idx[i]], now));
	api_reply_json(c, API_R_AGENT_DAYS, 200, json_pack("{s:s, s:s, s:s, "
	    "s:s, s:o}", "agent", id, "tz", tz, "from", l.from, "to", l.to,
	    "days", days));
out:
	free(idx);
	free(l.v);
	free(l.mem);
}

/*
 * GET /v1/agents/{id}/trend: the access rules were checked.  The days of
 * the window and the baseline (trend.c), as GET /v1/agents/{id}/days
 * has them, on the agent's today.
 */
void
api_agent_trend(struct api *api, struct http_conn *c, const char *id,
    const char *tz, int64_t now)
{
	struct day_list		 l;
	struct trend_params	 tp;
	struct trend		 t;
	struct time_day		 today;
	struct store_day	*v;
	struct agent		*a;
	size_t			*idx, n, i;
	json_t			*signals;
	int			 failed;

	if ((a = agents_get(api->agents, id)) != NULL)
		now = api_agent_now(a, now);
	time_day(tz, now, api->mp.day_starts_at_min, &today);
	memset(&l, 0, sizeof l);
	l.agent = id;
	time_date_format(today.date - TREND_WINDOW_DAYS - TREND_BASELINE_DAYS,
	    l.from, sizeof l.from);
	time_date_format(today.date - 1, l.to, sizeof l.to);
	idx = collect(api, &l, &n, &failed);
	if (failed) {
		api_fail(c, API_R_AGENT_TREND, 503, "unavailable", NULL,
		    "storage is failing");
		goto out;
	}
	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = l.v[idx[i]];
	trend_params_from_config(api->cf, &tp);
	trend_compute(v, n, today.date, &tp, &t);
	free(v);
	signals = json_array();
	for (i = 0; i < t.nsignals; i++)
		json_array_append_new(signals, json_pack("{s:s, s:I, s:f, s:s}",
		    "name", t.signals[i].name,
		    "value", (json_int_t)t.signals[i].value,
		    "baseline", t.signals[i].baseline,
		    "reason", t.signals[i].reason));
	api_reply_json(c, API_R_AGENT_TREND, 200, json_pack("{s:s, s:i, s:i, "
	    "s:s, s:o}", "agent", id, "window_days", t.window_days,
	    "baseline_days", t.baseline_days, "risk", trend_risk_name(t.risk),
	    "signals", signals));
out:
	free(idx);
	free(l.v);
	free(l.mem);
}

/* A team's day: sums, and the mean of its agents' mean strain. */
static json_t *
team_day_json(const struct store_day *const *v, size_t n)
{
	struct store_day	 s;
	double			 mean = 0;
	size_t			 i, k, nmean = 0;
	int			 j;

	memset(&s, 0, sizeof s);
	for (i = 0; i < n; i++) {
		const struct store_day	*d = v[i];

		s.worked_min += d->worked_min;
		s.break_min += d->break_min;
		for (j = 0; j < RESPITE_CH_COUNT; j++)
			s.contacts[j] += d->contacts[j];
		s.handled += d->handled;
		s.hostile += d->hostile;
		s.high_min += d->high_min;
		for (k = 0; k < STORE_DAY_SUGG; k++)
			s.sugg[k] += d->sugg[k];
		if (d->strain_samples > 0) {
			mean += (double)d->strain_sum /
			    (double)d->strain_samples;
			nmean++;
		}
	}
	return (json_pack("{s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:f, s:I, "
	    "s:o}",
	    "date", v[0]->date,
	    "agents", (json_int_t)n,
	    "worked_min", nonneg(s.worked_min),
	    "break_min", nonneg(s.break_min),
	    "contacts", contacts_json(s.contacts),
	    "handled", nonneg(s.handled),
	    "hostile", nonneg(s.hostile),
	    "strain_mean", nmean > 0 ? round(mean / (double)nmean * 10) / 10 :
	    0.0,
	    "high_min", nonneg(s.high_min),
	    "suggestions", sugg_counts_json(s.sugg)));
}

static int
any_cb(const struct store_day *d, void *arg)
{
	(void)d;
	*(int *)arg = 1;
	return (1);
}

/* GET /v1/teams/{team}/days: the access rules were checked. */
void
api_team_days(struct api *api, struct http_conn *c, const char *team,
    const struct http_request *req, int64_t now)
{
	const struct store_day	**group;
	struct day_list		  l;
	struct api_error	  err;
	struct time_day		  today;
	int64_t			  from, to;
	size_t			 *idx, n, i, j, k;
	json_t			 *days;
	char			 *cause = NULL;
	int			  failed, known, aggregate = api_lead_aggregate(api);

	if (!event_name_valid(team)) {
		api_fail(c, API_R_TEAM_DAYS, 404, "not_found", NULL,
		    "no team \"%.64s\"", team);
		return;
	}
	time_day(api->mp.timezone, now, api->mp.day_starts_at_min, &today);
	if (api_days_range(req->query, today.date, &from, &to, &err) == -1) {
		api_reply_error(c, API_R_TEAM_DAYS, &err);
		return;
	}
	memset(&l, 0, sizeof l);
	l.team = team;
	time_date_format(from, l.from, sizeof l.from);
	time_date_format(to, l.to, sizeof l.to);
	idx = collect(api, &l, &n, &failed);
	if (failed) {
		api_fail(c, API_R_TEAM_DAYS, 503, "unavailable", NULL,
		    "storage is failing");
		goto out;
	}
	known = n > 0 || agents_has_team(api->agents, team);
	if (!known && store_days_foreach(api->store, NULL, team, NULL, NULL,
	    0, any_cb, &known, &cause) == -1) {
		log_warnx("storage: %s", cause);
		free(cause);
	}
	if (!known) {
		api_fail(c, API_R_TEAM_DAYS, 404, "not_found", NULL,
		    "no team \"%.64s\"", team);
		goto out;
	}
	group = xcalloc(n + 1, sizeof *group);
	days = json_array();
	for (i = 0; i < n; i = j) {
		k = 0;
		for (j = i; j < n && strcmp(l.v[idx[j]].date,
		    l.v[idx[i]].date) == 0; j++)
			group[k++] = &l.v[idx[j]];
		/* Aggregate privacy mode: no day of fewer than min_group. */
		if (aggregate && k < api->cf->min_group)
			continue;
		json_array_append_new(days, team_day_json(group, k));
	}
	free(group);
	api_reply_json(c, API_R_TEAM_DAYS, 200, json_pack("{s:s, s:s, s:s, "
	    "s:o}", "team", team, "from", l.from, "to", l.to, "days", days));
out:
	free(idx);
	free(l.v);
	free(l.mem);
}
