/*
 * respite - the lexicon classifier: English and German hostility from
 * word lists.
 *
 * A message is cut into words, and each word is normalised the way real
 * abuse is written: lower case, umlauts and ß folded to ae/oe/ue/ss (so
 * "Arschlöcher" and "Arschloecher" are one word), leetspeak and masking
 * undone ("sch31ss" is "scheiss", "a$$" is "ass", "f*ck" has a wildcard),
 * and letters repeated three times or more squeezed ("fuuuuck").  Each
 * word is then looked up in a trie of the language's terms from every
 * starting position, so a term marked as a compound part is found inside
 * German compounds ("Vollidiot", "Scheißladen") and with its inflection
 * endings ("Idioten").
 *
 * Terms carry a kind and a weight.  The score of a hit is changed by its
 * neighbours: a negation just before it ("nicht dumm", "not stupid")
 * cancels an insult; words addressing the reader ("du bist", "Sie sind",
 * "you are", "du Idiot", "fuck you") raise it well above swearing in the
 * air; multi-word phrases carry threats ("ich weiß, wo ...", "I will find
 * you").  Hits combine as a noisy-or (1 - Π(1 - w)), and shouting (all
 * caps, "!!!") raises a hostile message further but never makes a
 * harmless one hostile.
 *
 * Odd choices: the trie has a dense 26-letter fan-out (a few hundred KiB
 * for a big lexicon) because lookups dominate the cost; digits that are
 * not leetspeak end a word; a word of more than TOK_MAX letters is
 * skipped rather than cut, since cutting makes words that were not there.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lexicon.h"

#define TOK_MAX		40	/* longest word looked at, in bytes */
#define TOK_STACK	256	/* words handled without malloc */
#define HEAD_MIN	3	/* shortest compound head: not "M|arsch" */
#define GAP_MAX		3	/* "_" in a phrase: up to this many words */
#define WILD_MAX	4	/* masked letters in one word */
#define ALT_MAX		16	/* alternatives of a phrase word */
#define NEG_WINDOW	3	/* a negation reaches this many words on */
#define STRONG		0.695	/* insults this strong are never negated */

/* Kinds of entries; the first five score. */
enum kind {
	K_INSULT,
	K_THREAT,
	K_PROFANITY,
	K_IDENTITY,
	K_HARASSMENT,
	K_ALLOW,
	K_NEGATION,
	K_TARGET,
	K_STOP
};

static const struct {
	const char	*name;
	enum kind	 kind;
	unsigned int	 cat;
} kinds[] = {
	{ "insult", K_INSULT, LEXICON_CAT_INSULT },
	{ "threat", K_THREAT, LEXICON_CAT_THREAT },
	{ "profanity", K_PROFANITY, LEXICON_CAT_PROFANITY },
	{ "identity_attack", K_IDENTITY, LEXICON_CAT_IDENTITY_ATTACK },
	{ "harassment", K_HARASSMENT, LEXICON_CAT_HARASSMENT },
	{ "allow", K_ALLOW, 0 },
	{ "negation", K_NEGATION, 0 },
	{ "target", K_TARGET, 0 },
	{ "stopwords", K_STOP, 0 },
};

/* Flags of a pattern word. */
#define W_HEAD	0x01	/* "*idiot": a compound head may come before */
#define W_TAIL	0x02	/* "scheiss*": anything may follow */
#define W_INFL	0x04	/* "idiot+": an inflection ending may follow */
#define W_CAP	0x08	/* "Sie": must be capitalised in the text */

/* A word of a phrase after its first: alternatives and a gap before it. */
struct pword {
	char		**alt;
	unsigned char	 *flags;
	size_t		  nalt;
	int		  gap;
};

struct phrase {
	struct pword	*w;
	size_t		 n;
	int		 anchor;	/* "$": must end its sentence */
};

struct entry {
	unsigned char	 kind;
	unsigned char	 flags;		/* of the first word */
	unsigned char	 lang;
	float		 weight;	/* K_TARGET: its window in words */
	int32_t		 phrase;	/* index into phrases, -1: one word */
	int32_t		 next;		/* next entry at the same node, -1 */
};

struct node {
	int32_t		 child[26];	/* 0: none (the root is never a child) */
	int32_t		 entry;		/* first entry ending here, -1 */
};

struct trie {
	struct node	*n;
	size_t		 nn, cap;
};

struct lexicon {
	struct trie	 trie[LEXICON_NLANG];
	struct entry	*e;
	size_t		 ne, ecap;
	struct phrase	*ph;
	size_t		 nph, phcap;
};

/* A normalised word of the message. */
struct tok {
	char		 w[TOK_MAX + 1];	/* as written, folded */
	char		 v1[TOK_MAX + 1];	/* runs of 3+ squeezed to 1 */
	char		 v2[TOK_MAX + 1];	/* ... and to 2 */
	unsigned char	 len, len1, len2;
	unsigned char	 cap;		/* began with a capital */
	unsigned char	 brk;		/* before it: 1 a comma, 2 a full stop */
	unsigned char	 wild;		/* '?' for masked letters */
	unsigned char	 rep;		/* v1 and v2 are set */
};

/* What one word was found to be, in one language. */
struct info {
	float		 w;		/* best scoring hit */
	unsigned char	 kind;
	unsigned char	 allow, neg, tgt, covered;
	unsigned int	 cats;
	int32_t		 phr[24];	/* phrases whose first word this is */
	unsigned char	 nphr;
};

/* ---------------------------------------------------------------- util */

