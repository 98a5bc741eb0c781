/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent classes: where each kind of agent lives, what argv/environment/stdin an
 * operation gets (parameters only ever travel in the environment or on stdin, never
 * through a shell), how exit codes map onto OCF rcs, and listing installed agents.
 * Running and watching the process is child.c's job.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_private.h"

/* The Pacemaker feature set the heartbeat shell functions compare against. */
#define HA_CRM_FEATURE_SET "3.16.1"
#define HA_AGENT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Listing stops here: a directory with more entries is not an agent directory. */
#define LIST_MAX_ENTRIES 100000

static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOENT;
	if (access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

int ha__agent_path(const ha_executor *ex, const ha__agent_spec *spec, char **ret)
{
	g_autofree char *p = NULL;
	int r;

	switch (spec->cls) {
	case HA__CLASS_OCF:
		p = g_build_filename(ex->ocf_root, "resource.d", spec->provider, spec->type, NULL);
		break;
	case HA__CLASS_LSB:
		p = g_build_filename(ex->lsb_dir, spec->type, NULL);
		break;
	case HA__CLASS_STONITH:
		p = g_build_filename(ex->stonith_dir, spec->type, NULL);
		break;
	case HA__CLASS_SYSTEMD:
		p = g_strdup(ex->systemctl);
		break;
	default:
		return -ENOENT;
	}
	r = executable(p);
	if (r < 0)
		return r;
	*ret = g_steal_pointer(&p);
	return 0;
}

/* ---- argv / environment ------------------------------------------------------------ */

static char **strv_steal(GPtrArray *a)
{
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

static void env_add(GPtrArray *env, const char *name, const char *value)
{
	g_ptr_array_add(env, g_strconcat(name, "=", value, NULL));
}

/* The agent's environment is built from nothing: the embedder's environment (which may
 * hold anything, LD_PRELOAD included) is not inherited. */
static char **ocf_env(const ha_executor *ex, const ha__op *op)
{
	const ha_op_request *req = op->req;
	GPtrArray *env = g_ptr_array_new();
	char num[32];

	/* The helper commands (crm_attribute, crm_node, ...) come first: agents that look
	 * them up through PATH find libha's, never a Pacemaker installation's. */
	g_autofree char *path = g_strconcat(ex->libexec_dir, ":", HA_AGENT_PATH, NULL);
	env_add(env, "PATH", ex->libexec_dir ? path : HA_AGENT_PATH);
	env_add(env, "OCF_ROOT", ex->ocf_root);
	env_add(env, "OCF_RA_VERSION_MAJOR", "1");
	env_add(env, "OCF_RA_VERSION_MINOR", "1");
	env_add(env, "OCF_RESKEY_crm_feature_set", HA_CRM_FEATURE_SET);
	if (req->resource)
		env_add(env, "OCF_RESOURCE_INSTANCE", req->resource);
	env_add(env, "OCF_RESOURCE_TYPE", req->spec.type);
	env_add(env, "OCF_RESOURCE_PROVIDER", req->spec.provider);
	snprintf(num, sizeof(num), "%u", req->depth);
	env_add(env, "OCF_CHECK_LEVEL", num);
	snprintf(num, sizeof(num), "%" PRIu32, req->interval_ms);
	env_add(env, "OCF_RESKEY_CRM_meta_interval", num);
	snprintf(num, sizeof(num), "%" PRIu32, op->timeout_ms);
	env_add(env, "OCF_RESKEY_CRM_meta_timeout", num);
	env_add(env, "HA_SBIN_DIR", ex->libexec_dir);
	for (guint i = 0; i + 1 < req->meta->len; i += 2) {
		g_autofree char *n = g_strconcat("OCF_RESKEY_CRM_meta_",
						 (char *)g_ptr_array_index(req->meta, i), NULL);
		env_add(env, n, g_ptr_array_index(req->meta, i + 1));
	}
	for (guint i = 0; i + 1 < req->params->len; i += 2) {
		g_autofree char *n = g_strconcat("OCF_RESKEY_",
						 (char *)g_ptr_array_index(req->params, i), NULL);
		env_add(env, n, g_ptr_array_index(req->params, i + 1));
	}
	return strv_steal(env);
}

static char **plain_env(void)
{
	GPtrArray *env = g_ptr_array_new();

	env_add(env, "PATH", HA_AGENT_PATH);
	return strv_steal(env);
}

static char **argv_of(const char *path, ...) G_GNUC_NULL_TERMINATED;
static char **argv_of(const char *path, ...)
{
	GPtrArray *a = g_ptr_array_new();
	va_list ap;
	const char *s;

	g_ptr_array_add(a, g_strdup(path));
	va_start(ap, path);
	while ((s = va_arg(ap, const char *)))
		g_ptr_array_add(a, g_strdup(s));
	va_end(ap);
	return strv_steal(a);
}

/* ---- immediate results ------------------------------------------------------------- */

static void immediate(ha__launch *l, ha_exec_status st, int rc, const char *reason)
{
	l->immediate = true;
	l->immediate_status = st;
	l->immediate_rc = rc;
	l->immediate_reason = g_strdup(reason);
}

/* lsb scripts and systemd units have no meta-data of their own; describe the
 * actions they support so tools can treat every class alike. */
static char *synth_metadata(const char *name, const char *what)
{
	return g_strdup_printf(
		"<?xml version=\"1.0\"?>\n"
		"<resource-agent name=\"%s\" version=\"1.0\">\n"
		"<version>1.1</version>\n"
		"<shortdesc lang=\"en\">%s %s</shortdesc>\n"
		"<parameters/>\n"
		"<actions>\n"
		"<action name=\"start\" timeout=\"20s\"/>\n"
		"<action name=\"stop\" timeout=\"20s\"/>\n"
		"<action name=\"monitor\" timeout=\"20s\" interval=\"60s\"/>\n"
		"<action name=\"meta-data\" timeout=\"5s\"/>\n"
		"</actions>\n"
		"</resource-agent>\n", name, what, name);
}

static bool unimplemented_for_service(const char *a)
{
	return strcmp(a, "start") && strcmp(a, "stop") && strcmp(a, "monitor") &&
	       strcmp(a, "status") && strcmp(a, "reload") && strcmp(a, "meta-data");
}

/* ---- per class ----------------------------------------------------------------------- */

static int prepare_lsb(ha__op *op, ha__launch *l)
{
	const char *a = op->req->action;

	if (!strcmp(a, "meta-data")) {
		immediate(l, HA_EXEC_DONE, HA_OCF_SUCCESS, NULL);
		l->immediate_out = synth_metadata(op->req->spec.type, "LSB init script");
		return 0;
	}
	if (unimplemented_for_service(a)) {
		immediate(l, HA_EXEC_DONE, HA_OCF_ERR_UNIMPLEMENTED,
			  "lsb scripts do not implement this action");
		return 0;
	}
	l->argv = argv_of(l->path, ha__action_is_monitor(a) ? "status" : a, NULL);
	l->envp = plain_env();
	return 0;
}

static char *unit_name(const char *type)
{
	/* A name without a type suffix means a service, as for systemctl itself. */
	if (strchr(type, '.'))
		return g_strdup(type);
	return g_strconcat(type, ".service", NULL);
}

static int prepare_systemd(ha_executor *ex, ha__op *op, ha__launch *l)
{
	const char *a = op->req->action;
	g_autofree char *unit = unit_name(op->req->spec.type);

	(void)ex;
	if (unimplemented_for_service(a)) {
		immediate(l, HA_EXEC_DONE, HA_OCF_ERR_UNIMPLEMENTED,
			  "systemd units do not implement this action");
		return 0;
	}
	if (ha__action_is_monitor(a) || !strcmp(a, "status"))
		l->argv = argv_of(l->path, "is-active", "--", unit, NULL);
	else
		l->argv = argv_of(l->path, a, "--", unit, NULL);
	l->envp = plain_env();
	return 0;
}

/* The fence-agents protocol: key=value lines on stdin. pcmk_* are options of the
 * fencer, not of the agent; the action and the target are the executor's. */
static char *stonith_stdin(const ha__op *op, const char *action)
{
	const ha_op_request *req = op->req;
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "action=%s\n", action);
	if (req->target)
		g_string_append_printf(s, "plug=%s\nport=%s\n", req->target, req->target);
	for (guint i = 0; i + 1 < req->params->len; i += 2) {
		const char *n = g_ptr_array_index(req->params, i);

		if (g_str_has_prefix(n, "pcmk_") || !strcmp(n, "action"))
			continue;
		if (req->target && (!strcmp(n, "plug") || !strcmp(n, "port")))
			continue;
		g_string_append_printf(s, "%s=%s\n", n,
				       (char *)g_ptr_array_index(req->params, i + 1));
	}
	return g_string_free(s, FALSE);
}

static int prepare_stonith(ha__op *op, ha__launch *l)
{
	const char *a = op->req->action;
	const char *fa;

	if (!strcmp(a, "stop")) {
		/* Stopping a fence device only unregisters it: nothing to run. */
		immediate(l, HA_EXEC_DONE, HA_OCF_SUCCESS, NULL);
		return 0;
	}
	if (!strcmp(a, "start") || ha__action_is_monitor(a))
		fa = "monitor"; /* a device that cannot be reached must not "start" */
	else if (!strcmp(a, "meta-data"))
		fa = "metadata";
	else if (!strcmp(a, "validate-all") || !strcmp(a, "on") || !strcmp(a, "off") ||
		 !strcmp(a, "reboot") || !strcmp(a, "status") || !strcmp(a, "list") ||
		 !strcmp(a, "list-status"))
		fa = a;
	else {
		immediate(l, HA_EXEC_DONE, HA_OCF_ERR_UNIMPLEMENTED,
			  "fence agents do not implement this action");
		return 0;
	}
	l->argv = argv_of(l->path, NULL);
	l->envp = plain_env();
	l->stdin_text = stonith_stdin(op, fa);
	return 0;
}

int ha__launch_prepare(ha_executor *ex, ha__op *op, ha__launch *l)
{
	int r;

	memset(l, 0, sizeof(*l));
	if (op->req->spec.cls == HA__CLASS_SYSTEMD) {
		if (!strcmp(op->req->action, "meta-data")) {
			g_autofree char *unit = unit_name(op->req->spec.type);
			immediate(l, HA_EXEC_DONE, HA_OCF_SUCCESS, NULL);
			l->immediate_out = synth_metadata(unit, "systemd unit");
			return 0;
		}
		/* sd_booted(): systemctl without a running systemd fails with a
		 * confusing message; say it plainly, before looking for systemctl. */
		if (access(ex->systemd_run_dir, F_OK) < 0) {
			immediate(l, HA_EXEC_NOT_INSTALLED, HA_OCF_ERR_INSTALLED,
				  "systemd is not running on this node");
			return 0;
		}
	}
	r = ha__agent_path(ex, &op->req->spec, &l->path);
	if (r == -ENOENT) {
		const char *what = op->req->spec.cls == HA__CLASS_SYSTEMD ? "systemctl" : "agent";
		g_autofree char *why = g_strdup_printf("%s %s is not installed", what,
						       op->req->spec.cls == HA__CLASS_SYSTEMD
							       ? ex->systemctl : op->req->agent);
		immediate(l, HA_EXEC_NOT_INSTALLED, HA_OCF_ERR_INSTALLED, why);
		return 0;
	}
	if (r < 0) {
		g_autofree char *why = g_strdup_printf("cannot execute %s: %s", op->req->agent,
						       g_strerror(-r));
		immediate(l, HA_EXEC_ERROR, r == -EACCES ? HA_OCF_ERR_PERM : HA_OCF_ERR_GENERIC,
			  why);
		return 0;
	}
	switch (op->req->spec.cls) {
	case HA__CLASS_OCF:
		l->argv = argv_of(l->path, op->req->action, NULL);
		l->envp = ocf_env(ex, op);
		return 0;
	case HA__CLASS_LSB:
		return prepare_lsb(op, l);
	case HA__CLASS_SYSTEMD:
		return prepare_systemd(ex, op, l);
	case HA__CLASS_STONITH:
		return prepare_stonith(op, l);
	default:
		return -EINVAL;
	}
}

void ha__launch_clear(ha__launch *l)
{
	g_free(l->path);
	g_strfreev(l->argv);
	g_strfreev(l->envp);
	g_free(l->stdin_text);
	g_free(l->immediate_out);
	g_free(l->immediate_reason);
	memset(l, 0, sizeof(*l));
}

/* ---- exit code mapping ---------------------------------------------------------------- */

static bool known_ocf_rc(int c)
{
	return (c >= 0 && c <= 9) || c == HA_OCF_DEGRADED || c == HA_OCF_DEGRADED_PROMOTED;
}

static void map_lsb(ha__op *op, int code)
{
	ha_op_result *r = &op->result;
	const char *a = op->req->action;

	if (!ha__action_is_monitor(a) && strcmp(a, "status")) {
		r->rc = code >= 0 && code <= 7 ? code : HA_OCF_ERR_GENERIC;
		return;
	}
	/* LSB status codes differ from every other action's (LSB 3.0, 20.2). */
	switch (code) {
	case 0:
		r->rc = HA_OCF_SUCCESS;
		break;
	case 1:
	case 2:
		r->rc = HA_OCF_ERR_GENERIC;
		if (!r->exit_reason)
			ha__result_set_reason(r, code == 1
				? "lsb status 1: program is dead and a pid file exists"
				: "lsb status 2: program is dead and a lock file exists");
		break;
	case 3:
		r->rc = HA_OCF_NOT_RUNNING;
		break;
	case 150: /* distribution-reserved codes some scripts (and Pacemaker) use */
		r->rc = HA_OCF_ERR_INSTALLED;
		break;
	case 151:
		r->rc = HA_OCF_ERR_PERM;
		break;
	default:
		r->rc = HA_OCF_ERR_GENERIC;
		if (!r->exit_reason)
			ha__result_set_reason(r, "lsb status: service status unknown");
		break;
	}
}

static void map_systemd(ha__op *op, int code)
{
	ha_op_result *r = &op->result;
	const char *a = op->req->action;

	if (ha__action_is_monitor(a) || !strcmp(a, "status")) {
		const char *out = r->out[0]->str;
		size_t n = strcspn(out, "\n");

		/* is-active prints the state; its exit code lumps "failed" and
		 * "unknown unit" together with "inactive". */
		if ((n == 6 && !strncmp(out, "active", n)) || (n == 9 && !strncmp(out, "reloading", n)) ||
		    (n == 10 && !strncmp(out, "activating", n)) ||
		    (n == 12 && !strncmp(out, "deactivating", n)))
			r->rc = HA_OCF_SUCCESS;
		else
			r->rc = HA_OCF_NOT_RUNNING;
		return;
	}
	if (code == 0) {
		r->rc = HA_OCF_SUCCESS;
	} else if (code == 5) { /* systemctl: unit not loaded / not found */
		r->rc = HA_OCF_ERR_INSTALLED;
		r->status = HA_EXEC_NOT_INSTALLED;
	} else {
		r->rc = HA_OCF_ERR_GENERIC;
	}
}

static void map_stonith(ha__op *op, int code)
{
	ha_op_result *r = &op->result;

	if (!strcmp(op->req->action, "status"))
		/* fence agents' status: 0 on, 2 off, anything else an error */
		r->rc = code == 0 ? HA_OCF_SUCCESS : code == 2 ? HA_OCF_NOT_RUNNING
							     : HA_OCF_ERR_GENERIC;
	else
		r->rc = code == 0 ? HA_OCF_SUCCESS : HA_OCF_ERR_GENERIC;
}

void ha__map_exit(ha__op *op, int code)
{
	op->result.exit_code = code;
	switch (op->req->spec.cls) {
	case HA__CLASS_LSB:
		map_lsb(op, code);
		break;
	case HA__CLASS_SYSTEMD:
		map_systemd(op, code);
		break;
	case HA__CLASS_STONITH:
		map_stonith(op, code);
		break;
	default:
		op->result.rc = known_ocf_rc(code) ? code : HA_OCF_ERR_GENERIC;
		break;
	}
}

/* ---- listing ------------------------------------------------------------------------- */

static bool listable(const char *name)
{
	static const char *const skip[] = {"README", "skeleton", "rc", "rcS", "functions"};

	if (name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(skip); i++)
		if (!strcmp(name, skip[i]))
			return false;
	for (const char *c = name; *c; c++)
		if (!g_ascii_isalnum(*c) && !strchr("_.+-", *c))
			return false;
	return true;
}

/* Adds prefix+name for every executable regular file of dir whose name starts with
 * must_start (may be ""). A missing directory lists nothing. */
static void list_dir(GPtrArray *out, const char *dir, const char *prefix, const char *must_start)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return;
	while ((e = readdir(d)) && n++ < LIST_MAX_ENTRIES) {
		if (!listable(e->d_name) || !g_str_has_prefix(e->d_name, must_start))
			continue;
		g_autofree char *p = g_build_filename(dir, e->d_name, NULL);
		if (executable(p) == 0)
			g_ptr_array_add(out, g_strconcat(prefix, e->d_name, NULL));
	}
	closedir(d);
}

