/*
 * nmsim.c - the simulator's command line.
 *
 *   nmsim run [SCENARIO] [--trace PCAP] [--seed N] [--json FILE]
 *             [--pcap-out DIR] [--plot FILE] [--set PATH=VALUE]...
 *             [--quiet] [--strict]
 *   nmsim sweep SCENARIO PARAM=v1,v2,... [--json FILE] [--plot FILE]
 *             [--trace PCAP] [--seed N] [--set PATH=VALUE]... [--quiet]
 *             [--strict]
 *
 * Options are read by getopt_long (--opt VALUE, --opt=VALUE, '--' ends
 * them).  Everything is checked before anything runs: option values, the
 * scenario and overrides, and for a sweep that every value's run can be
 * built; outputs are opened before the run (nmsim_out.h).  Exit status:
 * 0 ok, 1 an invariant was violated (or --strict and a drop reason passed
 * 1%), 2 bad input (one line on stderr), 3 an output could not be written
 * (one line).  The wall clock is read here only, for events per second and
 * the progress line; it never reaches the simulation.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nmsim.h"
#include "nmsim_flows.h"
#include "nmsim_out.h"
#include "nmsim_plot.h"
#include "sim_ep.h"
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
	"                   JSON (\"series\") and, with --csv FILE, as CSV\n"
	"  --csv FILE       the --interval time series as CSV ('-': stdout)\n"
	"  --flows          per-flow results: packets, drops, loss, Mpps, latency\n"
	"  --quiet          no text report (JSON only, if asked for)\n"
	"  --strict         exit 1 when a drop reason takes over 1% of the packets\n"
	"                   (for scripts and tests)\n"
	"  --opt=VALUE works too; '--' ends the options (e.g. for a file named --x).\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output (report, JSON, pcap, chart) could not be written.\n";

/* One table for both commands: they take the same options (sweep refuses
 * --pcap-out by name, which says more than "unknown option"). */
enum {
	NMSIM_O_TRACE = 256,
	NMSIM_O_JSON,
	NMSIM_O_PCAP_OUT,
	NMSIM_O_PLOT,
	NMSIM_O_SET,
	NMSIM_O_SEED,
	NMSIM_O_SEEDS,
	NMSIM_O_JOBS,
	NMSIM_O_CSV,
	NMSIM_O_SHARD,
	NMSIM_O_OUT,
	NMSIM_O_SLURM,
	NMSIM_O_INTERVAL,
	NMSIM_O_QUIET,
	NMSIM_O_STRICT,
	NMSIM_O_FLOWS,
	NMSIM_O_HELP,
};

