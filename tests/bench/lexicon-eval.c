/*
 * respite - evaluation of the lexicon classifier (`make bench`).
 *
 * Reads the labelled sets in ../shared/data/hostility/ (never copied into
 * this repository) and prints precision, recall and F1 of the binary
 * decision severity >= 0.5, per class and macro-averaged, then the
 * throughput in messages a second of CPU time on one core (and, as its
 * ceiling, the rate of a lower-case copy and a split at spaces of the
 * same messages):
 *
 *   GermEval 2018 (German tweets), coarse OFFENSE vs OTHER: the lexicon
 *   was tuned on germeval2018.training.txt and is reported on
 *   germeval2018.test.txt (--split training shows the tuning set).
 *   Davidson et al. 2017 (English tweets): class 0 (hate speech) and 1
 *   (offensive) against 2 (neither).  The set has no official split; the
 *   lexicon was tuned on the rows whose index is not a multiple of 4, and
 *   the rows whose index is are reported as "held out" beside the whole.
 *
 * Beside the lexicon, in the same run, the trained classifier
 * (plugins/hostility, -w WEIGHTS) alone and combined with the lexicon
 * (plugins/hostility/combine.c, as `[plugin.hostility] lexicon = yes`:
 * the lexicon's findings are features of the models trained with them;
 * weights without such models take the higher severity): it was
 * trained on germeval2018.training.txt and the same three quarters of
 * Davidson, so the held-out quarter is its test set too.  And our own
 * labelled messages (-o FILE, tests/data/hostility-own.tsv), written to
 * respite's definition of hostile, for all three.  Then the weights'
 * size and the resident memory loading them added.
 *
 * With no data directory it says so and exits 77 (automake's "skipped").
 * --errors N prints N misjudged messages of each kind, for tuning; use it
 * on the training split only.  -F prints the lexicon's findings of
 * messages on stdin for the training script (findings() below).
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "combine.h"
#include "corpus.h"
#include "hostility.h"
#include "lexicon.h"

struct counts {
	size_t	tp, fp, tn, fn;
};

static int	 show_errors;
static struct {
	char	key[64];
	double	macro;
}		 keys[64];
static size_t	 nkeys;

/* Who judges. */
enum judge_by {
	BY_LEXICON,
	BY_HOSTILITY,
	BY_BOTH
};

static const struct lexicon	*the_lx;
static const struct hostility	*the_hy;

static double
severity(enum judge_by by, const char *text, size_t len, const char *lang)
{
	struct lexicon_result		r;
	struct hostility_result		h;
	struct hostility_judgement	j;

	if (by == BY_LEXICON) {
		lexicon_classify(the_lx, text, len, lang, &r);
		return (r.severity);
	}
	if (by == BY_BOTH) {
		hostility_combine(the_hy, the_lx, text, len, lang, &j);
		return (j.severity);
	}
	hostility_classify(the_hy, text, len, lang, &h);
	return (h.severity);
}

/*
 * Count the judgements of set (only part, if >= 0; only language lang of
 * the own set, if it has languages and lang is not "").
 */
static void
judge(enum judge_by by, const struct corpus *set, const char *lang,
    int part, struct counts *c)
{
	size_t			i;
	double			sev;
	int			yes, shown_fp = 0, shown_fn = 0;

	memset(c, 0, sizeof *c);
	for (i = 0; i < set->n; i++) {
		if (part >= 0 && set->s[i].part != part)
			continue;
		if (set->s[i].lang[0] != '\0' && *lang != '\0' &&
		    strcmp(set->s[i].lang, lang) != 0)
			continue;
		sev = severity(by, set->s[i].text, set->s[i].len,
		    set->s[i].lang[0] != '\0' ? set->s[i].lang : lang);
		yes = sev >= 0.5;
		if (yes && set->s[i].label)
			c->tp++;
		else if (yes) {
			c->fp++;
			if (shown_fp++ < show_errors)
				printf("FP %.2f %s\n", sev, set->s[i].text);
		} else if (set->s[i].label) {
			c->fn++;
			if (shown_fn++ < show_errors)
				printf("FN %.2f %s\n", sev, set->s[i].text);
		} else
			c->tn++;
	}
}

