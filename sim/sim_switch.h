/*
 * sim_switch.h - the simulator's adapter to the core's software switches:
 * a VALE switch (core/vale_*.c) or a netmap pipe (core/nm_pipe.c).
 *
 * Owns: opening the two ports of a scenario switch through nm_port_open()
 * (the sender's and the receiver's), telling whether a port has work its
 * kring has not imported yet (for the no-lost-notification check), the
 * lease invariant of VALE RX rings, and reading the core's drop counters.
 * Forwarding itself is entirely the core's: the actors call nm_kring_sync()
 * or csb_host_step() on the port's krings and the core does the rest.
 */
#ifndef SIM_SWITCH_H
#define SIM_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_port.h"
#include "sim_scenario.h"

struct sim_switch {
	enum sim_switch_type type;
	uint32_t idx;
	char name[SIM_NAME_MAX];
	struct nm_port *port[2]; /* [SIM_ROLE_SENDER], [SIM_ROLE_RECEIVER] */
	uint64_t charged_pkts;	 /* forwarded packets already charged */
};

/* Open the port of endpoint ep_name with this role and ring size.
 * 0, or -errno with one line in err. */
int sim_switch_open_port(struct sim_switch *sw, struct vale_registry *reg,
			 const char *ep_name, enum sim_role role,
			 uint32_t slots, char *err, size_t errlen);
void sim_switch_close(struct sim_switch *sw);

/* The kring an endpoint of this role uses (TX for a sender, RX for a receiver). */
struct nm_kring *sim_switch_kring(const struct sim_switch *sw,
				  enum sim_role role);

/*
 * After any sync of one of the switch's port krings: charge the running
 * actor the per-packet switch work (SIM_C_SWITCH_PKT, VALE only) for the
 * packets the core forwarded since the last call, read from the core's own
 * counters.  The core's loads, stores, locks and copies are already
 * counted step by step; this is the lookup and queueing around them.
 */
void sim_switch_charge(struct sim_switch *sw);

/* Has the switch published work for this role's kring that its next sync
 * would import (packets for a receiver, released slots for a sender)? */
bool sim_switch_pending(const struct sim_switch *sw, enum sim_role role);

/* Lease invariant on the receiver's RX ring (VALE only; true otherwise).
 * On failure, *what says which part. */
bool sim_switch_lease_ok(const struct sim_switch *sw, const char **what);

/* Packets the core dropped at this switch (every reason), and the count for
 * the RX-ring-full reason alone. */
uint64_t sim_switch_drops(const struct sim_switch *sw);
uint64_t sim_switch_drops_rx_full(const struct sim_switch *sw);

#endif /* SIM_SWITCH_H */
