#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bash -n and shellcheck (errors only) on every shell script of the tree.
# Usage: check.sh SOURCE_DIR
set -u
top=${1:?usage: check.sh SOURCE_DIR}
cd "$top" || exit 1
bad=0
n=0
while IFS= read -r f; do
	n=$((n + 1))
	head -n1 "$f" | grep -q 'bash' || continue
	bash -n "$f" || { echo "not ok - $f does not parse"; bad=1; }
done < <(git ls-files '*.sh' scripts .ci 2>/dev/null | sort -u | while read -r f; do [ -f "$f" ] && head -c2 "$f" | grep -q '#!' && echo "$f"; done)
if command -v shellcheck >/dev/null; then
	# shellcheck disable=SC2046
	shellcheck -x -S error $(git ls-files '*.sh' 'scripts/*' '.ci/*' | sort -u) || bad=1
fi
echo "# $n scripts checked"
exit $bad
