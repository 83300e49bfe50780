#!/bin/sh
# Cloudflare backend end to end: racktop --headless against racktop-sim
# through the socket: every tool, pagination over three pages, a token
# without the permission (403 naming it), a 429 with Retry-After honoured,
# a GraphQL error in a 200, a bad token refused at verification, and the
# custom-rules entrypoint created when missing.
# Needs RACKTOP and RACKTOP_SIM.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services cloudflare \
    --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || { cat "$T/sim.log"; exit 1; }
CTL=$(jq -r .control "$T/ep.json")
URL=$(jq -r .cloudflare.url "$T/ep.json")
(umask 077; cat >"$T/racktop.conf" <<EOC
[cloudflare "lab"]
url = $URL
token = $(jq -r .cloudflare.token "$T/ep.json")
account_id = $(jq -r .cloudflare.account_id "$T/ep.json")
refresh = 3600
timeout = 5
[cloudflare "bad"]
url = $URL
token = not-the-token
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
count() { curl -s "$CTL/counts" | jq ".cloudflare[\"$1\"] // 0"; }

# The first poll verifies the token and reads zones, traffic and tunnels.
wait_for sh -c "\"$RACKTOP\" call racktop_status --socket \"$T/s.sock\" | grep -q '\"refreshes\": [1-9]'" ||
    fail "no first refresh"
[ "$(count "GET /user/tokens/verify")" -ge 1 ] && ok "token verified at start" || fail "no token verification"
expect_ok cloudflare_list_zones '"total": 5' instance=lab
expect_ok cloudflare_list_zones '"cached_pct"' instance=lab
expect_ok cloudflare_list_zones '"status": "pending"' instance=lab status=pending
expect_err cloudflare_list_zones 'token verification failed' instance=bad max_age_s=0
expect_ok cloudflare_list_tunnels '"connections": 2' instance=lab
expect_ok cloudflare_list_tunnels '"total": 2' instance=lab max_age_s=0
grep -q old-lab "$T/out" && fail "a deleted tunnel is listed"
expect_ok cloudflare_list_tunnels '"name": "nas"' instance=lab status=down

# Pagination: three pages of two zones, every one followed.
state '{"service":"cloudflare","op":"page_cap","per_page":2}'
z0=$(count "GET /zones")
expect_ok cloudflare_list_zones '"total": 5' instance=lab max_age_s=0
[ $(($(count "GET /zones") - z0)) -eq 3 ] && ok "three pages followed" ||
    fail "pages: $(($(count "GET /zones") - z0))"
expect_ok cloudflare_list_dns_records '"total": 8' instance=lab zone=example.com
state '{"service":"cloudflare","op":"page_cap","per_page":1000}'
expect_ok cloudflare_list_dns_records '"type": "CNAME"' instance=lab zone=example.com type=CNAME

expect_ok cloudflare_create_dns_record '"created"' instance=lab zone=example.net type=A name=ddns.example.net content=192.0.2.1
expect_ok cloudflare_update_dns_record '"updated"' instance=lab zone=example.net name=ddns.example.net content=192.0.2.2
expect_ok cloudflare_update_dns_record '"unchanged"' instance=lab zone=example.net name=ddns.example.net content=192.0.2.2
expect_err cloudflare_update_dns_record 'no A record named nope.example.net' instance=lab zone=example.net name=nope.example.net content=192.0.2.2
expect_ok cloudflare_delete_dns_record '"dry_run": true' instance=lab zone=example.net name=ddns.example.net type=A dry_run=true
expect_ok cloudflare_delete_dns_record '"deleted"' instance=lab zone=example.net name=ddns.example.net type=A
expect_err cloudflare_delete_dns_record 'no such DNS record' instance=lab zone=example.net name=ddns.example.net type=A
expect_err cloudflare_list_dns_records 'zone' instance=lab zone=not_a_zone

# Purge: everything, and 250 files in three batches of at most 100.
expect_ok cloudflare_purge_cache '"everything": true' instance=lab zone=example.com
files=$(jq -nc '[range(250) | "https://example.com/f\(.)"]')
p0=$(count "POST /zones/{zone_id}/purge_cache")
expect_ok cloudflare_purge_cache '"batches": 3' instance=lab zone=example.com --json "{\"files\":$files}"
[ $(($(count "POST /zones/{zone_id}/purge_cache") - p0)) -eq 3 ] && ok "three purge requests" || fail "purge requests"
expect_ok cloudflare_purge_cache '"dry_run": true' instance=lab zone=example.com dry_run=true

expect_ok cloudflare_get_zone_analytics '"requests"' instance=lab zone=example.com days=7
state '{"service":"cloudflare","op":"graphql_error","count":1}'
expect_err cloudflare_get_zone_analytics 'GraphQL: cannot request data older' instance=lab zone=example.com

expect_ok cloudflare_list_firewall_rules '"total": 1' instance=lab zone=example.com
expect_ok cloudflare_list_firewall_rules '"total": 0' instance=lab zone=example.org
expect_ok cloudflare_create_firewall_rule '"created_ruleset": true' instance=lab zone=example.org action=block expression='(http.request.uri.path contains "/wp-login")'
expect_ok cloudflare_create_firewall_rule '"rules": 2' instance=lab zone=example.com action=managed_challenge expression='(ip.src eq 192.0.2.1)'
expect_ok cloudflare_list_firewall_rules '"Block XX"' instance=lab zone=example.com

# A token without the permission: the 403 names what the tool needs.
state '{"service":"cloudflare","op":"revoke","permission":"DNS:Edit"}'
expect_err cloudflare_create_dns_record 'lacks the "DNS:Edit" permission' instance=lab zone=example.net type=A name=x.example.net content=192.0.2.9
state '{"service":"cloudflare","op":"revoke","permission":"Cache Purge:Purge"}'
expect_err cloudflare_purge_cache '"Cache Purge:Purge"' instance=lab zone=example.com
state '{"service":"cloudflare","op":"grant_all"}'

# 429 with Retry-After: waited out and retried; a lasting one is reported.
fault '{"service":"cloudflare","endpoint":"GET /zones/{zone_id}/dns_records","kind":"status","status":429,"count":1}'
expect_ok cloudflare_list_dns_records '"total"' instance=lab zone=example.com
fault '{"service":"cloudflare","endpoint":"GET /zones/{zone_id}/dns_records","kind":"status","status":429}'
expect_err cloudflare_list_dns_records 'HTTP 429: rate limited' instance=lab zone=example.com
nofault; fault '{"service":"cloudflare","kind":"status","status":500}'
expect_err cloudflare_list_zones 'HTTP 500' instance=lab max_age_s=0
nofault; fault '{"service":"cloudflare","kind":"garbage"}'
expect_err cloudflare_list_zones 'invalid JSON' instance=lab max_age_s=0
nofault
grep -q "$(jq -r .cloudflare.token "$T/ep.json")" "$T/rt.log" && fail "the token leaked into the log"

[ $fails -eq 0 ] && echo "cloudflare: all passed" || echo "cloudflare: $fails failed"
[ $fails -eq 0 ]
