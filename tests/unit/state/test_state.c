/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replicated state tests: N ha_state instances, one per node, fed the same agreed
 * stream (memberships and wire-encoded messages, in one order, as CPG delivers them)
 * must reach the same state and the same decisions. No cluster layer, no transport,
 * no clock: every step is explicit, so each test names the rule it checks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ha/ha.h>

#include "model/model.h"
#include "sched/scheduler.h"
#include "state/state.h"
#include "wire/msg.h"

#define MAXN 5

static const char *const NAMES[MAXN + 1] = {NULL, "n1", "n2", "n3", "n4", "n5"};

/* ---- the cluster: one ha_state per node ------------------------------------------ */

typedef struct cluster {
	unsigned n;
	ha_state *st[MAXN + 1];
	ha_cib *mine[MAXN + 1]; /* what each node knows about itself (the cluster layer's record) */
	bool up[MAXN + 1];	/* in the current membership: receives the stream */
	uint64_t ring;
	int64_t call_id;
	GPtrArray *ev[MAXN + 1]; /* ha_state_event* each node got since the last forget() */
} cluster;

static void drain(cluster *c)
{
	for (uint32_t id = 1; id <= c->n; id++) {
		ha_state_event *e;
		while ((e = ha__state_next_event(c->st[id])))
			g_ptr_array_add(c->ev[id], e);
	}
}

static void forget(cluster *c)
{
	for (uint32_t id = 1; id <= c->n; id++)
		g_ptr_array_set_size(c->ev[id], 0);
}

static cluster *cluster_new_each(unsigned n, const char *const *xml)
{
	assert_true(n >= 1 && n <= MAXN);
	cluster *c = g_new0(cluster, 1);
	c->n = n;
	for (uint32_t id = 1; id <= n; id++) {
		ha_cib *cib = NULL;
		assert_int_equal(
		    ha_cib_load_memory(xml[id - 1], strlen(xml[id - 1]), "test.xml", 0, &cib, NULL),
		    0);
		/* As the cluster layer does: the state exists before the local id is known. */
		ha_state_options o = {.local = 0, .frozen_grace = 30, .sync_timeout = 30};
		assert_int_equal(ha__state_new(&o, cib, &c->st[id]), 0);
		ha__state_set_local(c->st[id], id);
		/* Names learned in different orders on different nodes. */
		for (uint32_t j = 1; j <= n; j++) {
			uint32_t k = id % 2 ? j : n + 1 - j;
			ha__state_set_node_name(c->st[id], k, NAMES[k]);
		}
		c->mine[id] = ha__cib_new();
		c->ev[id] = g_ptr_array_new_with_free_func((GDestroyNotify)ha__state_event_free);
	}
	return c;
}

static cluster *cluster_new(unsigned n, const char *xml)
{
	const char *each[MAXN];
	for (unsigned i = 0; i < n; i++)
		each[i] = xml;
	return cluster_new_each(n, each);
}

static void cluster_free(cluster *c)
{
	for (uint32_t id = 1; id <= c->n; id++) {
		ha__state_free(c->st[id]);
		ha_cib_free(c->mine[id]);
		g_ptr_array_free(c->ev[id], TRUE);
	}
	g_free(c);
}

/* A configuration change of the group: every node of the new membership gets it. */
static void view(cluster *c, const uint32_t *members, size_t n, const uint32_t *left,
		 const ha_left_reason *why, size_t n_left)
{
	c->ring++;
	memset(c->up, 0, sizeof(c->up));
	for (size_t i = 0; i < n; i++)
		c->up[members[i]] = true;
	for (uint32_t id = 1; id <= c->n; id++)
		if (c->up[id])
			ha__state_membership(c->st[id], c->ring, members, n, left, why, n_left);
	drain(c);
}

static void view_all(cluster *c)
{
	uint32_t m[MAXN];
	for (uint32_t id = 1; id <= c->n; id++)
		m[id - 1] = id;
	view(c, m, c->n, NULL, NULL, 0);
}

/* The current members minus `id`, which leaves for reason `why`. */
static void leave(cluster *c, uint32_t id, ha_left_reason why)
{
	uint32_t m[MAXN];
	size_t n = 0;
	for (uint32_t i = 1; i <= c->n; i++)
		if (c->up[i] && i != id)
			m[n++] = i;
	view(c, m, n, &id, &why, 1);
}

/* The current members plus `id`. */
static void join(cluster *c, uint32_t id)
{
	uint32_t m[MAXN];
	size_t n = 0;
	for (uint32_t i = 1; i <= c->n; i++)
		if (c->up[i] || i == id)
			m[n++] = i;
	view(c, m, n, NULL, NULL, 0);
}

/* Multicast: encoded once, decoded by every member, delivered in the same order. */
static void send(cluster *c, uint32_t from, const ha_msg *m)
{
	GByteArray *b = ha__msg_encode(m);
	assert_non_null(b);
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		ha_msg d;
		assert_int_equal(ha__msg_decode(b->data, b->len, &d), 0);
		ha__state_deliver(c->st[id], from, &d);
		ha__msg_clear(&d);
	}
	g_byte_array_unref(b);
	drain(c);
}

static ha_msg_op mkop(cluster *c, uint32_t node, const char *rsc, const char *operation,
		      uint32_t interval_ms, int rc, int op_status)
{
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st[node])->cfg, rsc);
	return (ha_msg_op){
	    .rsc = (char *)rsc,
	    .cls = r ? (char *)r->cls : "ocf",
	    .provider = r ? (char *)r->provider : "ha",
	    .type = r ? (char *)r->type : "Dummy",
	    .operation = (char *)operation,
	    .interval_ms = interval_ms,
	    .rc = rc,
	    .op_status = op_status,
	    .call_id = op_status == HA_OPST_PENDING ? -1 : ++c->call_id,
	    .timestamp = ha__state_now(c->st[node]),
	    .exec_ms = 5,
	};
}

/* Node `node` knows this result about itself (from before this membership). */
static void know(cluster *c, uint32_t node, const char *rsc, const char *operation,
		 uint32_t interval_ms, int rc)
{
	ha_msg_op op = mkop(c, node, rsc, operation, interval_ms, rc, HA_OPST_DONE);
	ha__state_record_op(c->mine[node], NAMES[node], &op);
}

/* Node `node` reports an operation result (or pending mark) of its own. */
static void op_status(cluster *c, uint32_t node, const char *rsc, const char *operation,
		      uint32_t interval_ms, int rc, int status)
{
	ha_msg m = {.type = HA_MSG_OP};
	m.u.op = mkop(c, node, rsc, operation, interval_ms, rc, status);
	if (status != HA_OPST_PENDING)
		ha__state_record_op(c->mine[node], NAMES[node], &m.u.op);
	send(c, node, &m);
}

static void op(cluster *c, uint32_t node, const char *rsc, const char *operation, int rc)
{
	op_status(c, node, rsc, operation, 0, rc, HA_OPST_DONE);
}

/* This node's own history, as the cluster layer reports it in its SYNC. */
static GPtrArray *own_ops(cluster *c, uint32_t id)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
	const ha_node_state *ns = ha__node_state_find(c->mine[id], NAMES[id]);
	for (guint i = 0; ns && i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		for (guint j = 0; j < lr->ops->len; j++) {
			const ha_lrm_op *o = &g_array_index(lr->ops, ha_lrm_op, j);
			if (strstr(o->id, "_last_failure_"))
				continue;
			ha_msg_op *m = g_new0(ha_msg_op, 1);
			m->rsc = g_strdup(lr->id);
			m->cls = g_strdup(lr->cls);
			m->provider = g_strdup(lr->provider);
			m->type = g_strdup(lr->type);
			m->operation = g_strdup(o->operation);
			m->interval_ms = o->interval_ms;
			m->rc = o->rc;
			m->op_status = o->op_status;
			m->call_id = o->call_id;
			m->timestamp = o->last_rc_change;
			g_ptr_array_add(out, m);
		}
	}
	return out;
}

static void sync_attrs(cluster *c, uint32_t id, bool quorate, GPtrArray *attrs)
{
	ha_msg m;
	ha__state_sync_msg(c->st[id], quorate, own_ops(c, id), attrs, &m);
	send(c, id, &m);
	ha__msg_clear(&m);
}

static void sync_from(cluster *c, uint32_t id, bool quorate)
{
	sync_attrs(c, id, quorate,
		   g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free));
}

static void sync_all(cluster *c, bool quorate)
{
	for (uint32_t id = 1; id <= c->n; id++)
		if (c->up[id])
			sync_from(c, id, quorate);
}

static void claim_epoch(cluster *c, uint32_t from, const char *rsc, const char *action,
			int64_t epoch)
{
	ha_msg m = {.type = HA_MSG_CLAIM};
	m.u.claim.rsc = (char *)rsc;
	m.u.claim.action = (char *)action;
	m.u.claim.epoch = epoch;
	send(c, from, &m);
}

/* A claim against the configuration version the claimer sees. */
static void claim(cluster *c, uint32_t from, const char *rsc, const char *action)
{
	claim_epoch(c, from, rsc, action, ha__state_cib(c->st[from])->epoch);
}

static void release(cluster *c, uint32_t from, const char *rsc)
{
	ha_msg m = {.type = HA_MSG_RELEASE};
	m.u.release.rsc = (char *)rsc;
	send(c, from, &m);
}

static void tick(cluster *c, uint32_t from, int64_t now)
{
	ha_msg m = {.type = HA_MSG_TICK};
	m.u.tick.now = now;
	send(c, from, &m);
}

static void attr(cluster *c, uint32_t from, const char *node, const char *name, const char *value)
{
	ha_msg m = {.type = HA_MSG_ATTR};
	m.u.attr.node = (char *)node;
	m.u.attr.name = (char *)name;
	m.u.attr.value = (char *)value;
	send(c, from, &m);
}

static void fenced_msg(cluster *c, uint32_t from, const char *target, bool ok)
{
	ha_msg m = {.type = HA_MSG_FENCED};
	m.u.fenced.target = (char *)target;
	m.u.fenced.ok = ok;
	m.u.fenced.by = (char *)NAMES[from];
	send(c, from, &m);
}

static void cleanup(cluster *c, uint32_t from, const char *rsc, const char *node)
{
	ha_msg m = {.type = HA_MSG_CLEANUP};
	m.u.cleanup.rsc = (char *)rsc;
	m.u.cleanup.node = (char *)node;
	send(c, from, &m);
}

static void leave_msg(cluster *c, uint32_t from)
{
	ha_msg m = {.type = HA_MSG_LEAVE};
	send(c, from, &m);
}

static void config_write(cluster *c, uint32_t from, uint64_t request, int64_t expect,
			 const char *xml)
{
	ha_msg m = {.type = HA_MSG_CONFIG};
	m.u.config.request = request;
	m.u.config.expect_epoch = expect;
	m.u.config.xml = (char *)xml;
	send(c, from, &m);
}

static void config_ack(cluster *c, uint32_t from, uint64_t request, int64_t epoch, int result)
{
	ha_msg m = {.type = HA_MSG_CONFIG_ACK};
	m.u.config_ack.request = request;
	m.u.config_ack.epoch = epoch;
	m.u.config_ack.result = result;
	send(c, from, &m);
}

/* The whole configuration of a node, as it multicasts it to resolve a sync round. */
static char *config_of(cluster *c, uint32_t id)
{
	ha_cib *cib = (ha_cib *)ha__state_cib(c->st[id]);
	GPtrArray *status = cib->status;
	cib->status = g_ptr_array_new();
	char *xml = NULL;
	int rc = ha_cib_to_string(cib, &xml);
	g_ptr_array_free(cib->status, TRUE);
	cib->status = status;
	assert_int_equal(rc, 0);
	return xml;
}

/* The node told to (CONFIG_SOURCE) sends its configuration, unconditionally. */
static void send_config_source(cluster *c, uint32_t id)
{
	char *xml = config_of(c, id);
	config_write(c, id, 0, -1, xml);
	free(xml);
}

/* ---- looking at the result -------------------------------------------------------- */

static unsigned ev_count(const cluster *c, uint32_t id, ha_state_event_kind kind)
{
	unsigned n = 0;
	for (guint i = 0; i < c->ev[id]->len; i++)
		n += ((const ha_state_event *)g_ptr_array_index(c->ev[id], i))->kind == kind;
	return n;
}

/* The last event of that kind node id got. */
static const ha_state_event *ev_last(const cluster *c, uint32_t id, ha_state_event_kind kind)
{
	for (guint i = c->ev[id]->len; i-- > 0;) {
		const ha_state_event *e = g_ptr_array_index(c->ev[id], i);
		if (e->kind == kind)
			return e;
	}
	return NULL;
}

/* Exactly the nodes of `mask` (bit id) got one event of that kind, the others none. */
static void assert_event_on(const cluster *c, ha_state_event_kind kind, unsigned mask)
{
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		if (ev_count(c, id, kind) != ((mask >> id) & 1u))
			fail_msg("node %u got %u events of kind %d, expected %u", id,
				 ev_count(c, id, kind), (int)kind, (mask >> id) & 1u);
	}
}

