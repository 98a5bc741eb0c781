/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Executor tests with real processes: the agents in tests/unit/exec/agents run through
 * a temporary OCF root, with real (short) timeouts. Each test owns a private main
 * context, frees everything, and checks that no SIGCHLD handler appeared.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ha/ha.h>

#include "exec/exec.h"
#include "test_exec.h"

typedef struct rec {
	uint64_t id;
	char *rsc;
	char *action;
	uint32_t interval;
	ha_exec_status status;
	int rc;
	int exit_code;
	char *reason;
	uint64_t dur_us;
	uint32_t timeout;
	char *out;
	char *err;
	uint64_t out_dropped;
	ha_op_severity sev;
	int64_t t_us;
} rec;

typedef struct fx {
	char *tmp;
	char *data;  /* tests/unit/exec */
	GMainContext *ctx;
	ha_executor *ex;
	GPtrArray *recs;
	struct sigaction chld_before;
	uint64_t stdout_bytes_logged; /* via the log callback */
	unsigned events_logged;
	unsigned max_running;
} fx;

static void rec_free(gpointer p)
{
	rec *r = p;

	g_free(r->rsc);
	g_free(r->action);
	g_free(r->reason);
	g_free(r->out);
	g_free(r->err);
	g_free(r);
}

static void on_result(ha_executor *ex, const ha_op_result *res, void *ud)
{
	fx *f = ud;
	rec *r = g_new0(rec, 1);

	r->id = ha_op_result_id(res);
	r->rsc = g_strdup(ha_op_result_resource(res));
	r->action = g_strdup(ha_op_result_action(res));
	r->interval = ha_op_result_interval(res);
	r->status = ha_op_result_status(res);
	r->rc = ha_op_result_rc(res);
	r->exit_code = ha_op_result_exit_code(res);
	r->reason = g_strdup(ha_op_result_exit_reason(res));
	r->dur_us = ha_op_result_duration_us(res);
	r->timeout = ha_op_result_timeout(res);
	r->out = g_strdup(ha_op_result_stdout(res));
	r->err = g_strdup(ha_op_result_stderr(res));
	r->out_dropped = ha_op_result_stdout_dropped(res);
	r->sev = ha_op_result_severity(res);
	r->t_us = g_get_monotonic_time();
	if (ha_executor_running(ex) > f->max_running)
		f->max_running = ha_executor_running(ex);
	g_ptr_array_add(f->recs, r);
}

static void on_log(const char *rsc, const char *action, uint32_t interval,
		   ha_exec_log_kind kind, const char *line, void *ud)
{
	fx *f = ud;

	(void)rsc;
	(void)action;
	(void)interval;
	if (kind == HA_EXEC_LOG_STDOUT)
		f->stdout_bytes_logged += strlen(line);
	else if (kind == HA_EXEC_LOG_EVENT)
		f->events_logged++;
}

static char *tmp_path(const fx *f, const char *name)
{
	return g_build_filename(f->tmp, name, NULL);
}

static int setup(void **state)
{
	fx *f = g_new0(fx, 1);
	const char *data = getenv("HA_TEST_DATA");

	assert_non_null(data);
	sigaction(SIGCHLD, NULL, &f->chld_before);
	f->data = g_strdup(data);
	f->tmp = g_strdup("/tmp/ha-exec-test.XXXXXX");
	assert_non_null(g_mkdtemp(f->tmp));
	g_autofree char *rd = g_build_filename(f->tmp, "ocf", "resource.d", NULL);
	assert_int_equal(g_mkdir_with_parents(rd, 0755), 0);
	g_autofree char *target = g_build_filename(data, "agents", "ocf", NULL);
	g_autofree char *link = g_build_filename(rd, "test", NULL);
	assert_int_equal(symlink(target, link), 0);
	f->ctx = g_main_context_new();
	f->recs = g_ptr_array_new_with_free_func(rec_free);
	assert_int_equal(ha_executor_new(&f->ex), 0);
	g_autofree char *ocf = g_build_filename(f->tmp, "ocf", NULL);
	assert_int_equal(ha_executor_set_ocf_root(f->ex, ocf), 0);
	assert_int_equal(ha_executor_set_kill_grace(f->ex, 200), 0);
	ha_executor_set_log(f->ex, on_log, f);
	assert_int_equal(ha_executor_attach(f->ex, f->ctx), 0);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	fx *f = *state;
	struct sigaction after;

	ha_executor_free(f->ex);
	/* Let sources destroyed by the free run their cleanup. */
	while (g_main_context_iteration(f->ctx, FALSE))
		;
	g_main_context_unref(f->ctx);
	sigaction(SIGCHLD, NULL, &after);
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	g_ptr_array_free(f->recs, TRUE);
	g_free(f->tmp);
	g_free(f->data);
	/* The library must never take SIGCHLD over from its embedder (checked after the
	 * cleanup, so a failure leaves nothing behind). */
	bool same = after.sa_handler == f->chld_before.sa_handler &&
		    (after.sa_flags & SA_SIGINFO) == (f->chld_before.sa_flags & SA_SIGINFO);
	g_free(f);
	assert_true(same);
	return 0;
}

