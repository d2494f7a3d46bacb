/*
 * respite - respited, the daemon.
 *
 * Parses options, loads the configuration, wires the modules together
 * and runs the event loop (OpenBSD ntpd.c keeps main() the same way).
 * Nothing here knows HTTP, SQL or the model: see http.c, store.c,
 * commit.c, agent.c and api.c.
 */
#include "build.h"

#include <sys/resource.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "advise.h"
#include "agents.h"
#include "api.h"
#include "audit_seen.h"
#include "auth.h"
#ifdef HAVE_NATS
#include "cluster.h"
#include "replica.h"
#endif
#include "commit.h"
#include "config.h"
#include "days.h"
#include "dispatch.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "retention.h"
#include "plugins.h"
#include "rebuild.h"
#include "secret.h"
#include "service.h"
#include "sinks.h"
#include "store.h"
#include "timeutil.h"
#include "wipe.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG	SYSCONFDIR "/respite/respite.conf"
#define SHUTDOWN_GRACE_S 4	/* exit within 5 s of SIGTERM */

struct respited {
	struct event_base	*base;
	int64_t			 tick_minute;	/* the last minute's timers ran */
	struct config		*cf;
	char			*config_path;	/* NULL: built-in defaults */
	const char		*config_arg;	/* -c, or NULL */
	struct store		*store;
	struct commit		*commit;
	struct agents		*agents;
	struct http_server	*http;
	struct outbox		*outbox;
	struct dispatch		*dispatch;	/* GET /v1/stream */
	struct advise		*advise;
	struct days		*days;		/* agent days */
	struct plugins		*plugins;
	struct event		*tick;		/* the advisor's minute timer */
	int64_t			 agg_from;	/* rebuild: snapshots from */
	struct event		*soon;		/* flushes audit records */
	struct event		*changes;	/* flushes the outbox's changes */
	struct auth		*auth;
	struct service		*service;	/* sd_notify, watchdog */
	struct retention	*retention;
	struct api		 api;
	struct event		*drain;		/* shutdown: waiting for replies */
#ifdef HAVE_NATS
	struct cluster		*cluster;	/* [cluster] */
	struct replica		*replica;	/* applies the stream */
#endif
	struct timeval		 drain_deadline;
	int			 stopping;
	int			 status;	/* main()'s exit status */
};

static void	wellbeing_cb(void *, const char *, const char *, int64_t,
		    const char *);

static void
notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

static __attribute__((noreturn)) void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: respited [-c FILE] [-f] [-t] [-V] [-h]\n"
	    "  -c FILE  configuration file (default %s;\n"
	    "           built-in defaults if it does not exist)\n"
	    "  -f       stay in the foreground, log to stderr\n"
	    "  -t       check the configuration and exit\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n", DEFAULT_CONFIG);
	exit(status);
}

/*
 * Detach: fork, and let the parent wait until the child says it is ready
 * (listening, database open), so `respited` without -f exits 0 only once
 * the service works and 1 if it failed.  Until then the child logs to the
 * terminal like -f.  Returns the pipe to signal readiness on.
 */
static int
detach(void)
{
	int	fds[2];
	char	c;
	pid_t	pid;

	if (pipe(fds) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) == 1 && c == 'R')
			_exit(0);
		_exit(1);
	}
	close(fds[0]);
	if (setsid() == -1)
		fatal("setsid");
	return (fds[1]);
}

static void
detach_done(int fd, enum log_level level)
{
	int	null;

	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	log_init(LOG_TO_SYSLOG, level);
	if (chdir("/") == -1)
		log_warn("chdir /");
	if (write(fd, "R", 1) != 1)
		log_warn("telling the parent we are ready");
	close(fd);
}

static double
clamp_min(double v, double lo)
{
	return (v < lo ? lo : v);
}

