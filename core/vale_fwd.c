/*
 * vale_fwd.c - VALE forwarding: a port's TX sync moves [hwcur, head) into
 * other ports' RX rings; the RX sync imports them.
 *
 * Phase 1 (no lock): each packet (NS_MOREFRAG chain) is read slot by slot,
 * each field once, into the TX ring's scratch and classified by the lookup
 * into a (port, ring) queue, recorded on its entry.  A packet starts only
 * below VALE_BATCH entries and stores at most 64, so the scratch is bounded
 * by slots (D2); the walk ends at head and counts in 32 bits (D1).  Phase 2:
 * when every packet went to one ring the scratch is delivered in order as
 * it stands; otherwise one pass links each queue's packets first.  Per
 * destination ring: lease whole packets under the ring lock, copy unlocked,
 * complete the lease under the lock (hwtail moves only over completed
 * leases, in order; see vale_lease.h), notify.  The common case, a stream
 * of single-slot unicast packets, skips the scratch: a direct run leases
 * ahead on the first packet's destination ring and copies each packet for
 * it as soon as it is classified (see "The direct run" below).  Details:
 * docs/vale.md.
 *
 * Locking: the TX pass is one read-side section; ring locks are held only to
 * take and complete leases and by the RX sync; the scratch is the TX kring's.
 */
#include "vale.h"
#include "vale_bridge_impl.h"
#include "vale_lease.h"
#include "vale_offload.h"

#define VALE_FT_NIL 0xffffU
#define VALE_COPY_SMALL 1024U
#ifndef VALE_FLUSH_SLOTS
#define VALE_FLUSH_SLOTS VALE_BATCH
#endif

NM_STATIC_ASSERT(VALE_FT_SLOTS < VALE_FT_NIL, "scratch indices fit in 16 bits");
NM_STATIC_ASSERT(VALE_NUM_QUEUES < VALE_FT_NIL, "queue numbers fit in 16 bits");

/* Packets translated between header lengths that share one lease: each
 * is planned on its own (its slots known only then), the group leased and
 * completed once. */
#define VALE_XLATE_GROUP 16U

struct vale_fwd_ent {
	const uint8_t *buf; /* source payload (inside the source region), or
			     * NULL: an NS_INDIRECT fragment still at its
			     * user address (vale_fwd_ind.uaddr) */
	uint16_t len;
	uint16_t frags; /* on a packet's first entry: its slots */
	uint16_t q;	/* on a packet's first entry: its queue */
	uint16_t next;	/* on a packet's first entry: next packet in queue
			 * (linked by vale_fwd_link() in phase 2) */
};

/* Where an NS_INDIRECT fragment's payload is (read once from the slot),
 * and its own buffer, for the paths that copy it there first. */
struct vale_fwd_ind {
	uint64_t uaddr;
	uint32_t idx;
};

/* Bytes of an indirect packet's L2 header phase 1 reads for the default
 * bridge: it reads the two MACs of a frame of at least this many bytes.
 * The head of a packet's first fragment is read with the virtio-net header
 * before it (at most 12 bytes; vale_vnet_hdr_len_valid()). */
#define VALE_IND_PEEK VALE_MIN_FRAME
#define VALE_IND_HEAD (VALE_VNET_HDR_MRG_LEN + VALE_IND_PEEK)
/* An indirect fragment this short is copied whole into its own buffer in
 * phase 1 (one user copy) rather than checked there and copied in phase 2
 * (three): each non-faulting user copy has a fixed cost (in the kernel
 * access_ok() and STAC/CLAC, in the shim a lock) above that of copying
 * two 64-byte blocks again (bench_vale, vale_indirect at 60 bytes;
 * docs/PERFORMANCE.md). */
#define VALE_IND_SMALL 128U

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
	uint32_t q0;   /* queue of ent[0], or VALE_FT_NIL */
	bool mixed;    /* some entry is in another queue than q0 */
	uint32_t run_hint; /* slots the next direct run leases at most */
	uint32_t src_hdr;  /* the source's virtio-net header length, read
			    * once per sync */
	/* Delivery between ports of different header lengths
	 * (vale_fwd_deliver_xlate()): one packet's fragments, the
	 * destination buffer indices vale_offload_emit() reads once, and a
	 * group's plans with their scratch entries. */
	struct vale_frag xf[NETMAP_MAX_FRAGS];
	uint32_t oidx[VALE_OFFLOAD_MAX_SLOTS];
	struct vale_offload_plan xpl[VALE_XLATE_GROUP];
	uint16_t xcur[VALE_XLATE_GROUP];
	/* ind[k]: entry k's user address when its buf is NULL. */
	struct vale_fwd_ind ind[VALE_FT_SLOTS];
	/* The head of an indirect packet, with the L2 header the bridge
	 * classifies (vale_fwd_indirect(), vale_fwd_peek()). */
	uint8_t peek[VALE_IND_HEAD];
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
	ft->q0 = VALE_FT_NIL;
	ft->run_hint = VALE_BATCH;
	return ft;
}

void vale_fwd_scratch_free(struct vale_fwd_scratch *ft)
{
	nm_os_free(ft);
}

/* ---- Phase 1. */

/* Record the packet held in ent[first .. first + frags) as queued on q. */
static inline void vale_fwd_push(struct vale_fwd_scratch *ft, uint32_t q,
				 uint32_t first, uint32_t frags)
{
	ft->ent[first].frags = (uint16_t)frags;
	ft->ent[first].q = (uint16_t)q;
	if (nm_unlikely(q != ft->q0)) {
		if (ft->q0 == VALE_FT_NIL)
			ft->q0 = q;
		else
			ft->mixed = true;
	}
	ft->used = first + frags;
}

/* Lookup for one packet held in ent[first .. first + frags), whose first
 * slot had flags `flags` and whose Ethernet header is at (buf, len).
 * Whether the destination port exists, and the ring modulo its ring count,
 * are settled in phase 2, once per queue rather than once per packet. */
