/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl's side of the IPC: connecting to had (libqb, service "ha"), one request at a
 * time, the configuration-change cycle every mutating command shares (fetch, edit,
 * send with the expected epoch, retry on a concurrent change, dry run), and waiting
 * for the cluster to settle while measuring how long watched resources were down.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include "hactl.h"

/* Poll period while waiting for the cluster to settle: also the resolution of the
 * downtime hactl reports. One poll is a CIB transfer plus a scheduler run. */
#define POLL_MS 50
#define MAX_RETRIES 5

struct hactl_conn {
	qb_ipcc_connection_t *c;
	uint32_t size; /* its buffer: HAD_IPC_SMALL_MSG, or HAD_IPC_MAX_MSG when needed */
	char *buf;     /* HAD_IPC_MAX_MSG bytes for replies and events */
	bool rw;
	char *node;
	int64_t cluster_now; /* from the last CIB reply, 0: unknown */
};

int64_t hactl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hactl_exit_for(int err)
{
	if (err == -EACCES || err == -EPERM)
		return HACTL_DENIED;
	if (err == -ETIMEDOUT)
		return HACTL_TIMEOUT;
	if (err == -EINVAL || err == -ENOENT || err == HA_EREF || err == HA_EDUPLICATE ||
	    err == HA_ESCHEMA || err == HA_EPARSE || err == HA_EUNSUPPORTED || err == HA_ETOOBIG ||
	    err == HA_EAGENT)
		return HACTL_USAGE;
	return HACTL_FAILED;
}

int hactl_ipc_exit(int err)
{
	if (err == -ETIMEDOUT)
		return HACTL_TIMEOUT;
	if (err == -EMSGSIZE || err == -EINVAL || err == -ENOMEM || err == -EBADMSG)
		return HACTL_FAILED;
	return HACTL_UNREACHABLE;
}

/* Replace c's connection by one that carries HAD_IPC_MAX_MSG. Connections start small
 * because had sets up three rings of the buffer's size for each one (ipc.h). */
static int enlarge(hactl_conn *c)
{
	qb_ipcc_connection_t *big = qb_ipcc_connect(HAD_IPC_SERVICE, HAD_IPC_MAX_MSG);
	if (!big) {
		int e = errno;
		fprintf(stderr, "hactl: cannot reconnect to had with a larger buffer: %s\n", strerror(e));
		return -e;
	}
	qb_ipcc_disconnect(c->c);
	c->c = big;
	c->size = HAD_IPC_MAX_MSG;
	return 0;
}

int hactl_connect(hactl_conn **ret)
{
	qb_ipcc_connection_t *c = qb_ipcc_connect(HAD_IPC_SERVICE, HAD_IPC_SMALL_MSG);
	if (!c) {
		int e = errno;
		if (e == EACCES || e == EPERM) {
			fprintf(stderr, "hactl: permission denied: had accepts only root and the "
					"haclient group here\n");
			return HACTL_DENIED;
		}
		fprintf(stderr, "hactl: had is not reachable (%s): is it running on this node? "
				"(`systemctl start ha`; hactl talks to the had of its network "
				"namespace)\n", strerror(e));
		return HACTL_UNREACHABLE;
	}
	hactl_conn *h = calloc(1, sizeof(*h));
	h->c = c;
	h->size = HAD_IPC_SMALL_MSG;
	h->buf = malloc(HAD_IPC_MAX_MSG);
	if (!h->buf) {
		hactl_disconnect(h);
		fprintf(stderr, "hactl: out of memory\n");
		return HACTL_FAILED;
	}
	had_ipc_msg rep;
	int r = hactl_call(h, HAD_IPC_HELLO, 0, NULL, 0, 10000, &rep);
	if (r < 0) {
		hactl_disconnect(h);
		return HACTL_UNREACHABLE;
	}
	h->rw = rep.error == 0 && had_ipc_field(&rep, 2) && !strcmp(had_ipc_field(&rep, 2), "rw");
	h->node = rep.error == 0 ? strdup(had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "") : NULL;
	had_ipc_msg_clear(&rep);
	*ret = h;
	return HACTL_OK;
}

void hactl_disconnect(hactl_conn *c)
{
	if (!c)
		return;
	if (c->c)
		qb_ipcc_disconnect(c->c);
	free(c->buf);
	free(c->node);
	free(c);
}

bool hactl_may_write(const hactl_conn *c)
{
	return c->rw;
}

