#!/bin/sh
# bench/bench-ui.sh: the dashboard's benchmark (issue 10), printed numbers
# only; run by bench/run.sh (`make bench`) or alone.
#
# racktop-sim --scale large (real clock, so the data moves) and racktop's
# dashboard on every simulated service with a 2 s refresh, in a detached
# tmux of 200x60; btop in another of the same size when it is installed.
# Measures, with no input for BENCH_UI_SECONDS (default 60):
#   UI thread CPU   utime+stime of racktop's main thread (the only one that
#                   draws) from /proc/PID/task/PID/stat, as % of one core,
#                   beside btop's whole-process CPU over the same window;
#   pollers         every other racktop thread's CPU per refresh cycle, and
#                   per MB of response bodies (what the pollers parse;
#                   the frame log carries core/http.c's byte counter);
#   RSS             VmRSS once every instance has refreshed three times,
#                   sampled 20 times over the next two refresh periods
#                   (pollers parse and publish at their own moments, so
#                   one reading lands anywhere between a quiet heap and a
#                   large parse): the median is the figure, the maximum
#                   is printed beside it;
#   attached        a second dashboard attached to that racktop (issue
#                   19), over a second window as long: its UI thread's
#                   CPU beside the local one's, the bytes it received in
#                   its first 3 s (the whole snapshots) and per refresh
#                   cycle (/proc/PID/io rchar), and its RSS;
#   frame time      RACKTOP_FRAME_LOG: each drawing pass's time; full
#                   frames (layout and every pane drawn) forced with Tab
#                   after the idle window, full repaints (every cell sent
#                   to the terminal again) with C-L, and the idle passes.
# Targets are information: exit 0 unless something failed to run.
#
# usage: bench/bench-ui.sh [BUILDDIR]
# environment: BENCH_UI_SECONDS, BENCH_NO_BTOP=1 (do not install or run
# btop), RACKTOP, RACKTOP_SIM.
set -u

builddir=$(cd "${1:-.}" && pwd)
RACKTOP=${RACKTOP:-$builddir/racktop}
SIM=${RACKTOP_SIM:-$builddir/racktop-sim}
WINDOW=${BENCH_UI_SECONDS:-60}
REFRESH=2
W=200
H=60

for f in "$RACKTOP" "$SIM"; do
	if [ ! -x "$f" ]; then
		echo "bench-ui: $f is missing; build it first" >&2
		exit 1
	fi
done
if ! command -v tmux >/dev/null 2>&1; then
	echo "bench-ui: skipped: tmux is not installed (the dashboard needs a terminal)"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/racktop-bench-ui.XXXXXX") || exit 1
chmod 700 "$tmp"
T="tmux -L racktop-bench-ui-$$ -f /dev/null"
sim_pid=
cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup 0
trap 'exit 1' INT TERM

# btop: Debian's package, installed when missing and we may.
BTOP=
if [ "${BENCH_NO_BTOP:-0}" != 1 ]; then
	if ! command -v btop >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
	    command -v apt-get >/dev/null 2>&1; then
		echo "bench-ui: installing btop (apt-get install btop)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q btop \
		    >"$tmp/apt.log" 2>&1 || tail -3 "$tmp/apt.log"
	fi
	BTOP=$(command -v btop 2>/dev/null)
	[ -n "$BTOP" ] || echo "bench-ui: btop is not installed and cannot be; its column is skipped"
fi

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
	n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		sleep 0.1
	done
	return 1
}

"$SIM" --seed 1 --scale large --clock real --endpoints "$tmp/ep.json" \
    >"$tmp/sim.log" 2>&1 &
sim_pid=$!
wait_until 20 test -s "$tmp/ep.json" || { cat "$tmp/sim.log"; exit 1; }

# Every simulated service racktop has, as racktop --demo writes it,
# refresh 2 s; only keys racktop knows (the simulator serves more).
"$RACKTOP" --config /dev/null tools --json | jq '[.[].name | split("_")[0]] |
    unique' >"$tmp/svcs.json"
"$RACKTOP" env-example | sed -n 's/^#RACKTOP_PROXMOX_HOME_\(.*\)=$/\1/p' |
    tr 'A-Z' 'a-z' | jq -R . | jq -s . >"$tmp/keys.json"
