/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parses OCF resource agent meta-data (parameters, actions with default timeouts) and
 * checks instance parameters against it. Agent output is untrusted: the document is
 * size-capped, parsed without network access and rejected if it declares entities.
 * Running agents to get the XML is the executor's job, not this file's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/util.h"
#include "agent_metadata.h"

/* Hundreds of parameters are plausible (SAPInstance has ~40); thousands are not. */
#define MD_MAX_PARAMS 1024
#define MD_MAX_ACTIONS 256

static void param_free(gpointer p)
{
	ha__agent_param *a = p;

	g_free(a->name);
	g_free(a->type);
	g_free(a->def);
	g_free(a->shortdesc);
	g_free(a);
}

static void action_free(gpointer p)
{
	ha__agent_action *a = p;

	g_free(a->name);
	g_free(a->role);
	g_free(a);
}

ha_agent_metadata *ha_agent_metadata_free(ha_agent_metadata *md)
{
	if (md) {
		g_free(md->name);
		g_free(md->version);
		g_free(md->shortdesc);
		g_ptr_array_free(md->params, TRUE);
		g_ptr_array_free(md->actions, TRUE);
		g_free(md);
	}
	return NULL;
}

/* ---- durations ------------------------------------------------------------------ */

static int unit_factor(const char *u, uint64_t *f)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
		{"", 1000}, {"s", 1000}, {"sec", 1000}, {"ms", 1}, {"msec", 1},
		{"m", 60000}, {"min", 60000}, {"h", 3600000}, {"hr", 3600000},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
		if (!g_ascii_strcasecmp(u, units[i].name)) {
			*f = units[i].ms;
			return 0;
		}
	return -EINVAL;
}

/* ISO 8601 "PTnHnMnS" (the form Pacemaker also accepts for intervals); days and
 * fractions are not needed for agent timeouts. */
static int parse_iso(const char *s, uint64_t *ms)
{
	uint64_t total = 0;
	bool any = false;

	if (s[0] != 'P' || s[1] != 'T')
		return -EINVAL;
	s += 2;
	while (*s) {
		char *end;
		uint64_t v, f;

		if (!g_ascii_isdigit(*s))
			return -EINVAL;
		errno = 0;
		v = g_ascii_strtoull(s, &end, 10);
		if (errno || v > UINT32_MAX)
			return -ERANGE;
		switch (*end) {
		case 'H': f = 3600000; break;
		case 'M': f = 60000; break;
		case 'S': f = 1000; break;
		default: return -EINVAL;
		}
		total += v * f;
		if (total > UINT32_MAX)
			return -ERANGE;
		any = true;
		s = end + 1;
	}
	if (!any)
		return -EINVAL;
	*ms = total;
	return 0;
}

int ha__agent_parse_duration(const char *s, uint32_t *ms)
{
	uint64_t v, f, total;
	char *end;
	char unit[8];
	size_t ulen;

	if (!s || !ms)
		return -EINVAL;
	while (g_ascii_isspace(*s))
		s++;
	if (*s == 'P') {
		int r = parse_iso(s, &total);
		if (r < 0)
			return r;
		*ms = (uint32_t)total;
		return 0;
	}
	if (!g_ascii_isdigit(*s))
		return -EINVAL;
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno || v > UINT32_MAX)
		return -ERANGE;
	while (g_ascii_isspace(*end))
		end++;
	ulen = strlen(end);
	while (ulen && g_ascii_isspace(end[ulen - 1]))
		ulen--;
	if (ulen >= sizeof(unit))
		return -EINVAL;
	memcpy(unit, end, ulen);
	unit[ulen] = '\0';
	if (unit_factor(unit, &f) < 0)
		return -EINVAL;
	total = v * f;
	if (total > UINT32_MAX)
		return -ERANGE;
	*ms = (uint32_t)total;
	return 0;
}

/* ---- parsing -------------------------------------------------------------------- */

static bool valid_param_name(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static char *prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r;

	if (!v)
		return NULL;
	r = g_strdup((const char *)v);
	xmlFree(v);
	return r;
}

