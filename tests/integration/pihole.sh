#!/bin/bash
# Pi-hole backend end to end: racktop --headless with two Pi-hole instances
# (two racktop-sim processes) through the socket; every tool; failure paths
# (wrong password, no free seats, 2FA, app password without app_sudo, a
# blocking timer running out, faults); one API session per instance across
# 1,000 tool calls and many refreshes, renewed once when the Pi-hole drops
# it, and given back (DELETE /api/auth) when racktop stops. Gravity's
# output arrives as MCP progress while the run is held mid-way by the
# simulator, with more runs in flight than workers, and a cancelled run
# ends its transfer.
# Needs RACKTOP and RACKTOP_SIM (paths to the binaries), jq, curl, socat.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# start_sim NAME: a simulator serving only Pi-hole, endpoints in $T/NAME.json.
start_sim() {
	start_bg "$RACKTOP_SIM" --seed "$2" --clock fixed --services pihole \
	    --endpoints "$T/$1.json" >"$T/$1.log" 2>&1
	wait_for test -s "$T/$1.json" || { cat "$T/$1.log"; exit 1; }
}
start_sim a 1
start_sim b 2
CTLA=$(jq -r .control "$T/a.json")
CTLB=$(jq -r .control "$T/b.json")
# Two workers: the gravity runs below outnumber them.
(umask 077; cat >"$T/racktop.conf" <<EOF
[racktop]
workers = 2

[pihole "primary"]
url = $(jq -r .pihole.url "$T/a.json")
password = $(jq -r .pihole.password "$T/a.json")
refresh = 1
timeout = 3

[pihole "backup"]
url = $(jq -r .pihole.url "$T/b.json")
password = $(jq -r .pihole.password "$T/b.json")
refresh = 1
timeout = 3
EOF
)
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" \
    --socket "$T/s.sock" 2>"$T/rt.log"
RTPID=$!
wait_for test -S "$T/s.sock" || { cat "$T/rt.log"; exit 1; }

call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool jq-test args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && jq -e "$g" "$T/out" >/dev/null 2>&1; then
		ok "$t $*"
	else
		fail "$t $*: $(cat "$T/out" "$T/err" | head -8)"
	fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then
		ok "$t $* fails: $g"
	else
		fail "$t $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"
	fi
}
# count CTL KEY: the simulator's count of one endpoint.
count() {
	curl -s "$1/counts" | jq ".pihole[\"$2\"] // 0"
}
state() { curl -s -f -X POST -d "$2" "$1/state" >/dev/null || fail "state $2"; }
# refreshes INSTANCE: polls published for an instance.
refreshes() {
	"$RACKTOP" call racktop_status --socket "$T/s.sock" |
	    jq ".items[] | select(.instance == \"$1\") | .refreshes"
}
refreshed() { [ "$(refreshes "$1")" -ge "$2" ] 2>/dev/null; }
# status_of INSTANCE: racktop_status state of an instance.
state_is() {
	"$RACKTOP" call racktop_status --socket "$T/s.sock" |
	    jq -e ".items[] | select(.instance == \"$1\") | .state == \"$2\"" \
	    >/dev/null
}
wait_for refreshed primary 1 || fail "primary: no refresh"
wait_for refreshed backup 1 || fail "backup: no refresh"

