/*
 * respite - respitectl agent ID: one agent, and why its strain is what it
 * is.
 *
 * GET /v1/agents/ID in words: status, strain and level, each factor with
 * its raw value, its position between the bounds of MODEL.md and its
 * points (whose sum, rounded half up, is the strain), the metrics, and
 * the suggestions still open.  Metrics are printed in the order the
 * server sends them and under its names, so a metric added to the API
 * shows up here without a change.  --json prints the reply as it came.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

static void
print_factors(json_t *factors)
{
	static const char *const headers[] = { "FACTOR", "VALUE", "POSITION",
	    "POINTS", NULL };
	struct ctl_table	*t;
	const char		*key;
	json_t			*f;
	double			 sum = 0;

	t = ctl_table_new(headers, "lrrr");
	json_object_foreach(factors, key, f) {
		ctl_table_cell(t, NULL, "%s", key);
		ctl_table_cell(t, NULL, "%.2f", ctl_json_num(f, "value"));
		ctl_table_cell(t, NULL, "%.2f", ctl_json_num(f, "position"));
		ctl_table_cell(t, NULL, "%.2f", ctl_json_num(f, "points"));
		sum += ctl_json_num(f, "points");
	}
	ctl_table_cell(t, NULL, "total");
	ctl_table_cell(t, NULL, "%s", "");
	ctl_table_cell(t, NULL, "%s", "");
	ctl_table_cell(t, NULL, "%.2f", sum);
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

static void
print_metrics(json_t *metrics)
{
	static const char *const headers[] = { "METRIC", "VALUE", NULL };
	struct ctl_table	*t;
	const char		*key;
	json_t			*m;
	char			*s;

	t = ctl_table_new(headers, "lr");
	json_object_foreach(metrics, key, m) {
		ctl_table_cell(t, NULL, "%s", key);
		if (json_is_integer(m))
			ctl_table_cell(t, NULL, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(m));
		else if (json_is_real(m))
			ctl_table_cell(t, NULL, "%.2f", json_real_value(m));
		else if (json_is_string(m))
			ctl_table_cell(t, NULL, "%s", json_string_value(m));
		else {
			s = json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY);
			ctl_table_cell(t, NULL, "%s", s != NULL ? s : "?");
			free(s);
		}
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

static void
print_agent(json_t *a)
{
	const char	*level = ctl_json_str(a, "level", "-");
	const char	*colour = ctl_colour() ? ctl_level_colour(level) : NULL;
	json_t		*open;

	printf("%s (team %s): %s, strain %.0f, level %s%s%s\n",
	    ctl_json_str(a, "agent", "-"), ctl_json_str(a, "team", "-"),
	    ctl_json_str(a, "status", "-"), ctl_json_num(a, "strain"),
	    colour != NULL ? colour : "", level, colour != NULL ? "\033[0m" :
	    "");
	printf("last event at %s\n", ctl_json_str(a, "updated_at", "-"));
	if (json_is_object(json_object_get(a, "factors"))) {
		printf("\nThe strain is the sum of the points, rounded:\n");
		print_factors(json_object_get(a, "factors"));
	}
	if (json_is_object(json_object_get(a, "metrics"))) {
		putchar('\n');
		print_metrics(json_object_get(a, "metrics"));
	}
	open = json_object_get(a, "open_suggestions");
	if (json_array_size(open) == 0)
		printf("\nno open suggestions\n");
	else {
		printf("\nopen suggestions:\n");
		ctl_print_suggestions(open);
	}
}

static const struct option agent_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
agent_exec(int argc, char **argv)
{
	struct ctl_opts	 opts;
	struct ctl_http	*h = NULL;
	const char	*id;
	char		*esc, *path;
	json_t		*a = NULL;
	int		 ch, rc;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", agent_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 'h':
			ctl_usage_cmd(&ctl_agent_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_agent_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if ((id = ctl_agent_arg(&ctl_agent_cmd, argc, argv)) == NULL)
		return (CTL_EXIT_USAGE);
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);
	esc = ctl_http_escape(h, id);
	xasprintf(&path, "/v1/agents/%s", esc);
	free(esc);
	if ((rc = ctl_http_get_json(h, path, NULL, &a)) == CTL_EXIT_OK)
		rc = ctl_http_show(h, opts.json, a, print_agent);
	json_decref(a);
	free(path);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_agent_cmd = {
	"agent",
	CTL_COMMON_USAGE " ID",
	"One agent: status, strain, its factors, metrics and suggestions.",
	CTL_COMMON_HELP
	"\nEach factor shows its raw value, its position (0 to 1) between the\n"
	"bounds of the model and the points it adds to the strain.  --json\n"
	"prints GET /v1/agents/ID as it is.\n",
	agent_exec
};
