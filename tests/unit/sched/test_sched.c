/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler unit tests: one small crafted CIB per scoring rule of
 * ../shared/pacemaker-semantics.md, plus action generation and ordering.
 * Each builds a CIB in memory, schedules it at a fixed time and checks placement
 * and actions through the plan's internals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ha/ha.h>
#include "sched/plan_private.h"

#define NOW 1700000000

/* Build a CIB: options (nvpairs), nodes ("n1 n2 ..."), resources, constraints,
 * status entries (extra XML per node_state, or NULL = plain online node). */
typedef struct cib_spec {
	const char *options;     /* extra <nvpair> elements */
	const char *nodes;       /* space separated */
	const char *standby;     /* space separated */
	const char *offline;     /* space separated: cleanly down */
	const char *lost;        /* space separated: left the membership while expected up */
	const char *resources;
	const char *constraints;
	const char *rsc_defaults;
	const char *lrm[8];      /* per node (same order as nodes): <lrm_resource> XML */
	const char *attrs[8];    /* per node: transient <nvpair> XML */
	const char *have_quorum; /* default "1" */
} cib_spec;

static bool in_list(const char *list, const char *name)
{
	if (!list)
		return false;
	char *copy = strdup(list), *save = NULL;
	bool found = false;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (!strcmp(t, name))
			found = true;
	free(copy);
	return found;
}

static char *build_xml(const cib_spec *c)
{
	GString *x = g_string_new(NULL);
	g_string_append_printf(x,
		"<cib validate-with=\"pacemaker-3.9\" crm_feature_set=\"3.16.1\" admin_epoch=\"0\" "
		"epoch=\"1\" num_updates=\"0\" have-quorum=\"%s\">\n<configuration>\n<crm_config>"
		"<cluster_property_set id=\"opts\">%s%s"
		"</cluster_property_set></crm_config>\n<nodes>\n",
		c->have_quorum ? c->have_quorum : "1",
		c->options && strstr(c->options, "stonith-enabled")
			? "" : "<nvpair id=\"o-st\" name=\"stonith-enabled\" value=\"false\"/>",
		c->options ? c->options : "");
	char *names = strdup(c->nodes), *save = NULL;
	int i = 0;
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
		g_ptr_array_add(list, g_strdup(t));
		g_string_append_printf(x, "<node id=\"%d\" uname=\"%s\">", i + 1, t);
		if (in_list(c->standby, t))
			g_string_append_printf(x, "<instance_attributes id=\"%s-ia\"><nvpair id=\"%s-sb\" "
						  "name=\"standby\" value=\"on\"/></instance_attributes>", t, t);
		g_string_append(x, "</node>\n");
	}
	free(names);
	g_string_append_printf(x, "</nodes>\n<resources>%s</resources>\n<constraints>%s</constraints>\n",
			       c->resources ? c->resources : "", c->constraints ? c->constraints : "");
	if (c->rsc_defaults)
		g_string_append_printf(x, "<rsc_defaults><meta_attributes id=\"rd\">%s</meta_attributes>"
					  "</rsc_defaults>\n", c->rsc_defaults);
	g_string_append(x, "</configuration>\n<status>\n");
	for (guint n = 0; n < list->len; n++) {
		const char *name = g_ptr_array_index(list, n);
		bool off = in_list(c->offline, name), lost = in_list(c->lost, name);
		g_string_append_printf(x, "<node_state id=\"%u\" uname=\"%s\" in_ccm=\"%s\" crmd=\"%s\" "
					  "join=\"%s\" expected=\"%s\">", n + 1, name,
				       off || lost ? "false" : "true", off || lost ? "offline" : "online",
				       off || lost ? "down" : "member", off ? "down" : "member");
		if (c->attrs[n])
			g_string_append_printf(x, "<transient_attributes id=\"%u\"><instance_attributes "
						  "id=\"st-%u\">%s</instance_attributes></transient_attributes>",
					       n + 1, n + 1, c->attrs[n]);
		if (c->lrm[n])
			g_string_append_printf(x, "<lrm id=\"%u\"><lrm_resources>%s</lrm_resources></lrm>",
					       n + 1, c->lrm[n]);
		g_string_append(x, "</node_state>\n");
	}
	g_string_append(x, "</status>\n</cib>\n");
	g_ptr_array_free(list, TRUE);
	return g_string_free(x, FALSE);
}

