/*
 * Cluster mode's replication (replica.c): writes through the JetStream
 * stream, the stream applied on every node through the group commit.
 */
#ifndef REPLICA_H
#define REPLICA_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "commit.h"
#include "ingest.h"

struct cluster;
struct replica;
struct store;

/* The subject suffix of events: one partition today (ARCHITECTURE.md). */
#define REPLICA_EV_SUFFIX	"ev.0"
#define REPLICA_TICK_SUFFIX	"tick"	/* the leader's minute ticks */
#define REPLICA_ANS_SUFFIX	"ans"	/* answers to suggestions */
#define REPLICA_SINK_SUFFIX	"sink"	/* the sinks' confirmed position */
#define REPLICA_SINK_KEEP	8192	/* changes kept until confirmed */

struct suggestion;
/*
 * A suggestion change for the sinks, and the ticket of the holds they
 * take on it (sinks_deliver()); returns their number.
 */
typedef unsigned int (*replica_sink_cb)(const struct suggestion *,
		    const char *, uint64_t, void *);

struct api_answer;
/* Applies an answer read from the stream (api_answer_apply()). */
typedef void	(*replica_answer_cb)(void *, const struct api_answer *,
		    void *);

/* Runs the timers at a tick's minute (epoch ms), read from the stream. */
typedef void	(*replica_tick_cb)(void *, int64_t);

struct replica	*replica_new(struct cluster *, struct commit *, struct store *,
		    char **);
void		 replica_free(struct replica *);
int		 replica_start(struct replica *, char **);
void		 replica_submit(void *, struct event_batch *, int,
		    commit_done_cb, void *);
json_t		*replica_health(void *, int *);
void		 replica_metrics(void *, FILE *);
uint64_t	 replica_applied_seq(const struct replica *);
int		 replica_is_leader(const struct replica *);
void		 replica_tick(struct replica *, int64_t);
void		 replica_set_tick(struct replica *, replica_tick_cb, void *);
void		 replica_set_stop(struct replica *, void (*)(void *), void *);
void		 replica_publish_answer(void *, const struct api_answer *,
		    void *);
void		 replica_set_sink(struct replica *, replica_sink_cb, void *,
		    void (*)(void *), void *);
void		 replica_sink_done(uint64_t, void *);
void		 replica_outbox_cb(const struct suggestion *, const char *,
		    int64_t, void *);
void		 replica_set_answer(struct replica *, replica_answer_cb,
		    void (*)(void *, const char *), void *);

/* The message of one event and back (also for tests). */
int		 replica_encode(const struct respite_event *, char *, size_t);
int		 replica_decode(const void *, size_t, struct respite_event *);

#endif
