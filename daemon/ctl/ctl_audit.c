/*
 * respite - respitectl audit: who read whose data (GET /v1/audit, admin).
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

static const struct option audit_longopts[] = {
	{ "who", required_argument, NULL, 'w' },
	{ "since", required_argument, NULL, 's' },
	{ "limit", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
audit_exec(int argc, char **argv)
{
	static const char *const cols[] = { "time", "who", "role", "agent",
	    "what", NULL };
	struct ctl_opts		 opts;
	struct ctl_http		*h = NULL;
	struct ctl_table	*t;
	const char		*who = NULL, *since = NULL;
	char			*q, *e1, *e2;
	json_t			*reply = NULL, *r;
	long long		 limit = 100;
	size_t			 i;
	int			 ch, rc;

	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", audit_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 'w':
			who = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'n':
			if (ctl_parse_long(optarg, 1, 1000, &limit) == -1) {
				ctl_warnx("audit: --limit must be 1 to 1000");
				ctl_usage_cmd(&ctl_audit_cmd, CTL_EXIT_USAGE);
			}
			break;
		case 'h':
			ctl_usage_cmd(&ctl_audit_cmd, 0);
		default:
			ctl_bad_option(&ctl_audit_cmd, ch, argv);
		}
	}
	if (optind != argc)
		ctl_usage_cmd(&ctl_audit_cmd, CTL_EXIT_USAGE);
	if ((rc = ctl_http_open(&opts, &h)) != CTL_EXIT_OK)
		return (rc);
	e1 = ctl_http_escape(h, who != NULL ? who : "");
	e2 = ctl_http_escape(h, since != NULL ? since : "");
	xasprintf(&q, "/v1/audit?limit=%lld%s%s%s%s", limit,
	    who != NULL ? "&who=" : "", who != NULL ? e1 : "",
	    since != NULL ? "&since=" : "", since != NULL ? e2 : "");
	free(e1);
	free(e2);
	rc = ctl_http_get_json(h, q, "read the audit log", &reply);
	free(q);
	if (rc == CTL_EXIT_OK) {
		if (opts.json)
			ctl_print_json(reply);
		else {
			t = ctl_table_new(cols, "lllll");
			json_array_foreach(json_object_get(reply, "audit"), i,
			    r) {
				ctl_table_cell(t, NULL, "%s",
				    ctl_json_str(r, "ts", "?"));
				ctl_table_cell(t, NULL, "%s",
				    ctl_json_str(r, "who", "?"));
				ctl_table_cell(t, NULL, "%s",
				    ctl_json_str(r, "role", "?"));
				ctl_table_cell(t, NULL, "%s",
				    *ctl_json_str(r, "agent", "") != '\0' ?
				    ctl_json_str(r, "agent", "") : "-");
				ctl_table_cell(t, NULL, "%s",
				    ctl_json_str(r, "what", "?"));
			}
			ctl_table_print(t, stdout);
			ctl_table_free(t);
		}
	}
	json_decref(reply);
	ctl_http_close(h);
	return (ctl_stdout_done(rc));
}

const struct ctl_cmd ctl_audit_cmd = {
	"audit",
	"[--who LABEL] [--since TIME] [--limit N] " CTL_COMMON_USAGE,
	"who read whose data, newest first (admin token)",
	"  --who LABEL   only this token's reads\n"
	"  --since TIME  RFC 3339 or epoch ms\n"
	"  --limit N     at most N records (1-1000, default 100)\n"
	CTL_COMMON_HELP,
	audit_exec
};
