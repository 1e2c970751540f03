/*
 * sim_gseg.h - a guest stack splitting a frame its interface's MTU cannot
 * carry and no offload covers: TCP segmented in software (Linux's GSO
 * fallback, skb_segment()), anything else over IPv4 fragmented (as
 * ip_fragment() does for a socket whose PMTU discovery mode lets it:
 * IP_PMTUDISC_WANT, the default, fragments locally and clears DF).
 *
 * Owns: building those frames, one after another, each with its own
 * Ethernet and IP headers (IPv4 header checksum computed); a TCP
 * segment's sequence number, flags (FIN and PSH on the last only, CWR on
 * the first only) and IP identification (+1 per segment) follow the same
 * rules as the switch's segmentation (core/vale_offload.c), but its TCP
 * checksum is left to sim_vnet_prepare() (the guest's csum offload, or its
 * software).  A UDP datagram's checksum is completed first, in software,
 * since its fragments cannot carry a partial one.  IPv6 other than TCP is
 * not split (it would need a fragment header): the caller drops it.
 */
#ifndef SIM_GSEG_H
#define SIM_GSEG_H

#include <stdint.h>

#include "sim_vnet.h"

/* Frames one trace frame may become in a guest. */
#define SIM_GSEG_MAX_FRAMES 256U
/* Bytes of output beyond the frame's own: per frame, its headers again
 * (at most 256) and a virtio-net header. */
#define SIM_GSEG_SLACK (SIM_GSEG_MAX_FRAMES * (256U + SIM_VNET_HDR_MAX))

struct sim_gseg_out {
	uint32_t n;				/* frames */
	uint32_t off[SIM_GSEG_MAX_FRAMES];	/* each at out + off[k] */
	uint32_t len[SIM_GSEG_MAX_FRAMES];
	uint32_t csum_bytes;			/* summed in software */
};

/*
 * Split f[0..len) (an IP packet over mtu bytes) into frames of at most
 * mtu IP bytes, written into out[0..cap) each pre bytes after the
 * previous one's end (room for a virtio-net header in front of each).
 * 0, or -EINVAL: not splittable (IPv6 other than TCP, no room for one
 * payload byte, more than SIM_GSEG_MAX_FRAMES frames, or cap too small).
 */
int sim_gseg_split(const uint8_t *f, uint32_t len, uint32_t mtu, uint32_t pre,
		   uint8_t *out, uint32_t cap, struct sim_gseg_out *o);

#endif /* SIM_GSEG_H */
