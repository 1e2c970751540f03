/*
 * sim_seg.c - gathering a receiver's segments into the packet they came
 * from, each segment checked on the way (rules: sim_seg.h).
 */
#include "sim_seg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int sim_seg_init(struct sim_seg *s, uint32_t max_len)
{
	memset(s, 0, sizeof(*s));
	s->cap = max_len;
	s->buf = malloc(max_len ? max_len : 1);
	return s->buf != NULL ? 0 : -ENOMEM;
}

void sim_seg_fini(struct sim_seg *s)
{
	free(s->buf);
	free(s->frames);
	free(s->fr);
	memset(s, 0, sizeof(*s));
}

void sim_seg_reset(struct sim_seg *s)
{
	s->len = 0;
	s->flen = 0;
	s->n = 0;
}

bool sim_seg_may_start(const uint8_t *f, uint32_t len)
{
	struct sim_l4 o;

	return sim_l4_parse(f, len, &o) == 0;
}

static int sim_seg_fail(struct sim_seg *s, char *why, size_t whylen,
			const char *what, uint32_t len)
{
	snprintf(why, whylen, "segment %u (%u bytes) of a GSO packet: %s",
		 s->n + 1, len, what);
	sim_seg_reset(s);
	return -EPROTO;
}

/* Room for one more kept segment of len bytes; false: out of bounds or
 * memory. */
static bool sim_seg_room(struct sim_seg *s, uint32_t len)
{
	uint32_t cap;
	void *p;

	if (s->n == s->nmax) {
		cap = s->nmax ? s->nmax * 2 : 64;
		p = realloc(s->fr, (size_t)cap * sizeof(*s->fr));
		if (p == NULL)
			return false;
		s->fr = p;
		s->nmax = cap;
	}
	if ((uint64_t)s->flen + len > SIM_SEG_MAX_BYTES)
		return false;
	if (s->flen + len > s->fcap) {
		cap = s->fcap ? s->fcap : 65536;
		while (cap < s->flen + len)
			cap *= 2;
		p = realloc(s->frames, cap);
		if (p == NULL)
			return false;
		s->frames = p;
		s->fcap = cap;
	}
	return true;
}

int sim_seg_add(struct sim_seg *s, const uint8_t *f, uint32_t len, char *why,
		size_t whylen)
{
	const struct sim_l4 *a = &s->first;
	struct sim_seg_frame *fr;
	struct sim_l4 o;
	uint32_t pay;

	if (sim_l4_parse(f, len, &o) != 0)
		return sim_seg_fail(s, why, whylen, "not TCP or UDP over IP", len);
	if (o.l3 + o.ip_len != len)
		return sim_seg_fail(s, why, whylen, "bytes beyond its IP length", len);
	if (!sim_l4_ip_csum_ok(f, &o))
		return sim_seg_fail(s, why, whylen, "IPv4 header checksum invalid", len);
	/* An IPv4 UDP checksum of 0 means none; the switch never writes one
	 * (it sends 0 as 0xffff), so it is refused as well. */
	if (sim_l4_csum_sum(f, &o) != 0xffff)
		return sim_seg_fail(s, why, whylen,
				    o.proto == 6 ? "TCP checksum invalid" : "UDP checksum invalid",
				    len);
	pay = len - o.hoff;
	if (s->n == 0) {
		if (o.hoff > s->cap)
			return sim_seg_fail(s, why, whylen, "headers longer than any frame", len);
		memcpy(s->buf, f, o.hoff);
		s->len = o.hoff;
		s->first = o;
	} else {
		uint32_t addr = o.v6 ? 32 : 8, at = o.v6 ? 8 : 12;

		if (o.l3 != a->l3 || o.l4 != a->l4 || o.hoff != a->hoff ||
		    o.v6 != a->v6 || o.proto != a->proto)
			return sim_seg_fail(s, why, whylen, "headers unlike the first segment's", len);
		if (memcmp(f, s->buf, 12) != 0 ||
		    memcmp(f + o.l3 + at, s->buf + o.l3 + at, addr) != 0 ||
		    memcmp(f + o.l4, s->buf + o.l4, 4) != 0)
			return sim_seg_fail(s, why, whylen, "addresses or ports unlike the first segment's", len);
	}
	if (o.proto == 6) {
		uint32_t seq = be32(f + o.l4 + 4);

		if (s->n > 0 && seq != s->next_seq) {
			char w[96];

			snprintf(w, sizeof(w), "TCP sequence %u where %u was expected",
				 seq, s->next_seq);
			return sim_seg_fail(s, why, whylen, w, len);
		}
		s->next_seq = seq + pay;
	}
	if (s->len + pay > s->cap)
		return sim_seg_fail(s, why, whylen, "more payload than any frame of the trace", len);
	if (!sim_seg_room(s, len))
		return sim_seg_fail(s, why, whylen, "more segments than the receiver keeps", len);
	memcpy(s->buf + s->len, f + o.hoff, pay);
	s->len += pay;
	fr = &s->fr[s->n++];
	fr->off = s->flen;
	fr->len = len;
	fr->pay = o.hoff;
	fr->pay_len = pay;
	memcpy(s->frames + s->flen, f, len);
	s->flen += len;
	return 0;
}

/* Recompute the L4 checksum of kept frame f[0..len) (sim_seg_restore()). */
static void sim_seg_resum(uint8_t *f, uint32_t len)
{
	struct sim_l4 o;
	uint32_t at, c;

	if (sim_l4_parse(f, len, &o) != 0)
		return;
	at = o.l4 + (o.proto == 6 ? 16 : 6);
	f[at] = f[at + 1] = 0;
	c = ~sim_l4_csum_sum(f, &o) & 0xffff;
	if (c == 0 && o.proto == 17)
		c = 0xffff;
	f[at] = (uint8_t)(c >> 8);
	f[at + 1] = (uint8_t)c;
}

void sim_seg_restore(struct sim_seg *s)
{
	uint32_t left = 8, k = s->n, m, end = s->len, touched = 0;

	/* The gathered frame's last 8 bytes, from the last segment back. */
	while (left > 0 && k > 0) {
		struct sim_seg_frame *fr = &s->fr[--k];

		m = fr->pay_len < left ? fr->pay_len : left;
		memcpy(s->frames + fr->off + fr->pay + fr->pay_len - m,
		       s->buf + end - m, m);
		end -= m;
		left -= m;
		touched++;
	}
	/* The tag keeps the sum of its 8 bytes (sim_pkt.h), so a segment
	 * holding all of them keeps a valid checksum.  Split over segments
	 * (a last one with fewer than 8 payload bytes), each part changes
	 * its own segment's sum: those checksums are recomputed, as the
	 * switch would have computed them over the restored bytes. */
	if (touched > 1)
		for (k = s->n - touched; k < s->n; k++)
			sim_seg_resum(s->frames + s->fr[k].off, s->fr[k].len);
	s->packets++;
	s->segments += s->n;
}
