/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ha_op_request: the description of one operation, and the name rules that keep agent
 * specs inside their directories and parameter names usable as environment names.
 * Everything is checked here, when it is set, so the executor only sees valid requests.
 */
#include <errno.h>
#include <string.h>

#include "exec_private.h"

/* Parameters and meta values: generous for any real agent, bounded for the env. */
#define REQ_MAX_PAIRS 256u
#define REQ_MAX_VALUE (64u * 1024u)

static bool name_chars(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++)
		if (!g_ascii_isalnum(*s) && !strchr(extra, *s))
			return false;
	return n <= max;
}

/* Script and provider names: a single path component that is not hidden, not "..",
 * and cannot be taken for an option. */
static bool valid_file_name(const char *s)
{
	return name_chars(s, "_.+-", 128) && s[0] != '.' && s[0] != '-';
}

/* systemd unit names (systemd.unit(5)): [A-Za-z0-9:_.\\-@]; never an option. */
static bool valid_unit_name(const char *s)
{
	return name_chars(s, ":_.\\-@", 256) && s[0] != '.' && s[0] != '-';
}

bool ha__valid_resource_id(const char *id)
{
	return name_chars(id, "_.:-", 256) && (g_ascii_isalnum(id[0]) || id[0] == '_');
}

static bool valid_param_name(const char *s)
{
	return name_chars(s, "_-", 128);
}

void ha__agent_spec_clear(ha__agent_spec *s)
{
	g_clear_pointer(&s->provider, g_free);
	g_clear_pointer(&s->type, g_free);
	s->cls = 0;
}

int ha__agent_spec_parse(const char *spec, ha__agent_spec *out)
{
	const char *colon;
	ha__agent_spec s = {0};

	if (!spec || !(colon = strchr(spec, ':')))
		return -EINVAL;
	const char *rest = colon + 1;
	size_t clen = (size_t)(colon - spec);

	if (clen == 3 && !strncmp(spec, "ocf", 3)) {
		const char *c2 = strchr(rest, ':');
		if (!c2)
			return -EINVAL;
		g_autofree char *prov = g_strndup(rest, (size_t)(c2 - rest));
		if (!valid_file_name(prov) || !valid_file_name(c2 + 1))
			return -EINVAL;
		s.cls = HA__CLASS_OCF;
		s.provider = g_steal_pointer(&prov);
		s.type = g_strdup(c2 + 1);
	} else if (clen == 3 && !strncmp(spec, "lsb", 3)) {
		if (!valid_file_name(rest))
			return -EINVAL;
		s.cls = HA__CLASS_LSB;
	} else if (clen == 7 && !strncmp(spec, "systemd", 7)) {
		if (!valid_unit_name(rest))
			return -EINVAL;
		s.cls = HA__CLASS_SYSTEMD;
	} else if (clen == 7 && !strncmp(spec, "stonith", 7)) {
		if (!valid_file_name(rest) || strncmp(rest, "fence_", 6) || !rest[6])
			return -EINVAL;
		s.cls = HA__CLASS_STONITH;
	} else if (clen == 8 && !strncmp(spec, "embedded", 8)) {
		if (!valid_file_name(rest))
			return -EINVAL;
		s.cls = HA__CLASS_EMBEDDED;
	} else {
		return -EINVAL;
	}
	if (!s.type)
		s.type = g_strdup(rest);
	*out = s;
	return 0;
}

bool ha__action_is_monitor(const char *action)
{
	return action && !strcmp(action, "monitor");
}