static void
advice_from_config(const struct config *cf, struct advise_params *p)
{
	advise_params_default(p);
	p->strain.sustainable_load = cf->sustainable_load_per_hour;
	p->strain.intensity_lo = cf->m_intensity_low;
	p->strain.intensity_hi = cf->m_intensity_high;
	p->strain.intensity_w = cf->m_weight_intensity;
	p->strain.occupancy_lo = cf->m_occupancy_low;
	p->strain.occupancy_hi = cf->m_occupancy_high;
	p->strain.occupancy_w = cf->m_weight_occupancy;
	p->strain.continuous_hi = cf->m_continuous_high_min;
	p->strain.continuous_w = cf->m_weight_continuous;
	p->strain.exposure_hi = cf->m_exposure_high;
	p->strain.exposure_w = cf->m_weight_exposure;
	p->strain.elevated = (int)cf->m_level_elevated;
	p->strain.high = (int)cf->m_level_high;
	p->strain.critical = (int)cf->m_level_critical;
	p->strain.hysteresis = (int)cf->m_level_hysteresis;
	p->recovery_severity = cf->a_recovery_severity;
	p->recovery_exposure = cf->a_recovery_exposure;
	p->recovery_clear_exposure = cf->a_recovery_clear_exposure;
	p->recovery_quiet_ms = (int64_t)(cf->a_recovery_quiet_min * MS_PER_MIN);
	p->recovery_hold_ms = (int64_t)(cf->a_recovery_hold_max_min *
	    MS_PER_MIN);
	p->recovery_min_minutes = (int)cf->a_recovery_min_minutes;
	p->recovery_max_minutes = (int)clamp_min(cf->a_recovery_max_minutes,
	    cf->a_recovery_min_minutes);
	p->micro_after_min = (long)cf->a_micro_break_after_min;
	p->micro_minutes = (int)cf->a_micro_break_minutes;
	p->rest_after_min = (long)cf->a_rest_break_after_min;
	p->rest_minutes = (int)cf->a_rest_break_minutes;
	p->rest_worked_min = (long)cf->a_rest_worked_today_min;
	p->rest_break_min = (long)cf->a_rest_breaks_today_min;
	p->snooze_default_min = (int)cf->a_snooze_default_min;
	p->snooze_max_min = (int)cf->a_snooze_max_min;
	if (p->snooze_default_min > p->snooze_max_min)
		p->snooze_default_min = p->snooze_max_min;
	p->snooze_max_times = (int)cf->a_snooze_max_times;
	p->dismiss_cooldown_ms = (int64_t)(cf->a_dismiss_cooldown_min *
	    MS_PER_MIN);
	p->max_per_hour = (int)cf->a_max_per_hour;
	p->rebalance_after_ms = (int64_t)(cf->a_rebalance_after_min *
	    MS_PER_MIN);
	p->rebalance_min_open = (int)cf->a_rebalance_min_open;
	p->rebalance_max_move = (int)cf->a_rebalance_max_move;
	p->rebalance_channel_minutes = (int)cf->a_rebalance_channel_minutes;
	p->overload_strain = (int)cf->a_overload_strain;
	p->overload_after_ms = (int64_t)(cf->a_overload_after_min * MS_PER_MIN);
	p->live_window_ms = (int64_t)(cf->a_live_window_min * MS_PER_MIN);
	p->aggregate = cf->lead_aggregate;
	p->min_group = cf->min_group;
}

/* Write what the model and advisor changed; retried on the next call. */
static void
flush_outbox(struct respited *d)
{
	static int	 failing;
	char		*cause = NULL;

	if (d->advise != NULL)
		advise_flush(d->advise);
	if (outbox_flush(d->outbox, &cause) == -1) {
		if (!failing)
			log_warnx("storage: writing suggestions failed (will "
			    "retry): %s", cause);
		failing = 1;
		free(cause);
		return;
	}
	if (failing)
		log_info("storage: suggestions written again");
	failing = 0;
}

static void
soon_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush_outbox(arg);
}

/* Write queued audit records within a second (api_audit). */
static void
flush_soon(void *arg)
{
	struct respited	*d = arg;
	struct timeval	 tv = { 1, 0 };

	if (d->soon != NULL && !evtimer_pending(d->soon, NULL))
		evtimer_add(d->soon, &tv);
}

static void
retention_from_config(const struct config *cf, struct retention_days *k)
{
	k->days[STORE_RETAIN_EVENTS] = cf->keep_events_days;
	k->days[STORE_RETAIN_SUGGESTIONS] = cf->keep_suggestions_days;
	k->days[STORE_RETAIN_STREAM] = cf->keep_stream_days;
	k->days[STORE_RETAIN_AUDIT] = cf->keep_audit_days;
	k->days[STORE_RETAIN_DAYS] = cf->keep_days_days;
}

static void
auth_limits_from_config(const struct config *cf, struct auth_limits *l)
{
	l->rate = cf->auth_rate;
	l->burst = cf->auth_burst;
}

/*
 * What a group's events produced (suggestions, stream items) rides in
 * the next group's transaction (commit_set_extra), or is written by a
 * timer of OUTBOX_DELAY_MS when no group follows that soon.  A reader
 * never sees it before: api_handle() has it written first (flush_now).
 */
#define OUTBOX_DELAY_MS	2

