/*
 * nmsim.c - the simulator's command line: main and `run`.
 *
 *   nmsim run [SCENARIO] [options]       one run, its report (text, JSON)
 *   nmsim sweep | merge | check | list   (nmsim_sweep.c, nmsim_merge.c,
 *                                         nmsim_list.c)
 *   nmsim --version
 *
 * Everything is checked before anything runs: option values, the
 * scenario and overrides (nmsim_opts.c); outputs are opened before the run
 * (nmsim_out.h).  Exit status: 0 ok, 1 an invariant was violated (or
 * --strict and a drop reason passed 1%), 2 bad input (one line on
 * stderr), 3 an output could not be written (one line).  Every JSON
 * report carries the version, the scenario's hash and the overrides.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nmsim.h"
#include "nmsim_flows.h"
#include "nmsim_out.h"
#include "nmsim_plot.h"
#include "sim_ep.h"
#include "sim_monitor.h"
#include "sim_pcap_sink.h"
#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_text.h"
#include "sim_world.h"

static const char usage_main[] =
	"usage: nmsim COMMAND [ARGS]\n"
	"  run [SCENARIO]                 simulate a scenario (default: the embedded one)\n"
	"  sweep SCENARIO PARAM=v1,v2,... run once per value (a grid of several) and tabulate\n"
	"  merge DIR...                   the table of a sharded sweep's runs\n"
	"  check [SCENARIO]               validate a scenario without running it\n"
	"  list [scenarios|devices|keys|costs]  what a scenario may use\n"
	"  --version                      version and git revision\n"
	"  --help                         this text; 'nmsim COMMAND --help' for each command\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output could not be written.\n";

static const char usage_run[] =
	"usage: nmsim run [SCENARIO] [options]\n"
	"  SCENARIO         YAML scenario file; omitted or 'default': the embedded default\n"
	"                   (two ptnet guests on one VALE switch, 1M 60-byte UDP frames)\n"
	"  --trace PCAP     replay this pcap or pcapng file instead of the scenario's trace\n"
	"  --seed N         run seed, decimal, 0..9223372036854775807 (printed in the report)\n"
	"  --json FILE      write the report as JSON ('-': stdout, and no text report)\n"
	"  --pcap-out DIR   write one pcap per receiving port into DIR\n"
	"  --set PATH=V     override one scenario value (e.g. endpoints.g1.batch=64,\n"
	"                   trace.packets=1000, costs.vmexit_ns=900); repeatable\n"
	"  --plot FILE      a gnuplot chart (.png, .svg or .pdf) of the latency distribution\n"
	"  --interval NS    sample the run every NS simulated ns: a time series in the\n"
	"                   JSON (\"series\"), with --csv FILE as CSV, with --plot as a chart\n"
	"  --csv FILE       the --interval time series as CSV ('-': stdout)\n"
	"  --flows          per-flow results: packets, drops, loss, Mpps, latency\n"
	"  --quiet          no text report (JSON only, if asked for)\n"
	"  --strict         exit 1 when a drop reason takes over 1% of the packets\n"
	"                   (for scripts and tests)\n"
	"  --opt=VALUE works too; '--' ends the options (e.g. for a file named --x).\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output (report, JSON, pcap, chart) could not be written.\n";

/* Close the run's captures now, while a failure can still be reported
 * (sim_world_destroy() has no way to); 0 or NMSIM_EXIT_OUTPUT. */
static int nmsim_close_pcaps(struct sim_world *w)
{
	struct sim_pcap_sink *sink;
	int rc = 0, err;
	char *path;
	uint32_t i;

	for (i = 0; i < w->nep; i++) {
		sink = w->ep[i]->sink;
		if (sink == NULL)
			continue;
		w->ep[i]->sink = NULL;
		path = strdup(sim_pcap_sink_path(sink)); /* close frees the sink's */
		err = -sim_pcap_sink_close(sink);
		if (err != 0 && rc == 0) /* one line: the first is enough */
			rc = nmsim_out_fail(path != NULL ? path : w->pcap_dir, err);
		free(path);
	}
	for (i = 0; i < w->nmon; i++) {
		err = -sim_monitor_flush(w->mon[i]);
		if (err != 0 && rc == 0)
			rc = nmsim_out_fail(w->pcap_dir != NULL ? w->pcap_dir : ".", err);
	}
	return rc;
}

