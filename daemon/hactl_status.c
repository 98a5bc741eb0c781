/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl's read-only commands: status (once, --watch, JSON), events (the cluster's
 * event stream, --follow), explain (the scheduler's reasons on the live state) and
 * history (recent operations and transitions from had's event log). Any local user
 * had lets in may run them.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hactl.h"

/* Recent event lines (JSON), newest last; *ret: free(). */
static int recent_events(hactl_conn *c, unsigned max, uint32_t flags, char **ret)
{
	char m[16];
	snprintf(m, sizeof(m), "%u", max);
	const char *f = m;
	had_ipc_msg rep;
	int r = hactl_call(c, HAD_IPC_EVENTS, flags, &f, 1, 10000, &rep);
	if (r < 0)
		return hactl_ipc_exit(r);
	if (rep.error < 0) {
		fprintf(stderr, "hactl: %s\n", had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
		r = hactl_exit_for(rep.error);
		had_ipc_msg_clear(&rep);
		return r;
	}
	*ret = strdup(had_ipc_field(&rep, 0) ? had_ipc_field(&rep, 0) : "");
	had_ipc_msg_clear(&rep);
	return HACTL_OK;
}

/* The value of "key": in a flat JSON object line (our own events: no nesting of the
 * keys asked for). *out: g_free(); NULL if absent. */
static char *json_get(const char *line, const char *key)
{
	char *pat = g_strdup_printf("\"%s\":", key);
	const char *p = strstr(line, pat);
	g_free(pat);
	if (!p)
		return NULL;
	p += strlen(key) + 3;
	if (*p == '"') {
		GString *s = g_string_new(NULL);
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			g_string_append_c(s, *p);
		}
		return g_string_free(s, FALSE);
	}
	const char *e = p;
	while (*e && *e != ',' && *e != '}')
		e++;
	return g_strndup(p, (gsize)(e - p));
}

static char *fmt_time(const char *ms)
{
	double t = ms ? g_ascii_strtod(ms, NULL) : 0;
	time_t s = (time_t)(t / 1000);
	struct tm tm;
	char buf[64];
	localtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return g_strdup_printf("%s.%03d", buf, (int)((int64_t)t % 1000));
}

/* ---- status ------------------------------------------------------------------------------ */

static void usage_status(FILE *out)
{
	fprintf(out,
		"usage: hactl status [--watch [--interval SECONDS]] [--output text|json]\n"
		"\nShows nodes (online, standby, maintenance, offline, unclean, frozen), quorum,\n"
		"every resource with its role and node, failed actions with their exit\n"
		"reasons, pending operations and recent fencing. --watch redraws it every\n"
		"--interval seconds (default 2) until interrupted. JSON fields: docs/hactl.md.\n");
}

/* Constraints that end by themselves (move/ban --lifetime), with the time left on the
 * cluster's replicated clock. */
static void print_lifetimes(const ha_cib *cib, int64_t now)
{
	char **ids = NULL;
	int64_t left;
	bool any = false;
	if (ha_cib_ids(cib, true, &ids) < 0)
		return;
	for (char **id = ids; *id; id++) {
		if (ha_cib_lifetime(cib, *id, now, &left) != 1)
			continue;
		if (!any)
			printf("\nConstraint lifetimes:\n");
		any = true;
		char *t = hactl_fmt_seconds(left);
		printf("  %s: ends in %s\n", *id, t);
		g_free(t);
	}
	ha_strv_free(ids);
}

/* The status object with "lifetimes": [{"constraint": ID, "remaining": SECONDS}] added
 * as its last key (the library's report knows no lifetimes: they are hactl's view). */
static void fputs_with_lifetimes(const char *obj, const ha_cib *cib, int64_t now)
{
	const char *end = strrchr(obj, '}');
	char **ids = NULL;
	int64_t left;
	if (!end || ha_cib_ids(cib, true, &ids) < 0) {
		fputs(obj, stdout);
		return;
	}
	fwrite(obj, 1, (size_t)(end - obj), stdout);
	fputs(", \"lifetimes\": [", stdout);
	bool first = true;
	for (char **id = ids; *id; id++) {
		if (ha_cib_lifetime(cib, *id, now, &left) != 1)
			continue;
		printf("%s{\"constraint\": \"", first ? "" : ", ");
		for (const unsigned char *p = (const unsigned char *)*id; *p; p++) {
			if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
		printf("\", \"remaining\": %" PRId64 "}", left);
		first = false;
	}
	fputs("]", stdout);
	fputs(end, stdout);
	ha_strv_free(ids);
}

static int print_status(hactl_conn *c, bool json)
{
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	char *txt = NULL, *ev = NULL;
	int r = hactl_fetch_plan(c, &cib, &plan);
	if (r != HACTL_OK)
		return r;
	r = ha_status_format(plan, json, &txt);
	ha_plan_free(plan);
	if (r < 0) {
		ha_cib_free(cib);
		fprintf(stderr, "hactl: %s\n", ha_strerror(r));
		return HACTL_FAILED;
	}
	if (json) {
		fputs_with_lifetimes(txt, cib, hactl_cluster_now(c));
	} else {
		fputs(txt, stdout);
		print_lifetimes(cib, hactl_cluster_now(c));
	}
	free(txt);
	ha_cib_free(cib);
	if (json)
		return HACTL_OK;
	/* Fencing history from had's event log. */
	if (recent_events(c, 500, 0, &ev) == HACTL_OK) {
		GString *fence = g_string_new(NULL);
		char **lines = g_strsplit(ev, "\n", -1);
		for (char **l = lines; *l; l++) {
			if (!strstr(*l, "\"event\":\"fenc"))
				continue;
			char *tm = json_get(*l, "time"), *target = json_get(*l, "target");
			char *by = json_get(*l, "by"), *ok = json_get(*l, "ok");
			char *when = fmt_time(tm);
			g_string_append_printf(fence, "  %s %s by %s%s\n", when, target ? target : "?",
					       by ? by : "?",
					       !ok ? " (requested)" : !strcmp(ok, "true") ? ": done" : ": FAILED");
			g_free(when);
			g_free(tm);
			g_free(target);
			g_free(by);
			g_free(ok);
		}
		if (fence->len)
			printf("\nFencing history:\n%s", fence->str);
		g_string_free(fence, TRUE);
		g_strfreev(lines);
		free(ev);
	}
	return HACTL_OK;
}

int hactl_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"watch", no_argument, NULL, 'w'},
		{"interval", required_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool watch = false, json = false;
	double interval = 2;
	int c;
	while ((c = getopt_long(argc, argv, "wo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': watch = true; break;
		case 'i':
			interval = g_ascii_strtod(optarg, NULL);
			if (interval < 0.1 || interval > 3600) {
				fprintf(stderr, "hactl status: --interval takes 0.1 to 3600 seconds\n");
				return HACTL_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "hactl status: --output is text or json\n");
				return HACTL_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': usage_status(stdout); return HACTL_OK;
		default: usage_status(stderr); return HACTL_USAGE;
		}
	}
	if (optind < argc) {
		usage_status(stderr);
		return HACTL_USAGE;
	}
	hactl_conn *conn;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	if (!watch) {
		r = print_status(conn, json);
		hactl_disconnect(conn);
		return r;
	}
	/* Until interrupted (SIGINT ends the process) or had goes away. */
	for (;;) {
		if (!json)
			printf("\033[H\033[2J");
		r = print_status(conn, json);
		fflush(stdout);
		if (r != HACTL_OK)
			break;
		usleep((useconds_t)(interval * 1e6));
	}
	hactl_disconnect(conn);
	return r;
}

/* ---- events ------------------------------------------------------------------------------- */

static void usage_events(FILE *out)
{
	fprintf(out,
		"usage: hactl events [--follow] [--last N] [--output json|text]\n"
		"\nThe cluster's event stream as this node's had saw it: membership, quorum,\n"
		"sync rounds, configuration changes, actions with results and durations,\n"
		"fencing. JSON (default): one object per line, with \"time\" in milliseconds\n"
		"since the epoch. --last N: the N most recent (default 50); --follow: then\n"
		"keep printing new events until interrupted.\n");
}

static void print_event(const char *line, bool json)
{
	if (json) {
		printf("%s\n", line);
	} else {
		char *tm = json_get(line, "time"), *ev = json_get(line, "event");
		char *when = fmt_time(tm);
		/* The fields after "event" (had puts time, then event, first). */
		const char *rest = strstr(line, "\"event\":");
		rest = rest ? strchr(rest + 8, ',') : NULL;
		int len = rest ? (int)strlen(rest + 1) - 1 : 0;
		printf("%s %-10s %.*s\n", when, ev ? ev : "?", len > 0 ? len : 0, rest ? rest + 1 : "");
		g_free(when);
		g_free(tm);
		g_free(ev);
	}
	fflush(stdout);
}

int hactl_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"last", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool follow = false, json = true;
	long last = 50;
	int c;
	while ((c = getopt_long(argc, argv, "fn:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': follow = true; break;
		case 'n': {
			char *end;
			last = strtol(optarg, &end, 10);
			if (*end || last < 0 || last > 100000) {
				fprintf(stderr, "hactl events: --last takes a count\n");
				return HACTL_USAGE;
			}
			break;
		}
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "hactl events: --output is json or text\n");
				return HACTL_USAGE;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h': usage_events(stdout); return HACTL_OK;
		default: usage_events(stderr); return HACTL_USAGE;
		}
	}
	if (optind < argc) {
		usage_events(stderr);
		return HACTL_USAGE;
	}
	hactl_conn *conn;
	char *ev = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = recent_events(conn, (unsigned)last, follow ? HAD_IPC_FOLLOW : 0, &ev);
	if (r == HACTL_OK) {
		char **lines = g_strsplit(ev, "\n", -1);
		for (char **l = lines; *l; l++)
			if (**l)
				print_event(*l, json);
		g_strfreev(lines);
		free(ev);
	}
	/* Until interrupted or had goes away. */
	while (r == HACTL_OK && follow) {
		char *line = NULL;
		int e = hactl_next_event(conn, 1000, &line);
		if (e == -ETIMEDOUT)
			continue;
		if (e < 0) {
			fprintf(stderr, "hactl events: the connection to had ended: %s\n", strerror(-e));
			r = HACTL_UNREACHABLE;
			break;
		}
		print_event(line, json);
		free(line);
	}
	hactl_disconnect(conn);
	return r;
}

/* ---- explain ----------------------------------------------------------------------------- */

int hactl_explain(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		FILE *out = argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr;
		fprintf(out, "usage: hactl explain RSC\n"
			     "\nWhy RSC is where it is on the running cluster (or why it is stopped),\n"
			     "from the scheduler's scores: locations, stickiness, colocations, failures,\n"
			     "and what would have to change to move it.\n");
		return out == stdout ? HACTL_OK : HACTL_USAGE;
	}
	hactl_conn *conn;
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	char *txt = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = hactl_fetch_plan(conn, &cib, &plan);
	hactl_disconnect(conn);
	if (r != HACTL_OK)
		return r;
	int e = ha_plan_explain(plan, argv[1], &txt);
	if (e == -ENOENT) {
		fprintf(stderr, "hactl explain: no resource '%s' (`hactl status` lists them)\n", argv[1]);
		r = HACTL_USAGE;
	} else if (e < 0) {
		fprintf(stderr, "hactl explain: %s\n", ha_strerror(e));
		r = HACTL_FAILED;
	} else {
		fputs(txt, stdout);
		free(txt);
	}
	ha_plan_free(plan);
	ha_cib_free(cib);
	return r;
}

/* ---- history ---------------------------------------------------------------------------- */

int hactl_history(int argc, char **argv)
{
	const char *rsc = NULL;
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		FILE *out = argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr;
		fprintf(out, "usage: hactl history [RSC]\n"
			     "\nRecent operations of every node (with the node, result and duration),\n"
			     "configuration changes, expired constraints, membership and fencing, with\n"
			     "timestamps, as this node's had saw them delivered (the last %d events\n"
			     "since it started). With RSC: only that resource's operations.\n",
			     HAD_EVENTS_MAX);
		return out == stdout ? HACTL_OK : HACTL_USAGE;
	}
	if (argc == 2)
		rsc = argv[1];
	hactl_conn *conn;
	char *ev = NULL;
	int r = hactl_connect(&conn);
	if (r != HACTL_OK)
		return r;
	r = recent_events(conn, HAD_EVENTS_MAX, 0, &ev);
	hactl_disconnect(conn);
	if (r != HACTL_OK)
		return r;
	char **lines = g_strsplit(ev, "\n", -1);
	unsigned shown = 0;
	for (char **l = lines; *l; l++) {
		if (!**l)
			continue;
		char *type = json_get(*l, "event"), *res = json_get(*l, "resource");
		bool want = rsc ? res && !strcmp(res, rsc)
				: type && strcmp(type, "sync") != 0 && strcmp(type, "quorum") != 0;
		if (want && type && !strcmp(type, "action")) {
			char *tm = json_get(*l, "time"), *node = json_get(*l, "node");
			char *act = json_get(*l, "action"), *iv = json_get(*l, "interval");
			char *rc = json_get(*l, "rc"), *ms = json_get(*l, "ms");
			char *when = fmt_time(tm);
			printf("%s  %-16s %-8s %s%s%s on %s: rc=%s (%s ms)\n", when, res ? res : "?",
			       act ? act : "?", iv && strcmp(iv, "0") ? "every " : "",
			       iv && strcmp(iv, "0") ? iv : "", iv && strcmp(iv, "0") ? " ms" : "",
			       node ? node : "?", rc ? rc : "?", ms ? ms : "?");
			g_free(when);
			g_free(tm);
			g_free(node);
			g_free(act);
			g_free(iv);
			g_free(rc);
			g_free(ms);
			shown++;
		} else if (want) {
			print_event(*l, false);
			shown++;
		}
		g_free(type);
		g_free(res);
	}
	if (!shown)
		printf("no %s events recorded by this node's had\n", rsc ? "matching" : "");
	g_strfreev(lines);
	free(ev);
	return HACTL_OK;
}
