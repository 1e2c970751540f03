/*
 * sim_report.c - the human-readable and JSON reports of a run.
 *
 * Per switch: ports, packets in (its senders' and links'), out (its
 * receivers' and links'), drops; per link direction: taken, delivered,
 * dropped (queue full), the deepest queue, Mpps and Gbit/s of line time
 * (first frame's first bit to last frame's last bit); per actor the CPU it
 * runs on (a host CPU "HOST/K" or its own), per host CPU its busy time; per endpoint: its packets and Mpps over the run's window, its
 * notifications, and its switch port's counters (in = taken from its TX
 * ring, out = delivered into its RX ring, drops counted with it as the
 * source; a sender's packets delivered to any receiver).
 */
#include "sim_report.h"

#include <inttypes.h>
#include <string.h>

#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_ep.h"
#include "sim_report_accel.h"
#include "sim_report_locks.h"
#include "sim_link.h"
#include "sim_monitor.h"
#include "sim_switch.h"
#include "sim_text.h"

const struct sim_drop_info sim_drop_info[SIM_DROP_NREASONS] = {
	[VALE_DROP_LOOKUP] = { "switch_lookup", "switch: the lookup dropped it" },
	[VALE_DROP_SELF] = { "switch_self",
			     "switch: destination MAC learnt on the sending port" },
	[VALE_DROP_NO_PORT] = { "switch_no_port", "switch: no port for the destination" },
	[VALE_DROP_BAD_RING] = { "switch_bad_ring", "switch: no such destination ring" },
	[VALE_DROP_RX_FULL] = { "switch_rx_full", "switch: destination RX ring full" },
	[VALE_DROP_BAD_SLOT] = { "switch_bad_slot", "switch: bad source slot" },
	[VALE_DROP_BAD_DST] = { "switch_bad_dst", "switch: bad destination slot" },
	[VALE_DROP_FRAGS] = { "switch_frags", "switch: too many fragments" },
	[VALE_DROP_TRUNC] = { "switch_trunc", "switch: chain cut by the end of a batch" },
	[VALE_DROP_INDIRECT] = { "switch_indirect_fault", "switch: NS_INDIRECT payload unreadable" },
	[VALE_DROP_VNET_HDR] = { "switch_vnet_hdr", "switch: virtio-net header refused" },
	[SIM_DROP_DEVICE] = { "device", "device model" },
	[SIM_DROP_DEVICE_TOO_BIG] = { "device_too_big", "device: frame over the buffer size" },
	[SIM_DROP_LINK_QUEUE_FULL] = { "link_queue_full", "link queue full" },
	[SIM_DROP_LINK_TOO_BIG] = { "link_too_big", "link: frame over the NIC's buffer size" },
	[SIM_DROP_DEVICE_OVER_MTU] = { "device_over_mtu",
				       "device: frame longer than the device model carries" },
	[SIM_DROP_TAP_QUEUE_FULL] = { "tap_queue_full", "tap: queue full (txqueuelen)" },
	[SIM_DROP_TAP_NO_DEST] = { "tap_no_dest", "tap: no tap on the bridge has the destination" },
	[SIM_DROP_SOCKQ_FULL] = { "socket_queue_full",
				  "guest stack: socket receive queue full" },
};

/* An input string (a name from the scenario, a path) as the report shows
 * it: one line, no raw control byte. */
#define SHOW(buf, str) sim_text_show(buf, sizeof(buf), str, sizeof(buf))

/* A JSON string of an input string: jansson refuses invalid UTF-8, so
 * such a string is stored escaped rather than lost. */
static json_t *json_text(const char *str)
{
	char buf[1024];
	json_t *j = json_string(str);

	return j != NULL ? j : json_string(SHOW(buf, str));
}

/* The lowest bucket with a packet, and the mean of the bucket bounds. */
static void lat_min_mean(const struct sim_pkts *pk, struct sim_summary *s)
{
	double sum = 0;
	bool seen = false;
	unsigned b;

	for (b = 0; b < SIM_LAT_BUCKETS; b++) {
		if (pk->lat_hist[b] == 0)
			continue;
		if (!seen)
			s->lat_min = sim_pkt_latency_bin_ns(b);
		seen = true;
		sum += (double)sim_pkt_latency_bin_ns(b) * (double)pk->lat_hist[b];
	}
	s->lat_mean = pk->lat_count != 0 ? sum / (double)pk->lat_count : 0;
}

void sim_summary_collect(const struct sim_world *w, double wall_s,
			 struct sim_summary *s)
{
	const struct sim_pkts *pk = &w->pk;
	uint32_t i, r;

