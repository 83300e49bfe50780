#!/bin/bash
# Portainer backend end to end: racktop --headless against racktop-sim
# through the socket, every portainer_* tool, a slow deployment that sends
# progress heartbeats over MCP before its result, a Docker instance reached
# through Portainer's Docker proxy (url = portainer://INSTANCE/ID), and the
# failure paths: a bad token (never shown), unknown stacks and
# environments, a failing Compose file, upstream 500s, and destructive
# calls refused for an agent that nobody approves.
# Needs RACKTOP and RACKTOP_SIM (paths to the binaries), jq, curl, socat.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
for tool in jq curl socat; do
	command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done

S=$TMPD/sim
mkdir -p "$S"
start_bg "$RACKTOP_SIM" --seed 1 --clock real --services portainer,docker \
    --endpoints "$S/ep.json" >"$S/sim.log" 2>&1
wait_for test -s "$S/ep.json" || { cat "$S/sim.log"; exit 1; }
URL=$(jq -r .portainer.url "$S/ep.json")
TOKEN=$(jq -r .portainer.token "$S/ep.json")
CTL=$(jq -r .control "$S/ep.json")

# start_rt DIR TOKEN: a headless racktop with a Docker instance through
# Portainer (its section first: the order must not matter) and [portainer
# "lab"].
start_rt() {
	mkdir -p "$1"
	# A headless racktop holds an agent's destructive call for a
	# dashboard to attach: two seconds, then the refusal.
	(umask 077; printf '[racktop]\napproval_timeout = 2\n[docker "remote"]\nurl = portainer://lab/1\nrefresh = 1\n[portainer "lab"]\nurl = %s\ntoken = %s\nrefresh = 1\ntimeout = 3\n' \
	    "$URL" "$2" >"$1/racktop.conf")
	start_bg "$RACKTOP" --headless --config "$1/racktop.conf" \
	    --socket "$1/s.sock" 2>"$1/rt.log"
	wait_for test -S "$1/s.sock" || { cat "$1/rt.log"; exit 1; }
}

start_rt "$TMPD/ok" "$TOKEN"
T=$TMPD/ok
call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool jq-expr args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && jq -e "$g" "$T/out" >/dev/null 2>&1; then ok "$t $*"
	else fail "$t $*: $(head -c 600 "$T/out") $(head -3 "$T/err")"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then ok "$t $* fails: $g"
	else fail "$t $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }
state() { curl -s -X POST -d "$1" "$CTL/state" >/dev/null; }
count() { curl -s "$CTL/counts" | jq -r --arg k "$1" '.portainer[$k] // 0'; }
api() { curl -s -H "X-API-Key: $TOKEN" "$URL/api$1"; }

# Environments of every type, with their snapshot counts and tags.
expect_ok portainer_list_endpoints '.total == 5 and
    ([.items[] | .type] | sort) == ["agent","azure","docker","edge-agent","kubernetes"] and
    (.items[] | select(.id == 1) | .status == "up" and .engine_version == "27.3.1"
      and .running == 8 and .stopped == 2 and .stacks == 1 and .tags == ["prod"])
    and (.items[] | select(.name == "edge-pi") | .status == "down")
    and (.items[] | select(.name == "k3s") | .engine_version == "v1.30.4+k3s1" and .nodes == 3)'
expect_ok portainer_list_endpoints '.total == 1 and .items[0].name == "k3s"' type=kubernetes
expect_ok portainer_list_endpoints '.total == 1 and .items[0].name == "edge-pi"' status=down
expect_ok portainer_list_endpoints '.total == 1 and .items[0].id == 2' endpoint=2 max_age_s=0

# Stacks.
expect_ok portainer_list_stacks '.total == 3 and (.items[] | select(.name == "media") |
    .status == "inactive" and .endpoint == "nas" and .type == "compose")
    and (.items[] | select(.name == "web") | .type == "kubernetes")'
expect_ok portainer_list_stacks '.total == 1 and .items[0].name == "monitoring"' endpoint=1
expect_ok portainer_list_stacks '.total == 1 and .items[0].name == "media"' status=inactive

# Resource usage per environment.
expect_ok portainer_get_resource_usage '.total == 5 and (.items[] | select(.id == 1) |
    .cpus == 8 and .memory == 34359738368 and .running == 8 and .stopped == 2
    and .images == 10 and .volumes == 6)'
expect_ok portainer_get_resource_usage '.total == 1 and .items[0].name == "nas" and .items[0].cpus == 4' endpoint=2
expect_err portainer_get_resource_usage 'no environment 99' endpoint=99