static void *
xrealloc(void *p, size_t n, size_t size)
{
	void	*q;

	if (size != 0 && n > SIZE_MAX / size)
		abort();
	if ((q = realloc(p, n * size)) == NULL && n * size != 0)
		abort();
	return (q);
}

static int __attribute__((format(printf, 2, 3)))
seterr(char **error, const char *fmt, ...)
{
	va_list	ap;

	if (error != NULL) {
		va_start(ap, fmt);
		if (vasprintf(error, fmt, ap) == -1)
			*error = NULL;
		va_end(ap);
	}
	return (-1);
}

/*
 * Decode one UTF-8 code point at p (n bytes left) into *cp; returns its
 * length (1 for a bad byte, which becomes U+FFFD).
 */
static size_t
utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t	c = p[0];
	size_t		len, i;

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = 0xfffd;
		return (1);
	}
	if (len > n) {
		*cp = 0xfffd;
		return (1);
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return (1);
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return (len);
}

/*
 * Fold a letter to lower-case ASCII: "ae" for ä and Ä, "ss" for ß.
 * Returns the number of bytes written to out (0: not a letter we fold);
 * *upper is set for a capital.
 */
static size_t
fold(uint32_t c, char out[2], int *upper)
{
	uint32_t	lc;

	*upper = 0;
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z') {
			*upper = 1;
			out[0] = (char)(c - 'A' + 'a');
			return (1);
		}
		if (c >= 'a' && c <= 'z') {
			out[0] = (char)c;
			return (1);
		}
		return (0);
	}
	if (c == 0x1e9e || c == 0xdf) {		/* ẞ, ß */
		*upper = c == 0x1e9e;
		out[0] = out[1] = 's';
		return (2);
	}
	if (c < 0xc0 || c > 0xff || c == 0xd7 || c == 0xf7)
		return (0);
	*upper = c < 0xdf;
	lc = c < 0xdf ? c + 0x20 : c;
	switch (lc) {
	case 0xe4:	/* ä */
	case 0xe6:	/* æ */
		out[0] = 'a';
		out[1] = 'e';
		return (2);
	case 0xf6:	/* ö */
		out[0] = 'o';
		out[1] = 'e';
		return (2);
	case 0xfc:	/* ü */
		out[0] = 'u';
		out[1] = 'e';
		return (2);
	case 0xe7:
		out[0] = 'c';
		return (1);
	case 0xf0:
		out[0] = 'd';
		return (1);
	case 0xf1:
		out[0] = 'n';
		return (1);
	case 0xfd: case 0xff:
		out[0] = 'y';
		return (1);
	case 0xfe:
		out[0] = 't';
		return (1);
	default:
		break;
	}
	if (lc <= 0xe5)
		out[0] = 'a';
	else if (lc <= 0xeb)
		out[0] = 'e';
	else if (lc <= 0xef)
		out[0] = 'i';
	else if (lc <= 0xf8)
		out[0] = 'o';
	else
		out[0] = 'u';
	return (1);
}

/* ---------------------------------------------------------------- trie */

static int32_t
trie_node(struct trie *t)
{
	if (t->nn == t->cap) {
		t->cap = t->cap == 0 ? 256 : t->cap * 2;
		t->n = xrealloc(t->n, t->cap, sizeof *t->n);
	}
	memset(&t->n[t->nn], 0, sizeof t->n[t->nn]);
	t->n[t->nn].entry = -1;
	return ((int32_t)t->nn++);
}

static void
trie_add(struct trie *t, const char *w, int32_t entry, struct entry *e)
{
	int32_t	n = 0, c;

	if (t->nn == 0)
		trie_node(t);
	for (; *w != '\0'; w++) {
		if ((c = t->n[n].child[*w - 'a']) == 0) {
			c = trie_node(t);
			t->n[n].child[*w - 'a'] = c;
		}
		n = c;
	}
	e[entry].next = t->n[n].entry;
	t->n[n].entry = entry;
}

/* ---------------------------------------------------------------- loading */

struct lexicon *
lexicon_new(void)
{
	struct lexicon	*lx;

	if ((lx = calloc(1, sizeof *lx)) == NULL)
		abort();
	return (lx);
}

void
lexicon_free(struct lexicon *lx)
{
	size_t	i, j, k;

	if (lx == NULL)
		return;
	for (i = 0; i < LEXICON_NLANG; i++)
		free(lx->trie[i].n);
	for (i = 0; i < lx->nph; i++) {
		for (j = 0; j < lx->ph[i].n; j++) {
			for (k = 0; k < lx->ph[i].w[j].nalt; k++)
				free(lx->ph[i].w[j].alt[k]);
			free(lx->ph[i].w[j].alt);
			free(lx->ph[i].w[j].flags);
		}
		free(lx->ph[i].w);
	}
	free(lx->ph);
	free(lx->e);
	free(lx);
}

size_t
lexicon_size(const struct lexicon *lx)
{
	return (lx->ne);
}

enum lexicon_lang
lexicon_lang_parse(const char *tag)
{
	if (tag == NULL)
		return (LEXICON_ANY);
	if (strncasecmp(tag, "de", 2) == 0 && (tag[2] == '\0' ||
	    tag[2] == '-' || tag[2] == '_'))
		return (LEXICON_DE);
	if (strncasecmp(tag, "en", 2) == 0 && (tag[2] == '\0' ||
	    tag[2] == '-' || tag[2] == '_'))
		return (LEXICON_EN);
	return (LEXICON_ANY);
}

/*
 * Normalise one pattern alternative ("*Idiot+") into out (a-z only) and
 * its flags.  Returns 0 or -1 with *why set.
 */
