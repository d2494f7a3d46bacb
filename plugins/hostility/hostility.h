/*
 * respite - the trained hostility classifier's core (no daemon, no plugin
 * ABI): tokenisation, hashed features and a linear model per language,
 * loaded from a weights file (format in hostility.c).
 *
 * Used by the hostility plugin (plugin.c), respitectl classify, its unit
 * tests, the fuzz target and the evaluation in tests/bench/.  A model is
 * read-only once loaded; scoring allocates nothing.
 */
#ifndef HOSTILITY_H
#define HOSTILITY_H

#include <stddef.h>
#include <stdint.h>

/* Limits, the same as plugins/hostility/train/features.py. */
#define HOSTILITY_TOK_MAX	40	/* bytes of a token; longer is cut */
#define HOSTILITY_MAX_TOK	1024	/* tokens of a message looked at */
#define HOSTILITY_MAX_FEAT	8192	/* features of a message */
/* The tokeniser and features the weights were made for. */
#define HOSTILITY_FEATURES_VERSION	2
#define HOSTILITY_FORMAT_VERSION	2
#define HOSTILITY_HEADER_SIZE		32
#define HOSTILITY_MODEL_HEADER		64
#define HOSTILITY_MAX_MODELS		4
/* A model's flags: trained with the lexicon's findings as features. */
#define HOSTILITY_MODEL_LEXICON		0x1u
/* The lexicon's findings a model weighs (struct hostility_lexicon). */
#define HOSTILITY_NLEX			4
#define HOSTILITY_NLEX_MAX		8	/* room in the model header */

enum hostility_lang {
	HOSTILITY_DE = 0,
	HOSTILITY_EN = 1,
	HOSTILITY_NLANG = 2,
	HOSTILITY_ANY = 3	/* unknown: both models, the higher counts */
};

/* One feature as the walk hands it over (strings are not NUL-ended). */
struct hostility_feature {
	uint32_t	 hash;		/* FNV-1a 32 of kind, a[, 0x01, b] */
	char		 kind;		/* 'w' word, 'b' pair, 'c' char n-gram,
					   'x' one across two words */
	const char	*a;
	size_t		 alen;
	const char	*b;		/* 'b': the second token */
	size_t		 blen;
};

struct hostility_result {
	double		 severity;	/* calibrated probability, 0..1 */
	double		 margin;	/* the model's raw score */
	int		 lang;		/* enum hostility_lang judged in */
	int		 nfeat;		/* features counted */
	int		 lexicon;	/* 1: a model with the lexicon's findings */
};

/*
 * What the lexicon found in a message, the features of the models
 * trained with them (HOSTILITY_MODEL_LEXICON): its severity, whether it
 * had a hit, whether one was aimed at the reader, and whether it judged
 * the message hostile (severity >= 0.5).  combine.c fills it in from
 * plugins/lexicon; the training script from the same code (lexicon-eval
 * -F), so the model learns how to weigh the lexicon.
 */
struct hostility_lexicon {
	double		 severity;	/* 0..1 */
	int		 hits;
	int		 targeted;
};

/*
 * Asked once a message, with the language the models judge it in
 * (HOSTILITY_ANY: not known), for the lexicon's findings.
 */
typedef void	(*hostility_lexicon_fn)(void *, enum hostility_lang,
		    struct hostility_lexicon *);

/* What one feature added to the score (hostility_explain()). */
struct hostility_weight {
	char		 text[2 * HOSTILITY_TOK_MAX + 16];	/* readable */
	double		 contribution;	/* to the margin */
};

struct hostility;

uint32_t	 hostility_fnv1a32(const void *, size_t, uint32_t);
#define HOSTILITY_FNV_OFFSET	0x811c9dc5u
uint32_t	 hostility_crc32(const void *, size_t);
/*
 * Walk the features of text in order, calling fn for each (at most
 * HOSTILITY_MAX_FEAT); returns how many.
 */
size_t		 hostility_features(const char *, size_t,
		    void (*)(void *, const struct hostility_feature *), void *);
/* Tokens of text, NUL-separated into buf (for tests); returns count. */
size_t		 hostility_tokens(const char *, size_t, char *, size_t);

struct hostility *hostility_load(const char *, char **);
struct hostility *hostility_load_buffer(const void *, size_t, const char *,
		    char **);
void		 hostility_free(struct hostility *);
unsigned int	 hostility_bits(const struct hostility *);
size_t		 hostility_size(const struct hostility *);
int		 hostility_has(const struct hostility *, enum hostility_lang);
int		 hostility_has_lexicon(const struct hostility *);
void		 hostility_lexicon_features(const struct hostility_lexicon *,
		    double[HOSTILITY_NLEX]);
enum hostility_lang hostility_lang_parse(const char *);
enum hostility_lang hostility_detect(const char *, size_t);
/* The models without the lexicon. */
void		 hostility_classify(const struct hostility *, const char *,
		    size_t, const char *, struct hostility_result *);
/*
 * With the lexicon's findings (fn, arg; called once): the models trained
 * with them if the weights have them (result's lexicon 1), else those
 * without.  hostility_explain() does the same when fn is not NULL.
 */
void		 hostility_classify_lexicon(const struct hostility *,
		    const char *, size_t, const char *, hostility_lexicon_fn,
		    void *, struct hostility_result *);
size_t		 hostility_explain(const struct hostility *, const char *,
		    size_t, const char *, hostility_lexicon_fn, void *,
		    struct hostility_result *, struct hostility_weight *,
		    size_t);

#endif
