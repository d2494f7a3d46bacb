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
# So that a trend has something to say, agent-001 works late on the
# weekdays of the last 7 days: from 19:05 to 23:00 UTC more phone calls,
# two of them hostile, and its logout then (days of 10 hours and more:
# its trend turns high, and its lead gets a wellbeing_check).
#
# usage: demo-weeks.sh RESPITECTL URL WEEKS AGENTS TEAMS END START SHIFT
set -u

if [ $# -ne 8 ]; then
	echo "usage: demo-weeks.sh RESPITECTL URL WEEKS AGENTS TEAMS END START SHIFT" >&2
	exit 64
fi
ctl=$1 url=$2 weeks=$3 agents=$4 teams=$5 end=$6 start=$7 shift=$8

LATE=agent-001

# late T: agent-001's evening of the day whose window starts at T.
late() {
	i=0
	x=$(( ($1 + 8 * 3600 + 300) * 1000 ))
	e=$(( ($1 + 12 * 3600) * 1000 ))
	while [ $((x + 600000)) -le "$e" ]; do
		printf '{"id":"demo-late-%s-%sa","type":"ticket.assigned","agent":"%s","ts":%s,"channel":"phone","ticket":"demo-late-%s-%s"}\n' \
		    "$1" "$i" "$LATE" "$x" "$1" "$i"
		if [ "$i" = 3 ] || [ "$i" = 15 ]; then
			printf '{"id":"demo-late-%s-%sf","type":"message.flagged","agent":"%s","ts":%s,"channel":"phone","ticket":"demo-late-%s-%s","severity":0.9}\n' \
			    "$1" "$i" "$LATE" $((x + 120000)) "$1" "$i"
		fi
		printf '{"id":"demo-late-%s-%sh","type":"ticket.handled","agent":"%s","ts":%s,"channel":"phone","ticket":"demo-late-%s-%s","duration_s":480}\n' \
		    "$1" "$i" "$LATE" $((x + 480000)) "$1" "$i"
		i=$((i + 1))
		x=$((x + 600000))
	done
	printf '{"id":"demo-late-%s-out","type":"agent.logout","agent":"%s","ts":%s}\n' \
	    "$1" "$LATE" "$e"
}

# The dates agent-001 works late (its simulated logout is dropped).
lates=
k=7
while [ "$k" -ge 1 ]; do
	t=$(( (end / 86400 - k) * 86400 + 11 * 3600 ))
	k=$((k - 1))
	[ "$(date -u -d "@$t" +%u)" -le 5 ] || continue
	[ $((t + 12 * 3600)) -le "$start" ] || continue
	lates="$lates $(date -u -d "@$t" +%Y-%m-%d)"
done

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
	case " $lates " in
	*" $(date -u -d "@$t" +%Y-%m-%d) "*) late "$t" ;;
	esac
done | awk -v zones="$zones" -v lates="$lates" -v who="$LATE" '
BEGIN {
	n = split(zones, z, " ")
	for (i = 1; i <= n; i++) {
		j = index(z[i], "=")
		tz[substr(z[i], 1, j - 1)] = substr(z[i], j + 1)
	}
	n = split(lates, l, " ")
	for (i = 1; i <= n; i++)
		late[l[i]] = 1
}
/"type":"message.received"/ { next }
/"type":"agent.logout"/ && index($0, "\"agent\":\"" who "\"") &&
    match($0, /"ts":"[0-9-]+T/) && (substr($0, RSTART + 6, 10) in late) { next }
/"type":"agent.login"/ && match($0, /"agent":"[^"]*"/) {
	a = substr($0, RSTART + 9, RLENGTH - 10)
	if (a in tz)
		sub(/"tz":"[^"]*"/, "\"tz\":\"" tz[a] "\"")
}
{ print }' | "$ctl" replay -q --batch 2000 --url "$url" -
