/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator's guarantees, which must be corosync's and no more: agreed order and
 * virtual synchrony under random delays and faults (a property test over many seeds),
 * a consistent configuration for a joining member, own delivery then cut, PROCDOWN
 * keeping quorum, both quorum/membership callback orders, stuck members, clock skew,
 * timers, corosync loss and reconnect, and determinism (same seed, same event log).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_transport.h"
#include "transport/sim.h"

#define PROPERTY_SEEDS 1000

/* ---- a recording process ------------------------------------------------------------- */

typedef struct delivery {
	char *msg;
	char *cfg;       /* the configuration it was delivered in (borrowed from rec->cfgs) */
	uint64_t serial; /* and that configuration's serial in the simulator */
} delivery;

typedef struct rec {
	uint32_t node;
	unsigned pid; /* incarnation, unique across the world */
	ha_transport *t;
	bool dead;         /* killed, crashed or freed */
	bool disconnected; /* lost its corosync connection at some point */
	unsigned sent;
	GArray *deliveries; /* delivery */
	GPtrArray *cfgs;    /* char *: "ring|members|joined|left", in order */
	GArray *serials;    /* uint64_t: the simulator's serial of each of cfgs */
	GArray *members;    /* uint32_t, the current configuration */
	uint64_t ring, qring;
	bool quorate, have_quorum;
	unsigned memb_calls, quorum_calls, conn_losses, conn_backs;
	/* For the callback-order test: the ring of the last membership/quorum call. */
	uint64_t memb_ring_seen, quorum_ring_seen;
	unsigned quorum_first, membership_first;
	char *error; /* first violated invariant seen inside a callback */
} rec;

typedef struct world {
	ha_sim *sim;
	unsigned nodes;
	GPtrArray *recs;  /* every process ever */
	rec *cur[HA_SIM_NODES_MAX + 1];
	GString *log;     /* the simulator's event log, when captured */
	unsigned pids;
} world;

static void rec_fail(rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_fail(rec *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error)
		return;
	va_start(ap, fmt);
	r->error = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static char *fmt_ids(const uint32_t *v, size_t n)
{
	GString *s = g_string_new(NULL);
	size_t i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s%" PRIu32, i ? "," : "", v[i]);
	return g_string_free(s, FALSE);
}

static bool sorted_unique(const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i - 1] >= v[i])
			return false;
	return true;
}

