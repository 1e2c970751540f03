/*
 * nm_os_posix.c - the userspace shim backend of nm_os.h (out-of-line half).
 *
 * Owns: locks (pthread mutexes), read-side sections (liburcu, memb flavour,
 * called explicitly as urcu_memb_*), eventfd notifiers, allocation, the
 * rate-limited logger and the thread wrapper that registers every thread
 * with liburcu.  Everything here is thread-safe.
 */
#define _GNU_SOURCE
#include "nm_shim.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#ifdef NM_SHIM_TSAN
uint32_t nm_shim_tsan_fence_word;
#endif

/* ---- Locks. */

int nm_os_lock_init(struct nm_os_lock *l)
{
	return -pthread_mutex_init(&l->mtx, NULL);
}

void nm_os_lock_fini(struct nm_os_lock *l)
{
	pthread_mutex_destroy(&l->mtx);
}

void nm_os_lock_acquire(struct nm_os_lock *l)
{
	if (pthread_mutex_lock(&l->mtx) != 0)
		abort();
}

void nm_os_lock_release(struct nm_os_lock *l)
{
	if (pthread_mutex_unlock(&l->mtx) != 0)
		abort();
}

/* ---- Read-side sections (liburcu, memb flavour). */

static __thread bool nm_shim_registered;

void nm_shim_thread_register(void)
{
	if (!nm_shim_registered) {
		urcu_memb_register_thread();
		nm_shim_registered = true;
	}
}

void nm_shim_thread_unregister(void)
{
	if (nm_shim_registered) {
		urcu_memb_unregister_thread();
		nm_shim_registered = false;
	}
}

void nm_os_read_enter(void)
{
	if (!nm_shim_registered) {
		fprintf(stderr, "nmlab shim: read section in a thread not registered with liburcu (use nm_os_kthread_create or nm_shim_thread_register)\n");
		abort();
	}
	urcu_memb_read_lock();
}

#ifdef NM_SHIM_TSAN
/* TSan does not see a grace period as a happens-before edge from the end
 * of every read section to the return of the synchronize that waited for
 * it, and reports the reclaimer's free as racing with the readers' last
 * accesses.  Make the edge explicit in TSan builds: each reader ends with a
 * release read-modify-write of one word (all of them form a release
 * sequence), and synchronize ends with an acquire load of it. */
static uint64_t nm_shim_tsan_rcu_word;
#endif

void nm_os_read_exit(void)
{
#ifdef NM_SHIM_TSAN
	__atomic_fetch_add(&nm_shim_tsan_rcu_word, 1, __ATOMIC_RELEASE);
#endif
	urcu_memb_read_unlock();
}

void nm_os_ptr_publish(void **slot, void *p)
{
	__atomic_store_n(slot, p, __ATOMIC_RELEASE);
}

void *nm_os_ptr_read(void *const *slot)
{
	/* Acquire rather than consume: what every compiler implements, and
	 * free on x86. */
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

void nm_os_read_synchronize(void)
{
	urcu_memb_synchronize_rcu();
#ifdef NM_SHIM_TSAN
	(void)__atomic_load_n(&nm_shim_tsan_rcu_word, __ATOMIC_ACQUIRE);
#endif
}

/* ---- User memory: registered ranges, optional fault injection. */

static pthread_mutex_t nm_shim_user_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uintptr_t lo, hi; /* [lo, hi) */
} nm_shim_user_range[NM_SHIM_USER_RANGES];
static uint32_t nm_shim_user_nranges;
static int64_t nm_shim_user_budget = -1;
static uint64_t nm_shim_user_ncopies;
static uint64_t nm_shim_user_nbytes;

int nm_shim_user_add(const void *p, size_t n)
{
	int err = 0;

	pthread_mutex_lock(&nm_shim_user_mtx);
	if (nm_shim_user_nranges == NM_SHIM_USER_RANGES) {
		err = -ENOSPC;
	} else {
		nm_shim_user_range[nm_shim_user_nranges].lo = (uintptr_t)p;
		nm_shim_user_range[nm_shim_user_nranges].hi = (uintptr_t)p + n;
		nm_shim_user_nranges++;
	}
	pthread_mutex_unlock(&nm_shim_user_mtx);
	return err;
}

void nm_shim_user_reset(void)
{
	pthread_mutex_lock(&nm_shim_user_mtx);
	nm_shim_user_nranges = 0;
	nm_shim_user_budget = -1;
	nm_shim_user_ncopies = 0;
	nm_shim_user_nbytes = 0;
	pthread_mutex_unlock(&nm_shim_user_mtx);
}

void nm_shim_user_fail_after(int64_t n)
{
	pthread_mutex_lock(&nm_shim_user_mtx);
	nm_shim_user_budget = n;
	pthread_mutex_unlock(&nm_shim_user_mtx);
}

uint64_t nm_shim_user_copies(void)
{
	uint64_t n;

	pthread_mutex_lock(&nm_shim_user_mtx);
	n = nm_shim_user_ncopies;
	pthread_mutex_unlock(&nm_shim_user_mtx);
	return n;
}

