/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator's world: virtual clock, PRNG, the event scheduler, totem rings
 * (agreed ordering, configuration changes, quorum) and fault injection. What a
 * node's process sees of it is sim_transport.c's. No wall clock, no threads.
 *
 * Model: each node has four queues — outq (accepted by its corosync, waiting for its
 * place in the order), inbox (callbacks for its process, in delivery order), qinbox
 * (quorum, a separate channel) and timers. A message gets its place when its outq
 * entry is processed: it is then queued, at once, behind everything already queued for
 * every group member of the sender's ring. Since every member's inbox is FIFO, all
 * members deliver the ring's events in the same order, each at its own pace. A step
 * runs the earliest (time, creation sequence) entry of all queues: O(N) per step.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim_private.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(ha_sim *sim)
{
	uint64_t *s = sim->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint64_t ha__sim_random(ha_sim *sim, uint64_t bound)
{
	/* Modulo bias is below 2^-40 for the bounds used here; determinism matters more. */
	return bound ? rng_next(sim) % bound : rng_next(sim);
}

uint64_t ha__sim_rand_range(ha_sim *sim, uint64_t lo, uint64_t hi)
{
	return hi > lo ? lo + rng_next(sim) % (hi - lo + 1) : lo;
}

/* ---- world -------------------------------------------------------------------------- */

void ha__sim_options_init(ha_sim_options *o, uint64_t seed, unsigned nodes)
{
	*o = (ha_sim_options){
		.seed = seed,
		.nodes = nodes,
		.delay_min_ms = 1,
		.delay_max_ms = 20,
		.order_max_ms = 5,
		.quorum_max_ms = 30,
		.detect_ms = 3500, /* measured: 3.4-3.6 s with token 1000, 3 nodes, knet */
		.reconnect_ms = 1000,
		.skew_max_ms = 500,
		.max_msg = (1u << 20) - 1024,
	};
}

sim_node *ha__sim_node(ha_sim *sim, uint32_t node)
{
	if (!sim || node < 1 || node > sim->o.nodes)
		return NULL;
	return &sim->nodes[node - 1];
}

static const sim_node *const_node(const ha_sim *sim, uint32_t node)
{
	return ha__sim_node((ha_sim *)sim, node);
}

int ha__sim_new(const ha_sim_options *o, ha_sim **ret)
{
	ha_sim *sim;
	uint64_t x;
	unsigned i, j;

	if (!o || !ret || o->nodes < 1 || o->nodes > HA_SIM_NODES_MAX ||
	    o->delay_min_ms > o->delay_max_ms || !o->max_msg)
		return -EINVAL;
	sim = g_new0(ha_sim, 1);
	sim->o = *o;
	x = o->seed;
	for (i = 0; i < 4; i++)
		sim->rng[i] = splitmix64(&x);
	sim->seq = 1;
	sim->next_side = 1;
	sim->transports = g_ptr_array_new();
	sim->nodes = g_new0(sim_node, o->nodes);
	for (i = 0; i < o->nodes; i++) {
		sim_node *n = &sim->nodes[i];

		n->id = i + 1;
		snprintf(n->name, sizeof(n->name), "n%u", n->id);
		n->offset = (int64_t)ha__sim_rand_range(sim, 0, 2ull * o->skew_max_ms) -
			    (int64_t)o->skew_max_ms;
		n->cs_up = true;
		n->ring = 4;
		n->ring_members = ha__nodeset_new();
		for (j = 0; j < o->nodes; j++)
			ha__nodeset_add(n->ring_members, j + 1);
		n->quorate = true;
		n->view = ha__nodeset_new();
		g_queue_init(&n->outq);
		g_queue_init(&n->inbox);
		g_queue_init(&n->qinbox);
		g_queue_init(&n->timers);
	}
	*ret = sim;
	return 0;
}

static void clear_outq(sim_node *n)
{
	g_queue_clear_full(&n->outq, (GDestroyNotify)ha__sim_out_free);
	n->out_tail = 0;
}

void ha__sim_clear_process_queues(sim_node *n, bool timers)
{
	g_queue_clear_full(&n->inbox, (GDestroyNotify)ha__sim_item_free);
	g_queue_clear_full(&n->qinbox, (GDestroyNotify)ha__sim_item_free);
	n->in_tail = n->q_tail = 0;
	if (timers)
		g_queue_clear_full(&n->timers, g_free);
}

void ha__sim_free(ha_sim *sim)
{
	unsigned i;

	if (!sim)
		return;
	for (i = 0; i < sim->transports->len; i++) {
		sim_transport *t = g_ptr_array_index(sim->transports, i);

		t->sim = NULL;
		t->alive = false;
	}
	g_ptr_array_free(sim->transports, TRUE);
	for (i = 0; i < sim->o.nodes; i++) {
		sim_node *n = &sim->nodes[i];

		clear_outq(n);
		ha__sim_clear_process_queues(n, true);
		g_array_free(n->ring_members, TRUE);
		g_array_free(n->view, TRUE);
		g_free(n->grp);
	}
	g_free(sim->nodes);
	g_free(sim);
}

void ha__sim_set_log(ha_sim *sim, ha_sim_log_fn fn, void *ud)
{
	sim->log_fn = fn;
	sim->log_ud = ud;
}

void ha__sim_logf(ha_sim *sim, const char *fmt, ...)
{
	char *body, *line;
	va_list ap;

	if (!sim->log_fn)
		return;
	va_start(ap, fmt);
	body = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	line = g_strdup_printf("t=%" PRIu64 " %s", sim->now, body);
	sim->log_fn(sim->log_ud, line);
	g_free(line);
	g_free(body);
}

char *ha__sim_fmt_set(const GArray *set)
{
	GString *s = g_string_new("[");
	guint i;

	for (i = 0; i < set->len; i++)
		g_string_append_printf(s, "%s%" PRIu32, i ? "," : "", ha__nodeset_ids(set)[i]);
	g_string_append_c(s, ']');
	return g_string_free(s, FALSE);
}

/* ---- queues ------------------------------------------------------------------------- */

sim_item *ha__sim_item_new(ha_sim *sim, sim_item_kind kind)
{
	sim_item *it = g_new0(sim_item, 1);

	it->kind = kind;
	it->seq = sim->seq++;
	return it;
}

void ha__sim_item_free(sim_item *it)
{
	if (!it)
		return;
	if (it->msg)
		g_bytes_unref(it->msg);
	if (it->members)
		g_array_free(it->members, TRUE);
	if (it->joined)
		g_array_free(it->joined, TRUE);
	if (it->left)
		g_array_free(it->left, TRUE);
	if (it->why)
		g_array_free(it->why, TRUE);
	g_free(it);
}

void ha__sim_inbox_push(ha_sim *sim, sim_node *n, sim_item *it, uint64_t t)
{
	(void)sim;
	it->time = MAX(t, n->in_tail);
	n->in_tail = it->time;
	g_queue_push_tail(&n->inbox, it);
}

void ha__sim_qinbox_push(ha_sim *sim, sim_node *n, sim_item *it, uint64_t t)
{
	(void)sim;
	it->time = MAX(t, n->q_tail);
	n->q_tail = it->time;
	g_queue_push_tail(&n->qinbox, it);
}

static sim_item *quorum_item(ha_sim *sim, const sim_node *n)
{
	sim_item *it = ha__sim_item_new(sim, ITEM_QUORUM);

	it->ring = n->ring;
	it->quorate = n->quorate;
	it->members = ha__nodeset_new();
	ha__nodeset_copy(it->members, n->ring_members);
	return it;
}

void ha__sim_queue_quorum(ha_sim *sim, sim_node *n, uint64_t t)
{
	ha__sim_qinbox_push(sim, n, quorum_item(sim, n),
			    t + ha__sim_rand_range(sim, 0, sim->o.quorum_max_ms));
}

void ha__sim_out_push(ha_sim *sim, sim_node *n, sim_out *o)
{
	/* Per-sender FIFO, as totem keeps it: never ahead of the previous entry. */
	o->time = MAX(sim->now + ha__sim_rand_range(sim, 0, sim->o.order_max_ms), n->out_tail);
	o->seq = sim->seq++;
	n->out_tail = o->time;
	g_queue_push_tail(&n->outq, o);
}

void ha__sim_out_free(sim_out *o)
{
	if (!o)
		return;
	if (o->msg)
		g_bytes_unref(o->msg);
	g_free(o->group);
	g_free(o);
}

static uint64_t delivery_time(ha_sim *sim)
{
	return sim->now + ha__sim_rand_range(sim, sim->o.delay_min_ms, sim->o.delay_max_ms);
}

/* ---- rings -------------------------------------------------------------------------- */

/* The nodes n can talk to now (itself included), corosync running. A node cut off
 * after its own delivery talks to nobody until the next configuration has formed,
 * even if the sides merged meanwhile: the others must see it leave (their totem never
 * got the message it delivered). */
static void component(ha_sim *sim, const sim_node *n, GArray *out)
{
	unsigned i;

	g_array_set_size(out, 0);
	if (n->cut) {
		ha__nodeset_add(out, n->id);
		return;
	}
	for (i = 0; i < sim->o.nodes; i++) {
		const sim_node *m = &sim->nodes[i];

		if (m->cs_up && m->side == n->side && !m->cut)
			ha__nodeset_add(out, m->id);
	}
}

/* A ring whose members can no longer all talk to each other (or one of which
 * restarted its corosync) has lost its token: it orders nothing until the new
 * configuration forms. */
static bool ring_broken(ha_sim *sim, const sim_node *n)
{
	GArray *comp;
	bool broken;
	guint i;

	if (!sim->reform_pending)
		return false;
	comp = ha__nodeset_new();
	component(sim, n, comp);
	broken = !ha__nodeset_equal(comp, n->ring_members);
	for (i = 0; !broken && i < comp->len; i++)
		broken = ha__sim_node(sim, ha__nodeset_ids(comp)[i])->ring != n->ring;
	g_array_free(comp, TRUE);
	return broken;
}

static void schedule_reform(ha_sim *sim)
{
	if (sim->reform_pending)
		return; /* the pending change will see the latest connectivity */
	sim->reform_pending = true;
	sim->reform_at = sim->now + sim->o.detect_ms;
	sim->reform_seq = sim->seq++;
}

/* n's process is a member of its node's group (its join was ordered). */
static bool in_group(const sim_node *n)
{
	return n->proc && n->proc->connected && n->gpid && n->proc->pid == n->gpid;
}

static bool same_group(const sim_node *a, const sim_node *b)
{
	return a->gpid && b->gpid && a->grp && b->grp && !strcmp(a->grp, b->grp);
}

static sim_item *membership_item(ha_sim *sim, uint64_t ring, uint64_t cfg, const GArray *members)
{
	sim_item *it = ha__sim_item_new(sim, ITEM_MEMBERSHIP);

	it->ring = ring;
	it->cfg = cfg;
	it->members = ha__nodeset_new();
	ha__nodeset_copy(it->members, members);
	it->joined = ha__nodeset_new();
	it->left = ha__nodeset_new();
	it->why = g_array_new(FALSE, FALSE, sizeof(ha_leave_reason));
	return it;
}

/* Tell m's process about its new ring: quorum always, membership if it is in a
 * group. Which of the two comes first is left to the PRNG, as corosync leaves it to
 * two independent IPC channels. */
static void notify_ring(ha_sim *sim, sim_node *m, uint64_t cfg)
{
	GArray *group;
	sim_item *it, *q;
	unsigned i;
	ha_leave_reason down = HA_LEAVE_NODEDOWN;

	if (!m->proc || !m->proc->connected)
		return;
	if (!in_group(m)) {
		ha__sim_queue_quorum(sim, m, sim->now);
		return;
	}
	group = ha__nodeset_new();
	for (i = 0; i < m->ring_members->len; i++) {
		sim_node *x = ha__sim_node(sim, ha__nodeset_ids(m->ring_members)[i]);

		if (same_group(x, m))
			ha__nodeset_add(group, x->id);
	}
	it = membership_item(sim, m->ring, cfg, group);
	ha__nodeset_minus(it->joined, group, m->view);
	ha__nodeset_minus(it->left, m->view, group);
	for (i = 0; i < it->left->len; i++)
		g_array_append_val(it->why, down);
	ha__nodeset_copy(m->view, group);
	g_array_free(group, TRUE);

	q = quorum_item(sim, m);
	if (ha__sim_random(sim, 2)) {
		ha__sim_qinbox_push(sim, m, q,
				    sim->now + ha__sim_rand_range(sim, 0, sim->o.quorum_max_ms));
		ha__sim_inbox_push(sim, m, it, MAX(delivery_time(sim), q->time + 1));
	} else {
		ha__sim_inbox_push(sim, m, it, delivery_time(sim));
		ha__sim_qinbox_push(sim, m, q,
				    it->time + 1 + ha__sim_rand_range(sim, 0, sim->o.quorum_max_ms));
	}
}

static void new_ring(ha_sim *sim, const GArray *comp)
{
	uint64_t ring = 0, cfg;
	bool quorate = 2 * comp->len > sim->o.nodes;
	char *s;
	guint i;

	for (i = 0; i < comp->len; i++)
		ring = MAX(ring, ha__sim_node(sim, ha__nodeset_ids(comp)[i])->ring);
	ring += 4; /* as totem: above every member's previous ring */
	s = ha__sim_fmt_set(comp);
	ha__sim_logf(sim, "ring %" PRIu64 " members %s%s", ring, s, quorate ? " quorate" : "");
	g_free(s);
	for (i = 0; i < comp->len; i++) {
		sim_node *m = ha__sim_node(sim, ha__nodeset_ids(comp)[i]);

		m->ring = ring;
		ha__nodeset_copy(m->ring_members, comp);
		m->quorate = quorate;
	}
	cfg = ++sim->cfgno;
	for (i = 0; i < comp->len; i++)
		notify_ring(sim, ha__sim_node(sim, ha__nodeset_ids(comp)[i]), cfg);
}

/* The pending configuration change: every group of nodes that can talk to each
 * other and is not exactly one ring forms a new ring. */
static void reform(ha_sim *sim)
{
	GArray *comp = ha__nodeset_new();
	bool *done = g_new0(bool, sim->o.nodes), cut = false;
	unsigned i;
	guint j;

	sim->reform_pending = false;
	for (i = 0; i < sim->o.nodes; i++) {
		if (sim->nodes[i].cut)
			cut = true;
	}
	for (i = 0; i < sim->o.nodes; i++) {
		sim_node *n = &sim->nodes[i];
		bool same = true;

		if (!n->cs_up || done[i])
			continue;
		component(sim, n, comp);
		for (j = 0; j < comp->len; j++) {
			sim_node *m = ha__sim_node(sim, ha__nodeset_ids(comp)[j]);

			done[m->id - 1] = true;
			if (m->ring != n->ring || !ha__nodeset_equal(m->ring_members, comp))
				same = false;
		}
		if (!same)
			new_ring(sim, comp);
	}
	g_free(done);
	g_array_free(comp, TRUE);
	if (cut) {
		/* The cut nodes have left; if they can talk to the others by now, a merge
		 * follows like any other. */
		for (i = 0; i < sim->o.nodes; i++)
			sim->nodes[i].cut = false;
		schedule_reform(sim);
	}
}

/* ---- ordering ----------------------------------------------------------------------- */

/* Queue a membership change of n's group for every member that has a process in it. */
static void announce(ha_sim *sim, sim_node *n, const char *grp, uint32_t who, bool join,
		     ha_leave_reason why)
{
	uint64_t cfg = ++sim->cfgno;
	guint i;

	for (i = 0; i < n->ring_members->len; i++) {
		sim_node *x = ha__sim_node(sim, ha__nodeset_ids(n->ring_members)[i]);
		sim_item *it;

		if (!in_group(x) || strcmp(x->grp, grp))
			continue;
		if (join && x == n) {
			/* Our own join: everyone already there plus us. */
			guint k;

			g_array_set_size(x->view, 0);
			for (k = 0; k < n->ring_members->len; k++) {
				sim_node *y = ha__sim_node(sim, ha__nodeset_ids(n->ring_members)[k]);

				if (same_group(y, n))
					ha__nodeset_add(x->view, y->id);
			}
		} else if (join) {
			ha__nodeset_add(x->view, who);
		} else {
			ha__nodeset_remove(x->view, who);
		}
		it = membership_item(sim, n->ring, cfg, x->view);
		if (join) {
			ha__nodeset_add(it->joined, who);
		} else {
			ha__nodeset_add(it->left, who);
			g_array_append_val(it->why, why);
		}
		ha__sim_inbox_push(sim, x, it, delivery_time(sim));
	}
}

static void order_msg(ha_sim *sim, sim_node *n, sim_out *o)
{
	uint64_t no;
	GString *to;
	guint i;

	if (n->gpid != o->pid) {
		ha__sim_logf(sim, "%s message dropped: its process is not in the group", n->name);
		return;
	}
	no = ++sim->msgno;
	to = g_string_new(NULL);
	for (i = 0; i < n->ring_members->len; i++) {
		sim_node *x = ha__sim_node(sim, ha__nodeset_ids(n->ring_members)[i]);
		sim_item *it;

		if (!in_group(x) || strcmp(x->grp, n->grp))
			continue;
		if (n->cut_next && x != n)
			continue;
		it = ha__sim_item_new(sim, ITEM_DELIVER);
		it->from = n->id;
		it->msgno = no;
		it->msg = g_bytes_ref(o->msg);
		ha__sim_inbox_push(sim, x, it, delivery_time(sim));
		g_string_append_printf(to, "%s%" PRIu32, to->len ? "," : "", x->id);
	}
	ha__sim_logf(sim, "%s order #%" PRIu64 " (%zu bytes) ring %" PRIu64 " -> [%s]%s",
		     n->name, no, g_bytes_get_size(o->msg), n->ring, to->str,
		     n->cut_next ? " then cut" : "");
	g_string_free(to, TRUE);
	if (n->cut_next) {
		/* Delivered to the sender only; it is cut off before anyone else gets it. */
		n->cut_next = false;
		n->cut = true;
		n->side = sim->next_side++;
		schedule_reform(sim);
	}
}

static void order(ha_sim *sim, sim_node *n)
{
	sim_out *o = g_queue_pop_head(&n->outq);

	switch (o->kind) {
	case OUT_MSG:
		order_msg(sim, n, o);
		break;
	case OUT_JOIN:
		n->gpid = o->pid;
		g_free(n->grp);
		n->grp = g_strdup(o->group);
		ha__sim_logf(sim, "%s order join %s ring %" PRIu64, n->name, o->group, n->ring);
		announce(sim, n, n->grp, n->id, true, 0);
		break;
	case OUT_LEAVE:
		if (n->gpid == o->pid) {
			char *grp = n->grp;

			n->gpid = 0;
			n->grp = NULL;
			ha__sim_logf(sim, "%s order leave %s (%s) ring %" PRIu64, n->name, grp,
				     o->why == HA_LEAVE_CLEAN ? "clean" : "procdown", n->ring);
			announce(sim, n, grp, n->id, false, o->why);
			g_free(grp);
		}
		break;
	}
	ha__sim_out_free(o);
}

/* ---- scheduler ---------------------------------------------------------------------- */

typedef enum { EV_NONE, EV_REFORM, EV_ORDER, EV_INBOX, EV_QUORUM, EV_TIMER } ev_kind;

typedef struct {
	ev_kind kind;
	uint64_t time, seq;
	sim_node *n;
} candidate;

static void consider(candidate *c, ev_kind kind, uint64_t time, uint64_t seq, sim_node *n,
		     uint64_t now)
{
	time = MAX(time, now);
	if (c->kind == EV_NONE || time < c->time || (time == c->time && seq < c->seq))
		*c = (candidate){ .kind = kind, .time = time, .seq = seq, .n = n };
}

static candidate next_event(ha_sim *sim)
{
	candidate c = { .kind = EV_NONE };
	unsigned i;

	if (sim->reform_pending)
		consider(&c, EV_REFORM, sim->reform_at, sim->reform_seq, NULL, sim->now);
	for (i = 0; i < sim->o.nodes; i++) {
		sim_node *n = &sim->nodes[i];
		sim_out *o = g_queue_peek_head(&n->outq);
		sim_item *it;
		sim_timer *tm;

		if (o && n->cs_up && !ring_broken(sim, n))
			consider(&c, EV_ORDER, o->time, o->seq, n, sim->now);
		if (n->stalled)
			continue;
		if ((it = g_queue_peek_head(&n->inbox)))
			consider(&c, EV_INBOX, it->time, it->seq, n, sim->now);
		if ((it = g_queue_peek_head(&n->qinbox)))
			consider(&c, EV_QUORUM, it->time, it->seq, n, sim->now);
		if ((tm = g_queue_peek_head(&n->timers)))
			consider(&c, EV_TIMER, tm->time, tm->seq, n, sim->now);
	}
	return c;
}

static void run_event(ha_sim *sim, const candidate *c)
{
	sim_item *it;
	sim_timer *tm;

	sim->now = c->time;
	switch (c->kind) {
	case EV_NONE:
		break;
	case EV_REFORM:
		reform(sim);
		break;
	case EV_ORDER:
		order(sim, c->n);
		break;
	case EV_INBOX:
		it = g_queue_pop_head(&c->n->inbox);
		ha__sim_transport_dispatch(sim, c->n, it);
		ha__sim_item_free(it);
		break;
	case EV_QUORUM:
		it = g_queue_pop_head(&c->n->qinbox);
		ha__sim_transport_dispatch(sim, c->n, it);
		ha__sim_item_free(it);
		break;
	case EV_TIMER:
		tm = g_queue_pop_head(&c->n->timers);
		ha__sim_logf(sim, "%s timer %" PRIu64, c->n->name, tm->id);
		tm->fn(tm->ud);
		g_free(tm);
		break;
	}
}

bool ha__sim_step(ha_sim *sim)
{
	candidate c = next_event(sim);

	if (c.kind == EV_NONE)
		return false;
	run_event(sim, &c);
	return true;
}

size_t ha__sim_run_until(ha_sim *sim, uint64_t t)
{
	size_t count = 0;

	for (;;) {
		candidate c = next_event(sim);

		if (c.kind == EV_NONE || c.time > t)
			break;
		run_event(sim, &c);
		count++;
	}
	sim->now = MAX(sim->now, t);
	return count;
}

size_t ha__sim_run(ha_sim *sim, size_t max_events)
{
	size_t count = 0;

	while (count < max_events && ha__sim_step(sim))
		count++;
	return count;
}

uint64_t ha__sim_now(const ha_sim *sim)
{
	return sim->now;
}

uint64_t ha__sim_node_now(const ha_sim *sim, uint32_t node)
{
	const sim_node *n = const_node(sim, node);
	int64_t off = n ? n->offset : 0;

	return (uint64_t)((int64_t)(HA_SIM_EPOCH_MS + sim->now) + off);
}

int ha__sim_set_clock_offset(ha_sim *sim, uint32_t node, int64_t offset_ms)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n || offset_ms > (int64_t)HA_SIM_EPOCH_MS || offset_ms < -(int64_t)HA_SIM_EPOCH_MS)
		return -EINVAL;
	n->offset = offset_ms;
	return 0;
}

