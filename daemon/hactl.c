/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hactl: the operator's command line. This file dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "hactl.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"status", hactl_status, "nodes, quorum, resources, failures (--watch, --output json)"},
	{"resource", hactl_resource, "create, update, delete, show, enable, disable resources"},
	{"constraint", hactl_constraint, "location, colocation and order constraints"},
	{"config", hactl_config, "show, export or import the whole configuration"},
	{"property", hactl_property, "set cluster options and resource defaults"},
	{"move", hactl_move, "move a resource to a node (self-cleaning)"},
	{"ban", hactl_ban, "keep a resource off a node"},
	{"clear", hactl_clear, "remove what move and ban left"},
	{"restart", hactl_restart, "stop and start a resource"},
	{"cleanup", hactl_cleanup, "forget a resource's failures"},
	{"node", hactl_node, "standby, unstandby, maintenance of a node"},
	{"fence", hactl_fence, "fence a node"},
	{"events", hactl_events, "the cluster's event stream (--follow)"},
	{"explain", hactl_explain, "why a resource is where it is"},
	{"history", hactl_history, "recent operations and transitions"},
	{"simulate", hactl_simulate, "run the scheduler offline on a CIB file"},
	{"agent", hactl_agent, "list, describe and run resource agents"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: hactl COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`hactl COMMAND --help` describes a command.\n"
		     "Exit codes: 0 done, 1 failed, 2 usage/invalid input, 3 wait timed out,\n"
		     "4 permission denied, 5 had not reachable.\n");
}

void hactl_print_diag(const ha_diag *d)
{
	for (size_t i = 0; i < ha_diag_count(d); i++)
		fprintf(stderr, "hactl: %s%s\n",
			ha_diag_severity_of(d, i) == HA_DIAG_WARNING ? "warning: " : "",
			ha_diag_message(d, i));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return HACTL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return HACTL_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hactl %s (libha %s)\n", HA_VERSION_STRING, ha_version());
		return HACTL_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "hactl: unknown command '%s'; `hactl --help` lists the commands\n", argv[1]);
	return HACTL_USAGE;
}
