/*
 * test_nm_nic.c - a port over a network interface (core/nm_nic.c) with a
 * fake backend: frames delivered into NIC and host RX rings, frames taken
 * from NIC and host TX rings, backpressure, hostile slots, the layout of
 * the host rings in the netmap_if.
 *
 * Groups: layout, rx, tx, hostile.
 */
#include "vale_test.h"
#include "nm_nic.h"
#include "nm_shim.h"

struct fake {
	uint32_t xmit, to_host, closed, last_ring, last_len, last_nf;
	uint8_t last[8192];
	int ret; /* what xmit returns */
};

static void fake_gather(struct fake *f, const struct nm_nic_frag *fr,
			uint32_t nf, uint32_t len)
{
	uint32_t i, off = 0;

	for (i = 0; i < nf; i++) {
		assert_true(off + fr[i].len <= sizeof(f->last));
		memcpy(f->last + off, fr[i].buf, fr[i].len);
		off += fr[i].len;
	}
	assert_int_equal(off, len);
	f->last_len = len;
	f->last_nf = nf;
}

static int fake_xmit(void *priv, uint32_t ring, const struct nm_nic_frag *fr,
		     uint32_t nf, uint32_t len)
{
	struct fake *f = priv;

	if (f->ret != 0)
		return f->ret;
	f->xmit++;
	f->last_ring = ring;
	fake_gather(f, fr, nf, len);
	return 0;
}

static int fake_to_host(void *priv, const struct nm_nic_frag *fr, uint32_t nf,
			uint32_t len)
{
	struct fake *f = priv;

	f->to_host++;
	fake_gather(f, fr, nf, len);
	return 0;
}

static void fake_close(void *priv)
{
	((struct fake *)priv)->closed++;
}

static const struct nm_nic_ops fake_ops = {
	.xmit = fake_xmit,
	.to_host = fake_to_host,
	.close = fake_close,
};

static void copy_bytes(void *dst, uint32_t off, uint32_t len, const void *ctx)
{
	memcpy(dst, (const uint8_t *)ctx + off, len);
}

static struct nm_nic *nic_new(struct fake *f, uint32_t rings, uint32_t slots,
			      bool host)
{
	struct nm_port_geom g = { rings, rings, slots, slots, 0 };
	struct nm_nic *n = NULL;

	memset(f, 0, sizeof(*f));
	assert_int_equal(nm_nic_create("eth0", &g, host, &fake_ops, f, &n), 0);
	return n;
}

static void test_nm_nic_host_rings_in_reference_order(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 2, 64, true);
	struct netmap_if *nifp = nm_region_if(&n->region, 0);
	uint32_t d, i;

	(void)state;
	assert_int_equal(nifp->ni_tx_rings, 2);
	assert_int_equal(nifp->ni_host_tx_rings, 1);
	assert_int_equal(nifp->ni_host_rx_rings, 1);
	assert_int_equal(n->up.num_rings[NR_TX], 3);
	assert_int_equal(n->up.num_host_rings[NR_RX], 1);
	assert_int_equal(nm_nic_host_ring(n, NR_RX), 2);
	/* The application's view (host TX before NIC RX) finds our krings. */
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = 0; i < 3; i++)
			assert_ptr_equal(nm_if_user_ring(nifp, d, i),
					 nm_port_kring(&n->up, d, i)->ring);
	nm_port_close(&n->up);
	assert_int_equal(f.closed, 1);
	nm_nic_destroy(n);
}

static void test_nm_nic_queue_count_clamped(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 64, 8, false);

	(void)state;
	assert_int_equal(n->nic_rings[NR_TX], NM_NIC_MAX_QUEUES);
	assert_int_equal(n->up.num_host_rings[NR_TX], 0);
	nm_nic_destroy(n);
}

