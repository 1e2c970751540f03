/*
 * monitor.c - netmap copy monitors and NS_INDIRECT through /dev/netmap.
 *
 * One process binds "valeK1:a" and "valeK1:b", a TX monitor of a by the
 * ABI's flag (NR_MONITOR_TX on the plain name) and an RX monitor of b by
 * name ("valeK1:b/r").  a sends NMC_MON_PKTS frames to b in batches; the
 * TX monitor must see each frame at the send, in order, with NS_TXMON and
 * the right bytes; the RX monitor sees them as they arrive at b, once.
 * Then: a zero-copy monitor of a port created without spare buffers is
 * ENOMEM, a monitor of a port nobody has open is EINVAL, and an
 * NS_INDIRECT frame from this process's memory arrives
 * (copy_from_user_nofault) while one at address 0 is dropped.  Last, a
 * zero-copy monitor ("valeK2:c/z") of a port created with nr_extra_bufs:
 * it maps c's own region, and sees each frame c sent in the very buffer c
 * filled, while c goes on with the monitor's buffers (NS_BUF_CHANGED).
 */
#include "nmc.h"

#include <errno.h>
#include <string.h>

#define NMC_MON_PKTS 1000U
#define NMC_MON_BATCH 50U

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 1, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 1, 0x02 };

/* Queue one frame on a's TX ring 0. */
static void put(struct netmap_ring *r, uint32_t seq, const uint8_t *src,
		const uint8_t *dst)
{
	struct netmap_slot *sl = &r->slot[r->head];

	sl->len = NMC_FRAME_LEN;
	sl->flags = 0;
	nmc_frame_fill(nm_ring_user_buf(r, sl->buf_idx), sl->len, seq, src,
		       dst);
	r->head = r->cur = nm_idx_next(r->head, r->num_slots);
}

/* Read every ready frame of ring r (after an rxsync): check the sequence
 * numbers continue from *next and the TX-monitor flag; release them. */
static void drain(struct nmc_port *p, struct netmap_ring *r, uint32_t *next,
		  bool txmon, const char *what)
{
	uint32_t head = r->head, tail = nm_ring_user_tail(r);
	int64_t seq;

	while (head != tail) {
		struct netmap_slot *sl = &r->slot[head];

		NMC_CHECK(sl->len == NMC_FRAME_LEN, "%s: len %u", what, sl->len);
		NMC_CHECK(((sl->flags & NS_TXMON) != 0) == txmon,
			  "%s: flags %#x", what, sl->flags);
		seq = nmc_frame_check(nm_ring_user_buf(r, sl->buf_idx),
				      sl->len);
		NMC_CHECK(seq == (int64_t)*next, "%s: seq %lld, want %u", what,
			  (long long)seq, *next);
		(*next)++;
		head = nm_idx_next(head, r->num_slots);
	}
	nm_ring_user_publish(r, head, head);
	NMC_CHECK(nmc_sync(p, NR_RX) == 0, "%s: rxsync", what);
}

