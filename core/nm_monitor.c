/*
 * nm_monitor.c - copy monitors: taps on a parent port's krings copy each
 * slot a sync moves into the monitor's RX ring of the same index.
 *
 * Data path (a tap, nm_monitor_tap()): runs inside the parent's sync, in
 * its read section, with the parent kring's gate held.  Under the monitor
 * ring's lock it computes the room left by the monitor's user (hwcur),
 * keeps the newest `room` slots of the batch (drops the oldest, counted),
 * reads each parent slot's fields once and validates them against the
 * parent's pool, reads the monitor slot's buffer index once and validates
 * it against the monitor's pool, copies, and moves hwtail; the monitor's
 * rxsync imports hwtail under the same lock, so every slot before it was
 * written first.  Nothing in the parent's ring is written.
 *
 * Control path: taps are added and removed under reg->lock (one writer of
 * every tap list at a time); close removes them, waits a grace period,
 * and only then drops the reference to the parent and frees the rings.
 */
#include "nm_monitor_impl.h"

bool nm_monitor_name_split(const char *name, size_t *base_len,
			   uint64_t *nr_flags)
{
	size_t i, slash = 0;
	uint64_t f = 0;
	bool found = false;

	for (i = 0; name[i] != '\0' && i < NETMAP_REQ_IFNAMSIZ; i++) {
		if (name[i] == '/') {
			slash = i;
			found = true;
		}
	}
	if (!found || slash == 0 || name[slash + 1] == '\0')
		return false;
	for (i = slash + 1; name[i] != '\0' && i < NETMAP_REQ_IFNAMSIZ; i++) {
		if (name[i] == 't')
			f |= NR_MONITOR_TX;
		else if (name[i] == 'r')
			f |= NR_MONITOR_RX;
		else if (name[i] == 'z')
			f |= NR_ZCOPY_MON;
		else
			return false;
	}
	*base_len = slash;
	*nr_flags = f;
	return true;
}

/* Copy one parent slot (fields read once) into monitor slot j. */
static bool nm_monitor_copy1(const struct nm_buf_pool *ppool,
			     const struct nm_buf_pool *mpool,
			     const struct netmap_slot *ps, struct netmap_slot *ms,
			     uint16_t txmon)
{
	uint32_t pidx = nm_os_shared_load32(&ps->buf_idx);
	uint16_t len = nm_os_shared_load16(&ps->len);
	uint16_t fl = nm_os_shared_load16(&ps->flags);
	uint32_t midx = nm_os_shared_load32(&ms->buf_idx);
	uint8_t *dst = nm_buf_addr(mpool, midx);
	bool ok = false;

	if (dst != NULL && len <= mpool->buf_size) {
		if (txmon != 0 && (fl & NS_INDIRECT)) {
			/* The payload is at the sender's user address. */
			ok = len == 0 ||
			     nm_os_copy_from_user_nofault(
				     dst, nm_os_shared_load64(&ps->ptr),
				     len) == 0;
		} else if (nm_buf_idx_valid(ppool, pidx) &&
			   len <= ppool->buf_size) {
			nm_os_memcpy(dst, nm_buf_addr(ppool, pidx), len);
			ok = true;
		}
	}
	if (!ok)
		len = 0;
	fl = (uint16_t)((fl & ~(NS_TXMON | NS_INDIRECT | NS_BUF_CHANGED)) |
			txmon);
	nm_os_shared_store16(&ms->len, len);
	nm_os_shared_store16(&ms->flags, fl);
	return ok;
}

static void nm_monitor_tap(struct nm_kring_tap *t, struct nm_kring *pkr,
			   uint32_t first, uint32_t count)
{
	struct nm_monitor_tap *c = (struct nm_monitor_tap *)t; /* first member */
	struct nm_monitor_ring *mr = c->mr;
	struct nm_monitor *mon = mr->mon;
	const struct nm_buf_pool *ppool = &mon->parent->region->pool;
	const struct nm_buf_pool *mpool = &mon->region.pool;
	struct netmap_slot *ps = pkr->ring->slot, *ms = mr->kr.ring->slot;
	uint32_t pn = pkr->num_slots, mn = mr->kr.num_slots;
	uint32_t room, drop = 0, bad = 0, sent, i, j;

	nm_os_lock_acquire(&mr->lock);
	room = mn - 1 - nm_idx_dist(mr->hwcur, mr->hwtail, mn);
	if (count > room) {
		/* The reference keeps the newest: skip the oldest. */
		drop = count - room;
		first = nm_idx_add(first, drop, pn);
		count = room;
	}
	sent = count;
	for (i = first, j = mr->hwtail; count > 0; count--) {
		if (!nm_monitor_copy1(ppool, mpool, &ps[i], &ms[j], c->txmon))
			bad++;
		i = nm_idx_next(i, pn);
		j = nm_idx_next(j, mn);
	}
	mr->hwtail = j;
	nm_os_lock_release(&mr->lock);
	/* The monitor's rxsync takes the lock we released: it sees every
	 * slot written before it imports hwtail. */
	if (sent != 0) {
		nm_os_counter_add(&mon->stats.seen, sent);
		nm_port_notify(&mon->up, NR_RX, mr->ring);
	}
	if (drop != 0)
		nm_os_counter_add(&mon->stats.dropped, drop);
	if (bad != 0)
		nm_os_counter_add(&mon->stats.bad, bad);
}