static int
pattern_word(const char *s, size_t n, char *out, unsigned char *flags,
    const char **why)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, len = 0, k;
	uint32_t		 cp;
	char			 f[2];
	int			 upper;

	*flags = 0;
	if (n > 0 && p[0] == '*') {
		*flags |= W_HEAD;
		i++;
	}
	if (n > i && (p[n - 1] == '*' || p[n - 1] == '+')) {
		*flags |= p[n - 1] == '*' ? W_TAIL : W_INFL;
		n--;
	}
	while (i < n) {
		i += utf8_next(p + i, n - i, &cp);
		if ((k = fold(cp, f, &upper)) == 0) {
			*why = "only letters, with * or + around them";
			return (-1);
		}
		if (upper && len == 0)
			*flags |= W_CAP;
		if (len + k > TOK_MAX) {
			*why = "word too long";
			return (-1);
		}
		memcpy(out + len, f, k);
		len += k;
	}
	if (len == 0) {
		*why = "empty word";
		return (-1);
	}
	out[len] = '\0';
	return (0);
}

static int32_t
entry_new(struct lexicon *lx, enum kind kind, unsigned char flags,
    enum lexicon_lang lang, float weight, int32_t phrase)
{
	struct entry	*e;

	if (lx->ne == lx->ecap) {
		lx->ecap = lx->ecap == 0 ? 512 : lx->ecap * 2;
		lx->e = xrealloc(lx->e, lx->ecap, sizeof *lx->e);
	}
	e = &lx->e[lx->ne];
	e->kind = (unsigned char)kind;
	e->flags = flags;
	e->lang = (unsigned char)lang;
	e->weight = weight;
	e->phrase = phrase;
	e->next = -1;
	return ((int32_t)lx->ne++);
}

/* Add word (one alternative, normalised) to the tries of lang. */
static void
add_first(struct lexicon *lx, const char *w, unsigned char flags,
    enum kind kind, enum lexicon_lang lang, float weight, int32_t phrase)
{
	int	l;
	int32_t	e;

	for (l = 0; l < LEXICON_NLANG; l++) {
		if (lang != LEXICON_ANY && l != (int)lang)
			continue;
		e = entry_new(lx, kind, flags, (enum lexicon_lang)l, weight,
		    phrase);
		trie_add(&lx->trie[l], w, e, lx->e);
	}
}

/* Split s at '|' into normalised alternatives. */
static int
split_alts(const char *s, size_t n, char alt[][TOK_MAX + 1],
    unsigned char *flags, size_t *nalt, const char **why)
{
	const char	*bar;
	size_t		 k;

	*nalt = 0;
	while (n > 0) {
		bar = memchr(s, '|', n);
		k = bar != NULL ? (size_t)(bar - s) : n;
		if (*nalt == ALT_MAX) {
			*why = "too many alternatives (at most 16)";
			return (-1);
		}
		if (pattern_word(s, k, alt[*nalt], &flags[*nalt], why) == -1)
			return (-1);
		(*nalt)++;
		if (bar == NULL)
			break;
		s = bar + 1;
		n -= k + 1;
		if (n == 0) {
			*why = "empty alternative";
			return (-1);
		}
	}
	return (0);
}

/*
 * Add one line of a lexicon file (format in lexicon-de.txt).  file and
 * line are for the message.  Returns 0, or -1 with *error set.
 */
