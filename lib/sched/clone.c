/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clone assignment, anonymous and promotable (Pacemaker 2.1.5's
 * pcmk__clone_assign/distribute_children and promotion ranking):
 *  1. the clone's own node scores: its locations, its colocations with other
 *     resources, and the positive, scaled preferences of resources colocated with it;
 *  2. instances active on a usable node stay there if that node is as good as their
 *     best one; the others are placed one by one, at most clone-node-max per node,
 *     clone-max in all;
 *  3. promotable clones: each placed instance gets a promotion value (the node's
 *     master-<rsc> attribute or -1, Promoted-role locations, the clone's node score,
 *     Promoted-role colocations) and the best promoted-max values >= 0 are promoted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static sc_rsc *first_prim(sc_rsc *x)
{
	while (x->prim_idx < 0 && x->children && x->children->len)
		x = g_ptr_array_index(x->children, 0);
	return x;
}

static sc_rsc *last_prim(sc_rsc *x)
{
	while (x->prim_idx < 0 && x->children && x->children->len)
		x = g_ptr_array_index(x->children, x->children->len - 1);
	return x;
}

/* Instance primitives: the instance itself, or its group members. */
static void inst_prims(sc_rsc *inst, GPtrArray *out)
{
	if (inst->prim_idx >= 0) {
		g_ptr_array_add(out, inst);
		return;
	}
	for (guint i = 0; i < inst->children->len; i++)
		inst_prims(g_ptr_array_index(inst->children, i), out);
}

static bool inst_active(const sched *s, sc_rsc *inst, int *node, bool *failed)
{
	GPtrArray *prims = g_ptr_array_new();
	inst_prims(inst, prims);
	*node = -1;
	*failed = false;
	for (guint i = 0; i < prims->len; i++) {
		sc_rsc *p = g_ptr_array_index(prims, i);
		if (p->running_on >= 0 && *node < 0)
			*node = p->running_on;
		if (p->running_on >= 0 && sc_state_at(s, p, p->running_on)->failed)
			*failed = true;
	}
	g_ptr_array_free(prims, TRUE);
	return *node >= 0;
}

/* Pacemaker's can_run_instance: the clone must allow the node and the node must
 * not be full; otherwise the instance is banned there. Counting instances per node
 * once per call keeps this O(instances + nodes), not O(instances x nodes). */
static void limit_instance(sched *s, sc_rsc *clone, sc_rsc *inst)
{
	int nn = s->nnodes;
	int *count = g_new0(int, nn ? nn : 1);
	for (guint i = 0; i < clone->children->len; i++) {
		const sc_rsc *c = g_ptr_array_index(clone->children, i);
		if (c->node >= 0)
			count[c->node]++;
	}
	GPtrArray *prims = g_ptr_array_new();
	inst_prims(inst, prims);
	for (int n = 0; n < nn; n++) {
		int ban = 0;
		/* the clone's own score (without the instance's stickiness) must allow it */
		if (clone->score[n] == SC_NONE || !sc_node_usable(&s->nodes[n]) || clone->score[n] < 0)
			ban = -HA_INF;
		else if (count[n] >= clone->clone_node_max)
			ban = -HA_INF;
		if (!ban)
			continue;
		for (guint i = 0; i < prims->len; i++) {
			sc_rsc *p = g_ptr_array_index(prims, i);
			if (p->score[n] == SC_NONE)
				continue;
			int before = p->score[n];
			p->score[n] = ha__score_add(p->score[n], ban);
			ha__sc_why(p, WHY_CLONE, n, before, p->score[n], "clone limit", clone->r->id);
		}
	}
	g_ptr_array_free(prims, TRUE);
	g_free(count);
}

/* Insert c into a colocation list kept in Pacemaker's order, before the first entry
 * that does not sort before it (g_list_insert_sorted). */
static void insert_sorted(GPtrArray *list, sc_coloc *c,
			  int (*cmp)(const sc_coloc *, const sc_coloc *))
{
	guint pos = 0;
	while (pos < list->len && cmp(c, g_ptr_array_index(list, pos)) > 0)
		pos++;
	g_ptr_array_insert(list, (gint)pos, c);
}

