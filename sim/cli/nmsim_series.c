/*
 * nmsim_series.c - running a built world: to the end, or in slices of
 * --interval simulated ns with a sample between slices (a time series in
 * JSON and CSV), and the progress line on a terminal.
 *
 * The wall clock is read here only, for events per second and the
 * progress line; it never reaches the simulation.  Slicing uses the
 * engine's public run-until (sim_engine_run()), so a sliced run executes
 * the same events in the same order as one that is not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nmsim.h"

static double nmsim_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct nmsim_progress {
	double t0;
	bool shown;
};

static void nmsim_progress(struct sim_engine *e, void *arg)
{
	struct sim_world *w = (struct sim_world *)((char *)e - offsetof(struct sim_world, eng));
	struct nmsim_progress *p = arg;
	double el = nmsim_wall() - p->t0;

	if (el < 1.0)
		return;
	p->shown = true;
	fprintf(stderr, "\r  %.1f s: %.3f ms simulated, %" PRIu64 " of %" PRIu64
		" packets delivered, %.1f M events     ",
		el, (double)e->now_ns / 1e6, w->pk.delivered, sim_world_expected(w),
		(double)e->executed / 1e6);
}

/* One point of a time series: counters at time t and their change since
 * the previous point (prev), per interval. */
static json_t *nmsim_sample(const struct sim_world *w, uint64_t t, uint64_t dt,
			    struct sim_summary *prev)
{
	struct sim_summary c;
	json_t *j;

	sim_summary_collect(w, 0, &c);
	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:I,s:I,s:I,s:I}",
		      "t_ns", (json_int_t)t, "injected", (json_int_t)(c.in - prev->in),
		      "delivered", (json_int_t)(c.out - prev->out),
		      "drops", (json_int_t)(c.drops - prev->drops),
		      "in_flight", (json_int_t)c.in_flight,
		      "mpps", (double)(c.out - prev->out) * 1e3 / (double)dt,
		      "kicks", (json_int_t)(c.kicks - prev->kicks),
		      "interrupts", (json_int_t)(c.irqs - prev->irqs),
		      "vm_exits", (json_int_t)(c.vmexits - prev->vmexits),
		      "events", (json_int_t)(c.events - prev->events));
	*prev = c;
	return j;
}

/*
 * Run in slices of o->interval_ns with the engine's public run-until, one
 * sample between slices: the same events in the same order as one run.
 * When the world finishes inside a slice, sim_world_run() must still make
 * its end checks without running another event: a max_time below every
 * queued event's time (they are all at or after now) makes it return at
 * once.
 */
static void nmsim_run_sliced(const struct nmsim_opts *o, struct sim_world *w,
			     json_t *series)
{
	uint64_t until = w->sc.max_time_us != 0 ? w->sc.max_time_us * 1000ULL : UINT64_MAX;
	uint64_t t = 0, keep = w->sc.max_time_us;
	struct sim_summary prev;

	memset(&prev, 0, sizeof(prev));
	while (!w->finished && !w->failed && t < until &&
	       sim_engine_next_time(&w->eng) != UINT64_MAX) {
		t = t + o->interval_ns < until ? t + o->interval_ns : until;
		sim_engine_run(&w->eng, t);
		json_array_append_new(series, nmsim_sample(w, t, o->interval_ns, &prev));
	}
	if (w->finished && w->eng.now_ns > 1000)
		w->sc.max_time_us = 1;
	sim_world_run(w);
	w->sc.max_time_us = keep;
}

void nmsim_simulate(const struct nmsim_opts *o, struct sim_world *w,
		    struct sim_summary *s, json_t *series)
{
	struct nmsim_progress prog = { nmsim_wall(), false };
	double t0;

	if (isatty(2)) {
		w->eng.progress = nmsim_progress;
		w->eng.progress_arg = &prog;
	}
	t0 = nmsim_wall();
	if (series != NULL && o->interval_ns != 0)
		nmsim_run_sliced(o, w, series);
	else
		sim_world_run(w);
	sim_summary_collect(w, nmsim_wall() - t0, s);
	if (prog.shown)
		fprintf(stderr, "\r%*s\r", 100, "");
}


/* The time series as CSV, one row per interval; closes f. */
int nmsim_series_csv(FILE *f, const char *path, json_t *series)
{
	static const char *const col[] = { "t_ns", "injected", "delivered", "drops",
					   "in_flight", "mpps", "kicks", "interrupts",
					   "vm_exits", "events" };
	size_t i, c;
	json_t *p, *v;

	for (c = 0; c < sizeof(col) / sizeof(col[0]); c++)
		fprintf(f, "%s%s", c ? "," : "", col[c]);
	fputc('\n', f);
	json_array_foreach(series, i, p) {
		for (c = 0; c < sizeof(col) / sizeof(col[0]); c++) {
			v = json_object_get(p, col[c]);
			if (json_is_real(v))
				fprintf(f, "%s%.6f", c ? "," : "", json_real_value(v));
			else
				fprintf(f, "%s%" JSON_INTEGER_FORMAT, c ? "," : "", json_integer_value(v));
		}
		fputc('\n', f);
	}
	return nmsim_out_close(f, path);
}
