/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Handlers for the <configuration> section: one function per element, each building
 * its part of the model while the reader streams and checking what the element alone
 * can tell (required attributes, scores, intervals, roles, nesting). References
 * between elements and the cluster options are checked in cib_check.c, once the whole
 * document has been read.
 */
#include <string.h>
#include <strings.h>

#include "cib_private.h"

/* Rules nest; libxml2 already caps documents at 256 levels, this keeps our recursion
 * far below that. */
#define CP_RULE_DEPTH_MAX 32

static bool is(const cp_elem *e, const char *name)
{
	return !strcmp(e->name, name);
}

static bool in_set(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return true;
	return false;
}

/* Copy the attribute into the CIB's string chunk (NULL if absent). */
static const char *cp_copy(cib_parser *p, const cp_elem *e, const char *name)
{
	return ha__str(p->cib, ha__cp_attr(p, e, name));
}

static const char *cp_intern(cib_parser *p, const cp_elem *e, const char *name)
{
	return ha__str_const(p->cib, ha__cp_attr(p, e, name));
}

/* The element's id, copied and registered; reports it missing when required. */
static const char *cp_elem_id(cib_parser *p, cp_elem *e, bool required)
{
	const char *id = required ? ha__cp_need(p, e, "id", NULL) : ha__cp_attr(p, e, "id");
	if (id && !*id)
		id = NULL;
	id = ha__str(p->cib, id);
	ha__cp_id(p, e, id);
	return id;
}

static bool check_score(cib_parser *p, const cp_elem *e, const char *attr, const char *v,
			int *out)
{
	if (ha__score_parse(v, out) == 0)
		return true;
	ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a score; use an integer, INFINITY or "
		     "-INFINITY", attr, v);
	return false;
}

static bool check_role(cib_parser *p, const cp_elem *e, const char *attr, const char *v)
{
	if (!v || ha__role_parse(v) != HA_ROLE_UNKNOWN)
		return true;
	ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a role; use Stopped, Started, "
		     "Unpromoted or Promoted", attr, v);
	return false;
}

static bool check_bool(cib_parser *p, const cp_elem *e, const char *attr, const char *v)
{
	bool b;
	if (!v || ha__bool_parse(v, &b) == 0)
		return true;
	ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a boolean; use true or false", attr, v);
	return false;
}

static bool check_interval(cib_parser *p, const cp_elem *e, const char *attr, const char *v,
			   uint32_t *ms)
{
	uint32_t tmp;
	if (!v || ha__interval_parse(v, ms ? ms : &tmp) == 0)
		return true;
	ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a duration; write e.g. 10s, 500ms, "
		     "2min or PT10S", attr, v);
	return false;
}

/* ---- name/value sets ---------------------------------------------------------- */

/* Meta attributes libha reads, checked here so that a typo fails the load instead of
 * silently meaning the default. */
static void check_meta(cib_parser *p, const cp_elem *e, const char *name, const char *v)
{
	static const char *const bools[] = {"is-managed", "notify", "interleave", "ordered",
		"promotable", "globally-unique", "critical", "allow-migrate", "maintenance",
		NULL};
	static const char *const scores[] = {"resource-stickiness", "migration-threshold",
		"priority", NULL};
	static const char *const counts[] = {"clone-max", "clone-node-max", "clone-min",
		"promoted-max", "promoted-node-max", "master-max", "master-node-max", NULL};
	int score;
	int64_t n;
	if (!v)
		return;
	if (in_set(name, bools)) {
		bool b = false;
		if (check_bool(p, e, name, v) && !strcmp(name, "globally-unique") &&
		    ha__bool_parse(v, &b) == 0 && b)
			ha__cp_unsupported(p, e, true, "globally unique clones "
					   "(globally-unique=true) are");
	} else if (in_set(name, scores)) {
		check_score(p, e, name, v, &score);
	} else if (in_set(name, counts)) {
		if (!ha__cp_parse_int64(v, &n) || n < 0 || n > INT32_MAX)
			ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a count; use a "
				     "non-negative integer", name, v);
	} else if (!strcmp(name, "target-role")) {
		check_role(p, e, name, v);
	} else if (!strcmp(name, "failure-timeout")) {
		check_interval(p, e, name, v, NULL);
	}
}

