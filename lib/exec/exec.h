/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The exec module for the rest of the library (and its unit tests): the public API is
 * <ha/exec.h> + <ha/glib.h>; this adds hooks that are not part of the ABI.
 */
#ifndef HA_EXEC_H_INTERNAL
#define HA_EXEC_H_INTERNAL

#include <ha/exec.h>

/* Where systemctl is and the directory whose existence means "systemd is running"
 * (default /usr/bin/systemctl and /run/systemd/system). Tests point these at fakes.
 * NULL keeps the current value. */
int ha__executor_set_systemd(ha_executor *ex, const char *systemctl, const char *run_dir);

#endif
