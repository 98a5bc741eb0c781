/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The corosync transport: CPG (model v1, agreed order) for messages and group
 * membership, the quorum service for quorum, cmap for node names, all driven as fd
 * sources of a GMainContext. It turns CPG's callbacks into the interface's (a ring
 * transition's confchg is held until its totem confchg supplies the ring id), hides
 * flow control behind the send queue, and turns a lost connection into one
 * connection() report plus reconnect attempts. The only corosync user in libha; it
 * does not initialize libqb logging.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <glib-unix.h>

#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>

#include "memb.h"
#include "sendq.h"
#include "transport_private.h"

#define RECONNECT_MS 1000u
/* Flow control normally clears within milliseconds; this bounds memory when the
 * cluster cannot keep up at all (the caller then sees -ENOBUFS). */
#define SENDQ_MAX_BYTES (64u << 20)
/* Upper bound on nodelist entries read from cmap (corosync allows far fewer). */
#define NODELIST_MAX 1024u

typedef struct {
	uint32_t id;
	char *name;
} cs_name;

typedef struct cs_transport {
	ha_transport base; /* first: the interface's object */
	GMainContext *ctx;

	bool connected;
	cpg_handle_t cpg;
	quorum_handle_t quorum;
	GSource *cpg_src, *quorum_src;
	GSource *retry_src;     /* join / send retry after TRY_AGAIN */
	GSource *reconnect_src; /* while disconnected */
	GSource *lost_src;      /* deferred loss report (detected inside a call) */
	uint32_t local_id;
	size_t max_msg;

	char *group;    /* set by join, kept across reconnects */
	bool join_sent; /* cpg_join() accepted on this connection */
	ha__sendq sendq;

	ha__memb memb; /* CPG confchgs -> membership callbacks */

	GArray *names; /* cs_name; entries are never removed (borrowed pointers) */

	unsigned depth; /* > 0 while inside one of our sources' callbacks */
	bool doomed;    /* ha__transport_free() was called inside one */
} cs_transport;

static void lost(cs_transport *t, int err);
static void arm_retry(cs_transport *t);

int ha__corosync_errno(int cs_error)
{
	switch ((cs_error_t)cs_error) {
	case CS_OK:
		return 0;
	case CS_ERR_TRY_AGAIN:
	case CS_ERR_INTERRUPT: /* atomic messages only: nothing went out, resend */
		return -EAGAIN;
	case CS_ERR_LIBRARY:
	case CS_ERR_BAD_HANDLE:
		return -ENOTCONN;
	case CS_ERR_NO_MEMORY:
		return -ENOMEM;
	case CS_ERR_INVALID_PARAM:
		return -EINVAL;
	case CS_ERR_ACCESS:
	case CS_ERR_SECURITY:
		return -EACCES;
	case CS_ERR_NOT_EXIST:
		return -ENOENT;
	case CS_ERR_EXIST:
		return -EEXIST;
	case CS_ERR_NAME_TOO_LONG:
		return -ENAMETOOLONG;
	case CS_ERR_TOO_BIG:
		return -EMSGSIZE;
	case CS_ERR_TIMEOUT:
		return -ETIMEDOUT;
	case CS_ERR_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

static ha_leave_reason leave_reason(uint32_t cpg_reason)
{
	switch (cpg_reason) {
	case CPG_REASON_LEAVE:
		return HA_LEAVE_CLEAN;
	case CPG_REASON_PROCDOWN:
		return HA_LEAVE_PROCDOWN;
	default:
		/* NODEDOWN, and NODEUP (the node came back before we saw it go): both
		 * mean the node left uncleanly; so does anything unknown. */
		return HA_LEAVE_NODEDOWN;
	}
}

static cs_transport *from_base(const ha_transport *t)
{
	return (cs_transport *)t;
}

/* ---- node names --------------------------------------------------------------------- */

static const char *name_lookup(const cs_transport *t, uint32_t id)
{
	guint i;

	for (i = 0; i < t->names->len; i++) {
		const cs_name *n = &g_array_index(t->names, cs_name, i);

		if (n->id == id)
			return n->name;
	}
	return NULL;
}

/* Add the nodelist's names we do not know yet. Entries are only added: callers hold
 * borrowed pointers until the transport is freed. */
static void load_names(cs_transport *t)
{
	cmap_handle_t h;
	unsigned i;

	if (cmap_initialize(&h) != CS_OK) {
		ha__transport_log(&t->base, LOG_WARNING, "cmap unavailable: no node names");
		return;
	}
	for (i = 0; i < NODELIST_MAX; i++) {
		char key[64], *name = NULL, *addr = NULL;
		uint32_t id;

		snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", i);
		if (cmap_get_string(h, key, &addr) != CS_OK)
			break;
		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", i);
		if (cmap_get_uint32(h, key, &id) == CS_OK && !name_lookup(t, id)) {
			cs_name n = { .id = id };

			snprintf(key, sizeof(key), "nodelist.node.%u.name", i);
			if (cmap_get_string(h, key, &name) != CS_OK)
				name = NULL;
			n.name = g_strdup(name ? name : addr);
			g_array_append_val(t->names, n);
		}
		free(name);
		free(addr);
	}
	cmap_finalize(h);
}

/* ---- callbacks -------------------------------------------------------------------- */

static void emit_membership(void *ctx, uint64_t ring_id, const uint32_t *members, size_t n,
			    const uint32_t *joined, size_t n_joined, const uint32_t *left,
			    const ha_leave_reason *why, size_t n_left)
{
	cs_transport *t = ctx;

	if (!t->doomed)
		t->base.ev.membership(t->base.ud, ring_id, members, n, joined, n_joined, left, why,
				      n_left);
}

static cs_transport *cpg_owner(cpg_handle_t h)
{
	void *ctx = NULL;

	if (cpg_context_get(h, &ctx) != CS_OK)
		return NULL;
	return ctx;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid,
		       uint32_t pid, void *msg, size_t len)
{
	cs_transport *t = cpg_owner(h);

	(void)group;
	(void)pid;
	if (!t || t->doomed || !t->memb.in_group)
		return;
	/* Corosync delivers a transition's confchgs and its totem confchg together at
	 * sync activation; a message in between would break that assumption. Report
	 * the change in the ring we know rather than reorder. */
	if (ha__memb_before_deliver(&t->memb))
		ha__transport_log(&t->base, LOG_WARNING,
				  "message before the totem confchg of a held change");
	if (!t->doomed)
		t->base.ev.deliver(t->base.ud, nodeid, msg, len);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
		       const struct cpg_address *members, size_t n_members,
		       const struct cpg_address *left, size_t n_left,
		       const struct cpg_address *joined, size_t n_joined)
{
	cs_transport *t = cpg_owner(h);
	uint32_t *ids;
	ha_leave_reason *why;
	size_t i, n = n_members + n_left + n_joined;

	(void)group;
	if (!t || t->doomed)
		return;
	/* CPG_MEMBERS_MAX bounds each list; one allocation holds the three. */
	ids = g_new(uint32_t, n + 1);
	why = g_new(ha_leave_reason, n_left + 1);
	for (i = 0; i < n_members; i++)
		ids[i] = members[i].nodeid;
	for (i = 0; i < n_left; i++) {
		ids[n_members + i] = left[i].nodeid;
		why[i] = leave_reason(left[i].reason);
	}
	for (i = 0; i < n_joined; i++)
		ids[n_members + n_left + i] = joined[i].nodeid;
	ha__memb_confchg(&t->memb, ids, n_members, ids + n_members, why, n_left,
			 ids + n_members + n_left, n_joined);
	g_free(ids);
	g_free(why);
}

static void on_totem_confchg(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n,
			     const uint32_t *members)
{
	cs_transport *t = cpg_owner(h);

	if (!t || t->doomed)
		return;
	/* Names first: a node may have been added to the nodelist with this ring. */
	if (!t->memb.have_ring || ring.seq != t->memb.ring_id)
		load_names(t);
	ha__memb_totem(&t->memb, ring.seq, members, n);
}

static void on_quorum(quorum_handle_t h, uint32_t quorate, uint64_t ring_seq, uint32_t n,
		      uint32_t *view)
{
	void *ctx = NULL;
	cs_transport *t;
	GArray *members;
	uint32_t i;

	if (quorum_context_get(h, (const void **)&ctx) != CS_OK || !ctx)
		return;
	t = ctx;
	if (t->doomed)
		return;
	members = ha__nodeset_new();
	for (i = 0; i < n; i++)
		ha__nodeset_add(members, view[i]);
	t->base.ev.quorum(t->base.ud, quorate != 0, ring_seq, ha__nodeset_ids(members),
			  members->len);
	g_array_free(members, TRUE);
}

/* ---- connection --------------------------------------------------------------------- */

static void drop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

static void disconnect(cs_transport *t)
{
	drop_source(&t->cpg_src);
	drop_source(&t->quorum_src);
	drop_source(&t->retry_src);
	drop_source(&t->lost_src);
	if (t->connected) {
		cpg_finalize(t->cpg);
		quorum_finalize(t->quorum);
	}
	t->connected = false;
	t->join_sent = false;
	ha__memb_reset(&t->memb, 0);
	ha__sendq_hold(&t->sendq, false);
}

/* Runs a source callback body with re-entrancy accounting; frees t when the body
 * (through a user callback) asked for it. Returns false when t is gone. */
static void destroy(cs_transport *t);
static bool leave_source(cs_transport *t)
{
	t->depth--;
	if (t->doomed && !t->depth) {
		destroy(t);
		return false;
	}
	return true;
}

static gboolean on_cpg_fd(gint fd, GIOCondition cond, gpointer data)
{
	cs_transport *t = data;
	cs_error_t cs;

	(void)fd;
	t->depth++;
	cs = cpg_dispatch(t->cpg, CS_DISPATCH_ALL);
	if (!t->doomed && t->connected &&
	    (cs == CS_ERR_BAD_HANDLE || cs == CS_ERR_LIBRARY || (cond & (G_IO_HUP | G_IO_ERR))))
		lost(t, -ENOTCONN);
	leave_source(t);
	return G_SOURCE_CONTINUE; /* lost() destroyed the source if it must go */
}

static gboolean on_quorum_fd(gint fd, GIOCondition cond, gpointer data)
{
	cs_transport *t = data;
	cs_error_t cs;

	(void)fd;
	t->depth++;
	cs = quorum_dispatch(t->quorum, CS_DISPATCH_ALL);
	if (!t->doomed && t->connected &&
	    (cs == CS_ERR_BAD_HANDLE || cs == CS_ERR_LIBRARY || (cond & (G_IO_HUP | G_IO_ERR))))
		lost(t, -ENOTCONN);
	leave_source(t);
	return G_SOURCE_CONTINUE;
}

static GSource *fd_source(cs_transport *t, int fd, GUnixFDSourceFunc fn)
{
	GSource *src = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);

	g_source_set_callback(src, G_SOURCE_FUNC(fn), t, NULL);
	g_source_attach(src, t->ctx);
	return src;
}

static int cs_mcast(void *ctx, const void *msg, size_t len)
{
	cs_transport *t = ctx;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };

	return ha__corosync_errno(cpg_mcast_joined(t->cpg, CPG_TYPE_AGREED, &iov, 1));
}

static int connect_cs(cs_transport *t)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
		.cpg_totem_confchg_fn = on_totem_confchg,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	quorum_callbacks_t qcb = { .quorum_notify_fn = on_quorum };
	uint32_t qtype = 0, max = 0;
	unsigned int local = 0;
	int cfd = -1, qfd = -1, rc;
	cs_error_t cs;

	cs = cpg_model_initialize(&t->cpg, CPG_MODEL_V1, (cpg_model_data_t *)&model, t);
	if (cs != CS_OK)
		return ha__corosync_errno(cs) == -EIO ? -EIO : -ENOTCONN;
	cs = cpg_fd_get(t->cpg, &cfd);
	if (cs == CS_OK)
		cs = cpg_local_get(t->cpg, &local);
	if (cs == CS_OK)
		cs = cpg_max_atomic_msgsize_get(t->cpg, &max);
	if (cs != CS_OK) {
		rc = ha__corosync_errno(cs);
		cpg_finalize(t->cpg);
		return rc;
	}
	cs = quorum_initialize(&t->quorum, &qcb, &qtype);
	if (cs != CS_OK) {
		cpg_finalize(t->cpg);
		return -ENOTCONN;
	}
	cs = quorum_context_set(t->quorum, t);
	if (cs == CS_OK)
		cs = quorum_trackstart(t->quorum, CS_TRACK_CURRENT | CS_TRACK_CHANGES);
	if (cs == CS_OK)
		cs = quorum_fd_get(t->quorum, &qfd);
	if (cs != CS_OK) {
		rc = ha__corosync_errno(cs);
		quorum_finalize(t->quorum);
		cpg_finalize(t->cpg);
		return rc;
	}
	t->connected = true;
	t->local_id = local;
	ha__memb_reset(&t->memb, local);
	t->max_msg = max;
	t->cpg_src = fd_source(t, cfd, on_cpg_fd);
	t->quorum_src = fd_source(t, qfd, on_quorum_fd);
	load_names(t);
	ha__transport_log(&t->base, LOG_INFO,
			  "connected to corosync: node %" PRIu32 ", max message %zu bytes%s",
			  t->local_id, t->max_msg, qtype ? "" : ", no quorum provider");
	return 0;
}

