/*
 * respite - plugins: loading them and calling them.
 *
 * Each name of [plugins] load is dlopen()ed as DIR/NAME.so.  The loader
 * reads the descriptor's ABI version before anything else and refuses a
 * plugin built for another major version (redis RedisModule_Init() checks
 * its apiver the same way); it then checks the magic number, the minor
 * version and the descriptor's size, copies the descriptor (zero-extended,
 * so members appended later read as absent), and calls init with the
 * plugin's [plugin.NAME] section.  Any failure stops start-up (and
 * `respited -t`) with the plugin's name and, for init, its own message.
 *
 * This file also holds the respite_* functions the daemon exports to
 * plugins (see plugin.h), because respited links it in through
 * plugins_load() and exports those symbols with a dynamic list.
 *
 * The classify step of ARCHITECTURE.md lives here too: the text of a
 * message.received event is scored by every classifier and dropped at
 * once, before the event goes near storage.
 */
#include "build.h"

#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "log.h"
#include "plugins.h"
#include "secret.h"
#include "sinks.h"
#include "timeutil.h"
#include "xmalloc.h"

struct plugin {
	char			*name;
	char			*path;
	void			*handle;	/* dlopen() */
	struct respite_plugin	 desc;		/* copy, zero-extended */
	void			*instance;
	int			 live;		/* init succeeded */
	/* Source kind (ABI 1.3). */
	struct respite_source	 src;		/* handed to start() */
	int			 started;	/* start() succeeded, no stop() */
	json_t			*health;	/* its /healthz fields, or NULL */
};

/* A source's /healthz fields: how many, how long. */
#define HEALTH_KEYS_MAX		8
#define HEALTH_KEY_MAX		32
#define HEALTH_VALUE_MAX	64

struct plugins {
	struct plugin		*v;
	size_t			 n;
};

/*
 * The plugin being called, for respite_log()'s prefix; and the loaded
 * set, to name a plugin that logs from a callback of its own (a libevent
 * timer of a sink) rather than from a call of ours.
 */
static const char		*current;
static const struct plugins	*loaded;
static struct event_base	*event_base;
/*
 * Sinks' holds (respite_sink_hold()): the ticket of the change being
 * delivered, 0 if nothing waits for it, and the holds taken on it; where
 * respite_sink_done() goes.
 */
static uint64_t			 hold_ticket;
static unsigned int		 hold_count;
static void			(*sink_done_fn)(uint64_t, void *);
static void			*sink_done_arg;
/* Where sources' events go (plugins_set_submit()). */
static plugins_submit_fn	 submit_fn;
static void			*submit_arg;
/* respite_install_secret(): set by respited before plugins_load(). */
static uint8_t			 install_secret[SECRET_INSTALL_LEN];
static int			 install_secret_set;

static const char *
kind_name(uint32_t kind)
{
	switch (kind) {
	case RESPITE_PLUGIN_CLASSIFIER:
		return ("classifier");
	case RESPITE_PLUGIN_ADAPTER:
		return ("adapter");
	case RESPITE_PLUGIN_SINK:
		return ("sink");
	case RESPITE_PLUGIN_SOURCE:
		return ("source");
	default:
		return (NULL);
	}
}

/* A plugin's section as the ABI hands it over: items point into sec. */
static struct respite_config_item *
section_items(const struct config *cf, const char *name,
    struct respite_plugin_config *pc)
{
	const struct config_section	*sec;
	struct respite_config_item	*items = NULL;
	size_t				 i;

	memset(pc, 0, sizeof *pc);
	pc->name = name;
	pc->file = cf->file;
	if ((sec = config_plugin_section(cf, name)) != NULL &&
	    sec->nitems > 0) {
		items = xcalloc(sec->nitems, sizeof *items);
		for (i = 0; i < sec->nitems; i++) {
			items[i].key = sec->items[i].key;
			items[i].value = sec->items[i].value;
			items[i].line = sec->items[i].line;
		}
		pc->nitems = sec->nitems;
	}
	pc->items = items;
	return (items);
}

