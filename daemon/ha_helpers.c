/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pacemaker's agent helper commands, for agents run by had: crm_attribute,
 * crm_master, attrd_updater and crm_node, one program dispatching on its name
 * (installed as links in ${libexecdir}/ha, exported to agents as HA_SBIN_DIR). They
 * talk to the had of their node: transient attributes through had's ATTR request,
 * permanent ones and cluster options as configuration changes; node names come from
 * corosync's nodelist through had, never from uname. Only the forms resource agents
 * use are implemented; anything else is a usage error (exit 64).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hactl.h"

/* Pacemaker's exit codes (crm_exit_t) that agents test. */
enum {
	EX_OK = 0,
	EX_ERROR = 1,
	EX_USAGE = 64,
	EX_UNAVAILABLE = 69,
	EX_NOPERM = 77,
	EX_NOSUCH = 105,
};

void hactl_print_diag(const ha_diag *d)
{
	for (size_t i = 0; i < ha_diag_count(d); i++)
		fprintf(stderr, "%s\n", ha_diag_message(d, i));
}

static int from_hactl(int r)
{
	switch (r) {
	case HACTL_OK: return EX_OK;
	case HACTL_USAGE: return EX_USAGE;
	case HACTL_DENIED: return EX_NOPERM;
	case HACTL_UNREACHABLE: return EX_UNAVAILABLE;
	default: return EX_ERROR;
	}
}

