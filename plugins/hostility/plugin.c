/*
 * respite - hostility: the trained classifier plugin.
 *
 * Glue between the plugin ABI and the model in hostility.c.  Its
 * [plugin.hostility] section:
 *
 *	weights = FILE		the weights (default
 *				$(pkgdatadir)/hostility.weights)
 *	lexicon = yes|no	also judge with the word lists of the lexicon
 *				plugin: its findings are features of the
 *				models trained with them (combine.c; weights
 *				without them: the higher severity), and the
 *				categories are the lexicon's (default no)
 *	lexicon_data = DIR	where lexicon-de.txt and lexicon-en.txt are
 *				(default $(pkgdatadir))
 *
 * The weights are checked whole at start-up (size, version, CRC-32): a
 * damaged file stops start-up with a message that says what is wrong.  A
 * hostile message the lexicon has no category for is "other".  On SIGHUP
 * both are loaded again and swapped in only if that worked.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <respite/plugin.h>

#include "combine.h"
#include "hostility.h"
#include "lexicon.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/respite"
#endif

struct instance {
	struct hostility	*hy;
	struct lexicon		*lx;	/* NULL: lexicon = no */
};

static int
yesno(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		*out = 0;
	else
		return (-1);
	return (0);
}

/* Load what cf names into in.  Returns 0, or -1 with *error set. */
static int
build(const struct respite_plugin_config *cf, struct instance *in,
    char **error)
{
	const char	*weights = PKGDATADIR "/hostility.weights";
	const char	*data = PKGDATADIR, *k, *v;
	char		 path[4096];
	size_t		 i;
	int		 lex = 0;

	memset(in, 0, sizeof *in);
	for (i = 0; i < cf->nitems; i++) {
		k = cf->items[i].key;
		if (strcmp(k, "weights") != 0 && strcmp(k, "lexicon") != 0 &&
		    strcmp(k, "lexicon_data") != 0)
			return (respite_error(error, "line %d: unknown key "
			    "\"%s\" (known: weights, lexicon, lexicon_data)",
			    cf->items[i].line, k));
	}
	if ((v = respite_config_get(cf, "weights")) != NULL)
		weights = v;
	if ((v = respite_config_get(cf, "lexicon_data")) != NULL)
		data = v;
	if ((v = respite_config_get(cf, "lexicon")) != NULL &&
	    yesno(v, &lex) == -1)
		return (respite_error(error, "lexicon: expected yes or no, "
		    "got \"%s\"", v));
	if ((in->hy = hostility_load(weights, error)) == NULL)
		return (-1);
	if (!lex)
		return (0);
	in->lx = lexicon_new();
	snprintf(path, sizeof path, "%s/lexicon-de.txt", data);
	if (lexicon_load_file(in->lx, path, LEXICON_DE, error) == -1)
		goto fail;
	snprintf(path, sizeof path, "%s/lexicon-en.txt", data);
	if (lexicon_load_file(in->lx, path, LEXICON_EN, error) == -1)
		goto fail;
	return (0);

fail:
	lexicon_free(in->lx);
	hostility_free(in->hy);
	return (-1);
}

static void
say_loaded(const struct instance *in, const char *what)
{
	respite_log(RESPITE_LOG_INFO, "%s: weights of %zu bytes (2^%u "
	    "features, models:%s%s)%s", what, hostility_size(in->hy),
	    hostility_bits(in->hy), hostility_has(in->hy, HOSTILITY_DE) ?
	    " de" : "", hostility_has(in->hy, HOSTILITY_EN) ? " en" : "",
	    in->lx != NULL ? ", with the lexicon" : "");
}

static int
hostility_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct instance	*in;

	if ((in = calloc(1, sizeof *in)) == NULL)
		abort();
	if (build(cf, in, error) == -1) {
		free(in);
		return (-1);
	}
	say_loaded(in, "loaded");
	*instance = in;
	return (0);
}

static void
hostility_fini(void *instance)
{
	struct instance	*in = instance;

	hostility_free(in->hy);
	if (in->lx != NULL)
		lexicon_free(in->lx);
	free(in);
}

static int
hostility_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct instance	*in = instance, next;

	if (build(cf, &next, error) == -1)
		return (-1);
	hostility_free(in->hy);
	if (in->lx != NULL)
		lexicon_free(in->lx);
	*in = next;
	say_loaded(in, "reloaded");
	return (0);
}

static int
hostility_classify_cb(void *instance, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	struct instance			*in = instance;
	struct hostility_result		 r;
	struct hostility_judgement	 j;

	if (in->lx != NULL) {
		hostility_combine(in->hy, in->lx, text, len, lang, &j);
		out->severity = j.severity;
		out->categories = j.lexicon.categories;
	} else {
		hostility_classify(in->hy, text, len, lang, &r);
		out->severity = r.severity;
	}
	if (out->severity >= 0.5 && out->categories == 0)
		out->categories = RESPITE_CAT_OTHER;
	return (0);
}

RESPITE_PLUGIN_DECLARE(
	.name = "hostility",
	.kind = RESPITE_PLUGIN_CLASSIFIER,
	.description = "English and German hostility from a trained model",
	.init = hostility_init,
	.fini = hostility_fini,
	.reload = hostility_reload,
	.classify = hostility_classify_cb
);
