/*
 * sim_actor.c - running actors on their own CPUs.
 *
 * One event per step.  An event that finds the actor's CPU busy (its
 * previous step ends later) is moved to the end of that step, so an actor
 * never runs two steps at once and never goes back in time.  On a fair CPU
 * such an actor is counted as a waiter, and an event of an actor that did
 * not wait yields (requeued at the same time, behind the waiters).
 *
 * Concurrent model (sim_actor_concurrent_on()): a step starts as above but
 * runs its body on the actor's coroutine; sim_actor_hook() suspends it
 * where its clock passes the next pending event and a continuation event
 * (SIM_EV_CONT, at the actor's clock) resumes it.  While suspended, the
 * actor holds its CPU (cpu->holder): an event of another actor of that
 * CPU is parked on the CPU's list and queued again when the step ends.
 * Order at equal times: the engine's (time, seq), so a continuation runs
 * after every event already queued for its time, and an actor whose clock
 * only reaches (not passes) the next event's time goes on without a switch.
 */
#include "sim_actor.h"

#include <stdio.h>
#include <string.h>

#include "nm_os.h"
#include "sim_cache.h"
#include "sim_coro.h"
#include "sim_cost.h"
#include "sim_run.h"

static void sim_actor_event(struct sim_engine *e, void *arg,
			    const struct sim_event *ev);
static void sim_actor_cont(struct sim_engine *e, void *arg,
			   const struct sim_event *ev);
static void sim_actor_wait(enum nm_sim_wait why, const void *obj, void *arg);

/* Fewest idle polls worth skipping at once (sim_actor_poll_next()). */
#define SIM_ACTOR_SKIP_MIN 1024U

void sim_actor_init(struct sim_actor *a, struct sim_run *run, const char *name,
		    uint32_t ep, sim_actor_body body, sim_actor_pred has_work,
		    void *priv)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->run = run;
	a->ep = ep;
	a->body = body;
	a->has_work = has_work;
	a->priv = priv;
	a->cpu = &a->own_cpu;
	a->stranded_since = UINT64_MAX;
	run->add_actor(run, a);
}

/* a (or NULL) runs now: the run's running actor, and the cache model's. */
static inline void sim_run_set_cur(struct sim_run *r, struct sim_actor *a)
{
	r->cur = a;
	r->cache->who = sim_actor_cache_who(a);
	r->cache->last_step_at = a != NULL ? &a->xfer_step : &r->cache->last_step;
}

static void sim_actor_schedule(struct sim_actor *a, uint64_t t, uint16_t kind)
{
	struct sim_engine *e = a->run->eng;

	if (sim_pending(e, a->ev)) {
		if (a->ev_time <= t)
			return;
		sim_cancel(e, a->ev);
	}
	if (t < e->now_ns)
		t = e->now_ns;
	a->ev = sim_schedule(e, t, sim_actor_event, a, kind, a->id, a->ep,
			     (uint32_t)a->runs);
	a->ev_time = t;
	a->parked = false; /* set again by sim_actor_poll_next() */
}

void sim_actor_start(struct sim_actor *a, uint64_t t)
{
	sim_actor_schedule(a, t, SIM_EV_RUN);
}

void sim_actor_sleep(struct sim_actor *a)
{
	a->sleeping = true;
	a->sleeps++;
}

bool sim_actor_strand(struct sim_actor *a, uint64_t t)
{
	if (a->stranded_since != UINT64_MAX)
		return false;
	a->stranded_since = t;
	a->strandings++;
	return true;
}

void sim_actor_unstrand(struct sim_actor *a, uint64_t t)
{
	uint64_t d;

	if (a->stranded_since == UINT64_MAX)
		return;
	d = t > a->stranded_since ? t - a->stranded_since : 0;
	a->stranded_ns += d;
	if (d > a->stranded_max_ns)
		a->stranded_max_ns = d;
	a->stranded_since = UINT64_MAX;
}

void sim_actor_wake(struct sim_actor *a, uint64_t t)
{
	if (a->done)
		return;
	/* A notification is on its way from now: no longer stranded. */
	sim_actor_unstrand(a, nm_os_time_ns());
	if (a->in_step) {
		if (!a->wake_pending || t < a->wake_at)
			a->wake_at = t;
		a->wake_pending = true;
		return;
	}
	if (a->sleeping) {
		a->sleeping = false;
		a->woken = true;
		a->wakeups++;
		sim_actor_schedule(a, t, SIM_EV_WAKE);
	}
	/* Running or already due to run: the notification is absorbed. */
}

