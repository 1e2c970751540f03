/*
 * test_sim_wmem.c - the simulator's weak memory (sim/machine/sim_wmem.c):
 * what each primitive lets another actor see, under tso and arm.
 *
 * Two actors (a writer and a reader) and four shared words; the tests set
 * the clock and the running actor by hand (nm_sim_os.now_ns, sim_run.cur) and
 * run the engine for the drain events, so each assertion is about one
 * ordering rule:
 *  - tso: a store is invisible to others until its due time or the
 *    writer's full fence, its writer reads it at once, buffers drain in
 *    order, a notification drains, outside the shared words nothing is
 *    buffered, the due time never passes sim.store_visibility_ns;
 *  - arm: stores drain out of order (some seed shows it) unless a
 *    store-store fence or a release separates them (no seed does); a load
 *    may return an older value (some seed) unless a load-load fence, an
 *    acquire or a woken step orders it (no seed), never goes back past
 *    a value it already read (coherence), and never returns what a word
 *    held before a store an actor with a clock ahead already made
 *    visible;
 *  - the same seed draws the same due times (determinism).
 */
#include "nm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_actor.h"
#include "sim_engine.h"
#include "sim_run.h"
#include "sim_wmem.h"

enum { VIS = 1000, SEEDS = 200 };

struct fixture {
	struct sim_engine eng;
	struct sim_run run;
	struct sim_actor w, r; /* writer, reader */
	struct sim_wmem *m;
	volatile uint32_t word[4] __attribute__((aligned(64)));
	volatile uint32_t plain;
};

static __attribute__((noreturn)) void no_error(struct sim_run *r,
						const char *what)
{
	(void)r;
	fprintf(stderr, "weak memory: internal error: %s\n", what);
	abort();
}

static struct fixture *setup(enum sim_memory model, uint64_t seed)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	nm_sim_os_reset(NULL);
	assert_int_equal(sim_engine_init(&f->eng), 0);
	f->run.eng = &f->eng;
	f->run.internal_error = no_error;
	f->w.id = 0;
	f->r.id = 1;
	f->m = sim_wmem_create(&f->run, model, VIS, seed);
	assert_non_null(f->m);
	assert_int_equal(sim_wmem_share(f->m, f->word, sizeof(f->word)), 0);
	/* Overlapping or unaligned ranges are refused. */
	assert_int_equal(sim_wmem_share(f->m, &f->word[2], 4), -EINVAL);
	assert_int_equal(sim_wmem_share(f->m, (volatile char *)&f->plain + 1, 4), -EINVAL);
	return f;
}

static void teardown(struct fixture *f)
{
	sim_wmem_destroy(f->m);
	assert_null(nm_sim_os.mem);
	sim_engine_fini(&f->eng);
	free(f);
}

/* Run actor a's access at time t. */
static void as(struct fixture *f, struct sim_actor *a, uint64_t t)
{
	f->run.cur = a;
	nm_sim_os.now_ns = t;
}

/* Every drain event due by t runs (the clock is the engine's). */
static void until(struct fixture *f, uint64_t t)
{
	f->run.cur = NULL;
	sim_engine_run(&f->eng, t);
	nm_sim_os.now_ns = t;
}

static void test_sim_wmem_tso_buffer(void **state)
{
	struct fixture *f = setup(SIM_MEM_TSO, 1);

	(void)state;
	as(f, &f->w, 100);
	nm_os_shared_store32(&f->word[0], 7);
	/* Not in memory yet: the reader (and a plain reader) see the old
	 * value; the writer sees its own store. */
	assert_int_equal(f->word[0], 0);
	as(f, &f->r, 100);
	assert_int_equal(nm_os_shared_load32(&f->word[0]), 0);
	as(f, &f->w, 100);
	assert_int_equal(nm_os_shared_load32(&f->word[0]), 7);
	/* Visible by the end of the window, through the drain event. */
	until(f, 100 + VIS + 1000);
	assert_int_equal(f->word[0], 7);
	assert_int_equal(sim_wmem_stats(f->m)->drained_due, 1);
	/* A full fence drains at once; so does a notification. */
	as(f, &f->w, 5000);
	nm_os_shared_store32(&f->word[1], 8);
	nm_os_fence_store_load();
	assert_int_equal(f->word[1], 8);
	nm_os_shared_store32(&f->word[2], 9);
	nm_sim_order(NM_SIM_ORDER_FULL);
	assert_int_equal(f->word[2], 9);
	/* Outside the shared words nothing is buffered. */
	nm_os_shared_store32(&f->plain, 5);
	assert_int_equal(f->plain, 5);
	teardown(f);
}

/* tso: two stores never become visible out of order; the due time is
 * within the window. */
static void test_sim_wmem_tso_fifo(void **state)
{
	struct fixture *f;
	uint64_t seed, t;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		f = setup(SIM_MEM_TSO, seed);
		as(f, &f->w, 0);
		nm_os_shared_store32(&f->word[0], 1);
		nm_os_shared_store32(&f->word[1], 1);
		for (t = 0; t <= VIS; t += 10) {
			until(f, t);
			assert_true(f->word[1] == 0 || f->word[0] == 1);
		}
		assert_int_equal(f->word[0], 1);
		assert_int_equal(f->word[1], 1);
		teardown(f);
	}
}

