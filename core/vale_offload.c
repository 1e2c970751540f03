/*
 * vale_offload.c - one packet between VALE ports of different virtio-net
 * header lengths: the header translated (10 <-> 12 bytes), added (zeroed)
 * or stripped; stripped from a packet that asks for GSO, the packet is
 * segmented into gso_size frames with rebuilt IP and TCP/UDP headers; one
 * that asks for a partial checksum gets it completed.
 *
 * Invariants: every field that comes from the packet (the virtio-net
 * header, the Ethernet, IP and TCP/UDP headers) is copied once into the
 * plan and validated there before any length or offset derived from it is
 * used; the sender may rewrite its buffers meanwhile, which can change
 * payload bytes we copy but never how many or where.  The plan fixes the
 * frames and slots before the caller leases them; emission writes exactly
 * those.  Bounded work: at most VALE_OFFLOAD_MAX_SLOTS slots per packet.
 *
 * Locking: none (the caller holds the destination lease).
 */
#include "vale_offload.h"

#include "nm_idx.h"

/* ---- Byte order helpers (the packet's fields are big-endian, the virtio
 * header's little-endian). */

static inline uint32_t vo_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t vo_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void vo_put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void vo_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t vo_le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

/* ---- The Internet checksum (RFC 1071). */

static inline uint32_t vo_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t vale_csum_sum(const uint8_t *p, uint32_t len)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return (uint16_t)vo_fold(s);
}

/* A partial sum of bytes that start at an odd offset of the summed
 * region, computed as if even: its bytes swap places. */
static inline uint32_t vo_swap16(uint32_t s)
{
	return (s & 0xff) << 8 | s >> 8;
}

/* ---- Source chain. */

struct vo_src {
	const struct vale_frag *f;
	uint32_t nf, fi, off; /* next byte: f[fi].buf[off] */
};

static void vo_src_init(struct vo_src *c, const struct vale_frag *f,
			uint32_t nf, uint32_t skip)
{
	c->f = f;
	c->nf = nf;
	c->fi = 0;
	c->off = 0;
	while (c->fi < nf && skip >= f[c->fi].len - c->off) {
		skip -= f[c->fi].len - c->off;
		c->fi++;
		c->off = 0;
	}
	c->off += skip;
}

/* Up to len contiguous bytes at the cursor: their address, how many. */
static inline uint32_t vo_src_peek(struct vo_src *c, uint32_t len,
				   const uint8_t **p)
{
	while (c->fi < c->nf && c->off == c->f[c->fi].len) {
		c->fi++;
		c->off = 0;
	}
	if (c->fi == c->nf)
		return 0;
	*p = c->f[c->fi].buf + c->off;
	return nm_min_u32(len, c->f[c->fi].len - c->off);
}

/* Copy len bytes of the chain from offset skip into dst; bytes copied. */
static uint32_t vo_gather(const struct vale_frag *f, uint32_t nf,
			  uint32_t skip, uint8_t *dst, uint32_t len)
{
	struct vo_src c;
	uint32_t done = 0, m;
	const uint8_t *p;

	vo_src_init(&c, f, nf, skip);
	while (done < len && (m = vo_src_peek(&c, len - done, &p)) > 0) {
		nm_os_memcpy(dst + done, p, m);
		done += m;
		c.off += m;
	}
	return done;
}

/* ---- Planning. */

static inline uint32_t vo_div_up(uint32_t a, uint32_t b)
{
	return a / b + (a % b != 0);
}

/* A packet asking for GSO of type gso (ECN bit clear) with gso_size mss,
 * for a port without a header: parse and check L2..L4 from hdr[]. */
