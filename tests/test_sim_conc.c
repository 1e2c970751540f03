/*
 * test_sim_conc.c - actors running concurrently in virtual time (issue 12,
 * the concurrent model of sim_actor.h).
 *
 * Groups: order (an actor is suspended where its clock passes the next
 * event, not where it reaches it; a continuation runs after the events
 * already queued for its time; a store is visible at its virtual time and
 * not before, which the step model gets wrong), lock (a lock held by a
 * suspended actor makes the acquirer spin until it is released, counted;
 * a cycle of lock waiters and a lock held by an actor between steps are
 * deadlocks that stop the run), preempt (a host CPU's time slice parks a
 * long step for a waiting one, and it goes on later where it stopped; a
 * guest interrupt handler preempts its vCPU's application at a step
 * boundary, except in driver code),
 * cache (a step's cache-line transfers stream even when other actors'
 * steps interleave with it), stacks (every coroutine is freed).
 *
 * Each step here is a run of shared loads of 100 ns each (nm_sim_os
 * costs), so clocks move in known amounts.
 */
#include "sim_test.h"

#include "sim_actor.h"
#include "sim_coro.h"
#include "sim_cost.h"
#include "sim_world.h"

#define STEP_PS 100000ULL /* a shared load: 100 ns */

static volatile uint32_t shared_x, scratch;
static char logbuf[256];
static size_t logn;

static void logc(char c, uint64_t t)
{
	logn += (size_t)snprintf(logbuf + logn, sizeof(logbuf) - logn, "%c%llu ",
				 c, (unsigned long long)t);
}

/* n shared loads: n * 100 ns, each a suspension point. */
static void burn(uint32_t n)
{
	while (n-- != 0)
		(void)nm_os_shared_load32(&scratch);
}

static struct sim_world *conc_world(bool concurrent)
{
	struct sim_world *w = calloc(1, sizeof(*w));
	uint64_t costs[NM_SIM_STEP_KINDS] = { 0 };

	assert_non_null(w);
	costs[NM_SIM_SHARED_LOAD] = STEP_PS;
	costs[NM_SIM_SHARED_STORE] = STEP_PS;
	costs[NM_SIM_LOCK] = STEP_PS;
	nm_sim_os_reset(costs);
	sim_world_init(w);
	assert_int_equal(sim_engine_init(&w->eng), 0);
	assert_int_equal(sim_cache_init(&w->cache), 0);
	nm_sim_os.hook = sim_cache_hook;
	nm_sim_os.hook_arg = &w->run;
	if (concurrent)
		sim_actor_concurrent_on(&w->run, 0);
	logn = 0;
	logbuf[0] = '\0';
	shared_x = 0;
	return w;
}

static void conc_world_free(struct sim_world *w, struct sim_actor *a, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		sim_actor_fini(&a[i]);
	sim_actor_concurrent_off();
	nm_sim_os.hook = NULL;
	sim_cache_fini(&w->cache);
	sim_engine_fini(&w->eng);
	free(w);
}

/* Actors a (fa, from 0) and b (fb, from b_at) in w, run to the end. */
static void run_pair(struct sim_world *w, struct sim_actor *act,
		     sim_actor_body fa, const char *na, sim_actor_body fb,
		     const char *nb, uint64_t b_at)
{
	sim_actor_init(&act[0], &w->run, na, 0, fa, NULL, NULL);
	sim_actor_init(&act[1], &w->run, nb, 1, fb, NULL, NULL);
	sim_actor_start(&act[0], 0);
	sim_actor_start(&act[1], b_at);
	sim_engine_run(&w->eng, UINT64_MAX);
}

/* ---- order */

/* A: log, burn 5 steps (0..500 ns), log.  B (at 300): log. */
static void order_a(struct sim_actor *a)
{
	logc('a', nm_os_time_ns());
	burn(5);
	logc('A', nm_os_time_ns());
	a->done = true;
}

static void order_b(struct sim_actor *a)
{
	logc('b', nm_os_time_ns());
	a->done = true;
}

static void run_order(bool concurrent, uint64_t b_at, const char *want)
{
	struct sim_world *w = conc_world(concurrent);
	struct sim_actor act[2];

	run_pair(w, act, order_a, "a", order_b, "b", b_at);
	printf("    %s\n", logbuf);
	assert_string_equal(logbuf, want);
	conc_world_free(w, act, 2);
}

