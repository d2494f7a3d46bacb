/*
 * respite - a test plugin built against plugin ABI 1.2, before the
 * source kind took two of the descriptor's reserved slots (ABI 1.3):
 * respited must load it as it did.  Built by `make check` only, never
 * installed.
 */
#include <respite/plugin.h>

#undef RESPITE_PLUGIN_ABI_MINOR
#define RESPITE_PLUGIN_ABI_MINOR	2

static int
oldminor_classify(void *instance, const char *text, size_t len,
    const char *lang, struct respite_classification *out)
{
	(void)instance;
	(void)text;
	(void)len;
	(void)lang;
	out->severity = 0;
	return (0);
}

RESPITE_PLUGIN_DECLARE(
	.name = "oldminor",
	.kind = RESPITE_PLUGIN_CLASSIFIER,
	.classify = oldminor_classify
);
