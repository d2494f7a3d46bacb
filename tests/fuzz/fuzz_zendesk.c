/*
 * respite - fuzz target: a Zendesk webhook (plugins/zendesk/zendesk.c)
 * through the fake daemon of fuzz_wh.c.  Header lines:
 * X-Zendesk-Webhook-Signature (base64 HMAC-SHA256 of the time stamp and
 * the body), then X-Zendesk-Webhook-Signature-Timestamp.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "fuzz.h"
#include "fuzz_wh.h"
#include "webhook.h"

extern const struct respite_plugin respite_plugin;

static void
zendesk_sign(char **v, const char *body, size_t len)
{
	uint8_t	d[WH_DIGEST_MAX];
	size_t	n;

	if (v[1] == NULL)
		v[1] = fuzz_wh_strcat("2026-03-02T10:00:00Z", "");
	n = wh_hmac(WH_SHA256, FUZZ_WH_SECRET, sizeof FUZZ_WH_SECRET - 1, v[1],
	    strlen(v[1]), body, len, d);
	free(v[0]);
	if ((v[0] = malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1)) == NULL)
		abort();
	base64_encode_raw(v[0], n, d);
	v[0][BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
}

static const struct fuzz_wh_target zendesk = {
	.pl = &respite_plugin,
	.headers = { "X-Zendesk-Webhook-Signature",
	    "X-Zendesk-Webhook-Signature-Timestamp", NULL },
	.extra = { NULL },
	.sign = zendesk_sign
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_wh_run(&zendesk, data, size));
}
