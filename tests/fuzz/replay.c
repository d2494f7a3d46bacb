/*
 * respite - a main() for the fuzz targets without libFuzzer.
 *
 * replay FILE|DIR...: feeds each file named, and each file of each
 * directory named (in name order, hidden files skipped), once to
 * LLVMFuzzerTestOneInput(), each in a buffer of exactly its size so that
 * AddressSanitizer sees a read past the end.  It prints each file's name
 * to stderr before running it, so a crash names its input, and a count
 * to stdout at the end.  Exits 0, or 1 if a file cannot be read or no
 * input was given: a corpus that vanished must not pass as empty.
 * tests/integration/fuzz-corpus.sh runs every target this way over its
 * seed corpus in `make check`, in the normal and the sanitizer builds.
 */
#include "build.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*buf;
	long		 n;
	size_t		 len;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		fclose(f);
		return (-1);
	}
	rewind(f);
	len = (size_t)n;
	/* malloc(0) may return NULL; an empty input is still an input. */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (fread(buf, 1, len, f) != len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		free(buf);
		fclose(f);
		return (-1);
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return (0);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Replays the files of dir; returns their number or -1. */
static long
replay_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, path[4096];
	size_t		 n = 0, cap = 0, i;
	long		 count = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			if ((names = realloc(names, cap * sizeof *names)) ==
			    NULL)
				abort();
		}
		if ((names[n++] = strdup(de->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (count >= 0 && replay_file(path) == 0)
				count++;
			else
				count = -1;
		}
		free(names[i]);
	}
	free(names);
	return (count);
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	long		 total = 0, n;
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return (1);
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return (1);
		}
		if (S_ISDIR(st.st_mode))
			n = replay_dir(argv[i]);
		else
			n = replay_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			return (1);
		total += n;
	}
	printf("%ld inputs\n", total);
	if (total == 0) {
		fprintf(stderr, "replay: no inputs\n");
		return (1);
	}
	return (0);
}
