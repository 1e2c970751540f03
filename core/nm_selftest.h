/*
 * nm_selftest.h - the core's unit vectors, runnable in every backend.
 *
 * Owns: a table of sync-prologue cases at their boundaries (wrap, n - 1, n,
 * sizes 2, 3, 1000, 1024, 4096) and buffer-pool cases, and a runner that
 * feeds them to the real core.  The kernel module runs them at load time
 * (module parameter selftest=1), the shim and the simulator run them under
 * ctest, so the three builds are checked against the same expectations.
 */
#ifndef NM_SELFTEST_H
#define NM_SELFTEST_H

#include "nm_kring.h"

struct nm_prologue_vector {
	uint16_t n;
	uint8_t dir; /* NM_KRING_TX or NM_KRING_RX */
	uint16_t hwcur, hwtail, rhead, rtail;
	uint32_t head, cur;
	bool accept;
};

struct nm_selftest_result {
	uint32_t passed;
	uint32_t failed;
};

extern const struct nm_prologue_vector nm_prologue_vectors[];
extern const uint32_t nm_prologue_vector_count;

/* Put a kring (with ring storage the caller owns) into a vector's state. */
void nm_selftest_load_state(struct nm_kring *kr,
			    const struct nm_prologue_vector *v);

/*
 * Run every vector and the pool checks.  Logs each failure with
 * nm_os_log_info().  [control path: allocates]
 */
struct nm_selftest_result nm_selftest_run(void);

#endif /* NM_SELFTEST_H */
