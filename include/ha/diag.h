/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Diagnostics: an optional out-parameter that collects detailed messages
 * ("FILE:LINE: element <x id=y>: what is wrong; what to do") from calls that
 * validate input. Errors and warnings are kept in the order they were found.
 */
#ifndef HA_DIAG_H
#define HA_DIAG_H

#include <ha/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ha_diag ha_diag;

typedef enum { HA_DIAG_WARNING = 1, HA_DIAG_ERROR = 2 } ha_diag_severity;

HA_EXPORT int ha_diag_new(ha_diag **ret);
HA_EXPORT ha_diag *ha_diag_free(ha_diag *d); /* NULL-safe, returns NULL */
HA_EXPORT size_t ha_diag_count(const ha_diag *d);
HA_EXPORT size_t ha_diag_errors(const ha_diag *d);
HA_EXPORT const char *ha_diag_message(const ha_diag *d, size_t i);
HA_EXPORT ha_diag_severity ha_diag_severity_of(const ha_diag *d, size_t i);
HA_EXPORT void ha_diag_clear(ha_diag *d);

#ifdef __cplusplus
}
#endif
#endif
