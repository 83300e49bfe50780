#!/bin/sh
# The MCP tests with the official TypeScript SDK (tests/mcp/): racktop-testd
# and racktop, straight over the socket and through `racktop mcp`. Skipped
# (77) without node and npm, unless CI=true.
: "${srcdir:?}" "${RACKTOP:?}" "${RACKTOP_TESTD:?}"
exec sh "$srcdir/tests/mcp/run.sh"
