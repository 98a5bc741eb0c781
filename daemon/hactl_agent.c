/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl agent: list installed resource agents, describe one from its meta-data, and
 * run one operation locally through the executor (on a private GMainLoop). Talks to
 * no cluster: what it runs, it runs on this node, now.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include "hactl.h"

static void usage_main(FILE *out)
{
	fprintf(out,
		"usage: hactl agent list [--class ocf|lsb|stonith|embedded] [--ocf-root DIR]\n"
		"       hactl agent describe AGENT [--ocf-root DIR]\n"
		"       hactl agent run AGENT ACTION [NAME=VALUE...] [OPTIONS]\n"
		"\nAGENT is ocf:PROVIDER:TYPE, lsb:NAME, systemd:UNIT or stonith:fence_NAME.\n"
		"`hactl agent SUBCOMMAND --help` describes a subcommand.\n");
}

static void usage_list(FILE *out)
{
	fprintf(out,
		"usage: hactl agent list [--class ocf|lsb|stonith|embedded] [--ocf-root DIR]\n"
		"\nLists the installed agents of a class (default: all of them), one spec per\n"
		"line: ocf agents under OCF_ROOT/resource.d/*/*, lsb scripts in /etc/init.d,\n"
		"fence agents in /usr/sbin.\n");
}

static void usage_describe(FILE *out)
{
	fprintf(out,
		"usage: hactl agent describe AGENT [--ocf-root DIR]\n"
		"\nRuns the agent's meta-data action and shows its parameters (name, required,\n"
		"default, description) and actions (default timeout, interval, depth).\n");
}

static void usage_run(FILE *out)
{
	fprintf(out,
		"usage: hactl agent run AGENT ACTION [NAME=VALUE...] [OPTIONS]\n"
		"\nRuns one operation of AGENT on this node and prints its rc, exit reason and\n"
		"duration. NAME=VALUE pairs are the instance parameters (OCF_RESKEY_NAME).\n"
		"\noptions:\n"
		"  --resource ID     resource instance name (default: the agent's type)\n"
		"  --interval MS     monitor interval passed to the agent (it runs once)\n"
		"  --timeout MS      timeout (default: the agent's meta-data, else 20000)\n"
		"  --depth N         OCF_CHECK_LEVEL\n"
		"  --meta NAME=VALUE meta value (OCF_RESKEY_CRM_meta_NAME), repeatable\n"
		"  --target NODE     node a fencing action targets (stonith agents)\n"
		"  --ocf-root DIR    where ocf agents live (default /usr/lib/ocf)\n"
		"  --verbose         show the agent's output and the executor's events\n"
		"\nexit status: 0 the operation succeeded (a monitor found the resource\n"
		"running), 1 it failed or found it stopped, 2 usage error.\n");
}

static int make_executor(const char *ocf_root, ha_executor **ret)
{
	ha_executor *ex;
	int r = ha_executor_new(&ex);

	if (r < 0) {
		fprintf(stderr, "hactl agent: %s\n", ha_strerror(r));
		return HACTL_FAILED;
	}
	if (ocf_root && (r = ha_executor_set_ocf_root(ex, ocf_root)) < 0) {
		fprintf(stderr, "hactl agent: --ocf-root %s: must be an absolute path\n", ocf_root);
		ha_executor_free(ex);
		return HACTL_USAGE;
	}
	*ret = ex;
	return HACTL_OK;
}

/* ---- list ------------------------------------------------------------------------------ */

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"class", required_argument, NULL, 'c'},
		{"ocf-root", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *cls = NULL, *ocf_root = NULL;
	ha_executor *ex;
	char **list;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cls = optarg; break;
		case 'o': ocf_root = optarg; break;
		case 'h': usage_list(stdout); return HACTL_OK;
		default: usage_list(stderr); return HACTL_USAGE;
		}
	}
	if (optind < argc) {
		usage_list(stderr);
		return HACTL_USAGE;
	}
	if (cls && strcmp(cls, "ocf") && strcmp(cls, "lsb") && strcmp(cls, "stonith") &&
	    strcmp(cls, "embedded")) {
		fprintf(stderr, "hactl agent list: --class must be ocf, lsb, stonith or embedded\n");
		return HACTL_USAGE;
	}
	if ((r = make_executor(ocf_root, &ex)) != HACTL_OK)
		return r;
	r = ha_executor_list_agents(ex, cls, &list);
	if (r < 0) {
		fprintf(stderr, "hactl agent list: %s\n", ha_strerror(r));
		ha_executor_free(ex);
		return HACTL_FAILED;
	}
	for (char **l = list; *l; l++)
		printf("%s\n", *l);
	ha_agent_list_free(list);
	ha_executor_free(ex);
	return HACTL_OK;
}

