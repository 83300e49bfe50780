#!/bin/sh
# Tailscale backend end to end: racktop --headless against racktop-sim
# through the socket, with an API token and with OAuth client credentials
# (renewed after the simulator revokes the access tokens): every tool, an
# ETag mismatch (412 reported, nothing overwritten), an invalid policy
# (200 with a message from /acl/validate), the routes union, a 429 with
# Retry-After honoured, a 403, a 401 and a 500.
# Needs RACKTOP and RACKTOP_SIM.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services tailscale \
    --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || { cat "$T/sim.log"; exit 1; }
CTL=$(jq -r .control "$T/ep.json")
URL=$(jq -r .tailscale.url "$T/ep.json")
(umask 077; cat >"$T/racktop.conf" <<EOC
[tailscale "lab"]
url = $URL
token = $(jq -r .tailscale.token "$T/ep.json")
refresh = 1
timeout = 5
[tailscale "oauth"]
url = $URL
client_id = $(jq -r .tailscale.client_id "$T/ep.json")
client_secret = $(jq -r .tailscale.client_secret "$T/ep.json")
tailnet = example.com
refresh = 3600
timeout = 5
EOC
)
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" \
    --socket "$T/s.sock" 2>"$T/rt.log"
wait_for test -S "$T/s.sock" || { cat "$T/rt.log"; exit 1; }

call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool grep args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && grep -q -- "$g" "$T/out"; then ok "$t $*"
	else fail "$t $*: $(cat "$T/out" "$T/err" | head -5)"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then ok "$t $* fails: $g"
	else fail "$t $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }
state() { curl -s -X POST -d "$1" "$CTL/state" | grep -q '"ok"' || fail "state $1"; }
count() { curl -s "$CTL/counts" | jq ".tailscale[\"$1\"] // 0"; }

for i in lab oauth; do
	expect_ok tailscale_list_devices '"total": 7' instance=$i max_age_s=0
done
expect_ok tailscale_list_devices '"name": "phone"' online=false
expect_ok tailscale_list_devices '"total": 3' tag=tag:server instance=lab
expect_ok tailscale_get_device '"update_available": true' device=nas instance=lab max_age_s=0
expect_ok tailscale_get_device '"advertised_routes"' device=npve1 instance=oauth
expect_err tailscale_get_device 'no device "ghost"' device=ghost instance=lab

# OAuth: one token exchange serves many calls; a revoked token is renewed.
o0=$(count "POST /oauth/token")
expect_ok tailscale_get_dns '"magic_dns": true' instance=oauth
expect_ok tailscale_get_dns '"search_paths"' instance=oauth
o1=$(count "POST /oauth/token")
[ "$o1" -eq "$o0" ] && ok "OAuth token reused" || fail "OAuth token exchanged $o0 -> $o1"
state '{"service":"tailscale","op":"revoke_oauth_tokens"}'
expect_ok tailscale_get_dns '"nameservers"' instance=oauth
o2=$(count "POST /oauth/token")
[ "$o2" -eq $((o1 + 1)) ] && ok "OAuth token renewed after a 401" ||
    fail "OAuth renewals: $o1 -> $o2"

expect_ok tailscale_authorize_device '"status": "ok"' device=newbox instance=lab
expect_ok tailscale_authorize_device '"unchanged"' device=newbox instance=lab
expect_ok tailscale_delete_device '"dry_run": true' device=newbox instance=lab dry_run=true
expect_ok tailscale_delete_device '"status": "ok"' device=newbox instance=lab
expect_err tailscale_get_device 'no device' device=newbox instance=lab max_age_s=0

# Routes: the union is sent; the exit node adds 0.0.0.0/0 and ::/0.
expect_ok tailscale_enable_subnet_routes '"added"' instance=lab device=pve1 --json '{"routes":["192.168.1.0/24"]}'
jq -e '.enabled_routes == ["10.0.0.0/24","192.168.1.0/24"]' "$T/out" >/dev/null &&
    ok "routes union kept 10.0.0.0/24" || fail "routes union: $(cat "$T/out")"
expect_ok tailscale_enable_subnet_routes '"::/0"' instance=lab device=exit exit_node=true
expect_ok tailscale_enable_subnet_routes '"unchanged"' instance=lab device=exit exit_node=true
expect_err tailscale_enable_subnet_routes 'routes' instance=lab device=exit --json '{"routes":["lan"]}'

# ACL: ETag kept with its quotes; a stale ETag is a 412, reported.
expect_ok tailscale_get_acl '"etag": "\\"' instance=lab
E=$(jq -r .etag "$T/out"); P=$(jq -r .policy "$T/out")
grep -q '// Example' "$T/out" && ok "HuJSON comments kept" || fail "HuJSON comments lost"
expect_ok tailscale_update_acl '"valid"' instance=lab etag="$E" policy="$P" validate_only=true
expect_ok tailscale_update_acl '"updated"' instance=lab etag="$E" policy="$P"
E2=$(jq -r .etag "$T/out")
[ "$E2" != "$E" ] && ok "new ETag after update" || fail "ETag did not change"
expect_err tailscale_update_acl 'HTTP 412' instance=lab etag="$E" policy="$P"
grep -q 'Nothing was overwritten' "$T/out" "$T/err" && ok "412 says nothing was overwritten" || fail "412 wording"
state '{"service":"tailscale","op":"touch_acl"}'
expect_err tailscale_update_acl 'someone else updated it' instance=lab etag="$E2" policy="$P"
call tailscale_get_acl instance=lab; E3=$(jq -r .etag "$T/out")
w0=$(count "POST /tailnet/{tailnet}/acl")
expect_err tailscale_update_acl 'the policy is invalid, nothing was written' instance=lab etag="$E3" policy='{"acls":[{"action":"drop","src":["*"],"dst":["*:*"]}]}'
[ "$(count "POST /tailnet/{tailnet}/acl")" -eq "$w0" ] && ok "invalid policy never posted" || fail "invalid policy was posted"

expect_ok tailscale_set_dns_nameservers '"1.1.1.1"' instance=lab --json '{"nameservers":["1.1.1.1","9.9.9.9"]}'
expect_ok tailscale_get_dns '"9.9.9.9"' instance=lab
expect_err tailscale_set_dns_nameservers 'nameservers' instance=lab --json '{"nameservers":["dns.google"]}'

# Failure paths.
fault '{"service":"tailscale","kind":"status","status":429,"count":1}'
expect_ok tailscale_get_dns '"nameservers"' instance=lab
ok "a 429 with Retry-After is retried"
fault '{"service":"tailscale","kind":"status","status":429}'
expect_err tailscale_get_dns 'HTTP 429' instance=lab
nofault; fault '{"service":"tailscale","kind":"status","status":403,"message":"insufficient scope"}'
expect_err tailscale_get_acl 'lacks the scope' instance=lab
nofault; fault '{"service":"tailscale","kind":"auth"}'
expect_err tailscale_list_devices 'HTTP 401: authentication failure — check token' instance=lab max_age_s=0
grep -q "$(jq -r .tailscale.token "$T/ep.json")" "$T/out" "$T/err" && fail "the token leaked into an error"
nofault; fault '{"service":"tailscale","kind":"status","status":500}'
expect_err tailscale_list_devices 'HTTP 500' instance=lab max_age_s=0
nofault
expect_ok racktop_status '"tailscale"'

[ $fails -eq 0 ] && echo "tailscale: all passed" || echo "tailscale: $fails failed"
[ $fails -eq 0 ]