/*
 * A poll that ran from t0 to end asked to poll again (sim_actor_poll()).
 * Step by step, the next polls start at next + j * (period + cost); while
 * nothing else happens they are idle steps of that same cost.  Those that
 * would start before the first other event (which, queued earlier, runs
 * first at an equal time) or past the horizon are counted, all but the
 * last, which runs for real so that the run ends on the event it would.
 */
/* Passed over when a steady poller a looks for the next event that could
 * change what it polls: the pending polls of the other steady pollers,
 * provided nothing but idle polls ran since they parked (their idle_mark
 * is a's: a non-idle event since could have given them work). */
static bool sim_actor_parked_event(const struct sim_event *ev, void *arg)
{
	const struct sim_actor *o = ev->arg, *a = arg;

	return ev->fn == sim_actor_event && o != a && o->parked &&
	       o->idle_mark == a->idle_mark;
}

static void sim_actor_poll_next(struct sim_actor *a, uint64_t t0, uint64_t end,
				bool clean)
{
	struct sim_run *r = a->run;
	struct sim_engine *e = r->eng;
	uint64_t cost = end - t0, next = end + a->poll_ns;
	uint64_t step = a->poll_ns + cost, limit, n = 0;
	/* Events that were not idle polls, this one included. */
	uint64_t busy = e->executed - r->idle_polls;
	/* A steady poll ran alone (no other event since the last), so the
	 * locks taken since its start are its own: skipped polls take them
	 * too (nm_sim_lock_repeat(), which must be able to say which). */
	bool steady = a->poll_idle && a->idle_prev && cost == a->idle_cost &&
		      busy == a->idle_mark + 1 && !r->step_by_step &&
		      nm_sim_os.lock_acquired - a->lock0 <= NM_SIM_LOCK_LOG;
	/* A steady poller can skip past the polls of other steady pollers
	 * (theirs change nothing either) if its own and theirs move no cache
	 * line (clean), so their interleaving changes no cost, and it has a
	 * CPU of its own (on a shared one their steps would take turns). */
	bool apart = steady && clean && !a->cpu->shared;

	if (steady && step != 0) {
		limit = apart ? sim_engine_next_time_except(e, sim_actor_parked_event, a)
			      : sim_engine_next_time(e);
		if (limit == UINT64_MAX)
			limit = e->until_ns != UINT64_MAX ? e->until_ns + 1 : 0;
		/* Polls j = 0 .. m-1 start before limit; skip m - 1. */
		if (limit > next)
			n = (limit - next - 1) / step;
		/* Short gaps run step by step: skipping them saves little,
		 * and keeps the fingerprints of busy runs as they were. */
		if (n < SIM_ACTOR_SKIP_MIN)
			n = 0;
	}
	if (n != 0) {
		a->runs += n;
		a->skipped += n;
		a->busy_ns += n * cost;
		a->cpu->busy_ns += n * cost;
		a->cpu->busy_until = next + (n - 1) * step + cost;
		a->run->cache->steps_run += n;
		a->run->cache->step = a->run->cache->steps_run;
		e->executed += n;
		a->run->checks_repeat(a->run, n);
		(void)nm_sim_lock_repeat(a->lock0, n);
		next += n * step;
	}
	if (a->poll_idle)
		r->idle_polls += 1 + n;
	a->idle_prev = a->poll_idle;
	a->idle_cost = cost;
	a->idle_mark = e->executed - r->idle_polls;
	sim_actor_schedule(a, next, SIM_EV_TIMER);
	a->parked = apart;
}

/* Park a on cpu's list (its event found it held, or it was preempted). */
static void sim_cpu_park(struct sim_cpu *cpu, struct sim_actor *a)
{
	a->blocked = true;
	a->blk_next = NULL;
	if (cpu->blk_tail != NULL)
		cpu->blk_tail->blk_next = a;
	else
		cpu->blk_head = a;
	cpu->blk_tail = a;
	if (cpu->fair && !a->waiting) {
		a->waiting = true;
		cpu->waiters++;
	}
	if (cpu->timeslice_ns != 0 && cpu->preempt_at == UINT64_MAX)
		cpu->preempt_at = cpu->slice_start + cpu->timeslice_ns;
}

/* a takes cpu (a step starts, or a preempted one goes on). */
static void sim_cpu_take(struct sim_cpu *cpu, struct sim_actor *a, uint64_t now)
{
	cpu->holder = a;
	cpu->slice_start = now;
	cpu->preempt_at = cpu->blk_head != NULL && cpu->timeslice_ns != 0
				  ? now + cpu->timeslice_ns : UINT64_MAX;
}

