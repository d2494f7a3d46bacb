/*
 * respite - what the helpdesk adapters share.
 *
 * Linked into each adapter module as a libtool convenience library, so
 * the four adapters parse their common keys, check signatures, read
 * vendor times, turn HTML into text and name agents the same way.  A
 * plugin may only call the respite_* functions the daemon exports, so
 * everything else here is plain C with jansson and nettle.
 *
 * Message text passes through wh_text() into a buffer that lives only
 * while the event is emitted (the daemon copies it, classifies it and
 * drops it) and is wiped before it is freed.  Nothing here logs text.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "webhook.h"

/* How far a signed time stamp may be ahead of our clock (Chatwoot's 30 s). */
#define WH_AHEAD_MS	30000
/* Longest agents file line. */
#define WH_LINE_MAX	1024

static const char *const field_names[WH_NFIELDS] = {
	[WH_EMAIL] = "email",
	[WH_LOGIN] = "login",
	[WH_ID] = "id",
	[WH_NAME] = "name",
};

static void *
wh_xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n != 0 ? n : 1, size != 0 ? size : 1)) == NULL)
		abort();
	return (p);
}

static char *
wh_xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		abort();
	return (p);
}

int
wh_strcaseeq(const char *a, const char *b)
{
	return (a != NULL && b != NULL && strcasecmp(a, b) == 0);
}

/* ------------------------------------------------------------ settings */

static int
parse_seconds(const char *key, const char *v, double max, double *out,
    char **error)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < 0 || d > max)
		return (respite_error(error, "%s: expected seconds from 0 to "
		    "%.0f, got \"%s\"", key, max, v));
	*out = d;
	return (0);
}

static int
agent_cmp(const void *a, const void *b)
{
	const struct wh_agent_entry	*x = a, *y = b;

	return (strcasecmp(x->key, y->key));
}

static void
agents_free(struct wh_agent_entry *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].agent);
		free(v[i].team);
	}
	free(v);
}

/*
 * Read an agents file: "KEY AGENT [TEAM]" a line, "#" comments.  KEY is
 * the vendor's email, login, id or name (a name with spaces in double
 * quotes); AGENT and TEAM are respite ids.  Returns 0 with a new sorted
 * array, or -1 with *error naming the file and line.
 */
