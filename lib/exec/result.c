/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ha_op_result (the typed outcome of one run) and the severity rules as a pure
 * function of (action, interval, status, rc). What the cluster then does with a
 * severity (recover, move, ban, fence) is decided elsewhere.
 */
#include <string.h>

#include "exec_private.h"

ha_op_severity ha_op_classify(const char *action, uint32_t interval_ms, ha_exec_status status,
			      int rc)
{
	bool monitor = ha__action_is_monitor(action);
	bool probe = monitor && interval_ms == 0;
	bool stop = action && !strcmp(action, "stop");

	switch (status) {
	case HA_EXEC_DONE:
		break;
	case HA_EXEC_CANCELLED:
		return HA_OP_IGNORE;
	case HA_EXEC_NOT_INSTALLED:
		/* An agent that is not installed cannot be running here. */
		return probe ? HA_OP_NOT_RUNNING : HA_OP_HARD_NODE;
	case HA_EXEC_TIMEOUT:
	case HA_EXEC_ERROR:
	default:
		return HA_OP_SOFT;
	}
	switch (rc) {
	case HA_OCF_SUCCESS:
		return HA_OP_OK;
	case HA_OCF_NOT_RUNNING:
		/* For a stop, "not running" is the goal reached. */
		return monitor || stop ? HA_OP_NOT_RUNNING : HA_OP_SOFT;
	case HA_OCF_RUNNING_PROMOTED:
		return monitor ? HA_OP_OK : HA_OP_SOFT;
	case HA_OCF_DEGRADED:
	case HA_OCF_DEGRADED_PROMOTED:
		return monitor ? HA_OP_DEGRADED : HA_OP_SOFT;
	case HA_OCF_ERR_ARGS:
		/* A probe on a node without the resource's files or config often says
		 * "invalid argument": that only means it is not running there. */
		return probe ? HA_OP_NOT_RUNNING : HA_OP_HARD_RESOURCE;
	case HA_OCF_ERR_CONFIGURED:
		return HA_OP_HARD_RESOURCE;
	case HA_OCF_ERR_INSTALLED:
		return probe ? HA_OP_NOT_RUNNING : HA_OP_HARD_NODE;
	case HA_OCF_ERR_UNIMPLEMENTED:
	case HA_OCF_ERR_PERM:
		return HA_OP_HARD_NODE;
	case HA_OCF_ERR_GENERIC:
	case HA_OCF_FAILED_PROMOTED:
	default:
		return HA_OP_SOFT;
	}
}

const char *ha_ocf_rc_name(int rc)
{
	switch (rc) {
	case HA_OCF_SUCCESS: return "ok";
	case HA_OCF_ERR_GENERIC: return "error";
	case HA_OCF_ERR_ARGS: return "invalid parameter";
	case HA_OCF_ERR_UNIMPLEMENTED: return "unimplemented feature";
	case HA_OCF_ERR_PERM: return "insufficient privileges";
	case HA_OCF_ERR_INSTALLED: return "not installed";
	case HA_OCF_ERR_CONFIGURED: return "not configured";
	case HA_OCF_NOT_RUNNING: return "not running";
	case HA_OCF_RUNNING_PROMOTED: return "promoted";
	case HA_OCF_FAILED_PROMOTED: return "promoted (failed)";
	case HA_OCF_DEGRADED: return "degraded";
	case HA_OCF_DEGRADED_PROMOTED: return "promoted (degraded)";
	default: return "unknown";
	}
}

const char *ha_exec_status_name(ha_exec_status s)
{
	switch (s) {
	case HA_EXEC_DONE: return "done";
	case HA_EXEC_TIMEOUT: return "timed out";
	case HA_EXEC_NOT_INSTALLED: return "not installed";
	case HA_EXEC_ERROR: return "error";
	case HA_EXEC_CANCELLED: return "cancelled";
	default: return "unknown";
	}
}

