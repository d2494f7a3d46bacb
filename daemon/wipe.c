/*
 * respite - keep message text out of memory once it has been judged.
 *
 * Message text is classified and dropped (plugins.c); it must never
 * reach the disk, and a core dump is the disk.  Two layers:
 *
 * 1. Wiping.  Text passes through three kinds of memory: libevent's
 *    input buffers (the bytes read from the socket), the connection's
 *    body buffer (http.c, wiped there when a request is done) and
 *    jansson's values (the parsed request, dropped after classifying).
 *    wipe_install() gives libevent and jansson allocators whose free
 *    zeroes the whole block first (explicit_bzero over
 *    malloc_usable_size), so what they held is gone when they let go of
 *    it, not when malloc happens to reuse it.  What is NOT wiped: the
 *    kernel's socket buffers, stack copies in classifier plugins that
 *    do not wipe their own (the lexicon does), and any other allocator
 *    a plugin uses.
 *
 * 2. No dumps.  wipe_no_dumps() makes the process non-dumpable
 *    (PR_SET_DUMPABLE 0: no core file whatever RLIMIT_CORE says, and
 *    /proc/PID/mem readable only with CAP_SYS_PTRACE), unless
 *    RESPITED_DUMPABLE=1 is in the environment, for debugging a crash.
 *    The unit adds LimitCORE=0.  MADV_DONTDUMP is not used: it works on
 *    whole pages, and text lives in malloc'd blocks shared with other
 *    data; a non-dumpable process dumps nothing at all.
 */
#include "build.h"

#include <sys/prctl.h>

#include <event2/event.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "wipe.h"

/* Zero a malloc'd block (all of it, not only what was asked) and free it. */
void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

/*
 * realloc that leaves no copy behind: a block that must move is copied
 * and the old one wiped.  NULL when out of memory (p stays valid).
 */
void *
wipe_realloc(void *p, size_t size)
{
	void	*q;
	size_t	 old;

	if (p == NULL)
		return (malloc(size));
	old = malloc_usable_size(p);
	if (size <= old && size != 0)
		return (p);
	if ((q = malloc(size != 0 ? size : 1)) == NULL)
		return (NULL);
	memcpy(q, p, old < size ? old : size);
	wipe_free(p);
	return (q);
}

/*
 * Route libevent's and jansson's allocations through the wiping ones.
 * Must come before the first libevent call (event_set_mem_functions
 * says so) and before any JSON value is made.
 */
void
wipe_install(void)
{
	event_set_mem_functions(malloc, wipe_realloc, wipe_free);
	json_set_alloc_funcs(malloc, wipe_free);
}

/*
 * No core dumps and no ptrace by other users' processes, unless
 * RESPITED_DUMPABLE=1.  Returns 1 when the process stays dumpable.
 */
int
wipe_no_dumps(void)
{
	const char	*e = getenv("RESPITED_DUMPABLE");

	if (e != NULL && strcmp(e, "1") == 0)
		return (1);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_DUMPABLE)");
	return (0);
}