static bool has_id(const uint32_t *v, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static void on_deliver(void *ud, uint32_t from, const void *msg, size_t len)
{
	rec *r = ud;
	delivery d;
	unsigned node = 0;

	if (!r->cfgs->len)
		rec_fail(r, "n%u: delivery before any membership", r->node);
	d.msg = g_strndup(msg, len);
	d.cfg = r->cfgs->len ? g_ptr_array_index(r->cfgs, r->cfgs->len - 1) : NULL;
	d.serial = r->serials->len ? g_array_index(r->serials, uint64_t, r->serials->len - 1) : 0;
	if (sscanf(d.msg, "%u:", &node) != 1 || node != from)
		rec_fail(r, "n%u: message %s claims another sender than n%" PRIu32, r->node, d.msg,
			 from);
	g_array_append_val(r->deliveries, d);
}

static void on_membership(void *ud, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *joined, size_t n_joined, const uint32_t *left,
			  const ha_leave_reason *why, size_t n_left)
{
	rec *r = ud;
	char *m = fmt_ids(members, n), *j = fmt_ids(joined, n_joined), *l = fmt_ids(left, n_left);
	uint64_t serial;
	size_t i;

	if (!sorted_unique(members, n) || !sorted_unique(joined, n_joined) ||
	    !sorted_unique(left, n_left))
		rec_fail(r, "n%u: unsorted membership lists", r->node);
	if (!has_id(members, n, r->node))
		rec_fail(r, "n%u: not in its own configuration %s", r->node, m);
	if (r->memb_calls == 0 && (n_joined != 1 || joined[0] != r->node || n_left))
		rec_fail(r, "n%u: first membership is not our join (joined %s)", r->node, j);
	if (ring < r->ring)
		rec_fail(r, "n%u: ring went back %" PRIu64 " -> %" PRIu64, r->node, r->ring, ring);
	for (i = 0; i < n_joined; i++)
		if (!has_id(members, n, joined[i]))
			rec_fail(r, "n%u: joined %" PRIu32 " not a member", r->node, joined[i]);
	for (i = 0; i < n_left; i++) {
		if (has_id(members, n, left[i]))
			rec_fail(r, "n%u: left %" PRIu32 " still a member", r->node, left[i]);
		if (!has_id((const uint32_t *)(void *)r->members->data, r->members->len, left[i]))
			rec_fail(r, "n%u: left %" PRIu32 " was no member", r->node, left[i]);
		if (why[i] < HA_LEAVE_CLEAN || why[i] > HA_LEAVE_PROCDOWN)
			rec_fail(r, "n%u: bad leave reason %d", r->node, (int)why[i]);
	}
	/* members = previous + joined - left */
	if (r->memb_calls) {
		GArray *expect = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		guint k;

		for (k = 0; k < r->members->len; k++) {
			uint32_t id = g_array_index(r->members, uint32_t, k);

			if (!has_id(left, n_left, id))
				g_array_append_val(expect, id);
		}
		for (i = 0; i < n_joined; i++)
			if (!has_id((const uint32_t *)(void *)expect->data, expect->len, joined[i]))
				g_array_append_val(expect, joined[i]);
		if (expect->len != n)
			rec_fail(r, "n%u: members %s do not follow from the change", r->node, m);
		g_array_free(expect, TRUE);
	}
	g_array_set_size(r->members, 0);
	g_array_append_vals(r->members, members, (guint)n);
	r->ring = ring;
	r->memb_calls++;
	/* A new ring (not our join: quorum always comes first then) */
	if (r->memb_calls > 1 && r->memb_ring_seen != ring) {
		if (r->quorum_ring_seen == ring)
			r->quorum_first++;
		else
			r->membership_first++;
	}
	r->memb_ring_seen = ring;
	g_ptr_array_add(r->cfgs, g_strdup_printf("%" PRIu64 "|%s|%s|%s", ring, m, j, l));
	serial = ha__sim_transport_config(r->t);
	g_array_append_val(r->serials, serial);
	g_free(m);
	g_free(j);
	g_free(l);
}

static void on_quorum(void *ud, bool quorate, uint64_t ring, const uint32_t *members, size_t n)
{
	rec *r = ud;

	if (!sorted_unique(members, n))
		rec_fail(r, "n%u: unsorted quorum members", r->node);
	if (r->have_quorum && ring < r->qring)
		rec_fail(r, "n%u: quorum ring went back", r->node);
	r->quorate = quorate;
	r->qring = ring;
	r->have_quorum = true;
	r->quorum_calls++;
	r->quorum_ring_seen = ring;
}

static void on_connection(void *ud, int err)
{
	rec *r = ud;

	if (err < 0) {
		r->conn_losses++;
		r->disconnected = true;
		/* A new connection starts with a new own join. */
		r->memb_calls = 0;
		g_array_set_size(r->members, 0);
	} else {
		r->conn_backs++;
	}
}

static const ha_transport_events rec_events = {
	.deliver = on_deliver,
	.membership = on_membership,
	.quorum = on_quorum,
	.connection = on_connection,
};

static void capture_log(void *ud, const char *line)
{
	world *w = ud;

	g_string_append(w->log, line);
	g_string_append_c(w->log, '\n');
}

static world *world_new(uint64_t seed, unsigned nodes, bool capture, ha_sim_options *opt)
{
	world *w = g_new0(world, 1);
	ha_sim_options o;

	if (!opt) {
		ha__sim_options_init(&o, seed, nodes);
		opt = &o;
	}
	w->nodes = nodes;
	w->recs = g_ptr_array_new();
	assert_int_equal(ha__sim_new(opt, &w->sim), 0);
	if (capture) {
		w->log = g_string_new(NULL);
		ha__sim_set_log(w->sim, capture_log, w);
	}
	return w;
}

/* A new process on node (corosync must be up), joined to "g" unless join is false. */
static rec *spawn(world *w, uint32_t node, bool join)
{
	rec *r = g_new0(rec, 1);

	r->node = node;
	r->pid = ++w->pids;
	r->deliveries = g_array_new(FALSE, FALSE, sizeof(delivery));
	r->cfgs = g_ptr_array_new_with_free_func(g_free);
	r->serials = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	r->members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	assert_int_equal(ha__sim_transport_new(w->sim, node, &rec_events, r, &r->t), 0);
	if (join)
		assert_int_equal(ha__transport_join(r->t, "g"), 0);
	g_ptr_array_add(w->recs, r);
	w->cur[node] = r;
	return r;
}

static void rec_free(rec *r)
{
	guint i;

	for (i = 0; i < r->deliveries->len; i++)
		g_free(g_array_index(r->deliveries, delivery, i).msg);
	g_array_free(r->deliveries, TRUE);
	g_ptr_array_free(r->cfgs, TRUE);
	g_array_free(r->serials, TRUE);
	g_array_free(r->members, TRUE);
	ha__transport_free(r->t);
	g_free(r->error);
	g_free(r);
}

static void world_free(world *w)
{
	guint i;

	/* Processes first (a clean leave queues into the world), then the world. */
	for (i = 0; i < w->recs->len; i++)
		rec_free(g_ptr_array_index(w->recs, i));
	g_ptr_array_free(w->recs, TRUE);
	ha__sim_free(w->sim);
	if (w->log)
		g_string_free(w->log, TRUE);
	g_free(w);
}

static int send_msg(world *w, rec *r)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "%u:%u:%u", r->node, r->pid, ++r->sent);

	(void)w;
	return ha__transport_send(r->t, buf, (size_t)len);
}

static void run_all(world *w)
{
	/* Bounded: a quiet world has no recurring events. */
	assert_true(ha__sim_run(w->sim, 10000000) < 10000000);
}

static rec *cur(world *w, uint32_t node)
{
	return w->cur[node];
}

static size_t count_delivered(const rec *r, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < r->deliveries->len; i++)
		if (g_str_has_prefix(g_array_index(r->deliveries, delivery, i).msg, prefix))
			n++;
	return n;
}

static const char *last_cfg(const rec *r)
{
	return r->cfgs->len ? g_ptr_array_index(r->cfgs, r->cfgs->len - 1) : "";
}

/* A configuration key as on_membership builds it, in a static buffer. */
static const char *cfg_key(char *buf, size_t size, uint64_t ring, const char *rest)
{
	snprintf(buf, size, "%" PRIu64 "|%s", ring, rest);
	return buf;
}

static void assert_no_errors(world *w)
{
	guint i;

	for (i = 0; i < w->recs->len; i++) {
		rec *r = g_ptr_array_index(w->recs, i);

		if (r->error) {
			fprintf(stderr, "%s\n", r->error);
			if (w->log)
				fputs(w->log->str, stderr);
		}
		assert_null(r->error);
	}
}

