/*
 * sim_world.c - building, running and checking one simulation run.
 *
 * Build order: cost model, trace (file or built-in), packet table, host
 * CPUs, switch registry and ports, endpoints (applications pinned), links
 * (their ports and actors), the receivers' ranks and the learning phase of
 * many-port VALE switches (a link port learns the receivers beyond it),
 * devices (they create their own actors; kloops and backends pinned), then
 * the applications start at time 0 in endpoint order and the links'
 * sending NICs after them.  The run ends when every
 * packet is accounted for (delivered or dropped by a counted reason), when
 * nothing is left to happen, at max_time_us, or at the first violation.
 */
#include "sim_world.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_dev_xen_accel.h"
#include "sim_ep.h"
#include "sim_link.h"
#include "sim_monitor.h"
#include "sim_pcap_sink.h"
#include "sim_scenario.h"
#include "sim_seg.h"
#include "sim_switch.h"
#include "sim_text.h"
#include "sim_trace.h"
#include "sim_vnet.h"
#include "sim_wmem.h"
#include "vale.h"

/* Register an actor with the run (aborts if there are too many). */
static void sim_world_add_actor(struct sim_run *r, struct sim_actor *a)
{
	struct sim_world *w = r->owner;

	if (w->nactors == SIM_MAX_ACTORS) {
		fprintf(stderr, "nmsim: more than %d actors\n", SIM_MAX_ACTORS);
		abort();
	}
	a->id = (uint16_t)w->nactors;
	w->actors[w->nactors++] = a;
}

static void sim_world_run_violation(struct sim_run *r, enum sim_inv_id id,
				    const struct sim_actor *a, uint32_t ring,
				    const char *what)
{
	struct sim_world *w = r->owner;

	w->inv_violations[id]++;
	if (w->failed)
		return;
	snprintf(w->fail_msg, sizeof(w->fail_msg),
		 "invariant %s violated at %llu ns, actor %s, ring %u (endpoint %s): %s",
		 sim_inv_names[id], (unsigned long long)nm_os_time_ns(),
		 a != NULL ? a->name : "-", ring,
		 ring < w->nep ? w->ep[ring]->cfg->name : "-", what);
	w->failed = true;
	sim_engine_stop(&w->eng);
}

__attribute__((noreturn)) static void
sim_world_run_internal_error(struct sim_run *r, const char *what)
{
	sim_world_internal_error(r->owner, what);
}

void sim_world_internal_error(struct sim_world *w, const char *what)
{
	/* Exit here rather than return a failed run: every figure of this
	 * run is suspect, and the report must not present any of it. */
	fprintf(stderr, "nmsim: internal error (a bug in nmsim): %s at %llu ns\n",
		what, (unsigned long long)w->eng.now_ns);
	fflush(NULL);
	exit(SIM_EXIT_INTERNAL);
}

uint64_t sim_world_drops(const struct sim_world *w)
{
	uint64_t d = 0;
	uint32_t i;

	for (i = 0; i < w->sc.nswitches; i++)
		d += sim_switch_drops(w->sw[i]);
	for (i = 0; i < w->nep; i++)
		d += w->ep[i]->st.dev_drops;
	for (i = 0; i < w->nlinks; i++)
		d += sim_link_drops(w->link[i]);
	return d;
}

/*
 * After every event: the continuous invariants.  In the concurrent model an
 * event may leave other actors suspended in the middle of a step: a sender
 * with a lease open, an actor that has published work and not yet notified.
 * The lease and notification checks hold between steps, so they run only
 * after events that leave no step suspended (sim_run.midstep == 0).  A
 * continuation that ends in another suspension is a piece of a step: as in
 * the step model, the checks run where steps start and end, not inside
 * them (and the run's end is seen when the step that completes it ends).
 */
