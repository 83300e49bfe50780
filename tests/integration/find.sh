#!/bin/bash
# racktop_find and racktop_drift end to end against racktop-sim: the
# seeded lab's host homeassistant (10.0.0.40, bc:24:11:4a:01:04) is a
# Proxmox guest (its address from the guest-agent secondary poll), a
# Docker container, a UniFi client, a Pi-hole client, a Tailscale device
# and a NetBox address; one lookup by address, MAC or name returns all of
# them from snapshots, without an upstream request. Drift in both
# directions; the secondary poll runs outside the regular refresh.
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
start_bg "$RACKTOP_SIM" --seed 1 --clock fixed \
    --services proxmox,docker,unifi,pihole,tailscale,netbox \
    --endpoints "$S/ep.json" >"$S/sim.log" 2>&1
wait_for test -s "$S/ep.json" || { cat "$S/sim.log"; exit 1; }
CTL=$(jq -r .control "$S/ep.json")
ep() { jq -r "$1" "$S/ep.json"; }

# start_rt DIR REFRESH IP_REFRESH: racktop with all six services.
start_rt() {
	mkdir -p "$1"
	(umask 077; cat >"$1/racktop.conf" <<EOF
[proxmox "lab"]
url = $(ep .proxmox.url)
token_id = $(ep .proxmox.token_id)
token = $(ep .proxmox.token)
refresh = $2
ip_refresh = $3

[docker "lab"]
url = $(ep .docker.url)
refresh = $2

[unifi "lab"]
url = $(ep .unifi.url)
api_key = $(ep .unifi.api_key)
refresh = $2

[pihole "lab"]
url = $(ep .pihole.url)
password = $(ep .pihole.password)
refresh = $2

[tailscale "lab"]
url = $(ep .tailscale.url)
token = $(ep .tailscale.token)
refresh = $2

[netbox "lab"]
url = $(ep .netbox.url)
token = $(ep .netbox.token)
refresh = $2
EOF
	)
	start_bg "$RACKTOP" --headless --config "$1/racktop.conf" \
	    --socket "$1/s.sock" 2>"$1/rt.log"
	wait_for test -S "$1/s.sock" || { cat "$1/rt.log"; exit 1; }
}
call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool jq-expr args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && jq -e "$g" "$T/out" >/dev/null 2>&1; then ok "$t $*"
	else fail "$t $*: $(head -c 900 "$T/out"; head -3 "$T/err")"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then ok "$t $* fails: $g"
	else fail "$t $* (rc $rc): $(head -c 600 "$T/out"; head -5 "$T/err")"; fi
}
counts() { curl -s "$CTL/counts" | jq -S 'del(.control)'; }

# A racktop that polls once (then every 10 minutes): its snapshots are
# all the lookups have.
start_rt "$TMPD/a" 600 600
T=$TMPD/a
SIX='["docker","netbox","pihole","proxmox","tailscale","unifi"]'
all_six() {
	call racktop_find query=10.0.0.40 &&
	    jq -e "[.items[].service] | unique == $SIX" "$T/out"
}
wait_for all_six || fail "not every service answered: $(head -c 900 "$T/out")"

