#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Clones with notify=true on a real 3-node cluster (corosync + had in namespaces): a
# promotable clone of ocf:test:NotifyLog (it logs every notification it gets). Putting
# the promoted node in standby demotes it only after its pre-demote notification (what
# the mysql agent needs to go read-only first), and the surviving unpromoted instance
# hears of the new promotion before (pre) and after (post) it, with the promoter's name.
# Usage: clones.sh BUILD_DIR
# eval with single quotes: the checks expand when they run.
# shellcheck disable=SC2016
set -u
BUILD=${1:?usage: clones.sh BUILD_DIR}
. "$(dirname "$0")/common.sh"

hd_setup 3

cat >"$HA_WORK/cib.xml" <<XML
<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="0" num_updates="0">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="opts-stonith" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes/>
    <resources>
      <clone id="nl-clone">
        <meta_attributes id="nl-clone-meta">
          <nvpair id="nl-promotable" name="promotable" value="true"/>
          <nvpair id="nl-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="nl" class="ocf" provider="test" type="NotifyLog">
          <operations>
            <op id="nl-mon-u" name="monitor" interval="10s" role="Unpromoted"/>
            <op id="nl-mon-p" name="monitor" interval="11s" role="Promoted"/>
          </operations>
        </primitive>
      </clone>
    </resources>
    <constraints>
      <rsc_location id="nl-on-n1" rsc="nl-clone" role="Promoted" node="n1" score="100"/>
      <rsc_location id="nl-on-n2" rsc="nl-clone" role="Promoted" node="n2" score="50"/>
      <rsc_location id="nl-on-n3" rsc="nl-clone" role="Promoted" node="n3" score="50"/>
    </constraints>
  </configuration>
  <status/>
</cib>
XML

state() { ha_node_exec "$1" cat /run/NotifyLog-nl.state 2>/dev/null; }
log_of() { ha_node_exec "$1" cat /run/notify-nl.log 2>/dev/null; }
promoted_node() {
	local n
	for n in $HA_NODE_NAMES; do [ "$(state "$n")" = promoted ] && echo "$n"; done
}
# first_line NODE PATTERN: the line number of the first match in NODE's log (or 0)
first_line() { log_of "$1" | grep -n -m1 -e "$2" | cut -d: -f1 | grep . || echo 0; }

hd_check "import a promotable clone with notify=true" hx_rc 0 n1 config import "$HA_WORK/cib.xml"
ha_wait 30 eval '[ "$(promoted_node)" = n1 ] && hd_settled n1'
hd_check "promoted on n1" test "$(promoted_node)" = n1
hd_check "unpromoted on n2 and n3" eval '[ "$(state n2)" = started ] && [ "$(state n3)" = started ]'
hd_check "n1's instance runs the promoted role's monitor, not the unpromoted one's" hd_settled n1

# ---- a switchover: n1 in standby -----------------------------------------------------------------
hd_check "node standby n1" hx_rc 0 n1 node standby n1
ha_wait 30 eval '[ -n "$(promoted_node)" ] && [ "$(promoted_node)" != n1 ] && hd_settled n2'
new=$(promoted_node)
hd_check "another instance promoted ($new)" eval '[ -n "$new" ] && [ "$new" != n1 ]'
hd_check "n1's instance stopped" test -z "$(state n1)"
pre=$(first_line n1 "notify pre-demote by n1")
dem=$(first_line n1 "op demote")
hd_check "n1 was told pre-demote before it demoted (lines $pre < $dem)" \
	eval '[ "$pre" -gt 0 ] && [ "$dem" -gt "$pre" ]'
other=$(for n in n2 n3; do [ "$n" != "$new" ] && echo "$n"; done)
hd_check "$other heard pre-promote by $new" eval 'log_of "$other" | grep -q "notify pre-promote by $new"'
hd_check "$other heard post-promote by $new, with $new promoted" \
	eval 'log_of "$other" | grep -q "notify post-promote by $new promoted=$new"'
hd_check "$new heard post-demote by n1" eval 'log_of "$new" | grep -q "notify post-demote by n1"'
for n in $HA_NODE_NAMES; do
	echo "# $n's notify log:"
	log_of "$n" | sed 's/^/#   /'
done

hd_finish
