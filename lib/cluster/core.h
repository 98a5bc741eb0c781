/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reconciliation loop, independent of how it is hosted: it is fed the
 * transport's callbacks and the executor's results, and acts through a small
 * environment (clock, timers, spawn, persist, log). had hosts it with corosync, the
 * executor and GLib (cluster.c); the simulation tests with the in-process simulator,
 * a scripted executor and virtual time.
 */
#ifndef HA_CLUSTER_CORE_H
#define HA_CLUSTER_CORE_H

#include "model/model.h"
#include "state/state.h"
#include "transport/transport.h"

typedef struct ha_core ha_core;

typedef struct ha_core_param {
	const char *name, *value;
} ha_core_param;

/* One operation to run on this node. Strings are valid for the call only. */
typedef struct ha_core_exec {
	uint64_t token;       /* hand back to ha__core_exec_done */
	const char *rsc;
	const char *agent;    /* "ocf:ha:IPaddr2", "stonith:fence_x", ... */
	const char *action;
	uint32_t interval_ms; /* > 0: recurring monitor (results keep coming) */
	uint32_t timeout_ms;  /* 0: the agent's default */
	unsigned depth;
	const ha_core_param *params;
	size_t n_params;
	const ha_core_param *meta;
	size_t n_meta;
	const char *target;   /* fencing target */
} ha_core_exec;

typedef struct ha_core_env {
	void *ud;
	int64_t (*now)(void *ud);  /* seconds, this node's clock */
	uint64_t (*timer_add)(void *ud, uint32_t ms, void (*cb)(void *arg), void *arg);
	void (*timer_cancel)(void *ud, uint64_t id);
	int (*exec)(void *ud, const ha_core_exec *op);
	void (*cancel)(void *ud, const char *rsc); /* recurring monitors of rsc */
	int (*persist)(void *ud, const char *xml);  /* the configuration, before acking */
	void (*log)(void *ud, int level, const char *msg);
	void (*event)(void *ud, const char *json);  /* optional */
	void (*config_done)(void *ud, uint64_t request, int result); /* optional */
	void (*shutdown_done)(void *ud);             /* optional */
	/* optional: does the agent advertise reload (or reload-agent)? Then a resource
	 * whose parameters changed is reloaded in place instead of restarted. */
	bool (*can_reload)(void *ud, const char *agent);
} ha_core_env;

/* initial: the persisted configuration (consumed). */
int ha__core_new(const ha_core_env *env, ha_cib *initial, ha_core **ret);
void ha__core_free(ha_core *c);
/* The transport callbacks to create the transport with (ud = the core). */
const ha_transport_events *ha__core_transport_events(void);
void ha__core_set_transport(ha_core *c, ha_transport *t);
int ha__core_join(ha_core *c, const char *group);

void ha__core_exec_done(ha_core *c, uint64_t token, int rc, int op_status,
			const char *exit_reason, uint32_t exec_ms);

/* Constraint lifetimes given as durations (ha_edit_lifetime) become expiries on the
 * replicated clock here, before the change is sent. */
int ha__core_set_config(ha_core *c, const char *xml, int64_t expect_epoch, uint64_t *request);
/* The replicated clock now: the lowest member's last TICK advanced by this node's
 * clock since it was delivered (never behind the replicated state's time). */
int64_t ha__core_now(const ha_core *c);
int ha__core_set_attr(ha_core *c, const char *node, const char *name, const char *value);
void ha__core_shutdown(ha_core *c);
/* Forget rsc's history and fail counts on node (NULL: everywhere): it is re-probed. */
int ha__core_cleanup(ha_core *c, const char *rsc, const char *node);
/* Ask the cluster to fence a node (fencing must be enabled and the cluster quorate). */
int ha__core_fence(ha_core *c, const char *target);

const ha_state *ha__core_state(const ha_core *c);
const char *ha__core_local_name(const ha_core *c);
/* Resources this node believes it runs (its own authority record). */
bool ha__core_runs(const ha_core *c, const char *rsc);
/* Operations in flight on this node. */
unsigned ha__core_busy(const ha_core *c);

#endif
