/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the CIB parser shared by its files: cib_load.c (reader set-up, input
 * checks, messages), cib_parse_config.c and cib_parse_status.c (one handler per
 * element, building the model while the reader streams), cib_check.c (checks that
 * need the whole document). Nothing here is used outside lib/config.
 */
#ifndef HA_CIB_PRIVATE_H
#define HA_CIB_PRIVATE_H

#include <libxml/xmlreader.h>

#include "config.h"
#include "util/util.h"

/* The element the reader is on. name and line stay valid for the whole parse; node
 * (and so every attribute value read from it) only until the next read, which is why
 * messages name the element through id, a copy owned by the CIB. */
typedef struct cp_elem {
	const char *name;
	const char *id; /* for messages: a stable copy set by the handler (ha__cp_id), or NULL */
	xmlNodePtr node;
	int depth;
	int line;
	bool empty;
} cp_elem;

typedef struct cp_msg {
	int line;
	int code; /* HA_E*; 0 for warnings */
	ha_diag_severity sev;
	bool schema; /* from the RelaxNG validator */
	bool weak;   /* shown only if nothing else is reported (see finish()) */
	char *text;
} cp_msg;

typedef struct cib_parser {
	xmlTextReaderPtr rd;
	ha_cib *cib;
	const char *name; /* file name in messages */
	unsigned flags;
	bool fatal;       /* the reader failed (not well-formed, I/O): stop reading */
	int fatal_code;
	bool in_config;   /* ids inside <configuration> must be unique */
	GArray *msgs;     /* cp_msg, in the order found */
	size_t nerrors;
	GHashTable *ids;       /* configuration id -> cp_idinfo* */
	GHashTable *node_ids;  /* <node> id / uname -> cp_idinfo* */
	GHashTable *state_ids; /* <node_state> id -> cp_idinfo* */
	GHashTable *opt_lines; /* crm_config option name -> line of its first nvpair */
	GHashTable *skipped_rsc; /* ids of unsupported resources (no "unknown id" errors) */
	GPtrArray *scratch;    /* strings to free at the end (rare attribute values) */
	bool seen_config, seen_status;
} cib_parser;

typedef struct cp_idinfo {
	const char *elem;
	int line;
} cp_idinfo;

/* Record a message "FILE:LINE: <elem id="id">: text". elem and id may be NULL.
 * code is the HA_E* error class (ignored for warnings). */
void ha__cp_report(cib_parser *p, ha_diag_severity sev, int code, int line, const char *elem,
		   const char *id, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void ha__cp_error(cib_parser *p, const cp_elem *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An element outside the supported subset: an error, or a warning in lenient mode when
 * it does not change where resources run (affects_placement false). */
void ha__cp_unsupported(cib_parser *p, const cp_elem *e, bool affects_placement,
			const char *what);

/* Reader steps. All return 1 on success, 0 at the end of parent, <0 when the reader
 * failed (p->fatal is then set and the parse stops). */
int ha__cp_child(cib_parser *p, const cp_elem *parent, cp_elem *child);
int ha__cp_skip(cib_parser *p, const cp_elem *e);
/* An unexpected child: report and skip it. */
int ha__cp_unexpected(cib_parser *p, const cp_elem *parent, const cp_elem *child);
/* The end of an element that has no children: reports any it has. */
int ha__cp_leaf(cib_parser *p, const cp_elem *e);

/* Attribute value of the current element or NULL (valid until the next read). */
const char *ha__cp_attr(cib_parser *p, const cp_elem *e, const char *name);
const char *ha__cp_attr_value(cib_parser *p, xmlAttrPtr a);
/* A required attribute: reports it as missing and returns NULL if absent or empty. */
const char *ha__cp_need(cib_parser *p, const cp_elem *e, const char *name, const char *hint);

/* Register a configuration id (duplicates are errors naming both lines). */
void ha__cp_id(cib_parser *p, cp_elem *e, const char *id);

bool ha__cp_parse_int64(const char *s, int64_t *out);

/* Section handlers. */
int ha__cp_configuration(cib_parser *p, cp_elem *e);
int ha__cp_status(cib_parser *p, cp_elem *e);

/* What a name/value set belongs to: decides id checks and value validation. */
typedef enum {
	CP_SET_PLAIN = 0,   /* instance attributes, utilization, op attributes */
	CP_SET_OPTIONS,     /* cluster_property_set: remember option lines */
	CP_SET_RSC_META,    /* resource meta attributes and rsc_defaults: validate values */
	CP_SET_STATUS,      /* transient node attributes */
} cp_set_kind;
int ha__cp_nvset(cib_parser *p, cp_elem *e, GPtrArray *sets, cp_set_kind kind);

/* Checks over the whole document (references, options); run when reading completed. */
void ha__cp_check(cib_parser *p);

#endif
