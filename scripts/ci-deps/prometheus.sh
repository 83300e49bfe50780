#!/usr/bin/env bash
# promtool, for tests/integration/metrics.sh's format check: Debian's
# prometheus package, installed without starting its service.
set -eu
command -v promtool >/dev/null && exit 0
export DEBIAN_FRONTEND=noninteractive
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends prometheus >/dev/null || {
	apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	    prometheus >/dev/null
} || rc=$?
[ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
exit $rc
