/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rendering a plan as text (current/revised status, transition summary, scores),
 * as JSON (docs/json.md), and as a plain-words explanation of one resource's
 * placement. Returns strings; does no I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_private.h"

static const char *act_name(sc_act_kind k)
{
	switch (k) {
	case ACT_STOP: return "stop";
	case ACT_DEMOTE: return "demote";
	case ACT_START: return "start";
	case ACT_PROMOTE: return "promote";
	case ACT_MONITOR: return "monitor";
	case ACT_FENCE: return "fence";
	case ACT_NOTIFY: return "notify";
	}
	return "?";
}

static const char *agent_str(const ha_rsc *r, char *buf, size_t len)
{
	if (r->provider)
		snprintf(buf, len, "%s:%s:%s", r->cls, r->provider, r->type);
	else
		snprintf(buf, len, "%s:%s", r->cls ? r->cls : "?", r->type ? r->type : "?");
	return buf;
}

static const char *sc_str(int score, char *buf)
{
	if (score == SC_NONE)
		return strcpy(buf, "(not allowed)");
	return ha__score_str(score, buf);
}

/* ---- status ------------------------------------------------------------------ */

static void node_list(const sched *s, GString *out)
{
	GString *online = g_string_new(NULL), *offline = g_string_new(NULL);
	out = g_string_append(out, "  * Node List:\n");
	for (int n = 0; n < s->nnodes; n++) {
		const sc_node *node = &s->nodes[n];
		if (node->unclean)
			g_string_append_printf(out, "    * Node %s: UNCLEAN (offline)\n", node->uname);
		else if (node->online && node->standby)
			g_string_append_printf(out, "    * Node %s: standby\n", node->uname);
		else if (node->online && node->maintenance)
			g_string_append_printf(out, "    * Node %s: maintenance\n", node->uname);
		else if (node->online)
			g_string_append_printf(online, " %s", node->uname);
		else
			g_string_append_printf(offline, " %s", node->uname);
	}
	if (online->len)
		g_string_append_printf(out, "    * Online: [%s ]\n", online->str);
	if (offline->len)
		g_string_append_printf(out, "    * OFFLINE: [%s ]\n", offline->str);
	g_string_free(online, TRUE);
	g_string_free(offline, TRUE);
}

static void prim_line(const sched *s, const sc_rsc *x, bool after, int indent, GString *out)
{
	char agent[256];
	g_string_append_printf(out, "%*s* %s\t(%s):\t ", indent, "", x->r->id,
			       agent_str(x->r, agent, sizeof(agent)));
	if (after) {
		if (x->end_node >= 0)
			g_string_append_printf(out, "%s %s", ha__role_str(x->next_role > HA_ROLE_STOPPED ? x->next_role : HA_ROLE_STARTED),
					       s->nodes[x->end_node].uname);
		else if (x->n_active > 0 && (x->blocked || !x->managed))
			g_string_append(out, "Started (as before)");
		else
			g_string_append(out, "Stopped");
	} else {
		int shown = 0;
		bool failed = false;
		GString *where = g_string_new(NULL);
		ha_role role = HA_ROLE_STOPPED;
		for (int n = 0; n < s->nnodes; n++) {
			const sc_state *st = sc_state_at(s, x, n);
			if (st->role < HA_ROLE_STARTED || (!s->nodes[n].online && !s->nodes[n].unclean))
				continue;
			g_string_append_printf(where, " %s", s->nodes[n].uname);
			failed |= st->failed;
			if (st->role > role)
				role = st->role;
			shown++;
		}
		if (!shown)
			g_string_append(out, "Stopped");
		else if (shown == 1)
			g_string_append_printf(out, "%s%s%s", failed ? "FAILED " : "", ha__role_str(role),
					       where->str);
		else
			g_string_append_printf(out, "%s%s [%s ]", failed ? "FAILED " : "",
					       ha__role_str(role), where->str);
		g_string_free(where, TRUE);
	}
	if (!x->managed)
		g_string_append(out, " (unmanaged)");
	if (x->blocked)
		g_string_append(out, " (blocked)");
	if (x->target_stopped)
		g_string_append(out, " (disabled)");
	g_string_append_c(out, '\n');
}