static int vo_plan_segments(struct vale_offload_plan *pl,
			    const struct vale_frag *f, uint32_t nf,
			    uint32_t gso, uint32_t mss)
{
	uint32_t n = nm_min_u32(pl->len, VALE_OFFLOAD_HDR_MAX);
	const uint8_t *h = pl->hdr;
	uint32_t l3 = 14, et, proto, l4, l4len;

	if (vo_gather(f, nf, pl->src_hdr, pl->hdr, n) != n || mss == 0)
		return -EINVAL;
	et = vo_be16(h + 12);
	if (et == 0x8100) { /* one 802.1Q tag */
		if (n < 18)
			return -EINVAL;
		et = vo_be16(h + 16);
		l3 = 18;
	}
	if (et == 0x0800 && gso != VALE_VNET_GSO_TCPV6) {
		uint32_t ihl;

		if (n < l3 + 20 || h[l3] >> 4 != 4)
			return -EINVAL;
		ihl = (h[l3] & 0xfU) * 4;
		if (ihl < 20 || l3 + ihl > n)
			return -EINVAL;
		if (vo_be16(h + l3 + 6) & 0x3fff) /* MF or an offset: a fragment */
			return -EINVAL;
		proto = h[l3 + 9];
		l4 = l3 + ihl;
		pl->ipv4 = true;
	} else if (et == 0x86dd && gso != VALE_VNET_GSO_TCPV4) {
		if (n < l3 + 40 || h[l3] >> 4 != 6)
			return -EINVAL;
		proto = h[l3 + 6]; /* no extension headers */
		l4 = l3 + 40;
		pl->ipv4 = false;
	} else {
		return -EINVAL;
	}
	if (gso == VALE_VNET_GSO_UDP) {
		if (proto != 17)
			return -EINVAL;
		l4len = 8;
	} else {
		if (proto != 6 || n < l4 + 20)
			return -EINVAL;
		l4len = (uint32_t)(h[l4 + 12] >> 4) * 4;
		if (l4len < 20)
			return -EINVAL;
	}
	if (l4 + l4len > n)
		return -EINVAL;
	pl->hlen = l4 + l4len;
	/* Every frame's IP length must fit its 16-bit field. */
	if (pl->hlen - l3 + mss > 0xffffU)
		return -EINVAL;
	pl->kind = gso == VALE_VNET_GSO_UDP ? VALE_OFFLOAD_UDP : VALE_OFFLOAD_TCP;
	pl->l3off = l3;
	pl->l4off = l4;
	pl->mss = mss;
	return 0;
}

/* Slots of a frame of len bytes, or 0 if over NETMAP_MAX_FRAGS. */
static inline uint32_t vo_frame_slots(const struct vale_offload_plan *pl,
				      uint32_t len)
{
	uint32_t s = vo_div_up(len, pl->chunk);

	return s <= NETMAP_MAX_FRAGS ? s : 0;
}

int vale_offload_plan(struct vale_offload_plan *pl, const struct vale_frag *f,
		      uint32_t nf, uint32_t src_hdr, uint32_t dst_hdr,
		      uint32_t dst_buf_size)
{
	uint8_t vh[VALE_VNET_HDR_MRG_LEN];
	uint32_t total = 0, i, s;
	int err = 0;

	if (!NM_ASSERT(nf >= 1 && nf <= NETMAP_MAX_FRAGS &&
		       vale_vnet_hdr_len_valid(src_hdr) &&
		       vale_vnet_hdr_len_valid(dst_hdr) && dst_buf_size >= 64))
		return -EINVAL;
	for (i = 0; i < nf; i++)
		total += f[i].len; /* <= 64 * 65535 */
	if (total < src_hdr + 14)
		return -EINVAL; /* no room for the header and an Ethernet header */
	nm_os_memset(pl->vhdr, 0, sizeof(pl->vhdr));
	pl->kind = VALE_OFFLOAD_COPY;
	pl->src_hdr = src_hdr;
	pl->dst_hdr = dst_hdr;
	pl->len = total - src_hdr;
	pl->hlen = 0;
	pl->frames = 1;
	/* A slot's length is 16 bits: a 65536-byte buffer holds 65472. */
	pl->chunk = dst_buf_size <= 65472 ? dst_buf_size : 65472;
	if (src_hdr != 0) {
		uint32_t flags, gso, g;

		vo_gather(f, nf, 0, vh, src_hdr);
		flags = vh[0];
		gso = vh[1];
		g = gso & ~VALE_VNET_GSO_ECN;
		if (flags & ~(VALE_VNET_F_NEEDS_CSUM | VALE_VNET_F_DATA_VALID))
			return -EINVAL;
		if (g != VALE_VNET_GSO_NONE && g != VALE_VNET_GSO_TCPV4 &&
		    g != VALE_VNET_GSO_UDP && g != VALE_VNET_GSO_TCPV6)
			return -EINVAL;
		if (g == VALE_VNET_GSO_NONE && gso != g)
			return -EINVAL; /* ECN without GSO */
		if (dst_hdr != 0) {
			/* The receiver has the offloads: pass the packet whole,
			 * the header translated. */
			nm_os_memcpy(pl->vhdr, vh, VALE_VNET_HDR_LEN);
		} else if (g != VALE_VNET_GSO_NONE) {
			err = vo_plan_segments(pl, f, nf, g, vo_le16(vh + 4));
		} else if (flags & VALE_VNET_F_NEEDS_CSUM) {
			uint32_t start = vo_le16(vh + 6), field;

			field = start + vo_le16(vh + 8);
			if (field + 2 > pl->len || field + 2 > VALE_OFFLOAD_HDR_MAX)
				return -EINVAL;
			pl->hlen = field + 2;
			vo_gather(f, nf, src_hdr, pl->hdr, pl->hlen);
			pl->kind = VALE_OFFLOAD_CSUM;
			pl->csum_start = start;
			pl->csum_field = field;
		}
		if (err != 0)
			return err;
	}
	if (dst_hdr == VALE_VNET_HDR_MRG_LEN)
		pl->vhdr[10] = 1; /* num_buffers: one buffer (virtio 1.0) */
	if (pl->kind == VALE_OFFLOAD_TCP || pl->kind == VALE_OFFLOAD_UDP) {
		uint32_t pay = pl->len - pl->hlen, last, sf, sl;

		pl->frames = pay == 0 ? 1 : vo_div_up(pay, pl->mss);
		if (pl->frames > VALE_OFFLOAD_MAX_SLOTS)
			return -EMSGSIZE;
		last = pay - (pl->frames - 1) * pl->mss;
		sf = vo_frame_slots(pl, pl->hlen + pl->mss);
		sl = vo_frame_slots(pl, pl->hlen + last);
		if (sl == 0 || (pl->frames > 1 && sf == 0))
			return -EMSGSIZE;
		s = (pl->frames - 1) * sf + sl;
	} else {
		s = vo_frame_slots(pl, dst_hdr + pl->len);
		if (s == 0)
			return -EMSGSIZE;
	}
	if (s > VALE_OFFLOAD_MAX_SLOTS)
		return -EMSGSIZE;
	pl->slots = s;
	return 0;
}

