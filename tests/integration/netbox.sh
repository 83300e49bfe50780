#!/bin/bash
# NetBox backend end to end: racktop --headless against racktop-sim
# through the socket, every netbox_* tool, and the failure paths: a full
# prefix, a bad DNS name, an unknown interface or site, a duplicate VLAN,
# an interface that already has a cable, the v2 (Bearer nbt_) token, a
# refused token, HTTP faults; the token never appears in a result, an
# error or the log.
# Needs RACKTOP and RACKTOP_SIM (paths to the binaries), jq, curl.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
for tool in jq curl; do
	command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done

S=$TMPD/sim
mkdir -p "$S"
start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services netbox \
    --endpoints "$S/ep.json" >"$S/sim.log" 2>&1
wait_for test -s "$S/ep.json" || { cat "$S/sim.log"; exit 1; }
URL=$(jq -r .netbox.url "$S/ep.json")
TOKEN=$(jq -r .netbox.token "$S/ep.json")
TOKEN2=$(jq -r .netbox.v2.token "$S/ep.json")
CTL=$(jq -r .control "$S/ep.json")

# start_rt DIR CONFIG-LINES: a headless racktop with one [netbox "home"].
start_rt() {
	mkdir -p "$1"
	(umask 077; printf '[racktop]\nlog = %s\n[netbox "home"]\n%s\nrefresh = 1\ntimeout = 3\n' \
	    "$1/rt.log" "$2" >"$1/racktop.conf")
	start_bg "$RACKTOP" --headless --config "$1/racktop.conf" \
	    --socket "$1/s.sock" 2>"$1/rt.err"
	wait_for test -S "$1/s.sock" || { cat "$1/rt.err"; exit 1; }
}
call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool jq-expr args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && jq -e "$g" "$T/out" >/dev/null 2>&1; then ok "$t $*"
	else fail "$t $*: $(head -c 600 "$T/out"; head -3 "$T/err")"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then ok "$t $* fails: $g"
	else fail "$t $* (rc $rc): $(head -c 600 "$T/out"; head -5 "$T/err")"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }
leak_check() { # the token in anything racktop wrote
	if grep -qF -- "$1" "$T"/out "$T"/err "$T"/rt.log "$T"/rt.err 2>/dev/null
	then fail "the token leaked: $(grep -lF -- "$1" "$T"/*)"
	else ok "no token in results, errors or the log ($2)"; fi
}

start_rt "$TMPD/v1" "url = $URL
token = $TOKEN"
T=$TMPD/v1
polled() { call racktop_status service=netbox && jq -e '.items[0].state == "ok"' "$T/out"; }
wait_for polled || fail "first poll: $(cat "$T/out")"

# Devices and their filters.
expect_ok netbox_list_devices '.total == 7 and all(.items[]; .instance == "home")'
expect_ok netbox_list_devices '.total == 4 and ([.items[].name] | sort) == ["nas","pve1","pve2","pve3"]' role=server
expect_ok netbox_list_devices '.total == 1 and .items[0].name == "old-router" and .items[0].status == "offline"' tag=legacy
expect_ok netbox_list_devices '.total == 1 and .items[0].name == "old-router"' status=offline
expect_ok netbox_list_devices '.total == 0' site=cabin
expect_ok netbox_list_devices '.items[0].primary_ip == "10.0.0.11/24"' search=pve1
expect_err netbox_list_devices 'status' status=broken

# Prefixes with utilisation computed from the addresses inside.
expect_ok netbox_list_prefixes '.total == 3'
expect_ok netbox_list_prefixes '.items[0].prefix == "10.0.1.0/29" and .items[0].used == 6 and .items[0].utilisation == 1' min_utilisation=100
expect_ok netbox_list_prefixes '(.items[] | select(.prefix == "10.0.0.0/24") | .size == 254 and .used > 3 and .vlan == 10 and .utilisation == (.used / 254))'