static const struct option nmsim_options[] = {
	{ "trace", required_argument, NULL, NMSIM_O_TRACE },
	{ "json", required_argument, NULL, NMSIM_O_JSON },
	{ "pcap-out", required_argument, NULL, NMSIM_O_PCAP_OUT },
	{ "plot", required_argument, NULL, NMSIM_O_PLOT },
	{ "set", required_argument, NULL, NMSIM_O_SET },
	{ "seed", required_argument, NULL, NMSIM_O_SEED },
	{ "seeds", required_argument, NULL, NMSIM_O_SEEDS },
	{ "jobs", required_argument, NULL, NMSIM_O_JOBS },
	{ "csv", required_argument, NULL, NMSIM_O_CSV },
	{ "shard", required_argument, NULL, NMSIM_O_SHARD },
	{ "out", required_argument, NULL, NMSIM_O_OUT },
	{ "slurm", required_argument, NULL, NMSIM_O_SLURM },
	{ "interval", required_argument, NULL, NMSIM_O_INTERVAL },
	{ "quiet", no_argument, NULL, NMSIM_O_QUIET },
	{ "strict", no_argument, NULL, NMSIM_O_STRICT },
	{ "flows", no_argument, NULL, NMSIM_O_FLOWS },
	{ "help", no_argument, NULL, NMSIM_O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* What a valued option expects, for its messages. */
static const char *const nmsim_expects[] = {
	[NMSIM_O_TRACE - NMSIM_O_TRACE] = "a pcap or pcapng file",
	[NMSIM_O_JSON - NMSIM_O_TRACE] = "a file name, or - for standard output",
	[NMSIM_O_PCAP_OUT - NMSIM_O_TRACE] = "a directory",
	[NMSIM_O_PLOT - NMSIM_O_TRACE] = "a file name ending in .png, .svg or .pdf",
	[NMSIM_O_SET - NMSIM_O_TRACE] = "PATH=VALUE",
	[NMSIM_O_SEED - NMSIM_O_TRACE] = "a decimal integer 0..9223372036854775807",
	[NMSIM_O_SEEDS - NMSIM_O_TRACE] = "seeds as for a sweep value, e.g. 1..10 or 1,5,9",
	[NMSIM_O_JOBS - NMSIM_O_TRACE] = "a number of processes 1..256",
	[NMSIM_O_CSV - NMSIM_O_TRACE] = "a file name, or - for standard output",
	[NMSIM_O_SHARD - NMSIM_O_TRACE] = "K/N with 1 <= K <= N <= 100000",
	[NMSIM_O_OUT - NMSIM_O_TRACE] = "a directory",
	[NMSIM_O_SLURM - NMSIM_O_TRACE] = "a directory",
	[NMSIM_O_INTERVAL - NMSIM_O_TRACE] = "a time step in ns, 1..10^15",
};

static const char *nmsim_opt_name(int val)
{
	const struct option *o;

	for (o = nmsim_options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

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

/*
 * A seed: decimal digits only (no sign, space, 0x or octal: "010" is ten),
 * at most 2^63-1 so that JSON, whose integers are signed, shows it as given.
 */
bool nmsim_parse_seed(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	unsigned d;

	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return false;
		d = (unsigned)(*v - '0');
		if (n > ((uint64_t)INT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

/* Check and store one option's value; 0 or NMSIM_EXIT_BAD after one line. */
static int nmsim_value(struct nmsim_opts *o, int val, const char *v)
{
	const char *name = nmsim_opt_name(val);
	const char *expects = nmsim_expects[val - NMSIM_O_TRACE];
	bool is_file = val == NMSIM_O_TRACE || val == NMSIM_O_JSON ||
		       val == NMSIM_O_PCAP_OUT || val == NMSIM_O_PLOT || val == NMSIM_O_CSV ||
		       val == NMSIM_O_OUT || val == NMSIM_O_SLURM;
	unsigned long long n;
	int used = 0;
	char *end;
	char shown[NMSIM_SHOWN];

	if (v[0] == '\0') {
		fprintf(stderr, "nmsim: --%s: empty value (expected %s)\n", name, expects);
		return NMSIM_EXIT_BAD;
	}
	/* "--json --quiet" would otherwise write a file named --quiet. */
	if (is_file && strncmp(v, "--", 2) == 0) {
		NMSIM_SHOW(shown, v);
		fprintf(stderr, "nmsim: --%s '%s' looks like an option; write ./%s for a file of that name\n",
			name, shown, shown);
		return NMSIM_EXIT_BAD;
	}
	switch (val) {
	case NMSIM_O_TRACE:
		o->trace = v;
		break;
	case NMSIM_O_JSON:
		o->json = v;
		if (strcmp(v, "-") == 0)
			o->quiet = true; /* JSON alone on stdout */
		break;
	case NMSIM_O_PCAP_OUT:
		o->pcap_out = v;
		break;
	case NMSIM_O_PLOT:
		if (!nmsim_plot_path_ok(v)) {
			fprintf(stderr, "nmsim: --plot '%s': expected %s\n", NMSIM_SHOW(shown, v),
				expects);
			return NMSIM_EXIT_BAD;
		}
		o->plot = v;
		break;
	case NMSIM_O_SET:
		o->sets[o->nsets++] = v;
		break;
	case NMSIM_O_SEED:
		if (!nmsim_parse_seed(v, &o->seed)) {
			fprintf(stderr, "nmsim: --seed '%s': expected a non-negative integer (%s)\n",
				NMSIM_SHOW(shown, v), expects);
			return NMSIM_EXIT_BAD;
		}
		o->have_seed = true;
		break;
	case NMSIM_O_SEEDS:
		o->seeds = v;
		break;
	case NMSIM_O_CSV:
		o->csv = v;
		break;
	case NMSIM_O_OUT:
		o->out = v;
		break;
	case NMSIM_O_SLURM:
		o->slurm = v;
		break;
	case NMSIM_O_JOBS:
	case NMSIM_O_INTERVAL:
		errno = 0;
		n = v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
		if (n == 0 || errno != 0 || *end != '\0' ||
		    n > (val == NMSIM_O_JOBS ? 256ULL : 1000000000000000ULL)) {
			fprintf(stderr, "nmsim: --%s '%s': expected %s\n", name,
				NMSIM_SHOW(shown, v), expects);
			return NMSIM_EXIT_BAD;
		}
		if (val == NMSIM_O_JOBS)
			o->jobs = (unsigned)n;
		else
			o->interval_ns = n;
		break;
	case NMSIM_O_SHARD:
		if (sscanf(v, "%u/%u%n", &o->shard_k, &o->shard_n, &used) != 2 ||
		    v[used] != '\0' || v[0] < '0' || v[0] > '9' || o->shard_k == 0 ||
		    o->shard_n > 100000 || o->shard_k > o->shard_n) {
			fprintf(stderr, "nmsim: --shard '%s': expected %s\n",
				NMSIM_SHOW(shown, v), expects);
			return NMSIM_EXIT_BAD;
		}
		break;
	}
	return 0;
}

static int nmsim_positional(struct nmsim_opts *o, const char *a)
{
	char shown[NMSIM_SHOWN];

	if (o->npos < o->maxpos) {
		o->pos[o->npos++] = a;
		return 0;
	}
	fprintf(stderr, "nmsim: unexpected argument '%s' (see nmsim %s --help)\n",
		NMSIM_SHOW(shown, a), o->cmd);
	return NMSIM_EXIT_BAD;
}

/*
 * argv[0] is the command.  0, NMSIM_EXIT_BAD after one line, or -1 when
 * --help printed the usage.  "-" in the option string hands positionals
 * over in order, so options may follow them whatever POSIXLY_CORRECT says;
 * ":" reports a missing value as ':' rather than '?'.
 */
int nmsim_parse(int argc, char **argv, struct nmsim_opts *o, const char *usage)
{
	char shown[NMSIM_SHOWN];
	int c, rc = 0;

	o->sets = calloc((size_t)argc, sizeof(*o->sets));
	o->pos = calloc((size_t)argc, sizeof(*o->pos));
	if (o->sets == NULL || o->pos == NULL) {
		fprintf(stderr, "nmsim: out of memory\n");
		return NMSIM_EXIT_BAD;
	}
	opterr = 0;
	optind = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "-:hj:", nmsim_options, NULL)) != -1) {
		switch (c) {
		case 1:
			rc = nmsim_positional(o, optarg);
			break;
		case 'h':
		case NMSIM_O_HELP:
			fputs(usage, stdout);
			return -1;
		case NMSIM_O_QUIET:
			o->quiet = true;
			break;
		case NMSIM_O_STRICT:
			o->strict = true;
			break;
		case NMSIM_O_FLOWS:
			o->flows = true;
			break;
		case 'j':
			rc = nmsim_value(o, NMSIM_O_JOBS, optarg);
			break;
		case ':':
			if (optopt == 'j')
				optopt = NMSIM_O_JOBS;
			fprintf(stderr, "nmsim: --%s needs a value (expected %s)\n",
				nmsim_opt_name(optopt), nmsim_expects[optopt - NMSIM_O_TRACE]);
			rc = NMSIM_EXIT_BAD;
			break;
		case '?':
			if (optopt >= NMSIM_O_TRACE)
				fprintf(stderr, "nmsim: --%s takes no value\n", nmsim_opt_name(optopt));
			else if (optopt != 0)
				fprintf(stderr, "nmsim: unknown option '-%c' (see nmsim %s --help)\n",
					optopt, o->cmd);
			else
				fprintf(stderr, "nmsim: unknown option '%s' (see nmsim %s --help)\n",
					NMSIM_SHOW(shown, argv[optind - 1]), o->cmd);
			rc = NMSIM_EXIT_BAD;
			break;
		default:
			rc = nmsim_value(o, c, optarg);
			break;
		}
	}
	for (; rc == 0 && optind < argc; optind++)
		rc = nmsim_positional(o, argv[optind]); /* after "--" */
	return rc;
}

static int nmsim_load(const struct nmsim_opts *o, const char *const *override,
		      unsigned n, struct sim_scenario *sc)
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
	for (i = 0; rc == 0 && i < n; i++)
		rc = sim_scenario_override(sc, override[i], err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "nmsim: %s\n", err);
		return NMSIM_EXIT_BAD;
	}
	if (o->have_seed)
		sc->seed = o->seed;
	return 0;
}

int nmsim_build(const struct nmsim_opts *o, const char *const *override, unsigned n,
		struct sim_scenario *sc, struct sim_world *w)
{
	char err[1024] = "";
	int rc = nmsim_load(o, override, n, sc);

	if (rc != 0)
		return rc;
	if (sim_world_build(w, sc, o->trace, o->pcap_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "nmsim: %s\n", err);
		sim_world_destroy(w);
		return NMSIM_EXIT_BAD;
	}
	return 0;
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

/* The time series as CSV, one row per interval; closes f. */
static int nmsim_series_csv(FILE *f, const char *path, json_t *series)
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

static int nmsim_run(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "run", .maxpos = 1 };
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
