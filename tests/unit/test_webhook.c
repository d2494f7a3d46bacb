/*
 * Unit tests for plugins/common/webhook.c, what the helpdesk adapters
 * share: HMAC against the RFC 2202 and RFC 4231 vectors and hex/base64
 * signatures, the constant-time comparisons, vendor time stamps, HTML to
 * plain text, agent ids and the agents file, channels, the handling-time
 * rule, event ids, and the common [plugin.NAME] keys with their errors.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugins.h"
#include "webhook.h"
#include "wh_test.h"

static void
hex(const uint8_t *d, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
test_hmac_vectors(void **state)
{
	uint8_t		 d[WH_DIGEST_MAX], key[20];
	char		 h[2 * WH_DIGEST_MAX + 1];
	const char	*msg = "what do ya want for nothing?";

	(void)state;
	/* RFC 2202 test case 2, RFC 4231 test case 2: key "Jefe". */
	assert_int_equal(wh_hmac(WH_SHA1, "Jefe", 4, msg, 10, msg + 10,
	    strlen(msg) - 10, d), 20);
	hex(d, 20, h);
	assert_string_equal(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	assert_int_equal(wh_hmac(WH_SHA256, "Jefe", 4, msg, strlen(msg),
	    NULL, 0, d), 32);
	hex(d, 32, h);
	assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d273"
	    "9839dec58b964ec3843");
	/* RFC 4231 test case 1: key 20 x 0x0b, "Hi There". */
	memset(key, 0x0b, sizeof key);
	wh_hmac(WH_SHA256, (const char *)key, sizeof key, "Hi There", 8,
	    NULL, 0, d);
	hex(d, 32, h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833"
	    "da726e9376c2e32cff7");
}

