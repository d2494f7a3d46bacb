/*
 * respite - example: the smallest useful classifier plugin.
 *
 * It flags every message that contains one configured word (whole word,
 * ASCII case ignored) with a configured severity, as an insult.  It is
 * here to be read next to docs/plugins.md and to be loaded by the tests;
 * it shows the parts every plugin has: a descriptor made with
 * RESPITE_PLUGIN_DECLARE, an init that checks its [plugin.example]
 * section and says clearly what is wrong, a fini that frees what init
 * made, and the kind's callback, which never keeps or logs the text.
 *
 *	[plugin.example]
 *	word = rotten		# default "rotten"
 *	severity = 0.9		# 0..1, default 0.9
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <respite/plugin.h>

struct example {
	char	*word;
	size_t	 len;
	double	 severity;
};

static int
example_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct example	*ex;
	const char	*word, *sev;
	char		*end;
	size_t		 i;

	/* Every key we do not know is a mistake worth stopping for. */
	for (i = 0; i < cf->nitems; i++)
		if (strcmp(cf->items[i].key, "word") != 0 &&
		    strcmp(cf->items[i].key, "severity") != 0)
			return (respite_error(error, "line %d: unknown key "
			    "\"%s\" (known: word, severity)", cf->items[i].line,
			    cf->items[i].key));
	if ((word = respite_config_get(cf, "word")) == NULL)
		word = "rotten";
	if (*word == '\0')
		return (respite_error(error, "word: must not be empty"));
	if ((ex = calloc(1, sizeof *ex)) == NULL ||
	    (ex->word = strdup(word)) == NULL) {
		free(ex);
		return (respite_error(error, "out of memory"));
	}
	ex->len = strlen(word);
	ex->severity = 0.9;
	if ((sev = respite_config_get(cf, "severity")) != NULL) {
		ex->severity = strtod(sev, &end);
		if (end == sev || *end != '\0' || !(ex->severity >= 0 &&
		    ex->severity <= 1)) {
			free(ex->word);
			free(ex);
			return (respite_error(error, "severity: expected a "
			    "number from 0 to 1, got \"%s\"", sev));
		}
	}
	respite_log(RESPITE_LOG_INFO, "flagging the word \"%s\" at %.2f",
	    ex->word, ex->severity);
	*instance = ex;
	return (0);
}

static void
example_fini(void *instance)
{
	struct example	*ex = instance;

	free(ex->word);
	free(ex);
}

static int
example_classify(void *instance, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	struct example	*ex = instance;
	size_t		 i, j;

	(void)lang;
	for (i = 0; i + ex->len <= len; i++) {
		if (i > 0 && isalnum((unsigned char)text[i - 1]))
			continue;
		for (j = 0; j < ex->len; j++)
			if (tolower((unsigned char)text[i + j]) !=
			    tolower((unsigned char)ex->word[j]))
				break;
		if (j == ex->len && (i + j == len ||
		    !isalnum((unsigned char)text[i + j]))) {
			out->severity = ex->severity;
			out->categories = RESPITE_CAT_INSULT;
			return (0);
		}
	}
	return (0);	/* out stays 0: nothing found */
}

RESPITE_PLUGIN_DECLARE(
	.name = "example",
	.kind = RESPITE_PLUGIN_CLASSIFIER,
	.description = "flags one configured word (docs/plugins.md)",
	.init = example_init,
	.fini = example_fini,
	.classify = example_classify
);
