#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Failover benchmark (root, ~25 min; --quick ~6 min): the same 3-node namespace cluster
# (tests/integration/lib.sh) and client prober (fb_probe, an ICMP echo every 5 ms)
# drive libha (had + ocf:ha:IPaddr2), Pacemaker (ocf:heartbeat:IPaddr2) and keepalived
# one after another: planned switchover, failed monitor, hard failover (node crash),
# cold start, for corosync token 1000 and 300 ms (keepalived: advert_int 1 and 0.01),
# plus the footprint of each manager on the idle cluster. It records raw data only
# (rounds.tsv, probe and daemon logs); analyze.py turns them into figures.
#
# Usage: run.sh --build BUILD_DIR [--quick] [--rounds N] [--stacks "libha pacemaker
#        keepalived"] [--scenarios "switch monitor hard cold"] [--tokens "1000 300"]
#        [--no-footprint] [--out DIR] [--doc]
#   --doc: write the Failover and Footprint sections of docs/benchmarks.md and
#          docs/failover-outage.png from this run (analyze.py --doc).
# Everything started is removed on exit (also on failure and Ctrl-C); the results
# directory (default /tmp/fb-results.XXXXXX) is kept.
set -u
# Other jobs share this machine: run the whole benchmark (every stack alike) at a
# higher priority so they disturb it less (FB_NICE=0 to keep the current one).
if [ -z "${FB_NICED:-}" ] && [ "${FB_NICE:--10}" != 0 ]; then
	FB_NICED=1 exec nice -n "${FB_NICE:--10}" "$0" "$@"
fi
FB_HERE=$(cd "$(dirname "$0")" && pwd)
FB_TOP=$(cd "$FB_HERE/../../.." && pwd)
HA_PREFIX=fb$$
HA_SUBNET=10.77.0
# shellcheck source=SCRIPTDIR/../../integration/lib.sh
. "$FB_TOP/tests/integration/lib.sh"
# shellcheck source=SCRIPTDIR/stacks.sh
. "$FB_HERE/stacks.sh"

FB_BUILD=""
FB_ROUNDS=10
FB_STACKS="libha pacemaker keepalived"
FB_SCENARIOS="switch monitor hard cold"
FB_TOKENS="1000 300"
FB_ADVERTS="1 0.01"
FB_FOOTPRINT=1
FB_OUT=""
FB_DOC=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) FB_BUILD=$(cd "$2" && pwd) || exit 2; shift ;;
	--quick) FB_ROUNDS=3 FB_TOKENS=1000 FB_ADVERTS=1 ;;
	--rounds) FB_ROUNDS=$2; shift ;;
	--stacks) FB_STACKS=$2; shift ;;
	--scenarios) FB_SCENARIOS=$2; shift ;;
	--tokens) FB_TOKENS=$2; shift ;;
	--adverts) FB_ADVERTS=$2; shift ;;
	--no-footprint) FB_FOOTPRINT=0 ;;
	--out) FB_OUT=$2; shift ;;
	--doc) FB_DOC=1 ;;
	*) sed -n '11,17p' "$0" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$FB_BUILD" ] || { sed -n '11,17p' "$0" >&2; exit 2; }
ha_need_root
for _b in daemon/had daemon/hactl tests/bench/failover/fb_probe; do
	[ -x "$FB_BUILD/$_b" ] || ha_die "$FB_BUILD/$_b missing: make -C $FB_BUILD had hactl fb_probe"
done
for _c in pacemakerd keepalived crm_resource python3; do
	command -v "$_c" >/dev/null || ha_die "$_c not found"
done
if [ -z "$FB_OUT" ]; then
	FB_OUT=$(mktemp -d /tmp/fb-results.XXXXXX) || exit 1
fi
mkdir -p "$FB_OUT"
chmod 755 "$FB_OUT" # the Pacemaker daemons (user hacluster) write their log below it
FB_VIP=$HA_SUBNET.100
FB_LIVE=""       # nodes up now (crashed nodes are left out until rebooted)
FB_PROBE_PID=""
FB_PROBE_LOG=""
FB_STACK=""
FB_PARAM=""
FB_CFG=""
FB_NCFG=0

