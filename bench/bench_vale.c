/*
 * bench_vale.c - nmlab-bench-vale: VALE and pipe throughput on one core.
 *
 * One thread plays every part: the sending application fills `batch` TX
 * slots (buffers prepared once, as pkt-gen does; only len is written per
 * packet) and runs the TX sync, which forwards through the switch; then
 * each receiving application runs its RX sync, reads every slot's length
 * and releases the slots.  Figures:
 *   vale_unicast   2 ports, 60- and 1514-byte frames, batch 1..1024
 *   vale_1to8      1 source, unicast round-robin to 8 learnt ports
 *   vale_bcast8    1 source, broadcast to 8 ports (Mpps sent; each packet
 *                  is delivered 8 times)
 *   vale_indirect  vale_unicast with NS_INDIRECT slots: each frame at a
 *                  user address (a range registered with the shim), copied
 *                  once by the switch into the destination; also its ratio
 *                  to vale_unicast in the same run (ratio_to_direct)
 *   vale_xlate     vale_unicast 60-byte frames from a port with a 12-byte
 *                  virtio-net header (all zero: no offload) to one with a
 *                  10-byte header: the translation path, each packet
 *                  planned, leased and published on its own; also its
 *                  ratio to vale_unicast in the same run (ratio_to_direct)
 *   vale_hdr10     vale_unicast 60-byte frames between two ports with a
 *                  10-byte virtio-net header each (all zero): the frame is
 *                  copied as it is, header included; also its ratio to
 *                  vale_unicast in the same run (ratio_to_direct)
 *   pipe           descriptor hand-off between the two ends of a pipe
 * The baseline, measured in the same run over the same rings and buffers:
 * a plain loop that does the per-packet work a switch cannot avoid
 * (learn the source MAC and look up the destination in a 1024-entry
 * multiply-shift table, copy the frame into the destination slot, read the
 * length on the receive side) with no syncs, validation, leases or locks.
 * Every figure is the median of --runs runs (>= 5) with min and max, and
 * its ratio to the baseline median at the same batch and frame size.
 *
 * Runs are timed with the thread's CPU clock (time on a core).
 *
 *   nmlab-bench-vale [--packets N] [--runs R] [--json FILE] [--quick]
 *                    [--batch 1|4|16|64|256|1024]
 *                    [--only baseline|vale_unicast|vale_indirect|vale_xlate|vale_hdr10|pipe|
 *                            vale_1to8|vale_bcast8]
 *                    [--frame 60|1514]
 * (--quick: batch 256 only; --batch: that batch only; --only, --frame: one
 * figure, or one frame size of vale_unicast and the baseline, for
 * profiling: the others print as zero.)
 */
#include "bench_json.h"
#include "nm_ring_user.h"
#include "nm_shim.h"
#include "vale.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_DST 8

static const uint32_t batches[] = { 1, 4, 16, 64, 256, 1024 };
static const uint32_t few_batches[] = { 16, 256, 1024 };

struct bench {
	struct nm_registry reg;
	uint64_t packets;
	int runs;
	uint64_t sink;
	json_t *out; /* the results array */
	int nres;
	const char *only; /* profile one figure: skip the others */
	uint32_t frame;	  /* profile one frame size (60 or 1514); 0: both */
};

static bool want(const struct bench *b, const char *name)
{
	return b->only == NULL || strcmp(b->only, name) == 0;
}

static bool want_frame(const struct bench *b, uint32_t frame)
{
	return b->frame == 0 || b->frame == frame;
}

/* CPU time of this thread: a run is timed only while it is on a core, so
 * the figures are per core even on a machine shared with other work. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint32_t ring_slots(uint32_t batch)
{
	/* Room for two batches (the receiver releases one sync late), at
	 * least 256: the working set grows only with the batch. */
	return batch * 2 + 2 > 256 ? batch * 2 + 2 : 256;
}

static void mac_of(uint8_t *mac, uint32_t host)
{
	mac[0] = 0x02;
	mac[1] = mac[2] = mac[3] = 0;
	mac[4] = (uint8_t)(host >> 8);
	mac[5] = (uint8_t)host;
}

static struct nm_kring *kr(struct nm_port *p, uint32_t dir)
{
	return nm_port_kring(p, dir, 0);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_vale: %s\n", what);
	exit(1);
}

static void sync_or_die(struct nm_port *p, uint32_t dir)
{
	struct netmap_ring *r = kr(p, dir)->ring;

	nm_ring_user_publish(r, r->head, r->head);
	if (nm_kring_sync(kr(p, dir), 0) != 0)
		die("sync failed");
}

