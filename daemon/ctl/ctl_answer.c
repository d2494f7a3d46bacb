/*
 * respite - respitectl accept|dismiss|snooze ID: answer a suggestion.
 *
 * POST /v1/suggestions/ID {"action": ..., "minutes": N} and print the new
 * status.  The three commands share this file and one function, which
 * knows from its argv[0] which answer it gives, as tmux's cmd-*.c files
 * carry several entries for one exec.  An answer that is no longer
 * possible (already answered, expired, a third snooze) is the server's
 * 409 conflict: its message says why, and the exit status is 1.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

static const struct option answer_longopts[] = {
	{ "minutes", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static void
print_answer(json_t *s)
{
	char		 who[200];
	const char	*status = ctl_json_str(s, "status", "?");
	json_int_t	 n;

	ctl_sugg_who(s, who, sizeof who);
	printf("%s %s", ctl_json_str(s, "id", "?"), status);
	if (strcmp(status, "snoozed") == 0) {
		n = json_integer_value(json_object_get(s, "snoozes"));
		printf(" until %s (snoozed %" JSON_INTEGER_FORMAT " time%s)",
		    ctl_json_str(s, "snoozed_until", "?"), n, n == 1 ? "" :
		    "s");
	}
	printf(": %s for %s\n", ctl_json_str(s, "kind", "?"), who);
}

static int
answer_exec(int argc, char **argv)
{
	const struct ctl_cmd	*cmd;
	struct ctl_opts		 opts;
	struct ctl_http		*h = NULL;
	const char		*id;
	char			*esc, *path, *what;
	json_t			*req, *s = NULL;
	long long		 minutes = 0;
	int			 ch, rc;

	if (strcmp(argv[0], "accept") == 0)
		cmd = &ctl_accept_cmd;
	else if (strcmp(argv[0], "dismiss") == 0)
		cmd = &ctl_dismiss_cmd;
	else
		cmd = &ctl_snooze_cmd;
	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", answer_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 'm':
			if (cmd != &ctl_snooze_cmd) {
				ctl_warnx("%s: --minutes is for snooze",
				    cmd->name);
				ctl_usage_cmd(cmd, CTL_EXIT_USAGE);
			}
			if (ctl_parse_long(optarg, 1, 1440, &minutes) == -1) {
				ctl_warnx("--minutes: a whole number of minutes "
				    "(the server allows 1 to 30 by default), "
				    "not \"%s\"", optarg);
				return (CTL_EXIT_USAGE);
			}
			break;
		case 'h':
			ctl_usage_cmd(cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if (argc - optind != 1) {
		ctl_warnx(optind == argc ? "%s: which suggestion?" :
		    "%s: one suggestion at a time", cmd->name);
		ctl_usage_cmd(cmd, CTL_EXIT_USAGE);
	}
	id = argv[optind];
	if (*id == '\0') {
		ctl_warnx("%s: a suggestion id, not nothing", cmd->name);
		return (CTL_EXIT_USAGE);
	}
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);

	req = json_pack("{s:s}", "action", cmd->name);
	if (minutes > 0)
		json_object_set_new(req, "minutes",
		    json_integer((json_int_t)minutes));
	esc = ctl_http_escape(h, id);
	xasprintf(&path, "/v1/suggestions/%s", esc);
	free(esc);
	xasprintf(&what, "cannot %s %s", cmd->name, id);
	if ((rc = ctl_http_post_json(h, path, req, what, &s)) == CTL_EXIT_OK)
		rc = ctl_http_show(h, opts.json, s, print_answer);
	json_decref(req);
	json_decref(s);
	free(what);
	free(path);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_accept_cmd = {
	"accept",
	CTL_COMMON_USAGE " ID",
	"Accept a suggestion (a break starts at once).",
	CTL_COMMON_HELP
	"\nPrints the suggestion's new status; exits 1 if it can no longer be\n"
	"accepted (409 conflict: answered already, or expired).\n",
	answer_exec
};

const struct ctl_cmd ctl_dismiss_cmd = {
	"dismiss",
	CTL_COMMON_USAGE " ID",
	"Dismiss a suggestion.",
	CTL_COMMON_HELP
	"\nPrints the suggestion's new status; exits 1 if it can no longer be\n"
	"dismissed (409 conflict).\n",
	answer_exec
};

const struct ctl_cmd ctl_snooze_cmd = {
	"snooze",
	"[--minutes N] " CTL_COMMON_USAGE " ID",
	"Postpone a suggestion (twice at most).",
	"  --minutes N       for N minutes (the server's default: 10)\n"
	CTL_COMMON_HELP
	"\nPrints the new status and until when; exits 1 if it cannot be\n"
	"snoozed (409 conflict: not open, or snoozed twice already).\n",
	answer_exec
};