int
lexicon_add_line(struct lexicon *lx, const char *text, enum lexicon_lang lang,
    const char *file, int line, char **error)
{
	char		 buf[1024], *fields[64], *p, *save = NULL, *end;
	char		 alt[ALT_MAX][TOK_MAX + 1];
	unsigned char	 flags[ALT_MAX];
	const char	*why = NULL;
	size_t		 nf = 0, i, k, nalt;
	struct phrase	*ph;
	enum kind	 kind;
	double		 weight = 0;
	int		 gap = 0, ki = -1;
	int32_t		 phrase = -1;

	if (strlen(text) >= sizeof buf)
		return (seterr(error, "%s:%d: line too long", file, line));
	strcpy(buf, text);
	/* A '#' at the start of a field starts a comment. */
	for (p = buf; *p != '\0'; p++)
		if (*p == '#' && (p == buf || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	for (p = strtok_r(buf, " \t\r\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\r\n", &save)) {
		if (nf == sizeof fields / sizeof fields[0])
			return (seterr(error, "%s:%d: too many words", file,
			    line));
		fields[nf++] = p;
	}
	if (nf == 0)
		return (0);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(fields[0], kinds[i].name) == 0)
			ki = (int)i;
	if (ki == -1)
		return (seterr(error, "%s:%d: unknown kind \"%s\" (insult, "
		    "threat, profanity, identity_attack, harassment, allow, "
		    "negation, target, stopwords)", file, line, fields[0]));
	kind = kinds[ki].kind;

	if (kind == K_STOP || kind == K_ALLOW || kind == K_NEGATION) {
		/* KIND WORD... (a '-' weight column is accepted). */
		i = nf > 1 && strcmp(fields[1], "-") == 0 ? 2 : 1;
		if (i == nf)
			return (seterr(error, "%s:%d: %s without a word", file,
			    line, fields[0]));
		if (kind == K_NEGATION && nf - i > 1)
			goto phrase;
		for (; i < nf; i++) {
			if (pattern_word(fields[i], strlen(fields[i]), alt[0],
			    &flags[0], &why) == -1)
				return (seterr(error, "%s:%d: \"%s\": %s", file,
				    line, fields[i], why));
			add_first(lx, alt[0], flags[0] & ~W_CAP, kind, lang, 0,
			    -1);
		}
		return (0);
	}
	if (nf < 3)
		return (seterr(error, "%s:%d: expected KIND WEIGHT PATTERN",
		    file, line));
	errno = 0;
	weight = strtod(fields[1], &end);
	if (*end != '\0' || errno != 0 || end == fields[1] ||
	    (kind == K_TARGET ? (weight < 1 || weight > 8 ||
	    weight != (int)weight) : !(weight >= 0 && weight <= 1)))
		return (seterr(error, "%s:%d: \"%s\": the weight must be %s",
		    file, line, fields[1], kind == K_TARGET ? "a window of "
		    "1 to 8 words" : "a number from 0 to 1"));
	i = 2;

phrase:
	/* fields[i] is the first word; the rest make a phrase. */
	if (strcmp(fields[i], "_") == 0)
		return (seterr(error, "%s:%d: a phrase cannot start with _",
		    file, line));
	if (nf - i > 1) {
		int	anchor = 0;

		if (strcmp(fields[nf - 1], "$") == 0) {
			anchor = 1;
			nf--;
		}
		if (lx->nph == lx->phcap) {
			lx->phcap = lx->phcap == 0 ? 64 : lx->phcap * 2;
			lx->ph = xrealloc(lx->ph, lx->phcap, sizeof *lx->ph);
		}
		phrase = (int32_t)lx->nph;
		ph = &lx->ph[lx->nph];
		memset(ph, 0, sizeof *ph);
		ph->anchor = anchor;
		for (k = i + 1; k < nf; k++) {
			struct pword	*pw;
			size_t		 a;

			if (strcmp(fields[k], "$") == 0) {
				lx->nph++;
				return (seterr(error, "%s:%d: $ can only end "
				    "a pattern", file, line));
			}
			if (strcmp(fields[k], "_") == 0) {
				if (k + 1 == nf || gap > 0)
					goto bad_gap;
				gap = GAP_MAX;
				continue;
			}
			if (split_alts(fields[k], strlen(fields[k]), alt,
			    flags, &nalt, &why) == -1) {
				/* Free what this phrase has so far. */
				lx->nph++;
				return (seterr(error, "%s:%d: \"%s\": %s",
				    file, line, fields[k], why));
			}
			ph->w = xrealloc(ph->w, ph->n + 1, sizeof *ph->w);
			pw = &ph->w[ph->n++];
			pw->alt = xrealloc(NULL, nalt, sizeof *pw->alt);
			pw->flags = xrealloc(NULL, nalt, 1);
			pw->nalt = nalt;
			pw->gap = gap;
			gap = 0;
			for (a = 0; a < nalt; a++) {
				if ((pw->alt[a] = strdup(alt[a])) == NULL)
					abort();
				pw->flags[a] = flags[a];
			}
		}
		lx->nph++;
	}
	if (split_alts(fields[i], strlen(fields[i]), alt, flags, &nalt,
	    &why) == -1)
		return (seterr(error, "%s:%d: \"%s\": %s", file, line,
		    fields[i], why));
	for (k = 0; k < nalt; k++)
		add_first(lx, alt[k], kind == K_TARGET ? flags[k] :
		    flags[k] & ~W_CAP, kind, lang, (float)weight, phrase);
	if (kind != K_TARGET && phrase >= 0)
		for (k = 0; k < lx->ph[phrase].n; k++) {
			size_t	a;

			for (a = 0; a < lx->ph[phrase].w[k].nalt; a++)
				lx->ph[phrase].w[k].flags[a] &= ~W_CAP;
		}
	return (0);

bad_gap:
	lx->nph++;
	return (seterr(error, "%s:%d: _ must stand between two words, once",
	    file, line));
}

/*
 * Load a lexicon file.  Lines "@lang de", "@lang en" or "@lang any"
 * switch the language of the lines after them (lang before the first).
 * Returns 0, or -1 with *error "FILE:LINE: message".
 */
int
lexicon_load_file(struct lexicon *lx, const char *path,
    enum lexicon_lang lang, char **error)
{
	FILE	*f;
	char	 line[1024], *p;
	int	 n = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (seterr(error, "%s: %s", path, strerror(errno)));
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = seterr(error, "%s:%d: line too long", path, n);
			break;
		}
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (strncmp(p, "@lang", 5) == 0 &&
		    isspace((unsigned char)p[5])) {
			p += 5;
			p[strcspn(p, "\r\n")] = '\0';
			while (isspace((unsigned char)*p))
				p++;
			if (strcmp(p, "any") == 0)
				lang = LEXICON_ANY;
			else if ((lang = lexicon_lang_parse(p)) ==
			    LEXICON_ANY) {
				rc = seterr(error, "%s:%d: @lang: expected de, "
				    "en or any, got \"%s\"", path, n, p);
				break;
			}
			continue;
		}
		if ((rc = lexicon_add_line(lx, p, lang, path, n, error)) != 0)
			break;
	}
	if (rc == 0 && ferror(f))
		rc = seterr(error, "%s: %s", path, strerror(errno));
	fclose(f);
	return (rc);
}

/*
 * Load an allow-list: one word a line (a pattern: "marsch*"), in both
 * languages; "#" starts a comment.
 */
