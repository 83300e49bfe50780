#!/bin/sh
# One racktop per user (issue 19): a headless racktop holds an agent's
# destructive call while no dashboard is attached; a dashboard started
# while it runs attaches (tmux), shows its data live, calls tools there
# with its keys and approves the held call; with two dashboards attached
# the first answer wins and the other shows who answered; the dashboards
# quit and the headless racktop keeps serving agents; --stop ends it;
# --detach starts one in the background.
. "${srcdir:-.}/tests/tui/lib.sh"
command -v socat >/dev/null 2>&1 || { echo "SKIP: no socat"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: no jq"; exit 77; }

start_sim
cat >>"$TMPD/racktop.conf" <<EOC
[racktop]
approval_timeout = 60
audit_log = $TMPD/audit.jsonl
EOC
S=$TMPD/s.sock
C=$TMPD/racktop.conf
"$RACKTOP" --headless --socket "$S" --config "$C" 2>"$TMPD/headless.err" &
HPID=$!
PIDS="$PIDS $HPID"
# With no socket, racktop call answers by itself (lazy mode): wait for the
# socket to listen, then for an answer through it.
wait_for listening "$S" &&
wait_for "$RACKTOP" call racktop_status --socket "$S" --config "$C" \
    >/dev/null 2>&1 || { cat "$TMPD/headless.err"; fail "no headless racktop"; exit 1; }

# The agents, as in approval.sh: socat on the socket, lines through FIFOs.
agent() {
	mkfifo "$TMPD/$1.in"
	eval "exec $(($1 + 3))<>\"$TMPD/$1.in\""
	socat UNIX-CONNECT:"$S" STDIO <"$TMPD/$1.in" >"$TMPD/$1.out" &
	PIDS="$PIDS $!"
	say "$1" '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"'"$2"'","version":"1"}}}'
	wait_for grep -q '"id":0' "$TMPD/$1.out" || fail "agent $1: no initialize reply"
	say "$1" '{"jsonrpc":"2.0","method":"notifications/initialized"}'
}
say() {
	printf '%s\n' "$2" >&$(($1 + 3))
}
call() {
	say "$1" '{"jsonrpc":"2.0","id":'"$2"',"method":"tools/call","params":{"name":"'"$3"'","arguments":'"$4"',"_meta":{"progressToken":"p'"$2"'"}}}'
}
reply() {
	jq -c "select(.id == $2)" "$TMPD/$1.out" 2>/dev/null | grep -q .
}
succeeded() {
	[ "$(jq -r "select(.id == $2) | .result.isError" \
	    "$TMPD/$1.out" 2>/dev/null)" = false ]
}
says() {
	[ "$(jq -r "select(.id == $2) | .result.content[0].text" \
	    "$TMPD/$1.out" 2>/dev/null)" = "$3" ]
}

# Dashboards: sessions d1, d2 of one private tmux server.
dash() {
	$T new-session -d -s "$1" -x 120 -y 40 "env TERM=screen LANG=C.UTF-8 \
LC_ALL=C.UTF-8 XDG_STATE_HOME=$TMPD $RACKTOP --socket $S --config $C \
2>$TMPD/$1.err; echo racktop-exit=\$?; sleep 600"
}
scr() { $T capture-pane -p -t "$1"; }
dhas() { scr "$1" | grep -qF -- "$2"; }
dlacks() { ! scr "$1" | grep -qF -- "$2"; }
dline() { scr "$1" | grep -F -- "$2" | grep -qF -- "$3"; }
dkeys() { d=$1; shift; $T send-keys -t "$d" "$@"; }
# dpress D KEY: the approval modal ignores keys for a moment after it opens.
dpress() { sleep 0.8; dkeys "$1" "$2"; }
dexpect() {
	name=$1 d=$2
	shift 2
	if wait_for "$@"; then
		ok "$name"
	else
		fail "$name"
		scr "$d" | sed 's/^/  | /'
	fi
}

# 1. Held with nobody attached: it waits (no elicitation to ask).
agent 1 claude-code
call 1 10 proxmox_reboot_vm '{"vmid":101}'
dexpect "held while no dashboard is attached" d1 \
    grep -q 'waiting for operator approval' "$TMPD/1.out"
reply 1 10 && fail "the held call was answered with no dashboard"

# 2. A dashboard attaches: live panes, the held call, y approves it.
dash d1
dexpect "the dashboard attaches" d1 dhas d1 "attached to the racktop"
dexpect "the status line shows the headless racktop's instance" d1 \
    dhas d1 "proxmox/lab ok"
dexpect "the held call shows on attaching" d1 dhas d1 "Approve proxmox_reboot_vm?"
dexpect "the modal names the caller" d1 dhas d1 "claude-code/1"
dexpect "describe ran at the headless racktop" d1 \
    dhas d1 "/nodes/pve1/qemu/101/status/reboot"
dpress d1 y
dexpect "y from the attached dashboard runs the call" d1 succeeded 1 10
dexpect "the modal closes" d1 dlacks d1 "Approve proxmox_reboot_vm?"
dexpect "attached panes show the headless racktop's guests" d1 dhas d1 "web01"
dexpect "the agent's call shows in the attached activity pane" d1 \
    dline d1 "agent claude-code/1" "proxmox_reboot_vm"

# 3. Live: a change upstream reaches the attached dashboard.
dexpect "db01 running" d1 dline d1 " db01 " "running"
curl -s -X POST -d '{"service":"proxmox","op":"set_guest_status","vmid":101,"status":"stopped"}' \
    "$CTL/state" | grep -q '"ok"' || fail "control endpoint refused the change"
dexpect "the change shows on the attached dashboard" d1 dline d1 " db01 " "stopped"

# 4. A key calls a tool at the headless racktop, as the operator.
dkeys d1 Home r
dexpect "a key's destructive call asks with describe" d1 \
    dhas d1 "/nodes/pve1/qemu/100/status/reboot"
dkeys d1 y
dexpect "the key's call runs remotely" d1 dline d1 "proxmox_reboot_vm" "ok"
if jq -r 'select(.tool == "proxmox_reboot_vm" and .source == "key") |
    .identity' "$TMPD/audit.jsonl" 2>/dev/null | grep -q 'client=dashboard'; then
	ok "the headless racktop audits the key as the dashboard's"
else
	fail "the headless racktop audits the key as the dashboard's"
	grep reboot "$TMPD/audit.jsonl" | tail -3
fi

# 5. Two dashboards: one answers, the other sees who did.
dash d2
dexpect "a second dashboard attaches" d2 dhas d2 "web01"
call 1 11 proxmox_reboot_vm '{"vmid":102}'
dexpect "dashboard 1 shows the request" d1 dhas d1 "Approve proxmox_reboot_vm?"
dexpect "dashboard 2 shows the request" d2 dhas d2 "Approve proxmox_reboot_vm?"
dpress d2 n
dexpect "n from dashboard 2 denies" d2 says 1 11 "denied by operator"
dexpect "dashboard 1's modal closes" d1 dlacks d1 "Approve proxmox_reboot_vm?"
dexpect "dashboard 1 shows who answered" d1 dhas d1 "denied by $(id -un)"
call 1 12 proxmox_reboot_vm '{"vmid":103}'
dexpect "the next request reaches both" d2 dhas d2 "Approve proxmox_reboot_vm?"
dexpect "the next request reaches dashboard 1" d1 dhas d1 "Approve proxmox_reboot_vm?"
dpress d1 y
dexpect "y from dashboard 1 approves" d1 succeeded 1 12
dexpect "dashboard 2 shows who approved" d2 dhas d2 "approved by $(id -un)"

# 6. The dashboards quit; the headless racktop keeps serving.
dkeys d1 q
dkeys d2 q
dexpect "dashboard 1 quits" d1 dhas d1 "racktop-exit=0"
dexpect "dashboard 2 quits" d2 dhas d2 "racktop-exit=0"
kill -0 "$HPID" 2>/dev/null || fail "the headless racktop died with its dashboards"
call 1 13 proxmox_list_vms '{}'
dexpect "an agent's call still works" d1 succeeded 1 13
"$RACKTOP" call proxmox_list_vms --socket "$S" --config "$C" >/dev/null ||
    fail "racktop call after the dashboards quit"

# 7. An agent behind racktop mcp cannot pass for a dashboard.
out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"racktop-dashboard","version":"1"}}}' |
    "$RACKTOP" mcp --socket "$S" --config "$C" 2>/dev/null)
