/*
 * respite - the plugin ABI.
 *
 * A plugin is a shared object (a libtool module) that exports exactly one
 * symbol, the descriptor named by RESPITE_PLUGIN_SYMBOL, most easily made
 * with RESPITE_PLUGIN_DECLARE().  respited dlopen()s it, reads abi_version
 * first and refuses a plugin built for another major version before it
 * looks at anything else, then calls init() with the plugin's own
 * [plugin.NAME] configuration section.  What a plugin does after that
 * depends on its kind: a classifier scores message text, an adapter turns
 * a helpdesk's webhook payload into events, a sink receives suggestions.
 *
 * Rules of this contract (nginx NGX_MODULE_V1 is the model):
 * - Append-only.  New members go at the end of a struct and bump
 *   RESPITE_PLUGIN_ABI_MINOR; changing or removing anything bumps
 *   RESPITE_PLUGIN_ABI_VERSION, which makes every older plugin refused.
 * - Members a plugin leaves out are zero (designated initializers do it);
 *   the reserved slots must stay zero.
 * - Everything the daemon hands a callback is borrowed: valid only during
 *   the call, never to be kept.  Strings a plugin hands back through
 *   char **error are new strings allocated with malloc(3) (respite_error()
 *   makes one); the daemon frees them.
 * - Callbacks run on respited's one event-loop thread and must not block.
 *   Message text passed to a classifier must not be stored, copied beyond
 *   the call, or logged.
 *
 * This header includes only <respite/event.h>, <stddef.h> and <stdint.h>.
 * docs/plugins.md explains how to write a plugin; plugins/example/ is one.
 */
#ifndef RESPITE_PLUGIN_H
#define RESPITE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <respite/event.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Major: a plugin is loaded only by a daemon of the same major. */
#define RESPITE_PLUGIN_ABI_VERSION	1
/*
 * Minor: grows with appended members; a daemon loads minors <= its own.
 * 1: struct respite_suggestion gained updated_ms and change.
 * 2: respite_install_secret(), respite_config_secret(),
 *    respite_read_secret(), respite_sink_dropped().
 * 3: the source kind: struct respite_source, and start() and stop() in
 *    two of the descriptor's reserved slots.
 * 4: respite_sink_hold(), respite_sink_done().
 */
#define RESPITE_PLUGIN_ABI_MINOR	4
/* "RSPT", to tell a descriptor from a stray symbol of the same name. */
#define RESPITE_PLUGIN_MAGIC		0x52535054u
/* The one symbol a plugin exports. */
#define RESPITE_PLUGIN_SYMBOL		"respite_plugin"

enum respite_plugin_kind {
	RESPITE_PLUGIN_CLASSIFIER = 1,	/* scores message.received text */
	RESPITE_PLUGIN_ADAPTER = 2,	/* POST /v1/webhooks/NAME */
	RESPITE_PLUGIN_SINK = 3,	/* receives each suggestion */
	RESPITE_PLUGIN_SOURCE = 4	/* owns a connection on the loop and
					   emits events (ABI 1.3) */
};

/* Log levels of respite_log(), syslog's numbers. */
#define RESPITE_LOG_ERROR	3
#define RESPITE_LOG_WARNING	4
#define RESPITE_LOG_INFO	6
#define RESPITE_LOG_DEBUG	7

/*
 * One key = value line of the plugin's [plugin.NAME] section, in file
 * order (a key may repeat).  Borrowed: valid only during init().
 */
struct respite_config_item {
	const char	*key;
	const char	*value;
	int		 line;		/* in file, for messages */
};

/* The plugin's configuration section, as handed to init().  Borrowed. */
struct respite_plugin_config {
	const char				*name;	/* the plugin's name */
	const char				*file;	/* config file, or NULL */
	const struct respite_config_item	*items;
	size_t					 nitems;
};

/*
 * What a classifier found in one message.  The daemon zeroes it before
 * the call.
 */
struct respite_classification {
	double		severity;	/* 0 (harmless) .. 1 (worst) */
	unsigned int	categories;	/* RESPITE_CAT_* (event.h) */
	unsigned int	reserved[6];
};

