/*
 * Unit tests for plugins/twilio: the form decoder, X-Twilio-Signature
 * (Twilio's documented example; good, bad, missing, reordered, non-ASCII,
 * a query string, the default port), and the mapping of each kind of
 * TaskRouter callback on the shift of tests/data/webhooks/twilio/.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nettle/base64.h>

#include "form.h"
#include "wh_test.h"

extern const struct respite_plugin respite_plugin;

#define NOW	1772445600000LL		/* 2026-03-02T10:00:00Z */
#define T0	1772443800000LL		/* the shift's first callback */
#define URL	"https://respite.example/v1/webhooks/twilio"
#define TOKEN	"twilio-auth-token"

/* Twilio's worked example (docs "Webhooks security", the 3.x snippet). */
#define EX_URL	"https://mycompany.com/myapp.php?foo=1&bar=2"
#define EX_KEY	"12345"
#define EX_SIG	"GvWf1cFY/Q7PnoempGyD5oXAezc="
#define EX_FORM	"CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234" \
		"&From=%2B14158675310&To=%2B18005551212"

static const char *const conf_signed[] = { "url", URL, "secret", TOKEN,
    NULL };
static const char *const conf_plain[] = { "url", URL, NULL };

/* Base64 of the signature of body posted to url with key. */
static void
sign(const char *key, const char *url, const char *body, size_t len,
    char *out)
{
	struct tw_form	 f;
	uint8_t		 d[TW_SIG_LEN];
	char		*error = NULL;

	if (tw_form_parse(body, len, &f, &error) != 0)
		fail_msg("sign: %s", error);
	tw_signature(key, strlen(key), url, strlen(url), "", 0, &f, d);
	base64_encode_raw(out, sizeof d, d);
	out[BASE64_ENCODE_RAW_LENGTH(sizeof d)] = '\0';
	tw_form_free(&f);
}

/* The X-Twilio-Signature of the next post (and no other header). */
static void
set_sig(struct wht *t, const char *value)
{
	wht_clear(t);
	wht_header(t, "X-Twilio-Signature", value);
}

/* Post body signed as Twilio does for URL with TOKEN. */
static int
post_signed(struct wht *t, const char *body, size_t len)
{
	char	sig[64];

	sign(TOKEN, URL, body, len, sig);
	set_sig(t, sig);
	return (wht_post(t, body, len, NOW));
}

/*
 * body with parameter name set to value (percent-encoded as given;
 * NULL: removed, and added at the end if absent).  A new string.
 */
static char *
form_set(const char *body, const char *name, const char *value)
{
	char		*out, *copy, *p, *amp;
	size_t		 nlen = strlen(name), cap;
	int		 found = 0;

	cap = strlen(body) + nlen + (value != NULL ? strlen(value) : 0) + 4;
	assert_non_null(out = calloc(1, cap));
	assert_non_null(copy = strdup(body));
	for (p = copy; p != NULL; p = amp) {
		if ((amp = strchr(p, '&')) != NULL)
			*amp++ = '\0';
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			found = 1;
			if (value == NULL)
				continue;
			snprintf(out + strlen(out), cap - strlen(out),
			    "%s%s=%s", *out != '\0' ? "&" : "", name, value);
		} else if (*p != '\0')
			snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			    *out != '\0' ? "&" : "", p);
	}
	if (!found && value != NULL)
		snprintf(out + strlen(out), cap - strlen(out), "&%s=%s", name,
		    value);
	free(copy);
	return (out);
}

static char *
own(const char *name, size_t *len)
{
	char	path[128];

	snprintf(path, sizeof path, "twilio/%s", name);
	return (wht_load_own(path, len));
}

/* ------------------------------------------------------------ form */

