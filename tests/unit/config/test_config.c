/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of lib/config: loading real Pacemaker CIBs (written by crm_simulate) and
 * hand-written ones into the model, every error class with its message, lenient
 * mode, the input guards (size cap, entity declarations), round trips and atomic
 * saving. Every test frees what it allocates (ASan's leak check runs last).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

#define BAD_PTR ((ha_cib *)(uintptr_t)0x5a5a5a5a)

static char *data_path(const char *name)
{
	const char *dir = getenv("HA_TEST_DATA");
	assert_non_null(dir);
	return g_strdup_printf("%s/data/%s", dir, name);
}

static ha_cib *load_data(const char *name, unsigned flags, ha_diag *diag)
{
	char *path = data_path(name);
	ha_cib *cib = NULL;
	int rc = ha_cib_load_file(path, flags, &cib, diag);
	for (size_t i = 0; rc < 0 && i < ha_diag_count(diag); i++)
		print_message("%s\n", ha_diag_message(diag, i));
	assert_int_equal(rc, 0);
	assert_non_null(cib);
	g_free(path);
	return cib;
}

static int load_str(const char *xml, unsigned flags, ha_cib **ret, ha_diag *diag)
{
	return ha_cib_load_memory(xml, strlen(xml), "t.xml", flags, ret, diag);
}

/* True if some message of d contains every one of the NULL-terminated strings. */
static bool diag_has(const ha_diag *d, ...)
{
	for (size_t i = 0; i < ha_diag_count(d); i++) {
		const char *m = ha_diag_message(d, i);
		bool all = true;
		va_list ap;
		va_start(ap, d);
		for (const char *s; (s = va_arg(ap, const char *));)
			all = all && strstr(m, s);
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

static void dump(const ha_diag *d)
{
	for (size_t i = 0; i < ha_diag_count(d); i++)
		print_message("  [%s] %s\n", ha_diag_severity_of(d, i) == HA_DIAG_ERROR ? "E" : "W",
			      ha_diag_message(d, i));
}

/* Load xml expecting failure rc and a message containing all of ...; checks that
 * nothing is returned. */
#define EXPECT_FAIL(xml, flags, rc, ...)                                                   \
	do {                                                                               \
		ha_diag *d_;                                                               \
		ha_diag_new(&d_);                                                          \
		ha_cib *c_ = BAD_PTR;                                                      \
		int r_ = load_str((xml), (flags), &c_, d_);                                \
		if (r_ != (rc) || !diag_has(d_, __VA_ARGS__, NULL))                         \
			dump(d_);                                                          \
		assert_int_equal(r_, (rc));                                                \
		assert_ptr_equal(c_, BAD_PTR);                                             \
		assert_true(diag_has(d_, __VA_ARGS__, NULL));                              \
		ha_diag_free(d_);                                                          \
	} while (0)

static ha_rsc *rsc(const ha_cib *cib, const char *id)
{
	ha_rsc *r = ha__rsc_find(&cib->cfg, id);
	assert_non_null(r);
	return r;
}

static const ha_op_def *op_at(const ha_rsc *r, guint i)
{
	assert_true(i < r->ops->len);
	return g_ptr_array_index(r->ops, i);
}

/* ---- real Pacemaker CIBs ---------------------------------------------------------- */

static void test_pcmk_basic(void **state)
{
	(void)state;
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = load_data("pcmk-basic.xml", 0, d);
	assert_int_equal(ha_diag_count(d), 0);

	int64_t a, e, n;
	ha_cib_version(cib, &a, &e, &n);
	assert_int_equal(a, 1);
	assert_int_equal(e, 12);
	assert_int_equal(n, 42);
	assert_string_equal(ha__cib_attr(cib, "validate-with"), "pacemaker-3.9");
	assert_string_equal(ha__cib_attr(cib, "crm_feature_set"), "3.16.1");

	const ha_config *cfg = &cib->cfg;
	assert_false(cfg->opts.stonith_enabled);
	assert_int_equal(cfg->opts.no_quorum_policy, HA_NQP_IGNORE);
	assert_int_equal(cfg->opts.recheck_interval_ms, 300000);
	assert_true(cfg->opts.symmetric_cluster);
	assert_string_equal(ha__nvsets_get(cfg->crm_config, "dc-version"), "2.1.5-a3f44794f94");

	assert_int_equal(cfg->nodes->len, 3);
	const ha_node_def *n2 = ha__node_find(cfg, "node2");
	assert_non_null(n2);
	assert_string_equal(n2->id, "2");
	assert_string_equal(n2->type, "member");
	assert_string_equal(ha__nvsets_get(n2->attrs, "rack"), "b");
	assert_string_equal(ha__nvsets_get(n2->utilization, "cpu"), "4");

	/* Parents before children, dense indices, parent pointers. */
	static const char *const order[] = {"vip", "web", "fs", "httpd", "ping-clone", "ping",
					    "db-clone", "db", "legacy"};
	assert_int_equal(cfg->rsc_all->len, G_N_ELEMENTS(order));
	assert_int_equal(cfg->resources->len, 5);
	for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
		const ha_rsc *r = g_ptr_array_index(cfg->rsc_all, i);
		assert_string_equal(r->id, order[i]);
		assert_int_equal(r->index, i);
		assert_ptr_equal(ha__rsc_find(cfg, order[i]), r);
	}
	assert_ptr_equal(rsc(cib, "fs")->parent, rsc(cib, "web"));
	assert_ptr_equal(rsc(cib, "db")->parent, rsc(cib, "db-clone"));
	assert_null(rsc(cib, "vip")->parent);
	assert_int_equal(rsc(cib, "web")->kind, HA_RSC_GROUP);
	assert_int_equal(rsc(cib, "web")->children->len, 2);

	const ha_rsc *vip = rsc(cib, "vip");
	assert_string_equal(vip->cls, "ocf");
	assert_string_equal(vip->provider, "heartbeat");
	assert_string_equal(vip->type, "IPaddr2");
	assert_string_equal(vip->description, "service address");
	assert_string_equal(ha__nvsets_get(vip->params, "ip"), "192.168.122.10");
	assert_string_equal(ha__nvsets_get(vip->meta, "migration-threshold"), "3");
	assert_int_equal(vip->ops->len, 3);
	assert_string_equal(op_at(vip, 0)->id, "vip-monitor-interval-10s");
	assert_string_equal(op_at(vip, 0)->name, "monitor");
	assert_int_equal(op_at(vip, 0)->interval_ms, 10000);
	assert_int_equal(op_at(vip, 0)->timeout_ms, 20000);
	assert_string_equal(op_at(vip, 0)->interval_str, "10s");
	assert_string_equal(op_at(vip, 0)->on_fail, "restart");
	assert_int_equal(op_at(vip, 1)->interval_ms, 0);
	const ha_op_def *fsmon = op_at(rsc(cib, "fs"), 0);
	assert_string_equal(ha__nvsets_get(fsmon->attrs, "OCF_CHECK_LEVEL"), "10");
	assert_int_equal(op_at(rsc(cib, "httpd"), 0)->interval_ms, 30000);
	assert_string_equal(op_at(rsc(cib, "httpd"), 0)->enabled, "true");

	assert_true(rsc(cib, "db-clone")->promotable);
	assert_false(rsc(cib, "db-clone")->legacy_master);
	assert_false(rsc(cib, "ping-clone")->promotable);
	assert_string_equal(op_at(rsc(cib, "db"), 0)->role, "Promoted");
	assert_string_equal(rsc(cib, "legacy")->cls, "lsb");
	assert_null(rsc(cib, "legacy")->provider);
	assert_string_equal(ha__rsc_meta(cfg, rsc(cib, "fs"), "target-role"), "Started");
	assert_string_equal(ha__rsc_meta(cfg, rsc(cib, "fs"), "resource-stickiness"), "1");

	assert_int_equal(cfg->locations->len, 4);
	const ha_location *l0 = g_ptr_array_index(cfg->locations, 0);
	assert_string_equal(l0->node, "node1");
	assert_int_equal(l0->score, 100);
	assert_ptr_equal(l0->r, vip);
	const ha_location *l1 = g_ptr_array_index(cfg->locations, 1);
	assert_int_equal(l1->score, -HA_INF);
	const ha_location *l2 = g_ptr_array_index(cfg->locations, 2);
	assert_null(l2->node);
	assert_int_equal(l2->rules->len, 1);
	const ha_rule *rule = g_ptr_array_index(l2->rules, 0);
	assert_true(rule->has_score);
	assert_int_equal(rule->score, 50);
	assert_string_equal(rule->boolean_op, "or");
	assert_int_equal(rule->exprs->len, 2);
	const ha_expr *x0 = g_ptr_array_index(rule->exprs, 0);
	assert_int_equal(x0->kind, HA_EXPR_ATTR);
	assert_string_equal(x0->attribute, "rack");
	assert_string_equal(x0->operation, "eq");
	assert_string_equal(x0->value, "a");
	const ha_expr *x1 = g_ptr_array_index(rule->exprs, 1);
	assert_int_equal(x1->kind, HA_EXPR_RULE);
	assert_int_equal(x1->rule->exprs->len, 2);
	assert_string_equal(((ha_expr *)g_ptr_array_index(x1->rule->exprs, 1))->operation,
			    "defined");
	const ha_location *l3 = g_ptr_array_index(cfg->locations, 3);
	assert_string_equal(l3->role, "Promoted");
	assert_string_equal(((ha_rule *)g_ptr_array_index(l3->rules, 0))->score_attribute,
			    "rack-score");

	assert_int_equal(cfg->colocations->len, 3);
	const ha_colocation *c0 = g_ptr_array_index(cfg->colocations, 0);
	assert_int_equal(c0->score, HA_INF);
	assert_ptr_equal(c0->r, rsc(cib, "web"));
	assert_ptr_equal(c0->with, vip);
	const ha_colocation *c1 = g_ptr_array_index(cfg->colocations, 1);
	assert_string_equal(c1->with_rsc_role, "Promoted");
	assert_string_equal(((ha_colocation *)g_ptr_array_index(cfg->colocations, 2))->node_attribute,
			    "rack");

	assert_int_equal(cfg->orders->len, 3);
	const ha_order *o0 = g_ptr_array_index(cfg->orders, 0);
	assert_int_equal(o0->kind, HA_ORDER_MANDATORY);
	assert_true(o0->symmetrical);
	assert_ptr_equal(o0->r_first, vip);
	const ha_order *o1 = g_ptr_array_index(cfg->orders, 1);
	assert_int_equal(o1->kind, HA_ORDER_OPTIONAL);
	assert_false(o1->symmetrical);
	assert_string_equal(o1->first_action, "promote");
	const ha_order *o2 = g_ptr_array_index(cfg->orders, 2);
	assert_int_equal(o2->kind, HA_ORDER_OPTIONAL); /* legacy score="0" */
	assert_string_equal(o2->require_all, "false");

	assert_string_equal(ha__nvsets_get(cfg->op_defaults, "timeout"), "30s");

	/* Status as crm_simulate wrote it. */
	assert_int_equal(cib->status->len, 3);
	const ha_node_state *ns = ha__node_state_find(cib, "node2");
	assert_non_null(ns);
	assert_string_equal(ns->in_ccm, "true");
	assert_string_equal(ns->crmd, "online");
	assert_string_equal(ns->join, "member");
	assert_string_equal(ns->crm_debug_origin, "crm_simulate");
	const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, 0);
	assert_string_equal(lr->id, "vip");
	assert_string_equal(lr->type, "IPaddr2");
	const ha_lrm_op *probe = &g_array_index(lr->ops, ha_lrm_op, 0);
	assert_string_equal(probe->id, "vip_last_0");
	assert_string_equal(probe->operation, "monitor");
	assert_int_equal(probe->rc, 7);
	assert_int_equal(probe->op_status, 0);
	assert_int_equal(probe->call_id, 1);
	assert_int_equal(probe->interval_ms, 0);
	assert_int_equal(probe->last_rc_change, 1795720883);
	assert_string_equal(probe->digest, "cf8b29585505893d8213d94fa4d36e83");
	assert_string_equal(probe->feature_set, "3.16.1");
	assert_string_equal(probe->exit_reason, "");
	assert_string_equal(probe->transition_magic, "0:7;1:-1:7:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
	/* Repeated strings are interned: one copy for every node. */
	const ha_lrm_rsc *lr1 = g_ptr_array_index(ha__node_state_find(cib, "node1")->lrm, 0);
	assert_ptr_equal(lr1->id, lr->id);
	assert_ptr_equal(g_array_index(lr1->ops, ha_lrm_op, 0).feature_set, probe->feature_set);
	assert_ptr_equal(lr->id, vip->id);
	ha_cib_free(cib);
	ha_diag_free(d);
}

static void test_pcmk_failed(void **state)
{
	(void)state;
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = load_data("pcmk-failed.xml", 0, d);
	const ha_node_state *ns = ha__node_state_find(cib, "node1");
	assert_string_equal(ha__nvsets_get(ns->attrs, "fail-count-vip#monitor_10000"), "1");
	assert_string_equal(((ha_nvset *)g_ptr_array_index(ns->attrs, 0))->id, "1");
	bool found = false;
	for (guint i = 0; i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		for (guint j = 0; j < lr->ops->len; j++) {
			const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, j);
			if (strcmp(op->id, "vip_last_failure_0"))
				continue;
			found = true;
			assert_int_equal(op->rc, 1);
			assert_int_equal(op->interval_ms, 10000);
			assert_string_equal(op->exit_reason, "Simulated action result");
			assert_null(op->digest);
		}
	}
	assert_true(found);
	ha_cib_free(cib);
	ha_diag_free(d);
}

/* <tags>, <alerts>, <acls> change no placement: errors by default, warnings when
 * lenient. The legacy <master> element and Master/Slave roles load as promotable. */
static void test_pcmk_legacy_lenient(void **state)
{
	(void)state;
	ha_diag *d;
	ha_diag_new(&d);
	char *path = data_path("pcmk-legacy.xml");
	ha_cib *cib = BAD_PTR;
	assert_int_equal(ha_cib_load_file(path, 0, &cib, d), HA_EUNSUPPORTED);
	assert_ptr_equal(cib, BAD_PTR);
	assert_int_equal(ha_diag_errors(d), 3);
	assert_true(diag_has(d, "pcmk-legacy.xml:35: <tags>: ", "not supported", NULL));
	assert_true(diag_has(d, "pcmk-legacy.xml:40: <alerts>: ", NULL));
	assert_true(diag_has(d, "pcmk-legacy.xml:45: <acls>: ", "lenient", NULL));
	g_free(path);
	ha_diag_clear(d);

	cib = load_data("pcmk-legacy.xml", HA_CIB_LENIENT, d);
	assert_int_equal(ha_diag_count(d), 3);
	assert_int_equal(ha_diag_errors(d), 0);
	assert_int_equal(ha_diag_severity_of(d, 0), HA_DIAG_WARNING);
	assert_true(diag_has(d, ":40: <alerts>: ", "ignored", NULL));
	const ha_rsc *ms = rsc(cib, "ms-db");
	assert_true(ms->legacy_master);
	assert_true(ms->promotable);
	assert_string_equal(op_at(rsc(cib, "db"), 0)->role, "Master");
	assert_false(cib->cfg.opts.symmetric_cluster);
	const ha_order *o = g_ptr_array_index(cib->cfg.orders, 0);
	assert_int_equal(o->kind, HA_ORDER_SERIALIZE);
	assert_false(o->symmetrical); /* Serialize is not symmetrical by default */
	const ha_node_state *alpha = ha__node_state_find(cib, "alpha");
	assert_string_equal(ha__nvsets_get(alpha->attrs, "master-db"), "10");
	ha_cib_free(cib);
	ha_diag_free(d);
}

/* ---- round trips -------------------------------------------------------------------- */

static void roundtrip(const ha_cib *cib)
{
	char *text = NULL;
	assert_int_equal(ha_cib_to_string(cib, &text), 0);
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *again = NULL;
	int rc = load_str(text, 0, &again, d);
	if (rc < 0) {
		dump(d);
		print_message("%s\n", text);
	}
	assert_int_equal(rc, 0);
	assert_true(ha_cib_equal(cib, again));
	assert_true(ha__cib_equal(again, cib));
	/* And serializing again gives the same text. */
	char *text2 = NULL;
	assert_int_equal(ha_cib_to_string(again, &text2), 0);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	ha_cib_free(again);
	ha_diag_free(d);
}

static void test_roundtrip_files(void **state)
{
	(void)state;
	static const char *const files[] = {"pcmk-basic.xml", "pcmk-failed.xml",
					    "pcmk-legacy.xml"};
	ha_diag *d;
	ha_diag_new(&d);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		ha_cib *cib = load_data(files[i], HA_CIB_LENIENT, d);
		roundtrip(cib);
		ha_cib_free(cib);
	}
	ha_diag_free(d);
}

