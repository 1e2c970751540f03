/*
 * sim_scenario_check.c - the scenario's cross-checks, once every key is
 * read (sim_sc_validate()): device keys against their devices, receive
 * stacks, CPUs, links and the topology, jitter; each failure is one line
 * naming the endpoint, link or key, with the line it came from.
 *
 * Ranges of single values are checked where they are read
 * (sim_scenario.c, sim_scenario_value.c); what needs two keys or the
 * whole scenario is checked here, after the file and every --set.
 */
#include "sim_scenario.h"
#include "vale.h"

#include "sim_dev_xen_accel.h"
#include "sim_guest_stack.h"
#include "sim_scenario_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Endpoint i's device keys: each set one accepted by its device (a thread
 * key by its model: xen runs a kloop only with fast_path, else netback
 * moves the frames).  In table order, so the first bad key is named. */
static int sim_sc_validate_dev_keys(struct sim_sc_ctx *c, uint32_t i)
{
	const struct sim_sc_endpoint *ep = &c->sc->endpoints[i];
	const struct sim_dev_desc *d = sim_dev_table[ep->device];
	const struct sim_dev_key *k;
	char devs[256];
	uint32_t id, l;

	for (id = 0; (k = sim_dev_key_at(id)) != NULL; id++) {
		l = c->opt_line[i][id];
		if (l == 0 || sim_dev_accepts(ep, k))
			continue;
		sim_dev_accepting(k, devs, sizeof(devs));
		return sim_sc_fail(c, l == UINT32_MAX ? 0 : l,
				   "endpoint %s: %s applies to device %s only (this one is %s%s%s)",
				   ep->name, k->name, devs, d->name,
				   k->thread == 0 || d->alt_key == NULL ? ""
				   : sim_dev_key_get(ep, d->alt_key) ? " with "
								     : " without ",
				   k->thread == 0 || d->alt_key == NULL ? "" : d->alt_key->name);
	}
	return 0;
}

/* Endpoint i's receive stack: napi on a receiver only, and the keys that
 * tune it only with it (set otherwise they would be silently ignored);
 * rx_start irq on a receiver only (a sender has nothing to wait for). */
static int sim_sc_validate_stack(struct sim_sc_ctx *c, uint32_t i)
{
	const struct sim_sc_endpoint *ep = &c->sc->endpoints[i];
	const struct sim_dev_key *k;
	uint32_t id, j, l;

	if (ep->rx_stack == SIM_RX_STACK_NAPI && ep->role != SIM_ROLE_RECEIVER) {
		(void)sim_dev_key_find(sim_stack_key_rx_stack.name, &id);
		l = c->opt_line[i][id];
		return sim_sc_fail(c, l == UINT32_MAX ? 0 : l,
				   "endpoint %s: rx_stack napi on a sender (expected rx_stack: napi on a receiver only)",
				   ep->name);
	}
	if (ep->rx_start == SIM_RX_START_IRQ && ep->role != SIM_ROLE_RECEIVER) {
		(void)sim_dev_key_find("rx_start", &id);
		l = c->opt_line[i][id];
		return sim_sc_fail(c, l == UINT32_MAX ? 0 : l,
				   "endpoint %s: rx_start irq on a sender (expected rx_start: irq on a receiver only)",
				   ep->name);
	}
	if (ep->rx_stack == SIM_RX_STACK_NAPI)
		return 0;
	for (j = 0; (k = sim_stack_napi_keys[j]) != NULL; j++) {
		(void)sim_dev_key_find(k->name, &id);
		l = c->opt_line[i][id];
		if (l != 0)
			return sim_sc_fail(c, l == UINT32_MAX ? 0 : l,
					   "endpoint %s: %s without rx_stack: napi (expected rx_stack: napi on this endpoint, or no %s)",
					   ep->name, k->name, k->name);
	}
	return 0;
}

