/*
 * respite - one agent's state and metrics.
 *
 * The state keeps only what the metrics of MODEL.md need: handled tickets
 * of the last hour, hostile messages of the last day, and the agent's
 * status changes of the last day and a half, each as a small array sorted
 * by event time.  Metrics are computed from them at a `now` the caller
 * passes in, so they can be tested by replaying hours in microseconds.
 *
 * Hostile messages are kept one by one while a minute holds at most
 * HOSTILE_EXACT_MAX of them; a busier minute is folded into one
 * aggregate (count, severities, the decayed sum, by channel), so an agent
 * keeps at most HOSTILE_EXACT_MAX entries and one aggregate per minute of
 * the day whatever the rate, and a late message costs a binary search
 * (issue 21).  The aggregate is exact for exposure; for the trailing hour
 * it counts while its latest message is inside it (a minute's precision).
 * Handled tickets are kept the same way (their handling time is exact
 * while the minute's tickets lie wholly in the hour, else prorated).
 * Status changes: at most TRANS_MINUTE_MAX a minute (a busier minute keeps
 * its first and last), each with the running time in every status, so the
 * time in a status over any span is two binary searches.
 *
 * Events are applied in the order received.  A late event (a ts before
 * the agent's newest) is inserted where its time belongs, so it counts in
 * every window it falls into.  Two metrics can only approximate late
 * events and say so below: continuous work (a late event never moves the
 * start of the current stretch) and the current status (it follows the
 * latest status change by event time).
 */
#include "build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "config.h"
#include "timeutil.h"
#include "xmalloc.h"

#define HANDLED_KEEP_MS		(61 * MS_PER_MIN)
#define HOSTILE_KEEP_MS		(24 * MS_PER_HOUR)
#define STATUS_KEEP_MS		(36 * MS_PER_HOUR)
/* How late a work event may be and still log an offline agent in. */
#define LATE_LOGIN_MAX_MS	(12 * MS_PER_HOUR)

struct handled {
	int64_t		ts;
	int64_t		duration_ms;
	double		weight;
};

struct hostile {
	int64_t			ts;
	double			severity;
	enum respite_channel	channel;
};

/* A minute of more than HANDLED_EXACT_MAX handled tickets. */
#define HANDLED_EXACT_MAX	4
struct handled_min {
	int64_t		minute;		/* its start, epoch ms */
	int64_t		lo, hi;		/* its first and last ticket */
	long		n;
	double		weight;		/* their sum */
	int64_t		duration_ms;	/* their sum */
	int64_t		duration_max;
};

/* Hostile messages kept one by one per minute before it is aggregated. */
#define HOSTILE_EXACT_MAX	4

/* A minute of more than HOSTILE_EXACT_MAX hostile messages. */
struct hostile_min {
	int64_t		minute;		/* its start, epoch ms */
	int64_t		lo, hi;		/* its first and last message */
	long		n;
	double		severity;	/* their sum */
	double		decayed;	/* sum of severity x 2^((ts-minute)/hl) */
	double		half_life_ms;	/* the hl of decayed */
	double		by_channel[RESPITE_CH_COUNT];	/* severity */
};

#define OPEN_TICKETS_TRACKED	64	/* ticket ids remembered per agent */

struct transition {
	int64_t			ts;
	enum agent_status	status;
	/* Milliseconds in each status from the first change kept to this. */
	int64_t			before[AGENT_ON_BREAK + 1];
};

/*
 * Status changes kept per minute: past that, a minute keeps its first and
 * its last (a storm of logins and logouts is measured to the minute).
 */
#define TRANS_MINUTE_MAX	2

struct agent {
	char			 id[RESPITE_NAME_MAX + 1];
	char			 team[RESPITE_NAME_MAX + 1];
	char			 tz[RESPITE_TZ_MAX + 1];
	int64_t			 newest_ts;	/* updated_at */
	int			 seen;
	long			 open_tickets;
	long			 live_contacts;	/* open phone/chat/messaging */

	/* Continuous work (see agent_metrics). */
	int64_t			 work_start;
	int64_t			 last_activity;
	int64_t			 break_start;

