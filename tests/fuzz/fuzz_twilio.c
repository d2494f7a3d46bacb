/*
 * respite - fuzz target: a Twilio TaskRouter event callback
 * (plugins/twilio/twilio.c, its form decoder and mapping) through the
 * fake daemon of fuzz_wh.c.  Header line: X-Twilio-Signature (Base64
 * HMAC-SHA1 of the URL and the sorted parameters), which the harness
 * computes for the 0x02 flag when the body is a form.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "form.h"
#include "fuzz.h"
#include "fuzz_wh.h"

#define FUZZ_TW_URL	"https://respite.example/v1/webhooks/twilio"

extern const struct respite_plugin respite_plugin;

static void
twilio_sign(char **v, const char *body, size_t len)
{
	struct tw_form	 f;
	uint8_t		 d[TW_SIG_LEN];
	char		*error = NULL;

	if (tw_form_parse(body, len, &f, &error) == -1) {
		free(error);
		return;		/* nothing to sign: a 401 */
	}
	tw_signature(FUZZ_WH_SECRET, sizeof FUZZ_WH_SECRET - 1, FUZZ_TW_URL,
	    sizeof FUZZ_TW_URL - 1, "", 0, &f, d);
	tw_form_free(&f);
	free(v[0]);
	if ((v[0] = malloc(BASE64_ENCODE_RAW_LENGTH(sizeof d) + 1)) == NULL)
		abort();
	base64_encode_raw(v[0], sizeof d, d);
	v[0][BASE64_ENCODE_RAW_LENGTH(sizeof d)] = '\0';
}

static const struct fuzz_wh_target twilio = {
	.pl = &respite_plugin,
	.headers = { "X-Twilio-Signature", NULL },
	.extra = { "url", FUZZ_TW_URL, "team", "fuzz-team", NULL },
	.sign = twilio_sign
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_wh_run(&twilio, data, size));
}
