/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tp_node: the corosync transport under test, one per namespace node. Joins a CPG
 * group and logs every callback, one line each with a CLOCK_REALTIME millisecond
 * stamp, for run.sh to compare across nodes. SIGUSR1 multicasts a burst of numbered
 * messages (padded to --size bytes); SIGTERM leaves cleanly. It decides nothing: the checks are run.sh's.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib-unix.h>
#include <glib.h>

#include "transport/transport.h"

typedef struct {
	GMainLoop *loop;
	ha_transport *t;
	FILE *log;
	const char *group;
	unsigned burst;
	size_t size; /* message size: padded with '.' */
	char *buf;
	unsigned sent;
	uint32_t local;
} tp;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

static void logf_line(tp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_line(tp *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->log, "%llu ", now_ms());
	va_start(ap, fmt);
	vfprintf(p->log, fmt, ap);
	va_end(ap);
	fputc('\n', p->log);
	fflush(p->log);
}

static char *ids(const uint32_t *v, size_t n)
{
	GString *s = g_string_new(NULL);
	size_t i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s%" PRIu32, i ? "," : "", v[i]);
	if (!n)
		g_string_append_c(s, '-');
	return g_string_free(s, FALSE);
}

static const char *why_name(ha_leave_reason r)
{
	switch (r) {
	case HA_LEAVE_CLEAN:
		return "clean";
	case HA_LEAVE_NODEDOWN:
		return "nodedown";
	case HA_LEAVE_PROCDOWN:
		return "procdown";
	}
	return "?";
}

static void on_deliver(void *ud, uint32_t from, const void *msg, size_t len)
{
	tp *p = ud;
	const char *pad = memchr(msg, '.', len);

	/* The padding (--size) is not logged: only the numbered head. */
	if (pad)
		len = (size_t)(pad - (const char *)msg);
	logf_line(p, "DELIVER from=%" PRIu32 " msg=%.*s", from, (int)len, (const char *)msg);
}

static void on_membership(void *ud, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *joined, size_t n_joined, const uint32_t *left,
			  const ha_leave_reason *why, size_t n_left)
{
	tp *p = ud;
	char *m = ids(members, n), *j = ids(joined, n_joined);
	GString *l = g_string_new(NULL);
	size_t i;

	for (i = 0; i < n_left; i++)
		g_string_append_printf(l, "%s%" PRIu32 ":%s", i ? "," : "", left[i], why_name(why[i]));
	if (!n_left)
		g_string_append_c(l, '-');
	logf_line(p, "MEMBERSHIP ring=%" PRIu64 " members=%s joined=%s left=%s", ring, m, j, l->str);
	g_free(m);
	g_free(j);
	g_string_free(l, TRUE);
}

static void on_quorum(void *ud, bool quorate, uint64_t ring, const uint32_t *members, size_t n)
{
	tp *p = ud;
	char *m = ids(members, n);

	logf_line(p, "QUORUM ring=%" PRIu64 " quorate=%d members=%s", ring, quorate, m);
	g_free(m);
}

static void on_connection(void *ud, int err)
{
	tp *p = ud;

	logf_line(p, "CONNECTION err=%d", err);
}

static void on_log(void *ud, int level, const char *msg)
{
	tp *p = ud;

	logf_line(p, "LOG level=%d %s", level, msg);
}

static gboolean on_usr1(gpointer data)
{
	tp *p = data;
	unsigned i;
	int rc;

	for (i = 0; i < p->burst; i++) {
		int len = snprintf(p->buf, 64, "n%" PRIu32 "-%06u", p->local, ++p->sent);

		if (p->size > (size_t)len) {
			memset(p->buf + len, '.', p->size - (size_t)len);
			len = (int)p->size;
		}
		rc = ha__transport_send(p->t, p->buf, (size_t)len);
		if (rc < 0) {
			logf_line(p, "SEND-ERROR %s", g_strerror(-rc));
			break;
		}
	}
	logf_line(p, "BURST sent=%u", p->sent);
	return G_SOURCE_CONTINUE;
}

static gboolean on_term(gpointer data)
{
	tp *p = data;

	logf_line(p, "EXIT");
	g_main_loop_quit(p->loop);
	return G_SOURCE_CONTINUE; /* removed by main() */
}

int main(int argc, char **argv)
{
	const ha_transport_events ev = {
		.deliver = on_deliver,
		.membership = on_membership,
		.quorum = on_quorum,
		.connection = on_connection,
		.log = on_log,
	};
	tp p = { .group = "tp-test", .burst = 100 };
	const char *path = NULL;
	guint usr1, term;
	int i, rc;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--log"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--group"))
			p.group = argv[i + 1];
		else if (!strcmp(argv[i], "--burst"))
			p.burst = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--size"))
			p.size = strtoul(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (!path || i != argc) {
		fprintf(stderr, "usage: %s --log FILE [--group NAME] [--burst N] [--size BYTES]\n",
			argv[0]);
		return 2;
	}
	p.log = fopen(path, "a");
	if (!p.log) {
		perror(path);
		return 1;
	}
	if (p.size > (1u << 20))
		p.size = 1u << 20;
	p.buf = g_malloc(MAX(p.size, 64) + 1);
	p.loop = g_main_loop_new(NULL, FALSE);
	rc = ha__transport_corosync_new(NULL, &ev, &p, &p.t);
	if (rc < 0) {
		logf_line(&p, "FATAL corosync: %s", g_strerror(-rc));
		return 1;
	}
	p.local = ha__transport_local_id(p.t);
	logf_line(&p, "CONNECTED local=%" PRIu32 " name=%s max=%zu", p.local,
		  ha__transport_node_name(p.t, p.local), ha__transport_max_msg(p.t));
	rc = ha__transport_join(p.t, p.group);
	if (rc < 0) {
		logf_line(&p, "FATAL join: %s", g_strerror(-rc));
		return 1;
	}
	usr1 = g_unix_signal_add(SIGUSR1, on_usr1, &p);
	term = g_unix_signal_add(SIGTERM, on_term, &p);
	g_main_loop_run(p.loop);
	g_source_remove(usr1);
	g_source_remove(term);
	ha__transport_free(p.t);
	g_main_loop_unref(p.loop);
	g_free(p.buf);
	fclose(p.log);
	return 0;
}