static void rsc_lines(const sched *s, const sc_rsc *x, bool after, int indent, GString *out)
{
	switch (x->r->kind) {
	case HA_RSC_PRIMITIVE:
		prim_line(s, x, after, indent, out);
		break;
	case HA_RSC_GROUP:
		g_string_append_printf(out, "%*s* Resource Group: %s:\n", indent, "", x->r->id);
		for (guint i = 0; i < x->children->len; i++)
			rsc_lines(s, g_ptr_array_index(x->children, i), after, indent + 2, out);
		break;
	case HA_RSC_CLONE: {
		g_string_append_printf(out, "%*s* Clone Set: %s [%s]%s:\n", indent, "", x->r->id,
				       x->r->children->len ? ((ha_rsc *)g_ptr_array_index(x->r->children, 0))->id : "",
				       x->promotable ? " (promotable)" : "");
		for (guint i = 0; i < x->children->len; i++) {
			const sc_rsc *inst = g_ptr_array_index(x->children, i);
			rsc_lines(s, inst, after, indent + 2, out);
		}
		break;
	}
	}
}

static void status(const sched *s, bool after, GString *out)
{
	node_list(s, out);
	g_string_append(out, "\n  * Full List of Resources:\n");
	for (guint i = 0; i < s->cfg->resources->len; i++) {
		const ha_rsc *r = g_ptr_array_index(s->cfg->resources, i);
		rsc_lines(s, g_hash_table_lookup(s->by_id, r->id), after, 4, out);
	}
	if (!s->cfg->resources->len)
		g_string_append(out, "    * No resources\n");
}

/* ---- transition summary ------------------------------------------------------- */

/* Actions of one resource: built once per summary (a linear scan per resource would
 * be quadratic: 5,000 resources x 10,000 actions). */
static int find_action(const sched *s, const GArray *mine, sc_act_kind k, int *node, bool *runnable,
		       const char **reason)
{
	int count = 0;
	for (guint i = 0; mine && i < mine->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, g_array_index(mine, int, i));
		if (a->kind != k)
			continue;
		if (!count) {
			*node = a->node;
			*runnable = a->runnable;
			*reason = a->reason;
		}
		count++;
	}
	return count;
}

static void summary(const sched *s, GString *out)
{
	GArray **by_prim = g_new0(GArray *, s->prims->len ? s->prims->len : 1);
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (!a->rsc || a->rsc->prim_idx < 0)
			continue;
		GArray **slot = &by_prim[a->rsc->prim_idx];
		if (!*slot)
			*slot = g_array_new(FALSE, FALSE, sizeof(int));
		int id = (int)i;
		g_array_append_val(*slot, id);
	}
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (a->kind == ACT_FENCE)
			g_string_append_printf(out, "  * Fence (reboot) %s '%s'%s\n", s->nodes[a->node].uname,
					       a->reason, a->runnable ? "" : " (blocked: no quorum)");
	}
	for (guint p = 0; p < s->prims->len; p++) {
		const sc_rsc *x = g_ptr_array_index(s->prims, p);
		char name[300];
		if (x->instance >= 0)
			snprintf(name, sizeof(name), "%s:%d", x->r->id, x->instance);
		else
			snprintf(name, sizeof(name), "%s", x->r->id);
		int sn = -1, tn = -1;
		bool srun = true, trun = true;
		const char *sreason = NULL, *treason = NULL;
		const GArray *mine = by_prim[x->prim_idx];
		int nstop = find_action(s, mine, ACT_STOP, &sn, &srun, &sreason);
		int nstart = find_action(s, mine, ACT_START, &tn, &trun, &treason);
		int pn = -1, dn = -1;
		bool prun = true, drun = true;
		const char *pr = NULL, *dr = NULL;
		int npro = find_action(s, mine, ACT_PROMOTE, &pn, &prun, &pr);
		int ndem = find_action(s, mine, ACT_DEMOTE, &dn, &drun, &dr);
		if (nstart && !trun) {
			if (nstop)
				g_string_append_printf(out, "  * Stop       %-20s ( %s )  due to unrunnable %s\n",
						       name, s->nodes[sn].uname, treason ? treason : "start");
			else
				g_string_append_printf(out, "  * Start      %-20s ( %s )  blocked by %s\n", name,
						       s->nodes[tn].uname, treason ? treason : "an unrunnable action");
			continue;
		}
		if (nstop && nstart && sn == tn)
			g_string_append_printf(out, "  * %-10s %-20s ( %s )%s%s\n",
					       sreason && !strcmp(sreason, "recover") ? "Recover" : "Restart",
					       name, s->nodes[tn].uname, sreason ? "  " : "",
					       sreason && strcmp(sreason, "recover") ? sreason : "");
		else if (nstop && nstart)
			g_string_append_printf(out, "  * %-10s %-20s ( %s -> %s )%s%s\n",
					       sreason && !strcmp(sreason, "recover") ? "Recover" : "Move",
					       name, s->nodes[sn].uname, s->nodes[tn].uname,
					       nstop > 1 ? "  (active on several nodes)" : "",
					       sreason && !strcmp(sreason, "implied by fencing") ? "  (node fenced)" : "");
		else if (nstop)
			g_string_append_printf(out, "  * Stop       %-20s ( %s )%s%s\n", name, s->nodes[sn].uname,
					       sreason ? "  due to " : "", sreason ? sreason : "");
		else if (nstart)
			g_string_append_printf(out, "  * Start      %-20s ( %s )\n", name, s->nodes[tn].uname);
		if (npro)
			g_string_append_printf(out, "  * Promote    %-20s ( %s )\n", name, s->nodes[pn].uname);
		if (ndem && !nstop)
			g_string_append_printf(out, "  * Demote     %-20s ( %s )\n", name, s->nodes[dn].uname);
	}
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (a->kind == ACT_STOP && !a->rsc)
			g_string_append_printf(out, "  * Stop       %-20s ( %s )  due to removal from the configuration\n",
					       a->reason, s->nodes[a->node].uname);
	}
	for (guint p = 0; p < s->prims->len; p++)
		if (by_prim[p])
			g_array_free(by_prim[p], TRUE);
	g_free(by_prim);
}