static void test_nm_nic_rx_delivers_and_fills(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 1, 8, true);
	struct netmap_ring *rx = vt_ring(&n->up, NR_RX, 0);
	uint8_t frame[100];
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	/* 8 slots: 7 usable. */
	for (i = 0; i < 7; i++)
		assert_int_equal(nm_nic_rx_deliver(n, 0, 60 + i, copy_bytes, frame), 0);
	assert_int_equal(nm_nic_rx_deliver(n, 0, 60, copy_bytes, frame), -ENOSPC);
	assert_int_equal(vt_rx_ready(&n->up, 0), 7);
	assert_int_equal(rx->slot[3].len, 63);
	assert_memory_equal(nm_ring_user_buf(rx, rx->slot[3].buf_idx), frame, 63);
	assert_int_equal(vt_rx_drain(&n->up, 0), 7);
	assert_int_equal(nm_nic_rx_deliver(n, 0, 60, copy_bytes, frame), 0);
	/* The host RX ring is its own ring. */
	assert_int_equal(nm_nic_rx_deliver(n, 1, 42, copy_bytes, frame), 0);
	assert_int_equal(vt_rx_ready(&n->up, 1), 1);
	assert_int_equal(nm_nic_rx_deliver(n, 2, 42, copy_bytes, frame), -EINVAL);
	nm_nic_destroy(n);
}

static void test_nm_nic_rx_large_frame_fragments(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 1, 16, false);
	struct netmap_ring *rx = vt_ring(&n->up, NR_RX, 0);
	static uint8_t frame[5000];
	uint32_t i;

	(void)state;
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7);
	assert_int_equal(nm_nic_rx_deliver(n, 0, 5000, copy_bytes, frame), 0);
	assert_int_equal(vt_rx_ready(&n->up, 0), 3);
	assert_int_equal(rx->slot[0].flags, NS_MOREFRAG);
	assert_int_equal(rx->slot[1].flags, NS_MOREFRAG);
	assert_int_equal(rx->slot[2].flags, 0);
	assert_int_equal(rx->slot[2].len, 5000 - 2 * 2048);
	assert_memory_equal(nm_ring_user_buf(rx, rx->slot[2].buf_idx),
			    frame + 4096, 5000 - 4096);
	assert_int_equal(nm_nic_rx_deliver(n, 0, 0, copy_bytes, frame), -EMSGSIZE);
	assert_int_equal(nm_nic_rx_deliver(n, 0, 65 * 2048, copy_bytes, frame),
			 -EMSGSIZE);
	nm_nic_destroy(n);
}

static void test_nm_nic_tx_to_wire_and_host(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 2, 8, true);
	uint8_t frame[3000];

	(void)state;
	memset(frame, 0xab, sizeof(frame));
	vt_put(vt_ring(&n->up, NR_TX, 1), frame, 60, 0);
	assert_int_equal(vt_sync(&n->up, NR_TX, 1), 0);
	assert_int_equal(f.xmit, 1);
	assert_int_equal(f.last_ring, 1);
	assert_int_equal(f.last_len, 60);
	assert_int_equal(vt_space(vt_ring(&n->up, NR_TX, 1)), 7);
	/* A chain of two slots goes out as one frame; to the host from ring 2. */
	vt_put(vt_ring(&n->up, NR_TX, 2), frame, 2048, NS_MOREFRAG);
	vt_put(vt_ring(&n->up, NR_TX, 2), frame, 952, 0);
	assert_int_equal(vt_sync(&n->up, NR_TX, 2), 0);
	assert_int_equal(f.to_host, 1);
	assert_int_equal(f.last_nf, 2);
	assert_int_equal(f.last_len, 3000);
	nm_nic_destroy(n);
}

