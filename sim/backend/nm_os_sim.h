/*
 * nm_os_sim.h - the simulator backend of nm_os.h (hot-path half).
 *
 * Owns: a single-threaded, deterministic implementation of the seam in which
 * every primitive the core calls (fence, shared load or store, lock, copy,
 * notify) is a counted step that advances a virtual clock by its cost.  No
 * threads, no wall clock: the same inputs give the same step counts and the
 * same virtual time.  A step hook lets a driver (the discrete-event engine,
 * or an interleaving explorer) see every shared access as a scheduling point.
 *
 * Costs are in picoseconds per step (sim/sim_cost.c installs them); the
 * clock carries the sub-nanosecond remainder.  The discrete-event engine
 * (sim/sim_engine.c) sets now_ns at every event and uses the hook to
 * charge cache-line transfers (sim/sim_cache.c).
 */
#ifndef NM_OS_SIM_H
#define NM_OS_SIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NM_OS_BACKEND_API_VERSION 1

enum nm_sim_step {
	NM_SIM_FENCE_STORE_STORE,
	NM_SIM_FENCE_LOAD_LOAD,
	NM_SIM_FENCE_STORE_LOAD,
	NM_SIM_SHARED_LOAD,
	NM_SIM_SHARED_STORE,
	NM_SIM_ATOMIC,
	NM_SIM_LOCK,
	NM_SIM_COPY_BYTE,
	NM_SIM_NOTIFY,
	NM_SIM_STEP_KINDS
};

/*
 * Optional memory model for an interleaving explorer (models/explore/):
 * when nm_sim_os.mem is set, every shared load and store and every fence
 * (and the full fence implied by a compare-and-swap) is performed by these
 * callbacks, which may buffer stores per thread (x86-TSO), forward loads
 * from a store buffer and drain it at a fence; the step is still counted
 * and the hook still called afterwards.  NULL (the default): direct access.
 */
struct nm_sim_mem_ops {
	uint64_t (*load)(const volatile void *p, unsigned size, void *arg);
	void (*store)(volatile void *p, uint64_t v, unsigned size, void *arg);
	void (*fence)(enum nm_sim_step kind, void *arg);
	void *arg;
};

/* Why a concurrent simulator makes the running code wait (nm_sim_os.wait). */
enum nm_sim_wait {
	NM_SIM_WAIT_LOCK,    /* nm_os_lock_acquire() found the lock held */
	NM_SIM_WAIT_READERS, /* nm_os_read_synchronize() with read sections
			      * open in suspended actors */
};

#define NM_SIM_LOCK_LOG 8U /* see nm_sim_os.lock_log */

struct nm_sim_os {
	uint64_t now_ns;			 /* virtual time */
	uint64_t frac_ps;			 /* sub-nanosecond remainder */
	uint64_t steps[NM_SIM_STEP_KINDS];	 /* how many of each */
	uint64_t cost_ps[NM_SIM_STEP_KINDS];	 /* virtual cost of each, ps */
	/* Bit k set: a step of kind k costs what jitter_ps() draws instead of
	 * count * cost_ps[k] (the scenario's costs.jitter; sim_cost.c). */
	uint32_t jitter_kinds;
	uint64_t (*jitter_ps)(enum nm_sim_step kind, uint64_t count);
	/* Called after every step with the address touched (or NULL). */
	void (*hook)(enum nm_sim_step kind, const volatile void *addr,
		     void *arg);
	void *hook_arg;
	uint64_t hook_count; /* the count of the step the hook is called for */
	uint32_t read_depth; /* nesting of nm_os_read_enter() */
	const struct nm_sim_mem_ops *mem; /* NULL: direct shared accesses */
	/*
	 * Concurrent actors (sim/machine/sim_actor.c, issue 12).  self: who
	 * runs now (a lock's owner; NULL outside actors).  wait: called when
	 * a lock is found held or a synchronize finds readers suspended
	 * elsewhere; it suspends the caller (spinning in virtual time) and
	 * returns when it may look again.  NULL (one step at a time): a lock
	 * found held is a deadlock and fatal.  readers_suspended: read
	 * sections held open by suspended actors.
	 */
	const void *self;
	void (*wait)(enum nm_sim_wait why, const void *obj, void *arg);
	void *wait_arg;
	uint32_t readers_suspended;
	/* Set when a run's actors (and their coroutines) are gone while the
	 * world is torn down: a lock still held by an actor was abandoned
	 * with that actor's step (a run stopped mid-step), not leaked. */
	bool actors_gone;
	/* Lock acquisitions so far, and the last NM_SIM_LOCK_LOG locks taken
	 * (lock_log[k % NM_SIM_LOCK_LOG] is acquisition k): what an idle
	 * poll took, so that polls skipped as equal to it count theirs too
	 * (nm_sim_lock_repeat()). */
	uint64_t lock_acquired;
	const struct nm_os_lock *lock_log[NM_SIM_LOCK_LOG];
};