static void sim_world_after(struct sim_engine *e, void *arg)
{
	struct sim_world *w = arg;
	const char *what = NULL;
	struct sim_actor *a;
	uint64_t before[SIM_INV_COUNT];
	struct sim_ep *ep;
	uint32_t i, d, bad = 0;

	if ((e->cur.kind == SIM_EV_CONT || e->cur.kind == SIM_EV_SPIN) &&
	    ((const struct sim_actor *)e->cur.arg)->in_step)
		return;
	memcpy(before, w->inv_checks, sizeof(before));
	for (i = 0; i < w->nep; i++) {
		ep = w->ep[i];
		w->inv_checks[SIM_INV_RING_INDEX]++;
		if (!ep->ops->rings_ok(ep, &what))
			sim_run_violation(&w->run, SIM_INV_RING_INDEX, NULL, i,
					  "%s breaks the kring invariants", what);
	}
	for (i = 0; i < w->nlinks; i++) {
		for (d = 0; d < 2; d++) {
			w->inv_checks[SIM_INV_RING_INDEX] += 2;
			if (!nm_kring_valid(w->link[i]->dir[d].in_kr) ||
			    !nm_kring_valid(w->link[i]->dir[d].out_kr))
				sim_run_violation(&w->run, SIM_INV_RING_INDEX, NULL, 0,
						  "link %s: a port kring breaks the kring invariants",
						  w->link[i]->cfg->name);
		}
	}
	for (i = 0; i < w->sc.nswitches && w->run.midstep == 0; i++) {
		if (!sim_switch_lease_ok(w->sw[i], &w->inv_checks[SIM_INV_LEASE],
					 &bad, &what))
			sim_run_violation(&w->run, SIM_INV_LEASE, NULL, w->sw[i]->port[bad].ep,
					  "switch %s, port %s: %s", w->sw[i]->name,
					  w->sw[i]->port[bad].p->name, what);
	}
	for (i = 0; i < w->nactors; i++) {
		a = w->actors[i];
		if (a->has_work == NULL || !a->sleeping || w->run.midstep != 0)
			continue;
		w->inv_checks[SIM_INV_NOTIFICATION]++;
		if (a->has_work(a) && sim_actor_strand(a, nm_os_time_ns()) &&
		    !w->sc.stranded_measure)
			sim_run_violation(&w->run, SIM_INV_NOTIFICATION, a, a->ep,
					  "asleep while its peer's published state says it has work, and no notification is on its way");
	}
	if (w->pk.delivered + sim_world_drops(w) > w->pk.injected)
		sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, 0,
				  "delivered %llu + dropped %llu > injected %llu",
				  (unsigned long long)w->pk.delivered,
				  (unsigned long long)sim_world_drops(w),
				  (unsigned long long)w->pk.injected);
	if (w->pk.injected == sim_world_expected(w) &&
	    w->pk.delivered + sim_world_drops(w) == sim_world_expected(w)) {
		w->finished = true;
		sim_engine_stop(&w->eng);
	}
	for (i = 0; i < SIM_INV_COUNT; i++)
		w->last_checks[i] = w->inv_checks[i] - before[i];
}

/* Count n more events' continuous checks, each like the last event's (for
 * idle polls accounted without running, sim_actor_poll()). */
static void sim_world_checks_repeat(struct sim_run *r, uint64_t n)
{
	struct sim_world *w = r->owner;
	uint32_t i;

	for (i = 0; i < SIM_INV_COUNT; i++)
		w->inv_checks[i] += n * w->last_checks[i];
}

/*
 * Receivers on learning switches (VALE, more than two ports, links'
 * included) are known to the bridges by their rank MAC; the built-in trace
 * addresses flow f to rank f mod R, R the receivers of a network that
 * learns (the scenario reader makes R equal in every such network).  0
 * when no switch learns.
 */
static uint32_t sim_world_rx_ranks(const struct sim_scenario *sc,
				   uint32_t *learning)
{
	uint32_t i, rx, net, r = 0;

	*learning = 0;
	for (i = 0; i < sc->nswitches; i++) {
		if (sc->switches[i].type != SIM_SW_VALE || sim_scenario_ports(sc, i) <= 2)
			continue;
		(*learning)++;
		net = sim_scenario_component(sc, i);
		rx = sim_scenario_receivers_in(sc, net, UINT32_MAX);
		if (rx > r)
			r = rx;
	}
	return r;
}

/*
 * Receivers' ranks per network (switches joined by links), and for each
 * link port the ranks beyond its link, which its switch learns on it.
 */
/* May receiver ep (whose port has no header) get a packet as segments?
 * Yes when some sender has a header: the switch segments its GSO frames
 * for a port without one (its own switch's, or a link's on the way). */
static bool sim_world_may_segment(const struct sim_world *w,
				  const struct sim_ep *ep)
{
	uint32_t i;

	(void)ep;
	for (i = 0; i < w->sc.nendpoints; i++)
		if (w->sc.endpoints[i].role == SIM_ROLE_SENDER &&
		    sim_dev_vnet_hdr_len(&w->sc.endpoints[i]) != 0)
			return true;
	return false;
}

