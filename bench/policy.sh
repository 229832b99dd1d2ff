#!/bin/sh
# Run bench/policy (see the comment at the top of bench/policy.c) under
# nss_wrapper, in a temporary directory under /tmp that is removed on exit.
#
#   make && make bench/policy && bench/policy.sh [-b budget-seconds-per-row]
#
# Needs root (the module and hostgated trust only root-owned files) and
# libnss-wrapper (scripts/deps installs it).  Builddir: $top_builddir, else
# the tree this script is in.
#
# bench/policy starts and stops each hostgated itself (under the same
# nss_wrapper environment) and takes it along however it ends.  It runs in
# the background so that a signal to this script (Ctrl-C, kill) is handled
# at once: the trap stops bench/policy, waits for it, then removes the
# directory.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
top=${top_builddir:-$here}
bin=$top/bench/policy
module=$top/pam_module/.libs/pam_hostgate.so
hostgated=$top/helper/hostgated
wrapper=/usr/lib/x86_64-linux-gnu/libnss_wrapper.so

[ "$(id -u)" = 0 ] || { echo "bench/policy.sh: needs root" >&2; exit 1; }
for f in "$bin" "$module" "$hostgated" "$wrapper"; do
	[ -r "$f" ] || { echo "bench/policy.sh: missing $f" >&2; exit 1; }
done

T=$(mktemp -d /tmp/hgbench.XXXXXX)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || :;
	wait "$pid" 2>/dev/null || :; fi; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
chmod 0755 "$T"

LD_PRELOAD=$wrapper \
NSS_WRAPPER_PASSWD=$T/passwd \
NSS_WRAPPER_GROUP=$T/group \
    "$bin" "$@" -d "$hostgated" "$module" "$T" &
pid=$!
rc=0
wait "$pid" || rc=$?
pid=
exit "$rc"