#define ON(id) (1u << (id))

/* Every member reached the same state: same configuration and status (ha_cib_equal),
 * same round, quorum, time and membership. */
static void assert_agree(const cluster *c)
{
	uint32_t first = 0;
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		if (!first) {
			first = id;
			continue;
		}
		const ha_state *a = c->st[first], *b = c->st[id];
		if (!ha_cib_equal(ha__state_cib(a), ha__state_cib(b))) {
			char *xa = NULL, *xb = NULL;
			ha_cib_to_string(ha__state_cib(a), &xa);
			ha_cib_to_string(ha__state_cib(b), &xb);
			fprintf(stderr, "---- node %u:\n%s\n---- node %u:\n%s\n", first, xa, id, xb);
			free(xa);
			free(xb);
			fail_msg("node %u and node %u have different CIBs", first, id);
		}
		assert_int_equal(ha__state_synced(a), ha__state_synced(b));
		assert_int_equal(ha__state_quorate(a), ha__state_quorate(b));
		assert_int_equal(ha__state_now(a), ha__state_now(b));
		assert_int_equal(ha__state_ring(a), ha__state_ring(b));
		assert_int_equal(ha__state_next_due(a), ha__state_next_due(b));
		const GArray *ma = ha__state_members(a), *mb = ha__state_members(b);
		assert_int_equal(ma->len, mb->len);
		assert_memory_equal(ma->data, mb->data, ma->len * sizeof(uint32_t));
	}
}

/* Every member agrees on who holds the claim `key` (0: nobody). */
static void assert_claim(const cluster *c, const char *key, uint32_t holder)
{
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		uint32_t who = 0;
		bool held = ha__state_claimed(c->st[id], key, &who);
		if (held != (holder != 0) || (held && who != holder))
			fail_msg("node %u: claim %s held by %u, expected %u", id, key,
				 held ? who : 0, holder);
	}
}

static void assert_synced(const cluster *c, bool synced, bool quorate)
{
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		assert_int_equal(ha__state_synced(c->st[id]), synced);
		assert_int_equal(ha__state_quorate(c->st[id]), quorate);
	}
}

/* How `viewer` sees rsc on node `on`. */
static ha_presence presence(const cluster *c, uint32_t viewer, const char *rsc, uint32_t on)
{
	const ha_cib *cib = ha__state_cib(c->st[viewer]);
	const ha_rsc *r = ha__rsc_find(&cib->cfg, rsc);
	assert_non_null(r);
	ha_presence p;
	ha__sched_presence(cib, ha__state_now(c->st[viewer]), r,
			   ha__node_state_find(cib, NAMES[on]), &p);
	return p;
}

static const ha_lrm_op *find_op(const ha_cib *cib, const char *node, const char *rsc,
				const char *id)
{
	const ha_node_state *ns = ha__node_state_find(cib, node);
	for (guint i = 0; ns && i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (strcmp(lr->id, rsc))
			continue;
		for (guint j = 0; j < lr->ops->len; j++)
			if (!strcmp(g_array_index(lr->ops, ha_lrm_op, j).id, id))
				return &g_array_index(lr->ops, ha_lrm_op, j);
	}
	return NULL;
}

static bool has_history(const ha_cib *cib, const char *node, const char *rsc)
{
	const ha_node_state *ns = ha__node_state_find(cib, node);
	for (guint i = 0; ns && i < ns->lrm->len; i++)
		if (!strcmp(((const ha_lrm_rsc *)g_ptr_array_index(ns->lrm, i))->id, rsc))
			return true;
	return false;
}

static const char *node_attr(const ha_cib *cib, const char *node, const char *name)
{
	const ha_node_state *ns = ha__node_state_find(cib, node);
	return ns ? ha__nvsets_get(ns->attrs, name) : NULL;
}

/* ---- configurations --------------------------------------------------------------- */

#define NV(id, name, value) "<nvpair id=\"" id "\" name=\"" name "\" value=\"" value "\"/>"
#define FENCING_ON NV("o1", "stonith-enabled", "true") NV("o2", "stonith-timeout", "20s")
#define FENCING_OFF NV("o1", "stonith-enabled", "false")
#define DUMMY(id) "<primitive id=\"" id "\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>"
/* A fence device; hosts: its static target list, NULL for none (fences anyone). */
#define DEVICE(id, list_or_map, hosts)                                                             \
	"<primitive id=\"" id                                                                      \
	"\" class=\"stonith\" type=\"fence_dummy\"><instance_attributes id=\"" id                  \
	"-i\">" NV(id "-h", list_or_map, hosts) "</instance_attributes></primitive>"
#define DEVICE_ANY(id) "<primitive id=\"" id "\" class=\"stonith\" type=\"fence_dummy\"/>"
#define CLONE(max)                                                                                 \
	"<clone id=\"c-clone\"><meta_attributes id=\"cc-m\">" NV(                                  \
	    "cc-max", "clone-max", max) "</meta_attributes>" DUMMY("c") "</clone>"
#define PROMOTABLE(pmax)                                                                           \
	"<clone id=\"p-clone\"><meta_attributes id=\"pc-m\">" NV("pc-p", "promotable", "true")     \
	    NV("pc-pm", "promoted-max", pmax) "</meta_attributes>" DUMMY("p") "</clone>"

static char *mkcib(unsigned nodes, int admin_epoch, int epoch, const char *props, const char *rscs)
{
	GString *x = g_string_new(NULL);
	g_string_append_printf(
	    x,
	    "<cib validate-with=\"pacemaker-3.9\" crm_feature_set=\"3.16.1\" "
	    "admin_epoch=\"%d\" epoch=\"%d\" num_updates=\"0\"><configuration><crm_config>"
	    "<cluster_property_set id=\"o\">%s</cluster_property_set></crm_config><nodes>",
	    admin_epoch, epoch, props);
	for (unsigned i = 1; i <= nodes; i++)
		g_string_append_printf(x, "<node id=\"%u\" uname=\"n%u\"/>", i, i);
	g_string_append_printf(x,
			       "</nodes><resources>%s</resources><constraints/></configuration>"
			       "<status/></cib>",
			       rscs);
	return g_string_free(x, FALSE);
}

/* n nodes, all members, each having probed `probed` (stopped there), synced and
 * quorate; events forgotten. */
static cluster *synced_cluster(unsigned n, const char *props, const char *rscs,
			       const char *const *probed)
{
	char *xml = mkcib(n, 0, 1, props, rscs);
	cluster *c = cluster_new(n, xml);
	g_free(xml);
	for (uint32_t id = 1; id <= n; id++)
		for (const char *const *p = probed; p && *p; p++)
			know(c, id, *p, "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	assert_synced(c, true, true);
	assert_agree(c);
	forget(c);
	return c;
}

static const char *const R1[] = {"r1", NULL};
static const char *const R1R2[] = {"r1", "r2", NULL};

/* ---- 1. state application ------------------------------------------------------------- */

static ha_cib *load(const char *props, const char *rscs)
{
	char *xml = mkcib(3, 0, 1, props, rscs);
	ha_cib *cib = NULL;
	assert_int_equal(ha_cib_load_memory(xml, strlen(xml), "test.xml", 0, &cib, NULL), 0);
	g_free(xml);
	return cib;
}

static void record(ha_cib *cib, const char *operation, uint32_t interval_ms, int rc, int status,
		   int64_t ts)
{
	ha_msg_op o = {.rsc = "r1",
		       .cls = "ocf",
		       .provider = "ha",
		       .type = "Dummy",
		       .operation = (char *)operation,
		       .interval_ms = interval_ms,
		       .rc = rc,
		       .op_status = status,
		       .call_id = status == HA_OPST_PENDING ? -1 : ts,
		       .timestamp = ts};
	ha__state_record_op(cib, "n1", &o);
}

static void test_record_op_pending_mark_then_result_replace_last_0(void **unused)
{
	(void)unused;
	ha_cib *cib = load(FENCING_OFF, DUMMY("r1"));
	record(cib, "start", 0, 0, HA_OPST_PENDING, 10);
	const ha_lrm_op *o = find_op(cib, "n1", "r1", "r1_last_0");
	assert_non_null(o);
	assert_string_equal(o->operation, "start");
	assert_int_equal(o->op_status, HA_OPST_PENDING);
	assert_null(find_op(cib, "n1", "r1", "r1_last_failure_0"));
	const ha_node_state *ns = ha__node_state_find(cib, "n1");
	assert_int_equal(((ha_lrm_rsc *)g_ptr_array_index(ns->lrm, 0))->ops->len, 1);
	assert_string_equal(((ha_lrm_rsc *)g_ptr_array_index(ns->lrm, 0))->cls, "ocf");

	record(cib, "start", 0, 0, HA_OPST_DONE, 11);
	o = find_op(cib, "n1", "r1", "r1_last_0");
	assert_string_equal(o->operation, "start");
	assert_int_equal(o->op_status, HA_OPST_DONE);
	assert_int_equal(o->rc, 0);
	assert_int_equal(o->last_rc_change, 11);
	assert_string_equal(o->on_node, "n1");
	assert_int_equal(((ha_lrm_rsc *)g_ptr_array_index(ns->lrm, 0))->ops->len, 1);
	assert_null(node_attr(cib, "n1", "fail-count-r1#start_0"));
	ha_cib_free(cib);
}

static void test_record_op_recurring_monitor_has_its_own_entry_and_counts_failures(void **unused)
{
	(void)unused;
	ha_cib *cib = load(FENCING_OFF, DUMMY("r1"));
	record(cib, "start", 0, 0, HA_OPST_DONE, 10);
	record(cib, "monitor", 10000, 0, HA_OPST_DONE, 11);
	const ha_lrm_op *m = find_op(cib, "n1", "r1", "r1_monitor_10000");
	assert_non_null(m);
	assert_int_equal(m->interval_ms, 10000);
	assert_string_equal(find_op(cib, "n1", "r1", "r1_last_0")->operation, "start");
	assert_null(find_op(cib, "n1", "r1", "r1_last_failure_0"));

	/* A recurring monitor saying "not running" (7) is a failure. */
	record(cib, "monitor", 10000, 7, HA_OPST_DONE, 20);
	const ha_lrm_op *f = find_op(cib, "n1", "r1", "r1_last_failure_0");
	assert_non_null(f);
	assert_string_equal(f->operation, "monitor");
	assert_int_equal(f->rc, 7);
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#monitor_10000"), "1");
	assert_string_equal(node_attr(cib, "n1", "last-failure-r1#monitor_10000"), "20");
	record(cib, "monitor", 10000, 1, HA_OPST_DONE, 30);
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#monitor_10000"), "2");
	assert_string_equal(node_attr(cib, "n1", "last-failure-r1#monitor_10000"), "30");
	/* A timeout is a failure whatever the rc. */
	record(cib, "monitor", 10000, 0, HA_OPST_TIMEOUT, 40);
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#monitor_10000"), "3");

	/* A successful stop ends the recurring monitor; the fail count stays. */
	record(cib, "stop", 0, 0, HA_OPST_DONE, 50);
	assert_null(find_op(cib, "n1", "r1", "r1_monitor_10000"));
	assert_string_equal(find_op(cib, "n1", "r1", "r1_last_0")->operation, "stop");
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#monitor_10000"), "3");
	ha_cib_free(cib);
}

static void test_record_op_start_failure_is_fatal_by_default(void **unused)
{
	(void)unused;
	ha_cib *cib = load(FENCING_OFF, DUMMY("r1"));
	record(cib, "start", 0, 1, HA_OPST_DONE, 10);
	assert_string_equal(find_op(cib, "n1", "r1", "r1_last_failure_0")->operation, "start");
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#start_0"), "INFINITY");
	ha_cib_free(cib);

	cib = load(FENCING_OFF NV("o3", "start-failure-is-fatal", "false"), DUMMY("r1"));
	record(cib, "start", 0, 1, HA_OPST_DONE, 10);
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#start_0"), "1");
	record(cib, "start", 0, 1, HA_OPST_DONE, 11);
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#start_0"), "2");
	ha_cib_free(cib);
}

static void
test_record_op_probe_results_are_not_failures_and_cancelled_ops_are_ignored(void **unused)
{
	(void)unused;
	ha_cib *cib = load(FENCING_OFF, DUMMY("r1"));
	/* cancelled: not recorded at all (not even the node) */
	record(cib, "monitor", 10000, 0, HA_OPST_CANCELLED, 5);
	assert_null(ha__node_state_find(cib, "n1"));
	/* not running (7), not installed (5), invalid here (2): answers, not failures */
	int rcs[] = {7, 5, 2, 0};
	for (size_t i = 0; i < G_N_ELEMENTS(rcs); i++) {
		record(cib, "monitor", 0, rcs[i], HA_OPST_DONE, 10 + (int64_t)i);
		const ha_lrm_op *o = find_op(cib, "n1", "r1", "r1_last_0");
		assert_string_equal(o->operation, "monitor");
		assert_int_equal(o->rc, rcs[i]);
		assert_null(find_op(cib, "n1", "r1", "r1_last_failure_0"));
	}
	/* a probe that failed (1) is a failure */
	record(cib, "monitor", 0, 1, HA_OPST_DONE, 20);
	assert_non_null(find_op(cib, "n1", "r1", "r1_last_failure_0"));
	assert_string_equal(node_attr(cib, "n1", "fail-count-r1#monitor_0"), "1");
	ha_cib_free(cib);
}

/* OP messages through the stream: every member records the same. */
static void test_op_results_are_recorded_identically_on_every_member(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	op_status(c, 2, "r1", "start", 0, 0, HA_OPST_PENDING);
	for (uint32_t id = 1; id <= 3; id++) {
		ha_presence p = presence(c, id, "r1", 2);
		assert_true(p.pending);
	}
	assert_agree(c);
	op(c, 2, "r1", "start", 0);
	op_status(c, 2, "r1", "monitor", 10000, 0, HA_OPST_DONE);
	for (uint32_t id = 1; id <= 3; id++) {
		ha_presence p = presence(c, id, "r1", 2);
		assert_false(p.pending);
		assert_int_equal(p.role, HA_ROLE_STARTED);
		assert_non_null(find_op(ha__state_cib(c->st[id]), "n2", "r1", "r1_monitor_10000"));
	}
	op_status(c, 2, "r1", "monitor", 10000, 7, HA_OPST_DONE);
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_string_equal(node_attr(cib, "n2", "fail-count-r1#monitor_10000"), "1");
		assert_non_null(find_op(cib, "n2", "r1", "r1_last_failure_0"));
		assert_true(presence(c, id, "r1", 2).failed);
	}
	assert_agree(c);
	cluster_free(c);
}

