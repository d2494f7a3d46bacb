/*
 * respite - configuration.
 *
 * One INI file, parsed with libinih.  Every key is listed once in
 * config_keys[] with its type, bounds and whether a running daemon can take
 * a new value on SIGHUP; docs/configuration.md and respite.conf(5)
 * document the same table.  Unknown sections or keys and bad values are
 * errors with the file and line.  Debian's inih is built without line
 * numbers in the handler, so we feed it lines through our own reader,
 * which counts them: the handler records its first message with that
 * line, and ini_parse_stream() returns the line of the first error of any
 * kind (a syntax error may come first).
 * The reader also refuses lines longer than inih's line buffer, which inih
 * would otherwise cut short without a word.
 */
#include "build.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/util.h>
#include <ini.h>

#include "config.h"
#include "log.h"
#include "origin.h"
#include "timeutil.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/respite"
#endif

enum config_type {
	CT_LISTEN,
	CT_PATH,
	CT_SIZE,	/* bytes, with an optional K, M or G suffix (powers of 2) */
	CT_COUNT,
	CT_SECONDS,	/* with an optional s, m or h suffix */
	CT_SYNC,
	CT_LOGLEVEL,
	CT_TZ,
	CT_CLOCK,	/* HH:MM, stored as minutes */
	CT_REAL,
	CT_PLUGINS,	/* plugin names, space- or comma-separated; appends */
	CT_LEADVIEW,	/* individual | aggregate, stored as 0 | 1 */
	CT_ORIGINS,	/* origins, space- or comma-separated; appends */
	CT_NATS,	/* NATS URLs, space- or comma-separated; appends */
	CT_NAME		/* 1-64 of [A-Za-z0-9_-] */
};

struct config_key {
	const char		*section;
	const char		*name;
	enum config_type	 type;
	size_t			 offset;
	double			 min, max;
	int			 restart;	/* needs a restart to change */
};

