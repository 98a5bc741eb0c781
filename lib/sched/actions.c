/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 6: the actions that turn the current state into the assigned
 * one, and their ordering. First decides which starts can actually run (mandatory
 * orders, group chains, mandatory colocations, fencing that cannot happen), then
 * emits fence/probe/stop/start/monitor actions per resource with the edges that
 * let an executor run everything else in parallel: probes and stops before starts,
 * fencing before recovery, group members in order, order constraints (stops in
 * reverse when symmetrical).
 */
#include <stdio.h>
#include <string.h>

#include "sched_private.h"

sc_action *ha__sc_action_new(sched *s, sc_act_kind kind, sc_rsc *r, int node)
{
	sc_action *a = g_new0(sc_action, 1);
	a->id = (int)s->actions->len;
	a->kind = kind;
	a->rsc = r;
	a->node = node;
	a->runnable = true;
	g_ptr_array_add(s->actions, a);
	return a;
}

void ha__sc_order(sc_action *then, const sc_action *first)
{
	if (!then || !first || then == first)
		return;
	for (guint i = 0; i < sc_n_after(then); i++)
		if (sc_after_at(then, i) == first->id)
			return;
	if (!then->after)
		then->after = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_val(then->after, first->id);
}

static bool is_active(const sc_state *st)
{
	return st->role >= HA_ROLE_STARTED;
}

/* Nodes a primitive is active on and that still count (online, or lost and unfenced). */
static bool counts(const sched *s, int n)
{
	return s->nodes[n].online || s->nodes[n].unclean || s->nodes[n].frozen;
}

/* Does the plan have to start x on its node? (Not when it already runs there fine.) */
static bool start_needed(const sched *s, sc_rsc *x)
{
	if (x->node < 0)
		return false;
	const sc_state *st = sc_state_at(s, x, x->node);
	if (!is_active(st) || st->failed || x->n_active > 1)
		return true;
	if (s->nodes[x->node].unclean)
		return true;
	if (st->digest && !strncmp(st->digest, HA_DIGEST_PREFIX, strlen(HA_DIGEST_PREFIX))) {
		char d[HA_DIGEST_LEN];
		if (strcmp(st->digest, ha__rsc_digest(x->r, d)) != 0) {
			x->restart = true;
			return true;
		}
	}
	return false;
}

static bool will_run(const sc_rsc *x)
{
	return x->node >= 0 && !x->unrunnable;
}

static void prims_of(sched *s, const char *id, GPtrArray *out)
{
	sc_rsc *x = g_hash_table_lookup(s->by_id, id);
	if (!x)
		return;
	GPtrArray *stack = g_ptr_array_new();
	g_ptr_array_add(stack, x);
	while (stack->len) {
		sc_rsc *y = g_ptr_array_steal_index(stack, stack->len - 1);
		if (y->prim_idx >= 0)
			g_ptr_array_add(out, y);
		for (guint i = 0; y->children && i < y->children->len; i++)
			g_ptr_array_add(stack, g_ptr_array_index(y->children, y->children->len - 1 - i));
	}
	g_ptr_array_free(stack, TRUE);
}

/* An order blocks the then-resource even where it already runs (Pacemaker stops it);
 * colocations and group chains only block starts. */
static void mark_unrunnable(sc_rsc *x, const char *why, bool *changed, bool even_running)
{
	if ((x->needs_start || (even_running && x->node >= 0)) && !x->unrunnable) {
		x->unrunnable = true;
		x->stop_reason = why;
		*changed = true;
	}
}

static void force_restart(sc_rsc *x, const char *why, bool *changed)
{
	if (x->node >= 0 && !x->needs_start) {
		x->needs_start = true;
		x->restart = true;
		x->restart_reason = why;
		*changed = true;
	}
}

