/*
 * respite - the outbox.
 *
 * The model and the advisor change state in memory as events are applied
 * (after their commit) and as timers fire.  What others must see of
 * those changes (suggestions, and the SSE stream items: suggestions,
 * level changes, status changes) is queued here and written in one
 * transaction; only after it committed are the items handed to the
 * stream subscribers.  That transaction is usually the next group
 * commit's (outbox_write, outbox_written: daemon/commit.c), so one fsync
 * covers a group's events and what the group before them produced.  So
 * nothing is ever shown that a restart could take back, and a client
 * resuming with Last-Event-ID finds every item.  If
 * the write fails the queue is kept and written with the next flush.
 * Agent days (days.c) and the advisor's own state (advise_flush()) ride
 * along the same way, stored and not published.
 * Each stored suggestion change then goes to the sink callback (the sink
 * plugins, daemon/sinks.c), in the order the changes were made.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "event.h"
#include "log.h"
#include "outbox.h"
#include "xmalloc.h"

struct outbox_entry {
	int			 is_item;
	int			 is_audit;	/* event: who, agent: role, team: what */
	int			 is_state;	/* advisor: event scope, agent name */
	struct store_day	*day;		/* an agent day (days.c) */
	int			 day_add;	/* ... as a correction */
	char			*audit_agent;
	struct suggestion	 sugg;		/* !is_item; data: its JSON */
	int64_t			 seq;		/* is_item; a suggestion's item */
	char			*event, *agent, *team, *data;
	int64_t			 created;
};

struct outbox {
	struct store		*store;
	struct dispatch		*dispatch;
	outbox_sink_cb		 sink;
	void			*sink_arg;
	struct outbox_entry	*v;
	size_t			 n, cap;
	size_t			 nwritten;	/* in the open transaction */
	size_t			 nchanges;	/* suggestions and items */
	int64_t			 next_seq;	/* stream sequence */
};

struct outbox *
outbox_new(struct store *store)
{
	struct outbox	*o;

	o = xcalloc(1, sizeof *o);
	o->store = store;
	o->next_seq = store_max_seq(store, "stream") + 1;
	return (o);
}

static void
entry_clear(struct outbox_entry *e)
{
	free(e->event);
	free(e->agent);
	free(e->team);
	free(e->data);
	free(e->audit_agent);
	free(e->day);
}

void
outbox_free(struct outbox *o)
{
	size_t	i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		entry_clear(&o->v[i]);
	free(o->v);
	free(o);
}

void
outbox_set_dispatch(struct outbox *o, struct dispatch *d)
{
	o->dispatch = d;
}

/* Call cb with each suggestion change once it is stored. */
void
outbox_set_sink(struct outbox *o, outbox_sink_cb cb, void *arg)
{
	o->sink = cb;
	o->sink_arg = arg;
}

static struct outbox_entry *
entry_new(struct outbox *o)
{
	if (o->n == o->cap) {
		o->cap = o->cap == 0 ? 32 : o->cap * 2;
		o->v = xreallocarray(o->v, o->cap, sizeof *o->v);
	}
	memset(&o->v[o->n], 0, sizeof o->v[0]);
	return (&o->v[o->n++]);
}

/*
 * Queue the suggestion's current state for storage; publish adds a
 * `suggestion` stream item (every change a client should see).
 */
void
outbox_suggestion(struct outbox *o, const struct suggestion *s,
    int publish)
{
	struct outbox_entry	*e;

	e = entry_new(o);
	e->sugg = *s;
	e->seq = publish ? o->next_seq : 0;	/* its item, queued next */
	o->nchanges++;
	/* A wellbeing_check reaches its audience's stream only. */
	if (publish && s->kind == SK_WELLBEING_CHECK)
		outbox_item(o, "suggestion", s->to_agent ? s->agent : "",
		    s->to_agent ? "" : s->team, sugg_json(s), s->updated_at);
	else if (publish)
		outbox_item(o, "suggestion", s->agent, s->team, sugg_json(s),
		    s->updated_at);
}

/* Queue a stream item; steals data. */
void
outbox_item(struct outbox *o, const char *event, const char *agent,
    const char *team, json_t *data, int64_t now)
{
	struct outbox_entry	*e;

	e = entry_new(o);
	e->is_item = 1;
	o->nchanges++;
	e->seq = o->next_seq++;
	e->event = xstrdup(event);
	e->agent = xstrdup(agent != NULL ? agent : "");
	e->team = xstrdup(team != NULL ? team : "");
	if ((e->data = json_dumps(data, JSON_COMPACT)) == NULL)
		fatalx("outbox_item: out of memory");
	json_decref(data);
	e->created = now;
}

/* Queue an audit record: who (token label) with role read what of agent. */
void
outbox_audit(struct outbox *o, int64_t now, const char *who,
    const char *role, const char *what, const char *agent)
{
	struct outbox_entry	*e;

	e = entry_new(o);
	e->is_audit = 1;
	e->event = xstrdup(who);
	e->agent = xstrdup(role);
	e->team = xstrdup(what);
	e->audit_agent = xstrdup(agent != NULL ? agent : "");
	e->created = now;
}

/*
 * Queue an agent day for storage (days.c): add 0 stores it as it is, add 1
 * adds it to the stored one as a correction (store_day_put()).
 */
