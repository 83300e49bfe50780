#!/bin/sh
# The dashboard's rendering: at 80x24 every pane title and the focused
# table are visible, 200x60 uses two columns, NO_COLOR and a non-UTF-8
# locale (ASCII rules and gauges) render, 256-colour, 8-colour and
# monochrome terminals render, the shipped themes load and an
# unknown one is refused; and racktop --demo quit with q leaves no
# racktop-sim running.
. "${srcdir:-.}/tests/tui/lib.sh"

start_sim
C="--config $TMPD/racktop.conf"

tui_start 80 24 -- $C
expect "80x24: guests" has "web01"
for t in "Proxmox VE Guests" "Proxmox VE Nodes" "Proxmox VE Storage" \
    "Activity ("; do
	expect "80x24: title $t" has "$t"
done
expect "80x24: the focused table has its header" line_has "VMID" "Status"
expect "80x24: status line" has "proxmox/lab"

tui_start 200 60 -- $C
expect "200x60: guests" has "web01"
# Two columns: another pane's title on the guests pane's title line.
two_columns() {
	screen | grep -qE 'Proxmox VE Guests.*── [A-Z]'
}
expect "200x60: two columns" two_columns
expect "200x60: every guest shown" has "mosquitto"

tui_start 100 30 NO_COLOR=1 -- $C
expect "NO_COLOR renders" has "web01"
expect "NO_COLOR: gauges" line_has "pve1" "%"

tui_start 100 30 LC_ALL=C LANG=C -- $C
expect "C locale renders" has "web01"
expect "C locale: ASCII rules" has "-- Proxmox VE Guests"
expect "C locale: ASCII gauges" line_has "pve1" "."

# 256-colour, 8-colour (screen, above) and monochrome terminals.
tui_start 100 30 TERM=screen-256color -- $C
expect "256 colours render" line_has "pve1" "online"
tui_start 100 30 TERM=vt100 -- $C
expect "monochrome (vt100) renders" line_has "pve1" "online"
expect "monochrome: the status line" has "proxmox/lab"

for th in default light high-contrast; do
	tui_start 100 30 -- $C --theme $th
	expect "theme $th" has "web01"
done
tui_start 100 30 -- $C --theme nosuch
expect "unknown theme refused" has "racktop-exit=2"
grep -q "theme nosuch: not found" "$TMPD/rt.err" ||
    fail "unknown theme: $(cat "$TMPD/rt.err")"

# --demo starts its own simulator; q must leave none behind.
tui_start 100 30 -- --demo
expect "demo: guests" has "web01"
rt=$($T display -p -t 0 '#{pane_pid}')
sims=$(pgrep -P "$rt" 2>/dev/null)
[ -n "$sims" ] || fail "demo: no simulator child of $rt"
keys q
expect "demo: q quits" has "racktop-exit=0"
gone() {
	for p in $sims; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}
expect "demo: no racktop-sim left" gone
[ $fails -eq 0 ]