/* A mandatory order "first then" restarts a running then-resource when first starts
 * in this transition (Pacemaker's implied restart); group members likewise restart
 * after a member before them. A first whose start cannot run restarts nothing: the
 * then-resource keeps running, unless a symmetrical order stops it (runnability();
 * tests/diff 926). Monotone, so iterate to a fixpoint. */
static void restarts(sched *s)
{
	bool changed = true;
	GPtrArray *first = g_ptr_array_new(), *then = g_ptr_array_new();
	while (changed) {
		changed = false;
		for (guint i = 0; i < s->cfg->orders->len; i++) {
			const ha_order *o = g_ptr_array_index(s->cfg->orders, i);
			const char *fa = o->first_action ? o->first_action : "start";
			const char *ta = o->then_action ? o->then_action : fa;
			if (o->kind != HA_ORDER_MANDATORY || strcmp(fa, "start") || strcmp(ta, "start"))
				continue;
			g_ptr_array_set_size(first, 0);
			prims_of(s, o->first, first);
			bool starts = false;
			for (guint j = 0; j < first->len; j++) {
				sc_rsc *f = g_ptr_array_index(first, j);
				starts |= f->needs_start && f->node >= 0 && !f->unrunnable;
			}
			if (!starts)
				continue;
			g_ptr_array_set_size(then, 0);
			prims_of(s, o->then, then);
			for (guint j = 0; j < then->len; j++)
				force_restart(g_ptr_array_index(then, j), o->id, &changed);
		}
		for (guint i = 0; i < s->colocs->len; i++) {
			const sc_coloc *c = g_ptr_array_index(s->colocs, i);
			if (c->internal && c->prim->needs_start && c->prim->node >= 0)
				force_restart(c->dep, "group member before it restarts", &changed);
		}
	}
	g_ptr_array_free(first, TRUE);
	g_ptr_array_free(then, TRUE);
}

/* Resources possibly active on a node that cannot be fenced can't start elsewhere. */
static void unfenceable(sched *s, const GPtrArray *fences)
{
	bool changed = false;
	for (guint f = 0; f < fences->len; f++) {
		const sc_action *fa = g_ptr_array_index(fences, f);
		if (fa->runnable)
			continue;
		for (guint p = 0; p < s->prims->len; p++) {
			sc_rsc *x = g_ptr_array_index(s->prims, p);
			if (is_active(sc_state_at(s, x, fa->node)))
				mark_unrunnable(x, "its node is lost and cannot be fenced", &changed, false);
		}
	}
}

/* Starts that cannot run. Monotone (only ever marks), so iterate to a fixpoint. */
static void runnability(sched *s)
{
	bool changed = true;
	GPtrArray *first = g_ptr_array_new(), *then = g_ptr_array_new();
	while (changed) {
		changed = false;
		for (guint i = 0; i < s->cfg->orders->len; i++) {
			const ha_order *o = g_ptr_array_index(s->cfg->orders, i);
			if (o->kind != HA_ORDER_MANDATORY)
				continue;
			const char *fa = o->first_action ? o->first_action : "start";
			const char *ta = o->then_action ? o->then_action : fa;
			if (strcmp(fa, "start") && strcmp(fa, "promote"))
				continue;
			if (strcmp(ta, "start") && strcmp(ta, "promote"))
				continue;
			g_ptr_array_set_size(first, 0);
			g_ptr_array_set_size(then, 0);
			prims_of(s, o->first, first);
			prims_of(s, o->then, then);
			sc_rsc *fr = g_hash_table_lookup(s->by_id, o->first);
			bool ok;
			if (fr && fr->r->kind == HA_RSC_CLONE) {
				/* a clone is "started" once any instance runs (promoted: is
				 * promoted) */
				ok = false;
				for (guint j = 0; j < first->len; j++) {
					sc_rsc *f = g_ptr_array_index(first, j);
					ok |= will_run(f) && (strcmp(fa, "promote") ||
							      f->next_role == HA_ROLE_PROMOTED);
				}
			} else {
				ok = first->len > 0;
				for (guint j = 0; j < first->len; j++)
					ok &= will_run(g_ptr_array_index(first, j));
			}
			if (ok)
				continue;
			for (guint j = 0; j < then->len; j++)
				/* only a symmetrical order also stops a then that already runs */
				mark_unrunnable(g_ptr_array_index(then, j), o->id, &changed,
						o->symmetrical);
		}
		for (guint i = 0; i < s->colocs->len; i++) {
			const sc_coloc *c = g_ptr_array_index(s->colocs, i);
			if (c->score < HA_INF || c->prim->prim_idx < 0)
				continue;
			/* group chain (internal) and mandatory colocations */
			if (!will_run(c->prim))
				mark_unrunnable(c->dep, c->internal ? "group member before it cannot start"
								    : c->id, &changed, false);
		}
	}
	g_ptr_array_free(first, TRUE);
	g_ptr_array_free(then, TRUE);
}

