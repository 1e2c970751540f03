/*
 * test_nm_monitor.c - copy monitors (core/nm_monitor.c): what a monitor
 * sees and in what order, NS_TXMON, a full monitor ring, hostile slots,
 * several monitors per port, names and flags, lifetimes, and a monitor
 * opened and closed while threads keep traffic flowing (TSan too).
 */
#include "monitor_test.h"

#include "csb.h"
#include "nm_monitor.h"
#include "nm_shim.h"

#include <sched.h>
#include <stdatomic.h>

static struct nm_monitor *mon_of(struct nm_port *p)
{
	assert_int_equal(p->kind, NM_PORT_MONITOR);
	return (struct nm_monitor *)p;
}

static struct nm_port *mon_open(struct nm_registry *reg, const char *name,
				uint32_t slots)
{
	struct nm_port_geom g = { 0, 0, slots, slots, 0 };
	struct nm_port *m = NULL;

	assert_int_equal(nm_port_open(reg, name, &g, &m), 0);
	assert_non_null(m);
	(void)mon_of(m);
	return m;
}

/* Read the k-th ready slot of monitor ring 0: seq, flags. */
static uint32_t mon_seq(struct nm_port *m, uint32_t k, uint16_t *flags)
{
	struct netmap_ring *r = vt_ring(m, NR_RX, 0);
	struct netmap_slot *s = &r->slot[nm_idx_add(r->head, k, r->num_slots)];

	if (flags != NULL)
		*flags = s->flags;
	assert_int_equal(s->len, 60);
	return vt_payload_of(nm_ring_user_buf(r, s->buf_idx)).seq;
}

