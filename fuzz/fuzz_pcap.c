/*
 * fuzz_pcap.c - the simulator's trace reader (sim_capfile: pcap and pcapng,
 * every link type sim_linktype converts) on
 * arbitrary bytes.
 *
 * Input: the bytes of a capture file, scanned by sim_trace_load_mem() with
 * a largest frame of 2048 bytes and again of 64, then streamed through a
 * cursor (one pass and the first record of the next).  Oracles: no crash, leak or undefined behaviour; the result
 * is a clean load or -EINVAL/-ENOMEM with exactly one line naming the
 * input, never both; a loaded trace keeps the invariants of sim_trace.h
 * (count >= 1, 14 <= len <= max_len <= max_frame, the cursor yields count
 * records whose bytes sum to the scan's, timestamps from 0 and
 * non-decreasing up to the scan's last, dense flows in order of first
 * appearance);
 * the same bytes give the same result twice; what loads with the small
 * limit loads identically with the large one; and for a classic pcap file
 * (version 2.4, no truncated record) the records and their timestamps agree
 * with an independent reading of the format done in 128-bit arithmetic.
 */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include "sim_trace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NAME "fuzz.pcap"
#define FUZZ_MAX_FRAME 2048U
#define FUZZ_SMALL_FRAME 64U

/* One pass of a loaded trace through a cursor, as arrays. */
struct fuzz_load {
	struct sim_trace t;
	uint8_t *copy;
	int rc;
	char err[512];
	uint64_t n;
	uint32_t *len, *flow;
	uint64_t *ts, *off;
	uint8_t *data;
	uint64_t bytes;
};

static void fuzz_unload(struct fuzz_load *l)
{
	sim_trace_free(&l->t);
	free(l->copy);
	free(l->len);
	free(l->flow);
	free(l->ts);
	free(l->off);
	free(l->data);
	l->copy = l->data = NULL;
	l->len = l->flow = NULL;
	l->ts = l->off = NULL;
	l->n = l->bytes = 0;
}

/* Read one pass (and the first record of the next) with a cursor. */
static void fuzz_stream(struct fuzz_load *l)
{
	const struct sim_trace *t = &l->t;
	const struct sim_trace_rec *r;
	struct sim_trace_cur c;
	uint64_t i;

	FUZZ_CHECK(t->count >= 1 && t->count <= 1000000);
	l->len = calloc(t->count, sizeof(*l->len));
	l->flow = calloc(t->count, sizeof(*l->flow));
	l->ts = calloc(t->count, sizeof(*l->ts));
	l->off = calloc(t->count, sizeof(*l->off));
	l->data = malloc(t->bytes != 0 ? t->bytes : 1);
	FUZZ_CHECK(l->len && l->flow && l->ts && l->off && l->data);
	FUZZ_CHECK(sim_trace_cur_open(&c, t) == 0);
	for (i = 0; i < t->count; i++) {
		r = sim_trace_cur_get(&c);
		FUZZ_CHECK(r != NULL);
		FUZZ_CHECK(l->bytes + r->len <= t->bytes);
		l->len[i] = r->len;
		l->flow[i] = r->flow;
		l->ts[i] = r->ts_ns;
		l->off[i] = l->bytes;
		memcpy(l->data + l->bytes, r->frame, r->len);
		l->bytes += r->len;
		sim_trace_cur_next(&c);
	}
	l->n = t->count;
	/* The next pass starts again at the first record. */
	r = sim_trace_cur_get(&c);
	FUZZ_CHECK(r != NULL && r->len == l->len[0] &&
		   memcmp(r->frame, l->data, r->len) == 0 && r->ts_ns == 0);
	sim_trace_cur_close(&c);
}

static void fuzz_load(struct fuzz_load *l, const uint8_t *data, size_t size,
		      uint32_t max_frame)
{
	/* A copy of exactly the input (ASan sees any read past its end);
	 * it lives as long as the trace, whose cursors read it. */
	l->copy = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(l->copy != NULL);
	memcpy(l->copy, data, size);
	memset(l->err, 0, sizeof(l->err));
	l->rc = sim_trace_load_mem(&l->t, l->copy, size, FUZZ_NAME, max_frame,
				   l->err, sizeof(l->err));
	if (l->rc == 0)
		fuzz_stream(l);
}

static void fuzz_check_verdict(const struct fuzz_load *l, uint32_t max_frame)
{
	const struct sim_trace *t = &l->t;
	uint32_t top = 0;
	uint64_t i;

	FUZZ_CHECK(l->rc == 0 || l->rc == -EINVAL || l->rc == -ENOMEM);
	if (l->rc != 0) {
		/* One line, naming the input; nothing kept. */
		FUZZ_CHECK(strncmp(l->err, FUZZ_NAME ": ", strlen(FUZZ_NAME) + 2) == 0);
		FUZZ_CHECK(strchr(l->err, '\n') == NULL);
		FUZZ_CHECK(strlen(l->err) > strlen(FUZZ_NAME) + 2);
		FUZZ_CHECK(t->count == 0 && t->ft == NULL && t->flow_recs == NULL);
		return;
	}
	FUZZ_CHECK(l->err[0] == '\0');
	FUZZ_CHECK(t->count >= 1);
	FUZZ_CHECK(t->max_len >= SIM_ETH_MIN_FRAME && t->max_len <= max_frame);
	FUZZ_CHECK(l->ts[0] == 0);
	FUZZ_CHECK(t->nflows >= 1 && t->nflows <= t->count);
	FUZZ_CHECK(t->ts_clamped < t->count);
	FUZZ_CHECK(l->ts[t->count - 1] == t->last_ts_ns);
	FUZZ_CHECK(l->len[0] == t->first_len);
	FUZZ_CHECK(strcmp(t->name, FUZZ_NAME) == 0);
	for (i = 0; i < t->count; i++) {
		FUZZ_CHECK(l->len[i] >= SIM_ETH_MIN_FRAME && l->len[i] <= t->max_len);
		if (i > 0)
			FUZZ_CHECK(l->ts[i] >= l->ts[i - 1]);
		/* Dense flows, numbered in order of first appearance. */
		FUZZ_CHECK(l->flow[i] <= top);
		if (l->flow[i] == top)
			top++;
	}
	FUZZ_CHECK(l->bytes == t->bytes);
	FUZZ_CHECK(top == t->nflows);
}