/* A zero-copy monitor through the module: same region, same buffers. */
static void zero_copy(void)
{
	struct nmc_port c, d, z, z2;
	struct netmap_ring *tc, *rz;
	uint32_t orig[NMC_MON_BATCH], got = 0, k;
	int err;

	err = nmc_open_extra(&c, "valeK2:c", NR_REG_ALL_NIC, 0, 64, 0, 512);
	NMC_CHECK(err == 0, "c: %s", strerror(err));
	NMC_CHECK(nmc_open(&d, "valeK2:d", NR_REG_ALL_NIC, 0, 64, 0) == 0,
		  "d");
	err = nmc_open(&z, "valeK2:c/z", NR_REG_ALL_NIC, 0, 64, 0);
	NMC_CHECK(err == 0, "zero-copy monitor c/z: %s", strerror(err));
	NMC_CHECK(z.memsize == c.memsize, "c/z maps %zu bytes, c %zu",
		  z.memsize, c.memsize);
	/* The ABI's flag works the same, and chains after z. */
	err = nmc_open(&z2, "valeK2:c", NR_REG_ALL_NIC, NR_ZCOPY_MON, 8, 0);
	NMC_CHECK(err == 0, "zero-copy monitor (flag): %s", strerror(err));
	tc = nmc_ring(&c, NR_TX, 0);
	rz = nmc_ring(&z, NR_RX, 0);
	put(nmc_ring(&d, NR_TX, 0), 0, mac_b, mac_a);
	NMC_CHECK(nmc_sync(&d, NR_TX) == 0, "d txsync");
	for (k = 0; k < NMC_MON_BATCH; k++) {
		orig[k] = tc->slot[tc->head].buf_idx;
		put(tc, k, mac_a, mac_b);
	}
	NMC_CHECK(nmc_sync(&c, NR_TX) == 0, "c txsync");
	NMC_CHECK(nmc_sync(&z, NR_RX) == 0, "z rxsync");
	NMC_CHECK(nm_ring_user_space(rz, rz->head, rz->tail) == NMC_MON_BATCH,
		  "zero-copy monitor: %u frames, want %u",
		  nm_ring_user_space(rz, rz->head, rz->tail), NMC_MON_BATCH);
	for (k = 0; k < NMC_MON_BATCH; k++) {
		struct netmap_slot *sl = &rz->slot[nm_idx_add(rz->head, k,
							      rz->num_slots)];

		NMC_CHECK(sl->buf_idx == orig[k], "slot %u: buffer %u, c's was %u",
			  k, sl->buf_idx, orig[k]);
		NMC_CHECK(tc->slot[k].buf_idx != orig[k] &&
				  (tc->slot[k].flags & NS_BUF_CHANGED),
			  "c's slot %u kept its buffer", k);
	}
	drain(&z, rz, &got, true, "zero-copy monitor");
	/* z released them: they moved on to z2 (7 usable slots, newest). */
	NMC_CHECK(nmc_sync(&z2, NR_RX) == 0, "z2 rxsync");
	rz = nmc_ring(&z2, NR_RX, 0);
	NMC_CHECK(nm_ring_user_space(rz, rz->head, rz->tail) == 7,
		  "chained monitor: %u frames, want 7",
		  nm_ring_user_space(rz, rz->head, rz->tail));
	got = NMC_MON_BATCH - 7;
	drain(&z2, rz, &got, true, "chained zero-copy monitor");
	nmc_close(&z);
	nmc_close(&z2);
	nmc_close(&d);
	nmc_close(&c);
}

