#!/bin/sh
# Installs the Debian 12 packages that racktop's build, demo and tests
# need. Idempotent: installs only what is missing, and runs apt-get update
# only then. Starts no service and enables none.
#
# nodejs/npm come from apt only when npm is absent: machines whose Node
# comes from elsewhere would conflict with Debian's npm.
set -eu

PKGS="autoconf automake autoconf-archive pkg-config make gcc
libncurses-dev libcurl4-openssl-dev libjansson-dev libpq-dev
libmicrohttpd-dev libssl-dev libpcre2-dev check
clang libclang-rt-14-dev
tmux curl jq socat ca-certificates mandoc
valgrind clang-tools"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi

if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing" >&2
	echo "install-deps: run as root (or with sudo) to install them" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "install-deps: done"
