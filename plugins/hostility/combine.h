/*
 * respite - hostility: the trained model together with the lexicon, as
 * `[plugin.hostility] lexicon = yes` judges (plugin.c, respitectl
 * classify, tests/bench/lexicon-eval).
 */
#ifndef HOSTILITY_COMBINE_H
#define HOSTILITY_COMBINE_H

#include <stddef.h>

#include "hostility.h"
#include "lexicon.h"

struct hostility_judgement {
	double			 severity;	/* 0..1, what counts */
	struct hostility_result	 model;
	struct lexicon_result	 lexicon;
};

void	 hostility_combine(const struct hostility *, const struct lexicon *,
	    const char *, size_t, const char *, struct hostility_judgement *);
size_t	 hostility_combine_explain(const struct hostility *,
	    const struct lexicon *, const char *, size_t, const char *,
	    struct hostility_judgement *, struct hostility_weight *, size_t);

#endif
