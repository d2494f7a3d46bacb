/*
 * respite - hostility: a trained linear classifier of English and German
 * hostility over hashed word and character n-grams.
 *
 * Tokens (plugins/hostility/train/features.py says the same in Python,
 * which trains the weights; both must agree byte for byte, and the unit
 * tests hold them to it): UTF-8 code points, an invalid byte being a
 * separator; A-Z and the Latin-1 capitals lower-cased; a code point
 * repeated three times or more counted once ("fuuuuck", "!!!"); ä ö ü ß
 * folded to ae oe ue ss; words are runs of a-z, 0-9 and letters from
 * U+00C0 on, cut at HOSTILITY_TOK_MAX bytes; "@name" is "@u", a URL
 * "url"; an emoji, "!" and "?" are tokens of their own; variation
 * selectors, joiners and skin tones are skipped.
 *
 * Features, in this order, at most HOSTILITY_MAX_FEAT: each token ("w"),
 * each pair of neighbours ("b" a 0x01 b), the 3-, 4- and 5-byte
 * slices of " word " for each word of two bytes or more ("c"), so German
 * compounds share the n-grams of their parts, and those of " a b " for
 * neighbouring words a and b that have the space between them inside
 * ("x": "u bi" of "du bist"), so a phrase written together or apart
 * shares n-grams too.  Each is hashed with
 * 32-bit FNV-1a over its bytes: the low `bits` bits index the weights,
 * bit 31 is the sign.  The margin is bias + Σ ±w / √n (+ Σ l·x over the
 * lexicon's findings x, for a model trained with them), and the severity
 * is the logistic of a·margin + b, calibrated on held-out predictions of
 * the training data (see train/train.py).
 *
 * The weights file (all integers and floats little-endian, floats IEEE
 * 754 binary32):
 *
 *	0   8	"RSPTHOST"
 *	8   4	format version (2; 1 had 32-byte model headers and no
 *		lexicon models, and is refused with a note to update)
 *	12  4	header size (32)
 *	16  4	features version (HOSTILITY_FEATURES_VERSION)
 *	20  4	hash bits (10..24)
 *	24  4	number of models (1..4)
 *	28  4	CRC-32 (IEEE 802.3, as zlib's) of everything after the header
 *	then for each model (at most one a language and kind):
 *	0   4	language, "de" or "en", NUL-padded
 *	4   4	bias (float)
 *	8   4	scale (float > 0): a weight is its int16 times scale
 *	12  4	calibration a (float)
 *	16  4	calibration b (float)
 *	20  4	training messages
 *	24  4	flags: HOSTILITY_MODEL_LEXICON (trained with the lexicon's
 *		findings; used only with the lexicon), no other bit
 *	28  4	zero
 *	32  32	the weights l of the lexicon's findings (8 floats, as
 *		hostility_lexicon_features() orders them; zero without
 *		the flag and past HOSTILITY_NLEX)
 *	64  2^bits int16 weights
 *
 * A file that is short, long, damaged or of another version is refused
 * with a message that says which.
 */
#include "build.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hostility.h"

#define FNV_PRIME	0x01000193u
#define BITS_MIN	10
#define BITS_MAX	24
#define LOOKAHEAD	16	/* normalised code points peeked at */
/* FNV-1a 32 of "w", "b" and "c": where each kind's hash starts. */
#define H_W		0xf20c3f36u
#define H_B		0xe70c2de5u
#define H_C		0xe60c2c52u
#define H_X		0xfd0c5087u

_Static_assert(sizeof (float) == 4, "float must be IEEE 754 binary32");

struct model {
	int		 present;
	float		 bias, scale, cal_a, cal_b;
	float		 lw[HOSTILITY_NLEX];	/* of the lexicon's findings */
	uint32_t	 ntrain;
	int16_t		*w;
};

/*
 * The "w" feature hashes of the function words: an open-addressing table
 * (linear probing, at most a third full), each slot the languages it is a
 * function word of (bit 0 German, bit 1 English; 0 an empty slot).
 */
#define STOP_SLOTS	256
struct stops {
	uint32_t	 h[STOP_SLOTS];
	unsigned char	 langs[STOP_SLOTS];
};

struct hostility {
	unsigned int	 bits;
	uint32_t	 mask;
	size_t		 file_size;
	struct model	 m[2][HOSTILITY_NLANG];	/* [1]: with the lexicon */
	struct stops	 stops;
};

/* Function words that tell German from English (after folding). */
static const char *const stop_de[] = {
	"der", "das", "und", "ist", "nicht", "ich", "du", "sie", "wir",
	"ein", "eine", "einen", "mit", "auf", "fuer", "von", "zu", "den",
	"dem", "sich", "auch", "es", "bin", "bist", "sind", "hat", "haben",
	"aber", "oder", "wie", "wenn", "noch", "nur", "schon", "mal", "doch",
	"dass", "euch", "ihr", "kein", "keine", NULL
};
static const char *const stop_en[] = {
	"the", "and", "is", "are", "you", "not", "to", "of", "that", "it",
	"for", "this", "with", "my", "your", "me", "be", "have", "do",
	"what", "just", "they", "we", "he", "she", "but", "if", "at", "on",
	"can", "don", "will", "would", "there", "im", "its", "ur", "u",
	NULL
};