static void test_nm_monitor_tx_rx_order(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *mt, *mr, *mb;
	uint16_t fl;
	uint32_t k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	mt = mon_open(&reg, "vale0:a/t", 0);
	mr = mon_open(&reg, "vale0:b/r", 0);
	mb = mon_open(&reg, "vale0:b/rt", 0); /* a second monitor of b */
	/* Geometry: the parent's slots, one TX ring, max(tx, rx) RX rings. */
	assert_int_equal(mt->num_slots[NR_RX], 64);
	assert_int_equal(mt->num_rings[NR_TX], 1);
	assert_int_equal(mt->num_rings[NR_RX], 1);
	/* b learns, then a sends 5 unicast frames to b in one sync. */
	send_seq(b, 1, 0, 100);
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	vt_rx_drain(a, 0);
	for (k = 0; k < 5; k++)
		send_seq(a, 0, 1, k);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	/* The TX monitor saw them at the send, in order, with NS_TXMON. */
	assert_int_equal(vt_rx_ready(mt, 0), 5);
	for (k = 0; k < 5; k++) {
		assert_int_equal(mon_seq(mt, k, &fl), k);
		assert_true(fl & NS_TXMON);
	}
	/* b's RX monitor saw them arrive, before b's user synced. */
	assert_int_equal(vt_rx_ready(mr, 0), 5);
	for (k = 0; k < 5; k++) {
		assert_int_equal(mon_seq(mr, k, &fl), k);
		assert_false(fl & NS_TXMON);
	}
	/* b's rxsyncs import nothing new for it: seen exactly once. */
	assert_int_equal(vt_rx_ready(b, 0), 5);
	assert_int_equal(vt_rx_ready(b, 0), 5);
	assert_int_equal(vt_rx_ready(mr, 0), 5);
	/* mb monitors both directions of b: b's earlier TX (seq 100) and
	 * its RX, in the order the syncs ran. */
	assert_int_equal(vt_rx_ready(mb, 0), 6);
	assert_int_equal(mon_seq(mb, 0, &fl), 100);
	assert_true(fl & NS_TXMON);
	assert_int_equal(mon_seq(mb, 1, &fl), 0);
	assert_false(fl & NS_TXMON);
	assert_int_equal(nm_os_counter_read(&mon_of(mb)->stats.seen), 6);
	/* Monitors cannot inject. */
	vt_put(vt_ring(mt, NR_TX, 0), NULL, 60, 0);
	assert_int_equal(vt_sync(mt, NR_TX, 0), -EIO);
	nm_port_close(mt);
	nm_port_close(mr);
	nm_port_close(mb);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* A port whose rings a kernel loop drives through the CSB (ptnetmap) is
 * monitored like one driven by syscalls: the reference's monitors wrap
 * the kring's nm_sync, which its sync kloop calls as well.  Here the
 * kloop's csb_host_step() must run the taps. */
static void test_nm_monitor_sees_kloop(void **state)
{
	struct csb_pair {
		struct nm_csb_atok atok[2];
		struct nm_csb_ktoa ktoa[2];
	} *csb = aligned_alloc(64, sizeof(struct csb_pair));
	struct nm_registry reg;
	struct nm_port *a, *b, *mt, *mr;
	struct csb_host_ring htx, hrx;
	struct csb_guest gtx, grx;
	struct netmap_ring *tx, *rx;
	unsigned todo;
	uint32_t k;

	(void)state;
	assert_non_null(csb);
	memset(csb, 0, sizeof(*csb));
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	mt = mon_open(&reg, "vale0:a/t", 0);
	mr = mon_open(&reg, "vale0:b/r", 0);
	/* b learns (a syscall), then a's TX and b's RX go to kloops. */
	send_seq(b, 1, 0, 100);
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	vt_rx_drain(a, 0);
	assert_int_equal(vt_rx_drain(mr, 0), 0);
	assert_int_equal(csb_host_ring_init(&htx, nm_port_kring(a, NR_TX, 0), &csb->atok[0],
					    &csb->ktoa[0], CSB_MODE_EVENTFD), 0);
	assert_int_equal(csb_guest_init(&gtx, NM_KRING_TX, 64, &csb->atok[0], &csb->ktoa[0]), 0);
	assert_int_equal(csb_host_ring_init(&hrx, nm_port_kring(b, NR_RX, 0), &csb->atok[1],
					    &csb->ktoa[1], CSB_MODE_EVENTFD), 0);
	assert_int_equal(csb_guest_init(&grx, NM_KRING_RX, 64, &csb->atok[1], &csb->ktoa[1]), 0);
	/* The guest fills 5 slots and publishes them in the CSB; a's kloop
	 * forwards them to b, b's kloop imports them. */
	tx = vt_ring(a, NR_TX, 0);
	for (k = 0; k < 5; k++)
		send_seq(a, 0, 1, k);
	assert_int_equal(csb_guest_txsync(&gtx, tx->head, tx->head, &todo), 0);
	assert_int_equal(csb_host_step(&htx, 0, &todo), 0);
	/* The switch's notification of b let b's RX copy monitor import
	 * the frames (nm_kring_tap_arrivals()) before b's kloop ran: the
	 * kloop must still hand them over with the interrupt the guest
	 * asked for (the CSB starts with appl_need_kick = 1), or the guest
	 * sleeps on them forever. */
	assert_int_equal(csb_host_step(&hrx, 0, &todo), 0);
	assert_true(todo & CSB_DO_NOTIFY);
	assert_int_equal(csb_guest_rxsync(&grx, grx.head, grx.head, &todo), 0);
	rx = vt_ring(b, NR_RX, 0);
	assert_int_equal(nm_idx_dist(grx.head, grx.hwtail, rx->num_slots), 5);
	/* Each monitor saw the five, in order. */
	assert_int_equal(vt_rx_ready(mt, 0), 5);
	assert_int_equal(vt_rx_ready(mr, 0), 5);
	for (k = 0; k < 5; k++) {
		assert_int_equal(mon_seq(mt, k, NULL), k);
		assert_int_equal(mon_seq(mr, k, NULL), k);
	}
	nm_port_close(mr);
	nm_port_close(mt);
	nm_port_close(b);
	nm_port_close(a);
	nm_registry_fini(&reg);
	free(csb);
}

static void test_nm_monitor_names_and_flags(void **state)
{
	struct nm_port_geom g = { 0, 0, 0, 0, 0 };
	struct nm_registry reg;
	struct nm_port *a, *m = NULL;
	uint64_t f = 0;
	size_t len = 0;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 2, 32);
	/* The monitored port must be open (the reference: not in netmap
	 * mode), and is never created by a monitor. */
	assert_int_equal(nm_port_open(&reg, "vale0:nope/t", &g, &m), -EINVAL);
	assert_int_equal(vale_port_find(&reg, "vale0:nope", &(uint32_t){ 0 },
					&(uint32_t){ 0 }),
			 -ENXIO);
	/* Zero-copy needs spare buffers in the parent's region: none here. */
	assert_int_equal(nm_port_open(&reg, "vale0:a/z", &g, &m), -ENOMEM);
	assert_int_equal(nm_port_open(&reg, "x{1/t", &g, &m), -EOPNOTSUPP);
	assert_int_equal(nm_port_open(&reg, "vale0:a/q", &g, &m), -EINVAL);
	assert_int_equal(nm_port_open(&reg, "vale0:a/", &g, &m), -EINVAL);
	assert_int_equal(nm_port_open(&reg, "eth0/t", &g, &m), -ENXIO);
	assert_false(nm_monitor_name_split("/t", &len, &f));
	assert_true(nm_monitor_name_split("vale0:a/tr", &len, &f));
	assert_int_equal(len, 7);
	assert_int_equal(f, NR_MONITOR_TX | NR_MONITOR_RX);
	/* The ABI's way: flags on a plain name. */
	assert_int_equal(nm_port_open_flags(&reg, "vale0:a", NR_ZCOPY_MON, &g,
					    &m),
			 -ENOMEM);
	g.rx_slots = 7;
	assert_int_equal(nm_port_open_flags(&reg, "vale0:a", NR_MONITOR_RX, &g,
					    &m),
			 0);
	assert_int_equal(m->kind, NM_PORT_MONITOR);
	assert_int_equal(g.rx_slots, 7);  /* a hint taken */
	assert_int_equal(g.rx_rings, 2);  /* the parent's */
	assert_int_equal(g.tx_rings, 1);
	assert_int_equal(mon_of(m)->flags, NR_MONITOR_RX);
	nm_port_close(m);
	/* No monitor flag: an ordinary open. */
	assert_int_equal(nm_port_open_flags(&reg, "vale0:a", NR_EXCLUSIVE, &g,
					    &m),
			 0);
	assert_int_equal(m, a);
	nm_port_close(m);
	nm_port_close(a);
	nm_registry_fini(&reg);
}

