#!/bin/sh
# Traefik backend end to end: racktop --headless against racktop-sim
# through the socket. Every tool; paging across X-Next-Page; writes through
# the simulator's watched file-provider directory (created, replaced,
# deleted, each seen in the API before the call returns); a write Traefik
# does not load (a broken file freezes the provider) rolled back; writes to
# files racktop does not own refused; an expiring and an expired
# certificate flagged over a real TLS handshake; an instance without
# dynamic_dir refusing writes; upstream faults.
# Needs RACKTOP and RACKTOP_SIM.
. "${srcdir:-.}/tests/integration/lib.sh"
: "${RACKTOP_SIM:?set RACKTOP_SIM}"
T=$TMPD
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_bg "$RACKTOP_SIM" --seed 1 --services traefik \
    --endpoints "$T/ep.json" >"$T/sim.log" 2>&1
wait_for test -s "$T/ep.json" || { cat "$T/sim.log"; exit 1; }
CTL=$(jq -r .control "$T/ep.json")
URL=$(jq -r .traefik.url "$T/ep.json")
DIR=$(jq -r .traefik.dynamic_dir "$T/ep.json")
CA=$(jq -r .traefik.ca_file "$T/ep.json")
(umask 077; cat >"$T/racktop.conf" <<EOC
[traefik "edge"]
# refresh 3600: the poller stays quiet, so request counts are the tools' own
url = $URL
dynamic_dir = $DIR
ca_file = $CA
refresh = 3600
timeout = 5
apply_timeout = 3
[traefik "remote"]
url = $URL
refresh = 3600
timeout = 5
EOC
)
start_bg "$RACKTOP" --headless --config "$T/racktop.conf" \
    --socket "$T/s.sock" 2>"$T/rt.log"
wait_for test -S "$T/s.sock" || { cat "$T/rt.log"; exit 1; }

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
check() { # description jq-filter (on $T/out)
	if jq -e "$2" "$T/out" >/dev/null 2>&1; then ok "$1"
	else fail "$1: $(head -c 600 "$T/out")"; fi
}
fault() { curl -s -X POST -d "$1" "$CTL/faults" >/dev/null; }
nofault() { curl -s -X DELETE "$CTL/faults" >/dev/null; }
state() { curl -s -X POST -d "$1" "$CTL/state" | grep -q '"ok"' || fail "state $1"; }
count() { curl -s "$CTL/counts" | jq ".traefik[\"$1\"] // 0"; }
no_tmp() { ! ls -A "$DIR" | grep -q -v -E '\.(yaml|yml|toml)$'; }
sum() { cksum <"$1"; }

# Reads: routers, services, middlewares, with Traefik's own errors.
expect_ok traefik_list_routers '"total": 11' instance=edge max_age_s=0
check "a router with a missing middleware is disabled with Traefik's error" \
    '.items[] | select(.name == "legacy@file") | .status == "disabled" and (.errors[0] | test("middleware \"sso@file\" does not exist"))'
check "an unknown entry point is a warning" \
    '.items[] | select(.name == "homeassistant@file") | .status == "warning" and .using == ["websecure"]'
check "TCP and UDP routers listed" \
    '[.items[].protocol] | index("tcp") != null and index("udp") != null'
expect_ok traefik_list_routers '"total": 2' instance=edge status=disabled
expect_ok traefik_list_services '"jellyfin@docker"' instance=edge down_only=true
check "a server down is reported" \
    '.total == 1 and .items[0].servers_down == 1 and .items[0].health == "degraded"'
expect_ok traefik_list_middlewares '"admin-auth@file"' instance=edge provider=file
check "basic-auth users by name, never their hashes" \
    '.items[] | select(.name == "admin-auth@file") | .config.users == ["admin"]'
grep -q 'apr1' "$T/out" && fail "a password hash leaked into a result"

