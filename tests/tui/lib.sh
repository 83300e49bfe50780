# Helpers for the dashboard tests (POSIX sh): racktop in a detached tmux of
# fixed size on a private server (-L, -f /dev/null), screens read with
# capture-pane, and waits that poll for text rather than sleep.
# Needs RACKTOP and RACKTOP_SIM; sources tests/integration/lib.sh.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
command -v tmux >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
NSESS=0
T="tmux -L rt-tui-$$-$NSESS -f /dev/null"
tui_cleanup() {
	$T kill-server 2>/dev/null
	cleanup
}
trap tui_cleanup 0

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# start_sim: racktop-sim with the seeded lab and a fixed clock, and a
# configuration for it in $TMPD/racktop.conf.
start_sim() {
	start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --scale small \
	    --endpoints "$TMPD/ep.json" >"$TMPD/sim.log" 2>&1
	wait_for test -s "$TMPD/ep.json" || { cat "$TMPD/sim.log"; exit 1; }
	CTL=$(jq -r .control "$TMPD/ep.json")
	(umask 077; cat >"$TMPD/racktop.conf" <<EOC
[proxmox "lab"]
url = $(jq -r .proxmox.url "$TMPD/ep.json")
token_id = $(jq -r .proxmox.token_id "$TMPD/ep.json")
token = $(jq -r .proxmox.token "$TMPD/ep.json")
refresh = 1
timeout = 2
EOC
	)
}

# tui_start W H [VAR=value ...] -- [racktop options]: the dashboard in tmux.
tui_start() {
	w=$1 h=$2
	shift 2
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	[ "$1" = "--" ] && shift
	# A fresh server each time: a killed one may still hold its socket.
	$T kill-server 2>/dev/null
	NSESS=$((NSESS + 1))
	T="tmux -L rt-tui-$$-$NSESS -f /dev/null"
	wait_for sh -c "! test -S '$TMPD/s.sock' || rm -f '$TMPD/s.sock'"
	$T new-session -d -x "$w" -y "$h" "env TERM=screen LANG=C.UTF-8 \
LC_ALL=C.UTF-8 XDG_STATE_HOME=$TMPD RACKTOP_SIM=$RACKTOP_SIM$envs \
${RT_WRAP:-} $RACKTOP --socket $TMPD/s.sock $* 2>$TMPD/rt.err; \
echo racktop-exit=\$?; sleep 600"
}

# screen: the visible screen on stdout.
screen() {
	$T capture-pane -p
}

# has TEXT: whether the screen shows TEXT.
has() {
	screen | grep -qF -- "$1"
}

# lacks TEXT: whether the screen does not show TEXT.
lacks() {
	! screen | grep -qF -- "$1"
}

# line_has A B: whether one line of the screen shows both A and B.
line_has() {
	screen | grep -F -- "$1" | grep -qF -- "$2"
}

# keys KEY...: sends tmux key names (Enter, Escape, Tab...).
keys() {
	$T send-keys "$@"
}

# text STRING: types a string literally.
text() {
	$T send-keys -l "$1"
}

# expect NAME CMD...: ok when CMD succeeds within the wait, else fail with
# the screen.
expect() {
	name=$1
	shift
	if wait_for "$@"; then
		ok "$name"
	else
		fail "$name"
		screen | sed 's/^/  | /'
	fi
}
