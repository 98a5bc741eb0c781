/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The executor: runs resource agent operations (ocf, lsb, systemd, stonith and
 * embedded C agents) as watched child processes and reports typed results. It is
 * driven by a GLib main context (see <ha/glib.h>); nothing here blocks.
 *
 * Lifecycle and threading:
 *  - An executor is used from the thread that iterates the GMainContext it is
 *    attached to. It starts no threads and installs no signal handlers: children are
 *    watched through pidfds and reaped by pid, never with waitpid(-1). An embedder
 *    that reaps every child itself (waitpid(-1) in a SIGCHLD handler, or SIGCHLD set
 *    to SIG_IGN) steals exit statuses; such operations end with HA_EXEC_ERROR.
 *  - Callbacks are only ever called from the main context's dispatch, never from
 *    inside a libha call, so a callback may submit and cancel operations. It must not
 *    free the executor.
 *  - A call that takes a callback and fails never calls it. A submitted operation gets
 *    exactly one callback unless it is recurring (interval > 0 and action monitor): a
 *    recurring one gets a callback after every run and a last one with status
 *    HA_EXEC_CANCELLED once it is cancelled (explicitly, by a stop of its resource or
 *    by ha_executor_cancel_resource()). After a callback with a final result the
 *    userdata is no longer referenced.
 *  - ha_executor_free() kills (SIGKILL, whole process group) and reaps what is still
 *    running and calls no callback.
 */
#ifndef HA_EXEC_H
#define HA_EXEC_H

#include <ha/common.h>
#include <ha/diag.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ha_executor ha_executor;
typedef struct ha_op_request ha_op_request;
typedef struct ha_op_result ha_op_result;
typedef struct ha_embedded_op ha_embedded_op;
typedef struct ha_agent_metadata ha_agent_metadata;

/* ---- OCF return codes and results ------------------------------------------- */

/* The OCF return codes (lsb, systemd and stonith results are mapped onto them). */
enum {
	HA_OCF_SUCCESS = 0,
	HA_OCF_ERR_GENERIC = 1,
	HA_OCF_ERR_ARGS = 2,
	HA_OCF_ERR_UNIMPLEMENTED = 3,
	HA_OCF_ERR_PERM = 4,
	HA_OCF_ERR_INSTALLED = 5,
	HA_OCF_ERR_CONFIGURED = 6,
	HA_OCF_NOT_RUNNING = 7,
	HA_OCF_RUNNING_PROMOTED = 8,
	HA_OCF_FAILED_PROMOTED = 9,
	HA_OCF_DEGRADED = 190,
	HA_OCF_DEGRADED_PROMOTED = 191,
};

/* How an operation ended, independently of what the agent said. */
typedef enum {
	HA_EXEC_DONE = 0,          /* the agent ran to completion; see the rc */
	HA_EXEC_TIMEOUT = 1,       /* killed after its timeout (rc is HA_OCF_ERR_GENERIC) */
	HA_EXEC_NOT_INSTALLED = 2, /* agent (or systemd) not available here (rc 5) */
	HA_EXEC_ERROR = 3,         /* could not spawn it or its exit status was lost */
	HA_EXEC_CANCELLED = 4,     /* cancelled before or while running */
} ha_exec_status;

/* What a result means for the cluster, the rules operators know from Pacemaker. */
typedef enum {
	HA_OP_OK = 0,           /* success (running for monitors; promoted if rc 8) */
	HA_OP_DEGRADED = 1,     /* success with a warning (rc 190/191) */
	HA_OP_NOT_RUNNING = 2,  /* the resource is cleanly stopped on this node */
	HA_OP_SOFT = 3,         /* failure: recover in place or move (rc 1, 7 on start...) */
	HA_OP_HARD_NODE = 4,    /* do not run it on this node again until cleaned (3, 4, 5) */
	HA_OP_HARD_RESOURCE = 5, /* configuration broken: do not run it anywhere (2, 6) */
	HA_OP_IGNORE = 6,       /* cancelled: says nothing about the resource */
} ha_op_severity;

/* Pure function: classify (action, interval, status, rc). A probe (monitor with
 * interval 0) answering 2, 5 or not-installed means "not running on this node". */
HA_EXPORT ha_op_severity ha_op_classify(const char *action, uint32_t interval_ms,
					ha_exec_status status, int rc);
/* "ok", "error", "invalid parameter", ..., "promoted", "degraded"; NULL never. */
HA_EXPORT const char *ha_ocf_rc_name(int rc);
HA_EXPORT const char *ha_exec_status_name(ha_exec_status s);
HA_EXPORT const char *ha_op_severity_name(ha_op_severity s);

/* Result accessors. A result is valid only during the callback that received it;
 * strings are borrowed from it. */
