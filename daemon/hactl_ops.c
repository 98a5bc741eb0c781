/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl's failover operations: move (self-cleaning), ban, clear, restart, cleanup,
 * node standby/unstandby/maintenance, fence. Each is a configuration change or a
 * request to had, checked first on the would-be state (the scheduler says whether
 * the operation can happen at all), then waited for, with the resources' downtime
 * reported. Constraint ids follow Pacemaker's: cli-prefer-RSC, cli-ban-RSC-on-NODE.
 * move and ban take --lifetime: the cluster removes the constraint when it ends.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hactl.h"

static char *prefer_id(const char *rsc)
{
	return g_strdup_printf("cli-prefer-%s", rsc);
}

static char *ban_id(const char *rsc, const char *node)
{
	return g_strdup_printf("cli-ban-%s-on-%s", rsc, node);
}

/* Parse the common options plus --pin / --node; positional arguments into args. */
typedef struct op_args {
	hactl_common co;
	bool pin;
	const char *node_opt;
	const char *lifetime; /* --lifetime (move, ban) */
	int nargs;
	char **args;
} op_args;

static int parse_op(int argc, char **argv, op_args *a, void (*usage)(FILE *))
{
	static const struct option opts[] = {
		{"pin", no_argument, NULL, 'p'},
		{"node", required_argument, NULL, 'N'},
		{"lifetime", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		HACTL_COMMON_LONGOPTS,
		{0},
	};
	int c, h;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((h = hactl_common_opt(&a->co, c, optarg)) != 0) {
			if (h < 0)
				return HACTL_USAGE;
			continue;
		}
		switch (c) {
		case 'p': a->pin = true; break;
		case 'N': a->node_opt = optarg; break;
		case 'l': {
			int64_t secs;
			if (ha_duration_parse(optarg, &secs) < 0) {
				fprintf(stderr, "hactl: --lifetime takes a duration of 1 s to 10 years "
						"such as 30s, 10m, 2h, 1d or PT1H, not '%s'\n", optarg);
				return HACTL_USAGE;
			}
			a->lifetime = optarg;
			break;
		}
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return HACTL_USAGE;
		}
	}
	a->nargs = argc - optind;
	a->args = argv + optind;
	return HACTL_OK;
}

/* Commands other than move and ban have nothing a lifetime could apply to. */
static int no_lifetime(const op_args *a, const char *cmd)
{
	if (!a->lifetime)
		return HACTL_OK;
	fprintf(stderr, "hactl %s: --lifetime applies to move and ban only\n", cmd);
	return HACTL_USAGE;
}

/* After a move or ban with --lifetime went through. */
static void lifetime_note(const op_args *a, const char *id, const char *rsc)
{
	int64_t secs;
	if (!a->lifetime || a->co.quiet || a->co.dry_run || ha_duration_parse(a->lifetime, &secs) < 0)
		return;
	char *t = hactl_fmt_seconds(secs);
	printf("%s ends after %s of cluster time (--lifetime %s): the cluster removes it by "
	       "itself; `hactl clear %s` ends it earlier\n", id, t, a->lifetime, rsc);
	g_free(t);
}

/* Where rsc runs now, from a fresh plan. *nodes: free(). */
static int current_nodes(hactl_conn *c, const char *rsc, char **nodes, char **kind)
{
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	int r = hactl_fetch_plan(c, &cib, &plan);
	if (r != HACTL_OK)
		return r;
	const char *k = ha_cib_rsc_kind(cib, rsc);
	if (!k || ha_status_rsc_nodes(plan, rsc, nodes, NULL) < 0) {
		fprintf(stderr, "hactl: no resource '%s' (`hactl status` lists them)\n", rsc);
		r = HACTL_USAGE;
	} else if (kind) {
		*kind = strdup(k);
	}
	ha_plan_free(plan);
	ha_cib_free(cib);
	return r;
}

/* The scheduler on the edited CIB: where would rsc end up? *target: free(). */
static int would_be(const ha_cib *cib, const char *rsc, char **target)
{
	ha_plan *plan = NULL;
	int r = ha_plan_compute(cib, (int64_t)time(NULL), &plan, NULL);
	if (r == 0)
		r = ha_status_rsc_target(plan, rsc, target);
	ha_plan_free(plan);
	return r;
}

