/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers on libc and GLib shared by every module: diagnostics collection. */
#ifndef HA_UTIL_H
#define HA_UTIL_H

#include <glib.h>
#include <stdarg.h>

#include <ha/diag.h>

/* Append a message to d (NULL-safe). */
void ha__diag_add(ha_diag *d, ha_diag_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ha__diag_addv(ha_diag *d, ha_diag_severity sev, const char *fmt, va_list ap);

#endif