/* Values XML must escape, UTF-8, and node_state attributes libha does not interpret. */
static void test_roundtrip_escaping(void **state)
{
	(void)state;
	const char *xml =
		"<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"2\" cib-last-written=\"Mon Jan  1 00:00:00 2024\">\n"
		"<configuration><crm_config/><nodes/>\n"
		"<resources>\n"
		"<primitive id=\"p&amp;q\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\" description=\"a &lt;b&gt; &quot;c&quot; &apos;d&apos;\">\n"
		"<instance_attributes id=\"ia\"><nvpair id=\"ia-1\" name=\"text\" value=\"line1&#10;line2&#9;tab&#13;\"/>\n"
		"<nvpair id=\"ia-2\" name=\"utf8\" value=\"grüße → ✓\"/><nvpair id=\"ia-3\" name=\"novalue\"/></instance_attributes>\n"
		"</primitive></resources><constraints/></configuration>\n"
		"<status><node_state id=\"1\" uname=\"n1\" shutdown=\"0\" node_fenced=\"1700000000\"/></status></cib>\n";
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = NULL;
	assert_int_equal(load_str(xml, 0, &cib, d), 0);
	const ha_rsc *r = rsc(cib, "p&q");
	assert_string_equal(r->description, "a <b> \"c\" 'd'");
	assert_string_equal(ha__nvsets_get(r->params, "text"), "line1\nline2\ttab\r");
	assert_string_equal(ha__nvsets_get(r->params, "utf8"), "grüße → ✓");
	assert_null(ha__nvsets_get(r->params, "novalue"));
	const ha_node_state *ns = g_ptr_array_index(cib->status, 0);
	assert_int_equal(ns->other_attrs->len, 2);
	assert_string_equal(g_array_index(ns->other_attrs, ha_nvpair, 1).name, "node_fenced");
	roundtrip(cib);
	ha_cib_free(cib);
	ha_diag_free(d);
}