/* ---- running one operation ------------------------------------------------------------ */

typedef struct run_state {
	GMainLoop *loop;
	bool done;
	bool interrupted;
	bool verbose;
	/* copied out of the result, which lives for the callback only */
	ha_exec_status status;
	int rc;
	char *reason;
	char *out;
	uint64_t duration_us;
	ha_op_severity severity;
} run_state;

static void on_result(ha_executor *ex, const ha_op_result *res, void *ud)
{
	run_state *st = ud;

	(void)ex;
	if (st->done)
		return; /* a recurring monitor's later runs */
	st->done = true;
	st->status = ha_op_result_status(res);
	st->rc = ha_op_result_rc(res);
	st->reason = g_strdup(ha_op_result_exit_reason(res));
	st->out = g_strdup(ha_op_result_stdout(res));
	st->duration_us = ha_op_result_duration_us(res);
	st->severity = ha_op_result_severity(res);
	g_main_loop_quit(st->loop);
}

static void on_log(const char *rsc, const char *action, uint32_t interval,
		   ha_exec_log_kind kind, const char *line, void *ud)
{
	run_state *st = ud;
	static const char *const what[] = {"", "stdout", "stderr", "executor"};

	(void)rsc;
	(void)action;
	(void)interval;
	if (st->verbose)
		fprintf(stderr, "%s: %s\n", what[kind <= 3 ? kind : 0], line);
}

static gboolean on_sigint(gpointer ud)
{
	run_state *st = ud;

	st->interrupted = true;
	g_main_loop_quit(st->loop);
	return G_SOURCE_REMOVE;
}

/* Submit req and iterate until its first result. HACTL_OK if a result arrived. */
static int run_op(ha_executor *ex, const ha_op_request *req, run_state *st)
{
	GMainContext *ctx = g_main_context_new();
	GSource *sig[2];
	int r;

	st->loop = g_main_loop_new(ctx, FALSE);
	ha_executor_set_log(ex, on_log, st);
	ha_executor_attach(ex, ctx);
	/* Agents run in their own session: Ctrl-C reaches only us, so stop them
	 * ourselves (freeing the executor kills what still runs). */
	sig[0] = g_unix_signal_source_new(SIGINT);
	sig[1] = g_unix_signal_source_new(SIGTERM);
	for (int i = 0; i < 2; i++) {
		g_source_set_callback(sig[i], on_sigint, st, NULL);
		g_source_attach(sig[i], ctx);
	}
	r = ha_executor_submit(ex, req, on_result, st, NULL);
	if (r == 0)
		g_main_loop_run(st->loop);
	for (int i = 0; i < 2; i++) {
		g_source_destroy(sig[i]);
		g_source_unref(sig[i]);
	}
	ha_executor_free(ex);
	g_main_loop_unref(st->loop);
	g_main_context_unref(ctx);
	if (r < 0) {
		fprintf(stderr, "hactl agent: cannot run: %s\n", ha_strerror(r));
		return r == -EINVAL ? HACTL_USAGE : HACTL_FAILED;
	}
	if (st->interrupted) {
		fprintf(stderr, "hactl agent: interrupted; the agent was killed\n");
		return HACTL_FAILED;
	}
	return HACTL_OK;
}

static int parse_u32(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "hactl agent: %s '%s' is not a number of milliseconds\n", opt, s);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int set_pair(ha_op_request *req, const char *arg, bool meta)
{
	const char *eq = strchr(arg, '=');
	int r;

	if (!eq) {
		fprintf(stderr, "hactl agent: '%s' is not NAME=VALUE\n", arg);
		return -EINVAL;
	}
	char *name = g_strndup(arg, (size_t)(eq - arg));
	r = meta ? ha_op_request_set_meta(req, name, eq + 1)
		 : ha_op_request_set_param(req, name, eq + 1);
	if (r < 0)
		fprintf(stderr, "hactl agent: %s '%s': %s (names are [A-Za-z0-9_-]; some are "
			"reserved)\n", meta ? "meta" : "parameter", name, ha_strerror(r));
	g_free(name);
	return r;
}

static const char *type_of(const char *agent)
{
	const char *c = strrchr(agent, ':');
	return c ? c + 1 : agent;
}

/* Options of `run` besides the agent, action and parameters. */
typedef struct run_opts {
	const char *rsc;
	const char *target;
	uint32_t interval;
	uint32_t timeout;
	uint32_t depth;
	GPtrArray *metas; /* "NAME=VALUE" */
} run_opts;