int main(void)
{
	static uint8_t user_frame[NMC_FRAME_LEN];
	struct nmc_port a, b, mt, mr, z;
	struct netmap_ring *ta, *rb, *rmt, *rmr;
	uint32_t sent = 0, got_b = 0, got_mt = 0, got_mr = 0, k;
	int err;

	nmc_prog = "monitor";
	NMC_CHECK(nmc_open(&a, "valeK1:a", NR_REG_ALL_NIC, 0, 0, 0) == 0, "a");
	NMC_CHECK(nmc_open(&b, "valeK1:b", NR_REG_ALL_NIC, 0, 0, 0) == 0, "b");
	err = nmc_open(&mt, "valeK1:a", NR_REG_ALL_NIC, NR_MONITOR_TX, 0, 0);
	NMC_CHECK(err == 0, "monitor a (flags): %s", strerror(err));
	err = nmc_open(&mr, "valeK1:b/r", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == 0, "monitor b/r: %s", strerror(err));
	NMC_CHECK(mt.reg.nr_tx_rings == 1 && mt.reg.nr_rx_rings == 1 &&
			  mt.reg.nr_rx_slots == a.reg.nr_tx_slots,
		  "monitor geometry %u/%u rings %u slots", mt.reg.nr_tx_rings,
		  mt.reg.nr_rx_rings, mt.reg.nr_rx_slots);
	err = nmc_open(&z, "valeK1:a", NR_REG_ALL_NIC, NR_ZCOPY_MON, 0, 0);
	NMC_CHECK(err == ENOMEM, "zero-copy monitor, no spare buffers: %s",
		  strerror(err));
	err = nmc_open(&z, "valeK1:nobody/t", NR_REG_ALL_NIC, 0, 0, 0);
	NMC_CHECK(err == EINVAL, "monitor of a closed port: %s",
		  strerror(err));
	ta = nmc_ring(&a, NR_TX, 0);
	rb = nmc_ring(&b, NR_RX, 0);
	rmt = nmc_ring(&mt, NR_RX, 0);
	rmr = nmc_ring(&mr, NR_RX, 0);
	/* b speaks first so that the switch learns where it is. */
	put(nmc_ring(&b, NR_TX, 0), 0, mac_b, mac_a);
	NMC_CHECK(nmc_sync(&b, NR_TX) == 0, "b txsync");
	NMC_CHECK(nmc_sync(&a, NR_RX) == 0, "a rxsync");
	while (sent < NMC_MON_PKTS) {
		for (k = 0; k < NMC_MON_BATCH; k++)
			put(ta, sent++, mac_a, mac_b);
		NMC_CHECK(nmc_sync(&a, NR_TX) == 0, "a txsync");
		NMC_CHECK(nmc_sync(&mt, NR_RX) == 0, "mt rxsync");
		drain(&mt, rmt, &got_mt, true, "tx monitor");
		/* The RX monitor saw them arrive, before b synced. */
		NMC_CHECK(nmc_sync(&mr, NR_RX) == 0, "mr rxsync");
		drain(&mr, rmr, &got_mr, false, "rx monitor");
		NMC_CHECK(got_mr == sent, "rx monitor: %u of %u at arrival",
			  got_mr, sent);
		NMC_CHECK(nmc_sync(&b, NR_RX) == 0, "b rxsync");
		drain(&b, rb, &got_b, false, "b");
		NMC_CHECK(nmc_sync(&mr, NR_RX) == 0, "mr rxsync");
		NMC_CHECK(rmr->tail == rmr->head, "rx monitor saw a frame twice");
	}
	NMC_CHECK(got_mt == sent && got_b == sent && got_mr == sent,
		  "sent %u: b %u, tx monitor %u, rx monitor %u", sent, got_b,
		  got_mt, got_mr);
	/* NS_INDIRECT: the payload at a user address of this process. */
	nmc_frame_fill(user_frame, sizeof(user_frame), sent, mac_a, mac_b);
	ta->slot[ta->head].len = NMC_FRAME_LEN;
	ta->slot[ta->head].flags = NS_INDIRECT;
	ta->slot[ta->head].ptr = (uint64_t)(uintptr_t)user_frame;
	ta->head = ta->cur = nm_idx_next(ta->head, ta->num_slots);
	ta->slot[ta->head].len = NMC_FRAME_LEN;
	ta->slot[ta->head].flags = NS_INDIRECT;
	ta->slot[ta->head].ptr = 0; /* a fault: dropped, never read */
	ta->head = ta->cur = nm_idx_next(ta->head, ta->num_slots);
	NMC_CHECK(nmc_sync(&a, NR_TX) == 0, "a txsync (indirect)");
	NMC_CHECK(nmc_sync(&b, NR_RX) == 0, "b rxsync (indirect)");
	NMC_CHECK(nm_ring_user_space(rb, rb->head, rb->tail) == 1,
		  "indirect: %u frames at b, want 1",
		  nm_ring_user_space(rb, rb->head, rb->tail));
	drain(&b, rb, &got_b, false, "b (indirect)");
	/* The TX monitor copied the indirect payload too, and the faulting
	 * one as an empty slot. */
	NMC_CHECK(nmc_sync(&mt, NR_RX) == 0, "mt rxsync (indirect)");
	NMC_CHECK(nm_ring_user_space(rmt, rmt->head, rmt->tail) == 2,
		  "tx monitor: %u slots, want 2",
		  nm_ring_user_space(rmt, rmt->head, rmt->tail));
	NMC_CHECK(rmt->slot[nm_idx_next(rmt->head, rmt->num_slots)].len == 0,
		  "faulting indirect slot monitored with bytes");
	nmc_close(&mr);
	nmc_close(&mt);
	nmc_close(&b);
	nmc_close(&a);
	zero_copy();
	printf("monitor: OK %u frames seen by b and both monitors, indirect ok, zero-copy ok\n",
	       sent);
	return 0;
}
