#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, from a fresh Debian 12 machine, as root: installs the
# dependencies, builds (gcc, -Werror), runs every ctest suite, then rebuilds with
# ASan+UBSan and runs the unit, scenario and differential suites again under them.
# Exits non-zero on any failure; prints ctest's summary.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
status=0

echo "== build (gcc) =="
"$top/scripts/build.sh" "$top/build"
echo "== tests =="
(cd "$top/build" && ctest --output-on-failure --timeout 900) || status=1

echo "== build (ASan+UBSan) =="
"$top/scripts/build.sh" "$top/build-asan" -DHA_SANITIZE=ON
echo "== tests under ASan+UBSan =="
(cd "$top/build-asan" && ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure --timeout 900 -L 'unit|scenario|diff') || status=1

if [ $status -ne 0 ]; then
	echo "test.sh: FAILED (see the ctest output above)" >&2
else
	echo "test.sh: all tests passed"
fi
exit $status
