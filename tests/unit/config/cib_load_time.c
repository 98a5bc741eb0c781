/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Measurement helper (not a test): load a CIB file, optionally serialize it, and
 * print the wall time of each step. Run it under /usr/bin/time -v for peak memory:
 *   cib_load_time FILE [--no-schema] [--serialize]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ha/ha.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned flags = 0;
	bool serialize = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--no-schema"))
			flags |= HA_CIB_NO_SCHEMA;
		else if (!strcmp(argv[i], "--serialize"))
			serialize = true;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [--no-schema] [--serialize]\n", argv[0]);
		return 2;
	}
	ha_diag *diag = NULL;
	ha_cib *cib = NULL;
	ha_diag_new(&diag);
	double t0 = now();
	int rc = ha_cib_load_file(argv[1], flags, &cib, diag);
	double t1 = now();
	for (size_t i = 0; i < ha_diag_count(diag) && i < 20; i++)
		fprintf(stderr, "%s\n", ha_diag_message(diag, i));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], ha_strerror(rc));
		ha_diag_free(diag);
		return 1;
	}
	printf("load: %.3f s\n", t1 - t0);
	if (serialize) {
		char *text = NULL;
		t0 = now();
		rc = ha_cib_to_string(cib, &text);
		t1 = now();
		printf("serialize: %.3f s (%zu bytes)\n", t1 - t0, text ? strlen(text) : 0);
		free(text);
	}
	ha_cib_free(cib);
	ha_diag_free(diag);
	return rc < 0;
}
