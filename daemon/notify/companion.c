/*
 * respite-notify - what the agent sees, and when.
 *
 * The agent's suggestions, status and level come from three places: the
 * fetch (GET /v1/agents/ID, then GET /v1/suggestions?agent=ID&status=open)
 * made each time the stream is (again) open, the stream, and the replies
 * to our own answers.  Subscribing first and fetching second leaves no gap
 * in which a change could be missed: whatever happens after the fetch
 * read the store is on the stream.  They may arrive in any order (a fetch reply can
 * be older than a stream item that overtook it), so every suggestion
 * state carries a version that only grows: open (0), snoozed once (2),
 * open again (3), snoozed twice (4), open again (5), answered or expired
 * (for ever).  Older news is ignored.  A popup is shown when a
 * suggestion is open at a version not shown yet, so a replay after a
 * reconnection, a fetch repeating the stream or a reply repeating both
 * never shows anything twice; a snoozed suggestion that reopens is a new
 * version and shows again, as it should.
 *
 * Quiet time: while the agent is on a break or offline (or not known to
 * respited yet) no suggestion is shown; one on screen is withdrawn, and
 * comes back when the agent is at work again if it is still open.  Our
 * own countdown is the exception: it is the break.
 *
 * Start break (accept) makes respited start the break; once the agent is
 * on_break a quiet countdown runs (updated each minute), and at its end
 * we post the end of the break and say "Welcome back".  The countdown
 * also starts when the agent accepts from elsewhere (respitectl), and
 * stops without a word when the break ends elsewhere.
 *
 * Nothing here blocks: requests are asynchronous (client.c), popups are
 * posted to the presenter thread (popup.c).
 */
#include "build.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "client.h"
#include "companion.h"
#include "log.h"
#include "nlog.h"
#include "ntext.h"
#include "popup.h"

#define SNOOZE_MINUTES		10	/* "Snooze 10 min" */
#define SNOOZE_MAX_TIMES	2	/* without "snoozes_left": the default */
#define ANSWER_TRIES		4
#define BREAK_END_TRIES		6
#define PENDING_BREAK_S		10	/* accept -> on_break at most this */
#define FETCH_RETRY_S		5
#define PRUNE_EVERY_S		600
#define PRUNE_AFTER_US		(G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)

#define ICON_BREAK		"appointment-soon"
#define ICON_WELCOME		"face-smile"
#define ICON_LEVEL		"dialog-information"
#define ICON_WELLBEING		"dialog-information"

#define KEY_COUNTDOWN		"countdown"
#define KEY_WELCOME		"welcome"
#define KEY_LEVEL		"level"

enum agent_status { ST_UNKNOWN, ST_OFFLINE, ST_WORKING, ST_ON_BREAK };

enum sugg_status {
	SS_OPEN, SS_SNOOZED, SS_ACCEPTED, SS_DISMISSED, SS_EXPIRED, SS_OTHER
};

struct csugg {
	char			 id[32];
	char			 kind[32];
	char			 priority[16];
	char			 reason[256];
	int			 minutes;
	int			 snoozes;
	int			 snoozes_left;	/* as respited says: 0 no Snooze */
	enum sugg_status	 status;
	int			 version;
	int			 shown_version;	/* -1: not on screen at all */
	int			 up;		/* we believe it is on screen */
	int			 answering;	/* a POST in flight */
	int			 tries;
	char			 action[16];	/* the answer being sent */
	guint			 retry_src;
	int			 once;		/* one of --once's to answer */
	gint64			 final_at;	/* monotonic, when answered */
};

struct comp {
	struct comp_opts	 o;
	char			*agent;
	struct comp_cbs		 cbs;
	struct client		*client;
	struct popup		*popup;
	struct popup_caps	 caps;

	GHashTable		*suggs;		/* id -> struct csugg */
	enum agent_status	 status;
	int			 ready;		/* the first fetch is done */
	int			 fetching;
	int			 refetch;
	guint			 fetch_retry_src;
	int			 once_started;
	int			 once_shown;	/* popups --once put up */
	guint			 prune_src;

	/* The break's countdown. */
	int			 cd_active;
	int			 cd_hidden;	/* the agent closed it */
	int			 cd_minutes;
	int			 cd_left;
	gint64			 cd_end;	/* monotonic, us */
	guint			 cd_src;
	/* An accepted break waiting for the agent to be on_break. */
	int			 pb_minutes;
	guint			 pb_src;
	/* POST .../break {"action": "end"} */
	int			 be_tries;
	guint			 be_src;
	int			 be_inflight;
};

