/*
 * sim_trace.h - a packet trace held in memory: what the pcap source replays.
 *
 * Owns: the frames (one byte arena), their timestamps in nanoseconds
 * relative to the first record, their flow (a dense index given in order of
 * first appearance, so it is deterministic), reading a pcap or pcapng file
 * through libpcap with every bad input reported as one line, and the
 * built-in generator of UDP frames (made in memory, never stored), whose
 * flow sequence is drawn from the run seed's "trace" PRNG stream.
 *
 * Invariants after a successful load: count >= 1; every frame is whole
 * (captured length == wire length) and has 14 <= len <= max_frame and
 * len <= SIM_TRACE_MAX_FRAME; ts_ns is non-decreasing (an out-of-order record
 * is clamped to its predecessor and counted in ts_clamped: equal timestamps
 * keep file order); flow[i] < nflows.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_ETH_MIN_FRAME 14U
/* A netmap slot's length is 16 bits: one frame is at most this long. */
#define SIM_TRACE_MAX_FRAME 65535U

struct sim_trace {
	uint32_t count;
	uint64_t *ts_ns;  /* per record, relative to the first */
	uint64_t *off;	  /* per record, offset into data */
	uint16_t *len;	  /* per record, bytes */
	uint32_t *flow;	  /* per record, dense flow index */
	uint8_t *data;
	uint64_t bytes;	  /* sum of len */
	uint32_t nflows;
	uint32_t snaplen;
	/* Records whose timestamp went back, replayed at their predecessor's
	 * (counted for the report: the replay's spacing differs there). */
	uint64_t ts_clamped;
	char name[PATH_MAX]; /* the file, whole (built-in: a description) */
};

struct sim_trace_gen {
	uint64_t packets;  /* >= 1 */
	uint32_t size;	   /* frame bytes, 60..1514 */
	uint32_t flows;	   /* distinct UDP source ports, >= 1 */
	uint64_t rate_pps; /* timestamps spaced at this rate; 0 = all at 0 */
	uint64_t seed;	   /* flows are drawn from the run's "trace" stream */
	uint8_t src_mac[6], dst_mac[6];
	/* > 1: flow f goes to dst_mac with f mod ndst added to its last byte
	 * (the receivers of a many-port VALE switch); 0 or 1: dst_mac. */
	uint32_t ndst;
};

/*
 * Read every record of a pcap or pcapng file.  max_frame is the largest
 * frame the simulated buffers carry.  0, or -EINVAL with one line in err
 * naming the file, the record number where it applies, and what was
 * expected (not a regular file, empty or not a capture, truncated, link
 * type not Ethernet, snap length or record length over max_frame or over
 * SIM_TRACE_MAX_FRAME, a record holding less or more than its wire frame,
 * frame shorter than 14, timestamp out of the signed 64-bit nanosecond
 * range).  A failed load leaves t empty (sim_trace_free() on it is
 * harmless).
 */
int sim_trace_load(struct sim_trace *t, const char *path, uint32_t max_frame,
		   char *err, size_t errlen);
/* The same from an open stream (a file, or fmemopen() bytes) named name in
 * messages; f is closed before returning, whatever the result. */
int sim_trace_load_stream(struct sim_trace *t, FILE *f, const char *name,
			  uint32_t max_frame, char *err, size_t errlen);
/* Fill t with the built-in trace described by g.  0, -EINVAL or -ENOMEM. */
int sim_trace_generate(struct sim_trace *t, const struct sim_trace_gen *g,
		       char *err, size_t errlen);
/*
 * Address every record to the receivers of a many-port VALE switch: source
 * MAC src, destination dst with (flow mod ndst) added to its last byte
 * (ndst <= 1: dst itself).  Records are at least 14 bytes long.
 */
void sim_trace_address(struct sim_trace *t, const uint8_t src[6],
		       const uint8_t dst[6], uint32_t ndst);
void sim_trace_free(struct sim_trace *t);

static inline const uint8_t *sim_trace_frame(const struct sim_trace *t,
					     uint32_t i)
{
	return t->data + t->off[i];
}

#endif /* SIM_TRACE_H */