static gboolean on_deadline(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

/* Iterate until n results arrived; fails after max_ms. */
static void wait_results(fx *f, guint n, guint max_ms)
{
	bool expired = false;
	GSource *t = g_timeout_source_new(max_ms);

	g_source_set_callback(t, on_deadline, &expired, NULL);
	g_source_attach(t, f->ctx);
	while (f->recs->len < n && !expired)
		g_main_context_iteration(f->ctx, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	if (f->recs->len < n)
		fail_msg("only %u of %u results after %u ms", f->recs->len, n, max_ms);
}

/* Iterate for ms (for "nothing else happens" checks). */
static void spin(fx *f, guint ms)
{
	bool expired = false;
	GSource *t = g_timeout_source_new(ms);

	g_source_set_callback(t, on_deadline, &expired, NULL);
	g_source_attach(t, f->ctx);
	while (!expired)
		g_main_context_iteration(f->ctx, TRUE);
	g_source_unref(t);
}

static ha_op_request *req_new(const char *rsc, const char *agent, const char *action,
			      uint32_t interval, uint32_t timeout, ...)
{
	ha_op_request *req;
	va_list ap;
	const char *n;

	assert_int_equal(ha_op_request_new(&req), 0);
	assert_int_equal(ha_op_request_set_resource(req, rsc), 0);
	assert_int_equal(ha_op_request_set_agent(req, agent), 0);
	assert_int_equal(ha_op_request_set_action(req, action), 0);
	assert_int_equal(ha_op_request_set_interval(req, interval), 0);
	assert_int_equal(ha_op_request_set_timeout(req, timeout), 0);
	va_start(ap, timeout);
	while ((n = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		assert_int_equal(ha_op_request_set_param(req, n, v), 0);
	}
	va_end(ap);
	return req;
}

/* Submit and free the request; params as name, value, ..., NULL. */
#define submit(f, rsc, agent, action, interval, timeout, ...)                                 \
	submit_req(f, req_new(rsc, agent, action, interval, timeout, __VA_ARGS__))

static uint64_t submit_req(fx *f, ha_op_request *req)
{
	uint64_t id = 0;

	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), 0);
	assert_true(id > 0);
	ha_op_request_free(req);
	return id;
}

static rec *rec_at(fx *f, guint i)
{
	return g_ptr_array_index(f->recs, i);
}

static rec *rec_of(fx *f, uint64_t id)
{
	for (guint i = 0; i < f->recs->len; i++)
		if (rec_at(f, i)->id == id)
			return rec_at(f, i);
	fail_msg("no result for op %" PRIu64, id);
	return NULL;
}

/* A process is gone when /proc has no entry for it or only a zombie. */
static bool proc_alive(pid_t pid)
{
	g_autofree char *p = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *s = NULL;
	const char *end;

	if (!g_file_get_contents(p, &s, NULL, NULL))
		return false;
	end = strrchr(s, ')');
	return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

/* Processes (not zombies) in process group pgid. */
static unsigned group_members(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char state;
		int ppid, pgrp;
		g_autofree char *p = NULL;
		g_autofree char *s = NULL;
		const char *end;

		if (!g_ascii_isdigit(e->d_name[0]))
			continue;
		p = g_strdup_printf("/proc/%s/stat", e->d_name);
		if (!g_file_get_contents(p, &s, NULL, NULL) || !(end = strrchr(s, ')')))
			continue;
		if (sscanf(end + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z' && state != 'X')
			n++;
	}
	closedir(d);
	return n;
}

/* Kill and reap (we are the subreaper) a process a test agent left behind. */
static void kill_orphan(pid_t pid)
{
	kill(pid, SIGKILL);
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		g_usleep(5000);
	}
}

static void read_pids(const char *file, pid_t *a, pid_t *b)
{
	g_autofree char *s = NULL;
	int x = 0, y = 0;

	assert_true(g_file_get_contents(file, &s, NULL, NULL));
	assert_true(sscanf(s, "%d %d", &x, &y) >= 1);
	*a = x;
	if (b)
		*b = y;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_success(void **state)
{
	fx *f = *state;
	uint64_t id = submit(f, "r1", "ocf:test:tester", "start", 0, 5000, NULL);
	rec *r;

	assert_int_equal(ha_executor_pending(f->ex), 1);
	wait_results(f, 1, 5000);
	r = rec_of(f, id);
	assert_int_equal(r->status, HA_EXEC_DONE);
	assert_int_equal(r->rc, HA_OCF_SUCCESS);
	assert_int_equal(r->exit_code, 0);
	assert_int_equal(r->sev, HA_OP_OK);
	assert_string_equal(r->rsc, "r1");
	assert_string_equal(r->action, "start");
	assert_null(r->reason);
	assert_true(r->dur_us > 0 && r->dur_us < 5000000);
	assert_int_equal(r->timeout, 5000);
	assert_non_null(strstr(r->err, "tester start done"));
	assert_true(f->events_logged >= 2); /* spawned, exited */
	assert_int_equal(ha_executor_running(f->ex), 0);
	assert_int_equal(ha_executor_pending(f->ex), 0);
	/* nothing else is delivered */
	spin(f, 50);
	assert_int_equal(f->recs->len, 1);
}

static void test_error_rcs(void **state)
{
	static const int rcs[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191, 42};
	fx *f = *state;
	uint64_t ids[G_N_ELEMENTS(rcs)];

	for (size_t i = 0; i < G_N_ELEMENTS(rcs); i++) {
		g_autofree char *rsc = g_strdup_printf("rc%d", rcs[i]);
		g_autofree char *rc = g_strdup_printf("%d", rcs[i]);
		ids[i] = submit(f, rsc, "ocf:test:tester", "monitor", 0, 5000, "rc", rc,
				"reason", "because of reasons", NULL);
	}
	wait_results(f, G_N_ELEMENTS(rcs), 10000);
	for (size_t i = 0; i < G_N_ELEMENTS(rcs); i++) {
		rec *r = rec_of(f, ids[i]);
		assert_int_equal(r->status, HA_EXEC_DONE);
		assert_int_equal(r->exit_code, rcs[i]);
		assert_int_equal(r->rc, rcs[i] == 42 ? HA_OCF_ERR_GENERIC : rcs[i]);
		assert_string_equal(r->reason, "because of reasons");
		assert_int_equal(r->sev, ha_op_classify("monitor", 0, HA_EXEC_DONE, r->rc));
	}
	assert_int_equal(rec_of(f, ids[1])->sev, HA_OP_NOT_RUNNING); /* probe rc 2 */
	assert_int_equal(rec_of(f, ids[5])->sev, HA_OP_HARD_RESOURCE);
	assert_int_equal(rec_of(f, ids[9])->sev, HA_OP_DEGRADED);
	assert_int_equal(rec_of(f, ids[11])->sev, HA_OP_SOFT);
}

static void test_timeout_kills_group(void **state)
{
	fx *f = *state;
	g_autofree char *pids = tmp_path(f, "pids");
	pid_t agent, child;
	uint64_t id;
	rec *r;

	id = submit(f, "slow", "ocf:test:tester", "start", 0, 300, "sleep", "10", "child",
		    pids, "trapterm", "1", NULL);
	wait_results(f, 1, 5000);
	r = rec_of(f, id);
	assert_int_equal(r->status, HA_EXEC_TIMEOUT);
	assert_int_equal(r->rc, HA_OCF_ERR_GENERIC);
	assert_int_equal(r->sev, HA_OP_SOFT);
	assert_non_null(r->reason);
	assert_non_null(strstr(r->reason, "timed out after 300 ms"));
	/* TERM is ignored by the whole group: KILL after the 200 ms grace */
	assert_true(r->dur_us >= 450000 && r->dur_us < 3000000);
	read_pids(pids, &agent, &child);
	assert_true(agent > 1 && child > 1);
	for (int i = 0; i < 100 && (proc_alive(child) || group_members(agent)); i++)
		g_usleep(10000);
	assert_false(proc_alive(agent));
	assert_false(proc_alive(child));
	assert_int_equal(group_members(agent), 0);
	kill_orphan(child);
}

static void test_timeout_term(void **state)
{
	fx *f = *state;
	g_autofree char *pids = tmp_path(f, "pids");
	pid_t agent, child;
	uint64_t id;
	rec *r;

	/* An agent that dies on SIGTERM: done long before the (here 3 s) grace. */
	assert_int_equal(ha_executor_set_kill_grace(f->ex, 3000), 0);
	id = submit(f, "slow", "ocf:test:tester", "monitor", 0, 200, "sleep", "10", "child",
		    pids, NULL);
	wait_results(f, 1, 5000);
	r = rec_of(f, id);
	assert_int_equal(r->status, HA_EXEC_TIMEOUT);
	assert_int_equal(r->sev, HA_OP_SOFT);
	assert_true(r->dur_us >= 200000 && r->dur_us < 2000000);
	read_pids(pids, &agent, &child);
	for (int i = 0; i < 100 && group_members(agent); i++)
		g_usleep(10000);
	assert_int_equal(group_members(agent), 0);
	kill_orphan(child);
}

static void test_daemon_keeps_pipe(void **state)
{
	fx *f = *state;
	g_autofree char *pidf = tmp_path(f, "daemon");
	pid_t daemon;
	uint64_t id;
	rec *r;

	id = submit(f, "d", "ocf:test:tester", "start", 0, 10000, "daemon", pidf, NULL);
	wait_results(f, 1, 3000);
	r = rec_of(f, id);
	assert_int_equal(r->status, HA_EXEC_DONE);
	assert_int_equal(r->rc, 0);
	assert_true(r->dur_us < 5000000); /* the daemon lives 30 s */
	assert_non_null(strstr(r->err, "tester start done"));
	read_pids(pidf, &daemon, NULL);
	/* the daemon still holds the pipe; the operation did not wait for it */
	assert_true(proc_alive(daemon));
	kill_orphan(daemon);
}

static void test_huge_output(void **state)
{
	fx *f = *state;
	uint64_t id;
	rec *r;

	id = submit(f, "big", "ocf:test:tester", "start", 0, 10000, "output", "1000000",
		    "reason", "said a lot", NULL);
	wait_results(f, 1, 10000);
	r = rec_of(f, id);
	assert_int_equal(r->status, HA_EXEC_DONE);
	assert_int_equal(strlen(r->out), HA_EXEC_OUTPUT_MAX);
	assert_int_equal(r->out_dropped, 1000000 - HA_EXEC_OUTPUT_MAX);
	assert_int_equal(f->stdout_bytes_logged, 1000000);
	assert_string_equal(r->reason, "said a lot");
}

static void test_missing_agent(void **state)
{
	fx *f = *state;
	uint64_t a = submit(f, "m1", "ocf:test:nonexistent", "monitor", 0, 1000, NULL);
	uint64_t b = submit(f, "m2", "ocf:nope:tester", "start", 0, 0, NULL);
	uint64_t c = submit(f, "m3", "stonith:fence_nonexistent", "monitor", 0, 0, NULL);
	uint64_t d = submit(f, "m4", "lsb:nonexistent", "start", 0, 0, NULL);

	wait_results(f, 4, 3000);
	assert_int_equal(rec_of(f, a)->status, HA_EXEC_NOT_INSTALLED);
	assert_int_equal(rec_of(f, a)->rc, HA_OCF_ERR_INSTALLED);
	assert_int_equal(rec_of(f, a)->sev, HA_OP_NOT_RUNNING); /* probe */
	assert_non_null(strstr(rec_of(f, a)->reason, "not installed"));
	assert_int_equal(rec_of(f, b)->status, HA_EXEC_NOT_INSTALLED);
	assert_int_equal(rec_of(f, b)->sev, HA_OP_HARD_NODE);
	assert_int_equal(rec_of(f, c)->status, HA_EXEC_NOT_INSTALLED);
	assert_int_equal(rec_of(f, d)->status, HA_EXEC_NOT_INSTALLED);
}

static void test_submit_errors(void **state)
{
	fx *f = *state;
	ha_op_request *req;
	uint64_t id = 77;

	ha_op_request_new(&req);
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), -EINVAL);
	ha_op_request_set_resource(req, "r");
	ha_op_request_set_agent(req, "ocf:test:tester");
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), -EINVAL);
	ha_op_request_set_action(req, "reboot"); /* fencing action on an ocf agent */
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), -EINVAL);
	ha_op_request_set_action(req, "start");
	ha_op_request_set_target(req, "node1");
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), -EINVAL);
	ha_op_request_free(req);
	req = req_new("r", "embedded:unregistered", "start", 0, 0, NULL);
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), HA_EAGENT);
	ha_op_request_free(req);
	req = req_new("r", "stonith:fence_test", "monitor", 0, 0, "passwd", "x\nplug=other", NULL);
	assert_int_equal(ha_executor_submit(f->ex, req, on_result, f, &id), -EINVAL);
	ha_op_request_free(req);
	assert_int_equal(id, 77); /* untouched on failure */
	assert_int_equal(ha_executor_attach(f->ex, f->ctx), -EBUSY);
	assert_int_equal(ha_executor_set_ocf_root(f->ex, "relative"), -EINVAL);
	assert_int_equal(ha_executor_set_max_parallel(f->ex, 0), -EINVAL);
	assert_int_equal(ha_executor_cancel(f->ex, 12345), -ENOENT);
	spin(f, 30);
	assert_int_equal(f->recs->len, 0); /* a failed call never calls back */
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return "(unset)";
}

