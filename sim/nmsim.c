/*
 * nmsim.c - the simulator's command line.
 *
 *   nmsim run [SCENARIO] [--trace PCAP] [--seed N] [--json FILE]
 *             [--pcap-out DIR] [--set PATH=VALUE]... [--quiet]
 *   nmsim sweep SCENARIO PARAM=v1,v2,... [--json FILE] [--plot FILE]
 *             [--seed N] [--set PATH=VALUE]...
 *
 * Exit status: 0 run ok, 1 an invariant was violated, 2 bad input (one line
 * on stderr naming the file and line or record).  The wall clock is read
 * here only, for events per second and the progress line; it never reaches
 * the simulation.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_world.h"

#define NMSIM_MAX_SETS 32
#define NMSIM_MAX_VALUES 64

struct nmsim_opts {
	const char *scenario; /* NULL: the embedded default */
	const char *trace;
	const char *json;
	const char *pcap_out;
	const char *plot;
	const char *sets[NMSIM_MAX_SETS];
	unsigned nsets;
	bool have_seed, quiet;
	uint64_t seed;
};

static const char usage_main[] =
	"usage: nmsim COMMAND [ARGS]\n"
	"  run [SCENARIO]                 simulate a scenario (default: the embedded one)\n"
	"  sweep SCENARIO PARAM=v1,v2,... run once per value and tabulate\n"
	"  --help                         this text; 'nmsim COMMAND --help' for each command\n"
	"Exit status: 0 ok, 1 invariant violated, 2 bad input.\n";

static const char usage_run[] =
	"usage: nmsim run [SCENARIO] [options]\n"
	"  SCENARIO         YAML scenario file; omitted or 'default': the embedded default\n"
	"                   (two ptnet guests on one VALE switch, 1M 60-byte UDP frames)\n"
	"  --trace PCAP     replay this pcap or pcapng file instead of the scenario's trace\n"
	"  --seed N         run seed (printed in the report)\n"
	"  --json FILE      write the report as JSON ('-' for stdout)\n"
	"  --pcap-out DIR   write one pcap per receiving port into DIR\n"
	"  --set PATH=V     override one scenario value (e.g. endpoints.g1.batch=64,\n"
	"                   trace.packets=1000, costs.vmexit_ns=900); repeatable\n"
	"  --plot FILE      a gnuplot chart (.png or .svg) of the latency distribution\n"
	"  --quiet          no text report (JSON only, if asked for)\n";

static const char usage_sweep[] =
	"usage: nmsim sweep SCENARIO PARAM=v1,v2,... [options]\n"
	"  runs SCENARIO ('default' for the embedded one) once per value of PARAM\n"
	"  (any --set path, e.g. endpoints.g1.batch=1,8,64,256) and prints a table of\n"
	"  Mpps, notifications per packet and latency\n"
	"  --json FILE      the table as JSON\n"
	"  --plot FILE      a gnuplot chart (.png or .svg): Mpps and kicks per packet\n"
	"  --seed N, --set PATH=V, --trace PCAP as for run\n";

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
		el, (double)e->now_ns / 1e6, w->pk.delivered, w->total_packets,
		(double)e->executed / 1e6);
}

static int nmsim_load(const struct nmsim_opts *o, const char *override,
		      struct sim_scenario *sc)
{
	char err[1024];
	unsigned i;
	int rc;

	if (o->scenario == NULL || strcmp(o->scenario, "default") == 0)
		rc = sim_scenario_load(sc, "<embedded default>",
				       sim_scenario_default_yaml, err, sizeof(err));
	else
		rc = sim_scenario_load(sc, o->scenario, NULL, err, sizeof(err));
	for (i = 0; rc == 0 && i < o->nsets; i++)
		rc = sim_scenario_override(sc, o->sets[i], err, sizeof(err));
	if (rc == 0 && override != NULL)
		rc = sim_scenario_override(sc, override, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "nmsim: %s\n", err);
		return 2;
	}
	if (o->have_seed)
		sc->seed = o->seed;
	return 0;
}

