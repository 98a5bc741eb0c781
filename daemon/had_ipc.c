/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * had's IPC server: libqb IPC (service "ha", shared-memory transport) driven by the
 * GLib main loop, client authentication by the uid/gid libqb reads from the socket,
 * request decoding and replies, and the event fan-out to `hactl events --follow`.
 * What a request does is in had_requests.c.
 */
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "had.h"

/* ---- libqb's poll handlers on a GMainContext ------------------------------------------ */

/*
 * libqb asks for fds to watch with (fd, events, data, fn) and removes them by fd
 * alone. Each fd gets its own GSource whose callback user data is the fd, so
 * g_main_context_find_source_by_funcs_user_data() finds it again without a table.
 */
typedef struct qb_source {
	GSource src;
	gpointer tag;
	int fd;
	void *data;
	qb_ipcs_dispatch_fn_t fn;
} qb_source;

static gboolean qb_source_dispatch(GSource *src, GSourceFunc cb, gpointer ud)
{
	qb_source *q = (qb_source *)src;
	(void)cb;
	(void)ud;
	GIOCondition cond = g_source_query_unix_fd(src, q->tag);
	/* GIOCondition bits are poll(2)'s on Linux, which is what libqb expects. */
	int32_t r = q->fn(q->fd, (int32_t)cond, q->data);
	return r < 0 ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static const GSourceFuncs qb_source_funcs = {
	.dispatch = qb_source_dispatch,
};

static gboolean never_called(gpointer ud)
{
	(void)ud;
	return G_SOURCE_REMOVE;
}

static GSource *qb_source_find(int32_t fd)
{
	return g_main_context_find_source_by_funcs_user_data(
		NULL, (GSourceFuncs *)&qb_source_funcs, GINT_TO_POINTER(fd));
}

static int32_t qb_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
			       qb_ipcs_dispatch_fn_t fn)
{
	if (qb_source_find(fd))
		return -EEXIST;
	qb_source *q = (qb_source *)g_source_new((GSourceFuncs *)&qb_source_funcs, sizeof(*q));
	q->fd = fd;
	q->data = data;
	q->fn = fn;
	q->tag = g_source_add_unix_fd(&q->src, fd, (GIOCondition)events);
	g_source_set_priority(&q->src, p == QB_LOOP_HIGH ? G_PRIORITY_HIGH
				       : p == QB_LOOP_LOW ? G_PRIORITY_LOW
							  : G_PRIORITY_DEFAULT);
	g_source_set_callback(&q->src, never_called, GINT_TO_POINTER(fd), NULL);
	g_source_attach(&q->src, NULL);
	g_source_unref(&q->src);
	return 0;
}

static int32_t qb_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
			       qb_ipcs_dispatch_fn_t fn)
{
	(void)p;
	GSource *src = qb_source_find(fd);
	if (!src)
		return -ENOENT;
	qb_source *q = (qb_source *)src;
	q->data = data;
	q->fn = fn;
	g_source_modify_unix_fd(src, q->tag, (GIOCondition)events);
	return 0;
}

static int32_t qb_dispatch_del(int32_t fd)
{
	GSource *src = qb_source_find(fd);
	if (!src)
		return -ENOENT;
	g_source_destroy(src);
	return 0;
}

typedef struct qb_job {
	void *data;
	qb_loop_job_dispatch_fn fn;
} qb_job;

static gboolean qb_job_run(gpointer ud)
{
	qb_job *j = ud;
	j->fn(j->data);
	g_free(j);
	return G_SOURCE_REMOVE;
}

static int32_t qb_job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	qb_job *j = g_new(qb_job, 1);
	j->data = data;
	j->fn = fn;
	g_idle_add_full(p == QB_LOOP_HIGH ? G_PRIORITY_HIGH_IDLE : G_PRIORITY_DEFAULT_IDLE,
			qb_job_run, j, NULL);
	return 0;
}

/* ---- clients ------------------------------------------------------------------------------- */

/* Root and members of the haclient group (primary or supplementary) may change things. */
static bool may_write(const had *d, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return true;
	if (!d->have_haclient)
		return false;
	if (gid == d->haclient_gid)
		return true;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	gid_t groups[256];
	int n = (int)G_N_ELEMENTS(groups);
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return false; /* more than 256 groups: refuse rather than guess */
	for (int i = 0; i < n; i++)
		if (groups[i] == d->haclient_gid)
			return true;
	return false;
}