/* The request for AGENT ACTION NAME=VALUE... (args); messages say what is wrong. */
static int build_request(char **args, int nargs, const run_opts *o, ha_op_request **ret)
{
	const char *agent = args[0], *action = args[1];
	const char *rsc = o->rsc ? o->rsc : type_of(agent);
	ha_op_request *req;
	int r;

	ha_op_request_new(&req);
	r = ha_op_request_set_agent(req, agent);
	if (r < 0)
		fprintf(stderr, "hactl agent: '%s' is not an agent spec (ocf:PROVIDER:TYPE, lsb:NAME, "
			"systemd:UNIT, stonith:fence_NAME)\n", agent);
	if (r == 0 && (r = ha_op_request_set_action(req, action)) < 0)
		fprintf(stderr, "hactl agent: unknown action '%s'\n", action);
	if (r == 0 && (r = ha_op_request_set_resource(req, rsc)) < 0)
		fprintf(stderr, "hactl agent: '%s' is not a valid resource id\n", rsc);
	if (r == 0 && o->target && (r = ha_op_request_set_target(req, o->target)) < 0)
		fprintf(stderr, "hactl agent: '%s' is not a valid target\n", o->target);
	if (r == 0 && (r = ha_op_request_set_depth(req, o->depth)) < 0)
		fprintf(stderr, "hactl agent: --depth %u is too deep\n", o->depth);
	if (r == 0) {
		ha_op_request_set_interval(req, o->interval);
		ha_op_request_set_timeout(req, o->timeout);
	}
	for (int i = 2; r == 0 && i < nargs; i++)
		r = set_pair(req, args[i], false);
	for (guint i = 0; r == 0 && i < o->metas->len; i++)
		r = set_pair(req, g_ptr_array_index(o->metas, i), true);
	if (r < 0) {
		ha_op_request_free(req);
		return r;
	}
	*ret = req;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"resource", required_argument, NULL, 'r'},
		{"interval", required_argument, NULL, 'i'},
		{"timeout", required_argument, NULL, 't'},
		{"depth", required_argument, NULL, 'd'},
		{"meta", required_argument, NULL, 'm'},
		{"target", required_argument, NULL, 'T'},
		{"ocf-root", required_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	g_autoptr(GPtrArray) metas = g_ptr_array_new();
	run_opts o = {.metas = metas};
	const char *ocf_root = NULL;
	run_state st = {0};
	ha_op_request *req;
	ha_executor *ex;
	int c, r;

	while ((c = getopt_long(argc, argv, "r:i:t:d:m:T:o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.rsc = optarg; break;
		case 'i': if (parse_u32("--interval", optarg, &o.interval) < 0) return HACTL_USAGE; break;
		case 't': if (parse_u32("--timeout", optarg, &o.timeout) < 0) return HACTL_USAGE; break;
		case 'd': if (parse_u32("--depth", optarg, &o.depth) < 0) return HACTL_USAGE; break;
		case 'm': g_ptr_array_add(metas, optarg); break;
		case 'T': o.target = optarg; break;
		case 'o': ocf_root = optarg; break;
		case 'v': st.verbose = true; break;
		case 'h': usage_run(stdout); return HACTL_OK;
		default: usage_run(stderr); return HACTL_USAGE;
		}
	}
	if (argc - optind < 2) {
		usage_run(stderr);
		return HACTL_USAGE;
	}
	if (build_request(argv + optind, argc - optind, &o, &req) < 0)
		return HACTL_USAGE;
	if ((r = make_executor(ocf_root, &ex)) != HACTL_OK) {
		ha_op_request_free(req);
		return r;
	}
	r = run_op(ex, req, &st);
	ha_op_request_free(req);
	if (r == HACTL_OK) {
		const char *agent = argv[optind], *action = argv[optind + 1];

		if (!strcmp(action, "meta-data") && st.out)
			fputs(st.out, stdout);
		printf("%s %s: rc %d (%s)", agent, action, st.rc, ha_ocf_rc_name(st.rc));
		if (st.status != HA_EXEC_DONE)
			printf(", %s", ha_exec_status_name(st.status));
		printf("\n");
		if (st.reason)
			printf("exit reason: %s\n", st.reason);
		printf("duration: %.1f ms\n", (double)st.duration_us / 1000.0);
		r = st.severity == HA_OP_OK || st.severity == HA_OP_DEGRADED ? HACTL_OK
									    : HACTL_FAILED;
	}
	g_free(st.reason);
	g_free(st.out);
	return r;
}

/* ---- describe ---------------------------------------------------------------------------- */

static void fmt_ms(char *buf, size_t n, uint32_t ms)
{
	if (!ms)
		snprintf(buf, n, "-");
	else if (ms % 1000)
		snprintf(buf, n, "%" PRIu32 "ms", ms);
	else
		snprintf(buf, n, "%" PRIu32 "s", ms / 1000);
}

static void print_metadata(const char *agent, const ha_agent_metadata *md)
{
	size_t np = ha_agent_metadata_param_count(md), na = ha_agent_metadata_action_count(md);

	printf("%s", agent);
	if (ha_agent_metadata_shortdesc(md))
		printf(" - %s", ha_agent_metadata_shortdesc(md));
	printf("\n\nparameters:\n");
	if (!np)
		printf("  (none)\n");
	else
		printf("  %-24s %-8s %-20s %s\n", "NAME", "REQUIRED", "DEFAULT", "DESCRIPTION");
	for (size_t i = 0; i < np; i++) {
		const char *def = ha_agent_metadata_param_default(md, i);
		const char *desc = ha_agent_metadata_param_shortdesc(md, i);
		printf("  %-24s %-8s %-20s %s\n", ha_agent_metadata_param_name(md, i),
		       ha_agent_metadata_param_required(md, i) ? "yes" : "no",
		       def && *def ? def : "-", desc ? desc : "");
	}
	printf("\nactions:\n  %-14s %-8s %-8s %-5s %s\n", "NAME", "TIMEOUT", "INTERVAL", "DEPTH",
	       "ROLE");
	for (size_t i = 0; i < na; i++) {
		char t[24], iv[24], d[16];
		int depth = ha_agent_metadata_action_depth(md, i);
		const char *role = ha_agent_metadata_action_role(md, i);

		fmt_ms(t, sizeof(t), ha_agent_metadata_action_timeout(md, i));
		fmt_ms(iv, sizeof(iv), ha_agent_metadata_action_interval(md, i));
		if (depth < 0)
			snprintf(d, sizeof(d), "-");
		else
			snprintf(d, sizeof(d), "%d", depth);
		printf("  %-14s %-8s %-8s %-5s", ha_agent_metadata_action_name(md, i), t, iv, d);
		printf(role ? " %s\n" : "\n", role);
	}
}

static int cmd_describe(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ocf-root", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *ocf_root = NULL;
	run_state st = {0};
	ha_op_request *req;
	ha_executor *ex;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': ocf_root = optarg; break;
		case 'h': usage_describe(stdout); return HACTL_OK;
		default: usage_describe(stderr); return HACTL_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage_describe(stderr);
		return HACTL_USAGE;
	}
	const char *agent = argv[optind];
	ha_op_request_new(&req);
	if (ha_op_request_set_agent(req, agent) < 0) {
		fprintf(stderr, "hactl agent: '%s' is not an agent spec (ocf:PROVIDER:TYPE, lsb:NAME, "
			"systemd:UNIT, stonith:fence_NAME)\n", agent);
		ha_op_request_free(req);
		return HACTL_USAGE;
	}
	ha_op_request_set_action(req, "meta-data");
	/* What agents assume when asked for meta-data without an instance. */
	ha_op_request_set_resource(req, "RESOURCE_ID");
	if ((r = make_executor(ocf_root, &ex)) != HACTL_OK) {
		ha_op_request_free(req);
		return r;
	}
	r = run_op(ex, req, &st);
	ha_op_request_free(req);
	if (r == HACTL_OK && (st.status != HA_EXEC_DONE || st.rc != HA_OCF_SUCCESS)) {
		fprintf(stderr, "hactl agent: %s meta-data: rc %d (%s)%s%s%s%s\n", agent, st.rc,
			ha_ocf_rc_name(st.rc), st.status != HA_EXEC_DONE ? ", " : "",
			st.status != HA_EXEC_DONE ? ha_exec_status_name(st.status) : "",
			st.reason ? ": " : "", st.reason ? st.reason : "");
		r = HACTL_FAILED;
	} else if (r == HACTL_OK) {
		ha_agent_metadata *md = NULL;
		ha_diag *d = NULL;

		ha_diag_new(&d);
		if (ha_agent_metadata_parse(st.out, strlen(st.out), &md, d) < 0) {
			fprintf(stderr, "hactl agent: %s returned unusable meta-data:\n", agent);
			hactl_print_diag(d);
			r = HACTL_FAILED;
		} else {
			print_metadata(agent, md);
		}
		ha_agent_metadata_free(md);
		ha_diag_free(d);
	}
	g_free(st.reason);
	g_free(st.out);
	return r;
}

int hactl_agent(int argc, char **argv)
{
	if (argc < 2) {
		usage_main(stderr);
		return HACTL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage_main(stdout);
		return HACTL_OK;
	}
	/* getopt sees "list", "run", ... as argv[0] */
	optind = 1;
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "describe"))
		return cmd_describe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	fprintf(stderr, "hactl agent: unknown subcommand '%s'\n", argv[1]);
	usage_main(stderr);
	return HACTL_USAGE;
}
