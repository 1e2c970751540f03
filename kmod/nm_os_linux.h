/*
 * nm_os_linux.h - the Linux kernel backend of nm_os.h (hot-path half).
 *
 * Owns: the mapping of the seam onto kernel primitives: smp_wmb/smp_rmb/
 * smp_mb for the three fences, READ_ONCE/WRITE_ONCE for shared memory,
 * spinlocks (irqsave, so a lock may be taken from any context, including
 * the eventfd wake-up callbacks of direct mode), RCU for read-side sections,
 * kvmalloc for allocation and pr_*_ratelimited for logging.
 */
#ifndef NM_OS_LINUX_H
#define NM_OS_LINUX_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/barrier.h>

#define NM_OS_BACKEND_API_VERSION 1

struct nm_os_lock {
	spinlock_t lock;
	unsigned long irqflags; /* written only by the holder */
};

struct nm_os_counter {
	atomic64_t value;
};

struct eventfd_ctx;
struct wait_queue_head;

struct nm_os_notifier {
	struct eventfd_ctx *efd;     /* signalled if set (ioeventfd/irqfd) */
	struct wait_queue_head *wq;  /* woken if set (poll waiters) */
	atomic64_t count;
};

static inline void nm_os_fence_store_store(void)
{
	smp_wmb();
}

static inline void nm_os_fence_load_load(void)
{
	smp_rmb();
}

static inline void nm_os_fence_store_load(void)
{
	smp_mb();
}

static inline uint32_t nm_os_shared_load32(const volatile uint32_t *p)
{
	return READ_ONCE(*p);
}

static inline void nm_os_shared_store32(volatile uint32_t *p, uint32_t v)
{
	WRITE_ONCE(*p, v);
}

static inline uint16_t nm_os_shared_load16(const volatile uint16_t *p)
{
	return READ_ONCE(*p);
}

static inline void nm_os_shared_store16(volatile uint16_t *p, uint16_t v)
{
	WRITE_ONCE(*p, v);
}

static inline uint64_t nm_os_shared_load64(const volatile uint64_t *p)
{
	return READ_ONCE(*p);
}

static inline void nm_os_shared_store64(volatile uint64_t *p, uint64_t v)
{
	WRITE_ONCE(*p, v);
}

static inline bool nm_os_atomic_cas32(volatile uint32_t *p, uint32_t old,
				      uint32_t nv)
{
	return cmpxchg(p, old, nv) == old;
}

static inline void nm_os_atomic_store_release32(volatile uint32_t *p,
						uint32_t v)
{
	smp_store_release(p, v);
}

static inline uint32_t nm_os_atomic_load_acquire32(const volatile uint32_t *p)
{
	return smp_load_acquire(p);
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
	atomic64_set(&c->value, 0);
}

static inline void nm_os_counter_add(struct nm_os_counter *c, uint64_t n)
{
	atomic64_add((s64)n, &c->value);
}

static inline uint64_t nm_os_counter_read(const struct nm_os_counter *c)
{
	return (uint64_t)atomic64_read(&c->value);
}

#define nm_os_log_err_rl(fmt, ...) \
	pr_err_ratelimited("nmlab: " fmt "\n", ##__VA_ARGS__)
#define nm_os_log_warn_rl(fmt, ...) \
	pr_warn_ratelimited("nmlab: " fmt "\n", ##__VA_ARGS__)
#define nm_os_log_info(fmt, ...) pr_info("nmlab: " fmt "\n", ##__VA_ARGS__)

#endif /* NM_OS_LINUX_H */