static void sim_world_ranks(struct sim_world *w)
{
	const struct sim_scenario *sc = &w->sc;
	struct sim_swport *sp;
	const struct sim_link *l;
	uint32_t i, e, k, beyond;

	for (i = 0; i < w->nep; i++)
		if (w->ep[i]->role == SIM_ROLE_RECEIVER)
			w->ep[i]->sw->port[w->ep[i]->swport].rank = sim_scenario_rx_rank(sc, i);
	for (i = 0; i < w->nlinks; i++) {
		l = w->link[i];
		for (e = 0; e < 2; e++) {
			sp = &l->sw[e]->port[l->swport[e]];
			beyond = sim_scenario_beyond(sc, i, e);
			for (k = 0; k < sc->nendpoints; k++) {
				if (sc->endpoints[k].role != SIM_ROLE_RECEIVER ||
				    !((beyond >> sc->endpoints[k].sw) & 1))
					continue;
				sp->reach[sim_scenario_rx_rank(sc, k) / 64] |=
					1ULL << (sim_scenario_rx_rank(sc, k) % 64);
			}
		}
	}
}

static int sim_world_trace(struct sim_world *w, const char *trace_override,
			   char *err, size_t errlen)
{
	const struct sim_sc_trace *t = &w->sc.trace;
	struct sim_trace_gen g = { 0 };
	const char *file = trace_override != NULL ? trace_override : t->file;
	uint32_t learning, ranks = sim_world_rx_ranks(&w->sc, &learning);
	int rc;

	memcpy(g.src_mac, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 6);
	memcpy(g.dst_mac, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 }, 6);
	if (file[0] != '\0') {
		/* A frame travels as a chain of up to NETMAP_MAX_FRAGS slots. */
		rc = sim_trace_load(&w->trace, file,
				    NETMAP_MAX_FRAGS * w->sc.buf_size, err, errlen);
		/* One rule for every topology: the file's flows are
		 * readdressed as the built-in trace's are (source
		 * 02:00:00:00:00:01, flow f to receiver rank f mod R, R = 1
		 * where no switch learns), so a capture whose MACs the
		 * bridge would send back (all zeros on a loopback) replays
		 * end to end; trace.addresses: keep replays them as
		 * captured. */
		if (rc == 0 && !t->keep_addresses)
			sim_trace_address(&w->trace, g.src_mac, g.dst_mac,
					  learning != 0 ? ranks : 1);
		return rc;
	}
	g.ndst = ranks;
	g.packets = t->packets;
	g.size = t->size;
	g.flows = t->flows;
	g.rate_pps = t->gen_rate_pps;
	g.seed = w->sc.seed;
	if (t->size > w->sc.buf_size) {
		snprintf(err, errlen, "%s: trace.size %u is over buf_size %u",
			 w->sc.source, t->size, w->sc.buf_size);
		return -EINVAL;
	}
	return sim_trace_generate(&w->trace, &g, err, errlen);
}

/*
 * The replay's time base: *loop_ns, the period of one pass over the trace
 * (its span plus one mean gap), and a check that the last packet's release
 * time, loops included, stays below SIM_MAX_RELEASE_NS.  Past it time
 * would wrap (latencies of 1e19 ns, time going backwards), so the run is
 * refused: 0, or -EINVAL with one line.
 */
static int sim_world_release_span(struct sim_world *w, uint64_t per_sender,
				  uint64_t *loop_ns, char *err, size_t errlen)
{
	const struct sim_trace *t = &w->trace;
	uint64_t span = t->last_ts_ns, last = 0, k = per_sender - 1;
	uint64_t rate = w->sc.trace.rate_pps;
	char src[4 * SIM_TEXT_SHOW + 4];
	bool over = false;

	over |= __builtin_add_overflow(span, t->count > 1 ? span / (t->count - 1) + 1
							 : 1000, loop_ns);
	switch (w->sc.trace.mode) {
	case SIM_TRACE_TIMESTAMPS:
		over |= __builtin_mul_overflow(k / t->count, *loop_ns, &last);
		/* k % count is the last record: the span. */
		over |= __builtin_add_overflow(last, span, &last);
		break;
	case SIM_TRACE_RATE:
		/* sim_app_release_time()'s split form, checked. */
		over |= __builtin_mul_overflow(k / rate, 1000000000ULL, &last);
		over |= __builtin_add_overflow(last, k % rate * 1000000000ULL / rate, &last);
		break;
	case SIM_TRACE_FAST:
	default:
		return 0;
	}
	if (over || last > SIM_MAX_RELEASE_NS) {
		snprintf(err, errlen,
			 "%s: the last packet (%llu records x %u loops) would be released past 2^62 ns (146 years) of simulated time (expected a shorter trace span, fewer loops or a higher rate)",
			 sim_text_show(src, sizeof(src), w->sc.source, SIM_TEXT_SHOW),
			 (unsigned long long)t->count, w->sc.trace.loops);
		return -EINVAL;
	}
	return 0;
}