static void test_op_of_a_node_that_is_not_a_member_is_ignored(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	leave(c, 3, HA_LEFT_CLEAN);
	sync_all(c, true);
	/* a stale message of n3 delivered after it left (it is not in the group) */
	op(c, 3, "r1", "start", 0);
	for (uint32_t id = 1; id <= 2; id++)
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r1"));
	assert_agree(c);
	cluster_free(c);
}

static void test_attr_set_and_unset_on_every_member(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	attr(c, 1, "n2", "site", "paris");
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(node_attr(ha__state_cib(c->st[id]), "n2", "site"), "paris");
	attr(c, 3, "n2", "site", "berlin");
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(node_attr(ha__state_cib(c->st[id]), "n2", "site"), "berlin");
	assert_agree(c);
	attr(c, 2, "n2", "site", NULL);
	for (uint32_t id = 1; id <= 3; id++)
		assert_null(node_attr(ha__state_cib(c->st[id]), "n2", "site"));
	assert_agree(c);
	cluster_free(c);
}

static void test_cleanup_forgets_history_and_fail_counts_of_one_or_every_node(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1") DUMMY("r2"), R1);
	op(c, 1, "r1", "start", 1);
	op(c, 2, "r1", "start", 1);
	op(c, 1, "r2", "monitor", 7);
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_string_equal(node_attr(cib, "n1", "fail-count-r1#start_0"), "INFINITY");
		assert_string_equal(node_attr(cib, "n2", "fail-count-r1#start_0"), "INFINITY");
	}
	cleanup(c, 3, "r1", "n1");
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_false(has_history(cib, "n1", "r1"));
		assert_null(node_attr(cib, "n1", "fail-count-r1#start_0"));
		assert_null(node_attr(cib, "n1", "last-failure-r1#start_0"));
		assert_true(has_history(cib, "n2", "r1"));
		assert_string_equal(node_attr(cib, "n2", "fail-count-r1#start_0"), "INFINITY");
		assert_true(has_history(cib, "n1", "r2")); /* other resources untouched */
		assert_int_equal(presence(c, id, "r1", 1).role, HA_ROLE_UNKNOWN);
	}
	assert_agree(c);
	cleanup(c, 1, "r1", NULL);
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		for (uint32_t on = 1; on <= 3; on++)
			assert_false(has_history(cib, NAMES[on], "r1"));
		assert_null(node_attr(cib, "n2", "fail-count-r1#start_0"));
		assert_true(has_history(cib, "n1", "r2"));
	}
	assert_agree(c);
	cluster_free(c);
}

static void test_leave_marks_shutdown_and_then_departure_counts_as_clean(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"), R1);
	op(c, 2, "r1", "start", 0);
	leave_msg(c, 2);
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(node_attr(ha__state_cib(c->st[id]), "n2", "shutdown"), "1");
	assert_agree(c);
	/* It stops what it runs, then vanishes from the membership (corosync stopped
	 * before the daemon left the group): it said it was leaving and runs nothing, so
	 * that is clean, even with fencing enabled. */
	op(c, 2, "r1", "stop", 0);
	leave(c, 2, HA_LEFT_NODEDOWN);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	for (uint32_t id = 1; id <= 3; id += 2) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		const ha_node_state *ns = ha__node_state_find(cib, "n2");
		assert_non_null(ns);
		assert_string_equal(ns->expected, "down");
		assert_string_equal(ns->in_ccm, "false");
		assert_false(has_history(cib, "n2", "r1"));
	}
	sync_all(c, true);
	assert_event_on(c, HA_SEV_FENCE, 0);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

static void test_leave_then_vanishing_with_resources_still_active_is_unclean(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"), R1);
	op(c, 1, "f", "start", 0);
	op(c, 2, "r1", "start", 0);
	leave_msg(c, 2);
	/* it died halfway through its shutdown: r1 may still run there */
	leave(c, 2, HA_LEFT_NODEDOWN);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(3));
	sync_all(c, true);
	assert_event_on(c, HA_SEV_FENCE, ON(1));
	claim(c, 3, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(3));
	fenced_msg(c, 1, "n2", true);
	claim(c, 3, "r1", "start");
	assert_claim(c, "r1", 3);
	assert_agree(c);
	cluster_free(c);
}

static void test_tick_is_the_lowest_members_clock_and_never_goes_back(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	assert_int_equal(ha__state_now(c->st[1]), 0);
	tick(c, 1, 1000);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_now(c->st[id]), 1000);
	/* Other members' clocks (skewed) do not move the replicated time. */
	tick(c, 2, 5000);
	tick(c, 3, 10);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_now(c->st[id]), 1000);
	tick(c, 1, 999);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_now(c->st[id]), 1000);
	tick(c, 1, 1010);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_now(c->st[id]), 1010);
	assert_agree(c);
	/* When the lowest member leaves, the next lowest's clock is the one. */
	leave(c, 1, HA_LEFT_CLEAN);
	sync_all(c, true);
	tick(c, 3, 2000);
	assert_int_equal(ha__state_now(c->st[2]), 1010);
	tick(c, 2, 1500);
	assert_int_equal(ha__state_now(c->st[2]), 1500);
	assert_int_equal(ha__state_now(c->st[3]), 1500);
	assert_agree(c);
	cluster_free(c);
}

static void test_failure_timeout_expiry_is_due_on_the_replicated_clock(void **unused)
{
	(void)unused;
	cluster *c =
	    synced_cluster(3, FENCING_OFF,
			   "<primitive id=\"r1\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
			   "<meta_attributes id=\"r1-m\">" NV(
			       "r1-ft", "failure-timeout", "60s") "</meta_attributes></primitive>",
			   R1);
	tick(c, 1, 1000);
	assert_int_equal(ha__state_next_due(c->st[1]), 0);
	op(c, 2, "r1", "start", 1); /* timestamp: the replicated now (1000) */
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_next_due(c->st[id]), 1060);
	tick(c, 1, 1060);
	assert_int_equal(ha__state_next_due(c->st[1]), 0);
	assert_agree(c);
	cluster_free(c);
}

/* ---- 2. sync rounds -------------------------------------------------------------------- */

static void test_nothing_is_synced_until_every_members_sync_arrived(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	view_all(c);
	assert_synced(c, false, false);
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(ha__cib_attr(ha__state_cib(c->st[id]), "have-quorum"), "0");
	sync_from(c, 1, true);
	sync_from(c, 3, true);
	assert_synced(c, false, false);
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, 0);
	/* A SYNC for another ring (an older configuration) does not count. */
	ha_msg m;
	ha__state_sync_msg(c->st[2], true, own_ops(c, 2),
			   g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free), &m);
	m.u.sync.ring = c->ring - 1;
	send(c, 2, &m);
	ha__msg_clear(&m);
	assert_synced(c, false, false);
	/* a claim before the round completes is rejected */
	know(c, 1, "r1", "monitor", 0, 7);
	sync_from(c, 2, true);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, ON(1) | ON(2) | ON(3));
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(ha__cib_attr(ha__state_cib(c->st[id]), "have-quorum"), "1");
	assert_agree(c);
	/* a new membership starts a new round: not synced again until it completes */
	forget(c);
	leave(c, 3, HA_LEFT_CLEAN);
	assert_synced(c, false, false);
	sync_from(c, 2, true);
	assert_synced(c, false, false);
	sync_from(c, 1, true);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, ON(1) | ON(2));
	cluster_free(c);
}

static void test_a_claim_before_the_sync_round_completes_is_rejected(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	for (uint32_t id = 1; id <= 3; id++)
		know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "the sync round of this membership is not complete");
	assert_claim(c, "r1", 0);
	sync_from(c, 3, true);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	assert_claim(c, "r1", 1);
	cluster_free(c);
}

static void test_quorate_only_when_every_members_sync_says_so(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, false); /* its quorum notification named another ring */
	sync_from(c, 3, true);
	assert_synced(c, true, false);
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(ha__cib_attr(ha__state_cib(c->st[id]), "have-quorum"), "0");
	assert_agree(c);
	cluster_free(c);
}

static void test_status_of_a_node_comes_from_its_own_sync(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1") DUMMY("r2"), R1);
	op(c, 2, "r1", "start", 0);
	attr(c, 2, "n2", "old", "1");
	/* n2's daemon restarted and knows only r2 now; n1 knows r1 runs on n2 (stale). */
	ha_cib_free(c->mine[2]);
	c->mine[2] = ha__cib_new();
	know(c, 2, "r2", "start", 0, 0);
	leave(c, 3, HA_LEFT_CLEAN);
	sync_from(c, 1, true);
	/* n1's SYNC does not speak for n2 */
	for (uint32_t id = 1; id <= 2; id++)
		assert_int_equal(presence(c, id, "r1", 2).role, HA_ROLE_STARTED);
	GPtrArray *attrs = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free);
	ha_msg_attr *a = g_new0(ha_msg_attr, 1);
	a->node = g_strdup("n2");
	a->name = g_strdup("new");
	a->value = g_strdup("2");
	g_ptr_array_add(attrs, a);
	sync_attrs(c, 2, true, attrs);
	assert_synced(c, true, true);
	for (uint32_t id = 1; id <= 2; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_false(has_history(cib, "n2", "r1"));
		assert_int_equal(presence(c, id, "r2", 2).role, HA_ROLE_STARTED);
		assert_int_equal(presence(c, id, "r1", 1).role, HA_ROLE_STOPPED); /* n1 said so */
		assert_null(node_attr(cib, "n2", "old"));
		assert_string_equal(node_attr(cib, "n2", "new"), "2");
	}
	assert_agree(c);
	cluster_free(c);
}

static void test_a_pending_operation_in_a_sync_keeps_the_resource_pending(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	claim(c, 2, "r1", "start");
	assert_claim(c, "r1", 2);
	/* n2 is still starting it when the membership changes: it reports the start as
	 * in flight in its SYNC, which supersedes its claim. */
	ha_msg_op pend = mkop(c, 2, "r1", "start", 0, 0, HA_OPST_PENDING);
	ha__state_record_op(c->mine[2], "n2", &pend);
	leave(c, 3, HA_LEFT_CLEAN);
	sync_all(c, true);
	assert_claim(c, "r1", 0);
	for (uint32_t id = 1; id <= 2; id++)
		assert_true(presence(c, id, "r1", 2).pending);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_claim(c, "r1", 0);
	assert_agree(c);
	cluster_free(c);
}

/* Each node's configuration differs only in what `xml[i]` says. */
static cluster *cluster_of(unsigned n, char **xml)
{
	cluster *c = cluster_new_each(n, (const char *const *)xml);
	for (unsigned i = 0; i < n; i++)
		g_free(xml[i]);
	return c;
}