static int try_join(cs_transport *t)
{
	struct cpg_name name = { .length = (uint32_t)strlen(t->group) };
	cs_error_t cs;

	memcpy(name.value, t->group, name.length);
	cs = cpg_join(t->cpg, &name);
	if (cs == CS_OK) {
		t->join_sent = true;
		ha__sendq_hold(&t->sendq, false);
		return 0;
	}
	if (cs == CS_ERR_TRY_AGAIN) {
		/* Messages wait behind the join: sending before it would fail. */
		ha__sendq_hold(&t->sendq, true);
		arm_retry(t);
		return 0;
	}
	return ha__corosync_errno(cs);
}

static gboolean on_reconnect(gpointer data)
{
	cs_transport *t = data;
	int rc;

	if (connect_cs(t) < 0)
		return G_SOURCE_CONTINUE; /* next attempt in RECONNECT_MS */
	g_source_unref(t->reconnect_src);
	t->reconnect_src = NULL;
	t->depth++;
	t->base.ev.connection(t->base.ud, 0);
	if (!t->doomed && t->group) {
		rc = try_join(t);
		if (rc < 0) {
			ha__transport_log(&t->base, LOG_ERR, "rejoining %s: %s", t->group,
					  g_strerror(-rc));
			lost(t, rc);
		}
	}
	leave_source(t);
	return G_SOURCE_REMOVE;
}

