/*
 * respite-notify - the presenter: desktop notifications through libnotify.
 *
 * libnotify talks to the notification server with blocking D-Bus calls:
 * notify_notification_show() waits for the server's reply, 25 s on a
 * server that hangs.  So every libnotify call, and the D-Bus proxy that
 * delivers the servers' signals (ActionInvoked, NotificationClosed),
 * lives on a thread of its own with its own GMainContext, and nothing
 * else ever touches libnotify.  The main thread, where the stream and
 * the HTTP requests run, only posts "show KEY like this" and "close KEY"
 * (mbox.c) and never waits for the presenter except once at start-up
 * (the server check, bounded) and once at exit (bounded).  While the
 * presenter is stuck in a call, the main thread keeps reading the stream;
 * what it posts meanwhile is handled as one batch, in which only the
 * last word about each key counts: a suggestion shown and withdrawn
 * during the hang never reaches the screen.
 *
 * Each popup has a key (a suggestion id, "countdown", "welcome",
 * "level").  Showing a key that is on screen updates it in place
 * (libnotify reuses its notification id).  The server closing one (the
 * agent clicked it away, or it expired) is reported back; so is a click
 * on an action.
 *
 * The server can go away and come back (a desktop restarting its shell,
 * dunst restarted): we watch its bus name, and a show that fails for
 * want of a server marks it gone too.  While it is gone, popups wait;
 * we probe it with back-off and jitter (and at once when its name
 * reappears); once it answers, the popups that were on screen or waiting
 * are shown again (the old server's ids mean nothing to the new one) and
 * the main thread hears the new capabilities.
 */
#include "build.h"

#include <string.h>

#include <gio/gio.h>
#include <glib.h>
#include <libnotify/notify.h>

#include "log.h"
#include "mbox.h"
#include "popup.h"

#define NOTIFY_NAME		"org.freedesktop.Notifications"
#define PROBE_MIN_MS		1000
#define PROBE_MAX_MS		60000

/* A copy of struct popup_content that the presenter owns. */
struct pcontent {
	char			*summary, *body, *icon, *category, *id_hint;
	enum popup_urgency	 urgency;
	int			 timeout_ms, transient, silent, nactions;
	char			*action_id[POPUP_ACTIONS_MAX];
	char			*action_label[POPUP_ACTIONS_MAX];
};

/* One popup the presenter knows: on screen (n) or waiting (n == NULL). */
struct pop {
	struct popup		*p;
	char			*key;
	struct pcontent		*content;
	NotifyNotification	*n;
	gulong			 closed_handler;
};

enum pcmd_type { PCMD_SHOW, PCMD_CLOSE, PCMD_STOP };

struct pcmd {
	enum pcmd_type		 type;
	char			*key;
	struct pcontent		*content;	/* PCMD_SHOW */
};

enum pevent_type { PEV_ACTION, PEV_CLOSED, PEV_SERVER };

struct pevent {
	enum pevent_type	 type;
	char			*key;
	char			*action;
	int			 reason;
	struct popup_status	 status;
};

struct popup {
	struct popup_cbs	 cbs;
	GThread			*thread;
	GMainContext		*main_ctx;	/* borrowed: the default one */
	GMainContext		*ctx;		/* the presenter's */
	GMainLoop		*loop;
	struct mbox		*to_presenter;	/* struct pcmd */
	struct mbox		*to_main;	/* struct pevent */

	GMutex			 lock;
	GCond			 cond;
	int			 init_done;	/* under lock */
	int			 init_waiting;	/* under lock: main waits */
	struct popup_status	 init_status;	/* under lock */
	int			 stopped;	/* under lock */

	/* The presenter thread's own. */
	GHashTable		*pops;		/* key -> struct pop */
	GDBusConnection		*bus;
	guint			 watch;
	int			 name_owned;	/* -1 not known yet */
	int			 server_ok;
	struct popup_caps	 caps;
	GSource			*probe_src;	/* on ctx */
	int			 probe_failures;
	int			 stopping;
};

static void	pop_display_all(struct popup *);

/* ------------------------------------------------------------ contents */

