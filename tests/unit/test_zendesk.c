/*
 * Unit tests for plugins/zendesk: the trigger bodies of
 * ../shared/data/webhooks/zendesk (read from $SHARED_DATA; skipped with
 * a message when absent) and variants of them, our own event-webhook
 * envelopes (assignment, comment, solved) and trigger message body, and
 * X-Zendesk-Webhook-Signature (base64 HMAC-SHA256 of timestamp and body).
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
test_trigger_samples(void **state)
{
	struct wht	*t;
	char		*body, agents[4096];
	size_t		 len;

	(void)state;
	if ((body = wht_load("zendesk/trigger_ticket_create_update.json",
	    &len)) == NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);
	/* Open, assigned to a name only: assigned, at the time of receipt. */
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "Apoorva.Pendse");
	assert_string_equal(t->ev[0].ev.ticket, "7");
	assert_string_equal(t->ev[0].ev.id, "zendesk:7:assigned:Apoorva "
	    "Pendse");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_OTHER);
	assert_int_equal(t->ev[0].ev.ts_ms, 0);
	free(body);

	assert_non_null(body = wht_load(
	    "zendesk/trigger_user_provided_message.json", &len));
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_non_null(strstr(t->error, "no ticket_id"));
	free(body);
	/* The template, placeholders unrendered: nothing to use. */
	assert_non_null(body = wht_load("zendesk/trigger_ticket.template.json",
	    &len));
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_int_equal(t->n, 0);
	free(body);
	wht_free(t);

	/* Mapped by name through the agents file. */
	snprintf(agents, sizeof agents, "%s/agents.txt", TEST_DATA);
	t = START((const char *const[]){ "agents", agents, "agent_field",
	    "name", NULL });
	assert_non_null(body = wht_load(
	    "zendesk/trigger_ticket_create_update.json", &len));
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "apoorva");
	wht_free(t);
	free(body);
}