/*
 * Adapter kind (POST /v1/webhooks/NAME; docs/plugins.md "Adapters").
 * Borrowed during the call.
 */
struct respite_webhook {
	const char	*method;
	const char	*path;		/* after /v1/webhooks/NAME, "" if none */
	const char	*query;		/* "" if none */
	const char	*body;		/* raw payload, not NUL-terminated */
	size_t		 body_len;
	int64_t		 now_ms;	/* time of receipt, epoch ms */
	/* A request header by name (case-insensitive), or NULL. */
	const char	*(*header)(const struct respite_webhook *,
			    const char *name);
	/*
	 * Hand one event to the daemon, which validates it as an event of
	 * POST /v1/events and copies it (and classifies and drops its text
	 * with the request).  ts_ms 0 means the time of receipt;
	 * received_ms is ignored.  Returns 0, or -1 with a new message in
	 * *error when the event is invalid: the whole request is then
	 * refused (400) and nothing of it stored.
	 */
	int		 (*emit)(const struct respite_webhook *,
			    const struct respite_event *, char **error);
	void		*daemon;	/* the daemon's; do not touch */
	void		*reserved[4];
};

/* An adapter's answer to one payload. */
enum respite_webhook_status {
	RESPITE_WEBHOOK_OK = 0,		/* emitted zero or more events */
	RESPITE_WEBHOOK_IGNORED = 1,	/* a payload kind we do not use: 202,
					   *error (optional) says why */
	RESPITE_WEBHOOK_BAD = 2,	/* malformed: 400 with *error */
	RESPITE_WEBHOOK_UNAUTHORIZED = 3 /* bad or missing signature: 401 */
};

/*
 * Sink kind: one suggestion (API.md "Suggestions") as it is after a
 * change, handed over once that change is stored.  Borrowed.
 */
struct respite_suggestion {
	const char	*id;
	const char	*kind;		/* recovery_break, micro_break, ... */
	const char	*agent;
	const char	*team;		/* "" if none */
	const char	*status;
	const char	*priority;
	const char	*audience;	/* agent or lead */
	const char	*reason;
	int		 minutes;	/* 0 if none */
	int64_t		 created_ms;
	const char	*json;		/* the full API object */
	size_t		 json_len;
	void		*reserved[4];
	/* ABI 1.1 */
	int64_t		 updated_ms;	/* when this change happened */
	/*
	 * What changed: "raised" (new), "reopened" (back from a snooze),
	 * "answered" (accepted, snoozed or dismissed), "expired".
	 */
	const char	*change;
};

/*
 * ABI 1.3, source kind (docs/plugins.md "Sources"): what start() gets,
 * valid until stop() returns.  A source owns its connections on the
 * daemon's loop (respite_event_base()) and hands the events it makes
 * to the daemon through submit; it must never block.
 */
struct respite_source {
	/*
	 * Hand n events to the daemon, which validates them as one batch
	 * of POST /v1/events (all or nothing), classifies and drops any
	 * text, and stores them with the next group commit; a repeated id
	 * is a duplicate, stored once.  ts_ms 0 means now.  Returns 0 once
	 * queued, or -1 with a new message in *error (nothing of the
	 * batch is stored) when an event is invalid, a capacity is full or
	 * the daemon is stopping.  A storage failure is the daemon's to
	 * log.
	 */
	int		 (*submit)(const struct respite_source *,
			    const struct respite_event *ev, size_t n,
			    char **error);
	/*
	 * Set a field of this plugin in GET /healthz, "plugins": {"NAME":
	 * {"key": "value"}}; value NULL removes it.  Both are copied; keys
	 * up to 32 bytes, values up to 64, at most 8 keys.  /healthz stays
	 * 200 whatever a source says: it reports, it does not judge.
	 */
	void		 (*health)(const struct respite_source *,
			    const char *key, const char *value);
	void		*daemon;	/* the daemon's; do not touch */
	void		*reserved[4];
};

/*
 * The descriptor.  The first four members are the header that never
 * moves; RESPITE_PLUGIN_DECLARE fills them in.
 */
