#!/bin/sh
# Proxmox backend end to end: racktop --headless against racktop-sim through
# the socket, every tool, failure paths (no such guest, failing task, 401,
# 500, timeout, garbage), recovery, and one /cluster/resources per refresh.
# Needs RACKTOP and RACKTOP_SIM (paths to the binaries).
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# start_lab SCALE DIR: a simulator and a headless racktop against it.
start_lab() {
	mkdir -p "$2"
	start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --scale "$1" \
	    --endpoints "$2/ep.json" >"$2/sim.log" 2>&1
	wait_for test -s "$2/ep.json" || { cat "$2/sim.log"; exit 1; }
	(umask 077; cat >"$2/racktop.conf" <<EOF
[proxmox "lab"]
url = $(jq -r .proxmox.url "$2/ep.json")
token_id = $(jq -r .proxmox.token_id "$2/ep.json")
token = $(jq -r .proxmox.token "$2/ep.json")
refresh = 1
timeout = 2
EOF
	)
	start_bg "$RACKTOP" --headless --config "$2/racktop.conf" \
	    --socket "$2/s.sock" 2>"$2/rt.log"
	wait_for test -S "$2/s.sock" || { cat "$2/rt.log"; exit 1; }
}

# refreshes DIR: how many polls racktop has published for the lab.
refreshes() {
	"$RACKTOP" call racktop_status --socket "$1/s.sock" |
	    jq '.items[0].refreshes'
}

# refreshed DIR N: whether racktop has published at least N polls.
refreshed() {
	[ "$(refreshes "$1")" -ge "$2" ] 2>/dev/null
}

# resources_count DIR: the simulator's count of /cluster/resources.
resources_count() {
	curl -s "$(jq -r .control "$1/ep.json")/counts" |
	    jq '.proxmox["GET /cluster/resources"] // 0'
}

# One /cluster/resources request per refresh, never one per guest: over
# three refreshes the simulator sees exactly as many such requests.
one_request_per_refresh() {
	wait_for refreshed "$1" 1 || { fail "$2: no refresh"; return; }
	g0=$(refreshes "$1")
	r0=$(resources_count "$1")
	wait_for refreshed "$1" $((g0 + 3)) ||
	    { fail "$2: refreshes stalled"; return; }
	# At most one request per refresh (one per guest would be dozens).
	# The count and the generation cannot be read at one instant, so a
	# poll straddling the reads may add one; a poll that failed (a loaded
	# machine, a sanitizer) publishes a generation with no request
	# answered, so there is no lower bound beyond one.
	r1=$(resources_count "$1")
	g1=$(refreshes "$1")
	d=$((r1 - r0)) want=$((g1 - g0))
	if [ "$d" -ge 1 ] && [ "$d" -le $((want + 1)) ]; then
		ok "$2: $d /cluster/resources requests for $want refreshes"
	else
		fail "$2: $d /cluster/resources requests for $want refreshes"
	fi
}

start_lab small "$T/small"
T=$T/small
CTL=$(jq -r .control "$T/ep.json")
call() { "$RACKTOP" call "$@" --socket "$T/s.sock" >"$T/out" 2>"$T/err"; }
expect_ok() { # tool grep args...
	t=$1; g=$2; shift 2
	if call "$t" "$@" && grep -q -- "$g" "$T/out"; then ok "$t $*"
	else fail "$t $*: $(cat "$T/out" "$T/err" | head -5)"; fi
}
expect_err() { # tool grep args...
	t=$1; g=$2; shift 2
	call "$t" "$@"; rc=$?
	if [ $rc -eq 1 ] && grep -q -- "$g" "$T/out" "$T/err"; then ok "$t $* fails: $g"
	else fail "$t $* (rc $rc): $(cat "$T/out" "$T/err" | head -5)"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }

