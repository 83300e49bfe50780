#!/bin/sh
# The operator's input against the seeded simulator, 100x40: keys rebound
# in the configuration (a global action and a row key) work and help lists
# them; an unknown action is refused; mouse clicks (raw X10 reports, as a
# terminal sends them) focus a pane and select the row under them; Pi-hole
# d asks for minutes and, with two Pi-holes shown, says and does it on
# both; a long action (gravity, slowed by a simulator latency fault) shows
# progress while the screen stays live, then its result.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
EP="$TMPD/ep.json"
CONF="$TMPD/racktop.conf"
mv "$CONF" "$TMPD/proxmox.conf"
(umask 077; cat >"$CONF" <<EOC
[racktop]
keys = help=F1, quit=Q, proxmox_reboot_vm=R
mouse = true
$(cat "$TMPD/proxmox.conf")
[pihole "home"]
url = $(jq -r .pihole.url "$EP")
password = $(jq -r .pihole.password "$EP")
refresh = 1
timeout = 30
[pihole "lab"]
url = $(jq -r .pihole.url "$EP")
password = $(jq -r .pihole.password "$EP")
refresh = 1
timeout = 30
EOC
)

# click Y X: a left press and release at screen cell (X, Y), 0-based, as
# the X10 mouse report the terminal would send (ESC [ M b x y, +32 each).
click() {
	$T send-keys -H 1b 5b 4d 20 $(printf '%x %x' $(($2 + 33)) $(($1 + 33))) \
	    1b 5b 4d 23 $(printf '%x %x' $(($2 + 33)) $(($1 + 33)))
}
# wheel Y X: one notch down at (X, Y).
wheel() {
	$T send-keys -H 1b 5b 4d 61 $(printf '%x %x' $(($2 + 33)) $(($1 + 33)))
}
# line_of TEXT: the 0-based screen line of the first line showing TEXT.
line_of() {
	screen | grep -nF -- "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'
}

tui_start 100 40 -- --config "$CONF"
expect "guests appear" has "web01"
expect "two Pi-holes" line_has "lab " "enabled"
expect "hints show the rebound keys" has "F1 help"
expect "hints show the rebound quit" has "Q quit"

# The rebound keys: ? no longer opens help (the palette opened after it
# shows it was read), F1 does and lists the bindings in effect.
keys '?' :
text "zz"
expect "palette after ?" has ":zz"
lacks "Keys everywhere:" && ok "? is unbound" || fail "? still opens help"
keys Escape F1
expect "F1 opens help" has "Keys everywhere:"
screen >"$TMPD/help"
keys NPage
screen >>"$TMPD/help"
keys End
expect "help ends with the configuration" has "keys = "
screen >>"$TMPD/help"
for b in "F1       this help" "Q        quit" "R        reboot (proxmox_reboot_vm)" \
    "keys = " "Mouse (on)"; do
	grep -qF -- "$b" "$TMPD/help" || fail "help lacks \"$b\""
done
grep -qF -- "  ?        this help" "$TMPD/help" && fail "help still lists ?"
grep -qF -- "  r        reboot" "$TMPD/help" && fail "help still lists r"
ok "help lists the effective bindings"
keys q
expect "help closes" lacks "Keys everywhere:"
keys Home r :
text "zz"
expect "palette after r" has ":zz"
lacks "y: yes, do it" && ok "r no longer reboots" || fail "r still asks"
keys Escape R
expect "R asks for the reboot" has "/nodes/pve1/qemu/100/status/reboot"
keys n
expect "n answers no" has "not run"

