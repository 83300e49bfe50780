#!/bin/sh
# The fault matrix, generated: every service racktop-sim serves (from its
# endpoints file) that racktop has tools for (racktop tools --json) x every
# fault kind the simulator injects (latency beyond the timeout, HTTP 500,
# 401, garbage, truncated body, dropped connection, and the service
# vanishing: its port or socket refuses connections). A service added to
# the simulator, the endpoints file and racktop's tool table is covered
# with no change here. Each cell asserts:
#  - a live read of the faulted service ends with isError within its
#    deadline (timeout + 3 s of slack);
#  - meanwhile another service's live read and another agent's
#    racktop_status complete;
#  - racktop_status shows the service's error and the age of its last
#    good snapshot (the stale data the pane keeps showing), within one
#    refresh plus the timeout (+2 s of slack);
#  - after the fault clears, the error is gone within one refresh plus
#    the timeout (+2 s of slack);
#  - racktop is still running.
# All deadlines are scaled by RT_TIMEOUT_SCALE.
# FAULTS_SERVICES="a b" limits the matrix to those services, FAULTS_KINDS
# to those kinds.
# Needs RACKTOP, RACKTOP_SIM, curl and jq.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
T=$TMPD
fails=0
cells=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
TIMEOUT=1
REFRESH=1
# One refresh plus the timeout, with two seconds of slack, in ms.
BOUND_MS=$(((REFRESH + TIMEOUT + 2) * 1000 * RT_TIMEOUT_SCALE))
# Cells failing for a known, reported bug, printed but not counted (none
# now: the matrix found Pi-hole answering an empty list when the session
# renewal after a 401 failed too; fixed in ph_do).
KNOWN=${FAULTS_KNOWN-}
known=0

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --endpoints "$T/ep.json" \
    >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || { cat "$T/sim.log"; exit 1; }
CTL=$(jq -r .control "$T/ep.json")
"$RACKTOP" --config /dev/null tools --json >"$T/tools.json"

# The services of the matrix, each with a list tool that reads it.
: >"$T/matrix"
for svc in $(jq -r 'to_entries[] | select(.value | type == "object") |
    .key' "$T/ep.json"); do
	tool=$(jq -r --arg s "${svc}_list_" '[.[] | select(.annotations.readOnlyHint
	    and (.name | startswith($s)))][0].name // empty' "$T/tools.json")
	case " ${FAULTS_SERVICES:-$svc} " in *" $svc "*) ;; *) continue ;; esac
	[ -n "$tool" ] && echo "$svc $tool" >>"$T/matrix"
done
[ "$(wc -l <"$T/matrix")" -ge 1 ] || fail "matrix: no service"

# The configuration: every service with its simulator credentials (as
# racktop --demo writes it), a one-second refresh and timeout.
# Only the matrix's services (the simulator serves more: llm), and only
# keys racktop knows (from its own key table).
"$RACKTOP" env-example | sed -n 's/^#RACKTOP_PROXMOX_HOME_\(.*\)=$/\1/p' |
    tr 'A-Z' 'a-z' | jq -R . | jq -s . >"$T/keys.json"
