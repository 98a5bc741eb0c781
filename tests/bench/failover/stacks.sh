# SPDX-License-Identifier: LGPL-2.1-or-later
# The three stacks the failover benchmark drives on the same namespace cluster, each
# behind the same small interface (sourced by run.sh; uses lib.sh's node helpers):
#   st_<s>_boot N       per-node set-up after a (re)boot, before anything starts
#   st_<s>_start N      start the manager inside N (returns at once)
#   st_<s>_configure    the VIP resource and cluster options (once, on a live node)
#   st_<s>_settled      0 when the manager is idle with the VIP on one live node
#   st_<s>_joined       0 when every live node takes part again (after a reboot)
#   st_<s>_move H T     the planned switchover command (H holds the VIP, T gets it)
#   st_<s>_after_move H T / st_<s>_after_failure / st_<s>_normalize
#   st_<s>_special      the node whose loss costs the stack more (DC, lowest id) or ""
#   st_<s>_procs        the manager's process names (footprint)
# It knows nothing about timing: run.sh measures, analyze.py interprets.
# shellcheck shell=bash

# ---- shared ------------------------------------------------------------------------------

# fb_spawn NODE LOG CMD...: start CMD inside NODE in the background without waiting for
# its pid: everything in a node dies with its pid-namespace init (crash, cleanup). The
# subshell keeps it out of our job table (no "Killed" notices when a node crashes).
fb_spawn() {
	local node=$1 log=$2
	shift 2
	(nsenter -t "$(ha_node_init_pid "$node")" -n -m -u -p -- "$@" </dev/null >>"$log" 2>&1 &)
}

fb_any_live() {
	local n
	for n in $FB_LIVE; do
		echo "$n"
		return 0
	done
	return 1
}

# ---- libha: had + ocf:ha:IPaddr2, configured with hactl -----------------------------------

fb_hx() {
	local node=$1
	shift
	ha_node_exec "$node" timeout 90 "$FB_BUILD/daemon/hactl" "$@"
}

# fb_hjson PYEXPR: evaluate PYEXPR on `hactl status --output json` (as s) of a live node.
fb_hjson() {
	fb_hx "$(fb_any_live)" status --output json 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" 2>/dev/null
}

st_libha_boot() { mkdir -p "$(ha_node_dir "$1")/state"; }

st_libha_start() {
	local dir
	dir=$(ha_node_dir "$1")
	fb_spawn "$1" "$dir/log/had.out" "$FB_BUILD/daemon/had" --foreground \
		--state-dir "$dir/state" --log-file "$dir/log/had.log" --ocf-root "$HA_WORK/ocf"
}

st_libha_configure() {
	local n
	n=$(fb_any_live)
	mkdir -p "$HA_WORK/ocf/resource.d" "$HA_WORK/ocf/lib"
	ln -sfn "$FB_TOP/resource-agents/ocf" "$HA_WORK/ocf/resource.d/ha"
	ln -sfn "$FB_TOP/resource-agents/lib" "$HA_WORK/ocf/lib/ha"
	fb_hx "$n" property set stonith-enabled false --quiet &&
		fb_hx "$n" property set no-quorum-policy stop --quiet &&
		fb_hx "$n" property default resource-stickiness 100 --quiet &&
		fb_hx "$n" resource create vip ocf:ha:IPaddr2 ip="$FB_VIP" cidr_netmask=24 \
			--op monitor,interval=1s,timeout=20s --quiet
}

st_libha_settled() {
	[ "$(fb_hjson "s['settled'] and s['quorate'] and len(next(r['up_nodes'] for r in s['resources'] if r['id']=='vip'))==1")" = True ]
}

st_libha_joined() {
	local want
	want=$(echo "$FB_LIVE" | wc -w)
	[ "$(fb_hjson "sum(1 for n in s['nodes'] if n['state']=='online')")" = "$want" ] &&
		st_libha_settled
}

st_libha_move() { fb_hx "$1" move vip "$2" --quiet --timeout 60; }
st_libha_after_move() { :; } # hactl move is self-cleaning
st_libha_after_failure() { fb_hx "$(fb_any_live)" cleanup vip --quiet --timeout 60; }
st_libha_normalize() { :; }

# The lowest live node id: it sends the replicated clock's ticks (DESIGN.md).
st_libha_special() { fb_any_live; }
st_libha_procs() { echo had; }

# ---- Pacemaker 2.1.5 (Debian): pacemakerd and its daemons, ocf:heartbeat:IPaddr2 ----------

# Without systemd: a private /var/lib/pacemaker per node (the CIB, owned by hacluster),
# /run/crm comes from the node's private /run, the log goes to a file (PCMK_logfile)
# and not to the host's syslog (PCMK_logfacility=none). corosync.conf allows the
# haclient group on its IPC (uidgid), which the daemons running as hacluster need.
# fb_px NODE CMD...: a Pacemaker command inside NODE, bounded (crmadmin spins for ever
# when there is no DC to ask).
fb_px() {
	local node=$1
	shift
	ha_node_exec "$node" timeout 20 "$@"
}

st_pacemaker_boot() {
	local d
	d=$(ha_node_dir "$1")/varlib-pacemaker
	mkdir -p "$d/cib" "$d/pengine" "$d/blackbox" "$d/cores"
	chown -R hacluster:haclient "$d"
	chmod 750 "$d/cib" "$d/pengine" "$d/blackbox" "$d/cores"
	ha_node_exec "$1" mount --bind "$d" /var/lib/pacemaker
}

