/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The replicated cluster state: a deterministic state machine fed with the agreed
 * stream of a group (messages and membership changes, in delivery order). Every
 * member applies the same stream and reaches the same state; nothing here reads a
 * clock, sends, or spawns. What the local node must do as a consequence (persist and
 * acknowledge a configuration, execute a granted claim, fence a node, send its config
 * to resolve a sync round) comes out as events for the cluster layer.
 *
 * The state is an ha_cib (configuration + status in Pacemaker's format, so the
 * scheduler reads it directly) plus the facts of the replication protocol: the sync
 * round of the current membership, claims, lost and frozen nodes, config ack rounds.
 */
#ifndef HA_STATE_H
#define HA_STATE_H

#include "model/model.h"
#include "wire/msg.h"

typedef struct ha_state ha_state;

typedef enum {
	HA_LEFT_CLEAN = 1, /* left the group after saying so (LEAVE), or shut down cleanly */
	HA_LEFT_NODEDOWN,  /* the node vanished from the membership */
	HA_LEFT_PROCDOWN,  /* its daemon died; corosync (and the node) is still there */
} ha_left_reason;

typedef enum {
	HA_SEV_SYNC_COMPLETE = 1, /* the sync round of this membership completed */
	HA_SEV_CONFIG_SOURCE,     /* the local node must multicast its config (sync resolution) */
	HA_SEV_CONFIG_APPLIED,    /* persist the new config (epoch), then ack (request, result) */
	HA_SEV_CONFIG_DONE,       /* every member acked request: reply to the writer */
	HA_SEV_CLAIM_GRANTED,     /* the local claim on rsc (action) is valid: execute it */
	HA_SEV_CLAIM_REJECTED,    /* the local claim on rsc was invalid (reason) */
	HA_SEV_FENCE,             /* the local node is the fencer of target */
	HA_SEV_FENCED,            /* target was fenced (ok) or fencing failed */
	HA_SEV_DIVERGED,          /* a member's configuration diverged (reported, not merged) */
	HA_SEV_NODE_LOST,         /* target left uncleanly */
	HA_SEV_EXPIRED,           /* constraint target's lifetime ended (epoch: the new config) */
} ha_state_event_kind;

typedef struct ha_state_event {
	ha_state_event_kind kind;
	char *rsc, *action, *target, *reason;
	uint64_t request;
	int64_t epoch;
	int result;
	uint32_t node;
} ha_state_event;

typedef struct ha_state_options {
	uint32_t local;           /* local node id */
	int64_t frozen_grace;     /* seconds a node whose daemon died stays frozen (30) */
	int64_t sync_timeout;     /* seconds a member may take to send its sync (30) */
} ha_state_options;

/* cib: the initial configuration (persisted or empty), consumed. */
int ha__state_new(const ha_state_options *o, ha_cib *cib, ha_state **ret);
void ha__state_free(ha_state *st);
/* The local node id, once the transport knows it (the state is created before). */
void ha__state_set_local(ha_state *st, uint32_t id);
/* Node id <-> name (corosync's nodelist). */
void ha__state_set_node_name(ha_state *st, uint32_t id, const char *name);
const char *ha__state_node_name(const ha_state *st, uint32_t id);

/* The agreed stream. */
void ha__state_membership(ha_state *st, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *left, const ha_left_reason *why, size_t n_left);
void ha__state_deliver(ha_state *st, uint32_t from, const ha_msg *m);

/* Events for the local node, in order; NULL when none. Free with ha__state_event_free. */
ha_state_event *ha__state_next_event(ha_state *st);
void ha__state_event_free(ha_state_event *e);

/* Read access. */
const ha_cib *ha__state_cib(const ha_state *st);
bool ha__state_synced(const ha_state *st);   /* sync round complete for this membership */
bool ha__state_quorate(const ha_state *st);  /* ... and the configuration counts as quorate */
int64_t ha__state_now(const ha_state *st);   /* the replicated time (last TICK) */
uint64_t ha__state_ring(const ha_state *st);
const GArray *ha__state_members(const ha_state *st); /* uint32_t, ascending */
bool ha__state_claimed(const ha_state *st, const char *rsc, uint32_t *node);
/* The earliest replicated time at which a time-driven change is due (0: none); the
 * lowest member sends a TICK when its clock reaches it. */
int64_t ha__state_next_due(const ha_state *st);
/* Digest of the configuration (for sync messages). */
const char *ha__state_config_digest(ha_state *st);

/* Build this node's SYNC message for the current ring: own_ops/own_attrs describe what
 * the local node knows about itself (it is the authority); they are consumed. */
void ha__state_sync_msg(const ha_state *st, bool quorate, GPtrArray *own_ops,
			GPtrArray *own_attrs, ha_msg *out);

/* A node's operation history as messages (failure records first), for sync reports. */
GPtrArray *ha__state_ops_of(const ha_node_state *ns);

/* Record an operation result of node `node` into a status (also used for local
 * bookkeeping): pending marks, _last_0/_last_failure_0/_monitor_N entries, fail
 * counts. Exposed for tests. */
void ha__state_record_op(ha_cib *cib, const char *node, const ha_msg_op *op);

#endif