struct respite_plugin {
	uint32_t	 abi_version;	/* RESPITE_PLUGIN_ABI_VERSION */
	uint32_t	 abi_minor;	/* RESPITE_PLUGIN_ABI_MINOR */
	uint32_t	 magic;		/* RESPITE_PLUGIN_MAGIC */
	uint32_t	 size;		/* sizeof (struct respite_plugin) */

	const char	*name;		/* [a-z0-9_-], also the file name */
	uint32_t	 kind;		/* enum respite_plugin_kind */
	const char	*description;	/* one line, for logs; may be NULL */

	/*
	 * Called once at start-up (and by `respited -t`) with the plugin's
	 * section.  On success returns 0 and sets *instance (any pointer,
	 * NULL too, handed back to every callback).  On failure returns -1
	 * and sets *error to a new malloc'd message, which stops start-up:
	 * say what is wrong and which key to fix.
	 */
	int		 (*init)(const struct respite_plugin_config *cf,
			    void **instance, char **error);
	/* Frees everything of instance.  May be NULL. */
	void		 (*fini)(void *instance);
	/*
	 * On SIGHUP, with the new section: returns 0 once instance uses it,
	 * or -1 with *error (instance unchanged: it keeps its old settings).
	 * NULL means a change to the section needs a restart.
	 */
	int		 (*reload)(void *instance,
			    const struct respite_plugin_config *cf,
			    char **error);

	/*
	 * Classifier: score text (len bytes of UTF-8, not NUL-terminated)
	 * into out.  lang is the event's BCP 47 tag or "" when unknown.
	 * Returns 0, or -1 if the plugin could not judge (out is ignored).
	 * Must not keep, copy or log text.
	 */
	int		 (*classify)(void *instance, const char *text,
			    size_t len, const char *lang,
			    struct respite_classification *out);

	/*
	 * Adapter: turn one webhook payload into events through req->emit.
	 * Returns an enum respite_webhook_status; for IGNORED, BAD and
	 * UNAUTHORIZED *error may hold a new message for the client (never
	 * message text).
	 */
	int		 (*webhook)(void *instance,
			    const struct respite_webhook *req, char **error);

	/* Sink: one suggestion was raised or changed.  Must not block. */
	void		 (*deliver)(void *instance,
			    const struct respite_suggestion *s);

	/*
	 * ABI 1.3, source: called once respited's loop and storage are
	 * ready (never by `respited -t`), after init: start connecting
	 * (without blocking: a connection is made on the loop) and keep
	 * src for submit and health.  Returns 0, or -1 with *error, which
	 * stops start-up.  Required for a source.
	 */
	int		 (*start)(void *instance,
			    const struct respite_source *src, char **error);
	/*
	 * ABI 1.3, source: respited is stopping; close connections and
	 * timers.  src is not to be used after it returns (submit fails
	 * from here on).  fini() comes later.  May be NULL.
	 */
	void		 (*stop)(void *instance);

	/* Reserved for later members of ABI 1.x: leave zero. */
	void		*reserved[6];
};

/*
 * Declare the plugin's descriptor: the arguments are designated
 * initializers of struct respite_plugin, for example
 *
 *	RESPITE_PLUGIN_DECLARE(
 *		.name = "example",
 *		.kind = RESPITE_PLUGIN_CLASSIFIER,
 *		.init = example_init,
 *		.fini = example_fini,
 *		.classify = example_classify);
 */
#if defined(__GNUC__)
#define RESPITE_PLUGIN_EXPORT	__attribute__((visibility("default")))
#else
#define RESPITE_PLUGIN_EXPORT
#endif
#define RESPITE_PLUGIN_DECLARE(...)					\
	extern RESPITE_PLUGIN_EXPORT const struct respite_plugin	\
	    respite_plugin;						\
	RESPITE_PLUGIN_EXPORT const struct respite_plugin respite_plugin = { \
		.abi_version = RESPITE_PLUGIN_ABI_VERSION,		\
		.abi_minor = RESPITE_PLUGIN_ABI_MINOR,			\
		.magic = RESPITE_PLUGIN_MAGIC,				\
		.size = sizeof (struct respite_plugin),			\
		__VA_ARGS__						\
	}