# Addresses: all, inside a prefix, by VM, by device.
expect_ok netbox_list_ip_addresses '.total > 10' limit=1000
expect_ok netbox_list_ip_addresses '.total == 6 and all(.items[]; .ip | startswith("10.0.1."))' prefix=10.0.1.0/29
expect_ok netbox_list_ip_addresses '.total == 1 and .items[0].ip == "10.0.0.40" and .items[0].interface == "eth0"' vm=homeassistant
expect_ok netbox_list_ip_addresses '.total == 1 and .items[0].device == "pve2"' device=pve2
expect_err netbox_list_ip_addresses 'prefix' prefix=lan

# Allocation: the next free address with a DNS name, assigned to pve3's
# interface; a VM's interface; a full prefix; bad input.
expect_ok netbox_allocate_ip '.status == "ok" and .ip == "10.0.0.1" and .address == "10.0.0.1/24" and .dns_name == "grafana.lab" and .device == "pve3" and .interface == "eth0"' \
    prefix=10.0.0.0/24 dns_name=grafana.lab description=dashboards device=pve3 interface=eth0
expect_ok netbox_allocate_ip '.ip == "10.0.0.2" and .vm == "web01" and .address_status == "reserved"' \
    prefix=10.0.0.0/24 vm=web01 interface=eth0 status=reserved
expect_ok netbox_list_ip_addresses '.total == 1 and .items[0].dns_name == "grafana.lab"' search=grafana.lab max_age_s=0
expect_err netbox_allocate_ip 'no free address' prefix=10.0.1.0/29
expect_err netbox_allocate_ip 'no prefix 10.9.0.0/24' prefix=10.9.0.0/24
expect_err netbox_allocate_ip 'no interface eth9 on device pve3' prefix=10.0.0.0/24 device=pve3 interface=eth9
expect_err netbox_allocate_ip 'interface' prefix=10.0.0.0/24 device=pve3
expect_err netbox_allocate_ip 'dns_name' prefix=10.0.0.0/24 'dns_name=bad name'
expect_err netbox_allocate_ip 'prefix' prefix=10.0.0.0
# A repeat with the same idempotency_key returns the first address.
expect_ok netbox_allocate_ip '.ip == "10.0.0.3"' prefix=10.0.0.0/24 idempotency_key=alloc-1
expect_ok netbox_allocate_ip '.ip == "10.0.0.3"' prefix=10.0.0.0/24 idempotency_key=alloc-1

# VLANs.
expect_ok netbox_create_vlan '.result == "created" and .vid == 40 and .name == "cameras" and .site == "home" and .group == "" and .status == "active"' vid=40 name=cameras site=home
expect_ok netbox_create_vlan '.group == "home-vlans" and .status == "reserved"' vid=50 name=guests group=home-vlans status=reserved
expect_err netbox_create_vlan 'already exists' vid=10 name=dup site=home
expect_err netbox_create_vlan 'site: Related object not found' vid=60 name=x site=nowhere
expect_err netbox_create_vlan 'vid' vid=5000 name=x

# Cables: connect pve3 to the switch (dry run first), refuse a second
# cable, remove by interface and by id.
expect_ok netbox_update_cable_map '.status == "dry_run" and .requests[0].method == "POST" and .requests[0].body.a_terminations[0].object_type == "dcim.interface"' \
    action=connect a_device=pve3 a_interface=eth0 b_device=usw-24 b_interface=port3 dry_run=true
expect_ok netbox_update_cable_map '.status == "connected" and .cable.a[0].device == "pve3" and .cable.b[0].interface == "port3" and .cable.label == "pve3-uplink"' \
    action=connect a_device=pve3 a_interface=eth0 b_device=usw-24 b_interface=port3 label=pve3-uplink
