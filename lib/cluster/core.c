/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconciliation loop (core.h). After every burst of delivered messages it
 * runs the scheduler on the replicated state and starts this node's actions whose
 * predecessors are done: stops, demotes and probes at once; starts and promotes only
 * after its claim came back valid through the ordered stream. Results are recorded in
 * the node's own authority record (what it reports in sync rounds) and multicast.
 * Losing the connection to corosync stops every local resource at once: the rest of
 * the cluster is about to treat this node as lost.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <ha/cib.h>
#include <ha/plan.h>
#include "core_private.h"
#include "config/config.h"
#include "sched/scheduler.h"
#include "util/util.h"


/* The agent and parameters a resource was last run with: a resource deleted from the
 * configuration while running is stopped with them. */
typedef struct rsc_def {
	char *agent;
	GArray *params; /* ha_core_param with owned strings */
} rsc_def;

static void rsc_def_free(rsc_def *d)
{
	for (guint i = 0; i < d->params->len; i++) {
		ha_core_param *p = &g_array_index(d->params, ha_core_param, i);
		g_free((char *)p->name);
		g_free((char *)p->value);
	}
	g_array_free(d->params, TRUE);
	g_free(d->agent);
	g_free(d);
}

void ha__core_log(ha_core *c, int level, const char *fmt, ...)
{
	if (!c->env.log)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	c->env.log(c->env.ud, level, msg);
	g_free(msg);
}

void ha__core_emit(ha_core *c, const char *fmt, ...)
{
	if (!c->env.event)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	c->env.event(c->env.ud, msg);
	g_free(msg);
}

/* One operation result for the cluster-wide history: every member emits it when the
 * result is delivered, whichever node ran it. */
static void emit_action(ha_core *c, const char *node, const ha_msg_op *op)
{
	ha__core_emit(c, "{\"event\":\"action\",\"node\":\"%s\",\"resource\":\"%s\",\"action\":\"%s\","
		"\"interval\":%u,\"rc\":%d,\"status\":%d,\"ms\":%u}",
	     node ? node : "", op->rsc, op->operation, op->interval_ms, op->rc, op->op_status,
	     op->exec_ms);
}

/* Recurring monitors in flight, one key per resource and interval (a resource may
 * have several, and the promoted role's differ from the unpromoted one's). */
static char *recurring_key(const char *rsc, uint32_t interval)
{
	return g_strdup_printf("%s\t%u", rsc, interval);
}

static bool recurring_runs(ha_core *c, const char *rsc, uint32_t interval)
{
	char *k = recurring_key(rsc, interval);
	bool r = g_hash_table_contains(c->recurring, k);
	g_free(k);
	return r;
}

/* That monitor (the run with this token) ended; a newer run of it stays. */
static void recurring_end(ha_core *c, const char *rsc, uint32_t interval, uint64_t token)
{
	char *k = recurring_key(rsc, interval);
	const uint64_t *t = g_hash_table_lookup(c->recurring, k);
	if (t && *t == token)
		g_hash_table_remove(c->recurring, k);
	g_free(k);
}

/* Every recurring monitor of rsc is cancelled. */
static void recurring_forget(ha_core *c, const char *rsc)
{
	size_t n = strlen(rsc);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, c->recurring);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (!strncmp(k, rsc, n) && ((const char *)k)[n] == '\t')
			g_hash_table_iter_remove(&it);
}

static void inflight_free(inflight *f)
{
	g_free(f->rsc);
	g_free(f->action);
	g_free(f->target);
	g_free(f);
}

void ha__core_send(ha_core *c, const ha_msg *m)
{
	if (!c->t || c->disconnected || c->left)
		return;
	GByteArray *b = ha__msg_encode(m);
	if (!b) {
		ha__core_log(c, LOG_ERR, "cannot encode a %s message: too large", ha__msg_type_name(m->type));
		return;
	}
	int rc = ha__transport_send(c->t, b->data, b->len);
	if (rc < 0)
		ha__core_log(c, LOG_ERR, "cannot send a %s message: %s", ha__msg_type_name(m->type), strerror(-rc));
	g_byte_array_unref(b);
}

/* ---- lifecycle ----------------------------------------------------------------------- */

int ha__core_new(const ha_core_env *env, ha_cib *initial, ha_core **ret)
{
	if (!env || !initial || !ret || !env->timer_add || !env->exec || !env->now)
		return -EINVAL;
	ha_core *c = g_new0(ha_core, 1);
	c->env = *env;
	ha_state_options so = {0};
	int rc = ha__state_new(&so, initial, &c->st);
	if (rc < 0) {
		g_free(c);
		return rc;
	}
	c->mine = ha__cib_new();
	c->ops = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)inflight_free);
	c->busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->recurring = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->last_rc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->claiming = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->restarting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->plain_stop = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c->defs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)rsc_def_free);
	c->orphan_told = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ha__notify_init(c);
	/* call ids must grow across restarts of the daemon: start from the clock */
	c->call_id = env->now(env->ud) * 1000;
	*ret = c;
	return 0;
}

void ha__core_free(ha_core *c)
{
	if (!c)
		return;
	if (c->reconcile_timer && c->env.timer_cancel)
		c->env.timer_cancel(c->env.ud, c->reconcile_timer);
	if (c->tick_timer && c->env.timer_cancel)
		c->env.timer_cancel(c->env.ud, c->tick_timer);
	if (c->heartbeat_timer && c->env.timer_cancel)
		c->env.timer_cancel(c->env.ud, c->heartbeat_timer);
	ha__state_free(c->st);
	ha_cib_free(c->mine);
	g_hash_table_destroy(c->ops);
	g_hash_table_destroy(c->busy);
	g_hash_table_destroy(c->recurring);
	g_hash_table_destroy(c->last_rc);
	g_hash_table_destroy(c->claiming);
	g_hash_table_destroy(c->restarting);
	g_hash_table_destroy(c->plain_stop);
	g_hash_table_destroy(c->defs);
	g_hash_table_destroy(c->orphan_told);
	ha__notify_free(c);
	g_free(c->local_name);
	g_free(c);
}

void ha__core_set_transport(ha_core *c, ha_transport *t)
{
	c->t = t;
}

int ha__core_join(ha_core *c, const char *group)
{
	return ha__transport_join(c->t, group ? group : "ha");
}

const ha_state *ha__core_state(const ha_core *c) { return c->st; }
const char *ha__core_local_name(const ha_core *c) { return c->local_name; }
unsigned ha__core_busy(const ha_core *c) { return g_hash_table_size(c->busy); }

/* ---- this node's own record ----------------------------------------------------------- */

static ha_node_state *my_state(ha_core *c)
{
	if (!c->local_name)
		return NULL;
	return ha__node_state_find(c->mine, c->local_name);
}

