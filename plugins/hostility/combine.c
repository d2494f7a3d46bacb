/*
 * respite - hostility: the trained model together with the lexicon.
 *
 * The message is tokenised once for the model, which tells its language
 * (the event's tag, else function words); the lexicon then judges it in
 * that language (so it does not detect it again) and its findings are
 * features of the models trained with them (HOSTILITY_MODEL_LEXICON):
 * how much to trust the lexicon was learned, not set by hand.  Weights
 * without such models (an old site's retraining) fall back to the
 * higher of the two severities.  The categories are the lexicon's.
 */
#include "build.h"

#include <string.h>

#include "combine.h"

struct ask {
	const struct lexicon	*lx;
	const char		*text;
	size_t			 len;
	const char		*lang;
	struct lexicon_result	*out;
};

static void
ask_lexicon(void *arg, enum hostility_lang l, struct hostility_lexicon *lex)
{
	struct ask	*a = arg;
	const char	*tag = a->lang;

	if (l == HOSTILITY_DE)
		tag = "de";
	else if (l == HOSTILITY_EN)
		tag = "en";
	lexicon_classify(a->lx, a->text, a->len, tag, a->out);
	lex->severity = a->out->severity;
	lex->hits = a->out->hits;
	lex->targeted = a->out->targeted;
}

static void
finish(struct hostility_judgement *j)
{
	j->severity = j->model.severity;
	if (!j->model.lexicon && j->lexicon.severity > j->severity)
		j->severity = j->lexicon.severity;
}

void
hostility_combine(const struct hostility *hy, const struct lexicon *lx,
    const char *text, size_t len, const char *lang,
    struct hostility_judgement *j)
{
	struct ask	a = { lx, text, len, lang, &j->lexicon };

	memset(&j->lexicon, 0, sizeof j->lexicon);
	hostility_classify_lexicon(hy, text, len, lang, ask_lexicon, &a,
	    &j->model);
	finish(j);
}

size_t
hostility_combine_explain(const struct hostility *hy,
    const struct lexicon *lx, const char *text, size_t len, const char *lang,
    struct hostility_judgement *j, struct hostility_weight *out, size_t max)
{
	struct ask	a = { lx, text, len, lang, &j->lexicon };
	size_t		n;

	memset(&j->lexicon, 0, sizeof j->lexicon);
	n = hostility_explain(hy, text, len, lang, ask_lexicon, &a,
	    &j->model, out, max);
	finish(j);
	return (n);
}
