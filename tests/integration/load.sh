#!/bin/sh
# Load: 256 concurrent socket clients (LOAD_CLIENTS) x 1,000 calls
# (LOAD_CALLS) against racktop-sim, reads of three backends' list tools and
# racktop_status plus one write in 100 (proxmox_start_vm) under an admin
# test policy, while one more client floods requests and never reads.
# load-client checks every response: no lost, duplicated or mismatched one
# (ids of both types, each result matching its own request's tool and
# limit) and no isError. Two more identical rounds of LOAD_GROWTH_CALLS
# calls per client must leave racktop's file descriptors exactly as they
# were and its RSS within 2 MB. Finally the client limit and the in-flight
# and rate limits answer with their errors, not hangs. Round 1 is also the
# warm-up that brings the heap to its steady size: shrinking LOAD_CALLS
# far below its default makes the RSS check meaningless.
# Needs RACKTOP and RACKTOP_SIM; load-client is built beside racktop.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
LC=${LOAD_CLIENT:-$(dirname "$RACKTOP")/tests/integration/load-client}
[ -x "$LC" ] || fail "no load-client at $LC (make check builds it)"
CLIENTS=${LOAD_CLIENTS:-256}
CALLS=${LOAD_CALLS:-1000}
GROWTH_CALLS=${LOAD_GROWTH_CALLS:-100}
DEADLINE=$((300 * RT_TIMEOUT_SCALE))
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_bg "$RACKTOP_SIM" --seed 1 --clock fixed --services proxmox,docker,unifi \
    --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || { cat "$T/sim.log"; exit 1; }
E=$T/ep.json

# conf FILE RACKTOP-KEYS...: a configuration with the lab's three backends.
# The long refresh keeps pollers quiet between rounds, so the descriptor
# count is racktop's alone; reads answer from the first snapshot.
conf() {
	f=$1
	shift
	(umask 077
	{
		echo "[racktop]"
		for k in "$@"; do echo "$k"; done
		echo "[proxmox \"lab\"]"
		echo "url = $(jq -r .proxmox.url "$E")"
		echo "token_id = $(jq -r .proxmox.token_id "$E")"
		echo "token = $(jq -r .proxmox.token "$E")"
		echo "refresh = 600"
		echo "[docker \"lab\"]"
		echo "url = $(jq -r .docker.url "$E")"
		echo "refresh = 600"
		echo "[unifi \"lab\"]"
		echo "url = $(jq -r .unifi.url "$E")"
		echo "api_key = $(jq -r .unifi.api_key "$E")"
		echo "site = default"
		echo "refresh = 600"
	} >"$f")
}

# ready SOCK: every instance has published a snapshot without error.
ready() {
	"$RACKTOP" call racktop_status --socket "$1" | jq -e \
	    '[.items[] | select(.refreshes >= 1 and .last_error == null)] |
	     length == 3' >/dev/null
}

conf "$T/load.conf" "roles = uid=$(id -u) admin" "max_clients = 300"
start_bg "$RACKTOP" --headless --config "$T/load.conf" --socket "$T/s.sock" \
    2>"$T/rt.log"
RP=$!
wait_for listening "$T/s.sock" || { cat "$T/rt.log"; exit 1; }
wait_for ready "$T/s.sock" || fail "lab not ready: $(cat "$T/rt.log")"

# round CALLS NAME: one round; its summary line goes to $T/NAME.
round() {
	"$LC" run "$T/s.sock" --clients "$CLIENTS" --calls "$1" --pipeline 4 \
	    --read proxmox_list_vms:vmid --read racktop_status:instance \
	    --read docker_list_containers:id --read unifi_list_clients:mac \
	    --write 'proxmox_start_vm:{"vmid":100}' --write-every 100 \
	    --stall 1 --timeout "$DEADLINE" >"$T/$2" 2>"$T/$2.err"
}
fds() { ls "/proc/$RP/fd" | wc -l; }
rss() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$RP/status"; }

if round "$CALLS" r1; then
	ok "round 1: $(cat "$T/r1")"
else
	fail "round 1: $(cat "$T/r1" "$T/r1.err")"
fi
# The flooding client sat on unread replies the whole round (its writes
# blocked), and every other call completed meanwhile.
grep -q 'stall_blocked=1' "$T/r1" || fail "round 1: the flood never blocked"

# racktop closes a finished client's socket when it reads the EOF, a
# moment after the client's close(): wait (bounded) for the count to come
# back to where the previous round left it.
settled() { [ "$(fds)" -eq "$1" ]; }
fd1=$(fds)
round "$GROWTH_CALLS" r2 || fail "round 2: $(cat "$T/r2" "$T/r2.err")"
wait_for settled "$fd1"
fd2=$(fds) rss2=$(rss)
round "$GROWTH_CALLS" r3 || fail "round 3: $(cat "$T/r3" "$T/r3.err")"
wait_for settled "$fd2"
fd3=$(fds) rss3=$(rss)
if [ "$fd2" -eq "$fd3" ]; then
	ok "descriptors after rounds 2 and 3: $fd2 and $fd3"
else
	fail "descriptors grew from $fd2 to $fd3"
	ls -l "/proc/$RP/fd"
fi
# Under valgrind (make memcheck) the heap is valgrind's: RSS says nothing.
if [ -n "${RT_WRAP:-}" ]; then
	echo "note: RSS not checked under RT_WRAP ($rss2 kB and $rss3 kB)"
elif [ $((rss3 - rss2)) -le 2048 ]; then
	ok "RSS after rounds 2 and 3: $rss2 kB and $rss3 kB"
else
	fail "RSS grew from $rss2 kB to $rss3 kB"
fi
kill -0 "$RP" || fail "racktop died under load"

# limited NAME KEYS...: another racktop against the lab, with those keys.
limited() {
	n=$1
	shift
	conf "$T/$n.conf" "$@"
	start_bg "$RACKTOP" --headless --config "$T/$n.conf" \
	    --socket "$T/$n.sock" 2>"$T/$n.log"
	wait_for listening "$T/$n.sock" || { cat "$T/$n.log"; exit 1; }
}
limited busy "max_clients = 4"
if "$LC" busy "$T/busy.sock" --clients 4 \
    --timeout $((10 * RT_TIMEOUT_SCALE)) >"$T/busy"; then
	ok "client limit: $(cat "$T/busy")"
else
	fail "client limit: $(cat "$T/busy")"
fi
limited inflight "max_inflight = 2"
"$LC" burst "$T/inflight.sock" --calls 500 \
    --timeout $((10 * RT_TIMEOUT_SCALE)) >"$T/inflight" ||
    fail "in-flight limit: calls unanswered: $(cat "$T/inflight")"
if grep -q 'refused_inflight=[1-9]' "$T/inflight" &&
    grep -q ' ok=[1-9]' "$T/inflight"; then
	ok "in-flight limit: $(cat "$T/inflight")"
else
	fail "in-flight limit: $(cat "$T/inflight")"
fi
limited rate "rate_limit = 20"
"$LC" burst "$T/rate.sock" --calls 200 \
    --timeout $((10 * RT_TIMEOUT_SCALE)) >"$T/rate" ||
    fail "rate limit: calls unanswered: $(cat "$T/rate")"
if grep -q 'refused_rate=[1-9]' "$T/rate" && grep -q ' ok=[1-9]' "$T/rate"
then
	ok "rate limit: $(cat "$T/rate")"
else
	fail "rate limit: $(cat "$T/rate")"
fi
[ "$fails" -eq 0 ] || exit 1
