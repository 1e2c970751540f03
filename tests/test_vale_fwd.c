/*
 * test_vale_fwd.c - VALE forwarding through real ports, single-threaded.
 *
 * Groups: bridge (learning, flooding, self-drop, unknown port, NS_NO_LEARN,
 * short frames), lookup (hostile lookup results and rings), full (ring
 * full, ring sizes 2/3/1000/4096 with wrap, order), frags (64 and 65
 * fragments, chains cut by the end of the batch, whole-or-nothing, the
 * reference's D2 scenario), hostile (bad buffer indices and lengths on
 * either side, NS_INDIRECT), attach (attach/detach between and during
 * forwarding passes, stale learning entries), notify (notifier kicks),
 * direct (random mixes of unicast, broadcast, unknown, self and hostile
 * packets in one pass: each port gets exactly its packets, in order).
 */
#include "vale_test.h"
#include "nm_shim.h"

struct env {
	struct nm_registry reg;
	struct nm_port *p[8];
	uint32_t np;
};

static struct env *env_new(uint32_t nports, uint32_t rings, uint32_t slots)
{
	struct env *e = calloc(1, sizeof(*e));
	char name[32];
	uint32_t i;

	assert_non_null(e);
	assert_int_equal(nm_registry_init(&e->reg), 0);
	for (i = 0; i < nports; i++) {
		snprintf(name, sizeof(name), "vale0:p%u", i);
		e->p[i] = vt_open(&e->reg, name, rings, slots);
		assert_int_equal(vt_vale(e->p[i])->index, i);
	}
	e->np = nports;
	return e;
}

static void env_free(struct env *e)
{
	uint32_t i;

	for (i = 0; i < e->np; i++)
		if (e->p[i] != NULL)
			nm_port_close(e->p[i]);
	nm_registry_fini(&e->reg);
	free(e);
}

/* Host i sits behind port i. */
static void send1(struct env *e, uint32_t from, const uint8_t *dst,
		  uint32_t seq)
{
	vt_send(e->p[from], 0, dst, from, from, seq, 60);
	assert_int_equal(vt_sync(e->p[from], NR_TX, 0), 0);
}

static void send_to(struct env *e, uint32_t from, uint32_t to, uint32_t seq)
{
	uint8_t mac[6];

	vt_mac(mac, to);
	send1(e, from, mac, seq);
}

/* ---- bridge */

static void test_vale_fwd_learning(void **state)
{
	struct env *e = env_new(4, 1, 64);
	uint32_t i;

	(void)state;
	/* Unknown destination: flooded to every other port. */
	send_to(e, 0, 1, 1);
	assert_int_equal(vt_rx_drain(e->p[0], 0), 0);
	for (i = 1; i < 4; i++)
		assert_int_equal(vt_rx_drain(e->p[i], 0), 1);
	/* Host 0 was learnt: the reply goes to port 0 only. */
	send_to(e, 1, 0, 2);
	assert_int_equal(vt_rx_drain(e->p[0], 0), 1);
	for (i = 1; i < 4; i++)
		assert_int_equal(vt_rx_drain(e->p[i], 0), 0);
	/* And now host 1 is known too. */
	send_to(e, 0, 1, 3);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 1);
	assert_int_equal(vt_rx_drain(e->p[2], 0), 0);
	assert_int_equal(vt_rx_drain(e->p[3], 0), 0);
	/* A host that moves is learnt on its new port. */
	vt_send(e->p[3], 0, vt_bcast(), 0, 3, 4, 60); /* host 0 now behind 3 */
	assert_int_equal(vt_sync(e->p[3], NR_TX, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(vt_rx_drain(e->p[i], 0), 1);
	send_to(e, 1, 0, 5);
	assert_int_equal(vt_rx_drain(e->p[3], 0), 1);
	assert_int_equal(vt_rx_drain(e->p[0], 0), 0);
	env_free(e);
}

static void test_vale_fwd_flooding(void **state)
{
	struct env *e = env_new(5, 2, 64);
	uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	uint32_t i;

	(void)state;
	send1(e, 2, vt_bcast(), 1);
	send1(e, 2, mcast, 2);
	for (i = 0; i < 5; i++) {
		/* Ring 0 of every other port, never ring 1, never the source. */
		assert_int_equal(vt_rx_drain(e->p[i], 0), i == 2 ? 0 : 2);
		assert_int_equal(vt_rx_drain(e->p[i], 1), 0);
	}
	assert_int_equal(nm_os_counter_read(&vt_vale(e->p[2])->stats.tx_pkts), 2);
	env_free(e);
}

static void test_vale_fwd_self_drop(void **state)
{
	struct env *e = env_new(2, 1, 64);

	(void)state;
	send_to(e, 0, 1, 1); /* learns host 0 on port 0 */
	vt_rx_drain(e->p[1], 0);
	send_to(e, 0, 0, 2); /* to itself */
	assert_int_equal(vt_rx_drain(e->p[0], 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_SELF), 1);
	env_free(e);
}

static void test_vale_fwd_no_learn_and_short(void **state)
{
	struct env *e = env_new(3, 1, 64);
	uint8_t frame[64], mac[6];

	(void)state;
	/* NS_NO_LEARN: host 0 is not learnt, so replies to it flood. */
	vt_mac(mac, 1);
	vt_frame(frame, mac, 0, 0, 1);
	vt_put(vt_ring(e->p[0], NR_TX, 0), frame, 60, NS_NO_LEARN);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	vt_rx_drain(e->p[1], 0);
	vt_rx_drain(e->p[2], 0);
	send_to(e, 1, 0, 2);
	assert_int_equal(vt_rx_drain(e->p[0], 0), 1);
	assert_int_equal(vt_rx_drain(e->p[2], 0), 1);
	/* A first fragment shorter than an Ethernet header is dropped. */
	vt_put(vt_ring(e->p[0], NR_TX, 0), frame, 13, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_LOOKUP), 1);
	assert_int_equal(vt_rx_drain(e->p[1], 0) + vt_rx_drain(e->p[2], 0), 0);
	env_free(e);
}

/* ---- lookup */

struct fixed_lookup {
	uint32_t port, ring;
};

