/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to lib/exec: the executor, request, operation and child structures shared by
 * its files (executor.c schedules, child.c runs processes, agents.c knows the classes,
 * embedded.c runs in-process agents, request.c/result.c are the public value types).
 */
#ifndef HA_EXEC_PRIVATE_H
#define HA_EXEC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#include <ha/exec.h>
#include <ha/glib.h>

#include "config/agent_metadata.h"
#include "exec.h"

typedef enum {
	HA__CLASS_OCF = 1,
	HA__CLASS_LSB,
	HA__CLASS_SYSTEMD,
	HA__CLASS_STONITH,
	HA__CLASS_EMBEDDED,
} ha__agent_class;

/* Default timeout when neither the request nor the meta-data give one. */
#define HA__DEFAULT_TIMEOUT_MS 20000u
/* Longest output line handed to the log callback in one piece. */
#define HA__LOG_LINE_MAX 4096u
/* Exit reasons are one line for humans; longer ones are cut. */
#define HA__EXIT_REASON_MAX 512u

/* A parsed agent spec: "ocf:heartbeat:Dummy" -> (OCF, "heartbeat", "Dummy"). */
typedef struct ha__agent_spec {
	ha__agent_class cls;
	char *provider; /* OCF only, else NULL */
	char *type;     /* script / unit / fence agent / embedded name */
} ha__agent_spec;

struct ha_op_request {
	char *resource;
	char *agent; /* the spec as given */
	ha__agent_spec spec;
	char *action;
	char *target;
	uint32_t interval_ms;
	uint32_t timeout_ms;
	unsigned depth;
	GPtrArray *params; /* name, value, name, value... (owned) */
	GPtrArray *meta;   /* same */
};

struct ha_op_result {
	uint64_t id;
	const char *resource; /* borrowed from the op */
	const char *agent;
	const char *action;
	uint32_t interval_ms;
	uint32_t timeout_ms;
	ha_exec_status status;
	int rc;
	int exit_code;
	char *exit_reason;
	uint64_t duration_us;
	GString *out[2]; /* stdout, stderr (kept part) */
	uint64_t dropped[2];
};

typedef enum {
	HA__OP_QUEUED,   /* in its resource's queue (or the meta-data fetch queue) */
	HA__OP_WAIT_MD,  /* its resource's active op, waiting for the agent's meta-data */
	HA__OP_RUNNING,  /* a child process or an embedded call is in flight */
	HA__OP_DONE,     /* result waiting to be delivered */
	HA__OP_IDLE,     /* recurring monitor waiting for its next run */
} ha__op_state;

typedef struct ha__rsc ha__rsc;
typedef struct ha__op ha__op;

/* One output stream of a running child. */
typedef struct ha__stream {
	int fd;        /* read end, -1 when closed */
	GSource *src;
	char line[HA__LOG_LINE_MAX + 1];
	size_t line_len;
} ha__stream;

/* A running child process (or nothing, for embedded/synthesized operations). */
typedef struct ha__child {
	pid_t pid; /* also the process group and session id */
	int pidfd;
	GSource *pid_src;
	ha__stream streams[2];
	GSource *grace_src; /* SIGKILL after the grace, once SIGTERM was sent */
	bool killing;       /* SIGTERM sent (timeout or cancel) */
} ha__child;

/* Handed to an embedded agent; holds a reference on its op until completed. */
struct ha_embedded_op {
	ha__op *op;
	bool abandoned; /* timed out, cancelled or executor gone: the result is dropped */
};

struct ha__op {
	ha_executor *ex; /* NULL once the executor is gone (embedded ops only) */
	unsigned refs;   /* the executor's + an embedded call's */
	uint64_t id;
	ha_op_request *req; /* owned copy */
	ha__rsc *rsc;       /* NULL for internal meta-data fetches */
	ha_op_callback cb;
	void *userdata;
	ha__op_state state;
	bool cancel;        /* cancellation requested */
	bool final_sent;    /* the final callback was delivered */
	bool md_fetch;      /* internal: fills the meta-data cache, no callback */
	bool timed_out;
	bool counted;       /* holds one of the executor's parallel slots */
	uint32_t timeout_ms; /* effective */
	char *path;         /* resolved executable */
	int64_t start_us;   /* monotonic */
	ha__child *child;
	ha_embedded_op *emb;
	GSource *timeout_src;
	GSource *recur_src;
	ha_op_result result;
};

struct ha__rsc {
	char *id;
	unsigned refs;    /* ops that point here and were not finally delivered */
	GQueue queue;     /* ha__op*, waiting */
	ha__op *active;   /* WAIT_MD, RUNNING or DONE-not-yet-released */
	GQueue recurring; /* ha__op* in state IDLE */
	bool in_ready;    /* linked in ex->ready */
};