# Mouse: a click on gitea selects it in the focused guests pane.
y=$(line_of " gitea ")
click "$y" 5
keys Enter
expect "click selects gitea" has "name: gitea"
keys q
expect "gitea's detail closes" lacks "name: gitea"
# A click on a row of another pane focuses that pane and selects the row.
y=$(line_of "pve2         online")
click "$y" 2
keys Enter
expect "click selects pve2" has "node: pve2"
lacks "vmid:" && ok "the detail is the node's" || fail "a guest's detail"
keys q
expect "detail closes" lacks "node: pve2"
# The wheel over the guests pane focuses it and moves down a row.
keys 1 Home
y=$(line_of " web01 ")
wheel "$y" 5
keys Enter
expect "wheel moves to db01" has "name: db01"
keys q
expect "db01's detail closes" lacks "name: db01"

# Pi-hole d: asks minutes (default 5), says it acts on both, Esc cancels.
keys 4
expect "Pi-hole pane focused" has "d disable"
y=$(line_of "lab      lab")
click "$y" 2
keys Enter
expect "click selects the lab Pi-hole" has "queries_total:"
has "instance: lab" && ok "the lab row" || fail "not the lab row"
keys q
expect "the Pi-hole detail closes" lacks "queries_total:"
keys d
expect "d asks minutes on both" \
    has "disable on both Pi-hole instances (home, lab) - minutes [5]:"
keys Escape
expect "Esc: not run" has "disable all: not run"
n0=$(curl -s "$CTL/counts" | jq '.pihole["POST /dns/blocking"] // 0')
keys d
expect "d asks again" has "minutes [5]:"
keys Enter
expect "the preview names both" has '"instance": "lab"'
expect "the preview names home" has '"instance": "home"'
expect "the default is 5 minutes" has '"timer": 300'
keys y
expect "home disabled" line_has "home     home" "disabled"
expect "lab disabled" line_has "lab      lab" "disabled"
expect "timer shown as a duration" line_has "lab      lab" "5m"
n1=$(curl -s "$CTL/counts" | jq '.pihole["POST /dns/blocking"] // 0')
[ "$n1" -eq $((n0 + 2)) ] && ok "two blocking requests" ||
    fail "blocking requests $n0 -> $n1"
expect "activity: instance=all" line_has "pihole_disable_blocking" "instance=all"
keys d
text "x"
keys Enter
expect "a bad number is refused" has "is not a whole number"

# A long action: gravity held 6 s by the simulator shows progress, the
# screen answers keys meanwhile, then the result shows.
ms=$((6000 * RT_TIMEOUT_SCALE))
curl -s -X POST -d "{\"service\":\"pihole\",\"endpoint\":\"POST /action/gravity\",\"kind\":\"latency\",\"ms\":$ms,\"count\":1}" \
    "$CTL/faults" | grep -q '"ok"' || fail "control endpoint refused the fault"
keys u
expect "gravity shows progress" has "gravity lab: gravity: starting"
expect "activity: gravity running" line_has "pihole_update_gravity" "running"
keys Tab Enter
expect "keys work meanwhile" has "domain: doubleclick.net"
has "| 1 running" && ok "gravity still running meanwhile" ||
    fail "gravity finished before the screen was checked"
keys q
expect "gravity result" line_has "pihole_update_gravity" " ok "
expect "gravity result message" has "gravity lab: ok"
keys Q
expect "Q quits" has "racktop-exit=0"

# A bad binding is refused before the screen starts.
(umask 077; printf '[racktop]\nkeys = explode=x\n' >"$TMPD/bad.conf"
cat "$TMPD/proxmox.conf" >>"$TMPD/bad.conf")
tui_start 100 30 -- --config "$TMPD/bad.conf"
expect "unknown action refused" has "racktop-exit=2"
grep -q 'keys: unknown action "explode"' "$TMPD/rt.err" ||
    fail "unknown action: $(cat "$TMPD/rt.err")"

# --mouse turns the mouse on without the configuration.
tui_start 100 30 -- --config "$TMPD/proxmox.conf" --mouse
expect "--mouse: guests" has "web01"
y=$(line_of " gitea ")
click "$y" 5
keys Enter
expect "--mouse: click selects gitea" has "name: gitea"
keys q q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ]
