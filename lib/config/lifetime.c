/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Constraint lifetimes (`hactl ban --lifetime`): the constraint stays a plain
 * rsc_location; its end is one nvpair in libha's own cluster_property_set
 * "ha-lifetimes" of crm_config (name "ha-lifetime-<constraint id>"), which Pacemaker
 * reads as an unknown cluster option and ignores. The value is either a duration
 * ("PT300S": not accepted by a cluster yet) or the replicated time, in seconds, at
 * which the constraint ends. This file parses, sets, reads, resolves and expires them;
 * it never reads a clock: the time is always the caller's (the replicated clock).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/edit.h>

#include "config.h"

#define SET_ID "ha-lifetimes"
#define NAME_PREFIX "ha-lifetime-"
/* Ten years: a longer "lifetime" is a typo, and it keeps every sum far from overflow. */
#define MAX_SECONDS (10LL * 366 * 86400)

/* ---- durations ------------------------------------------------------------------------ */

static int iso_duration(const char *s, int64_t *out)
{
	/* PnYnMnWnDTnHnMnS, integers only; a year is 365 days and a month 30 (the
	 * lifetime is a length of replicated time, not a calendar date). */
	const char *p = s + 1;
	bool in_time = false, any = false;
	double total = 0;
	if (!*p)
		return -EINVAL;
	while (*p) {
		if ((*p == 'T' || *p == 't') && !in_time) {
			in_time = true;
			p++;
			continue;
		}
		if (!g_ascii_isdigit(*p))
			return -EINVAL;
		char *end;
		double v = g_ascii_strtod(p, &end);
		double unit;
		switch (g_ascii_toupper(*end)) {
		case 'Y': unit = in_time ? -1 : 365.0 * 86400; break;
		case 'M': unit = in_time ? 60 : 30.0 * 86400; break;
		case 'W': unit = in_time ? -1 : 7.0 * 86400; break;
		case 'D': unit = in_time ? -1 : 86400; break;
		case 'H': unit = in_time ? 3600 : -1; break;
		case 'S': unit = in_time ? 1 : -1; break;
		default: unit = -1; break;
		}
		if (unit < 0)
			return -EINVAL;
		total += v * unit;
		any = true;
		p = end + 1;
		if (total > (double)MAX_SECONDS)
			return -EINVAL;
	}
	if (!any)
		return -EINVAL;
	*out = (int64_t)(total + 0.5);
	return 0;
}

int ha_duration_parse(const char *s, int64_t *seconds)
{
	if (!s || !*s || !seconds)
		return -EINVAL;
	int64_t v = 0;
	if (*s == 'P' || *s == 'p') {
		if (iso_duration(s, &v) < 0)
			return -EINVAL;
	} else {
		if (!g_ascii_isdigit(*s))
			return -EINVAL;
		char *end;
		errno = 0;
		double n = g_ascii_strtod(s, &end);
		if (errno || n > (double)MAX_SECONDS)
			return -EINVAL;
		double unit;
		if (!*end || !g_ascii_strcasecmp(end, "s") || !g_ascii_strcasecmp(end, "sec"))
			unit = 1;
		else if (!g_ascii_strcasecmp(end, "m") || !g_ascii_strcasecmp(end, "min"))
			unit = 60;
		else if (!g_ascii_strcasecmp(end, "h") || !g_ascii_strcasecmp(end, "hr"))
			unit = 3600;
		else if (!g_ascii_strcasecmp(end, "d"))
			unit = 86400;
		else
			return -EINVAL;
		if (n * unit > (double)MAX_SECONDS)
			return -EINVAL;
		v = (int64_t)(n * unit + 0.5);
	}
	if (v < 1 || v > MAX_SECONDS)
		return -EINVAL;
	*seconds = v;
	return 0;
}

/* ---- the set -------------------------------------------------------------------------- */

static ha_nvset *lifetime_set(const ha_config *cfg)
{
	for (guint i = 0; i < cfg->crm_config->len; i++) {
		ha_nvset *set = g_ptr_array_index(cfg->crm_config, i);
		if (set->id && !strcmp(set->id, SET_ID))
			return set;
	}
	return NULL;
}

static ha_nvpair *find_pair(const ha_nvset *set, const char *constraint, guint *idx)
{
	size_t n = strlen(NAME_PREFIX);
	for (guint j = 0; set && j < set->pairs->len; j++) {
		ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
		if (p->name && !strncmp(p->name, NAME_PREFIX, n) && !strcmp(p->name + n, constraint)) {
			if (idx)
				*idx = j;
			return p;
		}
	}
	return NULL;
}

/* An accepted lifetime: the end as a replicated time. */
static bool parse_expiry(const char *v, int64_t *at)
{
	if (!v || !g_ascii_isdigit(*v))
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end || x < 0)
		return false;
	*at = x;
	return true;
}

static void drop_set_if_empty(ha_config *cfg)
{
	ha_nvset *set = lifetime_set(cfg);
	if (!set || set->pairs->len)
		return;
	g_ptr_array_remove(cfg->crm_config, set);
	g_array_free(set->pairs, TRUE);
	g_free(set);
}

bool ha__lifetime_remove(ha_config *cfg, const char *constraint)
{
	ha_nvset *set = lifetime_set(cfg);
	guint j;
	if (!find_pair(set, constraint, &j))
		return false;
	g_array_remove_index(set->pairs, j);
	drop_set_if_empty(cfg);
	return true;
}

