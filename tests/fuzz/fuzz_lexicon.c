/*
 * respite - fuzz target: a customer's message through the lexicon
 * classifier (plugins/lexicon/lexicon.c: tokenize, detect, score), with
 * the shipped word lists.  The first byte picks the language tag (none,
 * "en", "de", "fr"), the rest is the text: every path a message's text
 * takes, from an event or from a helpdesk webhook, ends here.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "lexicon.h"

#ifndef LEXICON_SRCDIR
#define LEXICON_SRCDIR "plugins/lexicon"
#endif

static struct lexicon *
load(void)
{
	static const char *const	 files[] = { "lexicon-de.txt",
	    "lexicon-en.txt" };
	static const enum lexicon_lang	 langs[] = { LEXICON_DE, LEXICON_EN };
	struct lexicon			*lx = lexicon_new();
	char				 path[4096], *err = NULL;
	size_t				 i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", LEXICON_SRCDIR, files[i]);
		if (lexicon_load_file(lx, path, langs[i], &err) == -1) {
			fprintf(stderr, "fuzz_lexicon: %s\n", err);
			abort();
		}
	}
	return (lx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lexicon		*lx;
	static const char *const	 tags[] = { NULL, "en", "de", "fr" };
	struct lexicon_result		 r;
	const char			*tag;

	if (lx == NULL)
		lx = load();
	if (size == 0)
		return (0);
	tag = tags[data[0] & 3];
	lexicon_classify(lx, (const char *)data + 1, size - 1, tag, &r);
	FUZZ_CHECK(r.severity >= 0 && r.severity <= 1);
	(void)lexicon_detect(lx, (const char *)data + 1, size - 1);
	FUZZ_SAY("severity %.2f hits %d", r.severity, r.hits);
	return (0);
}
