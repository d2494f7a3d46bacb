/*
 * Unit tests for daemon/agent.c and daemon/agents.c: every metric of the
 * per-agent table of MODEL.md, hand-computed, with `now` passed in, so
 * hours of a shift replay in microseconds.  The model parameters are
 * respited's own, from the configuration defaults (unit_model_params()).
 */
#include "build.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "agent.h"
#include "agents.h"
#include "timeutil.h"
#include "unit_common.h"

#define MIN		MS_PER_MIN
#define SEC		1000LL
/* 2026-11-22T04:00:00Z: the start of the agents' day in UTC. */
#define DAY		1795320000000LL
/* 2026-11-22T08:00:00Z: the shifts below start here. */
#define T0		(DAY + 4 * MS_PER_HOUR)

#define assert_near(a, b) do {						\
	double	got_ = (a), want_ = (b);				\
	if (!(got_ - want_ < 1e-9 && want_ - got_ < 1e-9))		\
		fail_msg("%s = %.12g, expected %.12g", #a, got_, want_); \
} while (0)

static struct model_params	 mp;

static int
setup(void **state)
{
	(void)state;
	unit_model_params(&mp);
	return (0);
}

static struct respite_event
mk(enum respite_event_type type, int64_t ts)
{
	struct respite_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	snprintf(ev.agent, sizeof ev.agent, "alice");
	ev.ts_ms = ts;
	ev.received_ms = ts;
	ev.duration_s = -1;
	ev.severity = -1;
	return (ev);
}

static void
put(struct agent *a, enum respite_event_type type, int64_t ts)
{
	struct respite_event	ev = mk(type, ts);

	agent_apply(a, &ev, &mp);
}

static void
login(struct agent *a, int64_t ts)
{
	put(a, RESPITE_EV_AGENT_LOGIN, ts);
}

static void
assigned(struct agent *a, int64_t ts, enum respite_channel ch)
{
	struct respite_event	ev = mk(RESPITE_EV_TICKET_ASSIGNED, ts);

	ev.channel = ch;
	agent_apply(a, &ev, &mp);
}

static void
handled(struct agent *a, int64_t ts, enum respite_channel ch, double dur_s)
{
	struct respite_event	ev = mk(RESPITE_EV_TICKET_HANDLED, ts);

	ev.channel = ch;
	ev.duration_s = dur_s;
	agent_apply(a, &ev, &mp);
}

static void
message(struct agent *a, int64_t ts, double severity)
{
	struct respite_event	ev = mk(RESPITE_EV_MESSAGE_RECEIVED, ts);

	ev.channel = RESPITE_CH_CHAT;
	ev.severity = severity;
	agent_apply(a, &ev, &mp);
}

static void
flagged(struct agent *a, int64_t ts, double severity)
{
	struct respite_event	ev = mk(RESPITE_EV_MESSAGE_FLAGGED, ts);

	ev.channel = RESPITE_CH_CHAT;
	ev.severity = severity;
	agent_apply(a, &ev, &mp);
}

/* A customer message every 2 minutes in [from, to]: steady work. */
static void
chatter(struct agent *a, int64_t from, int64_t to)
{
	int64_t	t;

	for (t = from; t <= to; t += 2 * MIN)
		message(a, t, -1);
}

static struct agent_metrics
at(const struct agent *a, int64_t now)
{
	struct agent_metrics	m;

	memset(&m, 0xa5, sizeof m);
	agent_metrics(a, now, &mp, &m);
	return (m);
}

static void
test_params(void **state)
{
	(void)state;
	assert_near(mp.weight[RESPITE_CH_PHONE], 1.5);
	assert_near(mp.weight[RESPITE_CH_CHAT], 1.0);
	assert_near(mp.weight[RESPITE_CH_MESSAGING], 0.9);
	assert_near(mp.weight[RESPITE_CH_SOCIAL], 1.0);
	assert_near(mp.weight[RESPITE_CH_EMAIL], 0.7);
	assert_near(mp.weight[RESPITE_CH_OTHER], 1.0);
	assert_int_equal(mp.natural_break_ms, 5 * MIN);
	assert_near(mp.hostile_threshold, 0.5);
	assert_near(mp.half_life_ms, 30.0 * MIN);
	assert_string_equal(mp.timezone, "UTC");
	assert_int_equal(mp.day_starts_at_min, 240);
}

static void
test_new_agent(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	a = agent_new("alice");
	assert_string_equal(agent_id(a), "alice");
	assert_string_equal(agent_team(a), "");
	assert_string_equal(agent_tz(a), "");
	assert_int_equal(agent_status(a), AGENT_OFFLINE);
	assert_int_equal(agent_updated_at(a), 0);
	m = at(a, T0);
	assert_int_equal(m.tickets_last_hour, 0);
	assert_near(m.weighted_load_last_hour, 0);
	assert_near(m.occupancy_last_hour, 0);
	assert_int_equal(m.continuous_work_min, 0);
	assert_int_equal(m.hostile_last_hour, 0);
	assert_near(m.hostility_exposure, 0);
	assert_int_equal(m.open_tickets, 0);
	assert_int_equal(m.worked_today_min, 0);
	assert_int_equal(m.minutes_on_break_today, 0);
	agent_free(a);
	agent_free(NULL);
}

static void
test_status_transitions(void **state)
{
	struct agent	*a;

	(void)state;
	assert_string_equal(agent_status_name(AGENT_OFFLINE), "offline");
	assert_string_equal(agent_status_name(AGENT_WORKING), "working");
	assert_string_equal(agent_status_name(AGENT_ON_BREAK), "on_break");

	a = agent_new("alice");
	login(a, T0);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	assert_int_equal(agent_updated_at(a), T0);
	login(a, T0 + MIN);			/* a second login changes nothing */
	assert_int_equal(agent_status(a), AGENT_WORKING);
	put(a, RESPITE_EV_BREAK_START, T0 + 10 * MIN);
	assert_int_equal(agent_status(a), AGENT_ON_BREAK);
	/* Work events during a break do not end it. */
	message(a, T0 + 12 * MIN, -1);
	assigned(a, T0 + 13 * MIN, RESPITE_CH_EMAIL);
	handled(a, T0 + 14 * MIN, RESPITE_CH_EMAIL, 30);
	assert_int_equal(agent_status(a), AGENT_ON_BREAK);
	put(a, RESPITE_EV_BREAK_START, T0 + 15 * MIN);
	assert_int_equal(agent_status(a), AGENT_ON_BREAK);
	put(a, RESPITE_EV_BREAK_END, T0 + 20 * MIN);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 30 * MIN);
	assert_int_equal(agent_status(a), AGENT_OFFLINE);
	assert_int_equal(agent_updated_at(a), T0 + 30 * MIN);
	login(a, T0 + 40 * MIN);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	/* A logout during a break ends it too. */
	put(a, RESPITE_EV_BREAK_START, T0 + 50 * MIN);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 55 * MIN);
	assert_int_equal(agent_status(a), AGENT_OFFLINE);
	agent_free(a);
}