/* Build and run one scenario; *w is left built for the caller to report. */
static int nmsim_simulate(const struct nmsim_opts *o, const struct sim_scenario *sc,
			  struct sim_world *w, struct sim_summary *s)
{
	struct nmsim_progress prog = { nmsim_wall(), false };
	char err[1024] = "";
	double t0;

	if (sim_world_build(w, sc, o->trace, o->pcap_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "nmsim: %s\n", err);
		sim_world_destroy(w);
		return 2;
	}
	if (isatty(2)) {
		w->eng.progress = nmsim_progress;
		w->eng.progress_arg = &prog;
	}
	t0 = nmsim_wall();
	sim_world_run(w);
	sim_summary_collect(w, nmsim_wall() - t0, s);
	if (prog.shown)
		fprintf(stderr, "\r%*s\r", 100, "");
	return w->failed ? 1 : 0;
}

static int nmsim_write_json(const char *path, json_t *j)
{
	int rc = strcmp(path, "-") == 0
			 ? json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS)
			 : json_dump_file(j, path, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (strcmp(path, "-") == 0)
		putchar('\n');
	if (rc != 0) {
		fprintf(stderr, "nmsim: %s: cannot write JSON\n", path);
		return 2;
	}
	return 0;
}

static int nmsim_parse(int argc, char **argv, struct nmsim_opts *o,
		       const char **pos, unsigned maxpos, unsigned *npos,
		       const char *usage)
{
	char *end;
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (a[0] == '-' && strcmp(a, "--trace") && strcmp(a, "--json") &&
		    strcmp(a, "--pcap-out") && strcmp(a, "--plot") && strcmp(a, "--set") &&
		    strcmp(a, "--seed") && strcmp(a, "--quiet")) {
			fprintf(stderr, "nmsim: unknown option '%s' (see nmsim %s --help)\n", a,
				usage == usage_run ? "run" : "sweep");
			return 2;
		}
		if (a[0] == '-' && i + 1 >= argc && strcmp(a, "--quiet")) {
			fprintf(stderr, "nmsim: %s needs a value (see --help)\n", a);
			return 2;
		}
		if (!strcmp(a, "--trace"))
			o->trace = argv[++i];
		else if (!strcmp(a, "--json"))
			o->json = argv[++i];
		else if (!strcmp(a, "--pcap-out"))
			o->pcap_out = argv[++i];
		else if (!strcmp(a, "--plot"))
			o->plot = argv[++i];
		else if (!strcmp(a, "--quiet"))
			o->quiet = true;
		else if (!strcmp(a, "--set")) {
			if (o->nsets == NMSIM_MAX_SETS) {
				fprintf(stderr, "nmsim: more than %d --set\n", NMSIM_MAX_SETS);
				return 2;
			}
			o->sets[o->nsets++] = argv[++i];
		} else if (!strcmp(a, "--seed")) {
			errno = 0;
			o->seed = strtoull(argv[++i], &end, 0);
			if (errno != 0 || *end != '\0' || argv[i][0] == '-') {
				fprintf(stderr, "nmsim: --seed '%s': expected a non-negative integer\n", argv[i]);
				return 2;
			}
			o->have_seed = true;
		} else if (*npos < maxpos) {
			pos[(*npos)++] = a;
		} else {
			fprintf(stderr, "nmsim: unexpected argument '%s' (see --help)\n", a);
			return 2;
		}
	}
	return 0;
}

static int nmsim_gnuplot(const char *plot, const char *title, const char *labels,
			 const char *plotcmd)
{
	const char *dot = strrchr(plot, '.');
	bool svg = dot != NULL && strcmp(dot, ".svg") == 0;
	FILE *g = popen("gnuplot", "w");

	if (g == NULL) {
		fprintf(stderr, "nmsim: cannot run gnuplot for %s\n", plot);
		return 2;
	}
	fprintf(g, "set terminal %s size 900,540\n", svg ? "svg" : "png");
	fprintf(g, "set output '%s'\nset title '%s'\n%s\n", plot, title, labels);
	fprintf(g, "set grid\nset key top left\n%s\n", plotcmd);
	if (pclose(g) != 0) {
		fprintf(stderr, "nmsim: gnuplot failed writing %s\n", plot);
		return 2;
	}
	return 0;
}

