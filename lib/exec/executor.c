/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The executor object and its scheduling: per-resource queues (one operation at a time
 * per resource), the node-wide parallel limit, timeouts, recurring monitors rescheduled
 * from completion, cancellation, the meta-data cache, and delivering results from the
 * main context. It does not know how a class runs (agents.c) or how a process is
 * watched (child.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "exec_private.h"

int64_t ha__now_us(void)
{
	return g_get_monotonic_time();
}

void ha__exec_log(ha_executor *ex, const ha__op *op, ha_exec_log_kind kind, const char *fmt,
		  ...)
{
	va_list ap;

	if (!ex || !ex->log_fn)
		return;
	va_start(ap, fmt);
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ex->log_fn(op->req->resource, op->req->action, op->req->interval_ms, kind, msg,
		   ex->log_ud);
}

/* ---- lifecycle and configuration ---------------------------------------------------- */

static void md_entry_free(gpointer p)
{
	ha__md_entry *e = p;

	ha_agent_metadata_free(e->md);
	g_queue_clear(&e->waiters);
	g_free(e);
}

static void rsc_free(gpointer p)
{
	ha__rsc *r = p;

	g_queue_clear(&r->queue);
	g_queue_clear(&r->recurring);
	g_free(r->id);
	g_free(r);
}

int ha_executor_new(ha_executor **ret)
{
	ha_executor *ex;
	long cores;

	if (!ret)
		return -EINVAL;
	ex = g_new0(ha_executor, 1);
	ex->ocf_root = g_strdup(HA_OCF_ROOT_DEFAULT);
	ex->libexec_dir = g_strdup(HA_LIBEXECDIR);
	ex->lsb_dir = g_strdup("/etc/init.d");
	ex->stonith_dir = g_strdup("/usr/sbin");
	ex->systemctl = g_strdup("/usr/bin/systemctl");
	ex->systemd_run_dir = g_strdup("/run/systemd/system");
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	ex->max_parallel = cores > 0 ? 2 * (unsigned)cores : 2;
	ex->kill_grace_ms = 2000;
	ex->ops = g_hash_table_new(g_int64_hash, g_int64_equal);
	ex->rscs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, rsc_free);
	ex->md_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, md_entry_free);
	ex->embedded = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     ha__embedded_agent_free);
	*ret = ex;
	return 0;
}

static int set_dir(char **dst, const char *dir)
{
	if (!dir || dir[0] != '/')
		return -EINVAL;
	g_free(*dst);
	*dst = g_strdup(dir);
	return 0;
}

int ha_executor_set_ocf_root(ha_executor *ex, const char *dir)
{
	return ex ? set_dir(&ex->ocf_root, dir) : -EINVAL;
}

int ha_executor_set_libexec_dir(ha_executor *ex, const char *dir)
{
	return ex ? set_dir(&ex->libexec_dir, dir) : -EINVAL;
}

int ha_executor_set_lsb_dir(ha_executor *ex, const char *dir)
{
	return ex ? set_dir(&ex->lsb_dir, dir) : -EINVAL;
}

int ha_executor_set_stonith_dir(ha_executor *ex, const char *dir)
{
	return ex ? set_dir(&ex->stonith_dir, dir) : -EINVAL;
}

int ha__executor_set_systemd(ha_executor *ex, const char *systemctl, const char *run_dir)
{
	if (!ex || (systemctl && systemctl[0] != '/') || (run_dir && run_dir[0] != '/'))
		return -EINVAL;
	if (systemctl)
		set_dir(&ex->systemctl, systemctl);
	if (run_dir)
		set_dir(&ex->systemd_run_dir, run_dir);
	return 0;
}

int ha_executor_set_max_parallel(ha_executor *ex, unsigned n)
{
	if (!ex || n == 0 || n > 4096)
		return -EINVAL;
	ex->max_parallel = n;
	return 0;
}

int ha_executor_set_kill_grace(ha_executor *ex, uint32_t ms)
{
	if (!ex || ms > 600000)
		return -EINVAL;
	ex->kill_grace_ms = ms;
	return 0;
}