static void test_equal(void **state)
{
	(void)state;
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *a = load_data("pcmk-failed.xml", 0, d);
	ha_cib *b = load_data("pcmk-failed.xml", 0, d);
	assert_true(ha_cib_equal(a, b));
	assert_true(ha_cib_equal(NULL, NULL));
	assert_false(ha_cib_equal(a, NULL));
	/* A single changed value anywhere makes them differ. */
	ha_node_state *ns = g_ptr_array_index(b->status, 2);
	ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, ns->lrm->len - 1);
	g_array_index(lr->ops, ha_lrm_op, 0).exec_time++;
	assert_false(ha_cib_equal(a, b));
	g_array_index(lr->ops, ha_lrm_op, 0).exec_time--;
	assert_true(ha_cib_equal(a, b));
	ha__nvsets_set(rsc(b, "vip")->meta, b->strings, "vip-meta", "priority", "5");
	assert_false(ha_cib_equal(a, b));
	ha__nvsets_unset(rsc(b, "vip")->meta, "priority");
	assert_true(ha_cib_equal(a, b));
	((ha_colocation *)g_ptr_array_index(b->cfg.colocations, 1))->with = rsc(b, "web");
	assert_false(ha_cib_equal(a, b));
	ha_cib_free(a);
	ha_cib_free(b);
	ha_diag_free(d);
}

/* ---- errors ---------------------------------------------------------------------------- */

