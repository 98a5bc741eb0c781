/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the transport module: the vtable both implementations fill, the common head
 * of every transport object, and small helpers on sorted node-id sets. No corosync
 * types here (only corosync.c includes corosync headers).
 */
#ifndef HA_TRANSPORT_PRIVATE_H
#define HA_TRANSPORT_PRIVATE_H

#include <stdarg.h>

#include "transport.h"

#define HA_TRANSPORT_GROUP_MAX 127 /* corosync's CPG_MAX_NAME_LENGTH - 1 */

typedef struct ha__transport_ops {
	int (*join)(ha_transport *t, const char *group);
	int (*send)(ha_transport *t, const void *msg, size_t len);
	size_t (*max_msg)(const ha_transport *t);
	uint32_t (*local_id)(const ha_transport *t);
	const char *(*node_name)(const ha_transport *t, uint32_t nodeid);
	void (*free)(ha_transport *t);
} ha__transport_ops;

/* The first member of every implementation's object. */
struct ha_transport {
	const ha__transport_ops *ops;
	ha_transport_events ev;
	void *ud;
};

/* Fill the head; -EINVAL when a required callback is missing. */
int ha__transport_init(ha_transport *t, const ha__transport_ops *ops,
		       const ha_transport_events *ev, void *ud);
int ha__transport_check_group(const char *group);
void ha__transport_log(const ha_transport *t, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A corosync cs_error_t as a negated errno; -EAGAIN for "retry the whole call later"
 * (TRY_AGAIN, and INTERRUPT, which only fragmented sends return). In corosync.c. */
int ha__corosync_errno(int cs_error);

/* Sorted, duplicate-free sets of node ids in a GArray of uint32_t. */
GArray *ha__nodeset_new(void);
void ha__nodeset_add(GArray *set, uint32_t id);
bool ha__nodeset_has(const GArray *set, uint32_t id);
void ha__nodeset_remove(GArray *set, uint32_t id);
void ha__nodeset_copy(GArray *dst, const GArray *src);
/* out = a \ b */
void ha__nodeset_minus(GArray *out, const GArray *a, const GArray *b);
bool ha__nodeset_equal(const GArray *a, const GArray *b);
#define ha__nodeset_ids(set) ((const uint32_t *)(void *)(set)->data)

#endif