void sim_world_init(struct sim_world *w)
{
	memset(w, 0, sizeof(*w));
	w->run.eng = &w->eng;
	w->run.cache = &w->cache;
	w->run.owner = w;
	w->run.add_actor = sim_world_add_actor;
	w->run.violation = sim_world_run_violation;
	w->run.checks_repeat = sim_world_checks_repeat;
	w->run.internal_error = sim_world_run_internal_error;
}

int sim_world_build(struct sim_world *w, const struct sim_scenario *sc,
		    const char *trace_override, const char *pcap_dir,
		    char *err, size_t errlen)
{
	const struct sim_sc_endpoint *cfg;
	struct sim_switch *sw;
	struct sim_ep *ep;
	uint64_t cap = 0, loop_ns = 0, per_sender;
	size_t pathlen;
	char *path;
	uint32_t i, j, pin, nmon = 0;
	int rc;

	sim_world_init(w);
	w->sc = *sc;
	rc = sim_scenario_check_backends(sc, err, errlen);
	if (rc != 0)
		return rc;
	w->run.step_by_step = getenv("NMSIM_STEP_BY_STEP") != NULL;
	w->pcap_dir = pcap_dir;
	nm_sim_os_reset(NULL);
	sim_costs_install(&w->sc.costs, w->sc.seed);
	if (sim_engine_init(&w->eng) != 0)
		goto oom;
	w->eng.after = sim_world_after;
	w->eng.after_arg = w;
	if (sim_cache_init(&w->cache) != 0)
		goto oom;
	nm_sim_os.hook = sim_cache_hook;
	nm_sim_os.hook_arg = &w->run;
	/* NMSIM_MODEL=concurrent|step overrides the scenario (benchmarks and
	 * the equivalence tests run one scenario under both). */
	if (getenv("NMSIM_MODEL") != NULL)
		w->sc.concurrent = !strcmp(getenv("NMSIM_MODEL"), "concurrent");
	if (w->sc.concurrent)
		sim_actor_concurrent_on(&w->run, w->sc.quantum_ns);
	rc = sim_scenario_check_offloads(&w->sc, err, errlen);
	if (rc != 0)
		return rc;
	/* sim.memory sc (the default) installs nothing: runs as before. */
	if (w->sc.memory != SIM_MEM_SC) {
		w->run.wmem = sim_wmem_create(&w->run, (enum sim_memory)w->sc.memory,
					      w->sc.store_visibility_ns, w->sc.seed);
		if (w->run.wmem == NULL)
			goto oom;
	}
	rc = sim_world_trace(w, trace_override, err, errlen);
	if (rc != 0)
		return rc;
	/* Every sender replays the whole trace (one sender per switch). */
	per_sender = (uint64_t)w->trace.count * w->sc.trace.loops;
	rc = sim_world_release_span(w, per_sender, &loop_ns, err, errlen);
	if (rc != 0)
		return rc;
	for (i = 0; i < sc->nendpoints; i++)
		if (sc->endpoints[i].role == SIM_ROLE_SENDER)
			w->total_packets += per_sender;
	for (i = 0; i < sc->nendpoints; i++)
		cap += 4ULL * sc->endpoints[i].slots;
	if (sim_pkts_init(&w->pk, &w->trace, cap + 4096, sc->nendpoints) != 0)
		goto oom;
	w->reg = calloc(1, sizeof(*w->reg));
	if (w->reg == NULL || nm_registry_init(w->reg) != 0)
		goto oom;
	nm_sim_lock_name(&w->reg->lock, "registry");
	if (pcap_dir != NULL && mkdir(pcap_dir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create the pcap directory: %s",
			 pcap_dir, strerror(errno));
		return -EINVAL;
	}
	for (i = 0; i < sc->nhosts; i++) {
		if (sc->hosts[i].cpus == 0)
			continue;
		w->host_cpu[i] = calloc(sc->hosts[i].cpus, sizeof(*w->host_cpu[i]));
		if (w->host_cpu[i] == NULL)
			goto oom;
		for (j = 0; j < sc->hosts[i].cpus; j++)
			sim_cpu_init(&w->host_cpu[i][j],
				     (uint64_t)sc->hosts[i].timeslice_us * 1000ULL);
	}
	for (i = 0; i < sc->nswitches; i++) {
		sw = calloc(1, sizeof(*sw));
		if (sw == NULL)
			goto oom;
		sw->type = sc->switches[i].type;
		sw->idx = i;
		snprintf(sw->name, sizeof(sw->name), "%s", sc->switches[i].name);
		w->sw[i] = sw;
	}
	for (i = 0; i < sc->nendpoints; i++) {
		cfg = &w->sc.endpoints[i];
		ep = calloc(1, sizeof(*ep));
		if (ep == NULL)
			goto oom;
		w->ep[i] = ep;
		w->nep = i + 1;
		ep->run = &w->run;
		ep->trace = &w->trace;
		ep->tcfg = &w->sc.trace;
		ep->pk = &w->pk;
		ep->buf_size = w->sc.buf_size;
		ep->cfg = cfg;
		ep->idx = i;
		ep->role = cfg->role;
		ep->dir = cfg->role == SIM_ROLE_SENDER ? NR_TX : NR_RX;
		ep->sw = w->sw[cfg->sw];
		rc = sim_switch_open_port_spare(ep->sw, w->reg, cfg->name, i,
						cfg->role, cfg->slots,
						w->sc.buf_size,
						sim_monitor_spare_bufs(cfg, w->sc.buf_size),
						&ep->swport, err, errlen);
		if (rc != 0)
			return rc;
		ep->port = ep->sw->port[ep->swport].p;
		ep->pkr = sim_switch_kring(ep->sw, ep->swport);
		/* The header length through the request path the module's
		 * NIOCCTRL takes (PORT_HDR_SET), before any frame moves. */
		ep->vnet_hdr = sim_dev_vnet_hdr_len(cfg);
		if (ep->vnet_hdr != 0) {
			rc = sim_switch_set_vnet_hdr(ep->sw, w->reg, ep->swport,
						     ep->vnet_hdr, err, errlen);
			if (rc != 0)
				return rc;
		}
		if (sim_xen_accel_on(cfg)) {
			/* The accelerator's port "<name>.accel", before the
			 * bridges learn (a third port makes a switch learn). */
			char aname[SIM_NAME_MAX + 8];

			snprintf(aname, sizeof(aname), "%s.accel", cfg->name);
			rc = sim_switch_open_port(ep->sw, w->reg, aname, i, cfg->role,
						  cfg->slots, w->sc.buf_size,
						  &ep->accel_swport, err, errlen);
			if (rc != 0)
				return rc;
			ep->accel_port = ep->sw->port[ep->accel_swport].p;
			ep->accel_pkr = sim_switch_kring(ep->sw, ep->accel_swport);
		}
		sim_actor_init(&ep->app, &w->run, cfg->name, i, sim_app_body,
			       sim_app_has_work, ep);
		/* Before the device: a guest's interrupt handler takes the
		 * application's (v)CPU. */
		if (cfg->cpu != SIM_CPU_OWN)
			sim_actor_pin(&ep->app, &w->host_cpu[cfg->host][cfg->cpu]);
	}
	/* Links' ports before the learning: a link port on a learning
	 * switch learns the receivers beyond it. */
	for (i = 0; i < sc->nlinks; i++) {
		w->link[i] = calloc(1, sizeof(*w->link[i]));
		if (w->link[i] == NULL)
			goto oom;
		w->nlinks = i + 1;
		rc = sim_link_build(w->link[i], &w->run, w->reg, w->sw,
				    &w->sc.links[i], i, w->sc.buf_size,
				    w->trace.max_len, err, errlen);
		if (rc != 0)
			return rc;
	}
	sim_world_ranks(w);
	/* Before any device is attached: the bridges learn the receivers. */
	for (i = 0; i < sc->nswitches; i++) {
		rc = sim_switch_learn(w->sw[i], err, errlen);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < w->nep; i++) {
		ep = w->ep[i];
		ep->ops = sim_dev_model_of(ep->cfg)->ops;
		rc = ep->ops->init(ep, err, errlen);
		if (rc != 0) {
			if (err[0] == '\0')
				snprintf(err, errlen, "endpoint %s: device setup failed: %d",
					 ep->cfg->name, rc);
			ep->ops = NULL;
			return rc;
		}
		pin = ep->cfg->kloop_cpu != SIM_CPU_OWN ? ep->cfg->kloop_cpu
							 : ep->cfg->backend_cpu;
		if (pin != SIM_CPU_OWN && ep->backend != NULL)
			sim_actor_pin(ep->backend, &w->host_cpu[ep->cfg->host][pin]);
		if (ep->role == SIM_ROLE_SENDER) {
			ep->src_total = per_sender;
			ep->src_loop_ns = loop_ns;
			ep->cur = calloc(1, sizeof(*ep->cur));
			if (ep->cur == NULL)
				goto oom;
			rc = sim_trace_cur_open(ep->cur, &w->trace);
			if (rc != 0) {
				snprintf(err, errlen, "%s", ep->cur->err);
				return rc;
			}
			if (ep->vnet_hdr != 0 && sim_guest_init(ep, w->trace.max_len) != 0)
				goto oom;
			continue;
		}
		ep->rxbuf = malloc(w->trace.max_len + SIM_VNET_HDR_MAX);
		if (ep->rxbuf == NULL)
			goto oom;
		if (ep->vnet_hdr == 0 && sim_world_may_segment(w, ep)) {
			ep->seg = calloc(1, sizeof(*ep->seg));
			if (ep->seg == NULL || sim_seg_init(ep->seg, w->trace.max_len) != 0)
				goto oom;
		}
		if (pcap_dir != NULL) {
			/* Sized to fit: a clipped path would put the capture
			 * beside the directory, not in it. */
			pathlen = strlen(pcap_dir) + strlen(ep->cfg->name) + sizeof("/.pcap");
			path = malloc(pathlen);
			if (path == NULL)
				goto oom;
			snprintf(path, pathlen, "%s/%s.pcap", pcap_dir, ep->cfg->name);
			/* Frames are written whole, chains gathered. */
			ep->sink = sim_pcap_sink_open(path,
						      w->trace.max_len > w->sc.buf_size
							      ? w->trace.max_len
							      : w->sc.buf_size,
						      err, errlen);
			free(path);
			if (ep->sink == NULL)
				return -EINVAL;
		}
	}
	/* Monitors once the ports' devices are set up: they watch the
	 * port an endpoint's datapath syncs. */
	for (i = 0; i < w->nep; i++)
		nmon += w->ep[i]->cfg->nmonitors;
	if (nmon != 0) {
		w->mon = calloc(nmon, sizeof(*w->mon));
		if (w->mon == NULL)
			goto oom;
	}
	for (i = 0; i < w->nep; i++) {
		for (j = 0; j < w->ep[i]->cfg->nmonitors; j++) {
			rc = sim_monitor_open(w->ep[i], j, w->reg, pcap_dir,
					      &w->mon[w->nmon], err, errlen);
			if (rc != 0)
				return rc;
			w->nmon++;
		}
	}
	for (i = 0; i < w->nep; i++) {
		/* rx_start irq: the application's first step is a wait for
		 * its first interrupt (an application blocked on its irqfd
		 * right after SYNC_KLOOP_START, a driver after open), so only
		 * the CSB's initial appl_need_kick asks the kloop for it. */
		if (w->ep[i]->cfg->rx_start == SIM_RX_START_IRQ)
			sim_actor_sleep(&w->ep[i]->app);
		else
			sim_actor_start(&w->ep[i]->app, 0);
	}
	for (i = 0; i < w->nmon; i++)
		sim_actor_start(sim_monitor_actor(w->mon[i]), 0);
	for (i = 0; i < w->nlinks; i++)
		sim_link_start(w->link[i]);
	/* Lock counts are the run's, not the build's (learning frames). */
	nm_sim_lock_stats_reset();
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory building the run", sc->source);
	return -ENOMEM;
}

