/*
 * respite - what the helpdesk adapters share (plugins/common/webhook.c).
 *
 * A small convenience library linked into each adapter module (zammad,
 * chatwoot, zendesk, freshdesk) and into their unit tests: the keys every
 * [plugin.NAME] section of an adapter takes, signature checks (HMAC with
 * nettle, compared in constant time), reading JSON by dotted path, vendor
 * time stamps, HTML to plain text, agent ids and channels, and building
 * and emitting events.  Nothing here keeps or logs message text.
 */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <respite/plugin.h>

/* The longest digest of wh_hmac(). */
#define WH_DIGEST_MAX	32

/*
 * Longest handling time an adapter derives (accounted, or a live span
 * under max_duration): a year.  Email and social threads span days
 * (issue 13); the core takes any duration_s >= 0 and the model counts
 * only what falls in its windows.
 */
#define WH_DURATION_MAX	(365 * 86400.0)

/* Which of a vendor's user fields names the agent (agent_field). */
enum wh_field {
	WH_EMAIL = 0,
	WH_LOGIN,
	WH_ID,
	WH_NAME,
	WH_NFIELDS
};

/* A helpdesk user as a payload describes it; absent fields are NULL. */
struct wh_person {
	const char	*v[WH_NFIELDS];
};

/* One line of an agents file: a vendor key mapped to our agent (team). */
struct wh_agent_entry {
	char	*key;
	char	*agent;
	char	*team;		/* "" if none */
};

/*
 * The settings every adapter takes from its [plugin.NAME] section (see
 * respite.conf(5)).  A plugin names its own further keys to
 * wh_config_parse() and reads them itself.
 */
struct wh_config {
	char			*name;		/* the plugin's name */
	char			*secret;	/* NULL: requests are not checked */
	size_t			 secret_len;
	enum wh_field		 field;		/* agent_field */
	int			 unmapped_ignore; /* unmapped = ignore */
	char			*agents_file;
	struct wh_agent_entry	*agents;	/* sorted by key */
	size_t			 nagents;
	int64_t			 max_age_ms;	/* freshness window, 0: off */
	double			 max_duration_s; /* live span cap, 0: off */
	/* Keys wh_text_id(): the installation secret. */
	uint8_t			 text_key[WH_DIGEST_MAX];
	size_t			 text_key_len;
};

/* The outcome of one payload while an adapter works on it. */
struct wh_result {
	const struct respite_webhook	*req;
	const struct wh_config		*cf;
	int				 emitted;
	char				*reason;	/* why nothing was used */
};

/* Digests for wh_hmac(). */
enum wh_hash {
	WH_SHA1 = 1,
	WH_SHA256
};

int		 wh_config_parse(const struct respite_plugin_config *,
		    const char *const *, struct wh_config *, char **);
void		 wh_config_clear(struct wh_config *);
void		 wh_config_warn(const struct wh_config *, const char *);
int		 wh_plain_init(const struct respite_plugin_config *,
		    const char *, void **, char **);
void		 wh_plain_fini(void *);
int		 wh_plain_reload(void *, const struct respite_plugin_config *,
		    char **);
int		 wh_agents_load(const char *, struct wh_agent_entry **,
		    size_t *, char **);

size_t		 wh_hmac(enum wh_hash, const char *, size_t, const void *,
		    size_t, const void *, size_t, uint8_t *);
int		 wh_hex_decode(const char *, uint8_t *, size_t);
int		 wh_base64_decode(const char *, uint8_t *, size_t);
int		 wh_equal(const void *, size_t, const void *, size_t);
int		 wh_check_hmac_hex(const struct wh_config *, enum wh_hash,
		    const char *, const char *, const void *, size_t,
		    const void *, size_t);
int		 wh_check_secret(const struct wh_config *, const char *);
int		 wh_check_fresh(const struct wh_config *, int64_t, int64_t,
		    char **);
int		 wh_unauthorized(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

json_t		*wh_parse(const struct respite_webhook *, char **);
json_t		*wh_get(json_t *, const char *);
const char	*wh_str(json_t *, const char *);
const char	*wh_scalar(json_t *, const char *, char *, size_t);
int		 wh_bool(json_t *, const char *);
int		 wh_time(json_t *, const char *, int64_t *);
int		 wh_time_parse(const char *, int64_t *);
int		 wh_strcaseeq(const char *, const char *);

char		*wh_text(const char *, size_t, int, size_t *);
void		 wh_text_free(char *, size_t);
int		 wh_agent_id(const char *, char *, size_t);
int		 wh_agent(const struct wh_config *, const struct wh_person *,
		    char *, size_t, char *, size_t);

/* One entry of a vendor's channel table: a substring, our channel. */
struct wh_channel_map {
	const char		*match;
	enum respite_channel	 channel;
};
enum respite_channel wh_channel(const struct wh_channel_map *, const char *);
int		 wh_live_channel(enum respite_channel);
double		 wh_duration(const struct wh_config *, enum respite_channel,
		    int64_t, int64_t, double);

void		 wh_result_init(struct wh_result *,
		    const struct respite_webhook *, const struct wh_config *);
void		 wh_ignore(struct wh_result *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 wh_finish(struct wh_result *, char **);
void		 wh_event_init(struct respite_event *, enum respite_event_type,
		    enum respite_channel, int64_t);
void		 wh_event_id(const struct wh_config *, struct respite_event *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 wh_text_id(const struct wh_config *, const char *,
		    const char *, size_t, char *, size_t);
int		 wh_emit(struct wh_result *, struct respite_event *,
		    const struct wh_person *, char **);
int		 wh_emit_message(struct wh_result *, struct respite_event *,
		    const struct wh_person *, const char *, size_t, int,
		    char **);

#endif
