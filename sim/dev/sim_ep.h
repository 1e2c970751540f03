/*
 * sim_ep.h - an endpoint: a pkt-gen-like application (sender or receiver)
 * in a guest or a host process, the device it reaches the switch through,
 * and the switch port on the host side.
 *
 * Owns: the application's view of its ring (head == cur, and the last tail
 * it saw), the source replay state of a sender, the per-endpoint counters,
 * and the device interface every datapath implements (struct sim_dev_ops).
 *
 * The application never looks behind its ring: it fills (or drains) slots
 * and calls ops->sync(), which is whatever NIOCTXSYNC/NIOCRXSYNC means on
 * that datapath (a syscall into the host kernel; a guest syscall into a
 * driver that writes a register, kicks a virtqueue, publishes into a CSB).
 */
#ifndef SIM_EP_H
#define SIM_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm_kring.h"
#include "sim_actor.h"
#include "sim_config.h"
#include "sim_gseg.h"

struct sim_ep;
struct sim_pkts;
struct sim_run;
struct sim_sc_trace;
struct sim_trace;
struct sim_trace_cur;
struct sim_trace_rec;
struct sim_switch;
struct sim_pcap_sink;
struct sim_guest_stack;

struct sim_dev_ops {
	const char *name;
	/* Set up ep->ring/ep->n and the device; 0 or -errno with err. */
	int (*init)(struct sim_ep *ep, char *err, size_t errlen);
	void (*fini)(struct sim_ep *ep);
	/* On the app's CPU: hand [last head, ep->head) over, refresh ep->tail. */
	void (*sync)(struct sim_ep *ep);
	/* On the app's CPU, nothing to do: enable notifications and re-check.
	 * true: sleep until notified; false: there is work, run again. */
	bool (*may_sleep)(struct sim_ep *ep);
	/* On the app's CPU, first thing in a run caused by a notification. */
	void (*woken)(struct sim_ep *ep);
	/* Does the peer's published state say the app has work? */
	bool (*app_has_work)(struct sim_ep *ep);
	/* Check the device's krings; false with *what on a broken one. */
	bool (*rings_ok)(struct sim_ep *ep, const char **what);
};

struct sim_ep_stats {
	uint64_t pkts;	     /* sent (sender) or received (receiver) by the app */
	uint64_t syncs;	     /* ops->sync calls */
	uint64_t kicks;	     /* guest/app -> host notifications */
	uint64_t irqs;	     /* host -> guest/app notifications */
	uint64_t vmexits;
	uint64_t syscalls;
	uint64_t hypercalls;
	uint64_t dev_drops;  /* packets dropped by the device model */
	/* Of dev_drops: frames longer than the buffer they were to be copied
	 * into (the destination ring's nr_buf_size). */
	uint64_t drops_too_big;
	/* Of dev_drops: frames longer than the device model carries (its
	 * largest frame, policy max_frame: e1000's jumbo limit) or than a
	 * chain of NETMAP_MAX_FRAGS slots of its rings. */
	uint64_t drops_over_mtu;
	/* Of dev_drops: packets the guest's receive stack found its socket
	 * queue full for (rx_stack: napi, sim_guest_stack.c). */
	uint64_t drops_sockq_full;
	uint64_t full_waits; /* sender found its ring full */
	/* Receiver: empty slots (len 0) consumed, not packets: VALE pads a
	 * sender's lease that could not be rolled back with them
	 * (vale_lease_trim()), and a device copies them as they come. */
	uint64_t pads;
	/* Offloads (sim_vnet.h).  Sender: frames sent as GSO super-frames,
	 * with a partial checksum, and bytes its guest summed in software.
	 * Receiver: frames taken from the ring (segments each; pkts counts
	 * packets), frames that came whole with a GSO header, packets
	 * gathered from segments. */
	uint64_t gso_pkts, csum_pkts, csum_bytes;
	uint64_t guest_split; /* sender: records its stack cut (sim_gseg.h) */
	uint64_t frames, seg_pkts;
	/* Receiver: bytes of the frames it took (headers stripped), and of
	 * their TCP and UDP payload (an unfragmented datagram's). */
	uint64_t rx_frame_bytes, l4_bytes;
	/* Of dev_drops, backend tap: frames the destination tap's full queue
	 * (txqueuelen) dropped, and frames no tap had the MAC of; counted at
	 * the writer. */
	uint64_t drops_tap_full;
	uint64_t drops_tap_no_dest;
	/* Sender, backend netmap: switch txsyncs that handed over frames,
	 * and the frames they handed over (frames per txsync, per pass). */
	uint64_t port_txsyncs;
	uint64_t port_tx_pkts;
	/* Bytes copied, by who copied them: the device model (VMM, vhost,
	 * netback), the switch (measured at the seam during the port's
	 * syncs: delivery, and the NS_INDIRECT copy-in), the host stack (a
	 * tap's write or read); and the bytes of the frames the device
	 * moved.  Copies per packet: copy bytes / frame bytes. */
	uint64_t copy_bytes_dev;
	uint64_t copy_bytes_switch;
	uint64_t copy_bytes_host;
	uint64_t frame_bytes;
};

