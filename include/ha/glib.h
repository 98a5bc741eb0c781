/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GLib integration: the only public header that mentions GLib types. An executor is
 * driven by one GMainContext; include this only if you attach one.
 */
#ifndef HA_GLIB_H
#define HA_GLIB_H

#include <glib.h>

#include <ha/exec.h>
#include <ha/cluster.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Attach ex to ctx (NULL: the global default context). Its pidfd, pipe and timer
 * sources are created in ctx and operations queued so far start from the next
 * iteration. The context must be iterated by the thread that uses ex and must outlive
 * it. -EBUSY if ex is already attached. */
HA_EXPORT int ha_executor_attach(ha_executor *ex, GMainContext *ctx);

/* Attach a cluster handle (and its executor) to ctx before ha_cluster_start(). */
HA_EXPORT int ha_cluster_attach(ha_cluster *cl, GMainContext *ctx);

#ifdef __cplusplus
}
#endif
#endif
