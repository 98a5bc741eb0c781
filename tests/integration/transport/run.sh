#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The corosync transport against 3 real corosync instances (knet, token 1000) in
# network namespaces: agreed order on every node, a cut switch port (majority sees
# NODEDOWN and stays quorate, the minority loses quorum), the merge, PROCDOWN keeping
# quorum, a clean leave, the loss and return of the corosync connection, and a node
# crash and reboot (lib.sh's helpers). Each node runs tp_node, which logs callbacks
# with wall-clock stamps; timings are printed.
# Usage: run.sh PATH/TO/tp_node   (root; exit 77 = skipped)
# shellcheck source-path=SCRIPTDIR disable=SC2317 # helpers run through ha_wait/check
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
TP=${1:?usage: run.sh TP_NODE}
B=${HA_TP_BURST:-600}  # messages per node per burst
S=${HA_TP_SIZE:-30000} # bytes per message: big enough to meet corosync flow control
ha_need_root
trap ha_cluster_cleanup EXIT

checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok $checks - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
declare -A tp_pid cs_pid

# finish: the TAP plan, and on failure every node's log without the deliveries.
finish() {
	local n
	echo "1..$checks"
	[ "$fails" -eq 0 ] && exit 0
	for n in $HA_NODE_NAMES; do
		echo "# ---- $n tp.log (without deliveries)"
		grep -sv ' DELIVER ' "$(tplog "$n")" | sed 's/^/#   /'
		echo "# ---- $n tp.out"
		sed 's/^/#   /' "$HA_WORK/$n/tp.out" 2>/dev/null
	done
	exit 1
}
# fatal: a failed precondition: the remaining checks cannot run.
fatal() { fail "$@"; finish; }
# burst NODE: tell NODE's tp_node to send a burst (it must still be running).
burst() {
	kill -USR1 "${tp_pid[$1]}" 2>/dev/null ||
		fatal "$1: tp_node (pid ${tp_pid[$1]}) is gone: $(tail -n 20 "$HA_WORK/$1/tp.out" 2>/dev/null)"
}

tplog() { echo "$HA_WORK/$1/tp.log"; }
has() { grep -qs -- "$2" "$(tplog "$1")"; }
delivered() { local c; c=$(grep -sc ' DELIVER ' "$(tplog "$1")"); echo "${c:-0}"; }
# The stamp of the first line matching PATTERN (after line AFTER, default 0).
stamp_of() { awk -v p="$2" -v a="${3:-0}" 'NR > a && index($0, p) { print $1; exit }' "$(tplog "$1")"; }
lines() { wc -l <"$(tplog "$1")"; }
# DELIVER lines (without stamps) after the first line matching PATTERN after line
# AFTER (default 0).
deliveries_after() {
	awk -v p="$2" -v a="${3:-0}" 'f && $2 == "DELIVER" { $1 = ""; print }
		!f && NR > a && index($0, p) { f = 1 }' "$(tplog "$1")"
}
count_at_least() { [ "$(delivered "$1")" -ge "$2" ]; }
same_file() { cmp -s "$1" "$2"; }

