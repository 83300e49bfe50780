#!/bin/sh
# Copied from the racktop team recipes (recipes/install-pgvector.sh, same
# licence as racktop: see LICENSE). Called by scripts/ci-deps/postgres.sh.
# Build and install pgvector for Debian 12's PostgreSQL from Debian's own
# source package. Debian 12 ships no pgvector binary package; the next Debian
# release ships its source. Uses a private apt state folder, so the system's
# sources are not changed. Idempotent: does nothing when pgvector is present.
set -eu
PGVER=${PGVER:-15}
PG_CONFIG=/usr/lib/postgresql/$PGVER/bin/pg_config
if [ -x "$PG_CONFIG" ] &&
   [ -f "$($PG_CONFIG --pkglibdir)/vector.so" ] &&
   [ -f "$($PG_CONFIG --sharedir)/extension/vector.control" ]; then
	echo "pgvector already installed"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends --no-upgrade \
    postgresql-$PGVER postgresql-server-dev-$PGVER dpkg-dev make gcc >/dev/null
# The Debian mirror this machine already uses, read from its apt sources.
MIRROR=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list)
W=$(mktemp -d /tmp/pgvector-build.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/lists/partial"
echo "deb-src $MIRROR trixie main" >"$W/sources.list"
APTOPT="-o Dir::Etc::SourceList=$W/sources.list -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=$W/lists"
apt-get $APTOPT update >/dev/null
(cd "$W" && apt-get $APTOPT source pgvector >/dev/null 2>&1)
SRC=$(find "$W" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-[0-9]*' | head -1)
make -C "$SRC" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -C "$SRC" install PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
echo "pgvector installed: $(grep default_version "$($PG_CONFIG --sharedir)/extension/vector.control")"
