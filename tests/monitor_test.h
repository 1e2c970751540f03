/*
 * monitor_test.h - what the copy and zero-copy monitor tests share: a
 * frame from one host to another, and the threaded harness in which
 * monitors are opened, read and closed while a sender on vale0:a and a
 * receiver on vale0:b keep traffic flowing (TSan runs it too).
 *
 * The harness: mt_run() starts the test's churn thread (its own monitors),
 * a receiver and a flow-controlled sender of MT_FRAMES frames, joins the
 * sender and the receiver, stops the churn and joins it, and checks that
 * the receiver got every frame in order with nothing dropped and that the
 * churn closed at least one monitor.
 */
#ifndef MONITOR_TEST_H
#define MONITOR_TEST_H

#include "vale_test.h"

#include "nm_shim.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* Frames from host `from` (behind port p) to host `to`. */
static inline void send_seq(struct nm_port *p, uint32_t from, uint32_t to,
			    uint32_t seq)
{
	uint8_t mac[6];

	vt_mac(mac, to);
	vt_send(p, 0, mac, from, from, seq, 60);
}

#define MT_FRAMES 20000U

struct mt_state {
	struct nm_registry reg;
	struct nm_port *a, *b;
	atomic_bool stop;
	atomic_uint received;
	atomic_uint monitors, mon_frames; /* the churn's counts */
	uint32_t order_errors; /* receiver's; joined before reading */
};

/*
 * A sync from a worker thread.  A monitor feeding on an RX notification
 * holds the monitored ring for its import (nm_kring_tap_arrivals()), so a
 * sync of that ring from its owner may find it busy: -EBUSY, the ring
 * skipped (as NIOCRXSYNC skips a ring another thread syncs); try again.
 * cmocka's asserts cannot fail a test from a thread (they exit silently),
 * so any other error aborts with its value.
 */
static inline void mt_sync(struct nm_port *p, uint32_t dir)
{
	int rc;

	while ((rc = vt_sync(p, dir, 0)) == -EBUSY)
		sched_yield();
	if (rc != 0) {
		fprintf(stderr, "monitor test: sync of %s failed: %d\n", p->name, rc);
		abort();
	}
}

/* vt_rx_ready() with mt_sync(): the slots ready on RX ring 0. */
static inline uint32_t mt_rx_ready(struct nm_port *p)
{
	mt_sync(p, NR_RX);
	return vt_space(vt_ring(p, NR_RX, 0));
}

static inline void *mt_sender(void *v)
{
	struct mt_state *st = v;
	struct netmap_ring *r = vt_ring(st->a, NR_TX, 0);
	uint32_t seq = 0;

	while (seq < MT_FRAMES) {
		/* Flow control: b's ring (1023 slots) never overflows, as
		 * received counts what b has already released. */
		while (seq - atomic_load(&st->received) > 512)
			sched_yield();
		while (seq < MT_FRAMES && vt_space(r) > 0)
			send_seq(st->a, 0, 1, seq++);
		mt_sync(st->a, NR_TX);
	}
	return NULL;
}

static inline void *mt_receiver(void *v)
{
	struct mt_state *st = v;
	struct netmap_ring *r = vt_ring(st->b, NR_RX, 0);
	uint32_t next = 0, k, n;

	while (next < MT_FRAMES) {
		n = mt_rx_ready(st->b); /* releases what came before */
		atomic_store(&st->received, next);
		for (k = 0; k < n; k++) {
			struct netmap_slot *s = &r->slot[r->head];
			uint32_t seq = vt_payload_of(
				nm_ring_user_buf(r, s->buf_idx)).seq;

			if (seq != next)
				st->order_errors++;
			next = seq + 1;
			r->head = nm_idx_next(r->head, r->num_slots);
		}
	}
	atomic_store(&st->received, next);
	return NULL;
}

/* st->a and st->b open (b's ring larger than a's, so a sync never overruns
 * it): b's address is learnt, then the three threads run to the end. */
static inline void mt_run(struct mt_state *st, void *(*churn)(void *))
{
	struct nm_os_kthread ts, tr, tc;

	/* b's address is learnt before traffic starts: all unicast. */
	send_seq(st->b, 1, 0, 0);
	assert_int_equal(vt_sync(st->b, NR_TX, 0), 0);
	vt_rx_drain(st->a, 0);
	assert_int_equal(nm_os_kthread_create(&tc, churn, st, "churn"), 0);
	assert_int_equal(nm_os_kthread_create(&tr, mt_receiver, st, "rx"), 0);
	assert_int_equal(nm_os_kthread_create(&ts, mt_sender, st, "tx"), 0);
	nm_os_kthread_join(&ts);
	nm_os_kthread_join(&tr);
	atomic_store(&st->stop, true);
	nm_os_kthread_join(&tc);
	/* Nothing lost or reordered for the real receiver. */
	assert_int_equal(atomic_load(&st->received), MT_FRAMES);
	assert_int_equal(st->order_errors, 0);
	assert_int_equal(vale_port_drops_total(vt_vale(st->a)), 0);
	assert_true(atomic_load(&st->monitors) >= 1);
}

#endif /* MONITOR_TEST_H */
