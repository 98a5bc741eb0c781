/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The send retry queue against a fake cpg whose mcast answers from a script of
 * corosync result codes (through the corosync transport's own code mapping): flow
 * control queues in order, retries try once per timer tick with backoff, nothing is
 * dropped or reordered, hard errors surface, the byte limit holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <corosync/corotypes.h>

#include "test_transport.h"
#include "transport/sendq.h"
#include "transport/transport_private.h"

/* A fake cpg_mcast_joined(): answers script[calls] (CS_OK once the script ends) and
 * records what it accepted. */
typedef struct {
	const int *script;
	size_t n_script;
	size_t calls;
	GPtrArray *accepted; /* char * */
} fake_cpg;

static int fake_mcast(void *ctx, const void *msg, size_t len)
{
	fake_cpg *f = ctx;
	int cs = f->calls < f->n_script ? f->script[f->calls] : CS_OK;

	f->calls++;
	if (cs == CS_OK)
		g_ptr_array_add(f->accepted, g_strndup(msg, len));
	return ha__corosync_errno(cs);
}

static void fake_init(fake_cpg *f, const int *script, size_t n)
{
	f->script = script;
	f->n_script = n;
	f->calls = 0;
	f->accepted = g_ptr_array_new_with_free_func(g_free);
}

static int send_str(ha__sendq *q, const char *s)
{
	return ha__sendq_send(q, s, strlen(s));
}

static void assert_accepted(const fake_cpg *f, const char *const *want, size_t n)
{
	size_t i;

	assert_int_equal(f->accepted->len, n);
	for (i = 0; i < n; i++)
		assert_string_equal(g_ptr_array_index(f->accepted, i), want[i]);
}

static void test_errno_mapping(void **state)
{
	(void)state;
	assert_int_equal(ha__corosync_errno(CS_OK), 0);
	assert_int_equal(ha__corosync_errno(CS_ERR_TRY_AGAIN), -EAGAIN);
	/* Only fragmented sends return INTERRUPT: resend the whole message. */
	assert_int_equal(ha__corosync_errno(CS_ERR_INTERRUPT), -EAGAIN);
	assert_int_equal(ha__corosync_errno(CS_ERR_BAD_HANDLE), -ENOTCONN);
	assert_int_equal(ha__corosync_errno(CS_ERR_LIBRARY), -ENOTCONN);
	assert_int_equal(ha__corosync_errno(CS_ERR_TOO_BIG), -EMSGSIZE);
	assert_int_equal(ha__corosync_errno(CS_ERR_ACCESS), -EACCES);
	assert_int_equal(ha__corosync_errno(9999), -EIO);
}

static void test_send_direct(void **state)
{
	static const char *const want[] = { "a", "b" };
	fake_cpg f;
	ha__sendq q;

	(void)state;
	fake_init(&f, NULL, 0);
	ha__sendq_init(&q, 1024, fake_mcast, &f);
	assert_int_equal(send_str(&q, "a"), 0);
	assert_int_equal(send_str(&q, "b"), 0);
	assert_int_equal(f.calls, 2);
	assert_int_equal(ha__sendq_len(&q), 0);
	assert_accepted(&f, want, 2);
	g_ptr_array_free(f.accepted, TRUE);
}

static void test_try_again_keeps_order(void **state)
{
	/* m1 refused twice (TRY_AGAIN, then INTERRUPT), then everything goes. */
	static const int script[] = { CS_ERR_TRY_AGAIN, CS_ERR_INTERRUPT };
	static const char *const want[] = { "m1", "m2", "m3" };
	fake_cpg f;
	ha__sendq q;

	(void)state;
	fake_init(&f, script, 2);
	ha__sendq_init(&q, 1024, fake_mcast, &f);
	assert_int_equal(send_str(&q, "m1"), 0);
	assert_int_equal(f.calls, 1);
	assert_int_equal(ha__sendq_len(&q), 1);
	assert_int_equal(ha__sendq_retry_delay_ms(&q), HA_SENDQ_RETRY_MIN_MS);
	/* Behind a refused message, later ones wait without being tried: trying m2
	 * while m1 waits could let it overtake. */
	assert_int_equal(send_str(&q, "m2"), 0);
	assert_int_equal(send_str(&q, "m3"), 0);
	assert_int_equal(f.calls, 1);
	assert_int_equal(ha__sendq_len(&q), 3);
	/* A retry tick tries the head once and stops (no spinning). */
	assert_int_equal(ha__sendq_flush(&q), 3);
	assert_int_equal(f.calls, 2);
	assert_int_equal(ha__sendq_retry_delay_ms(&q), 2 * HA_SENDQ_RETRY_MIN_MS);
	/* The next tick drains everything, in order. */
	assert_int_equal(ha__sendq_flush(&q), 0);
	assert_int_equal(f.calls, 5);
	assert_accepted(&f, want, 3);
	assert_int_equal(ha__sendq_retry_delay_ms(&q), HA_SENDQ_RETRY_MIN_MS);
	/* Empty again: the next send goes straight through. */
	assert_int_equal(send_str(&q, "m4"), 0);
	assert_int_equal(f.calls, 6);
	assert_int_equal(ha__sendq_len(&q), 0);
	g_ptr_array_free(f.accepted, TRUE);
}

static void test_partial_flush_and_backoff_cap(void **state)
{
	/* a refused; on the retry a and b go, c refused 9 times, then all go. */
	static const int script[] = {
		CS_ERR_TRY_AGAIN, CS_OK, CS_OK, CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN,
		CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN,
		CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN, CS_ERR_TRY_AGAIN,
	};
	static const char *const want[] = { "a", "b", "c", "d" };
	unsigned prev = 0, i;
	fake_cpg f;
	ha__sendq q;

	(void)state;
	fake_init(&f, script, G_N_ELEMENTS(script));
	ha__sendq_init(&q, 1024, fake_mcast, &f);
	assert_int_equal(send_str(&q, "a"), 0);
	assert_int_equal(send_str(&q, "b"), 0);
	assert_int_equal(send_str(&q, "c"), 0);
	assert_int_equal(send_str(&q, "d"), 0);
	assert_int_equal(ha__sendq_flush(&q), 2); /* a, b out; c refused */
	for (i = 0; i < 8; i++) {
		unsigned d = ha__sendq_retry_delay_ms(&q);

		assert_true(d >= prev);
		assert_true(d <= HA_SENDQ_RETRY_MAX_MS);
		prev = d;
		assert_int_equal(ha__sendq_flush(&q), 2);
	}
	assert_int_equal(ha__sendq_retry_delay_ms(&q), HA_SENDQ_RETRY_MAX_MS);
	assert_int_equal(ha__sendq_flush(&q), 0);
	assert_int_equal(f.calls, G_N_ELEMENTS(script) + 2);
	assert_accepted(&f, want, 4);
	g_ptr_array_free(f.accepted, TRUE);
}

static void test_hard_error(void **state)
{
	static const int script[] = { CS_ERR_TRY_AGAIN, CS_ERR_BAD_HANDLE, CS_ERR_LIBRARY };
	fake_cpg f;
	ha__sendq q;

	(void)state;
	fake_init(&f, script, 3);
	ha__sendq_init(&q, 1024, fake_mcast, &f);
	assert_int_equal(send_str(&q, "x"), 0);
	/* The connection broke: the error surfaces, the message stays at the head. */
	assert_int_equal(ha__sendq_flush(&q), -ENOTCONN);
	assert_int_equal(ha__sendq_len(&q), 1);
	assert_int_equal(ha__sendq_clear(&q), 1);
	/* A hard error on a direct send queues nothing. */
	assert_int_equal(send_str(&q, "y"), -ENOTCONN);
	assert_int_equal(ha__sendq_len(&q), 0);
	assert_int_equal(f.accepted->len, 0);
	g_ptr_array_free(f.accepted, TRUE);
}

static void test_byte_limit(void **state)
{
	static const int script[] = { CS_ERR_TRY_AGAIN };
	char big[64];
	fake_cpg f;
	ha__sendq q;

	(void)state;
	memset(big, 'x', sizeof(big));
	fake_init(&f, script, 1);
	ha__sendq_init(&q, 100, fake_mcast, &f);
	assert_int_equal(ha__sendq_send(&q, big, 64), 0); /* refused, queued: 64 bytes */
	assert_int_equal(ha__sendq_send(&q, big, 36), 0); /* 100 bytes */
	assert_int_equal(ha__sendq_send(&q, big, 1), -ENOBUFS);
	assert_int_equal(ha__sendq_len(&q), 2);
	assert_int_equal(ha__sendq_flush(&q), 0);
	assert_int_equal(ha__sendq_send(&q, big, 1), 0);
	assert_int_equal(f.accepted->len, 3);
	g_ptr_array_free(f.accepted, TRUE);
}

static void test_hold(void **state)
{
	static const char *const want[] = { "j1", "j2" };
	fake_cpg f;
	ha__sendq q;

	(void)state;
	fake_init(&f, NULL, 0);
	ha__sendq_init(&q, 1024, fake_mcast, &f);
	/* The join itself was refused: messages must wait behind it untried. */
	ha__sendq_hold(&q, true);
	assert_int_equal(send_str(&q, "j1"), 0);
	assert_int_equal(send_str(&q, "j2"), 0);
	assert_int_equal(ha__sendq_flush(&q), 2);
	assert_int_equal(f.calls, 0);
	ha__sendq_hold(&q, false);
	assert_int_equal(ha__sendq_flush(&q), 0);
	assert_accepted(&f, want, 2);
	g_ptr_array_free(f.accepted, TRUE);
}

int ha_test_run_sendq(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_mapping),
		cmocka_unit_test(test_send_direct),
		cmocka_unit_test(test_try_again_keeps_order),
		cmocka_unit_test(test_partial_flush_and_backoff_cap),
		cmocka_unit_test(test_hard_error),
		cmocka_unit_test(test_byte_limit),
		cmocka_unit_test(test_hold),
	};

	return cmocka_run_group_tests_name("sendq", tests, NULL, NULL);
}