static bool prop_true(xmlNode *n, const char *name)
{
	g_autofree char *v = prop(n, name);

	return v && (!strcmp(v, "1") || !g_ascii_strcasecmp(v, "true") ||
		     !g_ascii_strcasecmp(v, "yes"));
}

static bool is_elem(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static char *text_of(xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *r;

	if (!c)
		return NULL;
	r = g_strstrip(g_strdup((const char *)c));
	xmlFree(c);
	return r;
}

/* The English (or language-less) shortdesc child of n; the first one otherwise. */
static char *shortdesc_of(xmlNode *n)
{
	xmlNode *first = NULL;

	for (xmlNode *c = n->children; c; c = c->next) {
		if (!is_elem(c, "shortdesc"))
			continue;
		g_autofree char *lang = prop(c, "lang");
		if (!lang || !g_ascii_strncasecmp(lang, "en", 2))
			return text_of(c);
		if (!first)
			first = c;
	}
	return first ? text_of(first) : NULL;
}

static int parse_param(ha_agent_metadata *md, xmlNode *n, ha_diag *diag)
{
	ha__agent_param *p;
	g_autofree char *name = prop(n, "name");

	if (!valid_param_name(name)) {
		ha__diag_add(diag, HA_DIAG_ERROR,
			     "meta-data line %ld: <parameter> name '%s' is missing or not "
			     "[A-Za-z0-9_-]", xmlGetLineNo(n), name ? name : "");
		return HA_ESCHEMA;
	}
	if (md->params->len >= MD_MAX_PARAMS) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data: more than %d parameters",
			     MD_MAX_PARAMS);
		return HA_ETOOBIG;
	}
	if (ha__agent_metadata_param(md, name)) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data line %ld: parameter '%s' twice",
			     xmlGetLineNo(n), name);
		return HA_EDUPLICATE;
	}
	p = g_new0(ha__agent_param, 1);
	p->name = g_steal_pointer(&name);
	p->required = prop_true(n, "required");
	p->unique = prop_true(n, "unique");
	p->shortdesc = shortdesc_of(n);
	for (xmlNode *c = n->children; c; c = c->next)
		if (is_elem(c, "content")) {
			p->type = prop(c, "type");
			p->def = prop(c, "default");
			break;
		}
	g_ptr_array_add(md->params, p);
	return 0;
}

static int parse_duration_attr(xmlNode *n, const char *attr, uint32_t *out, ha_diag *diag)
{
	g_autofree char *v = prop(n, attr);

	*out = 0;
	if (!v || !*v)
		return 0;
	if (ha__agent_parse_duration(v, out) < 0) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data line %ld: <action> %s='%s' is not "
			     "a duration", xmlGetLineNo(n), attr, v);
		return HA_ESCHEMA;
	}
	return 0;
}

static int parse_action(ha_agent_metadata *md, xmlNode *n, ha_diag *diag)
{
	g_autofree char *name = prop(n, "name");
	g_autofree char *depth = prop(n, "depth");
	uint32_t timeout, interval;
	ha__agent_action *a;
	int r;

	if (!name || !*name) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data line %ld: <action> without name",
			     xmlGetLineNo(n));
		return HA_ESCHEMA;
	}
	if (md->actions->len >= MD_MAX_ACTIONS) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data: more than %d actions",
			     MD_MAX_ACTIONS);
		return HA_ETOOBIG;
	}
	r = parse_duration_attr(n, "timeout", &timeout, diag);
	if (r == 0)
		r = parse_duration_attr(n, "interval", &interval, diag);
	if (r < 0)
		return r;
	a = g_new0(ha__agent_action, 1);
	a->name = g_steal_pointer(&name);
	a->role = prop(n, "role");
	a->timeout_ms = timeout;
	a->interval_ms = interval;
	a->depth = -1;
	if (depth && *depth) {
		char *end;
		long d = strtol(depth, &end, 10);
		if (*end || d < 0 || d > 1000) {
			ha__diag_add(diag, HA_DIAG_ERROR, "meta-data line %ld: <action> depth='%s' "
				     "is not a small number", xmlGetLineNo(n), depth);
			action_free(a);
			return HA_ESCHEMA;
		}
		a->depth = (int)d;
	}
	g_ptr_array_add(md->actions, a);
	return 0;
}

