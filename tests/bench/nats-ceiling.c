/*
 * respite - nats-ceiling: JetStream's own async publish rate, the ceiling
 * of cluster_publish() in `make bench` (tests/bench/run.sh).
 *
 *   nats-ceiling URLS N STREAM [events]
 *
 * Creates STREAM (subjects respite.STREAM.>, file storage, 3 replicas, a
 * 2-minute duplicate window: what daemon/cluster.c creates), publishes N
 * messages of 200 bytes with a Nats-Msg-Id each through nats.c's
 * js_PublishAsync with the same bound on publishes in flight
 * (8,192, nats.c stalling the caller at it instead of
 * our queue), waits for every ack and prints "RATE msgs/s acked ms".
 * Nothing of ours is between: no queue, no loop, acks counted on nats.c's
 * thread.
 *
 * With "events", each message is a respited event as daemon/replica.c
 * publishes it (message.received for 1,000 agents in 20 teams, ids
 * "c-I", the time now): the stream a new node's catch-up replays in
 * `make bench`.
 */
#include "build.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

#include "cluster.h"

static atomic_int	acked, failed;

static void
ack_cb(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *arg)
{
	(void)js;
	(void)pae;
	(void)arg;
	if (pa != NULL)
		atomic_fetch_add(&acked, 1);
	else
		atomic_fetch_add(&failed, 1);
	natsMsg_Destroy(msg);
}

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
main(int argc, char **argv)
{
	natsOptions	*o = NULL;
	natsConnection	*nc = NULL;
	jsCtx		*js = NULL;
	jsOptions	 jo;
	jsStreamConfig	 sc;
	jsPubOptions	 po;
	jsStreamInfo	*si = NULL;
	const char	*servers[16], *subjects[1];
	char		*copy, *p, *u, subject[128], pub[128], id[32], data[200];
	int		 n, i, ns = 0, events, len = sizeof data;
	long long	 now_epoch_ms = (long long)time(NULL) * 1000;
	int64_t		 t0, t1;
	natsStatus	 s;

	if (argc != 4 && (argc != 5 || strcmp(argv[4], "events") != 0)) {
		fprintf(stderr, "usage: nats-ceiling URLS N STREAM [events]\n");
		return (2);
	}
	events = argc == 5;
	n = atoi(argv[2]);
	copy = strdup(argv[1]);
	for (p = copy; (u = strsep(&p, ",")) != NULL && ns < 16;)
		servers[ns++] = u;
	if ((s = natsOptions_Create(&o)) != NATS_OK ||
	    (s = natsOptions_SetServers(o, servers, ns)) != NATS_OK ||
	    (s = natsOptions_SetIOBufSize(o, 256 * 1024)) != NATS_OK ||
	    (s = natsConnection_Connect(&nc, o)) != NATS_OK)
		goto fail;
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = 8192;	/* as cluster-link bench */
	jo.PublishAsync.AckHandler = ack_cb;
	if ((s = natsConnection_JetStream(&js, nc, &jo)) != NATS_OK)
		goto fail;
	snprintf(subject, sizeof subject, "respite.%s.>", argv[3]);
	jsStreamConfig_Init(&sc);
	sc.Name = argv[3];
	subjects[0] = subject;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = 3;
	sc.Duplicates = (int64_t)CLUSTER_DUP_WINDOW_MS * 1000000;
	sc.MaxMsgSize = CLUSTER_MSG_MAX;
	if ((s = js_AddStream(&si, js, &sc, NULL, NULL)) != NATS_OK)
		goto fail;
	jsStreamInfo_Destroy(si);
	snprintf(pub, sizeof pub, "respite.%s.ev.0", argv[3]);
	memset(data, 'z', sizeof data);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%s-%d", events ? "c" : "b", i);
		if (events)
			len = snprintf(data, sizeof data, "{\"type\":"
			    "\"message.received\",\"agent\":\"ag%d\",\"team\":"
			    "\"t%d\",\"channel\":\"chat\",\"id\":\"%s\",\"ts\":%lld,"
			    "\"received\":%lld}", i % 1000, i % 1000 % 20, id,
			    now_epoch_ms, now_epoch_ms);
		jsPubOptions_Init(&po);
		po.MsgId = id;
		po.MaxWait = 5000;
		while ((s = js_PublishAsync(js, pub, data, len, &po)) ==
		    NATS_TIMEOUT)
			;	/* stalled at MaxPending: again */
		if (s != NATS_OK)
			goto fail;
	}
	jsPubOptions_Init(&po);
	po.MaxWait = 60000;
	js_PublishAsyncComplete(js, &po);
	t1 = now_ms();
	printf("RATE %.0f %d %" PRId64 "\n", atomic_load(&acked) * 1000.0 /
	    (double)(t1 - t0 > 0 ? t1 - t0 : 1), atomic_load(&acked), t1 - t0);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(o);
	free(copy);
	nats_CloseAndWait(0);
	return (atomic_load(&failed) > 0);
fail:
	fprintf(stderr, "nats-ceiling: %s\n", natsStatus_GetText(s));
	return (1);
}
