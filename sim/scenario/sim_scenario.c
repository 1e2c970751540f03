/*
 * sim_scenario.c - reading and validating scenarios (libyaml document API,
 * loaded within the bounds of sim_yaml.h).
 *
 * The YAML is loaded as a node tree; the walker visits known sections and
 * hands each scalar to the same setter that command-line overrides use, so
 * a key means the same thing in a file and after "--set".  Validation of
 * ranges happens in the setters (one value at a time, with its line);
 * cross-references and topology are checked once at the end
 * (sim_scenario_check.c).
 */
#include "sim_scenario.h"

#include "sim_file.h"
#include "sim_guest_stack.h"
#include "sim_scenario_impl.h"
#include "sim_scenario_keys.h"
#include "sim_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sim_mode_names[] = { "fast", "timestamps", "rate", NULL };
static const char *const sim_addr_names[] = { "readdress", "keep", NULL };
static const char *const sim_swtype_names[] = { "vale", "pipe", NULL };
static const char *const sim_role_names[] = { "sender", "receiver", NULL };

const char *sim_switch_type_name(enum sim_switch_type t)
{
	return sim_swtype_names[t];
}

static const char *const sim_model_names[] = { "step", "concurrent", NULL };
static const char *const sim_stranded_names[] = { "fail", "measure", NULL };
/* As sim_memory_names[] (sim/machine/sim_wmem.h), in the order of enum
 * sim_memory; the scenario layer keeps its own copy of the words. */
static const char *const sim_memory_model_names[] = { "sc", "tso", "arm", NULL };

static int sim_sc_set_sim(struct sim_sc_ctx *c, uint32_t line, const char *k,
			  const char *v)
{
	struct sim_scenario *sc = c->sc;
	uint32_t m;
	int e;

	if (!strcmp(k, "model")) {
		for (m = 0; sim_model_names[m] != NULL && strcmp(v, sim_model_names[m]); m++)
			;
		if (sim_model_names[m] == NULL)
			return sim_sc_fail(c, line, "sim.model: '%s' (expected step or concurrent)",
					   sim_sc_q(c, v));
		sc->concurrent = m == 1;
		return 0;
	}
	if (!strcmp(k, "stranded")) {
		if (sim_sc_enum(c, line, "sim.stranded", v, sim_stranded_names, &e) != 0)
			return -EINVAL;
		sc->stranded_measure = e == 1;
		return 0;
	}
	if (!strcmp(k, "quantum_ns"))
		return sim_sc_key_u64(c, line, "sim.quantum_ns", v, &sc->quantum_ns);
	if (!strcmp(k, "memory")) {
		if (sim_sc_enum(c, line, "sim.memory", v, sim_memory_model_names, &e) != 0)
			return -EINVAL;
		sc->memory = (uint32_t)e;
		return 0;
	}
	if (!strcmp(k, "store_visibility_ns"))
		return sim_sc_key_u64(c, line, "sim.store_visibility_ns", v,
				      &sc->store_visibility_ns);
	return sim_sc_fail(c, line, "sim: unknown key '%s' (expected model, quantum_ns, stranded, memory or store_visibility_ns)",
			   sim_sc_q(c, k));
}

static int sim_sc_set_top(struct sim_sc_ctx *c, uint32_t line, const char *k,
			  const char *v)
{
	struct sim_scenario *sc = c->sc;

	if (!strcmp(k, "name"))
		return sim_sc_text(c, line, "name", v, sc->name, sizeof(sc->name));
	if (!strcmp(k, "description"))
		return 0;
	if (!strcmp(k, "seed"))
		/* Reports print the seed as JSON, whose integers are signed. */
		return sim_sc_key_u64(c, line, "seed", v, &sc->seed);
	if (!strcmp(k, "max_time_us"))
		return sim_sc_key_u64(c, line, "max_time_us", v, &sc->max_time_us);
	if (!strcmp(k, "buf_size")) {
		if (sim_sc_key_u32(c, line, "buf_size", v, &sc->buf_size) != 0)
			return -EINVAL;
		if (sc->buf_size % 64 != 0)
			return sim_sc_fail(c, line, "buf_size: %u is not a multiple of 64 (expected 64..65536 in steps of 64)",
					   sc->buf_size);
		return 0;
	}
	return sim_sc_fail(c, line, "unknown key '%s' (expected name, description, seed, max_time_us, buf_size, trace, costs, hosts, switches, endpoints or links)",
			   sim_sc_q(c, k));
}

