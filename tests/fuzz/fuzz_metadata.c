/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: agent meta-data parsing (output of an agent we do not control). */
#include <stdint.h>

#include <ha/exec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ha_agent_metadata *md = NULL;
	if (ha_agent_metadata_parse((const char *)data, size, &md, NULL) == 0) {
		for (size_t i = 0; i < ha_agent_metadata_param_count(md); i++)
			(void)ha_agent_metadata_param_name(md, i);
		ha_agent_metadata_free(md);
	}
	return 0;
}
