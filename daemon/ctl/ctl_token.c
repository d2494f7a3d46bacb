/*
 * respite - respitectl [-c CONF] token add|list|revoke: the tokens file.
 *
 * Works on the file itself, not through the daemon (which picks changes
 * up within seconds, or on SIGHUP): `add` makes a random token, appends
 * its SHA-256 with the role and a label, and prints the token once on
 * stdout — nothing else goes there, so `TOKEN=$(respitectl token add …)`
 * works; `list` shows labels and roles (never hashes); `revoke` removes a
 * label.  The file is the one `[auth] tokens_file` of the configuration
 * names (-c CONF, else the default configuration file if it exists), or
 * --file.
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "tokens.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const struct option token_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "file", required_argument, NULL, 'f' },
	{ "role", required_argument, NULL, 'r' },
	{ "label", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The tokens file: --file, else [auth] tokens_file of the config. */
static char *
tokens_path(const char *conf, const char *file)
{
	struct config	*cf;
	char		*cause = NULL, *path;
	const char	*dflt = SYSCONFDIR "/respite/respite.conf";

	if (file != NULL)
		return (xstrdup(file));
	if (conf == NULL && access(dflt, F_OK) == 0)
		conf = dflt;
	if ((cf = config_load(conf, &cause)) == NULL) {
		ctl_warnx("%s", cause);
		free(cause);
		return (NULL);
	}
	path = xstrdup(cf->tokens_file);
	config_free(cf);
	return (path);
}

static int
token_exec(int argc, char **argv)
{
	struct token_file	 tf;
	const char		*conf = ctl_config_path, *file = NULL;
	const char		*role = NULL, *label = NULL, *sub;
	char			 token[64], *path, *cause = NULL;
	size_t			 i;
	int			 ch, rc = CTL_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:h", token_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_token_cmd, 0);
		default:
			ctl_bad_option(&ctl_token_cmd, ch, argv);
		}
	}
	if (optind >= argc)
		ctl_usage_cmd(&ctl_token_cmd, CTL_EXIT_USAGE);
	sub = argv[optind];
	if (strcmp(sub, "add") == 0) {
		if (role == NULL || label == NULL || optind + 1 != argc) {
			ctl_warnx("token add needs --role ROLE and --label L");
			ctl_usage_cmd(&ctl_token_cmd, CTL_EXIT_USAGE);
		}
	} else if (strcmp(sub, "revoke") == 0) {
		if (optind + 2 != argc)
			ctl_usage_cmd(&ctl_token_cmd, CTL_EXIT_USAGE);
		label = argv[optind + 1];
	} else if (strcmp(sub, "list") != 0 || optind + 1 != argc) {
		ctl_warnx("token: expected add, list or revoke");
		ctl_usage_cmd(&ctl_token_cmd, CTL_EXIT_USAGE);
	}
	if ((path = tokens_path(conf, file)) == NULL)
		return (CTL_EXIT_FAIL);

	if (strcmp(sub, "add") == 0) {
		if (token_new(token, sizeof token) == -1) {
			ctl_warn("no random bytes for a token");
			rc = CTL_EXIT_FAIL;
		} else if (token_file_append(path, token, role, label,
		    &cause) == -1) {
			ctl_warnx("%s", cause);
			rc = CTL_EXIT_FAIL;
		} else {
			printf("%s\n", token);
			fprintf(stderr, "respitectl: added \"%s\" (%s) to %s; "
			    "the token is shown only now\n", label, role, path);
		}
		explicit_bzero(token, sizeof token);
	} else if (strcmp(sub, "revoke") == 0) {
		if (token_file_revoke(path, label, &cause) == -1) {
			ctl_warnx("%s", cause);
			rc = CTL_EXIT_FAIL;
		} else
			fprintf(stderr, "respitectl: revoked \"%s\" in %s\n",
			    label, path);
	} else {
		if (token_file_load(path, &tf, &cause) == -1) {
			ctl_warnx("%s", cause);
			rc = CTL_EXIT_FAIL;
		} else {
			if (tf.n == 0)
				fprintf(stderr, "respitectl: no tokens in %s "
				    "(respited runs open on loopback)\n", path);
			for (i = 0; i < tf.n; i++)
				printf("%-24s %s\n", tf.v[i].label,
				    tf.v[i].role_text);
			token_file_clear(&tf);
		}
	}
	free(cause);
	free(path);
	return (ctl_stdout_done(rc));
}

const struct ctl_cmd ctl_token_cmd = {
	"token",
	"[-c CONF] [--file FILE] add --role ROLE --label LABEL | list | "
	"revoke LABEL",
	"manage the tokens file (add prints the new token once)",
	"  -c, --config CONF  take [auth] tokens_file from this configuration\n"
	"                     (default: the daemon's default configuration)\n"
	"  --file FILE        the tokens file itself\n"
	"  --role ROLE        ingest, admin, agent:ID or lead:TEAM[,TEAM...]\n"
	"  --label LABEL      a unique name for the token ([A-Za-z0-9._@-])\n"
	"The token goes to stdout, alone on its line; messages to stderr.\n",
	token_exec
};
