/*
 * sim_pkt.c - packet tags, delivery checks and latency.
 *
 * The latency histogram is log-linear: values below 64 ns have their own
 * bucket, above that each power of two is split in 64 (1.6% resolution).
 */
#include "sim_pkt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_pkts_init(struct sim_pkts *p, const struct sim_trace *t,
		  uint64_t capacity, uint32_t senders)
{
	uint64_t cap = 1024;

	memset(p, 0, sizeof(*p));
	while (cap < capacity)
		cap *= 2;
	p->trace = t;
	p->mask = cap - 1;
	p->meta = calloc(cap, sizeof(*p->meta));
	p->senders = senders != 0 ? senders : 1;
	p->flow_last = calloc((size_t)(t->nflows != 0 ? t->nflows : 1) * p->senders,
			      sizeof(uint64_t));
	p->delivered_from = calloc(p->senders, sizeof(uint64_t));
	if (p->meta == NULL || p->flow_last == NULL || p->delivered_from == NULL) {
		sim_pkts_fini(p);
		return -ENOMEM;
	}
	p->first_in = UINT64_MAX;
	return 0;
}

void sim_pkts_fini(struct sim_pkts *p)
{
	free(p->meta);
	free(p->flow_last);
	free(p->delivered_from);
	p->meta = NULL;
	p->flow_last = NULL;
	p->delivered_from = NULL;
}

void sim_pkt_inject_untaggable(struct sim_pkts *p, uint32_t len, uint64_t t_in)
{
	p->injected++;
	p->bytes_in += len;
	if (t_in < p->first_in)
		p->first_in = t_in;
}

/* Is the in-flight packet of m lost?  A later packet of its sender and
 * flow was delivered, and nothing reorders a flow (else flow_order). */
static bool sim_pkt_lost(const struct sim_pkts *p, const struct sim_pkt_meta *m)
{
	return p->flow_last[(uint64_t)m->sender * p->trace->nflows + m->flow] > m->id;
}

static inline uint64_t sim_rotl(uint64_t x, unsigned r)
{
	r &= 63;
	return r == 0 ? x : (x << r) | (x >> (64 - r));
}

/*
 * Four independent lanes (no multiply waits for another), each word
 * multiplied by an odd constant (so any change of one word changes its
 * lane) after a rotation by its block number (so words swapped between
 * blocks change it too), then murmur3's 64-bit finalizer over the lanes.
 * Not cryptographic: it catches a simulator bug, not an adversary.
 */