typedef struct ctx {
	ha_cib *cib;
	ha_plan *plan;
} ctx;

static void run(ctx *t, const cib_spec *c)
{
	char *xml = build_xml(c);
	ha_diag *d = NULL;
	ha_diag_new(&d);
	int rc = ha_cib_load_memory(xml, strlen(xml), "test.xml", HA_CIB_NO_SCHEMA, &t->cib, d);
	if (rc < 0) {
		for (size_t i = 0; i < ha_diag_count(d); i++)
			fprintf(stderr, "%s\n", ha_diag_message(d, i));
		fprintf(stderr, "%s\n", xml);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(ha_plan_compute(t->cib, NOW, &t->plan, d), 0);
	ha_diag_free(d);
	g_free(xml);
}

static void done(ctx *t)
{
	ha_plan_free(t->plan);
	ha_cib_free(t->cib);
}

/* Where rsc ends up ("" = stopped). */
static const char *where(const ctx *t, const char *rsc)
{
	const sched *s = t->plan->s;
	sc_rsc *x = g_hash_table_lookup(s->by_id, rsc);
	assert_non_null(x);
	return x->end_node >= 0 ? s->nodes[x->end_node].uname : "";
}

static const char *role_of(const ctx *t, const char *rsc)
{
	const sched *s = t->plan->s;
	sc_rsc *x = g_hash_table_lookup(s->by_id, rsc);
	assert_non_null(x);
	return x->end_node >= 0 ? ha__role_str(x->next_role) : "Stopped";
}

/* Does the plan have action "kind rsc node"? Returns its id or -1. */
static int action(const ctx *t, const char *kind, const char *rsc, const char *node)
{
	const sched *s = t->plan->s;
	static const char *const names[] = {"stop", "demote", "start", "promote", "monitor", "fence", "notify"};
	for (guint i = 0; i < s->actions->len; i++) {
		const sc_action *a = g_ptr_array_index(s->actions, i);
		if (strcmp(names[a->kind], kind) || strcmp(s->nodes[a->node].uname, node))
			continue;
		if (rsc && (!a->rsc || strcmp(a->rsc->r->id, rsc)))
			continue;
		if (!a->runnable)
			continue;
		return a->id;
	}
	return -1;
}

static bool ordered(const ctx *t, int first, int then)
{
	const sc_action *a = g_ptr_array_index(t->plan->s->actions, then);
	for (guint i = 0; i < sc_n_after(a); i++)
		if (sc_after_at(a, i) == first)
			return true;
	return false;
}

#define DUMMY(id) "<primitive id=\"" id "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"
#define LOC(id, rsc, node, score) \
	"<rsc_location id=\"" id "\" rsc=\"" rsc "\" node=\"" node "\" score=\"" score "\"/>"
#define RUNNING(rsc, callid) \
	"<lrm_resource id=\"" rsc "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">" \
	"<lrm_rsc_op id=\"" rsc "_last_0\" operation=\"start\" interval=\"0\" rc-code=\"0\" " \
	"op-status=\"0\" call-id=\"" callid "\" last-rc-change=\"1699999000\"/></lrm_resource>"
#define STOPPED(rsc, callid) \
	"<lrm_resource id=\"" rsc "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">" \
	"<lrm_rsc_op id=\"" rsc "_last_0\" operation=\"monitor\" interval=\"0\" rc-code=\"7\" " \
	"op-status=\"0\" call-id=\"" callid "\" last-rc-change=\"1699999000\"/></lrm_resource>"

static void test_location_highest_wins(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3", .resources = DUMMY("r1"),
		      .constraints = LOC("l1", "r1", "n2", "100") LOC("l2", "r1", "n3", "50")};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n2");
	assert_true(action(&t, "start", "r1", "n2") >= 0);
	done(&t);
}

static void test_tie_by_name_bytes(void **state)
{
	(void)state;
	ctx t = {0};
	/* n10 < n3 < n9 in byte order: Pacemaker picks n10, not the first listed */
	cib_spec c = {.nodes = "n3 n10 n9", .resources = DUMMY("r1")};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n10");
	done(&t);
}

