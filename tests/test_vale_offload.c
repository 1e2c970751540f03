/*
 * test_vale_offload.c - virtio-net headers and VALE's offloads
 * (core/vale_offload.c through the forwarding path of real ports).
 *
 * Groups: ctrl (PORT_HDR set/get and their errnos), segment (TSO over
 * IPv4 and IPv6, UDP, small destination buffers, a 12-byte source header,
 * the header alone in the first slot, one broadcast to ports of lengths
 * 0, 10 and 12 on one switch), csum (partial checksums completed),
 * pass (ports with headers: the packet passes whole, the header translated,
 * added or kept), hostile (every refused header field counted, random
 * headers and frames under ASan with conservation), tshark (the segments
 * written to a pcap and checked by tshark's checksum validation; skipped
 * when tshark is not installed).
 *
 * The oracle is independent of the code under test: checksums are
 * verified with a byte-wise ones'-complement sum (each byte weighted 256
 * or 1 by its position, reduced modulo 65535: a correct checksum makes
 * the sum over pseudo-header and segment 0), and every header field of
 * every segment is computed here from the super-frame by first principles
 * (length, IPv4 ID + k, sequence + k * MSS, FIN/PSH last, CWR first).
 */
#include "vale_test.h"
#include "nm_shim.h"
#include "vale_offload.h"

#include <sys/wait.h>
#include <unistd.h>

#define MAXF 70000U

/* ---- Reference checksum: byte-wise, modulo 65535. */

/* Sum of p[0..n) as 16-bit big-endian words, the first byte at an even
 * position when odd == 0; modulo 65535. */
static uint64_t ref_sum(const uint8_t *p, size_t n, int odd)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (uint64_t)p[i] * (((i + (size_t)odd) % 2 == 0) ? 256 : 1);
	return s % 65535;
}

/* Is the IPv4 header checksum right? */
static bool ref_ip4_ok(const uint8_t *ip)
{
	return ref_sum(ip, (size_t)(ip[0] & 15) * 4, 0) == 0;
}

/* Is the TCP/UDP checksum of segment l4[0..len) right, with the
 * pseudo-header of the IPv4 (v6 false) or IPv6 header ip? */
static bool ref_l4_ok(const uint8_t *ip, bool v6, uint8_t proto,
		      const uint8_t *l4, size_t len)
{
	uint8_t ph[40];
	size_t n;

	memset(ph, 0, sizeof(ph));
	if (!v6) {
		memcpy(ph, ip + 12, 8);
		ph[9] = proto;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		n = 12;
	} else {
		memcpy(ph, ip + 8, 32);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[39] = proto;
		n = 40;
	}
	return (ref_sum(ph, n, 0) + ref_sum(l4, len, 0)) % 65535 == 0;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* ---- Ports. */

struct env {
	struct nm_registry reg;
	struct nm_port *p[3];
};

static struct nm_port *open_port(struct env *e, const char *name,
				 uint32_t buf_size)
{
	struct nm_port_geom g = { 1, 1, 1024, 1024, buf_size };
	struct nm_port *p = NULL;

	assert_int_equal(nm_port_open(&e->reg, name, &g, &p), 0);
	return p;
}

/* Ports vale0:a (header ha) and vale0:b (header hb, buffers of bsb). */
static struct env *env_new(uint32_t ha, uint32_t hb, uint32_t bsb)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(nm_registry_init(&e->reg), 0);
	e->p[0] = open_port(e, "vale0:a", 0);
	e->p[1] = open_port(e, "vale0:b", bsb);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:a", ha), 0);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:b", hb), 0);
	return e;
}

static void env_free(struct env *e)
{
	uint32_t i;

	for (i = 0; i < 3; i++)
		if (e->p[i] != NULL)
			nm_port_close(e->p[i]);
	nm_registry_fini(&e->reg);
	free(e);
}

/* Queue frame f[0..len) on p's TX ring in slots of at most per bytes;
 * the first slot holds exactly first bytes when first != 0. */
static void put_chain(struct nm_port *p, const uint8_t *f, size_t len,
		      size_t per, size_t first)
{
	struct netmap_ring *r = vt_ring(p, NR_TX, 0);
	size_t off = 0, m;

	while (off < len) {
		m = len - off < per ? len - off : per;
		if (off == 0 && first != 0)
			m = first;
		assert_true(vt_space(r) > 0);
		vt_put(r, f + off, (uint16_t)m,
		       off + m < len ? NS_MOREFRAG : 0);
		off += m;
	}
}

static void send_frame(struct nm_port *p, const uint8_t *f, size_t len)
{
	put_chain(p, f, len, 2048, 0);
	assert_int_equal(vt_sync(p, NR_TX, 0), 0);
}

/* Next packet on p's RX ring (a chain, concatenated); false if none.
 * Checks NS_MOREFRAG and NS_RFRAGS (slots left) on the way. */
