/*
 * The v1 JSON API (API.md): the handlers, one file a resource, each
 * depending only on api_reply.h and the modules below it; api.c, the
 * route table, calls them.
 */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H

#include "api_reply.h"

/* api_events.c */
void	api_events_post(struct api *, struct http_conn *,
	    const struct http_request *, const char *, size_t, int64_t);
void	api_apply_cb(const struct respite_event *, void *);

/* api_agents.c */
void	api_agents_list(struct api *, struct http_conn *,
	    const struct http_request *, int64_t);
struct agent *api_forgotten_agent(struct api *, const char *);
json_t	*api_agent_json(struct api *, const struct agent *, int64_t, int);
void	api_agent_break(struct api *, struct http_conn *, struct agent *,
	    const char *, size_t, int64_t);

/* api_ops.c: no token */
void	api_healthz(struct api *, struct http_conn *);
void	api_metrics(struct api *, struct http_conn *);

/* api_suggestions.c */
void	api_suggestions_list(struct api *, struct http_conn *,
	    const struct http_request *, int64_t);
void	api_suggestion_answer(struct api *, struct http_conn *,
	    const char *, const char *, size_t, int64_t);
void	api_answer_apply(void *, const struct api_answer *, void *);
void	api_answer_failed(void *, const char *);

/* api_teams.c */
void	api_teams(struct api *, struct http_conn *, const char *, int64_t);
void	api_teams_clock(struct api *, int64_t);

/* api_stream.c */
void	api_stream(struct api *, struct http_conn *,
	    const struct http_request *);
void	api_stream_recheck(void *);

/* api_me.c */
void	api_me(struct api *, struct http_conn *);

/* api_audit.c */
void	api_audit_list(struct api *, struct http_conn *,
	    const struct http_request *);

/* api_origin.c: a browser's request from elsewhere (API.md) */
int	api_origin_check(struct api *, struct http_conn *,
	    const struct http_request *);

/* api_www.c: the web page's files (no token) */
int	api_www(struct http_conn *, const struct http_request *);
int	api_www_is_page(const char *);

/* api_history.c */
void	api_history(struct api *, struct http_conn *, struct agent *,
	    const struct http_request *, int64_t);
int	api_history_window(const char *, int64_t, int64_t *, int64_t *,
	    int64_t *, struct api_error *);

/* api_days.c */
int	api_days_range(const char *, int64_t, int64_t *, int64_t *,
	    struct api_error *);
int	api_days_agent(struct api *, const char *, char *, size_t, char *,
	    size_t);
void	api_agent_days(struct api *, struct http_conn *, const char *,
	    const char *, const struct http_request *, int64_t);
void	api_agent_trend(struct api *, struct http_conn *, const char *,
	    const char *, int64_t);
void	api_team_days(struct api *, struct http_conn *, const char *,
	    const struct http_request *, int64_t);

/* api_webhooks.c */
const char *api_webhook_credential(const struct http_request *, char *,
	    size_t);
void	api_webhook(struct api *, struct http_conn *,
	    const struct http_request *, const char *, size_t, int64_t);
int	api_source_submit(void *, const char *, const struct respite_event *,
	    size_t, char **);

#endif
