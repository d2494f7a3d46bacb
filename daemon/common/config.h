/* The configuration: an INI file parsed with libinih into struct config. */
#ifndef RESPITE_CONFIG_H
#define RESPITE_CONFIG_H

#include <sys/socket.h>

#include <stddef.h>

#include "log.h"

#define CONFIG_LISTEN_MAX	16
#define CONFIG_PLUGIN_NAME_MAX	64
#define CONFIG_NATS_MAX		16	/* [cluster] nats: server URLs */
#define CONFIG_NATS_URL_MAX	256
#define CONFIG_CLUSTER_NAME_MAX	64	/* [cluster] node and stream */

/* One key = value of a [plugin.NAME] section, in file order. */
struct config_item {
	char		*key;
	char		*value;
	int		 line;
};

/* A [plugin.NAME] section, handed to that plugin's init. */
struct config_section {
	char			*name;		/* NAME */
	struct config_item	*items;
	size_t			 nitems;
};

struct config {
	char		*file;		/* file read, NULL for built-in defaults */

	/* [server] */
	char		*listen[CONFIG_LISTEN_MAX];	/* restart */
	size_t		 nlisten;
	size_t		 max_body;		/* bytes */
	size_t		 max_batch;		/* events per request */
	size_t		 max_agents;		/* agents in the model */
	size_t		 max_teams;		/* teams in the model */
	size_t		 max_connections;
	long		 max_clock_skew_s;
	long		 idle_timeout_s;	/* keep-alive connection idle */
	long		 request_timeout_s;	/* reading a request, writing a reply */
	char		**allow_origins;	/* normalized (origin.c) */
	size_t		 nallow_origins;
	size_t		 max_streams_per_token;
	long		 header_timeout_s;	/* a new connection's first head */
	size_t		 max_unsent;		/* reply bytes queued, a connection */
	size_t		 max_unsent_total;	/* ... all connections together */

	/* [storage] */
	char		*storage_path;		/* restart */
	int		 sync_full;		/* restart: synchronous=FULL or NORMAL */
	size_t		 commit_max_events;	/* group commit size bound */

	/* [stream] */
	size_t		 stream_max_subscribers;
	size_t		 stream_buffer;		/* bytes unsent per subscriber */

	/* [log] */
	enum log_level	 log_level;

	/* [auth] */
	char		*tokens_file;
	double		 auth_rate;		/* requests/s per token, 0: none */
	double		 auth_burst;

	/* [privacy] */
	int		 lead_aggregate;	/* lead_view = aggregate */
	size_t		 min_group;
	size_t		 aggregate_refresh_min;	/* lead figures: boundaries */
	size_t		 audit_repeat_min;	/* 0: audit every read */

	/* [retention]: days, 0 keeps forever */
	double		 keep_events_days, keep_suggestions_days,
			 keep_stream_days, keep_audit_days,
			 keep_days_days;	/* agent days */

	/* [model] (MODEL.md) */
	char		*timezone;		/* default agent zone */
	int		 day_starts_at_min;	/* minutes after local midnight */
	size_t		 natural_break_min;
	double		 sustainable_load_per_hour;
	double		 hostile_threshold;	/* classified severity counted hostile */
	double		 exposure_half_life_min;
	double		 weight_phone, weight_chat, weight_email, weight_social,
			 weight_messaging, weight_other;
	double		 m_intensity_low;
	double		 m_intensity_high;
	double		 m_weight_intensity;
	double		 m_occupancy_low;
	double		 m_occupancy_high;
	double		 m_weight_occupancy;
	double		 m_continuous_high_min;
	double		 m_weight_continuous;
	double		 m_exposure_high;
	double		 m_weight_exposure;
	double		 m_level_elevated;
	double		 m_level_high;
	double		 m_level_critical;
	double		 m_level_hysteresis;

	/* [advice] (MODEL.md) */
	double		 a_recovery_severity;
	double		 a_recovery_exposure;
	double		 a_recovery_clear_exposure;
	double		 a_recovery_quiet_min;
	double		 a_recovery_hold_max_min;
	double		 a_recovery_min_minutes;
	double		 a_recovery_max_minutes;
	double		 a_micro_break_after_min;
	double		 a_micro_break_minutes;
	double		 a_rest_break_after_min;
	double		 a_rest_break_minutes;
	double		 a_rest_worked_today_min;
	double		 a_rest_breaks_today_min;
	double		 a_snooze_default_min;
	double		 a_snooze_max_min;
	double		 a_snooze_max_times;
	double		 a_dismiss_cooldown_min;
	double		 a_max_per_hour;
	double		 a_rebalance_after_min;
	double		 a_rebalance_min_open;
	double		 a_rebalance_max_move;
	double		 a_rebalance_channel_minutes;
	double		 a_overload_strain;
	double		 a_overload_after_min;
	double		 a_live_window_min;

	/* [cluster] (README "Running a cluster"); all restart */
	int		 cluster;		/* a [cluster] key was given */
	int		 cluster_line;		/* the first one's line */
	char		**cluster_nats;		/* NATS server URLs */
	size_t		 ncluster_nats;
	char		*cluster_node;		/* this node's name */
	char		*cluster_stream;	/* the JetStream stream */
	size_t		 cluster_replicas;
	size_t		 cluster_ack_timeout_ms;
	size_t		 cluster_lease_ms;
	/* [trend] (MODEL.md "Weeks, not only shifts") */
	double		 t_high_strain_min;
	double		 t_high_strain_margin;
	double		 t_hostile_factor;
	double		 t_hostile_min;
	double		 t_breaks_skipped_share;	/* percent */
	double		 t_breaks_skipped_min;
	double		 t_breaks_skipped_margin;	/* points */
	double		 t_long_day_min;
	double		 t_long_stretch_min;
	double		 t_long_stretch_days;

	/* [plugins] and [plugin.NAME] (docs/plugins.md) */
	char		*plugins_dir;		/* restart */
	char		**plugins_load;		/* restart: names, in order */
	size_t		 nplugins_load;
	struct config_section *plugin_sections;
	size_t		 nplugin_sections;
};

/*
 * Parse file into a new config (defaults for every key not given).  file
 * NULL means built-in defaults.  On error returns NULL and a new string
 * "FILE:LINE: message" in *cause.
 */
struct config	*config_load(const char *, char **);
struct config	*config_defaults(void);
void		 config_free(struct config *);
void		 config_log_restart_keys(const struct config *,
		    const struct config *);
const char	*config_default_storage_path(void);
int		 config_listen_addr(const char *, struct sockaddr_storage *,
		    socklen_t *);
int		 config_plugin_name_valid(const char *);
const struct config_section *config_plugin_section(const struct config *,
		    const char *);

#endif
