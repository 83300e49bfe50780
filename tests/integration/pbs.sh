#!/bin/bash
# Proxmox Backup Server backend end to end: racktop --headless against
# racktop-sim through the socket, every pbs_* tool, and the failure paths:
# a failed verification, a prune dry run compared with the real run (per
# group and datastore-wide), a failing sync task, a bad token, ticket
# login, TLS through a pinned fingerprint and a wrong one, HTTP faults.
# Needs RACKTOP and RACKTOP_SIM (paths to the binaries), jq, curl, socat
# and openssl.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
for tool in jq curl socat openssl; do
	command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done

S=$TMPD/sim
mkdir -p "$S"
start_bg "$RACKTOP_SIM" --seed 1 --clock real --services pbs,proxmox \
    --endpoints "$S/ep.json" >"$S/sim.log" 2>&1
wait_for test -s "$S/ep.json" || { cat "$S/sim.log"; exit 1; }
URL=$(jq -r .pbs.url "$S/ep.json")
TOKEN_ID=$(jq -r .pbs.token_id "$S/ep.json")
TOKEN=$(jq -r .pbs.token "$S/ep.json")
CTL=$(jq -r .control "$S/ep.json")

# start_rt DIR CONFIG-LINES: a headless racktop with one [pbs "lab"].
start_rt() {
	mkdir -p "$1"
	(umask 077; printf '[pbs "lab"]\n%s\nrefresh = 1\ntimeout = 3\n' \
	    "$2" >"$1/racktop.conf")
	start_bg "$RACKTOP" --headless --config "$1/racktop.conf" \
	    --socket "$1/s.sock" 2>"$1/rt.log"
	wait_for test -S "$1/s.sock" || { cat "$1/rt.log"; exit 1; }
}

start_rt "$TMPD/tok" "url = $URL
token_id = $TOKEN_ID
token = $TOKEN"
T=$TMPD/tok
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
# check NAME JQ-EXPR: asserts the last call's output satisfies JQ-EXPR.
check() {
	if jq -e "$2" "$T/out" >/dev/null 2>&1; then ok "$1"
	else fail "$1: $(head -c 600 "$T/out") $(head -3 "$T/err")"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }
count() { # snapshots in a store (and group)
	call pbs_list_backups "$@" limit=1000 && jq .total "$T/out"
}

# Datastores: usage, GC state, estimated full date (store1 fills, offsite
# shrinks so it has none), group counts from the poller.
expect_ok pbs_list_datastores '"store": "store1"'
check "store1 fills, offsite does not" '(.items[] | select(.store ==
    "store1") | .estimated_full_date > now and .days_to_full > 0 and
    .gc_state == "ok" and .groups == 6 and .usage > 0.5 and .usage < 0.6)
    and (.items[] | select(.store == "offsite") |
    .estimated_full_date == null and .gc_state == "never")'
expect_ok pbs_list_datastores '"total": 1' store=offsite

# Backups: one group, filters, verification states.
expect_ok pbs_list_backups '"snapshot"' store=store1 type=vm id=101
check "vm/101 has 10 snapshots, newest first, some verified" '.total ==
    10 and (.items[0].time > .items[1].time) and ([.items[] |
    .verification] | index("ok") != null and index("none") != null) and
    (.items[0].owner == "root@pam") and (.items[0].protected == false)'
expect_ok pbs_list_backups '"total": 0' verification=failed
expect_ok pbs_list_backups '"protected": true' store=store1 type=vm id=100
SINCE=$(( $(date +%s) - 2 * 86400 ))
call pbs_list_backups store=store1 since=$SINCE limit=1000
check "since keeps only recent snapshots" "[.items[].time] | all(. >= $SINCE)
    and length > 0 and length < 20"
expect_err pbs_list_backups 'no datastore named "nosuch"' store=nosuch
expect_err pbs_list_backups 'required with id' id=100

# Verification: a good group passes, a group with a bad chunk fails and
# the error names the snapshot; the failed state is then listed.
expect_ok pbs_verify_backup '"exitstatus": "OK"' store=store1 type=vm id=100
check "group verification" '.target == "group" and .group == "vm/100" and
    .status == "ok" and (.upid | startswith("UPID:pbs:"))'
expect_err pbs_verify_backup 'verification failed' store=store1 type=vm id=101
grep -q 'store1:vm/101/' "$T/out" "$T/err" &&
    ok "the failed verification names the snapshot" ||
    fail "no snapshot named in: $(cat "$T/out" "$T/err")"
expect_ok pbs_list_backups '"verification": "failed"' verification=failed
check "exactly one failed snapshot" '.total == 1 and .items[0].id == "101"'
call pbs_list_backups store=store1 type=ct id=200
GOOD=$(jq '.items[0].time' "$T/out")
expect_ok pbs_verify_backup '"target": "snapshot"' store=store1 type=ct id=200 time="$GOOD"
expect_err pbs_verify_backup 'needs type and id' store=store1 time="$GOOD"

