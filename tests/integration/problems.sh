#!/bin/sh
# racktop_problems end to end against racktop-sim: the seeded lab's
# unhealthy container, Pi-hole blocking switched off through a tool, an
# upstream failing and recovering; the metric agrees with the tool.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed \
    --services proxmox,docker,pihole --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || fail "simulator: $(cat "$T/sim.log")"
CTL=$(jq -r .control "$T/ep.json")
(umask 077; cat >"$T/racktop.conf" <<EOF
[racktop]
metrics_listen = 127.0.0.1:0

[proxmox "lab"]
url = $(jq -r .proxmox.url "$T/ep.json")
token_id = $(jq -r .proxmox.token_id "$T/ep.json")
token = $(jq -r .proxmox.token "$T/ep.json")
refresh = 1
timeout = 2

[docker "lab"]
url = $(jq -r .docker.url "$T/ep.json")
refresh = 1

[pihole "lab"]
url = $(jq -r .pihole.url "$T/ep.json")
password = $(jq -r .pihole.password "$T/ep.json")
refresh = 1
EOF
)
mkdir -m 700 "$T/run"
S=$T/run/s.sock
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" --socket "$S" \
    2>"$T/rt.log"
wait_for test -S "$S" || fail "racktop: $(cat "$T/rt.log")"

problems() {
	"$RACKTOP" --socket "$S" call racktop_problems "$@" >"$T/p.json" 2>&1
}
# has SEVERITY KIND SERVICE: whether the current list holds such a problem.
has() {
	problems && jq -e --arg s "$1" --arg k "$2" --arg v "$3" \
	    'any(.items[]; .severity == $s and .kind == $k and .service == $v)' \
	    "$T/p.json" >/dev/null
}

# The seeded lab has an unhealthy container; nothing else is wrong.
wait_for has crit container_unhealthy docker ||
    fail "no unhealthy container: $(cat "$T/p.json")"
has warn blocking_off pihole && fail "blocking reported off from the start"

# Blocking switched off through the tool is a problem until switched on.
"$RACKTOP" --socket "$S" call pihole_disable_blocking timer_s=600 >/dev/null ||
    fail "disable blocking"
wait_for has warn blocking_off pihole ||
    fail "blocking off not reported: $(cat "$T/p.json")"
jq -e 'any(.items[]; .kind == "blocking_off" and
    (.message | test("[0-9]+s")))' "$T/p.json" >/dev/null ||
    fail "no timer in the message: $(cat "$T/p.json")"
"$RACKTOP" --socket "$S" call pihole_enable_blocking >/dev/null ||
    fail "enable blocking"
wait_for sh -c "! $(command -v "$RACKTOP") --socket '$S' call racktop_problems |
    jq -e 'any(.items[]; .kind == \"blocking_off\")' >/dev/null" ||
    fail "blocking still reported off"

# An upstream that fails is a critical problem of its instance, then not.
curl -s -X POST -d '{"service":"proxmox","kind":"status","status":500}' \
    "$CTL/faults" >/dev/null
wait_for has crit upstream_error proxmox ||
    fail "failing upstream not reported: $(cat "$T/p.json")"
problems severity=crit || fail "severity filter"
jq -e 'all(.items[]; .severity == "crit")' "$T/p.json" >/dev/null ||
    fail "severity=crit returned warnings"
problems service=proxmox || fail "service filter"
jq -e 'all(.items[]; .service == "proxmox") and .total >= 1' "$T/p.json" \
    >/dev/null || fail "service filter: $(cat "$T/p.json")"
curl -s -X DELETE "$CTL/faults" >/dev/null
wait_for sh -c "! $(command -v "$RACKTOP") --socket '$S' call racktop_problems |
    jq -e 'any(.items[]; .service == \"proxmox\")' >/dev/null" ||
    fail "proxmox problem did not clear"

# The metric counts what the tool lists.
wait_for grep -q 'metrics on' "$T/rt.log" || fail "no metrics listener"
PORT=$(sed -n 's/.*metrics on .*(port \([0-9]*\)).*/\1/p' "$T/rt.log")
problems || fail "problems"
crit=$(jq '[.items[] | select(.severity == "crit")] | length' "$T/p.json")
m=$(curl -s "http://127.0.0.1:$PORT/metrics" |
    awk '$1 == "racktop_problems{severity=\"crit\"}" { print $2 }')
[ "$m" = "$crit" ] || fail "metric says $m critical problems, the tool $crit"
exit 0