static void test_env(void **state)
{
	static const char evil[] = "a b;$(touch /tmp/ha-exec-pwned)`id`'\"|&<>*";
	fx *f = *state;
	g_autofree char *envf = tmp_path(f, "env");
	g_autofree char *contents = NULL;
	g_auto(GStrv) env = NULL;
	ha_op_request *req;
	uint64_t id;

	setenv("HA_EXEC_TEST_LEAK", "1", 1);
	unlink("/tmp/ha-exec-pwned");
	assert_int_equal(ha_executor_set_libexec_dir(f->ex, "/opt/ha/libexec"), 0);
	req = req_new("web-ip:1", "ocf:test:tester", "monitor", 15000, 7000, "envfile", envf,
		      "ip", "192.0.2.10", "my-param", "dash", "evil", evil, NULL);
	assert_int_equal(ha_op_request_set_depth(req, 10), 0);
	assert_int_equal(ha_op_request_set_meta(req, "clone-max", "3"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "clone_node_max", "1"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "clone", "1"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "notify", "true"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "notify_type", "pre"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "notify_operation", "start"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "notify_start_uname", "node1 node2"), 0);
	assert_int_equal(ha_op_request_set_meta(req, "notify-active-uname", "node3"), 0);
	assert_int_equal(ha_op_request_set_param(req, "ip", "192.0.2.11"), 0); /* replaces */
	id = submit_req(f, req);
	wait_results(f, 1, 5000);
	assert_int_equal(rec_of(f, id)->rc, 0);
	ha_executor_cancel(f->ex, id);
	wait_results(f, 2, 5000);
	unsetenv("HA_EXEC_TEST_LEAK");

	assert_true(g_file_get_contents(envf, &contents, NULL, NULL));
	env = g_strsplit(contents, "\n", -1);
	g_autofree char *root = g_build_filename(f->tmp, "ocf", NULL);
	assert_string_equal(env_get(env, "OCF_ROOT"), root);
	assert_string_equal(env_get(env, "OCF_RA_VERSION_MAJOR"), "1");
	assert_string_equal(env_get(env, "OCF_RA_VERSION_MINOR"), "1");
	assert_string_equal(env_get(env, "OCF_RESKEY_crm_feature_set"), "3.16.1");
	assert_string_equal(env_get(env, "OCF_RESOURCE_INSTANCE"), "web-ip:1");
	assert_string_equal(env_get(env, "OCF_RESOURCE_TYPE"), "tester");
	assert_string_equal(env_get(env, "OCF_RESOURCE_PROVIDER"), "test");
	assert_string_equal(env_get(env, "OCF_RESKEY_ip"), "192.0.2.11");
	assert_string_equal(env_get(env, "OCF_RESKEY_my-param"), "dash");
	assert_string_equal(env_get(env, "OCF_RESKEY_evil"), evil);
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_interval"), "15000");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_timeout"), "7000");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_clone_max"), "3");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_clone_node_max"), "1");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_clone"), "1");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_notify"), "true");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_notify_type"), "pre");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_notify_operation"), "start");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_notify_start_uname"),
			    "node1 node2");
	assert_string_equal(env_get(env, "OCF_RESKEY_CRM_meta_notify_active_uname"), "node3");
	assert_string_equal(env_get(env, "OCF_CHECK_LEVEL"), "10");
	assert_string_equal(env_get(env, "HA_SBIN_DIR"), "/opt/ha/libexec");
	assert_non_null(strstr(env_get(env, "PATH"), "/usr/sbin"));
	assert_string_equal(env_get(env, "HA_EXEC_TEST_LEAK"), "(unset)");
	assert_string_equal(env_get(env, "HA_TEST_DATA"), "(unset)");
	/* nothing was interpreted by a shell */
	assert_int_equal(access("/tmp/ha-exec-pwned", F_OK), -1);
}

