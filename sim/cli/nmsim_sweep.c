/*
 * nmsim_sweep.c - `nmsim sweep`: a grid of parameters, replications over
 * seeds, local processes (-j), shards (--shard K/N --out DIR) and a Slurm
 * job-array script (--slurm DIR).
 *
 * Owns: the run numbering.  Run i is combination i / S with seed i % S
 * (S seeds); combinations count with the last parameter fastest.  Every
 * run is one JSON row (its report, less the wall-clock fields, plus run,
 * params, seed); rows are rendered by nmsim_render() only, so -j N, a
 * merge of shards and -j 1 print the same bytes.  A worker or a shard
 * writes run-NNNNNN.json files; the parent reads them back in order.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nmsim.h"
#include "nmsim_sweep.h"

#define NMSIM_MAX_PARAMS 8
#define NMSIM_MAX_VALUES 100000U

static const char usage_sweep[] =
	"usage: nmsim sweep SCENARIO PARAM=SPEC [PARAM=SPEC]... [options]\n"
	"  runs SCENARIO ('default' for the embedded one) for every combination of the\n"
	"  parameters' values (any --set path, e.g. endpoints.g1.batch) and prints a table\n"
	"  of Mpps, drops, loss, notifications per packet and latency\n"
	"  SPEC             values separated by commas; A..B (step 1), A..B+K (step K),\n"
	"                   A..B*K (times K: 1..1024*2 is 1,2,4,...,1024)\n"
	"  --seeds SPEC     replications: one run per seed (e.g. 1..10); the table gives\n"
	"                   the mean and a 95% confidence interval (Student t)\n"
	"  -j, --jobs N     run in N local processes (same output as -j 1)\n"
	"  --csv FILE       one row per run (tidy), with drops and loss ('-': stdout)\n"
	"  --json FILE      every run's report, and the table ('-': stdout, no table)\n"
	"  --plot FILE      a gnuplot chart (.png, .svg or .pdf): Mpps and loss\n"
	"  --shard K/N --out DIR  run only shard K of N; its runs' JSON into DIR\n"
	"                   (nmsim merge DIR... makes the table)\n"
	"  --slurm DIR      write DIR/sweep.sbatch, a Slurm job array of -j N tasks\n"
	"                   (default 4), each running one shard into DIR\n"
	"  --quiet, --strict, --seed N, --set PATH=V, --trace PCAP as for run\n"
	"Exit status: 0 ok, 1 invariant violated (or --strict and lossy), 2 bad input,\n"
	"3 an output could not be written.\n";

/* Append the values of one comma-separated item: a literal or a range. */
static int nmsim_expand_item(const char *it, char ***val, unsigned *n, const char *shown)
{
	unsigned long long a, b, k = 1, x;
	char op = '+', *end, *dots = strstr(it, "..");

	if (dots == NULL || it[0] < '0' || it[0] > '9') {
		if (*n >= NMSIM_MAX_VALUES)
			goto too_many;
		(*val)[(*n)++] = strdup(it);
		return 0;
	}
	errno = 0;
	a = strtoull(it, &end, 10);
	if (end != dots || dots[2] < '0' || dots[2] > '9')
		goto bad;
	b = strtoull(dots + 2, &end, 10);
	if (*end == '+' || *end == '*') {
		op = *end;
		if (end[1] < '0' || end[1] > '9')
			goto bad;
		k = strtoull(end + 1, &end, 10);
	}
	if (*end != '\0' || errno != 0 || a > b || k == 0 || (op == '*' && (k < 2 || a == 0)))
		goto bad;
	for (x = a; x <= b; x = op == '+' ? x + k : x * k) {
		if (*n >= NMSIM_MAX_VALUES)
			goto too_many;
		if (asprintf(&(*val)[(*n)++], "%llu", x) < 0)
			return NMSIM_EXIT_BAD;
		if (x > ULLONG_MAX / (k + 1) - k)
			break;
	}
	return 0;
bad:
	fprintf(stderr, "nmsim: sweep '%s': bad range (expected A..B, A..B+STEP or A..B*FACTOR with A <= B)\n",
		shown);
	return NMSIM_EXIT_BAD;
too_many:
	fprintf(stderr, "nmsim: sweep '%s': more than %u values\n", shown, NMSIM_MAX_VALUES);
	return NMSIM_EXIT_BAD;
}