const char *ha_op_severity_name(ha_op_severity s)
{
	switch (s) {
	case HA_OP_OK: return "ok";
	case HA_OP_DEGRADED: return "degraded";
	case HA_OP_NOT_RUNNING: return "not running";
	case HA_OP_SOFT: return "soft error";
	case HA_OP_HARD_NODE: return "hard error (this node)";
	case HA_OP_HARD_RESOURCE: return "fatal error (all nodes)";
	case HA_OP_IGNORE: return "ignored";
	default: return "unknown";
	}
}

/* ---- internal -------------------------------------------------------------------- */

void ha__result_clear(ha_op_result *r)
{
	g_clear_pointer(&r->exit_reason, g_free);
	for (int s = 0; s < 2; s++)
		if (r->out[s]) {
			g_string_free(r->out[s], TRUE);
			r->out[s] = NULL;
		}
}

void ha__result_reset(ha_op_result *r)
{
	ha__result_clear(r);
	r->status = HA_EXEC_DONE;
	r->rc = HA_OCF_ERR_GENERIC;
	r->exit_code = -1;
	r->duration_us = 0;
	r->out[0] = g_string_new(NULL);
	r->out[1] = g_string_new(NULL);
	r->dropped[0] = r->dropped[1] = 0;
}

void ha__result_capture(ha_op_result *r, int s, const char *buf, size_t n, size_t cap)
{
	size_t room = r->out[s]->len < cap ? cap - r->out[s]->len : 0;
	size_t keep = n < room ? n : room;

	g_string_append_len(r->out[s], buf, (gssize)keep);
	r->dropped[s] += n - keep;
}

void ha__result_set_reason(ha_op_result *r, const char *reason)
{
	size_t n;

	g_free(r->exit_reason);
	while (*reason == ' ' || *reason == '\t')
		reason++;
	n = strcspn(reason, "\r\n");
	if (n > HA__EXIT_REASON_MAX)
		n = HA__EXIT_REASON_MAX;
	r->exit_reason = g_strndup(reason, n);
}

/* ---- accessors ------------------------------------------------------------------- */

uint64_t ha_op_result_id(const ha_op_result *r)
{
	return r ? r->id : 0;
}

const char *ha_op_result_resource(const ha_op_result *r)
{
	return r ? r->resource : NULL;
}

const char *ha_op_result_agent(const ha_op_result *r)
{
	return r ? r->agent : NULL;
}

const char *ha_op_result_action(const ha_op_result *r)
{
	return r ? r->action : NULL;
}

uint32_t ha_op_result_interval(const ha_op_result *r)
{
	return r ? r->interval_ms : 0;
}

ha_exec_status ha_op_result_status(const ha_op_result *r)
{
	return r ? r->status : HA_EXEC_ERROR;
}

int ha_op_result_rc(const ha_op_result *r)
{
	return r ? r->rc : HA_OCF_ERR_GENERIC;
}

int ha_op_result_exit_code(const ha_op_result *r)
{
	return r ? r->exit_code : -1;
}

const char *ha_op_result_exit_reason(const ha_op_result *r)
{
	return r ? r->exit_reason : NULL;
}

uint64_t ha_op_result_duration_us(const ha_op_result *r)
{
	return r ? r->duration_us : 0;
}

uint32_t ha_op_result_timeout(const ha_op_result *r)
{
	return r ? r->timeout_ms : 0;
}

const char *ha_op_result_stdout(const ha_op_result *r)
{
	return r && r->out[0] ? r->out[0]->str : "";
}

const char *ha_op_result_stderr(const ha_op_result *r)
{
	return r && r->out[1] ? r->out[1]->str : "";
}

uint64_t ha_op_result_stdout_dropped(const ha_op_result *r)
{
	return r ? r->dropped[0] : 0;
}

uint64_t ha_op_result_stderr_dropped(const ha_op_result *r)
{
	return r ? r->dropped[1] : 0;
}

ha_op_severity ha_op_result_severity(const ha_op_result *r)
{
	if (!r)
		return HA_OP_SOFT;
	return ha_op_classify(r->action, r->interval_ms, r->status, r->rc);
}
