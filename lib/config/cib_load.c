/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading a CIB: input checks (size cap, no entity declarations), the libxml2
 * streaming reader with RelaxNG validation while streaming, the reader primitives the
 * element handlers use, and the collection of every message into the caller's ha_diag.
 * The element handlers themselves live in cib_parse_*.c; this file knows no CIB
 * element but <cib>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/relaxng.h>

#include "cib_private.h"

extern const char ha__schema_rng[];
extern const size_t ha__schema_rng_len;

/* No network, no DTD loading, no entity substitution (XML_PARSE_NOENT and
 * XML_PARSE_DTDLOAD stay off), no XInclude; whitespace-only text is dropped (fewer
 * reader nodes), short strings are stored inline. */
#define CP_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT)
/* The prolog (XML declaration, comments, DOCTYPE) must fit in this much. */
#define CP_PROLOG_MAX (64u * 1024u)
/* Messages kept per load; a broken 100 MB file must not produce 100 MB of text. */
#define CP_MSGS_MAX 1000

/* ---- messages --------------------------------------------------------------- */

static void cp_add(cib_parser *p, ha_diag_severity sev, int code, int line, bool schema,
		   bool weak, char *text)
{
	if (sev == HA_DIAG_ERROR)
		p->nerrors++;
	if (p->msgs->len >= CP_MSGS_MAX) {
		g_free(text);
		return;
	}
	cp_msg m = {.line = line, .code = sev == HA_DIAG_ERROR ? code : 0, .sev = sev,
		    .schema = schema, .weak = weak, .text = text};
	g_array_append_val(p->msgs, m);
}

static char *cp_format(cib_parser *p, int line, const char *elem, const char *id,
		       const char *fmt, va_list ap)
{
	GString *s = g_string_new(p->name);
	if (line > 0)
		g_string_append_printf(s, ":%d", line);
	g_string_append(s, ": ");
	if (elem && id)
		g_string_append_printf(s, "<%s id=\"%s\">: ", elem, id);
	else if (elem)
		g_string_append_printf(s, "<%s>: ", elem);
	g_string_append_vprintf(s, fmt, ap);
	return g_string_free(s, FALSE);
}

static void cp_reportv(cib_parser *p, ha_diag_severity sev, int code, int line,
		       const char *elem, const char *id, bool schema, bool weak, const char *fmt,
		       va_list ap)
{
	cp_add(p, sev, code, line, schema, weak, cp_format(p, line, elem, id, fmt, ap));
}

static void __attribute__((format(printf, 6, 7)))
cp_schema_report(cib_parser *p, int line, const char *elem, const char *id, bool weak,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cp_reportv(p, HA_DIAG_ERROR, HA_ESCHEMA, line, elem, id, true, weak, fmt, ap);
	va_end(ap);
}

void ha__cp_report(cib_parser *p, ha_diag_severity sev, int code, int line, const char *elem,
		   const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cp_reportv(p, sev, code, line, elem, id, false, false, fmt, ap);
	va_end(ap);
}

void ha__cp_error(cib_parser *p, const cp_elem *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cp_reportv(p, HA_DIAG_ERROR, code, e->line, e->name, e->id, false, false, fmt, ap);
	va_end(ap);
}

void ha__cp_unsupported(cib_parser *p, const cp_elem *e, bool affects_placement,
			const char *what)
{
	if (!affects_placement && (p->flags & HA_CIB_LENIENT))
		ha__cp_report(p, HA_DIAG_WARNING, 0, e->line, e->name, e->id,
			      "%s not supported by libha; ignored (lenient mode)", what);
	else if (affects_placement)
		ha__cp_error(p, e, HA_EUNSUPPORTED,
			     "%s not supported by libha; it changes where resources run, so "
			     "the configuration cannot be used without it; rewrite it with "
			     "the supported subset (docs/configuration.md)", what);
	else
		ha__cp_error(p, e, HA_EUNSUPPORTED,
			     "%s not supported by libha; remove it, or load in lenient mode "
			     "to ignore it", what);
}

/* An attribute's value when it is plain text (no allocation), else NULL. */
static const char *simple_attr(xmlNodePtr n, const char *name)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (a->ns || strcmp((const char *)a->name, name))
			continue;
		xmlNodePtr c = a->children;
		return c && c->type == XML_TEXT_NODE && !c->next ? (const char *)c->content : NULL;
	}
	return NULL;
}