static int parse_nvpair(cib_parser *p, cp_elem *e, ha_nvset *set, cp_set_kind kind)
{
	ha_cib *cib = p->cib;
	if (ha__cp_attr(p, e, "id-ref")) {
		ha__cp_unsupported(p, e, true, "references to other name/value pairs (id-ref) are");
		return ha__cp_skip(p, e);
	}
	const char *id = cp_elem_id(p, e, false);
	const char *name = ha__cp_need(p, e, "name", NULL);
	if (name) {
		const char *v = ha__cp_attr(p, e, "value");
		if (kind == CP_SET_RSC_META)
			check_meta(p, e, name, v);
		ha_nvpair nv = {
			.id = id,
			.name = ha__str_const(cib, name),
			/* status values (fail counts, scores) repeat across nodes */
			.value = kind == CP_SET_STATUS ? ha__str_const(cib, v) : ha__str(cib, v),
		};
		g_array_append_val(set->pairs, nv);
		if (kind == CP_SET_OPTIONS && !g_hash_table_contains(p->opt_lines, nv.name))
			g_hash_table_insert(p->opt_lines, (gpointer)nv.name,
					    GINT_TO_POINTER(e->line));
	}
	return ha__cp_leaf(p, e);
}

int ha__cp_nvset(cib_parser *p, cp_elem *e, GPtrArray *sets, cp_set_kind kind)
{
	if (ha__cp_attr(p, e, "id-ref")) {
		ha__cp_unsupported(p, e, true, "references to other name/value sets (id-ref) are");
		return ha__cp_skip(p, e);
	}
	const char *id = kind == CP_SET_STATUS ? ha__str_const(p->cib, ha__cp_need(p, e, "id", NULL))
					       : cp_elem_id(p, e, true);
	e->id = id;
	if (ha__cp_attr(p, e, "score"))
		ha__cp_unsupported(p, e, true, "ordering name/value sets by score is");
	ha_nvset *set = g_new0(ha_nvset, 1);
	set->id = id;
	set->pairs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
	g_ptr_array_add(sets, set);
	cp_elem c;
	int r;
	while ((r = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "nvpair")) {
			r = parse_nvpair(p, &c, set, kind);
		} else if (is(&c, "rule")) {
			ha__cp_unsupported(p, &c, true, "rules inside name/value sets are");
			r = ha__cp_skip(p, &c);
		} else {
			r = ha__cp_unexpected(p, e, &c);
		}
		if (r < 0)
			return r;
	}
	return r;
}

/* ---- resources ------------------------------------------------------------------ */

typedef enum { IN_TOP = 0, IN_GROUP, IN_CLONE } rsc_ctx;

static int parse_resource(cib_parser *p, cp_elem *e, ha_rsc *parent, rsc_ctx ctx);

static ha_rsc *rsc_begin(cib_parser *p, cp_elem *e, ha_rsc_kind kind, ha_rsc *parent)
{
	const char *id = ha__cp_need(p, e, "id", NULL);
	if (!id)
		return NULL;
	ha_cib *cib = p->cib;
	ha_config *cfg = &cib->cfg;
	ha_rsc *r = ha__rsc_new(kind);
	/* Interned: the status section repeats every resource id once per node. */
	r->id = ha__str_const(cib, id);
	ha__cp_id(p, e, r->id);
	r->line = e->line;
	r->parent = parent;
	r->index = (int)cfg->rsc_all->len;
	r->description = cp_copy(p, e, "description");
	g_ptr_array_add(cfg->rsc_all, r);
	if (!g_hash_table_contains(cfg->rsc_by_id, r->id))
		g_hash_table_insert(cfg->rsc_by_id, (gpointer)r->id, r);
	g_ptr_array_add(parent ? parent->children : cfg->resources, r);
	return r;
}

