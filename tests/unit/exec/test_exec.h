/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the executor's test files: each group's runner. */
#ifndef HA_TEST_EXEC_H
#define HA_TEST_EXEC_H

int ha_test_run_pure(void);
int ha_test_run_processes(void);

#endif