/* Endpoint i's pinned CPUs: each below its host's cpus. */
static int sim_sc_validate_cpus(struct sim_sc_ctx *c, uint32_t i)
{
	const struct sim_scenario *sc = c->sc;
	const struct sim_sc_endpoint *ep = &sc->endpoints[i];
	static const char *const key[3] = { "cpu", "kloop_cpu", "backend_cpu" };
	uint32_t cpu[3] = { ep->cpu, ep->kloop_cpu, ep->backend_cpu }, k;
	const struct sim_sc_host *h;

	for (k = 0; k < 3; k++) {
		if (cpu[k] == SIM_CPU_OWN)
			continue;
		if (sc->nhosts == 0)
			return sim_sc_fail(c, ep->line, "endpoint %s: %s %u but no hosts (expected hosts: [{name: ..., cpus: N}])",
					   ep->name, key[k], cpu[k]);
		h = &sc->hosts[ep->host];
		if (h->cpus == 0)
			return sim_sc_fail(c, ep->line, "endpoint %s: %s %u but host %s declares no cpus (expected cpus: N on host %s)",
					   ep->name, key[k], cpu[k], h->name, h->name);
		if (cpu[k] >= h->cpus)
			return sim_sc_fail(c, ep->line, "endpoint %s: %s %u is not below host %s's cpus %u (expected 0..%d)",
					   ep->name, key[k], cpu[k], h->name, h->cpus,
					   (int)h->cpus - 1);
	}
	return 0;
}

/* The switch link l names as its end (0 from, 1 to), or an error. */
static int sim_sc_link_end(struct sim_sc_ctx *c, struct sim_sc_link *l,
			   uint32_t end)
{
	const struct sim_scenario *sc = c->sc;
	const char *key = end == 0 ? "from" : "to";
	uint32_t j;

	if (l->sw_ref[end][0] == '\0')
		return sim_sc_fail(c, l->line, "link %s: no '%s' switch (expected %s: NAME)",
				   l->name, key, key);
	for (j = 0; j < sc->nswitches && strcmp(sc->switches[j].name, l->sw_ref[end]); j++)
		;
	if (j == sc->nswitches)
		return sim_sc_fail(c, l->line, "link %s: switch '%s' is not defined (expected a name under switches:)",
				   l->name, l->sw_ref[end]);
	if (sc->switches[j].type != SIM_SW_VALE)
		return sim_sc_fail(c, l->line, "link %s: switch '%s' is a pipe (expected a VALE switch: a pipe has only its two ends)",
				   l->name, l->sw_ref[end]);
	l->sw[end] = j;
	return 0;
}

/*
 * Links: names, ends, no link from a switch to itself, no loop (the links
 * form a forest: one path between two switches, which flooding and
 * learning need); nlinks[s] counts the link ports of switch s.  Then each
 * sender on a switch with a link must have a receiver in its network.
 */
static int sim_sc_validate_links(struct sim_sc_ctx *c, uint32_t *nlinks)
{
	struct sim_scenario *sc = c->sc;
	const struct sim_sc_endpoint *ep;
	struct sim_sc_link *l;
	uint32_t i, j, n;

	for (i = 0; i < sc->nlinks; i++) {
		l = &sc->links[i];
		if (l->name[0] == '\0')
			return sim_sc_fail(c, l->line, "links: entry without a name (expected name: ...)");
		for (j = 0; j < i; j++)
			if (!strcmp(l->name, sc->links[j].name))
				return sim_sc_fail(c, l->line, "links: duplicate name '%s'", l->name);
		if (sim_sc_link_end(c, l, 0) != 0 || sim_sc_link_end(c, l, 1) != 0)
			return -EINVAL;
		if (l->sw[0] == l->sw[1])
			return sim_sc_fail(c, l->line, "link %s: from and to are both switch %s (expected two different switches)",
					   l->name, sc->switches[l->sw[0]].name);
		nlinks[l->sw[0]]++;
		nlinks[l->sw[1]]++;
	}
	for (i = 0; i < sc->nlinks; i++) {
		l = &sc->links[i];
		/* Without link i its ends are still joined: a loop. */
		if ((sim_scenario_beyond(sc, i, 1) >> l->sw[1]) & 1)
			return sim_sc_fail(c, l->line, "link %s: closes a loop between switches %s and %s (expected links that form no loop: a frame has one way)",
					   l->name, sc->switches[l->sw[0]].name,
					   sc->switches[l->sw[1]].name);
	}
	for (i = 0; i < sc->nendpoints; i++) {
		ep = &sc->endpoints[i];
		if (ep->role != SIM_ROLE_SENDER || nlinks[ep->sw] == 0)
			continue;
		n = sim_scenario_receivers_in(sc, sim_scenario_component(sc, ep->sw),
					      UINT32_MAX);
		if (n == 0)
			return sim_sc_fail(c, ep->line, "endpoint %s: no receiver on the switches its links join (expected a receiver at the end of a sender's links)",
					   ep->name);
	}
	return 0;
}

