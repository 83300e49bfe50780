# Helpers for the tests that drive a real Docker engine (sourced after
# lib.sh, by bash): a private, loopback-only dockerd (after the recipe
# ../shared/recipes/docker-engine.sh: no bridge, no iptables, its own
# data root, exec root, pid file and empty daemon.json under $TMPD), a
# tiny local image (no pulls from the internet), a loopback registry
# (Debian's docker-registry) on 127.0.0.1 with its own storage, and a
# headless racktop against the engine. The exit trap removes every
# container, stops the engine and the registry, unmounts what the engine
# left below $TMPD and removes $TMPD: nothing is left behind.
#
# The binaries are named by path: on CI, `docker` on PATH may be a newer
# client in /usr/local/bin without an engine, and the engine we start is
# Debian's.

DOCKERD=/usr/sbin/dockerd
DOCKER_CLI=/usr/bin/docker
REGISTRY_BIN=/usr/bin/docker-registry

# Skips (77) unless dockerd, its client and docker-registry are installed
# and we are root (dockerd cannot run otherwise).
dockerd_require() {
	local m=""
	[ -x "$DOCKERD" ] || m="$m $DOCKERD (docker.io)"
	[ -x "$DOCKER_CLI" ] || m="$m $DOCKER_CLI (docker.io)"
	[ -x "$REGISTRY_BIN" ] || m="$m $REGISTRY_BIN (docker-registry)"
	if [ -n "$m" ]; then
		echo "skip: missing$m; see scripts/ci-deps/docker.sh"
		exit 77
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "skip: dockerd needs root"
		exit 77
	fi
}

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

ENG=$TMPD/engine
SOCK=$ENG/docker.sock
DPID=""
RPID=""
REG=""

# The engine's API over its socket: dapi METHOD PATH [curl args...].
dapi() {
	local m=$1 p=$2
	shift 2
	curl -s -X "$m" --unix-socket "$SOCK" "$@" "http://d$p"
}

# Starts the private engine and waits for it to answer (10 s scaled);
# extra arguments go to dockerd.
engine_start() {
	mkdir -p "$ENG"
	echo '{}' >"$ENG/daemon.json"
	"$DOCKERD" --config-file "$ENG/daemon.json" --host "unix://$SOCK" \
	    --data-root "$ENG/data" --exec-root "$ENG/exec" \
	    --pidfile "$ENG/dockerd.pid" --bridge=none --iptables=false \
	    --ip6tables=false "$@" >"$ENG/dockerd.log" 2>&1 &
	DPID=$!
	if ! wait_for curl -sf --unix-socket "$SOCK" http://d/_ping; then
		cat "$ENG/dockerd.log"
		exit 1
	fi
}

# Stops the engine (its containers removed first, so no mount or
# namespace outlives it) and waits for it to exit.
engine_stop() {
	local id
	[ -n "$DPID" ] || return 0
	for id in $(dapi GET '/containers/json?all=1' | jq -r '.[].Id' 2>/dev/null); do
		dapi DELETE "/containers/$id?force=1" >/dev/null
	done
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}

# Starts docker-registry on 127.0.0.1 at a port the kernel picks, read
# back from its log; sets REG to host:port.
registry_start() {
	mkdir -p "$TMPD/registry/data"
	cat >"$TMPD/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $TMPD/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
EOF
	"$REGISTRY_BIN" serve "$TMPD/registry/config.yml" \
	    >"$TMPD/registry/log" 2>&1 &
	RPID=$!
	if ! wait_for grep -q 'listening on 127\.0\.0\.1:[0-9]' "$TMPD/registry/log"; then
		cat "$TMPD/registry/log"
		exit 1
	fi
	REG=$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$TMPD/registry/log" |
	    head -1 | sed 's/^listening on //')
	wait_for curl -sf "http://$REG/v2/" || fail "registry $REG does not answer"
}

# Stops the registry.
registry_stop() {
	[ -n "$RPID" ] || return 0
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=""
}

# Everything off and removed (the exit trap).
dockerd_cleanup() {
	local m
	engine_stop
	registry_stop
	# Whatever the engine left mounted below $TMPD, deepest first.
	awk -v d="$TMPD" 'index($2, d) == 1 { print $2 }' /proc/mounts |
	    sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	cleanup
}
trap dockerd_cleanup 0

# Imports NAME:TAG built from the host's own dash and coreutils (with the
# libraries ldd lists), so no busybox and no registry are needed.
image_import() {
	local r=$TMPD/rootfs b l
	mkdir -p "$r/bin" "$r/etc" "$r/tmp"
	for b in /bin/sh /bin/sleep /bin/cat /bin/dd; do
		cp -L "$b" "$r/bin/"
		for l in $(ldd "$b" 2>/dev/null | grep -o '/[^ ]*'); do
			cp -L --parents "$l" "$r/" 2>/dev/null
		done
	done
	echo 'root:x:0:0:root:/:/bin/sh' >"$r/etc/passwd"
	tar -C "$r" -cf "$TMPD/rootfs.tar" .
	DOCKER_HOST="unix://$SOCK" "$DOCKER_CLI" import -c 'CMD ["/bin/sh"]' \
	    -c 'ENV PATH=/bin' "$TMPD/rootfs.tar" "$1" >/dev/null ||
	    { echo "docker import failed"; exit 1; }
	rm -rf "$r" "$TMPD/rootfs.tar"
}

# The docker CLI against the private engine.
dk() {
	DOCKER_HOST="unix://$SOCK" "$DOCKER_CLI" "$@"
}

# Starts racktop --headless against the engine (refresh 5 s).
racktop_start() {
	chmod 0711 "$TMPD" "$ENG"
	(umask 077; printf '[docker "real"]\nurl = unix://%s\nrefresh = 5\n' \
	    "$SOCK" >"$TMPD/racktop.conf")
	start_bg "$RACKTOP" --headless --config "$TMPD/racktop.conf" \
	    --socket "$TMPD/s.sock" 2>"$TMPD/rt.log"
	wait_for test -S "$TMPD/s.sock" || { cat "$TMPD/rt.log"; exit 1; }
}

# One tool call through racktop; the result in $TMPD/out.
call() {
	"$RACKTOP" call "$@" --socket "$TMPD/s.sock" >"$TMPD/out" 2>"$TMPD/err"
}
# expect_ok TOOL JQ-TEST ARGS...: the call succeeds and the jq test holds.
expect_ok() {
	local t=$1 q=$2
	shift 2
	if call "$t" "$@" && jq -e "$q" "$TMPD/out" >/dev/null; then
		ok "$t $*"
	else
		fail "$t $* ($q): $(head -c 600 "$TMPD/out" "$TMPD/err")"
	fi
}
# expect_err TOOL TEXT ARGS...: the call fails (exit 1) naming TEXT.
expect_err() {
	local t=$1 g=$2 rc
	shift 2
	call "$t" "$@"
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$g" "$TMPD/out" "$TMPD/err"; then
		ok "$t $* fails: $(cat "$TMPD/out" "$TMPD/err" | head -c 300)"
	else
		fail "$t $* (rc $rc, wanted \"$g\"): $(head -c 600 "$TMPD/out" "$TMPD/err")"
	fi
}

# Ends the script with its verdict.
finish() {
	if [ $fails -eq 0 ]; then
		echo "$1: all passed"
		exit 0
	fi
	echo "$1: $fails failed"
	exit 1
}
