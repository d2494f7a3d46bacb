/*
 * respite - respitectl days AGENT: an agent's days, one row a day.
 *
 * GET /v1/agents/AGENT/days in a table: minutes worked and on break,
 * contacts handled, hostile messages, the strain's mean and peak, the
 * minutes at high strain, the longest stretch without a break and the
 * break suggestions (raised, and how many were accepted, dismissed,
 * snoozed, expired).  Today's day, still open, is marked.  --from and
 * --to are dates (YYYY-MM-DD) passed on as they are: respited checks
 * them.  --json prints the reply as it came.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

/* Minutes as "7h05" (an hour or more) or "45m". */
static void
cell_minutes(struct ctl_table *t, double min)
{
	long	m = (long)min;

	if (m >= 60)
		ctl_table_cell(t, NULL, "%ldh%02ld", m / 60, m % 60);
	else
		ctl_table_cell(t, NULL, "%ldm", m);
}

static void
print_days(json_t *reply)
{
	static const char *const headers[] = { "DATE", "WORKED", "BREAKS",
	    "HANDLED", "HOSTILE", "STRAIN", "PEAK", "HIGH", "STRETCH",
	    "SUGGESTIONS", NULL };
	struct ctl_table	*t;
	json_t			*days, *d, *s;
	size_t			 i;
	int			 open = 0;

	days = json_object_get(reply, "days");
	printf("%s (%s): %zu days with work from %s to %s\n",
	    ctl_json_str(reply, "agent", "-"), ctl_json_str(reply, "tz", "-"),
	    json_array_size(days), ctl_json_str(reply, "from", "-"),
	    ctl_json_str(reply, "to", "-"));
	if (json_array_size(days) == 0)
		return;
	t = ctl_table_new(headers, "lrrrrrrrrl");
	json_array_foreach(days, i, d) {
		s = json_object_get(d, "suggestions");
		if (!json_is_true(json_object_get(d, "final")))
			open = 1;
		ctl_table_cell(t, NULL, "%s%s", ctl_json_str(d, "date", "?"),
		    json_is_true(json_object_get(d, "final")) ? "" : "*");
		cell_minutes(t, ctl_json_num(d, "worked_min"));
		cell_minutes(t, ctl_json_num(d, "break_min"));
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(d, "handled"));
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(d, "hostile"));
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(d, "strain_mean"));
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(d, "strain_peak"));
		cell_minutes(t, ctl_json_num(d, "high_min"));
		cell_minutes(t, ctl_json_num(d, "longest_stretch_min"));
		ctl_table_cell(t, NULL, "%.0f raised: %.0f accepted, %.0f "
		    "dismissed, %.0f snoozed, %.0f expired",
		    ctl_json_num(s, "raised"), ctl_json_num(s, "accepted"),
		    ctl_json_num(s, "dismissed"), ctl_json_num(s, "snoozed"),
		    ctl_json_num(s, "expired"));
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
	if (open)
		printf("* today: still open\n");
}

static const struct option days_longopts[] = {
	{ "from", required_argument, NULL, 'f' },
	{ "to", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
days_exec(int argc, char **argv)
{
	struct ctl_opts	 opts;
	struct ctl_http	*h = NULL;
	const char	*id, *from = NULL, *to = NULL;
	char		*esc, *ef, *et, *path;
	json_t		*reply = NULL;
	int		 ch, rc;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", days_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_days_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_days_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if ((id = ctl_agent_arg(&ctl_days_cmd, argc, argv)) == NULL)
		return (CTL_EXIT_USAGE);
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);
	esc = ctl_http_escape(h, id);
	ef = ctl_http_escape(h, from != NULL ? from : "");
	et = ctl_http_escape(h, to != NULL ? to : "");
	xasprintf(&path, "/v1/agents/%s/days%s%s%s%s%s", esc,
	    from != NULL || to != NULL ? "?" : "",
	    from != NULL ? "from=" : "", from != NULL ? ef : "",
	    from != NULL && to != NULL ? "&to=" : to != NULL ? "to=" : "",
	    to != NULL ? et : "");
	free(esc);
	free(ef);
	free(et);
	if ((rc = ctl_http_get_json(h, path, NULL, &reply)) == CTL_EXIT_OK)
		rc = ctl_http_show(h, opts.json, reply, print_days);
	json_decref(reply);
	free(path);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_days_cmd = {
	"days",
	"[--from DATE] [--to DATE] " CTL_COMMON_USAGE " AGENT",
	"An agent's days: worked, breaks, contacts, strain, suggestions.",
	"  --from DATE       the first day, YYYY-MM-DD (default 27 days\n"
	"                    before --to)\n"
	"  --to DATE         the last day, YYYY-MM-DD (default the agent's\n"
	"                    today)\n"
	CTL_COMMON_HELP
	"\nOne row a local day of the agent with work (GET\n"
	"/v1/agents/AGENT/days): time worked and on breaks, contacts\n"
	"handled, hostile messages, mean and peak strain, minutes at high\n"
	"strain, the longest stretch without a break, and the break\n"
	"suggestions.  Today's row, still open, is marked with a *.  At most\n"
	"400 days at a time.\n",
	days_exec
};