/* Queue b again at t: a preempted step goes on, any other event reruns. */
static void sim_cpu_unpark(struct sim_actor *b, uint64_t t)
{
	b->blk_next = NULL;
	b->blocked = false;
	if (b->preempted)
		sim_schedule(b->run->eng, t, sim_actor_cont, b, SIM_EV_CONT, b->id,
			     b->ep, (uint32_t)b->runs);
	else
		sim_actor_schedule(b, t, b->blk_kind);
}

/* The end of a step: the CPU's and the actor's accounts, and what the body
 * asked for next. */
static void sim_actor_finish(struct sim_actor *a)
{
	struct sim_cpu *cpu = a->cpu;
	struct sim_actor *b;
	uint64_t t0 = a->t0, end = nm_os_time_ns();
	uint64_t busy = end - t0 - a->preempt_ns;

	sim_run_set_cur(a->run, NULL);
	nm_sim_os.self = NULL;
	a->in_step = false;
	a->woken = false;
	cpu->busy_until = end;
	cpu->busy_ns += busy;
	a->busy_ns += busy;
	if (cpu->holder == a) {
		cpu->holder = NULL;
		/* The events that found the CPU held, in arrival order. */
		while ((b = cpu->blk_head) != NULL) {
			cpu->blk_head = b->blk_next;
			sim_cpu_unpark(b, end);
		}
		cpu->blk_tail = NULL;
		cpu->preempt_at = UINT64_MAX;
	}
	if (a->sleeping && a->wake_pending) {
		/* A notification arrived while it ran: not lost, it wakes. */
		a->wake_pending = false;
		a->sleeping = false;
		a->woken = true;
		a->wakeups++;
		sim_actor_schedule(a, a->wake_at > end ? a->wake_at : end,
				   SIM_EV_WAKE);
		return;
	}
	if (a->done || a->sleeping)
		return;
	if (a->again)
		sim_actor_schedule(a, end, SIM_EV_RUN);
	else if (a->poll_ns != 0)
		sim_actor_poll_next(a, t0, end, a->run->cache->transfers == a->xfer0);
	else if (a->at != 0)
		sim_actor_schedule(a, a->at > end ? a->at : end, SIM_EV_TIMER);
}

/* The coroutine of an actor: one body per step, forever. */
static void sim_actor_main(void *arg)
{
	struct sim_actor *a = arg;

	for (;;) {
		a->body(a);
		a->step_done = true;
		sim_coro_yield();
	}
}

/* Remember the next event's time as the running step (re)starts. */
static inline void sim_actor_horizon(struct sim_run *r, const struct sim_cpu *cpu)
{
	r->next_event = sim_engine_next_time(r->eng);
	r->next_cached = r->next_event < cpu->preempt_at ? r->next_event
							 : cpu->preempt_at;
	r->eng->sched_min = UINT64_MAX;
}

/* Run (or go on with) a's step on its coroutine; finish it if it ended. */
static void sim_actor_enter(struct sim_actor *a)
{
	sim_actor_horizon(a->run, a->cpu);
	a->step_done = false;
	if (sim_coro_resume(a->coro) != 0)
		a->run->internal_error(a->run, "an actor's coroutine cannot be resumed");
	if (a->step_done)
		sim_actor_finish(a);
}

static void sim_actor_event(struct sim_engine *e, void *arg,
			    const struct sim_event *ev)
{
	struct sim_actor *a = arg;
	struct sim_cpu *cpu;

	(void)ev;
	a->ev.gen = 0;
	a->parked = false;
	cpu = a->cpu;
	if (cpu->holder != NULL && cpu->holder != a) {
		/* Held by a step suspended in its middle: wait for its end. */
		a->blk_kind = ev->kind;
		sim_cpu_park(cpu, a);
		return;
	}
	if (e->now_ns < cpu->busy_until) {
		if (cpu->fair && !a->waiting) {
			a->waiting = true;
			cpu->waiters++;
		}
		sim_actor_schedule(a, cpu->busy_until, ev->kind);
		return;
	}
	if (cpu->fair) {
		if (!a->waiting && cpu->waiters != 0) {
			/* Another actor waited for this CPU: its event is due
			 * no later than now and queued before this one is
			 * queued again, so it runs first. */
			sim_actor_schedule(a, e->now_ns, ev->kind);
			return;
		}
		if (a->waiting) {
			a->waiting = false;
			cpu->waiters--;
		}
	}
	a->runs++;
	a->again = false;
	a->wake_pending = false;
	a->at = 0;
	a->poll_ns = 0;
	sim_run_set_cur(a->run, a);
	a->in_step = true;
	a->step_no = ++a->run->cache->steps_run;
	a->run->cache->step = a->step_no;
	a->t0 = nm_os_time_ns();
	a->preempt_ns = 0;
	a->xfer0 = a->run->cache->transfers;
	a->lock0 = nm_sim_os.lock_acquired;
	if (!a->run->concurrent) {
		a->body(a);
		sim_actor_finish(a);
		return;
	}
	if (a->coro == NULL) {
		a->coro = sim_coro_create(sim_actor_main, a, 0);
		if (a->coro == NULL)
			a->run->internal_error(a->run, "no stack for an actor's coroutine");
	}
	nm_sim_os.self = a;
	sim_cpu_take(cpu, a, a->t0);
	sim_actor_enter(a);
}

