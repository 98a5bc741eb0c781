#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `hactl agent` end to end: list, describe and run against the executor's test agents
# (through a temporary OCF root) and the resource-agents package's Dummy.
# usage: hactl_agent.sh PATH-TO-HACTL   (HA_TEST_DATA = tests/unit/exec)
set -u
hactl=$1
tmp=$(mktemp -d /tmp/ha-hactl-agent.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/ocf/resource.d"
ln -s "$HA_TEST_DATA/agents/ocf" "$tmp/ocf/resource.d/test"
root="--ocf-root=$tmp/ocf"
failures=0

# expect EXIT-CODE PATTERN-OR-EMPTY ARGS...: run hactl, check exit code and output.
expect() {
	want=$1 pattern=$2
	shift 2
	out=$("$hactl" "$@" 2>&1)
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL: hactl $*: exit $got, want $want"; echo "$out"
		failures=$((failures + 1))
	elif [ -n "$pattern" ] && ! printf '%s\n' "$out" | grep -q -- "$pattern"; then
		echo "FAIL: hactl $*: no '$pattern' in:"; echo "$out"
		failures=$((failures + 1))
	fi
}

expect 0 "usage: hactl agent list" agent --help
expect 0 "usage: hactl agent list" agent list --help
expect 0 "usage: hactl agent describe" agent describe --help
expect 0 "--interval MS" agent run --help
expect 2 "unknown subcommand" agent frobnicate
expect 2 "usage" agent
expect 2 "usage" agent run ocf:test:tester
expect 2 "not an agent spec" agent run "ocf:../x:y" start
expect 2 "not an agent spec" agent describe "ocf:test:a/b"
expect 2 "unknown action" agent run ocf:test:tester explode
expect 2 "parameter 'bad name'" agent run ocf:test:tester start "bad name=1" "$root"
expect 2 "not NAME=VALUE" agent run ocf:test:tester start novalue "$root"
expect 2 "not a number" agent run ocf:test:tester start --timeout=soon "$root"
expect 2 "--class" agent list --class=nope

expect 0 "^ocf:test:tester$" agent list --class ocf "$root"
expect 0 "reload *800ms" agent describe ocf:test:tester "$root"
expect 0 "^  rc  *no  *0 *exit code" agent describe ocf:test:tester "$root"
expect 0 "rc 0 (ok)" agent run ocf:test:tester start "$root"
expect 0 "duration: " agent run ocf:test:tester start "$root"
expect 1 "rc 7 (not running)" agent run ocf:test:tester monitor rc=7 "$root"
expect 0 "rc 8 (promoted)" agent run ocf:test:tester monitor rc=8 --interval=10000 "$root"
expect 1 "exit reason: boom" agent run ocf:test:tester start rc=1 reason=boom "$root"
expect 1 "timed out" agent run ocf:test:tester start sleep=5 --timeout=200 "$root"
expect 1 "not installed" agent run ocf:test:missing start "$root"
expect 1 "meta-data" agent describe ocf:test:missing "$root"
expect 0 "stderr: tester monitor done" agent run ocf:test:tester monitor --depth=20 --verbose \
	--meta=clone-max=2 "envfile=$tmp/env" "$root"
grep -q "OCF_RESKEY_CRM_meta_clone_max=2" "$tmp/env" || { echo "FAIL: meta not passed"; failures=$((failures + 1)); }
grep -q "OCF_CHECK_LEVEL=20" "$tmp/env" || { echo "FAIL: depth not passed"; failures=$((failures + 1)); }

# the resource-agents package's Dummy, unchanged
expect 0 "^  state " agent describe ocf:heartbeat:Dummy
expect 1 "rc 7" agent run ocf:heartbeat:Dummy monitor "state=$tmp/dummy"
expect 0 "rc 0" agent run ocf:heartbeat:Dummy start "state=$tmp/dummy"
expect 0 "rc 0" agent run ocf:heartbeat:Dummy monitor --interval=10000 "state=$tmp/dummy"
expect 0 "rc 0" agent run ocf:heartbeat:Dummy stop "state=$tmp/dummy"

[ "$failures" = 0 ] && echo "hactl agent: all checks passed"
exit $((failures > 0))
