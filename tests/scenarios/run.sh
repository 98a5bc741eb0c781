#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Golden scheduler scenarios: `hactl simulate --scores` on each *.xml (at a fixed
# time) must print exactly *.expected. A scheduler change shows up as a reviewable
# diff; after reviewing it, regenerate with: run.sh HACTL --update
set -u
hactl=$1
update=${2:-}
dir=$(cd "$(dirname "$0")" && pwd)
fail=0
n=0
for xml in "$dir"/*.xml; do
	name=$(basename "$xml" .xml)
	out=$(mktemp)
	"$hactl" simulate --xml-file "$xml" --scores --now 1700000000 >"$out" 2>&1
	echo "exit: $?" >>"$out"
	n=$((n + 1))
	if [ "$update" = "--update" ]; then
		cp "$out" "$dir/$name.expected"
	elif ! diff -u "$dir/$name.expected" "$out"; then
		echo "scenario $name: output differs from $name.expected" >&2
		fail=$((fail + 1))
	fi
	rm -f "$out"
done
echo "scenarios: $((n - fail))/$n match"
[ $fail -eq 0 ]