static uint32_t fixed_lookup_fn(const struct vale_pkt *pkt, uint32_t *dst_ring,
				void *priv)
{
	struct fixed_lookup *f = priv;

	(void)pkt;
	*dst_ring = f->ring;
	return f->port;
}

static void test_vale_fwd_hostile_lookup_results(void **state)
{
	struct env *e = env_new(3, 2, 64);
	struct vale_switch *sw = vt_vale(e->p[0])->sw;
	struct fixed_lookup f;
	struct vale_lookup lk = { fixed_lookup_fn, &f };
	static const struct {
		uint32_t port, ring;
		int reason; /* -1: delivered */
	} cases[] = {
		{ 253, 0, VALE_DROP_NO_PORT }, { 3, 0, VALE_DROP_NO_PORT },
		{ 255, 0, VALE_DROP_LOOKUP },  { 256, 0, VALE_DROP_LOOKUP },
		{ 0xffffffffU, 0, VALE_DROP_LOOKUP },
		{ 1, 16, VALE_DROP_BAD_RING }, { 1, 0xffffffffU, VALE_DROP_BAD_RING },
		{ 0, 0, VALE_DROP_SELF },      { 1, 1, -1 },
		{ 1, 15, -1 },		       { 254, 0xffffffffU, -1 },
	};
	uint32_t i;

	(void)state;
	vale_switch_set_lookup(sw, &lk);
	for (i = 0; i < NM_ARRAY_SIZE(cases); i++) {
		uint64_t before = vt_drops(e->p[0], cases[i].reason < 0 ? 0 : cases[i].reason);
		uint32_t got = 0, r, d;

		f.port = cases[i].port;
		f.ring = cases[i].ring;
		send_to(e, 0, 1, i);
		for (d = 1; d < 3; d++)
			for (r = 0; r < 2; r++)
				got += vt_rx_drain(e->p[d], r);
		if (cases[i].reason >= 0) {
			assert_int_equal(got, 0);
			assert_int_equal(vt_drops(e->p[0], cases[i].reason), before + 1);
		} else {
			assert_int_equal(got, cases[i].port == 254 ? 2 : 1);
		}
	}
	/* Ring 15 on a 2-ring port lands in ring 15 % 2 = 1. */
	f.port = 1;
	f.ring = 15;
	send_to(e, 0, 1, 99);
	assert_int_equal(vt_rx_drain(e->p[1], 1), 1);
	vale_switch_set_lookup(sw, NULL);
	send_to(e, 0, 2, 100); /* back to the bridge: flooded */
	assert_int_equal(vt_rx_drain(e->p[1], 0) + vt_rx_drain(e->p[2], 0), 2);
	env_free(e);
}

/* Port from the frame's first byte (0xfe: broadcast), ring from the second. */
static uint32_t byte_lookup_fn(const struct vale_pkt *pkt, uint32_t *dst_ring,
			       void *priv)
{
	(void)priv;
	*dst_ring = pkt->buf[1];
	return pkt->buf[0] == 0xfe ? VALE_BROADCAST : pkt->buf[0];
}

/*
 * Found by fuzz_vale (corpus bcast_absent_port_ring0): unicast packets to
 * an absent port's ring 0 in the same pass as a broadcast got the
 * broadcast queue merged in, so every broadcast packet was also counted
 * as a NO_PORT drop for each such absent port, breaking conservation
 * (delivered + drops = sent + broadcast fan-out).
 */
static void test_vale_fwd_bcast_and_absent_port(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct vale_lookup lk = { byte_lookup_fn, NULL };
	struct netmap_ring *r = vt_ring(e->p[0], NR_TX, 0);
	struct vale_port *src = vt_vale(e->p[0]);
	uint8_t frame[60] = { 0 };

	(void)state;
	vale_switch_set_lookup(src->sw, &lk);
	frame[0] = 5; /* absent, ring 0 */
	vt_put(r, frame, sizeof(frame), 0);
	frame[0] = 0xfe; /* broadcast: port 1 only */
	vt_put(r, frame, sizeof(frame), 0);
	frame[0] = 7; /* absent, ring 0 */
	vt_put(r, frame, sizeof(frame), 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 1);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_NO_PORT), 2);
	assert_int_equal(vale_port_drops_total(src), 2);
	assert_int_equal(nm_os_counter_read(&src->stats.tx_pkts),
			 vt_rx_pkts(e->p[1]) + vale_port_drops_total(src));
	vale_switch_set_lookup(src->sw, NULL);
	env_free(e);
}

/* ---- full, sizes, order */

static void test_vale_fwd_ring_full(void **state)
{
	struct env *e = env_new(2, 1, 1024);
	uint32_t i, k;

	(void)state;
	send_to(e, 1, 0, 0); /* learn host 1 */
	vt_rx_drain(e->p[0], 0);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 1000; i++)
			vt_send(e->p[0], 0, (uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 0, 0,
				k * 1000 + i, 60);
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	}
	/* 1023 fit (one slot stays empty), the rest are counted. */
	assert_int_equal(vt_rx_ready(e->p[1], 0), 1023);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_RX_FULL), 3000 - 1023);
	assert_int_equal(vt_rx_pkts(e->p[1]), 1023);
	/* The first 1023 in order. */
	{
		struct netmap_ring *r = vt_ring(e->p[1], NR_RX, 0);

		for (i = 0; i < 1023; i++) {
			struct netmap_slot *s = &r->slot[(r->head + i) % 1024];

			assert_int_equal(vt_payload_of(nm_ring_user_buf(r, s->buf_idx)).seq, i);
			assert_int_equal(s->len, 60);
			assert_int_equal(s->flags, 1 << 8);
		}
	}
	vt_rx_drain(e->p[1], 0);
	send_to(e, 0, 1, 7);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 1);
	env_free(e);
}

