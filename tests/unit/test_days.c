/*
 * Unit tests for the agent days (daemon/days.c) on a real SQLite file:
 * day boundaries in a zone with DST (Europe/Berlin's spring and autumn
 * changes: days of 23 and 25 hours), a UTC agent, day_starts_at 04:00;
 * a late event landing in a closed day corrects its stored record (one
 * row, never two), also after the day left memory; a past week replayed
 * in one go gives the records that living through it minute by minute
 * gave (with the advisor's suggestions counted); a restart rebuilds
 * today from the events and leaves the stored days as they were.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advise.h"
#include "agents.h"
#include "config.h"
#include "days.h"
#include "outbox.h"
#include "store.h"
#include "strain.h"
#include "timeutil.h"
#include "unit_common.h"

#define MIN	MS_PER_MIN
#define HOUR	MS_PER_HOUR
#define LATER	(400 * MS_PER_DAY)	/* received long after: a replay */

static struct model_params	mp;
static struct advise_params	ap;

static int
group_setup(void **state)
{
	(void)state;
	unit_model_params(&mp);	/* UTC, the day from 04:00 */
	advise_params_default(&ap);
	return (0);
}

struct ctx {
	struct tmpdb	 db;
	struct store	*st;
	struct agents	*agents;
	struct outbox	*ob;
	struct advise	*adv;
	struct days	*days;
	int		 n;
};