/* "FILE: [plugin.NAME]: " for messages about a plugin's section. */
static void
section_prefix(const struct config *cf, const char *name, char *buf,
    size_t len)
{
	if (cf->file != NULL)
		snprintf(buf, len, "%s: [plugin.%s]", cf->file, name);
	else
		snprintf(buf, len, "plugin %s", name);
}

/*
 * Open DIR/NAME.so and check its descriptor into p.  Returns 0, or -1
 * with a new message in *cause (p->handle closed again).
 */
static int
plugin_open(struct plugin *p, const char *dir, char **cause)
{
	const struct respite_plugin	*d;
	const char			*kind, *err;
	uint32_t			 version;

	xasprintf(&p->path, "%s/%s.so", dir, p->name);
	dlerror();
	if ((p->handle = dlopen(p->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		xasprintf(cause, "plugin %s: cannot load %s: %s (check "
		    "[plugins] dir)", p->name, p->path,
		    err != NULL ? err : "unknown error");
		return (-1);
	}
	if ((d = dlsym(p->handle, RESPITE_PLUGIN_SYMBOL)) == NULL) {
		xasprintf(cause, "plugin %s: %s is not a respite plugin (it "
		    "exports no \"%s\" symbol)", p->name, p->path,
		    RESPITE_PLUGIN_SYMBOL);
		goto fail;
	}
	/* The version first: nothing else of a foreign layout is read. */
	memcpy(&version, d, sizeof version);
	if (version != RESPITE_PLUGIN_ABI_VERSION) {
		xasprintf(cause, "plugin %s: %s was built for plugin ABI "
		    "version %u, but this respited %s speaks version %d; "
		    "rebuild the plugin against its <respite/plugin.h>",
		    p->name, p->path, (unsigned int)version, PACKAGE_VERSION,
		    RESPITE_PLUGIN_ABI_VERSION);
		goto fail;
	}
	if (d->magic != RESPITE_PLUGIN_MAGIC) {
		xasprintf(cause, "plugin %s: %s: \"%s\" is not a respite "
		    "plugin descriptor (bad magic number)", p->name, p->path,
		    RESPITE_PLUGIN_SYMBOL);
		goto fail;
	}
	if (d->abi_minor > RESPITE_PLUGIN_ABI_MINOR) {
		xasprintf(cause, "plugin %s: %s needs plugin ABI %d.%u, this "
		    "respited %s has %d.%d; upgrade respited", p->name,
		    p->path, RESPITE_PLUGIN_ABI_VERSION,
		    (unsigned int)d->abi_minor, PACKAGE_VERSION,
		    RESPITE_PLUGIN_ABI_VERSION, RESPITE_PLUGIN_ABI_MINOR);
		goto fail;
	}
	if (d->size < offsetof(struct respite_plugin, reserved) ||
	    d->size > sizeof p->desc) {
		xasprintf(cause, "plugin %s: %s: descriptor of %u bytes does "
		    "not fit plugin ABI %d.%u", p->name, p->path,
		    (unsigned int)d->size, RESPITE_PLUGIN_ABI_VERSION,
		    (unsigned int)d->abi_minor);
		goto fail;
	}
	memset(&p->desc, 0, sizeof p->desc);
	memcpy(&p->desc, d, d->size);
	if (p->desc.name == NULL || strcmp(p->desc.name, p->name) != 0) {
		xasprintf(cause, "plugin %s: %s calls itself \"%s\"; the file "
		    "must be named after the plugin", p->name, p->path,
		    p->desc.name != NULL ? p->desc.name : "(null)");
		goto fail;
	}
	if ((kind = kind_name(p->desc.kind)) == NULL) {
		xasprintf(cause, "plugin %s: %s: unknown kind %u", p->name,
		    p->path, (unsigned int)p->desc.kind);
		goto fail;
	}
	if ((p->desc.kind == RESPITE_PLUGIN_CLASSIFIER &&
	    p->desc.classify == NULL) ||
	    (p->desc.kind == RESPITE_PLUGIN_ADAPTER &&
	    p->desc.webhook == NULL) ||
	    (p->desc.kind == RESPITE_PLUGIN_SINK && p->desc.deliver == NULL) ||
	    (p->desc.kind == RESPITE_PLUGIN_SOURCE && p->desc.start == NULL)) {
		xasprintf(cause, "plugin %s: %s: a %s without its %s callback",
		    p->name, p->path, kind,
		    p->desc.kind == RESPITE_PLUGIN_CLASSIFIER ? "classify" :
		    p->desc.kind == RESPITE_PLUGIN_ADAPTER ? "webhook" :
		    p->desc.kind == RESPITE_PLUGIN_SINK ? "deliver" : "start");
		goto fail;
	}
	return (0);

fail:
	dlclose(p->handle);
	p->handle = NULL;
	return (-1);
}

static int
plugin_init(struct plugin *p, const struct config *cf, char **cause)
{
	struct respite_plugin_config	 pc;
	struct respite_config_item	*items;
	char				*error = NULL, where[512];
	int				 rc = 0;

	items = section_items(cf, p->name, &pc);
	if (p->desc.init != NULL) {
		current = p->name;
		rc = p->desc.init(&pc, &p->instance, &error);
		current = NULL;
	}
	free(items);
	if (rc != 0) {
		section_prefix(cf, p->name, where, sizeof where);
		xasprintf(cause, "%s: %s", where, error != NULL && *error !=
		    '\0' ? error : "the plugin's init failed without saying "
		    "why");
		free(error);
		return (-1);
	}
	free(error);
	p->live = 1;
	return (0);
}

static void
plugin_stop(struct plugin *p)
{
	if (!p->started)
		return;
	p->started = 0;
	if (p->desc.stop != NULL) {
		current = p->name;
		p->desc.stop(p->instance);
		current = NULL;
	}
}

static void
plugin_close(struct plugin *p)
{
	plugin_stop(p);
	json_decref(p->health);
	p->health = NULL;
	if (p->live && p->desc.fini != NULL) {
		current = p->name;
		p->desc.fini(p->instance);
		current = NULL;
	}
	p->live = 0;
	if (p->handle != NULL)
		dlclose(p->handle);
	free(p->name);
	free(p->path);
}

/*
 * Load and initialise the plugins of cf.  Returns a new set (empty when
 * none are configured), or NULL with a new message in *cause.
 */
struct plugins *
plugins_load(const struct config *cf, char **cause)
{
	struct plugins	*ps;
	struct plugin	*p;
	size_t		 i, j;

	ps = xcalloc(1, sizeof *ps);
	if (cf->nplugins_load > 0)
		ps->v = xcalloc(cf->nplugins_load, sizeof *ps->v);
	for (i = 0; i < cf->nplugins_load; i++) {
		p = &ps->v[ps->n];
		p->name = xstrdup(cf->plugins_load[i]);
		ps->n++;
		if (plugin_open(p, cf->plugins_dir, cause) == -1 ||
		    plugin_init(p, cf, cause) == -1) {
			plugins_free(ps);
			return (NULL);
		}
		loaded = ps;
		log_info("plugin %s: %s loaded from %s%s%s", p->name,
		    kind_name(p->desc.kind), p->path,
		    p->desc.description != NULL ? ": " : "",
		    p->desc.description != NULL ? p->desc.description : "");
	}
	for (i = 0; i < cf->nplugin_sections; i++) {
		for (j = 0; j < cf->nplugins_load; j++)
			if (strcmp(cf->plugins_load[j],
			    cf->plugin_sections[i].name) == 0)
				break;
		if (j == cf->nplugins_load)
			log_warnx("%s%s[plugin.%s] is ignored: %s is not in "
			    "[plugins] load", cf->file != NULL ? cf->file : "",
			    cf->file != NULL ? ": " : "",
			    cf->plugin_sections[i].name,
			    cf->plugin_sections[i].name);
	}
	return (ps);
}

/* Finish every plugin (in reverse order) and unload it. */
void
plugins_free(struct plugins *ps)
{
	if (ps == NULL)
		return;
	while (ps->n > 0)
		plugin_close(&ps->v[--ps->n]);
	if (loaded == ps)
		loaded = NULL;
	free(ps->v);
	free(ps);
}

/*
 * SIGHUP: hand each plugin its new section.  A plugin that cannot take
 * it keeps its old settings (and says so); one without a reload callback
 * needs a restart for a changed section.
 */
void
plugins_reload(struct plugins *ps, const struct config *cf)
{
	struct respite_plugin_config	 pc;
	struct respite_config_item	*items;
	struct plugin			*p;
	char				*error, where[512];
	size_t				 i;
	int				 rc;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++) {
		p = &ps->v[i];
		if (p->desc.reload == NULL) {
			log_debug("plugin %s: no reload; a changed "
			    "[plugin.%s] needs a restart", p->name, p->name);
			continue;
		}
		items = section_items(cf, p->name, &pc);
		error = NULL;
		current = p->name;
		rc = p->desc.reload(p->instance, &pc, &error);
		current = NULL;
		free(items);
		if (rc != 0) {
			section_prefix(cf, p->name, where, sizeof where);
			log_warnx("reload: %s: %s; the plugin keeps its old "
			    "settings", where, error != NULL ? error :
			    "reload failed");
		}
		free(error);
	}
}

void
plugins_set_event_base(struct event_base *base)
{
	event_base = base;
}

/* ---------------------------------------------------------- sources */

/* Where a source's submit() goes: fn(arg, plugin name, events, n, error). */
void
plugins_set_submit(plugins_submit_fn fn, void *arg)
{
	submit_fn = fn;
	submit_arg = arg;
}

static int
source_submit(const struct respite_source *src, const struct respite_event *ev,
    size_t n, char **error)
{
	const struct plugin	*p = src->daemon;

	if (!p->started || submit_fn == NULL)
		return (respite_error(error, "respited is stopping: the "
		    "events were not taken"));
	if (n == 0)
		return (0);
	return (submit_fn(submit_arg, p->name, ev, n, error));
}

static void
source_health(const struct respite_source *src, const char *key,
    const char *value)
{
	struct plugin	*p = src->daemon;

	if (key == NULL || strlen(key) > HEALTH_KEY_MAX ||
	    (value != NULL && strlen(value) > HEALTH_VALUE_MAX)) {
		log_warnx("plugin %s: a /healthz field longer than %d (key) "
		    "or %d (value) bytes is left out", p->name, HEALTH_KEY_MAX,
		    HEALTH_VALUE_MAX);
		return;
	}
	if (p->health == NULL)
		p->health = json_object();
	if (value == NULL) {
		json_object_del(p->health, key);
		return;
	}
	if (json_object_get(p->health, key) == NULL &&
	    json_object_size(p->health) >= HEALTH_KEYS_MAX) {
		log_warnx("plugin %s: more than %d /healthz fields; \"%s\" is "
		    "left out", p->name, HEALTH_KEYS_MAX, key);
		return;
	}
	/* Not valid UTF-8: left out rather than a broken reply. */
	json_object_set_new(p->health, key, json_string(value));
}

/*
 * Start the sources, once the loop and storage are ready.  Returns 0, or
 * -1 with a new message in *cause (the sources started are stopped).
 */
int
plugins_start(struct plugins *ps, char **cause)
{
	struct plugin	*p;
	char		*error = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; ps != NULL && i < ps->n; i++) {
		p = &ps->v[i];
		if (!p->live || p->desc.kind != RESPITE_PLUGIN_SOURCE ||
		    p->started)
			continue;
		memset(&p->src, 0, sizeof p->src);
		p->src.submit = source_submit;
		p->src.health = source_health;
		p->src.daemon = p;
		p->started = 1;
		current = p->name;
		rc = p->desc.start(p->instance, &p->src, &error);
		current = NULL;
		if (rc != 0) {
			p->started = 0;
			xasprintf(cause, "plugin %s: %s", p->name,
			    error != NULL ? error : "start failed");
			free(error);
			plugins_stop(ps);
			return (-1);
		}
		free(error);
		error = NULL;
	}
	return (0);
}

