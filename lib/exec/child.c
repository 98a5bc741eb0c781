/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Child processes of the executor: spawning an agent in its own session, watching it
 * through a pidfd and its output pipes as ordinary GLib fd sources, killing its whole
 * process group, and reaping exactly that pid. No SIGCHLD handler, no threads, no
 * blocking wait (except at teardown, after SIGKILL). Deciding what to run is agents.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "exec_private.h"

#define EXIT_REASON_PREFIX "ocf-exit-reason:"
/* One read() per call; a stream is read at most this many times per dispatch so one
 * chatty agent cannot starve the main loop. */
#define READ_CHUNK (16u * 1024u)
#define READS_PER_DISPATCH 8
/* After the agent exited, at most this much more is read from its pipes: a daemon it
 * left behind may keep writing forever. */
#define DRAIN_MAX (256u * 1024u)

static size_t capture_cap(const ha__op *op)
{
	return strcmp(op->req->action, "meta-data") ? HA_EXEC_OUTPUT_MAX : HA_AGENT_METADATA_MAX;
}

static int fd_above_stdio(int fd)
{
	int n;

	/* If the embedder closed 0-2, pipe2() may hand those out; dup2() onto them in the
	 * child would then clobber one stream with another. */
	if (fd < 0 || fd > 2)
		return fd;
	n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return n;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static void drop_source(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

/* ---- output ---------------------------------------------------------------------------- */

static void emit_line(ha__op *op, int s)
{
	ha__stream *st = &op->child->streams[s];

	st->line[st->line_len] = '\0';
	if (st->line_len && st->line[st->line_len - 1] == '\r')
		st->line[st->line_len - 1] = '\0';
	if (g_str_has_prefix(st->line, EXIT_REASON_PREFIX))
		ha__result_set_reason(&op->result, st->line + strlen(EXIT_REASON_PREFIX));
	if (op->ex && op->ex->log_fn)
		op->ex->log_fn(op->req->resource, op->req->action, op->req->interval_ms,
			       s ? HA_EXEC_LOG_STDERR : HA_EXEC_LOG_STDOUT, st->line,
			       op->ex->log_ud);
	st->line_len = 0;
}

static void feed(ha__op *op, int s, const char *buf, size_t n)
{
	ha__stream *st = &op->child->streams[s];

	ha__result_capture(&op->result, s, buf, n, capture_cap(op));
	while (n) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;
		size_t room = HA__LOG_LINE_MAX - st->line_len;

		if (take > room)
			take = room;
		memcpy(st->line + st->line_len, buf, take);
		st->line_len += take;
		buf += take;
		n -= take;
		if (n && *buf == '\n') {
			buf++;
			n--;
			emit_line(op, s);
		} else if (st->line_len == HA__LOG_LINE_MAX) {
			emit_line(op, s);
		}
	}
}

/* Read what is there without blocking. Returns false at EOF or error (stream closed). */
static bool read_stream(ha__op *op, int s, int max_reads, size_t *budget)
{
	ha__stream *st = &op->child->streams[s];
	char buf[READ_CHUNK];

	for (int i = 0; i < max_reads && st->fd >= 0; i++) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (budget) {
			if (!*budget)
				return true;
			if (want > *budget)
				want = *budget;
		}
		n = read(st->fd, buf, want);
		if (n > 0) {
			feed(op, s, buf, (size_t)n);
			if (budget)
				*budget -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		return false; /* EOF or a real error */
	}
	return true;
}

static void close_stream(ha__op *op, int s)
{
	ha__stream *st = &op->child->streams[s];

	drop_source(&st->src);
	close_fd(&st->fd);
}

static gboolean on_stdout(gint fd, GIOCondition cond, gpointer data)
{
	ha__op *op = data;

	(void)fd;
	(void)cond;
	if (!read_stream(op, 0, READS_PER_DISPATCH, NULL)) {
		close_stream(op, 0);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean on_stderr(gint fd, GIOCondition cond, gpointer data)
{
	ha__op *op = data;

	(void)fd;
	(void)cond;
	if (!read_stream(op, 1, READS_PER_DISPATCH, NULL)) {
		close_stream(op, 1);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* ---- exit ------------------------------------------------------------------------------ */

static void child_free(ha__op *op)
{
	ha__child *c = op->child;

	if (!c)
		return;
	drop_source(&c->pid_src);
	drop_source(&c->grace_src);
	for (int s = 0; s < 2; s++) {
		drop_source(&c->streams[s].src);
		close_fd(&c->streams[s].fd);
	}
	close_fd(&c->pidfd);
	g_free(c);
	op->child = NULL;
}

static void set_exit(ha__op *op, const siginfo_t *si)
{
	ha_op_result *r = &op->result;

	if (si->si_code == CLD_EXITED) {
		ha__map_exit(op, si->si_status);
		return;
	}
	r->rc = HA_OCF_ERR_GENERIC;
	r->exit_code = -1;
	if (!op->timed_out && !op->cancel) {
		g_autofree char *why = g_strdup_printf("agent killed by signal %s",
						       strsignal(si->si_status));
		ha__result_set_reason(r, why);
	}
}

static gboolean on_exit_ready(gint fd, GIOCondition cond, gpointer data)
{
	ha__op *op = data;
	ha__child *c = op->child;
	ha_executor *ex = op->ex;
	siginfo_t si;
	int r;

	(void)fd;
	(void)cond;
	/* The leader is a zombie now, so its pid (= the group id) cannot be reused yet:
	 * after a timeout or cancel, take whatever it left in its group with it. */
	if (c->killing)
		kill(-c->pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	do
		r = waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &si, WEXITED | WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0 && si.si_pid == 0)
		return G_SOURCE_CONTINUE; /* spurious wakeup */

	op->result.duration_us = (uint64_t)(ha__now_us() - op->start_us);
	for (int s = 0; s < 2; s++) {
		size_t budget = DRAIN_MAX;

		read_stream(op, s, (int)(DRAIN_MAX / READ_CHUNK) + 1, &budget);
		if (c->streams[s].line_len)
			emit_line(op, s);
	}
	if (r < 0) {
		op->result.status = HA_EXEC_ERROR;
		op->result.rc = HA_OCF_ERR_GENERIC;
		ha__result_set_reason(&op->result, "exit status lost: something else in this "
					     "process reaped the agent");
	} else {
		set_exit(op, &si);
	}
	if (op->timed_out) {
		g_autofree char *why = g_strdup_printf("timed out after %" PRIu32 " ms",
						       op->timeout_ms);
		op->result.status = HA_EXEC_TIMEOUT;
		op->result.rc = HA_OCF_ERR_GENERIC;
		ha__result_set_reason(&op->result, why);
	} else if (op->cancel && c->killing) {
		op->result.status = HA_EXEC_CANCELLED;
	}
	ha__exec_log(ex, op, HA_EXEC_LOG_EVENT, "pid %d exited (%s %d) after %" PRIu64 " ms",
		     (int)c->pid, si.si_code == CLD_EXITED ? "status" : "signal",
		     si.si_status, op->result.duration_us / 1000);
	child_free(op);
	ha__op_finished(ex, op);
	return G_SOURCE_REMOVE;
}

/* ---- spawn ----------------------------------------------------------------------------- */

static int stdin_fd(const char *text)
{
	int fd;
	size_t len, off = 0;

	if (!text)
		return fd_above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
	/* A memory file rather than a pipe: the agent reads it at its own pace and we
	 * never block writing it. */
	fd = fd_above_stdio(memfd_create("ha-agent-stdin", MFD_CLOEXEC));
	if (fd < 0)
		return -errno;
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno ? errno : EIO;
			close(fd);
			return -e;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int make_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		close_fd(&p[0]);
		close_fd(&p[1]);
		return -EMFILE;
	}
	return 0;
}

/* posix_spawn (vfork-like, async-signal-safe by construction) into a new session
 * (so the agent and everything it forks form one process group we can kill), with
 * an empty signal mask, default dispositions (an embedder's SIG_IGN of SIGPIPE must
 * not leak into agents), cwd "/", and only fds 0-2 open. */
static int spawn(const ha__launch *l, int in, int out, int err, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	r = posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, out, 1);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, err, 2);
	if (!r)
		r = posix_spawn_file_actions_addchdir_np(&fa, "/");
	if (!r)
		r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!r)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
							    POSIX_SPAWN_SETSIGDEF);
	if (!r)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (!r)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (!r)
		r = posix_spawn(pid, l->path, &fa, &attr, l->argv, l->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -r;
}

static GSource *watch(ha_executor *ex, int fd, GIOCondition cond, GUnixFDSourceFunc fn,
		      ha__op *op)
{
	GSource *s = g_unix_fd_source_new(fd, cond);

	g_source_set_callback(s, G_SOURCE_FUNC(fn), op, NULL);
	g_source_attach(s, ex->ctx);
	return s;
}

int ha__child_spawn(ha_executor *ex, ha__op *op, ha__launch *l)
{
	int in, outp[2] = {-1, -1}, errp[2] = {-1, -1};
	ha__child *c;
	pid_t pid;
	int pidfd, r;

	in = stdin_fd(l->stdin_text);
	if (in < 0)
		return in;
	r = make_pipe(outp);
	if (!r)
		r = make_pipe(errp);
	if (!r)
		r = spawn(l, in, outp[1], errp[1], &pid);
	close(in);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (r < 0) {
		close_fd(&outp[0]);
		close_fd(&errp[0]);
		return r;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		/* Cannot watch it without blocking: do not let it run unwatched. */
		r = -errno;
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close_fd(&outp[0]);
		close_fd(&errp[0]);
		return r;
	}
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	c = g_new0(ha__child, 1);
	c->pid = pid;
	c->pidfd = pidfd;
	c->streams[0].fd = outp[0];
	c->streams[1].fd = errp[0];
	op->child = c;
	c->pid_src = watch(ex, pidfd, G_IO_IN, on_exit_ready, op);
	c->streams[0].src = watch(ex, outp[0], G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdout, op);
	c->streams[1].src = watch(ex, errp[0], G_IO_IN | G_IO_HUP | G_IO_ERR, on_stderr, op);
	ha__exec_log(ex, op, HA_EXEC_LOG_EVENT, "spawned %s (pid %d, timeout %" PRIu32 " ms)",
		     l->path, (int)pid, op->timeout_ms);
	return 0;
}

static gboolean on_grace(gpointer data)
{
	ha__op *op = data;
	ha__child *c = op->child;

	ha__exec_log(op->ex, op, HA_EXEC_LOG_EVENT, "still running after %" PRIu32
		     " ms: SIGKILL to process group %d", op->ex->kill_grace_ms, (int)c->pid);
	kill(-c->pid, SIGKILL);
	g_source_unref(c->grace_src);
	c->grace_src = NULL;
	return G_SOURCE_REMOVE;
}

void ha__child_kill(ha_executor *ex, ha__op *op, int sig)
{
	ha__child *c = op->child;

	if (!c)
		return;
	/* The leader is not reaped before on_exit_ready runs, so -pid still names its
	 * group and nothing else. */
	kill(-c->pid, sig);
	if (sig == SIGTERM && !c->grace_src) {
		c->killing = true;
		c->grace_src = g_timeout_source_new(ex->kill_grace_ms);
		g_source_set_callback(c->grace_src, on_grace, op, NULL);
		g_source_attach(c->grace_src, ex->ctx);
	}
}

void ha__child_destroy(ha__op *op)
{
	ha__child *c = op->child;
	siginfo_t si;
	int r;

	if (!c)
		return;
	kill(-c->pid, SIGKILL);
	/* Bounded: SIGKILL cannot be ignored; only a process stuck in the kernel (D
	 * state) delays this, and leaving it unreaped would leak a zombie. */
	do
		r = waitid((idtype_t)P_PIDFD, (id_t)c->pidfd, &si, WEXITED);
	while (r < 0 && errno == EINTR);
	child_free(op);
}