int
wh_agents_load(const char *path, struct wh_agent_entry **out, size_t *nout,
    char **error)
{
	struct wh_agent_entry	*v = NULL;
	FILE			*f;
	char			 line[WH_LINE_MAX + 2], *p, *key, *w[2];
	size_t			 n = 0, cap = 0, i;
	int			 lineno = 0, k;

	*out = NULL;
	*nout = 0;
	if ((f = fopen(path, "r")) == NULL)
		return (respite_error(error, "agents: %s: %s", path,
		    strerror(errno)));
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			respite_error(error, "agents: %s:%d: line too long",
			    path, lineno);
			goto fail;
		}
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '"') {
			key = ++p;
			if ((p = strchr(p, '"')) == NULL) {
				respite_error(error, "agents: %s:%d: a quoted "
				    "key needs its closing quote", path,
				    lineno);
				goto fail;
			}
			*p++ = '\0';
		} else {
			key = p;
			p += strcspn(p, " \t");
			if (*p != '\0')
				*p++ = '\0';
		}
		for (k = 0; k < 2; k++) {
			p += strspn(p, " \t");
			w[k] = *p != '\0' && *p != '#' ? p : NULL;
			if (w[k] != NULL) {
				p += strcspn(p, " \t");
				if (*p != '\0')
					*p++ = '\0';
			}
		}
		p += strspn(p, " \t");
		if (*key == '\0' || w[0] == NULL || (*p != '\0' && *p != '#')) {
			respite_error(error, "agents: %s:%d: expected \"KEY "
			    "AGENT [TEAM]\"", path, lineno);
			goto fail;
		}
		for (k = 0; k < 2; k++) {
			char	buf[RESPITE_NAME_MAX + 1];

			if (w[k] == NULL)
				continue;
			if (strlen(w[k]) > RESPITE_NAME_MAX ||
			    wh_agent_id(w[k], buf, sizeof buf) == -1 ||
			    strcmp(buf, w[k]) != 0) {
				respite_error(error, "agents: %s:%d: \"%s\" is "
				    "not a respite %s id (1-64 of "
				    "A-Za-z0-9._@-)", path, lineno, w[k],
				    k == 0 ? "agent" : "team");
				goto fail;
			}
		}
		if (n == cap) {
			struct wh_agent_entry	*nv;

			cap = cap != 0 ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof *v)) == NULL)
				abort();
			v = nv;
		}
		v[n].key = wh_xstrdup(key);
		v[n].agent = wh_xstrdup(w[0]);
		v[n].team = wh_xstrdup(w[1] != NULL ? w[1] : "");
		n++;
	}
	if (ferror(f)) {
		respite_error(error, "agents: %s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	if (n > 0)
		qsort(v, n, sizeof *v, agent_cmp);
	for (i = 1; i < n; i++)
		if (strcasecmp(v[i - 1].key, v[i].key) == 0) {
			respite_error(error, "agents: %s: \"%s\" is listed "
			    "twice", path, v[i].key);
			agents_free(v, n);
			return (-1);
		}
	*out = v;
	*nout = n;
	return (0);

fail:
	fclose(f);
	agents_free(v, n);
	return (-1);
}

/*
 * Parse the common keys of cf into out (zeroed first): secret (or
 * secret_file), agent_field, agents, unmapped, max_age, max_duration;
 * and take the installation secret for wh_text_id().  extra lists the
 * plugin's own keys (NULL-terminated), which are only checked to exist.
 * Returns 0, or -1 with *error (out is then empty).
 */
int
wh_config_parse(const struct respite_plugin_config *cf,
    const char *const *extra, struct wh_config *out, char **error)
{
	static const char *const common[] = { "secret", "secret_file",
	    "agent_field", "agents", "unmapped", "max_age", "max_duration",
	    NULL };
	const void	*key;
	const char	*k, *v;
	char		 known[512], *sec = NULL;
	double		 d;
	size_t		 i, j, klen;
	int		 found;

	memset(out, 0, sizeof *out);
	out->name = wh_xstrdup(cf->name != NULL ? cf->name : "webhook");
	out->field = WH_EMAIL;
	out->max_age_ms = 300000;
	out->max_duration_s = 7200;

	for (i = 0; i < cf->nitems; i++) {
		k = cf->items[i].key;
		found = 0;
		for (j = 0; common[j] != NULL && !found; j++)
			found = strcmp(k, common[j]) == 0;
		for (j = 0; extra != NULL && extra[j] != NULL && !found; j++)
			found = strcmp(k, extra[j]) == 0;
		if (found)
			continue;
		known[0] = '\0';
		for (j = 0; common[j] != NULL; j++)
			snprintf(known + strlen(known), sizeof known -
			    strlen(known), "%s%s", j > 0 ? ", " : "",
			    common[j]);
		for (j = 0; extra != NULL && extra[j] != NULL; j++)
			snprintf(known + strlen(known), sizeof known -
			    strlen(known), ", %s", extra[j]);
		respite_error(error, "line %d: unknown key \"%s\" (known: %s)",
		    cf->items[i].line, k, known);
		goto fail;
	}

	/*
	 * Message-text ids are keyed with the installation's secret, never
	 * with something public (issue 13 item 6).
	 */
	if ((key = respite_install_secret(&klen)) == NULL || klen == 0) {
		respite_error(error, "respited gave no installation secret");
		goto fail;
	}
	out->text_key_len = klen < sizeof out->text_key ? klen :
	    sizeof out->text_key;
	memcpy(out->text_key, key, out->text_key_len);
	if (respite_config_secret(cf, "secret", &sec, error) == -1)
		goto fail;
	if (sec != NULL) {
		if (*sec == '\0') {
			free(sec);
			respite_error(error, "secret: must not be empty (leave "
			    "the key out to accept unsigned webhooks)");
			goto fail;
		}
		out->secret = sec;
		out->secret_len = strlen(sec);
	}
	if ((v = respite_config_get(cf, "agent_field")) != NULL) {
		for (j = 0; j < WH_NFIELDS; j++)
			if (strcmp(v, field_names[j]) == 0)
				break;
		if (j == WH_NFIELDS) {
			respite_error(error, "agent_field: expected email, "
			    "login, id or name, got \"%s\"", v);
			goto fail;
		}
		out->field = (enum wh_field)j;
	}
	if ((v = respite_config_get(cf, "unmapped")) != NULL) {
		if (strcmp(v, "ignore") == 0)
			out->unmapped_ignore = 1;
		else if (strcmp(v, "use") != 0) {
			respite_error(error, "unmapped: expected use or "
			    "ignore, got \"%s\"", v);
			goto fail;
		}
	}
	if ((v = respite_config_get(cf, "max_age")) != NULL) {
		if (parse_seconds("max_age", v, 86400, &d, error) == -1)
			goto fail;
		out->max_age_ms = (int64_t)(d * 1000);
	}
	if ((v = respite_config_get(cf, "max_duration")) != NULL &&
	    parse_seconds("max_duration", v, WH_DURATION_MAX,
	    &out->max_duration_s,
	    error) == -1)
		goto fail;
	if ((v = respite_config_get(cf, "agents")) != NULL) {
		if (*v == '\0') {
			respite_error(error, "agents: name a file");
			goto fail;
		}
		out->agents_file = wh_xstrdup(v);
		if (wh_agents_load(v, &out->agents, &out->nagents,
		    error) == -1)
			goto fail;
	}
	if (out->unmapped_ignore && out->agents_file == NULL) {
		respite_error(error, "unmapped = ignore needs an agents file");
		goto fail;
	}
	return (0);

fail:
	wh_config_clear(out);
	return (-1);
}

void
wh_config_clear(struct wh_config *cf)
{
	if (cf->secret != NULL)
		explicit_bzero(cf->secret, cf->secret_len);
	free(cf->secret);
	free(cf->name);
	explicit_bzero(cf->text_key, sizeof cf->text_key);
	free(cf->agents_file);
	agents_free(cf->agents, cf->nagents);
	memset(cf, 0, sizeof *cf);
}

/*
 * The init, fini and reload of an adapter whose whole state is a
 * wh_config (no keys of its own).  how: what a secret does for this
 * vendor, for the start-up warning.
 */
int
wh_plain_init(const struct respite_plugin_config *cf, const char *how,
    void **instance, char **error)
{
	struct wh_config	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		abort();
	if (wh_config_parse(cf, NULL, c, error) == -1) {
		free(c);
		return (-1);
	}
	wh_config_warn(c, how);
	*instance = c;
	return (0);
}

void
wh_plain_fini(void *instance)
{
	wh_config_clear(instance);
	free(instance);
}

int
wh_plain_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct wh_config	*c = instance, fresh;

	if (wh_config_parse(cf, NULL, &fresh, error) == -1)
		return (-1);
	wh_config_clear(c);
	*c = fresh;
	respite_log(RESPITE_LOG_INFO, "reloaded");
	return (0);
}

/*
 * Say at start-up how the adapter will check requests.  how: what a
 * secret does for this vendor.
 */
void
wh_config_warn(const struct wh_config *cf, const char *how)
{
	if (cf->secret == NULL)
		respite_log(RESPITE_LOG_WARNING, "no secret set: webhooks are "
		    "accepted without %s; set [plugin.%s] secret", how,
		    cf->name);
	else
		respite_log(RESPITE_LOG_INFO, "webhooks need %s", how);
	if (cf->agents_file != NULL)
		respite_log(RESPITE_LOG_INFO, "%zu agents mapped from %s%s",
		    cf->nagents, cf->agents_file, cf->unmapped_ignore ?
		    "; others are ignored" : "");
}