/* Stop the sources: nothing is submitted after this. */
void
plugins_stop(struct plugins *ps)
{
	size_t	i;

	for (i = 0; ps != NULL && i < ps->n; i++)
		plugin_stop(&ps->v[i]);
}

/*
 * The sources' /healthz fields, {"NAME": {...}} (new), or NULL when
 * none has any.
 */
json_t *
plugins_health(const struct plugins *ps)
{
	json_t	*o = NULL;
	size_t	 i;

	for (i = 0; ps != NULL && i < ps->n; i++) {
		if (ps->v[i].health == NULL ||
		    json_object_size(ps->v[i].health) == 0)
			continue;
		if (o == NULL)
			o = json_object();
		json_object_set(o, ps->v[i].name, ps->v[i].health);
	}
	return (o);
}

/*
 * The installation secret (secret.c) respite_install_secret() hands to
 * plugins: a copy of key (SECRET_INSTALL_LEN bytes), or none (NULL).
 */
void
plugins_set_install_secret(const uint8_t *key)
{
	explicit_bzero(install_secret, sizeof install_secret);
	install_secret_set = key != NULL;
	if (key != NULL)
		memcpy(install_secret, key, sizeof install_secret);
}

size_t
plugins_count(const struct plugins *ps, enum respite_plugin_kind kind)
{
	size_t	i, n = 0;

	if (ps == NULL)
		return (0);
	for (i = 0; i < ps->n; i++)
		if (ps->v[i].desc.kind == (uint32_t)kind)
			n++;
	return (n);
}