uint64_t sim_pkt_hash(const uint8_t *b, uint32_t n)
{
	static const uint64_t k0 = 0x9e3779b97f4a7c15ULL, k1 = 0xc2b2ae3d27d4eb4fULL,
			      k2 = 0x165667b19e3779f9ULL, k3 = 0xd6e8feb86659fd93ULL;
	uint64_t a0 = n, a1 = 0, a2 = 0, a3 = 0, w[4], h;
	uint32_t i = 0, blk = 0;

	for (; i + 32 <= n; i += 32, blk++) {
		memcpy(w, b + i, 32);
		a0 += sim_rotl(w[0], blk) * k0;
		a1 += sim_rotl(w[1], blk) * k1;
		a2 += sim_rotl(w[2], blk) * k2;
		a3 += sim_rotl(w[3], blk) * k3;
	}
	for (; i + 8 <= n; i += 8, blk++) {
		memcpy(w, b + i, 8);
		a1 += sim_rotl(w[0], blk) * k3;
	}
	if (i < n) {
		/* Bytes into a register (a memcpy of a variable length into
		 * a stack word stalls the load that follows it). */
		for (w[0] = 0; i < n; i++)
			w[0] = w[0] << 8 | b[i];
		a2 += sim_rotl(w[0], blk) * k1;
	}
	h = a0 ^ sim_rotl(a1, 17) ^ sim_rotl(a2, 31) ^ sim_rotl(a3, 47);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* Double the table, keeping every packet in flight (ids that shared a slot
 * in the old table differ mod its size, so they never collide in this one). */
static int sim_pkt_grow(struct sim_pkts *p)
{
	uint64_t cap = (p->mask + 1) * 2, k;
	struct sim_pkt_meta *meta;

	if (cap > SIM_PKT_MAX_TABLE) {
		p->broken = "packet table: more than SIM_PKT_MAX_TABLE packets in flight";
		return -E2BIG;
	}
	meta = calloc(cap, sizeof(*meta));
	if (meta == NULL) {
		p->broken = "packet table: out of memory growing it";
		return -ENOMEM;
	}
	for (k = 0; k <= p->mask; k++)
		if (p->meta[k].in_flight)
			meta[p->meta[k].id & (cap - 1)] = p->meta[k];
	free(p->meta);
	p->meta = meta;
	p->mask = cap - 1;
	p->grown++;
	return 0;
}

/* The 16-bit big-endian word sum of 8 bytes, modulo 0xffff. */
static uint32_t sim_tag_sum(const uint8_t *b)
{
	uint32_t s = 0, i;

	for (i = 0; i < SIM_TAG_BYTES; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	return s % 0xffffU;
}

void sim_pkt_tag_make(uint64_t id, const uint8_t *cover, uint8_t *tag)
{
	uint32_t want = sim_tag_sum(cover), have, c, i;

	for (i = 0; i < 6; i++)
		tag[i] = (uint8_t)(id >> (8 * i));
	tag[6] = tag[7] = 0;
	have = sim_tag_sum(tag);
	c = (want + 0xffffU - have) % 0xffffU;
	tag[6] = (uint8_t)(c >> 8);
	tag[7] = (uint8_t)c;
}

uint64_t sim_pkt_tag_id(const uint8_t *tag)
{
	uint64_t id = 0;
	uint32_t i;

	for (i = 0; i < 6; i++)
		id |= (uint64_t)tag[i] << (8 * i);
	return id;
}

/* Is tag exactly what sim_pkt_tag_make() wrote for m? */
static bool sim_pkt_tag_ok(const struct sim_pkt_meta *m, const uint8_t *tag)
{
	uint8_t want[SIM_TAG_BYTES];

	sim_pkt_tag_make(m->id, m->tail, want);
	return memcmp(want, tag, SIM_TAG_BYTES) == 0;
}

bool sim_pkt_is_whole(const struct sim_pkts *p, const uint8_t *buf, uint32_t len)
{
	const struct sim_pkt_meta *m;
	uint64_t id;

	if (len < SIM_TAG_MIN_LEN)
		return false;
	id = sim_pkt_tag_id(buf + len - SIM_TAG_BYTES);
	m = &p->meta[id & p->mask];
	return id < p->next_id && m->id == id && m->in_flight && m->len == len &&
	       sim_pkt_tag_ok(m, buf + len - SIM_TAG_BYTES);
}

uint64_t sim_pkt_inject(struct sim_pkts *p, const struct sim_trace_rec *r,
			uint16_t sender, uint64_t t_in)
{
	return sim_pkt_inject_gso(p, r, sender, t_in, 0);
}

uint64_t sim_pkt_inject_gso(struct sim_pkts *p, const struct sim_trace_rec *r,
			    uint16_t sender, uint64_t t_in, uint32_t hoff)
{
	uint64_t id = p->next_id++;
	uint32_t len = r->len;
	struct sim_pkt_meta *m;

	sim_pkt_inject_untaggable(p, len, t_in);
	if (len < SIM_TAG_MIN_LEN || sender >= p->senders) {
		p->untagged_in++;
		return id;
	}
	for (;;) {
		m = &p->meta[id & p->mask];
		if (!m->in_flight)
			break;
		if (sim_pkt_lost(p, m)) {
			p->reclaimed++;
			break;
		}
		if (sim_pkt_grow(p) != 0)
			return id;
	}
	m->id = id;
	m->t_in = t_in;
	m->len = len;
	m->flow = r->flow;
	/* A payload shorter than the tag is hashed whole (hoff 0). */
	if (hoff + SIM_TAG_BYTES > len || hoff > UINT16_MAX)
		hoff = 0;
	m->hoff = (uint16_t)hoff;
	m->hash = sim_pkt_hash(r->frame + hoff, len - SIM_TAG_BYTES - hoff);
	memcpy(m->tail, r->frame + len - SIM_TAG_BYTES, SIM_TAG_BYTES);
	m->sender = sender;
	m->in_flight = true;
	return id;
}

static unsigned sim_lat_bucket(uint64_t v)
{
	unsigned msb;

	if (v < 64)
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	return (msb - 5) * 64 + (unsigned)((v >> (msb - 6)) & 63);
}

static uint64_t sim_lat_value(unsigned b)
{
	unsigned msb;

	if (b < 64)
		return b;
	msb = b / 64 + 5;
	return (1ULL << msb) | ((uint64_t)(b % 64) << (msb - 6));
}

int sim_pkt_deliver(struct sim_pkts *p, uint8_t *buf, uint32_t len,
		    uint64_t now, char *why, size_t whylen)
{
	const struct sim_trace *t = p->trace;
	struct sim_pkt_meta *m;
	uint64_t id, lat, slot;
	uint32_t flow;
	unsigned b;

	p->delivered++;
	p->bytes_out += len;
	p->last_out = now;
	if (len < SIM_TAG_MIN_LEN) {
		p->untagged_out++;
		return 0;
	}
	p->checks_tag++;
	id = sim_pkt_tag_id(buf + len - SIM_TAG_BYTES);
	m = &p->meta[id & p->mask];
	if (id >= p->next_id || m->id != id || !m->in_flight ||
	    !sim_pkt_tag_ok(m, buf + len - SIM_TAG_BYTES)) {
		snprintf(why, whylen, "%s packet (tag %llu, %u bytes)",
			 id < p->next_id && m->id == id && !m->in_flight ? "duplicate" : "unknown or corrupted",
			 (unsigned long long)id, len);
		return -EPROTO;
	}
	m->in_flight = false;
	p->checks_payload++;
	if (len != m->len ||
	    sim_pkt_hash(buf + m->hoff, len - SIM_TAG_BYTES - m->hoff) != m->hash) {
		snprintf(why, whylen, "payload of packet %llu (%u bytes, flow %u) differs from the trace (%u bytes)",
			 (unsigned long long)id, len, m->flow, m->len);
		return -EPROTO;
	}
	memcpy(buf + len - SIM_TAG_BYTES, m->tail, SIM_TAG_BYTES);
	p->checks_order++;
	flow = m->flow;
	slot = (uint64_t)m->sender * t->nflows + flow;
	if (p->flow_last[slot] > id) {
		snprintf(why, whylen, "flow %u out of order: packet %llu after packet %llu",
			 flow, (unsigned long long)id,
			 (unsigned long long)p->flow_last[slot] - 1);
		return -EILSEQ;
	}
	p->flow_last[slot] = id + 1;
	p->delivered_from[m->sender]++;
	lat = now >= m->t_in ? now - m->t_in : 0;
	b = sim_lat_bucket(lat);
	if (b >= SIM_LAT_BUCKETS)
		b = SIM_LAT_BUCKETS - 1;
	p->lat_hist[b]++;
	p->lat_count++;
	if (lat > p->lat_max)
		p->lat_max = lat;
	if (p->flow_stats != NULL)
		sim_pkt_flow_account(p, flow, lat);
	return 0;
}

static uint64_t sim_hist_latency(const uint64_t *hist, uint64_t count, uint64_t max,
				 unsigned permille)
{
	uint64_t want, seen = 0;
	unsigned b;

	if (count == 0)
		return 0;
	if (permille >= 1000)
		return max;
	want = (count * permille + 999) / 1000;
	if (want == 0)
		want = 1;
	for (b = 0; b < SIM_LAT_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want)
			return sim_lat_value(b);
	}
	return max;
}

uint64_t sim_pkt_latency(const struct sim_pkts *p, unsigned permille)
{
	return sim_hist_latency(p->lat_hist, p->lat_count, p->lat_max, permille);
}

uint64_t sim_pkt_latency_bin_ns(unsigned b)
{
	return sim_lat_value(b);
}

int sim_pkt_flows_enable(struct sim_pkts *p, uint32_t n)
{
	if (n > SIM_PKT_MAX_FLOW_STATS)
		n = SIM_PKT_MAX_FLOW_STATS;
	p->flow_stats = calloc(n ? n : 1, sizeof(*p->flow_stats));
	p->nflow_stats = p->flow_stats != NULL ? n : 0;
	return p->flow_stats != NULL ? 0 : -ENOMEM;
}

void sim_pkt_flows_free(struct sim_pkts *p)
{
	free(p->flow_stats);
	p->flow_stats = NULL;
	p->nflow_stats = 0;
}

void sim_pkt_flow_account(struct sim_pkts *p, uint32_t flow, uint64_t lat)
{
	struct sim_pkt_flow *f;
	unsigned b = sim_lat_bucket(lat);

	if (flow >= p->nflow_stats)
		return;
	f = &p->flow_stats[flow];
	f->delivered++;
	f->lat_hist[b < SIM_LAT_BUCKETS ? b : SIM_LAT_BUCKETS - 1]++;
	f->lat_count++;
	if (lat > f->lat_max)
		f->lat_max = lat;
}

uint64_t sim_pkt_flow_latency(const struct sim_pkts *p, uint32_t f, unsigned permille)
{
	const struct sim_pkt_flow *s = &p->flow_stats[f];

	return sim_hist_latency(s->lat_hist, s->lat_count, s->lat_max, permille);
}