/* [reg->lock] hang or unhang every tap of mon. */
static void nm_monitor_taps_locked(struct nm_monitor *mon, bool on)
{
	uint32_t i, d;

	for (i = 0; i < mon->up.num_rings[NR_RX]; i++) {
		struct nm_monitor_ring *mr = &mon->rx[i];

		for (d = 0; d < 2; d++) {
			struct nm_kring *pkr =
				nm_port_kring(mon->parent, d, i);

			if (on && pkr != NULL &&
			    (mon->flags & (d == NR_TX ? NR_MONITOR_TX :
							NR_MONITOR_RX))) {
				nm_kring_tap_add(pkr, &mr->tap[d].tap);
				mr->tapped[d] = true;
			} else if (!on && mr->tapped[d]) {
				nm_kring_tap_del(pkr, &mr->tap[d].tap);
				mr->tapped[d] = false;
			}
		}
	}
}

static void nm_monitor_free(struct nm_monitor *mon)
{
	uint32_t i;

	if (mon->rx != NULL) {
		for (i = 0; i < mon->up.num_rings[NR_RX]; i++)
			if (mon->rx[i].mon != NULL)
				nm_os_lock_fini(&mon->rx[i].lock);
		nm_os_free(mon->rx);
	}
	nm_region_destroy(&mon->region);
	nm_os_free(mon);
}

static void nm_monitor_close(struct nm_port *p)
{
	struct nm_monitor *mon = (struct nm_monitor *)p; /* up is first */
	struct nm_port *parent = mon->parent;

	nm_os_lock_acquire(&mon->reg->lock);
	nm_monitor_taps_locked(mon, false);
	nm_os_lock_release(&mon->reg->lock);
	/* Every parent sync that might still run a tap ends first. */
	nm_os_read_synchronize();
	nm_monitor_free(mon);
	nm_port_close(parent);
}

static const struct nm_port_ops nm_monitor_ops = {
	.close = nm_monitor_close,
};

static int nm_monitor_init_rings(struct nm_monitor *mon)
{
	uint32_t i, d;
	int err;

	err = nm_kring_init(&mon->tx_kr, NM_KRING_TX, mon->up.num_slots[NR_TX],
			    nm_region_ring(&mon->region, 0, NR_TX, 0),
			    nm_monitor_txsync, mon, mon->up.name);
	if (err != 0)
		return err;
	mon->up.kring[NR_TX][0] = &mon->tx_kr;
	for (i = 0; i < mon->up.num_rings[NR_RX]; i++) {
		struct nm_monitor_ring *mr = &mon->rx[i];

		err = nm_kring_init(&mr->kr, NM_KRING_RX,
				    mon->up.num_slots[NR_RX],
				    nm_region_ring(&mon->region, 0, NR_RX, i),
				    nm_monitor_rxsync, mr, mon->up.name);
		if (err != 0)
			return err;
		err = nm_os_lock_init(&mr->lock);
		if (err != 0)
			return err;
		mr->mon = mon; /* marks the lock as initialised */
		mr->ring = i;
		for (d = 0; d < 2; d++) {
			mr->tap[d].tap.fn = nm_monitor_tap;
			mr->tap[d].mr = mr;
			mr->tap[d].txmon = d == NR_TX ? NS_TXMON : 0;
		}
		mon->up.kring[NR_RX][i] = &mr->kr;
	}
	return 0;
}

int nm_monitor_create(struct nm_registry *reg, struct nm_port *parent,
		      uint64_t nr_flags, struct nm_port_geom *g,
		      struct nm_monitor **out)
{
	struct nm_region_geom rg;
	struct nm_monitor *mon;
	int err;

	if (nr_flags & NR_ZCOPY_MON)
		return nm_monitor_zc_create(reg, parent, nr_flags, g, out);
	if ((nr_flags & (NR_MONITOR_TX | NR_MONITOR_RX)) == 0)
		return -EINVAL;
	nm_monitor_geom(parent, g, &rg);
	mon = nm_os_zalloc(sizeof(*mon));
	if (mon == NULL)
		return -ENOMEM;
	nm_monitor_init_common(mon, reg, parent, nr_flags, &rg);
	mon->up.ops = &nm_monitor_ops;
	mon->up.region = &mon->region;
	err = nm_region_create(&mon->region, &rg, parent->name);
	if (err != 0)
		goto err_free;
	err = -ENOMEM;
	mon->rx = nm_os_zalloc(sizeof(*mon->rx) * rg.ifs[0].rx_rings);
	if (mon->rx == NULL)
		goto err_free;
	err = nm_monitor_init_rings(mon);
	if (err != 0)
		goto err_free;
	/* Published last: a tap runs as soon as it is on the list. */
	nm_os_lock_acquire(&reg->lock);
	nm_monitor_taps_locked(mon, true);
	nm_os_lock_release(&reg->lock);
	nm_port_geom_get(&mon->up, g);
	*out = mon;
	return 0;

err_free:
	nm_monitor_free(mon);
	return err == -E2BIG ? -ENOMEM : err;
}
