/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 3: what runs where now. Replays each resource's operation
 * history on each node (ordered by call id, as Pacemaker does) into a sc_state:
 * role, failure, failed stop, fail count; then derives where every primitive is
 * active. Anonymous clone copies are mapped to instances in node order.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static int cmp_ops(const void *a, const void *b)
{
	const ha_lrm_op *x = *(ha_lrm_op *const *)a, *y = *(ha_lrm_op *const *)b;
	/* Pending operations (call-id -1) are the newest. */
	int64_t cx = x->call_id < 0 ? INT64_MAX : x->call_id;
	int64_t cy = y->call_id < 0 ? INT64_MAX : y->call_id;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	if (x->last_rc_change != y->last_rc_change)
		return x->last_rc_change < y->last_rc_change ? -1 : 1;
	return 0;
}

static const char *on_fail_for(const sched *s, const ha_rsc *r, const ha_lrm_op *op)
{
	if (r) {
		for (guint i = 0; r->ops && i < r->ops->len; i++) {
			const ha_op_def *d = g_ptr_array_index(r->ops, i);
			if (d->on_fail && !strcmp(d->name, op->operation) &&
			    d->interval_ms == op->interval_ms)
				return d->on_fail;
		}
	}
	if (!strcmp(op->operation, "stop"))
		return s->opts->stonith_enabled ? "fence" : "block";
	return "restart";
}

/* The operation names replay() tells apart, compared once per operation rather
 * than a string compare per test (it runs for every resource on every node). */
typedef enum {
	T_OTHER = 0,
	T_MONITOR,
	T_START,
	T_STOP,
	T_PROMOTE,
	T_DEMOTE,
	T_MIGRATE_FROM,
	T_MIGRATE_TO,
	T_RELOAD,
	T_NOTIFY,
} task_kind;

static task_kind task_of(const char *task)
{
	static const struct {
		const char *name;
		task_kind kind;
	} names[] = {
		{"monitor", T_MONITOR},	    {"start", T_START},
		{"stop", T_STOP},	    {"promote", T_PROMOTE},
		{"demote", T_DEMOTE},	    {"migrate_from", T_MIGRATE_FROM},
		{"migrate_to", T_MIGRATE_TO}, {"reload", T_RELOAD},
		{"reload-agent", T_RELOAD},  {"notify", T_NOTIFY},
	};
	for (size_t i = 0; task && i < G_N_ELEMENTS(names); i++)
		if (!strcmp(task, names[i].name))
			return names[i].kind;
	return T_OTHER;
}

/* st's failure details, to write (created on first use; valid until the next call). */
static sc_state_info *info_of(sched *s, sc_state *st)
{
	if (!s->info) {
		s->info = g_array_new(FALSE, TRUE, sizeof(sc_state_info));
		g_array_set_size(s->info, 1);
	}
	if (!st->info) {
		st->info = s->info->len;
		g_array_set_size(s->info, s->info->len + 1);
	}
	return &g_array_index(s->info, sc_state_info, st->info);
}