static int parse_op(cib_parser *p, cp_elem *e, ha_rsc *r)
{
	static const char *const on_fail[] = {"ignore", "block", "stop", "restart", "fence",
		"standby", "demote", NULL};
	ha_cib *cib = p->cib;
	const char *id = cp_elem_id(p, e, true);
	const char *name = ha__cp_need(p, e, "name", NULL);
	const char *interval = ha__cp_need(p, e, "interval", "use interval=\"0s\" for "
					   "operations that do not recur");
	if (!id || !name || !interval)
		return ha__cp_skip(p, e);
	ha_op_def *op = g_new0(ha_op_def, 1);
	g_ptr_array_add(r->ops, op);
	op->id = id;
	op->line = e->line;
	op->name = ha__str_const(cib, name);
	op->interval_str = ha__str(cib, interval);
	check_interval(p, e, "interval", interval, &op->interval_ms);
	op->timeout_str = cp_copy(p, e, "timeout");
	check_interval(p, e, "timeout", op->timeout_str, &op->timeout_ms);
	op->role = cp_intern(p, e, "role");
	check_role(p, e, "role", op->role);
	op->on_fail = cp_intern(p, e, "on-fail");
	if (op->on_fail && !in_set(op->on_fail, on_fail))
		ha__cp_error(p, e, HA_ESCHEMA, "on-fail=\"%s\" is not supported; use ignore, block, "
			     "stop, restart, fence, standby or demote", op->on_fail);
	op->enabled = cp_intern(p, e, "enabled");
	check_bool(p, e, "enabled", op->enabled);
	if (ha__cp_attr(p, e, "start-delay") || ha__cp_attr(p, e, "interval-origin"))
		ha__cp_unsupported(p, e, false, "start-delay and interval-origin are");
	if (ha__cp_attr(p, e, "requires"))
		ha__cp_unsupported(p, e, false, "requires= on an operation is");
	op->attrs = ha__nvsets_new();
	op->meta = ha__nvsets_new();
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "instance_attributes"))
			rc = ha__cp_nvset(p, &c, op->attrs, CP_SET_PLAIN);
		else if (is(&c, "meta_attributes"))
			rc = ha__cp_nvset(p, &c, op->meta, CP_SET_PLAIN);
		else
			rc = ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static int parse_operations(cib_parser *p, cp_elem *e, ha_rsc *r)
{
	cp_elem_id(p, e, false);
	if (ha__cp_attr(p, e, "id-ref")) {
		ha__cp_unsupported(p, e, true, "references to other operation sets (id-ref) are");
		return ha__cp_skip(p, e);
	}
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		rc = is(&c, "op") ? parse_op(p, &c, r) : ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static void primitive_agent(cib_parser *p, cp_elem *e, ha_rsc *r)
{
	static const char *const classes[] = {"ocf", "lsb", "systemd", "service", "stonith",
		"embedded", NULL};
	static const char *const legacy[] = {"heartbeat", "upstart", "nagios", NULL};
	ha_cib *cib = p->cib;
	if (ha__cp_attr(p, e, "template")) {
		ha__cp_unsupported(p, e, true, "resource templates (template=) are");
		return;
	}
	const char *cls = ha__cp_need(p, e, "class", "e.g. class=\"ocf\" provider=\"heartbeat\"");
	const char *provider = ha__cp_attr(p, e, "provider");
	const char *type = ha__cp_need(p, e, "type", "the agent's name, e.g. type=\"IPaddr2\"");
	r->cls = ha__str_const(cib, cls);
	r->provider = ha__str_const(cib, provider);
	r->type = ha__str_const(cib, type);
	if (!cls)
		return;
	if (in_set(cls, legacy)) {
		ha__cp_unsupported(p, e, true, "this agent class is");
	} else if (!in_set(cls, classes)) {
		ha__cp_error(p, e, HA_ESCHEMA, "class=\"%s\" is not an agent class; use ocf, lsb, "
			     "systemd, service, stonith or embedded", cls);
	} else if (!strcmp(cls, "ocf") && (!provider || !*provider)) {
		ha__cp_error(p, e, HA_ESCHEMA, "class=\"ocf\" needs provider=\"...\" (the "
			     "directory under resource.d, e.g. heartbeat or pacemaker)");
	} else if (strcmp(cls, "ocf") && provider) {
		ha__cp_error(p, e, HA_ESCHEMA, "provider=\"%s\" is only used with class=\"ocf\"; "
			     "remove it", provider);
	}
}

static int parse_primitive(cib_parser *p, cp_elem *e, ha_rsc *parent)
{
	ha_rsc *r = rsc_begin(p, e, HA_RSC_PRIMITIVE, parent);
	if (!r)
		return ha__cp_skip(p, e);
	primitive_agent(p, e, r);
	bool seen_ops = false;
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "instance_attributes")) {
			rc = ha__cp_nvset(p, &c, r->params, CP_SET_PLAIN);
		} else if (is(&c, "meta_attributes")) {
			rc = ha__cp_nvset(p, &c, r->meta, CP_SET_RSC_META);
		} else if (is(&c, "operations") && !seen_ops) {
			seen_ops = true;
			rc = parse_operations(p, &c, r);
		} else if (is(&c, "operations")) {
			ha__cp_error(p, &c, HA_ESCHEMA, "a primitive has one <operations>; merge "
				     "them");
			rc = ha__cp_skip(p, &c);
		} else if (is(&c, "utilization")) {
			ha__cp_unsupported(p, &c, false, "resource utilization is");
			rc = ha__cp_skip(p, &c);
		} else {
			rc = ha__cp_unexpected(p, e, &c);
		}
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* Children every container accepts besides resources. */
static int container_extra(cib_parser *p, cp_elem *e, cp_elem *c, ha_rsc *r, bool *handled)
{
	*handled = true;
	if (is(c, "meta_attributes"))
		return ha__cp_nvset(p, c, r->meta, CP_SET_RSC_META);
	if (is(c, "instance_attributes") || is(c, "utilization")) {
		ha__cp_unsupported(p, c, false, is(c, "utilization") ? "utilization on groups and "
				   "clones is" : "instance attributes on groups and clones are");
		return ha__cp_skip(p, c);
	}
	(void)e;
	*handled = false;
	return 1;
}

