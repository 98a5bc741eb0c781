/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the simulator: the world (nodes, rings, queues, clock, PRNG) shared by sim.c
 * (scheduling, rings, faults) and sim_transport.c (the transport a node's process
 * sees). Everything is per world: no file-scope state.
 */
#ifndef HA_SIM_PRIVATE_H
#define HA_SIM_PRIVATE_H

#include "sim.h"
#include "transport_private.h"

typedef struct sim_transport sim_transport;

/* A callback waiting for a node's process. */
typedef enum {
	ITEM_DELIVER,
	ITEM_MEMBERSHIP,
	ITEM_QUORUM,
	ITEM_CONNECTION, /* err */
	ITEM_RECONNECT,  /* corosync is back: connect, then rejoin */
} sim_item_kind;

typedef struct sim_item {
	uint64_t time, seq;
	sim_item_kind kind;
	uint32_t from;  /* DELIVER */
	uint64_t msgno; /* DELIVER: the message's place in the global order */
	GBytes *msg;    /* DELIVER */
	uint64_t ring;  /* MEMBERSHIP, QUORUM */
	uint64_t cfg;   /* MEMBERSHIP: the configuration's world-unique serial */
	bool quorate;   /* QUORUM */
	int err;        /* CONNECTION */
	GArray *members, *joined, *left, *why; /* why: ha_leave_reason per left */
} sim_item;

/* Something a node's corosync has accepted and not yet ordered. */
typedef enum { OUT_MSG, OUT_JOIN, OUT_LEAVE } sim_out_kind;

typedef struct sim_out {
	uint64_t time, seq;
	sim_out_kind kind;
	uint64_t pid;       /* the process it came from */
	GBytes *msg;        /* OUT_MSG */
	char *group;        /* OUT_JOIN */
	ha_leave_reason why; /* OUT_LEAVE */
} sim_out;

typedef struct sim_timer {
	uint64_t time, seq, id;
	ha_sim_timer_fn fn;
	void *ud;
} sim_timer;

typedef struct sim_node {
	uint32_t id;
	char name[16];
	int64_t offset;   /* clock offset, ms */
	bool cs_up;       /* corosync running */
	unsigned side;    /* partition label */
	uint64_t ring;    /* current ring id (kept while down: the on-disk ring id) */
	GArray *ring_members;
	bool quorate;
	/* Corosync's record of this node's process in a group (as ordered). */
	uint64_t gpid;    /* 0: none */
	char *grp;
	sim_transport *proc; /* the live process (alive), or NULL */
	GArray *view;     /* group members as last queued to proc */
	GQueue outq;      /* sim_out *, ordered by (time, seq) */
	GQueue inbox;     /* sim_item *: DELIVER, MEMBERSHIP, CONNECTION, RECONNECT */
	GQueue qinbox;    /* sim_item *: QUORUM (a separate channel, as in corosync) */
	GQueue timers;    /* sim_timer *, sorted by (time, seq) */
	uint64_t out_tail, in_tail, q_tail; /* FIFO monotonicity */
	bool stalled;
	bool cut_next;    /* the next message goes to itself only, then the cut */
	bool cut;         /* cut off: alone in the next configuration, whatever the sides */
} sim_node;

struct ha_sim {
	ha_sim_options o;
	uint64_t rng[4];
	uint64_t now;
	uint64_t seq;     /* tie-breaker: creation order of everything queued */
	uint64_t msgno;   /* messages ordered so far */
	uint64_t cfgno;   /* configurations (membership changes) so far */
	uint64_t next_pid, next_timer;
	uint64_t reform_at; /* when the pending configuration change happens */
	uint64_t reform_seq;
	unsigned next_side;
	bool reform_pending;
	sim_node *nodes;  /* [0..N-1], node id = index + 1 */
	GPtrArray *transports; /* every sim_transport not yet freed (alive or dead) */
	ha_sim_log_fn log_fn;
	void *log_ud;
};

struct sim_transport {
	ha_transport base;
	ha_sim *sim;     /* NULL once the world is freed */
	uint32_t node;
	uint64_t pid;
	bool alive;      /* not killed / crashed */
	bool connected;  /* to the node's corosync */
	char *group;     /* join requested */
	uint64_t cfg;    /* serial of the last configuration delivered */
	unsigned depth;  /* inside one of its callbacks */
	bool doomed;     /* freed from inside a callback */
};

sim_node *ha__sim_node(ha_sim *sim, uint32_t node);
uint64_t ha__sim_rand_range(ha_sim *sim, uint64_t lo, uint64_t hi);
void ha__sim_logf(ha_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *ha__sim_fmt_set(const GArray *set);

sim_item *ha__sim_item_new(ha_sim *sim, sim_item_kind kind);
void ha__sim_item_free(sim_item *it);
/* Queue it for node n's process at (at least) time t, after what is queued. */
void ha__sim_inbox_push(ha_sim *sim, sim_node *n, sim_item *it, uint64_t t);
void ha__sim_qinbox_push(ha_sim *sim, sim_node *n, sim_item *it, uint64_t t);
/* Queue the ring's quorum state for n's process after a random delay. */
void ha__sim_queue_quorum(ha_sim *sim, sim_node *n, uint64_t t);
/* Hand something to n's corosync for ordering. */
void ha__sim_out_push(ha_sim *sim, sim_node *n, sim_out *o);
void ha__sim_out_free(sim_out *o);
/* Drop everything waiting for n's process (it died or lost corosync). */
void ha__sim_clear_process_queues(sim_node *n, bool timers);

/* sim_transport.c: run one item through the process's callbacks. */
void ha__sim_transport_dispatch(ha_sim *sim, sim_node *n, sim_item *it);
/* The process dies (alive = false); detaches it from its node. */
void ha__sim_transport_kill(sim_transport *t);

#endif
