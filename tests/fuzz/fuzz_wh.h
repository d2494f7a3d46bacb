/*
 * respite - a fake daemon for the webhook adapters' fuzz targets
 * (fuzz_zammad.c, fuzz_chatwoot.c, fuzz_zendesk.c, fuzz_freshdesk.c),
 * after tests/unit/wh_test.c but without cmocka.
 *
 * An input is
 *
 *	FLAGS HEADER-LINE... "\n" BODY
 *
 * FLAGS is one byte: 0x01 a secret is set; 0x02 the harness signs the
 * request as the vendor would (the fuzzer cannot forge an HMAC, and
 * the body must still be reached with a secret); 0x0c agent_field
 * (email, login, id, name); 0x10 an agents file; 0x20 unmapped =
 * ignore; 0x80 the daemon refuses the second event emitted.  So "@"
 * (0x40) is a plain request without a secret, "A" one with a secret
 * and no valid signature, "C" a signed one.  Each HEADER-LINE ends in
 * "\n" and is the value of the adapter's next signature header (its
 * own order); an empty line ends them, and headers without a line are
 * absent.
 */
#ifndef FUZZ_WH_H
#define FUZZ_WH_H

#include <stddef.h>
#include <stdint.h>

#include <respite/plugin.h>

#define FUZZ_WH_SECRET	"fuzz-secret"
#define FUZZ_WH_HEADERS	4

struct fuzz_wh_target {
	const struct respite_plugin	*pl;
	/* The signature headers, in the order of the input's lines. */
	const char			*headers[FUZZ_WH_HEADERS + 1];
	/* More keys of the section: key, value, ..., NULL. */
	const char			*extra[9];
	/*
	 * Sign body as the vendor does with FUZZ_WH_SECRET: set the
	 * header values (new strings; free what is replaced) from those
	 * given.
	 */
	void				(*sign)(char **, const char *, size_t);
};

int	 fuzz_wh_run(const struct fuzz_wh_target *, const uint8_t *, size_t);
char	*fuzz_wh_hex(const uint8_t *, size_t, const char *);
char	*fuzz_wh_strcat(const char *, const char *);

#endif