CABLE=$(jq .cable.id "$T/out")
expect_err netbox_update_cable_map 'already has a cable' action=connect a_device=pve3 a_interface=eth0 b_device=usw-24 b_interface=port4
expect_err netbox_update_cable_map 'connect needs' action=connect a_device=pve3
expect_ok netbox_update_cable_map ".status == \"dry_run\" and .requests[0].method == \"DELETE\" and .requests[0].path == \"/dcim/cables/$CABLE/\"" \
    action=remove a_device=pve3 a_interface=eth0 dry_run=true
expect_ok netbox_update_cable_map ".status == \"removed\" and .target.cable_id == $CABLE" action=remove cable_id=$CABLE
expect_err netbox_update_cable_map 'pve3 eth0 has no cable' action=remove a_device=pve3 a_interface=eth0
expect_ok netbox_update_cable_map '.status == "removed" and .target.cable_id > 0' action=remove a_device=pve1 a_interface=eth0
expect_err netbox_update_cable_map 'HTTP 404' action=remove cable_id=99999

# Search: every object type at once, merged.
expect_ok netbox_search 'any(.items[]; .type == "ip-address" and .name == "10.0.0.40/24") and any(.items[]; .type == "virtual-machine" and .name == "homeassistant")' query=homeassistant
expect_ok netbox_search 'all(.items[]; .type == "prefix") and .total == 1' query=10.0.1.0 --json '{"types":["prefix"]}'
expect_ok netbox_search 'any(.items[]; .type == "vlan" and .detail.vid == 30)' query=iot
expect_ok netbox_search '.total == 0' query=nothing-matches-this

# Faults: an upstream 500 and garbage are errors naming the request; a
# live read fails while the snapshot read still answers.
fault '{"service":"netbox","kind":"status","status":500,"count":-1}'
expect_err netbox_list_devices 'HTTP 500' max_age_s=0
expect_err netbox_search 'HTTP 500' query=pve1
expect_ok netbox_list_devices '.total == 7' max_age_s=3600
nofault; fault '{"service":"netbox","kind":"garbage","count":-1}'
expect_err netbox_list_prefixes 'invalid JSON' max_age_s=0
nofault; fault '{"service":"netbox","kind":"auth","count":-1}'
expect_err netbox_list_devices 'token refused (Invalid token)' max_age_s=0
expect_err netbox_allocate_ip 'token refused' prefix=10.0.0.0/24
nofault
leak_check "$TOKEN" "v1"

# The v2 token goes as Bearer; a wrong token is refused, and says so
# in racktop_status without the token.
start_rt "$TMPD/v2" "url = $URL
token = $TOKEN2"
T=$TMPD/v2
expect_ok netbox_list_devices '.total == 7' max_age_s=0
leak_check "$TOKEN2" "v2"
start_rt "$TMPD/bad" "url = $URL
token = nbt_0000.wrongwrongwrong"
T=$TMPD/bad
expect_err netbox_list_devices 'token refused' max_age_s=0
refused() { call racktop_status service=netbox && jq -e '.items[0].state == "auth_failed"' "$T/out"; }
wait_for refused && ok "racktop_status: auth_failed" || fail "status: $(cat "$T/out")"
leak_check "nbt_0000.wrongwrongwrong" "bad token"

# Configuration errors name the key.
mkdir -p "$TMPD/cfg"
(umask 077; printf '[netbox "x"]\nurl = %s\n' "$URL" >"$TMPD/cfg/racktop.conf")
if "$RACKTOP" call racktop_status --config "$TMPD/cfg/racktop.conf" \
    --socket "$TMPD/cfg/none.sock" >"$TMPD/cfg/out" 2>&1; then
	fail "a missing token was accepted"
elif grep -q 'token: missing' "$TMPD/cfg/out"; then ok "missing token named"
else fail "missing token: $(cat "$TMPD/cfg/out")"; fi

[ $fails -eq 0 ] && echo "netbox: all passed" || echo "netbox: $fails failed"
[ $fails -eq 0 ]