static void test_the_highest_config_version_wins_and_the_others_adopt_it(void **unused)
{
	(void)unused;
	char *xml[3] = {
	    mkcib(3, 0, 4, FENCING_OFF, DUMMY("r1")),
	    mkcib(3, 0, 7, FENCING_OFF, DUMMY("r1") DUMMY("r7")),
	    mkcib(3, 0, 5, FENCING_OFF, DUMMY("r1") DUMMY("r5")),
	};
	cluster *c = cluster_of(3, xml);
	know(c, 1, "r1", "start", 0, 0);
	view_all(c);
	sync_all(c, true);
	/* Not synced until the winner's configuration arrived. */
	assert_synced(c, false, false);
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, ON(2));
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, 0);
	assert_event_on(c, HA_SEV_DIVERGED, 0); /* older versions are not divergence */
	/* Only the designated source's configuration resolves the round. */
	send_config_source(c, 3);
	assert_synced(c, false, false);
	assert_int_equal(ha__state_cib(c->st[1])->epoch, 4);
	send_config_source(c, 2);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, ON(1) | ON(2) | ON(3));
	assert_event_on(c, HA_SEV_CONFIG_APPLIED, ON(1) | ON(2) | ON(3));
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_state_event *e = ev_last(c, id, HA_SEV_CONFIG_APPLIED);
		assert_int_equal(e->result, 0);
		assert_int_equal(e->epoch, 7);
		assert_int_equal(e->request, 0); /* nothing to acknowledge */
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_int_equal(cib->epoch, 7);
		assert_non_null(ha__rsc_find(&cib->cfg, "r7"));
		assert_null(ha__rsc_find(&cib->cfg, "r5"));
		/* the status survived the configuration change */
		assert_int_equal(presence(c, id, "r1", 1).role, HA_ROLE_STARTED);
		assert_string_equal(ha__state_config_digest(c->st[id]),
				    ha__state_config_digest(c->st[2]));
	}
	assert_agree(c);
	/* A late unconditional config (no longer awaited) is ignored. */
	forget(c);
	send_config_source(c, 3);
	assert_event_on(c, HA_SEV_CONFIG_APPLIED, 0);
	assert_int_equal(ha__state_cib(c->st[1])->epoch, 7);
	cluster_free(c);
}

static void test_admin_epoch_outranks_epoch(void **unused)
{
	(void)unused;
	char *xml[3] = {
	    mkcib(3, 0, 9, FENCING_OFF, DUMMY("r1")),
	    mkcib(3, 0, 9, FENCING_OFF, DUMMY("r1")),
	    mkcib(3, 1, 2, FENCING_OFF, DUMMY("r1") DUMMY("r3")),
	};
	cluster *c = cluster_of(3, xml);
	view_all(c);
	sync_all(c, true);
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, ON(3));
	send_config_source(c, 3);
	assert_synced(c, true, true);
	for (uint32_t id = 1; id <= 3; id++) {
		int64_t admin, epoch, updates;
		ha_cib_version(ha__state_cib(c->st[id]), &admin, &epoch, &updates);
		assert_int_equal(admin, 1);
		assert_int_equal(epoch, 2);
		assert_non_null(ha__rsc_find(&ha__state_cib(c->st[id])->cfg, "r3"));
	}
	assert_agree(c);
	cluster_free(c);
}

static void test_same_version_different_config_is_reported_never_merged(void **unused)
{
	(void)unused;
	char *xml[3] = {
	    mkcib(3, 0, 5, FENCING_OFF, DUMMY("r1")),
	    mkcib(3, 0, 5, FENCING_OFF, DUMMY("r1") DUMMY("extra")),
	    mkcib(3, 0, 5, FENCING_OFF, DUMMY("r1")),
	};
	cluster *c = cluster_of(3, xml);
	view_all(c);
	sync_all(c, true);
	assert_synced(c, false, false);
	/* Reported on every node, naming the diverged member. */
	assert_event_on(c, HA_SEV_DIVERGED, ON(1) | ON(2) | ON(3));
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(ev_last(c, id, HA_SEV_DIVERGED)->target, "n2");
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, ON(1));
	send_config_source(c, 1);
	assert_synced(c, true, true);
	/* n2 adopted n1's configuration as is: nothing of its own was merged in. */
	for (uint32_t id = 1; id <= 3; id++) {
		assert_null(ha__rsc_find(&ha__state_cib(c->st[id])->cfg, "extra"));
		assert_int_equal(ha__state_cib(c->st[id])->epoch, 5);
	}
	assert_agree(c);
	cluster_free(c);
}

/* Regression: have-quorum is a <cib> attribute each member sets from its own view (1 in
 * a synced quorate round, 0 otherwise); digests computed at different moments on
 * different members must not make identical configurations look diverged. */
static void test_digest_does_not_depend_on_have_quorum(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 5, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	/* The digest does see a real difference (so the equalities below mean something). */
	char *other = mkcib(3, 0, 5, FENCING_OFF, DUMMY("r2"));
	cluster *d = cluster_new(1, other);
	g_free(other);
	assert_string_not_equal(ha__state_config_digest(d->st[1]),
				ha__state_config_digest(c->st[1]));
	cluster_free(d);

	uint32_t two[] = {1, 2};
	view(c, two, 2, NULL, NULL, 0);
	sync_all(c, true);
	assert_synced(c, true, true);
	assert_string_equal(ha__cib_attr(ha__state_cib(c->st[1]), "have-quorum"), "1");
	assert_string_equal(ha__cib_attr(ha__state_cib(c->st[3]), "have-quorum"), "0");
	/* corosync's nodelist grows (the same change everywhere); n1 and n2 compute the new
	 * digest while quorate, n3 (not a member yet) while not */
	for (uint32_t id = 1; id <= 3; id++)
		ha__state_set_node_name(c->st[id], 4, "n4");
	char *quorate_digest = g_strdup(ha__state_config_digest(c->st[1]));
	assert_string_equal(ha__state_config_digest(c->st[3]), quorate_digest);
	g_free(quorate_digest);

	forget(c);
	join(c, 3);
	sync_all(c, true);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_DIVERGED, 0);
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, 0);
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, ON(1) | ON(2) | ON(3));
	assert_agree(c);
	cluster_free(c);
}

static void test_a_member_whose_sync_never_comes_is_excluded_after_the_sync_timeout(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "f", "start", 0, 0);
	know(c, 3, "r1", "start", 0, 0);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	tick(c, 1, 100); /* n1 starts measuring the round on its clock */
	tick(c, 1, 129);
	assert_synced(c, false, false);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	tick(c, 1, 130);
	/* Excluded on every node, the round completes without it, and it is fenced. */
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(3));
	for (uint32_t id = 1; id <= 3; id++)
		assert_string_equal(ev_last(c, id, HA_SEV_NODE_LOST)->target, "n3");
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, ON(1) | ON(2) | ON(3));
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_FENCE, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_FENCE)->target, "n3");
	assert_agree(c);
	/* Its late SYNC and its messages change nothing until the membership changes. */
	forget(c);
	sync_from(c, 3, true);
	op(c, 3, "r1", "stop", 0);
	attr(c, 3, "n3", "x", "1");
	assert_event_on(c, HA_SEV_SYNC_COMPLETE, 0);
	for (uint32_t id = 1; id <= 2; id++) {
		assert_false(
		    has_history(ha__state_cib(c->st[id]), "n3", "r1")); /* never reported */
		assert_null(node_attr(ha__state_cib(c->st[id]), "n3", "x"));
	}
	/* and nothing that was possibly active there may start before it is fenced */
	op(c, 1, "r1", "monitor", 7);
	op(c, 2, "r1", "monitor", 7);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	fenced_msg(c, 1, "n3", true);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

static void test_sync_timeout_is_measured_on_each_senders_own_clock(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 3, "r1", "start", 0, 0);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	tick(c, 2, 5000); /* n2's clock is far ahead of n1's */
	tick(c, 1, 100);
	tick(c, 2, 5029);
	tick(c, 1, 120);
	assert_synced(c, false, false);
	tick(c, 2, 5030);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(3));
	/* without fencing its resources count as stopped at once */
	for (uint32_t id = 1; id <= 3; id++)
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r1"));
	assert_event_on(c, HA_SEV_FENCE, 0);
	assert_agree(c);
	cluster_free(c);
}

/* ---- 3. configuration writes ----------------------------------------------------------- */

/* The result every member got for the write `request`, which must be the same. */
static int applied_everywhere(const cluster *c, uint64_t request, uint32_t writer)
{
	int result = 1;
	for (uint32_t id = 1; id <= c->n; id++) {
		if (!c->up[id])
			continue;
		assert_int_equal(ev_count(c, id, HA_SEV_CONFIG_APPLIED), 1);
		const ha_state_event *e = ev_last(c, id, HA_SEV_CONFIG_APPLIED);
		assert_int_equal(e->request, request);
		assert_int_equal(e->node, writer);
		assert_int_equal(e->epoch, ha__state_cib(c->st[id])->epoch);
		if (result == 1)
			result = e->result;
		assert_int_equal(e->result, result);
	}
	return result;
}

static void test_config_write_before_the_sync_round_is_rejected_everywhere(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	char *next = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	cluster *c = cluster_new(3, xml);
	view_all(c);
	sync_from(c, 1, true);
	config_write(c, 2, 77, 1, next);
	assert_int_equal(applied_everywhere(c, 77, 2), HA_ENOTSYNCED);
	for (uint32_t id = 1; id <= 3; id++) {
		assert_int_equal(ha__state_cib(c->st[id])->epoch, 1);
		assert_null(ha__rsc_find(&ha__state_cib(c->st[id])->cfg, "r9"));
	}
	/* the rejection goes through the ack round like any result */
	for (uint32_t id = 1; id <= 3; id++)
		config_ack(c, id, 77, 1, HA_ENOTSYNCED);
	assert_event_on(c, HA_SEV_CONFIG_DONE, ON(1) | ON(2) | ON(3));
	assert_int_equal(ev_last(c, 1, HA_SEV_CONFIG_DONE)->result, HA_ENOTSYNCED);
	g_free(xml);
	g_free(next);
	cluster_free(c);
}

static void test_config_write_without_quorum_is_rejected_everywhere(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	char *next = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	cluster *c = cluster_new(3, xml);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	sync_from(c, 3, false);
	assert_synced(c, true, false);
	config_write(c, 1, 5, 1, next);
	assert_int_equal(applied_everywhere(c, 5, 1), HA_ENOQUORUM);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(ha__state_cib(c->st[id])->epoch, 1);
	assert_agree(c);
	g_free(xml);
	g_free(next);
	cluster_free(c);
}

static void test_config_write_without_quorum_applies_with_no_quorum_policy_ignore(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF NV("o9", "no-quorum-policy", "ignore"), DUMMY("r1"));
	char *next = mkcib(3, 0, 1, FENCING_OFF NV("o9", "no-quorum-policy", "ignore"),
			   DUMMY("r1") DUMMY("r9"));
	cluster *c = cluster_new(3, xml);
	view_all(c);
	sync_from(c, 1, false);
	sync_from(c, 2, false);
	sync_from(c, 3, false);
	config_write(c, 1, 5, 1, next);
	assert_int_equal(applied_everywhere(c, 5, 1), 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_non_null(ha__rsc_find(&ha__state_cib(c->st[id])->cfg, "r9"));
	assert_agree(c);
	g_free(xml);
	g_free(next);
	cluster_free(c);
}

static void test_config_write_applies_everywhere_and_bumps_the_epoch(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	op(c, 2, "r1", "start", 0);
	/* the writer's document carries some epoch: the state's own next epoch counts */
	char *next = mkcib(3, 0, 40, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	config_write(c, 3, 1001, 1, next);
	assert_int_equal(applied_everywhere(c, 1001, 3), 0);
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_int_equal(cib->epoch, 2);
		assert_non_null(ha__rsc_find(&cib->cfg, "r9"));
		assert_int_equal(presence(c, id, "r1", 2).role, HA_ROLE_STARTED); /* status kept */
		assert_string_equal(ha__cib_attr(cib, "have-quorum"), "1");
	}
	assert_agree(c);
	g_free(next);
	cluster_free(c);
}

static void test_config_write_with_a_stale_expected_epoch_is_rejected_everywhere(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	char *a = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("ra"));
	char *b = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("rb"));
	/* Two writers made their change against epoch 1: the first in the order wins. */
	config_write(c, 2, 21, 1, b);
	assert_int_equal(applied_everywhere(c, 21, 2), 0);
	forget(c);
	config_write(c, 1, 11, 1, a);
	assert_int_equal(applied_everywhere(c, 11, 1), HA_ESTALEVERSION);
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_cib *cib = ha__state_cib(c->st[id]);
		assert_int_equal(cib->epoch, 2);
		assert_non_null(ha__rsc_find(&cib->cfg, "rb"));
		assert_null(ha__rsc_find(&cib->cfg, "ra"));
	}
	/* ahead of the state is just as wrong */
	forget(c);
	config_write(c, 1, 12, 3, a);
	assert_int_equal(applied_everywhere(c, 12, 1), HA_ESTALEVERSION);
	forget(c);
	config_write(c, 1, 13, 2, a);
	assert_int_equal(applied_everywhere(c, 13, 1), 0);
	assert_int_equal(ha__state_cib(c->st[3])->epoch, 3);
	assert_agree(c);
	g_free(a);
	g_free(b);
	cluster_free(c);
}