/* This node's name as corosync knows it (from had). *ret: free(). */
static int local_name(char **ret, bool *quorate)
{
	hactl_conn *c;
	had_ipc_msg rep;
	if (hactl_connect(&c) != HACTL_OK)
		return EX_UNAVAILABLE;
	int r = hactl_call(c, HAD_IPC_HELLO, 0, NULL, 0, 10000, &rep);
	hactl_disconnect(c);
	if (r < 0)
		return EX_UNAVAILABLE;
	*ret = strdup(had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
	if (quorate)
		*quorate = had_ipc_field(&rep, 4) && !strcmp(had_ipc_field(&rep, 4), "1");
	had_ipc_msg_clear(&rep);
	return **ret ? EX_OK : EX_UNAVAILABLE;
}

/* ---- the attribute operations ------------------------------------------------------ */

typedef enum { SCOPE_STATUS, SCOPE_NODES, SCOPE_CONFIG } scope;

typedef struct attr_req {
	scope where;
	const char *node;
	const char *name;
	const char *value; /* set */
	bool del, query, quiet;
	const char *dflt;  /* query default */
} attr_req;

/* Transient: through had's ATTR request. */
static int set_transient(const attr_req *a)
{
	hactl_conn *c;
	had_ipc_msg rep;
	if (hactl_connect(&c) != HACTL_OK)
		return EX_UNAVAILABLE;
	const char *f[3] = {a->node, a->name, a->value};
	int r = hactl_call(c, HAD_IPC_ATTR, 0, f, a->del ? 2 : 3, 30000, &rep);
	hactl_disconnect(c);
	if (r < 0)
		return EX_UNAVAILABLE;
	if (rep.error < 0) {
		fprintf(stderr, "%s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "failed");
		r = from_hactl(hactl_exit_for(rep.error));
	}
	had_ipc_msg_clear(&rep);
	return r;
}

static int edit_attr(ha_cib **cibp, void *ud)
{
	const attr_req *a = ud;
	const char *v = a->del ? NULL : a->value;
	int r = a->where == SCOPE_CONFIG ? ha_edit_property(*cibp, a->name, v)
					 : ha_edit_node_attr(*cibp, a->node, a->name, v);
	if (r < 0) {
		fprintf(stderr, "cannot set %s: %s\n", a->name, ha_strerror(r));
		return r == HA_EREF ? HACTL_USAGE : HACTL_FAILED;
	}
	return HACTL_OK;
}

static int query(const attr_req *a)
{
	hactl_conn *c;
	ha_cib *cib = NULL;
	if (hactl_connect(&c) != HACTL_OK)
		return EX_UNAVAILABLE;
	int r = hactl_fetch(c, &cib, NULL, NULL);
	hactl_disconnect(c);
	if (r != HACTL_OK)
		return from_hactl(r);
	const char *value = NULL;
	char **kv = NULL;
	if (a->where == SCOPE_CONFIG) {
		value = ha_cib_property(cib, a->name);
	} else if (ha_cib_node_attrs(cib, a->node, a->where == SCOPE_STATUS, &kv) == 0) {
		for (char **p = kv; p[0] && p[1]; p += 2)
			if (!strcmp(p[0], a->name))
				value = p[1];
	}
	if (!value)
		value = a->dflt;
	if (value) {
		if (a->quiet)
			printf("%s\n", value);
		else
			printf("scope=%s  name=%s value=%s\n",
			       a->where == SCOPE_STATUS ? "status" : a->where == SCOPE_NODES ? "nodes" : "crm_config",
			       a->name, value);
	} else if (!a->quiet) {
		fprintf(stderr, "Error performing operation: No such device or address\n");
	}
	r = value ? EX_OK : EX_NOSUCH;
	g_strfreev(kv);
	ha_cib_free(cib);
	return r;
}

static int do_attr(attr_req *a)
{
	char *me = NULL;
	int r;
	if (!a->name) {
		fprintf(stderr, "an attribute name (-n) is required\n");
		return EX_USAGE;
	}
	if (a->where != SCOPE_CONFIG && !a->node) {
		if ((r = local_name(&me, NULL)) != EX_OK)
			return r;
		a->node = me;
	}
	if (a->query)
		r = query(a);
	else if (!a->del && !a->value) {
		fprintf(stderr, "nothing to do: give -v VALUE, -D or -G\n");
		r = EX_USAGE;
	} else if (a->where == SCOPE_STATUS)
		r = set_transient(a);
	else {
		hactl_common co = {.quiet = true, .no_wait = true, .timeout_s = 60};
		r = from_hactl(hactl_change(&co, a->name, edit_attr, a, NULL));
	}
	free(me);
	return r;
}

static int parse_lifetime(const char *s, scope *out)
{
	if (!strcmp(s, "reboot") || !strcmp(s, "status") || !strcmp(s, "transient"))
		*out = SCOPE_STATUS;
	else if (!strcmp(s, "forever") || !strcmp(s, "nodes") || !strcmp(s, "permanent"))
		*out = SCOPE_NODES;
	else if (!strcmp(s, "crm_config"))
		*out = SCOPE_CONFIG;
	else {
		fprintf(stderr, "unknown lifetime/type '%s'\n", s);
		return -1;
	}
	return 0;
}

/* "master-<resource>" of this instance (clone instance numbers stripped). */
static char *promotion_name(const char *rsc)
{
	if (!rsc)
		rsc = getenv("OCF_RESOURCE_INSTANCE");
	if (!rsc || !*rsc)
		return NULL;
	const char *colon = strchr(rsc, ':');
	return g_strdup_printf("master-%.*s", (int)(colon ? colon - rsc : (long)strlen(rsc)), rsc);
}

static int crm_attribute(int argc, char **argv, bool master)
{
	static const struct option opts[] = {
		{"node", required_argument, NULL, 'N'},
		{"name", required_argument, NULL, 'n'},
		{"update", required_argument, NULL, 'v'},
		{"delete", no_argument, NULL, 'D'},
		{"query", no_argument, NULL, 'G'},
		{"quiet", no_argument, NULL, 'q'},
		{"lifetime", required_argument, NULL, 'l'},
		{"type", required_argument, NULL, 't'},
		{"set-name", required_argument, NULL, 's'},
		{"default", required_argument, NULL, 'd'},
		{"promotion", optional_argument, NULL, 'p'},
		{"resource", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	attr_req a = {.where = SCOPE_NODES};
	bool promotion = master, scope_given = false;
	const char *rsc = NULL;
	char *pname = NULL;
	int c;
	/* -p takes an optional resource; "-p -v 10" must not eat -v. */
	while ((c = getopt_long(argc, argv, "N:n:v:DGql:t:s:d:p::r:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'N': a.node = optarg; break;
		case 'n': a.name = optarg; break;
		case 'v': a.value = optarg; break;
		case 'D': a.del = true; break;
		case 'G': a.query = true; break;
		case 'q': a.quiet = true; break;
		case 'l':
		case 't':
			if (parse_lifetime(optarg, &a.where) < 0)
				return EX_USAGE;
			scope_given = true;
			break;
		case 's': break; /* the attribute set: one per scope here */
		case 'd': a.dflt = optarg; break;
		case 'p':
			promotion = true;
			if (optarg)
				rsc = optarg;
			break;
		case 'r': rsc = optarg; break;
		case 'V': break;
		case 'h':
			printf("usage: %s [-N NODE] -n NAME (-v VALUE | -D | -G [-q] [-d DEFAULT])\n"
			       "       [-l reboot|forever | -t status|nodes|crm_config]%s\n"
			       "libha's compatible helper: talks to had on this node.\n", argv[0],
			       master ? "" : " [-p [RSC]]");
			return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	if (promotion) {
		pname = promotion_name(rsc);
		if (!pname) {
			fprintf(stderr, "no resource: set OCF_RESOURCE_INSTANCE or give -r/-p RSC\n");
			return EX_USAGE;
		}
		a.name = pname;
		/* Promotion scores are transient unless a lifetime says otherwise. */
		if (!scope_given)
			a.where = SCOPE_STATUS;
	}
	int r = do_attr(&a);
	g_free(pname);
	return r;
}

static int attrd_updater(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"update", required_argument, NULL, 'U'},
		{"delete", no_argument, NULL, 'D'},
		{"query", no_argument, NULL, 'Q'},
		{"node", required_argument, NULL, 'N'},
		{"delay", required_argument, NULL, 'd'},
		{"private", no_argument, NULL, 'p'},
		{"all", no_argument, NULL, 'A'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	attr_req a = {.where = SCOPE_STATUS};
	int c;
	while ((c = getopt_long(argc, argv, "n:U:v:DQN:d:pAqh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': a.name = optarg; break;
		case 'U': case 'v': a.value = optarg; break;
		case 'D': a.del = true; break;
		case 'Q': a.query = true; break;
		case 'N': a.node = optarg; break;
		case 'd': case 'p': case 'A': break; /* no dampening or private attributes here */
		case 'q': a.quiet = true; break;
		case 'h':
			printf("usage: attrd_updater -n NAME (-U VALUE | -D | -Q) [-N NODE]\n");
			return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (a.query && !a.quiet) {
		/* attrd_updater -Q prints name="..." host="..." value="..." */
		char *me = NULL;
		if (!a.node && local_name(&me, NULL) == EX_OK)
			a.node = me;
		a.quiet = true;
		hactl_conn *cn;
		ha_cib *cib = NULL;
		char **kv = NULL;
		const char *val = NULL;
		int r = EX_UNAVAILABLE;
		if (a.node && hactl_connect(&cn) == HACTL_OK) {
			r = from_hactl(hactl_fetch(cn, &cib, NULL, NULL));
			hactl_disconnect(cn);
		}
		if (r == EX_OK && ha_cib_node_attrs(cib, a.node, true, &kv) == 0)
			for (char **p = kv; p[0] && p[1]; p += 2)
				if (a.name && !strcmp(p[0], a.name))
					val = p[1];
		if (r == EX_OK) {
			if (val)
				printf("name=\"%s\" host=\"%s\" value=\"%s\"\n", a.name, a.node, val);
			r = val ? EX_OK : EX_NOSUCH;
		}
		g_strfreev(kv);
		ha_cib_free(cib);
		free(me);
		return r;
	}
	return do_attr(&a);
}

static int crm_node(int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", no_argument, NULL, 'n'},
		{"list", no_argument, NULL, 'l'},
		{"partition", no_argument, NULL, 'p'},
		{"quorum", no_argument, NULL, 'q'},
		{"cluster-id", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c, what = 0;
	while ((c = getopt_long(argc, argv, "nlpqih", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: crm_node -n | -l | -p | -q | -i\n");
			return EX_OK;
		}
		if (c == '?')
			return EX_USAGE;
		what = c;
	}
	char *me = NULL;
	bool quorate = false;
	int r = local_name(&me, &quorate);
	if (r != EX_OK)
		return r;
	if (what == 'n' || what == 0) {
		printf("%s\n", me);
	} else if (what == 'q') {
		printf("%d\n", quorate ? 1 : 0);
	} else {
		hactl_conn *cn;
		ha_cib *cib = NULL;
		ha_plan *plan = NULL;
		r = EX_UNAVAILABLE;
		if (hactl_connect(&cn) == HACTL_OK) {
			r = from_hactl(hactl_fetch_plan(cn, &cib, &plan));
			hactl_disconnect(cn);
		}
		char **nodes = NULL;
		if (r == EX_OK && ha_cib_nodes(cib, &nodes) == 0) {
			bool first = true;
			for (char **n = nodes; *n; n++) {
				const char *st = ha_status_node_state(plan, *n);
				bool member = st && strcmp(st, "offline") && strcmp(st, "unclean");
				const char *id = ha_cib_node_id(cib, *n);
				if (what == 'l')
					printf("%s %s %s\n", id ? id : "0", *n, member ? "member" : "lost");
				else if (what == 'i' && !strcmp(*n, me))
					printf("%s\n", id ? id : "0");
				else if (what == 'p' && member) {
					printf("%s%s", first ? "" : " ", *n);
					first = false;
				}
			}
			if (what == 'p')
				printf("\n");
		}
		ha_strv_free(nodes);
		ha_plan_free(plan);
		ha_cib_free(cib);
	}
	free(me);
	return r;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	name = name ? name + 1 : argv[0];
	if (!strcmp(name, "crm_attribute"))
		return crm_attribute(argc, argv, false);
	if (!strcmp(name, "crm_master"))
		return crm_attribute(argc, argv, true);
	if (!strcmp(name, "attrd_updater"))
		return attrd_updater(argc, argv);
	if (!strcmp(name, "crm_node"))
		return crm_node(argc, argv);
	fprintf(stderr, "ha-helper: run me as crm_attribute, crm_master, attrd_updater or "
			"crm_node (links in the libexec directory)\n");
	return EX_USAGE;
}