#define HEAD "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">\n<configuration>\n" /* lines 1-2 */
#define TAIL "</configuration>\n</cib>\n"
/* RES(x): x starts on line 4 of the document. */
#define RES(x) HEAD "<crm_config/><nodes/><resources>\n" x "</resources>\n<constraints/>\n" TAIL

/* Status moves between CIBs (ha__cib_copy_status) with every attribute, frozen
 * nodes and extra node_state attributes included; the replaced one is freed. */
static void test_status_copy(void **state)
{
	(void)state;
	const char *xml = HEAD "<nodes/><resources/><constraints/></configuration>\n<status>\n"
		"<node_state id=\"1\" uname=\"n1\" ha-frozen=\"true\" shutdown=\"0\" in_ccm=\"1700000000\"/>\n"
		"<node_state id=\"2\" uname=\"n2\" node_fenced=\"0\"/>\n</status></cib>\n";
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *src = NULL, *dst = NULL;
	assert_int_equal(load_str(xml, 0, &src, d), 0);
	assert_true(((ha_node_state *)g_ptr_array_index(src->status, 0))->frozen);
	roundtrip(src);
	assert_int_equal(load_str(xml, 0, &dst, d), 0);
	ha_node_state *ns = g_ptr_array_index(dst->status, 1);
	ns->frozen = true;
	assert_false(ha_cib_equal(src, dst));
	ha__cib_copy_status(dst, src);
	assert_true(ha_cib_equal(src, dst));
	ha_cib_free(src);
	ha_cib_free(dst);
	ha_diag_free(d);
}

static void test_not_well_formed(void **state)
{
	(void)state;
	EXPECT_FAIL(HEAD "<crm_config>\n<nodes/>\n" TAIL, 0, HA_EPARSE, "t.xml:5: ",
		    "not well-formed");
	EXPECT_FAIL("", 0, HA_EPARSE, "t.xml");
	EXPECT_FAIL("<cib", 0, HA_EPARSE, "t.xml");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"ocf\" provider=\"x\" type=\"y\"/>\n") "<junk/>",
		    0, HA_EPARSE, "not well-formed");
	EXPECT_FAIL("<?xml version=\"1.0\"?>\n<cib><configuration/></cib>\n<!-- trailing --><cib/>",
		    0, HA_EPARSE, "t.xml");
}

static void test_schema_errors(void **state)
{
	(void)state;
	/* Unknown attribute: only the schema knows it. */
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"ocf\" provider=\"x\" type=\"y\" bogus=\"1\"/>\n"),
		    0, HA_ESCHEMA, "t.xml:4: <primitive id=\"a\">: ", "CIB schema", "bogus");
	EXPECT_FAIL(RES("<frobnicate id=\"x\"/>\n"), 0, HA_ESCHEMA,
		    "t.xml:4: <frobnicate>: not allowed inside <resources>");
	EXPECT_FAIL(RES("<primitive id=\"a\" type=\"y\"/>\n"), 0, HA_ESCHEMA,
		    "t.xml:4: <primitive id=\"a\">: required attribute class is missing");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"ocf\" type=\"y\"/>\n"), 0, HA_ESCHEMA,
		    "t.xml:4: <primitive id=\"a\">: ", "needs provider");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" provider=\"p\" type=\"y\"/>\n"), 0,
		    HA_ESCHEMA, "provider=\"p\" is only used with class=\"ocf\"");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"magic\" type=\"y\"/>\n"), 0, HA_ESCHEMA,
		    "class=\"magic\" is not an agent class");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\"><operations>\n"
			"<op id=\"a-mon\" name=\"monitor\" interval=\"10 parsecs\"/>\n"
			"</operations></primitive>\n"), 0, HA_ESCHEMA,
		    "t.xml:5: <op id=\"a-mon\">: interval=\"10 parsecs\" is not a duration");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\"><operations>\n"
			"<op id=\"a-mon\" name=\"monitor\" interval=\"10s\" timeout=\"soon\"/>\n"
			"</operations></primitive>\n"), 0, HA_ESCHEMA,
		    "t.xml:5: <op id=\"a-mon\">: timeout=\"soon\" is not a duration");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\"><operations>\n"
			"<op id=\"a-mon\" name=\"monitor\" interval=\"10s\" role=\"Boss\"/>\n"
			"</operations></primitive>\n"), 0, HA_ESCHEMA, "role=\"Boss\" is not a role");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\"><operations>\n"
			"<op id=\"a-mon\" name=\"monitor\"/>\n</operations></primitive>\n"), 0,
		    HA_ESCHEMA, "t.xml:5: <op id=\"a-mon\">: required attribute interval is missing");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\"><operations>\n"
			"<op id=\"a-mon\" name=\"monitor\" interval=\"0\" on-fail=\"panic\"/>\n"
			"</operations></primitive>\n"), 0, HA_ESCHEMA, "on-fail=\"panic\"");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\">\n"
			"<meta_attributes id=\"a-m\"><nvpair id=\"a-m-t\" name=\"target-role\" value=\"Runing\"/>\n"
			"</meta_attributes></primitive>\n"), 0, HA_ESCHEMA,
		    "t.xml:5: <nvpair id=\"a-m-t\">: target-role=\"Runing\" is not a role");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"y\">\n"
			"<meta_attributes id=\"a-m\"><nvpair id=\"a-m-s\" name=\"resource-stickiness\" value=\"sticky\"/>\n"
			"</meta_attributes></primitive>\n"), 0, HA_ESCHEMA, "is not a score");
	/* Nesting Pacemaker does not allow. */
	EXPECT_FAIL(RES("<clone id=\"c\">\n<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\n"
			"<primitive id=\"b\" class=\"lsb\" type=\"y\"/>\n</clone>\n"), 0, HA_ESCHEMA,
		    "t.xml:6: <primitive>: <clone id=\"c\"> already contains <primitive id=\"a\">",
		    "exactly one");
	EXPECT_FAIL(RES("<group id=\"g\">\n<group id=\"h\"><primitive id=\"a\" class=\"lsb\" type=\"x\"/></group>\n"
			"</group>\n"), 0, HA_ESCHEMA, "t.xml:5: <group>: a group contains only primitives");
	EXPECT_FAIL(RES("<clone id=\"c\"><clone id=\"d\"><primitive id=\"a\" class=\"lsb\" type=\"x\"/></clone>\n"
			"</clone>\n"), 0, HA_ESCHEMA, "a clone cannot contain another clone");
	EXPECT_FAIL(RES("<group id=\"g\"/>\n"), 0, HA_ESCHEMA, "t.xml:4: <group id=\"g\">: a group needs");
	/* Constraints. */
	EXPECT_FAIL(HEAD "<resources><primitive id=\"a\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_location id=\"l\" rsc=\"a\" node=\"n1\" score=\"lots\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_ESCHEMA,
		    "t.xml:5: <rsc_location id=\"l\">: score=\"lots\" is not a score");
	EXPECT_FAIL(HEAD "<resources><primitive id=\"a\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_location id=\"l\" rsc=\"a\" node=\"n1\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_ESCHEMA, "required attribute score is missing");
	EXPECT_FAIL(HEAD "<resources><primitive id=\"a\" class=\"lsb\" type=\"x\"/>"
		    "<primitive id=\"b\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_order id=\"o\" first=\"a\" then=\"b\" kind=\"Sometimes\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_ESCHEMA,
		    "t.xml:5: <rsc_order id=\"o\">: kind=\"Sometimes\" is not Mandatory");
	EXPECT_FAIL(HEAD "<resources><primitive id=\"a\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_location id=\"l\" rsc=\"a\">\n<rule id=\"r\" score=\"1\">\n"
		    "<expression id=\"e\" attribute=\"x\" operation=\"like\" value=\"1\"/>\n"
		    "</rule></rsc_location></constraints>\n" TAIL, 0, HA_ESCHEMA,
		    "t.xml:7: <expression id=\"e\">: operation=\"like\" is not a comparison");
	/* Cluster options libha reads are validated, naming option and value. */
	EXPECT_FAIL(HEAD "<crm_config><cluster_property_set id=\"o\">\n"
		    "<nvpair id=\"o-se\" name=\"stonith-enabled\" value=\"maybe\"/>\n"
		    "</cluster_property_set></crm_config>\n" TAIL, 0, HA_ESCHEMA,
		    "t.xml:4: <nvpair id=\"o-se\">: cluster option stonith-enabled=\"maybe\" is not a boolean");
	EXPECT_FAIL(HEAD "<crm_config><cluster_property_set id=\"o\">\n"
		    "<nvpair id=\"o-t\" name=\"stonith-timeout\" value=\"forever\"/>\n"
		    "</cluster_property_set></crm_config>\n" TAIL, 0, HA_ESCHEMA,
		    "cluster option stonith-timeout=\"forever\" is not a duration");
	EXPECT_FAIL(HEAD "<crm_config><cluster_property_set id=\"o\">\n"
		    "<nvpair id=\"o-q\" name=\"no-quorum-policy\" value=\"panic\"/>\n"
		    "</cluster_property_set></crm_config>\n" TAIL, 0, HA_ESCHEMA,
		    "no-quorum-policy=\"panic\" is not a valid value");
	/* No configuration at all; a document that is not a CIB. */
	EXPECT_FAIL("<cib admin_epoch=\"0\" epoch=\"0\" num_updates=\"0\"/>", 0, HA_ESCHEMA,
		    "has no <configuration>");
	EXPECT_FAIL("<html/>", 0, HA_ESCHEMA, "t.xml:1: <html>: the document element must be <cib>");
	EXPECT_FAIL("<cib epoch=\"-3\"><configuration/></cib>", 0, HA_ESCHEMA,
		    "epoch=\"-3\" is not a non-negative integer");
}

