/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Executor overhead: time from submit to result for a trivial agent (and for the
 * resource-agents package's Dummy monitor) through ha_executor, against spawning the
 * same agent directly (posix_spawn + waitpid). Median of N runs each; a benchmark,
 * not a test. usage: exec_bench [RUNS]   (default 50)
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ha/ha.h>

typedef struct bench {
	GMainContext *ctx;
	ha_executor *ex;
	bool done;
	int rc;
} bench;

static void on_result(ha_executor *ex, const ha_op_result *r, void *ud)
{
	bench *b = ud;

	(void)ex;
	b->done = true;
	b->rc = ha_op_result_rc(r);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, int64_t *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	printf("| %-38s | %8.3f | %8.3f | %8.3f | %8.3f |\n", what, us[0] / 1000.0,
	       us[n / 2] / 1000.0, us[(n * 9) / 10] / 1000.0, us[n - 1] / 1000.0);
}

/* One operation through the executor: submit -> callback, in microseconds. */
static int64_t run_exec(bench *b, const char *agent, const char *action, const char *state)
{
	ha_op_request *req;
	int64_t t0;

	ha_op_request_new(&req);
	ha_op_request_set_resource(req, "bench");
	ha_op_request_set_agent(req, agent);
	ha_op_request_set_action(req, action);
	ha_op_request_set_timeout(req, 20000);
	if (state)
		ha_op_request_set_param(req, "state", state);
	b->done = false;
	t0 = g_get_monotonic_time();
	if (ha_executor_submit(b->ex, req, on_result, b, NULL) < 0) {
		fprintf(stderr, "submit failed\n");
		exit(1);
	}
	while (!b->done)
		g_main_context_iteration(b->ctx, TRUE);
	ha_op_request_free(req);
	if (b->rc != 0 && b->rc != 7) {
		fprintf(stderr, "%s %s: rc %d\n", agent, action, b->rc);
		exit(1);
	}
	return g_get_monotonic_time() - t0;
}

/* The same agent spawned directly with the same kind of environment. */
static int64_t run_direct(const char *path, const char *action, char **envp)
{
	char *argv[] = {(char *)path, (char *)action, NULL};
	int64_t t0 = g_get_monotonic_time();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, path, NULL, NULL, argv, envp) != 0) {
		perror("posix_spawn");
		exit(1);
	}
	waitpid(pid, &st, 0);
	return g_get_monotonic_time() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	char tmp[] = "/tmp/ha-exec-bench.XXXXXX";
	bench b = {0};

	if (n < 1 || n > 100000 || !g_mkdtemp(tmp))
		return 2;
	g_autofree char *dir = g_build_filename(tmp, "resource.d", "bench", NULL);
	g_autofree char *agent = g_build_filename(dir, "trivial", NULL);
	g_autofree char *state = g_build_filename(tmp, "dummy.state", NULL);
	g_mkdir_with_parents(dir, 0755);
	g_file_set_contents(agent, "#!/bin/sh\nexit 0\n", -1, NULL);
	chmod(agent, 0755);
	g_autofree char *root_env = g_strconcat("OCF_ROOT=/usr/lib/ocf", NULL);
	g_autofree char *state_env = g_strconcat("OCF_RESKEY_state=", state, NULL);
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", root_env,
			"OCF_RA_VERSION_MAJOR=1", "OCF_RA_VERSION_MINOR=1",
			"OCF_RESOURCE_INSTANCE=bench", "OCF_RESKEY_CRM_meta_interval=0",
			state_env, NULL};
	int64_t *us = g_new(int64_t, n);

	b.ctx = g_main_context_new();
	ha_executor_new(&b.ex);
	ha_executor_set_ocf_root(b.ex, tmp);
	ha_executor_attach(b.ex, b.ctx);

	printf("runs per row: %d (times in ms)\n\n", n);
	printf("| %-38s | %8s | %8s | %8s | %8s |\n", "operation", "min", "median", "p90", "max");
	printf("|%s|%s|%s|%s|%s|\n", "----------------------------------------", "----------",
	       "----------", "----------", "----------");
	run_exec(&b, "ocf:bench:trivial", "start", NULL); /* warm-up */
	for (int i = 0; i < n; i++)
		us[i] = run_direct(agent, "start", envp);
	report("trivial agent, posix_spawn+waitpid", us, n);
	for (int i = 0; i < n; i++)
		us[i] = run_exec(&b, "ocf:bench:trivial", "start", NULL);
	report("trivial agent, executor", us, n);

	/* A real agent: Dummy sources the heartbeat shell functions. */
	ha_executor_set_ocf_root(b.ex, "/usr/lib/ocf");
	run_exec(&b, "ocf:heartbeat:Dummy", "monitor", state);
	for (int i = 0; i < n; i++)
		us[i] = run_direct("/usr/lib/ocf/resource.d/heartbeat/Dummy", "monitor", envp);
	report("heartbeat Dummy monitor, posix_spawn", us, n);
	for (int i = 0; i < n; i++)
		us[i] = run_exec(&b, "ocf:heartbeat:Dummy", "monitor", state);
	report("heartbeat Dummy monitor, executor", us, n);

	ha_executor_free(b.ex);
	g_main_context_unref(b.ctx);
	g_free(us);
	unlink(agent);
	rmdir(dir);
	g_autofree char *rd = g_build_filename(tmp, "resource.d", NULL);
	rmdir(rd);
	rmdir(tmp);
	return 0;
}
