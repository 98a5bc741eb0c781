#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# had under failures on a real 3-node cluster (corosync + had in namespaces, fencing
# through fence_harness and this script): had killed and restarted within the grace
# time (resources adopted, not restarted); clean shutdown (resources handed over, no
# fencing); corosync restarted on one node (had reconnects); a node crash (fenced,
# resources recovered, downtime measured); a partition (the minority stops its
# resources, the majority fences it, then it rejoins); had hung (SIGSTOP) while
# corosync stays: connected but silent, fenced after the silence timeout.
# Usage: failover.sh BUILD_DIR
# eval with single quotes: the checks expand when they run.
# shellcheck disable=SC2016
set -u
BUILD=${1:?usage: failover.sh BUILD_DIR}
. "$(dirname "$0")/common.sh"

hd_setup 3
# Power-off requests are answered after HD_FENCE_DELAY seconds (the partition case
# checks what the cut-off node still runs at that moment).
HD_FENCE_DELAY=6
hd_fence_harness 800

cat >"$HA_WORK/cib.xml" <<EOF
<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="0" num_updates="0">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="opts-stonith" name="stonith-enabled" value="true"/>
      <nvpair id="opts-timeout" name="stonith-timeout" value="60s"/>
    </cluster_property_set></crm_config>
    <nodes/>
    <resources>
      <clone id="fencing">
        <primitive id="fence" class="stonith" type="fence_harness">
          <instance_attributes id="fence-ia">
            <nvpair id="fence-dir" name="dir" value="$HA_WORK/fence"/>
            <nvpair id="fence-hosts" name="pcmk_host_list" value="n1 n2 n3"/>
          </instance_attributes>
          <operations><op id="fence-mon" name="monitor" interval="30s"/></operations>
        </primitive>
      </clone>
      <primitive id="d1" class="ocf" provider="ha" type="Dummy">
        <operations><op id="d1-mon" name="monitor" interval="2s" timeout="10s"/></operations>
      </primitive>
    </resources>
    <constraints/>
    <rsc_defaults><meta_attributes id="defaults">
      <nvpair id="defaults-stick" name="resource-stickiness" value="100"/>
    </meta_attributes></rsc_defaults>
  </configuration>
  <status/>
</cib>
EOF
hx_rc 0 n1 config import "$HA_WORK/cib.xml" || ha_die "cannot import the test configuration"
hd_check "the fence device runs everywhere" test "$(hd_up n1 fencing)" = "n1 n2 n3"
hd_check "d1 runs" hd_is_up n1 d1

others() { local n; for n in n1 n2 n3; do [ "$n" != "$1" ] && echo "$n"; done | head -n1; }
count_running() {
	local n c=0
	for n in $HA_NODE_NAMES; do
		ha_node_exec "$n" true 2>/dev/null && hd_dummy_running "$n" "$1" && c=$((c + 1))
	done
	echo "$c"
}
file_id() { ha_node_exec "$1" stat -c '%i %Y' "/run/resource-agents/Dummy-$2.state"; }

# ---- 1. had killed (SIGKILL) and restarted within the grace time ------------------------------
v=$(hd_up n1 d1)
w=$(others "$v")
before=$(file_id "$v" d1)
kill -KILL "$(hd_had_pid "$v")"
ha_wait 10 eval '[ "$(hd_node_state "$w" "$v")" = frozen ]'
hd_check "had killed on $v: $v is frozen" test "$(hd_node_state "$w" "$v")" = frozen
hd_check "its resources keep running" hd_dummy_running "$v" d1
sleep 2
hd_check "nothing was fenced" eval '! hd_fenced "$v"'
hd_had_start "$v"
ha_wait 30 eval 'hd_settled "$w" && [ "$(hd_node_state "$w" "$v")" = online ]'
hd_check "had restarted: $v online again" test "$(hd_node_state "$w" "$v")" = online
hd_check "d1 still runs on $v" hd_is_up_on "$w" d1 "$v"
hd_check "d1 was not restarted (same state file)" test "$(file_id "$v" d1)" = "$before"
# (every had records every node's operations: the node field says where it ran)
hd_check "the new had probed d1 and adopted it" \
	eval 'hx "$v" events --last 200 | grep "\"node\":\"$v\",\"resource\":\"d1\"" | grep -q "\"action\":\"monitor\",\"interval\":0,\"rc\":0"'
hd_check "... without starting it" \
	eval '! hx "$v" events --last 200 | grep "\"resource\":\"d1\"" | grep -q "\"action\":\"start\""'