static int32_t on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	had *d = qb_ipcs_connection_service_context_get(c);
	bool rw = may_write(d, uid, gid);

	if (d->stopping)
		return -ESHUTDOWN;
	if (!rw && !d->readers_allowed) {
		had_log(LOG_NOTICE, "refused a connection from uid %u gid %u: not root or haclient",
			(unsigned)uid, (unsigned)gid);
		return -EACCES;
	}
	/* Clients choose their buffer size (at least HAD_IPC_SMALL_MSG): bound it before
	 * libqb allocates the rings. */
	if (qb_ipcs_connection_get_buffer_size(c) > (int32_t)HAD_IPC_MAX_MSG) {
		had_log(LOG_NOTICE, "refused a connection from uid %u: IPC buffer of %d bytes",
			(unsigned)uid, qb_ipcs_connection_get_buffer_size(c));
		return -EMSGSIZE;
	}
	if (d->clients->len >= HAD_MAX_CLIENTS) {
		had_log(LOG_WARNING, "refused a connection from uid %u: %u clients already",
			(unsigned)uid, d->clients->len);
		return -EMFILE;
	}
	/* The shared-memory files belong to the client so that it can map them. */
	qb_ipcs_connection_auth_set(c, uid, gid, 0600);
	had_client *cl = g_new0(had_client, 1);
	cl->d = d;
	cl->c = c;
	cl->uid = uid;
	cl->gid = gid;
	cl->may_write = rw;
	qb_ipcs_context_set(c, cl);
	g_ptr_array_add(d->clients, cl);
	return 0;
}

static void on_created(qb_ipcs_connection_t *c)
{
	had_client *cl = qb_ipcs_context_get(c);
	struct qb_ipcs_connection_stats st;
	if (cl && qb_ipcs_connection_stats_get(c, &st, 0) == 0)
		cl->pid = st.client_pid;
	if (cl)
		had_log(LOG_DEBUG, "client pid %d uid %u connected (%s)", (int)cl->pid,
			(unsigned)cl->uid, cl->may_write ? "read-write" : "read-only");
}

static int32_t on_closed(qb_ipcs_connection_t *c)
{
	had_client *cl = qb_ipcs_context_get(c);
	if (cl) {
		cl->closed = true;
		cl->follow = false;
	}
	return 0;
}

static void on_destroyed(qb_ipcs_connection_t *c)
{
	had_client *cl = qb_ipcs_context_get(c);
	if (!cl)
		return;
	qb_ipcs_context_set(c, NULL);
	g_ptr_array_remove(cl->d->clients, cl);
	g_free(cl);
}

had_client *had_client_ref(had_client *cl)
{
	qb_ipcs_connection_ref(cl->c);
	return cl;
}

void had_client_unref(had_client *cl)
{
	if (cl)
		qb_ipcs_connection_unref(cl->c); /* may destroy cl */
}

void had_reply(had_client *cl, int32_t id, int32_t error, const char *const *fields,
	       unsigned nfields)
{
	void *buf;
	size_t len;
	int r;

	cl->busy = false;
	if (cl->closed)
		return;
	r = had_ipc_encode_reply(id, error, fields, nfields, &buf, &len);
	if (r < 0) {
		/* Too big (a huge CIB): say so instead of leaving the client waiting. */
		const char *msg = "the reply exceeds the IPC message limit";
		had_log(LOG_WARNING, "reply to %s: %s", had_ipc_cmd_name(id), ha_strerror(r));
		if (had_ipc_encode_reply(id, r, &msg, 1, &buf, &len) < 0)
			return;
	}
	if (r == 0 && len > (size_t)qb_ipcs_connection_get_buffer_size(cl->c)) {
		/* Larger than this connection's buffer (libqb would only say -EAGAIN, for
		 * ever): the client asks again on a larger connection. */
		free(buf);
		const char *msg = "the reply exceeds this connection's IPC buffer";
		if (had_ipc_encode_reply(id, -EMSGSIZE, &msg, 1, &buf, &len) < 0)
			return;
	}
	ssize_t sent = qb_ipcs_response_send(cl->c, buf, len);
	if (sent < 0)
		had_log(LOG_NOTICE, "reply to pid %d lost: %s", (int)cl->pid, ha_strerror((int)sent));
	free(buf);
}

