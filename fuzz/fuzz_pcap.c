/*
 * fuzz_pcap.c - the simulator's trace reader (libpcap, pcap and pcapng) on
 * arbitrary bytes.
 *
 * Input: the bytes of a capture file, read through fmemopen() by
 * sim_trace_load_stream() with the default buffer size (2048) and again with
 * a 64-byte one.  Oracles: no crash, leak or undefined behaviour; the result
 * is a clean load or -EINVAL/-ENOMEM with exactly one line naming the
 * input, never both; a loaded trace keeps the invariants of sim_trace.h
 * (count >= 1, 14 <= len <= max_frame, records packed in order, timestamps
 * from 0 and non-decreasing, dense flows in order of first appearance);
 * the same bytes give the same result twice; what loads with the small
 * buffer loads identically with the large one; and for a classic pcap file
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

struct fuzz_load {
	struct sim_trace t;
	int rc;
	char err[512];
};

static void fuzz_load(struct fuzz_load *l, const uint8_t *data, size_t size,
		      uint32_t max_frame)
{
	/* fmemopen wants a writable buffer even to read; give it a copy of
	 * exactly the input (ASan sees any read past its end). */
	uint8_t *copy = malloc(size > 0 ? size : 1);
	FILE *f;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	memset(l->err, 0, sizeof(l->err));
	f = fmemopen(copy, size, "rb");
	FUZZ_CHECK(f != NULL);
	l->rc = sim_trace_load_stream(&l->t, f, FUZZ_NAME, max_frame, l->err,
				      sizeof(l->err));
	free(copy);
}

static void fuzz_check_verdict(const struct fuzz_load *l, uint32_t max_frame)
{
	const struct sim_trace *t = &l->t;
	uint32_t i, top = 0;
	uint64_t off = 0;

	FUZZ_CHECK(l->rc == 0 || l->rc == -EINVAL || l->rc == -ENOMEM);
	if (l->rc != 0) {
		/* One line, naming the input; nothing kept. */
		FUZZ_CHECK(strncmp(l->err, FUZZ_NAME ": ", strlen(FUZZ_NAME) + 2) == 0);
		FUZZ_CHECK(strchr(l->err, '\n') == NULL);
		FUZZ_CHECK(strlen(l->err) > strlen(FUZZ_NAME) + 2);
		FUZZ_CHECK(t->count == 0 && t->data == NULL && t->ts_ns == NULL);
		return;
	}
	FUZZ_CHECK(l->err[0] == '\0');
	FUZZ_CHECK(t->count >= 1);
	FUZZ_CHECK(t->snaplen >= 1 && t->snaplen <= max_frame);
	FUZZ_CHECK(t->ts_ns[0] == 0);
	FUZZ_CHECK(t->nflows >= 1 && t->nflows <= t->count);
	FUZZ_CHECK(t->ts_clamped < t->count);
	FUZZ_CHECK(strcmp(t->name, FUZZ_NAME) == 0);
	for (i = 0; i < t->count; i++) {
		FUZZ_CHECK(t->len[i] >= SIM_ETH_MIN_FRAME && t->len[i] <= max_frame);
		FUZZ_CHECK(t->off[i] == off);
		off += t->len[i];
		if (i > 0)
			FUZZ_CHECK(t->ts_ns[i] >= t->ts_ns[i - 1]);
		/* Dense flows, numbered in order of first appearance. */
		FUZZ_CHECK(t->flow[i] <= top);
		if (t->flow[i] == top)
			top++;
	}
	FUZZ_CHECK(off == t->bytes);
	FUZZ_CHECK(top == t->nflows);
}

static bool fuzz_same(const struct fuzz_load *a, const struct fuzz_load *b,
		      bool snaplen_too)
{
	const struct sim_trace *x = &a->t, *y = &b->t;
	uint32_t n = x->count;

	if (a->rc != b->rc || strcmp(a->err, b->err) != 0)
		return false;
	if (a->rc != 0)
		return true;
	return x->count == y->count && x->bytes == y->bytes &&
	       x->nflows == y->nflows && x->ts_clamped == y->ts_clamped &&
	       (!snaplen_too || x->snaplen == y->snaplen) &&
	       memcmp(x->ts_ns, y->ts_ns, n * sizeof(*x->ts_ns)) == 0 &&
	       memcmp(x->off, y->off, n * sizeof(*x->off)) == 0 &&
	       memcmp(x->len, y->len, n * sizeof(*x->len)) == 0 &&
	       memcmp(x->flow, y->flow, n * sizeof(*x->flow)) == 0 &&
	       memcmp(x->data, y->data, x->bytes) == 0;
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

/*
 * A 32-bit timestamp field as libpcap 1.10 hands it over: signed when the
 * file is in host byte order, unsigned when it is byte-swapped (measured:
 * its swap path works on unsigned words).  So the same capture written in
 * the other byte order has other times before 1970; the reader takes
 * libpcap's values as they come and must convert them exactly.
 */
static __int128 fuzz_field(const uint8_t *p, bool swap)
{
	return swap ? (__int128)rd32(p, swap) : (__int128)(int32_t)rd32(p, swap);
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
		FUZZ_CHECK(t->len[i] == caplen);
		FUZZ_CHECK(memcmp(t->data + t->off[i], d + pos + 16, caplen) == 0);
		FUZZ_CHECK((__int128)t->ts_ns[i] == rel);
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
		fprintf(stderr, "fuzz_pcap: %d, %u records, %u flows: %s\n", a.rc,
			a.t.count, a.t.nflows, a.err);
	fuzz_check_verdict(&a, FUZZ_MAX_FRAME);
	fuzz_load(&b, data, size, FUZZ_MAX_FRAME);
	FUZZ_CHECK(fuzz_same(&a, &b, true));
	fuzz_check_classic(data, size, &a);
	/* A smaller buffer only refuses more: what it loads is the same. */
	fuzz_load(&s, data, size, FUZZ_SMALL_FRAME);
	fuzz_check_verdict(&s, FUZZ_SMALL_FRAME);
	if (s.rc == 0)
		FUZZ_CHECK(fuzz_same(&s, &a, false));
	sim_trace_free(&a.t);
	sim_trace_free(&b.t);
	sim_trace_free(&s.t);
	return 0;
}
