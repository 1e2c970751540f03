/*
 * nm_os.h - the ONE door from core/ to the outside world.
 *
 * core/ is portable C that is compiled three times: into the Linux kernel
 * module (kmod/nm_os_linux.h), into the userspace shim (shim/nm_os_posix.h)
 * and into the deterministic simulator (sim/backend/nm_os_sim.h).  This header picks
 * exactly one backend, pulls in its types and inline primitives, and then
 * re-declares every entry with its contract, so that a backend whose
 * signature drifts fails to compile instead of silently doing something else.
 *
 * Rules for every entry:
 *  - No entry blocks in a step function.  Entries marked "control path" may
 *    sleep and must only be called from register/unregister/attach/detach.
 *  - A primitive a backend cannot provide is a build error or an abort(),
 *    never a silent no-op.
 *  - Errors are negative errno values (backends provide the E* constants with
 *    Linux's values).
 *
 * Contract notation: [ctx] where it may run, [sleep] whether it may sleep,
 * [order] what memory ordering it gives.
 */
#ifndef NM_OS_H
#define NM_OS_H

#define NM_OS_API_VERSION 1

#if (defined(NM_OS_BACKEND_LINUX) + defined(NM_OS_BACKEND_SHIM) + \
     defined(NM_OS_BACKEND_SIM)) != 1
#error "define exactly one NM_OS_BACKEND_* (LINUX, SHIM or SIM)"
#endif

#if defined(NM_OS_BACKEND_LINUX)
#include "nm_os_linux.h"
#elif defined(NM_OS_BACKEND_SHIM)
#include "nm_os_posix.h"
#else
#include "nm_os_sim.h"
#endif

#if !defined(NM_OS_BACKEND_API_VERSION) || \
    NM_OS_BACKEND_API_VERSION != NM_OS_API_VERSION
#error "the selected nm_os backend implements a different NM_OS_API_VERSION"
#endif

/*
 * Types every backend defines (core never looks inside them):
 *   uint8_t..uint64_t, int32_t, int64_t, size_t, bool, NULL, E* errno values;
 *   struct nm_os_lock      a short, non-sleeping mutual exclusion lock;
 *   struct nm_os_counter   a 64-bit event counter, updatable from any thread;
 *   struct nm_os_notifier  something a peer can be woken through (eventfd,
 *                          irqfd, simulator event), created by the backend.
 */
struct nm_os_lock;
struct nm_os_counter;
struct nm_os_notifier;

/* ---- Fences (hot path, static inline).  Named by the ordering they give. */

/* [any ctx][no sleep][order] stores before it are visible before stores after it. */
static inline void nm_os_fence_store_store(void);
/* [any ctx][no sleep][order] loads before it complete before loads after it. */
static inline void nm_os_fence_load_load(void);
/* [any ctx][no sleep][order] full fence: stores before it are visible before loads after it. */
static inline void nm_os_fence_store_load(void);

/* ---- Shared-memory accessors (hot path).  Exactly one access, never torn,
 * never merged or re-read by the compiler (READ_ONCE/WRITE_ONCE); no
 * ordering beyond that.  Every index shared with a peer goes through these. */

/* [any ctx][no sleep] read a 32-bit word a peer may write concurrently. */
static inline uint32_t nm_os_shared_load32(const volatile uint32_t *p);
/* [any ctx][no sleep] write a 32-bit word a peer may read concurrently. */
static inline void nm_os_shared_store32(volatile uint32_t *p, uint32_t v);
/* [any ctx][no sleep] read a 16-bit field (slot len/flags) a peer may write. */
static inline uint16_t nm_os_shared_load16(const volatile uint16_t *p);
/* [any ctx][no sleep] write a 16-bit field a peer may read. */
static inline void nm_os_shared_store16(volatile uint16_t *p, uint16_t v);
/* [any ctx][no sleep] read a 64-bit field (slot ptr) a peer may write. */
static inline uint64_t nm_os_shared_load64(const volatile uint64_t *p);
/* [any ctx][no sleep] write a 64-bit field a peer may read. */
static inline void nm_os_shared_store64(volatile uint64_t *p, uint64_t v);

/* ---- Atomics on core-private words shared between threads of one side. */

/* [any ctx][no sleep][order: full fence on success] *p = nv if *p == old; true if swapped. */
static inline bool nm_os_atomic_cas32(volatile uint32_t *p, uint32_t old, uint32_t nv);
/* [any ctx][no sleep][order: release] *p = v, after all earlier loads and stores. */
static inline void nm_os_atomic_store_release32(volatile uint32_t *p, uint32_t v);
/* [any ctx][no sleep][order: acquire] read *p before all later loads and stores. */
static inline uint32_t nm_os_atomic_load_acquire32(const volatile uint32_t *p);

/* ---- Bulk memory (hot path).  Counted per byte by the simulator. */

/* [any ctx][no sleep] copy n bytes between non-overlapping buffers. */
static inline void nm_os_memcpy(void *dst, const void *src, size_t n);
/* [any ctx][no sleep] fill n bytes with c. */
static inline void nm_os_memset(void *dst, int c, size_t n);