static void
group_done_cb(void *arg)
{
	struct respited	*d = arg;
	struct timeval	 tv = { 0, OUTBOX_DELAY_MS * 1000 };

	/* Agent days and advisor state the group changed ride along. */
	days_flush(d->days);
	advise_flush(d->advise);
	if (outbox_unstored(d->outbox) && !evtimer_pending(d->changes, NULL))
		evtimer_add(d->changes, &tv);
}

static void
flush_now(void *arg)
{
	flush_outbox(arg);
}

#ifdef HAVE_NATS
static void
restore_live_cb(const char *agent, void *advise)
{
	advise_restore_live(advise, agent);
}
#endif

/* Arm the advisor's timer for the next whole wall-clock minute. */
static void
tick_schedule(struct respited *d)
{
	int64_t		now = time_now_ms(), next;
	struct timeval	tv;

	next = (now / MS_PER_MIN + 1) * MS_PER_MIN;
	tv.tv_sec = (time_t)((next - now) / 1000);
	tv.tv_usec = (suseconds_t)(((next - now) % 1000) * 1000);
	evtimer_add(d->tick, &tv);
}

/* Cluster mode: the stream applied (daemon/replica.c); else 0. */
static int
clustered(const struct respited *d)
{
#ifdef HAVE_NATS
	return (d->replica != NULL);
#else
	(void)d;
	return (0);
#endif
}

#ifdef HAVE_NATS
/* Cluster mode's reads answer at the minute of the last tick applied. */
static int64_t
read_clock(void *arg)
{
	const struct respited	*d = arg;

	return (d->tick_minute);
}
#endif

/* The minute's timers at minute (epoch ms, a whole minute). */
static void
tick_apply(void *arg, int64_t minute)
{
	struct respited	*d = arg;

	/*
	 * First commit and apply what was received: an accepted break
	 * suggestion starts the break with an event of its group, and the
	 * timer must not find the agent still at work without an open
	 * suggestion in between, and raise another.
	 */
	commit_flush(d->commit);
	d->tick_minute = minute;
	api_teams_clock(&d->api, minute);
	advise_tick(d->advise, minute);
	days_tick(d->days, minute);
	/*
	 * Agents are forgotten at start-up only: at the tick, the wall
	 * clock would forget the agents of a past day being replayed
	 * (event time) between two of its batches, and expire their open
	 * suggestions, so a replay would not give the same suggestions.
	 */
	flush_outbox(d);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct respited	*d = arg;
	int64_t		 minute = (time_now_ms() / MS_PER_MIN) * MS_PER_MIN;

	(void)fd;
	(void)what;
	/* In cluster mode the timers run on the leader's ticks, read back. */
	if (!clustered(d))
		tick_apply(d, minute);
#ifdef HAVE_NATS
	else
		replica_tick(d->replica, minute);
#endif
	service_status(d->service, d->http, agents_count(d->agents),
	    time_now_ms());
	tick_schedule(d);
}

/*
 * Raise the open-files soft limit to the hard one (systemd's soft default
 * of 1024 is below max_connections plus our own files), and say so if it
 * is still too low: accept() then runs out and pauses.
 */
static void
raise_nofile(size_t max_connections)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit RLIMIT_NOFILE");
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max_connections + 64)
		log_warnx("open files limit %llu is below max_connections "
		    "(%zu) + 64: raise LimitNOFILE= (ulimit -n) or lower "
		    "max_connections", (unsigned long long)rl.rlim_cur,
		    max_connections);
}

static void
limits_from_config(const struct config *cf, struct http_limits *l)
{
	l->max_body = cf->max_body;
	l->max_connections = cf->max_connections;
	l->idle_timeout_s = cf->idle_timeout_s;
	l->request_timeout_s = cf->request_timeout_s;
	l->header_timeout_s = cf->header_timeout_s;
	l->max_unsent = cf->max_unsent;
	l->max_unsent_total = cf->max_unsent_total;
}

static void
stream_limits_from_config(const struct config *cf, struct dispatch_limits *l)
{
	l->max_subscribers = cf->stream_max_subscribers;
	l->buffer_bytes = cf->stream_buffer;
	l->max_per_owner = cf->max_streams_per_token;
}

/*
 * Load the configuration named on the command line, else the default file,
 * else the built-in defaults.  *used becomes the file read (an absolute
 * path, so SIGHUP finds it after the daemon changed to /) or NULL.
 */
static struct config *
load_config(const char *path, char **used, char **cause)
{
	*used = NULL;
	if (path == NULL) {
		if (access(DEFAULT_CONFIG, F_OK) == -1 && errno == ENOENT)
			return (config_load(NULL, cause));
		path = DEFAULT_CONFIG;
	}
	if ((*used = realpath(path, NULL)) == NULL)
		*used = xstrdup(path);	/* config_load reports the error */
	return (config_load(*used, cause));
}

