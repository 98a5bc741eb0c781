/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scheduler stage 1: the node table. Decides from <nodes> and <node_state> which
 * nodes are online, unclean (lost: to be fenced), in standby or maintenance, and
 * collects the attributes rules are evaluated against. Follows Pacemaker's
 * determine_online_status (with and without fencing).
 */
#include <string.h>

#include "sched_private.h"

static bool is_true(const char *v)
{
	bool b = false;
	return v && ha__bool_parse(v, &b) == 0 && b;
}

/* in_ccm is "true"/"false" in feature sets <= 3.16 and a timestamp in later ones. */
static bool in_cluster(const char *v)
{
	if (!v)
		return false;
	if (is_true(v))
		return true;
	return v[0] >= '1' && v[0] <= '9';
}

static bool crmd_online(const char *v)
{
	if (!v)
		return false;
	if (!strcmp(v, "online"))
		return true;
	return v[0] >= '1' && v[0] <= '9';
}

static void add_attrs(GHashTable *h, const GPtrArray *sets)
{
	for (guint i = 0; sets && i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
			if (!g_hash_table_contains(h, p->name))
				g_hash_table_insert(h, (gpointer)p->name, (gpointer)p->value);
		}
	}
}

static void node_status(sched *s, sc_node *n, const ha_node_state *ns)
{
	bool fencing = s->opts->stonith_enabled;
	if (!ns) {
		/* Never seen by the cluster: with startup-fencing it must be fenced
		 * before anything can be assumed about it. */
		n->online = false;
		n->unclean = fencing && s->opts->startup_fencing;
		return;
	}
	bool member = in_cluster(ns->in_ccm);
	bool peer = crmd_online(ns->crmd);
	const char *join = ns->join ? ns->join : "down";
	const char *expected = ns->expected ? ns->expected : "down";

	if (!fencing) {
		n->online = member && peer && !strcmp(join, "member");
		return;
	}
	n->online = member;
	if (!ns->in_ccm) {
		n->unclean = true;
	} else if (!strcmp(join, "banned")) {
		n->unclean = true;
	} else if (!strcmp(expected, "down")) {
		if (member || peer) /* coming up: not ready to run resources */
			n->standby = true;
	} else if (!member) {
		n->unclean = true; /* expected up but left the membership */
	} else if (!peer) {
		n->unclean = true; /* resource manager process gone */
	} else if (strcmp(join, "member") != 0) {
		n->standby = true; /* pending or down: not ready yet */
	}
	if (n->unclean)
		n->online = false;
}

int ha__sc_nodes(sched *s)
{
	const ha_config *cfg = s->cfg;
	s->nnodes = (int)cfg->nodes->len;
	s->nodes = g_new0(sc_node, s->nnodes ? s->nnodes : 1);
	for (int i = 0; i < s->nnodes; i++) {
		const ha_node_def *def = g_ptr_array_index(cfg->nodes, i);
		sc_node *n = &s->nodes[i];
		n->idx = i;
		n->uname = def->uname ? def->uname : def->id;
		n->id = def->id;
		const ha_node_state *ns = ha__node_state_find(s->cib, n->uname);
		node_status(s, n, ns);
		if (ns && ns->frozen) {
			n->frozen = true;
			n->online = false;
			n->unclean = false;
		}
		n->attrs = g_hash_table_new(g_str_hash, g_str_equal);
		g_hash_table_insert(n->attrs, "#uname", (gpointer)n->uname);
		g_hash_table_insert(n->attrs, "#id", (gpointer)(n->id ? n->id : n->uname));
		g_hash_table_insert(n->attrs, "#kind", "cluster");
		/* Transient attributes first: they override permanent ones. */
		if (ns)
			add_attrs(n->attrs, ns->attrs);
		add_attrs(n->attrs, def->attrs);
		/* Index fail-count-<rsc>[#op_interval] and last-failure-<rsc>[#...] by
		 * resource once, instead of scanning every attribute per resource. */
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, n->attrs);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			const char *name = k;
			bool count = !strncmp(name, "fail-count-", 11);
			bool last = !count && !strncmp(name, "last-failure-", 13);
			if (!count && !last)
				continue;
			const char *id = name + (count ? 11 : 13);
			const char *hash = strchr(id, '#');
			char *key = hash ? g_strndup(id, (gsize)(hash - id)) : g_strdup(id);
			if (!n->fails)
				n->fails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
			sc_fail *f = g_hash_table_lookup(n->fails, key);
			if (!f) {
				f = g_new0(sc_fail, 1);
				g_hash_table_insert(n->fails, key, f);
			} else {
				g_free(key);
			}
			if (count) {
				int c;
				if (ha__score_parse(v, &c) == 0)
					f->count = ha__score_add(f->count, c);
				n->has_failures = true;
			} else {
				long long t = g_ascii_strtoll(v, NULL, 10);
				if (t > f->last)
					f->last = t;
			}
		}
		if (is_true(g_hash_table_lookup(n->attrs, "standby")))
			n->standby = true;
		if (is_true(g_hash_table_lookup(n->attrs, "maintenance")))
			n->maintenance = true;
		/* Shutting down (Pacemaker's "shutdown" attribute holds a timestamp). */
		const char *sd = g_hash_table_lookup(n->attrs, "shutdown");
		if (sd && strcmp(sd, "0") != 0)
			n->standby = true;
	}
	const char *q = ha__cib_attr(s->cib, "have-quorum");
	s->have_quorum = is_true(q);
	return 0;
}