/* ------------------------------------------------------------ signatures */

/*
 * HMAC of the message a (alen bytes) followed by b (blen, may be 0) with
 * key into out (WH_DIGEST_MAX bytes).  Returns the digest's length.
 */
size_t
wh_hmac(enum wh_hash hash, const char *key, size_t keylen, const void *a,
    size_t alen, const void *b, size_t blen, uint8_t *out)
{
	struct hmac_sha1_ctx	s1;
	struct hmac_sha256_ctx	s256;

	if (hash == WH_SHA1) {
		hmac_sha1_set_key(&s1, keylen, (const uint8_t *)key);
		hmac_sha1_update(&s1, alen, a);
		if (blen > 0)
			hmac_sha1_update(&s1, blen, b);
		hmac_sha1_digest(&s1, SHA1_DIGEST_SIZE, out);
		explicit_bzero(&s1, sizeof s1);
		return (SHA1_DIGEST_SIZE);
	}
	hmac_sha256_set_key(&s256, keylen, (const uint8_t *)key);
	hmac_sha256_update(&s256, alen, a);
	if (blen > 0)
		hmac_sha256_update(&s256, blen, b);
	hmac_sha256_digest(&s256, SHA256_DIGEST_SIZE, out);
	explicit_bzero(&s256, sizeof s256);
	return (SHA256_DIGEST_SIZE);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decode hex s (either case, surrounding blanks allowed) into out.
 * Returns the number of bytes, or -1 if s is not hex or too long.
 */
int
wh_hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t	n = 0;
	int	hi, lo;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s != '\0' && *s != ' ' && *s != '\t') {
		if ((hi = hexval((unsigned char)s[0])) == -1 ||
		    (lo = hexval((unsigned char)s[1])) == -1 || n == max)
			return (-1);
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return (*s == '\0' ? (int)n : -1);
}

/* Decode base64 s into out.  Returns the number of bytes, or -1. */
int
wh_base64_decode(const char *s, uint8_t *out, size_t max)
{
	struct base64_decode_ctx	 ctx;
	uint8_t				*buf;
	size_t				 len, n;
	int				 rc = -1;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strcspn(s, " \t");
	if (s[len + strspn(s + len, " \t")] != '\0' || len == 0 ||
	    len > 4 * max)
		return (-1);
	buf = wh_xcalloc(BASE64_DECODE_LENGTH(len) + 1, 1);
	n = BASE64_DECODE_LENGTH(len);
	base64_decode_init(&ctx);
	if (base64_decode_update(&ctx, &n, buf, len, s) &&
	    base64_decode_final(&ctx) && n <= max) {
		memcpy(out, buf, n);
		rc = (int)n;
	}
	free(buf);
	return (rc);
}

/*
 * Are a and b the same bytes?  In time that depends only on the
 * lengths (nettle's memeql_sec); a length mismatch is no secret here,
 * digests have fixed lengths and shared secrets are compared as
 * SHA-256 digests (wh_check_secret()).
 */
int
wh_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return (0);
	return (memeql_sec(a, b, alen) != 0);
}

/*
 * Check a hex signature (after prefix, e.g. "sha1=", matched without
 * regard to case) against the HMAC of a followed by b with the secret.
 * Returns 1 if it matches.
 */
int
wh_check_hmac_hex(const struct wh_config *cf, enum wh_hash hash,
    const char *value, const char *prefix, const void *a, size_t alen,
    const void *b, size_t blen)
{
	uint8_t	want[WH_DIGEST_MAX], got[WH_DIGEST_MAX];
	size_t	len, plen = strlen(prefix);
	int	n;

	while (*value == ' ')
		value++;
	if (strncasecmp(value, prefix, plen) != 0)
		return (0);
	if ((n = wh_hex_decode(value + plen, got, sizeof got)) == -1)
		return (0);
	len = wh_hmac(hash, cf->secret, cf->secret_len, a, alen, b, blen,
	    want);
	return (wh_equal(want, len, got, (size_t)n));
}

/*
 * Is a signed time stamp (epoch ms) fresh at now: at most max_age old
 * and at most 30 s ahead?  Returns 0, or -1 with *error.
 */
int
wh_check_fresh(const struct wh_config *cf, int64_t ts, int64_t now,
    char **error)
{
	if (cf->max_age_ms == 0)
		return (0);
	if (ts > now + WH_AHEAD_MS)
		return (respite_error(error, "the signed time stamp is %lld s "
		    "ahead of this server's clock", (long long)((ts - now) /
		    1000)));
	if (now - ts > cf->max_age_ms)
		return (respite_error(error, "the signed time stamp is %lld s "
		    "old, more than max_age (%lld s): a replay, or a clock "
		    "that is off", (long long)((now - ts) / 1000),
		    (long long)(cf->max_age_ms / 1000)));
	return (0);
}

/*
 * Is value (a header) the shared secret?  Both are hashed with SHA-256
 * first, so the comparison takes the same time whatever their lengths.
 */
int
wh_check_secret(const struct wh_config *cf, const char *value)
{
	struct sha256_ctx	ctx;
	uint8_t			a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];

	while (*value == ' ')
		value++;
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(value), (const uint8_t *)value);
	sha256_digest(&ctx, sizeof a, a);
	sha256_init(&ctx);
	sha256_update(&ctx, cf->secret_len, (const uint8_t *)cf->secret);
	sha256_digest(&ctx, sizeof b, b);
	return (wh_equal(a, sizeof a, b, sizeof b));
}

