/*
 * nm_os_sim.c - the simulator backend of nm_os.h (out-of-line half).
 *
 * One step at a time (nm_sim_os.wait NULL): a lock found held is a
 * deadlock and is fatal; synchronising with readers is immediate because
 * no reader can be inside a section when the control path runs, and that
 * is asserted.  With concurrent actors (nm_sim_os.wait set) a lock held by
 * a suspended actor, or a read section it holds open, makes the caller
 * wait in virtual time; a lock taken again by its own holder is still a
 * deadlock.  Every acquisition is counted in its lock's class (the
 * nm_os_lock_init() call site), with the virtual time it waited.
 */
#include "nm_os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct nm_sim_os nm_sim_os;
struct nm_sim_lock_class nm_sim_lock_classes[NM_SIM_LOCK_CLASSES];
uint32_t nm_sim_lock_nclasses;

void nm_sim_os_reset(const uint64_t cost_ps[NM_SIM_STEP_KINDS])
{
	memset(&nm_sim_os, 0, sizeof(nm_sim_os));
	if (cost_ps != NULL)
		memcpy(nm_sim_os.cost_ps, cost_ps, sizeof(nm_sim_os.cost_ps));
	nm_sim_lock_stats_reset();
}

void nm_sim_lock_stats_reset(void)
{
	uint32_t i;

	for (i = 0; i < nm_sim_lock_nclasses; i++) {
		nm_sim_lock_classes[i].acquired = 0;
		nm_sim_lock_classes[i].contended = 0;
		nm_sim_lock_classes[i].wait_ns = 0;
		nm_sim_lock_classes[i].wait_max_ns = 0;
	}
}

/* The class of locks initialised at site, created on first use. */
static uint8_t nm_sim_lock_class_of(const void *site)
{
	uint32_t i;

	for (i = 0; i < nm_sim_lock_nclasses; i++)
		if (nm_sim_lock_classes[i].site == site)
			return (uint8_t)i;
	/* The core has three lock sites; a table this small can only fill
	 * up if the seam grows, and then the simulator must say so. */
	if (nm_sim_lock_nclasses == NM_SIM_LOCK_CLASSES)
		nm_os_invariant_failed("more lock init sites than NM_SIM_LOCK_CLASSES",
				       __FILE__, __LINE__);
	nm_sim_lock_classes[i].site = site;
	nm_sim_lock_nclasses++;
	return (uint8_t)i;
}

int nm_os_lock_init(struct nm_os_lock *l)
{
	l->held = false;
	l->owner = NULL;
	l->watch = NULL;
	l->cls = nm_sim_lock_class_of(__builtin_return_address(0));
	return 0;
}

void nm_sim_lock_name(const struct nm_os_lock *l, const char *name)
{
	if (l->cls < nm_sim_lock_nclasses && nm_sim_lock_classes[l->cls].name == NULL)
		nm_sim_lock_classes[l->cls].name = name;
}

void nm_os_lock_fini(struct nm_os_lock *l)
{
	/* Held by an actor whose step a stopped run abandoned: fine once
	 * the actors are gone; held by anyone else: a leak. */
	if (l->held && !(nm_sim_os.actors_gone && l->owner != NULL))
		nm_os_invariant_failed("lock destroyed while held", __FILE__,
				       __LINE__);
}

/* Count an acquisition of l that waited from t0 (contended) or not. */
static void nm_sim_lock_count(struct nm_os_lock *l, bool contended, uint64_t t0)
{
	struct nm_sim_lock_class *c = &nm_sim_lock_classes[l->cls];
	uint64_t waited = contended && nm_sim_os.now_ns > t0 ? nm_sim_os.now_ns - t0 : 0;

	nm_sim_os.lock_log[nm_sim_os.lock_acquired++ % NM_SIM_LOCK_LOG] = l;
	c->acquired++;
	if (contended) {
		c->contended++;
		c->wait_ns += waited;
		if (waited > c->wait_max_ns)
			c->wait_max_ns = waited;
	}
	if (l->watch != NULL) {
		l->watch->acquired++;
		l->watch->contended += contended;
		l->watch->wait_ns += waited;
	}
}

bool nm_sim_lock_repeat(uint64_t since, uint64_t n)
{
	const struct nm_os_lock *l;
	uint64_t k;

	if (nm_sim_os.lock_acquired - since > NM_SIM_LOCK_LOG)
		return false;
	for (k = since; k < nm_sim_os.lock_acquired; k++) {
		l = nm_sim_os.lock_log[k % NM_SIM_LOCK_LOG];
		nm_sim_lock_classes[l->cls].acquired += n;
		if (l->watch != NULL)
			l->watch->acquired += n;
	}
	return true;
}

