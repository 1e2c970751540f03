/*
 * csb_kloop.h - the shim's sync kloop: a host thread that drives the core's
 * kernel-side CSB steps (csb_host_step) over a set of rings.
 *
 * Owns: the thread, its sleeping (busy-wait naps or a poll() over the
 * rings' ioeventfds), interrupts through the rings' irqfds, direct mode
 * (csb_kloop_kick() runs a ring in the kicker's thread), backend wake-ups,
 * clean start/stop, and the lost-notification watchdog.
 *
 * Generic over struct nm_kring: each ring's sync callback is its backend.
 * Rings are numbered TX first (0..num_tx-1), then RX, like the CSB arrays.
 *
 * Locking: the kloop thread owns every non-direct ring.  A direct ring is
 * run by whoever kicks it or by the kloop (for backend progress), one at a
 * time, through a running/pending pair (a kick that finds the ring running
 * is re-run by the runner, never dropped).
 */
#ifndef CSB_KLOOP_H
#define CSB_KLOOP_H

#include "csb.h"
#include "nm_shim.h"

/* One ring handed to the kloop. */
struct csb_kloop_ring_cfg {
	struct nm_kring *kr;		  /* its sync callback is the backend */
	struct nm_csb_atok *atok;	  /* this ring's CSB lines */
	struct nm_csb_ktoa *ktoa;
	struct nm_os_notifier *ioeventfd; /* kicks (required with cfg.eventfds) */
	struct nm_os_notifier *irqfd;	  /* interrupts, or NULL: never interrupted */
	/* Watchdog: the guest's count of slots published whose kick decision
	 * (and kick) has completed, stored with release; NULL: no check. */
	const uint64_t *peer_done;
};

struct csb_kloop_stats {
	uint64_t passes;	     /* passes over all rings */
	uint64_t naps;		     /* busy-wait sleeps of sleep_us */
	uint64_t sleeps;	     /* blocking waits (eventfd mode) */
	uint64_t wakeups;	     /* waits ended by a notification */
	uint64_t spurious;	     /* ... followed by a pass with no progress */
	uint64_t timeouts;	     /* waits ended by the watchdog timeout */
	uint64_t lost_notifications; /* asleep while the peer had published work (atomic) */
	uint64_t direct_runs;	     /* rings run from csb_kloop_kick() */
	uint64_t step_errors;	     /* steps that returned an error */
};

struct csb_kloop_ring {
	struct csb_host_ring host;
	struct nm_os_notifier *ioeventfd;
	struct nm_os_notifier *irqfd;
	const uint64_t *peer_done;
	uint64_t done;	  /* our watchdog mark: hwtail_total once notified */
	uint32_t running; /* direct rings: someone is running steps */
	uint32_t pending; /* direct rings: run again before leaving */
	unsigned last;	  /* CSB_DO_* of the last step */
};

struct csb_kloop {
	struct csb_kloop_cfg cfg;
	uint32_t num_rings;
	struct csb_kloop_ring *rings;
	struct nm_os_notifier wake; /* stop and backend wake-ups */
	void *pollfds;		    /* struct pollfd[num_rings + 1] */
	struct nm_os_kthread thread;
	uint32_t started;  /* thread running */
	uint32_t stopping; /* stop requested */
	uint32_t inflight; /* direct kicks being served */
	uint32_t asleep;   /* the thread is (about to be) blocked */
	uint32_t wd_ms;	   /* watchdog period of a blocking wait */
	uint64_t spin_ns;  /* eventfd mode: poll this long before sleeping */
	struct csb_kloop_stats stats; /* written by the kloop thread only */
	uint64_t direct_runs;	      /* atomically updated */
};

/*
 * Validate cfg (csb_kloop_cfg_validate: direct needs eventfds) and the
 * rings (layout, an ioeventfd per ring when cfg->eventfds), initialise
 * every ring's CSB lines and allocate the kloop.  Not started.
 * 0, -EINVAL or -ENOMEM.
 */
int csb_kloop_create(struct csb_kloop **out, const struct csb_kloop_cfg *cfg,
		     const struct csb_kloop_ring_cfg *rings);
/* Start the thread.  0, -EBUSY if already started, or -errno. */
int csb_kloop_start(struct csb_kloop *kl);
/*
 * Stop: wake the thread, join it, wait for direct kicks in flight.  After
 * it returns no thread runs and no ring's gate is held.  0, or -ENXIO if
 * it was not started.
 */
int csb_kloop_stop(struct csb_kloop *kl);
/* Free a stopped (or never started) kloop. */
void csb_kloop_destroy(struct csb_kloop *kl);

/*
 * The guest kicks ring i: in direct mode run it here, in the caller's
 * thread, until it has nothing to do; otherwise notify its ioeventfd.
 * 0, -ENXIO (kloop not running) or -EINVAL (bad ring).
 */
int csb_kloop_kick(struct csb_kloop *kl, uint32_t ring);
/* Watchdog period for blocking waits (default 1000 ms; set before start). */
void csb_kloop_set_watchdog_ms(struct csb_kloop *kl, uint32_t ms);
/*
 * Eventfd mode: after the last progress keep polling (kicks stay disabled)
 * for us microseconds before enabling kicks and sleeping, like vhost's
 * busy-loop timeout.  0 (default): sleep at once, as the reference does.
 * Set before start.
 */
void csb_kloop_set_spin_us(struct csb_kloop *kl, uint32_t us);

/*
 * Guest side of a blocking wait with the watchdog, after
 * csb_guest_may_sleep() said yes: wait up to wd_ms for an interrupt on irq.
 * Returns 1 if woken with work, 0 if woken with nothing to do (spurious),
 * -ETIMEDOUT if nothing happened (still asleep; call again).  If the
 * kernel's mark host_done (csb_kloop_done_mark()) shows slots handed over
 * after our re-check and no interrupt is pending, the interrupt was lost:
 * *lost is incremented and the wait ends as if woken.
 */
int csb_kloop_guest_wait(struct csb_guest *g, struct nm_os_notifier *irq,
			 const uint64_t *host_done, int wd_ms, uint64_t *lost);

/* The host ring i (for its counters and totals). */
const struct csb_host_ring *csb_kloop_host(const struct csb_kloop *kl,
					   uint32_t ring);
/* Our watchdog mark for ring i, for the guest's watchdog (read with acquire). */
const uint64_t *csb_kloop_done_mark(const struct csb_kloop *kl, uint32_t ring);
/* Counters; call after csb_kloop_stop() for exact values. */
void csb_kloop_get_stats(const struct csb_kloop *kl,
			 struct csb_kloop_stats *out);

#endif /* CSB_KLOOP_H */
