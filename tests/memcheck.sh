#!/bin/sh
# make ci-extra's memcheck: valgrind over the unit tests and the
# integration tests, with no invalid access, no use of uninitialised
# memory and nothing definitely lost, in three passes:
#  1. the test binaries of TESTS (the unit tests and the C integration
#     tests) run under valgrind themselves;
#  2. the scripts of TESTS run racktop and racktop-testd under valgrind
#     (RT_WRAP, honoured by tests/integration/lib.sh's start_bg and by
#     tests/tui/lib.sh for the dashboard in tmux) against a native
#     racktop-sim, so the upstream timeouts the tests configure still hold;
#  3. the scripts of SIM_TESTS run racktop-sim under valgrind
#     (RT_WRAP_SIM) with a native racktop, except MEMCHECK_SIM_SKIP:
#     proxmox.sh, unifi.sh and docker.sh also build large labs (1,200
#     guests, 5,000 clients, 500 containers) that racktop-sim cannot
#     serve under valgrind within the 2 s upstream timeouts those tests
#     configure (their small labs run in faults.sh and sim.sh).
# Not in pass 2 (Makefile.am's MEMCHECK_TESTS): tests/tui/services.sh,
# whose backup check must see a progress line that lasts three task
# polls (about 3 s), which the dashboard under valgrind does not draw in
# time; the dockerd, demo and TypeScript SDK tests, which start racktop
# outside start_bg (docs/security-tests.md says why each).
# load.sh runs with LOAD_CALLS=20 and LOAD_GROWTH_CALLS=10 per client
# (256 clients): the full 1,000 take hours under valgrind. Forked
# children that exec (test helpers, PostgreSQL) are not followed.
# Every valgrind log (one per process, in memcheck/ of the build folder)
# must say "ERROR SUMMARY: 0 errors"; --errors-for-leak-kinds=definite
# makes a definite leak an error. Deadlines are scaled by RT_TIMEOUT_SCALE
# (default here 10). Exits 1 on a failed test or a valgrind error.
# Usage, from the build folder (make memcheck):
#   memcheck.sh SRCDIR 'TESTS' 'SIM_TESTS'
set -u
srcdir=$1
bins= scripts= simscripts=
for t in $2; do
	case $t in
	*.sh) scripts="$scripts $t" ;;
	*) bins="$bins $t" ;;
	esac
done
skip=${MEMCHECK_SIM_SKIP-proxmox.sh unifi.sh docker.sh}
for t in $3; do
	case " $skip " in *" ${t##*/} "*) continue ;; esac
	case $t in *.sh) simscripts="$simscripts $t" ;; esac
done
make=${MAKE:-make}
jobs=${MEMCHECK_JOBS:-2}
out=$PWD/memcheck
: "${RT_TIMEOUT_SCALE:=10}"
export RT_TIMEOUT_SCALE
command -v valgrind >/dev/null 2>&1 ||
    { echo "memcheck: valgrind is not installed" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/logs"
VG="valgrind --leak-check=full --show-leak-kinds=definite
 --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=40
 --child-silent-after-fork=yes
 --suppressions=$srcdir/tests/valgrind.supp --log-file=$out/logs/%p.log"
VG=$(echo $VG)
t0=$(date +%s)
rc=0
total_pass=0
total_fail=0
total_skip=0

# pass NAME make-check-arguments...: one make check; keeps its summary.
pass() {
	name=$1
	shift
	s=$(date +%s)
	"$make" -j"$jobs" check "$@" >"$out/$name.out" 2>&1 || rc=1
	cp test-suite.log "$out/$name.suite.log" 2>/dev/null
	p=$(awk '/^# PASS:/ { print $3 }' test-suite.log)
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ { n += $3 } END { print n + 0 }' \
	    test-suite.log)
	k=$(awk '/^# SKIP:/ { print $3 }' test-suite.log)
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-0}))
	total_skip=$((total_skip + ${k:-0}))
	echo "memcheck: $name: ${p:-0} passed, ${f:-0} failed," \
	    "${k:-0} skipped in $(($(date +%s) - s)) s"
	grep -E '^(FAIL|ERROR|SKIP):' "$out/$name.out" | sed 's/^/    /'
}

pass binaries TESTS="$bins" LOG_COMPILER="$VG"
RT_WRAP=$VG
LOAD_CALLS=${LOAD_CALLS:-20}
LOAD_GROWTH_CALLS=${LOAD_GROWTH_CALLS:-10}
export RT_WRAP LOAD_CALLS LOAD_GROWTH_CALLS
pass scripts TESTS="$scripts" LOG_COMPILER=
unset RT_WRAP
RT_WRAP_SIM=$VG
export RT_WRAP_SIM
pass sim-scripts TESTS="$simscripts" LOG_COMPILER=
unset RT_WRAP_SIM

# Every process's log: its summary must say 0 errors. A log without one
# belongs to a process that never finished under valgrind (SIGKILL).
nlogs=0
bad=0
for f in "$out"/logs/*.log; do
	[ -f "$f" ] || continue
	nlogs=$((nlogs + 1))
	grep -q 'ERROR SUMMARY: 0 errors' "$f" && continue
	bad=$((bad + 1))
	if grep -q 'ERROR SUMMARY:' "$f"; then
		echo "memcheck: errors in $f:"
	else
		echo "memcheck: no summary (killed?) in $f:"
	fi
	grep -m1 'Command:' "$f"
	grep -A12 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|Argument|[0-9,]+ bytes in [0-9,]+ blocks are definitely)' \
	    "$f" | head -n 60
done
[ "$nlogs" -gt 0 ] || { echo "memcheck: no valgrind log at all"; bad=1; }
echo "memcheck: $nlogs processes under valgrind, $bad with errors;" \
    "tests: $total_pass passed, $total_fail failed, $total_skip skipped;" \
    "$(($(date +%s) - t0)) s"
[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$total_fail" -eq 0 ]
