/*
 * sim_switch.h - the simulator's adapter to the core's software switches:
 * a VALE switch (core/vale_*.c) or a netmap pipe (core/nm_pipe.c).
 *
 * Owns: the ports of a scenario switch, one per endpoint, each opened
 * through nm_port_open() (a VALE switch joins any number of them, up to
 * the core's VALE_MAX_PORTS, links' ports included; a pipe exactly its two
 * ends), the learning phase of a
 * many-port VALE switch (each receiver's port transmits one frame before
 * time 0, so the core's learning bridge knows every receiver), telling
 * whether a port has work its kring has not imported yet (for the
 * no-lost-notification check), the lease invariant of every VALE RX ring,
 * and reading the core's per-port counters.  Forwarding itself is entirely
 * the core's: the actors call nm_kring_sync() or csb_host_step() on the
 * port's krings and the core does the rest.  The switch names the lock
 * classes it knows (nm_sim_lock_name(): "vale.rx_ring", "buf_pool") and
 * watches every VALE RX ring's leases (sim_lease.h).
 */
#ifndef SIM_SWITCH_H
#define SIM_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_port.h"
#include "sim_config.h"
#include "sim_lease.h"
#include "sim_tap.h"
#include "vale.h"

/* The MAC of the receiver of rank k on a learning switch (02:00:00:00:00:
 * 02+k; rank 0 is the built-in trace's default destination). */
#define SIM_RX_MAC_BASE 2U

/* One port of a scenario switch: an endpoint's or a link's. */
struct sim_swport {
	struct nm_port *p;
	enum sim_role role;	 /* sender: uses TX; receiver: RX; link: both */
	uint32_t ep;		 /* endpoint index (link: UINT32_MAX) */
	uint32_t rank;		 /* receivers: 0.. in their network's endpoint
				  * order (set by the builder) */
	/* A link port on a learning switch: the ranks of the receivers
	 * beyond the link (bit per rank), learnt on this port. */
	uint64_t reach[(VALE_MAX_PORTS + 63) / 64];
	uint64_t learn_frames;	 /* learning frames it transmitted */
	uint64_t charged_pkts;	 /* sender, link: forwarded packets charged */
	uint64_t inline_pkts;	 /* ... of them charged as they were taken */
	uint64_t drops_base;	 /* drops counted by the learning phase */
	/* Its RX side's segmentation work charged so far: frames beyond
	 * each packet's first, and checksummed bytes (core counters). */
	uint64_t charged_seg, charged_csum;
	/* VALE: the leases and lock contention of its RX ring (NULL: pipe). */
	struct sim_lease_watch *lease;
};

struct sim_switch {
	enum sim_switch_type type;
	uint32_t idx;
	char name[SIM_NAME_MAX];
	uint32_t nports, nreceivers;
	struct sim_swport port[VALE_MAX_PORTS]; /* endpoints' and links' */
	bool learned;		 /* the learning phase ran */
	uint64_t learn_drops;	 /* the learning frames (dropped by the core) */
	/* Its endpoints' taps when they use backend tap (sim_tap.h): the
	 * host bridge stands in for the VALE switch; NULL otherwise. */
	struct sim_tap_bridge *tap;
};

/* Open the port of endpoint ep_name (index ep) with this role, ring size
 * and buffer size (the scenario's buf_size: every copy into the port's
 * buffers is bounded by it); *slot gets its index in sw->port.  0, or -errno with one line.
 * SIM_ROLE_LINK: the port "vale<i>:<ep_name>.link" of link ep_name (its
 * RX ring feeds the link, its TX ring takes what the link delivers). */
int sim_switch_open_port(struct sim_switch *sw, struct nm_registry *reg,
			 const char *ep_name, uint32_t ep, enum sim_role role,
			 uint32_t slots, uint32_t buf_size, uint32_t *slot,
			 char *err, size_t errlen);
/* The same with extra_bufs spare buffers in a VALE port's region, for its
 * zero-copy monitors (nm_port_open_spare()). */
int sim_switch_open_port_spare(struct sim_switch *sw, struct nm_registry *reg,
			       const char *ep_name, uint32_t ep,
			       enum sim_role role, uint32_t slots,
			       uint32_t buf_size, uint32_t extra_bufs,
			       uint32_t *slot, char *err, size_t errlen);
void sim_switch_close(struct sim_switch *sw);