static const ha_op_def *recurring_monitor(const ha_rsc *r, ha_role role)
{
	for (guint i = 0; r->ops && i < r->ops->len; i++) {
		const ha_op_def *d = g_ptr_array_index(r->ops, i);
		if (strcmp(d->name, "monitor") || d->interval_ms == 0)
			continue;
		if (d->enabled && !strcmp(d->enabled, "false"))
			continue;
		ha_role want = d->role ? ha__role_parse(d->role) : HA_ROLE_UNKNOWN;
		if (want == HA_ROLE_UNKNOWN || want == HA_ROLE_STARTED || want == role)
			return d;
	}
	return NULL;
}

/* A primitive's actions by kind. Each list is NULL until its first action: most
 * primitives have none of most kinds, and 5 arrays for each of 5,000 primitives
 * were a measurable share of the stage. */
typedef struct rsc_acts {
	GPtrArray *stops, *starts, *probes, *demotes, *promotes;
} rsc_acts;

static void push(GPtrArray **list, sc_action *a)
{
	if (!*list)
		*list = g_ptr_array_new();
	g_ptr_array_add(*list, a);
}

static guint len_of(const GPtrArray *list)
{
	return list ? list->len : 0;
}

static void free_list(GPtrArray *list)
{
	if (list)
		g_ptr_array_free(list, TRUE);
}