static double
ratio(size_t a, size_t b)
{
	return (b == 0 ? 0 : (double)a / (double)b);
}

static double
f1(double p, double r)
{
	return (p + r == 0 ? 0 : 2 * p * r / (p + r));
}

static void
row(const char *name, const struct counts *c)
{
	double	p1, r1, f_1, p0, r0, f_0;
	char	key[64];
	size_t	i;

	p1 = ratio(c->tp, c->tp + c->fp);
	r1 = ratio(c->tp, c->tp + c->fn);
	f_1 = f1(p1, r1);
	p0 = ratio(c->tn, c->tn + c->fn);
	r0 = ratio(c->tn, c->tn + c->fp);
	f_0 = f1(p0, r0);
	printf("| %-34s | %5zu | %5.3f | %5.3f | %5.3f | %5.3f | %5.3f | "
	    "%5.3f | %5.3f | %5.3f |\n", name, c->tp + c->fp + c->tn + c->fn,
	    p1, r1, f_1, p0, r0, f_0, (f_1 + f_0) / 2,
	    ratio(c->tp + c->tn, c->tp + c->fp + c->tn + c->fn));
	/* For run.sh: "bench-f1 KEY MACRO", KEY the name without spaces. */
	for (i = 0; name[i] != '\0' && i + 1 < sizeof key; i++)
		key[i] = name[i] == ' ' ? '_' : name[i];
	key[i] = '\0';
	snprintf(keys[nkeys].key, sizeof keys[nkeys].key, "%s", key);
	keys[nkeys++].macro = (f_1 + f_0) / 2;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/* The CPU time of this thread: the time it was on a core. */
static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * Classify every message of both sets again and again for >= 2 s on the
 * core (at most 30 s of the clock).  The rate is per second of CPU time,
 * so a busy machine that gives the process part of a core does not
 * lower it (caches shared with others still do); the rate by the clock
 * follows in brackets.
 */
static void
throughput(enum judge_by by, const char *label, const struct corpus *de,
    const struct corpus *en)
{
	double			t0, c0, t, c;
	size_t			i, n = 0, bytes = 0;
	volatile double		sink = 0;

	t0 = now_s();
	c0 = cpu_s();
	do {
		for (i = 0; i < de->n; i++, n++) {
			sink += severity(by, de->s[i].text, de->s[i].len,
			    "de");
			bytes += de->s[i].len;
		}
		for (i = 0; i < en->n; i++, n++) {
			sink += severity(by, en->s[i].text, en->s[i].len, "");
			bytes += en->s[i].len;
		}
		t = now_s() - t0;
		c = cpu_s() - c0;
	} while (c < 2.0 && t < 30.0);
	printf("%sthroughput: %.0f messages/s on one core (%zu messages, "
	    "mean %.0f bytes, language detected for English; %.0f by the "
	    "clock)\n", label, (double)n / c, n, (double)bytes / (double)n,
	    (double)n / t);
}

/* VmRSS of this process in KiB, or 0. */
static long
rss_kib(void)
{
	FILE	*f;
	char	 line[256];
	long	 kib = 0;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return (kib);
}

/* One message's least work: a lower-case copy, split at spaces. */
static size_t
baseline_one(const char *text, size_t len, char *buf)
{
	const char	*p, *end;
	size_t		 i, words = 0;

	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)text[i]);
	for (p = buf, end = buf + len; p < end; p++, words++)
		if ((p = memchr(p, ' ', end - p)) == NULL)
			break;
	return (words);
}

/*
 * The ceiling for the throughput above (`make bench` prints the ratio):
 * the same messages, for >= 1 s, through no more than a lower-case copy
 * and a split into words, which any classifier of words must do.
 */
