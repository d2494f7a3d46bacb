/* What the unit tests of respited's modules share (unit_common.c). */
#ifndef UNIT_COMMON_H
#define UNIT_COMMON_H

#include "agent.h"

/* A file's path in a new temporary directory. */
struct tmpdb {
	char	dir[64];
	char	path[128];	/* dir/respite.db or dir/FILE: not made */
};

int	tmpdb_make(struct tmpdb *, const char *);
int	tmpdir_make(struct tmpdb *, const char *, const char *);
void	tmpdb_clear(const struct tmpdb *);
int	tmpdb_remove(struct tmpdb *);
long	tmpdb_count(const struct tmpdb *, const char *);

void	unit_model_params(struct model_params *);
double	unit_cpu_s(void);

#endif
