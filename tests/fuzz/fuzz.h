/*
 * respite - what the fuzz targets share (tests/fuzz/, docs/testing.md, "Fuzzing").
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput() for one parser.
 * Built with --enable-fuzzing (clang), libFuzzer supplies main(); in
 * every other build tests/fuzz/replay.c does, and `make check` runs each
 * target over its seed corpus (tests/fuzz/corpus/NAME/) as a regression
 * test.  A target returns 0 for any input; a bug is a sanitizer report
 * or a failed FUZZ_CHECK(), which aborts so that both drivers see it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* 2026-03-02T10:00:00Z: the time of receipt every target passes. */
#define FUZZ_NOW_MS	1772445600000LL

/* An invariant of the code under test; abort() if it does not hold. */
#define FUZZ_CHECK(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: %s: check failed: %s\n",	\
		    __FILE__, __LINE__, __func__, #e);			\
		abort();						\
	}								\
} while (0)

/*
 * With FUZZ_VERBOSE set in the environment, what became of each input
 * (to check that a new seed reaches what it was made for).
 */
#define FUZZ_SAY(...) do {						\
	static int	say_ = -1;					\
									\
	if (say_ == -1)							\
		say_ = getenv("FUZZ_VERBOSE") != NULL;			\
	if (say_) {							\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_ingest.c: a body of POST /v1/events, JSON or NDJSON. */
void	fuzz_ingest(const uint8_t *, size_t, int);

#endif
