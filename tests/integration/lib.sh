# SPDX-License-Identifier: LGPL-2.1-or-later
# Namespace cluster helpers for the integration tests (sourced by bash scripts, as
# root): N nodes on one machine, each its own network + mount + pid + UTS namespace
# (hostname = node name, private /run, /dev/shm and /var/lib/corosync), joined by a
# bridge with no uplink. It knows nothing about libha; the tests drive it.
# shellcheck shell=bash
#
# Usage:
#   . tests/integration/lib.sh
#   ha_need_root                       # exit 77 (ctest SKIP) unless root with netns
#   trap ha_cluster_cleanup EXIT       # always first: cleanup is idempotent
#   ha_cluster_create 3                # nodes n1..n3, 10.99.0.1-3/24 on one bridge
#   ha_corosync_conf > "$HA_WORK/corosync.conf"   # knet, token ${HA_TOKEN:-1000}
#   for n in $HA_NODE_NAMES; do ha_corosync_start "$n" >/dev/null || exit 1; done
#   pid=$(ha_node_start n1 "$HA_WORK/n1/out.log" my-program --flag) || exit 1
#   ha_node_exec n2 ip -br addr        # run in the node, in the foreground
#   ha_node_cut n3; ha_node_restore n3 # switch port down/up (bridge side)
#   ha_node_crash n2                   # port down + SIGKILL of the node's pid-ns init
#   ha_node_boot n2                    # after a crash: a fresh init (port stays down)
#   ha_wait 20 grep -q READY file      # poll a command, at most 20 s
#   ha_client_create                   # a client netns on the bridge, HA_SUBNET.254
#   ip netns exec "$(ha_client_ns)" ping -c1 10.99.0.100   # probe a service address
#
# Names: everything created carries the prefix HA_PREFIX (default "hx<pid>"), so
# several clusters (and other suites' namespaces) can coexist: netns <prefix>n1,
# bridge <prefix>br, bridge-side veth <prefix>v1 (the node sees eth0). Per-node
# directories live under HA_WORK/<node> (default: a fresh mktemp -d, removed at
# cleanup unless HA_KEEP_WORK=1), visible from the host and from inside the node under
# the same path.
#
# Every process started here is tracked by its pid in the host pid namespace and
# killed by ha_cluster_cleanup; every wait is bounded. Functions that print a pid run
# in a command substitution: ha_die there only ends the subshell, so check "|| exit".

: "${HA_PREFIX:=hx$$}"
: "${HA_SUBNET:=10.99.0}"
: "${HA_TOKEN:=1000}"
HA_WORK=${HA_WORK:-}
HA_NODE_NAMES=""
HA_BRIDGE=""
ha__client=0         # 1 once ha_client_create made the client namespace
ha__own_work=0       # 1 when HA_WORK was created here (and is removed at cleanup)
ha__pids=""          # background processes we started (host pids)
declare -A ha__init  # node -> host pid of the node's pid-namespace init

ha_log() { printf '# %s %s\n' "$(date +%T.%3N)" "$*" >&2; }

ha_die() {
	ha_log "FATAL: $*"
	exit 1
}

# ha_need_root: skip (exit 77) when not root or without namespace support.
ha_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: needs root (network, pid and mount namespaces)"
		exit 77
	fi
	for c in ip unshare nsenter corosync; do
		command -v "$c" >/dev/null || ha_die "$c not found"
	done
}

# ha_now_ms: wall-clock milliseconds (CLOCK_REALTIME is shared by every namespace,
# so host and node timestamps are comparable).
ha_now_ms() { date +%s%3N; }