/* The clone's colocations as the instance's own (Pacemaker's append_parent_colocation).
 * They go into the instance's lists in sorted position, as pcmk__add_this_with and
 * pcmk__add_with_this do, not in front: the order decides which of several
 * dependents' preferences is rolled back for an instance (tests/diff 920). Like
 * Pacemaker 2.1.5, every assignment attempt adds them again, so an instance whose
 * pre-assignment to its current node was undone takes them in twice (crm_simulate
 * shows the doubled scores). */
static void inherit_colocations(sc_rsc *clone, sc_rsc *inst, bool all)
{
	sc_rsc *first = first_prim(inst), *last = last_prim(inst);
	for (guint i = 0; i < clone->this_with->len; i++) {
		sc_coloc *c = g_ptr_array_index(clone->this_with, i);
		if (all || c->score < 0 || c->score >= HA_INF)
			insert_sorted(first->this_with, c, ha__sc_cmp_coloc_primary);
	}
	for (guint i = 0; i < clone->with_this->len; i++) {
		sc_coloc *c = g_ptr_array_index(clone->with_this, i);
		if (all || c->score < 0)
			insert_sorted(c->score >= HA_INF ? last->with_this : first->with_this, c,
				      ha__sc_cmp_coloc_dependent);
	}
}

static void set_prefer(sc_rsc *x, int node)
{
	x->prefer = node;
	for (guint i = 0; x->children && i < x->children->len; i++)
		set_prefer(g_ptr_array_index(x->children, i), node);
}

static void save_scores(sched *s, sc_rsc *inst, GPtrArray *backup)
{
	GPtrArray *prims = g_ptr_array_new();
	inst_prims(inst, prims);
	for (guint i = 0; i < prims->len; i++) {
		sc_rsc *p = g_ptr_array_index(prims, i);
		g_ptr_array_add(backup, g_memdup2(p->score, sizeof(int) * (size_t)s->nnodes));
	}
	g_ptr_array_free(prims, TRUE);
}

static void restore_scores(sched *s, sc_rsc *inst, GPtrArray *backup)
{
	GPtrArray *prims = g_ptr_array_new();
	inst_prims(inst, prims);
	for (guint i = 0; i < prims->len && i < backup->len; i++) {
		sc_rsc *p = g_ptr_array_index(prims, i);
		memcpy(p->score, g_ptr_array_index(backup, i), sizeof(int) * (size_t)s->nnodes);
	}
	g_ptr_array_free(prims, TRUE);
}

static bool assign_instance(sched *s, sc_rsc *clone, sc_rsc *inst, int prefer, bool all)
{
	if (!inst->provisional)
		return inst->node >= 0;
	inherit_colocations(clone, inst, all);
	if (prefer >= 0) {
		sc_rsc *f = first_prim(inst);
		if (f->score[prefer] == SC_NONE || f->score[prefer] < 0 || clone->score[prefer] == SC_NONE ||
		    clone->score[prefer] < 0)
			return false;
	}
	limit_instance(s, clone, inst);
	GPtrArray *backup = g_ptr_array_new_with_free_func(g_free);
	save_scores(s, inst, backup);
	set_prefer(inst, prefer);
	ha__sc_assign_rsc(s, inst);
	set_prefer(inst, -1);
	int chosen = inst->prim_idx >= 0 ? inst->node : first_prim(inst)->node;
	if (chosen >= 0 && prefer >= 0 && chosen != prefer && inst->prim_idx < 0) {
		/* A cloned group that would rather go elsewhere than its current node is
		 * not put back: Pacemaker's pcmk__unassign_resource does nothing for a
		 * group (a group has no node of its own), so its members keep the node
		 * they were given; it just does not count as pre-assigned (tests/diff
		 * 925). */
		inst->node = chosen;
		g_ptr_array_free(backup, TRUE);
		return false;
	}
	if (chosen >= 0 && prefer >= 0 && chosen != prefer) {
		restore_scores(s, inst, backup);
		ha__sc_unassign(s, inst);
		chosen = -1;
	}
	if (inst->prim_idx < 0)
		inst->node = chosen;
	g_ptr_array_free(backup, TRUE);
	return chosen >= 0;
}

