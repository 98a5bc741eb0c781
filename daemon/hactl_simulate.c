/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hactl.h"
int hactl_simulate(int argc, char **argv)
{
	(void)argc; (void)argv;
	return HACTL_FAILED;
}
