/* respite-notify: the agent's event stream (SSE over libsoup 3). */
#ifndef SSE_H
#define SSE_H

struct sse;

struct sse_cbs {
	/* Connected: a 200 with an event stream. */
	void	(*open)(void *);
	/* One event: type, data, id (borrowed). */
	void	(*event)(const char *, const char *, const char *, void *);
	/*
	 * The connection failed or ended: a reason, the HTTP status (0 if
	 * there was none) and whether a stream was ever open.  Returns 0 and
	 * the stream comes back by itself (the failure is logged), or 1:
	 * the caller stops everything and has said why.
	 */
	int	(*down)(const char *, int, int, void *);
	void	 *arg;
};

struct sse	*sse_new(const char *, const char *, const struct sse_cbs *);
void		 sse_start(struct sse *);
const char	*sse_last_id(const struct sse *);
void		 sse_free(struct sse *);

#endif
