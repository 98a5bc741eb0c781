#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo, from a fresh Debian 12 machine, as root: installs the dependencies,
# builds, and runs a live 3-node cluster (network + mount + pid + UTS namespaces on a
# bridge without uplink, corosync and had in each) serving a MariaDB database on a
# file system on a shared disk image behind a virtual IP. It powers off the node that
# runs them and shows them coming back on another node, with the downtime measured
# from a client namespace. Everything is removed at the end, also on Ctrl-C; running
# it twice in a row (or after an interrupted run) works.
# Functions called from traps and ha_wait look unreachable to shellcheck.
# shellcheck disable=SC2317
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh" "${HA_DEMO_BUILD:-$top/build}" >/dev/null
build=${HA_DEMO_BUILD:-$top/build}
hactl=$build/daemon/hactl
had=$build/daemon/had
set +e

# Fixed names so that a second run finds and removes what an interrupted run left.
export HA_PREFIX=hademo HA_WORK=/tmp/ha-demo HA_SUBNET=10.99.7 HA_TOKEN=1000
VIP=$HA_SUBNET.100
W=$HA_WORK
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { # show and run a command inside a node
	local node=$1
	shift
	printf '%s$ %s\n' "$node" "$*" | sed "s|$hactl|hactl|"
	ha_node_exec "$node" "$@"
}
die() {
	echo "demo: $*" >&2
	# Keep the logs of a failed run (the work directory goes at exit).
	rm -rf /tmp/ha-demo-logs && mkdir -p /tmp/ha-demo-logs
	for n in n1 n2 n3; do cp -r "$W/$n/log" "/tmp/ha-demo-logs/$n" 2>/dev/null; done
	cp "$W"/*.log /tmp/ha-demo-logs/ 2>/dev/null
	echo "demo: logs kept in /tmp/ha-demo-logs" >&2
	exit 1
}

# ---- leftovers of an earlier run ----------------------------------------------------------------
stale_cleanup() {
	local ns pids dev
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${HA_PREFIX}"); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a pid list
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	# Bridge ports whose namespace outlived its name (a process still in it).
	ip link del "${HA_PREFIX}vc" 2>/dev/null
	for n in 1 2 3; do ip link del "${HA_PREFIX}v$n" 2>/dev/null; done
	ip link del "${HA_PREFIX}br" 2>/dev/null
	for dev in $(losetup -j "$W/disk.img" 2>/dev/null | cut -d: -f1); do
		losetup -d "$dev" 2>/dev/null
	done
	umount "$W/mnt" 2>/dev/null
	rm -rf "$W"
}

loopdev=""
harness_pid=""
ping_pid=""
cleanup() {
	trap '' INT TERM
	say "cleaning up (processes by pid, namespaces, bridge, loop device, $W)"
	[ -n "$ping_pid" ] && kill "$ping_pid" 2>/dev/null
	[ -n "$harness_pid" ] && kill "$harness_pid" 2>/dev/null
	ha_cluster_cleanup
	[ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
	stale_cleanup
	echo "done."
}

[ "$(id -u)" = 0 ] || die "run me as root (namespaces, mounts, a loop device)"
stale_cleanup
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$W"

# ---- 1. the machines ------------------------------------------------------------------------------
say "1. three nodes and a client on a bridge without uplink; corosync and had on each"
ha_cluster_create 3
ha_client_create
ha_corosync_conf >"$W/corosync.conf"
for n in $HA_NODE_NAMES; do
	ha_corosync_start "$n" >/dev/null || die "corosync did not start on $n"
done
# The agents from this tree, staged under a private OCF root (no install needed).
mkdir -p "$W/ocf/resource.d" "$W/ocf/lib" "$W/fence-agents" "$W/fence"
ln -s "$top/resource-agents/ocf" "$W/ocf/resource.d/ha"
ln -s "$top/resource-agents/lib" "$W/ocf/lib/ha"
cp "$top/tests/integration/daemon/fence_harness" "$W/fence-agents/"
for n in $HA_NODE_NAMES; do
	d=$(ha_node_dir "$n")
	mkdir -p "$d/state"
	ha_node_init_pid "$n" >"$d/init.pid"
	ha_node_start "$n" "$d/log/had.out" "$had" --foreground --state-dir "$d/state" \
		--log-file "$d/log/had.log" --ocf-root "$W/ocf" --fence-agent-dir "$W/fence-agents" \
		--libexec-dir "$build/daemon/libexec" >/dev/null
done
for n in $HA_NODE_NAMES; do
	ha_wait 20 ha_node_exec "$n" "$hactl" status >/dev/null 2>&1 || die "had does not answer on $n"
done
# Quorate with all three nodes members (corosync may first form two rings and merge
# them a few seconds later).
all_members() {
	ha_node_exec n1 "$hactl" status --output json 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s["quorate"] and sum(n["state"]=="online" for n in s["nodes"])==3 else 1)' 2>/dev/null
}
ha_wait 30 all_members || die "the cluster did not form with all three nodes"
echo "nodes: $HA_NODE_NAMES ($HA_SUBNET.1-3), client $HA_SUBNET.254, corosync token ${HA_TOKEN} ms"

# The "power switch": fence_harness (the fence agent inside the nodes) asks through
# $W/fence; this loop powers the node off (port down, SIGKILL of its init) and says so.
(
	end=$(($(date +%s) + 1800))
	while [ "$(date +%s)" -lt "$end" ]; do
		for req in "$W"/fence/req.*; do
			[ -e "$req" ] || continue
			case $req in *.tmp) continue ;; esac
			t=$(cat "$req")
			ip link set "$(ha_node_port "$t")" down 2>/dev/null
			kill -KILL "$(cat "$(ha_node_dir "$t")/init.pid")" 2>/dev/null
			echo "$(date +%T.%3N) power switch: $t is off" >>"$W/fence.log"
			echo ok >"$W/fence/ack.${req#"$W"/fence/req.}"
			rm -f "$req"
		done
		sleep 0.05
	done
) &
harness_pid=$!

# ---- 2. the shared disk and the database ---------------------------------------------------------
say "2. a shared disk image with a MariaDB data directory"
truncate -s 256M "$W/disk.img"
mkfs.ext4 -q -F "$W/disk.img" || die "mkfs.ext4 failed"
loopdev=$(losetup -f --show "$W/disk.img") || die "no loop device"
mkdir -p "$W/mnt"
mount "$loopdev" "$W/mnt" || die "cannot mount $loopdev"
cat >"$W/my.cnf" <<EOF
[mysqld]
port=3306
bind_address=0.0.0.0
skip_name_resolve=ON
innodb_buffer_pool_size=16M
innodb_log_file_size=8M
EOF
mkdir -p "$W/mnt/mysql" && chown mysql:mysql "$W/mnt/mysql"
mariadb-install-db --defaults-file="$W/my.cnf" --datadir="$W/mnt/mysql" --user=mysql \
	--skip-test-db >"$W/install.log" 2>&1 || { cat "$W/install.log"; die "mariadb-install-db failed"; }
umount "$W/mnt"
echo "disk: $W/disk.img on $loopdev (ext4), datadir mysql/ on it, mounted by the cluster at $W/mnt"

say "3. the configuration, with hactl (each command waits until the cluster settled)"
q=--quiet
run n1 "$hactl" resource create fence stonith:fence_harness dir="$W/fence" \
	pcmk_host_list="n1 n2 n3" --clone --op monitor,interval=60s $q || die "fence device"
run n1 "$hactl" property default resource-stickiness 100 $q
run n1 "$hactl" resource create fs ocf:ha:Filesystem device="$loopdev" directory="$W/mnt" \
	fstype=ext4 --group db --op monitor,interval=10s,timeout=40s $q || die "fs"
run n1 "$hactl" resource create mysql ocf:ha:mysql config="$W/my.cnf" datadir="$W/mnt/mysql" \
	pid=/run/mysqld/mysqld.pid socket=/run/mysqld/mysqld.sock log="$W/mnt/mysql/error.log" \
	--group db --op monitor,interval=5s,timeout=30s --op start,interval=0,timeout=120s $q || die "mysql"
run n1 "$hactl" resource create vip ocf:ha:IPaddr2 ip="$VIP" cidr_netmask=24 nic=eth0 \
	--group db --op monitor,interval=5s $q || die "vip"

say "4. hactl status"
run n2 "$hactl" status
node=$(ha_node_exec n1 "$hactl" status --output json |
	python3 -c 'import json,sys; s=json.load(sys.stdin); print(" ".join(next(r["up_nodes"] for r in s["resources"] if r["id"]=="db")))')
if [ -z "$node" ] || [ "${node#* }" != "$node" ]; then
	die "the group db is not running on one node ($node)"
fi

# A user for the client, and a row written through the virtual IP.
ha_node_exec "$node" mariadb --socket=/run/mysqld/mysqld.sock -e \
	"CREATE DATABASE demo; CREATE USER demo@'%' IDENTIFIED BY 'demo';
	 GRANT ALL ON demo.* TO demo@'%'; CREATE TABLE demo.t (id INT PRIMARY KEY, at TEXT)" ||
	die "cannot prepare the database"
client() { ip netns exec "$(ha_client_ns)" "$@"; }
client mariadb -h "$VIP" -u demo -pdemo demo -e "INSERT INTO t VALUES (1, '$(date +%T) on $node')" ||
	die "the client cannot write through $VIP"
echo "client ($HA_SUBNET.254) wrote a row through $VIP (served by $node)"

# ---- 5. the failure -------------------------------------------------------------------------------
say "5. power failure of $node, which runs the group (switch port down, SIGKILL of its init)"
# Not through the client function: $! must be ping itself (ip netns exec execs it).
ip netns exec "$(ha_client_ns)" ping -D -n -i 0.005 "$VIP" >"$W/ping.log" 2>&1 &
ping_pid=$!
sleep 2
disown -a # no "Killed" job notices: everything is cleaned up by pid
t0=$(ha_now_ms)
ha_node_crash "$node"
echo "$(date +%T.%3N) $node is off"
survivor=n1
[ "$node" = n1 ] && survivor=n2
up_elsewhere() {
	local u
	u=$(ha_node_exec "$survivor" "$hactl" status --output json 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin); print(" ".join(next(r["up_nodes"] for r in s["resources"] if r["id"]=="db")))' 2>/dev/null)
	[ -n "$u" ] && [ "$u" != "$node" ]
}
ha_wait 120 up_elsewhere || die "the group did not come back"
t1=$(ha_now_ms)
sleep 1
kill "$ping_pid" 2>/dev/null
ha_wait 5 ha__gone "$ping_pid"
ping_pid=""
cat "$W/fence.log" 2>/dev/null

say "6. recovered"
run "$survivor" "$hactl" status
gap=$(awk -F'[][]' '/bytes from/ { t = $2 + 0; if (last && t - last > max) max = t - last; last = t }
	END { printf "%.3f", max }' "$W/ping.log")
echo
echo "group db back on another node $((t1 - t0)) ms after the power failure (as hactl saw it)"
echo "downtime seen by the client (longest gap between ping replies every 5 ms): $gap s"
client mariadb -h "$VIP" -u demo -pdemo demo -N -e "SELECT CONCAT('the row is still there: ', at) FROM t" ||
	echo "demo: the database does not answer through $VIP"
echo
echo "(logs: $(ha_node_dir n1)/log/had.log and the others; removed at exit)"
exit 0
