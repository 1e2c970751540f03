/*
 * nmsim.h - what nmsim's command files share: the options of every
 * command (one getopt_long table), loading and building a run, running it
 * (with an optional time series) and the facts every JSON record carries
 * (version, scenario hash, overrides).
 *
 * Commands live one per file: nmsim.c (main, run), nmsim_list.c (list,
 * check), nmsim_sweep.c (sweep, grids, seeds, -j, shards, the Slurm
 * script) and nmsim_merge.c (rows into a table, CSV, JSON, chart; merge);
 * nmsim_opts.c reads options and builds runs, nmsim_series.c runs them,
 * nmsim_flows.c reports per flow.  Every bad input is one line on stderr and NMSIM_EXIT_BAD.
 */
#ifndef NMSIM_H
#define NMSIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "nmsim_out.h"
#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_world.h"

#define NMSIM_EXIT_BAD 2

/* Shown for an option value in messages (escaped, clipped). */
#define NMSIM_SHOW(buf, s) sim_text_show(buf, sizeof(buf), s, SIM_TEXT_SHOW)

/* Set at configure time from `git describe` (CMake), else "unknown". */
#ifndef NMSIM_VERSION
#define NMSIM_VERSION "0.1"
#endif
#ifndef NMSIM_GIT
#define NMSIM_GIT "unknown"
#endif

struct nmsim_opts {
	const char *cmd;      /* the command, for messages */
	const char *refuse;   /* options the command does not take, by name */
	const char *scenario; /* NULL: the embedded default */
	const char *trace;
	const char *json;
	const char *csv;
	const char *pcap_out;
	const char *plot;
	const char **sets; /* argc entries: never more --set than arguments */
	unsigned nsets;
	const char **pos;  /* argc entries */
	unsigned npos, maxpos;
	bool have_seed, quiet, strict, flows;
	uint64_t seed;
	const char *seeds;    /* sweep --seeds, unexpanded */
	unsigned jobs;        /* -j: 0 when not given */
	unsigned shard_k, shard_n; /* --shard K/N; 0/0 when not given */
	const char *out;      /* --out DIR */
	const char *slurm;    /* --slurm DIR */
	uint64_t interval_ns; /* run --interval; 0: none */
};

/* argv[0] is the command.  0, NMSIM_EXIT_BAD after one line, or -1 when
 * --help printed usage. */
int nmsim_parse(int argc, char **argv, struct nmsim_opts *o, const char *usage);
/* Load the scenario with --set and then the overrides (n of them), and the
 * seed; then build.  0 or NMSIM_EXIT_BAD after one line (w destroyed). */
int nmsim_build(const struct nmsim_opts *o, const char *const *override, unsigned n,
		struct sim_scenario *sc, struct sim_world *w);
/* Run a built world to the end and sum it up; with series != NULL, sample
 * it every o->interval_ns of simulated time into that array. */
void nmsim_simulate(const struct nmsim_opts *o, struct sim_world *w,
		    struct sim_summary *s, json_t *series);
/* The time series as CSV (one row per sample) into f, closed; 0 or
 * NMSIM_EXIT_OUTPUT. */
int nmsim_series_csv(FILE *f, const char *path, json_t *series);
/* 1 when the run failed an invariant, or is lossy and --strict asked. */
int nmsim_verdict(const struct nmsim_opts *o, const struct sim_world *w,
		  const struct sim_summary *s);
/* Version, scenario hash and the overrides into a report object. */
void nmsim_json_meta(json_t *j, const struct nmsim_opts *o,
		     const char *const *override, unsigned n);
/* A JSON string of input text; its shown form if it is not UTF-8. */
json_t *nmsim_json_text(const char *s);
/* Decimal 0..INT64_MAX, digits only. */
bool nmsim_parse_seed(const char *v, uint64_t *out);

int nmsim_list(int argc, char **argv);
int nmsim_check(int argc, char **argv);
int nmsim_sweep(int argc, char **argv);
int nmsim_merge(int argc, char **argv);

/* The sweep's rows (one JSON object per run, in run order) rendered as a
 * table on stdout, --csv, --json and --plot; 0 or NMSIM_EXIT_OUTPUT. */
int nmsim_render(const struct nmsim_opts *o, json_t *rows);
/* A CSV field: quoted when it holds a comma, quote or line break. */
void nmsim_csv_field(FILE *f, const char *s);

#endif /* NMSIM_H */
