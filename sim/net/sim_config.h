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
/* A CSB receiver's first step: a sync (pkt-gen), or a wait for its first
 * interrupt, relying on the CSB's initial appl_need_kick = 1. */
enum sim_rx_start { SIM_RX_START_SYNC, SIM_RX_START_IRQ };
/* What the VMM's device backend (e1000, virtio) reaches the host through:
 * a port of the scenario's VALE switch, or a tap device on a host bridge
 * standing in its place (net/sim_tap.h). */
enum sim_backend { SIM_BACKEND_NETMAP, SIM_BACKEND_TAP };
enum sim_rx_stack { SIM_RX_STACK_NETMAP, SIM_RX_STACK_NAPI };

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

/* A monitor of an endpoint's port (sim/world/sim_monitor.h;
 * docs/monitors.md): its directions, copy or zero-copy, its capture. */
#define SIM_MAX_MONITORS 4   /* per endpoint */
#define SIM_MON_PCAP_MAX 256 /* bytes of its pcap: name, with the NUL */
enum sim_mon_mode { SIM_MON_COPY, SIM_MON_ZCOPY };
struct sim_sc_monitor {
	bool tx, rx;		/* rings: tx, rx or both */
	enum sim_mon_mode mode;
	uint32_t slots;		/* its RX rings' size; 0: the port's */
	char pcap[SIM_MON_PCAP_MAX]; /* empty: none; relative: under
					--pcap-out (none without it) */
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
	/* xen: the accelerator plugin beside netfront/netback
	 * (sim_dev_xen_accel.c): enum sim_xen_accel (0: off), when it is
	 * withdrawn and restored (us, 0: never), enum sim_xen_accel_switch. */
	uint32_t accel;
	uint32_t accel_withdraw_us, accel_restore_us;
	uint32_t accel_switch;
	uint32_t kloop;		/* enum sim_kloop_mode: ptnet, xen fast path */
	uint32_t rx_start;	/* enum sim_rx_start: ptnet, xen fast path */
	/* virtio receiver: the guest's receive stack (dev/sim_guest_stack.h):
	 * the app on the ring (netmap), or NAPI, a socket queue and recv(). */
	uint32_t rx_stack;	/* enum sim_rx_stack */
	uint32_t napi_budget;	/* packets per poll */
	uint32_t sockq_packets; /* the socket queue's bound */
	uint32_t softirq_ns;	/* the softirq's work per packet */
	uint32_t consumer_ns;	/* recv()'s work per packet beyond the syscall */
	bool napi_yield;	/* the poll defers while the socket queue is full */
	/* Host CPUs (index < the host's cpus), or SIM_CPU_OWN. */
	uint32_t cpu;		/* the application (a guest's vCPU) */
	uint32_t kloop_cpu;	/* ptnet, xen fast path: the kloop thread */
	uint32_t backend_cpu;	/* e1000, virtio, xen: the VMM/vhost/netback thread */
	/* ptnet: the virtio-net header of its VALE port (an index: 0, 10
	 * or 12 bytes, sim_ep_vnet_hdr_len()), its offloads (SIM_OFF_*
	 * bits, sim_vnet.h) and the MTU of its guest interface. */
	uint32_t vnet_hdr;
	uint32_t offloads;
	uint32_t mtu;
	/* e1000, virtio: the VMM's backend (docs/simulator.md, "Backends"). */
	uint32_t backend;	/* enum sim_backend */
	uint32_t txqueuelen;	/* tap: packets its queue holds */
	bool more_hint;		/* netmap: defer the txsync while more come */
	bool indirect;		/* netmap: NS_INDIRECT, no copy by the VMM */
	uint32_t line;
	char host_ref[SIM_NAME_MAX], sw_ref[SIM_NAME_MAX];
	uint32_t nmonitors;
	struct sim_sc_monitor monitors[SIM_MAX_MONITORS];
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