static void
reload(struct respited *d)
{
	struct config		*cf;
	struct http_limits	 limits;
	struct dispatch_limits	 slimits;
	char			*used, *cause = NULL;

	notify("RELOADING=1");
	/* A -c file was made absolute at start-up: the daemon is now in /. */
	if ((cf = load_config(d->config_arg != NULL ? d->config_path :
	    NULL, &used, &cause)) == NULL) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    cause);
		free(cause);
		free(used);
		notify("READY=1");
		return;
	}
	if (used == NULL && d->config_path == NULL) {
		log_info("reload: still no configuration file at %s; keeping "
		    "the built-in defaults", DEFAULT_CONFIG);
		config_free(cf);
		notify("READY=1");
		return;
	}
	free(d->config_path);
	d->config_path = used;
	config_log_restart_keys(d->cf, cf);
	log_set_level(cf->log_level);
	limits_from_config(cf, &limits);
	raise_nofile(cf->max_connections);
	http_server_set_limits(d->http, &limits);
	stream_limits_from_config(cf, &slimits);
	dispatch_set_limits(d->dispatch, &slimits);
	commit_set_max_events(d->commit, cf->commit_max_events);
	{
		struct auth_limits	alim;

		auth_limits_from_config(cf, &alim);
		auth_set(d->auth, cf->tokens_file, &alim);
		if (auth_reload(d->auth, &cause) == -1) {
			log_warnx("reload: tokens: %s (keeping the old tokens)",
			    cause);
			free(cause);
			cause = NULL;
		} else
			log_info("reload: %zu tokens", auth_ntokens(d->auth));
	}
	{
		struct retention_days	keep;

		retention_from_config(cf, &keep);
		retention_set(d->retention, &keep);
	}
	/* The model's parameters point into cf: swap before freeing. */
	agent_params_from_config(&d->api.mp, cf);
	advice_from_config(cf, &d->api.ap);
	advise_set_params(d->advise, &d->api.mp, &d->api.ap);
	days_set_params(d->days, &d->api.mp, &d->api.ap.strain,
	    d->api.ap.live_window_ms);
	{
		struct trend_params	tp;

		trend_params_from_config(cf, &tp);
		days_set_trend(d->days, &tp, wellbeing_cb, d);
	}
	plugins_reload(d->plugins, cf);
	d->api.cf = cf;
	config_free(d->cf);
	d->cf = cf;
	/* A token revoked, a role or the privacy mode changed: API.md. */
	api_stream_recheck(&d->api);
	log_info("reloaded %s", d->config_path != NULL ? d->config_path :
	    "the built-in defaults");
	notify("READY=1");
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct respited	*d = arg;
	struct timeval	 now, tv = { 0, 50000 };

	(void)fd;
	(void)what;
	evutil_gettimeofday(&now, NULL);
	if (http_server_nconns(d->http) == 0 ||
	    evutil_timercmp(&now, &d->drain_deadline, >)) {
		if (http_server_nconns(d->http) > 0)
			log_warnx("shutdown: %zu connections still open, "
			    "closing them", http_server_nconns(d->http));
		event_base_loopexit(d->base, NULL);
		return;
	}
	evtimer_add(d->drain, &tv);
}

static void
shutdown_start(struct respited *d, const char *why)
{
	struct timeval	grace = { SHUTDOWN_GRACE_S, 0 }, now;

	if (d->stopping)
		return;
	d->stopping = 1;
	notify("STOPPING=1");
	log_info("%s: stopping", why);
	dispatch_close_all(d->dispatch);
	http_server_stop(d->http);
	/* Commit and answer what was received; then wait for the replies. */
	commit_flush(d->commit);
	evutil_gettimeofday(&now, NULL);
	evutil_timeradd(&now, &grace, &d->drain_deadline);
	d->drain = evtimer_new(d->base, drain_cb, d);
	drain_cb(-1, 0, d);
}

/* A hole in the stream (replica.c): stop, and exit 1 for a restart. */
static void
hole_stop(void *arg)
{
	struct respited	*d = arg;

	d->status = 1;
	shutdown_start(d, "cluster: a hole in the stream");
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct respited	*d = arg;

	(void)what;
	if (sig == SIGHUP)
		reload(d);
	else
		shutdown_start(d, strsignal((int)sig));
}

