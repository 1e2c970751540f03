/*
 * fuzz_sim.c - a whole small simulation: a scenario skeleton with
 * input-chosen overrides, built into a world on a trace file made of the
 * input's bytes, and run to its end.
 *
 * Input: a 32-byte header (skeleton, buffer size, seed, trace mode and
 * rate, loops, time limit, device options, link bandwidth/delay/queue/
 * slots, snap length, each endpoint's slots and batch; 0-padded), then the
 * trace: raw pcap bytes, or (the default) records described compactly and
 * written here as a valid pcap, so frames of any length up to 65536 and any
 * timestamp are a few bytes away.  The trace is handed over as a path
 * (/proc/self/fd/N of a memfd), as nmsim's --trace would.
 *
 * Oracles: every in-range override is accepted; the build succeeds, or
 * refuses with one non-empty line (and a well-formed trace that fits the
 * buffers and a netmap slot is never refused, unless its timestamps and
 * loops put a release within a factor 2 of 2^62 ns); the loaded trace is
 * the records written (count, lengths, bytes, times in order); release
 * times never go backwards; the run violates no invariant
 * (a failure message must name one); delivered <= injected <= the total;
 * a drained run accounts for every packet (injected == total == delivered
 * + sim_world_drops()); per link direction taken == delivered + dropped +
 * in flight; the summary agrees with the counters; and, when the header
 * asks, a second run of the same input gives the same fingerprint.
 * Bounds: at most 64 records, 16 MiB of rings, 51 ms of virtual time and
 * 256 packets (64 records x 4 loops), so an input runs in milliseconds;
 * only the long loop encoding (header byte 7 >= 0xf0: 2^(b - 0xf0) loops)
 * runs up to 16384, because one defect class needs more than the packet
 * table's 8192 entries in flight (a slow link's queue).
 */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include "sim_dev.h"
#include "sim_ep.h"
#include "sim_link.h"
#include "sim_report.h"
#include "sim_scenario.h"
#include "sim_world.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_NAME "fuzz_sim.yaml"
#define FUZZ_HDR_BYTES 32U
#define FUZZ_MAX_EPS 5U		   /* endpoints of the largest skeleton */
#define FUZZ_MAX_RECORDS 64U
#define FUZZ_MAX_PACKETS 16384U  /* records x loops x senders */
#define FUZZ_MAX_TRACE (2U << 20)  /* frame bytes written */
#define FUZZ_RING_BYTES (16U << 20)

/* Header byte 0. */
#define FUZZ_F_RAW 0x08U	/* the trace is raw pcap bytes */
#define FUZZ_F_NSEC 0x10U	/* nanosecond pcap (synthesised) */
#define FUZZ_F_TWICE 0x20U	/* run again: same fingerprint */
#define FUZZ_F_SNAP 0x40U	/* snap length from the header */
#define FUZZ_F_REPORT 0x80U	/* build the JSON report too */

/*
 * The skeletons: the shapes of sim/scenarios/ with small rings.  Endpoint
 * names are tx, rx, rx0..rx3 and the link l0, which the overrides use.
 */
#define FUZZ_SK_HEAD "seed: 1\nmax_time_us: 20000\nswitches:\n"
#define FUZZ_SK_EP(n, dev, sw, role)                                          \
	"  - {name: " n ", device: " dev ", switch: " sw ", role: " role      \
	", slots: 64, batch: 16}\n"
#define FUZZ_SK_PAIR(type, dev)                                               \
	FUZZ_SK_HEAD "  - {name: sw0, type: " type "}\nendpoints:\n"          \
	FUZZ_SK_EP("tx", dev, "sw0", "sender")                                \
	FUZZ_SK_EP("rx", dev, "sw0", "receiver")