# Prune of one group: the dry run lists what would go and deletes
# nothing; the real run deletes exactly that list.
before=$(count store=store1 type=vm id=100)
expect_ok pbs_prune_backups '"status": "dry_run"' store=store1 type=vm id=100 keep_last=3
cp "$T/out" "$T/dry.json"
check "dry run: 14 snapshots, 3 kept + 1 protected, 10 would go" \
    '.dry_run == true and .remove_count == 10 and .keep_count == 4 and
    (.remove | length) == 10 and .requests[0].path ==
    "/admin/datastore/store1/prune" and .requests[0].body["dry-run"] ==
    false and .requests[0].body["keep-last"] == 3'
after=$(count store=store1 type=vm id=100)
[ "$before" = 14 ] && [ "$after" = 14 ] && ok "the dry run deleted nothing" ||
    fail "dry run: $before -> $after snapshots"
expect_ok pbs_prune_backups '"status": "ok"' store=store1 type=vm id=100 keep_last=3 dry_run=false
if [ "$(jq -c '.remove' "$T/out")" = "$(jq -c '.remove' "$T/dry.json")" ]
then ok "the real run removed what the dry run listed"
else fail "real $(jq -c .remove "$T/out") vs dry $(jq -c .remove "$T/dry.json")"; fi
after=$(count store=store1 type=vm id=100)
[ "$after" = 4 ] && ok "4 snapshots left" || fail "$after snapshots left"
expect_err pbs_prune_backups 'at least one of keep_last' store=store1 type=vm id=100

# Prune of a whole datastore: a task whose log is the only list.
before=$(count store=offsite)
expect_ok pbs_prune_backups '"status": "dry_run"' store=offsite keep_last=1
cp "$T/out" "$T/dry.json"
# offsite: vm/100 has 3 (the oldest protected), ct/200 has 2.
check "datastore dry run lists from the log" '.target == "datastore" and
    .remove_count == 2 and (.remove | all(test("^(vm|ct)/[0-9]+/20")))
    and (.upid | test(":prune:"))'
[ "$(count store=offsite)" = "$before" ] && ok "datastore dry run deleted nothing" ||
    fail "datastore dry run deleted"
expect_ok pbs_prune_backups '"status": "ok"' store=offsite keep_last=1 dry_run=false
if [ "$(jq -c '.remove' "$T/out")" = "$(jq -c '.remove' "$T/dry.json")" ]
then ok "datastore prune removed what its dry run listed"
else fail "real $(jq -c .remove "$T/out") vs dry $(jq -c .remove "$T/dry.json")"; fi
[ "$(count store=offsite)" = $((before - 2)) ] && ok "offsite lost 2" ||
    fail "offsite has $(count store=offsite) of $before"

# Garbage collection frees what the prune left behind.
expect_ok pbs_run_gc '"status": "ok"' store=store1
check "GC reports removed bytes" '.gc.removed_bytes > 0 and .gc.state == "ok"'
expect_ok pbs_run_gc '"upid"' store=offsite wait=false
check "GC without waiting" '.status == "running"'

# Sync jobs: push returns a task id at once; a failing job; wrong
# direction; unknown job; task status follows the task to its end.
expect_ok pbs_sync_to_remote '"direction": "push"' job=s-offsite
check "sync returns a task id" '.status == "running" and (.upid |
    test(":syncjob:")) and .remote == "offsite-pbs"'
UPID=$(jq -r .upid "$T/out")
task_done() {
	call pbs_get_task_status upid="$UPID" && jq -e '.status == "stopped"' "$T/out"
}
wait_for task_done && check "sync task ended well" '.ok == true and
    .exitstatus == "OK" and (.log_tail | index("TASK OK") != null)' ||
    fail "sync task did not end: $(cat "$T/out")"
expect_ok pbs_sync_to_remote '"status": "ok"' job=s-pull-lab wait=true direction=pull
expect_err pbs_sync_to_remote 'No route to host' job=s-broken wait=true
expect_err pbs_sync_to_remote 'is a push, not a pull' job=s-offsite direction=pull
expect_err pbs_sync_to_remote 'no sync job "nosuch"' job=nosuch
expect_err pbs_get_task_status 'upid' upid='UPID:pve1:0003A1B2:0B1C2D3E:66312A00:qmstart:100:root@pam:'