#define OFF(m) offsetof(struct config, m)
static const struct config_key config_keys[] = {
	{ "server", "listen", CT_LISTEN, OFF(listen), 0, 0, 1 },
	{ "server", "max_body", CT_SIZE, OFF(max_body), 1024, 1024.0 * 1024 * 1024, 0 },
	{ "server", "max_batch", CT_COUNT, OFF(max_batch), 1, 1000000, 0 },
	{ "server", "max_agents", CT_COUNT, OFF(max_agents), 1, 100000000, 0 },
	{ "server", "max_teams", CT_COUNT, OFF(max_teams), 1, 10000000, 0 },
	{ "server", "max_connections", CT_COUNT, OFF(max_connections), 1, 100000, 0 },
	{ "server", "max_clock_skew", CT_SECONDS, OFF(max_clock_skew_s), 0, 86400, 0 },
	{ "server", "idle_timeout", CT_SECONDS, OFF(idle_timeout_s), 1, 3600, 0 },
	{ "server", "request_timeout", CT_SECONDS, OFF(request_timeout_s), 1, 3600, 0 },
	{ "server", "allow_origins", CT_ORIGINS, OFF(allow_origins), 0, 0, 0 },
	{ "server", "max_streams_per_token", CT_COUNT, OFF(max_streams_per_token), 1, 1000000, 0 },
	{ "server", "header_timeout", CT_SECONDS, OFF(header_timeout_s), 1, 3600, 0 },
	{ "server", "max_unsent", CT_SIZE, OFF(max_unsent), 4096, 1024.0 * 1024 * 1024, 0 },
	{ "server", "max_unsent_total", CT_SIZE, OFF(max_unsent_total), 4096, 64.0 * 1024 * 1024 * 1024, 0 },
	{ "storage", "path", CT_PATH, OFF(storage_path), 0, 0, 1 },
	{ "storage", "synchronous", CT_SYNC, OFF(sync_full), 0, 0, 1 },
	{ "storage", "commit_max_events", CT_COUNT, OFF(commit_max_events), 1, 1000000, 0 },
	{ "stream", "max_subscribers", CT_COUNT, OFF(stream_max_subscribers), 0, 1000000, 0 },
	{ "stream", "buffer", CT_SIZE, OFF(stream_buffer), 1024, 1024.0 * 1024 * 1024, 0 },
	{ "log", "level", CT_LOGLEVEL, OFF(log_level), 0, 0, 0 },
	{ "auth", "tokens_file", CT_PATH, OFF(tokens_file), 0, 0, 0 },
	{ "auth", "rate", CT_REAL, OFF(auth_rate), 0, 100000, 0 },
	{ "auth", "burst", CT_REAL, OFF(auth_burst), 1, 100000, 0 },
	{ "privacy", "lead_view", CT_LEADVIEW, OFF(lead_aggregate), 0, 0, 0 },
	{ "privacy", "min_group", CT_COUNT, OFF(min_group), 1, 1000, 0 },
	{ "privacy", "aggregate_refresh_min", CT_COUNT, OFF(aggregate_refresh_min), 1, 1440, 0 },
	{ "privacy", "audit_repeat_min", CT_COUNT, OFF(audit_repeat_min), 0, 1440, 0 },
	{ "retention", "events_days", CT_REAL, OFF(keep_events_days), 0, 36500, 0 },
	{ "retention", "suggestions_days", CT_REAL, OFF(keep_suggestions_days), 0, 36500, 0 },
	{ "retention", "stream_days", CT_REAL, OFF(keep_stream_days), 0, 36500, 0 },
	{ "retention", "audit_days", CT_REAL, OFF(keep_audit_days), 0, 36500, 0 },
	{ "retention", "days_days", CT_REAL, OFF(keep_days_days), 0, 36500, 0 },
	{ "model", "timezone", CT_TZ, OFF(timezone), 0, 0, 0 },
	{ "model", "day_starts_at", CT_CLOCK, OFF(day_starts_at_min), 0, 0, 0 },
	{ "model", "natural_break_min", CT_COUNT, OFF(natural_break_min), 1, 120, 0 },
	{ "model", "sustainable_load_per_hour", CT_REAL, OFF(sustainable_load_per_hour), 1, 1000, 0 },
	{ "model", "hostile_threshold", CT_REAL, OFF(hostile_threshold), 0, 1, 0 },
	{ "model", "exposure_half_life_min", CT_REAL, OFF(exposure_half_life_min), 1, 1440, 0 },
	{ "model", "weight_phone", CT_REAL, OFF(weight_phone), 0, 10, 0 },
	{ "model", "weight_chat", CT_REAL, OFF(weight_chat), 0, 10, 0 },
	{ "model", "weight_email", CT_REAL, OFF(weight_email), 0, 10, 0 },
	{ "model", "weight_social", CT_REAL, OFF(weight_social), 0, 10, 0 },
	{ "model", "weight_messaging", CT_REAL, OFF(weight_messaging), 0, 10, 0 },
	{ "model", "weight_other", CT_REAL, OFF(weight_other), 0, 10, 0 },
	{ "model", "intensity_low", CT_REAL, OFF(m_intensity_low), 0, 10, 0 },
	{ "model", "intensity_high", CT_REAL, OFF(m_intensity_high), 0, 10, 0 },
	{ "model", "weight_intensity", CT_REAL, OFF(m_weight_intensity), 0, 1, 0 },
	{ "model", "occupancy_low", CT_REAL, OFF(m_occupancy_low), 0, 1, 0 },
	{ "model", "occupancy_high", CT_REAL, OFF(m_occupancy_high), 0, 1, 0 },
	{ "model", "weight_occupancy", CT_REAL, OFF(m_weight_occupancy), 0, 1, 0 },
	{ "model", "continuous_high_min", CT_REAL, OFF(m_continuous_high_min), 1, 1440, 0 },
	{ "model", "weight_continuous", CT_REAL, OFF(m_weight_continuous), 0, 1, 0 },
	{ "model", "exposure_high", CT_REAL, OFF(m_exposure_high), 0.01, 100, 0 },
	{ "model", "weight_exposure", CT_REAL, OFF(m_weight_exposure), 0, 1, 0 },
	{ "model", "level_elevated", CT_REAL, OFF(m_level_elevated), 0, 100, 0 },
	{ "model", "level_high", CT_REAL, OFF(m_level_high), 0, 100, 0 },
	{ "model", "level_critical", CT_REAL, OFF(m_level_critical), 0, 100, 0 },
	{ "model", "level_hysteresis", CT_REAL, OFF(m_level_hysteresis), 0, 50, 0 },
	{ "advice", "recovery_severity", CT_REAL, OFF(a_recovery_severity), 0, 1, 0 },
	{ "advice", "recovery_exposure", CT_REAL, OFF(a_recovery_exposure), 0, 100, 0 },
	{ "advice", "recovery_clear_exposure", CT_REAL, OFF(a_recovery_clear_exposure), 0, 100, 0 },
	{ "advice", "recovery_quiet_min", CT_REAL, OFF(a_recovery_quiet_min), 0, 1440, 0 },
	{ "advice", "recovery_hold_max_min", CT_REAL, OFF(a_recovery_hold_max_min), 0, 120, 0 },
	{ "advice", "recovery_min_minutes", CT_REAL, OFF(a_recovery_min_minutes), 1, 60, 0 },
	{ "advice", "recovery_max_minutes", CT_REAL, OFF(a_recovery_max_minutes), 1, 60, 0 },
	{ "advice", "micro_break_after_min", CT_REAL, OFF(a_micro_break_after_min), 1, 1440, 0 },
	{ "advice", "micro_break_minutes", CT_REAL, OFF(a_micro_break_minutes), 1, 120, 0 },
	{ "advice", "rest_break_after_min", CT_REAL, OFF(a_rest_break_after_min), 1, 1440, 0 },
	{ "advice", "rest_break_minutes", CT_REAL, OFF(a_rest_break_minutes), 1, 120, 0 },
	{ "advice", "rest_worked_today_min", CT_REAL, OFF(a_rest_worked_today_min), 1, 1440, 0 },
	{ "advice", "rest_breaks_today_min", CT_REAL, OFF(a_rest_breaks_today_min), 0, 1440, 0 },
	{ "advice", "snooze_default_min", CT_REAL, OFF(a_snooze_default_min), 1, 120, 0 },
	{ "advice", "snooze_max_min", CT_REAL, OFF(a_snooze_max_min), 1, 120, 0 },
	{ "advice", "snooze_max_times", CT_REAL, OFF(a_snooze_max_times), 0, 10, 0 },
	{ "advice", "dismiss_cooldown_min", CT_REAL, OFF(a_dismiss_cooldown_min), 0, 1440, 0 },
	{ "advice", "max_per_hour", CT_REAL, OFF(a_max_per_hour), 1, 60, 0 },
	{ "advice", "rebalance_after_min", CT_REAL, OFF(a_rebalance_after_min), 0, 1440, 0 },
	{ "advice", "rebalance_min_open", CT_REAL, OFF(a_rebalance_min_open), 1, 1000, 0 },
	{ "advice", "rebalance_max_move", CT_REAL, OFF(a_rebalance_max_move), 1, 1000, 0 },
	{ "advice", "rebalance_channel_minutes", CT_REAL, OFF(a_rebalance_channel_minutes), 1, 1440, 0 },
	{ "advice", "overload_strain", CT_REAL, OFF(a_overload_strain), 0, 100, 0 },
	{ "advice", "overload_after_min", CT_REAL, OFF(a_overload_after_min), 0, 1440, 0 },
	{ "advice", "live_window_min", CT_REAL, OFF(a_live_window_min), 1, 1440, 0 },
	{ "cluster", "nats", CT_NATS, OFF(cluster_nats), 0, 0, 1 },
	{ "cluster", "node", CT_NAME, OFF(cluster_node), 0, 0, 1 },
	{ "cluster", "stream", CT_NAME, OFF(cluster_stream), 0, 0, 1 },
	{ "cluster", "replicas", CT_COUNT, OFF(cluster_replicas), 1, 5, 1 },
	{ "cluster", "ack_timeout_ms", CT_COUNT, OFF(cluster_ack_timeout_ms), 100, 600000, 1 },
	{ "cluster", "lease_ms", CT_COUNT, OFF(cluster_lease_ms), 1000, 600000, 1 },
	{ "trend", "high_strain_min", CT_REAL, OFF(t_high_strain_min), 1, 1440, 0 },
	{ "trend", "high_strain_margin", CT_REAL, OFF(t_high_strain_margin), 0, 7, 0 },
	{ "trend", "hostile_factor", CT_REAL, OFF(t_hostile_factor), 1, 100, 0 },
	{ "trend", "hostile_min", CT_REAL, OFF(t_hostile_min), 1, 100000, 0 },
	{ "trend", "breaks_skipped_share", CT_REAL, OFF(t_breaks_skipped_share), 0, 100, 0 },
	{ "trend", "breaks_skipped_min", CT_REAL, OFF(t_breaks_skipped_min), 1, 10000, 0 },
	{ "trend", "breaks_skipped_margin", CT_REAL, OFF(t_breaks_skipped_margin), 0, 100, 0 },
	{ "trend", "long_day_min", CT_REAL, OFF(t_long_day_min), 60, 1440, 0 },
	{ "trend", "long_stretch_min", CT_REAL, OFF(t_long_stretch_min), 30, 1440, 0 },
	{ "trend", "long_stretch_days", CT_REAL, OFF(t_long_stretch_days), 1, 7, 0 },
	{ "plugins", "dir", CT_PATH, OFF(plugins_dir), 0, 0, 1 },
	{ "plugins", "load", CT_PLUGINS, OFF(plugins_load), 0, 0, 1 },
};
#undef OFF