void
outbox_day(struct outbox *o, const struct store_day *d, int add)
{
	struct outbox_entry	*e;

	e = entry_new(o);
	e->day = xmalloc(sizeof *e->day);
	*e->day = *d;
	e->day_add = add;
	o->nchanges++;
}

/*
 * Queue the advisor's state of one agent or team (advise_flush()) for
 * storage, or its deletion (body NULL); steals body.  Never published.
 */
void
outbox_advisor(struct outbox *o, const char *scope, const char *name,
    json_t *body)
{
	struct outbox_entry	*e;

	e = entry_new(o);
	e->is_state = 1;
	e->event = xstrdup(scope);
	e->agent = xstrdup(name);
	if (body != NULL && (e->data = json_dumps(body, JSON_COMPACT)) ==
	    NULL)
		fatalx("outbox_advisor: out of memory");
	json_decref(body);
	o->nchanges++;
}

int
outbox_pending(const struct outbox *o)
{
	return (o->n > 0);
}

/*
 * Are there suggestion changes or stream items not yet stored?  What a
 * reader may see of the advisor's state in memory must be stored first
 * (audit records need not).
 */
int
outbox_unstored(const struct outbox *o)
{
	return (o->nchanges > 0);
}

/* The stream item of entry e, in *it (borrowing e's strings). */
static const struct store_stream_item *
item_of(const struct outbox_entry *e, struct store_stream_item *it)
{
	it->seq = e->seq;
	it->event = e->event;
	it->agent = e->agent;
	it->team = e->team;
	it->data = e->data;
	it->created_ms = e->created;
	return (it);
}

/*
 * Write everything queued within the caller's open transaction; then
 * outbox_written() must say whether it committed.  Returns 0, or -1 with
 * *cause.
 */
int
outbox_write(struct outbox *o, char **cause)
{
	struct store_suggestion		 row;
	struct store_stream_item	 it;
	struct outbox_entry		*e;
	json_t				*j;
	char				*body;
	size_t				 i;
	int				 rc = 0;

	o->nwritten = 0;
	for (i = 0; i < o->n && rc == 0; i++) {
		e = &o->v[i];
		if (e->is_audit) {
			rc = store_audit_add(o->store, e->created, e->event,
			    e->agent, e->team, e->audit_agent, cause);
			continue;
		}
		if (e->is_item) {
			rc = store_stream_add(o->store, item_of(e, &it), cause);
			continue;
		}
		if (e->day != NULL) {
			rc = store_day_put(o->store, e->day, e->day_add, cause);
			continue;
		}
		if (e->is_state) {
			rc = store_advisor_put(o->store, e->event, e->agent,
			    e->data, cause);
			continue;
		}
		j = sugg_json(&e->sugg);
		body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		row.seq = e->sugg.seq;
		row.agent = e->sugg.agent;
		row.team = e->sugg.team;
		row.kind = sugg_kind_name(e->sugg.kind);
		row.status = sugg_status_name(e->sugg.status);
		row.audience = sugg_audience(&e->sugg);
		row.created_at = e->sugg.created_at;
		row.updated_at = e->sugg.updated_at;
		row.body = body;
		rc = store_suggestion_put(o->store, &row, cause);
		free(e->data);		/* a retried write */
		e->data = body;		/* for the sinks */
	}
	if (rc == 0)
		o->nwritten = o->n;
	return (rc);
}

/*
 * The transaction of the last outbox_write() committed (or not: then
 * everything stays queued).  Publish what it stored, in order.
 */
void
outbox_written(struct outbox *o, int committed)
{
	struct store_stream_item	 it;
	struct outbox_entry		*e;
	size_t				 i, n = o->nwritten;

	o->nwritten = 0;
	if (!committed || n == 0)
		return;
	for (i = 0; i < n; i++) {
		e = &o->v[i];
		if (e->is_item && o->dispatch != NULL)
			dispatch_publish(o->dispatch, item_of(e, &it));
		if (!e->is_item && !e->is_audit && e->day == NULL &&
		    !e->is_state && o->sink != NULL)
			o->sink(&e->sugg, e->data, e->seq, o->sink_arg);
		if (!e->is_audit)
			o->nchanges--;
		entry_clear(e);
	}
	/* Queued since the write (by a sink or a subscriber callback). */
	memmove(o->v, o->v + n, (o->n - n) * sizeof *o->v);
	o->n -= n;
}

/* outbox_write() and outbox_written() as commit_set_extra()'s hooks. */
int
outbox_hook_write(void *o, char **cause)
{
	return (outbox_write(o, cause));
}

void
outbox_hook_written(int committed, void *o)
{
	outbox_written(o, committed);
}

/*
 * Write everything queued in a transaction of its own, then publish it.
 * Returns 0, or -1 with *cause (the queue is kept for a retry).
 */
int
outbox_flush(struct outbox *o, char **cause)
{
	int	rc;

	if (o->n == 0)
		return (0);
	if ((rc = store_begin(o->store, cause)) == 0 &&
	    (rc = outbox_write(o, cause)) == 0)
		rc = store_commit(o->store, cause);
	if (rc != 0)
		store_rollback(o->store);
	outbox_written(o, rc == 0);
	return (rc == 0 ? 0 : -1);
}