static void test_serialization(void **state)
{
	fx *f = *state;
	g_autofree char *log = tmp_path(f, "log");
	g_autofree char *contents = NULL;
	g_auto(GStrv) lines = NULL;
	/* no monitor: the stop would cancel it while it waits */
	static const char *const actions[] = {"start", "reload", "stop"};

	for (int i = 0; i < 3; i++)
		submit(f, "one", "ocf:test:tester", actions[i], 0, 5000, "sleep", "0.1", "log", log,
		       NULL);
	wait_results(f, 3, 5000);
	for (int i = 0; i < 3; i++)
		assert_string_equal(rec_at(f, (guint)i)->action, actions[i]);
	assert_true(g_file_get_contents(log, &contents, NULL, NULL));
	lines = g_strsplit(contents, "\n", -1);
	assert_int_equal(g_strv_length(lines), 7);
	for (int i = 0; i < 6; i++) {
		/* B start, E start, B monitor, E monitor, ...: never overlapping */
		g_autofree char *want = g_strdup_printf("%c one %s ", i % 2 ? 'E' : 'B',
							actions[i / 2]);
		assert_true(g_str_has_prefix(lines[i], want));
	}
}

typedef struct stamp {
	int64_t t;
	int delta;
} stamp;

static gint stamp_cmp(gconstpointer a, gconstpointer b)
{
	const stamp *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta; /* an end before a begin at the same instant */
}

static void test_concurrency_limit(void **state)
{
	fx *f = *state;
	g_autofree char *log = tmp_path(f, "log");
	g_autofree char *contents = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GArray) st = g_array_new(FALSE, FALSE, sizeof(stamp));
	int cur = 0, max = 0;

	assert_int_equal(ha_executor_set_max_parallel(f->ex, 2), 0);
	for (int i = 0; i < 5; i++) {
		g_autofree char *rsc = g_strdup_printf("c%d", i);
		submit(f, rsc, "ocf:test:tester", "start", 0, 5000, "sleep", "0.2", "log", log, NULL);
	}
	spin(f, 100);
	assert_int_equal(ha_executor_running(f->ex), 2);
	assert_int_equal(ha_executor_pending(f->ex), 3);
	wait_results(f, 5, 5000);
	assert_true(f->max_running <= 2);
	assert_true(g_file_get_contents(log, &contents, NULL, NULL));
	lines = g_strsplit(contents, "\n", -1);
	for (char **l = lines; *l && **l; l++) {
		stamp s;
		char what;
		long long t;
		assert_int_equal(sscanf(*l, "%c %*s %*s %lld", &what, &t), 2);
		s.t = t;
		s.delta = what == 'B' ? 1 : -1;
		g_array_append_val(st, s);
	}
	assert_int_equal(st->len, 10);
	g_array_sort(st, stamp_cmp);
	for (guint i = 0; i < st->len; i++) {
		cur += g_array_index(st, stamp, i).delta;
		if (cur > max)
			max = cur;
	}
	assert_int_equal(max, 2);
}

static void test_recurring_from_completion(void **state)
{
	fx *f = *state;
	g_autofree char *log = tmp_path(f, "log");
	g_autofree char *contents = NULL;
	g_auto(GStrv) lines = NULL;
	long long b[3], e[3];
	uint64_t id;

	id = submit(f, "rec", "ocf:test:tester", "monitor", 100, 5000, "sleep", "0.2", "log", log,
		    NULL);
	wait_results(f, 3, 5000);
	assert_int_equal(ha_executor_cancel(f->ex, id), 0);
	wait_results(f, 4, 5000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rec_at(f, (guint)i)->status, HA_EXEC_DONE);
		assert_int_equal(rec_at(f, (guint)i)->interval, 100);
	}
	assert_int_equal(rec_at(f, 3)->status, HA_EXEC_CANCELLED);
	assert_int_equal(rec_at(f, 3)->sev, HA_OP_IGNORE);
	assert_int_equal(ha_executor_cancel(f->ex, id), -ENOENT);
	assert_true(g_file_get_contents(log, &contents, NULL, NULL));
	lines = g_strsplit(contents, "\n", -1);
	assert_true(g_strv_length(lines) >= 7);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sscanf(lines[2 * i], "B %*s %*s %lld", &b[i]), 1);
		assert_int_equal(sscanf(lines[2 * i + 1], "E %*s %*s %lld", &e[i]), 1);
	}
	for (int i = 0; i < 2; i++) {
		/* the next run starts >= interval after the previous one ended */
		assert_true(b[i + 1] - e[i] >= 100000000LL);
		assert_true(b[i + 1] - b[i] >= 300000000LL);
	}
	spin(f, 250);
	assert_int_equal(f->recs->len, 4);
}

static void test_cancel(void **state)
{
	fx *f = *state;
	uint64_t start, queued, mon, probe;

	start = submit(f, "x", "ocf:test:tester", "start", 0, 5000, "sleep", "0.3", NULL);
	queued = submit(f, "x", "ocf:test:tester", "reload", 0, 5000, NULL);
	probe = submit(f, "y", "ocf:test:tester", "monitor", 0, 5000, "sleep", "5", NULL);
	mon = submit(f, "x", "ocf:test:tester", "monitor", 1000, 5000, NULL);
	spin(f, 100);
	assert_int_equal(ha_executor_cancel(f->ex, start), -EBUSY);
	assert_int_equal(ha_executor_cancel(f->ex, queued), 0);
	/* a running probe is killed */
	assert_int_equal(ha_executor_cancel(f->ex, probe), 0);
	wait_results(f, 2, 3000);
	assert_int_equal(rec_of(f, queued)->status, HA_EXEC_CANCELLED);
	assert_int_equal(rec_of(f, probe)->status, HA_EXEC_CANCELLED);
	assert_true(rec_of(f, probe)->dur_us < 3000000); /* it would sleep 5 s */
	wait_results(f, 4, 3000); /* the start, then the first monitor run */
	assert_int_equal(rec_of(f, start)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, mon)->status, HA_EXEC_DONE);
	/* x's recurring monitor now waits for its next run */
	assert_int_equal(ha_executor_cancel_resource(f->ex, "x"), 1);
	assert_int_equal(ha_executor_cancel_resource(f->ex, "nobody"), 0);
	wait_results(f, 5, 3000);
	assert_int_equal(rec_at(f, 4)->id, mon);
	assert_int_equal(rec_at(f, 4)->status, HA_EXEC_CANCELLED);
	spin(f, 50);
	assert_int_equal(f->recs->len, 5);
	assert_int_equal(ha_executor_pending(f->ex), 0);
}

