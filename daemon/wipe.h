/* Keeping message text out of memory and out of core dumps. */
#ifndef WIPE_H
#define WIPE_H

#include <stddef.h>

void	 wipe_install(void);
void	 wipe_free(void *);
void	*wipe_realloc(void *, size_t);
int	 wipe_no_dumps(void);

#endif