/* The name of the i-th plugin of kind (borrowed), NULL past the last. */
const char *
plugins_name(const struct plugins *ps, enum respite_plugin_kind kind, size_t i)
{
	size_t	k;

	if (ps == NULL)
		return (NULL);
	for (k = 0; k < ps->n; k++)
		if (ps->v[k].desc.kind == (uint32_t)kind && i-- == 0)
			return (ps->v[k].name);
	return (NULL);
}

/*
 * Run every classifier over text: out gets the highest severity and the
 * union of the categories.  Returns the number of classifiers that gave
 * an answer (0: out is untouched).
 */
int
plugins_classify(const struct plugins *ps, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	struct respite_classification	 c;
	const struct plugin		*p;
	size_t				 i;
	int				 n = 0;

	if (ps == NULL)
		return (0);
	for (i = 0; i < ps->n; i++) {
		p = &ps->v[i];
		if (p->desc.kind != RESPITE_PLUGIN_CLASSIFIER)
			continue;
		memset(&c, 0, sizeof c);
		current = p->name;
		if (p->desc.classify(p->instance, text, len,
		    lang != NULL ? lang : "", &c) != 0 || isnan(c.severity)) {
			current = NULL;
			continue;
		}
		current = NULL;
		if (c.severity < 0)
			c.severity = 0;
		if (c.severity > 1)
			c.severity = 1;
		if (n == 0) {
			memset(out, 0, sizeof *out);
			*out = c;
		} else if (c.severity > out->severity)
			out->severity = c.severity;
		out->categories |= c.categories;
		n++;
	}
	if (n > 0)
		out->categories &= RESPITE_CAT_INSULT | RESPITE_CAT_THREAT |
		    RESPITE_CAT_PROFANITY | RESPITE_CAT_IDENTITY_ATTACK |
		    RESPITE_CAT_HARASSMENT | RESPITE_CAT_OTHER;
	return (n);
}