static bool recv_frame(struct nm_port *p, uint8_t *out, size_t *len)
{
	struct netmap_ring *r = vt_ring(p, NR_RX, 0);
	uint32_t left = 0, k = 0;
	size_t n = 0;

	if (vt_rx_ready(p, 0) == 0)
		return false;
	for (;;) {
		struct netmap_slot *s = &r->slot[r->head];

		assert_true(vt_space(r) > 0);
		if (k == 0 && s->len == 0 && s->flags == 0) {
			/* Padding for a packet the switch could not place
			 * (counted BAD_DST at the sender: docs/vale.md). */
			r->head = nm_idx_next(r->head, r->num_slots);
			if (vt_space(r) == 0) {
				r->cur = r->head;
				return false;
			}
			continue;
		}
		if (k == 0)
			left = NS_RFRAGS(s);
		assert_int_equal(NS_RFRAGS(s), left - k);
		assert_true(n + s->len <= MAXF);
		memcpy(out + n, nm_ring_user_buf(r, s->buf_idx), s->len);
		n += s->len;
		r->head = nm_idx_next(r->head, r->num_slots);
		k++;
		if (!(s->flags & NS_MOREFRAG))
			break;
	}
	if (k != left)
		fail_msg("chain of %u slots, NS_RFRAGS %u, %zu bytes", k, left, n);
	r->cur = r->head;
	*len = n;
	return true;
}

static uint32_t drain(struct nm_port *p)
{
	uint8_t *buf = malloc(MAXF);
	size_t len;
	uint32_t n = 0;

	while (recv_frame(p, buf, &len))
		n++;
	free(buf);
	return n;
}

/* ---- Super-frames. */

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

struct sframe {
	bool v6, udp;
	uint32_t vh;	     /* source header length (0, 10, 12) */
	uint8_t flags, gso;  /* virtio-net header */
	uint32_t mss;
	uint32_t pay;	     /* payload bytes */
	uint8_t tcpflags;
	uint32_t seq;
	uint32_t ipid;
	uint32_t tcpopt;     /* TCP option bytes (multiple of 4) */
	uint32_t l3, l4, hl; /* offsets within the frame (after vh) */
};

/* Build the frame into f (vnet header first); its length.  The IP length
 * fields and checksums are left as a Linux sender leaves a GSO frame:
 * total lengths of the whole, L4 checksum = the pseudo-header's partial
 * sum (NEEDS_CSUM convention). */
static size_t build(struct sframe *s, uint8_t *f)
{
	uint8_t *e = f + s->vh, *ip, *l4;
	uint32_t l4len, i, ps;
	size_t flen;

	memset(f, 0, s->vh + 200); /* every header byte */
	if (s->vh) {
		f[0] = s->flags;
		f[1] = s->gso;
		s->l3 = 14;
		f[4] = (uint8_t)s->mss; /* little-endian */
		f[5] = (uint8_t)(s->mss >> 8);
	}
	s->l3 = 14;
	s->l4 = s->l3 + (s->v6 ? 40 : 20);
	l4len = s->udp ? 8 : 20 + s->tcpopt;
	s->hl = s->l4 + l4len;
	if (s->vh) {
		f[2] = (uint8_t)s->hl;
		f[6] = (uint8_t)s->l4; /* csum_start */
		f[8] = s->udp ? 6 : 16; /* csum_offset */
	}
	memcpy(e, mac_b, 6);
	memcpy(e + 6, mac_a, 6);
	put16(e + 12, s->v6 ? 0x86dd : 0x0800);
	ip = e + s->l3;
	l4 = e + s->l4;
	if (!s->v6) {
		ip[0] = 0x45;
		put16(ip + 2, (20 + l4len + s->pay) & 0xffff);
		put16(ip + 4, s->ipid);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = s->udp ? 17 : 6;
		put32(ip + 12, 0x0a000001);
		put32(ip + 16, 0x0a000002);
		put16(ip + 10, 65535 - (uint32_t)ref_sum(ip, 20, 0));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, l4len + s->pay);
		ip[6] = s->udp ? 17 : 6;
		ip[7] = 64;
		for (i = 0; i < 16; i++) {
			ip[8 + i] = (uint8_t)(0x20 + i);
			ip[24 + i] = (uint8_t)(0x40 + i);
		}
	}
	put16(l4, 40000);
	put16(l4 + 2, 5001);
	if (s->udp) {
		put16(l4 + 4, (8 + s->pay) & 0xffff);
	} else {
		put32(l4 + 4, s->seq);
		put32(l4 + 8, 77);
		l4[12] = (uint8_t)((20 + s->tcpopt) / 4 << 4);
		l4[13] = s->tcpflags;
		put16(l4 + 14, 65535);
		for (i = 0; i < s->tcpopt; i++)
			l4[20 + i] = 1; /* NOP */
	}
	for (i = 0; i < s->pay; i++)
		e[s->hl + i] = (uint8_t)(i * 7 + (i >> 8));
	/* Partial checksum: the pseudo-header's folded sum, not inverted. */
	ps = (uint32_t)ref_sum(ip + (s->v6 ? 8 : 12), s->v6 ? 32 : 8, 0);
	ps += s->udp ? 17 : 6;
	ps += l4len + s->pay;
	ps %= 65535;
	put16(l4 + (s->udp ? 6 : 16), ps);
	flen = s->vh + s->hl + s->pay;
	return flen;
}

/* Check that what b received is the super-frame s segmented at s->mss
 * (or whole if it has no GSO), fields computed here.  Returns frames. */
