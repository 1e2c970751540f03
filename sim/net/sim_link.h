/*
 * sim_link.h - a link between two VALE switches: two NICs and a wire.
 *
 * Owns: the link's two switch ports (one on each switch, opened through
 * nm_port_open() like an endpoint's, "vale<i>:<link>.link"), and per
 * direction (0: from -> to, 1: to -> from) a queue of frames, the line's
 * serialisation schedule, the propagation delay, and two actors:
 *   tx  the sending NIC: imports what the near switch forwarded into its
 *       port's RX ring (nm_kring_sync, the core's rxsync), copies each frame
 *       into the queue (DMA: not a CPU step) or drops it when `queue`
 *       frames already wait for the line (reason: queue full), releases
 *       the slots, sleeps until the switch's notifier wakes it;
 *   rx  the receiving NIC's driver: at each frame's arrival time writes it
 *       into its port's TX ring on the far switch and syncs (the core's
 *       txsync forwards it there), sleeps while nothing is on the wire.
 * Timing: frame k starts on the line at max(its enqueue time, the end of
 * frame k-1) and occupies it for (len + 24) * 8 bits (preamble 8, FCS 4,
 * inter-frame gap 12 bytes: the trace's frames carry no FCS) at
 * bandwidth_bps, in picoseconds with no rounding; it arrives delay_ns after
 * its last bit.  So a 10 Gbit/s line carries at most 14.88 M 60-byte
 * frames per second, exactly.
 * A frame longer than either NIC's buffers is dropped (too big), whole.
 * Invariants: per direction taken = delivered + dropped + on the wire or
 * queued (conservation, checked at the end of a drained run); FIFO, so
 * per-flow order is the line's.  Single-threaded, like every actor.
 */
#ifndef SIM_LINK_H
#define SIM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_port.h"
#include "sim_actor.h"
#include "sim_config.h"

#define SIM_LINK_FRAMING_BYTES 24U /* preamble + SFD 8, FCS 4, IFG 12 */
#define SIM_LINK_MAX_FRAMES (1ULL << 22) /* queued + on the wire, per direction */

struct sim_run;
struct nm_registry;
struct sim_switch;
struct sim_link;

struct sim_link_frame {
	uint32_t len;
	uint64_t end_ps;    /* last bit on the line */
	uint64_t arrive_ns; /* at the far NIC */
};

struct sim_link_dir {
	struct sim_link *l;
	uint32_t d;			/* 0: from -> to, 1: to -> from */
	struct sim_switch *in_sw, *out_sw;
	struct nm_kring *in_kr;		/* RX ring of the port on in_sw */
	struct nm_kring *out_kr;	/* TX ring of the port on out_sw */
	uint32_t in_head, out_head;	/* the NICs' ring positions */
	struct nm_os_notifier notifier; /* in_sw delivered into in_kr */
	struct sim_actor tx, rx;

	/* The queue and the wire: frames [first, next) by sequence number,
	 * those with end_ps > now still waiting for or on the line. */
	struct sim_link_frame *q;
	uint8_t *data;			/* cap * frame bytes */
	uint64_t cap, first, next;
	uint64_t line_free_ps;		/* the line is busy until then */

	uint64_t taken, delivered, drops_queue_full, max_queued;
	uint64_t drops_too_big;		/* longer than a NIC's buffers */
	uint64_t pads;			/* empty slots skipped (VALE's lease pads) */
	uint64_t bytes;			/* delivered frame bytes */
	uint64_t first_start_ps, last_end_ps;
};

struct sim_link {
	const struct sim_sc_link *cfg;
	uint32_t idx;
	struct sim_switch *sw[2];
	uint32_t swport[2];		/* index of its port in sw[i]->port */
	struct sim_link_dir dir[2];
	uint32_t buf_size;
	uint32_t frame;			/* queue bytes per frame */
};

/* Open its two ports on switches sw[cfg->sw[0]] and sw[cfg->sw[1]] (in
 * registry reg, buffers of buf_size bytes; queued frames of at most
 * snaplen, 0: buf_size) and build both directions, their actors
 * registered with run but not started.  0, or -errno with one line in err. */
int sim_link_build(struct sim_link *l, struct sim_run *run,
		   struct nm_registry *reg, struct sim_switch *const *sw,
		   const struct sim_sc_link *cfg, uint32_t idx, uint32_t buf_size,
		   uint32_t snaplen, char *err, size_t errlen);
/* Start the actors (time 0) once every port exists. */
void sim_link_start(struct sim_link *l);
/* Unhook the notifiers and free the queues (the switches close the ports). */
void sim_link_fini(struct sim_link *l);

/* Frames queued or on the wire in direction d. */
uint64_t sim_link_in_flight(const struct sim_link *l, uint32_t d);
/* Drops of both directions, every reason. */
uint64_t sim_link_drops(const struct sim_link *l);
/* Delivered frames per second of line time in direction d (first frame's
 * first bit to last frame's last bit), in Mpps; 0 with fewer than one. */
double sim_link_mpps(const struct sim_link *l, uint32_t d);
/* The line's ceiling for frames of len bytes, in Mpps. */
double sim_link_max_mpps(const struct sim_link *l, uint32_t len);

#endif /* SIM_LINK_H */
