/*
 * sim_report_locks.h - the contention part of a run's report: every lock
 * class's acquisitions, contended acquisitions and virtual time waiting
 * (the sim backend's counts, nm_os_sim.h), and per VALE RX ring its lock's
 * counts and the senders' lease overlap (sim_lease.h).
 */
#ifndef SIM_REPORT_LOCKS_H
#define SIM_REPORT_LOCKS_H

#include <jansson.h>
#include <stdio.h>

#include "sim_world.h"

/* The text lines ("  locks", "  rx rings"), nothing if no lock was taken. */
void sim_report_locks_text(FILE *f, const struct sim_world *w);
/* JSON: "locks" (per class) and "rx_rings" (per watched ring) into o. */
void sim_report_locks_json(json_t *o, const struct sim_world *w);

#endif /* SIM_REPORT_LOCKS_H */
