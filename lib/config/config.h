/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config module: CIB XML <-> model (parse, validate, serialize). The only libxml2 user. */
#ifndef HA_CONFIG_H
#define HA_CONFIG_H

#include "model/model.h"

/* ---- constraint lifetimes (lifetime.c) ----------------------------------------------- */

/* Durations ("PT300S": set by ha_edit_lifetime, not accepted by a cluster yet) become
 * expiries: now + duration on the replicated clock. Returns how many. */
unsigned ha__lifetime_resolve(ha_cib *cib, int64_t now);
/* Is a duration still waiting to be resolved? */
bool ha__lifetime_pending(const ha_cib *cib);
/* The earliest expiry (replicated seconds), 0 when none. */
int64_t ha__lifetime_next(const ha_cib *cib);
/* Remove every constraint whose expiry is <= now, with its lifetime (document order);
 * the ids of the removed constraints are appended to expired (g_free'd strings) when
 * it is not NULL. Returns how many lifetimes went (also those of missing constraints). */
unsigned ha__lifetime_expire(ha_cib *cib, int64_t now, GPtrArray *expired);
/* Drop the lifetime of a constraint (it is being deleted). */
bool ha__lifetime_remove(ha_config *cfg, const char *constraint);
/* Every lifetime is an expiry or a duration: -EINVAL and *bad (its name) otherwise. */
int ha__lifetime_check(const ha_cib *cib, const char **bad);

#endif