static uint32_t check_segments(struct nm_port *b, const struct sframe *s,
			       const uint8_t *orig)
{
	uint8_t *got = malloc(MAXF);
	const uint8_t *opay = orig + s->vh + s->hl, *oip = orig + s->vh + s->l3;
	uint32_t mss = s->gso ? s->mss : s->pay;
	uint32_t n = s->pay == 0 ? 1 : (s->pay + mss - 1) / mss, k;
	size_t len;

	for (k = 0; k < n; k++) {
		uint32_t seg = s->pay - k * mss < mss ? s->pay - k * mss : mss;
		const uint8_t *ip = got + s->l3, *l4 = got + s->l4;

		assert_true(recv_frame(b, got, &len));
		assert_int_equal(len, s->hl + seg);
		/* Ethernet and the unchanged header bytes. */
		assert_memory_equal(got, orig + s->vh, 14);
		assert_memory_equal(got + s->hl, opay + k * mss, seg);
		if (!s->v6) {
			assert_int_equal(be16(ip + 2), s->hl - s->l3 + seg);
			assert_int_equal(be16(ip + 4), (s->ipid + k) & 0xffff);
			assert_memory_equal(ip + 6, oip + 6, 4); /* frag, ttl, proto */
			assert_memory_equal(ip + 12, oip + 12, 8);
			assert_true(ref_ip4_ok(ip));
		} else {
			assert_int_equal(be16(ip + 4), s->hl - s->l4 + seg);
			assert_memory_equal(ip + 6, oip + 6, 34);
		}
		if (s->udp) {
			assert_int_equal(be16(l4 + 4), 8 + seg);
			assert_int_not_equal(be16(l4 + 6), 0);
		} else {
			uint8_t want = s->tcpflags;

			assert_int_equal(be32(l4 + 4), s->seq + k * mss);
			if (k + 1 < n)
				want &= (uint8_t)~0x09;
			if (k > 0)
				want &= (uint8_t)~0x80;
			assert_int_equal(l4[13], want);
			assert_memory_equal(l4 + 8, oip + (s->l4 - s->l3) + 8, 4);
		}
		assert_true(ref_l4_ok(ip, s->v6, s->udp ? 17 : 6, l4,
				      s->hl - s->l4 + seg));
	}
	assert_false(recv_frame(b, got, &len));
	free(got);
	return n;
}

static void run_segment(struct sframe *s, uint32_t bsb, size_t per)
{
	struct env *e = env_new(s->vh, 0, bsb);
	uint8_t *f = malloc(MAXF);
	size_t len = build(s, f);
	uint32_t n;

	if (len / per >= NETMAP_MAX_FRAGS)
		per = 2048; /* a chain the switch takes */
	put_chain(e->p[0], f, len, per, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	n = check_segments(e->p[1], s, f);
	assert_int_equal(vt_rx_pkts(e->p[1]), n);
	assert_int_equal(vale_port_rx_seg_extra(vt_vale(e->p[1])), n - 1);
	/* Every payload byte summed once, whatever the segment count. */
	assert_int_equal(vale_port_rx_csum_bytes(vt_vale(e->p[1])), s->pay);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 0);
	free(f);
	env_free(e);
}

/* ---- ctrl */

static void test_vale_offload_hdr_set_get(void **state)
{
	struct env *e = env_new(0, 0, 0);
	struct nm_pipe_end *pe;
	struct nm_port_geom g = { 0 };
	uint32_t len = 99, l;

	(void)state;
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale0:a", &len), 0);
	assert_int_equal(len, 0);
	for (l = 0; l < 20; l++) {
		int want = (l == 0 || l == 10 || l == 12) ? 0 : -EINVAL;

		assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:a", l),
				 want);
		/* The length is judged before the port, as the reference. */
		assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:zz", l),
				 want == 0 ? -ENXIO : -EINVAL);
	}
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:a", 12), 0);
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale0:a", &len), 0);
	assert_int_equal(len, 12);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:a", 0xffffffff),
			 -EINVAL);
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale0:a", &len), 0);
	assert_int_equal(len, 12);
	/* Absent ports, other switches, pipes, bad names: ENXIO. */
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale0:zz", &len),
			 -ENXIO);
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale1:a", &len),
			 -ENXIO);
	assert_int_equal(nm_pipe_open(&e->reg, "x{1", &g, &pe), 0);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "x{1", 10), -ENXIO);
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "x{1", &len), -ENXIO);
	nm_pipe_close(pe);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "eth0", 10), -ENXIO);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "", 10), -ENXIO);
	/* A port forgets its header with its last close. */
	nm_port_close(e->p[0]);
	e->p[0] = open_port(e, "vale0:a", 0);
	assert_int_equal(vale_port_get_vnet_hdr(&e->reg, "vale0:a", &len), 0);
	assert_int_equal(len, 0);
	env_free(e);
}

/* ---- segment */

