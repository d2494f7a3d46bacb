/*
 * respite - API errors.
 *
 * Every 4xx/5xx reply carries {"error": {"code", "message", "index",
 * "field"}} (API.md); this is the one place that builds it.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
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

/* Returns a new string holding the JSON body for err. */
char *
api_error_json(const struct api_error *err)
{
	json_t	*o, *e;
	char	*s;

	e = json_pack("{s:s, s:s}", "code", err->code, "message",
	    err->message);
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
