/*
 * nm_shim.h - what the shim offers beyond the seam, to tests, benchmarks and
 * shim-side backends (the kloop thread): threads registered with liburcu,
 * eventfd notifiers a thread can wait on, and log statistics.
 *
 * Core never includes this file.
 */
#ifndef NM_SHIM_H
#define NM_SHIM_H

#include "nm_os.h"

struct nm_os_kthread {
	pthread_t tid;
	void *(*fn)(void *);
	void *arg;
	char name[16];
};

/* Start fn(arg) in a new thread registered with liburcu; 0 or -errno. */
int nm_os_kthread_create(struct nm_os_kthread *t, void *(*fn)(void *),
			 void *arg, const char *name);
/* Wait for the thread to finish; returns what fn returned. */
void *nm_os_kthread_join(struct nm_os_kthread *t);

/* Register / unregister the calling thread for read-side sections.  Threads
 * from nm_os_kthread_create() are registered already. */
void nm_shim_thread_register(void);
void nm_shim_thread_unregister(void);

/* eventfd notifier: 0 or -errno. */
int nm_shim_notifier_init(struct nm_os_notifier *n);
void nm_shim_notifier_fini(struct nm_os_notifier *n);
/*
 * Block until n is notified or timeout_ms passes (-1: forever).  Returns
 * the number of notifications consumed (0 on timeout), or -errno.
 */
int64_t nm_shim_notifier_wait(struct nm_os_notifier *n, int timeout_ms);

/*
 * "User memory" for nm_os_copy_from_user()/nm_os_copy_to_user(): a copy
 * succeeds only when [uaddr, uaddr + n) lies inside one registered range, so
 * tests and fuzzers decide what a hostile process's pointers reach.  Fault
 * injection makes copies fail with -EFAULT after a number of successes.
 */
#define NM_SHIM_USER_RANGES 16
/* Register [p, p + n) as user memory; 0 or -ENOSPC. */
int nm_shim_user_add(const void *p, size_t n);
/* Forget every range, stop fault injection, zero the copy counter. */
void nm_shim_user_reset(void);
/* Let the next n copies through the range check, fail every later one
 * (n < 0: never fail). */
void nm_shim_user_fail_after(int64_t n);
/* Copies attempted since the last reset. */
uint64_t nm_shim_user_copies(void);
/* Bytes moved by the copies that succeeded since the last reset (both
 * directions). */
uint64_t nm_shim_user_bytes(void);

/*
 * Allocation-failure injection (tests only): the n-th nm_os_zalloc() or
 * nm_os_region_alloc() call after this one (both counted together, from 1)
 * returns NULL; n = 0 turns it off and only resets the count.
 */
void nm_shim_fail_alloc_at(uint64_t n);
/* Allocation calls (failed or not) since the last nm_shim_fail_alloc_at(). */
uint64_t nm_shim_alloc_calls(void);
/* Allocations from nm_os_zalloc()/nm_os_region_alloc() not yet freed. */
int64_t nm_shim_alloc_live(void);
/* Where the injected failure happened (the caller's return address; NULL
 * if it has not happened since the arming): tells unwind paths apart. */
const void *nm_shim_alloc_fail_site(void);

struct nm_shim_log_stats {
	uint64_t emitted;    /* lines written */
	uint64_t suppressed; /* lines dropped by a rate limit */
};

void nm_shim_log_stats(struct nm_shim_log_stats *out);
/* Copy the last line logged (emitted or suppressed) into buf. */
void nm_shim_log_last(char *buf, size_t size);
/* Keep logging to stderr (default) or count only (NM_LOG_QUIET=1 too). */
void nm_shim_log_set_quiet(bool quiet);

#endif /* NM_SHIM_H */
