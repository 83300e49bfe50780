#!/bin/sh
# What gets installed is sound: the man pages pass mandoc's lint and
# document every configuration key and mode, and the systemd user unit
# passes systemd-analyze verify.
. "${srcdir:-.}/tests/integration/lib.sh"

if ! command -v mandoc >/dev/null; then
	echo "mandoc is not installed (scripts/install-deps.sh installs it)"
	exit 77
fi
for m in racktop.1 racktop.conf.5 racktop-sim.1; do
	mandoc -T lint -W warning "$srcdir/man/$m" >"$TMPD/lint" 2>&1 ||
	    fail "$m: $(cat "$TMPD/lint")"
	[ -s "$TMPD/lint" ] && fail "$m: $(cat "$TMPD/lint")"
done
# Every configuration key is documented in racktop.conf(5).
mandoc -T ascii "$srcdir/man/racktop.conf.5" | sed 's/.\x08//g' >"$TMPD/conf.txt"
for v in $("$RACKTOP" env-example | sed -n 's/^#RACKTOP_PROXMOX_HOME_//p; s/^#RACKTOP_//p' |
    sed 's/=$//' | tr 'A-Z' 'a-z'); do
	case $v in *_file) continue ;; esac
	grep -qw -- "$v" "$TMPD/conf.txt" || fail "racktop.conf(5) lacks $v"
done
# Every mode in racktop(1).
mandoc -T ascii "$srcdir/man/racktop.1" | sed 's/.\x08//g' >"$TMPD/r1.txt"
for m in --headless --demo "racktop mcp" "racktop call" "racktop tools" \
    env-example --print-config; do
	grep -q -- "$m" "$TMPD/r1.txt" || fail "racktop(1) lacks $m"
done

if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMPD/man/man1" "$TMPD/man/man5" "$TMPD/xdg"
	cp "$srcdir/man/racktop.1" "$TMPD/man/man1/"
	cp "$srcdir/man/racktop.conf.5" "$TMPD/man/man5/"
	sed "s|@bindir@|$(dirname "$RACKTOP")|" \
	    "$srcdir/systemd/racktop.service.in" >"$TMPD/racktop.service"
	MANPATH=$TMPD/man XDG_RUNTIME_DIR=$TMPD/xdg \
	    systemd-analyze --user verify "$TMPD/racktop.service" \
	    >"$TMPD/verify" 2>&1 || fail "systemd-analyze: $(cat "$TMPD/verify")"
	grep -q . "$TMPD/verify" && fail "systemd-analyze: $(cat "$TMPD/verify")"
else
	echo "systemd-analyze absent: unit not verified"
fi
exit 0