uint64_t nm_shim_user_bytes(void)
{
	uint64_t n;

	pthread_mutex_lock(&nm_shim_user_mtx);
	n = nm_shim_user_nbytes;
	pthread_mutex_unlock(&nm_shim_user_mtx);
	return n;
}

/* The host address behind [uaddr, uaddr + n), or NULL (-EFAULT). */
static void *nm_shim_user_check(uint64_t uaddr, size_t n)
{
	void *p = NULL;
	uint32_t i;

	pthread_mutex_lock(&nm_shim_user_mtx);
	nm_shim_user_ncopies++;
	if (nm_shim_user_budget == 0)
		goto out;
	if (nm_shim_user_budget > 0)
		nm_shim_user_budget--;
	for (i = 0; i < nm_shim_user_nranges; i++) {
		uintptr_t lo = nm_shim_user_range[i].lo;
		uintptr_t hi = nm_shim_user_range[i].hi;

		/* uaddr + n computed without overflow: n <= hi - uaddr. */
		if (uaddr >= lo && uaddr <= hi && n <= hi - uaddr) {
			p = (void *)(uintptr_t)uaddr;
			nm_shim_user_nbytes += n;
			break;
		}
	}
out:
	pthread_mutex_unlock(&nm_shim_user_mtx);
	return p;
}