static bool has_word(const char *list, const char *word)
{
	char **w = g_strsplit(list, " ", -1);
	bool found = false;
	for (char **p = w; *p && !found; p++)
		found = !strcmp(*p, word);
	g_strfreev(w);
	return found;
}

static void explain_hint(const ha_cib *cib, const char *rsc)
{
	ha_plan *plan = NULL;
	char *txt = NULL;
	if (ha_plan_compute(cib, (int64_t)time(NULL), &plan, NULL) == 0 &&
	    ha_plan_explain(plan, rsc, &txt) == 0) {
		fprintf(stderr, "%s", txt);
		free(txt);
	}
	ha_plan_free(plan);
}

/* ---- move -------------------------------------------------------------------------------- */

typedef struct move_edit {
	const char *rsc;
	const char *node;   /* target, or NULL: away from `from` */
	const char *from;   /* current node when no target */
	bool check;         /* refuse when the scheduler would not move it */
	const char *lifetime; /* NULL: the constraint is permanent */
} move_edit;

static int edit_move(ha_cib **cibp, void *ud)
{
	move_edit *e = ud;
	ha_cib *cib = *cibp;
	int r;
	char *id;
	if (e->node) {
		id = prefer_id(e->rsc);
		r = ha_edit_location(cib, id, e->rsc, e->node, "INFINITY", NULL);
		/* A ban from the target would defeat the move: the move replaces it. */
		char *ban = ban_id(e->rsc, e->node);
		ha_edit_constraint_delete(cib, ban);
		g_free(ban);
	} else {
		id = ban_id(e->rsc, e->from);
		r = ha_edit_location(cib, id, e->rsc, e->from, "-INFINITY", NULL);
	}
	/* A repeated move or ban without --lifetime makes the constraint permanent, as
	 * crm_resource's does (it replaces the constraint with its lifetime). */
	if (r == 0)
		r = ha_edit_lifetime(cib, id, e->lifetime);
	g_free(id);
	if (r < 0) {
		fprintf(stderr, "hactl: cannot move %s: %s\n", e->rsc,
			r == -EINVAL ? "invalid node name" : ha_strerror(r));
		return HACTL_USAGE;
	}
	if (!e->check)
		return HACTL_OK;
	char *target = NULL;
	if (would_be(cib, e->rsc, &target) < 0)
		return HACTL_FAILED;
	bool ok = e->node ? has_word(target, e->node) : *target && !has_word(target, e->from);
	if (!ok) {
		fprintf(stderr, "hactl: %s cannot move %s%s: the scheduler would place it %s%s.\n"
				"Nothing was changed. Why:\n",
			e->rsc, e->node ? "to " : "away from ", e->node ? e->node : e->from,
			*target ? "on " : "nowhere", target);
		explain_hint(cib, e->rsc);
		free(target);
		return HACTL_FAILED;
	}
	free(target);
	return HACTL_OK;
}

typedef struct clear_edit {
	const char *rsc;
	const char *node; /* NULL: every cli- constraint of rsc */
	bool prefer_only;
	unsigned removed;
} clear_edit;

static int edit_clear(ha_cib **cibp, void *ud)
{
	clear_edit *e = ud;
	char **ids = NULL;
	char *prefer = prefer_id(e->rsc);
	char *ban_prefix = g_strdup_printf("cli-ban-%s-on-", e->rsc);
	e->removed = 0;
	ha_cib_ids(*cibp, true, &ids);
	for (char **id = ids; *id; id++) {
		bool match = !strcmp(*id, prefer);
		if (!e->prefer_only && g_str_has_prefix(*id, ban_prefix))
			match = !e->node || !strcmp(*id + strlen(ban_prefix), e->node);
		if (match && ha_edit_constraint_delete(*cibp, *id) == 0)
			e->removed++;
	}
	ha_strv_free(ids);
	g_free(prefer);
	g_free(ban_prefix);
	return HACTL_OK;
}