void ha_executor_set_log(ha_executor *ex, ha_exec_log_fn fn, void *userdata)
{
	if (ex) {
		ex->log_fn = fn;
		ex->log_ud = userdata;
	}
}

unsigned ha_executor_running(const ha_executor *ex)
{
	return ex ? ex->running : 0;
}

unsigned ha_executor_pending(const ha_executor *ex)
{
	GHashTableIter it;
	gpointer v;
	unsigned n;

	if (!ex)
		return 0;
	n = g_queue_get_length((GQueue *)&ex->md_queue);
	g_hash_table_iter_init(&it, ex->rscs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		ha__rsc *r = v;
		n += g_queue_get_length(&r->queue);
		if (r->active && r->active->state == HA__OP_WAIT_MD)
			n++;
	}
	return n;
}

/* ---- ops ------------------------------------------------------------------------------ */

static void drop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

void ha__op_unref(ha__op *op)
{
	if (!op || --op->refs)
		return;
	ha__result_clear(&op->result);
	ha_op_request_free(op->req);
	g_free(op->path);
	g_free(op);
}

static ha__op *op_new(ha_executor *ex, ha_op_request *req, ha__rsc *rsc)
{
	ha__op *op = g_new0(ha__op, 1);

	op->ex = ex;
	op->refs = 1;
	op->id = ++ex->next_id;
	op->req = req;
	op->rsc = rsc;
	if (rsc)
		rsc->refs++;
	op->result.id = op->id;
	op->result.resource = req->resource;
	op->result.agent = req->agent;
	op->result.action = req->action;
	op->result.interval_ms = req->interval_ms;
	ha__result_reset(&op->result);
	g_hash_table_insert(ex->ops, &op->id, op);
	return op;
}

static bool op_recurring(const ha__op *op)
{
	return op->req->interval_ms > 0 && ha__action_is_monitor(op->req->action);
}

static void kick(ha_executor *ex)
{
	if (ex->kick)
		g_source_set_ready_time(ex->kick, 0);
}

static void mark_ready(ha_executor *ex, ha__rsc *rsc)
{
	if (!rsc->active && !rsc->in_ready && !g_queue_is_empty(&rsc->queue)) {
		rsc->in_ready = true;
		g_queue_push_tail(&ex->ready, rsc);
		kick(ex);
	}
}

static void enqueue(ha_executor *ex, ha__op *op)
{
	op->state = HA__OP_QUEUED;
	g_queue_push_tail(&op->rsc->queue, op);
	mark_ready(ex, op->rsc);
}

static void release_rsc(ha_executor *ex, ha__op *op)
{
	if (op->rsc && op->rsc->active == op) {
		op->rsc->active = NULL;
		mark_ready(ex, op->rsc);
	}
}

/* The op leaves the executor: drop its id and its resource reference. */
static void op_retire(ha_executor *ex, ha__op *op)
{
	g_hash_table_remove(ex->ops, &op->id);
	if (op->rsc && --op->rsc->refs == 0) {
		/* Its queued ops may all have been cancelled after it became ready. */
		if (op->rsc->in_ready)
			g_queue_remove(&ex->ready, op->rsc);
		g_hash_table_remove(ex->rscs, op->rsc->id);
	}
	op->rsc = NULL;
	ha__op_unref(op);
}

static void complete_now(ha_executor *ex, ha__op *op, ha_exec_status st, int rc,
			 const char *reason)
{
	op->result.status = st;
	op->result.rc = rc;
	if (reason)
		ha__result_set_reason(&op->result, reason);
	ha__op_finished(ex, op);
}

/* ---- meta-data cache ------------------------------------------------------------------ */

static bool class_has_metadata(ha__agent_class c)
{
	return c == HA__CLASS_OCF || c == HA__CLASS_STONITH;
}

static void cache_metadata(ha_executor *ex, ha__op *op, ha__md_entry *e)
{
	ha_agent_metadata *md = NULL;

	if (op->result.status == HA_EXEC_DONE && op->result.rc == HA_OCF_SUCCESS &&
	    op->result.dropped[0] == 0 &&
	    ha_agent_metadata_parse(op->result.out[0]->str, op->result.out[0]->len, &md,
				    NULL) == 0) {
		ha_agent_metadata_free(e->md);
		e->md = md;
		e->failed = false;
	} else if (!e->md) {
		/* Remembered so every op of a broken agent does not refetch; a fetch that
		 * found no agent is not remembered, the agent may be installed later. */
		e->failed = op->result.status != HA_EXEC_NOT_INSTALLED;
	}
	(void)ex;
}