static void test_stop_cancels_monitors(void **state)
{
	fx *f = *state;
	uint64_t start, probe1, probe2, rec_mon, stop, other;

	start = submit(f, "s", "ocf:test:tester", "start", 0, 5000, "sleep", "0.2", NULL);
	probe1 = submit(f, "s", "ocf:test:tester", "monitor", 0, 5000, NULL);
	rec_mon = submit(f, "s", "ocf:test:tester", "monitor", 500, 5000, NULL);
	probe2 = submit(f, "s", "ocf:test:tester", "monitor", 0, 5000, NULL);
	other = submit(f, "t", "ocf:test:tester", "monitor", 0, 5000, NULL);
	stop = submit(f, "s", "ocf:test:tester", "stop", 0, 5000, NULL);
	wait_results(f, 6, 5000);
	assert_int_equal(rec_of(f, start)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, stop)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, other)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, probe1)->status, HA_EXEC_CANCELLED);
	assert_int_equal(rec_of(f, probe2)->status, HA_EXEC_CANCELLED);
	assert_int_equal(rec_of(f, rec_mon)->status, HA_EXEC_CANCELLED);
	/* the cancellations were reported before the stop ran */
	assert_true(rec_of(f, rec_mon)->t_us < rec_of(f, stop)->t_us);
	spin(f, 600);
	assert_int_equal(f->recs->len, 6);
}

static void test_stop_kills_running_monitor(void **state)
{
	fx *f = *state;
	uint64_t mon, stop;

	mon = submit(f, "k", "ocf:test:tester", "monitor", 10000, 5000, "sleep", "5", NULL);
	spin(f, 100);
	assert_int_equal(ha_executor_running(f->ex), 1);
	stop = submit(f, "k", "ocf:test:tester", "stop", 0, 5000, NULL);
	wait_results(f, 2, 3000);
	assert_int_equal(rec_at(f, 0)->id, mon);
	assert_int_equal(rec_at(f, 0)->status, HA_EXEC_CANCELLED);
	assert_int_equal(rec_at(f, 1)->id, stop);
	assert_int_equal(rec_at(f, 1)->rc, 0);
	assert_true(rec_at(f, 1)->t_us - rec_at(f, 0)->t_us < 3000000); /* not 5 s */
}

/* Submits a stop of its resource from the first result of a recurring monitor. */
static void stop_from_callback(ha_executor *ex, const ha_op_result *res, void *ud)
{
	fx *f = ud;

	on_result(ex, res, ud);
	if (f->recs->len == 1) {
		ha_op_request *req = req_new(ha_op_result_resource(res), "ocf:test:tester", "stop",
					     0, 5000, NULL);
		assert_int_equal(ha_executor_submit(ex, req, on_result, f, NULL), 0);
		ha_op_request_free(req);
	}
}

static void test_stop_from_callback(void **state)
{
	fx *f = *state;
	ha_op_request *req = req_new("cb", "ocf:test:tester", "monitor", 50, 5000, NULL);

	assert_int_equal(ha_executor_submit(f->ex, req, stop_from_callback, f, NULL), 0);
	ha_op_request_free(req);
	wait_results(f, 3, 3000);
	assert_string_equal(rec_at(f, 0)->action, "monitor");
	assert_int_equal(rec_at(f, 0)->status, HA_EXEC_DONE);
	assert_string_equal(rec_at(f, 1)->action, "monitor");
	assert_int_equal(rec_at(f, 1)->status, HA_EXEC_CANCELLED);
	assert_string_equal(rec_at(f, 2)->action, "stop");
	spin(f, 200);
	assert_int_equal(f->recs->len, 3);
}

static void test_cancel_while_waiting_for_slot(void **state)
{
	fx *f = *state;
	uint64_t a, b, c;

	/* b's resource is ready (waiting for the only slot) when b is cancelled and
	 * retired; the resource must leave the ready list with it. */
	assert_int_equal(ha_executor_set_max_parallel(f->ex, 1), 0);
	a = submit(f, "A", "ocf:test:tester", "start", 0, 5000, "sleep", "0.2", NULL);
	b = submit(f, "B", "ocf:test:tester", "start", 0, 5000, NULL);
	spin(f, 50);
	assert_int_equal(ha_executor_pending(f->ex), 1);
	assert_int_equal(ha_executor_cancel(f->ex, b), 0);
	wait_results(f, 1, 1000);
	assert_int_equal(rec_of(f, b)->status, HA_EXEC_CANCELLED);
	c = submit(f, "C", "ocf:test:tester", "start", 0, 5000, NULL);
	wait_results(f, 3, 3000);
	assert_int_equal(rec_of(f, a)->rc, 0);
	assert_int_equal(rec_of(f, c)->rc, 0);
}

/* An embedder's SIGCHLD handlers: one that only counts, one that reaps everything. */
static volatile sig_atomic_t sigchld_seen;

static void counting_handler(int sig)
{
	(void)sig;
	sigchld_seen++;
}

static void reaping_handler(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		sigchld_seen++;
	errno = saved;
}

static void test_embedder_sigchld(void **state)
{
	fx *f = *state;
	struct sigaction sa = {0}, old;
	uint64_t a, b;

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = counting_handler;
	sigaction(SIGCHLD, &sa, &old);
	sigchld_seen = 0;
	a = submit(f, "h1", "ocf:test:tester", "start", 0, 5000, "sleep", "0.05", NULL);
	wait_results(f, 1, 5000);
	assert_int_equal(rec_of(f, a)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, a)->rc, 0);
	assert_true(sigchld_seen > 0);

	/* waitpid(-1) steals the status: reported, not hung and not crashed */
	sa.sa_handler = reaping_handler;
	sigaction(SIGCHLD, &sa, NULL);
	b = submit(f, "h2", "ocf:test:tester", "start", 0, 5000, "sleep", "0.05", NULL);
	wait_results(f, 2, 5000);
	sigaction(SIGCHLD, &old, NULL);
	assert_int_equal(rec_of(f, b)->status, HA_EXEC_ERROR);
	assert_non_null(strstr(rec_of(f, b)->reason, "exit status lost"));
}

