/*
 * respite - respitectl trend AGENT: an agent's last 7 days against its
 * own baseline.
 *
 * GET /v1/agents/AGENT/trend: the risk (ok, elevated, high) and each
 * signal out of the ordinary, with its value, its usual value (the
 * baseline) and its reason.  --json prints the reply as it came.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

#define TREND_BASELINE_MIN	7	/* API.md: fewer, risk ok */

static void
print_trend(json_t *reply)
{
	static const char *const headers[] = { "SIGNAL", "VALUE", "USUAL",
	    "REASON", NULL };
	struct ctl_table	*t;
	json_t			*signals, *s;
	size_t			 i;
	double			 nbase;

	signals = json_object_get(reply, "signals");
	nbase = ctl_json_num(reply, "baseline_days");
	printf("%s: risk %s (the last %.0f days against %.0f baseline days "
	    "with work)\n", ctl_json_str(reply, "agent", "-"),
	    ctl_json_str(reply, "risk", "-"),
	    ctl_json_num(reply, "window_days"), nbase);
	if (nbase < TREND_BASELINE_MIN) {
		printf("too few days for a baseline: %.0f of at least %d\n",
		    nbase, TREND_BASELINE_MIN);
		return;
	}
	if (json_array_size(signals) == 0) {
		printf("nothing out of the ordinary\n");
		return;
	}
	t = ctl_table_new(headers, "lrrl");
	json_array_foreach(signals, i, s) {
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "name", "?"));
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(s, "value"));
		ctl_table_cell(t, NULL, "%g", ctl_json_num(s, "baseline"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "reason", ""));
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

static const struct option trend_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
trend_exec(int argc, char **argv)
{
	struct ctl_opts	 opts;
	struct ctl_http	*h = NULL;
	const char	*id;
	char		*esc, *path;
	json_t		*reply = NULL;
	int		 ch, rc;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", trend_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 'h':
			ctl_usage_cmd(&ctl_trend_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_trend_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if ((id = ctl_agent_arg(&ctl_trend_cmd, argc, argv)) == NULL)
		return (CTL_EXIT_USAGE);
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);
	esc = ctl_http_escape(h, id);
	xasprintf(&path, "/v1/agents/%s/trend", esc);
	free(esc);
	if ((rc = ctl_http_get_json(h, path, NULL, &reply)) == CTL_EXIT_OK)
		rc = ctl_http_show(h, opts.json, reply, print_trend);
	json_decref(reply);
	free(path);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_trend_cmd = {
	"trend",
	CTL_COMMON_USAGE " AGENT",
	"An agent's last 7 days against its own 28-day baseline.",
	CTL_COMMON_HELP
	"\nThe risk (ok, elevated, high) of the agent's last 7 completed\n"
	"days against the 28 before them (GET /v1/agents/AGENT/trend), and\n"
	"each signal out of the ordinary (high_strain_days,\n"
	"hostile_exposure, breaks_skipped, long_days) with its value, its\n"
	"usual value and why.  With fewer than 7 days of work in the\n"
	"baseline the risk is ok.\n",
	trend_exec
};