/* The connection is gone: report it once, drop its state, retry from a timer. */
static void lost(cs_transport *t, int err)
{
	size_t dropped;

	if (!t->connected)
		return;
	disconnect(t);
	dropped = ha__sendq_clear(&t->sendq);
	ha__transport_log(&t->base, LOG_ERR,
			  "lost the corosync connection (%s); %zu unsent messages discarded",
			  g_strerror(-err), dropped);
	t->reconnect_src = g_timeout_source_new(RECONNECT_MS);
	g_source_set_callback(t->reconnect_src, on_reconnect, t, NULL);
	g_source_attach(t->reconnect_src, t->ctx);
	if (!t->doomed)
		t->base.ev.connection(t->base.ud, err);
}

static gboolean on_lost(gpointer data)
{
	cs_transport *t = data;

	g_source_unref(t->lost_src);
	t->lost_src = NULL;
	t->depth++;
	lost(t, -ENOTCONN);
	leave_source(t);
	return G_SOURCE_REMOVE;
}

/* A hard error inside a call from the user: report the loss from the main loop, not
 * from inside that call. */
static void lost_later(cs_transport *t)
{
	if (t->lost_src)
		return;
	t->lost_src = g_idle_source_new();
	g_source_set_callback(t->lost_src, on_lost, t, NULL);
	g_source_attach(t->lost_src, t->ctx);
}

