/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plain-words explanation of one resource's placement: where it is and will be,
 * the score of every node with the constraints that made it, why it cannot run
 * somewhere, and what would have to change to move it (the best alternative node
 * and the score gap). Built from the explanation records of the scheduler stages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan_private.h"

static const char *why_name(sc_why_kind k)
{
	switch (k) {
	case WHY_BASE: return "base";
	case WHY_LOCATION: return "location constraint";
	case WHY_RULE: return "location rule";
	case WHY_STICKINESS: return "stickiness";
	case WHY_FAILCOUNT: return "fail count reached migration-threshold";
	case WHY_STOPPED_ROLE: return "disabled";
	case WHY_UNMANAGED: return "unmanaged";
	case WHY_COLOC: return "colocation";
	case WHY_COLOC_MERGE: return "preferences of colocated";
	case WHY_COLOC_ROLLBACK: return "colocation ignored (it would leave no node)";
	case WHY_GROUP: return "group";
	case WHY_PROMOTION: return "promotion";
	case WHY_CLONE: return "clone";
	}
	return "?";
}

static void delta(GString *out, int before, int after)
{
	char b[32], a[32];
	if (before == SC_NONE)
		before = 0;
	if (after >= HA_INF || after <= -HA_INF || before >= HA_INF || before <= -HA_INF) {
		g_string_append_printf(out, "-> %s", ha__score_str(after, a));
		return;
	}
	(void)b;
	g_string_append_printf(out, "%+d", after - before);
}

static const char *node_problem(const sc_node *n)
{
	if (n->unclean)
		return "node is lost (unclean) and must be fenced";
	if (!n->online)
		return "node is offline";
	if (n->standby)
		return "node is in standby";
	if (n->maintenance)
		return "node is in maintenance";
	return NULL;
}

static sc_rsc *scored(sc_rsc *x)
{
	/* A group's placement is decided by its first member's scores. */
	while (x->r->kind == HA_RSC_GROUP && x->children->len)
		x = g_ptr_array_index(x->children, 0);
	return x;
}

