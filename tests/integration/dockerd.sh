#!/bin/sh
# Docker backend against a real engine: a private, loopback-only dockerd
# (from ../shared/recipes/docker-engine.sh: no bridge, no iptables, its own
# data root, a local busybox image) driven through racktop --headless:
# start, stop, restart, remove, logs with stdout and stderr, stats, the
# events-driven update within 1 s (scaled, a deadline), and a non-root
# client getting a clear permission error. Skips (77) unless root with
# docker.io and busybox-static installed. Stops everything it started.
. "${srcdir:-.}/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] && [ -x /usr/sbin/dockerd ] && [ -x /bin/busybox ] &&
    command -v docker >/dev/null || { echo "skip: needs root, docker.io, busybox-static"; exit 77; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
D=$TMPD/engine
mkdir -p "$D"
S=$D/docker.sock
/usr/sbin/dockerd --host "unix://$S" --data-root "$D/data" \
    --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false >"$D/dockerd.log" 2>&1 &
DPID=$!
stop_engine() {
	for id in $(curl -s --unix-socket "$S" 'http://d/containers/json?all=1' |
	    jq -r '.[].Id' 2>/dev/null); do
		curl -s -X DELETE --unix-socket "$S" "http://d/containers/$id?force=1" >/dev/null
	done
	kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
	awk -v d="$D" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
	    while read -r m; do umount -l "$m" 2>/dev/null; done
	cleanup
}
trap stop_engine 0
wait_for curl -sf --unix-socket "$S" http://d/_ping || { cat "$D/dockerd.log"; exit 1; }
R=$D/rootfs
mkdir -p "$R/bin" "$R/etc"
cp /bin/busybox "$R/bin/"
for a in sh echo sleep; do ln -s busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$R/etc/passwd"
tar -C "$R" -cf "$D/rootfs.tar" .
export DOCKER_HOST="unix://$S"
docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' "$D/rootfs.tar" rt-busybox:latest >/dev/null
docker create --network none --name web rt-busybox sh -c 'echo out; echo err >&2; exec sleep 600' >/dev/null
chmod 0711 "$TMPD" "$D"
(umask 077; printf '[docker "real"]\nurl = unix://%s\nrefresh = 5\n' "$S" >"$TMPD/racktop.conf")
start_bg "$RACKTOP" --headless --config "$TMPD/racktop.conf" --socket "$TMPD/s.sock" 2>"$TMPD/rt.log"
wait_for test -S "$TMPD/s.sock" || { cat "$TMPD/rt.log"; exit 1; }
call() { "$RACKTOP" call "$@" --socket "$TMPD/s.sock" >"$TMPD/out" 2>"$TMPD/err"; }
expect_ok() { t=$1; g=$2; shift 2
	if call "$t" "$@" && grep -q -- "$g" "$TMPD/out"; then ok "$t $*"
	else fail "$t $*: $(cat "$TMPD/out" "$TMPD/err" | head -5)"; fi; }
expect_ok docker_start_container '"status": "ok"' container=web
expect_ok docker_get_container_logs '"text": "err"' container=web
grep -q '"stream": "stdout"' "$TMPD/out" || fail "no stdout line"
expect_ok docker_get_container_stats '"mem"' container=web
expect_ok docker_restart_container '"status": "ok"' container=web timeout_s=1
expect_ok docker_stop_container '"status": "ok"' container=web timeout_s=1
expect_ok docker_get_system_info '"api_version"'
expect_ok docker_list_images 'rt-busybox'
# Started outside racktop: seen within 1 s (scaled), with refresh = 5.
call docker_list_containers max_age_s=60 >/dev/null
docker run -d --network none --name outside rt-busybox sleep 600 >/dev/null
n=$((20 * RT_TIMEOUT_SCALE)); seen=no
while [ $n -gt 0 ]; do
	"$RACKTOP" call docker_list_containers name=outside max_age_s=60 \
	    --socket "$TMPD/s.sock" 2>/dev/null | grep -q '"state": "running"' &&
	    { seen=yes; break; }
	n=$((n - 1)); sleep 0.05
done
[ $seen = yes ] && ok "outside start seen within 1 s" || fail "outside start not seen within 1 s"
expect_ok docker_remove_container '"status": "ok"' container=outside force=true
expect_ok docker_remove_container '"status": "ok"' container=web
# A client without permission on the socket.
(umask 022; printf '[docker "real"]\nurl = unix://%s\n' "$S" >"$TMPD/nobody.conf")
runuser -u nobody -- "$RACKTOP" call docker_list_containers --config "$TMPD/nobody.conf" >"$TMPD/out" 2>&1
grep -q "no permission on the socket" "$TMPD/out" && ok "non-root: $(cat "$TMPD/out")" ||
    fail "non-root: $(cat "$TMPD/out")"
[ $fails -eq 0 ] && echo "dockerd: all passed" || echo "dockerd: $fails failed"
[ $fails -eq 0 ]
