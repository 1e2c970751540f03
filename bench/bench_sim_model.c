/*
 * bench_sim_model.c - the concurrent model against the step model (issue
 * 12), in one run on one core.
 *
 * 1. The switch: two actors each burning shared loads, their events
 *    interleaved so that every load suspends one and resumes the other;
 *    wall ns per suspension (continuation event + two coroutine switches).
 * 2. The embedded default scenario (1 M packets unless --packets N): wall
 *    time, simulated packets per wall-clock second, events, under the step
 *    model and the concurrent model, and their ratio.
 *
 * Wall time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), as in
 * bench_sim_engine.c: other work on a shared machine inflates it less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_json.h"
#include "nm_os.h"
#include "sim_actor.h"
#include "sim_scenario.h"
#include "sim_world.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint32_t word;
static uint64_t burns;

static void burner(struct sim_actor *a)
{
	uint64_t i;

	for (i = 0; i < burns; i++)
		(void)nm_os_shared_load32(&word);
	a->done = true;
}

/* ns of wall time per suspension with two actors in lock step. */
static double bench_switch(uint64_t n, uint64_t *conts)
{
	struct sim_world *w = calloc(1, sizeof(*w));
	struct sim_actor act[2];
	uint64_t costs[NM_SIM_STEP_KINDS] = { 0 };
	double t0, t1;

	costs[NM_SIM_SHARED_LOAD] = 10000; /* 10 ns */
	nm_sim_os_reset(costs);
	sim_world_init(w);
	if (sim_engine_init(&w->eng) != 0 || sim_cache_init(&w->cache) != 0)
		abort();
	sim_actor_concurrent_on(&w->run, 0);
	burns = n;
	sim_actor_init(&act[0], &w->run, "a", 0, burner, NULL, NULL);
	sim_actor_init(&act[1], &w->run, "b", 1, burner, NULL, NULL);
	sim_actor_start(&act[0], 0);
	sim_actor_start(&act[1], 5); /* half a load later: they alternate */
	t0 = cpu_s();
	sim_engine_run(&w->eng, UINT64_MAX);
	t1 = cpu_s();
	*conts = w->run.conts;
	sim_actor_fini(&act[0]);
	sim_actor_fini(&act[1]);
	sim_actor_concurrent_off();
	nm_sim_os.hook = NULL;
	sim_cache_fini(&w->cache);
	sim_engine_fini(&w->eng);
	free(w);
	return (t1 - t0) * 1e9 / (double)(*conts != 0 ? *conts : 1);
}

struct run_fig {
	double wall_s, pkts_per_s;
	uint64_t events, delivered, dropped;
	bool ok;
};

static void bench_default(const char *model, const char *packets,
			  struct run_fig *f)
{
	struct sim_scenario sc;
	struct sim_world *w = calloc(1, sizeof(*w));
	char err[512], set[64];
	double t0, t1;

	if (w == NULL ||
	    sim_scenario_load(&sc, "<embedded default>", sim_scenario_default_yaml,
			      err, sizeof(err)) != 0)
		abort();
	snprintf(set, sizeof(set), "sim.model=%s", model);
	if (sim_scenario_override(&sc, set, err, sizeof(err)) != 0)
		abort();
	if (packets != NULL) {
		snprintf(set, sizeof(set), "trace.packets=%s", packets);
		if (sim_scenario_override(&sc, set, err, sizeof(err)) != 0)
			abort();
	}
	t0 = cpu_s();
	if (sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		abort();
	}
	sim_world_run(w);
	t1 = cpu_s();
	f->wall_s = t1 - t0;
	f->events = w->eng.executed;
	f->delivered = w->pk.delivered;
	f->dropped = sim_world_drops(w);
	f->ok = !w->failed;
	f->pkts_per_s = (double)w->pk.injected / f->wall_s;
	sim_world_destroy(w);
	free(w);
}

int main(int argc, char **argv)
{
	const char *packets = NULL, *json = NULL;
	struct run_fig st, co;
	uint64_t conts;
	double sw;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			packets = argv[++i];
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--packets N] [--json FILE]\n", argv[0]);
			return 2;
		}
	}
	sw = bench_switch(2000000, &conts);
	printf("switch: %.1f ns wall per suspension (%llu suspensions)\n", sw,
	       (unsigned long long)conts);
	bench_default("step", packets, &st);
	bench_default("concurrent", packets, &co);
	printf("default scenario  model       wall_s  Mpkts/s_wall  events  delivered  dropped\n");
	printf("                  step        %6.3f  %12.2f  %7llu  %9llu  %7llu%s\n", st.wall_s,
	       st.pkts_per_s / 1e6, (unsigned long long)st.events,
	       (unsigned long long)st.delivered, (unsigned long long)st.dropped,
	       st.ok ? "" : "  FAILED");
	printf("                  concurrent  %6.3f  %12.2f  %7llu  %9llu  %7llu%s\n", co.wall_s,
	       co.pkts_per_s / 1e6, (unsigned long long)co.events,
	       (unsigned long long)co.delivered, (unsigned long long)co.dropped,
	       co.ok ? "" : "  FAILED");
	printf("ratio concurrent/step (packets per wall second): %.2f\n",
	       co.pkts_per_s / st.pkts_per_s);
	if (json != NULL &&
	    bench_json_write(json_pack("{s:s,s:o,s:o,s:o,s:o}", "bench", "sim_model",
				       "switch_ns", bench_num(sw),
				       "step_pkts_per_s", bench_num(st.pkts_per_s),
				       "concurrent_pkts_per_s", bench_num(co.pkts_per_s),
				       "ratio", bench_num(co.pkts_per_s / st.pkts_per_s)),
			     json) != 0)
		return 3;
	return st.ok && co.ok ? 0 : 1;
}
