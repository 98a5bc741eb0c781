/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The replicated state machine (see state.h). Invariants kept here:
 *  - every decision is a function of the delivered stream only (no clock, no local
 *    knowledge except which node "local" is, used only to address events);
 *  - a claim is valid only if the sync round is complete, the configuration is
 *    quorate, the claim names the current config version, the claimer has probed the
 *    resource, and nobody has it active, pending, unknown or possibly active;
 *  - while a node that left uncleanly is not fenced, every unique resource counts as
 *    possibly active on it (its last claims may have been delivered only to itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/cib.h>
#include "state.h"
#include "config/config.h"
#include "sched/scheduler.h"
#include "util/util.h"

typedef struct sync_info {
	bool quorate;
	int64_t admin_epoch, epoch;
	char *digest;
} sync_info;

typedef struct claim {
	uint32_t node;
	char *action;
	ha_msg_op *prev; /* the claimer's last operation its pending mark replaced (a release puts it back) */
} claim;

typedef struct ack_round {
	int64_t epoch;
	int result;
	uint32_t writer;
	GHashTable *pending; /* node ids (GUINT_TO_POINTER) that have not acked */
} ack_round;

struct ha_state {
	ha_state_options o;
	GHashTable *names;      /* id -> char* */
	ha_cib *cib;
	char *digest;           /* cached config digest */
	int64_t now;
	int64_t startup_since;  /* replicated time unseen nodes started to be waited for, -1 */
	uint64_t ring;
	GArray *members;
	bool synced;
	bool quorate;
	GHashTable *sync_clock; /* member id -> its clock at its first TICK of this round */
	GHashTable *excluded;   /* member ids that did not sync in time (stuck), silent or held down */
	GHashTable *silence;    /* member id -> silence_watch*: nothing heard from it since */
	GHashTable *joining;    /* name set: joined, its sync message not seen yet */
	GHashTable *failed_joins; /* name -> GArray of int64_t: it left before syncing (times) */
	GHashTable *held;       /* name -> int64_t* until: flapping, held down */
	GHashTable *others;     /* name -> other_report*: this round's news of non-members */
	bool awaiting_config;
	uint32_t config_source;
	GHashTable *sync_seen;  /* id -> sync_info* */
	GHashTable *claims;     /* key -> claim* */
	GHashTable *lost;       /* name -> int64_t* lost_at (state time) */
	GHashTable *frozen;     /* name -> int64_t* since */
	GHashTable *leaving;    /* name set */
	GHashTable *fence_told; /* name -> announced attempt + 1 (GINT) */
	GHashTable *acks;       /* request (uint64 key as string) -> ack_round* */
	GQueue *events;
};

/* The report about a non-member that wins in this sync round: the gravest kind, then
 * the fullest history, then the lowest sender (the same on every member, whatever the
 * order the reports come in). */
typedef struct other_report {
	uint32_t from;
	uint8_t kind;
	int64_t since;
	GPtrArray *ops; /* ha_msg_op* */
} other_report;

static void other_report_free(other_report *o)
{
	g_ptr_array_free(o->ops, TRUE);
	g_free(o);
}

/* Since a member's last message: which other member watches the silence, and that
 * watcher's clock when it started (each measures on its own clock, as in sync rounds). */
typedef struct silence_watch {
	uint32_t watcher;
	int64_t since;
} silence_watch;

/* Membership flapping: a node that joins and leaves again before its sync message
 * arrived this often within the window is held down (not waited for, not a member for
 * the replicated state) for the hold-down time. Each such join restarts the sync round
 * of everyone, and leaving before the sync timeout dodges the stuck-member rule: without
 * a hold-down it could pause scheduling forever. Replicated seconds. */
#define HA_FLAP_JOINS 3
#define HA_FLAP_WINDOW 300
#define HA_HOLD_DOWN 120

/* ---- helpers ---------------------------------------------------------------- */

static void event(ha_state *st, ha_state_event_kind kind, const char *rsc, const char *action,
		  const char *target, const char *reason)
{
	ha_state_event *e = g_new0(ha_state_event, 1);
	e->kind = kind;
	e->rsc = g_strdup(rsc);
	e->action = g_strdup(action);
	e->target = g_strdup(target);
	e->reason = g_strdup(reason);
	g_queue_push_tail(st->events, e);
}

void ha__state_event_free(ha_state_event *e)
{
	if (!e)
		return;
	g_free(e->rsc);
	g_free(e->action);
	g_free(e->target);
	g_free(e->reason);
	g_free(e);
}

ha_state_event *ha__state_next_event(ha_state *st)
{
	return g_queue_pop_head(st->events);
}

const char *ha__state_node_name(const ha_state *st, uint32_t id)
{
	return g_hash_table_lookup(st->names, GUINT_TO_POINTER(id));
}

static bool is_member(const ha_state *st, uint32_t id)
{
	if (g_hash_table_contains(st->excluded, GUINT_TO_POINTER(id)))
		return false; /* stuck: treated as failed until it leaves */
	for (guint i = 0; i < st->members->len; i++)
		if (g_array_index(st->members, uint32_t, i) == id)
			return true;
	return false;
}

static uint32_t id_of(const ha_state *st, const char *name)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->names);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!strcmp(v, name))
			return GPOINTER_TO_UINT(k);
	return 0;
}

static int node_index(const ha_cib *cib, const char *name)
{
	for (guint i = 0; name && i < cib->cfg.nodes->len; i++) {
		const ha_node_def *d = g_ptr_array_index(cib->cfg.nodes, i);
		if ((d->uname && !strcmp(d->uname, name)) || (!d->uname && d->id && !strcmp(d->id, name)))
			return (int)i;
	}
	return -1;
}

static ha_node_state *node_state(ha_cib *cib, const char *name)
{
	ha_node_state *ns = ha__node_state_find(cib, name);
	if (!ns) {
		ns = ha__node_state_new();
		ha_node_def *def = ha__node_find(&cib->cfg, name);
		ns->id = ha__str(cib, def && def->id ? def->id : name);
		ns->uname = ha__str(cib, name);
		ns->in_ccm = ha__str_const(cib, "false");
		ns->crmd = ha__str_const(cib, "offline");
		ns->join = ha__str_const(cib, "down");
		ns->expected = ha__str_const(cib, "down");
		/* In the order of the node list (by node id), whatever order this member
		 * learns of nodes in: every member must hold the same document. */
		guint pos = cib->status->len;
		int mine = node_index(cib, name);
		for (guint i = 0; mine >= 0 && i < cib->status->len; i++) {
			const ha_node_state *o = g_ptr_array_index(cib->status, i);
			int theirs = node_index(cib, o->uname);
			if (theirs < 0 || theirs > mine) {
				pos = i;
				break;
			}
		}
		g_ptr_array_insert(cib->status, (gint)pos, ns);
	}
	return ns;
}

static void set_node(ha_cib *cib, ha_node_state *ns, const char *in_ccm, const char *crmd,
		     const char *join, const char *expected)
{
	ns->in_ccm = ha__str_const(cib, in_ccm);
	ns->crmd = ha__str_const(cib, crmd);
	ns->join = ha__str_const(cib, join);
	ns->expected = ha__str_const(cib, expected);
}

static void clear_lrm(ha_node_state *ns)
{
	for (guint j = 0; j < ns->lrm->len; j++) {
		ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
		g_array_free(lr->ops, TRUE);
		g_free(lr);
	}
	g_ptr_array_set_size(ns->lrm, 0);
}

static void drop_claims_of(ha_state *st, uint32_t node)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->claims);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((claim *)v)->node == node)
			g_hash_table_iter_remove(&it);
}

static void claim_free(claim *c)
{
	g_free(c->action);
	ha__msg_op_free(c->prev);
	g_free(c);
}

static void sync_info_free(sync_info *s)
{
	g_free(s->digest);
	g_free(s);
}

static void ack_free(ack_round *a)
{
	g_hash_table_destroy(a->pending);
	g_free(a);
}

static int64_t *i64(int64_t v)
{
	return g_memdup2(&v, sizeof(v));
}

static void set_quorum_attr(ha_state *st)
{
	ha__cib_set_attr(st->cib, "have-quorum", st->synced && st->quorate ? "1" : "0");
}

/* ---- configuration ------------------------------------------------------------ */