static void
test_decode_compare(void **state)
{
	uint8_t		out[32];
	struct wh_config cf;
	char		secret[] = "s3cret";

	(void)state;
	assert_int_equal(wh_hex_decode("00ff10Ab", out, sizeof out), 4);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(out[3], 0xab);
	assert_int_equal(wh_hex_decode(" 0a ", out, sizeof out), 1);
	assert_int_equal(wh_hex_decode("0g", out, sizeof out), -1);
	assert_int_equal(wh_hex_decode("abc", out, sizeof out), -1);
	assert_int_equal(wh_hex_decode("0a0b", out, 1), -1);
	assert_int_equal(wh_base64_decode("aGVsbG8=", out, sizeof out), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(wh_base64_decode("a$b=", out, sizeof out), -1);
	assert_int_equal(wh_base64_decode("", out, sizeof out), -1);
	assert_true(wh_equal("abc", 3, "abc", 3));
	assert_false(wh_equal("abc", 3, "abd", 3));
	assert_false(wh_equal("abc", 3, "abcd", 4));

	memset(&cf, 0, sizeof cf);
	cf.secret = secret;
	cf.secret_len = 6;
	assert_true(wh_check_secret(&cf, "s3cret"));
	assert_true(wh_check_secret(&cf, "  s3cret"));
	assert_false(wh_check_secret(&cf, "s3cre"));
	assert_false(wh_check_secret(&cf, "s3cretX"));
	assert_false(wh_check_secret(&cf, ""));
}

static void
test_check_hmac(void **state)
{
	struct wh_config	 cf;
	const char		*body = "{\"a\":1}";
	char			 sig[80], h[65], secret[] = "topsecret";

	(void)state;
	memset(&cf, 0, sizeof cf);
	cf.secret = secret;
	cf.secret_len = 9;
	/* Known answer: printf '{"a":1}' | openssl dgst -sha1 -hmac topsecret */
	assert_true(wh_check_hmac_hex(&cf, WH_SHA1,
	    "sha1=c64d87a91faebeb6857cfd112ed67e2268ef084c", "sha1=", body,
	    strlen(body), NULL, 0));
	assert_true(wh_check_hmac_hex(&cf, WH_SHA1,
	    "SHA1=C64D87A91FAEBEB6857CFD112ED67E2268EF084C", "sha1=", body,
	    strlen(body), NULL, 0));
	assert_false(wh_check_hmac_hex(&cf, WH_SHA1,
	    "sha1=c64d87a91faebeb6857cfd112ed67e2268ef084d", "sha1=", body,
	    strlen(body), NULL, 0));
	assert_false(wh_check_hmac_hex(&cf, WH_SHA1,
	    "c64d87a91faebeb6857cfd112ed67e2268ef084c", "sha1=", body,
	    strlen(body), NULL, 0));
	assert_false(wh_check_hmac_hex(&cf, WH_SHA1, "sha1=", "sha1=", body,
	    strlen(body), NULL, 0));
	assert_false(wh_check_hmac_hex(&cf, WH_SHA1, "sha1=c64d", "sha1=",
	    body, strlen(body), NULL, 0));
	/* The message in two parts is their concatenation. */
	wht_hmac_hex(256, "topsecret", "12.", 3, body, strlen(body), h);
	snprintf(sig, sizeof sig, "sha256=%s", h);
	assert_true(wh_check_hmac_hex(&cf, WH_SHA256, sig, "sha256=", "1",
	    1, "2.{\"a\":1}", 9));
	assert_false(wh_check_hmac_hex(&cf, WH_SHA256, sig, "sha256=", "1",
	    1, "3.{\"a\":1}", 9));
}

static void
test_fresh(void **state)
{
	struct wh_config	 cf;
	char			*error = NULL;

	(void)state;
	memset(&cf, 0, sizeof cf);
	cf.max_age_ms = 300000;
	assert_int_equal(wh_check_fresh(&cf, 1000000, 1000000, &error), 0);
	assert_int_equal(wh_check_fresh(&cf, 1000000, 1300000, &error), 0);
	assert_int_equal(wh_check_fresh(&cf, 1030000, 1000000, &error), 0);
	assert_int_equal(wh_check_fresh(&cf, 1000000, 1300001, &error), -1);
	assert_non_null(strstr(error, "300 s old, more than max_age (300 s)"));
	free(error);
	assert_int_equal(wh_check_fresh(&cf, 1031000, 1000000, &error), -1);
	assert_non_null(strstr(error, "ahead"));
	free(error);
	cf.max_age_ms = 0;
	assert_int_equal(wh_check_fresh(&cf, 0, 1000000000, &error), 0);
}

static void
test_time(void **state)
{
	int64_t	ms;

	(void)state;
	assert_int_equal(wh_time_parse("2020-11-13T14:34:35.282Z", &ms), 0);
	assert_int_equal(ms, wht_ms("2020-11-13T14:34:35Z") + 282);
	assert_int_equal(wh_time_parse("2020-03-03 13:05:57 UTC", &ms), 0);
	assert_int_equal(ms, wht_ms("2020-03-03T13:05:57Z"));
	assert_int_equal(wh_time_parse("2024-04-17T17:18:10+02:00", &ms), 0);
	assert_int_equal(ms, wht_ms("2024-04-17T15:18:10Z"));
	assert_int_equal(wh_time_parse("2024-04-17T17:18:10-0130", &ms), 0);
	assert_int_equal(ms, wht_ms("2024-04-17T18:48:10Z"));
	assert_int_equal(wh_time_parse("2024-04-17T17:18Z", &ms), 0);
	assert_int_equal(ms, wht_ms("2024-04-17T17:18:00Z"));
	assert_int_equal(wh_time_parse("2024-02-29T00:00:00", &ms), 0);
	assert_int_equal(ms, wht_ms("2024-02-29T00:00:00Z"));
	assert_int_equal(wh_time_parse("1583240757", &ms), 0);
	assert_int_equal(ms, 1583240757000LL);
	assert_int_equal(wh_time_parse("February 3, 2025", &ms), -1);
	assert_int_equal(wh_time_parse("2025-02-30T00:00:00Z", &ms), -1);
	assert_int_equal(wh_time_parse("2023-02-29T00:00:00Z", &ms), -1);
	assert_int_equal(wh_time_parse("2025-13-01T00:00:00Z", &ms), -1);
	assert_int_equal(wh_time_parse("2025-01-01T00:00:00Zjunk", &ms), -1);
	assert_int_equal(wh_time_parse("", &ms), -1);
	assert_int_equal(wh_time_parse("1969-12-31T23:59:59Z", &ms), -1);
}

static void
test_json(void **state)
{
	json_t		*o;
	char		 buf[32];
	int64_t		 ms;

	(void)state;
	o = json_loads("{\"a\":{\"b\":{\"c\":\"x\",\"n\":42,\"e\":\"\","
	    "\"t\":true,\"ts\":1583240757,\"tms\":1583240757123,"
	    "\"iso\":\"2020-03-03T13:05:57Z\"}}}", 0, NULL);
	assert_non_null(o);
	assert_string_equal(wh_str(o, "a.b.c"), "x");
	assert_null(wh_str(o, "a.b.e"));
	assert_null(wh_str(o, "a.b.n"));
	assert_null(wh_str(o, "a.x.c"));
	assert_null(wh_str(o, "a.b.c.d"));
	assert_string_equal(wh_scalar(o, "a.b.n", buf, sizeof buf), "42");
	assert_string_equal(wh_scalar(o, "a.b.c", buf, sizeof buf), "x");
	assert_null(wh_scalar(o, "a.b.e", buf, sizeof buf));
	assert_true(wh_bool(o, "a.b.t"));
	assert_false(wh_bool(o, "a.b.c"));
	assert_int_equal(wh_time(o, "a.b.ts", &ms), 0);
	assert_int_equal(ms, 1583240757000LL);
	assert_int_equal(wh_time(o, "a.b.tms", &ms), 0);
	assert_int_equal(ms, 1583240757123LL);
	assert_int_equal(wh_time(o, "a.b.iso", &ms), 0);
	assert_int_equal(ms, 1583240757000LL);
	assert_int_equal(wh_time(o, "a.b.c", &ms), -1);
	json_decref(o);
}

static void
expect_text(const char *in, int html, const char *want)
{
	char	*t;
	size_t	 n;

	t = wh_text(in, strlen(in), html, &n);
	if (strcmp(t, want) != 0)
		fail_msg("wh_text(\"%s\"): got \"%s\", expected \"%s\"", in, t,
		    want);
	assert_int_equal(strlen(t), n);
	wh_text_free(t, n);
}

/*
 * Every fixed-size buffer a vendor's value or a customer's text reaches
 * in plugins/common (issue 21 item 1's audit): given far more than it
 * holds, each stops at its size (ASan in the sanitizer build).  Tag and
 * entity names (16 bytes), dotted paths (128), scalars into the caller's
 * buffer, agent ids (RESPITE_NAME_MAX + 1) with transliterated letters,
 * hex and base64 digests (WH_DIGEST_MAX).
 */
static void
test_fixed_buffers(void **state)
{
	char	*big, *t, small[8], id[RESPITE_NAME_MAX + 1], *path;
	uint8_t	 d[WH_DIGEST_MAX];
	json_t	*o;
	size_t	 n, i;

	(void)state;
	n = 20000;
	assert_non_null(big = malloc(n + 64));
	/* A tag name of 20000 letters, an entity name, a numeric entity. */
	big[0] = '<';
	memset(big + 1, 'b', n);
	memcpy(big + 1 + n, ">x", 3);
	t = wh_text(big, strlen(big), 1, &i);
	assert_string_equal(t, "x");
	wh_text_free(t, i);
	big[0] = '&';
	memset(big + 1, 'a', n);
	memcpy(big + 1 + n, ";", 2);
	t = wh_text(big, strlen(big), 1, &i);
	assert_int_equal(i, RESPITE_TEXT_MAX);	/* kept as it is, cut */
	wh_text_free(t, i);
	expect_text("&#99999999999999999999;&#x1F600;&#xD800;x", 1,
	    "&#99999999999999999999;\xf0\x9f\x98\x80\xef\xbf\xbdx");
	/* A closing tag of a skipped element with a long name. */
	memcpy(big, "<script>", 8);
	for (i = 8; i + 3 <= n; i += 3)
		memcpy(big + i, "</s", 3);
	memcpy(big + i, "</script>y", 11);
	t = wh_text(big, strlen(big), 1, &i);
	assert_string_equal(t, "y");
	wh_text_free(t, i);

	/* Agent ids: 20000 letters, each transliterated to two. */
	for (i = 0; i + 2 <= n; i += 2)
		memcpy(big + i, "\xc3\x9f", 2);			/* ß: ss */
	big[i] = '\0';
	assert_int_equal(wh_agent_id(big, id, sizeof id), 0);
	assert_int_equal(strlen(id), RESPITE_NAME_MAX);
	assert_int_equal(wh_agent_id(big, small, sizeof small), 0);
	assert_string_equal(small, "sssssss");
	memset(big, '.', n);
	big[n] = '\0';
	assert_int_equal(wh_agent_id(big, id, sizeof id), -1);

	/* A value longer than the caller's buffer is refused, not cut. */
	memset(big, '7', n);
	big[n] = '\0';
	o = json_pack("{s:s, s:{s:s}}", "id", big, "a", "b", "c");
	assert_non_null(o);
	assert_null(wh_scalar(o, "id", small, sizeof small));
	assert_string_equal(wh_scalar(o, "a.b", small, sizeof small), "c");
	/* A dotted path longer than wh_get's 128 bytes: absent. */
	assert_non_null(path = malloc(400));
	memset(path, 'a', 399);
	path[399] = '\0';
	assert_null(wh_get(o, path));
	free(path);
	json_decref(o);

	/* Digests longer than their buffer: -1, nothing written past it. */
	memset(big, 'a', 2 * WH_DIGEST_MAX + 2);
	big[2 * WH_DIGEST_MAX + 2] = '\0';
	assert_int_equal(wh_hex_decode(big, d, sizeof d), -1);
	memset(big, 'Q', 4 * WH_DIGEST_MAX + 8);
	big[4 * WH_DIGEST_MAX + 8] = '\0';
	assert_int_equal(wh_base64_decode(big, d, sizeof d), -1);
	free(big);
}

static void
test_text(void **state)
{
	char	*big, *t;
	size_t	 n, i;

	(void)state;
	/* Zammad's sample article body. */
	expect_text("This is a simple Webhook Test.<div><br></div><div>\n<img "
	    "style=\"max-width:100%;width: 849px;max-width: 100%;\" src=\"/api"
	    "/v1/ticket_attachment/81/104/174?view=inline\"><br>\n</div>", 1,
	    "This is a simple Webhook Test.");
	expect_text("<p>Hello&nbsp;&amp; welcome</p><p>Gr&uuml;&szlig;e "
	    "&#8211; &#x263A; &bogus;</p>", 1,
	    "Hello & welcome\nGrüße – ☺ &bogus;");
	expect_text("<div>new</div><blockquote>old <blockquote>older"
	    "</blockquote> still old</blockquote><div>after</div>", 1,
	    "new\nafter");
	expect_text("<style>p { color: red }</style><script>alert(1)"
	    "</script>visible<!-- hidden -->!", 1, "visible!");
	expect_text("a\n\n  b\t\tc ", 0, "a\nb c");
	expect_text("I <3 you, 2 < 3 > 1", -1, "I <3 you, 2 < 3 > 1");
	expect_text("<b>bold</b> move", -1, "bold move");
	expect_text("Thanks.\n> You wrote:\n> idiot\nBye", 0, "Thanks.\nBye");
	expect_text("bad \xff\xfe utf8 \xc3", 0,
	    "bad \xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd");
	expect_text("ctl\x01" "chars", 0, "ctl chars");
	expect_text("", 1, "");

	/* Cut at RESPITE_TEXT_MAX bytes, never inside a character. */
	n = RESPITE_TEXT_MAX + 100;
	assert_non_null(big = malloc(n + 1));
	big[0] = 'x';
	for (i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "\xc3\xa4", 2);
	big[i] = '\0';
	t = wh_text(big, strlen(big), 0, &n);
	assert_true(n <= RESPITE_TEXT_MAX);
	assert_true(n >= RESPITE_TEXT_MAX - 1);
	assert_true(((unsigned char)t[n - 1] & 0xc0) == 0x80);
	wh_text_free(t, n);
	free(big);
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double)(t1.tv_sec - t0->tv_sec) * 1000.0 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

/* The best of three wh_text() runs on s, in ms. */
static double
text_ms(const char *s, size_t n, int html)
{
	struct timespec	 t0;
	double		 ms, best = 0;
	char		*t;
	size_t		 len;
	int		 i;

	for (i = 0; i < 3; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t = wh_text(s, n, html, &len);
		ms = elapsed_ms(&t0);
		wh_text_free(t, len);
		if (i == 0 || ms < best)
			best = ms;
	}
	return (best);
}

/*
 * Guessing whether a text is HTML is linear (issue 13 item 7): "<a"
 * repeated, a tag start each time and no ">" after it, made
 * looks_html() search the rest of the text at every "<" (2 s at 1 MB,
 * 4.5 min on a busy machine at the default max_body of 4 MiB, all on
 * the loop).  4 MiB must take well under 100 ms (1 s under sanitizers,
 * which slow every byte); the best of three runs counts, so that a
 * busy machine does not fail it.
 */
static void
test_text_linear(void **state)
{
	const size_t	 n = 4u << 20;
	const char	*san = getenv("RESPITE_SANITIZED");
	double		 ms, limit = san != NULL && *san != '\0' ? 1000 : 100;
	char		*big;
	size_t		 i;
	int		 k;

	(void)state;
	assert_non_null(big = malloc(n + 1));
	for (i = 0; i + 1 < n; i += 2)
		memcpy(big + i, "<a", 2);
	big[n] = '\0';
	/* Guessed, said to be HTML (Zammad's text/html), ending in ">". */
	for (k = 0; k < 3; k++) {
		if (k == 2)
			big[n - 1] = '>';
		ms = text_ms(big, n, k == 1 ? 1 : -1);
		print_message("# wh_text() of 4 MiB of \"<a\"%s: %.1f ms\n",
		    k == 0 ? "" : k == 1 ? " as HTML" : " and \">\"", ms);
		if (ms >= limit)
			fail_msg("wh_text() of 4 MiB of \"<a\" (case %d) took "
			    "%.0f ms, limit %.0f ms: quadratic?", k, ms, limit);
	}
	free(big);
}

static void
expect_id(const char *in, const char *want)
{
	char	buf[RESPITE_NAME_MAX + 1];
	int	rc;

	rc = wh_agent_id(in, buf, sizeof buf);
	if (want == NULL) {
		if (rc != -1)
			fail_msg("wh_agent_id(\"%s\"): got \"%s\"", in, buf);
		return;
	}
	if (rc != 0 || strcmp(buf, want) != 0)
		fail_msg("wh_agent_id(\"%s\"): got \"%s\" (%d), expected "
		    "\"%s\"", in, buf, rc, want);
}

static void
test_agent_id(void **state)
{
	char	long_name[200];

	(void)state;
	expect_id("emma@chrispresso.com", "emma@chrispresso.com");
	expect_id("Emma@ChrisPresso.COM", "emma@chrispresso.com");
	expect_id("Emma Taylor", "Emma.Taylor");
	expect_id("Jürgen Weiß", "Juergen.Weiss");
	expect_id("José Ñúñez-García", "Jose.Nunez-Garcia");
	expect_id("Mia Kovač", "Mia.Kovac");
	expect_id("Łukasz Żółć", "Lukasz.Zolc");
	expect_id("  Anna   Lena  ", "Anna.Lena");
	expect_id("o'brien_x", "o-brien-x");
	expect_id("381234567", "381234567");
	expect_id("王芳", NULL);
	expect_id("   ", NULL);
	expect_id("", NULL);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	expect_id(long_name, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaa");
}

static struct respite_plugin_config *
section(const char *const *kv)
{
	static struct respite_config_item	items[16];
	static struct respite_plugin_config	cf;
	size_t					n = 0;

	if (respite_install_secret(NULL) == NULL)
		wht_install_secret("test_webhook");
	while (kv[2 * n] != NULL) {
		items[n].key = kv[2 * n];
		items[n].value = kv[2 * n + 1];
		items[n].line = (int)n + 10;
		n++;
	}
	cf.name = "testhook";
	cf.file = "test.conf";
	cf.items = items;
	cf.nitems = n;
	return (&cf);
}

static void
expect_config_error(const char *const *kv, const char *msg)
{
	static const char *const extra[] = { "colour", NULL };
	struct wh_config	 cf;
	char			*error = NULL;

	assert_int_equal(wh_config_parse(section(kv), extra, &cf, &error), -1);
	if (error == NULL || strstr(error, msg) == NULL)
		fail_msg("got \"%s\", expected \"...%s...\"", error, msg);
	free(error);
}

static void
test_config(void **state)
{
	static const char *const extra[] = { "colour", NULL };
	struct wh_config	 cf;
	char			*error = NULL, agents[4096];
	const char *const	 ok[] = { "secret", "s3 cr3t=x", "agent_field",
	    "name", "max_age", "60", "max_duration", "1800", "colour",
	    "blue", NULL };

	(void)state;
	assert_int_equal(wh_config_parse(section(ok), extra, &cf, &error), 0);
	assert_string_equal(cf.name, "testhook");
	assert_string_equal(cf.secret, "s3 cr3t=x");
	assert_int_equal(cf.secret_len, 9);
	assert_int_equal(cf.field, WH_NAME);
	assert_int_equal(cf.max_age_ms, 60000);
	assert_true(cf.max_duration_s == 1800);
	wh_config_clear(&cf);

	assert_int_equal(wh_config_parse(section((const char *const[]){ NULL }),
	    NULL, &cf, &error), 0);
	assert_null(cf.secret);
	assert_int_equal(cf.field, WH_EMAIL);
	assert_int_equal(cf.max_age_ms, 300000);
	assert_true(cf.max_duration_s == 7200);
	wh_config_clear(&cf);

	expect_config_error((const char *const[]){ "secrte", "x", NULL },
	    "line 10: unknown key \"secrte\" (known: secret, secret_file, "
	    "agent_field, agents, unmapped, max_age, max_duration, colour)");
	expect_config_error((const char *const[]){ "agent_field", "mail",
	    NULL }, "agent_field: expected email, login, id or name, got "
	    "\"mail\"");
	expect_config_error((const char *const[]){ "secret", "", NULL },
	    "secret: must not be empty");
	expect_config_error((const char *const[]){ "max_age", "5m", NULL },
	    "max_age: expected seconds from 0 to 86400, got \"5m\"");
	expect_config_error((const char *const[]){ "max_duration", "-1",
	    NULL }, "max_duration: expected seconds");
	/* Threads span days: max_duration goes up to a year (issue 13). */
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    "max_duration", "172800", NULL }), NULL, &cf, &error), 0);
	assert_true(cf.max_duration_s == 172800);
	wh_config_clear(&cf);
	expect_config_error((const char *const[]){ "max_duration",
	    "31536001", NULL }, "max_duration: expected seconds from 0 to "
	    "31536000, got \"31536001\"");
	expect_config_error((const char *const[]){ "unmapped", "ignore",
	    NULL }, "unmapped = ignore needs an agents file");
	expect_config_error((const char *const[]){ "unmapped", "drop",
	    NULL }, "unmapped: expected use or ignore");
	expect_config_error((const char *const[]){ "agents",
	    "/nonexistent/agents.txt", NULL },
	    "agents: /nonexistent/agents.txt: No such file or directory");

	snprintf(agents, sizeof agents, "%s/agents.txt", TEST_DATA);
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    "agents", agents, NULL }), NULL, &cf, &error), 0);
	assert_int_equal(cf.nagents, 3);
	wh_config_clear(&cf);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_agents_file(void **state)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} bad[] = {
		{ "alice\n", ":1: expected \"KEY AGENT [TEAM]\"" },
		{ "# c\n\na b c d\n", ":3: expected \"KEY AGENT [TEAM]\"" },
		{ "\"Anna Lena\n", ":1: a quoted key needs its closing quote" },
		{ "a@b Bad Agent!\n", ":1: \"Agent!\" is not a respite team "
		    "id" },
		{ "a@b Bad Agent x\n", ":1: expected" },
		{ "a@b bad/agent\n", ":1: \"bad/agent\" is not a respite agent "
		    "id" },
		{ "a@b ok team!\n", ":1: \"team!\" is not a respite team id" },
		{ "a@b x\nA@B y\n", "\"A@B\" is listed twice" },
	};
	struct wh_config	 cf;
	struct wh_person	 who;
	char			 path[64], text[256], agent[65], team[65];
	char			*error = NULL;
	size_t			 i;

	(void)state;
	snprintf(path, sizeof path, "/tmp/respite-test-agents.%ld",
	    (long)getpid());
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file(path, bad[i].text);
		expect_config_error((const char *const[]){ "agents", path,
		    NULL }, bad[i].msg);
	}

	snprintf(text, sizeof text, "# agents\nEmma@Chrispresso.com emma "
	    "support-de  # trailing comment\n5 emma5\n\"Emma Taylor\" "
	    "emma-name\n");
	write_file(path, text);
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    "agents", path, NULL }), NULL, &cf, &error), 0);
	memset(&who, 0, sizeof who);
	who.v[WH_EMAIL] = "emma@chrispresso.com";
	who.v[WH_ID] = "5";
	who.v[WH_NAME] = "Emma Taylor";
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "emma");
	assert_string_equal(team, "support-de");
	cf.field = WH_ID;
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "emma5");
	assert_string_equal(team, "");
	cf.field = WH_NAME;
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "emma-name");
	/* Not in the file: the configured field's value becomes the id. */
	who.v[WH_EMAIL] = "jacob@chrispresso.com";
	who.v[WH_ID] = "4";
	who.v[WH_NAME] = "Jacob Smith";
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "Jacob.Smith");
	cf.field = WH_EMAIL;
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "jacob@chrispresso.com");
	/* Only what the payload has: the other fields, in order. */
	who.v[WH_EMAIL] = NULL;
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), 0);
	assert_string_equal(agent, "4");
	cf.unmapped_ignore = 1;
	assert_int_equal(wh_agent(&cf, &who, agent, sizeof agent, team,
	    sizeof team), -1);
	assert_int_equal(wh_agent(&cf, NULL, agent, sizeof agent, team,
	    sizeof team), -1);
	wh_config_clear(&cf);
	unlink(path);
}

