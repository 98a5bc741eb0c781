/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Constraint lifetimes in the replicated state machine, fed one scripted stream on two
 * members: they start and end only at TICKs of the lowest member, at the same position
 * on both, as one more configuration epoch with the same content; never while the
 * configuration is not quorate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ha/ha.h>
#include <ha/edit.h>
#include "state/state.h"

static const char cfg_xml[] =
	"<cib validate-with=\"pacemaker-3.9\" admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
	"<configuration><crm_config><cluster_property_set id=\"o\">"
	"<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set>"
	"<cluster_property_set id=\"ha-lifetimes\">"
	"<nvpair id=\"ha-lifetimes-ban\" name=\"ha-lifetime-ban\" value=\"1000\"/>"
	"<nvpair id=\"ha-lifetimes-pref\" name=\"ha-lifetime-pref\" value=\"PT50S\"/>"
	"</cluster_property_set></crm_config>"
	"<nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/></nodes>"
	"<resources><primitive id=\"r\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/></resources>"
	"<constraints><rsc_location id=\"ban\" rsc=\"r\" node=\"n1\" score=\"-INFINITY\"/>"
	"<rsc_location id=\"pref\" rsc=\"r\" node=\"n2\" score=\"10\"/>"
	"<rsc_location id=\"keep\" rsc=\"r\" node=\"n2\" score=\"5\"/></constraints>"
	"</configuration><status/></cib>";

typedef struct pair {
	ha_state *st[3]; /* members 1 and 2 */
} pair;

static void pair_init(pair *p, bool quorate)
{
	for (uint32_t i = 1; i <= 2; i++) {
		ha_cib *cib = NULL;
		assert_int_equal(ha_cib_load_memory(cfg_xml, sizeof(cfg_xml) - 1, "t", 0, &cib, NULL), 0);
		ha_state_options o = {.local = i};
		assert_int_equal(ha__state_new(&o, cib, &p->st[i]), 0);
		ha__state_set_node_name(p->st[i], 1, "n1");
		ha__state_set_node_name(p->st[i], 2, "n2");
		uint32_t members[2] = {1, 2};
		ha__state_membership(p->st[i], 1, members, 2, NULL, NULL, 0);
	}
	/* The sync round: both report the same configuration. */
	for (uint32_t from = 1; from <= 2; from++) {
		ha_msg m;
		ha__state_sync_msg(p->st[from], quorate,
				   g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free),
				   g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free), &m);
		for (uint32_t i = 1; i <= 2; i++)
			ha__state_deliver(p->st[i], from, &m);
		ha__msg_clear(&m);
	}
	for (uint32_t i = 1; i <= 2; i++)
		assert_true(ha__state_synced(p->st[i]));
}

static void pair_free(pair *p)
{
	for (uint32_t i = 1; i <= 2; i++)
		ha__state_free(p->st[i]);
}

static void tick1(pair *p, uint32_t from, int64_t now)
{
	ha_msg m = {.type = HA_MSG_TICK};
	m.u.tick.now = now;
	for (uint32_t i = 1; i <= 2; i++)
		ha__state_deliver(p->st[i], from, &m);
}

/* A TICK from `from`, after the other member's heartbeat (its clock 4000 s ahead:
 * members' ticks never move the replicated clock, and neither is silent). */
static void tick(pair *p, uint32_t from, int64_t now)
{
	tick1(p, from == 1 ? 2 : 1, now + 4000);
	tick1(p, from, now);
}

/* Drain both event queues: how many EXPIRED (their targets joined by ',') and
 * CONFIG_APPLIED events each had; both must have seen the same. */
