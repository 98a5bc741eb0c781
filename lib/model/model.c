/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Model helpers: allocation of CIB objects, score arithmetic, name/value sets,
 * option derivation and structural equality. No XML and no I/O here.
 */
#include "model.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int ha__score_add(int a, int b)
{
	if (a <= -HA_INF || b <= -HA_INF)
		return -HA_INF;
	if (a >= HA_INF || b >= HA_INF)
		return HA_INF;
	long s = (long)a + b;
	if (s >= HA_INF)
		return HA_INF;
	if (s <= -HA_INF)
		return -HA_INF;
	return (int)s;
}

int ha__score_parse(const char *s, int *out)
{
	if (!s || !*s)
		return -EINVAL;
	const char *p = s;
	int sign = 1;
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	if (!strcasecmp(p, "INFINITY") || !strcasecmp(p, "inf")) {
		*out = sign * HA_INF;
		return 0;
	}
	if (!*p)
		return -EINVAL;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s)
		return -EINVAL;
	if (v > HA_INF || errno == ERANGE)
		v = v > 0 ? HA_INF : -HA_INF;
	if (v < -HA_INF)
		v = -HA_INF;
	*out = (int)v;
	return 0;
}

const char *ha__score_str(int score, char *buf)
{
	if (score >= HA_INF)
		return strcpy(buf, "INFINITY");
	if (score <= -HA_INF)
		return strcpy(buf, "-INFINITY");
	snprintf(buf, 16, "%d", score);
	return buf;
}

GPtrArray *ha__nvsets_new(void)
{
	return g_ptr_array_new_with_free_func(NULL);
}

const char *ha__nvsets_get(const GPtrArray *sets, const char *name)
{
	if (!sets)
		return NULL;
	for (guint i = 0; i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!strcmp(p->name, name))
				return p->value;
		}
	}
	return NULL;
}

void ha__nvsets_set(GPtrArray *sets, GStringChunk *strings, const char *set_id,
		    const char *name, const char *value)
{
	for (guint i = 0; i < sets->len; i++) {
		ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!strcmp(p->name, name)) {
				p->value = g_string_chunk_insert_const(strings, value);
				return;
			}
		}
	}
	ha_nvset *set;
	if (sets->len == 0) {
		set = g_new0(ha_nvset, 1);
		set->id = g_string_chunk_insert_const(strings, set_id);
		set->pairs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		g_ptr_array_add(sets, set);
	} else {
		set = g_ptr_array_index(sets, 0);
	}
	char idbuf[512];
	snprintf(idbuf, sizeof(idbuf), "%s-%s", set->id ? set->id : set_id, name);
	ha_nvpair p = {
		.id = g_string_chunk_insert_const(strings, idbuf),
		.name = g_string_chunk_insert_const(strings, name),
		.value = g_string_chunk_insert_const(strings, value),
	};
	g_array_append_val(set->pairs, p);
}

bool ha__nvsets_unset(GPtrArray *sets, const char *name)
{
	bool removed = false;
	for (guint i = 0; sets && i < sets->len; i++) {
		ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = set->pairs->len; j-- > 0;) {
			if (!strcmp(g_array_index(set->pairs, ha_nvpair, j).name, name)) {
				g_array_remove_index(set->pairs, j);
				removed = true;
			}
		}
	}
	return removed;
}

static const char *const role_names[] = {
	[HA_ROLE_UNKNOWN] = "Unknown",
	[HA_ROLE_STOPPED] = "Stopped",
	[HA_ROLE_STARTED] = "Started",
	[HA_ROLE_UNPROMOTED] = "Unpromoted",
	[HA_ROLE_PROMOTED] = "Promoted",
};

const char *ha__role_str(ha_role r)
{
	return (unsigned)r < G_N_ELEMENTS(role_names) ? role_names[r] : "Unknown";
}

