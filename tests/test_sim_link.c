/*
 * test_sim_link.c - links between VALE switches in the simulator.
 *
 * Groups: rate (a 10 Gbit/s link fed faster than its line carries at most
 * its line rate of 60-byte frames, exactly, on the line and end to end,
 * drops the excess for queue full and accounts for every frame; a slow
 * sender loses nothing; the queue limit holds; frames arrive no earlier
 * than the propagation delay; the run is deterministic),
 * bad (unknown switch, zero bandwidth, a link from a switch to itself, a
 * pipe end, a third port on a switch with a link, a chain that ends at a
 * sender, an unknown key; overrides of link values).
 */
#include "sim_test.h"

#include <errno.h>

#include "sim_link.h"
#include "sim_switch.h"
#include "sim_world.h"

#define LINK_YAML(trace, link)                                            \
	"trace: {" trace "}\n"                                            \
	"switches: [{name: a, type: vale}, {name: b, type: vale}]\n" \
	"links: [{name: l, from: a, to: b, " link "}]\n"                  \
	"endpoints:\n"                                                    \
	"  - {name: tx, switch: a, role: sender}\n"                       \
	"  - {name: rx, switch: b, role: receiver}\n"

static struct sim_world *run_yaml(const char *yaml)
{
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512] = "";
	int i;

	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "link.yaml", yaml, err, sizeof(err)), 0);
	if (sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)) != 0)
		printf("    %s\n", err);
	assert_int_equal(w->nlinks, 1);
	sim_world_run(w);
	if (w->failed)
		printf("    %s\n", w->fail_msg);
	assert_false(w->failed);
	assert_true(w->finished);
	for (i = 0; i < SIM_INV_COUNT; i++)
		assert_true(w->inv_violations[i] == 0);
	return w;
}

static void free_world(struct sim_world *w)
{
	sim_world_destroy(w);
	free(w);
}

/* 60-byte frames + 24 bytes of framing = 672 bits = 67.2 ns at 10 Gbit/s:
 * at most 14.88 Mpps.  The host sender forwards about 17 Mpps, so the line
 * is the bottleneck: it runs near its ceiling, never above it (an exact
 * integer bound on the deterministic simulated times), and the excess is
 * dropped for queue full and counted. */
static void test_sim_link_bounded_by_line_rate(void **state)
{
	static const char yaml[] = LINK_YAML("packets: 20000, size: 60",
					     "bandwidth_bps: 10000000000, delay_ns: 1000");
	struct sim_world *w = run_yaml(yaml);
	const struct sim_link *l = w->link[0];
	const struct sim_link_dir *ld = &l->dir[0];
	uint64_t window_ps = ld->last_end_ps - ld->first_start_ps, fp;
	double mpps_e2e;

	(void)state;
	printf("    line %.3f Mpps (ceiling %.3f), end to end %.3f Mpps, %llu dropped\n",
	       sim_link_mpps(l, 0), sim_link_max_mpps(l, 60),
	       (double)w->pk.delivered * 1e3 / (double)(w->pk.last_out - w->pk.first_in),
	       (unsigned long long)ld->drops_queue_full);
	assert_true(sim_link_max_mpps(l, 60) > 14.880 && sim_link_max_mpps(l, 60) < 14.881);
	/* On the line: delivered frames each took 67.2 ns of it. */
	assert_true(ld->delivered > 0);
	assert_true(ld->delivered * 67200 <= window_ps);
	/* End to end (what the report's Mpps is made of), the same bound. */
	assert_true(w->pk.delivered == ld->delivered);
	assert_true(w->pk.delivered * 67200 <= (w->pk.last_out - w->pk.first_in) * 1000);
	mpps_e2e = (double)w->pk.delivered * 1e3 / (double)(w->pk.last_out - w->pk.first_in);
	assert_true(mpps_e2e <= 14.881);
	/* Saturated: within 2% of the ceiling, the excess dropped. */
	assert_true(sim_link_mpps(l, 0) >= 14.58);
	assert_true(ld->drops_queue_full > 0);
	assert_true(ld->taken == 20000);
	assert_true(ld->taken == ld->delivered + ld->drops_queue_full);
	assert_true(ld->max_queued == 1024);
	assert_true(l->dir[1].taken == 0);
	assert_true(w->pk.delivered + sim_world_drops(w) == 20000);
	fp = w->eng.fingerprint;
	free_world(w);
	w = run_yaml(yaml);
	assert_true(w->eng.fingerprint == fp);
	free_world(w);
}

/* A sender at 5 Mpps: the line keeps up, nothing is dropped, the line's
 * rate is the sender's. */
static void test_sim_link_slow_sender_loses_nothing(void **state)
{
	struct sim_world *w = run_yaml(LINK_YAML("packets: 5000, mode: rate, rate_pps: 5000000",
						 "delay_ns: 500"));
	const struct sim_link_dir *ld = &w->link[0]->dir[0];

	(void)state;
	assert_true(ld->drops_queue_full == 0);
	assert_true(ld->delivered == 5000);
	assert_true(w->pk.delivered == 5000);
	assert_true(ld->max_queued < 16);
	assert_true(sim_link_mpps(w->link[0], 0) > 4.9 && sim_link_mpps(w->link[0], 0) < 5.1);
	free_world(w);
}

