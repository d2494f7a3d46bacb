#!/bin/sh
# respite - the demo behind `make demo` (not a test).
#
# Starts ./respited -f on its built-in defaults (127.0.0.1:7878, the
# database in BUILDDIR/state) with the hostility classifier, waits for /healthz, replays the weekdays of
# the past few weeks (tests/demo-weeks.sh: the days of the Weeks view),
# then a freshly simulated shift that ends at the start of the current
# hour, prints the agents (and the teams and suggestions, where this
# respited serves them), then keeps the daemon in the foreground: Ctrl-C
# stops it.
#
# usage: demo.sh BUILDDIR
# Environment: DEMO_AGENTS (24), DEMO_TEAMS (3), DEMO_HOURS (8),
# DEMO_SEED (1), DEMO_WEEKS (3; 0: no past days).
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-.}
cd "$build" || exit 1
build=$(pwd)
url=http://127.0.0.1:7878
agents=${DEMO_AGENTS:-24}
teams=${DEMO_TEAMS:-3}
hours=${DEMO_HOURS:-8}
seed=${DEMO_SEED:-1}
weeks=${DEMO_WEEKS:-3}

# No proxy between us and 127.0.0.1.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

for p in respited respitectl; do
	if [ ! -x "./$p" ]; then
		echo "demo: ./$p is not built; run make first" >&2
		exit 1
	fi
done
if curl -s -o /dev/null --max-time 1 "$url/healthz"; then
	echo "demo: something already answers on $url; stop it first" >&2
	exit 1
fi

mkdir -p "$build/state"
# The trained hostility classifier with the word lists judges the
# customers' messages, which the shift below carries as text (--text).
conf=
text=
if [ -f "$build/plugins/.libs/hostility.so" ]; then
	conf=$build/state/demo.conf
	cat >"$conf" <<EOF
[plugins]
dir = $build/plugins/.libs
load = hostility
[plugin.hostility]
weights = $srcdir/plugins/hostility/hostility.weights
lexicon = yes
lexicon_data = $srcdir/plugins/lexicon
EOF
	text=--text
fi
STATE_DIRECTORY="$build/state" ./respited -f ${conf:+-c "$conf"} &
pid=$!
# Ctrl-C reaches respited too; either way, let it close down cleanly.
trap 'kill "$pid" 2>/dev/null' EXIT
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM

i=0
until curl -s -o /dev/null --max-time 1 "$url/healthz"; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: respited did not come up" >&2
		exit 1
	fi
	sleep 0.1
done

# The shift below, simulated first: its agents' time zones are theirs
# on the past days too (--tz-spread draws them from the seed).
now=$(date +%s)
shift_start=$((now / 3600 * 3600 - hours * 3600))
./respitectl simulate --agents "$agents" --teams "$teams" --hours "$hours" \
    --seed "$seed" --open-end --tz-spread $text \
    >"$build/state/demo-shift.ndjson" ||
    exit 1

# The past weeks (tests/demo-weeks.sh), before the shift.
if [ "$weeks" -gt 0 ] 2>/dev/null; then
	echo
	echo "== simulating the weekdays of the last $weeks weeks, replaying"
	sh "$srcdir/tests/demo-weeks.sh" ./respitectl "$url" "$weeks" \
	    "$agents" "$teams" "$now" "$shift_start" \
	    "$build/state/demo-shift.ndjson" || exit 1
fi

echo
echo "== simulating $agents agents in $teams teams over the last $hours hours, replaying"
./respitectl replay - <"$build/state/demo-shift.ndjson" || exit 1
rm -f "$build/state/demo-shift.ndjson"

# table PATH JQ-FILTER HEADER: a GET printed as columns, if it answers 200.
table() {
	body=$(curl -s -w '\n%{http_code}' "$url$1")
	code=$(printf '%s\n' "$body" | tail -n 1)
	body=$(printf '%s\n' "$body" | sed '$d')
	[ "$code" = 200 ] || return 1
	if command -v jq >/dev/null 2>&1; then
		{
			printf '%s\n' "$3"
			printf '%s\n' "$body" | jq -r "$2"
		} | if command -v column >/dev/null 2>&1; then
			column -t -s '	'
		else
			cat
		fi
	else
		printf '%s\n' "$body"
	fi
}

echo
echo "== curl -s $url/v1/agents"
table /v1/agents '.agents[] | [.agent, .team, .status, .strain, .level] | @tsv' \
    "$(printf 'agent\tteam\tstatus\tstrain\tlevel')"
echo
if table /v1/teams '.teams[] | [.team, .agents, .status.working, .status.on_break, .strain.mean, .strain.max, .hostile_last_hour, .open_tickets] | @tsv' \
    "$(printf 'team\tagents\tworking\ton_break\tmean\tmax\thostile_1h\topen_tickets')" \
    >"$build/state/demo.teams" 2>/dev/null; then
	echo "== curl -s $url/v1/teams"
	cat "$build/state/demo.teams"
	echo
fi
if table '/v1/suggestions?limit=10' '.suggestions[] | [.created_at, .agent, .kind, .status, .reason] | @tsv' \
    "$(printf 'created_at\tagent\tkind\tstatus\treason')" \
    >"$build/state/demo.suggestions" 2>/dev/null; then
	echo "== curl -s '$url/v1/suggestions?limit=10'"
	cat "$build/state/demo.suggestions"
	echo
fi
rm -f "$build/state/demo.teams" "$build/state/demo.suggestions"

cat <<EOF
respited keeps running on $url (Ctrl-C stops it).
The team lead's page: open $url/ in a browser.  Or try:
  curl -s $url/v1/agents/agent-001 | jq .
  curl -s '$url/v1/agents?level=elevated' | jq .
  curl -s $url/metrics | grep respite_events
An agent's weeks: ./respitectl days agent-001; ./respitectl trend agent-001
EOF
wait "$pid"
