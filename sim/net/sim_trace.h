/*
 * sim_trace.h - a packet trace: what the pcap source replays, streamed.
 *
 * Owns: what a trace is (a capture file, or the built-in generator of UDP
 * frames whose flow sequence is drawn from the run seed's "trace" PRNG
 * stream), the scan that checks a file whole before a run and learns its
 * shape (records, flows numbered in order of first appearance, the longest
 * frame, the last timestamp), and cursors that stream its records during
 * the run.  Memory is the flow table and one frame per cursor, never the
 * trace: a file is read through sim_capfile (its own offset per cursor, one
 * descriptor opened once), the built-in trace is made frame by frame.
 *
 * Every record becomes an Ethernet frame (sim_linktype.h: other link types
 * get a synthesized header), optionally readdressed (sim_trace_address()).
 *
 * Invariants after a successful load: count >= 1; every frame is whole
 * (captured length == wire length) and has 14 <= len <= max_len <= the
 * load's max_frame; relative timestamps are non-decreasing (an out-of-order
 * record is clamped to its predecessor and counted in ts_clamped: equal
 * timestamps keep file order); flow < nflows.  A cursor yields exactly the
 * records the scan saw, in order, pass after pass; should the file change
 * under it, the cursor fails with one line instead of replaying another
 * trace.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim_capfile.h"
#include "sim_rng.h"

#define SIM_ETH_MIN_FRAME 14U
/* The longest frame a trace may hold: a record's bound plus a synthesized
 * Ethernet header.  What a run carries is less: 64 slots of buf_size. */
#define SIM_TRACE_MAX_FRAME (SIM_CAP_MAX_RECORD + 14U)
#define SIM_TRACE_MAX_PACKETS (1ULL << 40)

struct sim_trace_gen {
	uint64_t packets;  /* 1..SIM_TRACE_MAX_PACKETS */
	uint32_t size;	   /* frame bytes, 60..1514 */
	uint32_t flows;	   /* distinct UDP source ports, >= 1 */
	uint64_t rate_pps; /* timestamps spaced at this rate; 0 = all at 0 */
	uint64_t seed;	   /* flows are drawn from the run's "trace" stream */
	uint8_t src_mac[6], dst_mac[6];
	/* > 1: flow f goes to dst_mac with f mod ndst added to its last byte
	 * (the receivers of a many-port VALE switch); 0 or 1: dst_mac. */
	uint32_t ndst;
};

struct sim_flowtab;

struct sim_trace {
	uint64_t count;	     /* records in one pass */
	uint64_t bytes;	     /* sum of frame lengths */
	uint64_t last_ts_ns; /* the last record's, relative to the first */
	uint32_t nflows;
	uint32_t max_len;    /* the longest frame */
	uint32_t first_len;  /* the first frame's length */
	uint32_t max_caplen; /* the longest record as captured (files) */
	/* Records whose timestamp went back, replayed at their predecessor's
	 * (counted for the report: the replay's spacing differs there). */
	uint64_t ts_clamped;
	uint64_t *flow_recs; /* records per flow, [nflows] (files) */
	struct sim_flowtab *ft;
	int64_t first_abs;   /* first record's time since 1970 */
	/* The source. */
	bool builtin;
	struct sim_trace_gen gen;
	FILE *f;	     /* the file (owned), read with pread() */
	const uint8_t *mem;  /* or these bytes (not owned) */
	uint64_t memlen;
	uint32_t max_frame;
	/* Readdressing (sim_trace_address()). */
	bool readdress;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t ndst;
	char name[PATH_MAX]; /* the file, whole (built-in: a description) */
};

/* One record as a cursor hands it out; frame valid until the next call. */
struct sim_trace_rec {
	const uint8_t *frame;
	uint32_t len;
	uint32_t flow;
	uint64_t ts_ns;	     /* relative to the first record */
};

struct sim_trace_cur {
	const struct sim_trace *t;
	uint64_t pos;	     /* record of this pass, 0..count-1 */
	struct sim_trace_rec rec;
	bool have;	     /* rec holds record pos */
	uint8_t *buf;	     /* the frame (and a record being converted) */
	uint32_t bufsize;
	struct sim_capfile cf;
	bool cf_open;
	uint64_t prev_ts;
	struct sim_rng rng;
	int rc;		     /* 0, or why the cursor failed (err) */
	char err[1024];
};

/*
 * Scan every record of a pcap or pcapng file (path: opened once, kept open
 * for the cursors).  max_frame is the longest frame the run can carry (a
 * chain of 64 slots); a file's snap length is no reason to refuse it.  0,
 * or -EINVAL/-ENOMEM with one line in err naming the file, the record
 * number where it applies, the field, its value and what was expected.  A
 * failed load leaves t empty (sim_trace_free() on it is harmless).
 */
int sim_trace_load(struct sim_trace *t, const char *path, uint32_t max_frame,
		   char *err, size_t errlen);
/* The same from bytes mem[0..memlen) named name in messages; mem must
 * outlive t and its cursors. */
int sim_trace_load_mem(struct sim_trace *t, const uint8_t *mem, uint64_t memlen,
		       const char *name, uint32_t max_frame, char *err,
		       size_t errlen);
/* Describe the built-in trace g (nothing is generated yet).  0 or -EINVAL. */
int sim_trace_generate(struct sim_trace *t, const struct sim_trace_gen *g,
		       char *err, size_t errlen);
/*
 * Address every record to the receivers of the switches: source MAC src,
 * destination dst with (flow mod ndst) added to its last byte (ndst <= 1:
 * dst itself).  Applies to what cursors opened afterwards yield.
 */
void sim_trace_address(struct sim_trace *t, const uint8_t src[6],
		       const uint8_t dst[6], uint32_t ndst);
void sim_trace_free(struct sim_trace *t);

/* Records per flow for flows 0..n-1 into out[] (the built-in trace draws
 * its flow sequence again).  0 or -ENOMEM. */
int sim_trace_flow_records(const struct sim_trace *t, uint32_t n, uint64_t *out);

/* A cursor at the first record.  0, or -ENOMEM / -EINVAL (c->err). */
int sim_trace_cur_open(struct sim_trace_cur *c, const struct sim_trace *t);
/* The current record (pos); NULL if the cursor failed (c->rc, c->err). */
const struct sim_trace_rec *sim_trace_cur_get(struct sim_trace_cur *c);
/* On to the next record; after the last, the first again (a new pass). */
void sim_trace_cur_next(struct sim_trace_cur *c);
void sim_trace_cur_close(struct sim_trace_cur *c);

#endif /* SIM_TRACE_H */
