#!/bin/sh
# racktop-sim: endpoints file, Proxmox VE auth (token, ticket + CSRF), the
# documented small lab with a fixed seed and clock, tasks, every fault
# kind, counts, control state changes and the large scale. curl against
# 127.0.0.1 only; waits are bounded loops, never bare sleeps.
. "${srcdir:-.}/tests/integration/lib.sh"

: "${RACKTOP_SIM:?RACKTOP_SIM must name the built racktop-sim binary}"
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }

C="curl -s --noproxy 127.0.0.1 --max-time $((20 * RT_TIMEOUT_SCALE))"

# field FILE SERVICE KEY: a string from the endpoints file (JSON_INDENT 2).
field() {
	sed -n "/\"$2\": {/,/}/s/.*\"$3\": \"\\(.*\\)\".*/\\1/p" "$1"
}

# start NAME ARGS...: runs racktop-sim, waits for NAME.json; sets U T K.
start() {
	name=$1
	shift
	start_bg "$RACKTOP_SIM" --endpoints "$TMPD/$name.json" "$@"
	wait_for test -s "$TMPD/$name.json" || fail "$name: no endpoints file"
	U=$(field "$TMPD/$name.json" proxmox url)/api2/json
	T="Authorization: PVEAPIToken=$(field "$TMPD/$name.json" proxmox \
	    token_id)=$(field "$TMPD/$name.json" proxmox token)"
	K=$(sed -n 's/.*"control": "\(.*\)".*/\1/p' "$TMPD/$name.json")
	case $U in
	http://127.0.0.1:*) ;;
	*) fail "$name: proxmox url $U is not loopback" ;;
	esac
	case $K in
	http://127.0.0.1:*) ;;
	*) fail "$name: control url $K is not loopback" ;;
	esac
}

# code ARGS...: the HTTP status of a curl request.
code() {
	$C -o "$TMPD/body" -w '%{http_code}' "$@"
}

start a --seed 7 --clock fixed
$C "$K/health" | grep -q '"status":"ok"' || fail "health"

# --- auth -----------------------------------------------------------------
[ "$(code -H "$T" "$U/version")" = 200 ] || fail "token refused"
grep -q '"release":"9.0"' "$TMPD/body" || fail "version body"
[ "$(code -H "${T}x" "$U/version")" = 401 ] || fail "wrong token accepted"
grep -q '"data":null' "$TMPD/body" || fail "401 body"
[ "$(code "$U/version")" = 401 ] || fail "no auth accepted"
PW=$(field "$TMPD/a.json" proxmox password)
[ "$(code -d username=root@pam -d password=nope "$U/access/ticket")" = 401 ] ||
    fail "bad password accepted"
[ "$(code -d username=root@pam --data-urlencode "password=$PW" \
    "$U/access/ticket")" = 200 ] || fail "ticket"
TICKET=$(sed 's/.*"ticket":"\([^"]*\)".*/\1/' "$TMPD/body")
CSRF=$(sed 's/.*"CSRFPreventionToken":"\([^"]*\)".*/\1/' "$TMPD/body")
case $TICKET in PVE:root@pam:*) ;; *) fail "ticket $TICKET" ;; esac
[ "$(code -b "PVEAuthCookie=$TICKET" "$U/nodes")" = 200 ] ||
    fail "ticket GET"
[ "$(code -b "PVEAuthCookie=${TICKET}x" "$U/nodes")" = 401 ] ||
    fail "bad ticket accepted"
[ "$(code -X POST -b "PVEAuthCookie=$TICKET" \
    "$U/nodes/pve1/lxc/206/status/start")" = 401 ] ||
    fail "POST without CSRF accepted"
[ "$(code -X POST -b "PVEAuthCookie=$TICKET" -H "CSRFPreventionToken: $CSRF" \
    "$U/nodes/pve1/lxc/206/status/start")" = 200 ] || fail "POST with CSRF"