/* ---- properties over a whole run ----------------------------------------------------- */

/* The identity of a configuration is (ring, members): joined and left depend on the
 * observer (in a merge, each side sees the other join). */
static bool same_cfg(const char *a, const char *b)
{
	const char *ea = strchr(a, '|'), *eb = strchr(b, '|');

	ea = ea ? strchr(ea + 1, '|') : NULL;
	eb = eb ? strchr(eb + 1, '|') : NULL;
	if (!ea || !eb)
		return false;
	return ea - a == eb - b && !memcmp(a, b, (size_t)(ea - a));
}

/* Per process: FIFO per sender incarnation; own messages delivered unless the process
 * died or lost its connection. */
static char *check_each(world *w)
{
	guint a, i;

	for (a = 0; a < w->recs->len; a++) {
		rec *r = g_ptr_array_index(w->recs, a);
		GHashTable *last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		unsigned own = 0;

		if (r->error)
			goto fail_last;
		for (i = 0; i < r->deliveries->len; i++) {
			const delivery *d = &g_array_index(r->deliveries, delivery, i);
			unsigned node, pid, seq;
			char *key;

			if (sscanf(d->msg, "%u:%u:%u", &node, &pid, &seq) != 3) {
				r->error = g_strdup_printf("bad payload %s", d->msg);
				goto fail_last;
			}
			key = g_strdup_printf("%u", pid);
			if (GPOINTER_TO_UINT(g_hash_table_lookup(last, key)) >= seq) {
				r->error = g_strdup_printf("n%u: FIFO broken at %s", r->node, d->msg);
				g_free(key);
				goto fail_last;
			}
			g_hash_table_replace(last, key, GUINT_TO_POINTER(seq));
			if (pid == r->pid)
				own++;
		}
		if (!r->dead && !r->disconnected && own != r->sent) {
			r->error = g_strdup_printf("n%u pid %u: %u own messages delivered of %u",
						   r->node, r->pid, own, r->sent);
			goto fail_last;
		}
		g_hash_table_destroy(last);
		continue;
fail_last:
		g_hash_table_destroy(last);
		return g_strdup(r->error);
	}
	return NULL;
}

/* Every pair: messages both delivered come in the same relative order and in the same
 * configuration (identified by the simulator's serial: (ring, members) can repeat). */
static char *check_order(world *w)
{
	guint a, b, i;

	for (a = 0; a < w->recs->len; a++) {
		rec *ra = g_ptr_array_index(w->recs, a);
		GHashTable *pos = g_hash_table_new(g_str_hash, g_str_equal);

		for (i = 0; i < ra->deliveries->len; i++)
			g_hash_table_insert(pos, g_array_index(ra->deliveries, delivery, i).msg,
					    GUINT_TO_POINTER(i + 1));
		for (b = a + 1; b < w->recs->len; b++) {
			rec *rb = g_ptr_array_index(w->recs, b);
			guint prev = 0;

			for (i = 0; i < rb->deliveries->len; i++) {
				const delivery *d = &g_array_index(rb->deliveries, delivery, i);
				guint p = GPOINTER_TO_UINT(g_hash_table_lookup(pos, d->msg));
				const delivery *da;

				if (!p)
					continue;
				if (p <= prev) {
					g_hash_table_destroy(pos);
					return g_strdup_printf("order differs between n%u/%u and n%u/%u at %s",
							       ra->node, ra->pid, rb->node, rb->pid, d->msg);
				}
				prev = p;
				da = &g_array_index(ra->deliveries, delivery, p - 1);
				if (da->serial != d->serial) {
					char *e = g_strdup_printf(
						"%s delivered in %s by n%u/%u but in %s by n%u/%u", d->msg,
						da->cfg, ra->node, ra->pid, d->cfg, rb->node, rb->pid);

					g_hash_table_destroy(pos);
					return e;
				}
			}
		}
		g_hash_table_destroy(pos);
	}
	return NULL;
}

static char *check_sync(world *w)
{
	guint a, b;

	/* Every member sees a configuration as the same (ring, members); members moving
	 * together from one configuration to the same next one delivered the same
	 * messages in between (virtual synchrony). */
	for (a = 0; a < w->recs->len; a++) {
		rec *ra = g_ptr_array_index(w->recs, a);

		for (b = a + 1; b < w->recs->len; b++) {
			rec *rb = g_ptr_array_index(w->recs, b);
			guint ia, ib;

			for (ia = 0; ia < ra->serials->len; ia++) {
				uint64_t s1 = g_array_index(ra->serials, uint64_t, ia);

				for (ib = 0; ib < rb->serials->len; ib++) {
					GString *ma, *mb;
					guint k;
					bool same;

					if (g_array_index(rb->serials, uint64_t, ib) != s1)
						continue;
					if (!same_cfg(g_ptr_array_index(ra->cfgs, ia),
						      g_ptr_array_index(rb->cfgs, ib)))
						return g_strdup_printf("configuration %" PRIu64 " is %s at n%u/%u, %s at n%u/%u",
								       s1, (char *)g_ptr_array_index(ra->cfgs, ia),
								       ra->node, ra->pid,
								       (char *)g_ptr_array_index(rb->cfgs, ib),
								       rb->node, rb->pid);
					if (ia + 1 >= ra->serials->len || ib + 1 >= rb->serials->len ||
					    g_array_index(ra->serials, uint64_t, ia + 1) !=
						    g_array_index(rb->serials, uint64_t, ib + 1))
						continue;
					ma = g_string_new(NULL);
					mb = g_string_new(NULL);
					for (k = 0; k < ra->deliveries->len; k++) {
						const delivery *d = &g_array_index(ra->deliveries, delivery, k);

						if (d->serial == s1)
							g_string_append_printf(ma, "%s ", d->msg);
					}
					for (k = 0; k < rb->deliveries->len; k++) {
						const delivery *d = &g_array_index(rb->deliveries, delivery, k);

						if (d->serial == s1)
							g_string_append_printf(mb, "%s ", d->msg);
					}
					same = !strcmp(ma->str, mb->str);
					if (!same) {
						char *e = g_strdup_printf(
							"in configuration %" PRIu64 " (%s): n%u/%u delivered [%s], n%u/%u [%s]",
							s1, (char *)g_ptr_array_index(ra->cfgs, ia), ra->node,
							ra->pid, ma->str, rb->node, rb->pid, mb->str);

						g_string_free(ma, TRUE);
						g_string_free(mb, TRUE);
						return e;
					}
					g_string_free(ma, TRUE);
					g_string_free(mb, TRUE);
				}
			}
		}
	}
	return NULL;
}

