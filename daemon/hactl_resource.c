/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl's configuration commands: resource (create, update, delete, show, enable,
 * disable, meta), constraint (location, colocation, order, delete, list), config
 * (show, export, import) and property (set, unset). Each change is an edit of the
 * live CIB through <ha/edit.h>, sent by hactl_change() (dry run, epoch, waiting).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hactl.h"

static bool is_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Report an edit error in words. */
static int edit_error(const char *what, const char *id, int r)
{
	const char *why = r == HA_EDUPLICATE ? "that id is already used"
			  : r == -ENOENT    ? "no such resource or constraint (`hactl resource show`)"
			  : r == HA_EREF    ? "it names an unknown resource or node"
			  : r == -EINVAL    ? "invalid value (ids: letters, digits, _ . -; scores: "
					      "integers or [-]INFINITY)"
					    : ha_strerror(r);
	fprintf(stderr, "hactl: %s %s: %s\n", what, id ? id : "", why);
	return HACTL_USAGE;
}

/* Split NAME=VALUE (the value may be empty; NAME= with --unset semantics is not used). */
static int split_pair(const char *arg, char **name, const char **value)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		fprintf(stderr, "hactl: '%s' is not NAME=VALUE\n", arg);
		return -EINVAL;
	}
	*name = g_strndup(arg, (gsize)(eq - arg));
	*value = eq + 1;
	return 0;
}

