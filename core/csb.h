/*
 * csb.h - ptnetmap / sync-kloop CSB synchronisation, both sides, as steps.
 *
 * Owns: the application (guest) side and the kernel (host) side of the CSB
 * protocol for one ring each (struct csb_guest, struct csb_host_ring), the
 * kloop option checks and the test-only mutant switches.  The CSB lines are
 * ABI structs from nm_abi.h: nm_csb_atok is written only by the application,
 * nm_csb_ktoa only by the kernel (single writer per 64-byte line).
 *
 * Invariants: every CSB word is touched through nm_os_shared_load32/store32
 * exactly once per use; every value read from the peer is validated before
 * use (host: nm_kring_prologue(); guest: window checks) and a bad value
 * leaves the local state unchanged.  Steps never sleep and never wait for
 * the peer: they say what the caller should do next (CSB_DO_*).
 *
 * Locking: one caller per side per ring at a time.  The host step takes the
 * kring's sync gate itself (-EBUSY if held); the guest side has no lock.
 * Protocol, pairing diagram and counters: docs/csb.md.
 */
#ifndef CSB_H
#define CSB_H

#include "nm_kring.h"

/* What a step asks its caller to do next (a bitmask). */
#define CSB_DO_NOTIFY 0x1	/* notify the peer: kick (guest) or interrupt (host) */
#define CSB_DO_AGAIN 0x2	/* host: progress was made, call the step again */
#define CSB_DO_SLEEP 0x4	/* host: idle; kicks enabled (eventfd) or poll later */
#define CSB_DO_WAIT_BACKEND 0x8 /* host: idle until the backend wakes this ring */

/* csb_host_step() flags. */
#define CSB_STEP_POLL 0x1 /* caller polls again soon: idle does not enable kicks */

/* How a host ring is driven (the reference's three kloop modes). */
enum csb_host_mode {
	CSB_MODE_EVENTFD = 0,	/* sleep until kicked; kicks toggled per sleep */
	CSB_MODE_BUSY_WAIT = 1, /* poll every sleep_us; kicks always disabled */
	CSB_MODE_DIRECT = 2,	/* run in the kicker's context; kicks always enabled */
};

/* SYNC_KLOOP_MODE option bits (ABI values). */
#define CSB_DIRECT_TX 0x1U
#define CSB_DIRECT_RX 0x2U

#define CSB_SLEEP_US_MAX 1000000U

/* ---- Kloop options, validated together (defect D3). */
struct csb_kloop_cfg {
	uint32_t num_tx_rings;
	uint32_t num_rx_rings;
	uint32_t sleep_us; /* busy-wait interval, <= CSB_SLEEP_US_MAX */
	uint32_t direct;   /* CSB_DIRECT_TX | CSB_DIRECT_RX */
	bool eventfds;	   /* an ioeventfd (kick) was given for every ring */
};

/*
 * Are the options consistent?  0, or -EINVAL: no rings, too many rings,
 * sleep_us too large, unknown direct bits, or direct mode without eventfds
 * (the reference accepts that and then never processes the direction).
 */
int csb_kloop_cfg_validate(const struct csb_kloop_cfg *cfg);
/* The mode a ring of this direction runs in under a valid cfg. */
enum csb_host_mode csb_kloop_cfg_mode(const struct csb_kloop_cfg *cfg,
				      enum nm_kring_dir dir);

/*
 * Are two CSB arrays of nrings lines each usable?  Both non-NULL, aligned
 * to 64 bytes and not overlapping.  0 or -EINVAL.
 */
int csb_check_layout(const struct nm_csb_atok *atok,
		     const struct nm_csb_ktoa *ktoa, uint32_t nrings);

/* ---- Host (kernel) side of one ring. */

struct csb_host_stats {
	struct nm_os_counter steps;	      /* steps that ran (gate taken) */
	struct nm_os_counter busy;	      /* steps refused: gate held */
	struct nm_os_counter bad_atok;	      /* head/cur rejected by the prologue */
	struct nm_os_counter backend_errors;  /* sync callback failed */
	struct nm_os_counter irqs_sent;	      /* CSB_DO_NOTIFY reported */
	struct nm_os_counter irqs_suppressed; /* hwtail moved, guest had irqs off */
	struct nm_os_counter sleeps;	      /* kicks enabled, nothing new: SLEEP */
	struct nm_os_counter recheck_won;     /* work appeared during the re-check */
};