/* ---- timers ------------------------------------------------------------------------- */

uint64_t ha__sim_timer_add(ha_sim *sim, uint32_t node, uint64_t delay_ms, ha_sim_timer_fn fn,
			   void *ud)
{
	sim_node *n = ha__sim_node(sim, node);
	sim_timer *tm;
	GList *l;

	if (!n || !fn || delay_ms > UINT64_MAX / 2)
		return 0;
	tm = g_new0(sim_timer, 1);
	tm->time = sim->now + delay_ms;
	tm->seq = sim->seq++;
	tm->id = ++sim->next_timer;
	tm->fn = fn;
	tm->ud = ud;
	/* Sorted by (time, seq); the newest has the highest seq, so it goes after every
	 * timer due at the same time. Searching from the tail keeps the common case
	 * (timers added in due order) O(1). */
	for (l = n->timers.tail; l && ((sim_timer *)l->data)->time > tm->time; l = l->prev)
		;
	if (l)
		g_queue_insert_after(&n->timers, l, tm);
	else
		g_queue_push_head(&n->timers, tm);
	return tm->id;
}

bool ha__sim_timer_cancel(ha_sim *sim, uint64_t id)
{
	unsigned i;
	GList *l;

	for (i = 0; i < sim->o.nodes; i++) {
		sim_node *n = &sim->nodes[i];

		for (l = n->timers.head; l; l = l->next) {
			if (((sim_timer *)l->data)->id == id) {
				g_free(l->data);
				g_queue_delete_link(&n->timers, l);
				return true;
			}
		}
	}
	return false;
}