static struct pcontent *
pcontent_new(const struct popup_content *c)
{
	struct pcontent	*pc;
	int		 i;

	pc = g_new0(struct pcontent, 1);
	pc->summary = g_strdup(c->summary != NULL ? c->summary : "respite");
	pc->body = g_strdup(c->body);
	pc->icon = g_strdup(c->icon);
	pc->category = g_strdup(c->category);
	pc->id_hint = g_strdup(c->id_hint);
	pc->urgency = c->urgency;
	pc->timeout_ms = c->timeout_ms;
	pc->transient = c->transient;
	pc->silent = c->silent;
	pc->nactions = c->nactions < POPUP_ACTIONS_MAX ? c->nactions :
	    POPUP_ACTIONS_MAX;
	for (i = 0; i < pc->nactions; i++) {
		pc->action_id[i] = g_strdup(c->actions[i].id);
		pc->action_label[i] = g_strdup(c->actions[i].label);
	}
	return (pc);
}

static void
pcontent_free(struct pcontent *pc)
{
	int	i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nactions; i++) {
		g_free(pc->action_id[i]);
		g_free(pc->action_label[i]);
	}
	g_free(pc->summary);
	g_free(pc->body);
	g_free(pc->icon);
	g_free(pc->category);
	g_free(pc->id_hint);
	g_free(pc);
}

static void
pcmd_free(gpointer arg)
{
	struct pcmd	*c = arg;

	pcontent_free(c->content);
	g_free(c->key);
	g_free(c);
}

static void
pevent_free(gpointer arg)
{
	struct pevent	*e = arg;

	g_free(e->key);
	g_free(e->action);
	g_free(e);
}

/* ------------------------------------------------ the main thread's side */

/* The main loop: what the presenter reported. */
static void
to_main_cb(GQueue *q, void *arg)
{
	struct popup	*p = arg;
	struct pevent	*e;

	while ((e = g_queue_pop_head(q)) != NULL) {
		switch (e->type) {
		case PEV_ACTION:
			if (p->cbs.action != NULL)
				p->cbs.action(e->key, e->action, p->cbs.arg);
			break;
		case PEV_CLOSED:
			if (p->cbs.closed != NULL)
				p->cbs.closed(e->key, e->reason, p->cbs.arg);
			break;
		case PEV_SERVER:
			if (p->cbs.server != NULL)
				p->cbs.server(&e->status, p->cbs.arg);
			break;
		}
		pevent_free(e);
	}
}

static void
post_event(struct popup *p, enum pevent_type type, const char *key,
    const char *action, int reason, const struct popup_status *st)
{
	struct pevent	*e;

	e = g_new0(struct pevent, 1);
	e->type = type;
	e->key = g_strdup(key);
	e->action = g_strdup(action);
	e->reason = reason;
	if (st != NULL)
		e->status = *st;
	mbox_post(p->to_main, e);
}

/* ------------------------------------------------------------ popups */

static void
pop_forget_notification(struct pop *pop)
{
	if (pop->n == NULL)
		return;
	if (pop->closed_handler != 0)
		g_signal_handler_disconnect(pop->n, pop->closed_handler);
	pop->closed_handler = 0;
	g_object_unref(pop->n);
	pop->n = NULL;
}

static void
pop_free(gpointer arg)
{
	struct pop	*pop = arg;

	pop_forget_notification(pop);
	pcontent_free(pop->content);
	g_free(pop->key);
	g_free(pop);
}

/* libnotify: an action was clicked (user_data is the key). */
static void
action_cb(NotifyNotification *n, char *action, gpointer arg)
{
	const char	*key = arg;
	struct popup	*p = g_object_get_data(G_OBJECT(n), "respite-popup");

	if (p == NULL || p->stopping)
		return;
	log_debug("popup %s: action \"%s\"", key, action);
	post_event(p, PEV_ACTION, key, action, 0, NULL);
}

/* libnotify: the server closed a popup (expired, or the agent did). */
static void
closed_cb(NotifyNotification *n, gpointer arg)
{
	struct pop	*pop = arg;
	struct popup	*p = pop->p;
	int		 reason = notify_notification_get_closed_reason(n);

	log_debug("popup %s: closed by the server (reason %d)", pop->key,
	    reason);
	post_event(p, PEV_CLOSED, pop->key, NULL, reason, NULL);
	/* Frees pop; libnotify holds its own reference during the signal. */
	g_hash_table_remove(p->pops, pop->key);
}

