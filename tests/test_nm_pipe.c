/*
 * test_nm_pipe.c - netmap pipes: zero-copy descriptor hand-off.
 *
 * Groups: basic (hand-off swaps buffers, never copies; buffers are
 * conserved; geometry is mirrored), frags (only complete packets are
 * published), full (sender space follows receiver releases; ring sizes
 * 2/3/1000/4096), lifecycle (close and reopen either end, -EBUSY, destroy),
 * hostile (bad descriptors never reach the peer), threads (a real sender
 * and receiver, sequence-checked; also under TSan).
 */
#include "vale_test.h"
#include "nm_shim.h"

struct pipe_env {
	struct nm_registry reg;
	struct nm_port *a, *b; /* '{' and '}' */
};

static struct pipe_env *pipe_new(uint32_t rings, uint32_t slots)
{
	struct pipe_env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(nm_registry_init(&e->reg), 0);
	e->a = vt_open(&e->reg, "x{1", rings, slots);
	e->b = vt_open(&e->reg, "x}1", rings, slots);
	return e;
}

static void pipe_free(struct pipe_env *e)
{
	if (e->a != NULL)
		nm_port_close(e->a);
	if (e->b != NULL)
		nm_port_close(e->b);
	nm_registry_fini(&e->reg);
	free(e);
}

/* Every buffer index in every slot of both ends, counted. */
static void check_conservation(struct pipe_env *e)
{
	struct nm_region *r = e->a->region;
	uint8_t *seen = calloc(r->pool.num_bufs, 1);
	struct nm_port *ends[2] = { e->a, e->b };
	uint32_t k, d, i, s, total = 0;

	for (k = 0; k < 2; k++)
		for (d = NR_TX; d <= NR_RX; d++)
			for (i = 0; i < ends[k]->num_rings[d]; i++) {
				struct netmap_ring *ring = vt_ring(ends[k], d, i);

				for (s = 0; s < ring->num_slots; s++) {
					uint32_t b = ring->slot[s].buf_idx;

					assert_true(b >= 2 && b < r->pool.num_bufs);
					assert_int_equal(seen[b], 0); /* no duplicate */
					seen[b] = 1;
					total++;
				}
			}
	assert_int_equal(total, r->pool.num_bufs - 2);
	free(seen);
}

static void test_nm_pipe_zero_copy_handoff(void **state)
{
	struct pipe_env *e = pipe_new(1, 16);
	struct netmap_ring *tx = vt_ring(e->a, NR_TX, 0);
	struct netmap_ring *rx = vt_ring(e->b, NR_RX, 0);
	uint32_t sent_buf[5], i;

	(void)state;
	assert_ptr_equal(e->a->region, e->b->region);
	assert_int_equal(e->a->if_index, 0);
	assert_int_equal(e->b->if_index, 1);
	for (i = 0; i < 5; i++) {
		sent_buf[i] = tx->slot[tx->head].buf_idx;
		vt_send(e->a, 0, vt_bcast(), 0, 0, i, (uint16_t)(60 + i));
	}
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	/* The sender's slots now hold other buffers, flagged as changed. */
	for (i = 0; i < 5; i++) {
		assert_int_not_equal(tx->slot[i].buf_idx, sent_buf[i]);
		assert_true(tx->slot[i].flags & NS_BUF_CHANGED);
	}
	assert_int_equal(vt_rx_ready(e->b, 0), 5);
	for (i = 0; i < 5; i++) {
		struct netmap_slot *s = &rx->slot[i];

		/* The very buffer the sender filled: nothing was copied. */
		assert_int_equal(s->buf_idx, sent_buf[i]);
		assert_int_equal(s->len, 60 + i);
		assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, s->buf_idx)).seq, i);
	}
	check_conservation(e);
	/* Reverse direction too. */
	vt_send(e->b, 0, vt_bcast(), 1, 1, 77, 60);
	assert_int_equal(vt_sync(e->b, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->a, 0), 1);
	check_conservation(e);
	pipe_free(e);
}