static int sim_sc_set_trace(struct sim_sc_ctx *c, uint32_t line, const char *k,
			    const char *v)
{
	struct sim_sc_trace *t = &c->sc->trace;
	int e;

	if (!strcmp(k, "file")) {
		if (v[0] == '\0')
			return sim_sc_fail(c, line, "trace.file: empty (expected a path of 1-%zu bytes)",
					   sizeof(t->file) - 1);
		if (v[0] == '/' || c->dirlen == 0)
			return sim_sc_text(c, line, "trace.file", v, t->file, sizeof(t->file));
		if (c->dirlen + strlen(v) >= sizeof(t->file))
			return sim_sc_fail(c, line, "trace.file: a value of %zu bytes, %zu with the scenario's directory (expected at most %zu bytes)",
					   strlen(v), c->dirlen + strlen(v), sizeof(t->file) - 1);
		memcpy(t->file, c->file, c->dirlen);
		memcpy(t->file + c->dirlen, v, strlen(v) + 1);
		return 0;
	}
	if (!strcmp(k, "packets"))
		return sim_sc_key_u64(c, line, "trace.packets", v, &t->packets);
	if (!strcmp(k, "size"))
		return sim_sc_key_u32(c, line, "trace.size", v, &t->size);
	if (!strcmp(k, "flows"))
		return sim_sc_key_u32(c, line, "trace.flows", v, &t->flows);
	if (!strcmp(k, "builtin_rate_pps"))
		return sim_sc_key_u64(c, line, "trace.builtin_rate_pps", v, &t->gen_rate_pps);
	if (!strcmp(k, "rate_pps"))
		return sim_sc_key_u64(c, line, "trace.rate_pps", v, &t->rate_pps);
	if (!strcmp(k, "loops"))
		return sim_sc_key_u32(c, line, "trace.loops", v, &t->loops);
	if (!strcmp(k, "addresses")) {
		if (sim_sc_enum(c, line, "trace.addresses", v, sim_addr_names, &e) != 0)
			return -EINVAL;
		t->keep_addresses = e == 1;
		return 0;
	}
	if (!strcmp(k, "mode")) {
		if (sim_sc_enum(c, line, "trace.mode", v, sim_mode_names, &e) != 0)
			return -EINVAL;
		t->mode = (enum sim_trace_mode)e;
		return 0;
	}
	return sim_sc_fail(c, line, "trace: unknown key '%s' (expected file, packets, size, flows, builtin_rate_pps, mode, rate_pps, loops or addresses)",
			   sim_sc_q(c, k));
}

static int sim_sc_set_cost(struct sim_sc_ctx *c, uint32_t line, const char *k,
			   const char *v)
{
	int id = sim_cost_find(k);
	uint64_t x;

	if (id < 0)
		return sim_sc_fail(c, line, "costs: unknown primitive '%s' (expected a name from docs/cost-model.md, e.g. vmexit_ns)",
				   sim_sc_q(c, k));
	if (sim_sc_u64(c, line, k, v, 0, 1000000000, &x) != 0)
		return -EINVAL;
	sim_cost_set(&c->sc->costs, id, x);
	return 0;
}

/* costs.jitter.NAME.k = v, for primitive id (sim_cost.h). */
static int sim_sc_set_jitter(struct sim_sc_ctx *c, uint32_t id, uint32_t line,
			     const char *k, const char *v)
{
	struct sim_jitter *j = &c->sc->costs.jitter[id];
	char key[96];
	uint64_t x;
	int e;

	snprintf(key, sizeof(key), "costs.jitter.%s.%s", sim_cost_info[id].name,
		 !strcmp(k, "dist") || !strcmp(k, "sd") || !strcmp(k, "width") ? k : "");
	if (j->line == 0 || line != 0)
		j->line = line;
	if (!strcmp(k, "dist")) {
		if (sim_sc_enum(c, line, key, v, sim_jitter_names, &e) != 0)
			return -EINVAL;
		j->dist = (uint8_t)e;
		return 0;
	}
	if (!strcmp(k, "sd") || !strcmp(k, "width")) {
		if (sim_sc_u64(c, line, key, v, 0, 1000000000, &x) != 0)
			return -EINVAL;
		sim_cost_set_jitter_param(&c->sc->costs, (int)id, x);
		j->param = k[0];
		return 0;
	}
	return sim_sc_fail(c, line, "costs.jitter.%s: unknown key '%s' (expected dist, sd or width)",
			   sim_cost_info[id].name, sim_sc_q(c, k));
}

/* costs.jitter.NAME: the primitive's id, or -1 after an error. */
static int sim_sc_jitter_id(struct sim_sc_ctx *c, uint32_t line, const char *name)
{
	int id = sim_cost_find(name);

	if (id < 0)
		sim_sc_fail(c, line, "costs.jitter: unknown primitive '%s' (expected a name from nmsim list costs, e.g. wakeup_ns)",
			    sim_sc_q(c, name));
	return id;
}

static int sim_sc_set_host(struct sim_sc_ctx *c, uint32_t i, uint32_t line,
			   const char *k, const char *v)
{
	if (!strcmp(k, "name"))
		return sim_sc_name(c, line, "hosts.name", v, c->sc->hosts[i].name);
	if (!strcmp(k, "cpus"))
		return sim_sc_key_u32(c, line, "hosts.cpus", v, &c->sc->hosts[i].cpus);
	if (!strcmp(k, "timeslice_us"))
		return sim_sc_key_u32(c, line, "hosts.timeslice_us", v, &c->sc->hosts[i].timeslice_us);
	return sim_sc_fail(c, line, "hosts: unknown key '%s' (expected name, cpus or timeslice_us)", sim_sc_q(c, k));
}