bool ha__core_mine_active(ha_core *c, const char *rsc, ha_role *role)
{
	const ha_node_state *ns = my_state(c);
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, rsc);
	if (!ns || !r) {
		/* not configured (anymore): look at the raw record */
		const ha_lrm_op *op = ha__lrm_last_op(ns, rsc, NULL);
		return op && strcmp(op->operation, "stop") != 0 && !(op->interval_ms == 0 && op->rc == 7);
	}
	ha_presence p;
	ha__sched_presence(c->mine, 0, r, ns, &p);
	if (role)
		*role = p.role;
	return p.role >= HA_ROLE_STARTED;
}

bool ha__core_runs(const ha_core *c, const char *rsc)
{
	return ha__core_mine_active((ha_core *)c, rsc, NULL);
}

static ha_msg_op *pending_mark(ha_core *c, const ha_rsc *r, const char *rsc, const char *action)
{
	ha_msg_op *m = g_new0(ha_msg_op, 1);
	m->rsc = g_strdup(rsc);
	m->cls = g_strdup(r ? r->cls : NULL);
	m->provider = g_strdup(r ? r->provider : NULL);
	m->type = g_strdup(r ? r->type : NULL);
	m->operation = g_strdup(action);
	m->op_status = HA_OPST_PENDING;
	m->call_id = -1;
	m->timestamp = c->env.now(c->env.ud);
	return m;
}

/* What this node reports about itself in a sync round: its own record (failures
 * first, so that the last operation stays the last), then a pending mark for every
 * start, stop, promote or demote it is doing or about to do — without them the new
 * membership would take the resource for idle here and someone else could start it. */
static GPtrArray *my_ops(ha_core *c)
{
	GPtrArray *out = ha__state_ops_of(my_state(c));
	const ha_config *cfg = &ha__state_cib(c->st)->cfg;
	GHashTableIter it;
	gpointer k, v;
	GHashTable *marked = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_iter_init(&it, c->busy);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *action = v;
		if (strcmp(action, "start") && strcmp(action, "stop") && strcmp(action, "promote") &&
		    strcmp(action, "demote"))
			continue;
		g_hash_table_add(marked, k);
		g_ptr_array_add(out, pending_mark(c, ha__rsc_find(cfg, k), k, action));
	}
	/* granted and waiting for its pre-notifications */
	g_hash_table_iter_init(&it, c->rounds);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *action = ha__notify_round_action(v);
		if (g_hash_table_contains(marked, k) || (strcmp(action, "start") && strcmp(action, "promote")))
			continue;
		g_ptr_array_add(out, pending_mark(c, ha__rsc_find(cfg, k), k, action));
	}
	g_hash_table_destroy(marked);
	return out;
}

/* ---- executing ------------------------------------------------------------------------ */

static const ha_op_def *op_def(const ha_rsc *r, const char *action, uint32_t interval)
{
	for (guint i = 0; r->ops && i < r->ops->len; i++) {
		const ha_op_def *d = g_ptr_array_index(r->ops, i);
		if (!strcmp(d->name, action) && d->interval_ms == interval)
			return d;
	}
	return NULL;
}

static void add_params(GArray *out, const GPtrArray *sets)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; sets && i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!g_hash_table_add(seen, (gpointer)p->name))
				continue;
			ha_core_param q = {p->name, p->value};
			g_array_append_val(out, q);
		}
	}
	g_hash_table_destroy(seen);
}

static int run_op(ha_core *c, const ha_rsc *r, const char *action, uint32_t interval,
		  const char *target)
{
	return ha__core_run_op(c, r, action, interval, target, NULL);
}

int ha__core_run_op(ha_core *c, const ha_rsc *r, const char *action, uint32_t interval,
		    const char *target, const GArray *extra_meta)
{
	char agent[512];
	if (r->provider)
		snprintf(agent, sizeof(agent), "%s:%s:%s", r->cls, r->provider, r->type);
	else
		snprintf(agent, sizeof(agent), "%s:%s", r->cls, r->type);
	const ha_op_def *d = op_def(r, !strcmp(action, "monitor") && interval == 0 ? "monitor" : action,
				    interval);
	if (!d && !strcmp(action, "monitor") && interval == 0) {
		/* probes take the timeout of the first monitor op */
		for (guint i = 0; r->ops && i < r->ops->len && !d; i++)
			if (!strcmp(((ha_op_def *)g_ptr_array_index(r->ops, i))->name, "monitor"))
				d = g_ptr_array_index(r->ops, i);
	}
	GArray *params = g_array_new(FALSE, FALSE, sizeof(ha_core_param));
	GArray *meta = g_array_new(FALSE, FALSE, sizeof(ha_core_param));
	add_params(params, r->params);
	const ha_config *cfg = &ha__state_cib(c->st)->cfg;
	char cmax[16], cnmax[16], pmax[16];
	for (const ha_rsc *p = r->parent; p; p = p->parent) {
		if (p->kind != HA_RSC_CLONE)
			continue;
		const char *v = ha__rsc_meta(cfg, p, "clone-max");
		snprintf(cmax, sizeof(cmax), "%s", v ? v : "");
		if (!v)
			snprintf(cmax, sizeof(cmax), "%u", cfg->nodes->len);
		v = ha__rsc_meta(cfg, p, "clone-node-max");
		snprintf(cnmax, sizeof(cnmax), "%s", v ? v : "1");
		v = ha__rsc_meta(cfg, p, "promoted-max");
		snprintf(pmax, sizeof(pmax), "%s", v ? v : "1");
		ha_core_param m1 = {"clone_max", cmax}, m2 = {"clone_node_max", cnmax},
			      m3 = {"promoted_max", pmax}, m4 = {"master_max", pmax};
		g_array_append_val(meta, m1);
		g_array_append_val(meta, m2);
		if (p->promotable) {
			g_array_append_val(meta, m3);
			g_array_append_val(meta, m4);
		}
	}
	if (extra_meta)
		g_array_append_vals(meta, extra_meta->data, extra_meta->len);
	unsigned depth = 0;
	if (d) {
		const char *lvl = ha__nvsets_get(d->attrs, "OCF_CHECK_LEVEL");
		if (lvl)
			depth = (unsigned)atoi(lvl);
	}
	ha_core_exec op = {
		.token = ++c->next_token,
		.rsc = r->id,
		.agent = agent,
		.action = action,
		.interval_ms = interval,
		.timeout_ms = d ? d->timeout_ms : 0,
		.depth = depth,
		.params = (ha_core_param *)params->data,
		.n_params = params->len,
		.meta = (ha_core_param *)meta->data,
		.n_meta = meta->len,
		.target = target,
	};
	inflight *f = g_new0(inflight, 1);
	f->rsc = g_strdup(r->id);
	f->action = g_strdup(action);
	f->interval_ms = interval;
	f->target = g_strdup(target);
	f->probe = !strcmp(action, "monitor") && interval == 0;
	g_hash_table_insert(c->ops, g_memdup2(&op.token, sizeof(op.token)), f);
	if (!interval)
		g_hash_table_replace(c->busy, g_strdup(r->id), g_strdup(action));
	else
		g_hash_table_replace(c->recurring, recurring_key(r->id, interval),
				     g_memdup2(&op.token, sizeof(op.token)));
	ha__core_log(c, LOG_INFO, "%s %s%s%s (interval %u ms)", action, r->id, target ? " on " : "",
	      target ? target : "", interval);
	rsc_def *def = g_new0(rsc_def, 1);
	def->agent = g_strdup(agent);
	def->params = g_array_new(FALSE, FALSE, sizeof(ha_core_param));
	for (guint i = 0; i < params->len; i++) {
		const ha_core_param *p = &g_array_index(params, ha_core_param, i);
		ha_core_param q = {g_strdup(p->name), g_strdup(p->value)};
		g_array_append_val(def->params, q);
	}
	g_hash_table_replace(c->defs, g_strdup(r->id), def);
	int rc = c->env.exec(c->env.ud, &op);
	g_array_free(params, TRUE);
	g_array_free(meta, TRUE);
	if (rc < 0) {
		ha__core_log(c, LOG_ERR, "cannot run %s of %s: %s", action, r->id, ha_strerror(rc));
		uint64_t tok = op.token;
		g_hash_table_remove(c->ops, &tok);
		g_hash_table_remove(c->busy, r->id);
		if (interval)
			recurring_end(c, r->id, interval, tok);
		/* report it as an error so the cluster sees and handles it */
		ha__core_exec_done(c, 0, 1, HA_OPST_ERROR, ha_strerror(rc), 0);
	}
	return rc;
}

