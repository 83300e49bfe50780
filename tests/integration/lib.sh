# Shared helpers for the integration scripts (POSIX sh).
# Each script gets its own temporary folder, removed on exit.

: "${RACKTOP:?RACKTOP must name the built racktop binary}"
: "${RT_TIMEOUT_SCALE:=1}"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/rt-it.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap cleanup 0
trap 'exit 1' 1 2 15

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wait_for CMD...: retries CMD every 0.05 s for up to 10 s (scaled).
wait_for() {
	n=$((200 * RT_TIMEOUT_SCALE))
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		n=$((n - 1))
		sleep 0.05
	done
	return 1
}

# listening PATH: a Unix socket listens at PATH (/proc/net/unix, flag
# __SO_ACCEPTCON). The file appears at bind(), a moment before listen():
# a connection in between is refused (seen under valgrind).
listening() {
	awk -v p="$1" '$8 == p && $4 == "00010000" { f = 1 } END { exit !f }' \
	    /proc/net/unix
}

# Starts a background command, remembering its pid for cleanup. RT_WRAP
# and RT_WRAP_SIM, when set, are command prefixes (make ci-extra: valgrind
# and its options) for the long-running programs: RT_WRAP for racktop and
# racktop-testd, RT_WRAP_SIM for racktop-sim. The pid stays the
# program's (valgrind runs it in its own process).
start_bg() {
	case $1 in
	"$RACKTOP" | "${RACKTOP_TESTD:-}") _rt_w=${RT_WRAP:-} ;;
	"${RACKTOP_SIM:-}") _rt_w=${RT_WRAP_SIM:-} ;;
	*) _rt_w= ;;
	esac
	# shellcheck disable=SC2086
	[ -z "$_rt_w" ] || set -- $_rt_w "$@"
	"$@" &
	PIDS="$PIDS $!"
}