# Paging: 250 more routers need three pages of 100, X-Next-Page followed.
state '{"service":"traefik","op":"add_routers","count":250}'
p0=$(count "GET /http/routers")
expect_ok traefik_list_routers '"total": 259' instance=edge protocol=http max_age_s=0 limit=1000
p1=$(count "GET /http/routers")
[ $((p1 - p0)) -eq 3 ] && ok "259 routers read in 3 pages" ||
    fail "pages read: $((p1 - p0)), want 3"
check "the last page's router is there" '[.items[].name] | index("bulk00249@docker") != null'

# The second instance has no dynamic_dir: writes are unavailable.
expect_err traefik_create_router 'writes are unavailable' instance=remote name=x \
    rule='Host(`x.lab.example`)' backend_url=http://10.0.0.9:80

# Create: the file appears, Traefik loads it, the call sees it.
expect_ok traefik_create_router '"status": "created"' instance=edge name=grafana2 \
    rule='Host(`grafana2.lab.example`)' backend_url=http://10.0.0.21:3000 \
    cert_resolver=le --json '{"entrypoints":["websecure"],"middlewares":["lan-only"]}'
check "loaded and enabled" '.loaded == true and .traefik_status == "enabled"'
[ -f "$DIR/racktop-router-grafana2.yaml" ] && ok "racktop-router-grafana2.yaml written" ||
    fail "no racktop-router-grafana2.yaml"
grep -v '^#' "$DIR/racktop-router-grafana2.yaml" | jq -e \
    '.http.routers.grafana2.tls.certResolver == "le" and .http.services.grafana2.loadBalancer.servers[0].url == "http://10.0.0.21:3000"' \
    >/dev/null && ok "the file is JSON built from the arguments" || fail "file content"
no_tmp && ok "no temporary file left" || fail "left in $DIR: $(ls -A "$DIR")"
expect_ok traefik_list_routers '"owned": true' instance=edge search=grafana2 max_age_s=0
expect_err traefik_create_router 'pass replace true' instance=edge name=grafana2 \
    rule='Host(`grafana2.lab.example`)' service=grafana@docker
# A rule is text for Traefik, never for racktop's file: quotes stay data.
expect_ok traefik_create_router '"replaced"' instance=edge name=grafana2 replace=true \
    rule='Host(`grafana2.lab.example`) && Headers(`X-A`, `"}{x`)' service=grafana@docker
grep -v '^#' "$DIR/racktop-router-grafana2.yaml" | jq -e '.http.services == null' \
    >/dev/null && ok "replaced file holds only what was asked" || fail "replace content"

# Files racktop does not own are never written.
lab=$(sum "$DIR/lab.yaml")
expect_err traefik_create_router 'already exists in a file racktop does not own' \
    instance=edge name=nas rule='Host(`nas2.lab.example`)' service=nas@file
expect_err traefik_delete_router 'not in a file racktop owns' instance=edge name=nas
expect_err traefik_delete_router 'comes from the docker provider' instance=edge name=grafana@docker
expect_err traefik_manage_middleware 'not in a file racktop owns' instance=edge \
    action=update name=lan-only type=ip_allow_list --json '{"settings":{"source_range":["10.0.0.0/8"]}}'
expect_err traefik_manage_middleware 'not in a file racktop owns' instance=edge \
    action=delete name=secure-headers
[ "$(sum "$DIR/lab.yaml")" = "$lab" ] && ok "lab.yaml untouched" || fail "lab.yaml changed"
ln -s "$DIR/lab.yaml" "$DIR/racktop-middleware-evil.yaml"
expect_err traefik_manage_middleware 'symbolic link' instance=edge action=create \
    name=evil type=rate_limit --json '{"settings":{"average":5}}'
[ "$(sum "$DIR/lab.yaml")" = "$lab" ] && ok "a symlinked racktop-*.yaml is not followed" ||
    fail "lab.yaml changed through a symlink"
rm -f "$DIR/racktop-middleware-evil.yaml"