static void test_vale_fwd_ring_sizes(void **state)
{
	static const uint32_t sizes[] = { 2, 3, 1000, 4096 };
	uint32_t k;

	(void)state;
	for (k = 0; k < NM_ARRAY_SIZE(sizes); k++) {
		uint32_t n = sizes[k], seq = 0, expect = 0, round;
		struct env *e = env_new(2, 1, n);
		struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);

		send_to(e, 1, 0, 0);
		vt_rx_drain(e->p[0], 0);
		/* Many rounds of batches of every size up to n - 1: indices
		 * wrap many times on both rings. */
		for (round = 0; round < 3 * n + 20 && round < 400; round++) {
			uint32_t batch = 1 + round % (n - 1), i, got;

			for (i = 0; i < batch; i++)
				vt_send(e->p[0], 0, (uint8_t[6]){ 2, 0, 0, 0, 0, 1 },
					0, 0, seq++, (uint16_t)(60 + i % 1400));
			assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
			got = vt_rx_ready(e->p[1], 0);
			assert_int_equal(got, batch);
			for (i = 0; i < got; i++) {
				struct netmap_slot *s = &rx->slot[rx->head];

				assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, s->buf_idx)).seq,
						 expect++);
				assert_int_equal(s->len, 60 + i % 1400);
				rx->head = nm_idx_next(rx->head, n);
			}
			assert_int_equal(vt_sync(e->p[1], NR_RX, 0), 0);
		}
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_RX_FULL), 0);
		env_free(e);
	}
}

/* ---- frags */

/* Queue a chain of nfrags slots (len 60 each, MOREFRAG on all but the
 * last unless `cut`) on port p, TX ring 0. */
static void put_chain(struct nm_port *p, uint32_t nfrags, bool cut,
		      uint32_t dst, uint32_t seq)
{
	struct netmap_ring *r = vt_ring(p, NR_TX, 0);
	uint8_t frame[64], mac[6];
	uint32_t f;

	vt_mac(mac, dst);
	memset(frame, 0, sizeof(frame));
	vt_frame(frame, mac, 0, 0, seq);
	for (f = 0; f < nfrags; f++) {
		bool last = f + 1 == nfrags && !cut;

		frame[30] = (uint8_t)f;
		vt_put(r, frame, 60, last ? 0 : NS_MOREFRAG);
	}
}

static void test_vale_fwd_frags_64_and_65(void **state)
{
	struct env *e = env_new(2, 1, 256);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);
	uint32_t f;

	(void)state;
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	put_chain(e->p[0], 64, false, 1, 1);
	put_chain(e->p[0], 65, false, 1, 2);
	put_chain(e->p[0], 1, false, 1, 3);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 65);
	for (f = 0; f < 64; f++) {
		struct netmap_slot *s = &rx->slot[nm_idx_add(rx->head, f, 256)];
		uint8_t *b = nm_ring_user_buf(rx, s->buf_idx);

		assert_int_equal(b[30], f);
		/* Remaining fragments, this one included (D7 fixed). */
		assert_int_equal(s->flags, ((64 - f) << 8) | (f < 63 ? NS_MOREFRAG : 0));
	}
	assert_int_equal(vt_payload_of(nm_ring_user_buf(rx,
		rx->slot[nm_idx_add(rx->head, 64, 256)].buf_idx)).seq, 3);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_FRAGS), 1);
	assert_int_equal(nm_os_counter_read(&vt_vale(e->p[0])->stats.tx_pkts), 3);
	env_free(e);
}

static void test_vale_fwd_frags_cut_by_batch_end(void **state)
{
	struct env *e = env_new(2, 1, 128);

	(void)state;
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	/* A packet, then a chain whose last slot still says MOREFRAG. */
	put_chain(e->p[0], 3, false, 1, 1);
	put_chain(e->p[0], 5, true, 1, 2);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 3);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_TRUNC), 1);
	/* A chain cut after one slot, and a batch that is one MOREFRAG slot;
	 * the next batch starts clean. */
	put_chain(e->p[0], 1, true, 1, 3);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	put_chain(e->p[0], 2, false, 1, 4);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 2);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_TRUNC), 2);
	/* A chain longer than 64 that is also cut: counted once, never looped. */
	put_chain(e->p[0], 100, true, 1, 5);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_TRUNC), 3);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 0);
	env_free(e);
}

static void test_vale_fwd_frags_whole_or_nothing(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);

	(void)state;
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	/* 13 packets wait, so 50 slots are free: 40 singles fit, then a
	 * 20-slot packet does not (dropped whole), then 3 singles that would
	 * fit but come after it (dropped too: the order stays). */
	{
		uint32_t i;

		for (i = 0; i < 13; i++)
			put_chain(e->p[0], 1, false, 1, i);
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
		for (i = 0; i < 40; i++)
			put_chain(e->p[0], 1, false, 1, 13 + i);
		put_chain(e->p[0], 20, false, 1, 53);
		for (i = 0; i < 3; i++)
			put_chain(e->p[0], 1, false, 1, 54 + i);
	}
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 53);
	assert_int_equal(rx->slot[nm_idx_prev(rx->tail, 64)].flags, 1 << 8);
	assert_int_equal(vt_payload_of(nm_ring_user_buf(rx,
		rx->slot[nm_idx_prev(rx->tail, 64)].buf_idx)).seq, 52);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_RX_FULL), 4);
	vt_rx_drain(e->p[1], 0);
	/* A 63-slot packet fills an empty 64-slot ring exactly. */
	put_chain(e->p[0], 63, false, 1, 60);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 63);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_RX_FULL), 4);
	env_free(e);
}

/* Reference D2: 4096-slot ports, 1000 broadcasts plus a 200-slot chain in
 * one sync lost everything there.  Here the broadcasts arrive, the long
 * chain is dropped and counted, and a full ring of singles goes through. */
static void test_vale_fwd_frags_d2_big_batch(void **state)
{
	struct env *e = env_new(3, 1, 4096);
	uint32_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		put_chain(e->p[0], 1, false, 0xffffff, i);
	{
		struct netmap_ring *r = vt_ring(e->p[0], NR_TX, 0);
		uint32_t h = r->head;

		for (i = 0; i < 1000; i++) { /* make them broadcasts */
			uint32_t k = (h + 4096 - 1000 + i) % 4096;

			memset(nm_ring_user_buf(r, r->slot[k].buf_idx), 0xff, 6);
		}
	}
	put_chain(e->p[0], 200, false, 1, 1000);
	put_chain(e->p[0], 1, false, 1, 1001);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 1001);
	assert_int_equal(vt_rx_drain(e->p[2], 0), 1001);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_FRAGS), 1);
	/* 4095 singles in one sync (four scratch flushes), in order. */
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	vt_rx_drain(e->p[2], 0);
	for (i = 0; i < 4095; i++)
		put_chain(e->p[0], 1, false, 1, i);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 4095);
	{
		struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);

		for (i = 0; i < 4095; i++)
			assert_int_equal(vt_payload_of(nm_ring_user_buf(rx,
				rx->slot[nm_idx_add(rx->head, i, 4096)].buf_idx)).seq, i);
	}
	env_free(e);
}