static void vale_fwd_classify(struct vale_tx_ring *t,
			      const struct vale_lookup *lk, uint32_t first,
			      uint32_t frags, uint16_t flags,
			      const uint8_t *buf, uint32_t len)
{
	struct vale_fwd_scratch *ft = t->ft;
	uint32_t dst, dst_ring = t->ring, src = t->port->index;
	struct vale_pkt pkt;

	pkt.buf = buf;
	pkt.len = len;
	pkt.slots = frags;
	pkt.flags = flags;
	pkt.src_port = src;
	pkt.src_ring = t->ring;
	dst = lk->fn(&pkt, &dst_ring, lk->priv);
	if (dst >= VALE_DROP)
		ft->drops[VALE_DROP_LOOKUP]++;
	else if (dst == VALE_BROADCAST)
		vale_fwd_push(ft, VALE_BCAST_QUEUE, first, frags);
	else if (dst_ring >= VALE_MAX_RINGS)
		ft->drops[VALE_DROP_BAD_RING]++; /* D10: never index with it */
	else if (dst == src)
		ft->drops[VALE_DROP_SELF]++;
	else
		vale_fwd_push(ft, dst * VALE_MAX_RINGS + dst_ring, first, frags);
}

/* Queue the packet held in ent[first .. first + frags) for port dst, as
 * the default bridge classified it; its destination ring is the source
 * ring, ring (< VALE_MAX_RINGS). */
static inline void vale_fwd_queue_dst(struct vale_fwd_scratch *ft,
				      uint32_t dst, uint32_t src,
				      uint32_t ring, uint32_t first,
				      uint32_t frags)
{
	if (nm_likely(dst < VALE_BROADCAST && dst != src))
		vale_fwd_push(ft, dst * VALE_MAX_RINGS + ring, first, frags);
	else if (dst == VALE_BROADCAST)
		vale_fwd_push(ft, VALE_BCAST_QUEUE, first, frags);
	else if (dst >= VALE_DROP)
		ft->drops[VALE_DROP_LOOKUP]++;
	else
		ft->drops[VALE_DROP_SELF]++;
}

/* Classify with the default bridge, then queue: the packet's first slot is
 * (buf, len, flags). */
static inline void vale_fwd_bridge(struct vale_fwd_scratch *ft,
				   struct vale_bridge *br,
				   struct vale_bridge_memo *memo, uint32_t src,
				   uint32_t ring, uint32_t first,
				   uint32_t frags, const uint8_t *buf,
				   uint32_t len, uint16_t flags)
{
	vale_fwd_queue_dst(ft,
			   vale_bridge_classify(br, memo, buf, len, flags, src),
			   src, ring, first, frags);
}

/*
 * Where the lookup finds the Ethernet header of the packet in ent[first ..
 * first + frags): after the source's virtio-net header of vh bytes, in the
 * first fragment or, when the header fills the first fragment exactly, at
 * the start of the second (as the reference).  False if it is in neither.
 */
static inline bool vale_fwd_l2(const struct vale_fwd_scratch *ft,
			       uint32_t first, uint32_t frags, uint32_t vh,
			       uint32_t *k, uint32_t *off, uint32_t *len)
{
	const struct vale_fwd_ent *e = &ft->ent[first];

	if (nm_likely(e->len > vh)) {
		*k = first;
		*off = vh;
		*len = e->len - vh;
		return true;
	}
	if (vh != 0 && e->len == vh && frags > 1) {
		*k = first + 1;
		*off = 0;
		*len = e[1].len;
		return true;
	}
	if (vh == 0) { /* an empty first fragment: the lookup judges it */
		*k = first;
		*off = 0;
		*len = e->len;
		return true;
	}
	return false;
}

/*
 * NS_INDIRECT: the payload is at the user address in the slot's ptr (read
 * once here), len bytes (already judged <= buf_size, len > 0), entry k of
 * the scratch; head: it is the packet's first fragment.  Phase 1 does not
 * copy the payload: the entry records the address (buf NULL) and phase 2
 * copies it once, straight into the destination slot (as the reference
 * does).  What phase 1 reads, with the non-sleeping user copy (we are in
 * a read section): the first bytes (of a first fragment, its virtio-net
 * header and L2 header, into ft->peek for the lookup) and the last byte.
 * A range that wraps, starts or ends outside user memory is then a counted
 * drop (-EFAULT) before any destination slot is leased; for a buffer no
 * larger than a page this touches every page the range spans, so a later
 * fault means the memory went away meanwhile (see vale_fwd_put_user()).
 * docs/vale.md, "Indirect buffers".
 */
static __attribute__((__noinline__)) int
vale_fwd_indirect(struct vale_fwd_scratch *ft, uint32_t k,
		  const struct netmap_slot *slot, uint32_t idx, uint16_t len,
		  bool head)
{
	uint64_t uaddr = nm_os_shared_load64(&slot->ptr);
	uint32_t n = 1;
	uint8_t probe;

	ft->ent[k].buf = NULL;
	ft->ent[k].len = len;
	ft->ind[k].uaddr = uaddr;
	ft->ind[k].idx = idx;
	if (uaddr + len < uaddr) /* wraps: never a user range */
		return -EFAULT;
	if (head) {
		n = ft->src_hdr + VALE_IND_PEEK;
		if (n > len)
			n = len;
		if (n > sizeof(ft->peek))
			n = sizeof(ft->peek); /* src_hdr is at most 12 */
		if (nm_os_copy_from_user_nofault(ft->peek, uaddr, n) != 0)
			return -EFAULT;
	} else if (nm_os_copy_from_user_nofault(&probe, uaddr, 1) != 0) {
		return -EFAULT;
	}
	if (len > n &&
	    nm_os_copy_from_user_nofault(&probe, uaddr + len - 1, 1) != 0)
		return -EFAULT;
	return 0;
}

/*
 * The fallback: copy the packet's indirect fragments (ent[first .. first +
 * frags)) into their own slots' buffers, which the kernel owns while the
 * slots are in [hwcur, head), so the packet becomes an ordinary one.  Used
 * where a straight copy cannot be: a pluggable lookup (it may read any byte
 * of the first fragment when it classifies), a header translation
 * (vale_offload_plan() and _emit() read the headers and payload again per
 * segment); and for short fragments (VALE_IND_SMALL).  0 or -EFAULT.
 */
static __attribute__((__noinline__)) int
vale_fwd_bounce(struct vale_fwd_scratch *ft, const struct nm_buf_pool *pool,
		uint32_t first, uint32_t frags)
{
	uint32_t k;

	for (k = first; k < first + frags; k++) {
		uint8_t *own;

		if (ft->ent[k].buf != NULL)
			continue;
		own = pool->base + (size_t)ft->ind[k].idx * pool->buf_size;
		if (nm_os_copy_from_user_nofault(own, ft->ind[k].uaddr,
						 ft->ent[k].len) != 0)
			return -EFAULT;
		ft->ent[k].buf = own;
	}
	return 0;
}

