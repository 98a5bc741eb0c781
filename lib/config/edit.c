/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public configuration editing API (<ha/edit.h>): changes the in-memory model and
 * keeps it consistent (dense resource indices, the id table, constraints resolved)
 * so the scheduler and the serializer can use the result directly. It checks what a
 * single edit can break (ids, references, values); whole-document validation (the
 * schema, agents' meta-data) is left to loading the serialized result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/edit.h>

#include "config.h"

#define ID_MAX 256

/* ---- checks ------------------------------------------------------------------------- */

static bool valid_id(const char *s)
{
	if (!s || !*s || strlen(s) > ID_MAX)
		return false;
	if (!g_ascii_isalpha(*s) && *s != '_')
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

/* Attribute names: what Pacemaker allows in practice ([A-Za-z0-9_.#:-]). */
static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > ID_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-#:", *p))
			return false;
	return true;
}

/* Values: any text without control characters other than tab/newline. */
static bool valid_value(const char *s)
{
	if (!s || strlen(s) > 65536)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n')
			return false;
	return true;
}

/* Node names as corosync knows them. */
static bool valid_node(const char *s)
{
	if (!s || !*s || strlen(s) > ID_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static bool valid_role(const char *role)
{
	return !role || ha__role_parse(role) != HA_ROLE_UNKNOWN;
}

/* ---- the constraint table ------------------------------------------------------------ */

typedef enum { C_NONE = 0, C_LOCATION, C_COLOCATION, C_ORDER } ckind;

static ckind constraint_find(const ha_config *cfg, const char *id, guint *idx)
{
	for (guint i = 0; i < cfg->locations->len; i++)
		if (!strcmp(((ha_location *)g_ptr_array_index(cfg->locations, i))->id, id))
			return *idx = i, C_LOCATION;
	for (guint i = 0; i < cfg->colocations->len; i++)
		if (!strcmp(((ha_colocation *)g_ptr_array_index(cfg->colocations, i))->id, id))
			return *idx = i, C_COLOCATION;
	for (guint i = 0; i < cfg->orders->len; i++)
		if (!strcmp(((ha_order *)g_ptr_array_index(cfg->orders, i))->id, id))
			return *idx = i, C_ORDER;
	return C_NONE;
}

bool ha_cib_has_constraint(const ha_cib *cib, const char *id)
{
	guint i;
	return cib && id && constraint_find(&cib->cfg, id, &i) != C_NONE;
}

/* Is id used by a resource or a constraint? (Other ids — attribute sets, operations —
 * are derived from these and checked when the result is loaded.) */
static bool id_taken(const ha_config *cfg, const char *id)
{
	guint i;
	return ha__rsc_find(cfg, id) || constraint_find(cfg, id, &i) != C_NONE;
}

/* ---- freeing (the model's own free functions are private to it) ---------------------- */

static void nvsets_free(GPtrArray *sets)
{
	for (guint i = 0; sets && i < sets->len; i++) {
		ha_nvset *s = g_ptr_array_index(sets, i);
		g_array_free(s->pairs, TRUE);
		g_free(s);
	}
	if (sets)
		g_ptr_array_free(sets, TRUE);
}

static void rule_free(ha_rule *r);

static void exprs_free(GPtrArray *exprs)
{
	for (guint i = 0; exprs && i < exprs->len; i++) {
		ha_expr *e = g_ptr_array_index(exprs, i);
		if (e->rule)
			rule_free(e->rule);
		g_free(e);
	}
	if (exprs)
		g_ptr_array_free(exprs, TRUE);
}

static void rule_free(ha_rule *r)
{
	exprs_free(r->exprs);
	g_free(r);
}

static void location_free(ha_location *l)
{
	for (guint j = 0; l->rules && j < l->rules->len; j++)
		rule_free(g_ptr_array_index(l->rules, j));
	if (l->rules)
		g_ptr_array_free(l->rules, TRUE);
	g_free(l);
}

static void op_free(ha_op_def *op)
{
	nvsets_free(op->attrs);
	nvsets_free(op->meta);
	g_free(op);
}

/* Free r alone (children are freed by the caller walking the subtree). */
static void rsc_free(ha_rsc *r)
{
	nvsets_free(r->params);
	nvsets_free(r->meta);
	for (guint i = 0; r->ops && i < r->ops->len; i++)
		op_free(g_ptr_array_index(r->ops, i));
	if (r->ops)
		g_ptr_array_free(r->ops, TRUE);
	if (r->children)
		g_ptr_array_free(r->children, TRUE);
	g_free(r);
}

/* ---- consistency ----------------------------------------------------------------------- */

static void index_rsc(ha_config *cfg, ha_rsc *r)
{
	r->index = (int)cfg->rsc_all->len;
	g_ptr_array_add(cfg->rsc_all, r);
	g_hash_table_insert(cfg->rsc_by_id, (gpointer)r->id, r);
	for (guint i = 0; r->children && i < r->children->len; i++) {
		ha_rsc *c = g_ptr_array_index(r->children, i);
		c->parent = r;
		index_rsc(cfg, c);
	}
}

/* Rebuild rsc_all (parents before children, dense indices), the id table and the
 * constraints' resolved pointers after a structural change. O(resources+constraints). */
static void reindex(ha_config *cfg)
{
	g_ptr_array_set_size(cfg->rsc_all, 0);
	g_hash_table_remove_all(cfg->rsc_by_id);
	for (guint i = 0; i < cfg->resources->len; i++) {
		ha_rsc *r = g_ptr_array_index(cfg->resources, i);
		r->parent = NULL;
		index_rsc(cfg, r);
	}
	for (guint i = 0; i < cfg->locations->len; i++) {
		ha_location *l = g_ptr_array_index(cfg->locations, i);
		l->r = ha__rsc_find(cfg, l->rsc);
	}
	for (guint i = 0; i < cfg->colocations->len; i++) {
		ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		c->r = ha__rsc_find(cfg, c->rsc);
		c->with = ha__rsc_find(cfg, c->with_rsc);
	}
	for (guint i = 0; i < cfg->orders->len; i++) {
		ha_order *o = g_ptr_array_index(cfg->orders, i);
		o->r_first = ha__rsc_find(cfg, o->first);
		o->r_then = ha__rsc_find(cfg, o->then);
	}
}

/* The array holding r: its parent's children or the top level. */
static GPtrArray *container_of(ha_config *cfg, const ha_rsc *r)
{
	return r->parent ? r->parent->children : cfg->resources;
}

/* ---- resources ---------------------------------------------------------------------------- */

int ha_cib_new(ha_cib **ret)
{
	if (!ret)
		return -EINVAL;
	*ret = ha__cib_new();
	return 0;
}

/* Split "cls:provider:type" / "cls:type" into the chunk's strings. */
static int parse_agent(ha_cib *cib, const char *agent, const char **cls, const char **provider,
		       const char **type)
{
	if (!agent || strlen(agent) > 3 * ID_MAX)
		return -EINVAL;
	char **parts = g_strsplit(agent, ":", 4);
	guint n = g_strv_length(parts);
	int r = -EINVAL;
	bool ocf = n >= 1 && !strcmp(parts[0], "ocf");
	if ((ocf && n == 3) || (!ocf && n == 2)) {
		const char *c = parts[0], *p = ocf ? parts[1] : NULL, *t = parts[n - 1];
		bool known = !strcmp(c, "ocf") || !strcmp(c, "lsb") || !strcmp(c, "systemd") ||
			     !strcmp(c, "stonith") || !strcmp(c, "embedded");
		bool ok = known && *t && valid_value(t) && !strchr(t, '/') && *t != '.' &&
			  (!p || valid_name(p));
		if (ok) {
			*cls = ha__str_const(cib, c);
			*provider = ha__str_const(cib, p);
			*type = ha__str_const(cib, t);
			r = 0;
		}
	}
	g_strfreev(parts);
	return r;
}

int ha_edit_primitive(ha_cib *cib, const char *id, const char *agent)
{
	const char *cls, *provider, *type;
	int r;

	if (!cib || !valid_id(id))
		return -EINVAL;
	if (id_taken(&cib->cfg, id))
		return HA_EDUPLICATE;
	if ((r = parse_agent(cib, agent, &cls, &provider, &type)) < 0)
		return r;
	ha_rsc *p = ha__rsc_new(HA_RSC_PRIMITIVE);
	p->id = ha__str(cib, id);
	p->cls = cls;
	p->provider = provider;
	p->type = type;
	g_ptr_array_add(cib->cfg.resources, p);
	reindex(&cib->cfg);
	return 0;
}

static bool names_rsc(const char *ref, GHashTable *ids)
{
	return ref && g_hash_table_contains(ids, ref);
}

/* Remove every constraint naming one of ids (a set of resource ids). */
static void drop_constraints(ha_config *cfg, GHashTable *ids)
{
	for (guint i = cfg->locations->len; i-- > 0;) {
		ha_location *l = g_ptr_array_index(cfg->locations, i);
		if (names_rsc(l->rsc, ids)) {
			g_ptr_array_remove_index(cfg->locations, i);
			ha__lifetime_remove(cfg, l->id);
			location_free(l);
		}
	}
	for (guint i = cfg->colocations->len; i-- > 0;) {
		ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		if (names_rsc(c->rsc, ids) || names_rsc(c->with_rsc, ids)) {
			g_ptr_array_remove_index(cfg->colocations, i);
			ha__lifetime_remove(cfg, c->id);
			g_free(c);
		}
	}
	for (guint i = cfg->orders->len; i-- > 0;) {
		ha_order *o = g_ptr_array_index(cfg->orders, i);
		if (names_rsc(o->first, ids) || names_rsc(o->then, ids)) {
			g_ptr_array_remove_index(cfg->orders, i);
			ha__lifetime_remove(cfg, o->id);
			g_free(o);
		}
	}
}

static void collect_subtree(ha_rsc *r, GPtrArray *out)
{
	g_ptr_array_add(out, r);
	for (guint i = 0; r->children && i < r->children->len; i++)
		collect_subtree(g_ptr_array_index(r->children, i), out);
}

/* Detach r from its container and free it with its subtree and its constraints. */
static void delete_subtree(ha_config *cfg, ha_rsc *r)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
	collect_subtree(r, all);
	for (guint i = 0; i < all->len; i++)
		g_hash_table_add(ids, (gpointer)((ha_rsc *)g_ptr_array_index(all, i))->id);
	drop_constraints(cfg, ids);
	g_ptr_array_remove(container_of(cfg, r), r);
	for (guint i = 0; i < all->len; i++)
		rsc_free(g_ptr_array_index(all, i));
	g_hash_table_destroy(ids);
	g_ptr_array_free(all, TRUE);
}

/* The resource to delete so that no empty group or clone stays behind. */
static ha_rsc *deletion_root(ha_rsc *r)
{
	while (r->parent && (r->parent->kind == HA_RSC_CLONE || r->parent->children->len == 1))
		r = r->parent;
	return r;
}

int ha_edit_rsc_delete(ha_cib *cib, const char *id)
{
	if (!cib || !id)
		return -EINVAL;
	ha_rsc *r = ha__rsc_find(&cib->cfg, id);
	if (!r)
		return -ENOENT;
	delete_subtree(&cib->cfg, deletion_root(r));
	reindex(&cib->cfg);
	return 0;
}

int ha_edit_group_add(ha_cib *cib, const char *group, const char *rsc)
{
	if (!cib || !valid_id(group) || !rsc)
		return -EINVAL;
	ha_config *cfg = &cib->cfg;
	ha_rsc *r = ha__rsc_find(cfg, rsc);
	if (!r)
		return -ENOENT;
	ha_rsc *g = ha__rsc_find(cfg, group);
	guint i;
	if (r->kind != HA_RSC_PRIMITIVE)
		return -EINVAL;
	for (const ha_rsc *a = r->parent; a; a = a->parent)
		if (a->kind == HA_RSC_CLONE)
			return -EINVAL; /* moving it would silently change what the clone runs */
	if (g && g->kind != HA_RSC_GROUP)
		return HA_EDUPLICATE;
	if (!g && constraint_find(cfg, group, &i) != C_NONE)
		return HA_EDUPLICATE;
	GPtrArray *from = container_of(cfg, r);
	ha_rsc *old_parent = r->parent;
	if (!g && !old_parent) {
		/* A new group takes the top-level primitive's place. */
		g = ha__rsc_new(HA_RSC_GROUP);
		g->id = ha__str(cib, group);
		g_ptr_array_find(from, r, &i);
		from->pdata[i] = g;
	} else if (!g) {
		/* Groups do not nest: a new group goes after the one it leaves. */
		g = ha__rsc_new(HA_RSC_GROUP);
		g->id = ha__str(cib, group);
		const ha_rsc *top = old_parent;
		while (top->parent)
			top = top->parent;
		g_ptr_array_find(cfg->resources, top, &i);
		g_ptr_array_insert(cfg->resources, (gint)i + 1, g);
		g_ptr_array_remove(from, r);
	} else {
		g_ptr_array_remove(from, r);
	}
	g_ptr_array_add(g->children, r);
	r->parent = g;
	/* The group it left may be empty now: remove it (and an emptied clone of it). */
	if (old_parent && old_parent != g && old_parent->children->len == 0)
		delete_subtree(cfg, deletion_root(old_parent));
	reindex(cfg);
	return 0;
}

int ha_edit_clone(ha_cib *cib, const char *rsc, const char *clone_id, bool promotable)
{
	if (!cib || !rsc)
		return -EINVAL;
	ha_config *cfg = &cib->cfg;
	ha_rsc *r = ha__rsc_find(cfg, rsc);
	if (!r)
		return -ENOENT;
	if (r->parent || r->kind == HA_RSC_CLONE)
		return -EINVAL; /* only top-level primitives and groups can be cloned */
	char *gen = clone_id ? NULL : g_strdup_printf("%s-clone", rsc);
	const char *cid = clone_id ? clone_id : gen;
	int ret = 0;
	if (!valid_id(cid))
		ret = -EINVAL;
	else if (id_taken(cfg, cid))
		ret = HA_EDUPLICATE;
	if (ret == 0) {
		ha_rsc *c = ha__rsc_new(HA_RSC_CLONE);
		c->id = ha__str(cib, cid);
		c->promotable = promotable;
		if (promotable) {
			char *set_id = g_strdup_printf("%s-meta_attributes", cid);
			ha__nvsets_set(c->meta, cib->strings, set_id, "promotable", "true");
			g_free(set_id);
		}
		guint i;
		g_ptr_array_find(cfg->resources, r, &i);
		cfg->resources->pdata[i] = c;
		g_ptr_array_add(c->children, r);
		reindex(cfg);
	}
	g_free(gen);
	return ret;
}

static int set_nv(ha_cib *cib, GPtrArray *sets, const char *set_id, const char *name,
		  const char *value)
{
	if (!valid_name(name) || (value && !valid_value(value)))
		return -EINVAL;
	if (value) {
		ha__nvsets_set(sets, cib->strings, set_id, name, value);
		return 0;
	}
	ha__nvsets_unset(sets, name);
	/* No empty attribute sets left behind in the document. */
	for (guint i = sets->len; i-- > 0;) {
		ha_nvset *set = g_ptr_array_index(sets, i);
		if (set->pairs->len == 0) {
			g_ptr_array_remove_index(sets, i);
			g_array_free(set->pairs, TRUE);
			g_free(set);
		}
	}
	return 0;
}

int ha_edit_rsc_param(ha_cib *cib, const char *rsc, const char *name, const char *value)
{
	if (!cib || !rsc)
		return -EINVAL;
	ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	if (!r)
		return -ENOENT;
	if (r->kind != HA_RSC_PRIMITIVE)
		return -EINVAL;
	char *set_id = g_strdup_printf("%s-instance_attributes", rsc);
	int ret = set_nv(cib, r->params, set_id, name, value);
	g_free(set_id);
	return ret;
}

int ha_edit_rsc_meta(ha_cib *cib, const char *rsc, const char *name, const char *value)
{
	if (!cib || !rsc)
		return -EINVAL;
	ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	if (!r)
		return -ENOENT;
	bool promotable = false;
	if (r->kind == HA_RSC_CLONE && name && !strcmp(name, "promotable") && value &&
	    ha__bool_parse(value, &promotable) < 0)
		return -EINVAL;
	char *set_id = g_strdup_printf("%s-meta_attributes", rsc);
	int ret = set_nv(cib, r->meta, set_id, name, value);
	g_free(set_id);
	if (ret == 0 && r->kind == HA_RSC_CLONE && !strcmp(name, "promotable"))
		r->promotable = promotable || r->legacy_master;
	return ret;
}

static bool valid_on_fail(const char *s)
{
	static const char *const ok[] = {"ignore", "block", "stop", "restart", "fence",
					 "standby", "demote"};
	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++)
		if (!strcmp(s, ok[i]))
			return true;
	return false;
}

static bool valid_op_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_islower(*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

static ha_op_def *op_find(const ha_rsc *r, const char *name, uint32_t interval_ms, guint *idx)
{
	for (guint i = 0; i < r->ops->len; i++) {
		ha_op_def *d = g_ptr_array_index(r->ops, i);
		if (!strcmp(d->name, name) && d->interval_ms == interval_ms) {
			*idx = i;
			return d;
		}
	}
	return NULL;
}

int ha_edit_rsc_op(ha_cib *cib, const char *rsc, const char *name, const char *interval,
		   const char *timeout, const char *on_fail)
{
	uint32_t ims, tms = 0;
	guint idx;

	if (!cib || !rsc || !valid_op_name(name) || !interval)
		return -EINVAL;
	ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	if (!r)
		return -ENOENT;
	if (r->kind != HA_RSC_PRIMITIVE || ha__interval_parse(interval, &ims) < 0 ||
	    (timeout && ha__interval_parse(timeout, &tms) < 0) ||
	    (on_fail && !valid_on_fail(on_fail)))
		return -EINVAL;
	ha_op_def *d = op_find(r, name, ims, &idx);
	if (!d) {
		char *id = g_strdup_printf("%s-%s-interval-%s", rsc, name, interval);
		for (char *p = id; *p; p++)
			if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
				*p = '_';
		d = g_new0(ha_op_def, 1);
		d->id = ha__str(cib, id);
		d->name = ha__str_const(cib, name);
		d->interval_ms = ims;
		d->interval_str = ha__str(cib, interval);
		d->attrs = ha__nvsets_new();
		d->meta = ha__nvsets_new();
		g_ptr_array_add(r->ops, d);
		g_free(id);
	}
	d->timeout_ms = tms;
	d->timeout_str = ha__str(cib, timeout);
	d->on_fail = ha__str_const(cib, on_fail);
	return 0;
}

int ha_edit_rsc_op_delete(ha_cib *cib, const char *rsc, const char *name, const char *interval)
{
	uint32_t ims;
	guint idx;

	if (!cib || !rsc || !name || !interval || ha__interval_parse(interval, &ims) < 0)
		return -EINVAL;
	ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	if (!r || r->kind != HA_RSC_PRIMITIVE)
		return -ENOENT;
	ha_op_def *d = op_find(r, name, ims, &idx);
	if (!d)
		return -ENOENT;
	g_ptr_array_remove_index(r->ops, idx);
	op_free(d);
	return 0;
}

/* ---- constraints ---------------------------------------------------------------------------- */

/* May a constraint of kind `kind` be stored under id? Sets *existing when it replaces
 * one of the same kind. */
static int constraint_slot(const ha_config *cfg, const char *id, ckind kind, guint *existing,
			   bool *replace)
{
	if (!valid_id(id))
		return -EINVAL;
	if (ha__rsc_find(cfg, id))
		return HA_EDUPLICATE;
	ckind k = constraint_find(cfg, id, existing);
	if (k != C_NONE && k != kind)
		return HA_EDUPLICATE;
	*replace = k == kind;
	return 0;
}

int ha_edit_location(ha_cib *cib, const char *id, const char *rsc, const char *node,
		     const char *score, const char *role)
{
	guint idx;
	bool replace;
	int sc, r;

	if (!cib || !rsc || !valid_node(node) || !score || !valid_role(role))
		return -EINVAL;
	if ((r = constraint_slot(&cib->cfg, id, C_LOCATION, &idx, &replace)) < 0)
		return r;
	if (!ha__rsc_find(&cib->cfg, rsc))
		return HA_EREF;
	if (ha__score_parse(score, &sc) < 0)
		return -EINVAL;
	ha_location *l = g_new0(ha_location, 1);
	l->id = ha__str(cib, id);
	l->rsc = ha__str(cib, rsc);
	l->node = ha__str(cib, node);
	l->score = sc;
	l->score_str = ha__str(cib, score);
	l->role = ha__str_const(cib, role);
	l->r = ha__rsc_find(&cib->cfg, rsc);
	if (replace) {
		location_free(g_ptr_array_index(cib->cfg.locations, idx));
		cib->cfg.locations->pdata[idx] = l;
	} else {
		g_ptr_array_add(cib->cfg.locations, l);
	}
	return 0;
}

int ha_edit_colocation(ha_cib *cib, const char *id, const char *rsc, const char *with_rsc,
		       const char *score, const char *rsc_role, const char *with_role)
{
	guint idx;
	bool replace;
	int sc, r;

	if (!cib || !rsc || !with_rsc || !score || !valid_role(rsc_role) || !valid_role(with_role))
		return -EINVAL;
	if ((r = constraint_slot(&cib->cfg, id, C_COLOCATION, &idx, &replace)) < 0)
		return r;
	if (!ha__rsc_find(&cib->cfg, rsc) || !ha__rsc_find(&cib->cfg, with_rsc))
		return HA_EREF;
	if (!strcmp(rsc, with_rsc) || ha__score_parse(score, &sc) < 0)
		return -EINVAL;
	ha_colocation *c = g_new0(ha_colocation, 1);
	c->id = ha__str(cib, id);
	c->rsc = ha__str(cib, rsc);
	c->with_rsc = ha__str(cib, with_rsc);
	c->score = sc;
	c->score_str = ha__str(cib, score);
	c->rsc_role = ha__str_const(cib, rsc_role);
	c->with_rsc_role = ha__str_const(cib, with_role);
	c->r = ha__rsc_find(&cib->cfg, rsc);
	c->with = ha__rsc_find(&cib->cfg, with_rsc);
	if (replace) {
		g_free(g_ptr_array_index(cib->cfg.colocations, idx));
		cib->cfg.colocations->pdata[idx] = c;
	} else {
		g_ptr_array_add(cib->cfg.colocations, c);
	}
	return 0;
}

static bool valid_action(const char *a)
{
	return !a || !strcmp(a, "start") || !strcmp(a, "stop") || !strcmp(a, "promote") ||
	       !strcmp(a, "demote");
}

int ha_edit_order(ha_cib *cib, const char *id, const char *first, const char *then,
		  const char *kind, const char *first_action, const char *then_action,
		  bool symmetrical)
{
	guint idx;
	bool replace;
	ha_order_kind k;
	int r;

	if (!cib || !first || !then || !valid_action(first_action) || !valid_action(then_action))
		return -EINVAL;
	if (!kind || !strcmp(kind, "Mandatory"))
		k = HA_ORDER_MANDATORY;
	else if (!strcmp(kind, "Optional"))
		k = HA_ORDER_OPTIONAL;
	else if (!strcmp(kind, "Serialize"))
		k = HA_ORDER_SERIALIZE;
	else
		return -EINVAL;
	if ((r = constraint_slot(&cib->cfg, id, C_ORDER, &idx, &replace)) < 0)
		return r;
	if (!ha__rsc_find(&cib->cfg, first) || !ha__rsc_find(&cib->cfg, then))
		return HA_EREF;
	if (!strcmp(first, then))
		return -EINVAL;
	ha_order *o = g_new0(ha_order, 1);
	o->id = ha__str(cib, id);
	o->first = ha__str(cib, first);
	o->then = ha__str(cib, then);
	o->first_action = ha__str_const(cib, first_action);
	o->then_action = ha__str_const(cib, then_action);
	o->kind = k;
	o->kind_str = ha__str_const(cib, kind);
	/* Serialize orders are never symmetrical. */
	o->symmetrical = symmetrical && k != HA_ORDER_SERIALIZE;
	o->symmetrical_str = symmetrical ? NULL : ha__str_const(cib, "false");
	o->r_first = ha__rsc_find(&cib->cfg, first);
	o->r_then = ha__rsc_find(&cib->cfg, then);
	if (replace) {
		g_free(g_ptr_array_index(cib->cfg.orders, idx));
		cib->cfg.orders->pdata[idx] = o;
	} else {
		g_ptr_array_add(cib->cfg.orders, o);
	}
	return 0;
}

int ha_edit_constraint_delete(ha_cib *cib, const char *id)
{
	guint i;

	if (!cib || !id)
		return -EINVAL;
	if (constraint_find(&cib->cfg, id, &i) != C_NONE)
		ha__lifetime_remove(&cib->cfg, id);
	switch (constraint_find(&cib->cfg, id, &i)) {
	case C_LOCATION:
		location_free(g_ptr_array_steal_index(cib->cfg.locations, i));
		return 0;
	case C_COLOCATION:
		g_free(g_ptr_array_steal_index(cib->cfg.colocations, i));
		return 0;
	case C_ORDER:
		g_free(g_ptr_array_steal_index(cib->cfg.orders, i));
		return 0;
	case C_NONE:
		break;
	}
	return -ENOENT;
}

/* ---- options, defaults, nodes ------------------------------------------------------------- */

int ha_edit_property(ha_cib *cib, const char *name, const char *value)
{
	const char *err = NULL;

	if (!cib || !valid_name(name) || (value && !valid_value(value)))
		return -EINVAL;
	/* Options go to the first set: never libha's own set of constraint lifetimes. */
	const ha_nvset *first = cib->cfg.crm_config->len ? g_ptr_array_index(cib->cfg.crm_config, 0) : NULL;
	if (value && first && first->id && !strcmp(first->id, "ha-lifetimes")) {
		ha_nvset *opts = g_new0(ha_nvset, 1);
		opts->id = ha__str_const(cib, "cib-bootstrap-options");
		opts->pairs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		g_ptr_array_insert(cib->cfg.crm_config, 0, opts);
	}
	/* Check the value on the derived options before keeping it. */
	const char *old = ha__nvsets_get(cib->cfg.crm_config, name);
	set_nv(cib, cib->cfg.crm_config, "cib-bootstrap-options", name, value);
	if (ha__options_derive(cib, &err) < 0 && err && !strcmp(err, name)) {
		set_nv(cib, cib->cfg.crm_config, "cib-bootstrap-options", name, old);
		ha__options_derive(cib, &err);
		return -EINVAL;
	}
	return 0;
}

int ha_edit_rsc_default(ha_cib *cib, const char *name, const char *value)
{
	if (!cib)
		return -EINVAL;
	return set_nv(cib, cib->cfg.rsc_defaults, "rsc-options", name, value);
}

int ha_edit_node_attr(ha_cib *cib, const char *node, const char *name, const char *value)
{
	if (!cib || !node)
		return -EINVAL;
	ha_node_def *n = ha__node_find(&cib->cfg, node);
	if (!n)
		return HA_EREF;
	if (!n->attrs)
		n->attrs = ha__nvsets_new();
	char *set_id = g_strdup_printf("nodes-%s", n->id ? n->id : node);
	int ret = set_nv(cib, n->attrs, set_id, name, value);
	g_free(set_id);
	return ret;
}

/* ---- status and versions ------------------------------------------------------------------ */

/* Does an lrm entry or a transient attribute belong to primitive id? Clone instances
 * are recorded as "id" or "id:N". */
static bool is_instance_of(const char *s, const char *id)
{
	size_t l = strlen(id);
	return !strncmp(s, id, l) && (s[l] == '\0' || s[l] == ':');
}

static bool is_failure_attr(const char *name, const char *id)
{
	const char *rest = NULL;
	if (!strncmp(name, "fail-count-", 11))
		rest = name + 11;
	else if (!strncmp(name, "last-failure-", 13))
		rest = name + 13;
	if (!rest)
		return false;
	size_t l = strlen(id);
	return !strncmp(rest, id, l) && (rest[l] == '\0' || rest[l] == '#' || rest[l] == ':');
}

static void cleanup_node(ha_node_state *ns, const char *id, bool history)
{
	for (guint i = ns->lrm->len; history && i-- > 0;) {
		ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (lr->id && is_instance_of(lr->id, id)) {
			g_ptr_array_remove_index(ns->lrm, i);
			g_array_free(lr->ops, TRUE);
			g_free(lr);
		}
	}
	for (guint s = 0; s < ns->attrs->len; s++) {
		ha_nvset *set = g_ptr_array_index(ns->attrs, s);
		for (guint j = set->pairs->len; j-- > 0;)
			if (is_failure_attr(g_array_index(set->pairs, ha_nvpair, j).name, id))
				g_array_remove_index(set->pairs, j);
	}
}

static int status_cleanup(ha_cib *cib, const char *rsc, const char *node, bool history)
{
	if (!cib || !rsc)
		return -EINVAL;
	if (node && !ha__node_state_find(cib, node) && !ha__node_find(&cib->cfg, node))
		return HA_EREF;
	GPtrArray *ids = g_ptr_array_new();
	ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	if (r) {
		GPtrArray *prims = g_ptr_array_new();
		ha__rsc_primitives(r, prims);
		for (guint i = 0; i < prims->len; i++)
			g_ptr_array_add(ids, (gpointer)((ha_rsc *)g_ptr_array_index(prims, i))->id);
		g_ptr_array_free(prims, TRUE);
	} else {
		/* No longer configured: its history may still be there. */
		bool known = false;
		for (guint i = 0; i < cib->status->len && !known; i++) {
			const ha_node_state *ns = g_ptr_array_index(cib->status, i);
			for (guint j = 0; j < ns->lrm->len && !known; j++) {
				const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
				known = lr->id && is_instance_of(lr->id, rsc);
			}
		}
		if (!known) {
			g_ptr_array_free(ids, TRUE);
			return -ENOENT;
		}
		g_ptr_array_add(ids, (gpointer)rsc);
	}
	for (guint i = 0; i < cib->status->len; i++) {
		ha_node_state *ns = g_ptr_array_index(cib->status, i);
		if (node && (!ns->uname || strcmp(ns->uname, node)))
			continue;
		for (guint k = 0; k < ids->len; k++)
			cleanup_node(ns, g_ptr_array_index(ids, k), history);
	}
	g_ptr_array_free(ids, TRUE);
	return 0;
}

int ha_edit_status_cleanup(ha_cib *cib, const char *rsc, const char *node)
{
	return status_cleanup(cib, rsc, node, true);
}

int ha_edit_status_clear_failures(ha_cib *cib, const char *rsc, const char *node)
{
	return status_cleanup(cib, rsc, node, false);
}

int ha_edit_status_attr(ha_cib *cib, const char *node, const char *name, const char *value)
{
	if (!cib || !node)
		return -EINVAL;
	ha_node_state *ns = ha__node_state_find(cib, node);
	if (!ns)
		return HA_EREF;
	char *set_id = g_strdup_printf("status-%s", ns->id ? ns->id : node);
	int ret = set_nv(cib, ns->attrs, set_id, name, value);
	g_free(set_id);
	return ret;
}

int ha_edit_replace_config(ha_cib *cib, const ha_cib *from)
{
	char *xml = NULL;
	ha_cib *copy = NULL;
	int r;

	if (!cib || !from)
		return -EINVAL;
	/* A deep copy through the serializer: one code path for every model field. */
	if ((r = ha_cib_to_string(from, &xml)) < 0)
		return r;
	r = ha_cib_load_memory(xml, strlen(xml), from->source ? from->source : "configuration",
			       HA_CIB_LENIENT | HA_CIB_NO_SCHEMA, &copy, NULL);
	free(xml);
	if (r < 0)
		return r;
	ha__cib_copy_status(copy, cib);
	copy->admin_epoch = cib->admin_epoch;
	copy->epoch = cib->epoch;
	copy->num_updates = cib->num_updates;
	ha_cib tmp = *cib;
	*cib = *copy;
	*copy = tmp;
	ha_cib_free(copy);
	return 0;
}

void ha_edit_strip_status(ha_cib *cib)
{
	if (!cib)
		return;
	for (guint i = 0; i < cib->status->len; i++)
		ha__node_state_free(g_ptr_array_index(cib->status, i));
	g_ptr_array_set_size(cib->status, 0);
}

void ha_cib_set_version(ha_cib *cib, int64_t admin_epoch, int64_t epoch, int64_t num_updates)
{
	if (!cib)
		return;
	cib->admin_epoch = admin_epoch;
	cib->epoch = epoch;
	cib->num_updates = num_updates;
}

/* ---- reading ------------------------------------------------------------------------------------ */

char **ha_strv_free(char **v)
{
	g_strfreev(v);
	return NULL;
}

const char *ha_cib_rsc_kind(const ha_cib *cib, const char *rsc)
{
	const ha_rsc *r = cib ? ha__rsc_find(&cib->cfg, rsc) : NULL;
	if (!r)
		return NULL;
	return r->kind == HA_RSC_PRIMITIVE ? "primitive" : r->kind == HA_RSC_GROUP ? "group" : "clone";
}

const char *ha_cib_rsc_parent(const ha_cib *cib, const char *rsc)
{
	const ha_rsc *r = cib ? ha__rsc_find(&cib->cfg, rsc) : NULL;
	return r && r->parent ? r->parent->id : NULL;
}

static char *agent_spec(const ha_rsc *r)
{
	if (r->provider)
		return g_strdup_printf("%s:%s:%s", r->cls, r->provider, r->type);
	return g_strdup_printf("%s:%s", r->cls ? r->cls : "?", r->type ? r->type : "?");
}

int ha_cib_rsc_agent(const ha_cib *cib, const char *rsc, char **ret)
{
	const ha_rsc *r = cib ? ha__rsc_find(&cib->cfg, rsc) : NULL;
	if (!r)
		return -ENOENT;
	if (r->kind != HA_RSC_PRIMITIVE)
		return -EINVAL;
	char *s = agent_spec(r);
	*ret = strdup(s);
	g_free(s);
	return *ret ? 0 : -ENOMEM;
}

static void describe_nvsets(GString *out, const char *title, const GPtrArray *sets)
{
	bool any = false;
	for (guint i = 0; sets && i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!any)
				g_string_append_printf(out, "  %s:", title);
			any = true;
			g_string_append_printf(out, " %s=%s", p->name, p->value);
		}
	}
	if (any)
		g_string_append_c(out, '\n');
}

