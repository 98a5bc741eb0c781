/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-cluster deterministic simulation: N nodes, each running the real
 * reconciliation loop (lib/cluster/core.c) on the in-process simulator's transport,
 * with a scripted executor whose resources really "run" on a node (the ground
 * truth). After every simulator step the safety invariants of DESIGN.md are checked
 * against the ground truth; a failing seed prints itself and replays exactly.
 *
 *   test_cluster_sim --scenarios          named scenarios
 *   test_cluster_sim --seeds N [--from S] random configurations and fault schedules
 *   test_cluster_sim --seed S -v          replay one seed with the event log
 *
 * Ends with one summary line: "sim: N seeds, M steps, V violations".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/ha.h>
#include <ha/edit.h>
#include "cluster/core.h"
#include "transport/sim.h"

#define MAX_NODES 7

typedef struct world world;

typedef struct node {
	world *w;
	uint32_t id;
	char name[8];
	ha_core *core;
	ha_transport *t;
	GHashTable *running;  /* ground truth: rsc -> role (1 started, 2 promoted) */
	GHashTable *monitors; /* rsc -> generation (recurring monitor alive) */
	int gen;
	int config_done;   /* acked config writes this node made */
	int config_result; /* result of the last one */
	bool powered;
	bool process;
	uint64_t db_since; /* when its db instance last finished starting (0: not running) */
	uint64_t off_at;   /* when it was powered off */
} node;

struct world {
	ha_sim *sim;
	uint64_t seed;
	unsigned n;
	node nodes[MAX_NODES + 1];
	char *cib_xml;
	GPtrArray *unique;     /* resource ids that must never run twice */
	unsigned violations;
	uint64_t steps;
	bool verbose;
	GString *trail;        /* last events, printed on a violation */
	GHashTable *fail_start; /* "rsc@node" -> 1: start fails there */
	GHashTable *probe_timeout; /* "rsc@node" -> 1: probes time out there */
	unsigned starts;       /* start operations executed */
	bool fencing;          /* stonith-enabled: only then is invariant 1 promised */
	GHashTable *jobs;      /* live jobs (timers the simulator may drop unfired) */
	bool reloadable;       /* ocf:ha:Dummy advertises reload */
	uint32_t slow_start;   /* node id whose starts take 10 s (0: none) */
	unsigned reloads;
	char *last_violation;
	GPtrArray *notified;   /* notify_rec*: notifications run (completed), in order */
	unsigned notify_misses; /* clone actions begun without a node's pre-notification */
	unsigned pre_checked;   /* clone actions whose pre-notifications were checked */
};

/* A notification an agent ran: where, pre/post, which operation, whose. */
typedef struct notify_rec {
	uint64_t at;
	char node[8];
	char type[8];
	char op[16];
	char actor[8];
} notify_rec;

