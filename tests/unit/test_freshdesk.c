/*
 * Unit tests for plugins/freshdesk: the captured Freshdesk bodies of
 * ../shared/data/webhooks/freshdesk (read from $SHARED_DATA; skipped with
 * a message when absent), which name no agent and are ignored, the same
 * with the agent our docs/helpdesks.md body adds, our own created / reply /
 * resolved bodies, and the shared-secret header.
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
	static const struct {
		const char	*file;
		const char	*reason;
	} files[] = {
		{ "ticket_created.json", "ticket 11 has no agent in the "
		    "payload" },
		{ "ticket_created_inline_images.json", "ticket 12 has no agent "
		    "in the payload" },
		{ "note_public.json", "a note (notes are written by agents)" },
		{ "note_private.json", "a note (notes are written by agents)" },
		{ "status_changed.json", "triggered_event {status:{from:4,to:6}} "
		    "is not used" },
		{ "priority_changed.json", "triggered_event "
		    "{priority:{from:3,to:1}} is not used" },
		{ "trigger_webhook.template.json", "no ticket_id" },
	};
	struct wht	*t;
	char		*body, name[128];
	size_t		 len, i;

	(void)state;
	t = START(NULL);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(name, sizeof name, "freshdesk/%s", files[i].file);
		if ((body = wht_load(name, &len)) == NULL) {
			wht_free(t);
			WHT_SKIP_NO_SHARED();
		}
		assert_int_equal(wht_post(t, body, len, NOW),
		    RESPITE_WEBHOOK_IGNORED);
		assert_int_equal(t->n, 0);
		if (t->error == NULL || strstr(t->error, files[i].reason) ==
		    NULL)
			fail_msg("%s: reason \"%s\"", name, t->error);
		free(body);
	}
	wht_free(t);
}

static void
test_samples_with_agent(void **state)
{
	struct wht	*t;
	char		*body, *v;
	size_t		 len, vlen;

	(void)state;
	if ((body = wht_load("freshdesk/ticket_created.json", &len)) == NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);
	v = wht_json_edit(body, len, "freshdesk_webhook.ticket_agent_email",
	    "\"Tom@Acme.Example\"", &vlen);
	assert_int_equal(wht_post(t, v, vlen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 2);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "tom@acme.example");
	assert_string_equal(t->ev[0].ev.ticket, "11");
	assert_string_equal(t->ev[0].ev.id,
	    "freshdesk:11:assigned:Tom@Acme.Example");
	assert_int_equal(t->ev[0].ev.ts_ms, 0);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_OTHER);
	assert_int_equal(t->ev[1].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[1].ev.id, "freshdesk:11:description");
	assert_string_equal(t->ev[1].text, "Test ticket description ☃.");
	free(v);
	free(body);

	assert_non_null(body = wht_load(
	    "freshdesk/ticket_created_inline_images.json", &len));
	VARIANT(t, body, len, "freshdesk_webhook.ticket_agent_name",
	    "\"Tom Agent\"", RESPITE_WEBHOOK_OK, 2);
	assert_string_equal(t->ev[0].ev.agent, "Tom.Agent");
	assert_string_equal(t->ev[1].text, "There are too many cat pictures "
	    "on the internet ☃. We need more guinea pigs. Exhibit 1:");
	free(body);

	/* Status changes, with an agent. */
	assert_non_null(body = wht_load("freshdesk/status_changed.json",
	    &len));
	v = wht_json_edit(body, len, "freshdesk_webhook.ticket_agent_id", "42",
	    &vlen);
	assert_int_equal(wht_post(t, v, vlen, NOW), RESPITE_WEBHOOK_IGNORED);
	VARIANT(t, v, vlen, "freshdesk_webhook.triggered_event",
	    "\"{status:{from:2,to:4}}\"", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(t->ev[0].ev.agent, "42");
	assert_string_equal(t->ev[0].ev.id, "freshdesk:11:resolved");
	assert_true(t->ev[0].ev.duration_s == 0);
	VARIANT(t, v, vlen, "freshdesk_webhook.triggered_event",
	    "\"{status:{from:2,to:5}}\"", RESPITE_WEBHOOK_OK, 1);
	VARIANT(t, v, vlen, "freshdesk_webhook.triggered_event",
	    "\"{status:{from:4,to:5}}\"", RESPITE_WEBHOOK_IGNORED, 0);
	assert_string_equal(t->error, "ticket 11 closed after it was resolved: "
	    "counted then");
	VARIANT(t, v, vlen, "freshdesk_webhook.triggered_event",
	    "\"{responder_id:{from:null,to:42}}\"", RESPITE_WEBHOOK_OK, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	free(v);
	free(body);
	wht_free(t);
}

static void
test_own(void **state)
{
	struct wht	*t;
	char		*body, id[RESPITE_ID_MAX + 1];
	size_t		 len;

	(void)state;
	t = START(NULL);
	body = wht_load_own("freshdesk-created-agent.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 2);
	assert_string_equal(t->ev[0].ev.agent, "tom@acme.example");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_CHAT);
	assert_string_equal(t->ev[1].text, "I want my money back – now.");
	VARIANT(t, body, len, "freshdesk_webhook.respite_event",
	    "\"ticket.solved\"", RESPITE_WEBHOOK_BAD, 0);
	assert_non_null(strstr(t->error, "respite_event: expected"));
	free(body);

	body = wht_load_own("freshdesk-reply.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_EMAIL);
	/* The placeholder's "Name : " is not the message. */
	assert_string_equal(t->ev[0].text,
	    "Still nothing. You people are a disgrace.");
	assert_int_equal(strncmp(t->ev[0].ev.id, "freshdesk:21:reply:", 19),
	    0);
	assert_int_equal(strlen(t->ev[0].ev.id), 19 + 16);
	snprintf(id, sizeof id, "%s", t->ev[0].ev.id);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.id, id);
	free(body);

	body = wht_load_own("freshdesk-resolved.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_PHONE);
	assert_true(t->ev[0].ev.duration_s == 420);
	/* Without the wrapper object, too. */
	assert_int_equal(wht_post_str(t, "{\"ticket_id\": 5, "
	    "\"triggered_event\": \"{status:{from:3,to:4}}\", "
	    "\"agent_email\": \"a@b.example\"}", NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "a@b.example");
	assert_int_equal(wht_post_str(t, "{\"freshdesk_webhook\": ", NOW),
	    RESPITE_WEBHOOK_BAD);
	wht_free(t);
	free(body);
}

static void
test_secret(void **state)
{
	struct wht	*t, t2;
	char		*body, *error;
	size_t		 len;

	(void)state;
	body = wht_load_own("freshdesk-resolved.json", &len);
	t = START((const char *const[]){ "secret", "fd shared secret", NULL });
	wht_header(t, "X-Respite-Secret", "fd shared secret");
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_clear(t);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "X-Respite-Secret is missing"));
	wht_header(t, "X-Respite-Secret", "fd shared secre");
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_non_null(strstr(t->error, "does not match"));
	assert_int_equal(t->n, 0);
	wht_free(t);

	t = START((const char *const[]){ "secret", "x", "secret_header",
	    "X-Freshdesk-Token", NULL });
	wht_header(t, "x-freshdesk-token", "x");
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_free(t);

	assert_int_equal(wht_init(&t2, &respite_plugin, (const char *const[]){
	    "secret_header", "Authorization", NULL }, &error), -1);
	assert_non_null(strstr(error, "secret_header: expected a header name"));
	free(error);
	assert_int_equal(wht_init(&t2, &respite_plugin, (const char *const[]){
	    "secret_header", "X Bad", NULL }, &error), -1);
	free(error);
	assert_int_equal(wht_init(&t2, &respite_plugin, (const char *const[]){
	    "secret_headers", "X", NULL }, &error), -1);
	assert_non_null(strstr(error, "(known: secret, secret_file, "
	    "agent_field, agents, unmapped, max_age, max_duration, "
	    "secret_header)"));
	free(error);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_samples_with_agent),
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_secret),
	};

	return (cmocka_run_group_tests_name("freshdesk", tests, NULL, NULL));
}
