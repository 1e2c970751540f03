/*
 * test_nm_monitor_zc.c - zero-copy monitors (core/nm_monitor_zc.c): the
 * buffers move (the monitor sees the sender's own buffer, the sender goes
 * on with the monitor's), TX after consumption and RX after release, a
 * full monitor ring, chains and their relinking at close, the parent's
 * spare buffers, hostile slots on both sides, and a monitor opened and
 * closed while threads keep traffic flowing (TSan too).  Every test ends
 * with the buffer census: each buffer of the pool is in exactly one slot
 * or free, and closing gives back all the monitor took.
 */
#include "monitor_test.h"

#include "nm_monitor.h"
#include "nm_shim.h"

#include <sched.h>
#include <stdatomic.h>

#define ZC_SPARE 256U

static struct nm_monitor *mon_of(struct nm_port *p)
{
	assert_int_equal(p->kind, NM_PORT_MONITOR);
	return (struct nm_monitor *)p;
}

/* A port with `spare` spare buffers for zero-copy monitors. */
static struct nm_port *zc_port(struct nm_registry *reg, const char *name,
			       uint32_t slots, uint32_t spare)
{
	struct nm_port_geom g = { 1, 1, slots, slots, 0 };
	struct nm_port *p = NULL;

	assert_int_equal(nm_port_open_spare(reg, name, 0, spare, &g, &p), 0);
	assert_int_equal(p->region->geom.extra_bufs, spare);
	return p;
}

static struct nm_port *zc_mon(struct nm_registry *reg, const char *name,
			      uint32_t slots)
{
	struct nm_port_geom g = { 0, 0, 0, slots, 0 };
	struct nm_port *m = NULL;

	assert_int_equal(nm_port_open(reg, name, &g, &m), 0);
	assert_true(mon_of(m)->flags & NR_ZCOPY_MON);
	return m;
}

static uint32_t slot_seq(struct netmap_ring *r, uint32_t k)
{
	struct netmap_slot *s = &r->slot[nm_idx_add(r->head, k, r->num_slots)];

	assert_int_equal(s->len, 60);
	return vt_payload_of(nm_ring_user_buf(r, s->buf_idx)).seq;
}

/* Count every slot of every ring of p into seen[] (buffer indices). */
static void census_port(struct nm_port *p, uint8_t *seen, uint32_t nbufs)
{
	uint32_t d, i, j;

	for (d = 0; d < 2; d++) {
		for (i = 0; i < p->num_rings[d]; i++) {
			struct netmap_ring *r = vt_ring(p, d, i);

			for (j = 0; j < r->num_slots; j++) {
				uint32_t b = r->slot[j].buf_idx;

				if (b == 0 && p->kind == NM_PORT_MONITOR &&
				    d == NR_TX)
					continue; /* the monitor's TX ring */
				assert_true(b < nbufs);
				assert_true(b >= NETMAP_BUF_RESERVED);
				assert_int_equal(seen[b], 0); /* one owner */
				seen[b] = 1;
			}
		}
	}
}

/* The buffer census of parent and its monitors: no buffer in two slots,
 * and slots + free + monitors' ring memory = the whole pool. */
static void census(struct nm_port *parent, struct nm_port **mons,
		   uint32_t nmons)
{
	struct nm_buf_pool *pool = &parent->region->pool;
	uint8_t *seen = calloc(pool->num_bufs, 1);
	uint32_t k, used = 0, runs = 0;

	assert_non_null(seen);
	census_port(parent, seen, pool->num_bufs);
	for (k = 0; k < nmons; k++) {
		census_port(mons[k], seen, pool->num_bufs);
		runs += mon_of(mons[k])->zrun_count;
	}
	for (k = 0; k < pool->num_bufs; k++)
		used += seen[k];
	assert_int_equal(used + nm_buf_free_count(pool) + runs +
				 NETMAP_BUF_RESERVED,
			 pool->num_bufs);
	free(seen);
}

