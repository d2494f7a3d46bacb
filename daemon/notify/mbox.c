/*
 * respite-notify - a mailbox between the two threads.
 *
 * The main thread (HTTP, the stream, the logic) and the presenter thread
 * (libnotify, whose calls block on D-Bus) talk only through two of
 * these.  A sender appends to a locked queue and, if the queue was
 * empty, attaches one idle source to the receiver's GMainContext; the
 * receiver's loop then hands the whole batch to the drain callback in
 * the order it was posted.  One source per batch rather than one per
 * item keeps the order certain (GLib does not promise an order between
 * sources of equal priority) and lets the presenter see a whole batch at
 * once, which is what lets it skip a popup that was shown and withdrawn
 * while it was stuck in a D-Bus call.
 */
#include "build.h"

#include <glib.h>

#include "mbox.h"

struct mbox {
	GMutex		 lock;
	GQueue		 items;
	GSource		*idle;		/* attached while items wait */
	GMainContext	*ctx;
	mbox_drain_cb	 drain;
	GDestroyNotify	 item_free;
	void		*arg;
};

static gboolean
mbox_idle_cb(gpointer arg)
{
	struct mbox	*mb = arg;
	GQueue		*batch;

	g_mutex_lock(&mb->lock);
	batch = g_queue_copy(&mb->items);
	g_queue_clear(&mb->items);
	g_source_unref(mb->idle);
	mb->idle = NULL;
	g_mutex_unlock(&mb->lock);
	mb->drain(batch, mb->arg);
	g_queue_free(batch);
	return (G_SOURCE_REMOVE);
}

/* ctx is borrowed and must outlive the mailbox. */
struct mbox *
mbox_new(GMainContext *ctx, mbox_drain_cb drain, GDestroyNotify item_free,
    void *arg)
{
	struct mbox	*mb;

	mb = g_new0(struct mbox, 1);
	g_mutex_init(&mb->lock);
	g_queue_init(&mb->items);
	mb->ctx = ctx;
	mb->drain = drain;
	mb->item_free = item_free;
	mb->arg = arg;
	return (mb);
}

/* Post item (stolen); any thread. */
void
mbox_post(struct mbox *mb, void *item)
{
	g_mutex_lock(&mb->lock);
	g_queue_push_tail(&mb->items, item);
	if (mb->idle == NULL) {
		mb->idle = g_idle_source_new();
		g_source_set_priority(mb->idle, G_PRIORITY_DEFAULT);
		g_source_set_callback(mb->idle, mbox_idle_cb, mb, NULL);
		g_source_attach(mb->idle, mb->ctx);
	}
	g_mutex_unlock(&mb->lock);
}

/* Drop what is still queued.  No thread may post any more. */
void
mbox_free(struct mbox *mb)
{
	if (mb == NULL)
		return;
	g_mutex_lock(&mb->lock);
	if (mb->idle != NULL) {
		g_source_destroy(mb->idle);
		g_source_unref(mb->idle);
		mb->idle = NULL;
	}
	g_queue_clear_full(&mb->items, mb->item_free);
	g_mutex_unlock(&mb->lock);
	g_mutex_clear(&mb->lock);
	g_free(mb);
}