/* libxml2 reports here instead of printing: well-formedness errors (HA_EPARSE) and
 * schema violations found while streaming (HA_ESCHEMA). */
static void on_xml_error(void *ctx, xmlErrorPtr err)
{
	cib_parser *p = ctx;
	if (!err || err->level == XML_ERR_NONE)
		return;
	char *msg = g_strdup(err->message ? err->message : "unknown libxml2 error");
	g_strchomp(msg);
	int line = err->line;
	if (err->domain == XML_FROM_RELAXNGV) {
		/* err->node may already be freed by the streaming reader; the reader's
		 * current node (or the element around the current text) is alive and is
		 * the element the message is about, or its child. */
		const char *elem = NULL, *id = NULL;
		xmlNodePtr n = p->rd ? xmlTextReaderCurrentNode(p->rd) : NULL;
		if (n && n->type != XML_ELEMENT_NODE)
			n = n->parent;
		if (n && n->type == XML_ELEMENT_NODE) {
			elem = (const char *)n->name;
			id = simple_attr(n, "id");
			if (line <= 0)
				line = n->line;
		}
		/* After an element in the wrong place libxml2 rejects every later
		 * element too; the parser checks placement itself (with better
		 * messages), so these only show if it found nothing. */
		bool weak = err->code == XML_RELAXNG_ERR_ELEMWRONG;
		cp_schema_report(p, line, elem, id, weak,
				 "does not match the CIB schema: %s; see docs/configuration.md",
				 msg);
	} else if (err->level == XML_ERR_WARNING) {
		ha__cp_report(p, HA_DIAG_WARNING, 0, line, NULL, NULL, "XML: %s", msg);
	} else {
		ha__cp_report(p, HA_DIAG_ERROR, HA_EPARSE, line, NULL, NULL,
			      "not well-formed XML: %s", msg);
		p->fatal = true;
		p->fatal_code = HA_EPARSE;
	}
	g_free(msg);
}

static void on_schema_compile_error(void *ctx, xmlErrorPtr err)
{
	cib_parser *p = ctx;
	ha__cp_report(p, HA_DIAG_ERROR, -EINVAL, 0, NULL, NULL,
		      "internal error: the built-in schema does not compile: %s",
		      err && err->message ? err->message : "?");
}

/* ---- reader primitives ------------------------------------------------------ */

static int cp_read(cib_parser *p)
{
	if (p->fatal)
		return -1;
	int r = xmlTextReaderRead(p->rd);
	if (r == 1)
		return 1;
	if (!p->fatal) {
		ha__cp_report(p, HA_DIAG_ERROR, HA_EPARSE, xmlTextReaderGetParserLineNumber(p->rd),
			      NULL, NULL, "not well-formed XML: unexpected end of input");
		p->fatal = true;
		p->fatal_code = HA_EPARSE;
	}
	return -1;
}

static void cp_fill(cib_parser *p, cp_elem *e)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(p->rd);
	e->node = n;
	e->name = (const char *)n->name;
	e->id = NULL;
	e->depth = xmlTextReaderDepth(p->rd);
	e->empty = xmlTextReaderIsEmptyElement(p->rd) == 1;
	/* libxml2 2.9 keeps element line numbers in 16 bits: past line 65534 we give the
	 * parser's position, which may be a few lines further on. */
	e->line = n->line < 65535 ? n->line : xmlTextReaderGetParserLineNumber(p->rd);
}

int ha__cp_skip(cib_parser *p, const cp_elem *e)
{
	if (e->empty)
		return 1;
	for (;;) {
		int r = cp_read(p);
		if (r < 0)
			return r;
		if (xmlTextReaderNodeType(p->rd) == XML_READER_TYPE_END_ELEMENT &&
		    xmlTextReaderDepth(p->rd) == e->depth)
			return 1;
	}
}

