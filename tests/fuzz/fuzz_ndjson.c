/*
 * respite - fuzz target: a POST /v1/events body as NDJSON
 * (application/x-ndjson: one event a line, blank lines skipped), through
 * the line splitter of ingest_parse() and the checks of fuzz_ingest.c.
 */
#include "build.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ingest(data, size, 1);
	return (0);
}