static void test_nm_monitor_zc_tx_swaps_buffers(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *tx, *mr;
	uint32_t before, orig[5], k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, ZC_SPARE);
	b = vt_open(&reg, "vale0:b", 1, 64);
	before = nm_buf_free_count(&a->region->pool);
	m = zc_mon(&reg, "vale0:a/z", 16);
	/* The monitor lives in the parent's region: same memory. */
	assert_ptr_equal(m->region, a->region);
	assert_true(nm_port_nifp_offset(m) < a->region->size);
	assert_int_equal(mon_of(m)->flags,
			 NR_ZCOPY_MON | NR_MONITOR_TX | NR_MONITOR_RX);
	tx = vt_ring(a, NR_TX, 0);
	mr = vt_ring(m, NR_RX, 0);
	for (k = 0; k < 5; k++) {
		orig[k] = tx->slot[tx->head].buf_idx;
		send_seq(a, 0, 1, k);
	}
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(b, 0), 5); /* delivered first */
	assert_int_equal(vt_rx_ready(m, 0), 5);
	for (k = 0; k < 5; k++) {
		struct netmap_slot *s = &mr->slot[k];

		/* The sender's own buffer, not a copy. */
		assert_int_equal(s->buf_idx, orig[k]);
		assert_int_equal(slot_seq(mr, k), k);
		assert_true(s->flags & NS_TXMON);
		/* ... and the sender goes on with another one. */
		assert_int_not_equal(tx->slot[k].buf_idx, orig[k]);
		assert_true(tx->slot[k].flags & NS_BUF_CHANGED);
	}
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.seen), 5);
	census(a, &m, 1);
	/* The sender reuses the swapped slots: still delivered right. */
	vt_rx_drain(b, 0);
	for (k = 0; k < 60; k++)
		send_seq(a, 0, 1, 100 + k);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(b, 0), 60);
	assert_int_equal(slot_seq(vt_ring(b, NR_RX, 0), 59), 159);
	census(a, &m, 1);
	nm_port_close(m);
	/* Everything the monitor took is back. */
	assert_int_equal(nm_buf_free_count(&a->region->pool), before);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* RX: the monitor sees a frame when the application releases it, not
 * when it arrives (after consumption, as the reference). */
static void test_nm_monitor_zc_rx_after_release(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *rx, *mr;
	uint32_t orig[3], k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, ZC_SPARE);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = zc_mon(&reg, "vale0:a/zr", 16);
	assert_int_equal(mon_of(m)->flags, NR_ZCOPY_MON | NR_MONITOR_RX);
	for (k = 0; k < 3; k++)
		send_seq(b, 1, 0, k);
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	rx = vt_ring(a, NR_RX, 0);
	mr = vt_ring(m, NR_RX, 0);
	assert_int_equal(vt_rx_ready(a, 0), 3);
	assert_int_equal(vt_rx_ready(m, 0), 0); /* not released yet */
	for (k = 0; k < 3; k++)
		orig[k] = rx->slot[k].buf_idx;
	vt_rx_drain(a, 0);
	assert_int_equal(vt_rx_ready(m, 0), 3);
	for (k = 0; k < 3; k++) {
		assert_int_equal(mr->slot[k].buf_idx, orig[k]);
		assert_int_equal(slot_seq(mr, k), k);
		assert_false(mr->slot[k].flags & NS_TXMON);
	}
	/* A TX-less monitor: a's sends are not seen. */
	send_seq(a, 0, 1, 9);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 3);
	census(a, &m, 1);
	nm_port_close(m);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* A full monitor ring keeps the newest released slots, counts the rest,
 * and the monitored port never waits. */
static void test_nm_monitor_zc_full_keeps_newest(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *mr;
	uint32_t k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, ZC_SPARE);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = zc_mon(&reg, "vale0:a/zt", 8); /* 7 usable slots */
	mr = vt_ring(m, NR_RX, 0);
	for (k = 0; k < 20; k++)
		send_seq(a, 0, 1, k);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(b, 0), 20);
	assert_int_equal(vt_rx_ready(m, 0), 7);
	for (k = 0; k < 7; k++)
		assert_int_equal(slot_seq(mr, k), 13 + k);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.dropped), 13);
	send_seq(a, 0, 1, 20);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.dropped), 14);
	vt_rx_drain(m, 0);
	send_seq(a, 0, 1, 21);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 1);
	assert_int_equal(slot_seq(mr, 0), 21);
	assert_true(nm_kring_valid(nm_port_kring(m, NR_RX, 0)));
	census(a, &m, 1);
	nm_port_close(m);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* Chains: the second monitor of a direction sees what the first one's
 * user released; closing the first relinks the second to the port. */