uint32_t
hostility_fnv1a32(const void *p, size_t len, uint32_t h)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	return (h);
}

uint32_t
hostility_crc32(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint32_t		 table[256], c;
	size_t			 i;
	int			 k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	c = 0xffffffffu;
	for (i = 0; i < len; i++)
		c = table[(c ^ s[i]) & 0xff] ^ (c >> 8);
	return (c ^ 0xffffffffu);
}

/* ------------------------------------------------------------ tokens */

static inline __attribute__((always_inline)) int
is_emoji(long cp)
{
	return ((cp >= 0x2600 && cp <= 0x27bf) ||
	    (cp >= 0x2b00 && cp <= 0x2bff) ||
	    (cp >= 0x1f000 && cp <= 0x1faff));
}

static inline __attribute__((always_inline)) int
is_skip(long cp)
{
	return (cp == 0xfe0f || cp == 0x200d ||
	    (cp >= 0x1f3fb && cp <= 0x1f3ff));
}

static inline __attribute__((always_inline)) int
is_word(long cp)
{
	if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z'))
		return (1);
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7)
		return (0);
	if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f))
		return (0);
	if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xfff0 && cp <= 0xffff))
		return (0);
	if (is_emoji(cp) || is_skip(cp))
		return (0);
	return (1);
}

static inline __attribute__((always_inline)) long
lower(long cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xc0 && cp <= 0xde &&
	    cp != 0xd7))
		return (cp + 0x20);
	return (cp);
}