/* A request's context: which suggestion, freed by client.c. */
struct creq {
	struct comp	*c;
	char		 id[32];
};

static void	refresh(struct comp *, struct csugg *);
static void	refresh_all(struct comp *);
static void	maybe_done(struct comp *);
static void	fetch(struct comp *);
static void	break_end_send(struct comp *);

/* ------------------------------------------------------------ helpers */

static const char *
jstr(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

static int
jint(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return (json_is_integer(v) ? (int)json_integer_value(v) : 0);
}

static enum sugg_status
status_parse(const char *s)
{
	if (s == NULL)
		return (SS_OTHER);
	if (strcmp(s, "open") == 0)
		return (SS_OPEN);
	if (strcmp(s, "snoozed") == 0)
		return (SS_SNOOZED);
	if (strcmp(s, "accepted") == 0)
		return (SS_ACCEPTED);
	if (strcmp(s, "dismissed") == 0)
		return (SS_DISMISSED);
	if (strcmp(s, "expired") == 0)
		return (SS_EXPIRED);
	return (SS_OTHER);
}

static const char *
status_name(enum sugg_status st)
{
	static const char *const names[] = { "open", "snoozed", "accepted",
	    "dismissed", "expired", "unknown" };

	return (names[st]);
}

/* The order of a suggestion's states (see the top of this file). */
static int
version_of(enum sugg_status st, int snoozes)
{
	if (st == SS_OPEN)
		return (snoozes == 0 ? 0 : 2 * snoozes + 1);
	if (st == SS_SNOOZED)
		return (2 * snoozes);
	return (INT_MAX);
}

static enum agent_status
agent_status_parse(const char *s)
{
	if (s == NULL)
		return (ST_UNKNOWN);
	if (strcmp(s, "working") == 0)
		return (ST_WORKING);
	if (strcmp(s, "on_break") == 0)
		return (ST_ON_BREAK);
	if (strcmp(s, "offline") == 0)
		return (ST_OFFLINE);
	return (ST_UNKNOWN);
}

static const char *
agent_status_name(enum agent_status st)
{
	static const char *const names[] = { "not known", "offline",
	    "working", "on a break" };

	return (names[st]);
}

static int
level_rank(const char *level)
{
	if (level == NULL)
		return (-1);
	if (strcmp(level, "ok") == 0)
		return (0);
	if (strcmp(level, "elevated") == 0)
		return (1);
	if (strcmp(level, "high") == 0)
		return (2);
	if (strcmp(level, "critical") == 0)
		return (3);
	return (-1);
}

/* Quiet time: nothing pops up unless the agent is at work. */
static int
quiet(const struct comp *c)
{
	return (c->status != ST_WORKING);
}

static struct creq *
creq_new(struct comp *c, const char *id)
{
	struct creq	*r = g_new0(struct creq, 1);

	r->c = c;
	g_strlcpy(r->id, id != NULL ? id : "", sizeof r->id);
	return (r);
}

/* Runs when client.c is done with a request, perhaps after comp_free(). */
static void
creq_free(void *arg)
{
	g_free(arg);
}

/* A body for this server: escaped if it reads markup. */
static void
body_for_server(const struct comp *c, char *out, size_t len, const char *text)
{
	if (c->caps.body_markup)
		ntext_escape_markup(out, len, text);
	else
		g_strlcpy(out, text, len);
}

/*
 * A wellbeing_check (to the agent in aggregate privacy mode) is a
 * question about the last weeks, not a break: none of the break's
 * buttons, and accepting it starts nothing.
 */
static int
is_wellbeing(const struct csugg *s)
{
	return (strcmp(s->kind, "wellbeing_check") == 0);
}

/* ------------------------------------------------------------ popups */

static void
show_wellbeing(struct comp *c, struct csugg *s)
{
	struct popup_content	 pc;
	char			 summary[NTEXT_MAX], text[NTEXT_MAX];
	char			 body[NTEXT_MAX * 2];

	memset(&pc, 0, sizeof pc);
	ntext_wellbeing(summary, sizeof summary, text, sizeof text, s->reason,
	    s->id, c->caps.actions);
	body_for_server(c, body, sizeof body, text);
	pc.summary = summary;
	pc.body = body;
	pc.icon = ICON_WELLBEING;
	pc.category = "x-respite.wellbeing";
	pc.urgency = POPUP_NORMAL;
	pc.timeout_ms = 0;	/* it waits to be read */
	pc.id_hint = s->id;
	if (c->caps.actions) {
		pc.actions[0].id = "ok";
		pc.actions[0].label = ntext_label(NL_OK);
		pc.nactions = 1;
	}
	log_info("showing %s (%s)", s->id, s->kind);
	popup_show(c->popup, s->id, &pc);
	if (s->once)
		c->once_shown++;
}

static void
show_suggestion(struct comp *c, struct csugg *s)
{
	struct popup_content	 pc;
	char			 summary[NTEXT_MAX], text[NTEXT_MAX];
	char			 body[NTEXT_MAX * 2];
	int			 can_snooze = s->snoozes_left > 0;

	if (is_wellbeing(s)) {
		show_wellbeing(c, s);
		return;
	}
	memset(&pc, 0, sizeof pc);
	ntext_summary(summary, sizeof summary, s->minutes);
	ntext_body(text, sizeof text, s->kind, s->reason, s->id,
	    c->caps.actions, can_snooze);
	body_for_server(c, body, sizeof body, text);
	pc.summary = summary;
	pc.body = body;
	pc.icon = ICON_BREAK;
	pc.category = "x-respite.break";
	/* Calm by default: only an urgent suggestion insists. */
	pc.urgency = strcmp(s->priority, "urgent") == 0 ? POPUP_CRITICAL :
	    POPUP_NORMAL;
	pc.timeout_ms = 0;	/* it waits for an answer */
	pc.id_hint = s->id;
	if (c->caps.actions) {
		pc.actions[pc.nactions].id = "start";
		pc.actions[pc.nactions++].label = ntext_label(NL_START);
		if (can_snooze) {
			pc.actions[pc.nactions].id = "snooze";
			pc.actions[pc.nactions++].label =
			    ntext_label(NL_SNOOZE);
		}
		pc.actions[pc.nactions].id = "dismiss";
		pc.actions[pc.nactions++].label = ntext_label(NL_DISMISS);
	}
	log_info("showing %s (%s, %d min, priority %s%s)", s->id, s->kind,
	    s->minutes, s->priority, s->snoozes > 0 ? ", after a snooze" : "");
	popup_show(c->popup, s->id, &pc);
	if (s->once)
		c->once_shown++;
}

static void
show_countdown(struct comp *c)
{
	struct popup_content	 pc;
	GDateTime		*now, *back;
	char			 summary[NTEXT_MAX], body[NTEXT_MAX];
	char			*hhmm;

	memset(&pc, 0, sizeof pc);
	ntext_countdown(summary, sizeof summary, c->cd_left);
	now = g_date_time_new_now_local();
	back = g_date_time_add(now, c->cd_end - g_get_monotonic_time());
	hhmm = g_date_time_format(back, "%H:%M");
	ntext_countdown_body(body, sizeof body, hhmm);
	g_free(hhmm);
	g_date_time_unref(back);
	g_date_time_unref(now);
	pc.summary = summary;
	pc.body = body;
	pc.icon = ICON_BREAK;
	pc.category = "x-respite.countdown";
	pc.urgency = POPUP_LOW;
	pc.timeout_ms = 0;
	pc.transient = 1;
	pc.silent = 1;
	if (c->caps.actions) {
		pc.actions[0].id = "end";
		pc.actions[0].label = ntext_label(NL_END_BREAK);
		pc.nactions = 1;
	}
	popup_show(c->popup, KEY_COUNTDOWN, &pc);
}

static void
show_welcome(struct comp *c, int minutes)
{
	struct popup_content	pc;
	char			summary[NTEXT_MAX], body[NTEXT_MAX];

	memset(&pc, 0, sizeof pc);
	ntext_welcome(summary, sizeof summary, body, sizeof body, minutes);
	pc.summary = summary;
	pc.body = body;
	pc.icon = ICON_WELCOME;
	pc.category = "x-respite.welcome";
	pc.urgency = POPUP_LOW;
	pc.timeout_ms = -1;
	pc.silent = 1;
	popup_show(c->popup, KEY_WELCOME, &pc);
}

/* ------------------------------------------------------------ --once */

/* --once: stop when nothing of ours waits for the agent any more. */
static void
maybe_done(struct comp *c)
{
	GHashTableIter	 it;
	gpointer	 v;

	if (!c->o.once || !c->once_started)
		return;
	g_hash_table_iter_init(&it, c->suggs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct csugg	*s = v;

		if (s->once && (s->up || s->answering || s->retry_src != 0))
			return;
	}
	if (c->cd_active || c->pb_minutes > 0 || c->be_inflight ||
	    c->be_src != 0)
		return;
	if (c->once_shown == 0)
		log_info("--once: nothing to show (agent %s is %s, no open "
		    "suggestion shown)", c->agent, agent_status_name(c->status));
	else
		log_info("--once: every suggestion shown is answered or "
		    "closed");
	c->cbs.quit(0, c->cbs.arg);
}

/* ------------------------------------------------------------ the break */

static void	cd_tick(struct comp *);

static gboolean
cd_tick_cb(gpointer arg)
{
	struct comp	*c = arg;

	c->cd_src = 0;
	cd_tick(c);
	return (G_SOURCE_REMOVE);
}

static void
cd_stop(struct comp *c)
{
	if (c->cd_src != 0)
		g_source_remove(c->cd_src);
	c->cd_src = 0;
	if (c->cd_active && !c->cd_hidden)
		popup_close(c->popup, KEY_COUNTDOWN);
	c->cd_active = 0;
	c->cd_hidden = 0;
}

/* The break is over (natural: its time ran out, else "End break now"). */
static void
cd_finish(struct comp *c, int natural)
{
	int	minutes = c->cd_minutes;

	cd_stop(c);
	log_info("break over (%s); telling respited", natural ?
	    "its time ran out" : "ended early by the agent");
	c->be_tries = 0;
	break_end_send(c);
	if (natural)
		show_welcome(c, minutes);
	maybe_done(c);
}

static void
cd_tick(struct comp *c)
{
	gint64	minute_us = (gint64)c->o.minute_ms * 1000;
	gint64	left_us = c->cd_end - g_get_monotonic_time();
	gint64	next_us;
	int	left;

	if (left_us <= 0) {
		cd_finish(c, 1);
		return;
	}
	left = (int)((left_us + minute_us - 1) / minute_us);
	if (left != c->cd_left) {
		c->cd_left = left;
		if (!c->cd_hidden)
			show_countdown(c);
	}
	/* Wake at the next whole minute of the countdown. */
	next_us = left_us - (gint64)(left - 1) * minute_us;
	c->cd_src = g_timeout_add((guint)(next_us / 1000 + 1), cd_tick_cb, c);
}

static void
pb_clear(struct comp *c)
{
	if (c->pb_src != 0)
		g_source_remove(c->pb_src);
	c->pb_src = 0;
	c->pb_minutes = 0;
}

static void
cd_start(struct comp *c, int minutes)
{
	pb_clear(c);
	cd_stop(c);
	if (minutes <= 0)
		minutes = 5;
	c->cd_active = 1;
	c->cd_minutes = minutes;
	c->cd_left = -1;
	c->cd_end = g_get_monotonic_time() +
	    (gint64)minutes * c->o.minute_ms * 1000;
	log_info("break started: %d minutes", minutes);
	cd_tick(c);
}

static gboolean
pb_expire_cb(gpointer arg)
{
	struct comp	*c = arg;

	c->pb_src = 0;
	log_info("the accepted break did not start (agent %s is %s)",
	    c->agent, agent_status_name(c->status));
	c->pb_minutes = 0;
	maybe_done(c);
	return (G_SOURCE_REMOVE);
}

/* Suggestion s was accepted: its break starts once the agent is on_break. */
static void
break_accepted(struct comp *c, struct csugg *s)
{
	if (c->status == ST_ON_BREAK) {
		cd_start(c, s->minutes);
		return;
	}
	pb_clear(c);
	c->pb_minutes = s->minutes > 0 ? s->minutes : 5;
	c->pb_src = g_timeout_add_seconds(PENDING_BREAK_S, pb_expire_cb, c);
}

static gboolean
break_end_retry_cb(gpointer arg)
{
	struct comp	*c = arg;

	c->be_src = 0;
	break_end_send(c);
	return (G_SOURCE_REMOVE);
}

static void
break_end_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct creq	*r = arg;
	struct comp	*c = r->c;

	c->be_inflight = 0;
	if (status == 200) {
		log_debug("respited took the end of the break");
		(void)body;
	} else if (status == 409)
		log_debug("the break had already ended: %s", msg);
	else if ((status == 0 || status >= 500) &&
	    ++c->be_tries < BREAK_END_TRIES) {
		log_warnx("could not end the break on respited (%s); trying "
		    "again in %d s", msg, 1 << c->be_tries);
		c->be_src = g_timeout_add_seconds(1u << c->be_tries,
		    break_end_retry_cb, c);
	} else
		log_warnx("could not end the break on respited: %s",
		    msg != NULL ? msg : "no reply");
	maybe_done(c);
}

