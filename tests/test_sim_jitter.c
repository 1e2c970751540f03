/*
 * test_sim_jitter.c - costs.jitter: the draws have the distribution they
 * name, come from streams of the run's seed, and make the seed matter.
 *
 * Groups: draw (exp, normal and uniform draws against their mean, spread
 * and bounds; the same seed repeats a sequence, another seed does not;
 * jitter on one primitive never shifts another's draws; jitter off costs
 * exactly the value), run (the default scenario: without jitter two seeds
 * give one fingerprint, with jitter they differ, each seed repeats itself,
 * and every packet is accounted for).
 */
#include "nm_test.h"

#include <math.h>

#include "sim_cost.h"
#include "sim_world.h"

enum { DRAWS = 200000 };

/* Mean and standard deviation (ps) of DRAWS draws of primitive id. */
static void sample(enum sim_cost_id id, double *mean, double *sd,
		   uint64_t *min, uint64_t *max)
{
	double s = 0, s2 = 0, x;
	int i;

	*min = UINT64_MAX;
	*max = 0;
	for (i = 0; i < DRAWS; i++) {
		x = (double)sim_cost_draw_ps(id, 1);
		s += x;
		s2 += x * x;
		*min = (uint64_t)x < *min ? (uint64_t)x : *min;
		*max = (uint64_t)x > *max ? (uint64_t)x : *max;
	}
	*mean = s / DRAWS;
	*sd = sqrt(s2 / DRAWS - *mean * *mean);
}

static void costs_with(struct sim_costs *c, enum sim_cost_id id,
		       enum sim_jitter_dist dist, char param, uint64_t param_value)
{
	sim_costs_default(c);
	c->jitter[id].dist = (uint8_t)dist;
	c->jitter[id].param = param;
	if (param != 0)
		sim_cost_set_jitter_param(c, id, param_value);
}

static void test_sim_jitter_distributions(void **state)
{
	struct sim_costs c;
	double mean, sd;
	uint64_t min, max;

	(void)state;
	/* exp: mean the value (wakeup_ns 3600 ns), sd equal to the mean. */
	costs_with(&c, SIM_C_WAKEUP, SIM_JITTER_EXP, 0, 0);
	sim_costs_install(&c, 1);
	sample(SIM_C_WAKEUP, &mean, &sd, &min, &max);
	assert_true(fabs(mean - 3600000.0) < 0.01 * 3600000.0);
	assert_true(fabs(sd - 3600000.0) < 0.02 * 3600000.0);
	/* normal with sd 500 ns. */
	costs_with(&c, SIM_C_WAKEUP, SIM_JITTER_NORMAL, 's', 500);
	sim_costs_install(&c, 1);
	sample(SIM_C_WAKEUP, &mean, &sd, &min, &max);
	assert_true(fabs(mean - 3600000.0) < 0.005 * 3600000.0);
	assert_true(fabs(sd - 500000.0) < 0.02 * 500000.0);
	/* normal, sd far above the mean: never below zero. */
	costs_with(&c, SIM_C_WAKEUP, SIM_JITTER_NORMAL, 's', 100000);
	sim_costs_install(&c, 1);
	sample(SIM_C_WAKEUP, &mean, &sd, &min, &max);
	assert_true(min == 0);
	/* uniform, width 1000 ns: within 3100..4100 ns, both ends reached. */
	costs_with(&c, SIM_C_WAKEUP, SIM_JITTER_UNIFORM, 'w', 1000);
	sim_costs_install(&c, 1);
	sample(SIM_C_WAKEUP, &mean, &sd, &min, &max);
	assert_true(min >= 3100000 && min < 3110000);
	assert_true(max <= 4100000 && max > 4090000);
	assert_true(fabs(sd - 1000000.0 / sqrt(12.0)) < 0.02 * 1000000.0 / sqrt(12.0));
	/* Defaults: normal sd a tenth of the value. */
	costs_with(&c, SIM_C_WAKEUP, SIM_JITTER_NORMAL, 0, 0);
	sim_costs_install(&c, 1);
	sample(SIM_C_WAKEUP, &mean, &sd, &min, &max);
	assert_true(fabs(sd - 360000.0) < 0.02 * 360000.0);
	/* A count multiplies the one draw. */
	costs_with(&c, SIM_C_COPY_BYTE, SIM_JITTER_NONE, 0, 0);
	sim_costs_install(&c, 1);
	assert_true(sim_cost_draw_ps(SIM_C_COPY_BYTE, 1000) == 26 * 1000);
}