typedef struct ha__md_entry {
	ha_agent_metadata *md; /* NULL: fetching, or the fetch failed (then 'failed') */
	bool fetching;
	bool failed;
	GQueue waiters;        /* ha__op* in WAIT_MD */
} ha__md_entry;

typedef struct ha__embedded_agent {
	char *name;
	ha_embedded_fn run;
	void *userdata;
	char *metadata_xml;
	ha_agent_metadata *md;
} ha__embedded_agent;

struct ha_executor {
	GMainContext *ctx;
	GSource *kick; /* ready-time source: starts ops and delivers results */
	char *ocf_root;
	char *libexec_dir;
	char *lsb_dir;
	char *stonith_dir;
	char *systemctl;       /* tests point these at fakes */
	char *systemd_run_dir; /* exists iff systemd is PID 1 (sd_booted()) */
	unsigned max_parallel;
	unsigned running;
	unsigned pending;
	uint32_t kill_grace_ms;
	ha_exec_log_fn log_fn;
	void *log_ud;
	uint64_t next_id;
	GHashTable *ops;      /* &op->id -> op, every op not yet finally delivered */
	GHashTable *rscs;     /* id -> ha__rsc* */
	GQueue ready;         /* ha__rsc* with queued ops and no active op */
	GQueue resume;        /* ha__op* whose meta-data arrived: start next */
	GQueue md_queue;      /* ha__op* internal meta-data fetches waiting for a slot */
	GQueue done;          /* ha__op* with a result to deliver */
	ha__op *delivering;   /* the op whose callback runs right now */
	GHashTable *md_cache; /* agent spec -> ha__md_entry* */
	GHashTable *embedded; /* name -> ha__embedded_agent* */
};

/* request.c */
int ha__agent_spec_parse(const char *spec, ha__agent_spec *out);
void ha__agent_spec_clear(ha__agent_spec *s);
bool ha__valid_resource_id(const char *id);
ha_op_request *ha__op_request_copy(const ha_op_request *req);
/* Value of a param/meta name in a name,value array, or NULL. */
const char *ha__kv_get(const GPtrArray *kv, const char *name);
bool ha__action_is_monitor(const char *action);

/* result.c */
void ha__result_reset(ha_op_result *r);
void ha__result_clear(ha_op_result *r);
/* Append n bytes of stream s (0 stdout, 1 stderr) within the cap. */
void ha__result_capture(ha_op_result *r, int s, const char *buf, size_t n, size_t cap);
void ha__result_set_reason(ha_op_result *r, const char *reason);

/* agents.c: what a class runs and how its exit codes map. */
typedef struct ha__launch {
	char *path;     /* executable, NULL when nothing is spawned */
	char **argv;    /* NULL-terminated, owned */
	char **envp;    /* NULL-terminated, owned */
	char *stdin_text; /* stonith: key=value lines; NULL: /dev/null */
	/* No process needed: the result is rc (and stdout text) right away. */
	bool immediate;
	int immediate_rc;
	ha_exec_status immediate_status;
	char *immediate_out;
	char *immediate_reason;
} ha__launch;
int ha__launch_prepare(ha_executor *ex, ha__op *op, ha__launch *l);
void ha__launch_clear(ha__launch *l);
/* Map the raw exit code of a finished child to an OCF rc (sets result fields). */
void ha__map_exit(ha__op *op, int exit_code);
/* Find the executable of an agent; 0, or -ENOENT/-EACCES. */
int ha__agent_path(const ha_executor *ex, const ha__agent_spec *spec, char **ret);

/* child.c */
int ha__child_spawn(ha_executor *ex, ha__op *op, ha__launch *l);
/* Signal the child's process group; SIGKILL after the grace if sig is SIGTERM. */
void ha__child_kill(ha_executor *ex, ha__op *op, int sig);
/* Kill with SIGKILL and reap synchronously (executor teardown only). */
void ha__child_destroy(ha__op *op);

/* embedded.c */
void ha__embedded_start(ha_executor *ex, ha__op *op, ha__embedded_agent *agent);
void ha__embedded_abandon(ha__op *op);
void ha__embedded_agent_free(gpointer p);

/* executor.c: called by child.c / embedded.c when an operation ended. */
void ha__op_finished(ha_executor *ex, ha__op *op);
void ha__op_unref(ha__op *op);
void ha__exec_log(ha_executor *ex, const ha__op *op, ha_exec_log_kind kind, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
int64_t ha__now_us(void);

#endif
