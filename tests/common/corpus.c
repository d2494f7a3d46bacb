/*
 * respite - the labelled message sets of the hostility classifiers, read
 * for tests/bench/lexicon-eval and the unit tests:
 *
 *   GermEval 2018: text TAB OFFENSE|OTHER TAB fine label, "|LBR|" a line
 *   break in the text;
 *   Davidson et al. 2017: CSV ",count,hate_speech,offensive_language,
 *   neither,class,tweet", class 0 and 1 offensive, 2 not; rows whose
 *   index is a multiple of 4 are the held-out part;
 *   our own set: lang TAB 0|1 TAB text, "#" a comment.
 *
 * The texts stay in the buffers read (kept in the set until
 * corpus_free()).
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"

char *
corpus_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;
	int	 e;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		e = errno;
		fclose(f);
		errno = e;
		return (NULL);
	}
	if ((buf = malloc((size_t)n + 1)) == NULL)
		abort();
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		errno = EIO;
		return (NULL);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return (buf);
}

static void
add(struct corpus *c, char *text, size_t len, int label, int part,
    const char *lang)
{
	struct corpus_sample	*s;

	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 1024 : c->cap * 2;
		if ((c->s = realloc(c->s, c->cap * sizeof *c->s)) == NULL)
			abort();
	}
	s = &c->s[c->n++];
	s->text = text;
	s->len = len;
	s->label = label;
	s->part = part;
	snprintf(s->lang, sizeof s->lang, "%s", lang);
}

/* Read path into a buffer the set keeps; NULL with errno. */
static char *
keep(struct corpus *c, const char *path)
{
	char	*buf;
	size_t	 len;

	if ((buf = corpus_slurp(path, &len)) == NULL)
		return (NULL);
	if ((c->bufs = realloc(c->bufs, (c->nbufs + 1) *
	    sizeof *c->bufs)) == NULL)
		abort();
	c->bufs[c->nbufs++] = buf;
	return (buf);
}

/* Replace every "|LBR|" (GermEval's line break) with a newline. */
static size_t
unlbr(char *s, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < len; i++) {
		if (len - i >= 5 && memcmp(s + i, "|LBR|", 5) == 0) {
			s[o++] = '\n';
			i += 4;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return (o);
}

/*
 * Each line of buf with at least three TAB-separated fields, cut in
 * place: fn(c, first, second, rest).  With comments, lines starting
 * with '#' are skipped (not in GermEval, whose tweets may start so).
 */
static void
tsv3(struct corpus *c, char *buf, int comments, void (*fn)(struct corpus *,
    char *, char *, char *))
{
	char	*line, *next, *t1, *t2;

	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((comments && *line == '#') ||
		    (t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL)
			continue;
		*t1 = *t2 = '\0';
		fn(c, line, t1 + 1, t2 + 1);
	}
}

static void
germeval_line(struct corpus *c, char *text, char *coarse, char *fine)
{
	(void)fine;
	add(c, text, unlbr(text, strlen(text)), strcmp(coarse, "OFFENSE") ==
	    0, 0, "");
}

int
corpus_germeval(struct corpus *c, const char *path)
{
	char	*buf;

	if ((buf = keep(c, path)) == NULL)
		return (-1);
	tsv3(c, buf, 0, germeval_line);
	return (0);
}

/*
 * One CSV field at *p (quoted or not), unquoted in place; *p moves past
 * its separator.  *eol is set at the end of a record.
 */
static char *
csv_field(char **p, int *eol)
{
	char	*s = *p, *o, *start;

	*eol = 0;
	if (*s == '"') {
		start = o = ++s;
		for (;;) {
			if (*s == '\0')
				break;
			if (*s == '"') {
				if (s[1] == '"') {
					*o++ = '"';
					s += 2;
					continue;
				}
				s++;
				break;
			}
			*o++ = *s++;
		}
	} else {
		start = o = s;
		while (*s != '\0' && *s != ',' && *s != '\n' && *s != '\r')
			*o++ = *s++;
	}
	if (*s == '\r')
		s++;
	if (*s == '\n' || *s == '\0')
		*eol = 1;
	if (*s != '\0')
		s++;
	*o = '\0';
	*p = s;
	return (start);
}

int
corpus_davidson(struct corpus *c, const char *path)
{
	char	*buf, *p, *f[8], *v;
	size_t	 nf;
	int	 eol, header = 1;

	if ((buf = keep(c, path)) == NULL)
		return (-1);
	for (p = buf; *p != '\0';) {
		nf = 0;
		do {
			v = csv_field(&p, &eol);
			if (nf < 8)
				f[nf++] = v;
		} while (!eol && *p != '\0');
		if (header) {
			header = 0;
			continue;
		}
		if (nf < 7)
			continue;
		add(c, f[6], strlen(f[6]), atoi(f[5]) != 2,
		    atol(f[0]) % 4 == 0, "");
	}
	return (0);
}

static void
own_line(struct corpus *c, char *lang, char *label, char *text)
{
	if (strlen(lang) == 2)
		add(c, text, strlen(text), label[0] == '1', 0, lang);
}

int
corpus_own(struct corpus *c, const char *path)
{
	char	*buf;

	if ((buf = keep(c, path)) == NULL)
		return (-1);
	tsv3(c, buf, 1, own_line);
	return (0);
}

void
corpus_free(struct corpus *c)
{
	size_t	i;

	for (i = 0; i < c->nbufs; i++)
		free(c->bufs[i]);
	free(c->bufs);
	free(c->s);
	memset(c, 0, sizeof *c);
}
