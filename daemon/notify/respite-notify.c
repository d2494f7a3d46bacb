/*
 * respite-notify - the agent's desktop companion.
 *
 * Parses the options and the configuration file, checks the session bus
 * and the notification server, wires the modules together and runs the
 * GLib main loop (libnotify needs one):
 *
 *	sse.c		the agent's event stream (libsoup 3)
 *	client.c	the JSON API: status, open suggestions, answers
 *	companion.c	what is shown when, the break and its countdown
 *	popup.c		libnotify, on a thread of its own
 *	nconf.c		notify.conf; nlog.c the log (daemon/common/log.c)
 *	week.c		--summary: the agent's own week, as text
 *
 * Exit codes follow sysexits(3): 0, 64 a bad command line, 69 no
 * session bus, no notification server or no respited (only with --once:
 * without it respite-notify waits and retries; --summary: no respited),
 * 77 respited refused the token, 78 a bad configuration or token file.
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib-unix.h>

#include "client.h"
#include "companion.h"
#include "log.h"
#include "nconf.h"
#include "nlog.h"
#include "ntext.h"
#include "popup.h"
#include "sse.h"
#include "week.h"

#define START_CHECK_MS	10000	/* the notification server's start-up check */
#define STOP_WAIT_MS	3000	/* closing popups at exit */

enum {
	OPT_URL = 256,
	OPT_AGENT,
	OPT_TOKEN_FILE,
	OPT_ONCE,
	OPT_SUMMARY
};

struct app {
	GMainLoop	*loop;
	int		 exit_code;
	int		 quitting;
	int		 once;
	const char	*url;
	const char	*agent;
	json_t		*days;		/* --summary: the /days reply */
	struct comp	*comp;
	struct sse	*sse;
	struct client	*client;
	struct popup	*popup;
};

static __attribute__((noreturn)) void
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f, "usage: respite-notify [-hVv] [-c FILE] [--url URL] "
	    "[--agent ID] [--token-file FILE]\n"
	    "                      [--once | --summary]\n");
	if (status != 0)
		exit(status);
	fprintf(f, "\nShows the agent's break suggestions from respited as "
	    "desktop notifications.\n\n"
	    "  --url URL          respited's address (default %s)\n"
	    "  --agent ID         the agent whose suggestions to show\n"
	    "  --token-file FILE  a file holding the agent's API token\n"
	    "  --once             show the open suggestions, exit when they "
	    "are answered\n"
	    "  --summary          print the agent's own week and trend, and "
	    "exit\n"
	    "  -c FILE            the configuration file (default "
	    "$XDG_CONFIG_HOME/respite/notify.conf)\n"
	    "  -v                 log more (debug lines; -vv: libraries' too)\n"
	    "  -V                 print the version\n"
	    "  -h                 this help\n\n"
	    "See respite-notify(1).\n", NCONF_DEFAULT_URL);
	exit(0);
}

static void
app_quit(int code, void *arg)
{
	struct app	*a = arg;

	if (a->quitting)
		return;
	a->quitting = 1;
	a->exit_code = code;
	g_main_loop_quit(a->loop);
}

static gboolean
signal_cb(gpointer arg)
{
	struct app	*a = arg;

	log_info("stopping on a signal");
	app_quit(0, a);
	return (G_SOURCE_CONTINUE);
}

/* ---- the stream */

static void
stream_open_cb(void *arg)
{
	struct app	*a = arg;

	comp_stream_open(a->comp);
}

static void
stream_event_cb(const char *type, const char *data, const char *id,
    void *arg)
{
	struct app	*a = arg;

	log_debug("stream: event %s %s", id, type);
	comp_stream_event(a->comp, type, data);
}