static const char *const fuzz_skeletons[] = {
	"name: host-vale\n" FUZZ_SK_PAIR("vale", "none"),
	"name: host-pipe\n" FUZZ_SK_PAIR("pipe", "none"),
	"name: ptnet-vale\n" FUZZ_SK_PAIR("vale", "ptnet"),
	"name: e1000\n" FUZZ_SK_PAIR("vale", "e1000"),
	"name: virtio\n" FUZZ_SK_PAIR("vale", "virtio"),
	"name: xen\n" FUZZ_SK_PAIR("vale", "xen"),
	"name: two-switch-link\n" FUZZ_SK_HEAD
	"  - {name: sw0, type: vale}\n  - {name: sw1, type: vale}\n"
	"links:\n  - {name: l0, from: sw0, to: sw1, bandwidth_bps: 10000000000,"
	" delay_ns: 1000, queue: 64, slots: 64}\nendpoints:\n"
	FUZZ_SK_EP("tx", "none", "sw0", "sender")
	FUZZ_SK_EP("rx", "none", "sw1", "receiver"),
	"name: vale-1to4\nhosts:\n  - {name: h0}\n" FUZZ_SK_HEAD
	"  - {name: sw0, type: vale}\nendpoints:\n"
	FUZZ_SK_EP("tx", "ptnet", "sw0", "sender")
	FUZZ_SK_EP("rx0", "ptnet", "sw0", "receiver")
	FUZZ_SK_EP("rx1", "ptnet", "sw0", "receiver")
	FUZZ_SK_EP("rx2", "ptnet", "sw0", "receiver")
	FUZZ_SK_EP("rx3", "ptnet", "sw0", "receiver"),
};

#define FUZZ_NSKELETONS (sizeof(fuzz_skeletons) / sizeof(fuzz_skeletons[0]))

/* What the synthesised trace holds, for the trace oracle. */
struct fuzz_trace {
	uint32_t count;
	uint32_t len[FUZZ_MAX_RECORDS];
	bool fits;	/* every length in 14..snap and one slot, snap <= buf_size */
	int64_t first_ns, span_ns; /* first record's time; latest one after it */
};

/* A netmap slot's length is 16 bits: no frame is longer. */
#define FUZZ_SLOT_MAX 65535U
/* Release times at most this far out are valid whatever the limit of the
 * simulator (2^62 ns on main): a timestamps run below it is never refused. */
#define FUZZ_SAFE_RELEASE_NS (1ULL << 61)

struct fuzz_result {
	uint64_t fingerprint, executed, end_ns, injected, delivered, drops;
	bool failed;
};

static struct sim_scenario fuzz_sc;
static struct sim_world *fuzz_world;
static int fuzz_fd = -1;
static char fuzz_path[64];
static uint8_t *fuzz_buf;	/* the pcap being written */
static size_t fuzz_len, fuzz_cap;
static bool fuzz_verbose;	/* FUZZ_VERBOSE=1: what each input did */
/* FUZZ_SIM_FRAME_MAX=N: no synthesised frame over N bytes, to fuzz past an
 * open defect of large frames that would stop every other run. */
static uint32_t fuzz_frame_max = 65536;

static void fuzz_put(const void *p, size_t n)
{
	if (fuzz_len + n > fuzz_cap) {
		while (fuzz_len + n > fuzz_cap)
			fuzz_cap = fuzz_cap ? 2 * fuzz_cap : 65536;
		fuzz_buf = realloc(fuzz_buf, fuzz_cap);
		FUZZ_CHECK(fuzz_buf != NULL);
	}
	memcpy(fuzz_buf + fuzz_len, p, n);
	fuzz_len += n;
}

static void fuzz_put32(uint32_t v)
{
	fuzz_put(&v, 4); /* little-endian host: the magic says so */
}

