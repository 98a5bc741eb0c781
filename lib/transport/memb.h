/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Membership assembly for the corosync transport, without corosync types so it can be
 * unit-tested: CPG reports a ring transition as one or more confchgs (NODEDOWN from
 * the downlist, JOINs from the joinlist) followed by a totem confchg carrying the new
 * ring id; process joins and leaves inside a ring come alone. This turns both into the
 * interface's single membership callback with the right ring id.
 */
#ifndef HA_MEMB_H
#define HA_MEMB_H

#include "transport.h"

typedef void (*ha__memb_emit_fn)(void *ctx, uint64_t ring_id, const uint32_t *members,
				 size_t n, const uint32_t *joined, size_t n_joined,
				 const uint32_t *left, const ha_leave_reason *why, size_t n_left);

typedef struct ha__memb {
	uint32_t local_id;
	ha__memb_emit_fn emit;
	void *ctx;
	bool in_group;     /* our own join was seen */
	bool have_ring;
	uint64_t ring_id;
	GArray *totem;     /* ring members of ring_id */
	GArray *reported;  /* group members as last emitted */
	bool pending;      /* a ring transition is held for its totem confchg */
	GArray *p_members; /* members after the held change */
	GArray *p_joined;
	GArray *p_left;     /* node ids, sorted, with p_why[i] */
	GArray *p_why;      /* ha_leave_reason */
} ha__memb;

void ha__memb_init(ha__memb *m, ha__memb_emit_fn emit, void *ctx);
void ha__memb_destroy(ha__memb *m);
/* A new connection (or none): forget everything; local_id is this node. */
void ha__memb_reset(ha__memb *m, uint32_t local_id);

/* A CPG confchg of our group, node ids only (one per process: duplicates are fine).
 * Leave reasons: HA_LEAVE_NODEDOWN for NODEDOWN, NODEUP and anything unknown. The
 * first confchg after joining is our own join. */
void ha__memb_confchg(ha__memb *m, const uint32_t *members, size_t n_members,
		      const uint32_t *left, const ha_leave_reason *why, size_t n_left,
		      const uint32_t *joined, size_t n_joined);
/* A totem confchg (CPG_MODEL_V1): the ring members and the ring id. Returns true if
 * the ring changed. */
bool ha__memb_totem(ha__memb *m, uint64_t ring_id, const uint32_t *members, size_t n);
/* Before a message is delivered: a held change must not stay behind it. Returns
 * true if one had to be emitted (corosync did not behave as expected). */
bool ha__memb_before_deliver(ha__memb *m);

#endif