struct config_parse {
	struct config	*cf;
	char		*cause;		/* first error, without FILE:LINE */
	int		 cause_line;	/* its line */
	int		 listen_given;	/* the first listen line replaces the default */
	FILE		*f;
	int		 line;		/* lines read so far */
	int		 read_errno;	/* a read failed (a directory, say) */
};

const char *
config_default_storage_path(void)
{
	static char	 path[4096];
	const char	*dir;

	/* systemd's StateDirectory= and `make run` set STATE_DIRECTORY. */
	if ((dir = getenv("STATE_DIRECTORY")) != NULL && *dir != '\0') {
		/* It may hold several colon-separated paths; use the first. */
		snprintf(path, sizeof path, "%.*s/respite.db",
		    (int)strcspn(dir, ":"), dir);
		return (path);
	}
	return (LOCALSTATEDIR "/lib/respite/respite.db");
}

/*
 * Parse a listen address ("127.0.0.1:7878", "[::1]:7878", "*:7878") into
 * ss (may be NULL to only check it).  Returns 0 or -1.
 */
int
config_listen_addr(const char *spec, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_storage	 tmp;
	char			*s;
	int			 n = sizeof tmp, rc;

	if (strncmp(spec, "*:", 2) == 0)
		xasprintf(&s, "0.0.0.0:%s", spec + 2);
	else
		s = xstrdup(spec);
	memset(&tmp, 0, sizeof tmp);
	rc = evutil_parse_sockaddr_port(s, (struct sockaddr *)&tmp, &n);
	free(s);
	/* libevent takes a missing port as 0; we want one. */
	if (rc != 0 || (tmp.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&tmp)->sin_port == 0) ||
	    (tmp.ss_family == AF_INET6 &&
	    ((struct sockaddr_in6 *)&tmp)->sin6_port == 0))
		return (-1);
	if (ss != NULL) {
		*ss = tmp;
		*len = (socklen_t)n;
	}
	return (0);
}

