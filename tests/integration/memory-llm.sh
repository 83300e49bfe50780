#!/bin/bash
# The memory's configured model paths offline: an OpenAI-compatible
# /v1/embeddings embedder and memory_summarize through OpenAI-compatible
# chat and Anthropic Messages, all served by racktop-sim, against a
# throwaway PostgreSQL (real[] path: the embedder is what is tested here).
. "${srcdir:-.}/tests/integration/lib.sh"
. "${srcdir:-.}/tests/integration/memory-lib.sh"

: "${RACKTOP_SIM:?RACKTOP_SIM must name the built racktop-sim}"
pg_start
start_bg "$RACKTOP_SIM" --services llm --endpoints "$TMPD/sim.json"
wait_for test -s "$TMPD/sim.json" || fail "racktop-sim did not start"
URL=$(jq -r .llm.url "$TMPD/sim.json")
KEY=$(jq -r .llm.api_key "$TMPD/sim.json")
pg_sql postgres "CREATE DATABASE memllm" || fail createdb

# conf FILE EXTRA...: a memory instance on memllm with extra lines.
conf() {
	f=$1
	shift
	(umask 077; { printf '[memory "main"]\nconninfo = %s dbname=memllm\n' \
	    "$PG_CONN"; printf 'vector = array\n'; printf '%s\n' "$@"; } >"$f")
}
call() {
	"$RACKTOP" --config "$CONF" --socket "$TMPD/none.sock" call "$@" \
	    >"$TMPD/out" 2>"$TMPD/err"
}
jqo() {
	jq -r "$1" "$TMPD/out"
}

CONF=$TMPD/openai.conf
conf "$CONF" "embed_url = $URL/v1" "embed_model = sim-embed" \
    "api_key = $KEY" "llm_url = $URL" "llm_model = sim-chat"
call memory_add content="Reboot pve2 only on weekends" ||
    fail "add: $(cat "$TMPD/err")"
call memory_add content="The office printer has address 192.168.1.40" ||
    fail "add 2"
[ "$(pg_sql memllm "SELECT value FROM racktop.memory_settings WHERE key = 'embedder'")" = openai:sim-embed ] ||
    fail "embedder not recorded"
[ "$(pg_sql memllm "SELECT value FROM racktop.memory_settings WHERE key = 'dims'")" = 256 ] ||
    fail "width not asked from the endpoint"
# The endpoint's model knows restart = reboot; the built-in one does not.
call memory_search query="when can we restart pve2" limit=1 || fail search
jqo '.items[0].memory' | grep -q "Reboot pve2" || fail "search: $(cat "$TMPD/out")"
call memory_summarize || fail "summarize: $(cat "$TMPD/err")"
[ "$(jqo .method)" = llm ] || fail "not the LLM: $(cat "$TMPD/out")"
jqo .summary | grep -q "^Summary: .*Reboot pve2 only on weekends" ||
    fail "chat summary: $(jqo .summary)"

CONF=$TMPD/anthropic.conf
conf "$CONF" "embed_url = $URL" "embed_model = sim-embed" "embed_dims = 256" \
    "api_key = $KEY" "llm_url = $URL" "llm_model = sim-chat" "llm_api = anthropic"
call memory_summarize || fail "summarize (anthropic): $(cat "$TMPD/err")"
[ "$(jqo .method)" = llm ] || fail "anthropic method"
jqo .summary | grep -q "office printer" || fail "messages summary: $(jqo .summary)"

# A wrong key is an error that never shows the key.
CONF=$TMPD/badkey.conf
conf "$CONF" "embed_url = $URL" "embed_model = sim-embed" "embed_dims = 256" \
    "api_key = not-the-key-123"
call memory_add content="x" && fail "bad key accepted"
grep -q "HTTP 401" "$TMPD/err" || fail "bad key message: $(cat "$TMPD/err")"
grep -q "not-the-key-123" "$TMPD/err" "$TMPD/out" && fail "key leaked"

# An embedding server that is down keeps nothing else from starting;
# the memory tools say what is wrong.
CONF=$TMPD/down.conf
conf "$CONF" "embed_url = http://127.0.0.1:1" "embed_model = m"
"$RACKTOP" --config "$CONF" tools >/dev/null || fail "racktop refused to start"
call memory_list && fail "down endpoint ignored"
grep -q "embedding endpoint" "$TMPD/err" || fail "down message: $(cat "$TMPD/err")"

# Another embedder on the same store is refused, never mixed.
CONF=$TMPD/builtin.conf
conf "$CONF"
call memory_list && fail "mixed embedders accepted"
grep -q "embedded with openai:sim-embed" "$TMPD/err" ||
    fail "mismatch message: $(cat "$TMPD/err")"
# The command re-embeds them; then the built-in embedder works.
call memory_reembed dry_run=true || fail "reembed preview: $(cat "$TMPD/err")"
[ "$(jqo .status)" = dry_run ] || fail "preview"
call memory_reembed || fail "reembed: $(cat "$TMPD/err")"
[ "$(jqo .count)" = 2 ] && [ "$(jqo .dims)" = 384 ] ||
    fail "reembed result: $(cat "$TMPD/out")"
call memory_search query="office printer address" limit=1 || fail "search after reembed"
jqo '.items[0].memory' | grep -q printer || fail "search after reembed: $(cat "$TMPD/out")"
exit 0
