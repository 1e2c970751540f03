/*
 * sim_report.h - what a run measured, for people (text) and programs (JSON
 * through jansson): packets in and out, drops by reason, simulated Mpps and
 * Gbit/s, latency percentiles, notifications per packet (kicks, interrupts,
 * VM exits, system calls, hypercalls, spurious wake-ups), per-switch,
 * per-endpoint and per-link figures, engine events and events per second of wall time, every
 * invariant with its count of checks, the fingerprint, and the cost model
 * in force.  Both forms carry the same fields.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "sim_world.h"
#include "vale.h"

/* Why packets were dropped: the core switch's reasons (enum
 * vale_drop_reason, same order), then the simulator's own. */
enum sim_drop_reason {
	SIM_DROP_DEVICE = VALE_DROP_NREASONS, /* a device model, other reasons */
	SIM_DROP_DEVICE_TOO_BIG,	      /* longer than a device's buffer */
	SIM_DROP_LINK_QUEUE_FULL,	      /* a link's queue was full */
	SIM_DROP_LINK_TOO_BIG,		      /* longer than a link NIC's buffer */
	SIM_DROP_DEVICE_OVER_MTU,	      /* longer than a device carries */
	SIM_DROP_TAP_QUEUE_FULL,	      /* backend tap: txqueuelen reached */
	SIM_DROP_TAP_NO_DEST,		      /* backend tap: no tap has the MAC */
	SIM_DROP_SOCKQ_FULL,		      /* a guest's socket queue was full */
	SIM_DROP_NREASONS
};

struct sim_drop_info {
	const char *key;  /* JSON: drops.<key> */
	const char *text; /* the text report */
};
extern const struct sim_drop_info sim_drop_info[SIM_DROP_NREASONS];

struct sim_summary {
	uint64_t in, out, drops;
	uint64_t drop_by[SIM_DROP_NREASONS]; /* sums to drops */
	uint64_t bytes_out;
	uint64_t sim_ns;      /* first packet in to last packet out */
	double mpps, gbps;
	/* At the receivers (sim_ep_stats): frames taken (a segment each),
	 * their bytes and TCP/UDP payload; Gbit/s of that payload (goodput)
	 * and on an Ethernet wire (each frame + SIM_ETH_WIRE_OVERHEAD). */
	uint64_t frames_out, frame_bytes, l4_bytes;
	double gbps_payload, gbps_wire;
	uint64_t in_flight;   /* injected - delivered - dropped, at the end */
	uint64_t lat_p50, lat_p90, lat_p99, lat_p999, lat_max;
	uint64_t lat_min;     /* the lowest bucket's bound (sim_pkt.h) */
	double lat_mean;      /* from the histogram's bucket bounds */
	uint64_t kicks, irqs, vmexits, syscalls, hypercalls, spurious, wakeups;
	/* Stranded work: summed over actors, the longest interval, and how
	 * many intervals (sim_actor.h). */
	uint64_t stranded_ns, stranded_max_ns, strandings;
	uint64_t events;
	double wall_s, events_per_s;
};

/* Bytes an Ethernet link adds to every frame on the wire: preamble and
 * start delimiter (8), FCS (4), minimum inter-frame gap (12). */
#define SIM_ETH_WIRE_OVERHEAD 24U

/* A drop reason is worth a warning past this share of the injected
 * packets (per mille): the text report prints a line for it, the JSON lists
 * it, and nmsim --strict exits 1. */
#define SIM_LOSS_WARN_PERMILLE 10U

/* Does any one drop reason take more than SIM_LOSS_WARN_PERMILLE of the
 * packets injected?  (A run that loses packets says so: the report prints
 * the loss beside the rate and a warning line per such reason.) */
bool sim_summary_lossy(const struct sim_summary *s);

void sim_summary_collect(const struct sim_world *w, double wall_s,
			 struct sim_summary *s);
void sim_report_text(FILE *f, const struct sim_world *w,
		     const struct sim_summary *s);
/* A new JSON object with the same fields as the text report. */
json_t *sim_report_json(const struct sim_world *w, const struct sim_summary *s);

#endif /* SIM_REPORT_H */