/* Set *error and return RESPITE_WEBHOOK_UNAUTHORIZED. */
int
wh_unauthorized(char **error, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (error != NULL && vasprintf(error, fmt, ap) == -1)
		*error = NULL;
	va_end(ap);
	return (RESPITE_WEBHOOK_UNAUTHORIZED);
}

/* ------------------------------------------------------------ JSON */

/*
 * Parse the request's body as a JSON value.  Returns a new reference, or
 * NULL with *error saying where it is broken (never quoting the body).
 */
json_t *
wh_parse(const struct respite_webhook *req, char **error)
{
	json_error_t	 je;
	json_t		*root;

	if (req->body_len == 0) {
		respite_error(error, "the body is empty; expected the "
		    "helpdesk's JSON payload");
		return (NULL);
	}
	if ((root = json_loadb(req->body, req->body_len, JSON_DECODE_ANY,
	    &je)) == NULL) {
		respite_error(error, "the payload is not JSON: line %d, "
		    "column %d: %s", je.line, je.column, je.text);
		return (NULL);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		respite_error(error, "the payload is JSON but not an object");
		return (NULL);
	}
	return (root);
}

/* The value at a dotted path ("ticket.owner.email") of o, or NULL. */
json_t *
wh_get(json_t *o, const char *path)
{
	char		 key[128];
	const char	*dot;
	size_t		 n;

	while (o != NULL && *path != '\0') {
		if (!json_is_object(o))
			return (NULL);
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof key)
			return (NULL);
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return (o);
}

/*
 * Is s a placeholder the helpdesk left as it was ("{{ticket.id}}" of
 * Zendesk and Freshdesk, "#{ticket.number}" of Zammad)?  Test deliveries
 * and payload templates carry them.
 */
static int
unrendered(const char *s, size_t len)
{
	return ((len >= 4 && strncmp(s, "{{", 2) == 0 &&
	    strcmp(s + len - 2, "}}") == 0) || (len >= 3 &&
	    strncmp(s, "#{", 2) == 0 && s[len - 1] == '}'));
}

/* A non-empty string at path, not a bare placeholder; NULL if none. */
const char *
wh_str(json_t *o, const char *path)
{
	json_t	*v = wh_get(o, path);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    unrendered(json_string_value(v), json_string_length(v)))
		return (NULL);
	return (json_string_value(v));
}

/*
 * A string or an integer at path as text in buf (ids come as either).
 * Returns buf, or NULL when absent, empty, null or too long.
 */
const char *
wh_scalar(json_t *o, const char *path, char *buf, size_t len)
{
	json_t		*v = wh_get(o, path);
	const char	*s;
	int		 n;

	if (json_is_integer(v))
		n = snprintf(buf, len, "%lld",
		    (long long)json_integer_value(v));
	else if ((s = wh_str(o, path)) != NULL)
		n = snprintf(buf, len, "%s", s);
	else
		return (NULL);
	return (n > 0 && (size_t)n < len ? buf : NULL);
}

/* 1 if path is true (or "true"), else 0. */
int
wh_bool(json_t *o, const char *path)
{
	json_t	*v = wh_get(o, path);

	return (json_is_true(v) || (json_is_string(v) &&
	    wh_strcaseeq(json_string_value(v), "true")));
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

static int
digits(const char **p, int n, int *out)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return (-1);
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return (0);
}

/*
 * Parse a vendor time stamp into epoch ms: ISO 8601 / RFC 3339 with "T"
 * or a space, optional fraction, and "Z", "+HH:MM", "+HHMM", " UTC" or
 * nothing (UTC); or epoch seconds as digits.  Returns 0, or -1.
 */
int
wh_time_parse(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char	*p = s;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int64_t		 frac = 0, scale = 1000;
	char		*end;
	long long	 n;

	while (*p == ' ')
		p++;
	if (strlen(p) >= 1 && strspn(p, "0123456789") == strlen(p)) {
		errno = 0;
		n = strtoll(p, &end, 10);
		if (errno != 0 || n < 0 || n > 32503680000LL)
			return (-1);
		*ms = (int64_t)n * 1000;
		return (0);
	}
	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || (*p != 'T' && *p != 't' && *p != ' '))
		return (-1);
	p++;
	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1)
		return (-1);
	sec = 0;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) == -1)
			return (-1);
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return (-1);
			while (isdigit((unsigned char)*p)) {
				if (scale > 1) {
					scale /= 10;
					frac += (*p - '0') * scale;
				}
				p++;
			}
		}
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (strcmp(p, "UTC") == 0 || strcmp(p, "GMT") == 0)
		p += 3;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) == -1)
			return (-1);
		if (*p == ':')
			p++;
		if (*p != '\0' && digits(&p, 2, &om) == -1)
			return (-1);
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))) || h > 23 || mi > 59 || sec > 60 || oh > 23 ||
	    om > 59 || y < 1970)
		return (-1);
	*ms = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec) - sign * (oh * 3600 + om * 60)) * 1000 +
	    frac;
	return (0);
}

/*
 * A time at path: a string wh_time_parse() reads, or a number of epoch
 * seconds (or milliseconds, when it is that large).  Returns 0 with
 * *ms, or -1 when absent or unreadable.
 */
int
wh_time(json_t *o, const char *path, int64_t *ms)
{
	json_t	*v = wh_get(o, path);
	double	 d;

	if (json_is_string(v))
		return (wh_time_parse(json_string_value(v), ms));
	if (!json_is_number(v))
		return (-1);
	d = json_number_value(v);
	if (!isfinite(d) || d <= 0)
		return (-1);
	if (d < 1e11)
		d *= 1000;
	/*
	 * Nothing after the year 3000, as wh_time_parse(): a larger
	 * double does not fit int64_t, and converting it would be
	 * undefined (found by tests/fuzz/fuzz_chatwoot).
	 */
	if (d > 32503680000000.0)
		return (-1);
	*ms = (int64_t)d;
	return (0);
}