/* The one simulated machine; sim/ is single-threaded by design. */
extern struct nm_sim_os nm_sim_os;

/* Every counted step since the last reset, of all kinds (two runs of one
 * deterministic scenario make the same number). */
static inline uint64_t nm_sim_steps_total(void)
{
	uint64_t total = 0;
	int k;

	for (k = 0; k < NM_SIM_STEP_KINDS; k++)
		total += nm_sim_os.steps[k];
	return total;
}

static inline void nm_sim_step(enum nm_sim_step kind,
			       const volatile void *addr, uint64_t count)
{
	uint64_t ps = nm_sim_os.frac_ps +
		      ((nm_sim_os.jitter_kinds >> kind) & 1
			       ? nm_sim_os.jitter_ps(kind, count)
			       : nm_sim_os.cost_ps[kind] * count);

	/* Costs are picoseconds (a shared load or a copied byte costs well
	 * under a nanosecond); the clock keeps the remainder, so the sum of
	 * many cheap steps is exact and still integer. */
	nm_sim_os.steps[kind] += count;
	nm_sim_os.now_ns += ps / 1000;
	nm_sim_os.frac_ps = ps % 1000;
	if (nm_sim_os.hook != NULL) {
		nm_sim_os.hook_count = count;
		nm_sim_os.hook(kind, addr, nm_sim_os.hook_arg);
	}
}

/*
 * Lock classes (lockdep's notion): every lock initialised by the same
 * nm_os_lock_init() call site is one class, so the simulator counts
 * contention per kind of lock (a VALE RX ring's, the registry's, a buffer
 * pool's) without the core naming its locks.  The simulator's builders
 * name the classes they know (nm_sim_lock_name()); an unnamed class is
 * reported by its number.  Classes are numbered in order of first
 * initialisation, which is deterministic; their counters are zeroed by
 * nm_sim_os_reset(), their sites and names kept for the process.
 */
#define NM_SIM_LOCK_CLASSES 16U

struct nm_sim_lock_class {
	const void *site;	/* caller of the first nm_os_lock_init() */
	const char *name;	/* static string, or NULL: unnamed */
	uint64_t acquired;	/* acquisitions */
	uint64_t contended;	/* ... that found the lock held */
	uint64_t wait_ns;	/* virtual time from finding it held to taking it */
	uint64_t wait_max_ns;	/* longest single wait */
};

/*
 * One lock watched by the simulator (a VALE RX ring's, for its lease
 * overlap): its own acquisition counts, and released() called after each
 * critical section, with the lock still held, so it sees the state that
 * section left.  released() must make no counted step (no virtual time).
 */
struct nm_sim_lock_watch {
	void (*released)(struct nm_sim_lock_watch *w);
	uint64_t acquired, contended, wait_ns;
};

struct nm_os_lock {
	bool held;
	uint8_t cls;	   /* index into nm_sim_lock_classes[] */
	const void *owner; /* nm_sim_os.self of the holder */
	struct nm_sim_lock_watch *watch; /* NULL: not watched */
};

extern struct nm_sim_lock_class nm_sim_lock_classes[NM_SIM_LOCK_CLASSES];
extern uint32_t nm_sim_lock_nclasses;

/* Zero every class's counters (nm_sim_os_reset() does too): a run counts
 * from its start, not from its build. */