/* One misplaced element gives one message, not one per following element (libxml2's
 * streaming validator rejects everything after it); text and children of leaf
 * elements are reported by the parser with the element they are in. */
static void test_no_cascades(void **state)
{
	(void)state;
	const char *xml = RES("<frob id=\"x\"/>\n"
			      "<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\n"
			      "<primitive id=\"b\" class=\"lsb\" type=\"x\"/>\n")
		"<!-- a constraint section follows in real files -->\n";
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = BAD_PTR;
	assert_int_equal(load_str(xml, 0, &cib, d), HA_ESCHEMA);
	assert_ptr_equal(cib, BAD_PTR);
	if (ha_diag_count(d) != 1)
		dump(d);
	assert_int_equal(ha_diag_count(d), 1);
	assert_true(diag_has(d, "t.xml:4: <frob>: not allowed inside <resources>", NULL));
	ha_diag_free(d);
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\nstray text\n"), 0, HA_ESCHEMA,
		    "t.xml:5: <resources>: text is not allowed inside <resources>");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\"><operations>\n"
			"<op id=\"o\" name=\"monitor\" interval=\"1s\">oops</op></operations></primitive>\n"),
		    0, HA_ESCHEMA, "t.xml:5: <op id=\"o\">: text is not allowed inside <op>");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\"><instance_attributes id=\"i\">\n"
			"<nvpair id=\"n\" name=\"a\" value=\"b\"><extra/></nvpair>\n"
			"</instance_attributes></primitive>\n"), HA_CIB_NO_SCHEMA, HA_ESCHEMA,
		    "t.xml:5: <extra>: <nvpair> has no child elements");
}

static void test_status_errors(void **state)
{
	(void)state;
	const char *conf = HEAD "<nodes/><resources/><constraints/></configuration>\n<status>\n";
	char *xml = g_strconcat(conf,
		"<node_state id=\"1\" uname=\"n1\"><lrm><lrm_resources><lrm_resource id=\"a\">\n"
		"<lrm_rsc_op id=\"a_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"zero\" op-status=\"0\" interval=\"0\"/>\n"
		"</lrm_resource></lrm_resources></lrm></node_state>\n</status></cib>\n", NULL);
	EXPECT_FAIL(xml, 0, HA_ESCHEMA, "t.xml:6: <lrm_rsc_op id=\"a_last_0\">: rc-code=\"zero\"");
	g_free(xml);
	xml = g_strconcat(conf, "<node_state id=\"1\" uname=\"n1\"/>\n<node_state id=\"1\" uname=\"n1\"/>\n"
			  "</status></cib>\n", NULL);
	EXPECT_FAIL(xml, 0, HA_EDUPLICATE, "t.xml:6: <node_state id=\"1\">: ", "line 5");
	g_free(xml);
	xml = g_strconcat(conf, "<node_state id=\"1\" uname=\"n1\"><lrm><lrm_resources><lrm_resource id=\"a\">\n"
			  "<lrm_rsc_op id=\"a_last_0\" operation=\"start\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>\n"
			  "</lrm_resource></lrm_resources></lrm></node_state>\n</status></cib>\n", NULL);
	EXPECT_FAIL(xml, 0, HA_ESCHEMA, "required attribute call-id is missing");
	g_free(xml);
}

