/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Membership assembly of the corosync transport, fed CPG's confchg/totem sequences as
 * corosync produces them: a transition's confchgs wait for the totem confchg and its
 * ring id; joins and leaves inside a ring are reported at once; every change once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_transport.h"
#include "transport/memb.h"

typedef struct {
	ha__memb m;
	GPtrArray *out; /* one line per emitted change */
} fixture;

static void join_ids(GString *s, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s%u", i ? "," : "", v[i]);
}

static void emit(void *ctx, uint64_t ring, const uint32_t *members, size_t n,
		 const uint32_t *joined, size_t n_joined, const uint32_t *left,
		 const ha_leave_reason *why, size_t n_left)
{
	fixture *f = ctx;
	GString *s = g_string_new(NULL);
	size_t i;

	g_string_append_printf(s, "ring %llu members ", (unsigned long long)ring);
	join_ids(s, members, n);
	g_string_append(s, " joined ");
	join_ids(s, joined, n_joined);
	g_string_append(s, " left ");
	for (i = 0; i < n_left; i++)
		g_string_append_printf(s, "%s%u:%d", i ? "," : "", left[i], (int)why[i]);
	g_ptr_array_add(f->out, g_string_free(s, FALSE));
}

static int setup(void **state)
{
	fixture *f = g_new0(fixture, 1);

	ha__memb_init(&f->m, emit, f);
	ha__memb_reset(&f->m, 1);
	f->out = g_ptr_array_new_with_free_func(g_free);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	ha__memb_destroy(&f->m);
	g_ptr_array_free(f->out, TRUE);
	g_free(f);
	return 0;
}

#define IDS(...) ((const uint32_t[]){ __VA_ARGS__ })
#define N(...) (sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static void confchg(fixture *f, const uint32_t *members, size_t n, const uint32_t *left,
		    const ha_leave_reason *why, size_t n_left, const uint32_t *joined,
		    size_t n_joined)
{
	ha__memb_confchg(&f->m, members, n, left, why, n_left, joined, n_joined);
}

static void expect(fixture *f, const char *const *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < f->out->len; i++)
		assert_string_equal(g_ptr_array_index(f->out, i), lines[i]);
	assert_int_equal(f->out->len, n);
}

/* Our join comes before the first ring id (CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF
 * sends it right after): it waits for it. */
static void start(fixture *f)
{
	confchg(f, IDS(1, 2), 2, NULL, NULL, 0, IDS(1), 1);
	assert_int_equal(f->out->len, 0);
	ha__memb_totem(&f->m, 8, IDS(1, 2, 3), 3);
}

static void test_own_join_waits_for_ring(void **state)
{
	static const char *const want[] = { "ring 8 members 1,2 joined 1 left " };
	fixture *f = *state;

	start(f);
	expect(f, want, 1);
	/* The same ring again (already known) reports nothing. */
	ha__memb_totem(&f->m, 8, IDS(1, 2, 3), 3);
	expect(f, want, 1);
}

static void test_in_ring_changes_at_once(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 8 members 1,2,3 joined 3 left ",
		"ring 8 members 1,2 joined  left 3:3",
		"ring 8 members 1 joined  left 2:1",
	};
	static const ha_leave_reason procdown[] = { HA_LEAVE_PROCDOWN };
	static const ha_leave_reason clean[] = { HA_LEAVE_CLEAN };
	fixture *f = *state;

	start(f);
	/* Node 3 is in our ring: its process joining is not a transition. */
	confchg(f, IDS(1, 2, 3), 3, NULL, NULL, 0, IDS(3), 1);
	confchg(f, IDS(1, 2), 2, IDS(3), procdown, 1, NULL, 0);
	confchg(f, IDS(1), 1, IDS(2), clean, 1, NULL, 0);
	expect(f, want, 4);
}

static void test_nodedown_waits_for_totem(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 12 members 1 joined  left 2:2",
	};
	static const ha_leave_reason down[] = { HA_LEAVE_NODEDOWN };
	fixture *f = *state;

	start(f);
	confchg(f, IDS(1), 1, IDS(2), down, 1, NULL, 0);
	assert_int_equal(f->out->len, 1); /* held: the new ring id is not known yet */
	ha__memb_totem(&f->m, 12, IDS(1, 3), 2);
	expect(f, want, 2);
}