/* Prepare every TX buffer of p once: frame i goes to dst[i % ndst]. */
static void prepare_tx(struct nm_port *p, const uint8_t (*dst)[6],
		       uint32_t ndst, uint32_t src_host)
{
	struct netmap_ring *r = kr(p, NR_TX)->ring;
	uint32_t i;

	for (i = 0; i < r->num_slots; i++) {
		uint8_t *b = nm_ring_user_buf(r, r->slot[i].buf_idx);

		memset(b, 0x5a, 1514);
		memcpy(b, dst[i % ndst], 6);
		mac_of(b + 6, src_host);
		b[12] = 0x08;
		b[13] = 0x00;
		r->slot[i].flags = 0;
	}
}

/* Receive side: import, read every length, release (next sync). */
static uint64_t drain(struct nm_port *p)
{
	struct netmap_ring *r = kr(p, NR_RX)->ring;
	uint32_t tail, i;
	uint64_t sum = 0;

	sync_or_die(p, NR_RX);
	tail = nm_ring_user_tail(r);
	for (i = r->head; i != tail; i = nm_idx_next(i, r->num_slots))
		sum += r->slot[i].len;
	r->head = tail;
	return sum;
}

/* Packets per second from src to its receivers at this batch. */
static double run_fwd(struct bench *b, struct nm_port *src,
		      struct nm_port **dst, uint32_t ndst, uint32_t batch,
		      uint16_t len)
{
	struct netmap_ring *tx = kr(src, NR_TX)->ring;
	uint32_t n = tx->num_slots, k, d;
	uint64_t sent = 0, t0;

	t0 = cpu_ns();
	while (sent < b->packets) {
		if (nm_ring_user_space(tx, tx->head, nm_ring_user_tail(tx)) < batch)
			die("TX ring has no room for a batch");
		for (k = 0; k < batch; k++) {
			tx->slot[tx->head].len = len;
			tx->head = nm_idx_next(tx->head, n);
		}
		sync_or_die(src, NR_TX);
		sent += batch;
		for (d = 0; d < ndst; d++)
			b->sink += drain(dst[d]);
	}
	return (double)sent * 1e9 / (double)(cpu_ns() - t0);
}

/* The baseline: the unavoidable per-packet work over the same memory. */
static uint64_t base_table[VALE_HASH_SIZE];

static inline uint32_t base_hash(const uint8_t *p)
{
	uint64_t v;

	/* The same 8-byte load and mask as the switch (a 6-byte copy into a
	 * word stalls on store forwarding and would slow the baseline). */
	memcpy(&v, p, 8);
	v &= 0xffffffffffffULL;
	return (uint32_t)((v * 0x9e3779b97f4a7c15ULL) >> 54);
}

static double run_baseline(struct bench *b, struct nm_port *src,
			   struct nm_port *dst, uint32_t batch, uint16_t len)
{
	struct netmap_ring *tx = kr(src, NR_TX)->ring;
	struct netmap_ring *rx = kr(dst, NR_RX)->ring;
	uint32_t n = tx->num_slots, i = 0, j = 0, k, off;
	uint64_t sent = 0, t0;

	t0 = cpu_ns();
	while (sent < b->packets) {
		uint32_t first = j;

		for (k = 0; k < batch; k++) {
			struct netmap_slot *s = &tx->slot[i], *d = &rx->slot[j];
			const uint8_t *sb;
			uint8_t *db;
			uint64_t want;

			s->len = len;
			sb = nm_ring_user_buf(tx, s->buf_idx);
			db = nm_ring_user_buf(rx, d->buf_idx);
			want = (uint64_t)sb[11] << 8 | 1;
			if (base_table[base_hash(sb + 6)] != want)
				base_table[base_hash(sb + 6)] = want;
			b->sink += base_table[base_hash(sb)] & 1;
			if (s->len > 1024) {
				memcpy(db, sb, s->len);
			} else {
				for (off = 0; off < s->len; off += 64)
					memcpy(db + off, sb + off, 64);
			}
			d->len = s->len;
			i = nm_idx_next(i, n);
			j = nm_idx_next(j, n);
		}
		for (k = first; k != j; k = nm_idx_next(k, n))
			b->sink += rx->slot[k].len;
		sent += batch;
	}
	return (double)sent * 1e9 / (double)(cpu_ns() - t0);
}

