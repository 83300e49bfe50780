#!/bin/bash
# Installs Debian's Docker engine (docker.io) and registry (docker-registry)
# for tests/integration/dockerd.sh, which starts its own private engine and
# registry. Idempotent; runs as root; starts and enables no service: a
# temporary /usr/sbin/policy-rc.d refuses every start while apt-get runs
# (unless one is already there, which is then left alone), and the units
# the packages enable are disabled again.
set -eu

PKGS="docker.io docker-registry"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "ci-deps/docker: docker.io and docker-registry are installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "ci-deps/docker: missing:$missing; run as root to install" >&2
	exit 1
fi

PRC=/usr/sbin/policy-rc.d
ours=no
if [ ! -e "$PRC" ]; then
	printf '#!/bin/sh\n# ci-deps/docker.sh: no service starts while it installs.\nexit 101\n' >"$PRC"
	chmod 0755 "$PRC"
	ours=yes
fi
remove_prc() {
	if [ "$ours" = yes ]; then
		rm -f "$PRC"
	fi
}
trap remove_prc EXIT

echo "ci-deps/docker: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
# The packages' postinst enabled their units for the next boot: undo that
# for what this run installed (a unit enabled before is left alone).
for p in $missing; do
	case $p in
	docker.io) units="docker.service docker.socket containerd.service" ;;
	docker-registry) units="docker-registry.service" ;;
	*) units="" ;;
	esac
	for u in $units; do
		systemctl disable "$u" >/dev/null 2>&1 || true
	done
done
echo "ci-deps/docker: installed:$missing (no service started or enabled)"
