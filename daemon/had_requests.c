/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What had does for each hactl request: read the CIB, apply a configuration (schema
 * and agent meta-data checked first, then the scheduler run on the would-be CIB — the
 * same path for --dry-run, which stops there), set node attributes, clean up failures,
 * and serve the event history. Authentication happened in had_ipc.c; this file
 * checks what a read-only client may do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "had.h"

/* ---- helpers -------------------------------------------------------------------------- */

static void reply_error(had_client *cl, int32_t id, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reply_error(had_client *cl, int32_t id, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	const char *f = msg;
	had_reply(cl, id, err, &f, 1);
	g_free(msg);
}

static void reply_text(had_client *cl, int32_t id, const char *a, const char *b)
{
	const char *f[2] = {a ? a : "", b ? b : ""};
	had_reply(cl, id, 0, f, 2);
}

static char *diag_text(const ha_diag *dg)
{
	GString *s = g_string_new(NULL);
	for (size_t i = 0; dg && i < ha_diag_count(dg); i++)
		g_string_append_printf(s, "%s%s\n",
				       ha_diag_severity_of(dg, i) == HA_DIAG_WARNING ? "warning: " : "",
				       ha_diag_message(dg, i));
	return g_string_free(s, FALSE);
}

/* The cluster's current CIB, loaded. */
static int snapshot(had *d, ha_cib **ret)
{
	char *xml = NULL;
	int r = ha_cluster_cib(d->cl, &xml);
	if (r < 0)
		return r;
	r = ha_cib_load_memory(xml, strlen(xml), "cluster", HA_CIB_NO_SCHEMA, ret, NULL);
	free(xml);
	return r;
}

/* The transition the scheduler computes for cib now, as text. */
static char *plan_text(const ha_cib *cib)
{
	ha_plan *plan = NULL;
	char *txt = NULL;
	ha_diag *dg = NULL;
	ha_diag_new(&dg);
	int r = ha_plan_compute(cib, (int64_t)time(NULL), &plan, dg);
	if (r == 0 && ha_plan_format(plan, HA_FORMAT_ACTIONS, &txt) == 0) {
		char *warn = diag_text(dg);
		char *all = g_strconcat(txt, *warn ? "\n" : "", warn, NULL);
		free(txt);
		g_free(warn);
		txt = strdup(all);
		g_free(all);
	} else if (r < 0) {
		char *m = g_strdup_printf("the scheduler failed: %s\n", ha_strerror(r));
		txt = strdup(m);
		g_free(m);
	}
	ha_plan_free(plan);
	ha_diag_free(dg);
	return txt;
}

static bool denied(had_client *cl, const had_ipc_msg *req)
{
	if (cl->may_write || (req->flags & HAD_IPC_DRY_RUN))
		return false;
	had_log(LOG_NOTICE, "denied %s to uid %u (pid %d): not root or in group haclient",
		had_ipc_cmd_name(req->id), (unsigned)cl->uid, (int)cl->pid);
	reply_error(cl, req->id, -EACCES,
		    "permission denied: changes need root or membership in the haclient group");
	return true;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* ---- HELLO, CIB -------------------------------------------------------------------------- */

static void serve_hello(had_client *cl)
{
	had *d = cl->d;
	char epoch[32];
	snprintf(epoch, sizeof(epoch), "%" PRId64, ha_cluster_epoch(d->cl));
	const char *name = ha_cluster_local_name(d->cl);
	const char *f[5] = {name ? name : "", HA_VERSION_STRING, cl->may_write ? "rw" : "ro", epoch,
			    ha_cluster_quorate(d->cl) ? "1" : "0"};
	had_reply(cl, HAD_IPC_HELLO, 0, f, 5);
}

static void serve_cib(had_client *cl)
{
	had *d = cl->d;
	char *xml = NULL;
	int r = ha_cluster_cib(d->cl, &xml);
	if (r < 0) {
		reply_error(cl, HAD_IPC_CIB, r, "cannot read the cluster state: %s", ha_strerror(r));
		return;
	}
	char epoch[32], now[32];
	snprintf(epoch, sizeof(epoch), "%" PRId64, ha_cluster_epoch(d->cl));
	snprintf(now, sizeof(now), "%" PRId64, ha_cluster_now(d->cl));
	const char *name = ha_cluster_local_name(d->cl);
	const char *f[5] = {xml, epoch, name ? name : "", ha_cluster_quorate(d->cl) ? "1" : "0", now};
	had_reply(cl, HAD_IPC_CIB, 0, f, 5);
	free(xml);
}

/* ---- CONFIG: validate, schedule, apply ------------------------------------------------------- */

typedef struct cfg_req {
	had_client *cl;
	char *xml;
	int64_t expect;
	bool dry_run;
	ha_cib *cib;       /* the would-be CIB */
	char **prims;      /* changed primitives to check against their agents */
	unsigned waiting;  /* meta-data fetches in flight */
	GString *errors;
	char *plan;
} cfg_req;

static void cfg_req_free(cfg_req *q)
{
	had_client_unref(q->cl);
	free(q->xml);
	ha_cib_free(q->cib);
	ha_strv_free(q->prims);
	g_string_free(q->errors, TRUE);
	free(q->plan);
	g_free(q);
}

static void cfg_done(void *ud, int result)
{
	cfg_req *q = ud;
	char epoch[32];
	had *d = q->cl->d;

	snprintf(epoch, sizeof(epoch), "%" PRId64, ha_cluster_epoch(d->cl));
	if (result < 0) {
		had_log(LOG_NOTICE, "configuration change from uid %u rejected: %s",
			(unsigned)q->cl->uid, ha_strerror(result));
		reply_error(q->cl, HAD_IPC_CONFIG, result, "the cluster rejected the change: %s",
			    ha_strerror(result));
	} else {
		had_log(LOG_INFO, "configuration epoch %s applied (uid %u)", epoch,
			(unsigned)q->cl->uid);
		reply_text(q->cl, HAD_IPC_CONFIG, q->plan, epoch);
	}
	cfg_req_free(q);
}

static bool checks_params(const char *agent)
{
	return !strncmp(agent, "ocf:", 4) || !strncmp(agent, "stonith:", 8);
}

/* Check every changed primitive against its agent's meta-data (all fetched now). */
static void validate_params(cfg_req *q)
{
	ha_executor *ex = ha_cluster_executor(q->cl->d->cl);
	for (char **p = q->prims; *p; p++) {
		char *agent = NULL, **params = NULL;
		const ha_agent_metadata *md;
		ha_op_request *req = NULL;
		ha_diag *dg = NULL;
		if (ha_cib_rsc_agent(q->cib, *p, &agent) < 0)
			continue;
		if (!checks_params(agent) || ha_executor_get_metadata(ex, agent, &md) < 0) {
			free(agent);
			continue; /* not installed: reported when the fetch failed */
		}
		ha_diag_new(&dg);
		ha_op_request_new(&req);
		int r = ha_op_request_set_agent(req, agent);
		if (r == 0)
			r = ha_cib_rsc_params(q->cib, *p, &params);
		bool stonith = !strncmp(agent, "stonith:", 8);
		for (char **kv = params; r == 0 && kv && kv[0] && kv[1]; kv += 2) {
			/* pcmk_* parameters of a fence device are the fencer's (host lists,
			 * delays), not the agent's: its meta-data does not list them. */
			if (stonith && !strncmp(kv[0], "pcmk_", 5))
				continue;
			if ((r = ha_op_request_set_param(req, kv[0], kv[1])) < 0)
				g_string_append_printf(q->errors, "resource %s: parameter name '%s' "
						       "is not usable ([A-Za-z0-9_-] only)\n", *p, kv[0]);
		}
		if (r == 0 && ha_op_request_validate(req, md, dg) < 0) {
			char *t = diag_text(dg);
			g_string_append_printf(q->errors, "resource %s: %s", *p, t);
			g_free(t);
		}
		ha_strv_free(params);
		ha_op_request_free(req);
		ha_diag_free(dg);
		free(agent);
	}
}

/* All checks passed or failed: reply (dry run, rejection) or apply. */
static void cfg_continue(cfg_req *q)
{
	had *d = q->cl->d;
	validate_params(q);
	if (q->errors->len) {
		reply_error(q->cl, HAD_IPC_CONFIG, HA_ESCHEMA,
			    "the change does not fit the agents' meta-data; nothing changed:\n%s",
			    q->errors->str);
		cfg_req_free(q);
		return;
	}
	q->plan = plan_text(q->cib);
	if (q->dry_run) {
		char epoch[32];
		snprintf(epoch, sizeof(epoch), "%" PRId64, ha_cluster_epoch(d->cl));
		reply_text(q->cl, HAD_IPC_CONFIG, q->plan, epoch);
		cfg_req_free(q);
		return;
	}
	int r = ha_cluster_set_config(d->cl, q->xml, q->expect, cfg_done, q);
	if (r < 0) {
		reply_error(q->cl, HAD_IPC_CONFIG, r, "the change cannot be applied now: %s",
			    ha_strerror(r));
		cfg_req_free(q);
	}
}

typedef struct md_fetch {
	cfg_req *q;
	char *agent;
} md_fetch;

static void on_metadata(ha_executor *ex, const ha_op_result *res, void *ud)
{
	md_fetch *f = ud;
	cfg_req *q = f->q;
	const ha_agent_metadata *md;

	if (ha_executor_get_metadata(ex, f->agent, &md) < 0) {
		const char *why = ha_op_result_exit_reason(res);
		g_string_append_printf(q->errors, "agent %s is not usable on node %s: %s (%s)\n",
				       f->agent, ha_cluster_local_name(q->cl->d->cl),
				       ha_exec_status_name(ha_op_result_status(res)),
				       why ? why : ha_ocf_rc_name(ha_op_result_rc(res)));
	}
	g_free(f->agent);
	g_free(f);
	if (--q->waiting == 0)
		cfg_continue(q);
}

/* Fetch the meta-data of every agent of a changed primitive that is not cached yet. */
static void fetch_metadata(cfg_req *q)
{
	ha_executor *ex = ha_cluster_executor(q->cl->d->cl);
	GHashTable *asked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	unsigned n = 0;
	for (char **p = q->prims; *p; p++) {
		char *agent = NULL;
		const ha_agent_metadata *md;
		if (ha_cib_rsc_agent(q->cib, *p, &agent) < 0)
			continue;
		if (!checks_params(agent) || ha_executor_get_metadata(ex, agent, &md) == 0 ||
		    g_hash_table_contains(asked, agent)) {
			free(agent);
			continue;
		}
		ha_op_request *req = NULL;
		char id[32];
		snprintf(id, sizeof(id), "_had_metadata_%u", n++);
		ha_op_request_new(&req);
		int r = ha_op_request_set_agent(req, agent);
		if (r == 0)
			r = ha_op_request_set_action(req, "meta-data");
		if (r == 0)
			r = ha_op_request_set_resource(req, id);
		md_fetch *f = g_new0(md_fetch, 1);
		f->q = q;
		f->agent = g_strdup(agent);
		q->waiting++;
		if (r == 0)
			r = ha_executor_submit(ex, req, on_metadata, f, NULL);
		if (r < 0) {
			q->waiting--;
			g_string_append_printf(q->errors, "resource %s: agent %s: %s\n", *p, agent,
					       ha_strerror(r));
			g_free(f->agent);
			g_free(f);
		}
		g_hash_table_add(asked, g_strdup(agent));
		ha_op_request_free(req);
		free(agent);
	}
	g_hash_table_destroy(asked);
	if (q->waiting == 0)
		cfg_continue(q);
}

static void serve_config(had_client *cl, const had_ipc_msg *req)
{
	had *d = cl->d;
	const char *xml = had_ipc_field(req, 0);
	int64_t expect;
	ha_cib *cib = NULL, *cur = NULL;
	ha_diag *dg = NULL;

	if (denied(cl, req))
		return;
	if (!xml || !parse_i64(had_ipc_field(req, 1), &expect) || expect < -1) {
		reply_error(cl, req->id, -EINVAL, "malformed configuration request");
		return;
	}
	ha_diag_new(&dg);
	int r = ha_cib_load_memory(xml, strlen(xml), "the new configuration", 0, &cib, dg);
	if (r < 0) {
		char *t = diag_text(dg);
		reply_error(cl, req->id, r, "the new configuration is invalid; nothing changed:\n%s", t);
		g_free(t);
		ha_diag_free(dg);
		return;
	}
	ha_diag_free(dg);
	cfg_req *q = g_new0(cfg_req, 1);
	q->cl = had_client_ref(cl);
	q->xml = strdup(xml);
	q->expect = expect;
	q->dry_run = req->flags & HAD_IPC_DRY_RUN;
	q->cib = cib;
	q->errors = g_string_new(NULL);
	/* Only what changed is checked against the agents: an unchanged resource whose
	 * agent is missing on this node must not block unrelated changes. */
	if (snapshot(d, &cur) < 0)
		cur = NULL;
	ha_cib_changed_primitives(cur, cib, &q->prims);
	ha_cib_free(cur);
	fetch_metadata(q);
}

/* ---- ATTR, CLEANUP ------------------------------------------------------------------------- */

static void serve_attr(had_client *cl, const had_ipc_msg *req)
{
	had *d = cl->d;
	const char *node = had_ipc_field(req, 0), *name = had_ipc_field(req, 1);
	const char *value = had_ipc_field(req, 2);
	ha_cib *cib = NULL;

	if (denied(cl, req))
		return;
	if (!node || !name) {
		reply_error(cl, req->id, -EINVAL, "malformed attribute request");
		return;
	}
	int r = snapshot(d, &cib);
	if (r == 0)
		r = ha_edit_status_attr(cib, node, name, value);
	if (r < 0) {
		reply_error(cl, req->id, r, "cannot set attribute %s on node %s: %s", name, node,
			    ha_strerror(r));
		ha_cib_free(cib);
		return;
	}
	char *plan = plan_text(cib);
	ha_cib_free(cib);
	if (!(req->flags & HAD_IPC_DRY_RUN) && (r = ha_cluster_set_attr(d->cl, node, name, value)) < 0)
		reply_error(cl, req->id, r, "cannot set attribute %s on node %s: %s", name, node,
			    ha_strerror(r));
	else
		reply_text(cl, req->id, plan, NULL);
	free(plan);
}

/* Count the transient attributes (fail counts, last failures) that a cleanup of
 * before removed in after. */
static int count_attr_cleanup(const ha_cib *before, const ha_cib *after, unsigned *n)
{
	char **nodes = NULL;
	int r = ha_cib_nodes(before, &nodes);
	for (char **node = nodes; r == 0 && *node; node++) {
		char **a = NULL, **b = NULL;
		if (ha_cib_node_attrs(before, *node, true, &a) < 0) {
			continue;
		}
		ha_cib_node_attrs(after, *node, true, &b);
		for (char **kv = a; r == 0 && kv[0] && kv[1]; kv += 2) {
			bool kept = false;
			for (char **kw = b; kw && kw[0] && kw[1] && !kept; kw += 2)
				kept = !strcmp(kv[0], kw[0]);
			if (!kept)
				(*n)++;
		}
		ha_strv_free(a);
		ha_strv_free(b);
	}
	ha_strv_free(nodes);
	return r;
}

static void serve_cleanup(had_client *cl, const had_ipc_msg *req)
{
	had *d = cl->d;
	const char *rsc = had_ipc_field(req, 0), *node = had_ipc_field(req, 1);
	ha_cib *before = NULL, *after = NULL;
	unsigned n = 0;

	if (denied(cl, req))
		return;
	if (!rsc) {
		reply_error(cl, req->id, -EINVAL, "malformed cleanup request");
		return;
	}
	if (node && !*node)
		node = NULL;
	int r = snapshot(d, &before);
	if (r == 0)
		r = snapshot(d, &after);
	if (r == 0)
		/* The dry run shows the failure counts going; the cleanup itself also makes
		 * the cluster forget the operation history, so the resource is probed again
		 * (ha_cluster_cleanup). */
		r = ha_edit_status_clear_failures(after, rsc, node);
	if (r < 0) {
		reply_error(cl, req->id, r, "cannot clean up %s%s%s: %s", rsc, node ? " on " : "",
			    node ? node : "", r == -ENOENT ? "no such resource" : ha_strerror(r));
		ha_cib_free(before);
		ha_cib_free(after);
		return;
	}
	char *plan = plan_text(after);
	if (!(req->flags & HAD_IPC_DRY_RUN)) {
		r = count_attr_cleanup(before, after, &n);
		if (r == 0)
			r = ha_cluster_cleanup(d->cl, rsc, node);
	}
	if (r < 0)
		reply_error(cl, req->id, r, "cleanup of %s failed: %s", rsc, ha_strerror(r));
	else {
		char count[32];
		snprintf(count, sizeof(count), "%u", n);
		reply_text(cl, req->id, plan, count);
		if (!(req->flags & HAD_IPC_DRY_RUN))
			had_log(LOG_INFO, "cleanup of %s%s%s by uid %u: %u attribute(s) removed", rsc,
				node ? " on " : "", node ? node : "", (unsigned)cl->uid, n);
	}
	free(plan);
	ha_cib_free(before);
	ha_cib_free(after);
}

static void serve_fence(had_client *cl, const had_ipc_msg *req)
{
	if (denied(cl, req))
		return;
	const char *node = had_ipc_field(req, 0);
	if (!node || !*node) {
		reply_error(cl, req->id, -EINVAL, "malformed fence request");
		return;
	}
	if (req->flags & HAD_IPC_DRY_RUN) {
		reply_text(cl, req->id, "would fence the node (power it off through its fence device)", NULL);
		return;
	}
	int r = ha_cluster_fence(cl->d->cl, node);
	if (r == -ENOENT)
		reply_error(cl, req->id, r, "%s is not a node of this cluster", node);
	else if (r == -EPERM)
		reply_error(cl, req->id, r, "fencing is disabled (stonith-enabled=false): nothing done");
	else if (r < 0)
		reply_error(cl, req->id, r, "cannot fence %s: %s", node, ha_strerror(r));
	else {
		had_log(LOG_WARNING, "fencing of %s requested by uid %u", node, (unsigned)cl->uid);
		reply_text(cl, req->id, "fencing requested", NULL);
	}
}

/* ---- events ------------------------------------------------------------------------------------ */

void had_event_record(had *d, const char *json)
{
	if (strlen(json) >= HAD_IPC_FIELD_MAX) {
		had_log(LOG_WARNING, "dropped an oversized event (%zu bytes)", strlen(json));
		return;
	}
	/* Stamp it (ms since the epoch: every namespace shares CLOCK_REALTIME). */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	char *line = json[0] == '{' && json[1] != '}'
			     ? g_strdup_printf("{\"time\":%lld,%s", ms, json + 1)
			     : g_strdup_printf("{\"time\":%lld,\"event\":\"unknown\"}", ms);
	d->events_seen++;
	g_queue_push_tail(d->events, line);
	while (g_queue_get_length(d->events) > HAD_EVENTS_MAX)
		g_free(g_queue_pop_head(d->events));
	had_broadcast_event(d, line);
}

static void serve_events(had_client *cl, const had_ipc_msg *req)
{
	had *d = cl->d;
	int64_t max = HAD_EVENTS_MAX;
	const char *m = had_ipc_field(req, 0);
	if (m && (!parse_i64(m, &max) || max < 0)) {
		reply_error(cl, req->id, -EINVAL, "malformed events request");
		return;
	}
	guint len = g_queue_get_length(d->events);
	guint skip = (int64_t)len > max ? len - (guint)max : 0;
	GString *out = g_string_new(NULL);
	guint i = 0;
	for (GList *l = d->events->head; l; l = l->next, i++)
		if (i >= skip)
			g_string_append_printf(out, "%s\n", (char *)l->data);
	reply_text(cl, req->id, out->str, NULL);
	g_string_free(out, TRUE);
	if (req->flags & HAD_IPC_FOLLOW)
		cl->follow = true;
}

void had_serve(had_client *cl, const had_ipc_msg *req)
{
	switch (req->id) {
	case HAD_IPC_HELLO:
		serve_hello(cl);
		break;
	case HAD_IPC_CIB:
		serve_cib(cl);
		break;
	case HAD_IPC_CONFIG:
		serve_config(cl, req);
		break;
	case HAD_IPC_ATTR:
		serve_attr(cl, req);
		break;
	case HAD_IPC_CLEANUP:
		serve_cleanup(cl, req);
		break;
	case HAD_IPC_FENCE:
		serve_fence(cl, req);
		break;
	case HAD_IPC_EVENTS:
		serve_events(cl, req);
		break;
	default:
		reply_error(cl, req->id, -EOPNOTSUPP, "unknown request");
	}
}