st_pacemaker_start() {
	local dir
	dir=$(ha_node_dir "$1")
	fb_spawn "$1" "$dir/log/pacemakerd.out" env PCMK_logfile="$dir/log/pacemaker.log" \
		PCMK_logfacility=none PCMK_debug=no pacemakerd -f
}

st_pacemaker_configure() {
	local n
	n=$(fb_any_live)
	fb_px "$n" crm_attribute -t crm_config -n stonith-enabled -v false &&
		fb_px "$n" crm_attribute -t crm_config -n no-quorum-policy -v stop &&
		fb_px "$n" crm_attribute -t rsc_defaults -n resource-stickiness -v 100 &&
		fb_px "$n" cibadmin -C -o resources -X "<primitive id=\"vip\" class=\"ocf\" \
provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"vip-ia\">\
<nvpair id=\"vip-ip\" name=\"ip\" value=\"$FB_VIP\"/>\
<nvpair id=\"vip-mask\" name=\"cidr_netmask\" value=\"24\"/></instance_attributes>\
<operations><op id=\"vip-mon\" name=\"monitor\" interval=\"1s\" timeout=\"20s\"/>\
</operations></primitive>"
}

# The DC's name, empty (status 1) while there is none.
st_pacemaker_dc() {
	local dc
	dc=$(fb_px "$(fb_any_live)" crmadmin -t 3000 -q -D 2>&1 | awk 'NF { print $NF; exit }')
	case " $HA_NODE_NAMES " in *" $dc "*) echo "$dc" ;; *) return 1 ;; esac
}

st_pacemaker_settled() {
	local n dc
	n=$(fb_any_live)
	dc=$(st_pacemaker_dc) || return 1
	[ "$(fb_px "$n" crmadmin -t 3000 -q -S "$dc" 2>&1 | awk 'NF { print $NF; exit }')" = S_IDLE ] &&
		fb_px "$n" crm_mon -1 --output-as xml 2>/dev/null |
		python3 -c 'import sys, xml.etree.ElementTree as E
t = E.parse(sys.stdin).getroot()
r = t.find(".//resource[@id=\"vip\"]")
sys.exit(0 if r is not None and r.get("role") == "Started" and r.get("nodes_running_on") == "1" else 1)'
}

st_pacemaker_joined() {
	local want
	want=$(echo "$FB_LIVE" | wc -w)
	[ "$(fb_px "$(fb_any_live)" crm_mon -1 --output-as xml 2>/dev/null |
		grep -c '<node name=.* online="true"')" = "$want" ] && st_pacemaker_settled
}

st_pacemaker_move() { fb_px "$1" crm_resource --move -r vip -N "$2" --quiet; }
st_pacemaker_after_move() { fb_px "$1" crm_resource --clear -r vip --quiet; }
st_pacemaker_after_failure() { fb_px "$(fb_any_live)" crm_resource --cleanup -r vip --quiet; }
st_pacemaker_normalize() { :; }
st_pacemaker_special() { st_pacemaker_dc; }
st_pacemaker_procs() {
	echo pacemakerd pacemaker-based pacemaker-fenced pacemaker-execd pacemaker-attrd \
		pacemaker-schedulerd pacemaker-controld
}

# ---- keepalived 2.2.7: VRRPv3, one instance, preemption on -------------------------------

# Stickiness is emulated with a tracked file per node: the holder gets +50 (priority 150,
# the others 100), so a rebooted node does not preempt; a switchover writes +100 to the
# target (the "priority change"); st_keepalived_normalize re-marks the current holder.
fb_ka_bonus() { echo "$(ha_node_dir "$1")/ka-bonus"; }

st_keepalived_boot() {
	local dir
	dir=$(ha_node_dir "$1")
	[ -e "$(fb_ka_bonus "$1")" ] || echo 0 >"$(fb_ka_bonus "$1")"
	cat >"$dir/keepalived.conf" <<EOF
global_defs {
	router_id $1
	vrrp_version 3
}
track_file bonus {
	file $(fb_ka_bonus "$1")
	weight 1
}
vrrp_instance VI_1 {
	state BACKUP
	interface eth0
	virtual_router_id 51
	priority 100
	advert_int $FB_PARAM
	track_file {
		bonus
	}
	virtual_ipaddress {
		$FB_VIP/24 dev eth0
	}
}
EOF
}

st_keepalived_start() {
	local dir
	dir=$(ha_node_dir "$1")
	fb_spawn "$1" "$dir/log/keepalived.log" keepalived --dont-fork --log-console \
		--log-detail --vrrp -f "$dir/keepalived.conf" -p /run/keepalived.pid -r /run/vrrp.pid
}

st_keepalived_configure() { :; }

# Settled: exactly one live holder, the same one twice in a row (a preempted master
# drops the address only when it hears the new one).
st_keepalived_settled() {
	local h1 h2
	h1=$(fb_holder) || return 1
	sleep 0.3
	h2=$(fb_holder) || return 1
	[ "$h1" = "$h2" ]
}

st_keepalived_joined() {
	local n
	for n in $FB_LIVE; do
		ha_node_exec "$n" test -s /run/vrrp.pid || return 1
	done
	st_keepalived_settled
}

st_keepalived_move() { echo 100 >"$(fb_ka_bonus "$2")"; }
st_keepalived_after_move() { :; }
st_keepalived_after_failure() { :; }
st_keepalived_normalize() {
	local h n
	h=$(fb_holder) || return 1
	for n in $HA_NODE_NAMES; do
		[ "$n" = "$h" ] || echo 0 >"$(fb_ka_bonus "$n")"
	done
	echo 50 >"$(fb_ka_bonus "$h")"
}
st_keepalived_special() { :; }
st_keepalived_procs() { echo keepalived; }