/* Errors that mean nobody is there to show anything. */
static int
error_means_gone(const GError *err)
{
	if (err->domain == G_IO_ERROR)
		return (err->code == G_IO_ERROR_CLOSED ||
		    err->code == G_IO_ERROR_TIMED_OUT ||
		    err->code == G_IO_ERROR_DBUS_ERROR);
	if (err->domain == G_DBUS_ERROR)
		return (err->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
		    err->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
		    err->code == G_DBUS_ERROR_NO_REPLY ||
		    err->code == G_DBUS_ERROR_TIMEOUT ||
		    err->code == G_DBUS_ERROR_TIMED_OUT ||
		    err->code == G_DBUS_ERROR_DISCONNECTED ||
		    err->code == G_DBUS_ERROR_NO_SERVER ||
		    err->code == G_DBUS_ERROR_SPAWN_FAILED ||
		    err->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
		    err->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED);
	return (0);
}

static void	server_lost(struct popup *, const char *);
static void	name_appeared_cb(GDBusConnection *, const char *,
		    const char *, gpointer);
static void	name_vanished_cb(GDBusConnection *, const char *, gpointer);

/*
 * Put pop on screen (or update it there).  Returns 0, or -1 if the
 * server is gone (pop then waits) or refused it (pop is dropped).
 */
static int
pop_display(struct popup *p, struct pop *pop)
{
	struct pcontent		*c = pop->content;
	NotifyNotification	*n = pop->n;
	GError			*err = NULL;
	int			 i;

	if (n == NULL) {
		n = notify_notification_new(c->summary, c->body, c->icon);
		g_object_set_data(G_OBJECT(n), "respite-popup", p);
		pop->closed_handler = g_signal_connect(n, "closed",
		    G_CALLBACK(closed_cb), pop);
	} else
		notify_notification_update(n, c->summary, c->body, c->icon);
	notify_notification_clear_actions(n);
	for (i = 0; i < c->nactions; i++)
		notify_notification_add_action(n, c->action_id[i],
		    c->action_label[i], action_cb, g_strdup(pop->key), g_free);
	notify_notification_clear_hints(n);
	notify_notification_set_urgency(n, c->urgency == POPUP_CRITICAL ?
	    NOTIFY_URGENCY_CRITICAL : c->urgency == POPUP_LOW ?
	    NOTIFY_URGENCY_LOW : NOTIFY_URGENCY_NORMAL);
	if (c->category != NULL)
		notify_notification_set_category(n, c->category);
	if (c->transient)
		notify_notification_set_hint(n, "transient",
		    g_variant_new_boolean(TRUE));
	if (c->silent)
		notify_notification_set_hint(n, "suppress-sound",
		    g_variant_new_boolean(TRUE));
	if (c->id_hint != NULL)
		notify_notification_set_hint(n, "x-respite-id",
		    g_variant_new_string(c->id_hint));
	notify_notification_set_timeout(n, c->timeout_ms);
	pop->n = n;
	if (notify_notification_show(n, &err))
		return (0);

	pop_forget_notification(pop);
	if (error_means_gone(err)) {
		server_lost(p, err->message);
		g_error_free(err);
		return (-1);
	}
	log_warnx("the notification server refused popup %s: %s", pop->key,
	    err->message);
	g_error_free(err);
	g_hash_table_remove(p->pops, pop->key);
	return (-1);
}

static void
pop_show(struct popup *p, const char *key, struct pcontent *content)
{
	struct pop	*pop;

	if ((pop = g_hash_table_lookup(p->pops, key)) == NULL) {
		pop = g_new0(struct pop, 1);
		pop->p = p;
		pop->key = g_strdup(key);
		g_hash_table_insert(p->pops, pop->key, pop);
	}
	pcontent_free(pop->content);
	pop->content = content;
	if (p->server_ok)
		(void)pop_display(p, pop);
}

static void
pop_close(struct popup *p, const char *key)
{
	struct pop	*pop;
	GError		*err = NULL;

	if ((pop = g_hash_table_lookup(p->pops, key)) == NULL)
		return;
	if (pop->n != NULL) {
		/* Our own close: not a "closed by the server" to report. */
		g_signal_handler_disconnect(pop->n, pop->closed_handler);
		pop->closed_handler = 0;
		if (!notify_notification_close(pop->n, &err)) {
			log_debug("popup %s: close: %s", key, err->message);
			g_error_free(err);
		}
	}
	g_hash_table_remove(p->pops, key);
}

/* Everything waiting (or whose old server left) goes on screen. */
static void
pop_display_all(struct popup *p)
{
	GHashTableIter	 it;
	GPtrArray	*todo;
	gpointer	 v;
	guint		 i;

	/* pop_display may remove entries: collect the keys first. */
	todo = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_iter_init(&it, p->pops);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((struct pop *)v)->n == NULL)
			g_ptr_array_add(todo, g_strdup(((struct pop *)v)->key));
	for (i = 0; i < todo->len && p->server_ok; i++) {
		struct pop	*pop = g_hash_table_lookup(p->pops,
		    todo->pdata[i]);

		if (pop != NULL && pop->n == NULL)
			(void)pop_display(p, pop);
	}
	g_ptr_array_free(todo, TRUE);
}

