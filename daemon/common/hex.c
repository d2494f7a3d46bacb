/*
 * respite - hexadecimal digits: chunk sizes and percent-escapes of HTTP
 * (http_parse.c), the tokens file's hashes (tokens.c), the installation
 * secret (secret.c).  The plugins keep a copy of their own in
 * plugins/common/webhook.c: they see the daemon only through
 * <respite/plugin.h> (docs/ARCHITECTURE.md, "Rooms").
 */
#include "build.h"

#include "hex.h"

/* The value of the hex digit c (either case), or -1. */
int
hex_digit(int c)
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
 * The n bytes that the 2n hex digits at s spell, into out.  Returns 0, or
 * -1 at the first byte that is not a digit (out then holds a part).
 */
int
hex_decode(const char *s, size_t n, uint8_t *out)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if ((hi = hex_digit((unsigned char)s[2 * i])) == -1 ||
		    (lo = hex_digit((unsigned char)s[2 * i + 1])) == -1)
			return (-1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (0);
}