/* SPEC into values; what names it in messages. */
static int nmsim_expand(const char *what, const char *spec, struct nmsim_param *p)
{
	char shown[NMSIM_SHOWN], *copy = strdup(spec), *v, *comma;
	unsigned item = 1;
	int rc = 0;

	NMSIM_SHOW(shown, what);
	p->val = calloc(NMSIM_MAX_VALUES, sizeof(*p->val));
	if (copy == NULL || p->val == NULL) {
		free(copy);
		fprintf(stderr, "nmsim: out of memory\n");
		return NMSIM_EXIT_BAD;
	}
	for (v = copy; rc == 0; v = comma + 1, item++) {
		comma = strchr(v, ',');
		if (comma != NULL)
			*comma = '\0';
		/* An empty value is a typo, not a run of the default. */
		if (*v == '\0') {
			fprintf(stderr, "nmsim: sweep '%s': value %u is empty (expected PARAM=v1,v2,...)\n",
				shown, item);
			rc = NMSIM_EXIT_BAD;
		} else {
			rc = nmsim_expand_item(v, &p->val, &p->n, shown);
		}
		if (comma == NULL)
			break;
	}
	free(copy);
	return rc;
}

static int nmsim_grid_param(const char *spec, struct nmsim_grid *g)
{
	char shown[NMSIM_SHOWN];
	const char *eq = strchr(spec, '=');
	struct nmsim_param *p = &g->p[g->np];

	NMSIM_SHOW(shown, spec);
	if (eq == NULL || eq == spec) {
		fprintf(stderr, "nmsim: sweep '%s': expected PARAM=v1,v2,...\n", shown);
		return NMSIM_EXIT_BAD;
	}
	if (g->np == NMSIM_MAX_PARAMS) {
		fprintf(stderr, "nmsim: sweep '%s': more than %u parameters\n", shown, NMSIM_MAX_PARAMS);
		return NMSIM_EXIT_BAD;
	}
	p->name = strndup(spec, (size_t)(eq - spec));
	g->np++;
	return nmsim_expand(spec, eq + 1, p);
}

int nmsim_grid_init(struct nmsim_grid *g, const char *const *specs, unsigned n,
		    const char *seeds)
{
	struct nmsim_param sp = { 0 };
	char shown[NMSIM_SHOWN];
	unsigned i;
	int rc = 0;

	memset(g, 0, sizeof(*g));
	for (i = 0; rc == 0 && i < n; i++)
		rc = nmsim_grid_param(specs[i], g);
	if (rc == 0 && seeds != NULL) {
		rc = nmsim_expand("--seeds", seeds, &sp);
		g->seeds = calloc(sp.n, sizeof(*g->seeds));
		for (i = 0; rc == 0 && i < sp.n; i++)
			if (!nmsim_parse_seed(sp.val[i], &g->seeds[i])) {
				fprintf(stderr, "nmsim: --seeds '%s': '%s' is not a seed (expected a decimal integer 0..9223372036854775807)\n",
					NMSIM_SHOW(shown, seeds), sp.val[i]);
				rc = NMSIM_EXIT_BAD;
			}
		g->nseeds = sp.n;
		for (i = 0; i < sp.n; i++)
			free(sp.val[i]);
		free(sp.val);
	}
	g->ncombos = 1;
	for (i = 0; i < g->np; i++)
		g->ncombos *= g->p[i].n;
	g->nruns = g->ncombos * (g->nseeds ? g->nseeds : 1);
	if (rc == 0 && (g->ncombos > NMSIM_MAX_VALUES || g->nruns > NMSIM_MAX_VALUES)) {
		fprintf(stderr, "nmsim: sweep: %u runs is over the limit of %u\n", g->nruns,
			NMSIM_MAX_VALUES);
		rc = NMSIM_EXIT_BAD;
	}
	return rc;
}

