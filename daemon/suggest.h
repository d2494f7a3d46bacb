/* Suggestions: what respite proposes to an agent or a lead (API.md). */
#ifndef SUGGEST_H
#define SUGGEST_H

#include <stdint.h>

#include <jansson.h>

#include <respite/event.h>

enum sugg_kind {
	SK_MICRO_BREAK = 0,
	SK_REST_BREAK,
	SK_RECOVERY_BREAK,
	SK_REBALANCE,
	SK_TEAM_OVERLOAD,
	SK_WELLBEING_CHECK,	/* the trend turned high (trend.c) */
	SK_COUNT
};

enum sugg_status {
	SS_OPEN = 0,
	SS_ACCEPTED,
	SS_SNOOZED,
	SS_DISMISSED,
	SS_EXPIRED,
	SS_COUNT
};

enum sugg_priority {
	SP_NORMAL = 0,
	SP_HIGH,
	SP_URGENT
};

#define SUGG_REASON_MAX	240

struct suggestion {
	int64_t			 seq;		/* id "s-%06lld" */
	enum sugg_kind		 kind;
	enum sugg_status	 status;
	enum sugg_priority	 priority;
	char			 agent[RESPITE_NAME_MAX + 1];	/* "" for lead */
	char			 team[RESPITE_NAME_MAX + 1];
	int64_t			 created_at;	/* released */
	int64_t			 updated_at;
	int64_t			 answered_at;	/* 0 until answered */
	int64_t			 snooze_until;	/* while snoozed */
	int			 snoozes;
	int			 snooze_max;	/* [advice] snooze_max_times */
	int			 minutes;
	char			 reason[SUGG_REASON_MAX];
	/* rebalance */
	char			 from[RESPITE_NAME_MAX + 1];
	char			 to[RESPITE_NAME_MAX + 1];
	int			 move_tickets;	/* or 0 */
	enum respite_channel	 move_channel;	/* or RESPITE_CH_NONE */
	int			 move_minutes;
	/* wellbeing_check: to the agent (aggregate privacy mode) */
	int			 to_agent;
};

int		 sugg_is_agent_kind(enum sugg_kind);
int		 sugg_is_active(const struct suggestion *);
const char	*sugg_audience(const struct suggestion *);
const char	*sugg_kind_name(enum sugg_kind);
int		 sugg_kind_parse(const char *);
const char	*sugg_status_name(enum sugg_status);
int		 sugg_status_parse(const char *);
const char	*sugg_priority_name(enum sugg_priority);
void		 sugg_format_id(int64_t, char *, size_t);
int64_t		 sugg_parse_id(const char *);
json_t		*sugg_json(const struct suggestion *);
int		 sugg_from_json(json_t *, struct suggestion *);
void		 sugg_reason_aggregate(const struct suggestion *, char *,
		    size_t);
int		 sugg_for_aggregate_lead(json_t *);

#endif