/* arm: does some time show word 1 visible and word 0 not? */
static bool arm_reordered(uint64_t seed, void (*between)(void))
{
	struct fixture *f = setup(SIM_MEM_ARM, seed);
	bool seen = false;
	uint64_t t;

	as(f, &f->w, 0);
	nm_os_shared_store32(&f->word[0], 1);
	if (between != NULL)
		between();
	nm_os_shared_store32(&f->word[1], 1);
	for (t = 0; t <= VIS; t += 5) {
		until(f, t);
		seen |= f->word[1] == 1 && f->word[0] == 0;
	}
	teardown(f);
	return seen;
}

static void fence_ss(void)
{
	nm_os_fence_store_store();
}

static void release(void)
{
	nm_sim_order(NM_SIM_ORDER_RELEASE);
}

static void test_sim_wmem_arm_store_order(void **state)
{
	uint64_t seed, plain = 0, fenced = 0, released = 0;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		plain += arm_reordered(seed, NULL);
		fenced += arm_reordered(seed, fence_ss);
		released += arm_reordered(seed, release);
	}
	assert_true(plain > 0);
	assert_int_equal(fenced, 0);
	assert_int_equal(released, 0);
}

/*
 * arm: the writer publishes word 0 then word 1 with a full fence after
 * each (each visible when stored); the reader, whose last ordering point
 * is at 0, loads word 1 at 300 and then word 0.  Does it read word 1 new
 * and word 0 old (a load satisfied early)?  how: 0 nothing between the
 * loads, 1 a load-load fence, 2 an acquire.  woken: the reader's step
 * was caused by a notification at 250.
 */
static bool arm_stale(uint64_t seed, int how, bool woken)
{
	struct fixture *f = setup(SIM_MEM_ARM, seed);
	uint32_t v1, v0;
	bool stale;

	as(f, &f->r, 0);
	nm_os_fence_load_load();
	as(f, &f->w, 100);
	nm_os_shared_store32(&f->word[0], 1);
	nm_os_fence_store_load();
	as(f, &f->w, 200);
	nm_os_shared_store32(&f->word[1], 1);
	nm_os_fence_store_load();
	f->r.woken = woken;
	f->r.t0 = 250;
	as(f, &f->r, 300);
	v1 = nm_os_shared_load32(&f->word[1]);
	if (how == 1)
		nm_os_fence_load_load();
	else if (how == 2)
		nm_sim_order(NM_SIM_ORDER_ACQUIRE);
	v0 = nm_os_shared_load32(&f->word[0]);
	stale = v1 == 1 && v0 == 0;
	/* Coherence: once the new value is read, never the old again. */
	if (v0 == 1)
		assert_int_equal(nm_os_shared_load32(&f->word[0]), 1);
	teardown(f);
	return stale;
}

static void test_sim_wmem_arm_load_order(void **state)
{
	uint64_t seed, plain = 0, ordered = 0;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		plain += arm_stale(seed, 0, false);
		ordered += arm_stale(seed, 1, false) + arm_stale(seed, 2, false) +
			   arm_stale(seed, 0, true);
	}
	assert_true(plain > 0);
	assert_int_equal(ordered, 0);
}

/* arm: a value made visible by an actor whose clock ran ahead (it ran
 * first: the step model) is read as the newest by one whose clock is
 * behind, never as what the word held before: the writer's re-check
 * after its full fence relied on it. */
static void test_sim_wmem_arm_clock_ahead(void **state)
{
	struct fixture *f;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		f = setup(SIM_MEM_ARM, seed);
		as(f, &f->w, 500);
		nm_os_shared_store32(&f->word[0], 1);
		nm_os_fence_store_load();
		as(f, &f->r, 300);
		assert_int_equal(nm_os_shared_load32(&f->word[0]), 1);
		teardown(f);
	}
}

/* tso never returns a stale value: the same reads see the newest. */
static void test_sim_wmem_tso_no_stale(void **state)
{
	struct fixture *f;
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		f = setup(SIM_MEM_TSO, seed);
		as(f, &f->w, 100);
		nm_os_shared_store32(&f->word[0], 1);
		nm_os_fence_store_load();
		as(f, &f->r, 300);
		assert_int_equal(nm_os_shared_load32(&f->word[0]), 1);
		teardown(f);
	}
}

/* One seed, one sequence of due times; another seed, another. */
static uint64_t visible_at(uint64_t seed)
{
	struct fixture *f = setup(SIM_MEM_TSO, seed);
	uint64_t t;

	as(f, &f->w, 0);
	nm_os_shared_store32(&f->word[0], 1);
	for (t = 0; f->word[0] == 0; t++)
		until(f, t);
	teardown(f);
	return t;
}

static void test_sim_wmem_deterministic(void **state)
{
	uint64_t seed, differ = 0;

	(void)state;
	for (seed = 1; seed <= 20; seed++) {
		assert_int_equal(visible_at(seed), visible_at(seed));
		differ += visible_at(seed) != visible_at(seed + 1);
	}
	assert_true(differ > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tso[] = {
		cmocka_unit_test(test_sim_wmem_tso_buffer),
		cmocka_unit_test(test_sim_wmem_tso_fifo),
		cmocka_unit_test(test_sim_wmem_tso_no_stale),
		cmocka_unit_test(test_sim_wmem_deterministic),
	};
	const struct CMUnitTest arm[] = {
		cmocka_unit_test(test_sim_wmem_arm_store_order),
		cmocka_unit_test(test_sim_wmem_arm_load_order),
		cmocka_unit_test(test_sim_wmem_arm_clock_ahead),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("tso", tso),
		NM_TEST_GROUP("arm", arm),
	};

	return nm_test_main("sim_wmem", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