static void
test_channel_duration(void **state)
{
	static const struct wh_channel_map map[] = {
		{ "phone", RESPITE_CH_PHONE },
		{ "chat", RESPITE_CH_CHAT },
		{ NULL, RESPITE_CH_NONE }
	};
	struct wh_config	cf;

	(void)state;
	assert_int_equal(wh_channel(map, "Phone call (incoming)"),
	    RESPITE_CH_PHONE);
	assert_int_equal(wh_channel(map, "CHAT"), RESPITE_CH_CHAT);
	assert_int_equal(wh_channel(map, "fax"), RESPITE_CH_OTHER);
	assert_int_equal(wh_channel(map, NULL), RESPITE_CH_OTHER);

	memset(&cf, 0, sizeof cf);
	cf.max_duration_s = 7200;
	/*
	 * Accounted time first, up to a year: a thread handled after 26 h
	 * keeps its 92982 s (issue 13), no longer cut to a day.
	 */
	assert_true(wh_duration(&cf, RESPITE_CH_EMAIL, 0, 0, 900) == 900);
	assert_true(wh_duration(&cf, RESPITE_CH_CHAT, 1000, 2000, 90000) ==
	    90000);
	assert_true(wh_duration(&cf, RESPITE_CH_EMAIL, 0, 0, 92982) == 92982);
	assert_true(wh_duration(&cf, RESPITE_CH_EMAIL, 0, 0, 1e12) ==
	    WH_DURATION_MAX);
	/* A live span of 26 h under a max_duration of two days. */
	cf.max_duration_s = 172800;
	assert_true(wh_duration(&cf, RESPITE_CH_MESSAGING, 1000,
	    1000 + 93600000LL, 0) == 93600);
	cf.max_duration_s = 7200;
	/* Live channels: the span up to max_duration. */
	assert_true(wh_duration(&cf, RESPITE_CH_CHAT, 1000, 601000, 0) ==
	    600);
	assert_true(wh_duration(&cf, RESPITE_CH_PHONE, 1000, 7201000, 0) ==
	    7200);
	assert_true(wh_duration(&cf, RESPITE_CH_MESSAGING, 1000, 7202000,
	    0) == 0);
	assert_true(wh_duration(&cf, RESPITE_CH_CHAT, 0, 601000, 0) == 0);
	assert_true(wh_duration(&cf, RESPITE_CH_CHAT, 5000, 1000, 0) == 0);
	/* Others: 0. */
	assert_true(wh_duration(&cf, RESPITE_CH_EMAIL, 1000, 601000, 0) == 0);
	assert_true(wh_duration(&cf, RESPITE_CH_SOCIAL, 1000, 601000, 0) ==
	    0);
	cf.max_duration_s = 0;
	assert_true(wh_duration(&cf, RESPITE_CH_CHAT, 1000, 601000, 0) == 0);
}

