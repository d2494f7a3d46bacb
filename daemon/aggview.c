/*
 * respite - team figures for a lead in aggregate privacy mode.
 *
 * MODEL.md: aggregate mode must survive differencing.  So a lead's team
 * figures are a snapshot taken when the model's clock crosses an
 * aggregate_refresh_min boundary (of epoch time), held until the next:
 * two reads a minute apart, before and after one agent logs off, show the
 * same figures.  The clock is the newest time the model has seen (an
 * event's ts or its arrival, the minute timer), so it never goes back and
 * a replayed day crosses the same boundaries.  The figures count the
 * working agents only, and every one of them is withheld when fewer than
 * min_group are working; max and p90 are not kept at all.
 * Nothing here reads the clock: times are passed in.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggview.h"
#include "xmalloc.h"

struct aggview_team {
	char			name[RESPITE_NAME_MAX + 1];
	struct aggview_figs	figs;
};

struct aggview {
	int64_t			 refresh_ms;	/* of the snapshot held */
	int64_t			 clock;		/* newest time seen */
	int64_t			 as_of;		/* boundary; -1: none */
	struct aggview_team	*v;
	size_t			 n, cap;
};

/* The boundary at or before t: a multiple of refresh_ms (> 0). */
int64_t
aggview_boundary(int64_t t, int64_t refresh_ms)
{
	int64_t	b = t / refresh_ms * refresh_ms;

	return (b > t ? b - refresh_ms : b);
}

static int
cmp_int(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

/* The figures of the n members v of one team. */
void
aggview_figures(const struct aggview_member *v, size_t n, size_t min_group,
    struct aggview_figs *f)
{
	int	*strain;
	double	 sum = 0;
	size_t	 i, k = 0, rank;

	memset(f, 0, sizeof *f);
	f->agents = n;
	strain = xcalloc(n + 1, sizeof *strain);
	for (i = 0; i < n; i++) {
		if (v[i].status == AGENT_ON_BREAK)
			f->on_break++;
		if (v[i].status == AGENT_OFFLINE)
			f->offline++;
		if (v[i].status != AGENT_WORKING)
			continue;
		f->working++;
		strain[k++] = v[i].strain;
		sum += v[i].strain;
		if (v[i].level >= 0 && v[i].level < AGGVIEW_LEVELS)
			f->levels[v[i].level]++;
		f->hostile += v[i].hostile;
		f->open += v[i].open;
	}
	qsort(strain, k, sizeof *strain, cmp_int);
	/* Nearest-rank median. */
	rank = (50 * k + 99) / 100;
	f->p50 = k > 0 ? strain[rank > 0 ? rank - 1 : 0] : 0;
	f->mean = k > 0 ? sum / (double)k : 0;
	free(strain);
	if (k < min_group || k == 0) {
		f->withheld = 1;
		f->mean = 0;
		f->p50 = 0;
		memset(f->levels, 0, sizeof f->levels);
		f->hostile = 0;
		f->open = 0;
	}
}

struct aggview *
aggview_new(void)
{
	struct aggview	*g;

	g = xcalloc(1, sizeof *g);
	g->as_of = -1;
	g->clock = INT64_MIN;
	return (g);
}

void
aggview_free(struct aggview *g)
{
	if (g == NULL)
		return;
	free(g->v);
	free(g);
}

/*
 * The model's clock reached t (kept if later than the clock).  Returns 1
 * with the boundary in *boundary when a new snapshot is due: the clock
 * crossed a boundary since the last, or there is none yet, or the period
 * changed.  The caller then takes it (aggview_begin, aggview_put) before
 * applying whatever brought the clock there.
 */
int
aggview_advance(struct aggview *g, int64_t t, int64_t refresh_ms,
    int64_t *boundary)
{
	int64_t	b;

	if (t > g->clock)
		g->clock = t;
	if (refresh_ms <= 0 || g->clock == INT64_MIN)
		return (0);
	b = aggview_boundary(g->clock, refresh_ms);
	if (g->as_of != -1 && refresh_ms == g->refresh_ms && b <= g->as_of)
		return (0);
	g->refresh_ms = refresh_ms;
	*boundary = b;
	return (1);
}

/* Start the snapshot taken at boundary: forget the one before. */
void
aggview_begin(struct aggview *g, int64_t boundary)
{
	g->n = 0;
	g->as_of = boundary;
}

void
aggview_put(struct aggview *g, const char *team, const struct aggview_figs *f)
{
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->v = xreallocarray(g->v, g->cap, sizeof *g->v);
	}
	snprintf(g->v[g->n].name, sizeof g->v[g->n].name, "%s", team);
	g->v[g->n].figs = *f;
	g->n++;
}

/* The figures of team in the snapshot held; NULL if it has none. */
const struct aggview_figs *
aggview_get(const struct aggview *g, const char *team)
{
	size_t	i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, team) == 0)
			return (&g->v[i].figs);
	return (NULL);
}

/* The boundary of the snapshot held, -1 if none was taken yet. */
int64_t
aggview_as_of(const struct aggview *g)
{
	return (g->as_of);
}