static void test_sim_conc_suspends_past_next_event(void **state)
{
	(void)state;
	/* A's clock passes 250 at 300: B runs at 250, A goes on at 300. */
	run_order(true, 250, "a0 b250 A500 ");
	/* The step model runs A's whole step at 0. */
	run_order(false, 250, "a0 A500 b250 ");
}

/* sim.quantum_ns: A may run up to 300 ns past B's event before it is
 * suspended, so with B at 250 it is cut at 600 -> not at all (its step
 * ends at 500); B then runs late, at its own event time 250 but after A. */
static void test_sim_conc_quantum_trades_exactness(void **state)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];

	(void)state;
	w->run.quantum_ns = 300;
	run_pair(w, act, order_a, "a", order_b, "b", 250);
	printf("    %s\n", logbuf);
	assert_string_equal(logbuf, "a0 A500 b250 ");
	assert_int_equal(w->run.conts, 0);
	conc_world_free(w, act, 2);
}

static void test_sim_conc_tie_goes_to_running_actor(void **state)
{
	(void)state;
	/* A reaches 300 exactly (not past): no switch there; it is suspended
	 * at 400, after B's event at 300 has become the next one. */
	run_order(true, 300, "a0 b300 A500 ");
}

/* Equal times: the continuation of A at 200 is queued after C's event at
 * 200, which was queued first; B at 150 cuts A. */
static void order_c(struct sim_actor *a)
{
	logc('c', nm_os_time_ns());
	a->done = true;
}

static void test_sim_conc_continuation_after_queued_events(void **state)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[3];

	(void)state;
	sim_actor_init(&act[0], &w->run, "a", 0, order_a, NULL, NULL);
	sim_actor_init(&act[1], &w->run, "b", 1, order_b, NULL, NULL);
	sim_actor_init(&act[2], &w->run, "c", 2, order_c, NULL, NULL);
	sim_actor_start(&act[2], 200);
	sim_actor_start(&act[0], 0);
	sim_actor_start(&act[1], 150);
	sim_engine_run(&w->eng, UINT64_MAX);
	printf("    %s\n", logbuf);
	/* A suspended at 200 (past 150): B at 150, C at 200 (queued before
	 * A's continuation at 200), then A on. */
	assert_string_equal(logbuf, "a0 b150 c200 A500 ");
	assert_true(w->run.conts >= 1);
	assert_int_equal(w->run.midstep, 0);
	conc_world_free(w, act, 3);
}

/* Visibility: A stores x = 1 after 5 steps (at 500 ns); B reads x at 300
 * and at 700. */
static uint32_t seen[2];

static void vis_a(struct sim_actor *a)
{
	burn(5);
	nm_os_shared_store32(&shared_x, 1);
	burn(1);
	a->done = true;
}

static void vis_b(struct sim_actor *a)
{
	seen[a->runs - 1] = nm_os_shared_load32(&shared_x);
	if (a->runs == 1)
		sim_actor_at(a, 700);
	else
		a->done = true;
}

static void run_vis(bool concurrent)
{
	struct sim_world *w = conc_world(concurrent);
	struct sim_actor act[2];

	seen[0] = seen[1] = 7;
	run_pair(w, act, vis_a, "a", vis_b, "b", 300);
	conc_world_free(w, act, 2);
}

static void test_sim_conc_store_visible_at_its_time(void **state)
{
	(void)state;
	run_vis(true);
	assert_int_equal(seen[0], 0); /* at 300: not yet stored */
	assert_int_equal(seen[1], 1); /* at 700: stored at 500 */
	/* The step model makes the store visible at its step's start (0):
	 * B sees it at 300, 200 ns early.  This is what the concurrent model
	 * fixes. */
	run_vis(false);
	assert_int_equal(seen[0], 1);
}

/* ---- lock */

static struct nm_os_lock lk[2];
static uint64_t got_at[2];

/* A: take lk0 at 0, hold it 1000 ns, release.  B (at 200): take lk0. */
static void lock_a(struct sim_actor *a)
{
	nm_os_lock_acquire(&lk[0]);
	burn(10);
	nm_os_lock_release(&lk[0]);
	a->done = true;
}

