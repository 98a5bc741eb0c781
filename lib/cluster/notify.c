/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Notifications of clones with notify=true, as agents expect them (the mysql agent
 * goes read-only on pre-demote and follows the new primary on post-promote). Before
 * this node starts, stops, promotes or demotes an instance, it runs a pre-notification
 * round: a NOTIFY message through the ordered stream; every node whose instance is
 * active at that position runs the agent's notify action and answers; the action runs
 * once every such node answered, left, or the round timed out. Post-notifications
 * follow every successful result, on every node with an active instance.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "core_private.h"
#include "sched/scheduler.h"
#include "util/util.h"

/* One of our own pre-notification rounds: the action waits for it. */
typedef struct notify_round {
	char *rsc;
	char *action;
	uint64_t id;
	GHashTable *waiting; /* node ids still to answer; NULL until our NOTIFY came back */
	uint64_t timer;
	ha_core *c;
} notify_round;

/* A notification this node runs (or queues behind the one running): a pre-
 * notification for someone's round is answered when it ends. */
typedef struct notify_ack {
	char *rsc;
	char *action;
	char *who;      /* the origin's name */
	uint32_t origin;
	uint64_t round;
	bool post;      /* a post-notification: nobody waits for it */
} notify_ack;

static const char *const kinds[] = {"start", "stop", "promote", "demote"};

static void round_free(notify_round *n)
{
	if (n->timer && n->c->env.timer_cancel)
		n->c->env.timer_cancel(n->c->env.ud, n->timer);
	if (n->waiting)
		g_hash_table_destroy(n->waiting);
	g_free(n->rsc);
	g_free(n->action);
	g_free(n);
}

static void ack_free(notify_ack *a)
{
	g_free(a->rsc);
	g_free(a->action);
	g_free(a->who);
	g_free(a);
}

static void queue_free(GQueue *q)
{
	g_queue_free_full(q, (GDestroyNotify)ack_free);
}

void ha__notify_init(ha_core *c)
{
	c->rounds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)round_free);
	c->notify_acks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)ack_free);
	c->notify_queue = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)queue_free);
}

void ha__notify_free(ha_core *c)
{
	g_hash_table_destroy(c->rounds);
	g_hash_table_destroy(c->notify_acks);
	g_hash_table_destroy(c->notify_queue);
}

/* The clone above r whose notify meta attribute is true, or NULL. */
static const ha_rsc *notify_clone(const ha_config *cfg, const ha_rsc *r)
{
	for (const ha_rsc *p = r ? r->parent : NULL; p; p = p->parent) {
		if (p->kind != HA_RSC_CLONE)
			continue;
		const char *v = ha__rsc_meta(cfg, p, "notify");
		bool on = false;
		return v && ha__bool_parse(v, &on) == 0 && on ? p : NULL;
	}
	return NULL;
}

bool ha__notify_wanted(ha_core *c, const ha_rsc *r, const char *action)
{
	bool kind = false;
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		kind |= !strcmp(action, kinds[i]);
	return kind && notify_clone(&ha__state_cib(c->st)->cfg, r);
}

const char *ha__notify_round_action(const void *round)
{
	return ((const notify_round *)round)->action;
}

bool ha__notify_in_round(ha_core *c, const char *rsc)
{
	return g_hash_table_contains(c->rounds, rsc);
}

/* Is r's instance active on node `name`, as the replicated state knows it? */
static bool active_on(ha_core *c, const ha_rsc *r, const char *name, ha_role *role)
{
	const ha_cib *cib = ha__state_cib(c->st);
	ha_presence p;
	ha__sched_presence(cib, ha__state_now(c->st), r, name ? ha__node_state_find(cib, name) : NULL, &p);
	if (role)
		*role = p.role;
	return !p.pending && p.role >= HA_ROLE_STARTED;
}

/* Run the agent's notify action here with the OCF notify variables: type pre or post,
 * the operation, who does it, and the active/promoted/unpromoted instances. */
