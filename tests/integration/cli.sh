#!/bin/sh
# The front doors: --version, --help, tools, a bad config, and `racktop
# call` both through a running racktop and in lazy mode.
. "${srcdir:-.}/tests/integration/lib.sh"

$RACKTOP --version | grep -q '^racktop [0-9]' || fail "--version"
$RACKTOP --help | grep -q 'racktop call TOOL' || fail "--help"
$RACKTOP tools | grep -q '^racktop_status' || fail "tools"
$RACKTOP tools --json >"$TMPD/tools.json" || fail "tools --json"
grep -q '"name": "racktop_status"' "$TMPD/tools.json" || fail "tools --json name"
grep -q '"outputSchema"' "$TMPD/tools.json" || fail "tools --json outputSchema"
grep -q '"readOnlyHint": true' "$TMPD/tools.json" || fail "tools --json annotations"

# A broken config fails with file:line: reason, before anything starts.
printf '[racktop]\nworkers = 2\n\n[proxmox "Bad Name"]\n' >"$TMPD/bad.conf"
$RACKTOP --config "$TMPD/bad.conf" tools >"$TMPD/out" 2>"$TMPD/err" &&
    fail "bad config accepted"
grep -q "^racktop: $TMPD/bad.conf:4: " "$TMPD/err" ||
    fail "bad config message: $(cat "$TMPD/err")"
# Global options are accepted after the mode word too.
$RACKTOP tools --config "$TMPD/bad.conf" >/dev/null 2>&1 &&
    fail "option after mode ignored"
$RACKTOP --config "$TMPD/missing.conf" tools 2>"$TMPD/err" &&
    fail "missing config accepted"
grep -q "missing.conf" "$TMPD/err" || fail "missing config message"

# Usage errors exit 2.
$RACKTOP call >/dev/null 2>&1
[ $? -eq 2 ] || fail "call without tool should exit 2"
$RACKTOP --config /dev/null call no_such_tool >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown tool should exit 2"

: >"$TMPD/empty.conf"
# Lazy mode: nothing listens, the call runs in this process.
$RACKTOP --config "$TMPD/empty.conf" --socket "$TMPD/none.sock" \
    call racktop_status >"$TMPD/lazy.json" || fail "lazy call"
grep -q '"total": 0' "$TMPD/lazy.json" || fail "lazy result: $(cat "$TMPD/lazy.json")"
# An invalid argument is a tool error (exit 1) naming the field.
$RACKTOP --config "$TMPD/empty.conf" --socket "$TMPD/none.sock" \
    call racktop_status limit=0 2>"$TMPD/err"
[ $? -eq 1 ] || fail "invalid argument should exit 1"
grep -q 'arguments.limit' "$TMPD/err" || fail "invalid argument message"

# Through a running headless racktop.
S=$TMPD/run/mcp.sock
start_bg $RACKTOP --headless --config "$TMPD/empty.conf" --socket "$S"
wait_for test -S "$S" || fail "socket did not appear"
[ "$(stat -c %a "$S")" = 600 ] || fail "socket mode $(stat -c %a "$S")"
[ "$(stat -c %a "$TMPD/run")" = 700 ] || fail "folder mode"
$RACKTOP --socket "$S" --config "$TMPD/empty.conf" call racktop_status \
    --json '{"limit": 5}' >"$TMPD/out.json" || fail "socket call"
grep -q '"items": \[\]' "$TMPD/out.json" || fail "socket result: $(cat "$TMPD/out.json")"
# A second racktop on the same socket says so and exits.
$RACKTOP --headless --config "$TMPD/empty.conf" --socket "$S" 2>"$TMPD/err" &&
    fail "second racktop started"
grep -q "another racktop" "$TMPD/err" || fail "second racktop message: $(cat "$TMPD/err")"

# The server's limits come from the configuration: a line over max_message
# gets the oversized-message error, then the connection closes.
printf '[racktop]\nmax_message = 2048\n' >"$TMPD/small.conf"
S2=$TMPD/run2/mcp.sock
start_bg $RACKTOP --headless --config "$TMPD/small.conf" --socket "$S2"
wait_for test -S "$S2" || fail "second socket did not appear"
pad=$(head -c 3000 /dev/zero | tr '\0' x)
printf '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"%s"}}\n' "$pad" |
    socat -t 5 - "UNIX-CONNECT:$S2" >"$TMPD/big.out" 2>&1
grep -q '"code":-32600' "$TMPD/big.out" ||
    fail "max_message not applied: $(head -c 300 "$TMPD/big.out")"
grep -q '2048' "$TMPD/big.out" || fail "limit not named: $(cat "$TMPD/big.out")"
exit 0
