/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scheduler, for the rest of the library: a pure function from a CIB (config +
 * status) and a time to a plan (placement + ordered actions + explanations).
 */
#ifndef HA_SCHEDULER_H
#define HA_SCHEDULER_H

#include <ha/plan.h>
#include "model/model.h"

/* Same as ha_plan_compute (the public entry point). */
int ha__sched_run(const ha_cib *cib, int64_t now, ha_plan **ret, ha_diag *diag);

/* What one node's operation history says about one primitive (used by the claim
 * checks of the replicated state). probed: a completed operation says whether it
 * runs there. */
typedef struct ha_presence {
	ha_role role;  /* HA_ROLE_UNKNOWN: no history */
	bool pending;  /* an operation is in flight */
	bool probed;
	bool failed;
} ha_presence;
void ha__sched_presence(const ha_cib *cib, int64_t now, const ha_rsc *r, const ha_node_state *ns,
			ha_presence *out);

/* The plan's actions, for the reconciliation loop. */
typedef struct ha_plan_action {
	const char *action;   /* stop demote start promote monitor fence notify */
	const char *rsc;      /* primitive id (orphans: the removed resource's id); NULL: fence */
	const char *node;     /* where it runs (fence: the target) */
	uint32_t interval_ms; /* monitors: 0 = probe */
	bool runnable, pseudo, orphan;
	unsigned n_before;    /* actions that must finish first */
	int instance;         /* clone instance, -1 */
	bool param_restart;   /* a stop (or start) that only restarts for new parameters */
} ha_plan_action;
size_t ha__plan_n_actions(const ha_plan *p);
void ha__plan_get_action(const ha_plan *p, size_t i, ha_plan_action *out);
/* out[i] (one per action): is action i a stop whose resource the plan starts again
 * on the same node, that start waiting for nothing but this stop (a recovery or
 * restart in place)? The cluster layer then runs both under one claim, as Pacemaker
 * runs them in one transition. One pass over the plan. */
void ha__plan_restarts_in_place(const ha_plan *p, bool *out);

#endif
