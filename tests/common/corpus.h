/*
 * respite - the labelled message sets the tests and the bench read
 * (corpus.c): GermEval 2018 and Davidson et al. 2017 from
 * ../shared/data/hostility/ (never copied into the repository), our own
 * set (tests/data/hostility-own.tsv), and any file whole.
 */
#ifndef CORPUS_H
#define CORPUS_H

#include <stddef.h>

struct corpus_sample {
	char	*text;		/* NUL-ended, inside the set's buffer */
	size_t	 len;
	int	 label;		/* 1: offensive */
	int	 part;		/* Davidson: 1 held out (index % 4 == 0) */
	char	 lang[3];	/* own set: "de", "en"; else "" */
};

struct corpus {
	struct corpus_sample	*s;
	size_t			 n, cap;
	char			**bufs;		/* the files read, to free */
	size_t			 nbufs;
};

/* A whole file, NUL-ended (*len without the NUL); NULL with errno. */
char	*corpus_slurp(const char *, size_t *);
/* Append a set's messages; 0, or -1 with errno if it cannot be read. */
int	 corpus_germeval(struct corpus *, const char *);
int	 corpus_davidson(struct corpus *, const char *);
int	 corpus_own(struct corpus *, const char *);
void	 corpus_free(struct corpus *);

#endif