static void actions_for(sched *s, sc_rsc *x, rsc_acts *ra, GPtrArray *fences)
{
	int nn = s->nnodes;
	bool blocked = x->any_blocked; /* blocked, or a failed stop without fencing */
	if (blocked || !x->managed) {
		x->end_node = x->running_on;
		if (blocked) {
			x->blocked = true;
			x->stop_reason = "blocked: a failed operation requires manual cleanup";
			s->incomplete = true;
		}
		return;
	}
	/* Probes where the state is unknown (instance 0 probes for the whole clone). */
	if (x->instance <= 0 && x->any_unknown) {
		for (int n = 0; n < nn; n++) {
			if (!sc_node_usable(&s->nodes[n]) && !(s->nodes[n].online && s->nodes[n].standby))
				continue;
			if (sc_state_at(s, x, n)->role != HA_ROLE_UNKNOWN || sc_state_at(s, x, n)->pending)
				continue;
			sc_action *p = ha__sc_action_new(s, ACT_MONITOR, x, n);
			p->reason = "probe";
			push(&ra->probes, p);
		}
	}
	int target = will_run(x) ? x->node : -1;
	x->end_node = target;
	ha_role end_role = target >= 0 ? (x->next_role > HA_ROLE_STOPPED ? x->next_role : HA_ROLE_STARTED)
				       : HA_ROLE_STOPPED;
	bool restart_here = x->needs_start;
	sc_action *start = NULL;
	/* n_active counts exactly the nodes this loop acts on, and running_on is the
	 * one when there is one (status.c): no need to read the whole state row. */
	int from = x->n_active == 1 ? x->running_on : 0;
	int to = x->n_active == 1 ? x->running_on + 1 : x->n_active > 0 ? nn : 0;
	for (int n = from; n < to; n++) {
		const sc_state *st = sc_state_at(s, x, n);
		if (!is_active(st) || !counts(s, n))
			continue;
		if (n == target && !restart_here) {
			if (st->role == HA_ROLE_PROMOTED && end_role < HA_ROLE_PROMOTED) {
				sc_action *d = ha__sc_action_new(s, ACT_DEMOTE, x, n);
				push(&ra->demotes, d);
			}
			continue;
		}
		if (st->role == HA_ROLE_PROMOTED && !s->nodes[n].unclean) {
			sc_action *d = ha__sc_action_new(s, ACT_DEMOTE, x, n);
			push(&ra->demotes, d);
		}
		sc_action *stop = ha__sc_action_new(s, ACT_STOP, x, n);
		if (s->nodes[n].unclean) {
			stop->pseudo = true;
			stop->reason = "implied by fencing";
			for (guint f = 0; f < fences->len; f++)
				if (((sc_action *)g_ptr_array_index(fences, f))->node == n)
					ha__sc_order(stop, g_ptr_array_index(fences, f));
		} else if (x->n_active > 1) {
			stop->reason = "active on several nodes";
		} else if (st->failed) {
			stop->reason = "recover";
		} else if (x->restart && n == target) {
			stop->reason = x->restart_reason ? x->restart_reason : "restart (parameters changed)";
		} else if (target < 0) {
			stop->reason = x->stop_reason ? x->stop_reason : "stopped";
		} else {
			stop->reason = "move";
		}
		push(&ra->stops, stop);
	}
	if (x->needs_start && target >= 0) {
		start = ha__sc_action_new(s, ACT_START, x, target);
		push(&ra->starts, start);
		for (guint f = 0; f < fences->len; f++)
			ha__sc_order(start, g_ptr_array_index(fences, f));
	} else if (x->needs_start && x->unrunnable) {
		s->incomplete = true;
		sc_action *st = ha__sc_action_new(s, ACT_START, x, x->node);
		st->runnable = false;
		st->reason = x->stop_reason;
		push(&ra->starts, st);
	}
	if (end_role == HA_ROLE_PROMOTED && target >= 0 &&
	    (start || sc_state_at(s, x, target)->role != HA_ROLE_PROMOTED)) {
		sc_action *p = ha__sc_action_new(s, ACT_PROMOTE, x, target);
		push(&ra->promotes, p);
		ha__sc_order(p, start);
	}
	/* Recurring monitor on the node where it (re)starts or lacks one. */
	if (target >= 0) {
		const ha_op_def *mon = recurring_monitor(x->r, end_role);
		if (mon && (start || sc_state_at(s, x, target)->monitor_ms != mon->interval_ms)) {
			sc_action *m = ha__sc_action_new(s, ACT_MONITOR, x, target);
			m->interval_ms = mon->interval_ms;
			ha__sc_order(m, start);
			for (guint i = 0; i < len_of(ra->promotes); i++)
				ha__sc_order(m, g_ptr_array_index(ra->promotes, i));
		}
	}
	/* Local ordering: probes, demotes and stops before the start; demote before stop. */
	for (guint i = 0; i < len_of(ra->stops); i++) {
		sc_action *stop = g_ptr_array_index(ra->stops, i);
		for (guint j = 0; j < len_of(ra->demotes); j++)
			ha__sc_order(stop, g_ptr_array_index(ra->demotes, j));
		ha__sc_order(start, stop);
	}
	for (guint i = 0; i < len_of(ra->probes); i++)
		ha__sc_order(start, g_ptr_array_index(ra->probes, i));
}

static void order_all(GPtrArray *then, GPtrArray *first)
{
	for (guint i = 0; i < len_of(then); i++)
		for (guint j = 0; j < len_of(first); j++)
			ha__sc_order(g_ptr_array_index(then, i), g_ptr_array_index(first, j));
}

