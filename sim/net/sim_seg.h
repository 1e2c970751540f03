/*
 * sim_seg.h - a receiver gathering the segments the switch cut from one
 * GSO super-frame back into the packet the sender injected.
 *
 * Owns: the segments of the packet in progress at one receiver (their
 * bytes kept for the pcap sink, the payload gathered behind the first
 * segment's headers) and the checks every segment passes, made with the
 * simulator's own parser and checksums (sim_vnet.h), never the core's:
 * a TCP or UDP frame over IPv4 or IPv6, IP and L4 checksums valid, no
 * byte beyond the IP length, the addresses, ports and header length of
 * the first segment, and for TCP the sequence number where the previous
 * segment's payload ended (per-flow order within a packet; between
 * packets the tags order them, sim_pkt.h).
 *
 * The packet is complete when the gathered frame ends with the tag of a
 * packet in flight of exactly its length (sim_pkt_is_whole()); the core
 * writes one packet's segments into consecutive slots of one lease, so a
 * receiver never sees two packets' segments interleaved.
 */
#ifndef SIM_SEG_H
#define SIM_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_vnet.h"

/* Bytes of segments one packet may take (its frames as they arrived). */
#define SIM_SEG_MAX_BYTES (64U << 20)

struct sim_seg_frame {
	uint32_t off, len;	  /* in frames[] */
	uint32_t pay, pay_len;	  /* its payload, from the frame's start */
};

struct sim_seg {
	uint8_t *buf;		  /* first segment's headers + every payload */
	uint32_t len, cap;	  /* cap: the trace's longest frame */
	uint8_t *frames;	  /* the segments as they arrived */
	uint32_t flen, fcap;
	struct sim_seg_frame *fr;
	uint32_t n, nmax;
	struct sim_l4 first;
	uint32_t next_seq;
	/* Totals: packets gathered, and segments they came in. */
	uint64_t packets, segments;
};

/* 0 or -ENOMEM; max_len bounds a gathered packet. */
int sim_seg_init(struct sim_seg *s, uint32_t max_len);
void sim_seg_fini(struct sim_seg *s);

/* Is f[0..len) a frame sim_seg_add() could take as a packet's first
 * segment (TCP or UDP over IP)? */
bool sim_seg_may_start(const uint8_t *f, uint32_t len);

/* Add segment f[0..len): 0, or -EPROTO with a one-line reason in why (the
 * state is then reset). */
int sim_seg_add(struct sim_seg *s, const uint8_t *f, uint32_t len, char *why,
		size_t whylen);

/* After the gathered frame was delivered (sim_pkt_deliver() restored the
 * bytes the tag covered in buf): the same bytes into the kept segments,
 * so the sink writes what the sender's trace held. */
void sim_seg_restore(struct sim_seg *s);

/* Forget the packet in progress (after delivery, or a reported error). */
void sim_seg_reset(struct sim_seg *s);

#endif /* SIM_SEG_H */
