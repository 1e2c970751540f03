/*
 * sim_trace.c - loading and generating traces.
 *
 * libpcap reads both pcap and pcapng (pcap_fopen_offline picks by magic);
 * timestamps are asked for in nanoseconds and converted to signed 64-bit
 * nanoseconds with overflow checks (before 1970 is valid; past +-292
 * years is an error) before they are made relative to the first record.  Flows: IPv4 TCP/UDP frames are
 * keyed by the 5-tuple, other IPv4 by (src, dst, proto), everything else by
 * (dst MAC, src MAC, ethertype); keys map to dense indices in order of first
 * appearance through an open-addressing table (lookups only: no iteration in
 * hash order).
 */
#include "sim_trace.h"

#include "sim_file.h"
#include "sim_rng.h"
#include "sim_text.h"

#define SIM_PCAP_NO_SNAPLIMIT 262144 /* libpcap's MAXIMUM_SNAPLEN */

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct sim_flowtab {
	uint64_t *keys; /* 0 = empty; keys are forced non-zero */
	uint32_t *vals;
	uint32_t cap, n;
};

static int sim_flowtab_init(struct sim_flowtab *ft)
{
	ft->cap = 1024;
	ft->n = 0;
	ft->keys = calloc(ft->cap, sizeof(*ft->keys));
	ft->vals = calloc(ft->cap, sizeof(*ft->vals));
	return ft->keys != NULL && ft->vals != NULL ? 0 : -ENOMEM;
}

static void sim_flowtab_fini(struct sim_flowtab *ft)
{
	free(ft->keys);
	free(ft->vals);
}

static int sim_flowtab_grow(struct sim_flowtab *ft)
{
	struct sim_flowtab big;
	uint32_t i, j;

	big.cap = ft->cap * 2;
	big.n = ft->n;
	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	if (big.keys == NULL || big.vals == NULL) {
		sim_flowtab_fini(&big);
		return -ENOMEM;
	}
	for (i = 0; i < ft->cap; i++) {
		if (ft->keys[i] == 0)
			continue;
		for (j = (uint32_t)ft->keys[i] & (big.cap - 1); big.keys[j] != 0;
		     j = (j + 1) & (big.cap - 1))
			;
		big.keys[j] = ft->keys[i];
		big.vals[j] = ft->vals[i];
	}
	sim_flowtab_fini(ft);
	*ft = big;
	return 0;
}

/* Dense index of key, adding it if new; -ENOMEM. */
static int64_t sim_flowtab_get(struct sim_flowtab *ft, uint64_t key)
{
	uint32_t j;

	key |= 1; /* never 0 */
	if (2 * (ft->n + 1) > ft->cap && sim_flowtab_grow(ft) != 0)
		return -ENOMEM;
	for (j = (uint32_t)key & (ft->cap - 1); ft->keys[j] != 0;
	     j = (j + 1) & (ft->cap - 1))
		if (ft->keys[j] == key)
			return ft->vals[j];
	ft->keys[j] = key;
	ft->vals[j] = ft->n;
	return ft->n++;
}

static uint64_t sim_hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t sim_flow_key(const uint8_t *f, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t ihl;

	if (len >= 34 && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4) {
		ihl = (uint32_t)(f[14] & 0xf) * 4;
		h = sim_hash_bytes(h, f + 26, 8); /* src, dst */
		h = sim_hash_bytes(h, f + 23, 1); /* proto */
		if ((f[23] == 6 || f[23] == 17) && ihl >= 20 &&
		    len >= 14 + ihl + 4)
			h = sim_hash_bytes(h, f + 14 + ihl, 4); /* ports */
		return h;
	}
	return sim_hash_bytes(h, f, 14);
}

static int sim_trace_alloc(struct sim_trace *t, uint64_t count, uint64_t bytes)
{
	memset(t, 0, sizeof(*t));
	t->ts_ns = malloc(count * sizeof(*t->ts_ns));
	t->off = malloc(count * sizeof(*t->off));
	t->len = malloc(count * sizeof(*t->len));
	t->flow = malloc(count * sizeof(*t->flow));
	t->data = malloc(bytes != 0 ? bytes : 1);
	if (t->ts_ns == NULL || t->off == NULL || t->len == NULL ||
	    t->flow == NULL || t->data == NULL) {
		sim_trace_free(t);
		return -ENOMEM;
	}
	return 0;
}