static char *config_xml(const ha_cib *cib)
{
	/* Serialize without the status: swap it out for the duration. */
	ha_cib *c = (ha_cib *)cib;
	GPtrArray *status = c->status;
	c->status = g_ptr_array_new();
	char *xml = NULL;
	int rc = ha_cib_to_string(c, &xml);
	g_ptr_array_free(c->status, TRUE);
	c->status = status;
	return rc < 0 ? NULL : xml;
}

const char *ha__state_config_digest(ha_state *st)
{
	if (!st->digest) {
		/* Without the <cib> attributes: have-quorum and the like differ between
		 * members by design (each sets them from its own view), and the versions
		 * are compared on their own. */
		GPtrArray *attrs = st->cib->cib_attrs;
		st->cib->cib_attrs = g_ptr_array_new();
		char *xml = config_xml(st->cib);
		g_ptr_array_free(st->cib->cib_attrs, TRUE);
		st->cib->cib_attrs = attrs;
		st->digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, xml ? xml : "", -1);
		free(xml);
	}
	return st->digest;
}

static void config_changed(ha_state *st)
{
	g_free(st->digest);
	st->digest = NULL;
}

/* Replace the configuration by the one in xml (a CIB document). The status, the
 * CIB attributes libha maintains and the node list learned from corosync stay. */
static int adopt_config(ha_state *st, const char *xml, int64_t epoch_override)
{
	ha_cib *n = NULL;
	int rc = ha_cib_load_memory(xml, strlen(xml), "configuration update", 0, &n, NULL);
	if (rc < 0)
		return rc;
	ha__cib_copy_status(n, st->cib);
	if (epoch_override >= 0)
		n->epoch = epoch_override;
	/* Keep every node corosync knows, even if the new document forgot one. */
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->names);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (ha__node_find(&n->cfg, v))
			continue;
		ha_node_def *d = g_new0(ha_node_def, 1);
		char id[16];
		snprintf(id, sizeof(id), "%u", GPOINTER_TO_UINT(k));
		d->id = ha__str(n, id);
		d->uname = ha__str(n, v);
		d->attrs = ha__nvsets_new();
		g_ptr_array_add(n->cfg.nodes, d);
	}
	ha_cib_free(st->cib);
	st->cib = n;
	config_changed(st);
	set_quorum_attr(st);
	return 0;
}

/* ---- status recording --------------------------------------------------------- */

static bool op_failed(const ha_msg_op *op)
{
	if (op->op_status == HA_OPST_PENDING || op->op_status == HA_OPST_CANCELLED)
		return false;
	if (op->op_status != HA_OPST_DONE)
		return true;
	if (!strcmp(op->operation, "monitor")) {
		if (op->interval_ms == 0)
			return !(op->rc == 0 || op->rc == 7 || op->rc == 8 || op->rc == 5 || op->rc == 2);
		return !(op->rc == 0 || op->rc == 8);
	}
	return op->rc != 0;
}

static void put_op(ha_cib *cib, ha_lrm_rsc *lr, const char *id, const ha_msg_op *op, const char *node)
{
	ha_lrm_op o = {
		.id = ha__str(cib, id),
		.operation = ha__str_const(cib, op->operation),
		.interval_ms = op->interval_ms,
		.rc = op->rc,
		.op_status = op->op_status,
		.call_id = op->call_id,
		.last_rc_change = op->timestamp,
		.last_run = op->timestamp,
		.exec_time = op->exec_ms,
		.digest = ha__str_const(cib, op->digest),
		.exit_reason = ha__str(cib, op->exit_reason),
		.on_node = ha__str_const(cib, node),
	};
	for (guint j = 0; j < lr->ops->len; j++) {
		ha_lrm_op *old = &g_array_index(lr->ops, ha_lrm_op, j);
		if (!strcmp(old->id, o.id)) {
			*old = o;
			return;
		}
	}
	g_array_append_val(lr->ops, o);
}

static void bump_failcount(ha_cib *cib, ha_node_state *ns, const ha_msg_op *op)
{
	char name[512], last[512], idbuf[64];
	snprintf(name, sizeof(name), "fail-count-%s#%s_%u", op->rsc, op->operation, op->interval_ms);
	snprintf(last, sizeof(last), "last-failure-%s#%s_%u", op->rsc, op->operation, op->interval_ms);
	const char *cur = ha__nvsets_get(ns->attrs, name);
	int count = 0;
	if (cur)
		ha__score_parse(cur, &count);
	if (!strcmp(op->operation, "start") && cib->cfg.opts.start_failure_is_fatal)
		count = HA_INF;
	else
		count = ha__score_add(count, 1);
	char val[32];
	snprintf(idbuf, sizeof(idbuf), "status-%s", ns->id ? ns->id : ns->uname);
	ha__nvsets_set(ns->attrs, cib->strings, idbuf, name, ha__score_str(count, val));
	snprintf(val, sizeof(val), "%lld", (long long)op->timestamp);
	ha__nvsets_set(ns->attrs, cib->strings, idbuf, last, val);
}

void ha__state_record_op(ha_cib *cib, const char *node, const ha_msg_op *op)
{
	if (op->op_status == HA_OPST_CANCELLED)
		return;
	ha_node_state *ns = node_state(cib, node);
	ha_lrm_rsc *lr = NULL;
	for (guint i = 0; i < ns->lrm->len && !lr; i++) {
		ha_lrm_rsc *x = g_ptr_array_index(ns->lrm, i);
		if (!strcmp(x->id, op->rsc))
			lr = x;
	}
	if (!lr) {
		lr = ha__lrm_rsc_new();
		lr->id = ha__str_const(cib, op->rsc);
		g_ptr_array_add(ns->lrm, lr);
	}
	if (op->cls)
		lr->cls = ha__str_const(cib, op->cls);
	if (op->provider)
		lr->provider = ha__str_const(cib, op->provider);
	if (op->type)
		lr->type = ha__str_const(cib, op->type);
	char id[512];
	bool recurring = op->interval_ms > 0 && !strcmp(op->operation, "monitor");
	if (recurring)
		snprintf(id, sizeof(id), "%s_monitor_%u", op->rsc, op->interval_ms);
	else
		snprintf(id, sizeof(id), "%s_last_0", op->rsc);
	put_op(cib, lr, id, op, node);
	if (op_failed(op)) {
		snprintf(id, sizeof(id), "%s_last_failure_0", op->rsc);
		put_op(cib, lr, id, op, node);
		bump_failcount(cib, ns, op);
	}
	/* A successful stop (or demote) ends the recurring monitors of the old role. */
	if (!op_failed(op) && op->op_status == HA_OPST_DONE &&
	    (!strcmp(op->operation, "stop") || !strcmp(op->operation, "demote") ||
	     !strcmp(op->operation, "promote")))
		for (guint j = lr->ops->len; j-- > 0;) {
			const ha_lrm_op *o = &g_array_index(lr->ops, ha_lrm_op, j);
			/* (the record of a failed monitor stays until a cleanup, as in Pacemaker) */
			if (o->interval_ms > 0 && !strstr(o->id, "_last_failure_"))
				g_array_remove_index(lr->ops, j);
		}
}

/* ---- lifecycle ------------------------------------------------------------------ */

int ha__state_new(const ha_state_options *o, ha_cib *cib, ha_state **ret)
{
	if (!o || !cib || !ret)
		return -EINVAL;
	ha_state *st = g_new0(ha_state, 1);
	st->o = *o;
	if (st->o.frozen_grace <= 0)
		st->o.frozen_grace = 30;
	if (st->o.sync_timeout <= 0)
		st->o.sync_timeout = 30;
	st->names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	st->cib = cib;
	st->members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	st->sync_seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					      (GDestroyNotify)sync_info_free);
	st->claims = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)claim_free);
	st->lost = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	st->frozen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	st->leaving = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	st->fence_told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	st->acks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)ack_free);
	st->events = g_queue_new();
	st->excluded = g_hash_table_new(g_direct_hash, g_direct_equal);
	st->silence = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	st->joining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	st->failed_joins = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
	st->held = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	st->others = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)other_report_free);
	st->startup_since = -1;
	st->sync_clock = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	/* The replicated status starts empty: every member reports its own in the sync. */
	for (guint i = 0; i < cib->status->len; i++)
		ha__node_state_free(g_ptr_array_index(cib->status, i));
	g_ptr_array_set_size(cib->status, 0);
	set_quorum_attr(st);
	*ret = st;
	return 0;
}