int
lexicon_load_allow(struct lexicon *lx, const char *path, char **error)
{
	FILE		*f;
	char		 line[1024], w[TOK_MAX + 1], *p, *q;
	const char	*why;
	unsigned char	 flags;
	int		 n = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (seterr(error, "%s: %s", path, strerror(errno)));
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (q = p + strlen(p); q > p && isspace((unsigned char)q[-1]);)
			*--q = '\0';
		if (*p == '\0')
			continue;
		if (pattern_word(p, strlen(p), w, &flags, &why) == -1) {
			rc = seterr(error, "%s:%d: \"%s\": %s", path, n, p, why);
			break;
		}
		add_first(lx, w, flags & ~W_CAP, K_ALLOW, LEXICON_ANY, 0, -1);
	}
	fclose(f);
	return (rc);
}

/* ---------------------------------------------------------------- words */

struct toks {
	struct tok	*t;
	size_t		 n, cap;
	size_t		 letters, upper;	/* for shouting */
	int		 bangs;			/* a run of 2+ '!' */
};

static int
squeeze(const char *w, size_t len, char *out, size_t keep)
{
	size_t	i, j, o = 0;

	for (i = 0; i < len; i = j) {
		for (j = i; j < len && w[j] == w[i]; j++)
			;
		if (j - i >= 3) {
			memset(out + o, w[i], keep);
			o += keep;
		} else {
			memcpy(out + o, w + i, j - i);
			o += j - i;
		}
	}
	out[o] = '\0';
	return ((int)o);
}

/*
 * The words are the message's text: zero them (the daemon's core-dump
 * and memory hygiene, daemon/wipe.c) and free a heap array.
 */
static void
toks_wipe(struct toks *ts, struct tok *stack)
{
	explicit_bzero(ts->t, ts->n * sizeof *ts->t);
	if (ts->t != stack)
		free(ts->t);
}

/* Finish the raw word raw[0..n) into a token; 0 if it was dropped. */
static int
tok_finish(struct toks *ts, char *raw, size_t n, int cap, int brk,
    struct tok *stack)
{
	struct tok	*t, *grown;
	size_t		 i, letters = 0, wild = 0;
	int		 run;

	/* Trailing marks are punctuation, not masking, after a whole word. */
	while (n > 0 && (raw[n - 1] == '!' || raw[n - 1] == '#' ||
	    raw[n - 1] == '%' || raw[n - 1] == '@'))
		n--;
	for (i = 0; i < n; i++)
		if (raw[i] >= 'a' && raw[i] <= 'z')
			letters++;
	if (n > 0 && raw[n - 1] == '*' && letters >= 5)
		while (n > 0 && raw[n - 1] == '*')
			n--;
	if (letters == 0 || n > TOK_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		switch (raw[i]) {
		case '0': raw[i] = 'o'; break;
		case '1': case '!': raw[i] = 'i'; break;
		case '3': raw[i] = 'e'; break;
		case '4': case '@': raw[i] = 'a'; break;
		case '5': case '$': raw[i] = 's'; break;
		case '7': raw[i] = 't'; break;
		case '*': case '#': case '%':
			raw[i] = '?';
			wild++;
			break;
		default:
			break;
		}
	}
	if (wild > WILD_MAX)
		return (0);
	if (ts->n == ts->cap) {
		/* Moved, never realloc'd: the old words are wiped. */
		grown = xrealloc(NULL, ts->cap * 4, sizeof *ts->t);
		memcpy(grown, ts->t, ts->n * sizeof *ts->t);
		toks_wipe(ts, stack);
		ts->t = grown;
		ts->cap *= 4;
	}
	t = &ts->t[ts->n++];
	memcpy(t->w, raw, n);
	t->w[n] = '\0';
	t->len = (unsigned char)n;
	t->cap = (unsigned char)cap;
	t->brk = (unsigned char)brk;
	t->wild = wild > 0;
	t->rep = 0;
	for (i = 0, run = 1; i + 1 < n; i++) {
		run = t->w[i + 1] == t->w[i] ? run + 1 : 1;
		if (run >= 3)
			t->rep = 1;
	}
	if (t->rep) {
		t->len1 = (unsigned char)squeeze(t->w, n, t->v1, 1);
		t->len2 = (unsigned char)squeeze(t->w, n, t->v2, 2);
	}
	return (1);
}

static int
is_letter_at(const unsigned char *p, size_t n)
{
	uint32_t	cp;
	char		f[2];
	int		upper;

	if (n == 0)
		return (0);
	utf8_next(p, n, &cp);
	return (fold(cp, f, &upper) > 0);
}

/* Cut text into normalised words. */
static void
tokenize(const char *text, size_t len, struct toks *ts, struct tok *stack)
{
	const unsigned char	*p = (const unsigned char *)text;
	char			 raw[TOK_MAX], f[2];
	size_t			 i = 0, n = 0, k, cl;
	uint32_t		 c;
	int			 upper, cap = 0, brk = 0, pending = 0, bang = 0;
	int			 skip = 0, toolong = 0;

	ts->t = stack;
	ts->n = 0;
	ts->cap = TOK_STACK;
	ts->letters = ts->upper = 0;
	ts->bangs = 0;

/* Every byte of a word goes through PUT: past TOK_MAX it is too long. */
#define PUT(ch) do {							\
		if (n < TOK_MAX)					\
			raw[n++] = (char)(ch);				\
		else							\
			toolong = 1;					\
	} while (0)
