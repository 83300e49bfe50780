#!/bin/sh
# `make fuzz`: runs every libFuzzer target in BINDIR for FUZZ_SECONDS
# (default 60) from a scratch copy of CORPUS/<name without fuzz->, so the
# committed corpus is never rewritten. Prints one line per target with its
# executions and exits 1 if any target crashed, leaked or timed out (its
# reproducer is kept in BINDIR/crashes/).
# Usage: run.sh BINDIR CORPUS
set -u
bindir=$1
corpus=$2
secs=${FUZZ_SECONDS:-60}
found=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/rt-fuzz.XXXXXX")
trap 'rm -rf "$work"' 0
trap 'exit 1' 1 2 15
mkdir -p "$bindir/crashes"
for t in "$bindir"/fuzz-*; do
	case $t in *.log) continue ;; esac
	[ -x "$t" ] || continue
	found=$((found + 1))
	name=${t##*/}
	seeds=$corpus/${name#fuzz-}
	mkdir -p "$work/$name"
	[ -d "$seeds" ] && cp -R "$seeds/." "$work/$name/"
	log=$bindir/$name.fuzz.log
	"$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$bindir/crashes/$name-" \
	    "$work/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		printf '%-24s %12s executions in %ss, %s seeds\n' "$name" \
		    "${execs:-?}" "$secs" "$(ls "$seeds" 2>/dev/null | wc -l)"
	else
		failed=$((failed + 1))
		printf '%-24s CRASH (exit %s) after %s executions\n' "$name" \
		    "$rc" "${execs:-?}"
		grep -m1 -E 'ERROR: |SUMMARY: |runtime error' "$log" || true
		grep -E '^artifact_prefix|Test unit written to' "$log" || true
		echo "    log: $log"
	fi
done
if [ "$found" -eq 0 ]; then
	echo "make fuzz: no fuzz targets in $bindir (configure with --enable-fuzzing and CC=clang)" >&2
	exit 1
fi
echo "make fuzz: $found targets, $failed failed, ${secs}s each"
[ "$failed" -eq 0 ]
