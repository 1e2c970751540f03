/*
 * sim_trace.c - scanning, streaming and generating traces.
 *
 * A file is read twice over: once whole by sim_trace_load() (every check,
 * the flow table, the counts a run is sized by), then by each sender's
 * cursor, record by record, as the run consumes it.  Both go through
 * sim_trace_record(), so a cursor sees what the scan saw or fails.
 * Timestamps are signed 64-bit nanoseconds since 1970 with overflow
 * checks, made relative to the first record.  Flows: IPv4 and IPv6
 * TCP/UDP frames are keyed by the 5-tuple, other IP by (src, dst, proto),
 * everything else by (dst MAC, src MAC, ethertype); keys map to dense
 * indices in order of first appearance through an open-addressing table
 * (lookups only: no iteration in hash order).
 */
#include "sim_trace.h"

#include "sim_file.h"
#include "sim_linktype.h"
#include "sim_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_flowtab {
	uint64_t *keys; /* 0 = empty; keys are forced non-zero */
	uint32_t *vals;
	uint32_t cap, n;
};

static void sim_flowtab_free(struct sim_flowtab *ft)
{
	if (ft == NULL)
		return;
	free(ft->keys);
	free(ft->vals);
	free(ft);
}

static struct sim_flowtab *sim_flowtab_new(uint32_t cap)
{
	struct sim_flowtab *ft = calloc(1, sizeof(*ft));

	if (ft == NULL)
		return NULL;
	ft->cap = cap;
	ft->keys = calloc(cap, sizeof(*ft->keys));
	ft->vals = calloc(cap, sizeof(*ft->vals));
	if (ft->keys == NULL || ft->vals == NULL) {
		sim_flowtab_free(ft);
		return NULL;
	}
	return ft;
}

static int sim_flowtab_grow(struct sim_flowtab *ft)
{
	struct sim_flowtab *big = sim_flowtab_new(ft->cap * 2);
	uint32_t i, j;

	if (big == NULL)
		return -ENOMEM;
	for (i = 0; i < ft->cap; i++) {
		if (ft->keys[i] == 0)
			continue;
		for (j = (uint32_t)ft->keys[i] & (big->cap - 1); big->keys[j] != 0;
		     j = (j + 1) & (big->cap - 1))
			;
		big->keys[j] = ft->keys[i];
		big->vals[j] = ft->vals[i];
	}
	free(ft->keys);
	free(ft->vals);
	ft->keys = big->keys;
	ft->vals = big->vals;
	ft->cap = big->cap;
	free(big);
	return 0;
}

/* Dense index of key; a new key is added when add, else -ENOENT. */
static int64_t sim_flowtab_get(struct sim_flowtab *ft, uint64_t key, bool add)
{
	uint32_t j;

	key |= 1; /* never 0 */
	if (add && 2 * (ft->n + 1) > ft->cap && sim_flowtab_grow(ft) != 0)
		return -ENOMEM;
	for (j = (uint32_t)key & (ft->cap - 1); ft->keys[j] != 0;
	     j = (j + 1) & (ft->cap - 1))
		if (ft->keys[j] == key)
			return ft->vals[j];
	if (!add)
		return -ENOENT;
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
	if (len >= 54 && f[12] == 0x86 && f[13] == 0xdd && (f[14] >> 4) == 6) {
		h = sim_hash_bytes(h, f + 22, 32); /* src, dst */
		h = sim_hash_bytes(h, f + 20, 1);  /* next header */
		if ((f[20] == 6 || f[20] == 17) && len >= 58)
			h = sim_hash_bytes(h, f + 54, 4); /* ports */
		return h;
	}
	return sim_hash_bytes(h, f, 14);
}

void sim_trace_free(struct sim_trace *t)
{
	if (t->f != NULL)
		fclose(t->f);
	free(t->flow_recs);
	sim_flowtab_free(t->ft);
	memset(t, 0, sizeof(*t));
}

/*
 * One record as a frame: link type converted into scratch (cap bytes),
 * whole, 14..max_frame bytes.  0 and *frame, *len; -EINVAL with one line.
 */
