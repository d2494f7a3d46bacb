/*
 * respite - what fuzz_event and fuzz_ndjson share: a request body
 * through ingest_parse() as api.c hands it over (daemon/ingest.c, with
 * event.c and timeutil.c), then what the daemon does next with either
 * outcome.  A batch must hold only events the rest of the daemon can
 * take (valid agent, NUL-terminated fields, text within bounds, a time
 * that formats and parses back); an error must become a JSON body.
 */
#include "build.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "apierr.h"
#include "event.h"
#include "fuzz.h"
#include "ingest.h"
#include "timeutil.h"

/* Small enough that the fuzzer reaches it. */
#define FUZZ_MAX_BATCH	64

static void
check_event(const struct respite_event *ev, const struct ingest_limits *lim)
{
	char		 buf[TIME_RFC3339_LEN];
	int64_t		 back;
	size_t		 i;
	unsigned int	 sum = 0;

	FUZZ_CHECK(ev->type > RESPITE_EV_NONE && ev->type < RESPITE_EV_COUNT);
	FUZZ_CHECK(event_type_name(ev->type) != NULL);
	FUZZ_CHECK(event_type_parse(event_type_name(ev->type)) == ev->type);
	FUZZ_CHECK(event_name_valid(ev->agent));
	FUZZ_CHECK(ev->team[0] == '\0' || event_name_valid(ev->team));
	FUZZ_CHECK(strnlen(ev->id, sizeof ev->id) < sizeof ev->id);
	FUZZ_CHECK(strnlen(ev->ticket, sizeof ev->ticket) < sizeof ev->ticket);
	FUZZ_CHECK(strnlen(ev->lang, sizeof ev->lang) < sizeof ev->lang);
	FUZZ_CHECK(strnlen(ev->tz, sizeof ev->tz) < sizeof ev->tz);
	if (ev->channel != RESPITE_CH_NONE)
		FUZZ_CHECK(event_channel_name(ev->channel) != NULL);
	FUZZ_CHECK(ev->severity < 0 || ev->severity <= 1);
	FUZZ_CHECK(ev->duration_s == -1 || (isfinite(ev->duration_s) &&
	    ev->duration_s >= 0));
	FUZZ_CHECK(ev->ts_ms >= 0 && ev->ts_ms <= FUZZ_NOW_MS +
	    lim->max_skew_ms);
	if (ev->text != NULL) {
		FUZZ_CHECK(ev->type == RESPITE_EV_MESSAGE_RECEIVED);
		FUZZ_CHECK(ev->text_len <= RESPITE_TEXT_MAX);
		/* Every byte readable (ASan), and a NUL after them. */
		for (i = 0; i < ev->text_len; i++)
			sum += (unsigned char)ev->text[i];
		FUZZ_CHECK(ev->text[ev->text_len] == '\0');
		(void)sum;
	}
	/* Stored and streamed as RFC 3339: it must come back the same. */
	if (ev->ts_ms >= 0) {
		time_format_rfc3339(ev->ts_ms, buf, sizeof buf);
		FUZZ_CHECK(time_parse_rfc3339(buf, &back) == 0);
		FUZZ_CHECK(back == ev->ts_ms);
	}
}

void
fuzz_ingest(const uint8_t *data, size_t size, int ndjson)
{
	struct ingest_limits	 lim;
	struct event_batch	 b;
	struct api_error	 err;
	json_error_t		 je;
	json_t			*o;
	char			*s;
	size_t			 i;

	memset(&err, 0, sizeof err);
	lim.max_batch = FUZZ_MAX_BATCH;
	lim.max_skew_ms = 300 * 1000;
	if (ingest_parse((const char *)data, size, ndjson, &lim, FUZZ_NOW_MS,
	    &b, &err) == 0) {
		FUZZ_CHECK(b.n <= lim.max_batch);
		FUZZ_CHECK(b.n == 0 || b.ev != NULL);
		for (i = 0; i < b.n; i++)
			check_event(&b.ev[i], &lim);
		FUZZ_SAY("%zu events", b.n);
		event_batch_free(&b);
		return;
	}
	FUZZ_CHECK(b.ev == NULL && b.n == 0 && b.keep == NULL);
	FUZZ_CHECK(err.status == 400 || err.status == 413);
	FUZZ_CHECK(err.code != NULL);
	FUZZ_CHECK(strnlen(err.message, sizeof err.message) <
	    sizeof err.message);
	/* What api.c answers: it must be one JSON object. */
	s = api_error_json(&err);
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK((o = json_loads(s, 0, &je)) != NULL);
	FUZZ_CHECK(json_is_object(json_object_get(o, "error")));
	FUZZ_SAY("%d %s", err.status, s);
	json_decref(o);
	free(s);
}