/* A jitter parameter belongs to a distribution that takes it: sd to
 * normal, width to uniform (each has a default: sim_cost.h). */
static int sim_sc_validate_jitter(struct sim_sc_ctx *c)
{
	const struct sim_jitter *j;
	const char *pname;
	int id;

	for (id = 0; id < SIM_C_COUNT; id++) {
		j = &c->sc->costs.jitter[id];
		if (j->param == 0)
			continue;
		pname = j->param == 's' ? "sd" : "width";
		if (j->dist == SIM_JITTER_NONE)
			return sim_sc_fail(c, j->line, "costs.jitter.%s: %s without dist (expected dist: %s first)",
					   sim_cost_info[id].name, pname,
					   j->param == 's' ? "normal" : "uniform");
		if ((j->param == 's') != (j->dist == SIM_JITTER_NORMAL) ||
		    (j->param == 'w') != (j->dist == SIM_JITTER_UNIFORM))
			return sim_sc_fail(c, j->line, "costs.jitter.%s: dist %s does not take %s (normal takes sd, uniform takes width, exp nothing)",
					   sim_cost_info[id].name, sim_jitter_names[j->dist], pname);
	}
	return 0;
}

int sim_sc_validate(struct sim_sc_ctx *c)
{
	struct sim_scenario *sc = c->sc;
	uint32_t i, j, senders, receivers, ports, ranks = 0, ranks_sw = 0;
	uint32_t nlinks[SIM_MAX_SWITCHES] = { 0 };
	struct sim_sc_endpoint *ep;
	char msg[256];

	for (i = 0; i < sc->nhosts; i++) {
		if (sc->hosts[i].name[0] == '\0')
			return sim_sc_fail(c, sc->hosts[i].line, "hosts: entry without a name (expected name: ...)");
		for (j = 0; j < i; j++)
			if (!strcmp(sc->hosts[i].name, sc->hosts[j].name))
				return sim_sc_fail(c, sc->hosts[i].line, "hosts: duplicate name '%s'",
						   sc->hosts[i].name);
	}
	for (i = 0; i < sc->nswitches; i++) {
		if (sc->switches[i].name[0] == '\0')
			return sim_sc_fail(c, sc->switches[i].line, "switches: entry without a name (expected name: ...)");
		for (j = 0; j < i; j++)
			if (!strcmp(sc->switches[i].name, sc->switches[j].name))
				return sim_sc_fail(c, sc->switches[i].line, "switches: duplicate name '%s'",
						   sc->switches[i].name);
	}
	if (sc->nswitches == 0)
		return sim_sc_fail(c, 1, "no switches (expected at least one under switches:)");
	if (sim_sc_validate_jitter(c) != 0)
		return -EINVAL;
	for (i = 0; i < sc->nendpoints; i++) {
		ep = &sc->endpoints[i];
		if (ep->name[0] == '\0')
			return sim_sc_fail(c, ep->line, "endpoints: entry without a name (expected name: ...)");
		for (j = 0; j < i; j++)
			if (!strcmp(ep->name, sc->endpoints[j].name))
				return sim_sc_fail(c, ep->line, "endpoints: duplicate name '%s'", ep->name);
		if (ep->sw_ref[0] == '\0')
			return sim_sc_fail(c, ep->line, "endpoint %s: no switch (expected switch: NAME)", ep->name);
		for (j = 0; j < sc->nswitches && strcmp(sc->switches[j].name, ep->sw_ref); j++)
			;
		if (j == sc->nswitches)
			return sim_sc_fail(c, ep->line, "endpoint %s: switch '%s' is not defined (expected a name under switches:)",
					   ep->name, ep->sw_ref);
		ep->sw = j;
		ep->host = 0;
		if (ep->host_ref[0] != '\0') {
			for (j = 0; j < sc->nhosts && strcmp(sc->hosts[j].name, ep->host_ref); j++)
				;
			if (j == sc->nhosts)
				return sim_sc_fail(c, ep->line, "endpoint %s: host '%s' is not defined (expected a name under hosts:)",
						   ep->name, ep->host_ref);
			ep->host = j;
		}
		if (ep->batch >= ep->slots)
			return sim_sc_fail(c, ep->line, "endpoint %s: batch %u is not below slots %u (expected batch < slots)",
					   ep->name, ep->batch, ep->slots);
		if (sim_sc_validate_dev_keys(c, i) != 0)
			return -EINVAL;
		if (sim_sc_validate_vnet(c, i) != 0)
			return -EINVAL;
		if (sim_sc_validate_stack(c, i) != 0)
			return -EINVAL;
		if (sim_sc_validate_cpus(c, i) != 0)
			return -EINVAL;
		if (sim_xen_accel_check(ep, sc->switches[ep->sw].type, msg, sizeof(msg)) != 0)
			return sim_sc_fail(c, ep->line, "endpoint %s: %s", ep->name, msg);
		/* Monitors of pipe ends are not opened by name
		 * (docs/monitors.md); every VALE port's syncs run the taps,
		 * whoever drives them (nm_kring_sync_backend()). */
		if (ep->nmonitors != 0 && sc->switches[ep->sw].type != SIM_SW_VALE)
			return sim_sc_fail(c, ep->monitors[0].line, "endpoint %s: monitors on a pipe end (expected an endpoint on a VALE switch)",
					   ep->name);
	}

	if (sim_sc_validate_links(c, nlinks) != 0)
		return -EINVAL;
	for (i = 0; i < sc->nswitches; i++) {
		sim_scenario_switch_roles(sc, i, &senders, &receivers);
		ports = sim_scenario_ports(sc, i);
		if (ports > VALE_MAX_PORTS)
			return sim_sc_fail(c, sc->switches[i].line, "switch %s: %u endpoints and %u link ports (expected at most %u ports, the core's VALE limit)",
					   sc->switches[i].name, senders + receivers, nlinks[i],
					   VALE_MAX_PORTS);
		if (sc->switches[i].type == SIM_SW_PIPE && (senders != 1 || receivers != 1))
			return sim_sc_fail(c, sc->switches[i].line, "switch %s: a pipe with %u senders and %u receivers (expected exactly one of each: a pipe has two ends; use type: vale for more ports)",
					   sc->switches[i].name, senders, receivers);
		if (nlinks[i] == 0 && (senders == 0 || receivers == 0))
			return sim_sc_fail(c, sc->switches[i].line, "switch %s: %u senders and %u receivers (expected at least one of each)",
					   sc->switches[i].name, senders, receivers);
		/* The built-in trace addresses flow f to receiver rank f mod R
		 * in every network (switches joined by links) that learns: R
		 * must be the same in each.  Checked once per network, at its
		 * lowest switch. */
		if (sim_scenario_component(sc, i) & ((1U << i) - 1))
			continue;
		if (sim_scenario_learns(sc, sim_scenario_component(sc, i))) {
			receivers = sim_scenario_receivers_in(sc, sim_scenario_component(sc, i),
							      UINT32_MAX);
			if (ranks != 0 && receivers != ranks)
				return sim_sc_fail(c, sc->switches[i].line, "switch %s: its network has %u receivers, switch %s's has %u (expected the same number in every network with a VALE switch of more than two ports: flows are addressed by receiver rank)",
						   sc->switches[i].name, receivers,
						   sc->switches[ranks_sw].name, ranks);
			ranks = receivers;
			ranks_sw = i;
		}
	}
	if (sc->trace.mode == SIM_TRACE_TIMESTAMPS && sc->trace.file[0] == '\0' &&
	    sc->trace.gen_rate_pps == 0)
		return sim_sc_fail(c, sc->trace.line, "trace: mode timestamps with builtin_rate_pps 0 (expected a rate for the built-in timestamps)");
	return 0;
}