grep -q '"data":"UPID:pve1:[0-9A-F]*:[0-9A-F]*:[0-9A-F]*:vzstart:206:root@pam:"' \
    "$TMPD/body" || fail "vzstart UPID: $(cat "$TMPD/body")"

# --- the documented small lab, deterministic --------------------------------
start b --seed 7 --clock fixed
$C -H "$T" "$U/cluster/resources" >"$TMPD/res1" || fail "resources b"
start c --seed 7 --clock fixed
$C -H "$T" "$U/cluster/resources" >"$TMPD/res2" || fail "resources c"
cmp -s "$TMPD/res1" "$TMPD/res2" || fail "same seed+clock differ"
for g in '"vmid":100,"name":"web01"' '"vmid":101,"name":"db01"' \
    '"vmid":107,"name":"win11","status":"stopped"' \
    '"vmid":111,"name":"debian12-tmpl"' '"vmid":200,"name":"pihole"' \
    '"vmid":207,"name":"mosquitto"'; do
	grep -q "$g" "$TMPD/res1" || fail "lab lacks $g"
done
[ "$(grep -o '"type":"qemu"' "$TMPD/res1" | wc -l)" -eq 12 ] || fail "12 VMs"
[ "$(grep -o '"type":"lxc"' "$TMPD/res1" | wc -l)" -eq 8 ] || fail "8 CTs"
[ "$(grep -o '"type":"node"' "$TMPD/res1" | wc -l)" -eq 3 ] || fail "3 nodes"
[ "$(grep -o '"type":"storage"' "$TMPD/res1" | wc -l)" -eq 9 ] ||
    fail "9 storages"
$C -H "$T" "$U/cluster/resources?type=vm" | grep -q '"type":"node"' &&
    fail "type=vm has nodes"
# Numbers move with the clock.
$C -X POST -d '{"ms":60000}' "$K/clock/advance" | grep -q now_ms ||
    fail "clock advance"
$C -H "$T" "$U/cluster/resources" >"$TMPD/res3"
cmp -s "$TMPD/res2" "$TMPD/res3" && fail "numbers do not move"

# --- a stop action runs as a task ---------------------------------------------
[ "$(code -X POST -H "$T" "$U/nodes/pve1/qemu/100/status/stop")" = 200 ] ||
    fail "stop"
UPID=$(sed 's/.*"data":"\([^"]*\)".*/\1/' "$TMPD/body")
case $UPID in UPID:pve1:*:qmstop:100:root@pam:) ;; *) fail "UPID $UPID" ;; esac
$C -H "$T" "$U/nodes/pve1/tasks/$UPID/status" | grep -q '"status":"running"' ||
    fail "task not running at first"
$C -X POST -d '{"ms":5000}' "$K/clock/advance" >/dev/null
$C -H "$T" "$U/nodes/pve1/tasks/$UPID/status" >"$TMPD/task"
grep -q '"status":"stopped"' "$TMPD/task" || fail "task not done"
grep -q '"exitstatus":"OK"' "$TMPD/task" || fail "task exitstatus"
$C -H "$T" "$U/nodes/pve1/tasks/$UPID/log" | grep -q '"t":"TASK OK"' ||
    fail "task log"
$C -H "$T" "$U/nodes/pve1/qemu/100/status/current" |
    grep -q '"status":"stopped"' || fail "VM 100 not stopped"
$C -H "$T" "$U/cluster/resources" | grep -q '"vmid":100,[^}]*"stopped"' ||
    fail "resources: 100 not stopped"
# Destroying a running guest is refused with the real message.
[ "$(code -X DELETE -H "$T" "$U/nodes/pve1/qemu/101")" = 500 ] ||
    fail "destroy running"
grep -q 'VM 101 is running - destroy failed' "$TMPD/body" ||
    fail "destroy message"