	struct handled		*handled;
	size_t			 nhandled, handled_cap;
	struct handled_min	*hdmin;		/* by minute */
	size_t			 nhdmin, hdmin_cap;
	struct hostile		*hostile;
	size_t			 nhostile, hostile_cap;
	struct hostile_min	*hmin;		/* by minute */
	size_t			 nhmin, hmin_cap;
	struct transition	*trans;
	size_t			 ntrans, trans_cap;

	/* Ids of open tickets (the newest OPEN_TICKETS_TRACKED), once one. */
	char			**open_ids;
	size_t			 nopen_ids;
	int64_t			 channel_seen[RESPITE_CH_COUNT];

	void			*ext;		/* the advisor's state */
	void			(*ext_free)(void *);
};

/*
 * The model's parameters from the [model] section (respited, and the
 * unit tests).  mp->timezone borrows cf's string.
 */
void
agent_params_from_config(struct model_params *mp, const struct config *cf)
{
	memset(mp, 0, sizeof *mp);
	mp->natural_break_ms = (int64_t)cf->natural_break_min * MS_PER_MIN;
	mp->hostile_threshold = cf->hostile_threshold;
	mp->half_life_ms = cf->exposure_half_life_min * MS_PER_MIN;
	mp->weight[RESPITE_CH_NONE] = cf->weight_other;
	mp->weight[RESPITE_CH_PHONE] = cf->weight_phone;
	mp->weight[RESPITE_CH_CHAT] = cf->weight_chat;
	mp->weight[RESPITE_CH_EMAIL] = cf->weight_email;
	mp->weight[RESPITE_CH_SOCIAL] = cf->weight_social;
	mp->weight[RESPITE_CH_MESSAGING] = cf->weight_messaging;
	mp->weight[RESPITE_CH_OTHER] = cf->weight_other;
	mp->timezone = cf->timezone;
	mp->day_starts_at_min = cf->day_starts_at_min;
}

struct agent *
agent_new(const char *id)
{
	struct agent	*a;

	a = xcalloc(1, sizeof *a);
	strncpy(a->id, id, sizeof a->id - 1);
	return (a);
}

/*
 * What a forgotten agent shows (advise_forget()): a fresh agent, offline
 * and with no recent event, in its last team, updated at its newest
 * stored event.
 */
struct agent *
agent_new_idle(const char *id, const char *team, int64_t updated_at)
{
	struct agent	*a = agent_new(id);

	strncpy(a->team, team, sizeof a->team - 1);
	a->newest_ts = updated_at;
	a->last_activity = updated_at;
	a->seen = 1;
	return (a);
}

void
agent_free(struct agent *a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nopen_ids; i++)
		free(a->open_ids[i]);
	free(a->open_ids);
	if (a->ext != NULL && a->ext_free != NULL)
		a->ext_free(a->ext);
	free(a->handled);
	free(a->hdmin);
	free(a->hostile);
	free(a->hmin);
	free(a->trans);
	free(a);
}

const char *
agent_id(const struct agent *a)
{
	return (a->id);
}

const char *
agent_team(const struct agent *a)
{
	return (a->team);
}

/* Attach state of a later stage (the advisor); freed with the agent. */
void
agent_set_ext(struct agent *a, void *ext, void (*ext_free)(void *))
{
	a->ext = ext;
	a->ext_free = ext_free;
}

void *
agent_ext(const struct agent *a)
{
	return (a->ext);
}

/* When the current stretch of continuous work began (epoch ms). */
int64_t
agent_work_start(const struct agent *a)
{
	return (a->work_start);
}

/* When the current status began (epoch ms; 0 if never seen). */
int64_t
agent_status_since(const struct agent *a)
{
	return (a->ntrans > 0 ? a->trans[a->ntrans - 1].ts : 0);
}

/* Tickets assigned and not yet handled (agent_metrics' open_tickets). */
long
agent_open_tickets(const struct agent *a)
{
	return (a->open_tickets);
}

/* Is a ticket with this id assigned and not yet handled? */
int
agent_ticket_open(const struct agent *a, const char *ticket)
{
	size_t	i;

	for (i = 0; i < a->nopen_ids; i++)
		if (strcmp(a->open_ids[i], ticket) == 0)
			return (1);
	return (0);
}