static void emit(struct bench *b, const char *name, uint32_t frame,
		 uint32_t batch, uint32_t ndst, struct stat3 s, struct stat3 base)
{
	b->nres++;
	json_array_append_new(b->out, json_pack("{s:s,s:i,s:i,s:i,s:i,s:o,s:o,s:o}", "name", name,
		"frame_bytes", (int)frame, "batch", (int)batch, "destinations", (int)ndst,
		"ring_slots", (int)ring_slots(batch), "mpps", bench_stat(s, 1e6),
		"baseline_mpps", bench_stat(base, 1e6), "ratio", bench_num(s.median / base.median)));
	fprintf(stderr, "%-13s %4uB batch %4u: %7.2f Mpps [%6.2f..%6.2f]  baseline %7.2f  ratio %.3f\n",
		name, frame, batch, s.median / 1e6, s.min / 1e6, s.max / 1e6,
		base.median / 1e6, s.median / base.median);
}

/* Like emit(), for a variant of vale_unicast (indirect slots, header
 * translation): also its ratio to vale_unicast's same frames in the same
 * runs. */
static void emit_vs_direct(struct bench *b, const char *name, uint32_t frame,
			   uint32_t batch, struct stat3 s, struct stat3 base,
			   struct stat3 direct)
{
	emit(b, name, frame, batch, 1, s, base);
	json_object_set_new(json_array_get(b->out, json_array_size(b->out) - 1),
			    "ratio_to_direct",
			    bench_num(s.median / direct.median));
	fprintf(stderr, "%-13s %4uB batch %4u: ratio to vale_unicast %.3f\n",
		name, frame, batch, s.median / direct.median);
}

/* Give src a hdr-byte virtio-net header (all zero: no offload) in front
 * of every prepared frame, dst a dst_hdr-byte one; set_vnet_off() takes
 * src's away again.  Lengths that differ make the switch translate. */
static void set_vnet(struct bench *b, struct nm_port *src, const char *sname,
		     const char *dname, uint32_t hdr, uint32_t dst_hdr)
{
	struct netmap_ring *r = kr(src, NR_TX)->ring;
	uint32_t i;

	for (i = 0; i < r->num_slots; i++) {
		uint8_t *u = nm_ring_user_buf(r, r->slot[i].buf_idx);

		memmove(u + hdr, u, 1514);
		memset(u, 0, hdr);
	}
	if (vale_port_set_vnet_hdr(&b->reg, sname, hdr) != 0 ||
	    vale_port_set_vnet_hdr(&b->reg, dname, dst_hdr) != 0)
		die("vale_port_set_vnet_hdr");
}

static void set_vnet_off(struct bench *b, struct nm_port *src,
			 const char *sname, const char *dname, uint32_t hdr)
{
	struct netmap_ring *r = kr(src, NR_TX)->ring;
	uint32_t i;

	for (i = 0; i < r->num_slots; i++) {
		uint8_t *u = nm_ring_user_buf(r, r->slot[i].buf_idx);

		memmove(u, u + hdr, 1514);
	}
	if (vale_port_set_vnet_hdr(&b->reg, sname, 0) != 0 ||
	    vale_port_set_vnet_hdr(&b->reg, dname, 0) != 0)
		die("vale_port_set_vnet_hdr");
}

/* Point every TX slot of p at its frame's copy in umem (one buffer-sized
 * stretch per slot) and flag it NS_INDIRECT, or (on false) clear the flag. */
static void set_indirect(struct nm_port *p, uint8_t *umem, bool on)
{
	struct netmap_ring *r = kr(p, NR_TX)->ring;
	uint32_t i;

	for (i = 0; i < r->num_slots; i++) {
		uint8_t *u = umem + (size_t)i * VALE_BUF_SIZE;

		memcpy(u, nm_ring_user_buf(r, r->slot[i].buf_idx), 1514);
		r->slot[i].ptr = (uint64_t)(uintptr_t)u;
		r->slot[i].flags = on ? NS_INDIRECT : 0;
	}
}

struct setup {
	struct nm_port *src, *dst[MAX_DST];
	struct nm_port *pa, *pb; /* pipe ends */
};

/* A switch "valeB<batch>" with a source and ndst learnt receivers. */
static void setup_switch(struct bench *b, struct setup *s, uint32_t batch,
			 uint32_t ndst, bool bcast)
{
	struct nm_port_geom g;
	char name[32];
	uint8_t macs[MAX_DST][6];
	uint32_t d, slots = ring_slots(batch);

	memset(s, 0, sizeof(*s));
	for (d = 0; d < ndst; d++) {
		g = (struct nm_port_geom){ 1, 1, slots, slots, 0 };
		snprintf(name, sizeof(name), "valeB:d%u", d);
		if (nm_port_open(&b->reg, name, &g, &s->dst[d]) != 0)
			die("open");
		/* Hello from host 100 + d so the bridge learns it. */
		prepare_tx(s->dst[d], (const uint8_t(*)[6])"\xff\xff\xff\xff\xff\xff",
			   1, 100 + d);
		kr(s->dst[d], NR_TX)->ring->slot[0].len = 60;
		kr(s->dst[d], NR_TX)->ring->head = 1;
		sync_or_die(s->dst[d], NR_TX);
		mac_of(macs[d], 100 + d);
		if (bcast)
			memset(macs[d], 0xff, 6);
	}
	for (d = 0; d < ndst; d++)
		drain(s->dst[d]);
	g = (struct nm_port_geom){ 1, 1, slots, slots, 0 };
	if (nm_port_open(&b->reg, "valeB:src", &g, &s->src) != 0)
		die("open");
	prepare_tx(s->src, (const uint8_t(*)[6])macs, ndst, 1);
}