/* ---- Emission. */

struct vo_out {
	const struct nm_buf_pool *pool;
	const uint32_t *idx; /* validated buffer indices of the leased slots */
	uint32_t chunk;
};

/* Address of byte off of the frame whose first slot is idx[first]. */
static inline uint8_t *vo_out_at(const struct vo_out *o, uint32_t first,
				 uint32_t off, uint32_t *room)
{
	uint32_t s = off / o->chunk, in = off % o->chunk;

	*room = o->chunk - in;
	return o->pool->base + (size_t)o->idx[first + s] * o->pool->buf_size +
	       in;
}

static void vo_out_write(const struct vo_out *o, uint32_t first, uint32_t off,
			 const uint8_t *src, uint32_t len)
{
	uint32_t room, m;
	uint8_t *d;

	while (len > 0) {
		d = vo_out_at(o, first, off, &room);
		m = nm_min_u32(room, len);
		nm_os_memcpy(d, src, m);
		src += m;
		off += m;
		len -= m;
	}
}

/* Copy len payload bytes from the cursor to frame offset off; returns
 * their ones'-complement sum (payload offset 0 even) if sum is set. */
static uint32_t vo_copy_payload(const struct vo_out *o, uint32_t first,
				uint32_t off, struct vo_src *c, uint32_t len,
				bool sum)
{
	uint32_t s = 0, done = 0, room, m;
	const uint8_t *p;
	uint8_t *d;

	while (done < len) {
		m = vo_src_peek(c, len - done, &p);
		if (m == 0)
			break; /* cannot happen: the plan counted the bytes */
		d = vo_out_at(o, first, off + done, &room);
		m = nm_min_u32(m, room);
		nm_os_memcpy(d, p, m);
		if (sum) {
			uint32_t part = vale_csum_sum(d, m);

			s += (done & 1) ? vo_swap16(part) : part;
		}
		c->off += m;
		done += m;
	}
	return vo_fold(s);
}

/* Finish the checksum whose sum is s: complement, 0 sent as 0xffff. */
static inline uint32_t vo_csum_final(uint64_t s, bool zero_is_ffff)
{
	uint32_t c = ~vo_fold(s) & 0xffff;

	return c == 0 && zero_is_ffff ? 0xffff : c;
}

/* Rewrite h (a copy of the plan's headers) for frame k of a segmented
 * packet: seglen payload bytes whose sum is psum. */
static void vo_fix_segment(const struct vale_offload_plan *pl, uint8_t *h,
			   uint32_t k, uint32_t seglen, uint32_t psum)
{
	uint32_t l3 = pl->l3off, l4 = pl->l4off;
	uint32_t l4len = pl->hlen - l4 + seglen, proto;
	uint64_t s = 0;
	uint32_t i;

	if (pl->ipv4) {
		vo_put_be16(h + l3 + 2, pl->hlen - l3 + seglen);
		vo_put_be16(h + l3 + 4, (vo_be16(h + l3 + 4) + k) & 0xffff);
		vo_put_be16(h + l3 + 10, 0);
		vo_put_be16(h + l3 + 10,
			    vo_csum_final(vale_csum_sum(h + l3, l4 - l3), false));
		s += vale_csum_sum(h + l3 + 12, 8); /* source, destination */
		proto = h[l3 + 9];
	} else {
		vo_put_be16(h + l3 + 4, l4len);
		s += vale_csum_sum(h + l3 + 8, 32);
		proto = h[l3 + 6];
	}
	s += proto + (l4len >> 16) + (l4len & 0xffff);
	if (pl->kind == VALE_OFFLOAD_TCP) {
		uint8_t fl = h[l4 + 13];

		vo_put_be32(h + l4 + 4, vo_be32(h + l4 + 4) + k * pl->mss);
		if (k + 1 < pl->frames)
			fl &= (uint8_t)~0x09; /* FIN, PSH: last frame only */
		if (k > 0)
			fl &= (uint8_t)~0x80; /* CWR: first frame only */
		h[l4 + 13] = fl;
		i = l4 + 16;
	} else {
		vo_put_be16(h + l4 + 4, l4len);
		i = l4 + 6;
	}
	vo_put_be16(h + i, 0);
	s += vale_csum_sum(h + l4, pl->hlen - l4) + psum;
	vo_put_be16(h + i, vo_csum_final(s, pl->kind == VALE_OFFLOAD_UDP));
}