static void
test_implicit_login(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	/* A work event from an offline agent logs them in. */
	a = agent_new("alice");
	assigned(a, T0, RESPITE_CH_PHONE);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	m = at(a, T0 + 30 * MIN);
	assert_int_equal(m.worked_today_min, 30);
	assert_int_equal(m.continuous_work_min, 30);	/* phone call open */
	assert_int_equal(m.open_tickets, 1);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 40 * MIN);
	assert_int_equal(agent_status(a), AGENT_OFFLINE);
	flagged(a, T0 + 50 * MIN, 0.9);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	m = at(a, T0 + 52 * MIN);
	assert_int_equal(m.worked_today_min, 42);
	assert_int_equal(m.continuous_work_min, 2);
	agent_free(a);

	a = agent_new("bob");
	message(a, T0, -1);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	agent_free(a);
	a = agent_new("carol");
	handled(a, T0, RESPITE_CH_EMAIL, 60);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	agent_free(a);
}

static void
test_open_tickets(void **state)
{
	struct agent	*a;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + MIN, RESPITE_CH_CHAT, 10);
	handled(a, T0 + 2 * MIN, RESPITE_CH_CHAT, 10);
	assert_int_equal(at(a, T0 + 2 * MIN).open_tickets, 0);
	assigned(a, T0 + 3 * MIN, RESPITE_CH_CHAT);
	assigned(a, T0 + 3 * MIN, RESPITE_CH_EMAIL);
	assigned(a, T0 + 4 * MIN, RESPITE_CH_PHONE);
	assert_int_equal(at(a, T0 + 4 * MIN).open_tickets, 3);
	handled(a, T0 + 5 * MIN, RESPITE_CH_EMAIL, 60);
	assert_int_equal(at(a, T0 + 5 * MIN).open_tickets, 2);
	/* A logout leaves the assigned tickets with the agent. */
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 6 * MIN);
	assert_int_equal(at(a, T0 + 6 * MIN).open_tickets, 2);
	handled(a, T0 + 7 * MIN, RESPITE_CH_CHAT, 60);
	handled(a, T0 + 8 * MIN, RESPITE_CH_PHONE, 60);
	handled(a, T0 + 9 * MIN, RESPITE_CH_PHONE, 60);
	assert_int_equal(at(a, T0 + 9 * MIN).open_tickets, 0);
	agent_free(a);
}

static void
test_load_and_weights(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + 1 * MIN, RESPITE_CH_PHONE, 60);
	handled(a, T0 + 2 * MIN, RESPITE_CH_CHAT, 60);
	handled(a, T0 + 3 * MIN, RESPITE_CH_MESSAGING, 60);
	handled(a, T0 + 4 * MIN, RESPITE_CH_SOCIAL, 60);
	handled(a, T0 + 5 * MIN, RESPITE_CH_EMAIL, 60);
	handled(a, T0 + 6 * MIN, RESPITE_CH_OTHER, 60);
	m = at(a, T0 + 30 * MIN);
	assert_int_equal(m.tickets_last_hour, 6);
	assert_near(m.weighted_load_last_hour, 1.5 + 1.0 + 0.9 + 1.0 + 0.7 +
	    1.0);
	/* One more phone call adds 1.5. */
	handled(a, T0 + 50 * MIN, RESPITE_CH_PHONE, 0);
	m = at(a, T0 + 50 * MIN);
	assert_int_equal(m.tickets_last_hour, 7);
	assert_near(m.weighted_load_last_hour, 7.6);
	/* Only ticket.handled counts, not assignments or messages. */
	assigned(a, T0 + 51 * MIN, RESPITE_CH_PHONE);
	message(a, T0 + 52 * MIN, -1);
	assert_int_equal(at(a, T0 + 52 * MIN).tickets_last_hour, 7);
	agent_free(a);
}

static void
test_window_edge(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + 10 * MIN, RESPITE_CH_PHONE, 0);
	flagged(a, T0 + 10 * MIN, 1.0);
	/* The trailing hour is (now - 60 min, now]. */
	m = at(a, T0 + 70 * MIN - 1);
	assert_int_equal(m.tickets_last_hour, 1);
	assert_near(m.weighted_load_last_hour, 1.5);
	assert_int_equal(m.hostile_last_hour, 1);
	m = at(a, T0 + 70 * MIN);
	assert_int_equal(m.tickets_last_hour, 0);
	assert_near(m.weighted_load_last_hour, 0);
	assert_int_equal(m.hostile_last_hour, 0);
	/* An event at now counts; one after now does not yet. */
	m = at(a, T0 + 10 * MIN);
	assert_int_equal(m.tickets_last_hour, 1);
	m = at(a, T0 + 10 * MIN - 1);
	assert_int_equal(m.tickets_last_hour, 0);
	assert_int_equal(m.hostile_last_hour, 0);
	assert_near(m.hostility_exposure, 0);
	agent_free(a);
}

