#!/bin/bash
# Generated documents are current (docs/tools.md, .env.example), and every
# --print-config snippet has its client's shape and, run as the client
# would run it, starts a working MCP bridge to a running racktop.
. "${srcdir:-.}/tests/integration/lib.sh"

"$RACKTOP" --config /dev/null tools --markdown >"$TMPD/tools.md" ||
    fail "tools --markdown"
diff -u "$srcdir/docs/tools.md" "$TMPD/tools.md" >"$TMPD/diff" ||
    fail "docs/tools.md is stale (make -C build update-docs): $(head -20 "$TMPD/diff")"
"$RACKTOP" env-example >"$TMPD/env" || fail "env-example"
diff -u "$srcdir/.env.example" "$TMPD/env" >"$TMPD/diff" ||
    fail ".env.example is stale (make -C build update-docs): $(head -20 "$TMPD/diff")"
# Every tool of the catalog has its section.
for t in $("$RACKTOP" --config /dev/null tools --json | jq -r '.[].name'); do
	grep -q "^### \`$t\`\$" "$TMPD/tools.md" || fail "no section for $t"
done

: >"$TMPD/empty.conf"
S=$TMPD/run/mcp.sock
start_bg "$RACKTOP" --headless --config "$TMPD/empty.conf" --socket "$S"
wait_for test -S "$S" || fail "socket did not appear"
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"docs-test","version":"1"}}}'

# Runs command "$@" as an MCP client would and checks it answers initialize.
check_runs() {
	printf '%s\n' "$init" | timeout $((10 * RT_TIMEOUT_SCALE)) "$@" \
	    >"$TMPD/run.out" 2>"$TMPD/run.err" ||
	    fail "$1 ${*:2}: exit $?: $(cat "$TMPD/run.err")"
	jq -e 'select(.id == 1) | .result.serverInfo.name == "racktop"' \
	    "$TMPD/run.out" >/dev/null ||
	    fail "$*: no initialize result: $(cat "$TMPD/run.out")"
}

pc() {
	"$RACKTOP" mcp --print-config "$1" --config "$TMPD/empty.conf" \
	    --socket "$S"
}

# Claude Desktop and Cursor: {"mcpServers": {"racktop": {command, args}}}.
for c in claude-desktop cursor; do
	pc "$c" >"$TMPD/$c.json" || fail "--print-config $c"
	jq -e '(.mcpServers | keys) == ["racktop"] and
	    (.mcpServers.racktop.command | type == "string" and startswith("/")) and
	    (.mcpServers.racktop.args | type == "array" and all(type == "string"))' \
	    "$TMPD/$c.json" >/dev/null || fail "$c shape: $(cat "$TMPD/$c.json")"
	mapfile -t argv < <(jq -r '.mcpServers.racktop | .command, .args[]' \
	    "$TMPD/$c.json")
	check_runs "${argv[@]}"
done

# Claude Code: `claude mcp add [--transport stdio] NAME -- COMMAND ARGS...`.
pc claude-code >"$TMPD/cc" || fail "--print-config claude-code"
[ "$(wc -l <"$TMPD/cc")" -eq 1 ] || fail "claude-code: one line expected"
eval "set -- $(cat "$TMPD/cc")"
[ "$1 $2 $3" = "claude mcp add" ] || fail "claude-code: $(cat "$TMPD/cc")"
shift 3
[ "$1" = "--transport" ] && { [ "$2" = stdio ] || fail "transport $2"; shift 2; }
[ "$1" = racktop ] && [ "$2" = -- ] || fail "claude-code name: $(cat "$TMPD/cc")"
shift 2
check_runs "$@"

# Codex: a [mcp_servers.racktop] TOML table, read by a TOML parser.
pc codex >"$TMPD/codex.toml" || fail "--print-config codex"
if command -v python3 >/dev/null && python3 -c 'import tomllib' 2>/dev/null; then
	python3 -c '
import sys, tomllib
t = tomllib.load(open(sys.argv[1], "rb"))
s = t["mcp_servers"]["racktop"]
assert set(t) == {"mcp_servers"} and set(s) == {"command", "args"}, t
assert isinstance(s["command"], str) and all(isinstance(a, str) for a in s["args"])
print(s["command"]); [print(a) for a in s["args"]]
' "$TMPD/codex.toml" >"$TMPD/codex.argv" 2>"$TMPD/codex.err" ||
	    fail "codex TOML: $(cat "$TMPD/codex.err") in $(cat "$TMPD/codex.toml")"
	mapfile -t argv <"$TMPD/codex.argv"
	check_runs "${argv[@]}"
else
	grep -q '^\[mcp_servers\.racktop\]$' "$TMPD/codex.toml" ||
	    fail "codex table: $(cat "$TMPD/codex.toml")"
fi

"$RACKTOP" mcp --print-config nosuch >/dev/null 2>"$TMPD/err" &&
    fail "unknown client accepted"
grep -q "claude-desktop" "$TMPD/err" || fail "unknown client message"
exit 0