/* Did the agent work on channel c in (now - 60 min, now]? */
int
agent_uses_channel(const struct agent *a, enum respite_channel c,
    int64_t now)
{
	return (c > RESPITE_CH_NONE && c < RESPITE_CH_COUNT &&
	    a->channel_seen[c] != 0 && a->channel_seen[c] > now - MS_PER_HOUR);
}

/*
 * The channel most hostile messages came from in the last hour (weighted
 * by severity), or RESPITE_CH_NONE.
 */
enum respite_channel
agent_most_hostile_channel(const struct agent *a, int64_t now)
{
	double			w[RESPITE_CH_COUNT] = { 0 }, best = 0;
	enum respite_channel	c = RESPITE_CH_NONE;
	size_t			i;
	int			k;

	for (i = 0; i < a->nhostile; i++)
		if (a->hostile[i].ts > now - MS_PER_HOUR &&
		    a->hostile[i].ts <= now)
			w[a->hostile[i].channel] += a->hostile[i].severity;
	for (i = 0; i < a->nhmin; i++)
		if (a->hmin[i].hi > now - MS_PER_HOUR && a->hmin[i].lo <= now)
			for (k = 0; k < RESPITE_CH_COUNT; k++)
				w[k] += a->hmin[i].by_channel[k];
	for (k = RESPITE_CH_NONE + 1; k < RESPITE_CH_COUNT; k++)
		if (w[k] > best) {
			best = w[k];
			c = (enum respite_channel)k;
		}
	return (c);
}

static void
open_id_add(struct agent *a, const char *ticket)
{
	if (*ticket == '\0' || agent_ticket_open(a, ticket))
		return;
	if (a->open_ids == NULL)
		a->open_ids = xcalloc(OPEN_TICKETS_TRACKED,
		    sizeof *a->open_ids);
	if (a->nopen_ids == OPEN_TICKETS_TRACKED) {
		free(a->open_ids[0]);
		memmove(a->open_ids, a->open_ids + 1,
		    (OPEN_TICKETS_TRACKED - 1) * sizeof a->open_ids[0]);
		a->nopen_ids--;
	}
	a->open_ids[a->nopen_ids++] = xstrdup(ticket);
}

static void
open_id_remove(struct agent *a, const char *ticket)
{
	size_t	i;

	for (i = 0; i < a->nopen_ids; i++) {
		if (strcmp(a->open_ids[i], ticket) == 0) {
			free(a->open_ids[i]);
			memmove(a->open_ids + i, a->open_ids + i + 1,
			    (a->nopen_ids - i - 1) * sizeof a->open_ids[0]);
			a->nopen_ids--;
			return;
		}
	}
}

/*
 * At start-up (rebuild.c): the open tickets as stored (the assignments
 * table counts them over every stored event as agent_apply() does), in
 * place of what the window's events counted.  Reset, then add each.
 */
void
agent_open_reset(struct agent *a)
{
	size_t	i;

	for (i = 0; i < a->nopen_ids; i++)
		free(a->open_ids[i]);
	a->nopen_ids = 0;
	a->open_tickets = 0;
}

void
agent_open_add(struct agent *a, const char *ticket)
{
	open_id_add(a, ticket);
	a->open_tickets++;
}

const char *
agent_tz(const struct agent *a)
{
	return (a->tz);
}

int64_t
agent_updated_at(const struct agent *a)
{
	return (a->newest_ts);
}

enum agent_status
agent_status(const struct agent *a)
{
	return (a->ntrans > 0 ? a->trans[a->ntrans - 1].status : AGENT_OFFLINE);
}

const char *
agent_status_name(enum agent_status s)
{
	switch (s) {
	case AGENT_WORKING:
		return ("working");
	case AGENT_ON_BREAK:
		return ("on_break");
	default:
		return ("offline");
	}
}

/*
 * Insert an element of size sz with time ts into a time-sorted array,
 * after any element of the same time.  Returns the new element's slot.
 */
