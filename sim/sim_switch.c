/*
 * sim_switch.c - ports of VALE switches and pipes, opened by name through
 * the core (nm_port_open), as a netmap application would.
 *
 * Names: switch i of a scenario is the VALE switch "vale<i>" (ports
 * "vale<i>:<endpoint>")
 * or the pipe "simpipe<i>" (sender "simpipe<i>{0", receiver "simpipe<i>}0").
 */
#include "sim_switch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nm_pipe.h"
#include "sim_cost.h"
#include "vale.h"

int sim_switch_open_port(struct sim_switch *sw, struct vale_registry *reg,
			 const char *ep_name, enum sim_role role,
			 uint32_t slots, char *err, size_t errlen)
{
	struct nm_port_geom g = { 1, 1, slots, slots };
	char name[NETMAP_REQ_IFNAMSIZ];
	int rc;

	if (sw->type == SIM_SW_VALE)
		snprintf(name, sizeof(name), "vale%u:%s", sw->idx, ep_name);
	else
		snprintf(name, sizeof(name), "simpipe%u%c0", sw->idx,
			 role == SIM_ROLE_SENDER ? '{' : '}');
	rc = nm_port_open(reg, name, &g, &sw->port[role]);
	if (rc != 0) {
		snprintf(err, errlen, "switch %s: cannot open port %s: error %d",
			 sw->name, name, rc);
		return rc;
	}
	return 0;
}

void sim_switch_close(struct sim_switch *sw)
{
	int r;

	for (r = 0; r < 2; r++) {
		if (sw->port[r] != NULL)
			nm_port_close(sw->port[r]);
		sw->port[r] = NULL;
	}
}

struct nm_kring *sim_switch_kring(const struct sim_switch *sw,
				  enum sim_role role)
{
	return nm_port_kring(sw->port[role],
			     role == SIM_ROLE_SENDER ? NR_TX : NR_RX, 0);
}

void sim_switch_charge(struct sim_switch *sw)
{
	const struct vale_port *vp;
	uint64_t now;

	if (sw->type != SIM_SW_VALE)
		return;
	vp = (const struct vale_port *)sw->port[SIM_ROLE_SENDER];
	now = nm_os_counter_read(&vp->stats.tx_pkts);
	if (now > sw->charged_pkts)
		sim_cost_charge(SIM_C_SWITCH_PKT, now - sw->charged_pkts);
	sw->charged_pkts = now;
}

bool sim_switch_pending(const struct sim_switch *sw, enum sim_role role)
{
	const struct nm_port *p = sw->port[role];
	const struct nm_kring *kr = sim_switch_kring(sw, role);
	const struct vale_port *vp;
	const struct nm_pipe_end *pe;

	/* The simulator's omniscient view: plain reads, no counted steps. */
	if (p->kind == NM_PORT_VALE) {
		vp = (const struct vale_port *)p;
		if (role == SIM_ROLE_SENDER)
			return false; /* VALE TX is consumed within the sync */
		return vp->rx[0].ls.hwtail != kr->hwtail;
	}
	pe = (const struct nm_pipe_end *)p;
	if (role == SIM_ROLE_RECEIVER)
		return pe->rx[0].link->tx_pos != kr->hwtail;
	return nm_idx_prev(pe->tx[0].link->rx_pos, kr->num_slots) != kr->hwtail;
}

bool sim_switch_lease_ok(const struct sim_switch *sw, const char **what)
{
	const struct vale_port *vp;
	const struct vale_lease *ls;
	uint32_t n;

	if (sw->type != SIM_SW_VALE)
		return true;
	vp = (const struct vale_port *)sw->port[SIM_ROLE_RECEIVER];
	ls = &vp->rx[0].ls;
	n = ls->num_slots;
	if (ls->hwcur >= n || ls->hwtail >= n || ls->hwlease >= n) {
		*what = "lease index out of range";
		return false;
	}
	if (ls->hwtail != ls->hwlease) {
		*what = "a lease is open between steps (hwtail != hwlease)";
		return false;
	}
	if (vp->rx[0].kr.hwcur != ls->hwcur &&
	    nm_idx_dist(ls->hwcur, vp->rx[0].kr.hwcur, n) >
		    nm_idx_dist(ls->hwcur, ls->hwtail, n)) {
		*what = "receiver released slots beyond the lease tail";
		return false;
	}
	return true;
}

uint64_t sim_switch_drops(const struct sim_switch *sw)
{
	if (sw->type != SIM_SW_VALE)
		return 0; /* pipes apply back-pressure, never drop */
	return vale_port_drops_total((const struct vale_port *)sw->port[SIM_ROLE_SENDER]);
}

uint64_t sim_switch_drops_rx_full(const struct sim_switch *sw)
{
	if (sw->type != SIM_SW_VALE)
		return 0;
	return vale_port_drops((const struct vale_port *)sw->port[SIM_ROLE_SENDER],
			       VALE_DROP_RX_FULL);
}
