/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The send retry queue (see sendq.h): FIFO of copied messages behind a flow-control
 * refusal, with a backoff counter. Arms no timers and knows no corosync.
 */
#include <errno.h>

#include "sendq.h"

void ha__sendq_init(ha__sendq *q, size_t max_bytes, ha__sendq_fn fn, void *ctx)
{
	g_queue_init(&q->q);
	q->bytes = 0;
	q->max_bytes = max_bytes;
	q->failures = 0;
	q->held = false;
	q->fn = fn;
	q->ctx = ctx;
}

static int enqueue(ha__sendq *q, const void *msg, size_t len)
{
	if (len > q->max_bytes || q->bytes > q->max_bytes - len)
		return -ENOBUFS;
	g_queue_push_tail(&q->q, g_bytes_new(msg, len));
	q->bytes += len;
	return 0;
}

int ha__sendq_send(ha__sendq *q, const void *msg, size_t len)
{
	int rc;

	/* Anything already waiting must go first: trying msg now could let it overtake. */
	if (q->held || !g_queue_is_empty(&q->q))
		return enqueue(q, msg, len);
	rc = q->fn(q->ctx, msg, len);
	if (rc == -EAGAIN) {
		rc = enqueue(q, msg, len);
		if (rc == 0)
			q->failures = 1;
		return rc;
	}
	return rc < 0 ? rc : 0;
}

int ha__sendq_flush(ha__sendq *q)
{
	GBytes *b;

	if (q->held)
		return (int)g_queue_get_length(&q->q);
	/* Bounded by the queue length: each pass either pops a message or returns. */
	while ((b = g_queue_peek_head(&q->q))) {
		size_t len;
		const void *data = g_bytes_get_data(b, &len);
		int rc = q->fn(q->ctx, data, len);

		if (rc == -EAGAIN) {
			if (q->failures < 31)
				q->failures++;
			return (int)g_queue_get_length(&q->q);
		}
		if (rc < 0)
			return rc;
		g_queue_pop_head(&q->q);
		q->bytes -= len;
		g_bytes_unref(b);
		q->failures = 0;
	}
	return 0;
}

void ha__sendq_hold(ha__sendq *q, bool held)
{
	q->held = held;
}

unsigned ha__sendq_retry_delay_ms(const ha__sendq *q)
{
	unsigned shift = q->failures ? q->failures - 1 : 0;

	if (shift >= 16 || (HA_SENDQ_RETRY_MIN_MS << shift) > HA_SENDQ_RETRY_MAX_MS)
		return HA_SENDQ_RETRY_MAX_MS;
	return HA_SENDQ_RETRY_MIN_MS << shift;
}

size_t ha__sendq_len(const ha__sendq *q)
{
	return q->q.length;
}

size_t ha__sendq_clear(ha__sendq *q)
{
	size_t n = g_queue_get_length(&q->q);

	g_queue_clear_full(&q->q, (GDestroyNotify)g_bytes_unref);
	q->bytes = 0;
	q->failures = 0;
	return n;
}
