/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The scheduler's result: target placement (node and role of every resource
 * instance), the actions to get there with their ordering, and the scores and
 * reasons behind each decision. Computing a plan is a pure function of the CIB and
 * the time given; formatting returns strings and does no I/O.
 */
#ifndef HA_PLAN_H
#define HA_PLAN_H

#include <ha/common.h>
#include <ha/diag.h>
#include <ha/cib.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ha_plan ha_plan;

/* Schedule cib as of `now` (seconds since the epoch; used for failure-timeout). */
HA_EXPORT int ha_plan_compute(const ha_cib *cib, int64_t now, ha_plan **ret, ha_diag *diag);
HA_EXPORT ha_plan *ha_plan_free(ha_plan *plan); /* NULL-safe, returns NULL */

/* True if some action of the plan cannot run (blocked, unrunnable, unsupported). */
HA_EXPORT bool ha_plan_incomplete(const ha_plan *plan);

/* Update cib's status as if every runnable action of plan succeeded. */
HA_EXPORT int ha_plan_apply(const ha_plan *plan, ha_cib *cib);

typedef enum {
	HA_FORMAT_CURRENT = 1,   /* "Current cluster status" */
	HA_FORMAT_ACTIONS = 2,   /* "Transition summary" + the ordered action list */
	HA_FORMAT_RESULT = 3,    /* "Revised cluster status" */
	HA_FORMAT_SCORES = 4,    /* allocation scores per resource and node */
	HA_FORMAT_JSON = 5,      /* resulting placement and actions as JSON (docs/json.md) */
} ha_plan_format_kind;

/* Render a part of the plan. *ret is a new NUL-terminated string (free() it). */
HA_EXPORT int ha_plan_format(const ha_plan *plan, ha_plan_format_kind kind, char **ret);

/* Plain-words explanation of where rsc is (or will be) and why, and what would have to
 * change to move it. -ENOENT if rsc names no resource. */
HA_EXPORT int ha_plan_explain(const ha_plan *plan, const char *rsc, char **ret);

#ifdef __cplusplus
}
#endif
#endif