struct config *
config_defaults(void)
{
	struct config	*cf;

	cf = xcalloc(1, sizeof *cf);
	cf->listen[0] = xstrdup("127.0.0.1:7878");
	cf->nlisten = 1;
	cf->max_body = 4 * 1024 * 1024;
	cf->max_batch = 10000;
	cf->max_agents = 100000;
	cf->max_teams = 10000;
	cf->max_connections = 1024;
	cf->max_clock_skew_s = 300;
	cf->idle_timeout_s = 60;
	cf->request_timeout_s = 30;
	cf->max_streams_per_token = 8;
	cf->header_timeout_s = 10;
	cf->max_unsent = 64 * 1024;
	cf->max_unsent_total = 16 * 1024 * 1024;
	cf->storage_path = xstrdup(config_default_storage_path());
	cf->sync_full = 1;
	cf->commit_max_events = 20000;
	cf->stream_max_subscribers = 1000;
	cf->stream_buffer = 256 * 1024;
	cf->log_level = LOG_LEVEL_INFO;
	cf->tokens_file = xstrdup(SYSCONFDIR "/respite/tokens");
	cf->auth_rate = 50;
	cf->auth_burst = 100;
	cf->lead_aggregate = 0;
	cf->min_group = 5;
	cf->aggregate_refresh_min = 15;
	cf->audit_repeat_min = 60;
	cf->keep_events_days = 30;
	cf->keep_suggestions_days = 30;
	cf->keep_stream_days = 2;
	cf->keep_audit_days = 365;
	cf->keep_days_days = 400;
	cf->timezone = xstrdup("UTC");
	cf->day_starts_at_min = 4 * 60;
	cf->natural_break_min = 5;
	cf->sustainable_load_per_hour = 12;
	cf->hostile_threshold = 0.5;
	cf->exposure_half_life_min = 30;
	cf->weight_phone = 1.5;
	cf->weight_chat = 1.0;
	cf->weight_email = 0.7;
	cf->weight_social = 1.0;
	cf->weight_messaging = 0.9;
	cf->weight_other = 1.0;
	cf->m_intensity_low = 0.5;
	cf->m_intensity_high = 1.5;
	cf->m_weight_intensity = 0.3;
	cf->m_occupancy_low = 0.6;
	cf->m_occupancy_high = 0.95;
	cf->m_weight_occupancy = 0.25;
	cf->m_continuous_high_min = 120;
	cf->m_weight_continuous = 0.2;
	cf->m_exposure_high = 2.0;
	cf->m_weight_exposure = 0.25;
	cf->m_level_elevated = 40;
	cf->m_level_high = 60;
	cf->m_level_critical = 80;
	cf->m_level_hysteresis = 5;
	cf->a_recovery_severity = 0.8;
	cf->a_recovery_exposure = 1.5;
	cf->a_recovery_clear_exposure = 0.75;
	cf->a_recovery_quiet_min = 30;
	cf->a_recovery_hold_max_min = 10;
	cf->a_recovery_min_minutes = 1;
	cf->a_recovery_max_minutes = 5;
	cf->a_micro_break_after_min = 50;
	cf->a_micro_break_minutes = 5;
	cf->a_rest_break_after_min = 110;
	cf->a_rest_break_minutes = 15;
	cf->a_rest_worked_today_min = 330;
	cf->a_rest_breaks_today_min = 30;
	cf->a_snooze_default_min = 10;
	cf->a_snooze_max_min = 30;
	cf->a_snooze_max_times = 2;
	cf->a_dismiss_cooldown_min = 20;
	cf->a_max_per_hour = 4;
	cf->a_rebalance_after_min = 10;
	cf->a_rebalance_min_open = 2;
	cf->a_rebalance_max_move = 3;
	cf->a_rebalance_channel_minutes = 30;
	cf->a_overload_strain = 60;
	cf->a_overload_after_min = 15;
	cf->a_live_window_min = 15;
	cf->cluster_stream = xstrdup("RESPITE");
	cf->cluster_replicas = 3;
	cf->cluster_ack_timeout_ms = 5000;
	cf->cluster_lease_ms = 5000;
	cf->t_high_strain_min = 30;
	cf->t_high_strain_margin = 2;
	cf->t_hostile_factor = 2;
	cf->t_hostile_min = 5;
	cf->t_breaks_skipped_share = 60;
	cf->t_breaks_skipped_min = 5;
	cf->t_breaks_skipped_margin = 20;
	cf->t_long_day_min = 600;
	cf->t_long_stretch_min = 360;
	cf->t_long_stretch_days = 3;
	cf->plugins_dir = xstrdup(PKGLIBDIR);
	return (cf);
}