int ha__cp_child(cib_parser *p, const cp_elem *parent, cp_elem *child)
{
	if (parent->empty)
		return 0;
	for (;;) {
		int r = cp_read(p);
		if (r < 0)
			return r;
		int t = xmlTextReaderNodeType(p->rd);
		if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(p->rd) == parent->depth)
			return 0;
		if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) {
			const xmlChar *v = xmlTextReaderConstValue(p->rd);
			while (v && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
				v++;
			if (v && *v) {
				/* libxml2 gives the line where the text ends; point at the
				 * first character that is not blank. */
				xmlNodePtr n = xmlTextReaderCurrentNode(p->rd);
				int line = n && n->line < 65535 ? n->line
						: xmlTextReaderGetParserLineNumber(p->rd);
				for (const xmlChar *c = v; *c; c++)
					line -= *c == '\n';
				ha__cp_report(p, HA_DIAG_ERROR, HA_ESCHEMA, line, parent->name,
					      parent->id, "text is not allowed inside <%s>; CIB "
					      "values live in attributes", parent->name);
			}
			continue;
		}
		if (t != XML_READER_TYPE_ELEMENT)
			continue; /* comments, processing instructions, whitespace */
		cp_fill(p, child);
		if (child->node->ns) {
			ha__cp_error(p, child, HA_ESCHEMA,
				     "element in namespace \"%s\"; CIB elements have no namespace",
				     (const char *)child->node->ns->href);
			if (ha__cp_skip(p, child) < 0)
				return -1;
			continue;
		}
		return 1;
	}
}

int ha__cp_leaf(cib_parser *p, const cp_elem *e)
{
	cp_elem c;
	int r;
	while ((r = ha__cp_child(p, e, &c)) > 0) {
		ha__cp_error(p, &c, HA_ESCHEMA, "<%s> has no child elements; remove this one",
			     e->name);
		if ((r = ha__cp_skip(p, &c)) < 0)
			return r;
	}
	return r < 0 ? r : 1;
}

int ha__cp_unexpected(cib_parser *p, const cp_elem *parent, const cp_elem *child)
{
	ha__cp_error(p, child, HA_ESCHEMA, "not allowed inside <%s>; see docs/configuration.md",
		     parent->name);
	return ha__cp_skip(p, child);
}

const char *ha__cp_attr_value(cib_parser *p, xmlAttrPtr a)
{
	xmlNodePtr c = a->children;
	if (!c)
		return "";
	if (c->type == XML_TEXT_NODE && !c->next)
		return c->content ? (const char *)c->content : "";
	/* Only reachable with entity references, which are rejected earlier; kept correct
	 * anyway. */
	xmlChar *s = xmlNodeListGetString(a->doc, c, 1);
	char *copy = g_strdup(s ? (const char *)s : "");
	xmlFree(s);
	g_ptr_array_add(p->scratch, copy);
	return copy;
}

const char *ha__cp_attr(cib_parser *p, const cp_elem *e, const char *name)
{
	for (xmlAttrPtr a = e->node->properties; a; a = a->next)
		if (!a->ns && !strcmp((const char *)a->name, name))
			return ha__cp_attr_value(p, a);
	return NULL;
}

const char *ha__cp_need(cib_parser *p, const cp_elem *e, const char *name, const char *hint)
{
	const char *v = ha__cp_attr(p, e, name);
	if (v && *v)
		return v;
	ha__cp_error(p, e, HA_ESCHEMA, "required attribute %s is %s%s%s", name,
		     v ? "empty" : "missing", hint ? "; " : "", hint ? hint : "");
	return NULL;
}

void ha__cp_id(cib_parser *p, cp_elem *e, const char *id)
{
	e->id = id;
	if (!p->in_config || !id)
		return;
	cp_idinfo *prev = g_hash_table_lookup(p->ids, id);
	if (prev) {
		ha__cp_error(p, e, HA_EDUPLICATE,
			     "id \"%s\" is already used by <%s> at line %d; ids must be unique "
			     "within <configuration>; rename one of them", id, prev->elem,
			     prev->line);
		return;
	}
	cp_idinfo *info = g_new(cp_idinfo, 1);
	info->elem = e->name;
	info->line = e->line;
	g_hash_table_insert(p->ids, (gpointer)id, info);
}

bool ha__cp_parse_int64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno || end == s || *s == ' ')
		return false;
	*out = v;
	return true;
}

/* ---- <cib> ------------------------------------------------------------------- */

