/*
 * test_sim_offload.c - the simulator's guest side of the virtio-net
 * header (sim/net/sim_vnet.c), a guest's own segmentation and
 * fragmentation (sim_gseg.c), a receiver gathering the switch's segments
 * (sim_seg.c), the offloads key's values (sim/dev/sim_dev_table.c), and
 * the switch's segmentation end to end in a run.
 *
 * Groups: guest (the header a sender writes, what it refuses, what it
 * cuts), gather (segments accepted, and every check firing on a bad one),
 * keys (offloads values), run (a ptnet scenario with TSO to a receiver
 * without a header: segmented, every packet gathered and accounted).
 * The checksums here are the test's own (RFC 1071), not the code's.
 */
#include "nm_test.h"

#include <errno.h>

#include "sim_cost.h"
#include "sim_dev.h"
#include "sim_ep.h"
#include "sim_gseg.h"
#include "sim_scenario.h"
#include "sim_seg.h"
#include "sim_vnet.h"
#include "sim_world.h"
#include "vale.h"

#define MAXF 70000

static uint32_t rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t ref_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint64_t ref_sum(const uint8_t *p, uint32_t n)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* An Ethernet + IPv4 + TCP (12 bytes of options) frame with pay bytes of
 * payload, as a Linux sender leaves a GSO frame: IP checksum valid, TCP
 * checksum field garbage. */
static uint32_t build_tcp4(uint8_t *f, uint32_t pay, uint32_t seq)
{
	uint32_t ip = 14, tcp = 34, hl = 66, i, tot = hl - 14 + pay;

	memset(f, 0, hl);
	memset(f, 0x02, 12);
	f[12] = 0x08;
	f[ip] = 0x45;
	f[ip + 2] = (uint8_t)(tot >> 8);
	f[ip + 3] = (uint8_t)tot;
	f[ip + 4] = 0x12;
	f[ip + 6] = 0x40; /* DF */
	f[ip + 8] = 64;
	f[ip + 9] = 6;
	f[ip + 12] = 10, f[ip + 15] = 1, f[ip + 16] = 10, f[ip + 19] = 2;
	i = ~ref_fold(ref_sum(f + ip, 20)) & 0xffff;
	f[ip + 10] = (uint8_t)(i >> 8), f[ip + 11] = (uint8_t)i;
	f[tcp] = 0x9c, f[tcp + 1] = 0x40, f[tcp + 3] = 80;
	f[tcp + 4] = (uint8_t)(seq >> 24), f[tcp + 5] = (uint8_t)(seq >> 16);
	f[tcp + 6] = (uint8_t)(seq >> 8), f[tcp + 7] = (uint8_t)seq;
	f[tcp + 12] = 8 << 4;
	f[tcp + 13] = 0x18; /* ACK PSH */
	f[tcp + 16] = 0xde, f[tcp + 17] = 0xad;
	for (i = 0; i < pay; i++)
		f[hl + i] = (uint8_t)(i * 7 + 3);
	return hl + pay;
}

/* Is the TCP/IPv4 frame's TCP checksum valid (the test's own sum)? */
static bool tcp4_ok(const uint8_t *f, uint32_t len)
{
	uint32_t l4len = len - 34;
	uint64_t s = ref_sum(f + 26, 8) + 6 + l4len + ref_sum(f + 34, l4len);

	return ref_fold(s) == 0xffff;
}

/* ---- guest */

static void test_sim_offload_gso_header(void **state)
{
	uint8_t *f = malloc(MAXF), h[12];
	uint32_t len = build_tcp4(f, 20000, 1000);
	struct sim_vnet_tx tx;
	uint64_t pseudo;

	(void)state;
	sim_vnet_prepare(SIM_OFF_CSUM | SIM_OFF_TSO4, 1500, f, len, h, 12, &tx);
	assert_int_equal(tx.kind, SIM_VNET_GSO);
	assert_int_equal(tx.gso_size, 1448); /* 1500 - 20 - 32 */
	assert_int_equal(tx.hoff, 66);
	assert_int_equal(h[0], SIM_VNET_F_NEEDS_CSUM);
	assert_int_equal(h[1], SIM_VNET_GSO_TCPV4);
	assert_int_equal(h[2] | h[3] << 8, 66);	  /* hdr_len */
	assert_int_equal(h[4] | h[5] << 8, 1448); /* gso_size */
	assert_int_equal(h[6] | h[7] << 8, 34);	  /* csum_start */
	assert_int_equal(h[8] | h[9] << 8, 16);	  /* csum_offset */
	assert_int_equal(h[10] | h[11] << 8, 0);
	/* CHECKSUM_PARTIAL: the field is the pseudo-header's sum. */
	pseudo = ref_sum(f + 26, 8) + 6 + (len - 34);
	assert_int_equal(rd16(f + 50), ref_fold(pseudo));
	free(f);
}

