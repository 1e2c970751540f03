/*
 * sim_actor.h - a thread of execution in the simulated system: a guest's
 * vCPU running an application, a host kloop thread, a VMM I/O thread, a
 * vhost or netback thread, a host process.
 *
 * Owns: the actor's CPU (it runs one thing at a time: an event that finds it
 * busy is deferred to when it is free; its own, its vCPU's, or a host CPU
 * it is pinned to and shares, taking turns, with the others pinned there),
 * its run/sleep state, and its counters (runs, wake-ups, spurious
 * wake-ups, busy time).
 *
 * An actor's body is "a step"; the core steps it calls advance the
 * clock, and the body ends by asking to run again (sim_actor_again), to
 * run at a time (sim_actor_at, a timer), to sleep until notified
 * (sim_actor_sleep), or by being done.  Two models (sim_run.concurrent):
 *  - step: a body runs to completion in one event; the
 *    shared-memory effects of a step become visible to other actors at
 *    the step's start time (a documented approximation);
 *  - concurrent (issue 12; the scenarios' default, sim.model): each body
 *    runs on a coroutine of its own; the
 *    step hook (sim_actor_hook(), after every shared access, fence, atomic,
 *    lock, copy and notify) suspends it when its clock is strictly past
 *    the next pending event (plus sim_run.quantum_ns), scheduling a
 *    continuation (SIM_EV_CONT) at its clock: effects become visible at
 *    the virtual time they happen.  A lock held by a suspended actor makes
 *    the acquirer spin in virtual time (SIM_EV_SPIN, counted); a cycle of
 *    waiters, or a lock whose holder is not in a step, is a deadlock.
 * See docs/simulator.md ("Concurrent actors").
 *
 * No lost notification: an actor that sleeps provides has_work(), which
 * reads the peer's *published* state; an actor that sleeps with has_work()
 * true and no wake-up pending is a violation, checked after every event.
 *
 * Locking: none (single-threaded).
 */
#ifndef SIM_ACTOR_H
#define SIM_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_os.h"
#include "sim_cache.h"
#include "sim_engine.h"

struct sim_run;
struct sim_actor;

typedef void (*sim_actor_body)(struct sim_actor *a);
typedef bool (*sim_actor_pred)(struct sim_actor *a);

enum sim_ev_kind {
	SIM_EV_RUN = 1,	  /* an actor's body */
	SIM_EV_WAKE = 2,  /* an actor's body after a notification */
	SIM_EV_TIMER = 3, /* an actor's body at a time it asked for */
	SIM_EV_DEV = 4,	  /* a device timer (interrupt moderation) */
	SIM_EV_CONT = 5,  /* a suspended step goes on (concurrent model) */
	SIM_EV_SPIN = 6,  /* a step spinning on a held lock looks again */
};

/*
 * A CPU: runs one step of one actor at a time (a vCPU may carry the
 * guest application and the guest's interrupt handler; a host CPU of a
 * scenario's `cpus:` every actor pinned to it).  A fair CPU (a host CPU)
 * takes turns: an actor whose event found it busy (a waiter) runs before
 * any actor that did not wait, so a busy actor asking to run again cannot
 * starve the others; each waits at most one step of each other actor.
 */
struct sim_cpu {
	uint64_t busy_until;
	uint64_t busy_ns;  /* steps run on it */
	uint32_t waiters;  /* actors deferred because it was busy (fair) */
	bool fair;
	bool shared;	   /* more than one actor may run on it */
	/* Concurrent model: the actor in the middle of a step here (it may
	 * be suspended), and the actors whose events found it so, in arrival
	 * order; they are queued again, in that order, when its step ends. */
	struct sim_actor *holder;
	struct sim_actor *blk_head, *blk_tail;
	/* Preemption (a host CPU: hosts.timeslice_us; 0 never): the holder
	 * has held it since slice_start; with actors parked on it, it is
	 * suspended at preempt_at and goes to the end of the list. */
	uint64_t timeslice_ns;
	uint64_t slice_start;
	uint64_t preempt_at;	/* UINT64_MAX: nobody is waiting */
	uint64_t preemptions;
};

struct sim_actor {
	char name[48];
	uint16_t id;
	uint32_t ep;		/* endpoint index (fingerprinted as ring) */
	struct sim_run *run;	/* the run it belongs to */
	sim_actor_body body;
	sim_actor_pred has_work; /* may be NULL: never sleeps on a peer */
	void *priv;

