/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public ha_diag object and ha_strerror(): error reporting without logging. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ha/common.h>
#include "util.h"

struct ha_diag {
	GPtrArray *msgs; /* char* */
	GArray *sev;     /* ha_diag_severity */
	size_t errors;
};

int ha_diag_new(ha_diag **ret)
{
	if (!ret)
		return -EINVAL;
	ha_diag *d = g_new0(ha_diag, 1);
	d->msgs = g_ptr_array_new_with_free_func(g_free);
	d->sev = g_array_new(FALSE, FALSE, sizeof(ha_diag_severity));
	*ret = d;
	return 0;
}

ha_diag *ha_diag_free(ha_diag *d)
{
	if (d) {
		g_ptr_array_free(d->msgs, TRUE);
		g_array_free(d->sev, TRUE);
		g_free(d);
	}
	return NULL;
}

void ha_diag_clear(ha_diag *d)
{
	if (!d)
		return;
	g_ptr_array_set_size(d->msgs, 0);
	g_array_set_size(d->sev, 0);
	d->errors = 0;
}

size_t ha_diag_count(const ha_diag *d)
{
	return d ? d->msgs->len : 0;
}

size_t ha_diag_errors(const ha_diag *d)
{
	return d ? d->errors : 0;
}

const char *ha_diag_message(const ha_diag *d, size_t i)
{
	return d && i < d->msgs->len ? g_ptr_array_index(d->msgs, i) : NULL;
}

ha_diag_severity ha_diag_severity_of(const ha_diag *d, size_t i)
{
	return d && i < d->sev->len ? g_array_index(d->sev, ha_diag_severity, i) : HA_DIAG_ERROR;
}

/* Keeps at most this many messages: a broken 90 MB file must not produce 90 MB of text. */
#define HA_DIAG_MAX 200

void ha__diag_addv(ha_diag *d, ha_diag_severity sev, const char *fmt, va_list ap)
{
	if (!d)
		return;
	if (sev == HA_DIAG_ERROR)
		d->errors++;
	if (d->msgs->len == HA_DIAG_MAX) {
		g_ptr_array_add(d->msgs, g_strdup("(further messages suppressed)"));
		g_array_append_val(d->sev, sev);
	}
	if (d->msgs->len > HA_DIAG_MAX)
		return;
	g_ptr_array_add(d->msgs, g_strdup_vprintf(fmt, ap));
	g_array_append_val(d->sev, sev);
}

void ha__diag_add(ha_diag *d, ha_diag_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ha__diag_addv(d, sev, fmt, ap);
	va_end(ap);
}

const char *ha_strerror(int err)
{
	switch (err) {
	case HA_EPARSE: return "input is not well-formed";
	case HA_ESCHEMA: return "input does not match the schema";
	case HA_EUNSUPPORTED: return "feature not supported by libha";
	case HA_EREF: return "reference to an unknown id";
	case HA_EDUPLICATE: return "duplicate id";
	case HA_ETOOBIG: return "input too large";
	case HA_EINFEASIBLE: return "transition cannot complete";
	case HA_EAGENT: return "resource agent not installed or unusable";
	case HA_ENOQUORUM: return "the partition has no quorum";
	case HA_ENOTSYNCED: return "the cluster is synchronizing after a membership change; retry";
	case HA_ESTALEVERSION: return "the configuration changed meanwhile; retry";
	default: break;
	}
	if (err < 0 && err > HA_EBASE)
		return strerror(-err);
	return err >= 0 ? "success" : "unknown error";
}

const char *ha_version(void)
{
	return HA_VERSION_STRING;
}
