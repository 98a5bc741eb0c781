/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Serializing the model back to CIB XML, with Pacemaker's element and attribute names
 * and every id preserved, so that loading the output gives an equal model and
 * crm_simulate accepts it. Written with a GString and a hand-rolled escaper (no
 * libxml2 tree: a 100 MB CIB serializes in about a second); to a file through a
 * temporary file, fsync and rename. It does not validate the model: a value that XML
 * cannot carry (a control character, broken UTF-8) fails the call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util/util.h"

/* Written out to the file whenever this much has accumulated. */
#define CW_FLUSH_AT (1u << 20)

typedef struct cw {
	GString *buf;
	int fd;    /* flush target, or -1 to build a string */
	int err;   /* first failure: negated errno, or -EINVAL for text XML cannot carry */
	const char *bad; /* the value that could not be written */
} cw;

static void cw_flush(cw *w, bool force)
{
	if (w->fd < 0 || w->err || (!force && w->buf->len < CW_FLUSH_AT))
		return;
	size_t off = 0;
	while (off < w->buf->len) {
		ssize_t n = write(w->fd, w->buf->str + off, w->buf->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->err = -errno;
			return;
		}
		off += (size_t)n;
	}
	g_string_truncate(w->buf, 0);
}

static void cw_raw(cw *w, const char *s)
{
	g_string_append(w->buf, s);
}

/* Attribute-value escaping. Tabs and line breaks become character references so that
 * attribute-value normalization on reading does not turn them into spaces. */
static void cw_text(cw *w, const char *s)
{
	const unsigned char *u = (const unsigned char *)s, *start = u;
	bool utf8_checked = false;
	for (; *u; u++) {
		unsigned char c = *u;
		if (c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '"') {
			if (c >= 0x80 && !utf8_checked) {
				if (!g_utf8_validate((const char *)u, -1, NULL))
					goto bad;
				utf8_checked = true;
			}
			continue;
		}
		g_string_append_len(w->buf, (const char *)start, u - start);
		switch (c) {
		case '&': cw_raw(w, "&amp;"); break;
		case '<': cw_raw(w, "&lt;"); break;
		case '>': cw_raw(w, "&gt;"); break;
		case '"': cw_raw(w, "&quot;"); break;
		case '\t': cw_raw(w, "&#9;"); break;
		case '\n': cw_raw(w, "&#10;"); break;
		case '\r': cw_raw(w, "&#13;"); break;
		default: goto bad;
		}
		start = u + 1;
	}
	g_string_append_len(w->buf, (const char *)start, u - start);
	return;
bad:
	if (!w->err) {
		w->err = -EINVAL;
		w->bad = s;
	}
}

static void cw_indent(cw *w, int depth)
{
	static const char spaces[] = "                                        ";
	int n = MIN(depth * 2, (int)sizeof(spaces) - 1);
	g_string_append_len(w->buf, spaces, n);
}

static void cw_open(cw *w, int depth, const char *elem)
{
	cw_indent(w, depth);
	g_string_append_c(w->buf, '<');
	cw_raw(w, elem);
}

static void cw_close(cw *w, int depth, const char *elem)
{
	cw_indent(w, depth);
	cw_raw(w, "</");
	cw_raw(w, elem);
	cw_raw(w, ">\n");
}

static void cw_attr(cw *w, const char *name, const char *value)
{
	if (!value)
		return;
	g_string_append_c(w->buf, ' ');
	cw_raw(w, name);
	cw_raw(w, "=\"");
	cw_text(w, value);
	g_string_append_c(w->buf, '"');
}