ha_cluster_create 3
ha_log "cluster of 3 in namespaces (prefix $HA_PREFIX, work $HA_WORK)"
ha_corosync_conf >"$HA_WORK/corosync.conf"
t_start=$(ha_now_ms)
for n in $HA_NODE_NAMES; do cs_pid[$n]=$(ha_corosync_start "$n") || exit 1; done
quorate3() { ha_node_exec "$1" corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes'; }
for n in $HA_NODE_NAMES; do
	ha_wait 30 quorate3 "$n" || fatal "$n: corosync not quorate"
done
ha_log "corosync quorate on 3 nodes after $(($(ha_now_ms) - t_start)) ms;" \
	"runtime token $(ha_node_exec n1 corosync-cmapctl -g runtime.config.totem.token | sed 's/.*= //') ms," \
	"consensus $(ha_node_exec n1 corosync-cmapctl -g runtime.config.totem.consensus | sed 's/.*= //') ms"

for n in $HA_NODE_NAMES; do
	tp_pid[$n]=$(ha_node_start "$n" "$HA_WORK/$n/tp.out" "$TP" --log "$(tplog "$n")" \
		--burst "$B" --size "$S") || fatal "$n: tp_node did not start"
done
for n in $HA_NODE_NAMES; do
	ha_wait 15 has "$n" "members=1,2,3 " || fatal "$n: no 3-member configuration"
done
check "node names from cmap" has n2 "CONNECTED local=2 name=n2 "
check "first membership is our own join" \
	sh -c "grep -m1 MEMBERSHIP '$(tplog n1)' | grep -q 'joined=1 '"

# --- agreed order: 3 x B messages sent concurrently ----------------------------------
for n in $HA_NODE_NAMES; do burst "$n"; done
for n in $HA_NODE_NAMES; do
	ha_wait 30 count_at_least "$n" $((3 * B)) || fail "$n: $(delivered "$n") of $((3 * B)) delivered"
done
for n in $HA_NODE_NAMES; do deliveries_after "$n" "members=1,2,3 " >"$HA_WORK/$n.order1"; done
check "$((3 * B)) messages, same order on n1 and n2" same_file "$HA_WORK/n1.order1" "$HA_WORK/n2.order1"
check "$((3 * B)) messages, same order on n1 and n3" same_file "$HA_WORK/n1.order1" "$HA_WORK/n3.order1"
check "all $((3 * B)) delivered" test "$(wc -l <"$HA_WORK/n1.order1")" = $((3 * B))
check "ring of quorum = ring of membership (n1)" sh -c "
	r=\$(grep MEMBERSHIP '$(tplog n1)' | tail -n1 | sed 's/.*ring=\([0-9]*\).*/\1/')
	grep QUORUM '$(tplog n1)' | tail -n1 | grep -q \"ring=\$r quorate=1\""

# --- cut n3's switch port ------------------------------------------------------------
a1=$(lines n1); a2=$(lines n2); a3=$(lines n3)
t_cut=$(ha_now_ms)
ha_node_cut n3
ha_wait 20 has n1 "left=3:nodedown" || fail "n1: no NODEDOWN for n3"
ha_wait 20 has n2 "left=3:nodedown" || fail "n2: no NODEDOWN for n3"
ha_wait 20 has n3 "left=1:nodedown,2:nodedown" || fail "n3: no NODEDOWN for n1,n2"
ha_wait 10 has n3 "quorate=0 members=3" || fail "n3: quorum not lost"
ha_wait 10 has n1 "quorate=1 members=1,2" || fail "n1: not quorate with 1,2"
t_down1=$(stamp_of n1 "left=3:nodedown" "$a1")
t_down3=$(stamp_of n3 "left=1:nodedown,2:nodedown" "$a3")
t_q3=$(stamp_of n3 "quorate=0" "$a3")
echo "# cut -> NODEDOWN delivered: n1 $((t_down1 - t_cut)) ms, n3 $((t_down3 - t_cut)) ms;" \
	"n3 inquorate $((t_q3 - t_cut)) ms (token 1000)"
check "majority: membership 1,2 after the cut" has n1 "members=1,2 joined=- left=3:nodedown"
check "majority stays quorate" has n2 "quorate=1 members=1,2"
check "minority loses quorum" has n3 "quorate=0 members=3"
check "quorum ring = membership ring after the cut (n1)" sh -c "
	r=\$(grep 'left=3:nodedown' '$(tplog n1)' | sed 's/.*ring=\([0-9]*\).*/\1/')
	grep -q \"QUORUM ring=\$r quorate=1 members=1,2\$\" '$(tplog n1)'"

# Both sides keep working: each delivers its own side's messages, the same on n1, n2.
burst n1
burst n3
ha_wait 20 count_at_least n1 $((4 * B)) || fail "n1: partition burst not delivered"
ha_wait 20 count_at_least n2 $((4 * B)) || fail "n2: partition burst not delivered"
ha_wait 20 count_at_least n3 $((4 * B)) || fail "n3: own burst not delivered in the minority"
deliveries_after n1 "left=3:nodedown" "$a1" >"$HA_WORK/n1.order2"
deliveries_after n2 "left=3:nodedown" "$a2" >"$HA_WORK/n2.order2"
check "partition: same $B messages on n1 and n2" same_file "$HA_WORK/n1.order2" "$HA_WORK/n2.order2"
# shellcheck disable=SC2016 # awk program
check "partition: n3 delivers only its own" \
	awk -v a="$a3" 'f && $2 == "DELIVER" && $3 != "from=3" { bad = 1 }
		NR > a && index($0, "left=1:nodedown") { f = 1 } END { exit bad }' "$(tplog n3)"

# --- restore: merge ------------------------------------------------------------------
a1=$(lines n1); a2=$(lines n2); a3=$(lines n3)
t_up=$(ha_now_ms)
ha_node_restore n3
ha_wait 20 has n1 "joined=3 " || fail "n1: no merge"
ha_wait 20 has n3 "joined=1,2 " || fail "n3: no merge"
ha_wait 10 has n3 "quorate=1 members=1,2,3" || fail "n3: quorum not regained"
t_m1=$(stamp_of n1 "joined=3 " "$a1")
t_m3=$(stamp_of n3 "joined=1,2 " "$a3")
echo "# restore -> merge delivered: n1 $((t_m1 - t_up)) ms, n3 $((t_m3 - t_up)) ms"
for n in $HA_NODE_NAMES; do burst "$n"; done
for n in $HA_NODE_NAMES; do
	ha_wait 30 count_at_least "$n" $((7 * B)) || fail "$n: $(delivered "$n") delivered after merge"
done
deliveries_after n1 "joined=3 " "$a1" >"$HA_WORK/n1.order3"
deliveries_after n2 "joined=3 " "$a2" >"$HA_WORK/n2.order3"
deliveries_after n3 "joined=1,2 " "$a3" >"$HA_WORK/n3.order3"
check "after merge: same order n1/n2" same_file "$HA_WORK/n1.order3" "$HA_WORK/n2.order3"
check "after merge: same order n1/n3" same_file "$HA_WORK/n1.order3" "$HA_WORK/n3.order3"
check "after merge: $((3 * B)) messages" test "$(wc -l <"$HA_WORK/n1.order3")" = $((3 * B))

# --- the process dies, corosync stays: PROCDOWN, quorum unchanged --------------------
a1=$(lines n1)
kill -KILL "${tp_pid[n2]}"
ha_wait 10 has n1 "left=2:procdown" || fail "n1: no PROCDOWN"
ha_wait 10 has n3 "left=2:procdown" || fail "n3: no PROCDOWN"
check "PROCDOWN seen on n1" has n1 "members=1,3 joined=- left=2:procdown"
sleep 1
check "PROCDOWN: no quorum change" sh -c "! tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q QUORUM"

# --- a clean leave -------------------------------------------------------------------
kill -TERM "${tp_pid[n3]}"
ha_wait 10 has n1 "left=3:clean" || fail "n1: no clean leave of n3"
check "clean leave seen as LEAVE" has n1 "members=1 joined=- left=3:clean"

# --- corosync dies under a live process, then comes back -----------------------------
a1=$(lines n1)
t_kill=$(ha_now_ms)
kill -KILL "${cs_pid[n1]}"
ha_wait 10 has n1 "CONNECTION err=-107" || fail "n1: connection loss not reported"
t_lost=$(stamp_of n1 "CONNECTION err=-107" "$a1")
echo "# corosync killed -> connection loss reported after $((t_lost - t_kill)) ms"
t_restart=$(ha_now_ms)
cs_pid[n1]=$(ha_corosync_start n1) || fatal "n1: corosync did not restart"
ha_wait 15 has n1 "CONNECTION err=0" || fail "n1: no reconnect"
ha_wait 15 sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'MEMBERSHIP.*joined=1 '" ||
	fail "n1: no rejoin after reconnect"
check "reconnected and rejoined" sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'joined=1 '"
burst n1
ha_wait 20 sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -c ' DELIVER ' | grep -qx $B" ||
	fail "n1: no deliveries after reconnect"
# The restarted corosync first forms a ring of its own, then merges with n2 and n3.
ha_wait 30 sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'quorate=1 members=1,2,3\$'" ||
	fatal "n1: restarted corosync did not merge back"
t_back=$(awk -v a="$a1" 'NR > a && /QUORUM .*quorate=1 members=1,2,3$/ { print $1; exit }' "$(tplog n1)")
echo "# corosync restarted -> n1 quorate with 1,2,3 again after $((t_back - t_restart)) ms"

# --- a node crash (lib.sh: port down + SIGKILL of its pid-namespace init), reboot ----
a1=$(lines n1)
t_crash=$(ha_now_ms)
ha_node_crash n2
ha_wait 20 sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'QUORUM .* quorate=1 members=1,3\$'" ||
	fail "n1: crash of n2 not seen in the quorum"
t_q=$(awk -v a="$a1" 'NR > a && /QUORUM .* members=1,3$/ { print $1; exit }' "$(tplog n1)")
echo "# n2 crash -> quorum members 1,3 on n1 after $((t_q - t_crash)) ms"
check "crash: n2 gone from n1's quorum, still quorate" \
	sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'quorate=1 members=1,3\$'"
a1=$(lines n1)
ha_node_boot n2
cs_pid[n2]=$(ha_corosync_start n2) || fatal "n2: corosync did not start after the reboot"
ha_node_restore n2
ha_wait 20 sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'quorate=1 members=1,2,3\$'" ||
	fail "n1: rebooted n2 not back in the quorum"
check "reboot: n2 back in n1's quorum" \
	sh -c "tail -n +$((a1 + 1)) '$(tplog n1)' | grep -q 'quorate=1 members=1,2,3\$'"
check "no message arrived between a transition's confchgs" \
	sh -c "! grep -h 'held change' $HA_WORK/n*/tp.log"

echo "# flow control episodes (TRY_AGAIN -> queued -> retried): $(cat "$HA_WORK"/n*/tp.log |
	grep -c 'flow control: queueing')"
echo "# total $(($(ha_now_ms) - t_start)) ms"
finish