static void test_sim_offload_over_mtu_without_tso(void **state)
{
	uint8_t *f = malloc(MAXF), h[10];
	uint32_t len = build_tcp4(f, 20000, 1000);
	struct sim_vnet_tx tx;

	(void)state;
	/* tso6 does not cover TCPv4. */
	sim_vnet_prepare(SIM_OFF_CSUM | SIM_OFF_TSO6, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_OVER_MTU);
	/* Within the MTU with csum: a partial checksum, no GSO. */
	len = build_tcp4(f, 1000, 1);
	sim_vnet_prepare(SIM_OFF_CSUM, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_CSUM);
	assert_int_equal(h[1], SIM_VNET_GSO_NONE);
	/* Without csum: the guest's own checksum, valid. */
	len = build_tcp4(f, 1000, 1);
	sim_vnet_prepare(0, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_PLAIN);
	assert_int_equal(tx.csum_bytes, len - 34);
	assert_int_equal(h[0], 0);
	assert_true(tcp4_ok(f, len));
	free(f);
}

/* A guest without TSO cuts a super-frame itself: MSS-sized segments whose
 * payload, in order, is the frame's, sequence numbers following. */
static void test_sim_offload_guest_segments(void **state)
{
	uint8_t *f = malloc(MAXF), *out = malloc(3 * MAXF);
	uint32_t len = build_tcp4(f, 5000, 77), k, pay = 0, seq;
	struct sim_gseg_out *o = malloc(sizeof(*o));

	(void)state;
	assert_int_equal(sim_gseg_split(f, len, 1500, 10, out, 3 * MAXF, o), 0);
	assert_int_equal(o->n, 4); /* 1448 * 3 + 656 */
	for (k = 0; k < o->n; k++) {
		const uint8_t *s = out + o->off[k];

		assert_true(o->len[k] <= 14 + 1500);
		assert_int_equal(rd16(s + 16), o->len[k] - 14);
		assert_int_equal(ref_fold(ref_sum(s + 14, 20)), 0xffff);
		seq = rd16(s + 38) << 16 | rd16(s + 40);
		assert_int_equal(seq, 77 + pay);
		assert_int_equal(s[47], k + 1 < o->n ? 0x10 : 0x18); /* PSH last */
		assert_memory_equal(s + 66, f + 66 + pay, o->len[k] - 66);
		pay += o->len[k] - 66;
	}
	assert_int_equal(pay, 5000);
	/* Fragments: ICMP, 5032 bytes of IP payload over 1500: 4 of them. */
	f[23] = 1;
	assert_int_equal(sim_gseg_split(f, len, 1500, 0, out, 3 * MAXF, o), 0);
	assert_int_equal(o->n, 4);
	assert_int_equal(rd16(out + o->off[0] + 20), 0x2000);	 /* MF, DF off */
	assert_int_equal(rd16(out + o->off[1] + 20), 0x2000 | 185); /* 1480 / 8 */
	assert_int_equal(rd16(out + o->off[3] + 20) & 0x2000, 0);
	/* A fragment (MF set) cut again: its last piece keeps MF. */
	f[20] |= 0x20;
	assert_int_equal(sim_gseg_split(f, len, 1500, 0, out, 3 * MAXF, o), 0);
	assert_int_equal(rd16(out + o->off[3] + 20) & 0x2000, 0x2000);
	free(o);
	free(out);
	free(f);
}

/* IPv6 TCP over the MTU is a TCPV6 super-frame (gso_size 1500 - 40 - 32)
 * with tso6 only; UDP over the MTU is a UDP GSO frame with ufo, and
 * without it the guest fragments the datagram, its checksum completed
 * first (the fragments' reassembled payload sums right). */
