/*
 * respite - fuzz target: a Freshdesk webhook
 * (plugins/freshdesk/freshdesk.c) through the fake daemon of fuzz_wh.c.
 * Header line: X-Respite-Secret (the shared secret itself; Freshdesk
 * does not sign).
 */
#include "build.h"

#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_wh.h"

extern const struct respite_plugin respite_plugin;

static void
freshdesk_sign(char **v, const char *body, size_t len)
{
	(void)body;
	(void)len;
	free(v[0]);
	v[0] = fuzz_wh_strcat(FUZZ_WH_SECRET, "");
}

static const struct fuzz_wh_target freshdesk = {
	.pl = &respite_plugin,
	.headers = { "X-Respite-Secret", NULL },
	.extra = { NULL },
	.sign = freshdesk_sign
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return (fuzz_wh_run(&freshdesk, data, size));
}