static void *
sorted_insert(void **arr, size_t *n, size_t *cap, size_t sz, int64_t ts)
{
	char	*base;
	size_t	 lo = 0, hi = *n, mid;

	if (*n == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		*arr = xreallocarray(*arr, *cap, sz);
	}
	base = *arr;
	/* Elements start with their int64_t ts. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (*(int64_t *)(void *)(base + mid * sz) <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(base + (lo + 1) * sz, base + lo * sz, (*n - lo) * sz);
	(*n)++;
	return (base + lo * sz);
}

/*
 * Drop elements older than cutoff; keep_one keeps the newest such element
 * (a status that was in force at the cutoff).
 */
static void
prune_before(void *arr, size_t *n, size_t sz, int64_t cutoff, int keep_one)
{
	char	*base = arr;
	size_t	 i = 0;

	while (i < *n && *(int64_t *)(void *)(base + i * sz) < cutoff)
		i++;
	if (keep_one && i > 0)
		i--;
	if (i == 0)
		return;
	memmove(base, base + i * sz, (*n - i) * sz);
	*n -= i;
}

static int64_t	minute_of(int64_t);

/* The status at ts: the last change at or before it (binary search). */
static enum agent_status
status_at(const struct agent *a, int64_t ts)
{
	size_t	lo = 0, hi = a->ntrans, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->trans[mid].ts <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo > 0 ? a->trans[lo - 1].status : AGENT_OFFLINE);
}