	memset(s, 0, sizeof(*s));
	s->in = pk->injected;
	s->out = pk->delivered;
	s->bytes_out = pk->bytes_out;
	for (i = 0; i < w->sc.nswitches; i++)
		for (r = 0; r < VALE_DROP_NREASONS; r++)
			s->drop_by[r] += sim_switch_drops_reason(w->sw[i], r);
	for (i = 0; i < w->nep; i++) {
		const struct sim_ep_stats *st = &w->ep[i]->st;

		s->drop_by[SIM_DROP_DEVICE] += st->dev_drops - st->drops_too_big -
					       st->drops_over_mtu - st->drops_tap_full -
					       st->drops_tap_no_dest - st->drops_sockq_full;
		s->drop_by[SIM_DROP_TAP_QUEUE_FULL] += st->drops_tap_full;
		s->drop_by[SIM_DROP_TAP_NO_DEST] += st->drops_tap_no_dest;
		s->drop_by[SIM_DROP_SOCKQ_FULL] += st->drops_sockq_full;
		s->drop_by[SIM_DROP_DEVICE_TOO_BIG] += st->drops_too_big;
		s->drop_by[SIM_DROP_DEVICE_OVER_MTU] += st->drops_over_mtu;
		s->kicks += st->kicks;
		s->irqs += st->irqs;
		s->vmexits += st->vmexits;
		s->syscalls += st->syscalls;
		s->hypercalls += st->hypercalls;
		s->frames_out += st->frames;
		s->frame_bytes += st->rx_frame_bytes;
		s->l4_bytes += st->l4_bytes;
	}
	for (i = 0; i < w->nlinks; i++)
		for (r = 0; r < 2; r++) {
			s->drop_by[SIM_DROP_LINK_QUEUE_FULL] += w->link[i]->dir[r].drops_queue_full;
			s->drop_by[SIM_DROP_LINK_TOO_BIG] += w->link[i]->dir[r].drops_too_big;
		}
	for (r = 0; r < SIM_DROP_NREASONS; r++)
		s->drops += s->drop_by[r];
	for (i = 0; i < w->nactors; i++) {
		s->spurious += w->actors[i]->spurious;
		s->wakeups += w->actors[i]->wakeups;
		s->stranded_ns += w->actors[i]->stranded_ns;
		s->strandings += w->actors[i]->strandings;
		if (w->actors[i]->stranded_max_ns > s->stranded_max_ns)
			s->stranded_max_ns = w->actors[i]->stranded_max_ns;
	}
	if (pk->delivered != 0 && pk->last_out > pk->first_in)
		s->sim_ns = pk->last_out - pk->first_in;
	if (s->sim_ns != 0) {
		s->mpps = (double)s->out * 1e3 / (double)s->sim_ns;
		s->gbps = (double)s->bytes_out * 8.0 / (double)s->sim_ns;
		s->gbps_payload = (double)s->l4_bytes * 8.0 / (double)s->sim_ns;
		s->gbps_wire = (double)(s->frame_bytes + SIM_ETH_WIRE_OVERHEAD * s->frames_out) *
			       8.0 / (double)s->sim_ns;
	}
	s->in_flight = s->in > s->out + s->drops ? s->in - s->out - s->drops : 0;
	s->lat_p50 = sim_pkt_latency(pk, 500);
	s->lat_p90 = sim_pkt_latency(pk, 900);
	s->lat_p99 = sim_pkt_latency(pk, 990);
	s->lat_p999 = sim_pkt_latency(pk, 999);
	s->lat_max = pk->lat_max;
	lat_min_mean(pk, s);
	s->events = w->eng.executed;
	s->wall_s = wall_s;
	s->events_per_s = wall_s > 0 ? (double)s->events / wall_s : 0;
}

static bool over_warn_share(uint64_t drops, uint64_t in)
{
	return drops * 1000 > in * SIM_LOSS_WARN_PERMILLE;
}

bool sim_summary_lossy(const struct sim_summary *s)
{
	uint32_t r;

	for (r = 0; r < SIM_DROP_NREASONS; r++)
		if (over_warn_share(s->drop_by[r], s->in))
			return true;
	return false;
}

/* Dropped packets in per cent of those injected. */
static double loss_pct(uint64_t drops, uint64_t in)
{
	return in != 0 ? 100.0 * (double)drops / (double)in : 0.0;
}

static double per_pkt(uint64_t x, uint64_t pkts)
{
	return pkts != 0 ? (double)x / (double)pkts : 0.0;
}

/* An endpoint's packets over the run's window (first in to last out). */
static double ep_mpps(const struct sim_ep *ep, const struct sim_summary *s)
{
	return s->sim_ns != 0 ? (double)ep->st.pkts * 1e3 / (double)s->sim_ns : 0.0;
}

/* The trace's first frame length, for a link's ceiling. */
static uint32_t link_frame_len(const struct sim_world *w)
{
	return w->trace.count != 0 ? w->trace.first_len : 60;
}

/* Frame bytes delivered per second of line time, in Gbit/s. */
static double link_gbps(const struct sim_link *l, uint32_t d)
{
	const struct sim_link_dir *ld = &l->dir[d];

	if (ld->delivered == 0 || ld->last_end_ps <= ld->first_start_ps)
		return 0.0;
	return (double)ld->bytes * 8.0 * 1e3 / (double)(ld->last_end_ps - ld->first_start_ps);
}

/* "HOST/K" for an actor pinned to a host CPU, "own" otherwise. */
static const char *actor_cpu(const struct sim_world *w, const struct sim_actor *a,
			     char *buf, size_t len)
{
	uint32_t h, k;

	for (h = 0; h < w->sc.nhosts; h++)
		for (k = 0; w->host_cpu[h] != NULL && k < w->sc.hosts[h].cpus; k++)
			if (a->cpu == &w->host_cpu[h][k]) {
				snprintf(buf, len, "%s/%u", w->sc.hosts[h].name, k);
				return buf;
			}
	return "own";
}

static double busy_pct(const struct sim_world *w, uint64_t busy_ns)
{
	return w->end_ns != 0 ? 100.0 * (double)busy_ns / (double)w->end_ns : 0.0;
}

/* A sender's tagged packets delivered to any receiver. */
static uint64_t ep_delivered(const struct sim_ep *ep)
{
	return ep->idx < ep->pk->senders ? ep->pk->delivered_from[ep->idx] : 0;
}