/* ------------------------------------------------------------ text */

/* A growing output buffer for wh_text(). */
struct tbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 space;		/* a blank is pending */
	int	 newline;	/* a line break is pending */
};

static void
tb_byte(struct tbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t	 ncap = b->cap * 2;
		char	*n = wh_xcalloc(ncap, 1);

		memcpy(n, b->s, b->len);
		explicit_bzero(b->s, b->cap);
		free(b->s);
		b->s = n;
		b->cap = ncap;
	}
	b->s[b->len++] = c;
}

static void
tb_pending(struct tbuf *b)
{
	if (b->len > 0 && b->newline)
		tb_byte(b, '\n');
	else if (b->len > 0 && b->space)
		tb_byte(b, ' ');
	b->space = b->newline = 0;
}

static void
tb_char(struct tbuf *b, char c)
{
	if (c == '\n') {
		b->newline = 1;
		return;
	}
	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
		b->space = 1;
		return;
	}
	tb_pending(b);
	tb_byte(b, c);
}

static void
tb_utf8(struct tbuf *b, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp == 0xa0) {		/* &nbsp; */
		b->space = 1;
		return;
	}
	if (cp < 0x80) {
		tb_char(b, (char)cp);
		return;
	}
	tb_pending(b);
	if (cp < 0x800) {
		tb_byte(b, (char)(0xc0 | cp >> 6));
	} else if (cp < 0x10000) {
		tb_byte(b, (char)(0xe0 | cp >> 12));
		tb_byte(b, (char)(0x80 | (cp >> 6 & 0x3f)));
	} else {
		tb_byte(b, (char)(0xf0 | cp >> 18));
		tb_byte(b, (char)(0x80 | (cp >> 12 & 0x3f)));
		tb_byte(b, (char)(0x80 | (cp >> 6 & 0x3f)));
	}
	tb_byte(b, (char)(0x80 | (cp & 0x3f)));
}

