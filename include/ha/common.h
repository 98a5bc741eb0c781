/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export macro, error codes and ha_strerror(). */
#ifndef HA_COMMON_H
#define HA_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define HA_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* libha's own error codes: negative, in a block far from errno values. */
enum {
	HA_EBASE = -30000,
	HA_EPARSE = HA_EBASE - 1,       /* input is not well-formed (XML, number, ...) */
	HA_ESCHEMA = HA_EBASE - 2,      /* input does not match the schema */
	HA_EUNSUPPORTED = HA_EBASE - 3, /* a feature outside libha's supported subset */
	HA_EREF = HA_EBASE - 4,         /* reference to an unknown id */
	HA_EDUPLICATE = HA_EBASE - 5,   /* duplicate id */
	HA_ETOOBIG = HA_EBASE - 6,      /* input exceeds a size limit */
	HA_EINFEASIBLE = HA_EBASE - 7,  /* a transition that cannot complete */
	HA_EAGENT = HA_EBASE - 8,       /* agent not installed or unusable */
	HA_ENOQUORUM = HA_EBASE - 9,    /* the partition has no quorum */
	HA_ENOTSYNCED = HA_EBASE - 10,  /* the cluster is still synchronizing after a change */
	HA_ESTALEVERSION = HA_EBASE - 11, /* the configuration changed meanwhile: retry */
	HA_ELAST = HA_EBASE - 12,
};

/* A short, static description of an error code (negated errno or HA_E*). */
HA_EXPORT const char *ha_strerror(int err);

/* The library version as "MAJOR.MINOR.PATCH". */
HA_EXPORT const char *ha_version(void);

#ifdef __cplusplus
}
#endif
#endif