/* Whether the packet at ent[first .. first + frags) has a fragment still
 * at its user address. */
static inline bool vale_fwd_has_user(const struct vale_fwd_scratch *ft,
				     uint32_t first, uint32_t frags)
{
	uint32_t k;

	for (k = first; k < first + frags; k++)
		if (ft->ent[k].buf == NULL)
			return true;
	return false;
}

/* The L2 header is in indirect entry k, at offset off, len bytes to the
 * fragment's end; first: k is the packet's first entry.  Point *l2 at a
 * copy of the bytes the bridge reads (it judges len, and reads only the
 * MACs of a frame at least VALE_IND_PEEK long): the head vale_fwd_indirect()
 * read, or (the header in the second fragment) read now.  0 or -EFAULT. */
static int vale_fwd_peek(struct vale_fwd_scratch *ft, uint32_t k, bool first,
			 uint32_t off, uint32_t len, const uint8_t **l2)
{
	uint32_t n = len < VALE_IND_PEEK ? len : VALE_IND_PEEK;

	if (first && off + n <= sizeof(ft->peek)) {
		*l2 = ft->peek + off; /* off = src_hdr: read with the head */
		return 0;
	}
	if (n != 0 && nm_os_copy_from_user_nofault(
			      ft->peek, ft->ind[k].uaddr + off, n) != 0)
		return -EFAULT;
	*l2 = ft->peek;
	return 0;
}

/*
 * Read one packet starting at slot i (i != end), whose first slot's fields
 * the caller has read once as (idx, len, flags), and classify it; returns
 * the slot after it.  The fields used (buffer index, length, flags) are
 * read once each and judged before use; nothing in the TX ring is written.
 * This is the general case; vale_txsync() inlines the common one (a
 * single-slot packet, the default bridge).  memo is the sync's bridge memo
 * (shared with the inline path, so each sees the other's learning).
 */
static __attribute__((__noinline__)) uint32_t
vale_fwd_take(struct vale_tx_ring *t, const struct vale_lookup *lk,
	      struct vale_bridge_memo *memo, uint32_t i, uint32_t end,
	      uint32_t idx, uint16_t len, uint16_t flags)
{
	struct vale_fwd_scratch *ft = t->ft;
	const struct nm_buf_pool *pool = &t->port->region.pool;
	struct netmap_slot *slot = t->kr.ring->slot;
	uint32_t n = t->kr.num_slots, first = ft->used, frags = 0;
	uint16_t first_flags = flags;
	int bad = -1; /* drop reason, or -1 */
	bool complete = true, user = false, bridge;
	const uint8_t *l2;
	uint32_t l2k, l2off, l2len, vh = ft->src_hdr, dst;

	for (;;) {
		if (nm_unlikely(!nm_buf_idx_valid(pool, idx) ||
				len > pool->buf_size)) {
			if (bad < 0)
				bad = VALE_DROP_BAD_SLOT;
		} else if (nm_unlikely(flags & NS_INDIRECT) && len != 0 &&
			   bad < 0 && frags < NETMAP_MAX_FRAGS) {
			/* A zero-length one reads nothing: an ordinary slot. */
			if (len <= VALE_IND_SMALL) {
				ft->ent[first + frags].len = len;
				ft->ind[first + frags].uaddr =
					nm_os_shared_load64(&slot[i].ptr);
				ft->ind[first + frags].idx = idx;
				ft->ent[first + frags].buf = NULL;
				if (vale_fwd_bounce(ft, pool, first + frags,
						    1) != 0)
					bad = VALE_DROP_INDIRECT;
			} else {
				user = true;
				if (vale_fwd_indirect(ft, first + frags,
						      &slot[i], idx, len,
						      frags == 0) != 0)
					bad = VALE_DROP_INDIRECT;
			}
		} else if (nm_likely(bad < 0 && frags < NETMAP_MAX_FRAGS)) {
			struct vale_fwd_ent *e = &ft->ent[first + frags];

			e->buf = pool->base + (size_t)idx * pool->buf_size;
			e->len = len;
		}
		frags++;
		i = nm_idx_next(i, n);
		if (nm_likely(!(flags & NS_MOREFRAG)))
			break;
		if (i == end) {
			complete = false;
			break;
		}
		idx = nm_os_shared_load32(&slot[i].buf_idx);
		len = nm_os_shared_load16(&slot[i].len);
		flags = nm_os_shared_load16(&slot[i].flags);
	}
	ft->tx_pkts++;
	ft->tx_slots += frags;
	if (nm_unlikely(!complete))
		ft->drops[VALE_DROP_TRUNC]++;
	else if (nm_unlikely(frags > NETMAP_MAX_FRAGS))
		ft->drops[VALE_DROP_FRAGS]++;
	else if (nm_unlikely(bad >= 0))
		ft->drops[bad]++;
	else if (!vale_fwd_l2(ft, first, frags, vh, &l2k, &l2off, &l2len))
		ft->drops[VALE_DROP_VNET_HDR]++;
	else if (nm_likely(!user)) {
		l2 = ft->ent[l2k].buf + l2off;
		if (lk->fn == vale_bridge_lookup && t->ring < VALE_MAX_RINGS)
			/* The default bridge, inlined: no indirect call. */
			vale_fwd_bridge(ft, lk->priv, memo, t->port->index,
					t->ring, first, frags, l2, l2len,
					first_flags);
		else
			vale_fwd_classify(t, lk, first, frags, first_flags, l2,
					  l2len);
	} else {
		bridge = lk->fn == vale_bridge_lookup &&
			 t->ring < VALE_MAX_RINGS;
		if (!bridge) {
			/* A pluggable lookup may read any byte it is given. */
			if (vale_fwd_bounce(ft, pool, first, frags) != 0)
				ft->drops[VALE_DROP_INDIRECT]++;
			else
				vale_fwd_classify(t, lk, first, frags,
						  first_flags,
						  ft->ent[l2k].buf + l2off,
						  l2len);
			return i;
		}
		l2 = ft->ent[l2k].buf != NULL ? ft->ent[l2k].buf + l2off : NULL;
		if (l2 == NULL && vale_fwd_peek(ft, l2k, l2k == first, l2off,
						l2len, &l2) != 0) {
			ft->drops[VALE_DROP_INDIRECT]++;
			return i;
		}
		/* A broadcast (or a flood to an unknown destination) too is
		 * copied from user memory into each port's slot: one copy
		 * fewer than through the own buffer, and a fault in one
		 * port's copy is that port's outcome (an INDIRECT drop). */
		dst = vale_bridge_classify(lk->priv, memo, l2, l2len,
					   first_flags, t->port->index);
		vale_fwd_queue_dst(ft, dst, t->port->index, t->ring, first,
				   frags);
	}
	return i;
}

