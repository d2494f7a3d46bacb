/*
 * respite - respitectl simulate: a synthetic contact-center shift.
 *
 * A small discrete-event simulation.  Each team has one Poisson arrival
 * process per channel whose rate follows a daily curve in the team's time
 * zone and the number of agents on shift; contacts wait in one FIFO queue
 * per team and channel and go to a free agent who has the skill.  Agents
 * log in, take a lunch and short breaks (a break starts once the contacts
 * in hand are done: nobody leaves a caller hanging), and log out at the end
 * of their shift after their last contact.  What comes out is the event
 * stream a helpdesk would send respited, as NDJSON sorted by ts.
 *
 * The output is a function of the options alone: the only randomness is
 * xoshiro256** seeded through splitmix64 from --seed, and the wall clock
 * is read only when --start is absent (to end the shift at the start of
 * the current hour, so every event lies in the past).  --text draws from
 * a second generator so that it changes texts and nothing else.
 *
 * The parameters, all of them guesses from published contact-center
 * figures rather than measurements (means in minutes; the log-normal's
 * median is mean / exp(sigma^2 / 2)):
 *
 *   channel    handling time        load  hostile   customer messages
 *              mean  sigma  clamp         contacts  per contact
 *   phone      6.0   0.6    20s-60m 1.0   2 %       none (voice; flags only)
 *   chat       8.0   0.6            0.5   4 %       1 + Poisson(duration / 100 s)
 *   email      4.0   0.6            1.0   3 %       1
 *   social     3.0   0.6            1.0   12 %      1 + Poisson(duration / 150 s)
 *   messaging  3.0   0.6            1.0   5 %       1 + Poisson(duration / 120 s)
 *
 * "load" is the share of an agent a contact takes: two chats overlap, any
 * other contact is exclusive.  Callers give up after Exp(4 min) in the
 * queue, chatters after Exp(10 min); written channels wait.  A hostile
 * contact lasts 30 % longer and carries 1-3 flagged messages (severity
 * 0.5 + 0.5 u^1.3: mean 0.72, a third at 0.8 or more).  Each agent's
 * hostile rate is the channel's times a factor drawn from 0.6-1.4, or 5
 * for the ~10 % of agents who take the escalations (at least one agent).
 *
 *   team  zone (cycles)       phone chat email social messaging  peak occ.
 *   a     Europe/Berlin       .50   .25  .15   .05    .05         0.85
 *   b     Europe/London       .10   .30  .15   .25    .20         0.90
 *   c     America/New_York    .35   .20  .25   .10    .10         0.80
 *   d     Asia/Manila         .20   .25  .10   .25    .20         0.95
 *   e, f  Europe/Lisbon, America/Chicago (profiles a, b again), ...
 *
 * The arrival rate of a channel is mix x peak occupancy x 0.9 (the share
 * of a shift not on a break) x agents on shift / (mean agent-seconds a
 * contact takes), scaled by the daily curve over its maximum inside the
 * simulated window: the staff on shift is assumed sized for the busiest
 * hour of that window.
 *
 * Shifts: with --hours up to 9 everyone works the window (logins in its
 * first 10 minutes, shift ends in its last 10); longer windows get
 * 8.5-hour shifts with staggered starts.  Breaks: a 30-minute lunch in
 * the middle half of the shift (shifts of 3.5 h or more; staggered, as
 * rosters do), short breaks of 5-12 minutes every ~105 minutes (each
 * skipped with p 0.15), and ~10 % of agents (at least one of two or more)
 * who never pause.  Those work the live channels (phone, chat, messaging)
 * and the dispatcher hands them work first, so they show no natural gaps
 * either: respited counts 5 quiet minutes with no live contact open as a
 * break.  A contact still open at the end of the window is cut short
 * there, unless --open-end keeps the shift going past the window (its
 * events after the end are simply not written).
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <respite/event.h>

#include "ctl.h"
#include "event.h"
#include "timeutil.h"
#include "xmalloc.h"

#define SIM_MAX_AGENTS		10000
#define SIM_MAX_TEAMS		100
#define SIM_MAX_HOURS		24.0	/* each agent works one shift */
#define SIM_MAX_AGENT_HOURS	100000.0	/* bounds memory: ~7 M events */
#define SIM_MAX_BREAKS		16
#define SIM_MAX_MESSAGES	12
#define SIM_DUR_MIN_S		20
#define SIM_DUR_MAX_S		3600
#define SIM_SHIFT_MS		(8 * MS_PER_HOUR + 30 * MS_PER_MIN)
#define SIM_LUNCH_MS		(30 * MS_PER_MIN)
#define SIM_AVAILABLE		0.9	/* share of a shift not on a break */

/* ---------------------------------------------------------------- PRNG */

/* xoshiro256** (Blackman and Vigna, public domain), seeded by splitmix64. */
struct rng {
	uint64_t	s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int	i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return ((x << k) | (x >> (64 - k)));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t	result, t;

	result = rotl(r->s[1] * 5, 7) * 9;
	t = r->s[1] << 17;
	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return (result);
}

/* Uniform in [0, 1). */
static double
rng_uniform(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) * 0x1.0p-53);
}

static double
rng_range(struct rng *r, double lo, double hi)
{
	return (lo + (hi - lo) * rng_uniform(r));
}

/* Uniform integer in [0, n). */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return ((uint32_t)(rng_uniform(r) * n));
}

/* Exponential with the given mean. */
static double
rng_exp(struct rng *r, double mean)
{
	return (-mean * log1p(-rng_uniform(r)));
}

