# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the had/hactl integration tests (sourced by bash, as root): a cluster of
# namespace nodes (tests/integration/lib.sh) with corosync and had in each, the ha
# agents staged under a private OCF root, hactl run inside a node, JSON status
# queries, and the fencing harness that powers nodes off when fence_harness asks.
# shellcheck shell=bash
#
# Usage: BUILD=<build dir> . common.sh; hd_setup 3; hx n1 status; ...
# Everything runs under ha_cluster_cleanup's EXIT trap (set by hd_setup).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../lib.sh
. "$TOP/tests/integration/lib.sh"

: "${BUILD:?BUILD must name the build directory}"
HAD=$BUILD/daemon/had
HACTL=$BUILD/daemon/hactl
hd_failures=0
hd_fence_pid=""

hd_pass() { printf 'ok - %s\n' "$*"; }
hd_fail() {
	printf 'not ok - %s\n' "$*"
	hd_failures=$((hd_failures + 1))
	# What the cluster looked like at that moment, from every node that answers.
	local n
	for n in ${HA_NODE_NAMES:-}; do
		echo "# ---- hactl status on $n"
		ha_node_exec "$n" timeout 5 "$HACTL" status 2>&1 | sed 's/^/#   /'
	done
}
# hd_check DESC CMD...: run CMD, record the result.
hd_check() {
	local desc=$1
	shift
	if "$@"; then hd_pass "$desc"; else hd_fail "$desc"; fi
}

# hx NODE ARGS...: hactl inside NODE.
hx() {
	local node=$1
	shift
	ha_node_exec "$node" "$HACTL" "$@"
}

# hx_rc WANT NODE ARGS...: hactl's exit status is WANT (output to the test log).
hx_rc() {
	local want=$1 rc
	shift
	hx "$@" >"$HA_WORK/last.out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "# hactl $* exited $rc, expected $want:" >&2
		sed 's/^/#   /' "$HA_WORK/last.out" >&2
		return 1
	fi
	return 0
}

# hd_json NODE PYEXPR: evaluate a Python expression on `hactl status --output json`
# (as `s`) inside NODE and print the result.
hd_json() {
	hx "$1" status --output json 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if not isinstance(r,bool) else str(r).lower())' "$2"
}

# hd_up NODE RSC: where RSC is up, as NODE's had sees it ("" if nowhere).
hd_up() {
	hd_json "$1" "' '.join(next((r['up_nodes'] for r in s['resources'] if r['id']=='$2'), []))"
}

hd_is_up_on() { [ "$(hd_up "$1" "$2")" = "$3" ]; }
hd_is_up() { [ -n "$(hd_up "$1" "$2")" ]; }
hd_settled() { [ "$(hd_json "$1" "s['settled'] and s['quorate']")" = true ]; }
hd_all_online() { [ "$(hd_json "$1" "sorted(set(n['state'] for n in s['nodes']))")" = "['online']" ]; }
hd_online_count() { hd_json "$1" "sum(1 for n in s['nodes'] if n['state']=='online')"; }
hd_node_state() { hd_json "$1" "next(n['state'] for n in s['nodes'] if n['name']=='$2')"; }

# The Dummy agent's state file inside a node: the resource runs there.
hd_dummy_running() { ha_node_exec "$1" test -e "/run/resource-agents/Dummy-$2.state"; }

# ---- daemons -------------------------------------------------------------------------------

hd_stage_agents() {
	mkdir -p "$HA_WORK/ocf/resource.d" "$HA_WORK/ocf/lib" "$HA_WORK/fence-agents" "$HA_WORK/fence"
	ln -sfn "$TOP/resource-agents/ocf" "$HA_WORK/ocf/resource.d/ha"
	ln -sfn "$TOP/resource-agents/lib" "$HA_WORK/ocf/lib/ha"
	# Test agents (ocf:test:NotifyLog)
	ln -sfn "$HERE/agents" "$HA_WORK/ocf/resource.d/test"
	# Pacemaker's and the heartbeat agents (ocf:pacemaker:Stateful) where installed.
	local p
	for p in pacemaker heartbeat; do
		[ -d "/usr/lib/ocf/resource.d/$p" ] && ln -sfn "/usr/lib/ocf/resource.d/$p" "$HA_WORK/ocf/resource.d/$p"
		[ -d "/usr/lib/ocf/lib/$p" ] && ln -sfn "/usr/lib/ocf/lib/$p" "$HA_WORK/ocf/lib/$p"
	done
	cp "$HERE/fence_harness" "$HA_WORK/fence-agents/fence_harness"
}

