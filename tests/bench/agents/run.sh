#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of the ha agents against the heartbeat agents of the same name on this
# machine (root): wall time of start, monitor and stop, median of RUNS runs (default
# 20; MYSQL_RUNS for the slow mysql start/stop, default 5). IPaddr2 runs inside a
# network namespace (timed from inside it), Filesystem on a loop-mounted ext4 image,
# mysql against a private MariaDB server. Prints a markdown table.
# Usage: tests/bench/agents/run.sh [RUNS]

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
RA=$(cd "$HERE/../../../resource-agents" && pwd)
HB=/usr/lib/ocf/resource.d/heartbeat
RUNS=${1:-20}
MYSQL_RUNS=${MYSQL_RUNS:-5}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for _a in IPaddr2 Filesystem mysql; do
	[ -x "$HB/$_a" ] || { echo "$HB/$_a missing (resource-agents package)" >&2; exit 1; }
done

T=$(mktemp -d /tmp/ha-bench-ra.XXXXXX)
chmod 755 "$T"
NS=habench$$
LOOP=
cleanup() {
	trap "" PIPE # output may go to a closed pipe: cleaning up comes first
	for _f in "$T"/run/IPaddr2-*.arping /run/resource-agents/send_arp-192.0.2.50; do
		[ -f "$_f" ] && kill "$(cat "$_f")" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	ip netns del "${NS}p" 2>/dev/null
	mountpoint -q "$T/mnt" && umount "$T/mnt"
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	_pid=$(cat "$T/db/run/mysqld.pid" 2>/dev/null) && {
		_pp=$(awk '{ print $4 }' "/proc/$_pid/stat" 2>/dev/null)
		case $(cat "/proc/$_pp/comm" 2>/dev/null) in *safe*) kill -9 "$_pp" ;; esac
		kill -9 "$_pid"
	}
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

export HA_OCF_LIB="$RA/lib" HA_RSCTMP="$T/run" OCF_RESOURCE_INSTANCE=bench
mkdir -p "$T/run"

echo "| agent | operation | runs | heartbeat median ms | ha median ms | ha speed-up |"
echo "|---|---|---|---|---|---|"

# IPaddr2: a veth pair between two namespaces; both agents find nic from the route.
ip netns add "$NS" && ip netns add "${NS}p" &&
	ip link add hb$$a netns "$NS" type veth peer name hb$$b netns "${NS}p" &&
	ip -n "$NS" link set lo up && ip -n "$NS" link set hb$$a up &&
	ip -n "${NS}p" link set hb$$b up && ip -n "$NS" addr add 192.0.2.1/24 dev hb$$a || exit 1
OCF_RESKEY_ip=192.0.2.50 OCF_RESKEY_cidr_netmask=24 \
	ip netns exec "$NS" python3 "$HERE/optime.py" "$RUNS" start,monitor,stop "$HB/IPaddr2" "$RA/ocf/IPaddr2" IPaddr2 || exit 1

# Filesystem: ext4 on a loop device (the heartbeat agent wants a block device).
truncate -s 64M "$T/img" && mkfs.ext4 -q -F "$T/img" && mkdir "$T/mnt" &&
	LOOP=$(losetup -f --show "$T/img") || exit 1
OCF_RESKEY_device=$LOOP OCF_RESKEY_directory=$T/mnt OCF_RESKEY_fstype=ext4 \
	python3 "$HERE/optime.py" "$RUNS" start,monitor,stop "$HB/Filesystem" "$RA/ocf/Filesystem" Filesystem || exit 1

# mysql: a private server (datadir, socket, port under $T).
D=$T/db
mkdir -p "$D/data" "$D/run" && chown -R mysql:mysql "$D" || exit 1
cat >"$D/my.cnf" <<EOF
[mysqld]
port=$((33000 + $$ % 1000))
bind_address=127.0.0.1
skip_name_resolve=ON
innodb_buffer_pool_size=16M
EOF
mariadb-install-db --defaults-file="$D/my.cnf" --datadir="$D/data" --user=mysql \
	--skip-test-db --auth-root-authentication-method=socket >/dev/null 2>&1 || exit 1
export OCF_RESKEY_config="$D/my.cnf" OCF_RESKEY_datadir="$D/data" OCF_RESKEY_pid="$D/run/mysqld.pid" \
	OCF_RESKEY_socket="$D/run/mysqld.sock" OCF_RESKEY_log="$D/error.log"
"$RA/ocf/mysql" start || exit 1
python3 "$HERE/optime.py" "$RUNS" monitor "$HB/mysql" "$RA/ocf/mysql" "mysql" || exit 1
OCF_CHECK_LEVEL=10 python3 "$HERE/optime.py" "$RUNS" monitor "$HB/mysql" "$RA/ocf/mysql" "mysql (depth 10)" || exit 1
"$RA/ocf/mysql" stop || exit 1
python3 "$HERE/optime.py" "$MYSQL_RUNS" start,stop "$HB/mysql" "$RA/ocf/mysql" mysql || exit 1