void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nlisten; i++)
		free(cf->listen[i]);
	free(cf->storage_path);
	free(cf->tokens_file);
	free(cf->timezone);
	free(cf->file);
	free(cf->plugins_dir);
	for (i = 0; i < cf->nplugins_load; i++)
		free(cf->plugins_load[i]);
	free(cf->plugins_load);
	for (i = 0; i < cf->nallow_origins; i++)
		free(cf->allow_origins[i]);
	free(cf->allow_origins);
	for (i = 0; i < cf->ncluster_nats; i++)
		free(cf->cluster_nats[i]);
	free(cf->cluster_nats);
	free(cf->cluster_node);
	free(cf->cluster_stream);
	for (i = 0; i < cf->nplugin_sections; i++) {
		struct config_section	*sec = &cf->plugin_sections[i];
		size_t			 j;

		for (j = 0; j < sec->nitems; j++) {
			free(sec->items[j].key);
			free(sec->items[j].value);
		}
		free(sec->items);
		free(sec->name);
	}
	free(cf->plugin_sections);
	free(cf);
}

/* A plugin name: 1-64 of [a-z0-9_-], also its file and webhook path. */
int
config_plugin_name_valid(const char *name)
{
	size_t	n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return (n > 0 && n <= CONFIG_PLUGIN_NAME_MAX && name[n] == '\0');
}

/* The [plugin.NAME] section (borrowed), or NULL if there is none. */
const struct config_section *
config_plugin_section(const struct config *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->nplugin_sections; i++)
		if (strcmp(cf->plugin_sections[i].name, name) == 0)
			return (&cf->plugin_sections[i]);
	return (NULL);
}

/* [plugins] load: append each name of value. */
static int
config_set_plugins(struct config_parse *cp, const char *value)
{
	struct config	*cf = cp->cf;
	char		*copy, *p, *name;
	size_t		 i;

	copy = xstrdup(value);
	for (p = copy; (name = strsep(&p, " \t,")) != NULL;) {
		if (*name == '\0')
			continue;
		if (!config_plugin_name_valid(name)) {
			xasprintf(&cp->cause, "load: \"%s\" is not a plugin "
			    "name (1-%d of a-z, 0-9, _ and -)", name,
			    CONFIG_PLUGIN_NAME_MAX);
			free(copy);
			return (0);
		}
		for (i = 0; i < cf->nplugins_load; i++)
			if (strcmp(cf->plugins_load[i], name) == 0)
				break;
		if (i < cf->nplugins_load) {
			xasprintf(&cp->cause, "load: plugin \"%s\" is listed "
			    "twice", name);
			free(copy);
			return (0);
		}
		cf->plugins_load = xreallocarray(cf->plugins_load,
		    cf->nplugins_load + 1, sizeof *cf->plugins_load);
		cf->plugins_load[cf->nplugins_load++] = xstrdup(name);
	}
	free(copy);
	return (1);
}

/* [server] allow_origins: append each origin of value, normalized. */
static int
config_set_origins(struct config_parse *cp, const char *value)
{
	struct config	*cf = cp->cf;
	char		*copy, *p, *o, norm[ORIGIN_MAX + 1];
	size_t		 i;

	copy = xstrdup(value);
	for (p = copy; (o = strsep(&p, " \t,")) != NULL;) {
		if (*o == '\0')
			continue;
		if (origin_normalize(o, norm, sizeof norm) == -1) {
			xasprintf(&cp->cause, "allow_origins: \"%.*s\" is not "
			    "an origin (http:// or https://, a host, an "
			    "optional :port, no path)", ORIGIN_MAX, o);
			free(copy);
			return (0);
		}
		for (i = 0; i < cf->nallow_origins; i++)
			if (strcmp(cf->allow_origins[i], norm) == 0)
				break;
		if (i < cf->nallow_origins)
			continue;
		if (cf->nallow_origins == ORIGIN_ALLOW_MAX) {
			xasprintf(&cp->cause, "allow_origins: at most %d "
			    "origins", ORIGIN_ALLOW_MAX);
			free(copy);
			return (0);
		}
		cf->allow_origins = xreallocarray(cf->allow_origins,
		    cf->nallow_origins + 1, sizeof *cf->allow_origins);
		cf->allow_origins[cf->nallow_origins++] = xstrdup(norm);
	}
	free(copy);
	return (1);
}

