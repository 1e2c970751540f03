/*
 * sim_scenario.h - what a simulation run is made of, read from YAML.
 *
 * Owns: reading the scenario structure (sim_config.h: trace, costs, hosts,
 * switches, endpoints, links) from a YAML file or string with libyaml's
 * document loader, validating every key, range and reference, and overriding single values
 * by path ("endpoints.tx.batch=64") for sweeps and the command line.
 *
 * Every error is one line "FILE:LINE: what (expected ...)" and -EINVAL;
 * nothing is half-applied to a scenario the caller keeps using.  A key
 * given twice in one mapping is an error (YAML wants unique keys).
 *
 * Topology: a VALE switch joins any number of endpoints (at least one
 * sender and one receiver; up to SIM_MAX_ENDPOINTS, 254), each on a port of its
 * own; a pipe joins exactly one sender to one receiver (it has two ends).
 * Every sender replays the whole trace.  On a VALE switch with more than
 * two ports the bridge learns each receiver before time 0 and the built-in
 * trace addresses flow f to the receiver of rank f mod R (R receivers, the
 * same on every such switch with several; see sim_switch.h).  Endpoints
 * are host processes on a switch port, or guests whose device (ptnet, e1000,
 * virtio, xen) reaches the switch through the hypervisor of their host.
 * A link joins two different VALE switches with a port on each (full
 * duplex: bandwidth, propagation delay, queue limit per direction).  A
 * switch may have any number of endpoints and link ports, at most the
 * core's 254 in all; links form no loop, switches joined by links are one
 * network whose receivers are ranked together, and a sender's network has
 * a receiver (see docs/simulator.md).
 * CPUs: every actor has a CPU of its own unless pinned: a host with
 * `cpus: N` lets its endpoints pin the application (`cpu: K`), the kloop
 * (`kloop_cpu: K`) or the device backend thread (`backend_cpu: K`) to its
 * CPU K < N; actors pinned to one CPU take turns (sim_actor.h).
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_config.h"

/* The scenario nmsim runs with no arguments. */
extern const char sim_scenario_default_yaml[];

/* Parse a file (or, with text != NULL, the YAML in text, named by path). */
int sim_scenario_load(struct sim_scenario *sc, const char *path,
		      const char *text, char *err, size_t errlen);
/* Apply one "path=value" override (trace.loops=2, costs.vmexit_ns=900,
 * endpoints.NAME.KEY=V, switches.NAME.type=pipe, links.NAME.KEY=V,
 * seed=3).  0 or -EINVAL. */
/* The rules between an endpoint's virtio-net header keys and between a
 * receiver's and its senders' (docs/simulator.md, "Offloads"), checked
 * once every override is in (an override is checked on its own, and a
 * change of both vnet_hdr and offloads takes two): 0, or -EINVAL with
 * one line naming the file, line and endpoint. */
int sim_scenario_check_offloads(const struct sim_scenario *sc, char *err,
				size_t errlen);

int sim_scenario_override(struct sim_scenario *sc, const char *assignment,
			  char *err, size_t errlen);

/* The sender and receiver endpoints on switch sw (links not counted). */
void sim_scenario_switch_roles(const struct sim_scenario *sc, uint32_t sw,
			       uint32_t *senders, uint32_t *receivers);

/* Topology (sim_scenario_topo.c).  Sets of switches are bit masks (bit i:
 * switch i).  The switches joined to sw by links, sw included: */
uint32_t sim_scenario_component(const struct sim_scenario *sc, uint32_t sw);
/* Ports of switch sw: its endpoints' and its link ports. */
uint32_t sim_scenario_ports(const struct sim_scenario *sc, uint32_t sw);
/*
 * The VMM backends (sim_scenario_backend.c): each endpoint's backend keys
 * go together, and a switch with an endpoint on backend tap (a host
 * bridge) holds taps only, is type vale and has no links.  Checked when a
 * run is built, after every override (an override that switches one end
 * of a pair to tap is not yet wrong): 0, or -EINVAL with one line
 * "SOURCE:LINE: ..." in err.
 */
int sim_scenario_check_backends(const struct sim_scenario *sc, char *err,
				size_t errlen);
/* Receivers among endpoints 0..before-1 on the switches of mask
 * (UINT32_MAX: all of them). */
uint32_t sim_scenario_receivers_in(const struct sim_scenario *sc, uint32_t mask,
				   uint32_t before);
/* Receiver ep's rank: the receivers of its component before it. */
uint32_t sim_scenario_rx_rank(const struct sim_scenario *sc, uint32_t ep);
/* Does a switch of mask learn (VALE, more than two ports)? */
bool sim_scenario_learns(const struct sim_scenario *sc, uint32_t mask);
/* The switches beyond link `link` seen from its end `end` (0: from,
 * 1: to): reached through it, on its far side. */
uint32_t sim_scenario_beyond(const struct sim_scenario *sc, uint32_t link,
			     uint32_t end);

const char *sim_switch_type_name(enum sim_switch_type t);

#endif /* SIM_SCENARIO_H */