/* One code point at *p (< end); -1 for an invalid byte. */
static inline __attribute__((always_inline)) long
decode(const unsigned char **p, const unsigned char *end)
{
	const unsigned char	*s = *p;
	long			 cp, lo;
	int			 need, k;

	if (s[0] < 0x80) {
		*p = s + 1;
		return (s[0]);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
		lo = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0f;
		lo = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
		lo = 0x10000;
	} else {
		*p = s + 1;
		return (-1);
	}
	for (k = 1; k <= need; k++) {
		if (s + k >= end || (s[k] & 0xc0) != 0x80) {
			*p = s + 1;
			return (-1);
		}
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if (cp < lo || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*p = s + 1;
		return (-1);
	}
	*p = s + need + 1;
	return (cp);
}

/*
 * The normalised code points of a text (lower case, skipped ones gone,
 * runs of three or more squeezed to one), with a little lookahead.
 */
struct stream {
	const unsigned char	*p, *end;
	long			 pend;		/* a decoded code point, or -2 */
	long			 run_cp;	/* the run being handed out */
	size_t			 run_left;
	long			 buf[LOOKAHEAD];
	size_t			 head, n;	/* ring of peeked code points */
};

#define NONE	(-2)

/* The next lowered code point that is not skipped, or NONE at the end. */
static inline __attribute__((always_inline)) long
raw_next(struct stream *st)
{
	long	cp;

	if (st->pend != NONE) {
		cp = st->pend;
		st->pend = NONE;
		return (cp);
	}
	while (st->p < st->end) {
		cp = decode(&st->p, st->end);
		if (cp >= 0)
			cp = lower(cp);
		if (!is_skip(cp))
			return (cp);
	}
	return (NONE);
}

/* The next normalised code point, squeezing runs. */
static inline __attribute__((always_inline)) long
squeezed_next(struct stream *st)
{
	long	cp, c;
	size_t	run;

	if (st->run_left > 0) {
		st->run_left--;
		return (st->run_cp);
	}
	if ((cp = raw_next(st)) == NONE)
		return (NONE);
	run = 1;
	while ((c = raw_next(st)) == cp)
		run++;
	st->pend = c;
	if (run == 2) {
		st->run_cp = cp;
		st->run_left = 1;
	}
	return (cp);
}

/* The code point k ahead (0: the next), or NONE. */
static inline __attribute__((always_inline)) long
peek(struct stream *st, size_t k)
{
	while (st->n <= k) {
		st->buf[(st->head + st->n) % LOOKAHEAD] = squeezed_next(st);
		st->n++;
	}
	return (st->buf[(st->head + k) % LOOKAHEAD]);
}

static inline __attribute__((always_inline)) void
advance(struct stream *st)
{
	(void)peek(st, 0);
	st->head = (st->head + 1) % LOOKAHEAD;
	st->n--;
}

static int
starts(struct stream *st, const char *s)
{
	size_t	k;

	for (k = 0; s[k] != '\0'; k++)
		if (peek(st, k) != (unsigned char)s[k])
			return (0);
	return (1);
}

static size_t
utf8(long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

struct toks {
	size_t		 n;
	uint32_t	 hw[HOSTILITY_MAX_TOK];		/* "w" feature hash */
	unsigned char	 len[HOSTILITY_MAX_TOK];
	unsigned char	 word[HOSTILITY_MAX_TOK];	/* a word: has n-grams */
	char		 t[HOSTILITY_MAX_TOK][HOSTILITY_TOK_MAX];
};

static void
tokenize(const char *text, size_t len, struct toks *tk)
{
	struct stream	 st;
	char		 piece[4], *w;
	size_t		 plen, wl, i;
	long		 c;

	memset(&st, 0, sizeof st);
	st.p = (const unsigned char *)text;
	st.end = st.p + len;
	st.pend = NONE;
	tk->n = 0;
	while ((c = peek(&st, 0)) != NONE && tk->n < HOSTILITY_MAX_TOK) {
		w = tk->t[tk->n];
		tk->word[tk->n] = 0;
		if (c == '@' && is_word(peek(&st, 1))) {
			advance(&st);
			while ((c = peek(&st, 0)) != NONE &&
			    (is_word(c) || c == '_'))
				advance(&st);
			memcpy(w, "@u", 2);
			tk->len[tk->n++] = 2;
			continue;
		}
		if (c == 'h' && (starts(&st, "http://") ||
		    starts(&st, "https://"))) {
			while ((c = peek(&st, 0)) != NONE && c != ' ' &&
			    c != '\t' && c != '\n' && c != '\r')
				advance(&st);
			memcpy(w, "url", 3);
			tk->len[tk->n++] = 3;
			continue;
		}
		if (is_word(c)) {
			wl = 0;
			while ((c = peek(&st, 0)) != NONE && is_word(c)) {
				switch (c) {
				case 0xe4:
					memcpy(piece, "ae", plen = 2);
					break;
				case 0xf6:
					memcpy(piece, "oe", plen = 2);
					break;
				case 0xfc:
					memcpy(piece, "ue", plen = 2);
					break;
				case 0xdf:
					memcpy(piece, "ss", plen = 2);
					break;
				default:
					plen = utf8(c, piece);
				}
				if (wl + plen <= HOSTILITY_TOK_MAX) {
					memcpy(w + wl, piece, plen);
					wl += plen;
				}
				advance(&st);
			}
			tk->word[tk->n] = 1;
			tk->len[tk->n++] = (unsigned char)wl;
			continue;
		}
		if (c >= 0 && is_emoji(c))
			tk->len[tk->n++] = (unsigned char)utf8(c, w);
		else if (c == '!' || c == '?') {
			w[0] = (char)c;
			tk->len[tk->n++] = 1;
		}
		advance(&st);
	}
	for (i = 0; i < tk->n; i++)
		tk->hw[i] = hostility_fnv1a32(tk->t[i], tk->len[i], H_W);
}

size_t
hostility_tokens(const char *text, size_t len, char *buf, size_t size)
{
	struct toks	*tk;
	size_t		 i, o = 0;

	if ((tk = malloc(sizeof *tk)) == NULL)
		abort();
	tokenize(text, len, tk);
	for (i = 0; i < tk->n && o + tk->len[i] + 1 <= size; i++) {
		memcpy(buf + o, tk->t[i], tk->len[i]);
		o += tk->len[i];
		buf[o++] = '\0';
	}
	free(tk);
	return (i);
}

/* ------------------------------------------------------------ features */

typedef void	(*feature_fn)(void *, const struct hostility_feature *);

/*
 * The "x" n-grams of neighbouring words a and b: the k-byte slices of
 * " a b " from j = cross_lo() up to (not including) cross_hi(), those
 * with the space between a and b (at la + 1) neither first nor last.
 */
static inline __attribute__((always_inline)) size_t
cross_lo(size_t la, size_t k)
{
	return (la + 3 > k ? la + 3 - k : 0);
}

static inline __attribute__((always_inline)) size_t
cross_hi(size_t la, size_t lb, size_t k)
{
	return (la + 1 < la + lb + 4 - k ? la + 1 : la + lb + 4 - k);
}

/* " a b " of tokens i and i + 1 into x (2 * HOSTILITY_TOK_MAX + 3). */
static inline __attribute__((always_inline)) void
cross_string(const struct toks *tk, size_t i, char *x)
{
	x[0] = ' ';
	memcpy(x + 1, tk->t[i], tk->len[i]);
	x[tk->len[i] + 1] = ' ';
	memcpy(x + tk->len[i] + 2, tk->t[i + 1], tk->len[i + 1]);
	x[tk->len[i] + tk->len[i + 1] + 2] = ' ';
}

/*
 * Every feature of the tokens, in features.py's order, at most
 * HOSTILITY_MAX_FEAT.  Inlined into its callers, so the scoring loop
 * makes no indirect calls.
 */
static inline __attribute__((always_inline)) size_t
walk(const struct toks *tk, feature_fn fn, void *arg)
{
	struct hostility_feature	 f;
	char				 s[HOSTILITY_TOK_MAX + 2];
	char				 x[2 * HOSTILITY_TOK_MAX + 3];
	uint32_t			 h;
	size_t				 i, k, j, slen, n = 0;

	f.b = NULL;
	f.blen = 0;
	f.kind = 'w';
	for (i = 0; i < tk->n && n < HOSTILITY_MAX_FEAT; i++, n++) {
		f.a = tk->t[i];
		f.alen = tk->len[i];
		f.hash = tk->hw[i];
		fn(arg, &f);
	}
	f.kind = 'b';
	for (i = 0; i + 1 < tk->n && n < HOSTILITY_MAX_FEAT; i++, n++) {
		f.a = tk->t[i];
		f.alen = tk->len[i];
		f.b = tk->t[i + 1];
		f.blen = tk->len[i + 1];
		h = hostility_fnv1a32(f.a, f.alen, H_B);
		h = hostility_fnv1a32("\x01", 1, h);
		f.hash = hostility_fnv1a32(f.b, f.blen, h);
		fn(arg, &f);
	}
	f.kind = 'c';
	f.b = NULL;
	f.blen = 0;
	for (i = 0; i < tk->n && n < HOSTILITY_MAX_FEAT; i++) {
		if (!tk->word[i] || tk->len[i] < 2)
			continue;
		s[0] = ' ';
		memcpy(s + 1, tk->t[i], tk->len[i]);
		s[tk->len[i] + 1] = ' ';
		slen = tk->len[i] + 2;
		for (k = 3; k <= 5; k++)
			for (j = 0; j + k <= slen; j++) {
				if (n >= HOSTILITY_MAX_FEAT)
					return (n);
				f.a = s + j;
				f.alen = k;
				f.hash = hostility_fnv1a32(f.a, k, H_C);
				fn(arg, &f);
				n++;
			}
	}
	f.kind = 'x';
	for (i = 0; i + 1 < tk->n && n < HOSTILITY_MAX_FEAT; i++) {
		if (!tk->word[i] || !tk->word[i + 1])
			continue;
		cross_string(tk, i, x);
		for (k = 3; k <= 5; k++)
			for (j = cross_lo(tk->len[i], k); j < cross_hi(
			    tk->len[i], tk->len[i + 1], k); j++) {
				if (n >= HOSTILITY_MAX_FEAT)
					return (n);
				f.a = x + j;
				f.alen = k;
				f.hash = hostility_fnv1a32(f.a, k, H_X);
				fn(arg, &f);
				n++;
			}
	}
	return (n);
}

size_t
hostility_features(const char *text, size_t len,
    void (*fn)(void *, const struct hostility_feature *), void *arg)
{
	struct toks	*tk;
	size_t		 n;

	if ((tk = malloc(sizeof *tk)) == NULL)
		abort();
	tokenize(text, len, tk);
	n = walk(tk, fn, arg);
	free(tk);
	return (n);
}

/* ------------------------------------------------------------ loading */

static void	 stops_init(struct stops *);

static uint32_t
le32(const unsigned char *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static float
lef(const unsigned char *p)
{
	uint32_t	u = le32(p);
	float		f;

	memcpy(&f, &u, sizeof f);
	return (f);
}

static int	fail(char **, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(char **error, const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (error != NULL) {
		if ((*error = malloc(strlen(name) + strlen(msg) + 3)) == NULL)
			abort();
		sprintf(*error, "%s: %s", name, msg);
	}
	return (-1);
}

struct hostility *
hostility_load_buffer(const void *buf, size_t len, const char *name,
    char **error)
{
	const unsigned char	*p = buf, *m;
	struct hostility	*hy;
	struct model		*md;
	uint32_t		 v, bits, nmodels, crc, flags;
	size_t			 per, i, k;
	enum hostility_lang	 l;
	char			 tag[5];

	if (len < HOSTILITY_HEADER_SIZE) {
		fail(error, name, "truncated: %zu bytes, shorter than the "
		    "%d-byte header of a weights file", len,
		    HOSTILITY_HEADER_SIZE);
		return (NULL);
	}
	if (memcmp(p, "RSPTHOST", 8) != 0) {
		fail(error, name, "not a respite weights file (no "
		    "\"RSPTHOST\" at its start)");
		return (NULL);
	}
	if ((v = le32(p + 8)) != HOSTILITY_FORMAT_VERSION) {
		fail(error, name, "weights format version %u; this respite "
		    "reads version %d%s (install the weights shipped with it, "
		    "or `make retrain`)", v, HOSTILITY_FORMAT_VERSION,
		    v < HOSTILITY_FORMAT_VERSION ? ": the file is older" : "");
		return (NULL);
	}
	if ((v = le32(p + 12)) != HOSTILITY_HEADER_SIZE) {
		fail(error, name, "header size %u, expected %d", v,
		    HOSTILITY_HEADER_SIZE);
		return (NULL);
	}
	if ((v = le32(p + 16)) != HOSTILITY_FEATURES_VERSION) {
		fail(error, name, "trained for features version %u; this "
		    "respite computes version %d: retrain (`make retrain`)",
		    v, HOSTILITY_FEATURES_VERSION);
		return (NULL);
	}
	bits = le32(p + 20);
	nmodels = le32(p + 24);
	if (bits < BITS_MIN || bits > BITS_MAX) {
		fail(error, name, "hash bits %u, not within %d..%d", bits,
		    BITS_MIN, BITS_MAX);
		return (NULL);
	}
	if (nmodels < 1 || nmodels > HOSTILITY_MAX_MODELS) {
		fail(error, name, "%u models, not within 1..%d", nmodels,
		    HOSTILITY_MAX_MODELS);
		return (NULL);
	}
	per = HOSTILITY_MODEL_HEADER + ((size_t)2 << bits);
	if (len != HOSTILITY_HEADER_SIZE + nmodels * per) {
		fail(error, name, "%s: %zu bytes, but its header promises "
		    "%zu (%u models of 2^%u weights)", len <
		    HOSTILITY_HEADER_SIZE + nmodels * per ? "truncated" :
		    "too long", len, HOSTILITY_HEADER_SIZE + nmodels * per,
		    nmodels, bits);
		return (NULL);
	}
	crc = hostility_crc32(p + HOSTILITY_HEADER_SIZE,
	    len - HOSTILITY_HEADER_SIZE);
	if (crc != le32(p + 28)) {
		fail(error, name, "damaged: CRC-32 of its weights is %08x, "
		    "its header says %08x", crc, le32(p + 28));
		return (NULL);
	}
	if ((hy = calloc(1, sizeof *hy)) == NULL)
		abort();
	hy->bits = bits;
	hy->mask = ((uint32_t)1 << bits) - 1;
	hy->file_size = len;
	stops_init(&hy->stops);
	for (i = 0; i < nmodels; i++) {
		m = p + HOSTILITY_HEADER_SIZE + i * per;
		memcpy(tag, m, 4);
		tag[4] = '\0';
		if (memchr(m, '\0', 4) == NULL ||
		    (l = hostility_lang_parse(tag)) == HOSTILITY_ANY ||
		    strlen(tag) != 2) {
			fail(error, name, "model %zu: unknown language", i + 1);
			goto bad;
		}
		if ((flags = le32(m + 24)) & ~HOSTILITY_MODEL_LEXICON) {
			fail(error, name, "model %zu: unknown flags %#x", i + 1,
			    flags);
			goto bad;
		}
		md = &hy->m[flags & HOSTILITY_MODEL_LEXICON ? 1 : 0][l];
		if (md->present) {
			fail(error, name, "model %zu: a second model for "
			    "\"%s\"%s", i + 1, tag, flags ?
			    " with the lexicon" : "");
			goto bad;
		}
		md->bias = lef(m + 4);
		md->scale = lef(m + 8);
		md->cal_a = lef(m + 12);
		md->cal_b = lef(m + 16);
		md->ntrain = le32(m + 20);
		for (k = 0; k < HOSTILITY_NLEX; k++)
			md->lw[k] = lef(m + 32 + 4 * k);
		if (!isfinite(md->bias) || !isfinite(md->scale) ||
		    !(md->scale > 0) || !isfinite(md->cal_a) ||
		    !isfinite(md->cal_b)) {
			fail(error, name, "model \"%s\": a bias, scale or "
			    "calibration that is not a finite number", tag);
			goto bad;
		}
		for (k = 0; k < HOSTILITY_NLEX; k++)
			if (!isfinite(md->lw[k]) || (!flags && md->lw[k] != 0)) {
				fail(error, name, "model \"%s\": a weight of the "
				    "lexicon's findings that is not a finite "
				    "number, or one without the lexicon", tag);
				goto bad;
			}
		if ((md->w = malloc(sizeof *md->w << bits)) == NULL)
			abort();
		m += HOSTILITY_MODEL_HEADER;
		for (k = 0; k < (size_t)1 << bits; k++)
			md->w[k] = (int16_t)(uint16_t)(m[2 * k] |
			    m[2 * k + 1] << 8);
		md->present = 1;
	}
	return (hy);

bad:
	hostility_free(hy);
	return (NULL);
}

struct hostility *
hostility_load(const char *path, char **error)
{
	struct hostility	*hy;
	struct stat		 sb;
	FILE			*f;
	unsigned char		*buf;
	size_t			 max;

	max = HOSTILITY_HEADER_SIZE + HOSTILITY_MAX_MODELS *
	    (HOSTILITY_MODEL_HEADER + ((size_t)2 << BITS_MAX));
	if ((f = fopen(path, "rb")) == NULL) {
		fail(error, path, "%s", strerror(errno));
		return (NULL);
	}
	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		fail(error, path, "not a regular file");
		return (NULL);
	}
	if ((size_t)sb.st_size > max) {
		fclose(f);
		fail(error, path, "%jd bytes, more than any weights file "
		    "(%zu)", (intmax_t)sb.st_size, max);
		return (NULL);
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		abort();
	if (fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		fclose(f);
		free(buf);
		fail(error, path, "read failed");
		return (NULL);
	}
	fclose(f);
	hy = hostility_load_buffer(buf, (size_t)sb.st_size, path, error);
	free(buf);
	return (hy);
}

void
hostility_free(struct hostility *hy)
{
	size_t	i;

	if (hy == NULL)
		return;
	for (i = 0; i < HOSTILITY_NLANG; i++) {
		free(hy->m[0][i].w);
		free(hy->m[1][i].w);
	}
	free(hy);
}

unsigned int
hostility_bits(const struct hostility *hy)
{
	return (hy->bits);
}

size_t
hostility_size(const struct hostility *hy)
{
	return (hy->file_size);
}

int
hostility_has(const struct hostility *hy, enum hostility_lang l)
{
	return (l < HOSTILITY_NLANG && (hy->m[0][l].present ||
	    hy->m[1][l].present));
}

/* Has the file models trained with the lexicon's findings? */
int
hostility_has_lexicon(const struct hostility *hy)
{
	return (hy->m[1][HOSTILITY_DE].present ||
	    hy->m[1][HOSTILITY_EN].present);
}

/* The lexicon's findings as the models weigh them (train.py: the same). */
void
hostility_lexicon_features(const struct hostility_lexicon *lex,
    double x[HOSTILITY_NLEX])
{
	x[0] = lex->severity;
	x[1] = lex->hits > 0;
	x[2] = lex->targeted > 0;
	x[3] = lex->severity >= 0.5;
}

enum hostility_lang
hostility_lang_parse(const char *tag)
{
	if (tag == NULL || strlen(tag) < 2 || (tag[2] != '\0' &&
	    tag[2] != '-' && tag[2] != '_'))
		return (HOSTILITY_ANY);
	if (strncasecmp(tag, "de", 2) == 0)
		return (HOSTILITY_DE);
	if (strncasecmp(tag, "en", 2) == 0)
		return (HOSTILITY_EN);
	return (HOSTILITY_ANY);
}

/* ------------------------------------------------------------ scoring */

static size_t
stop_slot(uint32_t h)
{
	return ((h ^ h >> 16) & (STOP_SLOTS - 1));
}

static void
stops_init(struct stops *st)
{
	const char *const	*list[HOSTILITY_NLANG] = { stop_de, stop_en };
	size_t			 l, i, k;
	uint32_t		 h;

	_Static_assert(STOP_SLOTS >= 3 * (sizeof stop_de / sizeof stop_de[0] +
	    sizeof stop_en / sizeof stop_en[0]), "STOP_SLOTS too small");
	memset(st, 0, sizeof *st);
	for (l = 0; l < HOSTILITY_NLANG; l++)
		for (i = 0; list[l][i] != NULL; i++) {
			h = hostility_fnv1a32(list[l][i], strlen(list[l][i]),
			    H_W);
			for (k = stop_slot(h); st->langs[k] != 0 &&
			    st->h[k] != h; k = (k + 1) & (STOP_SLOTS - 1))
				;
			st->h[k] = h;
			st->langs[k] |= 1u << l;
		}
}

/* The languages h (a "w" hash) is a function word of, as bits. */
static inline unsigned int
stop_langs(const struct stops *st, uint32_t h)
{
	size_t	k;

	for (k = stop_slot(h); st->langs[k] != 0; k = (k + 1) &
	    (STOP_SLOTS - 1))
		if (st->h[k] == h)
			return (st->langs[k]);
	return (0);
}

/* German or English by function words; ANY on a tie. */
static enum hostility_lang
detect_toks(const struct stops *st, const struct toks *tk)
{
	size_t		i, de = 0, en = 0;
	unsigned int	b;

	for (i = 0; i < tk->n; i++) {
		if (!tk->word[i] || tk->len[i] > 6)
			continue;
		b = stop_langs(st, tk->hw[i]);
		de += b & 1;
		en += b >> 1;
	}
	return (de > en ? HOSTILITY_DE : en > de ? HOSTILITY_EN :
	    HOSTILITY_ANY);
}

enum hostility_lang
hostility_detect(const char *text, size_t len)
{
	struct toks		*tk;
	struct stops		 st;
	enum hostility_lang	 l;

	if ((tk = malloc(sizeof *tk)) == NULL)
		abort();
	stops_init(&st);
	tokenize(text, len, tk);
	l = detect_toks(&st, tk);
	free(tk);
	return (l);
}

struct sum {
	const int16_t	*w[HOSTILITY_NLANG];
	uint32_t	 mask;
	int32_t		 s[HOSTILITY_NLANG];
};

static inline void
add(void *arg, const struct hostility_feature *f)
{
	struct sum	*sm = arg;
	uint32_t	 i = f->hash & sm->mask;
	int		 neg = (f->hash & 0x80000000u) != 0;
	size_t		 l;

	for (l = 0; l < HOSTILITY_NLANG; l++)
		if (sm->w[l] != NULL)
			sm->s[l] += neg ? -sm->w[l][i] : sm->w[l][i];
}

static inline __attribute__((always_inline)) void
add_hash(struct sum *sm, uint32_t h)
{
	uint32_t	i = h & sm->mask;
	int		neg = (h & 0x80000000u) != 0;
	size_t		l;

	for (l = 0; l < HOSTILITY_NLANG; l++)
		if (sm->w[l] != NULL)
			sm->s[l] += neg ? -sm->w[l][i] : sm->w[l][i];
}

/*
 * The sums of walk() in another order, faster: each n-gram start hashed
 * once for its 3-, 4- and 5-byte slices.  The order matters only where
 * HOSTILITY_MAX_FEAT cuts the features, so for such a message this
 * returns 0 and walk() does it.  Returns the number of features.
 */
static size_t
fast_sum(const struct toks *tk, struct sum *sm)
{
	char		 s[HOSTILITY_TOK_MAX + 2];
	char		 x[2 * HOSTILITY_TOK_MAX + 3];
	uint32_t	 h;
	size_t		 i, j, k, slen, la, lb, n;

	if (tk->n == 0)
		return (0);
	n = 2 * tk->n - 1;
	for (i = 0; i < tk->n; i++) {
		if (tk->word[i] && tk->len[i] >= 2)
			n += 3 * (size_t)tk->len[i] - 3;
		if (i + 1 < tk->n && tk->word[i] && tk->word[i + 1])
			for (k = 3; k <= 5; k++)
				n += cross_hi(tk->len[i], tk->len[i + 1], k) -
				    cross_lo(tk->len[i], k);
	}
	if (n > HOSTILITY_MAX_FEAT)
		return (0);
	for (i = 0; i < tk->n; i++) {
		add_hash(sm, tk->hw[i]);
		if (i + 1 < tk->n) {
			h = hostility_fnv1a32(tk->t[i], tk->len[i], H_B);
			h = hostility_fnv1a32("\x01", 1, h);
			add_hash(sm, hostility_fnv1a32(tk->t[i + 1],
			    tk->len[i + 1], h));
			if (tk->word[i] && tk->word[i + 1]) {
				/* j from cross_lo(la, 5) to cross_hi(.., 3). */
				la = tk->len[i];
				lb = tk->len[i + 1];
				cross_string(tk, i, x);
				for (j = cross_lo(la, 5); j < cross_hi(la, lb,
				    3); j++) {
					h = hostility_fnv1a32(x + j, 2, H_X);
					for (k = 3; k <= 5 && j + k <= la + lb +
					    3; k++) {
						h = (h ^ (unsigned char)
						    x[j + k - 1]) * FNV_PRIME;
						if (j >= cross_lo(la, k) &&
						    j < cross_hi(la, lb, k))
							add_hash(sm, h);
					}
				}
			}
		}
		if (!tk->word[i] || tk->len[i] < 2)
			continue;
		s[0] = ' ';
		memcpy(s + 1, tk->t[i], tk->len[i]);
		s[tk->len[i] + 1] = ' ';
		slen = tk->len[i] + 2;
		for (j = 0; j + 3 <= slen; j++) {
			h = hostility_fnv1a32(s + j, 3, H_C);
			add_hash(sm, h);
			for (k = 3; k < 5 && j + k < slen; k++) {
				h = (h ^ (unsigned char)s[j + k]) * FNV_PRIME;
				add_hash(sm, h);
			}
		}
	}
	return (n);
}

/* What the lexicon's findings x add to md's margin. */
static double
lexicon_margin(const struct model *md, const double *x)
{
	double	z = 0;
	size_t	k;

	if (x != NULL)
		for (k = 0; k < HOSTILITY_NLEX; k++)
			z += md->lw[k] * x[k];
	return (z);
}

static double
severity(const struct model *md, int32_t s, size_t n, const double *x,
    double *margin)
{
	double	z;

	z = md->bias + (double)s * md->scale / sqrt(n > 0 ? (double)n : 1) +
	    lexicon_margin(md, x);
	*margin = z;
	return (1 / (1 + exp(-(md->cal_a * z + md->cal_b))));
}

/*
 * Which models judge a message of lang (tag) with tokens tk: *set is 1
 * for those with the lexicon (with is 1 and the file has them), else 0.
 */
static enum hostility_lang
pick(const struct hostility *hy, int with, const char *lang,
    const struct toks *tk, int *set)
{
	enum hostility_lang	l = hostility_lang_parse(lang);

	*set = with && hostility_has_lexicon(hy);
	if (l == HOSTILITY_ANY)
		l = detect_toks(&hy->stops, tk);
	if (l != HOSTILITY_ANY && !hy->m[*set][l].present)
		l = HOSTILITY_ANY;
	return (l);
}

/*
 * Score tk; with fn, ask it for the lexicon's findings (into x, which
 * stays NULL without).  Returns the set of models that judged.
 */
static int
classify_toks(const struct hostility *hy, const struct toks *tk,
    const char *lang, hostility_lexicon_fn fn, void *arg, double *x,
    struct hostility_result *r)
{
	const struct model	*set;
	struct hostility_lexicon lex;
	struct sum		 sm;
	enum hostility_lang	 l;
	size_t			 i, n;
	double			 sev, margin;
	int			 s;

	l = pick(hy, fn != NULL, lang, tk, &s);
	set = hy->m[s];
	memset(&sm, 0, sizeof sm);
	memset(r, 0, sizeof *r);
	if (fn != NULL) {
		memset(&lex, 0, sizeof lex);
		fn(arg, l, &lex);
		hostility_lexicon_features(&lex, x);
	}
	sm.mask = hy->mask;
	for (i = 0; i < HOSTILITY_NLANG; i++)
		if (set[i].present && (l == HOSTILITY_ANY || l == i))
			sm.w[i] = set[i].w;
	if ((n = fast_sum(tk, &sm)) == 0)
		n = walk(tk, add, &sm);
	r->nfeat = (int)n;
	r->lexicon = s;
	r->severity = -1;
	for (i = 0; i < HOSTILITY_NLANG; i++) {
		if (sm.w[i] == NULL)
			continue;
		sev = severity(&set[i], sm.s[i], n, s ? x : NULL, &margin);
		if (sev > r->severity) {
			r->severity = sev;
			r->margin = margin;
			r->lang = (int)i;
		}
	}
	if (r->severity < 0)
		r->severity = 0;
	return (s);
}

void
hostility_classify(const struct hostility *hy, const char *text,
    size_t len, const char *lang, struct hostility_result *r)
{
	struct toks	tk;

	tokenize(text, len, &tk);
	(void)classify_toks(hy, &tk, lang, NULL, NULL, NULL, r);
}

void
hostility_classify_lexicon(const struct hostility *hy, const char *text,
    size_t len, const char *lang, hostility_lexicon_fn fn, void *arg,
    struct hostility_result *r)
{
	struct toks	tk;
	double		x[HOSTILITY_NLEX];

	tokenize(text, len, &tk);
	(void)classify_toks(hy, &tk, lang, fn, arg, x, r);
}

/* ------------------------------------------------------------ explain */

struct contrib {
	uint32_t			 hash;
	double				 c;
	struct hostility_weight		 w;
};

struct collect {
	const struct model	*md;
	uint32_t		 mask;
	struct contrib		*v;
	size_t			 n;
};

static void
describe(const struct hostility_feature *f, char *out, size_t size)
{
	char	a[HOSTILITY_TOK_MAX + 1], b[HOSTILITY_TOK_MAX + 1];
	size_t	i;

	memcpy(a, f->a, f->alen);
	a[f->alen] = '\0';
	if (f->kind == 'c' || f->kind == 'x')
		for (i = 0; i < f->alen; i++)
			if (a[i] == ' ')
				a[i] = '_';
	if (f->kind == 'b') {
		memcpy(b, f->b, f->blen);
		b[f->blen] = '\0';
		snprintf(out, size, "pair \"%s %s\"", a, b);
	} else
		snprintf(out, size, "%s \"%s\"", f->kind == 'w' ? "word" :
		    f->kind == 'x' ? "chars across" : "chars", a);
}

static void
collect(void *arg, const struct hostility_feature *f)
{
	struct collect	*cl = arg;
	struct contrib	*c = &cl->v[cl->n++];
	int16_t		 w = cl->md->w[f->hash & cl->mask];

	c->hash = f->hash;
	c->c = (f->hash & 0x80000000u) != 0 ? -w : w;
	describe(f, c->w.text, sizeof c->w.text);
}

static int
by_hash(const void *a, const void *b)
{
	const struct contrib	*x = a, *y = b;

	return (x->hash < y->hash ? -1 : x->hash > y->hash);
}

static int
by_weight(const void *a, const void *b)
{
	const struct contrib	*x = a, *y = b;
	double			 ax = fabs(x->c), ay = fabs(y->c);

	return (ax > ay ? -1 : ax < ay ? 1 : strcmp(x->w.text, y->w.text));
}

/* The names of the lexicon's findings, as explain() shows them. */
static const char *const lexicon_names[HOSTILITY_NLEX] = {
	"lexicon: severity",
	"lexicon: a hit",
	"lexicon: aimed at the reader",
	"lexicon: hostile"
};

size_t
hostility_explain(const struct hostility *hy, const char *text, size_t len,
    const char *lang, hostility_lexicon_fn fn, void *arg,
    struct hostility_result *r, struct hostility_weight *out, size_t max)
{
	struct toks	*tk;
	struct collect	 cl;
	double		 x[HOSTILITY_NLEX];
	size_t		 i, o, k;
	int		 set;

	if ((tk = malloc(sizeof *tk)) == NULL)
		abort();
	tokenize(text, len, tk);
	set = classify_toks(hy, tk, lang, fn, arg, x, r);
	if (!hy->m[set][r->lang].present) {
		free(tk);
		return (0);
	}
	cl.md = &hy->m[set][r->lang];
	cl.mask = hy->mask;
	cl.n = 0;
	if ((cl.v = calloc(HOSTILITY_MAX_FEAT + HOSTILITY_NLEX,
	    sizeof *cl.v)) == NULL)
		abort();
	(void)walk(tk, collect, &cl);
	free(tk);
	/* The same feature twice (a repeated word) is one line. */
	qsort(cl.v, cl.n, sizeof *cl.v, by_hash);
	for (i = 0, o = 0; i < cl.n; i++) {
		if (o > 0 && cl.v[o - 1].hash == cl.v[i].hash)
			cl.v[o - 1].c += cl.v[i].c;
		else
			cl.v[o++] = cl.v[i];
	}
	for (i = 0; i < o; i++)
		cl.v[i].c *= cl.md->scale / sqrt(cl.n > 0 ? (double)cl.n : 1);
	/* The lexicon's findings that weighed, after the features. */
	for (k = 0; set && k < HOSTILITY_NLEX; k++) {
		if (x[k] == 0 || cl.md->lw[k] == 0)
			continue;
		if (k == 0)
			snprintf(cl.v[o].w.text, sizeof cl.v[o].w.text,
			    "%s %.2f", lexicon_names[k], x[k]);
		else
			snprintf(cl.v[o].w.text, sizeof cl.v[o].w.text,
			    "%s", lexicon_names[k]);
		cl.v[o++].c = cl.md->lw[k] * x[k];
	}
	qsort(cl.v, o, sizeof *cl.v, by_weight);
	for (i = 0; i < o && i < max; i++) {
		out[i] = cl.v[i].w;
		out[i].contribution = cl.v[i].c;
	}
	free(cl.v);
	return (i);
}
