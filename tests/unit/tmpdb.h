/* A database path in a new temporary directory, for the unit tests. */
#ifndef TMPDB_H
#define TMPDB_H

struct tmpdb {
	char	dir[64];
	char	path[128];	/* dir/respite.db, not created */
};

int	tmpdb_make(struct tmpdb *, const char *);
void	tmpdb_remove(struct tmpdb *);
long	tmpdb_count(const struct tmpdb *, const char *);

#endif