/* The cost model in force: the primitives that differ from the defaults. */
static void report_costs_text(FILE *f, const struct sim_world *w)
{
	struct sim_costs def;
	const char *sep = "";
	uint32_t i;

	sim_costs_default(&def);
	fprintf(f, "  costs      ");
	for (i = 0; i < SIM_C_COUNT; i++) {
		if (w->sc.costs.ps[i] == def.ps[i])
			continue;
		fprintf(f, "%s%s %" PRIu64 " (default %" PRIu64 ")", sep, sim_cost_info[i].name,
			sim_cost_get(&w->sc.costs, (int)i), sim_cost_get(&def, (int)i));
		sep = ", ";
	}
	fprintf(f, "%s\n", *sep ? "" : "the defaults (nmsim list costs)");
	sep = "";
	for (i = 0; i < SIM_C_COUNT; i++) {
		const struct sim_jitter *j = &w->sc.costs.jitter[i];

		if (j->dist == SIM_JITTER_NONE)
			continue;
		fprintf(f, "%s%s %s", *sep ? sep : "  jitter     ", sim_cost_info[i].name,
			sim_jitter_names[j->dist]);
		if (j->param != 0)
			fprintf(f, " %s %" PRIu64, j->param == 's' ? "sd" : "width",
				sim_cost_get_jitter_param(&w->sc.costs, (int)i));
		sep = ", ";
	}
	if (*sep)
		fprintf(f, " (seed %" PRIu64 ")\n", w->sc.seed);
}

/* costs.jitter in force: {NAME: {dist, sd or width}}, {} when none. */
static json_t *costs_jitter_json(const struct sim_world *w)
{
	json_t *o = json_object(), *e;
	uint32_t i;

	for (i = 0; i < SIM_C_COUNT; i++) {
		const struct sim_jitter *j = &w->sc.costs.jitter[i];

		if (j->dist == SIM_JITTER_NONE)
			continue;
		e = json_pack("{s:s}", "dist", sim_jitter_names[j->dist]);
		if (j->param != 0)
			json_object_set_new(e, j->param == 's' ? "sd" : "width",
					    json_integer((json_int_t)sim_cost_get_jitter_param(&w->sc.costs, (int)i)));
		json_object_set_new(o, sim_cost_info[i].name, e);
	}
	return o;
}

/* An endpoint's device keys and their values. */
/* Copies per packet: bytes copied over the bytes of the frames the
 * device moved, 0 without one. */
static double ep_per_pkt(const struct sim_ep *ep, uint64_t v)
{
	return ep->st.frame_bytes != 0 ? (double)v / (double)ep->st.frame_bytes : 0;
}

/* The VMM backend's figures (docs/simulator.md, "Backends"): switch
 * txsyncs and frames per txsync, copies by who made them, per packet. */
static void ep_backend_text(FILE *f, const struct sim_ep *ep)
{
	const struct sim_tap *t = sim_tap_of(ep->sw->tap, ep->idx);
	const struct sim_ep_stats *st = &ep->st;

	if (t != NULL)
		fprintf(f, "    %-10s   tap: written %" PRIu64 ", queued for it %" PRIu64
			", read %" PRIu64 ", dropped for it (queue full) %" PRIu64
			", wake-ups %" PRIu64 "\n", "", t->st.written, t->st.queued,
			t->st.read, t->st.drops_queue_full, t->st.wakeups);

	if (st->frame_bytes == 0)
		return;
	fprintf(f, "    %-10s   backend: txsyncs %" PRIu64 " (%.1f frames each)"
		" copies/pkt device %.2f switch %.2f host %.2f\n", "",
		st->port_txsyncs,
		st->port_txsyncs != 0 ? (double)st->port_tx_pkts / (double)st->port_txsyncs : 0,
		ep_per_pkt(ep, st->copy_bytes_dev), ep_per_pkt(ep, st->copy_bytes_switch),
		ep_per_pkt(ep, st->copy_bytes_host));
}

static json_t *ep_backend_json(const struct sim_ep *ep)
{
	const struct sim_ep_stats *st = &ep->st;
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"txsyncs", (json_int_t)st->port_txsyncs,
		"txsync_frames", (json_int_t)st->port_tx_pkts,
		"frame_bytes", (json_int_t)st->frame_bytes,
		"copy_bytes_device", (json_int_t)st->copy_bytes_dev,
		"copy_bytes_switch", (json_int_t)st->copy_bytes_switch,
		"copy_bytes_host", (json_int_t)st->copy_bytes_host,
		"drops_tap_queue_full", (json_int_t)st->drops_tap_full,
		"drops_tap_no_dest", (json_int_t)st->drops_tap_no_dest);

	json_object_set_new(o, "frames_per_txsync",
			    json_real(st->port_txsyncs != 0
					      ? (double)st->port_tx_pkts / (double)st->port_txsyncs
					      : 0));
	json_object_set_new(o, "copies_per_pkt", json_pack("{s:f,s:f,s:f}",
		"device", ep_per_pkt(ep, st->copy_bytes_dev),
		"switch", ep_per_pkt(ep, st->copy_bytes_switch),
		"host", ep_per_pkt(ep, st->copy_bytes_host)));
	return o;
}

/* A tap's counters (backend tap): what its writer wrote, what joined
 * its queue, what its reader read, and dropped there. */
static json_t *ep_tap_json(const struct sim_tap *t)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		"written", (json_int_t)t->st.written, "queued", (json_int_t)t->st.queued,
		"read", (json_int_t)t->st.read,
		"drops_queue_full", (json_int_t)t->st.drops_queue_full,
		"wakeups", (json_int_t)t->st.wakeups, "txqueuelen", (json_int_t)t->cap);
}