static void
test_occupancy(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	/* 10 minutes of handling in 60 minutes present. */
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + 50 * MIN, RESPITE_CH_CHAT, 600);
	m = at(a, T0 + 60 * MIN);
	assert_near(m.occupancy_last_hour, 10.0 / 60);
	agent_free(a);

	/*
	 * Handling time lies before ts and is clipped to the window
	 * [T0+60, T0+120]: the first ticket ran T0+45..T0+65 (5 min inside),
	 * the second T0+95..T0+120 (25 min).
	 */
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + 65 * MIN, RESPITE_CH_CHAT, 20 * 60);
	handled(a, T0 + 120 * MIN, RESPITE_CH_PHONE, 25 * 60);
	m = at(a, T0 + 120 * MIN);
	assert_int_equal(m.tickets_last_hour, 2);
	assert_near(m.occupancy_last_hour, 30.0 / 60);
	/* Ten minutes later the window has moved on by ten minutes. */
	m = at(a, T0 + 130 * MIN);
	assert_near(m.occupancy_last_hour, 25.0 / 60);
	agent_free(a);

	/* Over the minutes present: logged in for the last 30 only. */
	a = agent_new("alice");
	login(a, T0 + 90 * MIN);
	handled(a, T0 + 110 * MIN, RESPITE_CH_EMAIL, 15 * 60);
	m = at(a, T0 + 120 * MIN);
	assert_near(m.occupancy_last_hour, 15.0 / 30);
	agent_free(a);

	/* A break is not presence: 20 minutes of break leave 40. */
	a = agent_new("alice");
	login(a, T0);
	put(a, RESPITE_EV_BREAK_START, T0 + 80 * MIN);
	put(a, RESPITE_EV_BREAK_END, T0 + 100 * MIN);
	handled(a, T0 + 120 * MIN, RESPITE_CH_CHAT, 20 * 60);
	m = at(a, T0 + 120 * MIN);
	assert_near(m.occupancy_last_hour, 20.0 / 40);
	agent_free(a);

	/* Capped at 1.0: 30 minutes of handling in 10 minutes present. */
	a = agent_new("alice");
	login(a, T0 + 110 * MIN);
	handled(a, T0 + 120 * MIN, RESPITE_CH_PHONE, 30 * 60);
	m = at(a, T0 + 120 * MIN);
	assert_near(m.occupancy_last_hour, 1.0);
	agent_free(a);

	/* Not present in the last hour at all: 0. */
	a = agent_new("alice");
	login(a, T0);
	handled(a, T0 + 5 * MIN, RESPITE_CH_PHONE, 120);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 10 * MIN);
	m = at(a, T0 + 120 * MIN);
	assert_near(m.occupancy_last_hour, 0);
	assert_int_equal(m.tickets_last_hour, 0);
	agent_free(a);

	/*
	 * A thread handled after 26 hours (duration_s has no upper bound,
	 * issue 13) or after an absurd time counts only within the window:
	 * the whole hour, then the 30 minutes up to its end.
	 */
	{
		static const double	durs[] = { 92982, 1e15, 1e300 };
		size_t			i;

		for (i = 0; i < sizeof durs / sizeof durs[0]; i++) {
			a = agent_new("alice");
			login(a, T0);
			handled(a, T0 + 120 * MIN, RESPITE_CH_SOCIAL, durs[i]);
			m = at(a, T0 + 120 * MIN);
			assert_near(m.occupancy_last_hour, 1.0);
			assert_int_equal(m.tickets_last_hour, 1);
			m = at(a, T0 + 150 * MIN);
			assert_near(m.occupancy_last_hour, 30.0 / 60);
			agent_free(a);
		}
	}
}

static void
test_continuous_login(void **state)
{
	struct agent	*a;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 50 * MIN);
	assert_int_equal(at(a, T0 + 50 * MIN).continuous_work_min, 50);
	/* Whole minutes, rounded down. */
	assert_int_equal(at(a, T0 + 50 * MIN + 59 * SEC).continuous_work_min,
	    50);
	assert_int_equal(at(a, T0 + 51 * MIN).continuous_work_min, 51);
	/* A quiet gap still running at now makes it 0 once it is 5 min. */
	assert_int_equal(at(a, T0 + 55 * MIN - 1).continuous_work_min, 54);
	assert_int_equal(at(a, T0 + 55 * MIN).continuous_work_min, 0);
	assert_int_equal(at(a, T0 + 90 * MIN).continuous_work_min, 0);
	agent_free(a);
}

static void
test_continuous_breaks(void **state)
{
	struct agent	*a;

	(void)state;
	/* A break of 5 minutes resets the clock at its end. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 40 * MIN);
	put(a, RESPITE_EV_BREAK_START, T0 + 40 * MIN);
	assert_int_equal(at(a, T0 + 42 * MIN).continuous_work_min, 0);
	put(a, RESPITE_EV_BREAK_END, T0 + 45 * MIN);
	chatter(a, T0 + 46 * MIN, T0 + 60 * MIN);
	assert_int_equal(at(a, T0 + 60 * MIN).continuous_work_min, 15);
	agent_free(a);

	/* A break of 4 min 59 s does not. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 40 * MIN);
	put(a, RESPITE_EV_BREAK_START, T0 + 40 * MIN);
	put(a, RESPITE_EV_BREAK_END, T0 + 45 * MIN - SEC);
	chatter(a, T0 + 46 * MIN, T0 + 60 * MIN);
	assert_int_equal(at(a, T0 + 60 * MIN).continuous_work_min, 60);
	agent_free(a);

	/* A logout, however short, is a natural break. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 30 * MIN);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 30 * MIN);
	assert_int_equal(at(a, T0 + 30 * MIN).continuous_work_min, 0);
	login(a, T0 + 31 * MIN);
	chatter(a, T0 + 32 * MIN, T0 + 40 * MIN);
	assert_int_equal(at(a, T0 + 40 * MIN).continuous_work_min, 9);
	agent_free(a);
}

static void
test_continuous_quiet_gaps(void **state)
{
	struct agent	*a;

	(void)state;
	/* A quiet gap of 10 minutes, nothing open: restart after it. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 20 * MIN);
	chatter(a, T0 + 30 * MIN, T0 + 40 * MIN);
	assert_int_equal(at(a, T0 + 40 * MIN).continuous_work_min, 10);
	agent_free(a);

	/* Exactly 5 minutes is enough... */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 20 * MIN);
	message(a, T0 + 25 * MIN, -1);
	assert_int_equal(at(a, T0 + 26 * MIN).continuous_work_min, 1);
	agent_free(a);

	/* ...one second less is not. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 20 * MIN);
	message(a, T0 + 25 * MIN - SEC, -1);
	assert_int_equal(at(a, T0 + 26 * MIN).continuous_work_min, 26);
	agent_free(a);

	/* A gap right after login counts as well. */
	a = agent_new("alice");
	login(a, T0);
	assert_int_equal(at(a, T0 + 4 * MIN).continuous_work_min, 4);
	assert_int_equal(at(a, T0 + 8 * MIN).continuous_work_min, 0);
	message(a, T0 + 8 * MIN, -1);
	assert_int_equal(at(a, T0 + 10 * MIN).continuous_work_min, 2);
	agent_free(a);
}