static bool known_action(const char *a)
{
	static const char *const actions[] = {
		"start", "stop", "monitor", "promote", "demote", "notify", "reload",
		"reload-agent", "validate-all", "meta-data", "migrate_to", "migrate_from",
		"status", "on", "off", "reboot", "list", "list-status",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
		if (!strcmp(a, actions[i]))
			return true;
	return false;
}

int ha_op_request_new(ha_op_request **ret)
{
	ha_op_request *r;

	if (!ret)
		return -EINVAL;
	r = g_new0(ha_op_request, 1);
	r->params = g_ptr_array_new_with_free_func(g_free);
	r->meta = g_ptr_array_new_with_free_func(g_free);
	*ret = r;
	return 0;
}

ha_op_request *ha_op_request_free(ha_op_request *req)
{
	if (req) {
		g_free(req->resource);
		g_free(req->agent);
		ha__agent_spec_clear(&req->spec);
		g_free(req->action);
		g_free(req->target);
		g_ptr_array_free(req->params, TRUE);
		g_ptr_array_free(req->meta, TRUE);
		g_free(req);
	}
	return NULL;
}

static void replace_str(char **dst, const char *v)
{
	g_free(*dst);
	*dst = g_strdup(v);
}

int ha_op_request_set_resource(ha_op_request *req, const char *id)
{
	if (!req || !ha__valid_resource_id(id))
		return -EINVAL;
	replace_str(&req->resource, id);
	return 0;
}

int ha_op_request_set_agent(ha_op_request *req, const char *spec)
{
	ha__agent_spec s;
	int r;

	if (!req)
		return -EINVAL;
	r = ha__agent_spec_parse(spec, &s);
	if (r < 0)
		return r;
	ha__agent_spec_clear(&req->spec);
	req->spec = s;
	replace_str(&req->agent, spec);
	return 0;
}

int ha_op_request_set_action(ha_op_request *req, const char *action)
{
	if (!req || !action || !known_action(action))
		return -EINVAL;
	replace_str(&req->action, action);
	return 0;
}

int ha_op_request_set_interval(ha_op_request *req, uint32_t ms)
{
	if (!req)
		return -EINVAL;
	req->interval_ms = ms;
	return 0;
}

int ha_op_request_set_timeout(ha_op_request *req, uint32_t ms)
{
	if (!req)
		return -EINVAL;
	req->timeout_ms = ms;
	return 0;
}

int ha_op_request_set_depth(ha_op_request *req, unsigned depth)
{
	if (!req || depth > 1000)
		return -EINVAL;
	req->depth = depth;
	return 0;
}

int ha_op_request_set_target(ha_op_request *req, const char *node)
{
	if (!req || !node || !*node || strlen(node) > 256 || strpbrk(node, "\n\r="))
		return -EINVAL;
	replace_str(&req->target, node);
	return 0;
}

const char *ha__kv_get(const GPtrArray *kv, const char *name)
{
	for (guint i = 0; kv && i + 1 < kv->len; i += 2)
		if (!strcmp(g_ptr_array_index(kv, i), name))
			return g_ptr_array_index(kv, i + 1);
	return NULL;
}

static int kv_set(GPtrArray *kv, const char *name, const char *value)
{
	if (!value || strlen(value) > REQ_MAX_VALUE)
		return -EINVAL;
	for (guint i = 0; i + 1 < kv->len; i += 2)
		if (!strcmp(g_ptr_array_index(kv, i), name)) {
			g_free(g_ptr_array_index(kv, i + 1));
			g_ptr_array_index(kv, i + 1) = g_strdup(value);
			return 0;
		}
	if (kv->len / 2 >= REQ_MAX_PAIRS)
		return HA_ETOOBIG;
	g_ptr_array_add(kv, g_strdup(name));
	g_ptr_array_add(kv, g_strdup(value));
	return 0;
}

int ha_op_request_set_param(ha_op_request *req, const char *name, const char *value)
{
	if (!req || !valid_param_name(name))
		return -EINVAL;
	/* The executor sets these itself; a parameter could shadow them. */
	if (!strcmp(name, "crm_feature_set") || !strcmp(name, "OCF_CHECK_LEVEL") ||
	    g_str_has_prefix(name, "CRM_meta_"))
		return -EINVAL;
	return kv_set(req->params, name, value);
}

int ha_op_request_set_meta(ha_op_request *req, const char *name, const char *value)
{
	if (!req || !valid_param_name(name))
		return -EINVAL;
	/* Stored in environment form so "clone-max" and "clone_max" are one name. */
	g_autofree char *n = g_strdelimit(g_strdup(name), "-", '_');
	if (!strcmp(n, "interval") || !strcmp(n, "timeout"))
		return -EINVAL;
	return kv_set(req->meta, n, value);
}

ha_op_request *ha__op_request_copy(const ha_op_request *req)
{
	ha_op_request *c;

	ha_op_request_new(&c);
	c->resource = g_strdup(req->resource);
	c->agent = g_strdup(req->agent);
	c->spec.cls = req->spec.cls;
	c->spec.provider = g_strdup(req->spec.provider);
	c->spec.type = g_strdup(req->spec.type);
	c->action = g_strdup(req->action);
	c->target = g_strdup(req->target);
	c->interval_ms = req->interval_ms;
	c->timeout_ms = req->timeout_ms;
	c->depth = req->depth;
	for (guint i = 0; i < req->params->len; i++)
		g_ptr_array_add(c->params, g_strdup(g_ptr_array_index(req->params, i)));
	for (guint i = 0; i < req->meta->len; i++)
		g_ptr_array_add(c->meta, g_strdup(g_ptr_array_index(req->meta, i)));
	return c;
}

int ha_op_request_validate(const ha_op_request *req, const ha_agent_metadata *md,
			   ha_diag *diag)
{
	size_t n;

	if (!req || !md)
		return -EINVAL;
	n = req->params->len / 2;
	g_autofree const char **names = g_new0(const char *, n + 1);
	g_autofree const char **values = g_new0(const char *, n + 1);
	for (size_t i = 0; i < n; i++) {
		names[i] = g_ptr_array_index(req->params, 2 * i);
		values[i] = g_ptr_array_index(req->params, 2 * i + 1);
	}
	return ha__agent_metadata_check(md, req->agent ? req->agent : "agent", names, values, n,
					diag);
}
