/* Durable storage of events in SQLite (WAL). */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <respite/event.h>

#define STORE_SCHEMA_VERSION	4

struct store;
struct sqlite3_stmt;

enum store_retention {
	STORE_RETAIN_EVENTS = 0,
	STORE_RETAIN_SUGGESTIONS,	/* closed ones only */
	STORE_RETAIN_STREAM,
	STORE_RETAIN_AUDIT,
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
int		 store_foreach_event_since(struct store *, int64_t,
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
int		 store_retention_step(struct store *, enum store_retention,
		    int64_t, int, char **);

#endif