static int parse_root(ha_agent_metadata *md, xmlNode *root, ha_diag *diag)
{
	int r = 0;

	if (!root || !is_elem(root, "resource-agent")) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data: the root element is not "
			     "<resource-agent>");
		return HA_ESCHEMA;
	}
	md->name = prop(root, "name");
	md->version = prop(root, "version");
	md->shortdesc = shortdesc_of(root);
	if (!md->shortdesc) /* fence agents put it in an attribute */
		md->shortdesc = prop(root, "shortdesc");
	for (xmlNode *c = root->children; c && r == 0; c = c->next) {
		if (is_elem(c, "parameters")) {
			for (xmlNode *p = c->children; p && r == 0; p = p->next)
				if (is_elem(p, "parameter"))
					r = parse_param(md, p, diag);
		} else if (is_elem(c, "actions")) {
			for (xmlNode *a = c->children; a && r == 0; a = a->next)
				if (is_elem(a, "action"))
					r = parse_action(md, a, diag);
		}
	}
	return r;
}

/* Entities are how an XML document turns a few bytes into gigabytes (or reads local
 * files); agent meta-data never needs them, so the first declaration stops the parse. */
static void reject_entity(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
			  const xmlChar *system_id, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	if (!ctxt->_private)
		ctxt->_private = g_strdup((const char *)name);
	xmlStopParser(ctxt);
}

int ha_agent_metadata_parse(const char *xml, size_t len, ha_agent_metadata **ret, ha_diag *diag)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	ha_agent_metadata *md;
	int r;

	if (!xml || !ret)
		return -EINVAL;
	if (len > HA_AGENT_METADATA_MAX) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data: %zu bytes, more than the %u allowed",
			     len, HA_AGENT_METADATA_MAX);
		return HA_ETOOBIG;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return -ENOMEM;
	ctxt->sax->entityDecl = reject_entity;
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "meta-data", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ctxt->_private) {
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data: declares entity '%s'; entities "
			     "are not allowed", (char *)ctxt->_private);
		g_free(ctxt->_private);
		ctxt->_private = NULL;
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return HA_EPARSE;
	}
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		ha__diag_add(diag, HA_DIAG_ERROR, "meta-data line %d: %s", e ? e->line : 0,
			     e && e->message ? g_strchomp(e->message) : "not well-formed XML");
		xmlFreeParserCtxt(ctxt);
		return HA_EPARSE;
	}
	md = g_new0(ha_agent_metadata, 1);
	md->params = g_ptr_array_new_with_free_func(param_free);
	md->actions = g_ptr_array_new_with_free_func(action_free);
	r = parse_root(md, xmlDocGetRootElement(doc), diag);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	if (r < 0) {
		ha_agent_metadata_free(md);
		return r;
	}
	*ret = md;
	return 0;
}

/* ---- lookups and checks ----------------------------------------------------------- */

const ha__agent_param *ha__agent_metadata_param(const ha_agent_metadata *md, const char *name)
{
	for (guint i = 0; md && name && i < md->params->len; i++) {
		const ha__agent_param *p = g_ptr_array_index(md->params, i);
		if (!strcmp(p->name, name))
			return p;
	}
	return NULL;
}

static bool looks_integer(const char *v)
{
	if (*v == '-' || *v == '+')
		v++;
	if (!*v)
		return false;
	for (; *v; v++)
		if (!g_ascii_isdigit(*v))
			return false;
	return true;
}

static bool looks_boolean(const char *v)
{
	static const char *const words[] = {"0", "1", "yes", "no", "true", "false", "on",
					    "off", "y", "n"};

	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (!g_ascii_strcasecmp(v, words[i]))
			return true;
	return false;
}

/* Parameters every heartbeat agent understands through ocf-shellfuncs without
 * declaring them (tracing). */
static bool implicit_param(const char *name)
{
	return !strcmp(name, "trace_ra") || !strcmp(name, "trace_file");
}