# Validation errors and unknown paths.
[ "$(code -X POST -H "$T" -d hostname=x "$U/nodes/pve1/lxc")" = 400 ] ||
    fail "create without vmid"
grep -q '"errors":{"vmid":"property is missing' "$TMPD/body" ||
    fail "400 body"
[ "$(code -H "$T" "$U/foo")" = 501 ] || fail "unknown path"
grep -q "Method 'GET /foo' not implemented" "$TMPD/body" || fail "501 body"
# vzdump on pve1 backs up 100, and reports OK for 102 (on pve2) untouched.
[ "$(code -X POST -H "$T" -d vmid=100,102 -d storage=backups \
    "$U/nodes/pve1/vzdump")" = 200 ] || fail "vzdump"
UPID=$(sed 's/.*"data":"\([^"]*\)".*/\1/' "$TMPD/body")
$C -X POST -d '{"ms":5000}' "$K/clock/advance" >/dev/null
$C -H "$T" "$U/nodes/pve1/tasks/$UPID/status" | grep -q '"exitstatus":"OK"' ||
    fail "vzdump task"
$C -H "$T" "$U/nodes/pve1/storage/backups/content?vmid=100" >"$TMPD/bk"
[ "$(grep -o '"volid"' "$TMPD/bk" | wc -l)" -eq 2 ] || fail "backup of 100"
$C -H "$T" "$U/nodes/pve1/storage/backups/content?vmid=102" >"$TMPD/bk"
[ "$(grep -o '"volid"' "$TMPD/bk" | wc -l)" -eq 1 ] || fail "102 backed up"

# --- counts -------------------------------------------------------------------
$C -X POST "$K/counts/reset" >/dev/null
$C -H "$T" "$U/version" >/dev/null
$C -H "$T" "$U/version" >/dev/null
$C -H "$T" "$U/nodes/pve2/qemu" >/dev/null
$C "$K/counts" >"$TMPD/counts"
grep -q '"GET /version":2' "$TMPD/counts" || fail "count version"
grep -q '"GET /nodes/{node}/qemu":1' "$TMPD/counts" || fail "count qemu"
$C -X POST "$K/counts/reset" >/dev/null
[ "$($C "$K/counts")" = "{}" ] || fail "counts reset"

# --- control state -----------------------------------------------------------
$C -X POST -d '{"service":"proxmox","op":"set_guest_status","vmid":200,"status":"stopped"}' \
    "$K/state" | grep -q '"ok":true' || fail "state"
$C -H "$T" "$U/cluster/resources?type=vm" |
    grep -q '"vmid":200,"name":"pihole","status":"stopped"' ||
    fail "state change not visible"
$C -X POST -d '{"service":"proxmox","op":"nope"}' "$K/state" |
    grep -q error || fail "bad state op accepted"

