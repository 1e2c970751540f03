/*
 * sim_pkt.h - following every packet from the trace to a receiver.
 *
 * Owns: packet identity (a 48-bit id written into the last 8 bytes of the
 * frame by the sender and restored at delivery from the bytes it covered,
 * which the table keeps), the table
 * of packets in flight, the per-flow order check, the payload check, the
 * latency histogram and the conservation counters.
 *
 * Invariants checked at every delivery: the tag names a packet in flight
 * that was not delivered before (no duplicate, no corruption), its payload
 * equals the trace record's (same length, same 64-bit hash of every byte
 * but the tag: the trace is streamed, so the record itself is gone by
 * then), and its id is above the last delivered id of
 * its flow at this receiver (per-flow order).  At the end of a drained run:
 * injected == delivered + every counted drop (conservation).
 *
 * Frames shorter than 22 bytes carry no tag; they are counted only.
 *
 * The tag leaves the frame's Internet checksums as they were: its 8 bytes
 * are the id (6 bytes, little-endian) and a 16-bit word chosen so that
 * their ones'-complement sum equals that of the bytes they cover (sums
 * modulo 0xffff are byte-order blind up to a factor 256, so this holds at
 * an odd offset too).  A checksum computed over a tagged frame or over
 * any segment wholly holding the tag (the switch's segmentation) is
 * therefore valid for the restored frame the sinks write.
 *
 * A GSO super-frame (sim_vnet.h) is followed by the hash of its payload
 * alone (from hoff, the L4 payload offset): the switch may deliver it
 * whole or as segments whose headers it rebuilt; the receiver checks
 * those headers itself (sim_seg.h) and hands the gathered payload, behind
 * the first segment's headers, to sim_pkt_deliver().
 *
 * The table is indexed by id & mask and never overwrites a packet that may
 * still arrive: a slot is reused only when its packet was delivered or is
 * provably lost (a later packet of its sender and flow was delivered, and
 * flows are FIFO end to end); otherwise the table doubles.  So its size
 * follows the id span of what is in flight (rings, link queues, the wire),
 * however long a packet waits.  Only a table past SIM_PKT_MAX_TABLE or out
 * of memory stops the run, as an internal error.
 */
#ifndef SIM_PKT_H
#define SIM_PKT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_trace.h"

#define SIM_TAG_BYTES 8U
#define SIM_TAG_MIN_LEN (SIM_ETH_MIN_FRAME + SIM_TAG_BYTES)
#define SIM_LAT_BUCKETS (64 * 64)
#define SIM_PKT_MAX_TABLE (1ULL << 26) /* entries: 1.5 GiB of metadata */

struct sim_pkt_meta {
	uint64_t id;	  /* matches the tag while in flight */
	uint64_t t_in;	  /* when it entered the sender's ring */
	uint64_t hash;	  /* of the frame less its last 8 bytes */
	uint8_t tail[SIM_TAG_BYTES]; /* the bytes the tag covers */
	uint32_t len;	  /* frame bytes */
	uint32_t flow;	  /* trace flow */
	uint16_t sender;  /* endpoint */
	uint16_t hoff;	  /* hash from here: 0, or a GSO frame's L4 payload */
	bool in_flight;
};

struct sim_pkts {
	const struct sim_trace *trace;
	struct sim_pkt_meta *meta; /* indexed by id & mask */
	uint64_t mask;
	uint64_t next_id;
	uint64_t injected, delivered, untagged_in, untagged_out;
	uint64_t bytes_in, bytes_out;
	uint64_t reclaimed;	   /* slots reused from provably lost packets */
	/* Packets beyond the trace's: frames a sending guest's stack cut
	 * from one record (sim_gseg.h), each followed on its own. */
	uint64_t split_extra;
	uint64_t grown;		   /* times the table doubled */
	const char *broken;	   /* non-NULL: the table could not grow (why) */
	uint32_t senders;	   /* sender numbers are below it */
	uint64_t *delivered_from;  /* tagged, per sender */
	uint64_t *flow_last;	   /* per (sender, flow): last delivered id + 1 */
	uint64_t lat_hist[SIM_LAT_BUCKETS];
	uint64_t lat_max, lat_count;
	uint64_t first_in, last_out;
	/* Invariant bookkeeping. */
	uint64_t checks_order, checks_payload, checks_tag;
	/* Per-flow delivery and latency (sim_pkt_flows_enable()); NULL: off. */
	struct sim_pkt_flow *flow_stats;
	uint32_t nflow_stats;
};

