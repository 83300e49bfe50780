#!/bin/sh
# bench/run.sh: racktop's benchmark (`make bench`), printed numbers only.
#
# Measures tools/call round trips of racktop_status with bench-load against
# three servers, one at a time so that they never share the CPU:
#   floor    bench-floor, a trivial C responder (this machine's floor);
#   racktop  `racktop --headless` on the production path: schema
#            validation, policy, audit log on, worker pool;
#   ts-sdk   bench/ts-server/server.mjs on the official TypeScript SDK.
# For each: sequential p50/p99, throughput with 1, 8 and 64 connections,
# and RSS while 64 initialised connections sit idle (fresh, then after the
# load). Prints the table with ratios and PASS/MISS per target of issue 3.
# Targets are information: the exit status is 0 unless something failed to
# run.
#
# usage: bench/run.sh [BUILDDIR]
# environment:
#   RACKTOP          the racktop binary (default BUILDDIR/racktop)
#   BENCH_SEQ_CALLS  sequential calls after the warm-up (default 20000)
#   BENCH_SECONDS    seconds per throughput run (default 3)
#   BENCH_PIPELINE   calls outstanding per connection (default 8)
#   BENCH_NO_TS=1    skip the TypeScript SDK server (no Node.js, offline)
#   BENCH_NO_UI=1    skip the dashboard benchmark (bench/bench-ui.sh)
#   RT_NODE_DIR      where npm installs the SDK (default ~/.cache/racktop-node)

# shellcheck disable=SC2317 # functions reached through trap and eval
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-.}" && pwd)
RACKTOP=${RACKTOP:-$builddir/racktop}
LOAD=$builddir/bench/bench-load
FLOOR=$builddir/bench/bench-floor
SEQ_CALLS=${BENCH_SEQ_CALLS:-20000}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
PIPELINE=${BENCH_PIPELINE:-8}
TOOL=racktop_status
IDLE_CONNS=64

for f in "$RACKTOP" "$LOAD" "$FLOOR"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is missing; build it first (make bench)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/racktop-bench.XXXXXX") || exit 1
chmod 700 "$tmp"
server_pid=
idle_pid=
failed=0

# Stops whatever is still running and removes the temporary directory.
cleanup() {
	exec 3>&- 2>/dev/null
	for p in $idle_pid $server_pid; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Prints a message on stderr and marks the run as failed.
fail() {
	echo "bench: $*" >&2
	failed=1
}

# Waits (bounded) for a socket to appear while its server lives.
wait_socket() {
	i=0
	while [ ! -S "$1" ]; do
		if ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 300 ]; then
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# Prints the value of key $2 in bench-load's output line $1.
val() {
	printf '%s\n' "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p"
}

# Prints the RSS of pid $2 in MB while $IDLE_CONNS idle sessions on $1 are held.
idle_rss() {
	rm -f "$tmp/idle.fifo" "$tmp/idle.out"
	mkfifo "$tmp/idle.fifo" || return 1
	"$LOAD" --socket "$1" --idle "$IDLE_CONNS" <"$tmp/idle.fifo" \
	    >"$tmp/idle.out" 2>&1 &
	idle_pid=$!
	exec 3>"$tmp/idle.fifo"
	i=0
	while ! grep -q '^ready' "$tmp/idle.out" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 300 ] || ! kill -0 "$idle_pid" 2>/dev/null; then
			exec 3>&-
			wait "$idle_pid" 2>/dev/null
			idle_pid=
			cat "$tmp/idle.out" >&2
			return 1
		fi
		sleep 0.05
	done
	sleep 0.2
	awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$2/status"
	exec 3>&-
	wait "$idle_pid" 2>/dev/null
	idle_pid=
	return 0
}

