/*
 * sim_run.h - the run context: the narrow door through which actors,
 * switches, links and devices reach the run they are part of.
 *
 * Owns: nothing of the run's state but the running actor and the engine
 * and cache it names; the rest belongs to the owner (the world), which
 * fills in the three reports below.  Lower layers (machine, net, dev)
 * include this header, never sim_world.h: an actor registers itself, says
 * which actor runs, and reports a broken invariant or a broken simulator
 * through it, and that is all they may ask of the run.
 *
 * Locking: none (single-threaded).
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct sim_actor;
struct sim_cache;
struct sim_engine;
struct sim_wmem;

/* The run's invariants (see sim_world.h for what each checks). */
enum sim_inv_id {
	SIM_INV_CONSERVATION,
	SIM_INV_FLOW_ORDER,
	SIM_INV_PAYLOAD,
	SIM_INV_RING_INDEX,
	SIM_INV_LEASE,
	SIM_INV_NOTIFICATION,
	SIM_INV_COUNT
};

extern const char *const sim_inv_names[SIM_INV_COUNT];

struct sim_run {
	struct sim_engine *eng;	  /* the run's clock and event queue */
	struct sim_cache *cache;  /* cache-line map of the step hook */
	struct sim_actor *cur;	  /* running actor, or NULL */
	void *owner;		  /* the world, for the reports */
	/* Idle polls (sim_actor_poll()): events that were idle polls, run
	 * or accounted without running; and whether skipping them is off
	 * (NMSIM_STEP_BY_STEP in the environment: the equivalence tests). */
	uint64_t idle_polls;
	bool step_by_step;

	/* Concurrent actors (issue 12; sim_actor.h): off = the step model.
	 * quantum_ns: how far past the next event an actor may run before
	 * it is suspended (0: exact). */
	bool concurrent;
	uint64_t quantum_ns;
	uint32_t midstep;	  /* actors suspended in the middle of a step */
	/* The next pending event's time when the running actor's step began
	 * or resumed, its CPU's preempt_at, and what was queued since (the
	 * engine lowers it: eng->sched_watch): it bounds the next event
	 * without a look at the queue at every step. */
	uint64_t next_cached;
	uint64_t next_event;	  /* the next event alone */
	uint64_t preemptions;	  /* steps parked by a CPU's time slice */
	uint64_t conts;		  /* continuations scheduled (suspensions) */
	uint64_t lock_waits;	  /* acquisitions that found the lock held */
	uint64_t lock_spin_ns;	  /* virtual time spent spinning on locks */
	uint64_t lock_spins;	  /* spin rounds (suspensions in a wait) */
	char deadlock[256];	  /* set (and the engine stopped) on deadlock */
	/* Weak memory (sim.memory tso|arm; sim_wmem.h), NULL under sc:
	 * devices declare their shared words to it (sim_wmem_share()). */
	struct sim_wmem *wmem;

	/* Register an actor (its id is its index among the run's actors). */
	void (*add_actor)(struct sim_run *r, struct sim_actor *a);
	/* Record a violation of invariant id at the current time and stop. */
	void (*violation)(struct sim_run *r, enum sim_inv_id id,
			  const struct sim_actor *a, uint32_t ring,
			  const char *what);
	/* Count n more events' continuous checks, each like the last one's. */
	void (*checks_repeat)(struct sim_run *r, uint64_t n);
	/* The simulator's own bookkeeping broke: never returns. */
	void (*internal_error)(struct sim_run *r, const char *what)
		__attribute__((noreturn));
};

/* r->violation() with a printf-style message. */
void sim_run_violation(struct sim_run *r, enum sim_inv_id id,
		       const struct sim_actor *a, uint32_t ring,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif /* SIM_RUN_H */