/* ---- faults ------------------------------------------------------------------------- */

int ha__sim_partition(ha_sim *sim, const unsigned *side, size_t n)
{
	unsigned i, max = 0;

	if (!sim || !side || n != sim->o.nodes)
		return -EINVAL;
	for (i = 0; i < sim->o.nodes; i++) {
		sim->nodes[i].side = side[i];
		max = MAX(max, side[i]);
	}
	sim->next_side = max + 1;
	ha__sim_logf(sim, "partition");
	schedule_reform(sim);
	return 0;
}

int ha__sim_isolate(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	n->side = sim->next_side++;
	ha__sim_logf(sim, "isolate %s", n->name);
	schedule_reform(sim);
	return 0;
}

int ha__sim_merge(ha_sim *sim)
{
	unsigned i;

	if (!sim)
		return -EINVAL;
	for (i = 0; i < sim->o.nodes; i++)
		sim->nodes[i].side = 0;
	sim->next_side = 1;
	ha__sim_logf(sim, "merge");
	schedule_reform(sim);
	return 0;
}

/* Corosync on n is gone: its state (order queue, group record, ring) with it. */
static void corosync_down(ha_sim *sim, sim_node *n)
{
	n->cs_up = false;
	clear_outq(n);
	n->gpid = 0;
	g_free(n->grp);
	n->grp = NULL;
	g_array_set_size(n->ring_members, 0);
	n->quorate = false;
	n->cut_next = false;
	n->cut = false;
	schedule_reform(sim);
}

