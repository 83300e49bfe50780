#!/bin/sh
# UniFi backend end to end: racktop --headless against racktop-sim through
# the socket in each auth mode (API key, UniFi OS login, classic login),
# every tool, failure paths (bad key and password, a missing or renewed
# CSRF token, an expired session renewed, a key that does not open the
# classic endpoints: every tool, a device offline, 500, garbage, timeout)
# and 5,000 clients at large
# scale with the poller's RSS. Needs RACKTOP and RACKTOP_SIM.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# start_sim SCALE DIR: a simulator serving UniFi.
start_sim() {
	mkdir -p "$2"
	start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --scale "$1" \
	    --services unifi --endpoints "$2/ep.json" >"$2/sim.log" 2>&1
	wait_for test -s "$2/ep.json" || { cat "$2/sim.log"; exit 1; }
}

# start_rt DIR AUTH [MODE]: a headless racktop; AUTH is key or login.
start_rt() {
	ep=$1/ep.json
	{
		echo '[unifi "lab"]'
		echo "url = $(jq -r .unifi.url "$ep")"
		if [ "$2" = key ]; then
			echo "api_key = ${3:-$(jq -r .unifi.api_key "$ep")}"
		else
			echo "user = $(jq -r .unifi.user "$ep")"
			echo "password = ${3:-$(jq -r .unifi.password "$ep")}"
		fi
		echo "refresh = 1"
		echo "timeout = 2"
	} >"$1/racktop.conf"
	chmod 600 "$1/racktop.conf"
	rm -f "$1/s.sock"
	start_bg "$RACKTOP" --headless --config "$1/racktop.conf" \
	    --socket "$1/s.sock" 2>"$1/rt.log"
	RTPID=$!
	wait_for test -S "$1/s.sock" || { cat "$1/rt.log"; exit 1; }
}

# stop_rt: ends the last racktop started.
stop_rt() {
	kill "$RTPID" 2>/dev/null
	wait "$RTPID" 2>/dev/null
}

refreshes() {
	"$RACKTOP" call racktop_status --socket "$T/s.sock" |
	    jq '.items[0].refreshes'
}
refreshed() { [ "$(refreshes)" -ge "$1" ] 2>/dev/null; }
call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool grep args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && grep -q -- "$g" "$T/out"; then ok "$MODE $t $*"
	else fail "$MODE $t $*: $(cat "$T/out" "$T/err" | head -5)"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then
		ok "$MODE $t $* fails: $g"
	else fail "$MODE $t $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"; fi
}
ctl() { curl -s -X "$1" ${3:+-d "$3"} "$(jq -r .control "$T/ep.json")$2"; }
state() { ctl POST /state "{\"service\":\"unifi\",$1}" | grep -q '"ok"' ||
	fail "state $1"; }
fault() { ctl POST /faults "$1" >/dev/null; }
nofault() { ctl DELETE /faults >/dev/null; }
count() { ctl GET /counts | jq ".unifi[\"$1\"] // 0"; }

# every_tool: the tools that work in every mode.
every_tool() {
	expect_ok unifi_list_clients '"total": 12' limit=1
	expect_ok unifi_list_clients '"name": "nas"' type=wired name=NA
	expect_ok unifi_list_devices '"type": "ap"' type=ap
	expect_ok unifi_get_network_stats '"subsystem": "wan"'
	AP=$(call unifi_list_devices type=ap; jq -r '.items[0].mac' "$T/out")
	MAC=$(call unifi_list_clients name=iphone-anna;
	    jq -r '.items[0].mac' "$T/out")
	expect_ok unifi_block_client '"dry_run": true' mac="$MAC" dry_run=true
	expect_ok unifi_block_client '"status": "ok"' mac="$MAC"
	expect_ok unifi_list_clients "\"$MAC\"" blocked=true max_age_s=0
	expect_ok unifi_block_client '"unchanged"' mac="$MAC"
	expect_err unifi_kick_client 'not connected' mac="$MAC"
	expect_ok unifi_unblock_client '"status": "ok"' mac="$MAC"
	expect_ok unifi_list_clients '"total": 0' blocked=true max_age_s=0
	expect_ok unifi_kick_client '"status": "ok"' mac="$MAC"
	NAS=$(call unifi_list_clients name=nas; jq -r '.items[0].mac' "$T/out")
	expect_err unifi_kick_client 'wired' mac="$NAS"
	expect_ok unifi_reboot_device '"status": "ok"' mac="$AP"
	state '"op":"set_device_state","name":"ap-garage","state":"offline"'
	GAR=$(call unifi_list_devices max_age_s=0 state=offline;
	    jq -r '.items[0].mac' "$T/out")
	expect_err unifi_reboot_device 'is offline' mac="$GAR"
	state '"op":"set_device_state","name":"ap-garage","state":"online"'
	expect_ok unifi_list_firewall_rules '"firewall": "zone"'
	expect_err unifi_create_firewall_rule 'src_zone' name=x action=drop
	expect_ok unifi_create_firewall_rule '"status": "ok"' name=x \
	    action=drop src_zone=internal dst_zone=external
	state '"op":"set_firewall","zone":false'
	expect_ok unifi_list_firewall_rules '"firewall": "legacy"'
	expect_ok unifi_create_firewall_rule '"dry_run": true' name=y \
	    action=reject dst_port=443 dry_run=true
	expect_ok unifi_create_firewall_rule '"status": "ok"' name=y \
	    action=reject dst_address=10.0.0.5 dst_port=443
	expect_ok unifi_list_firewall_rules '"name": "y"'
	state '"op":"set_firewall","zone":true'
	expect_ok unifi_create_guest_voucher '"code"' count=2 uses=0 \
	    duration_min=60 note=party
	[ "$(jq '.vouchers | length' "$T/out")" = 2 ] || fail "2 vouchers"
	expect_ok unifi_list_wlans '"name": "Guest"'
	expect_ok unifi_set_wlan_enabled '"status": "ok"' wlan=Guest \
	    enabled=false
	expect_ok unifi_set_wlan_enabled '"unchanged"' wlan=Guest enabled=false
	expect_ok unifi_set_wlan_enabled '"dry_run": true' wlan=Guest \
	    enabled=true dry_run=true
	expect_err unifi_set_wlan_enabled 'no WLAN' wlan=nosuch enabled=true
	expect_ok unifi_set_wlan_enabled '"status": "ok"' wlan=Guest enabled=true
	expect_err unifi_block_client 'arguments.mac' mac=aa:bb
}

