/*
 * nm_monitor_zc.c - zero-copy monitors (NR_ZCOPY_MON, "PORT/z"): the
 * slots a parent ring is done with are swapped, buffer and all, into the
 * monitor's RX ring of the same index, and the parent goes on with the
 * monitor's buffers.  What is seen and when: docs/monitors.md.
 *
 * Memory: a swap needs one buffer index space, so the monitor lives in
 * its parent's region.  Its netmap_if and rings are laid in a run of
 * consecutive spare buffers of the parent's pool and its RX slots get
 * spare buffers of that pool; a VALE port has spares only if it was
 * created with them (nm_port_geom.extra_bufs), else -ENOMEM.
 *
 * Chains: per direction, the first zero-copy monitor taps the parent's
 * ring, each later one the RX ring of the one before (it sees what that
 * one's user released, of its direction: NS_TXMON).  Closing one relinks
 * its successor to its predecessor.
 *
 * Trust: the parent's slots are read once and validated; the monitor's
 * slots are never read into the kernel: each monitor ring keeps its own
 * copy of every slot (zs[]), the shared slot is written from it, and a
 * buf_idx the monitor's user changed is counted and overwritten.
 *
 * Locking: a tap runs inside the syncs of the ring it hangs on (its gate
 * held, a read section) and writes the monitor ring's slots and zs[]
 * entries [hwtail, hwcur - 1) under the monitor ring's lock, as copy taps
 * do; the ring's own rxsync releases [hwcur, rhead) and runs the next
 * link's tap on them before moving hwcur (the kring's RX zero-copy hook),
 * so the two never touch one entry.  Chains change under reg->lock; what
 * a change unhooks is freed after nm_os_read_synchronize().
 */
#include "nm_monitor_impl.h"

#define NM_ZC_ALIGN 64U

static uint32_t nm_zc_round(uint32_t x)
{
	return (x + NM_ZC_ALIGN - 1) / NM_ZC_ALIGN * NM_ZC_ALIGN;
}

static uint32_t nm_zc_ring_bytes(uint32_t slots)
{
	return nm_zc_round((uint32_t)(sizeof(struct netmap_ring) +
				      sizeof(struct netmap_slot) * slots));
}

/* Bytes of the monitor's netmap_if and rings, laid one after the other. */
static uint32_t nm_zc_layout_bytes(const struct nm_monitor *mon)
{
	uint32_t r = mon->up.num_rings[NR_RX];

	return nm_zc_round((uint32_t)(sizeof(struct netmap_if) +
				      sizeof(int64_t) * (1 + r))) +
	       nm_zc_ring_bytes(mon->up.num_slots[NR_TX]) +
	       r * nm_zc_ring_bytes(mon->up.num_slots[NR_RX]);
}

/* Is slot flags' direction that of chain txmon? */
static bool nm_zc_dir_is(uint16_t flags, uint16_t txmon)
{
	return (flags & NS_TXMON) == txmon;
}

/* Compare monitor slot j's shared buf_idx with the kernel's copy, which
 * wins; a difference is the monitor's user writing where it may not. */
static void nm_zc_check_slot(struct nm_monitor_ring *r, uint32_t j,
			     uint32_t *scribbled)
{
	uint32_t seen = nm_os_shared_load32(&r->kr.ring->slot[j].buf_idx);

	if (seen != r->zs[j].buf_idx)
		(*scribbled)++;
}

/*
 * The tap: slots [first, first + count) of kr are done with (TX: freed
 * by the sync; RX: released by the user).  Those of this link's direction
 * go to mr, newest first if it has no room for all (the parent never
 * waits for a monitor).
 */