/* Send a request without waiting for its reply. */
static int send_request(hactl_conn *c, int32_t id, uint32_t flags, const char *const *fields,
			unsigned nfields)
{
	void *req;
	size_t len;
	int r = had_ipc_encode_request(id, flags, fields, nfields, &req, &len);
	if (r < 0) {
		fprintf(stderr, "hactl: the request is too large for the IPC limit (%u MiB)\n",
			HAD_IPC_MAX_MSG >> 20);
		return r;
	}
	/* len counts libqb's header: a request of exactly c->size bytes fits. */
	if (len > c->size && (r = enlarge(c)) < 0) {
		free(req);
		return r;
	}
	ssize_t n = qb_ipcc_send(c->c, req, len);
	free(req);
	if (n < 0) {
		fprintf(stderr, "hactl: lost the connection to had: %s\n", strerror((int)-n));
		return (int)n;
	}
	return 0;
}

/* The reply to the request sent last: -EAGAIN if it has not come within timeout_ms. */
static int recv_reply(hactl_conn *c, int32_t id, int timeout_ms, had_ipc_msg *rep)
{
	ssize_t n = qb_ipcc_recv(c->c, c->buf, HAD_IPC_MAX_MSG, timeout_ms);
	if (n == -EAGAIN || n == -ETIMEDOUT)
		return -EAGAIN;
	if (n < 0) {
		fprintf(stderr, "hactl: lost the connection to had: %s\n", strerror((int)-n));
		return (int)n;
	}
	int r = had_ipc_decode_reply(c->buf, (size_t)n, rep);
	if (r < 0 || rep->id != id) {
		fprintf(stderr, "hactl: malformed reply from had\n");
		if (r == 0)
			had_ipc_msg_clear(rep);
		return -EBADMSG;
	}
	return 0;
}

int hactl_call(hactl_conn *c, int32_t id, uint32_t flags, const char *const *fields,
	       unsigned nfields, int timeout_ms, had_ipc_msg *rep)
{
	int r = send_request(c, id, flags, fields, nfields);
	if (r < 0)
		return r;
	r = recv_reply(c, id, timeout_ms, rep);
	bool query = id == HAD_IPC_HELLO || id == HAD_IPC_CIB || id == HAD_IPC_EVENTS ||
		     (flags & HAD_IPC_DRY_RUN);
	if (r == 0 && rep->error == -EMSGSIZE && c->size < HAD_IPC_MAX_MSG && query) {
		/* The reply did not fit this connection: ask again on a larger one (only what
		 * changes nothing is asked twice). */
		had_ipc_msg_clear(rep);
		if ((r = enlarge(c)) < 0 || (r = send_request(c, id, flags, fields, nfields)) < 0)
			return r;
		r = recv_reply(c, id, timeout_ms, rep);
	}
	if (r == -EAGAIN) {
		fprintf(stderr, "hactl: had did not answer within %d s\n", timeout_ms / 1000);
		return -ETIMEDOUT;
	}
	return r;
}

int hactl_next_event(hactl_conn *c, int timeout_ms, char **json)
{
	ssize_t n = qb_ipcc_event_recv(c->c, c->buf, HAD_IPC_MAX_MSG, timeout_ms);
	if (n < 0)
		return (int)n == -EAGAIN ? -ETIMEDOUT : (int)n;
	had_ipc_msg m;
	int r = had_ipc_decode_reply(c->buf, (size_t)n, &m);
	if (r < 0)
		return r;
	if (m.id != HAD_IPC_EVENT || !had_ipc_field(&m, 0)) {
		had_ipc_msg_clear(&m);
		return -EBADMSG;
	}
	*json = strdup(had_ipc_field(&m, 0));
	had_ipc_msg_clear(&m);
	return 0;
}