void ha__state_set_local(ha_state *st, uint32_t id)
{
	st->o.local = id;
}

void ha__state_free(ha_state *st)
{
	if (!st)
		return;
	g_hash_table_destroy(st->names);
	ha_cib_free(st->cib);
	g_free(st->digest);
	g_array_free(st->members, TRUE);
	g_hash_table_destroy(st->sync_seen);
	g_hash_table_destroy(st->claims);
	g_hash_table_destroy(st->lost);
	g_hash_table_destroy(st->frozen);
	g_hash_table_destroy(st->leaving);
	g_hash_table_destroy(st->fence_told);
	g_hash_table_destroy(st->acks);
	g_queue_free_full(st->events, (GDestroyNotify)ha__state_event_free);
	g_hash_table_destroy(st->excluded);
	g_hash_table_destroy(st->silence);
	g_hash_table_destroy(st->joining);
	g_hash_table_destroy(st->failed_joins);
	g_hash_table_destroy(st->held);
	g_hash_table_destroy(st->others);
	g_hash_table_destroy(st->sync_clock);
	g_free(st);
}

void ha__state_set_node_name(ha_state *st, uint32_t id, const char *name)
{
	g_hash_table_insert(st->names, GUINT_TO_POINTER(id), g_strdup(name));
	if (!ha__node_find(&st->cib->cfg, name)) {
		ha_node_def *d = g_new0(ha_node_def, 1);
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", id);
		d->id = ha__str(st->cib, buf);
		d->uname = ha__str(st->cib, name);
		d->attrs = ha__nvsets_new();
		/* Insert by node id, whatever order this node learns names in: every member
		 * must serialize (and digest) the same configuration. */
		guint pos = st->cib->cfg.nodes->len;
		for (guint i = 0; i < st->cib->cfg.nodes->len; i++) {
			const ha_node_def *o = g_ptr_array_index(st->cib->cfg.nodes, i);
			if (o->id && strtoul(o->id, NULL, 10) > id) {
				pos = i;
				break;
			}
		}
		g_ptr_array_insert(st->cib->cfg.nodes, (gint)pos, d);
		config_changed(st);
	}
}

const ha_cib *ha__state_cib(const ha_state *st) { return st->cib; }
bool ha__state_synced(const ha_state *st) { return st->synced; }
bool ha__state_quorate(const ha_state *st) { return st->synced && st->quorate; }
int64_t ha__state_now(const ha_state *st) { return st->now; }
uint64_t ha__state_ring(const ha_state *st) { return st->ring; }
const GArray *ha__state_members(const ha_state *st) { return st->members; }

bool ha__state_claimed(const ha_state *st, const char *rsc, uint32_t *node)
{
	claim *c = g_hash_table_lookup(st->claims, rsc);
	if (c && node)
		*node = c->node;
	return c != NULL;
}

/* ---- fencing ---------------------------------------------------------------------- */

static bool device_covers(const ha_rsc *dev, const char *target)
{
	const char *list = ha__nvsets_get(dev->params, "pcmk_host_list");
	const char *map = ha__nvsets_get(dev->params, "pcmk_host_map");
	if (!list && !map)
		return true; /* no static list: assume it can fence every node */
	const char *lists[2] = {list, map};
	for (int i = 0; i < 2; i++) {
		if (!lists[i])
			continue;
		gchar **parts = g_strsplit_set(lists[i], " ,;", -1);
		for (gchar **p = parts; *p; p++) {
			char *colon = strchr(*p, ':');
			if (colon)
				*colon = '\0';
			if (!strcmp(*p, target)) {
				g_strfreev(parts);
				return true;
			}
		}
		g_strfreev(parts);
	}
	return false;
}

/* Members running a fence device able to fence target, lowest id first. */
static GArray *fencers(const ha_state *st, const char *target)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (guint i = 0; i < st->members->len; i++) {
		uint32_t id = g_array_index(st->members, uint32_t, i);
		const char *name = ha__state_node_name(st, id);
		if (!name || !strcmp(name, target) || !is_member(st, id) ||
		    g_hash_table_contains(st->lost, name))
			continue;
		const ha_node_state *ns = ha__node_state_find(st->cib, name);
		bool ok = false;
		for (guint r = 0; r < st->cib->cfg.rsc_all->len && !ok; r++) {
			const ha_rsc *dev = g_ptr_array_index(st->cib->cfg.rsc_all, r);
			if (dev->kind != HA_RSC_PRIMITIVE || !dev->cls || strcmp(dev->cls, "stonith"))
				continue;
			ha_presence p;
			ha__sched_presence(st->cib, st->now, dev, ns, &p);
			ok = p.role >= HA_ROLE_STARTED && !p.failed && device_covers(dev, target);
		}
		if (ok)
			g_array_append_val(out, id);
	}
	return out;
}

static void fence_check(ha_state *st)
{
	if (!st->synced || !st->quorate)
		return;
	uint32_t timeout = st->cib->cfg.opts.stonith_timeout_ms / 1000;
	if (!timeout)
		timeout = 60;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->lost);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *target = k;
		int64_t since = *(int64_t *)v;
		GArray *f = fencers(st, target);
		if (f->len) {
			/* The next capable member takes over after every stonith-timeout. */
			int64_t attempt = st->now > since ? (st->now - since) / timeout : 0;
			uint32_t fencer = g_array_index(f, uint32_t, (guint)(attempt % f->len));
			int told = GPOINTER_TO_INT(g_hash_table_lookup(st->fence_told, target));
			if (told != attempt + 1) {
				g_hash_table_insert(st->fence_told, g_strdup(target), GINT_TO_POINTER(attempt + 1));
				if (fencer == st->o.local)
					event(st, HA_SEV_FENCE, NULL, NULL, target, "node left uncleanly");
			}
		}
		g_array_free(f, TRUE);
	}
}

static void fenced(ha_state *st, const char *target)
{
	g_hash_table_remove(st->lost, target);
	g_hash_table_remove(st->frozen, target);
	g_hash_table_remove(st->fence_told, target);
	ha_node_state *ns = node_state(st->cib, target);
	clear_lrm(ns);
	ns->frozen = false;
	set_node(st->cib, ns, "false", "offline", "down", "down");
	uint32_t id = id_of(st, target);
	if (id)
		drop_claims_of(st, id);
}

/* An operator's fencing request: with fencing enabled (and a synced, quorate
 * cluster) the target is treated as lost — no longer a member even if it still is —
 * and the usual fencer takes it down. */
static void fence_request(ha_state *st, const char *target)
{
	if (!st->cib->cfg.opts.stonith_enabled || !st->synced || !st->quorate ||
	    g_hash_table_contains(st->lost, target) || !ha__node_find(&st->cib->cfg, target))
		return;
	uint32_t id = id_of(st, target);
	if (id && is_member(st, id)) {
		g_hash_table_add(st->excluded, GUINT_TO_POINTER(id));
		drop_claims_of(st, id);
	}
	ha_node_state *ns = node_state(st->cib, target);
	ns->frozen = false;
	set_node(st->cib, ns, "false", "offline", "down", "member");
	g_hash_table_insert(st->lost, g_strdup(target), i64(st->now));
	event(st, HA_SEV_NODE_LOST, NULL, NULL, target, "fencing requested by an operator");
	fence_check(st);
}

/* ---- membership ------------------------------------------------------------------- */

static void ack_membership(ha_state *st)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->acks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		ack_round *a = v;
		GHashTableIter j;
		gpointer node, unused;
		g_hash_table_iter_init(&j, a->pending);
		while (g_hash_table_iter_next(&j, &node, &unused))
			if (!is_member(st, GPOINTER_TO_UINT(node)))
				g_hash_table_iter_remove(&j);
		if (!g_hash_table_size(a->pending)) {
			ha_state_event *e = g_new0(ha_state_event, 1);
			e->kind = HA_SEV_CONFIG_DONE;
			e->request = *(uint64_t *)k;
			e->epoch = a->epoch;
			e->result = a->result;
			e->node = a->writer;
			g_queue_push_tail(st->events, e);
			g_hash_table_iter_remove(&it);
		}
	}
}

/* `name` left: if it never synced since it joined, count a failed join (and hold it
 * down when they keep coming). */