if printf '%s' "$out" | grep -q 'reserved'; then
	ok "the bridge refuses the dashboard's name"
else
	fail "the bridge refuses the dashboard's name: $out"
fi
say 1 '{"jsonrpc":"2.0","id":14,"method":"racktop/attach","params":{}}'
dexpect "an agent cannot attach" d1 \
    sh -c "jq -r 'select(.id == 14) | .error.code' '$TMPD/1.out' | grep -q -- -32600"

# 8. --stop ends it.
if "$RACKTOP" --stop --socket "$S" --config "$C" >"$TMPD/stop.out" 2>&1; then
	ok "--stop"
else
	fail "--stop: $(cat "$TMPD/stop.out")"
fi
dexpect "the headless racktop exits" d1 sh -c "! kill -0 $HPID 2>/dev/null"
dexpect "its socket is gone" d1 sh -c "! test -S '$S'"
"$RACKTOP" --stop --socket "$S" --config "$C" >/dev/null 2>&1 &&
    fail "--stop with nothing running succeeds"

# 9. --detach: in the background, its pid beside the socket; then --stop.
S2=$TMPD/d.sock
if "$RACKTOP" --detach --socket "$S2" --config "$C" >"$TMPD/detach.out" 2>&1; then
	ok "--detach returns"
else
	fail "--detach: $(cat "$TMPD/detach.out")"