static void teardown(struct setup *s)
{
	uint32_t d;

	/* Every figure is for lossless forwarding. */
	if (vale_port_drops_total((struct vale_port *)s->src) != 0)
		die("packets were dropped during a run");

	for (d = 0; d < MAX_DST; d++)
		if (s->dst[d] != NULL)
			nm_port_close(s->dst[d]);
	if (s->src != NULL)
		nm_port_close(s->src);
}

static double run_pipe(struct bench *b, struct nm_port *a, struct nm_port *p,
		       uint32_t batch)
{
	struct nm_port *dst[1] = { p };

	return run_fwd(b, a, dst, 1, batch, 60);
}

static void bench_batch(struct bench *b, uint32_t batch, bool all)
{
	double base60[101], base1514[101], v60[101], v1514[101];
	double m8[101], bc8[101], pp[101], i60[101], i1514[101], x60[101];
	double h60[101];
	struct stat3 sb60, sb1514, sv60, sv1514;
	uint8_t *umem;
	struct setup s2, s8, sbc;
	struct nm_port *pa, *pb;
	/* A pipe receiver releases one sync late and the sender's space
	 * follows releases, so the pipe needs room for three batches. */
	uint32_t pslots = batch * 3 + 2 > 256 ? batch * 3 + 2 : 256;
	struct nm_port_geom g = { 1, 1, pslots, pslots, 0 };
	int r;

	memset(v60, 0, sizeof(v60));
	memset(v1514, 0, sizeof(v1514));
	memset(base60, 0, sizeof(base60));
	memset(base1514, 0, sizeof(base1514));
	memset(pp, 0, sizeof(pp));
	memset(m8, 0, sizeof(m8));
	memset(bc8, 0, sizeof(bc8));
	memset(i60, 0, sizeof(i60));
	memset(i1514, 0, sizeof(i1514));
	memset(x60, 0, sizeof(x60));
	memset(h60, 0, sizeof(h60));
	setup_switch(b, &s2, batch, 1, false);
	umem = malloc((size_t)ring_slots(batch) * VALE_BUF_SIZE);
	if (umem == NULL)
		die("malloc");
	nm_shim_user_reset();
	if (nm_shim_user_add(umem, (size_t)ring_slots(batch) * VALE_BUF_SIZE) != 0)
		die("nm_shim_user_add");
	for (r = 0; r < b->runs; r++) {
		if (want(b, "baseline") && want_frame(b, 60))
			base60[r] = run_baseline(b, s2.src, s2.dst[0], batch, 60);
		if (want(b, "baseline") && want_frame(b, 1514))
			base1514[r] = run_baseline(b, s2.src, s2.dst[0], batch, 1514);
		if (want(b, "vale_unicast") && want_frame(b, 60))
			v60[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 60);
		if (want(b, "vale_unicast") && want_frame(b, 1514))
			v1514[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 1514);
		if (want(b, "vale_xlate") && want_frame(b, 60)) {
			set_vnet(b, s2.src, "valeB:src", "valeB:d0", 12, 10);
			x60[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 12 + 60);
			set_vnet_off(b, s2.src, "valeB:src", "valeB:d0", 12);
		}
		if (want(b, "vale_hdr10") && want_frame(b, 60)) {
			set_vnet(b, s2.src, "valeB:src", "valeB:d0", 10, 10);
			h60[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 10 + 60);
			set_vnet_off(b, s2.src, "valeB:src", "valeB:d0", 10);
		}
		if (!want(b, "vale_indirect"))
			continue;
		set_indirect(s2.src, umem, true);
		if (want_frame(b, 60))
			i60[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 60);
		if (want_frame(b, 1514))
			i1514[r] = run_fwd(b, s2.src, s2.dst, 1, batch, 1514);
		set_indirect(s2.src, umem, false);
	}
	teardown(&s2);
	nm_shim_user_reset();
	free(umem);
	sb60 = summarize(base60, b->runs);
	sb1514 = summarize(base1514, b->runs);
	sv60 = summarize(v60, b->runs);
	sv1514 = summarize(v1514, b->runs);
	emit(b, "baseline", 60, batch, 1, sb60, sb60);
	emit(b, "vale_unicast", 60, batch, 1, sv60, sb60);
	emit(b, "baseline", 1514, batch, 1, sb1514, sb1514);
	emit(b, "vale_unicast", 1514, batch, 1, sv1514, sb1514);
	emit_vs_direct(b, "vale_indirect", 60, batch, summarize(i60, b->runs), sb60, sv60);
	emit_vs_direct(b, "vale_indirect", 1514, batch, summarize(i1514, b->runs),
		       sb1514, sv1514);
	emit_vs_direct(b, "vale_xlate", 60, batch, summarize(x60, b->runs), sb60, sv60);
	emit_vs_direct(b, "vale_hdr10", 60, batch, summarize(h60, b->runs), sb60, sv60);

	if (nm_port_open(&b->reg, "bench{p", &g, &pa) != 0 ||
	    nm_port_open(&b->reg, "bench}p", &g, &pb) != 0)
		die("pipe open");
	for (r = 0; r < b->runs && want(b, "pipe"); r++)
		pp[r] = run_pipe(b, pa, pb, batch);
	nm_port_close(pa);
	nm_port_close(pb);
	emit(b, "pipe", 60, batch, 1, summarize(pp, b->runs), sb60);
	if (!all)
		return;

	setup_switch(b, &s8, batch, MAX_DST, false);
	for (r = 0; r < b->runs && want(b, "vale_1to8"); r++)
		m8[r] = run_fwd(b, s8.src, s8.dst, MAX_DST, batch, 60);
	teardown(&s8);
	emit(b, "vale_1to8", 60, batch, MAX_DST, summarize(m8, b->runs), sb60);
	setup_switch(b, &sbc, batch, MAX_DST, true);
	for (r = 0; r < b->runs && want(b, "vale_bcast8"); r++)
		bc8[r] = run_fwd(b, sbc.src, sbc.dst, MAX_DST, batch, 60);
	teardown(&sbc);
	emit(b, "vale_bcast8", 60, batch, MAX_DST, summarize(bc8, b->runs), sb60);
}