static void failed_join(ha_state *st, const char *name)
{
	if (!g_hash_table_remove(st->joining, name))
		return;
	GArray *t = g_hash_table_lookup(st->failed_joins, name);
	if (!t)
		g_hash_table_insert(st->failed_joins, g_strdup(name), t = g_array_new(FALSE, FALSE, sizeof(int64_t)));
	g_array_append_val(t, st->now);
	while (t->len && g_array_index(t, int64_t, 0) + HA_FLAP_WINDOW < st->now)
		g_array_remove_index(t, 0);
	if (t->len >= HA_FLAP_JOINS) {
		g_hash_table_replace(st->held, g_strdup(name), i64(st->now + HA_HOLD_DOWN));
		g_array_set_size(t, 0);
	}
}

/* Is `name` held down (flapping) at this point of the stream? */
static bool held_down(ha_state *st, const char *name)
{
	int64_t *until = g_hash_table_lookup(st->held, name);
	if (until && *until <= st->now) {
		g_hash_table_remove(st->held, name);
		until = NULL;
	}
	return until != NULL;
}

static bool was_member(const ha_state *st, uint32_t id)
{
	for (guint i = 0; i < st->members->len; i++)
		if (g_array_index(st->members, uint32_t, i) == id)
			return true;
	return false;
}

static void exclude(ha_state *st, uint32_t id, const char *reason);

/* Does the status of a node show nothing active or pending? O(resources x history). */
static bool all_stopped(const ha_state *st, const ha_node_state *ns)
{
	for (guint i = 0; i < st->cib->cfg.rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(st->cib->cfg.rsc_all, i);
		if (r->kind != HA_RSC_PRIMITIVE)
			continue;
		ha_presence p;
		ha__sched_presence(st->cib, st->now, r, ns, &p);
		if (p.pending || p.role >= HA_ROLE_STARTED)
			return false;
	}
	return true;
}

void ha__state_membership(ha_state *st, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *left, const ha_left_reason *why, size_t n_left)
{
	st->ring = ring;
	bool *joined = g_new0(bool, n ? n : 1);
	for (size_t i = 0; i < n; i++)
		joined[i] = !was_member(st, members[i]);
	g_array_set_size(st->members, 0);
	g_array_append_vals(st->members, members, (guint)n);
	bool fencing = st->cib->cfg.opts.stonith_enabled;
	for (size_t i = 0; i < n_left; i++) {
		const char *name = ha__state_node_name(st, left[i]);
		if (!name)
			continue;
		ha_node_state *ns = node_state(st->cib, name);
		/* A LEAVE comes before the node stops its resources: vanishing after it is
		 * clean only once its status shows them all stopped (it may have died
		 * halfway through its shutdown). */
		bool clean = why[i] == HA_LEFT_CLEAN ||
			     (g_hash_table_contains(st->leaving, name) && all_stopped(st, ns));
		g_hash_table_remove(st->leaving, name);
		failed_join(st, name);
		if (clean || (!fencing && why[i] == HA_LEFT_NODEDOWN)) {
			/* Stopped its resources before leaving (or, without fencing, they count
			 * as stopped at once — documented as unsafe for shared data). */
			clear_lrm(ns);
			ns->frozen = false;
			set_node(st->cib, ns, "false", "offline", "down", "down");
			drop_claims_of(st, left[i]);
		} else if (why[i] == HA_LEFT_PROCDOWN) {
			ns->frozen = true;
			set_node(st->cib, ns, "true", "offline", "down", "member");
			if (!g_hash_table_contains(st->frozen, name))
				g_hash_table_insert(st->frozen, g_strdup(name), i64(st->now));
		} else {
			ns->frozen = false;
			set_node(st->cib, ns, "false", "offline", "down", "member");
			if (!g_hash_table_contains(st->lost, name))
				g_hash_table_insert(st->lost, g_strdup(name), i64(st->now));
			event(st, HA_SEV_NODE_LOST, NULL, NULL, name, "left the membership uncleanly");
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = ha__state_node_name(st, members[i]);
		if (!name)
			continue;
		ha_node_state *ns = node_state(st->cib, name);
		ns->frozen = false;
		set_node(st->cib, ns, "true", "online", "member", "member");
		g_hash_table_remove(st->frozen, name);
		/* Back before being fenced: its own sync report is the authority now. */
		g_hash_table_remove(st->lost, name);
		g_hash_table_remove(st->fence_told, name);
	}
	st->synced = false;
	st->awaiting_config = false;
	g_hash_table_remove_all(st->sync_seen);
	g_hash_table_remove_all(st->others);
	g_hash_table_remove_all(st->excluded);
	g_hash_table_remove_all(st->sync_clock);
	g_hash_table_remove_all(st->silence);
	for (size_t i = 0; i < n; i++) {
		const char *name = ha__state_node_name(st, members[i]);
		if (!name)
			continue;
		if (joined[i])
			g_hash_table_add(st->joining, g_strdup(name));
		if (held_down(st, name))
			exclude(st, members[i], "membership flapping: it left 3 times before "
						"finishing a sync round; held down for 120 s");
	}
	g_free(joined);
	set_quorum_attr(st);
	ack_membership(st);
}

/* ---- sync ---------------------------------------------------------------------- */

void ha__state_sync_msg(const ha_state *st, bool quorate, GPtrArray *own_ops, GPtrArray *own_attrs,
			ha_msg *out)
{
	memset(out, 0, sizeof(*out));
	out->type = HA_MSG_SYNC;
	out->u.sync.ring = st->ring;
	out->u.sync.members = g_array_copy(st->members);
	out->u.sync.quorate = quorate;
	out->u.sync.admin_epoch = st->cib->admin_epoch;
	out->u.sync.epoch = st->cib->epoch;
	out->u.sync.digest = g_strdup(ha__state_config_digest((ha_state *)st));
	out->u.sync.ops = own_ops;
	out->u.sync.attrs = own_attrs;
	/* What this member knows of the nodes that are not members. */
	out->u.sync.others = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_other_free);
	for (guint i = 0; i < st->cib->cfg.nodes->len; i++) {
		const ha_node_def *d = g_ptr_array_index(st->cib->cfg.nodes, i);
		const char *name = d->uname ? d->uname : d->id;
		uint32_t id = name ? id_of(st, name) : 0;
		const ha_node_state *ns = name ? ha__node_state_find(st->cib, name) : NULL;
		if (!ns || (id && is_member(st, id)) ||
		    out->u.sync.others->len >= HA_MSG_MAX_OTHERS)
			continue;
		const int64_t *lost = g_hash_table_lookup(st->lost, name);
		const int64_t *frozen = g_hash_table_lookup(st->frozen, name);
		ha_msg_other *o = g_new0(ha_msg_other, 1);
		o->node = g_strdup(name);
		o->kind = lost ? HA_OTHER_LOST : frozen ? HA_OTHER_FROZEN : HA_OTHER_DOWN;
		o->since = lost ? *lost : frozen ? *frozen : 0;
		o->ops = o->kind == HA_OTHER_DOWN
				 ? g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free)
				 : ha__state_ops_of(ns);
		g_ptr_array_add(out->u.sync.others, o);
	}
}

/* One entry of an operation history as a message. */
static ha_msg_op *msg_op_of(const ha_lrm_rsc *lr, const ha_lrm_op *op)
{
	ha_msg_op *m = g_new0(ha_msg_op, 1);
	m->rsc = g_strdup(lr->id);
	m->cls = g_strdup(lr->cls);
	m->provider = g_strdup(lr->provider);
	m->type = g_strdup(lr->type);
	m->operation = g_strdup(op->operation);
	m->interval_ms = op->interval_ms;
	m->rc = op->rc;
	m->op_status = op->op_status;
	m->call_id = op->call_id;
	m->timestamp = op->last_rc_change;
	m->exec_ms = op->exec_time;
	m->digest = g_strdup(op->digest);
	m->exit_reason = g_strdup(op->exit_reason);
	return m;
}

GPtrArray *ha__state_ops_of(const ha_node_state *ns)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
	/* failures first: re-recording them must not make them the last operation */
	for (int failures = 1; ns && failures >= 0; failures--) {
		for (guint i = 0; i < ns->lrm->len; i++) {
			const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
			for (guint j = 0; j < lr->ops->len; j++) {
				const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, j);
				if ((strstr(op->id, "_last_failure_") != NULL) != (failures == 1))
					continue;
				g_ptr_array_add(out, msg_op_of(lr, op));
			}
		}
	}
	return out;
}