/* Actions in an order that respects every edge (Kahn's algorithm, by id). */
static GArray *topo_order(const sched *s)
{
	guint n = s->actions->len;
	int *indeg = g_new0(int, n ? n : 1);
	GPtrArray *succ = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(succ, g_array_new(FALSE, FALSE, sizeof(int)));
	for (guint i = 0; i < n; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		for (guint j = 0; j < sc_n_after(a); j++) {
			int f = sc_after_at(a, j);
			g_array_append_val(g_ptr_array_index(succ, f), i);
			indeg[i]++;
		}
	}
	GArray *order = g_array_new(FALSE, FALSE, sizeof(int));
	GArray *ready = g_array_new(FALSE, FALSE, sizeof(int));
	for (guint i = 0; i < n; i++)
		if (!indeg[i])
			g_array_append_val(ready, i);
	while (ready->len) {
		int best = 0; /* smallest id first: deterministic */
		for (guint i = 1; i < ready->len; i++)
			if (g_array_index(ready, int, i) < g_array_index(ready, int, best))
				best = (int)i;
		int id = g_array_index(ready, int, best);
		g_array_remove_index_fast(ready, (guint)best);
		g_array_append_val(order, id);
		GArray *nx = g_ptr_array_index(succ, id);
		for (guint j = 0; j < nx->len; j++)
			if (--indeg[g_array_index(nx, int, j)] == 0)
				g_array_append_val(ready, g_array_index(nx, int, j));
	}
	/* Cycles (should not happen): append the rest so nothing is hidden. */
	for (guint i = 0; i < n; i++)
		if (indeg[i] > 0)
			g_array_append_val(order, i);
	g_array_free(ready, TRUE);
	g_ptr_array_free(succ, TRUE);
	g_free(indeg);
	return order;
}

static void action_list(const sched *s, GString *out)
{
	GArray *order = topo_order(s);
	for (guint i = 0; i < order->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, g_array_index(order, int, i));
		if (a->pseudo)
			continue;
		const char *node = s->nodes[a->node].uname;
		if (a->kind == ACT_FENCE) {
			g_string_append_printf(out, "  * Fencing %s (reboot)%s\n", node,
					       a->runnable ? "" : " [unrunnable]");
			continue;
		}
		const char *id = a->rsc ? a->rsc->r->id : a->reason;
		if (a->kind == ACT_MONITOR)
			g_string_append_printf(out, "  * Resource action: %-20s monitor=%u on %s%s\n", id,
					       a->interval_ms, node, a->runnable ? "" : " [unrunnable]");
		else if (a->kind == ACT_NOTIFY)
			g_string_append_printf(out, "  * Resource action: %-20s notify=%s on %s\n", id,
					       a->notify, node);
		else
			g_string_append_printf(out, "  * Resource action: %-20s %s on %s%s\n", id,
					       act_name(a->kind), node, a->runnable ? "" : " [unrunnable]");
	}
	g_array_free(order, TRUE);
}

/* ---- scores ------------------------------------------------------------------- */