static void
test_continuous_live_contact(void **state)
{
	struct agent	*a;

	(void)state;
	/* An open phone call keeps the clock running through silence. */
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_PHONE);
	assert_int_equal(at(a, T0 + 20 * MIN).continuous_work_min, 20);
	handled(a, T0 + 30 * MIN, RESPITE_CH_PHONE, 29 * 60);
	assert_int_equal(at(a, T0 + 31 * MIN).continuous_work_min, 31);
	/* Handled: the next quiet 5 minutes are a break again. */
	assert_int_equal(at(a, T0 + 35 * MIN).continuous_work_min, 0);
	agent_free(a);

	/* So do chat and messaging. */
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_CHAT);
	assert_int_equal(at(a, T0 + 20 * MIN).continuous_work_min, 20);
	agent_free(a);
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_MESSAGING);
	assert_int_equal(at(a, T0 + 20 * MIN).continuous_work_min, 20);
	agent_free(a);

	/* An open email is not a conversation in progress. */
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_EMAIL);
	assert_int_equal(at(a, T0 + 20 * MIN).continuous_work_min, 0);
	handled(a, T0 + 30 * MIN, RESPITE_CH_EMAIL, 29 * 60);
	assert_int_equal(at(a, T0 + 31 * MIN).continuous_work_min, 1);
	agent_free(a);

	/* Two calls open, one handled: still one in progress. */
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_PHONE);
	assigned(a, T0 + 2 * MIN, RESPITE_CH_CHAT);
	handled(a, T0 + 3 * MIN, RESPITE_CH_CHAT, 60);
	assert_int_equal(at(a, T0 + 30 * MIN).continuous_work_min, 30);
	agent_free(a);

	/* A logout ends open conversations: silence after it is a gap. */
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_PHONE);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 10 * MIN);
	login(a, T0 + 11 * MIN);
	assert_int_equal(at(a, T0 + 14 * MIN).continuous_work_min, 3);
	assert_int_equal(at(a, T0 + 16 * MIN).continuous_work_min, 0);
	agent_free(a);
}

static void
test_continuous_not_working(void **state)
{
	struct agent	*a;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	assigned(a, T0 + MIN, RESPITE_CH_PHONE);
	put(a, RESPITE_EV_BREAK_START, T0 + 30 * MIN);
	assert_int_equal(at(a, T0 + 31 * MIN).continuous_work_min, 0);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 + 32 * MIN);
	assert_int_equal(at(a, T0 + 33 * MIN).continuous_work_min, 0);
	agent_free(a);
}

/*
 * A break that starts while the agent is offline (a break_start as the
 * first event of a shift) or a login that ends a break: the stretch must
 * start with the shift, never at time 0 or in an earlier shift.
 */
static void
test_continuous_break_from_offline(void **state)
{
	struct agent	*a;

	(void)state;
	a = agent_new("alice");
	put(a, RESPITE_EV_BREAK_START, T0);
	assert_int_equal(agent_status(a), AGENT_ON_BREAK);
	put(a, RESPITE_EV_BREAK_END, T0 + 2 * MIN);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	assert_int_equal(at(a, T0 + 4 * MIN).continuous_work_min, 4);
	agent_free(a);

	/* Yesterday's shift must not be counted. */
	a = agent_new("alice");
	login(a, T0 - MS_PER_DAY);
	chatter(a, T0 - MS_PER_DAY, T0 - MS_PER_DAY + 60 * MIN);
	put(a, RESPITE_EV_AGENT_LOGOUT, T0 - MS_PER_DAY + 60 * MIN);
	put(a, RESPITE_EV_BREAK_START, T0);
	put(a, RESPITE_EV_BREAK_END, T0 + 3 * MIN);
	chatter(a, T0 + 4 * MIN, T0 + 10 * MIN);
	assert_int_equal(at(a, T0 + 10 * MIN).continuous_work_min, 10);
	agent_free(a);

	/* A login that ends a 10-minute break ends a natural break. */
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 30 * MIN);
	put(a, RESPITE_EV_BREAK_START, T0 + 30 * MIN);
	login(a, T0 + 40 * MIN);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	chatter(a, T0 + 42 * MIN, T0 + 50 * MIN);
	assert_int_equal(at(a, T0 + 50 * MIN).continuous_work_min, 10);
	agent_free(a);
}

static void
test_hostility(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	/* Half-life 30 min: 1.0 -> 0.5 -> 0.25 -> 0.125. */
	a = agent_new("alice");
	login(a, T0);
	flagged(a, T0 + 10 * MIN, 1.0);
	m = at(a, T0 + 10 * MIN);
	assert_int_equal(m.hostile_last_hour, 1);
	assert_near(m.hostility_exposure, 1.0);
	m = at(a, T0 + 40 * MIN);
	assert_int_equal(m.hostile_last_hour, 1);
	assert_near(m.hostility_exposure, 0.5);
	m = at(a, T0 + 70 * MIN);
	assert_int_equal(m.hostile_last_hour, 0);
	assert_near(m.hostility_exposure, 0.25);
	assert_near(at(a, T0 + 100 * MIN).hostility_exposure, 0.125);
	assert_near(at(a, T0 + 25 * MIN).hostility_exposure,
	    0.70710678118654752);
	agent_free(a);

	/* Severities add up, each decaying from its own time. */
	a = agent_new("alice");
	login(a, T0);
	flagged(a, T0, 0.8);
	flagged(a, T0 + 30 * MIN, 0.4);
	m = at(a, T0 + 30 * MIN);
	assert_int_equal(m.hostile_last_hour, 2);
	assert_near(m.hostility_exposure, 0.8 * 0.5 + 0.4);
	agent_free(a);

	/*
	 * Flagged messages are hostile whatever their severity; received
	 * ones when classified at the threshold (0.5) or above.
	 */
	a = agent_new("alice");
	login(a, T0);
	flagged(a, T0 + MIN, 0.2);
	message(a, T0 + MIN, 0.5);
	message(a, T0 + MIN, 0.6);
	message(a, T0 + MIN, 0.49);
	message(a, T0 + MIN, -1);		/* not classified */
	m = at(a, T0 + MIN);
	assert_int_equal(m.hostile_last_hour, 3);
	assert_near(m.hostility_exposure, 0.2 + 0.5 + 0.6);
	agent_free(a);
}

