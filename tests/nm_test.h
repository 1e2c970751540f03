/*
 * nm_test.h - what every cmocka test binary shares: group selection from
 * argv (ctest runs one group per test), the group list CMake registers
 * (`--list`: one group per line, then its tags; see cmake/nm_test.cmake),
 * a seeded PRNG whose seed is printed and can be replayed with NM_SEED=,
 * and (from nm_ref.h) an independent reference predicate of the sync
 * prologue rules.
 *
 * Tags of a group (NM_TEST_GROUP_TAGGED, space-separated):
 *   tsan    also run under the TSan variant (threaded groups)
 *   stress  a long run: ctest stress.<unit>.<group>, label stress, never
 *           in the default set
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

#include "nm_ref.h"

struct nm_test_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t count;
	const char *tags; /* NULL or space-separated: "tsan", "stress" */
};

#define NM_TEST_GROUP(name, array) \
	{ name, array, sizeof(array) / sizeof((array)[0]), NULL }
#define NM_TEST_GROUP_TAGGED(name, array, tags) \
	{ name, array, sizeof(array) / sizeof((array)[0]), tags }

/* Run the group named by argv[1], or every group, or list the groups
 * (--list: "<group>[ <tag>...]" per line); exit status for main(). */
static inline int nm_test_main(const char *unit, int argc, char **argv,
			       const struct nm_test_group *groups, size_t n)
{
	int failed = 0, ran = 0;
	char full[128];
	size_t i;

	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < n; i++)
			printf("%s%s%s\n", groups[i].name,
			       groups[i].tags != NULL ? " " : "",
			       groups[i].tags != NULL ? groups[i].tags : "");
		return 0;
	}
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

#endif /* NM_TEST_H */
