/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Executor tests that run no process: meta-data parsing and parameter validation,
 * duration parsing, request name rules and the severity rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ha/ha.h>

#include "config/agent_metadata.h"
#include "test_exec.h"

static const char md_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n"
	"<resource-agent name=\"IPaddr2\" version=\"1.0\">\n"
	"<version>1.1</version>\n"
	"<shortdesc lang=\"de\">Virtuelle IP</shortdesc>\n"
	"<shortdesc lang=\"en\">Virtual IP</shortdesc>\n"
	"<parameters>\n"
	"<parameter name=\"ip\" unique=\"1\" required=\"1\">\n"
	"  <shortdesc lang=\"en\">IPv4 or IPv6 address</shortdesc>\n"
	"  <content type=\"string\" default=\"\"/>\n"
	"</parameter>\n"
	"<parameter name=\"cidr_netmask\"><shortdesc>netmask</shortdesc>"
	"<content type=\"integer\" default=\"24\"/></parameter>\n"
	"<parameter name=\"lvs_support\"><content type=\"boolean\" default=\"false\"/></parameter>\n"
	"<parameter name=\"arp-count\"><content type=\"integer\" default=\"5\"/></parameter>\n"
	"</parameters>\n"
	"<actions>\n"
	"<action name=\"start\" timeout=\"20s\"/>\n"
	"<action name=\"stop\" timeout=\"2min\"/>\n"
	"<action name=\"monitor\" timeout=\"30\" interval=\"10s\" depth=\"0\"/>\n"
	"<action name=\"monitor\" timeout=\"500ms\" interval=\"PT1M\" depth=\"10\" role=\"Promoted\"/>\n"
	"<action name=\"promote\" timeout=\"PT1M30S\"/>\n"
	"<action name=\"meta-data\" timeout=\"5s\"/>\n"
	"</actions>\n"
	"</resource-agent>\n";

static void test_metadata_parse(void **state)
{
	ha_agent_metadata *md = NULL;

	(void)state;
	assert_int_equal(ha_agent_metadata_parse(md_xml, strlen(md_xml), &md, NULL), 0);
	assert_string_equal(ha_agent_metadata_name(md), "IPaddr2");
	assert_string_equal(ha_agent_metadata_shortdesc(md), "Virtual IP");
	assert_int_equal(ha_agent_metadata_param_count(md), 4);
	assert_string_equal(ha_agent_metadata_param_name(md, 0), "ip");
	assert_true(ha_agent_metadata_param_required(md, 0));
	assert_true(ha_agent_metadata_param_unique(md, 0));
	assert_string_equal(ha_agent_metadata_param_shortdesc(md, 0), "IPv4 or IPv6 address");
	assert_string_equal(ha_agent_metadata_param_type(md, 1), "integer");
	assert_string_equal(ha_agent_metadata_param_default(md, 1), "24");
	assert_string_equal(ha_agent_metadata_param_shortdesc(md, 1), "netmask");
	assert_false(ha_agent_metadata_param_required(md, 1));
	assert_null(ha_agent_metadata_param_shortdesc(md, 2));
	assert_null(ha_agent_metadata_param_name(md, 4));
	assert_int_equal(ha_agent_metadata_action_count(md), 6);
	assert_string_equal(ha_agent_metadata_action_name(md, 1), "stop");
	assert_int_equal(ha_agent_metadata_action_timeout(md, 1), 120000);
	assert_int_equal(ha_agent_metadata_action_timeout(md, 2), 30000);
	assert_int_equal(ha_agent_metadata_action_interval(md, 2), 10000);
	assert_int_equal(ha_agent_metadata_action_depth(md, 2), 0);
	assert_int_equal(ha_agent_metadata_action_depth(md, 0), -1);
	assert_int_equal(ha_agent_metadata_action_interval(md, 3), 60000);
	assert_int_equal(ha_agent_metadata_action_timeout(md, 3), 500);
	assert_string_equal(ha_agent_metadata_action_role(md, 3), "Promoted");
	assert_int_equal(ha_agent_metadata_action_timeout(md, 4), 90000);
	/* monitor: the entry with the same interval first, else the first one */
	assert_int_equal(ha_agent_metadata_timeout_for(md, "monitor", 60000), 500);
	assert_int_equal(ha_agent_metadata_timeout_for(md, "monitor", 0), 30000);
	assert_int_equal(ha_agent_metadata_timeout_for(md, "start", 0), 20000);
	assert_int_equal(ha_agent_metadata_timeout_for(md, "demote", 0), 0);
	ha_agent_metadata_free(md);
	assert_null(ha_agent_metadata_free(NULL));
}