# ---- 2. clean shutdown: resources handed over, no fencing -----------------------------------------
v=$(hd_up n1 d1)
w=$(others "$v")
t0=$(ha_now_ms)
kill -TERM "$(hd_had_pid "$v")"
hd_check "had on $v exits after SIGTERM" ha_wait 60 ha__gone "$(hd_had_pid "$v")"
hd_check "d1 moved to another node" ha_wait 20 eval '[ -n "$(hd_up "$w" d1)" ] && [ "$(hd_up "$w" d1)" != "$v" ]'
echo "# clean shutdown of $v: d1 handed over in $(($(ha_now_ms) - t0)) ms"
hd_check "d1 no longer runs on $v" eval '! hd_dummy_running "$v" d1'
sleep 3
hd_check "$v was not fenced" eval '! hd_fenced "$v"'
hd_check "$v is offline, not unclean" test "$(hd_node_state "$w" "$v")" = offline
hd_had_start "$v"
hd_check "$v rejoined" ha_wait 30 eval '[ "$(hd_node_state "$w" "$v")" = online ] && hd_settled "$w"'

# ---- 3. corosync restarted on one node: had reconnects ---------------------------------------
# Without fencing: a node whose corosync goes away is otherwise fenced (by design).
hd_check "stonith-enabled=false for this case" hx_rc 0 n1 property set stonith-enabled false
x=$(hd_up n1 d1)
v=$(others "$x")
hadpid=$(hd_had_pid "$v")
ha_node_exec "$v" sh -c 'kill -TERM $(pidof corosync)'
ha_wait 15 eval '! ha_node_exec "$v" pidof corosync >/dev/null'
sleep 2
hd_check "had on $v survives losing corosync" kill -0 "$hadpid"
ha_corosync_start "$v" >/dev/null
t0=$(ha_now_ms)
# Reconnected = a change made on $v goes through the whole cluster again.
hd_check "had on $v reconnected: a change from $v is applied" \
	ha_wait 60 hx_rc 0 "$v" property set stonith-enabled true --timeout 10
echo "# corosync restart on $v: writable again $(($(ha_now_ms) - t0)) ms after corosync started"
hd_check "... three nodes online, settled and quorate" \
	ha_wait 30 eval 'hd_all_online "$v" && hd_settled "$v" && hd_settled "$x"'

# ---- 4. node crash: fenced, resources recovered elsewhere -------------------------------------------
v=$(hd_up n1 d1)
w=$(others "$v")
t0=$(ha_now_ms)
ha_node_crash "$v"
up_elsewhere() { local u; u=$(hd_up "$1" d1); [ -n "$u" ] && [ "$u" != "$2" ]; }
hd_check "d1 recovered on another node" ha_wait 90 up_elsewhere "$w" "$v"
t1=$(ha_now_ms)
echo "# node crash of $v: d1 up again on $(hd_up "$w" d1) after $((t1 - t0)) ms (fence delay ${HD_FENCE_DELAY}s included)"
hd_check "$v was fenced first" hd_fenced "$v"
hd_check "d1 runs exactly once" test "$(count_running d1)" = 1
hd_boot_node "$v"
hd_check "$v rejoined after reboot" ha_wait 60 eval '[ "$(hd_node_state "$w" "$v")" = online ] && hd_settled "$w"'

# ---- 5. partition: the minority stops, the majority fences it ---------------------------------------
v=$(hd_up n1 d1)
w=$(others "$v")
hd_fence_mark
t0=$(ha_now_ms)
ha_node_cut "$v"
hd_check "the majority fences $v" ha_wait 90 hd_fenced_since "$v"
hd_check "the minority ($v) had stopped d1 before it was powered off" \
	eval 'tail -n 1 "$HA_WORK/fence.log" | grep -q "fenced $v .*running: none"'
hd_check "d1 recovered on the majority" ha_wait 60 up_elsewhere "$w" "$v"
echo "# partition of $v: d1 up again on $(hd_up "$w" d1) after $(($(ha_now_ms) - t0)) ms"
hd_check "d1 runs exactly once" test "$(count_running d1)" = 1
ha_node_crash "$v" # (already powered off by the harness if the checks passed)
hd_boot_node "$v"
hd_check "$v recovered and rejoined" ha_wait 60 eval '[ "$(hd_node_state "$w" "$v")" = online ] && hd_settled "$w"'
hd_check "three nodes online" hd_all_online "$w"

# ---- 6. had hangs (SIGSTOP): connected but silent, so fenced ------------------------------------
v=$(hd_up n1 d1)
w=$(others "$v")
hd_fence_mark
t0=$(ha_now_ms)
kill -STOP "$(hd_had_pid "$v")"
hd_check "the silent member $v is fenced" ha_wait 90 hd_fenced_since "$v"
echo "# had on $v stopped: fenced after $(($(ha_now_ms) - t0)) ms (silence timeout 30 s, fence delay ${HD_FENCE_DELAY}s)"
hd_check "d1 recovered elsewhere" ha_wait 60 up_elsewhere "$w" "$v"
hd_check "d1 runs exactly once" test "$(count_running d1)" = 1

hd_finish
