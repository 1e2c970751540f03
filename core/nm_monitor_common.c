/*
 * nm_monitor_common.c - what copy monitors (nm_monitor.c) and zero-copy
 * monitors (nm_monitor_zc.c) share: the geometry taken from the parent,
 * the fields and counters of a fresh monitor, and the syncs of a
 * monitor's rings (its RX rings import what the taps wrote, under the
 * ring's lock; its TX ring refuses).  Below both, so neither calls up.
 *
 * Locking: the rxsync takes the monitor ring's lock (the taps' writers
 * hold it while they move hwtail); the rest is control path.
 */
#include "nm_monitor_impl.h"

void nm_monitor_geom(const struct nm_port *parent,
		     const struct nm_port_geom *g, struct nm_region_geom *rg)
{
	uint32_t pr = parent->num_rings[NR_TX], d;
	uint32_t *slots[2] = { &rg->ifs[0].tx_slots, &rg->ifs[0].rx_slots };
	uint32_t hint[2] = { g->tx_slots, g->rx_slots };

	if (parent->num_rings[NR_RX] > pr)
		pr = parent->num_rings[NR_RX];
	nm_os_memset(rg, 0, sizeof(*rg));
	rg->num_ifs = 1;
	rg->ifs[0].tx_rings = 1;
	rg->ifs[0].rx_rings = pr;
	for (d = 0; d < 2; d++) {
		*slots[d] = hint[d] != 0 ? hint[d] : parent->num_slots[d];
		if (*slots[d] < NM_RING_MIN_SLOTS)
			*slots[d] = NM_RING_MIN_SLOTS;
		if (*slots[d] > NM_RING_MAX_SLOTS)
			*slots[d] = NM_RING_MAX_SLOTS;
	}
	rg->buf_size = parent->region->geom.buf_size;
}

void nm_monitor_init_common(struct nm_monitor *mon, struct nm_registry *reg,
			    struct nm_port *parent, uint64_t nr_flags,
			    const struct nm_region_geom *rg)
{
	mon->up.kind = NM_PORT_MONITOR;
	mon->reg = reg;
	mon->parent = parent;
	mon->flags = (uint32_t)(nr_flags & (NR_MONITOR_TX | NR_MONITOR_RX |
					    NR_ZCOPY_MON));
	nm_strlcpy(mon->up.name, parent->name, sizeof(mon->up.name));
	mon->up.num_rings[NR_TX] = 1;
	mon->up.num_rings[NR_RX] = rg->ifs[0].rx_rings;
	mon->up.num_slots[NR_TX] = rg->ifs[0].tx_slots;
	mon->up.num_slots[NR_RX] = rg->ifs[0].rx_slots;
	nm_os_counter_init(&mon->stats.seen);
	nm_os_counter_init(&mon->stats.dropped);
	nm_os_counter_init(&mon->stats.bad);
	nm_os_counter_init(&mon->stats.scribbled);
}

int nm_monitor_rxsync(struct nm_kring *kr, uint32_t flags)
{
	struct nm_monitor_ring *mr = kr->sync_priv;
	uint32_t tail;

	(void)flags;
	nm_os_lock_acquire(&mr->lock);
	mr->hwcur = kr->rhead;
	tail = mr->hwtail;
	nm_os_lock_release(&mr->lock);
	kr->hwcur = kr->rhead;
	kr->hwtail = tail;
	return 0;
}

/* Monitors cannot inject packets (the reference's EIO). */
int nm_monitor_txsync(struct nm_kring *kr, uint32_t flags)
{
	(void)kr;
	(void)flags;
	return -EIO;
}