# A Docker instance through Portainer's Docker proxy, with the token.
p0=$(count 'GET /endpoints/{id}/docker/{*path}')
expect_ok docker_list_containers '.total == 12 and .instance_errors == [] and
    (.items | all(.instance == "remote"))' instance=remote max_age_s=0
p1=$(count 'GET /endpoints/{id}/docker/{*path}')
[ "$p1" -gt "$p0" ] && ok "docker went through /api/endpoints/1/docker ($p0 -> $p1)" ||
    fail "docker did not use the Portainer proxy ($p0 -> $p1)"
expect_ok docker_get_container_logs '.lines | length > 0' instance=remote container=grafana

# Over MCP: a slow deployment sends heartbeats before its result.
: >"$T/mcp.log"
coproc MCP { socat - "UNIX-CONNECT:$T/s.sock"; }
PIDS="$PIDS $MCP_PID"
send() { printf '%s\n' "$1" >&"${MCP[1]}"; }
receive() { # JQ: reads (into mcp.log) until a message matches; bounded
	jq -e -s "any(.[]; $1)" "$T/mcp.log" >/dev/null 2>&1 && return 0
	while IFS= read -r -t $((20 * RT_TIMEOUT_SCALE)) line <&"${MCP[0]}"; do
		printf '%s\n' "$line" >>"$T/mcp.log"
		printf '%s\n' "$line" | jq -e "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}
seen() { jq -e -s "$1" "$T/mcp.log" >/dev/null 2>&1; }
send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"portainer.sh","version":"1"}}}'
receive '.id == 1' || fail "MCP initialize: $(cat "$T/mcp.log")"
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'

# The simulator holds the create 3.5 s (scaled), as Compose would; racktop
# sends a heartbeat a second, so two arrive before the result can.
state '{"service":"portainer","deploy_ms":'$((3500 * RT_TIMEOUT_SCALE))'}'
send '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"portainer_deploy_stack","arguments":{"endpoint":1,"name":"whoami","compose":"services:\n  whoami:\n    image: traefik/whoami\n","env":{"PORT":"8080"}},"_meta":{"progressToken":"d1"}}}'
receive '.method == "notifications/progress" and .params.progressToken == "d1" and .params.progress >= 2' ||
    fail "no heartbeat: $(tail -3 "$T/mcp.log")"
seen '[.[] | select(.id == 2)] | length == 0' &&
    ok "two heartbeats while Portainer's call blocks, no result yet" ||
    fail "the result came before the heartbeats"
receive '.id == 2' || fail "no deploy result: $(tail -3 "$T/mcp.log")"
if seen '.[] | select(.id == 2) | .result.structuredContent |
    .action == "create" and .status == "ok" and .state == "active" and
    .heartbeats >= 2 and .ms >= 2000'; then
	ok "deploy: created after heartbeats"
else
	fail "deploy result: $(grep '"id":2' "$T/mcp.log" | head -c 600)"
fi
seen '[.[] | select(.params.progressToken == "d1") | .params.progress] | . == (sort | unique)' &&
    ok "heartbeats increase" || fail "heartbeats out of order"
SID=$(api /stacks | jq '.[] | select(.Name == "whoami") | .Id')
api "/stacks/$SID" | jq -e '.Env == [{"name":"PORT","value":"8080"}] and .EndpointId == 1' >/dev/null &&
    ok "the stack went up with its environment" || fail "stack $SID: $(api "/stacks/$SID")"
api "/stacks/$SID/file" | jq -e '.StackFileContent | test("traefik/whoami")' >/dev/null &&
    ok "the compose file reached Portainer" || fail "file: $(api "/stacks/$SID/file")"

# An agent's destructive calls wait for an approval nobody gives.
send '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"portainer_remove_stack","arguments":{"stack":'"$SID"'}}}'
receive '.id == 3' || fail "no answer to the agent's remove"
seen '.[] | select(.id == 3) | .result.isError == true and (.result.content[0].text | test("approv"))' &&
    ok "remove_stack refused for an agent without approval" ||
    fail "agent remove: $(grep '"id":3' "$T/mcp.log" | head -c 400)"
send '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"portainer_manage_endpoints","arguments":{"endpoint":5,"action":"remove"}}}'
receive '.id == 4' || fail "no answer to the agent's endpoint removal"
seen '.[] | select(.id == 4) | .result.isError == true and (.result.content[0].text | test("approv"))' &&
    ok "manage_endpoints refused for an agent without approval" ||
    fail "agent manage: $(grep '"id":4' "$T/mcp.log" | head -c 400)"