# hd_had_start NODE [EXTRA ARGS]: start had in the foreground inside NODE.
hd_had_start() {
	local node=$1 dir
	shift
	dir=$(ha_node_dir "$node")
	mkdir -p "$dir/state"
	ha_node_start "$node" "$dir/log/had.out" "$HAD" --foreground --state-dir "$dir/state" \
		--log-file "$dir/log/had.log" --ocf-root "$HA_WORK/ocf" \
		--fence-agent-dir "$HA_WORK/fence-agents" --libexec-dir "$BUILD/daemon/libexec" \
		"$@" >"$dir/had.pid"
	ha_wait 10 hd_reachable "$node" || ha_die "$node: had does not answer: $(cat "$dir/log/had.out")"
}

hd_reachable() { hx "$1" status >/dev/null 2>&1; }
hd_had_pid() { cat "$(ha_node_dir "$1")/had.pid"; }

# The node's pid-namespace init, for the fencing harness (a background process that
# cannot see lib.sh's variables change).
hd_note_init() { ha_node_init_pid "$1" >"$(ha_node_dir "$1")/init.pid"; }

# hd_boot_node NODE: after a crash: fresh init, port up, corosync and had.
hd_boot_node() {
	ha_node_boot "$1"
	hd_note_init "$1"
	ha_node_restore "$1"
	ha_corosync_start "$1" >/dev/null
	hd_had_start "$1"
}

# hd_setup N: N nodes with corosync and had, synchronized and quorate.
hd_setup() {
	ha_need_root
	trap hd_cleanup EXIT
	ha_cluster_create "$1"
	hd_stage_agents
	ha_corosync_conf >"$HA_WORK/corosync.conf"
	local n
	for n in $HA_NODE_NAMES; do
		hd_note_init "$n"
		ha_corosync_start "$n" >/dev/null
	done
	for n in $HA_NODE_NAMES; do
		hd_had_start "$n"
	done
	# Every node a member (corosync may first form two rings and merge them seconds
	# later), synchronized and quorate.
	hd_want_nodes=$1
	ha_wait 30 eval 'hd_settled n1 && [ "$(hd_online_count n1)" = "$hd_want_nodes" ]' ||
		ha_die "the cluster did not form with all $1 nodes: $(hx n1 status 2>&1)"
}

hd_cleanup() {
	local rc=$?
	[ -n "$hd_fence_pid" ] && kill "$hd_fence_pid" 2>/dev/null
	if [ "$rc" != 0 ] || [ "$hd_failures" != 0 ]; then
		for n in $HA_NODE_NAMES; do
			echo "# ---- $n had.log (tail)"
			tail -n 40 "$(ha_node_dir "$n")/log/had.log" 2>/dev/null | sed 's/^/# /'
		done
	fi
	ha_cluster_cleanup
}

# ---- fencing harness --------------------------------------------------------------------

# Answer fence_harness requests (at most $1 seconds): power the target off (switch
# port down, SIGKILL of its pid-namespace init), then confirm. Logged in fence.log.
hd_fence_harness() {
	local limit=$1 dir=$HA_WORK/fence
	: >"$HA_WORK/fence.log"
	(
		deadline=$(($(ha_now_ms) + limit * 1000))
		while [ "$(ha_now_ms)" -lt "$deadline" ]; do
			for req in "$dir"/req.*; do
				[ -e "$req" ] || continue
				case $req in *.tmp) continue ;; esac
				id=${req#"$dir"/req.}
				target=$(cat "$req")
				init=$(cat "$HA_WORK/$target/init.pid" 2>/dev/null)
				sleep "${HD_FENCE_DELAY:-0}"
				# What the target still runs when the power goes (Dummy state files).
				running=$(nsenter -t "$init" -m -- ls /run/resource-agents 2>/dev/null |
					sed -n 's/^Dummy-\(.*\)\.state$/\1/p' | tr '\n' ' ')
				ip link set "$(ha_node_port "$target")" down 2>/dev/null
				[ -n "$init" ] && kill -KILL "$init" 2>/dev/null
				echo "$(date +%T.%3N) fenced $target (init $init) running: ${running:-none}" \
					>>"$HA_WORK/fence.log"
				echo ok >"$dir/ack.$id"
				rm -f "$req"
			done
			sleep 0.1
		done
	) &
	hd_fence_pid=$!
}

hd_fenced() { grep -q "fenced $1 " "$HA_WORK/fence.log" 2>/dev/null; }
# hd_fence_mark / hd_fenced_since NODE: fenced after the mark.
hd_fence_mark() { hd_fence_lines=$(wc -l <"$HA_WORK/fence.log" 2>/dev/null || echo 0); }
hd_fenced_since() { tail -n +"$((${hd_fence_lines:-0} + 1))" "$HA_WORK/fence.log" 2>/dev/null | grep -q "fenced $1 "; }

hd_finish() {
	if [ "$hd_failures" != 0 ]; then
		echo "# $hd_failures check(s) failed"
		exit 1
	fi
	echo "# all checks passed"
	exit 0
}