static void cib_attrs(cib_parser *p, const cp_elem *e)
{
	ha_cib *cib = p->cib;
	for (xmlAttrPtr a = e->node->properties; a; a = a->next) {
		const char *name = (const char *)a->name;
		const char *v = ha__cp_attr_value(p, a);
		int64_t *num = !strcmp(name, "admin_epoch") ? &cib->admin_epoch :
			       !strcmp(name, "epoch") ? &cib->epoch :
			       !strcmp(name, "num_updates") ? &cib->num_updates : NULL;
		if (a->ns) {
			ha__cp_error(p, e, HA_ESCHEMA, "attribute %s:%s has a namespace; CIB "
				     "attributes have none", (const char *)a->ns->prefix, name);
		} else if (num) {
			if (!ha__cp_parse_int64(v, num) || *num < 0)
				ha__cp_error(p, e, HA_ESCHEMA, "%s=\"%s\" is not a non-negative "
					     "integer; Pacemaker counts versions from 0", name, v);
		} else {
			ha_nvpair *nv = g_new0(ha_nvpair, 1);
			nv->name = ha__str_const(cib, name);
			nv->value = ha__str(cib, v);
			g_ptr_array_add(cib->cib_attrs, nv);
		}
	}
}

static int parse_cib(cib_parser *p, cp_elem *root)
{
	if (strcmp(root->name, "cib") || root->node->ns) {
		ha__cp_error(p, root, HA_ESCHEMA, "the document element must be <cib>; this is "
			     "not a CIB");
		return ha__cp_skip(p, root);
	}
	cib_attrs(p, root);
	cp_elem c;
	int r;
	while ((r = ha__cp_child(p, root, &c)) > 0) {
		if (!strcmp(c.name, "configuration") && !p->seen_config) {
			p->seen_config = true;
			p->in_config = true;
			r = ha__cp_configuration(p, &c);
			p->in_config = false;
		} else if (!strcmp(c.name, "status") && !p->seen_status) {
			p->seen_status = true;
			r = ha__cp_status(p, &c);
		} else if (!strcmp(c.name, "configuration") || !strcmp(c.name, "status")) {
			ha__cp_error(p, &c, HA_ESCHEMA, "appears twice in <cib>; merge them");
			r = ha__cp_skip(p, &c);
		} else {
			r = ha__cp_unexpected(p, root, &c);
		}
		if (r < 0)
			return r;
	}
	if (r == 0 && !p->seen_config)
		ha__cp_error(p, root, HA_ESCHEMA, "has no <configuration>; a CIB needs one, even "
			     "if empty: <configuration><crm_config/><nodes/><resources/>"
			     "<constraints/></configuration>");
	return r;
}

/* Entity declarations are refused before libxml2 sees them (billion laughs, external
 * entities); the DOCTYPE node check in read_document() is a second line. */
static bool has_prefix(const char *s, size_t len, size_t i, const char *pfx)
{
	size_t n = strlen(pfx);
	return len - i >= n && !memcmp(s + i, pfx, n);
}

static const char *check_prolog(const char *buf, size_t len, bool complete)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t i = 0;
	if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE) ||
			 !u[0] || !u[1]))
		return "the input is not UTF-8 (UTF-16 and UTF-32 are not supported); "
		       "convert it to UTF-8";
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		i = 3;
	for (;;) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
				   buf[i] == '\n'))
			i++;
		const char *end_mark = NULL;
		if (has_prefix(buf, len, i, "<?"))
			end_mark = "?>";
		else if (has_prefix(buf, len, i, "<!--"))
			end_mark = "-->";
		if (end_mark) {
			const char *e = g_strstr_len(buf + i + 2, (gssize)(len - i - 2), end_mark);
			if (!e)
				break;
			i = (size_t)(e - buf) + strlen(end_mark);
			continue;
		}
		if (!has_prefix(buf, len, i, "<!DOCTYPE"))
			return NULL; /* the document element (or garbage libxml2 will report) */
		char quote = 0;
		int subset = 0;
		for (i += 9; i < len; i++) {
			char ch = buf[i];
			if (quote) {
				if (ch == quote)
					quote = 0;
			} else if (ch == '"' || ch == '\'') {
				quote = ch;
			} else if (ch == '[') {
				subset++;
			} else if (ch == ']') {
				subset--;
			} else if (ch == '>' && subset <= 0) {
				break;
			} else if (subset > 0 && has_prefix(buf, len, i, "<!ENTITY")) {
				return "the DOCTYPE declares entities, which libha does not "
				       "accept (entity expansion is a denial-of-service and "
				       "file-disclosure risk); remove the DOCTYPE";
			}
		}
		if (i >= len)
			break;
		i++;
	}
	return complete ? NULL : "the XML prolog (declaration, comments, DOCTYPE) is longer "
				 "than 64 KiB; shorten it";
}

