#!/bin/bash
# racktop --demo with PostgreSQL's server binaries installed: a throwaway
# cluster serves the memory tools, and it goes away with racktop, even
# after SIGKILL, leaving no folder behind.
. "${srcdir:-.}/tests/integration/lib.sh"
. "${srcdir:-.}/tests/integration/memory-lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
export RACKTOP_SIM
if [ -z "$PG_BIN" ]; then
	echo "SKIP: no PostgreSQL server binaries"
	exit 77
fi
XDG_RUNTIME_DIR=$TMPD/run
TMPDIR=$TMPD/tmp
export XDG_RUNTIME_DIR TMPDIR
mkdir -m 700 "$XDG_RUNTIME_DIR"
mkdir -m 755 "$TMPDIR"
chmod 755 "$TMPD"
S=$TMPD/s.sock

added() {
	"$RACKTOP" call --socket "$S" memory_add \
	    content="The demo lab's NAS is backed up nightly" >"$TMPD/out" 2>&1
}
no_cluster() {
	[ -z "$(ls -A "$TMPDIR")" ]
}

for how in TERM KILL; do
	"$RACKTOP" --demo --headless --socket "$S" 2>"$TMPD/demo.log" &
	P=$!
	PIDS="$PIDS $P"
	wait_for test -S "$S" || fail "demo socket: $(cat "$TMPD/demo.log")"
	ls -d "$TMPDIR"/racktop-demo-pg.* >/dev/null 2>&1 || fail "no cluster folder"
	wait_for added || fail "memory_add in the demo: $(cat "$TMPD/out")"
	"$RACKTOP" call --socket "$S" memory_search query="nas backup" >"$TMPD/out" ||
	    fail "search: $(cat "$TMPD/out")"
	jq -e '.items[0].memory | test("NAS")' "$TMPD/out" >/dev/null ||
	    fail "search result: $(cat "$TMPD/out")"
	kill -"$how" "$P"
	wait "$P" 2>/dev/null
	wait_for no_cluster || fail "SIG$how left the cluster: $(ls -A "$TMPDIR")"
	rm -f "$S"
done
exit 0