static void test_config_done_only_after_every_members_ack(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	char *next = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	config_write(c, 2, 500, 1, next);
	assert_int_equal(applied_everywhere(c, 500, 2), 0);
	forget(c);
	config_ack(c, 2, 500, 2, 0);
	config_ack(c, 3, 500, 2, 0);
	config_ack(c, 3, 501, 2, 0); /* another request's ack */
	assert_event_on(c, HA_SEV_CONFIG_DONE, 0);
	config_ack(c, 1, 500, 2, 0);
	assert_event_on(c, HA_SEV_CONFIG_DONE, ON(1) | ON(2) | ON(3));
	for (uint32_t id = 1; id <= 3; id++) {
		const ha_state_event *e = ev_last(c, id, HA_SEV_CONFIG_DONE);
		assert_int_equal(e->request, 500);
		assert_int_equal(e->node, 2);
		assert_int_equal(e->epoch, 2);
		assert_int_equal(e->result, 0);
	}
	/* once done, more acks change nothing */
	forget(c);
	config_ack(c, 1, 500, 2, 0);
	assert_event_on(c, HA_SEV_CONFIG_DONE, 0);
	g_free(next);
	cluster_free(c);
}

static void test_ack_round_completes_when_a_silent_member_leaves(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	char *next = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	config_write(c, 1, 9, 1, next);
	forget(c);
	config_ack(c, 1, 9, 2, 0);
	config_ack(c, 2, 9, 2, 0);
	assert_event_on(c, HA_SEV_CONFIG_DONE, 0);
	/* n3 never acks: when it leaves, the round is complete among those left */
	leave(c, 3, HA_LEFT_NODEDOWN);
	assert_event_on(c, HA_SEV_CONFIG_DONE, ON(1) | ON(2));
	assert_int_equal(ev_last(c, 1, HA_SEV_CONFIG_DONE)->request, 9);
	g_free(next);
	cluster_free(c);
}

/* ---- 4. claims ---------------------------------------------------------------------------- */

static void test_two_simultaneous_start_claims_exactly_one_wins_on_every_node(void **unused)
{
	(void)unused;
	/* Whichever is first in the agreed order wins, whatever the node ids. */
	for (uint32_t first = 1; first <= 2; first++) {
		uint32_t second = 3 - first;
		cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
		claim(c, first, "r1", "start");
		claim(c, second, "r1", "start");
		assert_claim(c, "r1", first);
		assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(first));
		assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(second));
		const ha_state_event *g = ev_last(c, first, HA_SEV_CLAIM_GRANTED);
		assert_string_equal(g->rsc, "r1");
		assert_string_equal(g->action, "start");
		assert_string_equal(ev_last(c, second, HA_SEV_CLAIM_REJECTED)->reason,
				    "already active or pending on a node");
		/* the claim made it pending on the winner, for everyone */
		for (uint32_t id = 1; id <= 3; id++) {
			assert_true(presence(c, id, "r1", first).pending);
			assert_false(presence(c, id, "r1", second).pending);
		}
		assert_agree(c);
		cluster_free(c);
	}
}

static void test_claim_rejected_before_the_claimer_probed(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 2, "r1", "monitor", 0, 7);
	know(c, 3, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "the claimer has not probed the resource");
	/* nor may anyone else start it while its state on n1 is unknown */
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1) | ON(2));
	assert_string_equal(ev_last(c, 2, HA_SEV_CLAIM_REJECTED)->reason,
			    "its state is unknown on a member (not probed yet)");
	assert_claim(c, "r1", 0);
	/* a pending probe is not a probe */
	op_status(c, 1, "r1", "monitor", 0, 0, HA_OPST_PENDING);
	forget(c);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	op(c, 1, "r1", "monitor", 7);
	forget(c);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(2));
	assert_claim(c, "r1", 2);
	assert_agree(c);
	cluster_free(c);
}

static void test_claim_rejected_without_quorum(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	for (uint32_t id = 1; id <= 3; id++)
		know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	sync_from(c, 3, false);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "the partition has no quorum");
	assert_claim(c, "r1", 0);
	cluster_free(c);

	/* no-quorum-policy=ignore, configured explicitly, lifts that */
	xml = mkcib(3, 0, 1, FENCING_OFF NV("o9", "no-quorum-policy", "ignore"), DUMMY("r1"));
	c = cluster_new(3, xml);
	g_free(xml);
	for (uint32_t id = 1; id <= 3; id++)
		know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, false);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	cluster_free(c);
}

static void test_claim_rejected_with_a_stale_epoch(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	claim_epoch(c, 1, "r1", "start", 0);
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "the configuration changed since the claim was made");
	claim_epoch(c, 2, "r1", "start", 2);
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1) | ON(2));
	assert_claim(c, "r1", 0);
	/* a write in between makes a claim made against the old version stale */
	char *next = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r9"));
	config_write(c, 3, 1, 1, next);
	g_free(next);
	forget(c);
	claim_epoch(c, 1, "r1", "start", 1);
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

static void test_claim_rejected_for_an_unknown_resource_or_a_non_primitive(void **unused)
{
	(void)unused;
	const char *const probed[] = {"c", NULL};
	cluster *c = synced_cluster(3, FENCING_OFF, CLONE("2"), probed);
	claim(c, 1, "nosuch", "start");
	claim(c, 2, "c-clone", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1) | ON(2));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason, "no such primitive");
	assert_string_equal(ev_last(c, 2, HA_SEV_CLAIM_REJECTED)->reason, "no such primitive");
	assert_agree(c);
	cluster_free(c);
}

static void test_claim_rejected_while_possibly_active_on_an_unfenced_lost_node(void **unused)
{
	(void)unused;
	/* n3 left uncleanly; r1 was stopped everywhere as far as n1 and n2 know, but n3
	 * may have delivered a claim (and started r1) that only it received. */
	cluster *c = synced_cluster(3, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"), R1);
	op(c, 1, "f", "start", 0);
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "possibly active on a node that left uncleanly and is not fenced");
	assert_claim(c, "r1", 0);
	/* a failed fencing changes nothing */
	fenced_msg(c, 1, "n3", false);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1) | ON(2));
	fenced_msg(c, 1, "n3", true);
	forget(c);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(2));
	assert_claim(c, "r1", 2);
	assert_agree(c);
	cluster_free(c);
}

static void test_claim_ends_with_the_start_result(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1") DUMMY("r2"), R1R2);
	claim(c, 2, "r1", "start");
	op_status(c, 2, "r1", "start", 0, 0, HA_OPST_PENDING); /* in flight: still held */
	assert_claim(c, "r1", 2);
	op(c, 2, "r2", "stop", 0); /* another resource's result */
	assert_claim(c, "r1", 2);
	op(c, 1, "r1", "start", 0); /* another node's result (it had no claim) */
	assert_claim(c, "r1", 2);
	op(c, 2, "r1", "start", 0);
	assert_claim(c, "r1", 0);
	for (uint32_t id = 1; id <= 3; id++) {
		ha_presence p = presence(c, id, "r1", 2);
		assert_false(p.pending);
		assert_int_equal(p.role, HA_ROLE_STARTED);
	}
	/* a failed start ends it too */
	claim(c, 3, "r2", "start");
	assert_claim(c, "r2", 3);
	op(c, 3, "r2", "start", 1);
	assert_claim(c, "r2", 0);
	assert_agree(c);
	cluster_free(c);
}

static void test_claim_ends_with_a_release_of_the_claimer_only(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	claim(c, 2, "r1", "start");
	release(c, 1, "r1"); /* not n1's claim */
	assert_claim(c, "r1", 2);
	for (uint32_t id = 1; id <= 3; id++)
		assert_true(presence(c, id, "r1", 2).pending);
	release(c, 2, "r1");
	assert_claim(c, "r1", 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_false(presence(c, id, "r1", 2).pending);
	assert_agree(c);
	cluster_free(c);
}

static void test_claims_of_a_node_that_leaves_are_dropped(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(4, FENCING_OFF, DUMMY("r1") DUMMY("r2"), R1R2);
	claim(c, 3, "r1", "start");
	claim(c, 4, "r2", "start");
	assert_claim(c, "r1", 3);
	assert_claim(c, "r2", 4);
	leave(c, 3, HA_LEFT_CLEAN);
	assert_claim(c, "r1", 0);
	assert_claim(c, "r2", 4);
	/* without fencing, an unclean departure drops them at once too */
	leave(c, 4, HA_LEFT_NODEDOWN);
	assert_claim(c, "r2", 0);
	sync_all(c, true);
	claim(c, 1, "r1", "start");
	claim(c, 2, "r2", "start");
	assert_claim(c, "r1", 1);
	assert_claim(c, "r2", 2);
	assert_agree(c);
	cluster_free(c);
}

static void test_clone_claims_respect_clone_max(void **unused)
{
	(void)unused;
	const char *const probed[] = {"c", NULL};
	cluster *c = synced_cluster(3, FENCING_OFF, CLONE("2"), probed);
	claim(c, 1, "c", "start");
	claim(c, 2, "c", "start");
	claim(c, 3, "c", "start");
	assert_claim(c, "c@1", 1);
	assert_claim(c, "c@2", 2);
	assert_claim(c, "c@3", 0);
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1) | ON(2));
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(3));
	assert_string_equal(ev_last(c, 3, HA_SEV_CLAIM_REJECTED)->reason,
			    "clone-max instances are active, pending or possibly active");
	/* an instance per node: n1 cannot claim a second one */
	forget(c);
	claim(c, 1, "c", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	/* started instances count as much as pending ones */
	op(c, 1, "c", "start", 0);
	op(c, 2, "c", "start", 0);
	assert_claim(c, "c@1", 0);
	assert_claim(c, "c@2", 0);
	forget(c);
	claim(c, 3, "c", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(3));
	op(c, 1, "c", "stop", 0);
	forget(c);
	claim(c, 3, "c", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(3));
	assert_claim(c, "c@3", 3);
	assert_agree(c);
	cluster_free(c);
}

static void test_clone_claims_respect_promoted_max(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, PROMOTABLE("1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "p", "start", 0, 0);
	know(c, 2, "p", "start", 0, 0);
	know(c, 3, "p", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	forget(c);
	/* only where it runs */
	claim(c, 3, "p", "promote");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(3));
	assert_string_equal(ev_last(c, 3, HA_SEV_CLAIM_REJECTED)->reason,
			    "not active on the claimer");
	forget(c);
	claim(c, 2, "p", "promote");
	claim(c, 1, "p", "promote");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(2));
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_REJECTED)->reason,
			    "promoted-max instances are promoted, pending or possibly promoted");
	assert_claim(c, "p@2", 2);
	assert_claim(c, "p@1", 0);
	op(c, 2, "p", "promote", 0);
	assert_claim(c, "p@2", 0);
	forget(c);
	claim(c, 1, "p", "promote");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	claim(c, 2, "p", "promote");
	assert_string_equal(ev_last(c, 2, HA_SEV_CLAIM_REJECTED)->reason,
			    "already promoted on the claimer");
	op(c, 2, "p", "demote", 0);
	forget(c);
	claim(c, 1, "p", "promote");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	assert_claim(c, "p@1", 1);
	assert_agree(c);
	cluster_free(c);
}

static void test_restart_claim_valid_only_where_the_resource_is_active(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "r1", "start", 0, 0);
	know(c, 2, "r1", "monitor", 0, 7);
	know(c, 3, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	forget(c);
	claim(c, 2, "r1", "restart");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2));
	assert_string_equal(ev_last(c, 2, HA_SEV_CLAIM_REJECTED)->reason,
			    "not active on the claimer");
	assert_string_equal(ev_last(c, 2, HA_SEV_CLAIM_REJECTED)->action, "restart");
	assert_claim(c, "r1", 0);
	claim(c, 1, "r1", "restart");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	assert_string_equal(ev_last(c, 1, HA_SEV_CLAIM_GRANTED)->action, "restart");
	assert_claim(c, "r1", 1);
	/* the claim marks the stop pending */
	for (uint32_t id = 1; id <= 3; id++) {
		assert_true(presence(c, id, "r1", 1).pending);
		const ha_lrm_op *last = find_op(ha__state_cib(c->st[id]), "n1", "r1", "r1_last_0");
		assert_string_equal(last->operation, "stop");
	}
	/* while the restart is in flight, its own node cannot claim it again */
	forget(c);
	claim(c, 1, "r1", "restart");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_agree(c);
	cluster_free(c);
}

static void test_restart_claim_holds_the_resource_from_stop_to_start(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "r1", "start", 0, 0);
	know(c, 2, "r1", "monitor", 0, 7);
	know(c, 3, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	claim(c, 1, "r1", "restart");
	forget(c);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2));
	/* stopped on n1 now, and still nobody else may start it */
	op(c, 1, "r1", "stop", 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(presence(c, id, "r1", 1).role, HA_ROLE_STOPPED);
	assert_claim(c, "r1", 1);
	forget(c);
	claim(c, 2, "r1", "start");
	claim(c, 3, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2) | ON(3));
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, 0);
	/* the start under the same claim: pending, then its result ends the claim */
	op_status(c, 1, "r1", "start", 0, 0, HA_OPST_PENDING);
	assert_claim(c, "r1", 1);
	op(c, 1, "r1", "start", 0);
	assert_claim(c, "r1", 0);
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(presence(c, id, "r1", 1).role, HA_ROLE_STARTED);
	forget(c);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2));
	assert_agree(c);
	cluster_free(c);
}