/* The latency distribution of a run as a CDF, one point per mille. */
static int nmsim_plot_latency(const struct sim_world *w, const char *plot)
{
	char data[] = "/tmp/nmsim-lat-XXXXXX", title[160], cmd[256];
	int fd = mkstemp(data), rc;
	FILE *df = fd >= 0 ? fdopen(fd, "w") : NULL;
	unsigned k;

	if (df == NULL) {
		fprintf(stderr, "nmsim: cannot create a temporary data file\n");
		return 2;
	}
	for (k = 1; k <= 1000; k++)
		fprintf(df, "%" PRIu64 " %.3f\n", sim_pkt_latency(&w->pk, k), k / 1000.0);
	fclose(df);
	snprintf(title, sizeof(title), "nmsim %s: latency of %" PRIu64 " packets",
		 w->sc.name, w->pk.delivered);
	snprintf(cmd, sizeof(cmd), "plot '%s' using 1:2 with lines title 'CDF'", data);
	rc = nmsim_gnuplot(plot, title,
			   "set xlabel 'latency (ns)'\nset ylabel 'fraction of packets'\nset logscale x",
			   cmd);
	unlink(data);
	return rc;
}

static int nmsim_run(int argc, char **argv)
{
	struct nmsim_opts o = { 0 };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	struct sim_summary s;
	const char *pos[1];
	unsigned npos = 0;
	json_t *j;
	int rc;

	if (sc == NULL || w == NULL)
		return 2;
	rc = nmsim_parse(argc, argv, &o, pos, 1, &npos, usage_run);
	if (rc == 0) {
		o.scenario = npos ? pos[0] : NULL;
		rc = nmsim_load(&o, NULL, sc);
	}
	if (rc != 0)
		goto out;
	rc = nmsim_simulate(&o, sc, w, &s);
	if (rc == 2)
		goto out;
	if (!o.quiet)
		sim_report_text(stdout, w, &s);
	if (w->failed)
		fprintf(stderr, "nmsim: %s\n", w->fail_msg);
	if (o.json != NULL) {
		j = sim_report_json(w, &s);
		if (nmsim_write_json(o.json, j) != 0)
			rc = 2;
		json_decref(j);
	}
	if (o.plot != NULL && nmsim_plot_latency(w, o.plot) != 0)
		rc = 2;
	sim_world_destroy(w);
out:
	free(sc);
	free(w);
	return rc;
}

static int nmsim_plot(const char *plot, const char *param, const char *data)
{
	char title[640], labels[800], cmd[512];

	snprintf(title, sizeof(title), "nmsim sweep of %s", param);
	snprintf(labels, sizeof(labels),
		 "set xlabel '%s'\nset ylabel 'Mpps'\nset y2label 'kicks per packet'\n"
		 "set ytics nomirror\nset y2tics", param);
	snprintf(cmd, sizeof(cmd),
		 "plot '%s' using 1:2 with linespoints title 'Mpps' axes x1y1, "
		 "'' using 1:3 with linespoints title 'kicks/packet' axes x1y2", data);
	return nmsim_gnuplot(plot, title, labels, cmd);
}

