#!/bin/bash
# Docker backend against a real engine (a private, loopback-only dockerd;
# see dockerd-lib.sh), through racktop --headless: the container tools
# (list, get, stats, logs with stdout and stderr and a TTY's raw stream,
# start, stop, restart, remove), a container started with the docker CLI
# appearing in racktop's snapshot through /events within 1 s (scaled, a
# deadline, with refresh = 5 s), and the failure paths: no such container,
# a client without permission on the socket, the engine down.
# dockerd-registry.sh covers images, the registry and prune.
. "${srcdir:-.}/tests/integration/lib.sh"
. "${srcdir:-.}/tests/integration/dockerd-lib.sh"
dockerd_require
# The engine also listens on tcp://127.0.0.1 (a port it picks) with TLS,
# verifying clients against the test CA.
TLSF=${srcdir:-.}/tests/fixtures/tls
engine_start --host tcp://127.0.0.1:0 --tlsverify --tlscacert "$TLSF/ca.pem" \
    --tlscert "$TLSF/server.pem" --tlskey "$TLSF/server-key.pem"
wait_for grep -q 'API listen on 127\.0\.0\.1:' "$ENG/dockerd.log"
TCP=$(grep -o 'API listen on 127\.0\.0\.1:[0-9]*' "$ENG/dockerd.log" | head -1 |
    sed 's/^API listen on //')
[ -n "$TCP" ] || { cat "$ENG/dockerd.log"; exit 1; }
image_import rt-busybox:latest
dk create --network none --name web rt-busybox \
    sh -c 'echo out; echo err >&2; exec sleep 600' >/dev/null
dk create -t --network none --name term rt-busybox \
    sh -c 'echo hello tty; echo oops >&2; exec sleep 600' >/dev/null
racktop_start

expect_ok docker_list_containers '.total == 2 and
    ([.items[] | select(.name == "web")][0] | .state == "created" and
    .health == "none" and .instance == "real")' max_age_s=0
expect_ok docker_start_container '.status == "ok"' container=web
expect_ok docker_start_container '.status == "unchanged"' container=web
expect_ok docker_get_container '.name == "web" and .running and
    .state == "running" and .env_names == ["PATH"] and .tty == false' container=web
started=$(jq -r .started_at "$TMPD/out")

# Logs: both streams, each line tagged; the engine wants them asked for.
logs_both() {
	call docker_get_container_logs container=web &&
	    jq -e '([.lines[] | select(.stream == "stdout" and .text == "out")] | length == 1) and
	    ([.lines[] | select(.stream == "stderr" and .text == "err")] | length == 1)' \
	    "$TMPD/out"
}
wait_for logs_both && ok "logs: stdout \"out\" and stderr \"err\"" ||
    fail "logs: $(head -c 400 "$TMPD/out" "$TMPD/err")"
expect_ok docker_get_container_logs '.lines == [{"stream": "stderr", "text": "err"}]' \
    container=web stdout=false
expect_ok docker_get_container_logs '.lines == [{"stream": "stdout", "text": "out"}]' \
    container=web stderr=false
expect_ok docker_get_container_logs '.lines | length == 1' container=web tail=1
expect_err docker_get_container_logs 'both false' container=web stdout=false stderr=false
# A TTY container: one raw stream, not frames.
expect_ok docker_start_container '.status == "ok"' container=term
tty_logs() {
	call docker_get_container_logs container=term &&
	    jq -e '.tty and ([.lines[] | select(.stream == "tty")] | length == 2) and
	    ([.lines[].text] | index("hello tty") != null)' "$TMPD/out"
}
wait_for tty_logs && ok "logs of a TTY: raw, one stream" ||
    fail "tty logs: $(head -c 400 "$TMPD/out" "$TMPD/err")"

expect_ok docker_get_container_stats '.mem > 0 and .mem_limit > 0 and
    .pids >= 1 and .container == "web" and (.id | length) == 64' container=web

expect_ok docker_restart_container '.status == "ok"' container=web timeout_s=1
expect_ok docker_get_container ".running and .started_at != \"$started\"" container=web
expect_ok docker_stop_container '.status == "ok"' container=web timeout_s=1
expect_ok docker_get_container '.running == false and .state == "exited"' container=web
expect_ok docker_stop_container '.status == "unchanged"' container=web timeout_s=1

# Started with the docker CLI: in racktop's snapshot within 1 s (scaled),
# though the refresh is every 5 s. The wait is a deadline, not a sleep.
call docker_list_containers max_age_s=0 >/dev/null
dk run -d --network none --name outside rt-busybox sleep 600 >/dev/null
t0=$(date +%s%N)
deadline=$((t0 + 1000000000 * RT_TIMEOUT_SCALE))
seen=no
while [ "$(date +%s%N)" -le $deadline ]; do
	if "$RACKTOP" call docker_list_containers name=outside max_age_s=60 \
	    --socket "$TMPD/s.sock" 2>/dev/null |
	    jq -e '.items[0].state == "running"' >/dev/null; then
		seen=yes
		break
	fi
done
ms=$((($(date +%s%N) - t0) / 1000000))
[ $seen = yes ] && ok "outside start in the snapshot after $ms ms" ||
    fail "outside start not in the snapshot within $((1000 * RT_TIMEOUT_SCALE)) ms"