(umask 077; jq -r --arg r "$REFRESH" --slurpfile svcs "$tmp/svcs.json" \
    --slurpfile keys "$tmp/keys.json" 'to_entries[] |
    select(.value | type == "object") | select(.key as $k |
    $svcs[0] | index($k)) | .key as $svc | .value as $v |
    "[\($svc) \"lab\"]",
    ($v | to_entries[] | select(.value | type == "string") |
	select(.key != "node") | select(.key as $k | $keys[0] | index($k)) |
	select(((.key == "user" or .key == "password") and
	    ($v.token != null or $v.api_key != null)) | not) |
	"\(.key) = \(.value)"),
    "refresh = \($r)", "timeout = 10"' "$tmp/ep.json" >"$tmp/racktop.conf")
ninst=$(grep -c '^\[' "$tmp/racktop.conf")

$T new-session -d -s ui -x $W -y $H "env TERM=screen-256color \
LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp RACKTOP_FRAME_LOG=$tmp/frames \
$RACKTOP --config $tmp/racktop.conf --socket $tmp/s.sock 2>$tmp/rt.err; sleep 600"
rt_pid=
find_racktop() {
	rt_pid=$(pgrep -P "$($T display -p -t ui '#{pane_pid}')" -x racktop)
	[ -n "$rt_pid" ]
}
wait_until 10 find_racktop || { echo "bench-ui: racktop did not start"; cat "$tmp/rt.err"; exit 1; }

# refreshes: the sum of every instance's snapshot generations.
refreshes() {
	"$RACKTOP" call racktop_status --socket "$tmp/s.sock" 2>/dev/null |
	    jq '[.. | objects | .refreshes? // empty] | add // 0'
}
min_refreshes() {
	"$RACKTOP" call racktop_status --socket "$tmp/s.sock" 2>/dev/null |
	    jq '[.. | objects | .refreshes? // empty] | min // 0'
}
three_each() {
	[ "$(min_refreshes)" -ge 3 ]
}
wait_until 60 three_each || echo "bench-ui: some instance never refreshed three times"
: >"$tmp/rss"
i=0
while [ $i -lt 20 ]; do
	awk '/^VmRSS:/ { print $2 }' "/proc/$rt_pid/status" >>"$tmp/rss"
	sleep "$(awk -v r="$REFRESH" 'BEGIN { print r / 10 }')"
	i=$((i + 1))
done
rss_kb=$(sort -n "$tmp/rss" | sed -n 10p)
rss_max_kb=$(sort -n "$tmp/rss" | tail -1)

if [ -n "$BTOP" ]; then
	$T new-session -d -s btop -x $W -y $H "env TERM=screen-256color \
LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$tmp $BTOP; sleep 600"
fi
btop_pid=
find_btop() {
	btop_pid=$(pgrep -P "$($T display -p -t btop '#{pane_pid}')" -x btop)
	[ -n "$btop_pid" ]
}
[ -n "$BTOP" ] && { wait_until 10 find_btop || echo "bench-ui: btop did not start"; }

# ticks FILE: utime + stime of a /proc stat file (fields after the comm).
ticks() {
	sed 's/^.*) //' "$1" 2>/dev/null | awk '{ print $12 + $13 }'
}
# other_ticks: every racktop thread but the main one.
other_ticks() {
	t=0
	for d in /proc/"$rt_pid"/task/*; do
		[ "${d##*/}" = "$rt_pid" ] && continue
		t=$((t + $(ticks "$d/stat")))
	done
	echo $t
}
# bytes: response bytes received so far, from the last frame logged (the
# status line's clock draws one every second).
bytes() {
	tail -1 "$tmp/frames" | awk '{ print $6 }'
}

# Let the start-up settle (btop's first draws, our status call), then
# measure the idle window.
sleep 3
r0=$(refreshes)
sleep 1
f0=$(wc -l <"$tmp/frames")
ui0=$(ticks "/proc/$rt_pid/task/$rt_pid/stat")
po0=$(other_ticks)
io0=$(bytes)
bt0=$([ -n "$btop_pid" ] && ticks "/proc/$btop_pid/stat")
t0=$(date +%s.%N)
sleep "$WINDOW"
ui1=$(ticks "/proc/$rt_pid/task/$rt_pid/stat")
po1=$(other_ticks)
io1=$(bytes)
bt1=$([ -n "$btop_pid" ] && ticks "/proc/$btop_pid/stat")
t1=$(date +%s.%N)
f1=$(wc -l <"$tmp/frames")
sleep 1
r1=$(refreshes)