int ha__sim_crash(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	if (!n->cs_up && !n->proc)
		return -EALREADY;
	ha__sim_logf(sim, "crash %s", n->name);
	if (n->proc)
		ha__sim_transport_kill(n->proc);
	ha__sim_clear_process_queues(n, true);
	n->stalled = false;
	if (n->cs_up)
		corosync_down(sim, n);
	return 0;
}

int ha__sim_restart(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	if (n->cs_up)
		return -EALREADY;
	/* Corosync first forms a ring of its own (its ring id continues from the one it
	 * kept on disk), then merges with whoever it can reach. */
	n->cs_up = true;
	n->ring += 4;
	g_array_set_size(n->ring_members, 0);
	ha__nodeset_add(n->ring_members, n->id);
	n->quorate = 2 > sim->o.nodes;
	ha__sim_logf(sim, "restart %s: ring %" PRIu64, n->name, n->ring);
	if (n->proc && !n->proc->connected)
		ha__sim_inbox_push(sim, n, ha__sim_item_new(sim, ITEM_RECONNECT),
				   sim->now + sim->o.reconnect_ms);
	schedule_reform(sim);
	return 0;
}

int ha__sim_kill_process(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);
	sim_transport *t;

	if (!n)
		return -EINVAL;
	if (!(t = n->proc))
		return -ESRCH;
	ha__sim_logf(sim, "kill process of %s", n->name);
	/* Its corosync notices the closed IPC connection and announces PROCDOWN, after
	 * what the process had already handed over. */
	if (t->connected && t->group && n->cs_up) {
		sim_out *o = g_new0(sim_out, 1);

		o->kind = OUT_LEAVE;
		o->pid = t->pid;
		o->why = HA_LEAVE_PROCDOWN;
		ha__sim_out_push(sim, n, o);
	}
	ha__sim_transport_kill(t);
	ha__sim_clear_process_queues(n, true);
	n->stalled = false;
	return 0;
}