void sim_world_switch_flow(const struct sim_world *w, uint32_t s,
			   struct sim_sw_flow *f)
{
	const struct sim_ep *ep;
	uint32_t i, d;

	f->in = f->out = 0;
	f->drops = sim_switch_drops(w->sw[s]);
	/* Frames, not packets: what the switch cut from GSO packets comes
	 * out as frames of their own (to a receiver, which gathers them, or
	 * onto a link, which carries them as packets), so it counts in. */
	if (w->sw[s]->type == SIM_SW_VALE)
		for (i = 0; i < w->sw[s]->nports; i++)
			f->in += vale_port_rx_seg_extra(
				(const struct vale_port *)w->sw[s]->port[i].p);
	for (i = 0; i < w->nlinks; i++) {
		for (d = 0; d < 2; d++) {
			if (w->link[i]->dir[d].in_sw == w->sw[s])
				f->out += w->link[i]->dir[d].taken;
			if (w->link[i]->dir[d].out_sw == w->sw[s])
				f->in += w->link[i]->dir[d].delivered;
		}
	}
	for (i = 0; i < w->nep; i++) {
		ep = w->ep[i];
		if (ep->sw != w->sw[s])
			continue;
		if (ep->role == SIM_ROLE_SENDER)
			f->in += ep->st.pkts;
		else
			f->out += ep->st.frames; /* == pkts without segments */
		f->drops += ep->st.dev_drops;
	}
}