/* ---- Phase 2. */

/*
 * Next packet in source order; advances the queue used.  Linked: from two
 * queues u and b (ent[].next).  Linear (every entry is in one queue, b is
 * empty): the entry after u's packet, up to used (ft->used, passed in a
 * local: it does not change in phase 2).
 */
static inline __attribute__((__always_inline__)) uint32_t
vale_fwd_pop(const struct vale_fwd_scratch *ft, uint32_t *u, uint32_t *b,
	     bool linear, uint32_t used)
{
	uint32_t cur;

	if (linear) {
		cur = *u;
		*u = cur + ft->ent[cur].frags;
		if (*u >= used)
			*u = VALE_FT_NIL;
	} else if (*u < *b) {
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
			     uint32_t b, uint32_t space, bool linear)
{
	uint32_t sum = 0, cur, used = ft->used;

	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		cur = vale_fwd_pop(ft, &u, &b, linear, used);
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
	if (nm_likely(len <= 64)) {
		nm_os_memcpy(dst, src, 64); /* minimum-size frames: one block */
		return;
	}
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
 * On a bad one (VALE_DROP_BAD_DST), or a fragment at a user address that
 * faults (VALE_DROP_INDIRECT), the packet's slots are padded with empty
 * packets (len 0, flags 0: nothing copied so far is shown) and the reason
 * is returned; -1 if delivered.  This is the multi-slot case; the
 * single-slot case is inline in vale_fwd_deliver().
 */
static __attribute__((__noinline__)) int
vale_fwd_copy_frags(const struct vale_fwd_scratch *ft, uint32_t cur,
		    struct netmap_ring *ring, uint32_t n, uint32_t j,
		    const struct nm_buf_pool *dpool)
{
	uint32_t frags = ft->ent[cur].frags, f, k, idx[NETMAP_MAX_FRAGS];
	int bad = -1;

	for (f = 0, k = j; f < frags; f++, k = nm_idx_next(k, n)) {
		idx[f] = nm_os_shared_load32(&ring->slot[k].buf_idx);
		if (!nm_buf_idx_valid(dpool, idx[f]) ||
		    ft->ent[cur + f].len > dpool->buf_size)
			bad = VALE_DROP_BAD_DST;
	}
	/* Every byte first, then the lengths: a fault in a later fragment
	 * must not leave earlier ones published. */
	for (f = 0; bad < 0 && f < frags; f++) {
		const struct vale_fwd_ent *e = &ft->ent[cur + f];

		if (e->buf != NULL)
			vale_fwd_copy_bytes(nm_buf_addr(dpool, idx[f]), e->buf,
					    e->len);
		else if (nm_os_copy_from_user_nofault(
				 nm_buf_addr(dpool, idx[f]),
				 ft->ind[cur + f].uaddr, e->len) != 0)
			bad = VALE_DROP_INDIRECT;
	}
	for (f = 0, k = j; f < frags; f++, k = nm_idx_next(k, n)) {
		const struct vale_fwd_ent *e = &ft->ent[cur + f];
		uint16_t flags = 0, len = 0;

		if (bad < 0) {
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
	return bad;
}

/* What phase 2 needs of a destination RX ring, read once per delivery. */
struct vale_fwd_dest {
	struct netmap_slot *rs;
	uint8_t *base;
	uint32_t buf_size;
	uint32_t valid; /* valid buffer index bi: bi - NETMAP_BUF_RESERVED < valid */
	uint32_t n;
};

static inline void vale_fwd_dest_init(struct vale_fwd_dest *d,
				      const struct vale_port *dp,
				      const struct vale_rx_ring *rx)
{
	const struct nm_buf_pool *dpool = &dp->region.pool;

	d->rs = rx->kr.ring->slot;
	d->base = dpool->base;
	d->buf_size = dpool->buf_size;
	d->valid = nm_buf_valid_span(dpool);
	d->n = rx->kr.num_slots;
}

/* Fill leased RX slot j with the single-slot packet (sbuf, len).  Its
 * buffer index is receiver-writable and read once; if it is bad, or the
 * packet does not fit the buffer, the slot is padded with an empty packet
 * (see vale_fwd_copy_frags()) and false is returned. */
static inline __attribute__((__always_inline__)) bool
vale_fwd_put1(const struct vale_fwd_dest *d, uint32_t j, const uint8_t *sbuf,
	      uint32_t len)
{
	uint32_t bi = nm_os_shared_load32(&d->rs[j].buf_idx);

	if (nm_likely(bi - NETMAP_BUF_RESERVED < d->valid &&
		      len <= d->buf_size)) {
		vale_fwd_copy_bytes(d->base + (size_t)bi * d->buf_size, sbuf,
				    len);
		nm_os_shared_store16(&d->rs[j].len, (uint16_t)len);
		nm_os_shared_store16(&d->rs[j].flags, 1 << NS_PORT_SHIFT);
		return true;
	}
	nm_os_shared_store16(&d->rs[j].len, 0);
	nm_os_shared_store16(&d->rs[j].flags, 0);
	return false;
}

/*
 * Fill leased RX slot j with the single-slot indirect packet at entry cur:
 * its payload copied once, from its user address straight into the
 * destination buffer.  Phase 1 read its first and last byte, but the
 * memory may have gone since (another thread unmapped it, a page was
 * reclaimed): a fault leaves the slot an empty packet (len 0, flags 0;
 * whatever the copy wrote is not shown) and is VALE_DROP_INDIRECT, the
 * lease unchanged.  A bad destination buffer is VALE_DROP_BAD_DST, as in
 * vale_fwd_put1().  -1 if delivered.
 */
static __attribute__((__noinline__)) int
vale_fwd_put_user(const struct vale_fwd_scratch *ft,
		  const struct vale_fwd_dest *d, uint32_t j, uint32_t cur)
{
	uint32_t bi = nm_os_shared_load32(&d->rs[j].buf_idx);
	uint32_t len = ft->ent[cur].len;
	int bad = VALE_DROP_BAD_DST;

	if (bi - NETMAP_BUF_RESERVED < d->valid && len <= d->buf_size) {
		if (nm_os_copy_from_user_nofault(
			    d->base + (size_t)bi * d->buf_size,
			    ft->ind[cur].uaddr, len) == 0) {
			nm_os_shared_store16(&d->rs[j].len, (uint16_t)len);
			nm_os_shared_store16(&d->rs[j].flags,
					     1 << NS_PORT_SHIFT);
			return -1;
		}
		bad = VALE_DROP_INDIRECT;
	}
	nm_os_shared_store16(&d->rs[j].len, 0);
	nm_os_shared_store16(&d->rs[j].flags, 0);
	return bad;
}

/*
 * Complete lease idx = [start, end) of ring `ring` of dp, every slot of it
 * written; pkts packets were delivered in it, using slots slots beyond
 * their first.  True if hwtail moved: the caller wakes the receiver.
 */
static bool vale_fwd_complete(struct vale_port *dp, uint32_t ring,
			      uint32_t idx, uint32_t start, uint32_t end,
			      uint64_t pkts, uint64_t slots)
{
	struct vale_rx_ring *rx = &dp->rx[ring];
	bool moved;

	nm_os_lock_acquire(&rx->lock);
	moved = vale_lease_done(&rx->ls, idx, start, end);
	nm_os_lock_release(&rx->lock);
	nm_os_counter_add(&dp->stats.rx_pkts, pkts);
	nm_os_counter_add(&dp->stats.rx_slots, pkts + slots);
	return moved;
}

/* vale_fwd_complete(), then wake the receiver if hwtail moved. */
static void vale_fwd_publish(struct vale_port *dp, uint32_t ring,
			     uint32_t idx, uint32_t start, uint32_t end,
			     uint64_t pkts, uint64_t slots)
{
	/* The receiver's rxsync takes the lock vale_fwd_complete()
	 * released, so it sees every slot written before it imports
	 * hwtail. */
	if (vale_fwd_complete(dp, ring, idx, start, end, pkts, slots))
		nm_port_notify(&dp->up, NR_RX, ring);
}

/*
 * Plan the packet at scratch entry cur for a destination with header length
 * dhdr and buffers of buf_size bytes (vale_offload_plan(): its headers read
 * once and validated, its frames and slots fixed).  0, or the drop reason.
 * The plan and the segments read the packet more than once: from the own
 * buffers (vale_fwd_bounce()), never from user memory that could change
 * or go in between.
 */
/* The fragments of the packet at scratch entry cur into ft->xf; their
 * number. */
static uint32_t vale_fwd_xlate_frags(struct vale_fwd_scratch *ft, uint32_t cur)
{
	uint32_t frags = ft->ent[cur].frags, f;

	for (f = 0; f < frags; f++) {
		ft->xf[f].buf = ft->ent[cur + f].buf;
		ft->xf[f].len = ft->ent[cur + f].len;
	}
	return frags;
}

static int vale_fwd_xlate_plan(struct vale_tx_ring *t, uint32_t cur,
			       struct vale_offload_plan *pl, uint32_t dhdr,
			       uint32_t buf_size)
{
	struct vale_fwd_scratch *ft = t->ft;
	uint32_t frags = ft->ent[cur].frags;
	int err;

	if (vale_fwd_has_user(ft, cur, frags) &&
	    vale_fwd_bounce(ft, &t->port->region.pool, cur, frags) != 0)
		return VALE_DROP_INDIRECT;
	frags = vale_fwd_xlate_frags(ft, cur);
	err = vale_offload_plan(pl, ft->xf, frags, ft->src_hdr, dhdr, buf_size);
	if (err != 0)
		return err == -EMSGSIZE ? VALE_DROP_FRAGS : VALE_DROP_VNET_HDR;
	return 0;
}

/*
 * Deliver queue u (and the broadcast queue b) into ring `ring` of dp, a
 * port whose virtio-net header length dhdr (read once by the caller)
 * differs from the source's.  By groups of up to VALE_XLATE_GROUP packets:
 * each planned (vale_fwd_xlate_plan()), the group leased at once, each
 * written (vale_offload_emit(), which pads the slots of one it cannot
 * write) and the lease completed; the receiver is woken once, after the
 * last group.  Once one does not fit, the rest are dropped too, as in
 * vale_fwd_deliver().
 */
static __attribute__((__noinline__)) void
vale_fwd_deliver_xlate(struct vale_tx_ring *t, struct vale_port *dp,
		       uint32_t ring, uint32_t u, uint32_t b, bool linear,
		       uint32_t dhdr)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_rx_ring *rx = &dp->rx[ring];
	uint32_t used = ft->used, n = rx->kr.num_slots;
	bool full = false, moved = false;

	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		uint32_t ng = 0, fit, take = 0, space, start = 0, idx = 0, k, j;
		uint64_t pkts = 0, slots = 0;
		int why;

		while (ng < VALE_XLATE_GROUP && (u != VALE_FT_NIL || b != VALE_FT_NIL)) {
			uint32_t cur = vale_fwd_pop(ft, &u, &b, linear, used);

			if (full) {
				ft->drops[VALE_DROP_RX_FULL]++;
				continue;
			}
			why = vale_fwd_xlate_plan(t, cur, &ft->xpl[ng], dhdr,
						  dp->region.pool.buf_size);
			if (why != 0) {
				ft->drops[why]++;
				continue;
			}
			ft->xcur[ng++] = (uint16_t)cur;
		}
		if (ng == 0)
			continue;
		nm_os_lock_acquire(&rx->lock);
		space = vale_lease_space(&rx->ls);
		for (fit = 0; fit < ng && take + ft->xpl[fit].slots <= space; fit++)
			take += ft->xpl[fit].slots;
		if (take > 0)
			idx = vale_lease_take(&rx->ls, take, &start);
		nm_os_lock_release(&rx->lock);
		if (fit < ng) {
			ft->drops[VALE_DROP_RX_FULL] += ng - fit;
			full = true;
		}
		for (k = 0, j = start; k < fit; k++) {
			const struct vale_offload_plan *pl = &ft->xpl[k];
			uint32_t frags = vale_fwd_xlate_frags(ft, ft->xcur[k]);

			if (vale_offload_emit(pl, ft->xf, frags, rx->kr.ring, n, j,
					      &dp->region.pool, ft->oidx)) {
				nm_os_counter_add(&dp->stats.rx_seg_extra,
						  pl->frames - 1);
				if (pl->kind != VALE_OFFLOAD_COPY)
					nm_os_counter_add(&dp->stats.rx_csum_bytes,
							  pl->len - pl->hlen);
				pkts += pl->frames;
				slots += pl->slots - pl->frames;
			} else {
				ft->drops[VALE_DROP_BAD_DST]++;
			}
			j = nm_idx_add(j, pl->slots, n);
		}
		if (take > 0)
			moved |= vale_fwd_complete(dp, ring, idx, start, j, pkts,
						   slots);
	}
	/* One wake-up for the batch, as vale_fwd_deliver() gives: each
	 * group is published as it is written (its lease is done), and the
	 * receiver, woken after the last, sees them all. */
	if (moved)
		nm_port_notify(&dp->up, NR_RX, ring);
}

/*
 * Deliver queue u (and the broadcast queue b) into ring `ring` of dp; need
 * is their slots.  linear: u is every entry of the scratch (see
 * vale_fwd_pop()).
 */
static inline __attribute__((__always_inline__)) void
vale_fwd_deliver(struct vale_tx_ring *t, struct vale_port *dp, uint32_t ring,
		 uint32_t u, uint32_t b, uint32_t need, bool linear)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_rx_ring *rx = &dp->rx[ring];
	struct vale_fwd_dest d;
	uint32_t start = 0, idx = 0, j, left, cur;
	uint32_t used = ft->used;
	uint64_t pkts = 0, slots = 0; /* slots: beyond a packet's first */
	uint32_t dhdr = vale_port_vnet_hdr(dp);

	if (nm_unlikely(dhdr != ft->src_hdr)) {
		vale_fwd_deliver_xlate(t, dp, ring, u, b, linear, dhdr);
		return;
	}
	vale_fwd_dest_init(&d, dp, rx);
	nm_os_lock_acquire(&rx->lock);
	left = vale_lease_space(&rx->ls);
	if (need > left)
		need = vale_fwd_fit(ft, u, b, left, linear);
	if (need > 0)
		idx = vale_lease_take(&rx->ls, need, &start);
	nm_os_lock_release(&rx->lock);

	/* Fill [start, start + need) with no lock held: other senders fill
	 * their own leases of this ring meanwhile.  Each packet's entry is
	 * read before the slot's shared load (which the compiler may not
	 * move memory accesses across). */
	j = start;
	left = need;
	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		const uint8_t *sbuf;
		uint32_t frags, len;

		cur = vale_fwd_pop(ft, &u, &b, linear, used);
		frags = ft->ent[cur].frags;
		len = ft->ent[cur].len;
		sbuf = ft->ent[cur].buf;
		if (nm_unlikely(frags > left)) {
			ft->drops[VALE_DROP_RX_FULL]++;
			left = 0; /* later packets did not fit either */
			continue;
		}
		if (nm_unlikely(frags != 1)) {
			int bad = vale_fwd_copy_frags(ft, cur, rx->kr.ring,
						      d.n, j, &dp->region.pool);

			if (bad < 0) {
				pkts++;
				slots += frags - 1;
			} else {
				ft->drops[bad]++;
			}
			j = nm_idx_add(j, frags, d.n);
			left -= frags;
			continue;
		}
		if (nm_unlikely(sbuf == NULL)) {
			int bad = vale_fwd_put_user(ft, &d, j, cur);

			if (bad < 0)
				pkts++;
			else
				ft->drops[bad]++;
		} else if (nm_likely(vale_fwd_put1(&d, j, sbuf, len)))
			pkts++;
		else
			ft->drops[VALE_DROP_BAD_DST]++;
		j = nm_idx_next(j, d.n);
		left--;
	}
	if (need > 0)
		vale_fwd_publish(dp, ring, idx, start, j, pkts, slots);
}

