/*
 * csb_host.c - the kernel (host) side of the CSB protocol, one ring per step.
 *
 * Owns: csb_host_ring_init() and csb_host_step(): read the application's
 * index pair (head, then cur), validate it with nm_kring_prologue(), run the
 * kring's backend sync, publish hwcur then hwtail, decide the interrupt, and
 * when idle enable kicks with the enable + full fence + re-check pattern.
 *
 * Invariants: only ktoa is written (single writer); atok is read through
 * nm_os_shared_load32 and nothing read from it is used unvalidated; a
 * rejected head/cur leaves the kring unchanged; no step sleeps or waits for
 * the application.  kick_enabled mirrors ktoa->kern_need_kick.
 * Locking: the kring's sync gate, taken and released by every step.
 *
 *   application (csb_guest.c)             kernel (this file)
 *   csb_guest_publish():                  csb_host_read_atok():
 *     slots; stst; cur; stst; head  --->    head; ldld; cur, flags; ldld
 *     stld; load kern_need_kick             (prologue, backend sync)
 *   csb_guest_refresh():                  csb_host_publish():
 *     hwtail; ldld; hwcur; ldld     <---    stst; hwcur; stst; hwtail
 *   csb_guest_may_sleep():                csb_host_irq_decide():
 *     appl_need_kick = 1; stld;             stld; load appl_need_kick
 *     re-read hwtail                      csb_host_idle():
 *                                           kern_need_kick = 1; stld; re-read head
 */
#include "csb.h"

int csb_host_ring_init(struct csb_host_ring *hr, struct nm_kring *kr,
		       struct nm_csb_atok *atok, struct nm_csb_ktoa *ktoa,
		       enum csb_host_mode mode)
{
	uint32_t need = CSB_MUTANT(CSB_MUT_BAD_INIT_KICK) ? 0 : 1;

	if (hr == NULL || kr == NULL || csb_check_layout(atok, ktoa, 1) != 0)
		return -EINVAL;
	if (mode != CSB_MODE_EVENTFD && mode != CSB_MODE_BUSY_WAIT &&
	    mode != CSB_MODE_DIRECT)
		return -EINVAL;
	if (!nm_kring_valid(kr))
		return -EINVAL;
	nm_os_memset(hr, 0, sizeof(*hr));
	hr->kr = kr;
	hr->atok = atok;
	hr->ktoa = ktoa;
	hr->mode = mode;
	nm_os_counter_init(&hr->stats.steps);
	nm_os_counter_init(&hr->stats.busy);
	nm_os_counter_init(&hr->stats.bad_atok);
	nm_os_counter_init(&hr->stats.backend_errors);
	nm_os_counter_init(&hr->stats.irqs_sent);
	nm_os_counter_init(&hr->stats.irqs_suppressed);
	nm_os_counter_init(&hr->stats.sleeps);
	nm_os_counter_init(&hr->stats.recheck_won);

	/* Both sides start with notifications wanted: the kernel has not run
	 * yet (so it must be kicked), the application has not either. */
	nm_os_shared_store32(&atok->head, kr->rhead);
	nm_os_shared_store32(&atok->cur, kr->rcur);
	nm_os_shared_store32(&atok->appl_need_kick, need);
	nm_os_shared_store32(&atok->sync_flags, NAF_FORCE_READ);
	nm_os_shared_store32(&ktoa->hwcur, kr->hwcur);
	nm_os_shared_store32(&ktoa->hwtail, kr->hwtail);
	nm_os_shared_store32(&ktoa->kern_need_kick, need);
	hr->kick_enabled = need != 0;
	hr->pub_hwcur = kr->hwcur;
	hr->pub_hwtail = kr->hwtail;
	/* The initial lines are complete before anything that publishes the
	 * CSB to the application; pairs with nm_os_fence_load_load() in
	 * csb_guest_init(). */
	nm_os_fence_store_store();
	return 0;
}

/* Read the application's pair: head first, then cur (and flags). */
static void csb_host_read_atok(struct csb_host_ring *hr, uint32_t *head,
			       uint32_t *cur, uint32_t *flags)
{
	*head = nm_os_shared_load32(&hr->atok->head);
	/* head before cur, so cur is at least as new as head (never head
	 * ahead of cur); pairs with the middle nm_os_fence_store_store() in
	 * csb_guest_publish(), which stores cur before head. */
	if (!CSB_MUTANT_H(CSB_MUT_NO_LDLD))
		nm_os_fence_load_load();
	*cur = nm_os_shared_load32(&hr->atok->cur);
	*flags = nm_os_shared_load32(&hr->atok->sync_flags);
	/* The index loads before the backend's slot reads, so no slot is read
	 * older than the head that hands it over; pairs with the first
	 * nm_os_fence_store_store() in csb_guest_publish(). */
	nm_os_fence_load_load();
}