static int parse_group(cib_parser *p, cp_elem *e, ha_rsc *parent)
{
	ha_rsc *r = rsc_begin(p, e, HA_RSC_GROUP, parent);
	if (!r)
		return ha__cp_skip(p, e);
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		bool handled;
		rc = container_extra(p, e, &c, r, &handled);
		if (!handled)
			rc = parse_resource(p, &c, r, IN_GROUP);
		if (rc < 0)
			return rc;
	}
	if (rc == 0 && r->children->len == 0)
		ha__cp_error(p, e, HA_ESCHEMA, "a group needs at least one <primitive>");
	return rc;
}

static int parse_clone(cib_parser *p, cp_elem *e, ha_rsc *parent)
{
	ha_rsc *r = rsc_begin(p, e, HA_RSC_CLONE, parent);
	if (!r)
		return ha__cp_skip(p, e);
	r->legacy_master = is(e, "master");
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		bool handled;
		rc = container_extra(p, e, &c, r, &handled);
		if (handled) {
			/* done */
		} else if ((is(&c, "primitive") || is(&c, "group")) && r->children->len > 0) {
			ha__cp_error(p, &c, HA_ESCHEMA, "<%s id=\"%s\"> already contains <%s id=\"%s\">; "
				     "a clone contains exactly one primitive or group: clone "
				     "this one separately or put both in a group", e->name, r->id,
				     ((ha_rsc *)g_ptr_array_index(r->children, 0))->kind ==
				     HA_RSC_GROUP ? "group" : "primitive",
				     ((ha_rsc *)g_ptr_array_index(r->children, 0))->id);
			rc = ha__cp_skip(p, &c);
		} else {
			rc = parse_resource(p, &c, r, IN_CLONE);
		}
		if (rc < 0)
			return rc;
	}
	if (rc == 0 && r->children->len == 0)
		ha__cp_error(p, e, HA_ESCHEMA, "a clone needs one <primitive> or <group> to clone");
	bool b = false;
	const char *prom = ha__nvsets_get(r->meta, "promotable");
	r->promotable = r->legacy_master || (prom && ha__bool_parse(prom, &b) == 0 && b);
	return rc;
}

static int parse_resource(cib_parser *p, cp_elem *e, ha_rsc *parent, rsc_ctx ctx)
{
	bool clone = is(e, "clone") || is(e, "master");
	if (is(e, "template") || is(e, "bundle")) {
		const char *id = ha__cp_attr(p, e, "id");
		if (id) {
			cp_elem_id(p, e, false);
			g_hash_table_add(p->skipped_rsc, g_strdup(id));
		}
		ha__cp_unsupported(p, e, true, is(e, "bundle") ? "bundles (containerized resources) "
				   "are" : "resource templates are");
		return ha__cp_skip(p, e);
	}
	if (!is(e, "primitive") && !is(e, "group") && !clone) {
		ha__cp_error(p, e, HA_ESCHEMA, "not allowed inside <%s>; see docs/configuration.md",
			     ctx == IN_TOP ? "resources" : ctx == IN_GROUP ? "group" :
			     parent->legacy_master ? "master" : "clone");
		return ha__cp_skip(p, e);
	}
	if (ctx == IN_GROUP && !is(e, "primitive")) {
		ha__cp_error(p, e, HA_ESCHEMA, "a group contains only primitives; %s",
			     clone ? "clone the whole group instead of a member" :
			     "list the inner group's primitives directly in the outer one");
		return ha__cp_skip(p, e);
	}
	if (ctx == IN_CLONE && clone) {
		ha__cp_error(p, e, HA_ESCHEMA, "a clone cannot contain another clone");
		return ha__cp_skip(p, e);
	}
	if (is(e, "primitive"))
		return parse_primitive(p, e, parent);
	if (is(e, "group"))
		return parse_group(p, e, parent);
	return parse_clone(p, e, parent);
}

/* ---- nodes ------------------------------------------------------------------------ */

static bool node_key_unique(cib_parser *p, cp_elem *e, const char *what, const char *v)
{
	char *key = g_strconcat(what, "\x1f", v, NULL);
	cp_idinfo *prev = g_hash_table_lookup(p->node_ids, key);
	if (prev) {
		ha__cp_error(p, e, HA_EDUPLICATE, "%s \"%s\" is already used by the <node> at line "
			     "%d; node ids and names must be unique", what, v, prev->line);
		g_free(key);
		return false;
	}
	cp_idinfo *info = g_new(cp_idinfo, 1);
	info->elem = e->name;
	info->line = e->line;
	g_hash_table_insert(p->node_ids, key, info);
	return true;
}