static GPtrArray *acts_of(rsc_acts *all, GPtrArray *prims, const char *action)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < prims->len; i++) {
		sc_rsc *p = g_ptr_array_index(prims, i);
		rsc_acts *ra = &all[p->prim_idx];
		GPtrArray *src = !strcmp(action, "stop")      ? ra->stops
				 : !strcmp(action, "promote") ? ra->promotes
				 : !strcmp(action, "demote")  ? ra->demotes
							      : ra->starts;
		for (guint j = 0; j < len_of(src); j++)
			g_ptr_array_add(out, g_ptr_array_index(src, j));
	}
	return out;
}

/* Clone notifications (meta notify=true): for every kind of operation the plan runs
 * on a clone's instances, a pre-notification on each node with an active instance
 * before the operations and a post-notification on each node with an active instance
 * after them. */
static void notifications(sched *s)
{
	static const sc_act_kind ops[] = {ACT_STOP, ACT_DEMOTE, ACT_START, ACT_PROMOTE};
	static const char *const names[] = {"stop", "demote", "start", "promote"};
	guint nact = s->actions->len;
	for (guint c = 0; c < s->rscs->len; c++) {
		sc_rsc *clone = g_ptr_array_index(s->rscs, c);
		if (clone->r->kind != HA_RSC_CLONE)
			continue;
		const char *nv = ha__rsc_meta(s->cfg, clone->r, "notify");
		bool notify = false;
		if (!nv || ha__bool_parse(nv, &notify) < 0 || !notify)
			continue;
		for (size_t k = 0; k < G_N_ELEMENTS(ops); k++) {
			GPtrArray *these = g_ptr_array_new();
			for (guint i = 0; i < nact; i++) {
				sc_action *a = g_ptr_array_index(s->actions, i);
				if (a->kind == ops[k] && a->runnable && !a->pseudo && a->rsc &&
				    a->rsc->parent == clone)
					g_ptr_array_add(these, a);
			}
			if (!these->len) {
				g_ptr_array_free(these, TRUE);
				continue;
			}
			for (int phase = 0; phase < 2; phase++) {
				bool *done = g_new0(bool, s->nnodes ? s->nnodes : 1);
				for (guint i = 0; i < clone->children->len; i++) {
					sc_rsc *inst = g_ptr_array_index(clone->children, i);
					if (inst->prim_idx < 0)
						continue; /* clones of groups: not notified */
					int n = phase == 0 ? (inst->n_active == 1 ? inst->running_on : -1)
							   : inst->end_node;
					if (n < 0 || done[n] || !sc_node_usable(&s->nodes[n]))
						continue;
					done[n] = true;
					sc_action *na = ha__sc_action_new(s, ACT_NOTIFY, inst, n);
					char what[32];
					snprintf(what, sizeof(what), "%s-%s", phase == 0 ? "pre" : "post",
						 names[k]);
					na->notify = g_string_chunk_insert_const(s->strings, what);
					for (guint j = 0; j < these->len; j++) {
						if (phase == 0)
							ha__sc_order(g_ptr_array_index(these, j), na);
						else
							ha__sc_order(na, g_ptr_array_index(these, j));
					}
				}
				g_free(done);
			}
			g_ptr_array_free(these, TRUE);
		}
	}
}

