/*
 * sim_cache.h - the cost of moving cache lines between the actors' CPUs.
 *
 * Owns: a map from each 64-byte line the core touches through its shared
 * accessors (ring indices, slot fields, CSB words, kring gates) to the
 * actor that last wrote it and the set of actors holding a copy; installed
 * as the simulator backend's step hook.  A load by an actor without a copy,
 * or a store or atomic by an actor that is not the only holder, costs one
 * cache-line transfer on the running actor's clock: the first one in a
 * step pays the latency (SIM_C_CACHELINE), later ones in the same step
 * overlap with it (out-of-order execution and the prefetcher streaming a
 * slot array) and pay the bandwidth (SIM_C_CACHELINE_STREAM).
 * That is what makes a fast consumer expensive: polling an index the
 * producer keeps writing moves the line at every look.
 *
 * Determinism: lines are looked up in an open-addressing table that never
 * evicts, so behaviour depends on which lines are touched, never on where
 * they hash.  Bulk copies are not tracked (SIM_C_COPY_BYTE covers them).
 */
#ifndef SIM_CACHE_H
#define SIM_CACHE_H

#include <stdint.h>

#include "nm_os.h"


struct sim_cache {
	uint64_t *line;	   /* line address + 1, 0 = empty */
	/* Per line `words` words of bits: bit 0 is code outside any actor
	 * (the build), bit id + 1 actor id.  One word serves 63 actors;
	 * the map widens when an actor beyond them first touches a line. */
	uint64_t *holders;
	uint32_t words;
	uint64_t cap, n;
	uint64_t transfers;
	uint64_t step;	    /* the running step's number (steps_run at its
			     * start; a resumed step gets its own back) */
	uint64_t steps_run; /* bumped at every actor step */
	uint64_t last_step; /* step of the last transfer outside any actor
			     * (an actor keeps its own: xfer_step) */
	/* The last access: line key and actor bit, and whether that left the
	 * actor the line's only holder.  The same actor touching the same
	 * line again changes nothing (a load: it holds a copy; a store: it
	 * holds the only one), so the lookup is skipped. */
	uint64_t memo_key;
	uint32_t memo_who;
	bool memo_excl;
};

int sim_cache_init(struct sim_cache *c);
void sim_cache_fini(struct sim_cache *c);
/* The nm_sim_os step hook; arg is the struct sim_run (its cache, its
 * running actor). */
void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg);

#endif /* SIM_CACHE_H */
