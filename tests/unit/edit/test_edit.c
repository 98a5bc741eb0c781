/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Editing API and status report tests: every edit keeps the document loadable (it is
 * serialized and parsed again with the schema), failing edits change nothing, deletes
 * take their constraints along, and the status report reads a plan correctly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ha/ha.h>
#include <ha/edit.h>
#include <ha/status.h>
#include "config/config.h"

/* Serialize and parse again (schema on): the edit produced a valid document. */
static ha_cib *reload(const ha_cib *cib)
{
	char *xml = NULL;
	ha_cib *out = NULL;
	ha_diag *d = NULL;
	assert_int_equal(ha_cib_to_string(cib, &xml), 0);
	ha_diag_new(&d);
	int r = ha_cib_load_memory(xml, strlen(xml), "edited", 0, &out, d);
	for (size_t i = 0; r < 0 && i < ha_diag_count(d); i++)
		print_error("%s\n", ha_diag_message(d, i));
	assert_int_equal(r, 0);
	ha_diag_free(d);
	free(xml);
	return out;
}

/* Offset of needle in hay, or -1. */
static long pos_of(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	return p ? (long)(p - hay) : -1;
}

/* (not inlined: GCC 12 then mistakes the returned string for a pointer to the local
 * that received it, -Wdangling-pointer) */
static __attribute__((noinline)) char *text(const ha_cib *cib)
{
	char *xml = NULL;
	assert_int_equal(ha_cib_to_string(cib, &xml), 0);
	return xml;
}

static const char base_xml[] =
	"<cib validate-with=\"pacemaker-3.9\" admin_epoch=\"0\" epoch=\"3\" num_updates=\"0\" "
	"have-quorum=\"1\"><configuration><crm_config/><nodes>"
	"<node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/></nodes><resources/>"
	"<constraints/></configuration><status>"
	"<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>"
	"<node_state id=\"2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>"
	"</status></cib>";

static ha_cib *base(void)
{
	ha_cib *cib = NULL;
	assert_int_equal(ha_cib_load_memory(base_xml, sizeof(base_xml) - 1, "base", 0, &cib, NULL), 0);
	return cib;
}

