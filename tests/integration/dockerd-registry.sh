#!/bin/bash
# Docker backend against a real engine and a real registry (dockerd and
# Debian's docker-registry, both private and on loopback; see
# dockerd-lib.sh), through racktop --headless: images, networks, volumes,
# system info, push to the registry, remove, pull back, errors inside an
# HTTP 200 push stream (a missing tag, the registry down), a pull that
# fails, and prune with the space reclaimed summed over its four parts
# (containers, images, build cache; networks have nothing to prune here).
. "${srcdir:-.}/tests/integration/lib.sh"
. "${srcdir:-.}/tests/integration/dockerd-lib.sh"
dockerd_require
engine_start
registry_start
image_import rt-busybox:latest
dk volume create rtvol >/dev/null
racktop_start

expect_ok docker_list_images '.total == 1 and .items[0].tags == ["rt-busybox:latest"]
    and .items[0].size > 0 and .items[0].instance == "real"' reference=rt-busybox
# --bridge=none: the engine has only its host and null networks.
expect_ok docker_list_networks '([.items[].name] | sort) == ["host", "none"]'
expect_ok docker_list_volumes '[.items[] | select(.name == "rtvol" and .driver == "local")] | length == 1'
ver=$(dk version -f '{{.Server.Version}}')
expect_ok docker_get_system_info ".version == \"$ver\" and .api_version == \"1.41\"
    and .images == 1 and .images_size > 0 and .ncpu > 0 and .storage_driver != \"\""

# Push to the loopback registry (127.0.0.0/8 is insecure-allowed by default).
dk tag rt-busybox "$REG/rt/busybox:1"
expect_ok docker_push_image '.status == "ok" and .action == "push" and
    (.digest | startswith("sha256:")) and .bytes > 0 and .layers == 1' \
    image="$REG/rt/busybox" tag=1
digest=$(jq -r .digest "$TMPD/out")
curl -sf "http://$REG/v2/rt/busybox/tags/list" | jq -e '.tags == ["1"]' >/dev/null &&
    ok "the registry holds rt/busybox:1" || fail "the registry lacks rt/busybox:1"
# Remove the local tag, then pull it back from the registry.
expect_ok docker_remove_image '.status == "dry_run" and .requests[0].method == "DELETE"' \
    image="$REG/rt/busybox:1" dry_run=true
expect_ok docker_remove_image ".status == \"ok\" and (.untagged | index([\"$REG/rt/busybox:1\"])) != null" \
    image="$REG/rt/busybox:1"
expect_ok docker_list_images '.total == 0' reference="$REG"
expect_ok docker_pull_image ".status == \"ok\" and .action == \"pull\" and .digest == \"$digest\"" \
    image="$REG/rt/busybox:1"
expect_ok docker_list_images "(.items[0].tags | index([\"$REG/rt/busybox:1\"])) != null" reference="$REG"
# Failures: a pull refused before the stream, errors inside 200 streams.
expect_err docker_pull_image 'manifest unknown' image="$REG/rt/nosuch" tag=1
expect_err docker_push_image "tag does not exist: $REG/rt/busybox:nosuch" \
    image="$REG/rt/busybox" tag=nosuch
registry_stop
dk tag rt-busybox "$REG/rt/busybox:2"
expect_err docker_push_image 'connection refused' image="$REG/rt/busybox" tag=2
expect_err docker_remove_image 'No such image' image=rt-nosuch:1

# Prune: a stopped container that wrote 100 kB, a dangling image (the tag
# moved to a second import) and build cache. No unused network: creating
# one would add an interface to the host.
dk run --network none --name filler rt-busybox \
    dd if=/dev/zero of=/tmp/fill bs=1k count=100 >/dev/null 2>&1
dk rmi "$REG/rt/busybox:1" "$REG/rt/busybox:2" >/dev/null
mkdir -p "$TMPD/two"
echo two >"$TMPD/two/file"
tar -C "$TMPD/two" -cf "$TMPD/two.tar" .
dk import "$TMPD/two.tar" rt-tmp:1 >/dev/null
old=$(dk images -q rt-tmp:1)
echo three >"$TMPD/two/file2"
tar -C "$TMPD/two" -cf "$TMPD/two.tar" .
dk import "$TMPD/two.tar" rt-tmp:1 >/dev/null
[ "$(dk images -q -f dangling=true)" = "$old" ] || fail "no dangling image to prune"
# Build cache: a BuildKit build FROM scratch (no image to resolve).
mkdir -p "$TMPD/ctx"
head -c 200000 /dev/urandom >"$TMPD/ctx/blob"
printf 'FROM scratch\nCOPY blob /blob\n' >"$TMPD/ctx/Dockerfile"
DOCKER_BUILDKIT=1 dk build -q -t rt-built:1 "$TMPD/ctx" >/dev/null 2>&1 ||
    fail "docker build failed"
expect_ok docker_get_system_info '.build_cache_size >= 200000'

expect_ok docker_prune_system '.status == "dry_run" and (.requests | length) == 4' dry_run=true
dk inspect filler >/dev/null 2>&1 || fail "dry_run pruned"
expect_ok docker_prune_system '.status == "ok" and
    (.parts | keys) == ["build_cache", "containers", "images", "networks"] and
    .parts.containers.deleted == 1 and .parts.containers.space_reclaimed >= 102400 and
    .parts.images.deleted >= 1 and .parts.images.space_reclaimed > 0 and
    .parts.build_cache.deleted >= 1 and .parts.build_cache.space_reclaimed >= 200000 and
    .space_reclaimed == ([.parts[].space_reclaimed] | add)'
echo "note: prune reclaimed $(jq -c '{space_reclaimed, parts}' "$TMPD/out")"
dk inspect filler >/dev/null 2>&1 && fail "prune left the stopped container"
[ -z "$(dk images -q -f dangling=true)" ] || fail "prune left the dangling image"
dk inspect rt-busybox:latest >/dev/null 2>&1 || fail "prune removed a tagged image"
finish dockerd-registry
