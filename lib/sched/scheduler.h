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

#endif
