/*
 * nm_registry.h - the namespace of software ports: VALE switches and pipes.
 *
 * Owns: the registry object (explicit, no global state) that the kernel
 * device, the simulator and the tests each hold one of: the table of VALE
 * switches (filled and emptied by vale_switch.c) and the list of pipes
 * (nm_pipe.c).  This file knows neither kind: it only owns the lock and
 * the storage, so both kinds depend on it and not on each other.
 *
 * Invariants: at nm_registry_fini() every switch and pipe is gone (asserted).
 * Locking: reg->lock (short, never across allocation or synchronize) guards
 * the table, the list and the counts.
 */
#ifndef NM_REGISTRY_H
#define NM_REGISTRY_H

#include "nm_util.h"

#define NM_REGISTRY_MAX_SWITCHES 8U

struct vale_switch;
struct nm_pipe;

struct nm_registry {
	struct nm_os_lock lock;
	struct vale_switch *sw[NM_REGISTRY_MAX_SWITCHES]; /* under lock */
	struct nm_pipe *pipes;				  /* list, under lock */
	uint32_t num_pipes;
};

/* [control path] 0 or -errno. */
int nm_registry_init(struct nm_registry *reg);
/* [control path] every port and pipe must be closed first (asserted). */
void nm_registry_fini(struct nm_registry *reg);

#endif /* NM_REGISTRY_H */
