/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Encoding and validating decoding of the replicated-state messages. */
#include <errno.h>
#include <string.h>

#include "msg.h"

const char *ha__msg_type_name(ha_msg_type t)
{
	static const char *const names[] = {
		[HA_MSG_SYNC] = "sync",       [HA_MSG_CONFIG] = "config",
		[HA_MSG_CONFIG_ACK] = "config-ack", [HA_MSG_OP] = "op",
		[HA_MSG_ATTR] = "attr",       [HA_MSG_CLAIM] = "claim",
		[HA_MSG_RELEASE] = "release", [HA_MSG_FENCED] = "fenced",
		[HA_MSG_TICK] = "tick",       [HA_MSG_LEAVE] = "leave",
		[HA_MSG_CLEANUP] = "cleanup",  [HA_MSG_FENCE] = "fence",
		[HA_MSG_NOTIFY] = "notify",
	};
	return t > 0 && t < HA_MSG_MAX ? names[t] : "unknown";
}

static void put_op(ha_wire_writer *w, const ha_msg_op *op)
{
	ha__wire_str(w, op->rsc);
	ha__wire_str(w, op->cls);
	ha__wire_str(w, op->provider);
	ha__wire_str(w, op->type);
	ha__wire_str(w, op->operation);
	ha__wire_u32(w, op->interval_ms);
	ha__wire_i32(w, op->rc);
	ha__wire_i32(w, op->op_status);
	ha__wire_i64(w, op->call_id);
	ha__wire_i64(w, op->timestamp);
	ha__wire_u32(w, op->exec_ms);
	ha__wire_str(w, op->digest);
	ha__wire_str(w, op->exit_reason);
}

static void put_attr(ha_wire_writer *w, const ha_msg_attr *a)
{
	ha__wire_str(w, a->node);
	ha__wire_str(w, a->name);
	ha__wire_str(w, a->value);
}

GByteArray *ha__msg_encode(const ha_msg *m)
{
	ha_wire_writer w;
	ha__wire_begin(&w, (uint8_t)m->type);
	switch (m->type) {
	case HA_MSG_SYNC:
		ha__wire_u64(&w, m->u.sync.ring);
		ha__wire_u32(&w, m->u.sync.members ? m->u.sync.members->len : 0);
		for (guint i = 0; m->u.sync.members && i < m->u.sync.members->len; i++)
			ha__wire_u32(&w, g_array_index(m->u.sync.members, uint32_t, i));
		ha__wire_u8(&w, m->u.sync.quorate);
		ha__wire_i64(&w, m->u.sync.admin_epoch);
		ha__wire_i64(&w, m->u.sync.epoch);
		ha__wire_str(&w, m->u.sync.digest);
		ha__wire_u32(&w, m->u.sync.ops ? m->u.sync.ops->len : 0);
		for (guint i = 0; m->u.sync.ops && i < m->u.sync.ops->len; i++)
			put_op(&w, g_ptr_array_index(m->u.sync.ops, i));
		ha__wire_u32(&w, m->u.sync.attrs ? m->u.sync.attrs->len : 0);
		for (guint i = 0; m->u.sync.attrs && i < m->u.sync.attrs->len; i++)
			put_attr(&w, g_ptr_array_index(m->u.sync.attrs, i));
		ha__wire_u32(&w, m->u.sync.others ? m->u.sync.others->len : 0);
		for (guint i = 0; m->u.sync.others && i < m->u.sync.others->len; i++) {
			const ha_msg_other *o = g_ptr_array_index(m->u.sync.others, i);
			ha__wire_str(&w, o->node);
			ha__wire_u8(&w, o->kind);
			ha__wire_i64(&w, o->since);
			ha__wire_u32(&w, o->ops ? o->ops->len : 0);
			for (guint j = 0; o->ops && j < o->ops->len; j++)
				put_op(&w, g_ptr_array_index(o->ops, j));
		}
		break;
	case HA_MSG_CONFIG:
		ha__wire_u64(&w, m->u.config.request);
		ha__wire_i64(&w, m->u.config.expect_epoch);
		ha__wire_str(&w, m->u.config.xml);
		break;
	case HA_MSG_CONFIG_ACK:
		ha__wire_u64(&w, m->u.config_ack.request);
		ha__wire_i64(&w, m->u.config_ack.epoch);
		ha__wire_i32(&w, m->u.config_ack.result);
		break;
	case HA_MSG_OP:
		put_op(&w, &m->u.op);
		break;
	case HA_MSG_ATTR:
		put_attr(&w, &m->u.attr);
		break;
	case HA_MSG_CLAIM:
		ha__wire_str(&w, m->u.claim.rsc);
		ha__wire_str(&w, m->u.claim.action);
		ha__wire_i64(&w, m->u.claim.epoch);
		break;
	case HA_MSG_RELEASE:
		ha__wire_str(&w, m->u.release.rsc);
		break;
	case HA_MSG_FENCED:
		ha__wire_str(&w, m->u.fenced.target);
		ha__wire_i32(&w, m->u.fenced.ok);
		ha__wire_str(&w, m->u.fenced.by);
		break;
	case HA_MSG_TICK:
		ha__wire_i64(&w, m->u.tick.now);
		break;
	case HA_MSG_LEAVE:
		break;
	case HA_MSG_CLEANUP:
		ha__wire_str(&w, m->u.cleanup.rsc);
		ha__wire_str(&w, m->u.cleanup.node);
		break;
	case HA_MSG_FENCE:
		ha__wire_str(&w, m->u.fence.target);
		break;
	case HA_MSG_NOTIFY:
		ha__wire_str(&w, m->u.notify.rsc);
		ha__wire_str(&w, m->u.notify.action);
		ha__wire_u32(&w, m->u.notify.origin);
		ha__wire_u64(&w, m->u.notify.round);
		ha__wire_u8(&w, m->u.notify.ack);
		break;
	default:
		g_byte_array_unref(ha__wire_finish(&w));
		return NULL;
	}
	return ha__wire_finish(&w);
}

