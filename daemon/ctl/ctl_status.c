/*
 * respite - respitectl status: the team table for a lead.
 *
 * One row an agent (agent, team, status, level, strain, the factor that
 * gives most of the strain, open suggestions), the most strained first,
 * then a summary of each team.  The list of GET /v1/agents carries no
 * factors, so each agent is asked for in turn (GET /v1/agents/ID) over
 * one kept-alive connection; a floor of a few hundred agents is still a
 * fraction of a second.  The teams come from GET /v1/teams.
 *
 * --json prints {"agents": [...], "teams": [...]}: the agent objects of
 * GET /v1/agents/ID in the order of the table and the team objects of
 * GET /v1/teams, each exactly as the server sent it.
 *
 * A lead under privacy.lead_view = aggregate may not list agents (403):
 * then the team summaries are all there is to show, and status shows them
 * (without "agents" in --json) and says on stderr why the rows are
 * missing.  It fails only if the teams are refused too.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

/* The factor with the most points, or "-" when none has any. */
static const char *
top_factor(json_t *agent)
{
	json_t		*factors, *f;
	const char	*key, *best = "-";
	double		 max = 0, p;

	factors = json_object_get(agent, "factors");
	json_object_foreach(factors, key, f) {
		p = ctl_json_num(f, "points");
		if (p > max) {
			max = p;
			best = key;
		}
	}
	return (best);
}

/* The most strained first; then by agent id, for a stable order. */
static int
cmp_strain(const void *a, const void *b)
{
	json_t	*x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double	 sx = ctl_json_num(x, "strain"), sy = ctl_json_num(y, "strain");

	if (sx != sy)
		return (sx < sy ? 1 : -1);
	return (strcmp(ctl_json_str(x, "agent", ""),
	    ctl_json_str(y, "agent", "")));
}

static const char *
plural(json_int_t n)
{
	return (n == 1 ? "" : "s");
}

static void
print_team(json_t *t)
{
	json_t		*st = json_object_get(t, "status");
	json_t		*sn = json_object_get(t, "strain");
	json_int_t	 n, present, hostile, open, lead;

	n = json_integer_value(json_object_get(t, "agents"));
	hostile = json_integer_value(json_object_get(t, "hostile_last_hour"));
	open = json_integer_value(json_object_get(t, "open_tickets"));
	lead = json_integer_value(json_object_get(t,
	    "open_lead_suggestions"));
	present = json_integer_value(json_object_get(st, "working")) +
	    json_integer_value(json_object_get(st, "on_break"));
	/* Aggregate privacy mode: no counts before the first snapshot. */
	if (!json_is_object(st))
		printf("team %s: no figures yet; ", ctl_json_str(t, "team",
		    "-"));
	else
		printf("team %s: %" JSON_INTEGER_FORMAT " agent%s (%"
		    JSON_INTEGER_FORMAT " working, %" JSON_INTEGER_FORMAT
		    " on break, %" JSON_INTEGER_FORMAT " offline); ",
		    ctl_json_str(t, "team", "-"), n, plural(n),
		    json_integer_value(json_object_get(st, "working")),
		    json_integer_value(json_object_get(st, "on_break")),
		    json_integer_value(json_object_get(st, "offline")));
	/* Aggregate privacy mode withholds the figures of small groups. */
	if (!json_is_object(sn))
		printf("strain withheld (%s)\n", ctl_json_str(t, "suppressed",
		    "not given"));
	else if (present == 0)
		printf("no strain: nobody present\n");
	else if (json_object_get(sn, "max") == NULL)
		/* Aggregate privacy mode: never max or p90. */
		printf("strain mean %.1f, p50 %.0f (as of %s)\n",
		    ctl_json_num(sn, "mean"), ctl_json_num(sn, "p50"),
		    ctl_json_str(t, "as_of", "-"));
	else
		printf("strain mean %.1f, p50 %.0f, p90 %.0f, max %.0f\n",
		    ctl_json_num(sn, "mean"), ctl_json_num(sn, "p50"),
		    ctl_json_num(sn, "p90"), ctl_json_num(sn, "max"));
	if (!json_is_integer(json_object_get(t, "hostile_last_hour")))
		printf("  hostile messages and open tickets withheld, %"
		    JSON_INTEGER_FORMAT " open lead suggestion%s\n", lead,
		    plural(lead));
	else
		printf("  %" JSON_INTEGER_FORMAT " hostile message%s in the "
		    "last hour, %" JSON_INTEGER_FORMAT " open ticket%s, %"
		    JSON_INTEGER_FORMAT " open lead suggestion%s\n", hostile,
		    plural(hostile), open, plural(open), lead, plural(lead));
}