static void test_vale_offload_tso4(void **state)
{
	struct sframe s = { .vh = 10, .flags = 1, .gso = 1, .mss = 1448,
			    .pay = 5000, .tcpflags = 0x80 | 0x10 | 0x08 | 0x01,
			    .seq = 0xfffff000, .ipid = 0xfffe };
	uint32_t pays[] = { 0, 1, 1447, 1448, 1449, 2896, 65000 };
	uint32_t i;

	(void)state;
	/* Sequence and ID wrap; FIN/PSH last, CWR first. */
	run_segment(&s, 0, 2048);
	for (i = 0; i < NM_ARRAY_SIZE(pays); i++) {
		s.pay = pays[i];
		s.tcpflags = 0x18;
		run_segment(&s, 0, 1000);
	}
	/* A 12-byte source header, TCP options, MSS 536, ECN bit. */
	s.vh = 12;
	s.tcpopt = 12;
	s.mss = 536;
	s.gso = 1 | 0x80;
	s.pay = 9000;
	s.tcpflags = 0x80 | 0x40 | 0x10 | 0x01;
	run_segment(&s, 0, 333);
}

static void test_vale_offload_tso6(void **state)
{
	struct sframe s = { .v6 = true, .vh = 10, .flags = 1, .gso = 4,
			    .mss = 1428, .pay = 64000, .tcpflags = 0x19,
			    .seq = 1 };

	(void)state;
	run_segment(&s, 0, 2048);
	s.pay = 1428 * 3;
	s.vh = 12;
	run_segment(&s, 0, 512);
}

static void test_vale_offload_udp(void **state)
{
	struct sframe s = { .vh = 10, .flags = 1, .gso = 3, .mss = 1472,
			    .pay = 8000, .udp = true, .ipid = 7 };

	(void)state;
	run_segment(&s, 0, 2048);
	s.v6 = true;
	s.mss = 1000;
	s.pay = 4001;
	run_segment(&s, 0, 700);
	s.pay = 0;
	run_segment(&s, 0, 700);
}

/* Frames wider than the destination's buffers arrive as chains. */
static void test_vale_offload_small_bufs(void **state)
{
	struct sframe s = { .vh = 10, .flags = 1, .gso = 1, .mss = 1448,
			    .pay = 3000, .tcpflags = 0x10, .seq = 5 };

	(void)state;
	run_segment(&s, 64, 2048);
	run_segment(&s, 128, 100);
	s.v6 = true;
	s.gso = 4;
	run_segment(&s, 192, 2048);
	/* One frame over 64 slots of 64 bytes: too many fragments. */
	{
		struct env *e = env_new(10, 0, 64);
		uint8_t *f = malloc(MAXF);
		size_t len;

		s.v6 = false;
		s.gso = 1;
		s.mss = 5000;
		s.pay = 6000;
		len = build(&s, f);
		send_frame(e->p[0], f, len);
		assert_int_equal(drain(e->p[1]), 0);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_FRAGS), 1);
		free(f);
		env_free(e);
	}
}

/* The lookup finds the Ethernet header after the virtio-net header, also
 * when the header fills the first slot alone. */
static void test_vale_offload_lookup(void **state)
{
	struct env *e = env_new(10, 0, 0);
	struct sframe s = { .vh = 10, .flags = 1, .gso = 1, .mss = 1000,
			    .pay = 2500, .tcpflags = 0x10 };
	uint8_t *f = malloc(MAXF);
	size_t len = build(&s, f);

	(void)state;
	e->p[2] = open_port(e, "vale0:c", 0);
	put_chain(e->p[0], f, len, 2048, 10); /* header alone in slot 0 */
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	/* mac_b is unknown: flooded, segmented for both. */
	assert_int_equal(drain(e->p[1]), 3);
	assert_int_equal(drain(e->p[2]), 3);
	/* mac_a was learnt on port a: a reply goes there only, with a
	 * zeroed header added. */
	{
		uint8_t r[60] = { 0 };

		memcpy(r, mac_a, 6);
		memcpy(r + 6, mac_b, 6);
		send_frame(e->p[1], r, 60);
		assert_true(recv_frame(e->p[0], f, &len));
		assert_int_equal(len, 70);
		assert_memory_equal(f + 10, r, 60);
		assert_int_equal(drain(e->p[2]), 0);
	}
	free(f);
	env_free(e);
}

/* One switch, ports of every header length: a broadcast TSO frame from a
 * 10-byte port reaches the port without a header segmented, the 10-byte
 * port as sent and the 12-byte port whole with its header translated. */
static void test_vale_offload_mixed_ports(void **state)
{
	struct env *e = env_new(10, 0, 0);
	struct sframe s = { .vh = 10, .flags = 1, .gso = 1, .mss = 1448,
			    .pay = 6000, .tcpflags = 0x18, .seq = 42 };
	struct nm_port *p10, *p12;
	uint8_t *f = malloc(MAXF), *got = malloc(MAXF);
	size_t len, glen;

	(void)state;
	e->p[2] = open_port(e, "vale0:c", 0);
	p10 = e->p[2];
	p12 = open_port(e, "vale0:d", 0);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:c", 10), 0);
	assert_int_equal(vale_port_set_vnet_hdr(&e->reg, "vale0:d", 12), 0);
	len = build(&s, f);
	memset(f + 10, 0xff, 6); /* broadcast */
	send_frame(e->p[0], f, len);
	/* Segments for b (the oracle reads the destination MAC from f). */
	assert_int_equal(check_segments(e->p[1], &s, f), 5);
	assert_true(recv_frame(p10, got, &glen));
	assert_int_equal(glen, len);
	assert_memory_equal(got, f, len);
	assert_true(recv_frame(p12, got, &glen));
	assert_int_equal(glen, len + 2);
	assert_memory_equal(got, f, 10);
	assert_int_equal(got[10], 1);
	assert_int_equal(got[11], 0);
	assert_memory_equal(got + 12, f + 10, len - 10);
	assert_false(recv_frame(p10, got, &glen));
	assert_false(recv_frame(p12, got, &glen));
	assert_int_equal(vale_port_rx_seg_extra(vt_vale(e->p[1])), 4);
	assert_int_equal(vale_port_rx_seg_extra(vt_vale(p10)), 0);
	assert_int_equal(vale_port_rx_seg_extra(vt_vale(p12)), 0);
	nm_port_close(p12);
	free(f);
	free(got);
	env_free(e);
}