static void test_restart_claim_of_a_clone_instance_counts_toward_clone_max(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, CLONE("2"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "c", "start", 0, 0);
	know(c, 2, "c", "start", 0, 0);
	know(c, 3, "c", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	forget(c);
	/* restarting an instance in place adds none: valid with clone-max reached */
	claim(c, 1, "c", "restart");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	assert_claim(c, "c@1", 1);
	op(c, 1, "c", "stop", 0);
	forget(c);
	/* between the stop and the start the instance is still taken */
	claim(c, 3, "c", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(3));
	assert_string_equal(ev_last(c, 3, HA_SEV_CLAIM_REJECTED)->reason,
			    "clone-max instances are active, pending or possibly active");
	op_status(c, 1, "c", "start", 0, 0, HA_OPST_PENDING);
	claim(c, 3, "c", "start");
	assert_int_equal(ev_count(c, 3, HA_SEV_CLAIM_REJECTED), 2);
	op(c, 1, "c", "start", 0);
	assert_claim(c, "c@1", 0);
	claim(c, 3, "c", "start");
	assert_int_equal(ev_count(c, 3, HA_SEV_CLAIM_REJECTED), 3);
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, 0);
	assert_agree(c);
	cluster_free(c);
}

/* ---- 5. fencing --------------------------------------------------------------------------- */

/* Four nodes; n3 runs r1. Devices: fb on n1 can fence only n1 and n2; fa1 on n2
 * (host list) and fa2 on n4 (host map) can fence n3. */
static cluster *fencing_cluster(void)
{
	char *xml = mkcib(4, 0, 1, FENCING_ON,
			  DUMMY("r1") DEVICE("fb", "pcmk_host_list", "n1,n2")
			      DEVICE("fa1", "pcmk_host_list", "n3 n4")
				  DEVICE("fa2", "pcmk_host_map", "n3:plug3;n4:plug4"));
	cluster *c = cluster_new(4, xml);
	g_free(xml);
	know(c, 1, "fb", "start", 0, 0);
	know(c, 2, "fa1", "start", 0, 0);
	know(c, 4, "fa2", "start", 0, 0);
	know(c, 3, "r1", "start", 0, 0);
	for (uint32_t id = 1; id <= 4; id++)
		if (id != 3)
			know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	tick(c, 1, 1000);
	assert_agree(c);
	forget(c);
	return c;
}

static void test_fencer_is_the_lowest_member_running_a_device_that_covers_the_target(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_NODEDOWN);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(4));
	assert_string_equal(ev_last(c, 1, HA_SEV_NODE_LOST)->target, "n3");
	/* nobody fences before the new round is synced (and quorate) */
	assert_event_on(c, HA_SEV_FENCE, 0);
	sync_all(c, true);
	/* n1 is lower but its device cannot fence n3 */
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	assert_string_equal(ev_last(c, 2, HA_SEV_FENCE)->target, "n3");
	for (uint32_t id = 1; id <= 4; id++)
		if (id != 3)
			assert_int_equal(ha__state_next_due(c->st[id]), 1020);
	assert_agree(c);
	cluster_free(c);
}

static void test_next_fencer_takes_over_after_stonith_timeout(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	forget(c);
	tick(c, 1, 1019);
	assert_event_on(c, HA_SEV_FENCE, 0);
	tick(c, 1, 1020);
	assert_event_on(c, HA_SEV_FENCE, ON(4));
	assert_string_equal(ev_last(c, 4, HA_SEV_FENCE)->target, "n3");
	forget(c);
	/* a clock from another member does not move time */
	tick(c, 4, 1100);
	assert_event_on(c, HA_SEV_FENCE, 0);
	tick(c, 1, 1040);
	assert_event_on(c, HA_SEV_FENCE, ON(2)); /* round robin among the capable ones */
	assert_agree(c);
	cluster_free(c);
}

static void test_lost_nodes_resources_count_as_stopped_only_after_successful_fencing(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	for (uint32_t id = 1; id <= 4; id++) {
		if (id == 3)
			continue;
		assert_int_equal(presence(c, id, "r1", 3).role, HA_ROLE_STARTED);
		assert_string_equal(ha__node_state_find(ha__state_cib(c->st[id]), "n3")->expected,
				    "member");
	}
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	fenced_msg(c, 4, "n3", false);
	assert_event_on(c, HA_SEV_FENCED, ON(1) | ON(2) | ON(4));
	assert_string_equal(ev_last(c, 1, HA_SEV_FENCED)->action, "failed");
	claim(c, 1, "r1", "start");
	assert_int_equal(ev_count(c, 1, HA_SEV_CLAIM_REJECTED), 2);
	forget(c);
	fenced_msg(c, 2, "n3", true);
	assert_event_on(c, HA_SEV_FENCED, ON(1) | ON(2) | ON(4));
	for (uint32_t id = 1; id <= 4; id++) {
		if (id == 3)
			continue;
		const ha_state_event *e = ev_last(c, id, HA_SEV_FENCED);
		assert_string_equal(e->action, "ok");
		assert_string_equal(e->target, "n3");
		assert_string_equal(e->reason, "n2");
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r1"));
		assert_string_equal(ha__node_state_find(ha__state_cib(c->st[id]), "n3")->expected,
				    "down");
		assert_int_equal(ha__state_next_due(c->st[id]), 0);
	}
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	/* fenced: nobody is told to fence it again */
	tick(c, 1, 1100);
	assert_event_on(c, HA_SEV_FENCE, 0);
	assert_agree(c);
	cluster_free(c);
}

static void test_fenced_from_a_node_that_is_not_a_member_is_ignored(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	fenced_msg(c, 3, "n3", true); /* a stale message of the lost node itself */
	assert_event_on(c, HA_SEV_FENCED, 0);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	cluster_free(c);
}

static void test_no_fencer_without_a_device_covering_the_target(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_ON, DUMMY("r1") DEVICE("fb", "pcmk_host_list", "n1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "fb", "start", 0, 0);
	know(c, 2, "fb", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	tick(c, 1, 100);
	assert_event_on(c, HA_SEV_FENCE, 0);
	/* a device that failed does not count either; one that starts does */
	op(c, 2, "fb", "start", 1);
	assert_event_on(c, HA_SEV_FENCE, 0);
	cluster_free(c);

	xml = mkcib(3, 0, 1, FENCING_ON, DUMMY("r1") DEVICE_ANY("any"));
	c = cluster_new(3, xml);
	g_free(xml);
	view_all(c);
	sync_all(c, true);
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	assert_event_on(c, HA_SEV_FENCE, 0);
	op(c, 2, "any", "start", 0); /* without a static list it can fence anyone */
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	cluster_free(c);
}

static void test_without_quorum_nobody_fences(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_from(c, 1, true);
	sync_from(c, 2, false);
	sync_from(c, 4, true);
	assert_synced(c, true, false);
	tick(c, 1, 1030);
	assert_event_on(c, HA_SEV_FENCE, 0);
	cluster_free(c);
}

static void test_with_stonith_disabled_a_lost_nodes_resources_are_recovered_at_once(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DEVICE_ANY("f"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "f", "start", 0, 0);
	know(c, 3, "r1", "start", 0, 0);
	know(c, 1, "r1", "monitor", 0, 7);
	know(c, 2, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	forget(c);
	leave(c, 3, HA_LEFT_NODEDOWN);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	for (uint32_t id = 1; id <= 2; id++)
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r1"));
	sync_all(c, true);
	tick(c, 1, 100);
	assert_event_on(c, HA_SEV_FENCE, 0);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(2));
	assert_agree(c);
	cluster_free(c);
}

static void test_daemon_crash_freezes_the_node_for_the_grace_time_then_fences_it(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_PROCDOWN);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	sync_all(c, true);
	assert_event_on(c, HA_SEV_FENCE, 0);
	for (uint32_t id = 1; id <= 4; id++) {
		if (id == 3)
			continue;
		const ha_node_state *ns = ha__node_state_find(ha__state_cib(c->st[id]), "n3");
		assert_true(ns->frozen);
		assert_string_equal(ns->in_ccm, "true"); /* corosync still has it */
		assert_int_equal(presence(c, id, "r1", 3).role, HA_ROLE_STARTED);
		assert_int_equal(ha__state_next_due(c->st[id]), 1030);
	}
	/* hands off: its resources are not taken over while it is frozen */
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	forget(c);
	tick(c, 1, 1029);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	tick(c, 1, 1030);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(4));
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	for (uint32_t id = 1; id <= 4; id++)
		if (id != 3)
			assert_false(ha__node_state_find(ha__state_cib(c->st[id]), "n3")->frozen);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	fenced_msg(c, 2, "n3", true);
	forget(c);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1));
	assert_agree(c);
	cluster_free(c);
}

static void test_daemon_back_within_the_grace_time_is_not_fenced(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	leave(c, 3, HA_LEFT_PROCDOWN);
	sync_all(c, true);
	tick(c, 1, 1020);
	join(c, 3); /* had restarted: it re-probed and reports what runs there */
	sync_all(c, true);
	tick(c, 1, 1100);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	for (uint32_t id = 1; id <= 4; id++) {
		assert_false(ha__node_state_find(ha__state_cib(c->st[id]), "n3")->frozen);
		assert_int_equal(presence(c, id, "r1", 3).role, HA_ROLE_STARTED);
	}
	assert_agree(c);
	cluster_free(c);
}

static void test_daemon_crash_without_fencing_counts_as_stopped_after_the_grace_time(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_OFF, DUMMY("r1") DUMMY("r2"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 3, "r1", "start", 0, 0);
	for (uint32_t id = 1; id <= 3; id++) {
		if (id != 3)
			know(c, id, "r1", "monitor", 0, 7);
		know(c, id, "r2", "monitor", 0, 7);
	}
	view_all(c);
	sync_all(c, true);
	tick(c, 1, 1000);
	/* n3 was granted r2 and its daemon died before reporting the start */
	claim(c, 3, "r2", "start");
	assert_claim(c, "r2", 3);
	leave(c, 3, HA_LEFT_PROCDOWN);
	sync_all(c, true);
	forget(c);
	claim(c, 1, "r1", "start");
	claim(c, 1, "r2", "start");
	assert_int_equal(ev_count(c, 1, HA_SEV_CLAIM_REJECTED), 2);
	tick(c, 1, 1030);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	for (uint32_t id = 1; id <= 2; id++) {
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r1"));
		assert_false(has_history(ha__state_cib(c->st[id]), "n3", "r2"));
	}
	/* its claim went with it: r1 and r2 can be recovered */
	assert_claim(c, "r2", 0);
	forget(c);
	claim(c, 1, "r1", "start");
	claim(c, 2, "r2", "start");
	assert_event_on(c, HA_SEV_CLAIM_GRANTED, ON(1) | ON(2));
	assert_agree(c);
	cluster_free(c);
}

static void test_startup_fencing_of_a_configured_node_not_seen_within_20_s(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "f", "start", 0, 0);
	uint32_t two[] = {1, 2};
	view(c, two, 2, NULL, NULL, 0);
	sync_all(c, true);
	tick(c, 1, 100); /* the wait starts on the first replicated time of the cluster */
	for (uint32_t id = 1; id <= 2; id++)
		assert_int_equal(ha__state_next_due(c->st[id]), 120);
	tick(c, 1, 119);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	tick(c, 1, 120);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2));
	assert_string_equal(ev_last(c, 2, HA_SEV_NODE_LOST)->target, "n3");
	assert_event_on(c, HA_SEV_FENCE, ON(1));
	/* whatever n3 may run counts as possibly active until then */
	op(c, 1, "r1", "monitor", 7);
	op(c, 2, "r1", "monitor", 7);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2));
	fenced_msg(c, 1, "n3", true);
	claim(c, 2, "r1", "start");
	assert_claim(c, "r1", 2);
	assert_agree(c);
	cluster_free(c);

	/* startup-fencing=false: never */
	xml = mkcib(3, 0, 1, FENCING_ON NV("o5", "startup-fencing", "false"),
		    DUMMY("r1") DEVICE_ANY("f"));
	c = cluster_new(3, xml);
	g_free(xml);
	know(c, 1, "f", "start", 0, 0);
	view(c, two, 2, NULL, NULL, 0);
	sync_all(c, true);
	tick(c, 1, 100);
	tick(c, 2, 1000); /* n2's heartbeat: not silent */
	tick(c, 1, 1000);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	cluster_free(c);
}

static void test_a_member_silent_past_the_timeout_is_excluded_and_fenced(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster(); /* r1 runs on n3; n1 ticked at 1000 */
	/* n2 and n4 keep sending heartbeats; n3 sends nothing after 1000 */
	tick(c, 3, 1000);
	for (int64_t t = 1005; t < 1030; t += 5) {
		tick(c, 2, t);
		tick(c, 4, t);
		tick(c, 1, t);
	}
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	/* a message from it is a sign of life: the watch starts over */
	op(c, 3, "r1", "monitor", 0);
	tick(c, 1, 1031);
	tick(c, 2, 1031);
	tick(c, 4, 1031);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	tick(c, 1, 1060);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	tick(c, 2, 1061);
	tick(c, 4, 1061);
	tick(c, 1, 1061); /* n1 watched from 1031: 30 s of its clock */
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(3) | ON(4));
	assert_string_equal(ev_last(c, 1, HA_SEV_NODE_LOST)->target, "n3");
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	/* no longer a member for the state; r1 may still run there until fenced */
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	fenced_msg(c, 2, "n3", true);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

