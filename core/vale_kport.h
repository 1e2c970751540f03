/*
 * vale_kport.h - a VALE port driven by the kernel rather than by an
 * application: the switch's side of a network interface attached to a
 * switch (netmap's "bwrap").  The backend feeds it the interface's
 * received frames (vale_kport_send) and takes what the switch delivers to
 * it (vale_kport_drain) for the interface to transmit.
 *
 * Invariants: the port's rings are never mapped by anyone (the front-end
 * refuses to bind a kernel-owned port), so the kernel plays the
 * application on them and the same prologues and syncs judge its indices.
 * Locking: senders (one per CPU's receive path) serialise on the TX
 * kring's own sync gate, taken by spinning (they run in softirq or with
 * bottom halves off, never sleep in it, and take no lock of ours before
 * the switch takes its ring locks); drain runs in one context at a time
 * (the backend's work item).
 */
#ifndef VALE_KPORT_H
#define VALE_KPORT_H

#include "vale.h"
#include "nm_nic.h"

struct vale_kport {
	struct vale_port *port;
	struct nm_os_counter sent, dropped, delivered;
};

/* Frames the switch delivered, one by one: 0 or -errno (counted as dropped). */
typedef int (*vale_kport_out_fn)(void *priv, const struct nm_nic_frag *f,
				 uint32_t nfrags, uint32_t len);

/* One frame gathered from a ring (vale_kport_gather()). */
struct vale_kport_frame {
	struct nm_nic_frag f[NETMAP_MAX_FRAGS];
	uint32_t nf;  /* slots it took (may exceed NETMAP_MAX_FRAGS) */
	uint32_t len; /* bytes of the fragments kept in f */
	bool ok;      /* false: a bad slot, too many slots or no byte: drop it */
};

/*
 * [any ctx][no sleep] The frame starting at slot head (head != rtail) of
 * kr's ring, whose buffers are in pool: each slot read once
 * (nm_slot_load()) and judged.  Returns the slot after it, or head when
 * its chain runs into rtail (the producer has not published it whole).
 */
uint32_t vale_kport_gather(const struct nm_buf_pool *pool,
			   const struct nm_kring *kr, uint32_t head,
			   struct vale_kport_frame *fr);

/* [control path] 0 or -errno. */
int vale_kport_init(struct vale_kport *k, struct vale_port *p);
void vale_kport_fini(struct vale_kport *k);

/*
 * [any ctx][no sleep] One frame of len bytes, copied with copy(ctx), into
 * the port's TX ring 0 and forwarded by the switch at once.  0, -ENOSPC
 * (no room: dropped), -EMSGSIZE, or the sync's error.
 */
int vale_kport_send(struct vale_kport *k, uint32_t len, nm_nic_copy_fn copy,
		    const void *ctx);

/* [any ctx][no sleep, but out may be slow] Hand every complete frame
 * waiting in the port's RX rings to out and release the slots.  Returns
 * the number of frames handed on. */
uint32_t vale_kport_drain(struct vale_kport *k, vale_kport_out_fn out,
			  void *priv);

#endif /* VALE_KPORT_H */
