/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encoding and validating decoding of had <-> hactl messages (layout in ipc.h). The
 * decoder never trusts its input: every size is checked against the buffer and the
 * bounds before anything is copied, and a rejected message leaves nothing allocated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"

/* Header sizes: requests add flags + count, replies add count. */
#define REQ_HDR (sizeof(struct qb_ipc_request_header) + 2 * sizeof(uint32_t))
#define REP_HDR (sizeof(struct qb_ipc_response_header) + sizeof(uint32_t))

/* Whether field i of a request with this id may exceed HAD_IPC_FIELD_MAX. */
static int big_request_field(int32_t id, unsigned i)
{
	return id == HAD_IPC_CONFIG && i == 0;
}

static int encode(size_t hdr, const char *const *fields, unsigned nfields, int32_t id,
		  int reply, void **ret, size_t *len, char **payload)
{
	size_t total = hdr;

	if (nfields > HAD_IPC_MAX_FIELDS)
		return -EINVAL;
	for (unsigned i = 0; i < nfields; i++) {
		size_t l;
		if (!fields[i])
			return -EINVAL;
		l = strlen(fields[i]);
		if (!reply && !big_request_field(id, i) && l >= HAD_IPC_FIELD_MAX)
			return -EINVAL;
		total += l + 1;
		if (total > HAD_IPC_MAX_MSG)
			return -EMSGSIZE;
	}
	char *buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	char *p = buf + hdr;
	for (unsigned i = 0; i < nfields; i++) {
		size_t l = strlen(fields[i]) + 1;
		memcpy(p, fields[i], l);
		p += l;
	}
	*payload = buf;
	*ret = buf;
	*len = total;
	return 0;
}

int had_ipc_encode_request(int32_t id, uint32_t flags, const char *const *fields,
			   unsigned nfields, void **ret, size_t *len)
{
	char *buf;
	int r;

	if (id < HAD_IPC_HELLO || id >= HAD_IPC_CMD_MAX || (flags & ~(uint32_t)HAD_IPC_FLAGS_ALL))
		return -EINVAL;
	r = encode(REQ_HDR, fields, nfields, id, 0, ret, len, &buf);
	if (r < 0)
		return r;
	struct qb_ipc_request_header h = {.id = id, .size = (int32_t)*len};
	uint32_t extra[2] = {flags, nfields};
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), extra, sizeof(extra));
	return 0;
}

int had_ipc_encode_reply(int32_t id, int32_t error, const char *const *fields,
			 unsigned nfields, void **ret, size_t *len)
{
	char *buf;
	int r = encode(REP_HDR, fields, nfields, id, 1, ret, len, &buf);

	if (r < 0)
		return r;
	struct qb_ipc_response_header h = {.id = id, .size = (int32_t)*len, .error = error};
	uint32_t n = nfields;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &n, sizeof(n));
	return 0;
}

/* Split the strings after the header into m->fields (copying them first). */
static int decode_fields(const char *data, size_t len, size_t hdr, uint32_t n, int reply,
			 had_ipc_msg *m)
{
	if (n > HAD_IPC_MAX_FIELDS)
		return -EBADMSG;
	/* Check everything on the input before allocating. */
	size_t off = hdr;
	for (uint32_t i = 0; i < n; i++) {
		const char *nul = memchr(data + off, '\0', len - off);
		if (!nul)
			return -EBADMSG;
		size_t l = (size_t)(nul - (data + off));
		if (!reply && !big_request_field(m->id, i) && l >= HAD_IPC_FIELD_MAX)
			return -EMSGSIZE;
		off += l + 1;
	}
	if (off != len)
		return -EBADMSG; /* trailing bytes */
	m->buf = malloc(len - hdr + 1);
	if (!m->buf)
		return -ENOMEM;
	memcpy(m->buf, data + hdr, len - hdr);
	off = 0;
	for (uint32_t i = 0; i < n; i++) {
		m->fields[i] = m->buf + off;
		off += strlen(m->buf + off) + 1;
	}
	m->nfields = n;
	return 0;
}

int had_ipc_decode_request(const void *data, size_t len, had_ipc_msg *m)
{
	struct qb_ipc_request_header h;
	uint32_t extra[2];
	int r;

	memset(m, 0, sizeof(*m));
	if (len > HAD_IPC_MAX_MSG)
		return -EMSGSIZE;
	if (!data || len < REQ_HDR)
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	memcpy(extra, (const char *)data + sizeof(h), sizeof(extra));
	if (h.size < 0 || (size_t)h.size != len || h.id < HAD_IPC_HELLO || h.id >= HAD_IPC_CMD_MAX ||
	    (extra[0] & ~(uint32_t)HAD_IPC_FLAGS_ALL))
		return -EBADMSG;
	m->id = h.id;
	m->flags = extra[0];
	r = decode_fields(data, len, REQ_HDR, extra[1], 0, m);
	if (r < 0)
		memset(m, 0, sizeof(*m));
	return r;
}

int had_ipc_decode_reply(const void *data, size_t len, had_ipc_msg *m)
{
	struct qb_ipc_response_header h;
	uint32_t n;
	int r;

	memset(m, 0, sizeof(*m));
	if (len > HAD_IPC_MAX_MSG)
		return -EMSGSIZE;
	if (!data || len < REP_HDR)
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	memcpy(&n, (const char *)data + sizeof(h), sizeof(n));
	if (h.size < 0 || (size_t)h.size != len ||
	    ((h.id < HAD_IPC_HELLO || h.id >= HAD_IPC_CMD_MAX) && h.id != HAD_IPC_EVENT) ||
	    h.error > 0)
		return -EBADMSG;
	m->id = h.id;
	m->error = h.error;
	r = decode_fields(data, len, REP_HDR, n, 1, m);
	if (r < 0)
		memset(m, 0, sizeof(*m));
	return r;
}

void had_ipc_msg_clear(had_ipc_msg *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

const char *had_ipc_field(const had_ipc_msg *m, unsigned i)
{
	return i < m->nfields ? m->fields[i] : NULL;
}

const char *had_ipc_cmd_name(int32_t id)
{
	static const char *const names[] = {
		[HAD_IPC_HELLO] = "hello", [HAD_IPC_CIB] = "cib",
		[HAD_IPC_CONFIG] = "config", [HAD_IPC_ATTR] = "attr",
		[HAD_IPC_CLEANUP] = "cleanup", [HAD_IPC_FENCE] = "fence",
		[HAD_IPC_EVENTS] = "events",
	};
	if (id == HAD_IPC_EVENT)
		return "event";
	if (id > 0 && id < HAD_IPC_CMD_MAX)
		return names[id];
	return "unknown";
}