/* 1 when the run failed an invariant, or is lossy and --strict asked. */
int nmsim_verdict(const struct nmsim_opts *o, const struct sim_world *w,
		  const struct sim_summary *s)
{
	return w->failed || (o->strict && sim_summary_lossy(s)) ? 1 : 0;
}

/* Open the JSON file and the chart before a run, so a long run does not
 * end by finding them unwritable; 0, or NMSIM_EXIT_OUTPUT with neither
 * left open. */
static int nmsim_open_outputs(const struct nmsim_opts *o, FILE **jf,
			      struct nmsim_plot **plot)
{
	*jf = NULL;
	*plot = NULL;
	if (o->json != NULL && (*jf = nmsim_out_open(o->json)) == NULL)
		return NMSIM_EXIT_OUTPUT;
	if (o->plot != NULL && (*plot = nmsim_plot_open(o->plot)) == NULL) {
		if (*jf != NULL)
			nmsim_out_close(*jf, o->json);
		*jf = NULL;
		return NMSIM_EXIT_OUTPUT;
	}
	return 0;
}

/* The latency distribution of a run as a CDF, one point per mille. */
static void nmsim_plot_latency(struct nmsim_plot *p, const struct sim_world *w)
{
	FILE *d = nmsim_plot_data(p), *g = nmsim_plot_script(p);
	char *title = NULL;
	unsigned k;

	for (k = 1; k <= 1000; k++)
		fprintf(d, "%" PRIu64 " %.3f\n", sim_pkt_latency(&w->pk, k), k / 1000.0);
	fputs("set title ", g);
	if (asprintf(&title, "nmsim %s: latency of %" PRIu64 " packets", w->sc.name,
		     w->pk.delivered) < 0)
		title = NULL;
	nmsim_plot_str(g, title != NULL ? title : w->sc.name);
	free(title);
	fputs("\nset xlabel 'latency (ns)'\nset ylabel 'fraction of packets'\n"
	      "set logscale x\nset grid\nset key top left\n"
	      "plot 'data' using 1:2 with lines title 'CDF'\n", g);
}

/* With --interval: Mpps and drops per interval against simulated time. */
static void nmsim_plot_series(struct nmsim_plot *p, const struct sim_world *w,
			      json_t *series)
{
	FILE *d = nmsim_plot_data(p), *g = nmsim_plot_script(p);
	json_t *pt;
	size_t i;

	json_array_foreach(series, i, pt)
		fprintf(d, "%.6f %.6f %" JSON_INTEGER_FORMAT "\n",
			(double)json_integer_value(json_object_get(pt, "t_ns")) / 1e3,
			json_real_value(json_object_get(pt, "mpps")),
			json_integer_value(json_object_get(pt, "drops")));
	fputs("set title ", g);
	nmsim_plot_str(g, w->sc.name);
	fputs("\nset xlabel 'simulated time (us)'\nset ylabel 'Mpps'\n"
	      "set y2label 'drops per interval'\nset ytics nomirror\nset y2tics\n"
	      "set grid\nset key top left\n"
	      "plot 'data' using 1:2 with steps title 'Mpps' axes x1y1, "
	      "'' using 1:3 with steps title 'drops' axes x1y2\n", g);
}

/* FNV-1a, 64 bits, of the scenario's bytes (file or embedded text). */
static uint64_t nmsim_scenario_hash(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p = sim_scenario_default_yaml;
	FILE *f = NULL;
	int c;

	if (path != NULL && strcmp(path, "default") != 0 && (f = fopen(path, "rb")) == NULL)
		return 0;
	for (;;) {
		c = f != NULL ? getc(f) : (*p != '\0' ? (unsigned char)*p++ : EOF);
		if (c == EOF)
			break;
		h = (h ^ (uint64_t)(unsigned char)c) * 0x100000001b3ULL;
	}
	if (f != NULL)
		fclose(f);
	return h;
}

json_t *nmsim_json_text(const char *s)
{
	char shown[NMSIM_SHOWN];
	json_t *j = json_string(s);

	return j != NULL ? j : json_string(NMSIM_SHOW(shown, s));
}

void nmsim_json_meta(json_t *j, const struct nmsim_opts *o,
		     const char *const *override, unsigned n)
{
	json_t *sets = json_array();
	char hash[24];
	unsigned i;

	snprintf(hash, sizeof(hash), "%016" PRIx64, nmsim_scenario_hash(o->scenario));
	json_object_set_new(j, "nmsim_version", json_string(NMSIM_VERSION " (" NMSIM_GIT ")"));
	json_object_set_new(j, "scenario_fnv1a64", json_string(hash));
	for (i = 0; i < o->nsets; i++)
		json_array_append_new(sets, nmsim_json_text(o->sets[i]));
	for (i = 0; i < n; i++)
		json_array_append_new(sets, nmsim_json_text(override[i]));
	json_object_set_new(j, "overrides", sets);
}

