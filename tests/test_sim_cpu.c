/*
 * test_sim_cpu.c - host CPUs shared by actors in the simulator.
 *
 * Groups: share (two actors pinned to one fair CPU take turns step by
 * step, where a vCPU shared without fairness lets a busy actor run on;
 * the ptnet-vale-shared-cpu topology: kloops on one host CPU give a lower,
 * deterministic throughput than on two, with no invariant violated and the
 * CPUs' busy time the sum of their actors'),
 * bad (cpu index not below the host's cpus, a host without cpus, no hosts,
 * kloop_cpu or backend_cpu on a device without that thread, cpus out of
 * range, an override past the host's cpus).
 */
#include "sim_test.h"

#include <errno.h>

#include "sim_ep.h"
#include "sim_world.h"

/* ---- Turns on one CPU. */

struct spinner {
	struct sim_actor a;
	uint32_t steps, left;
	uint32_t order[64]; /* who ran, in order (shared log) */
};

static uint32_t spin_log[64], spin_n;

static void spin_body(struct sim_actor *a)
{
	struct spinner *s = a->priv;

	if (spin_n < 64)
		spin_log[spin_n++] = a->ep;
	nm_sim_os.now_ns += 100; /* a 100 ns step */
	s->steps++;
	if (--s->left == 0)
		a->done = true;
	else
		sim_actor_again(a);
}

static void run_spinners(bool fair, struct spinner *s)
{
	struct sim_world *w = calloc(1, sizeof(*w));
	struct sim_cpu cpu = { .fair = fair };
	uint32_t i;

	assert_non_null(w);
	sim_world_init(w);
	assert_int_equal(sim_engine_init(&w->eng), 0);
	spin_n = 0;
	for (i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		sim_actor_init(&s[i].a, &w->run, i == 0 ? "a" : "b", i, spin_body, NULL, &s[i]);
		sim_actor_pin(&s[i].a, &cpu);
		s[i].left = 8;
		/* b wants the CPU 50 ns into a's first step. */
		sim_actor_start(&s[i].a, i == 0 ? 0 : 50);
	}
	sim_engine_run(&w->eng, UINT64_MAX);
	assert_true(cpu.busy_ns == 1600);
	assert_true(cpu.waiters == 0);
	assert_true(w->eng.now_ns == 1500); /* 16 steps back to back */
	sim_engine_fini(&w->eng);
	free(w);
}

static void test_sim_cpu_fair_takes_turns(void **state)
{
	struct spinner s[2];
	uint32_t i;

	(void)state;
	run_spinners(true, s);
	assert_int_equal(spin_n, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(spin_log[i], i % 2); /* a b a b ... */
	/* Without fairness (a guest's vCPU shared by its application and its
	 * interrupt handler, as before) a runs all its steps first. */
	run_spinners(false, s);
	for (i = 0; i < 16; i++)
		assert_int_equal(spin_log[i], i < 8 ? 0 : 1);
}

/* ---- The shared-CPU scenario. */

static const char shared_yaml[] =
	"trace: {packets: 8000}\n"
	"hosts: [{name: h0, cpus: 2}]\n"
	"switches: [{name: sw0, type: vale}]\n"
	"endpoints:\n"
	"  - {name: tx, host: h0, device: ptnet, switch: sw0, role: sender, kloop: busy, kloop_cpu: 0}\n"
	"  - {name: rx, host: h0, device: ptnet, switch: sw0, role: receiver, kloop: busy, kloop_cpu: 0}\n";

static struct sim_world *run_shared(const char *set, double *mpps)
{
	static struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512] = "";
	int i;

	assert_non_null(w);
	assert_int_equal(sim_scenario_load(&sc, "shared.yaml", shared_yaml, err, sizeof(err)), 0);
	if (set != NULL)
		assert_int_equal(sim_scenario_override(&sc, set, err, sizeof(err)), 0);
	assert_int_equal(sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)), 0);
	sim_world_run(w);
	if (w->failed)
		printf("    %s\n", w->fail_msg);
	assert_false(w->failed);
	assert_true(w->finished);
	for (i = 0; i < SIM_INV_COUNT; i++)
		assert_true(w->inv_violations[i] == 0);
	assert_true(w->pk.delivered + sim_world_drops(w) == 8000);
	*mpps = (double)w->pk.delivered * 1e3 / (double)(w->pk.last_out - w->pk.first_in);
	return w;
}

