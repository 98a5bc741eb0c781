#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ocf:ha:mysql against two private MariaDB servers (own datadir, port, socket under a
# temporary directory; never the system instance): ocf-tester plain and promotable,
# configuration errors, then a promote/demote round with GTID replication in both
# directions, the refusals of a lagging replica, the published promotion scores, and
# a stop of a hung server.

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
t_need_root
for _b in mariadb-install-db mariadb mysqld_safe; do
	command -v "$_b" >/dev/null || { echo "# $_b not found (mariadb-server)"; exit 1; }
done

T=$(mktemp -d /tmp/ha-ra-my.XXXXXX)
chmod 755 "$T"

# Kill what we started, by pid (the safe script first, it would restart the server).
kill_servers() {
	for _n in a b; do
		_pid=$(cat "$T/$_n/run/mysqld.pid" 2>/dev/null) || continue
		_pp=$(awk '{ print $4 }' "/proc/$_pid/stat" 2>/dev/null)
		case $(cat "/proc/$_pp/comm" 2>/dev/null) in *safe*) kill -9 "$_pp" ;; esac
		kill -9 "$_pid" 2>/dev/null
	done
	# A server interrupted before it wrote its pid file: found by our unique path.
	# shellcheck disable=SC2013 # /proc paths, no blanks
	for _c in $(grep -l -F "$T/" /proc/[0-9]*/cmdline 2>/dev/null); do
		_pid=${_c#/proc/}
		_pid=${_pid%/cmdline}
		[ "$_pid" != $$ ] && kill -9 "$_pid" 2>/dev/null
	done
}
cleanup() {
	trap "" PIPE # output may go to a closed pipe: cleaning up comes first
	kill_servers
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

# A free TCP port on 127.0.0.1 (not in the listen table).
free_port() {
	_p=$((20000 + ($$ * 7 + $1 * 131) % 20000))
	while grep -qi ":$(printf '%04X' "$_p") 00000000:0000 0A" /proc/net/tcp; do _p=$((_p + 1)); done
	echo "$_p"
}
PA=$(free_port 1)
PB=$(free_port 2)
[ "$PB" = "$PA" ] && PB=$((PA + 1))

# mk_instance NAME SERVER_ID PORT: datadir, config, accounts.
mk_instance() {
	_d=$T/$1
	mkdir -p "$_d/data" "$_d/run" && chown -R mysql:mysql "$_d" || return 1
	cat >"$_d/my.cnf" <<EOF
[mysqld]
server_id=$2
port=$3
bind_address=127.0.0.1
log_bin=$_d/data/binlog
relay_log=$_d/data/relay
log_slave_updates=ON
skip_name_resolve=ON
innodb_buffer_pool_size=16M
EOF
	mariadb-install-db --defaults-file="$_d/my.cnf" --datadir="$_d/data" --user=mysql \
		--skip-test-db --auth-root-authentication-method=socket >"$_d/install.log" 2>&1
}
mk_instance a 1 "$PA" && mk_instance b 2 "$PB" || { cat "$T"/*/install.log; exit 1; }

# Agent parameters of instance NAME (no blanks in them: a word list).
inst() {
	echo "OCF_RESKEY_config=$T/$1/my.cnf OCF_RESKEY_datadir=$T/$1/data OCF_RESKEY_pid=$T/$1/run/mysqld.pid OCF_RESKEY_socket=$T/$1/run/mysqld.sock OCF_RESKEY_log=$T/$1/error.log OCF_RESKEY_CRM_meta_on_node=$1"
}
IA=$(inst a)
IB=$(inst b)
sql() { # NAME STATEMENT: as root through the socket
	mariadb -S "$T/$1/run/mysqld.sock" -uroot -B -N -e "$2"
}
slave_status() { # NAME: SHOW SLAVE STATUS, one "Field: value" a line
	mariadb -S "$T/$1/run/mysqld.sock" -uroot -E -e "SHOW SLAVE STATUS"
}
export HA_RSCTMP="$T/run" OCF_RESOURCE_INSTANCE=db
mkdir -p "$HA_RSCTMP"

t_log "ocf-tester"
OA="-o config=$T/a/my.cnf -o datadir=$T/a/data -o pid=$T/a/run/mysqld.pid -o socket=$T/a/run/mysqld.sock -o log=$T/a/error.log"
# shellcheck disable=SC2086
ocf_tester dbplain mysql $OA -o test_table=mysql.db
export OCF_RESKEY_CRM_meta_promotable=true HA_ATTR_DIR="$T/attr"
mkdir -p "$HA_ATTR_DIR"
# shellcheck disable=SC2086
ocf_tester dbms mysql $OA
unset OCF_RESKEY_CRM_meta_promotable

t_log "configuration"
# shellcheck disable=SC2086 # IA, IB are lists of assignments
{
	expect 6 "evict_outdated_slaves is not supported" mysql validate-all $IA OCF_RESKEY_evict_outdated_slaves=true
	expect_reason "evict_outdated_slaves=true is not supported"
	expect 6 "malformed replication_hosts" mysql validate-all $IA OCF_RESKEY_replication_hosts=a
	expect 6 "test_table with SQL in it" mysql validate-all $IA "OCF_RESKEY_test_table=mysql.user;DROP"
	expect 5 "missing server binary" mysql validate-all $IA OCF_RESKEY_binary=/nonexistent/mysqld_safe
	expect 7 "probe with the binary missing" mysql monitor $IA OCF_RESKEY_binary=/nonexistent/mysqld_safe
	expect 5 "missing datadir" mysql validate-all $IA OCF_RESKEY_datadir="$T/none"
	expect 6 "unknown depth" mysql monitor $IA OCF_CHECK_LEVEL=30
	expect 7 "probe of a stopped server" mysql monitor $IA
}

t_log "accounts (not binlogged: both servers start with empty GTID history)"
ACCT="SET sql_log_bin=0; CREATE USER repl@'%' IDENTIFIED BY 'repl pw'; GRANT ALL ON *.* TO repl@'%';
CREATE USER repl@localhost IDENTIFIED BY 'repl pw'; GRANT ALL ON *.* TO repl@localhost;"
for _n in a b; do
	# shellcheck disable=SC2046
	expect 0 "start $_n (plain)" mysql start $(inst $_n)
	t_check "accounts on $_n" sql "$_n" "$ACCT"
	# shellcheck disable=SC2046
	expect 0 "monitor depth 10 on $_n" mysql monitor $(inst $_n) OCF_CHECK_LEVEL=10
	# shellcheck disable=SC2046
	expect 0 "stop $_n" mysql stop $(inst $_n)
done

t_log "promotable: start both read-only"
export OCF_RESKEY_CRM_meta_promotable=true OCF_RESKEY_replication_user=repl \
	OCF_RESKEY_replication_passwd='repl pw' \
	OCF_RESKEY_replication_hosts="a=127.0.0.1:$PA b=127.0.0.1:$PB"
attr() { cat "$HA_ATTR_DIR/$1@$2" 2>/dev/null; }
# shellcheck disable=SC2086
{
	expect 0 "start a" mysql start $IA
	expect 0 "start b" mysql start $IB
	t_check "a is read-only" [ "$(sql a 'SELECT @@read_only')" = 1 ]
	expect 0 "monitor a (unpromoted)" mysql monitor $IA
	t_check "score of a unreplicated instance is 1" [ "$(attr master-db a)" = 1 ]

	t_log "promote a; b follows it (post-promote notification)"
	expect 0 "promote a" mysql promote $IA
	expect 8 "monitor a (promoted)" mysql monitor $IA
	t_check "score of the promoted instance is 1001" [ "$(attr master-db a)" = 1001 ]
	expect 0 "post-promote notify on b" mysql notify $IB OCF_RESKEY_CRM_meta_notify_type=post \
		OCF_RESKEY_CRM_meta_notify_operation=promote OCF_RESKEY_CRM_meta_notify_promote_uname=a
	sql a "CREATE DATABASE hatest; CREATE TABLE hatest.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT);
		INSERT INTO hatest.t (v) VALUES (1), (2), (3)"
	GA=$(sql a 'SELECT @@gtid_binlog_pos')
	t_check "b replicated up to a's position $GA" wait_until 100 \
		eval "[ \"\$(sql b 'SELECT @@gtid_slave_pos')\" = '$GA' ]"
	t_check "rows arrived on b" [ "$(sql b 'SELECT COUNT(*) FROM hatest.t')" = 3 ]
	expect 0 "monitor b depth 10 on the replicated table" mysql monitor $IB OCF_CHECK_LEVEL=10 OCF_RESKEY_test_table=hatest.t
	t_check "score of a connected, caught-up replica is 1000" [ "$(attr master-db b)" = 1000 ]
	t_check "b publishes its GTID position ($(attr gtid-db b))" [ "$(attr gtid-db b)" = "$GA" ]

	t_log "a lagging replica is not promoted"
	sql b "STOP SLAVE SQL_THREAD"
	# Three transactions (autocommit statements), not one.
	sql a "INSERT INTO hatest.t (v) VALUES (4); INSERT INTO hatest.t (v) VALUES (5);
		INSERT INTO hatest.t (v) VALUES (6)"
	GA=$(sql a 'SELECT @@gtid_binlog_pos')
	t_check "b received but did not apply" wait_until 100 \
		eval "slave_status b | grep -q 'Gtid_IO_Pos: $GA\$'"
	expect 0 "monitor b" mysql monitor $IB
	t_check "score of b with 3 unapplied transactions is 997 (got $(attr master-db b))" [ "$(attr master-db b)" = 997 ]
	expect 0 "demote a (no new primary known yet)" mysql demote $IA
	t_check "a is read-only" [ "$(sql a 'SELECT @@read_only')" = 1 ]
	expect 1 "promote b with an unapplied relay log" mysql promote $IB
	expect_reason "3 received transactions not applied"
	t_check "b stays read-only" [ "$(sql b 'SELECT @@read_only')" = 1 ]
	t_check "b's I/O thread was restarted" wait_until 50 \
		eval "slave_status b | grep -q 'Slave_IO_Running: Yes'"
	sql b "START SLAVE SQL_THREAD"
	t_check "b caught up" wait_until 100 eval "[ \"\$(sql b 'SELECT @@gtid_slave_pos')\" = '$GA' ]"
	sql b "STOP SLAVE"
	# Writes on the demoted a (root bypasses read_only): b, disconnected, is stale.
	sql a "INSERT INTO hatest.t (v) VALUES (7); INSERT INTO hatest.t (v) VALUES (8)"
	expect 0 "monitor b while disconnected" mysql monitor $IB
	t_check "a disconnected replica scores at most 500 (got $(attr master-db b))" [ "$(attr master-db b)" -le 500 ]
	expect 1 "promote the stale b while a is 2 transactions ahead" mysql promote $IB
	expect_reason "a is 2 transactions ahead"
	t_check "b stays read-only" [ "$(sql b 'SELECT @@read_only')" = 1 ]
	expect 0 "promote b accepting a lag of 2 (max_promote_lag=2)" mysql promote $IB OCF_RESKEY_max_promote_lag=2
	expect 0 "(and demote it again)" mysql demote $IB

	t_log "switchover a -> b"
	expect 0 "b follows a again (post-promote notification)" mysql notify $IB OCF_RESKEY_CRM_meta_notify_type=post \
		OCF_RESKEY_CRM_meta_notify_operation=promote OCF_RESKEY_CRM_meta_notify_promote_uname=a
	GA=$(sql a 'SELECT @@gtid_binlog_pos')
	t_check "b caught up with a again" wait_until 100 eval "[ \"\$(sql b 'SELECT @@gtid_slave_pos')\" = '$GA' ]"
	expect 0 "demote a towards b" mysql demote $IA OCF_RESKEY_CRM_meta_notify_promote_uname=b
	expect 0 "promote b" mysql promote $IB OCF_RESKEY_CRM_meta_notify_promote_uname=b
	expect 8 "monitor b (promoted)" mysql monitor $IB
	expect 0 "post-promote notify on a (already following b)" mysql notify $IA \
		OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=promote \
		OCF_RESKEY_CRM_meta_notify_promote_uname=b
	sql b "INSERT INTO hatest.t (v) VALUES (9)"
	GB=$(sql b 'SELECT @@gtid_binlog_pos')
	t_check "a replicates from b ($GB)" wait_until 100 eval "[ \"\$(sql a 'SELECT @@gtid_current_pos')\" = '$GB' ]"
	t_check "a has all 9 rows" [ "$(sql a 'SELECT COUNT(*) FROM hatest.t')" = 9 ]
	expect 0 "monitor a (unpromoted)" mysql monitor $IA
	t_check "scores: b 1001, a 1000" [ "$(attr master-db b) $(attr master-db a)" = "1001 1000" ]
	expect 0 "demote of a demoted instance" mysql demote $IA
	expect 0 "promote of a promoted instance" mysql promote $IB

	t_log "stop, including a hung server"
	expect 0 "stop a" mysql stop $IA
	t_check "a's scores removed" [ -z "$(attr master-db a)$(attr gtid-db a)" ]
	expect 7 "monitor a" mysql monitor $IA
	PIDB=$(cat "$T/b/run/mysqld.pid")
	kill -STOP "$PIDB"
	t0=$(now_ms)
	expect 0 "stop b while it is frozen (10 s timeout)" mysql stop $IB OCF_RESKEY_CRM_meta_timeout=10000
	t1=$(now_ms)
	t_check "the stop ended within the timeout ($((t1 - t0)) ms) by KILL" [ $((t1 - t0)) -lt 10000 ]
	t_check "server gone" eval "! alive $PIDB"
	expect 7 "monitor b" mysql monitor $IB
	expect 0 "stop again" mysql stop $IB
}

t_done