/* Startup fencing: with fencing enabled, a node of the configuration that this
 * cluster has never seen may be running anything. Once the cluster is synced and
 * quorate, such a node is given 20 s of replicated time to join (Pacemaker's
 * dc-deadtime); then it is treated as lost and fenced, unless startup-fencing=false. */
#define HA_STARTUP_FENCE_DELAY 20

static bool unseen_nodes(const ha_state *st)
{
	for (guint i = 0; i < st->cib->cfg.nodes->len; i++) {
		const ha_node_def *d = g_ptr_array_index(st->cib->cfg.nodes, i);
		const char *name = d->uname ? d->uname : d->id;
		if (name && !ha__node_state_find(st->cib, name))
			return true;
	}
	return false;
}

static void startup_fencing(ha_state *st)
{
	const ha_options *o = &st->cib->cfg.opts;
	if (!st->synced || !st->quorate || !o->stonith_enabled || !o->startup_fencing || !st->now ||
	    !unseen_nodes(st))
		return;
	if (st->startup_since < 0) {
		st->startup_since = st->now;
		return;
	}
	if (st->now - st->startup_since < HA_STARTUP_FENCE_DELAY)
		return;
	for (guint i = 0; i < st->cib->cfg.nodes->len; i++) {
		const ha_node_def *d = g_ptr_array_index(st->cib->cfg.nodes, i);
		const char *name = d->uname ? d->uname : d->id;
		if (!name || ha__node_state_find(st->cib, name))
			continue;
		ha_node_state *ns = node_state(st->cib, name);
		set_node(st->cib, ns, "false", "offline", "down", "member");
		g_hash_table_insert(st->lost, g_strdup(name), i64(st->now));
		event(st, HA_SEV_NODE_LOST, NULL, NULL, name,
		      "not seen within 20 s of the cluster starting (startup fencing)");
	}
}

static int grave(uint8_t kind)
{
	return kind == HA_OTHER_LOST ? 3 : kind == HA_OTHER_FROZEN ? 2 : 1;
}

static ha_msg_op *op_dup(const ha_msg_op *o)
{
	ha_msg_op *d = g_new0(ha_msg_op, 1);
	*d = *o;
	d->rsc = g_strdup(o->rsc);
	d->cls = g_strdup(o->cls);
	d->provider = g_strdup(o->provider);
	d->type = g_strdup(o->type);
	d->operation = g_strdup(o->operation);
	d->digest = g_strdup(o->digest);
	d->exit_reason = g_strdup(o->exit_reason);
	return d;
}

/* The round completed: every member takes the winning reports about non-members, so
 * that a member that did not see them go (a restarted daemon, the other side of a
 * partition) decides on the same facts as the others. */
static void adopt_others(ha_state *st)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->others);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *name = k;
		const other_report *o = v;
		uint32_t id = id_of(st, name);
		if ((id && is_member(st, id)) || !ha__node_find(&st->cib->cfg, name))
			continue;
		ha_node_state *ns = node_state(st->cib, name);
		clear_lrm(ns);
		for (guint i = 0; i < o->ops->len; i++)
			ha__state_record_op(st->cib, name, g_ptr_array_index(o->ops, i));
		g_hash_table_remove(st->frozen, name);
		g_hash_table_remove(st->lost, name);
		ns->frozen = o->kind == HA_OTHER_FROZEN;
		if (o->kind == HA_OTHER_FROZEN) {
			set_node(st->cib, ns, "true", "offline", "down", "member");
			g_hash_table_insert(st->frozen, g_strdup(name), i64(o->since));
		} else if (o->kind == HA_OTHER_LOST) {
			set_node(st->cib, ns, "false", "offline", "down", "member");
			g_hash_table_insert(st->lost, g_strdup(name), i64(o->since));
		} else {
			clear_lrm(ns);
			set_node(st->cib, ns, "false", "offline", "down", "down");
		}
	}
	g_hash_table_remove_all(st->others);
}

static void sync_resolve(ha_state *st)
{
	bool quorate = true;
	uint32_t best = 0;
	const sync_info *bi = NULL;
	for (guint i = 0; i < st->members->len; i++) {
		uint32_t id = g_array_index(st->members, uint32_t, i);
		if (!is_member(st, id))
			continue;
		const sync_info *si = g_hash_table_lookup(st->sync_seen, GUINT_TO_POINTER(id));
		if (!si)
			return;
		quorate &= si->quorate;
		if (!bi || si->admin_epoch > bi->admin_epoch ||
		    (si->admin_epoch == bi->admin_epoch && si->epoch > bi->epoch)) {
			bi = si;
			best = id;
		}
	}
	st->quorate = quorate;
	if (!bi)
		return;
	bool same = true;
	for (guint i = 0; i < st->members->len; i++) {
		uint32_t id = g_array_index(st->members, uint32_t, i);
		if (!is_member(st, id))
			continue;
		const sync_info *si = g_hash_table_lookup(st->sync_seen, GUINT_TO_POINTER(id));
		if (strcmp(si->digest ? si->digest : "", bi->digest ? bi->digest : "") != 0) {
			same = false;
			if (si->epoch == bi->epoch && si->admin_epoch == bi->admin_epoch) {
				char why[128];
				snprintf(why, sizeof(why), "node %u has a different configuration with "
							   "the same version; node %u's wins", id, best);
				event(st, HA_SEV_DIVERGED, NULL, NULL, ha__state_node_name(st, id), why);
			}
		}
	}
	if (same) {
		st->synced = true;
		adopt_others(st);
		set_quorum_attr(st);
		event(st, HA_SEV_SYNC_COMPLETE, NULL, NULL, NULL, NULL);
		startup_fencing(st);
		fence_check(st);
		return;
	}
	st->awaiting_config = true;
	st->config_source = best;
	if (best == st->o.local)
		event(st, HA_SEV_CONFIG_SOURCE, NULL, NULL, NULL, NULL);
}

static void apply_sync(ha_state *st, uint32_t from, const ha_msg *m)
{
	if (m->u.sync.ring != st->ring || !is_member(st, from) || st->synced || st->awaiting_config)
		return;
	/* Several membership changes can share a ring (daemons joining and leaving while
	 * corosync stays): a report made for another one of them is stale. */
	const GArray *sm = m->u.sync.members;
	if (!sm || sm->len != st->members->len ||
	    memcmp(sm->data, st->members->data, sm->len * sizeof(uint32_t)) != 0)
		return;
	const char *name = ha__state_node_name(st, from);
	if (!name)
		return;
	sync_info *si = g_new0(sync_info, 1);
	si->quorate = m->u.sync.quorate;
	si->admin_epoch = m->u.sync.admin_epoch;
	si->epoch = m->u.sync.epoch;
	si->digest = g_strdup(m->u.sync.digest);
	g_hash_table_insert(st->sync_seen, GUINT_TO_POINTER(from), si);
	g_hash_table_remove(st->joining, name);
	/* Each node is the authority for what runs on itself. */
	ha_node_state *ns = node_state(st->cib, name);
	clear_lrm(ns);
	for (guint i = 0; i < ns->attrs->len; i++) {
		ha_nvset *set = g_ptr_array_index(ns->attrs, i);
		g_array_free(set->pairs, TRUE);
		g_free(set);
	}
	g_ptr_array_set_size(ns->attrs, 0);
	for (guint i = 0; i < m->u.sync.ops->len; i++)
		ha__state_record_op(st->cib, name, g_ptr_array_index(m->u.sync.ops, i));
	char idbuf[64];
	snprintf(idbuf, sizeof(idbuf), "status-%u", from);
	for (guint i = 0; i < m->u.sync.attrs->len; i++) {
		const ha_msg_attr *a = g_ptr_array_index(m->u.sync.attrs, i);
		if (a->value)
			ha__nvsets_set(ns->attrs, st->cib->strings, idbuf, a->name, a->value);
	}
	/* What it knows of non-members: the gravest report wins, then the lowest sender. */
	for (guint i = 0; m->u.sync.others && i < m->u.sync.others->len; i++) {
		const ha_msg_other *o = g_ptr_array_index(m->u.sync.others, i);
		other_report *cur = g_hash_table_lookup(st->others, o->node);
		/* A member that saw it go knows its history; one that only saw it leave
		 * (a restarted daemon) reports none: the fuller report wins. */
		guint have = cur ? cur->ops->len : 0, got = o->ops ? o->ops->len : 0;
		if (cur && (grave(cur->kind) > grave(o->kind) ||
			    (grave(cur->kind) == grave(o->kind) &&
			     (have > got || (have == got && cur->from < from)))))
			continue;
		other_report *n = g_new0(other_report, 1);
		n->from = from;
		n->kind = o->kind;
		n->since = o->since;
		n->ops = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_op_free);
		for (guint j = 0; o->ops && j < o->ops->len; j++)
			g_ptr_array_add(n->ops, op_dup(g_ptr_array_index(o->ops, j)));
		g_hash_table_replace(st->others, g_strdup(o->node), n);
	}
	/* Claims of that node are superseded by its report. */
	drop_claims_of(st, from);
	sync_resolve(st);
}