/* A batch translated between header lengths wakes the receiver once, as
 * a batch of equal lengths does (and as the reference's flush notifies
 * each destination once): not once per packet. */
static void test_vale_offload_xlate_notifies_once(void **state)
{
	struct env *e = env_new(12, 10, 0);
	struct nm_os_notifier wake;
	uint8_t f[12 + 60], got[128];
	size_t len;
	uint32_t k;

	(void)state;
	assert_int_equal(nm_shim_notifier_init(&wake), 0);
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, 0, &wake), 0);
	memset(f, 0, sizeof(f));
	memset(f + 12, 0xff, 6); /* broadcast: no learning needed */
	for (k = 0; k < 8; k++) {
		f[12 + 20] = (uint8_t)k;
		put_chain(e->p[0], f, sizeof(f), 2048, 0);
	}
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(wake.count, 1);
	for (k = 0; k < 8; k++) {
		assert_true(recv_frame(e->p[1], got, &len));
		assert_int_equal(len, 10 + 60);
		assert_int_equal(got[10 + 20], k);
		/* The header cut to 10 bytes (all zero), the frame whole. */
		f[12 + 20] = (uint8_t)k;
		assert_memory_equal(got, f, 10);
		assert_memory_equal(got + 10, f + 12, 60);
	}
	assert_false(recv_frame(e->p[1], got, &len));
	assert_int_equal(nm_port_set_notifier(e->p[1], NR_RX, 0, NULL), 0);
	nm_shim_notifier_fini(&wake);
	env_free(e);
}

/* Translated packets share a lease by groups: a destination ring that
 * fills in the middle of a group takes the packets that fit, in order, and
 * drops the rest of the batch as "rx ring full", each counted. */
static void test_vale_offload_xlate_ring_fills(void **state)
{
	struct env *e = env_new(12, 10, 0);
	uint8_t f[12 + 60], got[128];
	uint32_t k, seq = 0, want;
	size_t len;

	(void)state;
	memset(f, 0, sizeof(f));
	memset(f + 12, 0xff, 6);
	/* 1000 packets in 10 syncs, then 40 in one: 1023 slots take 1023. */
	for (k = 0; k < 1040; k++) {
		f[12 + 20] = (uint8_t)(k >> 8);
		f[12 + 21] = (uint8_t)k;
		put_chain(e->p[0], f, sizeof(f), 2048, 0);
		if (k % 100 == 99 || k == 1039)
			assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	}
	assert_int_equal(vale_port_drops(vt_vale(e->p[0]), VALE_DROP_RX_FULL), 17);
	assert_int_equal(vale_port_drops_total(vt_vale(e->p[0])), 17);
	while (recv_frame(e->p[1], got, &len)) {
		assert_int_equal(len, 10 + 60);
		want = (uint32_t)got[10 + 20] << 8 | got[10 + 21];
		assert_int_equal(want, seq);
		seq++;
	}
	assert_int_equal(seq, 1023);
	env_free(e);
}

/* One slot in, one slot out, no offload asked (the fast case of
 * vale_offload_emit()): every byte where it belongs, both ways, and the
 * 12-byte header's num_buffers set to 1. */
static void test_vale_offload_xlate_single_slot(void **state)
{
	struct env *e = env_new(10, 12, 0);
	uint8_t f[10 + 1500], got[2048];
	size_t len;
	uint32_t i;

	(void)state;
	f[0] = 0; /* flags: no checksum, no GSO */
	for (i = 1; i < sizeof(f); i++)
		f[i] = (uint8_t)(i * 13 + 7);
	f[1] = 0;			/* gso_type none */
	memset(f + 10, 0xff, 6);	/* broadcast */
	send_frame(e->p[0], f, sizeof(f));
	assert_true(recv_frame(e->p[1], got, &len));
	assert_int_equal(len, 12 + 1500);
	assert_memory_equal(got, f, 10);
	assert_int_equal(got[10], 1);
	assert_int_equal(got[11], 0);
	assert_memory_equal(got + 12, f + 10, 1500);
	assert_false(recv_frame(e->p[1], got, &len));
	env_free(e);
}

/* ---- csum */

static void run_csum(bool v6, bool udp, uint32_t pay, uint32_t vh)
{
	struct sframe s = { .v6 = v6, .udp = udp, .vh = vh, .flags = 1,
			    .gso = 0, .pay = pay, .tcpflags = 0x18,
			    .seq = 99, .ipid = 3 };
	struct env *e = env_new(vh, 0, 0);
	uint8_t *f = malloc(MAXF);
	size_t len = build(&s, f);

	put_chain(e->p[0], f, len, 2048, 0);
	assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
	assert_int_equal(check_segments(e->p[1], &s, f), 1);
	free(f);
	env_free(e);
}

