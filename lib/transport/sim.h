/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The in-process cluster simulator: N nodes (ids 1..N, names "n1".."nN") in one
 * process, a virtual clock and a seeded PRNG, no threads, no wall clock. Each node's
 * transport (ha__sim_transport_new) gives exactly what corosync gives and no more:
 *
 *  - agreed order: the members of a configuration deliver the same messages in the
 *    same order, with membership changes at the same point of it; each member at its
 *    own pace (random delays). A message takes its place in the order some time after
 *    it was sent (per-sender FIFO), so it may be delivered in a later configuration
 *    than the one it was sent in.
 *  - not safe delivery: ha__sim_cut_after_own_delivery();
 *  - partitions and merges with a detection delay during which the broken ring
 *    orders nothing (the token is lost); ring ids grow by 4 from the highest old one,
 *    so two partitions can carry the same ring id, as with corosync;
 *  - quorum = more than N/2 ring members (expected votes N), delivered before or after
 *    the membership callback of the same ring (the PRNG chooses);
 *  - process death with corosync staying (PROCDOWN, the node keeps its vote), corosync
 *    death with the process staying (connection loss, then reconnect), crashes,
 *    stalled ("stuck") processes, per-node clock offsets.
 *
 * The same seed and the same sequence of calls give the same events; the event log
 * callback shows them, so a failing seed can be replayed and read.
 */
#ifndef HA_SIM_H
#define HA_SIM_H

#include "transport/transport.h"

#define HA_SIM_NODES_MAX 64u
/* Node clocks start here (ms, like CLOCK_REALTIME in 2023) plus their offset. */
#define HA_SIM_EPOCH_MS 1700000000000ull

typedef struct ha_sim ha_sim;

typedef struct ha_sim_options {
	uint64_t seed;
	unsigned nodes;            /* N: 1..HA_SIM_NODES_MAX */
	unsigned delay_min_ms;     /* delivery delay to each member: min..max */
	unsigned delay_max_ms;
	unsigned order_max_ms;     /* wait for the token before a message is ordered: 0..max */
	unsigned quorum_max_ms;    /* quorum notification delay: 0..max */
	unsigned detect_ms;        /* fault -> new configuration (token + consensus) */
	unsigned reconnect_ms;     /* corosync back -> a live process reconnects */
	unsigned skew_max_ms;      /* initial clock offsets: -max..max */
	size_t max_msg;            /* largest message (corosync's atomic size) */
} ha_sim_options;

/* Defaults: delays 1..20 ms, order 0..5 ms, quorum 0..30 ms, detect 3500 ms (measured
 * with corosync, knet, token 1000, 3 nodes: runtime token 1650 + consensus 1980),
 * reconnect 1000 ms (the corosync transport's retry period), skew -500..500 ms,
 * max_msg 1047552 (corosync's cpg_max_atomic_msgsize). Adjust before ha__sim_new(). */
void ha__sim_options_init(ha_sim_options *o, uint64_t seed, unsigned nodes);

/* All nodes start with corosync running in one ring (quorate), no process. */
int ha__sim_new(const ha_sim_options *o, ha_sim **ret);
/* Transports still alive are detached (their free then only frees them). */
void ha__sim_free(ha_sim *sim);

/* One line per event ("t=<ms> ..."), for replaying a failing seed. */
typedef void (*ha_sim_log_fn)(void *ud, const char *line);
void ha__sim_set_log(ha_sim *sim, ha_sim_log_fn fn, void *ud);

/* ---- time ---------------------------------------------------------------------------- */

uint64_t ha__sim_now(const ha_sim *sim);
/* The node's own wall clock: HA_SIM_EPOCH_MS + now + its offset. */
uint64_t ha__sim_node_now(const ha_sim *sim, uint32_t node);
int ha__sim_set_clock_offset(ha_sim *sim, uint32_t node, int64_t offset_ms);

/* Process the next event (advancing the clock to it); false if there is none. */
bool ha__sim_step(ha_sim *sim);
/* Process every event due at or before t, then set the clock to t (if later).
 * Returns the number of events processed. */