void nm_sim_lock_stats_reset(void);
/* Name the class of lock l (a static string; the first name given stays). */
void nm_sim_lock_name(const struct nm_os_lock *l, const char *name);
/* Count n more times each acquisition made since nm_sim_os.lock_acquired
 * was `since` (in classes and watches; never contended: a repeated step
 * is one that found every lock free).  False, counting nothing, if there
 * were more than NM_SIM_LOCK_LOG of them. */
bool nm_sim_lock_repeat(uint64_t since, uint64_t n);
/* Watch lock l with w (NULL: stop watching). */
static inline void nm_sim_lock_watch(struct nm_os_lock *l,
				     struct nm_sim_lock_watch *w)
{
	l->watch = w;
}

struct nm_os_counter {
	uint64_t value;
};

struct nm_os_notifier {
	uint64_t count;
	/* What the simulator does when the core notifies (schedule a wake-up
	 * event for the peer actor); NULL only counts. */
	void (*deliver)(struct nm_os_notifier *n, void *arg);
	void *arg;
};

static inline void nm_sim_fence(enum nm_sim_step kind)
{
	if (nm_sim_os.mem != NULL)
		nm_sim_os.mem->fence(kind, nm_sim_os.mem->arg);
	nm_sim_step(kind, NULL, 1);
}

static inline uint64_t nm_sim_load(const volatile void *p, unsigned size)
{
	return nm_sim_os.mem->load(p, size, nm_sim_os.mem->arg);
}

static inline void nm_sim_store(volatile void *p, uint64_t v, unsigned size)
{
	nm_sim_os.mem->store(p, v, size, nm_sim_os.mem->arg);
}

static inline void nm_os_fence_store_store(void)
{
	nm_sim_fence(NM_SIM_FENCE_STORE_STORE);
}

static inline void nm_os_fence_load_load(void)
{
	nm_sim_fence(NM_SIM_FENCE_LOAD_LOAD);
}

static inline void nm_os_fence_store_load(void)
{
	nm_sim_fence(NM_SIM_FENCE_STORE_LOAD);
}

static inline uint32_t nm_os_shared_load32(const volatile uint32_t *p)
{
	uint32_t v;

	if (nm_sim_os.mem != NULL) {
		v = (uint32_t)nm_sim_load(p, 4);
		nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
		return v;
	}
	nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
	return *p;
}

static inline void nm_os_shared_store32(volatile uint32_t *p, uint32_t v)
{
	if (nm_sim_os.mem != NULL)
		nm_sim_store(p, v, 4);
	else
		*p = v;
	nm_sim_step(NM_SIM_SHARED_STORE, p, 1);
}

static inline uint16_t nm_os_shared_load16(const volatile uint16_t *p)
{
	uint16_t v;

	if (nm_sim_os.mem != NULL) {
		v = (uint16_t)nm_sim_load(p, 2);
		nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
		return v;
	}
	nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
	return *p;
}

static inline void nm_os_shared_store16(volatile uint16_t *p, uint16_t v)
{
	if (nm_sim_os.mem != NULL)
		nm_sim_store(p, v, 2);
	else
		*p = v;
	nm_sim_step(NM_SIM_SHARED_STORE, p, 1);
}

static inline uint64_t nm_os_shared_load64(const volatile uint64_t *p)
{
	uint64_t v;

	if (nm_sim_os.mem != NULL) {
		v = nm_sim_load(p, 8);
		nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
		return v;
	}
	nm_sim_step(NM_SIM_SHARED_LOAD, p, 1);
	return *p;
}

static inline void nm_os_shared_store64(volatile uint64_t *p, uint64_t v)
{
	if (nm_sim_os.mem != NULL)
		nm_sim_store(p, v, 8);
	else
		*p = v;
	nm_sim_step(NM_SIM_SHARED_STORE, p, 1);
}

