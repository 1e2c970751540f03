/*
 * nm_idx.h - circular index arithmetic for rings of any size 2..4096.
 *
 * Owns: next/prev/distance and window membership on a ring of n slots,
 * where n is not necessarily a power of two, so there is no masking: every
 * index is kept in [0, n).  All functions are pure; callers validate that
 * their inputs are < n first (nm_idx_valid) and the functions assert it.
 */
#ifndef NM_IDX_H
#define NM_IDX_H

#include "nm_util.h"

#define NM_RING_MIN_SLOTS 2U
#define NM_RING_MAX_SLOTS 4096U

static inline bool nm_idx_valid(uint32_t i, uint32_t n)
{
	return i < n;
}

static inline uint32_t nm_idx_next(uint32_t i, uint32_t n)
{
	return i + 1 == n ? 0 : i + 1;
}

static inline uint32_t nm_idx_prev(uint32_t i, uint32_t n)
{
	return i == 0 ? n - 1 : i - 1;
}

/* i + k (mod n) for i < n and k <= n. */
static inline uint32_t nm_idx_add(uint32_t i, uint32_t k, uint32_t n)
{
	uint32_t s = i + k;

	return s >= n ? s - n : s;
}

/* Steps from a forward to b, in [0, n). */
static inline uint32_t nm_idx_dist(uint32_t a, uint32_t b, uint32_t n)
{
	return b >= a ? b - a : b + n - a;
}

/* Is x in the circular closed window [lo, hi] (walking forward from lo)? */
static inline bool nm_idx_in_window(uint32_t x, uint32_t lo, uint32_t hi,
				    uint32_t n)
{
	return nm_idx_dist(lo, x, n) <= nm_idx_dist(lo, hi, n);
}

#endif /* NM_IDX_H */