int hactl_fetch(hactl_conn *c, ha_cib **cib, int64_t *epoch, char **node)
{
	had_ipc_msg rep;
	ha_diag *dg = NULL;
	int r = hactl_call(c, HAD_IPC_CIB, 0, NULL, 0, 30000, &rep);
	if (r < 0)
		return hactl_ipc_exit(r);
	if (rep.error < 0) {
		fprintf(stderr, "hactl: %s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
		r = hactl_exit_for(rep.error);
		had_ipc_msg_clear(&rep);
		return r;
	}
	const char *xml = had_ipc_field(&rep, 0);
	ha_diag_new(&dg);
	r = xml ? ha_cib_load_memory(xml, strlen(xml), "the cluster's CIB", HA_CIB_NO_SCHEMA, cib, dg)
		: -EBADMSG;
	if (r < 0) {
		fprintf(stderr, "hactl: cannot read the cluster's CIB: %s\n", ha_strerror(r));
		hactl_print_diag(dg);
	} else {
		if (epoch && !(had_ipc_field(&rep, 1) &&
			       sscanf(had_ipc_field(&rep, 1), "%" SCNd64, epoch) == 1))
			*epoch = -1;
		if (node)
			*node = strdup(had_ipc_field(&rep, 2) ? had_ipc_field(&rep, 2) : "");
		if (!had_ipc_field(&rep, 4) ||
		    sscanf(had_ipc_field(&rep, 4), "%" SCNd64, &c->cluster_now) != 1)
			c->cluster_now = 0;
	}
	ha_diag_free(dg);
	had_ipc_msg_clear(&rep);
	return r < 0 ? HACTL_FAILED : HACTL_OK;
}

int64_t hactl_cluster_now(const hactl_conn *c)
{
	return c && c->cluster_now > 0 ? c->cluster_now : (int64_t)time(NULL);
}

char *hactl_fmt_seconds(int64_t s)
{
	if (s >= 86400)
		return g_strdup_printf("%" PRId64 "d %02" PRId64 "h", s / 86400, s % 86400 / 3600);
	if (s >= 3600)
		return g_strdup_printf("%" PRId64 "h %02" PRId64 "m", s / 3600, s % 3600 / 60);
	if (s >= 60)
		return g_strdup_printf("%" PRId64 "m %02" PRId64 "s", s / 60, s % 60);
	return g_strdup_printf("%" PRId64 " s", s);
}

int hactl_fetch_plan(hactl_conn *c, ha_cib **cib, ha_plan **plan)
{
	int r = hactl_fetch(c, cib, NULL, NULL);
	if (r != HACTL_OK)
		return r;
	r = ha_plan_compute(*cib, (int64_t)time(NULL), plan, NULL);
	if (r < 0) {
		fprintf(stderr, "hactl: the scheduler failed on the cluster's CIB: %s\n", ha_strerror(r));
		*cib = ha_cib_free(*cib);
		return HACTL_FAILED;
	}
	return HACTL_OK;
}

int hactl_common_opt(hactl_common *o, int code, const char *arg)
{
	switch (code) {
	case 1000: o->dry_run = true; return 1;
	case 1001: o->no_wait = true; return 1;
	case 1002: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || end == arg || v <= 0 || v > 86400) {
			fprintf(stderr, "hactl: --timeout takes seconds (1..86400), not '%s'\n", arg);
			return -1;
		}
		o->timeout_s = (int)v;
		return 1;
	}
	case 1003: o->quiet = true; return 1;
	}
	return 0;
}

/* ---- waiting -------------------------------------------------------------------------------- */

typedef struct watched {
	const char *id;
	char *before;    /* nodes where it was up at the start */
	char *now;
	bool down;       /* not up anywhere at the last poll */
	int64_t down_since;
	int64_t down_ms; /* accumulated */
	bool unseen;     /* it moved between two polls: a gap shorter than a poll */
	bool failed;
	bool exists;
} watched;

typedef struct watch_set {
	watched *w;
	size_t n;
} watch_set;

static int remaining_ms(int64_t deadline)
{
	int64_t left = deadline - hactl_now_ms();
	return left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

static void track(watched *w, const ha_plan *plan, int64_t t)
{
	char *nodes = NULL;
	bool failed = false;
	if (ha_status_rsc_nodes(plan, w->id, &nodes, &failed) < 0) {
		w->exists = false;
		return;
	}
	w->exists = true;
	w->failed = failed;
	bool down = !*nodes;
	if (down && !w->down)
		w->down_since = t;
	if (!down && w->down && w->before && *w->before)
		w->down_ms += t - w->down_since;
	/* Up at both polls but somewhere else: the gap fell between them. */
	if (!down && !w->down && w->now && *w->now && strcmp(w->now, nodes))
		w->unseen = true;
	w->down = down;
	free(w->now);
	w->now = nodes;
}

static void report(const watched *w, bool settled)
{
	const char *b = w->before && *w->before ? w->before : NULL;
	const char *n = w->now && *w->now ? w->now : NULL;
	const char *fl = w->failed ? " (FAILED)" : "";
	if (!w->exists) {
		printf("%s: no longer configured\n", w->id);
		return;
	}
	if (b && n && !strcmp(b, n) && !w->down_ms && !w->unseen)
		printf("%s: stays on %s%s\n", w->id, n, fl);
	else if (b && n && (w->down_ms || !w->unseen))
		printf("%s: %s -> %s, unavailable for %.2f s%s\n", w->id, b, n, w->down_ms / 1000.0, fl);
	else if (b && n)
		printf("%s: %s -> %s, unavailable for less than %.2f s (between two polls)%s\n",
		       w->id, b, n, POLL_MS / 1000.0, fl);
	else if (b && !n)
		printf("%s: stopped (was on %s)%s\n", w->id, b, fl);
	else if (!b && n)
		printf("%s: started on %s\n", w->id, n);
	else
		printf("%s: stopped%s%s\n", w->id, fl, settled ? "" : " (still in transition)");
}

static void watch_init(watch_set *ws, const char *const *ids, const ha_plan *plan)
{
	size_t k = 0;
	while (ids && ids[k])
		k++;
	ws->w = calloc(k ? k : 1, sizeof(*ws->w));
	ws->n = k;
	for (size_t i = 0; i < k; i++) {
		ws->w[i].id = ids[i];
		ws->w[i].exists = true;
		if (plan && ha_status_rsc_nodes(plan, ids[i], &ws->w[i].before, NULL) < 0)
			ws->w[i].before = NULL;
		ws->w[i].now = ws->w[i].before ? strdup(ws->w[i].before) : NULL;
		ws->w[i].down = !ws->w[i].before || !*ws->w[i].before;
	}
}

static void watch_clear(watch_set *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		free(ws->w[i].before);
		free(ws->w[i].now);
	}
	free(ws->w);
	ws->w = NULL;
	ws->n = 0;
}

