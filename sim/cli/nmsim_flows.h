/*
 * nmsim_flows.h - per-flow results of a run (run --flows).
 */
#ifndef NMSIM_FLOWS_H
#define NMSIM_FLOWS_H

#include "nmsim.h"

/* Before the run: follow the trace's flows; 0 or NMSIM_EXIT_BAD. */
int nmsim_flows_enable(struct sim_world *w);
/* After it: a table, and a JSON array (one object per flow). */
void nmsim_flows_text(FILE *f, const struct sim_world *w, const struct sim_summary *s);
json_t *nmsim_flows_json(const struct sim_world *w, const struct sim_summary *s);

#endif /* NMSIM_FLOWS_H */
