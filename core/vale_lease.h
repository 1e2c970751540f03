/*
 * vale_lease.h - leases on a destination RX ring: how concurrent senders
 * reserve slots, fill them without a lock, and publish them in order.
 *
 * Owns: the arithmetic of struct vale_lease (in vale.h).  Circular order on
 * n slots:   hwcur <= hwtail <= hwlease,  at most n - 1 slots from hwcur to
 * hwlease.  [hwcur, hwtail) is complete (the next rxsync shows it),
 * [hwtail, hwlease) is leased and being filled, [hwlease, hwcur - 1) free.
 *
 *   sender A: take [s, s+a)  --- copy ---------------------- done(A)
 *   sender B:        take [s+a, s+a+b) -- copy -- done(B)
 *   done(B) only records its end (B is not the oldest); done(A) finds
 *   hwtail == s, walks A, B and any later completed leases and moves hwtail
 *   past all of them: hwtail only moves over fully written leases, in order.
 *
 * Every lease holds at least one slot, so at most n - 1 are outstanding and
 * the n-entry ends[] array, indexed by lease number mod n, never wraps onto
 * a live lease.  A lease that was not filled to its end (a speculative
 * one: vale_fwd.c's direct run) is trimmed before it is done: the newest
 * lease gives its unused tail back (hwlease moves back to where filling
 * stopped); an older one cannot, because a later lease begins at its end,
 * so the caller pads the tail with empty packets (len 0, flags 0), as it
 * does for a slot it cannot fill.  Either way every leased slot ends up
 * filled, padded or returned, and done() still sees whole leases.
 *
 * Locking: every function runs under the RX ring's lock.  Pure otherwise.
 */
#ifndef VALE_LEASE_H
#define VALE_LEASE_H

#include "vale.h"

#define VALE_LEASE_BUSY 0xffffffffU /* ends[]: lease not complete yet */

/* ends must hold n entries. */
static inline void vale_lease_init(struct vale_lease *ls, uint32_t n,
				   uint32_t *ends)
{
	uint32_t i;

	ls->num_slots = n;
	ls->hwcur = 0;
	ls->hwtail = 0;
	ls->hwlease = 0;
	ls->next_idx = 0;
	ls->ends = ends;
	for (i = 0; i < n; i++)
		ends[i] = VALE_LEASE_BUSY;
}

/* Slots a sender may lease now (one slot always stays empty). */
static inline uint32_t vale_lease_space(const struct vale_lease *ls)
{
	return ls->num_slots - 1 -
	       nm_idx_dist(ls->hwcur, ls->hwlease, ls->num_slots);
}

/* Lease count (1..space) slots; *start is the first, returns the lease
 * number to hand to vale_lease_done(). */
static inline uint32_t vale_lease_take(struct vale_lease *ls, uint32_t count,
				       uint32_t *start)
{
	uint32_t idx = ls->next_idx;

	NM_ASSERT(count >= 1 && count <= vale_lease_space(ls));
	*start = ls->hwlease;
	ls->hwlease = nm_idx_add(ls->hwlease, count, ls->num_slots);
	ls->ends[idx] = VALE_LEASE_BUSY;
	ls->next_idx = nm_idx_next(idx, ls->num_slots);
	return idx;
}

/*
 * Lease idx, which began at start and was taken up to end, was filled only
 * up to fill (start < fill <= end, circularly).  If it is the newest lease
 * (none was taken after it), give [fill, end) back and return fill;
 * otherwise return end: the caller pads [fill, end) before calling
 * vale_lease_done() with the returned end.
 */
static inline uint32_t vale_lease_trim(struct vale_lease *ls, uint32_t idx,
				       uint32_t start, uint32_t fill,
				       uint32_t end)
{
	uint32_t n = ls->num_slots;

	NM_ASSERT(fill != start &&
		  nm_idx_dist(start, fill, n) <= nm_idx_dist(start, end, n));
	if (nm_idx_next(idx, n) != ls->next_idx)
		return end; /* a later lease begins at end */
	NM_ASSERT(ls->hwlease == end);
	ls->hwlease = fill;
	return fill;
}

/*
 * Lease idx, which began at start, is filled up to end.  If it is the
 * oldest outstanding lease, move hwtail over it and over every completed
 * lease after it.  True if hwtail moved (the receiver should be notified).
 */
static inline bool vale_lease_done(struct vale_lease *ls, uint32_t idx,
				   uint32_t start, uint32_t end)
{
	uint32_t n = ls->num_slots;

	ls->ends[idx] = end;
	if (start != ls->hwtail)
		return false; /* an older lease is still being filled */
	while (idx != ls->next_idx && ls->ends[idx] != VALE_LEASE_BUSY) {
		ls->hwtail = ls->ends[idx];
		ls->ends[idx] = VALE_LEASE_BUSY;
		idx = nm_idx_next(idx, n);
	}
	return true;
}

/* The receiver released up to head (already validated in [hwcur, hwtail]
 * by the rxsync prologue). */
static inline void vale_lease_release(struct vale_lease *ls, uint32_t head)
{
	if (NM_ASSERT(nm_idx_in_window(head, ls->hwcur, ls->hwtail,
				       ls->num_slots)))
		ls->hwcur = head;
}

/* Do the indices satisfy the invariants above? */
static inline bool vale_lease_valid(const struct vale_lease *ls)
{
	uint32_t n = ls->num_slots;

	if (ls->hwcur >= n || ls->hwtail >= n || ls->hwlease >= n ||
	    ls->next_idx >= n)
		return false;
	return nm_idx_dist(ls->hwcur, ls->hwtail, n) <=
		       nm_idx_dist(ls->hwcur, ls->hwlease, n) &&
	       nm_idx_dist(ls->hwcur, ls->hwlease, n) <= n - 1;
}

#endif /* VALE_LEASE_H */