void nmsim_grid_free(struct nmsim_grid *g)
{
	unsigned i, k;

	for (i = 0; i < g->np; i++) {
		for (k = 0; k < g->p[i].n; k++)
			free(g->p[i].val[k]);
		free(g->p[i].val);
		free(g->p[i].name);
	}
	free(g->seeds);
}

/* The assignments PARAM=value of combination c (freed by the caller). */
static unsigned nmsim_assign(const struct nmsim_grid *g, unsigned c, char **a)
{
	unsigned i, d;

	for (i = g->np; i-- > 0;) {
		d = c % g->p[i].n;
		c /= g->p[i].n;
		if (asprintf(&a[i], "%s=%s", g->p[i].name, g->p[i].val[d]) < 0)
			a[i] = NULL;
	}
	return g->np;
}

static void nmsim_assign_free(char **a, unsigned n)
{
	while (n-- > 0)
		free(a[n]);
}

/* Run i to a JSON row; its verdict in *verdict. */
static json_t *nmsim_sweep_run(const struct nmsim_opts *o0, const struct nmsim_grid *g,
			       unsigned i, int *verdict)
{
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	char *a[NMSIM_MAX_PARAMS];
	struct nmsim_opts o = *o0;
	json_t *row = NULL, *params, *names;
	struct sim_summary s;
	unsigned n, k;

	if (g->nseeds != 0) {
		o.have_seed = true;
		o.seed = g->seeds[i % g->nseeds];
	}
	n = nmsim_assign(g, i / (g->nseeds ? g->nseeds : 1), a);
	*verdict = sc == NULL || w == NULL ? NMSIM_EXIT_BAD
					   : nmsim_build(&o, (const char *const *)a, n, sc, w);
	if (*verdict == 0) {
		nmsim_simulate(&o, w, &s, NULL);
		*verdict = nmsim_verdict(&o, w, &s);
		row = sim_report_json(w, &s);
		/* Wall-clock figures differ between two runs of one sweep. */
		json_object_del(row, "wall_s");
		json_object_del(row, "events_per_s");
		nmsim_json_meta(row, &o, (const char *const *)a, n);
		params = json_object();
		names = json_array();
		for (k = 0; k < n; k++) {
			json_object_set_new(params, g->p[k].name,
					    nmsim_json_text(strchr(a[k], '=') + 1));
			json_array_append_new(names, nmsim_json_text(g->p[k].name));
		}
		if (n == 1) {
			json_object_set_new(row, "param", nmsim_json_text(g->p[0].name));
			json_object_set_new(row, "value", nmsim_json_text(strchr(a[0], '=') + 1));
		}
		json_object_set_new(row, "params", params);
		json_object_set_new(row, "param_names", names);
		json_object_set_new(row, "run", json_integer(i));
		json_object_set_new(row, "runs_total", json_integer(g->nruns));
		sim_world_destroy(w);
	}
	nmsim_assign_free(a, n);
	free(sc);
	free(w);
	return row;
}

/* Every combination loads and builds before anything runs, so a bad
 * value leaves no partial table and no missing JSON behind. */
static int nmsim_sweep_check(const struct nmsim_opts *o, const struct nmsim_grid *g)
{
	struct sim_scenario *sc = malloc(sizeof(*sc));
	struct sim_world *w = malloc(sizeof(*w));
	char *a[NMSIM_MAX_PARAMS];
	unsigned c, n;
	int rc = sc == NULL || w == NULL ? NMSIM_EXIT_BAD : 0;

	for (c = 0; rc == 0 && c < g->ncombos; c++) {
		n = nmsim_assign(g, c, a);
		rc = nmsim_build(o, (const char *const *)a, n, sc, w);
		if (rc == 0)
			sim_world_destroy(w);
		nmsim_assign_free(a, n);
	}
	free(sc);
	free(w);
	return rc;
}

