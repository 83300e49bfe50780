#!/bin/sh
# The dashboard against the seeded simulator (fixed clock), 100x30: guests
# from the lab in the Proxmox pane, a filter that narrows the rows, a state
# change through the simulator's control endpoint shown within a refresh,
# the detail view (its memories: not configured), a destructive key asking
# y/n with describe's request, the palette calling a tool with completion,
# help listing every binding, and q quitting.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
tui_start 100 30 -- --config "$TMPD/racktop.conf"
expect "guests appear" has "web01"
for g in db01 gitea k3s-master; do
	expect "guest $g shown" has "$g"
done
keys End
for g in pihole nginx-proxy mosquitto; do
	expect "End shows guest $g" has "$g"
done
keys Home
expect "node gauges" line_has "pve1" "online"
expect "status line names the instance" has "proxmox/lab ok"
expect "activity pane" has "Activity (0 calls)"

# Filter: / narrows the focused (guests) pane as one types.
keys /
text "k3s-w"
expect "filter narrows to two rows" has "Guests (2 of 20) filter: k3s-w"
expect "filter keeps k3s-worker1" has "k3s-worker1"
expect "filter drops web01" lacks "web01"
keys Escape
expect "Esc clears the filter" has "web01"

# A state change made behind racktop's back shows within one refresh.
expect "db01 running" line_has "db01" "running"
curl -s -X POST -d '{"service":"proxmox","op":"set_guest_status","vmid":101,"status":"stopped"}' \
    "$CTL/state" | grep -q '"ok"' || fail "control endpoint refused the change"
expect "db01 shows stopped" line_has " db01 " "stopped"

# Enter: every field of the selected row.
keys Home Enter
expect "detail shows the row's fields" has "maxmem:"
# No [memory] section: the guest's memories section says so (under the
# fields, a page down at 80x24).
keys Space
expect "detail: memory not configured" has "memory not configured"
has "Memories of pve:qemu/100:" && ok "detail names the guest's entity" ||
    fail "no memories section for web01"
keys q
expect "detail closes" lacks "maxmem:"

# A destructive key asks, showing describe's request; n does nothing.
keys Home r
expect "reboot asks with the request" has "/nodes/pve1/qemu/100/status/reboot"
expect "reboot asks y/n" has "y: yes, do it"
keys n
expect "n answers no" has "not run"
keys r
expect "asks again" has "y: yes, do it"
keys y
expect "y runs the reboot" line_has "proxmox_reboot_vm" "ok"

# The palette completes a tool name and runs it.
keys :
text "proxmox_list_no"
keys Tab
expect "palette completes the tool" has ":proxmox_list_nodes"
keys Enter
expect "palette shows the result" has '"node": "pve2"'
keys q
expect "palette call in activity" line_has "proxmox_list_nodes" "3 items"
keys :
text "proxmox_get_vm_status vm"
keys Tab
expect "palette completes an argument" has ":proxmox_get_vm_status vmid="

keys Escape '?'
expect "help opens" has "Keys everywhere:"
screen >"$TMPD/help"
keys NPage
expect "help pages" lacks "Keys everywhere:"
screen >>"$TMPD/help"
keys End
expect "help lists row keys" has "proxmox_reboot_vm"
screen >>"$TMPD/help"
for b in "q        quit" "Tab " "S-Tab " "Up " "Down " "j " "k " "PgUp " \
    "PgDn " "Home " "End " "g " "G " "/ " ": " "? " "Enter " "> " "< " \
    "z " "1-9 " "C-L " "F5 " "s        start" "S        shutdown" \
    "r        reboot"; do
	grep -qF -- "  $b" "$TMPD/help" || fail "help lacks \"$b\""
done
ok "help lists every binding"
keys q

# Focus and zoom.
keys 2
expect "2 focuses the nodes" has "Nodes (3)"
keys 2
expect "2 again zooms" has "[zoom]"
expect "zoom hides other panes" lacks "Activity ("
keys z

# A call from outside (the CLI, as an agent would) shows in the activity pane.
"$RACKTOP" call proxmox_get_cluster_status --socket "$TMPD/s.sock" >/dev/null ||
    fail "racktop call through the dashboard's socket"
expect "a CLI call shows in the activity pane" line_has "cli" \
    "proxmox_get_cluster_status"

keys q
expect "q quits" has "racktop-exit=0"
[ $fails -eq 0 ]
