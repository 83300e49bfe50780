#!/bin/sh
# PostgreSQL for the memory tests: the server binaries (no cluster is
# started or enabled), libpq-dev to build racktop, and pgvector built from
# Debian's source package (Debian 12 ships no binary). Idempotent; root.
# The tests start their own throwaway clusters on a Unix socket.
set -eu
PGVER=${PGVER:-15}
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "ci-deps/postgres: run as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
want="postgresql-$PGVER libpq-dev"
# Building pgvector needs the server headers and a compiler.
[ -f "/usr/share/postgresql/$PGVER/extension/vector.control" ] ||
    want="$want postgresql-server-dev-$PGVER dpkg-dev make gcc"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# Keep the package scripts from starting a cluster: a policy-rc.d
	# that refuses every start, only while installing, unless one exists.
	rcd=/usr/sbin/policy-rc.d
	ours=no
	if [ ! -e "$rcd" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$rcd"
		chmod 755 "$rcd"
		ours=yes
	fi
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	    { [ $ours = yes ] && rm -f "$rcd"; exit 1; }
	[ $ours = yes ] && rm -f "$rcd"
fi
PGVER=$PGVER sh "$here/../install-pgvector.sh"
echo "ci-deps/postgres: PostgreSQL $PGVER and pgvector ready"
