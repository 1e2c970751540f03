/*
 * sim_engine.h - the discrete-event engine of the simulator.
 *
 * Owns: virtual time, the pending events (keys in a sim_queue, bodies in a
 * slot array with a free list), cancellation, and the run's fingerprint.
 *
 * Invariants:
 *  - time is an integer count of nanoseconds; events run in (time, seq)
 *    order, seq being stamped at insertion, so ties are first-in first-out
 *    (the comparator is irreflexive, antisymmetric and transitive: seq is
 *    unique); a suspended actor's continuation (sim_actor.c) is an event
 *    like any other, so it runs after those already queued for its time;
 *  - the engine never runs an event earlier than the previous one, and an
 *    event may not be scheduled before the time of the event being run;
 *  - a cancelled event is only flagged; the loop drops it when popped;
 *  - the fingerprint hashes (time, kind, actor, ring, index) of every event
 *    that ran, in order: the same inputs and seed give the same value.
 *
 * The clock a handler sees through nm_os_time_ns() starts at its event's
 * time and advances with the cost of every core step it runs (sim/nm_os_sim.h):
 * that is the running actor's CPU clock.  Handlers read it with sim_now().
 *
 * Locking: none.  No threads, no wall clock.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_queue.h"

struct sim_engine;
struct sim_event;

typedef void (*sim_handler)(struct sim_engine *e, void *arg,
			    const struct sim_event *ev);

struct sim_event {
	sim_handler fn;
	void *arg;
	uint64_t time_ns;
	uint32_t ring;	 /* fingerprinted: which ring it concerns */
	uint32_t index;	 /* fingerprinted: which slot/index/packet */
	uint32_t gen;	 /* matches sim_ev_ref.gen while pending */
	uint16_t kind;	 /* fingerprinted: what it is */
	uint16_t actor;	 /* fingerprinted: who runs it */
	bool cancelled;
};

/* A handle to a scheduled event; {0, 0} names none. */
struct sim_ev_ref {
	uint32_t id;
	uint32_t gen;
};

struct sim_engine {
	struct sim_queue q;
	struct sim_event *ev; /* slot array */
	uint32_t ev_cap;
	uint32_t *free_ids;
	uint32_t nfree;
	uint32_t next_gen;
	uint64_t seq;	      /* next insertion sequence number */
	uint64_t now_ns;      /* time of the event being (or last) run */
	uint64_t fingerprint;
	uint64_t executed;    /* events run */
	uint64_t scheduled;   /* events inserted */
	uint64_t cancelled;   /* events dropped because cancelled */
	bool stop;	      /* set by sim_engine_stop() */
	/* Earliest time scheduled since a watcher last set it to UINT64_MAX
	 * (the concurrent actors' cached horizon, sim_actor.c). */
	uint64_t sched_min;
	/* If set, lowered with sched_min to each time scheduled below both
	 * (the running actor's horizon, so that its step hook compares its
	 * clock with one value; sim_actor.c). */
	uint64_t *sched_watch;
	uint64_t until_ns;    /* the running sim_engine_run()'s horizon */
	/* The running event's key is still the queue's first: the next
	 * sim_schedule() replaces it (one sift-down instead of a pop and a
	 * push), or the run loop removes it after the handler. */
	bool top_taken;
	struct sim_event cur; /* copy of the event being run */
	/* Called after every event that ran (invariant checks), if set. */
	void (*after)(struct sim_engine *e, void *arg);
	void *after_arg;
	/* Called every 2^14 events with the engine, for progress lines. */
	void (*progress)(struct sim_engine *e, void *arg);
	void *progress_arg;
};

/* 0 or -ENOMEM.  Resets nm_sim_os's clock to 0 too. */
int sim_engine_init(struct sim_engine *e);
void sim_engine_fini(struct sim_engine *e);

/* Schedule fn(arg) at time `at` (>= sim_engine_now()); aborts on -ENOMEM. */
struct sim_ev_ref sim_schedule(struct sim_engine *e, uint64_t at,
			       sim_handler fn, void *arg, uint16_t kind,
			       uint16_t actor, uint32_t ring, uint32_t index);
/* Cancel a pending event; a stale or empty reference is ignored. */
void sim_cancel(struct sim_engine *e, struct sim_ev_ref r);
/* Is the referenced event still pending (scheduled, not run, not cancelled)? */
bool sim_pending(const struct sim_engine *e, struct sim_ev_ref r);

/* Run events with time <= until_ns, or until sim_engine_stop() or the queue
 * empties.  Returns how many events ran. */
uint64_t sim_engine_run(struct sim_engine *e, uint64_t until_ns);
/* Make sim_engine_run() return after the current event. */
void sim_engine_stop(struct sim_engine *e);

/* Time of the event being run. */
static inline uint64_t sim_engine_now(const struct sim_engine *e)
{
	return e->now_ns;
}

/* Time of the next pending event (cancelled ones included), or UINT64_MAX. */
uint64_t sim_engine_next_time(const struct sim_engine *e);
/*
 * The same, passing over every pending event for which skip(ev, arg) is
 * true (the running event's key is passed over too).  A depth-first walk of
 * the heap that prunes subtrees no earlier than the best found, so it
 * visits little more than the passed-over events and their children.
 */
uint64_t sim_engine_next_time_except(const struct sim_engine *e,
				     bool (*skip)(const struct sim_event *ev, void *arg),
				     void *arg);

/* Mix a value into a running 64-bit hash (used for the fingerprint). */
static inline uint64_t sim_fp_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

#define SIM_FP_INIT 0xcbf29ce484222325ULL

#endif /* SIM_ENGINE_H */
