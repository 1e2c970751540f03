/*
 * nm_nic.h - a netmap port over a network interface the backend owns (the
 * "generic" or emulated adapter of netmap): NIC rings, one per device queue,
 * and optionally one pair of host rings (the host stack's side).
 *
 * Owns: the port's region (ring_ofs in the reference's order: NIC TX, host
 * TX, NIC RX, host RX), its krings and their syncs, frame delivery into an
 * RX ring (a NIC RX ring for frames from the wire, the host RX ring for
 * frames the host stack transmits) and frame collection from a TX ring (NIC
 * TX to the wire, host TX to the stack).  The backend (kmod/nmlab_nic.c)
 * owns the device, its hooks and the frames' buffers (skbs); it only ever
 * sees validated, bounded fragments.
 *
 * Invariants per RX ring: the producer fills [prod, hwcur - 1) and only
 * those slots; rxsync takes hwtail = prod, so a slot becomes the user's
 * only when complete.  Per TX ring: every slot in [hwcur, rhead) is read
 * once (nm_slot_load) and judged before its bytes are handed on; a chain is
 * handed on only when complete and at most NETMAP_MAX_FRAGS slots long;
 * bytes are copied by the backend before xmit returns, so every consumed
 * slot is free again at once (hwtail = hwcur - 1).
 *
 * Locking: an RX ring's producer and its rxsync serialise on the ring's
 * lock (producers run in any context: softirq, xmit path); TX syncs are
 * serialised by the kring gate.  Notifications run in read sections.
 */
#ifndef NM_NIC_H
#define NM_NIC_H

#include "nm_port.h"

#define NM_NIC_MAX_QUEUES (NM_PORT_MAX_RINGS - 1) /* one kring left for host */

/* One fragment of a frame, inside the port's buffer pool. */
struct nm_nic_frag {
	const uint8_t *buf;
	uint32_t len;
};

/*
 * What the backend provides.  Every callback runs in a sync step: never
 * sleeps.  xmit and to_host copy the bytes before returning and return
 * 0 (taken), -EAGAIN (no room now: the frame stays in the ring and is
 * offered again at the next sync) or another -errno (dropped, counted).
 */
struct nm_nic_ops {
	/* A frame from NIC TX ring `ring` to the wire. */
	int (*xmit)(void *priv, uint32_t ring, const struct nm_nic_frag *f,
		    uint32_t nfrags, uint32_t len);
	/* A frame from the host TX ring to the host stack. */
	int (*to_host)(void *priv, const struct nm_nic_frag *f,
		       uint32_t nfrags, uint32_t len);
	/* [control path] nm_port_close() of the port: the backend drops its
	 * reference and calls nm_nic_destroy() when it holds the last one. */
	void (*close)(void *priv);
};

/* Copy len bytes at offset off of the frame ctx into dst (backend: skb). */
typedef void (*nm_nic_copy_fn)(void *dst, uint32_t off, uint32_t len,
			       const void *ctx);

struct nm_nic_ring {
	struct nm_kring kr;
	struct nm_nic *nic;
	uint32_t ring;		/* index in the port (host ring: last) */
	struct nm_os_lock lock; /* RX: producers and rxsync */
	uint32_t prod;		/* RX: next slot to fill, under lock */
};

struct nm_nic_stats {
	struct nm_os_counter rx_pkts;	    /* frames delivered into RX rings */
	struct nm_os_counter rx_drop_full;  /* RX ring had no room */
	struct nm_os_counter rx_drop_size;  /* longer than 64 buffers, or empty */
	struct nm_os_counter rx_drop_buf;   /* a kernel-owned slot named a bad buffer */
	struct nm_os_counter tx_pkts;	    /* frames taken by xmit / to_host */
	struct nm_os_counter tx_drop_slot;  /* bad buffer index or length in a slot */
	struct nm_os_counter tx_drop_frags; /* chain of more than 64 slots */
	struct nm_os_counter tx_drop_xmit;  /* the backend refused it */
};

struct nm_nic {
	struct nm_port up; /* first member */
	uint32_t nic_rings[2]; /* NIC rings per direction; host ring follows */
	uint32_t host_rings;   /* 0 or 1 pair */
	const struct nm_nic_ops *ops;
	void *priv;
	struct nm_region region;
	struct nm_nic_ring tx[NM_PORT_MAX_RINGS], rx[NM_PORT_MAX_RINGS];
	struct nm_nic_stats stats;
};

/*
 * [control path][may sleep] Build the port `name` with g's rings (1..15
 * each, clamped like nm_port_geom_normalize) and, with host, one host ring
 * pair.  0, -EINVAL (name or buffer size) or -ENOMEM.
 */
int nm_nic_create(const char *name, struct nm_port_geom *g, bool host,
		  const struct nm_nic_ops *ops, void *priv,
		  struct nm_nic **out);
/* [control path][may sleep] Free it; no sync or producer may still run. */
void nm_nic_destroy(struct nm_nic *n);

/* The index of the host ring in direction dir (== nic_rings[dir]). */
static inline uint32_t nm_nic_host_ring(const struct nm_nic *n, uint32_t dir)
{
	return n->nic_rings[dir];
}

/*
 * [any ctx][no sleep] Deliver one frame of len bytes into RX ring `ring`
 * (a NIC ring, or nm_nic_host_ring(n, NR_RX)), copied with copy(ctx) into
 * as many slots as it needs (NS_MOREFRAG on all but the last), and wake
 * the ring's waiters.  0, or -ENOSPC / -EMSGSIZE / -EINVAL (dropped, counted).
 */
int nm_nic_rx_deliver(struct nm_nic *n, uint32_t ring, uint32_t len,
		      nm_nic_copy_fn copy, const void *ctx);

/* [any ctx][no sleep] The backend has room again for TX ring `ring`
 * (a completion): wake its waiters. */
void nm_nic_tx_wake(struct nm_nic *n, uint32_t ring);

#endif /* NM_NIC_H */