/* One poll: track the watched resources; *settled / *incomplete from the plan. */
static int poll_once(hactl_conn *c, watch_set *ws, bool *settled, bool *incomplete)
{
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	int r = hactl_fetch_plan(c, &cib, &plan);
	if (r != HACTL_OK)
		return r;
	int64_t t = hactl_now_ms();
	for (size_t i = 0; i < ws->n; i++)
		track(&ws->w[i], plan, t);
	*settled = ha_status_settled(plan);
	*incomplete = ha_plan_incomplete(plan);
	ha_plan_free(plan);
	ha_cib_free(cib);
	return HACTL_OK;
}

/* Poll until settled (bounded by the deadline). */
static int wait_loop(hactl_conn *c, const hactl_common *o, int64_t deadline, watch_set *ws)
{
	for (;;) {
		bool settled, incomplete;
		int r = poll_once(c, ws, &settled, &incomplete);
		if (r != HACTL_OK)
			return r;
		if (settled) {
			bool failed = false;
			for (size_t i = 0; i < ws->n; i++) {
				if (!o->quiet)
					report(&ws->w[i], true);
				failed |= ws->w[i].failed;
			}
			if (incomplete && !o->quiet)
				printf("note: some actions cannot run (`hactl status`, `hactl explain RSC`)\n");
			return failed ? HACTL_FAILED : HACTL_OK;
		}
		if (remaining_ms(deadline) == 0) {
			for (size_t i = 0; i < ws->n; i++)
				report(&ws->w[i], false);
			fprintf(stderr, "hactl: the cluster did not settle within the timeout; "
					"`hactl status` shows where it is\n");
			return HACTL_TIMEOUT;
		}
		usleep(POLL_MS * 1000);
	}
}

int hactl_wait_settled(hactl_conn *c, const hactl_common *o, int64_t deadline_ms,
		       const char *const *watch)
{
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	if (hactl_fetch_plan(c, &cib, &plan) != HACTL_OK)
		return HACTL_FAILED;
	watch_set ws;
	watch_init(&ws, watch, plan);
	ha_plan_free(plan);
	ha_cib_free(cib);
	int r = wait_loop(c, o, deadline_ms, &ws);
	watch_clear(&ws);
	return r;
}

/* ---- the change cycle ---------------------------------------------------------------------- */

typedef struct change_ctx {
	hactl_conn *c;     /* sends the change */
	hactl_conn *poll;  /* watches the cluster meanwhile (NULL: nothing to watch) */
	const hactl_common *o;
	int64_t deadline;
	watch_set ws;
	char *plan_text;
	int64_t epoch;
} change_ctx;

/* Fetch, edit, send once; while had runs the change (an ack round), poll the
 * cluster on the second connection so the watched resources' downtime is seen from
 * the start. *stale when another change came first. */
