/* Cluster mode's transport: respited's link to NATS JetStream (cluster.c). */
#ifndef RESPITE_CLUSTER_H
#define RESPITE_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct cluster;
struct cluster_sub;

/* Every limit of the link (README "Running a cluster"). */
#define CLUSTER_MSG_MAX		(64 * 1024)	/* bytes of one message */
#define CLUSTER_SUBJECT_MAX	128		/* bytes of a subject suffix */
#define CLUSTER_PENDING_MAX	65536		/* publishes awaiting their ack */
#define CLUSTER_QUEUE_MSGS	8192		/* consumed, not yet on the loop */
#define CLUSTER_QUEUE_BYTES	(16 * 1024 * 1024)
#define CLUSTER_SUB_PENDING_MSGS	-1	/* in nats.c, not yet queued */
#define CLUSTER_SUB_PENDING_BYTES	(64 * 1024 * 1024)
#define CLUSTER_DRAIN_MAX	4096		/* items a loop callback takes */
#define CLUSTER_DUP_WINDOW_MS	(2 * 60 * 1000)	/* JetStream's duplicate window */
#define CLUSTER_HEARTBEAT_MS	1000		/* a consumer's idle heartbeat */

enum cluster_ack {
	CLUSTER_ACK_OK,		/* stored, at seq */
	CLUSTER_ACK_DUPLICATE,	/* the id was stored before, at seq */
	CLUSTER_ACK_ERROR,	/* refused by JetStream (error says why) */
	CLUSTER_ACK_TIMEOUT,	/* no answer in ack_timeout_ms */
	CLUSTER_ACK_CLOSED	/* cluster_close() with the ack outstanding */
};

/* Called on the loop, once per publish.  error: borrowed, or NULL. */
typedef void	(*cluster_ack_cb)(enum cluster_ack, uint64_t seq,
		    const char *error, void *arg);
/*
 * Called on the loop for each message, in stream order.  suffix: the
 * subject after "respite.STREAM."; suffix and data are borrowed for the
 * call.
 */
typedef void	(*cluster_msg_cb)(uint64_t seq, const char *suffix,
		    const void *data, size_t len, void *arg);
/* Called on the loop when the lease holder as this node knows it changes. */
typedef void	(*cluster_lease_cb)(const char *leader, void *arg);

/* cluster.c */
struct cluster	*cluster_open(struct event_base *, const struct config *,
		    char **);
void		 cluster_close(struct cluster *);
const char	*cluster_node(const struct cluster *);
const char	*cluster_stream(const struct cluster *);
uint64_t	 cluster_stream_seq(const struct cluster *);
int		 cluster_connected(const struct cluster *);
size_t		 cluster_pending(const struct cluster *);
int		 cluster_publish(struct cluster *, const char *, const char *,
		    const void *, size_t, cluster_ack_cb, void *, char **);
struct cluster_sub *cluster_consume(struct cluster *, uint64_t,
		    cluster_msg_cb, void *, char **);
void		 cluster_unconsume(struct cluster_sub *);
int		 cluster_lease_start(struct cluster *, cluster_lease_cb, void *,
		    char **);
void		 cluster_lease_stop(struct cluster *);
void		 cluster_lease_try(struct cluster *, int64_t, const char **);
const char	*cluster_leader(const struct cluster *, int64_t);
int64_t		 cluster_now_ms(void);

#endif