struct sim_ep {
	/* The run and what its application reads of it (set by the world). */
	struct sim_run *run;
	const struct sim_trace *trace;	 /* what a sender replays */
	const struct sim_sc_trace *tcfg; /* how: its mode and rate */
	struct sim_pkts *pk;		 /* packets in flight, checked at delivery */
	uint32_t buf_size;		 /* the scenario's netmap buffer size */
	const struct sim_sc_endpoint *cfg;
	uint32_t idx;
	enum sim_role role;
	uint32_t dir; /* NR_TX for a sender, NR_RX for a receiver */

	/* Host side: the switch port and the kring of it this endpoint uses. */
	struct sim_switch *sw;
	uint32_t swport;	/* index of its port in sw->port */
	struct nm_port *port;
	struct nm_kring *pkr;
	struct nm_os_notifier port_notifier; /* the switch woke this port */
	struct sim_actor *port_waiter;	     /* who port_notifier wakes */
	uint64_t port_wake_ns;		     /* latency of that wake-up */

	/* The application and its view of its ring. */
	struct sim_actor app;
	struct netmap_ring *ring;
	uint32_t n;
	uint32_t head; /* == cur */
	uint32_t tail; /* as last returned by ops->sync */
	/* cur - head at the next sync: 0, or the free slots a sender has
	 * while it waits for the rest of a chain's (netmap's "cur beyond
	 * head": wake me when tail passes cur; ptnet's sleep decision,
	 * csb_guest_would_block(), is cur == hwtail). */
	uint32_t cur_ahead;
	/* Sender, at its sync: another packet follows at once (released and
	 * with a free slot); what a guest driver with more_hint marks on the
	 * last frame of the sync (sim_app.c, only when more_hint is on). */
	bool more_coming;

	/* The accelerator's own port on the same switch (xen with accel,
	 * opened by the world before the bridges learn), else NULL. */
	uint32_t accel_swport;
	struct nm_port *accel_port;
	struct nm_kring *accel_pkr;
	/* A path of a split device (sim_dev_xen_accel.c) is a struct sim_ep
	 * of its own whose owner is the endpoint: its interrupts wake the
	 * owner's application and its counters are the owner's.  NULL:
	 * the endpoint itself. */
	struct sim_ep *owner;

	const struct sim_dev_ops *ops;
	void *dev;
	struct sim_actor *backend; /* the device's host thread (kloop, VMM I/O,
				    * vhost, netback), or NULL; set by init */
	/* The guest's receive stack between the device and the app
	 * (rx_stack: napi), or NULL: then ops are its, and the device's
	 * own ops are the stack's to call (sim_guest_stack.c). */
	struct sim_guest_stack *stack;
	struct sim_ep_stats st;