int ha_edit_lifetime(ha_cib *cib, const char *constraint, const char *duration)
{
	int64_t secs = 0;
	if (!cib || !constraint)
		return -EINVAL;
	if (!ha_cib_has_constraint(cib, constraint))
		return -ENOENT;
	if (!duration) {
		ha__lifetime_remove(&cib->cfg, constraint);
		return 0;
	}
	if (ha_duration_parse(duration, &secs) < 0)
		return -EINVAL;
	char value[32];
	snprintf(value, sizeof(value), "PT%" PRId64 "S", secs);
	ha_nvset *set = lifetime_set(&cib->cfg);
	if (!set) {
		/* Last in crm_config: cluster options are written to the first set. */
		set = g_new0(ha_nvset, 1);
		set->id = ha__str_const(cib, SET_ID);
		set->pairs = g_array_new(FALSE, TRUE, sizeof(ha_nvpair));
		g_ptr_array_add(cib->cfg.crm_config, set);
	}
	ha_nvpair *p = find_pair(set, constraint, NULL);
	if (p) {
		p->value = ha__str(cib, value);
		return 0;
	}
	char *id = g_strdup_printf(SET_ID "-%s", constraint);
	char *name = g_strdup_printf(NAME_PREFIX "%s", constraint);
	ha_nvpair np = {.id = ha__str(cib, id), .name = ha__str(cib, name), .value = ha__str(cib, value)};
	g_array_append_val(set->pairs, np);
	g_free(id);
	g_free(name);
	return 0;
}

int ha_cib_lifetime(const ha_cib *cib, const char *constraint, int64_t now, int64_t *remaining)
{
	if (!cib || !constraint || !remaining)
		return -EINVAL;
	const ha_nvpair *p = find_pair(lifetime_set(&cib->cfg), constraint, NULL);
	if (!p)
		return 0;
	int64_t at, secs;
	if (parse_expiry(p->value, &at))
		*remaining = at > now ? at - now : 0;
	else if (ha_duration_parse(p->value, &secs) == 0)
		*remaining = secs;
	else
		return -EINVAL;
	return 1;
}

/* ---- for the replicated state and the cluster layer -------------------------------------- */

int ha__lifetime_check(const ha_cib *cib, const char **bad)
{
	const ha_nvset *set = lifetime_set(&cib->cfg);
	for (guint j = 0; set && j < set->pairs->len; j++) {
		const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
		int64_t x;
		if (!p->name || strncmp(p->name, NAME_PREFIX, strlen(NAME_PREFIX)) ||
		    (!parse_expiry(p->value, &x) && ha_duration_parse(p->value, &x) < 0)) {
			*bad = p->name ? p->name : "?";
			return -EINVAL;
		}
	}
	return 0;
}

unsigned ha__lifetime_resolve(ha_cib *cib, int64_t now)
{
	ha_nvset *set = lifetime_set(&cib->cfg);
	unsigned n = 0;
	for (guint j = 0; set && j < set->pairs->len; j++) {
		ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
		int64_t x;
		if (parse_expiry(p->value, &x) || ha_duration_parse(p->value, &x) < 0)
			continue;
		char value[32];
		snprintf(value, sizeof(value), "%" PRId64, now + x);
		p->value = ha__str(cib, value);
		n++;
	}
	return n;
}

bool ha__lifetime_pending(const ha_cib *cib)
{
	const ha_nvset *set = lifetime_set(&cib->cfg);
	for (guint j = 0; set && j < set->pairs->len; j++) {
		int64_t x;
		const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
		if (!parse_expiry(p->value, &x) && ha_duration_parse(p->value, &x) == 0)
			return true;
	}
	return false;
}

int64_t ha__lifetime_next(const ha_cib *cib)
{
	const ha_nvset *set = lifetime_set(&cib->cfg);
	int64_t due = 0;
	for (guint j = 0; set && j < set->pairs->len; j++) {
		int64_t at;
		if (parse_expiry(g_array_index(set->pairs, ha_nvpair, j).value, &at) && at > 0 &&
		    (!due || at < due))
			due = at;
	}
	return due;
}

unsigned ha__lifetime_expire(ha_cib *cib, int64_t now, GPtrArray *expired)
{
	const ha_nvset *set = lifetime_set(&cib->cfg);
	GPtrArray *due = g_ptr_array_new_with_free_func(g_free);
	size_t plen = strlen(NAME_PREFIX);
	for (guint j = 0; set && j < set->pairs->len; j++) {
		const ha_nvpair *p = &g_array_index(set->pairs, ha_nvpair, j);
		int64_t at;
		if (parse_expiry(p->value, &at) && at <= now)
			g_ptr_array_add(due, g_strdup(p->name + plen));
	}
	/* In document order, so every member reports them alike. Deleting a constraint
	 * takes its lifetime with it; a lifetime whose constraint is gone already (edited
	 * out by hand) just goes. */
	for (guint i = 0; i < due->len; i++) {
		const char *id = g_ptr_array_index(due, i);
		if (ha_edit_constraint_delete(cib, id) == 0) {
			if (expired)
				g_ptr_array_add(expired, g_strdup(id));
		} else {
			ha__lifetime_remove(&cib->cfg, id);
		}
	}
	unsigned n = due->len;
	g_ptr_array_free(due, TRUE);
	return n;
}