static void cw_attr_int(cw *w, const char *name, int64_t v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *s = e;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do {
		*--s = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--s = '-';
	g_string_append_c(w->buf, ' ');
	cw_raw(w, name);
	cw_raw(w, "=\"");
	g_string_append_len(w->buf, s, e - s);
	g_string_append_c(w->buf, '"');
}

static void cw_attr_score(cw *w, const char *name, const char *as_written, int score)
{
	char buf[16];
	cw_attr(w, name, as_written ? as_written : ha__score_str(score, buf));
}

/* ---- configuration ------------------------------------------------------------------ */

static void write_nvset(cw *w, int depth, const char *elem, const ha_nvset *set)
{
	cw_open(w, depth, elem);
	cw_attr(w, "id", set->id);
	if (!set->pairs->len) {
		cw_raw(w, "/>\n");
		return;
	}
	cw_raw(w, ">\n");
	for (guint i = 0; i < set->pairs->len; i++) {
		const ha_nvpair *nv = &g_array_index(set->pairs, ha_nvpair, i);
		cw_open(w, depth + 1, "nvpair");
		cw_attr(w, "id", nv->id);
		cw_attr(w, "name", nv->name);
		cw_attr(w, "value", nv->value);
		cw_raw(w, "/>\n");
	}
	cw_close(w, depth, elem);
}

static void write_nvsets(cw *w, int depth, const char *elem, const GPtrArray *sets)
{
	for (guint i = 0; sets && i < sets->len; i++)
		write_nvset(w, depth, elem, g_ptr_array_index(sets, i));
}

static bool nvsets_empty(const GPtrArray *sets)
{
	return !sets || !sets->len;
}

static void write_op(cw *w, int depth, const ha_op_def *op)
{
	char buf[24];
	cw_open(w, depth, "op");
	cw_attr(w, "id", op->id);
	cw_attr(w, "name", op->name);
	if (op->interval_str) {
		cw_attr(w, "interval", op->interval_str);
	} else {
		snprintf(buf, sizeof(buf), "%ums", op->interval_ms);
		cw_attr(w, "interval", buf);
	}
	if (op->timeout_str) {
		cw_attr(w, "timeout", op->timeout_str);
	} else if (op->timeout_ms) {
		snprintf(buf, sizeof(buf), "%ums", op->timeout_ms);
		cw_attr(w, "timeout", buf);
	}
	cw_attr(w, "role", op->role);
	cw_attr(w, "on-fail", op->on_fail);
	cw_attr(w, "enabled", op->enabled);
	if (nvsets_empty(op->attrs) && nvsets_empty(op->meta)) {
		cw_raw(w, "/>\n");
		return;
	}
	cw_raw(w, ">\n");
	write_nvsets(w, depth + 1, "instance_attributes", op->attrs);
	write_nvsets(w, depth + 1, "meta_attributes", op->meta);
	cw_close(w, depth, "op");
}

static void write_rsc(cw *w, int depth, const ha_rsc *r)
{
	const char *elem = r->kind == HA_RSC_PRIMITIVE ? "primitive" :
			   r->kind == HA_RSC_GROUP ? "group" :
			   r->legacy_master ? "master" : "clone";
	cw_open(w, depth, elem);
	cw_attr(w, "id", r->id);
	if (r->kind == HA_RSC_PRIMITIVE) {
		cw_attr(w, "class", r->cls);
		cw_attr(w, "provider", r->provider);
		cw_attr(w, "type", r->type);
	}
	cw_attr(w, "description", r->description);
	bool empty = nvsets_empty(r->params) && nvsets_empty(r->meta) &&
		     (!r->ops || !r->ops->len) && (!r->children || !r->children->len);
	if (empty) {
		cw_raw(w, "/>\n");
		return;
	}
	cw_raw(w, ">\n");
	write_nvsets(w, depth + 1, "instance_attributes", r->params);
	write_nvsets(w, depth + 1, "meta_attributes", r->meta);
	if (r->ops && r->ops->len) {
		cw_open(w, depth + 1, "operations");
		cw_raw(w, ">\n");
		for (guint i = 0; i < r->ops->len; i++)
			write_op(w, depth + 2, g_ptr_array_index(r->ops, i));
		cw_close(w, depth + 1, "operations");
	}
	for (guint i = 0; r->children && i < r->children->len; i++)
		write_rsc(w, depth + 1, g_ptr_array_index(r->children, i));
	cw_close(w, depth, elem);
}

static void write_rule(cw *w, int depth, const ha_rule *rule)
{
	cw_open(w, depth, "rule");
	cw_attr(w, "id", rule->id);
	if (rule->score_str || rule->has_score)
		cw_attr_score(w, "score", rule->score_str, rule->score);
	cw_attr(w, "score-attribute", rule->score_attribute);
	cw_attr(w, "boolean-op", rule->boolean_op);
	cw_attr(w, "role", rule->role);
	cw_raw(w, ">\n");
	for (guint i = 0; rule->exprs && i < rule->exprs->len; i++) {
		const ha_expr *x = g_ptr_array_index(rule->exprs, i);
		if (x->kind == HA_EXPR_RULE) {
			write_rule(w, depth + 1, x->rule);
			continue;
		}
		cw_open(w, depth + 1, "expression");
		cw_attr(w, "id", x->id);
		cw_attr(w, "attribute", x->attribute);
		cw_attr(w, "operation", x->operation);
		cw_attr(w, "value", x->value);
		cw_attr(w, "type", x->type);
		cw_attr(w, "value-source", x->value_source);
		cw_raw(w, "/>\n");
	}
	cw_close(w, depth, "rule");
}

static void write_constraints(cw *w, int depth, const ha_config *cfg)
{
	cw_open(w, depth, "constraints");
	cw_raw(w, ">\n");
	for (guint i = 0; i < cfg->locations->len; i++) {
		const ha_location *l = g_ptr_array_index(cfg->locations, i);
		bool rules = l->rules && l->rules->len;
		cw_open(w, depth + 1, "rsc_location");
		cw_attr(w, "id", l->id);
		cw_attr(w, "rsc", l->rsc);
		cw_attr(w, "role", l->role);
		cw_attr(w, "node", l->node);
		if (l->score_str || !rules)
			cw_attr_score(w, "score", l->score_str, l->score);
		cw_attr(w, "resource-discovery", l->resource_discovery);
		if (!rules) {
			cw_raw(w, "/>\n");
			continue;
		}
		cw_raw(w, ">\n");
		for (guint j = 0; j < l->rules->len; j++)
			write_rule(w, depth + 2, g_ptr_array_index(l->rules, j));
		cw_close(w, depth + 1, "rsc_location");
	}
	for (guint i = 0; i < cfg->colocations->len; i++) {
		const ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		cw_open(w, depth + 1, "rsc_colocation");
		cw_attr(w, "id", c->id);
		if (c->score_str || c->score)
			cw_attr_score(w, "score", c->score_str, c->score);
		cw_attr(w, "rsc", c->rsc);
		cw_attr(w, "with-rsc", c->with_rsc);
		cw_attr(w, "rsc-role", c->rsc_role);
		cw_attr(w, "with-rsc-role", c->with_rsc_role);
		cw_attr(w, "node-attribute", c->node_attribute);
		cw_raw(w, "/>\n");
	}
	for (guint i = 0; i < cfg->orders->len; i++) {
		static const char *const kinds[] = {"Mandatory", "Optional", "Serialize"};
		const ha_order *o = g_ptr_array_index(cfg->orders, i);
		cw_open(w, depth + 1, "rsc_order");
		cw_attr(w, "id", o->id);
		cw_attr(w, "first", o->first);
		cw_attr(w, "first-action", o->first_action);
		cw_attr(w, "then", o->then);
		cw_attr(w, "then-action", o->then_action);
		if (o->kind_str || o->score_str)
			cw_attr(w, "kind", o->kind_str);
		else if (o->kind != HA_ORDER_MANDATORY && (unsigned)o->kind < G_N_ELEMENTS(kinds))
			cw_attr(w, "kind", kinds[o->kind]);
		cw_attr(w, "score", o->score_str);
		if (o->symmetrical_str)
			cw_attr(w, "symmetrical", o->symmetrical_str);
		else if (o->symmetrical != (o->kind != HA_ORDER_SERIALIZE))
			cw_attr(w, "symmetrical", o->symmetrical ? "true" : "false");
		cw_attr(w, "require-all", o->require_all);
		cw_raw(w, "/>\n");
	}
	cw_close(w, depth, "constraints");
}

static void write_section_sets(cw *w, int depth, const char *section, const char *elem,
			       const GPtrArray *sets, bool always)
{
	if (nvsets_empty(sets) && !always)
		return;
	cw_open(w, depth, section);
	if (nvsets_empty(sets)) {
		cw_raw(w, "/>\n");
		return;
	}
	cw_raw(w, ">\n");
	write_nvsets(w, depth + 1, elem, sets);
	cw_close(w, depth, section);
}

static void write_configuration(cw *w, const ha_config *cfg)
{
	cw_raw(w, "  <configuration>\n");
	write_section_sets(w, 2, "crm_config", "cluster_property_set", cfg->crm_config, true);
	cw_raw(w, "    <nodes>\n");
	for (guint i = 0; i < cfg->nodes->len; i++) {
		const ha_node_def *n = g_ptr_array_index(cfg->nodes, i);
		cw_open(w, 3, "node");
		cw_attr(w, "id", n->id);
		cw_attr(w, "uname", n->uname);
		cw_attr(w, "type", n->type);
		if (nvsets_empty(n->attrs) && nvsets_empty(n->utilization)) {
			cw_raw(w, "/>\n");
			continue;
		}
		cw_raw(w, ">\n");
		write_nvsets(w, 4, "instance_attributes", n->attrs);
		write_nvsets(w, 4, "utilization", n->utilization);
		cw_close(w, 3, "node");
	}
	cw_raw(w, "    </nodes>\n    <resources>\n");
	for (guint i = 0; i < cfg->resources->len; i++) {
		write_rsc(w, 3, g_ptr_array_index(cfg->resources, i));
		cw_flush(w, false);
	}
	cw_raw(w, "    </resources>\n");
	write_constraints(w, 2, cfg);
	write_section_sets(w, 2, "rsc_defaults", "meta_attributes", cfg->rsc_defaults, false);
	write_section_sets(w, 2, "op_defaults", "meta_attributes", cfg->op_defaults, false);
	cw_raw(w, "  </configuration>\n");
}

/* ---- status ------------------------------------------------------------------------ */

static void write_lrm_op(cw *w, const ha_lrm_rsc *lr, const ha_lrm_op *op)
{
	cw_open(w, 6, "lrm_rsc_op");
	cw_attr(w, "id", op->id);
	/* Pacemaker's operation key: resource, operation and interval. */
	g_string_append(w->buf, " operation_key=\"");
	cw_text(w, lr->id ? lr->id : "");
	g_string_append_c(w->buf, '_');
	cw_text(w, op->operation ? op->operation : "");
	g_string_append_printf(w->buf, "_%u\"", op->interval_ms);
	cw_attr(w, "operation", op->operation);
	cw_attr(w, "crm_feature_set", op->feature_set);
	cw_attr(w, "transition-key", op->transition_key);
	cw_attr(w, "transition-magic", op->transition_magic);
	cw_attr(w, "exit-reason", op->exit_reason);
	cw_attr(w, "on_node", op->on_node);
	cw_attr_int(w, "call-id", op->call_id);
	cw_attr_int(w, "rc-code", op->rc);
	cw_attr_int(w, "op-status", op->op_status);
	cw_attr_int(w, "interval", op->interval_ms);
	if (op->last_rc_change)
		cw_attr_int(w, "last-rc-change", op->last_rc_change);
	if (op->last_run)
		cw_attr_int(w, "last-run", op->last_run);
	cw_attr_int(w, "exec-time", op->exec_time);
	cw_attr_int(w, "queue-time", op->queue_time);
	cw_attr(w, "op-digest", op->digest);
	cw_raw(w, "/>\n");
}

static void write_node_state(cw *w, const ha_node_state *ns)
{
	cw_open(w, 2, "node_state");
	cw_attr(w, "id", ns->id);
	cw_attr(w, "uname", ns->uname);
	cw_attr(w, "in_ccm", ns->in_ccm);
	cw_attr(w, "crmd", ns->crmd);
	cw_attr(w, "crm-debug-origin", ns->crm_debug_origin);
	cw_attr(w, "join", ns->join);
	cw_attr(w, "expected", ns->expected);
	/* libha's own: the node's daemon is gone while its corosync stays (DESIGN.md). */
	if (ns->frozen)
		cw_attr(w, "ha-frozen", "true");
	for (guint i = 0; ns->other_attrs && i < ns->other_attrs->len; i++) {
		const ha_nvpair *nv = &g_array_index(ns->other_attrs, ha_nvpair, i);
		cw_attr(w, nv->name, nv->value);
	}
	bool attrs = !nvsets_empty(ns->attrs), lrm = ns->lrm && ns->lrm->len;
	if (!attrs && !lrm) {
		cw_raw(w, "/>\n");
		return;
	}
	cw_raw(w, ">\n");
	if (attrs) {
		cw_open(w, 3, "transient_attributes");
		cw_attr(w, "id", ns->id);
		cw_raw(w, ">\n");
		write_nvsets(w, 4, "instance_attributes", ns->attrs);
		cw_close(w, 3, "transient_attributes");
	}
	if (lrm) {
		cw_open(w, 3, "lrm");
		cw_attr(w, "id", ns->id);
		cw_raw(w, ">\n        <lrm_resources>\n");
		for (guint i = 0; i < ns->lrm->len; i++) {
			const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
			cw_open(w, 5, "lrm_resource");
			cw_attr(w, "id", lr->id);
			cw_attr(w, "class", lr->cls);
			cw_attr(w, "provider", lr->provider);
			cw_attr(w, "type", lr->type);
			if (!lr->ops->len) {
				cw_raw(w, "/>\n");
				continue;
			}
			cw_raw(w, ">\n");
			for (guint j = 0; j < lr->ops->len; j++)
				write_lrm_op(w, lr, &g_array_index(lr->ops, ha_lrm_op, j));
			cw_close(w, 5, "lrm_resource");
			cw_flush(w, false);
		}
		cw_raw(w, "        </lrm_resources>\n");
		cw_close(w, 3, "lrm");
	}
	cw_close(w, 2, "node_state");
}

static void write_cib(cw *w, const ha_cib *cib)
{
	cw_raw(w, "<cib");
	cw_attr_int(w, "admin_epoch", cib->admin_epoch);
	cw_attr_int(w, "epoch", cib->epoch);
	cw_attr_int(w, "num_updates", cib->num_updates);
	for (guint i = 0; i < cib->cib_attrs->len; i++) {
		const ha_nvpair *nv = g_ptr_array_index(cib->cib_attrs, i);
		cw_attr(w, nv->name, nv->value);
	}
	cw_raw(w, ">\n");
	write_configuration(w, &cib->cfg);
	if (!cib->status->len) {
		cw_raw(w, "  <status/>\n</cib>\n");
		return;
	}
	cw_raw(w, "  <status>\n");
	for (guint i = 0; i < cib->status->len; i++)
		write_node_state(w, g_ptr_array_index(cib->status, i));
	cw_raw(w, "  </status>\n</cib>\n");
}

/* Rough output size, so that a large CIB is not built by repeated doubling. */
static size_t estimate(const ha_cib *cib)
{
	size_t n = 16384 + 600 * cib->cfg.rsc_all->len;
	for (guint i = 0; i < cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(cib->status, i);
		for (guint j = 0; j < ns->lrm->len; j++)
			n += 100 + 520 * ((const ha_lrm_rsc *)g_ptr_array_index(ns->lrm, j))->ops->len;
	}
	return n;
}

int ha_cib_to_string(const ha_cib *cib, char **ret)
{
	if (!cib || !ret)
		return -EINVAL;
	cw w = {.buf = g_string_sized_new(estimate(cib)), .fd = -1};
	write_cib(&w, cib);
	if (w.err) {
		g_string_free(w.buf, TRUE);
		return w.err;
	}
	*ret = g_string_free(w.buf, FALSE);
	return 0;
}

static int sync_dir(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	g_free(dir);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int ha_cib_save_file(const ha_cib *cib, const char *path, ha_diag *diag)
{
	if (!cib || !path || !*path)
		return -EINVAL;
	/* Same directory, so that rename() is atomic; mode 0600 (mkostemp's), since
	 * instance attributes may hold passwords. */
	char *tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int rc = -errno;
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: cannot create a temporary file next to it: "
			     "%s", path, strerror(-rc));
		g_free(tmp);
		return rc;
	}
	cw w = {.buf = g_string_sized_new(CW_FLUSH_AT + 65536), .fd = fd};
	write_cib(&w, cib);
	cw_flush(&w, true);
	g_string_free(w.buf, TRUE);
	const char *step = "write";
	if (!w.err && fsync(fd) < 0) {
		w.err = -errno;
		step = "fsync";
	}
	if (close(fd) < 0 && !w.err) {
		w.err = -errno;
		step = "close";
	}
	if (!w.err && rename(tmp, path) < 0) {
		w.err = -errno;
		step = "rename";
	}
	if (w.err) {
		unlink(tmp);
		if (w.bad)
			ha__diag_add(diag, HA_DIAG_ERROR, "%s: not written: the value \"%.60s\" holds "
				     "a character XML cannot represent", path, w.bad);
		else
			ha__diag_add(diag, HA_DIAG_ERROR, "%s: not written: %s failed: %s", path,
				     step, strerror(-w.err));
		g_free(tmp);
		return w.err;
	}
	g_free(tmp);
	int rc = sync_dir(path);
	if (rc < 0)
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: written, but syncing its directory failed: "
			     "%s; it may not survive a crash", path, strerror(-rc));
	return rc;
}
