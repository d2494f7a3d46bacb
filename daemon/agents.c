/*
 * respite - the agents table.
 *
 * A chained hash table keyed by agent id (FNV-1a), grown when the load
 * passes 1.  Agents are never removed while the daemon runs; a centre has
 * thousands of agents, not millions.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "xmalloc.h"

struct agents_entry {
	struct agent		*agent;
	struct agents_entry	*next;
};

struct agents {
	struct agents_entry	**buckets;
	size_t			  nbuckets;
	size_t			  count;
};

static uint64_t
hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

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
	free(t);
}

/* Returns the agent (borrowed), or NULL if never seen. */
struct agent *
agents_get(struct agents *t, const char *id)
{
	struct agents_entry	*e;

	for (e = t->buckets[hash(id) % t->nbuckets]; e != NULL; e = e->next)
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
			h = hash(agent_id(e->agent)) % n;
			e->next = nb[h];
			nb[h] = e;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = n;
}

/* Apply ev to its agent, creating the agent first if needed. */
struct agent *
agents_apply(struct agents *t, const struct respite_event *ev,
    const struct model_params *mp)
{
	struct agents_entry	*e;
	struct agent		*a;
	size_t			 h;

	if ((a = agents_get(t, ev->agent)) == NULL) {
		if (t->count >= t->nbuckets)
			grow(t);
		a = agent_new(ev->agent);
		e = xmalloc(sizeof *e);
		h = hash(ev->agent) % t->nbuckets;
		e->agent = a;
		e->next = t->buckets[h];
		t->buckets[h] = e;
		t->count++;
	}
	agent_apply(a, ev, mp);
	return (a);
}

size_t
agents_count(const struct agents *t)
{
	return (t->count);
}

static int
cmp_id(const void *a, const void *b)
{
	return (strcmp(agent_id(*(struct agent *const *)a),
	    agent_id(*(struct agent *const *)b)));
}

/* Returns a new array of all agents (borrowed) sorted by id. */
struct agent **
agents_sorted(struct agents *t, size_t *n)
{
	struct agents_entry	 *e;
	struct agent		**v;
	size_t			  i, k = 0;

	v = xcalloc(t->count, sizeof *v);
	for (i = 0; i < t->nbuckets; i++)
		for (e = t->buckets[i]; e != NULL; e = e->next)
			v[k++] = e->agent;
	qsort(v, k, sizeof *v, cmp_id);
	*n = k;
	return (v);
}
