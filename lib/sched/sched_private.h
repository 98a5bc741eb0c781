/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Types shared by the scheduler's stages. Each stage is a function with explicit
 * inputs and outputs (nodes -> status -> scores -> assignment -> actions); the
 * struct below only carries their results, each filled by exactly one stage.
 */
#ifndef HA_SCHED_PRIVATE_H
#define HA_SCHED_PRIVATE_H

#include <stdint.h>
#include "scheduler.h"
#include "util/util.h"

/* "Not allowed at all" (different from -INFINITY, which is allowed but unusable):
 * Pacemaker's allowed-nodes table simply has no entry for such a node. */
#define SC_NONE INT32_MIN

typedef struct sc_node {
	int idx;
	const char *uname;
	const char *id;
	bool online;     /* member of the cluster and running the resource manager */
	bool unclean;    /* lost without a clean shutdown: must be fenced */
	bool standby;
	bool maintenance;
	bool fence;      /* the plan fences it */
	bool frozen;     /* its daemon is gone but corosync stays: leave its resources alone */
	GHashTable *attrs; /* name -> value: node attributes, transient ones, #uname, #id */
	int assigned;    /* resources assigned to it in this run (tie-break rule 2) */
	bool has_failures; /* it has fail-count-* attributes */
	GHashTable *fails; /* resource id -> sc_fail: fail-count-* / last-failure-* summed */
} sc_node;

typedef struct sc_fail {
	int count;
	int64_t last;
} sc_fail;

/* What the operation history says about one primitive on one node. There is one
 * per primitive and node (160,000 for 5,000 resources on 32 nodes, read by several
 * stages), so it is kept to 24 bytes: the rarely set failure details live apart, in
 * sched.info, which `info` indexes (0 = none; see sc_failed_op() and friends). */
typedef struct sc_state {
	const char *digest;  /* op-digest of the last successful start (or probe) */
	int fail_count;
	uint32_t monitor_ms; /* recurring monitor interval seen */
	uint32_t info;       /* index in sched.info, 0 = no failure details */
	uint8_t role : 3;    /* ha_role; HA_ROLE_UNKNOWN = never probed there */
	bool failed : 1;     /* last relevant op failed: needs recovery on this node */
	bool stop_failed : 1; /* a stop failed: the node must be fenced (or it is blocked) */
	bool blocked : 1;    /* on-fail=block: leave it alone */
	bool pending : 1;
} sc_state;

/* Failure details of a state. Shared, never changed, once the status stage is over:
 * copies of a state (clone instances) may point at the same one. */
typedef struct sc_state_info {
	const char *failed_op; /* description of the failure, for status output */
	const char *exit_reason;
	int64_t last_failure;
} sc_state_info;

typedef struct sc_rsc sc_rsc;

typedef struct sc_coloc {
	const char *id;
	sc_rsc *dep;  /* "rsc" */
	sc_rsc *prim; /* "with-rsc" */
	int score;
	ha_role dep_role;  /* HA_ROLE_UNKNOWN = any */
	ha_role prim_role;
	const char *node_attr; /* NULL = #uname */
	bool internal;     /* group member chaining */
	/* The resources as configured (a group where dep/prim is one of its members):
	 * Pacemaker sorts colocation lists by these. */
	sc_rsc *orig_dep, *orig_prim;
} sc_coloc;

/* One step in the history of a resource's node scores, for explanations. */
typedef enum {
	WHY_BASE = 0,     /* symmetric 0 / not allowed */
	WHY_LOCATION,
	WHY_RULE,
	WHY_STICKINESS,
	WHY_FAILCOUNT,
	WHY_STOPPED_ROLE, /* target-role=Stopped */
	WHY_UNMANAGED,
	WHY_COLOC,        /* this resource's colocation with another */
	WHY_COLOC_MERGE,  /* resources colocated with this one */
	WHY_COLOC_ROLLBACK,
	WHY_GROUP,
	WHY_PROMOTION,
	WHY_CLONE,
} sc_why_kind;

typedef struct sc_why {
	uint8_t kind;
	int node;     /* node index */
	int before, after;
	const char *ref;   /* constraint id, attribute, ... */
	const char *other; /* other resource id */
	int next;     /* the resource's next entry in the log, -1 = last */
} sc_why;

/* Every resource's score history in one log, each resource's entries chained in
 * order: about 15 entries per resource, 100,000 for 5,000 resources on 32 nodes;
 * an array per resource cost an allocation and several reallocations each. Fixed
 * blocks, so appending never moves an entry. */
