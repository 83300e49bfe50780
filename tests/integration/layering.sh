#!/bin/sh
# Layering, checked by machine: src/core names no service and includes no
# curses; ui/ never includes a service; only table.c names the backends.
top=${srcdir:-.}
rc=0
bad=$(grep -l -E '#include [<"](curses|ncurses)' "$top"/src/core/*.[ch] 2>/dev/null)
[ -z "$bad" ] || { echo "curses in core: $bad"; rc=1; }
bad=$(grep -l -E '#include "(services|mcp|ui)/' "$top"/src/core/*.[ch] 2>/dev/null)
[ -z "$bad" ] || { echo "core includes services/mcp/ui: $bad"; rc=1; }
bad=$(grep -l -E '#include "services/' "$top"/ui/*.[ch] 2>/dev/null)
[ -z "$bad" ] || { echo "ui includes services: $bad"; rc=1; }
for f in "$top"/src/services/*.c; do
	case ${f##*/} in table.c) continue ;; esac
	names=$(grep -o -E '&[a-z0-9]+_service\b' "$f" | grep -v "&${f##*/}" || true)
	if [ -n "$names" ]; then
		base=${f##*/}
		base=${base%.c}
		other=$(printf '%s\n' $names | grep -v "^&${base}_service$" || true)
		[ -z "$other" ] || { echo "$f names another backend: $other"; rc=1; }
	fi
done
# core must not name a service by its tool prefix either.
# (The built-in "racktop" service shares the product's name, so skip it.)
for svc in $(sed -n 's/^\t&\([a-z0-9]*\)_service,$/\1/p' "$top"/src/services/table.c); do
	[ "$svc" = racktop ] && continue
	bad=$(grep -l -E "\"${svc}[_\"]" "$top"/src/core/*.[ch] 2>/dev/null)
	[ -z "$bad" ] || { echo "core names service $svc: $bad"; rc=1; }
done
exit $rc
