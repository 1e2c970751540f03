/*
 * sim_vnet.h - the virtio-net header at a simulated guest's edge: what a
 * sending guest stack with offloads writes in front of a frame, what a
 * receiving guest checks and strips, and the L2..L4 parsing and Internet
 * checksums both need.
 *
 * Owns: the endpoint's offload flags (the scenario key `offloads`, named
 * after the virtio-net feature bits, docs/simulator.md), the decision per
 * frame (GSO super-frame, partial checksum, or a checksum computed in the
 * guest's software) and the checks of a received header.  Everything here
 * is independent of the core's vale_offload.c on purpose: the simulator
 * checks the core's segments with its own parser and checksum, not with
 * the code under test.
 *
 * Frames are the trace's (already bounded by sim_trace.h); every offset
 * derived from a frame is checked against its length before use.
 */
#ifndef SIM_VNET_H
#define SIM_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Offloads (bit per feature): the device side VIRTIO_NET_F_CSUM (0),
 * HOST_TSO4 (11), HOST_TSO6 (12), HOST_UFO (14) on a sender; the guest
 * side GUEST_CSUM (1), GUEST_TSO4 (7), GUEST_TSO6 (8), GUEST_UFO (10) on a
 * receiver.  The GSO ones need csum (as virtio requires). */
#define SIM_OFF_CSUM 1U
#define SIM_OFF_TSO4 2U
#define SIM_OFF_TSO6 4U
#define SIM_OFF_UFO 8U
#define SIM_OFF_ALL 15U
/* The ones that make GSO super-frames (which a switch may cut). */
#define SIM_OFF_GSO (SIM_OFF_TSO4 | SIM_OFF_TSO6 | SIM_OFF_UFO)

/* Header fields (virtio 1.0, little-endian). */
#define SIM_VNET_F_NEEDS_CSUM 1U
#define SIM_VNET_F_DATA_VALID 2U
#define SIM_VNET_GSO_NONE 0U
#define SIM_VNET_GSO_TCPV4 1U
#define SIM_VNET_GSO_UDP 3U
#define SIM_VNET_GSO_TCPV6 4U
#define SIM_VNET_HDR_MAX 12U

/* Ethernet, IP and TCP/UDP of a frame. */
struct sim_l4 {
	uint32_t l3, l4;  /* offsets of the IP and TCP/UDP headers */
	uint32_t hoff;	  /* L4 payload offset */
	uint32_t ip_len;  /* bytes from l3 the IP header says (v6: + 40) */
	uint8_t proto;	  /* 6 or 17 */
	bool v6;
};

/* Parse f[0..len): Ethernet (one optional 802.1Q tag), IPv4 (no fragment)
 * or IPv6 (no extension header), TCP or UDP, all within len and the IP
 * length within len.  0, or -EINVAL (not such a frame). */
int sim_l4_parse(const uint8_t *f, uint32_t len, struct sim_l4 *o);

/* The ones'-complement sum of the pseudo-header and of the L4 bytes
 * [l4, l3 + ip_len), folded (0xffff: the checksum is valid). */
uint32_t sim_l4_csum_sum(const uint8_t *f, const struct sim_l4 *o);
/* Is the IPv4 header checksum valid (always true for IPv6)? */
bool sim_l4_ip_csum_ok(const uint8_t *f, const struct sim_l4 *o);

/* What a sending guest did with one frame (sim_vnet_prepare()). */
enum sim_vnet_kind {
	SIM_VNET_PLAIN,	   /* no flags: not TCP/UDP, or its checksum done */
	SIM_VNET_CSUM,	   /* NEEDS_CSUM: the checksum left to the host */
	SIM_VNET_GSO,	   /* a super-frame: gso_type and gso_size set */
	SIM_VNET_OVER_MTU, /* over the MTU and no offload covers it */
};

struct sim_vnet_tx {
	enum sim_vnet_kind kind;
	uint32_t hoff;	     /* GSO, CSUM: L4 payload offset (the host may
			      * rewrite what is before it); else 0 */
	uint32_t gso_size;   /* GSO: payload bytes per segment */
	uint32_t csum_bytes; /* bytes the guest summed in software */
};

/*
 * A sending guest with offloads `off` and this MTU (bytes of IP packet)
 * prepares frame f[0..len) (a private copy: its checksum field may be
 * rewritten) and writes hdr[0..hdr_len) (hdr_len 10 or 12), as Linux's
 * virtio_net_hdr_from_skb() does:
 *  - IP packet over the MTU: TCPv4 with tso4, TCPv6 with tso6 or UDP with
 *    ufo become a GSO super-frame (NEEDS_CSUM, csum_start/offset, gso_type,
 *    gso_size = MTU less the IP and L4 headers, hdr_len = their end);
 *    otherwise SIM_VNET_OVER_MTU (the caller drops it).
 *  - TCP or UDP (an IPv4 UDP with checksum 0 excepted) with csum: NEEDS_CSUM,
 *    the field set to the pseudo-header sum (CHECKSUM_PARTIAL);
 *    without csum: the guest computes the checksum itself.
 *  - Anything else: a zero header.
 */
void sim_vnet_prepare(uint32_t off, uint32_t mtu, uint8_t *f, uint32_t len,
		      uint8_t *hdr, uint32_t hdr_len, struct sim_vnet_tx *tx);

/* A receiving guest's check of header h (hdr_len bytes) in front of a
 * frame of len bytes, with offloads off: NULL, or why it is refused. */
const char *sim_vnet_rx_check(const uint8_t *h, uint32_t hdr_len, uint32_t len,
			      uint32_t off);

/* "csum+tso4" for flags off into buf ("none" for 0). */
const char *sim_vnet_off_name(uint32_t off, char *buf, size_t size);

#endif /* SIM_VNET_H */