# Reads: both instances, or one.
expect_ok pihole_get_summary '.instances | length == 2'
expect_ok pihole_get_summary '.instances[0].instance == "backup" and .totals.queries_total > 0' instance=backup
expect_ok pihole_get_blocking '[.instances[].blocking] == ["enabled","enabled"]'
expect_ok pihole_get_top_domains '.items | length > 0 and all(.instance)'
expect_ok pihole_get_top_domains '.items | length == 3 and all(.blocked)' which=blocked count=3 instance=primary
expect_ok pihole_get_top_domains '.items | length == 40' count=20 max_age_s=0
expect_ok pihole_get_top_clients '.items[0].ip and .items[0].count > 0' instance=primary
expect_ok pihole_get_query_log '.items | length == 10 and all(.domain)' limit=10
expect_ok pihole_get_query_log '.items | length > 0 and all(.status == "GRAVITY")' status=blocked instance=primary
expect_ok pihole_get_query_log '.items | length > 0 and all(.domain | test("^api"))' 'domain=api*' instance=primary
expect_ok pihole_get_query_log '.next_cursor == "5"' limit=5 instance=primary
expect_ok pihole_get_query_log '.items | length == 5' limit=5 cursor=5 instance=primary
expect_ok pihole_get_upstreams '.instances | length == 2 and (.[0].configured | length) == 2'
expect_ok pihole_list_domains '.total == 4'
expect_ok pihole_list_domains '.total == 1 and .items[0].kind == "regex"' type=deny kind=regex instance=primary

# Writes: one instance, or all where allowed.
expect_err pihole_disable_blocking 'instance: required'
expect_ok pihole_disable_blocking '.status == "dry_run" and (.requests | length) == 2' instance=all timer_s=60 dry_run=true
expect_ok pihole_get_blocking 'all(.instances[]; .blocking == "enabled")' max_age_s=0
expect_ok pihole_disable_blocking '.status == "ok" and all(.results[]; .blocking == "disabled")' instance=all
expect_ok pihole_get_blocking 'all(.instances[]; .blocking == "disabled" and .timer == null)' max_age_s=0
expect_ok pihole_enable_blocking '.status == "ok" and (.results | length) == 2' instance=all
expect_ok pihole_allow_domain '.status == "ok" and (.results | length) == 2' domain=good.example instance=all comment=racktop
expect_ok pihole_allow_domain '.status == "unchanged"' domain=good.example instance=primary
expect_ok pihole_deny_domain '.results[0].status == "ok"' domain=bad.example instance=backup
expect_ok pihole_deny_domain '.results[0].type == "deny" and .results[0].kind == "regex"' 'domain=(^|\.)ads\.' kind=regex instance=backup
expect_ok pihole_list_domains '.total == 3' type=deny instance=backup
expect_err pihole_deny_domain 'arguments.domain' 'domain=two words' instance=backup
expect_ok pihole_remove_domain '.status == "dry_run"' domain=good.example type=allow instance=all dry_run=true
expect_ok pihole_remove_domain '.status == "ok"' domain=good.example type=allow instance=all
expect_ok pihole_remove_domain '.status == "unchanged"' domain=good.example type=allow instance=primary
expect_ok pihole_list_domains '.total == 0' domain=good.example
expect_err pihole_update_gravity 'instance: required'
expect_ok pihole_update_gravity '.status == "ok" and .gravity_domains > 0 and .lines > 5' instance=primary
expect_ok pihole_update_gravity '.output_tail[-1] | test("blocking is enabled")' instance=primary
# Faults: an error status, and the connection cut mid-stream.
curl -s -X POST -d '{"service":"pihole","endpoint":"POST /action/gravity","kind":"status","status":500,"count":1}' "$CTLB/faults" >/dev/null
expect_err pihole_update_gravity 'POST /api/action/gravity: HTTP 500' instance=backup
state "$CTLB" '{"service":"pihole","op":"gravity","fail_after":4}'
expect_err pihole_update_gravity 'pihole backup: POST /action/gravity: connection closed before the whole response' instance=backup
state "$CTLB" '{"service":"pihole","op":"gravity","fail_after":0}'