# HTTP faults and recovery.
fault '{"service":"pbs","kind":"status","status":500}'
expect_err pbs_list_datastores 'HTTP 500' max_age_s=0
nofault; fault '{"service":"pbs","kind":"garbage"}'
expect_err pbs_list_datastores 'invalid JSON' max_age_s=0
nofault; fault '{"service":"pbs","kind":"auth"}'
expect_err pbs_list_datastores 'HTTP 401: authentication failure — check token_id and token' max_age_s=0
grep -q "$TOKEN" "$T/out" "$T/err" && fail "the token leaked into an error"
nofault
expect_ok pbs_list_datastores '"store1"' max_age_s=0
status_ok() { "$RACKTOP" call racktop_status --socket "$T/s.sock" | jq -e '.items[0].state == "ok"'; }
wait_for status_ok && ok "racktop_status ok after the faults" || fail "status not ok"

# A wrong token: refused, named, and never echoed.
start_rt "$TMPD/bad" "url = $URL
token_id = $TOKEN_ID
token = 00000000-0000-4000-8000-000000000000"
T=$TMPD/bad
expect_err pbs_list_datastores 'HTTP 401: authentication failure — check token_id and token' max_age_s=0
# PVE's "=" before the secret is not PBS's form: the simulator refuses it.
code=$(curl -s -o /dev/null -w '%{http_code}' -H \
    "Authorization: PBSAPIToken=$TOKEN_ID=$TOKEN" "$URL/api2/json/version")
[ "$code" = 401 ] && ok "PVE-style token refused" || fail "PVE-style token: $code"

# Ticket login (user and password), CSRF on writes.
start_rt "$TMPD/tick" "url = $URL
user = $(jq -r .pbs.user "$S/ep.json")
password = $(jq -r .pbs.password "$S/ep.json")"
T=$TMPD/tick
expect_ok pbs_list_datastores '"store1"' max_age_s=0
expect_ok pbs_prune_backups '"status": "ok"' store=store1 type=ct id=200 keep_last=2 dry_run=false

# TLS: socat terminates TLS with a self-signed certificate in front of the
# simulator; the pinned fingerprint works and a wrong one stops the
# handshake before any request.
TLS=$srcdir/tests/fixtures/tls
fp() { openssl x509 -in "$TLS/$1" -noout -fingerprint -sha256 | cut -d= -f2; }
SIMPORT=${URL##*:}
tls_up() { curl -sk -o /dev/null "https://127.0.0.1:$PORT/"; }
for attempt in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 40000))
	socat "OPENSSL-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork,cert=$TLS/self.pem,key=$TLS/self-key.pem,verify=0" \
	    "TCP:127.0.0.1:$SIMPORT" 2>"$TMPD/socat.log" &
	SOCAT=$!
	PIDS="$PIDS $SOCAT"
	wait_for tls_up && break
	kill $SOCAT 2>/dev/null
	PORT=
done
if [ -z "$PORT" ]; then
	fail "socat did not listen: $(cat "$TMPD/socat.log")"
else
	start_rt "$TMPD/tls" "url = https://127.0.0.1:$PORT
token_id = $TOKEN_ID
token = $TOKEN
fingerprint = $(fp self.pem)"
	T=$TMPD/tls
	expect_ok pbs_list_datastores '"store1"' max_age_s=0
	start_rt "$TMPD/tlsbad" "url = https://127.0.0.1:$PORT
token_id = $TOKEN_ID
token = $TOKEN
fingerprint = $(fp other.pem)"
	T=$TMPD/tlsbad
	expect_err pbs_list_datastores 'fingerprint mismatch' max_age_s=0
	grep -q "$TOKEN" "$T/out" "$T/err" && fail "the token leaked"
fi

# The Proxmox guests table gains the last backup of the guest's backup
# group: vm/100 fresh, ct/204 three days old (stale), vm/103 none.
start_rt "$TMPD/mix" "url = $URL
token_id = $TOKEN_ID
token = $TOKEN
[proxmox \"lab\"]
url = $(jq -r .proxmox.url "$S/ep.json")
token_id = $(jq -r .proxmox.token_id "$S/ep.json")
token = $(jq -r .proxmox.token "$S/ep.json")"
T=$TMPD/mix
merged() {
	call proxmox_list_vms max_age_s=30 && jq -e '.items[] |
	    select(.vmid == 100) | .backup_state == "ok"' "$T/out"
}
if wait_for merged; then
	check "guests carry their last backup" '(.items[] | select(.vmid ==
	    100) | .last_backup > now - 86400) and (.items[] | select(.vmid ==
	    204) | .backup_state == "stale" and .type == "lxc") and
	    (.items[] | select(.vmid == 103) | has("last_backup") | not)'
else
	fail "no last backup on guest 100: $(head -c 400 "$T/out")"
fi

[ $fails -eq 0 ] && echo "pbs: all passed" || echo "pbs: $fails failed"
[ $fails -eq 0 ]