static int sim_trace_record(const struct sim_trace *t, const struct sim_cap_rec *r,
			    uint64_t recno, uint8_t *scratch, uint32_t cap,
			    const uint8_t **frame, uint32_t *len,
			    const char *name, char *err, size_t errlen)
{
	uint32_t flen, wire;
	char why[256], ifc[64] = "";

	if ((uint64_t)r->caplen + SIM_LT_HDR > cap) {
		snprintf(err, errlen, "%s: record %llu: %u bytes, longer than when the file was scanned (expected the file unchanged during the run)",
			 name, (unsigned long long)recno, r->caplen);
		return -EINVAL;
	}
	if (r->caplen > r->len) {
		snprintf(err, errlen, "%s: record %llu: %u bytes captured of a %u-byte frame (expected the captured length equal to the frame length)",
			 name, (unsigned long long)recno, r->caplen, r->len);
		return -EINVAL;
	}
	if (r->caplen < r->len) {
		if (r->caplen == r->snaplen)
			snprintf(ifc, sizeof(ifc), ", cut at the file's snap length %u",
				 r->snaplen);
		snprintf(err, errlen, "%s: record %llu: %u of the frame's %u bytes captured%s (expected the whole frame: capture with a snap length at least the frame size)",
			 name, (unsigned long long)recno, r->caplen, r->len, ifc);
		return -EINVAL;
	}
	if (sim_linktype_frame(r->linktype, r->data, r->caplen, r->len, scratch,
			       frame, &flen, &wire, why, sizeof(why)) != 0) {
		if (r->iface != 0)
			snprintf(ifc, sizeof(ifc), " (interface %u)", r->iface);
		snprintf(err, errlen, "%s: record %llu%s: %s", name,
			 (unsigned long long)recno, ifc, why);
		return -EINVAL;
	}
	if (flen < SIM_ETH_MIN_FRAME) {
		snprintf(err, errlen, "%s: record %llu: %u bytes, shorter than an Ethernet header (expected >= %u)",
			 name, (unsigned long long)recno, flen, SIM_ETH_MIN_FRAME);
		return -EINVAL;
	}
	if (flen > t->max_frame) {
		snprintf(err, errlen, "%s: record %llu: frame length %u is over %u, the most 64 slots of buf_size carry (expected <= %u; raise buf_size)",
			 name, (unsigned long long)recno, flen, t->max_frame,
			 t->max_frame);
		return -EINVAL;
	}
	*len = flen;
	return 0;
}

/* Relative time of a record, clamped to its predecessor's. */
static uint64_t sim_trace_rel(int64_t abs, int64_t first, uint64_t pos,
			      uint64_t *prev, uint64_t *clamped)
{
	uint64_t ts = abs >= first ? (uint64_t)abs - (uint64_t)first : 0;

	if (pos > 0 && ts < *prev) {
		ts = *prev;
		(*clamped)++;
	}
	*prev = ts;
	return ts;
}

static int sim_trace_open_src(const struct sim_trace *t, struct sim_capfile *cf,
			      const char *name, char *err, size_t errlen)
{
	return sim_capfile_open(cf, t->f != NULL ? fileno(t->f) : -1, t->mem,
				t->memlen, name, err, errlen);
}