send '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"portainer_remove_stack","arguments":{"stack":'"$SID"',"dry_run":true}}}'
receive '.id == 5' || fail "no answer to the agent's dry run"
seen '.[] | select(.id == 5) | .result.structuredContent.status == "dry_run"' &&
    ok "an agent's dry run needs no approval" || fail "agent dry run: $(grep '"id":5' "$T/mcp.log" | head -c 400)"
# Cancelling a deployment frees racktop at once (Portainer carries on, as
# its own request does): no result ever comes, and the session still works.
send '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"portainer_deploy_stack","arguments":{"endpoint":2,"name":"cancelled","compose":"services: {}"},"_meta":{"progressToken":"d6"}}}'
receive '.method == "notifications/progress" and .params.progressToken == "d6" and .params.progress >= 1' ||
    fail "no heartbeat before cancelling: $(tail -3 "$T/mcp.log")"
send '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6,"reason":"test"}}'
send '{"jsonrpc":"2.0","id":7,"method":"ping"}'
receive '.id == 7' || fail "no ping answer after cancelling"
seen '[.[] | select(.id == 6)] | length == 0' && ok "a cancelled deployment never answers" ||
    fail "the cancelled deployment answered"
exec {MCP[1]}>&-
api "/stacks/$SID" | jq -e '.Id' >/dev/null && api /endpoints/5 | jq -e '.Id' >/dev/null &&
    ok "nothing was removed for the agent" || fail "the agent removed something"

# Update: same name on the same environment, pulling and pruning.
state '{"service":"portainer","deploy_ms":0}'
pulls=$(count "stack pull")
expect_ok portainer_deploy_stack ".action == \"update\" and .stack_id == $SID and .pull_image and .prune" \
    endpoint=1 name=whoami compose='services: {whoami: {image: "traefik/whoami:v1.10"}}' pull_image=true prune=true
[ "$(count "stack pull")" -eq $((pulls + 1)) ] && ok "the update asked Portainer to pull" ||
    fail "no pull counted"
api "/stacks/$SID/file" | jq -e '.StackFileContent | test("v1.10")' >/dev/null &&
    ok "the update replaced the file" || fail "file after update: $(api "/stacks/$SID/file")"
expect_err portainer_deploy_stack 'HTTP 500: Failed to deploy a stack: compose up' \
    endpoint=1 name=broken compose='services: {x: {image: rt-fail}}'
expect_err portainer_deploy_stack 'HTTP 404: Unable to find an environment' \
    endpoint=99 name=nowhere compose='services: {}'
expect_err portainer_deploy_stack 'arguments.name' endpoint=1 name='Bad Name' compose='services: {}'

# Start and stop, idempotent.
expect_ok portainer_stop_stack ".status == \"ok\" and .state == \"inactive\"" stack="$SID"
expect_ok portainer_stop_stack ".status == \"unchanged\"" stack="$SID"
expect_ok portainer_list_stacks '.items[0].status == "inactive"' name=whoami max_age_s=0
expect_ok portainer_start_stack ".status == \"ok\" and .state == \"active\"" stack="$SID"
expect_ok portainer_start_stack ".status == \"unchanged\"" stack="$SID"
expect_err portainer_start_stack 'portainer lab: no stack 99' stack=99
expect_err portainer_stop_stack 'no stack 99' stack=99

# Remove: a dry run changes nothing; then it goes.
expect_ok portainer_remove_stack ".status == \"dry_run\" and .requests[0].method == \"DELETE\" and
    .requests[0].path == \"/api/stacks/$SID?endpointId=1\"" stack="$SID" dry_run=true
api "/stacks/$SID" | jq -e '.Id' >/dev/null && ok "dry run kept the stack" || fail "dry run removed it"
expect_ok portainer_remove_stack '.status == "ok" and .state == "removed"' stack="$SID"
expect_err portainer_remove_stack "no stack $SID" stack="$SID"
expect_ok portainer_list_stacks '.total == 0' name=whoami max_age_s=0

# Environments: tag (creating a tag), rename, remove.
expect_ok portainer_manage_endpoints '.status == "ok" and .tags == ["lab","gpu"] and (.tag_ids | length == 2)' \
    endpoint=2 action=tag --json '{"tags":["lab","gpu"]}'