/* Standard normal (Box-Muller; one draw of the pair is enough here). */
static double
rng_normal(struct rng *r)
{
	double	u1, u2;

	u1 = 1.0 - rng_uniform(r);	/* (0, 1]: log() stays finite */
	u2 = rng_uniform(r);
	return (sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

/* Poisson with a small mean (Knuth). */
static unsigned int
rng_poisson(struct rng *r, double mean)
{
	double		limit, p = 1.0;
	unsigned int	k = 0;

	limit = exp(-mean);
	for (;;) {
		p *= rng_uniform(r);
		if (p <= limit || k >= 100)
			return (k);
		k++;
	}
}

/* ---------------------------------------------------------------- model */

#define NCH	RESPITE_CH_COUNT
#define LIVE_CHANNELS	(1u << RESPITE_CH_PHONE | 1u << RESPITE_CH_CHAT | \
			    1u << RESPITE_CH_MESSAGING)

static const struct ch_param {
	double	mean_min;	/* mean handling time */
	double	sigma;		/* of the log-normal */
	double	load;		/* share of an agent it takes */
	double	hostile;	/* share of contacts with hostile messages */
	double	msg_every_s;	/* < 0: no messages; 0: one; else 1 + Poisson */
	double	patience_min;	/* mean wait before giving up; 0: waits */
} ch_params[NCH] = {
	[RESPITE_CH_PHONE] = { 6.0, 0.6, 1.0, 0.02, -1, 4 },
	[RESPITE_CH_CHAT] = { 8.0, 0.6, 0.5, 0.04, 100, 10 },
	[RESPITE_CH_EMAIL] = { 4.0, 0.6, 1.0, 0.03, 0, 0 },
	[RESPITE_CH_SOCIAL] = { 3.0, 0.6, 1.0, 0.12, 150, 0 },
	[RESPITE_CH_MESSAGING] = { 3.0, 0.6, 1.0, 0.05, 120, 0 },
};

static const struct team_profile {
	double	mix[NCH];
	double	occupancy;	/* at the window's busiest time */
} profiles[] = {
	{ { [RESPITE_CH_PHONE] = .50, [RESPITE_CH_CHAT] = .25,
	    [RESPITE_CH_EMAIL] = .15, [RESPITE_CH_SOCIAL] = .05,
	    [RESPITE_CH_MESSAGING] = .05 }, 0.85 },
	{ { [RESPITE_CH_PHONE] = .10, [RESPITE_CH_CHAT] = .30,
	    [RESPITE_CH_EMAIL] = .15, [RESPITE_CH_SOCIAL] = .25,
	    [RESPITE_CH_MESSAGING] = .20 }, 0.90 },
	{ { [RESPITE_CH_PHONE] = .35, [RESPITE_CH_CHAT] = .20,
	    [RESPITE_CH_EMAIL] = .25, [RESPITE_CH_SOCIAL] = .10,
	    [RESPITE_CH_MESSAGING] = .10 }, 0.80 },
	{ { [RESPITE_CH_PHONE] = .20, [RESPITE_CH_CHAT] = .25,
	    [RESPITE_CH_EMAIL] = .10, [RESPITE_CH_SOCIAL] = .25,
	    [RESPITE_CH_MESSAGING] = .20 }, 0.95 },
};
#define NPROFILES	(sizeof profiles / sizeof profiles[0])

static const char *const zones[] = {
	"Europe/Berlin", "Europe/London", "America/New_York", "Asia/Manila",
	"Europe/Lisbon", "America/Chicago",
};
#define NZONES		(sizeof zones / sizeof zones[0])

/*
 * Contact volume by local hour (a common intraday shape: a morning peak,
 * a dip at lunch, a second peak, a long evening tail), interpolated
 * linearly in between.
 */
static const double day_curve[25] = {
	0.15, 0.10, 0.08, 0.08, 0.10, 0.15, 0.30, 0.55, 0.80, 0.95, 1.00,
	0.95, 0.80, 0.85, 0.95, 0.95, 0.85, 0.70, 0.55, 0.45, 0.35, 0.30,
	0.25, 0.20, 0.15
};

static const char *const cat_names[] = {
	"insult", "profanity", "harassment", "threat", "identity_attack",
	"other"
};
static const double cat_weights[] = { .40, .30, .12, .08, .05, .05 };
#define NCATS		(sizeof cat_names / sizeof cat_names[0])

/* Sample texts for --text, written for this simulator. */
static const char *const text_ok_en[] = {
	"Hi, my order has not arrived yet. Can you check the status?",
	"I would like to change the address on my account.",
	"Thanks, that solved it!",
	"How do I reset my password?",
	"Can I get a copy of my last invoice?",
	"The app keeps logging me out. Any idea why?",
	"I was charged twice this month.",
	"Is there a discount if I pay for a whole year?",
	"Great, thank you for the quick help.",
	"When will the refund show up on my card?",
	"My parcel says delivered but it is not here.",
	"Could you call me back tomorrow morning?",
};
static const char *const text_ok_de[] = {
	"Hallo, meine Bestellung ist noch nicht angekommen.",
	"Ich möchte die Adresse in meinem Konto ändern.",
	"Danke, das hat geholfen!",
	"Wie setze ich mein Passwort zurück?",
	"Können Sie mir die letzte Rechnung schicken?",
	"Mir wurde diesen Monat doppelt abgebucht.",
	"Wann kommt die Erstattung auf meinem Konto an?",
	"Vielen Dank für die schnelle Hilfe.",
	"Die App meldet mich ständig ab.",
	"Können Sie mich morgen früh zurückrufen?",
};
static const char *const text_bad_en[] = {
	"This is the third time I am calling. Are you all completely useless?",
	"You people are a joke. Fix it now or I will make sure you lose your job.",
	"Stop reading your stupid script and listen to me!",
	"Worst service ever. You are incompetent, every single one of you.",
	"I am sick of your lies. Damn this company.",
	"Are you deaf? I said cancel it. Idiot.",
	"I know where your office is. You will regret this.",
	"What a pathetic excuse for customer support.",
};
static const char *const text_bad_de[] = {
	"Das ist jetzt das dritte Mal. Seid ihr alle komplett unfähig?",
	"Hören Sie auf, mir Ihren dummen Text vorzulesen!",
	"Sie sind der inkompetenteste Mensch, mit dem ich je gesprochen habe.",
	"So ein Saftladen. Ich verklage euch alle.",
	"Sind Sie taub? Kündigen, habe ich gesagt! Idiot.",
	"Ihr lügt doch alle, verdammt noch mal.",
};
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

/* ---------------------------------------------------------------- state */

/* One output event; strings are made only when it is printed. */
struct sim_ev {
	int64_t		ms;
	uint32_t	seq;		/* creation order: ties in ms */
	uint32_t	ticket;		/* 0: none */
	uint16_t	agent;
	uint16_t	dur_s;		/* ticket.handled */
	int16_t		text;		/* index into the pool, -1: none */
	uint8_t		type;
	uint8_t		channel;
	uint8_t		sev100;		/* message.flagged: severity x 100 */
	uint8_t		cats;		/* bit i: cat_names[i] */
	uint8_t		lang;		/* 0 en, 1 de */
	uint8_t		hostile_text;
};

enum item_kind {
	IT_ARRIVAL, IT_CONTACT_END, IT_BREAK_DUE, IT_BREAK_END,
	IT_SHIFT_START, IT_SHIFT_END
};

/* A pending step of the simulation, in a binary heap by (ms, seq). */
struct sim_item {
	int64_t		ms;
	uint32_t	seq;
	uint16_t	who;		/* agent, or team for arrivals */
	uint8_t		kind;
	uint8_t		ch;
};

struct waiting {
	int64_t		arrival;
	int64_t		deadline;	/* gives up after this */
};

struct queue {
	struct waiting	*w;
	size_t		 head, n, cap;
};

enum agent_state { AG_OFFLINE, AG_WORKING, AG_BREAK, AG_DONE };

struct sim_agent {
	int		 team;
	const char	*tz;
	unsigned int	 skills;	/* bit per channel */
	int		 never_pause;
	double		 hostile_mult;
	int64_t		 shift_start, shift_end;
	struct {
		int64_t	 at, len;
	}		 breaks[SIM_MAX_BREAKS];
	int		 nbreaks;
	enum agent_state state;
	double		 load;
	int		 nopen;
	int		 break_pending;
	int64_t		 pending_len;
	int64_t		 last_free;
};

struct sim_team {
	const struct team_profile *prof;
	const char	*zone;
	int		 lo, hi;	/* its agents: [lo, hi) */
	double		 rate_max[NCH];	/* arrivals per ms, before thinning */
	double		 curve_max;
	int		*offset_min;	/* UTC offset per hour of the window */
	struct queue	 q[NCH];
};

struct sim {
	/* Options. */
	int		 nagents, nteams, tz_spread, text, open_end;
	double		 hours;
	uint64_t	 seed;
	int64_t		 start, end;	/* ms */
	char		 tag[9];	/* parameters' hash, in ids */
	int		 agent_width;

	struct rng	 rng, trng;
	struct sim_agent *agents;
	struct sim_team	*teams;
	int		 nhours;

	struct sim_ev	*ev;
	size_t		 nev, evcap;
	struct sim_item	*heap;
	size_t		 nheap, heapcap;
	uint32_t	 seq, tickets;
	uint64_t	 abandoned;
};

/* ---------------------------------------------------------------- heap */

static int
item_before(const struct sim_item *a, const struct sim_item *b)
{
	return (a->ms < b->ms || (a->ms == b->ms && a->seq < b->seq));
}

static void
heap_push(struct sim *s, int64_t ms, enum item_kind kind, int who, int ch)
{
	struct sim_item	 it, tmp;
	size_t		 i, parent;

	if (s->nheap == s->heapcap) {
		s->heapcap = s->heapcap ? s->heapcap * 2 : 1024;
		s->heap = xreallocarray(s->heap, s->heapcap, sizeof *s->heap);
	}
	it.ms = ms;
	it.seq = s->seq++;
	it.who = (uint16_t)who;
	it.kind = (uint8_t)kind;
	it.ch = (uint8_t)ch;
	i = s->nheap++;
	s->heap[i] = it;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!item_before(&s->heap[i], &s->heap[parent]))
			break;
		tmp = s->heap[parent];
		s->heap[parent] = s->heap[i];
		s->heap[i] = tmp;
		i = parent;
	}
}