static void test_sim_offload_v6_and_udp(void **state)
{
	uint8_t *f = malloc(MAXF), *out = malloc(3 * MAXF), h[10];
	struct sim_gseg_out *o = malloc(sizeof(*o));
	struct sim_vnet_tx tx;
	uint32_t len, i, k, pay = 6000, got = 0;
	uint64_t s;

	(void)state;
	/* Ethernet + IPv6 + TCP with 12 option bytes. */
	memset(f, 0, 86 + pay);
	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = (uint8_t)((32 + pay) >> 8), f[19] = (uint8_t)(32 + pay);
	f[20] = 6, f[21] = 64;
	f[37] = 1, f[53] = 2;
	f[54 + 12] = 8 << 4;
	f[54 + 13] = 0x10;
	len = 86 + pay;
	sim_vnet_prepare(SIM_OFF_CSUM | SIM_OFF_TSO4, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_OVER_MTU);
	sim_vnet_prepare(SIM_OFF_CSUM | SIM_OFF_TSO6, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_GSO);
	assert_int_equal(h[1], SIM_VNET_GSO_TCPV6);
	assert_int_equal(tx.gso_size, 1428);
	assert_int_equal(h[6] | h[7] << 8, 54);

	/* Ethernet + IPv4 + UDP, checksum set. */
	memset(f, 0, 42 + pay);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((28 + pay) >> 8), f[17] = (uint8_t)(28 + pay);
	f[22] = 64, f[23] = 17;
	f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
	f[35] = 53, f[37] = 54;
	f[38] = (uint8_t)((8 + pay) >> 8), f[39] = (uint8_t)(8 + pay);
	f[40] = 0x12, f[41] = 0x34;
	for (i = 0; i < pay; i++)
		f[42 + i] = (uint8_t)(i * 13);
	len = 42 + pay;
	sim_vnet_prepare(SIM_OFF_CSUM | SIM_OFF_UFO, 1500, f, len, h, 10, &tx);
	assert_int_equal(tx.kind, SIM_VNET_GSO);
	assert_int_equal(h[1], SIM_VNET_GSO_UDP);
	assert_int_equal(tx.gso_size, 1472);
	/* No ufo: fragments, UDP checksum completed over the datagram. */
	assert_int_equal(sim_gseg_split(f, len, 1500, 0, out, 3 * MAXF, o), 0);
	assert_int_equal(o->n, 5); /* 6008 bytes in 1480-byte pieces */
	assert_int_equal(o->csum_bytes, 8 + pay);
	memcpy(f + 34, out + o->off[0] + 34, 8); /* the completed UDP header */
	for (k = 0; k < o->n; k++) {
		assert_int_equal(ref_fold(ref_sum(out + o->off[k] + 14, 20)), 0xffff);
		memcpy(f + 34 + got, out + o->off[k] + 34, o->len[k] - 34);
		got += o->len[k] - 34;
	}
	assert_int_equal(got, 8 + pay);
	s = ref_sum(f + 26, 8) + 17 + 8 + pay + ref_sum(f + 34, 8 + pay);
	assert_int_equal(ref_fold(s), 0xffff);
	free(o);
	free(out);
	free(f);
}

/* ---- gather */

/* Segments of a 5000-byte payload made by the guest code, checksummed by
 * it (no csum offload), gathered back. */
static uint32_t make_segments(uint8_t *f, uint8_t *out, struct sim_gseg_out *o)
{
	uint32_t len = build_tcp4(f, 5000, 77), k;
	struct sim_vnet_tx tx;
	uint8_t h[10];

	assert_int_equal(sim_gseg_split(f, len, 1500, 0, out, 3 * MAXF, o), 0);
	for (k = 0; k < o->n; k++) {
		sim_vnet_prepare(0, 1500, out + o->off[k], o->len[k], h, 10, &tx);
		assert_true(tcp4_ok(out + o->off[k], o->len[k]));
	}
	return len;
}

static void test_sim_offload_gather(void **state)
{
	uint8_t *f = malloc(MAXF), *out = malloc(3 * MAXF);
	struct sim_gseg_out *o = malloc(sizeof(*o));
	struct sim_seg s;
	char why[256];
	uint32_t len = make_segments(f, out, o), k;

	(void)state;
	assert_int_equal(sim_seg_init(&s, MAXF), 0);
	for (k = 0; k < o->n; k++)
		assert_int_equal(sim_seg_add(&s, out + o->off[k], o->len[k], why, sizeof(why)), 0);
	assert_int_equal(s.len, len);
	assert_memory_equal(s.buf + 66, f + 66, 5000);
	assert_int_equal(s.n, 4);
	sim_seg_fini(&s);
	free(o);
	free(out);
	free(f);
}

