#!/bin/sh
# MCP over Streamable HTTP: racktop's own listener as configured in
# racktop.conf (token file checks, loopback only, the bearer token,
# Origin, sessions, the 2026-07-28 headers), then the official conformance
# suite against racktop-conformance (tests/conformance/run.sh; skipped,
# 77, without node and npm unless CI=true). The SDK clients over HTTP are
# tests/mcp/http.test.mjs (mcp-sdk.sh).
: "${srcdir:?}" "${RACKTOP:?}" "${RACKTOP_CONFORMANCE:?}"
. "$srcdir/tests/integration/lib.sh"

command -v curl >/dev/null 2>&1 || fail "curl is needed"
command -v jq >/dev/null 2>&1 || fail "jq is needed"

TOKEN=conformance-token-0123456789
printf '# name token\nagent-a %s\n' "$TOKEN" >"$TMPD/tokens"
chmod 600 "$TMPD/tokens"

# start_racktop CONF: racktop headless with CONF; sets PORT (or fails).
start_racktop() {
	: >"$TMPD/log"
	start_bg env XDG_RUNTIME_DIR="$TMPD" HOME="$TMPD" "$RACKTOP" --headless \
	    --socket "$TMPD/mcp.sock" --config "$1" 2>"$TMPD/log"
	RT_PID=$!
	wait_for grep -q 'listening on' "$TMPD/log" || fail "racktop did not start: $(cat "$TMPD/log")"
}
# Stops it; a clean exit is 0.
stop_racktop() {
	kill "$RT_PID" 2>/dev/null
	wait "$RT_PID"
	st=$?
	[ $st = 0 ] || fail "racktop exited $st at SIGTERM: $(tail -5 "$TMPD/log")"
}

conf() {
	printf '[racktop]\n%s\n' "$1" >"$TMPD/racktop.conf"
	chmod 600 "$TMPD/racktop.conf"
}

# refused MESSAGE: racktop with racktop.conf stops at start (exit 2),
# saying MESSAGE on stderr.
refused() {
	XDG_RUNTIME_DIR="$TMPD" HOME="$TMPD" "$RACKTOP" --headless \
	    --socket "$TMPD/mcp.sock" --config "$TMPD/racktop.conf" 2>"$TMPD/err"
	st=$?
	[ $st = 2 ] || fail "racktop exited $st, not 2 (want: $1)"
	grep -q "$1" "$TMPD/err" || fail "no \"$1\" in: $(cat "$TMPD/err")"
}

# A token file readable by others is refused, with a clear error.
chmod 644 "$TMPD/tokens"
conf "http_listen = 127.0.0.1:0
http_token_file = $TMPD/tokens"
refused 'http_token_file.*mode 0600'
chmod 600 "$TMPD/tokens"
conf "http_listen = 127.0.0.1:0"
refused 'http_listen needs http_token_file'

# A non-loopback address needs http_allow_remote.
conf "http_listen = 0.0.0.0:0
http_token_file = $TMPD/tokens"
refused 'not a loopback address'
conf "http_listen = 0.0.0.0:0
http_token_file = $TMPD/tokens
http_allow_remote = yes"
start_racktop "$TMPD/racktop.conf"
wait_for grep -q 'which is not loopback' "$TMPD/log" || fail "no warning for a remote listener: $(cat "$TMPD/log")"
stop_racktop

# The real thing, on loopback.
conf "http_listen = 127.0.0.1:0
http_token_file = $TMPD/tokens
audit_log = $TMPD/audit.log"
start_racktop "$TMPD/racktop.conf"
wait_for grep -q 'mcp over http' "$TMPD/log" || fail "no HTTP listener: $(cat "$TMPD/log")"
PORT=$(sed -n 's/.*mcp over http on .*(port \([0-9]*\)).*/\1/p' "$TMPD/log")
[ -n "$PORT" ] || fail "no port in the log"
URL=http://127.0.0.1:$PORT/mcp
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}'

# post OUT BODY [curl args...]: the status on stdout, headers and body in OUT.*
post() {
	out=$1
	body=$2
	shift 2
	curl -s -o "$out.body" -D "$out.head" -w '%{http_code}' \
	    -H 'Content-Type: application/json' \
	    -H 'Accept: application/json, text/event-stream' "$@" \
	    --data-binary "$body" "$URL"
}
AUTH="Authorization: Bearer $TOKEN"