static void
baseline(const struct corpus *de, const struct corpus *en)
{
	const struct corpus	*sets[2] = { de, en };
	char			*buf;
	double			 t0, c0, t, c;
	size_t			 i, k, n = 0, max = 0;
	volatile size_t		 sink = 0;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sets[k]->n; i++)
			if (sets[k]->s[i].len > max)
				max = sets[k]->s[i].len;
	if ((buf = malloc(max + 1)) == NULL)
		abort();
	t0 = now_s();
	c0 = cpu_s();
	do {
		for (k = 0; k < 2; k++)
			for (i = 0; i < sets[k]->n; i++, n++)
				sink += baseline_one(sets[k]->s[i].text,
				    sets[k]->s[i].len, buf);
		t = now_s() - t0;
		c = cpu_s() - c0;
	} while (c < 1.0 && t < 30.0);
	free(buf);
	printf("ceiling: %.0f messages/s on one core (a lower-case copy and "
	    "a split at spaces of the same messages; %.0f by the clock)\n",
	    (double)n / c, (double)n / t);
}

static void
usage(void)
{
	fprintf(stderr, "usage: lexicon-eval [-d DATA_DIR] [-l LEXICON_DIR] "
	    "[-w WEIGHTS] [-o OWN_SET] [-s test|training] [-e N]\n"
	    "       lexicon-eval -F [-l LEXICON_DIR] <RECORDS\n");
	exit(2);
}

/*
 * -F: the lexicon's findings that the trained models weigh, for
 * plugins/hostility/train/train.py.  Reads records "LANG<TAB>TEXT<NUL>"
 * from stdin and prints a line for each: severity (%.17g), hits and
 * hits aimed at the reader, as hostility_combine() hands them over.
 */
static int
findings(const struct lexicon *lx)
{
	struct lexicon_result	 r;
	char			*rec = NULL, *text;
	size_t			 cap = 0;
	ssize_t			 n;

	while ((n = getdelim(&rec, &cap, '\0', stdin)) > 0) {
		if (rec[n - 1] == '\0')
			n--;
		rec[n] = '\0';
		if ((text = strchr(rec, '\t')) == NULL) {
			fprintf(stderr, "lexicon-eval -F: a record without "
			    "a TAB after its language\n");
			free(rec);
			return (1);
		}
		*text++ = '\0';
		lexicon_classify(lx, text, (size_t)(rec + n - text), rec, &r);
		printf("%.17g %d %d\n", r.severity, r.hits, r.targeted);
	}
	free(rec);
	return (ferror(stdin) || fflush(stdout) != 0 ? 1 : 0);
}

static void
header(void)
{
	printf("| %-34s | %5s | %5s | %5s | %5s | %5s | %5s | %5s | %5s | "
	    "%5s |\n", "set", "n", "P off", "R off", "F1off", "P oth",
	    "R oth", "F1oth", "macro", "acc");
	printf("|%s|-------|-------|-------|-------|-------|-------|-------|"
	    "-------|-------|\n", "------------------------------------");
}

/* The German and English lists of dir; NULL after saying why. */
static struct lexicon *
load_lexicon(const char *dir)
{
	static const char *const	 names[] = { "de", "en" };
	static const enum lexicon_lang	 langs[] = { LEXICON_DE, LEXICON_EN };
	struct lexicon			*lx = lexicon_new();
	char				 path[4096], *err = NULL;
	size_t				 i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/lexicon-%s.txt", dir,
		    names[i]);
		if (lexicon_load_file(lx, path, langs[i], &err) == -1) {
			fprintf(stderr, "lexicon-eval: %s\n", err);
			free(err);
			lexicon_free(lx);
			return (NULL);
		}
	}
	return (lx);
}