# --- faults -------------------------------------------------------------------
fault() {
	$C -X POST -d "$1" "$K/faults" | grep -q '"ok":true' || fail "fault $1"
}
fault '{"service":"proxmox","endpoint":"GET /version","kind":"latency","ms":400,"count":1}'
t=$($C -o /dev/null -w '%{time_total}' -H "$T" "$U/version")
case $t in 0.[0-3]*) fail "latency not applied ($t s)" ;; esac
t=$($C -o /dev/null -w '%{time_total}' -H "$T" "$U/version")
case $t in 0.[0-3]*) ;; *) fail "latency count not honoured ($t s)" ;; esac
fault '{"service":"proxmox","endpoint":"GET /cluster/resources","kind":"status","status":500,"count":1,"message":"boom"}'
[ "$(code -H "$T" "$U/cluster/resources")" = 500 ] || fail "status fault"
grep -q '"message":"boom' "$TMPD/body" || fail "status fault body"
[ "$(code -H "$T" "$U/cluster/resources")" = 200 ] || fail "count=1 stuck"
fault '{"service":"proxmox","endpoint":"GET /nodes","kind":"garbage","count":1}'
[ "$(code -H "$T" "$U/nodes")" = 200 ] || fail "garbage status"
grep -q '^{' "$TMPD/body" && fail "garbage is JSON"
fault '{"service":"proxmox","endpoint":"GET /nodes","kind":"truncated","count":1}'
$C -H "$T" "$U/nodes" >/dev/null
[ $? -eq 18 ] || fail "truncated: curl did not see a partial body"
fault '{"service":"proxmox","endpoint":"GET /nodes","kind":"drop","count":1}'
$C -H "$T" "$U/nodes" >/dev/null
[ $? -eq 52 ] || fail "drop: curl did not see an empty reply"
fault '{"service":"proxmox","kind":"auth","count":-1}'
[ "$(code -H "$T" "$U/nodes")" = 401 ] || fail "auth fault"
[ "$(code -H "$T" "$U/version")" = 401 ] || fail "auth fault sticky"
$C "$K/faults" | grep -q '"kind":"auth"' || fail "GET /faults"
$C -X DELETE "$K/faults" | grep -q '"ok":true' || fail "DELETE /faults"
[ "$(code -H "$T" "$U/nodes")" = 200 ] || fail "faults not cleared"
# vanish: connecting is refused (curl exit 7) while the other services and
# the control endpoint serve; DELETE brings it back on the same port.
PH=$(field "$TMPD/a.json" pihole url)
fault '{"service":"proxmox","kind":"vanish"}'
$C -H "$T" "$U/version" >/dev/null
[ $? -eq 7 ] || fail "vanish: the connection was not refused"
[ "$(code "$PH/api/info/version")" != 000 ] || fail "vanish: pihole gone too"
$C "$K/faults" | grep -q '"kind":"vanish"' || fail "GET /faults: no vanish"
$C -X DELETE "$K/faults?service=proxmox" | grep -q '"ok":true' ||
    fail "DELETE /faults?service=proxmox"
[ "$(code -H "$T" "$U/version")" = 200 ] || fail "vanish: not back"
[ "$($C -X POST -d '{"service":"proxmox","kind":"vanish","count":1}' \
    -o /dev/null -w '%{http_code}' "$K/faults")" = 400 ] ||
    fail "vanish with a count accepted"
[ "$($C -X POST -d '{"service":"nope","kind":"drop"}' -o /dev/null \
    -w '%{http_code}' "$K/faults")" = 400 ] || fail "bad fault accepted"
# Faults at start.
start d --clock fixed --faults 'proxmox:GET /version:status=503:count=1'
[ "$(code -H "$T" "$U/version")" = 503 ] || fail "--faults"
[ "$(code -H "$T" "$U/version")" = 200 ] || fail "--faults count"
start g --clock fixed --faults 'proxmox:vanish'
$C -H "$T" "$U/version" >/dev/null
[ $? -eq 7 ] || fail "--faults proxmox:vanish: the connection was not refused"

# --- large scale ----------------------------------------------------------------
start e --scale large --clock fixed
$C -H "$T" "$U/cluster/resources?type=vm" >"$TMPD/large" || fail "large"
n=$(grep -o '"vmid":' "$TMPD/large" | wc -l)
[ "$n" -eq 1200 ] || fail "large has $n guests"

# SIGTERM ends it cleanly and removes the endpoints file.
kill "$(echo $PIDS | awk '{print $NF}')"
wait_for test ! -e "$TMPD/e.json" || fail "endpoints file left behind"

# It dies with the parent that spawned it (PR_SET_PDEATHSIG).
sh -c '"$0" --endpoints "$1" & wait' "$RACKTOP_SIM" "$TMPD/f.json" &
SH=$!
wait_for test -s "$TMPD/f.json" || fail "f: no endpoints file"
kill -9 "$SH"
wait "$SH" 2>/dev/null
wait_for test ! -e "$TMPD/f.json" || fail "sim outlived its parent"
exit 0