/* The stop of a restart in place ended: start at once under the same claim (marked
 * pending for everyone first), or give the claim back. */
static void restart_continue(ha_core *c, const char *rsc, bool stopped)
{
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, rsc);
	if (stopped && r && !c->shutting_down && !c->disconnected) {
		ha_msg m = {.type = HA_MSG_OP};
		m.u.op = (ha_msg_op){.rsc = (char *)rsc, .cls = (char *)r->cls,
				     .provider = (char *)r->provider, .type = (char *)r->type,
				     .operation = "start", .op_status = HA_OPST_PENDING,
				     .call_id = -1, .timestamp = c->env.now(c->env.ud)};
		ha__core_send(c, &m);
		if (!ha__notify_begin(c, r, "start"))
			ha__core_act(c, r->id, "start");
		return;
	}
	ha_msg m = {.type = HA_MSG_RELEASE};
	m.u.release.rsc = (char *)rsc;
	ha__core_send(c, &m);
}

void ha__core_exec_done(ha_core *c, uint64_t token, int rc, int op_status, const char *exit_reason,
			uint32_t exec_ms)
{
	inflight *f = token ? g_hash_table_lookup(c->ops, &token) : NULL;
	if (!f)
		return;
	if (op_status == HA_OPST_CANCELLED) {
		if (f->interval_ms) {
			recurring_end(c, f->rsc, f->interval_ms, token);
			g_hash_table_remove(c->ops, &token);
		}
		return;
	}
	if (rc == 190)
		rc = 0; /* degraded: success with a warning */
	if (rc == 191)
		rc = 8;
	if (f->target) {
		/* a fencing action */
		ha_msg m = {.type = HA_MSG_FENCED};
		m.u.fenced.target = f->target;
		m.u.fenced.ok = rc == 0 && op_status == HA_OPST_DONE;
		m.u.fenced.by = c->local_name;
		ha__core_log(c, m.u.fenced.ok ? LOG_NOTICE : LOG_ERR, "fencing %s %s", f->target,
		      m.u.fenced.ok ? "succeeded" : "FAILED");
		ha__core_send(c, &m);
		g_hash_table_remove(c->busy, f->rsc);
		g_hash_table_remove(c->ops, &token);
		ha__core_reconcile_soon(c);
		return;
	}
	if (!strcmp(f->action, "notify")) {
		/* Notifications are not part of the resource's history (as in Pacemaker). */
		char *rsc = g_strdup(f->rsc);
		ha__core_log(c, rc ? LOG_WARNING : LOG_INFO, "%s notify: rc=%d%s%s", f->rsc, rc,
		      exit_reason ? ": " : "", exit_reason ? exit_reason : "");
		g_hash_table_remove(c->busy, f->rsc);
		g_hash_table_remove(c->ops, &token);
		ha__notify_exec_done(c, token, rsc);
		g_free(rsc);
		ha__core_reconcile_soon(c);
		return;
	}
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, f->rsc);
	char digest[HA_DIGEST_LEN];
	ha_msg_op op = {
		.rsc = f->rsc,
		.cls = r ? (char *)r->cls : NULL,
		.provider = r ? (char *)r->provider : NULL,
		.type = r ? (char *)r->type : NULL,
		.operation = f->action,
		.interval_ms = f->interval_ms,
		.rc = rc,
		.op_status = op_status,
		.call_id = ++c->call_id,
		.timestamp = c->env.now(c->env.ud),
		.exec_ms = exec_ms,
		.digest = r ? (char *)ha__rsc_digest(r, digest) : NULL,
		.exit_reason = (char *)exit_reason,
	};
	bool report = true;
	if (f->interval_ms) {
		/* recurring monitors: report the first result and every change */
		char key[512];
		snprintf(key, sizeof(key), "%s_monitor_%u", f->rsc, f->interval_ms);
		int prev = GPOINTER_TO_INT(g_hash_table_lookup(c->last_rc, key));
		int now = (op_status == HA_OPST_DONE ? rc : 1000 + op_status) + 1;
		report = prev != now;
		g_hash_table_replace(c->last_rc, g_strdup(key), GINT_TO_POINTER(now));
		if (report && now != 1 && now != 9) /* failed: the monitor stops here */
			recurring_end(c, f->rsc, f->interval_ms, token);
	} else {
		/* Busy until our own report comes back through the ordered stream: until
		 * then the replicated state does not know, and the plan would repeat it. */
		if (c->disconnected || !c->t)
			g_hash_table_remove(c->busy, f->rsc);
		else
			g_hash_table_replace(c->busy, g_strdup(f->rsc), g_strdup("reported"));
		g_hash_table_remove(c->claiming, f->rsc);
		if (!strcmp(f->action, "stop") || !strcmp(f->action, "demote") ||
		    !strcmp(f->action, "promote")) {
			/* the monitors of the old role are gone (ha__core_act cancelled them) */
			char prefix[512];
			snprintf(prefix, sizeof(prefix), "%s_monitor_", f->rsc);
			GHashTableIter it;
			gpointer k, v;
			g_hash_table_iter_init(&it, c->last_rc);
			while (g_hash_table_iter_next(&it, &k, &v))
				if (!strncmp(k, prefix, strlen(prefix)))
					g_hash_table_iter_remove(&it);
			recurring_forget(c, f->rsc);
		}
	}
	if (report) {
		if (c->local_name)
			ha__state_record_op(c->mine, c->local_name, &op);
		ha_msg m = {.type = HA_MSG_OP};
		m.u.op = op;
		ha__core_send(c, &m);
		ha__core_log(c, rc == 0 || (f->probe && rc == 7) ? LOG_INFO : LOG_WARNING,
		      "%s %s%s: rc=%d status=%d%s%s (%u ms)", f->rsc, f->action,
		      f->interval_ms ? " (recurring)" : "", rc, op_status, exit_reason ? ": " : "",
		      exit_reason ? exit_reason : "", exec_ms);
		/* The history event comes with the delivery (on_deliver), as on every other
		 * member; a result that cannot be sent (no cluster) is recorded here. */
		if (!c->t || c->disconnected || c->left)
			emit_action(c, c->local_name, &op);
	}
	if (!f->interval_ms && !strcmp(f->action, "stop") && g_hash_table_remove(c->restarting, f->rsc))
		restart_continue(c, f->rsc, rc == 0 && op_status == HA_OPST_DONE);
	if (!f->interval_ms)
		g_hash_table_remove(c->ops, &token);
	ha__core_reconcile_soon(c);
}

