/*
 * nm_kring.h - the kernel's trusted view of one netmap ring.
 *
 * Owns: the kring state (hwcur, hwtail and the trusted copies rhead, rcur,
 * rtail of the user's head/cur and of the tail last shown), the TX and RX
 * sync prologues, finalize, and the per-ring sync gate.
 *
 * Invariants (circular order on n = num_slots slots, every index < n):
 *   TX: hwcur <= rhead <= rcur <= rtail <= hwtail
 *   RX: hwcur <= rhead <= rcur <= hwtail and rtail <= hwtail
 * checked by nm_kring_valid().  The shared netmap_ring is untrusted: head and
 * cur are read exactly once per sync, validated before anything is stored
 * into the kring, and a violation leaves the kring untouched and never runs
 * the sync.
 *
 * Locking: one sync at a time per kring, enforced by a test-and-set gate
 * (nm_kring_tryget / nm_kring_put); a second caller gets -EBUSY.  Who may
 * move hwtail while a sync runs (VALE senders, under the ring lock) is the
 * business of the owner of the sync callback.
 */
#ifndef NM_KRING_H
#define NM_KRING_H

#include "nm_abi.h"
#include "nm_idx.h"

enum nm_kring_dir {
	NM_KRING_TX = NR_TX,
	NM_KRING_RX = NR_RX,
};

struct nm_kring;

/*
 * The backend half of a sync.  Runs with the gate held, after a successful
 * prologue: TX consumes [hwcur, rhead) and may advance hwtail; RX releases
 * [hwcur, rhead) and imports new slots by advancing hwtail.  Returns 0 or
 * -errno (then finalize is skipped).  Never sleeps.
 */
typedef int (*nm_kring_sync_fn)(struct nm_kring *kr, uint32_t flags);

/*
 * A tap: someone (a monitor, core/nm_monitor.c) shown the slots a sync
 * moves.  A copy tap (NM_TAP_COPY) sees TX [hwcur, rhead) after the
 * prologue, before the backend sync consumes them, and RX [the previous
 * hwtail, hwtail) after the backend sync imported them; it may read the
 * slots and their buffers, never write them.  A zero-copy tap
 * (NM_TAP_ZCOPY, core/nm_monitor_zc.c) sees slots after consumption: TX
 * [old hwtail + 1, hwtail + 1), the slots the backend sync just freed,
 * after it and before the new tail is published; RX [hwcur, rhead), the
 * slots the user just released, before the backend sync reuses them.  It
 * may rewrite those slots' buf_idx, len and flags (the slots are the
 * kernel's then).  fn runs with the kring's gate held, in a read section,
 * and never sleeps.  The list is RCU-published: writers
 * (nm_kring_tap_add/_del) are serialised by the caller, and a removed tap
 * may be freed only after nm_os_read_synchronize().
 */
struct nm_kring_tap;
typedef void (*nm_kring_tap_fn)(struct nm_kring_tap *t, struct nm_kring *kr,
				uint32_t first, uint32_t count);
enum nm_kring_tap_kind {
	NM_TAP_COPY = 0,
	NM_TAP_ZCOPY = 1,
};
struct nm_kring_tap {
	struct nm_kring_tap *next; /* RCU-published */
	nm_kring_tap_fn fn;
	enum nm_kring_tap_kind kind; /* set before the tap is added */
};

struct nm_kring_stats {
	struct nm_os_counter syncs;	      /* syncs that ran the backend */
	struct nm_os_counter prologue_errors; /* rejected head/cur */
	struct nm_os_counter tail_restored;   /* user scribbled on tail */
	struct nm_os_counter busy;	      /* sync refused: gate held */
};

struct nm_kring {
	struct netmap_ring *ring; /* shared with the user: untrusted */
	uint32_t num_slots;
	enum nm_kring_dir dir;

	uint32_t hwcur;	 /* first slot not yet consumed (TX) / released (RX) */
	uint32_t hwtail; /* first slot owned by the kernel */
	uint32_t rhead;	 /* trusted copy of head from the last valid sync */
	uint32_t rcur;	 /* trusted copy of cur from the last valid sync */
	uint32_t rtail;	 /* tail as last shown to the user */

