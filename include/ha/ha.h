/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libha — embeddable high-availability cluster resource manager.
 * This umbrella header is all an embedder needs to include.
 *
 * Conventions (all headers):
 *  - Every int result is >= 0 on success or a negated errno / HA_E* code on failure;
 *    ha_strerror() names it.
 *  - Objects are opaque; out-parameters come last and are untouched on failure; a call
 *    that fails consumes nothing. Returned `const char *` is borrowed from its object.
 *  - Threading: a handle is used from one thread at a time; the library starts no
 *    threads and installs no signal handlers.
 */
#ifndef HA_HA_H
#define HA_HA_H

#include <ha/common.h>
#include <ha/diag.h>
#include <ha/cib.h>
#include <ha/plan.h>
#include <ha/cluster.h>
#include <ha/exec.h>
#include <ha/glib.h>

#endif