/*
 * [control path, before time 0] Give VALE port slot a virtio-net header
 * of len bytes (0, 10 or 12) the way an application does: a
 * NETMAP_REQ_PORT_HDR_SET request in "user memory", copied in and checked
 * by the core's nm_ctrl_decode() and run by vale_port_set_vnet_hdr(), as
 * the module's NIOCCTRL does; then read back with PORT_HDR_GET.  0, or
 * -errno with one line.  Uses (and then resets) the backend's user ranges
 * (nm_sim_user_add()), which nothing else holds while a world is built.
 */
int sim_switch_set_vnet_hdr(struct sim_switch *sw, struct nm_registry *reg,
			    uint32_t slot, uint32_t len, char *err, size_t errlen);

/* Does this switch need the learning phase (VALE, more than two ports)? */
bool sim_switch_is_learning(const struct sim_switch *sw);

/*
 * The learning phase (control path, before time 0): on a VALE switch with
 * more than two ports (links' included), each receiver's port transmits
 * one frame from and to its own MAC (rank MAC), and each link port one
 * for every rank in its reach (the receivers beyond the link); the core's
 * bridge learns the source and drops the frame as addressed to its own
 * port (VALE_DROP_SELF, not counted as a trace drop).  0, or -EPROTO with
 * one line if the core did not learn.
 */
int sim_switch_learn(struct sim_switch *sw, char *err, size_t errlen);

/* The kring the endpoint on port slot uses (TX for a sender, RX for a
 * receiver). */
struct nm_kring *sim_switch_kring(const struct sim_switch *sw, uint32_t slot);

/*
 * After any sync of one of the switch's port krings: charge the running
 * actor the per-packet switch work (SIM_C_SWITCH_PKT, VALE only) for the
 * packets the core forwarded since the last call from any sender port,
 * read from the core's own counters (only the running actor forwards
 * between two calls).  The core's loads, stores, locks and copies are
 * already counted step by step; this is the lookup and queueing around
 * them.  The same for the offload work the core did for any port since
 * the last such charge (vale_offload.c): SIM_C_SEG_FRAME per frame beyond
 * a segmented packet's first and SIM_C_CSUM_BYTE per byte summed; through
 * sim_switch_fwd_end() only a forwarding (TX) sync takes that work, since
 * under the concurrent model a receiver's sync may end between a
 * sender's forwarding and its charge.  Two senders forwarding into one
 * port at once may take each other's share; the total is exact.
 */
void sim_switch_charge(struct sim_switch *sw);

/*
 * Around a sync of kring kr (a port of sw) by actor a: begin arms a so that,
 * under the concurrent model, each packet the core takes from a VALE TX
 * ring is charged its SIM_C_SWITCH_PKT where it is taken (sim_actor_fwd_on()),
 * before its copy and the publication of its lease, as on a real CPU; end
 * disarms a and calls sim_switch_charge(), which charges only what was not
 * charged so (all of it under the step model).
 */
struct sim_actor;
void sim_switch_fwd_begin(struct sim_switch *sw, const struct nm_kring *kr,
			  struct sim_actor *a);
void sim_switch_fwd_end(struct sim_switch *sw, struct sim_actor *a);

/* Has the switch published work for port slot's kring that its next sync
 * would import (packets for a receiver, released slots for a sender)? */
bool sim_switch_pending(const struct sim_switch *sw, uint32_t slot);

/* Lease invariant on every RX ring of the switch (VALE only; true
 * otherwise); *checked += rings checked.  On failure, *what says which
 * part and *bad which port slot. */
bool sim_switch_lease_ok(const struct sim_switch *sw, uint64_t *checked,
			 uint32_t *bad, const char **what);

/* Trace packets the core dropped at this switch (every reason, counted at
 * the source port, learning frames excluded), and the RX-ring-full reason
 * alone. */
uint64_t sim_switch_drops(const struct sim_switch *sw);
uint64_t sim_switch_drops_rx_full(const struct sim_switch *sw);
/* Trace packets the core dropped at this switch for reason r (learning
 * frames excluded: they are VALE_DROP_SELF drops of the learning phase). */
uint64_t sim_switch_drops_reason(const struct sim_switch *sw,
				 enum vale_drop_reason r);

/* Per port (VALE; 0 for a pipe): packets taken from its TX ring, delivered
 * into its RX ring, dropped with it as the source (learning frames
 * excluded), and of those dropped because the destination RX ring was full. */
struct sim_swport_stats {
	uint64_t tx_pkts, rx_pkts, drops, drops_rx_full;
};
void sim_switch_port_stats(const struct sim_switch *sw, uint32_t slot,
			   struct sim_swport_stats *st);

#endif /* SIM_SWITCH_H */
