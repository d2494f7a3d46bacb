/*
 * respite - fuzz target: a POST /v1/events body as JSON (one event
 * object, an array of them, or any other JSON text), through
 * ingest_parse() and the checks of fuzz_ingest.c.
 */
#include "build.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ingest(data, size, 0);
	return (0);
}
