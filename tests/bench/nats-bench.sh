#!/usr/bin/env bash
# respite - the cluster row of `make bench` (tests/bench/run.sh): three
# NATS servers with JetStream on 127.0.0.1 (tests/integration/nats-lib.sh),
# then 100,000 publishes of 200 bytes with ids to a fresh R3 stream through
# daemon/cluster.c (tests/cluster/cluster-link bench) against nats.c's
# js_PublishAsync alone (tests/bench/nats-ceiling), alternating, twice
# each; the best of each.  Prints one line:
#
#   bench-row nats OURS CEILING        (messages a second)
#   bench-row nats skipped REASON
#
#   nats-bench.sh BUILDDIR SRCDIR [N]

B=$1
S=$2
N=${3:-100000}
. "$S/tests/integration/lib.sh"

skip_row() {
	echo "bench-row nats skipped $*"
	exit 0
}

command -v nats-server >/dev/null 2>&1 || skip_row "nats-server is not installed"
[ -x "$B/tests/bench/nats-ceiling" ] && [ -x "$B/tests/cluster/cluster-link" ] ||
    skip_row "built without libnats"
setup
# nats-lib.sh's skip_all would print TAP: check by hand above.
. "$S/tests/integration/nats-lib.sh"
NATS_SERVER_BIN=$(command -v nats-server)
nats_start >&2 || skip_row "the NATS cluster did not start"

best_ours=0
best_ceil=0
for round in 1 2; do
	r=$("$B/tests/bench/nats-ceiling" "$NATS_URLS" "$N" "CEIL$round" |
	    sed -n 's/^RATE \([0-9]*\) .*/\1/p')
	echo "nats-bench: round $round: nats.c alone ${r:-failed} msg/s" >&2
	[ -n "$r" ] && [ "$r" -gt "$best_ceil" ] && best_ceil=$r
	r=$("$B/tests/cluster/cluster-link" "$NATS_URLS" bench "$N" "OURS$round" \
	    2>/dev/null | sed -n 's/^RATE \([0-9]*\) .*/\1/p')
	echo "nats-bench: round $round: cluster_publish ${r:-failed} msg/s" >&2
	[ -n "$r" ] && [ "$r" -gt "$best_ours" ] && best_ours=$r
done
nats_stop
echo "bench-row nats $best_ours $best_ceil"
