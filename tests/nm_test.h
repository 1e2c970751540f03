/*
 * nm_test.h - what every cmocka test binary shares: group selection from
 * argv (ctest runs one group per test), a seeded PRNG whose seed is printed
 * and can be replayed with NM_SEED=, and an independent reference predicate
 * of the sync prologue rules.
 */
#ifndef NM_TEST_H
#define NM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct nm_test_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t count;
};

#define NM_TEST_GROUP(name, array) { name, array, sizeof(array) / sizeof((array)[0]) }

/* Run the group named by argv[1], or every group; exit status for main(). */
static inline int nm_test_main(const char *unit, int argc, char **argv,
			       const struct nm_test_group *groups, size_t n)
{
	int failed = 0, ran = 0;
	char full[128];
	size_t i;

	for (i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], groups[i].name) != 0)
			continue;
		snprintf(full, sizeof(full), "%s.%s", unit, groups[i].name);
		failed += _cmocka_run_group_tests(full, groups[i].tests,
						  groups[i].count, NULL, NULL);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "%s: no test group named '%s'\n", unit,
			argc > 1 ? argv[1] : "");
		return 2;
	}
	return failed == 0 ? 0 : 1;
}

/* ---- Seeded PRNG (splitmix64).  Never seeded from the clock. */

static inline uint64_t nm_test_seed(const char *who)
{
	const char *env = getenv("NM_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : 0x6e6d6c6162ULL;

	printf("[ SEED     ] %s: NM_SEED=%llu reproduces this run\n", who,
	       (unsigned long long)seed);
	return seed;
}

static inline uint64_t nm_test_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound) for bound > 0. */
static inline uint32_t nm_test_below(uint64_t *state, uint32_t bound)
{
	return (uint32_t)(nm_test_rand(state) % bound);
}

/*
 * The prologue rules, restated independently of core/nm_idx.h: walk the ring
 * one slot at a time with '%' and see whether x is met between from and to.
 * Slow and obviously right; the tests compare the core against it.
 */
static inline int nm_ref_on_walk(uint32_t x, uint32_t from, uint32_t to,
				 uint32_t n)
{
	uint32_t i = from, steps;

	for (steps = 0; steps <= n; steps++) {
		if (i == x)
			return 1;
		if (i == to)
			return 0;
		i = (i + 1) % n;
	}
	abort(); /* from or to was not a ring index */
}

static inline int nm_ref_accept(int tx, uint32_t n, uint32_t hwcur,
				uint32_t hwtail, uint32_t rhead,
				uint32_t rtail, uint32_t head, uint32_t cur)
{
	uint32_t lo = tx ? rhead : hwcur;
	uint32_t hi = tx ? rtail : hwtail;

	if (head >= n || cur >= n)
		return 0;
	return nm_ref_on_walk(head, lo, hi, n) && nm_ref_on_walk(cur, head, hi, n);
}

#endif /* NM_TEST_H */
