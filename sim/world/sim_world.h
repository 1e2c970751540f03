/*
 * sim_world.h - one simulation run: the engine, the scenario, the trace,
 * the switches' registry, the endpoints with their actors and devices, the
 * packet accounting, and the invariants.
 *
 * Owns: building a run from a scenario (sim_world_build), running it to the
 * end (sim_world_run) and tearing it down.  Everything in a run hangs off
 * one struct sim_world; there is no other global state except the
 * simulator backend's nm_sim_os (one machine per process).
 *
 * Invariants (each counted when checked; the first violation stops the run
 * and is reported with time, actor, ring and indices):
 *   conservation   injected == delivered + counted drops (at the end),
 *                  overall, per switch (its senders' and links' packets
 *                  in, its receivers' and links' out, drops at its ports
 *                  and devices) and per link direction (taken = delivered
 *                  + dropped for queue full)
 *   flow_order     per sender and flow, ids delivered in increasing order
 *   payload        delivered bytes equal the trace record, no duplicate
 *   ring_index     nm_kring_valid() on every kring after every event
 *                  (endpoints' and links' ports)
 *   lease          VALE: between steps no lease is open and
 *                  hwcur <= hwtail == hwlease on every RX ring of every
 *                  port (senders' included)
 *   notification   no actor sleeps while the peer's published state says
 *                  it has work and no notification is on its way
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_actor.h"
#include "sim_cache.h"
#include "sim_engine.h"
#include "sim_pkt.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_trace.h"

/* Every endpoint's actors (an application and up to two device threads)
 * and each link direction's two NICs. */
#define SIM_MAX_ACTORS (3 * SIM_MAX_ENDPOINTS + 4 * SIM_MAX_LINKS)

struct sim_ep;
struct sim_link;
struct sim_switch;
struct sim_pcap_sink;

struct sim_world {
	struct sim_engine eng;
	struct sim_run run;	  /* what actors, links and devices see of it */
	struct sim_scenario sc;
	struct sim_trace trace;
	struct sim_pkts pk;
	struct sim_cache cache;	  /* cache-line transfers (the step hook) */
	struct nm_registry *reg;
	struct sim_switch *sw[SIM_MAX_SWITCHES];
	struct sim_ep *ep[SIM_MAX_ENDPOINTS];
	uint32_t nep;
	struct sim_link *link[SIM_MAX_LINKS];
	uint32_t nlinks;
	struct sim_cpu *host_cpu[SIM_MAX_HOSTS]; /* sc.hosts[h].cpus each, or NULL */
	struct sim_actor *actors[SIM_MAX_ACTORS];
	uint32_t nactors;
	uint64_t total_packets;	  /* to inject: records x loops x senders */
	uint64_t inv_checks[SIM_INV_COUNT];
	uint64_t last_checks[SIM_INV_COUNT]; /* counted after the last event */
	uint64_t inv_violations[SIM_INV_COUNT];
	bool failed;
	char fail_msg[768];
	bool finished;		  /* every packet accounted for */
	uint64_t end_ns;	  /* virtual time at the end of the last step */
	const char *pcap_dir;	  /* NULL: no pcap output */
	struct sim_monitor **mon; /* the endpoints' monitors (sim_monitor.h) */
	uint32_t nmon;
};

/* Packets the run injects in all: the trace's, and the frames sending
 * guests cut from its records (sim_pkts.split_extra, known as they go). */
static inline uint64_t sim_world_expected(const struct sim_world *w)
{
	return w->total_packets + w->pk.split_extra;
}

/* Zero w and wire its run context (engine, cache, the reports) to it:
 * sim_world_build() starts with this; a test that drives actors by hand on
 * a bare world calls it alone (then sim_engine_init()). */
void sim_world_init(struct sim_world *w);
/* Build the run; 0, or -EINVAL/-ENOMEM with one line in err. */
int sim_world_build(struct sim_world *w, const struct sim_scenario *sc,
		    const char *trace_override, const char *pcap_dir,
		    char *err, size_t errlen);
/* Run to the end (every packet accounted for, max_time, or a violation). */
void sim_world_run(struct sim_world *w);
void sim_world_destroy(struct sim_world *w);

/* The latest release time a run may have (2^62 ns, about 146 years): far
 * beyond any experiment, and far from where uint64_t time wraps. */
#define SIM_MAX_RELEASE_NS (1ULL << 62)

/* Exit status of a run that hit an internal limit of the simulator. */
#define SIM_EXIT_INTERNAL 4

/*
 * The simulator's own bookkeeping broke (a table that cannot grow): not a
 * verdict on the datapath, so no invariant is blamed and no report is
 * written.  Prints "nmsim: internal error (a bug in nmsim): what" and
 * exits with SIM_EXIT_INTERNAL.
 */
void sim_world_internal_error(struct sim_world *w, const char *what)
	__attribute__((noreturn));

/* Packets dropped so far, by every counted reason. */
uint64_t sim_world_drops(const struct sim_world *w);

/* Packet flow of switch s: injected by its senders and the links into it,
 * delivered to its receivers and the links out of it, dropped at its ports
 * and its endpoints' devices.  Counted in frames: the frames the switch
 * cut from GSO packets beyond each one's first (its ports' rx_seg_extra)
 * count as injected, and a receiver's as the frames it took (its packets
 * when nothing was cut). */
struct sim_sw_flow {
	uint64_t in, out, drops;
};
void sim_world_switch_flow(const struct sim_world *w, uint32_t s,
			   struct sim_sw_flow *f);

#endif /* SIM_WORLD_H */