static void nm_monitor_zc_tap(struct nm_kring_tap *t, struct nm_kring *kr,
			      uint32_t first, uint32_t count)
{
	struct nm_monitor_ztap *z = (struct nm_monitor_ztap *)t; /* first */
	struct nm_monitor_ring *mr = z->mr, *src = z->src;
	struct nm_monitor *mon = mr->mon;
	const struct nm_buf_pool *pool = &mon->parent->region->pool;
	struct netmap_slot *ps = kr->ring->slot, *ms = mr->kr.ring->slot;
	uint32_t pn = kr->num_slots, mn = mr->kr.num_slots;
	uint32_t room, match = 0, skip, sent = 0, bad = 0, scrib = 0;
	uint32_t src_scrib = 0, i, j, k;

	/* Which slots are ours: all of a parent's ring (its direction is
	 * ours), those of our direction on a monitor's (trusted copies). */
	if (src == NULL) {
		match = count;
	} else {
		for (k = 0, i = first; k < count; k++, i = nm_idx_next(i, pn))
			match += nm_zc_dir_is(src->zs[i].flags, z->txmon);
	}
	nm_os_lock_acquire(&mr->lock);
	room = mn - 1 - nm_idx_dist(mr->hwcur, mr->hwtail, mn);
	skip = match > room ? match - room : 0;
	j = mr->hwtail;
	for (k = 0, i = first; k < count; k++, i = nm_idx_next(i, pn)) {
		struct nm_monitor_zslot in, old = mr->zs[j];

		if (src == NULL) {
			/* A parent slot: read once, judged before use. */
			in.buf_idx = nm_os_shared_load32(&ps[i].buf_idx);
			in.len = nm_os_shared_load16(&ps[i].len);
			in.flags = nm_os_shared_load16(&ps[i].flags);
		} else {
			in = src->zs[i];
			if (!nm_zc_dir_is(in.flags, z->txmon))
				continue;
		}
		if (skip > 0) {
			skip--; /* the oldest go: the reference's choice */
			continue;
		}
		if (src == NULL && (!nm_buf_idx_valid(pool, in.buf_idx) ||
				    in.len > pool->buf_size ||
				    (in.flags & NS_INDIRECT))) {
			/* Not a buffer of ours holding the frame: the
			 * parent keeps it, the monitor is not shown it. */
			bad++;
			continue;
		}
		nm_zc_check_slot(mr, j, &scrib);
		mr->zs[j].buf_idx = in.buf_idx;
		mr->zs[j].len = in.len;
		mr->zs[j].flags = (uint16_t)((in.flags &
					      ~(NS_TXMON | NS_INDIRECT |
						NS_BUF_CHANGED)) |
					     z->txmon);
		nm_os_shared_store32(&ms[j].buf_idx, mr->zs[j].buf_idx);
		nm_os_shared_store16(&ms[j].len, mr->zs[j].len);
		nm_os_shared_store16(&ms[j].flags, mr->zs[j].flags);
		/* The giver continues with our old buffer (the reference
		 * swaps len too), and is told its buffer changed. */
		if (src != NULL) {
			nm_zc_check_slot(src, i, &src_scrib);
			src->zs[i].buf_idx = old.buf_idx;
			src->zs[i].len = old.len;
			in.flags = src->zs[i].flags;
		}
		nm_os_shared_store32(&ps[i].buf_idx, old.buf_idx);
		nm_os_shared_store16(&ps[i].len, old.len);
		nm_os_shared_store16(&ps[i].flags,
				     (uint16_t)(in.flags | NS_BUF_CHANGED));
		j = nm_idx_next(j, mn);
		sent++;
	}
	mr->hwtail = j;
	nm_os_lock_release(&mr->lock);
	/* The monitor's rxsync takes the lock we released: it sees every
	 * slot written before it imports hwtail. */
	if (sent != 0) {
		nm_os_counter_add(&mon->stats.seen, sent);
		nm_port_notify(&mon->up, NR_RX, mr->ring);
	}
	if (match > room)
		nm_os_counter_add(&mon->stats.dropped, match - room);
	if (bad != 0)
		nm_os_counter_add(&mon->stats.bad, bad);
	if (scrib != 0)
		nm_os_counter_add(&mon->stats.scribbled, scrib);
	if (src_scrib != 0)
		nm_os_counter_add(&src->mon->stats.scribbled, src_scrib);
}

/* [reg->lock] The kring a new link of chain d, ring i, hangs on: the
 * parent's, or the RX ring of the last zero-copy monitor of that chain;
 * *src that monitor's ring (NULL: the parent's). */