expect_ok proxmox_list_nodes '"instance": "lab"'
expect_ok proxmox_get_node_status '"pveversion"' node=pve1
expect_ok proxmox_list_vms '"vmid": 100' type=qemu
expect_ok proxmox_get_vm_status '"status"' vmid=100 max_age_s=0
expect_ok proxmox_list_storage '"storage"'
expect_ok proxmox_get_cluster_status '"quorate": true'
expect_ok proxmox_stop_vm '"status": "ok"' vmid=100 timeout_s=20
expect_ok proxmox_stop_vm '"unchanged"' vmid=100
expect_ok proxmox_start_vm '"exitstatus": "OK"' vmid=100 timeout_s=20
expect_ok proxmox_shutdown_vm '"status": "ok"' vmid=100 timeout_s=20
expect_ok proxmox_start_vm '"status": "ok"' vmid=100 timeout_s=20
expect_ok proxmox_reboot_vm '"status": "ok"' vmid=100 timeout_s=20
expect_ok proxmox_stop_vm '"upid"' vmid=101 wait=false
expect_ok proxmox_delete_vm '"dry_run": true' vmid=101 dry_run=true stop_first=true
expect_err proxmox_delete_vm 'stop_first' vmid=101
expect_ok proxmox_create_backup '"status": "ok"' --json '{"vmids":[100,102],"timeout_s":30}'
expect_ok proxmox_list_backups '"volid"'
VOL=$(jq -r '.items[0].volid' "$T/out" 2>/dev/null)
expect_ok proxmox_restore_backup '"dry_run": true' archive="$VOL" node=pve1 dry_run=true
expect_ok proxmox_restore_backup '"status": "ok"' archive="$VOL" node=pve1 timeout_s=30
expect_ok proxmox_create_lxc '"status": "ok"' --json '{"node":"pve1","template":"local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst","storage":"local-lvm","password":"secret123","timeout_s":30}'
NEW=$(jq -r '.vmid' "$T/out" 2>/dev/null)
expect_ok proxmox_delete_vm '"status": "ok"' vmid="$NEW" stop_first=true timeout_s=30
UPID=$(call proxmox_start_vm vmid=103 wait=false; jq -r '.upid // ""' "$T/out")
[ -n "$UPID" ] && expect_ok proxmox_get_task_status '"upid"' upid="$UPID"

# Failure paths.
expect_err proxmox_get_vm_status 'no guest with vmid 999' vmid=999
expect_err proxmox_create_lxc 'failed' --json '{"node":"pve1","template":"local:vztmpl/missing.tar.zst","storage":"nosuch","password":"secret123","timeout_s":30}'
fault '{"service":"proxmox","kind":"auth"}'
expect_err proxmox_list_vms 'HTTP 401: authentication failure — check token_id and token' max_age_s=0
grep -q "$(jq -r .proxmox.token "$T/ep.json")" "$T/out" "$T/err" && fail "the token leaked into an error"
nofault; fault '{"service":"proxmox","kind":"status","status":500}'
expect_err proxmox_list_nodes 'HTTP 500' max_age_s=0
nofault; fault '{"service":"proxmox","kind":"latency","ms":4000}'
expect_err proxmox_list_nodes 'timed out' max_age_s=0
nofault; fault '{"service":"proxmox","kind":"garbage"}'
expect_err proxmox_list_nodes 'invalid JSON' max_age_s=0
nofault
# Recovery: the next refresh after the faults clear reports ok again.
g=$(refreshes "$T")
wait_for refreshed "$T" $((g + 2)) || fail "no refresh after faults"
expect_ok racktop_status '"state": *"ok"'
expect_ok proxmox_list_nodes '"online"'

one_request_per_refresh "$T" small
start_lab large "$TMPD/large"
one_request_per_refresh "$TMPD/large" large
T=$TMPD/large
expect_ok proxmox_list_vms '"total": 1200' limit=1

[ $fails -eq 0 ] && echo "proxmox: all passed" || echo "proxmox: $fails failed"
[ $fails -eq 0 ]