api /tags | jq -e 'any(.[]; .Name == "gpu")' >/dev/null && ok "tag gpu created" || fail "tags: $(api /tags)"
expect_ok portainer_manage_endpoints '.status == "ok" and .name == "nas2"' endpoint=2 action=rename name=nas2
expect_ok portainer_list_endpoints '.items[0].name == "nas2" and .items[0].tags == ["lab","gpu"]' endpoint=2 max_age_s=0
expect_err portainer_manage_endpoints 'arguments.name' endpoint=2 action=rename
expect_err portainer_manage_endpoints 'arguments.tags' endpoint=2 action=tag
expect_ok portainer_manage_endpoints '.status == "dry_run" and .requests == [{"method":"DELETE","path":"/api/endpoints/5"}]' \
    endpoint=5 action=remove dry_run=true
expect_ok portainer_manage_endpoints '.status == "ok" and .name == "aci"' endpoint=5 action=remove
expect_ok portainer_list_endpoints '.total == 4' max_age_s=0
expect_err portainer_manage_endpoints 'no environment 99' endpoint=99 action=remove
expect_err portainer_manage_endpoints 'no environment 5' endpoint=5 action=rename name=x

# Upstream 500s.
fault '{"service":"portainer","endpoint":"GET /stacks/{id}","kind":"status","status":500,"count":1}'
expect_err portainer_start_stack 'HTTP 500' stack=1
fault '{"service":"portainer","endpoint":"GET /endpoints","kind":"status","status":500,"count":-1}'
expect_err portainer_list_endpoints 'portainer lab: GET /endpoints: HTTP 500' max_age_s=0
expect_err portainer_get_resource_usage 'HTTP 500' max_age_s=0
nofault
fault '{"service":"portainer","endpoint":"POST /stacks/create/standalone/string","kind":"status","status":500,"count":1}'
expect_err portainer_deploy_stack 'HTTP 500' endpoint=1 name=again compose='services: {}'
nofault
fault '{"service":"portainer","endpoint":"GET /endpoints/{id}/docker/{*path}","kind":"status","status":502,"count":-1}'
expect_err docker_list_containers 'HTTP 502' instance=remote max_age_s=0
nofault

# A bad token: 401, said clearly, and neither token shown anywhere.
start_rt "$TMPD/bad" "ptr_wrongWrongWrong"
T=$TMPD/bad
expect_err portainer_list_endpoints 'HTTP 401.*check token' max_age_s=0
expect_err docker_list_containers 'HTTP 401' instance=remote max_age_s=0
if grep -q -e "$TOKEN" -e "ptr_wrongWrongWrong" "$TMPD/ok/rt.log" "$TMPD/bad/rt.log" \
    "$TMPD/ok/out" "$TMPD/ok/err" "$TMPD/bad/out" "$TMPD/bad/err" "$TMPD/ok/mcp.log"; then
	fail "a token appears in a log or a result"
else
	ok "no token in logs, errors or results"
fi

# A Docker instance on an environment that is not Docker, or is down
# (lazy mode: no racktop listens on that socket).
for e in "4 HTTP 400: Invalid environment type" "3 HTTP 502: Unable to reach the environment"; do
	mkdir -p "$TMPD/env${e%% *}"
	(umask 077; printf '[docker "x"]\nurl = portainer://lab/%s\n[portainer "lab"]\nurl = %s\ntoken = %s\n' \
	    "${e%% *}" "$URL" "$TOKEN" >"$TMPD/env${e%% *}/racktop.conf")
	"$RACKTOP" call docker_list_containers --config "$TMPD/env${e%% *}/racktop.conf" \
	    --socket "$TMPD/env${e%% *}/none.sock" >"$TMPD/env${e%% *}/out" 2>&1
	grep -q "${e#* }" "$TMPD/env${e%% *}/out" && ok "docker through environment ${e%% *}: ${e#* }" ||
	    fail "docker through environment ${e%% *}: $(head -3 "$TMPD/env${e%% *}/out")"
done

# A Docker instance naming a Portainer instance that does not exist.
mkdir -p "$TMPD/nop"
(umask 077; printf '[docker "remote"]\nurl = portainer://nosuch/1\n' >"$TMPD/nop/racktop.conf")
if "$RACKTOP" call racktop_status --config "$TMPD/nop/racktop.conf" \
    --socket "$TMPD/nop/s.sock" >"$TMPD/nop/out" 2>&1; then
	fail "a docker url naming no Portainer instance was accepted"
elif grep -q 'no \[portainer "nosuch"\] instance' "$TMPD/nop/out"; then
	ok "a docker url naming no Portainer instance is refused"
else
	fail "portainer://nosuch: $(head -3 "$TMPD/nop/out")"
fi

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all portainer checks passed"
