#!/bin/sh
# Builds racktop out of tree in ./build (or $RT_BUILD_DIR): generates the
# configure script when needed, configures once, then runs make.
# Extra configure flags: $RT_CONFIGURE_FLAGS; under CI, warnings are errors.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${RT_BUILD_DIR:-$top/build}
flags=${RT_CONFIGURE_FLAGS:-}
if [ "${CI:-}" = true ]; then
	flags="--enable-werror $flags"
fi
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
    [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$(cat .rt-flags 2>/dev/null)" != "$flags" ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $flags
	echo "$flags" >.rt-flags
fi
make -j"$(nproc)"
echo "build: $build/racktop"
