#!/bin/sh
# The default layout against the seeded simulator (fixed clock), 160x50:
# Docker containers, UniFi clients with their MACs and Pi-hole's query
# count in their panes; b on a UniFi client blocks it (on screen and in
# the simulator) after a y/n naming it; b on a guest starts a backup whose
# progress shows while it waits for the Proxmox task, then its result.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
EP="$TMPD/ep.json"
(umask 077; cat >>"$TMPD/racktop.conf" <<EOC
[docker "lab"]
url = $(jq -r .docker.url "$EP")
refresh = 1
[unifi "lab"]
url = $(jq -r .unifi.url "$EP")
api_key = $(jq -r .unifi.api_key "$EP")
site = $(jq -r .unifi.site "$EP")
refresh = 1
[pihole "lab"]
url = $(jq -r .pihole.url "$EP")
password = $(jq -r .pihole.password "$EP")
refresh = 1
EOC
)
tui_start 160 50 -- --config "$TMPD/racktop.conf"
expect "guests" has "web01"
expect "containers pane" has "Docker Containers ("
for c in traefik grafana prometheus; do
	expect "container $c" line_has "$c" "running"
done
expect "pihole container healthy" line_has "pihole/pihole" "healthy"
expect "clients pane" has "UniFi Network Clients ("
expect "client iphone-anna's MAC" line_has "iphone-anna" "00:17:88:00:00:00"
expect "client macbook-ben's MAC" line_has "macbook-ben" "ec:b5:fa:00:00:01"
expect "Pi-hole query count" line_has "enabled" "24180"
expect "Pi-hole blocked %" line_has "enabled" "17.1%"
for s in proxmox docker unifi pihole; do
	expect "status line: $s" has "$s/lab ok"
done
# The seeded lab's unhealthy container is a problem, first and critical.
expect "problems pane" has "Problems (1 critical"
expect "unhealthy container listed" line_has "CRIT docker/lab" \
    "container nextcloud is unhealthy"

# b on a UniFi client: asks, naming it, then blocks it everywhere.
keys 5
expect "clients focused" has "b block"
keys Home b
expect "block asks with the request" has "block-sta"
expect "block names the MAC" has "00:17:88:00:00:00"
keys y
# Blocked clients drop off the network: no IP, no AP; the detail says it.
expect "iphone-anna off the network" line_has "iphone-anna   -  " "00:17:88"
keys /
text "iphone"
keys Enter
expect "filter keeps iphone-anna" has "filter: iphone"
keys Enter
expect "iphone-anna blocked on screen" has "blocked: true"
keys q
expect "detail closes" lacks "blocked: true"
b=$(curl -s "$CTL/counts" | jq '[to_entries[] | select(.key == "unifi") | .value | to_entries[] | select(.key | test("cmd/stamgr")) | .value] | add // 0')
[ "$b" -ge 1 ] && ok "the simulator got the block" ||
    fail "no stamgr request in the simulator"
expect "activity: the block" line_has "unifi_block_client" "ok"

# b on a guest: a backup, which waits for its task: progress, then result.
keys 1 Home b
expect "backup shows progress" has "backup 100: 0% waiting for 1 task"
expect "activity: backup running" line_has "proxmox_create_backup" "running"
curl -s -X POST -d '{"ms":3600000}' "$CTL/clock/advance" | grep -q . ||
    fail "clock advance"
expect "backup result" line_has "proxmox_create_backup" " ok "
keys q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ]