void ha__msg_other_free(ha_msg_other *o)
{
	if (!o)
		return;
	g_free(o->node);
	if (o->ops)
		g_ptr_array_free(o->ops, TRUE);
	g_free(o);
}

void ha__msg_attr_free(ha_msg_attr *a)
{
	if (!a)
		return;
	g_free(a->node);
	g_free(a->name);
	g_free(a->value);
	g_free(a);
}

static void clear_op(ha_msg_op *op)
{
	g_free(op->rsc);
	g_free(op->cls);
	g_free(op->provider);
	g_free(op->type);
	g_free(op->operation);
	g_free(op->digest);
	g_free(op->exit_reason);
	memset(op, 0, sizeof(*op));
}

void ha__msg_op_free(ha_msg_op *op)
{
	if (!op)
		return;
	clear_op(op);
	g_free(op);
}

void ha__msg_clear(ha_msg *m)
{
	switch (m->type) {
	case HA_MSG_SYNC:
		g_free(m->u.sync.digest);
		if (m->u.sync.members)
			g_array_free(m->u.sync.members, TRUE);
		if (m->u.sync.ops)
			g_ptr_array_free(m->u.sync.ops, TRUE);
		if (m->u.sync.attrs)
			g_ptr_array_free(m->u.sync.attrs, TRUE);
		if (m->u.sync.others)
			g_ptr_array_free(m->u.sync.others, TRUE);
		break;
	case HA_MSG_CONFIG:
		g_free(m->u.config.xml);
		break;
	case HA_MSG_OP:
		clear_op(&m->u.op);
		break;
	case HA_MSG_ATTR:
		g_free(m->u.attr.node);
		g_free(m->u.attr.name);
		g_free(m->u.attr.value);
		break;
	case HA_MSG_CLAIM:
		g_free(m->u.claim.rsc);
		g_free(m->u.claim.action);
		break;
	case HA_MSG_RELEASE:
		g_free(m->u.release.rsc);
		break;
	case HA_MSG_FENCED:
		g_free(m->u.fenced.target);
		g_free(m->u.fenced.by);
		break;
	case HA_MSG_CLEANUP:
		g_free(m->u.cleanup.rsc);
		g_free(m->u.cleanup.node);
		break;
	case HA_MSG_FENCE:
		g_free(m->u.fence.target);
		break;
	case HA_MSG_NOTIFY:
		g_free(m->u.notify.rsc);
		g_free(m->u.notify.action);
		break;
	default:
		break;
	}
	memset(m, 0, sizeof(*m));
}