	struct sim_ev_ref ev;	/* pending run, if any */
	uint64_t ev_time;
	struct sim_cpu own_cpu;
	struct sim_cpu *cpu;	/* own_cpu, or another actor's */
	bool sleeping;		/* waiting for a notification */
	bool woken;		/* this run was caused by a notification */
	bool again;		/* set by the body: run again when free */
	uint64_t at;		/* set by the body: run at this time (0: no) */
	bool done;
	bool wake_pending;	/* notified while running: wake at wake_at */
	bool waiting;		/* deferred by a busy fair CPU, counted there */
	uint64_t wake_at;

	uint64_t poll_ns;	/* set by the body: poll again after this */
	bool poll_idle;		/* set by the body: this poll found nothing */
	bool idle_prev;		/* the last poll was idle ... */
	uint64_t idle_cost;	/* ... took this long ... */
	uint64_t idle_mark;	/* ... and this many events that were not idle
				 * polls had run (sim_run.idle_polls) */
	bool parked;		/* its pending event is a steady idle poll */

	uint64_t runs, wakeups, spurious, sleeps;
	/* Stranded work (issue 19): asleep while its peer's published state
	 * says it has work, and no notification on its way.  Opened by the
	 * world's check after an event (sim_actor_strand()), closed by the
	 * notification that wakes it or by the run's end. */
	uint64_t stranded_since; /* UINT64_MAX: not stranded now */
	uint64_t stranded_ns, stranded_max_ns, strandings;
	uint64_t busy_ns;
	/* Bytes it copied with nm_os_memcpy() (the step hook); copies under
	 * 16 bytes left out: the bridge reads MACs through 6- and 8-byte
	 * copies, no payload. */
	uint64_t copy_bytes;
	uint64_t skipped;	/* idle polls accounted without an event (in runs) */

	/* Concurrent model. */
	struct sim_coro *coro;	/* runs the body; made at the first step */
	bool in_step;		/* between a step's start and its end */
	bool step_done;		/* the body returned (set on the coroutine) */
	bool suspended;		/* in_step, and waiting for a continuation */
	bool blocked;		/* its event found the CPU held mid-step */
	bool preempted;		/* parked mid-step by its CPU's time slice
				 * or by an interrupt handler */
	bool irq;		/* an interrupt handler: preempts its vCPU's
				 * step at a step boundary (sim_actor_set_irq) */
	uint32_t irq_off;	/* >0: its step may not be interrupted now
				 * (driver code: local_irq_save) */
	uint64_t preempt_from;	/* ... since then */
	uint64_t preempt_ns;	/* this step's time parked (not busy) */
	uint16_t blk_kind;	/* ... the kind of that event */
	struct sim_actor *blk_next;
	uint64_t t0, xfer0;	/* the running step's start and transfers */
	uint64_t lock0;		/* ... and nm_sim_os.lock_acquired */
	uint64_t susp_frac;	/* the clock's remainder when suspended */
	uint64_t step_no;	/* its step's number for the cache model */
	uint64_t xfer_step;	/* the step of its last cache-line transfer */
	uint32_t susp_read_depth; /* its read sections open when suspended */
	const struct nm_os_lock *waiting_on; /* a lock it spins on */
	/* While it forwards through a VALE port (sim_switch_fwd_begin()):
	 * the TX slot array the core takes packets from; each load of a
	 * slot's word at fwd_off is one packet taken, charged
	 * SIM_C_SWITCH_PKT there and counted in *fwd_count. */
	uintptr_t fwd_lo, fwd_len, fwd_stride, fwd_off;
	uint64_t *fwd_count;
	uint64_t conts, lock_waits, lock_spin_ns;
};

void sim_actor_init(struct sim_actor *a, struct sim_run *run, const char *name,
		    uint32_t ep, sim_actor_body body, sim_actor_pred has_work,
		    void *priv);
/* Make a run on b's CPU (call before starting either). */
static inline void sim_actor_share_cpu(struct sim_actor *a,
				       struct sim_actor *b)
{
	a->cpu = b->cpu;
	a->cpu->shared = true;
}

/*
 * Make a the interrupt handler of b's vCPU (call before starting either):
 * they share the CPU, and under the concurrent model an event of a that
 * finds b suspended in the middle of a step (and not in an irq_off
 * section) runs at b's next step boundary, before b goes on; b's step
 * resumes when a's ends (the time in between is not b's busy time).
 */
static inline void sim_actor_set_irq(struct sim_actor *a, struct sim_actor *b)
{
	sim_actor_share_cpu(a, b);
	a->irq = true;
}