static void describe_constraint_line(GString *out, const ha_config *cfg, ckind k, guint i)
{
	if (k == C_LOCATION) {
		const ha_location *l = g_ptr_array_index(cfg->locations, i);
		if (l->node)
			g_string_append_printf(out, "location %s: %s on %s score %s%s%s\n", l->id,
					       l->rsc, l->node, l->score_str ? l->score_str : "?",
					       l->role ? " role " : "", l->role ? l->role : "");
		else
			g_string_append_printf(out, "location %s: %s by %u rule(s)\n", l->id, l->rsc,
					       l->rules ? l->rules->len : 0);
	} else if (k == C_COLOCATION) {
		const ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		g_string_append_printf(out, "colocation %s: %s%s%s with %s%s%s score %s\n", c->id,
				       c->rsc, c->rsc_role ? ":" : "", c->rsc_role ? c->rsc_role : "",
				       c->with_rsc, c->with_rsc_role ? ":" : "",
				       c->with_rsc_role ? c->with_rsc_role : "",
				       c->score_str ? c->score_str : "?");
	} else if (k == C_ORDER) {
		const ha_order *o = g_ptr_array_index(cfg->orders, i);
		const char *fa = o->first_action ? o->first_action : "start";
		g_string_append_printf(out, "order %s: %s %s then %s %s (%s%s)\n", o->id, fa, o->first,
				       o->then_action ? o->then_action : fa, o->then,
				       o->kind == HA_ORDER_OPTIONAL    ? "Optional"
				       : o->kind == HA_ORDER_SERIALIZE ? "Serialize"
								       : "Mandatory",
				       o->symmetrical ? "" : ", not symmetrical");
	}
}

