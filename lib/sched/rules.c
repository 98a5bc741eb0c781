/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rule evaluation for location constraints: <rule> with <expression> children
 * (and nested rules) against a node's attributes, as Pacemaker evaluates them.
 * Date expressions never reach this point (the config module rejects them).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched_private.h"

/* Compare two version strings ("1.10.2" > "1.9"). */
static int cmp_version(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10);
		long y = strtol(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if (!*a && !*b)
			break;
		if ((*a && !(*a >= '0' && *a <= '9')) || (*b && !(*b >= '0' && *b <= '9')))
			return strcmp(a, b);
	}
	return 0;
}

static bool parse_num(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	*out = strtod(s, &end);
	return *end == '\0';
}

/* type=integer reads the leading integer (strtoll; the rest is ignored). */
static bool parse_int(const char *s, long long *out)
{
	char *end;
	if (!s || !*s)
		return false;
	*out = strtoll(s, &end, 10);
	return end != s;
}

static bool expr_matches(const ha_expr *e, const sc_node *n)
{
	const char *have = g_hash_table_lookup(n->attrs, e->attribute);
	const char *op = e->operation ? e->operation : "eq";
	if (!strcmp(op, "defined"))
		return have != NULL;
	if (!strcmp(op, "not_defined"))
		return have == NULL;
	if (!have || !e->value)
		return !strcmp(op, "ne"); /* exactly one side missing */
	int c;
	const char *type = e->type;
	if (!type) {
		/* Pacemaker compares as numbers when both look like numbers. */
		double a, b;
		type = (parse_num(have, &a) && parse_num(e->value, &b) &&
			strcmp(op, "eq") && strcmp(op, "ne"))
			       ? "number"
			       : "string";
	}
	if (!strcmp(type, "integer")) {
		long long a, b;
		if (parse_int(have, &a) && parse_int(e->value, &b))
			c = a < b ? -1 : a > b;
		else
			c = strcasecmp(have, e->value); /* not numbers: as strings */
	} else if (!strcmp(type, "number")) {
		double a, b;
		char *ea, *eb;
		a = strtod(have, &ea);
		b = strtod(e->value, &eb);
		if (ea != have && eb != e->value)
			c = a < b ? -1 : a > b;
		else
			c = strcasecmp(have, e->value);
	} else if (!strcmp(type, "version")) {
		c = cmp_version(have, e->value);
	} else {
		c = strcasecmp(have, e->value);
	}
	if (!strcmp(op, "eq"))
		return c == 0;
	if (!strcmp(op, "ne"))
		return c != 0;
	if (!strcmp(op, "lt"))
		return c < 0;
	if (!strcmp(op, "lte"))
		return c <= 0;
	if (!strcmp(op, "gt"))
		return c > 0;
	if (!strcmp(op, "gte"))
		return c >= 0;
	return false;
}

static bool rule_eval(const ha_rule *rule, const sc_node *n)
{
	bool any = rule->boolean_op && !strcmp(rule->boolean_op, "or");
	if (!rule->exprs || rule->exprs->len == 0)
		return true;
	for (guint i = 0; i < rule->exprs->len; i++) {
		const ha_expr *e = g_ptr_array_index(rule->exprs, i);
		bool m = e->kind == HA_EXPR_RULE ? rule_eval(e->rule, n) : expr_matches(e, n);
		if (any && m)
			return true;
		if (!any && !m)
			return false;
	}
	return !any;
}

bool ha__sc_rule_matches(const sched *s, const ha_rule *rule, const sc_node *n, int *score)
{
	(void)s;
	if (!rule_eval(rule, n))
		return false;
	*score = rule->score;
	if (rule->score_attribute) {
		/* A matching node without the attribute gets -INFINITY; a value is read
		 * like a score, by its leading integer ("12.7" is 12). */
		const char *v = g_hash_table_lookup(n->attrs, rule->score_attribute);
		int sc;
		if (!v)
			sc = -HA_INF;
		else if (ha__score_parse(v, &sc) < 0) {
			long long x = strtoll(v, NULL, 10);
			sc = x >= HA_INF ? HA_INF : x <= -HA_INF ? -HA_INF : (int)x;
		}
		*score = sc;
	}
	return true;
}