expect_err docker_remove_container 'running container' container=outside
expect_ok docker_remove_container '.status == "dry_run" and .requests[0].method == "DELETE"
    and .target.name == "outside"' container=outside dry_run=true
dk inspect outside >/dev/null 2>&1 || fail "dry_run removed the container"
expect_ok docker_remove_container '.status == "ok"' container=outside force=true
dk inspect outside >/dev/null 2>&1 && fail "outside still exists after remove"
expect_ok docker_remove_container '.status == "ok"' container=web

# No such container, on every kind of call.
expect_err docker_get_container 'No such container: nosuch' container=nosuch
expect_err docker_get_container_stats 'No such container: nosuch' container=nosuch
expect_err docker_get_container_logs 'No such container: nosuch' container=nosuch
expect_err docker_start_container 'No such container: nosuch' container=nosuch
expect_err docker_remove_container 'No such container: nosuch' container=nosuch

# tcp:// with TLS: a client certificate from the test CA, made here.
C=$TMPD/certs
mkdir -p "$C"
cp "$TLSF/ca.pem" "$C/ca.pem"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=racktop \
    -keyout "$C/key.pem" -out "$TMPD/client.csr" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\n' >"$TMPD/client.ext" &&
    openssl x509 -req -in "$TMPD/client.csr" -CA "$TLSF/ca.pem" -CAkey "$TLSF/ca-key.pem" \
    -CAserial "$TMPD/ca.srl" -CAcreateserial -days 1 -extfile "$TMPD/client.ext" \
    -out "$C/cert.pem" 2>/dev/null || fail "cannot make a client certificate"
# lazy CONF TOOL ARGS...: one call with nothing listening (lazy mode).
lazy() {
	local conf=$1
	shift
	"$RACKTOP" call "$@" --config "$conf" --socket "$TMPD/lazy.sock" \
	    >"$TMPD/out" 2>"$TMPD/err"
}
(umask 077
printf '[docker "tls"]\nurl = tcp://%s\nca_file = %s\ncert_file = %s\nkey_file = %s\n' \
    "$TCP" "$C/ca.pem" "$C/cert.pem" "$C/key.pem" >"$TMPD/tls.conf"
printf '[docker "tls"]\nurl = tcp://%s\nca_file = %s\n' "$TCP" "$C/ca.pem" >"$TMPD/nocert.conf"
printf '[docker "env"]\nrefresh = 5\n' >"$TMPD/env.conf"
printf '[docker "conf"]\nurl = unix://%s\n' "$SOCK" >"$TMPD/url.conf")
lazy "$TMPD/tls.conf" docker_get_system_info &&
    jq -e '.api_version == "1.41" and .instance == "tls"' "$TMPD/out" >/dev/null &&
    ok "tcp:// with TLS and a client certificate" ||
    fail "tcp:// with TLS: $(cat "$TMPD/out" "$TMPD/err")"
lazy "$TMPD/nocert.conf" docker_get_system_info
[ $? -eq 1 ] && grep -q 'docker tls: .*require a client certificate' "$TMPD/err" &&
    ok "tcp:// TLS without a client certificate fails: $(head -c 300 "$TMPD/err")" ||
    fail "tcp:// TLS without a client certificate: $(cat "$TMPD/out" "$TMPD/err")"
# DOCKER_HOST stands in for a missing url, with the CLI's TLS variables.
DOCKER_HOST=tcp://$TCP DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$C \
    lazy "$TMPD/env.conf" docker_list_containers max_age_s=0 &&
    jq -e '.total == 1 and .items[0].instance == "env"' "$TMPD/out" >/dev/null &&
    ok "DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH" ||
    fail "DOCKER_HOST tcp:// TLS: $(cat "$TMPD/out" "$TMPD/err")"
DOCKER_HOST=tcp://$TCP DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$TMPD/nowhere \
    lazy "$TMPD/env.conf" docker_list_containers max_age_s=0
[ $? -ne 0 ] && grep -q "$TMPD/nowhere/ca.pem" "$TMPD/err" &&
    ok "DOCKER_CERT_PATH without certificates: $(head -c 300 "$TMPD/err")" ||
    fail "DOCKER_CERT_PATH without certificates: $(cat "$TMPD/out" "$TMPD/err")"
# The configuration's url wins over DOCKER_HOST.
DOCKER_HOST=unix://$TMPD/nowhere.sock lazy "$TMPD/url.conf" docker_list_containers max_age_s=0 &&
    jq -e '.total == 1' "$TMPD/out" >/dev/null && ok "url wins over DOCKER_HOST" ||
    fail "url over DOCKER_HOST: $(cat "$TMPD/out" "$TMPD/err")"

# A client without permission on the socket (root's, mode 0660).
(umask 022; printf '[docker "real"]\nurl = unix://%s\n' "$SOCK" >"$TMPD/nobody.conf")
runuser -u nobody -- "$RACKTOP" call docker_list_containers \
    --config "$TMPD/nobody.conf" >"$TMPD/out" 2>&1
grep -q "no permission on the socket $SOCK" "$TMPD/out" &&
    grep -q "member of the socket's group" "$TMPD/out" &&
    ok "non-root: $(head -c 300 "$TMPD/out")" || fail "non-root: $(cat "$TMPD/out")"

# The engine down: a clear error, and racktop keeps serving.
engine_stop
expect_err docker_list_containers 'is dockerd running?' max_age_s=0
expect_err docker_get_system_info 'is dockerd running?'
finish dockerd