/* Does the resource history on node n count? Without fencing, Pacemaker does not read
 * the history of a node that is down (what ran there is stopped, and a probe there
 * tells nothing): it makes no instance known there (tests/diff 927). */
static bool history_counts(const sched *s, int n)
{
	const sc_node *node = &s->nodes[n];
	return node->online || node->unclean || node->frozen || s->opts->stonith_enabled;
}

/* Which instance owns the copy active on each node (-1: none): status.c gives the j-th
 * node, in node order, with an active copy to instance j. Filled once per clone. */
static int *active_owners(const sched *s, sc_rsc *clone)
{
	int *owner = g_new(int, s->nnodes ? s->nnodes : 1);
	for (int n = 0; n < s->nnodes; n++) {
		owner[n] = -1;
		for (guint i = 0; i < clone->children->len && owner[n] < 0; i++) {
			sc_rsc *inst = g_ptr_array_index(clone->children, i);
			if (sc_state_at(s, first_prim(inst), n)->role >= HA_ROLE_STARTED)
				owner[n] = (int)i;
		}
	}
	return owner;
}

/* The nodes whose history Pacemaker gives to instance inst (its known_on). A node's
 * history of an anonymous clone goes to the instance active there, or else to the
 * lowest-numbered instance not yet active on a node read before it
 * (find_anonymous_clone): so a node probed without an active copy belongs to the
 * instance numbered after the active copies before it. Returns whether inst has
 * history anywhere. */
static bool inst_known(const sched *s, sc_rsc *inst, const int *owner, bool *known)
{
	int active_before = 0;
	bool any = false;
	for (int n = 0; n < s->nnodes; n++) {
		if (owner[n] >= 0) {
			known[n] = owner[n] == inst->instance;
			active_before++;
		} else {
			known[n] = sc_state_at(s, first_prim(inst), n)->role != HA_ROLE_UNKNOWN &&
				   history_counts(s, n) && active_before == inst->instance;
		}
		any |= known[n];
	}
	return any;
}

/* Does the instance's promotion attribute count on node n (Pacemaker's
 * promotion_score_applies, anonymous clones)? It does where the instance is active;
 * on a node without an active copy where the resource has been probed (by any
 * instance); everywhere for an instance with no history at all; where the instance
 * has history. In every case only if the instance's score there is >= 0 (tests/diff
 * 909, 364). */
static bool promo_applies(const sched *s, sc_rsc *inst, int n, const int *owner,
			  const bool *known, bool any_history)
{
	sc_rsc *p = first_prim(inst);
	bool applies;
	if (owner[n] == inst->instance)
		applies = true;
	else if (owner[n] < 0 && sc_state_at(s, p, n)->role != HA_ROLE_UNKNOWN &&
		 history_counts(s, n))
		applies = true;
	else
		applies = !any_history || known[n];
	return applies && p->score[n] != SC_NONE && p->score[n] >= 0;
}

/* The instance's master-<rsc> attribute on node n, if it counts there. */
static const char *promo_attr(const sched *s, sc_rsc *inst, int n, const int *owner,
			      const bool *known, bool any_history, bool *found)
{
	sc_rsc *p = first_prim(inst);
	*found = false;
	if (!promo_applies(s, inst, n, owner, known, any_history))
		return NULL;
	char name[512];
	snprintf(name, sizeof(name), "master-%s", p->r->id);
	const char *v = g_hash_table_lookup(s->nodes[n].attrs, name);
	*found = v != NULL;
	return v;
}

static int promoted_locations(const sched *s, const sc_rsc *clone, int n)
{
	(void)s;
	return clone->promo_loc ? clone->promo_loc[n] : 0;
}

