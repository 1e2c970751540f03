/*
 * vale_fwd.c - VALE forwarding: a port's TX sync moves [hwcur, head) into
 * other ports' RX rings; the RX sync imports them.
 *
 * Phase 1 (no lock): each packet (NS_MOREFRAG chain) is read slot by slot,
 * each field once, into the TX ring's scratch and classified by the lookup
 * into a (port, ring) queue.  A packet starts only below VALE_BATCH entries
 * and stores at most 64, so the scratch is bounded by slots (D2); the walk
 * ends at head and counts in 32 bits (D1).  Phase 2, per destination ring:
 * lease whole packets under the ring lock, copy unlocked, complete the lease
 * under the lock (hwtail moves only over completed leases, in order; see
 * vale_lease.h), notify.  Details: docs/vale.md.
 *
 * Locking: the TX pass is one read-side section; ring locks are held only to
 * take and complete leases and by the RX sync; the scratch is the TX kring's.
 */
#include "vale.h"
#include "vale_bridge_impl.h"
#include "vale_lease.h"

#define VALE_FT_NIL 0xffffU
#define VALE_COPY_SMALL 1024U
#ifndef VALE_FLUSH_SLOTS
#define VALE_FLUSH_SLOTS VALE_BATCH
#endif

NM_STATIC_ASSERT(VALE_FT_SLOTS < VALE_FT_NIL, "scratch indices fit in 16 bits");
NM_STATIC_ASSERT(VALE_NUM_QUEUES < VALE_FT_NIL, "queue numbers fit in 16 bits");

struct vale_fwd_ent {
	const uint8_t *buf; /* source payload (inside the source region) */
	uint16_t len;
	uint16_t flags;
	uint16_t frags; /* on a packet's first entry: its slots */
	uint16_t next;	/* on a packet's first entry: next packet in queue */
};

struct vale_fwd_queue {
	uint16_t head, tail; /* first entries of the first/last packet */
	uint32_t slots;	     /* fragments queued */
};

struct vale_fwd_scratch {
	struct vale_fwd_ent ent[VALE_FT_SLOTS];
	struct vale_fwd_queue q[VALE_NUM_QUEUES];
	uint16_t active[VALE_NUM_QUEUES]; /* queues with work, first-use order */
	uint32_t num_active;
	uint32_t used; /* entries of ent[] in use */
	/* Accumulated during one sync, added to the port's counters once. */
	uint64_t tx_pkts, tx_slots;
	uint64_t drops[VALE_DROP_NREASONS];
};

struct vale_fwd_scratch *vale_fwd_scratch_alloc(void)
{
	struct vale_fwd_scratch *ft = nm_os_zalloc(sizeof(*ft));
	uint32_t q;

	if (ft == NULL)
		return NULL;
	for (q = 0; q < VALE_NUM_QUEUES; q++)
		ft->q[q].head = VALE_FT_NIL;
	return ft;
}

void vale_fwd_scratch_free(struct vale_fwd_scratch *ft)
{
	nm_os_free(ft);
}

/* ---- Phase 1. */

static void vale_fwd_enqueue(struct vale_fwd_scratch *ft, uint32_t q,
			     uint32_t first, uint32_t frags)
{
	struct vale_fwd_queue *qq = &ft->q[q];

	ft->ent[first].frags = (uint16_t)frags;
	ft->ent[first].next = VALE_FT_NIL;
	if (qq->head == VALE_FT_NIL) {
		qq->head = (uint16_t)first;
		qq->slots = 0;
		if (q != VALE_BCAST_QUEUE)
			ft->active[ft->num_active++] = (uint16_t)q;
	} else {
		ft->ent[qq->tail].next = (uint16_t)first;
	}
	qq->tail = (uint16_t)first;
	qq->slots += frags;
	ft->used += frags;
}

/* Lookup for one packet held in ent[first .. first + frags).  Whether the
 * destination port exists, and the ring modulo its ring count, are
 * settled in phase 2, once per queue rather than once per packet. */