/*
 * Suspend the running actor a at its clock (from its coroutine): a
 * continuation of the given kind resumes it there, after every event
 * queued for an earlier time or already queued for that time.
 */
static void sim_actor_suspend(struct sim_actor *a, uint16_t kind)
{
	struct sim_run *r = a->run;
	uint64_t t = nm_sim_os.now_ns;

	a->susp_frac = nm_sim_os.frac_ps;
	a->susp_read_depth = nm_sim_os.read_depth;
	if (a->susp_read_depth != 0)
		nm_sim_os.readers_suspended++;
	nm_sim_os.read_depth = 0;
	a->cpu->busy_until = t;
	a->suspended = true;
	a->conts++;
	r->conts++;
	r->midstep++;
	if (kind != 0) /* 0: preempted, queued again by its CPU */
		sim_schedule(r->eng, t, sim_actor_cont, a, kind, a->id, a->ep,
			     (uint32_t)a->runs);
	sim_run_set_cur(r, NULL);
	nm_sim_os.self = NULL;
	sim_coro_yield();
	/* Resumed by sim_actor_cont() at t: the engine set the clock to t. */
	r->midstep--;
	a->suspended = false;
	/* Its transfers stream on from where they stopped (sim_cache.h):
	 * being cut by other events changes no cost. */
	r->cache->step = a->step_no;
	nm_sim_os.frac_ps = a->susp_frac;
	nm_sim_os.read_depth = a->susp_read_depth;
	if (a->susp_read_depth != 0)
		nm_sim_os.readers_suspended--;
	sim_run_set_cur(r, a);
	nm_sim_os.self = a;
}

/*
 * At a step boundary of a (its continuation is due): an interrupt handler
 * waiting for a's CPU runs now, and a goes on after it.  True if so.
 */
static bool sim_actor_irq_preempts(struct sim_actor *a, uint64_t now)
{
	struct sim_cpu *cpu = a->cpu;
	struct sim_actor *b = cpu->blk_head, *prev = NULL;

	if (a->irq_off != 0 || a->irq || cpu->holder != a)
		return false;
	for (; b != NULL && !b->irq; prev = b, b = b->blk_next)
		;
	if (b == NULL)
		return false;
	if (prev != NULL)
		prev->blk_next = b->blk_next;
	else
		cpu->blk_head = b->blk_next;
	if (cpu->blk_tail == b)
		cpu->blk_tail = prev;
	cpu->preemptions++;
	a->run->preemptions++;
	cpu->holder = NULL;
	a->preempted = true;
	a->preempt_from = now;
	/* First in line again once the handler's step ends. */
	a->blocked = true;
	a->blk_next = cpu->blk_head;
	cpu->blk_head = a;
	if (cpu->blk_tail == NULL)
		cpu->blk_tail = a;
	sim_cpu_unpark(b, now);
	return true;
}

static void sim_actor_cont(struct sim_engine *e, void *arg,
			   const struct sim_event *ev)
{
	struct sim_actor *a = arg;
	struct sim_cpu *cpu = a->cpu;

	(void)ev;
	if (!a->preempted && sim_actor_irq_preempts(a, e->now_ns))
		return;
	if (a->preempted) {
		if (cpu->holder != NULL && cpu->holder != a) {
			sim_cpu_park(cpu, a);
			return;
		}
		if (cpu->fair && a->waiting) {
			a->waiting = false;
			cpu->waiters--;
		}
		a->preempted = false;
		a->preempt_ns += e->now_ns - a->preempt_from;
		sim_cpu_take(cpu, a, e->now_ns);
	}
	sim_actor_enter(a);
}