static int sim_sc_set_switch(struct sim_sc_ctx *c, uint32_t i, uint32_t line,
			     const char *k, const char *v)
{
	struct sim_sc_switch *s = &c->sc->switches[i];
	int e;

	if (!strcmp(k, "name"))
		return sim_sc_name(c, line, "switches.name", v, s->name);
	if (!strcmp(k, "type")) {
		if (sim_sc_enum(c, line, "switches.type", v, sim_swtype_names, &e) != 0)
			return -EINVAL;
		s->type = (enum sim_switch_type)e;
		return 0;
	}
	return sim_sc_fail(c, line, "switches: unknown key '%s' (expected name or type)", sim_sc_q(c, k));
}

static int sim_sc_set_link(struct sim_sc_ctx *c, uint32_t i, uint32_t line,
			   const char *k, const char *v)
{
	struct sim_sc_link *l = &c->sc->links[i];

	if (!strcmp(k, "name"))
		return sim_sc_name(c, line, "links.name", v, l->name);
	if (!strcmp(k, "from"))
		return sim_sc_name(c, line, "links.from", v, l->sw_ref[0]);
	if (!strcmp(k, "to"))
		return sim_sc_name(c, line, "links.to", v, l->sw_ref[1]);
	if (!strcmp(k, "bandwidth_bps"))
		return sim_sc_key_u64(c, line, "links.bandwidth_bps", v, &l->bandwidth_bps);
	if (!strcmp(k, "delay_ns"))
		return sim_sc_key_u64(c, line, "links.delay_ns", v, &l->delay_ns);
	if (!strcmp(k, "queue"))
		return sim_sc_key_u32(c, line, "links.queue", v, &l->queue);
	if (!strcmp(k, "slots"))
		return sim_sc_key_u32(c, line, "links.slots", v, &l->slots);
	return sim_sc_fail(c, line, "links: unknown key '%s' (expected name, from, to, bandwidth_bps, delay_ns, queue or slots)",
			   sim_sc_q(c, k));
}

/* Device key k of endpoint ep, checked as the device table says. */
static int sim_sc_set_dev_key(struct sim_sc_ctx *c, uint32_t line,
			      struct sim_sc_endpoint *ep,
			      const struct sim_dev_key *k, const char *v)
{
	char key[64];
	uint32_t u = 0;
	bool b = false;
	int e = 0, rc;

	snprintf(key, sizeof(key), "endpoints.%s", k->name);
	switch (k->type) {
	case SIM_DEV_KEY_BOOL:
		rc = sim_sc_bool(c, line, key, v, &b);
		u = b;
		break;
	case SIM_DEV_KEY_ENUM:
		rc = sim_sc_enum(c, line, key, v, k->names, &e);
		u = (uint32_t)e;
		break;
	case SIM_DEV_KEY_FLAGS: {
		char names[128];

		rc = sim_dev_flags_parse(k, v, &u);
		if (rc != 0)
			rc = sim_sc_fail(c, line, "%s: '%s' is not a set of offloads (expected none, or some of %s joined by '+', each once)",
					 key, sim_sc_q(c, v),
					 sim_dev_flags_name(k, ~0U, names, sizeof(names)));
		break;
	}
	case SIM_DEV_KEY_U32:
	default:
		rc = sim_sc_u32(c, line, key, v, k->lo, k->hi, &u);
		break;
	}
	if (rc == 0)
		sim_dev_key_set(ep, k, u);
	return rc;
}

/* "itr_us, send_combining, ... kloop, " : every device key the endpoint
 * section knows but the CPU ones, which close the list. */
static const char *sim_sc_dev_keys(char *buf, size_t size)
{
	const struct sim_dev_key *k;
	size_t len;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		if (k->type == SIM_DEV_KEY_U32 && !strcmp(k->unit, "cpu"))
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s, ", k->name);
	}
	return buf;
}

static const char *const sim_mon_rings_names[] = { "tx", "rx", "both", NULL };
static const char *const sim_mon_mode_names[] = { "copy", "zcopy", NULL };

/* One key of a monitor (docs/simulator.md). */
static int sim_sc_set_mon(struct sim_sc_ctx *c, struct sim_sc_monitor *mon,
			  uint32_t line, const char *k, const char *v)
{
	int e;

	if (!strcmp(k, "rings")) {
		if (sim_sc_enum(c, line, "endpoints.monitors.rings", v,
				sim_mon_rings_names, &e) != 0)
			return -EINVAL;
		mon->tx = e != 1;
		mon->rx = e != 0;
		return 0;
	}
	if (!strcmp(k, "mode")) {
		if (sim_sc_enum(c, line, "endpoints.monitors.mode", v,
				sim_mon_mode_names, &e) != 0)
			return -EINVAL;
		mon->mode = (enum sim_mon_mode)e;
		return 0;
	}
	if (!strcmp(k, "pcap"))
		return sim_sc_text(c, line, "endpoints.monitors.pcap", v,
				   mon->pcap, sizeof(mon->pcap));
	if (!strcmp(k, "slots"))
		return sim_sc_key_u32(c, line, "endpoints.monitors.slots", v,
				      &mon->slots);
	return sim_sc_fail(c, line, "endpoints.monitors: unknown key '%s' (expected rings, mode, slots or pcap)",
			   sim_sc_q(c, k));
}