static inline void vale_fwd_classify(struct vale_tx_ring *t,
				     const struct vale_lookup *lk,
				     uint32_t first, uint32_t frags)
{
	struct vale_fwd_scratch *ft = t->ft;
	const struct vale_fwd_ent *e = &ft->ent[first];
	uint32_t dst, dst_ring = t->ring, src = t->port->index;
	struct vale_pkt pkt;

	if (nm_likely(lk->fn == vale_bridge_lookup)) {
		/* The default bridge, inlined: no indirect call per packet. */
		dst = vale_bridge_classify(lk->priv, e->buf, e->len, e->flags,
					   src);
	} else {
		pkt.buf = e->buf;
		pkt.len = e->len;
		pkt.slots = frags;
		pkt.flags = e->flags;
		pkt.src_port = src;
		pkt.src_ring = t->ring;
		dst = lk->fn(&pkt, &dst_ring, lk->priv);
	}
	if (dst >= VALE_DROP)
		ft->drops[VALE_DROP_LOOKUP]++;
	else if (dst == VALE_BROADCAST)
		vale_fwd_enqueue(ft, VALE_BCAST_QUEUE, first, frags);
	else if (dst_ring >= VALE_MAX_RINGS)
		ft->drops[VALE_DROP_BAD_RING]++; /* D10: never index with it */
	else if (dst == src)
		ft->drops[VALE_DROP_SELF]++;
	else
		vale_fwd_enqueue(ft, dst * VALE_MAX_RINGS + dst_ring, first,
				 frags);
}

/*
 * Read one packet starting at slot i (i != end) and classify it; returns the
 * slot after it.  The fields used (buffer index, length, flags) are read
 * once each and judged before use; nothing in the TX ring is written.
 */
static inline uint32_t vale_fwd_take(struct vale_tx_ring *t,
				     const struct vale_lookup *lk, uint32_t i,
				     uint32_t end)
{
	struct vale_fwd_scratch *ft = t->ft;
	const struct nm_buf_pool *pool = &t->port->region.pool;
	struct netmap_slot *slot = t->kr.ring->slot;
	uint32_t n = t->kr.num_slots, first = ft->used, frags = 0;
	int bad = -1; /* drop reason, or -1 */
	bool complete = true;

	for (;;) {
		uint32_t idx = nm_os_shared_load32(&slot[i].buf_idx);
		uint16_t len = nm_os_shared_load16(&slot[i].len);
		uint16_t flags = nm_os_shared_load16(&slot[i].flags);

		if (nm_unlikely(!nm_buf_idx_valid(pool, idx) ||
				len > pool->buf_size)) {
			if (bad < 0)
				bad = VALE_DROP_BAD_SLOT;
		} else if (nm_unlikely(flags & NS_INDIRECT)) {
			if (bad < 0)
				bad = VALE_DROP_UNSUPPORTED;
		} else if (nm_likely(bad < 0 && frags < NETMAP_MAX_FRAGS)) {
			struct vale_fwd_ent *e = &ft->ent[first + frags];

			e->buf = pool->base + (size_t)idx * pool->buf_size;
			e->len = len;
			e->flags = flags;
		}
		frags++;
		i = nm_idx_next(i, n);
		if (nm_likely(!(flags & NS_MOREFRAG)))
			break;
		if (i == end) {
			complete = false;
			break;
		}
	}
	ft->tx_pkts++;
	ft->tx_slots += frags;
	if (nm_unlikely(!complete))
		ft->drops[VALE_DROP_TRUNC]++;
	else if (nm_unlikely(frags > NETMAP_MAX_FRAGS))
		ft->drops[VALE_DROP_FRAGS]++;
	else if (nm_unlikely(bad >= 0))
		ft->drops[bad]++;
	else
		vale_fwd_classify(t, lk, first, frags);
	return i;
}

/* ---- Phase 2. */

/* Next packet in source order from two queues; advances the one used. */
static inline uint32_t vale_fwd_pop(const struct vale_fwd_scratch *ft,
				    uint32_t *u, uint32_t *b)
{
	uint32_t cur;

	if (*u < *b) {
		cur = *u;
		*u = ft->ent[cur].next;
	} else {
		cur = *b;
		*b = ft->ent[cur].next;
	}
	return cur;
}

/* Slots of the longest prefix of whole packets that fits in space. */
static uint32_t vale_fwd_fit(const struct vale_fwd_scratch *ft, uint32_t u,
			     uint32_t b, uint32_t space)
{
	uint32_t sum = 0, cur;

	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		cur = vale_fwd_pop(ft, &u, &b);
		if (sum + ft->ent[cur].frags > space)
			break;
		sum += ft->ent[cur].frags;
	}
	return sum;
}

static inline void vale_fwd_copy_bytes(uint8_t *dst, const uint8_t *src,
				       uint32_t len)
{
	uint32_t off;

	/* Whole 64-byte blocks (fixed-size copies the compiler inlines);
	 * both buffers are multiples of 64 bytes long and len fits in both,
	 * so the rounding stays inside them. */
	if (len > VALE_COPY_SMALL) {
		nm_os_memcpy(dst, src, len);
		return;
	}
	for (off = 0; off < len; off += 64)
		nm_os_memcpy(dst + off, src + off, 64);
}

/*
 * Copy the packet at ent[cur] into RX slots [j, j + frags).  The slots are
 * leased to us; their buffer indices are receiver-writable and read once.
 * On a bad one the packet's slots are padded with empty packets (len 0,
 * flags 0) and false is returned.  This is the multi-slot case; the
 * single-slot case is vale_fwd_copy().
 */