/* A daemon's modules: with_adv also runs the advisor. */
static struct ctx *
ctx_new(const char *name, int with_adv)
{
	struct ctx	*c;
	char		*cause = NULL;

	c = calloc(1, sizeof *c);
	assert_non_null(c);
	assert_int_equal(tmpdb_make(&c->db, name), 0);
	if ((c->st = store_open(c->db.path, 0, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	c->agents = agents_new();
	c->ob = outbox_new(c->st);
	c->days = days_new(c->agents, c->st, &mp, &ap.strain,
	    ap.live_window_ms);
	days_rebuilt(c->days, c->ob, 0);
	if (with_adv) {
		c->adv = advise_new(c->agents, c->ob, &mp, &ap, 1);
		advise_set_days(c->adv, c->days);
	}
	return (c);
}

/* Reopen the same database as a restarted daemon would, at now. */
static void
ctx_restart(struct ctx *c, int64_t now)
{
	char	*cause = NULL;

	advise_free(c->adv);
	c->adv = NULL;
	days_free(c->days);
	outbox_free(c->ob);
	agents_free(c->agents);
	store_close(c->st);
	if ((c->st = store_open(c->db.path, 0, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	c->agents = agents_new();
	c->ob = outbox_new(c->st);
	c->days = days_new(c->agents, c->st, &mp, &ap.strain,
	    ap.live_window_ms);
	assert_int_equal(days_load(c->days, now, &cause), 0);
}

static void
ctx_free(struct ctx *c)
{
	advise_free(c->adv);
	days_free(c->days);
	outbox_free(c->ob);
	agents_free(c->agents);
	store_close(c->st);
	tmpdb_remove(&c->db);
	free(c);
}

/* Write what the days queued. */
static void
flush(struct ctx *c)
{
	char	*cause = NULL;

	days_flush(c->days);
	if (outbox_flush(c->ob, &cause) == -1)
		fail_msg("outbox_flush: %s", cause);
}

/* One event as respited applies it (api_apply_cb). */
static void
apply(struct ctx *c, enum respite_event_type type, const char *agent,
    int64_t ts, int64_t received, enum respite_channel ch, double sev,
    const char *tz)
{
	struct respite_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	snprintf(ev.agent, sizeof ev.agent, "%s", agent);
	snprintf(ev.team, sizeof ev.team, "t1");
	snprintf(ev.ticket, sizeof ev.ticket, "k%d", c->n / 2);
	if (tz != NULL)
		snprintf(ev.tz, sizeof ev.tz, "%s", tz);
	ev.ts_ms = ts;
	ev.received_ms = received;
	ev.channel = ch;
	ev.duration_s = type == RESPITE_EV_TICKET_HANDLED ? 240 : -1;
	ev.severity = sev;
	c->n++;
	days_event(c->days, &ev);
	if (c->adv != NULL)
		advise_event(c->adv, &ev);
	else
		agents_apply(c->agents, &ev, &mp);
}

/* The stored day of agent on date, in *d: 1, or 0 if none. */
static int
read_cb(const struct store_day *sd, void *arg)
{
	*(struct store_day *)arg = *sd;
	return (0);
}

static int
stored(struct ctx *c, const char *agent, const char *date,
    struct store_day *d)
{
	char	*cause = NULL;

	memset(d, 0, sizeof *d);
	assert_int_equal(store_days_foreach(c->st, agent, NULL, date, date, 0,
	    read_cb, d, &cause), 0);
	return (d->agent[0] != '\0');
}

/* The day in memory of agent on date, or NULL. */
static const struct store_day *
held(struct ctx *c, const char *agent, const char *date)
{
	const struct store_day	*v[DAYS_KEPT];
	size_t			 n, i;

	n = days_of_agent(c->days, agent, v, DAYS_KEPT);
	for (i = 0; i < n; i++)
		if (strcmp(v[i]->date, date) == 0)
			return (v[i]);
	return (NULL);
}

/* The newest day in memory of agent. */
static const struct store_day *
newest_held(struct ctx *c, const char *agent)
{
	const struct store_day	*v[DAYS_KEPT];
	size_t			 n;

	n = days_of_agent(c->days, agent, v, DAYS_KEPT);
	assert_true(n > 0);
	return (v[n - 1]);
}

static int64_t
at(const char *rfc3339)
{
	int64_t	ms;

	assert_int_equal(time_parse_rfc3339(rfc3339, &ms), 0);
	return (ms);
}

/* ------------------------------------------------------------- tests */

/* time_day: the boundary, the length with DST, the date; dates parse. */
static void
test_time_day(void **state)
{
	struct time_day	d;
	char		buf[TIME_DATE_LEN];
	int64_t		days;

	(void)state;
	/* Berlin, spring: 2026-03-29 02:00 CET became 03:00 CEST. */
	time_day("Europe/Berlin", at("2026-03-28T12:00:00Z"), 240, &d);
	assert_int_equal(d.start, at("2026-03-28T03:00:00Z"));	/* 04:00 CET */
	assert_int_equal(d.end, at("2026-03-29T02:00:00Z"));	/* 04:00 CEST */
	assert_int_equal(d.end - d.start, 23 * HOUR);
	assert_string_equal(time_date_format(d.date, buf, sizeof buf),
	    "2026-03-28");
	/* 03:30 CEST on the 29th is still the 28th's day. */
	time_day("Europe/Berlin", at("2026-03-29T01:30:00Z"), 240, &d);
	assert_string_equal(time_date_format(d.date, buf, sizeof buf),
	    "2026-03-28");
	/* Autumn: 2026-10-25 03:00 CEST became 02:00 CET: 25 hours. */
	time_day("Europe/Berlin", at("2026-10-24T12:00:00Z"), 240, &d);
	assert_int_equal(d.start, at("2026-10-24T02:00:00Z"));
	assert_int_equal(d.end, at("2026-10-25T03:00:00Z"));
	assert_int_equal(d.end - d.start, 25 * HOUR);
	/* UTC, 04:00: 03:59 is the day before. */
	time_day("UTC", at("2026-11-22T03:59:00Z"), 240, &d);
	assert_string_equal(time_date_format(d.date, buf, sizeof buf),
	    "2026-11-21");
	time_day("UTC", at("2026-11-22T04:00:00Z"), 240, &d);
	assert_string_equal(time_date_format(d.date, buf, sizeof buf),
	    "2026-11-22");
	assert_int_equal(d.end - d.start, 24 * HOUR);
	/* Dates: exactly YYYY-MM-DD, real days, 1970 to 9999. */
	assert_int_equal(time_date_parse("2026-12-01", &days), 0);
	assert_string_equal(time_date_format(days, buf, sizeof buf),
	    "2026-12-01");
	assert_int_equal(time_date_parse("1970-01-01", &days), 0);
	assert_int_equal(days, 0);
	assert_int_equal(time_date_parse("9999-12-31", &days), 0);
	assert_string_equal(time_date_format(days, buf, sizeof buf),
	    "9999-12-31");
	assert_int_equal(time_date_parse("2024-02-29", &days), 0);
	assert_int_equal(time_date_parse("2026-02-29", &days), -1);
	assert_int_equal(time_date_parse("2026-13-01", &days), -1);
	assert_int_equal(time_date_parse("2026-1-01", &days), -1);
	assert_int_equal(time_date_parse("2026-01-01x", &days), -1);
	assert_int_equal(time_date_parse("1969-12-31", &days), -1);
	assert_int_equal(time_date_parse("", &days), -1);
}

/*
 * An agent in Berlin working through the night of each change: the
 * minutes fall on the day they belong to, by local 04:00.
 */
static void
test_dst_days(void **state)
{
	struct ctx		*c = ctx_new("days-dst", 0);
	struct store_day	 d;
	int64_t			 t0, t;

	(void)state;
	/* Spring: 2026-03-29 00:00 CET (23:00Z) to 06:00 CEST (04:00Z). */
	t0 = at("2026-03-28T23:00:00Z");
	apply(c, RESPITE_EV_AGENT_LOGIN, "b", t0, t0 + LATER, 0, -1,
	    "Europe/Berlin");
	for (t = t0 + 10 * MIN; t < at("2026-03-29T04:00:00Z");
	    t += 10 * MIN)
		apply(c, RESPITE_EV_TICKET_HANDLED, "b", t, t0 + LATER,
		    RESPITE_CH_PHONE, -1, NULL);
	apply(c, RESPITE_EV_AGENT_LOGOUT, "b", at("2026-03-29T04:00:00Z"),
	    t0 + LATER, 0, -1, NULL);
	flush(c);
	/* 23:00Z to 02:00Z (04:00 CEST) is the 28th: 180 minutes. */
	assert_true(stored(c, "b", "2026-03-28", &d));
	assert_string_equal(d.tz, "Europe/Berlin");
	assert_int_equal(d.worked_min, 180);
	assert_int_equal(d.handled, 17);	/* 23:10Z .. 01:50Z */
	assert_int_equal(d.contacts[RESPITE_CH_PHONE], 17);
	assert_int_equal(d.start, at("2026-03-28T03:00:00Z"));
	assert_int_equal(d.end, at("2026-03-29T02:00:00Z"));
	assert_int_equal(d.final, 1);
	/* The 29th holds 02:00Z to 04:00Z, open until its end. */
	assert_false(stored(c, "b", "2026-03-29", &d));
	assert_non_null(held(c, "b", "2026-03-29"));
	assert_int_equal(held(c, "b", "2026-03-29")->worked_min, 120);
	assert_int_equal(held(c, "b", "2026-03-29")->handled, 12);

	/* Autumn: 2026-10-25 00:00 CEST (22:00Z) to 05:00 CET (04:00Z). */
	t0 = at("2026-10-24T22:00:00Z");
	apply(c, RESPITE_EV_AGENT_LOGIN, "b", t0, t0 + LATER, 0, -1, NULL);
	apply(c, RESPITE_EV_AGENT_LOGOUT, "b", at("2026-10-25T04:00:00Z"),
	    t0 + LATER, 0, -1, NULL);
	days_tick(c->days, at("2026-10-26T12:00:00Z"));
	flush(c);
	/* 04:00 CET is 03:00Z: 22:00Z to 03:00Z, five hours. */
	assert_true(stored(c, "b", "2026-10-24", &d));
	assert_int_equal(d.worked_min, 300);
	assert_int_equal(d.end - d.start, 25 * HOUR);
	assert_true(stored(c, "b", "2026-10-25", &d));
	assert_int_equal(d.worked_min, 60);
	assert_int_equal(d.final, 1);
	ctx_free(c);
}

/* A UTC agent (the default zone) and the 04:00 boundary; breaks. */
static void
test_utc_day_starts_at(void **state)
{
	struct ctx		*c = ctx_new("days-utc", 0);
	struct store_day	 d;
	int64_t			 t0 = at("2026-11-22T02:00:00Z");

	(void)state;
	apply(c, RESPITE_EV_AGENT_LOGIN, "u", t0, t0 + LATER, 0, -1, NULL);
	apply(c, RESPITE_EV_TICKET_HANDLED, "u", t0 + 119 * MIN,
	    t0 + LATER, RESPITE_CH_CHAT, -1, NULL);	/* 03:59 */
	apply(c, RESPITE_EV_TICKET_HANDLED, "u", t0 + 120 * MIN,
	    t0 + LATER, RESPITE_CH_EMAIL, -1, NULL);	/* 04:00 */
	apply(c, RESPITE_EV_BREAK_START, "u", t0 + 180 * MIN, t0 + LATER,
	    0, -1, NULL);
	apply(c, RESPITE_EV_BREAK_END, "u", t0 + 200 * MIN, t0 + LATER, 0,
	    -1, NULL);
	apply(c, RESPITE_EV_MESSAGE_RECEIVED, "u", t0 + 201 * MIN,
	    t0 + LATER, RESPITE_CH_CHAT, 0.6, NULL);	/* hostile */
	apply(c, RESPITE_EV_MESSAGE_RECEIVED, "u", t0 + 202 * MIN,
	    t0 + LATER, RESPITE_CH_CHAT, 0.2, NULL);	/* not */
	apply(c, RESPITE_EV_AGENT_LOGOUT, "u", t0 + 240 * MIN, t0 + LATER,
	    0, -1, NULL);
	days_tick(c->days, at("2026-11-24T00:00:00Z"));
	flush(c);
	assert_true(stored(c, "u", "2026-11-21", &d));
	assert_string_equal(d.tz, "UTC");
	assert_int_equal(d.worked_min, 120);
	assert_int_equal(d.handled, 1);
	assert_int_equal(d.contacts[RESPITE_CH_CHAT], 1);
	assert_true(stored(c, "u", "2026-11-22", &d));
	assert_int_equal(d.worked_min, 100);
	assert_int_equal(d.break_min, 20);
	assert_int_equal(d.handled, 1);
	assert_int_equal(d.contacts[RESPITE_CH_EMAIL], 1);
	assert_int_equal(d.hostile, 1);
	assert_true(d.exposure_peak > 0.5 && d.exposure_peak < 0.6);
	assert_int_equal(d.strain_samples, d.worked_min);
	/* A quiet gap of 5 minutes is a natural break: 03:59 to 04:05. */
	assert_int_equal(d.longest_stretch_min, 6);
	assert_int_equal(tmpdb_count(&c->db, "agent_days"), 2);
	ctx_free(c);
}

/*
 * A late event in a closed day: the stored record is corrected, in
 * memory and after the day left memory (a correction added), and there
 * is still one row a day.
 */
static void
test_late_event(void **state)
{
	struct ctx		*c = ctx_new("days-late", 0);
	struct store_day	 d;
	int64_t			 day0 = at("2026-11-02T04:00:00Z"), t;
	int			 i;

	(void)state;
	for (i = 0; i < 4; i++) {
		t = day0 + i * MS_PER_DAY + 4 * HOUR;
		apply(c, RESPITE_EV_AGENT_LOGIN, "l", t, t + LATER, 0, -1,
		    NULL);
		apply(c, RESPITE_EV_TICKET_HANDLED, "l", t + HOUR, t + LATER,
		    RESPITE_CH_PHONE, -1, NULL);
		apply(c, RESPITE_EV_AGENT_LOGOUT, "l", t + 2 * HOUR,
		    t + LATER, 0, -1, NULL);
	}
	days_tick(c->days, day0 + 10 * MS_PER_DAY);
	flush(c);
	assert_int_equal(tmpdb_count(&c->db, "agent_days"), 4);
	/* The 5th is in memory still, the 2nd no longer. */
	assert_non_null(held(c, "l", "2026-11-05"));
	assert_null(held(c, "l", "2026-11-02"));

	t = at("2026-11-05T10:00:00Z");
	apply(c, RESPITE_EV_TICKET_HANDLED, "l", t, t + LATER,
	    RESPITE_CH_EMAIL, -1, NULL);
	t = at("2026-11-02T09:00:00Z");
	apply(c, RESPITE_EV_TICKET_HANDLED, "l", t, t + LATER,
	    RESPITE_CH_CHAT, -1, NULL);
	apply(c, RESPITE_EV_MESSAGE_FLAGGED, "l", t, t + LATER,
	    RESPITE_CH_CHAT, 0.9, NULL);
	flush(c);
	assert_int_equal(tmpdb_count(&c->db, "agent_days"), 4);
	assert_true(stored(c, "l", "2026-11-05", &d));
	assert_int_equal(d.handled, 2);
	assert_int_equal(d.contacts[RESPITE_CH_EMAIL], 1);
	assert_int_equal(d.worked_min, 120);
	assert_true(stored(c, "l", "2026-11-02", &d));
	assert_int_equal(d.handled, 2);
	assert_int_equal(d.contacts[RESPITE_CH_CHAT], 1);
	assert_int_equal(d.hostile, 1);
	assert_int_equal(d.worked_min, 120);
	assert_int_equal(d.final, 1);

	/* After a restart (nothing in memory), the same. */
	ctx_restart(c, day0 + 10 * MS_PER_DAY);
	days_rebuilt(c->days, c->ob, day0 + 10 * MS_PER_DAY);
	apply(c, RESPITE_EV_TICKET_HANDLED, "l", t, t + LATER,
	    RESPITE_CH_CHAT, -1, NULL);
	apply(c, RESPITE_EV_TICKET_HANDLED, "l", at("2026-11-04T10:00:00Z"),
	    t + LATER, RESPITE_CH_CHAT, -1, NULL);
	flush(c);
	assert_int_equal(tmpdb_count(&c->db, "agent_days"), 4);
	assert_true(stored(c, "l", "2026-11-02", &d));
	assert_int_equal(d.handled, 3);
	assert_true(stored(c, "l", "2026-11-04", &d));
	assert_int_equal(d.handled, 2);
	assert_int_equal(d.worked_min, 120);
	ctx_free(c);
}

/* A deterministic week of one agent in Berlin (events in time order). */
struct wev {
	enum respite_event_type	type;
	int64_t			ts;
	enum respite_channel	ch;
	double			sev;
};

static size_t
week(struct wev *v, size_t max, int64_t day0)
{
	static const enum respite_channel chans[3] = { RESPITE_CH_PHONE,
	    RESPITE_CH_CHAT, RESPITE_CH_EMAIL };
	uint32_t	r = 12345;
	size_t		n = 0;
	int64_t		t, end;
	int		d, k = 0;

#define ADD(ty, tt, c, s) do {						\
	assert_true(n < max);						\
	v[n].type = (ty); v[n].ts = (tt); v[n].ch = (c); v[n].sev = (s);	\
	n++;								\
} while (0)
	for (d = 0; d < 7; d++) {
		t = day0 + d * MS_PER_DAY + 3 * HOUR + (d % 3) * 20 * MIN;
		end = t + (7 + d % 4) * HOUR;	/* 7 to 10 hours */
		ADD(RESPITE_EV_AGENT_LOGIN, t, 0, -1);
		while (t < end) {
			r = r * 1103515245u + 12345u;
			t += (int64_t)(1 + (r >> 16) % (d % 2 == 0 ? 3 : 9)) *
			    MIN;
			k++;
			ADD(RESPITE_EV_TICKET_ASSIGNED, t, chans[k % 3], -1);
			if ((r >> 8) % 7 == 0)
				ADD(RESPITE_EV_MESSAGE_RECEIVED, t + MIN,
				    chans[k % 3], 0.5 + (double)((r >> 4) % 50) /
				    100);
			t += (int64_t)(1 + (r >> 20) % 3) * MIN;
			ADD(RESPITE_EV_TICKET_HANDLED, t, chans[k % 3], -1);
			if (k % 37 == 0) {
				ADD(RESPITE_EV_BREAK_START, t + MIN, 0, -1);
				t += 16 * MIN;
				ADD(RESPITE_EV_BREAK_END, t, 0, -1);
			}
		}
		ADD(RESPITE_EV_AGENT_LOGOUT, end + 30 * MIN, 0, -1);
	}
#undef ADD
	return (n);
}

static void
same_day(const struct store_day *a, const struct store_day *b)
{
	int	i;

	assert_string_equal(a->date, b->date);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->end, b->end);
	assert_int_equal(a->worked_min, b->worked_min);
	assert_int_equal(a->break_min, b->break_min);
	for (i = 0; i < RESPITE_CH_COUNT; i++)
		assert_int_equal(a->contacts[i], b->contacts[i]);
	assert_int_equal(a->handled, b->handled);
	assert_int_equal(a->hostile, b->hostile);
	assert_true(a->exposure_peak == b->exposure_peak);
	assert_int_equal(a->strain_sum, b->strain_sum);
	assert_int_equal(a->strain_samples, b->strain_samples);
	assert_int_equal(a->strain_peak, b->strain_peak);
	assert_int_equal(a->high_min, b->high_min);
	assert_int_equal(a->longest_stretch_min, b->longest_stretch_min);
	for (i = 0; i < STORE_DAY_SUGG; i++)
		assert_int_equal(a->sugg[i], b->sugg[i]);
	assert_int_equal(a->final, b->final);
}

/*
 * Living through a week (each event received at its time, the minute
 * tick run at every minute, advisor and days) and replaying it at once
 * (received a year later, one tick at the end) store the same days.
 */
static void
test_replay_equals_live(void **state)
{
	struct ctx		*live = ctx_new("days-live", 1);
	struct ctx		*replay = ctx_new("days-replay", 1);
	struct store_day	 a, b;
	struct wev		*v;
	int64_t			 day0 = at("2026-11-09T03:00:00Z"), m, end;
	size_t			 n, i = 0;
	char			 date[TIME_DATE_LEN];
	int			 d, worked = 0, raised = 0, high = 0;

	(void)state;
	v = calloc(4096, sizeof *v);
	n = week(v, 4096, day0);
	/* Live: the events at their times, the tick at every minute. */
	end = day0 + 8 * MS_PER_DAY;
	for (m = day0; m <= end; m += MIN) {
		while (i < n && v[i].ts < m + MIN) {
			apply(live, v[i].type, "w", v[i].ts, v[i].ts, v[i].ch,
			    v[i].sev, i == 0 ? "Europe/Berlin" : NULL);
			i++;
		}
		advise_tick(live->adv, m + MIN);
		days_tick(live->days, m + MIN);
		if (m % (60 * MIN) == 0)
			flush(live);
	}
	flush(live);
	/* Replay: all at once, a year later; then one tick. */
	for (i = 0; i < n; i++)
		apply(replay, v[i].type, "w", v[i].ts, v[i].ts + LATER,
		    v[i].ch, v[i].sev, i == 0 ? "Europe/Berlin" : NULL);
	advise_tick(replay->adv, end + LATER);
	days_tick(replay->days, end + LATER);
	flush(replay);

	assert_int_equal(tmpdb_count(&live->db, "agent_days"), 7);
	assert_int_equal(tmpdb_count(&replay->db, "agent_days"), 7);
	for (d = 0; d < 7; d++) {
		struct time_day	td;

		time_day("Europe/Berlin", day0 + d * MS_PER_DAY + 6 * HOUR,
		    240, &td);
		time_date_format(td.date, date, sizeof date);
		assert_true(stored(live, "w", date, &a));
		assert_true(stored(replay, "w", date, &b));
		same_day(&a, &b);
		worked += (int)a.worked_min;
		raised += (int)a.sugg[STORE_DAY_RAISED];
		high += (int)a.high_min;
	}
	/* A week of work, with suggestions and some high strain. */
	assert_true(worked > 7 * 6 * 60);
	assert_true(raised > 0);
	assert_true(high > 0);
	free(v);
	ctx_free(live);
	ctx_free(replay);
}

/* The wellbeing_checks the days raised, as respited's callback gets them. */
struct raised {
	int	n;
	int64_t	at[4];
	char	reason[4][SUGG_REASON_MAX];
};

static void
raised_cb(void *arg, const char *agent, const char *team, int64_t at,
    const char *reason)
{
	struct raised	*r = arg;

	assert_string_equal(agent, "h");
	assert_string_equal(team, "t1");
	assert_true(r->n < 4);
	r->at[r->n] = at;
	snprintf(r->reason[r->n], sizeof r->reason[r->n], "%s", reason);
	r->n++;
}

/*
 * 35 past days of agent h replayed (received long after, in one go): 28
 * days of 7 hours, then 7 of 11 hours with 4 hostile messages each (k % 15 == 3).  Each
 * TICK_EVERY-th event is followed by the minute tick (0: none until the
 * end) at the wall clock, which is long past every day being replayed.
 * Returns the newest receipt time.
 */
static int64_t
replay_hard(struct ctx *c, int64_t day0, int tick_every)
{
	int64_t	t, end, rcv = day0 + LATER;
	int	d, k, n = 0;

	for (d = 0; d < 35; d++) {
		int	hard = d >= 28;

		t = day0 + d * MS_PER_DAY + (hard ? 4 : 5) * HOUR;
		end = t + (hard ? 11 : 7) * HOUR;
		apply(c, RESPITE_EV_AGENT_LOGIN, "h", t, rcv += 10, 0, -1,
		    NULL);
		for (k = 0; t + 12 * MIN < end; k++, t += 12 * MIN) {
			apply(c, RESPITE_EV_TICKET_HANDLED, "h", t + 10 * MIN,
			    rcv += 10, RESPITE_CH_CHAT, -1, NULL);
			if (hard && k % 15 == 3)
				apply(c, RESPITE_EV_MESSAGE_FLAGGED, "h",
				    t + 11 * MIN, rcv += 10, RESPITE_CH_CHAT,
				    0.9, NULL);
			if (tick_every > 0 && ++n % tick_every == 0)
				days_tick(c->days, rcv + 1000);
		}
		apply(c, RESPITE_EV_AGENT_LOGOUT, "h", end, rcv += 10, 0, -1,
		    NULL);
	}
	return (rcv);
}

/*
 * A replayed month raises the wellbeing_checks living through it gave,
 * whenever the minute tick falls: while its events keep coming, the
 * tick closes none of a replayed agent's days (they close on event time,
 * as the next day's events come); once they stop for DAYS_SETTLE_MS, the
 * tick closes the last one by the clock, and so does respited's stop at
 * once (days_stop()).
 */
static void
test_replay_trend_ticks(void **state)
{
	struct ctx		*a = ctx_new("days-trend-a", 0);
	struct ctx		*b = ctx_new("days-trend-b", 0);
	struct ctx		*c;
	struct trend_params	 tp;
	struct raised		 ra, rb;
	const struct store_day	*last;
	struct time_day		 td;
	int64_t			 day0 = at("2026-10-01T04:00:00Z"), rcv;
	int			 i;

	(void)state;
	memset(&ra, 0, sizeof ra);
	memset(&rb, 0, sizeof rb);
	trend_params_default(&tp);
	days_set_trend(a->days, &tp, raised_cb, &ra);
	days_set_trend(b->days, &tp, raised_cb, &rb);
	rcv = replay_hard(a, day0, 0);
	days_tick(a->days, rcv + DAYS_SETTLE_MS);
	replay_hard(b, day0, 7);

	/* The turn to high: at the end of the first long day, once. */
	assert_int_equal(ra.n, 1);
	assert_int_equal(ra.at[0], day0 + 29 * MS_PER_DAY);
	assert_string_equal(ra.reason[0],
	    "1 of the last 7 days with 10+ hours worked (usual: 0)");
	assert_int_equal(rb.n, ra.n);
	for (i = 0; i < ra.n; i++) {
		assert_int_equal(rb.at[i], ra.at[i]);
		assert_string_equal(rb.reason[i], ra.reason[i]);
	}

	/* The last day: open until the events have stopped for a while. */
	time_day("UTC", day0 + 34 * MS_PER_DAY + HOUR, 240, &td);
	days_tick(b->days, rcv + DAYS_SETTLE_MS - 1000);
	last = newest_held(b, "h");
	assert_int_equal(last->end, td.end);
	assert_int_equal(last->final, 0);
	days_tick(b->days, rcv + DAYS_SETTLE_MS);
	assert_int_equal(newest_held(b, "h")->final, 1);
	/* Stopping right after a replay closes it by the clock at once. */
	c = ctx_new("days-trend-c", 0);
	rcv = replay_hard(c, day0, 0);
	days_stop(c->days, rcv + 1000);
	assert_int_equal(newest_held(c, "h")->final, 1);
	ctx_free(c);
	ctx_free(a);
	ctx_free(b);
}

/*
 * A restart: the stored days stay as they were (the events re-read do
 * not count twice), today's is rebuilt from the events.
 */
static void
test_restart(void **state)
{
	struct ctx		*c = ctx_new("days-restart", 0);
	struct respite_event	*evs;
	struct store_day	 d, before;
	const struct store_day	*today;
	int64_t			 t0 = at("2026-11-22T07:00:00Z"), now, t;
	size_t			 n = 0, i, k;
	char			*cause = NULL;

	(void)state;
	evs = calloc(64, sizeof *evs);
	for (k = 0; k < 2; k++) {
		t = t0 + (int64_t)k * MS_PER_DAY;
		evs[n].type = RESPITE_EV_AGENT_LOGIN;
		evs[n++].ts_ms = t;
		for (i = 0; i < 5; i++) {
			evs[n].type = RESPITE_EV_TICKET_HANDLED;
			evs[n].channel = RESPITE_CH_CHAT;
			evs[n++].ts_ms = t + (int64_t)(i + 1) * 10 * MIN;
		}
		evs[n].type = RESPITE_EV_AGENT_LOGOUT;
		evs[n++].ts_ms = t + 3 * HOUR;
	}
	now = t0 + MS_PER_DAY + 4 * HOUR;	/* the 23rd, 11:00 */
	for (i = 0; i < n; i++) {
		snprintf(evs[i].agent, sizeof evs[i].agent, "r");
		evs[i].received_ms = evs[i].ts_ms;
		evs[i].duration_s = 60;
		evs[i].severity = -1;
		days_event(c->days, &evs[i]);
		agents_apply(c->agents, &evs[i], &mp);
	}
	days_tick(c->days, now);
	flush(c);
	assert_true(stored(c, "r", "2026-11-22", &before));
	assert_false(stored(c, "r", "2026-11-23", &d));
	assert_int_equal(before.worked_min, 180);

	/* Restart: load, re-read the events, then go on. */
	ctx_restart(c, now);
	for (i = 0; i < n; i++) {
		days_event(c->days, &evs[i]);
		agents_apply(c->agents, &evs[i], &mp);
	}
	days_rebuilt(c->days, c->ob, now);
	flush(c);
	assert_true(stored(c, "r", "2026-11-22", &d));
	same_day(&d, &before);
	assert_int_equal(tmpdb_count(&c->db, "agent_days"), 1);
	today = held(c, "r", "2026-11-23");
	assert_non_null(today);
	assert_int_equal(today->worked_min, 180);
	assert_int_equal(today->handled, 5);
	assert_int_equal(today->final, 0);
	/* Its stored suggestion counts come in too (one raised, open). */
	assert_int_equal(days_restore_suggestion(c->days, "{\"id\":"
	    "\"s-000001\",\"kind\":\"micro_break\",\"agent\":\"r\",\"team\":"
	    "\"\",\"created_at\":\"2026-11-23T08:00:00Z\",\"updated_at\":"
	    "\"2026-11-23T08:00:00Z\",\"status\":\"dismissed\",\"priority\":"
	    "\"normal\",\"minutes\":5,\"reason\":\"x\",\"audience\":"
	    "\"agent\"}"), 0);
	assert_int_equal(today->sugg[STORE_DAY_RAISED], 1);
	assert_int_equal(today->sugg[STORE_DAY_DISMISSED], 1);
	(void)cause;
	free(evs);
	ctx_free(c);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_time_day),
		cmocka_unit_test(test_dst_days),
		cmocka_unit_test(test_utc_day_starts_at),
		cmocka_unit_test(test_late_event),
		cmocka_unit_test(test_replay_equals_live),
		cmocka_unit_test(test_replay_trend_ticks),
		cmocka_unit_test(test_restart),
	};

	return (cmocka_run_group_tests_name("days", tests, group_setup,
	    NULL));
}