static void test_nm_pipe_geometry_mirrored(void **state)
{
	struct nm_registry reg;
	struct nm_port_geom g = { 2, 3, 100, 200, 0 }, g2 = { 9, 9, 9, 9, 0 };
	struct nm_port *b, *a;

	(void)state;
	assert_int_equal(nm_registry_init(&reg), 0);
	assert_int_equal(nm_port_open(&reg, "vale0:1}p", &g, &b), 0);
	assert_int_equal(nm_port_open(&reg, "vale0:1{p", &g2, &a), 0);
	assert_int_equal(g2.tx_rings, 3);
	assert_int_equal(g2.rx_rings, 2);
	assert_int_equal(g2.tx_slots, 200);
	assert_int_equal(g2.rx_slots, 100);
	assert_int_equal(vt_ring(a, NR_TX, 2)->num_slots, vt_ring(b, NR_RX, 2)->num_slots);
	assert_string_equal(a->name, "vale0:1{p");
	assert_string_equal(b->name, "vale0:1}p");
	nm_port_close(a);
	nm_port_close(b);
	nm_registry_fini(&reg);
}

static void test_nm_pipe_only_complete_packets(void **state)
{
	struct pipe_env *e = pipe_new(1, 16);
	struct netmap_ring *tx = vt_ring(e->a, NR_TX, 0);

	(void)state;
	vt_put(tx, "abc", 3, NS_MOREFRAG);
	vt_put(tx, "def", 3, NS_MOREFRAG);
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->b, 0), 0); /* chain not finished */
	vt_put(tx, "ghi", 3, 0);
	vt_put(tx, "jk", 2, NS_MOREFRAG);
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->b, 0), 3);
	{
		struct netmap_ring *rx = vt_ring(e->b, NR_RX, 0);

		assert_true(rx->slot[0].flags & NS_MOREFRAG);
		assert_true(rx->slot[1].flags & NS_MOREFRAG);
		assert_false(rx->slot[2].flags & NS_MOREFRAG);
		assert_memory_equal(nm_ring_user_buf(rx, rx->slot[2].buf_idx), "ghi", 3);
	}
	vt_put(tx, "l", 1, 0);
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->b, 0), 5);
	assert_int_equal(nm_os_counter_read(&((struct nm_pipe_end *)e->a)->stats.tx_pkts), 2);
	pipe_free(e);
}

static void test_nm_pipe_space_follows_releases(void **state)
{
	static const uint32_t sizes[] = { 2, 3, 1000, 4096 };
	uint32_t k;

	(void)state;
	for (k = 0; k < NM_ARRAY_SIZE(sizes); k++) {
		uint32_t n = sizes[k], seq = 0, expect = 0, round;
		struct pipe_env *e = pipe_new(1, n);
		struct netmap_ring *tx = vt_ring(e->a, NR_TX, 0);
		struct netmap_ring *rx = vt_ring(e->b, NR_RX, 0);
		struct nm_os_notifier space;

		assert_int_equal(nm_shim_notifier_init(&space), 0);
		assert_int_equal(nm_port_set_notifier(e->a, NR_TX, 0, &space), 0);
		/* Fill completely: n - 1 slots, then no space until released. */
		while (vt_space(tx) > 0)
			vt_send(e->a, 0, vt_bcast(), 0, 0, seq++, 60);
		assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
		assert_int_equal(vt_space(tx), 0);
		assert_int_equal(vt_rx_ready(e->b, 0), n - 1);
		for (round = 0; round < 300; round++) {
			uint32_t rel = 1 + round % (n - 1 < 7 ? n - 1 : 7), i;
			uint32_t avail = vt_rx_ready(e->b, 0);

			if (rel > avail)
				rel = avail;
			for (i = 0; i < rel; i++) {
				struct netmap_slot *s = &rx->slot[rx->head];

				assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, s->buf_idx)).seq,
						 expect++);
				rx->head = nm_idx_next(rx->head, n);
			}
			assert_int_equal(vt_sync(e->b, NR_RX, 0), 0);
			/* The release woke the sender, whose space grew by rel. */
			assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
			assert_int_equal(vt_space(tx), rel);
			while (vt_space(tx) > 0)
				vt_send(e->a, 0, vt_bcast(), 0, 0, seq++, 60);
			assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
		}
		assert_true(nm_os_notify_count(&space) >= 300);
		check_conservation(e);
		assert_int_equal(nm_port_set_notifier(e->a, NR_TX, 0, NULL), 0);
		nm_shim_notifier_fini(&space);
		pipe_free(e);
	}
}