/* Count every packet of queues u and b as dropped for reason r. */
static void vale_fwd_drop_all(struct vale_fwd_scratch *ft, uint32_t u,
			      uint32_t b, enum vale_drop_reason r, bool linear)
{
	while (u != VALE_FT_NIL || b != VALE_FT_NIL) {
		vale_fwd_pop(ft, &u, &b, linear, ft->used);
		ft->drops[r]++;
	}
}

/* Link the scratch's packets into their queues, in source order; queues
 * other than the broadcast one become active in first-use order. */
static void vale_fwd_link(struct vale_fwd_scratch *ft)
{
	uint32_t cur, q, frags;
	struct vale_fwd_queue *qq;

	for (cur = 0; cur < ft->used; cur += frags) {
		frags = ft->ent[cur].frags;
		q = ft->ent[cur].q;
		qq = &ft->q[q];
		ft->ent[cur].next = VALE_FT_NIL;
		if (qq->head == VALE_FT_NIL) {
			qq->head = (uint16_t)cur;
			qq->slots = 0;
			if (q != VALE_BCAST_QUEUE)
				ft->active[ft->num_active++] = (uint16_t)q;
		} else {
			ft->ent[qq->tail].next = (uint16_t)cur;
		}
		qq->tail = (uint16_t)cur;
		qq->slots += frags;
	}
}