# failures: transport faults through the framework.
failures() {
	fault '{"service":"unifi","kind":"status","status":500}'
	expect_err unifi_list_devices 'HTTP 500' max_age_s=0
	nofault; fault '{"service":"unifi","kind":"latency","ms":4000}'
	expect_err unifi_list_devices 'timed out' max_age_s=0
	nofault; fault '{"service":"unifi","kind":"garbage"}'
	expect_err unifi_list_devices 'invalid JSON' max_age_s=0
	nofault
	g=$(refreshes)
	wait_for refreshed $((g + 2)) || fail "$MODE: no refresh after faults"
	expect_ok racktop_status '"state": *"ok"'
}

# API key (UniFi OS, Integration API).
MODE=key T=$TMPD/small
start_sim small "$T"
start_rt "$T" key
wait_for refreshed 1 || fail "key: no refresh"
every_tool
failures
fault '{"service":"unifi","kind":"auth"}'
expect_err unifi_list_clients 'HTTP 401: authentication failure — check api_key' max_age_s=0
grep -q "$(jq -r .unifi.api_key "$T/ep.json")" "$T/out" "$T/err" &&
    fail "the key leaked into an error"
nofault
stop_rt
# A wrong key: the poller and every tool say so, and never echo it.
MODE=bad-key
start_rt "$T" key 0badbadbadbadbadbadbadbadbadbad0
wait_for refreshed 1 || fail "bad key: no refresh"
expect_ok racktop_status 'check api_key'
expect_err unifi_list_clients 'HTTP 401: authentication failure — check api_key' max_age_s=0
expect_err unifi_reboot_device 'check api_key' mac="$MAC"
grep -q 0badbad "$T/out" "$T/err" "$T/rt.log" && fail "the bad key leaked"
stop_rt
# A key that does not open the classic endpoints: reads and the
# Integration API's restart work, the rest say a local account is needed.
MODE=key-only
state '"op":"set_key_classic","enabled":false'
start_rt "$T" key
wait_for refreshed 1 || fail "key-only: no refresh"
expect_ok unifi_list_clients '"total": 12' limit=1
expect_ok unifi_list_devices '"type": "ap"' type=ap
expect_ok unifi_get_network_stats 'local account'
MAC=$(call unifi_list_clients name=iphone-anna; jq -r '.items[0].mac' "$T/out")
AP=$(call unifi_list_devices type=ap; jq -r '.items[0].mac' "$T/out")
expect_err unifi_block_client 'local account' mac="$MAC"
expect_err unifi_unblock_client 'local account' mac="$MAC"
expect_err unifi_kick_client 'local account' mac="$MAC"
r0=$(count "POST /proxy/network/integration/v1/sites/{siteId}/devices/{deviceId}/actions")
expect_ok unifi_reboot_device '"status": "ok"' mac="$AP"
[ "$(count "POST /proxy/network/integration/v1/sites/{siteId}/devices/{deviceId}/actions")" -gt "$r0" ] ||
    fail "key-only: the restart did not go through the Integration API"
expect_err unifi_reboot_device 'local account' mac="$AP" hard=true
state '"op":"set_device_state","name":"ap-garage","state":"offline"'
GAR=$(call unifi_list_devices max_age_s=0 state=offline;
    jq -r '.items[0].mac' "$T/out")