static int parse_node(cib_parser *p, cp_elem *e)
{
	ha_cib *cib = p->cib;
	const char *id = ha__cp_need(p, e, "id", NULL);
	const char *uname = ha__cp_need(p, e, "uname", "the node's name as corosync knows it");
	const char *type = ha__cp_attr(p, e, "type");
	if (!id || !uname)
		return ha__cp_skip(p, e);
	e->id = ha__str_const(cib, id);
	if (type && strcmp(type, "member") && strcmp(type, "normal"))
		ha__cp_unsupported(p, e, true, "ping and remote nodes are");
	if (ha__cp_attr(p, e, "score"))
		ha__cp_unsupported(p, e, true, "node scores (score= on <node>) are");
	node_key_unique(p, e, "id", id);
	node_key_unique(p, e, "uname", uname);
	ha_node_def *n = g_new0(ha_node_def, 1);
	n->id = e->id;
	n->uname = ha__str_const(cib, uname);
	n->type = ha__str_const(cib, type);
	n->attrs = ha__nvsets_new();
	n->utilization = ha__nvsets_new();
	n->line = e->line;
	g_ptr_array_add(cib->cfg.nodes, n);
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "instance_attributes"))
			rc = ha__cp_nvset(p, &c, n->attrs, CP_SET_PLAIN);
		else if (is(&c, "utilization"))
			rc = ha__cp_nvset(p, &c, n->utilization, CP_SET_PLAIN);
		else
			rc = ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* ---- constraints ------------------------------------------------------------------ */

static int constraint_extra(cib_parser *p, cp_elem *c, bool *sets)
{
	if (is(c, "resource_set")) {
		*sets = true;
		ha__cp_unsupported(p, c, true, "resource sets (<resource_set>) are");
	} else {
		ha__cp_unsupported(p, c, true, "constraint lifetimes (<lifetime>) are");
	}
	return ha__cp_skip(p, c);
}

static int parse_expression(cib_parser *p, cp_elem *e, ha_rule *rule)
{
	static const char *const ops[] = {"lt", "gt", "lte", "gte", "eq", "ne", "defined",
		"not_defined", NULL};
	static const char *const types[] = {"string", "integer", "number", "version", NULL};
	ha_cib *cib = p->cib;
	const char *id = cp_elem_id(p, e, true);
	const char *attribute = ha__cp_need(p, e, "attribute", "the node attribute to test, "
					    "e.g. attribute=\"#uname\"");
	const char *op = ha__cp_need(p, e, "operation", NULL);
	const char *value = ha__cp_attr(p, e, "value");
	const char *type = ha__cp_attr(p, e, "type");
	const char *source = ha__cp_attr(p, e, "value-source");
	if (op && !in_set(op, ops))
		ha__cp_error(p, e, HA_ESCHEMA, "operation=\"%s\" is not a comparison; use lt, gt, "
			     "lte, gte, eq, ne, defined or not_defined", op);
	else if (op && !value && strcmp(op, "defined") && strcmp(op, "not_defined"))
		ha__cp_error(p, e, HA_ESCHEMA, "operation=\"%s\" needs value=\"...\"", op);
	if (type && !in_set(type, types))
		ha__cp_error(p, e, HA_ESCHEMA, "type=\"%s\" is not a comparison type; use string, "
			     "integer, number or version", type);
	if (source && strcmp(source, "literal"))
		ha__cp_unsupported(p, e, true, "value-source other than literal is");
	ha_expr *x = g_new0(ha_expr, 1);
	x->kind = HA_EXPR_ATTR;
	x->id = id;
	x->attribute = ha__str_const(cib, attribute);
	x->operation = ha__str_const(cib, op);
	x->value = ha__str(cib, value);
	x->type = ha__str_const(cib, type);
	x->value_source = ha__str_const(cib, source);
	x->line = e->line;
	g_ptr_array_add(rule->exprs, x);
	return ha__cp_leaf(p, e);
}