fb_cleanup() {
	[ -n "$FB_PROBE_PID" ] && kill -TERM "$FB_PROBE_PID" 2>/dev/null
	ha_cluster_cleanup
}
trap fb_cleanup EXIT
trap 'exit 130' INT TERM HUP

fb_log() { ha_log "$FB_CFG $*" 2>&1 | tee -a "$FB_OUT/run.log" >&2; }

# ---- cluster facts ---------------------------------------------------------------------------

fb_has_vip() { ip -n "$(ha_node_ns "$1")" -o -4 addr show dev eth0 | grep -q " $FB_VIP/"; }

# fb_holder: the one live node holding the VIP (1 if none or several).
fb_holder() {
	local n h="" c=0
	for n in $FB_LIVE; do
		if fb_has_vip "$n"; then
			h=$n
			c=$((c + 1))
		fi
	done
	[ "$c" = 1 ] && echo "$h"
}

fb_held_by() { [ "$(fb_holder)" = "$1" ]; }

fb_mac() { ip -n "$(ha_node_ns "$1")" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# fb_reply_after T [is|not MAC]: the probe log has a reply received after T (epoch
# seconds), from MAC (is) or from another node than MAC (not).
fb_reply_after() {
	tail -n 3000 "$FB_PROBE_LOG" | awk -v t="$1" -v mode="${2:-}" -v mac="${3:-}" '
		$1 !~ /^#/ && $1 + 0 > t + 0 {
			if (mode == "" || (mode == "is" && $3 == mac) || (mode == "not" && $3 != mac)) {
				found = 1
				exit
			}
		}
		END { exit !found }'
}

fb_settled() { "st_${FB_STACK}_settled"; }
fb_uses_corosync() { [ "$FB_STACK" != keepalived ]; }

fb_quorate() {
	local n
	for n in $FB_LIVE; do
		ha_node_exec "$n" corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes' || return 1
	done
}

fb_sorted() { tr ' ' '\n' | grep . | sort -u | tr '\n' ' ' | sed 's/ $//'; }
fb_live_add() { FB_LIVE=$(echo "$FB_LIVE $1" | fb_sorted); }
fb_live_del() { FB_LIVE=$(echo "$FB_LIVE" | tr ' ' '\n' | grep -vx "$1" | fb_sorted); }

# The next live node after $1 (cyclic): the switchover target.
fb_next_live() {
	local n first="" seen=0
	for n in $FB_LIVE; do
		[ -z "$first" ] && first=$n
		if [ "$seen" = 1 ]; then
			echo "$n"
			return
		fi
		[ "$n" = "$1" ] && seen=1
	done
	echo "$first"
}

# fb_record SCENARIO ROUND STATUS T0 T1 TEND HOLDER TARGET SPECIAL
fb_record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$FB_CFG" "$FB_STACK" "$FB_PARAM" \
		"$@" >>"$FB_OUT/rounds.tsv"
}

# ---- node life -------------------------------------------------------------------------------

# fb_node_up NODE: a freshly booted node: its stack's set-up, the port back, corosync.
# A real reboot leaves no service address on the interface: remove the VIP a crash
# left in the node's (persistent) network namespace before the port comes back.
fb_node_up() {
	ip -n "$(ha_node_ns "$1")" addr del "$FB_VIP/24" dev eth0 2>/dev/null
	"st_${FB_STACK}_boot" "$1" || return 1
	ha_node_restore "$1"
	if fb_uses_corosync; then
		ha_corosync_start "$1" >/dev/null || return 1
	fi
	fb_live_add "$1"
}

fb_reboot() {
	ha_node_boot "$1"
	fb_node_up "$1" || return 1
	"st_${FB_STACK}_start" "$1"
	ha_wait 120 "st_${FB_STACK}_joined"
}

