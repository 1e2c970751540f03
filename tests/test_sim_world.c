/*
 * test_sim_world.c - a whole run and its invariant checkers.
 *
 * Groups: run (the default scenario on a short trace: every packet
 * accounted for, every invariant checked, same fingerprint twice; two
 * switches, each sender's packets counted),
 * detect (the checkers fire: a lost notification, a duplicate, a corrupted
 * payload, a reordered flow; and stay quiet when the notification is sent).
 */
#include "nm_test.h"

#include <errno.h>

#include "sim_ep.h"
#include "sim_world.h"

/* The embedded default on a short trace; with `notify`, its kloops sleep
 * and are woken by notifications (the detect group needs a world that is
 * still running when its own actors act at 5 us, which a busy-polling
 * default, done with 200 packets in about 10 us of mostly idle polling,
 * does not guarantee). */
static struct sim_world *build_world(uint64_t packets, bool notify)
{
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512], set[64];

	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "<default>", sim_scenario_default_yaml,
					   err, sizeof(err)), 0);
	snprintf(set, sizeof(set), "trace.packets=%llu", (unsigned long long)packets);
	assert_int_equal(sim_scenario_override(&sc, set, err, sizeof(err)), 0);
	if (notify) {
		assert_int_equal(sim_scenario_override(&sc, "endpoints.g1.kloop=notify",
						       err, sizeof(err)), 0);
		assert_int_equal(sim_scenario_override(&sc, "endpoints.g2.kloop=notify",
						       err, sizeof(err)), 0);
	}
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	return w;
}

static struct sim_world *build_default(uint64_t packets)
{
	return build_world(packets, false);
}

static void test_sim_world_default_accounts_for_everything(void **state)
{
	struct sim_world *w = build_default(3000);
	uint64_t fp;
	int i;

	(void)state;
	sim_world_run(w);
	assert_false(w->failed);
	assert_true(w->finished);
	assert_true(w->pk.injected == 3000);
	assert_true(w->pk.delivered + sim_world_drops(w) == 3000);
	assert_true(w->pk.delivered > 0);
	for (i = 0; i < SIM_INV_COUNT; i++) {
		assert_true(w->inv_checks[i] > 0);
		assert_true(w->inv_violations[i] == 0);
	}
	fp = w->eng.fingerprint;
	sim_world_destroy(w);
	free(w);
	w = build_default(3000);
	sim_world_run(w);
	assert_true(w->eng.fingerprint == fp);
	sim_world_destroy(w);
	free(w);
}

/* Found by fuzz_scenario (corpus scenario/hosts_two_switches_flow.yaml):
 * with two switches, hence two senders each replaying the trace, the run
 * expected one trace's worth of packets: it failed conservation, or ended
 * "finished" before the second sender's packets were accounted for. */
static void test_sim_world_two_switches_account_for_both(void **state)
{
	static const char yaml[] =
		"trace: {packets: 500}\n"
		"switches: [{name: s1}, {name: s2, type: pipe}]\n"
		"endpoints:\n"
		"  - {name: a, switch: s1, role: sender, batch: 16, slots: 64}\n"
		"  - {name: b, switch: s1, role: receiver, batch: 16, slots: 64}\n"
		"  - {name: c, switch: s2, role: sender, device: ptnet, batch: 8, slots: 32}\n"
		"  - {name: d, switch: s2, role: receiver, batch: 8, slots: 32}\n";
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512];

	(void)state;
	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "two.yaml", yaml, err, sizeof(err)), 0);
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	sim_world_run(w);
	if (w->failed)
		printf("    %s\n", w->fail_msg);
	assert_false(w->failed);
	assert_true(w->finished);
	assert_true(w->total_packets == 1000);
	assert_true(w->pk.injected == 1000);
	assert_true(w->pk.delivered + sim_world_drops(w) == 1000);
	sim_world_destroy(w);
	free(w);
}

/* A sleeper that has work once `flag` is set, and a waker that sets it at
 * 5 us and notifies (or forgets to). */
struct pair {
	struct sim_actor sleeper, waker;
	bool flag, notify;
	int waker_runs;
};

static void sleeper_body(struct sim_actor *a)
{
	struct pair *p = a->priv;

	if (p->flag) {
		p->flag = false; /* took the work */
		a->done = true;
		return;
	}
	sim_actor_sleep(a);
}

static bool sleeper_has_work(struct sim_actor *a)
{
	return ((struct pair *)a->priv)->flag;
}