/* ---- hostile slots */

static void test_vale_fwd_hostile_slots(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);
	uint32_t nbufs = vt_vale(e->p[0])->region.pool.num_bufs, h, saved;

	(void)state;
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	/* Bad buffer indices and a length above the buffer size. */
	{
		static const uint32_t bad_idx[] = { 0, 1, 0xffffffffU };
		uint32_t i;

		for (i = 0; i < NM_ARRAY_SIZE(bad_idx); i++) {
			h = tx->head;
			saved = tx->slot[h].buf_idx;
			put_chain(e->p[0], 1, false, 1, i);
			tx->slot[h].buf_idx = bad_idx[i] == 0xffffffffU ? nbufs : bad_idx[i];
			assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
			tx->slot[h].buf_idx = saved;
		}
		h = tx->head;
		put_chain(e->p[0], 1, false, 1, 9);
		tx->slot[h].len = VALE_BUF_SIZE + 1;
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
		/* A bad slot in the middle of a chain drops the whole chain. */
		h = tx->head;
		put_chain(e->p[0], 3, false, 1, 10);
		saved = tx->slot[nm_idx_next(h, 64)].buf_idx;
		tx->slot[nm_idx_next(h, 64)].buf_idx = 1;
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
		tx->slot[nm_idx_next(h, 64)].buf_idx = saved;
	}
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_BAD_SLOT), 5);
	assert_int_equal(vt_rx_drain(e->p[1], 0), 0);
	/* NS_INDIRECT with an address outside user memory: counted. */
	h = tx->head;
	put_chain(e->p[0], 1, false, 1, 11);
	tx->slot[h].flags |= NS_INDIRECT;
	tx->slot[h].ptr = 0;
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT), 1);
	/* A hostile receiver scribbles a bad index on a free RX slot: the
	 * packet that lands there is padded (len 0, flags 0), the next is
	 * delivered, and nothing outside the region is written. */
	h = rx->head; /* == hwtail, next slot to fill */
	saved = rx->slot[h].buf_idx;
	rx->slot[h].buf_idx = 0;
	put_chain(e->p[0], 1, false, 1, 12);
	put_chain(e->p[0], 1, false, 1, 13);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 2);
	assert_int_equal(rx->slot[h].len, 0);
	assert_int_equal(rx->slot[h].flags, 0);
	assert_int_equal(vt_payload_of(nm_ring_user_buf(rx,
		rx->slot[nm_idx_next(h, 64)].buf_idx)).seq, 13);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_BAD_DST), 1);
	rx->slot[h].buf_idx = saved;
	vt_rx_drain(e->p[1], 0);
	/* Prologue violations are refused before any forwarding. */
	tx->head = 1000;
	assert_int_equal(nm_kring_sync(nm_port_kring(e->p[0], NR_TX, 0), 0), -EINVAL);
	env_free(e);
}

/* ---- attach / detach */

static void test_vale_fwd_attach_detach_between_passes(void **state)
{
	struct env *e = env_new(3, 1, 64);
	struct nm_port *q;
	uint32_t round;

	(void)state;
	send_to(e, 2, 0, 0); /* host 2 learnt on port 2 */
	vt_rx_drain(e->p[0], 0);
	vt_rx_drain(e->p[1], 0);
	for (round = 0; round < 20; round++) {
		nm_port_close(e->p[2]);
		e->p[2] = NULL;
		/* The entry for host 2 was forgotten: flooded, not dropped. */
		send_to(e, 0, 2, 1);
		assert_int_equal(vt_rx_drain(e->p[1], 0), 1);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_NO_PORT), 0);
		/* A new port takes the free number; it learns and receives. */
		e->p[2] = vt_open(&e->reg, round % 2 ? "vale0:x" : "vale0:y", 1, 64);
		assert_int_equal(vt_vale(e->p[2])->index, 2);
		send_to(e, 2, 0, 2);
		assert_int_equal(vt_rx_drain(e->p[0], 0), 1);
		vt_rx_drain(e->p[1], 0);
		send_to(e, 0, 2, 3);
		assert_int_equal(vt_rx_drain(e->p[2], 0), 1);
	}
	/* Detach while a lookup still names the port: counted as no port. */
	{
		struct fixed_lookup f = { 2, 0 };
		struct vale_lookup lk = { fixed_lookup_fn, &f };

		vale_switch_set_lookup(vt_vale(e->p[0])->sw, &lk);
		nm_port_close(e->p[2]);
		e->p[2] = NULL;
		send_to(e, 0, 2, 4);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_NO_PORT), 1);
		vale_switch_set_lookup(vt_vale(e->p[0])->sw, NULL);
	}
	q = vt_open(&e->reg, "vale0:q", 1, 64);
	nm_port_close(q);
	env_free(e);
}

/* A lookup that detaches the destination port in the middle of a pass
 * (between phase 1 and phase 2), as a concurrent close would. */
struct detach_lookup {
	struct nm_registry *reg;
	struct nm_port *victim;
	uint32_t calls;
};

static uint32_t detach_lookup_fn(const struct vale_pkt *pkt,
				 uint32_t *dst_ring, void *priv)
{
	struct detach_lookup *d = priv;
	struct vale_port *v = vt_vale(d->victim);

	(void)pkt;
	(void)dst_ring;
	if (++d->calls == 3) {
		/* What vale_port_close() does before it waits for readers. */
		nm_os_ptr_publish((void **)&v->sw->ports[v->index], NULL);
	}
	return v->index;
}