void had_broadcast_event(had *d, const char *json)
{
	for (guint i = 0; i < d->clients->len; i++) {
		had_client *cl = g_ptr_array_index(d->clients, i);
		void *buf;
		size_t len;
		if (!cl->follow || cl->closed)
			continue;
		if (cl->lost) {
			/* Tell it first what it missed, once there is room again. */
			char note[96];
			snprintf(note, sizeof(note), "{\"event\":\"lost\",\"count\":%u}", cl->lost);
			const char *f = note;
			if (had_ipc_encode_reply(HAD_IPC_EVENT, 0, &f, 1, &buf, &len) == 0) {
				if (qb_ipcs_event_send(cl->c, buf, len) >= 0)
					cl->lost = 0;
				free(buf);
			}
			if (cl->lost) {
				cl->lost++;
				continue;
			}
		}
		if (had_ipc_encode_reply(HAD_IPC_EVENT, 0, &json, 1, &buf, &len) < 0)
			continue;
		/* Never block on a slow reader: count what it misses. */
		if (qb_ipcs_event_send(cl->c, buf, len) < 0)
			cl->lost++;
		free(buf);
	}
}

static int32_t on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	had_client *cl = qb_ipcs_context_get(c);
	had_ipc_msg req;
	int r;

	if (!cl)
		return 0;
	r = had_ipc_decode_request(data, size, &req);
	if (r < 0) {
		struct qb_ipc_request_header h = {0};
		const char *msg = "malformed request";
		if (size >= sizeof(h))
			memcpy(&h, data, sizeof(h));
		had_log(LOG_NOTICE, "malformed request (%zu bytes) from pid %d: %s", size,
			(int)cl->pid, ha_strerror(r));
		/* A reply id the client can decode, whatever it sent. */
		had_reply(cl, h.id > 0 && h.id < HAD_IPC_CMD_MAX ? h.id : HAD_IPC_HELLO, r, &msg, 1);
		return 0;
	}
	if (cl->busy) {
		const char *msg = "one request at a time per connection";
		had_reply(cl, req.id, -EBUSY, &msg, 1);
		cl->busy = true; /* the earlier request still owes its reply */
	} else {
		cl->busy = true;
		had_serve(cl, &req);
	}
	had_ipc_msg_clear(&req);
	return 0;
}

int had_ipc_start(had *d)
{
	static const struct qb_ipcs_service_handlers handlers = {
		.connection_accept = on_accept,
		.connection_created = on_created,
		.msg_process = on_msg,
		.connection_closed = on_closed,
		.connection_destroyed = on_destroyed,
	};
	static const struct qb_ipcs_poll_handlers poll = {
		.job_add = qb_job_add,
		.dispatch_add = qb_dispatch_add,
		.dispatch_mod = qb_dispatch_mod,
		.dispatch_del = qb_dispatch_del,
	};

	d->ipcs = qb_ipcs_create(HAD_IPC_SERVICE, 0, QB_IPC_SHM,
				 (struct qb_ipcs_service_handlers *)&handlers);
	if (!d->ipcs)
		return -errno ? -errno : -ENOMEM;
	qb_ipcs_service_context_set(d->ipcs, d);
	qb_ipcs_poll_handlers_set(d->ipcs, (struct qb_ipcs_poll_handlers *)&poll);
	qb_ipcs_enforce_buffer_size(d->ipcs, HAD_IPC_SMALL_MSG);
	/* libqb callocs a receive buffer of the full message size per connection. Left to
	 * itself, glibc raises its mmap threshold to the size of the first such buffer
	 * freed and serves the next ones from the heap, which it then keeps: had's RSS
	 * grew by two buffers after the first hactl command. A fixed threshold returns
	 * every buffer to the system when its connection closes. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	int r = qb_ipcs_run(d->ipcs);
	if (r < 0) {
		qb_ipcs_destroy(d->ipcs);
		d->ipcs = NULL;
		return r;
	}
	return 0;
}

void had_ipc_stop(had *d)
{
	if (!d->ipcs)
		return;
	/* Disconnect everyone (destroy callbacks free the clients), then the service. */
	for (qb_ipcs_connection_t *c = qb_ipcs_connection_first_get(d->ipcs); c;) {
		qb_ipcs_connection_t *next = qb_ipcs_connection_next_get(d->ipcs, c);
		qb_ipcs_disconnect(c);
		qb_ipcs_connection_unref(c);
		c = next;
	}
	qb_ipcs_destroy(d->ipcs);
	d->ipcs = NULL;
}
