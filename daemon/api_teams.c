/*
 * respite - GET /v1/teams and GET /v1/teams/{team}.
 *
 * Team figures computed from the model at request time: who is working
 * or on a break, the strain distribution of the agents present (mean,
 * p50, p90, max; offline agents are not counted), agents by level,
 * hostile messages in the last hour, open tickets, and the lead
 * suggestions still open.  A lead in aggregate privacy mode gets the
 * snapshot of aggview.c instead.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "api_handlers.h"
#include "auth.h"
#include "event.h"
#include "strain.h"
#include "timeutil.h"
#include "xmalloc.h"

static int
cmp_int(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

/* Nearest-rank percentile of sorted v. */
static int
pct(const int *v, size_t n, int p)
{
	size_t	rank;

	if (n == 0)
		return (0);
	rank = (size_t)((p * n + 99) / 100);
	return (v[rank > 0 ? rank - 1 : 0]);
}

static json_t *
team_json(struct api *api, const char *team, struct agent **v, size_t n,
    int64_t now)
{
	struct agent_metrics	 m;
	struct advise_view	 av;
	size_t			 i, k = 0, by_status[3] = { 0, 0, 0 };
	size_t			 by_level[4] = { 0, 0, 0, 0 };
	long			 hostile = 0, open = 0;
	int			*strain;
	double			 sum = 0;
	json_t			*o;

	strain = xcalloc(n + 1, sizeof *strain);
	for (i = 0; i < n; i++) {
		int64_t	t = api_agent_now(v[i], now);

		by_status[agent_status(v[i])]++;
		agent_metrics(v[i], t, &api->mp, &m);
		hostile += m.hostile_last_hour;
		open += m.open_tickets;
		if (agent_status(v[i]) == AGENT_OFFLINE)
			continue;
		advise_level_metrics(api->advise, v[i], &m, &av);
		by_level[av.level]++;
		strain[k++] = av.strain;
		sum += av.strain;
	}
	qsort(strain, k, sizeof *strain, cmp_int);
	o = json_pack("{s:s, s:I, s:{s:I, s:I, s:I}, s:{s:f, s:i, s:i, s:i}, "
	    "s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I}",
	    "team", team,
	    "agents", (json_int_t)n,
	    "status", "working", (json_int_t)by_status[AGENT_WORKING],
	    "on_break", (json_int_t)by_status[AGENT_ON_BREAK],
	    "offline", (json_int_t)by_status[AGENT_OFFLINE],
	    "strain", "mean", k > 0 ? sum / (double)k : 0.0,
	    "p50", pct(strain, k, 50), "p90", pct(strain, k, 90),
	    "max", k > 0 ? strain[k - 1] : 0,
	    "levels", "ok", (json_int_t)by_level[STRAIN_OK],
	    "elevated", (json_int_t)by_level[STRAIN_ELEVATED],
	    "high", (json_int_t)by_level[STRAIN_HIGH],
	    "critical", (json_int_t)by_level[STRAIN_CRITICAL],
	    "hostile_last_hour", (json_int_t)hostile,
	    "open_tickets", (json_int_t)open,
	    "open_lead_suggestions",
	    (json_int_t)advise_open_lead_for_team(api->advise, team));
	free(strain);
	return (o);
}

static int
cmp_team(const void *a, const void *b)
{
	const struct agent	*x = *(struct agent *const *)a;
	const struct agent	*y = *(struct agent *const *)b;
	int			 c = strcmp(agent_team(x), agent_team(y));

	return (c != 0 ? c : strcmp(agent_id(x), agent_id(y)));
}

/*
 * The snapshot of every team's figures at boundary (aggview.c), from the
 * model as it is: the caller takes it before applying anything at or
 * after the boundary, so the members' metrics are evaluated at it.
 */
static void
snapshot_take(struct api *api, int64_t boundary)
{
	struct agent_metrics	 m;
	struct aggview_member	*mv;
	struct aggview_figs	 f;
	struct strain		 st;
	struct agent		**all;
	size_t			 n, i, j, k;

	all = agents_sorted(api->agents, &n);
	qsort(all, n, sizeof *all, cmp_team);
	mv = xcalloc(n + 1, sizeof *mv);
	aggview_begin(api->aggview, boundary);
	for (i = 0; i < n; i = j) {
		const char	*t = agent_team(all[i]);

		for (j = i + 1; j < n && strcmp(agent_team(all[j]), t) == 0; j++)
			;
		if (*t == '\0')
			continue;
		for (k = i; k < j; k++) {
			struct aggview_member	*e = &mv[k - i];

			agent_metrics(all[k], api_agent_now(all[k], boundary),
			    &api->mp, &m);
			e->status = agent_status(all[k]);
			e->hostile = m.hostile_last_hour;
			e->open = m.open_tickets;
			if (api->advise != NULL) {
				struct advise_view	av;

				advise_level_metrics(api->advise, all[k], &m,
				    &av);
				e->strain = av.strain;
				e->level = (int)av.level;
			} else {
				strain_compute(&m, &api->ap.strain, &st);
				e->strain = st.score;
				e->level = (int)strain_level_of(&api->ap.strain,
				    st.score);
			}
		}
		aggview_figures(mv, j - i, api->cf->min_group, &f);
		aggview_put(api->aggview, t, &f);
	}
	free(mv);
	free(all);
}

