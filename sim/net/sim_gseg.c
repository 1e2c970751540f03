/*
 * sim_gseg.c - a guest's software segmentation and IPv4 fragmentation of
 * a frame over its MTU (rules: sim_gseg.h).
 */
#include "sim_gseg.h"

#include <errno.h>
#include <string.h>

static inline uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static inline void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IPv4 header checksum of the header at h (ihl bytes), set. */
static void ip_csum_set(uint8_t *h, uint32_t ihl)
{
	uint64_t s = 0;
	uint32_t i;

	put_be16(h + 10, 0);
	for (i = 0; i + 1 < ihl; i += 2)
		s += be16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put_be16(h + 10, ~s & 0xffff);
}

/* Room for frame k of hl + pl bytes at *at (pre bytes first)? */
static int gseg_room(struct sim_gseg_out *o, uint32_t *at, uint32_t pre,
		     uint32_t flen, uint32_t cap)
{
	if (o->n == SIM_GSEG_MAX_FRAMES || (uint64_t)*at + pre + flen > cap)
		return -EINVAL;
	o->off[o->n] = *at + pre;
	o->len[o->n] = flen;
	*at += pre + flen;
	return 0;
}

static int gseg_tcp(const uint8_t *f, const struct sim_l4 *l, uint32_t mtu,
		    uint32_t pre, uint8_t *out, uint32_t cap,
		    struct sim_gseg_out *o)
{
	uint32_t hl = l->hoff, pay = l->l3 + l->ip_len - hl, mss, k, n, at = 0;
	uint32_t seq = (uint32_t)f[l->l4 + 4] << 24 | (uint32_t)f[l->l4 + 5] << 16 |
		       (uint32_t)f[l->l4 + 6] << 8 | f[l->l4 + 7];

	if (hl - l->l3 >= mtu)
		return -EINVAL;
	mss = mtu - (hl - l->l3);
	n = pay == 0 ? 1 : (pay + mss - 1) / mss;
	if (n > SIM_GSEG_MAX_FRAMES)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		uint32_t seg = pay - k * mss < mss ? pay - k * mss : mss, s2;
		uint8_t *d, fl = f[l->l4 + 13];

		if (gseg_room(o, &at, pre, hl + seg, cap) != 0)
			return -EINVAL;
		d = out + o->off[o->n];
		memcpy(d, f, hl);
		memcpy(d + hl, f + hl + k * mss, seg);
		if (l->v6) {
			put_be16(d + l->l3 + 4, hl - l->l4 + seg);
		} else {
			put_be16(d + l->l3 + 2, hl - l->l3 + seg);
			put_be16(d + l->l3 + 4, (be16(f + l->l3 + 4) + k) & 0xffff);
			ip_csum_set(d + l->l3, l->l4 - l->l3);
		}
		s2 = seq + k * mss;
		d[l->l4 + 4] = (uint8_t)(s2 >> 24);
		d[l->l4 + 5] = (uint8_t)(s2 >> 16);
		d[l->l4 + 6] = (uint8_t)(s2 >> 8);
		d[l->l4 + 7] = (uint8_t)s2;
		if (k + 1 < n)
			fl &= (uint8_t)~0x09; /* FIN, PSH: the last only */
		if (k > 0)
			fl &= (uint8_t)~0x80; /* CWR: the first only */
		d[l->l4 + 13] = fl;
		o->n++;
	}
	return 0;
}

/* IPv4 fragments of the packet at f + l3 (ihl bytes of header). */
static int gseg_frag4(const uint8_t *f, uint32_t l3, uint32_t ihl,
		      uint32_t ip_len, uint32_t mtu, uint32_t pre, uint8_t *out,
		      uint32_t cap, struct sim_gseg_out *o)
{
	uint32_t data = ip_len - ihl, fsz, k, at = 0, base, more;

	if (mtu < ihl + 8)
		return -EINVAL;
	fsz = (mtu - ihl) & ~7U; /* fragment offsets count 8-byte units */
	base = be16(f + l3 + 6) & 0x1fff;
	/* A fragment cut again: its last piece keeps its MF. */
	more = be16(f + l3 + 6) & 0x2000;
	for (k = 0; k * fsz < data; k++) {
		uint32_t part = data - k * fsz < fsz ? data - k * fsz : fsz;
		uint32_t offw = base + k * fsz / 8,
			 mf = k * fsz + part < data || more != 0;
		uint8_t *d;

		if (offw > 0x1fff || gseg_room(o, &at, pre, l3 + ihl + part, cap) != 0)
			return -EINVAL;
		d = out + o->off[o->n];
		memcpy(d, f, l3 + ihl);
		memcpy(d + l3 + ihl, f + l3 + ihl + k * fsz, part);
		put_be16(d + l3 + 2, ihl + part);
		/* DF cleared: the sender fragments locally (sim_gseg.h). */
		put_be16(d + l3 + 6, (mf ? 0x2000U : 0) | offw);
		ip_csum_set(d + l3, ihl);
		o->n++;
	}
	return 0;
}

int sim_gseg_split(const uint8_t *f, uint32_t len, uint32_t mtu, uint32_t pre,
		   uint8_t *out, uint32_t cap, struct sim_gseg_out *o)
{
	struct sim_l4 l;
	uint32_t l3 = 14, ihl, ip_len;

	memset(o, 0, sizeof(*o));
	if (sim_l4_parse(f, len, &l) == 0 && l.l3 + l.ip_len == len) {
		if (l.proto == 6)
			return gseg_tcp(f, &l, mtu, pre, out, cap, o);
		if (!l.v6 && l.proto == 17) {
			/* UDP: its checksum completed before it is cut, in a
			 * copy at the end of out (fragments fill the rest). */
			uint8_t *d;
			uint32_t c;

			if ((uint64_t)len * 2 > cap)
				return -EINVAL;
			d = out + cap - len;
			memcpy(d, f, len);
			if (be16(d + l.l4 + 6) != 0) {
				put_be16(d + l.l4 + 6, 0);
				c = ~sim_l4_csum_sum(d, &l) & 0xffff;
				put_be16(d + l.l4 + 6, c == 0 ? 0xffff : c);
			}
			c = be16(d + l.l4 + 6) != 0 ? l.l3 + l.ip_len - l.l4 : 0;
			if (gseg_frag4(d, l.l3, l.l4 - l.l3, l.ip_len, mtu, pre, out,
				       cap - len, o) != 0)
				return -EINVAL;
			o->csum_bytes = c;
			return 0;
		}
		if (l.v6)
			return -EINVAL;
	}
	/* Not TCP/UDP (or a fragment already): IPv4 only. */
	if (len < 18)
		return -EINVAL;
	if (be16(f + 12) == 0x8100)
		l3 = 18;
	if (len < l3 + 20 || be16(f + l3 - 2) != 0x0800 || f[l3] >> 4 != 4)
		return -EINVAL;
	ihl = (f[l3] & 0xfU) * 4;
	ip_len = be16(f + l3 + 2);
	if (ihl < 20 || ip_len < ihl || l3 + ip_len != len)
		return -EINVAL;
	return gseg_frag4(f, l3, ihl, ip_len, mtu, pre, out, cap, o);
}