static void scores(const sched *s, GString *out)
{
	char b[32];
	/* promotion values of placed instances (what crm_simulate -s prints as
	 * "promotion score") */
	for (guint c = 0; c < s->rscs->len; c++) {
		const sc_rsc *clone = g_ptr_array_index(s->rscs, c);
		if (clone->r->kind != HA_RSC_CLONE || !clone->promotable)
			continue;
		for (guint i = 0; i < clone->children->len; i++) {
			const sc_rsc *inst = g_ptr_array_index(clone->children, i);
			const sc_rsc *f = inst;
			while (f->prim_idx < 0 && f->children && f->children->len)
				f = g_ptr_array_index(f->children, 0);
			if (f->node < 0)
				continue;
			g_string_append_printf(out, "%s:%d promotion score on %s: %s\n", f->r->id,
					       inst->instance, s->nodes[f->node].uname,
					       ha__score_str(inst->promo_score, b));
		}
	}
	for (guint p = 0; p < s->prims->len; p++) {
		const sc_rsc *x = g_ptr_array_index(s->prims, p);
		const int *sc = x->final_score ? x->final_score : x->score;
		for (int n = 0; n < s->nnodes; n++) {
			if (sc[n] == SC_NONE)
				continue;
			if (x->instance >= 0)
				g_string_append_printf(out, "%s:%d allocation score on %s: %s\n", x->r->id,
						       x->instance, s->nodes[n].uname, sc_str(sc[n], b));
			else
				g_string_append_printf(out, "%s allocation score on %s: %s\n", x->r->id,
						       s->nodes[n].uname, sc_str(sc[n], b));
		}
	}
}

/* ---- JSON ----------------------------------------------------------------------- */

static void json_str(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void json_nodes(GString *out, GPtrArray *names)
{
	g_ptr_array_sort(names, cmp_str);
	g_string_append_c(out, '[');
	for (guint i = 0; i < names->len; i++) {
		if (i)
			g_string_append(out, ", ");
		json_str(out, g_ptr_array_index(names, i));
	}
	g_string_append_c(out, ']');
}

typedef struct json_entry {
	const char *key;
	char *value; /* rendered JSON */
} json_entry;

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const json_entry *)a)->key, ((const json_entry *)b)->key);
}

static const sc_rsc *top_clone(const sc_rsc *x)
{
	for (const sc_rsc *p = x->parent; p; p = p->parent)
		if (p->r->kind == HA_RSC_CLONE)
			return p;
	return NULL;
}

/* Role and node of a clone instance after the plan: all its primitives must run. */
static int instance_end(const sched *s, const sc_rsc *inst, ha_role *role)
{
	(void)s;
	if (inst->prim_idx >= 0) {
		*role = inst->next_role;
		return inst->end_node;
	}
	int node = -2;
	*role = HA_ROLE_STARTED;
	for (guint i = 0; i < inst->children->len; i++) {
		const sc_rsc *m = g_ptr_array_index(inst->children, i);
		if (m->end_node < 0)
			return -1;
		if (node == -2)
			node = m->end_node;
		else if (node != m->end_node)
			return -1;
		if (m->next_role == HA_ROLE_PROMOTED)
			*role = HA_ROLE_PROMOTED;
	}
	return node < 0 ? -1 : node;
}

static char *json_primitive(const sched *s, const sc_rsc *x)
{
	GString *v = g_string_new("{\"node\": ");
	if (x->end_node >= 0) {
		json_str(v, s->nodes[x->end_node].uname);
		g_string_append_printf(v, ", \"role\": \"%s\"}",
				       ha__role_str(x->next_role > HA_ROLE_STOPPED ? x->next_role : HA_ROLE_STARTED));
	} else if ((x->blocked || !x->managed) && x->n_active > 1) {
		GPtrArray *names = g_ptr_array_new();
		for (int n = 0; n < s->nnodes; n++)
			if (sc_state_at(s, x, n)->role >= HA_ROLE_STARTED)
				g_ptr_array_add(names, (gpointer)s->nodes[n].uname);
		json_nodes(v, names);
		g_ptr_array_free(names, TRUE);
		g_string_append_printf(v, ", \"role\": \"%s\"}", ha__role_str(x->cur_role));
	} else {
		g_string_append(v, "null, \"role\": \"Stopped\"}");
	}
	return g_string_free(v, FALSE);
}

