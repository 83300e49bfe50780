#!/bin/sh
# The Prometheus listener: per-instance up, refresh counts and errors, tool
# calls by tool, outcome and caller, pending approvals; promtool accepts
# the text; a non-loopback address is refused; only /metrics is served.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services proxmox \
    --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
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
EOF
)
mkdir -m 700 "$T/run"
S=$T/run/s.sock
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" --socket "$S" \
    2>"$T/rt.log"
wait_for test -S "$S" || fail "racktop: $(cat "$T/rt.log")"
wait_for grep -q 'metrics on' "$T/rt.log" ||
    fail "no metrics line: $(cat "$T/rt.log")"
PORT=$(sed -n 's/.*metrics on .*(port \([0-9]*\)).*/\1/p' "$T/rt.log")
URL=http://127.0.0.1:$PORT/metrics

# metric NAME LABELS: the value of one sample, or nothing.
metric() {
	curl -s "$URL" | awk -v k="$1{$2}" '$1 == k { print $2 }'
}
up() {
	[ "$(metric racktop_instance_up 'service="proxmox",instance="lab"')" = "$1" ]
}

wait_for up 1 || fail "instance not up: $(curl -s "$URL")"
"$RACKTOP" --socket "$S" call proxmox_list_nodes >/dev/null || fail "call ok"
"$RACKTOP" --socket "$S" call proxmox_get_vm_status vmid=999 \
    >/dev/null 2>&1 && fail "vmid 999 succeeded"
"$RACKTOP" --socket "$S" call proxmox_list_nodes >/dev/null || fail "call ok 2"
curl -s "$URL" >"$T/m1" || fail "scrape"
grep -q '^racktop_tool_calls_total{tool="proxmox_list_nodes",outcome="ok",source="cli",client="racktop-cli/[^"]*"} 2$' "$T/m1" ||
    fail "ok count: $(grep tool_calls "$T/m1")"
grep -q '^racktop_tool_calls_total{tool="proxmox_get_vm_status",outcome="error",source="cli",client="racktop-cli/[^"]*"} 1$' "$T/m1" ||
    fail "error count: $(grep tool_calls "$T/m1")"
grep -q '^racktop_approvals_pending 0$' "$T/m1" || fail "approvals gauge"
grep -q '^racktop_refreshes_total{service="proxmox",instance="lab"} [1-9]' \
    "$T/m1" || fail "refreshes: $(grep refreshes_total "$T/m1")"
grep -q "$(jq -r .proxmox.token "$T/ep.json")" "$T/m1" &&
    fail "a credential in the metrics"

# A failing upstream shows as down, with its errors counted; then recovers.
curl -s -X POST -d '{"service":"proxmox","kind":"status","status":500}' \
    "$CTL/faults" >/dev/null
wait_for up 0 || fail "instance still up under a fault"
e=$(metric racktop_refresh_errors_total 'service="proxmox",instance="lab"')
[ "${e:-0}" -ge 1 ] || fail "refresh errors not counted: $e"
curl -s -X DELETE "$CTL/faults" >/dev/null
wait_for up 1 || fail "no recovery"

# Only GET /metrics.
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404 ] ||
    fail "/ is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")" = 405 ] ||
    fail "POST is not 405"

# promtool's own check of the exposition format.
if command -v promtool >/dev/null; then
	curl -s "$URL" | promtool check metrics >"$T/promtool" 2>&1 ||
	    fail "promtool: $(cat "$T/promtool")"
else
	echo "promtool absent (Debian's prometheus package): format not linted"
fi

# Loopback only: another address is refused, named, and the socket still
# serves.
printf '[racktop]\nmetrics_listen = 192.0.2.1:9464\n' >"$T/remote.conf"
start_bg "$RACKTOP" --headless --config "$T/remote.conf" \
    --socket "$T/run/r.sock" 2>"$T/remote.log"
wait_for grep -q 'not a loopback address' "$T/remote.log" ||
    fail "remote address accepted: $(cat "$T/remote.log")"
exit 0
