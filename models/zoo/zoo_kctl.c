/*
 * zoo_kctl.c - the bug zoo's replay of case 20 (nmlab_kloop_stop_first):
 * the sync kloop's START/STOP decision, the real core steps
 * (core/csb_kloop_ctl.c, mutant-enabled build) driven by the simulator's
 * event engine (sim/engine), not by nmsim's world: the race is between
 * two control calls, not on a ring.
 *
 *   nm_zoo_kctl [--seeds N] [--mutant NAME[+NAME]] --expect violation|clean
 *
 * Per seed, two actors at seeded virtual times: "start" requests START at
 * t0 and takes the (modelled) file lock after a seeded latency; "stop"
 * requests STOP after t0 (the application stops what it started) and takes
 * the lock after its own latency, so either may win it.  Each lock-holding
 * step is one engine event (the lock makes it atomic).  A START that says
 * "run" starts a "loop" actor passing every 100 ns until a STOP ends it.
 * Invariant stop_lost: once both calls have run, no loop may run (a STOP
 * issued after the START's request was lost and the loop would run until
 * the file is closed).  violation: some seed breaks it (the first one is
 * reported); clean: every seed keeps it.
 */
#include "csb.h"
#include "csb_kloop_ctl.h"
#include "sim_engine.h"
#include "sim_rng.h"
#include "xp_mutants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KCTL_PASS_NS 100U
#define KCTL_HORIZON_NS 100000U

enum { ACT_START = 1, ACT_STOP, ACT_LOOP };

struct kctl_run {
	struct csb_kloop_ctl ctl;
	struct sim_ev_ref pass;	  /* the loop's next pass, if running */
	unsigned calls_done;	  /* START and STOP steps run */
	uint64_t passes;
	uint64_t fail_ns;
	bool failed, stop_first;
};

static void kctl_pass(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	struct kctl_run *r = arg;

	(void)ev;
	r->passes++;
	r->pass = sim_schedule(e, sim_engine_now(e) + KCTL_PASS_NS, kctl_pass,
			       r, ACT_LOOP, ACT_LOOP, 0, 0);
}

/* kmod/nmlab_kloop.c, nmlab_kloop_start() under nmlab_lock. */
static void kctl_start(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	struct kctl_run *r = arg;

	(void)ev;
	r->stop_first = r->calls_done != 0;
	if (csb_kloop_ctl_start(&r->ctl))
		r->pass = sim_schedule(e, sim_engine_now(e) + KCTL_PASS_NS,
				       kctl_pass, r, ACT_LOOP, ACT_LOOP, 0, 0);
	r->calls_done++;
}

/* nmlab_kloop_stop_req(): stop a running loop (kthread_stop), then exit. */
static void kctl_stop(struct sim_engine *e, void *arg, const struct sim_event *ev)
{
	struct kctl_run *r = arg;

	(void)ev;
	if (csb_kloop_ctl_stop(&r->ctl)) {
		sim_cancel(e, r->pass);
		csb_kloop_ctl_exit(&r->ctl);
	}
	r->calls_done++;
}

/* The invariant, after every event. */
static void kctl_check(struct sim_engine *e, void *arg)
{
	struct kctl_run *r = arg;

	if (r->failed || r->calls_done < 2 || !r->ctl.running)
		return;
	r->failed = true;
	r->fail_ns = sim_engine_now(e);
	sim_engine_stop(e);
}

/* One seed: 0 clean, 1 violation, -1 no memory. */
static int kctl_seed(uint64_t seed, struct kctl_run *r)
{
	struct sim_engine e;
	struct sim_rng rng;
	uint64_t t0, t_stop;

	memset(r, 0, sizeof(*r));
	if (sim_engine_init(&e) != 0)
		return -1;
	sim_rng_init(&rng, seed, "kctl");
	t0 = sim_rng_below(&rng, 1000);
	t_stop = t0 + 1 + sim_rng_below(&rng, 1000);
	sim_schedule(&e, t0 + sim_rng_below(&rng, 2000), kctl_start, r,
		     ACT_START, ACT_START, 0, 0);
	sim_schedule(&e, t_stop + sim_rng_below(&rng, 2000), kctl_stop, r,
		     ACT_STOP, ACT_STOP, 0, 0);
	e.after = kctl_check;
	e.after_arg = r;
	sim_engine_run(&e, KCTL_HORIZON_NS);
	sim_engine_fini(&e);
	return r->failed ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: nm_zoo_kctl [--seeds N] [--mutant NAME[+NAME]] --expect violation|clean\n"
			"mutants: %s\n", xp_mutants_names());
	return 2;
}

int main(int argc, char **argv)
{
	const char *expect = NULL, *mutant = "none";
	unsigned long seeds = 1000, s, stop_first = 0;
	struct kctl_run r;
	unsigned bits;
	int a, rc = 0;
	bool ok;

	for (a = 1; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--seeds") == 0)
			seeds = strtoul(argv[a + 1], NULL, 0);
		else if (strcmp(argv[a], "--mutant") == 0)
			mutant = argv[a + 1];
		else if (strcmp(argv[a], "--expect") == 0)
			expect = argv[a + 1];
		else
			return usage();
	}
	if (a != argc || expect == NULL || seeds == 0 ||
	    (strcmp(expect, "violation") != 0 && strcmp(expect, "clean") != 0) ||
	    xp_mutants_parse(mutant, &bits) != 0)
		return usage();
	csb_mutants = bits;
	for (s = 0; s < seeds; s++) {
		rc = kctl_seed(s, &r);
		if (rc < 0) {
			fprintf(stderr, "nm_zoo_kctl: out of memory\n");
			return 2;
		}
		stop_first += r.stop_first;
		if (rc == 1)
			break;
	}
	csb_mutants = 0;
	if (rc == 1)
		printf("nm_zoo_kctl: mutant %s: violation at %llu ns, seed %lu: "
		       "stop_lost (STOP before its START, the loop still runs)\n",
		       mutant, (unsigned long long)r.fail_ns, s);
	else
		printf("nm_zoo_kctl: mutant %s: clean, %lu seeds (%lu with the STOP first)\n",
		       mutant, seeds, stop_first);
	/* A clean run that never put the STOP first would prove nothing. */
	ok = strcmp(expect, "violation") == 0 ? rc == 1 : rc == 0 && stop_first > 0;
	if (!ok)
		printf("nm_zoo_kctl: FAIL: expected %s\n", expect);
	return ok ? 0 : 1;
}
