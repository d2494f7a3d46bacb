#!/bin/sh
# respite - the phone demo behind `make demo-phone` (not a test).
#
# A phone shift of the last four hours, as an Asterisk PBX reports it:
# tests/integration/ami-server.py (the AMI server of the test suite) plays
# queue events of three members (Alice back to back on calls, Bob with
# room between calls, Chen with a break every hour), and a respited with
# the asterisk plugin, on 127.0.0.1:7878 with its database in
# BUILDDIR/state-phone, logs in and takes them.  Then each agent's strain
# every half hour is printed: it moves with the calls.  respited keeps
# running in the foreground; Ctrl-C stops it.
#
# usage: phone-demo.sh BUILDDIR SRCDIR
set -u

build=${1:-.}
src=$(cd "${2:-..}" && pwd) || exit 1
cd "$build" || exit 1
build=$(pwd)
url=http://127.0.0.1:7878
state=$build/state-phone

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

if [ ! -x ./respited ] || [ ! -f plugins/.libs/asterisk.so ]; then
	echo "phone-demo: respited and the asterisk plugin are not built; run make first" >&2
	exit 1
fi
for t in python3 jq curl; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "phone-demo: $t is needed" >&2
		exit 1
	}
done
if curl -s -o /dev/null --max-time 1 "$url/healthz"; then
	echo "phone-demo: something already answers on $url; stop it first" >&2
	exit 1
fi

rm -rf "$state"
mkdir -p "$state"
now=$(date +%s)
start=$((now - 4 * 3600))

# The shift, in the transcript format of tests/data/ami/README.
python3 - >"$state/shift.ami" <<'EOF'
import random
random.seed(17)
H = 4 * 3600
members = [("Alice Example", "PJSIP/1001", (420, 660), (15, 45), False),
           ("Bob Builder", "PJSIP/1002", (180, 360), (300, 600), False),
           ("Chen Wei", "PJSIP/1003", (240, 480), (60, 240), True)]
msgs = []
def qm(ev, t, name, iface, paused="0"):
    msgs.append((t, ["Event: " + ev, "Privilege: agent,all",
        "Timestamp: @%.6f" % t, "Queue: support", "MemberName: " + name,
        "Interface: " + iface, "StateInterface: " + iface,
        "Membership: dynamic", "Penalty: 0", "CallsTaken: 0",
        "LastCall: 0", "LastPause: 0", "LoginTime: 0", "InCall: 0",
        "Status: 1", "Paused: " + paused, "PausedReason: ",
        "Ringinuse: 0", "Wrapuptime: 0"]))
def call(ev, t, name, iface, linked, extra):
    msgs.append((t, ["Event: " + ev, "Privilege: agent,all",
        "Timestamp: @%.6f" % t, "Channel: PJSIP/trunk-%08x" % int(t),
        "Uniqueid: " + linked, "Linkedid: " + linked,
        "DestChannel: %s-%08x" % (iface, int(t)), "Queue: support",
        "MemberName: " + name, "Interface: " + iface] + extra))
n = 0
for name, iface, talk, gap, breaks in members:
    qm("QueueMemberAdded", 30, name, iface)
    t = 90 + random.randint(0, 120)
    next_break = 3600
    while t < H - 120:
        if breaks and t >= next_break:
            qm("QueueMemberPause", t, name, iface, "1")
            t += 900
            qm("QueueMemberPause", t, name, iface, "0")
            next_break += 3600
            continue
        n += 1
        linked = "%d.%d" % (1800000000 + t, n)
        d = random.randint(*talk)
        call("AgentConnect", t, name, iface, linked, ["HoldTime: 12", "RingTime: 3"])
        call("AgentComplete", t + d, name, iface, linked,
             ["HoldTime: 12", "TalkTime: %d" % d, "Reason: caller"])
        t += d + random.randint(*gap)
for t, lines in sorted(msgs, key=lambda m: m[0]):
    print("\n".join(lines) + "\n")
EOF

python3 "$src/tests/integration/ami-server.py" "$state/ami.port" \
    demo-secret "$start" "$state/shift.ami:open" 2>"$state/ami.err" &
ami=$!
i=0
until [ -s "$state/ami.port" ]; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && { echo "phone-demo: the AMI server did not start" >&2; kill "$ami"; exit 1; }
	sleep 0.1
done

cat >"$state/respite.conf" <<EOF
[server]
listen = 127.0.0.1:7878
[storage]
path = $state/respite.db
[plugins]
dir = $build/plugins/.libs
load = asterisk
[plugin.asterisk]
ami = 127.0.0.1:$(cat "$state/ami.port")
username = respite
secret = demo-secret
team = phone-1
EOF
./respited -f -c "$state/respite.conf" &
pid=$!
trap 'kill "$pid" "$ami" 2>/dev/null' EXIT
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM

i=0
until grep -q "session 1 sent" "$state/ami.port.log" 2>/dev/null; do
	i=$((i + 1))
	if [ "$i" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "phone-demo: respited did not take the shift" >&2
		exit 1
	fi
	sleep 0.1
done
sleep 1

echo
echo "== $(grep -c '^Event: Agent' "$state/shift.ami") call events of 3 queue members over the last 4 hours, taken from AMI"
echo "== curl -s '$url/v1/agents/NAME/history?step=1800': strain every half hour"
{
	curl -s "$url/v1/agents/Alice.Example/history?from=$((start * 1000))&step=1800" |
	    jq -r '["UTC"] + [.buckets[] | .t[11:16]] | @tsv'
	for a in Alice.Example Bob.Builder Chen.Wei; do
		curl -s "$url/v1/agents/$a/history?from=$((start * 1000))&step=1800" |
		    jq -r '[.agent] + [.buckets[] | (.strain | tostring)] | @tsv'
	done
} | column -t -s '	'
echo
echo "== curl -s $url/v1/agents"
curl -s "$url/v1/agents" | jq -r '.agents[] | [.agent, .team, .status, .strain, .level] | @tsv' |
    column -t -s '	'
cat <<EOF

respited keeps running on $url with the Asterisk link up (Ctrl-C stops it):
  curl -s $url/healthz
  curl -s $url/v1/agents/Alice.Example | jq .factors
EOF
wait "$pid"