static void
test_hostility_params(void **state)
{
	struct model_params	 saved = mp;
	struct agent		*a;

	(void)state;
	mp.half_life_ms = 60.0 * MIN;
	mp.hostile_threshold = 0.3;
	a = agent_new("alice");
	login(a, T0);
	flagged(a, T0, 1.0);
	message(a, T0, 0.3);
	message(a, T0, 0.29);
	assert_int_equal(at(a, T0 + 30 * MIN).hostile_last_hour, 2);
	assert_near(at(a, T0 + 60 * MIN).hostility_exposure, 0.65);
	agent_free(a);
	mp = saved;
}

static void
test_today_utc(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	/* Logged in at 03:00Z; the day starts at 04:00Z. */
	a = agent_new("alice");
	login(a, DAY - 60 * MIN);
	put(a, RESPITE_EV_BREAK_START, DAY + 120 * MIN);
	put(a, RESPITE_EV_BREAK_END, DAY + 135 * MIN);
	m = at(a, DAY + 360 * MIN);
	assert_int_equal(m.worked_today_min, 345);
	assert_int_equal(m.minutes_on_break_today, 15);
	/* Whole minutes. */
	m = at(a, DAY + 360 * MIN + 59 * SEC);
	assert_int_equal(m.worked_today_min, 345);
	/* At 03:59Z the day is still yesterday's: 03:00..03:59. */
	m = at(a, DAY - MIN);
	assert_int_equal(m.worked_today_min, 59);
	assert_int_equal(m.minutes_on_break_today, 0);
	agent_free(a);

	/* An evening shift: before 04:00 belongs to the previous day. */
	a = agent_new("alice");
	login(a, DAY - 7 * 60 * MIN);			/* 21:00Z */
	put(a, RESPITE_EV_BREAK_START, DAY - 240 * MIN);	/* 00:00Z */
	put(a, RESPITE_EV_BREAK_END, DAY - 210 * MIN);
	m = at(a, DAY - 30 * MIN);			/* 03:30Z */
	assert_int_equal(m.worked_today_min, 360);
	assert_int_equal(m.minutes_on_break_today, 30);
	m = at(a, DAY + 30 * MIN);			/* 04:30Z */
	assert_int_equal(m.worked_today_min, 30);
	assert_int_equal(m.minutes_on_break_today, 0);
	agent_free(a);

	/* A break across 04:00 counts from the day start only. */
	a = agent_new("alice");
	login(a, DAY - 60 * MIN);
	put(a, RESPITE_EV_BREAK_START, DAY - 20 * MIN);
	put(a, RESPITE_EV_BREAK_END, DAY + 25 * MIN);
	put(a, RESPITE_EV_AGENT_LOGOUT, DAY + 65 * MIN);
	m = at(a, DAY + 120 * MIN);
	assert_int_equal(m.minutes_on_break_today, 25);
	assert_int_equal(m.worked_today_min, 40);
	agent_free(a);
}

static void
test_today_time_zones(void **state)
{
	struct respite_event	 ev;
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	/* Europe/Berlin in November: 04:00 local is 03:00Z. */
	a = agent_new("alice");
	ev = mk(RESPITE_EV_AGENT_LOGIN, DAY - 120 * MIN);
	snprintf(ev.tz, sizeof ev.tz, "Europe/Berlin");
	agent_apply(a, &ev, &mp);
	assert_string_equal(agent_tz(a), "Europe/Berlin");
	m = at(a, DAY + 60 * MIN);
	assert_int_equal(m.worked_today_min, 120);
	/* A zone on another event type is not the agent's zone. */
	ev = mk(RESPITE_EV_MESSAGE_RECEIVED, DAY + 60 * MIN);
	ev.channel = RESPITE_CH_CHAT;
	snprintf(ev.tz, sizeof ev.tz, "Asia/Tokyo");
	agent_apply(a, &ev, &mp);
	assert_string_equal(agent_tz(a), "Europe/Berlin");
	agent_free(a);

	/* The same shift in the default zone (UTC). */
	a = agent_new("bob");
	login(a, DAY - 120 * MIN);
	assert_string_equal(agent_tz(a), "");
	assert_int_equal(at(a, DAY + 60 * MIN).worked_today_min, 60);
	agent_free(a);

	/*
	 * [model] timezone America/Los_Angeles: at 05:00Z it is 21:00 PST
	 * the day before, whose day began at 12:00Z.
	 */
	mp.timezone = "America/Los_Angeles";
	a = agent_new("carol");
	login(a, DAY - 20 * 60 * MIN);			/* 08:00Z (00:00 PST) */
	m = at(a, DAY + 60 * MIN);
	assert_int_equal(m.worked_today_min, 17 * 60);
	agent_free(a);
	mp.timezone = "UTC";
}

static void
test_team_remembered(void **state)
{
	struct respite_event	 ev;
	struct agent		*a;

	(void)state;
	a = agent_new("alice");
	ev = mk(RESPITE_EV_AGENT_LOGIN, T0);
	snprintf(ev.team, sizeof ev.team, "support-de");
	agent_apply(a, &ev, &mp);
	assert_string_equal(agent_team(a), "support-de");
	message(a, T0 + MIN, -1);
	assert_string_equal(agent_team(a), "support-de");
	ev = mk(RESPITE_EV_MESSAGE_RECEIVED, T0 + 2 * MIN);
	ev.channel = RESPITE_CH_CHAT;
	snprintf(ev.team, sizeof ev.team, "support-at");
	agent_apply(a, &ev, &mp);
	assert_string_equal(agent_team(a), "support-at");
	agent_free(a);
}

