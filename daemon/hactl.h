/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hactl: shared declarations of the subcommands. Uses only <ha/ha.h>. */
#ifndef HACTL_H
#define HACTL_H

#include <ha/ha.h>
#include <ha/edit.h>
#include <ha/status.h>

#include "ipc.h"

/* Exit codes (documented in docs/hactl.md). */
enum {
	HACTL_OK = 0,
	HACTL_FAILED = 1,
	HACTL_USAGE = 2,
	HACTL_TIMEOUT = 3,
	HACTL_DENIED = 4,
	HACTL_UNREACHABLE = 5,
};

/* Each subcommand gets argv starting at its own name. */
int hactl_simulate(int argc, char **argv);
int hactl_agent(int argc, char **argv);
int hactl_status(int argc, char **argv);
int hactl_resource(int argc, char **argv);
int hactl_constraint(int argc, char **argv);
int hactl_config(int argc, char **argv);
int hactl_property(int argc, char **argv);
int hactl_move(int argc, char **argv);
int hactl_ban(int argc, char **argv);
int hactl_clear(int argc, char **argv);
int hactl_restart(int argc, char **argv);
int hactl_cleanup(int argc, char **argv);
int hactl_node(int argc, char **argv);
int hactl_fence(int argc, char **argv);
int hactl_events(int argc, char **argv);
int hactl_explain(int argc, char **argv);
int hactl_history(int argc, char **argv);

/* Print every message of d to stderr, prefixed with "hactl: ". */
void hactl_print_diag(const ha_diag *d);

/* ---- talking to had (hactl_client.c) ---------------------------------------------- */

typedef struct hactl_conn hactl_conn;

/* Connect to the had of this network namespace. Prints why it failed and returns
 * HACTL_UNREACHABLE or HACTL_DENIED; HACTL_OK and *ret on success. */
int hactl_connect(hactl_conn **ret);
void hactl_disconnect(hactl_conn *c);
/* Whether had lets this user change things. */
bool hactl_may_write(const hactl_conn *c);

/* One request and its reply. 0 with *rep filled (rep->error is had's verdict; clear
 * it with had_ipc_msg_clear), or a negated errno for a transport failure (printed). */
int hactl_call(hactl_conn *c, int32_t id, uint32_t flags, const char *const *fields,
	       unsigned nfields, int timeout_ms, had_ipc_msg *rep);
/* Wait for the next event line (after an EVENTS request with FOLLOW): 0 and *json
 * (free()), -ETIMEDOUT, or another negated errno. */
int hactl_next_event(hactl_conn *c, int timeout_ms, char **json);

/* The live CIB, loaded; *epoch and *node (optional, free()) from had. Prints errors
 * and returns an exit code. */
int hactl_fetch(hactl_conn *c, ha_cib **cib, int64_t *epoch, char **node);
/* The cluster's replicated clock as had reported it with the last hactl_fetch on c (the
 * time constraint lifetimes count in); this machine's clock if had did not say. */
int64_t hactl_cluster_now(const hactl_conn *c);
/* "2h 05m", "4m 10s", "7 s": a remaining lifetime for people. g_free(). */
char *hactl_fmt_seconds(int64_t s);
/* The plan of a freshly fetched CIB (now = wall clock). */
int hactl_fetch_plan(hactl_conn *c, ha_cib **cib, ha_plan **plan);

/* The exit code for an error had reported (-EACCES -> HACTL_DENIED, ...), and for a
 * failure to talk to had at all (timeout -> HACTL_TIMEOUT, else unreachable). */
int hactl_exit_for(int err);
int hactl_ipc_exit(int err);

/* Options every mutating command takes. */
typedef struct hactl_common {
	bool dry_run;
	bool no_wait;
	int timeout_s;  /* for the change and for settling (default 120) */
	bool quiet;
} hactl_common;

/* getopt long options for hactl_common: the codes are 1000..1003. */
#define HACTL_COMMON_LONGOPTS                                   \
	{"dry-run", no_argument, NULL, 1000},                   \
	{"no-wait", no_argument, NULL, 1001},                   \
	{"timeout", required_argument, NULL, 1002},             \
	{"quiet", no_argument, NULL, 1003}
/* Handle one of those codes: 1 handled, 0 not one of them, -1 bad value (printed). */
int hactl_common_opt(hactl_common *o, int code, const char *arg);
#define HACTL_COMMON_HELP                                                               \
	"  --dry-run          show what the change would do (the scheduler on the\n"      \
	"                     would-be state); change nothing\n"                          \
	"  --no-wait          return once the change is accepted, do not wait for the\n"  \
	"                     cluster to settle\n"                                         \
	"  --timeout SECONDS  bound on the whole command (default 120)\n"                  \
	"  --quiet            print only errors\n"

/* A configuration change: edit(&cib, ud) changes (or replaces) a fresh copy of the live
 * CIB (print what is wrong and return an exit code if it cannot); the result goes to had with
 * the epoch it was made against (a concurrent change makes it retry, at most 5
 * times). watch: resources whose movement is reported while waiting to settle
 * (NULL-terminated, may be NULL). */
typedef int (*hactl_edit_fn)(ha_cib **cib, void *ud);
int hactl_change(const hactl_common *o, const char *what, hactl_edit_fn edit, void *ud,
		 const char *const *watch);

/* Wait until the cluster settled (or the deadline, ms since the epoch), reporting
 * where each resource of watch went and how long it was unavailable. */
int hactl_wait_settled(hactl_conn *c, const hactl_common *o, int64_t deadline_ms,
		       const char *const *watch);

int64_t hactl_now_ms(void);

#endif