static char *json_clone(const sched *s, const sc_rsc *c)
{
	GPtrArray *started = g_ptr_array_new(), *promoted = g_ptr_array_new();
	for (guint i = 0; i < c->children->len; i++) {
		ha_role role;
		int n = instance_end(s, g_ptr_array_index(c->children, i), &role);
		if (n < 0)
			continue;
		g_ptr_array_add(role == HA_ROLE_PROMOTED ? promoted : started, (gpointer)s->nodes[n].uname);
	}
	GString *v = g_string_new("{");
	if (c->promotable) {
		g_string_append(v, "\"Promoted\": ");
		json_nodes(v, promoted);
		g_string_append(v, ", \"Unpromoted\": ");
		json_nodes(v, started);
	} else {
		g_string_append(v, "\"Started\": ");
		for (guint i = 0; i < promoted->len; i++)
			g_ptr_array_add(started, g_ptr_array_index(promoted, i));
		json_nodes(v, started);
	}
	g_string_append_c(v, '}');
	g_ptr_array_free(started, TRUE);
	g_ptr_array_free(promoted, TRUE);
	return g_string_free(v, FALSE);
}

typedef struct json_action {
	const char *action, *rsc, *node;
} json_action;

static int cmp_jaction(const void *a, const void *b)
{
	const json_action *x = a, *y = b;
	int c = strcmp(x->rsc ? x->rsc : "", y->rsc ? y->rsc : "");
	if (!c)
		c = strcmp(x->node, y->node);
	if (!c)
		c = strcmp(x->action, y->action);
	return c;
}

static void json(const sched *s, GString *out)
{
	GArray *entries = g_array_new(FALSE, FALSE, sizeof(json_entry));
	for (guint i = 0; i < s->rscs->len; i++) {
		const sc_rsc *x = g_ptr_array_index(s->rscs, i);
		json_entry e = {0};
		if (x->r->kind == HA_RSC_CLONE && !top_clone(x)) {
			e.key = x->r->id;
			e.value = json_clone(s, x);
		} else if (x->prim_idx >= 0 && !top_clone(x)) {
			e.key = x->r->id;
			e.value = json_primitive(s, x);
		} else {
			continue;
		}
		g_array_append_val(entries, e);
	}
	g_array_sort(entries, cmp_entry);
	g_string_append(out, "{\"resources\": {");
	for (guint i = 0; i < entries->len; i++) {
		json_entry *e = &g_array_index(entries, json_entry, i);
		g_string_append(out, i ? ", " : "");
		json_str(out, e->key);
		g_string_append_printf(out, ": %s", e->value);
		g_free(e->value);
	}
	g_array_free(entries, TRUE);

	GArray *acts = g_array_new(FALSE, FALSE, sizeof(json_action));
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (!a->runnable || a->pseudo || a->kind == ACT_MONITOR || a->kind == ACT_NOTIFY)
			continue;
		json_action j = {act_name(a->kind), NULL, s->nodes[a->node].uname};
		if (a->rsc) {
			const sc_rsc *c = top_clone(a->rsc);
			j.rsc = c && c->r->children->len &&
					((ha_rsc *)g_ptr_array_index(c->r->children, 0))->kind == HA_RSC_PRIMITIVE
				? c->r->id
				: a->rsc->r->id;
		} else if (a->kind == ACT_STOP) {
			j.rsc = a->reason; /* orphan */
		}
		g_array_append_val(acts, j);
	}
	g_array_sort(acts, cmp_jaction);
	g_string_append(out, "}, \"actions\": [");
	for (guint i = 0; i < acts->len; i++) {
		json_action *j = &g_array_index(acts, json_action, i);
		g_string_append_printf(out, "%s{\"action\": \"%s\", \"node\": ", i ? ", " : "", j->action);
		json_str(out, j->node);
		g_string_append(out, ", \"resource\": ");
		if (j->rsc)
			json_str(out, j->rsc);
		else
			g_string_append(out, "null");
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]}\n");
	g_array_free(acts, TRUE);
}

int ha_plan_format(const ha_plan *plan, ha_plan_format_kind kind, char **ret)
{
	if (!plan || !ret)
		return -EINVAL;
	const sched *s = plan->s;
	GString *out = g_string_new(NULL);
	switch (kind) {
	case HA_FORMAT_CURRENT:
		status(s, false, out);
		break;
	case HA_FORMAT_RESULT:
		status(s, true, out);
		break;
	case HA_FORMAT_ACTIONS:
		summary(s, out);
		if (s->actions->len) {
			g_string_append(out, "\nExecuting Cluster Transition:\n");
			action_list(s, out);
		}
		break;
	case HA_FORMAT_SCORES:
		scores(s, out);
		break;
	case HA_FORMAT_JSON:
		json(s, out);
		break;
	default:
		g_string_free(out, TRUE);
		return -EINVAL;
	}
	*ret = g_string_free(out, FALSE);
	return 0;
}