static void test_sim_jitter_streams(void **state)
{
	struct sim_costs c;
	uint64_t a[64], b[64];
	int i, same = 0;

	(void)state;
	costs_with(&c, SIM_C_VMEXIT, SIM_JITTER_EXP, 0, 0);
	sim_costs_install(&c, 7);
	for (i = 0; i < 64; i++)
		a[i] = sim_cost_draw_ps(SIM_C_VMEXIT, 1);
	/* Jitter on another primitive, drawn in between, shifts nothing. */
	c.jitter[SIM_C_WAKEUP].dist = SIM_JITTER_EXP;
	sim_costs_install(&c, 7);
	for (i = 0; i < 64; i++) {
		b[i] = sim_cost_draw_ps(SIM_C_VMEXIT, 1);
		(void)sim_cost_draw_ps(SIM_C_WAKEUP, 1);
	}
	assert_memory_equal(a, b, sizeof(a));
	/* Another seed, another sequence. */
	sim_costs_install(&c, 8);
	for (i = 0; i < 64; i++)
		same += sim_cost_draw_ps(SIM_C_VMEXIT, 1) == a[i];
	assert_true(same < 4);
	/* Off: the core's steps cost exactly their value. */
	sim_costs_default(&c);
	sim_costs_install(&c, 7);
	assert_true(nm_sim_os.jitter_kinds == 0);
	assert_true(sim_cost_ns(SIM_C_WAKEUP) == 3600);
}

/* The embedded default (notifying kloops, 4000 packets) with seed and,
 * when jitter, exponential wake-ups and normal VM exits; its fingerprint. */
static uint64_t run_default(uint64_t seed, bool jitter)
{
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512], set[64];
	uint64_t fp;
	static const char *const sets[] = {
		"trace.packets=4000", "endpoints.g1.kloop=notify", "endpoints.g2.kloop=notify",
	};
	static const char *const jit[] = {
		"costs.jitter.wakeup_ns.dist=exp", "costs.jitter.vmexit_ns.dist=normal",
		"costs.jitter.vmexit_ns.sd=300",
	};
	size_t i;

	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "<default>", sim_scenario_default_yaml,
					   err, sizeof(err)), 0);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		assert_int_equal(sim_scenario_override(&sc, sets[i], err, sizeof(err)), 0);
	for (i = 0; jitter && i < sizeof(jit) / sizeof(jit[0]); i++)
		assert_int_equal(sim_scenario_override(&sc, jit[i], err, sizeof(err)), 0);
	snprintf(set, sizeof(set), "seed=%llu", (unsigned long long)seed);
	assert_int_equal(sim_scenario_override(&sc, set, err, sizeof(err)), 0);
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	sim_world_run(w);
	assert_false(w->failed);
	assert_true(w->finished);
	assert_true(w->pk.delivered + sim_world_drops(w) == 4000);
	fp = w->eng.fingerprint;
	sim_world_destroy(w);
	free(w);
	return fp;
}

static void test_sim_jitter_seed_matters(void **state)
{
	(void)state;
	assert_true(run_default(1, false) == run_default(2, false));
	assert_true(run_default(1, true) != run_default(2, true));
	assert_true(run_default(1, true) == run_default(1, true));
	assert_true(run_default(1, true) != run_default(1, false));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest draw[] = {
		cmocka_unit_test(test_sim_jitter_distributions),
		cmocka_unit_test(test_sim_jitter_streams),
	};
	const struct CMUnitTest run[] = {
		cmocka_unit_test(test_sim_jitter_seed_matters),
	};
	const struct nm_test_group groups[] = {
		NM_TEST_GROUP("draw", draw),
		NM_TEST_GROUP("run", run),
	};

	return nm_test_main("sim_jitter", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