static void finish_md_fetch(ha_executor *ex, ha__op *op)
{
	ha__md_entry *e = g_hash_table_lookup(ex->md_cache, op->req->agent);

	if (e) {
		e->fetching = false;
		cache_metadata(ex, op, e);
		while (!g_queue_is_empty(&e->waiters))
			g_queue_push_tail(&ex->resume, g_queue_pop_head(&e->waiters));
		if (!e->md && !e->failed)
			g_hash_table_remove(ex->md_cache, op->req->agent);
	}
	kick(ex);
	op_retire(ex, op);
}

/* True if op must wait for its agent's meta-data (for a default timeout). */
static bool park_for_metadata(ha_executor *ex, ha__op *op)
{
	const ha_op_request *req = op->req;
	g_autofree char *path = NULL;
	ha__md_entry *e;

	if (req->timeout_ms || !class_has_metadata(req->spec.cls) ||
	    !strcmp(req->action, "meta-data"))
		return false;
	e = g_hash_table_lookup(ex->md_cache, req->agent);
	if (e && !e->fetching)
		return false;
	/* A missing agent needs no meta-data to fail. */
	if (!e && ha__agent_path(ex, &req->spec, &path) < 0)
		return false;
	if (!e) {
		ha_op_request *fr = ha__op_request_copy(req);
		ha__op *fetch;

		/* Meta-data does not depend on an instance: no resource, no params. */
		g_clear_pointer(&fr->resource, g_free);
		g_clear_pointer(&fr->target, g_free);
		g_ptr_array_set_size(fr->params, 0);
		g_ptr_array_set_size(fr->meta, 0);
		g_free(fr->action);
		fr->action = g_strdup("meta-data");
		fr->interval_ms = 0;
		fetch = op_new(ex, fr, NULL);
		fetch->md_fetch = true;
		fetch->result.interval_ms = 0;
		fetch->state = HA__OP_QUEUED;
		e = g_new0(ha__md_entry, 1);
		e->fetching = true;
		g_hash_table_insert(ex->md_cache, g_strdup(req->agent), e);
		g_queue_push_tail(&ex->md_queue, fetch);
	}
	op->state = HA__OP_WAIT_MD;
	g_queue_push_tail(&e->waiters, op);
	return true;
}

static uint32_t resolve_timeout(ha_executor *ex, const ha__op *op, const ha_agent_metadata *md)
{
	const ha_op_request *req = op->req;
	uint32_t t = 0;

	if (req->timeout_ms)
		return req->timeout_ms;
	if (!md && !op->md_fetch) {
		ha__md_entry *e = g_hash_table_lookup(ex->md_cache, req->agent);
		md = e ? e->md : NULL;
	}
	if (md) {
		t = ha_agent_metadata_timeout_for(md, req->action, req->interval_ms);
		if (!t && req->spec.cls == HA__CLASS_STONITH && !strcmp(req->action, "start"))
			t = ha_agent_metadata_timeout_for(md, "monitor", 0);
	}
	return t ? t : HA__DEFAULT_TIMEOUT_MS;
}

int ha_executor_get_metadata(ha_executor *ex, const char *agent, const ha_agent_metadata **ret)
{
	ha__md_entry *e;

	if (!ex || !agent || !ret)
		return -EINVAL;
	if (g_str_has_prefix(agent, "embedded:")) {
		ha__embedded_agent *a = g_hash_table_lookup(ex->embedded, agent + 9);
		if (!a || !a->md)
			return -ENOENT;
		*ret = a->md;
		return 0;
	}
	e = g_hash_table_lookup(ex->md_cache, agent);
	if (!e || !e->md)
		return -ENOENT;
	*ret = e->md;
	return 0;
}

/* ---- running ----------------------------------------------------------------------------- */

