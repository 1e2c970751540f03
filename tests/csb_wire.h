/*
 * csb_wire.h - test and benchmark scaffolding for the CSB: a "wire" backend
 * that connects a TX kring to an RX kring of the same size with a
 * zero-copy descriptor hand-off at equal slot indices (like a netmap pipe:
 * TX slot i's buffer goes to RX slot i, RX slot i's free buffer comes back),
 * the CSB lines for both rings, and sequence-numbered 60-byte frames.
 *
 * Ownership between the two syncs goes through two words, each with one
 * writer: fwd (TX has handed over slots up to here; RX hwtail) and rel (RX
 * has released slots up to here; TX hwtail is the slot before it).  Both
 * are stored with release and loaded with acquire, so the descriptors and
 * payloads travel with them.  Not core code: it may use libc.
 */
#ifndef CSB_WIRE_H
#define CSB_WIRE_H

#include "csb.h"
#include "nm_mem.h"

#include <stdlib.h>
#include <string.h>

#define CSB_WIRE_FRAME 60U

struct csb_wire {
	/* CSB arrays, TX ring first, as the ABI orders them. */
	struct nm_csb_atok atok[2];
	struct nm_csb_ktoa ktoa[2];
	struct nm_buf_pool pool;
	struct netmap_ring *txr, *rxr;
	struct nm_kring tx, rx;
	uint32_t n;
	uint32_t fwd; /* written by the TX sync only */
	uint32_t rel; /* written by the RX sync only */
	uint64_t bad_slots; /* TX slots rejected by nm_slot_load */
};

/* TX sync: hand [hwcur, head) to the RX ring; free what RX released. */
static inline int csb_wire_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct csb_wire *w = kr->sync_priv;
	uint32_t n = kr->num_slots, i;

	(void)flags;
	for (i = kr->hwcur; i != kr->rhead; i = nm_idx_next(i, n)) {
		struct netmap_slot *ts = &w->txr->slot[i];
		struct netmap_slot *rs = &w->rxr->slot[i];
		struct nm_slot_snap snap;
		uint32_t spare = rs->buf_idx;

		if (nm_slot_load(&w->pool, ts, &snap) != 0) {
			/* A bad slot arrives as an empty frame in the RX
			 * slot's own buffer; the TX slot is left alone. */
			w->bad_slots++;
			rs->len = 0;
			rs->flags = 0;
			continue;
		}
		rs->buf_idx = snap.buf_idx;
		rs->len = snap.len;
		rs->flags = NS_BUF_CHANGED;
		ts->buf_idx = spare;
		ts->flags = NS_BUF_CHANGED;
	}
	__atomic_store_n(&w->fwd, kr->rhead, __ATOMIC_RELEASE);
	kr->hwcur = kr->rhead;
	kr->hwtail = nm_idx_prev(__atomic_load_n(&w->rel, __ATOMIC_ACQUIRE), n);
	return 0;
}

/* RX sync: take back [hwcur, head), import up to what TX handed over. */
static inline int csb_wire_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct csb_wire *w = kr->sync_priv;

	(void)flags;
	kr->hwcur = kr->rhead;
	__atomic_store_n(&w->rel, kr->rhead, __ATOMIC_RELEASE);
	kr->hwtail = __atomic_load_n(&w->fwd, __ATOMIC_ACQUIRE);
	return 0;
}

static inline struct netmap_ring *csb_wire_ring_alloc(uint32_t n)
{
	return calloc(1, sizeof(struct netmap_ring) +
				 n * sizeof(struct netmap_slot));
}

/* A wire of n-slot rings with their buffers; 0 or -errno. */
static inline int csb_wire_init(struct csb_wire **out, uint32_t n)
{
	struct csb_wire *w;
	size_t sz = (sizeof(*w) + 63) & ~(size_t)63;
	int err;

	w = aligned_alloc(64, sz);
	if (w == NULL)
		return -ENOMEM;
	memset(w, 0, sz);
	w->n = n;
	w->txr = csb_wire_ring_alloc(n);
	w->rxr = csb_wire_ring_alloc(n);
	if (w->txr == NULL || w->rxr == NULL)
		return -ENOMEM;
	err = nm_buf_pool_init(&w->pool, 2 * n + NETMAP_BUF_RESERVED, 64);
	if (err == 0)
		err = nm_buf_ring_fill(&w->pool, w->txr, n);
	if (err == 0)
		err = nm_buf_ring_fill(&w->pool, w->rxr, n);
	if (err == 0)
		err = nm_kring_init(&w->tx, NM_KRING_TX, n, w->txr,
				    csb_wire_txsync, w, "wire-tx");
	if (err == 0)
		err = nm_kring_init(&w->rx, NM_KRING_RX, n, w->rxr,
				    csb_wire_rxsync, w, "wire-rx");
	if (err != 0)
		return err;
	*out = w;
	return 0;
}

static inline void csb_wire_fini(struct csb_wire *w)
{
	nm_buf_ring_drain(&w->pool, w->txr, w->n);
	nm_buf_ring_drain(&w->pool, w->rxr, w->n);
	nm_buf_pool_fini(&w->pool);
	free(w->txr);
	free(w->rxr);
	free(w);
}

/* Write frame number seq into slot i of TX ring txr (a 60-byte frame). */
static inline void csb_frame_put(struct netmap_ring *txr,
				 const struct nm_buf_pool *pool, uint32_t i,
				 uint64_t seq)
{
	struct netmap_slot *s = &txr->slot[i];
	uint8_t *buf = nm_buf_addr(pool, s->buf_idx);

	if (buf == NULL)
		abort(); /* the application's own slot: a harness bug */
	memset(buf + 8, (int)(seq & 0xff), CSB_WIRE_FRAME - 8);
	memcpy(buf, &seq, sizeof(seq));
	s->len = CSB_WIRE_FRAME;
}

/*
 * Read the frame in slot i of RX ring rxr: its sequence number, or
 * UINT64_MAX if the slot or the frame is damaged (bad buffer, length, or a
 * byte that does not match the number: a stale or shared buffer).
 */
static inline uint64_t csb_frame_get(const struct netmap_ring *rxr,
				     const struct nm_buf_pool *pool,
				     uint32_t i)
{
	const struct netmap_slot *s = &rxr->slot[i];
	uint8_t *buf = nm_buf_addr(pool, s->buf_idx);
	uint64_t seq;

	if (buf == NULL || s->len != CSB_WIRE_FRAME)
		return UINT64_MAX;
	memcpy(&seq, buf, sizeof(seq));
	if (buf[CSB_WIRE_FRAME - 1] != (uint8_t)(seq & 0xff))
		return UINT64_MAX;
	return seq;
}

/* The same on the wire's own rings. */
static inline void csb_wire_put(struct csb_wire *w, uint32_t i, uint64_t seq)
{
	csb_frame_put(w->txr, &w->pool, i, seq);
}

static inline uint64_t csb_wire_get(struct csb_wire *w, uint32_t i)
{
	return csb_frame_get(w->rxr, &w->pool, i);
}

#endif /* CSB_WIRE_H */