# Over MCP: a session on the socket as a coprocess.
command -v socat >/dev/null 2>&1 || fail "socat is needed (scripts/install-deps.sh)"
: >"$T/mcp.log"
coproc MCP { socat - "UNIX-CONNECT:$T/s.sock"; }
PIDS="$PIDS $MCP_PID"
send() { printf '%s\n' "$1" >&"${MCP[1]}"; }
# receive JQ: whether a message matches, reading more (into mcp.log) until
# one does; a bounded wait for data, never a sleep.
receive() {
	jq -e -s "any(.[]; $1)" "$T/mcp.log" >/dev/null 2>&1 && return 0
	while IFS= read -r -t $((20 * RT_TIMEOUT_SCALE)) line <&"${MCP[0]}"; do
		printf '%s\n' "$line" >>"$T/mcp.log"
		printf '%s\n' "$line" | jq -e "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}
seen() { jq -e -s "$1" "$T/mcp.log" >/dev/null 2>&1; }
gravity() { # ID TOKEN
	send '{"jsonrpc":"2.0","id":'"$1"',"method":"tools/call","params":{"name":"pihole_update_gravity","arguments":{"instance":"backup"},"_meta":{"progressToken":"'"$2"'"}}}'
}
progressed() { # TOKEN: a progress notification with an output line
	echo '.method == "notifications/progress" and .params.progressToken == "'"$1"'" and .params.progress >= 1'
}
send '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"pihole.sh","version":"1"}}}'
receive '.id == 1' || fail "MCP initialize: $(cat "$T/mcp.log")"
send '{"jsonrpc":"2.0","method":"notifications/initialized"}'

# Progress before the result: the simulator holds every run after three
# lines, so the result cannot come before the test lets it go. Four runs
# are held at once with two workers, and a read still goes through.
state "$CTLB" '{"service":"pihole","op":"gravity","hold":3}'
g0=$(count "$CTLB" "gravity completed")
for i in 1 2 3 4; do gravity $((10 + i)) "g$i"; done
for i in 1 2 3 4; do
	receive "$(progressed "g$i")" || fail "no progress for run $i: $(tail -5 "$T/mcp.log")"
done
seen '[.[] | select(.id == 11 or .id == 12 or .id == 13 or .id == 14)] | length == 0' ||
    fail "a result came while the runs were held"
seen '[.[] | select(.params.progressToken == "g1") | .params.message] | any(test("Neutrino emissions detected"))' ||
    fail "progress messages: $(grep g1 "$T/mcp.log" | head -3)"
expect_ok pihole_get_summary '.instances[0].instance == "backup"' instance=backup max_age_s=0
ok "four held gravity runs and two workers: progress arrived, a read went through"
state "$CTLB" '{"service":"pihole","op":"gravity","hold":0}'
for i in 11 12 13 14; do
	receive ".id == $i" || fail "no result for $i: $(tail -3 "$T/mcp.log")"
done
if seen '[.[] | select(.id >= 11 and .id <= 14) | .result.structuredContent | select(.status == "ok" and .lines > 10 and .gravity_domains > 0)] | length == 4' &&
    seen '[.[] | select(.params.progressToken == "g1") | .params.progress] | (length > 10 and . == (sort | unique))' &&
    seen '(map(.id == 11) | index(true)) > (map(.params.progressToken == "g1" and .params.progress == 10) | index(true))'; then
	ok "gravity: each line as progress, in order, before the result"
else
	fail "gravity results: $(grep '"id":1[1-4]' "$T/mcp.log" | head -c 800)"
fi
[ "$(count "$CTLB" "gravity completed")" -eq $((g0 + 4)) ] || fail "four runs should have completed"

# Cancelling the call ends the transfer: the simulator, still holding the
# run, sees its client leave; the run never completes and never answers.
state "$CTLB" '{"service":"pihole","op":"gravity","hold":3}'
a0=$(count "$CTLB" "gravity aborted") g0=$(count "$CTLB" "gravity completed")
gravity 20 c
receive "$(progressed c)" || fail "no progress before cancelling"
send '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":20,"reason":"test"}}'
aborted() { [ "$(count "$CTLB" "gravity aborted")" -eq $((a0 + 1)) ]; }
if wait_for aborted; then
	ok "a cancelled gravity call closed its stream"
else
	fail "cancel: aborted $(count "$CTLB" "gravity aborted") (was $a0)"
fi
state "$CTLB" '{"service":"pihole","op":"gravity","hold":0}'
send '{"jsonrpc":"2.0","id":21,"method":"ping"}'
receive '.id == 21' || fail "ping after cancel"
seen '[.[] | select(.id == 20)] | length == 0' || fail "the cancelled call answered"
[ "$(count "$CTLB" "gravity completed")" -eq "$g0" ] || fail "the cancelled run completed"
exec {MCP[1]}>&-
expect_ok pihole_set_upstreams '.status == "dry_run"' --json '{"instance":"backup","upstreams":["1.1.1.1"],"dry_run":true}'
expect_ok pihole_set_upstreams '.upstreams == ["1.1.1.1","127.0.0.1#5335"]' --json '{"instance":"backup","upstreams":["1.1.1.1","127.0.0.1#5335"]}'
expect_ok pihole_get_upstreams '.instances[0].configured == ["1.1.1.1","127.0.0.1#5335"]' instance=backup
expect_err pihole_set_upstreams 'arguments.upstreams' --json '{"instance":"backup","upstreams":["1.1.1.1; reboot"]}'

# The blocking timer runs out on the Pi-hole's clock.
expect_ok pihole_disable_blocking '.results[0].timer == 30' instance=primary timer_s=30
expect_ok pihole_get_blocking '.instances[0].blocking == "disabled" and .instances[0].timer > 0' instance=primary max_age_s=0
curl -s -f -X POST -d '{"ms":31000}' "$CTLA/clock/advance" >/dev/null || fail "clock"
expect_ok pihole_get_blocking '.instances[0].blocking == "enabled" and .instances[0].timer == null' instance=primary max_age_s=0
blocking_enabled() {
	"$RACKTOP" call pihole_get_blocking instance=primary --socket "$T/s.sock" |
	    jq -e '.instances[0].blocking == "enabled"' >/dev/null
}
wait_for blocking_enabled || fail "the refreshed snapshot still says disabled"

# Exactly one session per instance across 1,000 tool calls (four callers
# at once, reads from the snapshot, live reads and writes) and refreshes.
ga=$(refreshes primary)
many() {
	who=$1
	i=0
	while [ $i -lt 250 ]; do
		case $((i % 25)) in
		0) set -- pihole_enable_blocking instance=all ;;
		1|2) set -- pihole_get_summary max_age_s=0 ;;
		3) set -- pihole_list_domains instance=$who ;;
		*) set -- pihole_get_summary ;;
		esac
		"$RACKTOP" call "$@" --socket "$T/s.sock" >/dev/null ||
		    echo "call $i failed: $*" >>"$T/many.err"
		i=$((i + 1))
	done
}
many primary & p1=$!
many backup & p2=$!
many primary & p3=$!
many backup & p4=$!
wait $p1 $p2 $p3 $p4
[ -s "$T/many.err" ] && fail "$(wc -l <"$T/many.err") of 1000 calls failed: $(head -3 "$T/many.err")"
wait_for refreshed primary $((ga + 5)) || fail "refreshes stalled"
na=$(count "$CTLA" "POST /auth") nb=$(count "$CTLB" "POST /auth")
sa=$(count "$CTLA" "GET /stats/summary")
if [ "$na" -eq 1 ] && [ "$nb" -eq 1 ]; then
	ok "one session per instance: POST /api/auth $na and $nb after 1000 calls, $sa summaries"
