/*
 * nm_nic.c - the rings of a port over a network interface: the region with
 * host rings, frame delivery into RX rings and frame collection from TX
 * rings.  The device itself (hooks, frames, queues) is the backend's.
 *
 * RX (any producer context, under the ring lock):
 *   producer: space = slots in [prod, hwcur - 1); copy into slots from
 *             prod on; prod += slots used
 *   rxsync:   hwcur = rhead (released by the user); hwtail = prod
 * TX (the kring gate): every chain in [hwcur, rhead) is judged slot by slot
 * and handed to the backend, which copies it; hwtail = hwcur - 1.
 */
#include "nm_nic.h"

/* ---- RX rings. */

static int nm_nic_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct nm_nic_ring *r = kr->sync_priv;

	(void)flags;
	nm_os_lock_acquire(&r->lock);
	kr->hwcur = kr->rhead;
	if (NM_ASSERT(r->prod < kr->num_slots))
		kr->hwtail = r->prod;
	nm_os_lock_release(&r->lock);
	return 0;
}

int nm_nic_rx_deliver(struct nm_nic *n, uint32_t ring, uint32_t len,
		      nm_nic_copy_fn copy, const void *ctx)
{
	const struct nm_buf_pool *pool = &n->region.pool;
	uint32_t bs = pool->buf_size, need, room, i, s, off, chunk;
	struct nm_nic_ring *r;
	struct netmap_slot *slot;
	uint8_t *buf;
	int err = 0;

	if (ring >= n->up.num_rings[NR_RX])
		return -EINVAL;
	r = &n->rx[ring];
	need = len == 0 ? 0 : (len - 1) / bs + 1;
	if (need == 0 || need > NETMAP_MAX_FRAGS) {
		nm_os_counter_add(&n->stats.rx_drop_size, 1);
		return -EMSGSIZE;
	}
	nm_os_lock_acquire(&r->lock);
	/* One slot stays empty: prod == hwcur means an empty ring. */
	room = nm_idx_dist(r->prod, nm_idx_prev(r->kr.hwcur, r->kr.num_slots),
			   r->kr.num_slots);
	if (room < need) {
		err = -ENOSPC;
		nm_os_counter_add(&n->stats.rx_drop_full, 1);
		goto out;
	}
	/* The slots are the kernel's, but the user can still write them:
	 * each buffer index is read once and judged before the copy. */
	for (i = 0, s = r->prod; i < need; i++, s = nm_idx_next(s, r->kr.num_slots)) {
		slot = &r->kr.ring->slot[s];
		buf = nm_buf_addr(pool, nm_os_shared_load32(&slot->buf_idx));
		if (buf == NULL) {
			err = -EINVAL;
			nm_os_counter_add(&n->stats.rx_drop_buf, 1);
			goto out;
		}
	}
	for (i = 0, off = 0, s = r->prod; i < need;
	     i++, off += chunk, s = nm_idx_next(s, r->kr.num_slots)) {
		slot = &r->kr.ring->slot[s];
		buf = nm_buf_addr(pool, nm_os_shared_load32(&slot->buf_idx));
		chunk = nm_min_u32(bs, len - off);
		if (buf == NULL) {
			/* Changed since the check: the slot goes out empty. */
			chunk = 0;
		} else {
			copy(buf, off, chunk, ctx);
		}
		nm_os_shared_store16(&slot->len, (uint16_t)chunk);
		nm_os_shared_store16(&slot->flags,
				     i + 1 < need ? NS_MOREFRAG : 0);
	}
	r->prod = s;
	nm_os_counter_add(&n->stats.rx_pkts, 1);
out:
	nm_os_lock_release(&r->lock);
	if (err == 0) {
		nm_os_read_enter();
		nm_port_notify(&n->up, NR_RX, ring);
		nm_os_read_exit();
	}
	return err;
}

/* ---- TX rings. */

void nm_nic_tx_wake(struct nm_nic *n, uint32_t ring)
{
	nm_os_read_enter();
	nm_port_notify(&n->up, NR_TX, ring);
	nm_os_read_exit();
}

static int nm_nic_txsync(struct nm_kring *kr, uint32_t flags)
{
	struct nm_nic_ring *r = kr->sync_priv;
	struct nm_nic *n = r->nic;
	const struct nm_buf_pool *pool = &n->region.pool;
	struct nm_nic_frag f[NETMAP_MAX_FRAGS];
	uint32_t num = kr->num_slots, i = kr->hwcur, j, nf, len;
	bool host = r->ring == nm_nic_host_ring(n, NR_TX) && n->host_rings != 0;
	struct nm_slot_snap snap;
	bool bad, more;
	int err;

	(void)flags;
	while (i != kr->rhead) {
		/* Gather one chain [i, j): each slot read once. */
		nf = 0;
		len = 0;
		bad = false;
		j = i;
		do {
			if (j == kr->rhead)
				goto out; /* incomplete chain: wait for the rest */
			err = nm_slot_load(pool, &kr->ring->slot[j], &snap);
			more = (snap.flags & NS_MOREFRAG) != 0;
			j = nm_idx_next(j, num);
			if (err != 0 || (snap.flags & NS_INDIRECT)) {
				bad = true;
			} else if (nf < NETMAP_MAX_FRAGS) {
				f[nf].buf = nm_buf_addr(pool, snap.buf_idx);
				f[nf].len = snap.len;
				len += snap.len;
			}
			nf++;
		} while (more);
		if (bad) {
			nm_os_counter_add(&n->stats.tx_drop_slot, 1);
		} else if (nf > NETMAP_MAX_FRAGS) {
			nm_os_counter_add(&n->stats.tx_drop_frags, 1);
		} else if (len != 0) {
			err = host ? n->ops->to_host(n->priv, f, nf, len)
				   : n->ops->xmit(n->priv, r->ring, f, nf, len);
			if (err == -EAGAIN)
				goto out; /* offered again at the next sync */
			if (err != 0)
				nm_os_counter_add(&n->stats.tx_drop_xmit, 1);
			else
				nm_os_counter_add(&n->stats.tx_pkts, 1);
		}
		i = j;
	}
out:
	kr->hwcur = i;
	/* Everything consumed was copied: the whole ring but the pending
	 * slots [hwcur, rhead) is free again. */
	kr->hwtail = nm_idx_prev(i, num);
	return 0;
}