static void test_unsupported(void **state)
{
	(void)state;
	const char *two = "<primitive id=\"a\" class=\"lsb\" type=\"x\"/><primitive id=\"b\" class=\"lsb\" type=\"x\"/>";
	char *xml = g_strdup_printf(HEAD "<resources>%s</resources>\n<constraints>\n"
		"<rsc_colocation id=\"c\" score=\"INFINITY\">\n<resource_set id=\"s\"><resource_ref id=\"a\"/>"
		"<resource_ref id=\"b\"/></resource_set>\n</rsc_colocation>\n</constraints>\n" TAIL, two);
	/* Affects placement: an error even in lenient mode. */
	EXPECT_FAIL(xml, 0, HA_EUNSUPPORTED, "t.xml:6: <resource_set>: resource sets");
	EXPECT_FAIL(xml, HA_CIB_LENIENT, HA_EUNSUPPORTED, "t.xml:6: <resource_set>: resource sets");
	g_free(xml);
	xml = g_strdup_printf(HEAD "<resources>%s</resources>\n<constraints>\n"
		"<rsc_location id=\"l\" rsc-pattern=\"^a\" node=\"n\" score=\"1\"/>\n</constraints>\n" TAIL, two);
	EXPECT_FAIL(xml, HA_CIB_LENIENT, HA_EUNSUPPORTED, "t.xml:5: <rsc_location id=\"l\">: rsc-pattern");
	g_free(xml);
	EXPECT_FAIL(RES("<bundle id=\"b\"><docker image=\"x\"/></bundle>\n"), HA_CIB_LENIENT,
		    HA_EUNSUPPORTED, "t.xml:4: <bundle id=\"b\">: bundles");
	EXPECT_FAIL(RES("<template id=\"t\" class=\"lsb\" type=\"x\"/>\n"), HA_CIB_LENIENT,
		    HA_EUNSUPPORTED, "<template id=\"t\">: resource templates");
	EXPECT_FAIL(RES("<primitive id=\"a\" template=\"t\"/>\n"), HA_CIB_LENIENT, HA_EUNSUPPORTED,
		    "<primitive id=\"a\">: resource templates");
	xml = g_strdup_printf(HEAD "<resources>%s</resources>\n<constraints>\n"
		"<rsc_ticket id=\"t\" rsc=\"a\" ticket=\"T\"/>\n</constraints>\n" TAIL, two);
	EXPECT_FAIL(xml, HA_CIB_LENIENT, HA_EUNSUPPORTED, "t.xml:5: <rsc_ticket>: ticket constraints");
	g_free(xml);
	xml = g_strdup_printf(HEAD "<resources>%s</resources>\n<constraints>\n"
		"<rsc_location id=\"l\" rsc=\"a\"><rule id=\"r\" score=\"-INFINITY\">\n"
		"<date_expression id=\"d\" operation=\"lt\" end=\"2030-01-01\"/>\n"
		"</rule></rsc_location>\n</constraints>\n" TAIL, two);
	EXPECT_FAIL(xml, HA_CIB_LENIENT, HA_EUNSUPPORTED, "t.xml:6: <date_expression>: "
		    "date expressions are not supported; use a plain rule or hactl ban --lifetime");
	g_free(xml);
	EXPECT_FAIL(RES("<clone id=\"c\"><meta_attributes id=\"c-m\">\n"
			"<nvpair id=\"c-m-g\" name=\"globally-unique\" value=\"true\"/></meta_attributes>\n"
			"<primitive id=\"a\" class=\"lsb\" type=\"x\"/></clone>\n"), HA_CIB_LENIENT,
		    HA_EUNSUPPORTED, "t.xml:5: <nvpair id=\"c-m-g\">: globally unique clones");
	EXPECT_FAIL(HEAD "<crm_config><cluster_property_set id=\"o\">\n"
		    "<nvpair id=\"o-p\" name=\"placement-strategy\" value=\"balanced\"/>\n"
		    "</cluster_property_set></crm_config>\n" TAIL, HA_CIB_LENIENT, HA_EUNSUPPORTED,
		    "t.xml:4: <nvpair id=\"o-p\">: cluster option placement-strategy=\"balanced\"");
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\">\n"
			"<instance_attributes id=\"a-i\"><rule id=\"a-r\" score=\"1\"><expression id=\"a-e\" attribute=\"x\" operation=\"defined\"/></rule>\n"
			"</instance_attributes></primitive>\n"), HA_CIB_LENIENT, HA_EUNSUPPORTED,
		    "t.xml:5: <rule>: rules inside name/value sets");

	/* Do not affect placement: errors by default, warnings when lenient. */
	const char *acls = HEAD "<crm_config/><nodes/><resources/><constraints/>\n"
			   "<acls>\n<acl_role id=\"ro\"><acl_permission id=\"ro-r\" kind=\"read\" xpath=\"/cib\"/></acl_role>\n"
			   "</acls>\n<fencing-topology/>\n" TAIL;
	EXPECT_FAIL(acls, 0, HA_EUNSUPPORTED, "t.xml:4: <acls>: access control lists");
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = NULL;
	assert_int_equal(load_str(acls, HA_CIB_LENIENT, &cib, d), 0);
	assert_int_equal(ha_diag_count(d), 2);
	assert_int_equal(ha_diag_errors(d), 0);
	assert_true(diag_has(d, "t.xml:4: <acls>: ", "ignored", NULL));
	assert_true(diag_has(d, "t.xml:7: <fencing-topology>: ", NULL));
	ha_cib_free(cib);
	ha_diag_free(d);
}

static void test_reference_error(void **state)
{
	(void)state;
	/* The message format documented in the task and docs/configuration.md. */
	EXPECT_FAIL(HEAD "<resources><primitive id=\"db\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_colocation id=\"c1\" rsc=\"db\" with-rsc=\"dbx\" score=\"INFINITY\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_EREF,
		    "t.xml:5: <rsc_colocation id=\"c1\">: with-rsc \"dbx\" is not a resource defined "
		    "in <resources>; define it or fix the id");
	EXPECT_FAIL(HEAD "<resources><primitive id=\"db\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_order id=\"o\" first=\"nope\" then=\"db\"/>\n"
		    "<rsc_location id=\"l\" rsc=\"gone\" node=\"n\" score=\"1\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_EREF, "t.xml:6: <rsc_location id=\"l\">: rsc \"gone\"");
	EXPECT_FAIL(HEAD "<resources><primitive id=\"db\" class=\"lsb\" type=\"x\"/></resources>\n"
		    "<constraints>\n<rsc_colocation id=\"c\" rsc=\"db\" with-rsc=\"db\" score=\"1\"/>\n"
		    "</constraints>\n" TAIL, 0, HA_EREF, "colocates \"db\" with itself");
}

static void test_duplicates(void **state)
{
	(void)state;
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\n"
			"<primitive id=\"b\" class=\"lsb\" type=\"x\"/>\n"
			"<primitive id=\"a\" class=\"lsb\" type=\"y\"/>\n"), 0, HA_EDUPLICATE,
		    "t.xml:6: <primitive id=\"a\">: id \"a\" is already used by <primitive> at line 4");
	/* Ids are unique across element kinds within <configuration>. */
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\" type=\"x\">\n"
			"<instance_attributes id=\"a\"/></primitive>\n"), 0, HA_EDUPLICATE,
		    "t.xml:5: <instance_attributes id=\"a\">: id \"a\" is already used by <primitive> at line 4");
	EXPECT_FAIL(HEAD "<nodes>\n<node id=\"1\" uname=\"n1\"/>\n<node id=\"2\" uname=\"n1\"/>\n</nodes>\n" TAIL,
		    0, HA_EDUPLICATE, "t.xml:5: <node id=\"2\">: uname \"n1\" is already used by the <node> at line 4");
}

