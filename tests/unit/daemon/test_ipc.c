/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* had <-> hactl IPC codec: round trips of requests, replies and events, and rejection
 * (nothing allocated, nothing read out of bounds) of every malformed shape. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc.h"

static void test_request_roundtrip(void **state)
{
	(void)state;
	const char *f[3] = {"<cib/>", "42", ""};
	void *buf;
	size_t len;
	had_ipc_msg m;
	assert_int_equal(had_ipc_encode_request(HAD_IPC_CONFIG, HAD_IPC_DRY_RUN, f, 3, &buf, &len), 0);
	assert_int_equal(had_ipc_decode_request(buf, len, &m), 0);
	assert_int_equal(m.id, HAD_IPC_CONFIG);
	assert_int_equal(m.flags, HAD_IPC_DRY_RUN);
	assert_int_equal(m.nfields, 3);
	assert_string_equal(had_ipc_field(&m, 0), "<cib/>");
	assert_string_equal(had_ipc_field(&m, 1), "42");
	assert_string_equal(had_ipc_field(&m, 2), "");
	assert_null(had_ipc_field(&m, 3));
	had_ipc_msg_clear(&m);
	/* No fields at all. */
	free(buf);
	assert_int_equal(had_ipc_encode_request(HAD_IPC_HELLO, 0, NULL, 0, &buf, &len), 0);
	assert_int_equal(had_ipc_decode_request(buf, len, &m), 0);
	assert_int_equal(m.nfields, 0);
	had_ipc_msg_clear(&m);
	free(buf);
}

static void test_reply_roundtrip(void **state)
{
	(void)state;
	const char *f[2] = {"text\nwith lines", "7"};
	void *buf;
	size_t len;
	had_ipc_msg m;
	assert_int_equal(had_ipc_encode_reply(HAD_IPC_CIB, -EACCES, f, 2, &buf, &len), 0);
	assert_int_equal(had_ipc_decode_reply(buf, len, &m), 0);
	assert_int_equal(m.id, HAD_IPC_CIB);
	assert_int_equal(m.error, -EACCES);
	assert_string_equal(had_ipc_field(&m, 0), "text\nwith lines");
	had_ipc_msg_clear(&m);
	free(buf);
	const char *ev = "{\"event\":\"x\"}";
	assert_int_equal(had_ipc_encode_reply(HAD_IPC_EVENT, 0, &ev, 1, &buf, &len), 0);
	assert_int_equal(had_ipc_decode_reply(buf, len, &m), 0);
	assert_int_equal(m.id, HAD_IPC_EVENT);
	had_ipc_msg_clear(&m);
	/* An event is not a request. */
	assert_int_equal(had_ipc_decode_request(buf, len, &m), -EBADMSG);
	free(buf);
}

static void test_encode_bounds(void **state)
{
	(void)state;
	void *buf = NULL;
	size_t len;
	const char *many[HAD_IPC_MAX_FIELDS + 1];
	for (int i = 0; i <= HAD_IPC_MAX_FIELDS; i++)
		many[i] = "x";
	assert_int_equal(had_ipc_encode_request(HAD_IPC_ATTR, 0, many, HAD_IPC_MAX_FIELDS + 1, &buf, &len),
			 -EINVAL);
	char *big = malloc(HAD_IPC_FIELD_MAX + 1);
	memset(big, 'a', HAD_IPC_FIELD_MAX);
	big[HAD_IPC_FIELD_MAX] = '\0';
	const char *f[2] = {big, "1"};
	/* Only field 0 of CONFIG may be big. */
	assert_int_equal(had_ipc_encode_request(HAD_IPC_ATTR, 0, f, 2, &buf, &len), -EINVAL);
	assert_int_equal(had_ipc_encode_request(HAD_IPC_CONFIG, 0, f, 2, &buf, &len), 0);
	free(buf);
	free(big);
	char *huge = malloc(HAD_IPC_MAX_MSG + 1);
	memset(huge, 'b', HAD_IPC_MAX_MSG);
	huge[HAD_IPC_MAX_MSG] = '\0';
	f[0] = huge;
	assert_int_equal(had_ipc_encode_request(HAD_IPC_CONFIG, 0, f, 2, &buf, &len), -EMSGSIZE);
	assert_int_equal(had_ipc_encode_reply(HAD_IPC_CIB, 0, f, 1, &buf, &len), -EMSGSIZE);
	free(huge);
	assert_int_equal(had_ipc_encode_request(0, 0, NULL, 0, &buf, &len), -EINVAL);
	assert_int_equal(had_ipc_encode_request(HAD_IPC_HELLO, 0x80, NULL, 0, &buf, &len), -EINVAL);
	const char *nul[1] = {NULL};
	assert_int_equal(had_ipc_encode_request(HAD_IPC_HELLO, 0, nul, 1, &buf, &len), -EINVAL);
}

