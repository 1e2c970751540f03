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

#include "nmsim_out.h"
#include "nmsim_plot.h"
#include "sim_ep.h"
#include "sim_pcap_sink.h"
#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_text.h"
#include "sim_world.h"

#define NMSIM_EXIT_BAD 2

/* Shown for an option value in messages (escaped, clipped). */
#define NMSIM_SHOW(buf, s) sim_text_show(buf, sizeof(buf), s, SIM_TEXT_SHOW)

struct nmsim_opts {
	const char *cmd;      /* "run" or "sweep", for messages */
	const char *scenario; /* NULL: the embedded default */
	const char *trace;
	const char *json;
	const char *pcap_out;
	const char *plot;
	const char **sets; /* argc entries: never more --set than arguments */
	unsigned nsets;
	const char *pos[2];
	unsigned npos, maxpos;
	bool have_seed, quiet, strict;
	uint64_t seed;
};

static const char usage_main[] =
	"usage: nmsim COMMAND [ARGS]\n"
	"  run [SCENARIO]                 simulate a scenario (default: the embedded one)\n"
	"  sweep SCENARIO PARAM=v1,v2,... run once per value and tabulate\n"
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
	"  --quiet          no text report (JSON only, if asked for)\n"
	"  --strict         exit 1 when a drop reason takes over 1% of the packets\n"
	"                   (for scripts and tests)\n"
	"  --opt=VALUE works too; '--' ends the options (e.g. for a file named --x).\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output (report, JSON, pcap, chart) could not be written.\n";

static const char usage_sweep[] =
	"usage: nmsim sweep SCENARIO PARAM=v1,v2,... [options]\n"
	"  runs SCENARIO ('default' for the embedded one) once per value of PARAM\n"
	"  (any --set path, e.g. endpoints.g1.batch=1,8,64,256) and prints a table of\n"
	"  Mpps, notifications per packet and latency; every value is checked, and\n"
	"  its run built, before the first runs\n"
	"  --json FILE      the table as JSON ('-': stdout, and no table)\n"
	"  --plot FILE      a gnuplot chart (.png, .svg or .pdf): Mpps and kicks per packet\n"
	"  --quiet          no table\n"
	"  --strict         exit 1 when any run loses over 1% of its packets to one reason\n"
	"  --seed N, --set PATH=V, --trace PCAP as for run (--pcap-out is not supported)\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output could not be written.\n";

/* One table for both commands: they take the same options (sweep refuses
 * --pcap-out by name, which says more than "unknown option"). */
enum {
	NMSIM_O_TRACE = 256,
	NMSIM_O_JSON,
	NMSIM_O_PCAP_OUT,
	NMSIM_O_PLOT,
	NMSIM_O_SET,
	NMSIM_O_SEED,
	NMSIM_O_QUIET,
	NMSIM_O_STRICT,
	NMSIM_O_HELP,
};

static const struct option nmsim_options[] = {
	{ "trace", required_argument, NULL, NMSIM_O_TRACE },
	{ "json", required_argument, NULL, NMSIM_O_JSON },
	{ "pcap-out", required_argument, NULL, NMSIM_O_PCAP_OUT },
	{ "plot", required_argument, NULL, NMSIM_O_PLOT },
	{ "set", required_argument, NULL, NMSIM_O_SET },
	{ "seed", required_argument, NULL, NMSIM_O_SEED },
	{ "quiet", no_argument, NULL, NMSIM_O_QUIET },
	{ "strict", no_argument, NULL, NMSIM_O_STRICT },
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
static bool nmsim_parse_seed(const char *v, uint64_t *out)
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
		       val == NMSIM_O_PCAP_OUT || val == NMSIM_O_PLOT;
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
static int nmsim_parse(int argc, char **argv, struct nmsim_opts *o, const char *usage)
{
	char shown[NMSIM_SHOWN];
	int c, rc = 0;

	o->sets = calloc((size_t)argc, sizeof(*o->sets));
	if (o->sets == NULL) {
		fprintf(stderr, "nmsim: out of memory\n");
		return NMSIM_EXIT_BAD;
	}
	opterr = 0;
	optind = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "-:h", nmsim_options, NULL)) != -1) {
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
		case ':':
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
		return NMSIM_EXIT_BAD;
	}
	if (o->have_seed)
		sc->seed = o->seed;
	return 0;
}

/* Load and build one run (override: a sweep's PARAM=value, or NULL). */
static int nmsim_build(const struct nmsim_opts *o, const char *override,
		       struct sim_scenario *sc, struct sim_world *w)
{
	char err[1024] = "";
	int rc = nmsim_load(o, override, sc);

	if (rc != 0)
		return rc;
	if (sim_world_build(w, sc, o->trace, o->pcap_out, err, sizeof(err)) != 0) {
		fprintf(stderr, "nmsim: %s\n", err);
		sim_world_destroy(w);
		return NMSIM_EXIT_BAD;
	}
	return 0;
}

