# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the agent tests (sourced): TAP-style checks, running an agent under an
# explicit shell (dash unless RA_SHELL says otherwise), ocf-tester through a wrapper
# that does the same, bounded waits. Each test script owns its setup and cleanup.
# shellcheck shell=sh

set -u
: "${RA_DIR:=$(cd "$(dirname "$0")/../../resource-agents/ocf" && pwd)}"
: "${HA_OCF_LIB:=$RA_DIR/../lib}"
: "${RA_SHELL:=dash}"
export HA_OCF_LIB OCF_ROOT=/usr/lib/ocf
RA_PREFIX=${RA_PREFIX:-}
t_checks=0
t_fails=0

t_log() { printf '# %s\n' "$*"; }

t_ok() {
	t_checks=$((t_checks + 1))
	printf 'ok %d - %s\n' "$t_checks" "$*"
}

t_fail() {
	t_checks=$((t_checks + 1))
	t_fails=$((t_fails + 1))
	printf 'not ok %d - %s\n' "$t_checks" "$*"
}

# t_check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
t_check() {
	_d=$1
	shift
	if "$@"; then t_ok "$_d"; else t_fail "$_d"; fi
}

t_done() {
	printf '1..%d\n' "$t_checks"
	if [ "$t_fails" -ne 0 ]; then
		printf '# %d of %d checks failed\n' "$t_fails" "$t_checks"
		exit 1
	fi
	exit 0
}

t_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: the agent tests need root (namespaces, mounts, servers)"
		exit 77
	fi
	[ -x "$(command -v "$RA_SHELL")" ] || { echo "# $RA_SHELL not found"; exit 1; }
}

# ra AGENT ACTION [VAR=VALUE...]: run the agent with the extra environment under
# $RA_SHELL (inside $RA_PREFIX, e.g. "ip netns exec ns"); ra_rc, ra_err (stderr).
ra() {
	_agent=$1
	_action=$2
	shift 2
	# shellcheck disable=SC2086 # RA_PREFIX is a command prefix
	ra_err=$(env "$@" $RA_PREFIX "$RA_SHELL" "$RA_DIR/$_agent" "$_action" 2>&1 >/dev/null)
	ra_rc=$?
}

# expect WANT_RC DESCRIPTION AGENT ACTION [VAR=VALUE...]
expect() {
	_want=$1
	_desc=$2
	shift 2
	ra "$@"
	if [ "$ra_rc" = "$_want" ]; then
		t_ok "$_desc (rc $ra_rc)"
	else
		t_fail "$_desc: rc $ra_rc, expected $_want"
		[ -n "$ra_err" ] && printf '%s\n' "$ra_err" | sed 's/^/#   /'
	fi
}

# expect_reason PATTERN: the last agent run gave an exit reason matching PATTERN.
expect_reason() {
	case $ra_err in
	*"ocf-exit-reason:"*$1*) t_ok "exit reason mentions '$1'" ;;
	*) t_fail "exit reason should mention '$1'; stderr was: $ra_err" ;;
	esac
}

# ocf_tester NAME AGENT [-o k=v...]: run ocf-tester on a wrapper that executes the
# agent under $RA_SHELL. The wrapper directory must be readable by nobody.
ocf_tester() {
	_name=$1
	_agent=$2
	shift 2
	_wrap=$T/wrap/$_agent
	if [ ! -x "$_wrap" ]; then
		mkdir -p "$T/wrap"
		chmod 755 "$T" "$T/wrap"
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$RA_SHELL" "$RA_DIR/$_agent" >"$_wrap"
		chmod 755 "$_wrap"
	fi
	# shellcheck disable=SC2086
	if _out=$($RA_PREFIX ocf-tester -n "$_name" "$@" "$_wrap" 2>&1); then
		t_ok "ocf-tester $_agent $_name ($RA_SHELL)"
	else
		t_fail "ocf-tester $_agent $_name ($RA_SHELL)"
		printf '%s\n' "$_out" | sed 's/^/#   /'
	fi
}

# wait_until TENTHS COMMAND...: retry COMMAND every 0.1 s, at most TENTHS times.
wait_until() {
	_n=$1
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# Is PID a live process (zombies are not: this container's init may not reap)?
alive() {
	_st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	_st=${_st##*) }
	case $_st in Z* | X*) return 1 ;; esac
}

# Milliseconds since boot (for "returns at once" checks).
now_ms() {
	read -r _up _ </proc/uptime
	_cs=${_up#*.}
	echo $((${_up%.*} * 1000 + ${_cs#0} * 10))
}
