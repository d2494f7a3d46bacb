/*
 * respite - respitectl suggestions: the list of suggestions, newest first.
 *
 * GET /v1/suggestions with the filters given, following next_cursor until
 * --limit suggestions are in hand (or there are no more).  Each page asks
 * for just what is still missing (at most the server's 1000), so with a
 * --limit of 1000 or less a single request is made and --json prints its
 * reply as it came.  Otherwise --json prints the pages joined in the same
 * shape: {"suggestions": [...], "next_cursor": the cursor after the last
 * one printed, or null}.
 *
 * The kinds and statuses are checked here against the lists of API.md, so
 * a typing error is a usage error (exit 2) rather than the server's 400.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

#define SUGG_LIMIT_DEFAULT	50
#define SUGG_LIMIT_MAX		1000000
#define SUGG_PAGE_MAX		1000		/* the server's bound */

static const char *const kinds[] = { "micro_break", "rest_break",
    "recovery_break", "rebalance", "team_overload", NULL };
static const char *const statuses[] = { "open", "accepted", "snoozed",
    "dismissed", "expired", NULL };

static int
one_of(const char *s, const char *const *list)
{
	size_t	i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return (1);
	return (0);
}

/* Append "&name=value" (value escaped) to *q. */
static void
query_add(struct ctl_http *h, char **q, const char *name, const char *value)
{
	char	*esc, *n;

	if (value == NULL)
		return;
	esc = ctl_http_escape(h, value);
	xasprintf(&n, "%s&%s=%s", *q, name, esc);
	free(esc);
	free(*q);
	*q = n;
}

static const struct option sugg_longopts[] = {
	{ "team", required_argument, NULL, 't' },
	{ "agent", required_argument, NULL, 'a' },
	{ "open", no_argument, NULL, 'o' },
	{ "status", required_argument, NULL, 's' },
	{ "kind", required_argument, NULL, 'k' },
	{ "limit", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
sugg_exec(int argc, char **argv)
{
	struct ctl_opts	 opts;
	struct ctl_http	*h = NULL;
	const char	*team = NULL, *agent = NULL, *status = NULL;
	const char	*kind = NULL, *cursor, *body;
	char		*q = NULL, *path = NULL, *next = NULL;
	json_t		*all = NULL, *page = NULL, *list, *o;
	long long	 limit = SUGG_LIMIT_DEFAULT, v;
	size_t		 want, len, pages = 0;
	int		 ch, rc, open = 0;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", sugg_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 't':
			team = optarg;
			break;
		case 'a':
			agent = optarg;
			break;
		case 'o':
			open = 1;
			break;
		case 's':
			if (!one_of(optarg, statuses)) {
				ctl_warnx("--status: one of open, accepted, "
				    "snoozed, dismissed, expired, not \"%s\"",
				    optarg);
				return (CTL_EXIT_USAGE);
			}
			status = optarg;
			break;
		case 'k':
			if (!one_of(optarg, kinds)) {
				ctl_warnx("--kind: one of micro_break, "
				    "rest_break, recovery_break, rebalance, "
				    "team_overload, not \"%s\"", optarg);
				return (CTL_EXIT_USAGE);
			}
			kind = optarg;
			break;
		case 'n':
			if (ctl_parse_long(optarg, 1, SUGG_LIMIT_MAX, &v) ==
			    -1) {
				ctl_warnx("--limit: a whole number from 1 to "
				    "%d, not \"%s\"", SUGG_LIMIT_MAX, optarg);
				return (CTL_EXIT_USAGE);
			}
			limit = v;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_suggestions_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_suggestions_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if (optind != argc) {
		ctl_warnx("suggestions: unexpected argument %s", argv[optind]);
		ctl_usage_cmd(&ctl_suggestions_cmd, CTL_EXIT_USAGE);
	}
	if (open && status != NULL && strcmp(status, "open") != 0) {
		ctl_warnx("--open and --status %s exclude each other", status);
		return (CTL_EXIT_USAGE);
	}
	if (open)
		status = "open";
	if ((team != NULL && *team == '\0') ||
	    (agent != NULL && *agent == '\0')) {
		ctl_warnx("--team and --agent take a name, not nothing");
		return (CTL_EXIT_USAGE);
	}
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);

	/* The filters, in the order API.md lists them. */
	q = xstrdup("");
	query_add(h, &q, "agent", agent);
	query_add(h, &q, "team", team);
	query_add(h, &q, "status", status);
	query_add(h, &q, "kind", kind);

	all = json_array();
	cursor = NULL;
	for (;;) {
		want = (size_t)limit - json_array_size(all);
		if (want > SUGG_PAGE_MAX)
			want = SUGG_PAGE_MAX;
		free(path);
		xasprintf(&path, "/v1/suggestions?limit=%zu%s%s%s", want, q,
		    cursor != NULL ? "&cursor=" : "", cursor != NULL ? cursor :
		    "");
		json_decref(page);
		if ((rc = ctl_http_get_json(h, path, NULL, &page)) !=
		    CTL_EXIT_OK)
			goto out;
		pages++;
		list = json_object_get(page, "suggestions");
		o = json_object_get(page, "next_cursor");
		if (!json_is_array(list) || (!json_is_null(o) &&
		    !json_is_string(o))) {
			ctl_warnx("%s: no \"suggestions\" and \"next_cursor\" "
			    "in the reply (is --url a respited?)",
			    ctl_http_url(h));
			rc = CTL_EXIT_FAIL;
			goto out;
		}
		json_array_extend(all, list);
		free(next);
		next = json_is_string(o) ? ctl_http_escape(h,
		    json_string_value(o)) : NULL;
		cursor = next;
		/* A page of none with a cursor would loop for ever. */
		if (cursor == NULL || json_array_size(list) == 0 ||
		    json_array_size(all) >= (size_t)limit)
			break;
	}

	if (opts.json && pages == 1) {
		body = ctl_http_reply(h, &len);
		ctl_print_raw(body, len);
	} else if (opts.json) {
		o = json_pack("{s:O, s:o}", "suggestions", all, "next_cursor",
		    json_is_string(json_object_get(page, "next_cursor")) ?
		    json_incref(json_object_get(page, "next_cursor")) :
		    json_null());
		ctl_print_json(o);
		json_decref(o);
	} else if (json_array_size(all) == 0)
		printf("no suggestions\n");
	else {
		ctl_print_suggestions(all);
		if (cursor != NULL)
			ctl_warnx("the first %zu shown; --limit shows more",
			    json_array_size(all));
	}
	rc = ctl_stdout_done(CTL_EXIT_OK);

out:
	json_decref(all);
	json_decref(page);
	free(next);
	free(path);
	free(q);
	ctl_http_close(h);
	return (rc);
}

const struct ctl_cmd ctl_suggestions_cmd = {
	"suggestions",
	"[--team T] [--agent A] [--open | --status S]\n"
	"           [--kind K] [--limit N] " CTL_COMMON_USAGE,
	"List suggestions, newest first: breaks and rebalancing.",
	"  --team T          only team T\n"
	"  --agent A         only agent A's\n"
	"  --open            only the open ones (--status open)\n"
	"  --status S        open, accepted, snoozed, dismissed or expired\n"
	"  --kind K          micro_break, rest_break, recovery_break,\n"
	"                    rebalance or team_overload\n"
	"  --limit N         at most N (default 50), following the server's\n"
	"                    pages\n"
	CTL_COMMON_HELP
	"\nThe table has the id, creation time, agent (from->to for a\n"
	"rebalancing), kind, priority, status and reason.\n",
	sugg_exec
};
