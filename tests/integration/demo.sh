#!/bin/sh
# racktop --demo: the simulator starts as a child, Proxmox data is served
# through the socket, and quitting (SIGTERM, SIGKILL, or q on the
# dashboard) leaves nothing running and nothing behind.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
export RACKTOP_SIM
XDG_RUNTIME_DIR=$TMPD/run
export XDG_RUNTIME_DIR
mkdir -m 700 "$XDG_RUNTIME_DIR"
S=$TMPD/s.sock

# The simulator child of racktop PID, if any.
sim_of() {
	pgrep -P "$1" -x racktop-sim
}
gone() {
	! kill -0 "$1" 2>/dev/null
}
vms_listed() {
	"$RACKTOP" call proxmox_list_vms --socket "$S" >"$TMPD/vms.json" &&
	    grep -q '"name": "web01"' "$TMPD/vms.json"
}

# 1. Headless demo: data through the socket, then SIGTERM.
"$RACKTOP" --demo --headless --socket "$S" 2>"$TMPD/demo.log" &
P=$!
PIDS="$PIDS $P"
wait_for test -S "$S" || fail "demo socket: $(cat "$TMPD/demo.log")"
wait_for vms_listed || fail "proxmox_list_vms from the demo: $(cat "$TMPD/vms.json")"
SIM=$(sim_of "$P") || fail "no racktop-sim child"
# The generated files are gone once racktop has read them.
[ -z "$(ls -A "$XDG_RUNTIME_DIR")" ] || fail "demo left files: $(ls -A "$XDG_RUNTIME_DIR")"
kill -TERM "$P"
wait "$P" || fail "demo exit status $?"
wait_for gone "$SIM" || fail "racktop-sim outlived racktop"
[ ! -e "$S" ] || fail "socket left behind"

# 2. SIGKILL: the child still dies with its parent.
"$RACKTOP" --demo --headless --socket "$S" 2>"$TMPD/demo.log" &
P=$!
wait_for test -S "$S" || fail "demo socket (2)"
SIM=$(sim_of "$P") || fail "no racktop-sim child (2)"
kill -KILL "$P"
wait "$P" 2>/dev/null
wait_for gone "$SIM" || fail "racktop-sim outlived a killed racktop"
[ -z "$(ls -A "$XDG_RUNTIME_DIR")" ] || fail "files left after SIGKILL"

# 3. The dashboard in a terminal: q quits cleanly.
if command -v tmux >/dev/null 2>&1; then
	T="tmux -L rt-demo-$$ -f /dev/null"
	$T new-session -d -x 100 -y 30 "env TERM=screen LANG=C.UTF-8 \
	    XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR RACKTOP_SIM=$RACKTOP_SIM \
	    $RACKTOP --demo --socket $S; echo exit=\$? >$TMPD/tui.exit"
	screen_has() {
		$T capture-pane -p | grep -q "$1"
	}
	# The status line is cut at 100 columns; the guests pane is not.
	wait_for screen_has "Proxmox VE Guests" || { $T kill-server; fail "dashboard: no proxmox"; }
	P=$(pgrep -f "racktop --demo --socket $S" | head -1)
	SIM=$(sim_of "$P")
	$T send-keys q
	wait_for test -s "$TMPD/tui.exit" || { $T kill-server; fail "q did not quit"; }
	$T kill-server 2>/dev/null
	grep -q 'exit=0' "$TMPD/tui.exit" || fail "dashboard $(cat "$TMPD/tui.exit")"
	[ -z "$SIM" ] || wait_for gone "$SIM" || fail "racktop-sim outlived the dashboard"
fi
exit 0