static void
test_late_events(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;

	(void)state;
	a = agent_new("alice");
	login(a, T0);
	chatter(a, T0 + 2 * MIN, T0 + 48 * MIN);
	handled(a, T0 + 50 * MIN, RESPITE_CH_EMAIL, 5 * 60);
	chatter(a, T0 + 52 * MIN, T0 + 80 * MIN);
	assert_int_equal(agent_updated_at(a), T0 + 80 * MIN);

	/* Late, but inside the window: counted. */
	handled(a, T0 + 30 * MIN, RESPITE_CH_PHONE, 10 * 60);
	flagged(a, T0 + 50 * MIN, 1.0);
	assert_int_equal(agent_updated_at(a), T0 + 80 * MIN);
	m = at(a, T0 + 80 * MIN);
	assert_int_equal(m.tickets_last_hour, 2);
	assert_near(m.weighted_load_last_hour, 0.7 + 1.5);
	assert_near(m.occupancy_last_hour, 15.0 / 60);
	assert_int_equal(m.hostile_last_hour, 1);
	assert_near(m.hostility_exposure, 0.5);
	/* Continuous work is not restarted by a late event. */
	assert_int_equal(m.continuous_work_min, 80);
	assert_int_equal(m.open_tickets, 0);

	/* A late break lands where it belongs. */
	put(a, RESPITE_EV_BREAK_START, T0 + 10 * MIN);
	put(a, RESPITE_EV_BREAK_END, T0 + 25 * MIN);
	assert_int_equal(agent_status(a), AGENT_WORKING);
	m = at(a, T0 + 80 * MIN);
	assert_int_equal(m.minutes_on_break_today, 15);
	assert_int_equal(m.worked_today_min, 65);
	assert_int_equal(m.continuous_work_min, 80);

	/*
	 * Late and older than every window (70 min before login): not in
	 * the load, but, being a work event, it still says the agent was
	 * working then (an implicit login at T0 - 70 min).
	 */
	handled(a, T0 - 70 * MIN, RESPITE_CH_PHONE, 60);
	m = at(a, T0 + 80 * MIN);
	assert_int_equal(m.tickets_last_hour, 2);
	assert_near(m.weighted_load_last_hour, 2.2);
	assert_int_equal(m.open_tickets, 0);
	assert_int_equal(m.worked_today_min, 135);
	assert_int_equal(agent_updated_at(a), T0 + 80 * MIN);
	agent_free(a);
}

static void
test_long_replay(void **state)
{
	struct agent		*a;
	struct agent_metrics	 m;
	double			 exposure = 0;
	int64_t			 t, now = T0 + 30 * MS_PER_HOUR;

	(void)state;
	/*
	 * 30 hours of one ticket a minute and a flagged message every 10
	 * minutes: the pruning of old state must not change the figures.
	 */
	a = agent_new("alice");
	login(a, T0);
	for (t = T0 + MIN; t <= now; t += MIN) {
		handled(a, t, RESPITE_CH_CHAT, 30);
		if ((t - T0) % (10 * MIN) == 0) {
			flagged(a, t, 0.5);
			exposure += 0.5 * exp2(-(double)(now - t) /
			    (30.0 * MIN));
		}
	}
	m = at(a, now);
	assert_int_equal(m.tickets_last_hour, 60);
	assert_near(m.weighted_load_last_hour, 60.0);
	assert_near(m.occupancy_last_hour, 0.5);
	assert_int_equal(m.hostile_last_hour, 6);
	assert_near(m.hostility_exposure, exposure);
	assert_int_equal(m.continuous_work_min, 30 * 60);
	/* now is 14:00Z the next day: the day began at 04:00Z. */
	assert_int_equal(m.worked_today_min, 10 * 60);
	agent_free(a);
}

#define STORM		100000

/* A deterministic pseudo-random sequence (no libc state). */
static uint64_t
lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return (*x >> 33);
}

static const int64_t	*storm_ts;

static int
cmp_storm(const void *a, const void *b)
{
	size_t	i = *(const size_t *)a, j = *(const size_t *)b;

	if (storm_ts[i] != storm_ts[j])
		return (storm_ts[i] < storm_ts[j] ? -1 : 1);
	return (i < j ? -1 : i > j);
}

static void
storm_apply(struct agent *a, const int64_t *ts, const double *sev,
    const size_t *order)
{
	struct respite_event	ev;
	size_t			i;

	for (i = 0; i < STORM; i++) {
		ev = mk(RESPITE_EV_MESSAGE_FLAGGED, ts[order[i]]);
		ev.severity = sev[order[i]];
		ev.channel = order[i] % 3 == 0 ? RESPITE_CH_PHONE :
		    RESPITE_CH_CHAT;
		agent_apply(a, &ev, &mp);
	}
}

/*
 * Issue 21 item 5: 100,000 flagged messages for one agent over 12 hours,
 * applied in time order and shuffled, give the same hostility figures,
 * equal to the sums of MODEL.md, and the agent holds entries bounded by
 * the minutes of its window, not by the messages (it held 100,000, and
 * each late one cost a memmove of them all).
 */
