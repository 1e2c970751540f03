/*
 * vale_tso.c - a TSO super-frame through VALE to a port without the
 * virtio-net header, and PORT_HDR_SET/GET with their errnos.
 *
 * "valeT0:tx" gets a 10-byte virtio-net header (PORT_HDR_SET on its own
 * file, as pkt-gen -H does), "valeT0:rx" none.  The sender writes one
 * super-frame (header: NEEDS_CSUM, GSO TCPv4, gso_size 1448; Ethernet,
 * IPv4, TCP with CWR|PSH|FIN|ACK, 20,000 payload bytes) as a chain of
 * 2048-byte slots; the receiver must get 14 frames whose lengths, IPv4
 * IDs, sequence numbers, flags (CWR first, PSH/FIN last) and checksums
 * are what this file computes from the super-frame, with a byte-wise
 * ones'-complement check written here (independent of core/).  Then
 * 12 -> 10 bytes: the frame passes whole, the header translated.
 */
#include "nmc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PAY 20000U
#define MSS 1448U
#define HL 54U /* Ethernet 14, IPv4 20, TCP 20 */
#define VH 10U

static const uint8_t mac_tx[6] = { 0x02, 0, 0, 0, 0x54, 0x01 };
static const uint8_t mac_rx[6] = { 0x02, 0, 0, 0, 0x54, 0x02 };
static uint8_t frame[VH + HL + PAY + 64];

static int hdr_req(int fd, uint16_t type, const char *name, uint32_t *len)
{
	struct nmreq_port_hdr ph = { *len, 0 };
	struct nmreq_header h;
	int err;

	nmc_hdr(&h, type, name, &ph);
	err = nmc_ctrl(fd, &h);
	if (err == 0)
		*len = ph.nr_hdr_len;
	return err;
}

/* Sum of p[0..n) as big-endian 16-bit words, modulo 65535. */
static uint64_t sum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (uint64_t)p[i] * (i % 2 == 0 ? 256 : 1);
	return s % 65535;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) << 16 | get16(p + 2);
}

static size_t build(uint8_t *f, uint32_t vh)
{
	uint8_t *e = f + vh, *ip = e + 14, *tcp = e + 34;
	uint32_t i;

	memset(f, 0, vh + HL);
	f[0] = 1;		  /* NEEDS_CSUM */
	f[1] = 1;		  /* GSO_TCPV4 */
	f[2] = HL;		  /* hdr_len */
	f[4] = MSS & 0xff;	  /* gso_size, little-endian */
	f[5] = MSS >> 8;
	f[6] = 34;		  /* csum_start */
	f[8] = 16;		  /* csum_offset */
	memcpy(e, mac_rx, 6);
	memcpy(e + 6, mac_tx, 6);
	put16(e + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (20 + 20 + PAY) & 0xffff);
	put16(ip + 4, 0x7ffe);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	put16(ip + 10, 65535 - (uint32_t)sum(ip, 20));
	put16(tcp, 33000);
	put16(tcp + 2, 5201);
	put16(tcp + 4, 0xffff);
	put16(tcp + 6, 0xf000); /* sequence 0xfffff000: wraps */
	tcp[12] = 5 << 4;
	tcp[13] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
	put16(tcp + 14, 512);
	for (i = 0; i < PAY; i++)
		e[HL + i] = (uint8_t)(i * 31 + (i >> 9));
	return vh + HL + PAY;
}

static void send_chain(struct nmc_port *p, const uint8_t *f, size_t len)
{
	struct netmap_ring *r = nmc_ring(p, NR_TX, 0);
	size_t off = 0, m;

	while (off < len) {
		struct netmap_slot *s = &r->slot[r->head];

		m = len - off < 2048 ? len - off : 2048;
		NMC_CHECK(nm_ring_user_space(r, r->head, nm_ring_user_tail(r)) > 0,
			  "tx ring full");
		memcpy(nm_ring_user_buf(r, s->buf_idx), f + off, m);
		s->len = (uint16_t)m;
		s->flags = off + m < len ? NS_MOREFRAG : 0;
		r->head = nm_idx_next(r->head, r->num_slots);
		off += m;
	}
	nm_ring_user_publish(r, r->head, r->head);
	NMC_CHECK(nmc_sync(p, NR_TX) == 0, "txsync");
}

/* The next frame on rx (single slot expected); its length or -1. */
static int recv1(struct nmc_port *p, uint8_t *out)
{
	struct netmap_ring *r = nmc_ring(p, NR_RX, 0);
	struct netmap_slot *s;
	int len;

	if (r->head == nm_ring_user_tail(r))
		return -1;
	s = &r->slot[r->head];
	NMC_CHECK(!(s->flags & NS_MOREFRAG), "frame in several slots");
	len = s->len;
	memcpy(out, nm_ring_user_buf(r, s->buf_idx), s->len);
	r->head = nm_idx_next(r->head, r->num_slots);
	nm_ring_user_publish(r, r->head, r->head);
	return len;
}