static void explain_prim(const sched *s, sc_rsc *x, GString *out)
{
	char b1[32];
	const int *sc = x->final_score ? x->final_score : x->score;
	const char *id = x->r->id;
	int cur = x->running_on;
	if (x->n_active > 1)
		g_string_append_printf(out, "%s is active on %d nodes at once; ", id, x->n_active);
	else if (cur >= 0 && sc_state_at(s, x, cur)->failed) {
		const sc_state *st = sc_state_at(s, x, cur);
		g_string_append_printf(out, "%s is %s on %s but its %s FAILED%s%s; ", id,
				       ha__role_str(x->cur_role), s->nodes[cur].uname,
				       sc_failed_op(s, st) ? sc_failed_op(s, st) : "last operation",
				       sc_exit_reason(s, st) ? ": " : "",
				       sc_exit_reason(s, st) ? sc_exit_reason(s, st) : "");
	} else if (cur >= 0)
		g_string_append_printf(out, "%s is %s on %s; ", id, ha__role_str(x->cur_role),
				       s->nodes[cur].uname);
	else
		g_string_append_printf(out, "%s is stopped; ", id);
	if (x->end_node >= 0 && x->end_node == cur && !x->needs_start)
		g_string_append_printf(out, "it will stay there.\n");
	else if (x->end_node >= 0 && x->end_node == cur)
		g_string_append_printf(out, "it will be restarted there (%s).\n",
				       x->restart ? "its parameters changed" : "recovery after a failure");
	else if (x->end_node >= 0)
		g_string_append_printf(out, "it will %s %s.\n", cur >= 0 ? "move to" : "start on",
				       s->nodes[x->end_node].uname);
	else
		g_string_append_printf(out, "it will %s.\n", cur >= 0 ? "be stopped" : "stay stopped");
	if (!x->managed)
		g_string_append(out, "It is not managed (is-managed=false, maintenance mode, or "
				     "fencing enabled without a fencing device): libha leaves it as it is.\n");
	if (x->blocked)
		g_string_append_printf(out, "It is blocked: %s. Run `hactl cleanup %s` once the cause "
					    "is fixed.\n", x->stop_reason, id);
	if (x->needs_start && x->unrunnable)
		g_string_append_printf(out, "It was placed on %s but cannot start there: %s.\n",
				       s->nodes[x->node].uname, x->stop_reason ? x->stop_reason : "blocked");

	g_string_append(out, "\nNode scores (the highest usable score >= 0 wins):\n");
	for (int n = 0; n < s->nnodes; n++) {
		const sc_node *node = &s->nodes[n];
		g_string_append_printf(out, "  %-12s %10s", node->uname,
				       sc[n] == SC_NONE ? "not allowed" : ha__score_str(sc[n], b1));
		const char *prob = node_problem(node);
		if (prob)
			g_string_append_printf(out, "  [%s]", prob);
		if (sc[n] == SC_NONE && !s->opts->symmetric_cluster)
			g_string_append(out, "  [symmetric-cluster=false and no location constraint allows it]");
		bool first = true;
		for (const sc_why *w = ha__sc_why_first(x); w; w = ha__sc_why_next(x, w)) {
			if (w->node != n || w->kind == WHY_GROUP)
				continue;
			g_string_append(out, first ? "  = " : ", ");
			first = false;
			g_string_append_printf(out, "%s", why_name(w->kind));
			if (w->ref && w->kind != WHY_STICKINESS && w->kind != WHY_FAILCOUNT &&
			    w->kind != WHY_STOPPED_ROLE)
				g_string_append_printf(out, " %s", w->ref);
			if (w->other)
				g_string_append_printf(out, " (%s)", w->other);
			g_string_append_c(out, ' ');
			delta(out, w->before, w->after);
		}
		g_string_append_c(out, '\n');
	}
	for (const sc_why *w = ha__sc_why_first(x); w; w = ha__sc_why_next(x, w)) {
		if (w->kind == WHY_COLOC_ROLLBACK)
			g_string_append_printf(out, "  note: colocation %s with %s was not applied: it "
						    "would have left no node to run on\n", w->ref, w->other);
	}
	/* What would move it. */
	int best_alt = -1;
	for (int n = 0; n < s->nnodes; n++) {
		if (n == x->end_node || sc[n] == SC_NONE || !sc_node_usable(&s->nodes[n]))
			continue;
		if (best_alt < 0 || sc[n] > sc[best_alt])
			best_alt = n;
	}
	g_string_append_c(out, '\n');
	if (x->end_node >= 0 && best_alt >= 0) {
		int gap = sc[x->end_node] - sc[best_alt];
		if (sc[best_alt] <= -HA_INF)
			g_string_append_printf(out, "No other node can run it: every usable alternative "
						    "(best: %s) has -INFINITY.\n", s->nodes[best_alt].uname);
		else if (sc[x->end_node] >= HA_INF)
			g_string_append_printf(out, "To move it, the INFINITY preference for %s must go; "
						    "the best alternative is %s (score %s).\n",
					       s->nodes[x->end_node].uname, s->nodes[best_alt].uname,
					       ha__score_str(sc[best_alt], b1));
		else
			g_string_append_printf(out, "The best alternative is %s (score %s, %d below %s): "
						    "raising %s by more than %d (e.g. `hactl move %s %s`) "
						    "would move it.\n",
					       s->nodes[best_alt].uname, ha__score_str(sc[best_alt], b1),
					       gap, s->nodes[x->end_node].uname, s->nodes[best_alt].uname,
					       gap, x->parent && x->parent->r->kind == HA_RSC_GROUP
							    ? x->parent->r->id : id,
					       s->nodes[best_alt].uname);
	} else if (x->end_node >= 0) {
		g_string_append(out, "No other usable node is allowed to run it.\n");
	} else if (best_alt >= 0 && sc[best_alt] < 0) {
		g_string_append_printf(out, "It cannot run anywhere: the best node, %s, has score %s "
					    "(a negative score forbids it). Remove or change the "
					    "constraint that makes it negative.\n",
				       s->nodes[best_alt].uname, ha__score_str(sc[best_alt], b1));
	} else if (best_alt < 0) {
		g_string_append(out, "No usable node is allowed to run it (all are offline, in "
				     "standby, or not allowed).\n");
	}
}

int ha_plan_explain(const ha_plan *plan, const char *rsc, char **ret)
{
	if (!plan || !rsc || !ret)
		return -EINVAL;
	const sched *s = plan->s;
	sc_rsc *x = g_hash_table_lookup(s->by_id, rsc);
	if (!x)
		return -ENOENT;
	GString *out = g_string_new(NULL);
	if (x->r->kind == HA_RSC_GROUP) {
		g_string_append_printf(out, "%s is a group: its members run together on the node "
					    "chosen for its first member, whose scores include every "
					    "member's preferences (stickiness of active members sums).\n\n",
				       rsc);
		explain_prim(s, scored(x), out);
		const sc_rsc *first = scored(x);
		for (guint i = 1; i < x->children->len; i++) {
			sc_rsc *m = g_ptr_array_index(x->children, i);
			if (m->end_node >= 0 && m->end_node == first->end_node)
				g_string_append_printf(out, "\n%s follows %s in group %s: it runs on %s too.\n",
						       m->r->id, first->r->id, rsc, s->nodes[m->end_node].uname);
			else {
				g_string_append_c(out, '\n');
				explain_prim(s, m, out);
			}
		}
	} else if (x->r->kind == HA_RSC_CLONE) {
		g_string_append_printf(out, "%s is a clone with %u instances.\n", rsc, x->children->len);
		for (guint i = 0; i < x->children->len; i++) {
			sc_rsc *inst = scored(g_ptr_array_index(x->children, i));
			g_string_append_printf(out, "\ninstance %u: ", i);
			explain_prim(s, inst, out);
		}
	} else {
		explain_prim(s, x, out);
	}
	*ret = g_string_free(out, FALSE);
	return 0;
}