#define SC_WHY_BLOCK 1024
typedef struct sc_whylog {
	GPtrArray *blocks; /* sc_why[SC_WHY_BLOCK] */
	int len;
} sc_whylog;

struct sc_rsc {
	const ha_rsc *r;
	sc_rsc *parent;
	GPtrArray *children; /* sc_rsc* (group members, clone instances) */
	int idx;             /* index in sched->rscs */
	int prim_idx;        /* index into per-primitive status arrays, -1 if not */
	int priority;
	bool managed;
	bool target_stopped; /* target-role=Stopped */
	ha_role target_role;
	int stickiness;
	int migration_threshold; /* 0 = disabled */
	int64_t failure_timeout; /* seconds, 0 = none */
	bool unique;         /* unique resource (not a clone instance) */
	bool promotable;
	int clone_max, clone_node_max, promoted_max, promoted_node_max;
	int instance;        /* clone instance number, -1 otherwise */

	int *score;          /* [nnodes], SC_NONE = not allowed */
	GPtrArray *this_with; /* sc_coloc*: this is the dependent, sorted */
	GPtrArray *with_this; /* sc_coloc*: this is the primary, sorted */
	sc_whylog *whylog;   /* the plan's log (sched.why) */
	int why_first, why_last; /* this resource's entries in it, -1 = none */

	/* current state (primitives): where it is active, from sc_state */
	int running_on;      /* the node it is active on if exactly one, else -1 */
	int n_active;        /* number of nodes where active (role >= Started, or failed) */
	ha_role cur_role;
	/* Summaries of its sc_state row (status.c), so that later stages need not read
	 * the whole row (10 MB for 5,000 resources on 32 nodes) again and again. */
	bool any_fail_count; /* some node has fail_count > 0 */
	bool any_blocked;    /* some node has blocked, or stop_failed without fencing */
	bool any_unknown;    /* some node has role unknown and nothing pending */

	/* assignment */
	bool provisional;
	bool allocating;
	bool merging;
	int node;            /* assigned node, -1 = none */
	int end_node;        /* where it runs once the plan is executed, -1 = nowhere */
	bool needs_start;    /* a start on node is part of the plan */
	bool restart;        /* restart in place */
	const char *restart_reason; /* NULL: parameters changed; else the order forcing it */
	ha_role next_role;
	const char *stop_reason; /* why it will not run (for explanations) */
	bool unrunnable;     /* start blocked by an order/quorum/etc. */
	bool blocked;        /* cannot be managed (failed stop without fencing, block) */
	bool hard_error;     /* failed with rc 2/6: banned everywhere until cleaned up */
	int promo_score;     /* promotable instances */
	int prefer;          /* node to prefer when scores tie (clone pre-assignment), -1 */
	int *final_score;    /* snapshot of score at assignment time (explanations) */
	int *promo_loc;      /* clones: role=Promoted location scores per node (or NULL) */
	/* clones, once assigned: the instances (borrowed) in the order Pacemaker keeps
	 * its children list in from then on — assignment order, then promotion order
	 * for promotable clones — which is the order colocations with it are applied */
	GPtrArray *inst_order;
};

/* Actions. */
typedef enum {
	ACT_STOP = 0,
	ACT_DEMOTE,
	ACT_START,
	ACT_PROMOTE,
	ACT_MONITOR, /* probe (interval 0) or recurring */
	ACT_FENCE,
	ACT_NOTIFY,
} sc_act_kind;

typedef struct sc_action {
	int id;
	sc_act_kind kind;
	sc_rsc *rsc;         /* NULL for fencing */
	int node;
	uint32_t interval_ms;
	bool runnable;
	bool optional;
	bool pseudo;         /* implied (e.g. a stop implied by fencing): nothing runs */
	const char *notify;  /* ACT_NOTIFY: "pre-start", "post-promote", ... */
	const char *reason;  /* "move", "recover", "restart (parameters changed)", ... */
	GArray *after;       /* int: ids of actions that must complete first; NULL = none
			      * (most actions wait for nothing: no array for them) */
} sc_action;

static inline guint sc_n_after(const sc_action *a)
{
	return a->after ? a->after->len : 0;
}

static inline int sc_after_at(const sc_action *a, guint i)
{
	return g_array_index(a->after, int, i);
}