/* Names (resource ids, operations, node names): printable, no spaces, bounded. */
static bool name_ok(const char *s, bool may_be_null)
{
	if (!s)
		return may_be_null;
	if (!*s)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == '&' || *p == '"')
			return false;
	return true;
}

static bool get_op(ha_wire_reader *r, ha_msg_op *op)
{
	op->rsc = ha__wire_get_str(r, HA_MSG_ID_MAX);
	op->cls = ha__wire_get_str(r, HA_MSG_ID_MAX);
	op->provider = ha__wire_get_str(r, HA_MSG_ID_MAX);
	op->type = ha__wire_get_str(r, HA_MSG_ID_MAX);
	op->operation = ha__wire_get_str(r, 64);
	op->interval_ms = ha__wire_get_u32(r);
	op->rc = ha__wire_get_i32(r);
	op->op_status = ha__wire_get_i32(r);
	op->call_id = ha__wire_get_i64(r);
	op->timestamp = ha__wire_get_i64(r);
	op->exec_ms = ha__wire_get_u32(r);
	op->digest = ha__wire_get_str(r, 128);
	op->exit_reason = ha__wire_get_str(r, HA_MSG_TEXT_MAX);
	if (r->error)
		return false;
	return name_ok(op->rsc, false) && name_ok(op->cls, true) && name_ok(op->provider, true) &&
	       name_ok(op->type, true) && name_ok(op->operation, false) && name_ok(op->digest, true) &&
	       op->rc >= 0 && op->rc <= 255 && op->op_status >= -1 && op->op_status <= 8;
}

static bool get_attr(ha_wire_reader *r, ha_msg_attr *a)
{
	a->node = ha__wire_get_str(r, HA_MSG_ID_MAX);
	a->name = ha__wire_get_str(r, HA_MSG_ID_MAX);
	a->value = ha__wire_get_str(r, HA_MSG_TEXT_MAX);
	return !r->error && name_ok(a->node, false) && name_ok(a->name, false);
}