static void describe_rsc(GString *out, const ha_config *cfg, const ha_rsc *r)
{
	if (r->kind == HA_RSC_PRIMITIVE) {
		char *a = agent_spec(r);
		g_string_append_printf(out, "Resource: %s (%s)\n", r->id, a);
		g_free(a);
	} else {
		g_string_append_printf(out, "Resource: %s (%s%s)\n", r->id,
				       r->kind == HA_RSC_GROUP ? "group"
				       : r->promotable	       ? "promotable clone"
							       : "clone",
				       "");
		g_string_append(out, "  Members:");
		for (guint i = 0; i < r->children->len; i++)
			g_string_append_printf(out, " %s",
					       ((const ha_rsc *)g_ptr_array_index(r->children, i))->id);
		g_string_append_c(out, '\n');
	}
	if (r->parent)
		g_string_append_printf(out, "  In: %s\n", r->parent->id);
	describe_nvsets(out, "Parameters", r->params);
	describe_nvsets(out, "Meta", r->meta);
	for (guint i = 0; r->ops && i < r->ops->len; i++) {
		const ha_op_def *d = g_ptr_array_index(r->ops, i);
		g_string_append_printf(out, "  Operation: %s interval=%s", d->name,
				       d->interval_str ? d->interval_str : "0");
		if (d->timeout_str)
			g_string_append_printf(out, " timeout=%s", d->timeout_str);
		if (d->on_fail)
			g_string_append_printf(out, " on-fail=%s", d->on_fail);
		if (d->role)
			g_string_append_printf(out, " role=%s", d->role);
		g_string_append_c(out, '\n');
	}
	GString *cons = g_string_new(NULL);
	for (guint i = 0; i < cfg->locations->len; i++) {
		const ha_location *l = g_ptr_array_index(cfg->locations, i);
		if (!strcmp(l->rsc, r->id))
			describe_constraint_line(cons, cfg, C_LOCATION, i);
	}
	for (guint i = 0; i < cfg->colocations->len; i++) {
		const ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		if (!strcmp(c->rsc, r->id) || !strcmp(c->with_rsc, r->id))
			describe_constraint_line(cons, cfg, C_COLOCATION, i);
	}
	for (guint i = 0; i < cfg->orders->len; i++) {
		const ha_order *o = g_ptr_array_index(cfg->orders, i);
		if (!strcmp(o->first, r->id) || !strcmp(o->then, r->id))
			describe_constraint_line(cons, cfg, C_ORDER, i);
	}
	if (cons->len) {
		g_string_append(out, "  Constraints:\n");
		char **lines = g_strsplit(cons->str, "\n", -1);
		for (char **l = lines; *l; l++)
			if (**l)
				g_string_append_printf(out, "    %s\n", *l);
		g_strfreev(lines);
	}
	g_string_free(cons, TRUE);
}

