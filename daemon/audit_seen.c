/*
 * respite - record a repeated read in the audit log once per window.
 *
 * The lead's web page reads every agent of its team again every five
 * minutes; audited one by one, one open page wrote some 144,000 records
 * a day, kept for a year, in which the reads that matter are hard to
 * find.  So api_audit() asks here first: a read identical to one
 * recorded less than [privacy] audit_repeat_min ago (same token label,
 * role, method with path and query, and agent) is not recorded again.
 * The first read after the window is, and starts a new one.
 *
 * A read is remembered by a 64-bit FNV-1a hash of its four strings, in
 * an open-addressing table (linear probing) from the hash to when it was
 * last recorded.  A different read with the hash of a remembered one
 * would go unrecorded for a window; with 64 bits and at most
 * AUDIT_SEEN_MAX (2^16) reads remembered, the chance for a read is 2^-48,
 * negligible, so the strings themselves are not kept.
 *
 * Memory is bounded: the table holds at most AUDIT_SEEN_MAX reads in
 * twice as many slots (2 MiB).  When it is full, the reads whose window
 * is over are dropped; if it is still mostly full, it is emptied.  Either
 * way a read that is forgotten is only recorded again the next time:
 * forgetting records more, never fewer.
 *
 * The time is always passed in, never read here, so the tests can move
 * it.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "audit_seen.h"
#include "xmalloc.h"

/* A power of 2, so the table is never more than half full. */
#define NSLOTS		(2 * AUDIT_SEEN_MAX)

#define FNV_OFFSET	14695981039346656037ULL
#define FNV_PRIME	1099511628211ULL

struct seen_slot {
	uint64_t	 hash;		/* 0: empty */
	int64_t		 at;		/* when last recorded (ms) */
};

struct audit_seen {
	struct seen_slot *slots;	/* NSLOTS */
	size_t		 n;		/* slots in use */
};

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	/* The NUL goes in too: "ab","c" and "a","bc" are different reads. */
	do {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	} while (*s++ != '\0');
	return (h);
}

static uint64_t
read_hash(const char *who, const char *role, const char *what,
    const char *agent)
{
	uint64_t	h = FNV_OFFSET;

	h = fnv1a(h, who);
	h = fnv1a(h, role);
	h = fnv1a(h, what);
	h = fnv1a(h, agent);
	return (h != 0 ? h : 1);	/* 0 marks an empty slot */
}

/* The slot holding h, or the empty one where it goes. */
static struct seen_slot *
find(struct seen_slot *slots, uint64_t h)
{
	size_t	i;

	for (i = (size_t)h & (NSLOTS - 1); slots[i].hash != 0 &&
	    slots[i].hash != h; i = (i + 1) & (NSLOTS - 1))
		;
	return (&slots[i]);
}

/* Is a read recorded at `at` still within its window at now? */
static int
within(int64_t at, int64_t now, int64_t window)
{
	/* A clock set back ends the window: that records more, not fewer. */
	return (now >= at && now - at < window);
}

/*
 * The table is full: keep only the reads still within their window, in a
 * new table (linear probing cannot simply empty a slot).  If more than
 * three quarters are still in it, empty it instead, or each new read
 * would sort the whole table again.
 */
static void
prune(struct audit_seen *as, int64_t now, int64_t window)
{
	struct seen_slot	*fresh, *s;
	size_t			 i, n = 0;

	fresh = xcalloc(NSLOTS, sizeof *fresh);
	for (i = 0; i < NSLOTS; i++) {
		s = &as->slots[i];
		if (s->hash == 0 || !within(s->at, now, window))
			continue;
		*find(fresh, s->hash) = *s;
		n++;
	}
	if (n > AUDIT_SEEN_MAX / 4 * 3) {
		memset(fresh, 0, NSLOTS * sizeof *fresh);
		n = 0;
	}
	free(as->slots);
	as->slots = fresh;
	as->n = n;
}

struct audit_seen *
audit_seen_new(void)
{
	struct audit_seen	*as;

	as = xcalloc(1, sizeof *as);
	as->slots = xcalloc(NSLOTS, sizeof *as->slots);
	return (as);
}

void
audit_seen_free(struct audit_seen *as)
{
	if (as == NULL)
		return;
	free(as->slots);
	free(as);
}

/*
 * Should this read be recorded?  1 if it was not recorded in the last
 * window_ms (remembering that it is now), 0 if it was.  A window of 0
 * or less records every read and remembers nothing.
 */
int
audit_seen_should_record(struct audit_seen *as, const char *who,
    const char *role, const char *what, const char *agent, int64_t now,
    int64_t window)
{
	struct seen_slot	*s;
	uint64_t		 h;

	if (as == NULL || window <= 0)
		return (1);
	h = read_hash(who, role, what, agent);
	s = find(as->slots, h);
	if (s->hash == h) {
		if (within(s->at, now, window))
			return (0);
		s->at = now;
		return (1);
	}
	if (as->n >= AUDIT_SEEN_MAX) {
		prune(as, now, window);
		s = find(as->slots, h);
	}
	s->hash = h;
	s->at = now;
	as->n++;
	return (1);
}