ha_role ha__role_parse(const char *s)
{
	if (!s)
		return HA_ROLE_UNKNOWN;
	if (!strcasecmp(s, "Stopped"))
		return HA_ROLE_STOPPED;
	if (!strcasecmp(s, "Started"))
		return HA_ROLE_STARTED;
	if (!strcasecmp(s, "Unpromoted") || !strcasecmp(s, "Slave"))
		return HA_ROLE_UNPROMOTED;
	if (!strcasecmp(s, "Promoted") || !strcasecmp(s, "Master"))
		return HA_ROLE_PROMOTED;
	return HA_ROLE_UNKNOWN;
}

ha_cib *ha__cib_new(void)
{
	ha_cib *cib = g_new0(ha_cib, 1);
	cib->strings = g_string_chunk_new(64 * 1024);
	cib->cib_attrs = g_ptr_array_new_with_free_func(g_free);
	ha_config *c = &cib->cfg;
	c->crm_config = ha__nvsets_new();
	c->nodes = g_ptr_array_new();
	c->resources = g_ptr_array_new();
	c->rsc_all = g_ptr_array_new();
	c->rsc_by_id = g_hash_table_new(g_str_hash, g_str_equal);
	c->locations = g_ptr_array_new();
	c->colocations = g_ptr_array_new();
	c->orders = g_ptr_array_new();
	c->rsc_defaults = ha__nvsets_new();
	c->op_defaults = ha__nvsets_new();
	cib->status = g_ptr_array_new();
	const char *err;
	ha__options_derive(cib, &err);
	return cib;
}

const char *ha__str(ha_cib *cib, const char *s)
{
	return s ? g_string_chunk_insert(cib->strings, s) : NULL;
}

const char *ha__str_const(ha_cib *cib, const char *s)
{
	return s ? g_string_chunk_insert_const(cib->strings, s) : NULL;
}

ha_rsc *ha__rsc_new(ha_rsc_kind kind)
{
	ha_rsc *r = g_new0(ha_rsc, 1);
	r->kind = kind;
	r->meta = ha__nvsets_new();
	if (kind == HA_RSC_PRIMITIVE) {
		r->params = ha__nvsets_new();
		r->ops = g_ptr_array_new();
	} else {
		r->children = g_ptr_array_new();
	}
	return r;
}

ha_node_state *ha__node_state_new(void)
{
	ha_node_state *ns = g_new0(ha_node_state, 1);
	ns->lrm = g_ptr_array_new();
	ns->attrs = ha__nvsets_new();
	return ns;
}

ha_lrm_rsc *ha__lrm_rsc_new(void)
{
	ha_lrm_rsc *lr = g_new0(ha_lrm_rsc, 1);
	lr->ops = g_array_new(FALSE, TRUE, sizeof(ha_lrm_op));
	return lr;
}