bool vale_offload_emit(const struct vale_offload_plan *pl,
		       const struct vale_frag *f, uint32_t nf,
		       struct netmap_ring *ring, uint32_t n, uint32_t j,
		       const struct nm_buf_pool *dpool, uint32_t *idx)
{
	uint8_t h[VALE_VNET_HDR_MRG_LEN + VALE_OFFLOAD_HDR_MAX];
	uint32_t s, k, fr, first = 0, pay = pl->len - pl->hlen;
	bool ok = true, seg = pl->kind == VALE_OFFLOAD_TCP ||
			      pl->kind == VALE_OFFLOAD_UDP;
	struct vo_out o = { dpool, idx, pl->chunk };
	struct vo_src c;

	for (s = 0, k = j; s < pl->slots; s++, k = nm_idx_next(k, n)) {
		idx[s] = nm_os_shared_load32(&ring->slot[k].buf_idx);
		if (!nm_buf_idx_valid(dpool, idx[s]))
			ok = false;
	}
	if (!ok) {
		for (s = 0, k = j; s < pl->slots; s++, k = nm_idx_next(k, n)) {
			nm_os_shared_store16(&ring->slot[k].len, 0);
			nm_os_shared_store16(&ring->slot[k].flags, 0);
		}
		return false;
	}
	if (pl->kind == VALE_OFFLOAD_COPY && pl->slots == 1 && nf == 1) {
		/* The common case, one slot in and one out with nothing to
		 * compute: the new header, then the frame (f[0] holds
		 * src_hdr + len bytes, the plan counted them), no cursor. */
		uint8_t *d = dpool->base + (size_t)idx[0] * dpool->buf_size;

		nm_os_memcpy(d, pl->vhdr, pl->dst_hdr);
		nm_os_memcpy(d + pl->dst_hdr, f[0].buf + pl->src_hdr, pl->len);
		nm_os_shared_store16(&ring->slot[j].len,
				     (uint16_t)(pl->dst_hdr + pl->len));
		nm_os_shared_store16(&ring->slot[j].flags,
				     (uint16_t)(1U << NS_PORT_SHIFT));
		return true;
	}
	vo_src_init(&c, f, nf, pl->src_hdr + pl->hlen);
	k = j;
	for (fr = 0; fr < pl->frames; fr++) {
		uint32_t seglen = seg ? nm_min_u32(pl->mss, pay - fr * pl->mss) :
					pay;
		uint32_t hl = pl->dst_hdr + pl->hlen, len = hl + seglen;
		uint32_t fs = vo_div_up(len, pl->chunk), psum;

		psum = vo_copy_payload(&o, first, hl, &c, seglen,
				       pl->kind != VALE_OFFLOAD_COPY);
		nm_os_memcpy(h, pl->vhdr, pl->dst_hdr);
		nm_os_memcpy(h + pl->dst_hdr, pl->hdr, pl->hlen);
		if (seg) {
			vo_fix_segment(pl, h, fr, seglen, psum);
		} else if (pl->kind == VALE_OFFLOAD_CSUM) {
			uint32_t hs = vale_csum_sum(h + pl->csum_start,
						    pl->hlen - pl->csum_start);

			if ((pl->hlen - pl->csum_start) & 1)
				psum = vo_swap16(psum);
			vo_put_be16(h + pl->csum_field,
				    vo_csum_final((uint64_t)hs + psum, true));
		}
		vo_out_write(&o, first, 0, h, hl);
		for (s = 0; s < fs; s++, k = nm_idx_next(k, n)) {
			uint32_t l = nm_min_u32(pl->chunk, len - s * pl->chunk);
			uint16_t fl = (uint16_t)((fs - s) << NS_PORT_SHIFT);

			if (s + 1 < fs)
				fl |= NS_MOREFRAG;
			nm_os_shared_store16(&ring->slot[k].len, (uint16_t)l);
			nm_os_shared_store16(&ring->slot[k].flags, fl);
		}
		first += fs;
	}
	return true;
}