static void lock_b(struct sim_actor *a)
{
	nm_os_lock_acquire(&lk[0]);
	got_at[1] = nm_os_time_ns();
	nm_os_lock_release(&lk[0]);
	a->done = true;
}

static void test_sim_conc_lock_contended_and_released(void **state)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];

	(void)state;
	nm_os_lock_init(&lk[0]);
	run_pair(w, act, lock_a, "a", lock_b, "b", 200);
	assert_int_equal(w->run.deadlock[0], '\0');
	/* A holds it from 0 (+100, its lock step) to 1100 and releases it
	 * with a lock step (1200): B, spinning, gets it then. */
	printf("    b got the lock at %llu ns, spun %llu ns in %llu rounds\n",
	       (unsigned long long)got_at[1],
	       (unsigned long long)w->run.lock_spin_ns,
	       (unsigned long long)w->run.lock_spins);
	assert_true(got_at[1] >= 1100);
	assert_true(got_at[1] <= 1400);
	assert_int_equal(w->run.lock_waits, 1);
	assert_int_equal(act[1].lock_waits, 1);
	assert_true(w->run.lock_spin_ns >= 800);
	assert_false(lk[0].held);
	assert_null(act[1].waiting_on);
	conc_world_free(w, act, 2);
	nm_os_lock_fini(&lk[0]);
}

/* The contended acquisition above, seen per lock class: B's one wait is
 * counted in lk0's class with the virtual time it spun, A's is not. */
static void test_sim_conc_lock_wait_per_class(void **state)
{
	struct sim_world *w = conc_world(true);
	const struct nm_sim_lock_class *c;
	struct sim_actor act[2];

	(void)state;
	nm_os_lock_init(&lk[0]);
	nm_sim_lock_name(&lk[0], "test.held_long");
	c = &nm_sim_lock_classes[lk[0].cls];
	run_pair(w, act, lock_a, "a", lock_b, "b", 200);
	assert_int_equal(w->run.deadlock[0], '\0');
	printf("    class %s: acquired %llu contended %llu waited %llu ns (max %llu)\n",
	       c->name, (unsigned long long)c->acquired,
	       (unsigned long long)c->contended, (unsigned long long)c->wait_ns,
	       (unsigned long long)c->wait_max_ns);
	assert_string_equal(c->name, "test.held_long");
	assert_true(c->acquired == 2);
	assert_true(c->contended == 1);
	/* From B's look at 200 (+100, its first lock step) to the release. */
	assert_true(c->wait_ns == w->run.lock_spin_ns);
	assert_true(c->wait_ns >= 800 && c->wait_ns <= 1200);
	assert_true(c->wait_max_ns == c->wait_ns);
	conc_world_free(w, act, 2);
	nm_os_lock_fini(&lk[0]);
}

/* A: lk0, then lk1; B: lk1, then lk0: each holds one, waits for the other. */
static void dead_a(struct sim_actor *a)
{
	nm_os_lock_acquire(&lk[0]);
	burn(5);
	nm_os_lock_acquire(&lk[1]);
	a->done = true;
}

static void dead_b(struct sim_actor *a)
{
	nm_os_lock_acquire(&lk[1]);
	burn(5);
	nm_os_lock_acquire(&lk[0]);
	a->done = true;
}

static void test_sim_conc_deadlock_detected(void **state)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];

	(void)state;
	nm_os_lock_init(&lk[0]);
	nm_os_lock_init(&lk[1]);
	run_pair(w, act, dead_a, "alpha", dead_b, "beta", 50);
	printf("    %s\n", w->run.deadlock);
	assert_non_null(strstr(w->run.deadlock, "cycle"));
	assert_non_null(strstr(w->run.deadlock, "alpha"));
	assert_non_null(strstr(w->run.deadlock, "beta"));
	/* The actors stay suspended; freeing them drops their stacks. */
	conc_world_free(w, act, 2);
	assert_int_equal(nm_sim_os.readers_suspended, 0);
}

/* A takes lk0 and ends its step holding it; B then waits forever. */
static void leak_a(struct sim_actor *a)
{
	nm_os_lock_acquire(&lk[0]);
	a->done = true;
}

static void test_sim_conc_deadlock_holder_between_steps(void **state)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];

	(void)state;
	nm_os_lock_init(&lk[0]);
	run_pair(w, act, leak_a, "holder", lock_b, "waiter", 500);
	printf("    %s\n", w->run.deadlock);
	assert_non_null(strstr(w->run.deadlock, "not in a step"));
	assert_non_null(strstr(w->run.deadlock, "waiter"));
	conc_world_free(w, act, 2);
}

