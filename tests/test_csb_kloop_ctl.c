/*
 * test_csb_kloop_ctl.c - the kloop's START/STOP decision (core/csb_kloop_ctl.c).
 *
 * Groups: order (START then STOP, STOP then START: the STOP that wins the
 * race is kept and consumed by exactly one START; a START whose start
 * fails leaves nothing running), mutant (CSB_MUT_LOST_STOP forgets that
 * STOP, so these tests can tell the two apart; zoo case 20).  Built over
 * the mutant-enabled core (sim_csbmut) so that the mutant can be switched.
 */
#include "nm_test.h"

#include "csb.h"
#include "csb_kloop_ctl.h"

static void test_ctl_start_then_stop(void **state)
{
	struct csb_kloop_ctl c = { 0 };

	(void)state;
	assert_true(csb_kloop_ctl_start(&c)); /* runs */
	assert_true(c.running);
	assert_true(csb_kloop_ctl_stop(&c)); /* the caller stops it */
	csb_kloop_ctl_exit(&c);
	assert_false(c.running);
	assert_false(c.stop_pending); /* nothing left for a later START */
	assert_true(csb_kloop_ctl_start(&c));
	csb_kloop_ctl_exit(&c);
}

static void test_ctl_stop_then_start(void **state)
{
	struct csb_kloop_ctl c = { 0 };

	(void)state;
	/* The STOP wins the race: nothing runs yet, it must be kept ... */
	assert_false(csb_kloop_ctl_stop(&c));
	assert_true(c.stop_pending);
	/* ... and its START returns at once, already stopped. */
	assert_false(csb_kloop_ctl_start(&c));
	assert_false(c.running);
	assert_false(c.stop_pending);
	/* Consumed once: the next START runs. */
	assert_true(csb_kloop_ctl_start(&c));
	assert_true(c.running);
}

static void test_ctl_two_stops_one_start(void **state)
{
	struct csb_kloop_ctl c = { 0 };

	(void)state;
	assert_false(csb_kloop_ctl_stop(&c));
	assert_false(csb_kloop_ctl_stop(&c));
	assert_false(csb_kloop_ctl_start(&c));
	assert_true(csb_kloop_ctl_start(&c)); /* a pending STOP is one flag */
}

static void test_ctl_failed_start(void **state)
{
	struct csb_kloop_ctl c = { 0 };

	(void)state;
	/* kmod: a START that says "run" but fails after (a bad eventfd). */
	assert_true(csb_kloop_ctl_start(&c));
	csb_kloop_ctl_exit(&c);
	/* A STOP now finds nothing running and is kept. */
	assert_false(csb_kloop_ctl_stop(&c));
	assert_true(c.stop_pending);
}

static void test_ctl_mutant_loses_stop(void **state)
{
	struct csb_kloop_ctl c = { 0 };

	(void)state;
	csb_mutants = CSB_MUT_LOST_STOP;
	assert_false(csb_kloop_ctl_stop(&c));
	/* The historical bug: the STOP is gone and the START runs. */
	assert_false(c.stop_pending);
	assert_true(csb_kloop_ctl_start(&c));
	/* A STOP of a running loop is not affected. */
	assert_true(csb_kloop_ctl_stop(&c));
	csb_mutants = 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest order[] = {
		cmocka_unit_test(test_ctl_start_then_stop),
		cmocka_unit_test(test_ctl_stop_then_start),
		cmocka_unit_test(test_ctl_two_stops_one_start),
		cmocka_unit_test(test_ctl_failed_start),
	};
	static const struct CMUnitTest mutant[] = {
		cmocka_unit_test(test_ctl_mutant_loses_stop),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("order", order),
		NM_TEST_GROUP("mutant", mutant),
	};

	return nm_test_main("csb_kloop_ctl", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