static void trail(world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trail(world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (w->verbose)
		printf("t=%llu %s\n", (unsigned long long)ha__sim_now(w->sim), s);
	g_string_append_printf(w->trail, "t=%llu %s\n", (unsigned long long)ha__sim_now(w->sim), s);
	if (w->trail->len > 64 * 1024)
		g_string_erase(w->trail, 0, (gssize)(w->trail->len - 48 * 1024));
	g_free(s);
}

static void violation(world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(world *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (!w->violations)
		fprintf(stderr, "%s\nVIOLATION (seed %llu, t=%llu): %s\n", w->trail->str,
			(unsigned long long)w->seed, (unsigned long long)ha__sim_now(w->sim), s);
	g_free(w->last_violation);
	w->last_violation = s;
	w->violations++;
}

/* ---- the scripted executor ---------------------------------------------------------- */

typedef struct job {
	node *nd;
	uint64_t token;
	char *rsc, *action, *target;
	uint32_t interval;
	int gen;
	notify_rec *note; /* a notify job: recorded when it completes */
} job;

static void job_free(job *j)
{
	g_hash_table_remove(j->nd->w->jobs, j);
	g_free(j->note);
	g_free(j->rsc);
	g_free(j->action);
	g_free(j->target);
	g_free(j);
}

static void power_off(world *w, node *nd, const char *why);

static void job_run(void *arg)
{
	job *j = arg;
	node *nd = j->nd;
	world *w = nd->w;
	if (!nd->process || !nd->core) {
		job_free(j);
		return;
	}
	int rc = 0;
	int role = GPOINTER_TO_INT(g_hash_table_lookup(nd->running, j->rsc));
	if (j->target) {
		node *t = NULL;
		for (unsigned i = 1; i <= w->n; i++)
			if (!strcmp(w->nodes[i].name, j->target))
				t = &w->nodes[i];
		if (t)
			power_off(w, t, "fenced");
		trail(w, "%s fences %s", nd->name, j->target);
	} else if (!strcmp(j->action, "start")) {
		char key[128];
		snprintf(key, sizeof(key), "%s@%s", j->rsc, nd->name);
		if (g_hash_table_contains(w->fail_start, key)) {
			rc = 1;
			g_hash_table_insert(nd->running, g_strdup(j->rsc), GINT_TO_POINTER(1)); /* failed half-started */
		} else {
			g_hash_table_insert(nd->running, g_strdup(j->rsc), GINT_TO_POINTER(1));
		}
		w->starts++;
		if (!ha__state_quorate(ha__core_state(nd->core)) &&
		    ha__state_cib(ha__core_state(nd->core))->cfg.opts.no_quorum_policy != HA_NQP_IGNORE)
			violation(w, "%s started %s while not in a quorate configuration", nd->name, j->rsc);
	} else if (!strcmp(j->action, "stop")) {
		g_hash_table_remove(nd->running, j->rsc);
	} else if (!strcmp(j->action, "reload")) {
		w->reloads++;
	} else if (!strcmp(j->action, "promote")) {
		g_hash_table_insert(nd->running, g_strdup(j->rsc), GINT_TO_POINTER(2));
	} else if (!strcmp(j->action, "demote")) {
		g_hash_table_insert(nd->running, g_strdup(j->rsc), GINT_TO_POINTER(1));
	} else if (!strcmp(j->action, "monitor")) {
		if (j->interval && GPOINTER_TO_INT(g_hash_table_lookup(nd->monitors, j->rsc)) != j->gen) {
			ha__core_exec_done(nd->core, j->token, 0, 1 /* cancelled */, NULL, 0);
			job_free(j);
			return;
		}
		rc = role == 2 ? 8 : role == 1 ? 0 : 7;
		char key[128];
		snprintf(key, sizeof(key), "%s@%s", j->rsc, nd->name);
		if (!j->interval && g_hash_table_contains(w->probe_timeout, key)) {
			trail(w, "%s probe of %s times out", nd->name, j->rsc);
			ha__core_exec_done(nd->core, j->token, 1, 2 /* timeout */, "timed out", 20000);
			job_free(j);
			return;
		}
	}
	if (j->note) {
		j->note->at = ha__sim_now(w->sim);
		trail(w, "%s notify %s-%s of %s by %s", nd->name, j->note->type, j->note->op, j->rsc,
		      j->note->actor);
		g_ptr_array_add(w->notified, j->note);
		j->note = NULL;
	}
	if (!strcmp(j->rsc, "db") && !strcmp(j->action, "start"))
		nd->db_since = rc == 0 ? ha__sim_now(w->sim) : 0;
	if (!strcmp(j->rsc, "db") && !strcmp(j->action, "stop"))
		nd->db_since = 0;
	trail(w, "%s %s %s -> rc %d", nd->name, j->action, j->rsc, rc);
	ha__core_exec_done(nd->core, j->token, rc, 0, rc ? "injected failure" : NULL, 5);
	if (j->interval && rc != 7 && nd->process) {
		ha__sim_timer_add(w->sim, nd->id, j->interval, job_run, j);
		return;
	}
	job_free(j);
}

/* The promotable clone "db" has notify=true: before nd begins action on its
 * instance, every other node running one (ground truth) and connected to it must have
 * run the pre-notification of this action by nd, within the last minute. */
static void check_pre_notified(world *w, node *nd, const char *action)
{
	uint64_t now = ha__sim_now(w->sim);
	for (unsigned i = 1; i <= w->n; i++) {
		node *o = &w->nodes[i];
		/* A start reported a moment ago may not have reached the stream before the
		 * round began: only instances running for a while count. */
		if (o == nd || !o->powered || !o->process || !g_hash_table_contains(o->running, "db") ||
		    !o->db_since || o->db_since + 1000 > now ||
		    !ha__sim_corosync_up(w->sim, o->id) ||
		    ha__sim_ring_id(w->sim, o->id) != ha__sim_ring_id(w->sim, nd->id))
			continue;
		bool seen = false;
		for (guint k = 0; k < w->notified->len && !seen; k++) {
			const notify_rec *r = g_ptr_array_index(w->notified, k);
			seen = !strcmp(r->node, o->name) && !strcmp(r->type, "pre") &&
			       !strcmp(r->op, action) && !strcmp(r->actor, nd->name) && r->at + 60000 >= now;
		}
		if (!seen) {
			w->notify_misses++;
			trail(w, "%s begins %s of db without a pre-notification on %s", nd->name, action,
			      o->name);
		}
	}
	w->pre_checked++;
}

static int env_exec(void *ud, const ha_core_exec *op)
{
	node *nd = ud;
	job *j = g_new0(job, 1);
	j->nd = nd;
	g_hash_table_add(nd->w->jobs, j);
	j->token = op->token;
	j->rsc = g_strdup(op->rsc);
	j->action = g_strdup(op->action);
	j->target = g_strdup(op->target);
	j->interval = op->interval_ms;
	if (!strcmp(op->action, "notify")) {
		const char *type = NULL, *what = NULL;
		for (size_t i = 0; i < op->n_meta; i++) {
			if (!strcmp(op->meta[i].name, "notify_type"))
				type = op->meta[i].value;
			if (!strcmp(op->meta[i].name, "notify_operation"))
				what = op->meta[i].value;
		}
		j->note = g_new0(notify_rec, 1);
		snprintf(j->note->node, sizeof(j->note->node), "%s", nd->name);
		snprintf(j->note->type, sizeof(j->note->type), "%s", type ? type : "?");
		snprintf(j->note->op, sizeof(j->note->op), "%s", what ? what : "?");
		char key[32];
		snprintf(key, sizeof(key), "notify_%s_uname", j->note->op);
		for (size_t i = 0; i < op->n_meta; i++)
			if (!strcmp(op->meta[i].name, key))
				snprintf(j->note->actor, sizeof(j->note->actor), "%s", op->meta[i].value);
	} else if (!strcmp(op->rsc, "db") && !op->interval_ms &&
		   (!strcmp(op->action, "start") || !strcmp(op->action, "stop") ||
		    !strcmp(op->action, "promote") || !strcmp(op->action, "demote"))) {
		check_pre_notified(nd->w, nd, op->action);
	}
	if (op->interval_ms) {
		j->gen = ++nd->gen;
		g_hash_table_insert(nd->monitors, g_strdup(op->rsc), GINT_TO_POINTER(j->gen));
	}
	uint64_t delay = 5 + ha__sim_random(nd->w->sim, 60);
	if (!strcmp(op->action, "start") && nd->id == nd->w->slow_start)
		delay = 10000;
	ha__sim_timer_add(nd->w->sim, nd->id, op->interval_ms ? op->interval_ms : delay, job_run, j);
	return 0;
}

static void env_cancel(void *ud, const char *rsc)
{
	node *nd = ud;
	g_hash_table_remove(nd->monitors, rsc);
}

static int64_t env_now(void *ud)
{
	node *nd = ud;
	return (int64_t)(ha__sim_node_now(nd->w->sim, nd->id) / 1000);
}

static uint64_t env_timer_add(void *ud, uint32_t ms, void (*cb)(void *arg), void *arg)
{
	node *nd = ud;
	return ha__sim_timer_add(nd->w->sim, nd->id, ms, cb, arg);
}

static void env_timer_cancel(void *ud, uint64_t id)
{
	node *nd = ud;
	ha__sim_timer_cancel(nd->w->sim, id);
}

static int env_persist(void *ud, const char *xml)
{
	(void)ud;
	(void)xml;
	return 0;
}

static void env_config_done(void *ud, uint64_t request, int result)
{
	node *nd = ud;
	(void)request;
	nd->config_done++;
	nd->config_result = result;
}

static bool env_can_reload(void *ud, const char *agent)
{
	node *nd = ud;
	return nd->w->reloadable && !strcmp(agent, "ocf:ha:Dummy");
}

static void env_log(void *ud, int level, const char *msg)
{
	node *nd = ud;
	(void)level;
	trail(nd->w, "%s: %s", nd->name, msg);
}

/* ---- nodes ------------------------------------------------------------------------------ */

static void start_process(world *w, node *nd)
{
	ha_core_env env = {
		.ud = nd,
		.now = env_now,
		.timer_add = env_timer_add,
		.timer_cancel = env_timer_cancel,
		.exec = env_exec,
		.cancel = env_cancel,
		.persist = env_persist,
		.log = env_log,
		.config_done = env_config_done,
		.can_reload = env_can_reload,
	};
	ha_cib *cib = NULL;
	if (ha_cib_load_memory(w->cib_xml, strlen(w->cib_xml), "sim.xml", 0, &cib, NULL) < 0) {
		fprintf(stderr, "sim: cannot load the configuration\n");
		exit(2);
	}
	if (ha__core_new(&env, cib, &nd->core) < 0)
		exit(2);
	if (ha__sim_transport_new(w->sim, nd->id, ha__core_transport_events(), nd->core, &nd->t) < 0) {
		ha__core_free(nd->core);
		nd->core = NULL;
		return;
	}
	ha__core_set_transport(nd->core, nd->t);
	ha__core_join(nd->core, "ha");
	nd->process = true;
	g_hash_table_remove_all(nd->monitors);
	trail(w, "%s: process started", nd->name);
}

static void kill_process(world *w, node *nd)
{
	if (!nd->process)
		return;
	ha__sim_kill_process(w->sim, nd->id);
	/* the simulator detached the transport; free our side */
	ha__transport_free(nd->t);
	nd->t = NULL;
	ha__core_free(nd->core);
	nd->core = NULL;
	nd->process = false;
	trail(w, "%s: process killed (resources keep running)", nd->name);
}

static void power_off(world *w, node *nd, const char *why)
{
	if (!nd->powered)
		return;
	nd->off_at = ha__sim_now(w->sim);
	if (nd->process) {
		ha__sim_crash(w->sim, nd->id);
		ha__transport_free(nd->t);
		nd->t = NULL;
		ha__core_free(nd->core);
		nd->core = NULL;
		nd->process = false;
	} else {
		ha__sim_crash(w->sim, nd->id);
	}
	nd->powered = false;
	g_hash_table_remove_all(nd->running);
	nd->db_since = 0;
	trail(w, "%s: powered off (%s)", nd->name, why);
}

static void power_on(world *w, node *nd)
{
	if (nd->powered)
		return;
	ha__sim_restart(w->sim, nd->id);
	nd->powered = true;
	trail(w, "%s: powered on", nd->name);
	start_process(w, nd);
}

/* ---- invariants ------------------------------------------------------------------------- */

/* The promotable clone of the random configurations (id "db", promoted-max 1). */
static void check_promoted(world *w)
{
	unsigned promoted = 0;
	GString *on = g_string_new(NULL);
	for (unsigned i = 1; i <= w->n; i++)
		if (w->nodes[i].powered &&
		    GPOINTER_TO_INT(g_hash_table_lookup(w->nodes[i].running, "db")) == 2) {
			promoted++;
			g_string_append_printf(on, " %s", w->nodes[i].name);
		}
	if (promoted > 1)
		violation(w, "promotable db promoted on%s (promoted-max 1)", on->str);
	g_string_free(on, TRUE);
}

static void check(world *w)
{
	if (w->fencing)
		check_promoted(w);
	/* Invariant 1 holds with fencing; with stonith-enabled=false a lost node's
	 * resources count as stopped at once (documented as unsafe for shared data). */
	for (guint r = 0; w->fencing && r < w->unique->len; r++) {
		const char *id = g_ptr_array_index(w->unique, r);
		unsigned where = 0;
		GString *on = g_string_new(NULL);
		for (unsigned i = 1; i <= w->n; i++)
			if (w->nodes[i].powered && g_hash_table_contains(w->nodes[i].running, id)) {
				where++;
				g_string_append_printf(on, " %s", w->nodes[i].name);
			}
		if (where > 1)
			violation(w, "unique resource %s active on%s", id, on->str);
		g_string_free(on, TRUE);
	}
}

static void run_for(world *w, uint64_t ms)
{
	uint64_t until = ha__sim_now(w->sim) + ms;
	while (ha__sim_now(w->sim) < until) {
		if (!ha__sim_step(w->sim)) {
			ha__sim_run_until(w->sim, until);
			break;
		}
		w->steps++;
		check(w);
		if (w->violations)
			return;
	}
	check(w);
}

static void sim_log(void *ud, const char *line)
{
	world *w = ud;
	if (w->verbose)
		printf("%s\n", line);
	g_string_append_printf(w->trail, "%s\n", line);
}

static world *world_new(uint64_t seed, unsigned n, const char *cib_xml, bool verbose)
{
	world *w = g_new0(world, 1);
	w->seed = seed;
	w->n = n;
	w->verbose = verbose;
	w->trail = g_string_new(NULL);
	w->unique = g_ptr_array_new_with_free_func(g_free);
	w->fail_start = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	w->notified = g_ptr_array_new_with_free_func(g_free);
	w->jobs = g_hash_table_new(g_direct_hash, g_direct_equal);
	w->probe_timeout = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	w->cib_xml = g_strdup(cib_xml);
	ha_sim_options o;
	ha__sim_options_init(&o, seed, n);
	if (ha__sim_new(&o, &w->sim) < 0)
		exit(2);
	ha__sim_set_log(w->sim, sim_log, w);
	/* unique resources of the configuration */
	ha_cib *cib = NULL;
	if (ha_cib_load_memory(cib_xml, strlen(cib_xml), "sim.xml", 0, &cib, NULL) < 0) {
		fprintf(stderr, "sim: bad configuration\n%s\n", cib_xml);
		exit(2);
	}
	for (guint i = 0; i < cib->cfg.rsc_all->len; i++) {
		const ha_rsc *r = g_ptr_array_index(cib->cfg.rsc_all, i);
		bool in_clone = false;
		for (const ha_rsc *p = r->parent; p; p = p->parent)
			in_clone |= p->kind == HA_RSC_CLONE;
		if (r->kind == HA_RSC_PRIMITIVE && !in_clone && strcmp(r->cls, "stonith"))
			g_ptr_array_add(w->unique, g_strdup(r->id));
	}
	w->fencing = cib->cfg.opts.stonith_enabled;
	ha_cib_free(cib);
	for (unsigned i = 1; i <= n; i++) {
		node *nd = &w->nodes[i];
		nd->w = w;
		nd->id = i;
		snprintf(nd->name, sizeof(nd->name), "n%u", i);
		nd->running = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		nd->monitors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		nd->powered = true;
	}
	for (unsigned i = 1; i <= n; i++)
		start_process(w, &w->nodes[i]);
	return w;
}

static void world_free(world *w)
{
	for (unsigned i = 1; i <= w->n; i++) {
		node *nd = &w->nodes[i];
		if (nd->t)
			ha__transport_free(nd->t);
		ha__core_free(nd->core);
		g_hash_table_destroy(nd->running);
		g_hash_table_destroy(nd->monitors);
	}
	ha__sim_free(w->sim);
	GList *left = g_hash_table_get_keys(w->jobs);
	for (GList *l = left; l; l = l->next)
		job_free(l->data);
	g_list_free(left);
	g_hash_table_destroy(w->jobs);
	g_ptr_array_free(w->unique, TRUE);
	g_hash_table_destroy(w->fail_start);
	g_ptr_array_free(w->notified, TRUE);
	g_hash_table_destroy(w->probe_timeout);
	g_string_free(w->trail, TRUE);
	g_free(w->cib_xml);
	g_free(w->last_violation);
	g_free(w);
}

/* Where a resource runs (ground truth), or NULL. */
static const char *where(world *w, const char *rsc)
{
	for (unsigned i = 1; i <= w->n; i++)
		if (w->nodes[i].powered && g_hash_table_contains(w->nodes[i].running, rsc))
			return w->nodes[i].name;
	return NULL;
}

/* ---- configurations ------------------------------------------------------------------------ */

static char *make_cib(unsigned nodes, unsigned rscs, bool fencing, const char *extra_rsc,
		      const char *constraints)
{
	GString *x = g_string_new(NULL);
	g_string_append_printf(x,
		"<cib validate-with=\"pacemaker-3.9\" crm_feature_set=\"3.16.1\" admin_epoch=\"0\" "
		"epoch=\"1\" num_updates=\"0\"><configuration><crm_config><cluster_property_set id=\"o\">"
		"<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"%s\"/>"
		"<nvpair id=\"o2\" name=\"stonith-timeout\" value=\"20s\"/>"
		"</cluster_property_set></crm_config><nodes>", fencing ? "true" : "false");
	for (unsigned i = 1; i <= nodes; i++)
		g_string_append_printf(x, "<node id=\"%u\" uname=\"n%u\"/>", i, i);
	g_string_append(x, "</nodes><resources>");
	for (unsigned i = 1; i <= rscs; i++)
		g_string_append_printf(x, "<primitive id=\"r%u\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
					  "<operations><op id=\"r%u-mon\" name=\"monitor\" interval=\"10s\"/>"
					  "</operations></primitive>", i, i);
	if (fencing)
		g_string_append(x, "<clone id=\"fencing\"><primitive id=\"fence\" class=\"stonith\" "
				   "type=\"fence_sim\"/></clone>");
	if (extra_rsc)
		g_string_append(x, extra_rsc);
	g_string_append_printf(x, "</resources><constraints>%s</constraints>"
				  "<rsc_defaults><meta_attributes id=\"rd\"><nvpair id=\"rd1\" "
				  "name=\"resource-stickiness\" value=\"100\"/></meta_attributes>"
				  "</rsc_defaults></configuration><status/></cib>",
			       constraints ? constraints : "");
	return g_string_free(x, FALSE);
}

#define PROMOTABLE \
	"<clone id=\"db-clone\"><meta_attributes id=\"dbc-m\"><nvpair id=\"dbc-p\" name=\"promotable\" " \
	"value=\"true\"/><nvpair id=\"dbc-n\" name=\"notify\" value=\"true\"/></meta_attributes>" \
	"<primitive id=\"db\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/></clone>"
#define PROMOTABLE_PREF \
	"<rsc_location id=\"db-promote\" rsc=\"db-clone\" role=\"Promoted\"><rule id=\"db-pr\" " \
	"score=\"50\"><expression id=\"db-pe\" attribute=\"#uname\" operation=\"defined\"/>" \
	"</rule></rsc_location>"

/* ---- scenarios -------------------------------------------------------------------------- */

static int expect(world *w, bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "%s\nFAILED (seed %llu): %s\n", w->trail->str, (unsigned long long)w->seed, what);
		return 1;
	}
	return 0;
}