/* ---- preempt */

/* Two 1000 ns steps on one host CPU with a 300 ns slice. */
static void long_step(struct sim_actor *a)
{
	logc(a->ep == 0 ? 'a' : 'b', nm_os_time_ns());
	burn(10);
	logc(a->ep == 0 ? 'A' : 'B', nm_os_time_ns());
	a->done = true;
}

static void run_preempt(uint64_t slice_ns, uint64_t *preemptions)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];
	struct sim_cpu cpu;

	memset(&cpu, 0, sizeof(cpu));
	sim_cpu_init(&cpu, slice_ns);
	sim_actor_init(&act[0], &w->run, "a", 0, long_step, NULL, NULL);
	sim_actor_init(&act[1], &w->run, "b", 1, long_step, NULL, NULL);
	sim_actor_pin(&act[0], &cpu);
	sim_actor_pin(&act[1], &cpu);
	sim_actor_start(&act[0], 0);
	sim_actor_start(&act[1], 50);
	sim_engine_run(&w->eng, UINT64_MAX);
	printf("    slice %llu ns: %s(%llu preemptions)\n",
	       (unsigned long long)slice_ns, logbuf,
	       (unsigned long long)cpu.preemptions);
	/* One CPU: 2000 ns of steps back to back, whoever runs. */
	assert_int_equal(cpu.busy_ns, 2000);
	assert_int_equal(cpu.busy_until, 2000);
	assert_int_equal(cpu.waiters, 0);
	assert_null(cpu.holder);
	*preemptions = cpu.preemptions;
	conc_world_free(w, act, 2);
}

static void test_sim_conc_timeslice_preempts(void **state)
{
	uint64_t n;

	(void)state;
	/* No slice: a's step runs to its end, then b's. */
	run_preempt(0, &n);
	assert_int_equal(n, 0);
	assert_string_equal(logbuf, "a0 A1000 b1000 B2000 ");
	/* 300 ns: they alternate by 400 ns (the first step boundary past
	 * the slice): a 0-400, b 400-800, a 800-1200, b 1200-1600, a to its
	 * end at 1800, b to 2000. */
	run_preempt(300, &n);
	assert_int_equal(n, 4);
	assert_string_equal(logbuf, "a0 b400 A1800 B2000 ");
}

/*
 * A guest's interrupt handler (i) shares the vCPU of its application (a,
 * one 1000 ns step from 0) and is woken at 250.  Concurrently it runs at
 * a's next step boundary (300: a's clock passes 250 there), for 100 ns,
 * and a's step goes on at 400 and ends at 1100, busy 1000 ns.  Inside an
 * irq_off section (driver code) it waits for the step's end, as it did
 * for every step before: at 1000.
 */
static bool irq_off_all;

static void irq_app(struct sim_actor *a)
{
	if (irq_off_all)
		a->irq_off++;
	long_step(a);
	if (irq_off_all)
		a->irq_off--;
}

static void irq_handler(struct sim_actor *a)
{
	logc('i', nm_os_time_ns());
	burn(1);
	logc('I', nm_os_time_ns());
	a->sleeping = true;
}

static void run_irq(bool off, const char *want)
{
	struct sim_world *w = conc_world(true);
	struct sim_actor act[2];

	irq_off_all = off;
	sim_actor_init(&act[0], &w->run, "a", 0, irq_app, NULL, NULL);
	sim_actor_init(&act[1], &w->run, "a.irq", 0, irq_handler, NULL, NULL);
	sim_actor_set_irq(&act[1], &act[0]);
	act[1].sleeping = true;
	sim_actor_start(&act[0], 0);
	sim_actor_wake(&act[1], 250);
	sim_engine_run(&w->eng, UINT64_MAX);
	printf("    %s\n", logbuf);
	assert_string_equal(logbuf, want);
	assert_int_equal(act[0].busy_ns, 1000);
	assert_int_equal(act[0].cpu->preemptions, off ? 0 : 1);
	assert_null(act[0].cpu->holder);
	conc_world_free(w, act, 2);
}

