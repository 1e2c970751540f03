/*
 * nm_monitor.h - netmap monitors: a port that sees the frames another
 * port's TX and/or RX rings move (NR_MONITOR_TX, NR_MONITOR_RX): copies
 * (nm_monitor.c), or with NR_ZCOPY_MON the very buffers, swapped
 * (nm_monitor_zc.c).
 *
 * Owns: the monitor port (a copy monitor's own region, a zero-copy one's
 * rings in its parent's: one TX ring that refuses to sync, and max(parent
 * TX, parent RX) RX rings carrying the traffic), the taps (nm_kring.h) it
 * hangs on the monitored krings, and its counters.
 * Monitored TX ring i and RX ring i both feed monitor RX ring i; slots
 * that came from a TX ring carry NS_TXMON.  What is seen and when:
 * docs/monitors.md.
 *
 * Invariants: a monitor RX ring is written only under its lock, by the
 * taps (which may run concurrently from the parent's TX and RX syncs) and
 * by its own rxsync; whole slots up to mr->hwtail are written before
 * hwtail moves.  When the ring is full the oldest of a batch are dropped
 * (the reference's choice), counted.
 *
 * Locking: taps are added and removed under reg->lock (the writers of
 * every tap list); removal is followed by nm_os_read_synchronize() before
 * anything a tap uses is freed.  The monitor holds a reference to the
 * monitored port, so the parent's krings outlive the taps.
 */
#ifndef NM_MONITOR_H
#define NM_MONITOR_H

#include "nm_port.h"
#include "nm_registry.h"

struct nm_monitor;
struct nm_monitor_ring;

/* One tap: which monitor ring it feeds, NS_TXMON or 0. */
struct nm_monitor_tap {
	struct nm_kring_tap tap; /* first member */
	struct nm_monitor_ring *mr;
	uint16_t txmon;
};

struct nm_monitor_ring;

/* Zero-copy (nm_monitor_zc.c): one link of a chain, a tap on the kring
 * before this monitor (the parent's ring, or the previous zero-copy
 * monitor's RX ring) that swaps the slots it releases into mr. */
struct nm_monitor_ztap {
	struct nm_kring_tap tap; /* first member; kind NM_TAP_ZCOPY */
	struct nm_monitor_ring *mr;  /* the ring it feeds */
	struct nm_kring *on;	     /* the kring it hangs on */
	struct nm_monitor_ring *src; /* on a monitor's ring: that ring (its
					trusted slot copies); NULL: a parent's */
	uint16_t txmon;		     /* its chain: NS_TXMON (TX) or 0 (RX) */
};

/* Zero-copy: the kernel's own copy of what a monitor slot holds; the
 * shared slot is only ever written from it, never read into it. */
struct nm_monitor_zslot {
	uint32_t buf_idx;
	uint16_t len;
	uint16_t flags;
};

struct nm_monitor_ring {
	struct nm_kring kr; /* the monitor's RX kring */
	struct nm_monitor *mon;
	uint32_t ring;
	struct nm_os_lock lock; /* taps and the rxsync */
	uint32_t hwcur;		/* under lock: released by the monitor's user */
	uint32_t hwtail;	/* under lock: slots before it are written */
	struct nm_monitor_tap tap[2]; /* on the parent's [NR_TX], [NR_RX] ring */
	bool tapped[2];
	/* Zero-copy only: per slot (entries [hwtail, hwcur - 1) under lock,
	 * the others the rxsync's), and the [NR_TX], [NR_RX] chain links
	 * (under reg->lock; NULL: not in that chain). */
	struct nm_monitor_zslot *zs;
	struct nm_monitor_ztap *ztap[2];
};

struct nm_monitor_stats {
	struct nm_os_counter seen;    /* slots copied (swapped) into the monitor */
	struct nm_os_counter dropped; /* slots dropped: monitor ring full */
	struct nm_os_counter bad;     /* parent or monitor slot with a bad
					 buffer index: delivered empty (copy),
					 not delivered (zero-copy) */
	struct nm_os_counter scribbled; /* zero-copy: monitor slots whose
					   buf_idx the monitor's user changed;
					   the kernel's copy was restored */
};

struct nm_monitor {
	struct nm_port up; /* first member */
	struct nm_registry *reg;
	struct nm_port *parent; /* a reference, dropped at close */
	uint32_t flags;		/* NR_MONITOR_TX | NR_MONITOR_RX (| NR_ZCOPY_MON) */
	struct nm_region region; /* copy monitors' own; unused by zero-copy */
	struct nm_kring tx_kr; /* the one TX ring: syncs fail with -EIO */
	struct nm_monitor_ring *rx;
	struct nm_monitor_stats stats;
	/* Zero-copy: netmap_if and rings live in the parent's buffers
	 * [zrun, zrun + zrun_count); nifp_ofs from the parent's base. */
	uint32_t zrun, zrun_count;
	uint64_t nifp_ofs;
};

/*
 * [control path][may sleep] Monitor the open port `parent` (the caller
 * passes it a reference, which the monitor keeps and drops at close):
 * nr_flags is NR_MONITOR_TX, NR_MONITOR_RX or both, and NR_ZCOPY_MON for
 * a zero-copy monitor (alone: both directions; nm_monitor_zc.c).  g: slot
 * counts as hints (0: the parent's), ring counts and buffer size are the
 * parent's.  0, -EINVAL (no direction), -ENOMEM (for zero-copy also: the
 * parent's region has too few spare buffers).  On error the caller keeps
 * its reference.
 */
int nm_monitor_create(struct nm_registry *reg, struct nm_port *parent,
		      uint64_t nr_flags, struct nm_port_geom *g,
		      struct nm_monitor **out);

/* Is name "PORT/FLAGS" with FLAGS in [trz]+?  Then *base_len is the
 * length of PORT and *nr_flags the request's monitor flags. */
bool nm_monitor_name_split(const char *name, size_t *base_len,
			   uint64_t *nr_flags);

#endif /* NM_MONITOR_H */
