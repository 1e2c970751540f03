/*
 * trace_gen.h - the differential replay's frames, generated the same way
 * on the host (nm-gen-trace writes them as a pcap for nmsim and the shim
 * leg) and in the QEMU guest (kmod/clients/diff_replay.c sends them
 * through nmlab.ko), so the legs replay one trace without shipping a file.
 *
 * Frame i (0, 1, ...): 60..1514 bytes, the length from a fixed LCG; flow
 * i % 6: three IPv4/UDP (ports 1000..1002 -> 2000), IPv4/TCP (1003 ->
 * 2000), IPv6/UDP (3000 -> 4000), and a non-IP ethertype (0x88b5);
 * unicast MACs 02:00:00:00:00:01 -> 02:00:00:00:00:02; payload byte j of
 * frame i is (i + j) & 0xff.  Header-only, no allocation, no libc but
 * memset/memcpy: the guest client links it statically.
 */
#ifndef TRACE_GEN_H
#define TRACE_GEN_H

#include <stdint.h>
#include <string.h>

#define TRACE_GEN_MAX 1514U
#define TRACE_GEN_FRAMES 3000U

struct trace_gen {
	uint32_t lcg;
	uint64_t i;
};

static inline void trace_gen_init(struct trace_gen *g)
{
	g->lcg = 12345;
	g->i = 0;
}

static inline void trace_gen_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The next frame into out[TRACE_GEN_MAX]; its length. */
static inline uint32_t trace_gen_next(struct trace_gen *g, uint8_t *out)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 }, src[6] = { 2, 0, 0, 0, 0, 1 };
	uint64_t i = g->i++;
	uint32_t len, hdr, flow = (uint32_t)(i % 6), j;

	g->lcg = (uint32_t)(((uint64_t)g->lcg * 1103515245U + 12345U) & 0x7fffffffU);
	len = 60 + g->lcg % (TRACE_GEN_MAX - 60 + 1);
	memset(out, 0, len);
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	if (flow < 4) {
		trace_gen_be16(out + 12, 0x0800);
		out[14] = 0x45;
		trace_gen_be16(out + 16, len - 14);
		trace_gen_be16(out + 18, (uint32_t)(i & 0xffff));
		out[22] = 64;
		out[23] = flow == 3 ? 6 : 17;
		out[26] = 10, out[29] = 1;
		out[30] = 10, out[33] = 2;
		trace_gen_be16(out + 34, 1000 + flow);
		trace_gen_be16(out + 36, 2000);
		hdr = 38;
	} else if (flow == 4) {
		trace_gen_be16(out + 12, 0x86dd);
		out[14] = 0x60;
		trace_gen_be16(out + 18, len - 54);
		out[20] = 17;
		out[21] = 64;
		out[37] = 1;
		out[53] = 2;
		trace_gen_be16(out + 54, 3000);
		trace_gen_be16(out + 56, 4000);
		hdr = 58;
	} else {
		trace_gen_be16(out + 12, 0x88b5);
		hdr = 14;
	}
	for (j = 0; j < len - hdr; j++)
		out[hdr + j] = (uint8_t)((i + j) & 0xff);
	return len;
}

#endif /* TRACE_GEN_H */