static void events(pair *p, unsigned *applied, char **expired, int64_t *epoch)
{
	char *seen[3] = {NULL, NULL, NULL};
	unsigned n[3] = {0, 0, 0};
	int64_t ep[3] = {0, 0, 0};
	for (uint32_t i = 1; i <= 2; i++) {
		GString *s = g_string_new(NULL);
		ha_state_event *e;
		while ((e = ha__state_next_event(p->st[i]))) {
			if (e->kind == HA_SEV_CONFIG_APPLIED) {
				n[i]++;
				assert_int_equal(e->request, 0); /* not a write: no ack round */
				ep[i] = e->epoch;
			} else if (e->kind == HA_SEV_NODE_LOST) {
				fail_msg("nobody is lost here: %s (%s)", e->target, e->reason);
			} else if (e->kind == HA_SEV_EXPIRED) {
				g_string_append_printf(s, "%s%s", s->len ? "," : "", e->target);
				assert_int_equal(e->epoch, ha__state_cib(p->st[i])->epoch);
			}
			ha__state_event_free(e);
		}
		seen[i] = g_string_free(s, FALSE);
	}
	assert_string_equal(seen[1], seen[2]);
	assert_int_equal(n[1], n[2]);
	assert_int_equal(ep[1], ep[2]);
	*applied = n[1];
	*expired = seen[1];
	*epoch = ep[1];
	g_free(seen[2]);
}

static void same_config(pair *p)
{
	assert_int_equal(ha__state_cib(p->st[1])->epoch, ha__state_cib(p->st[2])->epoch);
	assert_string_equal(ha__state_config_digest(p->st[1]), ha__state_config_digest(p->st[2]));
}

static void test_lifetimes_expire_at_ticks(void **state)
{
	(void)state;
	pair p;
	unsigned applied;
	char *expired;
	int64_t epoch, left;
	pair_init(&p, true);
	events(&p, &applied, &expired, &epoch);
	g_free(expired);
	/* A duration waits for a tick: due at once. */
	assert_int_equal(ha__state_next_due(p.st[1]), 1);

	/* Another member's tick moves nothing (whatever its clock says). */
	tick1(&p, 2, 5000);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 0);
	assert_string_equal(expired, "");
	g_free(expired);
	assert_int_equal(ha__state_cib(p.st[1])->epoch, 1);

	/* The lowest member's tick at 900: "pref" starts (ends at 950), nothing ends. */
	tick(&p, 1, 900);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 1);
	assert_int_equal(epoch, 2);
	assert_string_equal(expired, "");
	g_free(expired);
	same_config(&p);
	assert_int_equal(ha_cib_lifetime(ha__state_cib(p.st[2]), "pref", 900, &left), 1);
	assert_int_equal(left, 50);
	assert_int_equal(ha__state_next_due(p.st[1]), 950);

	/* Before the first expiry: nothing. */
	tick(&p, 1, 949);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 0);
	g_free(expired);

	/* One tick past both: both go, in document order, as one epoch. */
	tick(&p, 1, 1000);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 1);
	assert_int_equal(epoch, 3);
	assert_string_equal(expired, "ban,pref");
	g_free(expired);
	same_config(&p);
	for (uint32_t i = 1; i <= 2; i++) {
		const ha_cib *cib = ha__state_cib(p.st[i]);
		assert_false(ha_cib_has_constraint(cib, "ban"));
		assert_false(ha_cib_has_constraint(cib, "pref"));
		assert_true(ha_cib_has_constraint(cib, "keep"));
		char *xml = NULL;
		assert_int_equal(ha_cib_to_string(cib, &xml), 0);
		assert_null(strstr(xml, "ha-lifetime"));
		free(xml);
	}
	assert_int_equal(ha__state_next_due(p.st[1]), 0);
	/* Nothing left to do: later ticks change nothing. */
	tick(&p, 1, 2000);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 0);
	g_free(expired);
	pair_free(&p);
}

static void test_lifetimes_wait_for_quorum(void **state)
{
	(void)state;
	pair p;
	unsigned applied;
	char *expired;
	int64_t epoch;
	pair_init(&p, false);
	events(&p, &applied, &expired, &epoch);
	g_free(expired);
	/* Not quorate: a configuration change could not be written, so nothing is due
	 * (the lowest member must not tick in a loop) and nothing expires. */
	assert_int_equal(ha__state_next_due(p.st[1]), 0);
	tick1(&p, 1, 5000);
	events(&p, &applied, &expired, &epoch);
	assert_int_equal(applied, 0);
	assert_string_equal(expired, "");
	g_free(expired);
	assert_true(ha_cib_has_constraint(ha__state_cib(p.st[1]), "ban"));
	assert_int_equal(ha__state_cib(p.st[2])->epoch, 1);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifetimes_expire_at_ticks),
		cmocka_unit_test(test_lifetimes_wait_for_quorum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