# The same lab from a dashboard attached to this racktop (issue 19): its
# main thread draws from the mirror the link thread keeps.
$T new-session -d -s att -x $W -y $H "env TERM=screen-256color \
LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp \
$RACKTOP --config $tmp/racktop.conf --socket $tmp/s.sock 2>$tmp/att.err; sleep 600"
att_pid=
find_attached() {
	att_pid=$(pgrep -P "$($T display -p -t att '#{pane_pid}')" -x racktop)
	[ -n "$att_pid" ]
}
attached_up() {
	$T capture-pane -p -t att | grep -q "attached to the racktop"
}
at0= at1= ar0= ar1= ac0= ac1= att_rss=
if wait_until 10 find_attached && wait_until 20 attached_up; then
	# Its first whole snapshots, then the idle window.
	sleep 3
	ar0=$(refreshes)
	at0=$(ticks "/proc/$att_pid/task/$att_pid/stat")
	ac0=$(awk '/^rchar:/ { print $2 }' "/proc/$att_pid/io")
	ta0=$(date +%s.%N)
	sleep "$WINDOW"
	at1=$(ticks "/proc/$att_pid/task/$att_pid/stat")
	ac1=$(awk '/^rchar:/ { print $2 }' "/proc/$att_pid/io")
	ta1=$(date +%s.%N)
	att_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$att_pid/status")
	ar1=$(refreshes)
	$T send-keys -t att q
else
	echo "bench-ui: the attached dashboard did not start"
	cat "$tmp/att.err"
fi

more_frames() {
	[ "$(wc -l <"$tmp/frames")" -gt "$1" ]
}
# frames KEY FILE: 30 frames forced by KEY, each waited for in the log.
frames() {
	m=$(wc -l <"$tmp/frames")
	for i in $(seq 1 30); do
		n=$(wc -l <"$tmp/frames")
		$T send-keys -t ui "$1"
		wait_until 5 more_frames "$n" || break
	done
	sleep 0.5
	sed -n "$((m + 1)),\$p" "$tmp/frames" | awk '$3 == 1' >"$2"
}
# Tab: focus moves, so the layout is redone and every pane drawn; C-L
# also repaints every cell of the terminal.
frames Tab "$tmp/full-frames"
frames C-l "$tmp/repaint-frames"
$T send-keys -t ui q

hz=$(getconf CLK_TCK)
sed -n "$((f0 + 1)),${f1}p" "$tmp/frames" >"$tmp/idle-frames"
# pct FILE P: the Pth percentile of column 2 (us), in ms.
pct() {
	awk '{ print $2 }' "$1" | sort -n | awk -v p="$2" '{ v[NR] = $1 }
	    END { if (NR == 0) { print "-"; exit } i = int((NR - 1) * p / 100) + 1;
		printf "%.3f", v[i] / 1000 }'
}

