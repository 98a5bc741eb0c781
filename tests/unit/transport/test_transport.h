/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the transport's test files: each group's runner. */
#ifndef HA_TEST_TRANSPORT_H
#define HA_TEST_TRANSPORT_H

int ha_test_run_sim(void);
int ha_test_run_sendq(void);
int ha_test_run_memb(void);

#endif