static void nvsets_free(GPtrArray *sets)
{
	if (!sets)
		return;
	for (guint i = 0; i < sets->len; i++) {
		ha_nvset *s = g_ptr_array_index(sets, i);
		g_array_free(s->pairs, TRUE);
		g_free(s);
	}
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

static void rsc_free(ha_rsc *r)
{
	nvsets_free(r->params);
	nvsets_free(r->meta);
	for (guint i = 0; r->ops && i < r->ops->len; i++) {
		ha_op_def *op = g_ptr_array_index(r->ops, i);
		nvsets_free(op->attrs);
		nvsets_free(op->meta);
		g_free(op);
	}
	if (r->ops)
		g_ptr_array_free(r->ops, TRUE);
	if (r->children)
		g_ptr_array_free(r->children, TRUE);
	g_free(r);
}

ha_cib *ha_cib_free(ha_cib *cib)
{
	if (!cib)
		return NULL;
	ha_config *c = &cib->cfg;
	nvsets_free(c->crm_config);
	for (guint i = 0; i < c->nodes->len; i++) {
		ha_node_def *n = g_ptr_array_index(c->nodes, i);
		nvsets_free(n->attrs);
		nvsets_free(n->utilization);
		g_free(n);
	}
	g_ptr_array_free(c->nodes, TRUE);
	for (guint i = 0; i < c->rsc_all->len; i++)
		rsc_free(g_ptr_array_index(c->rsc_all, i));
	g_ptr_array_free(c->rsc_all, TRUE);
	g_ptr_array_free(c->resources, TRUE);
	g_hash_table_destroy(c->rsc_by_id);
	for (guint i = 0; i < c->locations->len; i++) {
		ha_location *l = g_ptr_array_index(c->locations, i);
		for (guint j = 0; l->rules && j < l->rules->len; j++)
			rule_free(g_ptr_array_index(l->rules, j));
		if (l->rules)
			g_ptr_array_free(l->rules, TRUE);
		g_free(l);
	}
	g_ptr_array_free(c->locations, TRUE);
	g_ptr_array_set_free_func(c->colocations, g_free);
	g_ptr_array_free(c->colocations, TRUE);
	g_ptr_array_set_free_func(c->orders, g_free);
	g_ptr_array_free(c->orders, TRUE);
	nvsets_free(c->rsc_defaults);
	nvsets_free(c->op_defaults);
	for (guint i = 0; i < cib->status->len; i++)
		ha__node_state_free(g_ptr_array_index(cib->status, i));
	g_ptr_array_free(cib->status, TRUE);
	g_ptr_array_free(cib->cib_attrs, TRUE);
	g_string_chunk_free(cib->strings);
	g_free(cib);
	return NULL;
}

const char *ha__cib_attr(const ha_cib *cib, const char *name)
{
	for (guint i = 0; i < cib->cib_attrs->len; i++) {
		const ha_nvpair *p = g_ptr_array_index(cib->cib_attrs, i);
		if (!strcmp(p->name, name))
			return p->value;
	}
	return NULL;
}

void ha__cib_set_attr(ha_cib *cib, const char *name, const char *value)
{
	for (guint i = 0; i < cib->cib_attrs->len; i++) {
		ha_nvpair *p = g_ptr_array_index(cib->cib_attrs, i);
		if (!strcmp(p->name, name)) {
			p->value = ha__str(cib, value);
			return;
		}
	}
	ha_nvpair *p = g_new0(ha_nvpair, 1);
	p->name = ha__str_const(cib, name);
	p->value = ha__str(cib, value);
	g_ptr_array_add(cib->cib_attrs, p);
}

ha_rsc *ha__rsc_find(const ha_config *cfg, const char *id)
{
	return id ? g_hash_table_lookup(cfg->rsc_by_id, id) : NULL;
}

ha_node_def *ha__node_find(const ha_config *cfg, const char *uname)
{
	for (guint i = 0; i < cfg->nodes->len; i++) {
		ha_node_def *n = g_ptr_array_index(cfg->nodes, i);
		if (n->uname && !strcmp(n->uname, uname))
			return n;
	}
	return NULL;
}

ha_node_state *ha__node_state_find(const ha_cib *cib, const char *uname)
{
	for (guint i = 0; i < cib->status->len; i++) {
		ha_node_state *ns = g_ptr_array_index(cib->status, i);
		if (ns->uname && !strcmp(ns->uname, uname))
			return ns;
	}
	return NULL;
}

const ha_lrm_op *ha__lrm_last_op(const ha_node_state *ns, const char *rsc, const ha_lrm_rsc **lrp)
{
	for (guint i = 0; ns && i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (strcmp(lr->id, rsc))
			continue;
		for (guint j = 0; j < lr->ops->len; j++) {
			const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, j);
			if (!strcmp(op->id + strlen(lr->id), "_last_0")) {
				if (lrp)
					*lrp = lr;
				return op;
			}
		}
	}
	return NULL;
}