st=$(post "$TMPD/r" "$INIT")
[ "$st" = 401 ] || fail "no token: got $st, want 401"
grep -qi '^WWW-Authenticate: Bearer' "$TMPD/r.head" || fail "401 without WWW-Authenticate"
st=$(post "$TMPD/r" "$INIT" -H 'Authorization: Bearer wrong-token-0123456789')
[ "$st" = 401 ] || fail "wrong token: got $st, want 401"
grep -q 'wrong bearer token' "$TMPD/log" || fail "a wrong token was not logged"
grep -q "wrong-token-0123456789" "$TMPD/log" && fail "the log holds the token sent"
st=$(post "$TMPD/r" "$INIT" -H "$AUTH" -H 'Origin: http://evil.example')
[ "$st" = 403 ] || fail "a foreign Origin: got $st, want 403"
st=$(post "$TMPD/r" "$INIT" -H "$AUTH" -H 'Host: evil.example')
[ "$st" = 403 ] || fail "a foreign Host: got $st, want 403"

st=$(post "$TMPD/r" "$INIT" -H "$AUTH" -H "Origin: http://localhost:$PORT")
[ "$st" = 200 ] || fail "initialize: got $st: $(cat "$TMPD/r.body")"
jq -e '.result.protocolVersion == "2025-11-25"' "$TMPD/r.body" >/dev/null || fail "initialize result: $(cat "$TMPD/r.body")"
SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-f]*\).*/\1/p' "$TMPD/r.head")
[ ${#SID} = 32 ] || fail "no Mcp-Session-Id: $(cat "$TMPD/r.head")"
S="Mcp-Session-Id: $SID"
st=$(post "$TMPD/r" '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "$AUTH" -H "$S")
[ "$st" = 202 ] || fail "a notification: got $st, want 202"
st=$(post "$TMPD/r" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"racktop_status","arguments":{}}}' -H "$AUTH" -H "$S")
[ "$st" = 200 ] || fail "tools/call: got $st"
grep -q '"id":2,"result"' "$TMPD/r.body" || fail "tools/call: $(cat "$TMPD/r.body")"
# Without the session: 400; another token cannot use it either.
st=$(post "$TMPD/r" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}' -H "$AUTH")
[ "$st" = 400 ] || fail "no session id: got $st, want 400"
st=$(post "$TMPD/r" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}' -H "$AUTH" -H 'MCP-Protocol-Version: 1999-01-01' -H "$S")
[ "$st" = 400 ] || fail "an unknown MCP-Protocol-Version: got $st, want 400"
# Over max_message (default 4 MiB): 413.
head -c 5000000 /dev/zero | tr '\0' ' ' >"$TMPD/big"
st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H "$AUTH" -H "$S" \
    --data-binary @"$TMPD/big" "$URL")
[ "$st" = 413 ] || fail "a 5 MB body: got $st, want 413"
# DELETE ends the session: it is gone for good.
st=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "$AUTH" -H "$S" "$URL")
[ "$st" = 200 ] || fail "DELETE: got $st"
st=$(post "$TMPD/r" '{"jsonrpc":"2.0","id":4,"method":"tools/list"}' -H "$AUTH" -H "$S")
[ "$st" = 404 ] || fail "a deleted session: got $st, want 404"
# The 2024-11-05 HTTP+SSE transport is not served.
st=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$PORT/sse")
[ "$st" = 404 ] || fail "/sse: got $st, want 404"

