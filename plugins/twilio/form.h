/*
 * respite - the form body of a Twilio callback and its signature
 * (plugins/twilio/form.c).
 *
 * Twilio posts application/x-www-form-urlencoded parameters and signs
 * them with X-Twilio-Signature: Base64(HMAC-SHA1(auth token, the URL it
 * called followed by each parameter's name and value, sorted by name)).
 * Linked into the twilio adapter, its unit test and its fuzz targets.
 */
#ifndef TWILIO_FORM_H
#define TWILIO_FORM_H

#include <stddef.h>
#include <stdint.h>

/* Most parameters a body may have (a TaskRouter callback has ~40). */
#define TW_FORM_MAX	256
/* The length of an HMAC-SHA1. */
#define TW_SIG_LEN	20

/* One decoded parameter; name and value are NUL-terminated. */
struct tw_param {
	const char	*name;
	const char	*value;
	size_t		 name_len;
	size_t		 value_len;
	size_t		 order;		/* position in the body */
};

struct tw_form {
	struct tw_param	*v;		/* sorted by name, then order */
	size_t		 n;
	char		*buf;		/* the decoded bytes */
	size_t		 buflen;
};

int		 tw_form_parse(const char *, size_t, struct tw_form *, char **);
void		 tw_form_free(struct tw_form *);
const char	*tw_form_get(const struct tw_form *, const char *);
void		 tw_signature(const char *, size_t, const char *, size_t,
		    const char *, size_t, const struct tw_form *,
		    uint8_t[TW_SIG_LEN]);
size_t		 tw_url_variant(const char *, char *, size_t);

#endif