static int nmsim_sweep(int argc, char **argv)
{
	struct nmsim_opts o = { 0 };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	char spec[512], assign[600], data[] = "/tmp/nmsim-sweep-XXXXXX";
	const char *pos[2], *values[NMSIM_MAX_VALUES];
	unsigned npos = 0, nval = 0, i;
	json_t *rows = json_array(), *row;
	struct sim_summary s;
	char *eq, *tok, *save;
	int rc, worst = 0, fd;
	FILE *df = NULL;

	if (sc == NULL || w == NULL)
		return 2;
	rc = nmsim_parse(argc, argv, &o, pos, 2, &npos, usage_sweep);
	if (rc == 0 && npos != 2) {
		fprintf(stderr, "nmsim: sweep needs SCENARIO and PARAM=v1,v2,... (see nmsim sweep --help)\n");
		rc = 2;
	}
	if (rc != 0)
		goto out;
	o.scenario = pos[0];
	snprintf(spec, sizeof(spec), "%s", pos[1]);
	eq = strchr(spec, '=');
	if (eq == NULL || eq[1] == '\0') {
		fprintf(stderr, "nmsim: sweep '%s': expected PARAM=v1,v2,...\n", pos[1]);
		rc = 2;
		goto out;
	}
	*eq = '\0';
	for (tok = strtok_r(eq + 1, ",", &save); tok != NULL && nval < NMSIM_MAX_VALUES;
	     tok = strtok_r(NULL, ",", &save))
		values[nval++] = tok;
	/* Validate every value before running any. */
	for (i = 0; i < nval; i++) {
		snprintf(assign, sizeof(assign), "%s=%s", spec, values[i]);
		rc = nmsim_load(&o, assign, sc);
		if (rc != 0)
			goto out;
	}
	if (o.plot != NULL) {
		fd = mkstemp(data);
		df = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (df == NULL) {
			fprintf(stderr, "nmsim: cannot create a temporary data file\n");
			rc = 2;
			goto out;
		}
	}
	printf("%-16s %10s %10s %10s %10s %10s %10s %10s %10s  %s\n", spec, "Mpps",
	       "Gbit/s", "kicks/pkt", "irqs/pkt", "exits/pkt", "spur/pkt", "p50 ns",
	       "p99 ns", "invariants");
	for (i = 0; i < nval; i++) {
		snprintf(assign, sizeof(assign), "%s=%s", spec, values[i]);
		nmsim_load(&o, assign, sc);
		o.pcap_out = NULL;
		rc = nmsim_simulate(&o, sc, w, &s);
		if (rc == 2)
			goto out;
		worst = rc > worst ? rc : worst;
		printf("%-16s %10.3f %10.3f %10.4f %10.4f %10.4f %10.4f %10" PRIu64 " %10" PRIu64 "  %s\n",
		       values[i], s.mpps, s.gbps,
		       s.out ? (double)s.kicks / (double)s.out : 0.0,
		       s.out ? (double)s.irqs / (double)s.out : 0.0,
		       s.out ? (double)s.vmexits / (double)s.out : 0.0,
		       s.out ? (double)s.spurious / (double)s.out : 0.0,
		       s.lat_p50, s.lat_p99, w->failed ? w->fail_msg : "ok");
		if (df != NULL)
			fprintf(df, "%s %.6f %.6f\n", values[i], s.mpps,
				s.out ? (double)s.kicks / (double)s.out : 0.0);
		row = sim_report_json(w, &s);
		json_object_set_new(row, "param", json_string(spec));
		json_object_set_new(row, "value", json_string(values[i]));
		json_array_append_new(rows, row);
		sim_world_destroy(w);
	}
	rc = worst;
	if (df != NULL) {
		fclose(df);
		df = NULL;
		if (nmsim_plot(o.plot, spec, data) != 0)
			rc = 2;
		unlink(data);
	}
	if (o.json != NULL && nmsim_write_json(o.json, rows) != 0)
		rc = 2;
out:
	if (df != NULL) {
		fclose(df);
		unlink(data);
	}
	json_decref(rows);
	free(sc);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "run"))
		return nmsim_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "sweep"))
		return nmsim_sweep(argc - 2, argv + 2);
	fprintf(stderr, "nmsim: unknown command '%s' (expected run or sweep; see --help)\n", argv[1]);
	return 2;
}
