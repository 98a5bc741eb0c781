#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hactl against a real 3-node cluster (corosync + had in namespaces): every
# configuration and failover command, dry runs that change nothing, validation that
# rejects bad changes without side effects, permissions (a user outside haclient may
# read but not write; haclient may write), exit codes, and had's start-up errors.
# Usage: cli.sh BUILD_DIR
# eval with single quotes: the checks expand when they run.
# shellcheck disable=SC2016
set -u
BUILD=${1:?usage: cli.sh BUILD_DIR}
. "$(dirname "$0")/common.sh"

hd_setup 3

epoch() { hd_json n1 "s['epoch']"; }

# ---- status and first resources ------------------------------------------------------------
hd_check "status answers on every node" hx_rc 0 n2 status
hd_check "status --output json is JSON with three online nodes" ha_wait 10 hd_all_online n3
hd_check "property set stonith-enabled false" hx_rc 0 n1 property set stonith-enabled false
hd_check "resource create (primitive)" hx_rc 0 n1 resource create d1 ocf:ha:Dummy
hd_check "d1 is up somewhere" hd_is_up n2 d1
d1_node=$(hd_up n2 d1)
hd_check "d1's agent really runs on $d1_node" hd_dummy_running "$d1_node" d1

# ---- dry runs change nothing ----------------------------------------------------------------------
e0=$(epoch)
hd_check "resource create --dry-run" hx_rc 0 n1 resource create dx ocf:ha:Dummy --dry-run
hd_check "dry run shows the start" grep -q "Start *dx" "$HA_WORK/last.out"
hd_check "move --dry-run" hx_rc 0 n2 move d1 n3 --dry-run
hd_check "dry runs left the epoch at $e0" test "$(epoch)" = "$e0"
hd_check "dry runs left d1 on $d1_node" hd_is_up_on n1 d1 "$d1_node"

# ---- validation: rejected changes change nothing ----------------------------------------------
hd_check "unknown agent parameter is rejected (exit 2)" \
	hx_rc 2 n1 resource create bad ocf:ha:Dummy no_such_param=1
hd_check "... naming the parameter" grep -q "no_such_param" "$HA_WORK/last.out"
hd_check "missing required parameter is rejected" hx_rc 2 n1 resource create vip ocf:ha:IPaddr2
hd_check "agent that does not exist is rejected" hx_rc 2 n1 resource create nx ocf:ha:NoSuchAgent
hd_check "duplicate id is rejected" hx_rc 2 n1 resource create d1 ocf:ha:Dummy
hd_check "invalid score is rejected" hx_rc 2 n1 constraint location d1 prefers n1 lots
hd_check "rejections left the epoch at $e0" test "$(epoch)" = "$e0"

# ---- groups, clones, update, meta -----------------------------------------------------------------
hd_check "resource create --group (1)" hx_rc 0 n1 resource create g1 ocf:ha:Dummy --group web
hd_check "resource create --group (2)" hx_rc 0 n1 resource create g2 ocf:ha:Dummy --group web
web=$(hd_up n1 web)
hd_check "group web is up on one node ($web)" test -n "$web"
hd_check "both members run on $web" eval 'hd_dummy_running "$web" g1 && hd_dummy_running "$web" g2'
hd_check "resource create --clone" hx_rc 0 n1 resource create cl ocf:ha:Dummy --clone
hd_check "clone runs on three nodes" test "$(hd_up n1 cl-clone)" = "n1 n2 n3"
hd_check "resource update (parameter)" hx_rc 0 n1 resource update g2 op_sleep=0
hd_check "resource meta" hx_rc 0 n1 resource meta d1 resource-stickiness=50
hd_check "resource show lists the meta attribute" \
	eval 'hx n1 resource show d1 | grep -q "resource-stickiness=50"'