/* Drained: per switch, what its senders and links injected was delivered
 * to its receivers and links or dropped by a counted reason at its ports
 * or devices; per link direction, what it took was delivered or dropped. */
static void sim_world_check_switches(struct sim_world *w)
{
	const struct sim_link_dir *ld;
	struct sim_sw_flow f;
	uint64_t extra, gathered;
	uint32_t i, d;

	for (i = 0; i < w->nlinks; i++) {
		for (d = 0; d < 2; d++) {
			ld = &w->link[i]->dir[d];
			w->inv_checks[SIM_INV_CONSERVATION]++;
			if (ld->taken != ld->delivered + ld->drops_queue_full +
						 ld->drops_too_big ||
			    ld->first != ld->next)
				sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, 0,
						  "link %s direction %u: taken %llu != delivered %llu + dropped %llu (%llu still queued)",
						  w->link[i]->cfg->name, d,
						  (unsigned long long)ld->taken,
						  (unsigned long long)ld->delivered,
						  (unsigned long long)(ld->drops_queue_full +
									 ld->drops_too_big),
						  (unsigned long long)(ld->next - ld->first));
		}
	}

	/* Segments: every frame the switches cut from GSO packets beyond
	 * each one's first (their ports' rx_seg_extra, counted before the
	 * frames are published) reached a receiver, which gathered it into
	 * its packet: one packet in, N segments out is neither a loss nor a
	 * duplicate.  (The ports' rx_pkts is not used: the core adds it
	 * after publishing, so a receiver may have taken frames it does not
	 * count yet when the run ends.) */
	extra = 0;
	gathered = 0;
	for (i = 0; i < w->sc.nswitches; i++)
		if (w->sw[i]->type == SIM_SW_VALE)
			for (d = 0; d < w->sw[i]->nports; d++)
				extra += vale_port_rx_seg_extra(
					(const struct vale_port *)w->sw[i]->port[d].p);
	for (i = 0; i < w->nep; i++)
		if (w->ep[i]->role == SIM_ROLE_RECEIVER)
			gathered += w->ep[i]->st.frames - w->ep[i]->st.pkts;
	w->inv_checks[SIM_INV_CONSERVATION]++;
	if (gathered != extra)
		sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, 0,
				  "the switches cut %llu frames beyond their packets' first, the receivers took %llu frames beyond their packets",
				  (unsigned long long)extra, (unsigned long long)gathered);
	for (i = 0; i < w->sc.nswitches; i++) {
		w->inv_checks[SIM_INV_CONSERVATION]++;
		sim_world_switch_flow(w, i, &f);
		if (f.in != f.out + f.drops)
			sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, 0,
					  "switch %s: in %llu != out %llu + dropped %llu",
					  w->sw[i]->name, (unsigned long long)f.in,
					  (unsigned long long)f.out,
					  (unsigned long long)f.drops);
	}
}