/* A full monitor ring keeps the newest slots of a batch (the reference's
 * choice), counts the rest, and the monitored port never waits. */
static void test_nm_monitor_full_drops_oldest(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	uint32_t k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = mon_open(&reg, "vale0:a/t", 8); /* 7 usable slots */
	for (k = 0; k < 20; k++)
		send_seq(a, 0, 1, k);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(b, 0), 20); /* a was not held */
	assert_int_equal(vt_rx_ready(m, 0), 7);
	for (k = 0; k < 7; k++)
		assert_int_equal(mon_seq(m, k, NULL), 13 + k);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.dropped), 13);
	/* Still full: a whole batch is dropped. */
	send_seq(a, 0, 1, 20);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.dropped), 14);
	/* Released: the next batch is seen. */
	vt_rx_drain(m, 0);
	send_seq(a, 0, 1, 21);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 1);
	assert_int_equal(mon_seq(m, 0, NULL), 21);
	assert_true(nm_kring_valid(nm_port_kring(m, NR_RX, 0)));
	nm_port_close(m);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

static void test_nm_monitor_hostile_slots(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *mr, *tx;
	uint32_t saved, h, tsaved;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = mon_open(&reg, "vale0:a/t", 16);
	mr = vt_ring(m, NR_RX, 0);
	tx = vt_ring(a, NR_TX, 0);
	/* The monitor's user scribbles a bad index on its next free slot:
	 * that copy is delivered empty, counted, nothing outside written. */
	saved = mr->slot[0].buf_idx;
	mr->slot[0].buf_idx = 0xffffffffU;
	send_seq(a, 0, 1, 1);
	send_seq(a, 0, 1, 2);
	/* The sender's bad slot: monitored as an empty slot. */
	h = tx->head;
	send_seq(a, 0, 1, 3);
	tsaved = tx->slot[h].buf_idx;
	tx->slot[h].buf_idx = 1;
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 3);
	assert_int_equal(mr->slot[0].len, 0);
	assert_int_equal(mon_seq(m, 1, NULL), 2);
	assert_int_equal(mr->slot[2].len, 0);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.bad), 2);
	mr->slot[0].buf_idx = saved;
	tx->slot[h].buf_idx = tsaved;
	/* A hostile head on the monitor ring: refused by the prologue. */
	mr->head = 60;
	assert_int_equal(nm_kring_sync(nm_port_kring(m, NR_RX, 0), 0), -EINVAL);
	mr->head = 0;
	assert_true(nm_kring_valid(nm_port_kring(m, NR_RX, 0)));
	nm_port_close(m);
	nm_port_close(b);
	nm_port_close(a);
	nm_registry_fini(&reg);
}

