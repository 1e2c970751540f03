/*
 * sim_scenario_topo.c - the shape of a scenario's network: which switches
 * links join (components), the receivers' ranks, and which side of a link
 * a switch is on, and how many senders and receivers each switch has.
 *
 * Switches joined by links form a forest (the reader refuses a loop), so
 * between two switches of a component there is exactly one path: a link
 * port on a learning switch learns every receiver beyond it, and a frame
 * addressed to a receiver's rank MAC reaches it by one way only.  Ranks
 * are per component, in endpoint order: a switch without links is a
 * component of its own, so its ranks are as before links could be shared.
 * All of this reads the scenario only (at most SIM_MAX_SWITCHES switches:
 * plain walks, no tables).
 */
#include "sim_scenario.h"

#include "vale.h"

/* Switches reachable from sw without crossing link skip (UINT32_MAX: none),
 * as a bit mask. */
static uint32_t sim_topo_reach(const struct sim_scenario *sc, uint32_t sw,
			       uint32_t skip)
{
	uint32_t seen = 1U << sw, grown = 1, k;
	const struct sim_sc_link *l;

	while (grown) {
		grown = 0;
		for (k = 0; k < sc->nlinks; k++) {
			l = &sc->links[k];
			if (k == skip)
				continue;
			if (((seen >> l->sw[0]) & 1) != ((seen >> l->sw[1]) & 1)) {
				seen |= 1U << l->sw[0] | 1U << l->sw[1];
				grown = 1;
			}
		}
	}
	return seen;
}

uint32_t sim_scenario_component(const struct sim_scenario *sc, uint32_t sw)
{
	return sim_topo_reach(sc, sw, UINT32_MAX);
}

uint32_t sim_scenario_ports(const struct sim_scenario *sc, uint32_t sw)
{
	uint32_t k, n = 0;

	for (k = 0; k < sc->nendpoints; k++)
		n += sc->endpoints[k].sw == sw;
	for (k = 0; k < sc->nlinks; k++)
		n += (sc->links[k].sw[0] == sw) + (sc->links[k].sw[1] == sw);
	return n;
}

uint32_t sim_scenario_receivers_in(const struct sim_scenario *sc, uint32_t mask,
				   uint32_t before)
{
	uint32_t k, n = 0;

	for (k = 0; k < sc->nendpoints && k < before; k++)
		n += sc->endpoints[k].role == SIM_ROLE_RECEIVER &&
		     ((mask >> sc->endpoints[k].sw) & 1);
	return n;
}

uint32_t sim_scenario_rx_rank(const struct sim_scenario *sc, uint32_t ep)
{
	return sim_scenario_receivers_in(sc, sim_scenario_component(sc, sc->endpoints[ep].sw),
					 ep);
}

bool sim_scenario_learns(const struct sim_scenario *sc, uint32_t mask)
{
	uint32_t i;

	for (i = 0; i < sc->nswitches; i++)
		if (((mask >> i) & 1) && sc->switches[i].type == SIM_SW_VALE &&
		    sim_scenario_ports(sc, i) > 2)
			return true;
	return false;
}

uint32_t sim_scenario_beyond(const struct sim_scenario *sc, uint32_t link,
			     uint32_t end)
{
	return sim_topo_reach(sc, sc->links[link].sw[1 - end], link);
}

void sim_scenario_switch_roles(const struct sim_scenario *sc, uint32_t sw,
			       uint32_t *senders, uint32_t *receivers)
{
	uint32_t j;

	*senders = *receivers = 0;
	for (j = 0; j < sc->nendpoints; j++) {
		if (sc->endpoints[j].sw != sw)
			continue;
		if (sc->endpoints[j].role == SIM_ROLE_SENDER)
			(*senders)++;
		else
			(*receivers)++;
	}
}