static void
test_trigger_rules(void **state)
{
	struct wht	*t;
	char		*body, *v, *v2;
	size_t		 len, vlen, v2len;

	(void)state;
	if ((body = wht_load("zendesk/trigger_ticket_create_update.json",
	    &len)) == NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);
	VARIANT(t, body, len, "ticket_status", "\"Solved\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(t->ev[0].ev.id, "zendesk:7:solved");
	assert_true(t->ev[0].ev.duration_s == 0);
	VARIANT(t, body, len, "ticket_status", "\"Closed\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "ticket 7 is closed: it was counted "
	    "when solved");
	VARIANT(t, body, len, "assignee_full_name", NULL,
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "ticket 7 has no assignee");
	VARIANT(t, body, len, "assignee_full_name", "\"\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "assignee_email", "\"Apoorva@Example.ORG\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_string_equal(t->ev[0].ev.agent, "apoorva@example.org");
	VARIANT(t, body, len, "respite_event", "\"ticket.handled\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	VARIANT(t, body, len, "respite_event", "\"ticket.assigned\"",
	    RESPITE_WEBHOOK_OK, 1);
	VARIANT(t, body, len, "respite_event", "\"ticket.closed\"",
	    RESPITE_WEBHOOK_BAD, 0);
	assert_non_null(strstr(t->error, "respite_event: expected"));

	/* A phone ticket with times: the span; accounted time wins. */
	v = wht_json_edit(body, len, "ticket_status", "\"solved\"", &vlen);
	v2 = wht_json_edit(v, vlen, "ticket_via", "\"Phone call (incoming)\"",
	    &v2len);
	free(v);
	v = wht_json_edit(v2, v2len, "created_at",
	    "\"2026-03-02T09:50:00Z\"", &vlen);
	free(v2);
	VARIANT(t, v, vlen, "updated_at", "\"2026-03-02T09:58:20Z\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_PHONE);
	assert_true(t->ev[0].ev.duration_s == 500);
	assert_int_equal(t->ev[0].ev.ts_ms, wht_ms("2026-03-02T09:58:20Z"));
	assert_string_equal(t->ev[0].ev.id, "zendesk:7:solved:1772445500000");
	VARIANT(t, v, vlen, "time_spent_s", "\"1200\"", RESPITE_WEBHOOK_OK,
	    1);
	assert_true(t->ev[0].ev.duration_s == 1200);
	/* A thread handled after 26 h keeps its time (issue 13). */
	VARIANT(t, v, vlen, "time_spent_s", "\"92982\"", RESPITE_WEBHOOK_OK,
	    1);
	assert_true(t->ev[0].ev.duration_s == 92982);
	free(v);
	wht_free(t);
	free(body);
}

static void
test_trigger_message(void **state)
{
	struct wht	*t;
	char		*body, id[RESPITE_ID_MAX + 1];
	size_t		 len;

	(void)state;
	body = wht_load_own("zendesk-trigger-message.json", &len);
	t = START(NULL);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[0].ev.agent, "priya@support.example");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_EMAIL);
	assert_int_equal(t->ev[0].ev.ts_ms, NOW);
	/* The placeholder's rule, author and date are not the message. */
	assert_string_equal(t->ev[0].text,
	    "What a joke of a service, you morons.");
	assert_int_equal(strncmp(t->ev[0].ev.id, "zendesk:88:comment:", 19),
	    0);
	snprintf(id, sizeof id, "%s", t->ev[0].ev.id);
	/* The text itself is nowhere in the id. */
	assert_null(strstr(id, "joke"));
	assert_int_equal(wht_post(t, body, len, NOW + 60000),
	    RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.id, id);
	VARIANT(t, body, len, "comment", "\"Another message\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_string_not_equal(t->ev[0].ev.id, id);
	VARIANT(t, body, len, "comment_id", "555", RESPITE_WEBHOOK_OK, 1);
	assert_string_equal(t->ev[0].ev.id, "zendesk:88:comment:555");
	wht_free(t);
	free(body);
}

static void
test_events(void **state)
{
	struct wht	*t;
	char		*body, agents[4096];
	size_t		 len;

	(void)state;
	t = START(NULL);
	body = wht_load_own("zendesk-event-assigned.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "381234567");
	assert_string_equal(t->ev[0].ev.ticket, "4711");
	assert_string_equal(t->ev[0].ev.id,
	    "zendesk:event:6c1d2b3a-0001-4a5b-9c8d-000000000001");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_PHONE);
	assert_int_equal(t->ev[0].ev.ts_ms, wht_ms("2026-03-02T09:00:00Z"));
	VARIANT(t, body, len, "event.current", "null",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "ticket 4711 was unassigned");
	VARIANT(t, body, len, "id", NULL, RESPITE_WEBHOOK_BAD, 0);
	VARIANT(t, body, len, "detail.id", NULL, RESPITE_WEBHOOK_OK, 1);
	assert_string_equal(t->ev[0].ev.ticket, "4711");	/* subject */
	VARIANT(t, body, len, "type",
	    "\"zen:event-type:ticket.priority_changed\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "event type ticket.priority_changed is "
	    "not used");
	free(body);

	body = wht_load_own("zendesk-event-comment.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[0].ev.agent, "381234567");
	assert_string_equal(t->ev[0].text,
	    "This is the third time I call. Fix it today!!!");
	VARIANT(t, body, len, "event.comment.author.is_staff", "true",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "event.comment.is_public", "false",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "detail.assignee_id", "null",
	    RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "no agent is assigned");
	free(body);

	body = wht_load_own("zendesk-event-solved.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_int_equal(t->ev[0].ev.ts_ms, wht_ms("2026-03-02T09:12:00Z"));
	/* A call: created 08:58, solved 09:12. */
	assert_true(t->ev[0].ev.duration_s == 840);
	VARIANT(t, body, len, "event.current", "\"PENDING\"",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "event",
	    "{\"current\": \"CLOSED\", \"previous\": \"SOLVED\"}",
	    RESPITE_WEBHOOK_IGNORED, 0);
	VARIANT(t, body, len, "event",
	    "{\"current\": \"CLOSED\", \"previous\": \"OPEN\"}",
	    RESPITE_WEBHOOK_OK, 1);
	VARIANT(t, body, len, "detail.via.channel", "\"email\"",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_EMAIL);
	assert_true(t->ev[0].ev.duration_s == 0);
	/* A messaging event from the end user. */
	VARIANT(t, body, len, "event", "{\"message\": {\"id\": \"m1\", "
	    "\"body\": \"hello?\"}, \"actor\": {\"type\": \"end_user\"}}",
	    RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[0].text, "hello?");
	VARIANT(t, body, len, "event", "{\"message\": {\"id\": \"m1\", "
	    "\"body\": \"on it\"}, \"actor\": {\"type\": \"agent\"}}",
	    RESPITE_WEBHOOK_IGNORED, 0);
	wht_free(t);

	/* Zendesk ids through the agents file. */
	snprintf(agents, sizeof agents, "%s/agents.txt", TEST_DATA);
	t = START((const char *const[]){ "agents", agents, NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "lena");
	assert_string_equal(t->ev[0].ev.team, "phone-1");
	wht_free(t);
	free(body);
}

static void
test_signature(void **state)
{
	struct wht	*t;
	char		*body, b64[64];
	const char	*ts = "2026-03-02T10:00:00Z";
	size_t		 len;

	(void)state;
	t = START((const char *const[]){ "secret", "zd-secret", NULL });
	/* Known answer: openssl dgst -sha256 -hmac zd-secret -binary | base64 */
	wht_header(t, "X-Zendesk-Webhook-Signature",
	    "7zWnLNB4kqp7UOmZSErw8zigN3H2meF6q3iLPuMW0Vs=");
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", ts);
	assert_int_equal(wht_post_str(t, "{\"ticket_id\":\"1\"}", NOW),
	    RESPITE_WEBHOOK_IGNORED);
	/* Too old, by the signed time stamp. */
	assert_int_equal(wht_post_str(t, "{\"ticket_id\":\"1\"}", NOW + 301000),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "301 s old"));
	/* One byte of the body changed. */
	assert_int_equal(wht_post_str(t, "{\"ticket_id\":\"2\"}", NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Zendesk-Webhook-Signature does "
	    "not match"));
	wht_clear(t);

	body = wht_load_own("zendesk-event-solved.json", &len);
	wht_hmac_b64("zd-secret", ts, strlen(ts), body, len, b64);
	wht_header(t, "X-Zendesk-Webhook-Signature", b64);
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", ts);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_clear(t);
	/* Signed over the body alone: no. */
	wht_hmac_b64("zd-secret", "", 0, body, len, b64);
	wht_header(t, "X-Zendesk-Webhook-Signature", b64);
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", ts);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	wht_header(t, "X-Zendesk-Webhook-Signature", "!!notbase64!!");
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", ts);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	wht_header(t, "X-Zendesk-Webhook-Signature", b64);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Zendesk-Webhook-Signature-"
	    "Timestamp is missing"));
	wht_clear(t);
	/* A time stamp we cannot read: refused unless max_age = 0. */
	wht_hmac_b64("zd-secret", "Monday", 6, body, len, b64);
	wht_header(t, "X-Zendesk-Webhook-Signature", b64);
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", "Monday");
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "max_age = 0"));
	wht_free(t);
	t = START((const char *const[]){ "secret", "zd-secret", "max_age", "0",
	    NULL });
	wht_header(t, "X-Zendesk-Webhook-Signature", b64);
	wht_header(t, "X-Zendesk-Webhook-Signature-Timestamp", "Monday");
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_free(t);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trigger_samples),
		cmocka_unit_test(test_trigger_rules),
		cmocka_unit_test(test_trigger_message),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_signature),
	};

	return (cmocka_run_group_tests_name("zendesk", tests, NULL, NULL));
}