struct csb_host_ring {
	struct nm_kring *kr;	   /* trusted state; kr->sync is the backend */
	struct nm_csb_atok *atok;  /* AW KR: untrusted */
	struct nm_csb_ktoa *ktoa;  /* KW AR */
	enum csb_host_mode mode;
	bool kick_enabled;	   /* what we last stored in ktoa->kern_need_kick */
	uint32_t pub_hwcur;	   /* what we last stored in ktoa->hwcur */
	uint32_t pub_hwtail;	   /* what we last stored in ktoa->hwtail */
	uint64_t head_total;	   /* slots accepted from the app, ever */
	uint64_t hwtail_total;	   /* slots handed to the app (hwtail moves), ever */
	struct csb_host_stats stats;
};

/*
 * Attach a host ring to kr and initialise both CSB lines from the kring
 * (the CSB_ENABLE step): atok.head/cur = rhead/rcur, appl_need_kick = 1,
 * sync_flags = NAF_FORCE_READ; ktoa.hwcur/hwtail = hwcur/hwtail,
 * kern_need_kick = 1.  Run it before the application starts using the CSB.
 * [control path] 0 or -EINVAL (unaligned line, bad mode).
 */
int csb_host_ring_init(struct csb_host_ring *hr, struct nm_kring *kr,
		       struct nm_csb_atok *atok, struct nm_csb_ktoa *ktoa,
		       enum csb_host_mode mode);

/*
 * One kernel-side sync of one ring; never sleeps, never loops waiting for
 * the peer.  Takes the kring gate; reads atok head, cur, sync_flags once
 * (head first); runs them through nm_kring_prologue(); runs the backend
 * sync; publishes hwcur then hwtail; decides the interrupt (publish, full
 * fence, read appl_need_kick).  With no progress it either waits for the
 * backend or enables kicks, fences, re-checks atok and reports SLEEP or,
 * if the application crossed the index meanwhile, AGAIN.
 * Returns 0, -EBUSY (gate held; *todo = 0), -EINVAL (bad atok: ring
 * unchanged, kicks enabled so a corrected value is seen) or the backend's
 * error.  *todo: exactly one of AGAIN, SLEEP, WAIT_BACKEND (on 0 and on
 * errors other than -EBUSY), possibly with NOTIFY.  With CSB_STEP_POLL
 * (the caller spins and will step again at once) an idle ring reports
 * SLEEP without enabling kicks; the last step before really sleeping must
 * be made without it.
 */
int csb_host_step(struct csb_host_ring *hr, unsigned flags, unsigned *todo);

/* ---- Guest (application) side of one ring. */

struct csb_guest_stats {
	struct nm_os_counter syncs;	       /* csb_guest_sync() calls */
	struct nm_os_counter kicks_sent;       /* CSB_DO_NOTIFY reported */
	struct nm_os_counter kicks_suppressed; /* published, kernel had kicks off */
	struct nm_os_counter sleeps;	       /* csb_guest_may_sleep() said yes */
	struct nm_os_counter recheck_won;      /* work appeared during the re-check */
	struct nm_os_counter wakeups;	       /* csb_guest_woken() calls */
	struct nm_os_counter spurious;	       /* woken with nothing to do */
	struct nm_os_counter bad_ktoa;	       /* hwcur/hwtail rejected */
	struct nm_os_counter bad_args;	       /* caller's head/cur rejected */
};

struct csb_guest {
	struct nm_csb_atok *atok;	/* AW KR */
	const struct nm_csb_ktoa *ktoa; /* KW AR: validated on every read */
	uint32_t num_slots;
	enum nm_kring_dir dir;
	uint32_t head, cur;	 /* last published */
	uint32_t sync_flags;	 /* last published */
	uint32_t hwcur, hwtail;	 /* last valid view of the kernel's indices */
	bool irq_enabled;	 /* what we last stored in atok->appl_need_kick */
	uint64_t head_total;	 /* slots published (head moves), ever */
	uint64_t hwtail_total;	 /* slots the kernel handed over, ever */
	struct csb_guest_stats stats;
};

/*
 * Attach to a CSB pair initialised by csb_host_ring_init(): reads the
 * initial head/cur (own line) and hwcur/hwtail (validated < num_slots).
 * 0 or -EINVAL.
 */
int csb_guest_init(struct csb_guest *g, enum nm_kring_dir dir,
		   uint32_t num_slots, struct nm_csb_atok *atok,
		   const struct nm_csb_ktoa *ktoa);

/*
 * Guest txsync / rxsync (the same protocol both ways): disable interrupts
 * (we are running), publish cur then head if they changed (TX: slots
 * filled; RX: slots released), full fence, read kern_need_kick and report
 * CSB_DO_NOTIFY (kick) if it is set; then refresh the view of hwtail.
 * head must lie in [last head, hwtail] and cur in [head, hwtail] of the
 * current view.  0, -EINVAL (bad head/cur: nothing published) or the
 * refresh error.
 */