void sim_world_run(struct sim_world *w)
{
	uint64_t until = w->sc.max_time_us != 0 ? w->sc.max_time_us * 1000ULL
						: UINT64_MAX;
	struct sim_actor *a;
	uint32_t i;

	sim_engine_run(&w->eng, until);
	if (w->run.deadlock[0] != '\0' && !w->failed) {
		snprintf(w->fail_msg, sizeof(w->fail_msg), "deadlock at %llu ns: %s",
			 (unsigned long long)w->eng.now_ns, w->run.deadlock);
		w->failed = true;
	}
	/* The run ends when its last step does: a step starts at an event's
	 * time but ends later, by its cost. */
	w->end_ns = w->eng.now_ns;
	for (i = 0; i < w->nactors; i++)
		if (w->actors[i]->cpu->busy_until > w->end_ns)
			w->end_ns = w->actors[i]->cpu->busy_until;
	/* Drained: nobody may be left asleep with work (a lost notification
	 * that nothing else would ever recover), and every packet counts.
	 * Stranded intervals still open end with the run.  The run stops at
	 * the event that accounts for its last packet, which may leave other
	 * steps suspended mid-way (concurrent model): a receiver kloop that
	 * has stored the pipe's rx_pos and not yet notified the sender's
	 * kloop, a guest that has published head and not yet read the kick
	 * flag.  Their notification is on its way, so, as after every event,
	 * "asleep with work" is judged only with no step suspended; an
	 * interval a judged check opened earlier is still stranded. */
	for (i = 0; i < w->nactors; i++) {
		a = w->actors[i];
		if (!w->failed && a->has_work != NULL && a->sleeping &&
		    (w->run.midstep == 0 || a->stranded_since != UINT64_MAX) &&
		    a->has_work(a)) {
			sim_actor_strand(a, w->end_ns);
			sim_run_violation(&w->run, SIM_INV_NOTIFICATION, a, a->ep,
					  "stranded at the end: asleep with work and no notification on its way");
		}
		sim_actor_unstrand(a, w->end_ns);
	}
	if (w->failed)
		return;
	w->inv_checks[SIM_INV_CONSERVATION]++;
	if (w->finished || sim_engine_next_time(&w->eng) == UINT64_MAX) {
		/* Drained: no receiver is left holding part of a packet. */
		for (i = 0; i < w->nep; i++)
			if (w->ep[i]->seg != NULL && w->ep[i]->seg->n != 0)
				sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, i,
						  "receiver %s: %u segments of a GSO packet at the end, never completed",
						  w->ep[i]->cfg->name, w->ep[i]->seg->n);
		if (w->pk.injected != w->pk.delivered + sim_world_drops(w) ||
		    w->pk.injected != sim_world_expected(w))
			sim_run_violation(&w->run, SIM_INV_CONSERVATION, NULL, 0,
					  "run drained with injected %llu of %llu, delivered %llu, dropped %llu",
					  (unsigned long long)w->pk.injected,
					  (unsigned long long)sim_world_expected(w),
					  (unsigned long long)w->pk.delivered,
					  (unsigned long long)sim_world_drops(w));
	}
	if (!w->failed && (w->finished || sim_engine_next_time(&w->eng) == UINT64_MAX))
		sim_world_check_switches(w);
	for (i = 0; !w->failed && i < w->nmon; i++)
		sim_monitor_finish(w->mon[i], &w->inv_checks[SIM_INV_CONSERVATION]);
	w->inv_checks[SIM_INV_FLOW_ORDER] = w->pk.checks_order;
	w->inv_checks[SIM_INV_PAYLOAD] = w->pk.checks_payload;
}