int main(int argc, char **argv)
{
	struct bench b;
	const char *json = NULL;
	bool quick = false;
	uint32_t i, k, only_batch = 0;

	memset(&b, 0, sizeof(b));
	b.packets = 4000000;
	b.runs = 5;
	for (i = 1; i < (uint32_t)argc; i++) {
		if (!strcmp(argv[i], "--packets") && i + 1 < (uint32_t)argc)
			b.packets = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs") && i + 1 < (uint32_t)argc)
			b.runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--json") && i + 1 < (uint32_t)argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--batch") && i + 1 < (uint32_t)argc)
			only_batch = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--only") && i + 1 < (uint32_t)argc)
			b.only = argv[++i];
		else if (!strcmp(argv[i], "--frame") && i + 1 < (uint32_t)argc)
			b.frame = (uint32_t)strtoul(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [--packets N] [--runs R (5..101)] [--json FILE] [--quick] [--batch B] [--only FIGURE] [--frame 60|1514]\n",
				argv[0]);
			return 2;
		}
	}
	if (b.runs < 5 || b.runs > 101 || b.packets == 0) {
		fprintf(stderr, "bench_vale: --runs must be 5..101 and --packets > 0\n");
		return 2;
	}
	nm_shim_thread_register();
	if (nm_registry_init(&b.reg) != 0)
		die("registry");
	b.out = json_array();
	for (i = 0; i < NM_ARRAY_SIZE(batches); i++) {
		bool all = false;

		if ((quick && batches[i] != 256) ||
		    (only_batch != 0 && batches[i] != only_batch))
			continue;
		for (k = 0; k < NM_ARRAY_SIZE(few_batches); k++)
			all |= few_batches[k] == batches[i];
		bench_batch(&b, batches[i], all);
	}
	nm_registry_fini(&b.reg);
	return bench_json_write(json_pack("{s:s,s:I,s:i,s:s,s:s,s:o,s:I}", "benchmark", "vale",
					  "packets_per_run", (json_int_t)b.packets, "runs", (int)b.runs,
					  "clock", "CLOCK_THREAD_CPUTIME_ID (time on a core)",
					  "statistic", "median of runs, with min and max; ratio = median / baseline median (same batch and frame size)",
					  "results", b.out, "sink", (json_int_t)(b.sink & 1)),
				json);
}
