/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cluster information base: configuration + status, in the XML subset of
 * Pacemaker's CIB that libha supports (see docs/configuration.md).
 */
#ifndef HA_CIB_H
#define HA_CIB_H

#include <ha/common.h>
#include <ha/diag.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ha_cib ha_cib;

enum {
	/* Elements outside the supported subset that do not affect placement
	 * (alerts, acls, tags, ...) become warnings instead of errors. */
	HA_CIB_LENIENT = 1u << 0,
	/* Skip RelaxNG validation (the semantic checks still run). */
	HA_CIB_NO_SCHEMA = 1u << 1,
};

/* Largest CIB file accepted (bytes). */
#define HA_CIB_MAX_SIZE (512u * 1024u * 1024u)

/* Load and validate a CIB file. Errors are reported to diag (optional) with the file,
 * line and element; on failure *ret is untouched and nothing is allocated. */
HA_EXPORT int ha_cib_load_file(const char *path, unsigned flags, ha_cib **ret, ha_diag *diag);
/* Same from memory; name is used in messages. */
HA_EXPORT int ha_cib_load_memory(const char *buf, size_t len, const char *name, unsigned flags,
				 ha_cib **ret, ha_diag *diag);
/* Serialize to a file (written to a temporary file and renamed into place). */
HA_EXPORT int ha_cib_save_file(const ha_cib *cib, const char *path, ha_diag *diag);
/* Serialize to a newly allocated NUL-terminated string (free() it). */
HA_EXPORT int ha_cib_to_string(const ha_cib *cib, char **ret);
/* True if both describe the same configuration and status. */
HA_EXPORT bool ha_cib_equal(const ha_cib *a, const ha_cib *b);
HA_EXPORT ha_cib *ha_cib_free(ha_cib *cib); /* NULL-safe, returns NULL */

/* Versions: admin_epoch, epoch, num_updates. */
HA_EXPORT void ha_cib_version(const ha_cib *cib, int64_t *admin_epoch, int64_t *epoch,
			      int64_t *num_updates);

/* Path of the RelaxNG schema the library validates against. */
HA_EXPORT const char *ha_cib_schema_path(void);

#ifdef __cplusplus
}
#endif
#endif
