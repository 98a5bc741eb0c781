/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * had: the daemon hosting libha next to corosync. Placeholder until the daemon
 * issue lands: it parses its options and says clearly that it cannot run yet.
 */
#include <stdio.h>
#include <string.h>

#include <ha/ha.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("had %s (libha %s)\n", HA_VERSION_STRING, ha_version());
			return 0;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: had [--version]\n"
			       "The cluster daemon is not part of this build yet; use "
			       "`hactl simulate` to run the scheduler offline.\n");
			return 0;
		}
	}
	fprintf(stderr, "had: the cluster daemon is not implemented in this version; "
			"`hactl simulate --xml-file CIB` runs the scheduler offline\n");
	return 1;
}
