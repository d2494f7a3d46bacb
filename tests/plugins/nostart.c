/*
 * respite - a test plugin of the source kind (ABI 1.3) without the
 * start() every source needs: respited must refuse it at start-up and
 * in `respited -t`, naming the callback.  Built by `make check` only.
 */
#include <respite/plugin.h>

RESPITE_PLUGIN_DECLARE(
	.name = "nostart",
	.kind = RESPITE_PLUGIN_SOURCE
);
