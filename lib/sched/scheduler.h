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

#endif