static void check_segments(struct nmc_port *rx)
{
	static uint8_t got[4096];
	const uint8_t *oe = frame + VH;
	uint32_t n = (PAY + MSS - 1) / MSS, k;

	NMC_CHECK(nmc_sync(rx, NR_RX) == 0, "rxsync");
	for (k = 0; k < n; k++) {
		uint32_t seg = PAY - k * MSS < MSS ? PAY - k * MSS : MSS;
		uint8_t ph[12], want = 0x80 | 0x10 | 0x08 | 0x01;
		const uint8_t *ip = got + 14, *tcp = got + 34;
		int len = recv1(rx, got);

		NMC_CHECK(len == (int)(HL + seg), "frame %u: len %d", k, len);
		NMC_CHECK(memcmp(got, oe, 14) == 0, "frame %u: Ethernet", k);
		NMC_CHECK(memcmp(got + HL, oe + HL + k * MSS, seg) == 0,
			  "frame %u: payload", k);
		NMC_CHECK(get16(ip + 2) == 40 + seg, "frame %u: IP length %u", k,
			  get16(ip + 2));
		NMC_CHECK(get16(ip + 4) == ((0x7ffe + k) & 0xffff),
			  "frame %u: IP id %#x", k, get16(ip + 4));
		NMC_CHECK(sum(ip, 20) == 0, "frame %u: IP checksum", k);
		NMC_CHECK(get32(tcp + 4) == (uint32_t)(0xfffff000U + k * MSS),
			  "frame %u: seq %#x", k, get32(tcp + 4));
		if (k + 1 < n)
			want &= (uint8_t)~0x09;
		if (k > 0)
			want &= (uint8_t)~0x80;
		NMC_CHECK(tcp[13] == want, "frame %u: flags %#x, want %#x", k,
			  tcp[13], want);
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		put16(ph + 10, 20 + seg);
		NMC_CHECK((sum(ph, 12) + sum(tcp, 20 + seg)) % 65535 == 0,
			  "frame %u: TCP checksum", k);
	}
	NMC_CHECK(recv1(rx, got) < 0, "more than %u frames", n);
}

int main(void)
{
	struct nmc_port tx, rx, again;
	static uint8_t got[4096 * 16];
	uint32_t len;
	size_t flen;
	int fd;

	nmc_prog = "vale-tso";
	NMC_CHECK(nmc_open(&rx, "valeT0:rx", NR_REG_ALL_NIC, 0, 0, 0) == 0,
		  "register rx");
	NMC_CHECK(nmc_open(&tx, "valeT0:tx", NR_REG_ALL_NIC, 0, 0, 0) == 0,
		  "register tx");
	fd = tx.fd;

	/* PORT_HDR errnos, as the reference. */
	len = 11;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "valeT0:tx", &len) ==
			  EINVAL, "set 11");
	len = 10;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "valeT0:nope", &len) ==
			  ENXIO, "set on an absent port");
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "x{1", &len) == ENXIO,
		  "set on a pipe");
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "eth0", &len) == ENXIO,
		  "set on a NIC name");
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_GET, "valeT0:nope", &len) ==
			  ENXIO, "get on an absent port");
	len = 10;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "valeT0:tx", &len) == 0,
		  "set 10");
	len = 99;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_GET, "valeT0:tx", &len) == 0 &&
			  len == 10, "get: %u", len);
	len = 99;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_GET, "valeT0:rx", &len) == 0 &&
			  len == 0, "get rx: %u", len);
	/* A port with a header: only with NR_ACCEPT_VNET_HDR (EIO). */
	NMC_CHECK(nmc_open(&again, "valeT0:tx", NR_REG_ALL_NIC, 0, 0, 0) == EIO,
		  "register without NR_ACCEPT_VNET_HDR");
	NMC_CHECK(nmc_open(&again, "valeT0:tx", NR_REG_ALL_NIC,
			   NR_ACCEPT_VNET_HDR, 0, 0) == 0,
		  "register with NR_ACCEPT_VNET_HDR");
	nmc_close(&again);

	/* The super-frame, segmented for rx. */
	flen = build(frame, VH);
	send_chain(&tx, frame, flen);
	check_segments(&rx);

	/* 12 -> 10: passes whole (a chain), the header translated. */
	len = 12;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "valeT0:tx", &len) == 0,
		  "set 12");
	len = 10;
	NMC_CHECK(hdr_req(fd, NETMAP_REQ_PORT_HDR_SET, "valeT0:rx", &len) == 0,
		  "set rx 10");
	flen = build(frame, 12);
	send_chain(&tx, frame, flen);
	NMC_CHECK(nmc_sync(&rx, NR_RX) == 0, "rxsync");
	{
		struct netmap_ring *r = nmc_ring(&rx, NR_RX, 0);
		size_t n = 0;

		for (;;) {
			struct netmap_slot *s = &r->slot[r->head];

			NMC_CHECK(r->head != nm_ring_user_tail(r),
				  "frame cut after %zu bytes", n);
			memcpy(got + n, nm_ring_user_buf(r, s->buf_idx), s->len);
			n += s->len;
			r->head = nm_idx_next(r->head, r->num_slots);
			if (!(s->flags & NS_MOREFRAG))
				break;
		}
		nm_ring_user_publish(r, r->head, r->head);
		NMC_CHECK(n == flen - 2, "whole frame: %zu of %zu", n, flen - 2);
		NMC_CHECK(memcmp(got, frame, 10) == 0, "header translated");
		NMC_CHECK(memcmp(got + 10, frame + 12, flen - 12) == 0,
			  "frame bytes");
	}
	nmc_close(&tx);
	nmc_close(&rx);
	printf("vale-tso: OK 14 segments checked, header translated\n");
	return 0;
}