static int scenario_startup_and_crash(bool fencing)
{
	char *xml = make_cib(3, 4, fencing, NULL, NULL);
	world *w = world_new(11, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	for (int r = 1; r <= 4; r++) {
		char id[8];
		snprintf(id, sizeof(id), "r%d", r);
		bad |= expect(w, where(w, id) != NULL, "every resource started");
	}
	const char *victim = where(w, "r1");
	node *v = NULL;
	for (unsigned i = 1; i <= 3; i++)
		if (victim && !strcmp(w->nodes[i].name, victim))
			v = &w->nodes[i];
	if (v)
		power_off(w, v, "crash");
	run_for(w, 60000);
	const char *now = where(w, "r1");
	bad |= expect(w, now && v && strcmp(now, v->name), "r1 recovered on another node");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario %s: %s (r1 %s -> %s, %llu steps)\n",
	       fencing ? "crash-with-fencing" : "crash-without-fencing", bad ? "FAIL" : "ok",
	       victim ? victim : "-", now ? now : "-", (unsigned long long)w->steps);
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_daemon_dies(void)
{
	char *xml = make_cib(3, 3, true, NULL, NULL);
	world *w = world_new(21, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	const char *at = where(w, "r1");
	node *v = NULL;
	for (unsigned i = 1; i <= 3; i++)
		if (at && !strcmp(w->nodes[i].name, at))
			v = &w->nodes[i];
	bad |= expect(w, v != NULL, "r1 started");
	if (!v)
		goto out;
	unsigned starts = w->starts;
	kill_process(w, v);
	run_for(w, 10000); /* within the grace time: nobody touches r1 */
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), v->name), "r1 untouched while frozen");
	start_process(w, v);
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), v->name), "r1 adopted, not moved");
	bad |= expect(w, w->starts == starts, "nothing restarted after the daemon came back");
	bad |= expect(w, w->violations == 0, "no invariant violated");
