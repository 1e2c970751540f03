/*
 * sim_scenario_backend.c - the checks of the VMM backends (backend,
 * txqueuelen, more_hint, indirect: dev/sim_dev_backend.c) over a whole
 * scenario, made when a run is built (sim_scenario.h).
 *
 * An endpoint's backend keys must go together (sim_dev_backend_check()).
 * A switch with an endpoint on backend tap is a host bridge joining taps:
 * every endpoint on it uses backend tap (a netmap port, a host process or
 * a ptnet guest has no tap to join it), it is declared type vale (the
 * bridge stands where a VALE switch would; a pipe has no bridge) and no
 * link reaches it (links join VALE switches' ports).
 */
#include <errno.h>
#include <stdio.h>

#include "sim_dev.h"
#include "sim_scenario.h"

static int sim_scenario_backend_fail(const struct sim_scenario *sc, uint32_t line,
				     const char *msg, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: %s", sc->source, line, msg);
	return -EINVAL;
}

int sim_scenario_check_backends(const struct sim_scenario *sc, char *err,
				size_t errlen)
{
	const struct sim_sc_endpoint *ep, *tap, *other;
	uint32_t i, s, links;
	const char *key;
	char msg[320];

	for (i = 0; i < sc->nendpoints; i++) {
		ep = &sc->endpoints[i];
		if (sim_dev_backend_check(ep, &key, msg, sizeof(msg)) != 0)
			return sim_scenario_backend_fail(sc, ep->line, msg, err, errlen);
	}
	for (s = 0; s < sc->nswitches; s++) {
		tap = other = NULL;
		for (i = 0; i < sc->nendpoints; i++) {
			ep = &sc->endpoints[i];
			if (ep->sw != s)
				continue;
			if (ep->backend == SIM_BACKEND_TAP) {
				if (tap == NULL)
					tap = ep;
			} else if (other == NULL) {
				other = ep;
			}
		}
		if (tap == NULL)
			continue;
		for (i = 0, links = 0; i < sc->nlinks; i++)
			links += (sc->links[i].sw[0] == s) + (sc->links[i].sw[1] == s);
		if (other != NULL)
			snprintf(msg, sizeof(msg),
				 "switch %s: endpoint %s uses backend tap and endpoint %s does not (expected every endpoint of a switch with a tap on backend tap: the host bridge joins taps only)",
				 sc->switches[s].name, tap->name, other->name);
		else if (sc->switches[s].type != SIM_SW_VALE)
			snprintf(msg, sizeof(msg),
				 "switch %s: endpoint %s uses backend tap on a pipe (expected type: vale, where the host bridge stands)",
				 sc->switches[s].name, tap->name);
		else if (links != 0)
			snprintf(msg, sizeof(msg),
				 "switch %s: endpoint %s uses backend tap and %u link ports reach the switch (expected no links: they join VALE switches of netmap ports)",
				 sc->switches[s].name, tap->name, links);
		else
			continue;
		return sim_scenario_backend_fail(sc, other != NULL ? other->line
								   : sc->switches[s].line,
						 msg, err, errlen);
	}
	return 0;
}
