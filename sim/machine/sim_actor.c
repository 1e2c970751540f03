/*
 * sim_actor.c - running actors on their own CPUs.
 *
 * One event per step.  An event that finds the actor's CPU busy (its
 * previous step ends later) is moved to the end of that step, so an actor
 * never runs two steps at once and never goes back in time.  On a fair CPU
 * such an actor is counted as a waiter, and an event of an actor that did
 * not wait yields (requeued at the same time, behind the waiters).
 */
#include "sim_actor.h"

#include <stdio.h>
#include <string.h>

#include "nm_os.h"
#include "sim_cache.h"
#include "sim_run.h"

static void sim_actor_event(struct sim_engine *e, void *arg,
			    const struct sim_event *ev);

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
	run->add_actor(run, a);
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

void sim_actor_wake(struct sim_actor *a, uint64_t t)
{
	if (a->done)
		return;
	if (a->run->cur == a) {
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
	bool steady = a->poll_idle && a->idle_prev && cost == a->idle_cost &&
		      busy == a->idle_mark + 1 && !r->step_by_step;
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
		a->run->cache->step += n;
		e->executed += n;
		a->run->checks_repeat(a->run, n);
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

static void sim_actor_event(struct sim_engine *e, void *arg,
			    const struct sim_event *ev)
{
	struct sim_actor *a = arg;
	uint64_t t0, end, xfer0;

	(void)ev;
	a->ev.gen = 0;
	a->parked = false;
	if (e->now_ns < a->cpu->busy_until) {
		if (a->cpu->fair && !a->waiting) {
			a->waiting = true;
			a->cpu->waiters++;
		}
		sim_actor_schedule(a, a->cpu->busy_until, ev->kind);
		return;
	}
	if (a->cpu->fair) {
		if (!a->waiting && a->cpu->waiters != 0) {
			/* Another actor waited for this CPU: its event is due
			 * no later than now and queued before this one is
			 * queued again, so it runs first. */
			sim_actor_schedule(a, e->now_ns, ev->kind);
			return;
		}
		if (a->waiting) {
			a->waiting = false;
			a->cpu->waiters--;
		}
	}
	a->runs++;
	a->again = false;
	a->wake_pending = false;
	a->at = 0;
	a->poll_ns = 0;
	a->run->cur = a;
	a->run->cache->step++;
	t0 = nm_os_time_ns();
	xfer0 = a->run->cache->transfers;
	a->body(a);
	end = nm_os_time_ns();
	a->run->cur = NULL;
	a->woken = false;
	a->cpu->busy_until = end;
	a->cpu->busy_ns += end - t0;
	a->busy_ns += end - t0;
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
		sim_actor_poll_next(a, t0, end, a->run->cache->transfers == xfer0);
	else if (a->at != 0)
		sim_actor_schedule(a, a->at > end ? a->at : end, SIM_EV_TIMER);
}
