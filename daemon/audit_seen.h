/* Which audit records were written lately, to record a repeated read once. */
#ifndef AUDIT_SEEN_H
#define AUDIT_SEEN_H

#include <stdint.h>

/* The most distinct reads remembered, in a table of 2 MiB. */
#define AUDIT_SEEN_MAX	65536

struct audit_seen;

struct audit_seen *audit_seen_new(void);
void		 audit_seen_free(struct audit_seen *);
int		 audit_seen_should_record(struct audit_seen *, const char *,
		    const char *, const char *, const char *, int64_t,
		    int64_t);

#endif