static void test_vale_fwd_detach_during_pass(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct detach_lookup d = { &e->reg, e->p[1], 0 };
	struct vale_lookup lk = { detach_lookup_fn, &d };
	struct vale_port *v = vt_vale(e->p[1]);
	uint32_t i;

	(void)state;
	vale_switch_set_lookup(v->sw, &lk);
	for (i = 0; i < 5; i++)
		put_chain(e->p[0], 1, false, 1, i);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	/* Packets 0-1 were queued before the detach and dropped in phase 2;
	 * 2-4 found no port in phase 1. */
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_NO_PORT), 5);
	nm_os_ptr_publish((void **)&v->sw->ports[v->index], v);
	vale_switch_set_lookup(v->sw, NULL);
	env_free(e);
}

/* ---- notify */

static void test_vale_fwd_notify(void **state)
{
	struct env *e = env_new(3, 2, 64);
	struct nm_os_notifier ring1, all;

	(void)state;
	assert_int_equal(nm_shim_notifier_init(&ring1), 0);
	assert_int_equal(nm_shim_notifier_init(&all), 0);
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, 0, &ring1), 0);
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, NM_PORT_ALL_RINGS, &all), 0);
	send_to(e, 0, 1, 0); /* flooded: p1 ring 0 */
	assert_int_equal(nm_os_notify_count(&ring1), 1);
	assert_int_equal(nm_os_notify_count(&all), 1);
	assert_int_equal(nm_shim_notifier_wait(&ring1, 0), 1);
	/* A batch is one notification per destination ring. */
	vt_send(e->p[0], 0, vt_bcast(), 0, 0, 1, 60);
	vt_send(e->p[0], 0, vt_bcast(), 0, 0, 2, 60);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(nm_os_notify_count(&ring1), 2);
	/* Nothing delivered, nothing notified. */
	send_to(e, 1, 1, 3);
	assert_int_equal(nm_os_notify_count(&all), 2);
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, 0, NULL), 0);
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, NM_PORT_ALL_RINGS, NULL), 0);
	send_to(e, 0, 2, 4);
	assert_int_equal(nm_os_notify_count(&ring1), 2);
	nm_shim_notifier_fini(&ring1);
	nm_shim_notifier_fini(&all);
	env_free(e);
}

/*
 * The bridge memo (the last source learnt and destination looked up in a
 * sync) must see the sync's own learning: host S, whose entry collides
 * with host D's, is learnt between two packets to D, so the second one no
 * longer finds D and is flooded.  With S's packet on the inline path and,
 * as a two-slot chain, on the general path.
 */
static void test_vale_fwd_memo_sees_own_learning(void **state)
{
	uint32_t chain, d = 100, x = 200, sh, got1, got2;
	uint8_t md[6], ms[6];

	(void)state;
	vt_mac(md, d);
	for (sh = 1000;; sh++) { /* a host whose entry is D's */
		vt_mac(ms, sh);
		if (vale_bridge_hash(ms) == vale_bridge_hash(md))
			break;
	}
	for (chain = 0; chain < 2; chain++) {
		struct env *e = env_new(3, 1, 64);
		struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
		uint8_t frame[60];

		/* D lives behind port 1. */
		vt_send(e->p[1], 0, vt_bcast(), d, 1, 0, 60);
		assert_int_equal(vt_sync(e->p[1], NR_TX, 0), 0);
		vt_rx_drain(e->p[0], 0);
		vt_rx_drain(e->p[2], 0);
		/* One sync: X->D, S->broadcast (learns S over D), X->D. */
		vt_send(e->p[0], 0, md, x, 0, 1, 60);
		memset(frame, 0, sizeof(frame));
		vt_frame(frame, vt_bcast(), sh, 0, 2);
		if (chain) {
			vt_put(tx, frame, 60, NS_MOREFRAG);
			vt_put(tx, frame, 60, 0);
		} else {
			vt_put(tx, frame, 60, 0);
		}
		vt_send(e->p[0], 0, md, x, 0, 3, 60);
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
		got1 = vt_rx_drain(e->p[1], 0);
		got2 = vt_rx_drain(e->p[2], 0);
		assert_int_equal(got1, 3 + chain); /* 1, 2 (all slots), 3 */
		assert_int_equal(got2, 2 + chain); /* 2 and the flooded 3 */
		env_free(e);
	}
}

/* ---- direct (the fused unicast path) against an oracle */

enum { DK_UNI, DK_BCAST, DK_UNKNOWN, DK_SELF, DK_BAD };

/*
 * Random passes of unicast to ports 1..3, broadcasts, unknown hosts
 * (flooded), frames to the sender itself (dropped) and hostile slots (a bad
 * buffer index: dropped) from port 0, in one TX sync each: every port must
 * receive exactly the packets meant for it, in source order, with no empty
 * packet (one sender: a short lease is always rolled back).
 */
