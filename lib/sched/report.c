/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The operator's status report (<ha/status.h>): node states, resources with their
 * roles and nodes, failed and pending operations, and the "settled" test that hactl
 * waits on, all read from a computed plan. It decides nothing: every fact comes from
 * the scheduler's stages (nodes, status replay, actions).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/status.h>

#include "plan_private.h"

/* A node still counts for what runs on it: online, lost and not yet fenced, or
 * frozen (its daemon is gone but its resources keep running). */
static bool counts(const sched *s, int n)
{
	return s->nodes[n].online || s->nodes[n].unclean || s->nodes[n].frozen;
}

static const char *node_state(const sc_node *n)
{
	if (n->unclean)
		return "unclean";
	if (n->frozen)
		return "frozen";
	if (!n->online)
		return "offline";
	if (n->standby)
		return "standby";
	if (n->maintenance)
		return "maintenance";
	return "online";
}

const char *ha_status_node_state(const ha_plan *plan, const char *node)
{
	if (!plan || !node)
		return NULL;
	for (int n = 0; n < plan->s->nnodes; n++)
		if (!strcmp(plan->s->nodes[n].uname, node))
			return node_state(&plan->s->nodes[n]);
	return NULL;
}

/* ---- node sets of a resource -------------------------------------------------------- */

/* Up on node n: active and not in the middle of an operation (a pending start is not
 * up yet, a pending stop no longer is), which is what a user of the service sees. */
static bool is_up(const sched *s, const sc_rsc *x, int n)
{
	const sc_state *st = sc_state_at(s, x, n);
	return st->role >= HA_ROLE_STARTED && !st->pending && !st->failed && counts(s, n);
}

typedef enum {
	SET_ACTIVE = 0, /* active now, even if failed or in transition (what status shows) */
	SET_UP,         /* up now: active, nothing in flight, not failed */
	SET_TARGET,     /* where it will be once the plan ran */
} set_kind;

/* Fill set[nnodes] with the nodes of kind for x: a group needs all members there, a
 * clone any instance. */
static void node_set(const sched *s, const sc_rsc *x, set_kind kind, bool *set)
{
	int nn = s->nnodes;
	if (x->r->kind == HA_RSC_PRIMITIVE && x->prim_idx >= 0) {
		for (int n = 0; n < nn; n++) {
			if (kind == SET_TARGET)
				set[n] = x->end_node == n;
			else if (kind == SET_UP)
				set[n] = is_up(s, x, n);
			else
				set[n] = sc_state_at(s, x, n)->role >= HA_ROLE_STARTED && counts(s, n);
		}
		return;
	}
	bool group = x->r->kind == HA_RSC_GROUP;
	bool *child = g_new(bool, nn ? nn : 1);
	for (int n = 0; n < nn; n++)
		set[n] = group && x->children && x->children->len > 0;
	for (guint i = 0; x->children && i < x->children->len; i++) {
		node_set(s, g_ptr_array_index(x->children, i), kind, child);
		for (int n = 0; n < nn; n++)
			set[n] = group ? set[n] && child[n] : set[n] || child[n];
	}
	g_free(child);
}

static bool any_failed(const sched *s, const sc_rsc *x)
{
	if (x->prim_idx >= 0) {
		for (int n = 0; n < s->nnodes; n++)
			if (sc_state_at(s, x, n)->failed && counts(s, n))
				return true;
		return false;
	}
	for (guint i = 0; x->children && i < x->children->len; i++)
		if (any_failed(s, g_ptr_array_index(x->children, i)))
			return true;
	return false;
}

static bool any_pending(const sched *s, const sc_rsc *x)
{
	if (x->prim_idx >= 0) {
		for (int n = 0; n < s->nnodes; n++)
			if (sc_state_at(s, x, n)->pending && counts(s, n))
				return true;
		return false;
	}
	for (guint i = 0; x->children && i < x->children->len; i++)
		if (any_pending(s, g_ptr_array_index(x->children, i)))
			return true;
	return false;
}

static char *set_str(const sched *s, const bool *set)
{
	GString *out = g_string_new(NULL);
	for (int n = 0; n < s->nnodes; n++)
		if (set[n])
			g_string_append_printf(out, "%s%s", out->len ? " " : "", s->nodes[n].uname);
	char *r = strdup(out->str);
	g_string_free(out, TRUE);
	return r;
}