	/* Sender: replay position over trace records x loops, and the
	 * cursor streaming the trace (its record src_next % count). */
	uint64_t src_next, src_total, src_loop_ns;
	struct sim_trace_cur *cur;
	/* Receiver: a frame gathered from a chain of slots (max_len bytes). */
	uint8_t *rxbuf;
	/* Receiver: the pcap sink, if asked for. */
	struct sim_pcap_sink *sink;
	/* Bytes of virtio-net header on its port's frames (0, 10, 12). */
	uint32_t vnet_hdr;
	/* Sender with a header: the frames its guest stack made of the
	 * record it sends next (sim_guest.c); NULL without a header. */
	struct sim_txq *txq;
	/* Receiver without a header that a sender with one shares a switch
	 * with: the segments of the packet in progress; else NULL. */
	struct sim_seg *seg;
};

/* The ptnet model with event channel costs: the Xen accelerated netfront
 * (xen, fast_path: true; sim_dev_ptnet.c). */
extern const struct sim_dev_ops sim_dev_ptnet_evtchn_ops;

/* The frames a sending guest with a virtio-net header makes of one trace
 * record (sim_guest.c): the record itself behind its header, or, over the
 * MTU with no offload for it, the segments or fragments its stack cuts,
 * each behind its own header. */
struct sim_txq {
	uint64_t rec;	      /* the sender's record number they are for */
	bool ready;
	bool drop;	      /* nothing carries it: counted, never sent */
	uint32_t need;	      /* ring slots of all its frames */
	uint32_t hoff[SIM_GSEG_MAX_FRAMES]; /* per frame (sim_pkt_inject_gso()) */
	uint8_t kind[SIM_GSEG_MAX_FRAMES];  /* per frame: enum sim_vnet_kind */
	struct sim_gseg_out g; /* frames at buf + g.off[k], header before */
	uint8_t *buf;
	uint32_t cap;
};

/* 0 or -ENOMEM: ep->txq for trace frames up to max_len bytes. */
int sim_guest_init(struct sim_ep *ep, uint32_t max_len);
void sim_guest_fini(struct sim_ep *ep);
/* The frames of record r, the sender's next (made once per record, its
 * guest's costs charged then: checksums in software, segments cut). */
const struct sim_txq *sim_guest_prepare(struct sim_ep *ep,
					const struct sim_trace_rec *r);

/* The application's body (sim_app.c). */
void sim_app_body(struct sim_actor *a);
bool sim_app_has_work(struct sim_actor *a);
/* When the sender's packet k, whose record has relative time rec_ts, may
 * leave (virtual ns); sim_world_build() refuses a run whose last one
 * would pass SIM_MAX_RELEASE_NS, so this never wraps. */
uint64_t sim_app_release_time(const struct sim_ep *ep, uint64_t k,
			      uint64_t rec_ts);
/* The most bytes one slot carries in buffers of buf_size: a slot's length
 * is 16 bits, so 65535 of a 65536-byte buffer (65536 would read as 0). */
static inline uint32_t sim_ep_chunk(uint32_t buf_size)
{
	return buf_size < 0xffffU ? buf_size : 0xffffU;
}
/* Slots a frame of len bytes takes in chunks of chunk bytes (>= 1). */
static inline uint32_t sim_ep_slots(uint32_t len, uint32_t chunk)
{
	return len <= chunk ? 1 : (len + chunk - 1) / chunk;
}

/* The application a device of ep wakes, and the counters it keeps. */
static inline struct sim_actor *sim_ep_app(struct sim_ep *ep)
{
	return ep->owner != NULL ? &ep->owner->app : &ep->app;
}
static inline struct sim_ep_stats *sim_ep_st(struct sim_ep *ep)
{
	return ep->owner != NULL ? &ep->owner->st : &ep->st;
}

/* Deliver the switch port's notifications to ep->port_waiter. */
void sim_ep_port_notifier_init(struct sim_ep *ep, struct sim_actor *waiter,
			       uint64_t wake_ns);

#endif /* SIM_EP_H */