/* ------------------------------------------------------------ the server */

/*
 * Is a notification server there?  Sets st (state, info, caps).  Blocks
 * on D-Bus: presenter thread only.
 */
static void
probe(struct popup *p, struct popup_status *st)
{
	GError	*err = NULL;
	GList	*caps, *l;
	char	*name = NULL, *vendor = NULL, *version = NULL, *spec = NULL;

	memset(st, 0, sizeof *st);
	if (p->bus == NULL &&
	    (p->bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err)) == NULL) {
		st->state = POPUP_NO_BUS;
		if (g_getenv("DBUS_SESSION_BUS_ADDRESS") == NULL)
			g_snprintf(st->info, sizeof st->info, "not in a "
			    "desktop session? (DBUS_SESSION_BUS_ADDRESS is not "
			    "set) %s", err->message);
		else
			g_strlcpy(st->info, err->message, sizeof st->info);
		g_error_free(err);
		return;
	}
	if (p->watch == 0)
		p->watch = g_bus_watch_name_on_connection(p->bus, NOTIFY_NAME,
		    G_BUS_NAME_WATCHER_FLAGS_NONE, name_appeared_cb,
		    name_vanished_cb, p, NULL);
	if (!notify_is_initted())
		notify_init("respite");
	if (!notify_get_server_info(&name, &vendor, &version, &spec)) {
		st->state = POPUP_NO_SERVER;
		g_strlcpy(st->info, "nothing answers as " NOTIFY_NAME
		    " on the session bus", sizeof st->info);
		return;
	}
	st->state = POPUP_OK;
	g_snprintf(st->info, sizeof st->info, "%s %s by %s, spec %s",
	    name != NULL ? name : "?", version != NULL ? version : "?",
	    vendor != NULL ? vendor : "?", spec != NULL ? spec : "?");
	g_free(name);
	g_free(vendor);
	g_free(version);
	g_free(spec);
	caps = notify_get_server_caps();
	for (l = caps; l != NULL; l = l->next) {
		if (strcmp(l->data, "actions") == 0)
			st->caps.actions = 1;
		else if (strcmp(l->data, "body") == 0)
			st->caps.body = 1;
		else if (strcmp(l->data, "body-markup") == 0)
			st->caps.body_markup = 1;
	}
	g_list_free_full(caps, g_free);
}

static void	probe_schedule(struct popup *);

/*
 * This thread's sources live on p->ctx, where g_source_remove() (which
 * looks in the default context) cannot find them: we keep the GSource.
 */
static void
probe_cancel(struct popup *p)
{
	if (p->probe_src == NULL)
		return;
	g_source_destroy(p->probe_src);
	g_source_unref(p->probe_src);
	p->probe_src = NULL;
}

static void
server_back(struct popup *p, const struct popup_status *st)
{
	p->server_ok = 1;
	p->caps = st->caps;
	p->probe_failures = 0;
	probe_cancel(p);
	log_info("notification server back: %s (actions: %s)", st->info,
	    st->caps.actions ? "yes" : "no");
	post_event(p, PEV_SERVER, NULL, NULL, 0, st);
	pop_display_all(p);
}

static void
probe_now(struct popup *p)
{
	struct popup_status	st;

	if (p->server_ok || p->stopping)
		return;
	probe(p, &st);
	if (st.state == POPUP_OK)
		server_back(p, &st);
	else {
		log_debug("notification server: still none (%s)", st.info);
		probe_schedule(p);
	}
}

static gboolean
probe_cb(gpointer arg)
{
	struct popup	*p = arg;

	g_source_unref(p->probe_src);
	p->probe_src = NULL;
	probe_now(p);
	return (G_SOURCE_REMOVE);
}

static void
probe_schedule(struct popup *p)
{
	GSource	*src;
	double	 d = PROBE_MIN_MS;
	int	 i;

	if (p->probe_src != NULL)
		return;
	for (i = 0; i < p->probe_failures && d < PROBE_MAX_MS; i++)
		d *= 2;
	if (d > PROBE_MAX_MS)
		d = PROBE_MAX_MS;
	d *= g_random_double_range(0.5, 1.0);
	p->probe_failures++;
	src = g_timeout_source_new((guint)d);
	g_source_set_callback(src, probe_cb, p, NULL);
	g_source_attach(src, p->ctx);
	p->probe_src = src;
}

