/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconciliation loop's internals, shared by the files of lib/cluster that make
 * it up (core.c: the loop, claims and results; notify.c: clone notifications).
 */
#ifndef HA_CLUSTER_CORE_PRIVATE_H
#define HA_CLUSTER_CORE_PRIVATE_H

#include "core.h"

typedef struct inflight {
	char *rsc;
	char *action;
	uint32_t interval_ms;
	char *target;  /* fencing */
	bool probe;
} inflight;

struct ha_core {
	ha_core_env env;
	ha_transport *t;
	ha_state *st;
	ha_cib *mine;            /* this node's own record of what runs here */
	uint32_t local;
	char *local_name;
	bool quorate_seen;
	uint64_t quorum_ring;
	uint64_t sync_sent;      /* ring our SYNC was sent for (+1; 0 = none) */
	bool disconnected;
	bool shutting_down;
	bool left;
	uint64_t reconcile_timer;
	uint64_t tick_timer;
	int64_t tick_due;
	/* The replicated clock as last seen: the lowest member's TICK and this node's
	 * clock when it was delivered (skew cancels out: only local differences count). */
	int64_t clock_tick, clock_local;
	bool clock_known;
	uint64_t heartbeat_timer; /* the heartbeat: a TICK every 5 s */
	uint64_t next_token;
	int64_t call_id;
	uint64_t next_request;
	GHashTable *ops;         /* token -> inflight* */
	GHashTable *busy;        /* rsc -> action (one-shot ops in flight) */
	GHashTable *recurring;   /* "rsc\tinterval" -> token (uint64_t*): recurring monitors running */
	GHashTable *last_rc;     /* "rsc_monitor_N" -> rc+1 (recurring results reported) */
	GHashTable *claiming;    /* rsc -> action: claim sent, not yet answered */
	GHashTable *restarting;  /* rsc: stopping under a restart claim; the start follows */
	GHashTable *plain_stop;  /* rsc: its restart claim was refused: stop it alone */
	GHashTable *defs;        /* rsc -> rsc_def: how it was last run (to stop orphans) */
	GHashTable *orphan_told; /* rsc: "cannot stop" already logged */
	GHashTable *rounds;      /* rsc -> our pre-notification round; the action waits (notify.c) */
	GHashTable *notify_acks; /* token -> pre-notification we run for another's round */
	GHashTable *notify_queue; /* rsc -> GQueue of pre-notifications waiting for a notify */
	uint64_t next_round;
};

void ha__core_log(ha_core *c, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A JSON event line for the embedding program (hactl events/history). */
void ha__core_emit(ha_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ha__core_send(ha_core *c, const ha_msg *m);
int ha__core_run_op(ha_core *c, const ha_rsc *r, const char *action, uint32_t interval,
		    const char *target, const GArray *extra_meta);
/* Does this node's own record say rsc is active here (role: where)? */
bool ha__core_mine_active(ha_core *c, const char *rsc, ha_role *role);
void ha__core_reconcile_soon(ha_core *c);
/* Run a start, stop, promote or demote of rsc here now (its claim, if it needs one,
 * is held; its pre-notifications are done). */
void ha__core_act(ha_core *c, const char *rsc, const char *action);

/* notify.c */
void ha__notify_init(ha_core *c);
void ha__notify_free(ha_core *c);
/* Is rsc an instance of a clone with notify=true, and action one that notifies? */
bool ha__notify_wanted(ha_core *c, const ha_rsc *r, const char *action);
/* Start a pre-notification round for action on r: true if started (ha__core_act
 * follows when it ends), false if none is needed (act now). */
bool ha__notify_begin(ha_core *c, const ha_rsc *r, const char *action);
bool ha__notify_in_round(ha_core *c, const char *rsc);
/* The action a round (a value of c->rounds) precedes. */
const char *ha__notify_round_action(const void *round);
void ha__notify_deliver(ha_core *c, uint32_t from, const ha_msg *m);
void ha__notify_exec_done(ha_core *c, uint64_t token, const char *rsc);
void ha__notify_membership(ha_core *c, const uint32_t *members, size_t n);
void ha__notify_drop_all(ha_core *c);
/* Post-notifications for a delivered operation result. */
void ha__notify_post(ha_core *c, uint32_t from, const ha_msg_op *op);

#endif