/* Runs i = first, first + step, ... into DIR/run-NNNNNN.json; the worst
 * verdict, or NMSIM_EXIT_OUTPUT. */
static int nmsim_sweep_write(const struct nmsim_opts *o, const struct nmsim_grid *g,
			     unsigned first, unsigned step, const char *dir)
{
	int worst = 0, v;
	char *path;
	json_t *row;
	unsigned i;
	FILE *f;

	for (i = first; i < g->nruns; i += step) {
		row = nmsim_sweep_run(o, g, i, &v);
		if (row == NULL)
			return v;
		worst = v > worst ? v : worst;
		if (asprintf(&path, "%s/run-%06u.json", dir, i) < 0)
			return NMSIM_EXIT_OUTPUT;
		f = nmsim_out_open(path);
		v = f == NULL ? NMSIM_EXIT_OUTPUT : nmsim_out_json(f, path, row);
		free(path);
		json_decref(row);
		if (v != 0)
			return v;
	}
	return worst;
}

/* -j N: N children, child k runs k, k + N, ...; the rows come back
 * through files in a private directory. */
static int nmsim_sweep_fork(const struct nmsim_opts *o, const struct nmsim_grid *g,
			    json_t *rows)
{
	char tmpl[] = "/tmp/nmsim-sweep-XXXXXX";
	const char *dirs[1] = { tmpl };
	int worst = 0, st, rc;
	unsigned k, n = o->jobs;
	pid_t pid;

	if (mkdtemp(tmpl) == NULL)
		return nmsim_out_fail("/tmp/nmsim-sweep-XXXXXX", errno);
	fflush(NULL);
	for (k = 0; k < n; k++) {
		pid = fork();
		if (pid == 0)
			_exit(nmsim_sweep_write(o, g, k, n, tmpl));
		if (pid < 0) {
			worst = nmsim_out_fail("fork", errno);
			n = k;
		}
	}
	while (wait(&st) > 0) {
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : NMSIM_EXIT_OUTPUT;
		worst = rc > worst ? rc : worst;
	}
	rc = nmsim_rows_read(dirs, 1, rows);
	nmsim_rows_remove(tmpl);
	return rc != 0 ? rc : worst;
}

/* A word for a POSIX shell, single-quoted. */
static void nmsim_sh_word(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputs("' ", f);
}