static int change_once(change_ctx *x, hactl_edit_fn edit, void *ud, const char *const *watch,
		       bool *stale, bool *resync)
{
	ha_cib *cib = NULL;
	int64_t epoch;
	int r = hactl_fetch(x->c, &cib, &epoch, NULL);
	if (r != HACTL_OK)
		return r;
	if (x->poll) {
		ha_plan *before = NULL;
		watch_clear(&x->ws);
		if (ha_plan_compute(cib, (int64_t)time(NULL), &before, NULL) == 0)
			watch_init(&x->ws, watch, before);
		ha_plan_free(before);
	}
	r = edit(&cib, ud);
	if (r != HACTL_OK) {
		ha_cib_free(cib);
		return r;
	}
	char *xml = NULL;
	if (ha_cib_to_string(cib, &xml) < 0) {
		fprintf(stderr, "hactl: cannot serialize the new configuration\n");
		ha_cib_free(cib);
		return HACTL_FAILED;
	}
	ha_cib_free(cib);
	char ep[32];
	snprintf(ep, sizeof(ep), "%" PRId64, epoch);
	const char *f[2] = {xml, ep};
	r = send_request(x->c, HAD_IPC_CONFIG, x->o->dry_run ? HAD_IPC_DRY_RUN : 0, f, 2);
	free(xml);
	if (r < 0)
		return hactl_ipc_exit(r);
	had_ipc_msg rep;
	for (;;) {
		r = recv_reply(x->c, HAD_IPC_CONFIG, x->poll ? 0 : POLL_MS, &rep);
		if (r != -EAGAIN)
			break;
		if (remaining_ms(x->deadline) == 0) {
			fprintf(stderr, "hactl: had did not confirm the change within the timeout; it "
					"may still be applied (`hactl status`)\n");
			return HACTL_TIMEOUT;
		}
		if (x->poll) {
			bool settled, incomplete;
			if (poll_once(x->poll, &x->ws, &settled, &incomplete) != HACTL_OK)
				return HACTL_FAILED;
			usleep(POLL_MS * 1000);
		}
	}
	if (r < 0)
		return hactl_ipc_exit(r);
	if (rep.error == HA_ESTALEVERSION) {
		*stale = true;
		had_ipc_msg_clear(&rep);
		return HACTL_FAILED;
	}
	if (rep.error == HA_ENOTSYNCED && !x->o->dry_run && remaining_ms(x->deadline) > POLL_MS) {
		/* A sync round after a membership change takes about a second: wait it
		 * out within the timeout, as the message says to. */
		*resync = true;
		had_ipc_msg_clear(&rep);
		usleep(POLL_MS * 1000);
		return HACTL_FAILED;
	}
	if (rep.error < 0) {
		const char *msg = had_ipc_field(&rep, 0);
		fprintf(stderr, "hactl: %s%s", msg ? msg : ha_strerror(rep.error),
			msg && *msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
		r = hactl_exit_for(rep.error);
		had_ipc_msg_clear(&rep);
		return r;
	}
	x->plan_text = strdup(had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
	if (!had_ipc_field(&rep, 1) || sscanf(had_ipc_field(&rep, 1), "%" SCNd64, &x->epoch) != 1)
		x->epoch = -1;
	had_ipc_msg_clear(&rep);
	return HACTL_OK;
}

int hactl_change(const hactl_common *o, const char *what, hactl_edit_fn edit, void *ud,
		 const char *const *watch)
{
	change_ctx x = {.o = o};
	x.deadline = hactl_now_ms() + (int64_t)(o->timeout_s ? o->timeout_s : 120) * 1000;
	int r = hactl_connect(&x.c);
	if (r != HACTL_OK)
		return r;
	if (!o->dry_run && !o->no_wait && (r = hactl_connect(&x.poll)) != HACTL_OK) {
		hactl_disconnect(x.c);
		return r;
	}
	bool stale = true, resync = false;
	for (int attempt = 0; (stale && attempt < MAX_RETRIES) || resync; attempt += stale) {
		stale = resync = false;
		free(x.plan_text);
		x.plan_text = NULL;
		r = change_once(&x, edit, ud, watch, &stale, &resync);
	}
	if (stale) {
		fprintf(stderr, "hactl: the configuration kept changing under us (%d attempts); "
				"nothing changed: try again\n", MAX_RETRIES);
		r = HACTL_FAILED;
	}
	if (r != HACTL_OK)
		goto out;
	if (o->dry_run) {
		printf("Dry run: %s would cause:\n%s", what, x.plan_text);
		goto out;
	}
	if (!o->quiet)
		printf("%s: done (configuration epoch %" PRId64 ")\n%s", what, x.epoch, x.plan_text);
	if (!o->no_wait)
		r = wait_loop(x.poll, o, x.deadline, &x.ws);
out:
	watch_clear(&x.ws);
	free(x.plan_text);
	hactl_disconnect(x.c);
	hactl_disconnect(x.poll);
	return r;
}