/* *out is set as soon as the rule exists, so the caller owns it even on failure. */
static int parse_rule(cib_parser *p, cp_elem *e, int depth, ha_rule **out)
{
	*out = NULL;
	if (ha__cp_attr(p, e, "id-ref")) {
		ha__cp_unsupported(p, e, true, "references to other rules (id-ref) are");
		return ha__cp_skip(p, e);
	}
	ha_rule *rule = g_new0(ha_rule, 1);
	*out = rule;
	rule->exprs = g_ptr_array_new();
	rule->id = cp_elem_id(p, e, true);
	rule->line = e->line;
	rule->score_str = cp_copy(p, e, "score");
	if (rule->score_str) {
		rule->has_score = true;
		check_score(p, e, "score", rule->score_str, &rule->score);
	}
	rule->score_attribute = cp_intern(p, e, "score-attribute");
	if (rule->score_str && rule->score_attribute)
		ha__cp_error(p, e, HA_ESCHEMA, "give score or score-attribute, not both");
	rule->boolean_op = cp_intern(p, e, "boolean-op");
	if (rule->boolean_op && strcmp(rule->boolean_op, "and") && strcmp(rule->boolean_op, "or"))
		ha__cp_error(p, e, HA_ESCHEMA, "boolean-op=\"%s\" is not and/or", rule->boolean_op);
	rule->role = cp_intern(p, e, "role");
	check_role(p, e, "role", rule->role);
	bool any = false;
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		any = true;
		if (is(&c, "expression")) {
			rc = parse_expression(p, &c, rule);
		} else if (is(&c, "rule") && depth + 1 >= CP_RULE_DEPTH_MAX) {
			ha__cp_error(p, &c, HA_ESCHEMA, "rules nest more than %d levels deep; "
				     "simplify them", CP_RULE_DEPTH_MAX);
			rc = ha__cp_skip(p, &c);
		} else if (is(&c, "rule")) {
			ha_rule *sub;
			int line = c.line;
			rc = parse_rule(p, &c, depth + 1, &sub);
			if (sub) {
				ha_expr *x = g_new0(ha_expr, 1);
				x->kind = HA_EXPR_RULE;
				x->id = sub->id;
				x->rule = sub;
				x->line = line;
				g_ptr_array_add(rule->exprs, x);
			}
		} else if (is(&c, "date_expression")) {
			ha__cp_error(p, &c, HA_EUNSUPPORTED, "date expressions are not supported; use "
				     "a plain rule or hactl ban --lifetime");
			rc = ha__cp_skip(p, &c);
		} else if (is(&c, "rsc_expression") || is(&c, "op_expression")) {
			ha__cp_unsupported(p, &c, true, "resource and operation expressions are");
			rc = ha__cp_skip(p, &c);
		} else {
			rc = ha__cp_unexpected(p, e, &c);
		}
		if (rc < 0)
			return rc;
	}
	if (!any)
		ha__cp_error(p, e, HA_ESCHEMA, "a rule needs at least one <expression> or <rule>");
	return rc;
}

static int parse_location(cib_parser *p, cp_elem *e)
{
	static const char *const discovery[] = {"always", "never", "exclusive", NULL};
	ha_location *l = g_new0(ha_location, 1);
	g_ptr_array_add(p->cib->cfg.locations, l);
	l->id = cp_elem_id(p, e, true);
	l->line = e->line;
	l->rsc = ha__str_const(p->cib, ha__cp_attr(p, e, "rsc"));
	bool pattern = ha__cp_attr(p, e, "rsc-pattern") != NULL, sets = false;
	if (pattern)
		ha__cp_unsupported(p, e, true, "rsc-pattern (matching resources by regular "
				   "expression) is");
	l->role = cp_intern(p, e, "role");
	check_role(p, e, "role", l->role);
	l->score_str = cp_copy(p, e, "score");
	if (l->score_str)
		check_score(p, e, "score", l->score_str, &l->score);
	l->node = cp_intern(p, e, "node");
	l->resource_discovery = cp_intern(p, e, "resource-discovery");
	if (l->resource_discovery && !in_set(l->resource_discovery, discovery))
		ha__cp_error(p, e, HA_ESCHEMA, "resource-discovery=\"%s\" is not always, never or "
			     "exclusive", l->resource_discovery);
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "rule")) {
			ha_rule *rule;
			rc = parse_rule(p, &c, 0, &rule);
			if (rule) {
				if (!l->rules)
					l->rules = g_ptr_array_new();
				g_ptr_array_add(l->rules, rule);
			}
		} else if (is(&c, "resource_set") || is(&c, "lifetime")) {
			rc = constraint_extra(p, &c, &sets);
		} else {
			rc = ha__cp_unexpected(p, e, &c);
		}
		if (rc < 0)
			return rc;
	}
	if (!l->rsc && !pattern && !sets)
		ha__cp_error(p, e, HA_ESCHEMA, "required attribute rsc is missing; name the "
			     "resource the constraint places");
	if (l->rules && (l->node || l->score_str))
		ha__cp_error(p, e, HA_ESCHEMA, "give either node and score or <rule> elements, not "
			     "both (a rule carries its own score)");
	else if (!l->rules && !l->node)
		ha__cp_error(p, e, HA_ESCHEMA, "needs node=\"...\" and score=\"...\", or <rule> "
			     "elements");
	else if (!l->rules && !l->score_str)
		ha__cp_error(p, e, HA_ESCHEMA, "required attribute score is missing; e.g. "
			     "score=\"INFINITY\" to require node \"%s\"", l->node);
	return rc;
}

