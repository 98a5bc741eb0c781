/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transport a simulated node's process sees: the interface's operations on top of
 * the simulator's queues, and the dispatch of queued items to the callbacks. What
 * happens to a message after it is handed to the node's corosync is sim.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim_private.h"

static sim_transport *from_base(const ha_transport *t)
{
	return (sim_transport *)t;
}

static sim_node *node_of(const sim_transport *t)
{
	return t->sim ? ha__sim_node(t->sim, t->node) : NULL;
}

static int sim_join(ha_transport *base, const char *group)
{
	sim_transport *t = from_base(base);
	sim_node *n = node_of(t);
	sim_out *o;

	if (t->group)
		return -EALREADY;
	if (!n || !t->alive || !t->connected)
		return -ENOTCONN;
	t->group = g_strdup(group);
	o = g_new0(sim_out, 1);
	o->kind = OUT_JOIN;
	o->pid = t->pid;
	o->group = g_strdup(group);
	ha__sim_out_push(t->sim, n, o);
	return 0;
}

static int sim_send(ha_transport *base, const void *msg, size_t len)
{
	sim_transport *t = from_base(base);
	sim_node *n = node_of(t);
	sim_out *o;

	if (!n || !t->alive || !t->connected || !t->group)
		return -ENOTCONN;
	o = g_new0(sim_out, 1);
	o->kind = OUT_MSG;
	o->pid = t->pid;
	o->msg = g_bytes_new(msg, len);
	ha__sim_out_push(t->sim, n, o);
	return 0;
}

static size_t sim_max_msg(const ha_transport *base)
{
	const sim_transport *t = from_base(base);

	return t->sim ? t->sim->o.max_msg : 0;
}

static uint32_t sim_local_id(const ha_transport *base)
{
	return from_base(base)->node;
}

static const char *sim_node_name(const ha_transport *base, uint32_t nodeid)
{
	const sim_transport *t = from_base(base);
	sim_node *n = t->sim ? ha__sim_node(t->sim, nodeid) : NULL;

	return n ? n->name : NULL;
}

static void destroy(sim_transport *t)
{
	if (t->sim)
		g_ptr_array_remove_fast(t->sim->transports, t);
	g_free(t->group);
	g_free(t);
}

void ha__sim_transport_kill(sim_transport *t)
{
	sim_node *n = node_of(t);

	t->alive = false;
	if (n && n->proc == t)
		n->proc = NULL;
}

static void sim_free(ha_transport *base)
{
	sim_transport *t = from_base(base);
	sim_node *n = node_of(t);

	if (n && t->alive) {
		/* A clean leave, ordered after what the process already handed over. */
		if (t->connected && t->group && n->cs_up) {
			sim_out *o = g_new0(sim_out, 1);

			o->kind = OUT_LEAVE;
			o->pid = t->pid;
			o->why = HA_LEAVE_CLEAN;
			ha__sim_out_push(t->sim, n, o);
		}
		ha__sim_logf(t->sim, "%s transport freed", n->name);
		ha__sim_transport_kill(t);
		ha__sim_clear_process_queues(n, false); /* timers are the process's, not ours */
	}
	t->alive = false;
	if (t->depth)
		t->doomed = true; /* freed when the running callback returns */
	else
		destroy(t);
}

static const ha__transport_ops sim_ops = {
	.join = sim_join,
	.send = sim_send,
	.max_msg = sim_max_msg,
	.local_id = sim_local_id,
	.node_name = sim_node_name,
	.free = sim_free,
};

uint64_t ha__sim_transport_config(const ha_transport *base)
{
	return base && base->ops == &sim_ops ? from_base(base)->cfg : 0;
}

