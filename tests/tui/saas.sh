#!/bin/sh
# The Tailscale and Cloudflare panes against the seeded simulator, 120x40:
# the devices pane (online, offline, update available), the tunnels pane
# with health and connections, the zone-traffic pane, and P on a zone
# asking y/n with the purge request from describe, then purging it.
. "${srcdir:-.}/tests/tui/lib.sh"

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services tailscale,cloudflare \
    --endpoints "$TMPD/ep.json" >"$TMPD/sim.log" 2>&1
wait_for test -s "$TMPD/ep.json" || { cat "$TMPD/sim.log"; exit 1; }
CTL=$(jq -r .control "$TMPD/ep.json")
(umask 077; cat >"$TMPD/racktop.conf" <<EOC
[tailscale "lab"]
url = $(jq -r .tailscale.url "$TMPD/ep.json")
token = $(jq -r .tailscale.token "$TMPD/ep.json")
refresh = 1
timeout = 5
[cloudflare "lab"]
url = $(jq -r .cloudflare.url "$TMPD/ep.json")
token = $(jq -r .cloudflare.token "$TMPD/ep.json")
account_id = $(jq -r .cloudflare.account_id "$TMPD/ep.json")
refresh = 2
timeout = 5
EOC
)
tui_start 120 40 -- --config "$TMPD/racktop.conf"
expect "devices pane" has "Tailscale Devices ("
expect "device laptop online" line_has "laptop" "online"
expect "device phone offline" line_has "phone" "offline"
expect "device address" line_has "nas" "100.64.0.2"
expect "tunnels pane" has "Cloudflare Tunnels ("
expect "tunnel homelab healthy" line_has "homelab" "healthy"
expect "tunnel nas down" line_has "nas" "down"
expect "zone traffic pane" has "Cloudflare Zone traffic (24 h)"
expect "zone example.com" line_has "example.com" "active"
expect "status line names the instances" has "cloudflare/lab ok"

# A device going offline behind racktop's back shows within a refresh.
curl -s -X POST -d '{"service":"tailscale","op":"set_online","device":"laptop","online":false}' \
    "$CTL/state" | grep -q '"ok"' || fail "control endpoint refused the change"
expect "laptop shows offline" line_has "laptop" "offline"

# P on the selected zone asks first, with describe's request.
keys 3 Home
keys P
expect "P asks with the purge request" has "/purge_cache"
expect "P asks y/n" has "y: yes, do it"
keys n
expect "n answers no" has "not run"
p0=$(curl -s "$CTL/counts" | jq '.cloudflare["POST /zones/{zone_id}/purge_cache"] // 0')
keys P
expect "asks again" has "y: yes, do it"
keys y
expect "y purges" line_has "cloudflare_purge_cache" "ok"
p1=$(curl -s "$CTL/counts" | jq '.cloudflare["POST /zones/{zone_id}/purge_cache"] // 0')
[ "$p1" -eq $((p0 + 1)) ] && ok "one purge request" || fail "purge requests $p0 -> $p1"

keys '?'
expect "help lists P" has "cloudflare_purge_cache"
keys q q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ]
