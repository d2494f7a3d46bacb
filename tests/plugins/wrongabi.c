/*
 * respite - a test plugin built for another plugin ABI version.
 *
 * It pretends to come from a future respite whose <respite/plugin.h>
 * has RESPITE_PLUGIN_ABI_VERSION 99: respited must refuse it, naming the
 * plugin and both versions, before it calls anything.  Built by
 * `make check` only, never installed.
 */
#include <respite/plugin.h>

#undef RESPITE_PLUGIN_ABI_VERSION
#define RESPITE_PLUGIN_ABI_VERSION	99

static int
wrongabi_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	(void)cf;
	(void)instance;
	return (respite_error(error, "wrongabi: init must never be called"));
}

static int
wrongabi_classify(void *instance, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	(void)instance;
	(void)text;
	(void)len;
	(void)lang;
	out->severity = 1;
	return (0);
}

RESPITE_PLUGIN_DECLARE(
	.name = "wrongabi",
	.kind = RESPITE_PLUGIN_CLASSIFIER,
	.init = wrongabi_init,
	.classify = wrongabi_classify
);
