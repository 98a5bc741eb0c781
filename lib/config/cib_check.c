/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks that need the whole document, run once reading has finished: constraint
 * references resolved to resources, and the cluster options libha interprets. Checks
 * of a single element's own attributes happen while parsing (cib_parse_*.c).
 */
#include <string.h>

#include "cib_private.h"

/* ---- references ------------------------------------------------------------------ */

static ha_rsc *resolve(cib_parser *p, const char *elem, const char *id, int line,
		       const char *attr, const char *ref)
{
	if (!ref)
		return NULL;
	ha_rsc *r = ha__rsc_find(&p->cib->cfg, ref);
	if (!r && !g_hash_table_contains(p->skipped_rsc, ref))
		ha__cp_report(p, HA_DIAG_ERROR, HA_EREF, line, elem, id,
			      "%s \"%s\" is not a resource defined in <resources>; define it or "
			      "fix the id", attr, ref);
	return r;
}

static void check_refs(cib_parser *p)
{
	ha_config *cfg = &p->cib->cfg;
	for (guint i = 0; i < cfg->locations->len; i++) {
		ha_location *l = g_ptr_array_index(cfg->locations, i);
		l->r = resolve(p, "rsc_location", l->id, l->line, "rsc", l->rsc);
	}
	for (guint i = 0; i < cfg->colocations->len; i++) {
		ha_colocation *c = g_ptr_array_index(cfg->colocations, i);
		c->r = resolve(p, "rsc_colocation", c->id, c->line, "rsc", c->rsc);
		c->with = resolve(p, "rsc_colocation", c->id, c->line, "with-rsc", c->with_rsc);
		if (c->r && c->r == c->with)
			ha__cp_report(p, HA_DIAG_ERROR, HA_EREF, c->line, "rsc_colocation", c->id,
				      "colocates \"%s\" with itself; name two different "
				      "resources", c->rsc);
	}
	for (guint i = 0; i < cfg->orders->len; i++) {
		ha_order *o = g_ptr_array_index(cfg->orders, i);
		o->r_first = resolve(p, "rsc_order", o->id, o->line, "first", o->first);
		o->r_then = resolve(p, "rsc_order", o->id, o->line, "then", o->then);
		const char *fa = o->first_action ? o->first_action : "start";
		const char *ta = o->then_action ? o->then_action : fa;
		if (o->r_first && o->r_first == o->r_then && !strcmp(fa, ta))
			ha__cp_report(p, HA_DIAG_ERROR, HA_EREF, o->line, "rsc_order", o->id,
				      "orders %s of \"%s\" after itself; name two different "
				      "resources or actions", fa, o->first);
	}
}

/* ---- cluster options --------------------------------------------------------------- */

typedef enum { OPT_BOOL, OPT_DURATION, OPT_ENUM, OPT_UNSUPPORTED } opt_type;

typedef struct opt_def {
	const char *name;
	opt_type type;
	/* OPT_ENUM: accepted values; OPT_UNSUPPORTED: values that are fine (defaults) */
	const char *const *values;
	const char *hint;
} opt_def;

static const char *const nqp_values[] = {"stop", "freeze", "ignore", "demote", NULL};
static const char *const placement_values[] = {"default", NULL};
static const char *const false_values[] = {"false", "off", "no", "n", "0", NULL};
static const char *const health_values[] = {"none", NULL};

/* Options libha reads, plus those that would change placement in ways libha does not
 * implement. Every other option (dc-version, cluster-name, ...) is accepted as is. */