/* The DOCTYPE node: its entity tables are empty unless check_prolog() was fooled. */
static bool dtd_declares_entities(xmlNodePtr n)
{
	if (!n || n->type != XML_DTD_NODE)
		return false;
	xmlDtdPtr dtd = (xmlDtdPtr)n;
	return dtd->entities || dtd->pentities;
}

static void read_document(cib_parser *p)
{
	for (;;) {
		int r = xmlTextReaderRead(p->rd);
		if (r != 1) {
			if (!p->fatal)
				ha__cp_report(p, HA_DIAG_ERROR, HA_EPARSE, 0, NULL, NULL,
					      "no <cib> element: the input is empty or not XML");
			p->fatal = true;
			p->fatal_code = HA_EPARSE;
			return;
		}
		int t = xmlTextReaderNodeType(p->rd);
		if (t == XML_READER_TYPE_DOCUMENT_TYPE &&
		    dtd_declares_entities(xmlTextReaderCurrentNode(p->rd))) {
			ha__cp_report(p, HA_DIAG_ERROR, HA_EPARSE, 0, NULL, NULL,
				      "the DOCTYPE declares entities, which libha does not accept; "
				      "remove the DOCTYPE");
			p->fatal = true;
			p->fatal_code = HA_EPARSE;
			return;
		}
		if (t == XML_READER_TYPE_ELEMENT)
			break;
	}
	cp_elem root;
	cp_fill(p, &root);
	if (parse_cib(p, &root) < 0)
		return;
	/* Trailing content after </cib> must still be well-formed. */
	while (!p->fatal) {
		int r = xmlTextReaderRead(p->rd);
		if (r == 0)
			break;
		if (r < 0 && !p->fatal) {
			ha__cp_report(p, HA_DIAG_ERROR, HA_EPARSE,
				      xmlTextReaderGetParserLineNumber(p->rd), NULL, NULL,
				      "not well-formed XML after </cib>");
			p->fatal = true;
			p->fatal_code = HA_EPARSE;
		}
	}
}

/* ---- the parse --------------------------------------------------------------- */

static void parser_init(cib_parser *p, const char *name, unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->flags = flags;
	p->msgs = g_array_new(FALSE, FALSE, sizeof(cp_msg));
	p->ids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	p->node_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	p->state_ids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	p->opt_lines = g_hash_table_new(g_str_hash, g_str_equal);
	p->skipped_rsc = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->scratch = g_ptr_array_new_with_free_func(g_free);
}

static void parser_free_tables(cib_parser *p)
{
	g_hash_table_destroy(p->ids);
	g_hash_table_destroy(p->node_ids);
	g_hash_table_destroy(p->state_ids);
	g_hash_table_destroy(p->opt_lines);
	g_hash_table_destroy(p->skipped_rsc);
	g_ptr_array_free(p->scratch, TRUE);
}

/* Document order; messages on the same line keep the order they were found in (the
 * pointers point into one array, in that order). */
static int msg_cmp(gconstpointer a, gconstpointer b)
{
	const cp_msg *x = *(const cp_msg *const *)a, *y = *(const cp_msg *const *)b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Hand the messages to diag, in document order. A schema message on a line where the
 * parser itself reported an error says the same thing less clearly: drop it; so are
 * the follow-up schema messages libxml2 emits on the same line, and the "weak" ones
 * when there is any other error. Returns the error
 * code of the load: HA_EPARSE if the input was not read to the end, else the class of
 * the first error in the document. */
static int finish(cib_parser *p, ha_diag *diag)
{
	GHashTable *lines = g_hash_table_new(g_direct_hash, g_direct_equal);
	bool strong = false;
	for (guint i = 0; i < p->msgs->len; i++) {
		cp_msg *m = &g_array_index(p->msgs, cp_msg, i);
		if (!m->schema && m->sev == HA_DIAG_ERROR)
			g_hash_table_add(lines, GINT_TO_POINTER(m->line));
		strong |= m->sev == HA_DIAG_ERROR && !m->weak;
	}
	GPtrArray *keep = g_ptr_array_new();
	for (guint i = 0; i < p->msgs->len; i++) {
		cp_msg *m = &g_array_index(p->msgs, cp_msg, i);
		if (m->weak && strong)
			continue;
		if (m->schema && m->line > 0 && g_hash_table_contains(lines, GINT_TO_POINTER(m->line)))
			continue;
		if (m->schema)
			g_hash_table_add(lines, GINT_TO_POINTER(m->line));
		g_ptr_array_add(keep, m);
	}
	g_ptr_array_sort(keep, msg_cmp);
	g_hash_table_destroy(lines);
	int rc = 0;
	for (guint i = 0; i < keep->len; i++) {
		const cp_msg *m = g_ptr_array_index(keep, i);
		if (!rc && m->sev == HA_DIAG_ERROR)
			rc = m->code;
		ha__diag_add(diag, m->sev, "%s", m->text);
	}
	if (p->nerrors > 0 && p->msgs->len >= CP_MSGS_MAX)
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: %zu errors in total; fix the ones above "
			     "first", p->name, p->nerrors);
	g_ptr_array_free(keep, TRUE);
	if (p->fatal_code)
		rc = p->fatal_code;
	else if (!rc && p->nerrors)
		rc = HA_ESCHEMA;
	for (guint i = 0; i < p->msgs->len; i++)
		g_free(g_array_index(p->msgs, cp_msg, i).text);
	g_array_free(p->msgs, TRUE);
	return rc;
}

