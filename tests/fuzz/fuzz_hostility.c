/*
 * respite - fuzz target: a customer's message through the trained
 * classifier's tokeniser and model (plugins/hostility/hostility.c:
 * decode, normalise, tokenise, hash, score, explain), with the shipped
 * weights.  The first byte picks the language tag (none, "en", "de",
 * "fr") and, with its bit 2, the explanation too; the rest is the text.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "hostility.h"

#ifndef HOSTILITY_SRCDIR
#define HOSTILITY_SRCDIR "plugins/hostility"
#endif

static size_t	nfeat;

static void
count(void *arg, const struct hostility_feature *f)
{
	(void)arg;
	FUZZ_CHECK(f->alen <= HOSTILITY_TOK_MAX);
	FUZZ_CHECK(f->kind == 'w' || f->kind == 'b' || f->kind == 'c');
	FUZZ_CHECK(f->kind != 'c' || (f->alen >= 3 && f->alen <= 5));
	nfeat++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostility		*hy;
	static const char *const	 tags[] = { "", "en", "de", "fr" };
	struct hostility_result		 r, r2;
	struct hostility_weight		 w[8];
	static char			 toks[HOSTILITY_MAX_TOK *
	    (HOSTILITY_TOK_MAX + 1)];
	const char			*tag, *text;
	char				*err = NULL;
	size_t				 len, n, i;

	if (hy == NULL && (hy = hostility_load(HOSTILITY_SRCDIR
	    "/hostility.weights", &err)) == NULL) {
		fprintf(stderr, "fuzz_hostility: %s\n", err);
		abort();
	}
	if (size == 0)
		return (0);
	tag = tags[data[0] & 3];
	text = (const char *)data + 1;
	len = size - 1;
	hostility_classify(hy, text, len, tag, &r);
	FUZZ_CHECK(r.severity >= 0 && r.severity <= 1);
	FUZZ_CHECK(r.nfeat >= 0 && r.nfeat <= HOSTILITY_MAX_FEAT);
	nfeat = 0;
	FUZZ_CHECK(hostility_features(text, len, count, NULL) == nfeat);
	FUZZ_CHECK((int)nfeat == r.nfeat);
	n = hostility_tokens(text, len, toks, sizeof toks);
	FUZZ_CHECK(n <= HOSTILITY_MAX_TOK);
	if (data[0] & 4) {
		n = hostility_explain(hy, text, len, tag, NULL, NULL, &r2, w, 8);
		FUZZ_CHECK(r2.severity == r.severity);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(memchr(w[i].text, '\0',
			    sizeof w[i].text) != NULL);
	}
	FUZZ_SAY("severity %.2f features %zu", r.severity, nfeat);
	return (0);
}