int ha__agent_metadata_check(const ha_agent_metadata *md, const char *agent,
			     const char *const *names, const char *const *values, size_t n,
			     ha_diag *diag)
{
	int r = 0;

	if (!md)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const ha__agent_param *p = ha__agent_metadata_param(md, names[i]);

		if (!p) {
			if (implicit_param(names[i]))
				continue;
			ha__diag_add(diag, HA_DIAG_ERROR, "%s has no parameter '%s'", agent,
				     names[i]);
			r = HA_ESCHEMA;
			continue;
		}
		if (!p->type || !values || !values[i])
			continue;
		if ((!strcmp(p->type, "integer") && !looks_integer(values[i])) ||
		    (!strcmp(p->type, "boolean") && !looks_boolean(values[i])))
			ha__diag_add(diag, HA_DIAG_WARNING, "%s: parameter '%s'='%s' is not "
				     "a%s %s", agent, names[i], values[i],
				     p->type[0] == 'i' ? "n" : "", p->type);
	}
	for (guint j = 0; j < md->params->len; j++) {
		const ha__agent_param *p = g_ptr_array_index(md->params, j);
		bool given = false;

		if (!p->required)
			continue;
		for (size_t i = 0; i < n && !given; i++)
			given = !strcmp(names[i], p->name);
		if (!given) {
			ha__diag_add(diag, HA_DIAG_ERROR, "%s: required parameter '%s' is missing",
				     agent, p->name);
			r = HA_ESCHEMA;
		}
	}
	return r;
}

/* ---- public accessors ------------------------------------------------------------- */

static const ha__agent_param *param_at(const ha_agent_metadata *md, size_t i)
{
	return md && i < md->params->len ? g_ptr_array_index(md->params, i) : NULL;
}

static const ha__agent_action *action_at(const ha_agent_metadata *md, size_t i)
{
	return md && i < md->actions->len ? g_ptr_array_index(md->actions, i) : NULL;
}

const char *ha_agent_metadata_name(const ha_agent_metadata *md)
{
	return md ? md->name : NULL;
}

const char *ha_agent_metadata_shortdesc(const ha_agent_metadata *md)
{
	return md ? md->shortdesc : NULL;
}

size_t ha_agent_metadata_param_count(const ha_agent_metadata *md)
{
	return md ? md->params->len : 0;
}

const char *ha_agent_metadata_param_name(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p ? p->name : NULL;
}

bool ha_agent_metadata_param_required(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p && p->required;
}

bool ha_agent_metadata_param_unique(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p && p->unique;
}

const char *ha_agent_metadata_param_type(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p ? p->type : NULL;
}

const char *ha_agent_metadata_param_default(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p ? p->def : NULL;
}

const char *ha_agent_metadata_param_shortdesc(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_param *p = param_at(md, i);
	return p ? p->shortdesc : NULL;
}

size_t ha_agent_metadata_action_count(const ha_agent_metadata *md)
{
	return md ? md->actions->len : 0;
}

const char *ha_agent_metadata_action_name(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_action *a = action_at(md, i);
	return a ? a->name : NULL;
}

uint32_t ha_agent_metadata_action_timeout(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_action *a = action_at(md, i);
	return a ? a->timeout_ms : 0;
}

uint32_t ha_agent_metadata_action_interval(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_action *a = action_at(md, i);
	return a ? a->interval_ms : 0;
}

int ha_agent_metadata_action_depth(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_action *a = action_at(md, i);
	return a ? a->depth : -1;
}

const char *ha_agent_metadata_action_role(const ha_agent_metadata *md, size_t i)
{
	const ha__agent_action *a = action_at(md, i);
	return a ? a->role : NULL;
}

uint32_t ha_agent_metadata_timeout_for(const ha_agent_metadata *md, const char *action,
				       uint32_t interval_ms)
{
	uint32_t any = 0;

	if (!md || !action)
		return 0;
	for (guint i = 0; i < md->actions->len; i++) {
		const ha__agent_action *a = g_ptr_array_index(md->actions, i);

		if (strcmp(a->name, action) || !a->timeout_ms)
			continue;
		if (a->interval_ms == interval_ms)
			return a->timeout_ms;
		if (!any)
			any = a->timeout_ms;
	}
	return any;
}