/* Publish the kernel's pair: hwcur first, then hwtail.  Unchanged values
 * are not rewritten, so an idle step leaves the line the application polls
 * clean in its cache. */
static void csb_host_publish(struct csb_host_ring *hr)
{
	struct nm_kring *kr = hr->kr;
	uint32_t first = kr->hwcur, second = kr->hwtail;
	volatile uint32_t *p1 = &hr->ktoa->hwcur, *p2 = &hr->ktoa->hwtail;

	if (kr->hwcur == hr->pub_hwcur && kr->hwtail == hr->pub_hwtail)
		return;
	hr->pub_hwcur = kr->hwcur;
	hr->pub_hwtail = kr->hwtail;

	if (CSB_MUTANT_H(CSB_MUT_SWAP_PUBLISH)) {
		first = kr->hwtail;
		second = kr->hwcur;
		p1 = &hr->ktoa->hwtail;
		p2 = &hr->ktoa->hwcur;
	}
	/* The backend's slot writes (RX descriptors, TX buffer swaps) before
	 * the indices that hand the slots over; pairs with the last
	 * nm_os_fence_load_load() in csb_guest_refresh(). */
	nm_os_fence_store_store();
	nm_os_shared_store32(p1, first);
	/* hwcur before hwtail, so the application never sees a hwtail newer
	 * than hwcur; pairs with the first nm_os_fence_load_load() in
	 * csb_guest_refresh(), which loads hwtail before hwcur. */
	if (!CSB_MUTANT_H(CSB_MUT_PLAIN_RELEASE))
		nm_os_fence_store_store();
	nm_os_shared_store32(p2, second);
}

/* hwtail moved: does the application want an interrupt? */
static void csb_host_irq_decide(struct csb_host_ring *hr, unsigned *todo)
{
	/* Publish side of the interrupt Dekker pair: the hwtail store must be
	 * visible before appl_need_kick is read, else the application may
	 * enable interrupts, miss the new hwtail in its re-check and sleep
	 * while we read a stale 0 (defect D6).  Pairs with
	 * nm_os_fence_store_load() in csb_guest_may_sleep(). */
	if (CSB_MUTANT(CSB_MUT_WMB_FOR_MB))
		nm_os_fence_store_store(); /* test-only: the wrong fence */
	else if (!CSB_MUTANT_H(CSB_MUT_NO_PUBLISH_FENCE))
		nm_os_fence_store_load();
	if (nm_os_shared_load32(&hr->atok->appl_need_kick) != 0) {
		*todo |= CSB_DO_NOTIFY;
		nm_os_counter_add(&hr->stats.irqs_sent, 1);
	} else {
		nm_os_counter_add(&hr->stats.irqs_suppressed, 1);
	}
}

/* We are running: the application need not kick (eventfd mode only). */
static void csb_host_awake(struct csb_host_ring *hr)
{
	if (!hr->kick_enabled || hr->mode == CSB_MODE_DIRECT)
		return;
	/* No fence: a kick that still arrives is merely spurious. */
	nm_os_shared_store32(&hr->ktoa->kern_need_kick, 0);
	hr->kick_enabled = false;
}

/*
 * Nothing to do until the application publishes: enable kicks, fence,
 * re-check.  Returns CSB_DO_SLEEP, or CSB_DO_AGAIN if atok changed from
 * what the step read (kicks then disabled again).
 */
static unsigned csb_host_idle(struct csb_host_ring *hr, unsigned flags,
			      uint32_t head, uint32_t cur)
{
	uint32_t h, c;

	if (hr->mode == CSB_MODE_BUSY_WAIT)
		return CSB_DO_SLEEP; /* polled again after sleep_us */
	if ((flags & CSB_STEP_POLL) != 0 && hr->mode == CSB_MODE_EVENTFD)
		return CSB_DO_SLEEP; /* the caller steps again at once */
	if (hr->mode == CSB_MODE_DIRECT) {
		/* Kicks are never disabled in direct mode; make sure the flag
		 * says so even if the CSB was initialised without it. */
		if (!hr->kick_enabled) {
			nm_os_shared_store32(&hr->ktoa->kern_need_kick, 1);
			hr->kick_enabled = true;
		}
		return CSB_DO_SLEEP;
	}
	nm_os_shared_store32(&hr->ktoa->kern_need_kick, 1);
	hr->kick_enabled = true;
	/* Enabling side of the kick Dekker pair: kern_need_kick = 1 must be
	 * visible before atok is re-read, else the application may publish,
	 * read a stale 0 and not kick while we miss its head and sleep.
	 * Pairs with nm_os_fence_store_load() in csb_guest_publish(). */
	if (!CSB_MUTANT_H(CSB_MUT_NO_ENABLE_FENCE))
		nm_os_fence_store_load();
	if (!CSB_MUTANT_H(CSB_MUT_NO_RECHECK)) {
		h = nm_os_shared_load32(&hr->atok->head);
		c = nm_os_shared_load32(&hr->atok->cur);
		if (h != head || c != cur) {
			/* We won the race: the application crossed the index
			 * while we enabled kicks.  Go on without them. */
			nm_os_shared_store32(&hr->ktoa->kern_need_kick, 0);
			hr->kick_enabled = false;
			nm_os_counter_add(&hr->stats.recheck_won, 1);
			return CSB_DO_AGAIN;
		}
	}
	nm_os_counter_add(&hr->stats.sleeps, 1);
	return CSB_DO_SLEEP;
}