HA_EXPORT uint64_t ha_op_result_id(const ha_op_result *r);
HA_EXPORT const char *ha_op_result_resource(const ha_op_result *r);
HA_EXPORT const char *ha_op_result_agent(const ha_op_result *r);
HA_EXPORT const char *ha_op_result_action(const ha_op_result *r);
HA_EXPORT uint32_t ha_op_result_interval(const ha_op_result *r); /* ms */
HA_EXPORT ha_exec_status ha_op_result_status(const ha_op_result *r);
/* The OCF rc (mapped for lsb/systemd/stonith; unknown exit codes become 1). */
HA_EXPORT int ha_op_result_rc(const ha_op_result *r);
/* The raw exit code, or -1 when the agent did not exit by itself (signal, none). */
HA_EXPORT int ha_op_result_exit_code(const ha_op_result *r);
/* The last "ocf-exit-reason:" line of the agent, or the executor's own reason
 * (timeout, not installed, ...); NULL if none. */
HA_EXPORT const char *ha_op_result_exit_reason(const ha_op_result *r);
/* Time the operation ran (spawn to exit), in microseconds; 0 if it never ran. */
HA_EXPORT uint64_t ha_op_result_duration_us(const ha_op_result *r);
/* Effective timeout used (ms): the request's, else the meta-data's, else 20000. */
HA_EXPORT uint32_t ha_op_result_timeout(const ha_op_result *r);
/* Captured output, NUL-terminated: the first HA_EXEC_OUTPUT_MAX bytes of each stream
 * are kept, the rest only counted (meta-data keeps up to HA_AGENT_METADATA_MAX). */
#define HA_EXEC_OUTPUT_MAX (64u * 1024u)
HA_EXPORT const char *ha_op_result_stdout(const ha_op_result *r);
HA_EXPORT const char *ha_op_result_stderr(const ha_op_result *r);
HA_EXPORT uint64_t ha_op_result_stdout_dropped(const ha_op_result *r);
HA_EXPORT uint64_t ha_op_result_stderr_dropped(const ha_op_result *r);
/* ha_op_classify() applied to this result. */
HA_EXPORT ha_op_severity ha_op_result_severity(const ha_op_result *r);

/* ---- requests ------------------------------------------------------------------ */

/* A description of one operation. Setters copy their arguments and check them:
 * -EINVAL for a bad value (nothing is changed then). */
HA_EXPORT int ha_op_request_new(ha_op_request **ret);
HA_EXPORT ha_op_request *ha_op_request_free(ha_op_request *req); /* NULL-safe */
/* Resource id: [A-Za-z0-9_] then [A-Za-z0-9_.:-], at most 256 bytes. */
HA_EXPORT int ha_op_request_set_resource(ha_op_request *req, const char *id);
/* "ocf:PROVIDER:TYPE", "lsb:NAME", "systemd:UNIT", "stonith:fence_NAME" or
 * "embedded:NAME". Names cannot leave their directory (no '/', no leading '.'). */
HA_EXPORT int ha_op_request_set_agent(ha_op_request *req, const char *spec);
/* start, stop, monitor, promote, demote, notify, reload, reload-agent, validate-all,
 * meta-data, migrate_to, migrate_from; for stonith also on, off, reboot, status, list. */
HA_EXPORT int ha_op_request_set_action(ha_op_request *req, const char *action);
HA_EXPORT int ha_op_request_set_interval(ha_op_request *req, uint32_t ms);
HA_EXPORT int ha_op_request_set_timeout(ha_op_request *req, uint32_t ms); /* 0: default */
HA_EXPORT int ha_op_request_set_depth(ha_op_request *req, unsigned depth); /* OCF_CHECK_LEVEL */
/* Instance parameter (OCF_RESKEY_<name>); name is [A-Za-z0-9_-]+. Setting a name again
 * replaces its value. Reserved: crm_feature_set, OCF_CHECK_LEVEL, CRM_meta_*. */
HA_EXPORT int ha_op_request_set_param(ha_op_request *req, const char *name, const char *value);
/* Meta value (OCF_RESKEY_CRM_meta_<name, '-' as '_'>): clone, clone_max, notify_type,
 * notify_start_uname, ... interval and timeout are reserved (use the setters). */
HA_EXPORT int ha_op_request_set_meta(ha_op_request *req, const char *name, const char *value);
/* The node a fencing action targets (sent as plug= and port=); stonith only. */
HA_EXPORT int ha_op_request_set_target(ha_op_request *req, const char *node);

/* Check the request's parameters against the agent's meta-data: an unknown parameter
 * or a missing required one is an error naming it (HA_ESCHEMA); a value that does not
 * match an integer/boolean type is a warning. Messages go to diag (optional). */
HA_EXPORT int ha_op_request_validate(const ha_op_request *req, const ha_agent_metadata *md,
				     ha_diag *diag);

