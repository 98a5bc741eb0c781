#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo, from a fresh Debian 12 machine, as root: installs the dependencies,
# builds, and walks a 3-node cluster serving a virtual IP, a file system and a
# database through a node failure — with the scheduler, offline (`hactl simulate`),
# until the daemon lands. Every step chains the previous step's resulting CIB.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "$top/build" >/dev/null
hactl="$top/build/daemon/hactl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

cat > "$work/cib.xml" <<'XML'
<cib validate-with="pacemaker-3.9" crm_feature_set="3.16.1" admin_epoch="0" epoch="1"
     num_updates="0" have-quorum="1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
      <nvpair id="o2" name="no-quorum-policy" value="stop"/>
    </cluster_property_set></crm_config>
    <nodes>
      <node id="1" uname="node1"/><node id="2" uname="node2"/><node id="3" uname="node3"/>
    </nodes>
    <resources>
      <group id="web">
        <primitive id="vip" class="ocf" provider="ha" type="IPaddr2">
          <instance_attributes id="vip-ia">
            <nvpair id="vip-ip" name="ip" value="10.99.0.100"/>
            <nvpair id="vip-mask" name="cidr_netmask" value="24"/>
          </instance_attributes>
          <operations><op id="vip-mon" name="monitor" interval="1s"/></operations>
        </primitive>
        <primitive id="data" class="ocf" provider="ha" type="Filesystem">
          <instance_attributes id="data-ia">
            <nvpair id="data-dev" name="device" value="/srv/data.img"/>
            <nvpair id="data-dir" name="directory" value="/srv/data"/>
            <nvpair id="data-fs" name="fstype" value="ext4"/>
          </instance_attributes>
        </primitive>
        <primitive id="db" class="ocf" provider="ha" type="mysql"/>
      </group>
    </resources>
    <constraints>
      <rsc_location id="prefer-node2" rsc="web" node="node2" score="100"/>
    </constraints>
    <rsc_defaults><meta_attributes id="rd">
      <nvpair id="rd-s" name="resource-stickiness" value="200"/>
    </meta_attributes></rsc_defaults>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="3" uname="node3" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
XML

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
step "1. cold start: where does the group go, and why?"
"$hactl" simulate --xml-file "$work/cib.xml" --save-output "$work/running.xml"
"$hactl" simulate --xml-file "$work/cib.xml" --explain web | head -12

step "2. node2 fails: the group moves (stickiness cannot keep it on a dead node)"
sed 's|uname="node2" in_ccm="true" crmd="online"|uname="node2" in_ccm="false" crmd="offline"|' \
	"$work/running.xml" > "$work/failed.xml"
"$hactl" simulate --xml-file "$work/failed.xml" --save-output "$work/recovered.xml"

step "3. node2 returns: stickiness (3 x 200) outweighs the preference (100): nothing moves"
sed 's|uname="node2" in_ccm="false" crmd="offline"|uname="node2" in_ccm="true" crmd="online"|' \
	"$work/recovered.xml" > "$work/back.xml"
"$hactl" simulate --xml-file "$work/back.xml" --scores | sed -n '/Allocation scores/,/Transition/p'
"$hactl" simulate --xml-file "$work/back.xml" --output json
echo
echo "demo: done (the live 3-node corosync demo arrives with the had daemon)"
