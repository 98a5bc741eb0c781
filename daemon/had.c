/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * had: the daemon hosting libha next to corosync. This file parses the options, sets
 * up libqb logging, checks and locks the state directory, detaches (unless
 * --foreground), starts the cluster handle and the IPC server on one GLib main loop,
 * and turns SIGTERM/SIGINT into a clean shutdown (resources stopped or handed over,
 * a clean leave, then exit).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <glib-unix.h>
#include <qb/qblog.h>

#include "had.h"

#ifndef HA_LIBEXECDIR
#define HA_LIBEXECDIR "/usr/libexec/ha"
#endif

typedef struct had_opts {
	const char *state_dir;
	const char *log_file;
	const char *ocf_root;
	const char *libexec_dir;
	const char *stonith_dir;
	const char *group;
	bool syslog;
	bool foreground;
	bool readers_allowed;
	int level;
} had_opts;

/* ---- logging ----------------------------------------------------------------------------- */

/* qb_log needs a constant priority per call site (it caches one per site). */
static void log_str(int level, const char *s)
{
	switch (level) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: qb_log(LOG_CRIT, "%s", s); break;
	case LOG_ERR: qb_log(LOG_ERR, "%s", s); break;
	case LOG_WARNING: qb_log(LOG_WARNING, "%s", s); break;
	case LOG_NOTICE: qb_log(LOG_NOTICE, "%s", s); break;
	case LOG_INFO: qb_log(LOG_INFO, "%s", s); break;
	default: qb_log(LOG_DEBUG, "%s", s); break;
	}
}

void had_log(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	log_str(level, s);
	g_free(s);
}

static void on_lib_log(void *ud, int level, const char *msg)
{
	(void)ud;
	log_str(level, msg);
}

static int parse_level(const char *s)
{
	static const struct { const char *name; int level; } levels[] = {
		{"error", LOG_ERR}, {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
		{"info", LOG_INFO}, {"debug", LOG_DEBUG},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
		if (!strcmp(s, levels[i].name))
			return levels[i].level;
	return -1;
}

/* stderr while starting (and in the foreground without a log file), a file, syslog. */
static int setup_logging(const had_opts *o)
{
	qb_log_init("had", LOG_DAEMON, o->level);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, o->syslog ? QB_TRUE : QB_FALSE);
	if (o->syslog)
		qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", o->level);
	qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", o->level);
	qb_log_format_set(QB_LOG_STDERR, "%t had[%P] %p: %b");
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
	if (o->log_file) {
		int t = qb_log_file_open(o->log_file);
		if (t < 0) {
			fprintf(stderr, "had: cannot open log file %s: %s\n", o->log_file,
				strerror(-t));
			return -1;
		}
		qb_log_filter_ctl(t, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", o->level);
		qb_log_format_set(t, "%t had[%P] %p: %b");
		qb_log_ctl(t, QB_LOG_CONF_FILE_SYNC, QB_TRUE);
		qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
	}
	return 0;
}

/* ---- state directory ----------------------------------------------------------------------- */

/* Create (0750) if missing, check it is a writable directory and take its lock, so two
 * daemons never share one. Returns the lock fd (kept open for the process's life). */
static int lock_state_dir(const char *dir)
{
	struct stat st;
	if (g_mkdir_with_parents(dir, 0750) < 0) {
		fprintf(stderr, "had: cannot create state directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "had: state directory %s is not a directory\n", dir);
		return -1;
	}
	if (access(dir, R_OK | W_OK | X_OK) < 0) {
		fprintf(stderr, "had: state directory %s is not writable: %s\n", dir, strerror(errno));
		return -1;
	}
	char *path = g_build_filename(dir, "had.lock", NULL);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		fprintf(stderr, "had: cannot create %s: %s\n", path, strerror(errno));
		g_free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "had: %s is locked: another had uses state directory %s\n", path, dir);
		close(fd);
		g_free(path);
		return -1;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, pid, (size_t)n) != n)
		fprintf(stderr, "had: warning: cannot write pid to %s\n", path);
	g_free(path);
	return fd;
}

/* ---- detaching ------------------------------------------------------------------------------ */

/* Fork; the parent waits until the child reports it is running (or failed, in which case
 * the child already printed why) and exits accordingly. Returns the pipe's write end in
 * the child, -1 on failure. */