	volatile uint32_t busy; /* sync gate: 1 while a sync runs */

	nm_kring_sync_fn sync;
	void *sync_priv;

	struct nm_kring_tap *taps; /* RCU-published; NULL: nobody taps */
	uint32_t tap_tail;	   /* RX: hwtail the taps were shown up to */

	struct nm_kring_stats stats;
	char name[32];
};

/*
 * Set up a kring of num_slots (2..4096) over ring and publish the initial
 * indices: head = cur = 0; tail = n - 1 for TX (all free), 0 for RX (empty).
 * [control path] 0, or -EINVAL for a bad size or direction.
 */
int nm_kring_init(struct nm_kring *kr, enum nm_kring_dir dir,
		  uint32_t num_slots, struct netmap_ring *ring,
		  nm_kring_sync_fn sync, void *sync_priv, const char *name);

/*
 * Would a sync with these head and cur values be accepted?  Pure: reads
 * only the kring, stores nothing.  0 or -EINVAL.
 */
int nm_kring_check(const struct nm_kring *kr, uint32_t head, uint32_t cur);

/*
 * Validate head and cur (already read once by the caller, from the ring or
 * from a CSB) and, only if valid, commit them to rhead/rcur.  On violation:
 * -EINVAL, one rate-limited log line, prologue_errors counted, kring unchanged.
 */
int nm_kring_prologue(struct nm_kring *kr, uint32_t head, uint32_t cur);

/* After a successful backend sync: the tail shown to the user becomes hwtail. */
void nm_kring_finalize(struct nm_kring *kr);

/*
 * One complete sync over the shared netmap_ring (NIOCTXSYNC / NIOCRXSYNC):
 * take the gate, read head and cur once, prologue, restore a scribbled
 * tail, run the backend sync, finalize, publish tail, release the gate.
 * 0, -EBUSY (another sync holds the gate), -EINVAL (prologue), or the
 * backend's error.  Never sleeps.
 */
int nm_kring_sync(struct nm_kring *kr, uint32_t flags);
/* The same, by a caller that already holds the gate (nm_kring_tryget). */
int nm_kring_sync_held(struct nm_kring *kr, uint32_t flags);
/*
 * The backend's part of a sync, after a successful prologue, with the gate
 * held: the monitors' taps before and after kr->sync.  Every path that
 * runs a ring's backend goes through it (nm_kring_sync_held(), the CSB
 * kloop's csb_host_step()), so a monitor sees a ring's traffic whoever
 * drives it, as the reference's monitors, which wrap nm_sync, do.
 */
int nm_kring_sync_backend(struct nm_kring *kr, uint32_t flags);

/* [any ctx] take the one-sync-at-a-time gate; false if it is held. */
bool nm_kring_tryget(struct nm_kring *kr);
/* [any ctx] release the gate taken by nm_kring_tryget(). */
void nm_kring_put(struct nm_kring *kr);

/* [control path][caller serialises writers] Add tap t to kr (published at
 * once), or remove it (t may be freed after nm_os_read_synchronize()).
 * Removing a tap that is not there is a no-op. */
void nm_kring_tap_add(struct nm_kring *kr, struct nm_kring_tap *t);
void nm_kring_tap_del(struct nm_kring *kr, struct nm_kring_tap *t);

/*
 * [read section][no sleep] New slots may have arrived on RX kring kr (its
 * notification): if taps listen, import them now with the backend sync
 * (releasing nothing new: rhead is the last validated head) and show them
 * to the taps, as the reference's copy monitors see frames on arrival.  The
 * user's tail is not moved (the user's next sync does that).  If the gate
 * is held, the holder's sync shows them.  Nothing happens without taps.
 */
void nm_kring_tap_arrivals(struct nm_kring *kr);

/* Do the kring's indices satisfy the invariants above? */
bool nm_kring_valid(const struct nm_kring *kr);

/* Slots the user may use now, as the kernel sees it (TX free / RX ready). */
static inline uint32_t nm_kring_user_slots(const struct nm_kring *kr)
{
	return nm_idx_dist(kr->rhead, kr->rtail, kr->num_slots);
}

#endif /* NM_KRING_H */