void sim_trace_free(struct sim_trace *t)
{
	free(t->ts_ns);
	free(t->off);
	free(t->len);
	free(t->flow);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

/* Grow the arrays of a trace being loaded to hold cap records and bytes. */
static int sim_trace_reserve(struct sim_trace *t, uint64_t *cap,
			     uint64_t *bcap, uint64_t need_bytes)
{
	void *p;

	if (t->count == *cap) {
		*cap *= 2;
		if ((p = realloc(t->ts_ns, *cap * sizeof(*t->ts_ns))) == NULL)
			return -ENOMEM;
		t->ts_ns = p;
		if ((p = realloc(t->off, *cap * sizeof(*t->off))) == NULL)
			return -ENOMEM;
		t->off = p;
		if ((p = realloc(t->len, *cap * sizeof(*t->len))) == NULL)
			return -ENOMEM;
		t->len = p;
		if ((p = realloc(t->flow, *cap * sizeof(*t->flow))) == NULL)
			return -ENOMEM;
		t->flow = p;
	}
	while (t->bytes + need_bytes > *bcap) {
		*bcap *= 2;
		if ((p = realloc(t->data, *bcap)) == NULL)
			return -ENOMEM;
		t->data = p;
	}
	return 0;
}

/*
 * A record's time in signed nanoseconds since 1970 (libpcap gives seconds,
 * possibly negative, and a nanosecond part that a classic pcap file may
 * make negative or over a second); -ERANGE if it does not fit in 64 bits.
 */
static int sim_ts_ns(const struct pcap_pkthdr *h, int64_t *out)
{
	int64_t ns;

	if (__builtin_mul_overflow((int64_t)h->ts.tv_sec, (int64_t)1000000000,
				   &ns) ||
	    __builtin_add_overflow(ns, (int64_t)h->ts.tv_usec, &ns))
		return -ERANGE;
	*out = ns;
	return 0;
}

/*
 * 0 if record rec fits a buffer of max_frame bytes and one netmap slot
 * (16-bit length: 65536 would be stored as 0), and holds its whole frame
 * (caplen == len); else one line saying why not.  The run replays caplen bytes as the frame,
 * so either way its figures would be wrong: a truncated capture (caplen <
 * len, e.g. cut at the snap length) replays shorter frames than the wire
 * had; caplen > len claims more bytes than the wire carried.  libpcap
 * itself cuts a record whose caplen is over the file's snap length down to
 * it, which then shows here as caplen < len.
 */
static int sim_trace_lengths(const struct pcap_pkthdr *h, int snap,
			     uint32_t max_frame, uint64_t rec, const char *name,
			     char *err, size_t errlen)
{
	uint32_t lim = max_frame < SIM_TRACE_MAX_FRAME ? max_frame : SIM_TRACE_MAX_FRAME;
	char cut[64] = "";

	if (h->caplen > lim) {
		snprintf(err, errlen,
			 "%s: record %llu: length %u is over %s%u (expected <= %u)",
			 name, (unsigned long long)rec, h->caplen,
			 lim == max_frame ? "the buffer size " : "the most a netmap slot carries, ",
			 lim, lim);
		return -EINVAL;
	}
	if (h->caplen > h->len) {
		snprintf(err, errlen,
			 "%s: record %llu: %u bytes captured of a %u-byte frame (expected the captured length equal to the frame length)",
			 name, (unsigned long long)rec, h->caplen, h->len);
		return -EINVAL;
	}
	if (h->caplen < h->len) {
		if ((int64_t)h->caplen == snap)
			snprintf(cut, sizeof(cut), ", cut at the file's snap length %d", snap);
		snprintf(err, errlen,
			 "%s: record %llu: %u of the frame's %u bytes captured%s (expected the whole frame: capture with a snap length at least the frame size)",
			 name, (unsigned long long)rec, h->caplen, h->len, cut);
		return -EINVAL;
	}
	return 0;
}

int sim_trace_load(struct sim_trace *t, const char *path, uint32_t max_frame,
		   char *err, size_t errlen)
{
	char shown[4 * SIM_FILE_SHOW + 4];
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	/* libpcap is given this stream, never the name: what it reads is the
	 * regular file just checked (a FIFO would block it forever). */
	rc = sim_file_open(path, "pcap or pcapng", &f, err, errlen);
	if (rc == -EINVAL)
		return rc;
	if (rc != 0) {
		snprintf(err, errlen,
			 "%s: not a readable pcap or pcapng file: %s (expected a capture file with at least one Ethernet record)",
			 sim_text_show(shown, sizeof(shown), path, SIM_FILE_SHOW),
			 strerror(-rc));
		return -EINVAL;
	}
	return sim_trace_load_stream(t, f, path, max_frame, err, errlen);
}

int sim_trace_load_stream(struct sim_trace *t, FILE *f, const char *path,
			  uint32_t max_frame, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE], name[4 * SIM_FILE_SHOW + 4];
	struct sim_flowtab ft;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	uint64_t cap = 1024, bcap = 65536, ts, rec = 0;
	int64_t flow, abs, first = 0;
	pcap_t *p;
	int dlt, rc, snap;

	ebuf[0] = '\0';
	memset(t, 0, sizeof(*t));
	/* Messages show the name escaped and clipped; t->name keeps it whole. */
	sim_text_show(name, sizeof(name), path, SIM_FILE_SHOW);
	if (strlen(path) >= sizeof(t->name)) {
		fclose(f);
		snprintf(err, errlen, "%s: a name of %zu bytes (expected at most %zu bytes)",
			 name, strlen(path), sizeof(t->name) - 1);
		return -EINVAL;
	}
	/* On success pcap_close() closes f; on failure it is still ours. */
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
						     ebuf);
	if (p == NULL) {
		fclose(f);
		snprintf(err, errlen,
			 "%s: not a readable pcap or pcapng file: %s (expected a capture file with at least one Ethernet record)",
			 name, ebuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		snprintf(err, errlen,
			 "%s: link type %d (%s), expected %d (EN10MB, Ethernet)",
			 name, dlt,
			 pcap_datalink_val_to_name(dlt) != NULL
				 ? pcap_datalink_val_to_name(dlt)
				 : "unknown",
			 DLT_EN10MB);
		pcap_close(p);
		return -EINVAL;
	}
	/* libpcap reports "no limit" (pcapng snap length 0, tcpdump's
	 * default) as its maximum; records are then checked one by one. */
	snap = pcap_snapshot(p);
	if (snap > 0 && snap != SIM_PCAP_NO_SNAPLIMIT &&
	    (uint32_t)snap > max_frame) {
		snprintf(err, errlen,
			 "%s: snap length %d is over the buffer size %u (expected <= %u; capture with -s %u or raise buf_size)",
			 name, snap, max_frame, max_frame, max_frame);
		pcap_close(p);
		return -EINVAL;
	}
	if (sim_trace_alloc(t, cap, bcap) != 0 || sim_flowtab_init(&ft) != 0) {
		snprintf(err, errlen, "%s: out of memory", name);
		pcap_close(p);
		return -ENOMEM;
	}
	t->snaplen = snap > 0 && (uint32_t)snap <= max_frame ? (uint32_t)snap
							: max_frame;
	while ((rc = pcap_next_ex(p, &h, &pkt)) == 1) {
		rec++;
		if (sim_trace_lengths(h, snap, max_frame, rec, name, err, errlen) != 0)
			goto fail;
		if (h->caplen < SIM_ETH_MIN_FRAME) {
			snprintf(err, errlen,
				 "%s: record %llu: %u bytes, shorter than an Ethernet header (expected >= %u)",
				 name, (unsigned long long)rec, h->caplen,
				 SIM_ETH_MIN_FRAME);
			goto fail;
		}
		if (sim_trace_reserve(t, &cap, &bcap, h->caplen) != 0)
			goto oom;
		if (sim_ts_ns(h, &abs) != 0) {
			snprintf(err, errlen,
				 "%s: record %llu: timestamp %lld s is out of range (expected within %lld s of 1970)",
				 name, (unsigned long long)rec,
				 (long long)h->ts.tv_sec,
				 (long long)(INT64_MAX / 1000000000LL - 1));
			goto fail;
		}
		if (t->count == 0)
			first = abs;
		/* Relative to the first; exact in 64 unsigned bits. */
		ts = abs >= first ? (uint64_t)abs - (uint64_t)first : 0;
		if (t->count > 0 && ts < t->ts_ns[t->count - 1]) {
			ts = t->ts_ns[t->count - 1];
			t->ts_clamped++;
		}
		flow = sim_flowtab_get(&ft, sim_flow_key(pkt, h->caplen));
		if (flow < 0)
			goto oom;
		t->ts_ns[t->count] = ts;
		t->off[t->count] = t->bytes;
		t->len[t->count] = (uint16_t)h->caplen;
		t->flow[t->count] = (uint32_t)flow;
		memcpy(t->data + t->bytes, pkt, h->caplen);
		t->bytes += h->caplen;
		t->count++;
	}
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s: record %llu: %s (expected a complete record)",
			 name, (unsigned long long)rec + 1, pcap_geterr(p));
		goto fail;
	}
	if (t->count == 0) {
		snprintf(err, errlen, "%s: no records (expected at least one Ethernet frame)",
			 name);
		goto fail;
	}
	t->nflows = ft.n;
	memcpy(t->name, path, strlen(path) + 1);
	sim_flowtab_fini(&ft);
	pcap_close(p);
	return 0;