/* Agreed order and virtual synchrony over a whole run; NULL or the first violation. */
static char *check_properties(world *w)
{
	char *err = check_each(w);

	if (!err)
		err = check_order(w);
	if (!err)
		err = check_sync(w);
	return err;
}

static void assert_properties(world *w)
{
	char *err = check_properties(w);

	if (err) {
		fprintf(stderr, "%s\n", err);
		if (w->log)
			fputs(w->log->str, stderr);
	}
	assert_null(err);
}

/* One random step of a run: mostly multicasts, sometimes a fault. */
static void random_action(world *w)
{
	ha_sim *sim = w->sim;
	uint32_t node = 1 + (uint32_t)ha__sim_random(sim, w->nodes);
	rec *r = cur(w, node);
	uint64_t dice = ha__sim_random(sim, 100);
	unsigned k;

	if (dice < 60) {
		unsigned burst = 1 + (unsigned)ha__sim_random(sim, 4);

		for (k = 0; k < burst && r && !r->dead; k++) {
			int rc = send_msg(w, r);

			if (rc == -ENOTCONN)
				r->sent--; /* refused: not counted */
			else
				assert_int_equal(rc, 0);
		}
	} else if (dice < 66) {
		unsigned side[HA_SIM_NODES_MAX];

		for (k = 0; k < w->nodes; k++)
			side[k] = (unsigned)ha__sim_random(sim, 3);
		assert_int_equal(ha__sim_partition(sim, side, w->nodes), 0);
	} else if (dice < 72) {
		assert_int_equal(ha__sim_merge(sim), 0);
	} else if (dice < 75) {
		if (ha__sim_crash(sim, node) == 0 && r)
			r->dead = true;
	} else if (dice < 80) {
		/* Bring back what is down, with a new process where none lives. */
		ha__sim_restart(sim, node);
		if ((!r || r->dead) && ha__sim_corosync_up(sim, node))
			spawn(w, node, true);
	} else if (dice < 84) {
		if (r && !r->dead && ha__sim_kill_process(sim, node) == 0)
			r->dead = true;
	} else if (dice < 87) {
		ha__sim_cut_after_own_delivery(sim, node);
	} else if (dice < 91) {
		ha__sim_stall(sim, node, ha__sim_random(sim, 2));
	} else if (dice < 93) {
		ha__sim_kill_corosync(sim, node);
	} else if (dice < 96 && r && !r->dead) {
		/* Clean leave; a new process comes right back. */
		ha__transport_free(r->t);
		r->t = NULL;
		r->dead = true;
		if (ha__sim_corosync_up(sim, node))
			spawn(w, node, true);
	}
}

/* One random run: processes on every node multicast while faults come and go; then
 * everything heals and settles. Returns the number of messages delivered in total. */
static size_t random_run(world *w, unsigned actions)
{
	ha_sim *sim = w->sim;
	unsigned i, k;
	size_t total = 0;

	for (k = 1; k <= w->nodes; k++)
		spawn(w, k, true);
	for (i = 0; i < actions; i++) {
		ha__sim_run_until(sim, ha__sim_now(sim) + ha__sim_random(sim, 400));
		random_action(w);
	}
	/* Heal: everyone connected, running, released; then settle. */
	assert_int_equal(ha__sim_merge(sim), 0);
	for (k = 1; k <= w->nodes; k++) {
		rec *r = cur(w, k);

		ha__sim_stall(sim, k, false);
		ha__sim_restart(sim, k);
		if (!r || r->dead)
			spawn(w, k, true);
	}
	run_all(w);
	/* One more message from everyone, to see the healed group agree; a pending
	 * cut-after-own-delivery fault may strike now, so heal once more. */
	for (k = 1; k <= w->nodes; k++)
		assert_int_equal(send_msg(w, cur(w, k)), 0);
	run_all(w);
	assert_int_equal(ha__sim_merge(sim), 0);
	run_all(w);
	for (i = 0; i < w->recs->len; i++)
		total += ((rec *)g_ptr_array_index(w->recs, i))->deliveries->len;
	return total;
}