static void
test_hostile_out_of_order(void **state)
{
	struct agent_metrics	 mi, mo;
	struct agent		*in, *out;
	int64_t			*ts, now, from, end = T0 + 12 * MS_PER_HOUR;
	double			*sev, exposure, t0, hl;
	size_t			*order, i, k, tmp;
	long			 count, edge;
	uint64_t		 x = 42;
	int			 pass;

	(void)state;
	ts = calloc(STORM, sizeof *ts);
	sev = calloc(STORM, sizeof *sev);
	order = calloc(STORM, sizeof *order);
	assert_non_null(ts);
	assert_non_null(sev);
	assert_non_null(order);
	for (pass = 0; pass < 2; pass++) {
		/* The default half-life, then the longest (a day). */
		hl = pass == 0 ? mp.half_life_ms : 1440.0 * MIN;
		for (i = 0; i < STORM; i++) {
			ts[i] = T0 + (int64_t)(lcg(&x) % (12 * MS_PER_HOUR));
			sev[i] = 0.5 + (double)(lcg(&x) % 500) / 1000;
		}
		/* A few lone messages: minutes kept one by one. */
		ts[0] = T0 - 5 * MS_PER_HOUR + 123;
		ts[1] = T0 - 3 * MS_PER_HOUR + 456;
		/* In time order (a stable sort of the indices), then shuffled. */
		for (i = 0; i < STORM; i++)
			order[i] = i;
		storm_ts = ts;
		qsort(order, STORM, sizeof *order, cmp_storm);
		in = agent_new("alice");
		out = agent_new("alice");
		mp.half_life_ms = hl;
		storm_apply(in, ts, sev, order);
		for (i = STORM; i > 1; i--) {
			k = (size_t)(lcg(&x) % i);
			tmp = order[i - 1];
			order[i - 1] = order[k];
			order[k] = tmp;
		}
		t0 = unit_cpu_s();
		storm_apply(out, ts, sev, order);
		print_message("100,000 out of order: %.3f s, %zu entries\n",
		    unit_cpu_s() - t0, agent_entries(out));
		assert_true(unit_cpu_s() - t0 < (getenv("RESPITE_SANITIZED") !=
		    NULL && *getenv("RESPITE_SANITIZED") != '\0' ? 10.0 : 1.0));
		/* At most 5 entries a minute of the day, and a transition. */
		assert_true(agent_entries(in) <= 1441 * 5 + 8);
		assert_true(agent_entries(out) <= 1441 * 5 + 8);
		for (now = end; now <= end + 13 * MS_PER_HOUR;
		    now += 37 * MIN + 7 * SEC) {
			mi = at(in, now);
			mo = at(out, now);
			assert_int_equal(mi.hostile_last_hour,
			    mo.hostile_last_hour);
			assert_true(fabs(mi.hostility_exposure -
			    mo.hostility_exposure) <=
			    1e-9 * mi.hostility_exposure + 1e-12);
			assert_int_equal(agent_most_hostile_channel(in, now),
			    agent_most_hostile_channel(out, now));
			/* MODEL.md's sums, over the last 24 hours kept. */
			exposure = 0;
			count = edge = 0;
			from = now - MS_PER_HOUR;
			for (i = 0; i < STORM; i++) {
				if (ts[i] < end - 24 * MS_PER_HOUR)
					continue;
				exposure += sev[i] *
				    exp2(-(double)(now - ts[i]) / hl);
				if (ts[i] > from)
					count++;
				else if (ts[i] >= from - MIN)
					edge++;
			}
			assert_true(fabs(mi.hostility_exposure - exposure) <=
			    1e-9 * exposure + 1e-12);
			/* Exact but for the minute straddling the hour. */
			assert_true(mi.hostile_last_hour >= count &&
			    mi.hostile_last_hour <= count + edge);
		}
		agent_free(in);
		agent_free(out);
	}
	setup(NULL);
	free(ts);
	free(sev);
	free(order);
}

/*
 * Teams found by hash (issue 21 item 3): 20,000 teams, each with one
 * agent, and an agent moved between two of them.  A linear scan took
 * n^2 / 2 comparisons here (200 million); the hash finds each at once.
 */
static void
test_agents_many_teams(void **state)
{
	struct respite_event	  ev;
	struct agents		 *t;
	struct agent		**v;
	size_t			  i, n;
	char			  id[24];
	double			  t0;

	(void)state;
	t = agents_new();
	t0 = unit_cpu_s();
	for (i = 0; i < 20000; i++) {
		ev = mk(RESPITE_EV_AGENT_LOGIN, T0);
		snprintf(ev.agent, sizeof ev.agent, "a%05zu", i);
		snprintf(ev.team, sizeof ev.team, "t%05zu", i);
		agents_apply(t, &ev, &mp);
	}
	print_message("20,000 teams: %.3f s\n", unit_cpu_s() - t0);
	assert_true(unit_cpu_s() - t0 < (getenv("RESPITE_SANITIZED") !=
	    NULL && *getenv("RESPITE_SANITIZED") != '\0' ? 5.0 : 0.5));
	assert_int_equal(agents_team_count(t), 20000);
	for (i = 0; i < 20000; i += 997) {
		snprintf(id, sizeof id, "t%05zu", i);
		assert_true(agents_has_team(t, id));
		v = agents_team_sorted(t, id, &n);
		assert_int_equal(n, 1);
		free(v);
	}
	assert_false(agents_has_team(t, "t20000"));
	ev = mk(RESPITE_EV_AGENT_LOGIN, T0 + 1);
	snprintf(ev.agent, sizeof ev.agent, "a00007");
	snprintf(ev.team, sizeof ev.team, "t00008");
	agents_apply(t, &ev, &mp);
	v = agents_team_sorted(t, "t00008", &n);
	assert_int_equal(n, 2);
	free(v);
	v = agents_team_sorted(t, "t00007", &n);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(agents_team_count(t), 20000);
	agents_free(t);
}

static void
test_agents_table(void **state)
{
	struct respite_event	  ev;
	struct agents		 *t;
	struct agent		 *a, **v;
	size_t			  i, n;
	char			  id[24];

	(void)state;
	t = agents_new();
	assert_int_equal(agents_count(t), 0);
	assert_null(agents_get(t, "a000"));
	/* In reverse order, enough to make the table grow twice. */
	for (i = 300; i-- > 0;) {
		snprintf(id, sizeof id, "a%03zu", i);
		ev = mk(RESPITE_EV_AGENT_LOGIN, T0 + (int64_t)i);
		snprintf(ev.agent, sizeof ev.agent, "%s", id);
		a = agents_apply(t, &ev, &mp);
		assert_string_equal(agent_id(a), id);
	}
	assert_int_equal(agents_count(t), 300);
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "a%03zu", i);
		a = agents_get(t, id);
		assert_non_null(a);
		assert_string_equal(agent_id(a), id);
		assert_int_equal(agent_updated_at(a), T0 + (int64_t)i);
		assert_int_equal(agent_status(a), AGENT_WORKING);
	}
	assert_null(agents_get(t, "a300"));
	assert_null(agents_get(t, "A000"));

	/* A second event for a known agent creates nothing new. */
	ev = mk(RESPITE_EV_AGENT_LOGOUT, T0 + 1000);
	snprintf(ev.agent, sizeof ev.agent, "a123");
	a = agents_apply(t, &ev, &mp);
	assert_ptr_equal(a, agents_get(t, "a123"));
	assert_int_equal(agent_status(a), AGENT_OFFLINE);
	assert_int_equal(agents_count(t), 300);

	v = agents_sorted(t, &n);
	assert_int_equal(n, 300);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "a%03zu", i);
		assert_string_equal(agent_id(v[i]), id);
	}
	free(v);
	agents_free(t);
	agents_free(NULL);

	t = agents_new();
	v = agents_sorted(t, &n);
	assert_int_equal(n, 0);
	free(v);
	agents_free(t);
}