static void test_nm_pipe_close_reopen(void **state)
{
	struct pipe_env *e = pipe_new(1, 8);
	struct nm_port *again;
	struct nm_port_geom g = { 1, 1, 8, 8, 0 };
	uint32_t i;

	(void)state;
	assert_int_equal(nm_port_open(&e->reg, "x{1", &g, &again), -EBUSY);
	for (i = 0; i < 3; i++)
		vt_send(e->a, 0, vt_bcast(), 0, 0, i, 60);
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	/* The receiver goes away and comes back: packets are still there. */
	nm_port_close(e->b);
	e->b = vt_open(&e->reg, "x}1", 4, 4); /* geometry: the existing one */
	assert_int_equal(e->b->num_slots[NR_RX], 8);
	assert_int_equal(vt_rx_drain(e->b, 0), 3);
	/* The sender goes away, comes back, and sends again. */
	nm_port_close(e->a);
	e->a = vt_open(&e->reg, "x{1", 1, 8);
	vt_send(e->a, 0, vt_bcast(), 0, 0, 3, 60);
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->b, 0), 1);
	check_conservation(e);
	/* Both close: the pipe is gone; the next open makes a fresh one. */
	nm_port_close(e->a);
	nm_port_close(e->b);
	assert_null(e->reg.pipes);
	e->a = vt_open(&e->reg, "x{1", 2, 32);
	e->b = NULL;
	assert_int_equal(e->a->num_slots[NR_TX], 32);
	assert_int_equal(vt_space(vt_ring(e->a, NR_TX, 1)), 31);
	pipe_free(e);
}

static void test_nm_pipe_hostile_descriptors(void **state)
{
	struct pipe_env *e = pipe_new(1, 16);
	struct netmap_ring *tx = vt_ring(e->a, NR_TX, 0);
	struct netmap_ring *rx = vt_ring(e->b, NR_RX, 0);
	uint32_t nbufs = e->a->region->pool.num_bufs;
	uint32_t rx_before = rx->slot[0].buf_idx, rx_before1 = rx->slot[1].buf_idx;

	(void)state;
	vt_put(tx, NULL, 10, 0);
	tx->slot[0].buf_idx = nbufs; /* outside the pool */
	vt_put(tx, NULL, 10, 0);
	tx->slot[1].len = VALE_BUF_SIZE + 1;
	assert_int_equal(vt_sync(e->a, NR_TX, 0), 0);
	assert_int_equal(nm_os_counter_read(&((struct nm_pipe_end *)e->a)->stats.bad_slots), 2);
	/* The receiver sees empty slots with its own buffers; the sender
	 * keeps its (bad) descriptor: nothing invalid crossed over. */
	assert_int_equal(vt_rx_ready(e->b, 0), 2);
	assert_int_equal(rx->slot[0].buf_idx, rx_before);
	assert_int_equal(rx->slot[1].buf_idx, rx_before1);
	assert_int_equal(rx->slot[0].len, 0);
	assert_int_equal(tx->slot[0].buf_idx, nbufs);
	pipe_free(e);
}

/* ---- threads */

struct pipe_thread_arg {
	struct nm_port *p;
	uint64_t count;
	uint64_t got, bad_order;
	struct nm_os_notifier wake;
};

