/*
 * sim_scenario_keys.c - the table of the scenario's own keys (see the
 * header).  Order: as `nmsim list keys` prints them, section by section.
 */
#include "sim_scenario_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_config.h"

#define INT(p, lo, hi, d, unit, what) { p, SIM_KEY_INTEGER, lo, hi, d, NULL, NULL, unit, what }
#define INTD(p, lo, hi, d, dtext, unit, what) { p, SIM_KEY_INTEGER, lo, hi, d, NULL, dtext, unit, what }
#define ENUM(p, vals, d, what) { p, SIM_KEY_ENUM, 0, 0, 0, vals, d, "-", what }
#define NAME(p, d, what) { p, SIM_KEY_NAME, 0, 0, 0, "name, 31 chars", d, "-", what }
#define TEXT(p, takes, d, what) { p, SIM_KEY_TEXT, 0, 0, 0, takes, d, "-", what }

/* clang-format off */
const struct sim_sc_key sim_sc_keys[] = {
	TEXT("name", "text", "unnamed", "the scenario's name, shown escaped in reports"),
	TEXT("description", "text", "", "free text, ignored"),
	INT("seed", 0, INT64_MAX, 1, "-", "run seed: the named random streams (trace flows, cost jitter)"),
	INT("max_time_us", 0, 3600000000ULL, 0, "us", "stop at this simulated time; 0: when every packet is accounted for"),
	INT("buf_size", 64, 65536, 2048, "bytes", "buffer size of every port, guest ring and link queue (a multiple of 64)"),
	ENUM("sim.model", "step|concurrent", "concurrent", "step: an actor's body runs whole; concurrent (the default): actors interleave at every shared access"),
	ENUM("sim.stranded", "fail|measure", "fail", "a sleeper left with work and no notification: fail at once, or measure the stranded time (fail if still stranded at the end)"),
	INT("sim.quantum_ns", 0, 1000000000ULL, 0, "ns", "concurrent model: how far an actor may run past the next event; 0: exact"),
	ENUM("sim.memory", "sc|tso|arm", "sc", "shared CSB words: sequentially consistent, x86-TSO store buffers, or ARMv8-like (stores and loads reordered unless fenced)"),
	INT("sim.store_visibility_ns", 0, 1000000000ULL, 200, "ns", "sim.memory tso|arm: a buffered store becomes visible within this (drawn from the seed), or at the next full fence"),
	TEXT("trace.file", "a pcap or pcapng path", "", "replay this capture (relative to the scenario file; link types EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP); empty: the built-in trace"),
	INT("trace.packets", 1, 1000000000000ULL, 10000, "packets", "built-in trace: how many records (generated as they are sent: memory does not grow with it)"),
	INT("trace.size", 60, 1514, 60, "bytes", "built-in trace: frame size"),
	INT("trace.flows", 1, 65536, 4, "flows", "built-in trace: UDP flows, drawn from the seed's trace stream"),
	INT("trace.builtin_rate_pps", 0, 1000000000, 14880952, "pps", "built-in trace: the timestamps' rate (default: 10 Gbit/s of 64-byte frames)"),
	ENUM("trace.mode", "fast|timestamps|rate", "fast", "release: as fast as the sender takes them, at their timestamps, or at rate_pps"),
	INT("trace.rate_pps", 1, 1000000000, 1000000, "pps", "mode rate: the release rate"),
	INT("trace.loops", 1, 1000000, 1, "loops", "replay the trace this many times"),
	ENUM("trace.addresses", "readdress|keep", "readdress", "a trace file's MAC addresses: rewritten to reach the topology's receivers, or replayed as captured"),
	NAME("hosts.name", NULL, "referred to by endpoints.host"),
	INTD("hosts.cpus", 1, SIM_MAX_CPUS, 0, "none", "cpus", "CPUs actors can be pinned to; none: every actor has a CPU of its own"),
	INT("hosts.timeslice_us", 0, 1000000, 750, "us", "a shared CPU preempts a step after this long (CFS min granularity order); 0: never"),
	NAME("switches.name", NULL, "referred to by endpoints.switch and links"),
	ENUM("switches.type", "vale|pipe", NULL, "required: a VALE switch or a netmap pipe"),
	NAME("links.name", NULL, "shown in reports"),
	NAME("links.from", NULL, "a VALE switch"),
	NAME("links.to", NULL, "a VALE switch"),
	INT("links.bandwidth_bps", 1, 1000000000000ULL, 10000000000ULL, "bit/s", "line rate"),
	INT("links.delay_ns", 0, 1000000000, 0, "ns", "propagation delay"),
	INT("links.queue", 1, 65536, 1024, "frames", "frames waiting for the line"),
	INT("links.slots", 8, 4096, 1024, "slots", "ring size of the link's ports"),
	NAME("endpoints.name", NULL, "referred to by --set endpoints.NAME.KEY"),
	NAME("endpoints.host", "none", "a host of hosts:; none: a host of its own"),
	NAME("endpoints.switch", NULL, "the switch its port is on"),
	ENUM("endpoints.role", "sender|receiver", NULL, "required"),
	ENUM("endpoints.device", NULL, "none", "the datapath model (nmsim list devices); none: a host process"),
	INT("endpoints.batch", 1, 4095, 256, "slots", "packets per sync (below slots)"),
	INT("endpoints.slots", 8, 4096, 1024, "slots", "ring size"),
	INT("endpoints.pkt_work_ns", 0, 1000000000, 0, "ns", "application work per packet"),
	INTD("endpoints.cpu", 0, SIM_MAX_CPUS - 1, 0, "own", "cpu", "the host CPU its application is pinned to (default: one of its own)"),
	TEXT("endpoints.monitors", "a list of {rings, mode, slots, pcap}, in the file (--set ...monitors.KEY: every monitor)", "none", "monitors of the endpoint's port, each drained by an actor of its own (endpoints on VALE only)"),
	ENUM("endpoints.monitors.rings", "tx|rx|both", "both", "the port's rings it monitors"),
	ENUM("endpoints.monitors.mode", "copy|zcopy", "copy", "copy monitor, or zero-copy (the port then gets spare buffers for it)"),
	INTD("endpoints.monitors.slots", 8, 4096, 0, "the port's", "slots", "its RX rings' size (a smaller ring drops the oldest of a batch it cannot hold)"),
	TEXT("endpoints.monitors.pcap", "a pcap path", "", "write what the monitor sees there (a relative path: under --pcap-out, and only with it); empty: none"),
};
/* clang-format on */

const size_t sim_sc_nkeys = sizeof(sim_sc_keys) / sizeof(sim_sc_keys[0]);

const struct sim_sc_key *sim_sc_key_find(const char *path)
{
	size_t i;

	for (i = 0; i < sim_sc_nkeys; i++)
		if (strcmp(sim_sc_keys[i].path, path) == 0)
			return &sim_sc_keys[i];
	return NULL;
}

const struct sim_sc_key *sim_sc_key_int(const char *path)
{
	const struct sim_sc_key *k = sim_sc_key_find(path);

	if (k == NULL || k->type != SIM_KEY_INTEGER) {
		fprintf(stderr, "nmsim: internal error: no integer key %s in sim_sc_keys\n", path);
		abort();
	}
	return k;
}

uint64_t sim_sc_key_default(const char *path)
{
	return sim_sc_key_int(path)->def;
}