int ha_cib_describe(const ha_cib *cib, const char *id, char **ret)
{
	guint i;

	if (!cib || !id || !ret)
		return -EINVAL;
	const ha_config *cfg = &cib->cfg;
	GString *out = g_string_new(NULL);
	const ha_rsc *r = ha__rsc_find(cfg, id);
	ckind k;
	if (r)
		describe_rsc(out, cfg, r);
	else if ((k = constraint_find(cfg, id, &i)) != C_NONE)
		describe_constraint_line(out, cfg, k, i);
	else {
		g_string_free(out, TRUE);
		return -ENOENT;
	}
	*ret = strdup(out->str);
	g_string_free(out, TRUE);
	return *ret ? 0 : -ENOMEM;
}

int ha_cib_ids(const ha_cib *cib, bool constraints, char ***ret)
{
	if (!cib || !ret)
		return -EINVAL;
	const ha_config *cfg = &cib->cfg;
	GPtrArray *v = g_ptr_array_new();
	if (!constraints) {
		for (guint i = 0; i < cfg->rsc_all->len; i++)
			g_ptr_array_add(v, g_strdup(((ha_rsc *)g_ptr_array_index(cfg->rsc_all, i))->id));
	} else {
		for (guint i = 0; i < cfg->locations->len; i++)
			g_ptr_array_add(v, g_strdup(((ha_location *)g_ptr_array_index(cfg->locations, i))->id));
		for (guint i = 0; i < cfg->colocations->len; i++)
			g_ptr_array_add(v, g_strdup(((ha_colocation *)g_ptr_array_index(cfg->colocations, i))->id));
		for (guint i = 0; i < cfg->orders->len; i++)
			g_ptr_array_add(v, g_strdup(((ha_order *)g_ptr_array_index(cfg->orders, i))->id));
	}
	g_ptr_array_add(v, NULL);
	*ret = (char **)g_ptr_array_free(v, FALSE);
	return 0;
}