/* ---- the loop ------------------------------------------------------------------------- */

/* Is the local copy of a removed resource promoted (its last operation a promote, or
 * a monitor that said "running promoted")? */
static bool orphan_promoted(ha_core *c, const char *rsc)
{
	const ha_node_state *ns = my_state(c);
	for (guint i = 0; ns && i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (strcmp(lr->id, rsc))
			continue;
		const ha_lrm_op *last = NULL;
		for (guint j = 0; j < lr->ops->len; j++) {
			const ha_lrm_op *op = &g_array_index(lr->ops, ha_lrm_op, j);
			if (op->op_status == HA_OPST_DONE && (!last || op->call_id > last->call_id))
				last = op;
		}
		return last && ((!strcmp(last->operation, "promote") && last->rc == 0) || last->rc == 8);
	}
	return false;
}

/* Stop a resource that runs here but is no longer configured, with the agent and
 * parameters it was last run with (or, after a daemon restart, its agent alone). */
static void stop_orphan(ha_core *c, const char *rsc)
{
	const rsc_def *d = g_hash_table_lookup(c->defs, rsc);
	char agent[512] = "";
	if (d) {
		snprintf(agent, sizeof(agent), "%s", d->agent);
	} else {
		const ha_node_state *ns = my_state(c);
		for (guint i = 0; ns && i < ns->lrm->len; i++) {
			const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
			if (strcmp(lr->id, rsc) || !lr->cls || !lr->type)
				continue;
			if (lr->provider)
				snprintf(agent, sizeof(agent), "%s:%s:%s", lr->cls, lr->provider, lr->type);
			else
				snprintf(agent, sizeof(agent), "%s:%s", lr->cls, lr->type);
		}
	}
	if (!*agent) {
		if (g_hash_table_add(c->orphan_told, g_strdup(rsc)))
			ha__core_log(c, LOG_ERR, "%s runs here but is no longer configured and its agent is "
					  "unknown: stop it by hand", rsc);
		return;
	}
	/* A promoted instance is demoted first (a promotable agent refuses to stop a
	 * primary); the next pass stops it. */
	const char *action = orphan_promoted(c, rsc) ? "demote" : "stop";
	ha_core_exec op = {
		.token = ++c->next_token,
		.rsc = rsc,
		.agent = agent,
		.action = action,
		.params = d ? (const ha_core_param *)d->params->data : NULL,
		.n_params = d ? d->params->len : 0,
	};
	inflight *f = g_new0(inflight, 1);
	f->rsc = g_strdup(rsc);
	f->action = g_strdup(action);
	g_hash_table_insert(c->ops, g_memdup2(&op.token, sizeof(op.token)), f);
	g_hash_table_replace(c->busy, g_strdup(rsc), g_strdup(action));
	ha__core_log(c, LOG_NOTICE, "%s %s: no longer configured", action, rsc);
	if (c->env.cancel)
		c->env.cancel(c->env.ud, rsc);
	if (c->env.exec(c->env.ud, &op) < 0) {
		uint64_t tok = op.token;
		g_hash_table_remove(c->ops, &tok);
		g_hash_table_remove(c->busy, rsc);
	}
}

static bool can_reload(ha_core *c, const ha_rsc *r)
{
	if (!c->env.can_reload || !r->cls)
		return false;
	char agent[512];
	if (r->provider)
		snprintf(agent, sizeof(agent), "%s:%s:%s", r->cls, r->provider, r->type);
	else
		snprintf(agent, sizeof(agent), "%s:%s", r->cls, r->type);
	return c->env.can_reload(c->env.ud, agent);
}

static bool is_lowest_member(ha_core *c)
{
	const GArray *m = ha__state_members(c->st);
	return m->len && g_array_index(m, uint32_t, 0) == c->local;
}

static void tick_fire(void *arg)
{
	ha_core *c = arg;
	c->tick_timer = 0;
	c->tick_due = 0;
	if (!is_lowest_member(c))
		return;
	ha_msg m = {.type = HA_MSG_TICK};
	m.u.tick.now = c->env.now(c->env.ud);
	ha__core_send(c, &m);
}

/* Every member sends a TICK (its own clock) every few seconds: while a sync round is
 * incomplete every member's clock measures the sync timeout, so a stuck member (or a
 * stuck lowest member) cannot pause scheduling forever; at all times the TICKs say
 * "alive", and a member silent past the timeout is excluded and fenced (lib/state). */
#define HEARTBEAT_MS 5000

static void heartbeat(void *arg)
{
	ha_core *c = arg;
	c->heartbeat_timer = 0;
	if (c->left || c->disconnected)
		return;
	ha_msg m = {.type = HA_MSG_TICK};
	m.u.tick.now = c->env.now(c->env.ud);
	ha__core_send(c, &m);
	c->heartbeat_timer = c->env.timer_add(c->env.ud, HEARTBEAT_MS, heartbeat, c);
}

static void start_sync_watch(ha_core *c)
{
	if (c->heartbeat_timer && c->env.timer_cancel)
		c->env.timer_cancel(c->env.ud, c->heartbeat_timer);
	c->heartbeat_timer = 0;
	heartbeat(c);
}