# fb_events NAME: libha only: every live node's recent events (had stamps each with
# its wall clock in ms), for the timelines.
fb_events() {
	local n
	[ "$FB_STACK" = libha ] || return 0
	mkdir -p "$HA_WORK/events"
	for n in $FB_LIVE; do
		fb_hx "$n" events --last 400 --output json >"$HA_WORK/events/$1-$n.jsonl" 2>&1
	done
}

# fb_jitter: wait a random 0-999 ms, so an event does not always hit the same phase of
# the managers' periodic timers (the 1 s monitor, VRRP adverts, corosync's token).
fb_jitter() { sleep "0.$(printf '%03d' $((RANDOM % 1000)))"; }

# ---- scenarios -------------------------------------------------------------------------------

# fb_move_to NODE: a helper move (not measured) so a round starts from a chosen holder.
fb_move_to() {
	local h
	h=$(fb_holder) || return 1
	[ "$h" = "$1" ] && return 0
	"st_${FB_STACK}_move" "$h" "$1" >/dev/null 2>&1 &&
		ha_wait 60 fb_held_by "$1" && ha_wait 60 fb_settled &&
		"st_${FB_STACK}_after_move" "$h" "$1" >/dev/null 2>&1 && ha_wait 60 fb_settled &&
		"st_${FB_STACK}_normalize"
}

sc_switch() {
	local k=$1 h t t0 t1 st=ok
	h=$(fb_holder) || return 1
	t=$(fb_next_live "$h")
	fb_jitter
	t0=$EPOCHREALTIME
	"st_${FB_STACK}_move" "$h" "$t" >>"$FB_OUT/run.log" 2>&1 || st=cmd-failed
	t1=$EPOCHREALTIME
	ha_wait 30 fb_reply_after "$t0" is "$(fb_mac "$t")" || st=timeout
	ha_wait 60 fb_settled || st=unsettled
	"st_${FB_STACK}_after_move" "$h" "$t" >>"$FB_OUT/run.log" 2>&1
	ha_wait 60 fb_settled || st=unsettled
	"st_${FB_STACK}_normalize"
	fb_events "switch$k"
	fb_record switch "$k" "$st" "$t0" "$t1" "$EPOCHREALTIME" "$h" "$t" ""
	[ "$st" = ok ]
}

sc_monitor() {
	local k=$1 h t0 t1 st=ok
	h=$(fb_holder) || return 1
	fb_jitter
	t0=$EPOCHREALTIME
	ip -n "$(ha_node_ns "$h")" addr del "$FB_VIP/24" dev eth0
	if ha_wait 30 fb_holder >/dev/null; then
		t1=$EPOCHREALTIME
		ha_wait 10 fb_reply_after "$t1" || st=timeout
	else
		t1=$EPOCHREALTIME
		st=timeout
	fi
	ha_wait 60 fb_settled || st=unsettled
	"st_${FB_STACK}_after_failure" >>"$FB_OUT/run.log" 2>&1
	ha_wait 60 fb_settled || st=unsettled
	"st_${FB_STACK}_normalize"
	fb_events "monitor$k"
	fb_record monitor "$k" "$st" "$t0" "$t1" "$EPOCHREALTIME" "$h" "$(fb_holder)" ""
	[ "$st" = ok ]
}

# Hard failover: the holder loses power. Rounds alternate between losing the stack's
# special node (Pacemaker's DC, libha's lowest node id) and another one.
sc_hard() {
	local k=$1 h s want n t0 st=ok
	s=$("st_${FB_STACK}_special")
	if [ -n "$s" ]; then
		want=$s
		if [ $((k % 2)) = 1 ]; then
			for n in $FB_LIVE; do [ "$n" != "$s" ] && want=$n && break; done
		fi
		fb_move_to "$want" || fb_log "could not move the VIP to $want first"
		s=$("st_${FB_STACK}_special")
	fi
	h=$(fb_holder) || return 1
	fb_jitter
	t0=$EPOCHREALTIME
	ha_node_crash "$h"
	fb_live_del "$h"
	ha_wait 60 fb_reply_after "$t0" not "$(fb_mac "$h")" || st=timeout
	ha_wait 60 fb_settled || st=unsettled
	"st_${FB_STACK}_normalize"
	local tend=$EPOCHREALTIME
	fb_events "hard$k"
	fb_record hard "$k" "$st" "$t0" "$t0" "$tend" "$h" "$(fb_holder)" "$s"
	fb_reboot "$h" || { fb_log "$h did not rejoin"; return 1; }
	[ "$st" = ok ]
}

