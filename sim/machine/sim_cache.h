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
	uint64_t last_step; /* step of the last transfer outside any actor */
	/* Where the running actor keeps the step of its last transfer (its
	 * xfer_step; &last_step outside actors), set with who: a step's
	 * transfers stream per actor, not per run (sim_cache_transfer()). */
	uint64_t *last_step_at;
	/* The running actor (id + 1, 0 outside actors), set with the run's
	 * running actor (sim_actor.c: sim_actor_cache_who()). */
	uint32_t who;
	/* The last access: its actor, and its line's key twice: memo_load
	 * (that actor holds a copy, so its load of the line again changes
	 * nothing) and memo_store (it holds the only copy, so neither does
	 * its store or atomic; 0 when not).  A repeat skips the lookup. */
	uint32_t memo_who;
	uint64_t memo_load, memo_store;
};

int sim_cache_init(struct sim_cache *c);
void sim_cache_fini(struct sim_cache *c);
/* The nm_sim_os step hook; arg is the struct sim_run (its cache, its
 * running actor). */
void sim_cache_hook(enum nm_sim_step kind, const volatile void *addr, void *arg);

/* The step kinds the cache model looks at (a bit per enum nm_sim_step). */
#define SIM_CACHE_KINDS                                             \
	((1U << NM_SIM_SHARED_LOAD) | (1U << NM_SIM_SHARED_STORE) | \
	 (1U << NM_SIM_ATOMIC))

/* The table lookup behind sim_cache_access(), out of line: the memo
 * missed. */
void sim_cache_touch(struct sim_cache *c, enum nm_sim_step kind,
		     const volatile void *addr);

/*
 * An access of a kind in SIM_CACHE_KINDS to addr (not NULL) by the running
 * actor (c->who): what sim_cache_hook() does.  Inline, so that the hooks
 * (this file's and sim_actor_hook()) pay a call only when the access is
 * not a repeat of the last one (about half of them on the embedded
 * default).
 */
static inline void sim_cache_access(struct sim_cache *c, enum nm_sim_step kind,
				    const volatile void *addr)
{
	uint64_t key = ((uint64_t)(uintptr_t)addr >> 6) + 1;

	if (key == (kind == NM_SIM_SHARED_LOAD ? c->memo_load : c->memo_store) &&
	    c->who == c->memo_who)
		return;
	sim_cache_touch(c, kind, addr);
}

#endif /* SIM_CACHE_H */