static void test_vale_fwd_direct_mixed_order(void **state)
{
	uint64_t rng = nm_test_seed("vale_fwd.direct");
	struct env *e = env_new(4, 1, 64);
	struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
	uint32_t round, i, p, seq = 0;

	(void)state;
	for (p = 1; p < 4; p++) { /* learn hosts 1..3 */
		send1(e, p, vt_bcast(), 0);
		for (i = 0; i < 4; i++)
			vt_rx_drain(e->p[i], 0);
	}
	for (round = 0; round < 300; round++) {
		uint32_t n = 1 + nm_test_below(&rng, 60), want[4][64], nw[4] = { 0 };
		uint32_t bad_slot[64], bad_buf[64];
		uint64_t bad0 = vt_drops(e->p[0], VALE_DROP_BAD_SLOT);
		uint64_t self0 = vt_drops(e->p[0], VALE_DROP_SELF), nself = 0;
		uint32_t nbad = 0;

		for (i = 0; i < n; i++, seq++) {
			uint32_t kind = nm_test_below(&rng, 8), to = 1 + nm_test_below(&rng, 3);
			uint8_t mac[6];

			kind = kind < 4 ? DK_UNI : kind - 3; /* unicast half the time */
			if (kind == DK_BCAST)
				memcpy(mac, vt_bcast(), 6);
			else
				vt_mac(mac, kind == DK_UNKNOWN ? 9 : kind == DK_SELF ? 0 : to);
			if (kind == DK_BAD) {
				uint32_t h = tx->head, saved = tx->slot[h].buf_idx;

				vt_send(e->p[0], 0, mac, 0, 0, seq, 60);
				tx->slot[h].buf_idx = 1; /* reserved: hostile */
				bad_slot[nbad] = h; /* put back after the sync */
				bad_buf[nbad++] = saved;
				continue;
			}
			vt_send(e->p[0], 0, mac, 0, 0, seq, 60);
			if (kind == DK_SELF) {
				nself++;
				continue;
			}
			for (p = 1; p < 4; p++)
				if (kind != DK_UNI || p == to)
					want[p][nw[p]++] = seq;
		}
		assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
		for (i = 0; i < nbad; i++)
			tx->slot[bad_slot[i]].buf_idx = bad_buf[i];
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_BAD_SLOT) - bad0, nbad);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_SELF) - self0, nself);
		for (p = 1; p < 4; p++) {
			struct netmap_ring *rx = vt_ring(e->p[p], NR_RX, 0);

			assert_int_equal(vt_rx_ready(e->p[p], 0), nw[p]);
			for (i = 0; i < nw[p]; i++) {
				struct netmap_slot *sl = &rx->slot[(rx->head + i) % rx->num_slots];

				assert_int_equal(sl->len, 60);
				assert_int_equal(vt_payload_of(nm_ring_user_buf(rx, sl->buf_idx)).seq,
						 want[p][i]);
			}
			vt_rx_drain(e->p[p], 0);
			assert_int_equal(vale_port_rx_pads(vt_vale(e->p[p])), 0);
		}
	}
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])),
			 vt_drops(e->p[0], VALE_DROP_BAD_SLOT) +
				 vt_drops(e->p[0], VALE_DROP_SELF));
	env_free(e);
}

/* ---- indirect (NS_INDIRECT: the payload at a user address) */

/* User memory for the indirect tests: registered with the shim. */
static uint8_t ind_umem[4096];

/* Queue one NS_INDIRECT slot (own buffer zeroed: only a copy from ptr can
 * deliver the right bytes), flags | NS_INDIRECT, payload at ptr. */
static void put_indirect(struct nm_port *p, uint64_t ptr, uint16_t len,
			 uint16_t flags)
{
	struct netmap_ring *r = vt_ring(p, NR_TX, 0);
	struct netmap_slot *s = &r->slot[r->head];

	memset(nm_ring_user_buf(r, s->buf_idx), 0, VALE_BUF_SIZE);
	s->ptr = ptr;
	vt_put(r, NULL, len, flags | NS_INDIRECT);
}

static uint8_t *ind_frame(uint32_t off, uint32_t to, uint32_t seq)
{
	uint8_t mac[6];

	vt_mac(mac, to);
	memset(ind_umem + off, 0xa5, 60);
	vt_frame(ind_umem + off, mac, 0, 0, seq);
	return ind_umem + off;
}

/* RX slot j of port p ring 0 holds the frame with this seq. */
static void expect_seq(struct nm_port *p, uint32_t k, uint32_t seq,
		       uint16_t len)
{
	struct netmap_ring *r = vt_ring(p, NR_RX, 0);
	struct netmap_slot *s = &r->slot[nm_idx_add(r->head, k, r->num_slots)];

	assert_int_equal(s->len, len);
	assert_int_equal(vt_payload_of(nm_ring_user_buf(r, s->buf_idx)).seq,
			 seq);
}

static void test_vale_fwd_indirect_delivered(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);
	uint8_t *f;

	(void)state;
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(ind_umem, sizeof(ind_umem)), 0);
	/* Teach the bridge where host 1 is, so frames go unicast. */
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	f = ind_frame(100, 1, 7);
	put_indirect(e->p[0], (uint64_t)(uintptr_t)f, 60, 0);
	/* The last byte of the range: a frame that ends exactly there. */
	f = ind_frame(sizeof(ind_umem) - 60, 1, 8);
	put_indirect(e->p[0], (uint64_t)(uintptr_t)f, 60, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 2);
	expect_seq(e->p[1], 0, 7, 60);
	expect_seq(e->p[1], 1, 8, 60);
	assert_memory_equal(nm_ring_user_buf(rx, rx->slot[rx->head].buf_idx),
			    ind_umem + 100, 60);
	/* Mixed in a chain: direct, indirect, direct fragments. */
	f = ind_frame(300, 1, 9);
	put_chain(e->p[0], 3, false, 1, 10);
	{
		struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
		uint32_t mid = nm_idx_add(tx->head, tx->num_slots - 2, tx->num_slots);

		tx->slot[mid].flags |= NS_INDIRECT;
		tx->slot[mid].ptr = (uint64_t)(uintptr_t)f;
	}
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 5);
	expect_seq(e->p[1], 3, 9, 60); /* the middle fragment's bytes */
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 0);
	assert_true(nm_shim_user_copies() >= 3);
	nm_shim_user_reset();
	env_free(e);
}

static void test_vale_fwd_indirect_hostile(void **state)
{
	struct env *e = env_new(2, 1, 64);
	uint64_t base = (uint64_t)(uintptr_t)ind_umem;
	uint8_t local[64];
	const uint64_t bad[] = {
		0,				      /* NULL */
		~0ULL,				      /* wraps */
		~0ULL - 10,			      /* ptr + len overflows */
		1ULL << 63,			      /* kernel half */
		(uint64_t)(uintptr_t)local,	      /* not user memory */
		base + sizeof(ind_umem) - 30,	      /* range ends mid-frame */
		base - 1,			      /* starts before it */
	};
	uint32_t k;

	(void)state;
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(ind_umem, sizeof(ind_umem)), 0);
	memset(local, 0, sizeof(local));
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	ind_frame(sizeof(ind_umem) - 60, 1, 1);
	for (k = 0; k < NM_ARRAY_SIZE(bad); k++)
		put_indirect(e->p[0], bad[k], 60, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT),
			 NM_ARRAY_SIZE(bad));
	assert_int_equal(vt_rx_ready(e->p[1], 0), 0);
	/* Length beyond the buffer, or a bad buffer index: judged before
	 * any copy, as for any slot. */
	put_indirect(e->p[0], base, VALE_BUF_SIZE + 1, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_BAD_SLOT), 1);
	/* A hostile fragment drops its whole chain, nothing else. */
	put_chain(e->p[0], 3, false, 1, 2);
	{
		struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
		uint32_t mid = nm_idx_add(tx->head, tx->num_slots - 2, tx->num_slots);

		tx->slot[mid].flags |= NS_INDIRECT;
		tx->slot[mid].ptr = base + sizeof(ind_umem) - 1;
	}
	ind_frame(0, 1, 3);
	put_indirect(e->p[0], base, 60, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT),
			 NM_ARRAY_SIZE(bad) + 1);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 1);
	expect_seq(e->p[1], 0, 3, 60);
	vt_rx_drain(e->p[1], 0);
	/* A zero-length indirect slot reads nothing, so cannot fault. */
	put_indirect(e->p[0], 0, 0, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT),
			 NM_ARRAY_SIZE(bad) + 1);
	/* A copy that faults (page gone, kthread context): counted. */
	nm_shim_user_fail_after(0);
	ind_frame(0, 1, 4);
	put_indirect(e->p[0], base, 60, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT),
			 NM_ARRAY_SIZE(bad) + 2);
	nm_shim_user_reset();
	assert_true(nm_kring_valid(nm_port_kring(e->p[0], NR_TX, 0)));
	env_free(e);
}

