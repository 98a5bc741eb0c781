/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public plan object: runs the scheduler stages in order, owns their results,
 * and applies a plan to a CIB's status as if every runnable action succeeded
 * (what `hactl simulate --save-output` writes).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan_private.h"

static void sched_free_rsc(sc_rsc *x)
{
	g_free(x->score);
	g_free(x->final_score);
	g_free(x->promo_loc);
	if (x->inst_order)
		g_ptr_array_free(x->inst_order, TRUE);
	g_ptr_array_free(x->this_with, TRUE);
	g_ptr_array_free(x->with_this, TRUE);
	if (x->children)
		g_ptr_array_free(x->children, TRUE);
	g_free(x);
}

void ha__sched_free(sched *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nnodes; i++) {
		if (s->nodes[i].attrs)
			g_hash_table_destroy(s->nodes[i].attrs);
		if (s->nodes[i].fails)
			g_hash_table_destroy(s->nodes[i].fails);
	}
	g_free(s->nodes);
	for (guint i = 0; s->rscs && i < s->rscs->len; i++)
		sched_free_rsc(g_ptr_array_index(s->rscs, i));
	if (s->rscs)
		g_ptr_array_free(s->rscs, TRUE);
	if (s->prims)
		g_ptr_array_free(s->prims, TRUE);
	if (s->top)
		g_ptr_array_free(s->top, TRUE);
	if (s->by_id)
		g_hash_table_destroy(s->by_id);
	g_free(s->states);
	if (s->colocs) {
		g_ptr_array_set_free_func(s->colocs, g_free);
		g_ptr_array_free(s->colocs, TRUE);
	}
	if (s->orphans)
		g_ptr_array_free(s->orphans, TRUE);
	for (guint i = 0; s->actions && i < s->actions->len; i++) {
		sc_action *a = g_ptr_array_index(s->actions, i);
		if (a->after)
			g_array_free(a->after, TRUE);
		g_free(a);
	}
	if (s->actions)
		g_ptr_array_free(s->actions, TRUE);
	if (s->unsupported) {
		g_ptr_array_set_free_func(s->unsupported, g_free);
		g_ptr_array_free(s->unsupported, TRUE);
	}
	if (s->strings)
		g_string_chunk_free(s->strings);
	ha__sc_whylog_free(&s->why);
	if (s->info)
		g_array_free(s->info, TRUE);
	g_free(s->failure_timeout);
	g_free(s);
}

static bool has_fence_device(const ha_config *cfg)
{
	for (guint i = 0; i < cfg->rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(cfg->rsc_all, i);
		if (r->kind == HA_RSC_PRIMITIVE && r->cls && !strcmp(r->cls, "stonith"))
			return true;
	}
	return false;
}

int ha__sched_run(const ha_cib *cib, int64_t now, ha_plan **ret, ha_diag *diag)
{
	if (!cib || !ret)
		return -EINVAL;
	sched *s = g_new0(sched, 1);
	s->cib = cib;
	s->cfg = &cib->cfg;
	s->opts = &cib->cfg.opts;
	s->now = now;
	s->diag = diag;
	s->strings = g_string_chunk_new(4096);
	s->rscs = g_ptr_array_new();
	s->prims = g_ptr_array_new();
	s->top = g_ptr_array_new();
	s->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	s->colocs = g_ptr_array_new();
	s->orphans = g_ptr_array_new();
	s->actions = g_ptr_array_new();
	s->unsupported = g_ptr_array_new();

	int rc = ha__sc_nodes(s);
	if (rc >= 0)
		rc = ha__sc_rscs(s);
	if (rc >= 0)
		rc = ha__sc_status(s);
	if (rc >= 0 && s->opts->stonith_enabled && !has_fence_device(s->cfg)) {
		/* Pacemaker's rule: with fencing enabled but no device, nothing is managed. */
		for (guint i = 0; i < s->rscs->len; i++)
			((sc_rsc *)g_ptr_array_index(s->rscs, i))->managed = false;
		g_ptr_array_add(s->unsupported,
				g_strdup("stonith-enabled is true but no fencing device is configured: "
					 "resource start-up is disabled; configure a stonith resource "
					 "or set stonith-enabled=false"));
		s->incomplete = true;
	}
	if (rc >= 0)
		rc = ha__sc_scores(s);
	if (rc >= 0)
		rc = ha__sc_assign(s);
	if (rc >= 0)
		rc = ha__sc_actions(s);
	if (rc < 0) {
		ha__sched_free(s);
		return rc;
	}
	for (guint i = 0; i < s->unsupported->len; i++)
		ha__diag_add(diag, HA_DIAG_WARNING, "%s", (char *)g_ptr_array_index(s->unsupported, i));
	ha_plan *p = g_new0(ha_plan, 1);
	p->s = s;
	*ret = p;
	return 0;
}