hd_check "resource show (all) shows the group members" eval 'hx n1 resource show | grep -q "g2"'
hd_check "resource disable stops it" hx_rc 0 n1 resource disable d1
hd_check "d1 is down" eval '! hd_is_up n1 d1'
hd_check "its agent no longer runs" eval '! hd_dummy_running "$d1_node" d1'
hd_check "resource enable starts it" hx_rc 0 n1 resource enable d1
hd_check "d1 is up again" hd_is_up n1 d1

# ---- constraints --------------------------------------------------------------------------------------
hd_check "constraint colocation" hx_rc 0 n1 constraint colocation d1 web
hd_check "d1 follows web to $(hd_up n1 web)" test "$(hd_up n1 d1)" = "$(hd_up n1 web)"
hd_check "constraint order" hx_rc 0 n1 constraint order web d1
hd_check "constraint list shows both" \
	eval 'hx n1 constraint list | grep -c "colocation-d1-web\|order-web-d1" | grep -qx 2'
hd_check "constraint delete" hx_rc 0 n1 constraint delete colocation-d1-web
hd_check "constraint location avoids" hx_rc 0 n1 constraint location web avoids n1
hd_check "web is not on n1" eval '[ "$(hd_up n2 web)" != n1 ] && [ -n "$(hd_up n2 web)" ]'
hd_check "constraint delete (location)" hx_rc 0 n1 constraint delete location-web-n1

# ---- move (self-cleaning), ban, clear ------------------------------------------------------------
from=$(hd_up n1 web)
to=n1
[ "$from" = n1 ] && to=n2
hd_check "move web to $to" hx_rc 0 n3 move web "$to"
hd_check "web runs on $to" hd_is_up_on n1 web "$to"
hd_check "move reported the downtime" grep -q "web: $from -> $to, unavailable" "$HA_WORK/last.out"
# With resource-stickiness 0 web would go back: the preference stays and it says so.
hd_check "with stickiness 0 the preference stays (said)" grep -q "preference stays" "$HA_WORK/last.out"
hd_check "cli-prefer-web exists" eval 'hx n1 constraint list | grep -q cli-prefer-web'
hd_check "clear removes it" hx_rc 0 n1 clear web
hd_check "cli-prefer-web is gone" eval '! hx n1 constraint list | grep -q cli-prefer-web'
hd_check "property default resource-stickiness 100" hx_rc 0 n1 property default resource-stickiness 100
from=$(hd_up n1 web)
to=n3
[ "$from" = n3 ] && to=n2
hd_check "move web to $to (sticky)" hx_rc 0 n1 move web "$to"
hd_check "self-cleaning: the preference was removed" grep -q "preference was removed" "$HA_WORK/last.out"
hd_check "no cli- constraint is left" eval '! hx n1 constraint list | grep -q cli-'
hd_check "web stays on $to" hd_is_up_on n2 web "$to"
hd_check "move --pin keeps the preference" hx_rc 0 n1 move web "$from" --pin
hd_check "cli-prefer-web is there" eval 'hx n1 constraint list | grep -q cli-prefer-web'
hd_check "clear" hx_rc 0 n1 clear web
hd_check "a move that cannot happen fails and leaves nothing" \
	hx_rc 1 n1 move web nosuchnode
hd_check "... no constraint left" eval '! hx n1 constraint list | grep -q cli-'
now=$(hd_up n1 web)
hd_check "ban web from $now" hx_rc 0 n1 ban web
hd_check "web moved away from $now" eval '[ "$(hd_up n1 web)" != "$now" ] && [ -n "$(hd_up n1 web)" ]'
hd_check "clear web" hx_rc 0 n1 clear web
hd_check "clear with nothing to clear says so" hx_rc 0 n1 clear web
hd_check "... without a change" grep -q "no move or ban" "$HA_WORK/last.out"