/* Run a built world to the end and sum it up. */
static void nmsim_simulate(struct sim_world *w, struct sim_summary *s)
{
	struct nmsim_progress prog = { nmsim_wall(), false };
	double t0;

	if (isatty(2)) {
		w->eng.progress = nmsim_progress;
		w->eng.progress_arg = &prog;
	}
	t0 = nmsim_wall();
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
static int nmsim_verdict(const struct nmsim_opts *o, const struct sim_world *w,
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

static int nmsim_run(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "run", .maxpos = 1 };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	struct nmsim_plot *plot = NULL;
	struct sim_summary s;
	FILE *jf = NULL;
	int rc, out;
	json_t *j;

	rc = sc == NULL || w == NULL ? NMSIM_EXIT_BAD : nmsim_parse(argc, argv, &o, usage_run);
	if (rc != 0)
		goto out;
	o.scenario = o.npos ? o.pos[0] : NULL;
	rc = nmsim_build(&o, NULL, sc, w);
	if (rc != 0)
		goto out;
	rc = nmsim_open_outputs(&o, &jf, &plot);
	if (rc != 0)
		goto destroy;
	nmsim_simulate(w, &s);
	out = nmsim_close_pcaps(w);
	if (!o.quiet)
		sim_report_text(stdout, w, &s);
	if (w->failed)
		fprintf(stderr, "nmsim: %s\n", w->fail_msg);
	if (jf != NULL) {
		j = sim_report_json(w, &s);
		if (nmsim_out_json(jf, o.json, j) != 0)
			out = NMSIM_EXIT_OUTPUT;
		json_decref(j);
	}
	if (plot != NULL) {
		nmsim_plot_latency(plot, w);
		if (nmsim_plot_close(plot) != 0)
			out = NMSIM_EXIT_OUTPUT;
	}
	rc = out != 0 ? out : nmsim_verdict(&o, w, &s);
destroy:
	sim_world_destroy(w);
out:
	free(o.sets);
	free(sc);
	free(w);
	return rc;
}

/* PARAM=v1,v2,...: the values, any number, none empty. */
struct nmsim_sweep {
	char *param;  /* PARAM, NUL-terminated inside the copy */
	char **value; /* into the copy */
	unsigned n;
};

static int nmsim_sweep_split(const char *spec, struct nmsim_sweep *sw)
{
	char shown[NMSIM_SHOWN], *eq, *v, *comma;
	unsigned n = 1;
	const char *c;

	NMSIM_SHOW(shown, spec);
	eq = strchr(spec, '=');
	if (eq == NULL || eq == spec) {
		fprintf(stderr, "nmsim: sweep '%s': expected PARAM=v1,v2,...\n", shown);
		return NMSIM_EXIT_BAD;
	}
	for (c = eq; *c != '\0'; c++)
		n += *c == ',';
	sw->param = strdup(spec);
	sw->value = calloc(n, sizeof(*sw->value));
	if (sw->param == NULL || sw->value == NULL) {
		fprintf(stderr, "nmsim: out of memory\n");
		return NMSIM_EXIT_BAD;
	}
	v = sw->param + (eq - spec);
	*v++ = '\0';
	for (sw->n = 0; sw->n < n; sw->n++, v = comma + 1) {
		comma = strchr(v, ',');
		if (comma != NULL)
			*comma = '\0';
		/* An empty value is a typo, not a run of the default. */
		if (*v == '\0') {
			fprintf(stderr, "nmsim: sweep '%s': value %u is empty (expected PARAM=v1,v2,...)\n",
				shown, sw->n + 1);
			return NMSIM_EXIT_BAD;
		}
		sw->value[sw->n] = v;
		if (comma == NULL)
			comma = v + strlen(v);
	}
	return 0;
}

/* A JSON string of input text; its shown form if it is not UTF-8. */
static json_t *nmsim_json_text(const char *s)
{
	char shown[NMSIM_SHOWN];
	json_t *j = json_string(s);

	return j != NULL ? j : json_string(NMSIM_SHOW(shown, s));
}

/* Mpps and kicks per packet against the row, labelled with the values
 * (which need not be numbers, so they are tic labels, not data). */
static void nmsim_plot_sweep(struct nmsim_plot *p, const struct nmsim_sweep *sw)
{
	FILE *g = nmsim_plot_script(p);
	char *title = NULL;
	unsigned i;

	fputs("set title ", g);
	if (asprintf(&title, "nmsim sweep of %s", sw->param) < 0)
		title = NULL;
	nmsim_plot_str(g, title != NULL ? title : sw->param);
	free(title);
	fputs("\nset xlabel ", g);
	nmsim_plot_str(g, sw->param);
	fputs("\nset xtics (", g);
	for (i = 0; i < sw->n; i++) {
		fputs(i ? ", " : "", g);
		nmsim_plot_str(g, sw->value[i]);
		fprintf(g, " %u", i);
	}
	fprintf(g, ")\nset xrange [-0.5:%u.5]\n", sw->n - 1);
	fputs("set ylabel 'Mpps'\nset y2label 'kicks per packet'\n"
	      "set ytics nomirror\nset y2tics\nset grid\nset key top left\n"
	      "plot 'data' using 1:2 with linespoints title 'Mpps' axes x1y1, "
	      "'' using 1:3 with linespoints title 'kicks/packet' axes x1y2\n", g);
}

static double nmsim_per_pkt(uint64_t n, const struct sim_summary *s)
{
	return s->out ? (double)n / (double)s->out : 0.0;
}

static int nmsim_sweep(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "sweep", .maxpos = 2 };
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	struct nmsim_sweep sw = { 0 };
	struct nmsim_plot *plot = NULL;
	char **assign = NULL, shown[NMSIM_SHOWN];
	json_t *rows = json_array(), *row;
	int rc, worst = 0, out = 0;
	struct sim_summary s;
	FILE *jf = NULL;
	unsigned i;

	rc = sc == NULL || w == NULL || rows == NULL
		     ? NMSIM_EXIT_BAD
		     : nmsim_parse(argc, argv, &o, usage_sweep);
	if (rc == 0 && o.npos != 2) {
		fprintf(stderr, "nmsim: sweep needs SCENARIO and PARAM=v1,v2,... (see nmsim sweep --help)\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0 && o.pcap_out != NULL) {
		fprintf(stderr, "nmsim: --pcap-out is not supported in a sweep (expected run)\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0) {
		o.scenario = o.pos[0];
		rc = nmsim_sweep_split(o.pos[1], &sw);
	}
	if (rc == 0 && (assign = calloc(sw.n, sizeof(*assign))) == NULL)
		rc = NMSIM_EXIT_BAD;
	/* Every value loads and builds before anything is printed, so a bad
	 * one leaves no partial table and no missing JSON behind. */
	for (i = 0; rc == 0 && i < sw.n; i++) {
		if (asprintf(&assign[i], "%s=%s", sw.param, sw.value[i]) < 0) {
			assign[i] = NULL;
			rc = NMSIM_EXIT_BAD;
			break;
		}
		rc = nmsim_build(&o, assign[i], sc, w);
		if (rc == 0)
			sim_world_destroy(w);
	}
	if (rc == 0)
		rc = nmsim_open_outputs(&o, &jf, &plot);
	if (rc != 0)
		goto out;
	if (!o.quiet)
		printf("%-16s %10s %10s %10s %10s %10s %10s %10s %10s  %s\n",
		       NMSIM_SHOW(shown, sw.param), "Mpps", "Gbit/s", "kicks/pkt",
		       "irqs/pkt", "exits/pkt", "spur/pkt", "p50 ns", "p99 ns", "invariants");
	for (i = 0; i < sw.n; i++) {
		rc = nmsim_build(&o, assign[i], sc, w);
		if (rc != 0)
			goto out;
		nmsim_simulate(w, &s);
		rc = nmsim_verdict(&o, w, &s);
		worst = rc > worst ? rc : worst;
		if (!o.quiet)
			printf("%-16s %10.3f %10.3f %10.4f %10.4f %10.4f %10.4f %10" PRIu64
			       " %10" PRIu64 "  %s\n",
			       NMSIM_SHOW(shown, sw.value[i]), s.mpps, s.gbps,
			       nmsim_per_pkt(s.kicks, &s), nmsim_per_pkt(s.irqs, &s),
			       nmsim_per_pkt(s.vmexits, &s), nmsim_per_pkt(s.spurious, &s),
			       s.lat_p50, s.lat_p99, w->failed ? w->fail_msg : "ok");
		if (plot != NULL)
			fprintf(nmsim_plot_data(plot), "%u %.6f %.6f\n", i, s.mpps,
				nmsim_per_pkt(s.kicks, &s));
		row = sim_report_json(w, &s);
		json_object_set_new(row, "param", nmsim_json_text(sw.param));
		json_object_set_new(row, "value", nmsim_json_text(sw.value[i]));
		json_array_append_new(rows, row);
		sim_world_destroy(w);
	}
	if (plot != NULL) {
		nmsim_plot_sweep(plot, &sw);
		out = nmsim_plot_close(plot);
		plot = NULL;
	}
	if (jf != NULL) {
		if (nmsim_out_json(jf, o.json, rows) != 0)
			out = NMSIM_EXIT_OUTPUT;
		jf = NULL;
	}
	rc = out != 0 ? out : worst;
out:
	if (jf != NULL)
		nmsim_out_close(jf, o.json);
	nmsim_plot_discard(plot);
	for (i = 0; assign != NULL && i < sw.n; i++)
		free(assign[i]);
	free(assign);
	free(sw.param);
	free(sw.value);
	json_decref(rows);
	free(o.sets);
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
		fprintf(stderr, "nmsim: expected a command, run or sweep (see nmsim --help)\n");
		return NMSIM_EXIT_BAD;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_main, stdout);
		rc = 0;
	} else if (!strcmp(argv[1], "run")) {
		rc = nmsim_run(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "sweep")) {
		rc = nmsim_sweep(argc - 1, argv + 1);
	} else {
		fprintf(stderr, "nmsim: unknown command '%s' (expected run or sweep; see nmsim --help)\n",
			NMSIM_SHOW(shown, argv[1]));
		return NMSIM_EXIT_BAD;
	}
	if (rc < 0)
		rc = 0; /* --help */
	out = nmsim_out_stdout();
	return out != 0 ? out : rc;
}
