/*
 * bench_coro.c - nmlab-bench-coro: the cost of one coroutine switch, for
 * choosing the simulator's switch (issue 12, sim/sim_coro.c).
 *
 * What it measures, in one run and interleaved (each run times every
 * mechanism once, so a slow minute of a shared machine hits them all):
 * a ping-pong between the thread and one coroutine, --switches switches
 * (half resumes, half yields), for
 *   sim_coro   the simulator's API (sim_coro_resume + sim_coro_yield, state
 *              checks and the current pointer included): its own x86-64
 *              switch, or ucontext where that is what it was built with;
 *   ucontext   glibc's swapcontext (a sigprocmask system call per switch);
 *   fcontext   Boost.Context's jump_fcontext (libboost-context-dev), when
 *              found at configure time;
 *   pcl        libpcl's co_call/co_resume (libpcl1-dev), when found;
 * and the cost of a coroutine's life (create from the pool, run to its end,
 * destroy) and of one on a freshly mapped stack (the pool trimmed each
 * time: mmap, mprotect, munmap).
 * Each figure is the median of --runs runs (default 7) with min and max,
 * in ns of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID); ratios are to
 * the fastest median.
 *
 *   nmlab-bench-coro [--switches N] [--runs R] [--json FILE]
 */
#include "bench_json.h"
#include "sim_coro.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

#ifdef BENCH_HAVE_PCL
#include <pcl.h>
#endif

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define STACK_BYTES (64u * 1024u)

/* ---- sim_coro */

static void sim_pong(void *arg)
{
	(void)arg;
	for (;;)
		sim_coro_yield();
}

static double run_sim_coro(uint64_t switches)
{
	struct sim_coro *c = sim_coro_create(sim_pong, NULL, 0);
	uint64_t i;
	double t0, t1;

	if (c == NULL)
		abort();
	t0 = cpu_s();
	for (i = 0; i < switches / 2; i++)
		sim_coro_resume(c);
	t1 = cpu_s();
	sim_coro_destroy(c);
	return (t1 - t0) * 1e9 / (double)switches;
}

static void noop(void *arg)
{
	(void)arg;
}

/* ns per create + resume to its end + destroy; fresh: pool trimmed first. */
static double run_sim_life(uint64_t n, int fresh)
{
	struct sim_coro *c;
	uint64_t i;
	double t0, t1;

	sim_coro_pool_trim();
	t0 = cpu_s();
	for (i = 0; i < n; i++) {
		if (fresh)
			sim_coro_pool_trim();
		c = sim_coro_create(noop, NULL, 0);
		sim_coro_resume(c);
		sim_coro_destroy(c);
	}
	t1 = cpu_s();
	return (t1 - t0) * 1e9 / (double)n;
}

/* ---- glibc ucontext */

static ucontext_t uc_main, uc_co;

static void uc_pong(void)
{
	for (;;)
		swapcontext(&uc_co, &uc_main);
}

static double run_ucontext(uint64_t switches, void *stack)
{
	uint64_t i;
	double t0, t1;

	getcontext(&uc_co);
	uc_co.uc_stack.ss_sp = stack;
	uc_co.uc_stack.ss_size = STACK_BYTES;
	uc_co.uc_link = NULL;
	makecontext(&uc_co, uc_pong, 0);
	t0 = cpu_s();
	for (i = 0; i < switches / 2; i++)
		swapcontext(&uc_main, &uc_co);
	t1 = cpu_s();
	return (t1 - t0) * 1e9 / (double)switches;
}

/* ---- Boost.Context fcontext (C linkage in libboost_context) */

#ifdef BENCH_HAVE_BOOST_CONTEXT
typedef void *fcontext_t;
struct transfer_t {
	fcontext_t fctx;
	void *data;
};
struct transfer_t jump_fcontext(fcontext_t const to, void *vp);
fcontext_t make_fcontext(void *sp, size_t size, void (*fn)(struct transfer_t));

static void fc_pong(struct transfer_t t)
{
	for (;;)
		t = jump_fcontext(t.fctx, NULL);
}

