/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The public cluster handle: hosts the reconciliation loop (core.c) with the real
 * environment — the corosync transport, the executor, GLib timers on the attached
 * main context, the wall clock, and the configuration persisted in the state
 * directory (atomic replace + fsync + numbered backups).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ha/cluster.h>
#include <ha/glib.h>
#include "core.h"

#define HA_BACKUPS 5

typedef struct pending_req {
	uint64_t request;
	ha_cluster_done_fn done;
	void *ud;
} pending_req;

struct ha_cluster {
	char *group;
	char *state_dir;
	GMainContext *ctx;
	ha_executor *ex;
	ha_transport *t;
	ha_core *core;
	ha_cluster_log_fn log;
	void *log_ud;
	ha_cluster_event_fn ev;
	void *ev_ud;
	GPtrArray *reqs;  /* pending_req* */
	ha_cluster_done_fn shutdown_done;
	void *shutdown_ud;
};

typedef struct timer_ctx {
	void (*cb)(void *arg);
	void *arg;
} timer_ctx;

static int64_t env_now(void *ud)
{
	(void)ud;
	return (int64_t)time(NULL);
}

static gboolean timer_fire(gpointer data)
{
	timer_ctx *t = data;
	t->cb(t->arg);
	return G_SOURCE_REMOVE;
}

static uint64_t env_timer_add(void *ud, uint32_t ms, void (*cb)(void *arg), void *arg)
{
	ha_cluster *cl = ud;
	timer_ctx *t = g_new(timer_ctx, 1);
	t->cb = cb;
	t->arg = arg;
	GSource *s = ms ? g_timeout_source_new(ms) : g_idle_source_new();
	g_source_set_callback(s, timer_fire, t, g_free);
	guint id = g_source_attach(s, cl->ctx);
	g_source_unref(s);
	return id;
}

static void env_timer_cancel(void *ud, uint64_t id)
{
	ha_cluster *cl = ud;
	GSource *s = g_main_context_find_source_by_id(cl->ctx, (guint)id);
	if (s)
		g_source_destroy(s);
}

static void env_log(void *ud, int level, const char *msg)
{
	ha_cluster *cl = ud;
	if (cl->log)
		cl->log(cl->log_ud, level, msg);
}

static void env_event(void *ud, const char *json)
{
	ha_cluster *cl = ud;
	if (cl->ev)
		cl->ev(cl->ev_ud, json);
}

static void op_done(ha_executor *ex, const ha_op_result *r, void *userdata)
{
	(void)ex;
	uint64_t *tok = userdata;
	ha_core *core = (ha_core *)(uintptr_t)tok[1];
	int status;
	switch (ha_op_result_status(r)) {
	case HA_EXEC_DONE: status = 0; break;
	case HA_EXEC_TIMEOUT: status = 2; break;
	case HA_EXEC_NOT_INSTALLED: status = 7; break;
	case HA_EXEC_CANCELLED: status = 1; break;
	default: status = 4; break;
	}
	ha__core_exec_done(core, tok[0], ha_op_result_rc(r), status, ha_op_result_exit_reason(r),
			   (uint32_t)(ha_op_result_duration_us(r) / 1000));
	bool final = !ha_op_result_interval(r) || status == 1;
	if (final)
		g_free(tok);
}

static int env_exec(void *ud, const ha_core_exec *op)
{
	ha_cluster *cl = ud;
	ha_op_request *req = NULL;
	int rc = ha_op_request_new(&req);
	if (rc < 0)
		return rc;
	if ((rc = ha_op_request_set_resource(req, op->rsc)) < 0 ||
	    (rc = ha_op_request_set_agent(req, op->agent)) < 0 ||
	    (rc = ha_op_request_set_action(req, op->action)) < 0 ||
	    (rc = ha_op_request_set_interval(req, op->interval_ms)) < 0 ||
	    (rc = ha_op_request_set_timeout(req, op->timeout_ms)) < 0 ||
	    (rc = ha_op_request_set_depth(req, op->depth)) < 0)
		goto out;
	for (size_t i = 0; i < op->n_params; i++)
		if ((rc = ha_op_request_set_param(req, op->params[i].name, op->params[i].value)) < 0)
			goto out;
	for (size_t i = 0; i < op->n_meta; i++)
		if ((rc = ha_op_request_set_meta(req, op->meta[i].name, op->meta[i].value)) < 0)
			goto out;
	if (op->target && (rc = ha_op_request_set_target(req, op->target)) < 0)
		goto out;
	uint64_t *tok = g_new(uint64_t, 2);
	tok[0] = op->token;
	tok[1] = (uint64_t)(uintptr_t)cl->core;
	rc = ha_executor_submit(cl->ex, req, op_done, tok, NULL);
	if (rc < 0)
		g_free(tok);
out:
	ha_op_request_free(req);
	return rc;
}

