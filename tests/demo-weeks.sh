#!/bin/sh
# respite - the past weeks of `make demo` (tests/demo.sh), so that the
# lead's Weeks view and `respitectl days`/`trend` have something to show.
#
# Simulates the weekdays of the WEEKS weeks before the UTC day of END
# (epoch seconds), 11:00 to 19:00 UTC (one local day in each of the
# simulator's zones, Chicago to Manila), skipping any that would reach past
# START (the shift the demo replays next starts there), and replays them
# into respited at URL.  Each date is always the same events (its seed is
# the day's number, its start fixed), so a second run adds nothing.  The
# agents keep the time zones they have in SHIFT (the demo's shift, an
# NDJSON file: --tz-spread draws them from its seed).  Customer messages
# are left out: no day record counts them, and they are half the events.
#
# usage: demo-weeks.sh RESPITECTL URL WEEKS AGENTS TEAMS END START SHIFT
set -u

if [ $# -ne 8 ]; then
	echo "usage: demo-weeks.sh RESPITECTL URL WEEKS AGENTS TEAMS END START SHIFT" >&2
	exit 64
fi
ctl=$1 url=$2 weeks=$3 agents=$4 teams=$5 end=$6 start=$7 shift=$8

zones=$(sed -n 's/.*"type":"agent.login","agent":"\([^"]*\)".*"tz":"\([^"]*\)".*/\1=\2/p' \
    "$shift" | tr '\n' ' ')
k=$((weeks * 7))
while [ "$k" -ge 1 ]; do
	t=$(( (end / 86400 - k) * 86400 + 11 * 3600 ))
	k=$((k - 1))
	[ "$(date -u -d "@$t" +%u)" -le 5 ] || continue
	[ $((t + 8 * 3600)) -le "$start" ] || continue
	"$ctl" simulate --agents "$agents" --teams "$teams" --hours 8 \
	    --seed $((t / 86400)) \
	    --start "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)" 2>/dev/null
done | awk -v zones="$zones" '
BEGIN {
	n = split(zones, z, " ")
	for (i = 1; i <= n; i++) {
		j = index(z[i], "=")
		tz[substr(z[i], 1, j - 1)] = substr(z[i], j + 1)
	}
}
/"type":"message.received"/ { next }
/"type":"agent.login"/ && match($0, /"agent":"[^"]*"/) {
	a = substr($0, RSTART + 9, RLENGTH - 10)
	if (a in tz)
		sub(/"tz":"[^"]*"/, "\"tz\":\"" tz[a] "\"")
}
{ print }' | "$ctl" replay -q --batch 2000 --url "$url" -