/* ---- configuration writes ------------------------------------------------------------ */

static void apply_config(ha_state *st, uint32_t from, const ha_msg *m)
{
	if (m->u.config.expect_epoch < 0) {
		/* Sync resolution: only the designated source, only while waiting for it. */
		if (!st->awaiting_config || from != st->config_source)
			return;
		int rc = adopt_config(st, m->u.config.xml, -1);
		st->awaiting_config = false;
		st->synced = true;
		adopt_others(st);
		set_quorum_attr(st);
		ha_state_event *e = g_new0(ha_state_event, 1);
		e->kind = HA_SEV_CONFIG_APPLIED;
		e->epoch = st->cib->epoch;
		e->result = rc;
		e->node = from;
		g_queue_push_tail(st->events, e);
		event(st, HA_SEV_SYNC_COMPLETE, NULL, NULL, NULL, NULL);
		startup_fencing(st);
		fence_check(st);
		return;
	}
	int rc = 0;
	if (!st->synced)
		rc = HA_ENOTSYNCED;
	else if (!st->quorate && st->cib->cfg.opts.no_quorum_policy != HA_NQP_IGNORE)
		rc = HA_ENOQUORUM;
	else if (m->u.config.expect_epoch != st->cib->epoch)
		rc = HA_ESTALEVERSION;
	else
		rc = adopt_config(st, m->u.config.xml, st->cib->epoch + 1);
	ha_state_event *e = g_new0(ha_state_event, 1);
	e->kind = HA_SEV_CONFIG_APPLIED;
	e->request = m->u.config.request;
	e->epoch = st->cib->epoch;
	e->result = rc;
	e->node = from;
	g_queue_push_tail(st->events, e);
	/* The ack round: every current member reports it persisted (or rejected) it. */
	ack_round *a = g_new0(ack_round, 1);
	a->epoch = st->cib->epoch;
	a->result = rc;
	a->writer = from;
	a->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < st->members->len; i++)
		if (is_member(st, g_array_index(st->members, uint32_t, i)))
			g_hash_table_add(a->pending, GUINT_TO_POINTER(g_array_index(st->members, uint32_t, i)));
	uint64_t *key = g_memdup2(&m->u.config.request, sizeof(uint64_t));
	g_hash_table_replace(st->acks, key, a);
}

static void apply_ack(ha_state *st, uint32_t from, const ha_msg *m)
{
	uint64_t req = m->u.config_ack.request;
	ack_round *a = g_hash_table_lookup(st->acks, &req);
	if (!a)
		return;
	g_hash_table_remove(a->pending, GUINT_TO_POINTER(from));
	ack_membership(st);
}

/* ---- claims ------------------------------------------------------------------------ */

static const ha_rsc *clone_of(const ha_rsc *r)
{
	for (const ha_rsc *p = r->parent; p; p = p->parent)
		if (p->kind == HA_RSC_CLONE)
			return p;
	return NULL;
}

static int meta_int(const ha_config *cfg, const ha_rsc *r, const char *name, int def)
{
	const char *v = ha__rsc_meta(cfg, r, name);
	int x;
	return v && ha__score_parse(v, &x) == 0 ? x : def;
}

static const char *claim_check(ha_state *st, uint32_t from, const ha_msg *m, const ha_rsc **rp)
{
	const ha_cib *cib = st->cib;
	if (!st->synced)
		return "the sync round of this membership is not complete";
	if (!st->quorate && cib->cfg.opts.no_quorum_policy != HA_NQP_IGNORE)
		return "the partition has no quorum";
	if (m->u.claim.epoch != cib->epoch)
		return "the configuration changed since the claim was made";
	const ha_rsc *r = ha__rsc_find(&cib->cfg, m->u.claim.rsc);
	if (!r || r->kind != HA_RSC_PRIMITIVE)
		return "no such primitive";
	*rp = r;
	const char *me = ha__state_node_name(st, from);
	if (!me || !is_member(st, from))
		return "the claimer is not a member";
	ha_presence mine;
	ha__sched_presence(cib, st->now, r, ha__node_state_find(cib, me), &mine);
	if (!mine.probed)
		return "the claimer has not probed the resource";
	const ha_rsc *clone = clone_of(r);
	bool promote = !strcmp(m->u.claim.action, "promote");
	/* A restart in place (stop, then start on the same node, under one claim) needs
	 * the claimer to be the one node where it is active; nobody may take it over in
	 * between. */
	bool restart = !strcmp(m->u.claim.action, "restart");
	if (restart && (mine.pending || mine.role < HA_ROLE_STARTED))
		return "not active on the claimer";
	int active = 0, promoted = 0;
	for (guint i = 0; i < cib->cfg.nodes->len; i++) {
		const ha_node_def *nd = g_ptr_array_index(cib->cfg.nodes, i);
		const char *name = nd->uname;
		if (g_hash_table_contains(st->lost, name)) {
			/* possibly active: its last claims may never have reached us */
			if (!clone)
				return "possibly active on a node that left uncleanly and is not fenced";
			active++;
			promoted++;
			continue;
		}
		const ha_node_state *ns = ha__node_state_find(cib, name);
		ha_presence p;
		ha__sched_presence(cib, st->now, r, ns, &p);
		uint32_t id = id_of(st, name);
		bool member = id && is_member(st, id);
		bool frozen = g_hash_table_contains(st->frozen, name);
		if (!member && !frozen)
			continue; /* down cleanly or fenced: known stopped */
		if (member && !p.probed && !p.pending) {
			if (!clone)
				return "its state is unknown on a member (not probed yet)";
			/* unknown: it may run there, even promoted */
			active++;
			promoted++;
			continue;
		}
		if (p.pending || p.role >= HA_ROLE_STARTED || (member && !p.probed)) {
			bool self = !strcmp(name, me);
			if (!clone && !promote && !(restart && self))
				return "already active or pending on a node";
			if (self && !promote && !restart)
				return "already active on the claimer";
			active++;
		}
		if (p.role == HA_ROLE_PROMOTED || (p.pending && p.role == HA_ROLE_PROMOTED))
			promoted++;
	}
	if (promote) {
		if (mine.role < HA_ROLE_STARTED)
			return "not active on the claimer";
		if (mine.role == HA_ROLE_PROMOTED)
			return "already promoted on the claimer";
	}
	/* Valid claims are already counted: each one left a pending mark in the status
	 * (except a restart's, once its stop's result replaced the mark). */
	int restarting = 0;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->claims);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const claim *c = v;
		const char *key = k;
		size_t n = strlen(r->id);
		if (strncmp(key, r->id, n) || (key[n] && key[n] != '@'))
			continue;
		if (!clone)
			return "already claimed";
		if (c->node == from && (!strcmp(c->action, m->u.claim.action) || restart ||
					!strcmp(c->action, "restart")))
			return "already claimed by the claimer";
		/* Another node's restart: between its stop's result and its start the
		 * instance shows as stopped there (not counted above), yet it is taken. */
		if (!strcmp(c->action, "restart") && !promote) {
			const char *at = ha__state_node_name(st, c->node);
			ha_presence p;
			ha__sched_presence(cib, st->now, r, at ? ha__node_state_find(cib, at) : NULL, &p);
			if (!p.pending && p.role < HA_ROLE_STARTED)
				restarting++;
		}
	}
	active += restarting;
	if (clone) {
		int max = meta_int(&cib->cfg, clone, "clone-max", (int)cib->cfg.nodes->len);
		int pmax = meta_int(&cib->cfg, clone, "promoted-max", meta_int(&cib->cfg, clone, "master-max", 1));
		/* A restart in place adds no instance: the claimer's own is counted above. */
		if (!promote && !restart && active >= max)
			return "clone-max instances are active, pending or possibly active";
		if (promote && promoted >= pmax)
			return "promoted-max instances are promoted, pending or possibly promoted";
	}
	return NULL;
}