/* Apply one override that is in range by construction: it must pass. */
static void fuzz_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fuzz_set(const char *fmt, ...)
{
	char set[160], err[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(set, sizeof(set), fmt, ap);
	va_end(ap);
	rc = sim_scenario_override(&fuzz_sc, set, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "fuzz_sim: override %s refused: %s\n", set, err);
	FUZZ_CHECK(rc == 0);
}

/* One record: a header byte h says how long (60, 14+b, 60+16b or any
 * 1..65536), when (same time, +b us, +b16 ms or an absolute time that may
 * go backwards) and which flow (UDP source port) it is; bit 7 makes it
 * non-IP.  Payload bytes are a pattern of the record's number. */
static void fuzz_record(struct fuzz_input *in, struct fuzz_trace *ft,
			uint32_t *sec, uint32_t *frac, bool nsec)
{
	static uint8_t frame[65536];
	uint8_t h = in_u8(in);
	uint32_t len, i, unit = nsec ? 1000U : 1U;
	uint64_t f, step;
	int64_t abs;

	switch (h & 3) {
	case 0: len = 60; break;
	case 1: len = 14U + in_u8(in); break;
	case 2: len = 60U + 16U * in_u8(in); break;
	default: len = in_u16(in); len = len != 0 ? len : 65536; break;
	}
	if (len > fuzz_frame_max)
		len = fuzz_frame_max;
	switch ((h >> 2) & 3) {
	case 0: step = 0; break;
	case 1: step = (uint64_t)in_u8(in) * unit; break;
	case 2: step = (uint64_t)in_u16(in) * 1000U * unit; break;
	default:
		*sec = in_u32(in);
		*frac = in_u32(in) % (nsec ? 1000000000U : 1000000U);
		step = 0;
		break;
	}
	f = *frac + step;
	*sec += (uint32_t)(f / (nsec ? 1000000000U : 1000000U));
	*frac = (uint32_t)(f % (nsec ? 1000000000U : 1000000U));
	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)(i * 7U + ft->count * 13U + h);
	memcpy(frame, (const uint8_t[12]){ 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 },
	       len < 12 ? len : 12);
	if (!(h & 0x80) && len >= 42) {
		/* IPv4/UDP 10.0.0.1:1000+flow -> 10.0.0.2:2000 */
		memcpy(frame + 12, (const uint8_t[]){ 0x08, 0x00, 0x45, 0, 0, 0,
			0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
			0x03, (uint8_t)(0xe8 + ((h >> 4) & 7)), 0x07, 0xd0 }, 26);
	}
	/* libpcap hands a host-order file's 32-bit seconds over as signed */
	abs = (int64_t)(int32_t)*sec * 1000000000 + (int64_t)*frac * (nsec ? 1 : 1000);
	if (ft->count == 0)
		ft->first_ns = abs;
	if (abs - ft->first_ns > ft->span_ns)
		ft->span_ns = abs - ft->first_ns;
	fuzz_put32(*sec);
	fuzz_put32(*frac);
	fuzz_put32(len);
	fuzz_put32(len);
	fuzz_put(frame, len);
	ft->len[ft->count++] = len;
}

/* Write the trace described by the rest of the input as a pcap. */
static void fuzz_synth(struct fuzz_input *in, struct fuzz_trace *ft,
		       uint32_t snap, bool nsec)
{
	uint32_t sec = 0, frac = 0;

	fuzz_put32(nsec ? 0xa1b23c4dU : 0xa1b2c3d4U);
	fuzz_put32(2U | 4U << 16); /* version 2.4 */
	fuzz_put32(0);
	fuzz_put32(0);
	fuzz_put32(snap);
	fuzz_put32(1); /* Ethernet */
	while (in->left > 0 && ft->count < FUZZ_MAX_RECORDS &&
	       fuzz_len < FUZZ_MAX_TRACE)
		fuzz_record(in, ft, &sec, &frac, nsec);
}

static void fuzz_write_trace(void)
{
	size_t off = 0;
	ssize_t n;

	FUZZ_CHECK(ftruncate(fuzz_fd, 0) == 0);
	while (off < fuzz_len) {
		n = pwrite(fuzz_fd, fuzz_buf + off, fuzz_len - off, (off_t)off);
		FUZZ_CHECK(n > 0);
		off += (size_t)n;
	}
}

/* Boolean device options, each set from one bit of header byte 10. */
static const struct {
	const char *dev;
	const char *key;
	uint8_t bit;
} fuzz_dev_flags[] = {
	{ "e1000", "send_combining", 2 },
	{ "e1000", "csb", 4 },
	{ "virtio", "event_idx", 1 },
	{ "xen", "fast_path", 1 },
};
#define FUZZ_NDEVFLAGS (sizeof(fuzz_dev_flags) / sizeof(fuzz_dev_flags[0]))

/* The header's overrides, each in range; false if the rings would be too
 * big to run in a few milliseconds. */