static void
test_form(void **state)
{
	struct tw_form	 f;
	char		*error = NULL, big[TW_FORM_MAX * 4 + 16];
	size_t		 i;

	(void)state;
	assert_int_equal(tw_form_parse("b=x+y%21&a=1&&c&d=&a=2&", 23, &f,
	    &error), 0);
	assert_int_equal(f.n, 5);
	/* Sorted by name, a name given twice in its order. */
	assert_string_equal(f.v[0].name, "a");
	assert_string_equal(f.v[0].value, "1");
	assert_string_equal(f.v[1].value, "2");
	assert_string_equal(f.v[2].name, "b");
	assert_string_equal(f.v[2].value, "x y!");
	assert_string_equal(f.v[3].name, "c");
	assert_string_equal(f.v[3].value, "");
	assert_string_equal(tw_form_get(&f, "a"), "1");
	assert_string_equal(tw_form_get(&f, "d"), "");
	assert_null(tw_form_get(&f, "A"));
	assert_null(tw_form_get(&f, "e"));
	tw_form_free(&f);

	/* Names are compared as bytes: upper case sorts first. */
	assert_int_equal(tw_form_parse("to=1&To=2&T%C3%BC=3", 19, &f, &error),
	    0);
	assert_string_equal(f.v[0].name, "To");
	assert_string_equal(f.v[1].name, "T\xc3\xbc");
	assert_string_equal(f.v[2].name, "to");
	tw_form_free(&f);

	/* Bad escapes, an encoded NUL, an empty body, too many. */
	assert_int_equal(tw_form_parse("a=%zz", 5, &f, &error), -1);
	assert_non_null(strstr(error, "percent-encoded"));
	free(error);
	error = NULL;
	assert_int_equal(tw_form_parse("a=%4", 4, &f, &error), -1);
	free(error);
	error = NULL;
	assert_int_equal(tw_form_parse("a%00=1", 6, &f, &error), -1);
	free(error);
	error = NULL;
	assert_int_equal(tw_form_parse("a=\0b", 4, &f, &error), -1);
	free(error);
	error = NULL;
	assert_int_equal(tw_form_parse("", 0, &f, &error), -1);
	free(error);
	error = NULL;
	big[0] = '\0';
	for (i = 0; i <= TW_FORM_MAX; i++)
		strcat(big, "a=&");
	assert_int_equal(tw_form_parse(big, strlen(big), &f, &error), -1);
	assert_non_null(strstr(error, "more than 256"));
	free(error);
	error = NULL;
	big[strlen(big) - 3] = '\0';
	assert_int_equal(tw_form_parse(big, strlen(big), &f, &error), 0);
	assert_int_equal(f.n, TW_FORM_MAX);
	tw_form_free(&f);
}

static void
test_url_variant(void **state)
{
	char	buf[128];

	(void)state;
	assert_int_equal(tw_url_variant("https://a.example/x?y=1", buf,
	    sizeof buf), 27);
	assert_string_equal(buf, "https://a.example:443/x?y=1");
	assert_int_equal(tw_url_variant("https://a.example:443/x", buf,
	    sizeof buf), 19);
	assert_string_equal(buf, "https://a.example/x");
	assert_int_equal(tw_url_variant("http://a.example", buf, sizeof buf),
	    19);
	assert_string_equal(buf, "http://a.example:80");
	assert_int_equal(tw_url_variant("https://a.example:8443/x", buf,
	    sizeof buf), 0);
	assert_int_equal(tw_url_variant("ftp://a.example/x", buf,
	    sizeof buf), 0);
	assert_int_equal(tw_url_variant("https://a.example/x", buf, 10), 0);
	/* No host name before the port: no variant (found by fuzz_form). */
	assert_int_equal(tw_url_variant("http://:80", buf, sizeof buf), 0);
	assert_int_equal(tw_url_variant("https://:443/x", buf, sizeof buf),
	    0);
}

/* ------------------------------------------------------------ signature */

static void
test_signature_example(void **state)
{
	struct tw_form	 f;
	uint8_t		 d[TW_SIG_LEN];
	char		 b64[64], *error = NULL;

	(void)state;
	assert_int_equal(tw_form_parse(EX_FORM, strlen(EX_FORM), &f, &error),
	    0);
	tw_signature(EX_KEY, 5, EX_URL, strlen(EX_URL), "", 0, &f, d);
	base64_encode_raw(b64, sizeof d, d);
	b64[BASE64_ENCODE_RAW_LENGTH(sizeof d)] = '\0';
	assert_string_equal(b64, EX_SIG);
	/* The URL in two pieces is the same URL. */
	tw_signature(EX_KEY, 5, EX_URL, 29, &EX_URL[29], strlen(EX_URL) - 29,
	    &f, d);
	base64_encode_raw(b64, sizeof d, d);
	assert_memory_equal(b64, EX_SIG, strlen(EX_SIG));
	tw_form_free(&f);
}

