/*
 * Unit tests for plugins/chatwoot: the payloads of
 * ../shared/data/webhooks/chatwoot (read from $SHARED_DATA; skipped with
 * a message when absent), including the doc samples that are not JSON,
 * variants of them for every rule, our own hostile WhatsApp message, and
 * X-Chatwoot-Signature over "timestamp.body" with its freshness window.
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

#include "wh_test.h"

extern const struct respite_plugin respite_plugin;

#define NOW	1772445600000LL		/* 2026-03-02T10:00:00Z */

static void
test_samples(void **state)
{
	struct wht	*t;
	char		*body;
	size_t		 len;

	(void)state;
	if ((body = wht_load("chatwoot/message_created.filled-example.json",
	    &len)) == NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[0].ev.agent, "agent@example.com");
	assert_string_equal(t->ev[0].ev.ticket, "42");
	assert_string_equal(t->ev[0].ev.id, "chatwoot:message:101");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_CHAT);
	assert_int_equal(t->ev[0].ev.ts_ms, 1583240757000LL);
	assert_string_equal(t->ev[0].text, "Hi");
	free(body);

	assert_non_null(body = wht_load(
	    "chatwoot/conversation_updated.filled-example.json", &len));
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "agent@example.com");
	assert_string_equal(t->ev[0].ev.ticket, "42");
	assert_string_equal(t->ev[0].ev.id, "chatwoot:42:assigned:1");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_CHAT);
	assert_int_equal(t->ev[0].ev.ts_ms, 1583240757000LL);
	free(body);

	assert_non_null(body = wht_load(
	    "chatwoot/conversation_status_changed.filled-example.json", &len));
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(t->ev[0].ev.agent, "agent@example.com");
	assert_string_equal(t->ev[0].ev.id,
	    "chatwoot:42:resolved:1583240757000");
	/* A chat: from its first message to the resolution, here 0 s. */
	assert_true(t->ev[0].ev.duration_s == 0);
	free(body);

	/* The documentation's annotated sample is not JSON. */
	assert_non_null(body = wht_load(
	    "chatwoot/message_created.doc-sample.annotated.jsonc", &len));
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_BAD);
	assert_non_null(strstr(t->error, "the payload is not JSON: line 3"));
	free(body);
	wht_free(t);
}

static void
test_doc_templates(void **state)
{
	static const char *const files[] = {
		"conversation_created", "conversation_status_changed",
		"conversation_updated", "generic_event", "message_created",
		"message_updated", "object_account", "object_contact",
		"object_conversation", "object_inbox", "object_message",
		"object_user", "webwidget_triggered",
	};
	struct wht	*t;
	char		*body, name[128];
	size_t		 len, i;
	int		 rc;

	(void)state;
	t = START(NULL);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(name, sizeof name, "chatwoot/doc-templates/"
		    "%s.template.jsonc", files[i]);
		if ((body = wht_load(name, &len)) == NULL) {
			wht_free(t);
			WHT_SKIP_NO_SHARED();
		}
		rc = wht_post(t, body, len, NOW);
		if (rc != RESPITE_WEBHOOK_BAD && rc != RESPITE_WEBHOOK_IGNORED)
			fail_msg("%s: status %d", name, rc);
		assert_int_equal(t->n, 0);
		free(body);
	}
	/* A template valid as JSON says what it lacks. */
	assert_non_null(body = wht_load("chatwoot/doc-templates/"
	    "object_user.template.jsonc", &len));
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_string_equal(t->error, "no \"event\": not a Chatwoot webhook");
	free(body);
	wht_free(t);
}

static void
sign(struct wht *t, const char *secret, long long ts, const char *body,
    size_t len)
{
	char	tsbuf[32], hex[65], sig[80], *msg;
	size_t	n;

	snprintf(tsbuf, sizeof tsbuf, "%lld", ts);
	n = strlen(tsbuf) + 1 + len;
	assert_non_null(msg = malloc(n + 1));
	snprintf(msg, n + 1, "%s.", tsbuf);
	memcpy(msg + strlen(tsbuf) + 1, body, len);
	wht_hmac_hex(256, secret, msg, n, "", 0, hex);
	free(msg);
	snprintf(sig, sizeof sig, "sha256=%s", hex);
	wht_header(t, "X-Chatwoot-Timestamp", tsbuf);
	wht_header(t, "X-Chatwoot-Signature", sig);
}