static int run_notify(ha_core *c, const ha_rsc *r, const char *type, const char *op, const char *who)
{
	const ha_cib *cib = ha__state_cib(c->st);
	GString *active = g_string_new(NULL), *promoted = g_string_new(NULL), *unpromoted = g_string_new(NULL);
	for (guint i = 0; i < cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(cib->status, i);
		ha_role role;
		if (!active_on(c, r, ns->uname, &role))
			continue;
		g_string_append_printf(active, "%s%s", active->len ? " " : "", ns->uname);
		GString *g = role == HA_ROLE_PROMOTED ? promoted : unpromoted;
		g_string_append_printf(g, "%s%s", g->len ? " " : "", ns->uname);
	}
	GArray *meta = g_array_new(FALSE, FALSE, sizeof(ha_core_param));
	char keys[G_N_ELEMENTS(kinds)][32];
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		/* Every operation's list, empty but for this one (as Pacemaker sets them). */
		snprintf(keys[i], sizeof(keys[i]), "notify_%s_uname", kinds[i]);
		ha_core_param p = {keys[i], !strcmp(op, kinds[i]) && who ? who : ""};
		g_array_append_val(meta, p);
	}
	ha_core_param vars[] = {
		{"notify_type", type},
		{"notify_operation", op},
		{"notify_active_uname", active->str},
		{"notify_all_uname", active->str},
		{"notify_promoted_uname", promoted->str},
		{"notify_master_uname", promoted->str},
		{"notify_unpromoted_uname", unpromoted->str},
		{"notify_slave_uname", unpromoted->str},
	};
	g_array_append_vals(meta, vars, G_N_ELEMENTS(vars));
	int rc = ha__core_run_op(c, r, "notify", 0, NULL, meta);
	g_array_free(meta, TRUE);
	g_string_free(active, TRUE);
	g_string_free(promoted, TRUE);
	g_string_free(unpromoted, TRUE);
	return rc;
}

/* ---- pre-notification rounds ---------------------------------------------------------------- */

static void round_done(ha_core *c, notify_round *n, const char *how)
{
	char *rsc = g_strdup(n->rsc), *action = g_strdup(n->action);
	ha__core_log(c, how ? LOG_WARNING : LOG_INFO, "%s pre-%s notifications %s", rsc, action,
		     how ? how : "done");
	g_hash_table_remove(c->rounds, rsc);
	ha__core_act(c, rsc, action);
	g_free(rsc);
	g_free(action);
}

static void round_timeout(void *arg)
{
	notify_round *n = arg;
	n->timer = 0;
	round_done(n->c, n, "timed out: going on without the missing answers");
}

static uint32_t notify_timeout_ms(const ha_rsc *r)
{
	for (guint i = 0; r->ops && i < r->ops->len; i++) {
		const ha_op_def *d = g_ptr_array_index(r->ops, i);
		if (!strcmp(d->name, "notify") && d->timeout_ms)
			return d->timeout_ms;
	}
	return 20000;
}

bool ha__notify_begin(ha_core *c, const ha_rsc *r, const char *action)
{
	if (!c->t || c->disconnected || c->left || !c->local || !ha__notify_wanted(c, r, action) ||
	    g_hash_table_contains(c->rounds, r->id))
		return false;
	notify_round *n = g_new0(notify_round, 1);
	n->c = c;
	n->rsc = g_strdup(r->id);
	n->action = g_strdup(action);
	n->id = ++c->next_round;
	/* The agent's notify timeout on each node, and the round trip around it. */
	n->timer = c->env.timer_add(c->env.ud, notify_timeout_ms(r) + 5000, round_timeout, n);
	g_hash_table_insert(c->rounds, n->rsc, n);
	ha_msg m = {.type = HA_MSG_NOTIFY};
	m.u.notify.rsc = n->rsc;
	m.u.notify.action = n->action;
	m.u.notify.origin = c->local;
	m.u.notify.round = n->id;
	ha__core_send(c, &m);
	return true;
}