else
	fail "sessions: POST /api/auth $na (primary) and $nb (backup)"
fi

# A session the Pi-hole drops is renewed once, and only once.
state "$CTLA" '{"service":"pihole","op":"kill_sessions"}'
expect_ok pihole_get_summary '.instances[0].queries_total > 0' instance=primary max_age_s=0
expect_ok pihole_get_blocking '.instances | length == 1' instance=primary max_age_s=0
n=$(count "$CTLA" "POST /auth")
[ "$n" -eq 2 ] && ok "dropped session renewed once" || fail "renewal: POST /api/auth $n"
# ...and by gravity, before its stream starts: a 401 on the run itself.
nb=$(count "$CTLB" "POST /auth")
curl -s -X POST -d '{"service":"pihole","endpoint":"POST /action/gravity","kind":"auth","count":1}' "$CTLB/faults" >/dev/null
expect_ok pihole_update_gravity '.status == "ok"' instance=backup
[ "$(count "$CTLB" "POST /auth")" -eq $((nb + 1)) ] &&
    ok "gravity renews a refused session once" ||
    fail "gravity renewal: POST /api/auth $nb -> $(count "$CTLB" "POST /auth")"

# Faults: a 500 and garbage are reported, then the instance recovers.
curl -s -X POST -d '{"service":"pihole","endpoint":"GET /stats/summary","kind":"status","status":500}' "$CTLB/faults" >/dev/null
expect_err pihole_get_summary 'HTTP 500' instance=backup max_age_s=0
curl -s -X DELETE "$CTLB/faults" >/dev/null
curl -s -X POST -d '{"service":"pihole","kind":"garbage"}' "$CTLB/faults" >/dev/null
expect_err pihole_get_upstreams 'invalid JSON' instance=backup
curl -s -X DELETE "$CTLB/faults" >/dev/null
expect_ok pihole_get_summary '.instance_errors == []' max_age_s=0
# Every tool meets a failing Pi-hole with a clear error naming it.
curl -s -X POST -d '{"service":"pihole","kind":"status","status":503,"count":-1}' "$CTLB/faults" >/dev/null
for t in "pihole_get_summary max_age_s=0" "pihole_get_blocking max_age_s=0" \
    "pihole_disable_blocking timer_s=5" "pihole_enable_blocking" \
    "pihole_list_domains" "pihole_allow_domain domain=x.example" \
    "pihole_deny_domain domain=y.example" \
    "pihole_remove_domain domain=x.example type=allow" \
    "pihole_update_gravity" "pihole_get_top_domains max_age_s=0" \
    "pihole_get_top_clients max_age_s=0" "pihole_get_query_log" \
    "pihole_get_upstreams"; do
	read -r -a a <<<"$t"
	expect_err "${a[0]}" 'pihole backup: .*HTTP 503' "${a[@]:1}" instance=backup