static void
break_end_send(struct comp *c)
{
	char	*path;

	c->be_inflight = 1;
	path = g_strdup_printf("/v1/agents/%s/break", c->agent);
	client_request(c->client, "POST", path, json_pack("{s:s}", "action",
	    "end"), break_end_cb, creq_new(c, NULL), creq_free);
	g_free(path);
}

/* ------------------------------------------------------------ state */

static void
apply_status(struct comp *c, enum agent_status st)
{
	enum agent_status	prev = c->status;

	if (st == prev)
		return;
	c->status = st;
	log_info("agent %s is %s", c->agent, agent_status_name(st));
	if (st == ST_ON_BREAK && c->pb_minutes > 0)
		cd_start(c, c->pb_minutes);
	else if (st != ST_ON_BREAK && c->cd_active) {
		log_info("the break ended elsewhere; countdown stopped");
		cd_stop(c);
	}
	refresh_all(c);
}

/*
 * Decide whether s should be on screen, and make it so.  Shows a
 * suggestion once per version; withdraws it when it is answered,
 * expired, snoozed or quiet time begins.
 */
static void
refresh(struct comp *c, struct csugg *s)
{
	int	want;

	want = c->ready && s->status == SS_OPEN && !quiet(c) &&
	    (!c->o.once || s->once);
	if (want) {
		if (s->shown_version == s->version)
			return;
		show_suggestion(c, s);
		s->shown_version = s->version;
		s->up = 1;
		return;
	}
	if (!s->up)
		return;
	popup_close(c->popup, s->id);
	s->up = 0;
	if (s->status == SS_OPEN) {
		/* Hidden by quiet time: back when the agent is at work. */
		s->shown_version = -1;
		log_info("%s withdrawn for now: agent %s is %s", s->id,
		    c->agent, agent_status_name(c->status));
	} else
		log_info("%s closed: %s", s->id, status_name(s->status));
}

