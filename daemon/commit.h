/* Group commit: events of concurrent requests share one transaction. */
#ifndef COMMIT_H
#define COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include <respite/event.h>

#include "ingest.h"
#include "store.h"

struct commit;

/* The outcome of one submitted batch. */
struct commit_result {
	int		 ok;		/* 0: stored; -1: the group failed */
	size_t		 accepted;	/* newly stored */
	size_t		 duplicates;	/* id already known */
	const char	*cause;		/* when !ok, borrowed */
	const char	*message;	/* when !ok: for the client, or NULL */
};

/* Called for each newly stored event, in order, after its commit. */
typedef void (*commit_apply_cb)(const struct respite_event *, void *);
/* Called once after a group's events were applied, before any answer. */
typedef void (*commit_group_cb)(void *);
/* Called once per batch after its group committed or failed. */
typedef void (*commit_done_cb)(const struct commit_result *, void *);
/* Writes more into a group's transaction; then told if it committed. */
typedef int (*commit_extra_cb)(void *, char **);
typedef void (*commit_extra_done_cb)(int, void *);

struct commit	*commit_new(struct event_base *, struct store *,
		    commit_apply_cb, void *);
void		 commit_free(struct commit *);
void		 commit_set_max_events(struct commit *, size_t);
void		 commit_set_group_cb(struct commit *, commit_group_cb, void *);
void		 commit_set_extra(struct commit *, commit_extra_cb,
		    commit_extra_done_cb, void *);
void		 commit_submit(struct commit *, struct event_batch *,
		    commit_done_cb, void *);
void		 commit_flush(struct commit *);
void		 commit_set_seq(struct commit *, uint64_t, int64_t, int64_t);
void		 commit_set_stored_seq(struct commit *, uint64_t);
uint64_t	 commit_stored_seq(const struct commit *);
size_t		 commit_pending(const struct commit *);
int		 commit_healthy(const struct commit *);

#endif
