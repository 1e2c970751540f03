/*
 * sim_config.h - what a simulation run is made of: the scenario as data
 * (trace, costs, hosts, switches, endpoints, links), with its limits.
 *
 * Owns: nothing but types.  The switches, links and devices are built from
 * it, so it sits in the lowest layer that builds anything (net); reading it
 * from YAML, checking it and overriding values is the scenario layer's
 * business (sim_scenario.h), above the devices whose keys it checks.
 * See sim_scenario.h for the topology rules a read scenario obeys.
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_cost.h"

#define SIM_NAME_MAX 32
/* File names are kept whole up to the system's limit; a longer one, and any
 * value longer than its field, is refused with its length (never cut). */
#define SIM_PATH_MAX PATH_MAX
#define SIM_MAX_HOSTS 8
#define SIM_MAX_SWITCHES 8
/* Endpoints of a scenario: as many as the core's VALE switch has ports
 * (core/vale.h VALE_MAX_PORTS), so one switch can hold them all. */
#define SIM_MAX_ENDPOINTS 254
#define SIM_MAX_LINKS 8
#define SIM_MAX_CPUS 64	    /* per host */
#define SIM_CPU_OWN UINT32_MAX /* not pinned: a CPU of its own */

enum sim_trace_mode { SIM_TRACE_FAST, SIM_TRACE_TIMESTAMPS, SIM_TRACE_RATE };
enum sim_switch_type { SIM_SW_VALE, SIM_SW_PIPE };
enum sim_role {
	SIM_ROLE_SENDER,
	SIM_ROLE_RECEIVER,
	SIM_ROLE_LINK, /* a switch port of a link (sim_switch.h), never an endpoint */
};
enum sim_kloop_mode { SIM_KLOOP_NOTIFY, SIM_KLOOP_BUSY };

struct sim_sc_trace {
	char file[SIM_PATH_MAX]; /* empty: built-in */
	uint64_t packets;  /* built-in */
	uint32_t size;	   /* built-in */
	uint32_t flows;	   /* built-in */
	uint64_t gen_rate_pps; /* built-in timestamps */
	enum sim_trace_mode mode;
	uint64_t rate_pps; /* mode rate */
	uint32_t loops;
	bool keep_addresses; /* addresses: keep (else readdress) */
	uint32_t line;	   /* where it was defined */
};

struct sim_sc_host {
	char name[SIM_NAME_MAX];
	uint32_t cpus;	   /* 0: not declared (no actor may be pinned) */
	/* Time slice of its CPUs under the concurrent model: a step is
	 * preempted after this long when others wait (0: never).  Default
	 * 750: Linux CFS's sysctl_sched_min_granularity (0.75 ms,
	 * kernel/sched/fair.c; EEVDF's base_slice_ns since 6.6). */
	uint32_t timeslice_us;
	uint32_t line;
};

struct sim_sc_switch {
	char name[SIM_NAME_MAX];
	enum sim_switch_type type;
	uint32_t line;
};

struct sim_sc_endpoint {
	char name[SIM_NAME_MAX];
	uint32_t host;	   /* index into hosts */
	uint32_t sw;	   /* index into switches */
	enum sim_role role;
	uint32_t device;   /* index into sim_dev_table (dev/sim_dev.h), 0: none */
	uint32_t batch;	   /* slots per sync, 1..slots-1 */
	uint32_t slots;	   /* ring size, 2..4096 */
	uint64_t pkt_work_ns; /* extra per-packet work in the application */
	/* Device options: each is a key of the devices that accept it, with
	 * its range and default, in their sim_dev_desc (dev/sim_dev.h). */
	uint32_t itr_us;	/* e1000: interrupt moderation delay, 0 = off */
	bool send_combining;	/* e1000 */
	bool csb;		/* e1000: paravirtual CSB extension */
	bool event_idx;		/* virtio: VIRTIO_RING_F_EVENT_IDX */
	bool fast_path;		/* xen: accelerated netfront, backend bypassed */
	uint32_t kloop;		/* enum sim_kloop_mode: ptnet, xen fast path */
	/* Host CPUs (index < the host's cpus), or SIM_CPU_OWN. */
	uint32_t cpu;		/* the application (a guest's vCPU) */
	uint32_t kloop_cpu;	/* ptnet, xen fast path: the kloop thread */
	uint32_t backend_cpu;	/* e1000, virtio, xen: the VMM/vhost/netback thread */
	uint32_t line;
	char host_ref[SIM_NAME_MAX], sw_ref[SIM_NAME_MAX];
};

/* A full-duplex link between two VALE switches (sim_link.h). */
struct sim_sc_link {
	char name[SIM_NAME_MAX];
	uint32_t sw[2];		/* indices into switches: from, to */
	uint64_t bandwidth_bps; /* per direction, 1..10^12 */
	uint64_t delay_ns;	/* propagation, 0..10^9 */
	uint32_t queue;		/* packets waiting for the line, 1..65536 */
	uint32_t slots;		/* ring size of its two switch ports */
	uint32_t line;
	char sw_ref[2][SIM_NAME_MAX];
};

struct sim_scenario {
	char name[64];
	char source[SIM_PATH_MAX]; /* file name, or "<embedded default>" */
	uint64_t seed;
	uint64_t max_time_us; /* 0: until every packet is accounted for */
	uint32_t buf_size;    /* netmap buffer size, 64..65536, multiple of 64 */
	/* sim: how actors run (docs/simulator.md, "Concurrent actors").
	 * model: step (a body is one event) or concurrent (the default);
	 * quantum_ns: how
	 * far past the next event a concurrent actor runs on (0: exact). */
	bool concurrent;
	uint64_t quantum_ns;
	/* sim.stranded: a sleeper found with work and no notification on its
	 * way fails the run at once (false: "fail", the default), or is
	 * measured as stranded time and fails only if still stranded when
	 * the run ends (true: "measure"; a late wake-up loses nothing). */
	bool stranded_measure;
	/* sim.memory: 0 sc (the default), 1 tso, 2 arm (enum sim_memory,
	 * sim/machine/sim_wmem.h); sim.store_visibility_ns: how long a
	 * buffered store may stay invisible to other actors. */
	uint32_t memory;
	uint64_t store_visibility_ns;
	struct sim_sc_trace trace;
	struct sim_costs costs;
	uint32_t nhosts, nswitches, nendpoints, nlinks;
	struct sim_sc_host hosts[SIM_MAX_HOSTS];
	struct sim_sc_switch switches[SIM_MAX_SWITCHES];
	struct sim_sc_endpoint endpoints[SIM_MAX_ENDPOINTS];
	struct sim_sc_link links[SIM_MAX_LINKS];
};

#endif /* SIM_CONFIG_H */
