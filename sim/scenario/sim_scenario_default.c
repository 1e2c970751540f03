/*
 * sim_scenario_default.c - the scenario nmsim runs with no arguments:
 * two guests on one VALE switch through ptnet, replaying a built-in trace
 * of one million 60-byte UDP frames as fast as the path allows.  The host
 * kloops are notified (eventfd mode: the ptnetmap design, no dedicated
 * polling threads), and actors run concurrently (sim.model's default);
 * sim/scenarios/ptnet-vale-busy.yaml is the same path with busy-polling
 * kloops, the reference's default kloop mode (no EVENTFDS option).
 */
#include "sim_scenario.h"

const char sim_scenario_default_yaml[] =
	"name: default-ptnet-vale\n"
	"description: two guests on one VALE switch through ptnet, notifying kloops\n"
	"seed: 1\n"
	"trace:\n"
	"  packets: 1000000\n"
	"  size: 60\n"
	"  flows: 4\n"
	"  mode: fast\n"
	"hosts:\n"
	"  - name: host0\n"
	"switches:\n"
	"  - name: vale0\n"
	"    type: vale\n"
	"endpoints:\n"
	"  - name: g1\n"
	"    host: host0\n"
	"    device: ptnet\n"
	"    switch: vale0\n"
	"    role: sender\n"
	"    batch: 256\n"
	"    kloop: notify\n"
	"  - name: g2\n"
	"    host: host0\n"
	"    device: ptnet\n"
	"    switch: vale0\n"
	"    role: receiver\n"
	"    batch: 256\n"
	"    kloop: notify\n";
