/*
 * sim_report_accel.h - the Xen accelerator plugin's part of a run's report
 * (xen with accel, sim_dev_xen_accel.h): packets and simulated Mpps per
 * path, and each switch-over's timing (requested, begun, drained) with
 * the slots the old path still had out and the frames netfront held.
 */
#ifndef SIM_REPORT_ACCEL_H
#define SIM_REPORT_ACCEL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_ep.h"

/* Text lines under endpoint ep (nothing unless it runs the split); sim_ns
 * is the run's measured span, the Mpps denominator of every endpoint. */
void sim_report_accel_text(FILE *f, const struct sim_ep *ep, uint64_t sim_ns);
/* Its "accel" object, or NULL unless it runs the split. */
json_t *sim_report_accel_json(const struct sim_ep *ep, uint64_t sim_ns);

#endif /* SIM_REPORT_ACCEL_H */