static void test_tie_fewest_assigned(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("a") DUMMY("b")};
	run(&t, &c);
	assert_string_equal(where(&t, "a"), "n1");
	assert_string_equal(where(&t, "b"), "n2");
	done(&t);
}

static void test_stickiness_keeps(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("r1"),
		      .constraints = LOC("l1", "r1", "n2", "50"),
		      .rsc_defaults = "<nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/>",
		      .lrm = {RUNNING("r1", "3"), STOPPED("r1", "2")}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	assert_int_equal(action(&t, "stop", "r1", "n1"), -1);
	done(&t);
	/* without stickiness it moves, stop ordered before start */
	c.rsc_defaults = NULL;
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n2");
	int stop = action(&t, "stop", "r1", "n1"), start = action(&t, "start", "r1", "n2");
	assert_true(stop >= 0 && start >= 0);
	assert_true(ordered(&t, stop, start));
	done(&t);
}

static void test_minus_infinity_and_asymmetric(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3", .resources = DUMMY("r1"),
		      .constraints = LOC("l1", "r1", "n1", "-INFINITY")};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n2");
	done(&t);
	cib_spec a = {.nodes = "n1 n2 n3", .resources = DUMMY("r1"),
		      .options = "<nvpair id=\"o-sym\" name=\"symmetric-cluster\" value=\"false\"/>",
		      .constraints = LOC("l1", "r1", "n3", "0")};
	run(&t, &a);
	assert_string_equal(where(&t, "r1"), "n3"); /* 0 counts as allowed */
	done(&t);
	a.constraints = NULL;
	run(&t, &a);
	assert_string_equal(where(&t, "r1"), ""); /* allowed nowhere */
	done(&t);
}

static void test_colocation(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3", .resources = DUMMY("a") DUMMY("b"),
		      .constraints = LOC("l1", "a", "n3", "100")
		      "<rsc_colocation id=\"c1\" rsc=\"b\" with-rsc=\"a\" score=\"INFINITY\"/>"};
	run(&t, &c);
	assert_string_equal(where(&t, "a"), "n3");
	assert_string_equal(where(&t, "b"), "n3");
	done(&t);
	/* primary cannot run: the INFINITY dependent stops too */
	c.constraints = "<rsc_location id=\"l1\" rsc=\"a\" node=\"n1\" score=\"-INFINITY\"/>"
			LOC("l2", "a", "n2", "-INFINITY") LOC("l3", "a", "n3", "-INFINITY")
			"<rsc_colocation id=\"c1\" rsc=\"b\" with-rsc=\"a\" score=\"INFINITY\"/>";
	run(&t, &c);
	assert_string_equal(where(&t, "a"), "");
	assert_string_equal(where(&t, "b"), "");
	done(&t);
	/* anti-colocation: the dependent's 200 on n1 counts against the primary at factor
	 * -1 (a: n1 100-200 = -100), so a avoids n1 and b gets it (checked with
	 * crm_simulate: a n1 -100 / n2 0 / n3 0, b n1 200 / n2 -INFINITY) */
	c.constraints = LOC("l1", "a", "n1", "100") LOC("l2", "b", "n1", "200")
			"<rsc_colocation id=\"c1\" rsc=\"b\" with-rsc=\"a\" score=\"-INFINITY\"/>";
	run(&t, &c);
	assert_string_equal(where(&t, "a"), "n2");
	assert_string_equal(where(&t, "b"), "n1");
	sc_rsc *a = g_hash_table_lookup(t.plan->s->by_id, "a");
	assert_int_equal(a->final_score[0], -100);
	done(&t);
}

static void test_colocation_merge_factor(void **state)
{
	(void)state;
	ctx t = {0};
	/* the dependent's preference pulls the primary: 3000 * 0.5 = 1500 > 1000 */
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("a") DUMMY("b"),
		      .constraints = LOC("l1", "a", "n1", "1000") LOC("l2", "b", "n2", "3000")
		      "<rsc_colocation id=\"c1\" rsc=\"b\" with-rsc=\"a\" score=\"500000\"/>"};
	run(&t, &c);
	assert_string_equal(where(&t, "a"), "n2");
	assert_string_equal(where(&t, "b"), "n2");
	sc_rsc *a = g_hash_table_lookup(t.plan->s->by_id, "a");
	assert_int_equal(a->final_score[1], 1500);
	done(&t);
	/* tiny factor still counts as 1 (E10: 400 x 0.0005 -> 1 after rounding rules) */
	c.constraints = LOC("l2", "b", "n2", "400")
			"<rsc_colocation id=\"c1\" rsc=\"b\" with-rsc=\"a\" score=\"500\"/>";
	run(&t, &c);
	a = g_hash_table_lookup(t.plan->s->by_id, "a");
	assert_int_equal(a->final_score[1], 1);
	done(&t);
}

