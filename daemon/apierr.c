/*
 * respite - API errors.
 *
 * Every 4xx/5xx reply carries {"error": {"code", "message", "index",
 * "field"}} (API.md); this is the one place that builds it.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apierr.h"
#include "log.h"
#include "xmalloc.h"

void
api_error_set(struct api_error *err, int status, const char *code,
    long index, const char *field, const char *fmt, ...)
{
	va_list	ap;

	err->status = status;
	err->code = code;
	err->index = index;
	snprintf(err->field, sizeof err->field, "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/*
 * s as a new JSON string.  A message may quote what jansson saw of a
 * broken body, and its error text can end inside a UTF-8 character; or
 * vsnprintf() cut the message there.  JSON strings must be UTF-8, so
 * such a message goes out with its non-ASCII bytes as '?' rather than
 * not at all (found by tests/fuzz/fuzz_event).
 */
static json_t *
message_string(const char *s)
{
	json_t	*v;
	char	*copy, *p;

	if ((v = json_string(s)) != NULL)
		return (v);
	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return (v);
}

/* Returns a new string holding the JSON body for err. */
char *
api_error_json(const struct api_error *err)
{
	json_t	*o, *e;
	char	*s;

	e = json_pack("{s:s, s:o}", "code", err->code, "message",
	    message_string(err->message));
	if (err->index >= 0)
		json_object_set_new(e, "index", json_integer(err->index));
	if (err->field[0] != '\0')
		json_object_set_new(e, "field", json_string(err->field));
	o = json_pack("{s:o}", "error", e);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		fatalx("api_error_json: out of memory");
	return (s);
}