# By address: one hit per service, each what that service knows.
expect_ok racktop_find ".query == \"10.0.0.40\" and .query_kind == \"ip\" and .total == 6 and
    ([.items[].service] | unique) == $SIX and all(.items[]; .match == \"ip\" and .instance == \"lab\" and .age_ms >= 0)" \
    query=10.0.0.40
check() { jq -e "$2" "$T/out" >/dev/null && ok "$1" || fail "$1: $(jq -c "$3" "$T/out")"; }
hit() { echo ".items[] | select(.service == \"$1\")"; }
check "proxmox: guest 104 on pve3, its agent's address and MAC" \
    "$(hit proxmox) | .kind == \"guest\" and .name == \"homeassistant\" and .detail.vmid == 104 and .detail.node == \"pve3\" and .detail.ips == [\"10.0.0.40\"] and .detail.macs == [\"bc:24:11:4a:01:04\"]" "$(hit proxmox)"
check "docker: the container on the lan network" \
    "$(hit docker) | .kind == \"container\" and .name == \"homeassistant\" and .detail.state == \"running\" and (.detail.ips | index(\"10.0.0.40\")) != null" "$(hit docker)"
check "unifi: the wired client, its switch, not blocked" \
    "$(hit unifi) | .kind == \"client\" and .name == \"homeassistant\" and .detail.type == \"wired\" and .detail.blocked == false and (.detail.uplink | length) > 0 and .detail.mac == \"bc:24:11:4a:01:04\"" "$(hit unifi)"
check "pihole: the client, its queries and blocked count" \
    "$(hit pihole) | .kind == \"client\" and .name == \"homeassistant.lan\" and .detail.queries > 0 and .detail.blocked > 0 and .detail.blocked < .detail.queries" "$(hit pihole)"
check "tailscale: the device whose endpoint is the address" \
    "$(hit tailscale) | .kind == \"device\" and .name == \"homeassistant\" and (.detail.endpoints | index(\"10.0.0.40\")) != null and (.detail.addresses | length) == 2" "$(hit tailscale)"
check "memory entities: the guest, the container and the client, nothing else" \
    '[.items[] | select(.entity != null) | .entity] | sort == ["docker:homeassistant", "pve:qemu/104", "unifi:bc:24:11:4a:01:04"]' \
    '[.items[] | {service, entity}]'
check "netbox: the documented address of the VM" \
    "$(hit netbox) | .kind == \"ip-address\" and .name == \"10.0.0.40/24\" and .detail.vm == \"homeassistant\" and .detail.dns_name == \"homeassistant.lan\"" "$(hit netbox)"

# By MAC in another spelling, by name in any case, by DNS name.
expect_ok racktop_find '.query == "bc:24:11:4a:01:04" and .query_kind == "mac" and ([.items[].service] | unique) == ["docker","proxmox","unifi"]' \
    query=BC24.114A.0104
expect_ok racktop_find ".query_kind == \"name\" and ([.items[].service] | unique) == $SIX and all(.items[]; .match == \"name\")" \
    query=HomeAssistant
expect_ok racktop_find ".query == \"homeassistant.lan\" and ([.items[].service] | unique) == $SIX" \
    'query= homeassistant.LAN '
# A Tailscale address, a vmid, a node's address, a service filter.
expect_ok racktop_find '.total == 1 and .items[0].service == "tailscale" and .items[0].name == "nas"' query=100.64.0.2
expect_ok racktop_find '.total == 1 and .items[0].kind == "guest" and .items[0].name == "db01"' query=101
expect_ok racktop_find 'any(.items[]; .service == "proxmox" and .kind == "node" and .name == "pve2") and any(.items[]; .service == "netbox" and .kind == "ip-address")' query=10.0.0.12
expect_ok racktop_find '.total == 1 and .items[0].service == "unifi"' query=10.0.0.40 service=unifi
expect_ok racktop_find '.total == 0' query=10.9.9.9
expect_ok racktop_find '.total == 0' query=nothing-is-called-this
expect_err racktop_find 'query: empty' 'query=   '
expect_err racktop_find 'query' service=unifi

# Answered from snapshots: no request reaches any upstream.
counts >"$T/before"
for q in 10.0.0.40 homeassistant bc:24:11:4a:01:04 pve1 10.0.0.99; do
	call racktop_find query=$q
done
call racktop_drift
counts >"$T/after"
if cmp -s "$T/before" "$T/after"; then ok "no upstream request for lookups"
else fail "upstream requests: $(diff "$T/before" "$T/after" | head -10)"; fi

# Drift, both directions.
expect_ok racktop_drift '.total > 0 and all(.items[]; .side == "undocumented" or .side == "unseen")'
check "pihole's 10.0.0.20 is undocumented" '.items[] | select(.ip == "10.0.0.20") | .side == "undocumented" and .seen_by[0].service == "pihole"' '.items[] | select(.ip == "10.0.0.20")'
check "guest 101's agent address is undocumented" '.items[] | select(.ip == "10.0.0.51") | .side == "undocumented" and .seen_by[0].service == "proxmox" and .seen_by[0].name == "db01"' '.items[] | select(.ip == "10.0.0.51")'
check "NetBox's 10.0.0.99 is unseen" '.items[] | select(.ip == "10.0.0.99") | .side == "unseen" and .documented[0].name == "printer-old.lan" and .documented[0].service == "netbox"' '.items[] | select(.ip == "10.0.0.99")'
check "guest 110 without an agent is unseen" '.items[] | select(.ip == "10.0.0.60") | .side == "unseen" and .documented[0].name == "k3s-worker2"' '.items[] | select(.ip == "10.0.0.60")'
check "homeassistant and the nodes agree" '[.items[].ip] | (index("10.0.0.40") == null and index("10.0.0.11") == null)' '[.items[].ip]'
check "outside NetBox's prefixes is left out" '[.items[].ip | select(startswith("172.17.") or startswith("100.64."))] | length == 0' '[.items[].ip]'
expect_ok racktop_drift '.total > 0 and all(.items[]; .side == "unseen")' side=unseen
expect_ok racktop_drift 'all(.items[]; .side == "undocumented") and any(.items[]; .ip | startswith("172.17.")) and any(.items[]; .ip == "100.64.0.1")' side=undocumented scope=all
expect_err racktop_drift 'no configured service documents addresses' service=docker

# The secondary poll: every running guest once per ip_refresh, outside
# the regular refresh (which here runs every second).
c0=$(curl -s "$CTL/counts")
start_rt "$TMPD/b" 1 600
T=$TMPD/b
agent() { curl -s "$CTL/counts" | jq '[.proxmox | to_entries[] | select(.key | test("agent/network-get-interfaces|lxc/\\{vmid\\}/interfaces")) | .value] | add'; }
res() { curl -s "$CTL/counts" | jq '.proxmox["GET /cluster/resources"]'; }
a0=$(echo "$c0" | jq '[.proxmox | to_entries[] | select(.key | test("agent/network-get-interfaces|lxc/\\{vmid\\}/interfaces")) | .value] | add')
r0=$(res)
moved() { [ "$(res)" -ge $((r0 + 3)) ]; }
wait_for moved || fail "no regular refreshes"
a1=$(agent)
# 10 running QEMU guests and 7 running containers, asked once.
[ $((a1 - a0)) -eq 17 ] && ok "one round: 17 guests asked once while the regular poll ran $(($(res) - r0)) times" ||
    fail "secondary poll asked $((a1 - a0)) times (want 17)"
# ip_refresh = 0: no secondary poll, so no guest addresses.
start_rt "$TMPD/c" 600 0
T=$TMPD/c
five() {
	call racktop_find query=10.0.0.40 &&
	    jq -e '[.items[].service] | unique == ["docker","netbox","pihole","tailscale","unifi"]' "$T/out"
}
wait_for five && ok "ip_refresh = 0: no guest addresses" || fail "ip_refresh = 0: $(head -c 600 "$T/out")"
# A bad ip_refresh is refused, naming the key.
mkdir -p "$TMPD/bad"
(umask 077; printf '[proxmox "x"]\nurl = http://127.0.0.1:1\ntoken_id = a@pve!b\ntoken = c\nip_refresh = -5\n' >"$TMPD/bad/racktop.conf")
if "$RACKTOP" call racktop_status --config "$TMPD/bad/racktop.conf" \
    --socket "$TMPD/bad/none.sock" >"$TMPD/bad/out" 2>&1; then
	fail "ip_refresh = -5 accepted"
elif grep -q 'ip_refresh' "$TMPD/bad/out"; then ok "bad ip_refresh named"
else fail "bad ip_refresh: $(cat "$TMPD/bad/out")"; fi

[ $fails -eq 0 ] && echo "find: all passed" || echo "find: $fails failed"
[ $fails -eq 0 ]