/* Replay one resource's history on one node. */
static void replay(sched *s, const ha_rsc *r, int64_t timeout, const ha_lrm_rsc *lr, sc_node *n,
		   sc_state *st, bool *ban_everywhere)
{
	guint nops = lr->ops->len;
	if (!nops)
		return;
	/* Histories are short (last op, last failure, a monitor or two): sort them on
	 * the stack by insertion; this runs once per resource and node. */
	const ha_lrm_op *stack_ops[16];
	const ha_lrm_op **ops = nops <= G_N_ELEMENTS(stack_ops) ? stack_ops
								: g_new(const ha_lrm_op *, nops);
	for (guint i = 0; i < nops; i++) {
		const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, i);
		guint j = i;
		while (j > 0 && cmp_ops(&ops[j - 1], &op) > 0) {
			ops[j] = ops[j - 1];
			j--;
		}
		ops[j] = op;
	}
	for (guint i = 0; i < nops; i++) {
		const ha_lrm_op *op = ops[i];
		const char *task = op->operation;
		task_kind t = task_of(task);
		bool probe = op->interval_ms == 0 && t == T_MONITOR;
		bool recurring = op->interval_ms > 0;
		if (op->op_status == HA_OPST_CANCELLED)
			continue;
		if (op->op_status == HA_OPST_PENDING || op->call_id < 0) {
			st->pending = true;
			if (t == T_START || t == T_MIGRATE_FROM)
				st->role = HA_ROLE_STARTED;
			else if (t == T_PROMOTE)
				st->role = HA_ROLE_PROMOTED;
			else if (probe && st->role == HA_ROLE_UNKNOWN)
				st->role = HA_ROLE_UNKNOWN;
			continue;
		}
		bool ok;
		if (op->op_status != HA_OPST_DONE)
			ok = false;
		else if (probe)
			ok = op->rc == 0 || op->rc == 7 || op->rc == 8;
		else if (recurring && t == T_MONITOR)
			ok = op->rc == 0 || op->rc == 8;
		else
			ok = op->rc == 0;
		/* Probes saying "not installed here"/"invalid here" mean: not running
		 * on this node (and it cannot run here). */
		if (probe && op->op_status == HA_OPST_DONE && (op->rc == 5 || op->rc == 2)) {
			st->role = HA_ROLE_STOPPED;
			st->fail_count = HA_INF;
			info_of(s, st)->failed_op = "probe: not installed";
			continue;
		}
		if (ok) {
			if (probe)
				st->role = op->rc == 7   ? HA_ROLE_STOPPED
					   : op->rc == 8 ? HA_ROLE_PROMOTED
							 : HA_ROLE_STARTED;
			else if (t == T_START || t == T_MIGRATE_FROM)
				st->role = HA_ROLE_STARTED;
			else if (t == T_STOP || t == T_MIGRATE_TO)
				st->role = HA_ROLE_STOPPED;
			else if (t == T_PROMOTE)
				st->role = HA_ROLE_PROMOTED;
			else if (t == T_DEMOTE)
				st->role = HA_ROLE_UNPROMOTED;
			else if (t == T_RELOAD) {
				/* reloaded in place with new parameters: still running */
				if (st->role < HA_ROLE_STARTED)
					st->role = HA_ROLE_STARTED;
				st->digest = op->digest;
			}
			else if (recurring && st->role < HA_ROLE_STARTED)
				st->role = op->rc == 8 ? HA_ROLE_PROMOTED : HA_ROLE_STARTED;
			if (!recurring && t != T_MONITOR && t != T_NOTIFY) {
				st->failed = false;
				st->stop_failed = false;
				st->blocked = false;
			} else if (probe) {
				st->failed = false;
			}
			if (t == T_START || (probe && op->rc != 7 && !st->digest))
				st->digest = op->digest;
			if (recurring && t == T_MONITOR)
				st->monitor_ms = op->interval_ms;
			continue;
		}
		/* A failure. */
		if (timeout > 0 && op->last_rc_change > 0 && op->last_rc_change + timeout <= s->now)
			continue; /* expired: failure-timeout has passed */
		const char *on_fail = on_fail_for(s, r, op);
		if (!strcmp(on_fail, "ignore")) {
			if (t == T_START || recurring)
				st->role = HA_ROLE_STARTED;
			continue;
		}
		st->failed = true;
		sc_state_info *info = info_of(s, st);
		info->exit_reason = op->exit_reason;
		info->failed_op = task;
		if (op->op_status == HA_OPST_DONE && (op->rc == 6 || op->rc == 2) && !probe)
			*ban_everywhere = true; /* hard error for the resource */
		if (op->op_status == HA_OPST_NOTINSTALLED || op->rc == 5)
			st->fail_count = HA_INF;
		if (t == T_STOP) {
			st->role = HA_ROLE_STARTED;
			st->stop_failed = true;
		} else if (t == T_PROMOTE || t == T_DEMOTE || op->rc == 9) {
			st->role = HA_ROLE_PROMOTED;
		} else if (st->role < HA_ROLE_STARTED) {
			st->role = HA_ROLE_STARTED; /* failed start/probe: assume active */
		}
		if (!strcmp(on_fail, "block"))
			st->blocked = true;
		else if (!strcmp(on_fail, "fence") && s->opts->stonith_enabled)
			n->unclean = true, st->stop_failed = true;
		else if (!strcmp(on_fail, "standby"))
			n->standby = true;
	}
	if (ops != stack_ops)
		g_free(ops);
}

