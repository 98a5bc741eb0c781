/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Wire format primitives for node-to-node and IPC messages: a fixed header
 * (magic, protocol version, type, payload length) and sequential typed fields with
 * explicit bounds. Writers grow a buffer; readers never read past the end and carry a
 * sticky error, so a decoder can read all fields and check once at the end.
 */
#ifndef HA_WIRE_H
#define HA_WIRE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HA_WIRE_MAGIC0 'H'
#define HA_WIRE_MAGIC1 'A'
#define HA_WIRE_VERSION 1
#define HA_WIRE_HEADER 8
/* Largest message accepted (header + payload). Well below corosync's atomic size. */
#define HA_WIRE_MAX (512u * 1024u)
/* Largest string field. */
#define HA_WIRE_MAX_STR (256u * 1024u)

typedef struct ha_wire_writer {
	GByteArray *buf;
	bool overflow;
} ha_wire_writer;

typedef struct ha_wire_reader {
	const uint8_t *p;
	size_t left;
	bool error;
	uint8_t type;
} ha_wire_reader;

/* Start a message of `type`; finish patches the length in and returns the buffer
 * (caller owns it) or NULL if the message grew past HA_WIRE_MAX. */
void ha__wire_begin(ha_wire_writer *w, uint8_t type);
GByteArray *ha__wire_finish(ha_wire_writer *w);
void ha__wire_u8(ha_wire_writer *w, uint8_t v);
void ha__wire_u32(ha_wire_writer *w, uint32_t v);
void ha__wire_u64(ha_wire_writer *w, uint64_t v);
void ha__wire_i32(ha_wire_writer *w, int32_t v);
void ha__wire_i64(ha_wire_writer *w, int64_t v);
/* NULL is encoded distinctly from "". */
void ha__wire_str(ha_wire_writer *w, const char *s);

/* Validate the header of msg; on success the reader is positioned on the payload and
 * r->type is set. Returns 0 or -EBADMSG / -EPROTO (unknown version) / -EMSGSIZE. */
int ha__wire_open(ha_wire_reader *r, const void *msg, size_t len);
uint8_t ha__wire_get_u8(ha_wire_reader *r);
uint32_t ha__wire_get_u32(ha_wire_reader *r);
uint64_t ha__wire_get_u64(ha_wire_reader *r);
int32_t ha__wire_get_i32(ha_wire_reader *r);
int64_t ha__wire_get_i64(ha_wire_reader *r);
/* Returns a newly allocated string (g_free), NULL for an encoded NULL or on error.
 * Strings with embedded NULs or longer than max are errors. */
char *ha__wire_get_str(ha_wire_reader *r, size_t max);
/* 0 if every field was read and nothing is left over, else -EBADMSG. */
int ha__wire_close(const ha_wire_reader *r);

#endif