/*
 * a's time slice is over and others wait for its CPU: a is parked at the
 * end of the CPU's list (to go on where it stopped) and the first waiter
 * runs now.
 */
static void sim_actor_preempt(struct sim_actor *a)
{
	struct sim_cpu *cpu = a->cpu;
	struct sim_actor *b = cpu->blk_head;

	cpu->preemptions++;
	a->run->preemptions++;
	cpu->holder = NULL;
	cpu->blk_head = b->blk_next;
	if (cpu->blk_head == NULL)
		cpu->blk_tail = NULL;
	a->preempted = true;
	a->preempt_from = nm_sim_os.now_ns;
	sim_cpu_park(cpu, a);
	cpu->preempt_at = UINT64_MAX;
	sim_cpu_unpark(b, nm_sim_os.now_ns);
	sim_actor_suspend(a, 0);
}

/*
 * The running actor's clock passed the next event it saw when its step
 * (re)started, or what was queued since: suspend it if it is really past
 * (the quantum, a preemption due).  Out of line: sim_actor_hook() calls it
 * at about one step in ten on the embedded default.
 */
static __attribute__((noinline)) void sim_actor_sync_run(struct sim_run *r)
{
	struct sim_actor *a = r->cur;
	uint64_t next = r->next_cached;

	if (r->eng->sched_min < next)
		next = r->eng->sched_min;
	/* Not past the next event (a cancelled one counts: it is in the
	 * queue's order as in sim_engine_next_time()). */
	if (nm_sim_os.now_ns <= next || nm_sim_os.now_ns - next <= r->quantum_ns)
		return;
	if (a == NULL || a->coro == NULL || sim_coro_current() != a->coro)
		return;
	if (a->cpu->holder == a && a->cpu->blk_head != NULL &&
	    nm_sim_os.now_ns >= a->cpu->preempt_at) {
		sim_actor_preempt(a);
		return;
	}
	next = r->next_event < r->eng->sched_min ? r->next_event : r->eng->sched_min;
	if (nm_sim_os.now_ns <= next || nm_sim_os.now_ns - next <= r->quantum_ns)
		return;
	sim_actor_suspend(a, SIM_EV_CONT);
}

static void sim_actor_fwd_load(struct sim_actor *a, const volatile void *addr)
{
	uintptr_t off = (uintptr_t)addr - a->fwd_lo;

	if (off < a->fwd_len && off % a->fwd_stride == a->fwd_off) {
		sim_cost_charge(SIM_C_SWITCH_PKT, 1);
		(*a->fwd_count)++;
	}
}

/* The lock step of an acquisition that had to wait: it holds it now. */
static __attribute__((noinline)) void sim_actor_lock_step(struct sim_run *r,
							  const volatile void *addr)
{
	if (r->cur != NULL && (const void *)r->cur->waiting_on == (const void *)addr)
		r->cur->waiting_on = NULL;
}

/*
 * After every step of the core.  The common case (an access the cache
 * model has just seen, a clock not past the next event) is inline and
 * calls nothing: this runs some 15 M times on the embedded default.
 */
void sim_actor_hook(enum nm_sim_step kind, const volatile void *addr,
		    void *arg)
{
	struct sim_run *r = arg;

	if (kind == NM_SIM_COPY_BYTE && r->cur != NULL && nm_sim_os.hook_count >= 16)
		r->cur->copy_bytes += nm_sim_os.hook_count;
	/* The cache model looks only at these (sim_cache_hook()). */
	if (((1U << kind) & SIM_CACHE_KINDS) && addr != NULL) {
		sim_cache_access(r->cache, kind, addr);
		/* A packet taken by a forwarding sync: its switch work is
		 * done here, before the copy and the publication that
		 * follow it. */
		if (kind == NM_SIM_SHARED_LOAD && r->cur != NULL && r->cur->fwd_len != 0)
			sim_actor_fwd_load(r->cur, addr);
	} else if (kind == NM_SIM_LOCK) {
		sim_actor_lock_step(r, addr);
	}
	/* Not past the next event, cached or queued since (the engine
	 * lowers next_cached): the exact test (quantum included) is
	 * sim_actor_sync_run()'s. */
	if (nm_sim_os.now_ns <= r->next_cached)
		return;
	sim_actor_sync_run(r);
}