static void
test_signature(void **state)
{
	struct wht	*t;
	char		*body;
	const char	*known = "{\"event\":\"message_updated\"}";
	size_t		 len;
	long long	 now_s = NOW / 1000;

	(void)state;
	body = wht_load_own("chatwoot-hostile.json", &len);
	t = START((const char *const[]){ "secret", "cw-secret", NULL });

	/* Known answer, from openssl dgst -sha256 -hmac cw-secret. */
	wht_header(t, "X-Chatwoot-Timestamp", "1772445600");
	wht_header(t, "X-Chatwoot-Signature", "sha256=7099c323eb6e2dffa0a845"
	    "bbc0fff3ca2abdf53170dd02243351cdc0ac1d4329");
	assert_int_equal(wht_post_str(t, known, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	wht_clear(t);

	sign(t, "cw-secret", now_s, body, len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	wht_clear(t);
	/* Five minutes old is fine, five minutes and a second is not. */
	sign(t, "cw-secret", now_s - 300, body, len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_clear(t);
	sign(t, "cw-secret", now_s - 301, body, len);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_int_equal(t->n, 0);
	assert_non_null(strstr(t->error, "301 s old, more than max_age"));
	wht_clear(t);
	/* 30 s ahead is a clock off a little; 31 s is refused. */
	sign(t, "cw-secret", now_s + 30, body, len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_clear(t);
	sign(t, "cw-secret", now_s + 31, body, len);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	/* Another secret; another time stamp than the one signed. */
	sign(t, "other", now_s, body, len);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Chatwoot-Signature does not "
	    "match"));
	wht_clear(t);
	sign(t, "cw-secret", now_s, body, len);
	free(t->hvalue[0]);
	assert_non_null(t->hvalue[0] = strdup("1772445601"));
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	/* Missing headers, a time stamp that is no number. */
	wht_header(t, "X-Chatwoot-Timestamp", "1772445600");
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Chatwoot-Signature is missing"));
	wht_clear(t);
	wht_header(t, "X-Chatwoot-Timestamp", "yesterday");
	wht_header(t, "X-Chatwoot-Signature", "sha256=00");
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "expected Unix seconds"));
	wht_free(t);

	/* max_age = 0: no freshness window. */
	t = START((const char *const[]){ "secret", "cw-secret", "max_age",
	    "0", NULL });
	sign(t, "cw-secret", now_s - 86400 * 30, body, len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_free(t);
	free(body);
}

static void
test_own_hostile(void **state)
{
	struct wht	*t;
	char		*body;
	size_t		 len;

	(void)state;
	body = wht_load_own("chatwoot-hostile.json", &len);
	t = START(NULL);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[0].ev.agent, "mia@acme.example");
	assert_string_equal(t->ev[0].ev.ticket, "314");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_MESSAGING);
	assert_int_equal(t->ev[0].ev.ts_ms, 1772442000000LL);
	/* The quoted line is not the customer's new text. */
	assert_string_equal(t->ev[0].text,
	    "You useless idiot, I will find you.");
	wht_free(t);
	t = START((const char *const[]){ "agent_field", "name", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "Mia.Kovac");
	wht_free(t);
	free(body);
}

static void
test_message_rules(void **state)
{
	static const struct {
		const char		*channel;
		enum respite_channel	 want;
	} channels[] = {
		{ "\"Channel::Email\"", RESPITE_CH_EMAIL },
		{ "\"Channel::Api\"", RESPITE_CH_OTHER },
		{ "\"Channel::Voice\"", RESPITE_CH_PHONE },
		{ "\"Channel::FacebookPage\"", RESPITE_CH_SOCIAL },
		{ "\"Channel::TwitterProfile\"", RESPITE_CH_SOCIAL },
		{ "\"Channel::Instagram\"", RESPITE_CH_SOCIAL },
		{ "\"Channel::Telegram\"", RESPITE_CH_MESSAGING },
		{ "\"Channel::Line\"", RESPITE_CH_MESSAGING },
		{ "\"Channel::Sms\"", RESPITE_CH_MESSAGING },
		{ "\"Channel::TwilioSms\"", RESPITE_CH_MESSAGING },
		{ "\"Channel::WebWidget\"", RESPITE_CH_CHAT },
	};
	struct wht	*t;
	char		*body, *v;
	size_t		 len, vlen, i;

	(void)state;
	body = wht_load_own("chatwoot-hostile.json", &len);
	t = START(NULL);
	VARIANT(t, body, len, "message_type", "\"outgoing\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "not an incoming message (outgoing, "
	    "activity or template)");
	VARIANT(t, body, len, "message_type", "1", RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "message_type", "\"activity\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "message_type", "0", RESPITE_WEBHOOK_OK, 1);
	VARIANT(t, body, len, "private", "true", RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "a private note");
	VARIANT(t, body, len, "conversation.meta", "{}",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "conversation 314 has no assignee");
	/* No meta but an assignee_id: the id names the agent. */
	v = wht_json_edit(body, len, "conversation.meta", NULL, &vlen);
	VARIANT(t, v, vlen, "conversation.assignee_id", "12",
	    RESPITE_WEBHOOK_OK, 1);
	assert_string_equal(t->ev[0].ev.agent, "12");
	free(v);
	/* An attachment without text still counts as a message. */
	VARIANT(t, body, len, "content", "null", RESPITE_WEBHOOK_OK, 1);
	assert_null(t->ev[0].text);
	/* HTML content is made plain. */
	VARIANT(t, body, len, "content", "\"<p>Hello <b>there</b></p>\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_string_equal(t->ev[0].text, "Hello there");
	VARIANT(t, body, len, "id", NULL, RESPITE_WEBHOOK_BAD, 0);
	assert_string_equal(t->error, "message_created: expected the message's "
	    "id and conversation.id");
	VARIANT(t, body, len, "event", "\"message_updated\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "event \"message_updated\" is not used");
	for (i = 0; i < sizeof channels / sizeof channels[0]; i++) {
		VARIANT(t, body, len, "conversation.channel",
		    channels[i].channel, RESPITE_WEBHOOK_OK, 1);
		if (t->ev[0].ev.channel != channels[i].want)
			fail_msg("%s: channel %d, expected %d",
			    channels[i].channel, t->ev[0].ev.channel,
			    channels[i].want);
	}
	wht_free(t);
	free(body);
}

static void
test_conversation_rules(void **state)
{
	struct wht	*t;
	char		*body, *created, *v;
	size_t		 len, clen, vlen;

	(void)state;
	if ((body = wht_load(
	    "chatwoot/conversation_status_changed.filled-example.json",
	    &len)) == NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);

	/* Resolved, with a created_at: the chat's span. */
	VARIANT(t, body, len, "created_at", "1583240157",
	    RESPITE_WEBHOOK_OK, 1);
	assert_true(t->ev[0].ev.duration_s == 600);
	/* Resolved with an updated_at: that is the time. */
	VARIANT(t, body, len, "updated_at", "\"2020-03-03T13:20:00Z\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.ts_ms, wht_ms("2020-03-03T13:20:00Z"));
	assert_true(t->ev[0].ev.duration_s == 843);	/* from 13:05:57 */
	/*
	 * A messaging thread resolved 26 h after it was opened: with
	 * max_duration at two days it is handling time (issue 13).
	 */
	wht_free(t);
	t = START((const char *const[]){ "max_duration", "172800", NULL });
	VARIANT(t, body, len, "created_at", "1583147157", RESPITE_WEBHOOK_OK,
	    1);
	assert_true(t->ev[0].ev.duration_s == 93600);
	wht_free(t);
	t = START(NULL);
	/* Back to open: nothing. */
	VARIANT(t, body, len, "status", "\"open\"", RESPITE_WEBHOOK_IGNORED,
	    0);
	assert_string_equal(t->error, "conversation_status_changed: neither "
	    "an assignment nor a resolution");
	VARIANT(t, body, len, "meta.assignee", NULL, RESPITE_WEBHOOK_IGNORED,
	    0);
	assert_string_equal(t->error, "conversation 42 has no assignee");

	/* conversation_created with an assignee. */
	created = wht_json_edit(body, len, "event", "\"conversation_created\"",
	    &clen);
	VARIANT(t, created, clen, "status", "\"open\"", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.id, "chatwoot:42:assigned:1");
	VARIANT(t, created, clen, "meta.assignee", NULL,
	    RESPITE_WEBHOOK_IGNORED, 0);
	free(created);

	/* conversation_updated: status to resolved is the same handling. */
	v = wht_json_edit(body, len, "event", "\"conversation_updated\"",
	    &vlen);
	VARIANT(t, v, vlen, "changed_attributes",
	    "[{\"status\": {\"current_value\": \"resolved\", "
	    "\"previous_value\": \"open\"}}]", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(t->ev[0].ev.id,
	    "chatwoot:42:resolved:1583240757000");
	VARIANT(t, v, vlen, "changed_attributes",
	    "[{\"assignee_id\": {\"current_value\": 1, \"previous_value\": 2}},"
	    " {\"status\": {\"current_value\": \"resolved\"}}]",
	    RESPITE_WEBHOOK_OK, 2);
	VARIANT(t, v, vlen, "changed_attributes",
	    "[{\"assignee_id\": {\"current_value\": null, "
	    "\"previous_value\": 1}}]", RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, v, vlen, "changed_attributes",
	    "[{\"priority\": {\"current_value\": \"high\"}}]",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, v, vlen, "id", NULL, RESPITE_WEBHOOK_BAD, 0);
	free(v);
	VARIANT(t, body, len, "event", "\"webwidget_triggered\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "event", NULL, RESPITE_WEBHOOK_IGNORED, 0);
	wht_free(t);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_doc_templates),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_own_hostile),
		cmocka_unit_test(test_message_rules),
		cmocka_unit_test(test_conversation_rules),
	};

	return (cmocka_run_group_tests_name("chatwoot", tests, NULL, NULL));
}