fi
DPID=$(sed -n 's/.*pid \([0-9]*\);.*/\1/p' "$TMPD/detach.out")
[ -n "$DPID" ] && PIDS="$PIDS $DPID"
dexpect "the detached racktop serves" d1 \
    "$RACKTOP" call racktop_status --socket "$S2" --config "$C"
[ "$(cat "$S2.pid" 2>/dev/null)" = "$DPID" ] || fail "no pid file beside the socket"
"$RACKTOP" --stop --socket "$S2" --config "$C" >/dev/null 2>&1 || fail "--stop (detached)"
dexpect "the detached racktop exits" d1 sh -c "! kill -0 $DPID 2>/dev/null"
dexpect "its pid file goes" d1 sh -c "! test -e '$S2.pid'"

# 10. mcp_autostart: racktop mcp with nothing listening starts one.
S3=$TMPD/a.sock
cp "$C" "$TMPD/auto.conf"
printf 'mcp_autostart = true\n' >>"$TMPD/auto.conf"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"auto","version":"1"}}}' |
    "$RACKTOP" mcp --socket "$S3" --config "$TMPD/auto.conf" >"$TMPD/auto.out" 2>"$TMPD/auto.err"
if jq -e 'select(.id == 1) | .result.serverInfo.name == "racktop"' \
    "$TMPD/auto.out" >/dev/null 2>&1; then
	ok "racktop mcp answers through the racktop it started"
else
	fail "racktop mcp with mcp_autostart: $(cat "$TMPD/auto.out" "$TMPD/auto.err")"
fi
APID=$(cat "$S3.pid" 2>/dev/null)
[ -n "$APID" ] && PIDS="$PIDS $APID"
dexpect "the started racktop outlives the bridge" d1 \
    "$RACKTOP" call racktop_status --socket "$S3" --config "$C"
"$RACKTOP" --stop --socket "$S3" --config "$C" >/dev/null 2>&1 ||
    fail "--stop (autostarted)"

for f in "$TMPD/headless.err" "$TMPD/d1.err" "$TMPD/d2.err"; do
	if grep -q 'Sanitizer\|runtime error:' "$f" 2>/dev/null; then
		fail "$f reported:"
		cat "$f"
	fi
done
[ "$fails" -eq 0 ]