# Runs every measurement against server $1 (floor|racktop|ts) on socket $2.
measure() {
	name=$1
	sock=$2
	eval "${name}_rss_fresh=\$(idle_rss \"\$sock\" \"\$server_pid\")" ||
	    fail "$name: idle connections failed"

	out=$("$LOAD" --socket "$sock" --tool "$TOOL" --mode seq \
	    --calls "$SEQ_CALLS" --warmup 2000) || fail "$name: seq: $out"
	eval "${name}_p50=\$(val \"\$out\" p50_us)"
	eval "${name}_p99=\$(val \"\$out\" p99_us)"

	for c in 1 8 64; do
		out=$("$LOAD" --socket "$sock" --tool "$TOOL" --mode tput \
		    --conns "$c" --pipeline "$PIPELINE" \
		    --seconds "$SECONDS_PER_RUN") ||
		    fail "$name: tput $c: $out"
		eval "${name}_tput$c=\$(val \"\$out\" calls_per_s)"
	done

	eval "${name}_rss_load=\$(idle_rss \"\$sock\" \"\$server_pid\")" ||
	    fail "$name: idle connections failed"
}

# Stops the server under measurement.
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}

# Installs the TypeScript server's pinned SDK; prints the directory.
ts_install() {
	hash=$(sha256sum "$srcdir/bench/ts-server/package-lock.json" | cut -c1-16)
	dir=${RT_NODE_DIR:-$HOME/.cache/racktop-node}/bench-$hash
	mkdir -p "$dir" || return 1
	if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
	    ! cmp -s "$dir/package-lock.json" \
	    "$srcdir/bench/ts-server/package-lock.json"; then
		cp "$srcdir/bench/ts-server/package.json" \
		    "$srcdir/bench/ts-server/package-lock.json" "$dir/" &&
		    (cd "$dir" && npm ci --no-audit --no-fund >&2) || return 1
	fi
	cp "$srcdir/bench/ts-server/server.mjs" "$dir/" || return 1
	echo "$dir"
}

load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
	echo "bench: note: load average $load: other work on this machine" \
	    "makes the numbers noisy" >&2
fi
echo "racktop benchmark: $(nproc) CPUs, $(uname -sr), pipeline $PIPELINE," \
    "$SEQ_CALLS sequential calls, ${SECONDS_PER_RUN} s per throughput run"

# The floor.
"$FLOOR" --socket "$tmp/floor.sock" 2>"$tmp/floor.err" &
server_pid=$!
if wait_socket "$tmp/floor.sock" "$server_pid"; then
	measure floor "$tmp/floor.sock"
else
	fail "bench-floor did not start: $(cat "$tmp/floor.err")"
fi
stop_server

# racktop, headless, with the audit log on and no instances configured.
mkdir -m 700 "$tmp/home" "$tmp/home/config" "$tmp/run"
cat >"$tmp/racktop.conf" <<EOF
[racktop]
audit_log = $tmp/audit.jsonl
log = $tmp/racktop.log
# the benchmark measures the server, not its per-client rate limiter
rate_limit = 0
EOF
chmod 600 "$tmp/racktop.conf"
env HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/config" \
    XDG_RUNTIME_DIR="$tmp/run" \
    "$RACKTOP" --headless --config "$tmp/racktop.conf" \
    --socket "$tmp/run/racktop.sock" 2>"$tmp/racktop.err" </dev/null &
server_pid=$!
if wait_socket "$tmp/run/racktop.sock" "$server_pid"; then
	measure racktop "$tmp/run/racktop.sock"
else
	fail "racktop did not start: $(cat "$tmp/racktop.err")"
fi
stop_server
if [ ! -s "$tmp/audit.jsonl" ]; then
	echo "bench: note: racktop's audit log stayed empty" >&2
fi

# The TypeScript SDK reference.
if [ "${BENCH_NO_TS:-0}" = 1 ]; then
	echo "bench: TypeScript SDK server skipped (BENCH_NO_TS=1)"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	fail "node and npm are needed for the TypeScript SDK server (or set BENCH_NO_TS=1)"