/*
 * The same for handled tickets (100,000 in the last hour, in order and
 * shuffled: the same figures) and status changes (100,000 logins and
 * logouts over a day and a half): entries bounded by the minutes of the
 * windows, and the cost of a late one by a binary search.
 */
static void
test_storms_bounded(void **state)
{
	struct respite_event	 ev;
	struct agent_metrics	 mi, mo;
	struct agent		*in, *out, *st;
	int64_t			*ts, now;
	size_t			*order, i, k, tmp;
	uint64_t		 x = 7;
	double			 t0;

	(void)state;
	ts = calloc(STORM, sizeof *ts);
	order = calloc(STORM, sizeof *order);
	assert_non_null(ts);
	assert_non_null(order);
	for (i = 0; i < STORM; i++) {
		ts[i] = T0 + (int64_t)(lcg(&x) % (50 * MIN));
		order[i] = i;
	}
	storm_ts = ts;
	qsort(order, STORM, sizeof *order, cmp_storm);
	in = agent_new("alice");
	out = agent_new("alice");
	login(in, T0 - MIN);
	login(out, T0 - MIN);
	for (i = 0; i < STORM; i++) {
		ev = mk(RESPITE_EV_TICKET_HANDLED, ts[order[i]]);
		ev.channel = order[i] % 2 ? RESPITE_CH_PHONE : RESPITE_CH_CHAT;
		ev.duration_s = (double)(order[i] % 300);
		agent_apply(in, &ev, &mp);
	}
	for (i = STORM; i > 1; i--) {
		k = (size_t)(lcg(&x) % i);
		tmp = order[i - 1];
		order[i - 1] = order[k];
		order[k] = tmp;
	}
	t0 = unit_cpu_s();
	for (i = 0; i < STORM; i++) {
		ev = mk(RESPITE_EV_TICKET_HANDLED, ts[order[i]]);
		ev.channel = order[i] % 2 ? RESPITE_CH_PHONE : RESPITE_CH_CHAT;
		ev.duration_s = (double)(order[i] % 300);
		agent_apply(out, &ev, &mp);
	}
	print_message("100,000 handled out of order: %.3f s, %zu entries\n",
	    unit_cpu_s() - t0, agent_entries(out));
	assert_true(agent_entries(in) <= 62 * 5 + 2);
	assert_true(agent_entries(out) <= 62 * 5 + 2);
	for (now = T0 + 50 * MIN; now <= T0 + 3 * MS_PER_HOUR;
	    now += 13 * MIN + 11 * SEC) {
		mi = at(in, now);
		mo = at(out, now);
		assert_int_equal(mi.tickets_last_hour, mo.tickets_last_hour);
		assert_true(fabs(mi.weighted_load_last_hour -
		    mo.weighted_load_last_hour) < 1e-6);
		assert_near(mi.occupancy_last_hour, mo.occupancy_last_hour);
	}
	assert_int_equal(at(in, T0 + 50 * MIN).tickets_last_hour, STORM);
	agent_free(in);
	agent_free(out);

	/* Logins and logouts, shuffled over 36 hours. */
	st = agent_new("alice");
	t0 = unit_cpu_s();
	for (i = 0; i < STORM; i++) {
		put(st, i % 2 ? RESPITE_EV_AGENT_LOGIN : RESPITE_EV_AGENT_LOGOUT,
		    T0 + (int64_t)(lcg(&x) % (36 * MS_PER_HOUR)));
		if (i % 1000 == 0)
			(void)at(st, T0 + 36 * MS_PER_HOUR);
	}
	print_message("100,000 status changes out of order: %.3f s, "
	    "%zu entries\n", unit_cpu_s() - t0, agent_entries(st));
	assert_true(unit_cpu_s() - t0 < (getenv("RESPITE_SANITIZED") !=
	    NULL && *getenv("RESPITE_SANITIZED") != '\0' ? 10.0 : 1.0));
	assert_true(agent_entries(st) <= 36 * 60 * 2 + 2);
	mi = at(st, T0 + 36 * MS_PER_HOUR);
	assert_true(mi.worked_today_min >= 0 && mi.worked_today_min <= 24 * 60);
	agent_free(st);
	free(ts);
	free(order);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_new_agent),
		cmocka_unit_test(test_status_transitions),
		cmocka_unit_test(test_implicit_login),
		cmocka_unit_test(test_open_tickets),
		cmocka_unit_test(test_load_and_weights),
		cmocka_unit_test(test_window_edge),
		cmocka_unit_test(test_occupancy),
		cmocka_unit_test(test_continuous_login),
		cmocka_unit_test(test_continuous_breaks),
		cmocka_unit_test(test_continuous_quiet_gaps),
		cmocka_unit_test(test_continuous_live_contact),
		cmocka_unit_test(test_continuous_not_working),
		cmocka_unit_test(test_continuous_break_from_offline),
		cmocka_unit_test(test_hostility),
		cmocka_unit_test(test_hostility_params),
		cmocka_unit_test(test_today_utc),
		cmocka_unit_test(test_today_time_zones),
		cmocka_unit_test(test_team_remembered),
		cmocka_unit_test(test_late_events),
		cmocka_unit_test(test_long_replay),
		cmocka_unit_test(test_agents_table),
		cmocka_unit_test(test_agents_many_teams),
		cmocka_unit_test(test_hostile_out_of_order),
		cmocka_unit_test(test_storms_bounded),
	};

	return (cmocka_run_group_tests_name("agent", tests, setup, NULL));
}
