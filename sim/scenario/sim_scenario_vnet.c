/*
 * sim_scenario_vnet.c - the rules of the virtio-net header keys (vnet_hdr,
 * offloads, mtu: docs/simulator.md, "Offloads").
 *
 * Owns: the rules an endpoint's keys obey each on its own, checked with
 * every key and override (sim_sc_validate_vnet(): GSO offloads need csum,
 * a header needs a VALE switch), and the rules between keys and between
 * endpoints, checked once every override is in
 * (sim_scenario_check_offloads(): offloads and an MTU need a header, a
 * header a VALE port (backend netmap), a receiver with a header declares
 * its senders' offloads, a stock receive
 * stack that may drop a segment gathers none), since an override is
 * checked on its own and a change of two keys takes two.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim_scenario_impl.h"
#include "sim_vnet.h"

/* The line of endpoint i's device key name, or its own line. */
static uint32_t sim_sc_key_line(const struct sim_sc_ctx *c, uint32_t i,
				const char *name)
{
	uint32_t id, l;

	if (sim_dev_key_find(name, &id) == NULL)
		return c->sc->endpoints[i].line;
	l = c->opt_line[i][id];
	return l == 0 ? c->sc->endpoints[i].line : l == UINT32_MAX ? 0 : l;
}

/* Endpoint i's virtio-net header keys, each on its own (sim_vnet.h):
 * GSO offloads only with csum (virtio requires it), a header only on a
 * VALE port (a pipe's ends have none).  The rules between keys are
 * sim_scenario_check_offloads()'s, once every override is in. */
int sim_sc_validate_vnet(struct sim_sc_ctx *c, uint32_t i)
{
	const struct sim_sc_endpoint *ep = &c->sc->endpoints[i];
	const struct sim_dev_key *k = &sim_dev_key_offloads;
	char buf[64];

	if (!sim_dev_accepts(ep, &sim_dev_key_vnet_hdr))
		return 0;
	if ((ep->offloads & ~SIM_OFF_CSUM) != 0 && !(ep->offloads & SIM_OFF_CSUM))
		return sim_sc_fail(c, sim_sc_key_line(c, i, "offloads"),
				   "endpoint %s: offloads %s without csum (expected csum too: virtio's GSO features require it)",
				   ep->name, sim_dev_flags_name(k, ep->offloads, buf, sizeof(buf)));
	if (ep->vnet_hdr != 0 && c->sc->switches[ep->sw].type != SIM_SW_VALE)
		return sim_sc_fail(c, sim_sc_key_line(c, i, "vnet_hdr"),
				   "endpoint %s: vnet_hdr %u on pipe %s (expected a VALE switch: a pipe's ends have no header)",
				   ep->name, sim_dev_vnet_hdr_len(ep), c->sc->switches[ep->sw].name);
	return 0;
}

int sim_scenario_check_offloads(const struct sim_scenario *sc, char *err,
				size_t errlen)
{
	const struct sim_sc_endpoint *r, *s;
	const struct sim_dev_key *k = &sim_dev_key_offloads;
	uint32_t i, j, miss;
	char buf[64];

	for (i = 0; i < sc->nendpoints; i++) {
		r = &sc->endpoints[i];
		if (r->vnet_hdr == 0 && r->offloads != 0) {
			snprintf(err, errlen, "%s:%u: endpoint %s: offloads %s without a virtio-net header (expected vnet_hdr: 10 or 12)",
				 sc->source, r->line, r->name,
				 sim_dev_flags_name(k, r->offloads, buf, sizeof(buf)));
			return -EINVAL;
		}
		if (r->vnet_hdr != 0 && r->backend != SIM_BACKEND_NETMAP) {
			snprintf(err, errlen, "%s:%u: endpoint %s: vnet_hdr %u with backend tap (expected backend netmap: the header is set on the VALE port, which a tap backend does not use)",
				 sc->source, r->line, r->name, sim_dev_vnet_hdr_len(r));
			return -EINVAL;
		}
		if (r->vnet_hdr == 0 && r->mtu != sim_dev_key_mtu.def) {
			snprintf(err, errlen, "%s:%u: endpoint %s: mtu %u without a virtio-net header (expected vnet_hdr: 10 or 12; a port without one has no MTU here)",
				 sc->source, r->line, r->name, r->mtu);
			return -EINVAL;
		}
		/* A receiver without a header gathers the segments the
		 * switch cuts from a GSO sender's frames (sim_app.c): a
		 * stock stack's socket queue that drops one of them
		 * (rx_stack: napi without napi_yield) leaves its packet
		 * incomplete, so only the yielding poll, which leaves the
		 * excess on the ring for the switch to drop whole, may. */
		if (r->role == SIM_ROLE_RECEIVER && r->vnet_hdr == 0 &&
		    r->rx_stack == SIM_RX_STACK_NAPI && !r->napi_yield) {
			for (j = 0; j < sc->nendpoints; j++) {
				s = &sc->endpoints[j];
				if (s->role == SIM_ROLE_SENDER && s->vnet_hdr != 0 &&
				    (s->offloads & SIM_OFF_GSO) != 0)
					break;
			}
			if (j < sc->nendpoints) {
				snprintf(err, errlen, "%s:%u: endpoint %s: rx_stack napi without a virtio-net header gets sender %s's GSO frames as segments (expected vnet_hdr: 10 or 12, or napi_yield: true: a segment its socket queue drops would leave a packet incomplete)",
					 sc->source, r->line, r->name, s->name);
				return -EINVAL;
			}
		}
		/* A receiver with a header gets every sender's header whole
		 * from the switch (the core passes it): its offloads must
		 * cover theirs. */
		if (r->role != SIM_ROLE_RECEIVER || r->vnet_hdr == 0)
			continue;
		for (j = 0; j < sc->nendpoints; j++) {
			s = &sc->endpoints[j];
			if (s->role != SIM_ROLE_SENDER || s->sw != r->sw || s->vnet_hdr == 0)
				continue;
			miss = s->offloads & ~r->offloads;
			if (miss != 0) {
				snprintf(err, errlen, "%s:%u: endpoint %s: sender %s's offloads include %s, which it lacks (expected offloads covering them: the switch passes headers whole between ports that have one)",
					 sc->source, r->line, r->name, s->name,
					 sim_dev_flags_name(k, miss, buf, sizeof(buf)));
				return -EINVAL;
			}
		}
	}
	return 0;
}