static struct nm_kring *nm_zc_chain_tail(struct nm_port *parent, uint32_t d,
					 uint32_t i,
					 struct nm_monitor_ring **src)
{
	uint16_t txmon = d == NR_TX ? NS_TXMON : 0;
	struct nm_kring *kr = nm_port_kring(parent, d, i);
	struct nm_kring_tap *t;

	*src = NULL;
	while (kr != NULL) {
		for (t = kr->taps; t != NULL; t = t->next)
			if (t->kind == NM_TAP_ZCOPY &&
			    ((struct nm_monitor_ztap *)t)->txmon == txmon)
				break;
		if (t == NULL)
			break;
		*src = ((struct nm_monitor_ztap *)t)->mr;
		kr = &(*src)->kr;
	}
	return kr;
}

/* [reg->lock] The link of chain txmon hanging on monitor ring r, or NULL. */
static struct nm_monitor_ztap *nm_zc_next(struct nm_monitor_ring *r,
					  uint16_t txmon)
{
	struct nm_kring_tap *t;

	for (t = r->kr.taps; t != NULL; t = t->next)
		if (t->kind == NM_TAP_ZCOPY &&
		    ((struct nm_monitor_ztap *)t)->txmon == txmon)
			return (struct nm_monitor_ztap *)t;
	return NULL;
}

/* [reg->lock] Hang every link of mon at the tail of its chains. */
static void nm_zc_hook_locked(struct nm_monitor *mon)
{
	uint32_t i, d;

	for (i = 0; i < mon->up.num_rings[NR_RX]; i++) {
		struct nm_monitor_ring *mr = &mon->rx[i];

		for (d = 0; d < 2; d++) {
			struct nm_monitor_ztap *z = mr->ztap[d];

			if (z == NULL)
				continue;
			z->on = nm_zc_chain_tail(mon->parent, d, i, &z->src);
			if (z->on == NULL) {
				/* The parent has no ring i this way. */
				nm_os_free(z);
				mr->ztap[d] = NULL;
				continue;
			}
			nm_kring_tap_add(z->on, &z->tap);
		}
	}
}

static uint64_t nm_monitor_zc_nifp_offset(const struct nm_port *p)
{
	return ((const struct nm_monitor *)p)->nifp_ofs; /* up is first */
}

/* Give back what mon holds of the parent's pool, and mon itself. */
static void nm_monitor_zc_free(struct nm_monitor *mon)
{
	struct nm_buf_pool *pool = &mon->parent->region->pool;
	uint32_t i, j, d;

	if (mon->rx != NULL) {
		for (i = 0; i < mon->up.num_rings[NR_RX]; i++) {
			struct nm_monitor_ring *mr = &mon->rx[i];

			for (d = 0; d < 2; d++)
				nm_os_free(mr->ztap[d]);
			if (mr->zs != NULL) {
				for (j = 0; j < mr->kr.num_slots; j++)
					if (mr->zs[j].buf_idx != 0)
						nm_buf_free(pool,
							    mr->zs[j].buf_idx);
				nm_os_free(mr->zs);
			}
			if (mr->mon != NULL)
				nm_os_lock_fini(&mr->lock);
		}
		nm_os_free(mon->rx);
	}
	if (mon->zrun_count != 0)
		nm_buf_free_run(pool, mon->zrun, mon->zrun_count);
	nm_os_free(mon);
}

/*
 * Close: unhook our links and move each successor's link to our
 * predecessor, all under reg->lock, so the chain is never seen broken or
 * doubled.  A moved link is a fresh tap (allocated first: no sleeping
 * under the lock); the old one, which a running sync may still walk, is
 * freed after the grace period with ours.
 */