int ha_cib_changed_primitives(const ha_cib *old_cib, const ha_cib *new_cib, char ***ret)
{
	char d1[HA_DIGEST_LEN], d2[HA_DIGEST_LEN];

	if (!new_cib || !ret)
		return -EINVAL;
	GPtrArray *v = g_ptr_array_new();
	for (guint i = 0; i < new_cib->cfg.rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(new_cib->cfg.rsc_all, i);
		if (r->kind != HA_RSC_PRIMITIVE)
			continue;
		const ha_rsc *o = old_cib ? ha__rsc_find(&old_cib->cfg, r->id) : NULL;
		bool same = o && o->kind == HA_RSC_PRIMITIVE && !g_strcmp0(o->cls, r->cls) &&
			    !g_strcmp0(o->provider, r->provider) && !g_strcmp0(o->type, r->type) &&
			    !strcmp(ha__rsc_digest(o, d1), ha__rsc_digest(r, d2));
		if (!same)
			g_ptr_array_add(v, g_strdup(r->id));
	}
	g_ptr_array_add(v, NULL);
	*ret = (char **)g_ptr_array_free(v, FALSE);
	return 0;
}

int ha_cib_rsc_params(const ha_cib *cib, const char *rsc, char ***ret)
{
	const ha_rsc *r = cib ? ha__rsc_find(&cib->cfg, rsc) : NULL;
	if (!r)
		return -ENOENT;
	if (r->kind != HA_RSC_PRIMITIVE)
		return -EINVAL;
	GPtrArray *v = g_ptr_array_new();
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; r->params && i < r->params->len; i++) {
		const ha_nvset *set = g_ptr_array_index(r->params, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!g_hash_table_add(seen, (gpointer)p->name))
				continue; /* the first set naming it wins */
			g_ptr_array_add(v, g_strdup(p->name));
			g_ptr_array_add(v, g_strdup(p->value));
		}
	}
	g_hash_table_destroy(seen);
	g_ptr_array_add(v, NULL);
	*ret = (char **)g_ptr_array_free(v, FALSE);
	return 0;
}