int ha__bool_parse(const char *s, bool *out)
{
	static const char *const t[] = {"true", "on", "yes", "y", "1"};
	static const char *const f[] = {"false", "off", "no", "n", "0"};
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		if (!strcasecmp(s, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* ISO 8601 durations (PT1M30S) and Pacemaker's "10s"/"500ms"/"2min"/"1h" forms. */
int ha__interval_parse(const char *s, uint32_t *ms)
{
	if (!s || !*s)
		return -EINVAL;
	double total = 0;
	const char *p = s;
	if (*p == 'P' || *p == 'p') {
		p++;
		bool in_time = false;
		if (!*p)
			return -EINVAL;
		while (*p) {
			if (*p == 'T' || *p == 't') {
				in_time = true;
				p++;
				continue;
			}
			char *end;
			double v = strtod(p, &end);
			if (end == p || v < 0)
				return -EINVAL;
			switch (*end) {
			case 'D': case 'd': if (in_time) return -EINVAL; total += v * 86400e3; break;
			case 'W': case 'w': if (in_time) return -EINVAL; total += v * 7 * 86400e3; break;
			case 'H': case 'h': if (!in_time) return -EINVAL; total += v * 3600e3; break;
			case 'M': case 'm': if (!in_time) return -EINVAL; total += v * 60e3; break;
			case 'S': case 's': if (!in_time) return -EINVAL; total += v * 1e3; break;
			default: return -EINVAL;
			}
			p = end + 1;
		}
	} else {
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || v < 0 || errno)
			return -EINVAL;
		while (*end == ' ')
			end++;
		double mult;
		if (!*end || !strcasecmp(end, "s") || !strcasecmp(end, "sec"))
			mult = 1e3;
		else if (!strcasecmp(end, "ms") || !strcasecmp(end, "msec"))
			mult = 1;
		else if (!strcasecmp(end, "us") || !strcasecmp(end, "usec"))
			mult = 1e-3;
		else if (!strcasecmp(end, "m") || !strcasecmp(end, "min"))
			mult = 60e3;
		else if (!strcasecmp(end, "h") || !strcasecmp(end, "hr"))
			mult = 3600e3;
		else
			return -EINVAL;
		total = v * mult;
	}
	if (total > (double)UINT32_MAX)
		return -EINVAL;
	*ms = (uint32_t)(total + 0.5);
	return 0;
}

static int opt_bool(const GPtrArray *sets, const char *name, bool def, bool *out,
		    const char **err)
{
	const char *v = ha__nvsets_get(sets, name);
	if (!v) {
		*out = def;
		return 0;
	}
	if (ha__bool_parse(v, out) < 0) {
		*err = name;
		return -EINVAL;
	}
	return 0;
}

static int opt_ms(const GPtrArray *sets, const char *name, uint32_t def, uint32_t *out,
		  const char **err)
{
	const char *v = ha__nvsets_get(sets, name);
	if (!v) {
		*out = def;
		return 0;
	}
	if (ha__interval_parse(v, out) < 0) {
		*err = name;
		return -EINVAL;
	}
	return 0;
}

int ha__options_derive(ha_cib *cib, const char **err)
{
	ha_options o = {0};
	const GPtrArray *s = cib->cfg.crm_config;
	int rc = 0;
	rc |= opt_bool(s, "symmetric-cluster", true, &o.symmetric_cluster, err);
	rc |= opt_bool(s, "stonith-enabled", true, &o.stonith_enabled, err);
	rc |= opt_bool(s, "maintenance-mode", false, &o.maintenance_mode, err);
	rc |= opt_bool(s, "start-failure-is-fatal", true, &o.start_failure_is_fatal, err);
	rc |= opt_bool(s, "stop-orphan-resources", true, &o.stop_orphan_resources, err);
	rc |= opt_bool(s, "startup-fencing", true, &o.startup_fencing, err);
	rc |= opt_ms(s, "stonith-timeout", 60000, &o.stonith_timeout_ms, err);
	rc |= opt_ms(s, "cluster-recheck-interval", 900000, &o.recheck_interval_ms, err);
	const char *nqp = ha__nvsets_get(s, "no-quorum-policy");
	if (!nqp || !strcmp(nqp, "stop"))
		o.no_quorum_policy = HA_NQP_STOP;
	else if (!strcmp(nqp, "freeze"))
		o.no_quorum_policy = HA_NQP_FREEZE;
	else if (!strcmp(nqp, "ignore"))
		o.no_quorum_policy = HA_NQP_IGNORE;
	else if (!strcmp(nqp, "demote"))
		o.no_quorum_policy = HA_NQP_DEMOTE;
	else {
		*err = "no-quorum-policy";
		rc = -EINVAL;
	}
	o.placement_strategy = ha__nvsets_get(s, "placement-strategy");
	if (!o.placement_strategy)
		o.placement_strategy = "default";
	cib->cfg.opts = o;
	return rc ? -EINVAL : 0;
}

const char *ha__rsc_meta(const ha_config *cfg, const ha_rsc *r, const char *name)
{
	for (const ha_rsc *p = r; p; p = p->parent) {
		const char *v = ha__nvsets_get(p->meta, name);
		if (v)
			return v;
	}
	return ha__nvsets_get(cfg->rsc_defaults, name);
}

void ha__rsc_primitives(const ha_rsc *r, GPtrArray *out)
{
	if (r->kind == HA_RSC_PRIMITIVE) {
		g_ptr_array_add(out, (gpointer)r);
		return;
	}
	for (guint i = 0; i < r->children->len; i++)
		ha__rsc_primitives(g_ptr_array_index(r->children, i), out);
}

static int cmp_pairs(const void *a, const void *b)
{
	const ha_nvpair *x = *(const ha_nvpair *const *)a, *y = *(const ha_nvpair *const *)b;
	return strcmp(x->name, y->name);
}

const char *ha__rsc_digest(const ha_rsc *r, char *buf)
{
	GPtrArray *pairs = g_ptr_array_new();
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; r->params && i < r->params->len; i++) {
		const ha_nvset *set = g_ptr_array_index(r->params, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (g_hash_table_add(seen, (gpointer)p->name))
				g_ptr_array_add(pairs, p);
		}
	}
	if (pairs->len > 1)
		qsort(pairs->pdata, pairs->len, sizeof(gpointer), cmp_pairs);
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	for (guint i = 0; i < pairs->len; i++) {
		const ha_nvpair *p = g_ptr_array_index(pairs, i);
		g_checksum_update(ck, (const guchar *)p->name, (gssize)strlen(p->name) + 1);
		g_checksum_update(ck, (const guchar *)p->value, (gssize)strlen(p->value) + 1);
	}
	snprintf(buf, HA_DIGEST_LEN, HA_DIGEST_PREFIX "%.64s", g_checksum_get_string(ck));
	g_checksum_free(ck);
	g_hash_table_destroy(seen);
	g_ptr_array_free(pairs, TRUE);
	return buf;
}

static GPtrArray *copy_nvsets(ha_cib *dst, const GPtrArray *src)
{
	GPtrArray *out = ha__nvsets_new();
	for (guint i = 0; src && i < src->len; i++) {
		const ha_nvset *s = g_ptr_array_index(src, i);
		ha_nvset *d = g_new0(ha_nvset, 1);
		d->id = ha__str(dst, s->id);
		d->pairs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		for (guint j = 0; j < s->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(s->pairs, ha_nvpair, j);
			ha_nvpair q = {ha__str(dst, p->id), ha__str_const(dst, p->name), ha__str(dst, p->value)};
			g_array_append_val(d->pairs, q);
		}
		g_ptr_array_add(out, d);
	}
	return out;
}

ha_node_state *ha__node_state_copy(ha_cib *dst, const ha_node_state *ns)
{
	ha_node_state *d = ha__node_state_new();
	d->id = ha__str(dst, ns->id);
	d->uname = ha__str(dst, ns->uname);
	d->in_ccm = ha__str_const(dst, ns->in_ccm);
	d->crmd = ha__str_const(dst, ns->crmd);
	d->join = ha__str_const(dst, ns->join);
	d->expected = ha__str_const(dst, ns->expected);
	d->crm_debug_origin = ha__str_const(dst, ns->crm_debug_origin);
	d->frozen = ns->frozen;
	d->line = ns->line;
	g_ptr_array_free(d->attrs, TRUE);
	d->attrs = copy_nvsets(dst, ns->attrs);
	for (guint i = 0; ns->other_attrs && i < ns->other_attrs->len; i++) {
		ha_nvpair nv = g_array_index(ns->other_attrs, ha_nvpair, i);
		nv.id = ha__str(dst, nv.id);
		nv.name = ha__str_const(dst, nv.name);
		nv.value = ha__str_const(dst, nv.value);
		if (!d->other_attrs)
			d->other_attrs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		g_array_append_val(d->other_attrs, nv);
	}
	for (guint i = 0; i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		ha_lrm_rsc *l = ha__lrm_rsc_new();
		l->id = ha__str_const(dst, lr->id); /* interned: the scheduler resolves lrm ids by pointer */
		l->cls = ha__str_const(dst, lr->cls);
		l->provider = ha__str_const(dst, lr->provider);
		l->type = ha__str_const(dst, lr->type);
		for (guint j = 0; j < lr->ops->len; j++) {
			ha_lrm_op op = g_array_index(lr->ops, ha_lrm_op, j);
			op.id = ha__str(dst, op.id);
			op.operation = ha__str_const(dst, op.operation);
			op.digest = ha__str_const(dst, op.digest);
			op.exit_reason = ha__str(dst, op.exit_reason);
			op.transition_key = ha__str(dst, op.transition_key);
			op.transition_magic = ha__str(dst, op.transition_magic);
			op.on_node = ha__str_const(dst, op.on_node);
			op.feature_set = ha__str_const(dst, op.feature_set);
			g_array_append_val(l->ops, op);
		}
		g_ptr_array_add(d->lrm, l);
	}
	return d;
}

void ha__node_state_free(ha_node_state *ns)
{
	if (!ns)
		return;
	for (guint j = 0; j < ns->lrm->len; j++) {
		ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
		g_array_free(lr->ops, TRUE);
		g_free(lr);
	}
	g_ptr_array_free(ns->lrm, TRUE);
	nvsets_free(ns->attrs);
	if (ns->other_attrs)
		g_array_free(ns->other_attrs, TRUE);
	g_free(ns);
}

void ha__cib_copy_status(ha_cib *dst, const ha_cib *src)
{
	for (guint i = 0; i < dst->status->len; i++)
		ha__node_state_free(g_ptr_array_index(dst->status, i));
	g_ptr_array_set_size(dst->status, 0);
	for (guint i = 0; i < src->status->len; i++)
		g_ptr_array_add(dst->status, ha__node_state_copy(dst, g_ptr_array_index(src->status, i)));
}

static bool names_rsc(const char *name, const char *prefix, const char *rsc)
{
	size_t p = strlen(prefix), n = strlen(rsc);
	return !strncmp(name, prefix, p) && !strncmp(name + p, rsc, n) &&
	       (name[p + n] == '\0' || name[p + n] == '#');
}

unsigned ha__cib_forget(ha_cib *cib, const char *rsc, const char *node)
{
	unsigned n = 0;
	size_t len = strlen(rsc);
	for (guint i = 0; i < cib->status->len; i++) {
		ha_node_state *ns = g_ptr_array_index(cib->status, i);
		if (node && (!ns->uname || strcmp(ns->uname, node)))
			continue;
		for (guint j = ns->lrm->len; j-- > 0;) {
			ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
			/* "db" also matches anonymous clone copies recorded as "db:1" */
			if (strncmp(lr->id, rsc, len) || (lr->id[len] && lr->id[len] != ':'))
				continue;
			g_array_free(lr->ops, TRUE);
			g_free(lr);
			g_ptr_array_remove_index(ns->lrm, j);
			n++;
		}
		for (guint s = 0; s < ns->attrs->len; s++) {
			ha_nvset *set = g_ptr_array_index(ns->attrs, s);
			for (guint j = set->pairs->len; j-- > 0;) {
				const char *name = g_array_index(set->pairs, ha_nvpair, j).name;
				if (names_rsc(name, "fail-count-", rsc) || names_rsc(name, "last-failure-", rsc)) {
					g_array_remove_index(set->pairs, j);
					n++;
				}
			}
		}
	}
	return n;
}
