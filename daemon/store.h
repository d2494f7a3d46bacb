/* Durable storage of events in SQLite (WAL). */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>

#include <respite/event.h>

#define STORE_SCHEMA_VERSION	1

struct store;

typedef int (*store_event_cb)(const struct respite_event *, void *);

struct store	*store_open(const char *, int, char **);
void		 store_close(struct store *);
int		 store_begin(struct store *, char **);
int		 store_add_event(struct store *, const struct respite_event *,
		    char **);
int		 store_commit(struct store *, char **);
void		 store_rollback(struct store *);
int		 store_foreach_event(struct store *, store_event_cb, void *,
		    char **);
int		 store_check(struct store *, char **);
const char	*store_path(const struct store *);

#endif
