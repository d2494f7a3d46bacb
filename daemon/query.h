/*
 * Numeric query parameters, range-checked (API.md "Errors": overflow is
 * 400 invalid_request with field, never a wrapped value).
 */
#ifndef QUERY_H
#define QUERY_H

#include <stdint.h>

/* Times in a query: from 1970 to the end of 9999 (RFC 3339's years). */
#define QUERY_TIME_MAX_MS	253402300799999LL
/* Digits of the longest integer read (INT64_MAX has 19). */
#define QUERY_DIGITS_MAX	19

int	query_parse_int(const char *, int64_t, int64_t, int64_t *);
int	query_parse_time(const char *, int64_t *);
int	query_int(const char *, const char *, int64_t, int64_t, int64_t *);
int	query_time(const char *, const char *, int64_t *);
int	query_date(const char *, const char *, int64_t *);

#endif