# Middlewares: create, update, in use, delete.
expect_ok traefik_manage_middleware '"created"' instance=edge action=create name=auth2 \
    type=basic_auth --json '{"settings":{"htpasswd":["ops:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"]}}'
grep -q 'IgXLP6' "$T/out" && fail "a hash echoed in the result" || ok "hash not echoed"
expect_err traefik_manage_middleware 'htpasswd' instance=edge action=create name=auth3 \
    type=basic_auth --json '{"settings":{"htpasswd":["ops:plaintext"]}}'
expect_ok traefik_manage_middleware '"created"' instance=edge action=create name=slow \
    type=rate_limit --json '{"settings":{"average":100,"burst":50}}'
expect_ok traefik_manage_middleware '"updated"' instance=edge action=update name=slow \
    type=rate_limit --json '{"settings":{"average":10,"burst":5,"period":"1m"}}'
check "the update is what Traefik shows" '.loaded == true'
expect_ok traefik_list_middlewares '"period": "1m"' instance=edge search=slow max_age_s=0
expect_ok traefik_create_router '"created"' instance=edge name=api2 \
    rule='Host(`api2.lab.example`)' service=whoami@docker --json '{"middlewares":["slow"]}'
expect_err traefik_manage_middleware 'is used by' instance=edge action=delete name=slow
expect_ok traefik_delete_router '"dry_run": true' instance=edge name=api2 dry_run=true
[ -f "$DIR/racktop-router-api2.yaml" ] && ok "dry run deleted nothing" || fail "dry run deleted"
expect_ok traefik_delete_router '"deleted"' instance=edge name=api2@file
call traefik_list_routers instance=edge search=api2 max_age_s=0
check "router api2 gone" '.total == 0'
expect_ok traefik_manage_middleware '"deleted"' instance=edge action=delete name=slow
[ ! -e "$DIR/racktop-middleware-slow.yaml" ] && ok "middleware file removed" || fail "file left"
expect_ok traefik_manage_middleware '"headers"' instance=edge action=create name=hdrs \
    type=headers --json '{"settings":{"response_headers":{"X-Frame-Options":"DENY"},"sts_seconds":600}}'
expect_ok traefik_manage_middleware '"created"' instance=edge action=create name=tohttps \
    type=redirect --json '{"settings":{"scheme":"https","permanent":true}}'
expect_ok traefik_manage_middleware '"created"' instance=edge action=create name=lan2 \
    type=ip_allow_list --json '{"settings":{"source_range":["192.168.0.0/16"],"depth":1}}'
expect_err traefik_manage_middleware 'source_range' instance=edge action=create name=lan3 \
    type=ip_allow_list --json '{"settings":{"source_range":["lan"]}}'

# A change Traefik does not load is rolled back: a broken file freezes the
# whole file provider (and Traefik says so only in its log).
printf 'http:\n  routers: [broken\n' >"$DIR/broken.yaml"
before=$(cat "$DIR/racktop-router-grafana2.yaml")
expect_err traefik_create_router 'Traefik did not load the change' instance=edge \
    name=late rule='Host(`late.lab.example`)' backend_url=http://10.0.0.9:80
grep -q 'restored the previous racktop-router-late.yaml (none' "$T/out" "$T/err" &&
    ok "says the new file was removed" || fail "rollback wording: $(cat "$T/out" "$T/err")"
[ ! -e "$DIR/racktop-router-late.yaml" ] && ok "new file rolled back" || fail "racktop-router-late.yaml left"
expect_err traefik_create_router 'did not load' instance=edge name=grafana2 replace=true \
    rule='Host(`other.lab.example`)' service=grafana@docker
[ "$(cat "$DIR/racktop-router-grafana2.yaml")" = "$before" ] &&
    ok "replaced file restored byte for byte" || fail "grafana2 file not restored"