static int detach(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("had: pipe");
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("had: fork");
		return -1;
	}
	if (pid > 0) {
		char c = 0;
		close(p[1]);
		ssize_t n = read(p[0], &c, 1);
		_exit(n == 1 && c == 'o' ? 0 : 1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void detached_ready(int fd)
{
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(fd, "o", 1) != 1)
		qb_log(LOG_WARNING, "cannot tell the parent process we started");
	close(fd);
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

static void on_event(void *ud, const char *json)
{
	had *d = ud;
	had_log(LOG_DEBUG, "event %s", json);
	had_event_record(d, json);
}

static void on_shutdown_done(void *ud, int result)
{
	had *d = ud;
	if (result < 0) {
		had_log(LOG_ERR, "clean shutdown failed: %s", ha_strerror(result));
		d->exit_code = 1;
	} else {
		had_log(LOG_NOTICE, "left the cluster cleanly");
	}
	g_main_loop_quit(d->loop);
}

static gboolean on_signal(gpointer ud)
{
	had *d = ud;
	if (d->stopping) {
		/* A second signal: stop now (no clean leave; the cluster will fence us
		 * if resources are left running). */
		had_log(LOG_WARNING, "second stop signal: exiting without a clean leave");
		d->exit_code = 1;
		g_main_loop_quit(d->loop);
		return G_SOURCE_CONTINUE;
	}
	d->stopping = true;
	had_log(LOG_NOTICE, "stopping: handing over or stopping local resources, then leaving");
	int r = ha_cluster_shutdown(d->cl, on_shutdown_done, d);
	if (r < 0) {
		had_log(LOG_ERR, "clean shutdown not possible: %s", ha_strerror(r));
		d->exit_code = 1;
		g_main_loop_quit(d->loop);
	}
	return G_SOURCE_CONTINUE;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: had [OPTIONS]\n"
		"\nThe libha cluster daemon: run it on every node next to corosync.\n"
		"\noptions:\n"
		"  --state-dir DIR      configuration and lock (default /var/lib/ha)\n"
		"  --log-file FILE      log to FILE\n"
		"  --syslog             log to syslog (facility daemon)\n"
		"  --log-level LEVEL    error, warning, notice, info (default), debug\n"
		"  --foreground         do not detach; log to stderr too\n"
		"  --no-readers         refuse connections from users that may not change\n"
		"                       anything (default: they may read the status)\n"
		"  --ocf-root DIR       where OCF agents live (default /usr/lib/ocf)\n"
		"  --fence-agent-dir DIR  where stonith:NAME agents live (default /usr/sbin)\n"
		"  --libexec-dir DIR    helper commands for agents, HA_SBIN_DIR\n"
		"                       (default " HA_LIBEXECDIR ")\n"
		"  --group NAME         corosync CPG group (default ha)\n"
		"  --version, --help\n"
		"\nRoot and members of the group haclient may change the cluster through\n"
		"hactl. SIGTERM leaves the cluster cleanly; a second one exits at once.\n");
}

static int parse_opts(int argc, char **argv, had_opts *o)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 's'},
		{"log-file", required_argument, NULL, 'l'},
		{"syslog", no_argument, NULL, 'S'},
		{"log-level", required_argument, NULL, 'L'},
		{"foreground", no_argument, NULL, 'f'},
		{"no-readers", no_argument, NULL, 'R'},
		{"ocf-root", required_argument, NULL, 'o'},
		{"libexec-dir", required_argument, NULL, 'x'},
		{"fence-agent-dir", required_argument, NULL, 'F'},
		{"group", required_argument, NULL, 'g'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->state_dir = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'S': o->syslog = true; break;
		case 'L':
			if ((o->level = parse_level(optarg)) < 0) {
				fprintf(stderr, "had: --log-level must be error, warning, notice, "
						"info or debug\n");
				return 2;
			}
			break;
		case 'f': o->foreground = true; break;
		case 'R': o->readers_allowed = false; break;
		case 'o': o->ocf_root = optarg; break;
		case 'x': o->libexec_dir = optarg; break;
		case 'F': o->stonith_dir = optarg; break;
		case 'g': o->group = optarg; break;
		case 'V': printf("had %s (libha %s)\n", HA_VERSION_STRING, ha_version()); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "had: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o->state_dir[0] != '/') {
		fprintf(stderr, "had: --state-dir must be an absolute path\n");
		return 2;
	}
	return -1;
}

