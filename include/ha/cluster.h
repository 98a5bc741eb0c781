/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cluster handle: membership and quorum over corosync, the replicated cluster
 * state, the claim protocol, fencing, and the reconciliation loop that runs the
 * scheduler after every burst of messages and executes this node's share of the
 * plan. A program (had, or any daemon embedding libha) creates one handle, attaches
 * it to a GMainContext (<ha/glib.h>: ha_cluster_attach) and starts it.
 *
 * Threading and lifecycle: single-threaded, everything happens in the attached
 * context; the library starts no threads and installs no signal handlers. Callbacks
 * are only called from the context's dispatch, never from inside a libha call.
 * A call that takes a callback and fails never calls it.
 */
#ifndef HA_CLUSTER_H
#define HA_CLUSTER_H

#include <ha/common.h>
#include <ha/exec.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ha_cluster ha_cluster;

/* Create a handle. group: the CPG group name ("ha" if NULL). state_dir: where the
 * configuration is persisted (atomic replace, fsync, numbered backups). */
HA_EXPORT int ha_cluster_new(const char *group, const char *state_dir, ha_cluster **ret);
/* Stop at once (no clean shutdown: use ha_cluster_shutdown first) and free. NULL-safe. */
HA_EXPORT ha_cluster *ha_cluster_free(ha_cluster *cl);

/* The executor the cluster runs agents with (register embedded agents on it). */
HA_EXPORT ha_executor *ha_cluster_executor(ha_cluster *cl);

/* Log messages (level: syslog priority). The library never logs by itself. */
typedef void (*ha_cluster_log_fn)(void *ud, int level, const char *msg);
HA_EXPORT void ha_cluster_set_log(ha_cluster *cl, ha_cluster_log_fn fn, void *ud);

/* Events: one line of JSON per event ({"event":"membership",...}), as `hactl events`
 * prints them. The string is valid during the callback only. */
typedef void (*ha_cluster_event_fn)(void *ud, const char *json);
HA_EXPORT void ha_cluster_set_events(ha_cluster *cl, ha_cluster_event_fn fn, void *ud);

/* Connect to corosync and join the group. -ENOTCONN if corosync is not running. */
HA_EXPORT int ha_cluster_start(ha_cluster *cl);

/* Clean shutdown: stop (or hand over) local resources, tell the cluster we leave
 * cleanly, then call done. */
typedef void (*ha_cluster_done_fn)(void *ud, int result);
HA_EXPORT int ha_cluster_shutdown(ha_cluster *cl, ha_cluster_done_fn done, void *ud);

/* Replace the configuration (a CIB document; its <status> is ignored). expect_epoch:
 * the version the change was made against (-1: whatever is current). done is called
 * with 0 once every member persisted it, or with an error (HA_ESTALEVERSION,
 * HA_ENOQUORUM, HA_ENOTSYNCED, HA_ESCHEMA...) — then nothing changed. Constraint
 * lifetimes written as durations (ha_edit_lifetime) start here: they become expiries on
 * the replicated clock (ha_cluster_now), and the constraint is removed everywhere when
 * that time is reached. */
HA_EXPORT int ha_cluster_set_config(ha_cluster *cl, const char *xml, int64_t expect_epoch,
				    ha_cluster_done_fn done, void *ud);

/* Set (value != NULL) or remove a transient node attribute (fail counts, master-*...). */
HA_EXPORT int ha_cluster_set_attr(ha_cluster *cl, const char *node, const char *name,
				  const char *value);

/* Forget rsc's operation history and fail counts on node (NULL: every node), so that
 * it is probed again there and a failure no longer blocks it (what `hactl cleanup`
 * does). Asynchronous: the change enters the replicated state in order. */
HA_EXPORT int ha_cluster_cleanup(ha_cluster *cl, const char *rsc, const char *node);

/* Fence node now (the node is treated as lost by every member; the lowest member
 * running a fence device able to fence it does it). -ENOENT: no such node; -EPERM:
 * stonith-enabled is false; HA_ENOQUORUM: not in a quorate partition. Asynchronous:
 * the result shows in the events and the status. */
HA_EXPORT int ha_cluster_fence(ha_cluster *cl, const char *node);

/* A snapshot of the replicated state as a CIB document (configuration + status), as
 * `hactl status` and the scheduler see it. *ret: free(). */
HA_EXPORT int ha_cluster_cib(ha_cluster *cl, char **ret);
/* The cluster's replicated clock now (seconds since the epoch): the time constraint
 * lifetimes are measured in, whatever this node's clock says. */
HA_EXPORT int64_t ha_cluster_now(const ha_cluster *cl);
/* The current configuration version. */
HA_EXPORT int64_t ha_cluster_epoch(const ha_cluster *cl);
/* This node's name, and whether the cluster is synced and quorate. */
HA_EXPORT const char *ha_cluster_local_name(const ha_cluster *cl);
HA_EXPORT bool ha_cluster_quorate(const ha_cluster *cl);

#ifdef __cplusplus
}
#endif
#endif