static void test_a_member_that_keeps_leaving_before_it_syncs_is_held_down(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, "", DUMMY("r1"));
	cluster *c = cluster_new(3, xml);
	g_free(xml);
	uint32_t two[] = {1, 2};
	view(c, two, 2, NULL, NULL, 0);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	tick(c, 1, 100);
	for (int k = 0; k < 3; k++) {
		/* n3 comes back and leaves again before its sync message */
		join(c, 3);
		sync_from(c, 1, true);
		sync_from(c, 2, true);
		assert_synced(c, false, false);
		tick(c, 1, 110 + 10 * k);
		leave(c, 3, HA_LEFT_NODEDOWN);
		sync_from(c, 1, true);
		sync_from(c, 2, true);
	}
	/* held down: the next round does not wait for it */
	join(c, 3);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	for (uint32_t id = 1; id <= 2; id++)
		assert_true(ha__state_synced(c->st[id]));
	assert_string_equal(ev_last(c, 1, HA_SEV_NODE_LOST)->target, "n3");
	/* its messages do not count */
	op(c, 3, "r1", "start", 0);
	assert_false(presence(c, 1, "r1", 3).role >= HA_ROLE_STARTED);
	/* after the hold-down (120 s) it is admitted at the next membership change */
	tick(c, 1, 300);
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_from(c, 1, true);
	sync_from(c, 2, true);
	join(c, 3);
	sync_all(c, true);
	assert_synced(c, true, true);
	assert_agree(c);
	cluster_free(c);
}


static void test_a_config_source_that_never_sends_its_config_is_excluded_after_the_sync_timeout(void **unused)
{
	(void)unused;
	char *xml[3] = {
	    mkcib(3, 0, 4, FENCING_OFF, DUMMY("r1")),
	    mkcib(3, 0, 7, FENCING_OFF, DUMMY("r1") DUMMY("r7")),
	    mkcib(3, 0, 4, FENCING_OFF, DUMMY("r1")),
	};
	cluster *c = cluster_of(3, xml);
	view_all(c);
	sync_all(c, true);
	assert_event_on(c, HA_SEV_CONFIG_SOURCE, ON(2));
	tick(c, 1, 100);
	tick(c, 1, 130);
	assert_synced(c, true, true);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(3));
	cluster_free(c);
}

static void test_a_release_leaves_the_resource_as_known_as_before_the_claim(void **unused)
{
	(void)unused;
	cluster *c = synced_cluster(3, FENCING_OFF, DUMMY("r1"), R1);
	claim(c, 2, "r1", "start");
	release(c, 2, "r1");
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	cluster_free(c);
}

static void test_a_successful_stop_keeps_the_last_failure_record(void **unused)
{
	(void)unused;
	ha_cib *cib = load(FENCING_OFF, DUMMY("r1"));
	record(cib, "start", 0, 0, HA_OPST_DONE, 10);
	record(cib, "monitor", 10000, 7, HA_OPST_DONE, 20);
	record(cib, "stop", 0, 0, HA_OPST_DONE, 30);
	assert_non_null(find_op(cib, "n1", "r1", "r1_last_failure_0"));
	ha_cib_free(cib);
}

