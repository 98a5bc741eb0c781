/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resource agent meta-data (OCF resource-agent XML) for the rest of the library: the
 * parsed form behind the public ha_agent_metadata and the parameter check the executor
 * uses. Parsing lives here because config is the only libxml2 user.
 */
#ifndef HA_CONFIG_AGENT_METADATA_H
#define HA_CONFIG_AGENT_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <ha/exec.h>

typedef struct ha__agent_param {
	char *name;
	char *type;      /* content type: string, integer, boolean, ... (NULL if none) */
	char *def;       /* default value or NULL */
	char *shortdesc; /* NULL if none */
	bool required;
	bool unique;
} ha__agent_param;

typedef struct ha__agent_action {
	char *name;
	char *role;           /* NULL unless role-specific */
	uint32_t timeout_ms;  /* 0 if not given */
	uint32_t interval_ms; /* 0 if not given */
	int depth;            /* -1 if not given */
} ha__agent_action;

struct ha_agent_metadata {
	char *name;
	char *version;
	char *shortdesc;
	GPtrArray *params;  /* ha__agent_param*, document order */
	GPtrArray *actions; /* ha__agent_action*, document order */
};

/* The parameter called name, or NULL. O(params). */
const ha__agent_param *ha__agent_metadata_param(const ha_agent_metadata *md, const char *name);

/* Check instance parameters (n names with their values) against md. agent names the
 * agent in messages. 0 or HA_ESCHEMA (errors in diag). */
int ha__agent_metadata_check(const ha_agent_metadata *md, const char *agent,
			     const char *const *names, const char *const *values, size_t n,
			     ha_diag *diag);

/* Parse a duration as agents and Pacemaker write them: "20", "20s", "500ms", "2min",
 * "1h", "PT1M30S". 0 or -EINVAL / -ERANGE (above UINT32_MAX ms). */
int ha__agent_parse_duration(const char *s, uint32_t *ms);

#endif