static bool fuzz_same(const struct fuzz_load *a, const struct fuzz_load *b,
		      bool max_too)
{
	const struct sim_trace *x = &a->t, *y = &b->t;
	uint64_t n = a->n;

	if (a->rc != b->rc || strcmp(a->err, b->err) != 0)
		return false;
	if (a->rc != 0)
		return true;
	return x->count == y->count && x->bytes == y->bytes && a->n == b->n &&
	       x->nflows == y->nflows && x->ts_clamped == y->ts_clamped &&
	       (!max_too || x->max_len == y->max_len) &&
	       memcmp(a->ts, b->ts, n * sizeof(*a->ts)) == 0 &&
	       memcmp(a->len, b->len, n * sizeof(*a->len)) == 0 &&
	       memcmp(a->flow, b->flow, n * sizeof(*a->flow)) == 0 &&
	       memcmp(a->data, b->data, a->bytes) == 0;
}

/* ---- An independent reading of classic pcap (version 2.4 only). */

static uint32_t rd32(const uint8_t *p, bool swap)
{
	return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			      (uint32_t)p[2] << 8 | p[3]
		    : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool swap)
{
	return swap ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* A 32-bit timestamp field: signed, in either byte order (sim_capfile.c
 * reads both as libpcap reads a host-order file). */
static __int128 fuzz_field(const uint8_t *p, bool swap)
{
	return (__int128)(int32_t)rd32(p, swap);
}

/*
 * When the input is a classic pcap file this reading fully understands
 * (version 2.4, Ethernet, every record complete and within the snap
 * length and the buffer), compare the loaded trace with it record by
 * record: frames, and timestamps relative to the first, clamped at 0 and
 * to the predecessor, computed exactly in 128-bit arithmetic.
 */
static void fuzz_check_classic(const uint8_t *d, size_t size,
			       const struct fuzz_load *l)
{
	const struct sim_trace *t = &l->t;
	__int128 abs0 = 0, abs, rel, prev = 0;
	uint32_t magic, snap, caplen, i = 0;
	uint64_t clamped = 0;
	size_t pos = 24;
	bool swap, nano;

	if (size < 24)
		return;
	magic = rd32(d, false);
	if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
		swap = false;
	else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		swap = true;
	else
		return;
	nano = rd32(d, swap) == 0xa1b23c4d;
	snap = rd32(d + 16, swap);
	if (rd16(d + 4, swap) != 2 || rd16(d + 6, swap) != 4 ||
	    (rd32(d + 20, swap) & 0x03ffffff) != 1 || snap == 0 ||
	    snap > FUZZ_MAX_FRAME)
		return;
	/* Every record must be complete and sane, else libpcap's own
	 * choices (errors, truncation) apply and only the invariants do. */
	while (pos < size) {
		if (size - pos < 16)
			return;
		caplen = rd32(d + pos + 8, swap);
		if (caplen > snap || caplen < SIM_ETH_MIN_FRAME ||
		    rd32(d + pos + 12, swap) != caplen || /* a whole frame */
		    size - pos - 16 < caplen)
			return;
		pos += 16 + caplen;
	}
	if (pos == 24)
		return;
	FUZZ_CHECK(l->rc == 0);
	for (pos = 24; pos < size; pos += 16 + caplen, i++) {
		caplen = rd32(d + pos + 8, swap);
		abs = fuzz_field(d + pos, swap) * 1000000000 +
		      fuzz_field(d + pos + 4, swap) * (nano ? 1 : 1000);
		if (i == 0)
			abs0 = abs;
		rel = abs >= abs0 ? abs - abs0 : 0;
		if (i > 0 && rel < prev) {
			rel = prev;
			clamped++;
		}
		prev = rel;
		FUZZ_CHECK(i < t->count);
		FUZZ_CHECK(l->len[i] == caplen);
		FUZZ_CHECK(memcmp(l->data + l->off[i], d + pos + 16, caplen) == 0);
		FUZZ_CHECK((__int128)l->ts[i] == rel);
	}
	FUZZ_CHECK(t->count == i);
	FUZZ_CHECK(t->ts_clamped == clamped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_load a, b, s;

	fuzz_load(&a, data, size, FUZZ_MAX_FRAME);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_pcap: %d, %llu records, %u flows: %s\n", a.rc,
			(unsigned long long)a.t.count, a.t.nflows, a.err);
	fuzz_check_verdict(&a, FUZZ_MAX_FRAME);
	fuzz_load(&b, data, size, FUZZ_MAX_FRAME);
	FUZZ_CHECK(fuzz_same(&a, &b, true));
	fuzz_check_classic(data, size, &a);
	/* A smaller buffer only refuses more: what it loads is the same. */
	fuzz_load(&s, data, size, FUZZ_SMALL_FRAME);
	fuzz_check_verdict(&s, FUZZ_SMALL_FRAME);
	if (s.rc == 0)
		FUZZ_CHECK(fuzz_same(&s, &a, false));
	fuzz_unload(&a);
	fuzz_unload(&b);
	fuzz_unload(&s);
	return 0;
}