static void
refresh_all(struct comp *c)
{
	GHashTableIter	 it;
	gpointer	 v;

	g_hash_table_iter_init(&it, c->suggs);
	while (g_hash_table_iter_next(&it, NULL, &v))
		refresh(c, v);
	maybe_done(c);
}

/* A suggestion object from anywhere (o borrowed). */
static void
apply_suggestion(struct comp *c, json_t *o)
{
	struct csugg		*s;
	const char		*id, *agent, *audience;
	enum sugg_status	 st, prev;
	int			 v, known;

	id = jstr(o, "id");
	agent = jstr(o, "agent");
	audience = jstr(o, "audience");
	if (id == NULL || strlen(id) >= sizeof s->id || agent == NULL ||
	    strcmp(agent, c->agent) != 0 ||
	    (audience != NULL && strcmp(audience, "agent") != 0))
		return;
	st = status_parse(jstr(o, "status"));
	if (st == SS_OTHER)
		return;
	v = version_of(st, jint(o, "snoozes"));
	if ((s = g_hash_table_lookup(c->suggs, id)) == NULL) {
		s = g_new0(struct csugg, 1);
		g_strlcpy(s->id, id, sizeof s->id);
		s->shown_version = -1;
		s->version = -1;
		g_hash_table_insert(c->suggs, s->id, s);
		known = 0;
	} else
		known = 1;
	if (v <= s->version)
		return;		/* old news, or news we have */
	prev = s->status;
	g_strlcpy(s->kind, jstr(o, "kind") != NULL ? jstr(o, "kind") : "",
	    sizeof s->kind);
	g_strlcpy(s->priority, jstr(o, "priority") != NULL ?
	    jstr(o, "priority") : "normal", sizeof s->priority);
	g_strlcpy(s->reason, jstr(o, "reason") != NULL ? jstr(o, "reason") :
	    "", sizeof s->reason);
	s->minutes = jint(o, "minutes");
	s->snoozes = jint(o, "snoozes");
	/* respited's snooze_max_times; an older respited's is the default. */
	s->snoozes_left = json_object_get(o, "snoozes_left") != NULL ?
	    jint(o, "snoozes_left") : SNOOZE_MAX_TIMES - s->snoozes;
	if (s->snoozes_left < 0)
		s->snoozes_left = 0;
	s->status = st;
	s->version = v;
	if (v == INT_MAX)
		s->final_at = g_get_monotonic_time();
	/*
	 * A suggestion we knew open that is now accepted starts a break
	 * (ours or the agent's from elsewhere); one we only hear of as
	 * accepted (an old item in a replay) does not.
	 */
	if (st == SS_ACCEPTED && known && prev != SS_ACCEPTED &&
	    !is_wellbeing(s))
		break_accepted(c, s);
	refresh(c, s);
}