/* Every semantic error is reported, in document order; the code is the first one's. */
static void test_collects_all_errors(void **state)
{
	(void)state;
	const char *xml = HEAD "<resources>\n"
		"<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\n"            /* 4 */
		"<primitive id=\"a\" class=\"lsb\" type=\"x\"/>\n"            /* 5: duplicate */
		"</resources>\n<constraints>\n"
		"<rsc_location id=\"l\" rsc=\"a\" node=\"n\" score=\"x\"/>\n" /* 8: score */
		"<rsc_order id=\"o\" first=\"a\" then=\"zz\"/>\n"            /* 9: reference */
		"</constraints>\n" TAIL;
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = BAD_PTR;
	assert_int_equal(load_str(xml, 0, &cib, d), HA_EDUPLICATE);
	assert_ptr_equal(cib, BAD_PTR);
	assert_int_equal(ha_diag_errors(d), 3);
	assert_non_null(strstr(ha_diag_message(d, 0), "t.xml:5: "));
	assert_non_null(strstr(ha_diag_message(d, 1), "t.xml:8: "));
	assert_non_null(strstr(ha_diag_message(d, 2), "t.xml:9: "));
	ha_diag_free(d);
}

/* Without the schema, attribute names are not checked, but everything else is. */
static void test_no_schema_flag(void **state)
{
	(void)state;
	const char *xml = RES("<primitive id=\"a\" class=\"lsb\" type=\"x\" bogus=\"1\"/>\n");
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = NULL;
	assert_int_equal(load_str(xml, HA_CIB_NO_SCHEMA, &cib, d), 0);
	ha_cib_free(cib);
	ha_diag_free(d);
	EXPECT_FAIL(RES("<primitive id=\"a\" class=\"lsb\"/>\n"), HA_CIB_NO_SCHEMA, HA_ESCHEMA,
		    "required attribute type is missing");
	EXPECT_FAIL(RES("<frob/>\n"), HA_CIB_NO_SCHEMA, HA_ESCHEMA, "not allowed inside <resources>");
}

/* Options libha does not interpret are accepted silently; defaults apply. */
static void test_options_defaults(void **state)
{
	(void)state;
	const char *xml = HEAD "<crm_config><cluster_property_set id=\"o\">\n"
		"<nvpair id=\"o1\" name=\"dc-version\" value=\"2.1.5\"/>\n"
		"<nvpair id=\"o2\" name=\"have-watchdog\" value=\"false\"/>\n"
		"<nvpair id=\"o3\" name=\"last-lrm-refresh\" value=\"1700000000\"/>\n"
		"<nvpair id=\"o4\" name=\"some-future-option\" value=\"whatever\"/>\n"
		"</cluster_property_set></crm_config><nodes/><resources/><constraints/>\n" TAIL;
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = NULL;
	assert_int_equal(load_str(xml, 0, &cib, d), 0);
	assert_int_equal(ha_diag_count(d), 0);
	const ha_options *o = &cib->cfg.opts;
	assert_true(o->symmetric_cluster);
	assert_true(o->stonith_enabled);
	assert_int_equal(o->stonith_timeout_ms, 60000);
	assert_int_equal(o->no_quorum_policy, HA_NQP_STOP);
	assert_int_equal(o->recheck_interval_ms, 900000);
	assert_string_equal(o->placement_strategy, "default");
	ha_cib_free(cib);
	ha_diag_free(d);
}

/* ---- input guards ----------------------------------------------------------------------- */

static void test_size_cap(void **state)
{
	(void)state;
	ha_diag *d;
	ha_diag_new(&d);
	/* A sparse file one byte over the cap: rejected from its size, before reading. */
	char path[] = "/tmp/ha-test-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)HA_CIB_MAX_SIZE + 1), 0);
	close(fd);
	ha_cib *cib = BAD_PTR;
	assert_int_equal(ha_cib_load_file(path, 0, &cib, d), HA_ETOOBIG);
	assert_ptr_equal(cib, BAD_PTR);
	assert_true(diag_has(d, path, "limit", NULL));
	unlink(path);
	/* From memory: an inaccessible mapping proves the buffer is never read. */
	size_t len = (size_t)HA_CIB_MAX_SIZE + 1;
	void *buf = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(buf != MAP_FAILED);
	ha_diag_clear(d);
	assert_int_equal(ha_cib_load_memory(buf, len, "huge.xml", 0, &cib, d), HA_ETOOBIG);
	assert_ptr_equal(cib, BAD_PTR);
	assert_true(diag_has(d, "huge.xml", NULL));
	munmap(buf, len);
	ha_diag_free(d);
}

static void test_entities_rejected(void **state)
{
	(void)state;
	/* Billion laughs: refused before any expansion (the test would not finish, or
	 * exhaust memory, otherwise). */
	GString *lol = g_string_new("<?xml version=\"1.0\"?>\n<!DOCTYPE cib [\n<!ENTITY lol0 \"lol\">\n");
	for (int i = 1; i < 10; i++) {
		g_string_append_printf(lol, "<!ENTITY lol%d \"", i);
		for (int j = 0; j < 10; j++)
			g_string_append_printf(lol, "&lol%d;", i - 1);
		g_string_append(lol, "\">\n");
	}
	g_string_append(lol, "]>\n<cib epoch=\"&lol9;\"><configuration/></cib>\n");
	EXPECT_FAIL(lol->str, 0, HA_EPARSE, "t.xml", "declares entities");
	EXPECT_FAIL(lol->str, HA_CIB_NO_SCHEMA | HA_CIB_LENIENT, HA_EPARSE, "declares entities");
	g_string_free(lol, TRUE);
	/* External entities: no file read, no network. */
	EXPECT_FAIL("<!DOCTYPE cib [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		    "<cib><configuration><crm_config><cluster_property_set id=\"o\">"
		    "<nvpair id=\"x\" name=\"x\" value=\"&xxe;\"/></cluster_property_set></crm_config>"
		    "</configuration></cib>", 0, HA_EPARSE, "declares entities");
	EXPECT_FAIL("<!-- a comment first -->\n<!DOCTYPE cib [ <!ENTITY % p SYSTEM \"http://192.0.2.1/x.dtd\"> %p; ]>\n"
		    "<cib/>", 0, HA_EPARSE, "declares entities");
	/* An undeclared entity is simply not well-formed. */
	EXPECT_FAIL(RES("<primitive id=\"&nope;\" class=\"lsb\" type=\"x\"/>\n"), 0, HA_EPARSE,
		    "t.xml:4: ");
	/* Other encodings are refused rather than decoded. */
	static const char utf16[] = "\xff\xfe<\0c\0i\0b\0/\0>\0";
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = BAD_PTR;
	assert_int_equal(ha_cib_load_memory(utf16, sizeof(utf16) - 1, "u16.xml", 0, &cib, d),
			 HA_EPARSE);
	assert_true(diag_has(d, "not UTF-8", NULL));
	/* A DOCTYPE without entities (external DTD reference, not loaded) is harmless. */
	ha_diag_clear(d);
	assert_int_equal(load_str("<!DOCTYPE cib SYSTEM \"http://192.0.2.1/cib.dtd\">\n"
				  "<cib><configuration/></cib>", 0, &cib, d), 0);
	assert_int_equal(ha_diag_errors(d), 0);
	ha_cib_free(cib);
	ha_diag_free(d);
}