done
expect_err pihole_set_upstreams 'pihole backup: .*HTTP 503' --json '{"instance":"backup","upstreams":["9.9.9.9"]}'
curl -s -X DELETE "$CTLB/faults" >/dev/null

# Failure paths in lazy mode (a racktop of its own, login per call).
# lazy CONF TOOL ARGS...: a call through no socket.
lazy() {
	conf=$1; shift
	"$RACKTOP" --config "$conf" --socket "$T/none.sock" call "$@" \
	    >"$T/out" 2>"$T/err"
}
lazy_conf() { # FILE PASSWORD
	(umask 077; printf '[pihole "lazy"]\nurl = %s\npassword = %s\ntimeout = 3\n' \
	    "$(jq -r .pihole.url "$T/a.json")" "$2" >"$1")
}
expect_lazy_err() { # conf grep tool args...
	conf=$1; g=$2; shift 2
	lazy "$conf" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then
		ok "lazy $1 $* fails: $g"
	else
		fail "lazy $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"
	fi
}
lazy_conf "$T/wrong.conf" wrong-password
expect_lazy_err "$T/wrong.conf" 'password incorrect' pihole_get_summary
grep -q wrong-password "$T/out" "$T/err" && fail "the password leaked into an error"
lazy_conf "$T/good.conf" "$(jq -r .pihole.password "$T/a.json")"
d0=$(count "$CTLA" "DELETE /auth")
lazy "$T/good.conf" pihole_get_blocking && ok "lazy call" || fail "lazy call: $(cat "$T/err")"
[ "$(count "$CTLA" "DELETE /auth")" -eq $((d0 + 1)) ] &&
    ok "lazy mode ends its session" || fail "lazy mode kept its session"
