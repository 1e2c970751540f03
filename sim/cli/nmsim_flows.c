/*
 * nmsim_flows.c - `nmsim run --flows`: results per flow of the trace.
 *
 * Owns: turning the packet accounting's per-flow counters (sim_pkt.h,
 * enabled before the run) into figures.  A flow's injected count is its
 * records x loops x senders (every sender replays the whole trace); its
 * drops are injected - delivered when the run drained (nothing in flight),
 * else unknown (-1 in JSON, '-' in text): switches count drops by port,
 * not by flow.  Mpps is the flow's deliveries over the run's first-in to
 * last-out window.  Only the first SIM_PKT_MAX_FLOW_STATS flows are
 * followed.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "nmsim_flows.h"

int nmsim_flows_enable(struct sim_world *w)
{
	int rc = sim_pkt_flows_enable(&w->pk, w->trace.nflows);

	if (rc != 0)
		fprintf(stderr, "nmsim: --flows: out of memory\n");
	return rc != 0 ? NMSIM_EXIT_BAD : 0;
}

struct nmsim_flow {
	uint64_t injected, delivered;
	int64_t drops; /* -1: not attributable (packets in flight) */
	double mpps;
};

/* Records per followed flow, in one pass over the trace (freed by the
 * caller); NULL when out of memory. */
static uint64_t *nmsim_flow_records(const struct sim_world *w)
{
	uint64_t *n = calloc(w->pk.nflow_stats + 1, sizeof(*n));

	if (n != NULL)
		sim_trace_flow_records(&w->trace, w->pk.nflow_stats, n);
	return n;
}

static void nmsim_flow(const struct sim_world *w, const struct sim_summary *s, uint32_t f,
		       uint64_t recs, struct nmsim_flow *r)
{
	uint64_t per_rec = w->trace.count != 0 ? w->total_packets / w->trace.count : 0;

	r->injected = recs * per_rec;
	r->delivered = w->pk.flow_stats[f].delivered;
	r->drops = s->in_flight == 0 && s->in == sim_world_expected(w) && r->injected >= r->delivered
			   ? (int64_t)(r->injected - r->delivered) : -1;
	r->mpps = s->sim_ns != 0 ? (double)r->delivered * 1e3 / (double)s->sim_ns : 0;
}

void nmsim_flows_text(FILE *f, const struct sim_world *w, const struct sim_summary *s)
{
	uint64_t *recs = nmsim_flow_records(w);
	struct nmsim_flow r;
	uint32_t i;

	fprintf(f, "  flows      %u (%u followed)\n    %6s %10s %10s %10s %8s %10s %10s %10s %10s\n",
		w->trace.nflows, w->pk.nflow_stats, "flow", "injected", "delivered", "drops",
		"loss %", "Mpps", "p50 ns", "p99 ns", "max ns");
	for (i = 0; recs != NULL && i < w->pk.nflow_stats; i++) {
		nmsim_flow(w, s, i, recs[i], &r);
		fprintf(f, "    %6u %10" PRIu64 " %10" PRIu64, i, r.injected, r.delivered);
		if (r.drops >= 0)
			fprintf(f, " %10" PRId64 " %8.3f", r.drops,
				r.injected ? 100.0 * (double)r.drops / (double)r.injected : 0.0);
		else
			fprintf(f, " %10s %8s", "-", "-");
		fprintf(f, " %10.3f %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", r.mpps,
			sim_pkt_flow_latency(&w->pk, i, 500), sim_pkt_flow_latency(&w->pk, i, 990),
			w->pk.flow_stats[i].lat_max);
	}
	free(recs);
}

json_t *nmsim_flows_json(const struct sim_world *w, const struct sim_summary *s)
{
	uint64_t *recs = nmsim_flow_records(w);
	json_t *a = json_array();
	struct nmsim_flow r;
	uint32_t i;

	for (i = 0; recs != NULL && i < w->pk.nflow_stats; i++) {
		nmsim_flow(w, s, i, recs[i], &r);
		json_array_append_new(a, json_pack(
			"{s:I,s:I,s:I,s:I,s:f,s:f,s:{s:I,s:I,s:I,s:I,s:I}}", "flow", (json_int_t)i,
			"injected", (json_int_t)r.injected, "delivered", (json_int_t)r.delivered,
			"drops", (json_int_t)r.drops,
			"loss_percent", r.drops >= 0 && r.injected ? 100.0 * (double)r.drops / (double)r.injected : 0.0,
			"mpps", r.mpps, "latency_ns",
			"p50", (json_int_t)sim_pkt_flow_latency(&w->pk, i, 500),
			"p90", (json_int_t)sim_pkt_flow_latency(&w->pk, i, 900),
			"p99", (json_int_t)sim_pkt_flow_latency(&w->pk, i, 990),
			"p99_9", (json_int_t)sim_pkt_flow_latency(&w->pk, i, 999),
			"max", (json_int_t)w->pk.flow_stats[i].lat_max));
	}
	free(recs);
	return a;
}
