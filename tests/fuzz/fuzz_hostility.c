/*
 * respite - fuzz target: a customer's message through the trained
 * classifier's tokeniser and model (plugins/hostility/hostility.c:
 * decode, normalise, tokenise, hash, score, explain), with the shipped
 * weights, and with the lexicon as `lexicon = yes` judges
 * (plugins/hostility/combine.c).  The first byte picks the language tag
 * (none, "en", "de", "fr"), with its bit 2 the explanation too, with its
 * bit 3 the combination with the lexicon; the rest is the text.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "combine.h"
#include "fuzz.h"
#include "hostility.h"
#include "lexicon.h"

#ifndef HOSTILITY_SRCDIR
#define HOSTILITY_SRCDIR "plugins/hostility"
#endif
#ifndef LEXICON_SRCDIR
#define LEXICON_SRCDIR "plugins/lexicon"
#endif

static size_t	nfeat;

static void
count(void *arg, const struct hostility_feature *f)
{
	(void)arg;
	FUZZ_CHECK(f->alen <= HOSTILITY_TOK_MAX);
	FUZZ_CHECK(f->kind == 'w' || f->kind == 'b' || f->kind == 'c' ||
	    f->kind == 'x');
	FUZZ_CHECK((f->kind != 'c' && f->kind != 'x') || (f->alen >= 3 &&
	    f->alen <= 5));
	nfeat++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostility		*hy;
	static struct lexicon		*lx;
	struct hostility_judgement	 j, j2;
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
	if (lx == NULL) {
		lx = lexicon_new();
		if (lexicon_load_file(lx, LEXICON_SRCDIR "/lexicon-de.txt",
		    LEXICON_DE, &err) == -1 || lexicon_load_file(lx,
		    LEXICON_SRCDIR "/lexicon-en.txt", LEXICON_EN, &err) == -1) {
			fprintf(stderr, "fuzz_hostility: %s\n", err);
			abort();
		}
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
	if (data[0] & 8) {
		hostility_combine(hy, lx, text, len, tag, &j);
		FUZZ_CHECK(j.severity >= 0 && j.severity <= 1);
		FUZZ_CHECK(j.model.nfeat == r.nfeat);
		FUZZ_CHECK(j.model.lexicon == hostility_has_lexicon(hy));
		n = hostility_combine_explain(hy, lx, text, len, tag, &j2, w,
		    8);
		FUZZ_CHECK(j2.severity == j.severity);
		FUZZ_CHECK(n <= 8);
	}
	FUZZ_SAY("severity %.2f features %zu", r.severity, nfeat);
	return (0);
}