static void waker_body(struct sim_actor *a)
{
	struct pair *p = a->priv;

	if (p->waker_runs++ == 0) {
		sim_actor_at(a, 5000);
		return;
	}
	p->flag = true; /* publish work */
	if (p->notify)
		sim_actor_wake(&p->sleeper, nm_os_time_ns() + 100);
	a->done = true;
}

static void run_pair(bool notify, struct sim_world **out, struct pair *p)
{
	struct sim_world *w = build_world(200, true);

	memset(p, 0, sizeof(*p));
	p->notify = notify;
	sim_actor_init(&p->sleeper, w, "sleeper", 0, sleeper_body,
		       sleeper_has_work, p);
	sim_actor_init(&p->waker, w, "waker", 0, waker_body, NULL, p);
	sim_actor_start(&p->sleeper, 0);
	sim_actor_start(&p->waker, 0);
	sim_world_run(w);
	*out = w;
}

static void test_sim_world_detects_lost_notification(void **state)
{
	struct sim_world *w;
	struct pair p;

	(void)state;
	run_pair(false, &w, &p);
	assert_true(w->failed);
	assert_true(w->inv_violations[SIM_INV_NOTIFICATION] >= 1);
	printf("    %s\n", w->fail_msg);
	assert_non_null(strstr(w->fail_msg, "no_lost_notification violated at 5000 ns, actor sleeper"));
	sim_world_destroy(w);
	free(w);
}

static void test_sim_world_quiet_when_notified(void **state)
{
	struct sim_world *w;
	struct pair p;

	(void)state;
	run_pair(true, &w, &p);
	assert_false(w->failed);
	assert_true(p.sleeper.done);
	assert_int_equal(p.sleeper.wakeups, 1);
	assert_true(w->inv_checks[SIM_INV_NOTIFICATION] > 0);
	sim_world_destroy(w);
	free(w);
}

static void gen_trace(struct sim_trace *t)
{
	struct sim_trace_gen g = { .packets = 8, .size = 60, .flows = 1 };
	char err[128];

	assert_int_equal(sim_trace_generate(t, &g, err, sizeof(err)), 0);
}

static void test_sim_pkt_detects_duplicate_corruption_reorder(void **state)
{
	struct sim_trace t;
	struct sim_pkts p;
	uint8_t a[60], b[60], c[60], keep[60];
	char why[256];

	(void)state;
	gen_trace(&t);
	assert_int_equal(sim_pkts_init(&p, &t, 16), 0);
	memcpy(a, sim_trace_frame(&t, 0), 60);
	memcpy(b, sim_trace_frame(&t, 1), 60);
	memcpy(c, sim_trace_frame(&t, 2), 60);
	sim_pkt_inject(&p, 0, 0, a, 60, 10);
	sim_pkt_inject(&p, 1, 0, b, 60, 20);
	sim_pkt_inject(&p, 2, 0, c, 60, 30);
	/* Corrupted payload. */
	memcpy(keep, a, 60);
	a[20] ^= 1;
	assert_int_equal(sim_pkt_deliver(&p, a, 60, 100, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "differs from the trace"));
	/* b out of order after c (same flow). */
	assert_int_equal(sim_pkt_deliver(&p, c, 60, 110, why, sizeof(why)), 0);
	memcpy(keep, b, 60);
	assert_int_equal(sim_pkt_deliver(&p, b, 60, 120, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "out of order"));
	/* c again: a duplicate (its tag was restored; re-tag it as sent). */
	memcpy(c + 52, &(uint64_t){ 2 }, 8);
	assert_int_equal(sim_pkt_deliver(&p, c, 60, 130, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "duplicate"));
	/* Latency of the one good delivery: 110 - 30. */
	assert_true(sim_pkt_latency(&p, 500) == 80);
	sim_pkts_fini(&p);
	sim_trace_free(&t);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest run[] = {
		cmocka_unit_test(test_sim_world_default_accounts_for_everything),
		cmocka_unit_test(test_sim_world_two_switches_account_for_both),
	};
	static const struct CMUnitTest detect[] = {
		cmocka_unit_test(test_sim_world_detects_lost_notification),
		cmocka_unit_test(test_sim_world_quiet_when_notified),
		cmocka_unit_test(test_sim_pkt_detects_duplicate_corruption_reorder),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("run", run),
		NM_TEST_GROUP("detect", detect),
	};

	return nm_test_main("sim_world", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