static void
rebuild_clock(const struct respite_event *ev, void *arg)
{
	struct respited	*d = arg;
	int64_t		 t;

	/*
	 * The aggregate snapshot crosses the boundaries the running daemon
	 * crossed (api_apply_cb); only the last one before now is kept.
	 */
	t = ev->ts_ms > ev->received_ms ? ev->ts_ms : ev->received_ms;
	if (t >= d->agg_from)
		api_teams_clock(&d->api, t);
	days_event(d->days, ev);
}

/*
 * An agent's trend turned high as its day closed (days.c): a
 * wellbeing_check to its lead, or in aggregate privacy mode to the agent.
 */
static void
wellbeing_cb(void *arg, const char *agent, const char *team, int64_t at,
    const char *reason)
{
	struct respited	*d = arg;

	advise_wellbeing(d->advise, agent, team, at, reason,
	    d->cf->lead_aggregate);
}

static int
restore_day_suggestion_cb(const char *body, void *arg)
{
	struct respited	*d = arg;

	if (days_restore_suggestion(d->days, body) == -1)
		log_warnx("storage: a stored suggestion is malformed; its "
		    "agent day does not count it");
	return (0);
}

/* The level last published for agent, or -1 (advise_restore_agent()). */
static int
last_level(struct store *st, const char *agent)
{
	char	 name[16], *cause = NULL;
	int	 rc;

	if ((rc = store_stream_last_level(st, agent, name, sizeof name,
	    &cause)) == -1)
		fatalx("storage: %s", cause);
	return (rc == 1 ? strain_level_from_name(name) : -1);
}

static int
restore_suggestion_cb(const char *body, void *arg)
{
	struct respited	*d = arg;

	if (advise_restore_suggestion(d->advise, body) == -1)
		log_warnx("storage: a stored suggestion could not be read");
	return (0);
}

static void
restore_state_cb(const char *scope, const char *name, const char *body,
    void *arg)
{
	struct respited	*d = arg;

	if (advise_restore_state(d->advise, scope, name, body) == -1)
		log_warnx("storage: the stored advisor state of %s %s could "
		    "not be read; it starts afresh", scope, name);
}

/*
 * Listen on the sockets the service manager passed in (socket
 * activation), else on the configured addresses.
 */
