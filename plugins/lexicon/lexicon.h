/*
 * respite - the lexicon classifier's core (no daemon, no plugin ABI).
 *
 * Used by the lexicon plugin (plugin.c), its unit tests and the
 * evaluation in tests/bench/.  A lexicon is built from data files (format
 * in lexicon-de.txt) and is read-only once loaded, so classifying needs
 * no locking and allocates nothing for ordinary messages.
 */
#ifndef LEXICON_H
#define LEXICON_H

#include <stddef.h>

enum lexicon_lang {
	LEXICON_DE = 0,
	LEXICON_EN = 1,
	LEXICON_NLANG = 2,
	LEXICON_ANY = 3		/* unknown: both are tried */
};

/* Category bits, the same values as RESPITE_CAT_* of <respite/event.h>. */
#define LEXICON_CAT_INSULT		0x01u
#define LEXICON_CAT_THREAT		0x02u
#define LEXICON_CAT_PROFANITY		0x04u
#define LEXICON_CAT_IDENTITY_ATTACK	0x08u
#define LEXICON_CAT_HARASSMENT		0x10u

struct lexicon_result {
	double		 severity;	/* 0..1 */
	unsigned int	 categories;	/* LEXICON_CAT_* */
	int		 lang;		/* enum lexicon_lang judged in */
	int		 hits;		/* terms and phrases counted */
	int		 targeted;	/* hits aimed at the reader */
	int		 negated;	/* hits cancelled by a negation */
	int		 shouting;	/* all caps or "!!" raised it */
};

struct lexicon;

/* lexicon.c */
struct lexicon	*lexicon_new(void);
void		 lexicon_free(struct lexicon *);
int		 lexicon_load_file(struct lexicon *, const char *,
		    enum lexicon_lang, char **);
int		 lexicon_load_allow(struct lexicon *, const char *, char **);
int		 lexicon_add_line(struct lexicon *, const char *,
		    enum lexicon_lang, const char *, int, char **);
size_t		 lexicon_size(const struct lexicon *);
enum lexicon_lang lexicon_lang_parse(const char *);
enum lexicon_lang lexicon_detect(const struct lexicon *, const char *,
		    size_t);
void		 lexicon_classify(const struct lexicon *, const char *, size_t,
		    const char *, struct lexicon_result *);

#endif