static int sim_trace_scan(struct sim_trace *t, const char *path, char *err,
			  size_t errlen)
{
	char name[4 * SIM_FILE_SHOW + 4];
	struct sim_capfile cf;
	struct sim_cap_rec r;
	const uint8_t *frame;
	uint64_t prev = 0, cap = 0, *p;
	uint8_t *scratch;
	uint32_t len;
	int64_t flow;
	int rc;

	sim_text_show(name, sizeof(name), path, SIM_FILE_SHOW);
	if (strlen(path) >= sizeof(t->name)) {
		snprintf(err, errlen, "%s: a name of %zu bytes (expected at most %zu bytes)",
			 name, strlen(path), sizeof(t->name) - 1);
		return -EINVAL;
	}
	scratch = malloc(SIM_TRACE_MAX_FRAME);
	t->ft = sim_flowtab_new(1024);
	if (scratch == NULL || t->ft == NULL) {
		free(scratch);
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	rc = sim_trace_open_src(t, &cf, name, err, errlen);
	if (rc != 0) {
		free(scratch);
		return rc;
	}
	while ((rc = sim_capfile_next(&cf, &r, name, err, errlen)) == 1) {
		rc = sim_trace_record(t, &r, t->count + 1, scratch, SIM_TRACE_MAX_FRAME,
				      &frame, &len, name, err, errlen);
		if (rc != 0)
			break;
		if (t->count == 0) {
			t->first_abs = r.ts_ns;
			t->first_len = len;
		}
		t->last_ts_ns = sim_trace_rel(r.ts_ns, t->first_abs, t->count,
					      &prev, &t->ts_clamped);
		flow = sim_flowtab_get(t->ft, sim_flow_key(frame, len), true);
		if (flow >= 0 && (uint64_t)flow >= cap) {
			p = realloc(t->flow_recs, 2 * (cap + 32) * sizeof(*p));
			if (p == NULL) {
				flow = -ENOMEM;
			} else {
				memset(p + cap, 0, (cap + 64) * sizeof(*p));
				t->flow_recs = p;
				cap = 2 * (cap + 32);
			}
		}
		if (flow < 0) {
			snprintf(err, errlen, "%s: record %llu: out of memory",
				 name, (unsigned long long)t->count + 1);
			rc = -ENOMEM;
			break;
		}
		t->flow_recs[flow]++;
		if (len > t->max_len)
			t->max_len = len;
		if (r.caplen > t->max_caplen)
			t->max_caplen = r.caplen;
		t->bytes += len;
		t->count++;
	}
	sim_capfile_close(&cf);
	free(scratch);
	if (rc < 0)
		return rc;
	if (t->count == 0) {
		snprintf(err, errlen, "%s: no records (expected at least one frame)",
			 name);
		return -EINVAL;
	}
	t->nflows = t->ft->n;
	memcpy(t->name, path, strlen(path) + 1);
	return 0;
}

int sim_trace_load(struct sim_trace *t, const char *path, uint32_t max_frame,
		   char *err, size_t errlen)
{
	char shown[4 * SIM_FILE_SHOW + 4];
	int rc;

	memset(t, 0, sizeof(*t));
	/* The one descriptor every cursor reads (pread): what is read is
	 * the regular file just checked (a FIFO would block forever). */
	rc = sim_file_open(path, "pcap or pcapng", &t->f, err, errlen);
	if (rc == -EINVAL)
		return rc;
	if (rc != 0) {
		t->f = NULL;
		snprintf(err, errlen,
			 "%s: not a readable pcap or pcapng file: %s (expected a capture file with at least one record)",
			 sim_text_show(shown, sizeof(shown), path, SIM_FILE_SHOW),
			 strerror(-rc));
		return -EINVAL;
	}
	t->max_frame = max_frame < SIM_TRACE_MAX_FRAME ? max_frame : SIM_TRACE_MAX_FRAME;
	rc = sim_trace_scan(t, path, err, errlen);
	if (rc != 0)
		sim_trace_free(t);
	return rc;
}

int sim_trace_load_mem(struct sim_trace *t, const uint8_t *mem, uint64_t memlen,
		       const char *name, uint32_t max_frame, char *err,
		       size_t errlen)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->mem = mem != NULL ? mem : (const uint8_t *)"";
	t->memlen = memlen;
	t->max_frame = max_frame < SIM_TRACE_MAX_FRAME ? max_frame : SIM_TRACE_MAX_FRAME;
	rc = sim_trace_scan(t, name, err, errlen);
	if (rc != 0)
		sim_trace_free(t);
	return rc;
}

/* The IPv4 header checksum of a built-in frame, from its words rather
 * than re-read from the frame: 0x4500, total length, id, 0 (flags), TTL
 * 64 and UDP 0x4011, checksum 0, 10.0.0.1, 10.0.0.2. */