static void list_ocf(const ha_executor *ex, GPtrArray *out)
{
	g_autofree char *root = g_build_filename(ex->ocf_root, "resource.d", NULL);
	DIR *d = opendir(root);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return;
	while ((e = readdir(d)) && n++ < LIST_MAX_ENTRIES) {
		if (!listable(e->d_name))
			continue;
		g_autofree char *pdir = g_build_filename(root, e->d_name, NULL);
		g_autofree char *prefix = g_strconcat("ocf:", e->d_name, ":", NULL);
		list_dir(out, pdir, prefix, "");
	}
	closedir(d);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ha_executor_list_agents(const ha_executor *ex, const char *cls, char ***ret)
{
	GPtrArray *out;

	if (!ex || !ret)
		return -EINVAL;
	if (cls && !strcmp(cls, "systemd"))
		return HA_EUNSUPPORTED;
	if (cls && strcmp(cls, "ocf") && strcmp(cls, "lsb") && strcmp(cls, "stonith") &&
	    strcmp(cls, "embedded"))
		return -EINVAL;
	out = g_ptr_array_new();
	if (!cls || !strcmp(cls, "ocf"))
		list_ocf(ex, out);
	if (!cls || !strcmp(cls, "lsb"))
		list_dir(out, ex->lsb_dir, "lsb:", "");
	if (!cls || !strcmp(cls, "stonith"))
		list_dir(out, ex->stonith_dir, "stonith:", "fence_");
	if (!cls || !strcmp(cls, "embedded")) {
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, ex->embedded);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(out, g_strconcat("embedded:", (char *)k, NULL));
	}
	g_ptr_array_sort(out, cmp_str);
	*ret = strv_steal(out);
	return 0;
}

char **ha_agent_list_free(char **list)
{
	g_strfreev(list);
	return NULL;
}
