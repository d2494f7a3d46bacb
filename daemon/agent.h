/* One agent's state and the metrics of MODEL.md, computed at a given now. */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>
#include <stdint.h>

#include <respite/event.h>

enum agent_status {
	AGENT_OFFLINE = 0,
	AGENT_WORKING,
	AGENT_ON_BREAK
};

/* The model's parameters (the [model] section). */
struct model_params {
	int64_t		natural_break_ms;
	double		hostile_threshold;
	double		half_life_ms;
	double		weight[RESPITE_CH_COUNT];	/* by channel */
	const char	*timezone;			/* default agent zone */
	int		day_starts_at_min;
};

struct agent_metrics {
	long		tickets_last_hour;
	double		weighted_load_last_hour;
	double		occupancy_last_hour;
	long		continuous_work_min;
	long		hostile_last_hour;
	double		hostility_exposure;
	long		open_tickets;
	long		worked_today_min;
	long		minutes_on_break_today;
};

struct agent;
struct config;

void		 agent_params_from_config(struct model_params *,
		    const struct config *);
struct agent	*agent_new(const char *);
struct agent	*agent_new_idle(const char *, const char *, int64_t);
void		 agent_free(struct agent *);
void		 agent_apply(struct agent *, const struct respite_event *,
		    const struct model_params *);
void		 agent_metrics(const struct agent *, int64_t,
		    const struct model_params *, struct agent_metrics *);
const char	*agent_id(const struct agent *);
const char	*agent_team(const struct agent *);
enum agent_status agent_status(const struct agent *);
enum agent_status agent_status_at(const struct agent *, int64_t);
int		 agent_event_hostile(const struct respite_event *,
		    const struct model_params *);
const char	*agent_status_name(enum agent_status);
int64_t		 agent_updated_at(const struct agent *);
const char	*agent_tz(const struct agent *);
void		 agent_set_ext(struct agent *, void *, void (*)(void *));
void		*agent_ext(const struct agent *);
size_t		 agent_entries(const struct agent *);
int64_t		 agent_work_start(const struct agent *);
int64_t		 agent_status_since(const struct agent *);
long		 agent_open_tickets(const struct agent *);
void		 agent_open_reset(struct agent *);
void		 agent_open_add(struct agent *, const char *);
int		 agent_ticket_open(const struct agent *, const char *);
int		 agent_uses_channel(const struct agent *, enum respite_channel,
		    int64_t);
enum respite_channel agent_most_hostile_channel(const struct agent *,
		    int64_t);

#endif