/*
 * [cluster] nats: append each URL of value.  nats.c parses them when it
 * connects; here only their shape: nats:// or tls://, then a host.
 */
static int
config_set_nats(struct config_parse *cp, const char *value)
{
	struct config	*cf = cp->cf;
	char		*copy, *p, *u;
	size_t		 i;

	copy = xstrdup(value);
	for (p = copy; (u = strsep(&p, " \t,")) != NULL;) {
		if (*u == '\0')
			continue;
		if ((strncmp(u, "nats://", 7) != 0 || u[7] == '\0') &&
		    (strncmp(u, "tls://", 6) != 0 || u[6] == '\0')) {
			xasprintf(&cp->cause, "nats: \"%.*s\" is not a NATS URL "
			    "(nats://HOST:PORT or tls://HOST:PORT)",
			    CONFIG_NATS_URL_MAX, u);
			free(copy);
			return (0);
		}
		if (strlen(u) > CONFIG_NATS_URL_MAX) {
			xasprintf(&cp->cause, "nats: a URL of more than %d "
			    "characters", CONFIG_NATS_URL_MAX);
			free(copy);
			return (0);
		}
		for (i = 0; i < cf->ncluster_nats; i++)
			if (strcmp(cf->cluster_nats[i], u) == 0)
				break;
		if (i < cf->ncluster_nats)
			continue;
		if (cf->ncluster_nats == CONFIG_NATS_MAX) {
			xasprintf(&cp->cause, "nats: at most %d URLs",
			    CONFIG_NATS_MAX);
			free(copy);
			return (0);
		}
		cf->cluster_nats = xreallocarray(cf->cluster_nats,
		    cf->ncluster_nats + 1, sizeof *cf->cluster_nats);
		cf->cluster_nats[cf->ncluster_nats++] = xstrdup(u);
	}
	free(copy);
	return (1);
}

/*
 * A key of a [plugin.NAME] section: kept as given, for the plugin's init
 * to judge (its messages name the key).
 */
static int
config_plugin_item(struct config_parse *cp, const char *plugin,
    const char *key, const char *value)
{
	struct config		*cf = cp->cf;
	struct config_section	*sec = NULL;
	struct config_item	*it;
	size_t			 i;

	if (!config_plugin_name_valid(plugin)) {
		xasprintf(&cp->cause, "[plugin.%s]: \"%s\" is not a plugin "
		    "name (1-%d of a-z, 0-9, _ and -)", plugin, plugin,
		    CONFIG_PLUGIN_NAME_MAX);
		return (0);
	}
	for (i = 0; i < cf->nplugin_sections; i++)
		if (strcmp(cf->plugin_sections[i].name, plugin) == 0)
			sec = &cf->plugin_sections[i];
	if (sec == NULL) {
		cf->plugin_sections = xreallocarray(cf->plugin_sections,
		    cf->nplugin_sections + 1, sizeof *cf->plugin_sections);
		sec = &cf->plugin_sections[cf->nplugin_sections++];
		memset(sec, 0, sizeof *sec);
		sec->name = xstrdup(plugin);
	}
	sec->items = xreallocarray(sec->items, sec->nitems + 1,
	    sizeof *sec->items);
	it = &sec->items[sec->nitems++];
	it->key = xstrdup(key);
	it->value = xstrdup(value);
	it->line = cp->line;
	return (1);
}

static int
parse_number(const char *value, double *out, char *suffix)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(value, &end);
	if (end == value || errno != 0 || !isfinite(d))
		return (-1);
	while (isspace((unsigned char)*end))
		end++;
	*suffix = *end;
	if (*end != '\0' && end[1] != '\0' &&
	    strcasecmp(end + 1, "iB") != 0 && strcasecmp(end + 1, "B") != 0 &&
	    strcasecmp(end + 1, "in") != 0)
		return (-1);
	*out = d;
	return (0);
}