static int cmp_promo(const void *a, const void *b)
{
	const sc_rsc *x = *(sc_rsc *const *)a, *y = *(sc_rsc *const *)b;
	if (x->promo_score != y->promo_score)
		return x->promo_score > y->promo_score ? -1 : 1;
	bool px = x->cur_role == HA_ROLE_PROMOTED, py = y->cur_role == HA_ROLE_PROMOTED;
	if (px != py)
		return px ? -1 : 1;
	return x->instance - y->instance;
}

static void set_role(sc_rsc *inst, ha_role role)
{
	inst->next_role = role;
	for (guint i = 0; inst->children && i < inst->children->len; i++)
		set_role(g_ptr_array_index(inst->children, i), role);
}

static void promote(sched *s, sc_rsc *clone)
{
	int nn = s->nnodes;
	/* Promoted-role colocations of other resources with this clone. */
	int *extra = g_new0(int, nn ? nn : 1);
	for (guint i = 0; i < clone->with_this->len; i++) {
		const sc_coloc *c = g_ptr_array_index(clone->with_this, i);
		if (c->prim_role != HA_ROLE_PROMOTED)
			continue;
		ha__sc_merge(s, c->dep, extra, c->node_attr, (float)c->score / (float)HA_INF, false);
	}
	GPtrArray *placed = g_ptr_array_new();
	int *owner = active_owners(s, clone);
	bool *known = g_new(bool, nn ? nn : 1);
	for (guint i = 0; i < clone->children->len; i++) {
		sc_rsc *inst = g_ptr_array_index(clone->children, i);
		sc_rsc *f = first_prim(inst);
		if (inst->prim_idx < 0)
			inst->cur_role = f->cur_role;
		int n = f->node;
		if (n < 0)
			continue;
		bool found, any_history = inst_known(s, inst, owner, known);
		const char *attr = promo_attr(s, inst, n, owner, known, any_history, &found);
		int v = -1;
		if (found && ha__score_parse(attr, &v) < 0)
			v = 0;
		v = ha__score_add(v, promoted_locations(s, clone, n));
		/* the clone's node score counts only once the value so far is >= 0 */
		if (clone->score[n] != SC_NONE && v >= 0)
			v = ha__score_add(v, clone->score[n]);
		/* Promoted-role colocations count, like the clone's score, only for a value
		 * that is >= 0, and never turn a positive value negative (it becomes 1). */
		if (v >= 0) {
			int nv = ha__score_add(v, extra[n]);
			if (nv < 0)
				nv = v > 0 ? 1 : v;
			v = nv;
		}
		/* "clone (Promoted) with X": the instance next to X gains X's score. */
		for (guint j = 0; j < clone->this_with->len; j++) {
			const sc_coloc *c = g_ptr_array_index(clone->this_with, j);
			if (c->dep_role != HA_ROLE_PROMOTED)
				continue;
			int pn = c->prim->prim_idx >= 0 ? c->prim->node : first_prim(c->prim)->node;
			if (pn == n)
				v = ha__score_add(v, c->score);
			else if (c->score >= HA_INF)
				v = -HA_INF;
		}
		inst->promo_score = v;
		g_ptr_array_add(placed, inst);
	}
	if (placed->len > 1)
		qsort(placed->pdata, placed->len, sizeof(gpointer), cmp_promo);
	int promoted = 0;
	int *per_node = g_new0(int, nn ? nn : 1);
	bool demote_all = !s->have_quorum && s->opts->no_quorum_policy == HA_NQP_DEMOTE;
	for (guint i = 0; i < placed->len; i++) {
		sc_rsc *inst = g_ptr_array_index(placed, i);
		int n = first_prim(inst)->node;
		bool yes = !demote_all && inst->promo_score >= 0 && promoted < clone->promoted_max &&
			   per_node[n] < clone->promoted_node_max;
		if (yes) {
			promoted++;
			per_node[n]++;
		}
		set_role(inst, yes ? HA_ROLE_PROMOTED : HA_ROLE_UNPROMOTED);
	}
	/* Pacemaker sorts the clone's children by promotion priority and keeps them so:
	 * colocations with the clone are applied in this order (tests/diff 918). Unplaced
	 * instances keep their relative order behind, where they do not matter. */
	if (clone->inst_order) {
		for (guint i = 0; i < clone->inst_order->len; i++) {
			sc_rsc *inst = g_ptr_array_index(clone->inst_order, i);
			if (first_prim(inst)->node < 0)
				g_ptr_array_add(placed, inst);
		}
		g_ptr_array_free(clone->inst_order, TRUE);
	}
	clone->inst_order = placed;
	g_free(per_node);
	g_free(extra);
	g_free(known);
	g_free(owner);
}