static void
listen_all(struct respited *d)
{
	char	*cause = NULL;
	size_t	 k;
	int	 fd, n, i;

	if ((n = service_listen_fds(&fd)) > 0) {
		log_info("socket activation: %d socket%s from the service "
		    "manager; the listen addresses of the configuration are "
		    "ignored", n, n == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			if (http_server_listen_fd(d->http, fd + i, &cause) == -1)
				fatalx("socket activation: %s", cause);
		return;
	}
	for (k = 0; k < d->cf->nlisten; k++)
		if (http_server_listen(d->http, d->cf->listen[k], &cause) == -1)
			fatalx("%s", cause);
}

/*
 * The installation secret for the plugins (respite_install_secret()),
 * next to the database: read, or made at the first start; check
 * (respited -t) makes nothing.  Returns 0, or -1 with *cause.
 */
static int
install_secret(struct respited *d, int check, char **cause)
{
	uint8_t	key[SECRET_INSTALL_LEN];

	if (secret_install_load(d->cf->storage_path, check, key, cause) == -1)
		return (-1);
	plugins_set_install_secret(key);
	explicit_bzero(key, sizeof key);
	return (0);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "test", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct respited		 d;
	struct http_limits	 limits;
	struct rebuild_stats	 rs;
	size_t			 forgot;
	struct dispatch_limits	 slimits;
	struct event		*sigs[4];
	const int		 signums[4] = { SIGTERM, SIGINT, SIGHUP, 0 };
	const char		*path = NULL, *js;
	char			*cause = NULL;
	int			 ch, foreground = 0, check = 0, i;
	int			 ready_fd = -1;
	sigset_t		 block;
	int64_t			 t0, t1;
	size_t			 k;
	enum log_target		 target;

	wipe_install();		/* before any libevent or jansson call */
	while ((ch = getopt_long(argc, argv, "c:ftVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("respited %s\n", PACKAGE_VERSION);
			return (0);
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	memset(&d, 0, sizeof d);
	d.config_arg = path;
	if ((d.cf = load_config(path, &d.config_path, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		free(d.config_path);
		return (1);
	}
#ifndef HAVE_NATS
	if (d.cf->cluster) {
		fprintf(stderr, "%s:%d: [cluster]: built without NATS support "
		    "(--without-nats); remove [cluster] or rebuild\n",
		    d.cf->file, d.cf->cluster_line);
		config_free(d.cf);
		free(d.config_path);
		return (1);
	}
#endif
	if (check) {
		/* The install secret: checked if there, never made here. */
		if (install_secret(&d, 1, &cause) == -1) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			config_free(d.cf);
			free(d.config_path);
			return (1);
		}
		/* Plugins too: a broken plugin or section fails the check. */
		if ((d.plugins = plugins_load(d.cf, &cause)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			config_free(d.cf);
			free(d.config_path);
			return (1);
		}
		plugins_free(d.plugins);
		{
			struct token_file	tf;

			if (token_file_load(d.cf->tokens_file, &tf,
			    &cause) == -1) {
				fprintf(stderr, "%s\n", cause);
				free(cause);
				config_free(d.cf);
				free(d.config_path);
				return (1);
			}
			token_file_clear(&tf);
		}
		if (d.config_path == NULL)
			printf("no configuration file at %s; the built-in "
			    "defaults are used\n", DEFAULT_CONFIG);
		printf("configuration OK\n");
		config_free(d.cf);
		free(d.config_path);
		return (0);
	}

	js = getenv("JOURNAL_STREAM");
	target = js != NULL && *js != '\0' ? LOG_TO_JOURNAL : LOG_TO_STDERR;
	log_init(target, d.cf->log_level);
	event_set_log_callback(log_libevent_cb);
	if (!foreground)
		ready_fd = detach();
	signal(SIGPIPE, SIG_IGN);
	/* A write past RLIMIT_FSIZE fails with EFBIG (503) instead of killing us. */
	signal(SIGXFSZ, SIG_IGN);

	log_info("respited %s starting", PACKAGE_VERSION);
	if (wipe_no_dumps())
		log_info("RESPITED_DUMPABLE=1: core dumps are allowed (and "
		    "may hold message text)");
	if (d.config_path == NULL)
		log_info("no configuration file at %s; using built-in defaults",
		    DEFAULT_CONFIG);
	else
		log_info("configuration: %s", d.config_path);

	if ((d.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	plugins_set_event_base(d.base);
	/* The database first: its directory is where the secret is kept. */
	if ((d.store = store_open(d.cf->storage_path, d.cf->sync_full,
	    &cause)) == NULL)
		fatalx("storage: %s", cause);
	if (install_secret(&d, 0, &cause) == -1)
		fatalx("%s", cause);
	if ((d.plugins = plugins_load(d.cf, &cause)) == NULL)
		fatalx("%s", cause);
	d.api.plugins = d.plugins;

	d.agents = agents_new();
	d.api.agents = d.agents;
	d.api.store = d.store;
	d.api.cf = d.cf;
	agent_params_from_config(&d.api.mp, d.cf);

	t0 = time_now_ms();
	advice_from_config(d.cf, &d.api.ap);
	d.api.aggview = aggview_new();
	d.agg_from = aggview_boundary(t0,
	    (int64_t)d.cf->aggregate_refresh_min * MS_PER_MIN);
	/*
	 * Agent days: the stored ones first; the events re-read build the
	 * others (today's), and the suggestions of those days are counted.
	 */
	d.days = days_new(d.agents, d.store, &d.api.mp, &d.api.ap.strain,
	    d.api.ap.live_window_ms);
	if (days_load(d.days, t0, &cause) == -1)
		fatalx("storage: %s", cause);
	/* Only the events of the model's window: daemon/rebuild.c. */
	if (rebuild_model(d.store, d.agents, &d.api.mp, t0,
	    (int64_t)d.cf->max_clock_skew_s * 1000, rebuild_clock, &d,
	    &rs, &cause) == -1)
		fatalx("storage: %s", cause);
	if (store_suggestions_created(d.store, t0 - DAYS_LOAD_MS,
	    restore_day_suggestion_cb, &d, &cause) == -1)
		fatalx("storage: %s", cause);
	/*
	 * The advisor starts from the rebuilt model and the stored
	 * suggestions (open ones, and the last two hours' for cooldowns and
	 * the hourly cap); it raises nothing until the next event or tick.
	 */
	d.outbox = outbox_new(d.store);
	stream_limits_from_config(d.cf, &slimits);
	d.dispatch = dispatch_new(d.base, d.store, &slimits);
	outbox_set_dispatch(d.outbox, d.dispatch);
	outbox_set_sink(d.outbox, sinks_outbox_cb, d.plugins);
	d.api.dispatch = d.dispatch;
	d.advise = advise_new(d.agents, d.outbox, &d.api.mp, &d.api.ap,
	    store_max_seq(d.store, "suggestions") + 1);
	advise_set_aggview(d.advise, d.api.aggview);
	{
		struct trend_params	tp;

		trend_params_from_config(d.cf, &tp);
		days_set_trend(d.days, &tp, wellbeing_cb, &d);
	}
	days_rebuilt(d.days, d.outbox, time_now_ms());
	advise_set_days(d.advise, d.days);
	d.api.days = d.days;
	{
		struct agent	**v;
		size_t		  n;

		v = agents_sorted(d.agents, &n);
		for (k = 0; k < n; k++)
			advise_restore_agent(d.advise, v[k],
			    last_level(d.store, agent_id(v[k])));
		free(v);
	}
	if (store_suggestions_load(d.store, time_now_ms() - 2 * MS_PER_HOUR,
	    restore_suggestion_cb, &d, &cause) == -1)
		fatalx("storage: %s", cause);
	/* What the advisor held beyond them: candidates, high_since, ... */
	if (store_advisor_foreach(d.store, restore_state_cb, &d, &cause) == -1)
		fatalx("storage: %s", cause);
	/* Forget the idle agents, as the running daemon did (a restart). */
	if ((forgot = advise_forget(d.advise, time_now_ms())) > 0)
		log_info("model: forgot %zu agents idle for 36 h", forgot);
	d.api.advise = d.advise;
	/* The snapshot of now's boundary, unless the rebuild took it. */
	api_teams_clock(&d.api, time_now_ms());
	/*
	 * Listen before deciding about open mode: that depends on the
	 * addresses the sockets are bound to, also when systemd bound them.
	 */
	limits_from_config(d.cf, &limits);
	raise_nofile(d.cf->max_connections);
	d.http = http_server_new(d.base, api_handle, &d.api, &limits);
	listen_all(&d);
	{
		struct auth_limits	alim;

		auth_limits_from_config(d.cf, &alim);
		d.auth = auth_new(d.base, d.cf->tokens_file, &alim);
		auth_allow_open(d.auth, http_server_all_loopback(d.http));
		if (auth_reload(d.auth, &cause) == -1)
			fatalx("auth: %s", cause);
		if (auth_ntokens(d.auth) == 0 &&
		    !http_server_all_loopback(d.http))
			fatalx("auth: no tokens in %s, and a listen address is "
			    "not loopback: refusing to run open to the network "
			    "(add one with: respitectl token add --role admin "
			    "--label ops)", d.cf->tokens_file);
		if (auth_is_open(d.auth))
			log_warnx("auth: OPEN MODE: no tokens in %s; every "
			    "request is admin. Allowed only because every "
			    "listener is loopback.", d.cf->tokens_file);
		else
			log_info("auth: %zu tokens from %s",
			    auth_ntokens(d.auth), d.cf->tokens_file);
		d.api.auth = d.auth;
		d.api.outbox = d.outbox;
		d.api.audit_seen = audit_seen_new();
		d.api.flush_soon = flush_soon;
		d.api.flush_now = flush_now;
		d.api.flush_arg = &d;
		auth_set_change_cb(d.auth, api_stream_recheck, &d.api);
		d.soon = evtimer_new(d.base, soon_cb, &d);
		d.changes = evtimer_new(d.base, soon_cb, &d);
	}
	{
		struct retention_days	keep;

		retention_from_config(d.cf, &keep);
		d.retention = retention_new(d.base, d.store, &keep);
	}
	t1 = time_now_ms();
	log_info("state rebuilt: %zu agents in %lld ms (%zu events of the "
	    "last %d h, %zu before them for %zu agents, %zu open tickets)",
	    agents_count(d.agents), (long long)(t1 - t0), rs.events,
	    (int)(ADVISE_FORGET_IDLE_MS / MS_PER_HOUR), rs.seeded, rs.agents,
	    rs.open);

	if (store_checkpoint_in_background(d.store, &cause) == -1)
		fatalx("storage: %s", cause);
#ifdef HAVE_NATS
	/* Cluster mode: connect and set up the stream (blocking, start-up). */
	if (d.cf->cluster &&
	    (d.cluster = cluster_open(d.base, d.cf, &cause)) == NULL)
		fatalx("cluster: %s", cause);
#endif
	d.commit = commit_new(d.base, d.store, api_apply_cb, &d.api);
	commit_set_max_events(d.commit, d.cf->commit_max_events);
	commit_set_group_cb(d.commit, group_done_cb, &d);
	commit_set_extra(d.commit, outbox_hook_write, outbox_hook_written,
	    d.outbox);
	d.api.commit = d.commit;
#ifdef HAVE_NATS
	/* Writes through the stream; the stream applied (daemon/replica.c). */
	if (d.cluster != NULL) {
		if ((d.replica = replica_new(d.cluster, d.commit, d.store,
		    &cause)) == NULL)
			fatalx("cluster: %s", cause);
		replica_set_tick(d.replica, tick_apply, &d);
		replica_set_stop(d.replica, hole_stop, &d);
		replica_set_answer(d.replica, api_answer_apply,
		    api_answer_failed, &d.api);
		/* The live timer goes on for the agents it did before. */
		if (store_agents_live(d.store, t0 - ADVISE_FORGET_IDLE_MS,
		    d.api.ap.live_window_ms, restore_live_cb, d.advise,
		    &cause) == -1)
			fatalx("storage: %s", cause);
		/*
		 * Side effects once: the sinks run on the leader only, which
		 * resumes from the last change a leader confirmed.
		 */
		if (plugins_count(d.plugins, RESPITE_PLUGIN_SINK) > 0) {
			replica_set_sink(d.replica, sinks_deliver, d.plugins,
			    flush_now, &d);
			plugins_set_sink_done(replica_sink_done, d.replica);
			outbox_set_sink(d.outbox, replica_outbox_cb,
			    d.replica);
		} else
			outbox_set_sink(d.outbox, NULL, NULL);
		if (replica_start(d.replica, &cause) == -1)
			fatalx("cluster: %s", cause);
		d.api.submit = replica_submit;
		d.api.answer = replica_publish_answer;
		d.api.cluster_health = replica_health;
		d.api.cluster_metrics = replica_metrics;
		d.api.cluster_arg = d.replica;
		d.api.read_clock = read_clock;
		d.api.read_clock_arg = &d;
	}
#endif
	/* Source plugins (the Asterisk link) start once storage is ready. */
	plugins_set_submit(api_source_submit, &d.api);
	if (plugins_start(d.plugins, &cause) == -1)
		fatalx("%s", cause);

	for (i = 0; signums[i] != 0; i++) {
		sigs[i] = evsignal_new(d.base, signums[i], signal_cb, &d);
		evsignal_add(sigs[i], NULL);
	}

	for (k = 0; k < http_server_naddresses(d.http); k++)
		log_info("listening on http://%s", http_server_address(d.http,
		    k));
	log_info("storing in %s (synchronous=%s)", store_path(d.store),
	    d.cf->sync_full ? "full" : "normal");
	d.tick = evtimer_new(d.base, tick_cb, &d);
	tick_schedule(&d);
	d.service = service_new(d.base);
	service_status(d.service, d.http, agents_count(d.agents),
	    time_now_ms());
	notify("READY=1");
	if (ready_fd != -1)
		detach_done(ready_fd, d.cf->log_level);

	event_base_dispatch(d.base);

	/*
	 * More signals while closing down must not kill us half-way.  They
	 * are blocked while libevent puts back the default handlers, then
	 * ignored (which also drops any that came in meanwhile).
	 */
	sigemptyset(&block);
	for (i = 0; signums[i] != 0; i++)
		sigaddset(&block, signums[i]);
	sigprocmask(SIG_BLOCK, &block, NULL);
	for (i = 0; signums[i] != 0; i++) {
		event_free(sigs[i]);
		signal(signums[i], SIG_IGN);
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	plugins_stop(d.plugins);
	commit_free(d.commit);
	/* The days that ended are written, as the next tick would have. */
	if (!clustered(&d))
		days_stop(d.days, (time_now_ms() / MS_PER_MIN) * MS_PER_MIN);
	flush_outbox(&d);
#ifdef HAVE_NATS
	/* Writes awaiting their acks are answered (503) here. */
	cluster_close(d.cluster);
	plugins_set_sink_done(NULL, NULL);	/* the sinks' queues are lost */
	replica_free(d.replica);
#endif
	event_free(d.tick);
	service_free(d.service);
	http_server_free(d.http);
	dispatch_free(d.dispatch);
	if (d.drain != NULL)
		event_free(d.drain);
	if (d.soon != NULL)
		event_free(d.soon);
	if (d.changes != NULL)
		event_free(d.changes);
	auth_free(d.auth);
	retention_free(d.retention);
	advise_free(d.advise);
	days_free(d.days);
	outbox_free(d.outbox);
	audit_seen_free(d.api.audit_seen);
	aggview_free(d.api.aggview);
	plugins_free(d.plugins);
	sinks_drops_free();
	store_close(d.store);
	agents_free(d.agents);
	log_info("stopped");
	config_free(d.cf);
	free(d.config_path);
	event_base_free(d.base);
	return (d.status);
}
