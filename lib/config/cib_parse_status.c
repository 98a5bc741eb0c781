/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Handlers for the <status> section: node states, operation history and transient
 * node attributes. This is where a large CIB spends its time (one <lrm_rsc_op> per
 * node, resource and operation), so attributes are read in one pass over the element
 * and strings that repeat across nodes are interned. Unknown attributes that later
 * Pacemakers write are dropped from operations and kept on node states.
 */
#include <string.h>

#include "cib_private.h"

static bool is(const cp_elem *e, const char *name)
{
	return !strcmp(e->name, name);
}

/* Decimal integer, optionally negative, nothing else: faster than strtoll() on the
 * hot path and as strict. */
static bool parse_num(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	s += neg;
	if (!*s)
		return false;
	int64_t v = 0;
	for (int n = 0; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 18)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return true;
}

static bool op_num(cib_parser *p, const cp_elem *e, const char *attr, const char *v,
		   int64_t min, int64_t max, bool required, int64_t *out)
{
	*out = 0;
	if (!v) {
		if (required)
			ha__cp_error(p, e, HA_ESCHEMA, "required attribute %s is missing", attr);
		return false;
	}
	if (!parse_num(v, out) || *out < min || *out > max) {
		ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not an integer in [%lld, %lld]", attr,
			     v, (long long)min, (long long)max);
		return false;
	}
	return true;
}

typedef struct op_attrs {
	const char *id, *operation, *interval, *rc, *status, *call_id, *last_rc_change,
		*last_run, *exec_time, *queue_time, *digest, *exit_reason, *key, *magic,
		*on_node, *feature_set;
} op_attrs;

/* One pass over the attributes, dispatching on the first letter. */
static void op_collect(cib_parser *p, const cp_elem *e, op_attrs *o)
{
	for (xmlAttrPtr a = e->node->properties; a; a = a->next) {
		const char *n = (const char *)a->name;
		const char **slot = NULL;
		switch (n[0]) {
		case 'c':
			slot = !strcmp(n, "call-id") ? &o->call_id :
			       !strcmp(n, "crm_feature_set") ? &o->feature_set : NULL;
			break;
		case 'e':
			slot = !strcmp(n, "exec-time") ? &o->exec_time :
			       !strcmp(n, "exit-reason") ? &o->exit_reason : NULL;
			break;
		case 'i':
			slot = !strcmp(n, "id") ? &o->id : !strcmp(n, "interval") ? &o->interval : NULL;
			break;
		case 'l':
			slot = !strcmp(n, "last-rc-change") ? &o->last_rc_change :
			       !strcmp(n, "last-run") ? &o->last_run : NULL;
			break;
		case 'o':
			slot = !strcmp(n, "operation") ? &o->operation :
			       !strcmp(n, "op-status") ? &o->status :
			       !strcmp(n, "op-digest") ? &o->digest :
			       !strcmp(n, "on_node") ? &o->on_node : NULL;
			break;
		case 'q':
			slot = !strcmp(n, "queue-time") ? &o->queue_time : NULL;
			break;
		case 'r':
			slot = !strcmp(n, "rc-code") ? &o->rc : NULL;
			break;
		case 't':
			slot = !strcmp(n, "transition-key") ? &o->key :
			       !strcmp(n, "transition-magic") ? &o->magic : NULL;
			break;
		default:
			break;
		}
		if (slot && !a->ns)
			*slot = ha__cp_attr_value(p, a);
	}
}

static int parse_lrm_op(cib_parser *p, cp_elem *e, ha_lrm_rsc *lr)
{
	ha_cib *cib = p->cib;
	op_attrs o = {0};
	op_collect(p, e, &o);
	ha_lrm_op op = {0};
	op.line = e->line;
	op.id = ha__str_const(cib, o.id);
	e->id = op.id;
	if (!o.id || !o.operation) {
		ha__cp_error(p, e, HA_ESCHEMA, "required attribute %s is missing",
			     o.id ? "operation" : "id");
		return ha__cp_skip(p, e);
	}
	int64_t v;
	op_num(p, e, "interval", o.interval, 0, UINT32_MAX, true, &v);
	op.interval_ms = (uint32_t)v;
	op_num(p, e, "rc-code", o.rc, INT32_MIN, INT32_MAX, true, &v);
	op.rc = (int)v;
	op_num(p, e, "op-status", o.status, INT32_MIN, INT32_MAX, true, &v);
	op.op_status = (int)v;
	op_num(p, e, "call-id", o.call_id, INT64_MIN + 1, INT64_MAX, true, &op.call_id);
	if (o.last_rc_change)
		op_num(p, e, "last-rc-change", o.last_rc_change, INT64_MIN + 1, INT64_MAX,
			     false, &op.last_rc_change);
	if (o.last_run)
		op_num(p, e, "last-run", o.last_run, INT64_MIN + 1, INT64_MAX, false,
			     &op.last_run);
	if (o.exec_time && op_num(p, e, "exec-time", o.exec_time, 0, UINT32_MAX, false, &v))
		op.exec_time = (uint32_t)v;
	if (o.queue_time && op_num(p, e, "queue-time", o.queue_time, 0, UINT32_MAX, false, &v))
		op.queue_time = (uint32_t)v;
	op.operation = ha__str_const(cib, o.operation);
	op.digest = ha__str_const(cib, o.digest);
	op.exit_reason = ha__str_const(cib, o.exit_reason);
	op.transition_key = ha__str(cib, o.key);
	op.transition_magic = ha__str(cib, o.magic);
	op.on_node = ha__str_const(cib, o.on_node);
	op.feature_set = ha__str_const(cib, o.feature_set);
	g_array_append_val(lr->ops, op);
	return ha__cp_leaf(p, e);
}