static __attribute__((__noinline__)) bool
vale_fwd_copy_frags(const struct vale_fwd_scratch *ft, uint32_t cur,
		    struct netmap_ring *ring, uint32_t n, uint32_t j,
		    const struct nm_buf_pool *dpool)
{
	uint32_t frags = ft->ent[cur].frags, f, k, idx[NETMAP_MAX_FRAGS];
	bool ok = true;

	for (f = 0, k = j; f < frags; f++, k = nm_idx_next(k, n)) {
		idx[f] = nm_os_shared_load32(&ring->slot[k].buf_idx);
		if (!nm_buf_idx_valid(dpool, idx[f]) ||
		    ft->ent[cur + f].len > dpool->buf_size)
			ok = false;
	}
	for (f = 0, k = j; f < frags; f++, k = nm_idx_next(k, n)) {
		const struct vale_fwd_ent *e = &ft->ent[cur + f];
		uint16_t flags = 0, len = 0;

		if (ok) {
			vale_fwd_copy_bytes(nm_buf_addr(dpool, idx[f]), e->buf,
					    e->len);
			len = e->len;
			/* NS_RFRAGS: slots left in the packet, this one
			 * included, as documented (not the total: D7). */
			flags = (uint16_t)((frags - f) << NS_PORT_SHIFT);
			if (f + 1 < frags)
				flags |= NS_MOREFRAG;
		}
		nm_os_shared_store16(&ring->slot[k].len, len);
		nm_os_shared_store16(&ring->slot[k].flags, flags);
	}
	return ok;
}

/* Copy the packet at ent[cur] into the leased RX slots from j; see
 * vale_fwd_copy_frags() for the rules. */
static inline bool vale_fwd_copy(const struct vale_fwd_scratch *ft,
				 uint32_t cur, struct netmap_ring *ring,
				 uint32_t n, uint32_t j,
				 const struct nm_buf_pool *dpool)
{
	const struct vale_fwd_ent *e = &ft->ent[cur];
	struct netmap_slot *d = &ring->slot[j];
	uint32_t b;

	if (nm_unlikely(e->frags != 1))
		return vale_fwd_copy_frags(ft, cur, ring, n, j, dpool);
	b = nm_os_shared_load32(&d->buf_idx);
	if (nm_likely(nm_buf_idx_valid(dpool, b) && e->len <= dpool->buf_size)) {
		vale_fwd_copy_bytes(dpool->base + (size_t)b * dpool->buf_size,
				    e->buf, e->len);
		nm_os_shared_store16(&d->len, e->len);
		nm_os_shared_store16(&d->flags, 1 << NS_PORT_SHIFT);
		return true;
	}
	nm_os_shared_store16(&d->len, 0);
	nm_os_shared_store16(&d->flags, 0);
	return false;
}

/* Deliver queue u (and the broadcast queue b) into ring `ring` of dp. */
static void vale_fwd_deliver(struct vale_tx_ring *t, struct vale_port *dp,
			     uint32_t ring, uint32_t u, uint32_t b,
			     uint32_t need)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_rx_ring *rx = &dp->rx[ring];
	uint32_t n = rx->kr.num_slots, start = 0, idx = 0, j, left, cur;
	uint64_t pkts = 0, slots = 0;
	bool moved;

	nm_os_lock_acquire(&rx->lock);
	left = vale_lease_space(&rx->ls);
	if (need > left)
		need = vale_fwd_fit(ft, u, b, left);
	if (need > 0)
		idx = vale_lease_take(&rx->ls, need, &start);
	nm_os_lock_release(&rx->lock);

	/* Fill [start, start + need) with no lock held: other senders fill
	 * their own leases of this ring meanwhile. */
	j = start;
	left = need;
	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		cur = vale_fwd_pop(ft, &u, &b);
		/* The next packet's source line, while this one is copied
		 * (a hint only: it never faults). */
		if (u != VALE_FT_NIL)
			__builtin_prefetch(ft->ent[u].buf);
		if (ft->ent[cur].frags > left) {
			ft->drops[VALE_DROP_RX_FULL]++;
			left = 0; /* later packets did not fit either */
			continue;
		}
		if (vale_fwd_copy(ft, cur, rx->kr.ring, n, j, &dp->region.pool)) {
			pkts++;
			slots += ft->ent[cur].frags;
		} else {
			ft->drops[VALE_DROP_BAD_DST]++;
		}
		j = nm_idx_add(j, ft->ent[cur].frags, n);
		left -= ft->ent[cur].frags;
	}
	if (need == 0)
		return;
	nm_os_lock_acquire(&rx->lock);
	moved = vale_lease_done(&rx->ls, idx, start, j);
	nm_os_lock_release(&rx->lock);
	/* The receiver's rxsync takes the lock we just released, so it sees
	 * every slot written above before it imports hwtail. */
	if (moved)
		nm_port_notify(&dp->up, NR_RX, ring);
	nm_os_counter_add(&dp->stats.rx_pkts, pkts);
	nm_os_counter_add(&dp->stats.rx_slots, slots);
}

