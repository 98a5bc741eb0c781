/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transport's unit test program: runs every group, fails if any group failed. */
#include "test_transport.h"

int main(void)
{
	return ha_test_run_sendq() | ha_test_run_memb() | ha_test_run_sim();
}