static gboolean on_timeout(gpointer data)
{
	ha__op *op = data;
	ha_executor *ex = op->ex;

	g_source_unref(op->timeout_src);
	op->timeout_src = NULL;
	op->timed_out = true;
	if (op->child) {
		ha__exec_log(ex, op, HA_EXEC_LOG_EVENT, "timed out after %" PRIu32
			     " ms: SIGTERM to process group %d", op->timeout_ms,
			     (int)op->child->pid);
		ha__child_kill(ex, op, SIGTERM);
	} else {
		g_autofree char *why = g_strdup_printf("timed out after %" PRIu32 " ms",
						       op->timeout_ms);
		ha__exec_log(ex, op, HA_EXEC_LOG_EVENT, "%s", why);
		ha__embedded_abandon(op);
		op->result.duration_us = (uint64_t)(ha__now_us() - op->start_us);
		complete_now(ex, op, HA_EXEC_TIMEOUT, HA_OCF_ERR_GENERIC, why);
	}
	return G_SOURCE_REMOVE;
}

static void mark_running(ha_executor *ex, ha__op *op)
{
	op->state = HA__OP_RUNNING;
	op->counted = true;
	ex->running++;
	op->timeout_src = g_timeout_source_new(op->timeout_ms);
	g_source_set_callback(op->timeout_src, on_timeout, op, NULL);
	g_source_attach(op->timeout_src, ex->ctx);
}

static void begin_embedded(ha_executor *ex, ha__op *op)
{
	ha__embedded_agent *a = g_hash_table_lookup(ex->embedded, op->req->spec.type);

	if (!a) {
		complete_now(ex, op, HA_EXEC_NOT_INSTALLED, HA_OCF_ERR_INSTALLED,
			     "embedded agent is not registered");
		return;
	}
	op->timeout_ms = resolve_timeout(ex, op, a->md);
	op->result.timeout_ms = op->timeout_ms;
	if (!strcmp(op->req->action, "meta-data")) {
		if (a->metadata_xml)
			ha__result_capture(&op->result, 0, a->metadata_xml, strlen(a->metadata_xml),
					   HA_AGENT_METADATA_MAX);
		complete_now(ex, op, HA_EXEC_DONE,
			     a->metadata_xml ? HA_OCF_SUCCESS : HA_OCF_ERR_UNIMPLEMENTED, NULL);
		return;
	}
	op->start_us = ha__now_us();
	mark_running(ex, op);
	ha__embedded_start(ex, op, a);
}

static void begin(ha_executor *ex, ha__op *op)
{
	ha__launch l;
	int r;

	ha__result_reset(&op->result);
	op->timed_out = false;
	if (op->req->spec.cls == HA__CLASS_EMBEDDED) {
		begin_embedded(ex, op);
		return;
	}
	if (!op->md_fetch && park_for_metadata(ex, op))
		return;
	op->timeout_ms = resolve_timeout(ex, op, NULL);
	op->result.timeout_ms = op->timeout_ms;
	r = ha__launch_prepare(ex, op, &l);
	if (r < 0) {
		complete_now(ex, op, HA_EXEC_ERROR, HA_OCF_ERR_GENERIC, g_strerror(-r));
		return;
	}
	if (l.immediate) {
		if (l.immediate_out)
			ha__result_capture(&op->result, 0, l.immediate_out, strlen(l.immediate_out),
					   HA_AGENT_METADATA_MAX);
		complete_now(ex, op, l.immediate_status, l.immediate_rc, l.immediate_reason);
		ha__launch_clear(&l);
		return;
	}
	op->start_us = ha__now_us();
	r = ha__child_spawn(ex, op, &l);
	ha__launch_clear(&l);
	if (r < 0) {
		g_autofree char *why = g_strdup_printf("cannot run %s: %s", op->req->agent,
						       g_strerror(-r));
		if (r == -ENOENT)
			complete_now(ex, op, HA_EXEC_NOT_INSTALLED, HA_OCF_ERR_INSTALLED, why);
		else
			complete_now(ex, op, HA_EXEC_ERROR,
				     r == -EACCES || r == -EPERM ? HA_OCF_ERR_PERM
								 : HA_OCF_ERR_GENERIC, why);
		return;
	}
	mark_running(ex, op);
}