void sim_actor_concurrent_on(struct sim_run *r, uint64_t quantum_ns)
{
	r->concurrent = true;
	r->quantum_ns = quantum_ns;
	r->eng->sched_watch = &r->next_cached;
	nm_sim_os.hook = sim_actor_hook;
	nm_sim_os.hook_arg = r;
	nm_sim_os.wait = sim_actor_wait;
	nm_sim_os.wait_arg = r;
}

void sim_actor_concurrent_off(void)
{
	nm_sim_os.wait = NULL;
	nm_sim_os.wait_arg = NULL;
	nm_sim_os.self = NULL;
	nm_sim_os.readers_suspended = 0;
}

void sim_actor_fini(struct sim_actor *a)
{
	if (a->coro != NULL && a->suspended) {
		a->run->midstep--;
		if (a->susp_read_depth != 0)
			nm_sim_os.readers_suspended--;
	}
	sim_coro_destroy(a->coro);
	a->coro = NULL;
}

/* Record a deadlock and stop the run: a is left suspended for good. */
static void sim_actor_deadlock(struct sim_actor *a, const struct nm_os_lock *l,
			       const struct sim_actor *h, const char *why)
{
	struct sim_run *r = a->run;

	snprintf(r->deadlock, sizeof(r->deadlock),
		 "%s waits for a lock held by %s: %s", a->name,
		 h != NULL ? h->name : "no actor", why);
	sim_engine_stop(r->eng);
	a->waiting_on = l;
	sim_actor_suspend(a, SIM_EV_SPIN);
	/* Resumed only if the run is continued past the deadlock: the
	 * continuation was queued, so look again. */
	a->waiting_on = NULL;
}

/* Passed over by a spinner looking for what can free its lock. */
static bool sim_actor_spin_event(const struct sim_event *ev, void *arg)
{
	(void)arg;
	return ev->kind == SIM_EV_SPIN && ev->fn == sim_actor_cont;
}

/*
 * nm_sim_os.wait: the running actor found a lock held (or readers open in
 * suspended actors).  It spins: one lock step charged, then suspended until
 * the next event (something else must run for the lock to come free), as a
 * CPU spinning on a cache line sees the release when it happens.  Before
 * that, the chain of holders is followed: back to itself, or to a holder
 * that is not in a step (nothing will release), is a deadlock.
 */
static void sim_actor_wait(enum nm_sim_wait why, const void *obj, void *arg)
{
	struct sim_run *r = arg;
	struct sim_actor *a = r->cur, *h;
	const struct nm_os_lock *l = obj;
	uint64_t t0 = nm_sim_os.now_ns, next;
	uint32_t hops;

	if (a == NULL || a->coro == NULL || sim_coro_current() != a->coro)
		r->internal_error(r, why == NM_SIM_WAIT_LOCK
			? "a lock held outside a step (deadlock)"
			: "read_synchronize outside a step with readers suspended");
	if (why == NM_SIM_WAIT_LOCK) {
		h = (struct sim_actor *)l->owner;
		for (hops = 0; ; hops++) {
			if (h == a || hops > 65535) {
				sim_actor_deadlock(a, l, (struct sim_actor *)l->owner,
						   "a cycle of actors waiting for each other's locks");
				return;
			}
			if (h == NULL || !h->in_step) {
				sim_actor_deadlock(a, l, h, "its holder is not in a step and will not release it");
				return;
			}
			if (h->waiting_on == NULL)
				break;
			h = (struct sim_actor *)h->waiting_on->owner;
		}
		if (a->waiting_on != l) {
			a->lock_waits++;
			r->lock_waits++;
		}
		a->waiting_on = l;
	}
	nm_sim_step(NM_SIM_LOCK, NULL, 1);
	/* Other spinners change nothing: wait for what can. */
	next = sim_engine_next_time_except(r->eng, sim_actor_spin_event, NULL);
	if (next == UINT64_MAX) {
		sim_actor_deadlock(a, l, l != NULL ? (struct sim_actor *)l->owner : NULL,
				   "nothing else is left to run");
		return;
	}
	if (next > nm_sim_os.now_ns) {
		/* Spinning until then: the time is charged as busy. */
		nm_sim_os.now_ns = next;
		nm_sim_os.frac_ps = 0;
	}
	r->lock_spins++;
	sim_actor_suspend(a, SIM_EV_SPIN);
	/* waiting_on stays set until the lock step of the acquisition
	 * (sim_actor_hook()): the deadlock check follows it. */
	a->lock_spin_ns += nm_sim_os.now_ns - t0;
	r->lock_spin_ns += nm_sim_os.now_ns - t0;
}