static void test_vale_offload_csum(void **state)
{
	uint32_t pays[] = { 0, 1, 2, 3, 1001, 1460, 3000 };
	uint32_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(pays); i++) {
		run_csum(false, false, pays[i], 10);
		run_csum(true, false, pays[i], 12);
		run_csum(false, true, pays[i], 10);
		run_csum(true, true, pays[i], 10);
	}
}

/* A checksum field at an odd offset, summed from an odd start: the sum is
 * completed exactly as RFC 1071 says, whatever the protocol. */
static void test_vale_offload_csum_odd(void **state)
{
	struct env *e = env_new(10, 0, 0);
	uint8_t f[200], got[200];
	size_t len;
	uint32_t i;

	(void)state;
	memset(f, 0, sizeof(f));
	f[0] = 1;
	f[6] = 21;  /* csum_start */
	f[8] = 30;  /* csum_offset: field at 51 */
	memcpy(f + 10, mac_b, 6);
	memcpy(f + 16, mac_a, 6);
	for (i = 24; i < 200; i++)
		f[i] = (uint8_t)(i * 13);
	f[61] = f[62] = 0; /* the field: no partial sum to include */
	send_frame(e->p[0], f, 199);
	assert_true(recv_frame(e->p[1], got, &len));
	assert_int_equal(len, 189);
	assert_memory_equal(got, f + 10, 51);
	assert_memory_equal(got + 53, f + 63, 189 - 53);
	assert_int_equal(ref_sum(got + 21, 189 - 21, 0), 0);
	env_free(e);
}

/* ---- pass */

static void run_pass(uint32_t ha, uint32_t hb)
{
	struct sframe s = { .vh = ha, .flags = ha ? 1 : 0, .gso = ha ? 1 : 0,
			    .mss = 1448, .pay = 4000, .tcpflags = 0x18 };
	struct env *e = env_new(ha, hb, 0);
	uint8_t *f = malloc(MAXF), *got = malloc(MAXF);
	size_t len = build(&s, f), glen;

	send_frame(e->p[0], f, len);
	assert_true(recv_frame(e->p[1], got, &glen));
	assert_int_equal(glen, len - ha + hb);
	/* The frame whole, behind the destination's header. */
	assert_memory_equal(got + hb, f + ha, len - ha);
	if (hb != 0) {
		uint8_t want[12] = { 0 };

		if (ha != 0)
			memcpy(want, f, 10);
		if (ha == hb)
			memcpy(want, f, ha);
		else if (hb == 12)
			want[10] = 1; /* num_buffers */
		assert_memory_equal(got, want, hb);
	}
	assert_false(recv_frame(e->p[1], got, &glen));
	assert_int_equal(vale_port_rx_seg_extra(vt_vale(e->p[1])), 0);
	assert_int_equal(vale_port_rx_csum_bytes(vt_vale(e->p[1])), 0);
	free(f);
	free(got);
	env_free(e);
}

static void test_vale_offload_pass(void **state)
{
	(void)state;
	run_pass(10, 12);
	run_pass(12, 10);
	run_pass(0, 10);
	run_pass(0, 12);
	run_pass(10, 10);
	run_pass(12, 12);
	/* Stripped, nothing asked: the frame as it was. */
	{
		struct env *e = env_new(12, 0, 0);
		uint8_t f[100] = { 0 }, got[100];
		size_t len;

		memcpy(f + 12, mac_b, 6);
		memset(f + 30, 0x5a, 70);
		send_frame(e->p[0], f, 100);
		assert_true(recv_frame(e->p[1], got, &len));
		assert_int_equal(len, 88);
		assert_memory_equal(got, f + 12, 88);
		env_free(e);
	}
}

/* ---- hostile */

struct mut {
	const char *what;
	uint32_t off; /* byte of the frame (vnet header first) */
	uint8_t val;
};