static int rsc_nodes(const ha_plan *plan, const char *rsc, set_kind kind, char **ret, bool *failed)
{
	if (!plan || !rsc || !ret)
		return -EINVAL;
	const sched *s = plan->s;
	const sc_rsc *x = g_hash_table_lookup(s->by_id, rsc);
	if (!x)
		return -ENOENT;
	bool *set = g_new0(bool, s->nnodes ? s->nnodes : 1);
	node_set(s, x, kind, set);
	char *str = set_str(s, set);
	g_free(set);
	if (!str)
		return -ENOMEM;
	if (failed)
		*failed = any_failed(s, x);
	*ret = str;
	return 0;
}

int ha_status_rsc_nodes(const ha_plan *plan, const char *rsc, char **ret, bool *failed)
{
	return rsc_nodes(plan, rsc, SET_UP, ret, failed);
}

int ha_status_rsc_target(const ha_plan *plan, const char *rsc, char **ret)
{
	return rsc_nodes(plan, rsc, SET_TARGET, ret, NULL);
}

bool ha_status_settled(const ha_plan *plan)
{
	if (!plan)
		return false;
	const sched *s = plan->s;
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (a->runnable && !a->pseudo && a->kind != ACT_NOTIFY)
			return false;
	}
	for (guint p = 0; p < s->prims->len; p++) {
		const sc_rsc *x = g_ptr_array_index(s->prims, p);
		for (int n = 0; n < s->nnodes; n++)
			if (sc_state_at(s, x, n)->pending && counts(s, n))
				return false;
	}
	return true;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_str(GString *out, const char *v)
{
	if (!v) {
		g_string_append(out, "null");
		return;
	}
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

static const char *kind_name(const ha_rsc *r)
{
	return r->kind == HA_RSC_PRIMITIVE ? "primitive" : r->kind == HA_RSC_GROUP ? "group" : "clone";
}

static void agent_of(const ha_rsc *r, char *buf, size_t len)
{
	if (r->provider)
		snprintf(buf, len, "%s:%s:%s", r->cls, r->provider, r->type);
	else
		snprintf(buf, len, "%s:%s", r->cls ? r->cls : "?", r->type ? r->type : "?");
}

/* The highest role x (a primitive or a clone instance) has on any counted node. */
static ha_role current_role(const sched *s, const sc_rsc *x)
{
	ha_role role = HA_ROLE_STOPPED;
	for (int n = 0; n < s->nnodes; n++) {
		const sc_state *st = sc_state_at(s, x, n);
		if (counts(s, n) && st->role > role)
			role = st->role;
	}
	return role;
}

static void json_nodes(GString *out, const sched *s, const bool *set)
{
	bool first = true;
	g_string_append_c(out, '[');
	for (int n = 0; n < s->nnodes; n++) {
		if (!set[n])
			continue;
		if (!first)
			g_string_append_c(out, ',');
		first = false;
		json_str(out, s->nodes[n].uname);
	}
	g_string_append_c(out, ']');
}

static void json_rsc(GString *out, const sched *s, const sc_rsc *x, bool *first)
{
	char agent[300];
	bool *set = g_new0(bool, s->nnodes ? s->nnodes : 1);
	if (!*first)
		g_string_append_c(out, ',');
	*first = false;
	g_string_append(out, "{\"id\":");
	json_str(out, x->r->id);
	g_string_append(out, ",\"kind\":");
	json_str(out, kind_name(x->r));
	if (x->r->kind == HA_RSC_PRIMITIVE) {
		agent_of(x->r, agent, sizeof(agent));
		g_string_append(out, ",\"agent\":");
		json_str(out, agent);
	}
	g_string_append(out, ",\"parent\":");
	json_str(out, x->r->parent ? x->r->parent->id : NULL);
	if (x->r->kind == HA_RSC_PRIMITIVE && x->prim_idx >= 0) {
		g_string_append(out, ",\"role\":");
		json_str(out, ha__role_str(current_role(s, x)));
	}
	node_set(s, x, SET_ACTIVE, set);
	g_string_append(out, ",\"nodes\":");
	json_nodes(out, s, set);
	node_set(s, x, SET_UP, set);
	g_string_append(out, ",\"up_nodes\":");
	json_nodes(out, s, set);
	node_set(s, x, SET_TARGET, set);
	g_string_append(out, ",\"target_nodes\":");
	json_nodes(out, s, set);
	g_string_append_printf(out, ",\"failed\":%s,\"managed\":%s,\"disabled\":%s,\"blocked\":%s}",
			       any_failed(s, x) ? "true" : "false", x->managed ? "true" : "false",
			       x->target_stopped ? "true" : "false", x->blocked ? "true" : "false");
	g_free(set);
}

/* Every resource of the configuration (not clone instances), parents first. */
static void json_resources(GString *out, const sched *s)
{
	bool first = true;
	g_string_append(out, ",\"resources\":[");
	for (guint i = 0; i < s->cfg->rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(s->cfg->rsc_all, i);
		const sc_rsc *x = g_hash_table_lookup(s->by_id, r->id);
		if (x)
			json_rsc(out, s, x, &first);
	}
	g_string_append_c(out, ']');
}

static void json_failures(GString *out, const sched *s)
{
	bool first = true, pfirst = true;
	GString *pending = g_string_new(NULL);
	g_string_append(out, ",\"failed_actions\":[");
	for (guint p = 0; p < s->prims->len; p++) {
		const sc_rsc *x = g_ptr_array_index(s->prims, p);
		for (int n = 0; n < s->nnodes; n++) {
			const sc_state *st = sc_state_at(s, x, n);
			if (st->pending) {
				if (!pfirst)
					g_string_append_c(pending, ',');
				pfirst = false;
				g_string_append(pending, "{\"resource\":");
				json_str(pending, x->r->id);
				g_string_append(pending, ",\"node\":");
				json_str(pending, s->nodes[n].uname);
				g_string_append_c(pending, '}');
			}
			if (!st->failed && st->fail_count <= 0)
				continue;
			if (!first)
				g_string_append_c(out, ',');
			first = false;
			g_string_append(out, "{\"resource\":");
			json_str(out, x->r->id);
			g_string_append(out, ",\"node\":");
			json_str(out, s->nodes[n].uname);
			g_string_append(out, ",\"operation\":");
			json_str(out, sc_failed_op(s, st));
			g_string_append(out, ",\"exit_reason\":");
			json_str(out, sc_exit_reason(s, st));
			g_string_append_printf(out, ",\"fail_count\":%d,\"last_failure\":%" G_GINT64_FORMAT
						    ",\"active\":%s}",
					       st->fail_count, sc_last_failure(s, st),
					       st->failed ? "true" : "false");
		}
	}
	g_string_append_printf(out, "],\"pending\":[%s]", pending->str);
	g_string_free(pending, TRUE);
}

static void json_actions(GString *out, const sched *s)
{
	static const char *const names[] = {"stop", "demote", "start", "promote",
					    "monitor", "fence", "notify"};
	bool first = true;
	g_string_append(out, ",\"actions\":[");
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (a->pseudo || a->kind == ACT_NOTIFY)
			continue;
		if (!first)
			g_string_append_c(out, ',');
		first = false;
		g_string_append(out, "{\"action\":");
		json_str(out, names[a->kind]);
		g_string_append(out, ",\"resource\":");
		json_str(out, a->rsc ? a->rsc->r->id : (a->kind == ACT_STOP ? a->reason : NULL));
		g_string_append(out, ",\"node\":");
		json_str(out, s->nodes[a->node].uname);
		g_string_append_printf(out, ",\"interval_ms\":%u,\"runnable\":%s,\"reason\":",
				       a->interval_ms, a->runnable ? "true" : "false");
		json_str(out, a->reason);
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
}

static void status_json(const ha_plan *plan, GString *out)
{
	const sched *s = plan->s;
	g_string_append_printf(out, "{\"quorate\":%s,\"epoch\":%" G_GINT64_FORMAT
				    ",\"settled\":%s,\"incomplete\":%s,\"nodes\":[",
			       s->have_quorum ? "true" : "false", s->cib->epoch,
			       ha_status_settled(plan) ? "true" : "false",
			       s->incomplete ? "true" : "false");
	for (int n = 0; n < s->nnodes; n++) {
		g_string_append_printf(out, "%s{\"name\":", n ? "," : "");
		json_str(out, s->nodes[n].uname);
		g_string_append(out, ",\"state\":");
		json_str(out, node_state(&s->nodes[n]));
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
	json_resources(out, s);
	json_failures(out, s);
	json_actions(out, s);
	g_string_append(out, "}\n");
}

/* ---- text ------------------------------------------------------------------------------- */

static void text_rsc(GString *out, const sched *s, const sc_rsc *x, int indent)
{
	char agent[300];
	bool *set = g_new0(bool, s->nnodes ? s->nnodes : 1);
	node_set(s, x, SET_ACTIVE, set);
	char *where = set_str(s, set);
	g_free(set);
	const char *flags[5] = {NULL};
	int nf = 0;
	if (!x->managed)
		flags[nf++] = "unmanaged";
	if (x->target_stopped)
		flags[nf++] = "disabled";
	if (x->blocked)
		flags[nf++] = "blocked";
	if (any_failed(s, x))
		flags[nf++] = "FAILED";
	if (any_pending(s, x))
		flags[nf++] = "operation in progress";
	GString *fl = g_string_new(NULL);
	for (int i = 0; i < nf; i++)
		g_string_append_printf(fl, "%s%s", i ? ", " : " (", flags[i]);
	if (nf)
		g_string_append_c(fl, ')');
	switch (x->r->kind) {
	case HA_RSC_PRIMITIVE:
		agent_of(x->r, agent, sizeof(agent));
		g_string_append_printf(out, "%*s%-20s %-24s %s%s%s%s\n", indent, "", x->r->id, agent,
				       *where ? ha__role_str(current_role(s, x)) : "Stopped",
				       *where ? " on " : "", where, fl->str);
		break;
	case HA_RSC_GROUP:
		g_string_append_printf(out, "%*s%s (group)%s%s%s:\n", indent, "", x->r->id,
				       *where ? " on " : "", where, fl->str);
		for (guint i = 0; i < x->children->len; i++)
			text_rsc(out, s, g_ptr_array_index(x->children, i), indent + 2);
		break;
	case HA_RSC_CLONE: {
		g_string_append_printf(out, "%*s%s (%sclone)%s%s%s\n", indent, "", x->r->id,
				       x->promotable ? "promotable " : "", *where ? " on " : "", where,
				       fl->str);
		if (x->promotable) {
			/* Promoted instances by node. */
			GString *prom = g_string_new(NULL);
			for (guint i = 0; i < x->children->len; i++) {
				const sc_rsc *inst = g_ptr_array_index(x->children, i);
				if (inst->prim_idx < 0)
					continue;
				for (int n = 0; n < s->nnodes; n++)
					if (counts(s, n) && sc_state_at(s, inst, n)->role == HA_ROLE_PROMOTED)
						g_string_append_printf(prom, " %s", s->nodes[n].uname);
			}
			g_string_append_printf(out, "%*sPromoted:%s\n", indent + 2, "",
					       prom->len ? prom->str : " none");
			g_string_free(prom, TRUE);
		}
		break;
	}
	}
	g_string_free(fl, TRUE);
	free(where);
}

static void status_text(const ha_plan *plan, GString *out)
{
	const sched *s = plan->s;
	bool settled = ha_status_settled(plan);
	g_string_append_printf(out, "Cluster: %s, configuration epoch %" G_GINT64_FORMAT ", %s%s\n",
			       s->have_quorum ? "quorate" : "NOT QUORATE", s->cib->epoch,
			       settled ? "settled" : "in transition",
			       s->incomplete ? " (some actions cannot run: see `hactl explain`)" : "");
	g_string_append(out, "\nNodes:\n");
	for (int n = 0; n < s->nnodes; n++)
		g_string_append_printf(out, "  %-20s %s\n", s->nodes[n].uname, node_state(&s->nodes[n]));
	g_string_append(out, "\nResources:\n");
	for (guint i = 0; i < s->cfg->resources->len; i++) {
		const ha_rsc *r = g_ptr_array_index(s->cfg->resources, i);
		const sc_rsc *x = g_hash_table_lookup(s->by_id, r->id);
		if (x)
			text_rsc(out, s, x, 2);
	}
	if (!s->cfg->resources->len)
		g_string_append(out, "  (none configured)\n");
	GString *failed = g_string_new(NULL), *pending = g_string_new(NULL);
	for (guint p = 0; p < s->prims->len; p++) {
		const sc_rsc *x = g_ptr_array_index(s->prims, p);
		for (int n = 0; n < s->nnodes; n++) {
			const sc_state *st = sc_state_at(s, x, n);
			if (st->pending)
				g_string_append_printf(pending, "  %s on %s\n", x->r->id, s->nodes[n].uname);
			if (!st->failed && st->fail_count <= 0)
				continue;
			g_string_append_printf(failed, "  %s %s on %s: %s (fail count %d)%s\n", x->r->id,
					       sc_failed_op(s, st) ? sc_failed_op(s, st) : "operation",
					       s->nodes[n].uname,
					       sc_exit_reason(s, st) ? sc_exit_reason(s, st) : "failed",
					       st->fail_count, st->failed ? "" : ", recovered");
		}
	}
	if (failed->len)
		g_string_append_printf(out, "\nFailed actions (`hactl cleanup RSC` clears them):\n%s",
				       failed->str);
	if (pending->len)
		g_string_append_printf(out, "\nPending operations:\n%s", pending->str);
	g_string_free(failed, TRUE);
	g_string_free(pending, TRUE);
}

int ha_status_format(const ha_plan *plan, bool json, char **ret)
{
	if (!plan || !ret)
		return -EINVAL;
	GString *out = g_string_new(NULL);
	if (json)
		status_json(plan, out);
	else
		status_text(plan, out);
	*ret = strdup(out->str);
	g_string_free(out, TRUE);
	return *ret ? 0 : -ENOMEM;
}
