/*
 * nm_ref.h - the sync prologue rules, restated independently of core/.
 *
 * Walks the ring one slot at a time with '%' and asks whether x is met
 * between from and to.  Slow and obviously right: unit tests and fuzzers
 * compare the core's verdicts against it.  No cmocka, no core headers, so
 * any test or fuzz target can include it.
 */
#ifndef NM_REF_H
#define NM_REF_H

#include <stdint.h>
#include <stdlib.h>

static inline int nm_ref_on_walk(uint32_t x, uint32_t from, uint32_t to,
				 uint32_t n)
{
	uint32_t i = from, steps;

	for (steps = 0; steps <= n; steps++) {
		if (i == x)
			return 1;
		if (i == to)
			return 0;
		i = (i + 1) % n;
	}
	abort(); /* from or to was not a ring index */
}

/* Would a sync with head/cur be accepted on a kring in this state?
 * TX: head in [rhead, rtail], cur in [head, rtail];
 * RX: head in [hwcur, hwtail], cur in [head, hwtail]; all < n. */
static inline int nm_ref_accept(int tx, uint32_t n, uint32_t hwcur,
				uint32_t hwtail, uint32_t rhead,
				uint32_t rtail, uint32_t head, uint32_t cur)
{
	uint32_t lo = tx ? rhead : hwcur;
	uint32_t hi = tx ? rtail : hwtail;

	if (head >= n || cur >= n)
		return 0;
	return nm_ref_on_walk(head, lo, hi, n) && nm_ref_on_walk(cur, head, hi, n);
}

#endif /* NM_REF_H */