# No free seats: racktop holds one, the limit is one.
state "$CTLA" '{"service":"pihole","op":"config","max_sessions":1}'
expect_lazy_err "$T/good.conf" 'no free API seats (api_seats_exceeded)' pihole_get_summary
expect_ok pihole_get_summary '.instances[0].instance == "primary"' instance=primary max_age_s=0
state "$CTLA" '{"service":"pihole","op":"config","max_sessions":16}'
# Two-factor authentication on the web password.
state "$CTLA" '{"service":"pihole","op":"config","totp":true}'
expect_lazy_err "$T/good.conf" 'two-factor authentication is on.*app password.*totp_secret' pihole_get_summary
# ...or a TOTP code from totp_secret (RFC 6238), one code per login.
state "$CTLA" '{"service":"pihole","op":"config","totp_secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}'
totp_conf() { # FILE SECRET
	lazy_conf "$1" "$(jq -r .pihole.password "$T/a.json")"
	printf 'totp_secret = %s\n' "$2" >>"$1"
}
totp_conf "$T/totp-bad.conf" JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
expect_lazy_err "$T/totp-bad.conf" 'the TOTP code was refused (.*Invalid 2FA token)' pihole_get_summary
grep -q JBSWY3DP "$T/out" "$T/err" && fail "totp_secret leaked into an error"
totp_conf "$T/totp.conf" 'gezd gnbv gy3t qojq gezd gnbv gy3t qojq'
for i in 1 2; do
	lazy "$T/totp.conf" pihole_get_blocking && ok "2FA login with a TOTP code ($i)" ||
	    fail "TOTP login $i: $(cat "$T/out" "$T/err")"
done
totp_conf "$T/totp-short.conf" 'not base32!'
lazy "$T/totp-short.conf" pihole_get_summary; rc=$?
[ $rc -eq 2 ] && grep -q 'totp_secret: expected the base32 secret' "$T/err" &&
    ok "a bad totp_secret is a configuration error" ||
    fail "bad totp_secret (rc $rc): $(cat "$T/err")"
# An app password bypasses 2FA, but may not change settings without app_sudo.
state "$CTLA" '{"service":"pihole","op":"config","app_password":"app-pw-for-tests"}'
lazy_conf "$T/app.conf" app-pw-for-tests
lazy "$T/app.conf" pihole_get_summary && ok "app password passes 2FA" ||
    fail "app password: $(cat "$T/out" "$T/err")"
expect_lazy_err "$T/app.conf" 'webserver.api.app_sudo is true' pihole_set_upstreams --json '{"upstreams":["9.9.9.9"]}'
state "$CTLA" '{"service":"pihole","op":"config","app_sudo":true}'
lazy "$T/app.conf" pihole_set_upstreams --json '{"upstreams":["9.9.9.9"]}' &&
    ok "app_sudo lets the app password change settings" ||
    fail "app_sudo: $(cat "$T/out" "$T/err")"
state "$CTLA" '{"service":"pihole","op":"config","totp":false}'

# The session is given back when racktop stops.
da=$(count "$CTLA" "DELETE /auth") db=$(count "$CTLB" "DELETE /auth")
kill "$RTPID"
wait "$RTPID"
da1=$(count "$CTLA" "DELETE /auth") db1=$(count "$CTLB" "DELETE /auth")
if [ "$da1" -eq $((da + 1)) ] && [ "$db1" -eq $((db + 1)) ]; then
	ok "sessions freed at exit (DELETE /api/auth once per instance)"
else
	fail "at exit: DELETE /api/auth $da -> $da1, $db -> $db1"
fi

[ $fails -eq 0 ] && echo "pihole: all passed" || echo "pihole: $fails failed"
[ $fails -eq 0 ]