/* Fill the own buffer of the TX slot at head of port p with a marker, then
 * queue it as NS_INDIRECT at ptr; returns the own buffer. */
static const uint8_t *put_indirect_marked(struct nm_port *p, uint64_t ptr,
					  uint16_t len)
{
	struct netmap_ring *r = vt_ring(p, NR_TX, 0);
	struct netmap_slot *s = &r->slot[r->head];
	uint8_t *own = nm_ring_user_buf(r, s->buf_idx);

	memset(own, 0x5a, VALE_BUF_SIZE);
	s->ptr = ptr;
	vt_put(r, NULL, len, NS_INDIRECT);
	return own;
}

static bool all_bytes(const uint8_t *b, uint8_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* A unicast indirect packet longer than 128 bytes is copied once, from its
 * user address straight into the destination: its own buffer is never
 * written, and the user bytes read are the payload plus phase 1's checks
 * (the 14 bytes of L2 header the bridge classifies, the last byte).  A
 * shorter one is read with one user copy into its own buffer. */
static void test_vale_fwd_indirect_one_copy(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);
	const uint16_t len[3] = { 129, 1514, VALE_BUF_SIZE };
	const uint32_t off[3] = { 0, 192, 1792 };
	const uint8_t *own[3];
	uint64_t bytes = 0;
	uint32_t k;
	uint8_t *f;

	(void)state;
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(ind_umem, sizeof(ind_umem)), 0);
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	for (k = 0; k < sizeof(ind_umem); k++)
		ind_umem[k] = (uint8_t)(k * 7);
	for (k = 0; k < 3; k++) {
		f = ind_frame(off[k], 1, 20 + k);
		own[k] = put_indirect_marked(e->p[0], (uint64_t)(uintptr_t)f,
					     len[k]);
		bytes += len[k] + VALE_MIN_FRAME + 1;
	}
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 0);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 3);
	for (k = 0; k < 3; k++) {
		struct netmap_slot *s =
			&rx->slot[nm_idx_add(rx->head, k, rx->num_slots)];

		expect_seq(e->p[1], k, 20 + k, len[k]);
		assert_true(all_bytes(own[k], 0x5a, VALE_BUF_SIZE));
		assert_memory_equal(nm_ring_user_buf(rx, s->buf_idx),
				    ind_umem + off[k], len[k]);
	}
	assert_int_equal(nm_shim_user_bytes(), bytes);
	assert_int_equal(nm_shim_user_copies(), 3 * 3);
	vt_rx_drain(e->p[1], 0);
	/* 128 bytes: the whole frame in one user copy, into its own buffer. */
	f = ind_frame(0, 1, 30);
	own[0] = put_indirect_marked(e->p[0], (uint64_t)(uintptr_t)f, 128);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	expect_seq(e->p[1], 0, 30, 128);
	assert_memory_equal(own[0], ind_umem, 128);
	assert_int_equal(nm_shim_user_bytes(), bytes + 128);
	assert_int_equal(nm_shim_user_copies(), 3 * 3 + 1);
	nm_shim_user_reset();
	env_free(e);
}

/* The user memory goes between phase 1's checks and the copy into the
 * destination slot, already leased: the receiver gets an empty packet
 * (len 0, flags 0), never the slot's stale bytes, the drop is counted as
 * INDIRECT, and the ring goes on in step (the next packet arrives). */
static void test_vale_fwd_indirect_fault_in_delivery(void **state)
{
	struct env *e = env_new(2, 1, 64);
	struct netmap_ring *rx = vt_ring(e->p[1], NR_RX, 0);
	struct netmap_ring *tx = vt_ring(e->p[0], NR_TX, 0);
	uint64_t base = (uint64_t)(uintptr_t)ind_umem;
	struct netmap_slot *s;
	uint32_t k;

	(void)state;
	nm_shim_user_reset();
	send_to(e, 1, 0, 0);
	vt_rx_drain(e->p[0], 0);
	/* Stale bytes in every receive buffer. */
	for (k = 0; k < rx->num_slots; k++)
		memset(nm_ring_user_buf(rx, rx->slot[k].buf_idx), 0xee,
		       VALE_BUF_SIZE);
	/* Two ranges that meet: the first and last byte of a frame across
	 * them are user memory, the whole frame is not in one range. */
	assert_int_equal(nm_shim_user_add(ind_umem, 2048), 0);
	assert_int_equal(nm_shim_user_add(ind_umem + 2048, 2048), 0);
	ind_frame(2048 - 100, 1, 40);
	put_indirect(e->p[0], base + 2048 - 100, 200, 0);
	ind_frame(0, 1, 41);
	put_indirect(e->p[0], base, 200, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT), 1);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 2);
	s = &rx->slot[rx->head];
	assert_int_equal(s->len, 0);
	assert_int_equal(s->flags, 0);
	expect_seq(e->p[1], 1, 41, 200);
	vt_rx_drain(e->p[1], 0);
	/* The same with injected faults: phase 1's two copies succeed, the
	 * third (the delivery) fails. */
	nm_shim_user_fail_after(2);
	ind_frame(0, 1, 42);
	put_indirect(e->p[0], base, 200, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT), 2);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 1);
	assert_int_equal(rx->slot[rx->head].len, 0);
	vt_rx_drain(e->p[1], 0);
	nm_shim_user_fail_after(-1);
	/* A chain whose second (indirect) fragment faults in delivery: every
	 * slot of it is empty, none says MOREFRAG. */
	put_chain(e->p[0], 3, false, 1, 43);
	k = nm_idx_add(tx->head, tx->num_slots - 2, tx->num_slots);
	tx->slot[k].flags |= NS_INDIRECT;
	tx->slot[k].ptr = base + 2048 - 100;
	tx->slot[k].len = 200;
	ind_frame(0, 1, 44);
	put_indirect(e->p[0], base, 200, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT), 3);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 4);
	for (k = 0; k < 3; k++) {
		s = &rx->slot[nm_idx_add(rx->head, k, rx->num_slots)];
		assert_int_equal(s->len, 0);
		assert_int_equal(s->flags, 0);
	}
	expect_seq(e->p[1], 3, 44, 200);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 3);
	nm_shim_user_reset();
	assert_true(nm_kring_valid(nm_port_kring(e->p[1], NR_RX, 0)));
	env_free(e);
}