static struct sim_item
heap_pop(struct sim *s)
{
	struct sim_item	 top, tmp;
	size_t		 i, l, r, m;

	top = s->heap[0];
	s->heap[0] = s->heap[--s->nheap];
	i = 0;
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < s->nheap && item_before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->nheap && item_before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = s->heap[m];
		s->heap[m] = s->heap[i];
		s->heap[i] = tmp;
		i = m;
	}
	return (top);
}

/* ---------------------------------------------------------------- output */

static struct sim_ev *
ev_add(struct sim *s, int64_t ms, enum respite_event_type type, int agent,
    enum respite_channel ch, uint32_t ticket)
{
	struct sim_ev	*e;

	if (s->nev == s->evcap) {
		s->evcap = s->evcap ? s->evcap * 2 : 4096;
		s->ev = xreallocarray(s->ev, s->evcap, sizeof *s->ev);
	}
	e = &s->ev[s->nev++];
	memset(e, 0, sizeof *e);
	e->ms = ms;
	e->seq = s->seq++;
	e->type = (uint8_t)type;
	e->agent = (uint16_t)agent;
	e->channel = (uint8_t)ch;
	e->ticket = ticket;
	e->text = -1;
	return (e);
}

static int
ev_cmp(const void *va, const void *vb)
{
	const struct sim_ev	*a = va, *b = vb;

	if (a->ms != b->ms)
		return (a->ms < b->ms ? -1 : 1);
	return (a->seq < b->seq ? -1 : a->seq > b->seq);
}

/* Team k's name: team-a ... team-z, team-aa, ... (bijective base 26). */
static void
team_name(int k, char *buf, size_t len)
{
	char	tmp[8];
	int	n = 0, i;

	k++;
	while (k > 0 && n < (int)sizeof tmp) {
		k--;
		tmp[n++] = (char)('a' + k % 26);
		k /= 26;
	}
	i = snprintf(buf, len, "team-");
	while (n > 0 && (size_t)i + 1 < len)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

/* Write s as JSON string content (our own texts need little of this). */
static void
put_json_string(FILE *f, const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			fprintf(f, "\\u%04x", (unsigned int)(unsigned char)*p);
		else
			putc(*p, f);
	}
}

static const char *
ev_text(const struct sim_ev *e)
{
	if (e->hostile_text)
		return (e->lang ? text_bad_de[e->text] : text_bad_en[e->text]);
	return (e->lang ? text_ok_de[e->text] : text_ok_en[e->text]);
}