# ---- move/ban --lifetime: the cluster removes the constraint by itself ------------------------------
# in_all PATTERN / in_none PATTERN: `config show` of every node has it / none has it.
in_all() { local n; for n in n1 n2 n3; do hx "$n" config show | grep -q "$1" || return 1; done; }
in_none() { local n; for n in n1 n2 n3; do hx "$n" config show | grep -q "$1" && return 1; done; return 0; }
expired_everywhere() {
	local n
	for n in n1 n2 n3; do
		hx "$n" events --last 2000 | grep -q "\"event\":\"expired\",\"constraint\":\"$1\"" || return 1
	done
}
same_epoch() { [ "$(hd_json n1 "s['epoch']")" = "$(hd_json n2 "s['epoch']")" ] &&
	[ "$(hd_json n1 "s['epoch']")" = "$(hd_json n3 "s['epoch']")" ]; }
hd_check "an invalid --lifetime is a usage error" hx_rc 2 n1 ban web --lifetime soon
hd_check "--lifetime on another command is a usage error" hx_rc 2 n1 restart d1 --lifetime 5s
home=$(hd_up n1 web)
# web prefers where it is (more than the stickiness of its two members): once the ban
# is gone it goes back.
hd_check "constraint location web prefers $home 1000" hx_rc 0 n1 constraint location web prefers "$home" 1000
e_lt=$(epoch)
t_ban=$(ha_now_ms)
hd_check "ban web from $home --lifetime 5s (from n2)" hx_rc 0 n2 ban web "$home" --lifetime 5s
hd_check "... says when it ends" grep -q "cli-ban-web-on-$home ends after 5 s" "$HA_WORK/last.out"
hd_check "web left $home" eval '[ "$(hd_up n1 web)" != "$home" ] && [ -n "$(hd_up n1 web)" ]'
# (checked before the 5 s are up)
hd_check "every node has its expiry (a replicated time) in ha-lifetimes" \
	in_all "name=\"ha-lifetime-cli-ban-web-on-$home\" value=\"[0-9]*\""
hd_check "constraint list shows the time left" \
	eval 'hx n3 constraint list | grep -A1 "cli-ban-web-on-$home" | grep -q "lifetime: ends in [0-9] s"'
hd_check "status shows it" eval 'hx n1 status | grep -q "cli-ban-web-on-$home: ends in"'
# The constraints with a lifetime of at most 5 s left, in NODE's `status --output json`.
json_lifetimes() { hd_json "$1" "' '.join(l['constraint'] for l in s['lifetimes'] if 0 <= l['remaining'] <= 5)"; }
hd_check "... also in JSON" eval '[ "$(json_lifetimes n2)" = "cli-ban-web-on-$home" ]'
hd_check "web comes back to $home without any command" ha_wait 25 hd_is_up_on n1 web "$home"
echo "# web was back on $home $(($(ha_now_ms) - t_ban)) ms after the 5 s ban was sent"
hd_check "the ban and its lifetime are gone from every node's configuration" \
	in_none "cli-ban-web\|ha-lifetime"
hd_check "every had logged the expiry" expired_everywhere "cli-ban-web-on-$home"
lt_epochs() { same_epoch && [ "$(epoch)" = $((e_lt + 2)) ]; }
hd_check "the expiry was one more epoch, the same on every node" lt_epochs
other=n1
[ "$home" = n1 ] && other=n2
hd_check "move web to $other --lifetime 1h --pin" hx_rc 0 n3 move web "$other" --lifetime 1h --pin
hd_check "... its preference has a lifetime" \
	eval 'hx n1 constraint list | grep -A1 "cli-prefer-web" | grep -q "lifetime: ends in 59m\|lifetime: ends in 1h 00m"'
hd_check "clear web removes the lifetime too" hx_rc 0 n1 clear web
hd_check "... everywhere" in_none "cli-prefer-web\|ha-lifetime"
hd_check "constraint delete location-web-$home" hx_rc 0 n1 constraint delete "location-web-$home"

# ---- a cluster-wide history: every had records every node's operations -------------------------------
hd_check "history on n2 shows operations that ran on n1" \
	eval 'hx n2 history | grep -Eq " on n1: rc=[0-9]+ "'