#define FLUSH() do {							\
		if (n > 0 && !toolong &&				\
		    tok_finish(ts, raw, n, cap, brk, stack))		\
			brk = 0;					\
		n = 0;							\
		toolong = 0;						\
	} while (0)

	while (i < len) {
		cl = utf8_next(p + i, len - i, &c);
		/* A mention or a link is one word we do not read. */
		if (n == 0 && !skip && (c == '@' || ((c == 'h' || c == 'w') &&
		    len - i > 4 && (strncmp((const char *)p + i, "http",
		    4) == 0 || strncmp((const char *)p + i, "www.", 4) == 0)))) {
			if (i == 0 || isspace(p[i - 1]) || p[i - 1] == '(' ||
			    p[i - 1] == '"' || p[i - 1] == '.')
				skip = 1;
		}
		if (skip) {
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
				skip = 0;
			else {
				i += cl;
				continue;
			}
		}
		if (c != '!')
			bang = 0;
		if ((k = fold(c, f, &upper)) > 0) {
			if (n == 0)
				cap = upper;
			ts->letters++;
			ts->upper += upper;
			if (n + k > TOK_MAX)
				toolong = 1;
			else {
				memcpy(raw + n, f, k);
				n += k;
			}
			i += cl;
			continue;
		}
		switch (c) {
		case '0': case '1': case '3': case '4': case '5': case '7':
		case '$': case '*': case '#': case '%': case '@':
			/* Leetspeak and masking; digits alone are dropped later. */
			if (n == 0 && (c == '#' || c == '*' || c == '$'))
				break;	/* a hashtag, emphasis, a price */
			PUT(c);
			break;
		case '!':
			if (n > 0 && is_letter_at(p + i + 1, len - i - 1)) {
				PUT('!');
				break;
			}
			FLUSH();
			if (++bang == 2)
				ts->bangs++;
			pending = 2;
			break;
		case '\'': case 0x2019: case 0x2018: case 0xb4: case '`':
			/* "you're", "geht's": one word. */
			if (n > 0 && is_letter_at(p + i + cl, len - i - cl))
				break;
			FLUSH();
			break;
		case '-':
			/* "Scheiß-Laden" is one compound. */
			if (n > 0 && is_letter_at(p + i + 1, len - i - 1))
				break;
			FLUSH();
			break;
		case '.': case '?': case ';': case '\n': case 0x2026:
			FLUSH();
			pending = 2;
			break;
		case ',': case ':': case '(': case ')': case '"': case 0x2013:
		case 0x2014: case '/':
			FLUSH();
			if (pending < 1)
				pending = 1;
			break;
		default:
			FLUSH();
			break;
		}
		if (pending > 0 && n == 0) {
			if (pending > brk)
				brk = pending;
			pending = 0;
		}
		i += cl;
	}
	FLUSH();
#undef FLUSH
#undef PUT
	explicit_bzero(raw, sizeof raw);	/* message text: see wipe.c */
}

/* ---------------------------------------------------------------- matching */

static const char *const infl_de[] = {
	"e", "en", "n", "er", "ern", "es", "s", "em", "ens", "st", "ste",
	"sten", "ster", "stes", "stem", "t", "te", "ten", "in", "innen",
	"chen", NULL
};
static const char *const infl_en[] = {
	"s", "es", "ed", "d", "ing", "in", "er", "ers", "y", "ies", "ish",
	"z", NULL
};

static int
is_infl(const char *s, size_t n, int lang)
{
	const char *const	*v = lang == LEXICON_DE ? infl_de : infl_en;

	for (; *v != NULL; v++)
		if (strlen(*v) == n && memcmp(*v, s, n) == 0)
			return (1);
	return (0);
}

/* May an entry of these flags match w[s..e) in a word of len letters? */
static int
fits(unsigned char flags, const char *w, size_t len, size_t s, size_t e,
    int lang, int cap)
{
	if ((flags & W_CAP) && !cap)
		return (0);
	if (s > 0 && (!(flags & W_HEAD) || s < HEAD_MIN))
		return (0);
	if (e < len) {
		if (flags & W_TAIL)
			return (1);
		if (flags & W_INFL)
			return (is_infl(w + e, len - e, lang));
		return (0);
	}
	return (1);
}

/* Record entry en matching w[s..e) into the word's info. */
static void
found(const struct lexicon *lx, int32_t ei, struct info *in)
{
	const struct entry	*en = &lx->e[ei];

	if (en->phrase >= 0) {
		if (in->nphr < sizeof in->phr / sizeof in->phr[0])
			in->phr[in->nphr++] = ei;
		return;
	}
	switch (en->kind) {
	case K_ALLOW:
		in->allow = 1;
		break;
	case K_NEGATION:
		in->neg = 1;
		break;
	case K_TARGET:
		if (en->weight > in->tgt)
			in->tgt = (unsigned char)en->weight;
		break;
	case K_STOP:
		break;
	default:
		if (en->weight > in->w || (en->weight == in->w &&
		    in->cats == 0)) {
			in->w = en->weight;
			in->kind = en->kind;
		}
		in->cats |= kinds[en->kind].cat;
		break;
	}
}

struct walk {
	const struct lexicon	*lx;
	const struct node	*nodes;
	const char		*w;
	size_t			 len, s;
	int			 lang, cap;
	struct info		*in;
};

/* Walk the trie from node n at w[i], '?' taking every branch. */
static void
walk_wild(const struct walk *wk, int32_t n, size_t i)
{
	int32_t	e, c;
	int	k;

	for (e = wk->nodes[n].entry; e >= 0; e = wk->lx->e[e].next)
		if (fits(wk->lx->e[e].flags, wk->w, wk->len, wk->s, i,
		    wk->lang, wk->cap))
			found(wk->lx, e, wk->in);
	if (i == wk->len)
		return;
	if (wk->w[i] == '?') {
		for (k = 0; k < 26; k++)
			if ((c = wk->nodes[n].child[k]) != 0)
				walk_wild(wk, c, i + 1);
		return;
	}
	if ((c = wk->nodes[n].child[wk->w[i] - 'a']) != 0)
		walk_wild(wk, c, i + 1);
}

