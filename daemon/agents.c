/*
 * respite - the agents table.
 *
 * A chained hash table keyed by agent id (FNV-1a), grown when the load
 * passes 1.  Agents idle past the model's windows are removed in one pass
 * (agents_forget(), called by the advisor), so ids seen once do not stay
 * for ever (issue 21).  Beside it every agent in id order,
 * and each team's agents in id order, sorted again only after agents
 * came or changed teams: lists and team figures want that order on every
 * request, and sorting (or sifting) 10,000 agents each time cost more
 * than the rest of a team's figures.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strhash.h"
#include "agents.h"
#include "xmalloc.h"

struct agents_entry {
	struct agent		*agent;
	struct agents_entry	*next;
};

/* Agents in id order once sorted; sorted again after one was added. */
struct agents_list {
	char			  team[RESPITE_NAME_MAX + 1];
	struct agent		**v;
	size_t			  n, cap;
	int			  sorted;
};

struct agents {
	struct agents_entry	**buckets;
	size_t			  nbuckets;
	size_t			  count;
	struct agents_list	  all;
	struct agents_list	 *teams;	/* agents with a team */
	size_t			  nteams, teamcap;
	size_t			 *team_slots;	/* open addressing: index + 1 */
	size_t			  nslots;	/* a power of 2, > 2 nteams */
};

struct agents *
agents_new(void)
{
	struct agents	*t;

	t = xcalloc(1, sizeof *t);
	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	return (t);
}

void
agents_free(struct agents *t)
{
	struct agents_entry	*e, *next;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->buckets[i]; e != NULL; e = next) {
			next = e->next;
			agent_free(e->agent);
			free(e);
		}
	}
	free(t->buckets);
	free(t->all.v);
	for (i = 0; i < t->nteams; i++)
		free(t->teams[i].v);
	free(t->teams);
	free(t->team_slots);
	free(t);
}

/* Returns the agent (borrowed), or NULL if never seen. */
struct agent *
agents_get(struct agents *t, const char *id)
{
	struct agents_entry	*e;

	for (e = t->buckets[str_hash(id) % t->nbuckets]; e != NULL; e = e->next)
		if (strcmp(agent_id(e->agent), id) == 0)
			return (e->agent);
	return (NULL);
}

static void
grow(struct agents *t)
{
	struct agents_entry	**nb, *e, *next;
	size_t			  i, n = t->nbuckets * 2, h;

	nb = xcalloc(n, sizeof *nb);
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->buckets[i]; e != NULL; e = next) {
			next = e->next;
			h = str_hash(agent_id(e->agent)) % n;
			e->next = nb[h];
			nb[h] = e;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

static void
list_add(struct agents_list *l, struct agent *a)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = a;
	l->sorted = 0;
}

/* Remove a, keeping the order of the others. */
static void
list_remove(struct agents_list *l, struct agent *a)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i] == a) {
			memmove(l->v + i, l->v + i + 1,
			    (l->n - i - 1) * sizeof *l->v);
			l->n--;
			return;
		}
	}
}

/* The slot of team in t->team_slots: its own, or the empty one for it. */
static size_t
team_slot(const struct agents *t, const char *team)
{
	size_t	i = str_hash(team) & (t->nslots - 1), k;

	while ((k = t->team_slots[i]) != 0 &&
	    strcmp(t->teams[k - 1].team, team) != 0)
		i = (i + 1) & (t->nslots - 1);
	return (i);
}

/*
 * A team's list, found by hash (a linear scan over 60,000 teams blocked
 * the loop 14 s a batch, issue 21).
 */
static struct agents_list *
team_list(struct agents *t, const char *team, int create)
{
	size_t	i, k;

	if (t->nslots > 0 && (k = t->team_slots[team_slot(t, team)]) != 0)
		return (&t->teams[k - 1]);
	if (!create)
		return (NULL);
	if (2 * (t->nteams + 1) >= t->nslots) {
		free(t->team_slots);
		t->nslots = t->nslots == 0 ? 64 : t->nslots * 2;
		t->team_slots = xcalloc(t->nslots, sizeof *t->team_slots);
		for (k = 0; k < t->nteams; k++)
			t->team_slots[team_slot(t, t->teams[k].team)] = k + 1;
	}
	i = team_slot(t, team);
	t->team_slots[i] = t->nteams + 1;
	if (t->nteams == t->teamcap) {
		t->teamcap = t->teamcap == 0 ? 16 : t->teamcap * 2;
		t->teams = xreallocarray(t->teams, t->teamcap,
		    sizeof *t->teams);
	}
	memset(&t->teams[t->nteams], 0, sizeof t->teams[t->nteams]);
	snprintf(t->teams[t->nteams].team, sizeof t->teams[t->nteams].team,
	    "%s", team);
	return (&t->teams[t->nteams++]);
}