void ha__op_finished(ha_executor *ex, ha__op *op)
{
	drop_source(&op->timeout_src);
	if (op->counted) {
		op->counted = false;
		ex->running--;
	}
	op->state = HA__OP_DONE;
	if (op->md_fetch) {
		finish_md_fetch(ex, op);
		return;
	}
	if (!strcmp(op->req->action, "meta-data") && class_has_metadata(op->req->spec.cls) &&
	    op->result.status == HA_EXEC_DONE && op->result.rc == HA_OCF_SUCCESS) {
		ha__md_entry *e = g_hash_table_lookup(ex->md_cache, op->req->agent);
		if (!e) {
			e = g_new0(ha__md_entry, 1);
			g_hash_table_insert(ex->md_cache, g_strdup(op->req->agent), e);
		}
		if (!e->fetching) {
			cache_metadata(ex, op, e);
			if (!e->md)
				g_hash_table_remove(ex->md_cache, op->req->agent);
		}
	}
	release_rsc(ex, op);
	g_queue_push_tail(&ex->done, op);
	kick(ex);
}

/* Start what the parallel limit allows: meta-data fetches first (others wait on them),
 * then ops whose meta-data arrived, then resources in the order they became ready. */
static void start_ready(ha_executor *ex)
{
	/* Bounded: each iteration removes an entry from one of the queues. */
	while (ex->running < ex->max_parallel) {
		ha__op *op;

		if ((op = g_queue_pop_head(&ex->md_queue))) {
			begin(ex, op);
		} else if ((op = g_queue_pop_head(&ex->resume))) {
			begin(ex, op);
		} else {
			ha__rsc *rsc = g_queue_pop_head(&ex->ready);

			if (!rsc)
				break;
			rsc->in_ready = false;
			if (rsc->active || !(op = g_queue_pop_head(&rsc->queue)))
				continue;
			rsc->active = op;
			begin(ex, op);
		}
	}
}

/* ---- recurring monitors and delivery -------------------------------------------------- */

static gboolean on_recur(gpointer data)
{
	ha__op *op = data;
	ha_executor *ex = op->ex;

	g_source_unref(op->recur_src);
	op->recur_src = NULL;
	g_queue_remove(&op->rsc->recurring, op);
	enqueue(ex, op);
	return G_SOURCE_REMOVE;
}

static void reschedule(ha_executor *ex, ha__op *op)
{
	/* From completion, not from the previous start: a slow monitor never runs
	 * back to back with itself. */
	op->state = HA__OP_IDLE;
	g_queue_push_tail(&op->rsc->recurring, op);
	op->recur_src = g_timeout_source_new(op->req->interval_ms);
	g_source_set_callback(op->recur_src, on_recur, op, NULL);
	g_source_attach(op->recur_src, ex->ctx);
}

static void push_cancelled(ha_executor *ex, ha__op *op)
{
	ha__result_reset(&op->result);
	op->result.status = HA_EXEC_CANCELLED;
	op->result.timeout_ms = op->timeout_ms;
	ha__result_set_reason(&op->result, "cancelled");
	op->state = HA__OP_DONE;
	g_queue_push_tail(&ex->done, op);
	kick(ex);
}

static void deliver(ha_executor *ex)
{
	/* Only what is queued now: results pushed by callbacks wait for the next round,
	 * so a callback that keeps cancelling cannot trap us here. */
	guint n = g_queue_get_length(&ex->done);

	while (n--) {
		ha__op *op = g_queue_pop_head(&ex->done);
		bool final = !op_recurring(op) || op->result.status == HA_EXEC_CANCELLED;

		/* Findable during its callback: a stop submitted from there must still
		 * cancel this recurring monitor. */
		ex->delivering = op;
		if (op->cb)
			op->cb(ex, &op->result, op->userdata);
		ex->delivering = NULL;
		if (final)
			op_retire(ex, op);
		else if (op->cancel)
			push_cancelled(ex, op);
		else
			reschedule(ex, op);
	}
}