static bool fuzz_overrides(const uint8_t *hd, uint32_t *buf_size, uint32_t *snap)
{
	const struct sim_sc_endpoint *ep;
	const char *dev;
	uint64_t ring = 0, bw;
	uint32_t i, j, slots, b;
	static const char *const modes[] = { "fast", "timestamps", "rate" };

	*buf_size = ((uint32_t)(hd[1] | hd[2] << 8) % 1024U + 1U) * 64U;
	fuzz_set("buf_size=%u", *buf_size);
	fuzz_set("seed=%u", hd[3]);
	fuzz_set("trace.file=%s", fuzz_path);
	fuzz_set("trace.mode=%s", modes[hd[4] % 3]);
	fuzz_set("trace.rate_pps=%u", ((uint32_t)(hd[5] | hd[6] << 8) + 1U) * 15258U);
	fuzz_set("trace.loops=%u", hd[7] < 0xf0 ? 1U + hd[7] % 4U
						 : 1U << (hd[7] - 0xf0));
	fuzz_set("max_time_us=%u", (hd[8] + 1U) * 200U);
	for (i = 0; i < fuzz_sc.nendpoints; i++) {
		ep = &fuzz_sc.endpoints[i];
		b = hd[20 + 2 * (i % FUZZ_MAX_EPS)];
		slots = b == 0 ? ep->slots : (b & 0x80) ? 8U << (b % 10) : 8U + b;
		fuzz_set("endpoints.%s.batch=1", ep->name);
		fuzz_set("endpoints.%s.slots=%u", ep->name, slots);
		b = hd[21 + 2 * (i % FUZZ_MAX_EPS)];
		fuzz_set("endpoints.%s.batch=%u", ep->name,
			 b == 0 ? (slots > 16 ? 16 : slots - 1) : 1U + b % (slots - 1));
		if (hd[9] != 0)
			fuzz_set("endpoints.%s.pkt_work_ns=%u", ep->name, hd[9] * 10U);
		dev = sim_device_name(ep->device);
		for (j = 0; j < FUZZ_NDEVFLAGS; j++)
			if (strcmp(fuzz_dev_flags[j].dev, dev) == 0)
				fuzz_set("endpoints.%s.%s=%s", ep->name, fuzz_dev_flags[j].key,
					 hd[10] & fuzz_dev_flags[j].bit ? "true" : "false");
		if (strcmp(dev, "ptnet") == 0)
			fuzz_set("endpoints.%s.kloop=%s", ep->name,
				 hd[10] & 1 ? "busy" : "notify");
		/* A CSB receiver that starts asleep on its first interrupt
		 * (bit 8 of byte 10; xen only with its fast path). */
		if (ep->role == SIM_ROLE_RECEIVER &&
		    (strcmp(dev, "ptnet") == 0 ||
		     (strcmp(dev, "xen") == 0 && (hd[10] & 1))))
			fuzz_set("endpoints.%s.rx_start=%s", ep->name,
				 hd[10] & 8 ? "irq" : "sync");
		if (strcmp(dev, "e1000") == 0)
			fuzz_set("endpoints.%s.itr_us=%u", ep->name,
				 hd[10] & 1 ? (hd[10] >> 4) * 10U : 0U);
		ring += (uint64_t)slots * *buf_size;
	}
	if (fuzz_sc.nlinks != 0) {
		/* 1 bit/s .. 10^12 bit/s: the slow end keeps packets queued */
		bw = (uint64_t)(hd[12] + 1U) << (hd[11] % 33);
		fuzz_set("links.l0.bandwidth_bps=%llu",
			 (unsigned long long)(bw > 1000000000000ULL ? 1000000000000ULL : bw));
		fuzz_set("links.l0.delay_ns=%u", hd[13] * hd[13] * 15U);
		fuzz_set("links.l0.queue=%u", 1U << (hd[14] % 17));
		fuzz_set("links.l0.slots=%u", (8U << (hd[15] % 10)) > 4096 ? 4096U
							: 8U << (hd[15] % 10));
		ring += 2ULL * (fuzz_sc.links[0].slots + fuzz_sc.links[0].queue) *
			*buf_size;
	}
	*snap = (hd[0] & FUZZ_F_SNAP) ? (uint32_t)(hd[16] | hd[17] << 8 |
						   hd[18] << 16 | (uint32_t)hd[19] << 24)
				      : *buf_size;
	return ring <= FUZZ_RING_BYTES;
}

