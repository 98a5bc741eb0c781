/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 2: the resource tree the scheduler works on. Resolves each
 * resource's effective meta attributes (priority, target-role, stickiness,
 * migration-threshold, failure-timeout, is-managed), expands clones into instances,
 * and turns colocation constraints into primitive-level edges sorted the way
 * Pacemaker sorts them (groups: "G with X" is "first member with X", "X with G" is
 * "X with last member" for mandatory and "X with first member" for optional scores;
 * each member after the first is colocated INFINITY with its predecessor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static int meta_int(const sched *s, const ha_rsc *r, const char *name, int def)
{
	const char *v = ha__rsc_meta(s->cfg, r, name);
	int score;
	if (!v || ha__score_parse(v, &score) < 0)
		return def;
	return score;
}

static bool meta_bool(const sched *s, const ha_rsc *r, const char *name, bool def)
{
	const char *v = ha__rsc_meta(s->cfg, r, name);
	bool b;
	if (!v || ha__bool_parse(v, &b) < 0)
		return def;
	return b;
}

static bool in_clone(const ha_rsc *r)
{
	for (const ha_rsc *p = r->parent; p; p = p->parent)
		if (p->kind == HA_RSC_CLONE)
			return true;
	return false;
}

/* A resource's effective meta attributes, resolved once per configured resource:
 * every instance of a clone shares them, and each lookup walks the resource's,
 * its parents' and rsc_defaults' nvsets. */
typedef struct rsc_meta {
	bool done;
	bool managed;
	bool unique;
	int priority;
	ha_role target_role;
	int stickiness;
	int migration_threshold;
	int64_t failure_timeout;
} rsc_meta;

static void resolve_meta(const sched *s, const ha_rsc *r, rsc_meta *m)
{
	m->priority = meta_int(s, r, "priority", 0);
	const char *tr = ha__rsc_meta(s->cfg, r, "target-role");
	m->target_role = tr ? ha__role_parse(tr) : HA_ROLE_UNKNOWN;
	m->managed = meta_bool(s, r, "is-managed", true) && !s->opts->maintenance_mode;
	const char *st = ha__rsc_meta(s->cfg, r, "resource-stickiness");
	if (!st)
		st = ha__rsc_meta(s->cfg, r, "default-resource-stickiness");
	int stick = 0;
	if (st && ha__score_parse(st, &stick) == 0)
		m->stickiness = stick;
	else
		m->stickiness = in_clone(r) ? 1 : 0;
	const char *mt = ha__rsc_meta(s->cfg, r, "migration-threshold");
	int thr = HA_INF;
	if (mt && ha__score_parse(mt, &thr) < 0)
		thr = HA_INF;
	m->migration_threshold = thr < 0 ? 0 : thr;
	const char *ft = ha__rsc_meta(s->cfg, r, "failure-timeout");
	uint32_t ms = 0;
	m->failure_timeout = 0;
	if (ft && ha__interval_parse(ft, &ms) == 0)
		m->failure_timeout = ms / 1000;
	m->unique = !in_clone(r) && r->kind != HA_RSC_CLONE;
	m->done = true;
}

static sc_rsc *new_rsc(sched *s, rsc_meta *metas, const ha_rsc *r, sc_rsc *parent, int instance)
{
	sc_rsc *x = g_new0(sc_rsc, 1);
	x->r = r;
	x->parent = parent;
	x->idx = (int)s->rscs->len;
	x->prim_idx = -1;
	x->instance = instance;
	x->node = -1;
	x->running_on = -1;
	x->prefer = -1;
	x->provisional = true;
	x->next_role = HA_ROLE_UNKNOWN;
	x->score = g_new(int, s->nnodes ? s->nnodes : 1);
	for (int i = 0; i < s->nnodes; i++)
		x->score[i] = SC_NONE;
	x->this_with = g_ptr_array_new();
	x->with_this = g_ptr_array_new();
	x->whylog = &s->why;
	x->why_first = x->why_last = -1;
	g_ptr_array_add(s->rscs, x);

	rsc_meta *m = &metas[r->index];
	if (!m->done)
		resolve_meta(s, r, m);
	x->priority = m->priority;
	x->target_role = m->target_role;
	x->target_stopped = x->target_role == HA_ROLE_STOPPED;
	x->managed = m->managed;
	x->stickiness = m->stickiness;
	x->migration_threshold = m->migration_threshold;
	x->failure_timeout = m->failure_timeout;
	x->unique = m->unique;

	/* Instances are "id:N"; anything else is known by its configured id (a string
	 * of the CIB, which outlives the plan like every other id the plan shows). */
	const char *key = r->id;
	if (instance >= 0) {
		char buf[256];
		int len = snprintf(buf, sizeof(buf), "%s:%d", r->id, instance);
		char *big = len >= (int)sizeof(buf) ? g_strdup_printf("%s:%d", r->id, instance) : NULL;
		key = g_string_chunk_insert_const(s->strings, big ? big : buf);
		g_free(big);
	}
	if (!g_hash_table_contains(s->by_id, key))
		g_hash_table_insert(s->by_id, (gpointer)key, x);
	return x;
}

static sc_rsc *build(sched *s, rsc_meta *metas, const ha_rsc *r, sc_rsc *parent, int instance)
{
	sc_rsc *x = new_rsc(s, metas, r, parent, instance);
	if (r->kind == HA_RSC_PRIMITIVE) {
		x->prim_idx = (int)s->prims->len;
		g_ptr_array_add(s->prims, x);
		return x;
	}
	x->children = g_ptr_array_new();
	if (r->kind == HA_RSC_GROUP) {
		for (guint i = 0; i < r->children->len; i++)
			g_ptr_array_add(x->children,
					build(s, metas, g_ptr_array_index(r->children, i), x, instance));
		return x;
	}
	/* Clone: one instance of its child per clone-max. */
	x->promotable = r->promotable;
	x->clone_max = meta_int(s, r, "clone-max", s->nnodes);
	/* Anonymous clones (the only kind libha schedules) run at most one instance per
	 * node: Pacemaker ignores a larger clone-node-max for them. */
	x->clone_node_max = 1;
	x->promoted_max = meta_int(s, r, "promoted-max", meta_int(s, r, "master-max", 1));
	x->promoted_node_max =
		meta_int(s, r, "promoted-node-max", meta_int(s, r, "master-node-max", 1));
	if (x->clone_max < 0)
		x->clone_max = 0;
	const ha_rsc *child = r->children->len ? g_ptr_array_index(r->children, 0) : NULL;
	for (int i = 0; child && i < x->clone_max; i++)
		g_ptr_array_add(x->children, build(s, metas, child, x, i));
	return x;
}

/* Pacemaker's resource variant order for sorting colocations: clones first. */
static int variant(const sc_rsc *x)
{
	return x->r->kind == HA_RSC_CLONE ? 2 : x->r->kind == HA_RSC_GROUP ? 1 : 0;
}

static int cmp_rsc_priority(const sc_rsc *a, const sc_rsc *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (variant(a) != variant(b))
		return variant(a) > variant(b) ? -1 : 1;
	if (a->promotable != b->promotable)
		return a->promotable ? -1 : 1;
	return strcmp(a->r->id, b->r->id);
}

int ha__sc_cmp_coloc_primary(const sc_coloc *x, const sc_coloc *y)
{
	return cmp_rsc_priority(x->orig_prim, y->orig_prim);
}

int ha__sc_cmp_coloc_dependent(const sc_coloc *x, const sc_coloc *y)
{
	return cmp_rsc_priority(x->orig_dep, y->orig_dep);
}

static int cmp_by_primary(gconstpointer a, gconstpointer b)
{
	return ha__sc_cmp_coloc_primary(*(sc_coloc *const *)a, *(sc_coloc *const *)b);
}

static int cmp_by_dependent(gconstpointer a, gconstpointer b)
{
	return ha__sc_cmp_coloc_dependent(*(sc_coloc *const *)a, *(sc_coloc *const *)b);
}

static sc_rsc *group_first(sc_rsc *g)
{
	return g->children->len ? g_ptr_array_index(g->children, 0) : NULL;
}

static sc_rsc *group_last(sc_rsc *g)
{
	return g->children->len ? g_ptr_array_index(g->children, g->children->len - 1) : NULL;
}

static void add_coloc(sched *s, const char *id, sc_rsc *dep, sc_rsc *prim, int score,
		      ha_role dep_role, ha_role prim_role, const char *attr, bool internal,
		      sc_rsc *orig_dep, sc_rsc *orig_prim, sc_rsc *holder)
{
	if (!dep || !prim || dep == prim)
		return;
	sc_coloc *c = g_new0(sc_coloc, 1);
	c->orig_dep = orig_dep ? orig_dep : dep;
	c->orig_prim = orig_prim ? orig_prim : prim;
	c->id = id;
	c->dep = dep;
	c->prim = prim;
	c->score = score;
	/* "Started" in a colocation means any role, as in Pacemaker. */
	c->dep_role = dep_role == HA_ROLE_STARTED ? HA_ROLE_UNKNOWN : dep_role;
	c->prim_role = prim_role == HA_ROLE_STARTED ? HA_ROLE_UNKNOWN : prim_role;
	c->node_attr = attr;
	c->internal = internal;
	g_ptr_array_add(s->colocs, c);
	g_ptr_array_add(dep->this_with, c);
	g_ptr_array_add((holder ? holder : prim)->with_this, c);
}

int ha__sc_rscs(sched *s)
{
	const ha_config *cfg = s->cfg;
	rsc_meta *metas = g_new0(rsc_meta, cfg->rsc_all->len ? cfg->rsc_all->len : 1);
	for (guint i = 0; i < cfg->resources->len; i++) {
		sc_rsc *x = build(s, metas, g_ptr_array_index(cfg->resources, i), NULL, -1);
		g_ptr_array_add(s->top, x);
	}
	g_free(metas);
	/* Assignment order: CIB order, stable-sorted by priority (highest first). */
	GPtrArray *sorted = g_ptr_array_sized_new(s->top->len);
	/* Insertion sort: stable, and priorities are rarely set, so this is O(N) then. */
	for (guint i = 0; i < s->top->len; i++) {
		sc_rsc *x = g_ptr_array_index(s->top, i);
		guint pos = sorted->len;
		while (pos > 0 &&
		       ((sc_rsc *)g_ptr_array_index(sorted, pos - 1))->priority < x->priority)
			pos--;
		g_ptr_array_insert(sorted, (gint)pos, x);
	}
	g_ptr_array_free(s->top, TRUE);
	s->top = sorted;

	/* Group internal colocations. */
	for (guint i = 0; i < s->rscs->len; i++) {
		sc_rsc *g = g_ptr_array_index(s->rscs, i);
		if (g->r->kind != HA_RSC_GROUP)
			continue;
		for (guint j = 1; j < g->children->len; j++)
			add_coloc(s, "group:internal_colocation", g_ptr_array_index(g->children, j),
				  g_ptr_array_index(g->children, j - 1), HA_INF, HA_ROLE_UNKNOWN,
				  HA_ROLE_UNKNOWN, NULL, true, NULL, NULL, NULL);
	}
	/* Configured colocations. */
	for (guint i = 0; i < cfg->colocations->len; i++) {
		const ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		sc_rsc *dep = g_hash_table_lookup(s->by_id, c->rsc);
		sc_rsc *prim = g_hash_table_lookup(s->by_id, c->with_rsc);
		if (!dep || !prim)
			continue;
		sc_rsc *orig_dep = dep, *orig_prim = prim;
		if (dep->r->kind == HA_RSC_GROUP)
			dep = group_first(dep);
		/* "X with G": X is placed against the last member (mandatory) or the first
		 * (optional), but G takes in X's preferences through its last member either
		 * way (Pacemaker's expand_group_colocations moves every "with G" colocation
		 * to the last member's list). */
		sc_rsc *holder = NULL;
		if (prim->r->kind == HA_RSC_GROUP) {
			holder = group_last(prim);
			prim = c->score >= HA_INF ? group_last(prim) : group_first(prim);
		}
		add_coloc(s, c->id, dep, prim, c->score, ha__role_parse(c->rsc_role),
			  ha__role_parse(c->with_rsc_role), c->node_attribute, false, orig_dep, orig_prim,
			  holder);
	}
	for (guint i = 0; i < s->rscs->len; i++) {
		sc_rsc *x = g_ptr_array_index(s->rscs, i);
		g_ptr_array_sort(x->this_with, cmp_by_primary);
		g_ptr_array_sort(x->with_this, cmp_by_dependent);
	}
	return 0;
}