static int parse_colocation(cib_parser *p, cp_elem *e)
{
	ha_colocation *c = g_new0(ha_colocation, 1);
	g_ptr_array_add(p->cib->cfg.colocations, c);
	c->id = cp_elem_id(p, e, true);
	c->line = e->line;
	c->score_str = cp_copy(p, e, "score");
	if (c->score_str)
		check_score(p, e, "score", c->score_str, &c->score);
	c->rsc = cp_intern(p, e, "rsc");
	c->with_rsc = cp_intern(p, e, "with-rsc");
	c->rsc_role = cp_intern(p, e, "rsc-role");
	check_role(p, e, "rsc-role", c->rsc_role);
	c->with_rsc_role = cp_intern(p, e, "with-rsc-role");
	check_role(p, e, "with-rsc-role", c->with_rsc_role);
	c->node_attribute = cp_intern(p, e, "node-attribute");
	const char *influence = ha__cp_attr(p, e, "influence");
	bool b = true;
	if (influence && check_bool(p, e, "influence", influence) &&
	    ha__bool_parse(influence, &b) == 0 && !b)
		ha__cp_unsupported(p, e, true, "influence=\"false\" is");
	if (ha__cp_attr(p, e, "rsc-instance") || ha__cp_attr(p, e, "with-rsc-instance"))
		ha__cp_unsupported(p, e, true, "colocating clone instances by number is");
	bool sets = false;
	cp_elem x;
	int rc;
	while ((rc = ha__cp_child(p, e, &x)) > 0) {
		if (is(&x, "resource_set") || is(&x, "lifetime"))
			rc = constraint_extra(p, &x, &sets);
		else
			rc = ha__cp_unexpected(p, e, &x);
		if (rc < 0)
			return rc;
	}
	if (!sets && (!c->rsc || !c->with_rsc))
		ha__cp_error(p, e, HA_ESCHEMA, "needs rsc=\"...\" and with-rsc=\"...\" (rsc is "
			     "placed relative to with-rsc)");
	return rc;
}

static int parse_order(cib_parser *p, cp_elem *e)
{
	static const char *const actions[] = {"start", "stop", "promote", "demote", NULL};
	ha_order *o = g_new0(ha_order, 1);
	g_ptr_array_add(p->cib->cfg.orders, o);
	o->id = cp_elem_id(p, e, true);
	o->line = e->line;
	o->first = cp_intern(p, e, "first");
	o->then = cp_intern(p, e, "then");
	o->first_action = cp_intern(p, e, "first-action");
	o->then_action = cp_intern(p, e, "then-action");
	if (o->first_action && !in_set(o->first_action, actions))
		ha__cp_error(p, e, HA_ESCHEMA, "first-action=\"%s\" is not start, stop, promote or "
			     "demote", o->first_action);
	if (o->then_action && !in_set(o->then_action, actions))
		ha__cp_error(p, e, HA_ESCHEMA, "then-action=\"%s\" is not start, stop, promote or "
			     "demote", o->then_action);
	o->kind_str = cp_intern(p, e, "kind");
	o->score_str = cp_copy(p, e, "score");
	o->kind = HA_ORDER_MANDATORY;
	if (o->kind_str && o->score_str) {
		ha__cp_error(p, e, HA_ESCHEMA, "give kind or the deprecated score, not both");
	} else if (o->kind_str) {
		if (!strcasecmp(o->kind_str, "Optional"))
			o->kind = HA_ORDER_OPTIONAL;
		else if (!strcasecmp(o->kind_str, "Serialize"))
			o->kind = HA_ORDER_SERIALIZE;
		else if (strcasecmp(o->kind_str, "Mandatory"))
			ha__cp_error(p, e, HA_ESCHEMA, "kind=\"%s\" is not Mandatory, Optional or "
				     "Serialize", o->kind_str);
	} else if (o->score_str) {
		int score = 0;
		if (check_score(p, e, "score", o->score_str, &score) && score == 0)
			o->kind = HA_ORDER_OPTIONAL; /* Pacemaker's reading of the legacy form */
	}
	o->symmetrical_str = cp_intern(p, e, "symmetrical");
	o->symmetrical = o->kind != HA_ORDER_SERIALIZE;
	if (o->symmetrical_str && check_bool(p, e, "symmetrical", o->symmetrical_str))
		ha__bool_parse(o->symmetrical_str, &o->symmetrical);
	o->require_all = cp_intern(p, e, "require-all");
	check_bool(p, e, "require-all", o->require_all);
	if (ha__cp_attr(p, e, "first-instance") || ha__cp_attr(p, e, "then-instance"))
		ha__cp_unsupported(p, e, true, "ordering clone instances by number is");
	bool sets = false;
	cp_elem x;
	int rc;
	while ((rc = ha__cp_child(p, e, &x)) > 0) {
		if (is(&x, "resource_set") || is(&x, "lifetime"))
			rc = constraint_extra(p, &x, &sets);
		else
			rc = ha__cp_unexpected(p, e, &x);
		if (rc < 0)
			return rc;
	}
	if (!sets && (!o->first || !o->then))
		ha__cp_error(p, e, HA_ESCHEMA, "needs first=\"...\" and then=\"...\"");
	return rc;
}

