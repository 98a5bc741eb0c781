/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Embedded agents: C callbacks an embedding program registers as "embedded:NAME",
 * run in-process from the main context and completed (possibly later) through
 * ha_embedded_op_complete(). Scheduling, timeouts and delivery are executor.c's.
 */
#include <errno.h>
#include <string.h>

#include "exec_private.h"

void ha__embedded_agent_free(gpointer p)
{
	ha__embedded_agent *a = p;

	g_free(a->name);
	g_free(a->metadata_xml);
	ha_agent_metadata_free(a->md);
	g_free(a);
}

int ha_executor_register_embedded(ha_executor *ex, const char *name, ha_embedded_fn run,
				  const char *metadata_xml, void *userdata)
{
	g_autofree char *spec = NULL;
	ha__agent_spec s;
	ha_agent_metadata *md = NULL;
	ha__embedded_agent *a;
	int r;

	if (!ex || !name || !run)
		return -EINVAL;
	spec = g_strconcat("embedded:", name, NULL);
	r = ha__agent_spec_parse(spec, &s);
	if (r < 0)
		return r;
	ha__agent_spec_clear(&s);
	if (g_hash_table_contains(ex->embedded, name))
		return HA_EDUPLICATE;
	if (metadata_xml) {
		r = ha_agent_metadata_parse(metadata_xml, strlen(metadata_xml), &md, NULL);
		if (r < 0)
			return r;
	}
	a = g_new0(ha__embedded_agent, 1);
	a->name = g_strdup(name);
	a->run = run;
	a->userdata = userdata;
	a->metadata_xml = g_strdup(metadata_xml);
	a->md = md;
	g_hash_table_insert(ex->embedded, a->name, a);
	return 0;
}

void ha__embedded_start(ha_executor *ex, ha__op *op, ha__embedded_agent *agent)
{
	ha_embedded_op *e = g_new0(ha_embedded_op, 1);

	(void)ex;
	e->op = op;
	op->refs++;
	op->emb = e;
	agent->run(e, agent->userdata);
}

void ha__embedded_abandon(ha__op *op)
{
	if (op->emb) {
		op->emb->abandoned = true;
		op->emb = NULL;
	}
}

const char *ha_embedded_op_resource(const ha_embedded_op *e)
{
	return e ? e->op->req->resource : NULL;
}

const char *ha_embedded_op_action(const ha_embedded_op *e)
{
	return e ? e->op->req->action : NULL;
}

uint32_t ha_embedded_op_interval(const ha_embedded_op *e)
{
	return e ? e->op->req->interval_ms : 0;
}

unsigned ha_embedded_op_depth(const ha_embedded_op *e)
{
	return e ? e->op->req->depth : 0;
}

const char *ha_embedded_op_param(const ha_embedded_op *e, const char *name)
{
	return e && name ? ha__kv_get(e->op->req->params, name) : NULL;
}

const char *ha_embedded_op_meta(const ha_embedded_op *e, const char *name)
{
	if (!e || !name)
		return NULL;
	g_autofree char *n = g_strdelimit(g_strdup(name), "-", '_');
	return ha__kv_get(e->op->req->meta, n);
}

bool ha_embedded_op_cancelled(const ha_embedded_op *e)
{
	return !e || e->abandoned;
}

void ha_embedded_op_output(ha_embedded_op *e, const char *text)
{
	ha__op *op;

	if (!e || e->abandoned || !text)
		return;
	op = e->op;
	ha__result_capture(&op->result, 0, text, strlen(text), HA_EXEC_OUTPUT_MAX);
	if (op->ex && op->ex->log_fn) {
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		for (char **l = lines; *l; l++)
			if (**l || l[1])
				op->ex->log_fn(op->req->resource, op->req->action,
					       op->req->interval_ms, HA_EXEC_LOG_STDOUT, *l,
					       op->ex->log_ud);
	}
}

void ha_embedded_op_complete(ha_embedded_op *e, int rc, const char *exit_reason)
{
	ha__op *op;

	if (!e)
		return;
	op = e->op;
	if (!e->abandoned && op->ex && op->emb == e) {
		op->emb = NULL;
		op->result.status = HA_EXEC_DONE;
		op->result.rc = rc;
		op->result.exit_code = rc;
		if (exit_reason)
			ha__result_set_reason(&op->result, exit_reason);
		op->result.duration_us = (uint64_t)(ha__now_us() - op->start_us);
		ha__op_finished(op->ex, op);
	}
	g_free(e);
	ha__op_unref(op);
}
