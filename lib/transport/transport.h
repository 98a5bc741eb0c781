/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transport interface for the rest of the library: a closed process group with
 * agreed (not safe) ordered multicast, membership and quorum, as corosync CPG gives it.
 * Two implementations behind one vtable: corosync (corosync.c) and the in-process
 * simulator (sim.h). It carries opaque bytes; encoding is lib/wire's.
 */
#ifndef HA_TRANSPORT_H
#define HA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

typedef struct ha_transport ha_transport;

typedef enum {
	HA_LEAVE_CLEAN = 1, /* the process left the group (ha__transport_free) */
	HA_LEAVE_NODEDOWN,  /* the node left the ring: crash, partition, corosync stopped */
	HA_LEAVE_PROCDOWN,  /* the process died; the node's corosync (and its vote) stays */
} ha_leave_reason;

/*
 * Callbacks. They are called from the transport's event source (the GMainContext for
 * corosync, ha__sim_step() for the simulator), never from inside a transport call
 * (log excepted).
 * Pointer arguments live for the callback only: copy what you keep.
 *
 * Lifecycle: after ha__transport_join(), the first membership callback is our own
 * join (we are in `joined`). From then on, every message and membership change of
 * the group is delivered in the agreed order, until the connection is lost. On
 * connection loss, connection(err < 0) is called once and nothing else until
 * connection(0); the transport then rejoins the group by itself and the next
 * membership callback is again our own join, in a new configuration.
 */
typedef struct ha_transport_events {
	/* A message multicast by node `from` (our own ones too), in the agreed order:
	 * the members of a configuration deliver the same messages in the same order.
	 * NOT safe delivery: we may deliver our own message and be cut off before any
	 * other member received it. */
	void (*deliver)(void *ud, uint32_t from, const void *msg, size_t len);
	/* A configuration change of the group, at its position in the message order.
	 * ring_id is the totem ring sequence of this configuration: it increases on this
	 * node, but two partitions may use the same number. Also called, with nothing
	 * joined or left, when the ring changed and the group did not. Arrays are sorted
	 * ascending; a node restarting its process within one change may appear in both
	 * `left` and `joined`. */
	void (*membership)(void *ud, uint64_t ring_id, const uint32_t *members, size_t n,
			   const uint32_t *joined, size_t n_joined,
			   const uint32_t *left, const ha_leave_reason *why, size_t n_left);
	/* Quorum of the ring ring_id (NOT ordered with the two callbacks above: it may
	 * come before or after the membership callback of the same ring). members are
	 * the ring's nodes (corosync running), sorted, whether or not they joined. The
	 * first call reports the state at connection time. */
	void (*quorum)(void *ud, bool quorate, uint64_t ring_id, const uint32_t *members,
		       size_t n);
	/* The connection to the group communication system is gone (err < 0: act as if
	 * cut off from the cluster, at once) or back (err == 0). Messages accepted by
	 * ha__transport_send() but not yet handed over when it broke are discarded. */
	void (*connection)(void *ud, int err);
	/* Optional: diagnostics, level is a syslog LOG_* priority. The one callback that
	 * may also come from inside a transport call (e.g. ha__transport_corosync_new):
	 * it must not call back into the transport. */
	void (*log)(void *ud, int level, const char *msg);
} ha_transport_events;

/* Join the closed process group `group` (at most 127 bytes). Asynchronous: the
 * join completes with the membership callback naming us. -EALREADY if joined (or
 * joining), -ENOTCONN while disconnected, -ENAMETOOLONG, -EINVAL. */
int ha__transport_join(ha_transport *t, const char *group);

/* Multicast msg (copied) to the group. 0 once accepted: flow control is handled
 * inside (queued and retried from a timer, in order). -ENOTCONN before join or
 * while disconnected, -EMSGSIZE above ha__transport_max_msg(), -ENOBUFS when the
 * retry queue is full (the cluster cannot keep up: the caller decides), -EINVAL. */
int ha__transport_send(ha_transport *t, const void *msg, size_t len);

/* The largest message ha__transport_send() takes (no fragmentation: a fragmented
 * message can fail half-sent when the membership changes). */
size_t ha__transport_max_msg(const ha_transport *t);

/* This node's id (0 if unknown). */
uint32_t ha__transport_local_id(const ha_transport *t);

/* The configured name of a node (nodelist name, else ring0_addr), NULL if unknown.
 * Valid until the transport is freed. */
const char *ha__transport_node_name(const ha_transport *t, uint32_t nodeid);

/* Leave the group cleanly (the others see HA_LEAVE_CLEAN) and free. NULL is a no-op.
 * May be called from inside one of t's callbacks; no callback follows. */
void ha__transport_free(ha_transport *t);

/* The corosync transport: CPG for messages and membership, quorum for quorum, cmap
 * for node names; its fds and timers are sources in ctx (NULL: the default context).
 * ev is copied; deliver, membership, quorum and connection are required. Fails (with
 * -ENOTCONN when corosync does not answer) without calling any callback. */
int ha__transport_corosync_new(GMainContext *ctx, const ha_transport_events *ev, void *ud,
			       ha_transport **ret);

#endif