void nm_os_lock_acquire(struct nm_os_lock *l)
{
	uint64_t t0 = nm_sim_os.now_ns;
	bool contended = l->held;

	while (l->held) {
		if (nm_sim_os.wait == NULL || l->owner == nm_sim_os.self)
			nm_os_invariant_failed("lock taken twice (deadlock)",
					       __FILE__, __LINE__);
		nm_sim_os.wait(NM_SIM_WAIT_LOCK, l, nm_sim_os.wait_arg);
	}
	l->held = true;
	l->owner = nm_sim_os.self;
	/* Waiting ends when the lock is ours; its lock step is the
	 * acquisition's own cost, as for an uncontended one. */
	nm_sim_lock_count(l, contended, t0);
	nm_sim_step(NM_SIM_LOCK, l, 1);
}

void nm_os_lock_release(struct nm_os_lock *l)
{
	if (!l->held)
		nm_os_invariant_failed("lock released while free", __FILE__,
				       __LINE__);
	if (l->watch != NULL)
		l->watch->released(l->watch);
	l->held = false;
	l->owner = NULL;
	nm_sim_step(NM_SIM_LOCK, l, 1);
}

void nm_os_read_enter(void)
{
	nm_sim_os.read_depth++;
}

void nm_os_read_exit(void)
{
	if (nm_sim_os.read_depth == 0)
		nm_os_invariant_failed("read section exit without enter",
				       __FILE__, __LINE__);
	nm_sim_os.read_depth--;
}

void nm_os_ptr_publish(void **slot, void *p)
{
	*slot = p;
}

void *nm_os_ptr_read(void *const *slot)
{
	return *slot;
}

void nm_os_read_synchronize(void)
{
	if (nm_sim_os.read_depth != 0)
		nm_os_invariant_failed("synchronize inside a read section",
				       __FILE__, __LINE__);
	while (nm_sim_os.readers_suspended != 0 && nm_sim_os.wait != NULL)
		nm_sim_os.wait(NM_SIM_WAIT_READERS, NULL, nm_sim_os.wait_arg);
}

/* Allocation-failure injection for tests, as in the shim
 * (nm_shim_fail_alloc_at): the n-th allocation after arming fails once. */
static uint64_t nm_sim_alloc_fail_at; /* 0: off */
static uint64_t nm_sim_alloc_ncalls;
static int64_t nm_sim_alloc_nlive;
static const void *nm_sim_alloc_site; /* caller of the failed call */

void nm_sim_fail_alloc_at(uint64_t n)
{
	nm_sim_alloc_ncalls = 0;
	nm_sim_alloc_site = NULL;
	nm_sim_alloc_fail_at = n;
}

uint64_t nm_sim_alloc_calls(void)
{
	return nm_sim_alloc_ncalls;
}

int64_t nm_sim_alloc_live(void)
{
	return nm_sim_alloc_nlive;
}

const void *nm_sim_alloc_fail_site(void)
{
	return nm_sim_alloc_site;
}

static bool nm_sim_alloc_injected(const void *site)
{
	nm_sim_alloc_ncalls++;
	if (nm_sim_alloc_fail_at == 0 || nm_sim_alloc_ncalls != nm_sim_alloc_fail_at)
		return false;
	nm_sim_alloc_site = site;
	return true;
}

void *nm_os_zalloc(size_t n)
{
	void *p;

	if (nm_sim_alloc_injected(__builtin_return_address(0)))
		return NULL;
	p = calloc(1, n != 0 ? n : 1);
	if (p != NULL)
		nm_sim_alloc_nlive++;
	return p;
}

void nm_os_free(void *p)
{
	if (p != NULL)
		nm_sim_alloc_nlive--;
	free(p);
}

#define NM_SIM_PAGE 4096U

void *nm_os_region_alloc(size_t n)
{
	size_t rounded = (n + NM_SIM_PAGE - 1) / NM_SIM_PAGE * NM_SIM_PAGE;
	void *p;

	if (nm_sim_alloc_injected(__builtin_return_address(0)))
		return NULL;
	p = aligned_alloc(NM_SIM_PAGE, rounded != 0 ? rounded : NM_SIM_PAGE);
	if (p != NULL) {
		memset(p, 0, rounded != 0 ? rounded : NM_SIM_PAGE);
		nm_sim_alloc_nlive++;
	}
	return p;
}

