/*
 * A fake daemon for the webhook adapters' unit tests (wh_test.h).  The
 * respite_* functions the adapters call come from daemon/plugins.c in
 * libcore.a, as in respited.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>
#include <nettle/base64.h>
#include <nettle/hmac.h>

#include "plugins.h"
#include "secret.h"
#include "timeutil.h"
#include "wh_test.h"

static const char *
header_cb(const struct respite_webhook *req, const char *name)
{
	const struct wht	*t = req->daemon;
	size_t			 i;

	for (i = 0; i < t->nh; i++)
		if (strcasecmp(t->hname[i], name) == 0)
			return (t->hvalue[i]);
	return (NULL);
}

static int
emit_cb(const struct respite_webhook *req, const struct respite_event *ev,
    char **error)
{
	struct wht		*t = req->daemon;
	struct wht_event	*e;

	if (t->refuse)
		return (respite_error(error, "events[%zu].agent: refused by "
		    "the test", t->n));
	assert_true(t->n < WHT_EVENTS);
	e = &t->ev[t->n++];
	e->ev = *ev;
	e->ev.text = NULL;
	e->text = NULL;
	if (ev->text != NULL) {
		assert_non_null(e->text = malloc(ev->text_len + 1));
		memcpy(e->text, ev->text, ev->text_len);
		e->text[ev->text_len] = '\0';
		/* What the daemon would refuse. */
		assert_int_equal(strlen(e->text), ev->text_len);
		assert_true(ev->text_len <= RESPITE_TEXT_MAX);
	}
	return (0);
}

/*
 * Give the adapters an installation secret, as respited does before it
 * loads them (respite_install_secret()): seed's bytes repeated.
 */
void
wht_install_secret(const char *seed)
{
	uint8_t	key[SECRET_INSTALL_LEN];
	size_t	i, n = strlen(seed);

	assert_true(n > 0);
	for (i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)seed[i % n];
	plugins_set_install_secret(key);
}

/*
 * Initialise pl with the section kv ("key", "value", ..., NULL).  Returns
 * init's result; *error as init left it.
 */
int
wht_init(struct wht *t, const struct respite_plugin *pl,
    const char *const *kv, char **error)
{
	struct respite_config_item	 items[16];
	struct respite_plugin_config	 cf;
	size_t				 n = 0;

	memset(t, 0, sizeof *t);
	t->pl = pl;
	if (respite_install_secret(NULL) == NULL)
		wht_install_secret("wh_test");
	while (kv != NULL && kv[2 * n] != NULL) {
		assert_true(n < 16);
		items[n].key = kv[2 * n];
		items[n].value = kv[2 * n + 1];
		items[n].line = (int)n + 2;
		n++;
	}
	memset(&cf, 0, sizeof cf);
	cf.name = pl->name;
	cf.items = items;
	cf.nitems = n;
	*error = NULL;
	return (pl->init(&cf, &t->instance, error));
}

/* Forget the events, headers and error of the last post. */
void
wht_clear(struct wht *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->ev[i].text);
	t->n = 0;
	for (i = 0; i < t->nh; i++)
		free(t->hvalue[i]);
	t->nh = 0;
	free(t->error);
	t->error = NULL;
	t->refuse = 0;
}

/*
 * pl initialised with the section kv, or the test fails with init's
 * message.  One instance, started again by each call (a test program
 * tests one adapter).
 */
struct wht *
wht_start(const struct respite_plugin *pl, const char *const *kv)
{
	static struct wht	 t;
	char			*error;

	if (wht_init(&t, pl, kv, &error) != 0)
		fail_msg("init: %s", error);
	free(error);
	return (&t);
}

/*
 * Post body with path set to value (wht_json_edit(); NULL removes it) at
 * now; the test fails unless the answer is status with n events.
 */
void
wht_variant(struct wht *t, int64_t now, const char *body, size_t len,
    const char *path, const char *value, int status, size_t n)
{
	char	*v;
	size_t	 vlen;

	v = wht_json_edit(body, len, path, value, &vlen);
	if (wht_post(t, v, vlen, now) != status || t->n != n)
		fail_msg("%s = %s: status %d with %zu events, expected %d "
		    "with %zu (%s)", path, value != NULL ? value : "(removed)",
		    t->status, t->n, status, n, t->error != NULL ? t->error :
		    "");
	free(v);
}

void
wht_free(struct wht *t)
{
	wht_clear(t);
	if (t->pl != NULL && t->pl->fini != NULL)
		t->pl->fini(t->instance);
	t->pl = NULL;
}

void
wht_header(struct wht *t, const char *name, const char *value)
{
	assert_true(t->nh < WHT_HEADERS);
	t->hname[t->nh] = name;
	assert_non_null(t->hvalue[t->nh] = strdup(value));
	t->nh++;
}