int ha_cib_nodes(const ha_cib *cib, char ***ret)
{
	if (!cib || !ret)
		return -EINVAL;
	GPtrArray *v = g_ptr_array_new();
	for (guint i = 0; i < cib->cfg.nodes->len; i++) {
		const ha_node_def *n = g_ptr_array_index(cib->cfg.nodes, i);
		g_ptr_array_add(v, g_strdup(n->uname ? n->uname : n->id));
	}
	for (guint i = 0; i < cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(cib->status, i);
		if (ns->uname && !ha__node_find(&cib->cfg, ns->uname))
			g_ptr_array_add(v, g_strdup(ns->uname));
	}
	g_ptr_array_add(v, NULL);
	*ret = (char **)g_ptr_array_free(v, FALSE);
	return 0;
}

const char *ha_cib_property(const ha_cib *cib, const char *name)
{
	return cib && name ? ha__nvsets_get(cib->cfg.crm_config, name) : NULL;
}

const char *ha_cib_node_id(const ha_cib *cib, const char *node)
{
	const ha_node_def *n = cib && node ? ha__node_find(&cib->cfg, node) : NULL;
	return n ? n->id : NULL;
}

int ha_cib_node_attrs(const ha_cib *cib, const char *node, bool transient, char ***ret)
{
	if (!cib || !node || !ret)
		return -EINVAL;
	const GPtrArray *sets;
	if (transient) {
		const ha_node_state *ns = ha__node_state_find(cib, node);
		if (!ns)
			return HA_EREF;
		sets = ns->attrs;
	} else {
		const ha_node_def *n = ha__node_find(&cib->cfg, node);
		if (!n)
			return HA_EREF;
		sets = n->attrs;
	}
	GPtrArray *v = g_ptr_array_new();
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; sets && i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!g_hash_table_add(seen, (gpointer)p->name))
				continue;
			g_ptr_array_add(v, g_strdup(p->name));
			g_ptr_array_add(v, g_strdup(p->value));
		}
	}
	g_hash_table_destroy(seen);
	g_ptr_array_add(v, NULL);
	*ret = (char **)g_ptr_array_free(v, FALSE);
	return 0;
}