static void test_nm_nic_tx_backpressure_keeps_slots(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 1, 8, false);
	struct netmap_ring *tx = vt_ring(&n->up, NR_TX, 0);
	uint8_t frame[60] = { 0 };

	(void)state;
	vt_put(tx, frame, 60, 0);
	vt_put(tx, frame, 60, 0);
	f.ret = -EAGAIN;
	assert_int_equal(vt_sync(&n->up, NR_TX, 0), 0);
	assert_int_equal(f.xmit, 0);
	assert_int_equal(vt_space(tx), 5); /* the two stay pending */
	assert_true(nm_kring_valid(nm_port_kring(&n->up, NR_TX, 0)));
	f.ret = 0;
	assert_int_equal(vt_sync(&n->up, NR_TX, 0), 0);
	assert_int_equal(f.xmit, 2);
	assert_int_equal(vt_space(tx), 7);
	/* A half-written chain waits for its end. */
	vt_put(tx, frame, 60, NS_MOREFRAG);
	assert_int_equal(vt_sync(&n->up, NR_TX, 0), 0);
	assert_int_equal(f.xmit, 2);
	vt_put(tx, frame, 60, 0);
	assert_int_equal(vt_sync(&n->up, NR_TX, 0), 0);
	assert_int_equal(f.xmit, 3);
	assert_int_equal(f.last_len, 120);
	nm_nic_destroy(n);
}

static void test_nm_nic_hostile_slots_dropped(void **state)
{
	struct fake f;
	struct nm_nic *n = nic_new(&f, 1, 128, false);
	struct netmap_ring *tx = vt_ring(&n->up, NR_TX, 0);
	struct netmap_ring *rx = vt_ring(&n->up, NR_RX, 0);
	uint8_t frame[60] = { 0 };
	uint32_t i;

	(void)state;
	vt_put(tx, frame, 60, 0);
	tx->slot[0].buf_idx = 1; /* reserved */
	vt_put(tx, frame, 60, 0);
	vt_put(tx, frame, 60, 0);
	tx->slot[2].buf_idx = 0xffffffffU;
	vt_put(tx, NULL, 4000, 0); /* longer than the buffer */
	for (i = 0; i < 65; i++) /* 65 fragments */
		vt_put(tx, frame, 60, i < 64 ? NS_MOREFRAG : 0);
	assert_int_equal(vt_sync(&n->up, NR_TX, 0), 0);
	assert_int_equal(f.xmit, 1);
	assert_int_equal(nm_os_counter_read(&n->stats.tx_drop_slot), 3);
	assert_int_equal(nm_os_counter_read(&n->stats.tx_drop_frags), 1);
	/* Bad head is refused by the prologue, the ring unchanged. */
	tx->head = tx->cur = 500;
	assert_int_equal(nm_kring_sync(nm_port_kring(&n->up, NR_TX, 0), 0), -EINVAL);
	/* A kernel-owned RX slot scribbled with a bad index: dropped. */
	rx->slot[0].buf_idx = 0;
	assert_int_equal(nm_nic_rx_deliver(n, 0, 60, copy_bytes, frame), -EINVAL);
	assert_int_equal(nm_os_counter_read(&n->stats.rx_drop_buf), 1);
	nm_nic_destroy(n);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest layout[] = {
		cmocka_unit_test(test_nm_nic_host_rings_in_reference_order),
		cmocka_unit_test(test_nm_nic_queue_count_clamped),
	};
	const struct CMUnitTest rx[] = {
		cmocka_unit_test(test_nm_nic_rx_delivers_and_fills),
		cmocka_unit_test(test_nm_nic_rx_large_frame_fragments),
	};
	const struct CMUnitTest tx[] = {
		cmocka_unit_test(test_nm_nic_tx_to_wire_and_host),
		cmocka_unit_test(test_nm_nic_tx_backpressure_keeps_slots),
	};
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_nm_nic_hostile_slots_dropped),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("layout", layout),
		NM_TEST_GROUP("rx", rx),
		NM_TEST_GROUP("tx", tx),
		NM_TEST_GROUP("hostile", hostile),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_nic", argc, argv, groups, NM_ARRAY_SIZE(groups));
}