static void plan_tick(ha_core *c)
{
	if (!is_lowest_member(c) || !ha__state_synced(c->st))
		return;
	int64_t due = ha__state_next_due(c->st);
	int64_t now = c->env.now(c->env.ud);
	if (!ha__state_now(c->st))
		due = now; /* establish the replicated time */
	if (!due || (c->tick_timer && c->tick_due == due))
		return;
	if (c->tick_timer && c->env.timer_cancel)
		c->env.timer_cancel(c->env.ud, c->tick_timer);
	int64_t delay = due > now ? (due - now) * 1000 : 0;
	c->tick_due = due;
	c->tick_timer = c->env.timer_add(c->env.ud, (uint32_t)delay, tick_fire, c);
}

/* Connection lost or shutting down without a cluster: stop whatever runs here. */
static void stop_everything(ha_core *c)
{
	const ha_node_state *ns = my_state(c);
	for (guint i = 0; ns && i < ns->lrm->len; i++) {
		const ha_lrm_rsc *lr = g_ptr_array_index(ns->lrm, i);
		if (!ha__core_mine_active(c, lr->id, NULL) || g_hash_table_contains(c->busy, lr->id))
			continue;
		const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, lr->id);
		if (!r) {
			ha__core_log(c, LOG_ERR, "%s is active here but no longer configured: cannot stop it", lr->id);
			continue;
		}
		if (c->env.cancel)
			c->env.cancel(c->env.ud, lr->id);
		run_op(c, r, "stop", 0, NULL);
	}
}

static bool anything_active(ha_core *c)
{
	const ha_node_state *ns = my_state(c);
	for (guint i = 0; ns && i < ns->lrm->len; i++)
		if (ha__core_mine_active(c, ((ha_lrm_rsc *)g_ptr_array_index(ns->lrm, i))->id, NULL))
			return true;
	return g_hash_table_size(c->busy) > 0;
}

/* Does a start of r have to wait for something it is ordered after that is still in
 * flight? The scheduler counts a pending start as started, so an earlier group member
 * or a mandatory order's first resource that is still starting would otherwise let r
 * start at once (a database before its file system is mounted). */
static bool first_in_flight(const ha_cib *cib, int64_t now, const ha_rsc *r)
{
	GPtrArray *firsts = g_ptr_array_new();
	for (const ha_rsc *x = r; x; x = x->parent) {
		if (x->parent && x->parent->kind == HA_RSC_GROUP) {
			for (guint i = 0; i < x->parent->children->len; i++) {
				const ha_rsc *sib = g_ptr_array_index(x->parent->children, i);
				if (sib == x)
					break;
				g_ptr_array_add(firsts, (gpointer)sib);
			}
		}
		for (guint i = 0; i < cib->cfg.orders->len; i++) {
			const ha_order *o = g_ptr_array_index(cib->cfg.orders, i);
			if (o->kind == HA_ORDER_MANDATORY && o->r_then == x && o->r_first &&
			    (!o->first_action || !strcmp(o->first_action, "start")))
				g_ptr_array_add(firsts, (gpointer)o->r_first);
		}
	}
	bool waiting = false;
	GPtrArray *prims = g_ptr_array_new();
	for (guint i = 0; i < firsts->len && !waiting; i++) {
		g_ptr_array_set_size(prims, 0);
		ha__rsc_primitives(g_ptr_array_index(firsts, i), prims);
		for (guint j = 0; j < prims->len && !waiting; j++) {
			for (guint k = 0; k < cib->status->len && !waiting; k++) {
				ha_presence pr;
				ha__sched_presence(cib, now, g_ptr_array_index(prims, j),
						   g_ptr_array_index(cib->status, k), &pr);
				waiting = pr.pending;
			}
		}
	}
	g_ptr_array_free(prims, TRUE);
	g_ptr_array_free(firsts, TRUE);
	return waiting;
}

void ha__core_act(ha_core *c, const char *rsc, const char *action)
{
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, rsc);
	bool up = !strcmp(action, "start") || !strcmp(action, "promote");
	if (!r || (up && (c->shutting_down || c->disconnected))) {
		/* gone from the configuration, or no time to start anything: give the
		 * claim back (a restart's stop has already been reported) */
		g_hash_table_remove(c->restarting, rsc);
		if (up) {
			ha_msg m = {.type = HA_MSG_RELEASE};
			m.u.release.rsc = (char *)rsc;
			ha__core_send(c, &m);
		}
		ha__core_reconcile_soon(c);
		return;
	}
	if (!up || !strcmp(action, "promote")) {
		/* the monitors of the current role end here (the new role has its own) */
		if (c->env.cancel)
			c->env.cancel(c->env.ud, r->id);
		recurring_forget(c, r->id);
	}
	run_op(c, r, action, 0, NULL);
}

static void reconcile(void *arg)
{
	ha_core *c = arg;
	c->reconcile_timer = 0;
	if (c->left)
		return;
	if (c->disconnected) {
		stop_everything(c);
		return;
	}
	if (c->shutting_down && !anything_active(c) && ha__state_synced(c->st)) {
		ha__core_log(c, LOG_NOTICE, "all local resources stopped: leaving the cluster");
		c->left = true;
		if (c->env.shutdown_done)
			c->env.shutdown_done(c->env.ud);
		return;
	}
	if (!ha__state_synced(c->st) || !c->local_name)
		return;
	const ha_cib *cib = ha__state_cib(c->st);
	ha_plan *plan = NULL;
	if (ha_plan_compute(cib, ha__state_now(c->st), &plan, NULL) < 0)
		return;
	size_t n = ha__plan_n_actions(plan);
	bool *restart = g_new(bool, n ? n : 1);
	ha__plan_restarts_in_place(plan, restart);
	for (size_t i = 0; i < n; i++) {
		ha_plan_action a;
		ha__plan_get_action(plan, i, &a);
		if (!a.rsc || strcmp(a.node, c->local_name) || !a.runnable || a.pseudo || a.n_before)
			continue;
		if (!strcmp(a.action, "fence"))
			continue;
		if (g_hash_table_contains(c->busy, a.rsc) || g_hash_table_contains(c->claiming, a.rsc) ||
		    ha__notify_in_round(c, a.rsc))
			continue;
		const ha_rsc *r = ha__rsc_find(&cib->cfg, a.rsc);
		if (!r) {
			if (a.orphan && !strcmp(a.action, "stop"))
				stop_orphan(c, a.rsc);
			continue;
		}
		if (!strcmp(a.action, "monitor")) {
			if (a.interval_ms == 0)
				run_op(c, r, "monitor", 0, NULL);
			else if (!recurring_runs(c, a.rsc, a.interval_ms))
				run_op(c, r, "monitor", a.interval_ms, NULL);
			continue;
		}
		if (!strcmp(a.action, "stop") && a.param_restart && can_reload(c, r)) {
			/* new parameters, and the agent can take them without a restart */
			run_op(c, r, "reload", 0, NULL);
			continue;
		}
		if (!strcmp(a.action, "stop") && !c->shutting_down &&
		    !g_hash_table_remove(c->plain_stop, a.rsc) && restart[i]) {
			/* Recovery in place: stop and start here under one claim, so that no
			 * other node takes the resource while it is briefly stopped. */
			ha_msg m = {.type = HA_MSG_CLAIM};
			m.u.claim.rsc = (char *)a.rsc;
			m.u.claim.action = "restart";
			m.u.claim.epoch = cib->epoch;
			g_hash_table_replace(c->claiming, g_strdup(a.rsc), g_strdup("restart"));
			ha__core_send(c, &m);
			continue;
		}
		if (!strcmp(a.action, "stop") || !strcmp(a.action, "demote")) {
			if (!ha__notify_begin(c, r, a.action))
				ha__core_act(c, r->id, a.action);
			continue;
		}
		if (!strcmp(a.action, "start") || !strcmp(a.action, "promote")) {
			if (!strcmp(a.action, "start") &&
			    first_in_flight(cib, ha__state_now(c->st), r))
				continue; /* reconciled again when that operation ends */
			/* Only after our claim comes back valid through the ordered stream. */
			ha_msg m = {.type = HA_MSG_CLAIM};
			m.u.claim.rsc = (char *)a.rsc;
			m.u.claim.action = (char *)a.action;
			m.u.claim.epoch = cib->epoch;
			g_hash_table_replace(c->claiming, g_strdup(a.rsc), g_strdup(a.action));
			ha__core_send(c, &m);
		}
	}
	g_free(restart);
	ha_plan_free(plan);
	plan_tick(c);
}