int ha__sim_kill_corosync(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	if (!n->cs_up)
		return -EALREADY;
	ha__sim_logf(sim, "kill corosync of %s", n->name);
	corosync_down(sim, n);
	if (n->proc && n->proc->connected) {
		sim_item *it = ha__sim_item_new(sim, ITEM_CONNECTION);

		n->proc->connected = false;
		ha__sim_clear_process_queues(n, false);
		it->err = -ENOTCONN;
		ha__sim_inbox_push(sim, n, it, sim->now);
	}
	return 0;
}

int ha__sim_stall(ha_sim *sim, uint32_t node, bool stalled)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	n->stalled = stalled;
	ha__sim_logf(sim, "%s %s", stalled ? "stall" : "release", n->name);
	return 0;
}

int ha__sim_cut_after_own_delivery(ha_sim *sim, uint32_t node)
{
	sim_node *n = ha__sim_node(sim, node);

	if (!n)
		return -EINVAL;
	if (!n->cs_up)
		return -ENOTCONN;
	n->cut_next = true;
	return 0;
}

/* ---- inspection --------------------------------------------------------------------- */

bool ha__sim_corosync_up(const ha_sim *sim, uint32_t node)
{
	const sim_node *n = const_node(sim, node);

	return n && n->cs_up;
}

uint64_t ha__sim_ring_id(const ha_sim *sim, uint32_t node)
{
	const sim_node *n = const_node(sim, node);

	return n && n->cs_up ? n->ring : 0;
}

bool ha__sim_quorate(const ha_sim *sim, uint32_t node)
{
	const sim_node *n = const_node(sim, node);

	return n && n->cs_up && n->quorate;
}

size_t ha__sim_backlog(const ha_sim *sim, uint32_t node)
{
	const sim_node *n = const_node(sim, node);

	return n ? n->inbox.length + n->qinbox.length : 0;
}