static void
put_event(FILE *f, const struct sim *s, const struct sim_ev *e, uint64_t n,
    char **team_names)
{
	const struct sim_agent	*a = &s->agents[e->agent];
	char			 ts[TIME_RFC3339_LEN];
	int64_t			 sec;
	size_t			 i;
	int			 first;

	sec = e->ms / 1000;
	time_format_rfc3339(sec * 1000, ts, sizeof ts);
	fprintf(f, "{\"id\":\"sim-%" PRIu64 "-%s-%" PRIu64 "\",\"type\":\"%s\","
	    "\"agent\":\"agent-%0*d\",\"team\":\"%s\",\"ts\":\"%s\"",
	    s->seed, s->tag, n, event_type_name(e->type), s->agent_width,
	    e->agent + 1, team_names[a->team], ts);
	if (e->channel != RESPITE_CH_NONE)
		fprintf(f, ",\"channel\":\"%s\"", event_channel_name(e->channel));
	if (e->ticket != 0)
		fprintf(f, ",\"ticket\":\"sim-%" PRIu64 "-%s-t%" PRIu32 "\"",
		    s->seed, s->tag, e->ticket);
	switch (e->type) {
	case RESPITE_EV_AGENT_LOGIN:
		fprintf(f, ",\"tz\":\"%s\"", a->tz);
		break;
	case RESPITE_EV_TICKET_HANDLED:
		fprintf(f, ",\"duration_s\":%u", (unsigned int)e->dur_s);
		break;
	case RESPITE_EV_MESSAGE_FLAGGED:
		fprintf(f, ",\"severity\":%d.%02d,\"categories\":[",
		    e->sev100 / 100, e->sev100 % 100);
		for (i = 0, first = 1; i < NCATS; i++) {
			if (e->cats & (1u << i)) {
				fprintf(f, "%s\"%s\"", first ? "" : ",",
				    cat_names[i]);
				first = 0;
			}
		}
		fputc(']', f);
		break;
	case RESPITE_EV_MESSAGE_RECEIVED:
		if (e->text >= 0) {
			fprintf(f, ",\"lang\":\"%s\",\"text\":\"",
			    e->lang ? "de" : "en");
			put_json_string(f, ev_text(e));
			fputc('"', f);
		}
		break;
	default:
		break;
	}
	fputs("}\n", f);
}

/* ---------------------------------------------------------------- time */

