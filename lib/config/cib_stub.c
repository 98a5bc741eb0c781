/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Temporary stub: replaced by the real parser. */
#include <errno.h>
#include "config.h"
int ha_cib_load_file(const char *path, unsigned flags, ha_cib **ret, ha_diag *diag)
{
	(void)path; (void)flags; (void)ret; (void)diag;
	return -ENOSYS;
}