static void usage_move(FILE *out)
{
	fprintf(out,
		"usage: hactl move RSC [NODE] [--pin] [--lifetime DURATION] [change options]\n"
		"\nMoves RSC (a primitive or group) to NODE, or away from where it runs now,\n"
		"and waits until it runs there, reporting how long it was unavailable.\n"
		"It is self-cleaning: once RSC has settled, the preference the move created\n"
		"is removed if the scheduler shows RSC then stays (resource-stickiness keeps\n"
		"it); otherwise it stays and the command says so (`hactl clear RSC` removes\n"
		"it). --pin keeps it. --lifetime DURATION (30s, 10m, 2h, 1d, PT1H): the\n"
		"cluster removes the constraint by itself once DURATION of its replicated\n"
		"clock has passed. If the move cannot happen, the command says why and\n"
		"leaves nothing behind.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

/* After a successful move: remove the preference if RSC stays without it. */
static int self_clean(const op_args *a, const move_edit *m)
{
	hactl_conn *c;
	ha_cib *cib = NULL;
	int r = hactl_connect(&c);
	if (r != HACTL_OK)
		return r;
	r = hactl_fetch(c, &cib, NULL, NULL);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	clear_edit ce = {.rsc = m->rsc, .node = m->node ? NULL : m->from, .prefer_only = m->node != NULL};
	ha_cib *copy = cib;
	edit_clear(&copy, &ce);
	char *target = NULL, *now = NULL;
	ha_plan *plan = NULL;
	bool stays = false;
	if (would_be(cib, m->rsc, &target) == 0 &&
	    ha_plan_compute(cib, (int64_t)time(NULL), &plan, NULL) == 0 &&
	    ha_status_rsc_nodes(plan, m->rsc, &now, NULL) == 0)
		stays = *now && !strcmp(now, target);
	ha_plan_free(plan);
	ha_cib_free(cib);
	if (!stays) {
		if (!a->co.quiet)
			printf("The move's preference stays%s: without it %s would go %s%s "
			       "(resource-stickiness too low). `hactl clear %s` removes it.\n",
			       a->lifetime ? " for its lifetime" : "", m->rsc, *target ? "to " : "nowhere",
			       target ? target : "", m->rsc);
		free(target);
		free(now);
		return HACTL_OK;
	}
	free(target);
	free(now);
	hactl_common co = a->co;
	co.quiet = true;
	co.dry_run = false;
	r = hactl_change(&co, "removing the move's preference", edit_clear, &ce, NULL);
	if (r == HACTL_OK && !a->co.quiet)
		printf("The move's preference was removed: %s stays where it is.\n", m->rsc);
	return r;
}

int hactl_move(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_move);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if (a.nargs < 1 || a.nargs > 2) {
		usage_move(stderr);
		return HACTL_USAGE;
	}
	move_edit m = {.rsc = a.args[0], .node = a.nargs == 2 ? a.args[1] : NULL, .check = true,
		       .lifetime = a.lifetime};
	hactl_conn *c;
	char *now = NULL, *kind = NULL;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	r = current_nodes(c, m.rsc, &now, &kind);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	if (!strcmp(kind, "clone")) {
		fprintf(stderr, "hactl: %s is a clone: it runs on several nodes; use `hactl ban %s "
				"NODE` to keep it off one\n", m.rsc, m.rsc);
		r = HACTL_USAGE;
	} else if (m.node && !strcmp(now, m.node)) {
		printf("%s already runs on %s\n", m.rsc, m.node);
	} else if (!m.node && !*now) {
		fprintf(stderr, "hactl: %s is not running: name the node to move it to\n", m.rsc);
		r = HACTL_USAGE;
	} else {
		m.from = now;
		const char *watch[2] = {m.rsc, NULL};
		char *what = g_strdup_printf("move %s %s%s", m.rsc, m.node ? "to " : "away from ",
					     m.node ? m.node : now);
		r = hactl_change(&a.co, what, edit_move, &m, watch);
		g_free(what);
		if (r == HACTL_OK) {
			char *id = m.node ? prefer_id(m.rsc) : ban_id(m.rsc, m.from);
			lifetime_note(&a, id, m.rsc);
			g_free(id);
		}
		if (r == HACTL_OK && !a.co.dry_run && !a.co.no_wait && !a.pin)
			r = self_clean(&a, &m);
		else if (r == HACTL_FAILED && !a.co.dry_run && !a.co.no_wait) {
			/* It settled, but not where asked: leave nothing behind. */
			clear_edit ce = {.rsc = m.rsc, .node = m.node ? NULL : m.from,
					 .prefer_only = m.node != NULL};
			hactl_common co = a.co;
			co.quiet = true;
			hactl_change(&co, "undoing the move", edit_clear, &ce, NULL);
			fprintf(stderr, "hactl: the move did not succeed; its constraint was removed "
					"(`hactl status`, `hactl explain %s`)\n", m.rsc);
		}
	}
	free(now);
	free(kind);
	return r;
}

/* ---- ban, clear ---------------------------------------------------------------------------- */

static void usage_ban(FILE *out)
{
	fprintf(out,
		"usage: hactl ban RSC [NODE] [--lifetime DURATION] [change options]\n"
		"\nKeeps RSC off NODE (default: the node it runs on) with a -INFINITY location\n"
		"constraint cli-ban-RSC-on-NODE, and waits until it settled elsewhere (or\n"
		"stopped, if no other node may run it). `hactl clear RSC` removes bans.\n"
		"--lifetime DURATION (30s, 10m, 2h, 1d, PT1H): the cluster removes the ban by\n"
		"itself once DURATION of its replicated clock has passed (RSC may come back).\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_ban(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_ban);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if (a.nargs < 1 || a.nargs > 2) {
		usage_ban(stderr);
		return HACTL_USAGE;
	}
	const char *rsc = a.args[0];
	hactl_conn *c;
	char *now = NULL;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	r = current_nodes(c, rsc, &now, NULL);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	const char *node = a.nargs == 2 ? a.args[1] : now;
	if (!*node || strchr(node, ' ')) {
		fprintf(stderr, "hactl: %s runs on %s: name the node to ban it from\n", rsc,
			*node ? node : "no node");
		free(now);
		return HACTL_USAGE;
	}
	move_edit m = {.rsc = rsc, .from = node, .lifetime = a.lifetime};
	const char *watch[2] = {rsc, NULL};
	char *what = g_strdup_printf("ban %s from %s", rsc, node);
	r = hactl_change(&a.co, what, edit_move, &m, watch);
	g_free(what);
	if (r == HACTL_OK) {
		char *id = ban_id(rsc, node);
		lifetime_note(&a, id, rsc);
		g_free(id);
	}
	free(now);
	return r;
}

static void usage_clear(FILE *out)
{
	fprintf(out,
		"usage: hactl clear RSC [NODE] [change options]\n"
		"\nRemoves what `hactl move` and `hactl ban` left for RSC (cli-prefer-RSC and\n"
		"cli-ban-RSC-on-*, with their lifetimes; with NODE only the ban from NODE) and\n"
		"waits until the cluster settled (RSC may move back).\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_clear(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_clear);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if ((r = no_lifetime(&a, "clear")) != HACTL_OK)
		return r;
	if (a.nargs < 1 || a.nargs > 2) {
		usage_clear(stderr);
		return HACTL_USAGE;
	}
	clear_edit ce = {.rsc = a.args[0], .node = a.nargs == 2 ? a.args[1] : NULL};
	/* Nothing to clear: say so instead of writing an unchanged configuration. */
	hactl_conn *c;
	ha_cib *cib = NULL;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	r = hactl_fetch(c, &cib, NULL, NULL);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	if (!ha_cib_rsc_kind(cib, ce.rsc)) {
		fprintf(stderr, "hactl: no resource '%s'\n", ce.rsc);
		ha_cib_free(cib);
		return HACTL_USAGE;
	}
	ha_cib *probe = cib;
	edit_clear(&probe, &ce);
	ha_cib_free(cib);
	if (!ce.removed) {
		printf("%s has no move or ban constraints%s%s\n", ce.rsc, ce.node ? " for " : "",
		       ce.node ? ce.node : "");
		return HACTL_OK;
	}
	const char *watch[2] = {ce.rsc, NULL};
	char *what = g_strdup_printf("clear %s", ce.rsc);
	r = hactl_change(&a.co, what, edit_clear, &ce, watch);
	g_free(what);
	return r;
}

/* ---- restart ------------------------------------------------------------------------------- */

typedef struct role_set {
	const char *rsc;
	const char *role;
} role_set;

static int edit_target_role(ha_cib **cibp, void *ud)
{
	role_set *e = ud;
	int r = ha_edit_rsc_meta(*cibp, e->rsc, "target-role", e->role);
	if (r < 0) {
		fprintf(stderr, "hactl: cannot set target-role of %s: %s\n", e->rsc, ha_strerror(r));
		return HACTL_USAGE;
	}
	return HACTL_OK;
}

static void usage_restart(FILE *out)
{
	fprintf(out,
		"usage: hactl restart RSC [change options]\n"
		"\nStops RSC (target-role=Stopped), waits until it is stopped, then lets it\n"
		"start again where the scheduler places it, and reports the downtime.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_restart(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_restart);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if ((r = no_lifetime(&a, "restart")) != HACTL_OK)
		return r;
	if (a.nargs != 1) {
		usage_restart(stderr);
		return HACTL_USAGE;
	}
	const char *rsc = a.args[0];
	hactl_conn *c;
	char *now = NULL;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	r = current_nodes(c, rsc, &now, NULL);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	if (!*now) {
		fprintf(stderr, "hactl: %s is not running; `hactl resource enable %s` starts it\n",
			rsc, rsc);
		free(now);
		return HACTL_FAILED;
	}
	free(now);
	int64_t t0 = hactl_now_ms();
	role_set stop = {rsc, "Stopped"}, start = {rsc, NULL};
	hactl_common co = a.co;
	co.no_wait = false;
	if (!a.co.dry_run)
		co.quiet = true;
	r = hactl_change(&co, "restart: stop", edit_target_role, &stop, NULL);
	if (r != HACTL_OK || a.co.dry_run) {
		if (a.co.dry_run && r == HACTL_OK)
			printf("(then %s starts again where the scheduler places it)\n", rsc);
		return r;
	}
	const char *watch[2] = {rsc, NULL};
	co = a.co;
	r = hactl_change(&co, "restart: start", edit_target_role, &start, watch);
	if (r == HACTL_OK && !a.co.quiet && !a.co.no_wait)
		printf("%s restarted in %.2f s\n", rsc, (hactl_now_ms() - t0) / 1000.0);
	return r;
}

/* ---- cleanup ------------------------------------------------------------------------------- */

static void usage_cleanup(FILE *out)
{
	fprintf(out,
		"usage: hactl cleanup RSC [--node NODE] [change options]\n"
		"\nForgets RSC's failures (fail counts, last failures) on NODE or on every\n"
		"node, so the scheduler may place it there again, and waits until the\n"
		"cluster settled.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_cleanup(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_cleanup);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if ((r = no_lifetime(&a, "cleanup")) != HACTL_OK)
		return r;
	if (a.nargs != 1) {
		usage_cleanup(stderr);
		return HACTL_USAGE;
	}
	const char *rsc = a.args[0];
	hactl_conn *c;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	const char *f[2] = {rsc, a.node_opt ? a.node_opt : ""};
	had_ipc_msg rep;
	int timeout = (a.co.timeout_s ? a.co.timeout_s : 120) * 1000;
	int64_t deadline = hactl_now_ms() + timeout;
	int e = hactl_call(c, HAD_IPC_CLEANUP, a.co.dry_run ? HAD_IPC_DRY_RUN : 0, f, 2, timeout, &rep);
	if (e < 0) {
		hactl_disconnect(c);
		return hactl_ipc_exit(e);
	}
	if (rep.error < 0) {
		fprintf(stderr, "hactl: %s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
		r = hactl_exit_for(rep.error);
	} else if (a.co.dry_run) {
		printf("Dry run: cleanup of %s would cause:\n%s", rsc, had_ipc_field(&rep, 0));
	} else {
		if (!a.co.quiet)
			printf("cleanup %s: %s failure record(s) removed\n", rsc,
			       had_ipc_field(&rep, 1) ? had_ipc_field(&rep, 1) : "0");
		const char *watch[2] = {rsc, NULL};
		if (!a.co.no_wait)
			r = hactl_wait_settled(c, &a.co, deadline, watch);
	}
	had_ipc_msg_clear(&rep);
	hactl_disconnect(c);
	return r;
}

/* ---- nodes --------------------------------------------------------------------------------- */

typedef struct node_edit {
	const char *node;
	const char *attr;
	const char *value;
} node_edit;

static int edit_node(ha_cib **cibp, void *ud)
{
	node_edit *e = ud;
	int r = ha_edit_node_attr(*cibp, e->node, e->attr, e->value);
	if (r == HA_EREF) {
		char **nodes = NULL;
		ha_cib_nodes(*cibp, &nodes);
		char *list = g_strjoinv(" ", nodes);
		fprintf(stderr, "hactl: no node '%s' (nodes: %s)\n", e->node, list);
		g_free(list);
		ha_strv_free(nodes);
		return HACTL_USAGE;
	}
	return r < 0 ? (fprintf(stderr, "hactl: %s\n", ha_strerror(r)), HACTL_FAILED) : HACTL_OK;
}

static void usage_node(FILE *out)
{
	fprintf(out,
		"usage: hactl node standby|unstandby|maintenance|unmaintenance NODE [change options]\n"
		"\nstandby moves every resource off NODE (it stays a member and votes);\n"
		"maintenance leaves NODE's resources alone (no monitors, no recovery) until\n"
		"unmaintenance. The command waits until the cluster settled and reports where\n"
		"NODE's resources went and how long they were unavailable.\n"
		"\nchange options:\n" HACTL_COMMON_HELP);
}

int hactl_node(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage_node(argc < 2 ? stderr : stdout);
		return argc < 2 ? HACTL_USAGE : HACTL_OK;
	}
	const char *sub = argv[1];
	node_edit e = {0};
	if (!strcmp(sub, "standby") || !strcmp(sub, "unstandby"))
		e.attr = "standby";
	else if (!strcmp(sub, "maintenance") || !strcmp(sub, "unmaintenance"))
		e.attr = "maintenance";
	else {
		fprintf(stderr, "hactl node: unknown subcommand '%s'\n", sub);
		usage_node(stderr);
		return HACTL_USAGE;
	}
	e.value = strncmp(sub, "un", 2) ? "on" : NULL;
	op_args a = {0};
	int r = parse_op(argc - 1, argv + 1, &a, usage_node);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if ((r = no_lifetime(&a, "node")) != HACTL_OK)
		return r;
	if (a.nargs != 1) {
		usage_node(stderr);
		return HACTL_USAGE;
	}
	e.node = a.args[0];
	/* Watch the top-level resources running on the node now (or all, unstandby). */
	hactl_conn *c;
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	r = hactl_fetch_plan(c, &cib, &plan);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return r;
	char **ids = NULL;
	GPtrArray *watch = g_ptr_array_new_with_free_func(g_free);
	ha_cib_ids(cib, false, &ids);
	for (char **id = ids; *id; id++) {
		char *nodes = NULL;
		if (ha_cib_rsc_parent(cib, *id))
			continue;
		if (ha_status_rsc_nodes(plan, *id, &nodes, NULL) == 0 &&
		    (!e.value || has_word(nodes, e.node)))
			g_ptr_array_add(watch, g_strdup(*id));
		free(nodes);
	}
	g_ptr_array_add(watch, NULL);
	ha_strv_free(ids);
	ha_plan_free(plan);
	ha_cib_free(cib);
	char *what = g_strdup_printf("node %s %s", sub, e.node);
	r = hactl_change(&a.co, what, edit_node, &e, (const char *const *)watch->pdata);
	g_free(what);
	g_ptr_array_free(watch, TRUE);
	return r;
}

/* ---- fence --------------------------------------------------------------------------------- */

static void usage_fence(FILE *out)
{
	fprintf(out, "usage: hactl fence NODE [--dry-run]\n"
		     "\nAsks the cluster to fence (power off) NODE through its fence devices.\n");
}

int hactl_fence(int argc, char **argv)
{
	op_args a = {0};
	int r = parse_op(argc, argv, &a, usage_fence);
	if (r != HACTL_OK)
		return r < 0 ? HACTL_OK : r;
	if ((r = no_lifetime(&a, "fence")) != HACTL_OK)
		return r;
	if (a.nargs != 1) {
		usage_fence(stderr);
		return HACTL_USAGE;
	}
	hactl_conn *c;
	if ((r = hactl_connect(&c)) != HACTL_OK)
		return r;
	const char *f = a.args[0];
	had_ipc_msg rep;
	int e = hactl_call(c, HAD_IPC_FENCE, a.co.dry_run ? HAD_IPC_DRY_RUN : 0, &f, 1, 60000, &rep);
	hactl_disconnect(c);
	if (e < 0)
		return hactl_ipc_exit(e);
	if (rep.error < 0) {
		fprintf(stderr, "hactl: %s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
		r = hactl_exit_for(rep.error);
	} else {
		printf("%s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
	}
	had_ipc_msg_clear(&rep);
	return r;
}
