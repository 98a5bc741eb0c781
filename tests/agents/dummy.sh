#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ocf:ha:Dummy: ocf-tester with the default and a custom state file, the delays and
# the configured start failure, and configuration errors.

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
t_need_root

T=$(mktemp -d /tmp/ha-ra-dummy.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM PIPE
export HA_RSCTMP="$T/run" OCF_RESOURCE_INSTANCE=d1

t_log "ocf-tester"
ocf_tester d1 Dummy
# ocf-tester ends with migrate_to + migrate_from: the resource is left running.
t_check "the default state file is under HA_RSCTMP" [ -f "$T/run/Dummy-d1.state" ]
expect 0 "stop it" Dummy stop
ocf_tester d2 Dummy -o state="$T/deep/dir/d2.state" -o fake=x -o op_sleep=0.05

t_log "delays"
S="OCF_RESKEY_state=$T/s.state"
t0=$(now_ms)
expect 0 "start with start_delay=0.3" Dummy start $S OCF_RESKEY_start_delay=0.3
t1=$(now_ms)
t_check "start took $((t1 - t0)) ms (>= 300)" [ $((t1 - t0)) -ge 290 ]
t_check "state file written" [ -f "$T/s.state" ]
t0=$(now_ms)
expect 0 "monitor with monitor_delay=0.2" Dummy monitor $S OCF_RESKEY_monitor_delay=0.2
t1=$(now_ms)
t_check "monitor took $((t1 - t0)) ms (>= 200)" [ $((t1 - t0)) -ge 190 ]
expect 0 "reload" Dummy reload $S OCF_RESKEY_fake=changed
expect 0 "stop" Dummy stop $S OCF_RESKEY_stop_delay=0.1
expect 7 "monitor after stop" Dummy monitor $S
expect 0 "stop when stopped" Dummy stop $S

t_log "failures"
expect 1 "start on the fail_start_on node" Dummy start $S OCF_RESKEY_fail_start_on=n1 OCF_RESKEY_CRM_meta_on_node=n1
expect_reason "start fails on n1"
expect 0 "start on another node" Dummy start $S OCF_RESKEY_fail_start_on=n1 OCF_RESKEY_CRM_meta_on_node=n2
expect 0 "stop" Dummy stop $S
expect 6 "op_sleep not a number" Dummy validate-all $S OCF_RESKEY_op_sleep=abc
expect 6 "envfile is not supported" Dummy validate-all $S OCF_RESKEY_envfile=/etc/environment
expect_reason "envfile"
expect 6 "relative state path" Dummy start OCF_RESKEY_state=rel.state
expect 3 "unknown action" Dummy promote $S
"$RA_SHELL" "$RA_DIR/Dummy" >/dev/null 2>&1
t_check "no action is a bad argument (rc $?)" [ $? -eq 2 ]

t_log "library: the node attribute setter"
# A stand-in for crm_attribute that records its arguments.
printf '#!/bin/sh\necho "$*" >>"%s/attr-calls"\n' "$T" >"$T/attrcmd"
chmod +x "$T/attrcmd"
# shellcheck disable=SC2016 # expanded by the inner shell / by eval, on purpose
attr_via() { # ENV... : set then delete an attribute through the library
	env "$@" OCF_RESKEY_CRM_meta_on_node=n7 OCF_RESOURCE_INSTANCE=db:1 "$RA_SHELL" -c '
		. "$HA_OCF_LIB/ocf-ha.sh"
		ha_attr_set gtid-db 0-1-42 && ha_promotion_score 997 &&
			cat "$HA_ATTR_DIR/master-db@n7" 2>/dev/null; ha_attr_set gtid-db ""'
}
# shellcheck disable=SC2016
t_check "HA_ATTR_CMD gets crm_attribute arguments" eval \
	'attr_via HA_ATTR_CMD="$T/attrcmd" HA_ATTR_DIR= &&
	[ "$(cat "$T/attr-calls")" = "-N n7 -n gtid-db -l reboot -v 0-1-42 -q
-N n7 -n master-db -l reboot -v 997 -q
-N n7 -n gtid-db -l reboot -D -q" ]'
mkdir "$T/attrs"
# shellcheck disable=SC2016
t_check "HA_ATTR_DIR stores NAME@NODE files; an empty value deletes" eval \
	'[ "$(attr_via HA_ATTR_DIR="$T/attrs")" = 997 ] && [ ! -e "$T/attrs/gtid-db@n7" ]'

t_done