/* Phase 2 when every packet went to queue q (not the broadcast one): the
 * scratch is that queue, in order. */
static void vale_fwd_flush_one(struct vale_tx_ring *t, uint32_t q)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_port *dp;

	/* The port may be gone (detached), and the lookup's ring is taken
	 * modulo its ring count. */
	dp = nm_os_ptr_read(
		(void *const *)&t->port->sw->ports[q / VALE_MAX_RINGS]);
	if (dp == NULL)
		vale_fwd_drop_all(ft, 0, VALE_FT_NIL, VALE_DROP_NO_PORT, true);
	else
		vale_fwd_deliver(t, dp,
				 (q % VALE_MAX_RINGS) % dp->up.num_rings[NR_RX],
				 0, VALE_FT_NIL, ft->used, true);
}

/* Phase 2 for packets in several queues. */
static void vale_fwd_flush_linked(struct vale_tx_ring *t)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_port *src = t->port;
	struct vale_switch *sw = src->sw;
	struct vale_fwd_queue *bq = &ft->q[VALE_BCAST_QUEUE];
	uint32_t a, d, q, b;

	vale_fwd_link(ft);
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
			/* Only the unicast packets were meant for this port:
			 * a broadcast goes to the ports that exist (counting
			 * it here too broke conservation, found by fuzz_vale). */
			vale_fwd_drop_all(ft, qq->head, VALE_FT_NIL,
					  VALE_DROP_NO_PORT, false);
		else
			vale_fwd_deliver(t, dp,
					 (q % VALE_MAX_RINGS) %
						 dp->up.num_rings[NR_RX],
					 qq->head, b, need, false);
		qq->head = VALE_FT_NIL;
		qq->slots = 0;
	}
	bq->head = VALE_FT_NIL;
	bq->slots = 0;
	ft->num_active = 0;
}

