/*
 * respite - fuzz target: the form decoder of the Twilio adapter
 * (plugins/twilio/form.c).  The input is a body.  What is accepted is
 * sorted by name (bytewise; equal names in body order), every name and
 * value is as long as its NUL-terminated string and no longer than the
 * body, tw_form_get() finds the first of each name, and the parameters
 * encoded again decode to the same.  Up to its first NUL the input is
 * also a URL for tw_url_variant(), whose variant's variant is the URL.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"

static void
check_form(const struct tw_form *f, size_t len)
{
	size_t	i, c;

	FUZZ_CHECK(f->n <= TW_FORM_MAX);
	for (i = 0; i < f->n; i++) {
		FUZZ_CHECK(strlen(f->v[i].name) == f->v[i].name_len);
		FUZZ_CHECK(strlen(f->v[i].value) == f->v[i].value_len);
		FUZZ_CHECK(f->v[i].name_len + f->v[i].value_len <= len);
		if (i == 0)
			continue;
		c = f->v[i - 1].name_len < f->v[i].name_len ?
		    f->v[i - 1].name_len : f->v[i].name_len;
		{
			int	d = memcmp(f->v[i - 1].name, f->v[i].name, c);

			FUZZ_CHECK(d < 0 || (d == 0 && (f->v[i - 1].name_len <
			    f->v[i].name_len || (f->v[i - 1].name_len ==
			    f->v[i].name_len && f->v[i - 1].order <
			    f->v[i].order))));
			if (d != 0 || f->v[i - 1].name_len != f->v[i].name_len)
				FUZZ_CHECK(tw_form_get(f, f->v[i].name) ==
				    f->v[i].value);
		}
	}
	if (f->n > 0)
		FUZZ_CHECK(tw_form_get(f, f->v[0].name) == f->v[0].value);
}

/* Percent-encode s into out (3 * len + 1 bytes). */
static size_t
encode(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		n += (size_t)snprintf(out + n, 4, "%%%02X",
		    (unsigned char)s[i]);
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tw_form	 f, g;
	char		*error = NULL, *body, *url, *v1, *v2;
	size_t		 i, n = 0, cap, ulen, l1, l2;

	if (tw_form_parse((const char *)data, size, &f, &error) == -1) {
		FUZZ_CHECK(error != NULL && f.n == 0 && f.v == NULL);
		free(error);
	} else {
		FUZZ_CHECK(error == NULL);
		check_form(&f, size);
		/* Encoded again in sorted order, the same parameters. */
		cap = 3 * size + 2 * f.n + 2;
		if ((body = malloc(cap)) == NULL)
			abort();
		for (i = 0; i < f.n; i++) {
			if (i > 0)
				body[n++] = '&';
			n += encode(f.v[i].name, f.v[i].name_len, body + n);
			body[n++] = '=';
			n += encode(f.v[i].value, f.v[i].value_len, body + n);
		}
		if (n == 0) {
			/* Only separators: nothing; "" is no body. */
			FUZZ_CHECK(f.n == 0);
		} else {
			FUZZ_CHECK(tw_form_parse(body, n, &g, &error) == 0);
			FUZZ_CHECK(g.n == f.n);
			for (i = 0; i < f.n; i++) {
				FUZZ_CHECK(g.v[i].name_len == f.v[i].name_len);
				FUZZ_CHECK(memcmp(g.v[i].name, f.v[i].name,
				    f.v[i].name_len) == 0);
				FUZZ_CHECK(strcmp(g.v[i].value,
				    f.v[i].value) == 0);
			}
			tw_form_free(&g);
		}
		free(body);
		tw_form_free(&f);
	}

	ulen = strnlen((const char *)data, size);
	if ((url = malloc(ulen + 1)) == NULL || (v1 = malloc(ulen + 16)) ==
	    NULL || (v2 = malloc(ulen + 16)) == NULL)
		abort();
	memcpy(url, data, ulen);
	url[ulen] = '\0';
	if ((l1 = tw_url_variant(url, v1, ulen + 16)) > 0) {
		FUZZ_CHECK(strlen(v1) == l1);
		FUZZ_CHECK(strcmp(v1, url) != 0);
		l2 = tw_url_variant(v1, v2, ulen + 16);
		FUZZ_CHECK(l2 == ulen && strcmp(v2, url) == 0);
	}
	free(url);
	free(v1);
	free(v2);
	return (0);
}