static int sim_sc_set_ep(struct sim_sc_ctx *c, uint32_t i, uint32_t line,
			 const char *k, const char *v)
{
	struct sim_sc_endpoint *ep = &c->sc->endpoints[i];
	const char *names[SIM_NAME_MAX + 1];
	const struct sim_dev_key *dk;
	char keys[512];
	uint32_t d, id;
	int e;

	if (!strcmp(k, "name"))
		return sim_sc_name(c, line, "endpoints.name", v, ep->name);
	if (!strcmp(k, "host"))
		return sim_sc_name(c, line, "endpoints.host", v, ep->host_ref);
	if (!strcmp(k, "switch"))
		return sim_sc_name(c, line, "endpoints.switch", v, ep->sw_ref);
	if (!strcmp(k, "role")) {
		if (sim_sc_enum(c, line, "endpoints.role", v, sim_role_names, &e) != 0)
			return -EINVAL;
		ep->role = (enum sim_role)e;
		return 0;
	}
	if (!strcmp(k, "device")) {
		for (d = 0; d < sim_dev_count && d < SIM_NAME_MAX; d++)
			names[d] = sim_dev_table[d]->name;
		names[d] = NULL;
		if (sim_sc_enum(c, line, "endpoints.device", v, names, &e) != 0)
			return -EINVAL;
		ep->device = (uint32_t)e;
		return 0;
	}
	if (!strcmp(k, "batch"))
		return sim_sc_key_u32(c, line, "endpoints.batch", v, &ep->batch);
	if (!strcmp(k, "slots"))
		return sim_sc_key_u32(c, line, "endpoints.slots", v, &ep->slots);
	if (!strcmp(k, "pkt_work_ns"))
		return sim_sc_key_u64(c, line, "endpoints.pkt_work_ns", v, &ep->pkt_work_ns);
	if (!strcmp(k, "cpu"))
		return sim_sc_key_u32(c, line, "endpoints.cpu", v, &ep->cpu);
	dk = sim_dev_key_find(k, &id);
	if (dk != NULL) {
		c->opt_line[i][id] = SIM_SC_MARK(line);
		return sim_sc_set_dev_key(c, line, ep, dk, v);
	}
	if (!strcmp(k, "monitors"))
		return sim_sc_fail(c, line, "endpoints.monitors: expected a list of {rings, mode, slots, pcap} (set it in the scenario file)");
	if (!strncmp(k, "monitors.", 9)) {
		/* --set endpoints.NAME.monitors.KEY=V: every monitor of it
		 * (the value judged first, even with none). */
		struct sim_sc_monitor probe;

		memset(&probe, 0, sizeof(probe));
		if (sim_sc_set_mon(c, &probe, line, k + 9, v) != 0)
			return -EINVAL;
		if (ep->nmonitors == 0)
			return sim_sc_fail(c, line, "endpoints.monitors.%s: endpoint %s has no monitors",
					   sim_sc_q(c, k + 9), ep->name);
		for (d = 0; d < ep->nmonitors; d++)
			if (sim_sc_set_mon(c, &ep->monitors[d], line, k + 9, v) != 0)
				return -EINVAL;
		return 0;
	}
	return sim_sc_fail(c, line, "endpoints: unknown key '%s' (expected name, host, switch, role, device, batch, slots, pkt_work_ns, monitors, %scpu, kloop_cpu or backend_cpu)",
			   sim_sc_q(c, k), sim_sc_dev_keys(keys, sizeof(keys)));
}


static void sim_sc_defaults(struct sim_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "unnamed");
	/* Integer defaults from the table `nmsim list keys` prints. */
	sc->seed = sim_sc_key_default("seed");
	sc->buf_size = (uint32_t)sim_sc_key_default("buf_size");
	sc->concurrent = true; /* sim.model: concurrent (issue 12) */
	sc->store_visibility_ns = sim_sc_key_default("sim.store_visibility_ns");
	sc->trace.packets = sim_sc_key_default("trace.packets");
	sc->trace.size = (uint32_t)sim_sc_key_default("trace.size");
	sc->trace.flows = (uint32_t)sim_sc_key_default("trace.flows");
	sc->trace.gen_rate_pps = sim_sc_key_default("trace.builtin_rate_pps");
	sc->trace.mode = SIM_TRACE_FAST;
	sc->trace.rate_pps = sim_sc_key_default("trace.rate_pps");
	sc->trace.loops = (uint32_t)sim_sc_key_default("trace.loops");
	sim_costs_default(&sc->costs);
}

static void sim_sc_ep_defaults(struct sim_sc_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->batch = (uint32_t)sim_sc_key_default("endpoints.batch");
	ep->slots = (uint32_t)sim_sc_key_default("endpoints.slots");
	ep->cpu = SIM_CPU_OWN;
	sim_dev_defaults(ep);
}

/* ---- The YAML walk. */