static void test_group_together_and_sticky_sum(void **state)
{
	(void)state;
	ctx t = {0};
	/* 3 members x stickiness 100 = 300 beat a location of 250 (E14) */
	cib_spec c = {.nodes = "n1 n2",
		      .resources = "<group id=\"g\">" DUMMY("m1") DUMMY("m2") DUMMY("m3") "</group>",
		      .constraints = LOC("l1", "g", "n2", "250"),
		      .rsc_defaults = "<nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/>",
		      .lrm = {RUNNING("m1", "2") RUNNING("m2", "3") RUNNING("m3", "4")}};
	run(&t, &c);
	assert_string_equal(where(&t, "m1"), "n1");
	assert_string_equal(where(&t, "m3"), "n1");
	done(&t);
	c.constraints = LOC("l1", "g", "n2", "350");
	run(&t, &c);
	assert_string_equal(where(&t, "m1"), "n2");
	assert_string_equal(where(&t, "m2"), "n2");
	assert_string_equal(where(&t, "m3"), "n2");
	/* stops in reverse member order, starts in order */
	int s3 = action(&t, "stop", "m3", "n1"), s2 = action(&t, "stop", "m2", "n1");
	int t1 = action(&t, "start", "m1", "n2"), t2 = action(&t, "start", "m2", "n2");
	assert_true(ordered(&t, s3, s2));
	assert_true(ordered(&t, t1, t2));
	done(&t);
}

static void test_group_member_stopped(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2",
		      .resources = "<group id=\"g\">" DUMMY("m1")
				   "<primitive id=\"m2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
				   "<meta_attributes id=\"m2-m\"><nvpair id=\"m2-tr\" name=\"target-role\" "
				   "value=\"Stopped\"/></meta_attributes></primitive>" DUMMY("m3") "</group>"};
	run(&t, &c);
	assert_string_equal(where(&t, "m1"), "n1");
	assert_string_equal(where(&t, "m2"), "");
	assert_string_equal(where(&t, "m3"), "");
	done(&t);
}

static void test_standby_and_offline(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3", .standby = "n1", .offline = "n2",
		      .resources = DUMMY("r1"),
		      .constraints = LOC("l1", "r1", "n1", "INFINITY") LOC("l2", "r1", "n2", "500"),
		      .lrm = {RUNNING("r1", "2")}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n3");
	assert_true(action(&t, "stop", "r1", "n1") >= 0);
	done(&t);
}

static void test_migration_threshold_and_expiry(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2",
		      .resources = "<primitive id=\"r1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
				   "<meta_attributes id=\"r1-m\"><nvpair id=\"r1-mt\" name=\"migration-threshold\" "
				   "value=\"3\"/><nvpair id=\"r1-ft\" name=\"failure-timeout\" value=\"60s\"/>"
				   "</meta_attributes></primitive>",
		      .rsc_defaults = "<nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/>",
		      .lrm = {RUNNING("r1", "2")},
		      .attrs = {"<nvpair id=\"fc\" name=\"fail-count-r1#monitor_10000\" value=\"3\"/>"
				"<nvpair id=\"lf\" name=\"last-failure-r1#monitor_10000\" value=\"1699999990\"/>"}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n2"); /* 3 >= 3: banned from n1 */
	done(&t);
	/* the failure is older than failure-timeout: it no longer counts */
	c.attrs[0] = "<nvpair id=\"fc\" name=\"fail-count-r1#monitor_10000\" value=\"3\"/>"
		     "<nvpair id=\"lf\" name=\"last-failure-r1#monitor_10000\" value=\"1699990000\"/>";
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	done(&t);
}