/*
 * The length of a valid UTF-8 sequence at s (n bytes left), or 0.
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t		len, i;
	unsigned long	cp;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return (0);
	return (len);
}

static const struct {
	const char	*name;
	unsigned long	 cp;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", 0xa0 }, { "auml", 0xe4 },
	{ "ouml", 0xf6 }, { "uuml", 0xfc }, { "Auml", 0xc4 },
	{ "Ouml", 0xd6 }, { "Uuml", 0xdc }, { "szlig", 0xdf },
	{ "eacute", 0xe9 }, { "egrave", 0xe8 }, { "agrave", 0xe0 },
	{ "ccedil", 0xe7 }, { "hellip", 0x2026 }, { "ndash", 0x2013 },
	{ "mdash", 0x2014 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e },
	{ "euro", 0x20ac }, { "copy", 0xa9 },
};

/* Decode the entity at s (after '&'); returns bytes used, or 0. */
static size_t
entity(const char *s, const char *end, unsigned long *cp)
{
	const char	*p = s;
	char		 name[16];
	size_t		 n = 0, i;
	unsigned long	 v = 0;
	int		 base = 10, d;

	if (p < end && *p == '#') {
		p++;
		if (p < end && (*p == 'x' || *p == 'X')) {
			base = 16;
			p++;
		}
		while (p < end && n < 8 && (d = hexval((unsigned char)*p)) !=
		    -1 && (base == 16 || d < 10)) {
			v = v * (unsigned long)base + (unsigned long)d;
			p++;
			n++;
		}
		if (n == 0 || p >= end || *p != ';')
			return (0);
		*cp = v;
		return ((size_t)(p - s) + 1);
	}
	while (p < end && n < sizeof name - 1 && isalnum((unsigned char)*p))
		name[n++] = *p++;
	name[n] = '\0';
	if (n == 0 || p >= end || *p != ';')
		return (0);
	for (i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (strcmp(entities[i].name, name) == 0) {
			*cp = entities[i].cp;
			return ((size_t)(p - s) + 1);
		}
	return (0);
}

/* Does an HTML tag start at s: "<a", "</a", "<!"? */
static int
tag_start(const char *s, const char *end)
{
	return (s + 1 < end && (isalpha((unsigned char)s[1]) ||
	    ((s[1] == '/' || s[1] == '!') && s + 2 < end)));
}

/* The tag's name at s (after '<' and any '/'), lower-cased into buf. */
static void
tag_name(const char *s, const char *end, char *buf, size_t len)
{
	size_t	n = 0;

	while (s < end && n < len - 1 && isalnum((unsigned char)*s))
		buf[n++] = (char)tolower((unsigned char)*s++);
	buf[n] = '\0';
}

static int
is_block(const char *name)
{
	static const char *const block[] = { "br", "p", "div", "li", "tr",
	    "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
	    "table", "hr", "pre", "section", "article", "header", "footer",
	    NULL };
	size_t	i;

	for (i = 0; block[i] != NULL; i++)
		if (strcmp(name, block[i]) == 0)
			return (1);
	return (0);
}

/*
 * Find the end of the element whose content we skip (script, style,
 * blockquote: quoted history is not what the customer wrote now), from
 * s just after its opening tag.  Nested blockquotes are counted.
 */
static const char *
skip_element(const char *s, const char *end, const char *name)
{
	char	buf[16];
	int	depth = 1;

	while (s < end) {
		if (*s == '<' && s + 1 < end) {
			int	closing = s[1] == '/';

			tag_name(s + 1 + closing, end, buf, sizeof buf);
			if (strcmp(buf, name) == 0)
				depth += closing ? -1 : 1;
			if (depth == 0) {
				const char	*gt = memchr(s, '>', end - s);

				return (gt != NULL ? gt + 1 : end);
			}
		}
		s++;
	}
	return (end);
}

/*
 * Does s look like HTML (a tag such as <div>, <br/>, </p>): a tag start
 * with a name and a ">" somewhere after it?  Linear: the last ">" is
 * found once (searching the rest at every "<" made "<a" repeated
 * quadratic, 30 s on the loop at 4 MiB; issue 13 item 7).
 */
static int
looks_html(const char *s, size_t len)
{
	const char	*p = s, *end = s + len, *gt;
	char		 name[16];

	if ((gt = memrchr(s, '>', len)) == NULL)
		return (0);
	while (p < gt && (p = memchr(p, '<', gt - p)) != NULL) {
		if (tag_start(p, end)) {
			tag_name(p + 1 + (p[1] == '/'), end, name, sizeof name);
			if (*name != '\0')
				return (1);
		}
		p++;
	}
	return (0);
}

/*
 * Message text as plain UTF-8 for the classifiers: tags removed (block
 * tags become line breaks; script, style and blockquote content is
 * dropped), entities decoded, blanks collapsed, quoted lines ("> ...")
 * of plain text dropped, invalid UTF-8 replaced, at most
 * RESPITE_TEXT_MAX bytes.  html: 1 it is HTML, 0 plain, -1 guess.
 * Returns a new buffer (free it with wh_text_free()), *outlen its
 * length.
 */
char *
wh_text(const char *s, size_t len, int html, size_t *outlen)
{
	struct tbuf	 b;
	const char	*p = s, *end = s + len, *gt;
	char		 name[16];
	unsigned long	 cp;
	size_t		 n;
	int		 bol = 1;

	if (html == -1)
		html = looks_html(s, len);
	memset(&b, 0, sizeof b);
	b.cap = len + 16;
	b.s = wh_xcalloc(b.cap, 1);
	while (p < end && b.len < RESPITE_TEXT_MAX + 8) {
		if (html && *p == '<' && tag_start(p, end)) {
			int	closing = p[1] == '/';

			if (p + 3 < end && strncmp(p, "<!--", 4) == 0) {
				const char	*c = p + 4;

				while (c + 2 < end && strncmp(c, "-->", 3) != 0)
					c++;
				p = c + 2 < end ? c + 3 : end;
				continue;
			}
			tag_name(p + 1 + closing, end, name, sizeof name);
			gt = memchr(p, '>', end - p);
			p = gt != NULL ? gt + 1 : end;
			if (!closing && (strcmp(name, "script") == 0 ||
			    strcmp(name, "style") == 0 ||
			    strcmp(name, "blockquote") == 0 ||
			    strcmp(name, "head") == 0)) {
				p = skip_element(p, end, name);
				b.newline = 1;
			} else if (is_block(name))
				b.newline = 1;
			else
				b.space = b.space || strcmp(name, "img") == 0;
			continue;
		}
		if (html && *p == '&' && (n = entity(p + 1, end, &cp)) > 0) {
			tb_utf8(&b, cp);
			p += n + 1;
			continue;
		}
		if (!html && bol && *p == '>') {
			/* A quoted line of a plain-text reply. */
			const char	*nl = memchr(p, '\n', end - p);

			p = nl != NULL ? nl + 1 : end;
			continue;
		}
		if ((unsigned char)*p < 0x80) {
			if (html && (*p == '\n' || *p == '\r'))
				b.space = 1;
			else if ((unsigned char)*p < 0x20 && *p != '\n' &&
			    *p != '\t' && *p != '\r')
				b.space = 1;
			else
				tb_char(&b, *p);
			bol = *p == '\n';
			p++;
			continue;
		}
		bol = 0;
		if ((n = utf8_len((const unsigned char *)p, end - p)) == 0) {
			tb_utf8(&b, 0xfffd);
			p++;
			continue;
		}
		tb_pending(&b);
		while (n-- > 0)
			tb_byte(&b, *p++);
	}
	/* Cut at RESPITE_TEXT_MAX on a character boundary. */
	if (b.len > RESPITE_TEXT_MAX) {
		n = RESPITE_TEXT_MAX;
		while (n > 0 && ((unsigned char)b.s[n] & 0xc0) == 0x80)
			n--;
		explicit_bzero(b.s + n, b.len - n);
		b.len = n;
	}
	b.s[b.len] = '\0';
	*outlen = b.len;
	return (b.s);
}

/* Wipe and free a buffer of wh_text(). */
void
wh_text_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	explicit_bzero(s, len);
	free(s);
}

/* ------------------------------------------------------------ agents */

/* ASCII for the Latin letters names are most often written with. */
static const char *
translit(unsigned long cp)
{
	static const struct {
		unsigned long	 cp;
		const char	*s;
	} t[] = {
		{ 0xc4, "Ae" }, { 0xd6, "Oe" }, { 0xdc, "Ue" }, { 0xe4, "ae" },
		{ 0xf6, "oe" }, { 0xfc, "ue" }, { 0xdf, "ss" }, { 0xc6, "AE" },
		{ 0xe6, "ae" }, { 0xd8, "O" }, { 0xf8, "o" }, { 0xc5, "A" },
		{ 0xe5, "a" }, { 0xd1, "N" }, { 0xf1, "n" }, { 0xc7, "C" },
		{ 0xe7, "c" }, { 0x141, "L" }, { 0x142, "l" },
	};
	static const char	upper[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs";
	static const char	lower[] = "aaaaaaaceeeeiiiidnooooo-ouuuuyty";
	/* U+0100 to U+017F, Latin Extended-A: Č, Ł, Ő, Ş, Ž, ... */
	static const char	ext[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGg"
	    "HhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSs"
	    "TtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
	static char		one[2];
	size_t			i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].cp == cp)
			return (t[i].s);
	if (cp >= 0xc0 && cp <= 0xdf && cp != 0xd7) {
		one[0] = upper[cp - 0xc0];
		return (one);
	}
	if (cp >= 0xe0 && cp <= 0xff && cp != 0xf7) {
		one[0] = lower[cp - 0xe0];
		return (one);
	}
	if (cp >= 0x100 && cp <= 0x17f) {
		one[0] = ext[cp - 0x100];
		return (one);
	}
	return ("-");
}

