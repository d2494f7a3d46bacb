/*
 * respite - respitectl, the command-line client.
 *
 * main() only finds the subcommand and hands it the rest of the command
 * line; each subcommand lives in its own ctl_*.c with a struct ctl_cmd
 * (tmux gives each command a cmd_entry the same way).  Messages go to
 * stderr as "respitectl: ..." rather than through log.c, whose time and
 * level words suit a daemon's log, not a terminal.
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* The commands, in the order the usage lists them. */
static const struct ctl_cmd *const ctl_cmds[] = {
	&ctl_status_cmd,
	&ctl_agent_cmd,
	&ctl_days_cmd,
	&ctl_trend_cmd,
	&ctl_suggestions_cmd,
	&ctl_accept_cmd,
	&ctl_dismiss_cmd,
	&ctl_snooze_cmd,
	&ctl_token_cmd,
	&ctl_audit_cmd,
	&ctl_replay_cmd,
	&ctl_simulate_cmd,
	&ctl_classify_cmd,
};
#define NCMDS	(sizeof ctl_cmds / sizeof ctl_cmds[0])

const char *ctl_config_path;

static __attribute__((noreturn)) void
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;
	size_t	 i;

	fprintf(f, "usage: respitectl [-hV] [-c CONF] COMMAND [ARGS...]\n"
	    "       respitectl help [COMMAND]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-12s %s\n", ctl_cmds[i]->name,
		    ctl_cmds[i]->summary);
	fprintf(f, "\ncommon options of the commands that talk to respited:\n"
	    CTL_COMMON_HELP
	    "\nexit status:\n"
	    "  0   done\n"
	    "  1   the server refused (its error code and message on stderr),\n"
	    "      or a file could not be read\n"
	    "  2   bad command line\n"
	    "  69  respited cannot be reached (EX_UNAVAILABLE)\n"
	    "  75  respited stays unavailable, 503 after the retries "
	    "(EX_TEMPFAIL)\n"
	    "\n'respitectl COMMAND -h' describes a command's options;"
	    " see also respitectl(1).\n");
	exit(status);
}

/* Print a command's usage and options, and exit with status. */
void
ctl_usage_cmd(const struct ctl_cmd *cmd, int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f, "usage: respitectl %s %s\n", cmd->name, cmd->usage);
	if (status == 0)
		fprintf(f, "%s\n\n%s", cmd->summary, cmd->help);
	else
		fprintf(f, "'respitectl %s -h' lists the options.\n",
		    cmd->name);
	exit(status);
}

/*
 * A getopt error (the option string starts with ':') as "respitectl
 * COMMAND: ..." plus the usage, exit 2.  getopt's own message would name
 * the command alone, since the command is argv[0] to it.
 */
void
ctl_bad_option(const struct ctl_cmd *cmd, int ch, char **argv)
{
	const char	*arg = argv[optind - 1];

	if (ch == ':')
		fprintf(stderr, "respitectl %s: %s needs a value\n", cmd->name,
		    arg);
	else if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		fprintf(stderr, "respitectl %s: unknown option -%c\n",
		    cmd->name, optopt);
	else
		fprintf(stderr, "respitectl %s: unknown option %s\n", cmd->name,
		    arg);
	ctl_usage_cmd(cmd, CTL_EXIT_USAGE);
}

/*
 * The one agent id a command takes after its options (argv[optind]):
 * none or more than one is a usage error (exits); an empty one is said
 * and NULL returned.
 */
const char *
ctl_agent_arg(const struct ctl_cmd *cmd, int argc, char **argv)
{
	if (argc - optind != 1) {
		ctl_warnx(optind == argc ? "%s: which agent?" :
		    "%s: one agent at a time", cmd->name);
		ctl_usage_cmd(cmd, CTL_EXIT_USAGE);
	}
	if (*argv[optind] == '\0') {
		ctl_warnx("%s: an agent id, not nothing", cmd->name);
		return (NULL);
	}
	return (argv[optind]);
}

static void	ctl_vwarn(const char *, va_list, int)
		    __attribute__((format(printf, 1, 0)));

static void
ctl_vwarn(const char *fmt, va_list ap, int errnum)
{
	char	buf[1024];

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (errnum != 0)
		fprintf(stderr, "respitectl: %s: %s\n", buf, strerror(errnum));
	else
		fprintf(stderr, "respitectl: %s\n", buf);
}

/* A message on stderr, prefixed with the program name. */
void
ctl_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap, 0);
	va_end(ap);
}

/* The same, followed by strerror(errno). */
void
ctl_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

/* A whole decimal integer in [min, max].  Returns 0, or -1 if it is not. */
int
ctl_parse_long(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* A finite number in [min, max].  Returns 0, or -1 if it is not. */
int
ctl_parse_double(const char *s, double min, double max, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* The common options' defaults: the address from $RESPITE_URL. */
void
ctl_opts_init(struct ctl_opts *o)
{
	memset(o, 0, sizeof *o);
	o->url = getenv("RESPITE_URL");
	if (o->url == NULL || *o->url == '\0')
		o->url = CTL_DEFAULT_URL;
}

/*
 * Take option ch (from getopt_long) if it is a common one.  Returns 1 if
 * it was, 0 if the command must handle it.
 */
int
ctl_opts_set(struct ctl_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case CTL_OPT_URL:
		o->url = arg;
		return (1);
	case CTL_OPT_TOKEN_FILE:
		o->token_file = arg;
		return (1);
	case CTL_OPT_JSON:
		o->json = 1;
		return (1);
	default:
		return (0);
	}
}

/* Sleep for s seconds, through signals. */
void
ctl_sleep(double s)
{
	struct timespec	ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const struct ctl_cmd *
find_cmd(const char *name)
{
	size_t	i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(ctl_cmds[i]->name, name) == 0)
			return (ctl_cmds[i]);
	return (NULL);
}

int
main(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;

	/* -c CONF: the configuration `token` reads [auth] tokens_file from. */
	if (argc >= 3 && (strcmp(argv[1], "-c") == 0 ||
	    strcmp(argv[1], "--config") == 0)) {
		ctl_config_path = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage(CTL_EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		usage(0);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("respitectl %s\n", PACKAGE_VERSION);
		return (0);
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3)
			usage(0);
		if ((cmd = find_cmd(argv[2])) == NULL) {
			ctl_warnx("unknown command: %s", argv[2]);
			usage(CTL_EXIT_USAGE);
		}
		ctl_usage_cmd(cmd, 0);
	}
	if (argv[1][0] == '-') {
		ctl_warnx("unknown option: %s", argv[1]);
		usage(CTL_EXIT_USAGE);
	}
	if ((cmd = find_cmd(argv[1])) == NULL) {
		ctl_warnx("unknown command: %s", argv[1]);
		usage(CTL_EXIT_USAGE);
	}
	/* The command sees itself as argv[0], as getopt expects. */
	return (cmd->exec(argc - 1, argv + 1));
}
