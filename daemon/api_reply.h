/*
 * The v1 JSON API (API.md): what every handler shares (api_reply.c).
 * Depends on no handler and not on the route table (api.c).
 */
#ifndef API_REPLY_H
#define API_REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "advise.h"
#include "aggview.h"
#include "audit_seen.h"
#include "auth.h"
#include "agent.h"
#include "agents.h"
#include "commit.h"
#include "config.h"
#include "days.h"
#include "dispatch.h"
#include "http.h"
#include "plugins.h"
#include "store.h"

/*
 * An answer to a suggestion as cluster mode publishes it (replica.c) and
 * every node applies it (api_answer_apply()).
 */
struct api_answer {
	int64_t		 sugg;		/* the suggestion's id */
	char		 action[8];	/* accept, dismiss or snooze */
	int		 minutes;	/* snooze; 0: the default */
	int64_t		 at;		/* the answering node's now */
};

struct api {
	struct agents		*agents;
	struct commit		*commit;
	struct store		*store;
	struct advise		*advise;
	struct dispatch		*dispatch;
	struct plugins		*plugins;	/* classifiers; may be NULL */
	const struct config	*cf;		/* the one in force */
	struct model_params	 mp;
	struct advise_params	 ap;
	struct auth		*auth;		/* NULL: everyone is admin */
	struct outbox		*outbox;
	struct audit_seen	*audit_seen;	/* repeated reads; may be NULL */
	struct aggview		*aggview;	/* aggregate mode team figures */
	struct days		*days;		/* agent days; may be NULL */
	struct principal	 who;		/* of the request being handled */
	void			(*flush_soon)(void *);	/* audit records */
	void			(*flush_now)(void *);	/* before a read */
	void			*flush_arg;
	/*
	 * Cluster mode (daemon/replica.c), else NULL: where writes go
	 * instead of the group commit (api_submit()), and what /healthz
	 * and /metrics add.
	 */
	void			(*submit)(void *, struct event_batch *, int,
				    commit_done_cb, void *);
	/*
	 * ... an answer to a suggestion: published, then api_answer_apply()
	 * on every node, with the request (the last argument) on this one,
	 * or api_answer_failed() if the stream did not take it.
	 */
	void			(*answer)(void *, const struct api_answer *,
				    void *);
	json_t			*(*cluster_health)(void *, int *);
	void			(*cluster_metrics)(void *, FILE *);
	void			*cluster_arg;
	/*
	 * ... the model's clock (the minute of the last tick applied, 0
	 * before the first): reads answer at it, so two nodes at one
	 * applied_seq answer alike (ARCHITECTURE.md, "What a client can
	 * rely on").  NULL: reads answer at the wall clock.
	 */
	int64_t			(*read_clock)(void *);
	void			*read_clock_arg;
	int64_t			 wall_ms;	/* the request's wall clock */
};

/* Route names for /metrics: static strings, compared by address. */
extern const char API_R_EVENTS[], API_R_AGENTS[], API_R_AGENT[],
    API_R_BREAK[], API_R_HEALTHZ[], API_R_METRICS[], API_R_OTHER[],
    API_R_SUGGESTIONS[], API_R_SUGGESTION[], API_R_TEAMS[], API_R_TEAM[],
    API_R_HISTORY[], API_R_AUDIT[], API_R_AGENT_DAYS[], API_R_TEAM_DAYS[],
    API_R_AGENT_TREND[], API_R_ME[];

/* A write waiting for its group commit. */
struct api_pending {
	struct api		*api;
	struct http_conn	*conn;
	const char		*route;
	char			 agent[RESPITE_NAME_MAX + 1];
};

/* api_reply.c */
void	api_fail(struct http_conn *, const char *, int, const char *,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 6, 7)));
void	api_reply_error(struct http_conn *, const char *,
	    const struct api_error *);
void	api_reply_error_hdr(struct http_conn *, const char *,
	    const struct api_error *, const char *);
void	api_reply_json(struct http_conn *, const char *, int, json_t *);
void	api_reply_pieces(struct http_conn *, const char *, http_fill_cb,
	    http_fill_free_cb, void *);
void	api_method_not_allowed(struct http_conn *, const char *,
	    const char *);
int64_t	api_read_now(const struct api *, int64_t);
int64_t	api_agent_now(const struct agent *, int64_t);
json_t	*api_time(int64_t);
json_t	*api_metrics_json(const struct agent_metrics *);
int	api_query_time(const char *, const char *, int64_t *);
int	api_lead_aggregate(const struct api *);
void	api_audit(struct api *, const struct http_request *, const char *,
	    int64_t);
struct event_batch;
int	api_batch_within_limits(struct api *, const struct event_batch *,
	    struct api_error *);
void	api_submit(struct api *, struct event_batch *, commit_done_cb,
	    void *);
void	api_submit_applied(struct api *, struct event_batch *,
	    commit_done_cb, void *);
void	api_forbidden(struct http_conn *, const char *, const char *);
void	api_break_batch(struct event_batch *, const struct agent *,
	    enum respite_event_type, int64_t);

#endif