static void
test_event_id(void **state)
{
	struct wh_config	cf;
	struct respite_event	ev;
	char			longid[300], name[] = "zendesk";

	(void)state;
	memset(&cf, 0, sizeof cf);
	cf.name = name;
	wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, RESPITE_CH_EMAIL, -5);
	assert_int_equal(ev.ts_ms, 0);
	assert_true(ev.duration_s < 0 && ev.severity < 0);
	wh_event_id(&cf, &ev, "%s:assigned:%d", "4711", 3);
	assert_string_equal(ev.id, "zendesk:4711:assigned:3");
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	wh_event_id(&cf, &ev, "%s", longid);
	assert_int_equal(strlen(ev.id), strlen("zendesk:") + 64);
	assert_memory_equal(ev.id, "zendesk:", 8);
}

/*
 * Ids of message texts are keyed with the installation secret (issue 13
 * item 6): the same text gives the same id in one installation, another
 * id in another, and nothing anyone can compute from the plugin's name
 * or the vendor's secret in the configuration.
 */
static void
test_text_id(void **state)
{
	struct respite_plugin_config	*pc;
	struct wh_config	cf, other;
	char			hash[24], hash2[24], guess[24], *error = NULL;
	uint8_t			d[WH_DIGEST_MAX], msg[8];
	size_t			i;

	(void)state;
	wht_install_secret("installation one");
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    NULL }), NULL, &cf, &error), 0);
	assert_int_equal(cf.text_key_len, 32);
	wh_text_id(&cf, "88", "hello", 5, hash, sizeof hash);
	assert_int_equal(strlen(hash), 16);
	wh_text_id(&cf, "88", "hello", 5, hash2, sizeof hash2);
	assert_string_equal(hash, hash2);
	wh_text_id(&cf, "89", "hello", 5, hash2, sizeof hash2);
	assert_string_not_equal(hash, hash2);

	/* What the ids were: HMAC keyed with the plugin's name. */
	memcpy(msg, "88\0hello", 8);
	wh_hmac(WH_SHA256, cf.name, strlen(cf.name), msg, 8, NULL, 0, d);
	for (i = 0; i < 8; i++)
		snprintf(guess + 2 * i, 3, "%02x", d[i]);
	assert_string_not_equal(hash, guess);

	/* The vendor's secret (world-readable config) is not the key. */
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    "secret", "vendor", NULL }), NULL, &other, &error), 0);
	wh_text_id(&other, "88", "hello", 5, hash2, sizeof hash2);
	assert_string_equal(hash, hash2);
	wh_config_clear(&other);

	/* Another installation, another id for the same text. */
	wht_install_secret("installation two");
	assert_int_equal(wh_config_parse(section((const char *const[]){
	    NULL }), NULL, &other, &error), 0);
	wh_text_id(&other, "88", "hello", 5, hash2, sizeof hash2);
	assert_string_not_equal(hash, hash2);
	wh_config_clear(&other);
	wh_config_clear(&cf);

	/* No installation secret: an adapter refuses to start. */
	pc = section((const char *const[]){ NULL });
	plugins_set_install_secret(NULL);
	assert_int_equal(wh_config_parse(pc, NULL, &cf, &error), -1);
	assert_non_null(error);
	assert_non_null(strstr(error, "installation secret"));
	free(error);
	wht_install_secret("test_webhook");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_decode_compare),
		cmocka_unit_test(test_check_hmac),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_fixed_buffers),
		cmocka_unit_test(test_text_linear),
		cmocka_unit_test(test_agent_id),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_agents_file),
		cmocka_unit_test(test_channel_duration),
		cmocka_unit_test(test_event_id),
		cmocka_unit_test(test_text_id),
	};

	return (cmocka_run_group_tests_name("webhook", tests, NULL, NULL));
}