hd_check "... e.g. the start of the clone instance on n1" \
	eval 'hx n2 history cl | grep -Eq "^[0-9-]+ [0-9:.]+  cl +start +on n1: rc=0 "'
hd_check "history on n1 shows operations that ran on n3" eval 'hx n1 history | grep -Eq " on n3: rc=[0-9]+ "'
hd_check "the action events name the node that ran them" \
	eval 'hx n3 events --last 2000 | grep -q "\"event\":\"action\",\"node\":\"n1\",\"resource\":\"cl\",\"action\":\"start\""'

# ---- restart, cleanup -----------------------------------------------------------------------------
hd_check "restart d1" hx_rc 0 n1 restart d1
hd_check "restart reported" grep -q "d1 restarted in" "$HA_WORK/last.out"
hd_check "resource create failing (start fails on n2)" \
	hx_rc 0 n1 resource create f1 ocf:ha:Dummy fail_start_on=n2
hd_check "location f1 prefers n2" hx_rc 0 n1 constraint location f1 prefers n2 10
hd_check "f1 recovered elsewhere" eval '[ -n "$(hd_up n1 f1)" ] && [ "$(hd_up n1 f1)" != n2 ]'
hd_check "status shows the failed start" \
	test "$(hd_json n1 "[f['operation'] for f in s['failed_actions'] if f['resource']=='f1']")" = "['start']"
hd_check "cleanup --dry-run" hx_rc 0 n1 cleanup f1 --dry-run
hd_check "cleanup" hx_rc 0 n1 cleanup f1
hd_check "the failure is forgotten" \
	test "$(hd_json n1 "len([f for f in s['failed_actions'] if f['resource']=='f1'])")" = 0

# ---- nodes ------------------------------------------------------------------------------------------
hd_check "node standby n2" hx_rc 0 n1 node standby n2
hd_check "n2 is in standby" test "$(hd_node_state n1 n2)" = standby
hd_check "nothing runs on n2 any more" \
	test "$(hd_json n1 "sorted(r['id'] for r in s['resources'] if 'n2' in r['nodes'])")" = "[]"
hd_check "node unstandby n2" hx_rc 0 n1 node unstandby n2
hd_check "n2 is online" test "$(hd_node_state n1 n2)" = online
hd_check "node maintenance n3" hx_rc 0 n1 node maintenance n3
hd_check "n3 is in maintenance" test "$(hd_node_state n2 n3)" = maintenance
hd_check "node unmaintenance n3" hx_rc 0 n1 node unmaintenance n3
hd_check "unknown node is a usage error" hx_rc 2 n1 node standby n9

# ---- config show / export / import ------------------------------------------------------------------
hd_check "config show" eval 'hx n1 config show | grep -q "<resources>"'
# A lifetime in the export: the file stays importable (and Pacemaker reads it).
d1_at=$(hd_up n1 d1)
d1_not=n1
[ "$d1_at" = n1 ] && d1_not=n2
hd_check "ban d1 from $d1_not --lifetime 1h" hx_rc 0 n1 ban d1 "$d1_not" --lifetime 1h
hd_check "config export" hx_rc 0 n1 config export "$HA_WORK/exported.xml"
hd_check "the export has the lifetime" grep -q "ha-lifetime-cli-ban-d1-on-$d1_not" "$HA_WORK/exported.xml"
if command -v crm_simulate >/dev/null; then
	hd_check "crm_simulate reads the export" eval 'crm_simulate -x "$HA_WORK/exported.xml" -S >"$HA_WORK/sim.out" 2>&1'
fi
hd_check "export has no status" eval '! grep -q "<lrm" "$HA_WORK/exported.xml"'
cat >"$HA_WORK/unsupported.xml" <<'EOF'
<cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="1" num_updates="0">
  <configuration><crm_config/><nodes/><resources>
    <bundle id="b1"><docker image="x"/></bundle>
  </resources><constraints/></configuration><status/></cib>