# ha_wait TIMEOUT_S CMD...: poll CMD every 100 ms until it succeeds; 1 on timeout.
ha_wait() {
	local deadline=$(($(ha_now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		[ "$(ha_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

ha_node_index() { echo "${1#n}"; }
ha_node_ns() { echo "${HA_PREFIX}$1"; }
ha_node_ip() { echo "$HA_SUBNET.$(ha_node_index "$1")"; }
ha_node_port() { echo "${HA_PREFIX}v$(ha_node_index "$1")"; }
ha_node_dir() { echo "$HA_WORK/$1"; }
ha_node_init_pid() { echo "${ha__init[$1]:-}"; }

# The first child of pid $1, waiting up to 5 s for it to appear.
ha__child_of() {
	local i c
	for i in $(seq 50); do
		c=$(pgrep -P "$1" | head -n1)
		if [ -n "$c" ]; then
			echo "$c"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ha_node_boot NODE: start the node's namespaces (its netns must exist): a pid-1
# "init" that mounts the private directories, sets the hostname, then sleeps. Its copy
# of the host's /run/netns mounts is dropped first: it would keep every network
# namespace that exists now (other clusters' too) alive until this node dies.
ha_node_boot() {
	local node=$1 dir unshare_pid
	dir=$(ha_node_dir "$node")
	mkdir -p "$dir/varlib-corosync" "$dir/log"
	rm -f "$dir/.booted"
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	ip netns exec "$(ha_node_ns "$node")" \
		unshare --mount --pid --uts --fork --mount-proc --propagation private \
		sh -c 'hostname "$1" &&
			{ umount -R -l /run/netns 2>/dev/null; true; } &&
			mount -t tmpfs -o mode=0755 tmpfs /run &&
			mkdir -p /run/lock &&
			mount -t tmpfs -o mode=1777 tmpfs /dev/shm &&
			mount --bind "$2/varlib-corosync" /var/lib/corosync &&
			touch "$2/.booted" && exec sleep infinity' sh "$node" "$dir" \
		</dev/null >"$dir/log/init.log" 2>&1 &
	unshare_pid=$!
	ha__pids="$ha__pids $unshare_pid"
	ha__init[$node]=$(ha__child_of "$unshare_pid") || ha_die "$node: no init process"
	ha_wait 5 test -e "$dir/.booted" || ha_die "$node: init failed: $(cat "$dir/log/init.log")"
}

# ha_cluster_create N: bridge + N nodes n1..nN with addresses HA_SUBNET.1..N/24.
ha_cluster_create() {
	local n=$1 i node ns port
	if [ -z "$HA_WORK" ]; then
		HA_WORK=$(mktemp -d /tmp/ha-cluster.XXXXXX) || ha_die "mktemp failed"
		ha__own_work=1
	fi
	HA_BRIDGE="${HA_PREFIX}br"
	ip link add "$HA_BRIDGE" type bridge || ha_die "cannot create bridge $HA_BRIDGE"
	# No uplink, no host address: traffic stays between the nodes.
	ip link set "$HA_BRIDGE" up
	for i in $(seq "$n"); do
		node="n$i"
		ns=$(ha_node_ns "$node")
		port=$(ha_node_port "$node")
		HA_NODE_NAMES="$HA_NODE_NAMES $node"
		mkdir -p "$(ha_node_dir "$node")"
		ip netns add "$ns" || ha_die "cannot create netns $ns"
		ip link add "$port" type veth peer name eth0 netns "$ns" ||
			ha_die "cannot create the link $port of $node"
		ip link set "$port" master "$HA_BRIDGE" up
		ip -n "$ns" addr add "$(ha_node_ip "$node")/24" dev eth0
		ip -n "$ns" link set eth0 up
		ip -n "$ns" link set lo up
		ha_node_boot "$node"
	done
	HA_NODE_NAMES=${HA_NODE_NAMES# }
	export HA_WORK HA_NODE_NAMES
}

# ha_client_create: a client outside the cluster: a network namespace only
# (<prefix>c, bridge port <prefix>vc, its interface eth0, address HA_SUBNET.254/24),
# for probing service addresses the way a user of the cluster sees them.
ha_client_ns() { echo "${HA_PREFIX}c"; }
ha_client_create() {
	local ns
	ns=$(ha_client_ns)
	[ -n "$HA_BRIDGE" ] || ha_die "ha_client_create: create the cluster first"
	ip netns add "$ns" || ha_die "cannot create netns $ns"
	ha__client=1
	if ! { ip link add "${HA_PREFIX}vc" type veth peer name eth0 netns "$ns" &&
		ip link set "${HA_PREFIX}vc" master "$HA_BRIDGE" up &&
		ip -n "$ns" addr add "$HA_SUBNET.254/24" dev eth0 &&
		ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up; }; then
		ha_die "cannot set up the client namespace $ns"
	fi
}

# ha_node_exec NODE CMD...: run CMD inside the node (all its namespaces), wait for it.
ha_node_exec() {
	local node=$1
	shift
	nsenter -t "$(ha_node_init_pid "$node")" -n -m -u -p -- "$@"
}

# ha_node_start NODE LOGFILE CMD...: start CMD inside the node in the background,
# stdout+stderr appended to LOGFILE; prints CMD's pid (host pid namespace) for kill.
ha_node_start() {
	local node=$1 log=$2 nsenter_pid pid
	shift 2
	nsenter -t "$(ha_node_init_pid "$node")" -n -m -u -p -- "$@" </dev/null >>"$log" 2>&1 &
	nsenter_pid=$!
	ha__pids="$ha__pids $nsenter_pid"
	# Entering a pid namespace, nsenter forks: the command is its child.
	pid=$(ha__child_of "$nsenter_pid") || ha_die "$node: $1 did not start"
	ha__pids="$ha__pids $pid"
	echo "$pid"
}

# ha_node_cut NODE / ha_node_restore NODE: take the node's switch port (the bridge
# side of its veth) down / up. The node keeps its own interface up, as with a pulled
# cable or a failed switch port.
ha_node_cut() { ip link set "$(ha_node_port "$1")" down; }
ha_node_restore() { ip link set "$(ha_node_port "$1")" up; }

# ha_node_crash NODE: power failure: the port goes down and every process of the
# node dies at once (SIGKILL of its pid-namespace init kills the whole namespace).
ha_node_crash() {
	local node=$1 init
	ha_node_cut "$node"
	init=$(ha_node_init_pid "$node")
	[ -n "$init" ] && kill -KILL "$init" 2>/dev/null
	ha_wait 5 ha__gone "$init" || ha_log "$node: init $init still present"
	ha__init[$node]=""
}

ha__gone() { ! kill -0 "$1" 2>/dev/null; }

# ha_corosync_conf [NODE...]: a corosync.conf (knet, token $HA_TOKEN, votequorum)
# with a nodelist of the given nodes (default: all), named n1..nN, nodeid = index.
# shellcheck disable=SC2120 # the node list is optional
ha_corosync_conf() {
	local nodes=${*:-$HA_NODE_NAMES} node
	cat <<EOF
totem {
	version: 2
	cluster_name: ${HA_PREFIX}
	transport: knet
	token: ${HA_TOKEN}
	crypto_cipher: none
	crypto_hash: none
}
logging {
	to_stderr: yes
	to_logfile: no
	to_syslog: no
	timestamp: hires
}
quorum {
	provider: corosync_votequorum
}
nodelist {
EOF
	for node in $nodes; do
		printf '\tnode {\n\t\tname: %s\n\t\tnodeid: %s\n\t\tring0_addr: %s\n\t}\n' \
			"$node" "$(ha_node_index "$node")" "$(ha_node_ip "$node")"
	done
	echo "}"
}

# ha_corosync_start NODE [CONF]: run corosync in the foreground inside the node
# (CONF default: $HA_WORK/corosync.conf); log in <node dir>/log/corosync.log.
# Waits (10 s) until it answers on its IPC; prints its pid.
ha_corosync_start() {
	local node=$1 conf=${2:-$HA_WORK/corosync.conf} pid
	pid=$(ha_node_start "$node" "$(ha_node_dir "$node")/log/corosync.log" \
		corosync -f -c "$conf")
	ha_wait 10 ha__corosync_ready "$node" || ha_die "$node: corosync did not start"
	echo "$pid"
}

ha__corosync_ready() { ha_node_exec "$1" corosync-cmapctl -g totem.token >/dev/null 2>&1; }

# ha_cluster_cleanup: kill what we started (by pid), then the node inits, the
# namespaces, the bridge and the work directory (unless HA_KEEP_WORK=1).
# Idempotent; safe to call from an EXIT trap at any point of the setup.
ha_cluster_cleanup() {
	local pid node
	for pid in $ha__pids; do
		kill -TERM "$pid" 2>/dev/null
	done
	for node in "${!ha__init[@]}"; do
		[ -n "${ha__init[$node]}" ] && kill -KILL "${ha__init[$node]}" 2>/dev/null
	done
	for pid in $ha__pids; do
		ha_wait 3 ha__gone "$pid" || kill -KILL "$pid" 2>/dev/null
	done
	for node in $HA_NODE_NAMES; do
		ip netns del "$(ha_node_ns "$node")" 2>/dev/null
	done
	[ "$ha__client" = 1 ] && ip netns del "$(ha_client_ns)" 2>/dev/null
	[ -n "$HA_BRIDGE" ] && ip link del "$HA_BRIDGE" 2>/dev/null
	if [ "$ha__own_work" = 1 ] && [ "${HA_KEEP_WORK:-0}" != 1 ]; then
		rm -rf "$HA_WORK"
	fi
	ha__pids=""
	ha__init=()
	HA_NODE_NAMES=""
	HA_BRIDGE=""
	ha__client=0
	return 0
}