/* The first index of a->trans with ts >= t. */
static size_t
trans_lower(const struct agent *a, int64_t t)
{
	size_t	lo = 0, hi = a->ntrans, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->trans[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/* Recompute the running sums of time in each status from index k on. */
static void
trans_sums(struct agent *a, size_t k)
{
	struct transition	*p, *t;
	size_t			 i;
	int			 s;

	if (k == 0 && a->ntrans > 0)
		memset(a->trans[0].before, 0, sizeof a->trans[0].before);
	for (i = k > 0 ? k : 1; i < a->ntrans; i++) {
		p = &a->trans[i - 1];
		t = &a->trans[i];
		for (s = 0; s <= AGENT_ON_BREAK; s++)
			t->before[s] = p->before[s] +
			    (p->status == (enum agent_status)s ? t->ts - p->ts :
			    0);
	}
}

static void
add_transition(struct agent *a, int64_t ts, enum agent_status s)
{
	struct transition	*t;
	int64_t			 minute = minute_of(ts);
	size_t			 lo, hi;

	t = sorted_insert((void **)&a->trans, &a->ntrans, &a->trans_cap,
	    sizeof *t, ts);
	t->ts = ts;
	t->status = s;
	lo = trans_lower(a, minute);
	hi = trans_lower(a, minute + MS_PER_MIN);
	if (hi - lo > TRANS_MINUTE_MAX) {
		memmove(a->trans + lo + 1, a->trans + hi - 1,
		    (a->ntrans - hi + 1) * sizeof *a->trans);
		a->ntrans -= hi - lo - 2;
	}
	trans_sums(a, lo);
}

static int
is_live_channel(enum respite_channel c)
{
	return (c == RESPITE_CH_PHONE || c == RESPITE_CH_CHAT ||
	    c == RESPITE_CH_MESSAGING);
}

static int
is_work_event(enum respite_event_type t)
{
	return (t == RESPITE_EV_TICKET_ASSIGNED ||
	    t == RESPITE_EV_TICKET_HANDLED ||
	    t == RESPITE_EV_MESSAGE_RECEIVED ||
	    t == RESPITE_EV_MESSAGE_FLAGGED);
}

static int
is_hostile(const struct respite_event *ev, const struct model_params *mp)
{
	if (ev->type == RESPITE_EV_MESSAGE_FLAGGED)
		return (1);
	return (ev->type == RESPITE_EV_MESSAGE_RECEIVED && ev->severity >= 0 &&
	    ev->severity >= mp->hostile_threshold);
}

/* Does ev count as a hostile message (MODEL.md)? */
int
agent_event_hostile(const struct respite_event *ev,
    const struct model_params *mp)
{
	return (is_hostile(ev, mp));
}

/* The status at ts, by the status changes kept (the last 36 hours). */
enum agent_status
agent_status_at(const struct agent *a, int64_t ts)
{
	return (status_at(a, ts));
}

/* The start of ts's minute. */
static int64_t
minute_of(int64_t ts)
{
	int64_t	r = ts % MS_PER_MIN;

	return (r < 0 ? ts - r - MS_PER_MIN : ts - r);
}

/* The first index of a->hostile with ts >= t. */
static size_t
hostile_lower(const struct agent *a, int64_t t)
{
	size_t	lo = 0, hi = a->nhostile, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->hostile[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/* The index of minute m in a->hmin, or where it belongs (*found 0). */
static size_t
hmin_find(const struct agent *a, int64_t m, int *found)
{
	size_t	lo = 0, hi = a->nhmin, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->hmin[mid].minute < m)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < a->nhmin && a->hmin[lo].minute == m;
	return (lo);
}

static void
hmin_add(struct hostile_min *b, const struct hostile *h)
{
	if (b->n == 0 || h->ts < b->lo)
		b->lo = h->ts;
	if (b->n == 0 || h->ts > b->hi)
		b->hi = h->ts;
	b->n++;
	b->severity += h->severity;
	b->decayed += h->severity *
	    exp2((double)(h->ts - b->minute) / b->half_life_ms);
	b->by_channel[h->channel] += h->severity;
}

/*
 * Add a hostile message: to its minute's aggregate if there is one, else
 * one by one; a minute that then holds more than HOSTILE_EXACT_MAX
 * becomes an aggregate.
 */
static void
hostile_add(struct agent *a, const struct hostile *h,
    const struct model_params *mp)
{
	struct hostile_min	*b;
	struct hostile		*m;
	int64_t			 minute = minute_of(h->ts);
	size_t			 i, lo, hi;
	int			 found;

	i = hmin_find(a, minute, &found);
	if (found) {
		hmin_add(&a->hmin[i], h);
		return;
	}
	m = sorted_insert((void **)&a->hostile, &a->nhostile,
	    &a->hostile_cap, sizeof *m, h->ts);
	*m = *h;
	lo = hostile_lower(a, minute);
	hi = hostile_lower(a, minute + MS_PER_MIN);
	if (hi - lo <= HOSTILE_EXACT_MAX)
		return;
	if (a->nhmin == a->hmin_cap) {
		a->hmin_cap = a->hmin_cap == 0 ? 16 : a->hmin_cap * 2;
		a->hmin = xreallocarray(a->hmin, a->hmin_cap,
		    sizeof *a->hmin);
	}
	memmove(a->hmin + i + 1, a->hmin + i,
	    (a->nhmin - i) * sizeof *a->hmin);
	a->nhmin++;
	b = &a->hmin[i];
	memset(b, 0, sizeof *b);
	b->minute = minute;
	b->half_life_ms = mp->half_life_ms;
	for (i = lo; i < hi; i++)
		hmin_add(b, &a->hostile[i]);
	memmove(a->hostile + lo, a->hostile + hi,
	    (a->nhostile - hi) * sizeof *a->hostile);
	a->nhostile -= hi - lo;
}

/* The first index of a->handled with ts >= t. */
static size_t
handled_lower(const struct agent *a, int64_t t)
{
	size_t	lo = 0, hi = a->nhandled, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->handled[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static void
hdmin_add(struct handled_min *b, const struct handled *h)
{
	if (b->n == 0 || h->ts < b->lo)
		b->lo = h->ts;
	if (b->n == 0 || h->ts > b->hi)
		b->hi = h->ts;
	if (h->duration_ms > b->duration_max)
		b->duration_max = h->duration_ms;
	b->n++;
	b->weight += h->weight;
	b->duration_ms += h->duration_ms;
}

/* A handled ticket, as hostile_add() does a message. */
static void
handled_add(struct agent *a, const struct handled *h)
{
	struct handled_min	*b;
	struct handled		*m;
	int64_t			 minute = minute_of(h->ts);
	size_t			 i, lo = 0, hi = a->nhdmin, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (a->hdmin[mid].minute < minute)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;
	if (i < a->nhdmin && a->hdmin[i].minute == minute) {
		hdmin_add(&a->hdmin[i], h);
		return;
	}
	m = sorted_insert((void **)&a->handled, &a->nhandled,
	    &a->handled_cap, sizeof *m, h->ts);
	*m = *h;
	lo = handled_lower(a, minute);
	hi = handled_lower(a, minute + MS_PER_MIN);
	if (hi - lo <= HANDLED_EXACT_MAX)
		return;
	if (a->nhdmin == a->hdmin_cap) {
		a->hdmin_cap = a->hdmin_cap == 0 ? 16 : a->hdmin_cap * 2;
		a->hdmin = xreallocarray(a->hdmin, a->hdmin_cap,
		    sizeof *a->hdmin);
	}
	memmove(a->hdmin + i + 1, a->hdmin + i,
	    (a->nhdmin - i) * sizeof *a->hdmin);
	a->nhdmin++;
	b = &a->hdmin[i];
	memset(b, 0, sizeof *b);
	b->minute = minute;
	for (i = lo; i < hi; i++)
		hdmin_add(b, &a->handled[i]);
	memmove(a->handled + lo, a->handled + hi,
	    (a->nhandled - hi) * sizeof *a->handled);
	a->nhandled -= hi - lo;
}

/* Drop the aggregates whose every message is older than cutoff. */
static void
hmin_prune(struct agent *a, int64_t cutoff)
{
	size_t	i = 0;

	while (i < a->nhmin && a->hmin[i].hi < cutoff)
		i++;
	if (i == 0)
		return;
	memmove(a->hmin, a->hmin + i, (a->nhmin - i) * sizeof *a->hmin);
	a->nhmin -= i;
}

/* Entries the agent holds (its memory is bounded by the windows). */
size_t
agent_entries(const struct agent *a)
{
	return (a->nhandled + a->nhdmin + a->nhostile + a->nhmin + a->ntrans);
}

/* Apply one event (already validated) to the agent's state. */
void
agent_apply(struct agent *a, const struct respite_event *ev,
    const struct model_params *mp)
{
	enum agent_status	 before, after;
	int64_t			 ts = ev->ts_ms;
	int			 late;
	size_t			 i;

	late = a->seen && ts < a->newest_ts;
	if (ev->team[0] != '\0')
		memcpy(a->team, ev->team, sizeof a->team);
	if (ev->type == RESPITE_EV_AGENT_LOGIN && ev->tz[0] != '\0')
		memcpy(a->tz, ev->tz, sizeof a->tz);

	/*
	 * Continuous work, part one: a quiet gap of natural_break_min with
	 * no live contact in progress is a natural break, so the stretch
	 * restarts with this event.  A late event cannot reopen the past:
	 * it leaves the stretch as it is (an approximation).
	 */
	before = status_at(a, ts);
	if (!late && a->seen && before == AGENT_WORKING &&
	    ts - a->last_activity >= mp->natural_break_ms &&
	    a->live_contacts == 0)
		a->work_start = ts;

	after = before;
	switch (ev->type) {
	case RESPITE_EV_AGENT_LOGIN:
		if (before != AGENT_WORKING)
			after = AGENT_WORKING;
		break;
	case RESPITE_EV_AGENT_LOGOUT:
		after = AGENT_OFFLINE;
		break;
	case RESPITE_EV_BREAK_START:
		after = AGENT_ON_BREAK;
		break;
	case RESPITE_EV_BREAK_END:
		after = AGENT_WORKING;
		break;
	default:
		/*
		 * An implicit login; for a late event only within
		 * LATE_LOGIN_MAX_MS of the newest one, or a stray event
		 * from 1970 would count as work done since then.
		 */
		if (before == AGENT_OFFLINE && is_work_event(ev->type) &&
		    (!late || a->newest_ts - ts <= LATE_LOGIN_MAX_MS))
			after = AGENT_WORKING;
		break;
	}
	if (after != before)
		add_transition(a, ts, after);
	if (!late) {
		/*
		 * Arriving (a login, a work event, even a break_start) starts
		 * a new stretch; a break_start also starts the break.  A
		 * break_end or a login that ends a long enough break is a
		 * natural break.
		 */
		if (before == AGENT_OFFLINE && after != AGENT_OFFLINE)
			a->work_start = ts;
		if (ev->type == RESPITE_EV_BREAK_START &&
		    before != AGENT_ON_BREAK)
			a->break_start = ts;
		else if (before == AGENT_ON_BREAK && after == AGENT_WORKING &&
		    ts - a->break_start >= mp->natural_break_ms)
			a->work_start = ts;	/* a break that counts */
	}

	switch (ev->type) {
	case RESPITE_EV_AGENT_LOGOUT:
		/* A logout ends every conversation still open. */
		a->live_contacts = 0;
		break;
	case RESPITE_EV_TICKET_ASSIGNED:
		open_id_add(a, ev->ticket);
		a->open_tickets++;
		if (is_live_channel(ev->channel))
			a->live_contacts++;
		break;
	case RESPITE_EV_TICKET_HANDLED: {
		struct handled	 h;

		open_id_remove(a, ev->ticket);
		if (a->open_tickets > 0)
			a->open_tickets--;
		if (is_live_channel(ev->channel) && a->live_contacts > 0)
			a->live_contacts--;
		if (a->seen && ts < a->newest_ts - HANDLED_KEEP_MS)
			break;		/* outside every window */
		h.ts = ts;
		/*
		 * Handling time counts only within the hour before now
		 * (agent_metrics); a thread handled after days (no upper
		 * bound, API.md) is clipped here, before the conversion to
		 * ms could overflow.
		 */
		h.duration_ms = ev->duration_s * 1000 <
		    (double)HANDLED_KEEP_MS ?
		    (int64_t)llround(ev->duration_s * 1000) : HANDLED_KEEP_MS;
		h.weight = mp->weight[ev->channel];
		handled_add(a, &h);
		break;
	}
	case RESPITE_EV_MESSAGE_RECEIVED:
	case RESPITE_EV_MESSAGE_FLAGGED: {
		struct hostile	 m;

		if (!is_hostile(ev, mp) ||
		    (a->seen && ts < a->newest_ts - HOSTILE_KEEP_MS))
			break;
		m.ts = ts;
		m.severity = ev->severity >= 0 ? ev->severity : 1.0;
		m.channel = ev->channel;
		hostile_add(a, &m, mp);
		break;
	}
	default:
		break;
	}

	if (!late) {
		a->last_activity = ts;
		a->newest_ts = ts;
	}
	if (ev->channel > RESPITE_CH_NONE && ev->channel < RESPITE_CH_COUNT &&
	    is_work_event(ev->type) && ts > a->channel_seen[ev->channel])
		a->channel_seen[ev->channel] = ts;
	a->seen = 1;
	prune_before(a->handled, &a->nhandled, sizeof *a->handled,
	    a->newest_ts - HANDLED_KEEP_MS, 0);
	for (i = 0; i < a->nhdmin &&
	    a->hdmin[i].hi < a->newest_ts - HANDLED_KEEP_MS; i++)
		;
	if (i > 0) {
		memmove(a->hdmin, a->hdmin + i,
		    (a->nhdmin - i) * sizeof *a->hdmin);
		a->nhdmin -= i;
	}
	prune_before(a->hostile, &a->nhostile, sizeof *a->hostile,
	    a->newest_ts - HOSTILE_KEEP_MS, 0);
	hmin_prune(a, a->newest_ts - HOSTILE_KEEP_MS);
	prune_before(a->trans, &a->ntrans, sizeof *a->trans,
	    a->newest_ts - STATUS_KEEP_MS, 1);
}

static int64_t
overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	int64_t	lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return (hi > lo ? hi - lo : 0);
}

/* Milliseconds in status s from the first change kept to t. */
static int64_t
time_in_status_to(const struct agent *a, enum agent_status s, int64_t t)
{
	const struct transition	*p;
	size_t			 i;

	if (a->ntrans == 0)
		return (0);
	/* After the last change at or before t (as status_at()). */
	i = trans_lower(a, t + 1);
	if (i == 0)
		return (a->trans[0].before[s]);
	p = &a->trans[i - 1];
	return (p->before[s] + (p->status == s ? t - p->ts : 0));
}

/*
 * Milliseconds spent in status s within [from, to): a difference of the
 * running sums, two binary searches however many changes are kept.
 */
static int64_t
time_in_status(const struct agent *a, enum agent_status s, int64_t from,
    int64_t to)
{
	if (from >= to)
		return (0);
	return (time_in_status_to(a, s, to) - time_in_status_to(a, s, from));
}

/*
 * Compute the metrics of MODEL.md at now (epoch ms).  now is normally the
 * later of the wall clock and the agent's newest event.
 */
void
agent_metrics(const struct agent *a, int64_t now,
    const struct model_params *mp, struct agent_metrics *m)
{
	int64_t		 from = now - MS_PER_HOUR, handle = 0, present, day;
	const char	*tz;
	size_t		 i;
	double		 age;

	memset(m, 0, sizeof *m);
	m->open_tickets = a->open_tickets;

	/* Handled tickets in (now - 60 min, now]; handling time clipped. */
	for (i = 0; i < a->nhandled; i++) {
		const struct handled	*h = &a->handled[i];

		if (h->ts > now)
			continue;
		if (h->ts > from) {
			m->tickets_last_hour++;
			m->weighted_load_last_hour += h->weight;
		}
		handle += overlap(h->ts - h->duration_ms, h->ts, from, now);
	}
	for (i = 0; i < a->nhdmin; i++) {
		const struct handled_min	*b = &a->hdmin[i];
		int64_t				 s = b->lo - b->duration_max;

		if (b->lo > now)
			continue;
		if (b->hi > from) {
			m->tickets_last_hour += b->n;
			m->weighted_load_last_hour += b->weight;
		}
		/* Exact when wholly inside the hour, else prorated. */
		if (s >= from && b->hi <= now)
			handle += b->duration_ms;
		else if (b->hi > s)
			handle += (int64_t)((double)b->duration_ms *
			    (double)overlap(s, b->hi, from, now) /
			    (double)(b->hi - s));
	}
	present = time_in_status(a, AGENT_WORKING, from, now);
	if (present > 0) {
		m->occupancy_last_hour = (double)handle / (double)present;
		if (m->occupancy_last_hour > 1.0)
			m->occupancy_last_hour = 1.0;
	}

	for (i = 0; i < a->nhostile; i++) {
		const struct hostile	*h = &a->hostile[i];

		if (h->ts > now)
			continue;
		if (h->ts > from)
			m->hostile_last_hour++;
		age = (double)(now - h->ts);
		m->hostility_exposure += h->severity *
		    exp2(-age / mp->half_life_ms);
	}
	for (i = 0; i < a->nhmin; i++) {
		const struct hostile_min	*b = &a->hmin[i];

		if (b->lo > now)
			continue;
		if (b->hi > from)
			m->hostile_last_hour += b->n;
		/* The sum was decayed with another half-life: its middle. */
		if (b->half_life_ms == mp->half_life_ms)
			m->hostility_exposure += b->decayed *
			    exp2(-(double)(now - b->minute) /
			    mp->half_life_ms);
		else
			m->hostility_exposure += b->severity *
			    exp2(-(double)(now - (b->lo + b->hi) / 2) /
			    mp->half_life_ms);
	}

	/*
	 * Continuous work: minutes since the stretch began (login, the end
	 * of a break of natural_break_min or more, or the first event after
	 * a quiet gap).  Not working, or a quiet gap still running, is 0.
	 */
	if (agent_status(a) == AGENT_WORKING && now >= a->work_start &&
	    !(now - a->last_activity >= mp->natural_break_ms &&
	    a->live_contacts == 0))
		m->continuous_work_min = (long)((now - a->work_start) /
		    MS_PER_MIN);

	tz = a->tz[0] != '\0' ? a->tz : mp->timezone;
	day = time_day_start(tz, now, mp->day_starts_at_min);
	m->worked_today_min = (long)(time_in_status(a, AGENT_WORKING, day,
	    now) / MS_PER_MIN);
	m->minutes_on_break_today = (long)(time_in_status(a, AGENT_ON_BREAK,
	    day, now) / MS_PER_MIN);
}