/* Pin a to cpu (a host CPU; call before starting it). */
/* A host CPU: fair, never preempting until a time slice is set. */
static inline void sim_cpu_init(struct sim_cpu *cpu, uint64_t timeslice_ns)
{
	cpu->fair = true;
	cpu->timeslice_ns = timeslice_ns;
	cpu->preempt_at = UINT64_MAX;
}

static inline void sim_actor_pin(struct sim_actor *a, struct sim_cpu *cpu)
{
	a->cpu = cpu;
	cpu->shared = true;
}

/* Schedule the first run at time t. */
void sim_actor_start(struct sim_actor *a, uint64_t t);

/* Free what the concurrent model made for a (its coroutine). */
void sim_actor_fini(struct sim_actor *a);

/*
 * Turn the concurrent model on for run r (before any actor runs): installs
 * sim_actor_hook() as nm_sim_os's step hook (it does what sim_cache_hook()
 * does first, through sim_cache_access()), the lock wait, and the run's
 * next_cached as the engine's sched_watch.  Off again with
 * sim_actor_concurrent_off().
 */
void sim_actor_concurrent_on(struct sim_run *r, uint64_t quantum_ns);
void sim_actor_concurrent_off(void);

/* Who a (NULL: no actor runs) is to the cache model (sim_cache.h): its
 * id + 1, or 0 outside actors. */
static inline uint32_t sim_actor_cache_who(const struct sim_actor *a)
{
	return a != NULL ? (uint32_t)a->id + 1 : 0;
}

/* The step hook of the concurrent model (see above). */
void sim_actor_hook(enum nm_sim_step kind, const volatile void *addr,
		    void *arg);


/*
 * Charge the per-packet switch work where the core does it (concurrent
 * model): from now on each shared load of the word at off of an element of
 * [lo, lo + len) (stride bytes each: a TX ring's slots, off: buf_idx, which
 * the forwarding loop loads once per slot taken) is charged
 * SIM_C_SWITCH_PKT at that point and counted in *count.  The step model
 * ignores it (its charge comes at the end of the sync, sim_switch_charge()).
 */
static inline void sim_actor_fwd_on(struct sim_actor *a, const void *lo,
				    size_t len, size_t stride, size_t off,
				    uint64_t *count)
{
	a->fwd_lo = (uintptr_t)lo;
	a->fwd_len = len;
	a->fwd_stride = stride;
	a->fwd_off = off;
	a->fwd_count = count;
}

static inline void sim_actor_fwd_off(struct sim_actor *a)
{
	a->fwd_len = 0;
	a->fwd_count = NULL;
}

/* From the body: run again as soon as this step ends. */
static inline void sim_actor_again(struct sim_actor *a)
{
	a->again = true;
}

/* From the body: run at time t (a timer; t may be before the step ends). */
static inline void sim_actor_at(struct sim_actor *a, uint64_t t)
{
	a->at = t;
}

/*
 * From the body of a polling actor: poll again period_ns after this step
 * ends.  idle: this poll found nothing and changed nothing.  Two idle polls
 * in a row with only idle polls (anyone's) in between, of equal cost, show
 * the steady state: every later poll before the next event that is not
 * another steady poller's idle poll (or the run's horizon) would be the
 * same idle step — idle polls change nothing, so pollers idle together
 * cannot wake each other — and they are accounted (runs,
 * busy time, the CPU's, invariant checks, engine events) without being
 * run, and the next real poll lands on the same grid.  Every figure of the
 * run is the step-by-step one except the fingerprint, which hashes only
 * the events that ran.
 */
static inline void sim_actor_poll(struct sim_actor *a, uint64_t period_ns,
				  bool idle)
{
	a->poll_ns = period_ns;
	a->poll_idle = idle;
}

/* From the body: sleep until sim_actor_wake(). */
void sim_actor_sleep(struct sim_actor *a);

/* From the body: the run found nothing to do after a wake-up. */
static inline void sim_actor_spurious(struct sim_actor *a)
{
	a->spurious++;
}

/*
 * A notification for a arrives at time t (a kick, an interrupt, a wake-up
 * of a poll()).  Wakes it if asleep (the next run has woken set); if it is
 * already has a run pending, the notification is absorbed; if it is the
 * actor running now, the notification is kept and wakes it right away
 * should this step end in sleep.
 */
void sim_actor_wake(struct sim_actor *a, uint64_t t);
/* a is asleep with work and no notification on its way, at time t:
 * start a stranded interval unless one is open; true when it started. */
bool sim_actor_strand(struct sim_actor *a, uint64_t t);
/* Close a's stranded interval, if open, at time t. */
void sim_actor_unstrand(struct sim_actor *a, uint64_t t);

#endif /* SIM_ACTOR_H */
