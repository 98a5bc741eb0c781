/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the CIB parser. The first input byte selects the load flags
 * (strict/lenient, with/without schema); the rest is the document. Beyond "no crash,
 * no leak, no undefined behaviour" it checks the parser's contract: a failed load
 * returns nothing and reports an error, and a successful one survives a round trip
 * (serialize, load again) unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & (HA_CIB_LENIENT | HA_CIB_NO_SCHEMA);
	ha_diag *diag = NULL;
	ha_diag_new(&diag);
	ha_cib *cib = NULL;
	int rc = ha_cib_load_memory((const char *)data + 1, size - 1, "fuzz.xml", flags, &cib, diag);
	if (rc < 0) {
		if (cib || ha_diag_errors(diag) == 0) {
			fprintf(stderr, "failed load (%d) returned a CIB or reported no error\n", rc);
			abort();
		}
	} else {
		if (!cib || ha_diag_errors(diag) != 0) {
			fprintf(stderr, "successful load without a CIB or with errors\n");
			abort();
		}
		char *text = NULL;
		if (ha_cib_to_string(cib, &text) < 0) {
			fprintf(stderr, "a loaded CIB cannot be serialized\n");
			abort();
		}
		ha_cib *again = NULL;
		ha_diag_clear(diag);
		rc = ha_cib_load_memory(text, strlen(text), "roundtrip.xml", flags, &again, diag);
		if (rc < 0 || !ha__cib_equal(cib, again)) {
			for (size_t i = 0; i < ha_diag_count(diag); i++)
				fprintf(stderr, "%s\n", ha_diag_message(diag, i));
			fprintf(stderr, "round trip changed the CIB (rc %d):\n%s\n", rc, text);
			abort();
		}
		ha_cib_free(again);
		free(text);
	}
	ha_cib_free(cib);
	ha_diag_free(diag);
	return 0;
}