static bool active(const sc_state *st)
{
	return st->role >= HA_ROLE_STARTED;
}

/* Strip an anonymous clone instance suffix ("db:1" -> "db"). */
static const char *base_id(sched *s, const char *id)
{
	const char *colon = strrchr(id, ':');
	if (!colon || !colon[1])
		return id;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return id;
	char *tmp = g_strndup(id, (gsize)(colon - id));
	const char *r = g_string_chunk_insert_const(s->strings, tmp);
	g_free(tmp);
	return r;
}

/* lrm entry id (by pointer) -> cfg->rsc_all index + 1 (0: orphan or not a
 * primitive). Open addressing on the pointer value, load at most 1/2: one cache
 * line per lookup, where a GHashTable touches its hash, key and value arrays. */
typedef struct id_slot {
	const char *key;
	int val;
} id_slot;

typedef struct id_table {
	id_slot *slots;
	guint bits, used;
} id_table;

static guint id_hash(const id_table *t, const char *key)
{
	return (guint)(((guint64)(guintptr)key * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15)) >>
		       (64 - t->bits));
}

static id_slot *id_find(const id_table *t, const char *key)
{
	guint mask = (1u << t->bits) - 1;
	for (guint i = id_hash(t, key);; i = (i + 1) & mask)
		if (t->slots[i].key == key || !t->slots[i].key)
			return &t->slots[i];
}

static void id_insert(id_table *t, const char *key, int val)
{
	if (2 * (t->used + 1) > (1u << t->bits)) {
		id_table bigger = {g_new0(id_slot, (gsize)1 << (t->bits + 1)), t->bits + 1, 0};
		for (guint i = 0; i < (1u << t->bits); i++)
			if (t->slots[i].key)
				id_insert(&bigger, t->slots[i].key, t->slots[i].val);
		g_free(t->slots);
		*t = bigger;
	}
	id_slot *slot = id_find(t, key);
	if (!slot->key)
		t->used++;
	*slot = (id_slot){key, val};
}

/* The cfg->rsc_all index of the configured primitive an lrm entry belongs to (-1:
 * an orphan, or not a primitive). Resolved through the entry's id pointer first:
 * ids are interned in the CIB's string chunk, so the same id on every node is the
 * same pointer, and the string hash, the compares and the config lookup (each a
 * cache miss on a large CIB) are paid once per id instead of once per node. An id
 * that is not interned costs a string lookup and a slot of its own. */
static int resolve(sched *s, id_table *seen, const ha_lrm_rsc *lr)
{
	const id_slot *slot = id_find(seen, lr->id);
	if (slot->key)
		return slot->val - 1;
	const ha_rsc *r = ha__rsc_find(s->cfg, base_id(s, lr->id));
	int idx = r && r->kind == HA_RSC_PRIMITIVE ? r->index : -1;
	id_insert(seen, lr->id, idx + 1);
	return idx;
}

