/*
 * vale_offload.h - the virtio-net header between VALE ports of different
 * header lengths: translation, software segmentation (TSO/UFO) and
 * checksum completion.
 *
 * Owns: the rules by which one packet from a port with header length
 * src_hdr (0, 10 or 12) becomes one or more frames for a port with
 * dst_hdr != src_hdr.  vale_offload_plan() reads the packet's headers once
 * into the plan (a local copy: the sender may rewrite its buffers while we
 * work), validates every field before use and fixes the number of frames
 * and destination slots; vale_offload_emit() writes exactly those slots.
 * Work per packet is bounded: at most VALE_OFFLOAD_MAX_SLOTS destination
 * slots, at most NETMAP_MAX_FRAGS per frame, headers at most
 * VALE_OFFLOAD_HDR_MAX bytes.  Semantics and where we are stricter than
 * the reference: docs/vale.md ("virtio-net headers and offloads").
 *
 * Locking: none; the caller holds a lease on the destination slots.
 */
#ifndef VALE_OFFLOAD_H
#define VALE_OFFLOAD_H

#include "nm_abi.h"
#include "nm_mem.h"
#include "nm_util.h"

/* The virtio-net header (little-endian fields, virtio 1.0). */
#define VALE_VNET_HDR_LEN 10U	   /* flags .. csum_offset */
#define VALE_VNET_HDR_MRG_LEN 12U  /* + num_buffers */
#define VALE_VNET_F_NEEDS_CSUM 1U
#define VALE_VNET_F_DATA_VALID 2U
#define VALE_VNET_GSO_NONE 0U
#define VALE_VNET_GSO_TCPV4 1U
#define VALE_VNET_GSO_UDP 3U
#define VALE_VNET_GSO_TCPV6 4U
#define VALE_VNET_GSO_ECN 0x80U

#define VALE_OFFLOAD_HDR_MAX 256U    /* L2..L4 headers rebuilt per frame */
#define VALE_OFFLOAD_MAX_SLOTS 1024U /* destination slots of one packet */

/* Is len a virtio-net header length a port may have (0, 10, 12)? */
static inline bool vale_vnet_hdr_len_valid(uint32_t len)
{
	return len == 0 || len == VALE_VNET_HDR_LEN ||
	       len == VALE_VNET_HDR_MRG_LEN;
}

/* One fragment of a source packet (inside the source region). */
struct vale_frag {
	const uint8_t *buf;
	uint32_t len;
};

enum vale_offload_kind {
	VALE_OFFLOAD_COPY, /* the frame whole, header translated/added/stripped */
	VALE_OFFLOAD_CSUM, /* the frame whole, its partial checksum completed */
	VALE_OFFLOAD_TCP,  /* segmented: TCP over IPv4 or IPv6 */
	VALE_OFFLOAD_UDP,  /* segmented: one UDP datagram per frame */
};

struct vale_offload_plan {
	uint32_t kind;	   /* enum vale_offload_kind */
	uint32_t src_hdr;  /* source header bytes skipped */
	uint32_t dst_hdr;  /* header bytes written first in every frame */
	uint32_t len;	   /* frame bytes after the source header */
	uint32_t hlen;	   /* bytes of hdr[] that start every frame */
	uint32_t l3off, l4off; /* segmenting: IP and TCP/UDP header offsets */
	bool ipv4;
	uint32_t mss;	   /* segmenting: payload bytes per frame */
	uint32_t csum_start, csum_field; /* CSUM: sum from, store at */
	uint32_t chunk;	   /* bytes per destination slot */
	uint32_t frames;   /* frames emitted */
	uint32_t slots;	   /* destination slots they take */
	uint8_t vhdr[VALE_VNET_HDR_MRG_LEN]; /* the destination's header */
	uint8_t hdr[VALE_OFFLOAD_HDR_MAX];   /* frame bytes [0, hlen), read once */
};

/*
 * Plan the delivery of the packet f[0 .. nf) (nf 1..NETMAP_MAX_FRAGS,
 * fragment lengths as validated by the forwarding path) from a port with
 * header length src_hdr to one with dst_hdr (both valid, different) and
 * buffers of dst_buf_size bytes.  0, -EINVAL (the header or the frame it
 * describes is refused), -EMSGSIZE (a frame over NETMAP_MAX_FRAGS slots or
 * the packet over VALE_OFFLOAD_MAX_SLOTS).
 */
int vale_offload_plan(struct vale_offload_plan *pl, const struct vale_frag *f,
		      uint32_t nf, uint32_t src_hdr, uint32_t dst_hdr,
		      uint32_t dst_buf_size);

/*
 * Write the planned frames into RX slots [j, j + pl->slots) of ring (n
 * slots, buffers in dpool), leased to the caller.  Each slot's buffer index
 * is receiver-writable: all are read once (into idx[], at least
 * VALE_OFFLOAD_MAX_SLOTS entries) and checked before anything is written.
 * If one is bad every slot is padded (len 0, flags 0) and false returned.
 */
bool vale_offload_emit(const struct vale_offload_plan *pl,
		       const struct vale_frag *f, uint32_t nf,
		       struct netmap_ring *ring, uint32_t n, uint32_t j,
		       const struct nm_buf_pool *dpool, uint32_t *idx);

/* The Internet checksum's ones'-complement sum of p[0 .. len) as 16-bit
 * big-endian words (an odd tail padded with zero), folded to 16 bits. */
uint16_t vale_csum_sum(const uint8_t *p, uint32_t len);

#endif /* VALE_OFFLOAD_H */