/* A copy of node's last (non-recurring) operation on rsc, or NULL. */
static ha_msg_op *last_op_of(ha_state *st, const char *node, const char *rsc)
{
	const ha_lrm_rsc *lr = NULL;
	const ha_lrm_op *op = ha__lrm_last_op(node ? ha__node_state_find(st->cib, node) : NULL, rsc, &lr);
	return op ? msg_op_of(lr, op) : NULL;
}

static void apply_claim(ha_state *st, uint32_t from, const ha_msg *m)
{
	const ha_rsc *r = NULL;
	const char *why = claim_check(st, from, m, &r);
	if (why) {
		if (from == st->o.local)
			event(st, HA_SEV_CLAIM_REJECTED, m->u.claim.rsc, m->u.claim.action, NULL, why);
		return;
	}
	char *key = clone_of(r) ? g_strdup_printf("%s@%u", r->id, from) : g_strdup(r->id);
	claim *c = g_new0(claim, 1);
	c->node = from;
	c->action = g_strdup(m->u.claim.action);
	c->prev = last_op_of(st, ha__state_node_name(st, from), r->id);
	g_hash_table_replace(st->claims, key, c);
	/* The claim makes the resource pending for everyone. */
	bool restart = !strcmp(m->u.claim.action, "restart");
	ha_msg_op pend = {.rsc = (char *)r->id, .cls = (char *)r->cls, .provider = (char *)r->provider,
			  .type = (char *)r->type, .operation = restart ? "stop" : m->u.claim.action,
			  .op_status = HA_OPST_PENDING, .call_id = -1, .timestamp = st->now};
	ha__state_record_op(st->cib, ha__state_node_name(st, from), &pend);
	if (from == st->o.local)
		event(st, HA_SEV_CLAIM_GRANTED, r->id, m->u.claim.action, NULL, NULL);
}

/* End from's claim on rsc; the operation its pending mark replaced (or NULL). */
static ha_msg_op *end_claim(ha_state *st, uint32_t from, const char *rsc)
{
	const ha_rsc *r = ha__rsc_find(&st->cib->cfg, rsc);
	char *key = r && clone_of(r) ? g_strdup_printf("%s@%u", rsc, from) : g_strdup(rsc);
	claim *c = g_hash_table_lookup(st->claims, key);
	ha_msg_op *prev = NULL;
	if (c && c->node == from) {
		prev = c->prev;
		c->prev = NULL;
		g_hash_table_remove(st->claims, key);
	}
	g_free(key);
	return prev;
}

/* ---- time ----------------------------------------------------------------------------- */

/* Members whose sync message did not arrive within the sync timeout are treated as
 * failed (stuck): excluded from the round, and fenced when fencing is enabled. */
static void sync_timeout(ha_state *st, uint32_t from, int64_t clock)
{
	if (st->synced)
		return;
	/* Each member measures the round on its own clock (clocks may be skewed). */
	int64_t *first = g_hash_table_lookup(st->sync_clock, GUINT_TO_POINTER(from));
	if (!first) {
		g_hash_table_insert(st->sync_clock, GUINT_TO_POINTER(from), i64(clock));
		return;
	}
	if (clock - *first < st->o.sync_timeout)
		return;
	if (st->awaiting_config) {
		/* The member with the winning configuration never sent it: it is stuck too;
		 * the round goes on without it (the next best version wins), with a new
		 * timeout. */
		uint32_t src = st->config_source;
		st->awaiting_config = false;
		g_hash_table_remove(st->sync_seen, GUINT_TO_POINTER(src));
		g_hash_table_remove_all(st->sync_clock);
		exclude(st, src, "connected but silent: it did not send its configuration "
				 "within the sync timeout");
		sync_resolve(st);
		return;
	}
	for (guint i = 0; i < st->members->len; i++) {
		uint32_t id = g_array_index(st->members, uint32_t, i);
		if (g_hash_table_contains(st->sync_seen, GUINT_TO_POINTER(id)) || !is_member(st, id))
			continue;
		exclude(st, id, "connected but silent: no sync message within the sync timeout");
	}
	sync_resolve(st);
}

/* A member that is there but does not take part (stuck, silent, flapping): not a
 * member for the replicated state any more; fenced when fencing is enabled, else its
 * resources count as stopped at once (documented as unsafe for shared data). */
static void exclude(ha_state *st, uint32_t id, const char *reason)
{
	const char *name = ha__state_node_name(st, id);
	g_hash_table_add(st->excluded, GUINT_TO_POINTER(id));
	g_hash_table_remove(st->silence, GUINT_TO_POINTER(id));
	drop_claims_of(st, id);
	if (!name)
		return;
	ha_node_state *ns = node_state(st->cib, name);
	ns->frozen = false;
	g_hash_table_remove(st->frozen, name);
	if (st->cib->cfg.opts.stonith_enabled) {
		set_node(st->cib, ns, "false", "offline", "down", "member");
		if (!g_hash_table_contains(st->lost, name))
			g_hash_table_insert(st->lost, g_strdup(name), i64(st->now));
	} else {
		clear_lrm(ns);
		set_node(st->cib, ns, "false", "offline", "down", "down");
	}
	event(st, HA_SEV_NODE_LOST, NULL, NULL, name, reason);
	ack_membership(st); /* config ack rounds do not wait for it any more */
}

/* Connected but silent: every member sends a TICK at least every few seconds (core.c);
 * a member from which nothing arrived while another member's clock advanced by the
 * silence timeout is excluded (and fenced). Only in a synced configuration: a sync
 * round has its own timeout. */
static void silence_check(ha_state *st, uint32_t from, int64_t clock)
{
	if (!st->synced)
		return;
	GPtrArray *silent = g_ptr_array_new();
	for (guint i = 0; i < st->members->len; i++) {
		uint32_t id = g_array_index(st->members, uint32_t, i);
		if (id == from || !is_member(st, id))
			continue;
		silence_watch *w = g_hash_table_lookup(st->silence, GUINT_TO_POINTER(id));
		if (!w || !is_member(st, w->watcher)) {
			w = g_new0(silence_watch, 1);
			w->watcher = from;
			w->since = clock;
			g_hash_table_replace(st->silence, GUINT_TO_POINTER(id), w);
		} else if (w->watcher == from && clock - w->since >= st->o.sync_timeout) {
			g_ptr_array_add(silent, GUINT_TO_POINTER(id));
		}
	}
	for (guint i = 0; i < silent->len; i++)
		exclude(st, GPOINTER_TO_UINT(g_ptr_array_index(silent, i)),
			"connected but silent: nothing heard from it within the silence timeout");
	if (silent->len)
		fence_check(st);
	g_ptr_array_free(silent, TRUE);
}

/* Constraint lifetimes are configuration: they change it only where a write could
 * (synced, and quorate unless no-quorum-policy=ignore), at a TICK of the replicated
 * clock, so every member removes the same constraints at the same position of the
 * stream and reaches the same new epoch. A duration nobody resolved (a configuration
 * written without ha__core_set_config) starts at this TICK. */
static bool lifetimes_may_change(const ha_state *st)
{
	return st->synced && !st->awaiting_config &&
	       (st->quorate || st->cib->cfg.opts.no_quorum_policy == HA_NQP_IGNORE);
}

static void expire_lifetimes(ha_state *st, uint32_t from)
{
	if (!lifetimes_may_change(st))
		return;
	GPtrArray *expired = g_ptr_array_new_with_free_func(g_free);
	unsigned n = ha__lifetime_resolve(st->cib, st->now);
	n += ha__lifetime_expire(st->cib, st->now, expired);
	if (n) {
		st->cib->epoch++;
		config_changed(st);
		ha_state_event *e = g_new0(ha_state_event, 1);
		e->kind = HA_SEV_CONFIG_APPLIED; /* persisted like any applied change; no ack */
		e->epoch = st->cib->epoch;
		e->node = from;
		g_queue_push_tail(st->events, e);
		for (guint i = 0; i < expired->len; i++) {
			event(st, HA_SEV_EXPIRED, NULL, NULL, g_ptr_array_index(expired, i), NULL);
			((ha_state_event *)g_queue_peek_tail(st->events))->epoch = st->cib->epoch;
		}
	}
	g_ptr_array_free(expired, TRUE);
}

