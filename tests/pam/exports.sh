# The module exports pam_sm_* and nothing else, and loads with every symbol
# resolved (RTLD_NOW), as libpam will load it.
set -eu
so="$top_builddir/pam_module/.libs/pam_hostgate.so"
"$top_builddir/tests/pam/tst-dlopen" "$so"
extra=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^pam_sm_' || true)
if [ -n "$extra" ]; then
	echo "FAIL: unexpected exports: $extra"
	exit 1
fi
echo "ok: nm lists only pam_sm_* as defined dynamic symbols"
