#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ocf:ha:IPaddr2 in two network namespaces joined by a veth pair (no uplink): the
# agent's side and a peer whose neighbour table shows the announcements. ocf-tester
# for IPv4/IPv6, then scenarios: address present/absent, GARP and unsolicited NA seen
# by the peer, link-down monitor, duplicate detection, reload, argument errors.

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
t_need_root

NSA=hara$$a
NSB=hara$$b
VA=hra$$a
VB=hra$$b
T=$(mktemp -d /tmp/ha-ra-ip.XXXXXX)

cleanup() {
	trap "" PIPE # output may go to a closed pipe: cleaning up comes first
	# Background arpings hold the namespace; stop them first (pid files).
	for _f in "$T"/run/IPaddr2-*.arping; do
		[ -f "$_f" ] && kill "$(cat "$_f")" 2>/dev/null
	done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

ip netns add "$NSA" && ip netns add "$NSB" &&
	ip link add "$VA" netns "$NSA" type veth peer name "$VB" netns "$NSB" || exit 1
A="ip -n $NSA"
B="ip -n $NSB"
$A link set lo up && $A link set "$VA" up && $B link set "$VB" up &&
	$A addr add 192.0.2.1/24 dev "$VA" && $B addr add 192.0.2.2/24 dev "$VB" &&
	$A addr add 2001:db8:1::1/64 dev "$VA" nodad && $B addr add 2001:db8:1::2/64 dev "$VB" nodad ||
	exit 1
MAC_A=$($A -o link show "$VA" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

mkdir -p "$T/run"
export HA_RSCTMP="$T/run" OCF_RESOURCE_INSTANCE=vip
RA_PREFIX="ip netns exec $NSA"

t_log "ocf-tester"
ocf_tester vip4 IPaddr2 -o ip=192.0.2.50
ocf_tester vip4n IPaddr2 -o ip=192.0.2.51 -o nic="$VA" -o cidr_netmask=255.255.255.0 -o iflabel=v51
ocf_tester vip6 IPaddr2 -o ip=2001:db8:1::50 -o nodad=true
ocf_tester vip6d IPaddr2 -o ip=2001:db8:1::51 -o cidr_netmask=64 -o nic="$VA"

t_log "arguments and configuration"
OCF_RESKEY_ip=192.0.2.60 "$RA_SHELL" "$RA_DIR/IPaddr2" >/dev/null 2>&1
t_check "no action is a bad argument (rc $?)" [ $? -eq 2 ]
OCF_RESKEY_ip=192.0.2.60 "$RA_SHELL" "$RA_DIR/IPaddr2" start extra >/dev/null 2>&1
t_check "two arguments are bad arguments (rc $?)" [ $? -eq 2 ]
expect 3 "unknown action" IPaddr2 frobnicate OCF_RESKEY_ip=192.0.2.60
expect 6 "ip missing" IPaddr2 validate-all
expect_reason "ip is required"
expect 6 "bad IPv4" IPaddr2 validate-all OCF_RESKEY_ip=192.0.2.256
expect 6 "bad IPv6" IPaddr2 validate-all OCF_RESKEY_ip=2001:db8::1::2
expect 6 "bad prefix" IPaddr2 validate-all OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_cidr_netmask=33
expect 6 "unsupported lvs_support" IPaddr2 validate-all OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_lvs_support=true
expect_reason "lvs_support=true is not supported"
expect 0 "lvs_support at its default is accepted" IPaddr2 validate-all OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_lvs_support=false
expect 6 "CLUSTERIP clone refused" IPaddr2 validate-all OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_CRM_meta_clone_max=2
expect 6 "label too long" IPaddr2 start OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_iflabel=averylonglabel
expect 2 "start on a missing nic" IPaddr2 start OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_nic=nosuch0
expect 7 "probe on a missing nic" IPaddr2 monitor OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_nic=nosuch0
expect 0 "stop on a missing nic" IPaddr2 stop OCF_RESKEY_ip=192.0.2.60 OCF_RESKEY_nic=nosuch0
expect 1 "start without a route" IPaddr2 start OCF_RESKEY_ip=10.200.0.1
expect_reason "no route covers"
expect 0 "start with nic and prefix needs no route" IPaddr2 start OCF_RESKEY_ip=10.200.0.1 \
	OCF_RESKEY_nic="$VA" OCF_RESKEY_cidr_netmask=16 OCF_RESKEY_arp_count=0
t_check "10.200.0.1/16 is on $VA" sh -c "$A -o addr show dev $VA | grep -q 'inet 10.200.0.1/16 '"
expect 0 "and stops" IPaddr2 stop OCF_RESKEY_ip=10.200.0.1 OCF_RESKEY_nic="$VA" OCF_RESKEY_cidr_netmask=16

t_log "IPv4: present, announced, absent"
has4() { $A -o -4 addr show dev "$VA" | grep -q " inet $1/$2 "; }
peer_sees() { ip netns exec "$NSB" ip neigh show "$1" dev "$VB" | grep -q "lladdr $MAC_A"; }
# As after a failover: the peer has the address cached with another node's MAC;
# only the announcement (which overrides) can correct it.
peer_seed() { $B neigh replace "$1" lladdr 02:00:00:00:00:01 dev "$VB" nud stale; }
V4="OCF_RESKEY_ip=192.0.2.50 OCF_RESKEY_arp_count=3"
expect 7 "monitor before start" IPaddr2 monitor $V4
peer_seed 192.0.2.50
t0=$(now_ms)
expect 0 "start" IPaddr2 start $V4
t1=$(now_ms)
# arping sends 3 GARPs one second apart in the background: start must not wait.
t_check "start returned in $((t1 - t0)) ms, before the GARPs are done" [ $((t1 - t0)) -lt 900 ]
t_check "address 192.0.2.50/24 present (nic and prefix from the route)" has4 192.0.2.50 24
apid=$(cat "$T/run/IPaddr2-192.0.2.50.arping" 2>/dev/null)
t_check "arping running in the background (pid ${apid:-none})" \
	sh -c "[ -n '$apid' ] && grep -qx arping /proc/$apid/comm" && alive "$apid"
t_check "the peer's stale 192.0.2.50 entry now has $MAC_A (gratuitous ARP)" wait_until 30 peer_sees 192.0.2.50
expect 0 "monitor" IPaddr2 monitor $V4
expect 0 "second start" IPaddr2 start $V4
expect 0 "stop" IPaddr2 stop $V4
t_check "address absent" sh -c "! $A -o -4 addr show dev $VA | grep -q ' inet 192.0.2.50/'"
t_check "stop killed the announcing arping" wait_until 10 eval "! alive $apid"
expect 7 "monitor after stop" IPaddr2 monitor $V4
expect 0 "second stop" IPaddr2 stop $V4

t_log "link state"
expect 0 "start" IPaddr2 start $V4 OCF_RESKEY_arp_count=0
$B link set "$VB" down
expect 1 "monitor with the peer end down (no carrier)" IPaddr2 monitor $V4
expect_reason "is down"
$B link set "$VB" up
$B addr add 2001:db8:1::2/64 dev "$VB" nodad # IPv6 addresses go with the link
t_check "carrier back" wait_until 30 sh -c "[ \"\$($RA_PREFIX cat /sys/class/net/$VA/operstate)\" = up ]"
expect 0 "monitor with the link up again" IPaddr2 monitor $V4
$A addr del 192.0.2.50/24 dev "$VA"
expect 7 "monitor after the address was removed behind our back" IPaddr2 monitor $V4
expect 0 "stop" IPaddr2 stop $V4

t_log "IPv4 duplicate address probe (run_arping)"
t0=$(now_ms)
expect 1 "start of an address the peer owns" IPaddr2 start OCF_RESKEY_ip=192.0.2.2 OCF_RESKEY_run_arping=true
t1=$(now_ms)
expect_reason "collision"
t_check "the collision was found in $((t1 - t0)) ms" [ $((t1 - t0)) -lt 900 ]
t_check "the duplicate was not added" sh -c "! $A -o -4 addr show dev $VA | grep -q ' inet 192.0.2.2/'"
t0=$(now_ms)
expect 0 "start of a free address with the probe" IPaddr2 start OCF_RESKEY_ip=192.0.2.52 OCF_RESKEY_run_arping=true OCF_RESKEY_arp_count=0
t1=$(now_ms)
t_check "the probe of a free address is bounded ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 900 ]
expect 0 "stop" IPaddr2 stop OCF_RESKEY_ip=192.0.2.52

t_log "IPv6"
na_count() {
	ip netns exec "$NSA" sed -n 's/^Icmp6OutNeighborAdvertisements[[:space:]]*//p' /proc/net/snmp6
}
has6() { $A -o -6 addr show dev "$VA" | grep -q " inet6 $1/"; }
na0=$(na_count)
peer_seed 2001:db8:1::60
t0=$(now_ms)
expect 0 "start nodad" IPaddr2 start OCF_RESKEY_ip=2001:db8:1::60 OCF_RESKEY_nodad=true
t1=$(now_ms)
t_check "nodad start is immediate ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 500 ]
t_check "address present and usable (not tentative)" sh -c \
	"$A -o -6 addr show dev $VA | grep ' inet6 2001:db8:1::60/64 ' | grep -vq tentative"
na1=$(na_count)
t_check "unsolicited neighbour advertisement sent ($na0 -> $na1)" [ "$na1" -gt "$na0" ]
t_check "the peer's stale entry for 2001:db8:1::60 now has $MAC_A" wait_until 20 peer_sees 2001:db8:1::60
t_check "accept_dad restored" [ "$(ip netns exec "$NSA" cat /proc/sys/net/ipv6/conf/"$VA"/accept_dad)" != 0 ]
expect 0 "monitor" IPaddr2 monitor OCF_RESKEY_ip=2001:db8:1::60
expect 0 "stop" IPaddr2 stop OCF_RESKEY_ip=2001:db8:1::60
t_check "address absent" sh -c "! $A -o -6 addr show dev $VA | grep -q ' inet6 2001:db8:1::60/'"
expect 7 "monitor after stop" IPaddr2 monitor OCF_RESKEY_ip=2001:db8:1::60
na0=$(na_count)
expect 0 "start with DAD (waits for it)" IPaddr2 start OCF_RESKEY_ip=2001:db8:1:0::61
t_check "address usable once start returns" sh -c \
	"$A -o -6 addr show dev $VA | grep ' inet6 2001:db8:1::61/64 ' | grep -vq tentative"
t_check "NA sent after DAD" [ "$(na_count)" -gt "$na0" ]
expect 0 "stop" IPaddr2 stop OCF_RESKEY_ip=2001:db8:1::61
expect 1 "start of an IPv6 address the peer owns fails DAD" IPaddr2 start OCF_RESKEY_ip=2001:db8:1::2
expect_reason "collision"
t_check "the duplicate was removed" sh -c "! $A -o -6 addr show dev $VA | grep -q ' inet6 2001:db8:1::2/'"

t_log "reload"
expect 0 "start /24" IPaddr2 start OCF_RESKEY_ip=192.0.2.53 OCF_RESKEY_arp_count=0
expect 0 "reload with cidr_netmask 25" IPaddr2 reload OCF_RESKEY_ip=192.0.2.53 OCF_RESKEY_cidr_netmask=25 OCF_RESKEY_arp_count=0
t_check "now 192.0.2.53/25" has4 192.0.2.53 25
t_check "the /24 is gone" sh -c "! $A -o -4 addr show dev $VA | grep -q ' inet 192.0.2.53/24 '"
expect 0 "monitor with the new parameters" IPaddr2 monitor OCF_RESKEY_ip=192.0.2.53 OCF_RESKEY_cidr_netmask=25
expect 0 "stop" IPaddr2 stop OCF_RESKEY_ip=192.0.2.53 OCF_RESKEY_cidr_netmask=25
expect 0 "reload of a stopped address" IPaddr2 reload OCF_RESKEY_ip=192.0.2.53
t_check "it stays stopped" sh -c "! $A -o -4 addr show dev $VA | grep -q ' inet 192.0.2.53/'"

t_done
