/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The operator's view of a cluster (what `hactl status` shows) read from a plan
 * computed on a live CIB snapshot: node states, quorum, where every resource runs,
 * failed and pending operations, and whether the cluster has settled (nothing left to
 * run). Pure functions of the plan; strings are newly allocated, no I/O.
 */
#ifndef HA_STATUS_H
#define HA_STATUS_H

#include <ha/common.h>
#include <ha/plan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The current state as text (crm_mon -1's information) or as one JSON object
 * (docs/hactl.md "status"). *ret: free(). */
HA_EXPORT int ha_status_format(const ha_plan *plan, bool json, char **ret);

/* True when no operation is pending and the plan has no action left to run (probes,
 * monitors, starts, stops, fencing): the cluster has done what it can. A settled
 * plan may still be incomplete (blocked actions). */
HA_EXPORT bool ha_status_settled(const ha_plan *plan);

/* Nodes where rsc is up now (active, no operation in flight, not failed),
 * space-separated ("" when nowhere): for a group the
 * nodes running all of its members, for a clone the nodes running any instance.
 * *failed (optional): it failed somewhere and is not recovered yet. -ENOENT if rsc is
 * not configured. *ret: free(). */
HA_EXPORT int ha_status_rsc_nodes(const ha_plan *plan, const char *rsc, char **ret, bool *failed);

/* A node's state: "online", "standby", "maintenance", "offline", "unclean" (lost, not
 * fenced yet) or "frozen" (its daemon is gone, its resources keep running); NULL if
 * the node is unknown. Static string. */
HA_EXPORT const char *ha_status_node_state(const ha_plan *plan, const char *node);

/* Nodes where rsc will be active once the plan has run (same rules). */
HA_EXPORT int ha_status_rsc_target(const ha_plan *plan, const char *rsc, char **ret);

#ifdef __cplusplus
}
#endif
#endif
