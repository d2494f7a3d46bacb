/* respite-notify: a mailbox from one thread to another thread's GLib loop. */
#ifndef MBOX_H
#define MBOX_H

#include <glib.h>

struct mbox;

/* Called in the receiving loop with every item posted since the last
 * call, oldest first; takes the items (the queue itself is freed after). */
typedef void	(*mbox_drain_cb)(GQueue *, void *);

struct mbox	*mbox_new(GMainContext *, mbox_drain_cb, GDestroyNotify, void *);
void		 mbox_post(struct mbox *, void *);
void		 mbox_free(struct mbox *);

#endif