int ha_plan_compute(const ha_cib *cib, int64_t now, ha_plan **ret, ha_diag *diag)
{
	return ha__sched_run(cib, now, ret, diag);
}

ha_plan *ha_plan_free(ha_plan *plan)
{
	if (plan) {
		ha__sched_free(plan->s);
		g_free(plan);
	}
	return NULL;
}

bool ha_plan_incomplete(const ha_plan *plan)
{
	return plan && plan->s->incomplete;
}

/* ---- applying a plan to the status ------------------------------------------ */

static ha_node_state *state_for(ha_cib *cib, const sc_node *n)
{
	ha_node_state *ns = ha__node_state_find(cib, n->uname);
	if (!ns) {
		ns = ha__node_state_new();
		ns->id = ha__str(cib, n->id ? n->id : n->uname);
		ns->uname = ha__str(cib, n->uname);
		ns->in_ccm = ha__str_const(cib, "true");
		ns->crmd = ha__str_const(cib, "online");
		ns->join = ha__str_const(cib, "member");
		ns->expected = ha__str_const(cib, "member");
		g_ptr_array_add(cib->status, ns);
	}
	return ns;
}

static ha_lrm_rsc *lrm_for(ha_cib *cib, ha_node_state *ns, const ha_rsc *r)
{
	for (guint i = 0; i < ns->lrm->len; i++) {
		ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (!strcmp(lr->id, r->id))
			return lr;
	}
	ha_lrm_rsc *lr = ha__lrm_rsc_new();
	lr->id = ha__str_const(cib, r->id);
	lr->cls = ha__str_const(cib, r->cls);
	lr->provider = ha__str_const(cib, r->provider);
	lr->type = ha__str_const(cib, r->type);
	g_ptr_array_add(ns->lrm, lr);
	return lr;
}

static int64_t next_call_id(const ha_node_state *ns)
{
	int64_t max = 0;
	for (guint i = 0; i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		for (guint j = 0; j < lr->ops->len; j++) {
			const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, j);
			if (op->call_id > max)
				max = op->call_id;
		}
	}
	return max + 1;
}

/* Record op as "<id>_last_0" (non-recurring) or "<id>_<op>_<interval>" (recurring),
 * replacing the previous entry of that name, as Pacemaker does. */
static void record(ha_cib *cib, int64_t now, const sc_node *n, const ha_rsc *r,
		   const char *task, uint32_t interval_ms, int rc)
{
	ha_node_state *ns = state_for(cib, n);
	ha_lrm_rsc *lr = lrm_for(cib, ns, r);
	char id[512];
	if (interval_ms)
		snprintf(id, sizeof(id), "%s_%s_%u", r->id, task, interval_ms);
	else
		snprintf(id, sizeof(id), "%s_last_0", r->id);
	char digest[HA_DIGEST_LEN];
	ha_lrm_op op = {
		.id = ha__str(cib, id),
		.operation = ha__str_const(cib, task),
		.interval_ms = interval_ms,
		.rc = rc,
		.op_status = HA_OPST_DONE,
		.call_id = next_call_id(ns),
		.last_rc_change = now,
		.last_run = now,
		.digest = ha__str_const(cib, ha__rsc_digest(r, digest)),
		.on_node = ha__str_const(cib, n->uname),
	};
	for (guint j = 0; j < lr->ops->len; j++) {
		ha_lrm_op *old = &g_array_index(lr->ops, ha_lrm_op, j);
		if (!strcmp(old->id, op.id)) {
			*old = op;
			return;
		}
	}
	g_array_append_val(lr->ops, op);
}

static void drop_recurring(ha_cib *cib, const sc_node *n, const ha_rsc *r)
{
	ha_node_state *ns = state_for(cib, n);
	ha_lrm_rsc *lr = lrm_for(cib, ns, r);
	for (guint j = lr->ops->len; j-- > 0;)
		if (g_array_index(lr->ops, ha_lrm_op, j).interval_ms > 0)
			g_array_remove_index(lr->ops, j);
}