/* Parse with an opened reader (consumed). On success *ret gets the CIB. */
static int load(cib_parser *p, xmlTextReaderPtr rd, ha_cib **ret, ha_diag *diag)
{
	xmlRelaxNGPtr schema = NULL;
	int rc = 0;
	if (!rd) {
		ha__cp_report(p, HA_DIAG_ERROR, -ENOMEM, 0, NULL, NULL,
			      "cannot create the XML reader");
		p->fatal_code = -ENOMEM;
		goto out;
	}
	p->rd = rd;
	xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, p);
	if (!(p->flags & HA_CIB_NO_SCHEMA)) {
		/* Compiled per load: a few milliseconds, and no state shared between loads
		 * (or threads). */
		xmlRelaxNGParserCtxtPtr pctx =
			xmlRelaxNGNewMemParserCtxt(ha__schema_rng, (int)ha__schema_rng_len);
		if (pctx) {
			xmlRelaxNGSetParserStructuredErrors(pctx, on_schema_compile_error, p);
			schema = xmlRelaxNGParse(pctx);
			xmlRelaxNGFreeParserCtxt(pctx);
		}
		if (!schema || xmlTextReaderRelaxNGSetSchema(rd, schema) != 0) {
			ha__cp_report(p, HA_DIAG_ERROR, -EINVAL, 0, NULL, NULL,
				      "internal error: cannot set up schema validation");
			p->fatal_code = -EINVAL;
			goto out;
		}
		/* Relays the validator's messages too, now that it exists. */
		xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, p);
	}
	p->cib = ha__cib_new();
	p->cib->source = ha__str(p->cib, p->name);
	read_document(p);
	if (!p->fatal) {
		ha__cp_check(p);
		if (schema && xmlTextReaderIsValid(rd) != 1 && !p->nerrors)
			ha__cp_report(p, HA_DIAG_ERROR, HA_ESCHEMA, 0, NULL, NULL,
				      "does not match the CIB schema");
	}
out:
	/* The id tables point at element names owned by the reader's dictionary. */
	parser_free_tables(p);
	xmlFreeTextReader(rd);
	xmlRelaxNGFree(schema);
	rc = finish(p, diag);
	if (rc < 0 || !p->cib) {
		ha_cib_free(p->cib);
		return rc < 0 ? rc : -EINVAL;
	}
	*ret = p->cib;
	return 0;
}

static bool flags_valid(unsigned flags)
{
	return !(flags & ~(unsigned)(HA_CIB_LENIENT | HA_CIB_NO_SCHEMA));
}

int ha_cib_load_memory(const char *buf, size_t len, const char *name, unsigned flags,
		       ha_cib **ret, ha_diag *diag)
{
	if (!ret || (!buf && len) || !flags_valid(flags))
		return -EINVAL;
	if (!name)
		name = "<memory>";
	if (len > HA_CIB_MAX_SIZE) {
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: the CIB is %zu bytes, more than the "
			     "%u-byte limit; remove old status entries or split it", name, len,
			     HA_CIB_MAX_SIZE);
		return HA_ETOOBIG;
	}
	cib_parser p;
	parser_init(&p, name, flags);
	const char *why = check_prolog(buf ? buf : "", len, true);
	if (why) {
		ha__cp_report(&p, HA_DIAG_ERROR, HA_EPARSE, 0, NULL, NULL, "%s", why);
		p.fatal_code = HA_EPARSE;
		parser_free_tables(&p);
		return finish(&p, diag);
	}
	/* The encoding is fixed to UTF-8: a declaration cannot switch it to one in which
	 * check_prolog() could not see a DOCTYPE. */
	xmlTextReaderPtr rd = xmlReaderForMemory(buf ? buf : "", (int)len, NULL, "UTF-8",
						 CP_XML_OPTIONS);
	return load(&p, rd, ret, diag);
}

