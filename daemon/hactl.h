/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hactl: shared declarations of the subcommands. Uses only <ha/ha.h>. */
#ifndef HACTL_H
#define HACTL_H

#include <ha/ha.h>

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

/* Print every message of d to stderr, prefixed with "hactl: ". */
void hactl_print_diag(const ha_diag *d);

#endif