static void answer(ha_core *c, const char *rsc, const char *action, uint32_t origin, uint64_t round)
{
	ha_msg m = {.type = HA_MSG_NOTIFY};
	m.u.notify.rsc = (char *)rsc;
	m.u.notify.action = (char *)action;
	m.u.notify.origin = origin;
	m.u.notify.round = round;
	m.u.notify.ack = 1;
	ha__core_send(c, &m);
}

static void check_done(ha_core *c, notify_round *n)
{
	if (n->waiting && g_hash_table_size(n->waiting) == 0)
		round_done(c, n, NULL);
}

/* Run a notification (a: consumed); a pre-notification is answered when it ends. */
static void run_queued(ha_core *c, const ha_rsc *r, notify_ack *a)
{
	/* Recorded under the token the operation is about to get: an embedded agent may
	 * finish before run_notify returns. */
	uint64_t token = c->next_token + 1;
	g_hash_table_insert(c->notify_acks, g_memdup2(&token, sizeof(token)), a);
	if (run_notify(c, r, a->post ? "post" : "pre", a->action, a->who) < 0) {
		a = g_hash_table_lookup(c->notify_acks, &token);
		if (a && !a->post)
			answer(c, a->rsc, a->action, a->origin, a->round);
		g_hash_table_remove(c->notify_acks, &token);
	}
}

/* Queue a behind the notification that runs for its resource now. */
static void enqueue(ha_core *c, notify_ack *a)
{
	GQueue *q = g_hash_table_lookup(c->notify_queue, a->rsc);
	if (!q)
		g_hash_table_insert(c->notify_queue, g_strdup(a->rsc), q = g_queue_new());
	g_queue_push_tail(q, a);
}

void ha__notify_deliver(ha_core *c, uint32_t from, const ha_msg *m)
{
	const ha_cib *cib = ha__state_cib(c->st);
	const ha_rsc *r = ha__rsc_find(&cib->cfg, m->u.notify.rsc);
	notify_round *own = m->u.notify.origin == c->local ? g_hash_table_lookup(c->rounds, m->u.notify.rsc) : NULL;
	if (own && own->id != m->u.notify.round)
		own = NULL;
	if (m->u.notify.ack) {
		if (own && own->waiting) {
			g_hash_table_remove(own->waiting, GUINT_TO_POINTER(from));
			check_done(c, own);
		}
		return;
	}
	if (from != m->u.notify.origin || !r)
		return;
	if (own) {
		/* Who must answer: the members whose instance is active at this position of
		 * the stream (every node sees the same, and answers by the same rule). */
		own->waiting = g_hash_table_new(NULL, NULL);
		const GArray *members = ha__state_members(c->st);
		for (guint i = 0; i < members->len; i++) {
			uint32_t id = g_array_index(members, uint32_t, i);
			if (active_on(c, r, ha__state_node_name(c->st, id), NULL))
				g_hash_table_add(own->waiting, GUINT_TO_POINTER(id));
		}
	}
	if (c->local_name && active_on(c, r, c->local_name, NULL)) {
		notify_ack *a = g_new0(notify_ack, 1);
		a->rsc = g_strdup(r->id);
		a->action = g_strdup(m->u.notify.action);
		a->who = g_strdup(ha__state_node_name(c->st, from));
		a->origin = m->u.notify.origin;
		a->round = m->u.notify.round;
		const char *busy = g_hash_table_lookup(c->busy, r->id);
		if (busy && !strcmp(busy, "notify")) {
			enqueue(c, a); /* another notification runs: this one follows it */
		} else if (busy || !ha__core_mine_active(c, r->id, NULL)) {
			/* in the middle of its own start/stop/... (or not really running here):
			 * answer without notifying, so the round does not wait for nothing */
			answer(c, a->rsc, a->action, a->origin, a->round);
			ack_free(a);
		} else {
			run_queued(c, r, a);
		}
	}
	if (own)
		check_done(c, own);
}