/*
 * Post body at now.  Events and the error of an earlier post are
 * forgotten first; the headers set since stay for this post.
 */
int
wht_post(struct wht *t, const char *body, size_t len, int64_t now)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->ev[i].text);
	t->n = 0;
	free(t->error);
	t->error = NULL;
	memset(&t->req, 0, sizeof t->req);
	t->req.method = "POST";
	t->req.path = "";
	t->req.query = "";
	t->req.body = body;
	t->req.body_len = len;
	t->req.now_ms = now;
	t->req.header = header_cb;
	t->req.emit = emit_cb;
	t->req.daemon = t;
	t->status = t->pl->webhook(t->instance, &t->req, &t->error);
	return (t->status);
}

int
wht_post_str(struct wht *t, const char *body, int64_t now)
{
	return (wht_post(t, body, strlen(body), now));
}

static char *
load(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return (buf);
}

/* A file of $SHARED_DATA/webhooks, or NULL when it is not there. */
char *
wht_load(const char *name, size_t *len)
{
	const char	*dir = getenv("SHARED_DATA");
	char		 path[4096];

	if (dir == NULL || *dir == '\0')
		return (NULL);
	snprintf(path, sizeof path, "%s/webhooks/%s", dir, name);
	return (load(path, len));
}

/* A file of our own tests/data/webhooks (it must be there). */
char *
wht_load_own(const char *name, size_t *len)
{
	char	path[4096], *buf;

	snprintf(path, sizeof path, "%s/%s", TEST_DATA, name);
	if ((buf = load(path, len)) == NULL)
		fail_msg("cannot read %s", path);
	return (buf);
}

/*
 * body with the member at a dotted path set to the JSON value (NULL:
 * removed).  Returns a new compact JSON text.
 */
char *
wht_json_edit(const char *body, size_t len, const char *path,
    const char *value, size_t *outlen)
{
	json_error_t	 je;
	json_t		*root, *o, *v;
	char		 key[128], *s;
	const char	*dot;

	if ((root = json_loadb(body, len, 0, &je)) == NULL)
		fail_msg("not JSON: %s", je.text);
	o = root;
	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		assert_true(json_is_object(o));
		path = dot + 1;
	}
	if (value == NULL)
		json_object_del(o, path);
	else {
		if ((v = json_loads(value, JSON_DECODE_ANY, &je)) == NULL)
			fail_msg("value not JSON: %s", je.text);
		json_object_set_new(o, path, v);
	}
	assert_non_null(s = json_dumps(root, JSON_COMPACT));
	json_decref(root);
	*outlen = strlen(s);
	return (s);
}

/* Lower-case hex HMAC (sha: 1 or 256) of a then b into out. */
void
wht_hmac_hex(int sha, const char *key, const char *a, size_t alen,
    const char *b, size_t blen, char *out)
{
	struct hmac_sha1_ctx	c1;
	struct hmac_sha256_ctx	c256;
	uint8_t			d[32];
	size_t			n, i;

	if (sha == 1) {
		hmac_sha1_set_key(&c1, strlen(key), (const uint8_t *)key);
		hmac_sha1_update(&c1, alen, (const uint8_t *)a);
		hmac_sha1_update(&c1, blen, (const uint8_t *)b);
		hmac_sha1_digest(&c1, n = SHA1_DIGEST_SIZE, d);
	} else {
		hmac_sha256_set_key(&c256, strlen(key), (const uint8_t *)key);
		hmac_sha256_update(&c256, alen, (const uint8_t *)a);
		hmac_sha256_update(&c256, blen, (const uint8_t *)b);
		hmac_sha256_digest(&c256, n = SHA256_DIGEST_SIZE, d);
	}
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Base64 HMAC-SHA256 of a then b into out (at least 45 bytes). */
void
wht_hmac_b64(const char *key, const char *a, size_t alen, const char *b,
    size_t blen, char *out)
{
	struct hmac_sha256_ctx	c;
	uint8_t			d[SHA256_DIGEST_SIZE];

	hmac_sha256_set_key(&c, strlen(key), (const uint8_t *)key);
	hmac_sha256_update(&c, alen, (const uint8_t *)a);
	hmac_sha256_update(&c, blen, (const uint8_t *)b);
	hmac_sha256_digest(&c, sizeof d, d);
	base64_encode_raw(out, sizeof d, d);
	out[BASE64_ENCODE_RAW_LENGTH(sizeof d)] = '\0';
}

/* Epoch ms of an RFC 3339 time, for expected values. */
int64_t
wht_ms(const char *s)
{
	int64_t	ms;

	if (time_parse_rfc3339(s, &ms) == -1)
		fail_msg("bad time in a test: %s", s);
	return (ms);
}