int ha_plan_apply(const ha_plan *plan, ha_cib *cib)
{
	if (!plan || !cib)
		return -EINVAL;
	const sched *s = plan->s;
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (!a->runnable || a->pseudo)
			continue;
		const sc_node *n = &s->nodes[a->node];
		const ha_rsc *r = a->rsc ? a->rsc->r : NULL;
		switch (a->kind) {
		case ACT_FENCE: {
			ha_node_state *ns = state_for(cib, n);
			ns->in_ccm = ha__str_const(cib, "false");
			ns->crmd = ha__str_const(cib, "offline");
			ns->join = ha__str_const(cib, "down");
			ns->expected = ha__str_const(cib, "down");
			for (guint j = 0; j < ns->lrm->len; j++) {
				ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
				g_array_free(lr->ops, TRUE);
				g_free(lr);
			}
			g_ptr_array_set_size(ns->lrm, 0);
			break;
		}
		case ACT_STOP:
			if (!r) {
				/* orphan: a->reason holds its id */
				ha_node_state *ns = state_for(cib, n);
				for (guint j = 0; j < ns->lrm->len; j++) {
					ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
					if (!strcmp(lr->id, a->reason)) {
						g_array_free(lr->ops, TRUE);
						g_free(lr);
						g_ptr_array_remove_index(ns->lrm, j);
						break;
					}
				}
				break;
			}
			drop_recurring(cib, n, r);
			record(cib, s->now, n, r, "stop", 0, 0);
			break;
		case ACT_START:
			record(cib, s->now, n, r, "start", 0, 0);
			break;
		case ACT_PROMOTE:
			record(cib, s->now, n, r, "promote", 0, 0);
			break;
		case ACT_DEMOTE:
			drop_recurring(cib, n, r);
			record(cib, s->now, n, r, "demote", 0, 0);
			break;
		case ACT_MONITOR:
			if (a->interval_ms)
				record(cib, s->now, n, r, "monitor", a->interval_ms,
				       a->rsc->end_node == a->node && a->rsc->next_role == HA_ROLE_PROMOTED ? 8 : 0);
			else
				record(cib, s->now, n, r, "monitor", 0, 7);
			break;
		case ACT_NOTIFY:
			break;
		}
	}
	cib->num_updates++;
	return 0;
}

size_t ha__plan_n_actions(const ha_plan *p)
{
	return p->s->actions->len;
}

static const char *const act_names[] = {"stop", "demote", "start", "promote", "monitor", "fence", "notify"};

void ha__plan_get_action(const ha_plan *p, size_t i, ha_plan_action *out)
{
	const sched *s = p->s;
	const sc_action *a = g_ptr_array_index(s->actions, i);
	memset(out, 0, sizeof(*out));
	out->action = act_names[a->kind];
	out->rsc = a->rsc ? a->rsc->r->id : (a->kind == ACT_STOP ? a->reason : NULL);
	out->node = s->nodes[a->node].uname;
	out->interval_ms = a->interval_ms;
	out->runnable = a->runnable;
	out->pseudo = a->pseudo;
	/* Notifications are run by the cluster layer on its own (post-notifications on
	 * delivered results): they never hold an action back. */
	out->n_before = 0;
	for (guint j = 0; j < sc_n_after(a); j++) {
		const sc_action *b = g_ptr_array_index(s->actions, sc_after_at(a, j));
		if (b->kind != ACT_NOTIFY)
			out->n_before++;
	}
	out->orphan = !a->rsc && a->kind == ACT_STOP;
	out->instance = a->rsc ? a->rsc->instance : -1;
	out->param_restart = a->rsc && a->rsc->restart && !a->rsc->restart_reason &&
			     a->node == a->rsc->end_node;
}

void ha__plan_restarts_in_place(const ha_plan *p, bool *out)
{
	const sched *s = p->s;
	memset(out, 0, s->actions->len * sizeof(bool));
	for (guint k = 0; k < s->actions->len; k++) {
		const sc_action *a = g_ptr_array_index(s->actions, k);
		if (a->kind != ACT_START || !a->rsc || !a->runnable || a->pseudo)
			continue;
		/* The start may wait for its own stop only (notifications never hold it). */
		const sc_action *only = NULL;
		bool ok = true;
		for (guint j = 0; ok && a->after && j < a->after->len; j++) {
			const sc_action *b = g_ptr_array_index(s->actions, g_array_index(a->after, int, j));
			if (b->kind == ACT_NOTIFY || b == only)
				continue;
			ok = !only;
			only = b;
		}
		if (ok && only && only->kind == ACT_STOP && only->rsc == a->rsc &&
		    only->node == a->node && only->runnable && !only->pseudo)
			out[only->id] = true;
	}
}
