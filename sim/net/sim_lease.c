/*
 * sim_lease.c - lease overlap on a VALE RX ring, seen from the ring lock's
 * critical sections (see sim_lease.h).
 */
#include "sim_lease.h"

#include <stdlib.h>
#include <string.h>

#include "vale_lease.h"

/* Is the lease that began at start still in [hwtail, hwlease), i.e. not
 * yet passed over by hwtail? */
static bool sim_lease_in_window(const struct vale_lease *ls, uint32_t start)
{
	uint32_t n = ls->num_slots;

	return nm_idx_dist(ls->hwtail, start, n) <
	       nm_idx_dist(ls->hwtail, ls->hwlease, n);
}

static bool sim_lease_held_by_other(const struct sim_lease_watch *w,
				    const void *me)
{
	uint32_t i;

	for (i = 0; i < w->nheld; i++)
		if (w->held[i].owner != me)
			return true;
	return false;
}

static uint32_t sim_lease_count_holders(const struct sim_lease_watch *w)
{
	uint32_t i, j, k = 0;

	for (i = 0; i < w->nheld; i++) {
		for (j = 0; j < i && w->held[j].owner != w->held[i].owner; j++)
			;
		k += j == i;
	}
	return k;
}

static void sim_lease_add(struct sim_lease_watch *w, uint32_t idx,
			  uint32_t start)
{
	const void *me = nm_sim_os.self;
	struct sim_lease_rec *p;
	uint32_t cap;

	w->leases++;
	if (sim_lease_held_by_other(w, me))
		w->leases_shared++;
	if (w->nheld == w->cap) {
		cap = w->cap != 0 ? w->cap * 2 : 8;
		p = realloc(w->held, cap * sizeof(*p));
		if (p == NULL) {
			w->untracked++;
			return;
		}
		w->held = p;
		w->cap = cap;
	}
	w->held[w->nheld].owner = me;
	w->held[w->nheld].idx = idx;
	w->held[w->nheld].start = start;
	w->nheld++;
}

static void sim_lease_released(struct nm_sim_lock_watch *lw)
{
	struct sim_lease_watch *w = (struct sim_lease_watch *)lw;
	const struct vale_lease *ls = &w->rx->ls;
	uint64_t now = nm_sim_os.now_ns;
	uint32_t i, k, start = w->seen_hwlease;

	/* Leases taken in this section: the first starts where the last
	 * section left hwlease (the core takes one per section). */
	while (w->seen_next_idx != ls->next_idx) {
		sim_lease_add(w, w->seen_next_idx, start);
		w->seen_next_idx = nm_idx_next(w->seen_next_idx, ls->num_slots);
	}
	/* Completed (ends[] set) or passed over by hwtail: no longer held. */
	for (i = k = 0; i < w->nheld; i++) {
		if (ls->ends[w->held[i].idx] == VALE_LEASE_BUSY &&
		    sim_lease_in_window(ls, w->held[i].start))
			w->held[k++] = w->held[i];
	}
	w->nheld = k;
	w->seen_hwlease = ls->hwlease;
	k = sim_lease_count_holders(w);
	if (k > w->max_holders)
		w->max_holders = k;
	if (k >= 2 && w->holders < 2) {
		w->overlaps++;
		w->overlap_from = now;
	} else if (k < 2 && w->holders >= 2 && now > w->overlap_from) {
		w->overlap_ns += now - w->overlap_from;
	}
	w->holders = k;
}

void sim_lease_watch_start(struct sim_lease_watch *w, struct vale_rx_ring *rx)
{
	memset(w, 0, sizeof(*w));
	w->lw.released = sim_lease_released;
	w->rx = rx;
	w->seen_next_idx = rx->ls.next_idx;
	w->seen_hwlease = rx->ls.hwlease;
	nm_sim_lock_watch(&rx->lock, &w->lw);
}

void sim_lease_watch_stop(struct sim_lease_watch *w)
{
	if (w->rx != NULL)
		nm_sim_lock_watch(&w->rx->lock, NULL);
	free(w->held);
	w->held = NULL;
	w->nheld = w->cap = 0;
	w->rx = NULL;
}

uint64_t sim_lease_overlap_ns(const struct sim_lease_watch *w, uint64_t now)
{
	if (w->holders >= 2 && now > w->overlap_from)
		return w->overlap_ns + now - w->overlap_from;
	return w->overlap_ns;
}