/*
 * The classify step for one event: a message.received with text and no
 * severity of its own gets the classifiers' severity and categories
 * (added to any it carries).  An explicit severity wins: the sender has
 * judged the message already.  Either way the text is dropped here.
 */
void
plugins_classify_event(const struct plugins *ps, struct respite_event *ev)
{
	struct respite_classification	c;

	if (ev->type == RESPITE_EV_MESSAGE_RECEIVED && ev->text != NULL &&
	    ev->severity < 0 && plugins_classify(ps, ev->text, ev->text_len,
	    ev->lang, &c) > 0) {
		ev->severity = c.severity;
		ev->categories |= c.categories;
	}
	ev->text = NULL;
	ev->text_len = 0;
}

/*
 * Classify every event of batch, then drop the parsed request (which
 * holds the texts): from here on the batch carries no message text.
 */
void
plugins_classify_batch(const struct plugins *ps, struct event_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		plugins_classify_event(ps, &b->ev[i]);
	json_decref(b->keep);
	b->keep = NULL;
}

/* The loaded adapter named name, or NULL. */
static const struct plugin *
find_adapter(const struct plugins *ps, const char *name)
{
	size_t	i;

	for (i = 0; ps != NULL && i < ps->n; i++)
		if (ps->v[i].desc.kind == RESPITE_PLUGIN_ADAPTER &&
		    strcmp(ps->v[i].name, name) == 0)
			return (&ps->v[i]);
	return (NULL);
}