/* The server is gone: popups wait, probing starts. */
static void
server_lost(struct popup *p, const char *why)
{
	struct popup_status	st;
	GHashTableIter		it;
	gpointer		v;

	if (!p->server_ok)
		return;
	p->server_ok = 0;
	log_warnx("notification server gone: %s; popups wait until it is "
	    "back", why);
	g_hash_table_iter_init(&it, p->pops);
	while (g_hash_table_iter_next(&it, NULL, &v))
		pop_forget_notification(v);
	memset(&st, 0, sizeof st);
	st.state = POPUP_GONE;
	g_strlcpy(st.info, why, sizeof st.info);
	post_event(p, PEV_SERVER, NULL, NULL, 0, &st);
	p->probe_failures = 0;
	probe_schedule(p);
}

static void
name_appeared_cb(GDBusConnection *bus, const char *name, const char *owner,
    gpointer arg)
{
	struct popup	*p = arg;

	(void)bus;
	(void)name;
	log_debug("notification server: %s owns the name", owner);
	p->name_owned = 1;
	/* Probe now rather than at the next back-off step. */
	if (!p->server_ok && !p->stopping) {
		probe_cancel(p);
		p->probe_failures = 0;
		probe_now(p);
	}
}

static void
name_vanished_cb(GDBusConnection *bus, const char *name, gpointer arg)
{
	struct popup	*p = arg;

	(void)bus;
	(void)name;
	if (p->name_owned == 1 && p->server_ok)
		server_lost(p, "it left the session bus");
	p->name_owned = 0;
}

/* ------------------------------------------------------------ the thread */

/* The presenter's loop: a batch of commands from the main thread. */
static void
to_presenter_cb(GQueue *q, void *arg)
{
	struct popup	*p = arg;
	struct pcmd	**v;
	guint		 n, i, j;
	int		 stop = 0, later;

	n = g_queue_get_length(q);
	v = g_new0(struct pcmd *, n);
	for (i = 0; i < n; i++)
		v[i] = g_queue_pop_head(q);
	for (i = 0; i < n; i++) {
		if (v[i]->type == PCMD_STOP) {
			stop = 1;
			continue;
		}
		/* Only the last word about a key counts. */
		for (j = i + 1, later = 0; j < n && !later; j++)
			later = v[j]->type != PCMD_STOP &&
			    strcmp(v[j]->key, v[i]->key) == 0;
		if (later)
			continue;
		if (v[i]->type == PCMD_SHOW) {
			pop_show(p, v[i]->key, v[i]->content);
			v[i]->content = NULL;
		} else
			pop_close(p, v[i]->key);
	}
	for (i = 0; i < n; i++)
		pcmd_free(v[i]);
	g_free(v);
	if (stop) {
		p->stopping = 1;
		g_main_loop_quit(p->loop);
	}
}

/* At exit: popups that wait for an answer mean nothing without us. */
static void
close_for_exit(struct popup *p)
{
	GHashTableIter	 it;
	gpointer	 v;
	struct pop	*pop;
	GError		*err = NULL;

	g_hash_table_iter_init(&it, p->pops);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		pop = v;
		if (pop->n == NULL || (pop->content->nactions == 0 &&
		    pop->content->timeout_ms != 0))
			continue;
		g_signal_handler_disconnect(pop->n, pop->closed_handler);
		pop->closed_handler = 0;
		if (p->server_ok && !notify_notification_close(pop->n, &err)) {
			log_debug("popup %s: close: %s", pop->key,
			    err->message);
			g_clear_error(&err);
		}
	}
}