static void
apply_level(struct comp *c, json_t *o)
{
	struct popup_content	 pc;
	const char		*level = jstr(o, "level");
	char			 summary[NTEXT_MAX], text[NTEXT_MAX];
	char			 body[NTEXT_MAX * 2];
	int			 rank = level_rank(level);
	int			 prev = level_rank(jstr(o, "previous"));

	if (!c->o.level_notices || rank < 2 || rank <= prev || quiet(c) ||
	    !c->ready)
		return;
	ntext_level(summary, sizeof summary, text, sizeof text, level,
	    jint(o, "strain"));
	body_for_server(c, body, sizeof body, text);
	memset(&pc, 0, sizeof pc);
	pc.summary = summary;
	pc.body = body;
	pc.icon = ICON_LEVEL;
	pc.category = "x-respite.level";
	pc.urgency = POPUP_LOW;
	pc.timeout_ms = -1;
	pc.silent = 1;
	log_info("level notice: %s", level);
	popup_show(c->popup, KEY_LEVEL, &pc);
}

/* ------------------------------------------------------------ fetching */

static gboolean
fetch_retry_cb(gpointer arg)
{
	struct comp	*c = arg;

	c->fetch_retry_src = 0;
	fetch(c);
	return (G_SOURCE_REMOVE);
}

