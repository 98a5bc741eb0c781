/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * In-memory model of the CIB: configuration (nodes, resources, constraints,
 * options) and status (node states, operation history, transient attributes).
 * Plain data: no XML, no I/O, no clocks. Every string is owned by the CIB's string
 * chunk (cib->strings), so model objects never free strings individually.
 */
#ifndef HA_MODEL_H
#define HA_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <ha/cib.h>

/* ---- scores ---------------------------------------------------------------- */

#define HA_INF 1000000

/* Pacemaker's score arithmetic: -INF wins over everything, then +INF; finite sums
 * are clamped to +-INF. */
int ha__score_add(int a, int b);
/* Parse "INFINITY", "+INFINITY", "-INFINITY", "inf", or an integer (clamped).
 * 0 or -EINVAL. */
int ha__score_parse(const char *s, int *out);
/* Writes "INFINITY"/"-INFINITY"/integer into buf (>= 16 bytes); returns buf. */
const char *ha__score_str(int score, char *buf);

/* ---- name/value sets --------------------------------------------------------- */

typedef struct ha_nvpair {
	const char *id; /* may be NULL */
	const char *name;
	const char *value;
} ha_nvpair;

/* One <instance_attributes>/<meta_attributes>/<cluster_property_set> element. */
typedef struct ha_nvset {
	const char *id;
	GArray *pairs; /* of ha_nvpair */
} ha_nvset;

/* GPtrArray of ha_nvset*: the first set/pair that names `name` wins. */
const char *ha__nvsets_get(const GPtrArray *sets, const char *name);
/* Set (replace or append to the first set, creating one with id `set_id`). */
void ha__nvsets_set(GPtrArray *sets, GStringChunk *strings, const char *set_id,
		    const char *name, const char *value);
/* Remove every pair called name. Returns true if something was removed. */
bool ha__nvsets_unset(GPtrArray *sets, const char *name);
GPtrArray *ha__nvsets_new(void);

/* ---- configuration ----------------------------------------------------------- */

typedef enum { HA_RSC_PRIMITIVE = 0, HA_RSC_GROUP, HA_RSC_CLONE } ha_rsc_kind;

/* Roles in Pacemaker's order of "activeness". */
typedef enum {
	HA_ROLE_UNKNOWN = 0,
	HA_ROLE_STOPPED,
	HA_ROLE_STARTED,
	HA_ROLE_UNPROMOTED,
	HA_ROLE_PROMOTED,
} ha_role;

const char *ha__role_str(ha_role r); /* "Started", "Promoted", ... */
/* Accepts current and legacy names (Master/Slave). HA_ROLE_UNKNOWN if invalid. */
ha_role ha__role_parse(const char *s);

typedef struct ha_node_def {
	const char *id;
	const char *uname;
	const char *type; /* NULL or "member" */
	GPtrArray *attrs; /* instance_attributes (standby=on, custom attributes) */
	GPtrArray *utilization; /* kept for round trip; not used for placement */
	int line;
} ha_node_def;

typedef struct ha_op_def {
	const char *id;
	const char *name;     /* start, stop, monitor, promote, ... */
	uint32_t interval_ms; /* 0 for non-recurring */
	uint32_t timeout_ms;  /* 0 = not set */
	const char *role;     /* NULL or a role name */
	const char *on_fail;  /* NULL, ignore, block, stop, restart, fence, standby, demote */
	const char *interval_str; /* as written, for round trip */
	const char *timeout_str;
	const char *enabled;   /* NULL, "true", "false" */
	GPtrArray *attrs;      /* instance_attributes (OCF_CHECK_LEVEL) */
	GPtrArray *meta;
	int line;
} ha_op_def;

typedef struct ha_rsc ha_rsc;
struct ha_rsc {
	const char *id;
	ha_rsc_kind kind;
	int index;           /* dense index in cfg->rsc_all */
	int line;
	ha_rsc *parent;      /* group or clone, or NULL */
	GPtrArray *children; /* group: members; clone: its single child. NULL for primitives */
	/* primitive */
	const char *cls;      /* ocf, lsb, systemd, stonith, embedded */
	const char *provider; /* ocf only */
	const char *type;
	GPtrArray *params; /* instance_attributes */
	GPtrArray *meta;   /* meta_attributes (all kinds) */
	GPtrArray *ops;    /* ha_op_def* */
	/* clone */
	bool promotable;    /* promotable=true meta or <master> element */
	bool legacy_master; /* written as <master> */
	const char *description;
};

typedef enum {
	HA_EXPR_ATTR = 0, /* <expression> */
	HA_EXPR_RULE,     /* nested <rule> */
} ha_expr_kind;

typedef struct ha_rule ha_rule;