/*
 * Functions respited exports to its plugins.
 */

/*
 * Log a line through the daemon's log (journal or stderr), prefixed with
 * the plugin's name.  level: RESPITE_LOG_*.  Never log message text.
 * Control characters, invalid UTF-8 and characters that reorder a line
 * are escaped (\n, \xNN, \uNNNN), so a value from a payload can be
 * logged as it is: it cannot split the line or forge another.
 */
void		 respite_log(int level, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Set *error to a new malloc'd message (for init, reload, webhook).
 * Returns -1, so `return (respite_error(error, "..."));` reads well.
 */
int		 respite_error(char **error, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * The value of the last key in cf (borrowed), or NULL if not given.
 */
const char	*respite_config_get(const struct respite_plugin_config *cf,
		    const char *key);

/* The daemon's version string ("0.1.0"). */
const char	*respite_version(void);

/*
 * The daemon's libevent loop, as a struct event_base * for plugins that
 * use libevent (sinks with network I/O).  Borrowed.
 */
struct event_base;
struct event_base *respite_event_base(void);

/*
 * ABI 1.2: the installation's secret, random bytes made at respited's
 * first start and kept (mode 0600) next to its database; *len gets
 * their number (32).  Key an HMAC with it where the input could be
 * guessed and tested against what is stored (a hash of a short message
 * text): the plugin's name or a key from the world-readable config is
 * no secret.  Borrowed for the daemon's lifetime; never log or send it.
 * NULL (*len 0) only in a program that set none (a test).
 */
const void	*respite_install_secret(size_t *len);

/*
 * ABI 1.2: a secret setting with its file twin.  key (e.g. "secret")
 * may be given in cf as it is, or as key_file ("secret_file") naming a
 * file whose first line is the secret; a relative name is looked up in
 * $CREDENTIALS_DIRECTORY (systemd's LoadCredential=).  Both set is an
 * error.  Returns 0 with *value a new malloc'd string, NULL when
 * neither is set (wipe it with explicit_bzero() before free()); or -1
 * with a new message in *error, which names the file but never quotes
 * it.  Call it from init and reload, so that a file that cannot be read
 * stops start-up and `respited -t`.
 */
int		 respite_config_secret(const struct respite_plugin_config *cf,
		    const char *key, char **value, char **error);

/*
 * ABI 1.2: the first line of the secret file path into *value (new,
 * malloc'd), looked up as respite_config_secret() does; key names the
 * setting in messages ("header_file").  For keys that may repeat.
 * Returns 0, or -1 with *error.
 */
int		 respite_read_secret(const char *key, const char *path,
		    char **value, char **error);

/*
 * A sink dropped n suggestion changes undelivered (its queue was full,
 * or it gave up after its retries).  The daemon counts them for
 * /metrics (respite_sink_dropped_total{sink="NAME"}) and logs the count
 * at most once a minute while it goes on.  ABI 1.2.
 */
void		 respite_sink_dropped(unsigned long n);

/*
 * ABI 1.4, for a sink that delivers later (a queue): called in deliver(),
 * it takes the change on, to be confirmed with respite_sink_done() once
 * this copy of it was delivered or given up on (dropped, and counted with
 * respite_sink_dropped()); never at shutdown.  Returns the ticket to
 * confirm it with, 0 if nothing waits for it (a single node: the
 * daemon's own database holds the change).  In cluster mode the leader
 * confirms a change to the other nodes only once every sink that took it
 * on confirmed it, so a change a leader died before delivering is sent
 * by the next one (at least once: the same change may reach a receiver
 * twice).  A sink that does not call it counts as done when deliver()
 * returns.
 */
uint64_t	 respite_sink_hold(void);
/* ABI 1.4: the copy of respite_sink_hold()'s ticket is done (0: none). */
void		 respite_sink_done(uint64_t ticket);

#ifdef __cplusplus
}
#endif

#endif /* RESPITE_PLUGIN_H */