/*
 * Make a respite id (1-64 of A-Za-z0-9._@-) of a vendor's value:
 * blanks become ".", common accented Latin letters their ASCII
 * (Jürgen Weiß: Juergen.Weiss), anything else "-"; runs of "." and "-"
 * collapse and none is left at either end; an email is lower-cased.
 * Returns 0, or -1 if nothing usable is left.
 */
int
wh_agent_id(const char *s, char *out, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*t;
	size_t			 n = 0, k;
	int			 email = strchr(s, '@') != NULL;
	unsigned long		 cp;
	char			 c;

	if (len == 0)
		return (-1);
	if (len > RESPITE_NAME_MAX + 1)
		len = RESPITE_NAME_MAX + 1;
	while (*p != '\0' && n < len - 1) {
		if (*p < 0x80) {
			c = (char)*p++;
			if (isalnum((unsigned char)c) || c == '@' ||
			    c == '.' || c == '-')
				;
			else if (c == '_')
				c = '-';
			else if (isspace((unsigned char)c))
				c = '.';
			else
				c = '-';
			if (email)
				c = (char)tolower((unsigned char)c);
			if ((c == '.' || c == '-') && (n == 0 ||
			    out[n - 1] == '.' || out[n - 1] == '-'))
				continue;
			out[n++] = c;
			continue;
		}
		k = utf8_len(p, strlen((const char *)p));
		cp = 0;
		if (k == 2)
			cp = (unsigned long)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		else if (k == 3)
			cp = (unsigned long)(p[0] & 0x0f) << 12 |
			    (unsigned long)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		p += k != 0 ? k : 1;
		for (t = translit(cp); *t != '\0' && n < len - 1; t++) {
			if (*t == '-' && (n == 0 || out[n - 1] == '.' ||
			    out[n - 1] == '-'))
				continue;
			out[n++] = email ? (char)tolower((unsigned char)*t) :
			    *t;
		}
	}
	while (n > 0 && (out[n - 1] == '.' || out[n - 1] == '-'))
		n--;
	out[n] = '\0';
	return (n > 0 ? 0 : -1);
}

static const struct wh_agent_entry *
agents_find(const struct wh_config *cf, const char *key)
{
	struct wh_agent_entry	k;

	if (cf->nagents == 0)
		return (NULL);
	k.key = (char *)(uintptr_t)key;
	return (bsearch(&k, cf->agents, cf->nagents, sizeof k, agent_cmp));
}

/*
 * The agent (and team) for a vendor's user: the agents file maps the
 * configured field's value (then the others: email, login, id, name);
 * without a match, unmapped = ignore gives up, else the first value
 * present (the configured field first) becomes the id.  Returns 0, or
 * -1 when the payload names no usable agent.
 */
int
wh_agent(const struct wh_config *cf, const struct wh_person *who,
    char *agent, size_t alen, char *team, size_t tlen)
{
	const struct wh_agent_entry	*e;
	enum wh_field			 order[WH_NFIELDS + 1];
	size_t				 i, n = 0;

	*agent = '\0';
	*team = '\0';
	if (who == NULL)
		return (-1);
	order[n++] = cf->field;
	for (i = 0; i < WH_NFIELDS; i++)
		if (i != (size_t)cf->field)
			order[n++] = (enum wh_field)i;
	for (i = 0; i < n; i++) {
		const char	*v = who->v[order[i]];

		if (v == NULL || *v == '\0')
			continue;
		if ((e = agents_find(cf, v)) != NULL) {
			snprintf(agent, alen, "%s", e->agent);
			snprintf(team, tlen, "%s", e->team);
			return (0);
		}
	}
	if (cf->unmapped_ignore)
		return (-1);
	for (i = 0; i < n; i++) {
		const char	*v = who->v[order[i]];

		if (v != NULL && *v != '\0' && wh_agent_id(v, agent,
		    alen) == 0)
			return (0);
	}
	return (-1);
}

/* ------------------------------------------------------------ channels */

/*
 * Our channel for a vendor's channel or source value: the first entry
 * of map whose match occurs in it (ignoring case); other if none does,
 * or if the value is absent.
 */
enum respite_channel
wh_channel(const struct wh_channel_map *map, const char *value)
{
	if (value == NULL)
		return (RESPITE_CH_OTHER);
	for (; map->match != NULL; map++)
		if (strcasestr(value, map->match) != NULL)
			return (map->channel);
	return (RESPITE_CH_OTHER);
}

/* A channel where a contact is worked on in one go (phone, chat, ...). */
int
wh_live_channel(enum respite_channel ch)
{
	return (ch == RESPITE_CH_PHONE || ch == RESPITE_CH_CHAT ||
	    ch == RESPITE_CH_MESSAGING);
}

/*
 * Handling time of a ticket handled at end (epoch ms), the rule of the
 * docs/helpdesks.md: time the agent accounted in the helpdesk (accounted_s > 0),
 * else on a live channel (phone, chat, messaging) the span from start
 * (assignment or creation) to end when it is at most max_duration, else
 * 0: an email ticket open for two days was not worked on for two days.
 * Accounted time is taken up to WH_DURATION_MAX (a year), not a day: a
 * thread handled after 26 h is a real trace (issue 13).
 */
double
wh_duration(const struct wh_config *cf, enum respite_channel ch,
    int64_t start, int64_t end, double accounted_s)
{
	double	span;

	if (accounted_s > 0 && isfinite(accounted_s))
		return (accounted_s < WH_DURATION_MAX ? accounted_s :
		    WH_DURATION_MAX);
	if (!wh_live_channel(ch) || start <= 0 || end < start)
		return (0);
	span = (double)(end - start) / 1000.0;
	return (span <= cf->max_duration_s ? span : 0);
}

