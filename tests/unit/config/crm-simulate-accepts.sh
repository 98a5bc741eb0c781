#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# For every Pacemaker-written CIB in DATA_DIR: re-serialize it with libha and check
# that crm_simulate accepts the result and computes the same transition as on the
# original. Usage: crm-simulate-accepts.sh ROUNDTRIP CRM_SIMULATE DATA_DIR
set -eu
roundtrip=$1
crm_simulate=$2
data=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
for f in "$data"/pcmk-*.xml; do
	name=$(basename "$f" .xml)
	"$roundtrip" "$f" "$tmp/$name.xml"
	# Lenient loading drops unsupported sections (alerts, acls, tags): they change
	# no decision, so the transition must be identical.
	"$crm_simulate" -x "$f" -S >"$tmp/$name.expected" 2>&1
	if ! "$crm_simulate" -x "$tmp/$name.xml" -S >"$tmp/$name.got" 2>&1; then
		echo "FAIL: crm_simulate rejects libha's output for $name:"
		cat "$tmp/$name.got"
		status=1
	elif ! diff -u "$tmp/$name.expected" "$tmp/$name.got"; then
		echo "FAIL: crm_simulate decides differently on libha's output for $name"
		status=1
	else
		echo "ok: $name"
	fi
done
exit $status