static gboolean on_retry(gpointer data)
{
	cs_transport *t = data;
	int rc = 0;

	g_source_unref(t->retry_src);
	t->retry_src = NULL;
	t->depth++;
	if (t->connected && t->group && !t->join_sent)
		rc = try_join(t);
	if (rc == 0 && t->connected && t->join_sent && ha__sendq_len(&t->sendq)) {
		rc = ha__sendq_flush(&t->sendq);
		if (rc > 0)
			arm_retry(t);
		else if (rc == 0)
			ha__transport_log(&t->base, LOG_DEBUG, "flow control: queue drained");
	}
	if (rc < 0)
		lost(t, rc);
	leave_source(t);
	return G_SOURCE_REMOVE;
}

static void arm_retry(cs_transport *t)
{
	if (t->retry_src)
		return;
	t->retry_src = g_timeout_source_new(ha__sendq_retry_delay_ms(&t->sendq));
	g_source_set_callback(t->retry_src, on_retry, t, NULL);
	g_source_attach(t->retry_src, t->ctx);
}

/* ---- operations --------------------------------------------------------------------- */

static int cs_join(ha_transport *base, const char *group)
{
	cs_transport *t = from_base(base);
	int rc;

	if (t->group)
		return -EALREADY;
	if (!t->connected)
		return -ENOTCONN;
	t->group = g_strdup(group);
	rc = try_join(t);
	if (rc < 0) {
		g_free(t->group);
		t->group = NULL;
	}
	return rc;
}