/* A short queue: never more than `queue` frames wait for the line. */
static void test_sim_link_queue_limit(void **state)
{
	struct sim_world *w = run_yaml(LINK_YAML("packets: 4000",
						 "bandwidth_bps: 1000000000, queue: 16"));
	const struct sim_link_dir *ld = &w->link[0]->dir[0];

	(void)state;
	assert_true(ld->max_queued == 16);
	assert_true(ld->drops_queue_full > 0);
	assert_true(ld->taken == ld->delivered + ld->drops_queue_full);
	free_world(w);
}

/* 100 us of propagation: no frame arrives sooner after it entered; about
 * 100 frames are on the wire at once (the storage grows past its first 64
 * entries, the queue limit of 8 is for frames waiting for the line only). */
static void test_sim_link_delay(void **state)
{
	struct sim_world *w = run_yaml(LINK_YAML("packets: 1000, mode: rate, rate_pps: 1000000",
						 "delay_ns: 100000, queue: 8"));

	(void)state;
	assert_true(w->link[0]->dir[0].cap >= 128);
	assert_true(w->link[0]->dir[0].drops_queue_full == 0);
	/* The histogram's lowest occupied bucket is within 1.6% below the
	 * smallest latency. */
	assert_true(sim_pkt_latency(&w->pk, 1) >= 98400);
	assert_true(sim_pkt_latency(&w->pk, 500) < 110000);
	free_world(w);
}


#define EPS "endpoints:\n" \
	    "  - {name: tx, switch: a, role: sender}\n" \
	    "  - {name: rx, switch: b, role: receiver}\n"

static void test_sim_link_bad_input(void **state)
{
	(void)state;
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: nowhere}]\n" EPS,
		   "bad.yaml:2: link l: switch 'nowhere' is not defined");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: b, bandwidth_bps: 0}]\n" EPS,
		   "bad.yaml:2: links.bandwidth_bps: '0' is out of range (expected an integer in [1, 1000000000000])");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: a}]\n" EPS,
		   "bad.yaml:2: link l: from and to are both switch a (expected two different switches)");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: pipe}]\n"
		   "links: [{name: l, from: a, to: b}]\n" EPS,
		   "link l: switch 'b' is a pipe");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, to: b}]\n" EPS,
		   "link l: no 'from' switch");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: b, colour: red}]\n" EPS,
		   "bad.yaml:2: links: unknown key 'colour'");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}, {name: c, type: vale}]\n"
		   "links: [{name: l, from: a, to: b}, {name: m, from: b, to: c},\n"
		   "        {name: n, from: c, to: a}]\n" EPS,
		   "bad.yaml:2: link l: closes a loop between switches a and b (expected links that form no loop: a frame has one way)");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: b}, {name: m, from: b, to: a}]\n" EPS,
		   "link l: closes a loop between switches a and b");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: b}]\n"
		   "endpoints:\n"
		   "  - {name: tx, switch: a, role: sender}\n"
		   "  - {name: t2, switch: b, role: sender}\n",
		   "endpoint tx: no receiver on the switches its links join (expected a receiver at the end of a sender's links)");
	sim_test_expect_bad("switches: [{name: a, type: vale}, {name: b, type: vale}]\n"
		   "links: [{name: l, from: a, to: b}, {name: l, from: b, to: a}]\n" EPS,
		   "links: duplicate name 'l'");
}

/* A chain of two links through a transit switch is accepted and runs. */
static void test_sim_link_chain_and_override(void **state)
{
	static const char yaml[] =
		"trace: {packets: 2000}\n"
		"switches: [{name: a, type: vale}, {name: m, type: vale}, {name: b, type: vale}]\n"
		"links: [{name: l1, from: a, to: m}, {name: l2, from: b, to: m, delay_ns: 300}]\n"
		"endpoints:\n"
		"  - {name: tx, switch: a, role: sender}\n"
		"  - {name: rx, switch: b, role: receiver}\n";
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512] = "";

	(void)state;
	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "chain.yaml", yaml, err, sizeof(err)), 0);
	assert_int_equal(sim_scenario_override(&sc, "links.l1.bandwidth_bps=25000000000", err, sizeof(err)), 0);
	assert_true(sc.links[0].bandwidth_bps == 25000000000ULL);
	assert_int_equal(sim_scenario_override(&sc, "links.l1.bandwidth_bps=0", err, sizeof(err)), -EINVAL);
	assert_int_equal(sim_scenario_override(&sc, "links.zz.delay_ns=1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no link named 'zz'"));
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	sim_world_run(w);
	if (w->failed)
		printf("    %s\n", w->fail_msg);
	assert_false(w->failed);
	assert_true(w->finished);
	/* l2 runs from b to m, so the traffic uses its reverse direction. */
	assert_true(w->link[0]->dir[0].taken == 2000);
	assert_true(w->link[1]->dir[1].taken == w->link[0]->dir[0].delivered);
	assert_true(w->pk.delivered + sim_world_drops(w) == 2000);
	sim_world_destroy(w);
	free(w);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest rate[] = {
		cmocka_unit_test(test_sim_link_bounded_by_line_rate),
		cmocka_unit_test(test_sim_link_slow_sender_loses_nothing),
		cmocka_unit_test(test_sim_link_queue_limit),
		cmocka_unit_test(test_sim_link_delay),
		cmocka_unit_test(test_sim_link_chain_and_override),
	};
	static const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_sim_link_bad_input),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("rate", rate),
		NM_TEST_GROUP("bad", bad),
	};

	return nm_test_main("sim_link", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
