# SPDX-License-Identifier: LGPL-2.1-or-later
# Shell library of the ha OCF agents: return codes, logging and exit reasons,
# parameter checks, and the node attribute setter. Sourced by every agent, so it only
# defines things: nothing here spawns a process except ha_attr_set (and it never
# sources the heartbeat ocf-shellfuncs). POSIX sh: no `local`, hence _prefixed names.
# shellcheck shell=sh disable=SC2034 # the return codes are for the agents

OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7
OCF_RUNNING_MASTER=8
OCF_FAILED_MASTER=9

: "${HA_RSCTMP:=/run/resource-agents}"
# Pacemaker passes the depth as OCF_CHECK_LEVEL (older managers as a parameter).
: "${OCF_CHECK_LEVEL:=${OCF_RESKEY_OCF_CHECK_LEVEL:-0}}"

# Log to stderr, which the executor captures; syslog would cost a process per line.
ha_log() {
	_hl_level=$1
	shift
	if [ "$_hl_level" = debug ] && [ "${HA_debug:-0}" = 0 ]; then
		return 0
	fi
	printf '%s(%s)[%s]: %s: %s\n' "${HA_AGENT:-${0##*/}}" \
		"${OCF_RESOURCE_INSTANCE:-}" "$$" "$_hl_level" "$*" >&2
	if [ -n "${HA_LOGFILE:-}" ]; then
		printf '%s(%s)[%s]: %s: %s\n' "${HA_AGENT:-${0##*/}}" \
			"${OCF_RESOURCE_INSTANCE:-}" "$$" "$_hl_level" "$*" \
			>>"$HA_LOGFILE" 2>/dev/null
	fi
	return 0
}

# The one line the cluster shows the admin next to a failed result.
ha_exit_reason() {
	printf 'ocf-exit-reason:%s\n' "$*" >&2
}

# Report a failure: exit reason plus return code (usage: ha_fail RC MESSAGE; return $?).
ha_fail() {
	_hf_rc=$1
	shift
	ha_exit_reason "$*"
	return "$_hf_rc"
}

ha_is_true() {
	case $1 in
	[Yy][Ee][Ss] | [Yy] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) return 0 ;;
	esac
	return 1
}

ha_is_bool() {
	case $1 in
	[Yy][Ee][Ss] | [Yy] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) return 0 ;;
	[Nn][Oo] | [Nn] | [Ff][Aa][Ll][Ss][Ee] | [Oo][Ff][Ff] | 0) return 0 ;;
	esac
	return 1
}

# Non-negative decimal that shell arithmetic can hold (at most 9 digits).
ha_is_uint() {
	case $1 in
	'' | *[!0-9]* | ??????????*) return 1 ;;
	esac
	return 0
}

# Check that parameter NAME is an unsigned integer or a boolean (for validate).
ha_check_uint() {
	eval "_hc_v=\${OCF_RESKEY_$1-}"
	# shellcheck disable=SC2154 # set by the eval above
	ha_is_uint "$_hc_v" ||
		ha_fail "$OCF_ERR_CONFIGURED" "parameter $1 must be a non-negative integer, not '$_hc_v'"
}

ha_check_bool() {
	eval "_hc_v=\${OCF_RESKEY_$1-}"
	[ -z "$_hc_v" ] || ha_is_bool "$_hc_v" ||
		ha_fail "$OCF_ERR_CONFIGURED" "parameter $1 must be a boolean, not '$_hc_v'"
}

# ha_unsupported NAME [ACCEPTED...]: a heartbeat parameter this agent does not
# implement is refused unless it is empty or one of the ACCEPTED (default) values, so
# a configuration carried over never silently loses a behaviour.
ha_unsupported() {
	_hu_name=$1
	shift
	eval "_hu_v=\${OCF_RESKEY_$_hu_name-}"
	# shellcheck disable=SC2154 # set by the eval above
	[ -z "$_hu_v" ] && return 0
	for _hu_ok in "$@"; do
		[ "$_hu_v" = "$_hu_ok" ] && return 0
	done
	ha_fail "$OCF_ERR_CONFIGURED" \
		"parameter $_hu_name=$_hu_v is not supported by ocf:ha:${HA_AGENT:-${0##*/}}${HU_WHY:+ ($HU_WHY)}"
}

# ha_unsupported_bool NAME: a boolean heartbeat option this agent does not implement
# is refused when true (false, in any spelling, is what the agent does anyway).
ha_unsupported_bool() {
	eval "_hu_v=\${OCF_RESKEY_$1-}"
	[ -z "$_hu_v" ] && return 0
	ha_is_bool "$_hu_v" ||
		{ ha_fail "$OCF_ERR_CONFIGURED" "parameter $1 must be a boolean, not '$_hu_v'"; return; }
	ha_is_true "$_hu_v" || return 0
	ha_fail "$OCF_ERR_CONFIGURED" \
		"parameter $1=$_hu_v is not supported by ocf:ha:${HA_AGENT:-${0##*/}}${HU_WHY:+ ($HU_WHY)}"
}

ha_is_probe() {
	[ "${__OCF_ACTION:-}" = monitor ] && [ "${OCF_RESKEY_CRM_meta_interval:-0}" = 0 ]
}