expect_err unifi_reboot_device 'is offline' mac="$GAR"
state '"op":"set_device_state","name":"ap-garage","state":"online"'
expect_err unifi_list_firewall_rules 'local account'
expect_err unifi_create_firewall_rule 'local account' name=x action=drop \
    src_zone=internal dst_zone=external
expect_err unifi_create_guest_voucher 'local account'
expect_err unifi_list_wlans 'local account'
expect_err unifi_set_wlan_enabled 'local account' wlan=Guest enabled=false
state '"op":"set_key_classic","enabled":true'
stop_rt

# UniFi OS login: cookie, CSRF from the JWT, renewal.
MODE=unifi_os
start_rt "$T" login
wait_for refreshed 1 || fail "unifi_os: no refresh"
every_tool
failures
l0=$(count "POST /api/auth/login")
state '"op":"expire_sessions"'
expect_ok unifi_block_client '"status": "ok"' mac="$MAC"
[ "$(count "POST /api/auth/login")" -gt "$l0" ] ||
    fail "unifi_os: the expired session was not renewed"
expect_ok unifi_unblock_client '"status": "ok"' mac="$MAC"
# csrf_checks LOGINPATH: a renewed CSRF token costs one more login and
# the write goes through; a login that hands out none fails writes with
# a clear error while reads go on.
csrf_checks() {
	l0=$(count "POST $1")
	state '"op":"rotate_csrf"'
	expect_ok unifi_kick_client '"status": "ok"' mac="$MAC"
	[ "$(count "POST $1")" -gt "$l0" ] ||
	    fail "$MODE: no new login after the CSRF token changed"
	state '"op":"set_login_csrf","enabled":false'
	state '"op":"expire_sessions"'
	expect_err unifi_kick_client 'refused the session.s CSRF token' \
	    mac="$MAC"
	expect_ok unifi_list_devices '"total": 5' max_age_s=0
	state '"op":"set_login_csrf","enabled":true'
	state '"op":"expire_sessions"'
	expect_ok unifi_kick_client '"status": "ok"' mac="$MAC"
}
csrf_checks /api/auth/login
# The simulator refuses a write without the CSRF token.
U=$(jq -r .unifi.url "$T/ep.json")
CK=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"racktop\",\"password\":\"$(jq -r .unifi.password \
    "$T/ep.json")\"}" "$U/api/auth/login" |
    sed -n 's/^Set-Cookie: \(TOKEN=[^;]*\).*/\1/p')
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -H \
    'Content-Type: application/json' -d '{"cmd":"kick-sta","mac":"aa:bb:cc:00:00:01"}' \
    "$U/proxy/network/api/s/default/cmd/stamgr")
[ "$st" = 403 ] && ok "missing CSRF token refused" ||
    fail "missing CSRF token: HTTP $st"
stop_rt
start_rt "$T" login wrong-password
wait_for refreshed 1
expect_ok racktop_status 'authentication failure'
stop_rt

# Classic controller login.
MODE=classic
state '"op":"set_mode","mode":"classic"'
start_rt "$T" login
wait_for refreshed 1 || fail "classic: no refresh"
every_tool
[ "$(count "POST /api/login")" -ge 1 ] || fail "classic: no /api/login"
l0=$(count "POST /api/login")
state '"op":"expire_sessions"'
expect_ok unifi_list_devices '"total": 5' max_age_s=0
[ "$(count "POST /api/login")" -gt "$l0" ] ||
    fail "classic: the expired session was not renewed"
csrf_checks /api/login
stop_rt
start_rt "$T" login wrong-password
wait_for refreshed 1
expect_ok racktop_status 'authentication failure'
stop_rt

# Large scale: 5,000 clients through the Integration API's pages.
MODE=large T=$TMPD/large
start_sim large "$T"
start_rt "$T" key
wait_for refreshed 2 || fail "large: no refresh"
expect_ok unifi_list_clients '"total": 5000' limit=1
expect_ok unifi_list_clients '"total": 1' name=client-4999
# Rows keep only the used fields: far below the 36 MB that the raw
# 5,000-client tree would cost per copy. Sanitizers inflate RSS.
max=120000
grep -qa __asan_init "$RACKTOP" && max=400000
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$RTPID/status")
# Under valgrind (RT_WRAP, make memcheck) the heap is valgrind's.
if [ -n "${RT_WRAP:-}" ]; then echo "note: large: RSS ${rss} kB (RT_WRAP)"
elif [ -n "$rss" ] && [ "$rss" -lt $max ]; then ok "large: RSS ${rss} kB"
else fail "large: RSS ${rss} kB"; fi
stop_rt

[ $fails -eq 0 ] && echo "unifi: all passed" || echo "unifi: $fails failed"
[ $fails -eq 0 ]
