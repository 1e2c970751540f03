/*
 * csb_guest.c - the application (guest) side of the CSB protocol.
 *
 * Owns: csb_guest_sync() (txsync and rxsync: publish cur then head, full
 * fence, read kern_need_kick), csb_guest_refresh() (read hwtail then hwcur,
 * validated), and the sleep decision csb_guest_may_sleep() (enable
 * interrupts, full fence, re-check).  Used by the shim stress threads, the
 * simulator's guest actors and the kernel module's guest client
 * (kmod/clients/csb_pair.c, built by scripts/kmod-test).
 *
 * Invariants: only atok is written (single writer); every ktoa value is
 * validated against the view before use and a bad one leaves the view
 * unchanged; head and cur only move forward inside [head, hwtail].
 * irq_enabled mirrors atok->appl_need_kick.
 * Locking: none; one thread drives a csb_guest at a time.
 * Pairing diagram: csb_host.c.
 */
#include "csb.h"

int csb_guest_init(struct csb_guest *g, enum nm_kring_dir dir,
		   uint32_t num_slots, struct nm_csb_atok *atok,
		   const struct nm_csb_ktoa *ktoa)
{
	uint32_t head, cur, hwcur, hwtail, need;

	if (g == NULL || csb_check_layout(atok, ktoa, 1) != 0)
		return -EINVAL;
	if (dir != NM_KRING_TX && dir != NM_KRING_RX)
		return -EINVAL;
	if (num_slots < NM_RING_MIN_SLOTS || num_slots > NM_RING_MAX_SLOTS)
		return -EINVAL;
	/* The CSB was filled by csb_host_ring_init() before it was handed
	 * over; pairs with nm_os_fence_store_store() in csb_host_ring_init(). */
	nm_os_fence_load_load();
	head = nm_os_shared_load32(&atok->head);
	cur = nm_os_shared_load32(&atok->cur);
	need = nm_os_shared_load32(&atok->appl_need_kick);
	hwtail = nm_os_shared_load32(&ktoa->hwtail);
	hwcur = nm_os_shared_load32(&ktoa->hwcur);
	if (head >= num_slots || cur >= num_slots || hwcur >= num_slots ||
	    hwtail >= num_slots)
		return -EINVAL;
	nm_os_memset(g, 0, sizeof(*g));
	g->atok = atok;
	g->ktoa = ktoa;
	g->num_slots = num_slots;
	g->dir = dir;
	g->head = head;
	g->cur = cur;
	g->hwcur = hwcur;
	g->hwtail = hwtail;
	g->sync_flags = nm_os_shared_load32(&atok->sync_flags);
	g->irq_enabled = need != 0;
	nm_os_counter_init(&g->stats.syncs);
	nm_os_counter_init(&g->stats.kicks_sent);
	nm_os_counter_init(&g->stats.kicks_suppressed);
	nm_os_counter_init(&g->stats.sleeps);
	nm_os_counter_init(&g->stats.recheck_won);
	nm_os_counter_init(&g->stats.wakeups);
	nm_os_counter_init(&g->stats.spurious);
	nm_os_counter_init(&g->stats.bad_ktoa);
	nm_os_counter_init(&g->stats.bad_args);
	return 0;
}

#ifdef NM_CSB_MUTANTS
/* Test-only: the window checks of the zoo's index mutants (docs/bugzoo.md). */
static bool csb_guest_window_mut(uint32_t i, uint32_t lo, uint32_t hi,
				 uint32_t n)
{
	if (CSB_MUTANT(CSB_MUT_WINDOW_NO_WRAP))
		return lo <= i && i <= hi; /* forgets that indices wrap */
	return nm_idx_in_window(i, lo, hi, n);
}
#define CSB_WINDOW(i, lo, hi, n) csb_guest_window_mut(i, lo, hi, n)
#define CSB_HWTAIL_END(head, n)                                          \
	(CSB_MUTANT(CSB_MUT_WINDOW_OFF_BY_ONE)                           \
		 ? nm_idx_prev(nm_idx_prev(head, n), n)                  \
		 : nm_idx_prev(head, n))
