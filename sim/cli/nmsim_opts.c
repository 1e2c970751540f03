/*
 * nmsim_opts.c - every command's options (one getopt_long table) and the
 * loading and building of a run from them.
 *
 * Options are read by getopt_long (--opt VALUE, --opt=VALUE, '--' ends
 * them, -j N for --jobs).  Every value is checked as it is read, and a
 * bad one is one line on stderr and NMSIM_EXIT_BAD; a command refuses by
 * name the options it does not take.  A scenario is loaded, then the
 * --set overrides and a sweep's assignments are applied in that order,
 * then --seed; the world is built (and destroyed on failure).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsim.h"
#include "nmsim_plot.h"
#include "sim_text.h"

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
/* Is option val one of the words of o->refuse? */
static bool nmsim_refused(const struct nmsim_opts *o, int val)
{
	const char *name, *p;
	size_t len;

	if (o->refuse == NULL || val < NMSIM_O_TRACE || val == NMSIM_O_HELP)
		return false;
	name = nmsim_opt_name(val);
	len = strlen(name);
	for (p = o->refuse; (p = strstr(p, name)) != NULL; p += len)
		if ((p == o->refuse || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

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
		if (nmsim_refused(o, c == 'j' ? NMSIM_O_JOBS : c)) {
			fprintf(stderr, "nmsim: --%s is not supported by %s (see nmsim %s --help)\n",
				nmsim_opt_name(c == 'j' ? NMSIM_O_JOBS : c), o->cmd, o->cmd);
			rc = NMSIM_EXIT_BAD;
			break;
		}
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
