/* The advisor: the rules of MODEL.md turning agent state into suggestions. */
#ifndef ADVISE_H
#define ADVISE_H

#include <stdint.h>

#include <respite/event.h>

#include "agent.h"
#include "agents.h"
#include "apierr.h"
#include "outbox.h"
#include "strain.h"
#include "suggest.h"
#include "timeutil.h"

/*
 * An agent with no event for this long is forgotten (advise_forget()):
 * past the longest window of the model (status changes, 36 h), so past
 * the hour, the day of hostile messages and the timers.  It is also the
 * window of events start-up reads (daemon/rebuild.c).
 */
#define ADVISE_FORGET_IDLE_MS	(36 * MS_PER_HOUR)

struct advise_params {
	struct strain_params	strain;
	double		recovery_severity;	/* one message this hostile */
	double		recovery_exposure;	/* or this much exposure */
	double		recovery_clear_exposure;	/* expires below */
	int64_t		recovery_quiet_ms;	/* ... with no severe message */
	int64_t		recovery_hold_ms;	/* longest wait for the ticket */
	int		recovery_min_minutes, recovery_max_minutes;
	long		micro_after_min;
	int		micro_minutes;
	long		rest_after_min;
	int		rest_minutes;
	long		rest_worked_min;	/* worked today ... */
	long		rest_break_min;		/* ... with fewer break minutes */
	int		snooze_default_min, snooze_max_min, snooze_max_times;
	int64_t		dismiss_cooldown_ms;
	int		max_per_hour;
	int64_t		rebalance_after_ms;	/* high for this long */
	int		rebalance_min_open;
	int		rebalance_max_move;
	int		rebalance_channel_minutes;
	int		overload_strain;	/* team median at or above */
	int64_t		overload_after_ms;	/* ... for this long */
	int64_t		live_window_ms;		/* live timers for agents this fresh */
	int		aggregate;		/* privacy: leads see no scores */
	size_t		min_group;
};

/* What the API needs to know about one agent's advice state. */
struct advise_view {
	int			strain;
	enum strain_level	level;
};

struct advise;

void		 advise_params_default(struct advise_params *);
struct advise	*advise_new(struct agents *, struct outbox *,
		    const struct model_params *, const struct advise_params *,
		    int64_t);
void		 advise_free(struct advise *);
struct aggview;
void		 advise_set_aggview(struct advise *, const struct aggview *);
struct days;
void		 advise_set_days(struct advise *, struct days *);
void		 advise_set_params(struct advise *, const struct model_params *,
		    const struct advise_params *);
void		 advise_restore_agent(struct advise *, struct agent *, int);
void		 advise_restore_live(struct advise *, const char *);
int		 advise_restore_suggestion(struct advise *, const char *);
int		 advise_restore_state(struct advise *, const char *,
		    const char *, const char *);
void		 advise_flush(struct advise *);
void		 advise_event(struct advise *, const struct respite_event *);
void		 advise_tick(struct advise *, int64_t);
size_t		 advise_forget(struct advise *, int64_t);
int		 advise_answer(struct advise *, int64_t, const char *, int,
		    int64_t, struct suggestion *, int *, struct api_error *);
int		 advise_find(struct advise *, int64_t, struct suggestion *);
int		 advise_level(struct advise *, const struct agent *, int64_t,
		    struct advise_view *);
int		 advise_level_metrics(struct advise *, const struct agent *,
		    const struct agent_metrics *, struct advise_view *);
void		 advise_open_for_agent(struct advise *, const char *,
		    void (*)(const struct suggestion *, void *), void *);
size_t		 advise_open_lead_for_team(struct advise *, const char *);
void		 advise_wellbeing(struct advise *, const char *, const char *,
		    int64_t, const char *, int);

#endif