typedef struct ha_expr {
	ha_expr_kind kind;
	const char *id;
	const char *attribute;
	const char *operation; /* lt gt lte gte eq ne defined not_defined */
	const char *value;
	const char *type;      /* string integer number version (NULL = default) */
	const char *value_source; /* NULL, literal, param, meta (only literal supported) */
	ha_rule *rule;         /* HA_EXPR_RULE */
	int line;
} ha_expr;

struct ha_rule {
	const char *id;
	int score;
	bool has_score;
	const char *score_str;
	const char *score_attribute;
	const char *boolean_op; /* NULL, "and", "or" */
	const char *role;
	GPtrArray *exprs; /* ha_expr* */
	int line;
};

typedef struct ha_location {
	const char *id;
	const char *rsc;
	const char *node;    /* NULL when rules are used */
	int score;
	const char *score_str;
	const char *role;
	const char *resource_discovery;
	GPtrArray *rules; /* ha_rule* */
	ha_rsc *r;        /* resolved */
	int line;
} ha_location;

typedef struct ha_colocation {
	const char *id;
	const char *rsc;
	const char *with_rsc;
	int score;
	const char *score_str;
	const char *rsc_role;
	const char *with_rsc_role;
	const char *node_attribute;
	ha_rsc *r, *with;
	int line;
} ha_colocation;

typedef enum { HA_ORDER_MANDATORY = 0, HA_ORDER_OPTIONAL, HA_ORDER_SERIALIZE } ha_order_kind;

typedef struct ha_order {
	const char *id;
	const char *first;
	const char *then;
	const char *first_action; /* start stop promote demote; NULL = start */
	const char *then_action;  /* NULL = first_action */
	ha_order_kind kind;
	const char *kind_str;  /* as written (NULL if absent) */
	const char *score_str; /* legacy score= (0 means Optional) */
	bool symmetrical;
	const char *symmetrical_str;
	const char *require_all;
	ha_rsc *r_first, *r_then;
	int line;
} ha_order;

typedef enum { HA_NQP_STOP = 0, HA_NQP_FREEZE, HA_NQP_IGNORE, HA_NQP_DEMOTE } ha_nqp;

/* Cluster options after parsing and defaulting. */
typedef struct ha_options {
	bool symmetric_cluster;      /* true */
	ha_nqp no_quorum_policy;     /* stop */
	bool stonith_enabled;        /* true */
	uint32_t stonith_timeout_ms; /* 60 s */
	bool maintenance_mode;       /* false */
	uint32_t recheck_interval_ms; /* 15 min */
	bool start_failure_is_fatal; /* true */
	bool stop_orphan_resources;  /* true */
	bool startup_fencing;        /* true */
	const char *placement_strategy; /* "default" */
} ha_options;

typedef struct ha_config {
	GPtrArray *crm_config; /* ha_nvset*: cluster_property_set */
	GPtrArray *nodes;      /* ha_node_def* in CIB order */
	GPtrArray *resources;  /* top-level ha_rsc* in CIB order */
	GPtrArray *rsc_all;    /* every ha_rsc* (parents before children), by index */
	GHashTable *rsc_by_id; /* const char* -> ha_rsc* */
	GPtrArray *locations;  /* ha_location* */
	GPtrArray *colocations;
	GPtrArray *orders;
	GPtrArray *rsc_defaults; /* ha_nvset* */
	GPtrArray *op_defaults;
	ha_options opts;        /* derived from crm_config by ha__options_derive */
} ha_config;

/* ---- status ------------------------------------------------------------------ */

/* Pacemaker's op-status values (lrmd execution status). */
enum {
	HA_OPST_PENDING = -1,
	HA_OPST_DONE = 0,
	HA_OPST_CANCELLED = 1,
	HA_OPST_TIMEOUT = 2,
	HA_OPST_NOTSUPPORTED = 3,
	HA_OPST_ERROR = 4,
	HA_OPST_NOTINSTALLED = 7,
	HA_OPST_INVALID = 8,
};

typedef struct ha_lrm_op {
	const char *id;
	const char *operation;
	uint32_t interval_ms;
	int rc;
	int op_status;
	int64_t call_id;
	int64_t last_rc_change; /* seconds, 0 if absent */
	int64_t last_run;
	uint32_t exec_time;
	uint32_t queue_time;
	const char *digest;     /* op-digest */
	const char *exit_reason;
	const char *transition_key;
	const char *transition_magic;
	const char *on_node;
	const char *feature_set;
	int line;
} ha_lrm_op;

typedef struct ha_lrm_rsc {
	const char *id;
	const char *cls, *provider, *type;
	GArray *ops; /* of ha_lrm_op, in document order */
} ha_lrm_rsc;

