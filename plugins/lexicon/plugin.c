/*
 * respite - lexicon: the hostility classifier plugin.
 *
 * Glue between the plugin ABI and the classifier in lexicon.c.  Its
 * [plugin.lexicon] section:
 *
 *	data = DIR		lexicon-de.txt, lexicon-en.txt (default
 *				$(pkgdatadir))
 *	languages = de en	which of them to load
 *	site = FILE		more terms, in the same format (repeatable)
 *	allow = FILE		words never counted, one a line (repeatable)
 *
 * On SIGHUP the lexicon is built again from the files and swapped in only
 * if that worked, so a site can edit its terms without a restart.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <respite/plugin.h>

#include "lexicon.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/respite"
#endif

struct instance {
	struct lexicon	*lx;
};

/* Build a lexicon from cf.  Returns it, or NULL with *error set. */
static struct lexicon *
build(const struct respite_plugin_config *cf, char **error)
{
	struct lexicon		*lx;
	const char		*data = PKGDATADIR, *langs = "de en", *k, *v;
	char			*copy, *p, *w, path[4096];
	enum lexicon_lang	 l;
	size_t			 i;
	int			 nlang = 0;

	for (i = 0; i < cf->nitems; i++) {
		k = cf->items[i].key;
		if (strcmp(k, "data") != 0 && strcmp(k, "languages") != 0 &&
		    strcmp(k, "site") != 0 && strcmp(k, "allow") != 0) {
			respite_error(error, "line %d: unknown key \"%s\" "
			    "(known: data, languages, site, allow)",
			    cf->items[i].line, k);
			return (NULL);
		}
	}
	if ((v = respite_config_get(cf, "data")) != NULL)
		data = v;
	if ((v = respite_config_get(cf, "languages")) != NULL)
		langs = v;

	lx = lexicon_new();
	if ((copy = strdup(langs)) == NULL)
		abort();
	for (p = copy; (w = strsep(&p, " \t,")) != NULL;) {
		if (*w == '\0')
			continue;
		if ((l = lexicon_lang_parse(w)) == LEXICON_ANY ||
		    strlen(w) != 2) {
			respite_error(error, "languages: \"%s\" is not one of "
			    "de, en", w);
			goto fail;
		}
		snprintf(path, sizeof path, "%s/lexicon-%s.txt", data, w);
		if (lexicon_load_file(lx, path, l, error) == -1)
			goto fail;
		nlang++;
	}
	if (nlang == 0) {
		respite_error(error, "languages: name at least one of de, en");
		goto fail;
	}
	for (i = 0; i < cf->nitems; i++) {
		k = cf->items[i].key;
		v = cf->items[i].value;
		if (strcmp(k, "site") == 0 &&
		    lexicon_load_file(lx, v, LEXICON_ANY, error) == -1)
			goto fail;
		if (strcmp(k, "allow") == 0 &&
		    lexicon_load_allow(lx, v, error) == -1)
			goto fail;
	}
	free(copy);
	return (lx);

fail:
	free(copy);
	lexicon_free(lx);
	return (NULL);
}

static int
lexicon_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct instance	*in;
	struct lexicon	*lx;

	if ((lx = build(cf, error)) == NULL)
		return (-1);
	if ((in = calloc(1, sizeof *in)) == NULL)
		abort();
	in->lx = lx;
	respite_log(RESPITE_LOG_INFO, "%zu terms loaded", lexicon_size(lx));
	*instance = in;
	return (0);
}

static int
lexicon_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct instance	*in = instance;
	struct lexicon	*lx;

	if ((lx = build(cf, error)) == NULL)
		return (-1);
	lexicon_free(in->lx);
	in->lx = lx;
	respite_log(RESPITE_LOG_INFO, "reloaded: %zu terms", lexicon_size(lx));
	return (0);
}

static void
lexicon_fini(void *instance)
{
	struct instance	*in = instance;

	lexicon_free(in->lx);
	free(in);
}

static int
lexicon_classify_cb(void *instance, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	struct instance		*in = instance;
	struct lexicon_result	 r;

	lexicon_classify(in->lx, text, len, lang, &r);
	out->severity = r.severity;
	out->categories = r.categories;	/* the same bits as RESPITE_CAT_* */
	return (0);
}

RESPITE_PLUGIN_DECLARE(
	.name = "lexicon",
	.kind = RESPITE_PLUGIN_CLASSIFIER,
	.description = "English and German hostility from word lists",
	.init = lexicon_init,
	.fini = lexicon_fini,
	.reload = lexicon_reload,
	.classify = lexicon_classify_cb
);

_Static_assert(LEXICON_CAT_INSULT == RESPITE_CAT_INSULT &&
    LEXICON_CAT_THREAT == RESPITE_CAT_THREAT &&
    LEXICON_CAT_PROFANITY == RESPITE_CAT_PROFANITY &&
    LEXICON_CAT_IDENTITY_ATTACK == RESPITE_CAT_IDENTITY_ATTACK &&
    LEXICON_CAT_HARASSMENT == RESPITE_CAT_HARASSMENT,
    "lexicon.h categories must match <respite/event.h>");
