/*
 * zoo_sim.c - replay a simulator scenario with the core's test-only CSB
 * mutants switched on, and judge the run by the simulator's invariants
 * (docs/bugzoo.md, the "(b)" half of each zoo case).
 *
 * Owns: nothing but the command line.  The simulator is the ordinary one
 * (sim/, every layer), built over nm_sim_csbmut_plain, the core with its
 * mutant switches (tests/csb.cmake); nmsim itself never has them.
 *
 *   nm_zoo_sim --scenario FILE [--set PATH=VALUE]... [--mutant NAME[+NAME]]
 *              --expect violation|clean [--invariant NAME] [--actor NAME]
 *
 * violation: the run must stop on an invariant (with --invariant, its
 * message must name that one: "notification", "ring_index", ...; with
 * --actor, the actor it names must be that one: "rx.kloop", "tx", so that
 * two cases sharing a mutant each stop on their own side).  clean:
 * the run must finish with every packet accounted for and no violation.
 */
#include "csb.h"
#include "sim_report.h"
#include "sim_world.h"
#include "xp_mutants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr, "usage: nm_zoo_sim --scenario FILE [--set PATH=VALUE]... [--mutant NAME[+NAME]]\n"
			"       --expect violation|clean [--invariant NAME] [--actor NAME]\n"
			"mutants: %s\n", xp_mutants_names());
	return 2;
}

int main(int argc, char **argv)
{
	const char *file = NULL, *expect = NULL, *inv = NULL, *mutant = "none";
	const char *actor = NULL;
	char who[80];
	const char *sets[16];
	unsigned nsets = 0, bits, i;
	static struct sim_scenario sc;
	static struct sim_world w;
	char err[512];
	bool ok;
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		const char *o = argv[a], *v = argv[a + 1];

		if (strcmp(o, "--scenario") == 0)
			file = v;
		else if (strcmp(o, "--set") == 0 && nsets < 16)
			sets[nsets++] = v;
		else if (strcmp(o, "--mutant") == 0)
			mutant = v;
		else if (strcmp(o, "--expect") == 0)
			expect = v;
		else if (strcmp(o, "--invariant") == 0)
			inv = v;
		else if (strcmp(o, "--actor") == 0)
			actor = v;
		else
			return usage();
	}
	if (a != argc || file == NULL || expect == NULL ||
	    (strcmp(expect, "violation") != 0 && strcmp(expect, "clean") != 0) ||
	    xp_mutants_parse(mutant, &bits) != 0)
		return usage();
	if (sim_scenario_load(&sc, file, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "nm_zoo_sim: %s\n", err);
		return 2;
	}
	for (i = 0; i < nsets; i++)
		if (sim_scenario_override(&sc, sets[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "nm_zoo_sim: %s\n", err);
			return 2;
		}
	csb_mutants = bits;
	if (sim_world_build(&w, &sc, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "nm_zoo_sim: %s\n", err);
		return 2;
	}
	sim_world_run(&w);
	if (getenv("NM_ZOO_REPORT") != NULL) {
		struct sim_summary sum;

		sim_summary_collect(&w, 0, &sum);
		sim_report_text(stdout, &w, &sum);
	}
	printf("nm_zoo_sim: %s, mutant %s: %s at %llu ns%s%s\n", file, mutant,
	       w.failed ? "violation" : w.finished ? "clean" : "unfinished",
	       (unsigned long long)w.end_ns, w.failed ? ": " : "",
	       w.failed ? w.fail_msg : "");
	/* The message names its actor as ", actor NAME, ring". */
	snprintf(who, sizeof(who), ", actor %s, ", actor != NULL ? actor : "");
	if (strcmp(expect, "violation") == 0)
		ok = w.failed && (inv == NULL || strstr(w.fail_msg, inv) != NULL) &&
		     (actor == NULL || strstr(w.fail_msg, who) != NULL);
	else
		ok = !w.failed && w.finished;
	sim_world_destroy(&w);
	csb_mutants = 0;
	if (!ok)
		printf("nm_zoo_sim: FAIL: expected %s%s%s%s%s\n", expect,
		       inv != NULL ? " of " : "", inv != NULL ? inv : "",
		       actor != NULL ? " by actor " : "", actor != NULL ? actor : "");
	return ok ? 0 : 1;
}
