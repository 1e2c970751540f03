/*
 * bench_sim_model.c - the concurrent model against the step model (issue
 * 12), in one run on one core.
 *
 * 1. The switch: two actors each burning shared loads, their events
 *    interleaved so that every load suspends one and resumes the other;
 *    wall ns per suspension (continuation event + two coroutine switches).
 * 2. The embedded default scenario (1 M packets unless --packets N): wall
 *    time, simulated packets per wall-clock second, events, under the step
 *    model and the concurrent model, each with both endpoints' kloops
 *    forced to notify and to busy (overrides: the figures do not depend on
 *    what the default is), and the ratio concurrent / step per kloop mode.
 *    The four configurations are interleaved run by run (--runs N, default
 *    5), so that machine noise hits them alike; median [min..max].
 *
 * Wall time is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID), as in
 * bench_sim_engine.c: other work on a shared machine inflates it less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_json.h"
#include "bench_stats.h"
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
	double wall_s, pkts_per_s, build_s;
	uint64_t events, delivered, dropped, conts;
	bool ok;
};

static void set_or_die(struct sim_scenario *sc, const char *set)
{
	char err[512];

	if (sim_scenario_override(sc, set, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: --set %s: %s\n", set, err);
		abort();
	}
}

static void bench_default(const char *model, const char *kloop,
			  const char *packets, struct run_fig *f)
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
	set_or_die(&sc, set);
	/* The embedded default's two endpoints (sim_scenario_default.c). */
	snprintf(set, sizeof(set), "endpoints.g1.kloop=%s", kloop);
	set_or_die(&sc, set);
	snprintf(set, sizeof(set), "endpoints.g2.kloop=%s", kloop);
	set_or_die(&sc, set);
	if (packets != NULL) {
		snprintf(set, sizeof(set), "trace.packets=%s", packets);
		set_or_die(&sc, set);
	}
	t0 = cpu_s();
	if (sim_world_build(w, &sc, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		abort();
	}
	f->build_s = cpu_s() - t0;
	sim_world_run(w);
	t1 = cpu_s();
	f->wall_s = t1 - t0;
	f->events = w->eng.executed;
	f->delivered = w->pk.delivered;
	f->dropped = sim_world_drops(w);
	f->conts = w->run.conts;
	f->ok = !w->failed;
	f->pkts_per_s = (double)w->pk.injected / f->wall_s;
	sim_world_destroy(w);
	free(w);
}

#define MAX_RUNS 64

/* One configuration: a model and a kloop mode, and its runs. */
struct config {
	const char *model, *kloop;
	double pps[MAX_RUNS], build[MAX_RUNS];
	struct stat3 s, b;
	struct run_fig last;
	bool ok;
};

int main(int argc, char **argv)
{
	const char *packets = NULL, *json = NULL;
	struct config cf[4] = {
		{ .model = "step", .kloop = "notify" },
		{ .model = "concurrent", .kloop = "notify" },
		{ .model = "step", .kloop = "busy" },
		{ .model = "concurrent", .kloop = "busy" },
	};
	double sw[MAX_RUNS];
	struct stat3 sws;
	uint64_t conts = 0;
	json_t *jc;
	int i, r, runs = 5;
	bool ok = true;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			packets = argv[++i];
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--packets N] [--runs N] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench: --runs 1..%d\n", MAX_RUNS);
		return 2;
	}
	for (i = 0; i < 4; i++)
		cf[i].ok = true;
	/* The switch first: a scenario run leaves its cost table installed
	 * (sim_cost.c), which the switch's cache transfers would then pay. */
	for (r = 0; r < runs; r++)
		sw[r] = bench_switch(2000000, &conts);
	for (r = 0; r < runs; r++) {
		for (i = 0; i < 4; i++) {
			bench_default(cf[i].model, cf[i].kloop, packets, &cf[i].last);
			cf[i].pps[r] = cf[i].last.pkts_per_s;
			cf[i].build[r] = cf[i].last.build_s;
			cf[i].ok = cf[i].ok && cf[i].last.ok;
		}
	}
	sws = summarize(sw, runs);
	printf("switch: %.1f [%.1f..%.1f] ns wall per suspension (%llu suspensions a run)\n",
	       sws.median, sws.min, sws.max, (unsigned long long)conts);
	printf("default scenario, %d runs interleaved: M simulated packets per wall second, median [min..max]\n",
	       runs);
	printf("  (wall: the thread's CPU time, world build included; build: of which the build,\n"
	       "   mostly the trace's frames)\n");
	printf("  kloop   model       Mpkts/s_wall           build_ms      events  suspensions  delivered  dropped\n");
	for (i = 0; i < 4; i++) {
		struct config *c = &cf[i];

		c->s = summarize(c->pps, runs);
		c->b = summarize(c->build, runs);
		printf("  %-6s  %-10s  %6.2f [%5.2f..%5.2f]  %7.1f  %10llu  %11llu  %9llu  %7llu%s\n",
		       c->kloop, c->model, c->s.median / 1e6, c->s.min / 1e6,
		       c->s.max / 1e6, c->b.median * 1e3, (unsigned long long)c->last.events,
		       (unsigned long long)c->last.conts,
		       (unsigned long long)c->last.delivered,
		       (unsigned long long)c->last.dropped, c->ok ? "" : "  FAILED");
		ok = ok && c->ok;
	}
	printf("ratio concurrent/step (medians): notify %.2f, busy %.2f\n",
	       cf[1].s.median / cf[0].s.median, cf[3].s.median / cf[2].s.median);
	if (json == NULL)
		return ok ? 0 : 1;
	jc = json_object();
	for (i = 0; i < 4; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%s_%s_pkts_per_s", cf[i].model, cf[i].kloop);
		json_object_set_new(jc, key, bench_stat(cf[i].s, 1.0));
		snprintf(key, sizeof(key), "%s_%s_build_s", cf[i].model, cf[i].kloop);
		json_object_set_new(jc, key, bench_stat(cf[i].b, 1.0));
	}
	json_object_set_new(jc, "ratio_notify", bench_num(cf[1].s.median / cf[0].s.median));
	json_object_set_new(jc, "ratio_busy", bench_num(cf[3].s.median / cf[2].s.median));
	if (bench_json_write(json_pack("{s:s,s:i,s:o,s:o}", "bench", "sim_model",
				       "runs", runs, "switch_ns", bench_stat(sws, 1.0),
				       "default", jc),
			     json) != 0)
		return 3;
	return ok ? 0 : 1;
}