/* ------------------------------------------------------------ events */

void
wh_result_init(struct wh_result *r, const struct respite_webhook *req,
    const struct wh_config *cf)
{
	memset(r, 0, sizeof *r);
	r->req = req;
	r->cf = cf;
}

/* Note why (part of) a payload was not used; the first reason stays. */
void
wh_ignore(struct wh_result *r, const char *fmt, ...)
{
	va_list	 ap;
	json_t	*v = NULL;
	char	*p;

	if (r->reason != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->reason, fmt, ap) == -1)
		r->reason = NULL;
	va_end(ap);
	/*
	 * The reason goes into the JSON of the 202, which must be UTF-8,
	 * and "%.64s" of a vendor's value may cut a character in two (a
	 * check of tests/fuzz/fuzz_wh.c): then it keeps only its ASCII.
	 */
	if (r->reason != NULL && (v = json_string(r->reason)) == NULL)
		for (p = r->reason; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	json_decref(v);
}

/*
 * The adapter's answer once a payload is done: OK when something was
 * emitted, else IGNORED with the reason in *error.
 */
int
wh_finish(struct wh_result *r, char **error)
{
	if (r->emitted > 0) {
		free(r->reason);
		r->reason = NULL;
		return (RESPITE_WEBHOOK_OK);
	}
	if (error != NULL && r->reason != NULL) {
		*error = r->reason;
		r->reason = NULL;
	}
	free(r->reason);
	r->reason = NULL;
	return (RESPITE_WEBHOOK_IGNORED);
}

/* A new event of type on ch at ts (0: the time of receipt). */
void
wh_event_init(struct respite_event *ev, enum respite_event_type type,
    enum respite_channel ch, int64_t ts)
{
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->channel = ch;
	ev->ts_ms = ts > 0 ? ts : 0;
	ev->duration_s = -1;
	ev->severity = -1;
}

/*
 * The event's id: "NAME:" and the formatted vendor ids, so a webhook
 * delivered twice is a duplicate.  One that would be longer than an id
 * may be becomes NAME: and its SHA-256 in hex.
 */
void
wh_event_id(const struct wh_config *cf, struct respite_event *ev,
    const char *fmt, ...)
{
	char		buf[1024];
	uint8_t		d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	va_list		ap;
	int		n, i;

	/* A name is short ([a-z0-9_-]); bounded all the same. */
	n = snprintf(buf, sizeof buf, "%.64s:", cf->name);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (strlen(buf) <= RESPITE_ID_MAX) {
		snprintf(ev->id, sizeof ev->id, "%s", buf);
		return;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(buf), (const uint8_t *)buf);
	sha256_digest(&ctx, sizeof d, d);
	n = snprintf(ev->id, sizeof ev->id, "%.40s:", cf->name);
	for (i = 0; i < (int)sizeof d; i++)
		n += snprintf(ev->id + n, sizeof ev->id - (size_t)n, "%02x",
		    d[i]);
}

/*
 * For vendors that give a message no id: 16 hex digits of an HMAC of
 * the ticket and the text, so a redelivery is a duplicate.  Keyed with
 * the installation secret (respite_install_secret()): with a public key
 * (the plugin's name, as it was) anyone holding the database could test
 * guesses of short texts ("ok", "idiot") against the ids; with the
 * vendor's secret, anyone who can read the configuration.  The text
 * cannot be read back from it.
 */
void
wh_text_id(const struct wh_config *cf, const char *ticket, const char *text,
    size_t len, char *out, size_t outlen)
{
	uint8_t		 d[WH_DIGEST_MAX];
	size_t		 i, n = 0;
	char		*msg;
	size_t		 tlen = strlen(ticket);

	msg = wh_xcalloc(tlen + 1 + len + 1, 1);
	memcpy(msg, ticket, tlen);
	memcpy(msg + tlen + 1, text, len);
	wh_hmac(WH_SHA256, (const char *)cf->text_key, cf->text_key_len, msg,
	    tlen + 1 + len, NULL, 0, d);
	explicit_bzero(msg, tlen + 1 + len);
	free(msg);
	for (i = 0; i < 8 && n + 3 <= outlen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%02x", d[i]);
}

/*
 * Emit ev for the agent who describes, through the daemon.  Returns 1
 * when emitted, 0 when the payload names no usable agent (noted as the
 * reason), -1 when the daemon refused the event (*error set).
 */
int
wh_emit(struct wh_result *r, struct respite_event *ev,
    const struct wh_person *who, char **error)
{
	if (wh_agent(r->cf, who, ev->agent, sizeof ev->agent, ev->team,
	    sizeof ev->team) == -1) {
		wh_ignore(r, "%s", who == NULL ? "no agent is assigned" :
		    r->cf->unmapped_ignore ? "the agent is not in the agents "
		    "file" : "the payload names no usable agent");
		return (0);
	}
	if (r->req->emit(r->req, ev, error) == -1)
		return (-1);
	r->emitted++;
	return (1);
}

/*
 * Emit a message.received with text (len bytes; html as for wh_text()),
 * which is made plain, handed over and wiped.  Returns as wh_emit().
 */
int
wh_emit_message(struct wh_result *r, struct respite_event *ev,
    const struct wh_person *who, const char *text, size_t len, int html,
    char **error)
{
	char	*plain = NULL;
	size_t	 plen = 0;
	int	 rc;

	if (text != NULL) {
		plain = wh_text(text, len, html, &plen);
		ev->text = plain;
		ev->text_len = plen;
	}
	rc = wh_emit(r, ev, who, error);
	ev->text = NULL;
	ev->text_len = 0;
	wh_text_free(plain, plen);
	return (rc);
}
