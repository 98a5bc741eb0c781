/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The executor's unit test program: runs every group, fails if any group failed. */
#include <sys/prctl.h>

#include "test_exec.h"

int main(void)
{
	/* Agents' orphans (daemons the tests start) become our children, so the tests
	 * can reap them by pid instead of leaving zombies behind. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return ha_test_run_pure() | ha_test_run_processes();
}