static int
config_set(struct config_parse *cp, const struct config_key *k,
    const char *value)
{
	struct config	*cf = cp->cf;
	void		*field = (char *)cf + k->offset;
	double		 d;
	char		 sfx;
	int		 h, m;
	enum log_level	 level;

	switch (k->type) {
	case CT_LISTEN:
		if (!cp->listen_given) {
			while (cf->nlisten > 0)
				free(cf->listen[--cf->nlisten]);
			cp->listen_given = 1;
		}
		if (cf->nlisten == CONFIG_LISTEN_MAX) {
			xasprintf(&cp->cause, "at most %d listen lines",
			    CONFIG_LISTEN_MAX);
			return (0);
		}
		if (config_listen_addr(value, NULL, NULL) == -1) {
			xasprintf(&cp->cause, "listen: expected a numeric "
			    "HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
			    "to 65535, got \"%s\"", value);
			return (0);
		}
		cf->listen[cf->nlisten++] = xstrdup(value);
		return (1);
	case CT_PATH:
		if (*value == '\0') {
			xasprintf(&cp->cause, "%s: must not be empty", k->name);
			return (0);
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return (1);
	case CT_TZ:
		if (!time_zone_valid(value)) {
			xasprintf(&cp->cause, "%s: unknown time zone \"%s\"",
			    k->name, value);
			return (0);
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return (1);
	case CT_SYNC:
		if (strcasecmp(value, "full") == 0)
			*(int *)field = 1;
		else if (strcasecmp(value, "normal") == 0)
			*(int *)field = 0;
		else {
			xasprintf(&cp->cause, "%s: expected full or normal, "
			    "got \"%s\"", k->name, value);
			return (0);
		}
		return (1);
	case CT_LOGLEVEL:
		if (log_level_parse(value, &level) == -1) {
			xasprintf(&cp->cause, "%s: expected error, warning, "
			    "info or debug, got \"%s\"", k->name, value);
			return (0);
		}
		*(enum log_level *)field = level;
		return (1);
	case CT_PLUGINS:
		return (config_set_plugins(cp, value));
	case CT_ORIGINS:
		return (config_set_origins(cp, value));
	case CT_NATS:
		return (config_set_nats(cp, value));
	case CT_NAME:
		if (strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(value) ||
		    *value == '\0' || strlen(value) > CONFIG_CLUSTER_NAME_MAX) {
			xasprintf(&cp->cause, "%s: expected 1-%d of A-Z, a-z, "
			    "0-9, _ and -, got \"%.*s\"", k->name,
			    CONFIG_CLUSTER_NAME_MAX, CONFIG_CLUSTER_NAME_MAX + 1,
			    value);
			return (0);
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return (1);
	case CT_LEADVIEW:
		if (strcasecmp(value, "individual") == 0)
			*(int *)field = 0;
		else if (strcasecmp(value, "aggregate") == 0)
			*(int *)field = 1;
		else {
			xasprintf(&cp->cause, "%s: expected individual or "
			    "aggregate, got \"%s\"", k->name, value);
			return (0);
		}
		return (1);
	case CT_CLOCK:
		if (strlen(value) != 5 || !isdigit((unsigned char)value[0]) ||
		    !isdigit((unsigned char)value[1]) || value[2] != ':' ||
		    !isdigit((unsigned char)value[3]) ||
		    !isdigit((unsigned char)value[4]) ||
		    sscanf(value, "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59) {
			xasprintf(&cp->cause, "%s: expected HH:MM, got \"%s\"",
			    k->name, value);
			return (0);
		}
		*(int *)field = h * 60 + m;
		return (1);
	default:
		break;
	}

	if (parse_number(value, &d, &sfx) == -1)
		goto bad;
	switch (k->type) {
	case CT_SIZE:
		switch (toupper((unsigned char)sfx)) {
		case '\0': break;
		case 'K': d *= 1024; break;
		case 'M': d *= 1024 * 1024; break;
		case 'G': d *= 1024.0 * 1024 * 1024; break;
		default: goto bad;
		}
		break;
	case CT_SECONDS:
		switch (sfx) {
		case '\0': case 's': break;
		case 'm': d *= 60; break;
		case 'h': d *= 3600; break;
		default: goto bad;
		}
		break;
	default:
		if (sfx != '\0')
			goto bad;
		break;
	}
	if (k->type != CT_REAL && d != floor(d))
		goto bad;
	if (d < k->min || d > k->max) {
		xasprintf(&cp->cause, "%s: %s is out of range (%.15g to %.15g)",
		    k->name, value, k->min, k->max);
		return (0);
	}
	switch (k->type) {
	case CT_SIZE:
	case CT_COUNT:
		*(size_t *)field = (size_t)d;
		break;
	case CT_SECONDS:
		*(long *)field = (long)d;
		break;
	case CT_REAL:
		*(double *)field = d;
		break;
	default:
		break;
	}
	return (1);

bad:
	xasprintf(&cp->cause, "%s: invalid value \"%s\"", k->name, value);
	return (0);
}

static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*cp = arg;
	size_t			 i;
	int			 known_section = 0;

	if (cp->cause != NULL)
		return (0);	/* keep only the first error */
	cp->cause_line = cp->line;
	if (strncmp(section, "plugin.", 7) == 0)
		return (config_plugin_item(cp, section + 7, name, value));
	if (strcmp(section, "cluster") == 0 && !cp->cf->cluster) {
		cp->cf->cluster = 1;
		cp->cf->cluster_line = cp->line;
	}
	for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(config_keys[i].name, name) == 0)
			return (config_set(cp, &config_keys[i], value));
	}
	if (!known_section)
		xasprintf(&cp->cause, "unknown section [%s]", section);
	else
		xasprintf(&cp->cause, "unknown key \"%s\" in [%s]", name,
		    section);
	return (0);
}

/*
 * fgets() for inih, counting lines.  A line that does not fit its buffer
 * (num bytes) is skipped whole and recorded as an error.
 */
static char *
config_reader(char *str, int num, void *arg)
{
	struct config_parse	*cp = arg;
	size_t			 len;
	int			 c;

	if (fgets(str, num, cp->f) == NULL) {
		if (ferror(cp->f))
			cp->read_errno = errno;
		return (NULL);
	}
	cp->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' &&
	    (c = getc(cp->f)) != '\n' && c != EOF) {
		while ((c = getc(cp->f)) != '\n' && c != EOF)
			;
		if (cp->cause == NULL) {
			xasprintf(&cp->cause, "line too long (at most %d "
			    "characters)", num - 2);
			cp->cause_line = cp->line;
		}
		*str = '\0';	/* inih skips an empty line */
	}
	return (str);
}