/* Phase 2 for everything classified so far, then reset the scratch. */
static void vale_fwd_flush(struct vale_tx_ring *t)
{
	struct vale_fwd_scratch *ft = t->ft;

	if (ft->used == 0)
		return;
	if (!ft->mixed && ft->q0 != VALE_BCAST_QUEUE)
		vale_fwd_flush_one(t, ft->q0);
	else
		vale_fwd_flush_linked(t);
	ft->used = 0;
	ft->q0 = VALE_FT_NIL;
	ft->mixed = false;
}

/* ---- The direct run: phases 1 and 2 fused for a unicast stream. */

/*
 * At the first unicast packet of a sync, the default bridge's inline path
 * leases slots on its destination ring for the packets still to come and
 * copies every following packet for that port straight into the lease as
 * soon as it is classified: each packet is read once, while its lines are
 * in cache, and never goes through the scratch.  Packets for other
 * destinations still go through the scratch.  Per-destination order is
 * source order: a packet that may reach the run's ring through the scratch
 * (a broadcast, a packet the inline path does not take) closes the run, or
 * keeps one from opening later in the sync; once a run is closed (or its
 * lease is used up) later packets for its port go through the scratch,
 * whose lease comes after the run's.
 *
 * A lease taken ahead of the packets may be filled short: closing trims it
 * (vale_lease_trim(): rolled back if it is the newest, otherwise padded
 * with empty packets).  The lease is sized by what the last run used
 * (run_hint), so mixed traffic stops leasing far ahead of itself.
 */
enum vale_fwd_run_state { VALE_RUN_IDLE, VALE_RUN_OPEN, VALE_RUN_CLOSED };

struct vale_fwd_run {
	enum vale_fwd_run_state state; /* at most one run per sync */
	struct vale_port *dp;
	uint32_t dst, ring;	 /* destination port and its ring */
	struct vale_fwd_dest d;
	uint32_t idx, start, end; /* the lease */
	uint32_t j;		 /* next slot to fill; the lease is full at end */
	uint32_t bad;		 /* slots padded for a bad buffer index */
};

/*
 * Open a run to port dst for a packet, with up to want slots to come
 * (want >= 1).  False if the port is gone or its ring is full: the packet
 * then goes through the scratch, which counts it, and no run is tried
 * again in this sync.
 */
static inline __attribute__((__always_inline__)) bool
vale_fwd_run_open(struct vale_tx_ring *t, struct vale_fwd_run *r, uint32_t dst,
		  uint32_t want)
{
	struct vale_port *dp;
	struct vale_rx_ring *rx;
	uint32_t space;

	r->state = VALE_RUN_CLOSED;
	dp = nm_os_ptr_read((void *const *)&t->port->sw->ports[dst]);
	/* The run copies frames as they are, header included: only to a
	 * port with the source's virtio-net header length (else the
	 * scratch's phase 2 translates). */
	if (dp == NULL || nm_unlikely(vale_port_vnet_hdr(dp) != t->ft->src_hdr))
		return false;
	r->ring = t->ring % dp->up.num_rings[NR_RX];
	rx = &dp->rx[r->ring];
	if (want > t->ft->run_hint)
		want = t->ft->run_hint;
	nm_os_lock_acquire(&rx->lock);
	space = vale_lease_space(&rx->ls);
	if (want > space)
		want = space;
	/* Another sender is filling this ring: one slot at a time (the run
	 * is then exact and never pads), since a lease taken after ours
	 * would keep its unused tail from being rolled back. */
	if (rx->ls.hwtail != rx->ls.hwlease && want > 1)
		want = 1;
	if (want > 0)
		r->idx = vale_lease_take(&rx->ls, want, &r->start);
	nm_os_lock_release(&rx->lock);
	if (want == 0)
		return false;
	vale_fwd_dest_init(&r->d, dp, rx);
	r->dp = dp;
	r->dst = dst;
	r->end = nm_idx_add(r->start, want, r->d.n);
	r->j = r->start;
	r->bad = 0;
	r->state = VALE_RUN_OPEN;
	return true;
}

/* Copy one single-slot packet into the run's next leased slot. */
static inline __attribute__((__always_inline__)) void
vale_fwd_run_put(struct vale_fwd_run *r, const uint8_t *buf, uint32_t len)
{
	if (nm_unlikely(!vale_fwd_put1(&r->d, r->j, buf, len)))
		r->bad++;
	r->j = nm_idx_next(r->j, r->d.n);
}

/* Trim the run's lease to what was filled, publish it, and size the next
 * run's lease by this one's use. */
static __attribute__((__noinline__)) void
vale_fwd_run_close(struct vale_tx_ring *t, struct vale_fwd_run *r)
{
	struct vale_fwd_scratch *ft = t->ft;
	struct vale_rx_ring *rx = &r->dp->rx[r->ring];
	uint32_t end = r->end, used = nm_idx_dist(r->start, r->j, r->d.n);

	r->state = VALE_RUN_CLOSED;
	if (r->j != r->end) {
		/* Filled short; r->j != r->start (a run opens with a packet). */
		nm_os_lock_acquire(&rx->lock);
		end = vale_lease_trim(&rx->ls, r->idx, r->start, r->j, end);
		nm_os_lock_release(&rx->lock);
		if (r->j != end)
			nm_os_counter_add(&r->dp->stats.rx_pad_slots,
					  nm_idx_dist(r->j, end, r->d.n));
		for (; r->j != end; r->j = nm_idx_next(r->j, r->d.n)) {
			nm_os_shared_store16(&r->d.rs[r->j].len, 0);
			nm_os_shared_store16(&r->d.rs[r->j].flags, 0);
		}
		ft->run_hint = used;
	} else if (ft->run_hint < VALE_BATCH) {
		/* The stream wanted at least this much. */
		ft->run_hint = ft->run_hint * 2 < VALE_BATCH ? ft->run_hint * 2 :
							       VALE_BATCH;
	}
	vale_fwd_publish(r->dp, r->ring, r->idx, r->start, end,
			 used - r->bad, 0);
	ft->drops[VALE_DROP_BAD_DST] += r->bad;
}