/* DIR/sweep.sbatch: an array of tasks, task K running shard K of N. */
static int nmsim_sweep_slurm(const struct nmsim_opts *o, int argc, char **argv)
{
	char *path = NULL, self[PATH_MAX], cwd[PATH_MAX];
	unsigned n = o->jobs ? o->jobs : 4;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f;
	int i;

	if (len <= 0 || getcwd(cwd, sizeof(cwd)) == NULL)
		return nmsim_out_fail("/proc/self/exe", errno);
	self[len] = '\0';
	if (mkdir(o->slurm, 0755) != 0 && errno != EEXIST)
		return nmsim_out_fail(o->slurm, errno);
	if (asprintf(&path, "%s/sweep.sbatch", o->slurm) < 0 || (f = nmsim_out_open(path)) == NULL) {
		free(path);
		return NMSIM_EXIT_OUTPUT;
	}
	fprintf(f, "#!/bin/sh\n# nmsim sweep as a Slurm job array: task K runs shard K of %u;\n"
		   "# then: nmsim merge DIR\n#SBATCH --job-name=nmsim-sweep\n"
		   "#SBATCH --array=1-%u\n#SBATCH --ntasks=1\n#SBATCH --output=%s/slurm-%%A_%%a.out\n",
		n, n, o->slurm);
	fputs("cd ", f);
	nmsim_sh_word(f, cwd);
	fputs("|| exit 2\nexec ", f);
	nmsim_sh_word(f, self);
	fputs("sweep ", f);
	/* The sweep's own arguments, less --slurm and -j. */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--slurm") || !strcmp(argv[i], "-j") || !strcmp(argv[i], "--jobs")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--slurm=", 8) || !strncmp(argv[i], "--jobs=", 7) ||
		    (!strncmp(argv[i], "-j", 2) && argv[i][2] != '\0'))
			continue;
		nmsim_sh_word(f, argv[i]);
	}
	fprintf(f, "--quiet --shard \"$SLURM_ARRAY_TASK_ID/%u\" --out ", n);
	nmsim_sh_word(f, o->slurm);
	fputs("\n", f);
	i = nmsim_out_close(f, path);
	if (i == 0)
		chmod(path, 0755);
	if (i == 0 && !o->quiet)
		printf("nmsim: wrote %s (%u tasks); submit with sbatch, then nmsim merge %s\n",
		       path, n, o->slurm);
	free(path);
	return i;
}

int nmsim_sweep(int argc, char **argv)
{
	struct nmsim_opts o = { .cmd = "sweep" };
	json_t *rows = json_array(), *row;
	struct nmsim_grid g = { 0 };
	int rc, worst = 0, v;
	unsigned i;

	o.maxpos = (unsigned)argc;
	rc = rows == NULL ? NMSIM_EXIT_BAD : nmsim_parse(argc, argv, &o, usage_sweep);
	if (rc == 0 && o.npos < 2) {
		fprintf(stderr, "nmsim: sweep needs SCENARIO and PARAM=v1,v2,... (see nmsim sweep --help)\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0 && o.pcap_out != NULL) {
		fprintf(stderr, "nmsim: --pcap-out is not supported in a sweep (expected run)\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0 && (o.interval_ns != 0 || o.flows)) {
		fprintf(stderr, "nmsim: --%s is not supported in a sweep (expected run)\n",
			o.flows ? "flows" : "interval");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0 && (o.shard_n != 0) != (o.out != NULL)) {
		fprintf(stderr, "nmsim: --shard K/N and --out DIR go together\n");
		rc = NMSIM_EXIT_BAD;
	}
	if (rc == 0) {
		o.scenario = o.pos[0];
		rc = nmsim_grid_init(&g, o.pos + 1, o.npos - 1, o.seeds);
	}
	if (rc == 0)
		rc = nmsim_sweep_check(&o, &g);
	if (rc != 0)
		goto out;
	if (o.slurm != NULL) {
		rc = nmsim_sweep_slurm(&o, argc - 1, argv + 1);
		goto out;
	}
	if (o.shard_n != 0) {
		if (mkdir(o.out, 0755) != 0 && errno != EEXIST) {
			rc = nmsim_out_fail(o.out, errno);
			goto out;
		}
		rc = nmsim_sweep_write(&o, &g, o.shard_k - 1, o.shard_n, o.out);
		goto out;
	}
	if (o.jobs > 1) {
		worst = nmsim_sweep_fork(&o, &g, rows);
		if (worst >= NMSIM_EXIT_BAD) {
			rc = worst;
			goto out;
		}
	} else {
		for (i = 0; i < g.nruns; i++) {
			row = nmsim_sweep_run(&o, &g, i, &v);
			if (row == NULL) {
				rc = v;
				goto out;
			}
			worst = v > worst ? v : worst;
			json_array_append_new(rows, row);
		}
	}
	rc = nmsim_render(&o, rows);
	rc = rc != 0 ? rc : worst;
out:
	nmsim_grid_free(&g);
	json_decref(rows);
	free(o.sets);
	free(o.pos);
	return rc;
}