/* ---- the executor ------------------------------------------------------------- */

HA_EXPORT int ha_executor_new(ha_executor **ret);
HA_EXPORT ha_executor *ha_executor_free(ha_executor *ex); /* NULL-safe, returns NULL */

/* Where OCF agents live (default HA_OCF_ROOT, /usr/lib/ocf): OCF_ROOT/resource.d/P/T. */
HA_EXPORT int ha_executor_set_ocf_root(ha_executor *ex, const char *dir);
/* Exported to agents as HA_SBIN_DIR: where agent helper commands live. */
HA_EXPORT int ha_executor_set_libexec_dir(ha_executor *ex, const char *dir);
/* Where lsb scripts (default /etc/init.d) and fence agents (default /usr/sbin) live. */
HA_EXPORT int ha_executor_set_lsb_dir(ha_executor *ex, const char *dir);
HA_EXPORT int ha_executor_set_stonith_dir(ha_executor *ex, const char *dir);
/* Node-wide cap on operations running at once (default 2 x online cores). */
HA_EXPORT int ha_executor_set_max_parallel(ha_executor *ex, unsigned n);
/* Time between SIGTERM and SIGKILL of a timed-out or cancelled operation (default
 * 2000 ms). */
HA_EXPORT int ha_executor_set_kill_grace(ha_executor *ex, uint32_t ms);

typedef enum {
	HA_EXEC_LOG_STDOUT = 1, /* a line the agent wrote to stdout */
	HA_EXEC_LOG_STDERR = 2, /* a line the agent wrote to stderr */
	HA_EXEC_LOG_EVENT = 3,  /* the executor's own note: spawned, timed out, killed... */
} ha_exec_log_kind;

/* Receives every output line (also those past the capture cap; long lines come in
 * pieces of at most 4 KiB) and the executor's events, with the resource (NULL for
 * internal meta-data fetches) and the action. Arguments live for the call only. */
typedef void (*ha_exec_log_fn)(const char *resource, const char *action,
			       uint32_t interval_ms, ha_exec_log_kind kind, const char *line,
			       void *userdata);
HA_EXPORT void ha_executor_set_log(ha_executor *ex, ha_exec_log_fn fn, void *userdata);

/* Called with each result (see the lifecycle above). */
typedef void (*ha_op_callback)(ha_executor *ex, const ha_op_result *result, void *userdata);

/* Queue an operation. The request is copied (free it when you like). At most one
 * operation runs per resource; later ones wait in order. A stop cancels the queued
 * monitors and the recurring monitor of its resource (a running monitor is killed).
 * *op_id (optional) identifies it for ha_executor_cancel(). Operations start once the
 * executor is attached to a main context. -EINVAL if the request lacks a resource,
 * agent or action, or asks for something the agent's class cannot do; HA_EAGENT for
 * an embedded agent that is not registered. */
HA_EXPORT int ha_executor_submit(ha_executor *ex, const ha_op_request *req,
				 ha_op_callback cb, void *userdata, uint64_t *op_id);

/* Cancel one operation: a queued one, a recurring monitor (waiting or running), or a
 * running monitor (killed). -ENOENT if unknown or already finished; -EBUSY if it is a
 * running operation other than a monitor (those always run to completion). */
HA_EXPORT int ha_executor_cancel(ha_executor *ex, uint64_t op_id);
/* Cancel everything of a resource that may be cancelled (as above; a running start,
 * stop, ... finishes). Returns how many operations were cancelled. */
HA_EXPORT int ha_executor_cancel_resource(ha_executor *ex, const char *resource);

/* Operations running right now / queued (waiting for their resource or a slot). */
HA_EXPORT unsigned ha_executor_running(const ha_executor *ex);
HA_EXPORT unsigned ha_executor_pending(const ha_executor *ex);

/* The meta-data of an agent if it is in the executor's cache (filled by every
 * successful meta-data operation and by the executor itself when it needs default
 * timeouts); -ENOENT otherwise. The result is borrowed from the executor. */
HA_EXPORT int ha_executor_get_metadata(ha_executor *ex, const char *agent,
				       const ha_agent_metadata **ret);

/* Installed agents of a class ("ocf", "lsb", "stonith", "embedded"; NULL: all of
 * these), as agent specs, sorted. *ret is a NULL-terminated array: free it with
 * ha_agent_list_free(). HA_EUNSUPPORTED for "systemd" (listing units needs systemd). */
HA_EXPORT int ha_executor_list_agents(const ha_executor *ex, const char *cls, char ***ret);
HA_EXPORT char **ha_agent_list_free(char **list); /* NULL-safe, returns NULL */

/* ---- embedded agents ------------------------------------------------------------ */