static uint32_t sim_y_line(const yaml_node_t *n)
{
	return (uint32_t)n->start_mark.line + 1;
}

/*
 * 0, or an error naming both lines if the scalar key of pair p repeats an
 * earlier pair's of the same mapping (what: the mapping, NULL at the top).
 * YAML wants unique keys; libyaml does not check.
 */
static int sim_sc_unique_key(struct sim_sc_ctx *c, yaml_document_t *d,
			     const yaml_node_t *map, const yaml_node_pair_t *p,
			     const char *what)
{
	const yaml_node_t *k = yaml_document_get_node(d, p->key), *o;
	const char *key = (const char *)k->data.scalar.value;
	const yaml_node_pair_t *q;

	for (q = map->data.mapping.pairs.start; q < p; q++) {
		o = yaml_document_get_node(d, q->key);
		if (o == NULL || o->type != YAML_SCALAR_NODE ||
		    strcmp((const char *)o->data.scalar.value, key) != 0)
			continue;
		if (what == NULL)
			return sim_sc_fail(c, sim_y_line(k), "duplicate key '%s' (first at line %u)",
					   sim_sc_q(c, key), sim_y_line(o));
		return sim_sc_fail(c, sim_y_line(k), "%s: duplicate key '%s' (first at line %u)",
				   what, sim_sc_q(c, key), sim_y_line(o));
	}
	return 0;
}

/* Pair p of mapping map (what: its name): its scalar key and its value,
 * or an error for a key that is not a scalar or repeats an earlier one. */
static int sim_sc_pair(struct sim_sc_ctx *c, yaml_document_t *d,
		       const yaml_node_t *map, const yaml_node_pair_t *p,
		       const char *what, yaml_node_t **k, yaml_node_t **v)
{
	*k = yaml_document_get_node(d, p->key);
	*v = yaml_document_get_node(d, p->value);
	if (*k == NULL || *v == NULL || (*k)->type != YAML_SCALAR_NODE)
		return sim_sc_fail(c, sim_y_line(map), "%s: expected scalar keys", what);
	return sim_sc_unique_key(c, d, map, p, what);
}

static int sim_sc_monitors(struct sim_sc_ctx *c, yaml_document_t *d,
			   yaml_node_t *seq, uint32_t i);

typedef int (*sim_sc_item_setter)(struct sim_sc_ctx *c, uint32_t i,
				  uint32_t line, const char *k, const char *v);

static int sim_sc_map(struct sim_sc_ctx *c, yaml_document_t *d,
		      yaml_node_t *map, const char *what, uint32_t i,
		      sim_sc_item_setter item,
		      int (*plain)(struct sim_sc_ctx *, uint32_t, const char *,
				   const char *))
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	int rc;

	if (map->type != YAML_MAPPING_NODE)
		return sim_sc_fail(c, sim_y_line(map), "%s: expected a mapping of key: value",
				   what);
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		if (sim_sc_pair(c, d, map, p, what, &k, &v) != 0)
			return -EINVAL;
		if (item == sim_sc_set_ep &&
		    !strcmp((const char *)k->data.scalar.value, "monitors") &&
		    v->type != YAML_SCALAR_NODE) {
			rc = sim_sc_monitors(c, d, v, i);
			if (rc != 0)
				return rc;
			continue;
		}
		if (v->type != YAML_SCALAR_NODE)
			return sim_sc_fail(c, sim_y_line(v), "%s.%s: expected a single value, not a list or mapping",
					   what, sim_sc_q(c, (const char *)k->data.scalar.value));
		rc = item != NULL
			     ? item(c, i, sim_y_line(k), (const char *)k->data.scalar.value,
				    (const char *)v->data.scalar.value)
			     : plain(c, sim_y_line(k), (const char *)k->data.scalar.value,
				     (const char *)v->data.scalar.value);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* endpoints[i].monitors: a list of mappings (the one list inside an
 * entry); each entry: rings both, mode copy, no pcap unless given. */
static int sim_sc_monitors(struct sim_sc_ctx *c, yaml_document_t *d,
			   yaml_node_t *seq, uint32_t i)
{
	struct sim_sc_endpoint *ep = &c->sc->endpoints[i];
	yaml_node_pair_t *p;
	yaml_node_item_t *it;
	yaml_node_t *n, *k, *v;
	int rc;

	if (seq->type != YAML_SEQUENCE_NODE)
		return sim_sc_fail(c, sim_y_line(seq), "endpoints.monitors: expected a list of {rings, mode, pcap}");
	ep->nmonitors = 0;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		n = yaml_document_get_node(d, *it);
		if (n == NULL || n->type != YAML_MAPPING_NODE)
			return sim_sc_fail(c, seq != NULL ? sim_y_line(seq) : 0,
					   "endpoints.monitors: expected a mapping of rings, mode, pcap");
		if (ep->nmonitors == SIM_MAX_MONITORS)
			return sim_sc_fail(c, sim_y_line(n), "endpoints.monitors: more than %u entries",
					   SIM_MAX_MONITORS);
		memset(&ep->monitors[ep->nmonitors], 0, sizeof(ep->monitors[0]));
		ep->monitors[ep->nmonitors].tx = ep->monitors[ep->nmonitors].rx = true;
		ep->monitors[ep->nmonitors].line = sim_y_line(n);
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			if (sim_sc_pair(c, d, n, p, "endpoints.monitors", &k, &v) != 0)
				return -EINVAL;
			if (v->type != YAML_SCALAR_NODE)
				return sim_sc_fail(c, sim_y_line(v), "endpoints.monitors.%s: expected a single value, not a list or mapping",
						   sim_sc_q(c, (const char *)k->data.scalar.value));
			rc = sim_sc_set_mon(c, &ep->monitors[ep->nmonitors],
					    sim_y_line(k),
					    (const char *)k->data.scalar.value,
					    (const char *)v->data.scalar.value);
			if (rc != 0)
				return rc;
		}
		ep->nmonitors++;
	}
	return 0;
}

