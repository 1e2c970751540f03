/*
 * sim_vnet.c - the guest side of the virtio-net header: parsing a frame's
 * L2..L4, Internet checksums (RFC 1071, written here again so that the
 * simulator never checks the core's segments with the core's own sums),
 * the header a sending guest writes and the checks a receiving guest
 * makes.  Rules: sim_vnet.h.
 */
#include "sim_vnet.h"

#include <errno.h>
#include <stdio.h>
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

static inline void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint64_t sum_bytes(const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

int sim_l4_parse(const uint8_t *f, uint32_t len, struct sim_l4 *o)
{
	uint32_t l3 = 14, et, end, l4h;

	memset(o, 0, sizeof(*o));
	if (len < 14)
		return -EINVAL;
	et = be16(f + 12);
	if (et == 0x8100) {
		if (len < 18)
			return -EINVAL;
		et = be16(f + 16);
		l3 = 18;
	}
	o->l3 = l3;
	if (et == 0x0800) {
		uint32_t ihl;

		if (len < l3 + 20 || f[l3] >> 4 != 4)
			return -EINVAL;
		ihl = (f[l3] & 0xfU) * 4;
		o->ip_len = be16(f + l3 + 2);
		if (ihl < 20 || o->ip_len < ihl || l3 + o->ip_len > len ||
		    (be16(f + l3 + 6) & 0x3fff) != 0)
			return -EINVAL;
		o->proto = f[l3 + 9];
		o->l4 = l3 + ihl;
	} else if (et == 0x86dd) {
		if (len < l3 + 40 || f[l3] >> 4 != 6)
			return -EINVAL;
		o->ip_len = 40 + be16(f + l3 + 4);
		if (l3 + o->ip_len > len)
			return -EINVAL;
		o->proto = f[l3 + 6];
		o->l4 = l3 + 40;
		o->v6 = true;
	} else {
		return -EINVAL;
	}
	end = l3 + o->ip_len;
	if (o->proto == 6) {
		if (o->l4 + 20 > end)
			return -EINVAL;
		l4h = (uint32_t)(f[o->l4 + 12] >> 4) * 4;
		if (l4h < 20)
			return -EINVAL;
	} else if (o->proto == 17) {
		l4h = 8;
	} else {
		return -EINVAL;
	}
	if (o->l4 + l4h > end)
		return -EINVAL;
	o->hoff = o->l4 + l4h;
	return 0;
}

/* The pseudo-header's sum for an L4 length of l4len. */
static uint64_t pseudo_sum(const uint8_t *f, const struct sim_l4 *o,
			   uint32_t l4len)
{
	uint64_t s = o->proto + (l4len >> 16) + (l4len & 0xffff);

	if (o->v6)
		return s + sum_bytes(f + o->l3 + 8, 32);
	return s + sum_bytes(f + o->l3 + 12, 8);
}

uint32_t sim_l4_csum_sum(const uint8_t *f, const struct sim_l4 *o)
{
	uint32_t l4len = o->l3 + o->ip_len - o->l4;

	return fold(pseudo_sum(f, o, l4len) + sum_bytes(f + o->l4, l4len));
}

bool sim_l4_ip_csum_ok(const uint8_t *f, const struct sim_l4 *o)
{
	if (o->v6)
		return true;
	return fold(sum_bytes(f + o->l3, o->l4 - o->l3)) == 0xffff;
}

void sim_vnet_prepare(uint32_t off, uint32_t mtu, uint8_t *f, uint32_t len,
		      uint8_t *hdr, uint32_t hdr_len, struct sim_vnet_tx *tx)
{
	struct sim_l4 o;
	uint32_t field, l4len, gso = SIM_VNET_GSO_NONE, need = 0;

	memset(hdr, 0, hdr_len);
	memset(tx, 0, sizeof(*tx));
	tx->kind = SIM_VNET_PLAIN;
	if (sim_l4_parse(f, len, &o) != 0) {
		/* Not TCP/UDP over IP: nothing to offload; over the MTU it
		 * cannot be sent at all. */
		if (len > 14 && len - 14 > mtu)
			tx->kind = SIM_VNET_OVER_MTU;
		return;
	}
	field = o.l4 + (o.proto == 6 ? 16 : 6);
	l4len = o.l3 + o.ip_len - o.l4;
	if (o.ip_len > mtu) {
		if (o.proto == 6)
			need = o.v6 ? SIM_OFF_TSO6 : SIM_OFF_TSO4;
		else
			need = SIM_OFF_UFO;
		gso = o.proto == 17 ? SIM_VNET_GSO_UDP :
		      o.v6 ? SIM_VNET_GSO_TCPV6 : SIM_VNET_GSO_TCPV4;
		/* A super-frame is all IP packet (no Ethernet padding) and
		 * its headers leave room for payload within the MTU. */
		if (!(off & need) || o.l3 + o.ip_len != len ||
		    o.hoff - o.l3 >= mtu) {
			tx->kind = SIM_VNET_OVER_MTU;
			return;
		}
		tx->kind = SIM_VNET_GSO;
		tx->hoff = o.hoff;
		tx->gso_size = mtu - (o.hoff - o.l3);
	} else if (o.proto == 17 && !o.v6 && be16(f + field) == 0) {
		return; /* an IPv4 UDP datagram sent without a checksum */
	} else if (!(off & SIM_OFF_CSUM) || o.l3 + o.ip_len != len ||
		   len - o.hoff < 8) {
		/* No offload: the guest's stack sums the segment itself.  So
		 * it does, here, for a frame with Ethernet padding or fewer
		 * than 8 payload bytes: the simulator's tag (sim_pkt.h) would
		 * cover bytes the host's completion rewrites or does not
		 * sum alike (docs/simulator.md, "Offloads"). */
		put_be16(f + field, 0);
		field = ~sim_l4_csum_sum(f, &o) & 0xffff;
		if (field == 0 && o.proto == 17)
			field = 0xffff;
		put_be16(f + o.l4 + (o.proto == 6 ? 16 : 6), field);
		tx->csum_bytes = l4len;
		return;
	} else {
		tx->kind = SIM_VNET_CSUM;
		tx->hoff = o.hoff;
	}
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header's sum, the
	 * host adds the bytes from csum_start on. */
	put_be16(f + field, fold(pseudo_sum(f, &o, l4len)));
	hdr[0] = SIM_VNET_F_NEEDS_CSUM;
	hdr[1] = (uint8_t)gso;
	if (gso != SIM_VNET_GSO_NONE) {
		put_le16(hdr + 2, o.hoff);
		put_le16(hdr + 4, tx->gso_size);
	}
	put_le16(hdr + 6, o.l4);
	put_le16(hdr + 8, field - o.l4);
}

const char *sim_vnet_rx_check(const uint8_t *h, uint32_t hdr_len, uint32_t len,
			      uint32_t off)
{
	uint32_t gso = h[1] & 0x7fU, need = 0;

	if (h[0] & ~(SIM_VNET_F_NEEDS_CSUM | SIM_VNET_F_DATA_VALID))
		return "virtio-net header: unknown flags";
	switch (gso) {
	case SIM_VNET_GSO_NONE:
		if (h[1] != 0)
			return "virtio-net header: ECN without GSO";
		break;
	case SIM_VNET_GSO_TCPV4:
		need = SIM_OFF_TSO4;
		break;
	case SIM_VNET_GSO_TCPV6:
		need = SIM_OFF_TSO6;
		break;
	case SIM_VNET_GSO_UDP:
		need = SIM_OFF_UFO;
		break;
	default:
		return "virtio-net header: unknown gso_type";
	}
	if ((off & need) != need)
		return "virtio-net header: a GSO type the receiver did not declare";
	if (h[0] & SIM_VNET_F_NEEDS_CSUM) {
		if (!(off & SIM_OFF_CSUM))
			return "virtio-net header: NEEDS_CSUM to a receiver without csum";
		if (le16(h + 6) + le16(h + 8) + 2 > len)
			return "virtio-net header: csum_start + csum_offset beyond the frame";
	}
	if (gso != SIM_VNET_GSO_NONE && (le16(h + 4) == 0 || le16(h + 2) > len))
		return "virtio-net header: gso_size 0 or hdr_len beyond the frame";
	/* num_buffers (hdr_len 12) is not checked: a sender's 12-byte
	 * header passes unchanged to a 12-byte port, with the 0 a driver
	 * leaves on TX. */
	(void)hdr_len;
	return NULL;
}

const char *sim_vnet_off_name(uint32_t off, char *buf, size_t size)
{
	static const char *const names[] = { "csum", "tso4", "tso6", "ufo" };
	size_t n = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (off & (1U << i))
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? "+" : "", names[i]);
	if (n == 0)
		snprintf(buf, size, "none");
	return buf;
}