/* ---- The port. */

static void nm_nic_port_close(struct nm_port *p)
{
	struct nm_nic *n = (struct nm_nic *)p; /* up is the first member */

	n->ops->close(n->priv);
}

static const struct nm_port_ops nm_nic_port_ops = {
	.close = nm_nic_port_close,
};

int nm_nic_create(const char *name, struct nm_port_geom *g, bool host,
		  const struct nm_nic_ops *ops, void *priv,
		  struct nm_nic **out)
{
	struct nm_region_geom rg;
	struct netmap_if *nifp;
	struct nm_nic *n;
	uint32_t d, i, total;
	int err;

	if (name == NULL || name[0] == '\0' ||
	    nm_strnlen(name, NETMAP_REQ_IFNAMSIZ) >= NETMAP_REQ_IFNAMSIZ)
		return -EINVAL;
	err = nm_port_geom_normalize(g);
	if (err != 0)
		return err;
	if (g->tx_rings > NM_NIC_MAX_QUEUES)
		g->tx_rings = NM_NIC_MAX_QUEUES;
	if (g->rx_rings > NM_NIC_MAX_QUEUES)
		g->rx_rings = NM_NIC_MAX_QUEUES;
	n = nm_os_zalloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->ops = ops;
	n->priv = priv;
	n->host_rings = host ? 1 : 0;
	n->nic_rings[NR_TX] = g->tx_rings;
	n->nic_rings[NR_RX] = g->rx_rings;
	nm_os_memset(&rg, 0, sizeof(rg));
	rg.num_ifs = 1;
	/* Host rings are the last of each direction, with the NIC rings'
	 * size: ring_ofs[] then has the reference's order. */
	rg.ifs[0].tx_rings = g->tx_rings + n->host_rings;
	rg.ifs[0].rx_rings = g->rx_rings + n->host_rings;
	rg.ifs[0].tx_slots = g->tx_slots;
	rg.ifs[0].rx_slots = g->rx_slots;
	rg.buf_size = g->buf_size;
	err = nm_region_create(&n->region, &rg, name);
	if (err != 0)
		goto err_free;
	nifp = nm_region_if(&n->region, 0);
	nifp->ni_tx_rings = g->tx_rings;
	nifp->ni_rx_rings = g->rx_rings;
	nifp->ni_host_tx_rings = n->host_rings;
	nifp->ni_host_rx_rings = n->host_rings;

	n->up.kind = NM_PORT_NIC;
	n->up.ops = &nm_nic_port_ops;
	nm_strlcpy(n->up.name, name, sizeof(n->up.name));
	n->up.region = &n->region;
	n->up.if_index = 0;
	for (d = NR_TX; d <= NR_RX; d++) {
		struct nm_nic_ring *rings = d == NR_TX ? n->tx : n->rx;

		total = n->nic_rings[d] + n->host_rings;
		n->up.num_rings[d] = total;
		n->up.num_host_rings[d] = (uint16_t)n->host_rings;
		n->up.num_slots[d] = d == NR_TX ? g->tx_slots : g->rx_slots;
		for (i = 0; i < total; i++) {
			struct nm_nic_ring *r = &rings[i];

			r->nic = n;
			r->ring = i;
			err = nm_os_lock_init(&r->lock);
			if (err != 0)
				goto err_locks;
			err = nm_kring_init(&r->kr, (enum nm_kring_dir)d,
					    n->up.num_slots[d],
					    nm_region_ring(&n->region, 0, d, i),
					    d == NR_TX ? nm_nic_txsync
						       : nm_nic_rxsync,
					    r, name);
			if (err != 0) {
				nm_os_lock_fini(&r->lock);
				goto err_locks;
			}
			n->up.kring[d][i] = &r->kr;
		}
	}
	*out = n;
	return 0;

err_locks:
	/* Every kring set so far has its lock. */
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = 0; i < NM_PORT_MAX_RINGS; i++)
			if (n->up.kring[d][i] != NULL)
				nm_os_lock_fini(d == NR_TX ? &n->tx[i].lock
							   : &n->rx[i].lock);
	nm_region_destroy(&n->region);
err_free:
	nm_os_free(n);
	return err == -E2BIG ? -ENOMEM : err;
}

void nm_nic_destroy(struct nm_nic *n)
{
	uint32_t d, i;

	/* Nobody waits any more; running notifications end first. */
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = 0; i < NM_PORT_MAX_RINGS; i++)
			nm_os_ptr_publish((void **)&n->up.notifier[d][i], NULL);
	nm_os_ptr_publish((void **)&n->up.notifier_all, NULL);
	nm_os_read_synchronize();
	for (d = NR_TX; d <= NR_RX; d++)
		for (i = 0; i < n->up.num_rings[d]; i++)
			nm_os_lock_fini(d == NR_TX ? &n->tx[i].lock
						   : &n->rx[i].lock);
	nm_region_destroy(&n->region);
	nm_os_free(n);
}
