/*
 * respite - fuzz target: a Zammad webhook (plugins/zammad/zammad.c)
 * through the fake daemon of fuzz_wh.c.  Header line: X-Hub-Signature
 * ("sha1=" and the hex HMAC-SHA1 of the body).
 */
#include "build.h"

#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_wh.h"
#include "webhook.h"

extern const struct respite_plugin respite_plugin;

static void
zammad_sign(char **v, const char *body, size_t len)
{
	uint8_t	d[WH_DIGEST_MAX];
	size_t	n;

	n = wh_hmac(WH_SHA1, FUZZ_WH_SECRET, sizeof FUZZ_WH_SECRET - 1, body,
	    len, NULL, 0, d);
	free(v[0]);
	v[0] = fuzz_wh_hex(d, n, "sha1=");
}

static const struct fuzz_wh_target zammad = {
	.pl = &respite_plugin,
	.headers = { "X-Hub-Signature", NULL },
	.extra = { "closed_states", "closed, merged", "time_unit", "60",
	    NULL },
	.sign = zammad_sign
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_wh_run(&zammad, data, size));
}