static void test_nm_monitor_zc_chain_and_relink(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m1, *m2, *m3, *ms[3];
	struct netmap_ring *r1, *r2, *r3;
	uint32_t buf0, k;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, 3 * ZC_SPARE);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m1 = zc_mon(&reg, "vale0:a/z", 16);
	m2 = zc_mon(&reg, "vale0:a/z", 16);
	m3 = zc_mon(&reg, "vale0:a/zr", 16); /* RX chain only: after m2 */
	r1 = vt_ring(m1, NR_RX, 0);
	r2 = vt_ring(m2, NR_RX, 0);
	r3 = vt_ring(m3, NR_RX, 0);
	buf0 = vt_ring(a, NR_TX, 0)->slot[0].buf_idx;
	send_seq(a, 0, 1, 1); /* TX */
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	send_seq(b, 1, 0, 2); /* RX */
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	vt_rx_drain(a, 0);
	assert_int_equal(vt_rx_ready(m1, 0), 2);
	assert_int_equal(vt_rx_ready(m2, 0), 0);
	assert_int_equal(r1->slot[0].buf_idx, buf0);
	/* m1 releases: both frames move on to m2, and only the RX one
	 * later to m3. */
	vt_rx_drain(m1, 0);
	assert_int_equal(vt_rx_ready(m2, 0), 2);
	/* Each chain keeps its order; across the two, the order is the
	 * links' (here RX first): find the TX one. */
	k = (r2->slot[0].flags & NS_TXMON) ? 0 : 1;
	assert_int_equal(r2->slot[k].buf_idx, buf0); /* the same buffer */
	assert_int_equal(slot_seq(r2, k), 1);
	assert_true(r2->slot[k].flags & NS_TXMON);
	assert_int_equal(slot_seq(r2, 1 - k), 2);
	assert_false(r2->slot[1 - k].flags & NS_TXMON);
	vt_rx_drain(m2, 0);
	assert_int_equal(vt_rx_ready(m3, 0), 1);
	assert_int_equal(slot_seq(r3, 0), 2);
	assert_false(r3->slot[0].flags & NS_TXMON);
	ms[0] = m1;
	ms[1] = m2;
	ms[2] = m3;
	census(a, ms, 3);
	/* m1 goes: m2 now sees the port's frames directly. */
	nm_port_close(m1);
	send_seq(a, 0, 1, 3);
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m2, 0), 1);
	assert_int_equal(slot_seq(r2, 0), 3);
	/* m2 goes: m3 hangs on the port's RX ring. */
	nm_port_close(m2);
	vt_rx_drain(m3, 0);
	send_seq(b, 1, 0, 4);
	assert_int_equal(vt_sync(b, NR_TX, 0), 0);
	vt_rx_drain(a, 0);
	assert_int_equal(vt_rx_ready(m3, 0), 1);
	assert_int_equal(slot_seq(r3, 0), 4);
	census(a, &m3, 1);
	nm_port_close(m3);
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

/* The parent's region must hold the monitor: too few spare buffers is
 * -ENOMEM, and a failed open gives back what it took. */
static void test_nm_monitor_zc_needs_spare_buffers(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *m = NULL;
	struct nm_port_geom g = { 0, 0, 0, 64, 0 };
	uint32_t before;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, 40); /* < 64 slots + ring memory */
	before = nm_buf_free_count(&a->region->pool);
	assert_int_equal(nm_port_open(&reg, "vale0:a/z", &g, &m), -ENOMEM);
	assert_int_equal(nm_buf_free_count(&a->region->pool), before);
	g.rx_slots = 16;
	assert_int_equal(nm_port_open(&reg, "vale0:a/z", &g, &m), 0);
	nm_port_close(m);
	assert_int_equal(nm_buf_free_count(&a->region->pool), before);
	nm_port_close(a);
	nm_registry_fini(&reg);
}

/* Every index a user writes is judged: the monitor's user changing a
 * slot's buffer is undone and counted (no buffer ends up in two slots);
 * the sender's bad slot is not shown; a bad head is refused. */
static void test_nm_monitor_zc_hostile_slots(void **state)
{
	struct nm_registry reg;
	struct nm_port *a, *b, *m;
	struct netmap_ring *mr, *tx;
	uint32_t h, tsaved;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	a = zc_port(&reg, "vale0:a", 64, ZC_SPARE);
	b = vt_open(&reg, "vale0:b", 1, 64);
	m = zc_mon(&reg, "vale0:a/zt", 16);
	mr = vt_ring(m, NR_RX, 0);
	tx = vt_ring(a, NR_TX, 0);
	/* The monitor's user names a buffer of a's RX ring in its next
	 * free slot, and an out-of-range one in the one after. */
	mr->slot[0].buf_idx = vt_ring(a, NR_RX, 0)->slot[0].buf_idx;
	mr->slot[1].buf_idx = 0xffffffffU;
	send_seq(a, 0, 1, 1);
	send_seq(a, 0, 1, 2);
	h = tx->head;
	send_seq(a, 0, 1, 3);
	tsaved = tx->slot[h].buf_idx;
	tx->slot[h].buf_idx = 1; /* reserved: not a buffer of ours */
	send_seq(a, 0, 1, 4);
	tx->slot[nm_idx_next(h, tx->num_slots)].len = 4000; /* > buf_size */
	assert_int_equal(vt_sync(a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(m, 0), 2);
	assert_int_equal(slot_seq(mr, 0), 1);
	assert_int_equal(slot_seq(mr, 1), 2);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.scribbled), 2);
	assert_int_equal(nm_os_counter_read(&mon_of(m)->stats.bad), 2);
	/* The bad slots kept their own buffer. */
	assert_int_equal(tx->slot[h].buf_idx, 1);
	tx->slot[h].buf_idx = tsaved;
	census(a, &m, 1);
	/* A hostile head on the monitor ring: refused, nothing moves. */
	mr->head = 60;
	assert_int_equal(nm_kring_sync(nm_port_kring(m, NR_RX, 0), 0), -EINVAL);
	mr->head = 0;
	/* The monitor cannot inject. */
	assert_int_equal(vt_sync(m, NR_TX, 0), -EIO);
	assert_true(nm_kring_valid(nm_port_kring(m, NR_RX, 0)));
	nm_port_close(m);
	nm_port_close(b);
	nm_port_close(a);
	nm_registry_fini(&reg);
}