#else
#define CSB_WINDOW(i, lo, hi, n) nm_idx_in_window(i, lo, hi, n)
#define CSB_HWTAIL_END(head, n) nm_idx_prev(head, n)
#endif

int csb_guest_refresh(struct csb_guest *g)
{
	uint32_t n = g->num_slots;
	uint32_t hwtail, hwcur;

	hwtail = nm_os_shared_load32(&g->ktoa->hwtail);
	/* hwtail before hwcur, so hwcur is at least as new as hwtail; pairs
	 * with the second nm_os_fence_store_store() in csb_host_publish(). */
	if (!CSB_MUTANT_G(CSB_MUT_NO_LDLD))
		nm_os_fence_load_load();
	hwcur = nm_os_shared_load32(&g->ktoa->hwcur);
	/* The index loads before our slot reads, so no slot is read older
	 * than the hwtail that handed it over; pairs with the first
	 * nm_os_fence_store_store() in csb_host_publish(). */
	nm_os_fence_load_load();
	/* The kernel can only hand over slots up to the one before our head
	 * and only consume what we published. */
	if (hwtail >= n || hwcur >= n ||
	    !CSB_WINDOW(hwtail, g->hwtail, CSB_HWTAIL_END(g->head, n), n) ||
	    !CSB_WINDOW(hwcur, g->hwcur, g->head, n)) {
		nm_os_counter_add(&g->stats.bad_ktoa, 1);
		nm_os_log_warn_rl("csb guest: kernel indices rejected (hwcur %u hwtail %u; view hwcur %u hwtail %u head %u n %u)",
				  hwcur, hwtail, g->hwcur, g->hwtail, g->head,
				  n);
		return -EINVAL;
	}
	/* Test-only double fetch (XSA-155 class): the value used is not the
	 * value validated.  Never in a production build. */
	if (CSB_MUTANT(CSB_MUT_DOUBLE_FETCH))
		hwtail = nm_os_shared_load32(&g->ktoa->hwtail);
	g->hwtail_total += nm_idx_dist(g->hwtail, hwtail, n);
	g->hwtail = hwtail;
	g->hwcur = hwcur;
	return 0;
}

/* Publish cur then head, then decide the kick. */
static void csb_guest_publish(struct csb_guest *g, uint32_t head,
			      uint32_t cur, unsigned *todo)
{
	volatile uint32_t *p1 = &g->atok->cur, *p2 = &g->atok->head;
	uint32_t first = cur, second = head;
	bool need = false;

	if (CSB_MUTANT_G(CSB_MUT_SWAP_PUBLISH)) {
		p1 = &g->atok->head;
		p2 = &g->atok->cur;
		first = head;
		second = cur;
	}
	/* Slot contents (TX frames, RX releases) before the indices that
	 * hand them over; pairs with the second nm_os_fence_load_load() in
	 * csb_host_read_atok(). */
	if (CSB_MUTANT(CSB_MUT_KICK_BEFORE_PUBLISH))
		need = nm_os_shared_load32(&g->ktoa->kern_need_kick) != 0;
	nm_os_fence_store_store();
	nm_os_shared_store32(p1, first);
	/* cur before head, so the kernel never sees a head newer than cur
	 * (which the prologue would reject); pairs with the first
	 * nm_os_fence_load_load() in csb_host_read_atok(). */
	if (!CSB_MUTANT_G(CSB_MUT_PLAIN_RELEASE))
		nm_os_fence_store_store();
	nm_os_shared_store32(p2, second);
	/* Publish side of the kick Dekker pair: head must be visible before
	 * kern_need_kick is read, else the kernel may enable kicks, miss our
	 * head in its re-check and sleep while we read a stale 0 (defect
	 * D6).  Pairs with nm_os_fence_store_load() in csb_host_idle(). */
	if (!CSB_MUTANT_G(CSB_MUT_NO_PUBLISH_FENCE))
		nm_os_fence_store_load();
	if (!CSB_MUTANT(CSB_MUT_KICK_BEFORE_PUBLISH))
		need = nm_os_shared_load32(&g->ktoa->kern_need_kick) != 0;
	if (need) {
		*todo |= CSB_DO_NOTIFY;
		nm_os_counter_add(&g->stats.kicks_sent, 1);
	} else {
		nm_os_counter_add(&g->stats.kicks_suppressed, 1);
	}
}