static const opt_def options[] = {
	{"symmetric-cluster", OPT_BOOL, NULL, NULL},
	{"stonith-enabled", OPT_BOOL, NULL, NULL},
	{"maintenance-mode", OPT_BOOL, NULL, NULL},
	{"start-failure-is-fatal", OPT_BOOL, NULL, NULL},
	{"stop-orphan-resources", OPT_BOOL, NULL, NULL},
	{"startup-fencing", OPT_BOOL, NULL, NULL},
	{"stonith-timeout", OPT_DURATION, NULL, NULL},
	{"cluster-recheck-interval", OPT_DURATION, NULL, NULL},
	{"no-quorum-policy", OPT_ENUM, nqp_values, "use stop, freeze, ignore or demote "
	 "(suicide is not supported)"},
	{"placement-strategy", OPT_UNSUPPORTED, placement_values,
	 "utilization-based placement is not supported; use default"},
	{"stop-all-resources", OPT_UNSUPPORTED, false_values,
	 "set target-role=Stopped in rsc_defaults instead"},
	{"shutdown-lock", OPT_UNSUPPORTED, false_values, NULL},
	{"node-health-strategy", OPT_UNSUPPORTED, health_values, NULL},
	{"default-resource-stickiness", OPT_UNSUPPORTED, NULL,
	 "set resource-stickiness in <rsc_defaults> instead"},
	{"is-managed-default", OPT_UNSUPPORTED, NULL, "set is-managed in <rsc_defaults> instead"},
};

static bool listed(const char *v, const char *const *set)
{
	for (; set && *set; set++)
		if (!g_ascii_strcasecmp(v, *set))
			return true;
	return false;
}

/* The nvpair an option's effective value comes from (the first one, as in
 * ha__nvsets_get), for the message. */
static const ha_nvpair *option_pair(const GPtrArray *sets, const char *name)
{
	for (guint i = 0; i < sets->len; i++) {
		const ha_nvset *set = g_ptr_array_index(sets, i);
		for (guint j = 0; j < set->pairs->len; j++) {
			const ha_nvpair *nv = &g_array_index(set->pairs, ha_nvpair, j);
			if (!strcmp(nv->name, name))
				return nv;
		}
	}
	return NULL;
}

static void check_options(cib_parser *p)
{
	ha_cib *cib = p->cib;
	bool bad = false;
	for (size_t i = 0; i < G_N_ELEMENTS(options); i++) {
		const opt_def *d = &options[i];
		const ha_nvpair *nv = option_pair(cib->cfg.crm_config, d->name);
		if (!nv || !nv->value)
			continue;
		int line = GPOINTER_TO_INT(g_hash_table_lookup(p->opt_lines, nv->name));
		const char *v = nv->value;
		bool b;
		uint32_t ms;
		const char *what = NULL;
		int code = HA_ESCHEMA;
		if (d->type == OPT_BOOL && ha__bool_parse(v, &b) < 0)
			what = "is not a boolean; use true or false";
		else if (d->type == OPT_DURATION && ha__interval_parse(v, &ms) < 0)
			what = "is not a duration; write e.g. 60s or 2min";
		else if (d->type == OPT_ENUM && !listed(v, d->values))
			what = "is not a valid value";
		else if (d->type == OPT_UNSUPPORTED && !listed(v, d->values)) {
			what = "is not supported by libha";
			code = HA_EUNSUPPORTED;
		}
		if (!what)
			continue;
		bad = true;
		ha__cp_report(p, HA_DIAG_ERROR, code, line, "nvpair", nv->id,
			      "cluster option %s=\"%s\" %s%s%s", d->name, v, what,
			      d->hint ? "; " : "", d->hint ? d->hint : "");
	}
	const char *lt = NULL;
	if (ha__lifetime_check(cib, &lt) < 0)
		ha__cp_report(p, HA_DIAG_ERROR, HA_ESCHEMA, 0, "nvpair", NULL,
			      "constraint lifetime %s in cluster_property_set ha-lifetimes is not "
			      "named ha-lifetime-ID or its value is neither an expiry time (seconds) "
			      "nor a duration", lt);
	const char *err = NULL;
	if (ha__options_derive(cib, &err) < 0 && !bad)
		ha__cp_report(p, HA_DIAG_ERROR, HA_ESCHEMA, 0, NULL, NULL,
			      "cluster option %s has an invalid value", err ? err : "?");
}

void ha__cp_check(cib_parser *p)
{
	check_refs(p);
	check_options(p);
}