static int
stream_down_cb(const char *reason, int status, int ever_open, void *arg)
{
	struct app	*a = arg;

	if (status == 401 || status == 403) {
		log_warnx("respited refused the token for the stream (%s); "
		    "check token_file", reason);
		app_quit(NOTIFY_EX_NOPERM, a);
		return (1);
	}
	if (status == 400 || status == 404 || status == 405) {
		/* Retrying cannot help: a wrong URL or a wrong agent id. */
		log_warnx("respited at %s does not serve this stream (%s); "
		    "check url and agent", a->url, reason);
		app_quit(NOTIFY_EX_CONFIG, a);
		return (1);
	}
	if (a->once && !ever_open) {
		log_warnx("cannot reach respited at %s: %s", a->url, reason);
		app_quit(NOTIFY_EX_UNAVAILABLE, a);
		return (1);
	}
	return (0);
}

/* ---- the presenter */

static void
popup_action_cb(const char *key, const char *action, void *arg)
{
	struct app	*a = arg;

	comp_action(a->comp, key, action);
}

static void
popup_closed_cb(const char *key, int reason, void *arg)
{
	struct app	*a = arg;

	comp_closed(a->comp, key, reason);
}

static void
popup_server_cb(const struct popup_status *st, void *arg)
{
	struct app	*a = arg;

	comp_server(a->comp, st);
}

/* ---- --summary: GET .../days, then .../trend, print, quit */

static void
summary_failed(struct app *a, const char *what, int status, const char *msg)
{
	if (status == 401 || status == 403) {
		log_warnx("respited refused %s: %s", what, msg);
		app_quit(NOTIFY_EX_NOPERM, a);
	} else if (status == 0 || status >= 500) {
		log_warnx("cannot read %s from respited at %s: %s", what,
		    a->url, msg != NULL ? msg : "no reply");
		app_quit(NOTIFY_EX_UNAVAILABLE, a);
	} else {
		log_warnx("cannot read %s: HTTP %d: %s", what, status,
		    msg != NULL ? msg : "no message");
		app_quit(NOTIFY_EX_CONFIG, a);
	}
}

static void
summary_trend_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct app	*a = arg;

	if (status != 200) {
		summary_failed(a, "the agent's trend", status, msg);
		return;
	}
	week_print(stdout, a->agent, a->days, body, ntext_get_lang());
	fflush(stdout);
	app_quit(ferror(stdout) ? 1 : 0, a);
}

static void
summary_days_cb(int status, json_t *body, const char *msg, void *arg)
{
	struct app	*a = arg;
	char		*path;

	if (status == 404) {
		printf("respited has no days of agent %s yet.\n", a->agent);
		app_quit(0, a);
		return;
	}
	if (status != 200) {
		summary_failed(a, "the agent's days", status, msg);
		return;
	}
	a->days = json_incref(body);
	path = g_strdup_printf("/v1/agents/%s/trend", a->agent);
	client_request(a->client, "GET", path, NULL, summary_trend_cb, a,
	    NULL);
	g_free(path);
}