/* 0 or -ENOMEM; capacity is rounded up to a power of two; senders bounds
 * the sender numbers (endpoint indices) sim_pkt_inject() is given: a
 * packet of a larger one is injected untagged (never checked), not
 * folded onto another sender. */
int sim_pkts_init(struct sim_pkts *p, const struct sim_trace *t,
		  uint64_t capacity, uint32_t senders);
void sim_pkts_fini(struct sim_pkts *p);

/* The sender is sending record r: follow it.  Returns the id, which the
 * caller writes into the frame's last SIM_TAG_BYTES bytes when the frame
 * is at least SIM_TAG_MIN_LEN long (sim_pkt_taggable()).  If the table
 * cannot take it, p->broken says why (an internal error: the caller stops
 * the run). */
uint64_t sim_pkt_inject(struct sim_pkts *p, const struct sim_trace_rec *r,
			uint16_t sender, uint64_t t_in);
/* The same for a GSO super-frame whose L4 payload starts at hoff (the
 * hash then covers [hoff, len - 8) only; 0: as sim_pkt_inject()). */
uint64_t sim_pkt_inject_gso(struct sim_pkts *p, const struct sim_trace_rec *r,
			    uint16_t sender, uint64_t t_in, uint32_t hoff);
/* The 8 tag bytes for packet id over the frame bytes cover[0..8) (see
 * above: same ones'-complement sum), and the id a tag names. */
void sim_pkt_tag_make(uint64_t id, const uint8_t *cover, uint8_t *tag);
uint64_t sim_pkt_tag_id(const uint8_t *tag);
/* Does buf[0..len) end with the tag of a packet in flight of exactly len
 * bytes?  No side effect (a receiver gathering segments asks it). */
bool sim_pkt_is_whole(const struct sim_pkts *p, const uint8_t *buf, uint32_t len);
static inline bool sim_pkt_taggable(uint32_t len)
{
	return len >= SIM_TAG_MIN_LEN;
}
/* The payload hash the checks use (bytes p[0..n)). */
uint64_t sim_pkt_hash(const uint8_t *p, uint32_t n);
/* The sender had a frame of len bytes that no buffer could take: it counts
 * as injected (its caller counts the drop) and is never tagged. */
void sim_pkt_inject_untaggable(struct sim_pkts *p, uint32_t len, uint64_t t_in);

/*
 * A receiver got buf[0..len) at time now.  Checks and accounts it; restores
 * the tag bytes to the trace's (so the sink writes the original frame).
 * 0, or with a one-line reason in why: -EILSEQ for a packet behind a later
 * one of its flow (the flow-order invariant), -EPROTO for any other fault
 * (tag, duplicate, payload).
 */
int sim_pkt_deliver(struct sim_pkts *p, uint8_t *buf, uint32_t len,
		    uint64_t now, char *why, size_t whylen);

/* Latency percentile (0..1000 per mille) in ns, from the histogram. */
uint64_t sim_pkt_latency(const struct sim_pkts *p, unsigned permille);

/* The lowest latency in ns of histogram bucket b (0..SIM_LAT_BUCKETS-1):
 * exact below 64 ns, then 64 buckets per power of two (1.6% wide). */
uint64_t sim_pkt_latency_bin_ns(unsigned b);

/* Per-flow accounting, off unless enabled: flows 0..n-1 of the trace each
 * get a delivery count and a latency histogram (32 KiB each); later flows
 * are not followed.  The caller frees it with sim_pkt_flows_free() before
 * sim_pkts_fini(). */
struct sim_pkt_flow {
	uint64_t delivered, lat_max, lat_count;
	uint64_t lat_hist[SIM_LAT_BUCKETS];
};
#define SIM_PKT_MAX_FLOW_STATS 256U
/* 0 or -ENOMEM. */
int sim_pkt_flows_enable(struct sim_pkts *p, uint32_t n);
void sim_pkt_flows_free(struct sim_pkts *p);
/* Account a delivery of flow with latency lat (sim_pkt_deliver()). */
void sim_pkt_flow_account(struct sim_pkts *p, uint32_t flow, uint64_t lat);
/* Latency percentile of flow f, as sim_pkt_latency(). */
uint64_t sim_pkt_flow_latency(const struct sim_pkts *p, uint32_t f, unsigned permille);

#endif /* SIM_PKT_H */