out:
	printf("scenario daemon-dies-corosync-stays: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_partition(void)
{
	char *xml = make_cib(3, 3, true, NULL, NULL);
	world *w = world_new(31, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	const char *at = where(w, "r1");
	uint32_t victim = 0;
	for (unsigned i = 1; i <= 3; i++)
		if (at && !strcmp(w->nodes[i].name, at))
			victim = i;
	bad |= expect(w, victim != 0, "r1 started");
	if (!victim)
		goto out;
	ha__sim_isolate(w->sim, victim);
	run_for(w, 90000);
	const char *now = where(w, "r1");
	bad |= expect(w, now && strcmp(now, w->nodes[victim].name), "r1 recovered by the majority");
	bad |= expect(w, !w->nodes[victim].powered, "the isolated node was fenced");
	bad |= expect(w, w->violations == 0, "no invariant violated");
out:
	printf("scenario partition-minority-fenced: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_own_claim_cut(void)
{
	/* r1 must run on n1 only; n1's claim is delivered to itself, then n1 is cut off
	 * before anyone else sees it: nobody else may start r1 until n1 is fenced. */
	char *xml = make_cib(3, 1, true, NULL,
			     "<rsc_location id=\"l1\" rsc=\"r1\" node=\"n1\" score=\"1000\"/>");
	world *w = world_new(41, 3, xml, false);
	ha__sim_run_until(w->sim, 1); /* everyone connected */
	int bad = 0;
	/* Let the sync rounds and probes happen, then cut n1 at its next multicast,
	 * which is its claim of r1 (or a probe result just before it). */
	for (int k = 0; k < 50 && !where(w, "r1"); k++) {
		run_for(w, 200);
		if (ha__core_state(w->nodes[1].core) && ha__state_synced(ha__core_state(w->nodes[1].core)))
			break;
	}
	ha__sim_cut_after_own_delivery(w->sim, 1);
	run_for(w, 90000);
	bad |= expect(w, w->violations == 0, "no invariant violated");
	bad |= expect(w, where(w, "r1") != NULL, "r1 ends up running");
	printf("scenario own-claim-delivered-then-cut: %s (r1 on %s)\n", bad ? "FAIL" : "ok",
	       where(w, "r1") ? where(w, "r1") : "-");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_stuck_member(void)
{
	/* n5 is connected but stuck; then the node running r1 crashes. The sync round
	 * cannot complete with n5, so after the sync timeout n5 is treated as failed
	 * (fenced) and the survivors (3 of 5: still quorate) recover r1. */
	char *xml = make_cib(5, 1, true, NULL, "<rsc_location id=\"l\" rsc=\"r1\" node=\"n2\" score=\"100\"/>"
			     "<rsc_location id=\"l2\" rsc=\"r1\" node=\"n1\" score=\"50\"/>");
	world *w = world_new(51, 5, xml, false);
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n2"), "r1 on n2");
	ha__sim_stall(w->sim, 5, true);
	trail(w, "stall n5");
	power_off(w, &w->nodes[2], "crash");
	run_for(w, 120000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n1"), "r1 recovered on n1");
	bad |= expect(w, !w->nodes[5].powered, "the stuck member was fenced");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario stuck-member: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_promotable_partition(void)
{
	/* A promotable clone with promoted-max 1: the promoted node is cut off; the
	 * majority fences it and promotes another instance; never two promoted. */
	char *xml = make_cib(3, 0, true, PROMOTABLE, PROMOTABLE_PREF);
	world *w = world_new(81, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	uint32_t primary = 0;
	for (unsigned i = 1; i <= 3; i++)
		if (GPOINTER_TO_INT(g_hash_table_lookup(w->nodes[i].running, "db")) == 2)
			primary = i;
	bad |= expect(w, primary != 0, "db promoted somewhere");
	if (primary) {
		ha__sim_isolate(w->sim, primary);
		run_for(w, 90000);
		uint32_t now = 0;
		for (unsigned i = 1; i <= 3; i++)
			if (w->nodes[i].powered &&
			    GPOINTER_TO_INT(g_hash_table_lookup(w->nodes[i].running, "db")) == 2)
				now = i;
		bad |= expect(w, now && now != primary, "another instance promoted");
	}
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario promotable-partition: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_promotable_notifications(void)
{
	/* db (promotable, notify=true): every start, promote, demote and stop of an
	 * instance is preceded by a pre-notification on each other node running one, and
	 * followed by post-notifications. Then the promoted node crashes: the survivors are
	 * notified of the new promotion too. */
	char *xml = make_cib(3, 0, true, PROMOTABLE, PROMOTABLE_PREF);
	world *w = world_new(131, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	uint32_t primary = 0;
	for (unsigned i = 1; i <= 3; i++)
		if (GPOINTER_TO_INT(g_hash_table_lookup(w->nodes[i].running, "db")) == 2)
			primary = i;
	bad |= expect(w, primary != 0, "db promoted somewhere");
	unsigned pre_promote = 0, post_promote = 0, pre_start = 0;
	for (guint k = 0; k < w->notified->len; k++) {
		const notify_rec *r = g_ptr_array_index(w->notified, k);
		pre_promote += !strcmp(r->type, "pre") && !strcmp(r->op, "promote");
		post_promote += !strcmp(r->type, "post") && !strcmp(r->op, "promote");
		pre_start += !strcmp(r->type, "pre") && !strcmp(r->op, "start");
	}
	/* (instances still starting when the promotion's round began are not notified) */
	bad |= expect(w, pre_promote >= 1 && post_promote >= 2,
		      "pre- and post-promote notifications ran");
	if (primary)
		power_off(w, &w->nodes[primary], "crash");
	run_for(w, 60000);
	uint32_t now = 0;
	for (unsigned i = 1; i <= 3; i++)
		if (w->nodes[i].powered && GPOINTER_TO_INT(g_hash_table_lookup(w->nodes[i].running, "db")) == 2)
			now = i;
	bad |= expect(w, now && now != primary, "another instance promoted");
	bad |= expect(w, w->pre_checked > 3, "clone actions were checked");
	bad |= expect(w, w->notify_misses == 0, "no clone action without its pre-notifications");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario promotable-notifications: %s (%u clone actions checked, %u notifications, "
	       "pre-start %u)\n", bad ? "FAIL" : "ok", w->pre_checked, w->notified->len, pre_start);
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_config_change(void)
{
	/* A configuration write from n2 deletes r2 (running) and adds r4: it is applied
	 * on every member in the same order, acknowledged once all persisted it, the
	 * orphan r2 is stopped and r4 started. A stale write (old epoch) is rejected. */
	char *xml = make_cib(3, 3, true, NULL, NULL);
	world *w = world_new(91, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r2") != NULL, "r2 running before");
	char *next = make_cib(3, 0, true,
			      "<primitive id=\"r1\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>"
			      "<primitive id=\"r3\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>"
			      "<primitive id=\"r4\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>", NULL);
	node *n2 = &w->nodes[2];
	int64_t epoch = ha__state_cib(ha__core_state(n2->core))->epoch;
	uint64_t req = 0;
	bad |= expect(w, ha__core_set_config(n2->core, next, epoch, &req) == 0, "write accepted");
	run_for(w, 5000);
	bad |= expect(w, n2->config_done == 1 && n2->config_result == 0,
		      "the writer was told once every member persisted it");
	for (unsigned i = 1; i <= 3; i++)
		bad |= expect(w, ha__state_cib(ha__core_state(w->nodes[i].core))->epoch == epoch + 1,
			      "every member applied the new version");
	bad |= expect(w, ha__core_set_config(n2->core, next, epoch, &req) == 0, "stale write sent");
	run_for(w, 5000);
	bad |= expect(w, n2->config_done == 2 && n2->config_result == HA_ESTALEVERSION,
		      "the stale write was rejected with HA_ESTALEVERSION");
	for (unsigned i = 1; i <= 3; i++)
		bad |= expect(w, ha__state_cib(ha__core_state(w->nodes[i].core))->epoch == epoch + 1,
			      "the stale write changed nothing anywhere");
	run_for(w, 20000);
	bad |= expect(w, where(w, "r2") == NULL, "the deleted r2 was stopped");
	bad |= expect(w, where(w, "r4") != NULL, "the new r4 runs");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario config-change: %s\n", bad ? "FAIL" : "ok");
	g_free(next);
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_param_change(bool reload)
{
	/* New parameters for a running resource: restarted in place, or reloaded (no
	 * stop, no start) when the agent advertises reload. */
	char *xml = make_cib(3, 0, true, "<primitive id=\"r1\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
				  "<instance_attributes id=\"r1-ia\"><nvpair id=\"r1-p\" name=\"state\" value=\"a\"/>"
				  "</instance_attributes></primitive>", NULL);
	world *w = world_new(101, 3, xml, false);
	g_ptr_array_add(w->unique, g_strdup("r1"));
	w->reloadable = reload;
	int bad = 0;
	run_for(w, 20000);
	const char *before = where(w, "r1");
	bad |= expect(w, before != NULL, "r1 running");
	unsigned starts = w->starts;
	char *next = g_strdup(xml);
	char *v = strstr(next, "value=\"a\"");
	v[7] = 'b';
	node *n1 = &w->nodes[1];
	uint64_t req;
	ha__core_set_config(n1->core, next, ha__state_cib(ha__core_state(n1->core))->epoch, &req);
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && before && !strcmp(where(w, "r1"), before), "r1 stays on its node");
	if (reload)
		bad |= expect(w, w->reloads == 1 && w->starts == starts, "reloaded, not restarted");
	else
		bad |= expect(w, w->starts == starts + 1 && w->reloads == 0, "restarted in place");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario param-change-%s: %s\n", reload ? "reload" : "restart", bad ? "FAIL" : "ok");
	g_free(next);
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_operator_cleanup_and_fence(void)
{
	/* r1 prefers n1 but fails to start there (start-failure-is-fatal bans n1): it runs
	 * on another node. After the fault is gone, a cleanup makes n1 eligible again and r1
	 * goes back. Then an operator fences n1: it is powered off and r1 recovered. */
	char *xml = make_cib(3, 1, true, NULL, "<rsc_location id=\"l\" rsc=\"r1\" node=\"n1\" score=\"500\"/>");
	world *w = world_new(111, 3, xml, false);
	g_hash_table_add(w->fail_start, g_strdup("r1@n1"));
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && strcmp(where(w, "r1"), "n1"), "r1 away from n1 after its failed start");
	g_hash_table_remove(w->fail_start, "r1@n1");
	bad |= expect(w, ha__core_cleanup(w->nodes[2].core, "r1", NULL) == 0, "cleanup sent");
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n1"), "r1 back on n1 after the cleanup");
	bad |= expect(w, ha__core_fence(w->nodes[2].core, "n1") == 0, "fence request sent");
	run_for(w, 30000);
	bad |= expect(w, !w->nodes[1].powered, "n1 was fenced");
	bad |= expect(w, where(w, "r1") && strcmp(where(w, "r1"), "n1"), "r1 recovered elsewhere");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario operator-cleanup-and-fence: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_probe_times_out(void)
{
	char *xml = make_cib(3, 2, true, NULL, NULL);
	world *w = world_new(61, 3, xml, false);
	g_hash_table_add(w->probe_timeout, g_strdup("r1@n2"));
	int bad = 0;
	run_for(w, 60000);
	bad |= expect(w, where(w, "r1") != NULL, "r1 runs despite a probe that always times out");
	bad |= expect(w, where(w, "r2") != NULL, "r2 runs");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario probe-always-times-out: %s (r1 on %s)\n", bad ? "FAIL" : "ok",
	       where(w, "r1") ? where(w, "r1") : "-");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_skew_failure_timeout(void)
{
	/* r1 prefers n1 but its start fails there once (migration-threshold 1): it runs
	 * on n2 until failure-timeout (30 s of replicated time) expires the failure, then
	 * goes back. Node clocks are skewed by up to +-20 s: only the replicated clock
	 * (TICKs from the lowest member) decides, so every node agrees. */
	char *xml = make_cib(3, 0, true,
			     "<primitive id=\"r1\" class=\"ocf\" provider=\"ha\" type=\"Dummy\">"
			     "<meta_attributes id=\"r1-m\"><nvpair id=\"r1-mt\" name=\"migration-threshold\" value=\"1\"/>"
			     "<nvpair id=\"r1-ft\" name=\"failure-timeout\" value=\"30s\"/>"
			     "<nvpair id=\"r1-st\" name=\"resource-stickiness\" value=\"0\"/></meta_attributes></primitive>",
			     "<rsc_location id=\"l\" rsc=\"r1\" node=\"n1\" score=\"500\"/>");
	world *w = world_new(71, 3, xml, false);
	g_ptr_array_add(w->unique, g_strdup("r1"));
	ha__sim_set_clock_offset(w->sim, 1, 20000);
	ha__sim_set_clock_offset(w->sim, 2, -20000);
	g_hash_table_add(w->fail_start, g_strdup("r1@n1"));
	int bad = 0;
	run_for(w, 15000);
	g_hash_table_remove(w->fail_start, "r1@n1");
	bad |= expect(w, where(w, "r1") && strcmp(where(w, "r1"), "n1"), "r1 moved away after its failed start");
	run_for(w, 60000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n1"), "r1 back on n1 once the failure expired");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario clock-skew-failure-timeout: %s\n", bad ? "FAIL" : "ok");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_monitor_failure_in_place(void)
{
	/* A failed recurring monitor is recovered in place (on-fail=restart, fail count
	 * below migration-threshold), as Pacemaker does in one transition: stop and start
	 * on the same node. r1 first lands on n2 (its start fails on n1, and a cleanup
	 * makes n1 eligible again while stickiness keeps r1 on n2); then r1 disappears
	 * behind the cluster's back on n2. Between the stop and the start, r1 runs nowhere:
	 * with every node empty the tie-break alone would pick n1, so only a restart that
	 * holds its claim across the stop keeps it on n2. */
	char *xml = make_cib(3, 1, false, NULL, NULL);
	world *w = world_new(121, 3, xml, false);
	g_ptr_array_add(w->unique, g_strdup("r1"));
	g_hash_table_add(w->fail_start, g_strdup("r1@n1"));
	int bad = 0;
	run_for(w, 20000);
	g_hash_table_remove(w->fail_start, "r1@n1");
	const char *before = where(w, "r1");
	bad |= expect(w, before && strcmp(before, "n1"), "r1 away from n1 after its failed start");
	bad |= expect(w, ha__core_cleanup(w->nodes[3].core, "r1", "n1") == 0, "cleanup sent");
	run_for(w, 20000);
	bad |= expect(w, before && where(w, "r1") && !strcmp(where(w, "r1"), before),
		      "r1 stays where it runs after the cleanup");
	node *v = NULL;
	for (unsigned i = 1; i <= 3; i++)
		if (before && !strcmp(w->nodes[i].name, before))
			v = &w->nodes[i];
	unsigned starts = w->starts;
	if (v) {
		g_hash_table_remove(v->running, "r1");
		trail(w, "%s: r1 vanishes behind the cluster's back", v->name);
	}
	run_for(w, 30000);
	const char *now = where(w, "r1");
	bad |= expect(w, now && before && !strcmp(now, before), "r1 recovered in place");
	bad |= expect(w, w->starts == starts + 1, "exactly one start");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario monitor-failure-in-place: %s (r1 %s -> %s)\n", bad ? "FAIL" : "ok",
	       before ? before : "-", now ? now : "-");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_silent_member(void)
{
	/* n2 runs r1, then its daemon hangs (connected, stuck) outside any sync round:
	 * nothing comes from it while the others' heartbeats go on, so after the silence
	 * timeout (30 s) it is excluded and fenced, and r1 recovered. */
	char *xml = make_cib(3, 1, true, NULL, "<rsc_location id=\"l\" rsc=\"r1\" node=\"n2\" score=\"100\"/>");
	world *w = world_new(141, 3, xml, false);
	g_ptr_array_add(w->unique, g_strdup("r1"));
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n2"), "r1 on n2");
	ha__sim_stall(w->sim, 2, true);
	trail(w, "stall n2");
	run_for(w, 25000);
	bad |= expect(w, w->nodes[2].powered, "not fenced before the silence timeout");
	run_for(w, 45000);
	bad |= expect(w, !w->nodes[2].powered, "the silent member was fenced");
	bad |= expect(w, where(w, "r1") && strcmp(where(w, "r1"), "n2"), "r1 recovered elsewhere");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario silent-member: %s (r1 on %s)\n", bad ? "FAIL" : "ok", where(w, "r1") ? where(w, "r1") : "-");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_flapping_member(void)
{
	/* Without fencing, n3 keeps leaving uncleanly and coming back, each time stuck for
	 * a while before it sends its sync message: every round would wait up to the sync
	 * timeout for it. After its fifth return within 60 s it is held down: the next
	 * round completes without it, and a configuration change goes through. */
	char *xml = make_cib(3, 1, false, NULL, NULL);
	world *w = world_new(151, 3, xml, false);
	int bad = 0;
	run_for(w, 20000);
	node *n1 = &w->nodes[1];
	for (int k = 0; k < 6; k++) {
		ha__sim_isolate(w->sim, 3);
		for (int t = 0; t < 100 && ha__state_members(ha__core_state(n1->core))->len != 2; t++)
			run_for(w, 100);
		ha__sim_stall(w->sim, 3, true);
		ha__sim_merge(w->sim);
		for (int t = 0; t < 100 && ha__state_members(ha__core_state(n1->core))->len != 3; t++)
			run_for(w, 100);
		trail(w, "n3 back (flap %d), stuck", k + 1);
		run_for(w, 1000);
		if (k < 5)
			ha__sim_stall(w->sim, 3, false);
	}
	const ha_state *st = ha__core_state(n1->core);
	bad |= expect(w, ha__state_synced(st), "the round completed without the held-down n3");
	char *next = g_strdup(xml);
	char *at = strstr(next, "</resources>");
	char *cfg = g_strdup_printf("%.*s<primitive id=\"r9\" class=\"ocf\" provider=\"ha\" type=\"Dummy\"/>%s",
				    (int)(at - next), next, at);
	uint64_t req;
	int rc = ha__core_set_config(n1->core, cfg, ha__state_cib(st)->epoch, &req);
	run_for(w, 5000);
	bad |= expect(w, rc == 0 && where(w, "r9") != NULL, "a new resource starts while n3 flaps");
	ha__sim_stall(w->sim, 3, false);
	run_for(w, 90000);
	ha__sim_isolate(w->sim, 3);
	run_for(w, 2000);
	ha__sim_merge(w->sim);
	run_for(w, 20000);
	bad |= expect(w, ha__state_synced(ha__core_state(n1->core)) &&
			 ha__state_members(ha__core_state(n1->core))->len == 3,
		      "after the hold-down n3 is a member again");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario flapping-member: %s\n", bad ? "FAIL" : "ok");
	g_free(cfg);
	g_free(next);
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_join_during_start(void)
{
	/* r1 prefers n3. n3 is powered off; n1 takes over r1 with a slow start (10 s).
	 * While that start runs, n3 comes back: the sync round of the new membership must
	 * still show r1 pending on n1 (its own report), or n3 would start it too. */
	char *xml = make_cib(3, 1, true, NULL, "<rsc_location id=\"l3\" rsc=\"r1\" node=\"n3\" score=\"1000\"/>");
	world *w = world_new(51, 3, xml, false);
	g_ptr_array_add(w->unique, g_strdup("r1"));
	w->slow_start = 1;
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n3"), "r1 on n3");
	power_off(w, &w->nodes[3], "test");
	bool seen = false;
	for (int k = 0; k < 600 && !seen; k++) {
		run_for(w, 100);
		GHashTableIter it;
		gpointer key;
		g_hash_table_iter_init(&it, w->jobs);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			job *j = key;
			seen |= j->nd->id == 1 && !strcmp(j->action, "start") && !strcmp(j->rsc, "r1");
		}
	}
	bad |= expect(w, seen, "n1 starts r1 (slowly)");
	power_on(w, &w->nodes[3]);
	run_for(w, 40000);
	bad |= expect(w, where(w, "r1") != NULL, "r1 runs");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario join-during-start: %s (r1 on %s)\n", bad ? "FAIL" : "ok", where(w, "r1") ? where(w, "r1") : "-");
	world_free(w);
	g_free(xml);
	return bad;
}

static int scenario_ban_lifetime_skew(void)
{
	/* r1 prefers n1. n3, whose clock is 25 s ahead, bans it from n1 for 30 s: the
	 * expiry is taken on the replicated clock (n1's, 7 s ahead of the simulator; n2 is
	 * 20 s behind), so the ban ends 30 s after it was written by that clock, on every
	 * node at the same TICK: same replicated time, same new epoch, same configuration.
	 * r1 leaves n1 and comes back without any further command. */
	static const char ban[] = "cli-ban-r1-on-n1";
	char *xml = make_cib(3, 1, true, NULL, "<rsc_location id=\"l\" rsc=\"r1\" node=\"n1\" score=\"500\"/>");
	world *w = world_new(131, 3, xml, false);
	ha__sim_set_clock_offset(w->sim, 1, 7000);
	ha__sim_set_clock_offset(w->sim, 2, -20000);
	ha__sim_set_clock_offset(w->sim, 3, 25000);
	int bad = 0;
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n1"), "r1 on n1");
	node *n3 = &w->nodes[3];
	const ha_cib *cur = ha__state_cib(ha__core_state(n3->core));
	int64_t epoch = cur->epoch;
	char *text = NULL;
	ha_cib *next = NULL;
	ha_cib_to_string(cur, &text);
	ha_cib_load_memory(text, strlen(text), "next", 0, &next, NULL);
	free(text);
	text = NULL;
	bad |= expect(w, next && ha_edit_location(next, ban, "r1", "n1", "-INFINITY", NULL) == 0 &&
			 ha_edit_lifetime(next, ban, "30s") == 0 && ha_cib_to_string(next, &text) == 0,
		      "the ban is written");
	ha_cib_free(next);
	uint64_t req;
	int64_t written = (int64_t)(ha__sim_node_now(w->sim, 1) / 1000); /* n1's clock */
	bad |= expect(w, text && ha__core_set_config(n3->core, text, epoch, &req) == 0, "ban sent by n3");
	free(text);
	trail(w, "n3 bans r1 from n1 for 30 s (n1's clock: %lld)", (long long)written);
	run_for(w, 5000);
	bad |= expect(w, where(w, "r1") && strcmp(where(w, "r1"), "n1"), "r1 left n1");
	int64_t expiry[4] = {0}, gone_at[4] = {0}, gone_epoch[4] = {0};
	uint64_t gone_sim[4] = {0};
	for (unsigned i = 1; i <= 3; i++) {
		int64_t at = -1;
		const ha_cib *c = ha__state_cib(ha__core_state(w->nodes[i].core));
		bad |= expect(w, ha_cib_lifetime(c, ban, 0, &at) == 1 && c->epoch == epoch + 1,
			      "every node has the ban with its expiry");
		expiry[i] = at;
		bad |= expect(w, expiry[i] == expiry[1], "the same expiry everywhere");
	}
	bad |= expect(w, expiry[1] >= written + 29 && expiry[1] <= written + 31,
		      "the expiry is 30 s after the write on the replicated clock (not n3's)");
	/* Watch every node drop it. */
	uint64_t n1_gone_clock = 0;
	for (int k = 0; k < 600; k++) {
		run_for(w, 100);
		for (unsigned i = 1; i <= 3; i++) {
			const ha_state *st = ha__core_state(w->nodes[i].core);
			if (!gone_sim[i] && !ha_cib_has_constraint(ha__state_cib(st), ban)) {
				gone_sim[i] = ha__sim_now(w->sim);
				gone_at[i] = ha__state_now(st);
				gone_epoch[i] = ha__state_cib(st)->epoch;
				if (i == 1)
					n1_gone_clock = ha__sim_node_now(w->sim, 1);
			}
		}
		if (gone_sim[1] && gone_sim[2] && gone_sim[3])
			break;
	}
	for (unsigned i = 1; i <= 3; i++) {
		bad |= expect(w, gone_sim[i] != 0, "the ban expired on every node");
		bad |= expect(w, gone_at[i] == gone_at[1] && gone_at[i] >= expiry[1],
			      "at the same replicated time, not before its expiry");
		bad |= expect(w, gone_epoch[i] == epoch + 2, "as one more configuration epoch");
	}
	int64_t n1_clock = (int64_t)(n1_gone_clock / 1000);
	bad |= expect(w, n1_clock >= expiry[1] && n1_clock <= expiry[1] + 2,
		      "when the replicated clock reached the expiry");
	run_for(w, 20000);
	bad |= expect(w, where(w, "r1") && !strcmp(where(w, "r1"), "n1"), "r1 back on n1 by itself");
	const char *digest = ha__state_config_digest((ha_state *)ha__core_state(w->nodes[1].core));
	for (unsigned i = 2; i <= 3; i++)
		bad |= expect(w, !strcmp(digest, ha__state_config_digest((ha_state *)ha__core_state(w->nodes[i].core))),
			      "the configuration is identical on every node");
	bad |= expect(w, w->violations == 0, "no invariant violated");
	printf("scenario ban-lifetime-clock-skew: %s (expiry %+lld s after the write, gone on n1 at "
	       "t=%.1f s, n2 t=%.1f s, n3 t=%.1f s)\n", bad ? "FAIL" : "ok",
	       (long long)(expiry[1] - written), gone_sim[1] / 1000.0, gone_sim[2] / 1000.0,
	       gone_sim[3] / 1000.0);
	world_free(w);
	g_free(xml);
	return bad;
}

/* ---- random seeds ----------------------------------------------------------------------- */

static GArray *converged_ms; /* uint64_t per seed, ms */

static void cleanup_failcounts(world *w)
{
	node *any = NULL;
	for (unsigned i = 1; i <= w->n && !any; i++)
		if (w->nodes[i].process)
			any = &w->nodes[i];
	if (!any)
		return;
	const ha_cib *cib = ha__state_cib(ha__core_state(any->core));
	GPtrArray *todo = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < cib->status->len; i++) {
		const ha_node_state *ns = g_ptr_array_index(cib->status, i);
		for (guint k = 0; k < ns->attrs->len; k++) {
			const ha_nvset *set = g_ptr_array_index(ns->attrs, k);
			for (guint j = 0; j < set->pairs->len; j++) {
				const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
				if (!strncmp(p->name, "fail-count-", 11)) {
					g_ptr_array_add(todo, g_strdup(ns->uname));
					g_ptr_array_add(todo, g_strdup(p->name));
				}
			}
		}
	}
	for (guint i = 0; i + 1 < todo->len; i += 2)
		ha__core_set_attr(any->core, g_ptr_array_index(todo, i), g_ptr_array_index(todo, i + 1), NULL);
	g_ptr_array_free(todo, TRUE);
}

static unsigned random_seed(uint64_t seed, bool verbose, uint64_t *steps)
{
	GRand *g = g_rand_new_with_seed((guint32)seed);
	unsigned n = (unsigned)g_rand_int_range(g, 2, 6);
	unsigned r = (unsigned)g_rand_int_range(g, 1, 7);
	bool fencing = g_rand_boolean(g);
	bool promotable = g_rand_boolean(g);
	char *xml = make_cib(n, r, fencing, promotable ? PROMOTABLE : NULL,
			     promotable ? PROMOTABLE_PREF : NULL);
	world *w = world_new(seed, n, xml, verbose);
	run_for(w, 15000);
	for (int f = 0; f < 6 && !w->violations; f++) {
		uint32_t x = (uint32_t)g_rand_int_range(g, 1, (gint32)n + 1);
		node *nd = &w->nodes[x];
		switch (g_rand_int_range(g, 0, 10)) {
		case 6:
			ha__sim_cut_after_own_delivery(w->sim, x);
			trail(w, "cut n%u after its next own delivery", x);
			break;
		case 7: {
			char key[64];
			snprintf(key, sizeof(key), "r%d@n%u", g_rand_int_range(g, 1, (gint32)r + 1), x);
			g_hash_table_add(w->fail_start, g_strdup(key));
			trail(w, "starts of %s fail from now on", key);
			break;
		}
		case 8:
			if (nd->process) {
				ha__sim_stall(w->sim, x, true);
				trail(w, "stall n%u", x);
				run_for(w, (uint64_t)g_rand_int_range(g, 100, 40000));
				if (nd->process)
					ha__sim_stall(w->sim, x, false);
				trail(w, "unstall n%u", x);
			}
			break;
		case 9:
			ha__sim_set_clock_offset(w->sim, x, g_rand_int_range(g, -30000, 30000));
			break;
		case 0:
			power_off(w, nd, "crash");
			break;
		case 1:
			power_on(w, nd);
			break;
		case 2:
			ha__sim_isolate(w->sim, x);
			trail(w, "isolate n%u", x);
			break;
		case 3:
			ha__sim_merge(w->sim);
			trail(w, "merge");
			break;
		case 4:
			kill_process(w, nd);
			break;
		case 5:
			if (nd->powered && !nd->process)
				start_process(w, nd);
			break;
		}
		run_for(w, (uint64_t)g_rand_int_range(g, 500, 20000));
	}
	/* Faults stop: heal everything and let it converge. */
	uint64_t t0 = ha__sim_now(w->sim), converged = 0;
	g_hash_table_remove_all(w->fail_start);
	for (unsigned i = 1; i <= n; i++)
		if (w->nodes[i].process)
			ha__sim_stall(w->sim, i, false);
	ha__sim_merge(w->sim);
	for (unsigned i = 1; i <= n; i++) {
		if (!w->nodes[i].powered)
			power_on(w, &w->nodes[i]);
		else if (!w->nodes[i].process)
			start_process(w, &w->nodes[i]);
	}
	bool cleaned = false, remerged = false;
	while (!w->violations && ha__sim_now(w->sim) - t0 < 150000) {
		uint64_t el = ha__sim_now(w->sim) - t0;
		if (!remerged && el >= 20000) {
			/* a pending "cut after own delivery" fires at the next multicast */
			ha__sim_merge(w->sim);
			remerged = true;
		}
		if (!cleaned && el >= 5000) {
			/* what an operator does after failures: clean up the fail counts */
			cleanup_failcounts(w);
			cleaned = true;
		}
		/* a node fenced now reboots (the fence action is a reboot) */
		for (unsigned i = 1; i <= n; i++)
			if (!w->nodes[i].powered && ha__sim_now(w->sim) >= w->nodes[i].off_at + 10000)
				power_on(w, &w->nodes[i]);
		bool all = true;
		for (unsigned i = 1; i <= r && all; i++) {
			char id[8];
			snprintf(id, sizeof(id), "r%u", i);
			all = where(w, id) != NULL;
		}
		if (all && !converged)
			converged = el ? el : 1;
		if (converged && remerged && el >= 25000)
			break;
		run_for(w, 100);
	}
	if (converged)
		g_array_append_val(converged_ms, converged);
	run_for(w, 10000);
	unsigned v = w->violations;
	if (!v) {
		for (unsigned i = 1; i <= r; i++) {
			char id[8];
			snprintf(id, sizeof(id), "r%u", i);
			if (!where(w, id)) {
				fprintf(stderr, "%s\nseed %llu: %s not running after convergence time\n",
					w->trail->str, (unsigned long long)seed, id);
				v++;
			}
		}
	}
	*steps += w->steps;
	world_free(w);
	g_free(xml);
	g_rand_free(g);
	return v;
}

static int cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	converged_ms = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	bool scenarios = false, verbose = false;
	long seeds = 0;
	uint64_t from = 1, one = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--scenarios"))
			scenarios = true;
		else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = atol(argv[++i]);
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			one = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--soak"))
			seeds = 20000;
		else {
			fprintf(stderr, "usage: %s --scenarios | --seeds N [--from S] | --seed S [-v] | --soak\n", argv[0]);
			return 2;
		}
	}
	int bad = 0;
	uint64_t steps = 0;
	unsigned violations = 0;
	long ran = 0;
	if (scenarios) {
		bad |= scenario_startup_and_crash(false);
		bad |= scenario_startup_and_crash(true);
		bad |= scenario_daemon_dies();
		bad |= scenario_partition();
		bad |= scenario_own_claim_cut();
		bad |= scenario_stuck_member();
		bad |= scenario_promotable_partition();
		bad |= scenario_config_change();
		bad |= scenario_param_change(false);
		bad |= scenario_param_change(true);
		bad |= scenario_operator_cleanup_and_fence();
		bad |= scenario_probe_times_out();
		bad |= scenario_skew_failure_timeout();
		bad |= scenario_monitor_failure_in_place();
		bad |= scenario_promotable_notifications();
		bad |= scenario_silent_member();
		bad |= scenario_flapping_member();
		bad |= scenario_join_during_start();
		bad |= scenario_ban_lifetime_skew();
	}
	if (one) {
		violations += random_seed(one, verbose, &steps);
		ran = 1;
	}
	for (long i = 0; i < seeds; i++, ran++) {
		unsigned v = random_seed(from + (uint64_t)i, false, &steps);
		if (v)
			fprintf(stderr, "seed %llu: %u violations (replay: %s --seed %llu -v)\n",
				(unsigned long long)(from + (uint64_t)i), v, argv[0],
				(unsigned long long)(from + (uint64_t)i));
		violations += v;
	}
	if (converged_ms && converged_ms->len) {
		g_array_sort(converged_ms, cmp_u64);
		guint k = converged_ms->len;
		printf("convergence from the last fault to every resource running (virtual time; includes\n"
	       "  the ~3.5 s corosync merge and, where failures banned resources, the operator's\n"
	       "  cleanup at +5 s): median %.1f s, p95 %.1f s, max %.1f s\n",
		       g_array_index(converged_ms, uint64_t, k / 2) / 1000.0,
		       g_array_index(converged_ms, uint64_t, k * 95 / 100) / 1000.0,
		       g_array_index(converged_ms, uint64_t, k - 1) / 1000.0);
	}
	if (seeds || one)
		printf("sim: %ld seeds, %llu steps, %u violations\n", ran, (unsigned long long)steps, violations);
	g_array_free(converged_ms, TRUE);
	return bad || violations ? 1 : 0;
}
