/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 5: assignment of every resource to a node (or none), with
 * Pacemaker 2.1.5's colocation semantics: a resource's primaries are assigned
 * first and constrain it ("this with"); its dependents' preferences are merged
 * into its scores first, scaled by score/INFINITY and rolled back when they would
 * leave no usable node ("with this"); ties are broken by resources already assigned
 * per node, the current node, then node name. See docs/scheduler.md.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "sched_private.h"

static void assign(sched *s, sc_rsc *x);

bool ha__sc_any_available(const sched *s, const int *score)
{
	for (int n = 0; n < s->nnodes; n++)
		if (score[n] != SC_NONE && score[n] >= 0 && sc_node_usable(&s->nodes[n]))
			return true;
	return false;
}

static const char *node_attr(const sc_node *n, const char *attr)
{
	return g_hash_table_lookup(n->attrs, attr ? attr : "#uname");
}

static bool attr_eq(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

static bool by_uname(const char *attr)
{
	return !attr || !strcmp(attr, "#uname") || !strcmp(attr, "#id");
}

/* Best score of rsc among usable nodes whose attr equals value. */
static int best_matching(const sched *s, const sc_rsc *rsc, const char *attr, const char *value)
{
	int best = -HA_INF;
	for (int n = 0; n < s->nnodes; n++) {
		int sc = rsc->score[n];
		if (sc != SC_NONE && sc > best && sc_node_usable(&s->nodes[n]) &&
		    attr_eq(value, node_attr(&s->nodes[n], attr)))
			best = sc;
	}
	return best;
}

/* Pacemaker computes colocation factors in single precision; rounding of the
 * products must match it bit for bit, so the float types here are deliberate. */
#define INFINITY_HACK (HA_INF * -100) /* Pacemaker's marker: "was positive, keep it so" */

static void add_matching(const sched *s, int *work, const sc_rsc *rsc, const char *attr,
			 float factor, bool only_positive)
{
	bool identity = by_uname(attr); /* the common case: each node matches only itself */
	for (int n = 0; n < s->nnodes; n++) {
		if (work[n] == SC_NONE)
			continue;
		int score;
		if (identity)
			score = rsc->score[n] != SC_NONE && rsc->score[n] > -HA_INF &&
					sc_node_usable(&s->nodes[n])
				? rsc->score[n]
				: -HA_INF;
		else
			score = best_matching(s, rsc, attr, node_attr(&s->nodes[n], attr));
		if (factor < 0 && score < 0)
			continue; /* an avoided node never becomes attractive */
		/* A node an earlier level marked "was positive, keeps 1" takes nothing more
		 * from nested dependents, so the mark survives to the end of the merge
		 * (Pacemaker's add_node_scores_matching_attr; tests/diff 917). */
		if (work[n] == INFINITY_HACK)
			continue;
		float weight_f = factor * (float)score;
		int weight = (int)((weight_f < 0) ? (weight_f - 0.5) : (weight_f + 0.5));
		if (weight == 0 && score != 0)
			weight = factor > 0.0f ? 1 : factor < 0.0f ? -1 : 0;
		int new_score = ha__score_add(weight, work[n]);
		if (only_positive && new_score < 0 && work[n] > 0) {
			work[n] = INFINITY_HACK;
			continue;
		}
		if (only_positive && new_score < 0 && work[n] == 0)
			continue;
		work[n] = new_score;
	}
}

/* Merge rsc's preferences (and, recursively, those of resources colocated with
 * it) into nodes. A level that would leave no usable node is rolled back. */
void ha__sc_merge(sched *s, sc_rsc *rsc, int *nodes, const char *attr, float factor,
		  bool only_positive)
{
	if (rsc->merging)
		return; /* dependency loop */
	rsc->merging = true;
	int *work = g_memdup2(nodes, sizeof(int) * (size_t)s->nnodes);
	add_matching(s, work, rsc, attr, factor, only_positive);
	if (ha__sc_any_available(s, work)) {
		for (guint i = 0; i < rsc->with_this->len; i++) {
			const sc_coloc *c = g_ptr_array_index(rsc->with_this, i);
			/* Pacemaker 2.1.5 scales a nested dependent by its own constraint's
			 * factor, signed like the chain so far — not by the product along
			 * the chain (tests/diff 901). */
			int multiplier = factor < 0 ? -1 : 1;
			float other = (float)(multiplier * c->score) / (float)HA_INF;
			ha__sc_merge(s, c->dep, work, c->node_attr, other, only_positive);
		}
		if (only_positive)
			for (int n = 0; n < s->nnodes; n++)
				if (work[n] == INFINITY_HACK)
					work[n] = 1;
		memcpy(nodes, work, sizeof(int) * (size_t)s->nnodes);
	}
	g_free(work);
	rsc->merging = false;
}

/* Apply "dep with prim" to dep's scores once prim has been assigned. */
static void coloc_to_scores(sched *s, sc_rsc *dep, const sc_rsc *prim, const sc_coloc *c)
{
	const char *attr = c->node_attr;
	const char *value = NULL;
	if (prim->node >= 0)
		value = node_attr(&s->nodes[prim->node], attr);
	else if (c->score < 0)
		return; /* anti-colocation with something that will not run */
	int nn = s->nnodes;
	int *work = g_memdup2(dep->score, sizeof(int) * (size_t)nn);
	bool identity = by_uname(attr);
	for (int n = 0; n < nn; n++) {
		if (work[n] == SC_NONE)
			continue;
		if (prim->node < 0)
			work[n] = ha__score_add(-c->score, work[n]);
		else if (identity ? n == prim->node : attr_eq(node_attr(&s->nodes[n], attr), value)) {
			if (c->score < HA_INF)
				work[n] = ha__score_add(c->score, work[n]);
		} else if (c->score >= HA_INF) {
			work[n] = -HA_INF;
		}
	}
	if (c->score <= -HA_INF || c->score >= HA_INF || ha__sc_any_available(s, work)) {
		int *before = dep->score;
		dep->score = work;
		ha__sc_why_diff(dep, WHY_COLOC, before, nn, c->id, prim->r->id);
		g_free(before);
	} else {
		ha__sc_why(dep, WHY_COLOC_ROLLBACK, -1, 0, 0, c->id, prim->r->id);
		g_free(work);
	}
}

/* Clone primaries: the dependent may only run where an instance will run
 * (mandatory), or gets the score where instances run (optional). */
static void coloc_with_clone(sched *s, sc_rsc *dep, const sc_rsc *clone, const sc_coloc *c)
{
	int nn = s->nnodes;
	bool *has = g_new0(bool, nn ? nn : 1);
	int *weight = g_new0(int, nn ? nn : 1);
	bool any = false;
	for (guint i = 0; i < clone->children->len; i++) {
		const sc_rsc *inst = g_ptr_array_index(clone->children, i);
		if (inst->node < 0)
			continue;
		if (c->prim_role != HA_ROLE_UNKNOWN && inst->next_role != c->prim_role)
			continue;
		if (!has[inst->node]) {
			/* the instance's score on the node it was given (of its first
			 * member for a cloned group): Pacemaker's allocated_to copy */
			const sc_rsc *f = inst;
			while (f->prim_idx < 0 && f->children && f->children->len)
				f = g_ptr_array_index(f->children, 0);
			weight[inst->node] = f->final_score ? f->final_score[inst->node] : 0;
		}
		has[inst->node] = true;
		any = true;
	}
	/* Mandatory colocation with a role of a promotable clone (not Promoted with
	 * Promoted): besides the ban elsewhere, each node with an instance in that role
	 * adds that instance's own assignment score to the dependent's there
	 * (pcmk__update_dependent_with_promotable: node_list_exclude merging scores;
	 * tests/diff 919). Role-less colocations only ban. */
	bool merge = clone->promotable && c->prim_role != HA_ROLE_UNKNOWN &&
		     !(c->dep_role == HA_ROLE_PROMOTED && c->prim_role == HA_ROLE_PROMOTED);
	int *before = g_memdup2(dep->score, sizeof(int) * (size_t)nn);
	if (c->score >= HA_INF) {
		for (int n = 0; n < nn; n++) {
			if (dep->score[n] == SC_NONE)
				continue;
			if (!has[n])
				dep->score[n] = -HA_INF;
			else if (merge)
				dep->score[n] = ha__score_add(dep->score[n], weight[n]);
		}
	} else if (c->score <= -HA_INF) {
		for (int n = 0; n < nn; n++)
			if (dep->score[n] != SC_NONE && has[n])
				dep->score[n] = -HA_INF;
	} else if (any) {
		/* Finite: instance by instance, in the clone's children order (assignment
		 * order; promotion order once a promotable clone's roles are set), each
		 * rolled back on its own if it would leave no usable node (as Pacemaker
		 * applies it). */
		const GPtrArray *insts = clone->inst_order ? clone->inst_order : clone->children;
		int *work = g_new(int, nn ? nn : 1);
		for (guint i = 0; i < insts->len; i++) {
			const sc_rsc *inst = g_ptr_array_index(insts, i);
			int n = inst->node;
			if (n < 0 || dep->score[n] == SC_NONE)
				continue;
			if (c->prim_role != HA_ROLE_UNKNOWN && inst->next_role != c->prim_role)
				continue;
			memcpy(work, dep->score, sizeof(int) * (size_t)nn);
			work[n] = ha__score_add(c->score, work[n]);
			if (ha__sc_any_available(s, work))
				memcpy(dep->score, work, sizeof(int) * (size_t)nn);
		}
		g_free(work);
	}
	ha__sc_why_diff(dep, WHY_COLOC, before, nn, c->id, clone->r->id);
	g_free(before);
	g_free(weight);
	g_free(has);
}

void ha__sc_apply_this_with(sched *s, sc_rsc *x, const sc_coloc *c)
{
	int nn = s->nnodes;
	int *archive = NULL;
	if (c->dep_role >= HA_ROLE_PROMOTED || (c->score < 0 && c->score > -HA_INF))
		archive = g_memdup2(x->score, sizeof(int) * (size_t)nn);
	sc_rsc *prim = c->prim;
	if (prim->provisional)
		assign(s, prim);
	if (!prim->provisional && x->provisional &&
	    (c->dep_role == HA_ROLE_UNKNOWN || c->dep_role == x->next_role)) {
		if (prim->r->kind == HA_RSC_CLONE)
			coloc_with_clone(s, x, prim, c);
		else if (c->prim_role == HA_ROLE_UNKNOWN || c->prim_role == prim->next_role)
			coloc_to_scores(s, x, prim, c);
	}
	if (archive && !ha__sc_any_available(s, x->score)) {
		ha__sc_why(x, WHY_COLOC_ROLLBACK, -1, 0, 0, c->id, prim->r->id);
		memcpy(x->score, archive, sizeof(int) * (size_t)nn);
	}
	g_free(archive);
}

void ha__sc_merge_dependents(sched *s, sc_rsc *x)
{
	int nn = s->nnodes;
	for (guint i = 0; i < x->with_this->len; i++) {
		const sc_coloc *c = g_ptr_array_index(x->with_this, i);
		int *before = g_memdup2(x->score, sizeof(int) * (size_t)nn);
		ha__sc_merge(s, c->dep, x->score, c->node_attr, (float)c->score / (float)HA_INF,
			     false);
		ha__sc_why_diff(x, WHY_COLOC_MERGE, before, nn, c->id, c->dep->r->id);
		g_free(before);
	}
}

/* Sort key of Pacemaker's compare_nodes: usable score, fewer assigned, current node,
 * name. Returns <0 if node a is better than b. */
static int cmp_nodes(const sched *s, const sc_rsc *x, int a, int b)
{
	int sa = sc_node_usable(&s->nodes[a]) ? x->score[a] : -HA_INF;
	int sb = sc_node_usable(&s->nodes[b]) ? x->score[b] : -HA_INF;
	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (s->nodes[a].assigned != s->nodes[b].assigned)
		return s->nodes[a].assigned < s->nodes[b].assigned ? -1 : 1;
	if (x->running_on == a)
		return -1;
	if (x->running_on == b)
		return 1;
	return strcmp(s->nodes[a].uname, s->nodes[b].uname);
}

static int choose_node(const sched *s, const sc_rsc *x)
{
	int best = -1;
	for (int n = 0; n < s->nnodes; n++) {
		if (x->score[n] == SC_NONE)
			continue;
		if (best < 0 || cmp_nodes(s, x, n, best) < 0)
			best = n;
	}
	if (best < 0)
		return -1;
	int pref = x->prefer;
	if (pref >= 0 && x->score[pref] != SC_NONE && x->score[pref] >= x->score[best] &&
	    sc_node_usable(&s->nodes[pref]) && x->score[pref] >= 0)
		return pref; /* a clone instance pre-assigned to its current node */
	int cur = x->running_on;
	if (x->score[best] > 0 && sc_node_usable(&s->nodes[best]) && cur >= 0 && cur != best &&
	    x->score[cur] != SC_NONE && sc_node_usable(&s->nodes[cur]) &&
	    x->score[cur] == x->score[best])
		best = cur; /* equally good: stay */
	if (!sc_node_usable(&s->nodes[best]) || x->score[best] < 0)
		return -1;
	return best;
}

static void set_node(sched *s, sc_rsc *x, int node)
{
	x->node = node;
	if (node >= 0)
		s->nodes[node].assigned++;
}

static void assign_primitive(sched *s, sc_rsc *x)
{
	if (x->parent && x->parent->provisional && !x->parent->allocating) {
		assign(s, x->parent);
		return;
	}
	if (!x->provisional || x->allocating)
		return;
	x->allocating = true;
	for (guint i = 0; i < x->this_with->len; i++)
		ha__sc_apply_this_with(s, x, g_ptr_array_index(x->this_with, i));
	ha__sc_merge_dependents(s, x);
	if (x->target_stopped) {
		int *before = g_memdup2(x->score, sizeof(int) * (size_t)(s->nnodes ? s->nnodes : 1));
		for (int n = 0; n < s->nnodes; n++)
			x->score[n] = ha__score_add(x->score[n] == SC_NONE ? 0 : x->score[n], -HA_INF);
		ha__sc_why_diff(x, WHY_STOPPED_ROLE, before, s->nnodes, "target-role", NULL);
		g_free(before);
	}
	g_free(x->final_score);
	x->final_score = g_memdup2(x->score, sizeof(int) * (size_t)(s->nnodes ? s->nnodes : 1));

	if (!x->managed || x->blocked) {
		/* Unmanaged: it stays exactly where it is. */
		int at = -1;
		for (int n = 0; n < s->nnodes && at < 0; n++)
			if (sc_state_at(s, x, n)->role >= HA_ROLE_STARTED)
				at = n;
		set_node(s, x, at);
		x->next_role = at >= 0 ? x->cur_role : HA_ROLE_STOPPED;
		x->stop_reason = x->blocked ? "blocked" : "unmanaged";
	} else if (!s->have_quorum && s->opts->no_quorum_policy == HA_NQP_STOP) {
		set_node(s, x, -1);
		x->stop_reason = "the partition has no quorum (no-quorum-policy=stop)";
	} else {
		int n = choose_node(s, x);
		if (n >= 0 && !s->have_quorum &&
		    (s->opts->no_quorum_policy == HA_NQP_FREEZE ||
		     s->opts->no_quorum_policy == HA_NQP_DEMOTE) &&
		    sc_state_at(s, x, n)->role < HA_ROLE_STARTED) {
			n = -1;
			x->stop_reason = "the partition has no quorum (no-quorum-policy=freeze)";
		}
		set_node(s, x, n);
	}
	if (x->node >= 0 && x->next_role == HA_ROLE_UNKNOWN)
		x->next_role = HA_ROLE_STARTED;
	if (x->node < 0)
		x->next_role = HA_ROLE_STOPPED;
	x->allocating = false;
	x->provisional = false;
}

static void assign_group(sched *s, sc_rsc *g)
{
	if (!g->provisional || g->allocating)
		return;
	g->allocating = true;
	for (guint i = 0; i < g->children->len; i++)
		assign(s, g_ptr_array_index(g->children, i));
	sc_rsc *first = g->children->len ? g_ptr_array_index(g->children, 0) : NULL;
	g->node = first ? first->node : -1;
	g->next_role = first ? first->next_role : HA_ROLE_STOPPED;
	g->allocating = false;
	g->provisional = false;
}

void ha__sc_unassign(sched *s, sc_rsc *x)
{
	if (x->node >= 0 && s->nodes[x->node].assigned > 0)
		s->nodes[x->node].assigned--;
	x->node = -1;
	x->next_role = HA_ROLE_UNKNOWN;
	x->provisional = true;
	x->stop_reason = NULL;
	g_free(x->final_score);
	x->final_score = NULL;
	for (guint i = 0; x->children && i < x->children->len; i++)
		ha__sc_unassign(s, g_ptr_array_index(x->children, i));
}

void ha__sc_assign_rsc(sched *s, sc_rsc *x)
{
	assign(s, x);
}

static void assign(sched *s, sc_rsc *x)
{
	switch (x->r->kind) {
	case HA_RSC_PRIMITIVE:
		assign_primitive(s, x);
		break;
	case HA_RSC_GROUP:
		if (x->parent && x->parent->provisional && !x->parent->allocating) {
			assign(s, x->parent);
			return;
		}
		assign_group(s, x);
		break;
	case HA_RSC_CLONE:
		ha__sc_assign_clone(s, x);
		break;
	}
}

int ha__sc_assign(sched *s)
{
	for (guint i = 0; i < s->top->len; i++)
		assign(s, g_ptr_array_index(s->top, i));
	return 0;
}