static void nm_monitor_zc_close(struct nm_port *p)
{
	struct nm_monitor *mon = (struct nm_monitor *)p; /* up is first */
	struct nm_port *parent = mon->parent;
	uint32_t nr = mon->up.num_rings[NR_RX], i, d, k = 0;
	struct nm_monitor_ztap **fresh, **old;

	fresh = nm_os_zalloc(sizeof(*fresh) * 2 * nr);
	old = nm_os_zalloc(sizeof(*old) * 2 * nr);
	for (i = 0; fresh != NULL && i < 2 * nr; i++)
		fresh[i] = nm_os_zalloc(sizeof(**fresh));
	nm_os_lock_acquire(&mon->reg->lock);
	for (i = 0; i < nr; i++) {
		struct nm_monitor_ring *mr = &mon->rx[i];

		for (d = 0; d < 2; d++) {
			struct nm_monitor_ztap *z = mr->ztap[d], *succ, *nz;

			if (z == NULL)
				continue;
			nm_kring_tap_del(z->on, &z->tap);
			succ = nm_zc_next(mr, z->txmon);
			if (succ == NULL)
				continue;
			nm_kring_tap_del(&mr->kr, &succ->tap);
			nz = fresh != NULL ? fresh[k] : NULL;
			if (nz != NULL) {
				fresh[k] = NULL;
				*nz = *succ;
				nz->tap.next = NULL;
				nz->on = z->on;
				nz->src = z->src;
				nm_kring_tap_add(nz->on, &nz->tap);
			}
			/* Without memory the successor stays unhooked: it
			 * sees nothing more, and is freed at its close. */
			succ->mr->ztap[d] = nz;
			if (old != NULL)
				old[k] = succ;
			k++;
		}
	}
	nm_os_lock_release(&mon->reg->lock);
	/* Every sync that might still run a tap we unhooked ends first. */
	nm_os_read_synchronize();
	for (i = 0; i < 2 * nr; i++) {
		if (fresh != NULL)
			nm_os_free(fresh[i]);
		if (old != NULL)
			nm_os_free(old[i]);
	}
	nm_os_free(fresh);
	nm_os_free(old);
	nm_monitor_zc_free(mon);
	nm_port_close(parent);
}

static const struct nm_port_ops nm_monitor_zc_ops = {
	.close = nm_monitor_zc_close,
	.nifp_offset = nm_monitor_zc_nifp_offset,
};

/* Lay the netmap_if and the rings in the run at mem (zeroed). */
static void nm_zc_layout(struct nm_monitor *mon, uint8_t *mem)
{
	const struct nm_buf_pool *pool = &mon->parent->region->pool;
	uint32_t nr = mon->up.num_rings[NR_RX], i, ofs;
	struct netmap_if *nifp = (struct netmap_if *)mem;

	nm_strlcpy(nifp->ni_name, mon->up.name, sizeof(nifp->ni_name));
	nifp->ni_version = NETMAP_API;
	nifp->ni_flags = NI_PRIV_MEM;
	nifp->ni_tx_rings = 1;
	nifp->ni_rx_rings = nr;
	ofs = nm_zc_round((uint32_t)(sizeof(*nifp) + sizeof(int64_t) * (1 + nr)));
	for (i = 0; i <= nr; i++) {
		struct netmap_ring *ring = (struct netmap_ring *)(mem + ofs);
		uint32_t slots = mon->up.num_slots[i == 0 ? NR_TX : NR_RX];

		nifp->ring_ofs[i] = ofs;
		/* Negative: the pool starts before a run inside it. */
		ring->buf_ofs = (int64_t)(pool->base - (uint8_t *)ring);
		ring->nr_buf_size = pool->buf_size;
		ring->ringid = (uint16_t)(i == 0 ? 0 : i - 1);
		ofs += nm_zc_ring_bytes(slots);
	}
	mon->nifp_ofs = (uint64_t)(mem - mon->parent->region->base);
}

static struct netmap_ring *nm_zc_ring(struct nm_monitor *mon, uint32_t pos)
{
	const struct nm_buf_pool *pool = &mon->parent->region->pool;
	struct netmap_if *nifp =
		(struct netmap_if *)(pool->base +
				     (size_t)mon->zrun * pool->buf_size);

	return (struct netmap_ring *)((uint8_t *)nifp + nifp->ring_ofs[pos]);
}