/*
 * Idle, and nothing the application can do before the backend wakes us?
 * Then kicks stay off.  TX: the backend still holds slots; it wakes us when
 * it takes them, and we read any newer head then.  RX: only when the
 * application holds no slot ([rhead, hwtail) empty), so it cannot release
 * any before the backend brings packets, which wakes us.  While it holds
 * some, a release must reach hwcur without waiting for a backend event:
 * the backend may be blocked on exactly those slots (a pipe sender, a chain
 * longer than the free space) and then never makes one.  The reference
 * waits for the backend whenever the ring is not full (docs/csb.md, "RX
 * releases").
 */
static bool csb_host_waits_backend(const struct nm_kring *kr)
{
	if (kr->dir == NM_KRING_TX)
		return kr->hwcur != kr->rhead; /* slots the backend did not take */
	if (CSB_MUTANT(CSB_MUT_RX_WAIT_IF_ROOM)) /* test-only: the old rule */
		return kr->hwtail != nm_idx_prev(kr->hwcur, kr->num_slots);
	return kr->hwtail == kr->rhead;
}

int csb_host_step(struct csb_host_ring *hr, unsigned flags, unsigned *todo)
{
	struct nm_kring *kr = hr->kr;
	uint32_t n = kr->num_slots;
	uint32_t head, cur, sflags, old_rhead, old_hwcur, old_hwtail;
	bool early;
	int err;

	*todo = 0;
	if (!nm_kring_tryget(kr)) {
		nm_os_counter_add(&hr->stats.busy, 1);
		return -EBUSY;
	}
	nm_os_counter_add(&hr->stats.steps, 1);
	csb_host_awake(hr);
	csb_host_read_atok(hr, &head, &cur, &sflags);
	old_rhead = kr->rhead;
	err = nm_kring_prologue(kr, head, cur);
	if (err != 0) {
		/* Ring unchanged.  Wait for the application to write valid
		 * values (it kicks when it changes them). */
		nm_os_counter_add(&hr->stats.bad_atok, 1);
		*todo = csb_host_idle(hr, flags, head, cur);
		goto out;
	}
	hr->head_total += nm_idx_dist(old_rhead, kr->rhead, n);
	/* Against what the application was last shown, not the kring's
	 * values now: another sync of the ring may have run since our last
	 * step (an RX copy monitor imports arrivals at the switch's
	 * notification, nm_kring_tap_arrivals()), and what it moved is ours
	 * to publish, interrupt included. */
	old_hwcur = hr->pub_hwcur;
	old_hwtail = hr->pub_hwtail;
	/* Through the taps: a monitor of this port sees what the kloop moves. */
	err = nm_kring_sync_backend(kr, sflags & (NAF_FORCE_READ | NAF_FORCE_RECLAIM));
	if (err != 0) {
		nm_os_counter_add(&hr->stats.backend_errors, 1);
		*todo = csb_host_idle(hr, flags, head, cur);
		goto out;
	}
	if (!NM_ASSERT(nm_kring_valid(kr))) {
		err = -EINVAL;
		goto out;
	}
	nm_kring_finalize(kr);
	/* Test-only (docs/bugzoo.md): decide the interrupt before publishing. */
	early = CSB_MUTANT(CSB_MUT_IRQ_BEFORE_PUBLISH) && kr->hwtail != old_hwtail &&
		nm_os_shared_load32(&hr->atok->appl_need_kick) != 0;
	csb_host_publish(hr);
	if (kr->hwtail != old_hwtail) {
		hr->hwtail_total += nm_idx_dist(old_hwtail, kr->hwtail, n);
		if (!CSB_MUTANT(CSB_MUT_IRQ_BEFORE_PUBLISH))
			csb_host_irq_decide(hr, todo);
		else if (early)
			*todo |= CSB_DO_NOTIFY;
	}
	if (kr->hwcur != old_hwcur || kr->hwtail != old_hwtail ||
	    kr->rhead != old_rhead) {
		*todo |= CSB_DO_AGAIN;
		goto out;
	}
	if (csb_host_waits_backend(kr))
		*todo |= CSB_DO_WAIT_BACKEND;
	else
		*todo |= csb_host_idle(hr, flags, head, cur);
out:
	nm_kring_put(kr);
	return err;
}