int ha__sc_status(sched *s)
{
	int nn = s->nnodes;
	s->states = g_new0(sc_state, (size_t)(s->prims->len ? s->prims->len : 1) * (nn ? nn : 1));
	/* Per configured primitive (not instance): its history per node, by the
	 * resource's dense index (no string hashing on this path: it runs per resource
	 * and node, 160,000 times for 5,000 resources on 32 nodes). A primitive the
	 * scheduler has exactly one copy of (not a clone's) is replayed straight into
	 * its row of s->states; only clone primitives, whose history is then dealt
	 * out to instances, get a row of their own in hist. */
	guint nr = s->cfg->rsc_all->len;
	sc_state **hist = g_new0(sc_state *, nr ? nr : 1);
	sc_state **direct = g_new0(sc_state *, nr ? nr : 1); /* the s->states row, if one */
	guint8 *copies = g_new0(guint8, nr ? nr : 1);        /* 0, 1 or 2 = more than one */
	bool *ban_all = g_new0(bool, nr ? nr : 1);
	for (guint p = 0; p < s->prims->len; p++) {
		sc_rsc *x = g_ptr_array_index(s->prims, p);
		int i = x->r->index;
		if (copies[i] < 2)
			copies[i]++;
		direct[i] = copies[i] == 1 ? sc_state_at(s, x, 0) : NULL;
	}
	s->failure_timeout = g_new0(int64_t, nr ? nr : 1);
	for (guint i = 0; i < nr; i++) {
		const ha_rsc *r = g_ptr_array_index(s->cfg->rsc_all, i);
		const char *ft = r->kind == HA_RSC_PRIMITIVE ? ha__rsc_meta(s->cfg, r, "failure-timeout") : NULL;
		uint32_t ms;
		if (ft && ha__interval_parse(ft, &ms) == 0)
			s->failure_timeout[i] = ms / 1000;
	}
	id_table seen = {g_new0(id_slot, 1024), 10, 0};
	for (guint i = 0; i < s->cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(s->cib->status, i);
		int ni = -1;
		for (int k = 0; k < nn; k++)
			if (ns->uname && !strcmp(s->nodes[k].uname, ns->uname))
				ni = k;
		if (ni < 0)
			continue;
		guint nl = ns->lrm->len;
		for (guint j = 0; j < nl; j++) {
			const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
			int ri = resolve(s, &seen, lr);
			if (ri < 0) {
				/* Orphan: history of a resource no longer configured. */
				sc_state st = {0};
				bool ban = false;
				replay(s, NULL, 0, lr, &s->nodes[ni], &st, &ban);
				if (active(&st)) {
					g_ptr_array_add(s->orphans, (gpointer)lr->id);
					g_ptr_array_add(s->orphans, GINT_TO_POINTER(ni));
				}
				continue;
			}
			sc_state *row = direct[ri];
			if (!row) {
				row = hist[ri];
				if (!row)
					row = hist[ri] = g_new0(sc_state, nn ? nn : 1);
			}
			bool ban = false;
			replay(s, g_ptr_array_index(s->cfg->rsc_all, ri), s->failure_timeout[ri], lr,
			       &s->nodes[ni], &row[ni], &ban);
			if (ban)
				ban_all[ri] = true;
		}
	}
	g_free(seen.slots);
	/* Fail counts come from node attributes (only nodes that have any fail-count-*),
	 * indexed per node by resource id in nodes.c: walk those few entries rather
	 * than look every resource up on every node. */
	for (int ni = 0; ni < nn; ni++) {
		if (!s->nodes[ni].has_failures)
			continue;
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, s->nodes[ni].fails);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			const ha_rsc *r = ha__rsc_find(s->cfg, k);
			const sc_fail *f = v;
			if (!r || r->kind != HA_RSC_PRIMITIVE || !copies[r->index])
				continue;
			sc_state *row = direct[r->index];
			if (!row) {
				if (!hist[r->index])
					hist[r->index] = g_new0(sc_state, nn ? nn : 1);
				row = hist[r->index];
			}
			row[ni].fail_count = ha__score_add(row[ni].fail_count, f->count);
			if (f->last || row[ni].info)
				info_of(s, &row[ni])->last_failure = f->last;
		}
	}

	/* Deal the clone primitives' rows out to their instances. */
	for (guint p = 0; p < s->prims->len; p++) {
		sc_rsc *x = g_ptr_array_index(s->prims, p);
		const sc_state *row = hist[x->r->index];
		if (row)
			memcpy(sc_state_at(s, x, 0), row, sizeof(*row) * (size_t)nn);
		if (ban_all[x->r->index])
			x->hard_error = true;
	}
	/* Clone instances: copy j of the clone (the j-th node, in node order, where some
	 * primitive of the clone is active) belongs to instance j; elsewhere the instance
	 * is stopped (if probed) or unknown. */
	for (guint c = 0; c < s->rscs->len; c++) {
		sc_rsc *clone = g_ptr_array_index(s->rscs, c);
		if (clone->r->kind != HA_RSC_CLONE || !clone->children->len)
			continue;
		GPtrArray *prims = g_ptr_array_new();
		int copy = 0;
		for (int ni = 0; ni < nn; ni++) {
			g_ptr_array_set_size(prims, 0);
			sc_rsc *inst0 = g_ptr_array_index(clone->children, 0);
			if (inst0->children) {
				for (guint m = 0; m < inst0->children->len; m++)
					g_ptr_array_add(prims, g_ptr_array_index(inst0->children, m));
			} else {
				g_ptr_array_add(prims, inst0);
			}
			bool here = false;
			for (guint m = 0; m < prims->len; m++)
				here |= active(sc_state_at(s, g_ptr_array_index(prims, m), ni));
			for (guint ii = 0; ii < clone->children->len; ii++) {
				sc_rsc *inst = g_ptr_array_index(clone->children, ii);
				bool mine = here && (int)ii == copy;
				for (guint m = 0; m < (inst->children ? inst->children->len : 1); m++) {
					sc_rsc *pr = inst->children ? g_ptr_array_index(inst->children, m)
								    : inst;
					sc_state *st = sc_state_at(s, pr, ni);
					if (!mine && active(st)) {
						st->role = HA_ROLE_STOPPED;
						st->failed = false;
						st->stop_failed = false;
						st->pending = false;
					}
				}
			}
			if (here)
				copy++;
		}
		g_ptr_array_free(prims, TRUE);
	}
	for (guint p = 0; p < s->prims->len; p++) {
		sc_rsc *x = g_ptr_array_index(s->prims, p);
		x->cur_role = HA_ROLE_STOPPED;
		for (int ni = 0; ni < nn; ni++) {
			const sc_state *st = sc_state_at(s, x, ni);
			x->any_fail_count |= st->fail_count > 0;
			x->any_blocked |= st->blocked || (st->stop_failed && !s->opts->stonith_enabled);
			x->any_unknown |= st->role == HA_ROLE_UNKNOWN && !st->pending;
			/* Without fencing, what ran on a lost node counts as stopped. */
			if (!s->nodes[ni].online && !s->nodes[ni].unclean && !s->nodes[ni].frozen)
				continue;
			if (active(st) && s->nodes[ni].frozen)
				x->managed = false; /* hands off until its daemon is back or it is fenced */
			if (active(st)) {
				x->n_active++;
				x->running_on = x->n_active == 1 ? ni : -1;
				if (st->role > x->cur_role)
					x->cur_role = st->role;
			}
		}
		if (x->n_active != 1)
			x->running_on = -1;
	}
	for (guint i = 0; i < nr; i++)
		g_free(hist[i]);
	g_free(hist);
	g_free(direct);
	g_free(copies);
	g_free(ban_all);
	return 0;
}

void ha__sched_presence(const ha_cib *cib, int64_t now, const ha_rsc *r, const ha_node_state *ns,
			ha_presence *out)
{
	memset(out, 0, sizeof(*out));
	out->role = HA_ROLE_UNKNOWN;
	if (!ns)
		return;
	sched s = {.cib = cib, .cfg = &cib->cfg, .opts = &cib->cfg.opts, .now = now};
	s.strings = g_string_chunk_new(256);
	sc_node node = {0};
	for (guint j = 0; j < ns->lrm->len; j++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, j);
		if (strcmp(base_id(&s, lr->id), r->id) != 0)
			continue;
		sc_state st = {0};
		bool ban = false;
		const char *ft = ha__rsc_meta(s.cfg, r, "failure-timeout");
		uint32_t ms;
		int64_t timeout = ft && ha__interval_parse(ft, &ms) == 0 ? ms / 1000 : 0;
		replay(&s, r, timeout, lr, &node, &st, &ban);
		out->role = st.role;
		out->pending = st.pending;
		out->failed = st.failed;
		out->probed = st.role != HA_ROLE_UNKNOWN && !st.pending;
		break;
	}
	g_string_chunk_free(s.strings);
	if (s.info)
		g_array_free(s.info, TRUE);
}