static void test_failed_monitor_recovers_in_place(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("r1"),
		      .rsc_defaults = "<nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/>",
		      .lrm = {"<lrm_resource id=\"r1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
			      "<lrm_rsc_op id=\"r1_last_0\" operation=\"start\" interval=\"0\" rc-code=\"0\" "
			      "op-status=\"0\" call-id=\"2\"/><lrm_rsc_op id=\"r1_monitor_10000\" "
			      "operation=\"monitor\" interval=\"10000\" rc-code=\"7\" op-status=\"0\" "
			      "call-id=\"3\"/></lrm_resource>"},
		      .attrs = {"<nvpair id=\"fc\" name=\"fail-count-r1#monitor_10000\" value=\"1\"/>"}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	int stop = action(&t, "stop", "r1", "n1"), start = action(&t, "start", "r1", "n1");
	assert_true(stop >= 0 && start >= 0 && ordered(&t, stop, start));
	done(&t);
}

static void test_no_quorum_stop(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("r1"), .have_quorum = "0",
		      .lrm = {RUNNING("r1", "2")}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "");
	assert_true(action(&t, "stop", "r1", "n1") >= 0);
	done(&t);
	c.options = "<nvpair id=\"o-nq\" name=\"no-quorum-policy\" value=\"freeze\"/>";
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	done(&t);
	c.options = "<nvpair id=\"o-nq\" name=\"no-quorum-policy\" value=\"ignore\"/>";
	c.lrm[0] = NULL;
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	done(&t);
}

static void test_multiple_active(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3", .resources = DUMMY("r1"),
		      .lrm = {RUNNING("r1", "2"), RUNNING("r1", "2")}};
	run(&t, &c);
	assert_true(action(&t, "stop", "r1", "n1") >= 0);
	assert_true(action(&t, "stop", "r1", "n2") >= 0);
	int start = action(&t, "start", "r1", where(&t, "r1"));
	assert_true(start >= 0);
	done(&t);
}

static void test_order_mandatory_blocks(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2",
		      .resources = "<primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
				   "<meta_attributes id=\"a-m\"><nvpair id=\"a-tr\" name=\"target-role\" "
				   "value=\"Stopped\"/></meta_attributes></primitive>" DUMMY("b") DUMMY("c"),
		      .constraints = "<rsc_order id=\"o1\" first=\"a\" then=\"b\" kind=\"Mandatory\"/>"
				     "<rsc_order id=\"o2\" first=\"a\" then=\"c\" kind=\"Optional\"/>"};
	run(&t, &c);
	assert_string_equal(where(&t, "b"), "");
	/* b was still assigned (to n1) before its start turned out unrunnable, so it
	 * counts for the tie-break and c goes to n2, as in Pacemaker */
	assert_string_equal(where(&t, "c"), "n2");
	assert_true(ha_plan_incomplete(t.plan));
	done(&t);
}

static void test_order_edges(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("a") DUMMY("b"),
		      .constraints = "<rsc_order id=\"o1\" first=\"a\" then=\"b\"/>"};
	run(&t, &c);
	int sa = action(&t, "start", "a", where(&t, "a")), sb = action(&t, "start", "b", where(&t, "b"));
	assert_true(ordered(&t, sa, sb));
	done(&t);
}

static void test_unmanaged_stays(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2",
		      .resources = "<primitive id=\"r1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
				   "<meta_attributes id=\"r1-m\"><nvpair id=\"r1-im\" name=\"is-managed\" "
				   "value=\"false\"/></meta_attributes></primitive>",
		      .constraints = LOC("l1", "r1", "n2", "INFINITY"),
		      .lrm = {RUNNING("r1", "2")}};
	run(&t, &c);
	assert_string_equal(where(&t, "r1"), "n1");
	assert_int_equal(action(&t, "stop", "r1", "n1"), -1);
	done(&t);
}

static void test_fencing_before_recovery(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2",
		      .options = "<nvpair id=\"o-st2\" name=\"stonith-enabled\" value=\"true\"/>",
		      .resources = DUMMY("r1")
				   "<primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>",
		      .lrm = {RUNNING("r1", "2")}};
	c.lost = "n1";
	run(&t, &c);
	int fence = action(&t, "fence", NULL, "n1");
	int start = action(&t, "start", "r1", "n2");
	assert_true(fence >= 0 && start >= 0);
	assert_true(ordered(&t, fence, start));
	done(&t);
	/* without fencing, a lost node's resources are recovered at once */
	c.options = NULL;
	run(&t, &c);
	assert_int_equal(action(&t, "fence", NULL, "n1"), -1);
	assert_string_equal(where(&t, "r1"), "n2");
	done(&t);
}