static void env_cancel(void *ud, const char *rsc)
{
	ha_cluster *cl = ud;
	ha_executor_cancel_resource(cl->ex, rsc);
}

/* Atomic replace with fsync and numbered backups (cib.xml.1 is the previous one). */
static int env_persist(void *ud, const char *xml)
{
	ha_cluster *cl = ud;
	char *path = g_build_filename(cl->state_dir, "cib.xml", NULL);
	char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
	int rc = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	size_t len = strlen(xml), off = 0;
	while (off < len) {
		ssize_t w = write(fd, xml + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc) {
		unlink(tmp);
		goto out;
	}
	for (int i = HA_BACKUPS - 1; i >= 1; i--) {
		char *from = i == 1 ? g_strdup(path) : g_strdup_printf("%s.%d", path, i - 1);
		char *to = g_strdup_printf("%s.%d", path, i);
		if (i == 1) {
			/* keep the current one as .1 by hard link, so cib.xml never disappears */
			unlink(to);
			if (link(from, to) < 0 && errno != ENOENT)
				rc = 0;
		} else {
			rename(from, to);
		}
		g_free(from);
		g_free(to);
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		goto out;
	}
	int dfd = open(cl->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	g_free(tmp);
	g_free(path);
	return rc;
}

static bool env_can_reload(void *ud, const char *agent)
{
	ha_cluster *cl = ud;
	const ha_agent_metadata *md = NULL;
	if (ha_executor_get_metadata(cl->ex, agent, &md) < 0 || !md)
		return false;
	for (size_t i = 0; i < ha_agent_metadata_action_count(md); i++) {
		const char *a = ha_agent_metadata_action_name(md, i);
		if (a && (!strcmp(a, "reload") || !strcmp(a, "reload-agent")))
			return true;
	}
	return false;
}

static void env_config_done(void *ud, uint64_t request, int result)
{
	ha_cluster *cl = ud;
	for (guint i = 0; i < cl->reqs->len; i++) {
		pending_req *p = g_ptr_array_index(cl->reqs, i);
		if (p->request != request)
			continue;
		g_ptr_array_remove_index(cl->reqs, i);
		if (p->done)
			p->done(p->ud, result);
		g_free(p);
		return;
	}
}

static void env_shutdown_done(void *ud)
{
	ha_cluster *cl = ud;
	if (cl->t) {
		ha__transport_free(cl->t); /* leaves the group cleanly */
		cl->t = NULL;
		ha__core_set_transport(cl->core, NULL);
	}
	if (cl->shutdown_done)
		cl->shutdown_done(cl->shutdown_ud, 0);
}

static ha_cib *load_persisted(const char *state_dir, ha_cluster *cl)
{
	char *path = g_build_filename(state_dir, "cib.xml", NULL);
	ha_cib *cib = NULL;
	if (access(path, F_OK) == 0) {
		ha_diag *d = NULL;
		ha_diag_new(&d);
		if (ha_cib_load_file(path, 0, &cib, d) < 0) {
			for (size_t i = 0; i < ha_diag_count(d); i++)
				env_log(cl, LOG_ERR, ha_diag_message(d, i));
			cib = NULL;
		}
		ha_diag_free(d);
	}
	g_free(path);
	if (!cib) {
		static const char empty[] =
			"<cib validate-with=\"pacemaker-3.9\" crm_feature_set=\"3.16.1\" admin_epoch=\"0\" "
			"epoch=\"0\" num_updates=\"0\"><configuration><crm_config/><nodes/><resources/>"
			"<constraints/></configuration><status/></cib>";
		ha_cib_load_memory(empty, sizeof(empty) - 1, "empty", 0, &cib, NULL);
	}
	return cib;
}

int ha_cluster_new(const char *group, const char *state_dir, ha_cluster **ret)
{
	if (!ret)
		return -EINVAL;
	const char *dir = state_dir ? state_dir : "/var/lib/ha";
	struct stat stt;
	if (stat(dir, &stt) < 0)
		return -errno;
	if (!S_ISDIR(stt.st_mode))
		return -ENOTDIR;
	if (access(dir, W_OK) < 0)
		return -errno;
	ha_cluster *cl = g_new0(ha_cluster, 1);
	cl->group = g_strdup(group ? group : "ha");
	cl->state_dir = g_strdup(dir);
	cl->reqs = g_ptr_array_new();
	int rc = ha_executor_new(&cl->ex);
	if (rc < 0) {
		ha_cluster_free(cl);
		return rc;
	}
	*ret = cl;
	return 0;
}

ha_cluster *ha_cluster_free(ha_cluster *cl)
{
	if (!cl)
		return NULL;
	if (cl->t)
		ha__transport_free(cl->t);
	ha__core_free(cl->core);
	ha_executor_free(cl->ex);
	for (guint i = 0; i < cl->reqs->len; i++)
		g_free(g_ptr_array_index(cl->reqs, i));
	g_ptr_array_free(cl->reqs, TRUE);
	g_free(cl->group);
	g_free(cl->state_dir);
	g_free(cl);
	return NULL;
}

ha_executor *ha_cluster_executor(ha_cluster *cl)
{
	return cl ? cl->ex : NULL;
}

void ha_cluster_set_log(ha_cluster *cl, ha_cluster_log_fn fn, void *ud)
{
	cl->log = fn;
	cl->log_ud = ud;
}

void ha_cluster_set_events(ha_cluster *cl, ha_cluster_event_fn fn, void *ud)
{
	cl->ev = fn;
	cl->ev_ud = ud;
}

int ha_cluster_attach(ha_cluster *cl, GMainContext *ctx)
{
	if (!cl)
		return -EINVAL;
	if (cl->ctx)
		return -EBUSY;
	cl->ctx = ctx ? g_main_context_ref(ctx) : g_main_context_ref(g_main_context_default());
	return ha_executor_attach(cl->ex, cl->ctx);
}

int ha_cluster_start(ha_cluster *cl)
{
	if (!cl || !cl->ctx)
		return -EINVAL;
	if (cl->core)
		return -EALREADY;
	ha_core_env env = {
		.ud = cl,
		.now = env_now,
		.timer_add = env_timer_add,
		.timer_cancel = env_timer_cancel,
		.exec = env_exec,
		.cancel = env_cancel,
		.persist = env_persist,
		.log = env_log,
		.event = env_event,
		.config_done = env_config_done,
		.shutdown_done = env_shutdown_done,
		.can_reload = env_can_reload,
	};
	int rc = ha__core_new(&env, load_persisted(cl->state_dir, cl), &cl->core);
	if (rc < 0)
		return rc;
	rc = ha__transport_corosync_new(cl->ctx, ha__core_transport_events(), cl->core, &cl->t);
	if (rc < 0) {
		ha__core_free(cl->core);
		cl->core = NULL;
		return rc;
	}
	ha__core_set_transport(cl->core, cl->t);
	rc = ha__core_join(cl->core, cl->group);
	if (rc < 0) {
		ha__transport_free(cl->t);
		cl->t = NULL;
		ha__core_free(cl->core);
		cl->core = NULL;
	}
	return rc;
}

int ha_cluster_shutdown(ha_cluster *cl, ha_cluster_done_fn done, void *ud)
{
	if (!cl || !cl->core)
		return -EINVAL;
	cl->shutdown_done = done;
	cl->shutdown_ud = ud;
	ha__core_shutdown(cl->core);
	return 0;
}

int ha_cluster_set_config(ha_cluster *cl, const char *xml, int64_t expect_epoch,
			  ha_cluster_done_fn done, void *ud)
{
	if (!cl || !cl->core || !xml)
		return -EINVAL;
	uint64_t req = 0;
	int rc = ha__core_set_config(cl->core, xml, expect_epoch, &req);
	if (rc < 0)
		return rc;
	pending_req *p = g_new0(pending_req, 1);
	p->request = req;
	p->done = done;
	p->ud = ud;
	g_ptr_array_add(cl->reqs, p);
	return 0;
}

int ha_cluster_set_attr(ha_cluster *cl, const char *node, const char *name, const char *value)
{
	if (!cl || !cl->core)
		return -EINVAL;
	return ha__core_set_attr(cl->core, node, name, value);
}

int ha_cluster_cleanup(ha_cluster *cl, const char *rsc, const char *node)
{
	if (!cl || !cl->core || !rsc)
		return -EINVAL;
	return ha__core_cleanup(cl->core, rsc, node);
}

int ha_cluster_fence(ha_cluster *cl, const char *node)
{
	if (!cl || !cl->core || !node)
		return -EINVAL;
	return ha__core_fence(cl->core, node);
}

int ha_cluster_cib(ha_cluster *cl, char **ret)
{
	if (!cl || !cl->core || !ret)
		return -EINVAL;
	return ha_cib_to_string(ha__state_cib(ha__core_state(cl->core)), ret);
}

int64_t ha_cluster_now(const ha_cluster *cl)
{
	return cl && cl->core ? ha__core_now(cl->core) : (int64_t)time(NULL);
}

int64_t ha_cluster_epoch(const ha_cluster *cl)
{
	return cl && cl->core ? ha__state_cib(ha__core_state(cl->core))->epoch : -1;
}

const char *ha_cluster_local_name(const ha_cluster *cl)
{
	return cl && cl->core ? ha__core_local_name(cl->core) : NULL;
}

bool ha_cluster_quorate(const ha_cluster *cl)
{
	return cl && cl->core && ha__state_quorate(ha__core_state(cl->core));
}
