/*
 * respite - the form body of a Twilio callback and its signature.
 *
 * A body is name=value pairs joined by "&", each percent-encoded with
 * "+" for a blank (application/x-www-form-urlencoded).  tw_form_parse()
 * decodes them into one buffer and sorts them by name, bytewise, as
 * Twilio does before it signs (a name given twice keeps its order);
 * tw_signature() computes the HMAC-SHA1 Twilio sends, Base64-encoded,
 * in X-Twilio-Signature.  Nothing here logs a value.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/hmac.h>
#include <nettle/sha1.h>

#include <respite/plugin.h>

#include "form.h"

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
 * Decode s (len bytes, percent-encoded) to out, NUL-terminated.  Returns
 * the decoded length, or -1 for a bad escape or a NUL byte.
 */
static long
decode(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			out[n++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len ||
			    (hi = hexval((unsigned char)s[i + 1])) == -1 ||
			    (lo = hexval((unsigned char)s[i + 2])) == -1 ||
			    (hi | lo) == 0)
				return (-1);
			out[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0')
			return (-1);
		else
			out[n++] = s[i];
	}
	out[n] = '\0';
	return ((long)n);
}

static int
param_cmp(const void *a, const void *b)
{
	const struct tw_param	*x = a, *y = b;
	size_t			 n = x->name_len < y->name_len ? x->name_len :
				    y->name_len;
	int			 c;

	if ((c = memcmp(x->name, y->name, n)) != 0)
		return (c);
	if (x->name_len != y->name_len)
		return (x->name_len < y->name_len ? -1 : 1);
	return (x->order < y->order ? -1 : x->order > y->order);
}

/*
 * Decode the form body (len bytes) into out.  Returns 0, or -1 with
 * *error (out is then empty): a bad %-escape, an encoded NUL, more than
 * TW_FORM_MAX parameters or an empty body.
 */
int
tw_form_parse(const char *body, size_t len, struct tw_form *out,
    char **error)
{
	const char	*p = body, *end = body + len, *amp, *eq;
	char		*w;
	long		 k, v;
	size_t		 n = 0;

	memset(out, 0, sizeof *out);
	if (len == 0)
		return (respite_error(error, "the body is empty; expected the "
		    "form parameters of a TaskRouter event callback"));
	/* Decoding never makes a part longer; + 2 NULs a parameter. */
	if ((out->v = calloc(TW_FORM_MAX, sizeof *out->v)) == NULL ||
	    (out->buf = malloc(len + 2 * TW_FORM_MAX + 1)) == NULL)
		abort();
	out->buflen = len + 2 * TW_FORM_MAX + 1;
	w = out->buf;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (n == TW_FORM_MAX) {
			respite_error(error, "the form has more than %d "
			    "parameters", TW_FORM_MAX);
			goto fail;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((k = decode(p, (size_t)(eq - p), w)) == -1) {
			respite_error(error, "parameter %zu: the name is not "
			    "percent-encoded (a bad %%-escape or a NUL byte)",
			    n);
			goto fail;
		}
		out->v[n].name = w;
		out->v[n].name_len = (size_t)k;
		w += k + 1;
		v = 0;
		if (eq < amp)
			v = decode(eq + 1, (size_t)(amp - eq - 1), w);
		else
			*w = '\0';
		if (v == -1) {
			respite_error(error, "parameter %zu: the value is not "
			    "percent-encoded (a bad %%-escape or a NUL byte)",
			    n);
			goto fail;
		}
		out->v[n].value = w;
		out->v[n].value_len = (size_t)v;
		out->v[n].order = n;
		w += v + 1;
		n++;
		p = amp < end ? amp + 1 : end;
	}
	out->n = n;
	qsort(out->v, n, sizeof *out->v, param_cmp);
	return (0);

fail:
	tw_form_free(out);
	return (-1);
}

void
tw_form_free(struct tw_form *f)
{
	if (f->buf != NULL)
		explicit_bzero(f->buf, f->buflen);
	free(f->buf);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* The first value of parameter name (exact case), or NULL. */
const char *
tw_form_get(const struct tw_form *f, const char *name)
{
	size_t	lo = 0, hi = f->n, mid, nlen = strlen(name);
	int	c;

	/* The first of equal names: a lower bound. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(f->v[mid].name, name, f->v[mid].name_len < nlen ?
		    f->v[mid].name_len : nlen);
		if (c == 0 && f->v[mid].name_len != nlen)
			c = f->v[mid].name_len < nlen ? -1 : 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n && f->v[lo].name_len == nlen &&
	    memcmp(f->v[lo].name, name, nlen) == 0)
		return (f->v[lo].value);
	return (NULL);
}

/*
 * The signature Twilio computes for form f posted to the URL a (alen
 * bytes) followed by b (blen, may be 0: a query string): HMAC-SHA1 with
 * key of the URL and every parameter's name and value in sorted order.
 */
void
tw_signature(const char *key, size_t keylen, const char *a, size_t alen,
    const char *b, size_t blen, const struct tw_form *f,
    uint8_t out[TW_SIG_LEN])
{
	struct hmac_sha1_ctx	ctx;
	size_t			i;

	hmac_sha1_set_key(&ctx, keylen, (const uint8_t *)key);
	hmac_sha1_update(&ctx, alen, (const uint8_t *)a);
	if (blen > 0)
		hmac_sha1_update(&ctx, blen, (const uint8_t *)b);
	for (i = 0; i < f->n; i++) {
		hmac_sha1_update(&ctx, f->v[i].name_len,
		    (const uint8_t *)f->v[i].name);
		hmac_sha1_update(&ctx, f->v[i].value_len,
		    (const uint8_t *)f->v[i].value);
	}
	hmac_sha1_digest(&ctx, TW_SIG_LEN, out);
	explicit_bzero(&ctx, sizeof ctx);
}

/*
 * url with its scheme's default port toggled (https://h/p and
 * https://h:443/p; http and 80), as Twilio's own validators try both:
 * a proxy may or may not show the port.  Writes it to buf and returns
 * its length, or 0 when there is no such variant (no host name, a
 * user part, an IPv6 literal, another port) or it does not fit.
 */
size_t
tw_url_variant(const char *url, char *buf, size_t len)
{
	const char	*host, *end, *port;
	const char	*dflt;
	size_t		 hlen, plen, n;

	if (strncasecmp(url, "https://", 8) == 0) {
		host = url + 8;
		dflt = ":443";
	} else if (strncasecmp(url, "http://", 7) == 0) {
		host = url + 7;
		dflt = ":80";
	} else
		return (0);
	end = host + strcspn(host, "/?#");
	hlen = (size_t)(end - host);
	if (hlen == 0 || memchr(host, '@', hlen) != NULL || *host == '[')
		return (0);
	plen = strlen(dflt);
	port = memchr(host, ':', hlen);
	if (port == host)
		return (0);	/* "http://:80": no host name to keep */
	if (port == NULL) {
		/* Add the default port. */
		n = (size_t)(end - url) + plen + strlen(end);
		if (n + 1 > len)
			return (0);
		memcpy(buf, url, (size_t)(end - url));
		memcpy(buf + (end - url), dflt, plen);
		memcpy(buf + (end - url) + plen, end, strlen(end) + 1);
		return (n);
	}
	if ((size_t)(end - port) != plen || memcmp(port, dflt, plen) != 0)
		return (0);
	/* Remove it. */
	n = strlen(url) - plen;
	if (n + 1 > len)
		return (0);
	memcpy(buf, url, (size_t)(port - url));
	memcpy(buf + (port - url), end, strlen(end) + 1);
	return (n);
}