static int nmsim_run(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "run", .maxpos = 1,
				.refuse = "seeds jobs shard out slurm" };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	struct nmsim_plot *plot = NULL;
	json_t *j, *series = NULL;
	FILE *jf = NULL, *cf = NULL;
	struct sim_summary s;
	int rc, out;

	rc = sc == NULL || w == NULL ? NMSIM_EXIT_BAD : nmsim_parse(argc, argv, &o, usage_run);
	if (rc != 0)
		goto out;
	o.scenario = o.npos ? o.pos[0] : NULL;
	if (o.csv != NULL && o.interval_ns == 0) {
		fprintf(stderr, "nmsim: run --csv writes the --interval time series (expected --interval NS)\n");
		rc = NMSIM_EXIT_BAD;
		goto out;
	}
	rc = nmsim_build(&o, NULL, 0, sc, w);
	if (rc != 0)
		goto out;
	rc = o.flows ? nmsim_flows_enable(w) : 0;
	if (rc == 0)
		rc = nmsim_open_outputs(&o, &jf, &plot);
	if (rc == 0 && o.csv != NULL && (cf = nmsim_out_open(o.csv)) == NULL) {
		if (jf != NULL)
			nmsim_out_close(jf, o.json);
		nmsim_plot_discard(plot);
		rc = NMSIM_EXIT_OUTPUT;
	}
	if (rc != 0)
		goto destroy;
	series = o.interval_ns != 0 ? json_array() : NULL;
	nmsim_simulate(&o, w, &s, series);
	out = nmsim_close_pcaps(w);
	if (!o.quiet)
		sim_report_text(stdout, w, &s);
	if (!o.quiet && o.flows)
		nmsim_flows_text(stdout, w, &s);
	if (w->failed)
		fprintf(stderr, "nmsim: %s\n", w->fail_msg);
	if (jf != NULL) {
		j = sim_report_json(w, &s);
		nmsim_json_meta(j, &o, NULL, 0);
		if (series != NULL)
			json_object_set(j, "series", series);
		if (o.flows)
			json_object_set_new(j, "flows", nmsim_flows_json(w, &s));
		if (nmsim_out_json(jf, o.json, j) != 0)
			out = NMSIM_EXIT_OUTPUT;
		json_decref(j);
	}
	if (plot != NULL) {
		if (series != NULL)
			nmsim_plot_series(plot, w, series);
		else
			nmsim_plot_latency(plot, w);
		if (nmsim_plot_close(plot) != 0)
			out = NMSIM_EXIT_OUTPUT;
	}
	if (cf != NULL && nmsim_series_csv(cf, o.csv, series) != 0)
		out = NMSIM_EXIT_OUTPUT;
	rc = out != 0 ? out : nmsim_verdict(&o, w, &s);
destroy:
	json_decref(series);
	sim_pkt_flows_free(&w->pk);
	sim_world_destroy(w);
out:
	free(o.sets);
	free(o.pos);
	free(sc);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	char shown[NMSIM_SHOWN];
	int rc, out;

	/* A file-size limit must be an EFBIG from write, reported as an
	 * output that could not be written, not a kill mid-capture. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr, "nmsim: expected a command: run, sweep, merge, check or list (see nmsim --help)\n");
		return NMSIM_EXIT_BAD;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		rc = 0;
	} else if (!strcmp(argv[1], "run")) {
		rc = nmsim_run(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("nmsim %s (git %s)\n", NMSIM_VERSION, NMSIM_GIT);
		rc = 0;
	} else if (!strcmp(argv[1], "sweep")) {
		rc = nmsim_sweep(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "merge")) {
		rc = nmsim_merge(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "check")) {
		rc = nmsim_check(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "list")) {
		rc = nmsim_list(argc - 1, argv + 1);
	} else {
		fprintf(stderr, "nmsim: unknown command '%s' (expected run, sweep, merge, check or list; see nmsim --help)\n",
			NMSIM_SHOW(shown, argv[1]));
		return NMSIM_EXIT_BAD;
	}
	if (rc < 0)
		rc = 0; /* --help */
	out = nmsim_out_stdout();
	return out != 0 ? out : rc;
}