int ha__msg_decode(const void *buf, size_t len, ha_msg *m)
{
	memset(m, 0, sizeof(*m));
	ha_wire_reader r;
	int rc = ha__wire_open(&r, buf, len);
	if (rc < 0)
		return rc;
	if (r.type == 0 || r.type >= HA_MSG_MAX)
		return -EBADMSG;
	m->type = (ha_msg_type)r.type;
	bool ok = true;
	switch (m->type) {
	case HA_MSG_SYNC: {
		m->u.sync.ring = ha__wire_get_u64(&r);
		uint32_t nm = ha__wire_get_u32(&r);
		if (r.error || nm > HA_MSG_MAX_MEMBERS) {
			ok = false;
			break;
		}
		m->u.sync.members = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), nm);
		for (uint32_t i = 0; i < nm; i++) {
			uint32_t id = ha__wire_get_u32(&r);
			g_array_append_val(m->u.sync.members, id);
		}
		m->u.sync.quorate = ha__wire_get_u8(&r);
		m->u.sync.admin_epoch = ha__wire_get_i64(&r);
		m->u.sync.epoch = ha__wire_get_i64(&r);
		m->u.sync.digest = ha__wire_get_str(&r, 128);
		m->u.sync.ops = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
		m->u.sync.attrs = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free);
		uint32_t n = ha__wire_get_u32(&r);
		ok = !r.error && n <= HA_MSG_MAX_OPS && m->u.sync.quorate <= 1;
		for (uint32_t i = 0; ok && i < n; i++) {
			ha_msg_op *op = g_new0(ha_msg_op, 1);
			g_ptr_array_add(m->u.sync.ops, op);
			ok = get_op(&r, op);
		}
		n = ok ? ha__wire_get_u32(&r) : 0;
		ok = ok && !r.error && n <= HA_MSG_MAX_ATTRS;
		for (uint32_t i = 0; ok && i < n; i++) {
			ha_msg_attr *a = g_new0(ha_msg_attr, 1);
			g_ptr_array_add(m->u.sync.attrs, a);
			ok = get_attr(&r, a);
		}
		m->u.sync.others = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_other_free);
		n = ok ? ha__wire_get_u32(&r) : 0;
		ok = ok && !r.error && n <= HA_MSG_MAX_OTHERS;
		uint32_t total = m->u.sync.ops->len;
		for (uint32_t i = 0; ok && i < n; i++) {
			ha_msg_other *o = g_new0(ha_msg_other, 1);
			g_ptr_array_add(m->u.sync.others, o);
			o->ops = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
			o->node = ha__wire_get_str(&r, HA_MSG_ID_MAX);
			o->kind = ha__wire_get_u8(&r);
			o->since = ha__wire_get_i64(&r);
			uint32_t k = ha__wire_get_u32(&r);
			total += k;
			ok = !r.error && name_ok(o->node, false) && o->kind >= HA_OTHER_FROZEN &&
			     o->kind <= HA_OTHER_DOWN && k <= HA_MSG_MAX_OPS && total <= 2 * HA_MSG_MAX_OPS;
			for (uint32_t j = 0; ok && j < k; j++) {
				ha_msg_op *op = g_new0(ha_msg_op, 1);
				g_ptr_array_add(o->ops, op);
				ok = get_op(&r, op);
			}
		}
		break;
	}
	case HA_MSG_CONFIG:
		m->u.config.request = ha__wire_get_u64(&r);
		m->u.config.expect_epoch = ha__wire_get_i64(&r);
		m->u.config.xml = ha__wire_get_str(&r, HA_WIRE_MAX_STR);
		ok = m->u.config.xml != NULL;
		break;
	case HA_MSG_CONFIG_ACK:
		m->u.config_ack.request = ha__wire_get_u64(&r);
		m->u.config_ack.epoch = ha__wire_get_i64(&r);
		m->u.config_ack.result = ha__wire_get_i32(&r);
		break;
	case HA_MSG_OP:
		ok = get_op(&r, &m->u.op);
		break;
	case HA_MSG_ATTR:
		ok = get_attr(&r, &m->u.attr);
		break;
	case HA_MSG_CLAIM:
		m->u.claim.rsc = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		m->u.claim.action = ha__wire_get_str(&r, 16);
		m->u.claim.epoch = ha__wire_get_i64(&r);
		ok = name_ok(m->u.claim.rsc, false) && m->u.claim.action &&
		     (!strcmp(m->u.claim.action, "start") || !strcmp(m->u.claim.action, "promote") ||
		      !strcmp(m->u.claim.action, "restart"));
		break;
	case HA_MSG_RELEASE:
		m->u.release.rsc = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		ok = name_ok(m->u.release.rsc, false);
		break;
	case HA_MSG_FENCED:
		m->u.fenced.target = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		m->u.fenced.ok = ha__wire_get_i32(&r);
		m->u.fenced.by = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		ok = name_ok(m->u.fenced.target, false) && name_ok(m->u.fenced.by, false) &&
		     (m->u.fenced.ok == 0 || m->u.fenced.ok == 1);
		break;
	case HA_MSG_TICK:
		m->u.tick.now = ha__wire_get_i64(&r);
		break;
	case HA_MSG_LEAVE:
		break;
	case HA_MSG_CLEANUP:
		m->u.cleanup.rsc = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		m->u.cleanup.node = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		ok = name_ok(m->u.cleanup.rsc, false) && name_ok(m->u.cleanup.node, true);
		break;
	case HA_MSG_FENCE:
		m->u.fence.target = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		ok = name_ok(m->u.fence.target, false);
		break;
	case HA_MSG_NOTIFY:
		m->u.notify.rsc = ha__wire_get_str(&r, HA_MSG_ID_MAX);
		m->u.notify.action = ha__wire_get_str(&r, 16);
		m->u.notify.origin = ha__wire_get_u32(&r);
		m->u.notify.round = ha__wire_get_u64(&r);
		m->u.notify.ack = ha__wire_get_u8(&r);
		ok = name_ok(m->u.notify.rsc, false) && m->u.notify.action &&
		     (!strcmp(m->u.notify.action, "start") || !strcmp(m->u.notify.action, "stop") ||
		      !strcmp(m->u.notify.action, "promote") || !strcmp(m->u.notify.action, "demote")) &&
		     m->u.notify.origin != 0 && m->u.notify.ack <= 1;
		break;
	default:
		ok = false;
	}
	if (!ok || ha__wire_close(&r) < 0) {
		ha__msg_clear(m);
		return -EBADMSG;
	}
	return 0;
}