static void test_sim_cpu_shared_kloops_slower(void **state)
{
	struct sim_world *w;
	double shared, separate, again;
	struct sim_actor *k0, *k1;
	uint64_t fp;

	(void)state;
	w = run_shared(NULL, &shared);
	k0 = w->ep[0]->backend;
	k1 = w->ep[1]->backend;
	assert_ptr_equal(k0->cpu, &w->host_cpu[0][0]);
	assert_ptr_equal(k1->cpu, &w->host_cpu[0][0]);
	assert_ptr_equal(w->ep[0]->app.cpu, &w->ep[0]->app.own_cpu);
	assert_true(w->host_cpu[0][0].busy_ns == k0->busy_ns + k1->busy_ns);
	assert_true(w->host_cpu[0][1].busy_ns == 0);
	fp = w->eng.fingerprint;
	sim_world_destroy(w);
	free(w);
	w = run_shared(NULL, &again);
	assert_true(w->eng.fingerprint == fp);
	assert_true(again == shared);
	sim_world_destroy(w);
	free(w);
	w = run_shared("endpoints.rx.kloop_cpu=1", &separate);
	assert_ptr_equal(w->ep[1]->backend->cpu, &w->host_cpu[0][1]);
	assert_true(w->host_cpu[0][1].busy_ns == w->ep[1]->backend->busy_ns);
	printf("    kloops on one CPU %.3f Mpps, on two %.3f Mpps\n", shared, separate);
	assert_true(shared < separate);
	sim_world_destroy(w);
	free(w);
}

/* ---- Bad input. */


#define SW "switches: [{name: s, type: vale}]\n"

static void test_sim_cpu_bad_input(void **state)
{
	struct sim_scenario sc;
	char err[512];

	(void)state;
	sim_test_expect_bad("hosts: [{name: h, cpus: 2}]\n" SW "endpoints:\n"
		   "  - {name: a, host: h, switch: s, role: sender, cpu: 2}\n"
		   "  - {name: b, host: h, switch: s, role: receiver}\n",
		   "bad.yaml:4: endpoint a: cpu 2 is not below host h's cpus 2 (expected 0..1)");
	sim_test_expect_bad("hosts: [{name: h}]\n" SW "endpoints:\n"
		   "  - {name: a, host: h, switch: s, role: sender, device: ptnet, kloop_cpu: 0}\n"
		   "  - {name: b, host: h, switch: s, role: receiver}\n",
		   "endpoint a: kloop_cpu 0 but host h declares no cpus (expected cpus: N on host h)");
	sim_test_expect_bad(SW "endpoints:\n"
		   "  - {name: a, switch: s, role: sender, cpu: 0}\n"
		   "  - {name: b, switch: s, role: receiver}\n",
		   "endpoint a: cpu 0 but no hosts");
	sim_test_expect_bad("hosts: [{name: h, cpus: 1}]\n" SW "endpoints:\n"
		   "  - {name: a, host: h, switch: s, role: sender, kloop_cpu: 0}\n"
		   "  - {name: b, host: h, switch: s, role: receiver}\n",
		   "bad.yaml:4: endpoint a: kloop_cpu applies to device ptnet or xen with fast_path only (this one is none)");
	sim_test_expect_bad("hosts: [{name: h, cpus: 1}]\n" SW "endpoints:\n"
		   "  - {name: a, host: h, switch: s, role: sender, device: ptnet, backend_cpu: 0}\n"
		   "  - {name: b, host: h, switch: s, role: receiver}\n",
		   "endpoint a: backend_cpu applies to device e1000, virtio, e1000-stock or xen without fast_path only (this one is ptnet)");
	sim_test_expect_bad("hosts: [{name: h, cpus: 0}]\n" SW, "hosts.cpus: '0' is out of range (expected an integer in [1, 64])");
	assert_int_equal(sim_scenario_load(&sc, "ok.yaml", shared_yaml, err, sizeof(err)), 0);
	assert_int_equal(sim_scenario_override(&sc, "endpoints.rx.kloop_cpu=2", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kloop_cpu 2 is not below host h0's cpus 2"));
	assert_int_equal(sim_scenario_load(&sc, "ok.yaml",
		"hosts: [{name: h, cpus: 4}]\n" SW "endpoints:\n"
		"  - {name: a, host: h, switch: s, role: sender, device: virtio, cpu: 3, backend_cpu: 3}\n"
		"  - {name: b, host: h, switch: s, role: receiver, device: xen, fast_path: true, kloop_cpu: 0}\n",
		err, sizeof(err)), 0);
	assert_int_equal(sc.endpoints[0].cpu, 3);
	assert_int_equal(sc.endpoints[1].kloop_cpu, 0);
	assert_true(sc.endpoints[1].cpu == SIM_CPU_OWN);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest share[] = {
		cmocka_unit_test(test_sim_cpu_fair_takes_turns),
		cmocka_unit_test(test_sim_cpu_shared_kloops_slower),
	};
	static const struct CMUnitTest bad[] = {
		cmocka_unit_test(test_sim_cpu_bad_input),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("share", share),
		NM_TEST_GROUP("bad", bad),
	};

	return nm_test_main("sim_cpu", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
