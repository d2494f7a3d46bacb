/*
 * respite - fuzz target: a Chatwoot webhook
 * (plugins/chatwoot/chatwoot.c) through the fake daemon of fuzz_wh.c.
 * Header lines: X-Chatwoot-Timestamp (Unix seconds), then
 * X-Chatwoot-Signature ("sha256=" and the hex HMAC-SHA256 of
 * "TIMESTAMP." and the body).
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_wh.h"
#include "webhook.h"

extern const struct respite_plugin respite_plugin;

static void
chatwoot_sign(char **v, const char *body, size_t len)
{
	uint8_t		 d[WH_DIGEST_MAX];
	const char	*ts;
	char		*msg;
	size_t		 n;

	if (v[0] == NULL)
		v[0] = fuzz_wh_strcat("1772445600", "");
	/* The adapter skips leading spaces of the time stamp. */
	for (ts = v[0]; *ts == ' '; ts++)
		;
	msg = fuzz_wh_strcat(ts, ".");
	n = wh_hmac(WH_SHA256, FUZZ_WH_SECRET, sizeof FUZZ_WH_SECRET - 1, msg,
	    strlen(msg), body, len, d);
	free(msg);
	free(v[1]);
	v[1] = fuzz_wh_hex(d, n, "sha256=");
}

static const struct fuzz_wh_target chatwoot = {
	.pl = &respite_plugin,
	.headers = { "X-Chatwoot-Timestamp", "X-Chatwoot-Signature", NULL },
	.extra = { NULL },
	.sign = chatwoot_sign
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_wh_run(&chatwoot, data, size));
}