int ha__sc_actions(sched *s)
{
	/* Fencing. */
	GPtrArray *fences = g_ptr_array_new();
	for (int n = 0; n < s->nnodes; n++) {
		sc_node *node = &s->nodes[n];
		if (!node->unclean || !s->opts->stonith_enabled)
			continue;
		node->fence = true;
		sc_action *f = ha__sc_action_new(s, ACT_FENCE, NULL, n);
		f->reason = "node is unclean";
		if (!s->have_quorum && s->opts->no_quorum_policy != HA_NQP_IGNORE) {
			f->runnable = false;
			f->reason = "cannot fence without quorum";
			s->incomplete = true;
		}
		g_ptr_array_add(fences, f);
	}
	for (guint p = 0; p < s->prims->len; p++) {
		sc_rsc *x = g_ptr_array_index(s->prims, p);
		x->needs_start = start_needed(s, x);
	}
	/* Which starts cannot run decides which orders imply restarts; the restarts then
	 * add starts, whose runnability is settled after them. Both only ever mark. */
	unfenceable(s, fences);
	runnability(s);
	restarts(s);
	unfenceable(s, fences);
	runnability(s);

	guint np = s->prims->len;
	rsc_acts *all = g_new0(rsc_acts, np ? np : 1);
	for (guint p = 0; p < np; p++) {
		rsc_acts *ra = &all[p];
		actions_for(s, g_ptr_array_index(s->prims, p), ra, fences);
	}
	/* Orphans: stop what runs but is no longer configured. */
	for (guint i = 0; i + 1 < s->orphans->len; i += 2) {
		int n = GPOINTER_TO_INT(g_ptr_array_index(s->orphans, i + 1));
		sc_action *a = ha__sc_action_new(s, ACT_STOP, NULL, n);
		a->reason = g_ptr_array_index(s->orphans, i); /* the orphan's id */
	}
	/* Group members: start in order, stop in reverse. */
	for (guint i = 0; i < s->rscs->len; i++) {
		sc_rsc *g = g_ptr_array_index(s->rscs, i);
		if (g->r->kind != HA_RSC_GROUP)
			continue;
		for (guint j = 1; j < g->children->len; j++) {
			sc_rsc *prev = g_ptr_array_index(g->children, j - 1);
			sc_rsc *cur = g_ptr_array_index(g->children, j);
			if (prev->prim_idx < 0 || cur->prim_idx < 0)
				continue;
			order_all(all[cur->prim_idx].starts, all[prev->prim_idx].starts);
			order_all(all[prev->prim_idx].stops, all[cur->prim_idx].stops);
		}
	}
	/* Order constraints. */
	GPtrArray *first = g_ptr_array_new(), *then = g_ptr_array_new();
	for (guint i = 0; i < s->cfg->orders->len; i++) {
		const ha_order *o = g_ptr_array_index(s->cfg->orders, i);
		const char *fa = o->first_action ? o->first_action : "start";
		const char *ta = o->then_action ? o->then_action : fa;
		g_ptr_array_set_size(first, 0);
		g_ptr_array_set_size(then, 0);
		prims_of(s, o->first, first);
		prims_of(s, o->then, then);
		GPtrArray *fa_acts = acts_of(all, first, fa), *ta_acts = acts_of(all, then, ta);
		order_all(ta_acts, fa_acts);
		g_ptr_array_free(fa_acts, TRUE);
		g_ptr_array_free(ta_acts, TRUE);
		if (o->symmetrical && o->kind != HA_ORDER_SERIALIZE) {
			/* the inverse: stop then-resource before first-resource */
			const char *inv_f = !strcmp(fa, "start") ? "stop" : !strcmp(fa, "promote") ? "demote" : NULL;
			const char *inv_t = !strcmp(ta, "start") ? "stop" : !strcmp(ta, "promote") ? "demote" : NULL;
			if (inv_f && inv_t) {
				GPtrArray *a = acts_of(all, first, inv_f), *b = acts_of(all, then, inv_t);
				order_all(a, b);
				g_ptr_array_free(a, TRUE);
				g_ptr_array_free(b, TRUE);
			}
		}
	}
	g_ptr_array_free(first, TRUE);
	g_ptr_array_free(then, TRUE);
	notifications(s);
	for (guint p = 0; p < np; p++) {
		free_list(all[p].stops);
		free_list(all[p].starts);
		free_list(all[p].probes);
		free_list(all[p].demotes);
		free_list(all[p].promotes);
	}
	g_free(all);
	g_ptr_array_free(fences, TRUE);
	return 0;
}