void sim_world_destroy(struct sim_world *w)
{
	uint32_t i;

	/* Coroutines first: actors live in what is freed below.  A run
	 * stopped (a violation, max_time_us) with an actor suspended in the
	 * middle of a step abandons that step: the locks and read sections
	 * it held stay marked until the ports are closed below. */
	for (i = 0; i < w->nactors; i++)
		sim_actor_fini(w->actors[i]);
	sim_actor_concurrent_off();
	sim_wmem_destroy(w->run.wmem);
	w->run.wmem = NULL;
	nm_sim_os.actors_gone = true;
	nm_sim_os.readers_suspended = 0;

	/* Monitors before the ports they hold a reference to. */
	for (i = 0; i < w->nmon; i++)
		sim_monitor_close(w->mon[i]);
	free(w->mon);

	for (i = 0; i < w->nep; i++) {
		if (w->ep[i]->ops != NULL && w->ep[i]->ops->fini != NULL)
			w->ep[i]->ops->fini(w->ep[i]);
		sim_pcap_sink_close(w->ep[i]->sink);
		if (w->ep[i]->cur != NULL)
			sim_trace_cur_close(w->ep[i]->cur);
		free(w->ep[i]->cur);
		free(w->ep[i]->rxbuf);
		sim_guest_fini(w->ep[i]);
		if (w->ep[i]->seg != NULL)
			sim_seg_fini(w->ep[i]->seg);
		free(w->ep[i]->seg);
	}
	for (i = 0; i < w->nlinks; i++) {
		sim_link_fini(w->link[i]);
		free(w->link[i]);
	}
	for (i = 0; i < w->sc.nswitches; i++) {
		if (w->sw[i] != NULL)
			sim_switch_close(w->sw[i]);
		free(w->sw[i]);
	}
	for (i = 0; i < w->nep; i++)
		free(w->ep[i]);
	if (w->reg != NULL) {
		nm_registry_fini(w->reg);
		free(w->reg);
	}
	for (i = 0; i < SIM_MAX_HOSTS; i++)
		free(w->host_cpu[i]);
	sim_pkts_fini(&w->pk);
	sim_trace_free(&w->trace);
	nm_sim_os.hook = NULL;
	nm_sim_os.hook_arg = NULL;
	sim_cache_fini(&w->cache);
	sim_engine_fini(&w->eng);
	memset(w, 0, sizeof(*w));
}