int
plugins_has_adapter(const struct plugins *ps, const char *name)
{
	return (find_adapter(ps, name) != NULL);
}

/*
 * Hand one webhook to the adapter named name (api_webhooks.c).  Returns
 * its enum respite_webhook_status, with *error as the adapter left it
 * (new, or NULL); -1 if no such adapter is loaded, -2 if it returned
 * something that is no status.
 */
int
plugins_webhook(const struct plugins *ps, const char *name,
    const struct respite_webhook *req, char **error)
{
	const struct plugin	*p;
	int			 rc;

	*error = NULL;
	if ((p = find_adapter(ps, name)) == NULL)
		return (-1);
	current = p->name;
	rc = p->desc.webhook(p->instance, req, error);
	current = NULL;
	if (rc < RESPITE_WEBHOOK_OK || rc > RESPITE_WEBHOOK_UNAUTHORIZED) {
		log_warnx("plugin %s: webhook returned %d, which is no "
		    "status; answering 500", p->name, rc);
		free(*error);
		*error = NULL;
		return (-2);
	}
	return (rc);
}

/*
 * Hand one stored suggestion change to every sink, in load order.  Sinks
 * must not block (plugin.h); each gets the same borrowed s.  ticket (0:
 * none) is what a sink that takes the change on gets from
 * respite_sink_hold(), and later hands to respite_sink_done().  Returns
 * the number of holds taken.
 */
unsigned int
plugins_deliver(const struct plugins *ps, const struct respite_suggestion *s,
    uint64_t ticket)
{
	const struct plugin	*p;
	size_t			 i;
	unsigned int		 n;

	hold_ticket = ticket;
	hold_count = 0;
	for (i = 0; ps != NULL && i < ps->n; i++) {
		p = &ps->v[i];
		if (p->desc.kind != RESPITE_PLUGIN_SINK)
			continue;
		current = p->name;
		p->desc.deliver(p->instance, s);
		current = NULL;
	}
	n = hold_count;
	hold_ticket = 0;
	hold_count = 0;
	return (n);
}

/* Where respite_sink_done() goes: fn(ticket, arg). */
void
plugins_set_sink_done(void (*fn)(uint64_t, void *), void *arg)
{
	sink_done_fn = fn;
	sink_done_arg = arg;
}