static void
fetch_failed(struct comp *c, const char *what, int status, const char *msg)
{
	c->fetching = 0;
	if (status == 401 || status == 403) {
		log_warnx("respited refused %s: %s", what, msg);
		c->cbs.quit(NOTIFY_EX_NOPERM, c->cbs.arg);
		return;
	}
	if (c->o.once && !c->ready) {
		log_warnx("cannot read %s from respited: %s", what,
		    msg != NULL ? msg : "no reply");
		c->cbs.quit(NOTIFY_EX_UNAVAILABLE, c->cbs.arg);
		return;
	}
	log_warnx("cannot read %s from respited (%s); trying again in %d s",
	    what, msg != NULL ? msg : "no reply", FETCH_RETRY_S);
	if (c->fetch_retry_src == 0)
		c->fetch_retry_src = g_timeout_add_seconds(FETCH_RETRY_S,
		    fetch_retry_cb, c);
}

static void
list_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct creq	*r = arg;
	struct comp	*c = r->c;
	json_t		*arr, *o;
	size_t		 i;
	int		 first = !c->ready;

	if (status != 200) {
		fetch_failed(c, "the open suggestions", status, msg);
		return;
	}
	arr = json_object_get(body, "suggestions");
	c->ready = 1;
	json_array_foreach(arr, i, o) {
		if (c->o.once && first) {
			struct csugg	*s;

			apply_suggestion(c, o);
			if ((s = g_hash_table_lookup(c->suggs,
			    jstr(o, "id") != NULL ? jstr(o, "id") : "")) !=
			    NULL && s->status == SS_OPEN) {
				s->once = 1;
				refresh(c, s);
			}
		} else
			apply_suggestion(c, o);
	}
	log_debug("%zu open suggestion(s) for agent %s",
	    json_array_size(arr), c->agent);
	c->fetching = 0;
	if (first)
		c->once_started = 1;
	refresh_all(c);
	if (c->refetch) {
		c->refetch = 0;
		fetch(c);
	}
}

static void
agent_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct creq	*r = arg;
	struct comp	*c = r->c;
	char		*path;

	if (status == 200)
		apply_status(c, agent_status_parse(jstr(body, "status")));
	else if (status == 404)
		apply_status(c, ST_OFFLINE);	/* respited has not seen it */
	else {
		fetch_failed(c, "the agent", status, msg);
		return;
	}
	path = g_strdup_printf("/v1/suggestions?agent=%s&status=open"
	    "&limit=1000", c->agent);
	client_request(c->client, "GET", path, NULL, list_cb,
	    creq_new(c, NULL), creq_free);
	g_free(path);
}

/* Read the agent's status and open suggestions (again). */
static void
fetch(struct comp *c)
{
	char	*path;

	if (c->fetching) {
		c->refetch = 1;
		return;
	}
	if (c->fetch_retry_src != 0) {
		g_source_remove(c->fetch_retry_src);
		c->fetch_retry_src = 0;
	}
	c->fetching = 1;
	path = g_strdup_printf("/v1/agents/%s", c->agent);
	client_request(c->client, "GET", path, NULL, agent_cb,
	    creq_new(c, NULL), creq_free);
	g_free(path);
}

