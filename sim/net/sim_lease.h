/*
 * sim_lease.h - watching the leases of one VALE RX ring: how often and for
 * how long two senders hold leases on it at once (the core's concurrent
 * forwarding into one ring, core/vale_lease.h), and its lock's contention.
 *
 * Owns: a record per lease outstanding on the ring (who took it, its
 * number and first slot), kept from outside the core: after every critical
 * section of the ring's lock (nm_sim_lock_watch(), sim backend) it compares
 * the ring's lease state with what the last section left.  A lease is
 * taken when next_idx moved (each section of the core takes at most one;
 * it starts where the last section left hwlease), and held until its
 * sender completes it (its ends[] entry is set) or hwtail passes its start.
 * Holding is the sender's: from its lease to its vale_lease_done().
 * Nothing here makes a counted step: watching changes no virtual time.
 *
 * Overlap: an interval during which at least two different actors hold
 * leases on the ring (the core's "two senders leasing one RX ring at the
 * same time"); counted (how often), summed (how long, virtual ns) and its
 * largest number of holders kept.  Under the step model a sender's leases
 * open and close within its step, so the overlap is 0 by construction.
 *
 * Locking: none (single-threaded); the callback runs under the ring lock.
 */
#ifndef SIM_LEASE_H
#define SIM_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "nm_os.h"
#include "vale.h"

struct sim_lease_rec {
	const void *owner; /* nm_sim_os.self of the sender (NULL: no actor) */
	uint32_t idx;	   /* lease number */
	uint32_t start;	   /* its first slot */
};

struct sim_lease_watch {
	struct nm_sim_lock_watch lw; /* the ring lock's counts; first member */
	struct vale_rx_ring *rx;
	struct sim_lease_rec *held;
	uint32_t nheld, cap;
	uint32_t seen_next_idx, seen_hwlease; /* after the last section */
	uint32_t holders;		      /* distinct holders now */
	uint32_t max_holders;
	uint64_t leases;	/* taken */
	uint64_t leases_shared; /* taken while another actor held one */
	uint64_t overlaps;	/* intervals with two holders or more */
	uint64_t overlap_ns;	/* their total length */
	uint64_t overlap_from;	/* start of the current one */
	uint64_t untracked;	/* leases not recorded (no memory) */
};

/* Watch rx (and its lock) from now on. */
void sim_lease_watch_start(struct sim_lease_watch *w, struct vale_rx_ring *rx);
/* Stop watching (before the ring is freed) and free the records. */
void sim_lease_watch_stop(struct sim_lease_watch *w);
/* Overlap time up to now, counting an interval still open. */
uint64_t sim_lease_overlap_ns(const struct sim_lease_watch *w, uint64_t now);

#endif /* SIM_LEASE_H */