static int parse_err(const char *xml, size_t len, const char *needle)
{
	ha_agent_metadata *md = NULL;
	ha_diag *d;
	int r;

	ha_diag_new(&d);
	r = ha_agent_metadata_parse(xml, len, &md, d);
	assert_null(md);
	if (needle) {
		assert_true(ha_diag_errors(d) > 0);
		if (!strstr(ha_diag_message(d, 0), needle))
			fail_msg("'%s' not in '%s'", needle, ha_diag_message(d, 0));
	}
	ha_diag_free(d);
	return r;
}

static void test_metadata_reject(void **state)
{
	static const char lol[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY a \"aaaaaaaaaa\">\n"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n"
		"<resource-agent name=\"x\"><shortdesc>&b;</shortdesc></resource-agent>\n";
	static const char xxe[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<resource-agent name=\"x\"><shortdesc>&x;</shortdesc></resource-agent>\n";
	static const char badroot[] = "<parameters/>";
	static const char badparam[] =
		"<resource-agent name=\"x\"><parameters><parameter name=\"a b\"/>"
		"</parameters></resource-agent>";
	static const char dupparam[] =
		"<resource-agent name=\"x\"><parameters><parameter name=\"a\"/>"
		"<parameter name=\"a\"/></parameters></resource-agent>";
	static const char badtimeout[] =
		"<resource-agent name=\"x\"><actions><action name=\"start\" timeout=\"soon\"/>"
		"</actions></resource-agent>";
	g_autofree char *big = g_malloc(HA_AGENT_METADATA_MAX + 2);

	(void)state;
	assert_int_equal(parse_err(lol, strlen(lol), "entit"), HA_EPARSE);
	assert_int_equal(parse_err(xxe, strlen(xxe), "entit"), HA_EPARSE);
	assert_int_equal(parse_err("not xml", 7, "meta-data"), HA_EPARSE);
	assert_int_equal(parse_err("<a>", 3, NULL), HA_EPARSE);
	assert_int_equal(parse_err(badroot, strlen(badroot), "resource-agent"), HA_ESCHEMA);
	assert_int_equal(parse_err(badparam, strlen(badparam), "a b"), HA_ESCHEMA);
	assert_int_equal(parse_err(dupparam, strlen(dupparam), "twice"), HA_EDUPLICATE);
	assert_int_equal(parse_err(badtimeout, strlen(badtimeout), "soon"), HA_ESCHEMA);
	memset(big, ' ', HA_AGENT_METADATA_MAX + 1);
	assert_int_equal(parse_err(big, HA_AGENT_METADATA_MAX + 1, "bytes"), HA_ETOOBIG);
	assert_int_equal(ha_agent_metadata_parse(NULL, 0, NULL, NULL), -EINVAL);
}

static void test_durations(void **state)
{
	static const struct {
		const char *s;
		int r;
		uint32_t ms;
	} cases[] = {
		{"20", 0, 20000}, {"20s", 0, 20000}, {" 20 s ", 0, 20000}, {"500ms", 0, 500},
		{"2min", 0, 120000}, {"2m", 0, 120000}, {"1h", 0, 3600000}, {"3msec", 0, 3},
		{"PT1M30S", 0, 90000}, {"PT2H", 0, 7200000}, {"PT", -EINVAL, 0},
		{"P1D", -EINVAL, 0}, {"", -EINVAL, 0}, {"-5s", -EINVAL, 0}, {"5 parsecs", -EINVAL, 0},
		{"99999999999", -ERANGE, 0}, {"5000000s", -ERANGE, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ms = 0;
		int r = ha__agent_parse_duration(cases[i].s, &ms);
		if (r != cases[i].r || (r == 0 && ms != cases[i].ms))
			fail_msg("'%s': r=%d ms=%u", cases[i].s, r, ms);
	}
}

static void test_validate(void **state)
{
	ha_agent_metadata *md = NULL;
	ha_op_request *req;
	ha_diag *d;

	(void)state;
	assert_int_equal(ha_agent_metadata_parse(md_xml, strlen(md_xml), &md, NULL), 0);
	ha_diag_new(&d);
	ha_op_request_new(&req);
	ha_op_request_set_agent(req, "ocf:heartbeat:IPaddr2");
	ha_op_request_set_param(req, "cidr_netmask", "24");
	assert_int_equal(ha_op_request_validate(req, md, d), HA_ESCHEMA);
	assert_int_equal(ha_diag_errors(d), 1);
	assert_non_null(strstr(ha_diag_message(d, 0), "required parameter 'ip' is missing"));

	ha_diag_clear(d);
	ha_op_request_set_param(req, "ip", "192.0.2.10");
	ha_op_request_set_param(req, "trace_ra", "1");
	assert_int_equal(ha_op_request_validate(req, md, d), 0);
	assert_int_equal(ha_diag_count(d), 0);

	ha_op_request_set_param(req, "bogus", "1");
	ha_op_request_set_param(req, "cidr_netmask", "24bits");
	ha_op_request_set_param(req, "lvs_support", "maybe");
	ha_diag_clear(d);
	assert_int_equal(ha_op_request_validate(req, md, d), HA_ESCHEMA);
	assert_int_equal(ha_diag_errors(d), 1);
	assert_int_equal(ha_diag_count(d), 3); /* the error + two type warnings */
	bool named = false;
	for (size_t i = 0; i < ha_diag_count(d); i++)
		if (strstr(ha_diag_message(d, i), "no parameter 'bogus'"))
			named = ha_diag_severity_of(d, i) == HA_DIAG_ERROR;
	assert_true(named);
	assert_int_equal(ha_op_request_validate(req, NULL, d), -EINVAL);
	ha_op_request_free(req);
	ha_diag_free(d);
	ha_agent_metadata_free(md);
}

static void test_names(void **state)
{
	static const char *const bad_agents[] = {
		"ocf:test:../x", "ocf:../x:y", "ocf:a/b:c", "ocf:test:a/b", "ocf:test:.hidden",
		"ocf:test:", "ocf::x", "ocf:test", "lsb:../../bin/sh", "lsb:-x", "lsb:",
		"stonith:notfence", "stonith:fence_", "stonith:fence_a/b", "systemd:-foo",
		"systemd:a/b.service", "xyz:foo", "foo", "", "embedded:../x", "OCF:test:x",
		"ocf:test:x y", "ocf:test:x;rm",
	};
	static const char *const good_agents[] = {
		"ocf:heartbeat:IPaddr2", "ocf:ha:Dummy", "lsb:mariadb", "systemd:sshd",
		"systemd:getty@tty1.service", "stonith:fence_ipmilan", "embedded:app_1",
		"ocf:pacemaker:Stateful", "ocf:x:a.b-c_d+e",
	};
	static const char *const bad_params[] = {"a b", "a=b", "", "a.b", "$x", "a/b",
						  "crm_feature_set", "OCF_CHECK_LEVEL",
						  "CRM_meta_interval"};
	static const char *const bad_rsc[] = {"../x", "a/b", "", ".x", "-x", "a b", "a\nb"};
	ha_op_request *req;

	(void)state;
	ha_op_request_new(&req);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_agents); i++)
		if (ha_op_request_set_agent(req, bad_agents[i]) != -EINVAL)
			fail_msg("accepted agent '%s'", bad_agents[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(good_agents); i++)
		if (ha_op_request_set_agent(req, good_agents[i]) != 0)
			fail_msg("rejected agent '%s'", good_agents[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_params); i++) {
		if (ha_op_request_set_param(req, bad_params[i], "v") != -EINVAL)
			fail_msg("accepted param '%s'", bad_params[i]);
		if (strcmp(bad_params[i], "crm_feature_set") && strcmp(bad_params[i], "OCF_CHECK_LEVEL") &&
		    strcmp(bad_params[i], "CRM_meta_interval") &&
		    ha_op_request_set_meta(req, bad_params[i], "v") != -EINVAL)
			fail_msg("accepted meta '%s'", bad_params[i]);
	}
	assert_int_equal(ha_op_request_set_param(req, "ok-name_1", "v"), 0);
	assert_int_equal(ha_op_request_set_param(req, "x", NULL), -EINVAL);
	assert_int_equal(ha_op_request_set_meta(req, "interval", "5"), -EINVAL);
	assert_int_equal(ha_op_request_set_meta(req, "timeout", "5"), -EINVAL);
	assert_int_equal(ha_op_request_set_meta(req, "clone-max", "2"), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_rsc); i++)
		if (ha_op_request_set_resource(req, bad_rsc[i]) != -EINVAL)
			fail_msg("accepted resource '%s'", bad_rsc[i]);
	assert_int_equal(ha_op_request_set_resource(req, "ip-1:0"), 0);
	assert_int_equal(ha_op_request_set_action(req, "explode"), -EINVAL);
	assert_int_equal(ha_op_request_set_action(req, "validate-all"), 0);
	assert_int_equal(ha_op_request_set_target(req, "node\n1"), -EINVAL);
	assert_int_equal(ha_op_request_set_depth(req, 5000), -EINVAL);
	ha_op_request_free(req);
	assert_null(ha_op_request_free(NULL));
}

static void test_severity(void **state)
{
	static const struct {
		const char *action;
		uint32_t interval;
		ha_exec_status st;
		int rc;
		ha_op_severity sev;
	} cases[] = {
		{"start", 0, HA_EXEC_DONE, 0, HA_OP_OK},
		{"start", 0, HA_EXEC_DONE, 1, HA_OP_SOFT},
		{"start", 0, HA_EXEC_DONE, 2, HA_OP_HARD_RESOURCE},
		{"start", 0, HA_EXEC_DONE, 6, HA_OP_HARD_RESOURCE},
		{"start", 0, HA_EXEC_DONE, 5, HA_OP_HARD_NODE},
		{"start", 0, HA_EXEC_DONE, 3, HA_OP_HARD_NODE},
		{"start", 0, HA_EXEC_DONE, 4, HA_OP_HARD_NODE},
		{"start", 0, HA_EXEC_DONE, 7, HA_OP_SOFT},
		{"start", 0, HA_EXEC_DONE, 42, HA_OP_SOFT},
		{"start", 0, HA_EXEC_TIMEOUT, 1, HA_OP_SOFT},
		{"start", 0, HA_EXEC_NOT_INSTALLED, 5, HA_OP_HARD_NODE},
		{"start", 0, HA_EXEC_ERROR, 1, HA_OP_SOFT},
		{"monitor", 0, HA_EXEC_DONE, 7, HA_OP_NOT_RUNNING},
		{"monitor", 0, HA_EXEC_DONE, 2, HA_OP_NOT_RUNNING},
		{"monitor", 0, HA_EXEC_DONE, 5, HA_OP_NOT_RUNNING},
		{"monitor", 0, HA_EXEC_NOT_INSTALLED, 5, HA_OP_NOT_RUNNING},
		{"monitor", 0, HA_EXEC_DONE, 6, HA_OP_HARD_RESOURCE},
		{"monitor", 10000, HA_EXEC_DONE, 2, HA_OP_HARD_RESOURCE},
		{"monitor", 10000, HA_EXEC_DONE, 5, HA_OP_HARD_NODE},
		{"monitor", 10000, HA_EXEC_DONE, 7, HA_OP_NOT_RUNNING},
		{"monitor", 10000, HA_EXEC_DONE, 8, HA_OP_OK},
		{"monitor", 10000, HA_EXEC_DONE, 9, HA_OP_SOFT},
		{"monitor", 10000, HA_EXEC_DONE, 190, HA_OP_DEGRADED},
		{"monitor", 10000, HA_EXEC_DONE, 191, HA_OP_DEGRADED},
		{"promote", 0, HA_EXEC_DONE, 190, HA_OP_SOFT},
		{"stop", 0, HA_EXEC_DONE, 7, HA_OP_NOT_RUNNING},
		{"stop", 0, HA_EXEC_DONE, 1, HA_OP_SOFT},
		{"monitor", 10000, HA_EXEC_CANCELLED, 1, HA_OP_IGNORE},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		ha_op_severity s = ha_op_classify(cases[i].action, cases[i].interval,
						  cases[i].st, cases[i].rc);
		if (s != cases[i].sev)
			fail_msg("%s/%u %s rc %d: got %s, want %s", cases[i].action,
				 cases[i].interval, ha_exec_status_name(cases[i].st), cases[i].rc,
				 ha_op_severity_name(s), ha_op_severity_name(cases[i].sev));
	}
	assert_string_equal(ha_ocf_rc_name(7), "not running");
	assert_string_equal(ha_ocf_rc_name(8), "promoted");
	assert_string_equal(ha_ocf_rc_name(190), "degraded");
	assert_string_equal(ha_ocf_rc_name(77), "unknown");
	assert_string_equal(ha_exec_status_name(HA_EXEC_TIMEOUT), "timed out");
}

int ha_test_run_pure(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metadata_parse),
		cmocka_unit_test(test_metadata_reject),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_severity),
	};
	return cmocka_run_group_tests_name("exec-pure", tests, NULL, NULL);
}