cut -d' ' -f1 "$T/matrix" | jq -R . | jq -s . >"$T/svcs.json"
(umask 077
jq -r --arg t "$TIMEOUT" --arg r "$REFRESH" --slurpfile keys "$T/keys.json" \
    --slurpfile svcs "$T/svcs.json" 'to_entries[] |
    select(.value | type == "object") | select(.key as $k |
    $svcs[0] | index($k)) | .key as $s | .value as $v |
    "[\($s) \"lab\"]", "refresh = \($r)", "timeout = \($t)",
    ($v | to_entries[] | select(.key != "node") |
     select(.key as $k | $keys[0] | index($k)) |
     select((.key != "user" and .key != "password") or
            ($v.token == null and $v.api_key == null)) |
     "\(.key) = \(.value)")' "$T/ep.json" >"$T/racktop.conf")
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" \
    --socket "$T/s.sock" 2>"$T/rt.log"
RP=$!
wait_for listening "$T/s.sock" || { cat "$T/rt.log"; exit 1; }
call() { "$RACKTOP" call "$@" --socket "$T/s.sock"; }

# status SVC: the service's racktop_status item.
status() {
	call racktop_status 2>/dev/null |
	    jq -c --arg s "$1" '.items[] | select(.service == $s)'
}
# failing SVC: racktop_status shows an error for it.
failing() { status "$1" | jq -e '.last_error != null' >/dev/null; }
healthy() { status "$1" | jq -e '.last_error == null and .refreshes >= 1' \
    >/dev/null; }
while read -r svc tool; do
	wait_for healthy "$svc" || fail "$svc: never healthy: $(status "$svc")"
done <"$T/matrix"

now_ms() { date +%s%3N; }
cell() { # SVC TOOL OTHER-TOOL KIND FAULT-JSON
	svc=$1 tool=$2 other=$3 kind=$4
	cells=$((cells + 1))
	f0=$fails
	curl -s -X POST -d "$5" "$CTL/faults" >/dev/null ||
	    { fail "$svc/$kind: fault not set"; return; }
	t0=$(now_ms)
	call "$tool" max_age_s=0 >"$T/c.out" 2>&1 &
	cp=$!
	# Another service and another agent meanwhile.
	call "$other" max_age_s=0 >"$T/o.out" 2>&1 ||
	    fail "$svc/$kind: $other failed meanwhile: $(head -3 "$T/o.out")"
	call racktop_status >/dev/null 2>&1 ||
	    fail "$svc/$kind: racktop_status failed meanwhile"
	if wait "$cp"; then
		fail "$svc/$kind: $tool succeeded: $(head -c 200 "$T/c.out")"
	fi
	ms=$(($(now_ms) - t0))
	[ "$ms" -le $(((TIMEOUT + 3) * 1000 * RT_TIMEOUT_SCALE)) ] ||
	    fail "$svc/$kind: the error took $ms ms"
	grep -q . "$T/c.out" || fail "$svc/$kind: no error text"
	# The pane's data: the error, and the last snapshot still served.
	wait_for failing "$svc" || fail "$svc/$kind: no error in racktop_status"
	shown=$(($(now_ms) - t0))
	[ "$shown" -le "$BOUND_MS" ] ||
	    fail "$svc/$kind: the error showed after $shown ms"
	status "$svc" | jq -e '.age_ms != null' >/dev/null ||
	    fail "$svc/$kind: no stale data: $(status "$svc")"
	curl -s -X DELETE "$CTL/faults" | jq -e .ok >/dev/null ||
	    fail "$svc/$kind: the fault did not clear"
	t1=$(now_ms)
	wait_for healthy "$svc" || fail "$svc/$kind: no recovery: $(status "$svc")"
	back=$(($(now_ms) - t1))
	[ "$back" -le "$BOUND_MS" ] ||
	    fail "$svc/$kind: recovery took $back ms"
	kill -0 "$RP" 2>/dev/null || { fail "racktop died at $svc/$kind"; exit 1; }
	if [ "$fails" -eq "$f0" ]; then
		echo "ok: $svc/$kind: isError in $ms ms, shown in $shown ms," \
		    "recovered in $back ms: $(head -c 100 "$T/c.out" |
		    tr '\n' ' ')"
	else
		case " $KNOWN " in *" $svc/$kind "*)
			fails=$f0
			known=$((known + 1))
			echo "KNOWN FAIL: $svc/$kind (see the note above KNOWN)" ;;
		esac
	fi
}

while read -r svc tool; do
	# Another service's read: the next one in the matrix (racktop's own
	# when the matrix has a single service).
	other=$(awk -v s="$svc" '$1 == s { getline n; split(n, f); print f[2];
	    exit }' "$T/matrix" "$T/matrix")
	[ -n "$other" ] && [ "$other" != "$tool" ] || other=racktop_status
	for kind in ${FAULTS_KINDS:-latency status auth garbage truncated drop \
	    vanish}; do
		case $kind in
		latency) f="{\"service\":\"$svc\",\"kind\":\"latency\",\"ms\":$(((TIMEOUT + 1) * 1000))}" ;;
		status) f="{\"service\":\"$svc\",\"kind\":\"status\",\"status\":500}" ;;
		*) f="{\"service\":\"$svc\",\"kind\":\"$kind\"}" ;;
		esac
		cell "$svc" "$tool" "$other" "$kind" "$f"
	done
done <"$T/matrix"
echo "faults: $cells cells, $fails failures, $known known failures"
[ "$fails" -eq 0 ] || exit 1