# Cold start: every node loses power, boots, corosync forms a quorate membership, then
# the managers start at once (t0); measured to the first reply.
sc_cold() {
	local k=$1 n t0 tq st=ok all=$HA_NODE_NAMES
	for n in $FB_LIVE; do ha_node_crash "$n"; done
	FB_LIVE=""
	for n in $all; do
		ha_node_boot "$n"
		fb_node_up "$n" || { fb_log "cold $k: $n did not come up"; return 1; }
	done
	if fb_uses_corosync; then
		ha_wait 60 fb_quorate || { fb_log "cold $k: corosync not quorate"; return 1; }
	fi
	tq=$EPOCHREALTIME
	t0=$EPOCHREALTIME
	for n in $all; do "st_${FB_STACK}_start" "$n"; done
	ha_wait 120 fb_reply_after "$t0" || st=timeout
	ha_wait 120 "st_${FB_STACK}_joined" || st=unsettled
	"st_${FB_STACK}_normalize"
	fb_record cold "$k" "$st" "$t0" "$tq" "$EPOCHREALTIME" "$(fb_holder)" "" ""
	[ "$st" = ok ]
}

# ---- footprint -------------------------------------------------------------------------------

fb_footprint() {
	local args="" n
	for n in $FB_LIVE; do args="$args $n:$(ha_node_init_pid "$n"):$(fb_holder_is "$n")"; done
	# shellcheck disable=SC2046,SC2086 # word lists
	python3 "$FB_HERE/fb_util.py" footprint --seconds "${FB_FOOT_S:-60}" \
		--procs "$("st_${FB_STACK}_procs")" $args >"$HA_WORK/footprint.json"
}
fb_holder_is() { if [ "$(fb_holder)" = "$1" ]; then echo vip; else echo idle; fi; }

# ---- one configuration: a stack with one corosync token / VRRP advert interval ----------------

