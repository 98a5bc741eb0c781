/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * had: shared declarations of the daemon's files — had.c (options, logging, life
 * cycle), had_ipc.c (the libqb IPC server on the GLib main loop: connections,
 * authentication, dispatch) and had_requests.c (what each request does).
 */
#ifndef HAD_H
#define HAD_H

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>
#include <syslog.h>

#include <glib.h>
#include <qb/qbipcs.h>

#include <ha/ha.h>
#include <ha/edit.h>
#include <ha/status.h>

#include "ipc.h"

/* Connections served at once; more are refused (the daemon's memory stays bounded). */
#define HAD_MAX_CLIENTS 64

typedef struct had had;

/* One client connection. */
typedef struct had_client {
	had *d;
	qb_ipcs_connection_t *c;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool may_write;   /* root or member of the haclient group */
	bool closed;      /* the client went away; drop late replies */
	bool follow;      /* subscribed to events */
	bool busy;        /* a request is being served (one at a time per client) */
	unsigned lost;    /* events dropped because its buffer was full */
} had_client;

struct had {
	GMainLoop *loop;
	ha_cluster *cl;
	qb_ipcs_service_t *ipcs;
	GPtrArray *clients;  /* had_client* */
	GQueue *events;      /* char*: JSON lines, oldest first, at most HAD_EVENTS_MAX */
	uint64_t events_seen;
	bool have_haclient;
	gid_t haclient_gid;
	bool readers_allowed; /* other local users may read status */
	bool stopping;
	int exit_code;
	char *ocf_root;
};

/* Logging through libqb (had.c): level is a syslog priority. */
void had_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The IPC server (had_ipc.c). */
int had_ipc_start(had *d);
void had_ipc_stop(had *d);
/* Send a reply to a request of cl (dropped if the client went away). */
void had_reply(had_client *cl, int32_t id, int32_t error, const char *const *fields,
	       unsigned nfields);
/* Send an event line to every subscribed client. */
void had_broadcast_event(had *d, const char *json);
void had_client_unref(had_client *cl);
had_client *had_client_ref(had_client *cl);

/* Requests (had_requests.c): serve one decoded request; replies now or later. */
void had_serve(had_client *cl, const had_ipc_msg *req);
/* Remember an event for `hactl events`. */
void had_event_record(had *d, const char *json);

#endif