struct config *
config_load(const char *file, char **cause)
{
	struct config_parse	 cp;
	FILE			*f;
	int			 line;

	memset(&cp, 0, sizeof cp);
	cp.cf = config_defaults();
	if (file == NULL)
		return (cp.cf);
	if ((f = fopen(file, "r")) == NULL) {
		xasprintf(cause, "%s: %s", file, strerror(errno));
		goto fail;
	}
	cp.f = f;
	line = ini_parse_stream(config_reader, &cp, config_handler, &cp);
	fclose(f);
	if (cp.read_errno != 0) {
		xasprintf(cause, "%s: %s", file, strerror(cp.read_errno));
		goto fail;
	}
	if (cp.cause != NULL && (line == 0 || cp.cause_line <= line)) {
		xasprintf(cause, "%s:%d: %s", file, cp.cause_line, cp.cause);
		goto fail;
	}
	if (line != 0) {
		xasprintf(cause, "%s:%d: syntax error (expected [section] or "
		    "key = value)", file, line);
		goto fail;
	}
	if (cp.cf->cluster && (cp.cf->ncluster_nats == 0 ||
	    cp.cf->cluster_node == NULL)) {
		xasprintf(cause, "%s:%d: [cluster] needs nats (the NATS "
		    "servers) and node (this node's name)", file,
		    cp.cf->cluster_line);
		goto fail;
	}
	cp.cf->file = xstrdup(file);
	return (cp.cf);

fail:
	free(cp.cause);
	config_free(cp.cf);
	return (NULL);
}

/* Log each key that changed but only takes effect after a restart. */
void
config_log_restart_keys(const struct config *old, const struct config *new)
{
	size_t	i;
	int	same = old->nlisten == new->nlisten;

	for (i = 0; same && i < old->nlisten; i++)
		same = strcmp(old->listen[i], new->listen[i]) == 0;
	if (!same)
		log_warnx("reload: [server] listen changed; needs a restart");
	if (strcmp(old->storage_path, new->storage_path) != 0)
		log_warnx("reload: [storage] path changed; needs a restart");
	if (old->sync_full != new->sync_full)
		log_warnx("reload: [storage] synchronous changed; needs a "
		    "restart");
	same = old->nplugins_load == new->nplugins_load &&
	    strcmp(old->plugins_dir, new->plugins_dir) == 0;
	for (i = 0; same && i < old->nplugins_load; i++)
		same = strcmp(old->plugins_load[i], new->plugins_load[i]) == 0;
	if (!same)
		log_warnx("reload: [plugins] changed; needs a restart");
	same = old->cluster == new->cluster &&
	    old->ncluster_nats == new->ncluster_nats &&
	    old->cluster_replicas == new->cluster_replicas &&
	    old->cluster_ack_timeout_ms == new->cluster_ack_timeout_ms &&
	    old->cluster_lease_ms == new->cluster_lease_ms &&
	    strcmp(old->cluster_stream, new->cluster_stream) == 0 &&
	    (old->cluster_node == NULL) == (new->cluster_node == NULL) &&
	    (old->cluster_node == NULL ||
	    strcmp(old->cluster_node, new->cluster_node) == 0);
	for (i = 0; same && i < old->ncluster_nats; i++)
		same = strcmp(old->cluster_nats[i], new->cluster_nats[i]) == 0;
	if (!same)
		log_warnx("reload: [cluster] changed; needs a restart");
}