/* The loaded trace is what was written (read back through a cursor). */
static void fuzz_check_trace(const struct sim_world *w, const struct fuzz_trace *ft)
{
	const struct sim_trace *t = &w->trace;
	const struct sim_trace_rec *r;
	struct sim_trace_cur c;
	uint64_t bytes = 0, prev = 0;
	uint32_t i;

	FUZZ_CHECK(t->count >= 1);
	FUZZ_CHECK(sim_trace_cur_open(&c, t) == 0);
	for (i = 0; i < t->count; i++) {
		r = sim_trace_cur_get(&c);
		FUZZ_CHECK(r != NULL);
		FUZZ_CHECK(r->len >= SIM_ETH_MIN_FRAME &&
			   r->len <= NETMAP_MAX_FRAGS * w->sc.buf_size);
		FUZZ_CHECK(i == 0 || r->ts_ns >= prev);
		FUZZ_CHECK(r->flow < t->nflows);
		prev = r->ts_ns;
		bytes += r->len;
		if (ft->fits && i < ft->count) {
			if (r->len != ft->len[i])
				fprintf(stderr, "fuzz_sim: record %u: %u bytes written, %u loaded\n",
					i + 1, ft->len[i], r->len);
			FUZZ_CHECK(r->len == ft->len[i]);
		}
		sim_trace_cur_next(&c);
	}
	sim_trace_cur_close(&c);
	FUZZ_CHECK(t->bytes == bytes);
	if (ft->fits)
		FUZZ_CHECK(t->count == ft->count);
}

/* A sender's packets leave in trace order, loop after loop: release times
 * never go backwards (every pair while few, loop boundaries beyond). */
static void fuzz_check_release(const struct sim_world *w)
{
	const struct sim_trace_rec *r;
	const struct sim_ep *ep;
	struct sim_trace_cur c;
	uint64_t k, prev, t;
	uint32_t i;

	for (i = 0; i < w->nep; i++) {
		ep = w->ep[i];
		if (ep->role != SIM_ROLE_SENDER)
			continue;
		FUZZ_CHECK(ep->src_total == (uint64_t)w->trace.count * w->sc.trace.loops);
		/* Every packet up to 2^18 (records from a cursor, passes
		 * included), then the first of each later pass. */
		FUZZ_CHECK(sim_trace_cur_open(&c, &w->trace) == 0);
		prev = 0;
		for (k = 0; k < ep->src_total && k < (1U << 18); k++) {
			r = sim_trace_cur_get(&c);
			FUZZ_CHECK(r != NULL);
			t = sim_app_release_time(ep, k, r->ts_ns);
			if (t < prev)
				fprintf(stderr, "fuzz_sim: %s: packet %llu released at %llu ns, before an earlier one (%llu ns)\n",
					ep->cfg->name, (unsigned long long)k,
					(unsigned long long)t, (unsigned long long)prev);
			FUZZ_CHECK(t >= prev);
			prev = t;
			sim_trace_cur_next(&c);
		}
		sim_trace_cur_close(&c);
		/* Past 2^18: the first packet of each later pass.  The check
		 * above may stop inside a pass, so start at the next pass (the
		 * start of the one it stopped in is earlier than the packets
		 * already checked: a false alarm in rate mode). */
		if (k < ep->src_total && k % w->trace.count != 0)
			k += w->trace.count - k % w->trace.count;
		for (; k < ep->src_total; k += w->trace.count) {
			t = sim_app_release_time(ep, k - k % w->trace.count, 0);
			FUZZ_CHECK(t >= prev);
			prev = t;
			if (k > UINT64_MAX - w->trace.count)
				break;
		}
	}
}

static bool fuzz_names_invariant(const char *msg)
{
	char want[64];
	int i;

	for (i = 0; i < SIM_INV_COUNT; i++) {
		snprintf(want, sizeof(want), "invariant %s violated", sim_inv_names[i]);
		if (strncmp(msg, want, strlen(want)) == 0)
			return true;
	}
	return false;
}