static void test_lsb(void **state)
{
	static const struct {
		int status;
		int rc;
		ha_op_severity sev;
	} cases[] = {
		{0, HA_OCF_SUCCESS, HA_OP_OK},       {1, HA_OCF_ERR_GENERIC, HA_OP_SOFT},
		{2, HA_OCF_ERR_GENERIC, HA_OP_SOFT}, {3, HA_OCF_NOT_RUNNING, HA_OP_NOT_RUNNING},
		{4, HA_OCF_ERR_GENERIC, HA_OP_SOFT},
	};
	fx *f = *state;
	g_autofree char *dir = tmp_path(f, "init.d");
	g_autofree char *svc = g_build_filename(f->data, "agents", "lsb", "svc", NULL);
	uint64_t ids[G_N_ELEMENTS(cases)], start, promote, md;

	assert_int_equal(g_mkdir_with_parents(dir, 0755), 0);
	assert_int_equal(ha_executor_set_lsb_dir(f->ex, dir), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *name = g_strdup_printf("svc-%d", cases[i].status);
		g_autofree char *link = g_build_filename(dir, name, NULL);
		g_autofree char *agent = g_strconcat("lsb:", name, NULL);
		assert_int_equal(symlink(svc, link), 0);
		ids[i] = submit(f, name, agent, "monitor", 10000, 5000, NULL);
	}
	start = submit(f, "st", "lsb:svc-0", "start", 0, 5000, NULL);
	promote = submit(f, "pr", "lsb:svc-0", "promote", 0, 5000, NULL);
	md = submit(f, "md", "lsb:svc-0", "meta-data", 0, 5000, NULL);
	wait_results(f, G_N_ELEMENTS(cases) + 3, 5000);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		rec *r = rec_of(f, ids[i]);
		assert_int_equal(r->status, HA_EXEC_DONE);
		assert_int_equal(r->exit_code, cases[i].status);
		assert_int_equal(r->rc, cases[i].rc);
		assert_int_equal(r->sev, cases[i].sev);
	}
	assert_non_null(strstr(rec_of(f, ids[1])->reason, "pid file"));
	assert_non_null(strstr(rec_of(f, ids[4])->reason, "unknown"));
	assert_int_equal(rec_of(f, start)->rc, 0);
	assert_int_equal(rec_of(f, promote)->rc, HA_OCF_ERR_UNIMPLEMENTED);
	ha_agent_metadata *m = NULL;
	assert_int_equal(ha_agent_metadata_parse(rec_of(f, md)->out, strlen(rec_of(f, md)->out),
						 &m, NULL), 0);
	assert_string_equal(ha_agent_metadata_name(m), "svc-0");
	ha_agent_metadata_free(m);
	assert_int_equal(ha_executor_cancel_resource(f->ex, NULL), -EINVAL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		assert_int_equal(ha_executor_cancel(f->ex, ids[i]), 0);
	wait_results(f, 2 * G_N_ELEMENTS(cases) + 3, 5000);
}

static void test_systemd(void **state)
{
	fx *f = *state;
	g_autofree char *fake = g_build_filename(f->data, "agents", "sbin", "systemctl", NULL);
	g_autofree char *run = tmp_path(f, "run-systemd-system");
	uint64_t real, faked, act, inact, failed, missing, start;

	/* The real check: systemd is not PID 1 on the test machine. */
	if (access("/run/systemd/system", F_OK) < 0) {
		real = submit(f, "u0", "systemd:sshd", "start", 0, 5000, NULL);
		wait_results(f, 1, 3000);
		assert_int_equal(rec_of(f, real)->status, HA_EXEC_NOT_INSTALLED);
		assert_int_equal(rec_of(f, real)->rc, HA_OCF_ERR_INSTALLED);
		assert_string_equal(rec_of(f, real)->reason, "systemd is not running on this node");
		g_ptr_array_set_size(f->recs, 0);
	}
	/* The same with a stated run directory that is missing. */
	assert_int_equal(ha__executor_set_systemd(f->ex, fake, run), 0);
	faked = submit(f, "u1", "systemd:active-one", "monitor", 0, 5000, NULL);
	wait_results(f, 1, 3000);
	assert_int_equal(rec_of(f, faked)->status, HA_EXEC_NOT_INSTALLED);
	assert_int_equal(rec_of(f, faked)->sev, HA_OP_NOT_RUNNING);
	/* And talking to a (fake) systemctl when systemd runs. */
	assert_int_equal(g_mkdir_with_parents(run, 0755), 0);
	act = submit(f, "u2", "systemd:active-one", "monitor", 0, 5000, NULL);
	inact = submit(f, "u3", "systemd:idle.service", "monitor", 0, 5000, NULL);
	failed = submit(f, "u4", "systemd:failed-one", "monitor", 0, 5000, NULL);
	missing = submit(f, "u5", "systemd:missing-one", "start", 0, 5000, NULL);
	start = submit(f, "u6", "systemd:getty@tty1", "start", 0, 5000, NULL);
	wait_results(f, 6, 5000);
	assert_int_equal(rec_of(f, act)->rc, HA_OCF_SUCCESS);
	assert_int_equal(rec_of(f, inact)->rc, HA_OCF_NOT_RUNNING);
	assert_int_equal(rec_of(f, failed)->rc, HA_OCF_NOT_RUNNING);
	assert_int_equal(rec_of(f, missing)->status, HA_EXEC_NOT_INSTALLED);
	assert_int_equal(rec_of(f, missing)->rc, HA_OCF_ERR_INSTALLED);
	assert_int_equal(rec_of(f, start)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, start)->rc, HA_OCF_SUCCESS);
}

static void test_stonith(void **state)
{
	fx *f = *state;
	g_autofree char *sbin = g_build_filename(f->data, "agents", "sbin", NULL);
	g_autofree char *logf = tmp_path(f, "fence.log");
	g_autofree char *got = NULL;
	g_autofree char *want = NULL;
	uint64_t reboot, off, on, stop, start, md;
	ha_op_request *req;

	assert_int_equal(ha_executor_set_stonith_dir(f->ex, sbin), 0);
	req = req_new("fence1", "stonith:fence_test", "reboot", 0, 5000, "ipaddr", "192.0.2.1",
		      "login", "admin", "pcmk_host_list", "node1 node2", "action", "off",
		      "logfile", logf, NULL);
	assert_int_equal(ha_op_request_set_target(req, "node2"), 0);
	reboot = submit_req(f, req);
	wait_results(f, 1, 5000);
	assert_int_equal(rec_of(f, reboot)->rc, 0);
	assert_true(g_file_get_contents(logf, &got, NULL, NULL));
	want = g_strdup_printf("action=reboot\nplug=node2\nport=node2\nipaddr=192.0.2.1\n"
			       "login=admin\nlogfile=%s\n", logf);
	assert_string_equal(got, want);

	req = req_new("fence1", "stonith:fence_test", "status", 0, 5000, NULL);
	ha_op_request_set_target(req, "off-node");
	off = submit_req(f, req);
	req = req_new("fence1", "stonith:fence_test", "status", 0, 5000, NULL);
	ha_op_request_set_target(req, "on-node");
	on = submit_req(f, req);
	start = submit(f, "fence1", "stonith:fence_test", "start", 0, 0, "logfile", logf, NULL);
	md = submit(f, "fence1", "stonith:fence_test", "meta-data", 0, 5000, NULL);
	stop = submit(f, "fence1", "stonith:fence_test", "stop", 0, 5000, NULL);
	wait_results(f, 6, 5000);
	assert_int_equal(rec_of(f, off)->rc, HA_OCF_NOT_RUNNING);
	assert_int_equal(rec_of(f, off)->exit_code, 2);
	assert_int_equal(rec_of(f, on)->rc, HA_OCF_SUCCESS);
	assert_int_equal(rec_of(f, start)->rc, HA_OCF_SUCCESS);
	/* the start ran action=monitor with the device's meta-data timeout */
	assert_int_equal(rec_of(f, start)->timeout, 7000);
	g_free(got);
	assert_true(g_file_get_contents(logf, &got, NULL, NULL));
	assert_true(g_str_has_prefix(got, "action=monitor\n"));
	assert_non_null(strstr(rec_of(f, md)->out, "fence_test"));
	assert_int_equal(rec_of(f, stop)->rc, HA_OCF_SUCCESS);
	const ha_agent_metadata *m = NULL;
	assert_int_equal(ha_executor_get_metadata(f->ex, "stonith:fence_test", &m), 0);
	assert_string_equal(ha_agent_metadata_param_name(m, 0), "ipaddr");
}