static json_t *ep_options_json(const struct sim_ep *ep)
{
	const struct sim_dev_key *k;
	json_t *o = json_object();
	uint32_t i, v;
	char buf[64];

	for (i = 0; (k = sim_dev_key_at(i)) != NULL; i++) {
		if (!sim_dev_accepts(ep->cfg, k))
			continue;
		v = sim_dev_key_get(ep->cfg, k);
		if (k->type == SIM_DEV_KEY_BOOL)
			json_object_set_new(o, k->name, json_boolean(v != 0));
		else if (k->type == SIM_DEV_KEY_ENUM)
			json_object_set_new(o, k->name, json_string(k->names[v]));
		else if (k->type == SIM_DEV_KEY_FLAGS)
			json_object_set_new(o, k->name,
					    json_string(sim_dev_flags_name(k, v, buf, sizeof(buf))));
		else
			json_object_set_new(o, k->name, json_integer((json_int_t)v));
	}
	return o;
}

/* Latency: the percentiles, and the histogram's non-empty bins as
 * [lowest ns, packets]. */
static json_t *latency_json(const struct sim_pkts *pk, const struct sim_summary *s)
{
	json_t *bins = json_array();
	unsigned b;

	for (b = 0; b < SIM_LAT_BUCKETS; b++)
		if (pk->lat_hist[b] != 0)
			json_array_append_new(bins, json_pack("[I,I]",
				(json_int_t)sim_pkt_latency_bin_ns(b), (json_int_t)pk->lat_hist[b]));
	return json_pack("{s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:o}", "min", (json_int_t)s->lat_min,
			 "mean", s->lat_mean, "p50", (json_int_t)s->lat_p50,
			 "p90", (json_int_t)s->lat_p90, "p99", (json_int_t)s->lat_p99,
			 "p99_9", (json_int_t)s->lat_p999, "max", (json_int_t)s->lat_max,
			 "histogram", bins);
}

/* One line per monitor (docs/monitors.md): frames it saw, slots lost to
 * its full ring, parent slots it could not show. */
static void monitor_text(FILE *f, const struct sim_monitor *m)
{
	struct sim_monitor_stats ms;
	char name[256], pcap[SIM_PATH_MAX + 64];

	if (!sim_monitor_stats(m, &ms))
		return;
	fprintf(f, "    %-10s monitor %u (%s, rings %s): seen tx %" PRIu64 " rx %" PRIu64
		" frames, dropped %" PRIu64 " slots (monitor ring full), bad %" PRIu64 "%s%s\n",
		SHOW(name, ms.ep_name), ms.k, ms.mode, ms.rings, ms.seen[NR_TX],
		ms.seen[NR_RX], ms.dropped, ms.bad, ms.pcap[0] != '\0' ? ", pcap " : "",
		SHOW(pcap, ms.pcap));
}

static json_t *monitor_json(const struct sim_monitor *m)
{
	struct sim_monitor_stats ms;
	json_t *o;

	if (!sim_monitor_stats(m, &ms))
		return NULL;
	o = json_object();
	json_object_set_new(o, "endpoint", json_text(ms.ep_name));
	json_object_set_new(o, "index", json_integer(ms.k));
	json_object_set_new(o, "mode", json_string(ms.mode));
	json_object_set_new(o, "rings", json_string(ms.rings));
	json_object_set_new(o, "seen_tx", json_integer((json_int_t)ms.seen[NR_TX]));
	json_object_set_new(o, "seen_rx", json_integer((json_int_t)ms.seen[NR_RX]));
	json_object_set_new(o, "dropped", json_integer((json_int_t)ms.dropped));
	json_object_set_new(o, "bad", json_integer((json_int_t)ms.bad));
	if (ms.pcap[0] != '\0')
		json_object_set_new(o, "pcap", json_text(ms.pcap));
	return o;
}