/* Local-time offsets of a zone, one per hour of the window, in minutes. */
static void
zone_offsets(const char *zone, int64_t start, int nhours, int *out)
{
	struct tm	 tm;
	time_t		 t;
	char		*saved = NULL;
	const char	*old;
	int		 h;

	if ((old = getenv("TZ")) != NULL)
		saved = xstrdup(old);
	setenv("TZ", zone, 1);
	tzset();
	for (h = 0; h < nhours; h++) {
		t = (time_t)(start / 1000 + h * 3600 + 1800);
		localtime_r(&t, &tm);
		out[h] = (int)(tm.tm_gmtoff / 60);
	}
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

/* The daily curve at ms for team t (not normalised). */
static double
curve_at(const struct sim *s, const struct sim_team *t, int64_t ms)
{
	int64_t		rel, local;
	int		h;
	double		minute, frac;

	rel = ms - s->start;
	h = (int)(rel / MS_PER_HOUR);
	if (h < 0)
		h = 0;
	if (h >= s->nhours)
		h = s->nhours - 1;
	local = ms / 1000 + (int64_t)t->offset_min[h] * 60;
	local %= 86400;
	if (local < 0)
		local += 86400;
	minute = (double)local / 60.0;
	frac = minute / 60.0 - floor(minute / 60.0);
	h = (int)(minute / 60.0);
	return (day_curve[h] + (day_curve[h + 1] - day_curve[h]) * frac);
}

/* Agents of team t whose shift covers ms. */
static int
staffed(const struct sim *s, const struct sim_team *t, int64_t ms)
{
	int	i, n = 0;

	for (i = t->lo; i < t->hi; i++)
		if (s->agents[i].shift_start <= ms &&
		    ms < s->agents[i].shift_end)
			n++;
	return (n);
}

/* ---------------------------------------------------------------- setup */

static uint32_t
fnv1a(const char *p)
{
	uint32_t	h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (h);
}

static void
plan_breaks(struct sim *s, struct sim_agent *a)
{
	int64_t	len, lunch = -1, at;
	int	k;

	a->nbreaks = 0;
	if (a->never_pause)
		return;
	len = a->shift_end - a->shift_start;
	/* Lunches are staggered over the middle half of the shift. */
	if (len >= 3 * MS_PER_HOUR + 30 * MS_PER_MIN)
		lunch = a->shift_start + len / 2 - SIM_LUNCH_MS / 2 +
		    (int64_t)(rng_range(&s->rng, -0.25, 0.25) * (double)len);
	for (k = 1; a->nbreaks < SIM_MAX_BREAKS - 1; k++) {
		at = a->shift_start + k * 105 * MS_PER_MIN +
		    (int64_t)(rng_range(&s->rng, -15, 15) * MS_PER_MIN);
		if (at > a->shift_end - 30 * MS_PER_MIN)
			break;
		if (lunch >= 0 && llabs(at - lunch) < 50 * MS_PER_MIN)
			continue;
		if (rng_uniform(&s->rng) < 0.15)
			continue;
		a->breaks[a->nbreaks].at = at;
		a->breaks[a->nbreaks].len =
		    (int64_t)rng_range(&s->rng, 5 * 60, 12 * 60) * 1000;
		a->nbreaks++;
	}
	if (lunch >= 0) {
		a->breaks[a->nbreaks].at = lunch;
		a->breaks[a->nbreaks].len = SIM_LUNCH_MS;
		a->nbreaks++;
	}
}

static void
sim_setup(struct sim *s)
{
	struct sim_agent	*a;
	struct sim_team		*t;
	char			 params[256];
	double			 work, f;
	int			 i, j, c, k, m, nnever = 0, nhot = 0, cover, size;
	unsigned int		 all;
	int64_t			 span, ms, jitter;

	snprintf(params, sizeof params, "%" PRId64 "|%d|%d|%g|%d|%d|%d",
	    s->start, s->nagents, s->nteams, s->hours, s->tz_spread, s->text,
	    s->open_end);
	snprintf(s->tag, sizeof s->tag, "%08" PRIx32, fnv1a(params));
	s->agent_width = s->nagents >= 1000 ? (s->nagents >= 10000 ? 5 : 4) :
	    3;
	rng_seed(&s->rng, s->seed);
	rng_seed(&s->trng, s->seed ^ 0x5445585453494d31ULL);	/* "TEXTSIM1" */
	s->nhours = (int)((s->end - s->start + MS_PER_HOUR - 1) / MS_PER_HOUR);
	if (s->nhours < 1)
		s->nhours = 1;

	s->teams = xcalloc(s->nteams, sizeof *s->teams);
	for (k = 0; k < s->nteams; k++) {
		t = &s->teams[k];
		t->prof = &profiles[k % NPROFILES];
		t->zone = zones[k % NZONES];
		if (!time_zone_valid(t->zone))
			t->zone = "UTC";
		t->lo = (int)((int64_t)k * s->nagents / s->nteams);
		t->hi = (int)((int64_t)(k + 1) * s->nagents / s->nteams);
		t->offset_min = xcalloc(s->nhours, sizeof *t->offset_min);
		zone_offsets(t->zone, s->start, s->nhours, t->offset_min);
	}

	s->agents = xcalloc(s->nagents, sizeof *s->agents);
	for (i = 0; i < s->nagents; i++) {
		a = &s->agents[i];
		a->team = i == 0 ? 0 : s->agents[i - 1].team;
		while (i >= s->teams[a->team].hi)
			a->team++;
		t = &s->teams[a->team];
		a->tz = t->zone;
		a->never_pause = rng_uniform(&s->rng) < 0.10;
		if (rng_uniform(&s->rng) < 0.10) {
			a->hostile_mult = 5.0;
			nhot++;
		} else
			a->hostile_mult = rng_range(&s->rng, 0.6, 1.4);
		nnever += a->never_pause;

		/* Skills: the team's main channel, the others mostly. */
		for (c = 0, m = -1; c < NCH; c++)
			if (t->prof->mix[c] > 0 &&
			    (m < 0 || t->prof->mix[c] > t->prof->mix[m]))
				m = c;
		a->skills = 1u << m;
		for (c = 0; c < NCH; c++)
			if (t->prof->mix[c] > 0 && c != m &&
			    rng_uniform(&s->rng) >= 0.25)
				a->skills |= 1u << c;
		if (a->never_pause)
			a->skills = LIVE_CHANNELS;

		span = s->end - s->start;
		if (span <= 9 * MS_PER_HOUR) {
			jitter = span / 8 < 10 * MS_PER_MIN ? span / 8 :
			    10 * MS_PER_MIN;
			a->shift_start = s->start + (int64_t)(rng_uniform(
			    &s->rng) * (double)jitter);
			a->shift_end = s->end - (int64_t)(rng_uniform(
			    &s->rng) * (double)jitter);
		} else {
			ms = (int64_t)(rng_uniform(&s->rng) *
			    (double)(span - SIM_SHIFT_MS));
			a->shift_start = s->start + ms / (15 * MS_PER_MIN) *
			    (15 * MS_PER_MIN) + (int64_t)(rng_uniform(&s->rng) *
			    5 * MS_PER_MIN);
			a->shift_end = a->shift_start + SIM_SHIFT_MS;
			if (a->shift_end > s->end)
				a->shift_end = s->end;
		}
		/* --open-end: whoever works at the end stays on past it. */
		if (s->open_end && a->shift_end >= s->end - 10 * MS_PER_MIN)
			a->shift_end = s->end + MS_PER_HOUR;
	}
	/* At least one of each kind, so that every shift shows both. */
	if (nnever == 0 && s->nagents >= 2) {
		a = &s->agents[rng_below(&s->rng, s->nagents)];
		a->never_pause = 1;
		a->skills = LIVE_CHANNELS;
	}
	if (nhot == 0 && s->nagents >= 2)
		s->agents[rng_below(&s->rng, s->nagents)].hostile_mult = 5.0;
	for (i = 0; i < s->nagents; i++)
		plan_breaks(s, &s->agents[i]);

	/*
	 * Every channel of a team is somebody's skill: someone's who pauses,
	 * if the team has such an agent.
	 */
	for (k = 0; k < s->nteams; k++) {
		t = &s->teams[k];
		size = t->hi - t->lo;
		all = 0;
		for (i = t->lo; i < t->hi; i++)
			all |= s->agents[i].skills;
		for (c = 0, cover = 0; c < NCH; c++) {
			if (t->prof->mix[c] == 0 || (all & (1u << c)))
				continue;
			for (j = 0; j < size; j++) {
				i = t->lo + (cover + j) % size;
				if (!s->agents[i].never_pause)
					break;
			}
			s->agents[i].skills |= 1u << c;
			cover = i - t->lo + 1;
		}
	}

	/* --tz-spread: remote agents, half of them outside the team's zone. */
	if (s->tz_spread) {
		struct rng	zr;

		rng_seed(&zr, s->seed ^ 0x545a535052454144ULL);	/* "TZSPREAD" */
		for (i = 0; i < s->nagents; i++) {
			if (rng_uniform(&zr) < 0.5)
				continue;
			a = &s->agents[i];
			j = (int)rng_below(&zr, NZONES - 1);
			if (strcmp(zones[j], s->teams[a->team].zone) == 0)
				j = NZONES - 1;
			if (time_zone_valid(zones[j]))
				a->tz = zones[j];
		}
	}

	/* Arrival rates: sized for the busiest minute of the window. */
	for (k = 0; k < s->nteams; k++) {
		t = &s->teams[k];
		t->curve_max = 0;
		for (ms = s->start; ms < s->end; ms += MS_PER_MIN)
			if ((f = curve_at(s, t, ms)) > t->curve_max)
				t->curve_max = f;
		work = 0;
		for (c = 0; c < NCH; c++)
			work += t->prof->mix[c] * ch_params[c].mean_min * 60000.0 *
			    ch_params[c].load;
		for (c = 0; c < NCH; c++)
			t->rate_max[c] = t->prof->mix[c] * t->prof->occupancy *
			    SIM_AVAILABLE * (t->hi - t->lo) / work;
	}
}

/* ---------------------------------------------------------------- run */

static void
queue_push(struct queue *q, int64_t arrival, int64_t deadline)
{
	if (q->head + q->n == q->cap) {
		if (q->head > q->cap / 2) {
			memmove(q->w, q->w + q->head, q->n * sizeof *q->w);
			q->head = 0;
		} else {
			q->cap = q->cap ? q->cap * 2 : 64;
			q->w = xreallocarray(q->w, q->cap, sizeof *q->w);
		}
	}
	q->w[q->head + q->n].arrival = arrival;
	q->w[q->head + q->n].deadline = deadline;
	q->n++;
}

static int
can_take(const struct sim_agent *a, int64_t now, int ch)
{
	return (a->state == AG_WORKING && !a->break_pending &&
	    now < a->shift_end && (a->skills & (1u << ch)) &&
	    a->load + ch_params[ch].load <= 1.0 + 1e-9);
}

static void
pick_categories(struct sim *s, struct sim_ev *e)
{
	double	u, acc = 0;
	size_t	i, first = 0;

	u = rng_uniform(&s->rng);
	for (i = 0; i < NCATS; i++) {
		acc += cat_weights[i];
		if (u < acc || i == NCATS - 1) {
			first = i;
			break;
		}
	}
	e->cats = (uint8_t)(1u << first);
	if (rng_uniform(&s->rng) < 0.3)
		e->cats |= first == 0 ? 1u << 1 : 1u << 0;
}

static void
flag_message(struct sim *s, int agent, int ch, uint32_t ticket, int64_t ms)
{
	struct sim_ev	*e;
	double		 sev;

	e = ev_add(s, ms, RESPITE_EV_MESSAGE_FLAGGED, agent, ch, ticket);
	sev = 0.5 + 0.5 * pow(rng_uniform(&s->rng), 1.3);
	e->sev100 = (uint8_t)lround(sev * 100);
	pick_categories(s, e);
}

static int
cmp_i64(const void *va, const void *vb)
{
	const int64_t	*a = va, *b = vb;

	return (*a < *b ? -1 : *a > *b);
}

/* The contact's events: assigned, customer messages, flags, handled. */
static void
start_contact(struct sim *s, int agent, int ch, int64_t now)
{
	const struct ch_param	*p = &ch_params[ch];
	struct sim_agent	*a = &s->agents[agent];
	struct sim_ev		*e;
	int64_t			 dur, end, msg[SIM_MAX_MESSAGES];
	uint32_t		 ticket;
	unsigned int		 nmsg, nbad, i, j, pick;
	int			 hostile, bad[SIM_MAX_MESSAGES];
	double			 median;

	ticket = ++s->tickets;
	hostile = rng_uniform(&s->rng) < fmin(0.8, p->hostile *
	    a->hostile_mult);
	median = p->mean_min * 60.0 / exp(p->sigma * p->sigma / 2);
	dur = llround(median * exp(p->sigma * rng_normal(&s->rng)) *
	    (hostile ? 1.3 : 1.0));
	if (dur < SIM_DUR_MIN_S)
		dur = SIM_DUR_MIN_S;
	if (dur > SIM_DUR_MAX_S)
		dur = SIM_DUR_MAX_S;
	end = now + dur * 1000;
	if (!s->open_end && end > s->end - 1000) {	/* cut short */
		dur = (s->end - 1000 - now) / 1000;
		if (dur < 1)
			dur = 1;
		end = now + dur * 1000;
	}
	ev_add(s, now, RESPITE_EV_TICKET_ASSIGNED, agent, ch, ticket);

	/* Customer messages: the first opens the contact. */
	nmsg = 0;
	if (p->msg_every_s == 0)
		nmsg = 1;
	else if (p->msg_every_s > 0)
		nmsg = 1 + rng_poisson(&s->rng, (double)dur / p->msg_every_s);
	if (nmsg > SIM_MAX_MESSAGES)
		nmsg = SIM_MAX_MESSAGES;
	if (dur < 8 && nmsg > 1)
		nmsg = 1;
	if (nmsg > 0) {
		msg[0] = now;
		for (i = 1; i < nmsg; i++)
			msg[i] = now + 1000 + (int64_t)(rng_uniform(&s->rng) *
			    (double)(dur - 4) * 1000);
		qsort(msg, nmsg, sizeof msg[0], cmp_i64);
	}

	/* Hostile messages among them (a caller's: at times in the call). */
	memset(bad, 0, sizeof bad);
	nbad = 0;
	if (hostile) {
		double	u = rng_uniform(&s->rng);

		nbad = u < 0.6 ? 1 : u < 0.9 ? 2 : 3;
		if (nmsg == 0) {
			if (nbad > 2)
				nbad = 2;
			for (i = 0; i < nbad; i++)
				flag_message(s, agent, ch, ticket, now +
				    (int64_t)(rng_uniform(&s->rng) *
				    (double)(dur > 2 ? dur - 2 : 0) * 1000));
		} else {
			if (nbad > nmsg)
				nbad = nmsg;
			for (i = 0; i < nbad; i++) {
				pick = rng_below(&s->rng, nmsg);
				for (j = 0; j < nmsg && bad[pick]; j++)
					pick = (pick + 1) % nmsg;
				bad[pick] = 1;
			}
		}
	}
	for (i = 0; i < nmsg; i++) {
		e = ev_add(s, msg[i], RESPITE_EV_MESSAGE_RECEIVED, agent, ch,
		    ticket);
		if (s->text) {
			const char	*tz = s->teams[a->team].zone;
			double		 de;

			de = strcmp(tz, "Europe/Berlin") == 0 ? 0.8 : 0.1;
			e->lang = rng_uniform(&s->trng) < de;
			e->hostile_text = (uint8_t)bad[i];
			if (bad[i])
				e->text = (int16_t)rng_below(&s->trng, e->lang ?
				    NELEM(text_bad_de) : NELEM(text_bad_en));
			else
				e->text = (int16_t)rng_below(&s->trng, e->lang ?
				    NELEM(text_ok_de) : NELEM(text_ok_en));
		}
		if (bad[i])
			flag_message(s, agent, ch, ticket, msg[i] + 1000);
	}
	e = ev_add(s, end, RESPITE_EV_TICKET_HANDLED, agent, ch, ticket);
	e->dur_s = (uint16_t)dur;

	a->load += p->load;
	a->nopen++;
	heap_push(s, end, IT_CONTACT_END, agent, ch);
}

/* A free agent takes the longest-waiting contacts it can. */
static void
pull_work(struct sim *s, int agent, int64_t now)
{
	struct sim_agent	*a = &s->agents[agent];
	struct sim_team		*t = &s->teams[a->team];
	struct queue		*q;
	int			 c, best;
	int64_t			 oldest;

	for (;;) {
		best = -1;
		oldest = INT64_MAX;
		for (c = 0; c < NCH; c++) {
			if (!can_take(a, now, c))
				continue;
			q = &t->q[c];
			while (q->n > 0 && q->w[q->head].deadline < now) {
				q->head++;
				q->n--;
				s->abandoned++;
			}
			if (q->n > 0 && q->w[q->head].arrival < oldest) {
				oldest = q->w[q->head].arrival;
				best = c;
			}
		}
		if (best < 0)
			return;
		q = &t->q[best];
		q->head++;
		q->n--;
		start_contact(s, agent, best, now);
	}
}

/* An arriving contact goes to the best free agent, or waits. */
static void
arrive(struct sim *s, int team, int ch, int64_t now)
{
	struct sim_team		*t = &s->teams[team];
	struct sim_agent	*a, *b;
	const struct ch_param	*p = &ch_params[ch];
	double			 accept;
	int64_t			 next, deadline;
	int			 i, best = -1;

	next = now + (int64_t)ceil(rng_exp(&s->rng, 1.0 / t->rate_max[ch]));
	if (next < s->end)
		heap_push(s, next, IT_ARRIVAL, team, ch);

	/* Thinning: the daily curve and the staff on shift. */
	accept = (double)staffed(s, t, now) / (t->hi - t->lo) *
	    curve_at(s, t, now) / t->curve_max;
	if (rng_uniform(&s->rng) >= accept)
		return;

	/*
	 * The least loaded agent; among equals, one who never pauses (they
	 * grab the next contact at once), then the one idle longest.
	 */
	for (i = t->lo; i < t->hi; i++) {
		a = &s->agents[i];
		if (!can_take(a, now, ch))
			continue;
		if (best >= 0) {
			b = &s->agents[best];
			if (a->load > b->load)
				continue;
			if (a->load == b->load) {
				if (b->never_pause && !a->never_pause)
					continue;
				if (b->never_pause == a->never_pause &&
				    a->last_free >= b->last_free)
					continue;
			}
		}
		best = i;
	}
	if (best >= 0) {
		start_contact(s, best, ch, now);
		return;
	}
	deadline = p->patience_min > 0 ? now + (int64_t)(rng_exp(&s->rng,
	    p->patience_min) * MS_PER_MIN) : INT64_MAX;
	queue_push(&t->q[ch], now, deadline);
}

static void
logout(struct sim *s, int agent, int64_t now)
{
	ev_add(s, now, RESPITE_EV_AGENT_LOGOUT, agent, RESPITE_CH_NONE, 0);
	s->agents[agent].state = AG_DONE;
}

static void
begin_break(struct sim *s, int agent, int64_t now)
{
	struct sim_agent	*a = &s->agents[agent];

	a->break_pending = 0;
	if (now + a->pending_len > a->shift_end - 2 * MS_PER_MIN) {
		pull_work(s, agent, now);	/* too late: skipped */
		return;
	}
	ev_add(s, now, RESPITE_EV_BREAK_START, agent, RESPITE_CH_NONE, 0);
	a->state = AG_BREAK;
	heap_push(s, now + a->pending_len, IT_BREAK_END, agent, 0);
}

static void
step(struct sim *s, const struct sim_item *it)
{
	struct sim_agent	*a = &s->agents[it->who];
	int			 i;

	switch ((enum item_kind)it->kind) {
	case IT_ARRIVAL:
		arrive(s, it->who, it->ch, it->ms);
		break;
	case IT_SHIFT_START:
		ev_add(s, it->ms, RESPITE_EV_AGENT_LOGIN, it->who,
		    RESPITE_CH_NONE, 0);
		a->state = AG_WORKING;
		a->last_free = it->ms;
		for (i = 0; i < a->nbreaks; i++)
			heap_push(s, a->breaks[i].at, IT_BREAK_DUE, it->who, i);
		heap_push(s, a->shift_end, IT_SHIFT_END, it->who, 0);
		pull_work(s, it->who, it->ms);
		break;
	case IT_CONTACT_END:
		a->load -= ch_params[it->ch].load;
		if (--a->nopen == 0) {
			a->load = 0;
			a->last_free = it->ms;
		}
		if (a->state != AG_WORKING)
			break;
		if (it->ms >= a->shift_end) {
			if (a->nopen == 0)
				logout(s, it->who, it->ms);
		} else if (a->break_pending) {
			if (a->nopen == 0)
				begin_break(s, it->who, it->ms);
		} else
			pull_work(s, it->who, it->ms);
		break;
	case IT_BREAK_DUE:
		if (a->state != AG_WORKING || it->ms >= a->shift_end)
			break;
		a->break_pending = 1;
		a->pending_len = a->breaks[it->ch].len;
		if (a->nopen == 0)
			begin_break(s, it->who, it->ms);
		break;
	case IT_BREAK_END:
		ev_add(s, it->ms, RESPITE_EV_BREAK_END, it->who,
		    RESPITE_CH_NONE, 0);
		a->state = AG_WORKING;
		a->last_free = it->ms;
		pull_work(s, it->who, it->ms);
		break;
	case IT_SHIFT_END:
		a->break_pending = 0;
		if (a->state == AG_WORKING && a->nopen == 0)
			logout(s, it->who, it->ms);
		break;
	}
}

static void
sim_run(struct sim *s)
{
	struct sim_item	it;
	int		i, k, c;

	for (i = 0; i < s->nagents; i++)
		heap_push(s, s->agents[i].shift_start, IT_SHIFT_START, i, 0);
	for (k = 0; k < s->nteams; k++)
		for (c = 0; c < NCH; c++)
			if (s->teams[k].rate_max[c] > 0)
				heap_push(s, s->start + (int64_t)ceil(rng_exp(
				    &s->rng, 1.0 / s->teams[k].rate_max[c])),
				    IT_ARRIVAL, k, c);
	while (s->nheap > 0) {
		it = heap_pop(s);
		step(s, &it);
	}
}

static void
sim_free(struct sim *s)
{
	int	k, c;

	for (k = 0; k < s->nteams; k++) {
		free(s->teams[k].offset_min);
		for (c = 0; c < NCH; c++)
			free(s->teams[k].q[c].w);
	}
	free(s->teams);
	free(s->agents);
	free(s->ev);
	free(s->heap);
}

/* ---------------------------------------------------------------- command */

static const struct option sim_longopts[] = {
	{ "agents", required_argument, NULL, 'a' },
	{ "teams", required_argument, NULL, 't' },
	{ "hours", required_argument, NULL, 'H' },
	{ "seed", required_argument, NULL, 's' },
	{ "start", required_argument, NULL, 'S' },
	{ "tz-spread", no_argument, NULL, 'z' },
	{ "text", no_argument, NULL, 'x' },
	{ "open-end", no_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
simulate_exec(int argc, char **argv)
{
	struct sim	 s;
	long long	 v;
	const char	*start_arg = NULL;
	char		 from[TIME_RFC3339_LEN], to[TIME_RFC3339_LEN];
	char		**team_names;
	uint64_t	 counts[RESPITE_EV_COUNT];
	size_t		 i;
	int		 ch, k, never = 0;
	char		*end;
	int64_t		 now, span;

	memset(&s, 0, sizeof s);
	s.nagents = 20;
	s.nteams = 2;
	s.hours = 8;
	s.seed = 1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", sim_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (ctl_parse_long(optarg, 1, SIM_MAX_AGENTS, &v) == -1) {
				ctl_warnx("--agents: a whole number from 1 to "
				    "%d, not \"%s\"", SIM_MAX_AGENTS, optarg);
				return (CTL_EXIT_USAGE);
			}
			s.nagents = (int)v;
			break;
		case 't':
			if (ctl_parse_long(optarg, 1, SIM_MAX_TEAMS, &v) == -1) {
				ctl_warnx("--teams: a whole number from 1 to "
				    "%d, not \"%s\"", SIM_MAX_TEAMS, optarg);
				return (CTL_EXIT_USAGE);
			}
			s.nteams = (int)v;
			break;
		case 'H':
			if (ctl_parse_double(optarg, 0.01, SIM_MAX_HOURS,
			    &s.hours) == -1) {
				ctl_warnx("--hours: a number from 0.01 to %g, "
				    "not \"%s\"", SIM_MAX_HOURS, optarg);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 's':
			errno = 0;
			s.seed = strtoull(optarg, &end, 10);
			if (*optarg == '\0' || *optarg == '-' || *end != '\0' ||
			    errno != 0) {
				ctl_warnx("--seed: a whole number from 0 to "
				    "2^64-1, not \"%s\"", optarg);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 'S':
			start_arg = optarg;
			break;
		case 'z':
			s.tz_spread = 1;
			break;
		case 'x':
			s.text = 1;
			break;
		case 'o':
			s.open_end = 1;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_simulate_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_simulate_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if (optind != argc) {
		ctl_warnx("simulate: unexpected argument \"%s\"", argv[optind]);
		ctl_usage_cmd(&ctl_simulate_cmd, CTL_EXIT_USAGE);
	}
	if (s.nteams > s.nagents) {
		ctl_warnx("--teams %d: more teams than agents (%d)", s.nteams,
		    s.nagents);
		return (CTL_EXIT_USAGE);
	}
	if (s.nagents * s.hours > SIM_MAX_AGENT_HOURS) {
		ctl_warnx("%d agents x %g hours is more than %g agent-hours",
		    s.nagents, s.hours, SIM_MAX_AGENT_HOURS);
		return (CTL_EXIT_USAGE);
	}
	span = llround(s.hours * MS_PER_HOUR);
	now = time_now_ms();
	if (start_arg != NULL) {
		if (time_parse_rfc3339(start_arg, &s.start) == -1 ||
		    s.start < 0) {
			ctl_warnx("--start: an RFC 3339 time after 1970 "
			    "(2026-11-23T08:00:00Z), not \"%s\"", start_arg);
			return (CTL_EXIT_USAGE);
		}
		s.end = s.start + span;
		if (s.end > now)
			ctl_warnx("warning: the shift ends in the future; "
			    "respited refuses events more than max_clock_skew "
			    "ahead of its clock");
	} else {
		/* End at the start of this hour: every event in the past. */
		s.end = now / MS_PER_HOUR * MS_PER_HOUR;
		s.start = s.end - span;
	}

	sim_setup(&s);
	sim_run(&s);
	qsort(s.ev, s.nev, sizeof *s.ev, ev_cmp);

	team_names = xcalloc(s.nteams, sizeof *team_names);
	for (k = 0; k < s.nteams; k++) {
		team_names[k] = xmalloc(16);
		team_name(k, team_names[k], 16);
	}
	/* --open-end: what happens after the window is not written. */
	while (s.nev > 0 && s.ev[s.nev - 1].ms >= s.end)
		s.nev--;
	memset(counts, 0, sizeof counts);
	for (i = 0; i < s.nev; i++) {
		put_event(stdout, &s, &s.ev[i], (uint64_t)i + 1, team_names);
		counts[s.ev[i].type]++;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_warn("writing the events");
		for (k = 0; k < s.nteams; k++)
			free(team_names[k]);
		free(team_names);
		sim_free(&s);
		return (CTL_EXIT_FAIL);
	}

	for (k = 0; k < s.nagents; k++)
		never += s.agents[k].never_pause;
	time_format_rfc3339(s.start, from, sizeof from);
	time_format_rfc3339(s.end, to, sizeof to);
	fprintf(stderr, "respitectl: simulated %zu events, %d agents, %d teams,"
	    " %g h (%s to %s), seed %" PRIu64 ":", s.nev, s.nagents, s.nteams,
	    s.hours, from, to, s.seed);
	for (k = RESPITE_EV_NONE + 1; k < RESPITE_EV_COUNT; k++)
		fprintf(stderr, " %s=%" PRIu64, event_type_name(k), counts[k]);
	fprintf(stderr, "; %d never pause; %" PRIu64 " contacts abandoned\n",
	    never, s.abandoned);

	for (k = 0; k < s.nteams; k++)
		free(team_names[k]);
	free(team_names);
	sim_free(&s);
	return (CTL_EXIT_OK);
}

const struct ctl_cmd ctl_simulate_cmd = {
	"simulate",
	"[--agents N] [--teams T] [--hours H] [--seed S] [--start TIME]\n"
	"           [--tz-spread] [--text] [--open-end]",
	"Write a synthetic contact-center shift as NDJSON events to stdout.",
	"  --agents N    agents, agent-001 ... (default 20, at most 10000)\n"
	"  --teams T     teams, team-a ... (default 2; agents split evenly)\n"
	"  --hours H     length of the window in hours, at most 24 (default 8)\n"
	"  --seed S      random seed (default 1); the same seed and start give\n"
	"                the same bytes\n"
	"  --start TIME  start, RFC 3339 (default: the shift ends at the start\n"
	"                of the current hour, so every event lies in the past)\n"
	"  --tz-spread   remote teams: half the agents log in from other time\n"
	"                zones than their team's\n"
	"  --text        give customer messages a short English or German text\n"
	"                (neutral, or hostile where the message is flagged)\n"
	"  --open-end    the shift goes on after the window: agents stay logged\n"
	"                in, contacts in hand stay open (a live floor, for demos)\n"
	"A summary with the events by type goes to stderr.\n",
	simulate_exec
};
