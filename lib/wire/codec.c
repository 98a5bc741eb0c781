/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded encoding and decoding of wire fields (little-endian, length-prefixed strings). */
#include <errno.h>
#include <string.h>

#include "wire.h"

void ha__wire_begin(ha_wire_writer *w, uint8_t type)
{
	w->buf = g_byte_array_sized_new(256);
	w->overflow = false;
	uint8_t hdr[HA_WIRE_HEADER] = {HA_WIRE_MAGIC0, HA_WIRE_MAGIC1, HA_WIRE_VERSION, type, 0, 0, 0, 0};
	g_byte_array_append(w->buf, hdr, sizeof(hdr));
}

static void put(ha_wire_writer *w, const void *p, size_t n)
{
	if (w->overflow || w->buf->len + n > HA_WIRE_MAX) {
		w->overflow = true;
		return;
	}
	g_byte_array_append(w->buf, p, (guint)n);
}

static void put_le(ha_wire_writer *w, uint64_t v, int bytes)
{
	uint8_t b[8];
	for (int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, (size_t)bytes);
}

GByteArray *ha__wire_finish(ha_wire_writer *w)
{
	GByteArray *b = w->buf;
	w->buf = NULL;
	if (w->overflow) {
		g_byte_array_unref(b);
		return NULL;
	}
	uint32_t len = b->len - HA_WIRE_HEADER;
	for (int i = 0; i < 4; i++)
		b->data[4 + i] = (uint8_t)(len >> (8 * i));
	return b;
}

void ha__wire_u8(ha_wire_writer *w, uint8_t v) { put(w, &v, 1); }
void ha__wire_u32(ha_wire_writer *w, uint32_t v) { put_le(w, v, 4); }
void ha__wire_u64(ha_wire_writer *w, uint64_t v) { put_le(w, v, 8); }
void ha__wire_i32(ha_wire_writer *w, int32_t v) { put_le(w, (uint32_t)v, 4); }
void ha__wire_i64(ha_wire_writer *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

void ha__wire_str(ha_wire_writer *w, const char *s)
{
	if (!s) {
		ha__wire_u32(w, UINT32_MAX);
		return;
	}
	size_t n = strlen(s);
	if (n > HA_WIRE_MAX_STR) {
		w->overflow = true;
		return;
	}
	ha__wire_u32(w, (uint32_t)n);
	put(w, s, n);
}

int ha__wire_open(ha_wire_reader *r, const void *msg, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->error = true;
	if (!msg || len < HA_WIRE_HEADER)
		return -EBADMSG;
	if (len > HA_WIRE_MAX)
		return -EMSGSIZE;
	const uint8_t *b = msg;
	if (b[0] != HA_WIRE_MAGIC0 || b[1] != HA_WIRE_MAGIC1)
		return -EBADMSG;
	if (b[2] != HA_WIRE_VERSION)
		return -EPROTO;
	uint32_t plen = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
			(uint32_t)b[7] << 24;
	if ((size_t)plen != len - HA_WIRE_HEADER)
		return -EBADMSG;
	r->p = b + HA_WIRE_HEADER;
	r->left = plen;
	r->type = b[3];
	r->error = false;
	return 0;
}

static bool take(ha_wire_reader *r, void *out, size_t n)
{
	if (r->error || r->left < n) {
		r->error = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static uint64_t get_le(ha_wire_reader *r, int bytes)
{
	uint8_t b[8];
	if (!take(r, b, (size_t)bytes))
		return 0;
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

uint8_t ha__wire_get_u8(ha_wire_reader *r) { return (uint8_t)get_le(r, 1); }
uint32_t ha__wire_get_u32(ha_wire_reader *r) { return (uint32_t)get_le(r, 4); }
uint64_t ha__wire_get_u64(ha_wire_reader *r) { return get_le(r, 8); }
int32_t ha__wire_get_i32(ha_wire_reader *r) { return (int32_t)(uint32_t)get_le(r, 4); }
int64_t ha__wire_get_i64(ha_wire_reader *r) { return (int64_t)get_le(r, 8); }

char *ha__wire_get_str(ha_wire_reader *r, size_t max)
{
	uint32_t n = ha__wire_get_u32(r);
	if (r->error || n == UINT32_MAX)
		return NULL;
	if (n > max || n > HA_WIRE_MAX_STR || n > r->left || memchr(r->p, '\0', n)) {
		r->error = true;
		return NULL;
	}
	char *s = g_strndup((const char *)r->p, n);
	r->p += n;
	r->left -= n;
	return s;
}

int ha__wire_close(const ha_wire_reader *r)
{
	return r->error || r->left ? -EBADMSG : 0;
}