void nm_os_region_free(void *p, size_t n)
{
	(void)n;
	if (p != NULL)
		nm_sim_alloc_nlive--;
	free(p);
}

void nm_os_invariant_failed(const char *expr, const char *file, int line)
{
	fprintf(stderr,
		"nmlab sim: invariant '%s' failed at %s:%d (virtual time %llu ns)\n",
		expr, file, line, (unsigned long long)nm_sim_os.now_ns);
	abort();
}

uint64_t nm_os_time_ns(void)
{
	return nm_sim_os.now_ns;
}

void nm_os_notify(struct nm_os_notifier *n)
{
	n->count++;
	nm_sim_step(NM_SIM_NOTIFY, n, 1);
	if (n->deliver != NULL)
		n->deliver(n, n->arg);
}

uint64_t nm_os_notify_count(const struct nm_os_notifier *n)
{
	return n->count;
}

/* The simulator's "user memory": ranges a test or a simulated application
 * registers (nm_sim_user_add); a copy succeeds only inside one of them, so
 * a hostile address is -EFAULT, never a wild read.  With none registered
 * every address faults, as an unmapped one does.  Registration order is
 * the test's, so runs stay deterministic. */
static struct {
	uintptr_t lo, hi; /* [lo, hi) */
} nm_sim_user_range[NM_SIM_USER_RANGES];
static uint32_t nm_sim_user_nranges;
static uint64_t nm_sim_user_nfaults;

int nm_sim_user_add(const void *p, size_t n)
{
	if (nm_sim_user_nranges == NM_SIM_USER_RANGES)
		return -ENOSPC;
	nm_sim_user_range[nm_sim_user_nranges].lo = (uintptr_t)p;
	nm_sim_user_range[nm_sim_user_nranges].hi = (uintptr_t)p + n;
	nm_sim_user_nranges++;
	return 0;
}

int nm_sim_user_remove(const void *p)
{
	uint32_t i;

	for (i = 0; i < nm_sim_user_nranges; i++) {
		if (nm_sim_user_range[i].lo != (uintptr_t)p)
			continue;
		/* Keep the others in registration order. */
		memmove(&nm_sim_user_range[i], &nm_sim_user_range[i + 1],
			(nm_sim_user_nranges - i - 1) * sizeof(nm_sim_user_range[0]));
		nm_sim_user_nranges--;
		return 0;
	}
	return -ENOENT;
}

void nm_sim_user_reset(void)
{
	nm_sim_user_nranges = 0;
	nm_sim_user_nfaults = 0;
}

uint64_t nm_sim_user_faults(void)
{
	return nm_sim_user_nfaults;
}

static void *nm_sim_user_check(uint64_t uaddr, size_t n)
{
	uint32_t i;

	for (i = 0; i < nm_sim_user_nranges; i++) {
		uintptr_t lo = nm_sim_user_range[i].lo;
		uintptr_t hi = nm_sim_user_range[i].hi;

		/* No overflow: n <= hi - uaddr is checked, not uaddr + n. */
		if (uaddr >= lo && uaddr <= hi && n <= hi - uaddr)
			return (void *)(uintptr_t)uaddr;
	}
	nm_sim_user_nfaults++;
	return NULL;
}

int nm_os_copy_from_user(void *dst, uint64_t uaddr, size_t n)
{
	void *src = nm_sim_user_check(uaddr, n);

	if (src == NULL)
		return -EFAULT;
	nm_os_memcpy(dst, src, n);
	return 0;
}

int nm_os_copy_from_user_nofault(void *dst, uint64_t uaddr, size_t n)
{
	return nm_os_copy_from_user(dst, uaddr, n);
}

int nm_os_copy_to_user(uint64_t uaddr, const void *src, size_t n)
{
	void *dst = nm_sim_user_check(uaddr, n);

	if (dst == NULL)
		return -EFAULT;
	nm_os_memcpy(dst, src, n);
	return 0;
}

void nm_sim_log(struct nm_sim_ratelimit *rl, const char *level,
		const char *fmt, ...)
{
	va_list ap;

	if (rl != NULL && rl->printed >= 10) {
		rl->missed++;
		return;
	}
	if (rl != NULL)
		rl->printed++;
	fprintf(stderr, "nmlab sim %s: ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