static void test_sim_conc_irq_preempts_vcpu_app(void **state)
{
	(void)state;
	run_irq(false, "a0 i300 I400 A1100 ");
	run_irq(true, "a0 A1000 i1000 I1100 ");
}

/* ---- cache: a step's cache-line transfers stream, interleaved or not */

/* Three lines per actor, first touched outside any actor (from memory). */
static struct {
	volatile uint32_t w __attribute__((aligned(64)));
} lines[6];

static void xfer_body(struct sim_actor *a, uint32_t first)
{
	uint32_t i;

	logc(a->name[0], nm_os_time_ns());
	for (i = first; i < first + 3; i++)
		nm_os_shared_store32(&lines[i].w, i);
	logc((char)(a->name[0] - 'a' + 'A'), nm_os_time_ns());
	a->done = true;
}

static void xfer_a(struct sim_actor *a)
{
	xfer_body(a, 0);
}

static void xfer_b(struct sim_actor *a)
{
	xfer_body(a, 3);
}

/*
 * A (from 0) and B (from 50) each store to three lines held elsewhere:
 * three transfers each, the first at the latency (80 ns), the next two
 * streaming (5 ns), plus 100 ns per store: 390 ns a step.  Concurrently
 * their stores alternate; each actor's own transfers still stream (the
 * rule is per step, and B's transfer between two of A's does not stall
 * A's CPU).  Kept for the whole run, the "last step to transfer" made
 * every one of them pay 80 ns (540 ns a step), which is what made pipes
 * and the fast consumer slower under the concurrent model.
 */
static void run_xfer(bool concurrent, const char *want)
{
	struct sim_world *w = conc_world(concurrent);
	struct sim_costs c;
	struct sim_actor act[2];
	uint32_t i;

	sim_costs_default(&c);
	sim_cost_now = c;
	for (i = 0; i < 6; i++)
		nm_os_shared_store32(&lines[i].w, 0); /* no actor: from memory */
	nm_sim_os.now_ns = 0;
	nm_sim_os.frac_ps = 0;
	run_pair(w, act, xfer_a, "a", xfer_b, "b", 50);
	printf("    %s\n", logbuf);
	assert_string_equal(logbuf, want);
	assert_int_equal(w->cache.transfers, 6);
	conc_world_free(w, act, 2);
}

static void test_sim_conc_cache_stream_per_step(void **state)
{
	(void)state;
	run_xfer(false, "a0 A390 b50 B440 ");
	run_xfer(true, "a0 b50 A390 B440 ");
}

/* ---- stacks */

static void test_sim_conc_stacks_freed(void **state)
{
	struct sim_coro_stats before, after;

	(void)state;
	sim_coro_stats(&before);
	test_sim_conc_deadlock_detected(state);
	test_sim_conc_lock_contended_and_released(state);
	sim_coro_stats(&after);
	assert_int_equal(after.live, before.live);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest order[] = {
		cmocka_unit_test(test_sim_conc_suspends_past_next_event),
		cmocka_unit_test(test_sim_conc_tie_goes_to_running_actor),
		cmocka_unit_test(test_sim_conc_quantum_trades_exactness),
		cmocka_unit_test(test_sim_conc_continuation_after_queued_events),
		cmocka_unit_test(test_sim_conc_store_visible_at_its_time),
	};
	static const struct CMUnitTest lock[] = {
		cmocka_unit_test(test_sim_conc_lock_contended_and_released),
		cmocka_unit_test(test_sim_conc_lock_wait_per_class),
		cmocka_unit_test(test_sim_conc_deadlock_detected),
		cmocka_unit_test(test_sim_conc_deadlock_holder_between_steps),
	};
	static const struct CMUnitTest preempt[] = {
		cmocka_unit_test(test_sim_conc_timeslice_preempts),
		cmocka_unit_test(test_sim_conc_irq_preempts_vcpu_app),
	};
	static const struct CMUnitTest cache[] = {
		cmocka_unit_test(test_sim_conc_cache_stream_per_step),
	};
	static const struct CMUnitTest stacks[] = {
		cmocka_unit_test(test_sim_conc_stacks_freed),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("order", order),
		NM_TEST_GROUP("lock", lock),
		NM_TEST_GROUP("preempt", preempt),
		NM_TEST_GROUP("cache", cache),
		NM_TEST_GROUP("stacks", stacks),
	};

	return nm_test_main("sim_conc", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