/* ------------------------------------------------------------ answers */

static void	answer_send(struct comp *, struct csugg *);

static gboolean
answer_retry_cb(gpointer arg)
{
	struct creq	*r = arg;
	struct csugg	*s;

	if ((s = g_hash_table_lookup(r->c->suggs, r->id)) != NULL) {
		s->retry_src = 0;
		if (s->status == SS_OPEN)
			answer_send(r->c, s);
		else
			maybe_done(r->c);
	}
	return (G_SOURCE_REMOVE);
}

static void
answer_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct creq	*r = arg;
	struct comp	*c = r->c;
	struct csugg	*s;
	struct creq	*rr;

	if ((s = g_hash_table_lookup(c->suggs, r->id)) == NULL)
		return;
	s->answering = 0;
	if (status == 200) {
		log_info("%s: %s sent", s->id, s->action);
		apply_suggestion(c, body);
	} else if (status == 409 && strcmp(s->action, "snooze") == 0 &&
	    s->status == SS_OPEN) {
		/*
		 * No snooze left (respited's limit is lower than we knew):
		 * the agent gets it back without Snooze.  Should it have
		 * closed meanwhile, the fetch (or the stream) says so.
		 */
		log_info("%s: cannot snooze (%s); showing it again without "
		    "Snooze", s->id, msg);
		s->snoozes_left = 0;
		if (s->up) {
			popup_close(c->popup, s->id);
			s->up = 0;
		}
		s->shown_version = -1;
		refresh(c, s);
		fetch(c);
	} else if (status == 409) {
		log_info("%s: no longer open (%s)", s->id, msg);
		if (s->up) {
			popup_close(c->popup, s->id);
			s->up = 0;
		}
	} else if ((status == 0 || status >= 500) && ++s->tries < ANSWER_TRIES) {
		log_warnx("%s: could not send %s (%s); trying again in %d s",
		    s->id, s->action, msg != NULL ? msg : "no reply",
		    1 << s->tries);
		rr = g_new0(struct creq, 1);
		rr->c = c;
		g_strlcpy(rr->id, s->id, sizeof rr->id);
		s->retry_src = g_timeout_add_seconds_full(G_PRIORITY_DEFAULT,
		    1u << s->tries, answer_retry_cb, rr, g_free);
	} else {
		/* Give the agent the buttons back rather than lose it. */
		log_warnx("%s: could not send %s: %s%s; showing it again",
		    s->id, s->action, status != 0 ? "HTTP error: " : "",
		    msg != NULL ? msg : "no reply");
		s->shown_version = -1;
		refresh(c, s);
	}
	maybe_done(c);
}

static void
answer_send(struct comp *c, struct csugg *s)
{
	json_t	*body;
	char	*path;

	if (strcmp(s->action, "snooze") == 0)
		body = json_pack("{s:s, s:i}", "action", "snooze", "minutes",
		    SNOOZE_MINUTES);
	else
		body = json_pack("{s:s}", "action", s->action);
	s->answering = 1;
	path = g_strdup_printf("/v1/suggestions/%s", s->id);
	client_request(c->client, "POST", path, body, answer_cb,
	    creq_new(c, s->id), creq_free);
	g_free(path);
}

/* ------------------------------------------------------------ events */

/* The stream is (again) connected: re-read what may have changed. */
void
comp_stream_open(struct comp *c)
{
	fetch(c);
}

/* One stream event: its type and its data (JSON). */
void
comp_stream_event(struct comp *c, const char *type, const char *data)
{
	json_t		*o;
	const char	*agent;

	if ((o = json_loads(data, 0, NULL)) == NULL) {
		log_warnx("stream: a %s event that is not JSON; ignored", type);
		return;
	}
	agent = jstr(o, "agent");
	if (strcmp(type, "suggestion") == 0)
		apply_suggestion(c, o);
	else if (agent == NULL || strcmp(agent, c->agent) != 0)
		;	/* not ours */
	else if (strcmp(type, "agent") == 0)
		apply_status(c, agent_status_parse(jstr(o, "status")));
	else if (strcmp(type, "level") == 0)
		apply_level(c, o);
	json_decref(o);
}