int
main(int argc, char **argv)
{
	struct lexicon		*lx;
	struct hostility	*hy = NULL;
	struct corpus		 ge, dv, own;
	struct counts		 c;
	static const char *const by_name[] = { "lexicon", "hostility",
	    "hostility+lexicon" };
	const char		*data = "../shared/data", *lexdir =
	    "plugins/lexicon";
	const char		*split = "test", *weights = NULL, *ownset = NULL;
	char			 path[4096], *err = NULL, name[64];
	long			 rss0, rss1;
	int			 i, by, nby, find = 0;
	size_t			 k;

	memset(&ge, 0, sizeof ge);
	memset(&dv, 0, sizeof dv);
	memset(&own, 0, sizeof own);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			lexdir = argv[++i];
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
			weights = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			ownset = argv[++i];
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			split = argv[++i];
		else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
			show_errors = atoi(argv[++i]);
		else if (strcmp(argv[i], "-F") == 0)
			find = 1;
		else
			usage();
	}
	if (strcmp(split, "test") != 0 && strcmp(split, "training") != 0)
		usage();
	if (find) {
		if ((lx = load_lexicon(lexdir)) == NULL)
			return (1);
		i = findings(lx);
		lexicon_free(lx);
		return (i);
	}
	snprintf(path, sizeof path, "%s/hostility/germeval2018/germeval2018."
	    "%s.txt", data, split);
	if (corpus_germeval(&ge, path) == -1) {
		printf("lexicon-eval: skipped: %s: %s (the labelled sets live "
		    "in ../shared/data, outside the repository)\n", path,
		    strerror(errno));
		return (77);
	}
	snprintf(path, sizeof path, "%s/hostility/davidson2017/"
	    "labeled_data.csv", data);
	if (corpus_davidson(&dv, path) == -1) {
		printf("lexicon-eval: skipped: %s: %s\n", path,
		    strerror(errno));
		return (77);
	}
	if (ownset != NULL && corpus_own(&own, ownset) == -1) {
		fprintf(stderr, "lexicon-eval: %s: %s\n", ownset,
		    strerror(errno));
		return (1);
	}

	if ((lx = load_lexicon(lexdir)) == NULL)
		return (1);
	the_lx = lx;
	rss0 = rss_kib();
	if (weights != NULL && (hy = hostility_load(weights, &err)) == NULL) {
		fprintf(stderr, "lexicon-eval: %s\n", err);
		return (1);
	}
	rss1 = rss_kib();
	the_hy = hy;
	nby = hy != NULL ? 3 : 1;

	for (by = 0; by < nby; by++) {
		printf("%s%s: offensive when severity >= 0.5", by > 0 ? "\n" :
		    "", by_name[by]);
		if (by == BY_LEXICON)
			printf(" (%zu lexicon entries)", lexicon_size(lx));
		printf("\n\n");
		header();
		judge(by, &ge, "de", -1, &c);
		snprintf(name, sizeof name, "GermEval 2018 %s (de)", split);
		row(name, &c);
		if (strcmp(split, "test") == 0) {
			judge(by, &dv, "en", 1, &c);
			row("Davidson 2017 held out (en)", &c);
			if (by == BY_LEXICON) {
				judge(by, &dv, "en", -1, &c);
				row("Davidson 2017 all (en)", &c);
			}
		} else {
			judge(by, &dv, "en", 0, &c);
			row("Davidson 2017 tuning rows (en)", &c);
		}
		if (own.n > 0) {
			judge(by, &own, "en", -1, &c);
			row("own set (en)", &c);
			judge(by, &own, "de", -1, &c);
			row("own set (de)", &c);
			judge(by, &own, "", -1, &c);
			row("own set (both)", &c);
		}
		for (k = 0; k < nkeys; k++)
			printf("bench-f1 %s %s %.3f\n", by_name[by],
			    keys[k].key, keys[k].macro);
		nkeys = 0;
	}
	printf("\n");
	throughput(BY_LEXICON, "", &ge, &dv);
	if (hy != NULL) {
		throughput(BY_HOSTILITY, "hostility ", &ge, &dv);
		throughput(BY_BOTH, "hostility+lexicon ", &ge, &dv);
		printf("hostility weights: %zu bytes, resident memory added by "
		    "loading them: %ld KiB\n", hostility_size(hy),
		    rss1 - rss0);
	}
	baseline(&ge, &dv);
	hostility_free(hy);
	lexicon_free(lx);
	corpus_free(&ge);
	corpus_free(&dv);
	corpus_free(&own);
	return (0);
}