elif ! tsdir=$(ts_install); then
	fail "npm ci of the TypeScript SDK failed (or set BENCH_NO_TS=1)"
else
	node "$tsdir/server.mjs" --socket "$tmp/ts.sock" 2>"$tmp/ts.err" &
	server_pid=$!
	if wait_socket "$tmp/ts.sock" "$server_pid"; then
		measure ts "$tmp/ts.sock"
	else
		fail "the TypeScript SDK server did not start: $(cat "$tmp/ts.err")"
	fi
	stop_server
fi

# Prints one row: label, three values, ratios racktop/floor and racktop/ts.
row() {
	awk -v l="$1" -v f="$2" -v r="$3" -v t="$4" -v fmt="$5" 'BEGIN {
		printf "%-26s", l
		printf "%12s", f == "" ? "n/a" : sprintf(fmt, f)
		printf "%12s", r == "" ? "n/a" : sprintf(fmt, r)
		printf "%12s", t == "" ? "n/a" : sprintf(fmt, t)
		printf "%16s", (r == "" || f == "" || f == 0) ? "n/a" : \
		    sprintf("%.2fx", r / f)
		printf "%14s\n", (r == "" || t == "" || t == 0) ? "n/a" : \
		    sprintf("%.2fx", r / t)
	}'
}

# Prints a target line with PASS, MISS or n/a when a value is missing.
target() {
	awk -v l="$1" -v r="$2" -v o="$3" -v k="$4" -v op="$5" 'BEGIN {
		if (r == "" || o == "")
			v = "n/a"
		else if (op == "le")
			v = r <= k * o ? "PASS" : "MISS"
		else
			v = r >= k * o ? "PASS" : "MISS"
		printf "  %-56s %s\n", l, v
	}'
}

echo
printf '%-26s%12s%12s%12s%16s%14s\n' "" floor racktop ts-sdk \
    racktop/floor racktop/ts
row "seq p50 (us)" "${floor_p50:-}" "${racktop_p50:-}" "${ts_p50:-}" "%.1f"
row "seq p99 (us)" "${floor_p99:-}" "${racktop_p99:-}" "${ts_p99:-}" "%.1f"
row "tput 1 conn (calls/s)" "${floor_tput1:-}" "${racktop_tput1:-}" \
    "${ts_tput1:-}" "%.0f"
row "tput 8 conns (calls/s)" "${floor_tput8:-}" "${racktop_tput8:-}" \
    "${ts_tput8:-}" "%.0f"
row "tput 64 conns (calls/s)" "${floor_tput64:-}" "${racktop_tput64:-}" \
    "${ts_tput64:-}" "%.0f"
row "RSS 64 idle, fresh (MB)" "${floor_rss_fresh:-}" "${racktop_rss_fresh:-}" \
    "${ts_rss_fresh:-}" "%.1f"
row "RSS 64 idle, loaded (MB)" "${floor_rss_load:-}" "${racktop_rss_load:-}" \
    "${ts_rss_load:-}" "%.1f"

echo
echo "targets (issue 3; information only):"
target "seq p50 within 1.5x of the floor" "${racktop_p50:-}" \
    "${floor_p50:-}" 1.5 le
target ">= 100,000 calls/s with 8 connections" "${racktop_tput8:-}" \
    100000 1 ge
target ">= 5x the TypeScript SDK server (8 connections)" \
    "${racktop_tput8:-}" "${ts_tput8:-}" 5 ge
target "RSS <= 16 MB with 64 idle connections (after the load)" \
    "${racktop_rss_load:-}" 16 1 le

# The dashboard's own benchmark (issue 10); BENCH_NO_UI=1 skips it.
if [ "${BENCH_NO_UI:-0}" != 1 ]; then
	echo
	sh "$srcdir/bench/bench-ui.sh" "$builddir" || failed=1
fi

if [ "$failed" -ne 0 ]; then
	echo "bench: some measurements failed to run (see above)" >&2
	exit 1
fi
exit 0
