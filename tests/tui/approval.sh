#!/bin/sh
# Operator approval through the dashboard (tmux keys), with agents on the
# socket (socat): a destructive call waits in a modal naming the caller,
# the target's state and describe's request while reads still answer;
# y runs it, n denies it ("denied by operator"), a approves that caller
# for that tool on its connection (its next call runs without asking) but
# a second connection with the same clientInfo name is still held; a
# call cancelled by its client leaves the queue and never runs, even when
# y is pressed; an unanswered call times out ("not approved: timed
# out"); the audit log holds a decision line for each.
. "${srcdir:-.}/tests/tui/lib.sh"
command -v socat >/dev/null 2>&1 || { echo "SKIP: no socat"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: no jq"; exit 77; }

start_sim
cat >>"$TMPD/racktop.conf" <<EOC
[racktop]
approval_timeout = 6
audit_log = $TMPD/audit.jsonl
EOC
tui_start 120 40 -- --config "$TMPD/racktop.conf"
expect "dashboard up" has "web01"
wait_for test -S "$TMPD/s.sock" || fail "no socket"

# agent N NAME: an MCP client on the socket; send with say N, read N.out.
agent() {
	mkfifo "$TMPD/$1.in"
	# Our end first, read-write: opening a FIFO so never blocks (Linux).
	eval "exec $(($1 + 3))<>\"$TMPD/$1.in\""
	# Not start_bg: an asynchronous command's own redirection keeps
	# its stdin from becoming /dev/null.
	socat UNIX-CONNECT:"$TMPD/s.sock" STDIO <"$TMPD/$1.in" \
	    >"$TMPD/$1.out" &
	PIDS="$PIDS $!"
	say "$1" '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"'"$2"'","version":"1"}}}'
	wait_for grep -q '"id":0' "$TMPD/$1.out" || fail "agent $1: no initialize reply"
	say "$1" '{"jsonrpc":"2.0","method":"notifications/initialized"}'
}
say() {
	printf '%s\n' "$2" >&$(($1 + 3))
}
# call N ID TOOL ARGS: a tools/call with a progress token.
call() {
	say "$1" '{"jsonrpc":"2.0","id":'"$2"',"method":"tools/call","params":{"name":"'"$3"'","arguments":'"$4"',"_meta":{"progressToken":"p'"$2"'"}}}'
}
# reply N ID: the reply to request ID, when it came.
reply() {
	jq -c "select(.id == $2)" "$TMPD/$1.out" 2>/dev/null | grep -q . &&
	    jq -c "select(.id == $2)" "$TMPD/$1.out"
}
# is_error N ID: the reply's isError and text, as "true text".
outcome() {
	reply "$1" "$2" | jq -r '"\(.result.isError) \(.result.content[0].text)"'
}
# press KEY: the modal ignores keys for a moment after it opens.
press() {
	sleep 0.8
	keys "$1"
}
# succeeded N ID / says N ID TEXT: the reply's outcome.
succeeded() {
	[ "$(jq -r "select(.id == $2) | .result.isError" \
	    "$TMPD/$1.out" 2>/dev/null)" = false ]
}
says() {
	[ "$(jq -r "select(.id == $2) | .result.content[0].text" \
	    "$TMPD/$1.out" 2>/dev/null)" = "$3" ]
}

agent 1 claude-code
agent 2 claude-code

# 1. y: the held call shows its caller, target and request, then runs.
call 1 10 proxmox_reboot_vm '{"vmid":101}'
expect "held call shows a modal" has "Approve proxmox_reboot_vm?"
expect "modal names the caller" has "claude-code/1 (the name is self-reported)"
expect "modal names the executable" has "socat"
expect "modal shows the target's state" line_has "Guests (lab)" "db01"
expect "modal shows describe's request" has "/nodes/pve1/qemu/101/status/reboot"
expect "progress says it waits" grep -q 'waiting for operator approval' "$TMPD/1.out"
# Reads from the other agent complete meanwhile.
call 2 11 proxmox_list_vms '{}'
expect "a read answers while a call is held" reply 2 11
reply 1 10 && fail "the held call answered before approval"
press y
expect "y runs the call" succeeded 1 10
expect "the modal closes" lacks "Approve proxmox_reboot_vm?"

# 2. n: denied by operator.
call 1 12 proxmox_reboot_vm '{"vmid":102}'
expect "second call held" has "Approve proxmox_reboot_vm?"
press n
expect "n denies" says 1 12 "denied by operator"

# 3. a: this caller, this tool, this connection.
call 1 13 proxmox_reboot_vm '{"vmid":103}'
expect "third call held" has "Approve proxmox_reboot_vm?"
press a
expect "a approves" succeeded 1 13
call 1 14 proxmox_reboot_vm '{"vmid":104}'
expect "the granted caller's next call runs unasked" succeeded 1 14
# Another connection claiming the same clientInfo name is still held.
call 2 15 proxmox_reboot_vm '{"vmid":105}'
expect "same name, other connection: held" has "Approve proxmox_reboot_vm?"

# 4. The client cancels: withdrawn; y afterwards runs nothing.
say 2 '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":15,"reason":"test"}}'
expect "cancel withdraws the modal" lacks "Approve proxmox_reboot_vm?"
keys y
sleep 0.5
reply 2 15 && fail "a cancelled call was answered"
grep -q '"decision":"withdrawn: cancelled"' "$TMPD/audit.jsonl" ||
    fail "no withdrawn line in the audit log"

# 5. Nobody answers: not approved: timed out.
call 2 16 proxmox_reboot_vm '{"vmid":106}'
expect "fourth call held" has "Approve proxmox_reboot_vm?"
if wait_for reply 2 16 && outcome 2 16 | grep -q '^true not approved: timed out'; then
	ok "unanswered call times out"
else
	fail "unanswered call times out: $(outcome 2 16)"
fi
expect "timeout closes the modal" lacks "Approve proxmox_reboot_vm?"

# The audit log: a line per decision, with the identity; no secret.
for d in held approved denied "approved for this caller and tool" \
    "approved: caller grant" "withdrawn: cancelled" "timed out"; do
	if grep -q "\"decision\":\"$d\"" "$TMPD/audit.jsonl"; then
		ok "audit: $d"
	else
		fail "audit: $d"
	fi
done
if jq -r 'select(.decision == "denied") | .identity' "$TMPD/audit.jsonl" |
    grep -q 'uid=[0-9]* pid=[0-9]* exe=.*socat client=claude-code/1'; then
	ok "audit: identity"
else
	fail "audit: identity"
fi

keys q
expect "q quits" has "racktop-exit=0"
if grep -q 'Sanitizer\|runtime error:' "$TMPD/rt.err"; then
	fail "racktop reported:"
	cat "$TMPD/rt.err"
fi
[ "$fails" -eq 0 ]
