/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Membership assembly (see memb.h): holds a ring transition's confchgs until the totem
 * confchg names the ring, and reports every change once, as a diff against what was
 * reported before. Knows no corosync types and calls nothing but its emit function.
 */
#include <string.h>

#include "memb.h"
#include "transport_private.h"

void ha__memb_init(ha__memb *m, ha__memb_emit_fn emit, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->emit = emit;
	m->ctx = ctx;
	m->totem = ha__nodeset_new();
	m->reported = ha__nodeset_new();
	m->p_members = ha__nodeset_new();
	m->p_joined = ha__nodeset_new();
	m->p_left = ha__nodeset_new();
	m->p_why = g_array_new(FALSE, FALSE, sizeof(ha_leave_reason));
}

void ha__memb_destroy(ha__memb *m)
{
	g_array_free(m->totem, TRUE);
	g_array_free(m->reported, TRUE);
	g_array_free(m->p_members, TRUE);
	g_array_free(m->p_joined, TRUE);
	g_array_free(m->p_left, TRUE);
	g_array_free(m->p_why, TRUE);
}

static void pending_reset(ha__memb *m)
{
	m->pending = false;
	ha__nodeset_copy(m->p_members, m->reported);
	g_array_set_size(m->p_joined, 0);
	g_array_set_size(m->p_left, 0);
	g_array_set_size(m->p_why, 0);
}

void ha__memb_reset(ha__memb *m, uint32_t local_id)
{
	m->local_id = local_id;
	m->in_group = false;
	m->have_ring = false;
	m->ring_id = 0;
	g_array_set_size(m->totem, 0);
	g_array_set_size(m->reported, 0);
	pending_reset(m);
}

/* p_left stays sorted with p_why parallel to it; the first reason given wins. */
static void left_add(ha__memb *m, uint32_t id, ha_leave_reason why)
{
	guint i;

	for (i = 0; i < m->p_left->len && ha__nodeset_ids(m->p_left)[i] < id; i++)
		;
	if (i < m->p_left->len && ha__nodeset_ids(m->p_left)[i] == id)
		return;
	g_array_insert_val(m->p_left, i, id);
	g_array_insert_val(m->p_why, i, why);
}

/* Emit the assembled change. Whatever the confchgs said, everything that disappeared
 * counts as left and everything new as joined; a node that joined and left again
 * inside the change was never a member. A change of nothing (another process of a
 * member node came or went) is only reported when it is a new ring (force). */
static void emit(ha__memb *m, bool force)
{
	GArray *diff = ha__nodeset_new();
	guint i;

	ha__nodeset_minus(diff, m->reported, m->p_members);
	for (i = 0; i < diff->len; i++)
		left_add(m, ha__nodeset_ids(diff)[i], HA_LEAVE_NODEDOWN);
	ha__nodeset_minus(diff, m->p_members, m->reported);
	for (i = 0; i < diff->len; i++)
		ha__nodeset_add(m->p_joined, ha__nodeset_ids(diff)[i]);
	g_array_free(diff, TRUE);
	for (i = 0; i < m->p_joined->len;) {
		uint32_t id = ha__nodeset_ids(m->p_joined)[i];

		/* Another process of a member node is no join; a restart (left, then
		 * joined inside the change) is. */
		if (ha__nodeset_has(m->p_members, id) &&
		    (!ha__nodeset_has(m->reported, id) || ha__nodeset_has(m->p_left, id)))
			i++;
		else
			g_array_remove_index(m->p_joined, i);
	}
	for (i = 0; i < m->p_left->len;) {
		if (ha__nodeset_has(m->reported, ha__nodeset_ids(m->p_left)[i])) {
			i++;
		} else {
			g_array_remove_index(m->p_left, i);
			g_array_remove_index(m->p_why, i);
		}
	}
	ha__nodeset_copy(m->reported, m->p_members);
	if (force || m->p_joined->len || m->p_left->len)
		m->emit(m->ctx, m->ring_id, ha__nodeset_ids(m->p_members), m->p_members->len,
			ha__nodeset_ids(m->p_joined), m->p_joined->len, ha__nodeset_ids(m->p_left),
			(const ha_leave_reason *)(void *)m->p_why->data, m->p_left->len);
	pending_reset(m);
}

void ha__memb_confchg(ha__memb *m, const uint32_t *members, size_t n_members,
		      const uint32_t *left, const ha_leave_reason *why, size_t n_left,
		      const uint32_t *joined, size_t n_joined)
{
	bool transition = false;
	size_t i;

	if (!m->in_group) {
		/* Corosync sends a group's confchgs to a connection only once its own
		 * join completed: this is our join; the others were there before us. */
		m->in_group = true;
		g_array_set_size(m->reported, 0);
		for (i = 0; i < n_members; i++)
			if (members[i] != m->local_id)
				ha__nodeset_add(m->reported, members[i]);
		pending_reset(m);
	}
	g_array_set_size(m->p_members, 0);
	for (i = 0; i < n_members; i++)
		ha__nodeset_add(m->p_members, members[i]);
	for (i = 0; i < n_left; i++) {
		/* Another process of the same node may still be a member. */
		if (ha__nodeset_has(m->p_members, left[i]))
			continue;
		left_add(m, left[i], why[i]);
		if (why[i] == HA_LEAVE_NODEDOWN)
			transition = true;
	}
	for (i = 0; i < n_joined; i++) {
		ha__nodeset_add(m->p_joined, joined[i]);
		/* A process joining on a node of our ring is an ordinary join; a node
		 * from outside our ring comes with a merge (a new ring). */
		if (!m->have_ring || !ha__nodeset_has(m->totem, joined[i]))
			transition = true;
	}
	/* Before the first ring id, and once a transition is held, everything waits
	 * for the totem confchg. */
	if (!m->have_ring || m->pending)
		transition = true;
	m->pending = true;
	if (!transition)
		emit(m, false);
}

bool ha__memb_totem(ha__memb *m, uint64_t ring_id, const uint32_t *members, size_t n)
{
	bool changed = !m->have_ring || ring_id != m->ring_id;
	size_t i;

	m->have_ring = true;
	m->ring_id = ring_id;
	g_array_set_size(m->totem, 0);
	for (i = 0; i < n; i++)
		ha__nodeset_add(m->totem, members[i]);
	/* A new ring is a new configuration even when the group did not change. */
	if (m->in_group && (m->pending || changed))
		emit(m, changed);
	return changed;
}

bool ha__memb_before_deliver(ha__memb *m)
{
	if (!m->pending)
		return false;
	emit(m, false);
	return true;
}