typedef struct file_src {
	int fd;
	size_t total;
	int err;     /* errno of a failed read */
	bool toobig; /* grew past HA_CIB_MAX_SIZE while being read */
} file_src;

/* libxml2 pulls the file through this: nothing but its small buffers is ever in
 * memory, and a file that grows while being read still cannot exceed the cap. */
static int file_read(void *ctx, char *buf, int len)
{
	file_src *src = ctx;
	for (;;) {
		ssize_t n = read(src->fd, buf, (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			src->err = errno;
			return -1;
		}
		src->total += (size_t)n;
		if (src->total > HA_CIB_MAX_SIZE) {
			src->toobig = true;
			return -1;
		}
		return (int)n;
	}
}

int ha_cib_load_file(const char *path, unsigned flags, ha_cib **ret, ha_diag *diag)
{
	if (!path || !ret || !flags_valid(flags))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: cannot open: %s", path, strerror(err));
		return -err;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: cannot stat: %s", path, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > HA_CIB_MAX_SIZE) {
		rc = HA_ETOOBIG;
		ha__diag_add(diag, HA_DIAG_ERROR, "%s: the CIB is %lld bytes, more than the "
			     "%u-byte limit; remove old status entries or split it", path,
			     (long long)st.st_size, HA_CIB_MAX_SIZE);
		goto out;
	}
	size_t head_len = MIN((size_t)st.st_size, (size_t)CP_PROLOG_MAX);
	char *head = g_malloc(head_len + 1);
	ssize_t got = pread(fd, head, head_len, 0);
	cib_parser p;
	parser_init(&p, path, flags);
	const char *why = got < 0 ? NULL : check_prolog(head, (size_t)got,
							 (size_t)got == (size_t)st.st_size);
	g_free(head);
	if (got < 0 || why) {
		if (got < 0)
			ha__cp_report(&p, HA_DIAG_ERROR, -EIO, 0, NULL, NULL, "cannot read: %s",
				      strerror(errno));
		else
			ha__cp_report(&p, HA_DIAG_ERROR, HA_EPARSE, 0, NULL, NULL, "%s", why);
		p.fatal_code = got < 0 ? -EIO : HA_EPARSE;
		parser_free_tables(&p);
		rc = finish(&p, diag);
		goto out;
	}
	file_src src = {.fd = fd};
	xmlTextReaderPtr rd = xmlReaderForIO(file_read, NULL, &src, NULL, "UTF-8",
					     CP_XML_OPTIONS);
	/* I/O failures surface as libxml2 errors first; say what really happened. */
	ha_diag *tmp = NULL;
	ha_diag_new(&tmp);
	rc = load(&p, rd, ret, tmp);
	if (src.toobig || src.err) {
		rc = src.toobig ? HA_ETOOBIG : -src.err;
		if (src.toobig)
			ha__diag_add(diag, HA_DIAG_ERROR, "%s: the CIB grew past the %u-byte "
				     "limit while being read", path, HA_CIB_MAX_SIZE);
		else
			ha__diag_add(diag, HA_DIAG_ERROR, "%s: read error: %s", path,
				     strerror(src.err));
	} else {
		for (size_t i = 0; i < ha_diag_count(tmp); i++)
			ha__diag_add(diag, ha_diag_severity_of(tmp, i), "%s",
				     ha_diag_message(tmp, i));
	}
	ha_diag_free(tmp);
out:
	close(fd);
	return rc;
}

void ha_cib_version(const ha_cib *cib, int64_t *admin_epoch, int64_t *epoch,
		    int64_t *num_updates)
{
	if (admin_epoch)
		*admin_epoch = cib ? cib->admin_epoch : 0;
	if (epoch)
		*epoch = cib ? cib->epoch : 0;
	if (num_updates)
		*num_updates = cib ? cib->num_updates : 0;
}

const char *ha_cib_schema_path(void)
{
	return HA_DATADIR "/ha-cib.rng";
}