/* The monitor holds a reference: the monitored port closing under it
 * stays attached, and the RX monitor still sees what arrives (until the
 * unread ring fills); the same name reopened is the same port. */
static void test_nm_monitor_parent_closes_first(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	uint32_t sw, port;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = vt_open(&reg, "vale0:a", 1, 64);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = mon_open(&reg, "vale0:a/rt", 64);
	nm_port_close(a);
	assert_int_equal(vale_port_find(&reg, "vale0:a", &sw, &port), 0);
	send_seq(b, 1, 0, 1);
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 1);
	assert_int_equal(mon_seq(m, 0, NULL), 1);
	a = vt_open(&reg, "vale0:a", 1, 64);
	assert_int_equal(vt_rx_ready(a, 0), 1); /* still there for a */
	assert_int_equal(vt_rx_ready(m, 0), 1); /* and seen once */
	send_seq(a, 0, 1, 2);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 2);
	assert_int_equal(mon_seq(m, 1, NULL), 2);
	nm_port_close(a);
	nm_port_close(m); /* the last reference: the port goes */
	assert_int_equal(vale_port_find(&reg, "vale0:a", &sw, &port), -ENXIO);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* ---- threads: a monitor opened and closed while traffic flows. */

/* Open a monitor, read what it sees (increasing sequence numbers), close
 * it, while the sender and receiver keep going. */
static void *mt_churn(void *v)
{
	static const char *names[] = { "vale0:a/t", "vale0:b/r", "vale0:b/rt",
				       "vale0:a/tr" };
	struct mt_state *st = v;
	uint32_t round = 0;

	while (!atomic_load(&st->stop)) {
		struct nm_port_geom g = { 0, 0, 0, 16, 0 };
		struct nm_port *m = NULL;
		struct netmap_ring *r;
		uint32_t k, n, last = 0, pass;

		assert_int_equal(nm_port_open(&st->reg, names[round % 4], &g,
					      &m),
				 0);
		r = vt_ring(m, NR_RX, 0);
		for (pass = 0; pass < 20; pass++) {
			n = mt_rx_ready(m);
			for (k = 0; k < n; k++) {
				struct netmap_slot *s = &r->slot[r->head];
				uint32_t seq;

				if (s->len == 60) {
					seq = vt_payload_of(nm_ring_user_buf(
							r, s->buf_idx))
						      .seq;
					/* Per direction, frames come in
					 * order; mixed directions may not. */
					if (round % 4 < 2)
						assert_true(seq + 1 > last);
					last = seq + 1;
				}
				r->head = nm_idx_next(r->head, r->num_slots);
			}
			atomic_fetch_add(&st->mon_frames, n);
		}
		nm_port_close(m);
		atomic_fetch_add(&st->monitors, 1);
		round++;
	}
	return NULL;
}

static void test_nm_monitor_threads_close_mid_traffic(void **state)
{
	struct mt_state *st = calloc(1, sizeof(*st));

	(void)state;
	assert_non_null(st);
	assert_int_equal(nm_registry_init(&st->reg), 0);
	st->a = vt_open(&st->reg, "vale0:a", 1, 256);
	st->b = vt_open(&st->reg, "vale0:b", 1, 1024);
	mt_run(st, mt_churn);
	nm_port_close(st->a);
	nm_port_close(st->b);
	nm_registry_fini(&st->reg);
	free(st);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_nm_monitor_tx_rx_order),
		cmocka_unit_test(test_nm_monitor_names_and_flags),
		cmocka_unit_test(test_nm_monitor_sees_kloop),
	};
	const struct CMUnitTest full[] = {
		cmocka_unit_test(test_nm_monitor_full_drops_oldest),
	};
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_nm_monitor_hostile_slots),
	};
	const struct CMUnitTest lifecycle[] = {
		cmocka_unit_test(test_nm_monitor_parent_closes_first),
	};
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_nm_monitor_threads_close_mid_traffic),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("basic", basic),
		NM_TEST_GROUP("full", full),
		NM_TEST_GROUP("hostile", hostile),
		NM_TEST_GROUP("lifecycle", lifecycle),
		NM_TEST_GROUP_TAGGED("threads", threads, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_monitor", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