/*
 * The functions exported to plugins (plugin.h).
 */

/* The name of the loaded plugin whose code holds addr, or "?". */
static const char *
plugin_at(const void *addr)
{
	Dl_info	info;
	size_t	i;

	if (loaded == NULL || dladdr(addr, &info) == 0 ||
	    info.dli_fname == NULL)
		return ("?");
	for (i = 0; i < loaded->n; i++)
		if (loaded->v[i].path != NULL &&
		    strcmp(loaded->v[i].path, info.dli_fname) == 0)
			return (loaded->v[i].name);
	return ("?");
}

void
respite_log(int level, const char *fmt, ...)
{
	char		 buf[1024];
	const char	*who = current;
	va_list		 ap;

	if (who == NULL)
		who = plugin_at(__builtin_return_address(0));

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (level <= RESPITE_LOG_WARNING)
		log_warnx("plugin %s: %s", who, buf);
	else if (level >= RESPITE_LOG_DEBUG)
		log_debug("plugin %s: %s", who, buf);
	else
		log_info("plugin %s: %s", who, buf);
}

int
respite_error(char **error, const char *fmt, ...)
{
	va_list	ap;

	if (error == NULL)
		return (-1);
	va_start(ap, fmt);
	if (vasprintf(error, fmt, ap) == -1)
		*error = NULL;
	va_end(ap);
	return (-1);
}

const char *
respite_config_get(const struct respite_plugin_config *cf, const char *key)
{
	const char	*v = NULL;
	size_t		 i;

	for (i = 0; i < cf->nitems; i++)
		if (strcmp(cf->items[i].key, key) == 0)
			v = cf->items[i].value;
	return (v);
}

void
respite_sink_dropped(unsigned long n)
{
	const char	*who = current;

	if (who == NULL)
		who = plugin_at(__builtin_return_address(0));
	sinks_dropped(who, n, time_monotonic_s());
}

uint64_t
respite_sink_hold(void)
{
	if (hold_ticket == 0)
		return (0);
	hold_count++;
	return (hold_ticket);
}

void
respite_sink_done(uint64_t ticket)
{
	if (ticket != 0 && sink_done_fn != NULL)
		sink_done_fn(ticket, sink_done_arg);
}

const char *
respite_version(void)
{
	return (PACKAGE_VERSION);
}

struct event_base *
respite_event_base(void)
{
	return (event_base);
}

const void *
respite_install_secret(size_t *len)
{
	if (!install_secret_set) {
		if (len != NULL)
			*len = 0;
		return (NULL);
	}
	if (len != NULL)
		*len = sizeof install_secret;
	return (install_secret);
}

int
respite_read_secret(const char *key, const char *path, char **value,
    char **error)
{
	char	*cause = NULL;

	*value = NULL;
	if (secret_file_read(key != NULL ? key : "secret_file", path, value,
	    &cause) == -1) {
		if (error != NULL)
			*error = cause;
		else
			free(cause);
		return (-1);
	}
	return (0);
}

int
respite_config_secret(const struct respite_plugin_config *cf,
    const char *key, char **value, char **error)
{
	const char	*v, *f;
	char		 fkey[128];

	*value = NULL;
	if (strlen(key) + sizeof "_file" > sizeof fkey)
		return (respite_error(error, "%s: the key's name is too long",
		    key));
	snprintf(fkey, sizeof fkey, "%s_file", key);
	v = respite_config_get(cf, key);
	f = respite_config_get(cf, fkey);
	if (v != NULL && f != NULL)
		return (respite_error(error, "%s and %s are both set: keep "
		    "one (%s names a file whose first line is the secret)",
		    key, fkey, fkey));
	if (f != NULL)
		return (respite_read_secret(fkey, f, value, error));
	if (v != NULL)
		*value = xstrdup(v);
	return (0);
}