# 2026-07-28: sessionless, headers checked against the body.
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"sh","version":"1"}}'
MV='MCP-Protocol-Version: 2026-07-28'
st=$(post "$TMPD/r" "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"racktop_status\",\"arguments\":{},$META}}" \
    -H "$AUTH" -H "$MV" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: racktop_status')
[ "$st" = 200 ] || fail "modern tools/call: got $st: $(cat "$TMPD/r.body")"
grep -q '"resultType":"complete"' "$TMPD/r.body" || fail "modern result: $(cat "$TMPD/r.body")"
grep -qi '^Mcp-Session-Id' "$TMPD/r.head" && fail "a 2026-07-28 answer minted a session"
# Base64 sentinel form of the same name.
st=$(post "$TMPD/r" "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"racktop_status\",\"arguments\":{},$META}}" \
    -H "$AUTH" -H "$MV" -H 'Mcp-Method: tools/call' -H "Mcp-Name: =?base64?$(printf racktop_status | base64)?=")
[ "$st" = 200 ] || fail "a base64 Mcp-Name: got $st: $(cat "$TMPD/r.body")"
for h in 'Mcp-Name: racktop_other' 'Mcp-Method: tools/list' ''; do
	st=$(post "$TMPD/r" "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"racktop_status\",\"arguments\":{},$META}}" \
	    -H "$AUTH" -H "$MV" -H 'Mcp-Method: tools/call' ${h:+-H "$h"})
	[ "$st" = 400 ] || fail "header \"$h\": got $st, want 400"
	jq -e '.error.code == -32020 and .id == 7' "$TMPD/r.body" >/dev/null || fail "header \"$h\": $(cat "$TMPD/r.body")"
done
st=$(post "$TMPD/r" "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":{$META}}" \
    -H "$AUTH" -H 'MCP-Protocol-Version: 2025-11-25' -H 'Mcp-Method: tools/list')
[ "$st" = 400 ] || fail "header version != body version: got $st"
jq -e '.error.code == -32020' "$TMPD/r.body" >/dev/null || fail "version mismatch: $(cat "$TMPD/r.body")"
st=$(post "$TMPD/r" "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"no/such\",\"params\":{$META}}" \
    -H "$AUTH" -H "$MV" -H 'Mcp-Method: no/such')
[ "$st" = 404 ] || fail "an unknown method: got $st, want 404"
jq -e '.error.code == -32601' "$TMPD/r.body" >/dev/null || fail "unknown method: $(cat "$TMPD/r.body")"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Accept: text/event-stream' "$URL")
[ "$st" = 405 ] || fail "GET without a session: got $st, want 405"
grep -q "$TOKEN" "$TMPD/log" && fail "the log holds the token"
stop_racktop
# Identity in the audit log (reads are counted, written at exit): the
# token's name, never the token.
grep -q 'http-token:agent-a' "$TMPD/audit.log" || fail "the audit log does not name the token: $(cat "$TMPD/audit.log")"
grep -q "$TOKEN" "$TMPD/audit.log" && fail "the audit log holds the token"

# http_socket: the same endpoint on a Unix socket, by uid, no token; a
# 2025-03-26 session answers a batch (with a tool call) as one array.
conf "http_socket = $TMPD/http.sock"
start_racktop "$TMPD/racktop.conf"
wait_for grep -q 'mcp over http on unix:' "$TMPD/log" || fail "no HTTP socket: $(cat "$TMPD/log")"
[ "$(stat -c %a "$TMPD/http.sock")" = 600 ] || fail "the HTTP socket is not 0600"
U="--unix-socket $TMPD/http.sock"
URL=http://localhost/mcp
INIT03='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}'
st=$(post "$TMPD/r" "$INIT03" $U)
[ "$st" = 200 ] || fail "initialize over the Unix socket: got $st: $(cat "$TMPD/r.body")"
SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-f]*\).*/\1/p' "$TMPD/r.head")
st=$(post "$TMPD/r" '[{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"racktop_status","arguments":{}}},{"jsonrpc":"2.0","id":"b","method":"ping"}]' \
    $U -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-03-26')
[ "$st" = 200 ] || fail "a batch: got $st"
sed -n 's/^data: //p' "$TMPD/r.body" | grep '^\[' >"$TMPD/batch" || cp "$TMPD/r.body" "$TMPD/batch"
jq -e 'length == 2 and (map(.id) | sort) == ["a","b"]' "$TMPD/batch" >/dev/null || fail "batch replies: $(cat "$TMPD/r.body")"
stop_racktop
grep -q 'http-token\|Sanitizer' "$TMPD/log" && fail "unexpected: $(cat "$TMPD/log")"

exec sh "$srcdir/tests/conformance/run.sh"