static void test_agreed_order_property(void **state)
{
	uint64_t seed;
	size_t total = 0;

	(void)state;
	for (seed = 1; seed <= PROPERTY_SEEDS; seed++) {
		unsigned nodes = 2 + (unsigned)(seed % 4);
		world *w = world_new(seed, nodes, false, NULL);
		char *err;
		unsigned k;

		total += random_run(w, 80);
		err = check_properties(w);
		if (err) {
			/* Replay the failing seed with the event log. */
			world *replay = world_new(seed, nodes, true, NULL);

			random_run(replay, 80);
			fprintf(stderr, "seed %" PRIu64 ": %s\n%s", seed, err, replay->log->str);
			world_free(replay);
		}
		assert_null(err);
		/* After healing, all current processes share the final configuration. */
		for (k = 2; k <= nodes; k++)
			assert_true(same_cfg(last_cfg(cur(w, 1)), last_cfg(cur(w, k))));
		world_free(w);
	}
	/* The runs did deliver (a silent simulator passes every property). */
	assert_true(total > PROPERTY_SEEDS * 50);
}

/* ---- focused behaviours -------------------------------------------------------------- */

static void start_all(world *w)
{
	unsigned k;

	for (k = 1; k <= w->nodes; k++)
		spawn(w, k, true);
	run_all(w);
}

static void test_join_sees_consistent_configuration(void **state)
{
	world *w = world_new(7, 3, true, NULL);
	rec *r3;
	guint i;

	(void)state;
	spawn(w, 1, true);
	spawn(w, 2, true);
	run_all(w);
	assert_int_equal(send_msg(w, cur(w, 1)), 0);
	assert_int_equal(send_msg(w, cur(w, 2)), 0);
	run_all(w);
	r3 = spawn(w, 3, true);
	/* Sent while 3's join is being ordered: delivered to 3 or not, consistently. */
	assert_int_equal(send_msg(w, cur(w, 1)), 0);
	run_all(w);
	assert_int_equal(send_msg(w, cur(w, 2)), 0);
	run_all(w);
	/* 3's first configuration is the group as the others see it after the join. */
	assert_int_equal(r3->memb_calls, 1);
	assert_string_equal(g_ptr_array_index(r3->cfgs, 0), "4|1,2,3|3|");
	assert_string_equal(last_cfg(cur(w, 1)), "4|1,2,3|3|");
	assert_string_equal(last_cfg(cur(w, 2)), "4|1,2,3|3|");
	/* It never sees what was delivered before its join, and sees all that follows. */
	assert_int_equal(count_delivered(r3, "1:1:1"), 0);
	assert_int_equal(count_delivered(r3, "2:2:2"), 1);
	/* 1:1:2 raced with the join: 3 has it iff it came in a configuration with 3. */
	for (i = 0; i < cur(w, 1)->deliveries->len; i++) {
		const delivery *d = &g_array_index(cur(w, 1)->deliveries, delivery, i);

		if (!strcmp(d->msg, "1:1:2"))
			assert_int_equal(count_delivered(r3, "1:1:2"),
					 strstr(d->cfg, "|1,2,3|") ? 1 : 0);
	}
	assert_properties(w);
	assert_no_errors(w);
	world_free(w);
}

static void test_own_delivery_then_cut(void **state)
{
	world *w = world_new(11, 3, true, NULL);
	uint64_t ring;
	char buf[128];

	(void)state;
	start_all(w);
	ring = ha__sim_ring_id(w->sim, 1);
	assert_int_equal(ha__sim_cut_after_own_delivery(w->sim, 1), 0);
	assert_int_equal(send_msg(w, cur(w, 1)), 0);
	run_all(w);
	/* Agreed, not safe: the sender delivered its message, nobody else did. */
	assert_int_equal(count_delivered(cur(w, 1), "1:1:1"), 1);
	assert_int_equal(count_delivered(cur(w, 2), "1:1:1"), 0);
	assert_int_equal(count_delivered(cur(w, 3), "1:1:1"), 0);
	/* Then it was cut off: each side saw the other leave uncleanly. */
	assert_true(ha__sim_ring_id(w->sim, 1) > ring);
	assert_string_equal(last_cfg(cur(w, 1)),
			    cfg_key(buf, sizeof(buf), ha__sim_ring_id(w->sim, 1), "1||2,3"));
	assert_false(cur(w, 1)->quorate);
	assert_true(cur(w, 2)->quorate);
	assert_int_equal(cur(w, 2)->members->len, 2);
	/* The message came before the configuration change, on the sender. */
	assert_string_equal(g_array_index(cur(w, 1)->deliveries, delivery, 0).cfg,
			    g_ptr_array_index(cur(w, 1)->cfgs, cur(w, 1)->cfgs->len - 2));
	assert_no_errors(w);
	world_free(w);
}

static void test_procdown_keeps_quorum(void **state)
{
	world *w = world_new(13, 3, true, NULL);
	uint64_t ring;
	unsigned q2;
	char buf[128];

	(void)state;
	start_all(w);
	ring = ha__sim_ring_id(w->sim, 1);
	q2 = cur(w, 2)->quorum_calls;
	assert_int_equal(ha__sim_kill_process(w->sim, 3), 0);
	cur(w, 3)->dead = true;
	run_all(w);
	/* The others see PROCDOWN in the same ring; quorum (and its members) unchanged. */
	assert_string_equal(last_cfg(cur(w, 1)), cfg_key(buf, sizeof(buf), ring, "1,2||3"));
	assert_int_equal(ha__sim_ring_id(w->sim, 1), ring);
	assert_true(ha__sim_quorate(w->sim, 3));
	assert_int_equal(cur(w, 2)->quorum_calls, q2);
	assert_true(cur(w, 2)->quorate);
	/* A new process on node 3 joins the same ring. */
	spawn(w, 3, true);
	run_all(w);
	assert_string_equal(last_cfg(cur(w, 1)), cfg_key(buf, sizeof(buf), ring, "1,2,3|3|"));
	/* A crash is different: NODEDOWN, a new ring, node 3 out of the quorum. */
	assert_int_equal(ha__sim_crash(w->sim, 3), 0);
	cur(w, 3)->dead = true;
	run_all(w);
	assert_true(ha__sim_ring_id(w->sim, 1) > ring);
	assert_true(cur(w, 1)->quorate);
	assert_int_equal(cur(w, 1)->qring, ha__sim_ring_id(w->sim, 1));
	assert_no_errors(w);
	world_free(w);
}