/* ---- embedded agents ------------------------------------------------------------------ */

typedef struct emb_state {
	GPtrArray *held; /* ha_embedded_op* completed later */
	unsigned calls;
} emb_state;

static const char emb_md[] =
	"<resource-agent name=\"app\"><parameters><parameter name=\"mode\" required=\"1\">"
	"<content type=\"string\"/></parameter></parameters><actions>"
	"<action name=\"start\" timeout=\"250ms\"/></actions></resource-agent>";

static void emb_run(ha_embedded_op *op, void *ud)
{
	emb_state *s = ud;
	const char *mode = ha_embedded_op_param(op, "mode");

	s->calls++;
	if (!strcmp(ha_embedded_op_action(op), "monitor") && !strcmp(mode, "sync")) {
		ha_embedded_op_output(op, "all good\n");
		ha_embedded_op_complete(op, ha_embedded_op_depth(op) == 5 ? 8 : 0, NULL);
		return;
	}
	if (!strcmp(mode, "fail")) {
		assert_string_equal(ha_embedded_op_meta(op, "clone-max"), "2");
		ha_embedded_op_complete(op, HA_OCF_ERR_CONFIGURED, "bad mode");
		return;
	}
	/* async / hang: completed by the test */
	g_ptr_array_add(s->held, op);
}

static gboolean complete_held(gpointer data)
{
	emb_state *s = data;

	for (guint i = 0; i < s->held->len; i++) {
		ha_embedded_op *op = g_ptr_array_index(s->held, i);
		ha_embedded_op_complete(op, ha_embedded_op_cancelled(op) ? 1 : 0, NULL);
	}
	g_ptr_array_set_size(s->held, 0);
	return G_SOURCE_REMOVE;
}

static void test_embedded(void **state)
{
	fx *f = *state;
	emb_state s = {.held = g_ptr_array_new()};
	uint64_t sync_id, fail_id, async_id, hang_id, md_id;
	ha_op_request *req;
	const ha_agent_metadata *m = NULL;
	ha_diag *d;

	assert_int_equal(ha_executor_register_embedded(f->ex, "app", emb_run, emb_md, &s), 0);
	assert_int_equal(ha_executor_register_embedded(f->ex, "app", emb_run, NULL, &s),
			 HA_EDUPLICATE);
	assert_int_equal(ha_executor_register_embedded(f->ex, "bad", emb_run, "<x", &s),
			 HA_EPARSE);
	assert_int_equal(ha_executor_register_embedded(f->ex, "../x", emb_run, NULL, &s), -EINVAL);

	req = req_new("e1", "embedded:app", "monitor", 0, 1000, "mode", "sync", NULL);
	ha_op_request_set_depth(req, 5);
	sync_id = submit_req(f, req);
	req = req_new("e2", "embedded:app", "start", 0, 1000, "mode", "fail", NULL);
	ha_op_request_set_meta(req, "clone_max", "2");
	fail_id = submit_req(f, req);
	async_id = submit(f, "e3", "embedded:app", "start", 0, 2000, "mode", "async", NULL);
	hang_id = submit(f, "e4", "embedded:app", "start", 0, 0, "mode", "hang", NULL);
	md_id = submit(f, "e5", "embedded:app", "meta-data", 0, 0, NULL);
	wait_results(f, 3, 2000);
	assert_int_equal(rec_of(f, sync_id)->rc, HA_OCF_RUNNING_PROMOTED);
	assert_string_equal(rec_of(f, sync_id)->out, "all good\n");
	assert_int_equal(rec_of(f, fail_id)->rc, HA_OCF_ERR_CONFIGURED);
	assert_int_equal(rec_of(f, fail_id)->sev, HA_OP_HARD_RESOURCE);
	assert_string_equal(rec_of(f, fail_id)->reason, "bad mode");
	assert_string_equal(rec_of(f, md_id)->out, emb_md);
	/* the hung one times out after the meta-data's 250 ms */
	wait_results(f, 4, 2000);
	assert_int_equal(rec_of(f, hang_id)->status, HA_EXEC_TIMEOUT);
	assert_int_equal(rec_of(f, hang_id)->timeout, 250);
	assert_int_equal(s.held->len, 2);
	assert_true(ha_embedded_op_cancelled(g_ptr_array_index(s.held, 1)));
	assert_false(ha_embedded_op_cancelled(g_ptr_array_index(s.held, 0)));
	/* complete both from the loop: the async one succeeds, the late one is dropped */
	GSource *t = g_timeout_source_new(10);
	g_source_set_callback(t, complete_held, &s, NULL);
	g_source_attach(t, f->ctx);
	g_source_unref(t);
	wait_results(f, 5, 2000);
	assert_int_equal(rec_of(f, async_id)->status, HA_EXEC_DONE);
	assert_int_equal(rec_of(f, async_id)->rc, 0);
	spin(f, 30);
	assert_int_equal(f->recs->len, 5);

	/* an async monitor can be cancelled; the agent sees it */
	uint64_t mon = submit(f, "e6", "embedded:app", "monitor", 60000, 1000, "mode", "async",
			      NULL);
	spin(f, 20);
	assert_int_equal(s.held->len, 1);
	assert_int_equal(ha_executor_cancel(f->ex, mon), 0);
	wait_results(f, 6, 1000);
	assert_int_equal(rec_of(f, mon)->status, HA_EXEC_CANCELLED);
	assert_true(ha_embedded_op_cancelled(g_ptr_array_index(s.held, 0)));
	assert_string_equal(ha_embedded_op_resource(g_ptr_array_index(s.held, 0)), "e6");
	complete_held(&s);

	/* validation against the registered meta-data */
	assert_int_equal(ha_executor_get_metadata(f->ex, "embedded:app", &m), 0);
	ha_diag_new(&d);
	req = req_new("e7", "embedded:app", "start", 0, 0, NULL);
	assert_int_equal(ha_op_request_validate(req, m, d), HA_ESCHEMA);
	assert_non_null(strstr(ha_diag_message(d, 0), "'mode'"));
	ha_op_request_free(req);
	ha_diag_free(d);

	/* an op still held by the agent when the executor goes away */
	submit(f, "e8", "embedded:app", "start", 0, 5000, "mode", "async", NULL);
	spin(f, 20);
	assert_int_equal(s.held->len, 1);
	f->ex = ha_executor_free(f->ex);
	assert_true(ha_embedded_op_cancelled(g_ptr_array_index(s.held, 0)));
	assert_string_equal(ha_embedded_op_param(g_ptr_array_index(s.held, 0), "mode"), "async");
	complete_held(&s);
	g_ptr_array_free(s.held, TRUE);
}