/* ---- sections ---------------------------------------------------------------------- */

static int parse_constraints(cib_parser *p, cp_elem *e)
{
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "rsc_location")) {
			rc = parse_location(p, &c);
		} else if (is(&c, "rsc_colocation")) {
			rc = parse_colocation(p, &c);
		} else if (is(&c, "rsc_order")) {
			rc = parse_order(p, &c);
		} else if (is(&c, "rsc_ticket")) {
			ha__cp_unsupported(p, &c, true, "ticket constraints (<rsc_ticket>) are");
			rc = ha__cp_skip(p, &c);
		} else {
			rc = ha__cp_unexpected(p, e, &c);
		}
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* A section whose children are all name/value sets called set_name. */
static int parse_sets(cib_parser *p, cp_elem *e, const char *set_name, GPtrArray *sets,
		      cp_set_kind kind)
{
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		rc = is(&c, set_name) ? ha__cp_nvset(p, &c, sets, kind) : ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* A section of item elements (any element when item is NULL) handled by fn. */
static int parse_list(cib_parser *p, cp_elem *e, const char *item,
		      int (*fn)(cib_parser *p, cp_elem *e))
{
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		rc = !item || is(&c, item) ? fn(p, &c) : ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static int parse_top_resource(cib_parser *p, cp_elem *e)
{
	return parse_resource(p, e, NULL, IN_TOP);
}

int ha__cp_configuration(cib_parser *p, cp_elem *e)
{
	static const char *const sections[] = {"crm_config", "nodes", "resources", "constraints",
		"rsc_defaults", "op_defaults", NULL};
	static const struct {
		const char *elem, *what;
	} ignorable[] = {
		{"acls", "access control lists (<acls>) are"},
		{"alerts", "alerts (<alerts>) are"},
		{"tags", "tags (<tags>) are"},
		{"fencing-topology", "fencing topologies (<fencing-topology>) are"},
	};
	ha_config *cfg = &p->cib->cfg;
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		bool section = in_set(c.name, sections);
		if (section && g_hash_table_contains(seen, c.name)) {
			ha__cp_error(p, &c, HA_ESCHEMA, "appears twice in <configuration>; merge "
				     "them");
			rc = ha__cp_skip(p, &c);
		} else if (section) {
			g_hash_table_add(seen, (gpointer)c.name);
			if (is(&c, "crm_config"))
				rc = parse_sets(p, &c, "cluster_property_set", cfg->crm_config,
						CP_SET_OPTIONS);
			else if (is(&c, "nodes"))
				rc = parse_list(p, &c, "node", parse_node);
			else if (is(&c, "resources"))
				rc = parse_list(p, &c, NULL, parse_top_resource);
			else if (is(&c, "constraints"))
				rc = parse_constraints(p, &c);
			else if (is(&c, "rsc_defaults"))
				rc = parse_sets(p, &c, "meta_attributes", cfg->rsc_defaults,
						CP_SET_RSC_META);
			else
				rc = parse_sets(p, &c, "meta_attributes", cfg->op_defaults,
						CP_SET_PLAIN);
		} else {
			size_t i;
			for (i = 0; i < G_N_ELEMENTS(ignorable); i++)
				if (is(&c, ignorable[i].elem))
					break;
			if (i < G_N_ELEMENTS(ignorable)) {
				ha__cp_unsupported(p, &c, false, ignorable[i].what);
				rc = ha__cp_skip(p, &c);
			} else {
				rc = ha__cp_unexpected(p, e, &c);
			}
		}
		if (rc < 0)
			break;
	}
	g_hash_table_destroy(seen);
	return rc;
}