int ha__sim_transport_new(ha_sim *sim, uint32_t node, const ha_transport_events *ev,
			  void *ud, ha_transport **ret)
{
	sim_node *n = ha__sim_node(sim, node);
	sim_transport *t;
	int rc;

	if (!n || !ret)
		return -EINVAL;
	if (!n->cs_up)
		return -ENOTCONN;
	if (n->proc)
		return -EBUSY;
	t = g_new0(sim_transport, 1);
	rc = ha__transport_init(&t->base, &sim_ops, ev, ud);
	if (rc < 0) {
		g_free(t);
		return rc;
	}
	t->sim = sim;
	t->node = node;
	t->pid = ++sim->next_pid;
	t->alive = true;
	t->connected = true;
	n->proc = t;
	g_ptr_array_add(sim->transports, t);
	ha__sim_logf(sim, "%s transport new (pid %" PRIu64 ")", n->name, t->pid);
	/* CS_TRACK_CURRENT: the current quorum state comes first. */
	ha__sim_queue_quorum(sim, n, sim->now);
	*ret = &t->base;
	return 0;
}

static void log_membership(ha_sim *sim, const sim_node *n, const sim_item *it)
{
	char *m, *j, *l;
	GString *why;
	guint i;

	if (!sim->log_fn)
		return;
	m = ha__sim_fmt_set(it->members);
	j = ha__sim_fmt_set(it->joined);
	l = ha__sim_fmt_set(it->left);
	why = g_string_new(NULL);
	for (i = 0; i < it->why->len; i++)
		g_string_append_printf(why, "%s%d", i ? "," : "",
				       (int)g_array_index(it->why, ha_leave_reason, i));
	ha__sim_logf(sim, "%s membership ring %" PRIu64 " cfg %" PRIu64 " members %s joined %s left %s why [%s]",
		     n->name, it->ring, it->cfg, m, j, l, why->str);
	g_string_free(why, TRUE);
	g_free(m);
	g_free(j);
	g_free(l);
}

static void dispatch(ha_sim *sim, sim_node *n, sim_transport *t, sim_item *it)
{
	const ha_transport_events *ev = &t->base.ev;
	void *ud = t->base.ud;
	const void *data;
	size_t len;
	char *m;

	switch (it->kind) {
	case ITEM_DELIVER:
		data = g_bytes_get_data(it->msg, &len);
		ha__sim_logf(sim, "%s deliver #%" PRIu64 " from n%" PRIu32 " (%zu bytes)", n->name,
			     it->msgno, it->from, len);
		ev->deliver(ud, it->from, data, len);
		break;
	case ITEM_MEMBERSHIP:
		log_membership(sim, n, it);
		t->cfg = it->cfg;
		ev->membership(ud, it->ring, ha__nodeset_ids(it->members), it->members->len,
			       ha__nodeset_ids(it->joined), it->joined->len,
			       ha__nodeset_ids(it->left),
			       (const ha_leave_reason *)(void *)it->why->data, it->left->len);
		break;
	case ITEM_QUORUM:
		m = ha__sim_fmt_set(it->members);
		ha__sim_logf(sim, "%s quorum ring %" PRIu64 " %s members %s", n->name, it->ring,
			     it->quorate ? "quorate" : "inquorate", m);
		g_free(m);
		ev->quorum(ud, it->quorate, it->ring, ha__nodeset_ids(it->members),
			   it->members->len);
		break;
	case ITEM_CONNECTION:
		ha__sim_logf(sim, "%s connection %d", n->name, it->err);
		ev->connection(ud, it->err);
		break;
	case ITEM_RECONNECT:
		if (!n->cs_up)
			break;
		t->connected = true;
		ha__sim_logf(sim, "%s connection 0", n->name);
		ev->connection(ud, 0);
		if (t->doomed || !t->alive)
			break;
		ha__sim_queue_quorum(sim, n, sim->now);
		if (t->group) {
			sim_out *o = g_new0(sim_out, 1);

			o->kind = OUT_JOIN;
			o->pid = t->pid;
			o->group = g_strdup(t->group);
			ha__sim_out_push(sim, n, o);
		}
		break;
	}
}

void ha__sim_transport_dispatch(ha_sim *sim, sim_node *n, sim_item *it)
{
	sim_transport *t = n->proc;

	if (!t)
		return;
	t->depth++;
	dispatch(sim, n, t, it);
	t->depth--;
	if (t->doomed && !t->depth)
		destroy(t);
}