EOF
e1=$(epoch)
hd_check "import of an unsupported feature is refused" hx_rc 2 n1 config import "$HA_WORK/unsupported.xml"
hd_check "... naming it" grep -q "bundle" "$HA_WORK/last.out"
hd_check "... and nothing changed" test "$(epoch)" = "$e1"
sed 's/name="resource-stickiness" value="100"/name="resource-stickiness" value="200"/' \
	"$HA_WORK/exported.xml" >"$HA_WORK/import.xml"
hd_check "config import --dry-run" hx_rc 0 n1 config import "$HA_WORK/import.xml" --dry-run
hd_check "config import" hx_rc 0 n1 config import "$HA_WORK/import.xml"
hd_check "the imported value is live" eval 'hx n2 config show | grep -q "value=\"200\""'
hd_check "... and the imported lifetime too" in_all "ha-lifetime-cli-ban-d1-on-$d1_not"
hd_check "clear d1" hx_rc 0 n1 clear d1

# ---- events, history, explain -----------------------------------------------------------------------
hd_check "events (JSON lines)" eval 'hx n1 events --last 20 | python3 -c "import json,sys; [json.loads(l) for l in sys.stdin]"'
hd_check "events include actions" eval 'hx n1 events --last 2000 | grep -q "\"event\":\"action\""'
ha_node_exec n1 timeout 5 "$HACTL" events --follow --last 0 >"$HA_WORK/follow.out" 2>&1 &
fpid=$!
sleep 1
hx n1 resource meta d1 resource-stickiness=60 >/dev/null 2>&1
wait "$fpid"
hd_check "events --follow sees a new change" grep -q '"event":"config"' "$HA_WORK/follow.out"
hd_check "history d1" eval 'hx n1 history d1 >/dev/null'
hd_check "explain d1" eval 'hx n1 explain d1 | grep -q "d1 is"'
hd_check "explain unknown is a usage error" hx_rc 2 n1 explain nosuch

# ---- resource delete ------------------------------------------------------------------------------------
hd_check "resource delete f1" hx_rc 0 n1 resource delete f1 --timeout 30
hd_check "f1 is gone" eval '! hx n1 resource show f1 >/dev/null 2>&1'
hd_check "f1's agent no longer runs anywhere" \
	eval '! hd_dummy_running n1 f1 && ! hd_dummy_running n2 f1 && ! hd_dummy_running n3 f1'
hd_check "resource delete of a group member keeps the group" hx_rc 0 n1 resource delete g2 --timeout 30
hd_check "web still runs" hd_is_up n1 web

# ---- permissions -----------------------------------------------------------------------------------------
as_user() { ha_node_exec n1 setpriv --reuid=65534 --regid=65534 --clear-groups "$HACTL" "$@"; }
as_user status >/dev/null 2>&1
hd_check "a local user outside haclient may read status" test $? = 0
as_user resource create u1 ocf:ha:Dummy >"$HA_WORK/denied.out" 2>&1
hd_check "... but is denied writes (exit 4)" test $? = 4
hd_check "... with a clear message" grep -q "permission denied" "$HA_WORK/denied.out"
as_user cleanup d1 >/dev/null 2>&1
hd_check "... also for cleanup (exit 4)" test $? = 4
hd_check "the denied change changed nothing" eval '! hx n1 resource show u1 >/dev/null 2>&1'
if getent group haclient >/dev/null; then
	gid=$(getent group haclient | cut -d: -f3)
	ha_node_exec n1 setpriv --reuid=65534 --regid="$gid" --clear-groups "$HACTL" \
		resource create u2 ocf:ha:Dummy >/dev/null 2>&1
	hd_check "a haclient member may write" test $? = 0
else
	echo "# note: no haclient group on this machine: its write access is not tested"
fi

# ---- Pacemaker's agent helpers (HA_SBIN_DIR) ------------------------------------------------------
L=$BUILD/daemon/libexec
hd_check "crm_node -n names the node as corosync does" test "$(ha_node_exec n2 "$L/crm_node" -n)" = n2
hd_check "crm_node -l lists the members" \
	test "$(ha_node_exec n1 "$L/crm_node" -l | tr '\n' ' ')" = "1 n1 member 2 n2 member 3 n3 member "
