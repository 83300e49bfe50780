#!/bin/sh
# F in the dashboard against the seeded simulator (fixed clock), 140x50:
# the question, racktop_find through the pool, and its answer as text in
# a modal naming every service that knows 10.0.0.40 (the lab's shared
# host homeassistant) with what each knows; Esc asks nothing; a name
# nobody has says so.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
EP="$TMPD/ep.json"
(umask 077; cat >>"$TMPD/racktop.conf" <<EOC
[docker "lab"]
url = $(jq -r .docker.url "$EP")
[unifi "lab"]
url = $(jq -r .unifi.url "$EP")
api_key = $(jq -r .unifi.api_key "$EP")
site = $(jq -r .unifi.site "$EP")
[pihole "lab"]
url = $(jq -r .pihole.url "$EP")
password = $(jq -r .pihole.password "$EP")
[tailscale "lab"]
url = $(jq -r .tailscale.url "$EP")
token = $(jq -r .tailscale.token "$EP")
[netbox "lab"]
url = $(jq -r .netbox.url "$EP")
token = $(jq -r .netbox.token "$EP")
EOC
)
tui_start 140 50 -- --config "$TMPD/racktop.conf"
for s in proxmox docker unifi pihole tailscale netbox; do
	expect "status line: $s" has "$s/lab ok"
done
# The guest agent's address arrives with the first refresh's secondary poll.
agent() {
	"$RACKTOP" call racktop_find query=10.0.0.40 service=proxmox \
	    --socket "$TMPD/s.sock" | jq -e '.total == 1' >/dev/null
}
expect "guest addresses polled" agent

keys F
expect "F asks" has "find (IP, MAC, host name or name):"
text "10.0.0.40"
keys Enter
expect "six services know it" has "10.0.0.40 (ip): 6 matches"
expect "the Proxmox guest" line_has "proxmox/lab" "guest homeassistant"
expect "its vmid" line_has "vmid" "104"
expect "the Docker container" line_has "docker/lab" "container homeassistant"
expect "the UniFi client" line_has "unifi/lab" "client homeassistant"
expect "blocked or not" line_has "blocked" "false"
expect "the Pi-hole client" line_has "pihole/lab" "client homeassistant.lan"
expect "the Tailscale device" line_has "tailscale/lab" "device homeassistant"
keys Escape
expect "the modal closes" lacks "6 matches"
expect "the call is in the activity pane" line_has "racktop_find" "6 items"

keys F
expect "F asks again" has "find (IP, MAC, host name or name):"
keys Escape
expect "Esc asks nothing" lacks "find (IP"

keys F
text "no-such-thing"
keys Enter
expect "nothing known" has "No service's snapshot knows it."
keys q

keys q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ] && echo "find: all passed" || echo "find: $fails failed"
[ $fails -eq 0 ]