/* An embedded agent runs in-process: the executor calls run(op, userdata) from the
 * main context instead of forking. run() must eventually call
 * ha_embedded_op_complete(op) exactly once, either before returning or later (async
 * agents). The op and its strings stay valid until then, even if the operation timed
 * out, was cancelled or the executor was freed meanwhile (its result is then dropped);
 * ha_embedded_op_cancelled() tells a long-running agent to stop early. */
typedef void (*ha_embedded_fn)(ha_embedded_op *op, void *userdata);

/* Register "embedded:NAME". metadata_xml (optional) is what its meta-data action
 * returns and what ha_op_request_validate() checks against; it is parsed now
 * (HA_EPARSE/HA_ESCHEMA if invalid). HA_EDUPLICATE if the name is taken. */
HA_EXPORT int ha_executor_register_embedded(ha_executor *ex, const char *name,
					    ha_embedded_fn run, const char *metadata_xml,
					    void *userdata);

HA_EXPORT const char *ha_embedded_op_resource(const ha_embedded_op *op);
HA_EXPORT const char *ha_embedded_op_action(const ha_embedded_op *op);
HA_EXPORT uint32_t ha_embedded_op_interval(const ha_embedded_op *op);
HA_EXPORT unsigned ha_embedded_op_depth(const ha_embedded_op *op);
HA_EXPORT const char *ha_embedded_op_param(const ha_embedded_op *op, const char *name);
HA_EXPORT const char *ha_embedded_op_meta(const ha_embedded_op *op, const char *name);
HA_EXPORT bool ha_embedded_op_cancelled(const ha_embedded_op *op);
/* Append text to the operation's stdout (capped like a child's output). */
HA_EXPORT void ha_embedded_op_output(ha_embedded_op *op, const char *text);
/* Finish: rc is an OCF rc; exit_reason (optional) is copied. Frees op. */
HA_EXPORT void ha_embedded_op_complete(ha_embedded_op *op, int rc, const char *exit_reason);

/* ---- agent meta-data -------------------------------------------------------------- */

/* Largest meta-data document accepted (bytes). */
#define HA_AGENT_METADATA_MAX (1024u * 1024u)

/* Parse OCF meta-data XML (no network, no entities, at most HA_AGENT_METADATA_MAX
 * bytes). HA_EPARSE / HA_ESCHEMA / HA_ETOOBIG with details in diag (optional). */
HA_EXPORT int ha_agent_metadata_parse(const char *xml, size_t len, ha_agent_metadata **ret,
				      ha_diag *diag);
HA_EXPORT ha_agent_metadata *ha_agent_metadata_free(ha_agent_metadata *md); /* NULL-safe */
HA_EXPORT const char *ha_agent_metadata_name(const ha_agent_metadata *md);
HA_EXPORT const char *ha_agent_metadata_shortdesc(const ha_agent_metadata *md); /* or NULL */
HA_EXPORT size_t ha_agent_metadata_param_count(const ha_agent_metadata *md);
/* Parameter i (< count); NULL/false for an index out of range. */
HA_EXPORT const char *ha_agent_metadata_param_name(const ha_agent_metadata *md, size_t i);
HA_EXPORT bool ha_agent_metadata_param_required(const ha_agent_metadata *md, size_t i);
HA_EXPORT bool ha_agent_metadata_param_unique(const ha_agent_metadata *md, size_t i);
HA_EXPORT const char *ha_agent_metadata_param_type(const ha_agent_metadata *md, size_t i);
HA_EXPORT const char *ha_agent_metadata_param_default(const ha_agent_metadata *md, size_t i);
HA_EXPORT const char *ha_agent_metadata_param_shortdesc(const ha_agent_metadata *md, size_t i);
HA_EXPORT size_t ha_agent_metadata_action_count(const ha_agent_metadata *md);
HA_EXPORT const char *ha_agent_metadata_action_name(const ha_agent_metadata *md, size_t i);
HA_EXPORT uint32_t ha_agent_metadata_action_timeout(const ha_agent_metadata *md, size_t i);
HA_EXPORT uint32_t ha_agent_metadata_action_interval(const ha_agent_metadata *md, size_t i);
/* OCF_CHECK_LEVEL of the action, -1 if it declares none. */
HA_EXPORT int ha_agent_metadata_action_depth(const ha_agent_metadata *md, size_t i);
/* "Promoted"/"Unpromoted" (or legacy names) for role-specific monitors, else NULL. */
HA_EXPORT const char *ha_agent_metadata_action_role(const ha_agent_metadata *md, size_t i);
/* The default timeout (ms) the meta-data gives action (a monitor with that interval
 * first, then any entry of that name); 0 if none. */
HA_EXPORT uint32_t ha_agent_metadata_timeout_for(const ha_agent_metadata *md,
						 const char *action, uint32_t interval_ms);

#ifdef __cplusplus
}
#endif
#endif