size_t ha__sim_run_until(ha_sim *sim, uint64_t t);
/* Process events until none is left or max_events were processed. */
size_t ha__sim_run(ha_sim *sim, size_t max_events);

/* Deterministic randomness for the layer above (the same PRNG stream). */
uint64_t ha__sim_random(ha_sim *sim, uint64_t bound);

/* ---- timers (the process of a node; GLib timeouts in the real daemon) --------------- */

typedef void (*ha_sim_timer_fn)(void *ud);
/* A one-shot timer: fn(ud) after delay_ms, unless the node's process dies first
 * (crash, kill_process: dropped without a call). Returns an id > 0, or 0 if the node
 * is invalid. */
uint64_t ha__sim_timer_add(ha_sim *sim, uint32_t node, uint64_t delay_ms, ha_sim_timer_fn fn,
			   void *ud);
/* false if the timer already fired or does not exist. */
bool ha__sim_timer_cancel(ha_sim *sim, uint64_t id);

/* ---- processes ----------------------------------------------------------------------- */

/* The node's process connects to its corosync: -ENOTCONN if corosync is down, -EBUSY
 * if the node already has a live process (free or kill it first). The first callback
 * is quorum (current state). Free with ha__transport_free(). */
int ha__sim_transport_new(ha_sim *sim, uint32_t node, const ha_transport_events *ev,
			  void *ud, ha_transport **ret);

/* For tests: the world-unique serial of the configuration the transport's last
 * membership callback belonged to (every member sees the same serial for the same
 * configuration), 0 before any. Corosync has no such thing: never use it in code
 * that must also run on corosync. */
uint64_t ha__sim_transport_config(const ha_transport *t);

/* ---- faults (all take effect now; new configurations after detect_ms) ---------------- */

/* side[i] is the partition of node i+1 (nodes with equal side values can talk). */
int ha__sim_partition(ha_sim *sim, const unsigned *side, size_t n);
/* The node alone on its side. */
int ha__sim_isolate(ha_sim *sim, uint32_t node);
/* Everyone on one side again. */
int ha__sim_merge(ha_sim *sim);
/* Power loss: the node's process and corosync vanish (unordered messages are lost). */
int ha__sim_crash(ha_sim *sim, uint32_t node);
/* Corosync starts again on the node (after a crash or kill_corosync): a ring of its
 * own at once, merged with its side after detect_ms. A live process reconnects after
 * reconnect_ms (connection(0), then it rejoins its group). */
int ha__sim_restart(ha_sim *sim, uint32_t node);
/* The process dies, corosync stays: the others see PROCDOWN, the node keeps its vote.
 * Messages the process handed over before are still ordered. */
int ha__sim_kill_process(ha_sim *sim, uint32_t node);
/* Corosync dies, the process stays: it gets connection(-ENOTCONN); the others see
 * NODEDOWN. */
int ha__sim_kill_corosync(ha_sim *sim, uint32_t node);
/* A stalled process handles nothing (deliveries, quorum, timers wait; it stays a
 * member and its queue grows) until released. */
int ha__sim_stall(ha_sim *sim, uint32_t node, bool stalled);
/* The node's next multicast is delivered to itself only; then the node is isolated
 * before anyone else receives it (agreed, not safe, delivery). */
int ha__sim_cut_after_own_delivery(ha_sim *sim, uint32_t node);

/* ---- inspection ---------------------------------------------------------------------- */

bool ha__sim_corosync_up(const ha_sim *sim, uint32_t node);
/* The node's current ring id (0 while corosync is down) and whether it is quorate. */
uint64_t ha__sim_ring_id(const ha_sim *sim, uint32_t node);
bool ha__sim_quorate(const ha_sim *sim, uint32_t node);
/* Callbacks waiting for the node's process (grows while stalled). */
size_t ha__sim_backlog(const ha_sim *sim, uint32_t node);

#endif