void sim_report_text(FILE *f, const struct sim_world *w,
		     const struct sim_summary *s)
{
	char name[SIM_TEXT_SHOW * 4 + 4], src[1024], n2[SIM_TEXT_SHOW * 4 + 4];
	uint64_t pk = s->out;
	const char *sep = " (";
	uint32_t i;

	fprintf(f, "nmsim: scenario %s (%s), seed %" PRIu64 "\n", SHOW(name, w->sc.name),
		SHOW(src, w->sc.source), w->sc.seed);
	fprintf(f, "  trace      %s, %llu records x %u loops", SHOW(src, w->trace.name),
		(unsigned long long)w->trace.count, w->sc.trace.loops);
	if (w->trace.ts_clamped != 0)
		fprintf(f, " (%" PRIu64 " timestamps went backwards: each replayed at its predecessor's time)",
			w->trace.ts_clamped);
	fprintf(f, "\n  result     %s\n", w->failed ? "FAILED" : w->finished ? "ok (every packet accounted for)" : "ok (stopped at max_time_us)");
	if (w->failed)
		fprintf(f, "  failure    %s\n", w->fail_msg);
	fprintf(f, "  packets    in %" PRIu64 ", out %" PRIu64 ", dropped %" PRIu64,
		s->in, s->out, s->drops);
	for (i = 0; i < SIM_DROP_NREASONS; i++) {
		if (s->drop_by[i] == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64, sep, sim_drop_info[i].text, s->drop_by[i]);
		sep = ", ";
	}
	fprintf(f, "%s, in flight %" PRIu64 "\n", s->drops != 0 ? ")" : "", s->in_flight);
	fprintf(f, "  throughput %.3f Mpps, %.3f Gbit/s over %.3f ms simulated, loss %.2f%%\n",
		s->mpps, s->gbps, (double)s->sim_ns / 1e6, loss_pct(s->drops, s->in));
	fprintf(f, "  bytes      %.3f Gbit/s of TCP/UDP payload, %.3f Gbit/s on an Ethernet wire (%" PRIu64
		" frames for %" PRIu64 " packets at the receivers, +%u bytes each)\n",
		s->gbps_payload, s->gbps_wire, s->frames_out, s->out, SIM_ETH_WIRE_OVERHEAD);
	for (i = 0; i < SIM_DROP_NREASONS; i++)
		if (over_warn_share(s->drop_by[i], s->in))
			fprintf(f, "  warning    %.2f%% of the packets were dropped: %s (%" PRIu64
				" of %" PRIu64 ")\n", loss_pct(s->drop_by[i], s->in),
				sim_drop_info[i].text, s->drop_by[i], s->in);
	fprintf(f, "  latency    min %" PRIu64 " ns, mean %.0f ns, p50 %" PRIu64 " ns, p90 %" PRIu64
		" ns, p99 %" PRIu64 " ns, p99.9 %" PRIu64 " ns, max %" PRIu64 " ns\n",
		s->lat_min, s->lat_mean, s->lat_p50, s->lat_p90, s->lat_p99, s->lat_p999,
		s->lat_max);
	report_costs_text(f, w);
	fprintf(f, "  per packet kicks %.4f, interrupts %.4f, VM exits %.4f, syscalls %.4f, hypercalls %.4f, spurious wake-ups %.4f\n",
		per_pkt(s->kicks, pk), per_pkt(s->irqs, pk), per_pkt(s->vmexits, pk),
		per_pkt(s->syscalls, pk), per_pkt(s->hypercalls, pk),
		per_pkt(s->spurious, pk));
	fprintf(f, "  stranded   %" PRIu64 " ns asleep with work and no notification on its way (%" PRIu64
		" intervals, longest %" PRIu64 " ns%s)\n", s->stranded_ns, s->strandings,
		s->stranded_max_ns, w->sc.stranded_measure ? "; sim.stranded measure" : "");
	fprintf(f, "  cache      %" PRIu64 " cache-line transfers (%.3f per packet)\n",
		w->cache.transfers, per_pkt(w->cache.transfers, pk));
	fprintf(f, "  switches\n");
	for (i = 0; i < w->sc.nswitches; i++) {
		struct sim_sw_flow fl;

		sim_world_switch_flow(w, i, &fl);
		fprintf(f, "    %-10s %-6s ports %2u  in %" PRIu64 " out %" PRIu64
			" dropped %" PRIu64 " (rx ring full %" PRIu64 ")%s\n",
			SHOW(name, w->sw[i]->name), sim_switch_type_name(w->sw[i]->type),
			w->sw[i]->nports, fl.in, fl.out, fl.drops,
			sim_switch_drops_rx_full(w->sw[i]),
			w->sw[i]->learned ? ", receivers learnt"
			: w->sw[i]->tap != NULL ? ", a host bridge of taps" : "");
	}
	fprintf(f, "  endpoints\n");
	for (i = 0; i < w->nep; i++) {
		const struct sim_ep *ep = w->ep[i];
		struct sim_swport_stats ps;

		sim_switch_port_stats(ep->sw, ep->swport, &ps);
		fprintf(f, "    %-10s %-8s %-6s %-6s batch %4u slots %4u  pkts %" PRIu64
			" (%.3f Mpps) kicks %" PRIu64 " irqs %" PRIu64 " exits %" PRIu64 " syscalls %" PRIu64
			" hypercalls %" PRIu64 "\n",
			SHOW(name, ep->cfg->name), ep->role == SIM_ROLE_SENDER ? "sender" : "receiver",
			sim_device_name(ep->cfg->device), sim_switch_type_name(ep->sw->type),
			ep->cfg->batch, ep->cfg->slots, ep->st.pkts,
			ep_mpps(ep, s), ep->st.kicks,
			ep->st.irqs, ep->st.vmexits, ep->st.syscalls, ep->st.hypercalls);
		fprintf(f, "    %-10s   port %s: in %" PRIu64 " out %" PRIu64 " dropped %" PRIu64
			" (rx ring full %" PRIu64 ")", "", SHOW(src, ep->port->name), ps.tx_pkts,
			ps.rx_pkts, ps.drops, ps.drops_rx_full);
		if (ep->role == SIM_ROLE_SENDER)
			fprintf(f, "; delivered %" PRIu64, ep_delivered(ep));
		else if (ep->st.pads != 0)
			fprintf(f, "; %" PRIu64 " empty pad slots skipped", ep->st.pads);
		fprintf(f, "\n");
		if (ep->vnet_hdr != 0 || ep->seg != NULL)
			fprintf(f, "    %-10s   offload vnet_hdr %u: %" PRIu64 " GSO, %" PRIu64
				" partial checksum, %" PRIu64 " bytes summed in the guest, %" PRIu64
				" frames cut by the guest; %" PRIu64 " frames, %" PRIu64
				" packets gathered from segments\n", "", ep->vnet_hdr, ep->st.gso_pkts,
				ep->st.csum_pkts, ep->st.csum_bytes, ep->st.guest_split,
				ep->st.frames, ep->st.seg_pkts);
		ep_backend_text(f, ep);
		sim_report_accel_text(f, ep, s->sim_ns);
	}
	if (w->nmon != 0)
		fprintf(f, "  monitors\n");
	for (i = 0; i < w->nmon; i++)
		monitor_text(f, w->mon[i]);
	if (w->nlinks != 0)
		fprintf(f, "  links\n");
	for (i = 0; i < w->nlinks; i++) {
		const struct sim_link *l = w->link[i];
		uint32_t d;

		fprintf(f, "    %-10s %s <-> %s, %.3f Gbit/s, delay %" PRIu64 " ns, queue %u (ceiling %.3f Mpps of %u-byte frames)\n",
			SHOW(name, l->cfg->name), SHOW(src, l->sw[0]->name),
			SHOW(n2, l->sw[1]->name),
			(double)l->cfg->bandwidth_bps / 1e9, l->cfg->delay_ns,
			l->cfg->queue, sim_link_max_mpps(l, link_frame_len(w)),
			link_frame_len(w));
		for (d = 0; d < 2; d++) {
			const struct sim_link_dir *ld = &l->dir[d];

			if (ld->taken == 0)
				continue;
			fprintf(f, "      %s -> %s: taken %" PRIu64 " delivered %" PRIu64
				" dropped %" PRIu64 " (queue full), max queue %" PRIu64
				", %.3f Mpps, %.3f Gbit/s on the line\n",
				SHOW(name, ld->in_sw->name), SHOW(n2, ld->out_sw->name),
				ld->taken, ld->delivered,
				ld->drops_queue_full, ld->max_queued, sim_link_mpps(l, d),
				link_gbps(l, d));
		}
	}
	fprintf(f, "  actors\n");
	for (i = 0; i < w->nactors; i++) {
		const struct sim_actor *a = w->actors[i];
		char cpu[48];

		fprintf(f, "    %-14s runs %10" PRIu64 " wake-ups %8" PRIu64 " spurious %8" PRIu64
			" busy %6.2f%% cpu %s\n", SHOW(name, a->name), a->runs, a->wakeups,
			a->spurious, busy_pct(w, a->busy_ns),
			SHOW(src, actor_cpu(w, a, cpu, sizeof(cpu))));
		if (a->strandings != 0)
			fprintf(f, "    %-14s stranded %10" PRIu64 " ns in %" PRIu64 " intervals, longest %" PRIu64
				" ns\n", "", a->stranded_ns, a->strandings, a->stranded_max_ns);
		if (w->run.concurrent)
			fprintf(f, "    %-14s suspended %8" PRIu64 " lock waits %6" PRIu64
				" lock spin %10" PRIu64 " ns\n", "", a->conts, a->lock_waits,
				a->lock_spin_ns);
	}
	if (w->run.concurrent)
		fprintf(f, "  concurrency model concurrent, quantum %" PRIu64 " ns: %" PRIu64
			" suspensions, %" PRIu64 " lock waits, %" PRIu64 " ns spinning, %" PRIu64
			" preemptions\n", w->run.quantum_ns, w->run.conts, w->run.lock_waits,
			w->run.lock_spin_ns, w->run.preemptions);
	sim_report_locks_text(f, w);
	for (i = 0; i < w->sc.nhosts; i++) {
		uint32_t k;

		for (k = 0; w->host_cpu[i] != NULL && k < w->sc.hosts[i].cpus; k++)
			fprintf(f, "  cpu %s/%u busy %6.2f%% preemptions %" PRIu64 "\n",
				SHOW(name, w->sc.hosts[i].name), k,
				busy_pct(w, w->host_cpu[i][k].busy_ns),
				w->host_cpu[i][k].preemptions);
	}
	fprintf(f, "  invariants\n");
	for (i = 0; i < SIM_INV_COUNT; i++)
		fprintf(f, "    %-22s checked %12" PRIu64 "  violations %" PRIu64 "\n",
			sim_inv_names[i], w->inv_checks[i], w->inv_violations[i]);
	fprintf(f, "  engine     %" PRIu64 " events in %.3f s wall (%.2f M events/s)\n",
		s->events, s->wall_s, s->events_per_s / 1e6);
	fprintf(f, "  fingerprint %016" PRIx64 "\n", w->eng.fingerprint);
}

