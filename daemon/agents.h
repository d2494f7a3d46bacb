/* All agents: a hash table from agent id to struct agent. */
#ifndef AGENTS_H
#define AGENTS_H

#include <stddef.h>

#include <respite/event.h>

#include "agent.h"

struct agents;

struct agents	*agents_new(void);
void		 agents_free(struct agents *);
struct agent	*agents_get(struct agents *, const char *);
struct agent	*agents_apply(struct agents *, const struct respite_event *,
		    const struct model_params *);
size_t		 agents_count(const struct agents *);
size_t		 agents_forget(struct agents *,
		    int (*)(struct agent *, void *), void *);
size_t		 agents_team_count(const struct agents *);
int		 agents_has_team(struct agents *, const char *);
struct agent	**agents_sorted(struct agents *, size_t *);
struct agent	**agents_team_sorted(struct agents *, const char *, size_t *);
struct agent *const *agents_sorted_view(struct agents *, const char *,
		    size_t *);

#endif