int nm_os_copy_from_user(void *dst, uint64_t uaddr, size_t n)
{
	void *src = nm_shim_user_check(uaddr, n);

	if (src == NULL)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

/* The shim never sleeps on a page either: the same registered ranges. */
int nm_os_copy_from_user_nofault(void *dst, uint64_t uaddr, size_t n)
{
	return nm_os_copy_from_user(dst, uaddr, n);
}

int nm_os_copy_to_user(uint64_t uaddr, const void *src, size_t n)
{
	void *dst = nm_shim_user_check(uaddr, n);

	if (dst == NULL)
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

/* ---- Threads. */

static void *nm_shim_thread_main(void *arg)
{
	struct nm_os_kthread *t = arg;
	void *ret;

	nm_shim_thread_register();
	ret = t->fn(t->arg);
	nm_shim_thread_unregister();
	return ret;
}

int nm_os_kthread_create(struct nm_os_kthread *t, void *(*fn)(void *),
			 void *arg, const char *name)
{
	int err;

	t->fn = fn;
	t->arg = arg;
	snprintf(t->name, sizeof(t->name), "%s", name != NULL ? name : "nm");
	err = pthread_create(&t->tid, NULL, nm_shim_thread_main, t);
	if (err != 0)
		return -err;
	pthread_setname_np(t->tid, t->name);
	return 0;
}

void *nm_os_kthread_join(struct nm_os_kthread *t)
{
	void *ret = NULL;

	if (pthread_join(t->tid, &ret) != 0)
		abort();
	return ret;
}

/* ---- Allocation, with failure injection for tests.
 *
 * Every nm_os_zalloc() and nm_os_region_alloc() is one numbered call; when
 * a test has armed nm_shim_fail_alloc_at(n), call n (counting from the
 * arming) returns NULL, once.  Unarmed (the default, and always outside
 * tests that ask), no allocation fails on purpose.  Live allocations are
 * counted so a test can check that an unwind freed everything. */

static uint64_t nm_shim_alloc_fail_at; /* 0: off */
static uint64_t nm_shim_alloc_ncalls;  /* since the last arming */
static int64_t nm_shim_alloc_nlive;
static const void *nm_shim_alloc_site; /* caller of the failed call */

void nm_shim_fail_alloc_at(uint64_t n)
{
	__atomic_store_n(&nm_shim_alloc_ncalls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&nm_shim_alloc_site, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&nm_shim_alloc_fail_at, n, __ATOMIC_RELAXED);
}

uint64_t nm_shim_alloc_calls(void)
{
	return __atomic_load_n(&nm_shim_alloc_ncalls, __ATOMIC_RELAXED);
}

int64_t nm_shim_alloc_live(void)
{
	return __atomic_load_n(&nm_shim_alloc_nlive, __ATOMIC_RELAXED);
}

const void *nm_shim_alloc_fail_site(void)
{
	return __atomic_load_n(&nm_shim_alloc_site, __ATOMIC_RELAXED);
}

/* True when this call is the one to fail. */
static bool nm_shim_alloc_injected(const void *site)
{
	uint64_t at = __atomic_load_n(&nm_shim_alloc_fail_at, __ATOMIC_RELAXED);
	uint64_t call = __atomic_add_fetch(&nm_shim_alloc_ncalls, 1, __ATOMIC_RELAXED);

	if (at == 0 || call != at)
		return false;
	__atomic_store_n(&nm_shim_alloc_site, site, __ATOMIC_RELAXED);
	return true;
}

void *nm_os_zalloc(size_t n)
{
	void *p;

	if (nm_shim_alloc_injected(__builtin_return_address(0)))
		return NULL;
	p = calloc(1, n != 0 ? n : 1);
	if (p != NULL)
		__atomic_add_fetch(&nm_shim_alloc_nlive, 1, __ATOMIC_RELAXED);
	return p;
}

void nm_os_free(void *p)
{
	if (p != NULL)
		__atomic_sub_fetch(&nm_shim_alloc_nlive, 1, __ATOMIC_RELAXED);
	free(p);
}

void *nm_os_region_alloc(size_t n)
{
	void *p;

	if (nm_shim_alloc_injected(__builtin_return_address(0)))
		return NULL;
	/* Anonymous mappings are zeroed and page-aligned, like the kernel's
	 * vmalloc_user(), and a test can mprotect() or share them. */
	p = mmap(NULL, n != 0 ? n : 1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	__atomic_add_fetch(&nm_shim_alloc_nlive, 1, __ATOMIC_RELAXED);
	return p;
}

void nm_os_region_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	__atomic_sub_fetch(&nm_shim_alloc_nlive, 1, __ATOMIC_RELAXED);
	munmap(p, n != 0 ? n : 1);
}

/* ---- Invariants and time. */

void nm_os_invariant_failed(const char *expr, const char *file, int line)
{
	fprintf(stderr, "nmlab: invariant '%s' failed at %s:%d\n", expr, file,
		line);
	abort();
}

uint64_t nm_os_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- Notifiers (eventfd). */

int nm_shim_notifier_init(struct nm_os_notifier *n)
{
	n->count = 0;
	n->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return n->fd < 0 ? -errno : 0;
}

void nm_shim_notifier_fini(struct nm_os_notifier *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

void nm_os_notify(struct nm_os_notifier *n)
{
	uint64_t one = 1;

	__atomic_fetch_add(&n->count, 1, __ATOMIC_RELAXED);
	/* A non-blocking eventfd write fails only when the counter would
	 * overflow 2^64 - 2, and then the waiter is certainly awake. */
	if (write(n->fd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
		abort();
}

uint64_t nm_os_notify_count(const struct nm_os_notifier *n)
{
	return __atomic_load_n(&n->count, __ATOMIC_RELAXED);
}

int64_t nm_shim_notifier_wait(struct nm_os_notifier *n, int timeout_ms)
{
	struct pollfd pfd = { .fd = n->fd, .events = POLLIN };
	uint64_t value;
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	if (read(n->fd, &value, sizeof(value)) != sizeof(value))
		return errno == EAGAIN ? 0 : -errno;
	return (int64_t)value;
}

/* ---- Logging. */

#define NM_SHIM_RL_INTERVAL_NS (5ULL * 1000000000ULL)
#define NM_SHIM_RL_BURST 10U

static pthread_mutex_t nm_shim_log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nm_shim_log_stats nm_shim_log_totals;
static char nm_shim_log_last_line[256];
static int nm_shim_log_quiet = -1; /* -1: not decided yet, read NM_LOG_QUIET */

void nm_shim_log_set_quiet(bool quiet)
{
	pthread_mutex_lock(&nm_shim_log_lock);
	nm_shim_log_quiet = quiet;
	pthread_mutex_unlock(&nm_shim_log_lock);
}

/* The rate-limit decision; called with nm_shim_log_lock held. */
static bool nm_shim_log_allowed(struct nm_shim_ratelimit *rl)
{
	uint64_t now = nm_os_time_ns();

	if (rl == NULL)
		return true;
	if (rl->window_start_ns == 0 ||
	    now - rl->window_start_ns >= NM_SHIM_RL_INTERVAL_NS) {
		if (rl->missed > 0 && nm_shim_log_quiet != 1)
			fprintf(stderr, "nmlab: %u callbacks suppressed\n",
				rl->missed);
		rl->window_start_ns = now;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed < NM_SHIM_RL_BURST) {
		rl->printed++;
		return true;
	}
	rl->missed++;
	return false;
}

void nm_shim_log(struct nm_shim_ratelimit *rl, enum nm_shim_log_level level,
		 const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	va_list ap;
	bool allowed;

	pthread_mutex_lock(&nm_shim_log_lock);
	va_start(ap, fmt);
	vsnprintf(nm_shim_log_last_line, sizeof(nm_shim_log_last_line), fmt,
		  ap);
	va_end(ap);
	if (nm_shim_log_quiet < 0) {
		const char *q = getenv("NM_LOG_QUIET");

		nm_shim_log_quiet = q != NULL && q[0] == '1';
	}
	allowed = nm_shim_log_allowed(rl);
	if (allowed)
		nm_shim_log_totals.emitted++;
	else
		nm_shim_log_totals.suppressed++;
	if (allowed && !nm_shim_log_quiet)
		fprintf(stderr, "nmlab %s: %s\n", names[level],
			nm_shim_log_last_line);
	pthread_mutex_unlock(&nm_shim_log_lock);
}

void nm_shim_log_stats(struct nm_shim_log_stats *out)
{
	pthread_mutex_lock(&nm_shim_log_lock);
	*out = nm_shim_log_totals;
	pthread_mutex_unlock(&nm_shim_log_lock);
}

void nm_shim_log_last(char *buf, size_t size)
{
	pthread_mutex_lock(&nm_shim_log_lock);
	snprintf(buf, size, "%s", nm_shim_log_last_line);
	pthread_mutex_unlock(&nm_shim_log_lock);
}
