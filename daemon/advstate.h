/*
 * The advisor's state that the events do not rebuild, as stored in the
 * table advisor (store_advisor_put()) so a restart goes on where the
 * running daemon was: an agent's candidates, when its strain became
 * high, its last severe message, how far it was evaluated; a team's
 * overload start.  daemon/advise.c decides when; this file is the format.
 */
#ifndef ADVSTATE_H
#define ADVSTATE_H

#include <stdint.h>

#include <jansson.h>

#include "suggest.h"

/* A break raised and not yet released (daemon/advise.c). */
struct candidate {
	enum sugg_priority	 priority;
	int			 minutes;
	char			 reason[SUGG_REASON_MAX];
	int64_t			 raised;
	char			 ticket[RESPITE_ID_MAX + 1];	/* held for it */
	int64_t			 hold_until;		/* 0: not held */
};

struct advstate_agent {
	int64_t			 eval_at, high_since, rebalance_at, severe_at;
	double			 severe_sev;
	const struct candidate	*cand[SK_COUNT];	/* NULL: none */
};

struct advstate_team {
	int64_t			 eval_at, overload_since;
};

uint64_t	 advstate_agent_sig(const struct advstate_agent *);
json_t		*advstate_agent_json(const struct advstate_agent *);
int		 advstate_agent_parse(const char *, struct advstate_agent *,
		    struct candidate *);
json_t		*advstate_team_json(const struct advstate_team *);
int		 advstate_team_parse(const char *, struct advstate_team *);

#endif