/* What decides the order in which a clone's instances are assigned (Pacemaker's
 * pcmk__cmp_instance, for anonymous instances active on one node at most). */
typedef struct inst_key {
	bool disallowed; /* active where its own score is < 0: last, and counted inactive */
	int priority;    /* its priority; a promotable instance's best promotion score */
	bool active;
	bool usable;     /* its current node can run resources */
	bool in_clone;   /* the clone is allowed on its current node */
	bool failed;
	int coloc;       /* its current node's score from the clone's colocations */
} inst_key;

static int cmp_instances(const void *a, const void *b, void *data)
{
	const inst_key *key = data; /* by instance number */
	const sc_rsc *x = *(sc_rsc *const *)a, *y = *(sc_rsc *const *)b;
	const inst_key *kx = &key[x->instance], *ky = &key[y->instance];
	if (kx->disallowed != ky->disallowed)
		return kx->disallowed ? 1 : -1;
	if (kx->priority != ky->priority)
		return kx->priority > ky->priority ? -1 : 1;
	if (kx->active != ky->active)
		return kx->active ? -1 : 1;
	if (kx->active) {
		if (kx->usable != ky->usable)
			return kx->usable ? -1 : 1;
		if (kx->in_clone != ky->in_clone)
			return kx->in_clone ? -1 : 1;
		if (kx->failed != ky->failed)
			return kx->failed ? 1 : -1;
		if (kx->coloc != ky->coloc)
			return kx->coloc > ky->coloc ? -1 : 1;
	}
	return x->instance - y->instance;
}

static void instance_key(sched *s, sc_rsc *clone, sc_rsc *inst, inst_key *k)
{
	int node;
	bool failed;
	memset(k, 0, sizeof(*k));
	k->priority = inst->priority;
	if (!inst_active(s, inst, &node, &failed))
		return;
	const sc_rsc *f = first_prim(inst);
	if (f->score[node] == SC_NONE || f->score[node] < 0) {
		k->disallowed = true;
		return;
	}
	k->active = true;
	k->usable = sc_node_usable(&s->nodes[node]);
	k->in_clone = clone->score[node] != SC_NONE;
	k->failed = failed;
	/* Pacemaker's cmp_instance_by_colocation: the current node alone, from 0, takes
	 * in the clone's colocations (its primaries' scores, its dependents' positive
	 * ones), so of two active instances the one on the node those prefer goes first. */
	int nn = s->nnodes;
	int *t = g_new(int, nn);
	for (int n = 0; n < nn; n++)
		t[n] = SC_NONE;
	t[node] = 0;
	for (guint i = 0; i < clone->this_with->len; i++) {
		const sc_coloc *c = g_ptr_array_index(clone->this_with, i);
		ha__sc_merge(s, c->prim, t, c->node_attr, (float)c->score / (float)HA_INF, false);
	}
	for (guint i = 0; i < clone->with_this->len; i++) {
		const sc_coloc *c = g_ptr_array_index(clone->with_this, i);
		ha__sc_merge(s, c->dep, t, c->node_attr, (float)c->score / (float)HA_INF, true);
	}
	k->coloc = t[node];
	g_free(t);
}

/* Positive promotion scores attract instances; an instance's best promotion score is
 * also its priority in the assignment order (pcmk__add_promotion_scores: so the
 * instance with the best promotion attribute is placed first). */