hd_check "crm_node -q" test "$(ha_node_exec n1 "$L/crm_node" -q)" = 1
hd_check "crm_attribute -l reboot sets a transient attribute" \
	ha_node_exec n1 "$L/crm_attribute" -N n2 -n probe -v 7 -l reboot
hd_check "... visible from another node (-G -q)" \
	test "$(ha_node_exec n3 "$L/crm_attribute" -N n2 -n probe -l reboot -G -q)" = 7
hd_check "crm_attribute -p (promotion score of OCF_RESOURCE_INSTANCE)" \
	ha_node_exec n1 env OCF_RESOURCE_INSTANCE=st:0 "$L/crm_attribute" -p -v 20
hd_check "... is master-st on this node" \
	test "$(ha_node_exec n2 "$L/crm_master" -r st -N n1 -l reboot -G -q)" = 20
hd_check "crm_attribute --type crm_config" \
	ha_node_exec n1 "$L/crm_attribute" --type crm_config --name x_REPL_INFO -s repl -v "n1|binlog.1|42"
hd_check "... query" test "$(ha_node_exec n3 "$L/crm_attribute" --type crm_config --name x_REPL_INFO --query -q)" = "n1|binlog.1|42"
hd_check "crm_attribute -l forever" ha_node_exec n1 "$L/crm_attribute" -N n1 -n site -v a -l forever
hd_check "... is a permanent node attribute" eval 'hx n2 config show | grep -q "name=\"site\" value=\"a\""'
hd_check "attrd_updater -U / -Q" eval 'ha_node_exec n1 "$L/attrd_updater" -n au -U 1 &&
	ha_node_exec n1 "$L/attrd_updater" -n au -Q | grep -q "value=\"1\""'
ha_node_exec n1 "$L/crm_attribute" -n no_such_attr -G -q >/dev/null 2>&1
hd_check "a missing attribute is exit 105 (Pacemaker's CRM_EX_NOSUCH)" test $? = 105
if [ -x /usr/lib/ocf/resource.d/pacemaker/Stateful ]; then
	hd_check "ocf:pacemaker:Stateful as a promotable clone" \
		hx_rc 0 n1 resource create st ocf:pacemaker:Stateful --promotable --op monitor,interval=5s
	hd_check "... one instance promoted (scores through crm_attribute -p)" \
		ha_wait 20 eval 'hx n1 status | grep -q "Promoted: n[123]$"'
	hd_check "... removed again" hx_rc 0 n1 resource delete st-clone
fi

# ---- exit codes and start-up errors --------------------------------------------------------------------
hd_check "usage error is exit 2" hx_rc 2 n1 move
hd_check "unknown command is exit 2" hx_rc 2 n1 frobnicate
kill -TERM "$(hd_had_pid n3)"
ha_wait 30 ha__gone "$(hd_had_pid n3)"
hd_check "hactl without had is exit 5" hx_rc 5 n3 status
ha_node_exec n3 "$HAD" --foreground --state-dir /proc/no/such --ocf-root "$HA_WORK/ocf" \
	>"$HA_WORK/badstate.out" 2>&1
hd_check "had with an unusable state dir exits non-zero" test $? != 0
hd_check "... saying so" grep -q "state directory" "$HA_WORK/badstate.out"
ha_node_exec n3 sh -c 'kill -TERM $(pidof corosync)'
ha_wait 10 eval '! ha_node_exec n3 pidof corosync >/dev/null'
ha_node_exec n3 "$HAD" --foreground --state-dir "$(ha_node_dir n3)/state" --ocf-root "$HA_WORK/ocf" \
	>"$HA_WORK/nocorosync.out" 2>&1
hd_check "had without corosync exits non-zero" test $? != 0
hd_check "... saying corosync is not running" grep -q "corosync" "$HA_WORK/nocorosync.out"

hd_finish
