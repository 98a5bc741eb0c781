/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 4: each primitive's node scores before assignment — the
 * symmetric/asymmetric base, location constraints and rules (a group's location
 * counts once, on its first member; a clone's applies to every instance),
 * target-role=Stopped, stickiness on the current node, fail counts against
 * migration-threshold (a clone instance's ban bans the whole clone from the node).
 */
#include <string.h>

#include "sched_private.h"

static sc_why *why_at(const sc_whylog *log, int i)
{
	sc_why *block = g_ptr_array_index(log->blocks, (guint)i / SC_WHY_BLOCK);
	return &block[(guint)i % SC_WHY_BLOCK];
}

void ha__sc_why(sc_rsc *r, sc_why_kind kind, int node, int before, int after,
		const char *ref, const char *other)
{
	sc_whylog *log = r->whylog;
	if (!log->blocks)
		log->blocks = g_ptr_array_new_with_free_func(g_free);
	if (log->len % SC_WHY_BLOCK == 0)
		g_ptr_array_add(log->blocks, g_new(sc_why, SC_WHY_BLOCK));
	int i = log->len++;
	*why_at(log, i) = (sc_why){.kind = (uint8_t)kind, .node = node, .before = before,
				   .after = after, .ref = ref, .other = other, .next = -1};
	if (r->why_last >= 0)
		why_at(log, r->why_last)->next = i;
	else
		r->why_first = i;
	r->why_last = i;
}

const sc_why *ha__sc_why_first(const sc_rsc *r)
{
	return r->why_first >= 0 ? why_at(r->whylog, r->why_first) : NULL;
}

const sc_why *ha__sc_why_next(const sc_rsc *r, const sc_why *w)
{
	return w->next >= 0 ? why_at(r->whylog, w->next) : NULL;
}

void ha__sc_whylog_free(sc_whylog *log)
{
	if (log->blocks)
		g_ptr_array_free(log->blocks, TRUE);
	log->blocks = NULL;
	log->len = 0;
}

void ha__sc_why_diff(sc_rsc *r, sc_why_kind kind, const int *before, int nnodes,
		     const char *ref, const char *other)
{
	for (int i = 0; i < nnodes; i++)
		if (before[i] != r->score[i])
			ha__sc_why(r, kind, i, before[i], r->score[i], ref, other);
}

/* Add score at node (creating the entry, as Pacemaker's resource_location does). */
static void add(sc_rsc *x, int node, int score, sc_why_kind kind, const char *ref)
{
	int before = x->score[node];
	int base = before == SC_NONE ? 0 : before;
	x->score[node] = ha__score_add(base, score);
	ha__sc_why(x, kind, node, before, x->score[node], ref, NULL);
}

/* Make sure node has an entry (score 0) without changing an existing one. */
static void allow(sc_rsc *x, int node, const char *ref)
{
	if (x->score[node] == SC_NONE) {
		x->score[node] = 0;
		ha__sc_why(x, WHY_GROUP, node, SC_NONE, 0, ref, NULL);
	}
}

/* Primitives a location on x applies to: for a group the first member gets the
 * score and the others an entry of 0; for a clone every instance. */
static void apply_location(sched *s, sc_rsc *x, int node, int score, sc_why_kind kind,
			   const char *ref)
{
	switch (x->r->kind) {
	case HA_RSC_PRIMITIVE:
		add(x, node, score, kind, ref);
		break;
	case HA_RSC_GROUP:
		for (guint i = 0; i < x->children->len; i++) {
			sc_rsc *m = g_ptr_array_index(x->children, i);
			if (i == 0)
				apply_location(s, m, node, score, kind, ref);
			else if (m->r->kind == HA_RSC_PRIMITIVE)
				allow(m, node, ref);
		}
		break;
	case HA_RSC_CLONE:
		add(x, node, score, kind, ref); /* the clone's own table (instances' base) */
		for (guint i = 0; i < x->children->len; i++)
			apply_location(s, g_ptr_array_index(x->children, i), node, score, kind, ref);
		break;
	}
}

/* role=Promoted locations only feed the promotion values of the clone's instances
 * (clone.c); collected here per clone and node in the single pass over locations. */
static int *promo_array(sched *s, sc_rsc *x)
{
	sc_rsc *clone = x->r->kind == HA_RSC_CLONE ? x : x->parent;
	if (!clone || clone->r->kind != HA_RSC_CLONE)
		return NULL;
	if (!clone->promo_loc)
		clone->promo_loc = g_new0(int, s->nnodes ? s->nnodes : 1);
	return clone->promo_loc;
}

static void promoted_rule(sched *s, sc_rsc *x, const ha_rule *rule)
{
	int *a = promo_array(s, x);
	for (int n = 0; a && n < s->nnodes; n++) {
		int sc;
		if (ha__sc_rule_matches(s, rule, &s->nodes[n], &sc))
			a[n] = ha__score_add(a[n], sc);
	}
}

/* Nodes by name for the location pass: the first node called uname, and for each
 * node the next one of the same name (-1: none; names are normally unique). One
 * hash lookup per location instead of a string compare per location and node. */
typedef struct node_index {
	GHashTable *first; /* uname -> index + 1 */
	int *next;
} node_index;

static int node_first(const node_index *ix, const char *uname)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(ix->first, uname)) - 1;
}

