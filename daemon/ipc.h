/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The had <-> hactl protocol over libqb IPC (service "ha"): message layout, limits,
 * encoder and validating decoder, shared by both programs. It does no I/O: had and
 * hactl move the bytes with libqb; tests and fuzzers feed the decoder directly.
 */
#ifndef HAD_IPC_H
#define HAD_IPC_H

#include <stddef.h>
#include <stdint.h>

#include <qb/qbipc_common.h>

/* The libqb IPC service name; had listens on it in its network namespace. */
#define HAD_IPC_SERVICE "ha"

/* Largest message in either direction (a CIB snapshot with status must fit). */
#define HAD_IPC_MAX_MSG (8u * 1024u * 1024u)
/* The buffer a client asks for first. Each connection maps three libqb ring buffers of
 * its size, which libqb fallocates and initialises while had waits: about 1.2 ms per
 * MiB on a loaded 2-core VM, so 8 MiB cost every hactl connection ~30 ms and `hactl
 * move` (three connections) ~90 ms (tests/bench/failover). A request that does not fit
 * is sent on a new connection of HAD_IPC_MAX_MSG; a reply that does not fit is answered
 * with -EMSGSIZE, and the client asks again on such a connection. */
#define HAD_IPC_SMALL_MSG (1024u * 1024u)
/* Fields per message, and the size of every field but the big one (field 0 of a
 * CONFIG request and of a CIB reply, the text of a reply). */
#define HAD_IPC_MAX_FIELDS 64
#define HAD_IPC_FIELD_MAX 4096
/* Events had keeps for `hactl events` / `hactl history` (the newest ones). */
#define HAD_EVENTS_MAX 2000

/* Requests (the header's id). Replies carry the same id and an error code. */
typedef enum {
	HAD_IPC_HELLO = 1, /* -> node, version, access ("rw"/"ro"), epoch, quorate ("1"/"0") */
	HAD_IPC_CIB,       /* -> xml (configuration + status), epoch, node, quorate, now (the
			    * replicated clock, seconds: what constraint lifetimes count in) */
	HAD_IPC_CONFIG,    /* xml, expect_epoch [DRY_RUN] -> plan text, epoch */
	HAD_IPC_ATTR,      /* node, name [, value] (absent: remove) [DRY_RUN] -> plan text */
	HAD_IPC_CLEANUP,   /* rsc [, node] [DRY_RUN] -> plan text */
	HAD_IPC_FENCE,     /* node [DRY_RUN] -> text */
	HAD_IPC_EVENTS,    /* max [FOLLOW] -> recent events (JSON lines); then EVENT messages */
	HAD_IPC_CMD_MAX,
	HAD_IPC_EVENT = 100, /* server -> client event: one JSON line */
} had_ipc_cmd;

enum {
	HAD_IPC_DRY_RUN = 1u << 0,
	HAD_IPC_FOLLOW = 1u << 1,
	HAD_IPC_FLAGS_ALL = HAD_IPC_DRY_RUN | HAD_IPC_FOLLOW,
};

/* A decoded message: fields point into buf (owned, NUL-terminated each). */
typedef struct had_ipc_msg {
	int32_t id;     /* had_ipc_cmd */
	int32_t error;  /* replies: 0 or a negated errno / HA_E* code */
	uint32_t flags; /* requests: HAD_IPC_* flags */
	unsigned nfields;
	const char *fields[HAD_IPC_MAX_FIELDS];
	char *buf;
} had_ipc_msg;

/*
 * Wire layout (host byte order: both ends are on the same machine):
 *   request:  qb_ipc_request_header { size, id }, uint32 flags, uint32 nfields,
 *             then nfields NUL-terminated strings;
 *   reply/event: qb_ipc_response_header { size, id, error }, uint32 nfields, strings.
 */

/* Encode a request / a reply. *ret (free()) holds *len bytes; -EMSGSIZE if too big,
 * -EINVAL for more than HAD_IPC_MAX_FIELDS fields or a field over its bound. */
int had_ipc_encode_request(int32_t id, uint32_t flags, const char *const *fields,
			  unsigned nfields, void **ret, size_t *len);
int had_ipc_encode_reply(int32_t id, int32_t error, const char *const *fields,
			unsigned nfields, void **ret, size_t *len);

/* Decode and validate (sizes agree, known id and flags, field count and bounds, every
 * field terminated, nothing trailing). 0 and *m filled (had_ipc_msg_clear it), or
 * -EBADMSG / -EMSGSIZE with *m zeroed. */
int had_ipc_decode_request(const void *data, size_t len, had_ipc_msg *m);
int had_ipc_decode_reply(const void *data, size_t len, had_ipc_msg *m);
void had_ipc_msg_clear(had_ipc_msg *m);

/* Field i or NULL when absent. */
const char *had_ipc_field(const had_ipc_msg *m, unsigned i);

const char *had_ipc_cmd_name(int32_t id);

#endif