static gboolean kick_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	ha_executor *ex = data;

	(void)cb;
	g_source_set_ready_time(src, -1);
	start_ready(ex);
	deliver(ex);
	if (!g_queue_is_empty(&ex->done))
		kick(ex);
	return G_SOURCE_CONTINUE;
}

/* const: a mutable file-scope static would be shared by every executor. */
static const GSourceFuncs kick_funcs = {
	.dispatch = kick_dispatch,
};

int ha_executor_attach(ha_executor *ex, GMainContext *ctx)
{
	if (!ex)
		return -EINVAL;
	if (ex->ctx)
		return -EBUSY;
	ex->ctx = g_main_context_ref(ctx ? ctx : g_main_context_default());
	/* GLib takes a non-const pointer but never writes through it. */
	ex->kick = g_source_new((GSourceFuncs *)&kick_funcs, sizeof(GSource));
	g_source_set_callback(ex->kick, NULL, ex, NULL);
	g_source_set_name(ex->kick, "ha-executor");
	g_source_attach(ex->kick, ex->ctx);
	kick(ex);
	return 0;
}

/* ---- submit and cancel ---------------------------------------------------------------- */

static bool fence_only_action(const char *a)
{
	return !strcmp(a, "on") || !strcmp(a, "off") || !strcmp(a, "reboot") ||
	       !strcmp(a, "list") || !strcmp(a, "list-status");
}

static int check_request(ha_executor *ex, const ha_op_request *req)
{
	bool stonith;

	if (!req->resource || !req->agent || !req->action)
		return -EINVAL;
	stonith = req->spec.cls == HA__CLASS_STONITH;
	if (!stonith && (req->target || fence_only_action(req->action)))
		return -EINVAL;
	if (stonith)
		/* One key=value per line: a newline in a value would smuggle in a key. */
		for (guint i = 0; i < req->params->len; i++)
			if (strpbrk(g_ptr_array_index(req->params, i), "\n\r"))
				return -EINVAL;
	if (req->spec.cls == HA__CLASS_EMBEDDED &&
	    !g_hash_table_contains(ex->embedded, req->spec.type))
		return HA_EAGENT;
	return 0;
}

static ha__rsc *rsc_get(ha_executor *ex, const char *id)
{
	ha__rsc *r = g_hash_table_lookup(ex->rscs, id);

	if (!r) {
		r = g_new0(ha__rsc, 1);
		r->id = g_strdup(id);
		g_queue_init(&r->queue);
		g_queue_init(&r->recurring);
		g_hash_table_insert(ex->rscs, r->id, r);
	}
	return r;
}

/* Cancel op if it may be: returns 1 if cancelled (or will be, once killed or after
 * its pending result), 0 if it is a running operation that must finish. */
static int cancel_op(ha_executor *ex, ha__op *op)
{
	ha__md_entry *e;

	switch (op->state) {
	case HA__OP_QUEUED:
		g_queue_remove(&op->rsc->queue, op);
		push_cancelled(ex, op);
		return 1;
	case HA__OP_WAIT_MD:
		e = g_hash_table_lookup(ex->md_cache, op->req->agent);
		if (e)
			g_queue_remove(&e->waiters, op);
		g_queue_remove(&ex->resume, op);
		release_rsc(ex, op);
		push_cancelled(ex, op);
		return 1;
	case HA__OP_IDLE:
		drop_source(&op->recur_src);
		g_queue_remove(&op->rsc->recurring, op);
		push_cancelled(ex, op);
		return 1;
	case HA__OP_RUNNING:
		if (!ha__action_is_monitor(op->req->action))
			return 0;
		if (op->cancel)
			return 1;
		op->cancel = true;
		if (op->child) {
			ha__exec_log(ex, op, HA_EXEC_LOG_EVENT, "cancelled: SIGTERM to process "
				     "group %d", (int)op->child->pid);
			ha__child_kill(ex, op, SIGTERM);
		} else {
			ha__embedded_abandon(op);
			complete_now(ex, op, HA_EXEC_CANCELLED, HA_OCF_ERR_GENERIC, "cancelled");
		}
		return 1;
	case HA__OP_DONE:
		/* Its result is on the way; a recurring one then gets a final
		 * "cancelled" instead of its next run. */
		if (!op_recurring(op) || op->result.status == HA_EXEC_CANCELLED || op->cancel)
			return -1;
		op->cancel = true;
		return 1;
	}
	return 0;
}