static void test_vale_offload_hostile_fields(void **state)
{
	/* Each turns the good TSO frame (vh 10, IPv4, TCP) into one that
	 * must be dropped and counted as VALE_DROP_VNET_HDR. */
	static const struct mut muts[] = {
		{ "flags 4", 0, 4 },
		{ "flags 0x80", 0, 0x80 },
		{ "gso type 2", 1, 2 },
		{ "gso type 5 (UDP_L4)", 1, 5 },
		{ "gso type 0x7f", 1, 0x7f },
		{ "gso TCPV6 on IPv4", 1, 4 },
		{ "gso_size 0", 4, 0 },
		{ "ethertype ARP", 10 + 12, 0x08 },
		{ "IP version 6 in v4", 10 + 14, 0x65 },
		{ "IHL 4", 10 + 14, 0x44 },
		{ "fragment (MF)", 10 + 20, 0x60 },
		{ "protocol UDP", 10 + 23, 17 },
		{ "TCP data offset 4", 10 + 46, 0x40 },
	};
	uint32_t i;

	(void)state;
	for (i = 0; i < NM_ARRAY_SIZE(muts); i++) {
		struct sframe s = { .vh = 10, .flags = 1, .gso = 1, .mss = 1448,
				    .pay = 3000, .tcpflags = 0x10 };
		struct env *e = env_new(10, 0, 0);
		uint8_t *f = malloc(MAXF);
		size_t len = build(&s, f);

		f[muts[i].off] = muts[i].val;
		if (muts[i].off == 4)
			f[5] = 0;
		if (muts[i].off == 10 + 12)
			f[10 + 13] = 0x06;
		send_frame(e->p[0], f, len);
		if (drain(e->p[1]) != 0 ||
		    vt_drops(e->p[0], VALE_DROP_VNET_HDR) != 1)
			fail_msg("%s: not dropped as VNET_HDR", muts[i].what);
		free(f);
		env_free(e);
	}
	/* csum_start + csum_offset past the frame; frames too short for the
	 * header; IP length overflow (MSS 65500 with 54 header bytes). */
	{
		struct env *e = env_new(10, 0, 0);
		uint8_t f[100] = { 1, 0 };

		memcpy(f + 10, mac_b, 6);
		f[6] = 90; /* csum_start 90 + offset 0 + 2 > 90 */
		send_frame(e->p[0], f, 100);
		f[6] = 0;
		/* 13 bytes after the header: the bridge's short frame. */
		send_frame(e->p[0], f, 23);
		send_frame(e->p[0], f, 10); /* the header alone */
		assert_int_equal(drain(e->p[1]), 0);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_VNET_HDR), 2);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_LOOKUP), 1);
		env_free(e);
	}
	/* The same short slots between equal header lengths, which the
	 * inline path classifies after the header: judged as above. */
	{
		struct env *e = env_new(10, 10, 0);
		uint8_t f[100] = { 0 };

		memcpy(f + 10, mac_b, 6);
		send_frame(e->p[0], f, 23);
		send_frame(e->p[0], f, 10);
		assert_int_equal(drain(e->p[1]), 0);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_VNET_HDR), 1);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_LOOKUP), 1);
		env_free(e);
	}
	{
		struct sframe s = { .vh = 10, .flags = 1, .gso = 1,
				    .mss = 65500, .pay = 66000 - 54,
				    .tcpflags = 0x10 };
		struct env *e = env_new(10, 0, 0);
		uint8_t *f = malloc(MAXF);
		size_t len = build(&s, f);

		send_frame(e->p[0], f, len);
		assert_int_equal(drain(e->p[1]), 0);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_VNET_HDR), 1);
		/* Over 1024 frames (MSS 8): over the limit, not worked on. */
		s.mss = 8;
		s.pay = 9000;
		len = build(&s, f);
		send_frame(e->p[0], f, len);
		assert_int_equal(drain(e->p[1]), 0);
		assert_int_equal(vt_drops(e->p[0], VALE_DROP_FRAGS), 1);
		free(f);
		env_free(e);
	}
}

/* Random headers and frames, from and to ports of every header length:
 * no over-read (ASan), no crash, and every packet accounted for. */
static void test_vale_offload_hostile_random(void **state)
{
	uint64_t rng = nm_test_seed("vale_offload.hostile_random");
	static const uint32_t lens[3] = { 0, 10, 12 };
	uint8_t *f = malloc(MAXF);
	uint32_t round;

	(void)state;
	for (round = 0; round < 60; round++) {
		uint32_t ha = lens[nm_test_rand(&rng) % 3];
		uint32_t hb = lens[nm_test_rand(&rng) % 3];
		struct env *e = env_new(ha, hb, 64U << (nm_test_rand(&rng) % 4));
		uint64_t tx = 0, rx, drops;
		uint32_t i;

		for (i = 0; i < 20; i++) {
			struct sframe s = { .vh = ha, .flags = 1,
					    .gso = (uint8_t)(nm_test_rand(&rng) % 5),
					    .mss = 1 + nm_test_rand(&rng) % 3000,
					    .pay = nm_test_rand(&rng) % 20000,
					    .v6 = nm_test_rand(&rng) & 1,
					    .udp = nm_test_rand(&rng) & 1,
					    .tcpopt = 4 * (nm_test_rand(&rng) % 11),
					    .tcpflags = (uint8_t)nm_test_rand(&rng) };
			size_t len = build(&s, f), k, nmut;

			/* Mutate a few bytes of the headers, or cut. */
			nmut = nm_test_rand(&rng) % 4;
			for (k = 0; k < nmut; k++)
				f[nm_test_rand(&rng) % (ha + s.hl)] =
					(uint8_t)nm_test_rand(&rng);
			if (nm_test_rand(&rng) % 4 == 0)
				len = nm_test_rand(&rng) % (len + 1);
			if (len == 0)
				continue;
			k = 1 + nm_test_rand(&rng) % 2048;
			if (len / k > 100)
				k = len / 100 + 1;
			put_chain(e->p[0], f, len, k, 0);
			assert_int_equal(vt_sync(e->p[0], NR_TX, 0), 0);
			tx++;
			drain(e->p[1]);
		}
		rx = vt_rx_pkts(e->p[1]) -
		     vale_port_rx_seg_extra(vt_vale(e->p[1]));
		drops = vale_port_drops_total(vt_vale(e->p[0]));
		assert_int_equal(rx + drops, tx);
		env_free(e);
	}
	free(f);
}