static void test_merge_batches_joins(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 12 members 1 joined  left 2:2",
		"ring 16 members 1,2,4 joined 2,4 left ",
	};
	static const ha_leave_reason down[] = { HA_LEAVE_NODEDOWN };
	fixture *f = *state;

	start(f);
	confchg(f, IDS(1), 1, IDS(2), down, 1, NULL, 0);
	ha__memb_totem(&f->m, 12, IDS(1), 1);
	/* The joinlist of a merge: one confchg per process, then the totem confchg. */
	confchg(f, IDS(1, 2), 2, NULL, NULL, 0, IDS(2), 1);
	confchg(f, IDS(1, 2, 4), 3, NULL, NULL, 0, IDS(4), 1);
	assert_int_equal(f->out->len, 2);
	ha__memb_totem(&f->m, 16, IDS(1, 2, 4), 3);
	expect(f, want, 3);
}

static void test_down_and_up_in_one_transition(void **state)
{
	/* Node 2 left with the old ring and a node 3 process joins from outside: one
	 * change, both lists. An in-ring join after a held change waits with it. */
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 12 members 1,3,5 joined 3,5 left 2:2",
	};
	static const ha_leave_reason down[] = { HA_LEAVE_NODEDOWN };
	fixture *f = *state;

	start(f);
	ha__memb_totem(&f->m, 8, IDS(1, 2, 5), 3); /* same ring: nothing */
	confchg(f, IDS(1), 1, IDS(2), down, 1, NULL, 0);
	confchg(f, IDS(1, 3), 2, NULL, NULL, 0, IDS(3), 1);
	confchg(f, IDS(1, 3, 5), 3, NULL, NULL, 0, IDS(5), 1);
	assert_int_equal(f->out->len, 1);
	ha__memb_totem(&f->m, 12, IDS(1, 3, 5), 3);
	expect(f, want, 2);
}

static void test_ring_change_without_group_change(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 12 members 1,2 joined  left ",
	};
	fixture *f = *state;

	start(f);
	/* A node without our group joined the ring: a new configuration all the same
	 * (quorum notifications name ring 12 now). */
	ha__memb_totem(&f->m, 12, IDS(1, 2, 3, 4), 4);
	expect(f, want, 2);
}

static void test_other_process_of_member_node(void **state)
{
	static const char *const want[] = { "ring 8 members 1,2 joined 1 left " };
	static const ha_leave_reason procdown[] = { HA_LEAVE_PROCDOWN };
	fixture *f = *state;

	start(f);
	/* A second process of node 2 joins and leaves: node 2 is a member throughout. */
	confchg(f, IDS(1, 2, 2), 3, NULL, NULL, 0, IDS(2), 1);
	confchg(f, IDS(1, 2), 2, IDS(2), procdown, 1, NULL, 0);
	expect(f, want, 1);
}

static void test_deliver_flushes_held_change(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 8 members 1 joined  left 2:2",
		"ring 12 members 1 joined  left ",
	};
	static const ha_leave_reason down[] = { HA_LEAVE_NODEDOWN };
	fixture *f = *state;

	start(f);
	assert_false(ha__memb_before_deliver(&f->m));
	confchg(f, IDS(1), 1, IDS(2), down, 1, NULL, 0);
	/* Not what corosync does; if it ever did, the change must not trail the message. */
	assert_true(ha__memb_before_deliver(&f->m));
	ha__memb_totem(&f->m, 12, IDS(1), 1);
	expect(f, want, 3);
}

static void test_reset_forgets(void **state)
{
	static const char *const want[] = {
		"ring 8 members 1,2 joined 1 left ",
		"ring 20 members 1,2,3 joined 1 left ",
	};
	fixture *f = *state;

	start(f);
	ha__memb_reset(&f->m, 1); /* connection lost and back */
	ha__memb_totem(&f->m, 20, IDS(1, 2, 3), 3); /* not in the group: nothing */
	assert_int_equal(f->out->len, 1);
	/* The ring is known: our join is reported at once. */
	confchg(f, IDS(1, 2, 3), 3, NULL, NULL, 0, IDS(1), 1);
	expect(f, want, 2);
}

int ha_test_run_memb(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_join_waits_for_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_in_ring_changes_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodedown_waits_for_totem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_batches_joins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_and_up_in_one_transition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_change_without_group_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_process_of_member_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_flushes_held_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_forgets, setup, teardown),
	};

	return cmocka_run_group_tests_name("memb", tests, NULL, NULL);
}
