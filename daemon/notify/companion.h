/* respite-notify: what the agent sees, and when (the logic). */
#ifndef COMPANION_H
#define COMPANION_H

#include "client.h"
#include "popup.h"

struct comp;

struct comp_opts {
	const char	*agent;
	int		 once;
	int		 level_notices;
	int		 minute_ms;	/* one minute of a break, in ms */
};

struct comp_cbs {
	/* Stop the program with this exit code (--once is done, or cannot
	   go on). */
	void	(*quit)(int, void *);
	void	 *arg;
};

void		 comp_stream_open(struct comp *);
void		 comp_stream_event(struct comp *, const char *, const char *);
void		 comp_action(struct comp *, const char *, const char *);
void		 comp_closed(struct comp *, const char *, int);
void		 comp_server(struct comp *, const struct popup_status *);
struct comp	*comp_new(const struct comp_opts *, struct client *,
		    struct popup *, const struct popup_status *,
		    const struct comp_cbs *);
void		 comp_free(struct comp *);

#endif