/*
 * The model's clock reached t (an event's time or arrival, the minute
 * timer): take the aggregate snapshot if t crossed a boundary.  Called
 * before the event that brought the clock there is applied.
 */
void
api_teams_clock(struct api *api, int64_t t)
{
	int64_t	b;

	if (api->aggview == NULL)
		return;
	if (aggview_advance(api->aggview, t,
	    (int64_t)api->cf->aggregate_refresh_min * MS_PER_MIN, &b))
		snapshot_take(api, b);
}

/*
 * A team as a lead in aggregate privacy mode sees it: the snapshot's
 * figures over its working agents, none of them below min_group, never
 * max or p90 (MODEL.md "Privacy modes").
 */
static json_t *
team_json_aggregate(struct api *api, const char *team)
{
	const struct aggview_figs	*f = NULL;
	int64_t				 as_of = -1;
	json_t				*o;

	if (api->aggview != NULL) {
		f = aggview_get(api->aggview, team);
		as_of = aggview_as_of(api->aggview);
	}
	o = json_pack("{s:s, s:o, s:o, s:I}", "team", team,
	    "as_of", as_of >= 0 ? api_time(as_of) : json_null(),
	    "next_at", as_of >= 0 ? api_time(as_of +
	    (int64_t)api->cf->aggregate_refresh_min * MS_PER_MIN) : json_null(),
	    "open_lead_suggestions",
	    (json_int_t)advise_open_lead_for_team(api->advise, team));
	if (f == NULL) {
		json_object_set_new(o, "agents", json_null());
		json_object_set_new(o, "status", json_null());
	} else {
		json_object_set_new(o, "agents", json_integer(
		    (json_int_t)f->agents));
		json_object_set_new(o, "status", json_pack("{s:I, s:I, s:I}",
		    "working", (json_int_t)f->working,
		    "on_break", (json_int_t)f->on_break,
		    "offline", (json_int_t)f->offline));
	}
	if (f == NULL || f->withheld) {
		json_object_set_new(o, "strain", json_null());
		json_object_set_new(o, "levels", json_null());
		json_object_set_new(o, "hostile_last_hour", json_null());
		json_object_set_new(o, "open_tickets", json_null());
		json_object_set_new(o, "suppressed", f == NULL ?
		    json_string("privacy mode aggregate: team figures are "
		    "taken at aggregate_refresh_min boundaries, over at least "
		    "min_group agents working; none yet for this team") :
		    json_sprintf("privacy mode aggregate: team figures need "
		    "at least min_group (%zu) agents working; %zu were",
		    api->cf->min_group, f->working));
		return (o);
	}
	json_object_set_new(o, "strain", json_pack("{s:f, s:i}",
	    "mean", f->mean, "p50", f->p50));
	json_object_set_new(o, "levels", json_pack("{s:I, s:I, s:I, s:I}",
	    "ok", (json_int_t)f->levels[STRAIN_OK],
	    "elevated", (json_int_t)f->levels[STRAIN_ELEVATED],
	    "high", (json_int_t)f->levels[STRAIN_HIGH],
	    "critical", (json_int_t)f->levels[STRAIN_CRITICAL]));
	json_object_set_new(o, "hostile_last_hour",
	    json_integer((json_int_t)f->hostile));
	json_object_set_new(o, "open_tickets",
	    json_integer((json_int_t)f->open));
	return (o);
}

/* team NULL lists every team; else the one team or 404. */
void
api_teams(struct api *api, struct http_conn *c, const char *team,
    int64_t now)
{
	struct agent	**all;
	const char	 *route = team != NULL ? API_R_TEAM : API_R_TEAMS;
	json_t		 *list;
	size_t		  n, i, j;

	if (team != NULL && !event_name_valid(team)) {
		api_fail(c, route, 404, "not_found", NULL, "no team \"%.64s\"",
		    team);
		return;
	}
	if (team != NULL)
		all = agents_team_sorted(api->agents, team, &n);
	else {
		/* Stable order: by team, then by agent id. */
		all = agents_sorted(api->agents, &n);
		qsort(all, n, sizeof *all, cmp_team);
	}
	list = json_array();
	for (i = 0; i < n; i = j) {
		const char	*t = agent_team(all[i]);

		for (j = i + 1; j < n && strcmp(agent_team(all[j]), t) == 0; j++)
			;
		if (*t == '\0' || (team != NULL && strcmp(t, team) != 0) ||
		    !auth_may_read_team(&api->who, t))
			continue;
		json_array_append_new(list, api_lead_aggregate(api) ?
		    team_json_aggregate(api, t) : team_json(api, t, all + i,
		    j - i, now));
	}
	free(all);
	if (team == NULL) {
		api_reply_json(c, route, 200, json_pack("{s:o}", "teams", list));
		return;
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		api_fail(c, route, 404, "not_found", NULL, "no team \"%.64s\"",
		    team);
		return;
	}
	api_reply_json(c, route, 200, json_incref(json_array_get(list, 0)));
	json_decref(list);
}