static void test_members_agree_on_lost_nodes_after_a_partition_merges(void **unused)
{
	(void)unused;
	char *xml = mkcib(4, 0, 1, FENCING_ON, DUMMY("r1") DEVICE("f", "pcmk_host_list", "n1 n2 n3"));
	cluster *c = cluster_new(4, xml);
	g_free(xml);
	know(c, 1, "f", "start", 0, 0);
	for (uint32_t id = 1; id <= 4; id++)
		know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	/* n4 is cut off: each side sees the other leave uncleanly */
	uint32_t a[] = {1, 2, 3}, b[] = {4}, from_a[] = {4}, from_b[] = {1, 2, 3};
	ha_left_reason down[] = {HA_LEFT_NODEDOWN, HA_LEFT_NODEDOWN, HA_LEFT_NODEDOWN};
	view(c, a, 3, from_a, down, 1);
	sync_all(c, true);
	view(c, b, 1, from_b, down, 3);
	sync_all(c, false);
	/* meanwhile n3 shuts down cleanly on the quorate side */
	uint32_t a2[] = {1, 2}, n3[] = {3};
	ha_left_reason clean[] = {HA_LEFT_CLEAN};
	view(c, a2, 2, n3, clean, 1);
	sync_all(c, true);
	/* the partition heals: n4 saw n3 go uncleanly, the others cleanly; the gravest
	 * report wins everywhere (n3 is fenced before anything it may run is taken) */
	uint32_t merged[] = {1, 2, 4};
	view(c, merged, 3, NULL, NULL, 0);
	sync_all(c, true);
	assert_agree(c);
	forget(c);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	assert_claim(c, "r1", 0);
	fenced_msg(c, 1, "n3", true);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

/* A node whose daemon restarts gets a fresh state (configuration only). */
static void restart_daemon(cluster *c, uint32_t id, const char *xml)
{
	ha__state_free(c->st[id]);
	ha_cib *cib = NULL;
	assert_int_equal(ha_cib_load_memory(xml, strlen(xml), "test.xml", 0, &cib, NULL), 0);
	ha_state_options o = {.local = id, .frozen_grace = 30, .sync_timeout = 30};
	assert_int_equal(ha__state_new(&o, cib, &c->st[id]), 0);
	for (uint32_t j = 1; j <= c->n; j++)
		ha__state_set_node_name(c->st[id], j, NAMES[j]);
	ha_cib_free(c->mine[id]);
	c->mine[id] = ha__cib_new();
}

static void test_a_restarted_member_knows_an_unfenced_lost_node(void **unused)
{
	(void)unused;
	char *xml = mkcib(4, 0, 1, FENCING_ON, DUMMY("r1") DEVICE("f", "pcmk_host_list", "n1 n2"));
	cluster *c = cluster_new(4, xml);
	know(c, 1, "f", "start", 0, 0);
	know(c, 3, "r1", "start", 0, 0);
	for (uint32_t id = 1; id <= 4; id++)
		if (id != 3)
			know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	/* n3 crashes; nobody can fence it (no device covers it) */
	leave(c, 3, HA_LEFT_NODEDOWN);
	sync_all(c, true);
	/* n2's daemon is restarted cleanly (maintenance) and re-probes r1 */
	leave_msg(c, 2);
	leave(c, 2, HA_LEFT_CLEAN);
	sync_all(c, true);
	restart_daemon(c, 2, xml);
	know(c, 2, "r1", "monitor", 0, 7);
	join(c, 2);
	sync_all(c, true);
	forget(c);
	claim(c, 2, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(2));
	assert_claim(c, "r1", 0);
	assert_agree(c);
	g_free(xml);
	cluster_free(c);
}

static void test_a_restarted_member_does_not_startup_fence_a_node_that_left_cleanly(void **unused)
{
	(void)unused;
	char *xml = mkcib(3, 0, 1, FENCING_ON, DUMMY("r1") DEVICE_ANY("f"));
	cluster *c = cluster_new(3, xml);
	know(c, 2, "f", "start", 0, 0);
	for (uint32_t id = 1; id <= 3; id++)
		know(c, id, "r1", "monitor", 0, 7);
	view_all(c);
	sync_all(c, true);
	tick(c, 1, 100);
	leave_msg(c, 3);
	leave(c, 3, HA_LEFT_CLEAN); /* n3 is shut down for maintenance */
	sync_all(c, true);
	leave(c, 2, HA_LEFT_CLEAN); /* n2's daemon is restarted */
	sync_all(c, false);
	restart_daemon(c, 2, xml);
	know(c, 2, "f", "start", 0, 0);
	know(c, 2, "r1", "monitor", 0, 7);
	join(c, 2);
	sync_all(c, true);
	forget(c);
	tick(c, 1, 200);
	tick(c, 2, 200); /* heartbeats: both alive */
	tick(c, 1, 300);
	tick(c, 2, 300);
	assert_event_on(c, HA_SEV_NODE_LOST, 0);
	assert_event_on(c, HA_SEV_FENCE, 0);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	g_free(xml);
	cluster_free(c);
}

static void test_operator_fence_request_makes_the_target_lost_and_fenced(void **unused)
{
	(void)unused;
	cluster *c = fencing_cluster();
	ha_msg m = {.type = HA_MSG_FENCE};
	m.u.fence.target = "n3";
	send(c, 1, &m);
	assert_event_on(c, HA_SEV_NODE_LOST, ON(1) | ON(2) | ON(3) | ON(4));
	assert_event_on(c, HA_SEV_FENCE, ON(2));
	/* it is no longer a member for the state: its results are ignored */
	op(c, 3, "r1", "stop", 0);
	for (uint32_t id = 1; id <= 4; id++)
		assert_int_equal(presence(c, id, "r1", 3).role, HA_ROLE_STARTED);
	claim(c, 1, "r1", "start");
	assert_event_on(c, HA_SEV_CLAIM_REJECTED, ON(1));
	fenced_msg(c, 2, "n3", true);
	claim(c, 1, "r1", "start");
	assert_claim(c, "r1", 1);
	assert_agree(c);
	cluster_free(c);
}

/* ---- 6. random streams ------------------------------------------------------------------- */

/* A seeded random walk over one agreed stream: claims (start, promote, restart), their
 * results and releases, stops, ticks, departures (clean, crash, daemon crash), fencing.
 * After every step every member must hold the same state, and the replicated status
 * must keep the safety invariants: a unique resource active or pending on at most one
 * node, at most clone-max instances, at most promoted-max promoted. Departed nodes do
 * not come back (a member that rejoins is not covered here). Each node reports its
 * in-flight operations as pending in its SYNC (what the state relies on). */

#define WALK_NODES 5
#define WALK_STEPS 300

typedef struct flight {
	uint32_t node;
	const char *rsc;
	const char *action; /* start, promote, restart */
	bool stopped;	    /* restart: the stop is done, the start is in flight */
} flight;

typedef struct walk {
	cluster *c;
	uint64_t seed, rng;
	flight fl[64];
	unsigned n_fl;
	int64_t now;
	uint32_t fencer[WALK_NODES + 1]; /* target id -> the node told to fence it, 0 */
} walk;

static uint32_t rnd(walk *w, uint32_t n)
{
	w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((w->rng >> 33) % n);
}

static uint32_t random_up(walk *w)
{
	uint32_t ids[MAXN], n = 0;
	for (uint32_t id = 1; id <= w->c->n; id++)
		if (w->c->up[id])
			ids[n++] = id;
	return ids[rnd(w, n)];
}

static uint32_t lowest_up(const cluster *c)
{
	for (uint32_t id = 1; id <= c->n; id++)
		if (c->up[id])
			return id;
	return 0;
}

static unsigned n_up(const cluster *c)
{
	unsigned n = 0;
	for (uint32_t id = 1; id <= c->n; id++)
		n += c->up[id];
	return n;
}

/* The node records an operation in flight (its own record; reported in its SYNC). */
static void in_flight(walk *w, uint32_t node, const char *rsc, const char *operation)
{
	ha_msg_op o = mkop(w->c, node, rsc, operation, 0, 0, HA_OPST_PENDING);
	ha__state_record_op(w->c->mine[node], NAMES[node], &o);
}

static void drop_flight(walk *w, unsigned i) { w->fl[i] = w->fl[--w->n_fl]; }

static void walk_claim(walk *w)
{
	static const char *const rscs[] = {"r1", "r2", "c", "p"};
	uint32_t node = random_up(w);
	const char *rsc = rscs[rnd(w, 4)];
	const char *action = rnd(w, 5) == 0 ? "restart" : "start";
	if (!strcmp(rsc, "p") && rnd(w, 2))
		action = "promote";
	claim(w->c, node, rsc, action);
	if (!ev_count(w->c, node, HA_SEV_CLAIM_GRANTED))
		return;
	assert_true(w->n_fl < G_N_ELEMENTS(w->fl));
	w->fl[w->n_fl++] = (flight){.node = node, .rsc = rsc, .action = action};
	in_flight(w, node, rsc, !strcmp(action, "restart") ? "stop" : action);
}

static void walk_progress(walk *w)
{
	if (!w->n_fl)
		return;
	unsigned i = rnd(w, w->n_fl);
	flight *f = &w->fl[i];
	if (rnd(w, 20) == 0 && !f->stopped) {
		/* given back before running it (the node is shutting down) */
		release(w->c, f->node, f->rsc);
		/* the pending mark is gone: it probes again (running unless it was to start) */
		op(w->c, f->node, f->rsc, "monitor", strcmp(f->action, "start") ? 0 : 7);
		drop_flight(w, i);
		return;
	}
	if (!strcmp(f->action, "restart") && !f->stopped) {
		op(w->c, f->node, f->rsc, "stop", 0);
		in_flight(w, f->node, f->rsc, "start");
		op_status(w->c, f->node, f->rsc, "start", 0, 0, HA_OPST_PENDING);
		f->stopped = true;
		return;
	}
	bool promote = !strcmp(f->action, "promote");
	op(w->c, f->node, f->rsc, promote ? "promote" : "start", rnd(w, 10) == 0 ? 1 : 0);
	drop_flight(w, i);
}

static bool flying(const walk *w, uint32_t node, const char *rsc)
{
	for (unsigned i = 0; i < w->n_fl; i++)
		if (w->fl[i].node == node && !strcmp(w->fl[i].rsc, rsc))
			return true;
	return false;
}

static void walk_stop(walk *w)
{
	static const char *const rscs[] = {"r1", "r2", "c", "p"};
	uint32_t node = random_up(w);
	const char *rsc = rscs[rnd(w, 4)];
	if (flying(w, node, rsc) || presence(w->c, node, rsc, node).role < HA_ROLE_STARTED)
		return;
	op(w->c, node, rsc, "stop", 0);
}

static void walk_fence(walk *w)
{
	for (uint32_t id = 1; id <= w->c->n; id++) {
		const ha_state_event *e = ev_last(w->c, id, HA_SEV_FENCE);
		if (e)
			w->fencer[atoi(e->target + 1)] = id;
	}
	for (uint32_t t = 1; t <= w->c->n; t++) {
		uint32_t by = w->fencer[t];
		if (!by || !w->c->up[by] || rnd(w, 2))
			continue;
		bool ok = rnd(w, 5) != 0;
		fenced_msg(w->c, by, NAMES[t], ok);
		if (ok)
			w->fencer[t] = 0;
	}
}

static void walk_depart(walk *w)
{
	if (n_up(w->c) * 2 <= w->c->n + 1)
		return; /* keep a quorate majority */
	uint32_t node = random_up(w);
	ha_left_reason why = (ha_left_reason)(1 + rnd(w, 3));
	if (why == HA_LEFT_CLEAN) {
		/* a clean departure: LEAVE, stop everything, leave */
		leave_msg(w->c, node);
		for (unsigned i = w->n_fl; i-- > 0;)
			if (w->fl[i].node == node) {
				release(w->c, node, w->fl[i].rsc);
				drop_flight(w, i);
			}
		static const char *const rscs[] = {"r1", "r2", "c", "p", "f1", "f2"};
		for (size_t i = 0; i < G_N_ELEMENTS(rscs); i++)
			if (presence(w->c, node, rscs[i], node).role >= HA_ROLE_STARTED)
				op(w->c, node, rscs[i], "stop", 0);
	}
	for (unsigned i = w->n_fl; i-- > 0;)
		if (w->fl[i].node == node)
			drop_flight(w, i);
	leave(w->c, node, why);
	/* the round, in a random order */
	uint32_t order[MAXN], n = 0;
	for (uint32_t id = 1; id <= w->c->n; id++)
		if (w->c->up[id])
			order[n++] = id;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = rnd(w, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		sync_from(w->c, order[i], true);
}

static void assert_invariants(const walk *w)
{
	const cluster *c = w->c;
	uint32_t viewer = lowest_up(c);
	static const char *const keys[] = {"r1", "r2"};
	for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
		uint32_t holder = 0;
		if (!ha__state_claimed(c->st[viewer], keys[k], &holder))
			holder = 0;
		assert_claim(c, keys[k], holder);
	}
	for (uint32_t id = 1; id <= c->n; id++) {
		char key[16];
		uint32_t holder = 0;
		snprintf(key, sizeof(key), "c@%u", id);
		assert_claim(c, key, ha__state_claimed(c->st[viewer], key, &holder) ? holder : 0);
		snprintf(key, sizeof(key), "p@%u", id);
		assert_claim(c, key, ha__state_claimed(c->st[viewer], key, &holder) ? holder : 0);
	}
	unsigned r1 = 0, r2 = 0, cl = 0, promoted = 0;
	for (uint32_t on = 1; on <= c->n; on++) {
		ha_presence p;
		p = presence(c, viewer, "r1", on);
		r1 += p.pending || p.role >= HA_ROLE_STARTED;
		p = presence(c, viewer, "r2", on);
		r2 += p.pending || p.role >= HA_ROLE_STARTED;
		p = presence(c, viewer, "c", on);
		cl += p.pending || p.role >= HA_ROLE_STARTED;
		p = presence(c, viewer, "p", on);
		promoted += p.role == HA_ROLE_PROMOTED;
	}
	if (r1 > 1 || r2 > 1 || cl > 2 || promoted > 1)
		fail_msg("seed %llu: r1 on %u, r2 on %u, c on %u, p promoted on %u nodes",
			 (unsigned long long)w->seed, r1, r2, cl, promoted);
}

static void test_random_streams_keep_members_agreed_and_invariants_kept(void **unused)
{
	(void)unused;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		char *xml = mkcib(WALK_NODES, 0, 1, FENCING_ON,
				  DUMMY("r1") DUMMY("r2") CLONE("2") PROMOTABLE("1")
				      DEVICE_ANY("f1") DEVICE_ANY("f2"));
		walk w = {.c = cluster_new(WALK_NODES, xml), .seed = seed, .rng = seed};
		g_free(xml);
		static const char *const rscs[] = {"r1", "r2", "c", "p"};
		for (uint32_t id = 1; id <= WALK_NODES; id++)
			for (size_t i = 0; i < G_N_ELEMENTS(rscs); i++)
				know(w.c, id, rscs[i], "monitor", 0, 7);
		know(w.c, 1, "f1", "start", 0, 0);
		know(w.c, 2, "f2", "start", 0, 0);
		view_all(w.c);
		sync_all(w.c, true);
		for (unsigned step = 0; step < WALK_STEPS; step++) {
			forget(w.c);
			uint32_t dice = rnd(&w, 100);
			if (dice < 35)
				walk_claim(&w);
			else if (dice < 65)
				walk_progress(&w);
			else if (dice < 78)
				walk_stop(&w);
			else if (dice < 92) {
				w.now += 1 + rnd(&w, 12);
				tick(w.c, lowest_up(w.c), w.now);
			} else if (dice < 97)
				walk_depart(&w);
			else
				attr(w.c, random_up(&w), NAMES[random_up(&w)], "walk",
				     rnd(&w, 2) ? "1" : NULL);
			walk_fence(&w);
			assert_agree(w.c);
			assert_invariants(&w);
		}
		cluster_free(w.c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    /* 1. state application */
	    cmocka_unit_test(test_record_op_pending_mark_then_result_replace_last_0),
	    cmocka_unit_test(
		test_record_op_recurring_monitor_has_its_own_entry_and_counts_failures),
	    cmocka_unit_test(test_record_op_start_failure_is_fatal_by_default),
	    cmocka_unit_test(
		test_record_op_probe_results_are_not_failures_and_cancelled_ops_are_ignored),
	    cmocka_unit_test(test_op_results_are_recorded_identically_on_every_member),
	    cmocka_unit_test(test_op_of_a_node_that_is_not_a_member_is_ignored),
	    cmocka_unit_test(test_attr_set_and_unset_on_every_member),
	    cmocka_unit_test(test_cleanup_forgets_history_and_fail_counts_of_one_or_every_node),
	    cmocka_unit_test(test_leave_marks_shutdown_and_then_departure_counts_as_clean),
	    cmocka_unit_test(test_leave_then_vanishing_with_resources_still_active_is_unclean),
	    cmocka_unit_test(test_tick_is_the_lowest_members_clock_and_never_goes_back),
	    cmocka_unit_test(test_failure_timeout_expiry_is_due_on_the_replicated_clock),
	    /* 2. sync rounds */
	    cmocka_unit_test(test_nothing_is_synced_until_every_members_sync_arrived),
	    cmocka_unit_test(test_a_claim_before_the_sync_round_completes_is_rejected),
	    cmocka_unit_test(test_quorate_only_when_every_members_sync_says_so),
	    cmocka_unit_test(test_status_of_a_node_comes_from_its_own_sync),
	    cmocka_unit_test(test_a_pending_operation_in_a_sync_keeps_the_resource_pending),
	    cmocka_unit_test(test_the_highest_config_version_wins_and_the_others_adopt_it),
	    cmocka_unit_test(test_admin_epoch_outranks_epoch),
	    cmocka_unit_test(test_same_version_different_config_is_reported_never_merged),
	    cmocka_unit_test(test_digest_does_not_depend_on_have_quorum),
	    cmocka_unit_test(
		test_a_member_whose_sync_never_comes_is_excluded_after_the_sync_timeout),
	    cmocka_unit_test(test_sync_timeout_is_measured_on_each_senders_own_clock),
	    /* 3. configuration writes */
	    cmocka_unit_test(test_config_write_before_the_sync_round_is_rejected_everywhere),
	    cmocka_unit_test(test_config_write_without_quorum_is_rejected_everywhere),
	    cmocka_unit_test(test_config_write_without_quorum_applies_with_no_quorum_policy_ignore),
	    cmocka_unit_test(test_config_write_applies_everywhere_and_bumps_the_epoch),
	    cmocka_unit_test(test_config_write_with_a_stale_expected_epoch_is_rejected_everywhere),
	    cmocka_unit_test(test_config_done_only_after_every_members_ack),
	    cmocka_unit_test(test_ack_round_completes_when_a_silent_member_leaves),
	    /* 4. claims */
	    cmocka_unit_test(test_two_simultaneous_start_claims_exactly_one_wins_on_every_node),
	    cmocka_unit_test(test_claim_rejected_before_the_claimer_probed),
	    cmocka_unit_test(test_claim_rejected_without_quorum),
	    cmocka_unit_test(test_claim_rejected_with_a_stale_epoch),
	    cmocka_unit_test(test_claim_rejected_for_an_unknown_resource_or_a_non_primitive),
	    cmocka_unit_test(test_claim_rejected_while_possibly_active_on_an_unfenced_lost_node),
	    cmocka_unit_test(test_claim_ends_with_the_start_result),
	    cmocka_unit_test(test_claim_ends_with_a_release_of_the_claimer_only),
	    cmocka_unit_test(test_claims_of_a_node_that_leaves_are_dropped),
	    cmocka_unit_test(test_clone_claims_respect_clone_max),
	    cmocka_unit_test(test_clone_claims_respect_promoted_max),
	    cmocka_unit_test(test_restart_claim_valid_only_where_the_resource_is_active),
	    cmocka_unit_test(test_restart_claim_holds_the_resource_from_stop_to_start),
	    cmocka_unit_test(test_restart_claim_of_a_clone_instance_counts_toward_clone_max),
	    /* 5. fencing */
	    cmocka_unit_test(
		test_fencer_is_the_lowest_member_running_a_device_that_covers_the_target),
	    cmocka_unit_test(test_next_fencer_takes_over_after_stonith_timeout),
	    cmocka_unit_test(
		test_lost_nodes_resources_count_as_stopped_only_after_successful_fencing),
	    cmocka_unit_test(test_fenced_from_a_node_that_is_not_a_member_is_ignored),
	    cmocka_unit_test(test_no_fencer_without_a_device_covering_the_target),
	    cmocka_unit_test(test_without_quorum_nobody_fences),
	    cmocka_unit_test(
		test_with_stonith_disabled_a_lost_nodes_resources_are_recovered_at_once),
	    cmocka_unit_test(test_daemon_crash_freezes_the_node_for_the_grace_time_then_fences_it),
	    cmocka_unit_test(test_daemon_back_within_the_grace_time_is_not_fenced),
	    cmocka_unit_test(
		test_daemon_crash_without_fencing_counts_as_stopped_after_the_grace_time),
	    cmocka_unit_test(test_startup_fencing_of_a_configured_node_not_seen_within_20_s),
	    cmocka_unit_test(test_operator_fence_request_makes_the_target_lost_and_fenced),
	    cmocka_unit_test(test_a_config_source_that_never_sends_its_config_is_excluded_after_the_sync_timeout),
	    cmocka_unit_test(test_a_release_leaves_the_resource_as_known_as_before_the_claim),
	    cmocka_unit_test(test_a_successful_stop_keeps_the_last_failure_record),
	    cmocka_unit_test(test_members_agree_on_lost_nodes_after_a_partition_merges),
	    cmocka_unit_test(test_a_restarted_member_knows_an_unfenced_lost_node),
	    cmocka_unit_test(test_a_restarted_member_does_not_startup_fence_a_node_that_left_cleanly),
	    cmocka_unit_test(test_a_member_silent_past_the_timeout_is_excluded_and_fenced),
	    cmocka_unit_test(test_a_member_that_keeps_leaving_before_it_syncs_is_held_down),
	    /* 6. random streams */
	    cmocka_unit_test(test_random_streams_keep_members_agreed_and_invariants_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