int ha_executor_cancel(ha_executor *ex, uint64_t op_id)
{
	ha__op *op;
	int r;

	if (!ex)
		return -EINVAL;
	op = g_hash_table_lookup(ex->ops, &op_id);
	if (!op || op->md_fetch)
		return -ENOENT;
	r = cancel_op(ex, op);
	return r > 0 ? 0 : r == 0 ? -EBUSY : -ENOENT;
}

/* Cancel the ops of rsc that match: every one, or only monitors (for a stop). */
static int cancel_matching(ha_executor *ex, ha__rsc *rsc, bool monitors_only)
{
	g_autoptr(GPtrArray) victims = g_ptr_array_new();
	int n = 0;

	for (GList *l = rsc->queue.head; l; l = l->next)
		g_ptr_array_add(victims, l->data);
	for (GList *l = rsc->recurring.head; l; l = l->next)
		g_ptr_array_add(victims, l->data);
	if (rsc->active)
		g_ptr_array_add(victims, rsc->active);
	for (GList *l = ex->done.head; l; l = l->next)
		if (((ha__op *)l->data)->rsc == rsc)
			g_ptr_array_add(victims, l->data);
	if (ex->delivering && ex->delivering->rsc == rsc)
		g_ptr_array_add(victims, ex->delivering);
	for (guint i = 0; i < victims->len; i++) {
		ha__op *op = g_ptr_array_index(victims, i);

		if (monitors_only && !ha__action_is_monitor(op->req->action))
			continue;
		if (cancel_op(ex, op) > 0)
			n++;
	}
	return n;
}

int ha_executor_cancel_resource(ha_executor *ex, const char *resource)
{
	ha__rsc *rsc;

	if (!ex || !resource)
		return -EINVAL;
	rsc = g_hash_table_lookup(ex->rscs, resource);
	return rsc ? cancel_matching(ex, rsc, false) : 0;
}

int ha_executor_submit(ha_executor *ex, const ha_op_request *req, ha_op_callback cb,
		       void *userdata, uint64_t *op_id)
{
	ha__rsc *rsc;
	ha__op *op;
	int r;

	if (!ex || !req)
		return -EINVAL;
	r = check_request(ex, req);
	if (r < 0)
		return r;
	rsc = rsc_get(ex, req->resource);
	if (!strcmp(req->action, "stop"))
		cancel_matching(ex, rsc, true);
	op = op_new(ex, ha__op_request_copy(req), rsc);
	op->cb = cb;
	op->userdata = userdata;
	enqueue(ex, op);
	if (op_id)
		*op_id = op->id;
	return 0;
}

/* ---- teardown ------------------------------------------------------------------------ */

ha_executor *ha_executor_free(ha_executor *ex)
{
	GHashTableIter it;
	gpointer v;

	if (!ex)
		return NULL;
	g_hash_table_iter_init(&it, ex->ops);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		ha__op *op = v;

		drop_source(&op->timeout_src);
		drop_source(&op->recur_src);
		ha__child_destroy(op);
		ha__embedded_abandon(op);
		op->ex = NULL;
		op->rsc = NULL;
		ha__op_unref(op);
	}
	g_hash_table_destroy(ex->ops);
	g_queue_clear(&ex->ready);
	g_queue_clear(&ex->resume);
	g_queue_clear(&ex->md_queue);
	g_queue_clear(&ex->done);
	g_hash_table_destroy(ex->rscs);
	g_hash_table_destroy(ex->md_cache);
	g_hash_table_destroy(ex->embedded);
	if (ex->kick) {
		g_source_destroy(ex->kick);
		g_source_unref(ex->kick);
	}
	if (ex->ctx)
		g_main_context_unref(ex->ctx);
	g_free(ex->ocf_root);
	g_free(ex->libexec_dir);
	g_free(ex->lsb_dir);
	g_free(ex->stonith_dir);
	g_free(ex->systemctl);
	g_free(ex->systemd_run_dir);
	g_free(ex);
	return NULL;
}
