/*
 * sim_test.h - helpers shared by the simulator's unit tests.
 */
#ifndef SIM_TEST_H
#define SIM_TEST_H

#include "nm_test.h"

#include <errno.h>

#include "sim_scenario.h"

/* The scenario text yaml (named bad.yaml) is refused with -EINVAL and one
 * line "bad.yaml:..." that contains what. */
static inline void sim_test_expect_bad(const char *yaml, const char *what)
{
	struct sim_scenario sc;
	char err[512] = "";

	assert_int_equal(sim_scenario_load(&sc, "bad.yaml", yaml, err, sizeof(err)),
			 -EINVAL);
	printf("    rejected: %s\n", err);
	assert_non_null(strstr(err, "bad.yaml:"));
	assert_non_null(strstr(err, what));
	assert_null(strchr(err, '\n'));
}

#endif /* SIM_TEST_H */
