/*
 * respite - the hash of respited's string-keyed tables (agents, teams,
 * agent days, name sets): 64-bit FNV-1a.  Not for anything an attacker
 * may aim collisions at without a bound on the chain (the tables that
 * use it are bounded by max_agents / max_teams).
 */
#ifndef STRHASH_H
#define STRHASH_H

#include <stdint.h>

static inline uint64_t
str_hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (h);
}

#endif