void ha__notify_exec_done(ha_core *c, uint64_t token, const char *rsc)
{
	notify_ack *a = g_hash_table_lookup(c->notify_acks, &token);
	if (a) {
		if (!a->post)
			answer(c, a->rsc, a->action, a->origin, a->round);
		g_hash_table_remove(c->notify_acks, &token);
	}
	/* The next queued pre-notification of this resource, if any. */
	GQueue *q = g_hash_table_lookup(c->notify_queue, rsc);
	notify_ack *next = q ? g_queue_pop_head(q) : NULL;
	if (q && g_queue_is_empty(q))
		g_hash_table_remove(c->notify_queue, rsc);
	if (!next)
		return;
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, rsc);
	if (r && ha__core_mine_active(c, rsc, NULL) && !g_hash_table_contains(c->busy, rsc)) {
		run_queued(c, r, next);
	} else {
		if (!next->post)
			answer(c, next->rsc, next->action, next->origin, next->round);
		ack_free(next);
	}
}

void ha__notify_membership(ha_core *c, const uint32_t *members, size_t n)
{
	GHashTable *now = g_hash_table_new(NULL, NULL);
	for (size_t i = 0; i < n; i++)
		g_hash_table_add(now, GUINT_TO_POINTER(members[i]));
	/* Completing a round acts, which may end or start rounds: collect first. */
	GList *rounds = g_hash_table_get_values(c->rounds);
	GPtrArray *done = g_ptr_array_new_with_free_func(g_free);
	for (GList *l = rounds; l; l = l->next) {
		notify_round *r = l->data;
		if (!r->waiting)
			continue;
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, r->waiting);
		while (g_hash_table_iter_next(&it, &k, NULL))
			if (!g_hash_table_contains(now, k))
				g_hash_table_iter_remove(&it);
		if (g_hash_table_size(r->waiting) == 0)
			g_ptr_array_add(done, g_strdup(r->rsc));
	}
	g_list_free(rounds);
	for (guint i = 0; i < done->len; i++) {
		notify_round *r = g_hash_table_lookup(c->rounds, g_ptr_array_index(done, i));
		if (r)
			check_done(c, r);
	}
	g_ptr_array_free(done, TRUE);
	g_hash_table_destroy(now);
}

void ha__notify_drop_all(ha_core *c)
{
	g_hash_table_remove_all(c->rounds);
	g_hash_table_remove_all(c->notify_acks);
	g_hash_table_remove_all(c->notify_queue);
}

/* ---- post-notifications ---------------------------------------------------------------------- */

void ha__notify_post(ha_core *c, uint32_t from, const ha_msg_op *op)
{
	const char *kind = NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(op->operation, kinds[i]))
			kind = kinds[i];
	if (!kind || op->rc != 0 || op->op_status != HA_OPST_DONE || op->interval_ms || !c->local_name)
		return;
	const ha_rsc *r = ha__rsc_find(&ha__state_cib(c->st)->cfg, op->rsc);
	if (!r || !notify_clone(&ha__state_cib(c->st)->cfg, r))
		return;
	if (!ha__core_mine_active(c, r->id, NULL) || g_hash_table_contains(c->rounds, r->id))
		return;
	const char *busy = g_hash_table_lookup(c->busy, r->id);
	if (busy && strcmp(busy, "notify"))
		return; /* in the middle of its own operation: its own result follows */
	notify_ack *a = g_new0(notify_ack, 1);
	a->rsc = g_strdup(r->id);
	a->action = g_strdup(kind);
	a->who = g_strdup(ha__state_node_name(c->st, from));
	a->post = true;
	if (busy)
		enqueue(c, a);
	else
		run_queued(c, r, a);
}
