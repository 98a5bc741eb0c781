/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hactl agent: placeholder until the executor lands. */
#include <stdio.h>

#include "hactl.h"

int hactl_agent(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "hactl agent: not available in this build\n");
	return HACTL_FAILED;
}
