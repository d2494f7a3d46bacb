/*
 * Unit tests for plugins/zammad: Zammad's real default trigger payload
 * and its custom-payload examples (../shared/data/webhooks/zammad, read
 * from $SHARED_DATA; skipped with a message when absent), variants made
 * from it, and payloads of our own (tests/data/webhooks/zammad-*.json)
 * for each mapping rule; X-Hub-Signature with HMACs computed here; the
 * section's keys and reload.
 */
#include "build.h"

#include <math.h>
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
test_default_payload(void **state)
{
	struct wht	*t;
	char		*body;
	size_t		 len;

	(void)state;
	if ((body = wht_load("zammad/trigger_default_payload.json", &len)) ==
	    NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 2);

	/* The owner, Emma Taylor: assigned; no last_owner_update_at. */
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "emma@chrispresso.com");
	assert_string_equal(t->ev[0].ev.ticket, "10081");
	assert_string_equal(t->ev[0].ev.id, "zammad:10081:owner:5");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_PHONE);
	assert_int_equal(t->ev[0].ev.ts_ms,
	    wht_ms("2020-11-13T14:34:35Z") + 333);

	/* The customer's article, HTML made plain, the image dropped. */
	assert_int_equal(t->ev[1].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[1].ev.agent, "emma@chrispresso.com");
	assert_string_equal(t->ev[1].ev.id, "zammad:article:104");
	assert_string_equal(t->ev[1].ev.ticket, "10081");
	assert_int_equal(t->ev[1].ev.channel, RESPITE_CH_PHONE);
	assert_int_equal(t->ev[1].ev.ts_ms,
	    wht_ms("2020-11-13T14:34:35Z") + 318);
	assert_string_equal(t->ev[1].text, "This is a simple Webhook Test.");
	assert_true(t->ev[1].ev.severity < 0);

	/* Once more: the same ids, so the daemon sees duplicates. */
	assert_int_equal(wht_post(t, body, len, NOW + 5000),
	    RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.id, "zammad:10081:owner:5");
	assert_string_equal(t->ev[1].ev.id, "zammad:article:104");

	/* agent_field = name, login. */
	wht_free(t);
	t = START((const char *const[]){ "agent_field", "name", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "Emma.Taylor");
	wht_free(t);
	t = START((const char *const[]){ "agent_field", "id", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "5");
	wht_free(t);
	free(body);
}

static void
test_signature(void **state)
{
	struct wht	*t;
	char		*body, *own, sig[64], hex[41];
	size_t		 len, olen;

	(void)state;
	own = wht_load_own("zammad-agent-reply.json", &olen);
	if ((body = wht_load("zammad/trigger_default_payload.json", &len)) ==
	    NULL) {
		body = own;
		len = olen;
		own = NULL;
	}
	t = START((const char *const[]){ "secret", "zammad hmac token",
	    NULL });
	wht_hmac_hex(1, "zammad hmac token", body, len, "", 0, hex);
	snprintf(sig, sizeof sig, "sha1=%s", hex);
	wht_header(t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->n >= 1);
	wht_clear(t);

	/* Missing. */
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_int_equal(t->n, 0);
	assert_non_null(strstr(t->error, "X-Hub-Signature is missing"));
	/* Another secret. */
	wht_hmac_hex(1, "other token", body, len, "", 0, hex);
	snprintf(sig, sizeof sig, "sha1=%s", hex);
	wht_header(t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	assert_int_equal(t->n, 0);
	assert_non_null(strstr(t->error, "does not match"));
	wht_clear(t);
	/* The right one for one byte less of the body. */
	wht_hmac_hex(1, "zammad hmac token", body, len - 1, "", 0, hex);
	snprintf(sig, sizeof sig, "sha1=%s", hex);
	wht_header(t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	/* sha256= is not what Zammad sends. */
	wht_hmac_hex(1, "zammad hmac token", body, len, "", 0, hex);
	snprintf(sig, sizeof sig, "sha256=%s", hex);
	wht_header(t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	wht_clear(t);
	/* A signed body that is not JSON is checked first, then refused. */
	wht_hmac_hex(1, "zammad hmac token", "{oops", 5, "", 0, hex);
	snprintf(sig, sizeof sig, "sha1=%s", hex);
	wht_header(t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post_str(t, "{oops", NOW), RESPITE_WEBHOOK_BAD);
	wht_free(t);
	free(body);
	free(own);
}

static void
test_custom_payloads(void **state)
{
	static const char *const files[] = {
		"zammad/custom_payload.filled-example.json",
		"zammad/custom_payload.template.json",
		"zammad/basic_notification.filled-example.json",
		"zammad/basic_notification.template.json",
	};
	struct wht	*t;
	char		*body;
	size_t		 len, i;

	(void)state;
	t = START(NULL);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if ((body = wht_load(files[i], &len)) == NULL) {
			wht_free(t);
			WHT_SKIP_NO_SHARED();
		}
		assert_int_equal(wht_post(t, body, len, NOW),
		    RESPITE_WEBHOOK_IGNORED);
		assert_int_equal(t->n, 0);
		assert_non_null(strstr(t->error, "no \"ticket\" object"));
		free(body);
	}
	wht_free(t);
}

static void
test_variants(void **state)
{
	struct wht	*t;
	char		*body, *v, *v2;
	size_t		 len, vlen, v2len;

	(void)state;
	if ((body = wht_load("zammad/trigger_default_payload.json", &len)) ==
	    NULL)
		WHT_SKIP_NO_SHARED();
	t = START(NULL);

	/* Unassigned: owner "-" (id 1). */
	v = wht_json_edit(body, len, "ticket.owner_id", "1", &vlen);
	v2 = wht_json_edit(v, vlen, "ticket.owner", NULL, &v2len);
	assert_int_equal(wht_post(t, v2, v2len, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_int_equal(t->n, 0);
	assert_string_equal(t->error, "ticket 10081 has no owner yet");
	free(v);
	free(v2);

	/* Closed, on the phone: span from creation to the update. */
	v = wht_json_edit(body, len, "ticket.state", "\"closed\"", &vlen);
	assert_int_equal(wht_post(t, v, vlen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 3);
	assert_int_equal(t->ev[2].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_string_equal(t->ev[2].ev.agent, "emma@chrispresso.com");
	assert_true(fabs(t->ev[2].ev.duration_s - 0.051) < 1e-9);
	assert_int_equal(t->ev[2].ev.ts_ms,
	    wht_ms("2020-11-13T14:34:35Z") + 333);
	assert_string_equal(t->ev[2].ev.id, "zammad:10081:closed:" \
	    "1605278075333");
	/* ... with accounted time (15 units of 60 s). */
	v2 = wht_json_edit(v, vlen, "ticket.time_unit", "\"15.0\"", &v2len);
	assert_int_equal(wht_post(t, v2, v2len, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[2].ev.duration_s == 900);
	free(v2);
	free(v);

	/* An internal note, and an agent's article: no message. */
	v = wht_json_edit(body, len, "article.internal", "true", &vlen);
	assert_int_equal(wht_post(t, v, vlen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	free(v);
	v = wht_json_edit(body, len, "article.sender", "\"Agent\"", &vlen);
	assert_int_equal(wht_post(t, v, vlen, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	free(v);

	/* No article: the ticket's own channel. */
	v = wht_json_edit(body, len, "article", NULL, &vlen);
	v2 = wht_json_edit(v, vlen, "ticket.create_article_type",
	    "\"twitter status\"", &v2len);
	assert_int_equal(wht_post(t, v2, v2len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_SOCIAL);
	free(v);
	free(v2);
	wht_free(t);
	free(body);
}

static void
test_own_closed_chat(void **state)
{
	struct wht	*t;
	char		*body;
	size_t		 len;
	int64_t		 owner = wht_ms("2026-03-02T09:00:00Z") + 250;
	int64_t		 closed = wht_ms("2026-03-02T09:10:00Z") + 250;
	char		 id[64];

	(void)state;
	body = wht_load_own("zammad-closed-chat.json", &len);
	t = START(NULL);
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 3);

	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "juergen.weiss@example.com");
	assert_int_equal(t->ev[0].ev.ts_ms, owner);
	snprintf(id, sizeof id, "zammad:31512:owner:7:%lld",
	    (long long)owner);
	assert_string_equal(t->ev[0].ev.id, id);
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_CHAT);

	assert_int_equal(t->ev[1].ev.type, RESPITE_EV_MESSAGE_RECEIVED);
	assert_string_equal(t->ev[1].ev.id, "zammad:article:9001");
	assert_int_equal(t->ev[1].ev.ts_ms, wht_ms("2026-03-02T09:05:30Z"));
	/* Tags, the quoted history and the script are gone. */
	assert_string_equal(t->ev[1].text, "Sie sind ein Vollidiot & das "
	    "wissen Sie!\nWo ist mein Paket?\nGruß, Kunde");

	assert_int_equal(t->ev[2].ev.type, RESPITE_EV_TICKET_HANDLED);
	assert_int_equal(t->ev[2].ev.ts_ms, closed);
	assert_true(t->ev[2].ev.duration_s == 600);
	snprintf(id, sizeof id, "zammad:31512:closed:%lld", (long long)closed);
	assert_string_equal(t->ev[2].ev.id, id);
	wht_free(t);

	t = START((const char *const[]){ "agent_field", "login", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[0].ev.agent, "jweiss");
	wht_free(t);
	t = START((const char *const[]){ "agent_field", "name", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_string_equal(t->ev[2].ev.agent, "Juergen.Weiss");
	wht_free(t);

	/* A span over max_duration is not handling time: 0. */
	t = START((const char *const[]){ "max_duration", "300", NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_true(t->ev[2].ev.duration_s == 0);
	wht_free(t);

	/* Only the states named count as handled. */
	t = START((const char *const[]){ "closed_states", "merged, solved",
	    NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 2);
	wht_free(t);
	free(body);
}

static void
test_own_agent_reply(void **state)
{
	struct wht	*t;
	char		*body, agents[4096];
	size_t		 len;

	(void)state;
	body = wht_load_own("zammad-agent-reply.json", &len);
	snprintf(agents, sizeof agents, "%s/agents.txt", TEST_DATA);
	t = START((const char *const[]){ "agents", agents, NULL });
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_OK);
	assert_int_equal(t->n, 1);
	assert_int_equal(t->ev[0].ev.type, RESPITE_EV_TICKET_ASSIGNED);
	assert_string_equal(t->ev[0].ev.agent, "emma");
	assert_string_equal(t->ev[0].ev.team, "support-de");
	assert_int_equal(t->ev[0].ev.channel, RESPITE_CH_EMAIL);
	assert_int_equal(t->ev[0].ev.ts_ms, wht_ms("2026-03-02T07:30:00Z"));
	wht_free(t);

	/* unmapped = ignore: only agents of the file count. */
	t = START((const char *const[]){ "agents", agents, "unmapped",
	    "ignore", NULL });
	free(body);
	body = wht_load_own("zammad-closed-chat.json", &len);
	assert_int_equal(wht_post(t, body, len, NOW),
	    RESPITE_WEBHOOK_IGNORED);
	assert_int_equal(t->n, 0);
	assert_string_equal(t->error, "the agent is not in the agents file");
	wht_free(t);
	free(body);
}

static void
test_malformed(void **state)
{
	struct wht	*t;
	char		*body;
	size_t		 len;

	(void)state;
	t = START(NULL);
	assert_int_equal(wht_post_str(t, "{\"ticket\": {", NOW),
	    RESPITE_WEBHOOK_BAD);
	assert_non_null(strstr(t->error, "the payload is not JSON: line 1"));
	assert_int_equal(wht_post_str(t, "[1, 2]", NOW), RESPITE_WEBHOOK_BAD);
	assert_string_equal(t->error, "the payload is JSON but not an object");
	assert_int_equal(wht_post(t, "", 0, NOW), RESPITE_WEBHOOK_BAD);
	assert_non_null(strstr(t->error, "the body is empty"));
	assert_int_equal(wht_post_str(t, "{\"ticket\": {\"owner_id\": 5}}",
	    NOW), RESPITE_WEBHOOK_BAD);
	assert_string_equal(t->error, "ticket: has neither number nor id");
	assert_int_equal(wht_post_str(t, "{\"ticket\": \"10081\"}", NOW),
	    RESPITE_WEBHOOK_IGNORED);

	/* The daemon refusing an event makes the payload bad. */
	body = wht_load_own("zammad-closed-chat.json", &len);
	t->refuse = 1;
	assert_int_equal(wht_post(t, body, len, NOW), RESPITE_WEBHOOK_BAD);
	assert_non_null(strstr(t->error, "refused by the test"));
	wht_free(t);
	free(body);
}

static void
test_config(void **state)
{
	struct respite_config_item	 items[2];
	struct respite_plugin_config	 cf;
	struct wht			 t;
	char				*error, *body, sig[64], hex[41];
	size_t				 len;

	(void)state;
	assert_int_equal(wht_init(&t, &respite_plugin, (const char *const[]){
	    "closed_state", "closed", NULL }, &error), -1);
	assert_non_null(strstr(error, "unknown key \"closed_state\" (known: "
	    "secret, secret_file, agent_field, agents, unmapped, max_age, "
	    "max_duration, closed_states, time_unit)"));
	free(error);
	assert_int_equal(wht_init(&t, &respite_plugin, (const char *const[]){
	    "closed_states", " , ", NULL }, &error), -1);
	assert_non_null(strstr(error, "closed_states: name at least one"));
	free(error);
	assert_int_equal(wht_init(&t, &respite_plugin, (const char *const[]){
	    "time_unit", "minutes", NULL }, &error), -1);
	assert_non_null(strstr(error, "time_unit: expected seconds"));
	free(error);

	/* Reload: a new secret applies; a broken section changes nothing. */
	if (wht_init(&t, &respite_plugin, NULL, &error) != 0)
		fail_msg("%s", error);
	body = wht_load_own("zammad-agent-reply.json", &len);
	assert_int_equal(wht_post(&t, body, len, NOW), RESPITE_WEBHOOK_OK);
	memset(&cf, 0, sizeof cf);
	cf.name = "zammad";
	cf.items = items;
	cf.nitems = 1;
	items[0].key = "secret";
	items[0].value = "new";
	items[0].line = 3;
	assert_int_equal(respite_plugin.reload(t.instance, &cf, &error), 0);
	assert_int_equal(wht_post(&t, body, len, NOW),
	    RESPITE_WEBHOOK_UNAUTHORIZED);
	items[0].key = "agent_field";
	items[0].value = "nope";
	error = NULL;
	assert_int_equal(respite_plugin.reload(t.instance, &cf, &error), -1);
	free(error);
	wht_hmac_hex(1, "new", body, len, "", 0, hex);
	snprintf(sig, sizeof sig, "sha1=%s", hex);
	wht_header(&t, "X-Hub-Signature", sig);
	assert_int_equal(wht_post(&t, body, len, NOW), RESPITE_WEBHOOK_OK);
	wht_free(&t);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_payload),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_custom_payloads),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_own_closed_chat),
		cmocka_unit_test(test_own_agent_reply),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_config),
	};

	return (cmocka_run_group_tests_name("zammad", tests, NULL, NULL));
}