/* Records the leave reasons seen by node 1, for test_leave_reason_values. */
typedef struct {
	GString *s;
} reasons;

static void rs_deliver(void *ud, uint32_t from, const void *msg, size_t len)
{
	(void)ud;
	(void)from;
	(void)msg;
	(void)len;
}

static void rs_membership(void *ud, uint64_t ring, const uint32_t *members, size_t n,
			  const uint32_t *joined, size_t n_joined, const uint32_t *left,
			  const ha_leave_reason *why, size_t n_left)
{
	reasons *rs = ud;
	size_t i;

	(void)ring;
	(void)members;
	(void)n;
	(void)joined;
	(void)n_joined;
	for (i = 0; i < n_left; i++)
		g_string_append_printf(rs->s, "%u:%d ", left[i], (int)why[i]);
}

static void rs_quorum(void *ud, bool q, uint64_t ring, const uint32_t *m, size_t n)
{
	(void)ud;
	(void)q;
	(void)ring;
	(void)m;
	(void)n;
}

static void rs_connection(void *ud, int err)
{
	(void)ud;
	(void)err;
}

static void test_leave_reason_values(void **state)
{
	static const ha_transport_events ev = {
		.deliver = rs_deliver,
		.membership = rs_membership,
		.quorum = rs_quorum,
		.connection = rs_connection,
	};
	world *w = world_new(19, 4, false, NULL);
	reasons rs = { .s = g_string_new(NULL) };
	ha_transport *t1;

	(void)state;
	assert_int_equal(ha__sim_transport_new(w->sim, 1, &ev, &rs, &t1), 0);
	assert_int_equal(ha__transport_join(t1, "g"), 0);
	spawn(w, 2, true);
	spawn(w, 3, true);
	spawn(w, 4, true);
	run_all(w);
	ha__transport_free(cur(w, 4)->t);
	cur(w, 4)->t = NULL;
	run_all(w);
	ha__sim_kill_process(w->sim, 3);
	run_all(w);
	ha__sim_isolate(w->sim, 2);
	run_all(w);
	assert_string_equal(rs.s->str, "4:1 3:3 2:2 ");
	ha__transport_free(t1);
	g_string_free(rs.s, TRUE);
	world_free(w);
}

static void test_partition_merge(void **state)
{
	static const unsigned split[] = { 0, 0, 1, 1, 1 };
	world *w = world_new(23, 5, true, NULL);
	uint64_t before;
	char buf[128];

	(void)state;
	start_all(w);
	before = ha__sim_ring_id(w->sim, 1);
	assert_int_equal(ha__sim_partition(w->sim, split, 5), 0);
	/* Nothing changes before the failure is detected. */
	ha__sim_run_until(w->sim, ha__sim_now(w->sim) + 1000);
	assert_int_equal(ha__sim_ring_id(w->sim, 1), before);
	assert_int_equal(send_msg(w, cur(w, 1)), 0); /* waits: the ring has no token */
	run_all(w);
	assert_false(cur(w, 1)->quorate);
	assert_true(cur(w, 3)->quorate);
	/* Both sides grew their ring id from the same old one: the same number. */
	assert_int_equal(ha__sim_ring_id(w->sim, 1), before + 4);
	assert_int_equal(ha__sim_ring_id(w->sim, 3), before + 4);
	/* The message sent during detection was delivered in the new configuration. */
	assert_int_equal(count_delivered(cur(w, 2), "1:1:1"), 1);
	assert_int_equal(count_delivered(cur(w, 3), "1:1:1"), 0);
	assert_string_equal(g_array_index(cur(w, 2)->deliveries, delivery, 0).cfg,
			    cfg_key(buf, sizeof(buf), before + 4, "1,2||3,4,5"));
	assert_int_equal(ha__sim_merge(w->sim), 0);
	run_all(w);
	assert_int_equal(ha__sim_ring_id(w->sim, 1), before + 8);
	assert_string_equal(last_cfg(cur(w, 1)),
			    cfg_key(buf, sizeof(buf), before + 8, "1,2,3,4,5|3,4,5|"));
	assert_string_equal(last_cfg(cur(w, 4)),
			    cfg_key(buf, sizeof(buf), before + 8, "1,2,3,4,5|1,2|"));
	assert_true(cur(w, 1)->quorate);
	assert_properties(w);
	assert_no_errors(w);
	world_free(w);
}

static void test_both_callback_orders(void **state)
{
	unsigned quorum_first = 0, membership_first = 0;
	uint64_t seed;

	(void)state;
	for (seed = 100; seed < 120; seed++) {
		world *w = world_new(seed, 3, false, NULL);
		unsigned k;

		start_all(w);
		for (k = 0; k < 3; k++) {
			ha__sim_isolate(w->sim, 1 + (uint32_t)(seed + k) % 3);
			run_all(w);
			ha__sim_merge(w->sim);
			run_all(w);
		}
		for (k = 1; k <= 3; k++) {
			quorum_first += cur(w, k)->quorum_first;
			membership_first += cur(w, k)->membership_first;
		}
		assert_no_errors(w);
		world_free(w);
	}
	/* Corosync gives no order between the two: the simulator must show both. */
	assert_true(quorum_first > 10);
	assert_true(membership_first > 10);
}

