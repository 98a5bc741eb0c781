/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deep structural equality of two CIB models: every value, in order, except line
 * numbers (where a thing was written) and pointer identity (resolved references are
 * compared by the id they point to). Used by round-trip tests, the fuzzer and
 * ha_cib_equal(). An absent array and an empty one are equal.
 */
#include <string.h>

#include "model.h"

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static guint len_of(const GPtrArray *a)
{
	return a ? a->len : 0;
}

static bool pair_eq(const ha_nvpair *a, const ha_nvpair *b)
{
	return str_eq(a->id, b->id) && str_eq(a->name, b->name) && str_eq(a->value, b->value);
}

static bool pairs_eq(const GArray *a, const GArray *b)
{
	guint n = a ? a->len : 0;
	if (n != (b ? b->len : 0))
		return false;
	for (guint i = 0; i < n; i++)
		if (!pair_eq(&g_array_index(a, ha_nvpair, i), &g_array_index(b, ha_nvpair, i)))
			return false;
	return true;
}

static bool nvsets_eq(const GPtrArray *a, const GPtrArray *b)
{
	if (len_of(a) != len_of(b))
		return false;
	for (guint i = 0; i < len_of(a); i++) {
		const ha_nvset *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, i);
		if (!str_eq(x->id, y->id) || !pairs_eq(x->pairs, y->pairs))
			return false;
	}
	return true;
}

static const char *rsc_id(const ha_rsc *r)
{
	return r ? r->id : NULL;
}

static bool op_def_eq(const ha_op_def *a, const ha_op_def *b)
{
	return str_eq(a->id, b->id) && str_eq(a->name, b->name) &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       str_eq(a->role, b->role) && str_eq(a->on_fail, b->on_fail) &&
	       str_eq(a->interval_str, b->interval_str) && str_eq(a->timeout_str, b->timeout_str) &&
	       str_eq(a->enabled, b->enabled) && nvsets_eq(a->attrs, b->attrs) &&
	       nvsets_eq(a->meta, b->meta);
}

/* Compares the resource itself and its children's ids; rsc_all covers every resource,
 * so descending into children would only compare them twice. */
static bool rsc_eq(const ha_rsc *a, const ha_rsc *b)
{
	if (!str_eq(a->id, b->id) || a->kind != b->kind || a->index != b->index ||
	    !str_eq(rsc_id(a->parent), rsc_id(b->parent)) || !str_eq(a->cls, b->cls) ||
	    !str_eq(a->provider, b->provider) || !str_eq(a->type, b->type) ||
	    !nvsets_eq(a->params, b->params) || !nvsets_eq(a->meta, b->meta) ||
	    a->promotable != b->promotable || a->legacy_master != b->legacy_master ||
	    !str_eq(a->description, b->description) || len_of(a->ops) != len_of(b->ops) ||
	    len_of(a->children) != len_of(b->children))
		return false;
	for (guint i = 0; i < len_of(a->ops); i++)
		if (!op_def_eq(g_ptr_array_index(a->ops, i), g_ptr_array_index(b->ops, i)))
			return false;
	for (guint i = 0; i < len_of(a->children); i++)
		if (!str_eq(rsc_id(g_ptr_array_index(a->children, i)),
			    rsc_id(g_ptr_array_index(b->children, i))))
			return false;
	return true;
}

static bool rule_eq(const ha_rule *a, const ha_rule *b);

static bool expr_eq(const ha_expr *a, const ha_expr *b)
{
	if (a->kind != b->kind || !str_eq(a->id, b->id))
		return false;
	if (a->kind == HA_EXPR_RULE)
		return a->rule && b->rule ? rule_eq(a->rule, b->rule) : a->rule == b->rule;
	return str_eq(a->attribute, b->attribute) && str_eq(a->operation, b->operation) &&
	       str_eq(a->value, b->value) && str_eq(a->type, b->type) &&
	       str_eq(a->value_source, b->value_source);
}