static void test_clone_and_promotion(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2 n3",
		      .resources = "<clone id=\"c\"><meta_attributes id=\"c-m\"><nvpair id=\"c-cm\" "
				   "name=\"clone-max\" value=\"2\"/></meta_attributes>" DUMMY("cr") "</clone>",
		      .constraints = LOC("l1", "c", "n3", "100") LOC("l2", "c", "n1", "50")};
	run(&t, &c);
	char *json = NULL;
	ha_plan_format(t.plan, HA_FORMAT_JSON, &json);
	assert_non_null(strstr(json, "\"c\": {\"Started\": [\"n1\", \"n3\"]}"));
	free(json);
	done(&t);
	cib_spec p = {.nodes = "n1 n2 n3",
		      .resources = "<clone id=\"ms\"><meta_attributes id=\"ms-m\"><nvpair id=\"ms-p\" "
				   "name=\"promotable\" value=\"true\"/></meta_attributes>" DUMMY("db") "</clone>",
		      .lrm = {STOPPED("db", "2"), STOPPED("db", "2"), STOPPED("db", "2")},
		      .attrs = {"<nvpair id=\"m1\" name=\"master-db\" value=\"5\"/>",
				"<nvpair id=\"m2\" name=\"master-db\" value=\"10\"/>",
				"<nvpair id=\"m3\" name=\"master-db\" value=\"1\"/>"}};
	run(&t, &p);
	ha_plan_format(t.plan, HA_FORMAT_JSON, &json);
	assert_non_null(strstr(json, "\"ms\": {\"Promoted\": [\"n2\"], \"Unpromoted\": [\"n1\", \"n3\"]}"));
	for (int i = 0; i < 3; i++) {
		char id[8];
		snprintf(id, sizeof(id), "db:%d", i);
		if (!strcmp(where(&t, id), "n2"))
			assert_string_equal(role_of(&t, id), "Promoted");
		else
			assert_string_equal(role_of(&t, id), "Unpromoted");
	}
	free(json);
	done(&t);
}

static void test_explain_and_formats(void **state)
{
	(void)state;
	ctx t = {0};
	cib_spec c = {.nodes = "n1 n2", .resources = DUMMY("r1"),
		      .constraints = LOC("l1", "r1", "n2", "100")};
	run(&t, &c);
	char *text = NULL;
	assert_int_equal(ha_plan_explain(t.plan, "r1", &text), 0);
	assert_non_null(strstr(text, "location constraint l1"));
	assert_non_null(strstr(text, "best alternative is n1"));
	free(text);
	assert_int_equal(ha_plan_explain(t.plan, "nope", &text), -ENOENT);
	for (int k = HA_FORMAT_CURRENT; k <= HA_FORMAT_JSON; k++) {
		assert_int_equal(ha_plan_format(t.plan, k, &text), 0);
		free(text);
	}
	done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_location_highest_wins),
		cmocka_unit_test(test_tie_by_name_bytes),
		cmocka_unit_test(test_tie_fewest_assigned),
		cmocka_unit_test(test_stickiness_keeps),
		cmocka_unit_test(test_minus_infinity_and_asymmetric),
		cmocka_unit_test(test_colocation),
		cmocka_unit_test(test_colocation_merge_factor),
		cmocka_unit_test(test_group_together_and_sticky_sum),
		cmocka_unit_test(test_group_member_stopped),
		cmocka_unit_test(test_standby_and_offline),
		cmocka_unit_test(test_migration_threshold_and_expiry),
		cmocka_unit_test(test_failed_monitor_recovers_in_place),
		cmocka_unit_test(test_no_quorum_stop),
		cmocka_unit_test(test_multiple_active),
		cmocka_unit_test(test_order_mandatory_blocks),
		cmocka_unit_test(test_order_edges),
		cmocka_unit_test(test_unmanaged_stays),
		cmocka_unit_test(test_fencing_before_recovery),
		cmocka_unit_test(test_clone_and_promotion),
		cmocka_unit_test(test_explain_and_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