run_config() {
	local n k sc fails
	FB_STACK=$1 FB_PARAM=$2 FB_CFG=$1-$2
	# A fresh prefix per configuration: the kernel removes the previous cluster's links
	# only once its last processes are gone, which can take a while after a cleanup.
	FB_NCFG=$((FB_NCFG + 1))
	HA_PREFIX=fb$$$FB_NCFG
	HA_WORK=$FB_OUT/$FB_CFG
	rm -rf "$HA_WORK"
	mkdir -p "$HA_WORK"
	chmod 755 "$HA_WORK"
	fb_log "---- start"
	ha_cluster_create 3
	ha_client_create
	for n in $HA_NODE_NAMES; do echo "$n $(fb_mac "$n")"; done >"$HA_WORK/macs"
	FB_PROBE_LOG=$HA_WORK/probe.log
	ip netns exec "$(ha_client_ns)" "$FB_BUILD/tests/bench/failover/fb_probe" -t "$FB_VIP" \
		-I eth0 -o "$FB_PROBE_LOG" -d 3600 2>>"$HA_WORK/probe.err" &
	FB_PROBE_PID=$!
	if fb_uses_corosync; then
		HA_TOKEN=$FB_PARAM ha_corosync_conf >"$HA_WORK/corosync.conf"
		printf 'uidgid {\n\tgid: haclient\n}\n' >>"$HA_WORK/corosync.conf"
	fi
	FB_LIVE=""
	for n in $HA_NODE_NAMES; do fb_node_up "$n" || ha_die "$n: set-up failed"; done
	if fb_uses_corosync; then
		ha_wait 60 fb_quorate || ha_die "corosync did not become quorate"
	fi
	for n in $HA_NODE_NAMES; do "st_${FB_STACK}_start" "$n"; done
	ha_wait 60 fb_any_manager_up || ha_die "the managers did not start"
	"st_${FB_STACK}_configure" >>"$FB_OUT/run.log" 2>&1 || ha_die "configuration failed"
	ha_wait 120 "st_${FB_STACK}_joined" || ha_die "the VIP did not start"
	"st_${FB_STACK}_normalize"
	fb_log "up: VIP on $(fb_holder)"
	for sc in $FB_SCENARIOS; do
		[ "$sc" = cold ] && continue # last: it power-cycles the cluster
		fails=0
		for k in $(seq "$FB_ROUNDS"); do
			ha_wait 60 fb_settled || fb_log "not settled before $sc $k"
			if "sc_$sc" "$k"; then
				fb_log "$sc $k ok"
			else
				fb_log "$sc $k FAILED"
				fails=$((fails + 1))
				[ "$fails" -ge 3 ] && { fb_log "$sc: giving up"; break; }
			fi
		done
	done
	if [ "$FB_FOOTPRINT" = 1 ] && { [ "$FB_PARAM" = 1000 ] || [ "$FB_PARAM" = 1 ]; }; then
		ha_wait 60 fb_settled
		sleep 5 # let the last transition's stragglers finish
		fb_log "footprint (${FB_FOOT_S:-60} s)"
		fb_footprint || fb_log "footprint failed"
	fi
	case " $FB_SCENARIOS " in *" cold "*)
		fails=0
		for k in $(seq "$FB_ROUNDS"); do
			if sc_cold "$k"; then
				fb_log "cold $k ok"
			else
				fb_log "cold $k FAILED"
				fails=$((fails + 1))
				[ "$fails" -ge 3 ] && break
			fi
		done ;;
	esac
	fb_log "---- done"
	kill -TERM "$FB_PROBE_PID" 2>/dev/null
	wait "$FB_PROBE_PID" 2>/dev/null
	FB_PROBE_PID=""
	ha_cluster_cleanup
}

# Any node's manager answers (configuration needs one; the VIP comes later).
fb_any_manager_up() {
	case $FB_STACK in
	libha) fb_hx "$(fb_any_live)" status >/dev/null 2>&1 ;;
	pacemaker) st_pacemaker_dc >/dev/null ;;
	keepalived) ha_node_exec "$(fb_any_live)" test -s /run/vrrp.pid ;;
	esac
}

{
	echo "# failover benchmark $(date -u '+%F %T UTC'), $(nproc) cores, $(uname -r)"
	echo "# $(pacemakerd --version | head -1); $(keepalived --version 2>&1 | head -1); corosync $(corosync -v | sed -n "s/.*version '\([^']*\)'.*/\1/p")"
	echo "# rounds $FB_ROUNDS; stacks $FB_STACKS; scenarios $FB_SCENARIOS; tokens $FB_TOKENS; adverts $FB_ADVERTS; git $(git -C "$FB_TOP" rev-parse --short HEAD)"
	echo "# loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg); nice $(nice)"
} >"$FB_OUT/meta.txt"
: >"$FB_OUT/rounds.tsv"
fb_start=$(date +%s)
for st in $FB_STACKS; do
	params=$FB_TOKENS
	[ "$st" = keepalived ] && params=$FB_ADVERTS
	for p in $params; do run_config "$st" "$p"; done
done
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg); wall time $(($(date +%s) - fb_start)) s" >>"$FB_OUT/meta.txt"
args=""
[ "$FB_DOC" = 1 ] && args="--doc $FB_TOP/docs"
# shellcheck disable=SC2086 # optional arguments
python3 "$FB_HERE/analyze.py" "$FB_OUT" $args
echo "# results in $FB_OUT"
