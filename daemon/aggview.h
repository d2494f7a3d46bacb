/*
 * Team figures for a lead in aggregate privacy mode (MODEL.md "Privacy
 * modes"): counted over working agents, withheld below min_group, no max
 * or p90, and taken only at aggregate_refresh_min boundaries.
 */
#ifndef AGGVIEW_H
#define AGGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "strain.h"

#define AGGVIEW_LEVELS	4	/* ok elevated high critical */

/* One member of a team as the snapshot sees it. */
struct aggview_member {
	enum agent_status	status;
	int			strain;
	int			level;		/* enum strain_level */
	long			hostile;	/* hostile_last_hour */
	long			open;		/* open_tickets */
};

struct aggview_figs {
	size_t	agents, working, on_break, offline;
	int	withheld;		/* working < min_group: no figures */
	double	mean;			/* over the working agents */
	int	p50;
	size_t	levels[AGGVIEW_LEVELS];
	long	hostile, open;
};

struct aggview;

int64_t		 aggview_boundary(int64_t, int64_t);
void		 aggview_figures(const struct aggview_member *, size_t,
		    size_t, struct aggview_figs *);
struct aggview	*aggview_new(void);
void		 aggview_free(struct aggview *);
int		 aggview_advance(struct aggview *, int64_t, int64_t,
		    int64_t *);
void		 aggview_begin(struct aggview *, int64_t);
void		 aggview_put(struct aggview *, const char *,
		    const struct aggview_figs *);
const struct aggview_figs *aggview_get(const struct aggview *, const char *);
int64_t		 aggview_as_of(const struct aggview *);

#endif