/* ---- Threads: zero-copy monitors opened, read and closed (chained
 * two at a time) while a sender and a receiver keep going. */

/* Read and release everything m shows; TX frames come in order. */
static void mt_read(struct nm_port *m, uint32_t *last)
{
	struct netmap_ring *r = vt_ring(m, NR_RX, 0);
	uint32_t k, n = mt_rx_ready(m);

	for (k = 0; k < n; k++) {
		struct netmap_slot *s = &r->slot[r->head];
		uint32_t seq;

		if (s->len != 60 || !(s->flags & NS_TXMON))
			abort();
		seq = vt_payload_of(nm_ring_user_buf(r, s->buf_idx)).seq;
		if (seq + 1 <= *last)
			abort(); /* out of order */
		*last = seq + 1;
		r->head = nm_idx_next(r->head, r->num_slots);
	}
}

static void *mt_churn(void *v)
{
	struct mt_state *st = v;

	while (!atomic_load(&st->stop)) {
		struct nm_port_geom g = { 0, 0, 0, 16, 0 };
		struct nm_port *m1 = NULL, *m2 = NULL;
		uint32_t pass, l1 = 0, l2 = 0;

		if (nm_port_open(&st->reg, "vale0:a/zt", &g, &m1) != 0 ||
		    nm_port_open(&st->reg, "vale0:a/zt", &g, &m2) != 0)
			abort();
		for (pass = 0; pass < 20; pass++) {
			mt_read(m1, &l1);
			mt_read(m2, &l2);
		}
		/* Close the head of the chain first: m2 is relinked. */
		nm_port_close(m1);
		for (pass = 0; pass < 5; pass++)
			mt_read(m2, &l2);
		nm_port_close(m2);
		atomic_fetch_add(&st->monitors, 1);
	}
	return NULL;
}

static void test_nm_monitor_zc_threads_close_mid_traffic(void **state)
{
	struct mt_state *st = calloc(1, sizeof(*st));
	uint32_t before;

	(void)state;
	assert_non_null(st);
	assert_int_equal(nm_registry_init(&st->reg), 0);
	st->a = zc_port(&st->reg, "vale0:a", 256, 2 * ZC_SPARE);
	st->b = vt_open(&st->reg, "vale0:b", 1, 1024);
	before = nm_buf_free_count(&st->a->region->pool);
	mt_run(st, mt_churn);
	/* Every spare buffer the monitors borrowed is back. */
	assert_int_equal(nm_buf_free_count(&st->a->region->pool), before);
	census(st->a, NULL, 0);
	nm_port_close(st->a);
	nm_port_close(st->b);
	nm_registry_fini(&st->reg);
	free(st);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_nm_monitor_zc_tx_swaps_buffers),
		cmocka_unit_test(test_nm_monitor_zc_rx_after_release),
		cmocka_unit_test(test_nm_monitor_zc_full_keeps_newest),
		cmocka_unit_test(test_nm_monitor_zc_needs_spare_buffers),
	};
	const struct CMUnitTest chain[] = {
		cmocka_unit_test(test_nm_monitor_zc_chain_and_relink),
	};
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_nm_monitor_zc_hostile_slots),
	};
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_nm_monitor_zc_threads_close_mid_traffic),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("basic", basic),
		NM_TEST_GROUP("chain", chain),
		NM_TEST_GROUP("hostile", hostile),
		NM_TEST_GROUP_TAGGED("threads", threads, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_monitor_zc", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
