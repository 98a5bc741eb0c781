/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Editing a CIB's configuration in memory: resources (primitives, groups, clones,
 * their parameters, meta attributes and operations), constraints, cluster options,
 * resource defaults and node attributes. This is what `hactl` uses to build the next
 * configuration before it sends it (ha_cib_to_string) to the cluster, and what a dry
 * run schedules (ha_plan_compute) to show what a change would do.
 *
 * Rules common to every function: a failing call changes nothing; ids are XML ids
 * ([A-Za-z_][A-Za-z0-9_.-]*, at most 256 bytes); scores are integers or
 * [+-]INFINITY. The edited document is consistent for the scheduler and the
 * serializer at once; the full validation (RelaxNG schema, agents' meta-data) happens
 * where the change is applied: load the serialized text again, as the daemon does.
 */
#ifndef HA_EDIT_H
#define HA_EDIT_H

#include <ha/common.h>
#include <ha/cib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An empty CIB (no nodes, no resources), epoch 0. */
HA_EXPORT int ha_cib_new(ha_cib **ret);

/* ---- resources ------------------------------------------------------------------ */

/* Add a top-level primitive. agent: "ocf:PROVIDER:TYPE", "lsb:NAME", "systemd:UNIT",
 * "stonith:NAME" or "embedded:NAME". HA_EDUPLICATE if the id is taken (by anything). */
HA_EXPORT int ha_edit_primitive(ha_cib *cib, const char *id, const char *agent);
/* Put primitive rsc at the end of group (created where rsc was if it does not exist).
 * rsc may be top-level or in another group (it moves); -EINVAL if it is in a clone or
 * is not a primitive. An emptied group is removed. */
HA_EXPORT int ha_edit_group_add(ha_cib *cib, const char *group, const char *rsc);
/* Wrap the top-level primitive or group rsc in a clone (id: clone_id, or "RSC-clone"),
 * promotable if asked. */
HA_EXPORT int ha_edit_clone(ha_cib *cib, const char *rsc, const char *clone_id, bool promotable);
/* Delete a resource with everything inside it, and every constraint that names any of
 * them. A group or clone left empty goes too. -ENOENT if unknown. */
HA_EXPORT int ha_edit_rsc_delete(ha_cib *cib, const char *id);
/* Set (value != NULL) or remove an instance parameter of a primitive. */
HA_EXPORT int ha_edit_rsc_param(ha_cib *cib, const char *rsc, const char *name, const char *value);
/* Set or remove a meta attribute (target-role, resource-stickiness, ...) of any resource. */
HA_EXPORT int ha_edit_rsc_meta(ha_cib *cib, const char *rsc, const char *name, const char *value);
/* Add or replace operation (name, interval) of a primitive: timeout and on_fail may be
 * NULL (not set). interval like "10s" ("0" for non-recurring). */
HA_EXPORT int ha_edit_rsc_op(ha_cib *cib, const char *rsc, const char *name, const char *interval,
			     const char *timeout, const char *on_fail);
/* Remove operation (name, interval). -ENOENT if it is not configured. */
HA_EXPORT int ha_edit_rsc_op_delete(ha_cib *cib, const char *rsc, const char *name,
				    const char *interval);

/* ---- constraints -------------------------------------------------------------------- */

/* Add or replace (same id) a constraint. role arguments may be NULL. A constraint id
 * that names a constraint of another kind is HA_EDUPLICATE. */
HA_EXPORT int ha_edit_location(ha_cib *cib, const char *id, const char *rsc, const char *node,
			       const char *score, const char *role);
HA_EXPORT int ha_edit_colocation(ha_cib *cib, const char *id, const char *rsc, const char *with_rsc,
				 const char *score, const char *rsc_role, const char *with_role);
/* kind: "Mandatory" (NULL), "Optional" or "Serialize"; actions NULL: start. */
HA_EXPORT int ha_edit_order(ha_cib *cib, const char *id, const char *first, const char *then,
			    const char *kind, const char *first_action, const char *then_action,
			    bool symmetrical);
/* Delete a constraint of any kind (and its lifetime). -ENOENT if unknown. */
HA_EXPORT int ha_edit_constraint_delete(ha_cib *cib, const char *id);
/* Give a constraint a lifetime (duration: "30s", "10m", "2h", "1d", or ISO 8601 such as
 * "PT1H"; at least 1 s, at most 10 years), or make it permanent again (NULL). The
 * duration is kept as such until a cluster accepts the change
 * (ha_cluster_set_config): then it becomes an expiry on the cluster's replicated clock,
 * and when that is reached every member removes the constraint at the same point of
 * its ordered stream. -ENOENT: no such constraint; -EINVAL: not a duration. */
HA_EXPORT int ha_edit_lifetime(ha_cib *cib, const char *constraint, const char *duration);
/* A constraint's lifetime: 0 if it has none; 1 and *remaining (seconds left at the
 * replicated time now, 0 if due; a duration not accepted yet counts whole). */
HA_EXPORT int ha_cib_lifetime(const ha_cib *cib, const char *constraint, int64_t now,
			      int64_t *remaining);
/* Parse a duration as ha_edit_lifetime takes it into seconds. 0 or -EINVAL. */
HA_EXPORT int ha_duration_parse(const char *s, int64_t *seconds);
HA_EXPORT bool ha_cib_has_constraint(const ha_cib *cib, const char *id);

/* ---- options, defaults, nodes ------------------------------------------------------ */

/* Set or remove a cluster option (crm_config). An invalid value (a non-boolean for
 * stonith-enabled, ...) is -EINVAL. */
HA_EXPORT int ha_edit_property(ha_cib *cib, const char *name, const char *value);
/* Set or remove a resource default (rsc_defaults meta attribute). */
HA_EXPORT int ha_edit_rsc_default(ha_cib *cib, const char *name, const char *value);
/* Set or remove a permanent node attribute (standby, maintenance, custom ones used by
 * rules). HA_EREF if the node is not in the configuration. */
HA_EXPORT int ha_edit_node_attr(ha_cib *cib, const char *node, const char *name, const char *value);

/* ---- status and versions ------------------------------------------------------------ */

/* Forget rsc's operation history and fail counts on node (NULL: every node), as a
 * cleanup does, so the scheduler probes it again. rsc may be a group or clone (every
 * primitive below it). */
HA_EXPORT int ha_edit_status_cleanup(ha_cib *cib, const char *rsc, const char *node);
/* Only the fail counts and last-failure times (transient attributes) of rsc on node
 * (NULL: every node), keeping the operation history. */
HA_EXPORT int ha_edit_status_clear_failures(ha_cib *cib, const char *rsc, const char *node);
/* Set or remove a transient node attribute in the status section (what a dry run of
 * an attribute update schedules). HA_EREF if the node has no status entry. */
HA_EXPORT int ha_edit_status_attr(ha_cib *cib, const char *node, const char *name,
				  const char *value);
/* Replace cib's configuration by a copy of from's, keeping cib's status and version
 * (what an import sends, and what its dry run schedules against the live status). */
HA_EXPORT int ha_edit_replace_config(ha_cib *cib, const ha_cib *from);
/* Drop the status section (what `config export` writes). */
HA_EXPORT void ha_edit_strip_status(ha_cib *cib);
HA_EXPORT void ha_cib_set_version(ha_cib *cib, int64_t admin_epoch, int64_t epoch,
				  int64_t num_updates);

/* ---- reading --------------------------------------------------------------------- */

/* "primitive", "group", "clone" or NULL if rsc names no resource. */
HA_EXPORT const char *ha_cib_rsc_kind(const ha_cib *cib, const char *rsc);
/* The group or clone containing rsc, or NULL. */
HA_EXPORT const char *ha_cib_rsc_parent(const ha_cib *cib, const char *rsc);
/* A readable description of a resource (agent, parameters, meta attributes,
 * operations, children, the constraints naming it) or of a constraint. *ret: free().
 * -ENOENT if id names neither. */
HA_EXPORT int ha_cib_describe(const ha_cib *cib, const char *id, char **ret);
/* Ids of every resource (all levels, parents first) and every constraint, as a
 * NULL-terminated array (free with ha_strv_free()). */
HA_EXPORT int ha_cib_ids(const ha_cib *cib, bool constraints, char ***ret);

/* Node names: those of the configuration, then those only in the status section. */
HA_EXPORT int ha_cib_nodes(const ha_cib *cib, char ***ret);
/* A cluster option's value (crm_config) or NULL. Borrowed from cib. */
HA_EXPORT const char *ha_cib_property(const ha_cib *cib, const char *name);
/* The id of a node of the configuration (its corosync node id), or NULL. */
HA_EXPORT const char *ha_cib_node_id(const ha_cib *cib, const char *node);
/* A node's attributes as alternating names and values: permanent ones (configuration)
 * or transient ones (status). HA_EREF if the node is unknown. */
HA_EXPORT int ha_cib_node_attrs(const ha_cib *cib, const char *node, bool transient, char ***ret);

/* Primitives of new_cib that are new or whose agent or instance parameters differ
 * from old_cib (NULL: all), as a NULL-terminated array (ha_strv_free()). */
HA_EXPORT int ha_cib_changed_primitives(const ha_cib *old_cib, const ha_cib *new_cib, char ***ret);
/* The instance parameters of primitive rsc as a NULL-terminated array of alternating
 * names and values (ha_strv_free()); what a daemon checks against the agent's
 * meta-data with ha_op_request_validate(). */
HA_EXPORT int ha_cib_rsc_params(const ha_cib *cib, const char *rsc, char ***ret);
/* The agent spec of primitive rsc ("ocf:ha:IPaddr2"), newly allocated (free()). */
HA_EXPORT int ha_cib_rsc_agent(const ha_cib *cib, const char *rsc, char **ret);

/* Free a NULL-terminated string array returned above. NULL-safe, returns NULL. */
HA_EXPORT char **ha_strv_free(char **v);

#ifdef __cplusplus
}
#endif
#endif
