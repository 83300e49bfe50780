#!/bin/sh
# The default layout against the seeded simulator (fixed clock), 160x50:
# Docker containers, UniFi clients with their MACs and Pi-hole's query
# count in their panes; b on a UniFi client blocks it (on screen and in
# the simulator) after a y/n naming it, and b again unblocks it; the
# Docker start/stop key, rebound to T by its stop tool's name, stops a
# running container and starts it again (on screen and in the simulator),
# and help shows both toggles; b on a guest starts a backup whose
# progress shows while it waits for the Proxmox task, then its result.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
EP="$TMPD/ep.json"
(umask 077; cat >>"$TMPD/racktop.conf" <<EOC
[racktop]
keys = docker_stop_container=T
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

# The simulator's view, not racktop's: a container's state, and whether
# the controller holds a client blocked.
DOCKER_SOCK=$(jq -r .docker.url "$EP" | sed 's|^unix://||')
sim_container() {
	curl -s --unix-socket "$DOCKER_SOCK" "http://d/v1.43/containers/json?all=1" |
	    jq -r --arg n "/$1" '.[] | select(.Names[0] == $n) | .State'
}
sim_blocked() {
	curl -s -H "X-API-KEY: $(jq -r .unifi.api_key "$EP")" \
	    "$(jq -r .unifi.url "$EP")/proxy/network/api/s/$(jq -r .unifi.site "$EP")/list/user" |
	    jq -r --arg m "$1" '.data[] | select(.mac == $m) | .blocked'
}
is() {
	[ "$("$1" "$2")" = "$3" ]
}

# Help shows each toggle: both actions, the state that switches, both
# tools, and which one asks; the rebound key in place of s.
keys '?'
expect "help opens" has "Keys everywhere:"
: >"$TMPD/help"
for i in 1 2 3 4 5 6; do
	screen >>"$TMPD/help"
	keys NPage
done
keys q
for b in "T        start, or stop when state is running or restarting" \
    "(docker_start_container / docker_stop_container)" \
    "b        block, or unblock when blocked; block asks y/n" \
    "(unifi_block_client / unifi_unblock_client)"; do
	grep -qF -- "$b" "$TMPD/help" || fail "help lacks \"$b\""
done
grep -qF -- "  s        start, or stop" "$TMPD/help" &&
    fail "help still lists s for Docker"
grep -qF -- "  u        unblock" "$TMPD/help" &&
    fail "help still lists u for UniFi"
ok "help shows the toggles"

# T on a running container stops it; on the stopped one, starts it.
keys 4 Home
expect "containers focused, traefik running" line_has "traefik " "running"
expect "the hint says T stops it" has "T stop"
is sim_container traefik running || fail "traefik not running in the simulator"
# s is no longer Docker's (the palette opened after it shows it was read).
keys s :
text "zz"
expect "palette after s" has ":zz"
lacks "traefik: " && ok "s does nothing now" || fail "s still acts on traefik"
keys Escape T
expect "T stops traefik" has "stop traefik: ok"
expect "traefik exited on screen" line_has "traefik " "exited"
expect "traefik exited in the simulator" is sim_container traefik exited
expect "the hint says T starts it" has "T start"
keys T
expect "T starts traefik" has "start traefik: ok"
expect "traefik running on screen" line_has "traefik " "running"
expect "traefik running in the simulator" is sim_container traefik running
expect "activity: the stop" line_has "docker_stop_container" " ok "
expect "activity: the start" line_has "docker_start_container" " ok "

# b on a UniFi client: asks, naming it, then blocks it everywhere.
keys 5
expect "clients focused" has "b block"
is sim_blocked 00:17:88:00:00:00 false || fail "iphone-anna blocked at the start"
keys Home b
expect "the modal names the block" has "block iphone-anna ──"
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
expect "blocked in the simulator" is sim_blocked 00:17:88:00:00:00 true

# b again on the blocked client (still filtered) unblocks it, without
# asking: unifi_unblock_client is not destructive.
expect "the hint says b unblocks" has "b unblock"
keys b
expect "b unblocks iphone-anna" has "unblock iphone-anna: ok"
lacks "y: yes, do it" && ok "unblock does not ask" || fail "unblock asks"
expect "unblocked in the simulator" is sim_blocked 00:17:88:00:00:00 false
expect "iphone-anna back on the network" line_has "iphone-anna" "10.1.0.10"
keys Enter
expect "iphone-anna unblocked on screen" has "blocked: false"
keys q
expect "the hint says b blocks again" has "b block"
expect "activity: the unblock" line_has "unifi_unblock_client" "ok"
keys / Escape
expect "the filter cleared" lacks "filter: iphone"

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