/* A packet that may reach any ring goes through the scratch: close the
 * run, or forbid one in this sync (it would overtake the packet). */
static inline __attribute__((__always_inline__)) void
vale_fwd_run_end(struct vale_tx_ring *t, struct vale_fwd_run *r)
{
	if (r->state == VALE_RUN_OPEN)
		vale_fwd_run_close(t, r);
	r->state = VALE_RUN_CLOSED;
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

/*
 * Phase 1 inline for the common packet (one slot, default bridge), the
 * rest through vale_fwd_take().  Each slot's fields are read once, here,
 * and judged before use.  The ring, pool and bridge fields are copied to
 * locals once: the shared loads are compiler barriers, after which fields
 * in memory would be read again for every packet.
 */
/*
 * The TX pass over [i, end): the default bridge's inline path and direct
 * run (br, nvalid != 0) for single-slot packets, the scratch for the rest;
 * the run is closed at the end.
 * vh is the source's virtio-net header length: inlined twice, with vh a
 * constant 0 for the common case (no header: no offset, no extra test)
 * and with the port's length otherwise.  Returns the packets it took
 * inline.
 */
static inline __attribute__((__always_inline__)) uint64_t
vale_txsync_pass(struct vale_tx_ring *t, const struct vale_lookup *lk,
		 struct vale_bridge *br, uint32_t i, uint32_t end,
		 uint32_t nvalid, const uint32_t vh)
{
	struct vale_fwd_scratch *ft = t->ft;
	const struct nm_buf_pool *pool = &t->port->region.pool;
	struct netmap_slot *slot = t->kr.ring->slot;
	uint8_t *base = pool->base;
	uint32_t bsize = pool->buf_size, n = t->kr.num_slots;
	uint32_t src = t->port->index;
	struct vale_fwd_run run_s = { .state = VALE_RUN_IDLE }, *run = &run_s;
	struct vale_bridge_memo memo_s, *memo = &memo_s;
	uint64_t pkts = 0;

	vale_bridge_memo_init(memo);

	while (i != end) {
		uint32_t idx, first, dst;
		uint16_t len, fl;
		const uint8_t *buf;

		if (nm_unlikely(ft->used >= VALE_FLUSH_SLOTS))
			vale_fwd_flush(t);
		idx = nm_os_shared_load32(&slot[i].buf_idx);
		len = nm_os_shared_load16(&slot[i].len);
		fl = nm_os_shared_load16(&slot[i].flags);
		if (nm_unlikely(idx - NETMAP_BUF_RESERVED >= nvalid ||
				len > bsize || (vh != 0 && len <= vh) ||
				(fl & (NS_INDIRECT | NS_MOREFRAG)))) {
			/* It may go to any ring through the scratch (a slot
			 * no longer than the source's virtio-net header is
			 * judged there, as VNET_HDR). */
			vale_fwd_run_end(t, run);
			i = vale_fwd_take(t, lk, memo, i, end, idx, len, fl);
			continue;
		}
		buf = base + (size_t)idx * bsize;
		pkts++;
		/* The Ethernet header follows the source's virtio-net
		 * header, as vale_fwd_l2() finds it for one slot. */
		dst = vale_bridge_classify(br, memo, buf + vh, len - vh, fl, src);
		/* The steady case and the opening one are two branches on
		 * purpose: merged into one condition, the compiler's layout
		 * costs 7 instructions per packet (callgrind, batch 256). */
		if (run->state == VALE_RUN_OPEN && dst == run->dst) {
			vale_fwd_run_put(run, buf, len);
			if (run->j == run->end)
				vale_fwd_run_close(t, run);
			i = nm_idx_next(i, n);
			continue;
		}
		if (run->state == VALE_RUN_IDLE && dst < VALE_BROADCAST &&
		    dst != src &&
		    vale_fwd_run_open(t, run, dst, nm_idx_dist(i, end, n))) {
			vale_fwd_run_put(run, buf, len);
			if (run->j == run->end)
				vale_fwd_run_close(t, run);
			i = nm_idx_next(i, n);
			continue;
		}
		if (dst == VALE_BROADCAST)
			vale_fwd_run_end(t, run);
		first = ft->used;
		ft->ent[first].buf = buf;
		ft->ent[first].len = len;
		vale_fwd_queue_dst(ft, dst, src, t->ring, first, 1);
		i = nm_idx_next(i, n);
	}
	if (run->state == VALE_RUN_OPEN)
		vale_fwd_run_close(t, run);
	return pkts;
}

int vale_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct vale_tx_ring *t = kr->sync_priv;
	struct vale_fwd_scratch *ft = t->ft;
	uint32_t i = kr->hwcur, end = kr->rhead, vh;
	uint32_t nvalid = nm_buf_valid_span(&t->port->region.pool); /* nm_mem.h */
	struct vale_bridge *br = NULL;
	const struct vale_lookup *lk;
	uint64_t pkts;

	(void)flags;
	if (i == end)
		return 0;
	nm_os_read_enter();
	lk = nm_os_ptr_read((void *const *)&t->port->sw->lookup);
	ft->src_hdr = vh = vale_port_vnet_hdr(t->port);
	if (lk->fn == vale_bridge_lookup && t->ring < VALE_MAX_RINGS)
		br = lk->priv;
	else
		nvalid = 0; /* no inline path: every packet is taken below */
	if (nm_likely(vh == 0))
		pkts = vale_txsync_pass(t, lk, br, i, end, nvalid, 0);
	else
		pkts = vale_txsync_pass(t, lk, br, i, end, nvalid, vh);
	ft->tx_pkts += pkts;
	ft->tx_slots += pkts;
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