static void attract_promotion(sched *s, sc_rsc *c, inst_key *key)
{
	int nn = s->nnodes;
	int *owner = active_owners(s, c);
	bool *known = g_new(bool, nn ? nn : 1);
	for (guint i = 0; i < c->children->len; i++) {
		sc_rsc *inst = g_ptr_array_index(c->children, i);
		sc_rsc *f = first_prim(inst);
		bool any_history = inst_known(s, inst, owner, known);
		for (int n = 0; n < nn; n++) {
			bool found;
			/* attraction before placement: the same attribution rule, on
			 * nodes that can run resources at all */
			if (!sc_node_usable(&s->nodes[n]))
				continue;
			const char *attr = promo_attr(s, inst, n, owner, known, any_history, &found);
			int v;
			if (!found || ha__score_parse(attr, &v) < 0)
				continue;
			if (v > key[i].priority)
				key[i].priority = v;
			if (v > 0) {
				int before = f->score[n];
				f->score[n] = ha__score_add(f->score[n], v);
				ha__sc_why(f, WHY_PROMOTION, n, before, f->score[n], "promotion score", NULL);
			}
		}
	}
	g_free(known);
	g_free(owner);
}

void ha__sc_assign_clone(sched *s, sc_rsc *c)
{
	if (!c->provisional || c->allocating)
		return;
	c->allocating = true;
	int nn = s->nnodes;
	/* 1. The clone's own scores. */
	for (guint i = 0; i < c->this_with->len; i++) {
		const sc_coloc *col = g_ptr_array_index(c->this_with, i);
		if (col->prim->provisional)
			ha__sc_assign_rsc(s, col->prim);
	}
	for (guint i = 0; i < c->with_this->len; i++) {
		const sc_coloc *col = g_ptr_array_index(c->with_this, i);
		int *before = g_memdup2(c->score, sizeof(int) * (size_t)nn);
		ha__sc_merge(s, col->dep, c->score, col->node_attr, (float)col->score / (float)HA_INF,
			     true);
		ha__sc_why_diff(c, WHY_COLOC_MERGE, before, nn, col->id, col->dep->r->id);
		g_free(before);
	}
	inst_key *key = g_new(inst_key, c->children->len ? c->children->len : 1);
	for (guint i = 0; i < c->children->len; i++)
		instance_key(s, c, g_ptr_array_index(c->children, i), &key[i]);
	if (c->promotable)
		attract_promotion(s, c, key);
	int available = 0;
	for (int n = 0; n < nn; n++)
		if (sc_node_usable(&s->nodes[n]))
			available++;
	bool all = c->clone_max < available;

	GPtrArray *order = g_ptr_array_copy(c->children, NULL, NULL);
	g_ptr_array_sort_with_data(order, (GCompareDataFunc)cmp_instances, key);
	g_free(key);
	int allocated = 0;
	/* 2. Pre-assign active instances to their current node. */
	for (guint i = 0; i < order->len && allocated < c->clone_max; i++) {
		sc_rsc *inst = g_ptr_array_index(order, i);
		int node;
		bool failed;
		if (!inst_active(s, inst, &node, &failed) || failed || !inst->provisional)
			continue;
		if (c->score[node] == SC_NONE || !sc_node_usable(&s->nodes[node]))
			continue;
		if (assign_instance(s, c, inst, node, all))
			allocated++;
	}
	/* 3. The rest, one by one. */
	for (guint i = 0; i < order->len; i++) {
		sc_rsc *inst = g_ptr_array_index(order, i);
		if (!inst->provisional)
			continue;
		if (allocated >= c->clone_max) {
			GPtrArray *prims = g_ptr_array_new();
			inst_prims(inst, prims);
			for (guint j = 0; j < prims->len; j++) {
				sc_rsc *p = g_ptr_array_index(prims, j);
				for (int n = 0; n < nn; n++)
					if (p->score[n] != SC_NONE)
						p->score[n] = -HA_INF;
			}
			g_ptr_array_free(prims, TRUE);
		}
		if (assign_instance(s, c, inst, -1, all))
			allocated++;
	}
	if (c->inst_order)
		g_ptr_array_free(c->inst_order, TRUE);
	c->inst_order = order;
	if (c->promotable)
		promote(s, c);
	c->allocating = false;
	c->provisional = false;
}