static void
print_table(json_t **v, size_t n, json_t *teams)
{
	static const char *const headers[] = { "AGENT", "TEAM", "STATUS",
	    "LEVEL", "STRAIN", "TOP FACTOR", "OPEN", NULL };
	struct ctl_table	*t;
	const char		*level;
	size_t			 i;
	json_t			*team;

	t = ctl_table_new(headers, "llllrlr");
	for (i = 0; i < n; i++) {
		level = ctl_json_str(v[i], "level", "-");
		ctl_table_cell(t, NULL, "%s", ctl_json_str(v[i], "agent", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(v[i], "team", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(v[i], "status",
		    "-"));
		ctl_table_cell(t, ctl_level_colour(level), "%s", level);
		ctl_table_cell(t, NULL, "%.0f", ctl_json_num(v[i], "strain"));
		ctl_table_cell(t, NULL, "%s", top_factor(v[i]));
		ctl_table_cell(t, NULL, "%zu", json_array_size(json_object_get(
		    v[i], "open_suggestions")));
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
	json_array_foreach(teams, i, team) {
		if (i == 0)
			putchar('\n');
		print_team(team);
	}
}

static const struct option status_longopts[] = {
	{ "team", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
status_exec(int argc, char **argv)
{
	struct ctl_opts	 opts;
	struct ctl_http	*h = NULL;
	const char	*team = NULL, *id, *cursor;
	char		*esc = NULL, *path = NULL, *withheld = NULL, *cesc;
	json_t		*list = NULL, *teams = NULL, *agents, *a, *o, *out;
	json_t		**v = NULL;
	size_t		 i, n = 0;
	int		 ch, rc;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", status_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 't':
			team = optarg;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_status_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_status_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if (optind != argc) {
		ctl_warnx("status: unexpected argument %s", argv[optind]);
		ctl_usage_cmd(&ctl_status_cmd, CTL_EXIT_USAGE);
	}
	if (team != NULL && *team == '\0') {
		ctl_warnx("--team: a team name, not nothing");
		return (CTL_EXIT_USAGE);
	}
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);

	if (team != NULL) {
		esc = ctl_http_escape(h, team);
		xasprintf(&path, "/v1/agents?team=%s", esc);
	} else
		path = xstrdup("/v1/agents");
	rc = ctl_http_request(h, "GET", path, NULL, NULL, 0);
	if (rc == CTL_EXIT_FAIL && ctl_http_status(h) == 403) {
		/* Maybe aggregate mode: the teams may still be readable. */
		o = ctl_http_reply_json(h);
		withheld = xstrdup(ctl_json_str(json_object_get(o, "error"),
		    "message", "forbidden"));
		json_decref(o);
	} else if (rc == CTL_EXIT_FAIL && ctl_http_status(h) != 0) {
		ctl_http_report(h, NULL);
		goto out;
	} else if (rc != CTL_EXIT_OK)
		goto out;
	else if ((list = ctl_http_reply_json(h)) == NULL ||
	    !json_is_array(json_object_get(list, "agents"))) {
		ctl_warnx("%s: no \"agents\" list in the reply (is --url a "
		    "respited?)", ctl_http_url(h));
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	/* The list comes in pages: follow next_cursor to the end. */
	while (list != NULL && (cursor = json_string_value(json_object_get(list,
	    "next_cursor"))) != NULL) {
		free(path);
		cesc = ctl_http_escape(h, cursor);
		xasprintf(&path, "/v1/agents?%s%s%scursor=%s",
		    team != NULL ? "team=" : "", team != NULL ? esc : "",
		    team != NULL ? "&" : "", cesc);
		free(cesc);
		if ((rc = ctl_http_get_json(h, path, NULL, &o)) != CTL_EXIT_OK)
			goto out;
		if (!json_is_array(json_object_get(o, "agents"))) {
			json_decref(o);
			ctl_warnx("%s: no \"agents\" list in the reply (is "
			    "--url a respited?)", ctl_http_url(h));
			rc = CTL_EXIT_FAIL;
			goto out;
		}
		json_array_extend(json_object_get(list, "agents"),
		    json_object_get(o, "agents"));
		json_object_set(list, "next_cursor", json_object_get(o,
		    "next_cursor") != NULL ? json_object_get(o,
		    "next_cursor") : json_null());
		json_decref(o);
	}
	free(path);
	if (team != NULL) {
		xasprintf(&path, "/v1/teams/%s", esc);
		if ((rc = ctl_http_get_json(h, path, NULL, &o)) !=
		    CTL_EXIT_OK)
			goto out;
		teams = json_array();
		json_array_append_new(teams, o);
	} else {
		path = xstrdup("/v1/teams");
		if ((rc = ctl_http_get_json(h, path, NULL, &o)) !=
		    CTL_EXIT_OK)
			goto out;
		teams = json_incref(json_object_get(o, "teams"));
		json_decref(o);
		if (!json_is_array(teams)) {
			ctl_warnx("%s: no \"teams\" list in the reply (is --url "
			    "a respited?)", ctl_http_url(h));
			rc = CTL_EXIT_FAIL;
			goto out;
		}
	}

	if (withheld != NULL) {
		if (opts.json) {
			o = json_pack("{s:O}", "teams", teams);
			ctl_print_json(o);
			json_decref(o);
		} else
			json_array_foreach(teams, i, o)
				print_team(o);
		ctl_warnx("no rows for the agents: %s", withheld);
		rc = ctl_stdout_done(CTL_EXIT_OK);
		goto out;
	}
	agents = json_object_get(list, "agents");
	v = xcalloc(json_array_size(agents) + 1, sizeof *v);
	json_array_foreach(agents, i, a) {
		if ((id = ctl_json_str(a, "agent", NULL)) == NULL)
			continue;
		free(esc);
		free(path);
		esc = ctl_http_escape(h, id);
		xasprintf(&path, "/v1/agents/%s", esc);
		if ((rc = ctl_http_get_json(h, path, id, &v[n])) !=
		    CTL_EXIT_OK)
			goto out;
		n++;
	}
	qsort(v, n, sizeof *v, cmp_strain);

	if (opts.json) {
		out = json_array();
		for (i = 0; i < n; i++)
			json_array_append(out, v[i]);
		o = json_pack("{s:o, s:O}", "agents", out, "teams", teams);
		ctl_print_json(o);
		json_decref(o);
	} else if (n == 0)
		printf("no agents yet\n");
	else
		print_table(v, n, teams);
	rc = ctl_stdout_done(CTL_EXIT_OK);

out:
	for (i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
	json_decref(list);
	json_decref(teams);
	free(esc);
	free(path);
	free(withheld);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_status_cmd = {
	"status",
	"[--team T] " CTL_COMMON_USAGE,
	"The team table: each agent's status, level, strain, top factor.",
	"  --team T          only team T (default: every team)\n"
	CTL_COMMON_HELP
	"\nOne row an agent, the highest strain first: agent, team, status,\n"
	"level, strain, the factor that gives the most points of it, open\n"
	"suggestions; then a summary of each team.  The level is coloured on\n"
	"a terminal (not when NO_COLOR is set).  --json prints\n"
	"{\"agents\": [GET /v1/agents/ID ...], \"teams\": [GET /v1/teams ...]}.\n"
	"A token that may read team figures only gets the summaries.\n",
	status_exec
};
