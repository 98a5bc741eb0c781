/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test helper: load a CIB (lenient), write it back with ha_cib_to_string() to the
 * output file, and check that loading the output gives an equal model. Used by
 * crm-simulate-accepts.sh; exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ha/ha.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s IN.xml OUT.xml\n", argv[0]);
		return 2;
	}
	ha_diag *diag = NULL;
	ha_cib *in = NULL, *again = NULL;
	char *text = NULL;
	int status = 1;
	ha_diag_new(&diag);
	int rc = ha_cib_load_file(argv[1], HA_CIB_LENIENT, &in, diag);
	for (size_t i = 0; i < ha_diag_count(diag); i++)
		fprintf(stderr, "%s\n", ha_diag_message(diag, i));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], ha_strerror(rc));
		goto out;
	}
	if (ha_cib_to_string(in, &text) < 0)
		goto out;
	FILE *f = fopen(argv[2], "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(argv[2]);
		goto out;
	}
	rc = ha_cib_load_memory(text, strlen(text), argv[2], 0, &again, diag);
	if (rc < 0 || !ha_cib_equal(in, again)) {
		fprintf(stderr, "%s: reloading the output does not give the same CIB\n", argv[1]);
		goto out;
	}
	status = 0;
out:
	free(text);
	ha_cib_free(in);
	ha_cib_free(again);
	ha_diag_free(diag);
	return status;
}