/* A valid request to corrupt. */
static char *valid(size_t *len)
{
	const char *f[2] = {"node", "name"};
	void *buf;
	assert_int_equal(had_ipc_encode_request(HAD_IPC_ATTR, 0, f, 2, &buf, len), 0);
	return buf;
}

static void expect_bad(const void *buf, size_t len)
{
	had_ipc_msg m;
	int r = had_ipc_decode_request(buf, len, &m);
	assert_true(r == -EBADMSG || r == -EMSGSIZE);
	assert_null(m.buf);
	assert_int_equal(m.nfields, 0);
}

static void test_decode_rejects(void **state)
{
	(void)state;
	size_t len;
	char *b = valid(&len);
	struct qb_ipc_request_header h;
	/* Truncated anywhere. */
	for (size_t l = 0; l < len; l++) {
		char *t = malloc(l ? l : 1);
		memcpy(t, b, l);
		memcpy(&h, b, sizeof(h));
		expect_bad(l ? t : NULL, l);
		free(t);
	}
	/* Size field disagrees. */
	memcpy(&h, b, sizeof(h));
	h.size++;
	memcpy(b, &h, sizeof(h));
	expect_bad(b, len);
	h.size--;
	memcpy(b, &h, sizeof(h));
	/* Unknown id, unknown flag. */
	h.id = 999;
	memcpy(b, &h, sizeof(h));
	expect_bad(b, len);
	h.id = HAD_IPC_ATTR;
	memcpy(b, &h, sizeof(h));
	uint32_t extra[2];
	memcpy(extra, b + sizeof(h), sizeof(extra));
	extra[0] = 0x100;
	memcpy(b + sizeof(h), extra, sizeof(extra));
	expect_bad(b, len);
	extra[0] = 0;
	/* More fields claimed than present, too many fields, fewer (trailing bytes). */
	extra[1] = 3;
	memcpy(b + sizeof(h), extra, sizeof(extra));
	expect_bad(b, len);
	extra[1] = HAD_IPC_MAX_FIELDS + 1;
	memcpy(b + sizeof(h), extra, sizeof(extra));
	expect_bad(b, len);
	extra[1] = 1;
	memcpy(b + sizeof(h), extra, sizeof(extra));
	expect_bad(b, len);
	extra[1] = 2;
	memcpy(b + sizeof(h), extra, sizeof(extra));
	/* The last field without its terminator. */
	b[len - 1] = 'x';
	expect_bad(b, len);
	b[len - 1] = '\0';
	had_ipc_msg m;
	assert_int_equal(had_ipc_decode_request(b, len, &m), 0);
	had_ipc_msg_clear(&m);
	free(b);
	/* Oversized as a whole. */
	expect_bad("", (size_t)HAD_IPC_MAX_MSG + 1);
}

static void test_decode_field_bound(void **state)
{
	(void)state;
	/* Hand-made: ATTR with a field over the bound (the encoder refuses to make it). */
	size_t flen = HAD_IPC_FIELD_MAX + 10;
	size_t len = sizeof(struct qb_ipc_request_header) + 8 + flen + 1;
	char *b = calloc(1, len);
	struct qb_ipc_request_header h = {.id = HAD_IPC_ATTR, .size = (int32_t)len};
	uint32_t extra[2] = {0, 1};
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), extra, sizeof(extra));
	memset(b + sizeof(h) + 8, 'z', flen);
	expect_bad(b, len);
	free(b);
}

static void test_random_input(void **state)
{
	(void)state;
	/* Random bytes with a plausible header: never accepted with garbage, never a crash. */
	unsigned seed = 12345;
	for (int i = 0; i < 20000; i++) {
		size_t len = 16 + (size_t)(rand_r(&seed) % 64);
		char *b = malloc(len);
		for (size_t j = 0; j < len; j++)
			b[j] = (char)(rand_r(&seed) % 4 ? rand_r(&seed) % 128 : 0);
		struct qb_ipc_request_header h = {.id = 1 + rand_r(&seed) % HAD_IPC_CMD_MAX,
						  .size = (int32_t)len};
		memcpy(b, &h, sizeof(h));
		had_ipc_msg m;
		if (had_ipc_decode_request(b, len, &m) == 0) {
			for (unsigned k = 0; k < m.nfields; k++)
				assert_true(strlen(m.fields[k]) < HAD_IPC_FIELD_MAX ||
					    (m.id == HAD_IPC_CONFIG && k == 0));
			had_ipc_msg_clear(&m);
		}
		if (had_ipc_decode_reply(b, len, &m) == 0)
			had_ipc_msg_clear(&m);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_field_bound),
		cmocka_unit_test(test_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
