/*
 * sim_run.c - the run context's shared parts (see sim_run.h).
 */
#include "sim_run.h"

#include <stdarg.h>
#include <stdio.h>

const char *const sim_inv_names[SIM_INV_COUNT] = {
	[SIM_INV_CONSERVATION] = "conservation",
	[SIM_INV_FLOW_ORDER] = "flow_order",
	[SIM_INV_PAYLOAD] = "payload",
	[SIM_INV_RING_INDEX] = "ring_index",
	[SIM_INV_LEASE] = "lease",
	[SIM_INV_NOTIFICATION] = "no_lost_notification",
};

void sim_run_violation(struct sim_run *r, enum sim_inv_id id,
		       const struct sim_actor *a, uint32_t ring,
		       const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r->violation(r, id, a, ring, what);
}