int csb_guest_sync(struct csb_guest *g, uint32_t head, uint32_t cur,
		   uint32_t sync_flags, unsigned *todo);
/* Same as csb_guest_sync() for a TX ring / an RX ring (asserts the direction). */
int csb_guest_txsync(struct csb_guest *g, uint32_t head, uint32_t cur,
		     unsigned *todo);
int csb_guest_rxsync(struct csb_guest *g, uint32_t head, uint32_t cur,
		     unsigned *todo);

/*
 * Re-read hwtail then hwcur.  A value outside its window (hwtail in
 * [old hwtail, head - 1], hwcur in [old hwcur, head]) is rejected:
 * -EINVAL, bad_ktoa counted, the view unchanged.  0 otherwise.
 */
int csb_guest_refresh(struct csb_guest *g);

/* Slots the application owns in the current view: TX free, RX received. */
static inline uint32_t csb_guest_space(const struct csb_guest *g)
{
	return nm_idx_dist(g->head, g->hwtail, g->num_slots);
}

/* Must the application wait (cur has reached hwtail)? */
static inline bool csb_guest_would_block(const struct csb_guest *g)
{
	return g->cur == g->hwtail;
}

/*
 * "May I sleep?": if the ring would block, enable interrupts, full fence,
 * re-check hwtail.  true: sleep until interrupted (interrupts stay on).
 * false: there is work (interrupts off again if they were turned on).
 */
bool csb_guest_may_sleep(struct csb_guest *g);

/*
 * After waking from a sleep: refresh, count a spurious wakeup if there is
 * still nothing to do, and turn interrupts off if there is.  Returns
 * whether there is work.
 */
bool csb_guest_woken(struct csb_guest *g);

/* ---- Test-only mutants for the model checker (never in kmod or normal builds). */
#define CSB_MUT_NO_ENABLE_FENCE 0x01U  /* no store-load fence after enabling */
#define CSB_MUT_NO_PUBLISH_FENCE 0x02U /* no store-load fence after publishing (D6) */
#define CSB_MUT_NO_RECHECK 0x04U       /* sleep right after enabling */
#define CSB_MUT_BAD_INIT_KICK 0x08U    /* need-kick flags start at 0 */
#define CSB_MUT_SWAP_PUBLISH 0x10U     /* head before cur, hwtail before hwcur */
/* Visible only under a weaker model than TSO (models/explore --mem arm). */
#define CSB_MUT_NO_LDLD 0x20U	       /* no load-load fence inside an index pair */
#define CSB_MUT_PLAIN_RELEASE 0x40U    /* second index stored without stst (not a release) */
/* The bug zoo (docs/bugzoo.md): protocol bugs visible under any model. */
#define CSB_MUT_KICK_BEFORE_PUBLISH 0x80U /* guest reads kern_need_kick, then publishes */
#define CSB_MUT_IRQ_BEFORE_PUBLISH 0x100U /* host reads appl_need_kick, then publishes */
#define CSB_MUT_DOUBLE_FETCH 0x200U	  /* guest validates hwtail, then uses a re-read */
#define CSB_MUT_WINDOW_OFF_BY_ONE 0x400U  /* guest's hwtail window one slot short */
#define CSB_MUT_WINDOW_NO_WRAP 0x800U	  /* guest's window compared without wrap */
#define CSB_MUT_WMB_FOR_MB 0x1000U	  /* host: stst where the irq needs stld */
/* The reference's RX idle rule: wait for the backend (kicks off) whenever
 * the ring has room, so a release can wait for a backend event that never
 * comes (models/explore --chain 2). */
#define CSB_MUT_RX_WAIT_IF_ROOM 0x2000U
/* Modifiers: apply the fence/order mutants above to one side only. */
#define CSB_MUT_GUEST_ONLY 0x4000U
#define CSB_MUT_HOST_ONLY 0x8000U
/* csb_kloop_ctl.c: a STOP with no kloop running is forgotten (zoo case 20). */
#define CSB_MUT_LOST_STOP 0x10000U

#ifdef NM_CSB_MUTANTS
extern unsigned csb_mutants;
#define CSB_MUTANT(bit) ((csb_mutants & (bit)) != 0)
#else
#define CSB_MUTANT(bit) false
#endif
/* A mutant in the guest's code (csb_guest.c) / the host's (csb_host.c). */
#define CSB_MUTANT_G(bit) (CSB_MUTANT(bit) && !CSB_MUTANT(CSB_MUT_HOST_ONLY))
#define CSB_MUTANT_H(bit) (CSB_MUTANT(bit) && !CSB_MUTANT(CSB_MUT_GUEST_ONLY))

#endif /* CSB_H */