/* A broadcast indirect packet (or a flood to an unknown destination) is
 * copied from its user address into each other port's slot, its own buffer
 * untouched; a fault in one port's copy is that port's outcome (an empty
 * slot, an INDIRECT drop), the others still get the packet. */
static void test_vale_fwd_indirect_broadcast(void **state)
{
	struct env *e = env_new(3, 1, 64);
	uint64_t base = (uint64_t)(uintptr_t)ind_umem;
	struct netmap_ring *rx;
	const uint8_t *own;
	uint32_t d;

	(void)state;
	nm_shim_user_reset();
	assert_int_equal(nm_shim_user_add(ind_umem, sizeof(ind_umem)), 0);
	memset(ind_umem, 0xa5, 200);
	vt_frame(ind_umem, vt_bcast(), 0, 0, 50);
	own = put_indirect_marked(e->p[0], base, 200);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	for (d = 1; d < 3; d++) {
		rx = vt_ring(e->p[d], NR_RX, 0);
		assert_int_equal(vt_rx_ready(e->p[d], 0), 1);
		expect_seq(e->p[d], 0, 50, 200);
		assert_memory_equal(
			nm_ring_user_buf(rx, rx->slot[rx->head].buf_idx),
			ind_umem, 200);
		vt_rx_drain(e->p[d], 0);
	}
	assert_true(all_bytes(own, 0x5a, VALE_BUF_SIZE));
	assert_int_equal(nm_shim_user_bytes(), 2 * 200 + VALE_MIN_FRAME + 1);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 0);
	/* Phase 1's two copies and port 1's succeed, port 2's faults. */
	nm_shim_user_fail_after(3);
	vt_frame(ind_umem, vt_bcast(), 0, 0, 51);
	put_indirect(e->p[0], base, 200, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(vt_drops(e->p[0], VALE_DROP_INDIRECT), 1);
	assert_int_equal(vt_rx_ready(e->p[1], 0), 1);
	expect_seq(e->p[1], 0, 51, 200);
	rx = vt_ring(e->p[2], NR_RX, 0);
	assert_int_equal(vt_rx_ready(e->p[2], 0), 1);
	assert_int_equal(rx->slot[rx->head].len, 0);
	assert_int_equal(rx->slot[rx->head].flags, 0);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 1);
	nm_shim_user_reset();
	env_free(e);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest bridge[] = {
		cmocka_unit_test(test_vale_fwd_learning),
		cmocka_unit_test(test_vale_fwd_flooding),
		cmocka_unit_test(test_vale_fwd_self_drop),
		cmocka_unit_test(test_vale_fwd_no_learn_and_short),
		cmocka_unit_test(test_vale_fwd_memo_sees_own_learning),
	};
	const struct CMUnitTest lookup[] = {
		cmocka_unit_test(test_vale_fwd_hostile_lookup_results),
		cmocka_unit_test(test_vale_fwd_bcast_and_absent_port),
	};
	const struct CMUnitTest full[] = {
		cmocka_unit_test(test_vale_fwd_ring_full),
		cmocka_unit_test(test_vale_fwd_ring_sizes),
	};
	const struct CMUnitTest frags[] = {
		cmocka_unit_test(test_vale_fwd_frags_64_and_65),
		cmocka_unit_test(test_vale_fwd_frags_cut_by_batch_end),
		cmocka_unit_test(test_vale_fwd_frags_whole_or_nothing),
		cmocka_unit_test(test_vale_fwd_frags_d2_big_batch),
	};
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_vale_fwd_hostile_slots),
	};
	const struct CMUnitTest indirect[] = {
		cmocka_unit_test(test_vale_fwd_indirect_delivered),
		cmocka_unit_test(test_vale_fwd_indirect_hostile),
		cmocka_unit_test(test_vale_fwd_indirect_one_copy),
		cmocka_unit_test(test_vale_fwd_indirect_fault_in_delivery),
		cmocka_unit_test(test_vale_fwd_indirect_broadcast),
	};
	const struct CMUnitTest attach[] = {
		cmocka_unit_test(test_vale_fwd_attach_detach_between_passes),
		cmocka_unit_test(test_vale_fwd_detach_during_pass),
	};
	const struct CMUnitTest notify[] = {
		cmocka_unit_test(test_vale_fwd_notify),
	};
	const struct CMUnitTest direct[] = {
		cmocka_unit_test(test_vale_fwd_direct_mixed_order),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("bridge", bridge),   NM_TEST_GROUP("lookup", lookup),
		NM_TEST_GROUP("full", full),	   NM_TEST_GROUP("frags", frags),
		NM_TEST_GROUP("hostile", hostile), NM_TEST_GROUP("attach", attach),
		NM_TEST_GROUP("notify", notify),   NM_TEST_GROUP("direct", direct),
		NM_TEST_GROUP("indirect", indirect),
	};

	nm_shim_thread_register();
	return nm_test_main("vale_fwd", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