static int cs_send(ha_transport *base, const void *msg, size_t len)
{
	cs_transport *t = from_base(base);
	int rc;

	if (!t->connected || !t->group)
		return -ENOTCONN;
	rc = ha__sendq_send(&t->sendq, msg, len);
	if (rc == -ENOTCONN) {
		lost_later(t);
	} else if (rc == 0 && ha__sendq_len(&t->sendq)) {
		if (ha__sendq_len(&t->sendq) == 1)
			ha__transport_log(&t->base, LOG_DEBUG, "flow control: queueing");
		arm_retry(t);
	}
	return rc;
}

static size_t cs_max_msg(const ha_transport *base)
{
	return from_base(base)->max_msg;
}

static uint32_t cs_local_id(const ha_transport *base)
{
	return from_base(base)->local_id;
}

static const char *cs_node_name(const ha_transport *base, uint32_t nodeid)
{
	return name_lookup(from_base(base), nodeid);
}

static void destroy(cs_transport *t)
{
	guint i;

	if (t->connected && t->join_sent) {
		struct cpg_name name = { .length = (uint32_t)strlen(t->group) };

		/* A clean leave: the others see LEAVE, not PROCDOWN. */
		memcpy(name.value, t->group, name.length);
		cpg_leave(t->cpg, &name);
	}
	disconnect(t);
	drop_source(&t->reconnect_src);
	ha__sendq_clear(&t->sendq);
	for (i = 0; i < t->names->len; i++)
		g_free(g_array_index(t->names, cs_name, i).name);
	g_array_free(t->names, TRUE);
	ha__memb_destroy(&t->memb);
	g_free(t->group);
	g_main_context_unref(t->ctx);
	g_free(t);
}

static void cs_free(ha_transport *base)
{
	cs_transport *t = from_base(base);

	if (t->depth) {
		t->doomed = true; /* freed when the running callback returns */
		return;
	}
	destroy(t);
}

static const ha__transport_ops cs_ops = {
	.join = cs_join,
	.send = cs_send,
	.max_msg = cs_max_msg,
	.local_id = cs_local_id,
	.node_name = cs_node_name,
	.free = cs_free,
};

int ha__transport_corosync_new(GMainContext *ctx, const ha_transport_events *ev, void *ud,
			       ha_transport **ret)
{
	cs_transport *t;
	int rc;

	if (!ret)
		return -EINVAL;
	t = g_new0(cs_transport, 1);
	rc = ha__transport_init(&t->base, &cs_ops, ev, ud);
	if (rc < 0) {
		g_free(t);
		return rc;
	}
	t->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref(g_main_context_default());
	ha__memb_init(&t->memb, emit_membership, t);
	t->names = g_array_new(FALSE, FALSE, sizeof(cs_name));
	ha__sendq_init(&t->sendq, SENDQ_MAX_BYTES, cs_mcast, t);
	rc = connect_cs(t);
	if (rc < 0) {
		destroy(t);
		return rc;
	}
	*ret = &t->base;
	return 0;
}