/* The agent clicked action on popup key. */
void
comp_action(struct comp *c, const char *key, const char *action)
{
	struct csugg	*s;

	if (strcmp(key, KEY_COUNTDOWN) == 0) {
		if (strcmp(action, "end") == 0 && c->cd_active)
			cd_finish(c, 0);
		return;
	}
	if ((s = g_hash_table_lookup(c->suggs, key)) == NULL)
		return;
	/* One answer at a time; a second click while it is sent is moot. */
	if (s->answering || s->retry_src != 0 || s->status != SS_OPEN)
		return;
	if (is_wellbeing(s)) {
		/* Its one button: read, thank you. */
		if (strcmp(action, "ok") != 0)
			return;
		g_strlcpy(s->action, "accept", sizeof s->action);
	} else if (strcmp(action, "start") == 0)
		g_strlcpy(s->action, "accept", sizeof s->action);
	else if (strcmp(action, "snooze") == 0)
		g_strlcpy(s->action, "snooze", sizeof s->action);
	else if (strcmp(action, "dismiss") == 0)
		g_strlcpy(s->action, "dismiss", sizeof s->action);
	else
		return;		/* "default": a click on the body */
	log_info("%s: the agent chose %s", s->id, action);
	s->tries = 0;
	answer_send(c, s);
}

/* The server closed popup key (expired, or the agent closed it). */
void
comp_closed(struct comp *c, const char *key, int reason)
{
	struct csugg	*s;

	(void)reason;
	if (strcmp(key, KEY_COUNTDOWN) == 0) {
		/* Count on quietly; the end still comes. */
		if (c->cd_active)
			c->cd_hidden = 1;
		return;
	}
	if ((s = g_hash_table_lookup(c->suggs, key)) == NULL || !s->up)
		return;
	/* Shown: not again at this version, even after quiet time. */
	s->up = 0;
	log_debug("%s: popup closed by the notification server", s->id);
	maybe_done(c);
}

/* The notification server came (back) or went. */
void
comp_server(struct comp *c, const struct popup_status *st)
{
	GHashTableIter	 it;
	gpointer	 v;

	if (st->state != POPUP_OK)
		return;
	if (memcmp(&st->caps, &c->caps, sizeof c->caps) == 0)
		return;
	/* Another server, other abilities: say it all again its way. */
	c->caps = st->caps;
	g_hash_table_iter_init(&it, c->suggs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct csugg	*s = v;

		if (s->up) {
			s->shown_version = -1;
			refresh(c, s);
		}
	}
	if (c->cd_active && !c->cd_hidden)
		show_countdown(c);
}

/* Forget suggestions answered long ago (they can never come back). */
static gboolean
prune_cb(gpointer arg)
{
	struct comp	*c = arg;
	GHashTableIter	 it;
	gpointer	 v;
	gint64		 now = g_get_monotonic_time();

	g_hash_table_iter_init(&it, c->suggs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct csugg	*s = v;

		if (s->version == INT_MAX && !s->up && !s->answering &&
		    s->retry_src == 0 && !s->once &&
		    now - s->final_at > PRUNE_AFTER_US)
			g_hash_table_iter_remove(&it);
	}
	return (G_SOURCE_CONTINUE);
}

static void
csugg_free(gpointer arg)
{
	struct csugg	*s = arg;

	if (s->retry_src != 0)
		g_source_remove(s->retry_src);
	g_free(s);
}

/*
 * The companion of agent o->agent (copied); client and popup are
 * borrowed, st is what the start-up check found.
 */
struct comp *
comp_new(const struct comp_opts *o, struct client *client,
    struct popup *popup, const struct popup_status *st,
    const struct comp_cbs *cbs)
{
	struct comp	*c;

	c = g_new0(struct comp, 1);
	c->o = *o;
	c->agent = g_strdup(o->agent);
	c->o.agent = c->agent;
	if (c->o.minute_ms <= 0)
		c->o.minute_ms = 60000;
	c->cbs = *cbs;
	c->client = client;
	c->popup = popup;
	c->caps = st->caps;
	c->status = ST_UNKNOWN;
	c->suggs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    csugg_free);
	c->prune_src = g_timeout_add_seconds(PRUNE_EVERY_S, prune_cb, c);
	return (c);
}

/* Free; call after client_free() (no request callback may follow). */
void
comp_free(struct comp *c)
{
	if (c == NULL)
		return;
	if (c->cd_src != 0)
		g_source_remove(c->cd_src);
	if (c->pb_src != 0)
		g_source_remove(c->pb_src);
	if (c->be_src != 0)
		g_source_remove(c->be_src);
	if (c->fetch_retry_src != 0)
		g_source_remove(c->fetch_retry_src);
	g_source_remove(c->prune_src);
	g_hash_table_destroy(c->suggs);
	g_free(c->agent);
	g_free(c);
}