static void *pipe_sender(void *v)
{
	struct pipe_thread_arg *a = v;
	struct netmap_ring *tx = vt_ring(a->p, NR_TX, 0);
	uint64_t seq = 0;

	while (seq < a->count) {
		uint32_t space = vt_space(tx);

		if (space == 0) {
			nm_shim_notifier_wait(&a->wake, 1);
		} else {
			while (space-- > 0 && seq < a->count) {
				struct netmap_slot *s = &tx->slot[tx->head];
				uint32_t *w = nm_ring_user_buf(tx, s->buf_idx);

				w[0] = (uint32_t)seq++;
				s->len = 4;
				s->flags = 0;
				tx->head = nm_idx_next(tx->head, tx->num_slots);
			}
		}
		if (vt_sync(a->p, NR_TX, 0) != 0)
			abort();
	}
	return NULL;
}

static void *pipe_receiver(void *v)
{
	struct pipe_thread_arg *a = v;
	struct netmap_ring *rx = vt_ring(a->p, NR_RX, 0);

	while (a->got < a->count) {
		uint32_t k;

		if (vt_sync(a->p, NR_RX, 0) != 0)
			abort();
		k = vt_space(rx);
		if (k == 0) {
			nm_shim_notifier_wait(&a->wake, 1);
			continue;
		}
		while (k-- > 0) {
			struct netmap_slot *s = &rx->slot[rx->head];
			uint32_t w = *(uint32_t *)nm_ring_user_buf(rx, s->buf_idx);

			if (w != (uint32_t)a->got || s->len != 4)
				a->bad_order++;
			a->got++;
			rx->head = nm_idx_next(rx->head, rx->num_slots);
		}
	}
	return NULL;
}

static void test_nm_pipe_threads_sequence(void **state)
{
	struct pipe_env *e = pipe_new(1, 256);
	struct pipe_thread_arg s = { .p = e->a, .count = 200000 };
	struct pipe_thread_arg r = { .p = e->b, .count = 200000 };
	struct nm_os_kthread ts, tr;

	(void)state;
	assert_int_equal(nm_shim_notifier_init(&s.wake), 0);
	assert_int_equal(nm_shim_notifier_init(&r.wake), 0);
	assert_int_equal(nm_port_set_notifier(e->a, NR_TX, 0, &s.wake), 0);
	assert_int_equal(nm_port_set_notifier(e->b, NR_RX, 0, &r.wake), 0);
	assert_int_equal(nm_os_kthread_create(&tr, pipe_receiver, &r, "rx"), 0);
	assert_int_equal(nm_os_kthread_create(&ts, pipe_sender, &s, "tx"), 0);
	nm_os_kthread_join(&ts);
	nm_os_kthread_join(&tr);
	assert_int_equal(r.got, 200000);
	assert_int_equal(r.bad_order, 0);
	/* Final releases so every buffer is back in a slot it owns. */
	check_conservation(e);
	nm_shim_notifier_fini(&s.wake);
	nm_shim_notifier_fini(&r.wake);
	pipe_free(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest basic[] = {
		cmocka_unit_test(test_nm_pipe_zero_copy_handoff),
		cmocka_unit_test(test_nm_pipe_geometry_mirrored),
	};
	const struct CMUnitTest frags[] = {
		cmocka_unit_test(test_nm_pipe_only_complete_packets),
	};
	const struct CMUnitTest full[] = {
		cmocka_unit_test(test_nm_pipe_space_follows_releases),
	};
	const struct CMUnitTest lifecycle[] = {
		cmocka_unit_test(test_nm_pipe_close_reopen),
	};
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_nm_pipe_hostile_descriptors),
	};
	const struct CMUnitTest threads[] = {
		cmocka_unit_test(test_nm_pipe_threads_sequence),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("basic", basic),	     NM_TEST_GROUP("frags", frags),
		NM_TEST_GROUP("full", full),	     NM_TEST_GROUP("lifecycle", lifecycle),
		NM_TEST_GROUP("hostile", hostile), NM_TEST_GROUP_TAGGED("threads", threads, "tsan"),
	};

	nm_shim_thread_register();
	return nm_test_main("nm_pipe", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