/* Every entry of lang found in w (len letters), from every start. */
static void
match_word(const struct lexicon *lx, int lang, const char *w, size_t len,
    int cap, int wild, struct info *in)
{
	const struct trie	*t = &lx->trie[lang];
	const struct node	*nodes = t->n;
	struct walk		 wk;
	size_t			 s, i;
	int32_t			 n, e;

	if (t->nn == 0)
		return;
	if (wild) {
		wk.lx = lx;
		wk.nodes = nodes;
		wk.w = w;
		wk.len = len;
		wk.lang = lang;
		wk.cap = cap;
		wk.in = in;
		for (s = 0; s < len; s++) {
			if (s > 0 && s < HEAD_MIN)
				continue;
			wk.s = s;
			walk_wild(&wk, 0, s);
		}
		return;
	}
	for (s = 0; s < len; s++) {
		if (s > 0 && s < HEAD_MIN)
			continue;
		n = 0;
		for (i = s; i < len; i++) {
			if ((n = nodes[n].child[w[i] - 'a']) == 0)
				break;
			for (e = nodes[n].entry; e >= 0; e = lx->e[e].next)
				if (fits(lx->e[e].flags, w, len, s, i + 1,
				    lang, cap))
					found(lx, e, in);
		}
	}
}

/* Does one phrase word match token t (any of its spellings)? */
static int
pword_match(const struct pword *pw, const struct tok *t, int lang)
{
	const char	*forms[3];
	size_t		 lens[3], nf = 1, f, a, s, n, k;

	forms[0] = t->w;
	lens[0] = t->len;
	if (t->rep) {
		forms[1] = t->v1;
		lens[1] = t->len1;
		forms[2] = t->v2;
		lens[2] = t->len2;
		nf = 3;
	}
	for (a = 0; a < pw->nalt; a++) {
		n = strlen(pw->alt[a]);
		for (f = 0; f < nf; f++) {
			for (s = 0; s + n <= lens[f]; s++) {
				if (s > 0 && !(pw->flags[a] & W_HEAD))
					break;
				for (k = 0; k < n; k++)
					if (forms[f][s + k] != pw->alt[a][k] &&
					    forms[f][s + k] != '?')
						break;
				if (k == n && fits(pw->flags[a], forms[f],
				    lens[f], s, s + n, lang, t->cap))
					return (1);
			}
		}
	}
	return (0);
}

/*
 * Match the phrase's words k.. from token i on; *end is its last token.
 * A gap never holds a negation ("I will not find you").
 */
static int
phrase_match(const struct phrase *ph, size_t k, const struct tok *t,
    const struct info *info, size_t n, size_t i, int lang, size_t *end)
{
	size_t	g, j;

	if (k == ph->n) {
		if (ph->anchor && i < n && t[i].brk == 0)
			return (0);
		*end = i - 1;
		return (1);
	}
	for (g = 0; g <= (size_t)ph->w[k].gap; g++) {
		j = i + g;
		if (j >= n || t[j].brk >= 2)
			return (0);	/* not across a full stop */
		if (g > 0 && info[j - 1].neg)
			return (0);
		if (pword_match(&ph->w[k], &t[j], lang) &&
		    phrase_match(ph, k + 1, t, info, n, j + 1, lang, end))
			return (1);
	}
	return (0);
}

/* Look up every word of the message in lang. */
static void
lookup(const struct lexicon *lx, int lang, const struct toks *ts,
    struct info *info)
{
	const struct tok	*t;
	size_t			 i;

	for (i = 0; i < ts->n; i++) {
		t = &ts->t[i];
		memset(&info[i], 0, sizeof info[i]);
		match_word(lx, lang, t->w, t->len, t->cap, t->wild, &info[i]);
		if (t->rep) {
			match_word(lx, lang, t->v1, t->len1, t->cap, t->wild,
			    &info[i]);
			match_word(lx, lang, t->v2, t->len2, t->cap, t->wild,
			    &info[i]);
		}
	}
}

/* A negation within NEG_WINDOW words before i, inside the clause? */
static int
negated(const struct toks *ts, const struct info *info, size_t i)
{
	size_t	k;

	for (k = 1; k <= NEG_WINDOW && k <= i; k++) {
		if (ts->t[i - k + 1].brk > 0)
			return (0);
		if (info[i - k].neg)
			return (1);
	}
	return (0);
}

/* Score the message in one language. */
static void
score(const struct lexicon *lx, int lang, const struct toks *ts,
    struct info *info, unsigned char *aimed, struct lexicon_result *r)
{
	const struct entry	*en;
	const struct phrase	*ph;
	size_t			 i, j, k, end, n = ts->n;
	double			 keep = 1, w;
	unsigned int		 cats = 0;
	int			 hits = 0, targeted = 0, neg = 0;

	lookup(lx, lang, ts, info);
	memset(aimed, 0, n);

