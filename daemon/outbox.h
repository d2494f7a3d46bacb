/* The outbox: derived changes (suggestions, stream items) made durable, then published. */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdint.h>

#include <jansson.h>

#include "store.h"
#include "suggest.h"

struct dispatch;
struct outbox;

/*
 * A stored suggestion change and its API JSON, for the sinks; borrowed.
 * item is the seq of its stream item (the table stream).
 */
typedef void	(*outbox_sink_cb)(const struct suggestion *s, const char *json,
		    int64_t item, void *arg);

struct outbox	*outbox_new(struct store *);
void		 outbox_free(struct outbox *);
void		 outbox_set_dispatch(struct outbox *, struct dispatch *);
void		 outbox_set_sink(struct outbox *, outbox_sink_cb, void *);
void		 outbox_suggestion(struct outbox *, const struct suggestion *,
		    int);
void		 outbox_item(struct outbox *, const char *, const char *,
		    const char *, json_t *, int64_t);
void		 outbox_audit(struct outbox *, int64_t, const char *,
		    const char *, const char *, const char *);
void		 outbox_day(struct outbox *, const struct store_day *, int);
void		 outbox_advisor(struct outbox *, const char *, const char *,
		    json_t *);
int		 outbox_write(struct outbox *, char **);
void		 outbox_written(struct outbox *, int);
int		 outbox_hook_write(void *, char **);
void		 outbox_hook_written(int, void *);
int		 outbox_flush(struct outbox *, char **);
int		 outbox_pending(const struct outbox *);
int		 outbox_unstored(const struct outbox *);

#endif