json_t *sim_report_json(const struct sim_world *w, const struct sim_summary *s)
{
	json_t *o = json_object(), *eps = json_array(), *inv = json_object();
	json_t *costs = json_object(), *actors = json_array(), *pp = json_object();
	json_t *sws = json_array(), *lks = json_array(), *cpus = json_array();
	char fp[24];
	uint32_t i;

	json_t *drops = json_object(), *warn = json_array();

	json_object_set_new(o, "scenario", json_text(w->sc.name));
	json_object_set_new(o, "source", json_text(w->sc.source));
	json_object_set_new(o, "seed", json_integer((json_int_t)w->sc.seed));
	json_object_set_new(o, "trace", json_text(w->trace.name));
	json_object_set_new(o, "trace_ts_clamped", json_integer((json_int_t)w->trace.ts_clamped));
	json_object_set_new(o, "ok", json_boolean(!w->failed));
	json_object_set_new(o, "finished", json_boolean(w->finished));
	if (w->failed)
		json_object_set_new(o, "failure", json_string(w->fail_msg));
	json_object_set_new(o, "packets_in", json_integer((json_int_t)s->in));
	json_object_set_new(o, "packets_out", json_integer((json_int_t)s->out));
	json_object_set_new(drops, "total", json_integer((json_int_t)s->drops));
	for (i = 0; i < SIM_DROP_NREASONS; i++) {
		json_object_set_new(drops, sim_drop_info[i].key,
				    json_integer((json_int_t)s->drop_by[i]));
		if (over_warn_share(s->drop_by[i], s->in))
			json_array_append_new(warn, json_pack("{s:s,s:s,s:I,s:f}",
				"reason", sim_drop_info[i].key, "text", sim_drop_info[i].text,
				"packets", (json_int_t)s->drop_by[i],
				"loss_percent", loss_pct(s->drop_by[i], s->in)));
	}
	json_object_set_new(o, "drops", drops);
	json_object_set_new(o, "loss_percent", json_real(loss_pct(s->drops, s->in)));
	json_object_set_new(o, "warnings", warn);
	json_object_set_new(o, "end_ns", json_integer((json_int_t)w->end_ns));
	json_object_set_new(o, "sim_ns", json_integer((json_int_t)s->sim_ns));
	json_object_set_new(o, "mpps", json_real(s->mpps));
	json_object_set_new(o, "gbps", json_real(s->gbps));
	json_object_set_new(o, "gbps_payload", json_real(s->gbps_payload));
	json_object_set_new(o, "gbps_wire", json_real(s->gbps_wire));
	json_object_set_new(o, "frames_out", json_integer((json_int_t)s->frames_out));
	json_object_set_new(o, "split_extra", json_integer((json_int_t)w->pk.split_extra));
	json_object_set_new(o, "in_flight", json_integer((json_int_t)s->in_flight));
	json_object_set_new(o, "latency_ns", latency_json(&w->pk, s));
	json_object_set_new(pp, "kicks", json_real(per_pkt(s->kicks, s->out)));
	json_object_set_new(pp, "interrupts", json_real(per_pkt(s->irqs, s->out)));
	json_object_set_new(pp, "vm_exits", json_real(per_pkt(s->vmexits, s->out)));
	json_object_set_new(pp, "syscalls", json_real(per_pkt(s->syscalls, s->out)));
	json_object_set_new(pp, "hypercalls", json_real(per_pkt(s->hypercalls, s->out)));
	json_object_set_new(pp, "spurious_wakeups", json_real(per_pkt(s->spurious, s->out)));
	json_object_set_new(pp, "cacheline_transfers", json_real(per_pkt(w->cache.transfers, s->out)));
	json_object_set_new(o, "per_packet", pp);
	json_object_set_new(o, "totals", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"kicks", (json_int_t)s->kicks, "interrupts", (json_int_t)s->irqs,
		"vm_exits", (json_int_t)s->vmexits, "syscalls", (json_int_t)s->syscalls,
		"hypercalls", (json_int_t)s->hypercalls, "spurious_wakeups", (json_int_t)s->spurious,
		"wakeups", (json_int_t)s->wakeups));
	for (i = 0; i < w->sc.nswitches; i++) {
		struct sim_sw_flow fl;

		sim_world_switch_flow(w, i, &fl);
		json_array_append_new(sws, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:b}",
			"name", w->sw[i]->name, "type", sim_switch_type_name(w->sw[i]->type),
			"ports", (json_int_t)w->sw[i]->nports, "in", (json_int_t)fl.in,
			"out", (json_int_t)fl.out, "drops", (json_int_t)fl.drops,
			"drops_rx_full", (json_int_t)sim_switch_drops_rx_full(w->sw[i]),
			"learnt", w->sw[i]->learned));
	}
	json_object_set_new(o, "switches", sws);
	for (i = 0; i < w->nlinks; i++) {
		const struct sim_link *l = w->link[i];
		json_t *dirs = json_array();
		uint32_t d;

		for (d = 0; d < 2; d++) {
			const struct sim_link_dir *ld = &l->dir[d];
			json_t *o2 = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}",
				"from", ld->in_sw->name, "to", ld->out_sw->name,
				"taken", (json_int_t)ld->taken,
				"delivered", (json_int_t)ld->delivered,
				"drops_queue_full", (json_int_t)ld->drops_queue_full,
				"max_queue", (json_int_t)ld->max_queued,
				"first_bit_ps", (json_int_t)ld->first_start_ps,
				"last_bit_ps", (json_int_t)ld->last_end_ps);

			json_object_set_new(o2, "pads", json_integer((json_int_t)ld->pads));
			json_object_set_new(o2, "mpps", json_real(sim_link_mpps(l, d)));
			json_object_set_new(o2, "gbps", json_real(link_gbps(l, d)));
			json_array_append_new(dirs, o2);
		}
		json_array_append_new(lks, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o}",
			"name", l->cfg->name, "from", l->sw[0]->name, "to", l->sw[1]->name,
			"bandwidth_bps", (json_int_t)l->cfg->bandwidth_bps,
			"delay_ns", (json_int_t)l->cfg->delay_ns,
			"queue", (json_int_t)l->cfg->queue,
			"ceiling_mpps", sim_link_max_mpps(l, link_frame_len(w)),
			"directions", dirs));
	}
	json_object_set_new(o, "links", lks);
	for (i = 0; i < w->nep; i++) {
		const struct sim_ep *ep = w->ep[i];
		struct sim_swport_stats ps;
		json_t *e, *acc;

		sim_switch_port_stats(ep->sw, ep->swport, &ps);
		e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"name", ep->cfg->name,
			"role", ep->role == SIM_ROLE_SENDER ? "sender" : "receiver",
			"device", sim_device_name(ep->cfg->device),
			"switch", sim_switch_type_name(ep->sw->type),
			"switch_name", ep->sw->name,
			"batch", (json_int_t)ep->cfg->batch, "slots", (json_int_t)ep->cfg->slots,
			"packets", (json_int_t)ep->st.pkts, "kicks", (json_int_t)ep->st.kicks,
			"interrupts", (json_int_t)ep->st.irqs, "vm_exits", (json_int_t)ep->st.vmexits,
			"syscalls", (json_int_t)ep->st.syscalls,
			"hypercalls", (json_int_t)ep->st.hypercalls);
		json_object_set_new(e, "mpps", json_real(ep_mpps(ep, s)));
		json_object_set_new(e, "port", json_pack("{s:s,s:I,s:I,s:I,s:I}",
			"name", ep->port->name, "in", (json_int_t)ps.tx_pkts,
			"out", (json_int_t)ps.rx_pkts, "drops", (json_int_t)ps.drops,
			"drops_rx_full", (json_int_t)ps.drops_rx_full));
		if (ep->role == SIM_ROLE_SENDER)
			json_object_set_new(e, "delivered", json_integer((json_int_t)ep_delivered(ep)));
		else
			json_object_set_new(e, "pads", json_integer((json_int_t)ep->st.pads));
		json_object_set_new(e, "offload", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"vnet_hdr", (json_int_t)ep->vnet_hdr, "gso", (json_int_t)ep->st.gso_pkts,
			"csum_partial", (json_int_t)ep->st.csum_pkts,
			"csum_bytes_guest", (json_int_t)ep->st.csum_bytes,
			"guest_split", (json_int_t)ep->st.guest_split,
			"frames", (json_int_t)ep->st.frames,
			"seg_packets", (json_int_t)ep->st.seg_pkts,
			"segments_extra", (json_int_t)(ep->port->kind == NM_PORT_VALE ?
				vale_port_rx_seg_extra((const struct vale_port *)ep->port) : 0)));
		json_object_set_new(e, "options", ep_options_json(ep));
		json_object_set_new(e, "backend", ep_backend_json(ep));
		if (sim_tap_of(ep->sw->tap, ep->idx) != NULL)
			json_object_set_new(e, "tap", ep_tap_json(sim_tap_of(ep->sw->tap, ep->idx)));
		if ((acc = sim_report_accel_json(ep, s->sim_ns)) != NULL)
			json_object_set_new(e, "accel", acc);
		json_array_append_new(eps, e);
	}
	json_object_set_new(o, "endpoints", eps);
	if (w->nmon != 0) {
		json_t *mons = json_array(), *mj;

		for (i = 0; i < w->nmon; i++)
			if ((mj = monitor_json(w->mon[i])) != NULL)
				json_array_append_new(mons, mj);
		json_object_set_new(o, "monitors", mons);
	}
	for (i = 0; i < w->nactors; i++) {
		const struct sim_actor *a = w->actors[i];

		char cpu[48];

		json_array_append_new(actors, json_pack("{s:s,s:I,s:I,s:I,s:I,s:s,s:I,s:I,s:I}",
			"name", a->name, "runs", (json_int_t)a->runs,
			"wakeups", (json_int_t)a->wakeups, "spurious", (json_int_t)a->spurious,
			"busy_ns", (json_int_t)a->busy_ns,
			"cpu", actor_cpu(w, a, cpu, sizeof(cpu)),
			"stranded_ns", (json_int_t)a->stranded_ns,
			"stranded_max_ns", (json_int_t)a->stranded_max_ns,
			"strandings", (json_int_t)a->strandings));
	}
	json_object_set_new(o, "actors", actors);
	json_object_set_new(o, "stranded", json_pack("{s:s,s:I,s:I,s:I}",
		"mode", w->sc.stranded_measure ? "measure" : "fail",
		"total_ns", (json_int_t)s->stranded_ns, "max_ns", (json_int_t)s->stranded_max_ns,
		"intervals", (json_int_t)s->strandings));
	if (w->run.concurrent)
		json_object_set_new(o, "concurrency", json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}",
			"model", "concurrent", "quantum_ns", (json_int_t)w->run.quantum_ns,
			"suspensions", (json_int_t)w->run.conts,
			"lock_waits", (json_int_t)w->run.lock_waits,
			"lock_spin_ns", (json_int_t)w->run.lock_spin_ns,
			"preemptions", (json_int_t)w->run.preemptions));
	for (i = 0; i < w->sc.nhosts; i++) {
		uint32_t k;

		for (k = 0; w->host_cpu[i] != NULL && k < w->sc.hosts[i].cpus; k++)
			json_array_append_new(cpus, json_pack("{s:s,s:I,s:I,s:I}",
				"host", w->sc.hosts[i].name, "cpu", (json_int_t)k,
				"busy_ns", (json_int_t)w->host_cpu[i][k].busy_ns,
				"preemptions", (json_int_t)w->host_cpu[i][k].preemptions));
	}
	json_object_set_new(o, "cpus", cpus);
	sim_report_locks_json(o, w);
	for (i = 0; i < SIM_INV_COUNT; i++)
		json_object_set_new(inv, sim_inv_names[i], json_pack("{s:I,s:I}",
			"checked", (json_int_t)w->inv_checks[i],
			"violations", (json_int_t)w->inv_violations[i]));
	json_object_set_new(o, "invariants", inv);
	for (i = 0; i < SIM_C_COUNT; i++)
		json_object_set_new(costs, sim_cost_info[i].name,
				    json_integer((json_int_t)sim_cost_get(&w->sc.costs, (int)i)));
	json_object_set_new(o, "costs", costs);
	json_object_set_new(o, "costs_jitter", costs_jitter_json(w));
	json_object_set_new(o, "events", json_integer((json_int_t)s->events));
	json_object_set_new(o, "wall_s", json_real(s->wall_s));
	json_object_set_new(o, "events_per_s", json_real(s->events_per_s));
	snprintf(fp, sizeof(fp), "%016" PRIx64, w->eng.fingerprint);
	json_object_set_new(o, "fingerprint", json_string(fp));
	return o;
}