int csb_guest_sync(struct csb_guest *g, uint32_t head, uint32_t cur,
		   uint32_t sync_flags, unsigned *todo)
{
	uint32_t n = g->num_slots;

	*todo = 0;
	nm_os_counter_add(&g->stats.syncs, 1);
	if (head >= n || cur >= n ||
	    !nm_idx_in_window(head, g->head, g->hwtail, n) ||
	    !nm_idx_in_window(cur, head, g->hwtail, n)) {
		nm_os_counter_add(&g->stats.bad_args, 1);
		return -EINVAL;
	}
	if (g->irq_enabled) {
		/* We are running and will look at hwtail ourselves.  No
		 * fence: an interrupt that still arrives is merely spurious. */
		nm_os_shared_store32(&g->atok->appl_need_kick, 0);
		g->irq_enabled = false;
	}
	if (sync_flags != g->sync_flags) {
		/* Read by the kernel after cur, so it is covered by the
		 * fences in csb_guest_publish(). */
		nm_os_shared_store32(&g->atok->sync_flags, sync_flags);
		g->sync_flags = sync_flags;
	}
	if (head != g->head || cur != g->cur) {
		csb_guest_publish(g, head, cur, todo);
		g->head_total += nm_idx_dist(g->head, head, n);
		g->head = head;
		g->cur = cur;
	}
	return csb_guest_refresh(g);
}

int csb_guest_txsync(struct csb_guest *g, uint32_t head, uint32_t cur,
		     unsigned *todo)
{
	if (!NM_ASSERT(g->dir == NM_KRING_TX)) {
		*todo = 0;
		return -EINVAL;
	}
	return csb_guest_sync(g, head, cur, g->sync_flags, todo);
}

int csb_guest_rxsync(struct csb_guest *g, uint32_t head, uint32_t cur,
		     unsigned *todo)
{
	if (!NM_ASSERT(g->dir == NM_KRING_RX)) {
		*todo = 0;
		return -EINVAL;
	}
	return csb_guest_sync(g, head, cur, g->sync_flags, todo);
}

bool csb_guest_may_sleep(struct csb_guest *g)
{
	if (!csb_guest_would_block(g))
		return false;
	nm_os_shared_store32(&g->atok->appl_need_kick, 1);
	g->irq_enabled = true;
	/* Enabling side of the interrupt Dekker pair: appl_need_kick = 1
	 * must be visible before hwtail is re-read, else the kernel may
	 * publish, read a stale 0 and not interrupt while we miss its hwtail
	 * and sleep.  Pairs with nm_os_fence_store_load() in
	 * csb_host_irq_decide(). */
	if (!CSB_MUTANT_G(CSB_MUT_NO_ENABLE_FENCE))
		nm_os_fence_store_load();
	if (!CSB_MUTANT_G(CSB_MUT_NO_RECHECK)) {
		(void)csb_guest_refresh(g);
		if (!csb_guest_would_block(g)) {
			/* The kernel crossed the index while we enabled. */
			nm_os_shared_store32(&g->atok->appl_need_kick, 0);
			g->irq_enabled = false;
			nm_os_counter_add(&g->stats.recheck_won, 1);
			return false;
		}
	}
	nm_os_counter_add(&g->stats.sleeps, 1);
	return true;
}

bool csb_guest_woken(struct csb_guest *g)
{
	nm_os_counter_add(&g->stats.wakeups, 1);
	(void)csb_guest_refresh(g);
	if (csb_guest_would_block(g)) {
		nm_os_counter_add(&g->stats.spurious, 1);
		return false;
	}
	if (g->irq_enabled) {
		nm_os_shared_store32(&g->atok->appl_need_kick, 0);
		g->irq_enabled = false;
	}
	return true;
}
