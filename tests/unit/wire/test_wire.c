/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Wire codec tests: round trips of every message type, and rejection (without
 * crashing or leaking) of truncated, oversized, mistyped and random input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/msg.h"

static ha_msg_op *mkop(const char *rsc, const char *op, int rc)
{
	ha_msg_op *o = g_new0(ha_msg_op, 1);
	o->rsc = g_strdup(rsc);
	o->cls = g_strdup("ocf");
	o->provider = g_strdup("ha");
	o->type = g_strdup("Dummy");
	o->operation = g_strdup(op);
	o->interval_ms = 10000;
	o->rc = rc;
	o->op_status = 0;
	o->call_id = 42;
	o->timestamp = 1700000000;
	o->digest = g_strdup("ha1:abc");
	o->exit_reason = g_strdup("it broke: \"badly\"");
	return o;
}

static GByteArray *sample(ha_msg_type t)
{
	ha_msg m = {.type = t};
	switch (t) {
	case HA_MSG_SYNC:
		m.u.sync.ring = 77;
		m.u.sync.quorate = 1;
		m.u.sync.epoch = 5;
		m.u.sync.digest = "d";
		m.u.sync.ops = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
		g_ptr_array_add(m.u.sync.ops, mkop("r1", "start", 0));
		g_ptr_array_add(m.u.sync.ops, mkop("r2", "monitor", 7));
		m.u.sync.attrs = g_ptr_array_new();
		break;
	case HA_MSG_CONFIG:
		m.u.config.request = 9;
		m.u.config.expect_epoch = 4;
		m.u.config.xml = "<configuration/>";
		break;
	case HA_MSG_OP: {
		ha_msg_op *o = mkop("vip", "stop", 0);
		m.u.op = *o;
		GByteArray *b = ha__msg_encode(&m);
		ha__msg_op_free(o);
		return b;
	}
	case HA_MSG_ATTR:
		m.u.attr.node = "n1";
		m.u.attr.name = "master-db";
		m.u.attr.value = NULL;
		break;
	case HA_MSG_CLAIM:
		m.u.claim.rsc = "db:1";
		m.u.claim.action = "promote";
		m.u.claim.epoch = 3;
		break;
	case HA_MSG_RELEASE:
		m.u.release.rsc = "vip";
		break;
	case HA_MSG_CLEANUP:
		m.u.cleanup.rsc = "db";
		m.u.cleanup.node = NULL;
		break;
	case HA_MSG_FENCE:
		m.u.fence.target = "n2";
		break;
	case HA_MSG_FENCED:
		m.u.fenced.target = "n3";
		m.u.fenced.ok = 1;
		m.u.fenced.by = "n1";
		break;
	case HA_MSG_NOTIFY:
		m.u.notify.rsc = "db";
		m.u.notify.action = "demote";
		m.u.notify.origin = 2;
		m.u.notify.round = 41;
		m.u.notify.ack = 1;
		break;
	default:
		break;
	}
	GByteArray *b = ha__msg_encode(&m);
	if (t == HA_MSG_SYNC) {
		g_ptr_array_free(m.u.sync.ops, TRUE);
		g_ptr_array_free(m.u.sync.attrs, TRUE);
	}
	return b;
}

static void test_round_trip(void **state)
{
	(void)state;
	for (int t = 1; t < HA_MSG_MAX; t++) {
		GByteArray *b = sample((ha_msg_type)t);
		assert_non_null(b);
		ha_msg m;
		assert_int_equal(ha__msg_decode(b->data, b->len, &m), 0);
		assert_int_equal(m.type, t);
		if (t == HA_MSG_SYNC) {
			assert_int_equal(m.u.sync.ring, 77);
			assert_int_equal(m.u.sync.ops->len, 2);
			ha_msg_op *o = g_ptr_array_index(m.u.sync.ops, 1);
			assert_string_equal(o->rsc, "r2");
			assert_int_equal(o->rc, 7);
			assert_string_equal(o->exit_reason, "it broke: \"badly\"");
		}
		if (t == HA_MSG_ATTR)
			assert_null(m.u.attr.value);
		if (t == HA_MSG_CLAIM)
			assert_string_equal(m.u.claim.rsc, "db:1");
		if (t == HA_MSG_NOTIFY) {
			assert_string_equal(m.u.notify.action, "demote");
			assert_int_equal(m.u.notify.origin, 2);
			assert_int_equal(m.u.notify.round, 41);
			assert_int_equal(m.u.notify.ack, 1);
		}
		/* every truncation is rejected */
		for (guint cut = 0; cut < b->len; cut++) {
			ha_msg x;
			assert_true(ha__msg_decode(b->data, cut, &x) < 0);
		}
		/* a wrong version is rejected as such */
		b->data[2] = 9;
		ha_msg y;
		assert_int_equal(ha__msg_decode(b->data, b->len, &y), -EPROTO);
		ha__msg_clear(&m);
		g_byte_array_unref(b);
	}
}

static void test_bad_input(void **state)
{
	(void)state;
	ha_msg m;
	assert_true(ha__msg_decode(NULL, 0, &m) < 0);
	assert_true(ha__msg_decode("HA", 2, &m) < 0);
	/* invalid names and enums */
	ha_msg c = {.type = HA_MSG_CLAIM};
	c.u.claim.rsc = "bad id";
	c.u.claim.action = "start";
	GByteArray *b = ha__msg_encode(&c);
	assert_true(ha__msg_decode(b->data, b->len, &m) < 0);
	g_byte_array_unref(b);
	c.u.claim.rsc = "ok";
	c.u.claim.action = "explode";
	b = ha__msg_encode(&c);
	assert_true(ha__msg_decode(b->data, b->len, &m) < 0);
	g_byte_array_unref(b);
	/* oversized */
	char *big = g_malloc(HA_WIRE_MAX_STR + 10);
	memset(big, 'x', HA_WIRE_MAX_STR + 9);
	big[HA_WIRE_MAX_STR + 9] = 0;
	ha_msg cfg = {.type = HA_MSG_CONFIG};
	cfg.u.config.xml = big;
	assert_null(ha__msg_encode(&cfg));
	g_free(big);
	/* random bytes never crash and never succeed with trailing garbage */
	GRand *rnd = g_rand_new_with_seed(1);
	for (int i = 0; i < 20000; i++) {
		uint8_t buf[64];
		size_t n = (size_t)g_rand_int_range(rnd, 0, sizeof(buf));
		for (size_t j = 0; j < n; j++)
			buf[j] = (uint8_t)g_rand_int(rnd);
		if (n >= 8) {
			buf[0] = 'H';
			buf[1] = 'A';
			buf[2] = 1;
			buf[3] = (uint8_t)(1 + g_rand_int_range(rnd, 0, HA_MSG_MAX - 1));
			uint32_t len = (uint32_t)(n - 8);
			memcpy(buf + 4, &len, 4);
		}
		if (ha__msg_decode(buf, n, &m) == 0)
			ha__msg_clear(&m);
	}
	g_rand_free(rnd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
