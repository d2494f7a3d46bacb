/* WAL checkpoints in a thread of their own, off the event loop. */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stdio.h>

#include <sqlite3.h>

/* The WAL size (pages) at which the thread is asked to checkpoint. */
#define CHECKPOINT_PAGES	1000
/* ... and at which the loop does it itself, the thread being behind. */
#define CHECKPOINT_PAGES_MAX	64000

struct checkpointer;

struct checkpointer *checkpointer_start(sqlite3 *, const char *, int,
		    char **);
void		 checkpointer_stop(struct checkpointer *);
void		 checkpointer_write_metrics(struct checkpointer *, FILE *);

#endif