/* ---- tshark */

static void pcap_put32(FILE *fp, uint32_t v)
{
	fwrite(&v, 4, 1, fp);
}

static void test_vale_offload_tshark(void **state)
{
	static const struct sframe kinds[] = {
		{ .vh = 10, .flags = 1, .gso = 1, .mss = 1448, .pay = 20000,
		  .tcpflags = 0x19, .seq = 4000000000U, .ipid = 65530 },
		{ .v6 = true, .vh = 12, .flags = 1, .gso = 4, .mss = 1000,
		  .pay = 7777, .tcpflags = 0x18, .tcpopt = 12 },
		{ .udp = true, .vh = 10, .flags = 1, .gso = 3, .mss = 1400,
		  .pay = 9999, .ipid = 1 },
		{ .udp = true, .v6 = true, .vh = 10, .flags = 1, .gso = 3,
		  .mss = 777, .pay = 3001 },
		{ .vh = 10, .flags = 1, .pay = 1001, .tcpflags = 0x18 },
		{ .udp = true, .vh = 10, .flags = 1, .pay = 3 },
	};
	char dir[] = "/tmp/nmlab-offload-XXXXXX", path[96], cmd[512], line[256];
	uint8_t *f = malloc(MAXF), *got = malloc(MAXF);
	uint32_t i, frames = 0, good = 0, bad = 0;
	FILE *fp, *out;

	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		free(f);
		free(got);
		printf("tshark not installed: skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/seg.pcap", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	pcap_put32(fp, 0xa1b2c3d4);
	pcap_put32(fp, 0x00040002);
	pcap_put32(fp, 0);
	pcap_put32(fp, 0);
	pcap_put32(fp, 262144);
	pcap_put32(fp, 1); /* EN10MB */
	for (i = 0; i < NM_ARRAY_SIZE(kinds); i++) {
		struct sframe s = kinds[i];
		struct env *e = env_new(s.vh, 0, 0);
		size_t len = build(&s, f);

		send_frame(e->p[0], f, len);
		while (recv_frame(e->p[1], got, &len)) {
			pcap_put32(fp, frames);
			pcap_put32(fp, 0);
			pcap_put32(fp, (uint32_t)len);
			pcap_put32(fp, (uint32_t)len);
			fwrite(got, 1, len, fp);
			frames++;
		}
		env_free(e);
	}
	fclose(fp);
	snprintf(cmd, sizeof(cmd),
		 "tshark -r %s -o ip.check_checksum:TRUE "
		 "-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE "
		 "-T fields -e ip.checksum.status -e tcp.checksum.status "
		 "-e udp.checksum.status 2>/dev/null",
		 path);
	out = popen(cmd, "r");
	assert_non_null(out);
	/* Every status shown must be 1 (good); 0 is bad, 2 unverified. */
	while (fgets(line, sizeof(line), out) != NULL) {
		char *p;

		for (p = line; *p != '\0'; p++) {
			if (*p == '1')
				good++;
			else if (*p == '0' || *p == '2')
				bad++;
		}
	}
	assert_int_equal(pclose(out), 0);
	printf("tshark: %u frames, %u checksums good, %u not\n", frames, good,
	       bad);
	assert_int_equal(bad, 0);
	/* IPv4 frames have two checksums, IPv6 ones one. */
	assert_true(good >= frames);
	unlink(path);
	rmdir(dir);
	free(f);
	free(got);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest ctrl[] = {
		cmocka_unit_test(test_vale_offload_hdr_set_get),
	};
	static const struct CMUnitTest segment[] = {
		cmocka_unit_test(test_vale_offload_tso4),
		cmocka_unit_test(test_vale_offload_tso6),
		cmocka_unit_test(test_vale_offload_udp),
		cmocka_unit_test(test_vale_offload_small_bufs),
		cmocka_unit_test(test_vale_offload_lookup),
		cmocka_unit_test(test_vale_offload_mixed_ports),
		cmocka_unit_test(test_vale_offload_xlate_notifies_once),
		cmocka_unit_test(test_vale_offload_xlate_ring_fills),
		cmocka_unit_test(test_vale_offload_xlate_single_slot),
	};
	static const struct CMUnitTest csum[] = {
		cmocka_unit_test(test_vale_offload_csum),
		cmocka_unit_test(test_vale_offload_csum_odd),
	};
	static const struct CMUnitTest pass[] = {
		cmocka_unit_test(test_vale_offload_pass),
	};
	static const struct CMUnitTest hostile[] = {
		cmocka_unit_test(test_vale_offload_hostile_fields),
		cmocka_unit_test(test_vale_offload_hostile_random),
	};
	static const struct CMUnitTest tshark[] = {
		cmocka_unit_test(test_vale_offload_tshark),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("ctrl", ctrl),
		NM_TEST_GROUP("segment", segment),
		NM_TEST_GROUP("csum", csum),
		NM_TEST_GROUP("pass", pass),
		NM_TEST_GROUP("hostile", hostile),
		NM_TEST_GROUP("tshark", tshark),
	};

	nm_shim_thread_register();
	return nm_test_main("vale_offload", argc, argv, groups,
			    NM_ARRAY_SIZE(groups));
}
