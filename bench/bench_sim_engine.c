/*
 * bench_sim_engine.c - nmlab-bench-sim-engine: events per second of the
 * simulator's engine on one core.
 *
 * What it measures: the classic hold model.  `pending` events are in the
 * queue; each one that runs schedules one more at a pseudo-random delay of
 * 0..1023 ns (so ties are common), keeping the queue size constant, until
 * --events have run.  The handler does nothing else, so this is the cost of
 * pop, fingerprint, dispatch and push.  The baseline, measured in the same
 * run, is the bare queue (sim_queue push + pop of the same keys, no event
 * bodies, no dispatch).  Each figure is the median of --runs runs (default 5)
 * with min and max; time is this thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
 * so other work on a shared machine inflates it less than wall time would;
 * clocks are read here, in bench/, never in sim/.
 *
 *   nmlab-bench-sim-engine [--events N] [--pending P] [--runs R] [--json FILE]
 */
#include "bench_json.h"
#include "sim_engine.h"
#include "sim_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct hold {
	struct sim_rng rng;
	uint64_t left;
};

static void hold_step(struct sim_engine *e, void *arg,
		      const struct sim_event *ev)
{
	struct hold *h = arg;

	if (h->left == 0)
		return;
	h->left--;
	sim_schedule(e, sim_engine_now(e) + (sim_rng_next(&h->rng) & 1023),
		     hold_step, h, ev->kind, ev->actor, ev->ring,
		     ev->index + 1);
}

static double run_engine(uint64_t events, uint32_t pending, uint64_t *fp)
{
	struct sim_engine e;
	struct hold h;
	double t0, t1;
	uint32_t i;

	if (sim_engine_init(&e) != 0)
		exit(1);
	sim_rng_init(&h.rng, 1, "hold");
	h.left = events;
	for (i = 0; i < pending; i++)
		sim_schedule(&e, sim_rng_next(&h.rng) & 1023, hold_step, &h, 1,
			     (uint16_t)(i & 0xffff), i, 0);
	t0 = wall_s();
	events = sim_engine_run(&e, UINT64_MAX);
	t1 = wall_s();
	*fp = e.fingerprint;
	sim_engine_fini(&e);
	return (double)events / (t1 - t0);
}

static double run_queue(uint64_t events, uint32_t pending)
{
	struct sim_queue q;
	struct sim_rng rng;
	struct sim_qkey k = { 0, 0 };
	uint64_t seq = 0, n;
	double t0, t1;
	uint32_t i;

	if (sim_queue_init(&q, pending) != 0)
		exit(1);
	sim_rng_init(&rng, 1, "hold");
	for (i = 0; i < pending; i++) {
		k = sim_qkey_make(sim_rng_next(&rng) & 1023, seq++, i);
		sim_queue_push(&q, &k);
	}
	t0 = wall_s();
	for (n = 0; n < events; n++) {
		sim_queue_pop(&q, &k);
		k = sim_qkey_make(k.time_ns + (sim_rng_next(&rng) & 1023), seq++,
				  sim_qkey_id(&k));
		sim_queue_push(&q, &k);
	}
	t1 = wall_s();
	sim_queue_fini(&q);
	return (double)events / (t1 - t0);
}

int main(int argc, char **argv)
{
	uint64_t events = 20000000, fp = 0, fp0 = 0;
	uint32_t pending = 32, runs = 5, r;
	const char *json = NULL;
	double eng[32], base[32];
	struct stat3 es, bs;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			events = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--pending") == 0 && i + 1 < argc)
			pending = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--events N] [--pending P] [--runs R] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs == 0 || runs > 32 || pending == 0) {
		fprintf(stderr, "%s: --runs must be 1..32, --pending > 0\n", argv[0]);
		return 2;
	}
	for (r = 0; r < runs; r++) {
		base[r] = run_queue(events, pending);
		eng[r] = run_engine(events, pending, &fp);
		if (r > 0 && fp != fp0) {
			fprintf(stderr, "fingerprint differs between runs\n");
			return 1;
		}
		fp0 = fp;
	}
	qsort(eng, runs, sizeof(double), cmp_double);
	qsort(base, runs, sizeof(double), cmp_double);
	fprintf(stderr, "engine (hold model, %u pending): median %.1f M events/s (min %.1f, max %.1f)\n",
		pending, eng[runs / 2] / 1e6, eng[0] / 1e6, eng[runs - 1] / 1e6);
	fprintf(stderr, "baseline bare queue:             median %.1f M ops/s (min %.1f, max %.1f)\n",
		base[runs / 2] / 1e6, base[0] / 1e6, base[runs - 1] / 1e6);
	fprintf(stderr, "engine / baseline: %.2f; fingerprint %016llx\n",
		eng[runs / 2] / base[runs / 2], (unsigned long long)fp);
	es = (struct stat3){ eng[runs / 2], eng[0], eng[runs - 1] };
	bs = (struct stat3){ base[runs / 2], base[0], base[runs - 1] };
	return bench_json_write(json_pack("{s:s,s:I,s:i,s:i,s:o,s:o,s:o}", "bench", "sim_engine",
					  "events", (json_int_t)events, "pending", (int)pending,
					  "runs", (int)runs, "engine_events_per_s", bench_stat(es, 1),
					  "baseline_queue_ops_per_s", bench_stat(bs, 1),
					  "ratio_to_baseline", bench_num(eng[runs / 2] / base[runs / 2])),
				json);
}