static uint16_t sim_gen_csum(uint32_t ip_len, uint16_t id)
{
	uint32_t sum = 0x4500 + ip_len + id + 0x4011 + 0x0a00 + 0x0001 +
		       0x0a00 + 0x0002;

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
	t->readdress = true;
	memcpy(t->src_mac, src, 6);
	memcpy(t->dst_mac, dst, 6);
	t->ndst = ndst;
	if (t->builtin) {
		memcpy(t->gen.src_mac, src, 6);
		memcpy(t->gen.dst_mac, dst, 6);
		t->gen.ndst = ndst;
	}
}

int sim_trace_generate(struct sim_trace *t, const struct sim_trace_gen *g,
		       char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (g->packets == 0 || g->packets > SIM_TRACE_MAX_PACKETS || g->size < 60 ||
	    g->size > 1514 || g->flows == 0 || g->flows > 65536) {
		snprintf(err, errlen,
			 "built-in trace: packets 1..%llu, size 60..1514, flows 1..65536 expected (got %llu, %u, %u)",
			 SIM_TRACE_MAX_PACKETS, (unsigned long long)g->packets,
			 g->size, g->flows);
		return -EINVAL;
	}
	t->builtin = true;
	t->gen = *g;
	t->count = g->packets;
	t->bytes = g->packets * g->size;
	/* (packets - 1) * 1e9 / rate in the split form (no overflow). */
	t->last_ts_ns = g->rate_pps == 0 ? 0
		: (g->packets - 1) / g->rate_pps * 1000000000ULL +
		  (g->packets - 1) % g->rate_pps * 1000000000ULL / g->rate_pps;
	/* Flow indices are the source ports' offsets; the per-flow tables
	 * are sized by the largest possible index + 1. */
	t->nflows = g->flows;
	t->max_len = g->size;
	t->first_len = g->size;
	t->max_frame = g->size;
	snprintf(t->name, sizeof(t->name), "built-in (%llu x %u-byte UDP, %u flows)",
		 (unsigned long long)g->packets, g->size, g->flows);
	return 0;
}

/* Built-in frame i of flow `flow` into f. */
static void sim_trace_gen_frame(const struct sim_trace_gen *g, uint64_t i,
				uint32_t flow, uint8_t *f)
{
	uint32_t ip_len = g->size - 14, udp_len = ip_len - 20;
	uint32_t sport = 1024 + flow;
	uint16_t csum;

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
	csum = sim_gen_csum(ip_len, (uint16_t)i);
	f[24] = (uint8_t)(csum >> 8);
	f[25] = (uint8_t)csum;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = 0x04; f[37] = 0xd2; /* port 1234 */
	f[38] = (uint8_t)(udp_len >> 8);
	f[39] = (uint8_t)udp_len;
}

int sim_trace_flow_records(const struct sim_trace *t, uint32_t n, uint64_t *out)
{
	struct sim_rng rng;
	uint64_t i;
	uint32_t f;

	memset(out, 0, (size_t)n * sizeof(*out));
	if (!t->builtin) {
		for (f = 0; f < n && f < t->nflows; f++)
			out[f] = t->flow_recs[f];
		return 0;
	}
	sim_rng_init(&rng, t->gen.seed, "trace");
	for (i = 0; i < t->count; i++) {
		f = (uint32_t)sim_rng_below(&rng, t->gen.flows);
		if (f < n)
			out[f]++;
	}
	return 0;
}

/* (Re)start the cursor's pass at record 0. */
static int sim_trace_cur_rewind(struct sim_trace_cur *c)
{
	const struct sim_trace *t = c->t;
	char name[4 * SIM_FILE_SHOW + 4];

	c->pos = 0;
	c->have = false;
	c->prev_ts = 0;
	if (t->builtin) {
		sim_rng_init(&c->rng, t->gen.seed, "trace");
		return 0;
	}
	sim_text_show(name, sizeof(name), t->name, SIM_FILE_SHOW);
	if (c->cf_open)
		c->rc = sim_capfile_rewind(&c->cf, name, c->err, sizeof(c->err));
	else
		c->rc = sim_trace_open_src(t, &c->cf, name, c->err, sizeof(c->err));
	c->cf_open = c->rc == 0;
	return c->rc;
}