awk -v hz="$hz" -v ui0="$ui0" -v ui1="$ui1" -v po0="$po0" -v po1="$po1" \
    -v io0="$io0" -v io1="$io1" -v bt0="${bt0:-}" -v bt1="${bt1:-}" \
    -v t0="$t0" -v t1="$t1" -v r0="$r0" -v r1="$r1" -v ninst="$ninst" \
    -v rss="$rss_kb" -v rssmax="$rss_max_kb" -v nidle="$(wc -l <"$tmp/idle-frames")" \
    -v full50="$(pct "$tmp/full-frames" 50)" \
    -v full99="$(pct "$tmp/full-frames" 99)" \
    -v fullmax="$(pct "$tmp/full-frames" 100)" \
    -v nfull="$(wc -l <"$tmp/full-frames")" \
    -v rep50="$(pct "$tmp/repaint-frames" 50)" \
    -v rep99="$(pct "$tmp/repaint-frames" 99)" \
    -v idle50="$(pct "$tmp/idle-frames" 50)" \
    -v upd50="$(awk '{ print $1, $5 }' "$tmp/full-frames" >"$tmp/upd"; pct "$tmp/upd" 50)" \
    -v at0="$at0" -v at1="$at1" -v ar0="$ar0" -v ar1="$ar1" \
    -v ac0="$ac0" -v ac1="$ac1" -v ta0="${ta0:-0}" -v ta1="${ta1:-0}" \
    -v att_rss="$att_rss" \
    -v w="$W" -v h="$H" 'BEGIN {
	secs = t1 - t0
	ui = (ui1 - ui0) / hz / secs * 100
	cycles = (r1 - r0) / ninst
	po_ms = (po1 - po0) * 1000 / hz
	mb = (io1 - io0) / 1e6
	printf "dashboard benchmark (issue 10): racktop-sim --scale large, %d instances, refresh 2 s, %dx%d, %.0f s without input\n\n", ninst, w, h, secs
	printf "%-44s %12s %12s\n", "", "racktop", "btop"
	if (bt0 != "")
		printf "%-44s %12.3f %12.3f\n", "CPU, % of one core (racktop: UI thread)", ui, (bt1 - bt0) / hz / secs * 100
	else
		printf "%-44s %12.3f %12s\n", "CPU, % of one core (racktop: UI thread)", ui, "skipped"
	if (at0 != "") {
		aui = (at1 - at0) / hz / (ta1 - ta0) * 100
		acyc = (ar1 - ar0) / ninst
		printf "%-44s %12.3f\n", "CPU, % of one core (attached dashboard UI)", aui
		printf "%-44s %12.1f\n", "attached: KB received in its first 3 s", ac0 / 1024
		printf "%-44s %12.1f\n", "attached: KB received per refresh cycle", (acyc > 0 ? (ac1 - ac0) / 1024 / acyc : 0)
		printf "%-44s %12.1f\n", "attached: RSS at the end (MB)", att_rss / 1024
	}
	printf "%-44s %12d\n", "drawing passes in the window", nidle
	printf "%-44s %12s\n", "idle pass time p50 (ms)", idle50
	printf "%-44s %12s\n", "full frame p50 (ms, " nfull " Tab frames)", full50
	printf "%-44s %12s\n", "full frame p99 (ms)", full99
	printf "%-44s %12s\n", "full frame max (ms)", fullmax
	printf "%-44s %12s\n", "  of which doupdate p50 (ms)", upd50
	printf "%-44s %12s\n", "full repaint p50 (ms, C-L)", rep50
	printf "%-44s %12s\n", "full repaint p99 (ms, C-L)", rep99
	printf "%-44s %12.1f\n", "refresh cycles in the window", cycles
	printf "%-44s %12.2f\n", "MB of responses parsed per cycle", (cycles > 0 ? mb / cycles : 0)
	printf "%-44s %12.1f\n", "pollers CPU per cycle (ms)", (cycles > 0 ? po_ms / cycles : 0)
	printf "%-44s %12.1f\n", "pollers CPU per MB parsed (ms/MB)", (mb > 0 ? po_ms / mb : 0)
	printf "%-44s %12.1f\n", "RSS after three refreshes, median (MB)", rss / 1024
	printf "%-44s %12.1f\n", "  maximum of 20 over two refreshes (MB)", rssmax / 1024
	printf "\ntargets (issue 10; information only; the UI thread is the racktop column):\n"
	printf "  %-52s %s\n", "UI thread <= 0.5 % of one core", (ui <= 0.5 ? "PASS" : "MISS")
	if (at0 != "")
		printf "  %-52s %s\n", "attached dashboard UI thread <= 0.5 % (issue 19)", (aui <= 0.5 ? "PASS" : "MISS")
	if (bt0 != "")
		printf "  %-52s %s\n", "UI thread below btop on the same idle host", (ui < (bt1 - bt0) / hz / secs * 100 ? "PASS" : "MISS")
	printf "  %-52s %s\n", "full frame <= 2 ms (p50; p99 above, shared CPU)", (full50 != "-" && full50 + 0 <= 2 ? "PASS" : "MISS")
	printf "  %-52s %s\n", "RSS <= 30 MB after three refreshes", (rss / 1024 <= 30 ? "PASS" : "MISS")
}'
exit 0