void ha__core_reconcile_soon(ha_core *c)
{
	if (!c->reconcile_timer)
		c->reconcile_timer = c->env.timer_add(c->env.ud, 0, reconcile, c);
}

/* ---- state events ----------------------------------------------------------------------- */

static void send_sync(ha_core *c)
{
	uint64_t ring = ha__state_ring(c->st);
	if (c->sync_sent == ring + 1 || c->quorum_ring != ring || !c->local_name)
		return;
	ha_msg m;
	GPtrArray *attrs = g_ptr_array_new_with_free_func((GDestroyNotify)ha__msg_attr_free);
	const ha_node_state *rs = ha__node_state_find(ha__state_cib(c->st), c->local_name);
	for (guint i = 0; rs && i < rs->attrs->len; i++) {
		const ha_nvset *set = g_ptr_array_index(rs->attrs, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!strcmp(p->name, "shutdown"))
				continue;
			ha_msg_attr *a = g_new0(ha_msg_attr, 1);
			a->node = g_strdup(c->local_name);
			a->name = g_strdup(p->name);
			a->value = g_strdup(p->value);
			g_ptr_array_add(attrs, a);
		}
	}
	ha__state_sync_msg(c->st, c->quorate_seen, my_ops(c), attrs, &m);
	ha__core_send(c, &m);
	ha__msg_clear(&m);
	c->sync_sent = ring + 1;
}

static const ha_rsc *fence_device_for(ha_core *c, const char *target)
{
	const ha_cib *cib = ha__state_cib(c->st);
	for (guint i = 0; i < cib->cfg.rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(cib->cfg.rsc_all, i);
		if (r->kind != HA_RSC_PRIMITIVE || !r->cls || strcmp(r->cls, "stonith"))
			continue;
		if (!ha__core_mine_active(c, r->id, NULL))
			continue;
		const char *list = ha__nvsets_get(r->params, "pcmk_host_list");
		const char *map = ha__nvsets_get(r->params, "pcmk_host_map");
		if ((!list && !map) || (list && strstr(list, target)) || (map && strstr(map, target)))
			return r;
	}
	return NULL;
}

static void drain_events(ha_core *c)
{
	ha_state_event *e;
	while ((e = ha__state_next_event(c->st))) {
		switch (e->kind) {
		case HA_SEV_SYNC_COMPLETE:
			ha__core_log(c, LOG_INFO, "sync complete (ring %llu, %s)",
			      (unsigned long long)ha__state_ring(c->st),
			      ha__state_quorate(c->st) ? "quorate" : "NOT quorate");
			ha__core_emit(c, "{\"event\":\"sync\",\"ring\":%llu,\"quorate\":%s}",
			     (unsigned long long)ha__state_ring(c->st),
			     ha__state_quorate(c->st) ? "true" : "false");
			break;
		case HA_SEV_CONFIG_SOURCE: {
			char *xml = NULL;
			const ha_cib *cib = ha__state_cib(c->st);
			ha_cib *copy = (ha_cib *)cib;
			GPtrArray *status = copy->status;
			copy->status = g_ptr_array_new();
			ha_cib_to_string(copy, &xml);
			g_ptr_array_free(copy->status, TRUE);
			copy->status = status;
			ha_msg m = {.type = HA_MSG_CONFIG};
			m.u.config.expect_epoch = -1;
			m.u.config.xml = xml;
			ha__core_send(c, &m);
			free(xml);
			break;
		}
		case HA_SEV_CONFIG_APPLIED: {
			int result = e->result;
			if (result == 0 && c->env.persist) {
				char *xml = NULL;
				ha_cib *copy = (ha_cib *)ha__state_cib(c->st);
				GPtrArray *status = copy->status;
				copy->status = g_ptr_array_new();
				ha_cib_to_string(copy, &xml);
				g_ptr_array_free(copy->status, TRUE);
				copy->status = status;
				int rc = xml ? c->env.persist(c->env.ud, xml) : -ENOMEM;
				free(xml);
				if (rc < 0) {
					ha__core_log(c, LOG_CRIT, "cannot persist configuration %lld: %s",
					      (long long)e->epoch, strerror(-rc));
					result = rc;
				}
			}
			if (e->request) {
				ha_msg m = {.type = HA_MSG_CONFIG_ACK};
				m.u.config_ack.request = e->request;
				m.u.config_ack.epoch = e->epoch;
				m.u.config_ack.result = result;
				ha__core_send(c, &m);
			}
			ha__core_emit(c, "{\"event\":\"config\",\"epoch\":%lld,\"result\":%d}", (long long)e->epoch, e->result);
			break;
		}
		case HA_SEV_CONFIG_DONE:
			if (e->node == c->local && c->env.config_done)
				c->env.config_done(c->env.ud, e->request, e->result);
			break;
		case HA_SEV_CLAIM_GRANTED: {
			g_hash_table_remove(c->claiming, e->rsc);
			const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, e->rsc);
			if (r && !c->shutting_down && !strcmp(e->action, "restart")) {
				g_hash_table_add(c->restarting, g_strdup(r->id));
				if (!ha__notify_begin(c, r, "stop"))
					ha__core_act(c, r->id, "stop");
			} else if (r && !c->shutting_down) {
				if (!ha__notify_begin(c, r, e->action))
					ha__core_act(c, r->id, e->action);
			}
			else if (r) {
				ha_msg m = {.type = HA_MSG_RELEASE};
				m.u.release.rsc = e->rsc;
				ha__core_send(c, &m);
			}
			break;
		}
		case HA_SEV_CLAIM_REJECTED:
			ha__core_log(c, LOG_INFO, "claim to %s %s not valid: %s", e->action, e->rsc, e->reason);
			g_hash_table_remove(c->claiming, e->rsc);
			if (!strcmp(e->action, "restart")) {
				/* Stop it anyway (a failed resource must not stay as it is); the
				 * start is claimed on its own afterwards. */
				g_hash_table_add(c->plain_stop, g_strdup(e->rsc));
				ha__core_reconcile_soon(c);
			}
			break;
		case HA_SEV_FENCE: {
			const ha_rsc *dev = fence_device_for(c, e->target);
			if (!dev) {
				ha__core_log(c, LOG_ERR, "must fence %s but runs no device for it", e->target);
				break;
			}
			ha__core_log(c, LOG_WARNING, "fencing %s (%s) with %s", e->target, e->reason, dev->id);
			ha__core_emit(c, "{\"event\":\"fencing\",\"target\":\"%s\",\"by\":\"%s\"}", e->target, c->local_name);
			run_op(c, dev, "reboot", 0, e->target);
			break;
		}
		case HA_SEV_FENCED:
			ha__core_log(c, !strcmp(e->action, "ok") ? LOG_NOTICE : LOG_ERR, "%s was %s by %s",
			      e->target, !strcmp(e->action, "ok") ? "fenced" : "NOT fenced", e->reason);
			ha__core_emit(c, "{\"event\":\"fenced\",\"target\":\"%s\",\"ok\":%s,\"by\":\"%s\"}", e->target,
			     !strcmp(e->action, "ok") ? "true" : "false", e->reason);
			break;
		case HA_SEV_DIVERGED:
			ha__core_log(c, LOG_ERR, "configuration diverged: %s", e->reason);
			break;
		case HA_SEV_NODE_LOST:
			ha__core_log(c, LOG_WARNING, "node %s lost: %s", e->target, e->reason);
			ha__core_emit(c, "{\"event\":\"node-lost\",\"node\":\"%s\"}", e->target);
			break;
		case HA_SEV_EXPIRED:
			ha__core_log(c, LOG_NOTICE, "constraint %s expired (configuration epoch %lld)", e->target,
			      (long long)e->epoch);
			ha__core_emit(c, "{\"event\":\"expired\",\"constraint\":\"%s\",\"epoch\":%lld}",
			     e->target, (long long)e->epoch);
			break;
		}
		ha__state_event_free(e);
	}
	ha__core_reconcile_soon(c);
}