typedef void (*sim_sc_item_init)(struct sim_scenario *sc, uint32_t i,
				 uint32_t line);

/* A list section: how an entry starts and takes a key, and the key every
 * entry must give (a default for it would be a silent guess: an endpoint
 * without role would send, a switch without type would be VALE). */
struct sim_sc_list_kind {
	const char *what;
	uint32_t max;
	sim_sc_item_init init;
	sim_sc_item_setter set;
	const char *required; /* NULL: none */
	const char *hint;     /* what the required key takes */
};

static bool sim_sc_has_key(yaml_document_t *d, const yaml_node_t *map,
			   const char *key)
{
	const yaml_node_pair_t *p;
	const yaml_node_t *k;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return true;
	}
	return false;
}

static int sim_sc_list(struct sim_sc_ctx *c, yaml_document_t *d,
		       yaml_node_t *seq, const struct sim_sc_list_kind *kind,
		       uint32_t *count)
{
	yaml_node_item_t *it;
	yaml_node_t *n;
	uint32_t i = 0;
	int rc;

	if (seq->type != YAML_SEQUENCE_NODE)
		return sim_sc_fail(c, sim_y_line(seq), "%s: expected a list", kind->what);
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		n = yaml_document_get_node(d, *it);
		if (i == kind->max)
			return sim_sc_fail(c, sim_y_line(n), "%s: more than %u entries",
					   kind->what, kind->max);
		kind->init(c->sc, i, sim_y_line(n));
		rc = sim_sc_map(c, d, n, kind->what, i, kind->set, NULL);
		if (rc != 0)
			return rc;
		if (kind->required != NULL && !sim_sc_has_key(d, n, kind->required))
			return sim_sc_fail(c, sim_y_line(n), "%s: entry without %s (expected %s: %s)",
					   kind->what, kind->required, kind->required,
					   kind->hint);
		*count = ++i;
	}
	return 0;
}

static void sim_sc_host_init(struct sim_scenario *sc, uint32_t i, uint32_t line)
{
	memset(&sc->hosts[i], 0, sizeof(sc->hosts[i]));
	sc->hosts[i].timeslice_us = (uint32_t)sim_sc_key_default("hosts.timeslice_us");
	sc->hosts[i].line = line;
}

static void sim_sc_switch_init(struct sim_scenario *sc, uint32_t i, uint32_t line)
{
	memset(&sc->switches[i], 0, sizeof(sc->switches[i]));
	sc->switches[i].line = line;
}

static void sim_sc_link_init(struct sim_scenario *sc, uint32_t i, uint32_t line)
{
	memset(&sc->links[i], 0, sizeof(sc->links[i]));
	sc->links[i].bandwidth_bps = sim_sc_key_default("links.bandwidth_bps");
	sc->links[i].queue = (uint32_t)sim_sc_key_default("links.queue");
	sc->links[i].slots = (uint32_t)sim_sc_key_default("links.slots");
	sc->links[i].line = line;
}

static void sim_sc_ep_init(struct sim_scenario *sc, uint32_t i, uint32_t line)
{
	sim_sc_ep_defaults(&sc->endpoints[i]);
	sc->endpoints[i].line = line;
}

static const struct sim_sc_list_kind sim_sc_hosts = {
	"hosts", SIM_MAX_HOSTS, sim_sc_host_init, sim_sc_set_host, NULL, NULL
};
static const struct sim_sc_list_kind sim_sc_switches = {
	"switches", SIM_MAX_SWITCHES, sim_sc_switch_init, sim_sc_set_switch,
	"type", "vale or pipe"
};
static const struct sim_sc_list_kind sim_sc_endpoints = {
	"endpoints", SIM_MAX_ENDPOINTS, sim_sc_ep_init, sim_sc_set_ep,
	"role", "sender or receiver"
};
static const struct sim_sc_list_kind sim_sc_links = {
	"links", SIM_MAX_LINKS, sim_sc_link_init, sim_sc_set_link, NULL, NULL
};