/* Counters restated from the public structs after a run. */
static void fuzz_check_run(struct sim_world *w, uint32_t senders, bool report)
{
	const struct sim_pkts *pk = &w->pk;
	const struct sim_link_dir *ld;
	struct sim_summary s;
	uint64_t drops = sim_world_drops(w), from = 0, viol = 0;
	uint32_t i, d;
	bool drained;
	json_t *j;

	for (i = 0; i < SIM_INV_COUNT; i++)
		viol += w->inv_violations[i];
	if (w->failed) {
		fprintf(stderr, "fuzz_sim: %s\n", w->fail_msg);
		FUZZ_CHECK(fuzz_names_invariant(w->fail_msg));
		FUZZ_CHECK(strchr(w->fail_msg, '\n') == NULL);
	}
	FUZZ_CHECK(w->failed == (viol != 0));
	/* A world built from a valid scenario and trace breaks no invariant:
	 * a violation is a bug of the simulator or of the core. */
	FUZZ_CHECK(!w->failed);
	FUZZ_CHECK(w->total_packets ==
		   (uint64_t)w->trace.count * w->sc.trace.loops * senders);
	FUZZ_CHECK(pk->delivered <= pk->injected);
	FUZZ_CHECK(pk->injected <= w->total_packets);
	FUZZ_CHECK(pk->delivered + drops <= pk->injected);
	for (i = 0; i < pk->senders; i++)
		from += pk->delivered_from[i];
	FUZZ_CHECK(from + pk->untagged_out == pk->delivered);
	drained = w->finished || sim_engine_next_time(&w->eng) == UINT64_MAX;
	if (drained) {
		FUZZ_CHECK(pk->injected == w->total_packets);
		FUZZ_CHECK(pk->injected == pk->delivered + drops);
	}
	for (i = 0; i < w->nlinks; i++) {
		for (d = 0; d < 2; d++) {
			ld = &w->link[i]->dir[d];
			FUZZ_CHECK(ld->first <= ld->next);
			/* A chain (or a frame over the far port's buffer) is
			 * dropped as too big. */
			FUZZ_CHECK(ld->taken == ld->delivered + ld->drops_queue_full +
						ld->drops_too_big +
						sim_link_in_flight(w->link[i], d));
			FUZZ_CHECK(!drained || sim_link_in_flight(w->link[i], d) == 0);
		}
	}
	if (!report)
		return;
	sim_summary_collect(w, 0.001, &s);
	FUZZ_CHECK(s.in == pk->injected && s.out == pk->delivered);
	FUZZ_CHECK(s.drops == drops);
	FUZZ_CHECK(s.lat_p50 <= s.lat_p99 && s.lat_p99 <= s.lat_max);
	j = sim_report_json(w, &s);
	FUZZ_CHECK(j != NULL);
	json_decref(j);
}

/* Is the last release (loops of span plus a mean gap) far from any limit? */
static bool fuzz_release_safe(const struct fuzz_trace *ft)
{
	uint64_t period, last;

	if (fuzz_sc.trace.mode != SIM_TRACE_TIMESTAMPS)
		return true; /* rate: at most 16384 packets at >= 15258 pps */
	period = 2 * (uint64_t)ft->span_ns + 1001;
	return !__builtin_mul_overflow(period, (uint64_t)fuzz_sc.trace.loops, &last) &&
	       last < FUZZ_SAFE_RELEASE_NS;
}