static bool rule_eq(const ha_rule *a, const ha_rule *b)
{
	if (!str_eq(a->id, b->id) || a->score != b->score || a->has_score != b->has_score ||
	    !str_eq(a->score_str, b->score_str) || !str_eq(a->score_attribute, b->score_attribute) ||
	    !str_eq(a->boolean_op, b->boolean_op) || !str_eq(a->role, b->role) ||
	    len_of(a->exprs) != len_of(b->exprs))
		return false;
	for (guint i = 0; i < len_of(a->exprs); i++)
		if (!expr_eq(g_ptr_array_index(a->exprs, i), g_ptr_array_index(b->exprs, i)))
			return false;
	return true;
}

static bool location_eq(const ha_location *a, const ha_location *b)
{
	if (!str_eq(a->id, b->id) || !str_eq(a->rsc, b->rsc) || !str_eq(a->node, b->node) ||
	    a->score != b->score || !str_eq(a->score_str, b->score_str) ||
	    !str_eq(a->role, b->role) || !str_eq(a->resource_discovery, b->resource_discovery) ||
	    !str_eq(rsc_id(a->r), rsc_id(b->r)) || len_of(a->rules) != len_of(b->rules))
		return false;
	for (guint i = 0; i < len_of(a->rules); i++)
		if (!rule_eq(g_ptr_array_index(a->rules, i), g_ptr_array_index(b->rules, i)))
			return false;
	return true;
}

static bool colocation_eq(const ha_colocation *a, const ha_colocation *b)
{
	return str_eq(a->id, b->id) && str_eq(a->rsc, b->rsc) && str_eq(a->with_rsc, b->with_rsc) &&
	       a->score == b->score && str_eq(a->score_str, b->score_str) &&
	       str_eq(a->rsc_role, b->rsc_role) && str_eq(a->with_rsc_role, b->with_rsc_role) &&
	       str_eq(a->node_attribute, b->node_attribute) &&
	       str_eq(rsc_id(a->r), rsc_id(b->r)) && str_eq(rsc_id(a->with), rsc_id(b->with));
}

static bool order_eq(const ha_order *a, const ha_order *b)
{
	return str_eq(a->id, b->id) && str_eq(a->first, b->first) && str_eq(a->then, b->then) &&
	       str_eq(a->first_action, b->first_action) && str_eq(a->then_action, b->then_action) &&
	       a->kind == b->kind && str_eq(a->kind_str, b->kind_str) &&
	       str_eq(a->score_str, b->score_str) && a->symmetrical == b->symmetrical &&
	       str_eq(a->symmetrical_str, b->symmetrical_str) &&
	       str_eq(a->require_all, b->require_all) &&
	       str_eq(rsc_id(a->r_first), rsc_id(b->r_first)) &&
	       str_eq(rsc_id(a->r_then), rsc_id(b->r_then));
}

static bool node_def_eq(const ha_node_def *a, const ha_node_def *b)
{
	return str_eq(a->id, b->id) && str_eq(a->uname, b->uname) && str_eq(a->type, b->type) &&
	       nvsets_eq(a->attrs, b->attrs) && nvsets_eq(a->utilization, b->utilization);
}

static bool options_eq(const ha_options *a, const ha_options *b)
{
	return a->symmetric_cluster == b->symmetric_cluster &&
	       a->no_quorum_policy == b->no_quorum_policy &&
	       a->stonith_enabled == b->stonith_enabled &&
	       a->stonith_timeout_ms == b->stonith_timeout_ms &&
	       a->maintenance_mode == b->maintenance_mode &&
	       a->recheck_interval_ms == b->recheck_interval_ms &&
	       a->start_failure_is_fatal == b->start_failure_is_fatal &&
	       a->stop_orphan_resources == b->stop_orphan_resources &&
	       a->startup_fencing == b->startup_fencing &&
	       str_eq(a->placement_strategy, b->placement_strategy);
}

/* Element-wise comparison of two pointer arrays with eq. */
#define ARRAYS_EQ(a, b, type, eq)                                                           \
	({                                                                                  \
		bool ok_ = len_of(a) == len_of(b);                                          \
		for (guint i_ = 0; ok_ && i_ < len_of(a); i_++)                             \
			ok_ = eq((const type *)g_ptr_array_index(a, i_),                    \
				 (const type *)g_ptr_array_index(b, i_));                   \
		ok_;                                                                        \
	})