static void test_stuck_member(void **state)
{
	world *w = world_new(29, 3, true, NULL);
	unsigned i;

	(void)state;
	start_all(w);
	assert_int_equal(ha__sim_stall(w->sim, 2, true), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(send_msg(w, cur(w, 1)), 0);
	ha__sim_run_until(w->sim, ha__sim_now(w->sim) + 60000);
	/* Still a member everywhere; nothing handled; its backlog holds all 50. */
	assert_int_equal(count_delivered(cur(w, 3), "1:"), 50);
	assert_int_equal(count_delivered(cur(w, 2), "1:"), 0);
	assert_int_equal(ha__sim_backlog(w->sim, 2), 50);
	assert_int_equal(cur(w, 3)->members->len, 3);
	assert_int_equal(ha__sim_stall(w->sim, 2, false), 0);
	run_all(w);
	assert_int_equal(count_delivered(cur(w, 2), "1:"), 50);
	assert_int_equal(ha__sim_backlog(w->sim, 2), 0);
	assert_properties(w);
	world_free(w);
}

static void test_clock_skew(void **state)
{
	ha_sim_options o;
	world *w;
	uint64_t a, b;

	(void)state;
	ha__sim_options_init(&o, 31, 3);
	o.skew_max_ms = 2000;
	w = world_new(31, 3, false, &o);
	a = ha__sim_node_now(w->sim, 1);
	b = ha__sim_node_now(w->sim, 2);
	assert_true(a != b);
	assert_true(a >= HA_SIM_EPOCH_MS - 2000 && a <= HA_SIM_EPOCH_MS + 2000);
	assert_int_equal(ha__sim_set_clock_offset(w->sim, 3, -1500), 0);
	assert_int_equal(ha__sim_set_clock_offset(w->sim, 4, 0), -EINVAL);
	ha__sim_run_until(w->sim, 10000);
	assert_int_equal(ha__sim_node_now(w->sim, 3), HA_SIM_EPOCH_MS + 10000 - 1500);
	/* Clocks advance at the same rate: differences stay. */
	assert_int_equal(ha__sim_node_now(w->sim, 1) - a, 10000);
	world_free(w);
}

typedef struct {
	world *w;
	GString *fired;
	const char *name;
} timer_ctx;

static void on_timer(void *ud)
{
	timer_ctx *c = ud;

	g_string_append_printf(c->fired, "%s@%" PRIu64 " ", c->name, ha__sim_now(c->w->sim));
}

static void test_timers(void **state)
{
	world *w = world_new(37, 3, false, NULL);
	GString *fired = g_string_new(NULL);
	timer_ctx a = { w, fired, "a" }, b = { w, fired, "b" }, c = { w, fired, "c" },
		  d = { w, fired, "d" }, e = { w, fired, "e" };
	uint64_t id_c;

	(void)state;
	start_all(w);
	ha__sim_run_until(w->sim, 1000);
	assert_true(ha__sim_timer_add(w->sim, 1, 500, on_timer, &a) > 0);
	assert_true(ha__sim_timer_add(w->sim, 1, 100, on_timer, &b) > 0);
	id_c = ha__sim_timer_add(w->sim, 2, 100, on_timer, &c);
	assert_true(ha__sim_timer_add(w->sim, 3, 200, on_timer, &d) > 0);
	assert_true(ha__sim_timer_add(w->sim, 2, 300, on_timer, &e) > 0);
	assert_int_equal(ha__sim_timer_add(w->sim, 9, 1, on_timer, &e), 0);
	assert_true(ha__sim_timer_cancel(w->sim, id_c));
	assert_false(ha__sim_timer_cancel(w->sim, id_c));
	/* A stalled process's timers wait; a crashed one's never fire. */
	ha__sim_stall(w->sim, 2, true);
	ha__sim_crash(w->sim, 3);
	cur(w, 3)->dead = true;
	ha__sim_run_until(w->sim, 1400);
	ha__sim_stall(w->sim, 2, false);
	run_all(w);
	assert_string_equal(fired->str, "b@1100 e@1400 a@1500 ");
	g_string_free(fired, TRUE);
	world_free(w);
}

static void test_corosync_loss_and_reconnect(void **state)
{
	world *w = world_new(41, 3, true, NULL);
	rec *r2;

	(void)state;
	start_all(w);
	r2 = cur(w, 2);
	assert_int_equal(ha__sim_kill_corosync(w->sim, 2), 0);
	assert_int_equal(send_msg(w, r2), -ENOTCONN);
	r2->sent--;
	run_all(w);
	assert_int_equal(r2->conn_losses, 1);
	assert_false(ha__sim_corosync_up(w->sim, 2));
	assert_non_null(strstr(last_cfg(cur(w, 1)), "|1,3||2"));
	assert_true(cur(w, 1)->quorate); /* 2 of 3 */
	assert_int_equal(ha__sim_restart(w->sim, 2), 0);
	run_all(w);
	/* The same process reconnected and rejoined by itself. */
	assert_int_equal(r2->conn_backs, 1);
	assert_int_equal(r2->members->len, 3);
	assert_true(r2->quorate);
	assert_non_null(strstr(last_cfg(cur(w, 1)), "|1,2,3|2|"));
	assert_int_equal(send_msg(w, r2), 0);
	run_all(w);
	assert_int_equal(count_delivered(cur(w, 3), "2:"), 1);
	assert_properties(w);
	assert_no_errors(w);
	world_free(w);
}

typedef struct {
	ha_transport *t;
	unsigned delivered;
} self_freeing;

static void sf_deliver(void *ud, uint32_t from, const void *msg, size_t len)
{
	self_freeing *s = ud;

	(void)from;
	(void)msg;
	(void)len;
	s->delivered++;
	ha__transport_free(s->t); /* from inside its own callback */
	s->t = NULL;
}

static void test_free_inside_callback(void **state)
{
	static const ha_transport_events ev = {
		.deliver = sf_deliver,
		.membership = rs_membership,
		.quorum = rs_quorum,
		.connection = rs_connection,
	};
	world *w = world_new(43, 2, true, NULL);
	self_freeing s = { 0 };
	reasons rs = { .s = g_string_new(NULL) };

	(void)state;
	(void)rs;
	assert_int_equal(ha__sim_transport_new(w->sim, 1, &ev, &s, &s.t), 0);
	assert_int_equal(ha__transport_join(s.t, "g"), 0);
	spawn(w, 2, true);
	run_all(w);
	assert_int_equal(send_msg(w, cur(w, 2)), 0);
	assert_int_equal(send_msg(w, cur(w, 2)), 0);
	run_all(w);
	/* Freed inside the first delivery: no second one, and the others see a clean
	 * leave (after both messages, which were ordered before it). */
	assert_int_equal(s.delivered, 1);
	assert_null(s.t);
	assert_string_equal(last_cfg(cur(w, 2)), "4|2||1");
	assert_int_equal(count_delivered(cur(w, 2), "2:"), 2);
	/* Node 1 can host a new process. */
	spawn(w, 1, true);
	run_all(w);
	assert_string_equal(last_cfg(cur(w, 2)), "4|1,2|1|");
	assert_no_errors(w);
	g_string_free(rs.s, TRUE);
	world_free(w);
}

static void test_determinism(void **state)
{
	world *a = world_new(4242, 4, true, NULL), *b = world_new(4242, 4, true, NULL);
	world *c = world_new(4243, 4, true, NULL);

	(void)state;
	random_run(a, 80);
	random_run(b, 80);
	random_run(c, 80);
	assert_true(a->log->len > 1000);
	assert_string_equal(a->log->str, b->log->str);
	assert_true(strcmp(a->log->str, c->log->str) != 0);
	world_free(a);
	world_free(b);
	world_free(c);
}

static void test_argument_checks(void **state)
{
	ha_sim_options o;
	ha_sim *sim;
	ha_transport *t;
	char big[2048];

	(void)state;
	ha__sim_options_init(&o, 1, 0);
	assert_int_equal(ha__sim_new(&o, &sim), -EINVAL);
	ha__sim_options_init(&o, 1, 2);
	o.max_msg = 1024;
	assert_int_equal(ha__sim_new(&o, &sim), 0);
	assert_int_equal(ha__sim_transport_new(sim, 3, &rec_events, NULL, &t), -EINVAL);
	assert_int_equal(ha__sim_transport_new(sim, 1, &(ha_transport_events){ 0 }, NULL, &t),
			 -EINVAL);
	assert_int_equal(ha__sim_transport_new(sim, 1, &rec_events, NULL, &t), 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(ha__transport_send(t, big, 10), -ENOTCONN); /* not joined */
	assert_int_equal(ha__transport_join(t, ""), -EINVAL);
	memset(big, 'g', 200);
	big[200] = '\0';
	assert_int_equal(ha__transport_join(t, big), -ENAMETOOLONG);
	assert_int_equal(ha__transport_join(t, "g"), 0);
	assert_int_equal(ha__transport_join(t, "g"), -EALREADY);
	assert_int_equal(ha__transport_send(t, big, 1025), -EMSGSIZE);
	assert_int_equal(ha__transport_send(t, big, 0), -EINVAL);
	assert_int_equal(ha__transport_local_id(t), 1);
	assert_string_equal(ha__transport_node_name(t, 2), "n2");
	assert_null(ha__transport_node_name(t, 3));
	assert_int_equal(ha__transport_max_msg(t), 1024);
	assert_int_equal(ha__sim_restart(sim, 1), -EALREADY);
	assert_int_equal(ha__sim_kill_process(sim, 2), -ESRCH);
	/* The world goes first: the transport is detached, then freed alone. */
	ha__sim_free(sim);
	assert_int_equal(ha__transport_send(t, "x", 1), -EMSGSIZE);
	assert_null(ha__transport_node_name(t, 1));
	ha__transport_free(t);
	ha__transport_free(NULL);
}

int ha_test_run_sim(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argument_checks),
		cmocka_unit_test(test_join_sees_consistent_configuration),
		cmocka_unit_test(test_own_delivery_then_cut),
		cmocka_unit_test(test_procdown_keeps_quorum),
		cmocka_unit_test(test_leave_reason_values),
		cmocka_unit_test(test_partition_merge),
		cmocka_unit_test(test_both_callback_orders),
		cmocka_unit_test(test_stuck_member),
		cmocka_unit_test(test_clock_skew),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_corosync_loss_and_reconnect),
		cmocka_unit_test(test_free_inside_callback),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_agreed_order_property),
	};

	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