static int nm_zc_init_rings(struct nm_monitor *mon, uint64_t nr_flags)
{
	struct nm_buf_pool *pool = &mon->parent->region->pool;
	uint32_t nr = mon->up.num_rings[NR_RX], i, j, d;
	int err;

	err = nm_kring_init(&mon->tx_kr, NM_KRING_TX, mon->up.num_slots[NR_TX],
			    nm_zc_ring(mon, 0), nm_monitor_txsync, mon,
			    mon->up.name);
	if (err != 0)
		return err;
	mon->up.kring[NR_TX][0] = &mon->tx_kr;
	for (i = 0; i < nr; i++) {
		struct nm_monitor_ring *mr = &mon->rx[i];
		uint32_t n = mon->up.num_slots[NR_RX];
		struct netmap_ring *ring = nm_zc_ring(mon, 1 + i);

		err = nm_kring_init(&mr->kr, NM_KRING_RX, n, ring,
				    nm_monitor_rxsync, mr, mon->up.name);
		if (err != 0)
			return err;
		mr->zs = nm_os_zalloc(sizeof(*mr->zs) * n);
		if (mr->zs == NULL)
			return -ENOMEM;
		for (j = 0; j < n; j++) {
			err = nm_buf_alloc(pool, &mr->zs[j].buf_idx);
			if (err != 0)
				return err;
			nm_os_shared_store32(&ring->slot[j].buf_idx,
					     mr->zs[j].buf_idx);
		}
		for (d = 0; d < 2; d++) {
			if (!(nr_flags & (d == NR_TX ? NR_MONITOR_TX
						     : NR_MONITOR_RX)))
				continue;
			mr->ztap[d] = nm_os_zalloc(sizeof(*mr->ztap[d]));
			if (mr->ztap[d] == NULL)
				return -ENOMEM;
			mr->ztap[d]->tap.fn = nm_monitor_zc_tap;
			mr->ztap[d]->tap.kind = NM_TAP_ZCOPY;
			mr->ztap[d]->mr = mr;
			mr->ztap[d]->txmon = d == NR_TX ? NS_TXMON : 0;
		}
		err = nm_os_lock_init(&mr->lock);
		if (err != 0)
			return err;
		mr->mon = mon; /* marks the lock as initialised */
		mr->ring = i;
		mon->up.kring[NR_RX][i] = &mr->kr;
	}
	return 0;
}

int nm_monitor_zc_create(struct nm_registry *reg, struct nm_port *parent,
			 uint64_t nr_flags, struct nm_port_geom *g,
			 struct nm_monitor **out)
{
	struct nm_buf_pool *pool = &parent->region->pool;
	struct nm_region_geom rg;
	struct nm_monitor *mon;
	uint32_t bytes;
	int err;

	/* "/z" alone watches both directions, as the reference. */
	if ((nr_flags & (NR_MONITOR_TX | NR_MONITOR_RX)) == 0)
		nr_flags |= NR_MONITOR_TX | NR_MONITOR_RX;
	nm_monitor_geom(parent, g, &rg);
	mon = nm_os_zalloc(sizeof(*mon));
	if (mon == NULL)
		return -ENOMEM;
	nm_monitor_init_common(mon, reg, parent, nr_flags, &rg);
	mon->up.ops = &nm_monitor_zc_ops;
	mon->up.region = parent->region; /* one index space: the point */
	err = -ENOMEM;
	mon->rx = nm_os_zalloc(sizeof(*mon->rx) * rg.ifs[0].rx_rings);
	if (mon->rx == NULL)
		goto err_free;
	bytes = nm_zc_layout_bytes(mon);
	err = nm_buf_alloc_run(pool, (bytes + pool->buf_size - 1) /
					     pool->buf_size,
			       &mon->zrun);
	if (err != 0)
		goto err_free;
	mon->zrun_count = (bytes + pool->buf_size - 1) / pool->buf_size;
	nm_os_memset(pool->base + (size_t)mon->zrun * pool->buf_size, 0,
		     (size_t)mon->zrun_count * pool->buf_size);
	nm_zc_layout(mon, pool->base + (size_t)mon->zrun * pool->buf_size);
	err = nm_zc_init_rings(mon, nr_flags);
	if (err != 0)
		goto err_free;
	/* Published last: a tap runs as soon as it is on a list. */
	nm_os_lock_acquire(&reg->lock);
	nm_zc_hook_locked(mon);
	nm_os_lock_release(&reg->lock);
	nm_port_geom_get(&mon->up, g);
	*out = mon;
	return 0;

err_free:
	nm_monitor_zc_free(mon);
	return err;
}