/* ---- transport callbacks ------------------------------------------------------------------ */

static void on_deliver(void *ud, uint32_t from, const void *msg, size_t len)
{
	ha_core *c = ud;
	ha_msg m;
	int rc = ha__msg_decode(msg, len, &m);
	if (rc < 0) {
		ha__core_log(c, LOG_WARNING, "dropped a malformed message from node %u (%zu bytes): %s", from,
		      len, strerror(-rc));
		return;
	}
	ha__state_deliver(c->st, from, &m);
	if (m.type == HA_MSG_OP && m.u.op.op_status != HA_OPST_PENDING)
		emit_action(c, ha__state_node_name(c->st, from), &m.u.op);
	if (m.type == HA_MSG_TICK) {
		const GArray *mem = ha__state_members(c->st);
		if (mem->len && g_array_index(mem, uint32_t, 0) == from) {
			c->clock_tick = m.u.tick.now;
			c->clock_local = c->env.now(c->env.ud);
			c->clock_known = true;
		}
	}
	if (m.type == HA_MSG_OP)
		ha__notify_post(c, from, &m.u.op);
	if (m.type == HA_MSG_NOTIFY)
		ha__notify_deliver(c, from, &m);
	if (m.type == HA_MSG_CLEANUP && c->local_name &&
	    (!m.u.cleanup.node || !strcmp(m.u.cleanup.node, c->local_name))) {
		/* This node forgets its own record too (it is the authority in the next
		 * sync) and probes again; its recurring monitor restarts after the probe. */
		ha__cib_forget(c->mine, m.u.cleanup.rsc, NULL);
		if (c->env.cancel)
			c->env.cancel(c->env.ud, m.u.cleanup.rsc);
		recurring_forget(c, m.u.cleanup.rsc);
		char prefix[512];
		snprintf(prefix, sizeof(prefix), "%s_monitor_", m.u.cleanup.rsc);
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, c->last_rc);
		while (g_hash_table_iter_next(&it, &k, NULL))
			if (!strncmp(k, prefix, strlen(prefix)))
				g_hash_table_iter_remove(&it);
	}
	if (from == c->local && m.type == HA_MSG_OP && m.u.op.op_status != HA_OPST_PENDING &&
	    !m.u.op.interval_ms) {
		const char *b = g_hash_table_lookup(c->busy, m.u.op.rsc);
		if (b && !strcmp(b, "reported"))
			g_hash_table_remove(c->busy, m.u.op.rsc);
	}
	ha__msg_clear(&m);
	drain_events(c);
}

static void learn_names(ha_core *c, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ha__state_node_name(c->st, ids[i]))
			continue;
		const char *name = ha__transport_node_name(c->t, ids[i]);
		char buf[16];
		if (!name) {
			snprintf(buf, sizeof(buf), "node%u", ids[i]);
			name = buf;
		}
		ha__state_set_node_name(c->st, ids[i], name);
	}
}

static void on_membership(void *ud, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *joined, size_t n_joined, const uint32_t *left,
			  const ha_leave_reason *why, size_t n_left)
{
	ha_core *c = ud;
	(void)joined;
	(void)n_joined;
	if (!c->local) {
		c->local = ha__transport_local_id(c->t);
		ha__state_set_local(c->st, c->local);
		learn_names(c, &c->local, 1);
		c->local_name = g_strdup(ha__state_node_name(c->st, c->local));
	}
	learn_names(c, members, n);
	learn_names(c, left, n_left);
	ha_left_reason *reasons = g_new0(ha_left_reason, n_left ? n_left : 1);
	for (size_t i = 0; i < n_left; i++)
		reasons[i] = why[i] == HA_LEAVE_CLEAN      ? HA_LEFT_CLEAN
			     : why[i] == HA_LEAVE_PROCDOWN ? HA_LEFT_PROCDOWN
							   : HA_LEFT_NODEDOWN;
	ha__state_membership(c->st, ring, members, n, left, reasons, n_left);
	g_free(reasons);
	ha__notify_membership(c, members, n);
	ha__core_log(c, LOG_NOTICE, "membership: ring %llu, %zu members, %zu left",
	      (unsigned long long)ring, n, n_left);
	GString *j = g_string_new("{\"event\":\"membership\",\"members\":[");
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(j, "%s\"%s\"", i ? "," : "", ha__state_node_name(c->st, members[i]));
	g_string_append_printf(j, "],\"ring\":%llu}", (unsigned long long)ring);
	ha__core_emit(c, "%s", j->str);
	g_string_free(j, TRUE);
	/* Every membership change starts a sync round, also one that keeps the ring (a
	 * daemon leaving or joining while corosync stays). */
	c->sync_sent = 0;
	send_sync(c);
	start_sync_watch(c);
	drain_events(c);
}

