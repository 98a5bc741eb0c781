/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The node-to-node messages of the replicated state (DESIGN.md "The replicated
 * state"): one struct per type, an encoder and a validating decoder. Decoding never
 * trusts the sender: every string is bounded, every enum checked, counts capped.
 */
#ifndef HA_WIRE_MSG_H
#define HA_WIRE_MSG_H

#include "wire.h"

typedef enum {
	HA_MSG_SYNC = 1,      /* after a membership change: my view + my own status */
	HA_MSG_CONFIG,        /* a configuration write (whole <configuration>), expected version */
	HA_MSG_CONFIG_ACK,    /* I persisted this configuration version */
	HA_MSG_OP,            /* an operation result (or pending mark) on the sender's node */
	HA_MSG_ATTR,          /* a node attribute set or removed */
	HA_MSG_CLAIM,         /* I want to start/promote this resource instance */
	HA_MSG_RELEASE,       /* I give up my claim */
	HA_MSG_FENCED,        /* fencing result for a target */
	HA_MSG_TICK,          /* time-driven changes, sent by the lowest member */
	HA_MSG_LEAVE,         /* I am leaving cleanly (resources stopped) */
	HA_MSG_CLEANUP,       /* forget a resource's history and fail counts (re-probe) */
	HA_MSG_FENCE,         /* an operator asks for a node to be fenced */
	HA_MSG_NOTIFY,        /* pre-notification round of a clone action, or an ack of one */
	HA_MSG_MAX
} ha_msg_type;

#define HA_MSG_MAX_OPS 4096   /* ops per sync message */
#define HA_MSG_MAX_ATTRS 1024
#define HA_MSG_ID_MAX 256     /* resource ids, names */
#define HA_MSG_TEXT_MAX 4096  /* exit reasons, values */

typedef struct ha_msg_op {
	char *rsc, *cls, *provider, *type;
	char *operation;
	uint32_t interval_ms;
	int32_t rc;
	int32_t op_status;  /* HA_OPST_* (-1 = pending) */
	int64_t call_id;
	int64_t timestamp;  /* seconds, the sender's clock: informational only */
	uint32_t exec_ms;
	char *digest;
	char *exit_reason;
} ha_msg_op;

typedef struct ha_msg_attr {
	char *node;
	char *name;
	char *value; /* NULL: remove */
} ha_msg_attr;

/* What a member knows of a node that is not a member (in its SYNC): a newcomer (a
 * restarted daemon, the other side of a partition) learns it, so that every member
 * decides claims on the same facts. */
typedef enum {
	HA_OTHER_FROZEN = 1, /* its daemon died, corosync stayed: resources frozen */
	HA_OTHER_LOST = 2,   /* left uncleanly, not fenced yet: possibly active */
	HA_OTHER_DOWN = 3,   /* seen, then left cleanly or fenced: nothing runs there */
} ha_other_kind;

typedef struct ha_msg_other {
	char *node;
	uint8_t kind;       /* ha_other_kind */
	int64_t since;      /* replicated time it became so */
	GPtrArray *ops;     /* ha_msg_op*: its last known operation history (frozen, lost) */
} ha_msg_other;

#define HA_MSG_MAX_OTHERS 256
#define HA_MSG_MAX_MEMBERS 1024

typedef struct ha_msg {
	ha_msg_type type;
	union {
		struct {
			uint64_t ring;
			GArray *members;   /* uint32_t: the membership it was made for */
			uint8_t quorate;
			int64_t admin_epoch, epoch;
			char *digest;      /* of the configuration */
			GPtrArray *ops;    /* ha_msg_op*: everything the sender knows about itself */
			GPtrArray *attrs;  /* ha_msg_attr*: its transient attributes */
			GPtrArray *others; /* ha_msg_other*: what it knows of non-members */
		} sync;
		struct {
			uint64_t request;  /* the writer's request id (for the ack round) */
			int64_t expect_epoch; /* -1: unconditional (sync resolution) */
			char *xml;         /* the <configuration> element */
		} config;
		struct {
			uint64_t request;
			int64_t epoch;
			int32_t result;    /* 0 or a negated error: the same on every node */
		} config_ack;
		ha_msg_op op;
		ha_msg_attr attr;
		struct {
			char *rsc;         /* primitive id (clone instances: "id:N") */
			char *action;      /* start or promote */
			int64_t epoch;     /* config version the claim was made against */
		} claim;
		struct {
			char *rsc;
		} release;
		struct {
			char *target;
			int32_t ok;
			char *by;
		} fenced;
		struct {
			int64_t now;       /* the sender's clock, the only clock that matters */
		} tick;
		struct {
			char *rsc;
			char *node;        /* NULL: every node */
		} cleanup;
		struct {
			char *target;
		} fence;
		struct {
			char *rsc;         /* primitive id of the clone's instance */
			char *action;      /* start stop promote demote */
			uint32_t origin;   /* the node about to act (whose round it is) */
			uint64_t round;    /* its round number */
			uint8_t ack;       /* 0: "notify now"; 1: "done" (from a notified node) */
		} notify;
	} u;
} ha_msg;

/* Encode m (NULL on overflow: too big). */
GByteArray *ha__msg_encode(const ha_msg *m);
/* Decode: 0 and *m filled (free with ha__msg_clear), or a negated errno; on error *m
 * is left zeroed. */
int ha__msg_decode(const void *buf, size_t len, ha_msg *m);
void ha__msg_clear(ha_msg *m);
void ha__msg_op_free(ha_msg_op *op);
void ha__msg_attr_free(ha_msg_attr *a);
void ha__msg_other_free(ha_msg_other *o);
const char *ha__msg_type_name(ha_msg_type t);

#endif
