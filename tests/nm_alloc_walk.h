/*
 * nm_alloc_walk.h - walk an operation over every allocation it makes: for
 * N = 1, 2, ... the N-th nm_os_zalloc()/nm_os_region_alloc() fails (the
 * backend's injection: nm_shim_fail_alloc_at or nm_sim_fail_alloc_at) and
 * the operation must fail cleanly: the expected error, nothing left
 * allocated (the backend's live count back where it was; ASan's leak
 * checker at exit sees the rest), and no crash.  When N passes the number
 * of allocations, the operation succeeds and is undone.
 *
 * Distinct failure sites (the return address of the failed call) are
 * counted across walks: each one is an unwind path the walk executed.
 */
#ifndef NM_ALLOC_WALK_H
#define NM_ALLOC_WALK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr(); include this header first */
#endif
#include <dlfcn.h>

#include "nm_test.h"
#include "nm_util.h"

#if defined(NM_OS_BACKEND_SIM)
#include "nm_os_sim.h"
#define nm_walk_fail_at nm_sim_fail_alloc_at
#define nm_walk_calls nm_sim_alloc_calls
#define nm_walk_live nm_sim_alloc_live
#define nm_walk_site nm_sim_alloc_fail_site
#else
#include "nm_shim.h"
#define nm_walk_fail_at nm_shim_fail_alloc_at
#define nm_walk_calls nm_shim_alloc_calls
#define nm_walk_live nm_shim_alloc_live
#define nm_walk_site nm_shim_alloc_fail_site
#endif

#define NM_WALK_MAX 100000U /* more allocations than any operation makes */
#define NM_WALK_SITES 512U

struct nm_alloc_walk {
	const char *what;
	/* Run the operation: 0 or -errno.  check(ctx, rc) judges a failure
	 * (NULL: rc must be -ENOMEM); undo(ctx) undoes a success. */
	int (*op)(void *ctx);
	void (*check)(void *ctx, int rc);
	void (*undo)(void *ctx);
	void *ctx;
};

/* Failure sites seen by every walk of this process. */
static const void *nm_walk_sites[NM_WALK_SITES];
static unsigned nm_walk_nsites;

static inline void nm_walk_note_site(const void *site)
{
	unsigned i;

	for (i = 0; i < nm_walk_nsites; i++)
		if (nm_walk_sites[i] == site)
			return;
	if (nm_walk_nsites < NM_WALK_SITES)
		nm_walk_sites[nm_walk_nsites++] = site;
}

/* Walk w; returns the number of allocations it failed one by one. */
static inline uint64_t nm_alloc_walk(const struct nm_alloc_walk *w)
{
	int64_t live0 = nm_walk_live();
	uint64_t n, calls;
	int rc;

	for (n = 1; n < NM_WALK_MAX; n++) {
		nm_walk_fail_at(n);
		rc = w->op(w->ctx);
		calls = nm_walk_calls();
		if (calls >= n)
			nm_walk_note_site(nm_walk_site());
		nm_walk_fail_at(0);
		if (calls < n) {
			/* The N-th allocation never came: all walked. */
			if (rc != 0)
				fail_msg("%s: failed (%d) with no allocation failing",
					 w->what, rc);
			w->undo(w->ctx);
			if (nm_walk_live() != live0)
				fail_msg("%s: %lld allocations left after undo",
					 w->what, (long long)(nm_walk_live() - live0));
			printf("[ WALK     ] %s: %llu allocations, each failure "
			       "unwound\n", w->what, (unsigned long long)(n - 1));
			return n - 1;
		}
		if (rc == 0)
			fail_msg("%s: allocation %llu failed but the operation "
				 "succeeded", w->what, (unsigned long long)n);
		if (w->check != NULL)
			w->check(w->ctx, rc);
		else if (rc != -ENOMEM)
			fail_msg("%s: allocation %llu failed, got %d, expected "
				 "-ENOMEM", w->what, (unsigned long long)n, rc);
		if (nm_walk_live() != live0)
			fail_msg("%s: allocation %llu failed: %lld allocations "
				 "leaked", w->what, (unsigned long long)n,
				 (long long)(nm_walk_live() - live0));
	}
	fail_msg("%s: over %u allocations", w->what, NM_WALK_MAX);
	return 0;
}

/* Print the count, and each site as "binary+offset" for addr2line. */
static inline void nm_walk_report_sites(const char *unit)
{
	unsigned i;
	Dl_info info;

	printf("[ WALK     ] %s: %u distinct allocation sites failed "
	       "(unwind paths executed)\n", unit, nm_walk_nsites);
	for (i = 0; i < nm_walk_nsites; i++)
		if (dladdr(nm_walk_sites[i], &info) != 0)
			printf("[ SITE     ] %s+0x%lx\n", info.dli_fname,
			       (unsigned long)((const char *)nm_walk_sites[i] -
					       (const char *)info.dli_fbase));
}

#endif /* NM_ALLOC_WALK_H */
