/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public ha_plan wraps the scheduler's results (used by plan.c and format.c). */
#ifndef HA_PLAN_PRIVATE_H
#define HA_PLAN_PRIVATE_H

#include "sched_private.h"

struct ha_plan {
	sched *s;
};

#endif