/* Nesting is bounded: rules by the parser (32), anything else by libxml2 (256). */
static void test_deep_nesting(void **state)
{
	(void)state;
	GString *x = g_string_new(HEAD "<resources><primitive id=\"a\" class=\"lsb\" type=\"x\"/></resources>\n"
				  "<constraints><rsc_location id=\"l\" rsc=\"a\">\n");
	for (int i = 0; i < 200; i++)
		g_string_append_printf(x, "<rule id=\"r%d\" score=\"1\">", i);
	g_string_append(x, "<expression id=\"e\" attribute=\"a\" operation=\"defined\"/>");
	for (int i = 0; i < 200; i++)
		g_string_append(x, "</rule>");
	g_string_append(x, "</rsc_location></constraints>\n" TAIL);
	EXPECT_FAIL(x->str, 0, HA_ESCHEMA, "<rule>: rules nest more than 32 levels deep");
	g_string_assign(x, HEAD "<acls>");
	for (int i = 0; i < 5000; i++)
		g_string_append(x, "<a>");
	for (int i = 0; i < 5000; i++)
		g_string_append(x, "</a>");
	g_string_append(x, "</acls>" TAIL);
	EXPECT_FAIL(x->str, HA_CIB_LENIENT, HA_EPARSE, "not well-formed", "depth");
	g_string_free(x, TRUE);
}

/* libxml2 never prints: every message goes to the ha_diag. */
static void test_no_stderr(void **state)
{
	(void)state;
	char path[] = "/tmp/ha-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	static const char *const bad[] = {
		"<cib><configuration><resources><primitive id=\"a\" bogus=\"1\"/></resources></configuration></cib>",
		"<cib><configuration><unknown/></configuration></cib>",
		"<cib><configuration></cib>",
		"<cib>\xff\xfe</cib>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><cib><configuration/></cib>\xe9",
		"<!DOCTYPE cib SYSTEM \"x.dtd\"><cib xmlns:x=\"rel\" x:y=\"1\"><configuration/></cib>",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		ha_cib *cib = NULL;
		load_str(bad[i], 0, &cib, NULL);
		ha_cib_free(cib);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
}

/* ---- saving -------------------------------------------------------------------------------- */

static int count_entries(const char *dir)
{
	DIR *dh = opendir(dir);
	assert_non_null(dh);
	int n = 0;
	for (struct dirent *de; (de = readdir(dh));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(dh);
	return n;
}

static void test_save_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/ha-test-save-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = g_strdup_printf("%s/cib.xml", dir);
	ha_diag *d;
	ha_diag_new(&d);
	ha_cib *cib = load_data("pcmk-basic.xml", 0, d);

	assert_int_equal(ha_cib_save_file(cib, path, d), 0);
	assert_int_equal(count_entries(dir), 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ha_cib *again = NULL;
	assert_int_equal(ha_cib_load_file(path, 0, &again, d), 0);
	assert_true(ha_cib_equal(cib, again));
	ha_cib_free(again);
	gchar *before = NULL;
	gsize before_len = 0;
	assert_true(g_file_get_contents(path, &before, &before_len, NULL));

	/* A value XML cannot carry: nothing written, the old file intact, no temporary. */
	ha__nvsets_set(rsc(cib, "vip")->params, cib->strings, "x", "ip", "10.0.0.1\x01");
	assert_int_equal(ha_cib_save_file(cib, path, d), -EINVAL);
	assert_true(diag_has(d, path, "not written", NULL));
	assert_int_equal(count_entries(dir), 1);
	gchar *after = NULL;
	gsize after_len = 0;
	assert_true(g_file_get_contents(path, &after, &after_len, NULL));
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	char *text = (char *)BAD_PTR;
	assert_int_equal(ha_cib_to_string(cib, &text), -EINVAL);
	assert_ptr_equal(text, BAD_PTR);

	/* A directory that does not exist: an error, and nothing anywhere. */
	char *nodir = g_strdup_printf("%s/missing/cib.xml", dir);
	ha_diag_clear(d);
	assert_int_equal(ha_cib_save_file(cib, nodir, d), -ENOENT);
	assert_true(diag_has(d, nodir, NULL));
	assert_int_equal(count_entries(dir), 1);

	assert_int_equal(ha_cib_save_file(NULL, path, d), -EINVAL);
	unlink(path);
	rmdir(dir);
	g_free(nodir);
	g_free(before);
	g_free(after);
	g_free(path);
	ha_cib_free(cib);
	ha_diag_free(d);
}

static void test_misc_api(void **state)
{
	(void)state;
	assert_string_equal(ha_cib_schema_path(), HA_DATADIR_TEST "/ha-cib.rng");
	int64_t a = 7, e = 7, n = 7;
	ha_cib_version(NULL, &a, &e, &n);
	assert_int_equal(a + e + n, 0);
	ha_cib_version(NULL, NULL, NULL, NULL);
	ha_cib *cib = BAD_PTR;
	assert_int_equal(ha_cib_load_memory("<cib/>", 6, "x", 1u << 7, &cib, NULL), -EINVAL);
	assert_int_equal(ha_cib_load_memory(NULL, 3, "x", 0, &cib, NULL), -EINVAL);
	assert_int_equal(ha_cib_load_file(NULL, 0, &cib, NULL), -EINVAL);
	assert_int_equal(ha_cib_load_file("/nonexistent/cib.xml", 0, &cib, NULL), -ENOENT);
	assert_int_equal(ha_cib_load_file("/tmp", 0, &cib, NULL), -EINVAL);
	assert_ptr_equal(cib, BAD_PTR);
	assert_null(ha_cib_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcmk_basic),
		cmocka_unit_test(test_pcmk_failed),
		cmocka_unit_test(test_pcmk_legacy_lenient),
		cmocka_unit_test(test_roundtrip_files),
		cmocka_unit_test(test_roundtrip_escaping),
		cmocka_unit_test(test_status_copy),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_not_well_formed),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_no_cascades),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_reference_error),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_collects_all_errors),
		cmocka_unit_test(test_no_schema_flag),
		cmocka_unit_test(test_options_defaults),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_entities_rejected),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_no_stderr),
		cmocka_unit_test(test_save_file),
		cmocka_unit_test(test_misc_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