static void promoted_location(sched *s, const node_index *ix, sc_rsc *x, const ha_location *l)
{
	int *a = promo_array(s, x);
	if (!a)
		return;
	if (l->node) {
		for (int n = node_first(ix, l->node); n >= 0; n = ix->next[n])
			a[n] = ha__score_add(a[n], l->score);
		return;
	}
	for (guint j = 0; l->rules && j < l->rules->len; j++)
		promoted_rule(s, x, g_ptr_array_index(l->rules, j));
}

static void locations(sched *s)
{
	node_index ix = {g_hash_table_new(g_str_hash, g_str_equal), g_new(int, s->nnodes ? s->nnodes : 1)};
	for (int n = s->nnodes - 1; n >= 0; n--) {
		ix.next[n] = node_first(&ix, s->nodes[n].uname);
		g_hash_table_insert(ix.first, (gpointer)s->nodes[n].uname, GINT_TO_POINTER(n + 1));
	}
	for (guint i = 0; i < s->cfg->locations->len; i++) {
		const ha_location *l = g_ptr_array_index(s->cfg->locations, i);
		sc_rsc *x = g_hash_table_lookup(s->by_id, l->rsc);
		if (!x)
			continue;
		ha_role role = ha__role_parse(l->role);
		if (role == HA_ROLE_PROMOTED) {
			promoted_location(s, &ix, x, l); /* only affects promotion scores */
			continue;
		}
		if (l->node) {
			for (int n = node_first(&ix, l->node); n >= 0; n = ix.next[n])
				apply_location(s, x, n, l->score, WHY_LOCATION, l->id);
			continue;
		}
		for (guint j = 0; l->rules && j < l->rules->len; j++) {
			const ha_rule *rule = g_ptr_array_index(l->rules, j);
			if (ha__role_parse(rule->role) == HA_ROLE_PROMOTED) {
				promoted_rule(s, x, rule);
				continue;
			}
			for (int n = 0; n < s->nnodes; n++) {
				int sc;
				if (ha__sc_rule_matches(s, rule, &s->nodes[n], &sc))
					apply_location(s, x, n, sc, WHY_RULE, l->id);
			}
		}
	}
	g_hash_table_destroy(ix.first);
	g_free(ix.next);
}

static sc_rsc *clone_of(sc_rsc *x)
{
	for (sc_rsc *p = x->parent; p; p = p->parent)
		if (p->r->kind == HA_RSC_CLONE)
			return p;
	return NULL;
}

int ha__sc_scores(sched *s)
{
	int nn = s->nnodes;
	bool sym = s->opts->symmetric_cluster;
	for (guint i = 0; i < s->rscs->len; i++) {
		sc_rsc *x = g_ptr_array_index(s->rscs, i);
		for (int n = 0; n < nn; n++)
			x->score[n] = sym ? 0 : SC_NONE;
	}
	locations(s);
	for (guint p = 0; p < s->prims->len; p++) {
		sc_rsc *x = g_ptr_array_index(s->prims, p);
		/* target-role=Stopped bans the resource only when it is assigned itself
		 * (assign.c): a primary assigned earlier still takes in its preferences,
		 * as in Pacemaker. */
		if (x->hard_error) {
			for (int n = 0; n < nn; n++)
				add(x, n, -HA_INF, WHY_STOPPED_ROLE, "hard-error");
		}
		/* Stickiness: only for a managed resource active on exactly one node, and
		 * (asymmetric clusters) only where it is explicitly allowed. */
		if (x->managed && x->running_on >= 0 && x->stickiness != 0 &&
		    x->score[x->running_on] != SC_NONE)
			add(x, x->running_on, x->stickiness, WHY_STICKINESS, "resource-stickiness");
		/* Fail counts. */
		if (x->migration_threshold > 0 && x->any_fail_count) {
			for (int n = 0; n < nn; n++) {
				const sc_state *st = sc_state_at(s, x, n);
				int fc = st->fail_count;
				int64_t last = sc_last_failure(s, st);
				if (fc > 0 && x->failure_timeout > 0 && last > 0 &&
				    last + x->failure_timeout <= s->now)
					fc = 0; /* expired */
				if (fc < x->migration_threshold)
					continue;
				sc_rsc *clone = clone_of(x);
				if (clone) {
					for (guint q = 0; q < s->prims->len; q++) {
						sc_rsc *y = g_ptr_array_index(s->prims, q);
						if (clone_of(y) == clone && y->r == x->r)
							add(y, n, -HA_INF, WHY_FAILCOUNT, "migration-threshold");
					}
					add(clone, n, -HA_INF, WHY_FAILCOUNT, "migration-threshold");
				} else {
					add(x, n, -HA_INF, WHY_FAILCOUNT, "migration-threshold");
				}
			}
		}
	}
	return 0;
}