static int parse_lrm_resource(cib_parser *p, cp_elem *e, ha_node_state *ns)
{
	ha_cib *cib = p->cib;
	ha_lrm_rsc *lr = ha__lrm_rsc_new();
	g_ptr_array_add(ns->lrm, lr);
	for (xmlAttrPtr a = e->node->properties; a; a = a->next) {
		const char *n = (const char *)a->name;
		const char **slot = !strcmp(n, "id") ? &lr->id : !strcmp(n, "class") ? &lr->cls :
				    !strcmp(n, "provider") ? &lr->provider :
				    !strcmp(n, "type") ? &lr->type : NULL;
		if (slot && !a->ns)
			*slot = ha__str_const(cib, ha__cp_attr_value(p, a));
	}
	e->id = lr->id;
	if (!lr->id)
		ha__cp_error(p, e, HA_ESCHEMA, "required attribute id is missing");
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		rc = is(&c, "lrm_rsc_op") ? parse_lrm_op(p, &c, lr) : ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static int parse_lrm(cib_parser *p, cp_elem *e, ha_node_state *ns)
{
	cp_elem c, r;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (!is(&c, "lrm_resources")) {
			rc = ha__cp_unexpected(p, e, &c);
		} else {
			while ((rc = ha__cp_child(p, &c, &r)) > 0) {
				rc = is(&r, "lrm_resource") ? parse_lrm_resource(p, &r, ns)
							    : ha__cp_unexpected(p, &c, &r);
				if (rc < 0)
					return rc;
			}
		}
		if (rc < 0)
			return rc;
	}
	return rc;
}

static int parse_transient(cib_parser *p, cp_elem *e, ha_node_state *ns)
{
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		rc = is(&c, "instance_attributes") ? ha__cp_nvset(p, &c, ns->attrs, CP_SET_STATUS)
						   : ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

static void node_state_attrs(cib_parser *p, cp_elem *e, ha_node_state *ns)
{
	ha_cib *cib = p->cib;
	for (xmlAttrPtr a = e->node->properties; a; a = a->next) {
		const char *n = (const char *)a->name;
		const char *v = ha__str_const(cib, ha__cp_attr_value(p, a));
		const char **slot = !strcmp(n, "id") ? &ns->id : !strcmp(n, "uname") ? &ns->uname :
				    !strcmp(n, "in_ccm") ? &ns->in_ccm :
				    !strcmp(n, "crmd") ? &ns->crmd : !strcmp(n, "join") ? &ns->join :
				    !strcmp(n, "expected") ? &ns->expected :
				    !strcmp(n, "crm-debug-origin") ? &ns->crm_debug_origin : NULL;
		if (a->ns)
			continue; /* no namespaced attribute survives a round trip */
		if (!strcmp(n, "ha-frozen")) {
			ns->frozen = v && !strcmp(v, "true");
			continue;
		}
		if (slot) {
			*slot = v;
			continue;
		}
		if (!ns->other_attrs)
			ns->other_attrs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		ha_nvpair nv = {.name = ha__str_const(cib, n), .value = v};
		g_array_append_val(ns->other_attrs, nv);
	}
}

static int parse_node_state(cib_parser *p, cp_elem *e)
{
	ha_node_state *ns = ha__node_state_new();
	g_ptr_array_add(p->cib->status, ns);
	ns->line = e->line;
	node_state_attrs(p, e, ns);
	e->id = ns->id;
	if (!ns->id || !ns->uname) {
		ha__cp_error(p, e, HA_ESCHEMA, "required attribute %s is missing",
			     ns->id ? "uname" : "id");
	} else {
		cp_idinfo *prev = g_hash_table_lookup(p->state_ids, ns->id);
		if (prev) {
			ha__cp_error(p, e, HA_EDUPLICATE, "node \"%s\" already has a <node_state> at "
				     "line %d; keep one", ns->id, prev->line);
		} else {
			cp_idinfo *info = g_new(cp_idinfo, 1);
			info->elem = e->name;
			info->line = e->line;
			g_hash_table_insert(p->state_ids, (gpointer)ns->id, info);
		}
	}
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "lrm"))
			rc = parse_lrm(p, &c, ns);
		else if (is(&c, "transient_attributes"))
			rc = parse_transient(p, &c, ns);
		else
			rc = ha__cp_unexpected(p, e, &c);
		if (rc < 0)
			return rc;
	}
	return rc;
}

int ha__cp_status(cib_parser *p, cp_elem *e)
{
	cp_elem c;
	int rc;
	while ((rc = ha__cp_child(p, e, &c)) > 0) {
		if (is(&c, "node_state")) {
			rc = parse_node_state(p, &c);
		} else if (is(&c, "tickets")) {
			ha__cp_unsupported(p, &c, false, "ticket states (<tickets>) are");
			rc = ha__cp_skip(p, &c);
		} else {
			rc = ha__cp_unexpected(p, e, &c);
		}
		if (rc < 0)
			return rc;
	}
	return rc;
}
