/*
 * nm_os_posix.h - the userspace shim backend of nm_os.h (hot-path half).
 *
 * Owns: types, fences and shared-memory accessors for core/ compiled into
 * real threads.  Fences are Concurrency Kit's ck_pr, which compile to the
 * same instructions as the kernel's smp_* on each architecture; shared
 * accessors are volatile accesses, like the kernel's READ_ONCE/WRITE_ONCE.  ThreadSanitizer cannot see inline-asm fences, so a TSan
 * build (NM_SHIM_TSAN) maps them to C11 atomics instead: shared loads become
 * acquire, shared stores release and fences a seq_cst read-modify-write.  That is stronger than
 * the contract, never weaker, and lets TSan check every other access.
 *
 * The out-of-line half (locks, RCU via liburcu urcu_memb_*, eventfd
 * notifiers, logging, allocation) is in nm_os_posix.c; the shim-only API for
 * tests and backends (threads, notifier waits, log statistics) in nm_shim.h.
 */
#ifndef NM_OS_POSIX_H
#define NM_OS_POSIX_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef NM_SHIM_TSAN
#include <ck_pr.h>
#endif

#define NM_OS_BACKEND_API_VERSION 1

struct nm_os_lock {
	pthread_mutex_t mtx;
};

struct nm_os_counter {
	uint64_t value;
};

struct nm_os_notifier {
	int fd;		/* eventfd, created by nm_shim_notifier_init() */
	uint64_t count; /* nm_os_notify() calls */
};

#ifdef NM_SHIM_TSAN
/* TSan rejects standalone fences; a seq_cst read-modify-write of one global
 * word is a full fence on every target and TSan understands it.  (TSan looks
 * for data races, not for weak-memory reorderings: the models in models/
 * check the orderings.) */
extern uint32_t nm_shim_tsan_fence_word;

static inline void nm_shim_tsan_fence(void)
{
	__atomic_fetch_add(&nm_shim_tsan_fence_word, 0, __ATOMIC_SEQ_CST);
}

static inline void nm_os_fence_store_store(void)
{
	nm_shim_tsan_fence();
}

static inline void nm_os_fence_load_load(void)
{
	nm_shim_tsan_fence();
}

static inline void nm_os_fence_store_load(void)
{
	nm_shim_tsan_fence();
}

static inline uint32_t nm_os_shared_load32(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void nm_os_shared_store32(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint16_t nm_os_shared_load16(const volatile uint16_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void nm_os_shared_store16(volatile uint16_t *p, uint16_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint64_t nm_os_shared_load64(const volatile uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void nm_os_shared_store64(volatile uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}
#else
static inline void nm_os_fence_store_store(void)
{
	ck_pr_fence_store();
}

static inline void nm_os_fence_load_load(void)
{
	ck_pr_fence_load();
}

static inline void nm_os_fence_store_load(void)
{
	ck_pr_fence_store_load();
}

/*
 * Shared accessors are READ_ONCE / WRITE_ONCE, exactly as in the kernel
 * backend: one volatile access of the natural width (never torn for aligned
 * 16/32/64-bit fields on the targets we build for), with no ordering and no
 * compiler barrier beyond it.  ck_pr_load_* would also clobber all memory,
 * which the seam does not promise and which made the core's loops reload
 * every unrelated field per packet; ordering comes from the named fences.
 */
static inline uint32_t nm_os_shared_load32(const volatile uint32_t *p)
{
	return *p;
}

static inline void nm_os_shared_store32(volatile uint32_t *p, uint32_t v)
{
	*p = v;
}

static inline uint16_t nm_os_shared_load16(const volatile uint16_t *p)
{
	return *p;
}

static inline void nm_os_shared_store16(volatile uint16_t *p, uint16_t v)
{
	*p = v;
}

static inline uint64_t nm_os_shared_load64(const volatile uint64_t *p)
{
	return *p;
}

static inline void nm_os_shared_store64(volatile uint64_t *p, uint64_t v)
{
	*p = v;
}
#endif /* NM_SHIM_TSAN */

/* Atomics on core-private words: C11 builtins, which TSan understands. */
static inline bool nm_os_atomic_cas32(volatile uint32_t *p, uint32_t old,
				      uint32_t nv)
{
	return __atomic_compare_exchange_n(p, &old, nv, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static inline void nm_os_atomic_store_release32(volatile uint32_t *p,
						uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t nm_os_atomic_load_acquire32(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void nm_os_memcpy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

static inline void nm_os_memset(void *dst, int c, size_t n)
{
	memset(dst, c, n);
}

static inline void nm_os_counter_init(struct nm_os_counter *c)
{
	__atomic_store_n(&c->value, 0, __ATOMIC_RELAXED);
}

static inline void nm_os_counter_add(struct nm_os_counter *c, uint64_t n)
{
	__atomic_fetch_add(&c->value, n, __ATOMIC_RELAXED);
}

static inline uint64_t nm_os_counter_read(const struct nm_os_counter *c)
{
	return __atomic_load_n(&c->value, __ATOMIC_RELAXED);
}

/* Logging: each call site owns a rate-limit state (10 lines per 5 s, as the
 * kernel's default), so one noisy check cannot silence another. */
enum nm_shim_log_level {
	NM_SHIM_LOG_ERR,
	NM_SHIM_LOG_WARN,
	NM_SHIM_LOG_INFO,
};

struct nm_shim_ratelimit {
	uint64_t window_start_ns;
	uint32_t printed;
	uint32_t missed;
};

void nm_shim_log(struct nm_shim_ratelimit *rl, enum nm_shim_log_level level,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define nm_shim_log_rl_(level, ...)                                   \
	do {                                                          \
		static struct nm_shim_ratelimit nm_shim_rl_;          \
		nm_shim_log(&nm_shim_rl_, level, __VA_ARGS__);        \
	} while (0)
#define nm_os_log_err_rl(...) nm_shim_log_rl_(NM_SHIM_LOG_ERR, __VA_ARGS__)
#define nm_os_log_warn_rl(...) nm_shim_log_rl_(NM_SHIM_LOG_WARN, __VA_ARGS__)
#define nm_os_log_info(...) nm_shim_log(NULL, NM_SHIM_LOG_INFO, __VA_ARGS__)

#endif /* NM_OS_POSIX_H */
