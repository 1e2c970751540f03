/*
 * nmsim_sweep.h - a sweep's grid (parameters, values, seeds) and its rows
 * on disk (run-NNNNNN.json files), shared by sweep and merge.
 */
#ifndef NMSIM_SWEEP_H
#define NMSIM_SWEEP_H

#include <jansson.h>

struct nmsim_param {
	char *name;
	char **val;
	unsigned n;
};

struct nmsim_grid {
	struct nmsim_param p[8];
	unsigned np;
	uint64_t *seeds; /* NULL: the scenario's (or --seed) */
	unsigned nseeds, ncombos, nruns;
};

int nmsim_grid_init(struct nmsim_grid *g, const char *const *specs, unsigned n,
		    const char *seeds);
void nmsim_grid_free(struct nmsim_grid *g);
/* Read every run-*.json of the directories into rows, in run order,
 * checking that runs 0..total-1 are each there once; 0 or NMSIM_EXIT_BAD. */
int nmsim_rows_read(const char *const *dirs, unsigned n, json_t *rows);
/* Remove a private directory of run files. */
void nmsim_rows_remove(const char *dir);

#endif /* NMSIM_SWEEP_H */
