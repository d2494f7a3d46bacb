/* Agent days (API.md "days"): one record per agent and local day. */
#ifndef DAYS_H
#define DAYS_H

#include <stddef.h>
#include <stdint.h>

#include <respite/event.h>

#include "agent.h"
#include "agents.h"
#include "outbox.h"
#include "store.h"
#include "strain.h"
#include "suggest.h"
#include "timeutil.h"
#include "trend.h"

#define DAYS_KEPT		2	/* an agent's days held in memory */
#define DAYS_IDLE_MS		(12 * MS_PER_HOUR)	/* no samples after */
#define DAYS_LOAD_MS		(3 * MS_PER_DAY)	/* loaded at start-up */
#define DAYS_SETTLE_MS		(2 * MS_PER_MIN)	/* a replay stopped */
#define DAYS_WELLBEING_MS	(7 * MS_PER_DAY)	/* one in any 7 days */

struct days;

struct days	*days_new(struct agents *, struct store *,
		    const struct model_params *, const struct strain_params *,
		    int64_t);
void		 days_free(struct days *);
typedef void	(*days_wellbeing_cb)(void *, const char *, const char *,
		    int64_t, const char *);
void		 days_set_trend(struct days *, const struct trend_params *,
		    days_wellbeing_cb, void *);
void		 days_set_params(struct days *, const struct model_params *,
		    const struct strain_params *, int64_t);
int		 days_load(struct days *, int64_t, char **);
void		 days_event(struct days *, const struct respite_event *);
int		 days_restore_suggestion(struct days *, const char *);
void		 days_rebuilt(struct days *, struct outbox *, int64_t);
void		 days_suggestion(struct days *, const struct suggestion *,
		    int);
void		 days_tick(struct days *, int64_t);
void		 days_stop(struct days *, int64_t);
void		 days_flush(struct days *);
size_t		 days_of_agent(struct days *, const char *,
		    const struct store_day **, size_t);
void		 days_foreach(struct days *,
		    void (*)(const struct store_day *, void *), void *);

#endif