typedef struct ha_node_state {
	const char *id;
	const char *uname;
	const char *in_ccm;   /* "true"/"false" (or a timestamp in newer Pacemaker) */
	const char *crmd;     /* "online"/"offline" (or a timestamp) */
	const char *join;     /* member, down, pending, banned */
	const char *expected; /* member, down */
	const char *crm_debug_origin;
	bool frozen;          /* libha: its daemon died while corosync stays: hands off for a grace time */
	GPtrArray *lrm;       /* ha_lrm_rsc* */
	GPtrArray *attrs;     /* transient_attributes: ha_nvset* */
	int line;
	/* Other attributes (shutdown, node_fenced, ... as later Pacemakers add them), kept
	 * for round trip: ha_nvpair (id NULL), or NULL if there are none. */
	GArray *other_attrs;
} ha_node_state;

/* The whole CIB (the public ha_cib). */
struct ha_cib {
	GStringChunk *strings;
	int64_t admin_epoch, epoch, num_updates;
	GPtrArray *cib_attrs; /* other <cib> attributes, ha_nvpair* (validate-with, have-quorum...) */
	ha_config cfg;
	GPtrArray *status; /* ha_node_state* */
	const char *source; /* file name for messages */
};

/* Allocation helpers: every string of a CIB comes from its chunk. */
ha_cib *ha__cib_new(void);
const char *ha__str(ha_cib *cib, const char *s);      /* copy into the chunk (NULL-safe) */
const char *ha__str_const(ha_cib *cib, const char *s); /* interned copy */
ha_rsc *ha__rsc_new(ha_rsc_kind kind);
ha_node_state *ha__node_state_new(void);
ha_lrm_rsc *ha__lrm_rsc_new(void);
const char *ha__cib_attr(const ha_cib *cib, const char *name);
void ha__cib_set_attr(ha_cib *cib, const char *name, const char *value);

/* Lookups (linear; callers that need speed index themselves). */
ha_rsc *ha__rsc_find(const ha_config *cfg, const char *id);
ha_node_def *ha__node_find(const ha_config *cfg, const char *uname);
ha_node_state *ha__node_state_find(const ha_cib *cib, const char *uname);
/* A node's "<rsc>_last_0" entry (its last non-recurring operation on rsc), or NULL;
 * *lr (if given) is the resource's history. */
const ha_lrm_op *ha__lrm_last_op(const ha_node_state *ns, const char *rsc, const ha_lrm_rsc **lr);

/* Derive cfg->opts from crm_config. Invalid values: error text in *err (static or from
 * the chunk), returns -EINVAL. */
int ha__options_derive(ha_cib *cib, const char **err);

/* Effective meta attribute of a resource: its own, then its parents' explicit metas,
 * then rsc_defaults. NULL if not set anywhere. */
const char *ha__rsc_meta(const ha_config *cfg, const ha_rsc *r, const char *name);

/* Primitives below r (r itself for a primitive), in order. */
void ha__rsc_primitives(const ha_rsc *r, GPtrArray *out);

/* Deep structural comparison of two CIBs (used by round-trip tests and ha_cib_equal). */
bool ha__cib_equal(const ha_cib *a, const ha_cib *b);

/* Parse an interval/timeout like "10s", "10000ms", "1min", "PT10S" or "10" (seconds)
 * to milliseconds. 0 or -EINVAL. */
int ha__interval_parse(const char *s, uint32_t *ms);
/* Boolean as Pacemaker reads it: true/on/yes/y/1 and false/off/no/n/0. -EINVAL else. */
int ha__bool_parse(const char *s, bool *out);

/* libha's parameter digest of a primitive's instance attributes ("ha1:" + hex),
 * recorded as op-digest on the operations libha writes; a running resource whose
 * recorded digest (in this format) differs is restarted. Digests in other formats
 * (Pacemaker's) are never compared. buf must hold HA_DIGEST_LEN bytes. */
#define HA_DIGEST_LEN 72
#define HA_DIGEST_PREFIX "ha1:"
const char *ha__rsc_digest(const ha_rsc *r, char *buf);

/* Deep copies into dst's string chunk (status moves between CIBs when the
 * configuration is replaced). */
ha_node_state *ha__node_state_copy(ha_cib *dst, const ha_node_state *ns);
void ha__node_state_free(ha_node_state *ns);
/* Replace dst's status by a copy of src's. */
void ha__cib_copy_status(ha_cib *dst, const ha_cib *src);

/* Forget rsc's operation history and fail counts on node (NULL: every node), as a
 * cleanup does: the resource becomes unknown there and is probed again. Returns how
 * many entries were removed. */
unsigned ha__cib_forget(ha_cib *cib, const char *rsc, const char *node);

#endif
