/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the node-to-node message decoder must reject anything
 * malformed without crashing or leaking, and whatever it accepts must re-encode to a
 * message that decodes to the same type. */
#include <stdint.h>
#include <stdlib.h>

#include "wire/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ha_msg m;
	if (ha__msg_decode(data, size, &m) < 0)
		return 0;
	GByteArray *b = ha__msg_encode(&m);
	if (b) {
		ha_msg again;
		if (ha__msg_decode(b->data, b->len, &again) != 0 || again.type != m.type)
			abort();
		ha__msg_clear(&again);
		g_byte_array_unref(b);
	}
	ha__msg_clear(&m);
	return 0;
}
