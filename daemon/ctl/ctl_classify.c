/*
 * respite - respitectl classify: why a message counts as hostile.
 *
 * Scores one text with the trained classifier (plugins/hostility, the
 * weights file respited's plugin loads) on this machine, without the
 * daemon, and prints the severity and the features that weighed most
 * either way, so that a team lead can see why a message counted.  With
 * --lexicon DIR the lexicon's verdict is shown beside it and combined as
 * `[plugin.hostility] lexicon = yes` does.  The text comes from the
 * command line, or from stdin with "-"; it is never written anywhere but
 * this terminal.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "combine.h"
#include "hostility.h"
#include "lexicon.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/respite"
#endif

#define TEXT_MAX	16384	/* as an event's text */
#define TOP_MAX		50

static const struct option classify_longopts[] = {
	{ "lang", required_argument, NULL, 'l' },
	{ "weights", required_argument, NULL, 'w' },
	{ "lexicon", required_argument, NULL, 'x' },
	{ "top", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *const lang_names[] = { "de", "en", "", "both" };

static char *
read_stdin(size_t *len)
{
	char	*buf;
	size_t	 n;

	if ((buf = malloc(TEXT_MAX + 1)) == NULL)
		abort();
	n = fread(buf, 1, TEXT_MAX + 1, stdin);
	if (n > TEXT_MAX) {
		ctl_warnx("classify: more than %d bytes on stdin", TEXT_MAX);
		free(buf);
		return (NULL);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	*len = n;
	return (buf);
}

static const char *
cat_names(unsigned int c, char *buf, size_t size)
{
	static const char *const names[] = { "insult", "threat",
	    "profanity", "identity_attack", "harassment", "other" };
	size_t	i;

	buf[0] = '\0';
	for (i = 0; i < 6; i++)
		if (c & (1u << i)) {
			if (buf[0] != '\0')
				strncat(buf, ",", size - strlen(buf) - 1);
			strncat(buf, names[i], size - strlen(buf) - 1);
		}
	return (buf[0] != '\0' ? buf : "-");
}

static int
classify_exec(int argc, char **argv)
{
	struct hostility	*hy;
	struct lexicon		*lx = NULL;
	struct hostility_judgement j;
	struct hostility_result	*r = &j.model;
	struct lexicon_result	*lr = &j.lexicon;
	struct hostility_weight	 w[TOP_MAX];
	const char		*lang = "", *weights = PKGDATADIR
	    "/hostility.weights", *lexdir = NULL;
	char			*text, *err = NULL, path[4096], cats[128];
	size_t			 len, n, i;
	long long		 top = 10;
	double			 sev;
	int			 ch, json = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":l:w:n:h", classify_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			lang = optarg;
			break;
		case 'w':
			weights = optarg;
			break;
		case 'x':
			lexdir = optarg;
			break;
		case 'n':
			if (ctl_parse_long(optarg, 1, TOP_MAX, &top) == -1) {
				ctl_warnx("--top: expected 1 to %d", TOP_MAX);
				ctl_usage_cmd(&ctl_classify_cmd,
				    CTL_EXIT_USAGE);
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_classify_cmd, 0);
		default:
			ctl_bad_option(&ctl_classify_cmd, ch, argv);
		}
	}
	if (optind + 1 != argc)
		ctl_usage_cmd(&ctl_classify_cmd, CTL_EXIT_USAGE);
	if (strcmp(argv[optind], "-") == 0) {
		if ((text = read_stdin(&len)) == NULL)
			return (CTL_EXIT_FAIL);
	} else {
		if ((len = strlen(argv[optind])) > TEXT_MAX) {
			ctl_warnx("classify: the text is longer than %d bytes",
			    TEXT_MAX);
			return (CTL_EXIT_USAGE);
		}
		if ((text = strdup(argv[optind])) == NULL)
			abort();
	}
	if ((hy = hostility_load(weights, &err)) == NULL) {
		ctl_warnx("%s", err);
		free(err);
		free(text);
		return (CTL_EXIT_FAIL);
	}
	if (lexdir != NULL) {
		lx = lexicon_new();
		snprintf(path, sizeof path, "%s/lexicon-de.txt", lexdir);
		if (lexicon_load_file(lx, path, LEXICON_DE, &err) == 0) {
			snprintf(path, sizeof path, "%s/lexicon-en.txt",
			    lexdir);
			(void)lexicon_load_file(lx, path, LEXICON_EN, &err);
		}
		if (err != NULL) {
			ctl_warnx("%s", err);
			free(err);
			lexicon_free(lx);
			hostility_free(hy);
			free(text);
			return (CTL_EXIT_FAIL);
		}
	}
	if (lx != NULL)
		n = hostility_combine_explain(hy, lx, text, len, lang, &j, w,
		    (size_t)top);
	else
		n = hostility_explain(hy, text, len, lang, NULL, NULL, r, w,
		    (size_t)top);
	sev = lx != NULL ? j.severity : r->severity;
	if (json) {
		json_t	*o, *a;

		o = json_pack("{s:f, s:b, s:f, s:s, s:b, s:f, s:i}",
		    "severity", sev, "hostile", sev >= 0.5, "model_severity",
		    r->severity, "model", lang_names[r->lang],
		    "model_with_lexicon", r->lexicon, "margin", r->margin,
		    "features", r->nfeat);
		if (lx != NULL)
			json_object_set_new(o, "lexicon", json_pack(
			    "{s:f, s:s}", "severity", lr->severity,
			    "categories", cat_names(lr->categories, cats,
			    sizeof cats)));
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:f}",
			    "feature", w[i].text, "weight",
			    w[i].contribution));
		json_object_set_new(o, "weighed_most", a);
		ctl_print_json(o);
		json_decref(o);
	} else {
		printf("severity %.2f: %s (hostile from 0.50)\n", sev,
		    sev >= 0.5 ? "hostile" : "not hostile");
		printf("model %s: severity %.2f, margin %+.3f, %d features%s\n",
		    lang_names[r->lang], r->severity, r->margin, r->nfeat,
		    r->lexicon ? ", the lexicon's findings among them" : "");
		if (lx != NULL)
			printf("lexicon: severity %.2f, categories %s\n",
			    lr->severity, cat_names(lr->categories, cats,
			    sizeof cats));
		printf("what weighed most (+ towards hostile, - against):\n");
		for (i = 0; i < n; i++)
			printf("  %+.3f  %s\n", w[i].contribution,
			    w[i].text);
	}
	if (lx != NULL)
		lexicon_free(lx);
	hostility_free(hy);
	free(text);
	return (ctl_stdout_done(CTL_EXIT_OK));
}

const struct ctl_cmd ctl_classify_cmd = {
	"classify",
	"[--lang TAG] [--weights FILE] [--lexicon DIR] [--top N] [--json] "
	"TEXT|-",
	"score a message offline and show what weighed most",
	"  --lang TAG        the message's language (de, en, de-AT, ...);\n"
	"                    default: told by its function words\n"
	"  --weights FILE    the trained weights (default\n"
	"                    " PKGDATADIR "/hostility.weights)\n"
	"  --lexicon DIR     also the lexicon of DIR (lexicon-de.txt,\n"
	"                    lexicon-en.txt), combined as lexicon = yes\n"
	"  --top N           how many features to show (default 10, at most\n"
	"                    50)\n"
	"  --json            one JSON object\n"
	"TEXT \"-\" reads the message from stdin (at most 16 KiB).  Nothing\n"
	"is sent to respited or written to disk.\n",
	classify_exec
};