	/* Phrases: threats, targets ("du bist"), negations ("auf keinen"). */
	for (i = 0; i < n; i++) {
		for (k = 0; k < info[i].nphr; k++) {
			en = &lx->e[info[i].phr[k]];
			ph = &lx->ph[en->phrase];
			if (!phrase_match(ph, 0, ts->t, info, n, i + 1, lang,
			    &end))
				continue;
			if (en->kind == K_TARGET) {
				for (j = end + 1; j < n && j <= end +
				    (size_t)en->weight; j++) {
					if (ts->t[j].brk >= 2)
						break;
					aimed[j] = 1;
				}
			} else if (en->kind == K_NEGATION) {
				info[end].neg = 1;
			} else if (en->kind < K_ALLOW) {
				for (j = i; j <= end; j++)
					info[j].covered = 1;
				keep *= 1 - en->weight;
				cats |= kinds[en->kind].cat;
				hits++;
			}
		}
	}
	/* Single words that address the reader: "du Idiot", "fuck you". */
	for (i = 0; i < n; i++) {
		if (info[i].tgt == 0 || info[i].allow)
			continue;
		for (j = i + 1; j < n && j <= i + info[i].tgt; j++) {
			if (ts->t[j].brk >= 2)
				break;
			aimed[j] = 1;
		}
		if (i > 0 && ts->t[i].brk == 0)
			aimed[i - 1] = 1;
	}
	for (i = 0; i < n; i++) {
		if (info[i].cats == 0 || info[i].allow || info[i].covered)
			continue;
		w = info[i].w;
		/*
		 * A negation cancels a judgement ("nicht dumm", "not
		 * stupid"), not a slur or a strong insult ("no bitches").
		 */
		if (info[i].kind == K_INSULT && w < STRONG &&
		    negated(ts, info, i)) {
			neg++;
			continue;
		}
		if (aimed[i] && info[i].kind != K_THREAT) {
			w = 1 - (1 - w) * 0.4;
			targeted++;
			if (info[i].kind == K_PROFANITY)
				cats |= LEXICON_CAT_INSULT;
		}
		keep *= 1 - w;
		cats |= info[i].cats;
		hits++;
	}
	r->severity = 1 - keep;
	r->categories = cats;
	r->lang = lang;
	r->hits = hits;
	r->targeted = targeted;
	r->negated = neg;
	r->shouting = 0;
}

/* Count words that are stop words of each language. */
static enum lexicon_lang
detect(const struct lexicon *lx, const struct toks *ts)
{
	const struct trie	*t;
	size_t			 i, c, votes[LEXICON_NLANG] = { 0, 0 };
	int			 l;
	int32_t			 n, e;

	for (l = 0; l < LEXICON_NLANG; l++) {
		t = &lx->trie[l];
		if (t->nn == 0)
			continue;
		for (i = 0; i < ts->n; i++) {
			if (ts->t[i].wild)
				continue;
			n = 0;
			for (c = 0; c < ts->t[i].len; c++)
				if ((n = t->n[n].child[ts->t[i].w[c] - 'a']) ==
				    0)
					break;
			if (n == 0)
				continue;
			for (e = t->n[n].entry; e >= 0; e = lx->e[e].next)
				if (lx->e[e].kind == K_STOP) {
					votes[l]++;
					break;
				}
		}
	}
	if (votes[LEXICON_DE] > votes[LEXICON_EN])
		return (LEXICON_DE);
	if (votes[LEXICON_EN] > votes[LEXICON_DE])
		return (LEXICON_EN);
	return (LEXICON_ANY);
}

enum lexicon_lang
lexicon_detect(const struct lexicon *lx, const char *text, size_t len)
{
	struct tok		 stack[TOK_STACK];
	struct toks		 ts;
	enum lexicon_lang	 l;

	tokenize(text, len, &ts, stack);
	l = detect(lx, &ts);
	toks_wipe(&ts, stack);
	return (l);
}

/*
 * Judge text (len bytes of UTF-8) in the language of the BCP 47 tag
 * lang (NULL or "" or another language: detected, else both tried).
 */
void
lexicon_classify(const struct lexicon *lx, const char *text, size_t len,
    const char *lang, struct lexicon_result *out)
{
	struct tok		 stack[TOK_STACK];
	struct info		 istack[TOK_STACK], *info;
	unsigned char		 astack[TOK_STACK], *aimed;
	struct toks		 ts;
	struct lexicon_result	 r;
	enum lexicon_lang	 l;
	double			 keep;
	int			 i;

	memset(out, 0, sizeof *out);
	tokenize(text, len, &ts, stack);
	out->lang = LEXICON_ANY;
	if (ts.n == 0)
		goto done;
	info = istack;
	aimed = astack;
	if (ts.n > TOK_STACK) {
		info = xrealloc(NULL, ts.n, sizeof *info);
		aimed = xrealloc(NULL, ts.n, 1);
	}
	if ((l = lexicon_lang_parse(lang)) == LEXICON_ANY)
		l = detect(lx, &ts);
	for (i = 0; i < LEXICON_NLANG; i++) {
		if (l != LEXICON_ANY && i != (int)l)
			continue;
		score(lx, i, &ts, info, aimed, &r);
		if (r.severity > out->severity || (out->hits == 0 &&
		    r.hits > 0) || i == (int)l)
			*out = r;
	}
	if (l == LEXICON_ANY && out->hits == 0)
		out->lang = LEXICON_ANY;
	if (info != istack) {
		free(info);
		free(aimed);
	}
	/* Shouting raises what is hostile already, never the harmless. */
	if (out->severity > 0) {
		keep = 1 - out->severity;
		if (ts.letters >= 8 && ts.upper * 10 >= ts.letters * 7) {
			keep *= 0.7;
			out->shouting = 1;
		}
		if (ts.bangs > 0) {
			keep *= 0.85;
			out->shouting = 1;
		}
		out->severity = 1 - keep;
	}
	if (out->severity > 1)
		out->severity = 1;
done:
	toks_wipe(&ts, stack);
}
