#!/bin/bash
# The memory_* tools end to end: `racktop call` through a running
# `racktop --headless` against a throwaway PostgreSQL, on both storage
# paths (pgvector, and real[] forced with vector = array). Two callers
# are two executables (copies of bash), told apart by their verified
# identity; a server restart in between is survived.
. "${srcdir:-.}/tests/integration/lib.sh"
. "${srcdir:-.}/tests/integration/memory-lib.sh"

command -v jq >/dev/null || fail "jq is required"
pg_start
cp "$(command -v bash)" "$TMPD/agent-a"
cp "$(command -v bash)" "$TMPD/agent-b"

paths="array"
if pg_has_vector; then
	paths="pgvector array"
elif [ -n "${CI:-}" ]; then
	fail "pgvector is not installed (scripts/ci-deps/postgres.sh)"
else
	echo "SKIP pgvector path: extension not installed"
fi

# as AGENT TOOL ARGS...: a call made by that executable; output in $OUT.
as() {
	who=$1
	shift
	# "; :" keeps the agent's shell alive as the CLI's parent.
	"$TMPD/$who" -c '"$@"; rc=$?; : ; exit $rc' sh \
	    "$RACKTOP" --config "$CONF" --socket "$S" call "$@" \
	    >"$TMPD/out" 2>"$TMPD/err"
}
ok() {
	as "$@" || fail "$*: $(cat "$TMPD/err")"
}
jqo() {
	jq -r "$1" "$TMPD/out"
}

for path in $paths; do
	echo "--- $path"
	db=mem_$path
	pg_sql postgres "CREATE DATABASE $db" || fail "createdb"
	CONF=$TMPD/$path.conf
	S=$TMPD/$path.sock
	(umask 077; printf '[memory "main"]\nconninfo = %s dbname=%s\nvector = %s\n' \
	    "$PG_CONN" "$db" "$path" >"$CONF")
	start_bg "$RACKTOP" --headless --config "$CONF" --socket "$S"
	pid=$!
	wait_for test -S "$S" || fail "socket did not appear"

	ok agent-a memory_add content="VM 101 on pve1 runs Home Assistant" \
	    entity=pve:qemu/101 user_id=alice
	[ "$(jqo .event)" = ADD ] || fail "add: $(cat "$TMPD/out")"
	[ "$(jqo .item.agent_id)" = agent-a ] || fail "scope: $(jqo .item.agent_id)"
	id=$(jqo .id)
	ok agent-a memory_add --json '{"content":"The guest Wi-Fi is VLAN 30",
	    "metadata":{"topic":"network"}}'
	ok agent-a memory_add content="VM 101 on pve1 runs Home Assistant OS" \
	    user_id=alice
	[ "$(jqo .event)" = UPDATE ] || fail "near-duplicate: $(cat "$TMPD/out")"
	[ "$(jqo .id)" = "$id" ] || fail "near-duplicate changed the id"
	jqo .message | grep -q similar || fail "dedup not said: $(jqo .message)"

	ok agent-a memory_search query="which VM runs home assistant"
	[ "$(jqo '.items[0].id')" = "$id" ] || fail "search: $(cat "$TMPD/out")"
	jqo '.items[0].score' | grep -q '^0\.[0-9]' || fail "no score"
	ok agent-a memory_search query="network" --json '{"filters":{"metadata":{"topic":"network"}}}'
	[ "$(jqo '.items | length')" = 1 ] || fail "metadata filter"
	ok agent-a memory_list limit=1
	[ "$(jqo .total)" = 2 ] && [ "$(jqo .next_cursor)" = 1 ] ||
	    fail "list: $(cat "$TMPD/out")"
	ok agent-a memory_list entity=pve:qemu/101
	[ "$(jqo .total)" = 1 ] || fail "entity filter"
	ok agent-a memory_update memory_id="$id" content="VM 101 runs Home Assistant 2026.11"
	ok agent-a memory_get memory_id="$id"
	[ "$(jqo .memory)" = "VM 101 runs Home Assistant 2026.11" ] || fail "get"
	ok agent-a memory_history memory_id="$id"
	[ "$(jqo '[.items[].event] | join(",")')" = "ADD,UPDATE,UPDATE" ] ||
	    fail "history: $(cat "$TMPD/out")"
	ok agent-a memory_summarize
	[ "$(jqo .method)" = extractive ] && [ "$(jqo .count)" = 2 ] ||
	    fail "summarize: $(cat "$TMPD/out")"

	# Isolation: agent-b neither sees nor may name agent-a's scope.
	ok agent-b memory_list
	[ "$(jqo .total)" = 0 ] || fail "agent-b sees agent-a's memories"
	as agent-b memory_list agent_id=agent-a
	[ $? -eq 1 ] || fail "foreign scope should be a tool error"
	grep -q "not a scope this caller may use" "$TMPD/err" ||
	    fail "foreign scope message: $(cat "$TMPD/err")"
	as agent-b memory_delete memory_id="$id" && fail "agent-b deleted it"
	ok agent-b memory_add content="Maintenance window is Sunday 06:00" agent_id=shared
	ok agent-a memory_search query="maintenance window"
	[ "$(jqo '.items[0].agent_id')" = shared ] || fail "shared scope"

	# PostgreSQL restarts; the next call reconnects.
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >/dev/null ||
	    fail "restart"
	ok agent-a memory_delete memory_id="$id"
	[ "$(jqo .event)" = DELETE ] || fail "delete"
	as agent-a memory_get memory_id="$id" && fail "deleted memory still read"
	ok agent-a memory_history memory_id="$id"
	[ "$(jqo '.items[-1].event')" = DELETE ] || fail "delete not in history"
	[ "$(pg_sql "$db" "SELECT count(*) FROM racktop.memories")" = 3 ] ||
	    fail "soft delete removed the row"

	kill "$pid"
	wait "$pid" 2>/dev/null
done
exit 0