static void apply_tick(ha_state *st, uint32_t from, int64_t now)
{
	sync_timeout(st, from, now);
	silence_check(st, from, now);
	/* The replicated clock is the lowest member's: one clock, whatever the skew. */
	uint32_t lowest = 0;
	for (guint i = 0; i < st->members->len && !lowest; i++)
		if (is_member(st, g_array_index(st->members, uint32_t, i)))
			lowest = g_array_index(st->members, uint32_t, i);
	if (from != lowest)
		return;
	if (now > st->now)
		st->now = now;
	startup_fencing(st);
	bool fencing = st->cib->cfg.opts.stonith_enabled;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, st->frozen);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (*(int64_t *)v + st->o.frozen_grace > st->now)
			continue;
		ha_node_state *ns = node_state(st->cib, k);
		ns->frozen = false;
		if (fencing) {
			/* Its daemon did not come back: fence the node. */
			g_hash_table_insert(st->lost, g_strdup(k), i64(st->now));
			set_node(st->cib, ns, "false", "offline", "down", "member");
			event(st, HA_SEV_NODE_LOST, NULL, NULL, k, "its daemon did not come back within the grace time");
		} else {
			/* Its resources count as stopped, and so do its claims (as when a
			 * node leaves with fencing disabled). */
			clear_lrm(ns);
			set_node(st->cib, ns, "false", "offline", "down", "down");
			uint32_t id = id_of(st, k);
			if (id)
				drop_claims_of(st, id);
		}
		g_hash_table_iter_remove(&it);
	}
	expire_lifetimes(st, from);
	fence_check(st);
}

int64_t ha__state_next_due(const ha_state *st)
{
	int64_t due = 0;
	GHashTableIter it;
	gpointer k, v;
#define CONSIDER(t) do { int64_t t_ = (t); if (t_ > 0 && (!due || t_ < due)) due = t_; } while (0)
	g_hash_table_iter_init(&it, st->frozen);
	while (g_hash_table_iter_next(&it, &k, &v))
		CONSIDER(*(int64_t *)v + st->o.frozen_grace);
	if (st->startup_since >= 0 && st->synced && unseen_nodes(st))
		CONSIDER(st->startup_since + HA_STARTUP_FENCE_DELAY);
	uint32_t timeout = st->cib->cfg.opts.stonith_timeout_ms / 1000;
	if (!timeout)
		timeout = 60;
	g_hash_table_iter_init(&it, st->lost);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		int64_t since = *(int64_t *)v;
		int64_t attempt = st->now > since ? (st->now - since) / timeout : 0;
		CONSIDER(since + (attempt + 1) * timeout);
	}
	/* constraint lifetimes (a duration waiting for its start is due now) */
	if (lifetimes_may_change(st)) {
		if (ha__lifetime_pending(st->cib))
			CONSIDER(st->now ? st->now : 1);
		CONSIDER(ha__lifetime_next(st->cib));
	}
	/* failure-timeout expiries */
	for (guint i = 0; i < st->cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(st->cib->status, i);
		for (guint s = 0; s < ns->attrs->len; s++) {
			const ha_nvset *set = g_ptr_array_index(ns->attrs, s);
			for (guint j = 0; j < set->pairs->len; j++) {
				const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
				if (strncmp(p->name, "last-failure-", 13))
					continue;
				char *id = g_strdup(p->name + 13);
				char *hash = strchr(id, '#');
				if (hash)
					*hash = '\0';
				const ha_rsc *r = ha__rsc_find(&st->cib->cfg, id);
				g_free(id);
				const char *ft = r ? ha__rsc_meta(&st->cib->cfg, r, "failure-timeout") : NULL;
				uint32_t ms;
				if (ft && ha__interval_parse(ft, &ms) == 0 && ms) {
					int64_t at = g_ascii_strtoll(p->value, NULL, 10) + ms / 1000;
					if (at > st->now)
						CONSIDER(at);
				}
			}
		}
	}
#undef CONSIDER
	return due;
}

/* ---- the stream ----------------------------------------------------------------------- */

void ha__state_deliver(ha_state *st, uint32_t from, const ha_msg *m)
{
	const char *name = ha__state_node_name(st, from);
	/* Heard from it: not silent. */
	g_hash_table_remove(st->silence, GUINT_TO_POINTER(from));
	switch (m->type) {
	case HA_MSG_SYNC:
		apply_sync(st, from, m);
		break;
	case HA_MSG_CONFIG:
		apply_config(st, from, m);
		break;
	case HA_MSG_CONFIG_ACK:
		apply_ack(st, from, m);
		break;
	case HA_MSG_OP:
		if (!name || !is_member(st, from))
			break;
		ha__state_record_op(st->cib, name, &m->u.op);
		if (m->u.op.op_status != HA_OPST_PENDING &&
		    (!strcmp(m->u.op.operation, "start") || !strcmp(m->u.op.operation, "promote")))
			ha__msg_op_free(end_claim(st, from, m->u.op.rsc));
		fence_check(st); /* a fence device may have started */
		break;
	case HA_MSG_ATTR: {
		if (!is_member(st, from))
			break;
		ha_node_state *ns = node_state(st->cib, m->u.attr.node);
		char idbuf[64];
		snprintf(idbuf, sizeof(idbuf), "status-%s", ns->id ? ns->id : ns->uname);
		if (m->u.attr.value)
			ha__nvsets_set(ns->attrs, st->cib->strings, idbuf, m->u.attr.name, m->u.attr.value);
		else
			ha__nvsets_unset(ns->attrs, m->u.attr.name);
		break;
	}
	case HA_MSG_CLAIM:
		apply_claim(st, from, m);
		break;
	case HA_MSG_RELEASE: {
		ha_msg_op *prev = end_claim(st, from, m->u.release.rsc);
		/* drop the pending mark; what it replaced comes back */
		if (name) {
			ha_node_state *ns = node_state(st->cib, name);
			for (guint i = 0; i < ns->lrm->len; i++) {
				ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
				if (strcmp(lr->id, m->u.release.rsc))
					continue;
				for (guint j = lr->ops->len; j-- > 0;)
					if (g_array_index(lr->ops, ha_lrm_op, j).op_status == HA_OPST_PENDING)
						g_array_remove_index(lr->ops, j);
				if (prev) {
					char id[512];
					snprintf(id, sizeof(id), "%s_last_0", lr->id);
					put_op(st->cib, lr, id, prev, name);
				}
			}
		}
		ha__msg_op_free(prev);
		break;
	}
	case HA_MSG_FENCED:
		if (!is_member(st, from))
			break;
		if (m->u.fenced.ok) {
			fenced(st, m->u.fenced.target);
			event(st, HA_SEV_FENCED, NULL, "ok", m->u.fenced.target, m->u.fenced.by);
		} else {
			event(st, HA_SEV_FENCED, NULL, "failed", m->u.fenced.target, m->u.fenced.by);
		}
		break;
	case HA_MSG_TICK:
		if (is_member(st, from))
			apply_tick(st, from, m->u.tick.now);
		break;
	case HA_MSG_CLEANUP:
		if (is_member(st, from))
			ha__cib_forget(st->cib, m->u.cleanup.rsc, m->u.cleanup.node);
		break;
	case HA_MSG_FENCE:
		if (is_member(st, from))
			fence_request(st, m->u.fence.target);
		break;
	case HA_MSG_LEAVE:
		if (name) {
			g_hash_table_add(st->leaving, g_strdup(name));
			ha_node_state *ns = node_state(st->cib, name);
			/* Shutting down: the scheduler moves everything away from it. */
			char idbuf[64];
			snprintf(idbuf, sizeof(idbuf), "status-%u", from);
			ha__nvsets_set(ns->attrs, st->cib->strings, idbuf, "shutdown", "1");
		}
		break;
	default:
		break;
	}
}