static int
minute_ms_from_env(void)
{
	const char	*v = getenv("RESPITE_NOTIFY_MINUTE_MS");
	char		*end;
	long		 ms;

	if (v == NULL || *v == '\0')
		return (60000);
	errno = 0;
	ms = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || ms < 10 || ms > 60000)
		log_exit(NOTIFY_EX_USAGE, "RESPITE_NOTIFY_MINUTE_MS: expected "
		    "10 to 60000, got \"%s\"", v);
	return ((int)ms);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, OPT_URL },
		{ "agent", required_argument, NULL, OPT_AGENT },
		{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct app		 a;
	struct nconf		*cf;
	struct popup_status	 st;
	struct popup_cbs	 pcbs;
	struct sse_cbs		 scbs;
	struct comp_cbs		 ccbs;
	struct comp_opts	 co;
	const char		*opt_url = NULL, *opt_agent = NULL;
	const char		*opt_token = NULL, *opt_conf = NULL;
	char			*conf_path, *cause = NULL, *token = NULL;
	char			*base, *stream_url;
	int			 ch, verbose = 0, i, summary = 0;

	log_set_name("respite-notify");
	memset(&a, 0, sizeof a);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:hvV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_URL:
			opt_url = optarg;
			break;
		case OPT_AGENT:
			opt_agent = optarg;
			break;
		case OPT_TOKEN_FILE:
			opt_token = optarg;
			break;
		case OPT_ONCE:
			a.once = 1;
			break;
		case OPT_SUMMARY:
			summary = 1;
			break;
		case 'c':
			opt_conf = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(0);
			/* NOTREACHED */
		case 'V':
			printf("respite-notify %s\n", PACKAGE_VERSION);
			return (0);
		case ':':
			fprintf(stderr, "respite-notify: %s needs a value\n",
			    argv[optind - 1]);
			usage(NOTIFY_EX_USAGE);
			/* NOTREACHED */
		default:
			if (optopt != 0 && strncmp(argv[optind - 1], "--", 2) != 0)
				fprintf(stderr, "respite-notify: unknown option "
				    "-%c\n", optopt);
			else
				fprintf(stderr, "respite-notify: unknown option "
				    "%s\n", argv[optind - 1]);
			usage(NOTIFY_EX_USAGE);
			/* NOTREACHED */
		}
	}
	if (optind != argc) {
		fprintf(stderr, "respite-notify: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(NOTIFY_EX_USAGE);
	}
	if (summary && a.once) {
		fprintf(stderr, "respite-notify: --summary and --once do not "
		    "go together\n");
		usage(NOTIFY_EX_USAGE);
	}
	nlog_init(verbose, a.once || summary);
	nlog_route_glib();

	/* The file, then the command line over it. */
	conf_path = opt_conf != NULL ? g_strdup(opt_conf) : nconf_default_path();
	if ((cf = nconf_load(conf_path, opt_conf != NULL, &cause)) == NULL)
		log_exit(NOTIFY_EX_CONFIG, "%s", cause);
	g_free(conf_path);
	if (opt_url != NULL) {
		if (!nconf_url_valid(opt_url))
			log_exit(NOTIFY_EX_USAGE, "--url: expected "
			    "http://HOST:PORT, got \"%s\"", opt_url);
		g_free(cf->url);
		cf->url = g_strdup(opt_url);
	}
	if (opt_agent != NULL) {
		if (!nconf_agent_valid(opt_agent))
			log_exit(NOTIFY_EX_USAGE, "--agent: must be 1-64 chars "
			    "of [A-Za-z0-9._@-], got \"%s\"", opt_agent);
		g_free(cf->agent);
		cf->agent = g_strdup(opt_agent);
	}
	if (opt_token != NULL) {
		g_free(cf->token_file);
		cf->token_file = g_strdup(opt_token);
	}
	if (cf->agent == NULL)
		log_exit(NOTIFY_EX_USAGE, "no agent: give --agent ID, or agent "
		    "= ID under [notify] in %s", cf->file != NULL ? cf->file :
		    "$XDG_CONFIG_HOME/respite/notify.conf");
	if (cf->token_file != NULL) {
		if ((token = nconf_read_token(cf->token_file, &cause)) == NULL)
			log_exit(NOTIFY_EX_CONFIG, "%s", cause);
		if (cause != NULL) {
			log_warnx("%s", cause);
			g_free(cause);
		}
	}
	ntext_set_lang(cf->lang >= 0 ? (enum ntext_lang)cf->lang :
	    ntext_lang_from_env(getenv("LC_ALL"), getenv("LC_MESSAGES"),
	    getenv("LANG")));
	if (summary) {
		/* No notification server needed: the week goes to stdout. */
		a.loop = g_main_loop_new(NULL, FALSE);
		base = g_strdup(cf->url);
		for (i = (int)strlen(base) - 1; i > 0 && base[i] == '/'; i--)
			base[i] = '\0';
		a.url = base;
		a.agent = cf->agent;
		a.client = client_new(base, token);
		if (token != NULL) {
			explicit_bzero(token, strlen(token));
			g_free(token);
		}
		/* stream_url: here the path of the days. */
		stream_url = g_strdup_printf("/v1/agents/%s/days", cf->agent);
		client_request(a.client, "GET", stream_url, NULL,
		    summary_days_cb, &a, NULL);
		g_free(stream_url);
		g_main_loop_run(a.loop);
		client_free(a.client);
		for (i = 0; i < 1000 && g_main_context_pending(NULL); i++)
			g_main_context_iteration(NULL, FALSE);
		g_main_loop_unref(a.loop);
		if (a.days != NULL)
			json_decref(a.days);
		g_free(base);
		nconf_free(cf);
		return (a.exit_code);
	}
	memset(&co, 0, sizeof co);
	co.agent = cf->agent;
	co.once = a.once;
	co.level_notices = cf->level_notices;
	co.minute_ms = minute_ms_from_env();

	/* The session bus and the notification server, before anything. */
	memset(&pcbs, 0, sizeof pcbs);
	pcbs.action = popup_action_cb;
	pcbs.closed = popup_closed_cb;
	pcbs.server = popup_server_cb;
	pcbs.arg = &a;
	a.popup = popup_start(&pcbs, START_CHECK_MS, &st);
	if (st.state != POPUP_OK) {
		const char	*what = st.state == POPUP_NO_BUS ?
		    "no D-Bus session bus" : "no notification server";

		if (a.once) {
			popup_stop(a.popup, STOP_WAIT_MS);
			log_exit(NOTIFY_EX_UNAVAILABLE, "%s: %s", what, st.info);
		}
		log_warnx("%s yet (%s); notifications wait until one answers",
		    what, st.info);
	} else
		log_info("notification server: %s (actions: %s)", st.info,
		    st.caps.actions ? "yes" : "no; the popups say how to "
		    "answer with respitectl");

	a.loop = g_main_loop_new(NULL, FALSE);
	base = g_strdup(cf->url);
	for (i = (int)strlen(base) - 1; i > 0 && base[i] == '/'; i--)
		base[i] = '\0';
	a.url = base;
	stream_url = g_strdup_printf("%s/v1/stream?agent=%s", base, cf->agent);
	a.client = client_new(base, token);

	memset(&ccbs, 0, sizeof ccbs);
	ccbs.quit = app_quit;
	ccbs.arg = &a;
	a.comp = comp_new(&co, a.client, a.popup, &st, &ccbs);

	memset(&scbs, 0, sizeof scbs);
	scbs.open = stream_open_cb;
	scbs.event = stream_event_cb;
	scbs.down = stream_down_cb;
	scbs.arg = &a;
	a.sse = sse_new(stream_url, token, &scbs);
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		g_free(token);
	}

	/* A hangup (the terminal or the session went) stops us too. */
	g_unix_signal_add(SIGTERM, signal_cb, &a);
	g_unix_signal_add(SIGINT, signal_cb, &a);
	g_unix_signal_add(SIGHUP, signal_cb, &a);
	log_info("respite-notify %s: agent %s, respited at %s%s",
	    PACKAGE_VERSION, cf->agent, base, a.once ? ", --once" : "");

	sse_start(a.sse);
	g_main_loop_run(a.loop);

	/* Requests first (no callback after this), then the popups. */
	sse_free(a.sse);
	client_free(a.client);
	comp_free(a.comp);
	popup_stop(a.popup, STOP_WAIT_MS);
	/* Let the cancelled requests finish and free what they hold. */
	for (i = 0; i < 1000 && g_main_context_pending(NULL); i++)
		g_main_context_iteration(NULL, FALSE);
	g_main_loop_unref(a.loop);
	g_free(stream_url);
	g_free(base);
	nconf_free(cf);
	return (a.exit_code);
}
