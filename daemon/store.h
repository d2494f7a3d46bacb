/* Durable storage of events in SQLite (WAL). */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <respite/event.h>

#define STORE_SCHEMA_VERSION	8

struct store;
struct sqlite3_stmt;

enum store_retention {
	STORE_RETAIN_EVENTS = 0,
	STORE_RETAIN_SUGGESTIONS,	/* closed ones only */
	STORE_RETAIN_STREAM,
	STORE_RETAIN_AUDIT,
	STORE_RETAIN_DAYS,		/* agent days, by the day's end */
	STORE_RETAIN_COUNT
};

/* A suggestion row: the columns lists filter on, and its JSON body. */
struct store_suggestion {
	int64_t		 seq;
	const char	*agent, *team, *kind, *status, *audience;
	int64_t		 created_at, updated_at;
	const char	*body;
};

/* Filters of GET /v1/suggestions; NULL or -1 means any. */
struct store_sugg_query {
	const char	*agent, *team, *status, *kind, *audience;
	const char	*not_kind;	/* any kind but this one */
	int64_t		 since_ms;
	int64_t		 before;	/* cursor: seq below this, 0 for none */
	const char	*teams;		/* ",a,b,": one of these teams, or NULL */
	int		 limit;
};

/* One published stream item (SSE event). */
struct store_stream_item {
	int64_t		 seq;
	const char	*event, *agent, *team, *data;
	int64_t		 created_ms;
};

/* Suggestion counts of an agent day (API.md "days"), in this order. */
enum store_day_sugg {
	STORE_DAY_RAISED = 0,
	STORE_DAY_ACCEPTED,
	STORE_DAY_DISMISSED,
	STORE_DAY_SNOOZED,
	STORE_DAY_EXPIRED,
	STORE_DAY_SUGG
};

/* One agent day (daemon/days.c): a row of agent_days. */
struct store_day {
	char		 agent[RESPITE_NAME_MAX + 1];
	char		 date[11];		/* YYYY-MM-DD */
	char		 tz[RESPITE_TZ_MAX + 1];
	char		 team[RESPITE_NAME_MAX + 1];
	int64_t		 start, end;		/* epoch ms, [start, end) */
	int		 final;			/* the day has ended */
	int64_t		 worked_min, break_min;
	int64_t		 contacts[RESPITE_CH_COUNT];	/* none counts as other */
	int64_t		 handled, hostile;
	double		 exposure_peak;
	int64_t		 strain_sum, strain_samples, strain_peak;
	int64_t		 high_min, longest_stretch_min;
	int64_t		 sugg[STORE_DAY_SUGG];
};

typedef int (*store_event_cb)(const struct respite_event *, void *);
typedef int (*store_text_cb)(const char *, void *);
typedef int (*store_stream_cb)(const struct store_stream_item *, void *);

struct store	*store_open(const char *, int, char **);
void		 store_close(struct store *);
int		 store_checkpoint_in_background(struct store *, char **);
void		 store_write_metrics(struct store *, FILE *);
int		 store_begin(struct store *, char **);
int		 store_add_event(struct store *, const struct respite_event *,
		    char **);
void		 store_bind_event(struct sqlite3_stmt *,
		    const struct respite_event *);
int		 store_commit(struct store *, char **);
void		 store_rollback(struct store *);
int		 store_foreach_event(struct store *, store_event_cb, void *,
		    char **);
int		 store_foreach_agent_event(struct store *, const char *,
		    int64_t, int64_t, store_event_cb, void *, char **);
int		 store_foreach_event_since(struct store *, int64_t, int64_t,
		    store_event_cb, void *, char **);
int		 store_agent_before(struct store *, const char *, int64_t,
		    int64_t, store_event_cb, void *, int64_t *, char **);
int		 store_open_assignments(struct store *, int (*)(const char *,
		    const char *, void *), void *, char **);
int		 store_agent_last(struct store *, const char *, int64_t *,
		    char *, size_t, char **);
int		 store_check(struct store *, char **);
const char	*store_path(const struct store *);
int		 store_suggestion_put(struct store *,
		    const struct store_suggestion *, char **);
int		 store_suggestions_load(struct store *, int64_t, store_text_cb,
		    void *, char **);
int		 store_suggestions_list(struct store *,
		    const struct store_sugg_query *, store_text_cb, void *,
		    char **);
int64_t		 store_max_seq(struct store *, const char *);
int		 store_suggestion_exists(struct store *, int64_t);
int		 store_suggestion_get(struct store *, int64_t, store_text_cb,
		    void *);
int		 store_audit_add(struct store *, int64_t, const char *,
		    const char *, const char *, const char *, char **);
int		 store_audit_list(struct store *, const char *, int64_t,
		    int64_t, int, int (*)(int64_t, json_t *, void *), void *,
		    char **);
int		 store_suggestion_counts(struct store *, FILE *, char **);
int		 store_stream_add(struct store *,
		    const struct store_stream_item *, char **);
int		 store_stream_since(struct store *, int64_t, const char *,
		    const char *, int, store_stream_cb, void *, char **);
int		 store_stream_prune(struct store *, int64_t, char **);
int		 store_stream_last_level(struct store *, const char *, char *,
		    size_t, char **);
int		 store_retention_step(struct store *, enum store_retention,
		    int64_t, int, char **);
int		 store_day_put(struct store *, const struct store_day *, int,
		    char **);
int		 store_days_foreach(struct store *, const char *, const char *,
		    const char *, const char *, int64_t,
		    int (*)(const struct store_day *, void *), void *, char **);
int		 store_day_exists(struct store *, const char *, const char *,
		    char **);
int		 store_suggestion_newest(struct store *, const char *,
		    const char *, int64_t *, char **);
int		 store_cluster_open(struct store *, uint64_t *, int64_t *,
		    int64_t *, char **);
int		 store_cluster_set_seq(struct store *, uint64_t, int64_t,
		    int64_t, char **);
int		 store_sink_changes(struct store *, int64_t, int,
		    void (*)(int64_t, const char *, void *), void *, int *,
		    char **);
int		 store_event_known(struct store *, const char *);
int		 store_agents_live(struct store *, int64_t, int64_t,
		    void (*)(const char *, void *), void *, char **);
int		 store_suggestions_created(struct store *, int64_t,
		    store_text_cb, void *, char **);
int		 store_advisor_put(struct store *, const char *, const char *,
		    const char *, char **);
int		 store_advisor_foreach(struct store *, void (*)(const char *,
		    const char *, const char *, void *), void *, char **);

#endif