/* ---- Locks.  Short critical sections only; never sleep while holding one. */

/* [control path][may sleep] prepare a lock; 0 or -errno. */
int nm_os_lock_init(struct nm_os_lock *l);
/* [control path][may sleep] release a lock's resources; it must be unlocked. */
void nm_os_lock_fini(struct nm_os_lock *l);
/* [any ctx][spins, never sleeps][order: acquire] enter the critical section. */
void nm_os_lock_acquire(struct nm_os_lock *l);
/* [any ctx][no sleep][order: release] leave the critical section. */
void nm_os_lock_release(struct nm_os_lock *l);

/* ---- Read-side critical sections for objects retired while readers run
 * (VALE ports detached during a forwarding pass).  RCU semantics. */

/* [any ctx][no sleep] enter a read-side section; nests. */
void nm_os_read_enter(void);
/* [any ctx][no sleep] leave a read-side section. */
void nm_os_read_exit(void);
/* [any ctx][no sleep][order: release] publish pointer p into *slot for readers. */
void nm_os_ptr_publish(void **slot, void *p);
/* [read section][no sleep][order: dependency] read a pointer published by nm_os_ptr_publish(). */
void *nm_os_ptr_read(void *const *slot);
/* [control path][may sleep] wait until every read section that began before the call has ended. */
void nm_os_read_synchronize(void);

/* ---- Allocation. */

/* [control path][may sleep] zeroed memory of n bytes (any size), or NULL. */
void *nm_os_zalloc(size_t n);
/* [control path][may sleep] free memory from nm_os_zalloc(); NULL is ignored. */
void nm_os_free(void *p);
/* [control path][may sleep] zeroed, page-aligned memory of n bytes that the
 * backend can map into a user process (a port's shared region), or NULL. */
void *nm_os_region_alloc(size_t n);
/* [control path][may sleep] free a region from nm_os_region_alloc() of n bytes. */
void nm_os_region_free(void *p, size_t n);

/* ---- Logging.  Rate-limited variants are macros so that every call site
 * has its own limit (like pr_warn_ratelimited): a hostile peer hammering one
 * check cannot flood the log, nor hide a different check's message. */

/* [any ctx][no sleep] nm_os_log_err_rl(fmt, ...): error, rate-limited per call site. */
/* [any ctx][no sleep] nm_os_log_warn_rl(fmt, ...): warning, rate-limited per call site. */
/* [control path][no sleep] nm_os_log_info(fmt, ...): informational, not rate-limited. */
#if !defined(nm_os_log_err_rl) || !defined(nm_os_log_warn_rl) || \
    !defined(nm_os_log_info)
#error "the nm_os backend must define nm_os_log_err_rl, nm_os_log_warn_rl, nm_os_log_info"
#endif

/* ---- Invariants.  Fatal in shim and sim; WARN once in the kernel, where the
 * caller then fails the operation with -EINVAL (see NM_ASSERT in nm_util.h). */

/* [any ctx][no sleep] report a broken invariant; returns only in the kernel. */
void nm_os_invariant_failed(const char *expr, const char *file, int line);

/* ---- Time. */

/* [any ctx][no sleep] monotonic time in nanoseconds (virtual in the simulator). */
uint64_t nm_os_time_ns(void);

/* ---- User memory (request decoding).  A user address is a uint64_t that
 * core never dereferences; only these two entries touch what it names. */

/* [control path][may sleep] copy n bytes from user address uaddr into dst; 0 or -EFAULT. */
int nm_os_copy_from_user(void *dst, uint64_t uaddr, size_t n);
/* [control path][may sleep] copy n bytes from src to user address uaddr; 0 or -EFAULT. */
int nm_os_copy_to_user(uint64_t uaddr, const void *src, size_t n);
/* [any ctx, read sections included][no sleep] copy n bytes from user address
 * uaddr of the calling process into dst without ever waiting for a page: a
 * page not resident, an address outside the process (or no process, as in a
 * kernel thread) is -EFAULT.  The data path's entry (NS_INDIRECT slots). */
int nm_os_copy_from_user_nofault(void *dst, uint64_t uaddr, size_t n);

/* ---- Notification. */

/* [any ctx][no sleep] wake whoever waits on n (kick or interrupt); counted by the backend. */
void nm_os_notify(struct nm_os_notifier *n);
/* [any ctx][no sleep] how many times nm_os_notify() was called on n. */
uint64_t nm_os_notify_count(const struct nm_os_notifier *n);

/* ---- Counters (statistics read by tests, benchmarks and reports). */

/* [any ctx][no sleep] set a counter to zero; no concurrent updaters. */
static inline void nm_os_counter_init(struct nm_os_counter *c);
/* [any ctx][no sleep][order: none] add n; safe against concurrent adders. */
static inline void nm_os_counter_add(struct nm_os_counter *c, uint64_t n);
/* [any ctx][no sleep][order: none] current value (may lag concurrent adders). */
static inline uint64_t nm_os_counter_read(const struct nm_os_counter *c);

#endif /* NM_OS_H */