static void
test_signature(void **state)
{
	static const char *const conf[] = { "url", EX_URL, "secret", EX_KEY,
	    NULL };
	static const char reordered[] = "To=%2B18005551212&Digits=1234"
	    "&From=%2B14158675310&CallSid=CA1234567890ABCDE"
	    "&Caller=%2B14158675310";
	struct wht	*t;
	char		 sig[64], *v;
	size_t		 len;

	(void)state;
	t = START(conf);
	/* The documented example: signed right, no EventType: ignored. */
	set_sig(t, EX_SIG);
	assert_int_equal(wht_post_str(t, EX_FORM, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_non_null(strstr(t->error, "no EventType"));
	set_sig(t, EX_SIG);
	assert_int_equal(wht_post_str(t, reordered, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	/* Missing, wrong, not base64, a changed value: 401. */
	wht_clear(t);
	assert_int_equal(wht_post_str(t, EX_FORM, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Twilio-Signature is missing"));
	set_sig(t, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
	assert_int_equal(wht_post_str(t, EX_FORM, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "does not match"));
	set_sig(t, "not base64!");
	assert_int_equal(wht_post_str(t, EX_FORM, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	v = form_set(EX_FORM, "Digits", "1235");
	set_sig(t, EX_SIG);
	assert_int_equal(wht_post_str(t, v, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	free(v);
	/* A parameter added is a changed body. */
	v = form_set(EX_FORM, "EventType", "worker.activity.update");
	set_sig(t, EX_SIG);
	assert_int_equal(wht_post_str(t, v, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	free(v);
	/* Not a form at all: nothing can match. */
	set_sig(t, EX_SIG);
	assert_int_equal(wht_post_str(t, "a=%zz", NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "not a form"));
	wht_free(t);

	/* Non-ASCII values are signed as their UTF-8 bytes. */
	t = START(conf_signed);
	v = own("07-juergen-accepted-chat.form", &len);
	assert_non_null(strstr(v, "J%C3%BCrgen+Wei%C3%9F"));
	assert_int_equal(post_signed(t, v, len), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	sign(TOKEN, URL, v, len, sig);
	/* The same text in Latin-1 is another body. */
	{
		char	*w = form_set(v, "WorkerAttributes", "%7B%22full_name"
		    "%22%3A%22J%FCrgen%22%7D");

		set_sig(t, sig);
		assert_int_equal(wht_post_str(t, w, NOW),
		    RESPITE_WEBHOOK_UNAUTHORIZED);
		free(w);
	}
	/* Signed for another URL (or token): 401. */
	sign(TOKEN, "https://respite.example/v1/webhooks/twilio2", v, len,
	    sig);
	set_sig(t, sig);
	assert_int_equal(wht_post(t, v, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	sign("another-token", URL, v, len, sig);
	set_sig(t, sig);
	assert_int_equal(wht_post(t, v, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	/* With the port a proxy may show: still Twilio's URL. */
	sign(TOKEN, "https://respite.example:443/v1/webhooks/twilio", v, len,
	    sig);
	set_sig(t, sig);
	assert_int_equal(wht_post(t, v, len, NOW), RESPITE_WEBHOOK_OK);

	/* A query string of the request is part of the signed URL. */
	sign(TOKEN, URL "?token=abc", v, len, sig);
	set_sig(t, sig);
	assert_int_equal(wht_post(t, v, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	set_sig(t, sig);
	t->req.query = "token=abc";
	t->status = t->pl->webhook(t->instance, &t->req, &t->error);
	assert_int_equal(t->status, RESPITE_WEBHOOK_OK);
	free(v);
	wht_free(t);
}

/* ------------------------------------------------------------ mapping */

static void
test_shift(void **state)
{
	static const char *const files[] = {
		"01-alice-available.form", "02-alice-accepted.form",
		"03-alice-wrapup.form", "04-alice-completed.form",
		"05-alice-break.form", "06-alice-back.form",
		"07-juergen-accepted-chat.form",
		"08-juergen-completed-chat.form", "09-task-created.form",
		"10-alice-unavailable.form", "11-alice-offline.form",
	};
	static const struct {
		int			 status;
		enum respite_event_type	 type;
		const char		*agent;
		const char		*team;
		enum respite_channel	 ch;
		int64_t			 ts;
	} want[] = {
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_AGENT_LOGIN, "alice",
		    "phone-de", RESPITE_CH_NONE, T0 + 120 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_TICKET_ASSIGNED, "alice",
		    "phone-de", RESPITE_CH_PHONE, T0 + 60250 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_TICKET_HANDLED, "alice",
		    "phone-de", RESPITE_CH_PHONE, T0 + 372750 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_TICKET_HANDLED, "alice",
		    "phone-de", RESPITE_CH_PHONE, T0 + 432010 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_BREAK_START, "alice",
		    "phone-de", RESPITE_CH_NONE, T0 + 600000 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_BREAK_END, "alice",
		    "phone-de", RESPITE_CH_NONE, T0 + 900000 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_TICKET_ASSIGNED,
		    "juergen-2Eweiss-40acme-2Eexample", "Chat.Team",
		    RESPITE_CH_CHAT, T0 + 120000 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_TICKET_HANDLED,
		    "juergen-2Eweiss-40acme-2Eexample", "Chat.Team",
		    RESPITE_CH_CHAT, T0 + 660000 },
		{ RESPITE_WEBHOOK_IGNORED, RESPITE_EV_NONE, NULL, NULL, 0, 0 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_BREAK_START, "alice",
		    "phone-de", RESPITE_CH_NONE, T0 + 1200000 },
		{ RESPITE_WEBHOOK_OK, RESPITE_EV_AGENT_LOGOUT, "alice",
		    "phone-de", RESPITE_CH_NONE, T0 + 1500000 },
	};
	char		*ids[11];
	struct wht	*t;
	char		*body;
	size_t		 len, i;

	(void)state;
	t = START(conf_signed);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		body = own(files[i], &len);
		if (post_signed(t, body, len) != want[i].status)
			fail_msg("%s: status %d (%s)", files[i], t->status,
			    t->error != NULL ? t->error : "");
		ids[i] = NULL;
		if (want[i].status != RESPITE_WEBHOOK_OK) {
			assert_int_equal(t->n, 0);
			assert_string_equal(t->error,
			    "EventType task.created is not used");
			free(body);
			continue;
		}
		if (t->n != 1)
			fail_msg("%s: %zu events", files[i], t->n);
		assert_int_equal(t->ev[0].ev.type, want[i].type);
		assert_string_equal(t->ev[0].ev.agent, want[i].agent);
		assert_string_equal(t->ev[0].ev.team, want[i].team);
		assert_int_equal(t->ev[0].ev.channel, want[i].ch);
		assert_int_equal(t->ev[0].ev.ts_ms, want[i].ts);
		assert_non_null(ids[i] = strdup(t->ev[0].ev.id));
		if (want[i].type == RESPITE_EV_TICKET_ASSIGNED ||
		    want[i].type == RESPITE_EV_TICKET_HANDLED)
			assert_int_equal(strncmp(t->ev[0].ev.ticket, "WT", 2),
			    0);
		else
			assert_string_equal(t->ev[0].ev.ticket, "");
		free(body);
	}
	/* Reservation ids: from ReservationSid, not the callback's Sid. */
	assert_string_equal(ids[1],
	    "twilio:WR7c92cf1eee8d99cc85f8355a3d6e4b86:assigned");
	assert_string_equal(ids[2],
	    "twilio:WR7c92cf1eee8d99cc85f8355a3d6e4b86:handled");
	/* wrap-up then completed: one handled (the second a duplicate). */
	assert_string_equal(ids[3], ids[2]);
	/* Activity changes: the callback's Sid. */
	assert_int_equal(strncmp(ids[0], "twilio:EV", 9), 0);
	assert_int_equal(strlen(ids[0]), 7 + 34);
	assert_string_not_equal(ids[4], ids[5]);
	for (i = 0; i < 11; i++)
		free(ids[i]);
	wht_free(t);
}

static void
test_duration(void **state)
{
	struct wht	*t;
	char		*acc, *wrap, *done, *v;
	size_t		 alen, wlen, dlen;

	(void)state;
	t = START(conf_plain);
	acc = own("02-alice-accepted.form", &alen);
	wrap = own("03-alice-wrapup.form", &wlen);
	done = own("04-alice-completed.form", &dlen);
	/* Accepted then wrap-up: the time between, to the ms. */
	assert_int_equal(wht_post(t, acc, alen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(wht_post(t, wrap, wlen, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[0].ev.duration_s == 312.5);
	/* A redelivery of the wrap-up has the same id and time. */
	assert_int_equal(wht_post(t, wrap, wlen, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[0].ev.duration_s == 312.5);
	wht_free(t);

	/* Without the accepted time (a restart): TaskAge. */
	t = START(conf_plain);
	assert_int_equal(wht_post(t, done, dlen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_true(t->ev[0].ev.duration_s == 380);
	v = form_set(done, "TaskAge", NULL);
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[0].ev.duration_s == 0);
	free(v);
	/* Longer than max_duration (2 h): not one stretch of work. */
	v = form_set(done, "TaskAge", "7201");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[0].ev.duration_s == 0);
	free(v);
	v = form_set(done, "TaskAge", "-5");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[0].ev.duration_s == 0);
	free(v);
	/* Without TimestampMs: Timestamp, in seconds. */
	v = form_set(done, "TimestampMs", NULL);
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->ev[0].ev.ts_ms, T0 + 432000);
	free(v);
	/* Neither: the time of receipt (0 to the daemon). */
	{
		char	*w = form_set(done, "TimestampMs", "soon");

		v = form_set(w, "Timestamp", NULL);
		assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
		assert_int_equal(t->ev[0].ev.ts_ms, 0);
		free(v);
		free(w);
	}
	/* No usable ReservationSid: ignored. */
	v = form_set(done, "ReservationSid", "WR%2F..%2Fx");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_IGNORED);
	assert_string_equal(t->error,
	    "reservation.completed without a ReservationSid");
	free(v);
	free(acc);
	free(wrap);
	free(done);
	wht_free(t);
}

static void
test_channels(void **state)
{
	static const struct {
		const char		*name;
		enum respite_channel	 ch;
	} map[] = {
		{ "voice", RESPITE_CH_PHONE }, { "chat", RESPITE_CH_CHAT },
		{ "sms", RESPITE_CH_MESSAGING },
		{ "whatsapp", RESPITE_CH_MESSAGING },
		{ "email", RESPITE_CH_EMAIL }, { "default", RESPITE_CH_OTHER },
		{ "video", RESPITE_CH_OTHER }, { NULL, RESPITE_CH_OTHER },
	};
	struct wht	*t;
	char		*body, *v;
	size_t		 len, i;

	(void)state;
	t = START(conf_plain);
	body = own("02-alice-accepted.form", &len);
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		v = form_set(body, "TaskChannelUniqueName", map[i].name);
		assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
		assert_int_equal(t->ev[0].ev.channel, map[i].ch);
		free(v);
	}
	free(body);
	wht_free(t);
}

/* Post the activity change from prev to now; expect n events. */
static void
activity(struct wht *t, const char *body, const char *prev,
    const char *now, int status, size_t n)
{
	char	*a, *b;

	a = form_set(body, "WorkerPreviousActivityName", prev);
	b = form_set(a, "WorkerActivityName", now);
	if (wht_post_str(t, b, NOW) != status || t->n != n)
		fail_msg("%s -> %s: status %d, %zu events (%s)",
		    prev != NULL ? prev : "(none)", now != NULL ? now : "(none)",
		    t->status, t->n, t->error != NULL ? t->error : "");
	free(a);
	free(b);
}

static void
test_activities(void **state)
{
	static const char *const conf[] = { "url", URL, "break_activities",
	    "Coffee, Lunch", "available_activities", "Available, Backoffice",
	    NULL };
	struct wht	*t;
	char		*body;
	size_t		 len;

	(void)state;
	t = START(conf_plain);
	body = own("05-alice-break.form", &len);
	activity(t, body, "Available", "Offline", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_AGENT_LOGOUT);
	activity(t, body, "Break", "offline", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_AGENT_LOGOUT);
	activity(t, body, "Available", "Lunch", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_BREAK_START);
	/* Unavailable and unknown activities take no contacts: a break. */
	activity(t, body, "Available", "Training", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_BREAK_START);
	/* Offline to a break: a login, then the break. */
	activity(t, body, "Offline", "Break", RESPITE_WEBHOOK_OK, 2);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_AGENT_LOGIN);
	assert_int_equal(t->ev[1].ev.type, RESPITE_EV_BREAK_START);
	assert_string_equal(t->ev[0].ev.id,
	    "twilio:EV72baa9d520b127dd4ab03ff904cc1959:login");
	assert_string_equal(t->ev[1].ev.id,
	    "twilio:EV72baa9d520b127dd4ab03ff904cc1959");
	activity(t, body, "Unavailable", "Available", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_BREAK_END);
	/* Without the previous activity: a login (it may be the first). */
	activity(t, body, NULL, "Available", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_AGENT_LOGIN);
	activity(t, body, "Available", "Available", RESPITE_WEBHOOK_IGNORED,
	    0);
	assert_string_equal(t->error,
	    "activity Available after Available: both available");
	activity(t, body, "Available", NULL, RESPITE_WEBHOOK_IGNORED, 0);
	wht_free(t);

	/* The lists are configurable. */
	t = START(conf);
	activity(t, body, "Backoffice", "Available", RESPITE_WEBHOOK_IGNORED,
	    0);
	activity(t, body, "Available", "Break", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_BREAK_START);
	activity(t, body, "Coffee", "Backoffice", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_BREAK_END);
	free(body);
	wht_free(t);
}

static void
test_agents(void **state)
{
	static const char *const by_email[] = { "url", URL, "agent_field",
	    "email", NULL };
	static const char *const with_team[] = { "url", URL, "team",
	    "phone-1", NULL };
	static const char *const mapped[] = { "url", URL, "agents",
	    TEST_DATA "/agents.txt", "unmapped", "ignore", NULL };
	struct wht	*t;
	char		*body, *v;
	size_t		 len;

	(void)state;
	body = own("08-juergen-completed-chat.form", &len);
	t = START(by_email);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "juergen.weiss@acme.example");
	assert_string_equal(t->ev[0].ev.team, "Chat.Team");
	/* Without attributes: WorkerName, and no team. */
	v = form_set(body, "WorkerAttributes", NULL);
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent,
	    "juergen-2Eweiss-40acme-2Eexample");
	assert_string_equal(t->ev[0].ev.team, "");
	free(v);
	/* Attributes that are not JSON are as good as none. */
	v = form_set(body, "WorkerAttributes", "%7Bteam");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.team, "");
	free(v);
	/* No worker at all. */
	v = form_set(body, "WorkerAttributes", NULL);
	{
		char	*w = form_set(v, "WorkerName", NULL), *x;

		x = form_set(w, "WorkerSid", NULL);
		assert_int_equal(wht_post_str(t, x, NOW),
		    RESPITE_WEBHOOK_IGNORED);
		assert_string_equal(t->error,
		    "the payload names no usable agent");
		free(w);
		free(x);
	}
	free(v);
	wht_free(t);

	/* [plugin.twilio] team when the attributes have none. */
	t = START(with_team);
	v = form_set(body, "WorkerAttributes", "%7B%7D");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.team, "phone-1");
	free(v);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.team, "Chat.Team");
	wht_free(t);

	/* An agents file maps, and its team wins; others are ignored. */
	t = START(mapped);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_IGNORED);
	assert_string_equal(t->error, "the agent is not in the agents file");
	v = form_set(body, "WorkerSid", "381234567");
	assert_int_equal(wht_post_str(t, v, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "lena");
	assert_string_equal(t->ev[0].ev.team, "phone-1");
	free(v);
	wht_free(t);
	free(body);
}

static void
test_config(void **state)
{
	static const char *const bad[][7] = {
		{ NULL },
		{ "url", "respite.example/v1/webhooks/twilio", NULL },
		{ "url", "https://respite.example/v1/web hooks", NULL },
		{ "url", URL, "team", "phone team", NULL },
		{ "url", URL, "secret", "", NULL },
		{ "url", URL, "color", "blue", NULL },
		{ "url", URL, "break_activities", "a,b,c,d,e,f,g,h,i,j,k,l,m,"
		    "n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F,G", NULL },
	};
	static const char *const want[] = { "url: expected the public URL",
	    "url: expected", "url: expected", "team: \"phone team\"",
	    "secret: must not be empty", "unknown key \"color\"",
	    "break_activities: expected at most 32" };
	struct wht	 t;
	char		*error;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(wht_init(&t, &respite_plugin, bad[i], &error),
		    -1);
		if (error == NULL || strstr(error, want[i]) == NULL)
			fail_msg("case %zu: %s", i, error);
		free(error);
	}
	assert_int_equal(wht_init(&t, &respite_plugin, conf_signed, &error),
	    0);
	t.pl->fini(t.instance);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_url_variant),
		cmocka_unit_test(test_signature_example),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_activities),
		cmocka_unit_test(test_agents),
		cmocka_unit_test(test_config),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