/* Apply ev to its agent, creating the agent first if needed. */
struct agent *
agents_apply(struct agents *t, const struct respite_event *ev,
    const struct model_params *mp)
{
	struct agents_entry	*e;
	struct agents_list	*l;
	struct agent		*a;
	size_t			 h;
	int			 moves;

	if ((a = agents_get(t, ev->agent)) == NULL) {
		if (t->count >= t->nbuckets)
			grow(t);
		a = agent_new(ev->agent);
		e = xmalloc(sizeof *e);
		h = str_hash(ev->agent) % t->nbuckets;
		e->agent = a;
		e->next = t->buckets[h];
		t->buckets[h] = e;
		t->count++;
		list_add(&t->all, a);
	}
	/* An event that names a team puts the agent in it (agent.c). */
	moves = ev->team[0] != '\0' && strcmp(agent_team(a), ev->team) != 0;
	if (moves && (l = team_list(t, agent_team(a), 0)) != NULL)
		list_remove(l, a);
	agent_apply(a, ev, mp);
	if (moves)
		list_add(team_list(t, agent_team(a), 1), a);
	return (a);
}

/* Keep the agents of l for which gone() is false, in their order. */
static void
list_keep(struct agents_list *l, int (*gone)(struct agent *, void *),
    void *arg)
{
	size_t	i, n = 0;

	for (i = 0; i < l->n; i++)
		if (!gone(l->v[i], arg))
			l->v[n++] = l->v[i];
	l->n = n;
}

/*
 * Remove and free every agent for which gone() says yes, in one pass over
 * the table and the lists (one by one it would be quadratic).  Returns
 * how many.  Teams stay.
 */
size_t
agents_forget(struct agents *t, int (*gone)(struct agent *, void *),
    void *arg)
{
	struct agents_entry	**pe, *e;
	size_t			  i, n = 0;

	for (i = 0; i < t->nteams; i++)
		list_keep(&t->teams[i], gone, arg);
	list_keep(&t->all, gone, arg);
	for (i = 0; i < t->nbuckets; i++) {
		for (pe = &t->buckets[i]; (e = *pe) != NULL;) {
			if (!gone(e->agent, arg)) {
				pe = &e->next;
				continue;
			}
			*pe = e->next;
			agent_free(e->agent);
			free(e);
			n++;
		}
	}
	t->count -= n;
	return (n);
}

size_t
agents_count(const struct agents *t)
{
	return (t->count);
}

/* Teams ever named (a team stays once created). */
size_t
agents_team_count(const struct agents *t)
{
	return (t->nteams);
}

int
agents_has_team(struct agents *t, const char *team)
{
	return (team_list(t, team, 0) != NULL);
}

static int
cmp_id(const void *a, const void *b)
{
	return (strcmp(agent_id(*(struct agent *const *)a),
	    agent_id(*(struct agent *const *)b)));
}

static struct agent **
list_sorted(struct agents_list *l, size_t *n)
{
	struct agent	**v;

	/* An empty list has no array: qsort() must not see NULL. */
	if (!l->sorted && l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, cmp_id);
	l->sorted = 1;
	v = xcalloc(l->n + 1, sizeof *v);
	if (l->n > 0)
		memcpy(v, l->v, l->n * sizeof *v);
	*n = l->n;
	return (v);
}

/* Returns a new array of all agents (borrowed) sorted by id. */
struct agent **
agents_sorted(struct agents *t, size_t *n)
{
	return (list_sorted(&t->all, n));
}

/*
 * Returns a new array of the agents (borrowed) of team, sorted by id;
 * *n is 0 if it has none.
 */
struct agent **
agents_team_sorted(struct agents *t, const char *team, size_t *n)
{
	struct agents_list	*l;

	if ((l = team_list(t, team, 0)) == NULL) {
		*n = 0;
		return (xcalloc(1, sizeof (struct agent *)));
	}
	return (list_sorted(l, n));
}

/*
 * The agents of team (NULL: all of them) sorted by id, without a copy:
 * borrowed, valid until the next agents_apply().  *n is 0 if none.
 */
struct agent *const *
agents_sorted_view(struct agents *t, const char *team, size_t *n)
{
	struct agents_list	*l = &t->all;

	if (team != NULL && (l = team_list(t, team, 0)) == NULL) {
		*n = 0;
		return (NULL);
	}
	if (!l->sorted && l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, cmp_id);
	l->sorted = 1;
	*n = l->n;
	return (l->v);
}