static inline bool nm_os_atomic_cas32(volatile uint32_t *p, uint32_t old,
				      uint32_t nv)
{
	bool swapped;

	/* A locked instruction: a full fence for the memory model. */
	if (nm_sim_os.mem != NULL)
		nm_sim_os.mem->fence(NM_SIM_ATOMIC, nm_sim_os.mem->arg);
	swapped = *p == old;

	if (swapped)
		*p = nv;
	nm_sim_step(NM_SIM_ATOMIC, p, 1);
	return swapped;
}

static inline void nm_os_atomic_store_release32(volatile uint32_t *p,
						uint32_t v)
{
	*p = v;
	nm_sim_step(NM_SIM_ATOMIC, p, 1);
}

/* Costed as an atomic, but an acquire load only reads its line: the cache
 * model (the hook) sees a shared load, which takes a copy, not ownership.
 * As an atomic there, two sides polling each other's index in one line
 * (a pipe's tx_pos and rx_pos) moved it at every look, though neither
 * wrote. */
static inline uint32_t nm_os_atomic_load_acquire32(const volatile uint32_t *p)
{
	nm_sim_step(NM_SIM_ATOMIC, NULL, 1);
	if (nm_sim_os.hook != NULL)
		nm_sim_os.hook(NM_SIM_SHARED_LOAD, p, nm_sim_os.hook_arg);
	return *p;
}

static inline void nm_os_memcpy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	nm_sim_step(NM_SIM_COPY_BYTE, dst, n);
}

static inline void nm_os_memset(void *dst, int c, size_t n)
{
	memset(dst, c, n);
	nm_sim_step(NM_SIM_COPY_BYTE, dst, n);
}

static inline void nm_os_counter_init(struct nm_os_counter *c)
{
	c->value = 0;
}

static inline void nm_os_counter_add(struct nm_os_counter *c, uint64_t n)
{
	c->value += n;
}

static inline uint64_t nm_os_counter_read(const struct nm_os_counter *c)
{
	return c->value;
}

/* Logging is rate-limited by count, not time, so runs stay deterministic:
 * the first 10 lines of each call site are printed, the rest counted. */
struct nm_sim_ratelimit {
	uint32_t printed;
	uint64_t missed;
};

void nm_sim_log(struct nm_sim_ratelimit *rl, const char *level,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define nm_sim_log_rl_(level, ...)                                  \
	do {                                                        \
		static struct nm_sim_ratelimit nm_sim_rl_;          \
		nm_sim_log(&nm_sim_rl_, level, __VA_ARGS__);        \
	} while (0)
#define nm_os_log_err_rl(...) nm_sim_log_rl_("error", __VA_ARGS__)
#define nm_os_log_warn_rl(...) nm_sim_log_rl_("warning", __VA_ARGS__)
#define nm_os_log_info(...) nm_sim_log(NULL, "info", __VA_ARGS__)

/* Reset the simulated machine: time 0, no steps, the given costs (ps). */
void nm_sim_os_reset(const uint64_t cost_ps[NM_SIM_STEP_KINDS]);
/* Allocation-failure injection (tests only): the n-th nm_os_zalloc() or
 * nm_os_region_alloc() after this call (counted together, from 1) returns
 * NULL; 0 turns it off and resets the count. */
void nm_sim_fail_alloc_at(uint64_t n);
/* Allocation calls since the last nm_sim_fail_alloc_at(). */
uint64_t nm_sim_alloc_calls(void);
/* "User memory" for nm_os_copy_from_user{,_nofault}()/nm_os_copy_to_user():
 * a copy succeeds only inside one registered range (none: every copy
 * faults).  Register [p, p + n): 0 or -ENOSPC. */
#define NM_SIM_USER_RANGES 16
int nm_sim_user_add(const void *p, size_t n);
/* Forget the range registered at p (its owner is freeing it): 0 or
 * -ENOENT. */
int nm_sim_user_remove(const void *p);
/* Forget every range and zero the fault count. */
void nm_sim_user_reset(void);
/* Copies refused since the last reset. */
uint64_t nm_sim_user_faults(void);
/* Allocations not yet freed. */
int64_t nm_sim_alloc_live(void);
/* The caller of the injected failure (NULL: none since the arming). */
const void *nm_sim_alloc_fail_site(void);

#endif /* NM_OS_SIM_H */