static void on_quorum(void *ud, bool quorate, uint64_t ring, const uint32_t *members, size_t n)
{
	ha_core *c = ud;
	(void)members;
	(void)n;
	c->quorate_seen = quorate;
	c->quorum_ring = ring;
	ha__core_log(c, LOG_NOTICE, "quorum: %s (ring %llu)", quorate ? "quorate" : "NOT quorate",
	      (unsigned long long)ring);
	ha__core_emit(c, "{\"event\":\"quorum\",\"quorate\":%s,\"ring\":%llu}", quorate ? "true" : "false",
	     (unsigned long long)ring);
	/* A quorum notification is trusted only for the ring it names. */
	if (ring == ha__state_ring(c->st))
		send_sync(c);
}

static void on_connection(void *ud, int err)
{
	ha_core *c = ud;
	if (err < 0) {
		ha__core_log(c, LOG_CRIT, "lost the connection to corosync (%s): stopping every local "
				   "resource now", strerror(-err));
		c->disconnected = true;
		c->sync_sent = 0;
		ha__notify_drop_all(c);
		ha__core_reconcile_soon(c);
		return;
	}
	ha__core_log(c, LOG_NOTICE, "connection to corosync is back");
	c->disconnected = false;
	/* Our replica is stale: start over from the configuration. */
	ha_cib *cfg = NULL;
	char *xml = NULL;
	ha_cib *cur = (ha_cib *)ha__state_cib(c->st);
	GPtrArray *status = cur->status;
	cur->status = g_ptr_array_new();
	ha_cib_to_string(cur, &xml);
	g_ptr_array_free(cur->status, TRUE);
	cur->status = status;
	if (xml && ha_cib_load_memory(xml, strlen(xml), "configuration", 0, &cfg, NULL) == 0) {
		ha_state *st = NULL;
		ha_state_options so = {.local = c->local};
		if (ha__state_new(&so, cfg, &st) == 0) {
			ha__state_free(c->st);
			c->st = st;
		} else {
			ha_cib_free(cfg);
		}
	}
	free(xml);
}

static void on_log(void *ud, int level, const char *msg)
{
	ha__core_log(ud, level, "transport: %s", msg);
}

static const ha_transport_events events = {
	.deliver = on_deliver,
	.membership = on_membership,
	.quorum = on_quorum,
	.connection = on_connection,
	.log = on_log,
};

const ha_transport_events *ha__core_transport_events(void)
{
	return &events;
}

/* ---- requests -------------------------------------------------------------------------- */

int64_t ha__core_now(const ha_core *c)
{
	int64_t st_now = ha__state_now(c->st);
	if (!c->clock_known)
		return st_now ? st_now : c->env.now(c->env.ud);
	int64_t est = c->clock_tick + (c->env.now(c->env.ud) - c->clock_local);
	/* The replicated clock never goes back (a former lowest member's clock may be
	 * ahead): a lifetime then lasts longer, never shorter. */
	return est > st_now ? est : st_now;
}

int ha__core_set_config(ha_core *c, const char *xml, int64_t expect_epoch, uint64_t *request)
{
	if (!xml)
		return -EINVAL;
	if (c->disconnected || !c->t)
		return -ENOTCONN;
	/* Validate locally first: a change that cannot parse changes nothing, anywhere. */
	ha_cib *probe = NULL;
	char *resolved = NULL;
	int rc = ha_cib_load_memory(xml, strlen(xml), "configuration", 0, &probe, NULL);
	if (rc < 0)
		return rc;
	/* Constraint lifetimes start now, on the replicated clock: the expiry the change
	 * carries is the same for every member, whatever their clocks say. */
	if (ha__lifetime_resolve(probe, ha__core_now(c)) && (rc = ha_cib_to_string(probe, &resolved)) < 0) {
		ha_cib_free(probe);
		return rc;
	}
	ha_cib_free(probe);
	if (resolved)
		xml = resolved;
	ha_msg m = {.type = HA_MSG_CONFIG};
	m.u.config.request = ((uint64_t)c->local << 40) | ++c->next_request;
	m.u.config.expect_epoch = expect_epoch >= 0 ? expect_epoch : ha__state_cib(c->st)->epoch;
	m.u.config.xml = (char *)xml;
	GByteArray *b = ha__msg_encode(&m);
	free(resolved);
	if (!b)
		return HA_ETOOBIG;
	rc = ha__transport_send(c->t, b->data, b->len);
	g_byte_array_unref(b);
	if (rc < 0)
		return rc;
	if (request)
		*request = m.u.config.request;
	return 0;
}

int ha__core_set_attr(ha_core *c, const char *node, const char *name, const char *value)
{
	if (!node || !name)
		return -EINVAL;
	ha_msg m = {.type = HA_MSG_ATTR};
	m.u.attr.node = (char *)node;
	m.u.attr.name = (char *)name;
	m.u.attr.value = (char *)value;
	ha__core_send(c, &m);
	return 0;
}

int ha__core_fence(ha_core *c, const char *target)
{
	if (!target)
		return -EINVAL;
	if (c->disconnected || !c->t)
		return -ENOTCONN;
	const ha_cib *cib = ha__state_cib(c->st);
	if (!ha__node_find(&cib->cfg, target))
		return -ENOENT;
	if (!cib->cfg.opts.stonith_enabled)
		return -EPERM;
	if (!ha__state_quorate(c->st))
		return HA_ENOQUORUM;
	ha_msg m = {.type = HA_MSG_FENCE};
	m.u.fence.target = (char *)target;
	ha__core_send(c, &m);
	return 0;
}

int ha__core_cleanup(ha_core *c, const char *rsc, const char *node)
{
	if (!rsc)
		return -EINVAL;
	if (c->disconnected || !c->t)
		return -ENOTCONN;
	ha_msg m = {.type = HA_MSG_CLEANUP};
	m.u.cleanup.rsc = (char *)rsc;
	m.u.cleanup.node = (char *)node;
	ha__core_send(c, &m);
	return 0;
}

void ha__core_shutdown(ha_core *c)
{
	if (c->shutting_down)
		return;
	c->shutting_down = true;
	if (c->disconnected || !ha__state_synced(c->st)) {
		stop_everything(c);
	} else {
		ha_msg m = {.type = HA_MSG_LEAVE};
		ha__core_send(c, &m);
	}
	ha__core_reconcile_soon(c);
}