/* Count every packet of queues u and b as dropped for reason r. */
static void vale_fwd_drop_all(struct vale_fwd_scratch *ft, uint32_t u,
			      uint32_t b, enum vale_drop_reason r)
{
	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		vale_fwd_pop(ft, &u, &b);
		ft->drops[r]++;
	}
}

/* Phase 2 for everything classified so far, then reset the scratch. */
static void vale_fwd_flush(struct vale_tx_ring *t)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_port *src = t->port;
	struct vale_switch *sw = src->sw;
	struct vale_fwd_queue *bq = &ft->q[VALE_BCAST_QUEUE];
	uint32_t a, d, q, b;

	if (bq->head != VALE_FT_NIL) {
		/* Every other port's ring 0 gets the broadcast queue, merged
		 * with its own unicast queue when it has one. */
		for (d = 0; d < VALE_MAX_PORTS; d++) {
			q = d * VALE_MAX_RINGS;
			if (d != src->index && ft->q[q].head == VALE_FT_NIL &&
			    nm_os_ptr_read((void *const *)&sw->ports[d]) != NULL)
				ft->active[ft->num_active++] = (uint16_t)q;
		}
	}
	for (a = 0; a < ft->num_active; a++) {
		struct vale_fwd_queue *qq;
		struct vale_port *dp;
		uint32_t need;

		q = ft->active[a];
		qq = &ft->q[q];
		d = q / VALE_MAX_RINGS;
		b = q % VALE_MAX_RINGS == 0 ? bq->head : VALE_FT_NIL;
		need = qq->slots + (b != VALE_FT_NIL ? bq->slots : 0);
		/* Once per queue: the port may be gone (detached), and the
		 * lookup's ring is taken modulo its ring count. */
		dp = nm_os_ptr_read((void *const *)&sw->ports[d]);
		if (dp == NULL)
			vale_fwd_drop_all(ft, qq->head, b, VALE_DROP_NO_PORT);
		else
			vale_fwd_deliver(t, dp,
					 (q % VALE_MAX_RINGS) %
						 dp->up.num_rings[NR_RX],
					 qq->head, b, need);
		qq->head = VALE_FT_NIL;
		qq->slots = 0;
	}
	bq->head = VALE_FT_NIL;
	bq->slots = 0;
	ft->num_active = 0;
	ft->used = 0;
}

static void vale_fwd_account(struct vale_tx_ring *t)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_port_stats *st = &t->port->stats;
	uint32_t r;

	nm_os_counter_add(&st->tx_pkts, ft->tx_pkts);
	nm_os_counter_add(&st->tx_slots, ft->tx_slots);
	ft->tx_pkts = 0;
	ft->tx_slots = 0;
	for (r = 0; r < VALE_DROP_NREASONS; r++) {
		if (ft->drops[r] != 0) {
			nm_os_counter_add(&st->drops[r], ft->drops[r]);
			ft->drops[r] = 0;
		}
	}
}

int vale_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct vale_tx_ring *t = kr->sync_priv;
	uint32_t i = kr->hwcur, end = kr->rhead;
	const struct vale_lookup *lk;

	(void)flags;
	if (i == end)
		return 0;
	nm_os_read_enter();
	lk = nm_os_ptr_read((void *const *)&t->port->sw->lookup);
	while (i != end) {
		if (t->ft->used >= VALE_FLUSH_SLOTS)
			vale_fwd_flush(t);
		i = vale_fwd_take(t, lk, i, end);
	}
	vale_fwd_flush(t);
	nm_os_read_exit();
	vale_fwd_account(t);
	/* Copies are done: the whole ring is free again. */
	kr->hwcur = end;
	kr->hwtail = nm_idx_prev(end, kr->num_slots);
	return 0;
}

int vale_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct vale_rx_ring *r = kr->sync_priv;
	uint32_t tail;

	(void)flags;
	/* Under the lock senders complete leases with: every slot of the
	 * leases before ls.hwtail was written before we read it. */
	nm_os_lock_acquire(&r->lock);
	vale_lease_release(&r->ls, kr->rhead);
	tail = r->ls.hwtail;
	nm_os_lock_release(&r->lock);
	kr->hwcur = kr->rhead;
	kr->hwtail = tail;
	return 0;
}
