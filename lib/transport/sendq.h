/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The send retry queue: what a transport does with flow control (corosync's
 * CS_ERR_TRY_AGAIN) so that callers never see it. Messages wait in order behind the
 * first refused one and are retried from a timer with backoff: never dropped, never
 * reordered, no sleeping, no spinning. It owns no timer itself (the caller arms one for
 * ha__sendq_retry_delay_ms()), which keeps it testable without a main loop or corosync.
 */
#ifndef HA_SENDQ_H
#define HA_SENDQ_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#define HA_SENDQ_RETRY_MIN_MS 10u
#define HA_SENDQ_RETRY_MAX_MS 500u

/* Hand msg to the group communication system: 0 when taken, -EAGAIN when refused for
 * flow control (try again later), another negative errno on a hard error. */
typedef int (*ha__sendq_fn)(void *ctx, const void *msg, size_t len);

typedef struct ha__sendq {
	GQueue q;            /* GBytes *, oldest first */
	size_t bytes;        /* payload bytes queued */
	size_t max_bytes;    /* above this, ha__sendq_send() says -ENOBUFS */
	unsigned failures;   /* consecutive refusals; drives the backoff */
	bool held;           /* queue everything, try nothing (e.g. join not yet accepted) */
	ha__sendq_fn fn;
	void *ctx;
} ha__sendq;

void ha__sendq_init(ha__sendq *q, size_t max_bytes, ha__sendq_fn fn, void *ctx);

/* Send msg now if nothing waits before it, else queue a copy behind the others.
 * 0 (taken or queued), -ENOBUFS (queue full, nothing queued), or fn's hard error
 * (nothing queued). */
int ha__sendq_send(ha__sendq *q, const void *msg, size_t len);

/* Retry the queued messages in order; stops at the first refusal. Returns how many
 * remain (>= 0), or fn's hard error (that message stays at the head). */
int ha__sendq_flush(ha__sendq *q);

/* Hold (or release) the queue: while held every message is queued, flush tries none. */
void ha__sendq_hold(ha__sendq *q, bool held);

/* When to call ha__sendq_flush() next: exponential backoff over the consecutive
 * refusals, HA_SENDQ_RETRY_MIN_MS .. HA_SENDQ_RETRY_MAX_MS. */
unsigned ha__sendq_retry_delay_ms(const ha__sendq *q);

size_t ha__sendq_len(const ha__sendq *q);

/* Discard everything queued (connection lost); returns how many were discarded. */
size_t ha__sendq_clear(ha__sendq *q);

#endif