/* An id made of parts, with characters XML ids do not allow replaced. */
static char *make_id(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *make_id(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
			*p = '_';
	if (!g_ascii_isalpha(s[0]) && s[0] != '_') {
		char *t = g_strconcat("c-", s, NULL);
		g_free(s);
		s = t;
	}
	return s;
}

/* ---- resource create / update / meta ----------------------------------------------------------- */

typedef struct rsc_edit {
	const char *id;
	const char *agent;     /* create */
	const char *group;
	bool clone, promotable, no_monitor;
	GPtrArray *params;     /* "NAME=VALUE" */
	GPtrArray *metas;
	GPtrArray *unset;      /* names: parameters (update) or metas (meta) */
	GPtrArray *ops;        /* "NAME,interval=..,timeout=..,on-fail=.." */
	bool meta_only;        /* `resource meta`: NAME=VALUE are meta attributes */
} rsc_edit;

static int apply_op(ha_cib *cib, const char *rsc, const char *spec)
{
	char **parts = g_strsplit(spec, ",", -1);
	const char *name = parts[0], *interval = "0", *timeout = NULL, *on_fail = NULL;
	int r = 0;
	for (char **p = parts + 1; *p && r == 0; p++) {
		if (g_str_has_prefix(*p, "interval="))
			interval = *p + 9;
		else if (g_str_has_prefix(*p, "timeout="))
			timeout = *p + 8;
		else if (g_str_has_prefix(*p, "on-fail="))
			on_fail = *p + 8;
		else
			r = -EINVAL;
	}
	if (r == 0)
		r = ha_edit_rsc_op(cib, rsc, name, interval, timeout, on_fail);
	if (r < 0)
		fprintf(stderr, "hactl: --op '%s': expected NAME,interval=T[,timeout=T][,on-fail=X] "
				"(T like 10s; on-fail: ignore block stop restart fence standby demote)\n",
			spec);
	g_strfreev(parts);
	return r;
}

static int apply_pairs(ha_cib *cib, const char *rsc, GPtrArray *pairs, bool meta)
{
	for (guint i = 0; i < pairs->len; i++) {
		char *name;
		const char *value;
		if (split_pair(g_ptr_array_index(pairs, i), &name, &value) < 0)
			return HACTL_USAGE;
		int r = meta ? ha_edit_rsc_meta(cib, rsc, name, value)
			     : ha_edit_rsc_param(cib, rsc, name, value);
		if (r < 0) {
			fprintf(stderr, "hactl: %s %s of %s: %s\n", meta ? "meta attribute" : "parameter",
				name, rsc,
				r == -ENOENT ? "no such resource"
				: r == -EINVAL ? (meta ? "invalid name or value"
						       : "invalid name or value, or not a primitive")
					       : ha_strerror(r));
			g_free(name);
			return r == -ENOENT ? HACTL_USAGE : HACTL_USAGE;
		}
		g_free(name);
	}
	return HACTL_OK;
}

static int edit_create(ha_cib **cibp, void *ud)
{
	rsc_edit *e = ud;
	ha_cib *cib = *cibp;
	int r = ha_edit_primitive(cib, e->id, e->agent);
	if (r < 0) {
		if (r == -EINVAL)
			fprintf(stderr, "hactl: resource create %s: invalid id or agent '%s' (agents: "
					"ocf:PROVIDER:TYPE, lsb:NAME, systemd:UNIT, stonith:NAME)\n",
				e->id, e->agent);
		else
			edit_error("resource create", e->id, r);
		return HACTL_USAGE;
	}
	if ((r = apply_pairs(cib, e->id, e->params, false)) != HACTL_OK ||
	    (r = apply_pairs(cib, e->id, e->metas, true)) != HACTL_OK)
		return r;
	bool has_monitor = false;
	for (guint i = 0; i < e->ops->len; i++) {
		const char *spec = g_ptr_array_index(e->ops, i);
		has_monitor |= g_str_has_prefix(spec, "monitor,");
		if (apply_op(cib, e->id, spec) < 0)
			return HACTL_USAGE;
	}
	/* Failures are only noticed by a recurring monitor: give one by default. */
	if (!has_monitor && !e->no_monitor && ha_edit_rsc_op(cib, e->id, "monitor", "10s", "20s", NULL) < 0)
		return HACTL_FAILED;
	if (e->group && (r = ha_edit_group_add(cib, e->group, e->id)) < 0) {
		fprintf(stderr, "hactl: --group %s: %s\n", e->group,
			r == HA_EDUPLICATE ? "that id names something that is not a group"
					   : "cannot put the resource there (a group inside a clone "
					     "is extended with `--group`, the clone itself is not)");
		return HACTL_USAGE;
	}
	if (e->clone || e->promotable) {
		const char *target = e->group ? e->group : e->id;
		if (e->group && ha_cib_rsc_parent(cib, e->group)) {
			/* The group is already cloned. */
		} else if ((r = ha_edit_clone(cib, target, NULL, e->promotable)) < 0) {
			edit_error("--clone", target, r);
			return HACTL_USAGE;
		}
	}
	return HACTL_OK;
}

static int edit_update(ha_cib **cibp, void *ud)
{
	rsc_edit *e = ud;
	ha_cib *cib = *cibp;
	const char *kind = ha_cib_rsc_kind(cib, e->id);
	if (!kind) {
		fprintf(stderr, "hactl: no resource '%s' (`hactl resource show` lists them)\n", e->id);
		return HACTL_USAGE;
	}
	if (!e->meta_only && strcmp(kind, "primitive") &&
	    (e->params->len || e->ops->len || e->unset->len)) {
		fprintf(stderr, "hactl: %s is a %s: parameters and operations belong to its "
				"primitives\n", e->id, kind);
		return HACTL_USAGE;
	}
	int r;
	if ((r = apply_pairs(cib, e->id, e->params, e->meta_only)) != HACTL_OK ||
	    (r = apply_pairs(cib, e->id, e->metas, true)) != HACTL_OK)
		return r;
	for (guint i = 0; i < e->unset->len; i++) {
		const char *name = g_ptr_array_index(e->unset, i);
		r = e->meta_only ? ha_edit_rsc_meta(cib, e->id, name, NULL)
				 : ha_edit_rsc_param(cib, e->id, name, NULL);
		if (r < 0)
			return edit_error("--unset", name, r);
	}
	for (guint i = 0; i < e->ops->len; i++)
		if (apply_op(cib, e->id, g_ptr_array_index(e->ops, i)) < 0)
			return HACTL_USAGE;
	return HACTL_OK;
}

static void usage_resource(FILE *out)
{
	fprintf(out,
		"usage: hactl resource create ID AGENT [NAME=VALUE...] [--group G] [--clone |\n"
		"                                 --promotable] [--meta NAME=VALUE]...\n"
		"                                 [--op NAME,interval=T[,timeout=T][,on-fail=X]]...\n"
		"                                 [--no-monitor]\n"
		"       hactl resource update ID [NAME=VALUE...] [--unset NAME]... [--op ...]\n"
		"       hactl resource meta ID NAME=VALUE... [--unset NAME]...\n"
		"       hactl resource enable|disable ID\n"
		"       hactl resource delete ID\n"
		"       hactl resource show [ID]\n"
		"\nAGENT is ocf:PROVIDER:TYPE (e.g. ocf:ha:IPaddr2), lsb:NAME, systemd:UNIT or\n"
		"stonith:NAME; NAME=VALUE are its parameters (`hactl agent describe AGENT`).\n"
		"A new primitive gets `monitor,interval=10s,timeout=20s` unless an --op monitor\n"
		"or --no-monitor is given. had checks parameters against the agent's meta-data\n"
		"before accepting a change. delete also removes the constraints naming it.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

static int cmd_resource_edit(int argc, char **argv, const char *sub)
{
	static const struct option opts[] = {
		{"group", required_argument, NULL, 'g'},
		{"clone", no_argument, NULL, 'c'},
		{"promotable", no_argument, NULL, 'p'},
		{"meta", required_argument, NULL, 'm'},
		{"op", required_argument, NULL, 'o'},
		{"unset", required_argument, NULL, 'u'},
		{"no-monitor", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	g_autoptr(GPtrArray) params = g_ptr_array_new();
	g_autoptr(GPtrArray) metas = g_ptr_array_new();
	g_autoptr(GPtrArray) unset = g_ptr_array_new();
	g_autoptr(GPtrArray) ops = g_ptr_array_new();
	rsc_edit e = {.params = params, .metas = metas, .unset = unset, .ops = ops};
	hactl_common co = {0};
	bool create = !strcmp(sub, "create");
	int c, h;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		switch (c) {
		case 'g': e.group = optarg; break;
		case 'c': e.clone = true; break;
		case 'p': e.promotable = true; break;
		case 'm': g_ptr_array_add(metas, optarg); break;
		case 'o': g_ptr_array_add(ops, optarg); break;
		case 'u': g_ptr_array_add(unset, optarg); break;
		case 'n': e.no_monitor = true; break;
		case 'h': usage_resource(stdout); return HACTL_OK;
		default: usage_resource(stderr); return HACTL_USAGE;
		}
	}
	int need = create ? 2 : 1;
	if (argc - optind < need) {
		usage_resource(stderr);
		return HACTL_USAGE;
	}
	e.id = argv[optind++];
	if (create)
		e.agent = argv[optind++];
	for (; optind < argc; optind++)
		g_ptr_array_add(params, argv[optind]);
	if (!create && (e.group || e.clone || e.promotable || e.no_monitor)) {
		fprintf(stderr, "hactl resource %s: --group/--clone/--promotable/--no-monitor are for "
				"create\n", sub);
		return HACTL_USAGE;
	}
	if (!strcmp(sub, "meta")) {
		e.meta_only = true;
		if (!params->len && !unset->len) {
			usage_resource(stderr);
			return HACTL_USAGE;
		}
	}
	char *what = g_strdup_printf("resource %s %s", sub, e.id);
	/* Watch what the user sees: the clone or group it ends up in, else itself. */
	const char *watch[2] = {e.promotable || e.clone ? NULL : e.group ? e.group : e.id, NULL};
	char *clone_id = NULL;
	if (!watch[0]) {
		clone_id = g_strdup_printf("%s-clone", e.group ? e.group : e.id);
		watch[0] = clone_id;
	}
	int r = hactl_change(&co, what, create ? edit_create : edit_update, &e, watch);
	g_free(what);
	g_free(clone_id);
	return r;
}

static int edit_delete(ha_cib **cibp, void *ud)
{
	const char *id = ud;
	int r = ha_edit_rsc_delete(*cibp, id);
	return r < 0 ? edit_error("resource delete", id, r) : HACTL_OK;
}

typedef struct role_edit {
	const char *id;
	const char *role; /* NULL: remove target-role */
} role_edit;

static int edit_role(ha_cib **cibp, void *ud)
{
	role_edit *e = ud;
	int r = ha_edit_rsc_meta(*cibp, e->id, "target-role", e->role);
	return r < 0 ? edit_error("resource", e->id, r) : HACTL_OK;
}

static int cmd_resource_simple(int argc, char **argv, const char *sub)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	hactl_common co = {0};
	int c, h;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		if (c == 'h') {
			usage_resource(stdout);
			return HACTL_OK;
		}
		usage_resource(stderr);
		return HACTL_USAGE;
	}
	if (argc - optind != 1) {
		usage_resource(stderr);
		return HACTL_USAGE;
	}
	const char *id = argv[optind];
	const char *watch[2] = {id, NULL};
	char *what = g_strdup_printf("resource %s %s", sub, id);
	int r;
	if (!strcmp(sub, "delete")) {
		r = hactl_change(&co, what, edit_delete, (void *)id, NULL);
	} else {
		role_edit e = {id, !strcmp(sub, "disable") ? "Stopped" : NULL};
		r = hactl_change(&co, what, edit_role, &e, watch);
	}
	g_free(what);
	return r;
}

static int cmd_resource_show(int argc, char **argv)
{
	if (argc > 2 || is_help(argc, argv)) {
		usage_resource(is_help(argc, argv) ? stdout : stderr);
		return is_help(argc, argv) ? HACTL_OK : HACTL_USAGE;
	}
	hactl_conn *conn;
	ha_cib *cib = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = hactl_fetch(conn, &cib, NULL, NULL);
	hactl_disconnect(conn);
	if (r != HACTL_OK)
		return r;
	char **ids = NULL;
	if (argc == 2) {
		ids = g_new0(char *, 2);
		ids[0] = g_strdup(argv[1]);
	} else {
		ha_cib_ids(cib, false, &ids);
	}
	for (char **id = ids; *id; id++) {
		char *txt = NULL;
		/* Top level only when listing everything: members are shown within. */
		if (argc != 2 && ha_cib_rsc_parent(cib, *id))
			continue;
		int e = ha_cib_describe(cib, *id, &txt);
		if (e < 0) {
			fprintf(stderr, "hactl: no resource or constraint '%s'\n", *id);
			r = HACTL_USAGE;
			continue;
		}
		fputs(txt, stdout);
		free(txt);
		/* A group's or clone's members in full. */
		const char *kind = ha_cib_rsc_kind(cib, *id);
		if (kind && strcmp(kind, "primitive")) {
			char **all = NULL;
			ha_cib_ids(cib, false, &all);
			for (char **m = all; *m; m++) {
				const char *p = ha_cib_rsc_parent(cib, *m);
				const char *pp = p ? ha_cib_rsc_parent(cib, p) : NULL;
				if ((p && !strcmp(p, *id)) || (pp && !strcmp(pp, *id))) {
					if (ha_cib_describe(cib, *m, &txt) == 0) {
						char **lines = g_strsplit(txt, "\n", -1);
						for (char **l = lines; *l; l++)
							if (**l)
								printf("  %s\n", *l);
						g_strfreev(lines);
						free(txt);
					}
				}
			}
			ha_strv_free(all);
		}
	}
	if (argc != 2 && !ids[0])
		printf("no resources configured\n");
	g_strfreev(ids);
	ha_cib_free(cib);
	return r;
}

int hactl_resource(int argc, char **argv)
{
	if (argc < 2) {
		usage_resource(stderr);
		return HACTL_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage_resource(stdout);
		return HACTL_OK;
	}
	if (!strcmp(sub, "create") || !strcmp(sub, "update") || !strcmp(sub, "meta"))
		return cmd_resource_edit(argc - 1, argv + 1, sub);
	if (!strcmp(sub, "delete") || !strcmp(sub, "enable") || !strcmp(sub, "disable"))
		return cmd_resource_simple(argc - 1, argv + 1, sub);
	if (!strcmp(sub, "show") || !strcmp(sub, "list"))
		return cmd_resource_show(argc - 1, argv + 1);
	fprintf(stderr, "hactl resource: unknown subcommand '%s'\n", sub);
	usage_resource(stderr);
	return HACTL_USAGE;
}

/* ---- constraints ------------------------------------------------------------------------------- */

static void usage_constraint(FILE *out)
{
	fprintf(out,
		"usage: hactl constraint location RSC prefers|avoids NODE [SCORE] [--role ROLE] [--id ID]\n"
		"       hactl constraint colocation RSC WITH_RSC [SCORE] [--role R] [--with-role R] [--id ID]\n"
		"       hactl constraint order FIRST THEN [--kind Mandatory|Optional|Serialize]\n"
		"                              [--first-action A] [--then-action A] [--no-symmetrical] [--id ID]\n"
		"       hactl constraint delete ID\n"
		"       hactl constraint list\n"
		"\nSCORE is an integer or [-]INFINITY (default INFINITY; `avoids` negates it).\n"
		"Colocation: RSC runs where WITH_RSC runs (negative: never there). Order: THEN\n"
		"starts after FIRST (stops in reverse unless --no-symmetrical). Roles: Started,\n"
		"Promoted, Unpromoted. Generated ids look like location-RSC-NODE.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

typedef struct cons_edit {
	const char *kind;
	const char *id;
	const char *a, *b; /* rsc + node | rsc + with | first + then */
	const char *score;
	const char *role, *with_role;
	const char *order_kind, *first_action, *then_action;
	bool symmetrical;
} cons_edit;

static int edit_constraint(ha_cib **cibp, void *ud)
{
	cons_edit *e = ud;
	ha_cib *cib = *cibp;
	int r;
	if (!strcmp(e->kind, "location"))
		r = ha_edit_location(cib, e->id, e->a, e->b, e->score, e->role);
	else if (!strcmp(e->kind, "colocation"))
		r = ha_edit_colocation(cib, e->id, e->a, e->b, e->score, e->role, e->with_role);
	else if (!strcmp(e->kind, "order"))
		r = ha_edit_order(cib, e->id, e->a, e->b, e->order_kind, e->first_action,
				  e->then_action, e->symmetrical);
	else
		r = ha_edit_constraint_delete(cib, e->id);
	return r < 0 ? edit_error(e->kind, e->id, r) : HACTL_OK;
}

static int cmd_constraint_list(void)
{
	hactl_conn *conn;
	ha_cib *cib = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = hactl_fetch(conn, &cib, NULL, NULL);
	int64_t now = hactl_cluster_now(conn), left;
	hactl_disconnect(conn);
	if (r != HACTL_OK)
		return r;
	char **ids = NULL;
	ha_cib_ids(cib, true, &ids);
	for (char **id = ids; *id; id++) {
		char *txt = NULL;
		if (ha_cib_describe(cib, *id, &txt) == 0) {
			fputs(txt, stdout);
			free(txt);
		}
		if (ha_cib_lifetime(cib, *id, now, &left) == 1) {
			char *t = hactl_fmt_seconds(left);
			printf("  lifetime: ends in %s\n", t);
			g_free(t);
		}
	}
	if (!ids[0])
		printf("no constraints\n");
	ha_strv_free(ids);
	ha_cib_free(cib);
	return HACTL_OK;
}

int hactl_constraint(int argc, char **argv)
{
	static const struct option opts[] = {
		{"id", required_argument, NULL, 'i'},
		{"role", required_argument, NULL, 'r'},
		{"with-role", required_argument, NULL, 'w'},
		{"kind", required_argument, NULL, 'k'},
		{"first-action", required_argument, NULL, 'f'},
		{"then-action", required_argument, NULL, 't'},
		{"no-symmetrical", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_constraint(argc < 2 ? stderr : stdout);
		return argc < 2 ? HACTL_USAGE : HACTL_OK;
	}
	cons_edit e = {.kind = argv[1], .symmetrical = true};
	hactl_common co = {0};
	int c, h;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		switch (c) {
		case 'i': e.id = optarg; break;
		case 'r': e.role = optarg; break;
		case 'w': e.with_role = optarg; break;
		case 'k': e.order_kind = optarg; break;
		case 'f': e.first_action = optarg; break;
		case 't': e.then_action = optarg; break;
		case 'n': e.symmetrical = false; break;
		case 'h': usage_constraint(stdout); return HACTL_OK;
		default: usage_constraint(stderr); return HACTL_USAGE;
		}
	}
	char **args = argv + optind;
	int n = argc - optind;
	char *gen = NULL, *neg = NULL;
	const char *watch[2] = {NULL, NULL};
	if (!strcmp(e.kind, "list"))
		return n == 0 ? cmd_constraint_list() : (usage_constraint(stderr), HACTL_USAGE);
	if (!strcmp(e.kind, "location")) {
		if ((n != 3 && n != 4) || (strcmp(args[1], "prefers") && strcmp(args[1], "avoids"))) {
			usage_constraint(stderr);
			return HACTL_USAGE;
		}
		e.a = args[0];
		e.b = args[2];
		e.score = n == 4 ? args[3] : "INFINITY";
		if (!strcmp(args[1], "avoids")) {
			neg = e.score[0] == '-' ? g_strdup(e.score + 1) : g_strconcat("-", e.score, NULL);
			e.score = neg;
		}
		if (!e.id)
			e.id = gen = make_id("location-%s-%s", e.a, e.b);
		watch[0] = e.a;
	} else if (!strcmp(e.kind, "colocation")) {
		if (n != 2 && n != 3) {
			usage_constraint(stderr);
			return HACTL_USAGE;
		}
		e.a = args[0];
		e.b = args[1];
		e.score = n == 3 ? args[2] : "INFINITY";
		if (!e.id)
			e.id = gen = make_id("colocation-%s-%s", e.a, e.b);
		watch[0] = e.a;
	} else if (!strcmp(e.kind, "order")) {
		if (n != 2) {
			usage_constraint(stderr);
			return HACTL_USAGE;
		}
		e.a = args[0];
		e.b = args[1];
		if (!e.id)
			e.id = gen = make_id("order-%s-%s", e.a, e.b);
	} else if (!strcmp(e.kind, "delete")) {
		if (n != 1) {
			usage_constraint(stderr);
			return HACTL_USAGE;
		}
		e.id = args[0];
	} else {
		fprintf(stderr, "hactl constraint: unknown kind '%s'\n", e.kind);
		usage_constraint(stderr);
		return HACTL_USAGE;
	}
	char *what = g_strdup_printf("constraint %s %s", e.kind, e.id);
	int r = hactl_change(&co, what, edit_constraint, &e, watch[0] ? watch : NULL);
	g_free(what);
	g_free(gen);
	g_free(neg);
	return r;
}

/* ---- config ------------------------------------------------------------------------------------- */

static void usage_config(FILE *out)
{
	fprintf(out,
		"usage: hactl config show\n"
		"       hactl config export FILE\n"
		"       hactl config import FILE [--lenient] [change options]\n"
		"\nshow prints the configuration (CIB XML without status); export writes it to\n"
		"FILE (atomically). import replaces the whole configuration with FILE's, a\n"
		"Pacemaker CIB or one exported here: what is outside libha's supported subset\n"
		"is reported by name and nothing changes; --lenient accepts it when the\n"
		"unsupported parts do not affect placement (alerts, acls, tags...), with warnings.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

static int config_text(char **xml)
{
	hactl_conn *conn;
	ha_cib *cib = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = hactl_fetch(conn, &cib, NULL, NULL);
	hactl_disconnect(conn);
	if (r != HACTL_OK)
		return r;
	ha_edit_strip_status(cib);
	int e = ha_cib_to_string(cib, xml);
	ha_cib_free(cib);
	if (e < 0) {
		fprintf(stderr, "hactl: cannot serialize the configuration: %s\n", ha_strerror(e));
		return HACTL_FAILED;
	}
	return HACTL_OK;
}

typedef struct import_edit {
	ha_cib *cib;
} import_edit;

static int edit_import(ha_cib **cibp, void *ud)
{
	import_edit *e = ud;
	/* The live status stays, so the dry run schedules against what runs now; the
	 * cluster ignores the status of a configuration change anyway. */
	int r = ha_edit_replace_config(*cibp, e->cib);
	if (r < 0) {
		fprintf(stderr, "hactl: cannot use the imported configuration: %s\n", ha_strerror(r));
		return HACTL_FAILED;
	}
	return HACTL_OK;
}

static int cmd_config_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"lenient", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	hactl_common co = {0};
	bool lenient = false;
	int c, h;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		if (c == 'l')
			lenient = true;
		else {
			usage_config(c == 'h' ? stdout : stderr);
			return c == 'h' ? HACTL_OK : HACTL_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage_config(stderr);
		return HACTL_USAGE;
	}
	const char *file = argv[optind];
	ha_diag *dg = NULL;
	import_edit e = {0};
	ha_diag_new(&dg);
	int r = ha_cib_load_file(file, lenient ? HA_CIB_LENIENT : 0, &e.cib, dg);
	hactl_print_diag(dg);
	ha_diag_free(dg);
	if (r < 0) {
		fprintf(stderr, "hactl: %s cannot be imported (%s); nothing changed%s\n", file,
			ha_strerror(r),
			r == HA_EUNSUPPORTED && !lenient
				? ": parts outside libha's subset are listed above; --lenient "
				  "accepts those that do not affect placement"
				: "");
		return r == -ENOENT || r == -EACCES ? HACTL_FAILED : HACTL_USAGE;
	}
	char *what = g_strdup_printf("config import %s", file);
	char **ids = NULL;
	ha_cib_ids(e.cib, false, &ids);
	/* Watch the top-level resources. */
	GPtrArray *watch = g_ptr_array_new();
	for (char **id = ids; *id; id++)
		if (!ha_cib_rsc_parent(e.cib, *id))
			g_ptr_array_add(watch, *id);
	g_ptr_array_add(watch, NULL);
	r = hactl_change(&co, what, edit_import, &e, (const char *const *)watch->pdata);
	g_ptr_array_free(watch, TRUE);
	ha_strv_free(ids);
	g_free(what);
	ha_cib_free(e.cib);
	return r;
}

int hactl_config(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_config(argc < 2 ? stderr : stdout);
		return argc < 2 ? HACTL_USAGE : HACTL_OK;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "import"))
		return cmd_config_import(argc - 1, argv + 1);
	if (!strcmp(sub, "show") && argc == 2) {
		char *xml = NULL;
		int r = config_text(&xml);
		if (r == HACTL_OK) {
			fputs(xml, stdout);
			free(xml);
		}
		return r;
	}
	if (!strcmp(sub, "export") && argc == 3) {
		char *xml = NULL;
		int r = config_text(&xml);
		if (r != HACTL_OK)
			return r;
		GError *err = NULL;
		if (!g_file_set_contents(argv[2], xml, (gssize)strlen(xml), &err)) {
			fprintf(stderr, "hactl: cannot write %s: %s\n", argv[2], err->message);
			g_error_free(err);
			r = HACTL_FAILED;
		}
		free(xml);
		return r;
	}
	usage_config(stderr);
	return HACTL_USAGE;
}

/* ---- properties -------------------------------------------------------------------------------- */

typedef struct prop_edit {
	const char *name, *value;
	bool rsc_default;
} prop_edit;

static int edit_property(ha_cib **cibp, void *ud)
{
	prop_edit *e = ud;
	int r = e->rsc_default ? ha_edit_rsc_default(*cibp, e->name, e->value)
			       : ha_edit_property(*cibp, e->name, e->value);
	if (r == -EINVAL) {
		fprintf(stderr, "hactl: property %s: invalid name or value '%s'\n", e->name,
			e->value ? e->value : "");
		return HACTL_USAGE;
	}
	return r < 0 ? edit_error("property", e->name, r) : HACTL_OK;
}

static void usage_property(FILE *out)
{
	fprintf(out,
		"usage: hactl property set NAME VALUE [change options]\n"
		"       hactl property unset NAME [change options]\n"
		"       hactl property default NAME [VALUE]   (resource default: set, or unset)\n"
		"\nCluster options: stonith-enabled, no-quorum-policy (stop, freeze, ignore,\n"
		"demote), symmetric-cluster, maintenance-mode, stonith-timeout,\n"
		"cluster-recheck-interval, start-failure-is-fatal, startup-fencing.\n"
		"Resource defaults: resource-stickiness, migration-threshold, failure-timeout...\n"
		"`hactl config show` lists what is set.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_property(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	hactl_common co = {0};
	int c, h;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		usage_property(c == 'h' ? stdout : stderr);
		return c == 'h' ? HACTL_OK : HACTL_USAGE;
	}
	/* Options may also follow the arguments. */
	int n = argc - optind;
	char **a = argv + optind;
	optind = 0;
	prop_edit e = {0};
	if (n >= 1 && !strcmp(a[0], "set") && n >= 3) {
		e.name = a[1];
		e.value = a[2];
	} else if (n >= 1 && !strcmp(a[0], "unset") && n >= 2) {
		e.name = a[1];
	} else if (n >= 1 && !strcmp(a[0], "default") && n >= 2) {
		e.rsc_default = true;
		e.name = a[1];
		e.value = n >= 3 && a[2][0] != '-' ? a[2] : NULL;
	} else {
		usage_property(stderr);
		return HACTL_USAGE;
	}
	for (int i = 1; i < n; i++) {
		if (a[i][0] != '-')
			continue;
		if (!strcmp(a[i], "--dry-run"))
			co.dry_run = true;
		else if (!strcmp(a[i], "--no-wait"))
			co.no_wait = true;
		else if (!strcmp(a[i], "--quiet"))
			co.quiet = true;
		else if (!strcmp(a[i], "--timeout") && i + 1 < n) {
			if (hactl_common_opt(&co, 1002, a[++i]) < 0)
				return HACTL_USAGE;
		} else {
			usage_property(stderr);
			return HACTL_USAGE;
		}
	}
	char *what = g_strdup_printf("%s %s", e.rsc_default ? "resource default" : "property", e.name);
	int r = hactl_change(&co, what, edit_property, &e, NULL);
	g_free(what);
	return r;
}