/* Each check fires: a flipped payload byte, a sequence gap, another
 * flow's segment, a broken IP header checksum. */
static void test_sim_offload_gather_refuses(void **state)
{
	uint8_t *f = malloc(MAXF), *out = malloc(3 * MAXF);
	struct sim_gseg_out *o = malloc(sizeof(*o));
	struct sim_seg s;
	char why[256];
	uint8_t *b;

	(void)state;
	make_segments(f, out, o);
	assert_int_equal(sim_seg_init(&s, MAXF), 0);
	b = out + o->off[1];

	b[100] ^= 1;
	assert_int_equal(sim_seg_add(&s, out + o->off[0], o->len[0], why, sizeof(why)), 0);
	assert_int_equal(sim_seg_add(&s, b, o->len[1], why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "TCP checksum invalid"));
	assert_int_equal(s.n, 0); /* reset */
	b[100] ^= 1;

	assert_int_equal(sim_seg_add(&s, out + o->off[0], o->len[0], why, sizeof(why)), 0);
	assert_int_equal(sim_seg_add(&s, out + o->off[2], o->len[2], why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "TCP sequence"));

	/* Another port (its checksum fixed by the guest code again). */
	{
		struct sim_vnet_tx tx;
		uint8_t h[10];

		b[37] ^= 1;
		sim_vnet_prepare(0, 1500, b, o->len[1], h, 10, &tx);
		assert_int_equal(sim_seg_add(&s, out + o->off[0], o->len[0], why, sizeof(why)), 0);
		assert_int_equal(sim_seg_add(&s, b, o->len[1], why, sizeof(why)), -EPROTO);
		assert_non_null(strstr(why, "ports unlike the first"));
		b[37] ^= 1;
		sim_vnet_prepare(0, 1500, b, o->len[1], h, 10, &tx);
	}

	b[24] ^= 0x40; /* the IP header checksum */
	assert_int_equal(sim_seg_add(&s, out + o->off[0], o->len[0], why, sizeof(why)), 0);
	assert_int_equal(sim_seg_add(&s, b, o->len[1], why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "IPv4 header checksum invalid"));
	sim_seg_fini(&s);
	free(o);
	free(out);
	free(f);
}

static void test_sim_offload_rx_header_checks(void **state)
{
	uint8_t h[12] = { SIM_VNET_F_NEEDS_CSUM, SIM_VNET_GSO_TCPV6, 74, 0, 0xa8, 5, 54, 0, 16, 0 };

	(void)state;
	assert_null(sim_vnet_rx_check(h, 10, 9000, SIM_OFF_ALL));
	assert_non_null(sim_vnet_rx_check(h, 10, 9000, SIM_OFF_CSUM | SIM_OFF_TSO4));
	h[1] = 2; /* no such gso_type */
	assert_non_null(sim_vnet_rx_check(h, 10, 9000, SIM_OFF_ALL));
	h[1] = 0;
	h[0] = 4; /* unknown flag */
	assert_non_null(sim_vnet_rx_check(h, 10, 9000, SIM_OFF_ALL));
	h[0] = SIM_VNET_F_NEEDS_CSUM;
	assert_non_null(sim_vnet_rx_check(h, 10, 60, SIM_OFF_ALL)); /* 54 + 16 + 2 > 60 */
}

/* ---- keys */