static double run_fcontext(uint64_t switches, void *stack)
{
	fcontext_t f = make_fcontext((char *)stack + STACK_BYTES, STACK_BYTES,
				     fc_pong);
	struct transfer_t t;
	uint64_t i;
	double t0, t1;

	t0 = cpu_s();
	for (i = 0; i < switches / 2; i++) {
		t = jump_fcontext(f, NULL);
		f = t.fctx;
	}
	t1 = cpu_s();
	return (t1 - t0) * 1e9 / (double)switches;
}
#endif

/* ---- libpcl */

#ifdef BENCH_HAVE_PCL
static void pcl_pong(void *arg)
{
	(void)arg;
	for (;;)
		co_resume();
}

static double run_pcl(uint64_t switches, void *stack)
{
	coroutine_t co = co_create(pcl_pong, NULL, stack, STACK_BYTES);
	uint64_t i;
	double t0, t1;

	if (co == NULL)
		abort();
	t0 = cpu_s();
	for (i = 0; i < switches / 2; i++)
		co_call(co);
	t1 = cpu_s();
	co_delete(co);
	return (t1 - t0) * 1e9 / (double)switches;
}
#endif

enum { M_SIM, M_UC, M_FC, M_PCL, M_LIFE, M_FRESH, M_N };
static const char *const m_name[M_N] = {
	"sim_coro", "ucontext", "fcontext", "pcl", "sim_coro life (pool)",
	"sim_coro life (fresh mmap)",
};

int main(int argc, char **argv)
{
	uint64_t switches = 4000000;
	unsigned runs = 7, r, m;
	const char *json = NULL;
	double v[M_N][32];
	struct stat3 s[M_N];
	bool have[M_N] = { true, true, false, false, true, true };
	double best = 0;
	void *stack;
	json_t *results;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--switches") == 0 && i + 1 < argc)
			switches = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--switches N] [--runs R] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > 32 || switches < 2) {
		fprintf(stderr, "%s: --runs must be 1..32, --switches >= 2\n", argv[0]);
		return 2;
	}
	stack = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED)
		return 1;
#ifdef BENCH_HAVE_BOOST_CONTEXT
	have[M_FC] = true;
#endif
#ifdef BENCH_HAVE_PCL
	have[M_PCL] = co_thread_init() == 0;
#endif
	for (r = 0; r < runs; r++) {
		v[M_SIM][r] = run_sim_coro(switches);
		/* The system-call switches get an eighth of the switches. */
		v[M_UC][r] = run_ucontext(switches / 8, stack);
#ifdef BENCH_HAVE_BOOST_CONTEXT
		v[M_FC][r] = run_fcontext(switches, stack);
#endif
#ifdef BENCH_HAVE_PCL
		if (have[M_PCL])
			v[M_PCL][r] = run_pcl(switches / 8, stack);
#endif
		v[M_LIFE][r] = run_sim_life(switches / 8, 0);
		v[M_FRESH][r] = run_sim_life(switches / 64, 1);
	}
	for (m = 0; m < M_N; m++) {
		if (!have[m])
			continue;
		s[m] = summarize(v[m], (int)runs);
		if (m <= M_PCL && (best == 0 || s[m].median < best))
			best = s[m].median;
	}
	results = json_array();
	printf("coroutine switch, ns per switch (%llu switches, %u runs; ratio to the fastest)\n",
	       (unsigned long long)switches, runs);
	for (m = 0; m < M_N; m++) {
		if (!have[m])
			continue;
		if (m <= M_PCL)
			printf("  %-28s %8.2f [%.2f..%.2f] (%.2f)\n", m_name[m],
			       s[m].median, s[m].min, s[m].max, s[m].median / best);
		else
			printf("  %-28s %8.2f [%.2f..%.2f] ns per coroutine\n",
			       m_name[m], s[m].median, s[m].min, s[m].max);
		json_array_append_new(results, json_pack("{s:s,s:o,s:o,s:o}", "what", m_name[m],
			"ns_median", bench_num(s[m].median), "ns_min", bench_num(s[m].min),
			"ns_max", bench_num(s[m].max)));
	}
	if (json != NULL &&
	    bench_json_write(json_pack("{s:I,s:i,s:o}", "switches", (json_int_t)switches,
				       "runs", (int)runs, "results", results), json) != 0)
		return 1;
	if (json == NULL)
		json_decref(results);
	munmap(stack, STACK_BYTES);
	return 0;
}