int sim_trace_cur_open(struct sim_trace_cur *c, const struct sim_trace *t)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	c->bufsize = (t->max_caplen > t->max_len ? t->max_caplen : t->max_len) +
		     SIM_LT_HDR;
	c->buf = malloc(c->bufsize);
	if (c->buf == NULL) {
		snprintf(c->err, sizeof(c->err), "trace: out of memory for a cursor");
		return c->rc = -ENOMEM;
	}
	return sim_trace_cur_rewind(c);
}

void sim_trace_cur_close(struct sim_trace_cur *c)
{
	if (c->cf_open)
		sim_capfile_close(&c->cf);
	free(c->buf);
	c->buf = NULL;
	c->cf_open = false;
}

/* Read record pos of a file into c->rec; 0 or -EINVAL (c->err). */
static int sim_trace_cur_read(struct sim_trace_cur *c)
{
	const struct sim_trace *t = c->t;
	char name[4 * SIM_FILE_SHOW + 4];
	struct sim_cap_rec r;
	const uint8_t *frame;
	uint64_t clamped = 0;
	uint32_t len;
	int64_t flow;
	int rc;

	sim_text_show(name, sizeof(name), t->name, SIM_FILE_SHOW);
	rc = sim_capfile_next(&c->cf, &r, name, c->err, sizeof(c->err));
	if (rc == 0) {
		snprintf(c->err, sizeof(c->err), "%s: ends after %llu of the %llu records it had when scanned (expected the file unchanged during the run)",
			 name, (unsigned long long)c->pos,
			 (unsigned long long)t->count);
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	rc = sim_trace_record(t, &r, c->pos + 1, c->buf, c->bufsize, &frame, &len, name,
			      c->err, sizeof(c->err));
	if (rc != 0)
		return rc;
	flow = sim_flowtab_get(t->ft, sim_flow_key(frame, len), false);
	if (len > t->max_len || flow < 0 || (uint64_t)flow >= t->nflows) {
		snprintf(c->err, sizeof(c->err), "%s: record %llu differs from when the file was scanned (expected the file unchanged during the run)",
			 name, (unsigned long long)c->pos + 1);
		return -EINVAL;
	}
	if (frame != c->buf)
		memcpy(c->buf, frame, len);
	if (t->readdress)
		sim_trace_address_frame(c->buf, (uint32_t)flow, t->src_mac,
					t->dst_mac, t->ndst);
	c->rec.frame = c->buf;
	c->rec.len = len;
	c->rec.flow = (uint32_t)flow;
	c->rec.ts_ns = sim_trace_rel(r.ts_ns, t->first_abs, c->pos, &c->prev_ts,
				     &clamped);
	return 0;
}

const struct sim_trace_rec *sim_trace_cur_get(struct sim_trace_cur *c)
{
	const struct sim_trace *t = c->t;
	const struct sim_trace_gen *g = &t->gen;
	uint32_t flow;

	if (c->rc != 0)
		return NULL;
	if (c->have)
		return &c->rec;
	if (t->builtin) {
		flow = (uint32_t)sim_rng_below(&c->rng, g->flows);
		sim_trace_gen_frame(g, c->pos, flow, c->buf);
		c->rec.frame = c->buf;
		c->rec.len = g->size;
		c->rec.flow = flow;
		c->rec.ts_ns = g->rate_pps == 0 ? 0
			: c->pos / g->rate_pps * 1000000000ULL +
			  c->pos % g->rate_pps * 1000000000ULL / g->rate_pps;
	} else if ((c->rc = sim_trace_cur_read(c)) != 0) {
		return NULL;
	}
	c->have = true;
	return &c->rec;
}

void sim_trace_cur_next(struct sim_trace_cur *c)
{
	if (c->rc != 0)
		return;
	if (!c->have && sim_trace_cur_get(c) == NULL)
		return; /* a record skipped unread must still be read */
	c->have = false;
	if (++c->pos == c->t->count)
		sim_trace_cur_rewind(c);
}