static bool config_eq(const ha_config *a, const ha_config *b)
{
	if (!nvsets_eq(a->crm_config, b->crm_config) || !nvsets_eq(a->rsc_defaults, b->rsc_defaults) ||
	    !nvsets_eq(a->op_defaults, b->op_defaults) || !options_eq(&a->opts, &b->opts) ||
	    !ARRAYS_EQ(a->nodes, b->nodes, ha_node_def, node_def_eq) ||
	    !ARRAYS_EQ(a->rsc_all, b->rsc_all, ha_rsc, rsc_eq) ||
	    !ARRAYS_EQ(a->locations, b->locations, ha_location, location_eq) ||
	    !ARRAYS_EQ(a->colocations, b->colocations, ha_colocation, colocation_eq) ||
	    !ARRAYS_EQ(a->orders, b->orders, ha_order, order_eq))
		return false;
	if (len_of(a->resources) != len_of(b->resources) ||
	    g_hash_table_size(a->rsc_by_id) != g_hash_table_size(b->rsc_by_id))
		return false;
	for (guint i = 0; i < len_of(a->resources); i++)
		if (!str_eq(rsc_id(g_ptr_array_index(a->resources, i)),
			    rsc_id(g_ptr_array_index(b->resources, i))))
			return false;
	GHashTableIter it;
	gpointer key, value;
	g_hash_table_iter_init(&it, a->rsc_by_id);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const ha_rsc *other = g_hash_table_lookup(b->rsc_by_id, key);
		if (!other || ((const ha_rsc *)value)->index != other->index)
			return false;
	}
	return true;
}

static bool lrm_op_eq(const ha_lrm_op *a, const ha_lrm_op *b)
{
	return str_eq(a->id, b->id) && str_eq(a->operation, b->operation) &&
	       a->interval_ms == b->interval_ms && a->rc == b->rc && a->op_status == b->op_status &&
	       a->call_id == b->call_id && a->last_rc_change == b->last_rc_change &&
	       a->last_run == b->last_run && a->exec_time == b->exec_time &&
	       a->queue_time == b->queue_time && str_eq(a->digest, b->digest) &&
	       str_eq(a->exit_reason, b->exit_reason) &&
	       str_eq(a->transition_key, b->transition_key) &&
	       str_eq(a->transition_magic, b->transition_magic) && str_eq(a->on_node, b->on_node) &&
	       str_eq(a->feature_set, b->feature_set);
}

static bool lrm_rsc_eq(const ha_lrm_rsc *a, const ha_lrm_rsc *b)
{
	if (!str_eq(a->id, b->id) || !str_eq(a->cls, b->cls) || !str_eq(a->provider, b->provider) ||
	    !str_eq(a->type, b->type) || a->ops->len != b->ops->len)
		return false;
	for (guint i = 0; i < a->ops->len; i++)
		if (!lrm_op_eq(&g_array_index(a->ops, ha_lrm_op, i),
			       &g_array_index(b->ops, ha_lrm_op, i)))
			return false;
	return true;
}

static bool node_state_eq(const ha_node_state *a, const ha_node_state *b)
{
	return str_eq(a->id, b->id) && str_eq(a->uname, b->uname) && str_eq(a->in_ccm, b->in_ccm) &&
	       str_eq(a->crmd, b->crmd) && str_eq(a->join, b->join) &&
	       str_eq(a->expected, b->expected) && str_eq(a->crm_debug_origin, b->crm_debug_origin) &&
	       a->frozen == b->frozen && nvsets_eq(a->attrs, b->attrs) && pairs_eq(a->other_attrs, b->other_attrs) &&
	       ARRAYS_EQ(a->lrm, b->lrm, ha_lrm_rsc, lrm_rsc_eq);
}

static bool cib_attr_eq(const ha_nvpair *a, const ha_nvpair *b)
{
	return pair_eq(a, b);
}

bool ha__cib_equal(const ha_cib *a, const ha_cib *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return a->admin_epoch == b->admin_epoch && a->epoch == b->epoch &&
	       a->num_updates == b->num_updates &&
	       ARRAYS_EQ(a->cib_attrs, b->cib_attrs, ha_nvpair, cib_attr_eq) &&
	       config_eq(&a->cfg, &b->cfg) &&
	       ARRAYS_EQ(a->status, b->status, ha_node_state, node_state_eq);
}

bool ha_cib_equal(const ha_cib *a, const ha_cib *b)
{
	return ha__cib_equal(a, b);
}