/* The costs: section: primitives by name, and jitter: {NAME: {dist: ...}}. */
static int sim_sc_costs(struct sim_sc_ctx *c, yaml_document_t *d, yaml_node_t *map)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *k, *v, *jk, *jv;
	char what[96];
	int id, rc;

	if (map->type != YAML_MAPPING_NODE)
		return sim_sc_fail(c, sim_y_line(map), "costs: expected a mapping of key: value");
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		if (sim_sc_pair(c, d, map, p, "costs", &k, &v) != 0)
			return -EINVAL;
		if (strcmp((const char *)k->data.scalar.value, "jitter") != 0) {
			if (v->type != YAML_SCALAR_NODE)
				return sim_sc_fail(c, sim_y_line(v), "costs.%s: expected a single value, not a list or mapping",
						   sim_sc_q(c, (const char *)k->data.scalar.value));
			rc = sim_sc_set_cost(c, sim_y_line(k), (const char *)k->data.scalar.value,
					     (const char *)v->data.scalar.value);
			if (rc != 0)
				return rc;
			continue;
		}
		if (v->type != YAML_MAPPING_NODE)
			return sim_sc_fail(c, sim_y_line(v), "costs.jitter: expected a mapping of NAME: {dist: normal|exp|uniform, ...}");
		for (q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			if (sim_sc_pair(c, d, v, q, "costs.jitter", &jk, &jv) != 0)
				return -EINVAL;
			id = sim_sc_jitter_id(c, sim_y_line(jk), (const char *)jk->data.scalar.value);
			if (id < 0)
				return -EINVAL;
			snprintf(what, sizeof(what), "costs.jitter.%s", sim_cost_info[id].name);
			c->sc->costs.jitter[id].line = sim_y_line(jk);
			rc = sim_sc_map(c, d, jv, what, (uint32_t)id, sim_sc_set_jitter, NULL);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int sim_sc_walk(struct sim_sc_ctx *c, yaml_document_t *d)
{
	struct sim_scenario *sc = c->sc;
	yaml_node_t *root = yaml_document_get_root_node(d);
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key;
	int rc;

	if (root == NULL)
		return sim_sc_fail(c, 1, "empty scenario (expected a mapping with switches and endpoints)");
	if (root->type != YAML_MAPPING_NODE)
		return sim_sc_fail(c, sim_y_line(root), "expected a mapping at the top level");
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		v = yaml_document_get_node(d, p->value);
		if (k->type != YAML_SCALAR_NODE)
			return sim_sc_fail(c, sim_y_line(k), "expected scalar keys");
		if (sim_sc_unique_key(c, d, root, p, NULL) != 0)
			return -EINVAL;
		key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "trace")) {
			sc->trace.line = sim_y_line(k);
			rc = sim_sc_map(c, d, v, "trace", 0, NULL, sim_sc_set_trace);
		} else if (!strcmp(key, "costs")) {
			rc = sim_sc_costs(c, d, v);
		} else if (!strcmp(key, "sim")) {
			rc = sim_sc_map(c, d, v, "sim", 0, NULL, sim_sc_set_sim);
		} else if (!strcmp(key, "hosts")) {
			rc = sim_sc_list(c, d, v, &sim_sc_hosts, &sc->nhosts);
		} else if (!strcmp(key, "switches")) {
			rc = sim_sc_list(c, d, v, &sim_sc_switches, &sc->nswitches);
		} else if (!strcmp(key, "endpoints")) {
			rc = sim_sc_list(c, d, v, &sim_sc_endpoints, &sc->nendpoints);
		} else if (!strcmp(key, "links")) {
			rc = sim_sc_list(c, d, v, &sim_sc_links, &sc->nlinks);
		} else if (v->type != YAML_SCALAR_NODE) {
			rc = sim_sc_fail(c, sim_y_line(k), "unknown section '%s' (expected trace, costs, sim, hosts, switches, endpoints or links)",
					 sim_sc_q(c, key));
		} else {
			rc = sim_sc_set_top(c, sim_y_line(k), key,
					    (const char *)v->data.scalar.value);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int sim_scenario_load(struct sim_scenario *sc, const char *path,
		      const char *text, char *err, size_t errlen)
{
	struct sim_sc_ctx c = { .sc = sc, .file = path, .err = err, .errlen = errlen };
	yaml_document_t doc;
	char *buf = NULL;
	size_t len;
	FILE *f;
	int rc;

	sim_sc_defaults(sc);
	if (sim_sc_text(&c, 0, "scenario file name", path, sc->source,
			sizeof(sc->source)) != 0)
		return -EINVAL;
	if (text != NULL) {
		len = strlen(text);
	} else {
		rc = sim_file_open(path, "scenario", &f, err, errlen);
		if (rc != 0) {
			if (rc != -EINVAL)
				sim_sc_fail(&c, 0, "%s (expected a readable scenario file)",
					    strerror(-rc));
			return -EINVAL;
		}
		rc = sim_yaml_read(f, path, &buf, &len, err, errlen);
		if (rc != 0)
			return rc;
		text = buf;
		if (strrchr(path, '/') != NULL)
			c.dirlen = (size_t)(strrchr(path, '/') - path) + 1;
	}
	rc = sim_yaml_load(&doc, path, text, len, err, errlen);
	if (rc == 0) {
		rc = sim_sc_walk(&c, &doc);
		if (rc == 0)
			rc = sim_sc_validate(&c);
		yaml_document_delete(&doc);
	}
	free(buf);
	return rc;
}

/* Where override name within section (endpoints, links, switches) is, or
 * UINT32_MAX. */
static uint32_t sim_sc_find(const struct sim_scenario *sc, const char *section,
			    const char *name)
{
	uint32_t i;

	if (!strcmp(section, "endpoints")) {
		for (i = 0; i < sc->nendpoints && strcmp(sc->endpoints[i].name, name); i++)
			;
		return i < sc->nendpoints ? i : UINT32_MAX;
	}
	if (!strcmp(section, "links")) {
		for (i = 0; i < sc->nlinks && strcmp(sc->links[i].name, name); i++)
			;
		return i < sc->nlinks ? i : UINT32_MAX;
	}
	if (!strcmp(section, "hosts")) {
		for (i = 0; i < sc->nhosts && strcmp(sc->hosts[i].name, name); i++)
			;
		return i < sc->nhosts ? i : UINT32_MAX;
	}
	for (i = 0; i < sc->nswitches && strcmp(sc->switches[i].name, name); i++)
		;
	return i < sc->nswitches ? i : UINT32_MAX;
}

int sim_scenario_override(struct sim_scenario *sc, const char *assignment,
			  char *err, size_t errlen)
{
	static const char *const item_name[] = { "endpoint", "link", "switch", "host" };
	struct sim_scenario *copy = malloc(sizeof(*copy));
	struct sim_sc_ctx c = { .sc = copy, .file = assignment, .err = err, .errlen = errlen };
	/* Split in a copy of its own size: a fixed buffer cut long values
	 * (a cut trace.file named another, existing file). */
	char *buf = strdup(assignment), *eq, *key, *sub, *name;
	uint32_t i;
	int rc = -EINVAL, kind;

	if (copy == NULL || buf == NULL) {
		free(copy);
		free(buf);
		snprintf(err, errlen, "override: out of memory");
		return -ENOMEM;
	}
	*copy = *sc;
	eq = strchr(buf, '=');
	if (eq == NULL) {
		sim_sc_fail(&c, 0, "expected PATH=VALUE");
		goto out;
	}
	*eq = '\0';
	key = buf;
	sub = strchr(key, '.');
	if (sub != NULL)
		*sub++ = '\0';
	if (sub == NULL) {
		rc = sim_sc_set_top(&c, 0, key, eq + 1);
	} else if (!strcmp(key, "trace")) {
		rc = sim_sc_set_trace(&c, 0, sub, eq + 1);
	} else if (!strcmp(key, "costs") && !strncmp(sub, "jitter.", 7)) {
		/* costs.jitter.NAME.KEY=VALUE */
		name = sub + 7;
		sub = strchr(name, '.');
		if (sub == NULL) {
			sim_sc_fail(&c, 0, "expected costs.jitter.NAME.KEY=VALUE");
			goto out;
		}
		*sub++ = '\0';
		kind = sim_sc_jitter_id(&c, 0, name);
		if (kind < 0)
			goto out;
		rc = sim_sc_set_jitter(&c, (uint32_t)kind, 0, sub, eq + 1);
	} else if (!strcmp(key, "costs")) {
		rc = sim_sc_set_cost(&c, 0, sub, eq + 1);
	} else if (!strcmp(key, "sim")) {
		rc = sim_sc_set_sim(&c, 0, sub, eq + 1);
	} else if (!strcmp(key, "endpoints") || !strcmp(key, "links") ||
		   !strcmp(key, "switches") || !strcmp(key, "hosts")) {
		kind = key[0] == 'e' ? 0 : key[0] == 'l' ? 1 : key[0] == 's' ? 2 : 3;
		name = sub;
		sub = strchr(name, '.');
		if (sub == NULL) {
			sim_sc_fail(&c, 0, "expected %s.NAME.KEY=VALUE", key);
			goto out;
		}
		*sub++ = '\0';
		i = sim_sc_find(copy, key, name);
		if (i == UINT32_MAX) {
			sim_sc_fail(&c, 0, "no %s named '%s'", item_name[kind],
				    sim_sc_q(&c, name));
			goto out;
		}
		rc = kind == 0	 ? sim_sc_set_ep(&c, i, 0, sub, eq + 1)
		     : kind == 1 ? sim_sc_set_link(&c, i, 0, sub, eq + 1)
		     : kind == 2 ? sim_sc_set_switch(&c, i, 0, sub, eq + 1)
				 : sim_sc_set_host(&c, i, 0, sub, eq + 1);
	} else {
		sim_sc_fail(&c, 0, "unknown section '%s' (expected trace, costs, sim, hosts, endpoints, switches, links or a top-level key)",
			    sim_sc_q(&c, key));
		goto out;
	}
	/* Only the option just set is checked against its device. */
	if (rc == 0)
		rc = sim_sc_validate(&c);
	if (rc == 0)
		*sc = *copy;
out:
	free(buf);
	free(copy);
	return rc;
}
