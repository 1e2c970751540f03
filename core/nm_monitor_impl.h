/*
 * nm_monitor_impl.h - what nm_monitor.c (copy monitors) and
 * nm_monitor_zc.c (zero-copy monitors) share, defined in
 * nm_monitor_common.c (below both: no cycle); nobody else includes it.
 *
 * Locking: as nm_monitor.h (the rxsync takes the monitor ring's lock;
 * geometry is control path).
 */
#ifndef NM_MONITOR_IMPL_H
#define NM_MONITOR_IMPL_H

#include "nm_monitor.h"

/* The monitor's region geometry from the parent's and the hints in g. */
void nm_monitor_geom(const struct nm_port *parent,
		     const struct nm_port_geom *g, struct nm_region_geom *rg);
/* A monitor RX ring's sync: release to rhead, import hwtail (lock). */
int nm_monitor_rxsync(struct nm_kring *kr, uint32_t flags);
/* The monitor's TX ring's sync: -EIO, monitors cannot inject. */
int nm_monitor_txsync(struct nm_kring *kr, uint32_t flags);
/* The part of a create both kinds share: fields, counters, no memory. */
void nm_monitor_init_common(struct nm_monitor *mon, struct nm_registry *reg,
			    struct nm_port *parent, uint64_t nr_flags,
			    const struct nm_region_geom *rg);

/* [control path][may sleep] nm_monitor_create() with NR_ZCOPY_MON. */
int nm_monitor_zc_create(struct nm_registry *reg, struct nm_port *parent,
			 uint64_t nr_flags, struct nm_port_geom *g,
			 struct nm_monitor **out);

#endif /* NM_MONITOR_IMPL_H */