static void test_primitives_groups_clones(void **state)
{
	(void)state;
	ha_cib *cib = base();
	assert_int_equal(ha_edit_primitive(cib, "a", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_primitive(cib, "a", "ocf:ha:Dummy"), HA_EDUPLICATE);
	assert_int_equal(ha_edit_primitive(cib, "9bad", "ocf:ha:Dummy"), -EINVAL);
	assert_int_equal(ha_edit_primitive(cib, "b", "ocf:Dummy"), -EINVAL);
	assert_int_equal(ha_edit_primitive(cib, "b", "ocf:ha:../x"), -EINVAL);
	assert_int_equal(ha_edit_primitive(cib, "b", "lsb:foo"), 0);
	assert_int_equal(ha_edit_rsc_param(cib, "a", "state", "/tmp/x"), 0);
	assert_int_equal(ha_edit_rsc_param(cib, "a", "bad name", "1"), -EINVAL);
	assert_int_equal(ha_edit_rsc_meta(cib, "a", "target-role", "Stopped"), 0);
	assert_int_equal(ha_edit_rsc_op(cib, "a", "monitor", "10s", "20s", NULL), 0);
	assert_int_equal(ha_edit_rsc_op(cib, "a", "monitor", "10s", "30s", "block"), 0);
	assert_int_equal(ha_edit_rsc_op(cib, "a", "monitor", "soon", NULL, NULL), -EINVAL);
	assert_int_equal(ha_edit_rsc_op(cib, "a", "start", "0", "60s", "nonsense"), -EINVAL);
	assert_int_equal(ha_edit_group_add(cib, "g", "a"), 0);
	assert_int_equal(ha_edit_group_add(cib, "g", "b"), 0);
	assert_string_equal(ha_cib_rsc_kind(cib, "g"), "group");
	assert_string_equal(ha_cib_rsc_parent(cib, "b"), "g");
	assert_int_equal(ha_edit_clone(cib, "g", NULL, false), 0);
	assert_string_equal(ha_cib_rsc_parent(cib, "g"), "g-clone");
	assert_int_equal(ha_edit_clone(cib, "g-clone", NULL, false), -EINVAL);
	assert_int_equal(ha_edit_group_add(cib, "h", "a"), -EINVAL); /* inside a clone's group */
	ha_cib *r = reload(cib);
	char *desc = NULL;
	assert_int_equal(ha_cib_describe(r, "a", &desc), 0);
	assert_non_null(strstr(desc, "ocf:ha:Dummy"));
	assert_non_null(strstr(desc, "state=/tmp/x"));
	assert_non_null(strstr(desc, "target-role=Stopped"));
	assert_non_null(strstr(desc, "timeout=30s on-fail=block"));
	free(desc);
	/* Parameters of the primitive, for agent validation. */
	char **p = NULL;
	assert_int_equal(ha_cib_rsc_params(r, "a", &p), 0);
	assert_string_equal(p[0], "state");
	assert_string_equal(p[1], "/tmp/x");
	assert_null(p[2]);
	ha_strv_free(p);
	char *agent = NULL;
	assert_int_equal(ha_cib_rsc_agent(r, "b", &agent), 0);
	assert_string_equal(agent, "lsb:foo");
	free(agent);
	/* Unset removes the pair and an emptied set. */
	assert_int_equal(ha_edit_rsc_meta(r, "a", "target-role", NULL), 0);
	char *xml = text(r);
	assert_null(strstr(xml, "a-meta_attributes"));
	free(xml);
	/* Deleting the last members removes the group and its clone. */
	assert_int_equal(ha_edit_rsc_delete(r, "a"), 0);
	assert_non_null(ha_cib_rsc_kind(r, "g-clone"));
	assert_int_equal(ha_edit_rsc_delete(r, "b"), 0);
	assert_null(ha_cib_rsc_kind(r, "g"));
	assert_null(ha_cib_rsc_kind(r, "g-clone"));
	assert_int_equal(ha_edit_rsc_delete(r, "b"), -ENOENT);
	ha_cib *r2 = reload(r);
	ha_cib_free(r2);
	ha_cib_free(r);
	ha_cib_free(cib);
}

static void test_group_moves(void **state)
{
	(void)state;
	ha_cib *cib = base();
	assert_int_equal(ha_edit_primitive(cib, "a", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_primitive(cib, "b", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_group_add(cib, "g1", "a"), 0);
	assert_int_equal(ha_edit_group_add(cib, "g1", "b"), 0);
	/* a moves to a new group: groups do not nest, g1 keeps b. */
	assert_int_equal(ha_edit_group_add(cib, "g2", "a"), 0);
	assert_string_equal(ha_cib_rsc_parent(cib, "a"), "g2");
	assert_null(ha_cib_rsc_parent(cib, "g2"));
	/* b leaves g1 empty: g1 goes. */
	assert_int_equal(ha_edit_group_add(cib, "g2", "b"), 0);
	assert_null(ha_cib_rsc_kind(cib, "g1"));
	assert_int_equal(ha_edit_group_add(cib, "a", "b"), HA_EDUPLICATE); /* not a group */
	char **ids = NULL;
	assert_int_equal(ha_cib_ids(cib, false, &ids), 0);
	assert_string_equal(ids[0], "g2");
	assert_string_equal(ids[1], "a");
	assert_string_equal(ids[2], "b");
	assert_null(ids[3]);
	ha_strv_free(ids);
	ha_cib_free(reload(cib));
	ha_cib_free(cib);
}

static void test_constraints(void **state)
{
	(void)state;
	ha_cib *cib = base();
	assert_int_equal(ha_edit_primitive(cib, "a", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_primitive(cib, "b", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_location(cib, "l1", "a", "n1", "100", NULL), 0);
	assert_int_equal(ha_edit_location(cib, "l1", "a", "n2", "-INFINITY", NULL), 0); /* replace */
	assert_int_equal(ha_edit_location(cib, "l2", "nope", "n1", "1", NULL), HA_EREF);
	assert_int_equal(ha_edit_location(cib, "l2", "a", "n1", "many", NULL), -EINVAL);
	assert_int_equal(ha_edit_location(cib, "l2", "a", "n1", "1", "Sideways"), -EINVAL);
	assert_int_equal(ha_edit_location(cib, "a", "a", "n1", "1", NULL), HA_EDUPLICATE);
	assert_int_equal(ha_edit_colocation(cib, "c1", "a", "b", "INFINITY", NULL, NULL), 0);
	assert_int_equal(ha_edit_colocation(cib, "c2", "a", "a", "INFINITY", NULL, NULL), -EINVAL);
	assert_int_equal(ha_edit_location(cib, "c1", "a", "n1", "1", NULL), HA_EDUPLICATE);
	assert_int_equal(ha_edit_order(cib, "o1", "b", "a", NULL, NULL, NULL, true), 0);
	assert_int_equal(ha_edit_order(cib, "o2", "b", "a", "Sometimes", NULL, NULL, true), -EINVAL);
	assert_int_equal(ha_edit_order(cib, "o2", "b", "a", "Optional", "promote", "start", false), 0);
	assert_true(ha_cib_has_constraint(cib, "o2"));
	char *d = NULL;
	assert_int_equal(ha_cib_describe(cib, "l1", &d), 0);
	assert_non_null(strstr(d, "a on n2 score -INFINITY"));
	free(d);
	ha_cib *r = reload(cib);
	assert_true(ha_cib_has_constraint(r, "c1"));
	/* Deleting a removes every constraint naming it. */
	assert_int_equal(ha_edit_rsc_delete(r, "a"), 0);
	assert_false(ha_cib_has_constraint(r, "l1"));
	assert_false(ha_cib_has_constraint(r, "c1"));
	assert_false(ha_cib_has_constraint(r, "o1"));
	assert_int_equal(ha_edit_constraint_delete(r, "o1"), -ENOENT);
	ha_cib_free(reload(r));
	ha_cib_free(r);
	ha_cib_free(cib);
}

static void test_options_nodes_status(void **state)
{
	(void)state;
	ha_cib *cib = base();
	assert_int_equal(ha_edit_property(cib, "stonith-enabled", "false"), 0);
	assert_int_equal(ha_edit_property(cib, "stonith-enabled", "perhaps"), -EINVAL);
	assert_int_equal(ha_edit_property(cib, "no-quorum-policy", "panic"), -EINVAL);
	char *xml = text(cib);
	assert_non_null(strstr(xml, "name=\"stonith-enabled\" value=\"false\""));
	free(xml);
	assert_int_equal(ha_edit_rsc_default(cib, "resource-stickiness", "100"), 0);
	assert_int_equal(ha_edit_node_attr(cib, "n1", "standby", "on"), 0);
	assert_int_equal(ha_edit_node_attr(cib, "n9", "standby", "on"), HA_EREF);
	char **a = NULL;
	assert_int_equal(ha_cib_node_attrs(cib, "n1", false, &a), 0);
	assert_string_equal(a[0], "standby");
	ha_strv_free(a);
	assert_int_equal(ha_edit_status_attr(cib, "n2", "fail-count-x#start_0", "3"), 0);
	assert_int_equal(ha_edit_status_attr(cib, "n2", "last-failure-x#start_0", "1700000000"), 0);
	assert_int_equal(ha_edit_status_attr(cib, "n2", "other", "1"), 0);
	assert_int_equal(ha_edit_status_attr(cib, "n7", "other", "1"), HA_EREF);
	assert_int_equal(ha_edit_primitive(cib, "x", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_status_clear_failures(cib, "x", "n2"), 0);
	assert_int_equal(ha_cib_node_attrs(cib, "n2", true, &a), 0);
	assert_string_equal(a[0], "other");
	assert_null(a[2]);
	ha_strv_free(a);
	assert_int_equal(ha_edit_status_cleanup(cib, "nothing", NULL), -ENOENT);
	char **nodes = NULL;
	assert_int_equal(ha_cib_nodes(cib, &nodes), 0);
	assert_string_equal(nodes[0], "n1");
	assert_string_equal(nodes[1], "n2");
	assert_null(nodes[2]);
	ha_strv_free(nodes);
	ha_cib *r = reload(cib);
	ha_edit_strip_status(r);
	xml = text(r);
	assert_null(strstr(xml, "node_state"));
	free(xml);
	/* Replacing the configuration keeps the status and version. */
	ha_cib *other = base();
	assert_int_equal(ha_edit_primitive(other, "y", "ocf:ha:Dummy"), 0);
	ha_cib_set_version(cib, 0, 9, 1);
	assert_int_equal(ha_edit_replace_config(cib, other), 0);
	assert_non_null(ha_cib_rsc_kind(cib, "y"));
	assert_null(ha_cib_rsc_kind(cib, "x"));
	int64_t ae, e, nu;
	ha_cib_version(cib, &ae, &e, &nu);
	assert_int_equal(e, 9);
	assert_int_equal(ha_cib_node_attrs(cib, "n2", true, &a), 0);
	ha_strv_free(a);
	/* Changed primitives: new ones and changed parameters. */
	char **ch = NULL;
	assert_int_equal(ha_cib_changed_primitives(other, cib, &ch), 0);
	assert_null(ch[0]);
	ha_strv_free(ch);
	assert_int_equal(ha_edit_rsc_param(cib, "y", "fake", "1"), 0);
	assert_int_equal(ha_cib_changed_primitives(other, cib, &ch), 0);
	assert_string_equal(ch[0], "y");
	ha_strv_free(ch);
	ha_cib_free(other);
	ha_cib_free(r);
	ha_cib_free(cib);
}

/* The status report on a cluster where a group runs on n1, a member failed on n2. */
static const char status_xml[] =
	"<cib validate-with=\"pacemaker-3.9\" admin_epoch=\"0\" epoch=\"3\" num_updates=\"0\" "
	"have-quorum=\"1\"><configuration><crm_config><cluster_property_set id=\"o\">"
	"<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set>"
	"</crm_config><nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/></nodes>"
	"<resources><group id=\"g\">"
	"<primitive id=\"a\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>"
	"<primitive id=\"b\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/></group></resources>"
	"<constraints/></configuration><status>"
	"<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
	"<lrm id=\"1\"><lrm_resources>"
	"<lrm_resource id=\"a\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
	"<lrm_rsc_op id=\"a_last_0\" operation=\"start\" call-id=\"2\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>"
	"</lrm_resource><lrm_resource id=\"b\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
	"<lrm_rsc_op id=\"b_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" op-status=\"0\" interval=\"0\"/>"
	"</lrm_resource></lrm_resources></lrm></node_state>"
	"<node_state id=\"2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
	"<lrm id=\"2\"><lrm_resources>"
	"<lrm_resource id=\"a\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
	"<lrm_rsc_op id=\"a_last_0\" operation=\"monitor\" call-id=\"1\" rc-code=\"7\" op-status=\"0\" interval=\"0\"/>"
	"</lrm_resource><lrm_resource id=\"b\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
	"<lrm_rsc_op id=\"b_last_0\" operation=\"monitor\" call-id=\"1\" rc-code=\"7\" op-status=\"0\" interval=\"0\"/>"
	"</lrm_resource></lrm_resources></lrm></node_state></status></cib>";

static void test_lifetimes(void **state)
{
	(void)state;
	int64_t secs = 0;
	static const struct { const char *in; int64_t secs; } ok[] = {
		{"30s", 30}, {"10m", 600}, {"2h", 7200}, {"1d", 86400}, {"45", 45},
		{"PT1H", 3600}, {"P1DT1S", 86401}, {"PT1M30S", 90}, {"P1W", 604800}, {"10min", 600},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(ha_duration_parse(ok[i].in, &secs), 0);
		assert_int_equal(secs, ok[i].secs);
	}
	static const char *const bad[] = {"", "0", "0s", "abc", "PT", "P", "P1H", "PT1D", "-5s",
					  "5x", "P1Y1000000000D", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ha_duration_parse(bad[i], &secs), -EINVAL);

	ha_cib *cib = base();
	int64_t left = 0;
	assert_int_equal(ha_edit_primitive(cib, "d", "ocf:ha:Dummy"), 0);
	assert_int_equal(ha_edit_location(cib, "cli-ban-d-on-n1", "d", "n1", "-INFINITY", NULL), 0);
	assert_int_equal(ha_edit_lifetime(cib, "nosuch", "5m"), -ENOENT);
	assert_int_equal(ha_edit_lifetime(cib, "cli-ban-d-on-n1", "soon"), -EINVAL);
	assert_int_equal(ha_cib_lifetime(cib, "cli-ban-d-on-n1", 1000, &left), 0);
	assert_int_equal(ha_edit_lifetime(cib, "cli-ban-d-on-n1", "5m"), 0);
	/* Not accepted by a cluster yet: a duration, counted whole. */
	assert_int_equal(ha_cib_lifetime(cib, "cli-ban-d-on-n1", 1000, &left), 1);
	assert_int_equal(left, 300);
	assert_true(ha__lifetime_pending(cib));
	assert_int_equal(ha__lifetime_next(cib), 0);
	char *xml = text(cib);
	assert_non_null(strstr(xml, "<cluster_property_set id=\"ha-lifetimes\">"));
	assert_non_null(strstr(xml, "name=\"ha-lifetime-cli-ban-d-on-n1\" value=\"PT300S\""));
	free(xml);
	/* A cluster option written afterwards goes to a set of its own, first. */
	assert_int_equal(ha_edit_property(cib, "stonith-enabled", "false"), 0);
	ha_cib *re = reload(cib);
	assert_string_equal(ha_cib_property(re, "stonith-enabled"), "false");
	char *doc = text(re);
	long opts = pos_of(doc, "id=\"cib-bootstrap-options\""), lts = pos_of(doc, "id=\"ha-lifetimes\"");
	assert_true(opts >= 0 && lts > opts);
	assert_true(pos_of(doc + lts, "stonith-enabled") < 0);
	free(doc);
	ha_cib_free(re);

	/* Accepted at replicated time 1000: it ends at 1300. */
	assert_int_equal(ha__lifetime_resolve(cib, 1000), 1);
	assert_int_equal(ha__lifetime_resolve(cib, 2000), 0);
	assert_false(ha__lifetime_pending(cib));
	assert_int_equal(ha__lifetime_next(cib), 1300);
	assert_int_equal(ha_cib_lifetime(cib, "cli-ban-d-on-n1", 1100, &left), 1);
	assert_int_equal(left, 200);
	assert_int_equal(ha_cib_lifetime(cib, "cli-ban-d-on-n1", 1400, &left), 1);
	assert_int_equal(left, 0);
	re = reload(cib); /* an expiry loads too */
	assert_int_equal(ha__lifetime_next(re), 1300);
	ha_cib_free(re);
	GPtrArray *gone = g_ptr_array_new_with_free_func(g_free);
	assert_int_equal(ha__lifetime_expire(cib, 1299, gone), 0);
	assert_true(ha_cib_has_constraint(cib, "cli-ban-d-on-n1"));
	assert_int_equal(ha__lifetime_expire(cib, 1300, gone), 1);
	assert_int_equal(gone->len, 1);
	assert_string_equal(g_ptr_array_index(gone, 0), "cli-ban-d-on-n1");
	assert_false(ha_cib_has_constraint(cib, "cli-ban-d-on-n1"));
	xml = text(cib);
	assert_null(strstr(xml, "ha-lifetime"));
	free(xml);
	g_ptr_array_set_size(gone, 0);

	/* Deleting a constraint, or the resource it names, takes its lifetime along;
	 * NULL makes a constraint permanent again. */
	assert_int_equal(ha_edit_location(cib, "a", "d", "n1", "-INFINITY", NULL), 0);
	assert_int_equal(ha_edit_location(cib, "b", "d", "n2", "10", NULL), 0);
	assert_int_equal(ha_edit_location(cib, "c", "d", "n2", "20", NULL), 0);
	assert_int_equal(ha_edit_lifetime(cib, "a", "1h"), 0);
	assert_int_equal(ha_edit_lifetime(cib, "b", "PT2H"), 0);
	assert_int_equal(ha_edit_lifetime(cib, "c", "3h"), 0);
	assert_int_equal(ha_edit_lifetime(cib, "c", NULL), 0);
	assert_int_equal(ha_cib_lifetime(cib, "c", 0, &left), 0);
	assert_int_equal(ha_edit_constraint_delete(cib, "a"), 0);
	assert_int_equal(ha_cib_lifetime(cib, "b", 0, &left), 1);
	assert_int_equal(left, 7200);
	xml = text(cib);
	assert_null(strstr(xml, "ha-lifetime-a\""));
	free(xml);
	assert_int_equal(ha_edit_rsc_delete(cib, "d"), 0);
	xml = text(cib);
	assert_null(strstr(xml, "ha-lifetime"));
	free(xml);
	g_ptr_array_free(gone, TRUE);
	ha_cib_free(cib);

	/* A lifetime that is neither an expiry nor a duration does not load. */
	static const char badlt[] =
		"<cib validate-with=\"pacemaker-3.9\" admin_epoch=\"0\" epoch=\"3\" num_updates=\"0\">"
		"<configuration><crm_config><cluster_property_set id=\"ha-lifetimes\"><nvpair "
		"id=\"x\" name=\"ha-lifetime-l\" value=\"tomorrow\"/></cluster_property_set></crm_config>"
		"<nodes/><resources/><constraints/></configuration><status/></cib>";
	ha_cib *b = NULL;
	assert_int_equal(ha_cib_load_memory(badlt, sizeof(badlt) - 1, "bad", 0, &b, NULL), HA_ESCHEMA);
	assert_null(b);
}

static void test_status_report(void **state)
{
	(void)state;
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	char *s = NULL;
	assert_int_equal(ha_cib_load_memory(status_xml, sizeof(status_xml) - 1, "st", 0, &cib, NULL), 0);
	assert_int_equal(ha_plan_compute(cib, 1700000000, &plan, NULL), 0);
	assert_true(ha_status_settled(plan));
	assert_int_equal(ha_status_rsc_nodes(plan, "g", &s, NULL), 0);
	assert_string_equal(s, "n1");
	free(s);
	assert_int_equal(ha_status_rsc_target(plan, "b", &s), 0);
	assert_string_equal(s, "n1");
	free(s);
	assert_int_equal(ha_status_rsc_nodes(plan, "nope", &s, NULL), -ENOENT);
	assert_int_equal(ha_status_format(plan, true, &s), 0);
	assert_non_null(strstr(s, "\"settled\":true"));
	assert_non_null(strstr(s, "\"id\":\"g\",\"kind\":\"group\""));
	assert_non_null(strstr(s, "\"up_nodes\":[\"n1\"]"));
	free(s);
	assert_int_equal(ha_status_format(plan, false, &s), 0);
	assert_non_null(strstr(s, "g (group) on n1"));
	free(s);
	ha_plan_free(plan);
	/* Standby n1: not settled until the group moved; its target is n2. */
	assert_int_equal(ha_edit_node_attr(cib, "n1", "standby", "on"), 0);
	assert_int_equal(ha_plan_compute(cib, 1700000000, &plan, NULL), 0);
	assert_false(ha_status_settled(plan));
	assert_int_equal(ha_status_rsc_target(plan, "g", &s), 0);
	assert_string_equal(s, "n2");
	free(s);
	ha_plan_free(plan);
	ha_cib_free(cib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primitives_groups_clones),
		cmocka_unit_test(test_group_moves),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_options_nodes_status),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_status_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