/* ---- meta-data and real agents ----------------------------------------------------------- */

static void test_metadata_default_timeout(void **state)
{
	fx *f = *state;
	const ha_agent_metadata *m = NULL;
	uint64_t reload, start;

	assert_int_equal(ha_executor_get_metadata(f->ex, "ocf:test:tester", &m), -ENOENT);
	/* no timeout given: the executor fetches the meta-data first (reload: 800ms) */
	reload = submit(f, "md", "ocf:test:tester", "reload", 0, 0, "sleep", "5", NULL);
	start = submit(f, "md2", "ocf:test:tester", "start", 0, 0, NULL);
	wait_results(f, 2, 5000);
	assert_int_equal(rec_of(f, start)->timeout, 20000);
	assert_int_equal(rec_of(f, start)->rc, 0);
	assert_int_equal(rec_of(f, reload)->status, HA_EXEC_TIMEOUT);
	assert_int_equal(rec_of(f, reload)->timeout, 800);
	assert_int_equal(ha_executor_get_metadata(f->ex, "ocf:test:tester", &m), 0);
	assert_string_equal(ha_agent_metadata_name(m), "tester");
	assert_int_equal(ha_agent_metadata_param_count(m), 9);
}

static void test_heartbeat_dummy(void **state)
{
	fx *f = *state;
	g_autofree char *statef = tmp_path(f, "dummy.state");
	static const char *const seq[] = {"monitor", "start", "monitor", "stop", "monitor"};
	static const int want[] = {7, 0, 0, 0, 7};
	const ha_agent_metadata *m = NULL;
	ha_op_request *req;
	ha_diag *d;
	uint64_t md;

	/* The resource-agents package's Dummy, unchanged, from the real OCF root. */
	assert_int_equal(ha_executor_set_ocf_root(f->ex, "/usr/lib/ocf"), 0);
	md = submit(f, "dummy", "ocf:heartbeat:Dummy", "meta-data", 0, 5000, NULL);
	wait_results(f, 1, 5000);
	assert_int_equal(rec_of(f, md)->rc, 0);
	/* one at a time: a stop would cancel monitors queued before it */
	for (guint i = 0; i < G_N_ELEMENTS(seq); i++) {
		rec *r;

		submit(f, "dummy", "ocf:heartbeat:Dummy", seq[i], 0, 10000, "state", statef, NULL);
		wait_results(f, i + 2, 10000);
		r = rec_at(f, i + 1);
		if (r->status != HA_EXEC_DONE || r->rc != want[i])
			fail_msg("Dummy %s: %s rc %d (%s) stderr: %s", seq[i],
				 ha_exec_status_name(r->status), r->rc, r->reason ? r->reason : "",
				 r->err);
	}
	assert_int_equal(ha_executor_get_metadata(f->ex, "ocf:heartbeat:Dummy", &m), 0);
	assert_string_equal(ha_agent_metadata_name(m), "Dummy");
	ha_diag_new(&d);
	req = req_new("dummy", "ocf:heartbeat:Dummy", "start", 0, 0, "state", statef, "fake",
		      "x", NULL);
	assert_int_equal(ha_op_request_validate(req, m, d), 0);
	ha_op_request_set_param(req, "colour", "blue");
	assert_int_equal(ha_op_request_validate(req, m, d), HA_ESCHEMA);
	assert_non_null(strstr(ha_diag_message(d, 0), "no parameter 'colour'"));
	ha_op_request_free(req);
	ha_diag_free(d);
}

static void test_list_agents(void **state)
{
	fx *f = *state;
	g_autofree char *sbin = g_build_filename(f->data, "agents", "sbin", NULL);
	char **list = NULL;
	bool tester = false, fence = false, embedded = false;

	ha_executor_set_stonith_dir(f->ex, sbin);
	assert_int_equal(ha_executor_register_embedded(f->ex, "app", emb_run, NULL, NULL), 0);
	assert_int_equal(ha_executor_list_agents(f->ex, NULL, &list), 0);
	for (char **l = list; *l; l++) {
		tester |= !strcmp(*l, "ocf:test:tester");
		fence |= !strcmp(*l, "stonith:fence_test");
		embedded |= !strcmp(*l, "embedded:app");
		assert_null(strstr(*l, "systemctl"));
	}
	assert_true(tester && fence && embedded);
	ha_agent_list_free(list);
	assert_int_equal(ha_executor_list_agents(f->ex, "stonith", &list), 0);
	assert_string_equal(list[0], "stonith:fence_test");
	assert_null(list[1]);
	ha_agent_list_free(list);
	assert_int_equal(ha_executor_list_agents(f->ex, "systemd", &list), HA_EUNSUPPORTED);
	assert_int_equal(ha_executor_list_agents(f->ex, "bogus", &list), -EINVAL);
}

static void test_free_while_running(void **state)
{
	fx *f = *state;
	g_autofree char *pids = tmp_path(f, "pids");
	pid_t agent, child;

	submit(f, "z", "ocf:test:tester", "start", 0, 10000, "sleep", "10", "child", pids,
	       "trapterm", "1", NULL);
	submit(f, "z", "ocf:test:tester", "stop", 0, 10000, NULL);
	submit(f, "w", "ocf:test:tester", "monitor", 1000, 10000, NULL);
	for (int i = 0; i < 200 && access(pids, F_OK) < 0; i++)
		g_main_context_iteration(f->ctx, FALSE), g_usleep(5000);
	read_pids(pids, &agent, &child);
	f->ex = ha_executor_free(f->ex);
	assert_false(proc_alive(agent));
	for (int i = 0; i < 100 && proc_alive(child); i++)
		g_usleep(10000);
	assert_false(proc_alive(child));
	kill_orphan(child);
}

int ha_test_run_processes(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_rcs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_keeps_pipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serialization, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrency_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recurring_from_completion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_cancels_monitors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_kills_running_monitor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_while_waiting_for_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedder_sigchld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lsb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stonith, setup, teardown),
		cmocka_unit_test_setup_teardown(test_embedded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metadata_default_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_dummy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_agents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_running, setup, teardown),
	};
	return cmocka_run_group_tests_name("exec-processes", tests, NULL, NULL);
}
