/*
 * test_sim_alloc_fail.c - building a run (sim_world_build) with each of
 * its allocations through the seam failing in turn (nm_sim_fail_alloc_at,
 * tests/nm_alloc_walk.h): the build returns -ENOMEM with one line in err,
 * sim_world_destroy() (as nmsim does after a failed build) frees the rest,
 * and nothing is left: the backend's live count and, in the ASan variant,
 * the leak checker at exit.  The simulator's own calloc()s are not
 * injected; the core's (ports, switches, pipes, regions) are.
 */
#include "nm_alloc_walk.h" /* first: it needs _GNU_SOURCE */

#include "sim_scenario.h"
#include "sim_world.h"

#include <errno.h>

struct build_ctx {
	struct sim_scenario sc;
	struct sim_world *w;
	char err[512];
};

static int build_op(void *arg)
{
	struct build_ctx *c = arg;
	int rc;

	c->w = calloc(1, sizeof(*c->w));
	assert_non_null(c->w);
	c->err[0] = '\0';
	rc = sim_world_build(c->w, &c->sc, NULL, NULL, c->err, sizeof(c->err));
	if (rc != 0) {
		sim_world_destroy(c->w);
		free(c->w);
		c->w = NULL;
	}
	return rc;
}

static void build_check(void *arg, int rc)
{
	struct build_ctx *c = arg;

	if (rc != -ENOMEM)
		fail_msg("build failed with %d (expected -ENOMEM): %s", rc, c->err);
	if (c->err[0] == '\0' || strchr(c->err, '\n') != NULL)
		fail_msg("build error is not one line: '%s'", c->err);
}

static void build_undo(void *arg)
{
	struct build_ctx *c = arg;

	sim_world_destroy(c->w);
	free(c->w);
	c->w = NULL;
}

/* Walk the build of scenario file (NULL: the embedded default). */
static uint64_t walk_build(const char *file)
{
	static struct build_ctx c;
	struct nm_alloc_walk w = { NULL, build_op, build_check, build_undo, &c };
	char path[512], what[600];

	memset(&c, 0, sizeof(c));
	if (file == NULL) {
		assert_int_equal(sim_scenario_load(&c.sc, "<default>",
						   sim_scenario_default_yaml,
						   c.err, sizeof(c.err)), 0);
		snprintf(what, sizeof(what), "scenario build (default)");
	} else {
		snprintf(path, sizeof(path), "%s/%s", NM_SIM_SCENARIOS, file);
		assert_int_equal(sim_scenario_load(&c.sc, path, NULL, c.err,
						   sizeof(c.err)), 0);
		snprintf(what, sizeof(what), "scenario build (%s)", file);
	}
	assert_int_equal(sim_scenario_override(&c.sc, "trace.packets=64", c.err,
					       sizeof(c.err)), 0);
	w.what = what;
	return nm_alloc_walk(&w);
}

static void test_sim_alloc_fail_default(void **state)
{
	(void)state;
	assert_true(walk_build(NULL) > 0);
}

static void test_sim_alloc_fail_topologies(void **state)
{
	static const char *const files[] = {
		"two-switch-link.yaml", "ptnet-pipe.yaml", "host-pipe.yaml",
		"vale-1to4.yaml", "e1000.yaml", "virtio.yaml", "xen.yaml",
		"vale-monitor.yaml",
	};
	unsigned i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(files); i++)
		assert_true(walk_build(files[i]) > 0);
}

static int report_sites(void **state)
{
	(void)state;
	nm_walk_report_sites("sim_alloc_fail");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest walk[] = {
		cmocka_unit_test(test_sim_alloc_fail_default),
		cmocka_unit_test_teardown(test_sim_alloc_fail_topologies,
					  report_sites),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("walk", walk),
	};

	return nm_test_main("sim_alloc_fail", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
