/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: had's IPC request decoder (what any local user can send) must
 * reject anything malformed without crashing or leaking, and whatever it accepts
 * must re-encode to the same request (ids, flags, fields). Replies are decoded too (hactl's side). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	had_ipc_msg m, again;
	if (had_ipc_decode_request(data, size, &m) == 0) {
		void *buf;
		size_t len;
		/* Same message (the header's alignment padding is not part of it). */
		if (had_ipc_encode_request(m.id, m.flags, m.fields, m.nfields, &buf, &len) != 0 ||
		    len != size || had_ipc_decode_request(buf, len, &again) != 0 ||
		    again.id != m.id || again.flags != m.flags || again.nfields != m.nfields)
			abort();
		for (unsigned i = 0; i < m.nfields; i++)
			if (strcmp(again.fields[i], m.fields[i]) != 0)
				abort();
		had_ipc_msg_clear(&again);
		free(buf);
		had_ipc_msg_clear(&m);
	}
	if (had_ipc_decode_reply(data, size, &m) == 0)
		had_ipc_msg_clear(&m);
	return 0;
}