expect_err traefik_delete_router 'did not load' instance=edge name=grafana2
[ "$(cat "$DIR/racktop-router-grafana2.yaml")" = "$before" ] &&
    ok "deleted file put back" || fail "grafana2 file not put back"
no_tmp || fail "left in $DIR: $(ls -A "$DIR")"
rm -f "$DIR/broken.yaml"
expect_ok traefik_create_router '"created"' instance=edge name=late \
    rule='Host(`late.lab.example`)' backend_url=http://10.0.0.9:80

# A name defined twice: Traefik keeps the first file's by name order and
# skips racktop's silently, so racktop's change never shows: rolled back.
expect_ok traefik_create_router '"created"' instance=edge name=shadow \
    rule='Host(`shadow.lab.example`)' service=whoami@docker
printf '%s\n' '{"http":{"routers":{"shadow":{"rule":"Host(`user.lab.example`)","service":"whoami@docker"}}}}' \
    >"$DIR/aa-user.yaml"
user_rule() {
	"$RACKTOP" call traefik_list_routers instance=edge search=shadow max_age_s=0 \
	    --socket "$T/s.sock" | grep -q 'user.lab.example'
}
wait_for user_rule && ok "the first file's definition wins" || fail "aa-user.yaml not loaded"
expect_err traefik_create_router 'did not load' instance=edge name=shadow replace=true \
    rule='Host(`shadow2.lab.example`)' service=whoami@docker
grep -q 'shadow.lab.example' "$DIR/racktop-router-shadow.yaml" &&
    ok "a change hidden by a duplicate name rolled back" || fail "racktop-router-shadow.yaml not restored"
rm -f "$DIR/aa-user.yaml"

# Certificates: a real handshake per TLS host; expiring and expired flagged.
state '{"service":"traefik","op":"cert_days","host":"nas.lab.example","days":5}'
state '{"service":"traefik","op":"cert_days","host":"jellyfin.lab.example","days":-2}'
expect_ok traefik_get_certificate_status '"flagged"' instance=edge max_age_s=0
check "an expiring certificate flagged" \
    '.items[] | select(.host == "nas.lab.example") | .flag == "expiring" and .days_left == 5 and .verified'
check "an expired certificate flagged" \
    '.items[] | select(.host == "jellyfin.lab.example") | .flag == "expired" and .days_left == -2'
check "a good certificate is ok, issuer read" \
    '.items[] | select(.host == "grafana.lab.example") | .flag == "ok" and .days_left == 90 and (.issuer | test("racktop-sim ACME CA"))'
check "the lab's certificate due for renewal is flagged" \
    '.items[] | select(.host == "paperless.lab.example") | .flag == "expiring" and .days_left == 10'
check "flagged counts them" '.flagged >= 2 and .warn_days == 14'
# The poller probes certificates too (hourly), for the problems list: the
# lab's certificate due for renewal was there from the first refresh.
call racktop_problems service=traefik
check "racktop_problems lists the expiring certificate" \
    '.items[] | select(.kind == "cert_expiring" and .target == "paperless.lab.example") | .severity == "warn"'
expect_ok traefik_get_certificate_status '"expiring"' instance=edge router=grafana@docker warn_days=120
expect_ok traefik_get_certificate_status '"untrusted"' instance=remote router=grafana@docker

# Failure paths.
fault '{"service":"traefik","kind":"status","status":500,"message":"boom"}'
expect_err traefik_list_routers 'HTTP 500: boom' instance=edge max_age_s=0
nofault; fault '{"service":"traefik","kind":"garbage"}'
expect_err traefik_list_services 'invalid JSON' instance=edge max_age_s=0
nofault; fault '{"service":"traefik","kind":"auth"}'
expect_err traefik_list_middlewares 'refused the credentials' instance=edge max_age_s=0
nofault
expect_ok racktop_status '"traefik"'

[ $fails -eq 0 ] && echo "traefik: all passed" || echo "traefik: $fails failed"
[ $fails -eq 0 ]