ha_is_clone() {
	[ -n "${OCF_RESKEY_CRM_meta_clone_max:-}" ] &&
		[ "${OCF_RESKEY_CRM_meta_clone_max}" -gt 0 ] 2>/dev/null
}

# Promotable clone (Pacemaker 2 "promotable", or a master_max from older versions).
ha_is_ms() {
	ha_is_true "${OCF_RESKEY_CRM_meta_promotable:-false}" && return 0
	[ -n "${OCF_RESKEY_CRM_meta_master_max:-}" ] &&
		[ "${OCF_RESKEY_CRM_meta_master_max}" -gt 0 ] 2>/dev/null
}

# Operation timeout in whole seconds into ha_timeout (default: $1, or 20).
ha_timeout_s() {
	ha_timeout=${OCF_RESKEY_CRM_meta_timeout:-}
	if ha_is_uint "$ha_timeout"; then
		ha_timeout=$((ha_timeout / 1000))
	else
		ha_timeout=${1:-20}
	fi
}

# Monotonic clock without a process: seconds since boot in hundredths, into ha_now.
ha_clock() {
	_hk=
	ha_read _hk /proc/uptime
	_hk=${_hk%% *}
	case $_hk in
	*.??)
		_hf=${_hk#*.}
		# Strip a leading zero: $(( 08 )) would be a bad octal number.
		ha_now=$((${_hk%.*} * 100 + ${_hf#0}))
		;;
	*) ha_now=0 ;;
	esac
}

# ha_read VAR FILE: first line of FILE into VAR with the read builtin (a cat would
# be a process); fails when FILE is missing or empty.
ha_read() {
	# shellcheck disable=SC2229 # VAR is named by the caller on purpose
	{ IFS= read -r "$1" <"$2"; } 2>/dev/null || eval "[ -n \"\${$1}\" ]"
}

# The cluster's name for this node into ha_node: the manager passes it; else the
# kernel hostname (read, not `uname -n`: no process).
ha_nodename() {
	if [ -n "${OCF_RESKEY_CRM_meta_on_node:-}" ]; then
		ha_node=$OCF_RESKEY_CRM_meta_on_node
	elif [ -n "${HA_NODENAME:-}" ]; then
		ha_node=$HA_NODENAME
	else
		ha_node=
		ha_read ha_node /proc/sys/kernel/hostname || ha_node=localhost
	fi
}

# ha_which NAME: full path of a command into ha_path (a PATH walk with builtins;
# `command -v` would need a subshell to capture).
ha_which() {
	ha_path=
	case $1 in
	*/*) [ -x "$1" ] && [ ! -d "$1" ] && ha_path=$1 ;;
	*)
		_hw_ifs=$IFS
		IFS=:
		for _hw_d in ${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}; do
			if [ -x "${_hw_d:-.}/$1" ] && [ ! -d "${_hw_d:-.}/$1" ]; then
				ha_path=${_hw_d:-.}/$1
				break
			fi
		done
		IFS=$_hw_ifs
		;;
	esac
	[ -n "$ha_path" ]
}

# Is process PID alive? A zombie is not: it holds no files and will never run again.
ha_pid_alive() {
	_hp=
	ha_read _hp "/proc/$1/stat" || return 1
	_hp=${_hp##*) }
	case $_hp in
	Z* | X*) return 1 ;;
	esac
	return 0
}

ha_have_binary() {
	command -v "$1" >/dev/null 2>&1
}

# ha_attr_set NAME VALUE [LIFETIME]: publish a node attribute of this node (an empty
# VALUE deletes it). This is the single place agents talk to the attribute store:
#  - HA_ATTR_DIR=dir: one file per attribute, dir/NAME@NODE (tests, development);
#  - HA_ATTR_CMD=cmd: cmd is called with crm_attribute arguments;
#  - otherwise ${HA_SBIN_DIR:-/usr/sbin}/crm_attribute (Pacemaker or a compatible helper).
ha_attr_set() {
	ha_nodename
	_ha_node=$ha_node
	if [ -n "${HA_ATTR_DIR:-}" ]; then
		if [ -z "$2" ]; then
			rm -f "$HA_ATTR_DIR/$1@$_ha_node"
		else
			printf '%s\n' "$2" >"$HA_ATTR_DIR/$1@$_ha_node"
		fi
		return
	fi
	_ha_cmd=${HA_ATTR_CMD:-${HA_SBIN_DIR:-/usr/sbin}/crm_attribute}
	if [ -z "$2" ]; then
		"$_ha_cmd" -N "$_ha_node" -n "$1" -l "${3:-reboot}" -D -q >/dev/null 2>&1
	else
		"$_ha_cmd" -N "$_ha_node" -n "$1" -l "${3:-reboot}" -v "$2" -q >/dev/null 2>&1
	fi || {
		ha_log warn "could not set node attribute $1=$2 with $_ha_cmd"
		return 1
	}
}

# Promotion score of this instance (Pacemaker's "master-<resource>" attribute).
ha_promotion_score() {
	ha_attr_set "master-${OCF_RESOURCE_INSTANCE%%:*}" "$1" reboot
}

ha_usage() {
	echo "usage: ${0##*/} {$1}"
}