static gpointer
presenter_main(gpointer arg)
{
	struct popup		*p = arg;
	struct popup_status	 st;

	g_main_context_push_thread_default(p->ctx);
	p->pops = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    pop_free);
	p->name_owned = -1;

	/*
	 * The first libnotify call creates its D-Bus proxy, whose signals
	 * are then delivered to this thread's context: here.
	 */
	probe(p, &st);
	p->server_ok = st.state == POPUP_OK;
	p->caps = st.caps;
	g_mutex_lock(&p->lock);
	p->init_done = 1;
	p->init_status = st;
	if (p->init_waiting)
		g_cond_broadcast(&p->cond);
	else	/* popup_start gave up waiting: say it the other way */
		post_event(p, PEV_SERVER, NULL, NULL, 0, &st);
	g_mutex_unlock(&p->lock);
	if (!p->server_ok)
		probe_schedule(p);

	g_main_loop_run(p->loop);

	close_for_exit(p);
	probe_cancel(p);
	if (p->watch != 0)
		g_bus_unwatch_name(p->watch);
	g_hash_table_destroy(p->pops);
	p->pops = NULL;
	if (notify_is_initted())
		notify_uninit();
	if (p->bus != NULL) {
		/* Send what is queued (the closes) before we go. */
		g_dbus_connection_flush_sync(p->bus, NULL, NULL);
		g_object_unref(p->bus);
	}
	/* Let the unwatch and the proxy's last callbacks run here. */
	while (g_main_context_iteration(p->ctx, FALSE))
		;
	g_main_context_pop_thread_default(p->ctx);

	g_mutex_lock(&p->lock);
	p->stopped = 1;
	g_cond_broadcast(&p->cond);
	g_mutex_unlock(&p->lock);
	return (NULL);
}

/*
 * Start the presenter and check the notification server, waiting at most
 * wait_ms for the check; *st says what it found (POPUP_NOT_ANSWERING if
 * it took longer: the result then comes later through cbs->server).
 * cbs run on the main thread's default context.
 */
struct popup *
popup_start(const struct popup_cbs *cbs, int wait_ms, struct popup_status *st)
{
	struct popup	*p;
	gint64		 deadline;

	p = g_new0(struct popup, 1);
	p->cbs = *cbs;
	p->main_ctx = g_main_context_default();
	p->ctx = g_main_context_new();
	p->loop = g_main_loop_new(p->ctx, FALSE);
	p->to_presenter = mbox_new(p->ctx, to_presenter_cb, pcmd_free, p);
	p->to_main = mbox_new(p->main_ctx, to_main_cb, pevent_free, p);
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	p->init_waiting = 1;
	p->thread = g_thread_new("presenter", presenter_main, p);

	deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
	g_mutex_lock(&p->lock);
	while (!p->init_done)
		if (!g_cond_wait_until(&p->cond, &p->lock, deadline))
			break;
	if (p->init_done)
		*st = p->init_status;
	else {
		memset(st, 0, sizeof *st);
		st->state = POPUP_NOT_ANSWERING;
		g_snprintf(st->info, sizeof st->info, "the notification "
		    "server did not answer within %d s", wait_ms / 1000);
	}
	p->init_waiting = 0;
	g_mutex_unlock(&p->lock);
	return (p);
}

/* Show key (copied) with content (copied), or update it in place. */
void
popup_show(struct popup *p, const char *key, const struct popup_content *c)
{
	struct pcmd	*cmd;

	cmd = g_new0(struct pcmd, 1);
	cmd->type = PCMD_SHOW;
	cmd->key = g_strdup(key);
	cmd->content = pcontent_new(c);
	mbox_post(p->to_presenter, cmd);
}

/* Withdraw key (a no-op if it is not shown). */
void
popup_close(struct popup *p, const char *key)
{
	struct pcmd	*cmd;

	cmd = g_new0(struct pcmd, 1);
	cmd->type = PCMD_CLOSE;
	cmd->key = g_strdup(key);
	mbox_post(p->to_presenter, cmd);
}

/*
 * Show what was posted, close the popups that wait for an answer, and
 * stop; wait at most wait_ms (a hung server must not hold up the exit:
 * the thread is then left behind and dies with the process).  Frees p.
 * No callback runs after this.
 */
void
popup_stop(struct popup *p, int wait_ms)
{
	struct pcmd	*cmd;
	gint64		 deadline;
	int		 stopped;

	if (p == NULL)
		return;
	/* Events still on their way to the main loop go nowhere now. */
	memset(&p->cbs, 0, sizeof p->cbs);
	cmd = g_new0(struct pcmd, 1);
	cmd->type = PCMD_STOP;
	mbox_post(p->to_presenter, cmd);

	deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
	g_mutex_lock(&p->lock);
	while (!p->stopped)
		if (!g_cond_wait_until(&p->cond, &p->lock, deadline))
			break;
	stopped = p->stopped;
	g_mutex_unlock(&p->lock);
	if (!stopped) {
		log_warnx("the notification server does not answer; exiting "
		    "without closing the popups");
		return;
	}
	g_thread_join(p->thread);
	mbox_free(p->to_presenter);
	mbox_free(p->to_main);
	g_main_loop_unref(p->loop);
	g_main_context_unref(p->ctx);
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->cond);
	g_free(p);
}