oom:
	snprintf(err, errlen, "%s: record %llu: out of memory", name,
		 (unsigned long long)rec);
fail:
	sim_flowtab_fini(&ft);
	sim_trace_free(t);
	pcap_close(p);
	return -EINVAL;
}

static uint16_t sim_ip_csum(const uint8_t *hdr)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)hdr[i] << 8 | hdr[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The Ethernet addresses of one frame of flow `flow` (sim_trace_address()). */
static void sim_trace_address_frame(uint8_t *f, uint32_t flow,
				    const uint8_t src[6], const uint8_t dst[6],
				    uint32_t ndst)
{
	memcpy(f, dst, 6);
	if (ndst > 1)
		f[5] = (uint8_t)(f[5] + flow % ndst);
	memcpy(f + 6, src, 6);
}

void sim_trace_address(struct sim_trace *t, const uint8_t src[6],
		       const uint8_t dst[6], uint32_t ndst)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		sim_trace_address_frame(t->data + t->off[i], t->flow[i], src,
					dst, ndst);
}

int sim_trace_generate(struct sim_trace *t, const struct sim_trace_gen *g,
		       char *err, size_t errlen)
{
	struct sim_rng rng;
	uint8_t *f;
	uint64_t i;
	uint32_t flow, ip_len, udp_len, sport;
	uint16_t csum;

	if (g->packets == 0 || g->packets > UINT32_MAX || g->size < 60 ||
	    g->size > 1514 || g->flows == 0 || g->flows > 65536) {
		snprintf(err, errlen,
			 "built-in trace: packets 1..%u, size 60..1514, flows 1..65536 expected (got %llu, %u, %u)",
			 UINT32_MAX, (unsigned long long)g->packets, g->size,
			 g->flows);
		return -EINVAL;
	}
	if (sim_trace_alloc(t, g->packets, g->packets * g->size) != 0) {
		snprintf(err, errlen, "built-in trace: out of memory for %llu packets",
			 (unsigned long long)g->packets);
		return -ENOMEM;
	}
	sim_rng_init(&rng, g->seed, "trace");
	ip_len = g->size - 14;
	udp_len = ip_len - 20;
	for (i = 0; i < g->packets; i++) {
		flow = (uint32_t)sim_rng_below(&rng, g->flows);
		sport = 1024 + flow;
		f = t->data + i * g->size;
		memset(f, 0, g->size);
		sim_trace_address_frame(f, flow, g->src_mac, g->dst_mac, g->ndst);
		f[12] = 0x08;
		f[13] = 0x00;
		f[14] = 0x45;
		f[16] = (uint8_t)(ip_len >> 8);
		f[17] = (uint8_t)ip_len;
		f[18] = (uint8_t)(i >> 8); /* IP id */
		f[19] = (uint8_t)i;
		f[22] = 64;		   /* TTL */
		f[23] = 17;		   /* UDP */
		f[26] = 10; f[29] = 1;	   /* 10.0.0.1 */
		f[30] = 10; f[33] = 2;	   /* 10.0.0.2 */
		csum = sim_ip_csum(f + 14);
		f[24] = (uint8_t)(csum >> 8);
		f[25] = (uint8_t)csum;
		f[34] = (uint8_t)(sport >> 8);
		f[35] = (uint8_t)sport;
		f[36] = 0x04; f[37] = 0xd2; /* port 1234 */
		f[38] = (uint8_t)(udp_len >> 8);
		f[39] = (uint8_t)udp_len;
		t->ts_ns[i] = g->rate_pps != 0 ? i * 1000000000ULL / g->rate_pps : 0;
		t->off[i] = i * g->size;
		t->len[i] = (uint16_t)g->size;
		t->flow[i] = flow;
	}
	t->count = (uint32_t)g->packets;
	t->bytes = g->packets * g->size;
	/* Flow indices are the source ports' offsets; the per-flow tables
	 * are sized by the largest possible index + 1. */
	t->nflows = g->flows;
	t->snaplen = g->size;
	snprintf(t->name, sizeof(t->name), "built-in (%llu x %u-byte UDP, %u flows)",
		 (unsigned long long)g->packets, g->size, g->flows);
	return 0;
}