typedef struct sched {
	const ha_cib *cib;
	const ha_config *cfg;
	const ha_options *opts;
	int64_t now;
	bool have_quorum;
	int default_stickiness; /* resolved rsc_defaults, else 0 */
	int nnodes;
	sc_node *nodes;
	GPtrArray *rscs;     /* sc_rsc*: every resource (parents before children) */
	GPtrArray *prims;    /* sc_rsc*: primitives (incl. clone instances) */
	GHashTable *by_id;   /* id -> sc_rsc* (instances as "id:N") */
	sc_state *states;    /* [prims->len * nnodes] */
	GPtrArray *colocs;   /* sc_coloc* (owned) */
	GPtrArray *top;      /* top-level sc_rsc* in assignment order */
	GPtrArray *orphans;  /* lrm entries of resources not in the config: (node, id) */
	GPtrArray *actions;  /* sc_action* */
	GPtrArray *unsupported; /* messages: features not scheduled yet */
	ha_diag *diag;
	bool incomplete;
	GStringChunk *strings;
	GArray *info;        /* sc_state_info; [0] is the empty one */
	sc_whylog why;       /* explanations of every resource's scores */
	int64_t *failure_timeout; /* seconds, by cfg->rsc_all index (status stage) */
} sched;

static inline sc_state *sc_state_at(const sched *s, const sc_rsc *p, int node)
{
	return &s->states[(size_t)p->prim_idx * s->nnodes + node];
}

static inline const sc_state_info *sc_info(const sched *s, const sc_state *st)
{
	static const sc_state_info none;
	return st->info && s->info ? &g_array_index(s->info, sc_state_info, st->info) : &none;
}

static inline const char *sc_failed_op(const sched *s, const sc_state *st)
{
	return sc_info(s, st)->failed_op;
}

static inline const char *sc_exit_reason(const sched *s, const sc_state *st)
{
	return sc_info(s, st)->exit_reason;
}

static inline int64_t sc_last_failure(const sched *s, const sc_state *st)
{
	return sc_info(s, st)->last_failure;
}

/* Node is up and may run resources (Pacemaker's pcmk__node_available without score). */
static inline bool sc_node_usable(const sc_node *n)
{
	return n->online && !n->unclean && !n->standby && !n->maintenance;
}

/* Stages. */
int ha__sc_nodes(sched *s);          /* nodes.c: online/standby/attrs */
int ha__sc_rscs(sched *s);           /* rsc.c: sc_rsc tree, metas, colocations */
int ha__sc_status(sched *s);         /* status.c: op history -> sc_state, current roles */
int ha__sc_scores(sched *s);         /* scores.c: locations, rules, stickiness, failures */
int ha__sc_assign(sched *s);         /* assign.c: placement */
int ha__sc_actions(sched *s);        /* actions.c: actions + ordering + runnability */

/* Assignment helpers shared by assign.c and clone.c. */
void ha__sc_assign_rsc(sched *s, sc_rsc *x);
void ha__sc_assign_clone(sched *s, sc_rsc *c);
void ha__sc_unassign(sched *s, sc_rsc *x);
bool ha__sc_any_available(const sched *s, const int *score);
void ha__sc_merge(sched *s, sc_rsc *rsc, int *nodes, const char *attr, float factor,
		  bool only_positive);
void ha__sc_apply_this_with(sched *s, sc_rsc *x, const sc_coloc *c);
void ha__sc_merge_dependents(sched *s, sc_rsc *x);

/* rsc.c: Pacemaker's colocation list orders (priority, clones first, then groups,
 * then id of the primary / of the dependent). */
int ha__sc_cmp_coloc_primary(const sc_coloc *x, const sc_coloc *y);
int ha__sc_cmp_coloc_dependent(const sc_coloc *x, const sc_coloc *y);

bool ha__sc_rule_matches(const sched *s, const ha_rule *rule, const sc_node *n, int *score);

/* Explanations: record how a score table changed. */
void ha__sc_why(sc_rsc *r, sc_why_kind kind, int node, int before, int after,
		const char *ref, const char *other);
void ha__sc_why_diff(sc_rsc *r, sc_why_kind kind, const int *before, int nnodes,
		     const char *ref, const char *other);
/* r's explanations in order: for (w = ha__sc_why_first(r); w; w = ha__sc_why_next(r, w)) */
const sc_why *ha__sc_why_first(const sc_rsc *r);
const sc_why *ha__sc_why_next(const sc_rsc *r, const sc_why *w);
void ha__sc_whylog_free(sc_whylog *log);

sc_action *ha__sc_action_new(sched *s, sc_act_kind kind, sc_rsc *r, int node);
void ha__sc_order(sc_action *then, const sc_action *first);

void ha__sched_free(sched *s);

#endif