/* Build and run; false if the build refused. */
static bool fuzz_run(const struct fuzz_trace *ft, bool synth, uint32_t senders,
		     bool report, struct fuzz_result *r)
{
	char err[1024];
	int rc;

	memset(err, 0, sizeof(err));
	rc = sim_world_build(fuzz_world, &fuzz_sc, fuzz_path, NULL, err, sizeof(err));
	if (fuzz_verbose)
		fprintf(stderr, "fuzz_sim: %s, buf_size %u, loops %u: build %d %s\n",
			fuzz_sc.name, fuzz_sc.buf_size, fuzz_sc.trace.loops, rc, err);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc != 0) {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		/* A well-formed capture that fits the buffers is a valid trace
		 * (unless its release times would run past any clock). */
		if (synth && ft->fits && rc == -EINVAL && fuzz_release_safe(ft))
			fprintf(stderr, "fuzz_sim: refused a valid trace: %s\n", err);
		FUZZ_CHECK(!(synth && ft->fits && rc == -EINVAL && fuzz_release_safe(ft)));
		sim_world_destroy(fuzz_world);
		return false;
	}
	if (synth)
		fuzz_check_trace(fuzz_world, ft);
	fuzz_check_release(fuzz_world);
	if (fuzz_verbose) {
		fprintf(stderr, "fuzz_sim: %llu records (largest %u bytes), %llu packets\n",
			(unsigned long long)fuzz_world->trace.count,
			fuzz_world->trace.max_len,
			(unsigned long long)fuzz_world->total_packets);
	}
	if (fuzz_world->total_packets <= FUZZ_MAX_PACKETS) {
		sim_world_run(fuzz_world);
		if (fuzz_verbose)
			fprintf(stderr, "fuzz_sim: injected %llu delivered %llu dropped %llu at %llu ns%s\n",
				(unsigned long long)fuzz_world->pk.injected,
				(unsigned long long)fuzz_world->pk.delivered,
				(unsigned long long)sim_world_drops(fuzz_world),
				(unsigned long long)fuzz_world->end_ns,
				fuzz_world->finished ? ", finished" : "");
		fuzz_check_run(fuzz_world, senders, report);
	}
	r->fingerprint = fuzz_world->eng.fingerprint;
	r->executed = fuzz_world->eng.executed;
	r->end_ns = fuzz_world->end_ns;
	r->injected = fuzz_world->pk.injected;
	r->delivered = fuzz_world->pk.delivered;
	r->drops = sim_world_drops(fuzz_world);
	r->failed = fuzz_world->failed;
	sim_world_destroy(fuzz_world);
	return true;
}

static void fuzz_init(void)
{
	fuzz_world = calloc(1, sizeof(*fuzz_world));
	FUZZ_CHECK(fuzz_world != NULL);
	fuzz_fd = memfd_create("fuzz_sim.pcap", MFD_CLOEXEC);
	FUZZ_CHECK(fuzz_fd >= 0);
	snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
	fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (getenv("FUZZ_SIM_FRAME_MAX") != NULL)
		fuzz_frame_max = (uint32_t)strtoul(getenv("FUZZ_SIM_FRAME_MAX"), NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_result r1, r2;
	struct fuzz_trace ft = { 0 };
	uint8_t hd[FUZZ_HDR_BYTES] = { 0 };
	uint32_t i, buf_size, snap, senders = 0;
	char err[1024];
	bool synth;

	if (fuzz_world == NULL)
		fuzz_init();
	memset(&r1, 0, sizeof(r1)); /* compared whole, padding included */
	memset(&r2, 0, sizeof(r2));
	fuzz_take(&in, hd, size < sizeof(hd) ? size : sizeof(hd));
	FUZZ_CHECK(sim_scenario_load(&fuzz_sc, FUZZ_NAME,
				     fuzz_skeletons[hd[0] % FUZZ_NSKELETONS],
				     err, sizeof(err)) == 0);
	if (!fuzz_overrides(hd, &buf_size, &snap))
		return 0;
	for (i = 0; i < fuzz_sc.nendpoints; i++)
		senders += fuzz_sc.endpoints[i].role == SIM_ROLE_SENDER;
	fuzz_len = 0;
	synth = !(hd[0] & FUZZ_F_RAW);
	if (synth) {
		fuzz_synth(&in, &ft, snap, hd[0] & FUZZ_F_NSEC);
		ft.fits = ft.count >= 1 && snap <= buf_size;
		for (i = 0; i < ft.count; i++)
			ft.fits &= ft.len[i] >= SIM_ETH_MIN_FRAME && ft.len[i] <= snap &&
				   ft.len[i] <= FUZZ_SLOT_MAX;
	} else {
		fuzz_put(in.p, in.left);
	}
	fuzz_write_trace();
	if (!fuzz_run(&ft, synth, senders, hd[0] & FUZZ_F_REPORT, &r1))
		return 0;
	if (hd[0] & FUZZ_F_TWICE) {
		/* Same scenario, same trace: the same run, event for event. */
		FUZZ_CHECK(fuzz_run(&ft, synth, senders, false, &r2));
		FUZZ_CHECK(memcmp(&r1, &r2, sizeof(r1)) == 0);
	}
	return 0;
}
