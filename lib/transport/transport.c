/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transport entry points (argument checks, then the implementation's vtable) and
 * helpers both implementations share. Knows neither corosync nor the simulator.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "transport_private.h"

int ha__transport_init(ha_transport *t, const ha__transport_ops *ops,
		       const ha_transport_events *ev, void *ud)
{
	if (!ev || !ev->deliver || !ev->membership || !ev->quorum || !ev->connection)
		return -EINVAL;
	t->ops = ops;
	t->ev = *ev;
	t->ud = ud;
	return 0;
}

int ha__transport_check_group(const char *group)
{
	size_t len;

	if (!group || !*group)
		return -EINVAL;
	len = strlen(group);
	if (len > HA_TRANSPORT_GROUP_MAX)
		return -ENAMETOOLONG;
	return 0;
}

void ha__transport_log(const ha_transport *t, int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!t->ev.log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->ev.log(t->ud, level, buf);
}

int ha__transport_join(ha_transport *t, const char *group)
{
	int rc;

	if (!t)
		return -EINVAL;
	rc = ha__transport_check_group(group);
	if (rc < 0)
		return rc;
	return t->ops->join(t, group);
}

int ha__transport_send(ha_transport *t, const void *msg, size_t len)
{
	if (!t || !msg || !len)
		return -EINVAL;
	if (len > t->ops->max_msg(t))
		return -EMSGSIZE;
	return t->ops->send(t, msg, len);
}

size_t ha__transport_max_msg(const ha_transport *t)
{
	return t ? t->ops->max_msg(t) : 0;
}

uint32_t ha__transport_local_id(const ha_transport *t)
{
	return t ? t->ops->local_id(t) : 0;
}

const char *ha__transport_node_name(const ha_transport *t, uint32_t nodeid)
{
	return t ? t->ops->node_name(t, nodeid) : NULL;
}

void ha__transport_free(ha_transport *t)
{
	if (t)
		t->ops->free(t);
}

/* ---- node-id sets ------------------------------------------------------------------- */

GArray *ha__nodeset_new(void)
{
	return g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

/* Index of the first element >= id. Sets are small (<= a few hundred nodes): a
 * binary search keeps add/has O(log n) without another container. */
static guint lower_bound(const GArray *set, uint32_t id)
{
	const uint32_t *v = ha__nodeset_ids(set);
	guint lo = 0, hi = set->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void ha__nodeset_add(GArray *set, uint32_t id)
{
	guint i = lower_bound(set, id);

	if (i < set->len && ha__nodeset_ids(set)[i] == id)
		return;
	g_array_insert_val(set, i, id);
}

bool ha__nodeset_has(const GArray *set, uint32_t id)
{
	guint i = lower_bound(set, id);

	return i < set->len && ha__nodeset_ids(set)[i] == id;
}

void ha__nodeset_remove(GArray *set, uint32_t id)
{
	guint i = lower_bound(set, id);

	if (i < set->len && ha__nodeset_ids(set)[i] == id)
		g_array_remove_index(set, i);
}

void ha__nodeset_copy(GArray *dst, const GArray *src)
{
	g_array_set_size(dst, 0);
	g_array_append_vals(dst, src->data, src->len);
}

void ha__nodeset_minus(GArray *out, const GArray *a, const GArray *b)
{
	guint i;

	g_array_set_size(out, 0);
	for (i = 0; i < a->len; i++) {
		uint32_t id = ha__nodeset_ids(a)[i];

		if (!ha__nodeset_has(b, id))
			g_array_append_val(out, id);
	}
}

bool ha__nodeset_equal(const GArray *a, const GArray *b)
{
	return a->len == b->len &&
	       (!a->len || !memcmp(a->data, b->data, a->len * sizeof(uint32_t)));
}