/* Create the cluster handle and connect to corosync. */
static int start_cluster(had *d, const had_opts *o)
{
	int r = ha_cluster_new(o->group, o->state_dir, &d->cl);
	if (r < 0) {
		fprintf(stderr, "had: cannot load the state in %s: %s\n", o->state_dir, ha_strerror(r));
		return r;
	}
	ha_cluster_set_log(d->cl, on_lib_log, d);
	ha_cluster_set_events(d->cl, on_event, d);
	ha_executor *ex = ha_cluster_executor(d->cl);
	if (o->ocf_root && (r = ha_executor_set_ocf_root(ex, o->ocf_root)) < 0) {
		fprintf(stderr, "had: --ocf-root %s: %s\n", o->ocf_root, ha_strerror(r));
		return r;
	}
	if (o->stonith_dir && (r = ha_executor_set_stonith_dir(ex, o->stonith_dir)) < 0) {
		fprintf(stderr, "had: --fence-agent-dir %s: %s\n", o->stonith_dir, ha_strerror(r));
		return r;
	}
	if ((r = ha_executor_set_libexec_dir(ex, o->libexec_dir)) < 0) {
		fprintf(stderr, "had: --libexec-dir %s: %s\n", o->libexec_dir, ha_strerror(r));
		return r;
	}
	if ((r = ha_cluster_attach(d->cl, NULL)) < 0) {
		fprintf(stderr, "had: cannot attach to the main loop: %s\n", ha_strerror(r));
		return r;
	}
	r = ha_cluster_start(d->cl);
	if (r == -ENOTCONN || r == -ECONNREFUSED || r == -ENOENT)
		fprintf(stderr, "had: cannot connect to corosync: is it running on this node? "
				"(start it first: systemctl start corosync)\n");
	else if (r < 0)
		fprintf(stderr, "had: cannot join the cluster: %s\n", ha_strerror(r));
	return r;
}

int main(int argc, char **argv)
{
	had_opts o = {
		.state_dir = "/var/lib/ha",
		.libexec_dir = HA_LIBEXECDIR,
		.level = LOG_INFO,
		.readers_allowed = true,
	};
	int r = parse_opts(argc, argv, &o);
	if (r >= 0)
		return r;
	/* Ignore SIGPIPE: a client vanishing mid-reply must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	int lock = lock_state_dir(o.state_dir);
	if (lock < 0)
		return 1;
	int ready_fd = -1;
	if (!o.foreground && (ready_fd = detach()) < 0)
		return 1;
	if (setup_logging(&o) < 0)
		return 1;

	had d = {
		.clients = g_ptr_array_new(),
		.events = g_queue_new(),
		.readers_allowed = o.readers_allowed,
	};
	struct group gr, *grp = NULL;
	char grbuf[4096];
	if (getgrnam_r("haclient", &gr, grbuf, sizeof(grbuf), &grp) == 0 && grp) {
		d.have_haclient = true;
		d.haclient_gid = grp->gr_gid;
	}
	d.loop = g_main_loop_new(NULL, FALSE);
	r = start_cluster(&d, &o);
	if (r == 0 && (r = had_ipc_start(&d)) < 0)
		fprintf(stderr, "had: cannot serve hactl (IPC service \"%s\"): %s%s\n", HAD_IPC_SERVICE,
			ha_strerror(r),
			r == -EADDRINUSE ? ": another had runs in this network namespace" : "");
	if (r < 0) {
		ha_cluster_free(d.cl);
		g_main_loop_unref(d.loop);
		g_ptr_array_free(d.clients, TRUE);
		g_queue_free_full(d.events, g_free);
		qb_log_fini();
		return 1;
	}
	qb_log(LOG_NOTICE, "had %s started: node %s, state in %s", HA_VERSION_STRING,
	       ha_cluster_local_name(d.cl) ? ha_cluster_local_name(d.cl) : "(joining)",
	       o.state_dir);
	if (ready_fd >= 0) {
		qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
		detached_ready(ready_fd);
	}
	guint sig_term = g_unix_signal_add(SIGTERM, on_signal, &d);
	guint sig_int = g_unix_signal_add(SIGINT, on_signal, &d);

	g_main_loop_run(d.loop);

	g_source_remove(sig_term);
	g_source_remove(sig_int);
	had_ipc_stop(&d);
	ha_cluster_free(d.cl);
	g_main_loop_unref(d.loop);
	g_ptr_array_free(d.clients, TRUE);
	g_queue_free_full(d.events, g_free);
	qb_log(LOG_NOTICE, "had stopped");
	qb_log_fini();
	close(lock);
	return d.exit_code;
}