static void test_sim_offload_flags_values(void **state)
{
	const struct sim_dev_key *k = &sim_dev_key_offloads;
	char buf[64];
	uint32_t v = 99;

	(void)state;
	assert_int_equal(sim_dev_flags_parse(k, "none", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sim_dev_flags_parse(k, "tso6+csum", &v), 0);
	assert_int_equal(v, SIM_OFF_CSUM | SIM_OFF_TSO6);
	assert_string_equal(sim_dev_flags_name(k, v, buf, sizeof(buf)), "csum+tso6");
	assert_int_equal(sim_dev_flags_parse(k, "csum+csum", &v), -EINVAL);
	assert_int_equal(sim_dev_flags_parse(k, "", &v), -EINVAL);
	assert_int_equal(sim_dev_flags_parse(k, "csum+", &v), -EINVAL);
	assert_int_equal(sim_dev_flags_parse(k, "gro", &v), -EINVAL);
}

/* ---- run */

static const char offload_yaml[] =
	"name: offload-test\n"
	"trace: {packets: 200, size: 60, flows: 2}\n"
	"switches: [{name: sw, type: vale}]\n"
	"endpoints:\n"
	"  - {name: tx, device: ptnet, switch: sw, role: sender, batch: 32, vnet_hdr: 10, offloads: csum+tso4}\n"
	"  - {name: rx, device: ptnet, switch: sw, role: receiver, batch: 32, slots: 4096}\n";

static const struct sim_actor *actor_named(const struct sim_world *w,
					   const char *name)
{
	uint32_t i;

	for (i = 0; i < w->nactors; i++)
		if (strcmp(w->actors[i]->name, name) == 0)
			return w->actors[i];
	fail_msg("no actor %s", name);
	return NULL;
}

/* The capture with GSO frames through a sender with TSO to a receiver
 * without a header: the switch cuts them (its port's rx_seg_extra), the
 * receiver gathers every one, conservation holds per frame and packet;
 * the checksum work is charged to the sender's kloop, which forwards,
 * never to the receiver's (a bug: under the concurrent model the RX
 * kloop's syncs took the work counted since the last charge). */
static void test_sim_offload_run_segments(void **state)
{
	static struct sim_scenario sc;
	static struct sim_world w;
	char err[512];
	const struct sim_ep *rx;
	uint64_t csum_ns;

	(void)state;
	assert_int_equal(sim_scenario_load(&sc, "offload-test", offload_yaml, err, sizeof(err)), 0);
	assert_int_equal(sim_world_build(&w, &sc, NM_SIM_TRACES "/lo-us.pcap", NULL, err,
					 sizeof(err)), 0);
	sim_world_run(&w);
	assert_false(w.failed);
	assert_true(w.finished);
	rx = w.ep[1];
	assert_int_equal(w.pk.injected, w.pk.delivered);
	assert_true(rx->st.seg_pkts == 7); /* the capture's GSO frames */
	assert_true(rx->st.frames > rx->st.pkts);
	assert_int_equal(rx->st.frames - rx->st.pkts,
			 vale_port_rx_seg_extra((const struct vale_port *)rx->port));
	assert_int_equal(w.ep[0]->st.gso_pkts, 7);
	assert_int_equal(w.pk.split_extra, 28); /* the ICMP frames, fragmented */
	csum_ns = vale_port_rx_csum_bytes((const struct vale_port *)rx->port) *
		  sim_cost_now.ps[SIM_C_CSUM_BYTE] / 1000;
	assert_true(csum_ns > 50000); /* the capture's ~290 KB of payload */
	assert_true(actor_named(&w, "tx.kloop")->busy_ns >= csum_ns);
	assert_true(actor_named(&w, "rx.kloop")->busy_ns < csum_ns / 4);
	sim_world_destroy(&w);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest guest[] = {
		cmocka_unit_test(test_sim_offload_gso_header),
		cmocka_unit_test(test_sim_offload_over_mtu_without_tso),
		cmocka_unit_test(test_sim_offload_guest_segments),
		cmocka_unit_test(test_sim_offload_v6_and_udp),
	};
	static const struct CMUnitTest gather[] = {
		cmocka_unit_test(test_sim_offload_gather),
		cmocka_unit_test(test_sim_offload_gather_refuses),
		cmocka_unit_test(test_sim_offload_rx_header_checks),
	};
	static const struct CMUnitTest keys[] = {
		cmocka_unit_test(test_sim_offload_flags_values),
	};
	static const struct CMUnitTest run[] = {
		cmocka_unit_test(test_sim_offload_run_segments),
	};
	static const struct nm_test_group groups[] = {
		NM_TEST_GROUP("guest", guest),
		NM_TEST_GROUP("gather", gather),
		NM_TEST_GROUP("keys", keys),
		NM_TEST_GROUP("run", run),
	};

	return nm_test_main("sim_offload", argc, argv, groups,
			    sizeof(groups) / sizeof(groups[0]));
}
